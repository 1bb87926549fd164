#pragma once

// The centre of the window: shoppers ⇒ gateway ⇒ app nodes ⇒ stock store, drawn from the latest
// snapshot. Below them, when the run has them, the cache tier (its nodes around a ring, each with
// its share of the keys) and the order queue (partitions filling up, consumers persisting to the
// store). Dots flow along the edges at a density and speed that follow the measured throughput
// (a picture of the flow, never one dot per request). A click selects a node, cache node or
// consumer as the target of the panel's buttons; a right click offers to remove or kill it.

#include "theme.h"

#include "metrics.h"

#include <QHash>
#include <QList>
#include <QPainterPath>
#include <QPixmap>
#include <QWidget>

#include <memory>
#include <optional>

class QPainter;

namespace stampede::ui {

class TopologyView : public QWidget {
    Q_OBJECT

public:
    // A node as the last frame drew it (what a person sees, and what tests check).
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

    explicit TopologyView(QWidget *parent = nullptr);

    // Whether a snapshot gets a cache ring (it has a cache tier) and a queue (the strategy uses
    // it, or it was used in this run). Without either the diagram is the flash-sale one.
    static bool showsCache(const Snapshot &s);
    static bool showsQueue(const Snapshot &s);

    void setConfig(const EngineConfig &config);
    // The lesson's title and "what to notice", shown above the diagram.
    void setLesson(const QString &title, const QString &description);
    void setSnapshot(std::shared_ptr<const Snapshot> snapshot);
    // Moves the flow dots by `seconds` of animation time; call once per display frame.
    void advance(double seconds);
    void applyTheme(const Theme &theme);

    const QList<DrawnNode> &drawnNodes() const { return m_drawn; }
    int selectedNode() const { return m_selected; } // -1: none
    void setSelectedNode(int id);
    int nodeAt(const QPointF &pos) const;
    quint64 framesPainted() const { return m_frames; }

    // The cache ring and the queue as the last frame drew them; empty rects when not drawn.
    QRectF cacheTierRect() const { return m_cacheRect; }
    QRectF queueRect() const { return m_queueRect; }
    const QList<DrawnCacheNode> &drawnCacheNodes() const { return m_drawnCache; }
    const QList<DrawnPartition> &drawnPartitions() const { return m_drawnPartitions; }
    const QList<DrawnConsumer> &drawnConsumers() const { return m_drawnConsumers; }
    int cacheNodeAt(const QPointF &pos) const;
    int consumerAt(const QPointF &pos) const;
    int selectedCacheNode() const { return m_selectedCache; }
    int selectedConsumer() const { return m_selectedConsumer; }
    void setSelectedCacheNode(int id);
    void setSelectedConsumer(int id);

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

protected:
    void paintEvent(QPaintEvent *event) override;
    void resizeEvent(QResizeEvent *event) override;
    void mousePressEvent(QMouseEvent *event) override;
    void contextMenuEvent(QContextMenuEvent *event) override;

private:
    void tierContextMenu(QContextMenuEvent *event); // cache nodes and consumers
    // An S-shaped edge between two boxes: leaves and arrives horizontally, or vertically.
    struct Edge {
        QPointF a, c1, c2, b;
        Edge() = default;
        Edge(QPointF from, QPointF to, bool vertical = false);
        QPainterPath path() const;
        QPointF at(double t) const;
    };
    enum class FlowKind { Arrivals, NodeIn, NodeOut, ToCache, ToQueue, ToStore };
    // Dots to move along an edge this frame.
    struct Flow {
        Edge edge;
        FlowKind kind = FlowKind::Arrivals;
        int nodeId = -1; // NodeIn, NodeOut
    };
    struct Geometry {
        QRectF shoppers, gateway, store;
        QList<QRectF> nodes; // in snapshot order
        QRectF nodesBlock; // around all nodes
        QRectF cache, queue; // empty when not shown
    };

    Geometry layoutFor(int nodeCount, double lessonHeight, bool cache, bool queue) const;
    double storeHeight() const;
    QList<const RowView *> storeRows() const;
    void drawBox(QPainter &p, const QRectF &r, const QColor &border, double borderWidth) const;
    void drawShoppers(QPainter &p, const QRectF &r) const;
    void drawGateway(QPainter &p, const QRectF &r) const;
    void drawNode(QPainter &p, const QRectF &r, const NodeView &n) const;
    void drawFlatNode(QPainter &p, const QRectF &inner, const NodeView &n, const QColor &stateColor) const;
    void drawStore(QPainter &p, const QRectF &r) const;
    void drawCacheTier(QPainter &p, const QRectF &r);
    void drawCacheCard(QPainter &p, const QRectF &r, const CacheNodeView &c, const QColor &colour) const;
    void drawQueue(QPainter &p, const QRectF &r);
    void drawConsumer(QPainter &p, const QRectF &r, const ConsumerView &c) const;
    // Title left, a value right, on one line at the top of a panel; returns the line's height.
    // `values`: the longest first; the first that fits is drawn.
    double drawPanelHeader(QPainter &p, const QRectF &inner, const QString &title, const QStringList &values,
        const QColor &valueColour) const;
    QColor cacheColour(int id) const;
    double flowRate(const Flow &f) const;
    // Returns the height used. `compact`: the diagram has its cache / queue band and needs the
    // room; the description gets two lines (none in projector mode).
    double drawLesson(QPainter &p, bool compact) const;
    void drawFlow(QPainter &p, const Edge &edge, double rate, double phase, const QPixmap &dot) const;
    // Everything but the dots: redrawn when the snapshot, size, theme or selection changes, not
    // every frame.
    void drawStatic(QPainter &p);
    void invalidate();
    QPixmap makeDot(const QColor &color, double dpr) const;
    double attemptsRate() const;

    std::shared_ptr<const Snapshot> m_snapshot;
    Theme m_theme;
    QString m_lessonTitle, m_lessonText;
    QString m_policy;
    QString m_rateLimit;
    int m_queueLimit = 1;
    int m_partitions = 0; // configured, shown until the engine reports its partitions
    double m_phaseTop = 0, m_phaseCache = 0, m_phaseQueue = 0, m_phaseConsume = 0;
    QHash<int, double> m_phaseIn, m_phaseOut; // by node id
    QList<DrawnNode> m_drawn;
    QList<DrawnCacheNode> m_drawnCache;
    QList<DrawnPartition> m_drawnPartitions;
    QList<DrawnConsumer> m_drawnConsumers;
    QRectF m_cacheRect, m_queueRect;
    QList<Flow> m_flows;
    QPixmap m_layer;
    std::shared_ptr<const Snapshot> m_layerSource;
    bool m_layerValid = false;
    QPixmap m_dotIn, m_dotOut;
    int m_selected = -1;
    int m_selectedCache = -1;
    int m_selectedConsumer = -1;
    quint64 m_frames = 0;
};

} // namespace stampede::ui
