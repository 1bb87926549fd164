#pragma once

// The cache tier: a header with the hit ratio, the placement and store reads, what the last
// cache change moved, then the ring (each node's arc as wide as its share of the keys) with one
// card per cache node beside it, tied to its arc.

#include "tierpainter.h"

namespace stampede::ui {

class CachePainter {
public:
    explicit CachePainter(PaintContext &context);

    void paint(const QRectF &r, const Snapshot &snap);

private:
    struct Item {
        const CacheNodeView *view;
        double start, span, mid;
    };
    double header(const QRectF &inner, const Snapshot &snap);
    void ringHole(const QRectF &hole, const Snapshot &snap);
    // Cards for the arcs on one side of the ring, in as many sub-columns as their height needs.
    void cards(const QList<const Item *> &items, const QRectF &column, bool onRight, const QPointF &centre,
        double radius, const Snapshot &snap);
    void card(const QRectF &r, const CacheNodeView &v, const Snapshot &snap);
    QColor colour(int id) const;

    PaintContext &m_c;
};

} // namespace stampede::ui
