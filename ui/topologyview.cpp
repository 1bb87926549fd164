#include "topologyview.h"

#include "cachepainter.h"
#include "format.h"
#include "nodespainter.h"
#include "queuepainter.h"
#include "shopperspainter.h"
#include "storepainter.h"
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
    setToolTip(u"Click a node, cache node, consumer or inbox shard to choose it as the target of Kill / Remove "
               "/ Rebuild; right-click for its menu"_s);
}

// The ring needs nodes to draw; views without a cache tier have nothing to show there.
bool TopologyView::showsCache(const Snapshot &s) { return !s.cache->cacheNodes.empty(); }
bool TopologyView::showsQueue(const Snapshot &s) { return queueInUse(s); }

QSize TopologyView::minimumSizeHint() const
{
    return { 360, int(std::max(160.0, minimumTopologyHeight(m_theme, m_minNeeds))) };
}
QSize TopologyView::sizeHint() const { return { 900, 460 }; }

void TopologyView::setConfig(const EngineConfig &config)
{
    m_settings.policy = fromStd(toString(config.gateway.policy));
    m_settings.rateLimit = config.gateway.rateLimitPerS
        ? QString(u"limit "_s + compactRate(*config.gateway.rateLimitPerS))
        : u"no rate limit"_s;
    m_settings.queueLimit = std::max(1, config.nodes.queueLimit);
    m_settings.partitions = config.queue.partitions;
    m_settings.skus = std::max(1, config.traffic.skus);
    m_phaseIn.clear();
    m_phaseOut.clear();
    m_phaseKind.clear();
    setSelectedNode(-1);
    setSelectedCacheNode(-1);
    setSelectedConsumer(-1);
    setSelectedShard(-1);
    invalidate();
}

void TopologyView::setSnapshot(std::shared_ptr<const Snapshot> snapshot)
{
    m_snapshot = std::move(snapshot);
    if (!m_snapshot)
        return;
    // the tiers shown decide the least height the window may give the diagram
    TopologyNeeds needs;
    needs.fanout = fanoutInUse(*m_snapshot);
    needs.cache = showsCache(*m_snapshot);
    needs.queue = showsQueue(*m_snapshot);
    if (needs.fanout != m_minNeeds.fanout || needs.cache != m_minNeeds.cache || needs.queue != m_minNeeds.queue) {
        m_minNeeds = needs;
        updateGeometry();
    }
    auto present = [](const auto &list, int id) {
        return std::any_of(list.begin(), list.end(), [id](const auto &v) { return v.id == id; });
    };
    if (m_selection.node >= 0 && !present(m_snapshot->app->nodes, m_selection.node))
        setSelectedNode(-1);
    if (m_selection.cacheNode >= 0 && !present(m_snapshot->cache->cacheNodes, m_selection.cacheNode))
        setSelectedCacheNode(-1);
    if (m_selection.consumer >= 0 && !present(m_snapshot->queue->consumers, m_selection.consumer))
        setSelectedConsumer(-1);
    if (m_selection.shard >= 0 && m_selection.shard >= int(m_snapshot->fanout->shardUp.size()))
        setSelectedShard(-1);
}

void TopologyView::setSelectedCacheNode(int id)
{
    if (id == m_selection.cacheNode)
        return;
    m_selection.cacheNode = id;
    invalidate();
    emit selectedCacheNodeChanged(id);
}

void TopologyView::setSelectedConsumer(int id)
{
    if (id == m_selection.consumer)
        return;
    m_selection.consumer = id;
    invalidate();
    emit selectedConsumerChanged(id);
}

void TopologyView::setSelectedNode(int id)
{
    if (id == m_selection.node)
        return;
    m_selection.node = id;
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
    if (fanoutInUse(*m_snapshot))
        for (const FlowKind k : { FlowKind::Posts, FlowKind::Drain, FlowKind::Writes, FlowKind::Reads,
                 FlowKind::OutboxReads, FlowKind::OutboxPosts })
            m_phaseKind[int(k)] = step(m_phaseKind.value(int(k)), fanoutRate(k));
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
    default:
        return fanoutRate(f.kind);
    }
}

void TopologyView::applyTheme(const Theme &theme)
{
    m_theme = theme;
    m_dotIn = m_dotOut = QPixmap();
    updateGeometry();
    invalidate();
}

QRectF TopologyView::tierRect(QStringView name) const
{
    for (const DrawnTier &t : m_record.tiers)
        if (t.name == name)
            return t.rect;
    return {};
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
    m_dots.clear();
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
        default:
            phase = m_phaseKind.value(int(f.kind));
            break;
        }
        const bool out = f.kind == FlowKind::NodeOut || f.kind == FlowKind::ToStore || f.kind == FlowKind::Writes;
        drawFlow(p, f.edge, flowRate(f), phase, out ? m_dotOut : m_dotIn);
    }
}

