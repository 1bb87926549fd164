#pragma once

// The layout pass of the topology: one rectangle per tier, computed before anything is drawn.
// The flash-sale row (shoppers, gateway, app nodes, store) is cut into columns and the band
// below it (cache ring, order queue) into cells, so tiers cannot overlap whatever the size;
// when room runs short the gaps go first, then the side boxes stack, then every column shrinks
// and the painters drop detail from their text.

#include <QList>
#include <QRectF>

namespace stampede::ui {

struct Theme;

struct TopologyNeeds {
    bool fanout = false; // the fan-out's diagram instead (fanoutlayout.h)
    int nodes = 0;
    bool cache = false;
    bool queue = false;
    double storeHeight = 0; // what the store box would like
};

struct TopologyLayout {
    QRectF shoppers, gateway, store;
    QList<QRectF> nodes; // in snapshot order
    QRectF nodesBlock; // around all nodes
    QRectF cache, queue; // empty when not shown
    QRectF edgeLabels; // the strip between the row and the band, where edge labels go
};

TopologyLayout layoutTopology(const QRectF &area, const Theme &theme, const TopologyNeeds &needs);
// The least height at which every tier keeps its title and one row of content (nodes, the
// store's row, the cache cards, the queue's partitions): the window never gives the diagram less.
double minimumTopologyHeight(const Theme &theme, const TopologyNeeds &needs);

} // namespace stampede::ui
