#pragma once

// The app nodes: one card per node with its state stripe, its load (busy of capacity) and its
// throughput. A card shows as many lines as its height allows: name and rate always, then the
// state and the load bar, then the backlog.

#include "tierpainter.h"

namespace stampede::ui {

class NodesPainter {
public:
    explicit NodesPainter(PaintContext &context);

    void paint(const QList<QRectF> &cards, const Snapshot &snap, const TopologySettings &settings);

private:
    void paintNode(const QRectF &r, const NodeView &n, const TopologySettings &settings);
    void loadBar(const QRectF &r, double fraction);

    PaintContext &m_c;
};

} // namespace stampede::ui
