#pragma once

// The inbox shards of the fan-out: a header with how many are up and the busiest one's load, the
// entries held (and lost by a kill), then one cell per shard, filling up with its utilisation,
// red and marked DOWN while it is down. Cells keep at least their number, or, where the box is
// too small for every number, all shards are bars without one; shards beyond what fits are
// counted in the last cell.

#include "tierpainter.h"

namespace stampede::ui {

class ShardsPainter {
public:
    explicit ShardsPainter(PaintContext &context);

    void paint(const QRectF &r, const Snapshot &snap);

private:
    double header(const QRectF &inner, const Snapshot &snap);
    void cell(const QRectF &r, int id, bool up, double utilisation);

    PaintContext &m_c;
    bool m_numbers = true; // cells carry their shard's number
};

} // namespace stampede::ui
