#pragma once

// The centre of the window: shoppers ⇒ gateway ⇒ app nodes ⇒ stock store, drawn from the latest
// snapshot; on a fan-out run the fan-out's diagram instead (fanoutlayout.h: author ⇒ fan-out
// queue ⇒ workers ⇒ inbox shards ⇐ readers, and the outboxes pull and hybrid read). Below them, when the run has them,
// the cache tier (its nodes around a ring, each with its share of the keys) and the order queue (partitions filling up,
// consumers persisting to the store). A layout pass gives each tier its own rectangle (topologylayout.h) and one
// painter per tier draws it; this view owns the edges between them, the flow dots on the edges (a density and speed
// that follow the measured throughput, never one dot per request) and the mouse: a click selects a node, cache node,
// consumer or inbox shard as the target of the panel's buttons; a right click offers to remove or kill it (a shard: to
// kill or rebuild it).

#include "fanoutlayout.h"
#include "theme.h"
#include "tierpainter.h"
#include "topologylayout.h"

#include "metrics.h"

#include <QHash>
#include <QList>
#include <QPainterPath>
#include <QPixmap>
#include <QWidget>

#include <memory>

class QPainter;

namespace stampede::ui {

class TopologyView : public QWidget {
    Q_OBJECT

public:
    // What the last frame drew (what a person sees, and what tests check).
    using DrawnNode = stampede::ui::DrawnNode;
    using DrawnCacheNode = stampede::ui::DrawnCacheNode;
    using DrawnPartition = stampede::ui::DrawnPartition;
    using DrawnConsumer = stampede::ui::DrawnConsumer;
    using DrawnShard = stampede::ui::DrawnShard;

    explicit TopologyView(QWidget *parent = nullptr);

    // Whether a snapshot gets a cache ring (it has a cache tier) and a queue (the strategy uses
    // it, or it was used in this run). Without either the diagram is the flash-sale one.
    static bool showsCache(const Snapshot &s);
    static bool showsQueue(const Snapshot &s);

    void setConfig(const EngineConfig &config);
    void setSnapshot(std::shared_ptr<const Snapshot> snapshot);
    // Moves the flow dots by `seconds` of animation time; call once per display frame.
    void advance(double seconds);
    void applyTheme(const Theme &theme);

    // Tier boxes, labels and cards of the last frame, in this widget's coordinates.
    const TopologyRecord &record() const { return m_record; }
    const QList<DrawnNode> &drawnNodes() const { return m_record.nodes; }
    int selectedNode() const { return m_selection.node; } // -1: none
    void setSelectedNode(int id);
    int nodeAt(const QPointF &pos) const;
    quint64 framesPainted() const { return m_frames; }
    // The flow dots of the last frame: a dot is not drawn where it would cover a box, card or
    // label (it passes behind them), so the dots never hide text.
    const QList<QRectF> &drawnDots() const { return m_dots; }

    // The cache ring and the queue as the last frame drew them; empty rects when not drawn.
    QRectF cacheTierRect() const { return tierRect(u"cache"); }
    QRectF queueRect() const { return tierRect(u"queue"); }
    QRectF tierRect(QStringView name) const;
    const QList<DrawnCacheNode> &drawnCacheNodes() const { return m_record.cacheNodes; }
    const QList<DrawnPartition> &drawnPartitions() const { return m_record.partitions; }
    const QList<DrawnConsumer> &drawnConsumers() const { return m_record.consumers; }
    int cacheNodeAt(const QPointF &pos) const;
    int consumerAt(const QPointF &pos) const;
    int selectedCacheNode() const { return m_selection.cacheNode; }
    int selectedConsumer() const { return m_selection.consumer; }
    void setSelectedCacheNode(int id);
    void setSelectedConsumer(int id);
    // The fan-out's inbox shards as the last frame drew them.
    const QList<DrawnShard> &drawnShards() const { return m_record.shards; }
    int shardAt(const QPointF &pos) const;
    int selectedShard() const { return m_selection.shard; }
    void setSelectedShard(int id);