void TopologyView::drawStatic(QPainter &p)
{
    p.fillRect(rect(), m_theme.window);
    m_record.clear();
    m_flows.clear();
    if (!m_snapshot) {
        p.setPen(m_theme.mutedText);
        p.drawText(rect(), Qt::AlignCenter, u"No scenario loaded"_s);
        return;
    }
    const Snapshot &snap = *m_snapshot;
    if (fanoutInUse(snap)) {
        PaintContext c(p, m_theme, m_selection, m_record);
        drawFanout(p, c);
    } else {
        drawFlashSale(p);
    }
    m_obstacles.clear();
    for (const DrawnTier &t : std::as_const(m_record.tiers))
        m_obstacles << t.rect;
    for (const DrawnNode &n : std::as_const(m_record.nodes))
        m_obstacles << n.rect;
    for (const DrawnLabel &l : std::as_const(m_record.labels))
        m_obstacles << l.rect;
}

void TopologyView::drawFlashSale(QPainter &p)
{
    const Snapshot &snap = *m_snapshot;
    TopologyNeeds needs;
    needs.nodes = int(snap.app->nodes.size());
    needs.cache = showsCache(snap);
    needs.queue = showsQueue(snap);
    needs.storeHeight = StorePainter::preferredHeight(m_theme, snap);
    const TopologyLayout g = layoutTopology(QRectF(rect()), m_theme, needs);
    PaintContext c(p, m_theme, m_selection, m_record);
    drawEdges(p, c, g);
    ShoppersPainter shoppers(c);
    shoppers.paintShoppers(g.shoppers, snap);
    shoppers.paintGateway(g.gateway, snap, m_settings);
    NodesPainter(c).paint(g.nodes, snap, m_settings);
    StorePainter(c).paint(g.store, snap, m_settings);
    if (needs.cache)
        CachePainter(c).paint(g.cache, snap);
    if (needs.queue)
        QueuePainter(c).paint(g.queue, snap, m_settings);
}

void TopologyView::drawEdges(QPainter &p, PaintContext &c, const TopologyLayout &g)
{
    const Snapshot &snap = *m_snapshot;
    const double s = m_theme.scale;
    // cache-queue: a purchase takes its unit in the cache and leaves an order on the queue; app
    // nodes do not write the store, the consumers do
    const bool viaQueue = snap.store->strategy == Strategy::CacheQueue;
    const QPen edgePen(m_theme.grid.darker(m_theme.dark ? 70 : 115), 2 * s);
    QPen deadPen(m_theme.dead, 1.5 * s, Qt::DashLine);
    deadPen.setColor(QColor(m_theme.dead.red(), m_theme.dead.green(), m_theme.dead.blue(), 120));
    const QPen idlePen(m_theme.grid, 1.2 * s, Qt::DashLine);
    p.setBrush(Qt::NoBrush);
    // the side boxes stack on a narrow view: the shoppers then feed the gateway from above
    const bool stacked = g.gateway.top() >= g.shoppers.bottom();
    const Edge top = stacked
        ? Edge({ g.shoppers.center().x(), g.shoppers.bottom() }, { g.gateway.center().x(), g.gateway.top() }, true)
        : Edge({ g.shoppers.right(), g.shoppers.center().y() }, { g.gateway.left(), g.gateway.center().y() });
    p.setPen(edgePen);
    p.drawPath(top.path());
    m_flows << Flow { top, FlowKind::Arrivals };
    const int n = int(std::min<qsizetype>(g.nodes.size(), qsizetype(snap.app->nodes.size())));
    for (int i = 0; i < n; ++i) {
        const NodeView &v = snap.app->nodes[std::size_t(i)];
        const QRectF &r = g.nodes[i];
        const double storeY = g.store.top() + g.store.height() * (0.3 + 0.4 * (n > 1 ? double(i) / (n - 1) : 0.5));
        const Edge in({ g.gateway.right(), g.gateway.center().y() }, { r.left(), r.center().y() });
        const Edge out({ r.right(), r.center().y() }, { g.store.left(), storeY });
        const bool dead = v.state == NodeState::Dead;
        p.setPen(dead ? deadPen : edgePen);
        p.drawPath(in.path());
        if (!dead)
            m_flows << Flow { in, FlowKind::NodeIn, v.id };
        p.setPen(dead ? deadPen : viaQueue ? idlePen : edgePen);
        p.drawPath(out.path());
        if (!dead && !viaQueue)
            m_flows << Flow { out, FlowKind::NodeOut, v.id };
    }
    if (g.cache.isEmpty() && g.queue.isEmpty())
        return;

    // the band: nodes ⇓ cache ring, nodes ⇓ queue ⇒ store; labels in the strip between
    c.text.setTier(u"edges"_s);
    c.text.setBounds(g.edgeLabels);
    const QFont labelFont = c.text.font(0.85);
    const QRectF strip = g.edgeLabels;
    auto bandEdge = [&](const Edge &e, FlowKind kind) {
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
        m_flows << Flow { e, kind };
    };
    const QRectF block = g.nodesBlock.isEmpty() ? g.gateway : g.nodesBlock;
    const double fromY = block.bottom() + 2 * s;
    const bool both = !g.cache.isEmpty() && !g.queue.isEmpty();
    const double spread = both ? block.width() * 0.2 : 0.0;
    auto into = [s](const QRectF &panel, double x) {
        return std::clamp(x, panel.left() + 40 * s, std::max(panel.left() + 40 * s, panel.right() - 40 * s));
    };
    const double pad = 6 * s;
    double labelsRight = strip.right(); // labels never reach past the next edge
    double persistX = strip.right();
    if (!g.queue.isEmpty()) {
        persistX = QueuePainter::consumersCentreX(g.queue, s);
        const double x = block.center().x() + spread;
        const double to = into(g.queue, std::min(x, persistX - 60 * s));
        bandEdge(Edge({ x, fromY }, { to, g.queue.top() }, true), FlowKind::ToQueue);
        bandEdge(Edge({ persistX, g.queue.top() }, { g.store.center().x(), g.store.bottom() + 2 * s }, true),
            FlowKind::ToStore);
        const double persistMid = (persistX + g.store.center().x()) / 2;
        c.text.draw(QRectF(persistMid + pad, strip.top(), strip.right() - persistMid - pad, strip.height()), labelFont,
            { u"persist"_s }, Qt::AlignLeft | Qt::AlignVCenter, m_theme.mutedText);
        const double mid = (x + to) / 2;
        c.text.draw(QRectF(mid + pad, strip.top(), std::min(persistX, persistMid) - mid - 2 * pad, strip.height()),
            labelFont, { u"orders"_s }, Qt::AlignLeft | Qt::AlignVCenter, m_theme.mutedText);
        labelsRight = mid;
    }
    if (!g.cache.isEmpty()) {
        const double x = block.center().x() - spread;
        const double to = into(g.cache, x);
        bandEdge(Edge({ x, fromY }, { to, g.cache.top() }, true), FlowKind::ToCache);
        const double mid = std::min((x + to) / 2, labelsRight);
        c.text.draw(QRectF(strip.left(), strip.top(), mid - pad - strip.left(), strip.height()), labelFont,
            { viaQueue ? u"take a unit"_s : u"read"_s }, Qt::AlignRight | Qt::AlignVCenter, m_theme.mutedText);
    }
}

