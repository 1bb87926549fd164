#pragma once

// The centre of the window: shoppers ⇒ gateway ⇒ app nodes ⇒ stock store, drawn from the latest
// snapshot. Dots flow along the edges at a density and speed that follow the measured throughput
// (a picture of the flow, never one dot per request). A click selects a node, a right click
// offers to drain or kill it.

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

    explicit TopologyView(QWidget *parent = nullptr);

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

    QSize minimumSizeHint() const override;
    QSize sizeHint() const override;

signals:
    void selectedNodeChanged(int id);
    void removeNodeRequested(int id);
    void killNodeRequested(int id);

protected:
    void paintEvent(QPaintEvent *event) override;
    void resizeEvent(QResizeEvent *event) override;
    void mousePressEvent(QMouseEvent *event) override;
    void contextMenuEvent(QContextMenuEvent *event) override;

private:
    // An S-shaped edge between two boxes.
    struct Edge {
        QPointF a, c1, c2, b;
        Edge() = default;
        Edge(QPointF from, QPointF to);
        QPainterPath path() const;
        QPointF at(double t) const;
    };
    // Dots to move along an edge this frame.
    struct Flow {
        Edge edge;
        int nodeId = -1; // -1: shoppers ⇒ gateway
        bool toStore = false;
    };
    struct Geometry {
        QRectF shoppers, gateway, store;
        QList<QRectF> nodes; // in snapshot order
    };

    Geometry layoutFor(int nodeCount, double lessonHeight) const;
    double storeHeight() const;
    QList<const RowView *> storeRows() const;
    void drawBox(QPainter &p, const QRectF &r, const QColor &border, double borderWidth) const;
    void drawShoppers(QPainter &p, const QRectF &r) const;
    void drawGateway(QPainter &p, const QRectF &r) const;
    void drawNode(QPainter &p, const QRectF &r, const NodeView &n) const;
    void drawFlatNode(QPainter &p, const QRectF &inner, const NodeView &n, const QColor &stateColor) const;
    void drawStore(QPainter &p, const QRectF &r) const;
    double drawLesson(QPainter &p) const; // returns the height used
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
    double m_phaseTop = 0;
    QHash<int, double> m_phaseIn, m_phaseOut; // by node id
    QList<DrawnNode> m_drawn;
    QList<Flow> m_flows;
    QPixmap m_layer;
    std::shared_ptr<const Snapshot> m_layerSource;
    bool m_layerValid = false;
    QPixmap m_dotIn, m_dotOut;
    int m_selected = -1;
    quint64 m_frames = 0;
};

} // namespace stampede::ui