    QSize minimumSizeHint() const override;
    QSize sizeHint() const override;

signals:
    void selectedNodeChanged(int id);
    void removeNodeRequested(int id);
    void killNodeRequested(int id);
    void selectedCacheNodeChanged(int id);
    void removeCacheNodeRequested(int id);
    void killCacheNodeRequested(int id);
    void selectedConsumerChanged(int id);
    void removeConsumerRequested(int id);
    void killConsumerRequested(int id);
    void selectedShardChanged(int id);
    void killShardRequested(int id);
    void rebuildShardRequested(int id);

protected:
    void paintEvent(QPaintEvent *event) override;
    void resizeEvent(QResizeEvent *event) override;
    void mousePressEvent(QMouseEvent *event) override;
    void contextMenuEvent(QContextMenuEvent *event) override;

private:
    void tierContextMenu(QContextMenuEvent *event); // cache nodes and consumers
    void shardContextMenu(QContextMenuEvent *event, int id);
    // An S-shaped edge between two boxes: leaves and arrives horizontally, or vertically.
    struct Edge {
        QPointF a, c1, c2, b;
        Edge() = default;
        Edge(QPointF from, QPointF to, bool vertical = false);
        QPainterPath path() const;
        QPointF at(double t) const;
    };
    enum class FlowKind {
        Arrivals,
        NodeIn,
        NodeOut,
        ToCache,
        ToQueue,
        ToStore,
        // the fan-out's
        Posts, // author ⇒ fan-out queue
        Drain, // fan-out queue ⇒ workers
        Writes, // workers ⇒ inbox shards
        Reads, // readers ⇒ inbox shards
        OutboxReads, // readers ⇒ outboxes (pull, hybrid)
        OutboxPosts, // author ⇒ outboxes
    };
    // Dots to move along an edge this frame.
    struct Flow {
        Edge edge;
        FlowKind kind = FlowKind::Arrivals;
        int nodeId = -1; // NodeIn, NodeOut
    };
    // Edges first (boxes go on top), with their labels in the strip between the row and the band.
    void drawEdges(QPainter &p, PaintContext &c, const TopologyLayout &g);
    // The fan-out's diagram, edges first (topologyfanout.cpp).
    void drawFanout(QPainter &p, PaintContext &c);
    void drawFanoutEdges(QPainter &p, PaintContext &c, const FanoutLayout &g);
    // An edge with an arrowhead at its end; its dots move when `flows`.
    void arrow(QPainter &p, const Edge &e, const QPen &pen, FlowKind kind, bool flows);
    double fanoutRate(FlowKind kind) const;
    double flowRate(const Flow &f) const;
    void drawFlow(QPainter &p, const Edge &edge, double rate, double phase, const QPixmap &dot);
    // Everything but the dots: redrawn when the snapshot, size, theme or selection changes, not
    // every frame.
    void drawStatic(QPainter &p);
    void drawFlashSale(QPainter &p);
    void invalidate();
    QPixmap makeDot(const QColor &color, double dpr) const;
    double attemptsRate() const;

    std::shared_ptr<const Snapshot> m_snapshot;
    Theme m_theme;
    TopologySettings m_settings;
    double m_phaseTop = 0, m_phaseCache = 0, m_phaseQueue = 0, m_phaseConsume = 0;
    QHash<int, double> m_phaseIn, m_phaseOut; // by node id
    QHash<int, double> m_phaseKind; // the fan-out's flows, by FlowKind
    TopologyRecord m_record;
    QList<Flow> m_flows;
    QList<QRectF> m_obstacles; // what dots pass behind, from the last drawStatic
    QList<QRectF> m_dots;
    TopologyNeeds m_minNeeds; // the tiers minimumSizeHint() makes room for
    QPixmap m_layer;
    std::shared_ptr<const Snapshot> m_layerSource;
    bool m_layerValid = false;
    QPixmap m_dotIn, m_dotOut;
    Selection m_selection;
    quint64 m_frames = 0;
};

} // namespace stampede::ui