void TopologyView::drawFlow(QPainter &p, const Edge &edge, double rate, double phase, const QPixmap &dot)
{
    const QPointF offset(dot.width() / dot.devicePixelRatio() / 2, dot.height() / dot.devicePixelRatio() / 2);
    // a short edge holds fewer dots: a flood on it reads as dots, not as a bar
    const double length = std::hypot(edge.b.x() - edge.a.x(), edge.b.y() - edge.a.y());
    const int count = std::min(dotCount(rate), std::max(1, int(length / (3 * offset.x()))));
    if (!dotCount(rate))
        return;
    for (int k = 0; k < count; ++k) {
        const double t = std::fmod(phase + double(k) / count, 1.0);
        const QRectF r(edge.at(t) - offset, QSizeF(2 * offset.x(), 2 * offset.y()));
        if (std::any_of(m_obstacles.cbegin(), m_obstacles.cend(), [&r](const QRectF &o) { return o.intersects(r); }))
            continue;
        p.drawPixmap(r.topLeft(), dot);
        m_dots.append(r);
    }
}

int TopologyView::cacheNodeAt(const QPointF &pos) const
{
    for (const DrawnCacheNode &c : m_record.cacheNodes)
        if (c.rect.contains(pos))
            return c.id;
    return -1;
}

int TopologyView::consumerAt(const QPointF &pos) const
{
    for (const DrawnConsumer &c : m_record.consumers)
        if (c.rect.contains(pos))
            return c.id;
    return -1;
}

int TopologyView::nodeAt(const QPointF &pos) const
{
    for (const DrawnNode &n : m_record.nodes)
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
        setSelectedNode(id == m_selection.node ? -1 : id);
    } else if (const int cache = cacheNodeAt(pos); cache >= 0) {
        setSelectedCacheNode(cache == m_selection.cacheNode ? -1 : cache);
    } else if (const int consumer = consumerAt(pos); consumer >= 0) {
        setSelectedConsumer(consumer == m_selection.consumer ? -1 : consumer);
    } else if (const int shard = shardAt(pos); shard >= 0) {
        setSelectedShard(shard == m_selection.shard ? -1 : shard);
    } else { // a click beside everything clears the targets
        setSelectedNode(-1);
        setSelectedCacheNode(-1);
        setSelectedConsumer(-1);
        setSelectedShard(-1);
    }
}

void TopologyView::contextMenuEvent(QContextMenuEvent *event)
{
    if (const int shard = shardAt(event->pos()); shard >= 0) {
        shardContextMenu(event, shard);
        return;
    }
    const int id = nodeAt(event->pos());
    if (id < 0) {
        tierContextMenu(event);
        return;
    }
    NodeState state = NodeState::Up;
    for (const DrawnNode &n : std::as_const(m_record.nodes))
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
        for (const DrawnCacheNode &c : std::as_const(m_record.cacheNodes))
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
        for (const DrawnConsumer &c : std::as_const(m_record.consumers))
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
