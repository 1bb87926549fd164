#pragma once

// What the topology's painters share: the painter, the theme, the text fitter, the selection, and
// the record of what the frame drew (tier boxes, labels, nodes, cards, partitions, consumers) that
// hit tests and layout tests read. Each tier has its own small painter class; this is their
// common ground.

#include "textfit.h"
#include "theme.h"

#include "metrics.h"

#include <QList>
#include <QRectF>

class QPainter;

namespace stampede::ui {

struct DrawnTier {
    QString name; // "shoppers", "gateway", "nodes", "store", "cache", "queue"; the fan-out's "author",
                  // "fanoutQueue", "workers", "outbox", "readers", "shards"
    QRectF rect;
};
struct DrawnNode {
    int id = 0;
    NodeState state = NodeState::Up;
    QRectF rect;
};
struct DrawnCacheNode {
    int id = 0;
    NodeState state = NodeState::Up;
    QRectF rect; // its card
    double startDeg = 0, spanDeg = 0; // its arc, clockwise from the top of the ring
};
struct DrawnPartition {
    int id = 0;
    QRectF rect; // the whole bar
    double fill = 0; // backlog / capacity
};
struct DrawnConsumer {
    int id = 0;
    NodeState state = NodeState::Up;
    QRectF rect;
};
struct DrawnShard {
    int id = 0;
    bool up = true;
    QRectF rect; // its cell in the inbox shards' box
    double utilisation = 0; // 0..1
};

// Everything one frame of the topology drew, in the view's coordinates.
struct TopologyRecord {
    QList<DrawnTier> tiers;
    QList<DrawnLabel> labels;
    QList<DrawnNode> nodes;
    QList<DrawnCacheNode> cacheNodes;
    QList<DrawnPartition> partitions;
    QList<DrawnConsumer> consumers;
    QList<DrawnShard> shards; // the fan-out's inbox shards
    int workerChips = 0; // the fan-out's workers drawn one by one
    void clear() { *this = TopologyRecord {}; }
};

struct Selection {
    int node = -1, cacheNode = -1, consumer = -1, shard = -1;
};

// Settings the view knows from the scenario rather than from the snapshot.
struct TopologySettings {
    QString policy; // gateway routing
    QString rateLimit; // "no rate limit", "limit 5 k/s"
    int queueLimit = 1; // a node's backlog bound
    int partitions = 0; // configured, shown until the engine reports its partitions
    int skus = 1; // the store box shows SKU 0's rows; the counters all SKUs
};

class PaintContext {
public:
    PaintContext(QPainter &painter, const Theme &theme, const Selection &selection, TopologyRecord &record);

    QPainter &p;
    const Theme &theme;
    const Selection &selection;
    TopologyRecord &record;
    TextFit text;
    double s; // theme scale

    // A tier's box; `name` goes into the record.
    void tierBox(const QString &name, const QRectF &r);
    // A rounded card (nodes, cache nodes, consumers) with a state stripe on its left.
    void card(const QRectF &r, bool selected, bool dead, const QColor &stripe);
    // Inside a tier's box: the title at the top, a value in the middle, a footer at the bottom
    // (each the first of its forms that fits); lines that do not fit go, the footer first.
    void boxLines(const QRectF &r, const QStringList &title, const QStringList &value, double valueFactor,
        const QColor &valueColour, const QStringList &footer, const QColor &footerColour, bool footerBold);
    QColor stateColour(NodeState state) const;
    static QString stateText(NodeState state);
};

} // namespace stampede::ui
