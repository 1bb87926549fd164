#include "topologyview.h"

#include "format.h"
#include "tiers.h"

#include <QContextMenuEvent>
#include <QMenu>
#include <QMouseEvent>
#include <QPainter>
#include <QPainterPath>
#include <QtMath>

#include <algorithm>
#include <cmath>

using namespace Qt::StringLiterals;

namespace stampede::ui {

namespace {

// Dots on an edge: a few for a trickle, more (up to 18) for a flood; log scale so that 10/s and
// 10 M/s both read.
int dotCount(double rate)
{
    if (!(rate > 0.5))
        return 0;
    return std::clamp(int(std::ceil(2.2 * std::log10(1 + rate))), 1, 18);
}

// Fraction of the edge a dot travels per second.
double dotSpeed(double rate) { return rate > 0.5 ? 0.25 + 0.12 * std::log10(1 + rate) : 0.0; }

QString stateText(NodeState s)
{
    switch (s) {
    case NodeState::Up:
        return u"UP"_s;
    case NodeState::Draining:
        return u"DRAINING"_s;
    case NodeState::Dead:
        return u"DEAD"_s;
    }
    return {};
}

} // namespace

// Dots are placed by the curve parameter rather than by arc length: QPainterPath::pointAtPercent()
// measures the curve on every call, which cost more than the rest of the frame.
TopologyView::Edge::Edge(QPointF from, QPointF to, bool vertical)
    : a(from)
    , c1(from + (vertical ? QPointF(0, (to.y() - from.y()) / 2) : QPointF((to.x() - from.x()) / 2, 0)))
    , c2(to - (vertical ? QPointF(0, (to.y() - from.y()) / 2) : QPointF((to.x() - from.x()) / 2, 0)))
    , b(to)
{
}

QPainterPath TopologyView::Edge::path() const
{
    QPainterPath p(a);
    p.cubicTo(c1, c2, b);
    return p;
}

QPointF TopologyView::Edge::at(double t) const
{
    const double u = 1 - t;
    return u * u * u * a + 3 * u * u * t * c1 + 3 * u * t * t * c2 + t * t * t * b;
}

TopologyView::TopologyView(QWidget *parent)
    : QWidget(parent)
    , m_theme(Theme::make(false, false))
{
    setObjectName(u"topologyView"_s);
    setAttribute(Qt::WA_OpaquePaintEvent);
    setSizePolicy(QSizePolicy::Expanding, QSizePolicy::Expanding);
    setToolTip(u"Click a node, cache node or consumer to choose it as the target of Kill / Remove; "
               "right-click for its menu"_s);
}

// The ring needs nodes to draw; views without a cache tier have nothing to show there.
bool TopologyView::showsCache(const Snapshot &s) { return !s.cache->cacheNodes.empty(); }
bool TopologyView::showsQueue(const Snapshot &s) { return queueInUse(s); }

QSize TopologyView::minimumSizeHint() const { return { 480, 260 }; }
QSize TopologyView::sizeHint() const { return { 900, 460 }; }

void TopologyView::setConfig(const EngineConfig &config)
{
    m_policy = fromStd(toString(config.gateway.policy));
    m_rateLimit = config.gateway.rateLimitPerS ? QString(u"limit "_s + compactRate(*config.gateway.rateLimitPerS))
                                               : u"no rate limit"_s;
    m_queueLimit = std::max(1, config.nodes.queueLimit);
    m_partitions = config.queue.partitions;
    m_phaseIn.clear();
    m_phaseOut.clear();
    setSelectedNode(-1);
    setSelectedCacheNode(-1);
    setSelectedConsumer(-1);
    invalidate();
}

void TopologyView::setLesson(const QString &title, const QString &description)
{
    m_lessonTitle = title;
    m_lessonText = description;
    invalidate();
}

double TopologyView::drawLesson(QPainter &p, bool compact) const
{
    if (m_lessonTitle.isEmpty() && m_lessonText.isEmpty())
        return 0;
    const double s = m_theme.scale;
    // Up to a quarter of the height; on a small view the text is cut rather than the diagram.
    const QRectF box = QRectF(rect()).adjusted(14 * s, 10 * s, -14 * s, 0);
    const QFont title = m_theme.font(m_theme.basePointSize * 1.25, true);
    const QFont body = m_theme.font(m_theme.basePointSize);
    const double titleH = QFontMetricsF(title).height();
    p.setFont(title);
    p.setPen(m_theme.text);
    p.drawText(QRectF(box.left(), box.top(), box.width(), titleH), Qt::AlignLeft | Qt::AlignVCenter,
        QFontMetricsF(title).elidedText(m_lessonTitle, Qt::ElideRight, box.width()));
    p.setFont(body);
    p.setPen(m_theme.mutedText);
    const QFontMetricsF fm(body);
    const double quarter = std::max(0.0, height() / 4.0 - titleH);
    const double maxH = compact ? std::min(quarter, m_theme.projector ? 0.0 : 2 * fm.lineSpacing()) : quarter;
    const QRectF text = fm.boundingRect(QRectF(box.left(), 0, box.width(), 1e6), Qt::TextWordWrap, m_lessonText);
    const double textH = std::min(text.height(), std::floor(maxH / fm.lineSpacing()) * fm.lineSpacing());
    const QRectF textRect(box.left(), box.top() + titleH + 2 * s, box.width(), textH);
    p.save();
    p.setClipRect(textRect);
    p.drawText(textRect, Qt::TextWordWrap, m_lessonText);
    p.restore();
    return titleH + 2 * s + textH + 6 * s;
}

void TopologyView::setSnapshot(std::shared_ptr<const Snapshot> snapshot)
{
    m_snapshot = std::move(snapshot);
    if (!m_snapshot)
        return;
    auto present = [](const auto &list, int id) {
        return std::any_of(list.begin(), list.end(), [id](const auto &v) { return v.id == id; });
    };
    if (m_selected >= 0 && !present(m_snapshot->app->nodes, m_selected))
        setSelectedNode(-1);
    if (m_selectedCache >= 0 && !present(m_snapshot->cache->cacheNodes, m_selectedCache))
        setSelectedCacheNode(-1);
    if (m_selectedConsumer >= 0 && !present(m_snapshot->queue->consumers, m_selectedConsumer))
        setSelectedConsumer(-1);
}

void TopologyView::setSelectedCacheNode(int id)
{
    if (id == m_selectedCache)
        return;
    m_selectedCache = id;
    invalidate();
    emit selectedCacheNodeChanged(id);
}

void TopologyView::setSelectedConsumer(int id)
{
    if (id == m_selectedConsumer)
        return;
    m_selectedConsumer = id;
    invalidate();
    emit selectedConsumerChanged(id);
}

void TopologyView::setSelectedNode(int id)
{
    if (id == m_selected)
        return;
    m_selected = id;
    invalidate();
    emit selectedNodeChanged(id);
}

double TopologyView::attemptsRate() const
{
    if (!m_snapshot || m_snapshot->recent.empty())
        return 0;
    return m_snapshot->recent.back().attempts;
}

void TopologyView::advance(double seconds)
{
    if (!m_snapshot)
        return;
    auto step = [seconds](double phase, double rate) { return std::fmod(phase + seconds * dotSpeed(rate), 1.0); };
    m_phaseTop = step(m_phaseTop, attemptsRate());
    for (const NodeView &n : m_snapshot->app->nodes) {
        m_phaseIn[n.id] = step(m_phaseIn.value(n.id), n.throughput);
        m_phaseOut[n.id] = step(m_phaseOut.value(n.id), n.throughput);
    }
    m_phaseCache = step(m_phaseCache, flowRate(Flow { {}, FlowKind::ToCache }));
    m_phaseQueue = step(m_phaseQueue, flowRate(Flow { {}, FlowKind::ToQueue }));
    m_phaseConsume = step(m_phaseConsume, flowRate(Flow { {}, FlowKind::ToStore }));
}

double TopologyView::flowRate(const Flow &f) const
{
    if (!m_snapshot)
        return 0;
    const Snapshot &snap = *m_snapshot;
    const TickSample last = snap.recent.empty() ? TickSample {} : snap.recent.back();
    switch (f.kind) {
    case FlowKind::Arrivals:
        return attemptsRate();
    case FlowKind::NodeIn:
    case FlowKind::NodeOut:
        for (const NodeView &v : snap.app->nodes)
            if (v.id == f.nodeId && v.state != NodeState::Dead)
                return v.throughput;
        return 0;
    case FlowKind::ToCache: {
        double ops = 0;
        for (const CacheNodeView &c : snap.cache->cacheNodes)
            if (c.state != NodeState::Dead)
                ops += c.ops;
        return ops;
    }
    case FlowKind::ToQueue:
        return last.queue->enqueued;
    case FlowKind::ToStore:
        return last.queue->dequeued;
    }
    return 0;
}

void TopologyView::applyTheme(const Theme &theme)
{
    m_theme = theme;
    m_dotIn = m_dotOut = QPixmap();
    invalidate();
}

TopologyView::Geometry TopologyView::layoutFor(int nodeCount, double lessonHeight, bool cache, bool queue) const
{
    const double s = m_theme.scale;
    const QRectF full = QRectF(rect()).adjusted(12 * s, lessonHeight + 12 * s, -12 * s, -12 * s);
    // The cache ring and the queue take a band under the flash-sale row, as in the design sketch.
    const bool band = cache || queue;
    const double bandGap = (m_theme.projector ? 26 : 40) * s;
    const double bandH = band ? std::floor(full.height() * 0.5) : 0.0;
    const QRectF area = band ? QRectF(full.left(), full.top(), full.width(), full.height() - bandH - bandGap) : full;
    const double w = area.width(), h = area.height();

    // Widths from what the boxes must show; when the view is narrow the gaps give way first,
    // then the side boxes and the store down to their text, so that boxes never overlap.
    const QFontMetricsF title(m_theme.font(m_theme.basePointSize * 1.1, true));
    const double sideMin = title.horizontalAdvance(u"Shoppers"_s) + 24 * s;
    const double storeMin = QFontMetricsF(m_theme.font(m_theme.basePointSize * 0.95))
                                .horizontalAdvance(u"lock wait 000 ms · hold 0.00 ms"_s)
            * 0.75
        + 24 * s;
    const double nodesMin = 110 * s;
    double sideW = std::max(sideMin, std::clamp(0.15 * w, 100.0 * s, 190.0 * s));
    double storeW = std::max(storeMin, std::clamp(0.27 * w, 190.0 * s, 340.0 * s));
    double gap = std::clamp(0.07 * w, 36.0 * s, 110.0 * s);
    auto excess = [&] { return 2 * sideW + 2.8 * gap + storeW + nodesMin - w; };
    if (excess() > 0)
        gap = std::max(14 * s, gap - excess() / 2.8);
    if (excess() > 0)
        sideW = std::max(sideMin, sideW - excess() / 3);
    if (excess() > 0)
        storeW = std::max(storeMin, storeW - excess());
    const double boxH = std::min(h, 110.0 * s);

    Geometry g;
    g.shoppers = QRectF(area.left(), area.center().y() - boxH / 2, sideW, boxH);
    g.gateway = QRectF(g.shoppers.right() + gap * 0.8, g.shoppers.top(), sideW, boxH);
    g.store = QRectF(area.right() - storeW, area.top(), storeW, std::min(h, storeHeight()));
    g.store.moveTop(area.center().y() - g.store.height() / 2);

    const QRectF nodesArea(
        g.gateway.right() + gap, area.top(), std::max(40.0, g.store.left() - gap - g.gateway.right() - gap), h);
    const int n = std::max(nodeCount, 1);
    const double spacing = 8 * s, minH = 44 * s, prefH = 76 * s;
    int columns = 1;
    while (columns < n && std::ceil(double(n) / columns) * (minH + spacing) - spacing > nodesArea.height())
        ++columns;
    // Columns too narrow for a name and a rate are worse than flatter boxes (one line each).
    while (columns > 1 && (nodesArea.width() - (columns - 1) * spacing) / columns < 120 * s)
        --columns;
    const int rows = int(std::ceil(double(n) / columns));
    const double cellH = std::min(prefH, (nodesArea.height() - (rows - 1) * spacing) / rows);
    const double cellW = (nodesArea.width() - (columns - 1) * spacing) / columns;
    const double blockH = rows * cellH + (rows - 1) * spacing;
    const double top = nodesArea.center().y() - blockH / 2;
    for (int i = 0; i < nodeCount; ++i) {
        const int c = i / rows, r = i % rows;
        g.nodes << QRectF(nodesArea.left() + c * (cellW + spacing), top + r * (cellH + spacing), cellW, cellH);
    }
    g.nodesBlock = QRectF(nodesArea.left(), top, nodesArea.width(), blockH);
    if (!band)
        return g;

    const QRectF b(full.left(), full.bottom() - bandH, full.width(), bandH);
    const double between = 16 * s;
    if (cache && queue) {
        const double cw = std::floor((b.width() - between) * 0.5);
        g.cache = QRectF(b.left(), b.top(), cw, b.height());
        g.queue = QRectF(g.cache.right() + between, b.top(), b.right() - g.cache.right() - between, b.height());
    } else if (cache) {
        const double cw = std::min(b.width(), 760 * s);
        const double left = std::clamp(g.nodesBlock.center().x() - cw / 2, b.left(), b.right() - cw);
        g.cache = QRectF(left, b.top(), cw, b.height());
    } else {
        const double qw = std::min(b.width(), 760 * s);
        g.queue = QRectF(b.right() - qw, b.top(), qw, b.height());
    }
    return g;
}

double TopologyView::storeHeight() const
{
    const double s = m_theme.scale;
    const double titleH = QFontMetricsF(m_theme.font(m_theme.basePointSize * 1.1, true)).height();
    const double bodyH = QFontMetricsF(m_theme.font(m_theme.basePointSize * 0.95)).height();
    const double rowH = QFontMetricsF(m_theme.font(m_theme.basePointSize * 1.25, true)).height() + 8 * s;
    return 20 * s + titleH + 2 * s + 2 * bodyH + 6 * s + std::max<qsizetype>(1, storeRows().size()) * rowH + 4 * s;
}

QList<const RowView *> TopologyView::storeRows() const
{
    // Rows that matter: bucket 0 always, others when they hold stock or are contended.
    QList<const RowView *> rows;
    if (m_snapshot)
        for (const RowView &row : m_snapshot->store->hotRows)
            if (row.bucket == 0 || row.stock != 0 || row.locked || row.waiters > 0)
                rows << &row;
    return rows;
}

void TopologyView::drawBox(QPainter &p, const QRectF &r, const QColor &border, double borderWidth) const
{
    p.setPen(QPen(border, borderWidth));
    p.setBrush(m_theme.surface);
    p.drawRoundedRect(r, 8 * m_theme.scale, 8 * m_theme.scale);
}

void TopologyView::invalidate()
{
    m_layerValid = false;
    update();
}

void TopologyView::resizeEvent(QResizeEvent *event)
{
    QWidget::resizeEvent(event);
    invalidate();
}

QPixmap TopologyView::makeDot(const QColor &color, double dpr) const
{
    const double r = 3.5 * m_theme.scale;
    const int side = int(std::ceil(2 * r + 2));
    QPixmap dot(QSize(side, side) * dpr);
    dot.setDevicePixelRatio(dpr);
    dot.fill(Qt::transparent);
    QPainter p(&dot);
    p.setRenderHint(QPainter::Antialiasing);
    p.setPen(Qt::NoPen);
    p.setBrush(color);
    p.drawEllipse(QPointF(side / 2.0, side / 2.0), r, r);
    return dot;
}

void TopologyView::paintEvent(QPaintEvent *)
{
    ++m_frames;
    QPainter p(this);
    const double dpr = p.device()->devicePixelRatioF();
    if (dpr != devicePixelRatioF()) {
        // rendered for an export at another pixel ratio: draw everything directly, sharp
        p.setRenderHint(QPainter::Antialiasing);
        drawStatic(p);
        m_dotIn = makeDot(m_theme.flow, dpr);
        m_dotOut = makeDot(m_theme.succeeded, dpr);
        m_layerValid = false;
    } else {
        if (!m_layerValid || m_layerSource != m_snapshot || m_layer.size() != size() * dpr) {
            m_layer = QPixmap(size() * dpr);
            m_layer.setDevicePixelRatio(dpr);
            QPainter lp(&m_layer);
            lp.setRenderHint(QPainter::Antialiasing);
            drawStatic(lp);
            m_layerSource = m_snapshot;
            m_layerValid = true;
            if (m_dotIn.isNull() || m_dotIn.devicePixelRatio() != dpr) {
                m_dotIn = makeDot(m_theme.flow, dpr);
                m_dotOut = makeDot(m_theme.succeeded, dpr);
            }
        }
        p.drawPixmap(0, 0, m_layer);
    }
    if (!m_snapshot)
        return;
    for (const Flow &f : std::as_const(m_flows)) {
        double phase = 0;
        switch (f.kind) {
        case FlowKind::Arrivals:
            phase = m_phaseTop;
            break;
        case FlowKind::NodeIn:
            phase = m_phaseIn.value(f.nodeId);
            break;
        case FlowKind::NodeOut:
            phase = m_phaseOut.value(f.nodeId);
            break;
        case FlowKind::ToCache:
            phase = m_phaseCache;
            break;
        case FlowKind::ToQueue:
            phase = m_phaseQueue;
            break;
        case FlowKind::ToStore:
            phase = m_phaseConsume;
            break;
        }
        const bool out = f.kind == FlowKind::NodeOut || f.kind == FlowKind::ToStore;
        drawFlow(p, f.edge, flowRate(f), phase, out ? m_dotOut : m_dotIn);
    }
}

void TopologyView::drawStatic(QPainter &p)
{
    p.fillRect(rect(), m_theme.window);
    m_drawn.clear();
    m_drawnCache.clear();
    m_drawnPartitions.clear();
    m_drawnConsumers.clear();
    m_cacheRect = m_queueRect = QRectF();
    m_flows.clear();
    if (!m_snapshot) {
        p.setPen(m_theme.mutedText);
        p.drawText(rect(), Qt::AlignCenter, u"No scenario loaded"_s);
        return;
    }
    const Snapshot &snap = *m_snapshot;
    const bool cache = showsCache(snap), queue = showsQueue(snap);
    const Geometry g = layoutFor(int(snap.app->nodes.size()), drawLesson(p, cache || queue), cache, queue);
    const double s = m_theme.scale;
    // cache-queue: a purchase takes its unit in the cache and leaves an order on the queue; app
    // nodes do not write the store, the consumers do
    const bool viaQueue = snap.store->strategy == Strategy::CacheQueue;

    // edges first, boxes on top
    const QPen edgePen(m_theme.grid.darker(m_theme.dark ? 70 : 115), 2 * s);
    QPen deadPen(m_theme.dead, 1.5 * s, Qt::DashLine);
    deadPen.setColor(QColor(m_theme.dead.red(), m_theme.dead.green(), m_theme.dead.blue(), 120));
    p.setBrush(Qt::NoBrush);
    const Edge top({ g.shoppers.right(), g.shoppers.center().y() }, { g.gateway.left(), g.gateway.center().y() });
    QPen idlePen(m_theme.grid, 1.2 * s, Qt::DashLine);
    p.setPen(edgePen);
    p.drawPath(top.path());
    m_flows << Flow { top, FlowKind::Arrivals };
    const int n = int(snap.app->nodes.size());
    for (int i = 0; i < n; ++i) {
        const NodeView &v = snap.app->nodes[std::size_t(i)];
        const QRectF &r = g.nodes[i];
        const double storeY = g.store.top() + g.store.height() * (0.3 + 0.4 * (n > 1 ? double(i) / (n - 1) : 0.5));
        const Edge in({ g.gateway.right(), g.gateway.center().y() }, { r.left(), r.center().y() });
        const Edge out({ r.right(), r.center().y() }, { g.store.left(), storeY });
        p.setPen(v.state == NodeState::Dead ? deadPen : edgePen);
        p.drawPath(in.path());
        if (v.state != NodeState::Dead)
            m_flows << Flow { in, FlowKind::NodeIn, v.id };
        p.setPen(v.state == NodeState::Dead ? deadPen : viaQueue ? idlePen : edgePen);
        p.drawPath(out.path());
        if (v.state != NodeState::Dead && !viaQueue)
            m_flows << Flow { out, FlowKind::NodeOut, v.id };
    }

    // the band: nodes ⇓ cache ring, nodes ⇓ queue ⇒ store
    const QFont edgeFont = m_theme.font(m_theme.basePointSize * 0.85);
    auto bandEdge = [&](const Edge &e, FlowKind kind, const QString &label, bool labelLeft) {
        p.setPen(edgePen);
        p.setBrush(Qt::NoBrush);
        p.drawPath(e.path());
        // arrowhead along the edge's last tangent
        const QPointF dir = e.b - e.c2;
        const double len = std::hypot(dir.x(), dir.y());
        if (len > 0) {
            const QPointF u = dir / len, normal(-u.y(), u.x());
            const double a = 9 * s;
            QPolygonF head;
            head << e.b << e.b - u * a + normal * a * 0.55 << e.b - u * a - normal * a * 0.55;
            p.setPen(Qt::NoPen);
            p.setBrush(edgePen.color());
            p.drawPolygon(head);
        }
        p.setFont(edgeFont);
        p.setPen(m_theme.mutedText);
        const QPointF mid = e.at(0.5);
        const QRectF box = labelLeft ? QRectF(mid.x() - 208 * s, mid.y() - 10 * s, 200 * s, 20 * s)
                                     : QRectF(mid.x() + 8 * s, mid.y() - 10 * s, 200 * s, 20 * s);
        p.drawText(box, (labelLeft ? Qt::AlignRight : Qt::AlignLeft) | Qt::AlignVCenter, label);
        m_flows << Flow { e, kind };
    };
    // down from the nodes into each panel, as straight as the panels allow
    const double fromY = g.nodesBlock.bottom() + 2 * s;
    const double spread = cache && queue ? g.nodesBlock.width() * 0.2 : 0.0;
    auto into = [s](const QRectF &panel, double x) {
        return std::clamp(x, panel.left() + 40 * s, std::max(panel.left() + 40 * s, panel.right() - 40 * s));
    };
    const double consumersX = g.queue.left() + g.queue.width() * 0.78;
    if (cache) {
        const double x = g.nodesBlock.center().x() - spread;
        bandEdge(Edge({ x, fromY }, { into(g.cache, x), g.cache.top() }, true), FlowKind::ToCache,
            viaQueue ? u"take a unit"_s : u"read"_s, true);
    }
    if (queue) {
        const double x = g.nodesBlock.center().x() + spread;
        bandEdge(Edge({ x, fromY }, { into(g.queue, std::min(x, consumersX - 60 * s)), g.queue.top() }, true),
            FlowKind::ToQueue, u"orders"_s, false);
        bandEdge(Edge({ consumersX, g.queue.top() }, { g.store.center().x(), g.store.bottom() + 2 * s }, true),
            FlowKind::ToStore, u"persist"_s, false);
    }

    drawShoppers(p, g.shoppers);
    drawGateway(p, g.gateway);
    for (int i = 0; i < n; ++i) {
        const NodeView &v = snap.app->nodes[std::size_t(i)];
        drawNode(p, g.nodes[i], v);
        m_drawn << DrawnNode { v.id, v.state, g.nodes[i] };
    }
    drawStore(p, g.store);
    if (cache) {
        m_cacheRect = g.cache;
        drawCacheTier(p, g.cache);
    }
    if (queue) {
        m_queueRect = g.queue;
        drawQueue(p, g.queue);
    }
}

void TopologyView::drawFlow(QPainter &p, const Edge &edge, double rate, double phase, const QPixmap &dot) const
{
    const int count = dotCount(rate);
    if (!count)
        return;
    const QPointF offset(dot.width() / dot.devicePixelRatio() / 2, dot.height() / dot.devicePixelRatio() / 2);
    for (int k = 0; k < count; ++k) {
        const double t = std::fmod(phase + double(k) / count, 1.0);
        p.drawPixmap(edge.at(t) - offset, dot);
    }
}

void TopologyView::drawShoppers(QPainter &p, const QRectF &r) const
{
    const Snapshot &snap = *m_snapshot;
    const double s = m_theme.scale;
    drawBox(p, r, m_theme.border, 1.5 * s);
    const QRectF inner = r.adjusted(10 * s, 8 * s, -10 * s, -8 * s);
    p.setPen(m_theme.text);
    p.setFont(m_theme.font(m_theme.basePointSize * 1.1, true));
    p.drawText(inner, Qt::AlignLeft | Qt::AlignTop, u"Shoppers"_s);
    p.setFont(m_theme.font(m_theme.basePointSize * 1.3, true));
    const bool closed = snap.mode == TrafficMode::Closed;
    const QString rate = closed ? u"max"_s : compactRate(snap.ratePerS * snap.spikeFactor);
    p.drawText(inner, Qt::AlignLeft | Qt::AlignVCenter, rate);
    p.setFont(m_theme.font(m_theme.basePointSize * 0.9));
    p.setPen(m_theme.mutedText);
    QString footer = closed ? u"closed loop"_s : u"open loop"_s;
    QColor badge;
    if (snap.paused) {
        footer = u"PAUSED"_s;
        badge = m_theme.draining;
    } else if (snap.spikeFactor > 1.0001) {
        footer = u"SPIKE ×"_s + QString::number(snap.spikeFactor, 'g', 3);
        badge = m_theme.draining;
    }
    if (badge.isValid()) {
        p.setFont(m_theme.font(m_theme.basePointSize * 0.9, true));
        p.setPen(badge);
    }
    p.drawText(inner, Qt::AlignLeft | Qt::AlignBottom, footer);
}

void TopologyView::drawGateway(QPainter &p, const QRectF &r) const
{
    const double s = m_theme.scale;
    drawBox(p, r, m_theme.border, 1.5 * s);
    const QRectF inner = r.adjusted(10 * s, 8 * s, -10 * s, -8 * s);
    p.setPen(m_theme.text);
    p.setFont(m_theme.font(m_theme.basePointSize * 1.1, true));
    p.drawText(inner, Qt::AlignLeft | Qt::AlignTop, u"Gateway"_s);
    p.setFont(m_theme.font(m_theme.basePointSize * 0.95));
    p.drawText(inner, Qt::AlignLeft | Qt::AlignVCenter, m_policy);
    double limited = 0;
    if (!m_snapshot->recent.empty())
        limited = m_snapshot->recent.back().rateLimited;
    if (limited > 0) {
        p.setPen(m_theme.rateLimited);
        p.drawText(inner, Qt::AlignLeft | Qt::AlignBottom, u"rejects "_s + compactRate(limited));
    } else {
        p.setPen(m_theme.mutedText);
        p.drawText(inner, Qt::AlignLeft | Qt::AlignBottom, m_rateLimit);
    }
}

void TopologyView::drawNode(QPainter &p, const QRectF &r, const NodeView &n) const
{
    const double s = m_theme.scale;
    const QColor stateColor = n.state == NodeState::Up ? m_theme.up
        : n.state == NodeState::Draining               ? m_theme.draining
                                                       : m_theme.dead;
    const bool selected = n.id == m_selected;
    drawBox(p, r, selected ? m_theme.accent : m_theme.border, (selected ? 3.5 : 1.5) * s);
    if (n.state == NodeState::Dead) {
        QColor wash = m_theme.alarmBackground;
        p.setPen(Qt::NoPen);
        p.setBrush(wash);
        p.drawRoundedRect(r.adjusted(2 * s, 2 * s, -2 * s, -2 * s), 7 * s, 7 * s);
    }
    // state stripe
    p.setPen(Qt::NoPen);
    p.setBrush(stateColor);
    p.drawRoundedRect(QRectF(r.left() + 2 * s, r.top() + 4 * s, 5 * s, r.height() - 8 * s), 2 * s, 2 * s);

    const QRectF inner = r.adjusted(14 * s, 5 * s, -8 * s, -5 * s);
    if (r.height() < 36 * s) {
        drawFlatNode(p, inner, n, stateColor);
        return;
    }
    const bool tall = r.height() >= 62 * s;
    const double lineH = tall ? inner.height() / 3 : inner.height() / 2;
    const QRectF line1(inner.left(), inner.top(), inner.width(), lineH);
    const QRectF line2(inner.left(), inner.top() + lineH, inner.width(), lineH);
    const QRectF line3(inner.left(), inner.top() + 2 * lineH, inner.width(), lineH);
    const QRectF last = tall ? line3 : line2;

    const QFont name = m_theme.font(m_theme.basePointSize, true);
    const QFont small = m_theme.font(m_theme.basePointSize * 0.85);
    const QFont rateFont = m_theme.font(m_theme.basePointSize * 0.95, true);
    const QFontMetricsF nameMetrics(name), smallMetrics(small);
    // A narrow box keeps what matters: name, load bar, throughput (or DEAD); the stripe and
    // border colour still tell the state.
    const bool wide = inner.width() >= nameMetrics.horizontalAdvance(u"node 00  DRAINING"_s);
    // a dead node says so once: beside its name when there is room, else where its rate was
    const QString rateText = n.state != NodeState::Dead ? compactRate(n.throughput) : wide ? QString() : u"DEAD"_s;
    const QString busyText = QString::number(n.busy) + u'/' + QString::number(n.capacity);

    p.setFont(name);
    p.setPen(m_theme.text);
    const QString label = nameMetrics.horizontalAdvance(u"node 00"_s) <= inner.width()
        ? QString(u"node "_s + QString::number(n.id))
        : QString::number(n.id);
    p.drawText(line1, Qt::AlignLeft | Qt::AlignVCenter, label);
    if (wide) {
        p.setPen(stateColor);
        p.drawText(line1, Qt::AlignRight | Qt::AlignVCenter, stateText(n.state));
    }

    // busy / capacity bar; the numbers beside it when there is room
    const double fraction = n.capacity > 0 ? std::clamp(double(n.busy) / n.capacity, 0.0, 1.0) : 0.0;
    const double barH = std::min(lineH * 0.55, 14 * s);
    const bool barNumbers = tall && wide;
    const double barW = barNumbers ? line2.width() - smallMetrics.horizontalAdvance(u"000/000"_s) - 6 * s
        : tall                     ? line2.width()
                                   : line2.width() - QFontMetricsF(rateFont).horizontalAdvance(rateText) - 8 * s;
    const QRectF bar(line2.left(), line2.center().y() - barH / 2, std::max(10.0, barW), barH);
    p.setPen(Qt::NoPen);
    p.setBrush(m_theme.grid);
    p.drawRoundedRect(bar, 3 * s, 3 * s);
    p.setBrush(fraction < 0.7 ? m_theme.up : fraction < 0.95 ? m_theme.draining : m_theme.dead);
    p.drawRoundedRect(QRectF(bar.topLeft(), QSizeF(bar.width() * fraction, bar.height())), 3 * s, 3 * s);
    p.setFont(small);
    if (barNumbers) {
        p.setPen(m_theme.mutedText);
        p.drawText(line2, Qt::AlignRight | Qt::AlignVCenter, busyText);
    }
    if (tall && wide) {
        p.setPen(n.backlog >= m_queueLimit ? m_theme.dead : n.backlog > 0 ? m_theme.draining : m_theme.mutedText);
        p.drawText(line3, Qt::AlignLeft | Qt::AlignVCenter, u"backlog "_s + groupedNumber(n.backlog));
    }
    p.setFont(rateFont);
    p.setPen(n.state == NodeState::Dead ? m_theme.dead : m_theme.text);
    p.drawText(last, Qt::AlignRight | Qt::AlignVCenter, rateText);
}

void TopologyView::drawFlatNode(QPainter &p, const QRectF &inner, const NodeView &n, const QColor &stateColor) const
{
    // One line: the load as a bar behind "node N ... rate"
    const double s = m_theme.scale;
    const double fraction = n.capacity > 0 ? std::clamp(double(n.busy) / n.capacity, 0.0, 1.0) : 0.0;
    QColor load = fraction < 0.7 ? m_theme.up : fraction < 0.95 ? m_theme.draining : m_theme.dead;
    load.setAlpha(70);
    p.setPen(Qt::NoPen);
    p.setBrush(load);
    p.drawRoundedRect(QRectF(inner.topLeft(), QSizeF(inner.width() * fraction, inner.height())), 3 * s, 3 * s);
    // very flat boxes (many nodes, or a short diagram in projector mode): the text shrinks to fit
    QFont nameFont = m_theme.font(m_theme.basePointSize, true);
    const double fit = std::min(1.0, (inner.height() + 4 * s) / QFontMetricsF(nameFont).height());
    nameFont.setPointSizeF(nameFont.pointSizeF() * fit);
    p.setFont(nameFont);
    p.setPen(n.state == NodeState::Up ? m_theme.text : stateColor);
    p.drawText(inner, Qt::AlignLeft | Qt::AlignVCenter, u"node "_s + QString::number(n.id));
    p.setFont(m_theme.font(m_theme.basePointSize * 0.95 * fit, true));
    p.setPen(n.state == NodeState::Dead ? m_theme.dead : m_theme.text);
    p.drawText(
        inner, Qt::AlignRight | Qt::AlignVCenter, n.state == NodeState::Dead ? u"DEAD"_s : compactRate(n.throughput));
}

void TopologyView::drawStore(QPainter &p, const QRectF &r) const
{
    const Snapshot &snap = *m_snapshot;
    const double s = m_theme.scale;
    drawBox(p, r, m_theme.border, 1.5 * s);
    const QRectF inner = r.adjusted(12 * s, 10 * s, -12 * s, -10 * s);

    const QFont title = m_theme.font(m_theme.basePointSize * 1.1, true);
    const QFont body = m_theme.font(m_theme.basePointSize * 0.95);
    const QFont value = m_theme.font(m_theme.basePointSize * 1.25, true);
    const double titleH = QFontMetricsF(title).height();
    const double bodyH = QFontMetricsF(body).height();
    const double rowH = QFontMetricsF(value).height() + 8 * s;

    double y = inner.top();
    p.setPen(m_theme.text);
    p.setFont(title);
    p.drawText(QRectF(inner.left(), y, inner.width(), titleH), Qt::AlignLeft | Qt::AlignVCenter, u"Stock store"_s);
    y += titleH + 2 * s;

    double lockWait = 0, lockHold = 0;
    if (!snap.recent.empty()) {
        lockWait = snap.recent.back().store->lockWaitMeanMs;
        lockHold = snap.recent.back().store->lockHoldMeanMs;
    }
    p.setFont(body);
    p.setPen(m_theme.mutedText);
    const QFontMetricsF bodyMetrics(body);
    const QString sku
        = u"SKU 0 · hot row"_s + (snap.store->strategy == Strategy::Sharded ? u"s (buckets)"_s : QString());
    p.drawText(QRectF(inner.left(), y, inner.width(), bodyH), Qt::AlignLeft | Qt::AlignVCenter,
        bodyMetrics.elidedText(sku, Qt::ElideRight, inner.width()));
    y += bodyH;
    p.setPen(lockWait > 1 ? m_theme.dead : lockWait > 0.1 ? m_theme.draining : m_theme.mutedText);
    const QString lock = u"lock wait "_s + durationMs(lockWait) + u" · hold "_s + durationMs(lockHold);
    p.drawText(QRectF(inner.left(), y, inner.width(), bodyH), Qt::AlignLeft | Qt::AlignVCenter,
        bodyMetrics.horizontalAdvance(lock) <= inner.width() ? lock : QString(u"lock wait "_s + durationMs(lockWait)));
    y += bodyH + 6 * s;

    const QList<const RowView *> rows = storeRows();
    const int fit = std::max(1, int((inner.bottom() - y) / rowH));
    const int shown = int(std::min<qsizetype>(rows.size(), rows.size() > fit ? fit - 1 : fit));
    for (int i = 0; i < shown; ++i) {
        const RowView &row = *rows[i];
        const QRectF rr(inner.left(), y, inner.width(), rowH - 4 * s);
        p.setPen(Qt::NoPen);
        p.setBrush(row.locked ? m_theme.alarmBackground : m_theme.window);
        p.drawRoundedRect(rr, 5 * s, 5 * s);

        // lock glyph: shackle and body
        const double gh = rr.height() * 0.55, gw = gh * 0.8;
        const QRectF glyph(rr.left() + 8 * s, rr.center().y() - gh / 2 + gh * 0.2, gw, gh * 0.8);
        const QColor lockColor = row.locked ? m_theme.dead : m_theme.mutedText;
        p.setPen(QPen(lockColor, 2 * s));
        p.setBrush(Qt::NoBrush);
        const QRectF shackle(glyph.left() + gw * 0.2, glyph.top() - gh * 0.35, gw * 0.6, gh * 0.7);
        p.drawArc(shackle, 0, 180 * 16);
        p.setPen(Qt::NoPen);
        p.setBrush(lockColor);
        p.drawRoundedRect(QRectF(glyph.left(), glyph.top() + gh * 0.05, gw, gh * 0.6), 2 * s, 2 * s);

        const QRectF text = rr.adjusted(gw + 16 * s, 0, -8 * s, 0);
        // right: who waits for the row; the glyph and the tint already say "locked"
        const QString state = row.waiters > 0 ? QString(QString::number(row.waiters) + u" waiting"_s)
            : row.locked                      ? u"locked"_s
                                              : u"free"_s;
        p.setFont(body);
        p.setPen(row.waiters > 0 ? m_theme.draining : row.locked ? m_theme.dead : m_theme.mutedText);
        p.drawText(text, Qt::AlignRight | Qt::AlignVCenter, state);
        // left: the row, then its stock, in whatever room is left
        // the row's name only when its stock still fits beside it
        const QString full = u"row "_s + QString::number(row.bucket);
        const bool named = bodyMetrics.horizontalAdvance(full + state)
                + QFontMetricsF(value).horizontalAdvance(groupedNumber(row.stock)) + 24 * s
            <= text.width();
        const QString label = named ? full : QString();
        const double labelW = named ? bodyMetrics.horizontalAdvance(label) + 8 * s : 0.0;
        const QRectF valueRect = text.adjusted(labelW, 0, -(bodyMetrics.horizontalAdvance(state) + 8 * s), 0);
        p.setPen(m_theme.mutedText);
        p.drawText(text, Qt::AlignLeft | Qt::AlignVCenter, label);
        p.setFont(value);
        p.setPen(row.stock < 0 ? m_theme.dead : m_theme.text);
        QString stock = groupedNumber(row.stock);
        if (QFontMetricsF(value).horizontalAdvance(stock) > valueRect.width())
            stock = compactNumber(double(row.stock));
        p.drawText(valueRect, Qt::AlignLeft | Qt::AlignVCenter, stock);
        y += rowH;
    }
    if (shown < rows.size()) {
        p.setFont(body);
        p.setPen(m_theme.mutedText);
        p.drawText(QRectF(inner.left(), y, inner.width(), bodyH), Qt::AlignLeft | Qt::AlignVCenter,
            u"+ "_s + QString::number(rows.size() - shown) + u" more rows"_s);
    }
}

QColor TopologyView::cacheColour(int id) const
{
    const QList<QColor> &colours = m_theme.cacheNodes;
    return colours.isEmpty() ? m_theme.accent : colours[std::abs(id) % colours.size()];
}

double TopologyView::drawPanelHeader(
    QPainter &p, const QRectF &inner, const QString &title, const QStringList &values, const QColor &valueColour) const
{
    const QFont titleFont = m_theme.font(m_theme.basePointSize * 1.1, true);
    const QFont valueFont = m_theme.font(m_theme.basePointSize * 1.3, true);
    const QFontMetricsF titleMetrics(titleFont), valueMetrics(valueFont);
    const double h = std::max(titleMetrics.height(), valueMetrics.height());
    const QRectF line(inner.left(), inner.top(), inner.width(), h);
    p.setFont(titleFont);
    p.setPen(m_theme.text);
    p.drawText(line, Qt::AlignLeft | Qt::AlignVCenter, title);
    const QRectF valueRect = line.adjusted(titleMetrics.horizontalAdvance(title) + 12 * m_theme.scale, 0, 0, 0);
    QString value = values.isEmpty() ? QString() : values.last();
    for (const QString &v : values)
        if (valueMetrics.horizontalAdvance(v) <= valueRect.width()) {
            value = v;
            break;
        }
    p.setFont(valueFont);
    p.setPen(valueColour);
    p.drawText(valueRect, Qt::AlignRight | Qt::AlignVCenter,
        valueMetrics.elidedText(value, Qt::ElideRight, std::max(0.0, valueRect.width())));
    return h;
}

void TopologyView::drawCacheTier(QPainter &p, const QRectF &r)
{
    const Snapshot &snap = *m_snapshot;
    const double s = m_theme.scale;
    const TickSample last = snap.recent.empty() ? TickSample {} : snap.recent.back();
    drawBox(p, r, m_theme.border, 1.5 * s);
    const QRectF inner = r.adjusted(12 * s, 8 * s, -12 * s, -8 * s);

    // header: the hit ratio of the last tick, the number the lesson turns on
    const bool reads = last.cache->viewHits + last.cache->viewMisses > 0;
    const QColor hitColour = !reads   ? m_theme.mutedText
        : last.cache->hitRatio >= 0.9 ? m_theme.up
        : last.cache->hitRatio >= 0.6 ? m_theme.draining
                                      : m_theme.dead;
    double y = inner.top()
        + drawPanelHeader(p, inner, u"Cache tier"_s,
            reads ? QStringList { u"hit "_s + percentText(last.cache->hitRatio), percentText(last.cache->hitRatio) }
                  : QStringList { u"no reads"_s },
            hitColour);

    // settings on the left, store reads on the right: a stampede shows there first
    const QFont body = m_theme.font(m_theme.basePointSize * 0.9);
    const QFontMetricsF bm(body);
    const int up = int(std::count_if(snap.cache->cacheNodes.begin(), snap.cache->cacheNodes.end(),
        [](const CacheNodeView &c) { return c.state != NodeState::Dead; }));
    QStringList settings;
    settings << (snap.cache->placement == Placement::Ring ? u"hash ring"_s
                                                          : QString(u"modulo "_s + QString::number(up)));
    if (snap.cache->singleFlight)
        settings << u"single-flight"_s;
    if (snap.cache->ttlJitter > 0)
        settings << u"TTL ±"_s + percentText(snap.cache->ttlJitter);
    const QString storeReads = u"store reads "_s + compactRate(last.cache->storeReads);
    const double readsW = bm.horizontalAdvance(storeReads);
    const QRectF line(inner.left(), y + 2 * s, inner.width(), bm.height());
    p.setFont(body);
    p.setPen(m_theme.mutedText);
    p.drawText(line.adjusted(0, 0, -(readsW + 10 * s), 0), Qt::AlignLeft | Qt::AlignVCenter,
        bm.elidedText(settings.join(u" · "_s), Qt::ElideRight, std::max(0.0, line.width() - readsW - 10 * s)));
    p.setPen(last.cache->storeReads > 0 ? m_theme.text : m_theme.mutedText);
    p.drawText(line, Qt::AlignRight | Qt::AlignVCenter, storeReads);
    y = line.bottom();
    if (snap.cache->counterReloading) {
        const QRectF warn(inner.left(), y, inner.width(), bm.height());
        p.setFont(m_theme.font(m_theme.basePointSize * 0.9, true));
        p.setPen(m_theme.draining);
        p.drawText(warn, Qt::AlignLeft | Qt::AlignVCenter,
            bm.elidedText(
                u"stock counter lost: waiting for the queue, then reloading"_s, Qt::ElideRight, warn.width()));
        y = warn.bottom();
    }
    const QRectF area(inner.left(), y + 6 * s, inner.width(), std::max(0.0, inner.bottom() - y - 6 * s));

    // arcs clockwise from the top, in snapshot order, each as wide as the node's share of keys
    struct Item {
        const CacheNodeView *view;
        double start, span, mid;
    };
    QList<Item> items;
    double total = 0;
    for (const CacheNodeView &c : snap.cache->cacheNodes)
        total += c.state == NodeState::Dead ? 0.0 : std::max(0.0, c.share);
    const double norm = total > 1.0 ? total : 1.0;
    double at = 0;
    for (const CacheNodeView &c : snap.cache->cacheNodes) {
        const double span = c.state == NodeState::Dead ? 0.0 : std::max(0.0, c.share) / norm * 360.0;
        items << Item { &c, at, span, at + span / 2 };
        at += span;
    }
    // cards beside the ring: right column for arcs on the right half, left for the others
    QList<const Item *> right, left;
    for (const Item &it : std::as_const(items))
        (it.mid < 180 ? right : left) << &it;
    std::sort(right.begin(), right.end(), [](const Item *a, const Item *b) { return a->mid < b->mid; });
    std::sort(left.begin(), left.end(), [](const Item *a, const Item *b) { return a->mid > b->mid; });

    const double gap = 16 * s, spacing = 6 * s;
    // the ring a third of the width at most, the cards what is left (their text matters more)
    double diameter = std::min(area.height(), area.width() * 0.32);
    double cardW = std::min(210 * s, (area.width() - diameter) / 2 - gap);
    if (cardW < 70 * s) {
        cardW = std::max(40 * s, (area.width() - 40 * s) / 2 - gap);
        diameter = std::max(10 * s, std::min(area.height(), area.width() - 2 * (cardW + gap)));
    }
    const QPointF c = area.center();
    const double R = diameter / 2, ri = R * 0.58;
    const QRectF outer(c.x() - R, c.y() - R, 2 * R, 2 * R), hole(c.x() - ri, c.y() - ri, 2 * ri, 2 * ri);
    auto onRing = [&](double deg, double radius) {
        const double a = qDegreesToRadians(deg);
        return QPointF(c.x() + radius * std::sin(a), c.y() - radius * std::cos(a));
    };

    // the ring: free space grey, then each node's arc
    p.setPen(Qt::NoPen);
    p.setBrush(m_theme.grid);
    QPainterPath ring;
    ring.addEllipse(outer);
    ring.addEllipse(hole);
    p.drawPath(ring);
    for (const Item &it : std::as_const(items)) {
        if (it.span <= 0)
            continue;
        QPainterPath arc;
        const double qtStart = 90 - it.start; // Qt: degrees counter-clockwise from three o'clock
        arc.arcMoveTo(outer, qtStart);
        arc.arcTo(outer, qtStart, -it.span);
        arc.arcTo(hole, qtStart - it.span, it.span);
        arc.closeSubpath();
        const bool selected = it.view->id == m_selectedCache;
        p.setPen(QPen(selected ? m_theme.accent : m_theme.surface, (selected ? 3 : 1.5) * s));
        p.setBrush(cacheColour(it.view->id));
        p.drawPath(arc);
    }
    // in the hole: the hashing, and what the last change cost
    if (ri > 18 * s) {
        const QFont big = m_theme.font(m_theme.basePointSize * (ri > 45 * s ? 1.1 : 0.9), true);
        const QFont small = m_theme.font(m_theme.basePointSize * 0.8);
        const QString mode = snap.cache->placement == Placement::Ring ? u"ring"_s : u"mod "_s + QString::number(up);
        const bool moved = snap.cache->cacheChanges > 0;
        const double bh = QFontMetricsF(big).height(), sh = moved ? QFontMetricsF(small).height() : 0.0;
        p.setFont(big);
        p.setPen(m_theme.text);
        p.drawText(QRectF(c.x() - ri, c.y() - (bh + sh) / 2, 2 * ri, bh), Qt::AlignCenter, mode);
        if (moved && ri > 30 * s) {
            p.setFont(small);
            p.setPen(m_theme.mutedText);
            p.drawText(QRectF(c.x() - ri, c.y() - (bh + sh) / 2 + bh, 2 * ri, sh), Qt::AlignCenter,
                percentText(snap.cache->keysMovedLast) + u" moved"_s);
        }
    }

    // the cards, each tied to its arc by a line
    auto column = [&](const QList<const Item *> &list, bool onRight) {
        const int k = int(list.size());
        if (!k)
            return;
        const double cardH = std::min(62 * s, (area.height() - (k - 1) * spacing) / k);
        const double blockH = k * cardH + (k - 1) * spacing;
        const double x = onRight ? c.x() + R + gap : c.x() - R - gap - cardW;
        double top = c.y() - blockH / 2;
        for (const Item *it : list) {
            const QRectF card(x, top, cardW, cardH);
            const CacheNodeView &v = *it->view;
            const QColor colour = cacheColour(v.id);
            const bool dead = v.state == NodeState::Dead;
            QPen leader(dead ? m_theme.dead : colour, 1.5 * s, dead ? Qt::DashLine : Qt::SolidLine);
            p.setPen(leader);
            p.setBrush(Qt::NoBrush);
            const QPointF from(onRight ? card.left() : card.right(), card.center().y());
            p.drawLine(from, onRing(it->mid, R + 1 * s));
            drawCacheCard(p, card, v, colour);
            m_drawnCache << DrawnCacheNode { v.id, v.state, card, it->start, it->span };
            top += cardH + spacing;
        }
    };
    column(right, true);
    column(left, false);
}

void TopologyView::drawCacheCard(QPainter &p, const QRectF &r, const CacheNodeView &v, const QColor &colour) const
{
    const double s = m_theme.scale;
    const bool dead = v.state == NodeState::Dead;
    const bool selected = v.id == m_selectedCache;
    drawBox(p, r, selected ? m_theme.accent : m_theme.border, (selected ? 3.5 : 1.5) * s);
    if (dead) {
        p.setPen(Qt::NoPen);
        p.setBrush(m_theme.alarmBackground);
        p.drawRoundedRect(r.adjusted(2 * s, 2 * s, -2 * s, -2 * s), 7 * s, 7 * s);
    }
    // the stripe carries the node's ring colour (red when dead)
    p.setPen(Qt::NoPen);
    p.setBrush(dead ? m_theme.dead : colour);
    p.drawRoundedRect(QRectF(r.left() + 2 * s, r.top() + 4 * s, 6 * s, r.height() - 8 * s), 2 * s, 2 * s);

    const QRectF inner = r.adjusted(14 * s, 3 * s, -8 * s, -3 * s);
    const QFont name = m_theme.font(m_theme.basePointSize, true);
    const QFont small = m_theme.font(m_theme.basePointSize * 0.85);
    const QFontMetricsF nm(name), sm(small);
    const QString label = nm.horizontalAdvance(u"cache 00  DEAD"_s) <= inner.width()
        ? QString(u"cache "_s + QString::number(v.id))
        : QString(u'c' + QString::number(v.id));
    const QString state = dead ? u"DEAD"_s : u"UP"_s;
    const QColor stateColour = dead ? m_theme.dead : m_theme.up;
    const QString share = percentText(v.share);
    const QString keys = compactNumber(double(v.keys)) + u" keys"_s;
    const QString ops = compactRate(v.ops);

    const int lines = r.height() >= 58 * s ? 3 : r.height() >= 38 * s ? 2 : 1;
    const double lineH = inner.height() / lines;
    auto lineRect = [&](int i) { return QRectF(inner.left(), inner.top() + i * lineH, inner.width(), lineH); };
    p.setFont(name);
    p.setPen(m_theme.text);
    p.drawText(lineRect(0), Qt::AlignLeft | Qt::AlignVCenter, label);
    // cache-queue: the node holding SKU 0's stock counter wears a tag (the lesson kills it); the tag
    // goes beside the name, or instead of the text on the right when there is no room for both
    const QString right = lines == 1 ? (dead ? state : share) : state;
    bool roomForRight = nm.horizontalAdvance(label + u"  "_s + right) <= inner.width();
    if (m_snapshot && m_snapshot->cache->counterNode == v.id) {
        const QFont tagFont = m_theme.font(m_theme.basePointSize * 0.7, true);
        const QString tag = u"STOCK"_s;
        const double tagW = QFontMetricsF(tagFont).horizontalAdvance(tag) + 10 * s;
        const double tagH = std::min(lineH - 2 * s, QFontMetricsF(tagFont).height() + 2 * s);
        const double labelW = nm.horizontalAdvance(label) + 6 * s;
        roomForRight = labelW + tagW + 6 * s + nm.horizontalAdvance(right) <= inner.width();
        const double x = roomForRight ? inner.left() + labelW : inner.right() - tagW;
        if (x >= inner.left() + labelW - 1) {
            const QRectF box(x, lineRect(0).center().y() - tagH / 2, tagW, tagH);
            p.setPen(Qt::NoPen);
            p.setBrush(m_theme.accent);
            p.drawRoundedRect(box, 3 * s, 3 * s);
            p.setFont(tagFont);
            p.setPen(QColor(Qt::white));
            p.drawText(box, Qt::AlignCenter, tag);
            p.setFont(name);
        }
    }
    if (lines == 1) {
        // the value only where it fits beside the name; the stripe still tells a dead node
        if (roomForRight) {
            p.setPen(dead ? m_theme.dead : m_theme.text);
            p.drawText(lineRect(0), Qt::AlignRight | Qt::AlignVCenter, right);
        }
        return;
    }
    if (roomForRight) {
        p.setPen(stateColour);
        p.drawText(lineRect(0), Qt::AlignRight | Qt::AlignVCenter, state);
    }
    p.setFont(small);
    p.setPen(m_theme.mutedText);
    if (lines == 2) {
        const QString text = dead ? keys : QString(share + u" · "_s + ops);
        p.drawText(lineRect(1), Qt::AlignLeft | Qt::AlignVCenter, sm.elidedText(text, Qt::ElideRight, inner.width()));
        return;
    }
    p.drawText(lineRect(1), Qt::AlignLeft | Qt::AlignVCenter,
        sm.elidedText(share + u" · "_s + keys, Qt::ElideRight, inner.width()));
    p.setPen(dead ? m_theme.mutedText : m_theme.text);
    p.drawText(lineRect(2), Qt::AlignLeft | Qt::AlignVCenter, ops);
    if (v.backlog > 0) {
        p.setPen(m_theme.draining);
        p.drawText(lineRect(2), Qt::AlignRight | Qt::AlignVCenter, u"wait "_s + groupedNumber(v.backlog));
    }
}

void TopologyView::drawQueue(QPainter &p, const QRectF &r)
{
    const Snapshot &snap = *m_snapshot;
    const double s = m_theme.scale;
    const TickSample last = snap.recent.empty() ? TickSample {} : snap.recent.back();
    drawBox(p, r, m_theme.border, 1.5 * s);
    const QRectF inner = r.adjusted(12 * s, 8 * s, -12 * s, -8 * s);

    QList<PartitionView> partitions(snap.queue->partitions.begin(), snap.queue->partitions.end());
    if (partitions.isEmpty()) // the engine lists partitions once the queue is used
        for (int i = 0; i < m_partitions; ++i)
            partitions << PartitionView { i, 0, 0, 0 };
    bool full = false;
    int blocked = 0;
    for (const PartitionView &pv : std::as_const(partitions)) {
        full = full || (pv.capacity > 0 && pv.backlog >= pv.capacity);
        blocked += pv.blocked;
    }
    const QString backlog = countText(last.queue->queueBacklog);
    const QString lag = durationMs(std::max(0.0, last.queue->queueLagMs));
    const QStringList header { u"backlog "_s + backlog + u" · lag "_s + lag, u"backlog "_s + backlog, backlog };
    double y = inner.top()
        + drawPanelHeader(p, inner, u"Order queue"_s, header,
            full                               ? m_theme.dead
                : last.queue->queueBacklog > 0 ? m_theme.text
                                               : m_theme.mutedText);

    // settings, then what went wrong (in colour) when it did
    const QFont body = m_theme.font(m_theme.basePointSize * 0.9);
    const QFontMetricsF bm(body);
    QString settings = u"when full: "_s + fromStd(toString(snap.queue->queueFull))
        + (snap.queue->idempotent ? u" · idempotent"_s : u" · not idempotent"_s);
    QString trouble;
    QColor troubleColour = m_theme.draining;
    if (last.queue->duplicatesTotal > 0) {
        trouble = groupedNumber(last.queue->duplicatesTotal) + u" duplicates"_s;
        troubleColour = m_theme.dead;
    } else if (snap.queue->queueRejected > 0) {
        trouble = groupedNumber(snap.queue->queueRejected) + u" rejected"_s;
        troubleColour = m_theme.dead;
    } else if (blocked > 0) {
        trouble = QString::number(blocked) + u" producers blocked"_s;
    } else if (last.queue->redeliveredTotal > 0) {
        trouble = groupedNumber(last.queue->redeliveredTotal) + u" redelivered"_s;
    }
    const QRectF line(inner.left(), y + 2 * s, inner.width(), bm.height());
    const double troubleW = trouble.isEmpty() ? 0.0 : bm.horizontalAdvance(trouble) + 10 * s;
    p.setFont(body);
    p.setPen(m_theme.mutedText);
    p.drawText(line, Qt::AlignLeft | Qt::AlignVCenter,
        bm.elidedText(settings, Qt::ElideRight, std::max(0.0, line.width() - troubleW)));
    if (!trouble.isEmpty()) {
        p.setFont(m_theme.font(m_theme.basePointSize * 0.9, true));
        p.setPen(troubleColour);
        p.drawText(line, Qt::AlignRight | Qt::AlignVCenter, trouble);
    }
    const QRectF area(
        inner.left(), line.bottom() + 6 * s, inner.width(), std::max(0.0, inner.bottom() - line.bottom() - 6 * s));

    // partitions on the left as bars filling up to their capacity, consumers on the right
    const double arrowW = 26 * s;
    const QRectF parts(area.left(), area.top(), std::floor(area.width() * 0.55) - arrowW / 2, area.height());
    const QRectF cons(parts.right() + arrowW, area.top(), area.right() - parts.right() - arrowW, area.height());
    const QFont small = m_theme.font(m_theme.basePointSize * 0.8);
    const QFontMetricsF sm(small);
    const double textH = sm.height();
    const int n = int(partitions.size());
    if (n > 0) {
        const double sp = n > 16 ? 2 * s : 6 * s;
        const double barW = std::min(46 * s, (parts.width() - (n - 1) * sp) / n);
        const double left = parts.left() + (parts.width() - (n * barW + (n - 1) * sp)) / 2;
        const double barTop = parts.top() + textH, barBottom = parts.bottom() - textH;
        const double barH = std::max(4 * s, barBottom - barTop);
        p.setFont(small);
        for (int i = 0; i < n; ++i) {
            const PartitionView &pv = partitions[i];
            const QRectF bar(left + i * (barW + sp), barTop, barW, barH);
            const double fill = pv.capacity > 0 ? std::clamp(double(pv.backlog) / pv.capacity, 0.0, 1.0) : 0.0;
            p.setPen(QPen(pv.blocked > 0 ? m_theme.draining : m_theme.border, (pv.blocked > 0 ? 2.5 : 1) * s));
            p.setBrush(m_theme.window);
            p.drawRoundedRect(bar, 3 * s, 3 * s);
            // at least a sliver for a partition that holds anything
            const double fillH = pv.backlog > 0 ? std::max(2 * s, barH * fill) : 0.0;
            p.setPen(Qt::NoPen);
            p.setBrush(fill < 0.7 ? m_theme.queueBacklog : fill < 0.95 ? m_theme.draining : m_theme.dead);
            p.drawRoundedRect(QRectF(bar.left(), bar.bottom() - fillH, bar.width(), fillH), 3 * s, 3 * s);
            const QString count = compactNumber(double(pv.backlog));
            if (sm.horizontalAdvance(count) <= barW + sp) {
                p.setPen(pv.backlog > 0 ? m_theme.text : m_theme.mutedText);
                p.drawText(QRectF(bar.left() - sp / 2, parts.top(), barW + sp, textH), Qt::AlignCenter, count);
            }
            const QString name = u'p' + QString::number(pv.id);
            if (sm.horizontalAdvance(name) <= barW + sp) {
                p.setPen(m_theme.mutedText);
                p.drawText(QRectF(bar.left() - sp / 2, barBottom, barW + sp, textH), Qt::AlignCenter, name);
            }
            m_drawnPartitions << DrawnPartition { pv.id, bar, fill };
        }
    }
    // partitions ⇒ consumers
    const double ay = area.center().y();
    p.setPen(QPen(m_theme.border, 2 * s));
    p.drawLine(QPointF(parts.right() + 5 * s, ay), QPointF(cons.left() - 7 * s, ay));
    QPolygonF head;
    head << QPointF(cons.left() - 3 * s, ay) << QPointF(cons.left() - 10 * s, ay - 5 * s)
         << QPointF(cons.left() - 10 * s, ay + 5 * s);
    p.setPen(Qt::NoPen);
    p.setBrush(m_theme.border);
    p.drawPolygon(head);

    const int k = int(snap.queue->consumers.size());
    if (k == 0) {
        p.setFont(m_theme.font(m_theme.basePointSize * 0.9, true));
        p.setPen(m_theme.draining);
        p.drawText(cons, Qt::AlignCenter | Qt::TextWordWrap, u"no consumers: orders wait"_s);
        return;
    }
    const double sp = 6 * s, minH = 22 * s, prefH = 46 * s;
    int columns = 1;
    while (columns < k && std::ceil(double(k) / columns) * (minH + sp) - sp > cons.height())
        ++columns;
    const int rows = int(std::ceil(double(k) / columns));
    const double chipH = std::min(prefH, (cons.height() - (rows - 1) * sp) / rows);
    const double chipW = (cons.width() - (columns - 1) * sp) / columns;
    const double top = cons.center().y() - (rows * chipH + (rows - 1) * sp) / 2;
    for (int i = 0; i < k; ++i) {
        const ConsumerView &cv = snap.queue->consumers[std::size_t(i)];
        const int col = i / rows, row = i % rows;
        const QRectF chip(cons.left() + col * (chipW + sp), top + row * (chipH + sp), chipW, chipH);
        drawConsumer(p, chip, cv);
        m_drawnConsumers << DrawnConsumer { cv.id, cv.state, chip };
    }
}

void TopologyView::drawConsumer(QPainter &p, const QRectF &r, const ConsumerView &c) const
{
    const double s = m_theme.scale;
    const QColor stateColour = c.state == NodeState::Up ? m_theme.up
        : c.state == NodeState::Draining                ? m_theme.draining
                                                        : m_theme.dead;
    const bool selected = c.id == m_selectedConsumer;
    drawBox(p, r, selected ? m_theme.accent : m_theme.border, (selected ? 3.5 : 1.5) * s);
    if (c.state == NodeState::Dead) {
        p.setPen(Qt::NoPen);
        p.setBrush(m_theme.alarmBackground);
        p.drawRoundedRect(r.adjusted(2 * s, 2 * s, -2 * s, -2 * s), 7 * s, 7 * s);
    }
    p.setPen(Qt::NoPen);
    p.setBrush(stateColour);
    p.drawRoundedRect(QRectF(r.left() + 2 * s, r.top() + 4 * s, 5 * s, r.height() - 8 * s), 2 * s, 2 * s);

    const QRectF inner = r.adjusted(13 * s, 2 * s, -8 * s, -2 * s);
    const QFont name = m_theme.font(m_theme.basePointSize * 0.95, true);
    const QFont small = m_theme.font(m_theme.basePointSize * 0.85);
    const QFontMetricsF nm(name), sm(small);
    const QString label = nm.horizontalAdvance(u"consumer 00  DRAINING"_s) <= inner.width()
        ? QString(u"consumer "_s + QString::number(c.id))
        : QString(u'c' + QString::number(c.id));
    const bool dead = c.state == NodeState::Dead;
    const QString rate = dead ? u"DEAD"_s : compactRate(c.throughput);
    const bool twoLines = r.height() >= 40 * s;
    const QRectF line1 = twoLines ? QRectF(inner.left(), inner.top(), inner.width(), inner.height() / 2) : inner;
    p.setFont(name);
    p.setPen(m_theme.text);
    p.drawText(line1, Qt::AlignLeft | Qt::AlignVCenter, label);
    if (!twoLines) {
        p.setFont(small);
        if (nm.horizontalAdvance(label) + sm.horizontalAdvance(u"  "_s + rate) <= inner.width()) {
            p.setPen(dead ? m_theme.dead : m_theme.text);
            p.drawText(line1, Qt::AlignRight | Qt::AlignVCenter, rate);
        }
        return;
    }
    p.setPen(stateColour);
    p.drawText(line1, Qt::AlignRight | Qt::AlignVCenter, stateText(c.state));
    const QRectF line2(inner.left(), inner.top() + inner.height() / 2, inner.width(), inner.height() / 2);
    p.setFont(small);
    p.setPen(c.inHand > 0 ? m_theme.text : m_theme.mutedText);
    p.drawText(line2, Qt::AlignLeft | Qt::AlignVCenter, QString::number(c.inHand) + u" in hand"_s);
    p.setPen(dead ? m_theme.mutedText : m_theme.text);
    if (!dead)
        p.drawText(line2, Qt::AlignRight | Qt::AlignVCenter, rate);
}

int TopologyView::cacheNodeAt(const QPointF &pos) const
{
    for (const DrawnCacheNode &c : m_drawnCache)
        if (c.rect.contains(pos))
            return c.id;
    return -1;
}

int TopologyView::consumerAt(const QPointF &pos) const
{
    for (const DrawnConsumer &c : m_drawnConsumers)
        if (c.rect.contains(pos))
            return c.id;
    return -1;
}

int TopologyView::nodeAt(const QPointF &pos) const
{
    for (const DrawnNode &n : m_drawn)
        if (n.rect.contains(pos))
            return n.id;
    return -1;
}

void TopologyView::mousePressEvent(QMouseEvent *event)
{
    if (event->button() != Qt::LeftButton) {
        QWidget::mousePressEvent(event);
        return;
    }
    const QPointF pos = event->position();
    if (const int id = nodeAt(pos); id >= 0) {
        setSelectedNode(id == m_selected ? -1 : id);
    } else if (const int cache = cacheNodeAt(pos); cache >= 0) {
        setSelectedCacheNode(cache == m_selectedCache ? -1 : cache);
    } else if (const int consumer = consumerAt(pos); consumer >= 0) {
        setSelectedConsumer(consumer == m_selectedConsumer ? -1 : consumer);
    } else { // a click beside everything clears the targets
        setSelectedNode(-1);
        setSelectedCacheNode(-1);
        setSelectedConsumer(-1);
    }
}

void TopologyView::contextMenuEvent(QContextMenuEvent *event)
{
    const int id = nodeAt(event->pos());
    if (id < 0) {
        tierContextMenu(event);
        return;
    }
    NodeState state = NodeState::Up;
    for (const DrawnNode &n : std::as_const(m_drawn))
        if (n.id == id)
            state = n.state;
    setSelectedNode(id);
    QMenu menu(this);
    const QString name = u"node "_s + QString::number(id);
    QAction *remove = menu.addAction(
        state == NodeState::Dead ? QString(u"Clear dead "_s + name) : QString(u"Drain and remove "_s + name));
    remove->setEnabled(state != NodeState::Draining);
    QAction *kill = menu.addAction(u"Kill "_s + name);
    kill->setEnabled(state != NodeState::Dead);
    QAction *chosen = menu.exec(event->globalPos());
    if (chosen == remove)
        emit removeNodeRequested(id);
    else if (chosen == kill)
        emit killNodeRequested(id);
}

void TopologyView::tierContextMenu(QContextMenuEvent *event)
{
    QMenu menu(this);
    QAction *remove = nullptr, *kill = nullptr;
    if (const int id = cacheNodeAt(event->pos()); id >= 0) {
        NodeState state = NodeState::Up;
        for (const DrawnCacheNode &c : std::as_const(m_drawnCache))
            if (c.id == id)
                state = c.state;
        setSelectedCacheNode(id);
        const QString name = u"cache node "_s + QString::number(id);
        remove = menu.addAction(state == NodeState::Dead ? QString(u"Clear dead "_s + name)
                                                         : QString(u"Remove "_s + name + u" (its keys move)"_s));
        kill = menu.addAction(u"Kill "_s + name);
        kill->setEnabled(state != NodeState::Dead);
        QAction *chosen = menu.exec(event->globalPos());
        if (chosen == remove)
            emit removeCacheNodeRequested(id);
        else if (chosen == kill)
            emit killCacheNodeRequested(id);
        return;
    }
    if (const int id = consumerAt(event->pos()); id >= 0) {
        NodeState state = NodeState::Up;
        for (const DrawnConsumer &c : std::as_const(m_drawnConsumers))
            if (c.id == id)
                state = c.state;
        setSelectedConsumer(id);
        const QString name = u"consumer "_s + QString::number(id);
        remove = menu.addAction(state == NodeState::Dead ? QString(u"Clear dead "_s + name)
                                                         : QString(u"Remove "_s + name + u" (finishes its batch)"_s));
        remove->setEnabled(state != NodeState::Draining);
        kill = menu.addAction(u"Kill "_s + name + u" (its batch is redelivered)"_s);
        kill->setEnabled(state != NodeState::Dead);
        QAction *chosen = menu.exec(event->globalPos());
        if (chosen == remove)
            emit removeConsumerRequested(id);
        else if (chosen == kill)
            emit killConsumerRequested(id);
    }
}

} // namespace stampede::ui
