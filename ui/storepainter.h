#pragma once

// The stock store: its lock wait and hold, and the rows of SKU 0 that matter (bucket 0 always,
// others when they hold stock or are contended), each with its lock, stock and waiters. Rows that
// do not fit are counted in a last line instead of being drawn over the border.

#include "tierpainter.h"

namespace stampede::ui {

class StorePainter {
public:
    explicit StorePainter(PaintContext &context);

    // The height the box would like for `snap` (the layout gives it at most that).
    static double preferredHeight(const Theme &theme, const Snapshot &snap);
    void paint(const QRectF &r, const Snapshot &snap, const TopologySettings &settings);

private:
    static QList<const RowView *> rowsShown(const Snapshot &snap);
    void paintRow(const QRectF &r, const RowView &row);

    PaintContext &m_c;
};

} // namespace stampede::ui
