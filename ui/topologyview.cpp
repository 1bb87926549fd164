#include "topologyview.h"

#include "format.h"

#include <QContextMenuEvent>
#include <QMenu>
#include <QMouseEvent>
#include <QPainter>
#include <QPainterPath>

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
TopologyView::Edge::Edge(QPointF from, QPointF to)
    : a(from)
    , c1(from + QPointF((to.x() - from.x()) / 2, 0))
    , c2(to - QPointF((to.x() - from.x()) / 2, 0))
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
    setToolTip(u"Click a node to choose it as the target of Kill / Remove; right-click for its menu"_s);
}

QSize TopologyView::minimumSizeHint() const { return { 480, 260 }; }
QSize TopologyView::sizeHint() const { return { 900, 460 }; }

void TopologyView::setConfig(const EngineConfig &config)
{
    m_policy = fromStd(toString(config.gateway.policy));
    m_rateLimit = config.gateway.rateLimitPerS ? QString(u"limit "_s + compactRate(*config.gateway.rateLimitPerS))
                                               : u"no rate limit"_s;
    m_queueLimit = std::max(1, config.nodes.queueLimit);
    m_phaseIn.clear();
    m_phaseOut.clear();
    setSelectedNode(-1);
    invalidate();
}

void TopologyView::setLesson(const QString &title, const QString &description)
{
    m_lessonTitle = title;
    m_lessonText = description;
    invalidate();
}

double TopologyView::drawLesson(QPainter &p) const
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
    const double maxH = std::max(0.0, height() / 4.0 - titleH);
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
    if (m_selected >= 0 && m_snapshot) {
        const bool present = std::any_of(m_snapshot->nodes.begin(), m_snapshot->nodes.end(),
            [this](const NodeView &n) { return n.id == m_selected; });
        if (!present)
            setSelectedNode(-1);
    }
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
    for (const NodeView &n : m_snapshot->nodes) {
        m_phaseIn[n.id] = step(m_phaseIn.value(n.id), n.throughput);
        m_phaseOut[n.id] = step(m_phaseOut.value(n.id), n.throughput);
    }
}

void TopologyView::applyTheme(const Theme &theme)
{
    m_theme = theme;
    m_dotIn = m_dotOut = QPixmap();
    invalidate();
}

TopologyView::Geometry TopologyView::layoutFor(int nodeCount, double lessonHeight) const
{
    const double s = m_theme.scale;
    const QRectF area = QRectF(rect()).adjusted(12 * s, lessonHeight + 12 * s, -12 * s, -12 * s);
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
        for (const RowView &row : m_snapshot->hotRows)
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
        if (f.nodeId < 0) {
            drawFlow(p, f.edge, attemptsRate(), m_phaseTop, m_dotIn);
            continue;
        }
        double rate = 0;
        for (const NodeView &v : m_snapshot->nodes)
            if (v.id == f.nodeId && v.state != NodeState::Dead)
                rate = v.throughput;
        drawFlow(p, f.edge, rate, (f.toStore ? m_phaseOut : m_phaseIn).value(f.nodeId), f.toStore ? m_dotOut : m_dotIn);
    }
}

void TopologyView::drawStatic(QPainter &p)
{
    p.fillRect(rect(), m_theme.window);
    m_drawn.clear();
    m_flows.clear();
    if (!m_snapshot) {
        p.setPen(m_theme.mutedText);
        p.drawText(rect(), Qt::AlignCenter, u"No scenario loaded"_s);
        return;
    }
    const Snapshot &snap = *m_snapshot;
    const Geometry g = layoutFor(int(snap.nodes.size()), drawLesson(p));
    const double s = m_theme.scale;

    // edges first, boxes on top
    const QPen edgePen(m_theme.grid.darker(m_theme.dark ? 70 : 115), 2 * s);
    QPen deadPen(m_theme.dead, 1.5 * s, Qt::DashLine);
    deadPen.setColor(QColor(m_theme.dead.red(), m_theme.dead.green(), m_theme.dead.blue(), 120));
    p.setBrush(Qt::NoBrush);
    const Edge top({ g.shoppers.right(), g.shoppers.center().y() }, { g.gateway.left(), g.gateway.center().y() });
    p.setPen(edgePen);
    p.drawPath(top.path());
    m_flows << Flow { top, -1, false };
    const int n = int(snap.nodes.size());
    for (int i = 0; i < n; ++i) {
        const NodeView &v = snap.nodes[std::size_t(i)];
        const QRectF &r = g.nodes[i];
        const double storeY = g.store.top() + g.store.height() * (0.3 + 0.4 * (n > 1 ? double(i) / (n - 1) : 0.5));
        const Edge in({ g.gateway.right(), g.gateway.center().y() }, { r.left(), r.center().y() });
        const Edge out({ r.right(), r.center().y() }, { g.store.left(), storeY });
        p.setPen(v.state == NodeState::Dead ? deadPen : edgePen);
        p.drawPath(in.path());
        p.drawPath(out.path());
        if (v.state != NodeState::Dead)
            m_flows << Flow { in, v.id, false } << Flow { out, v.id, true };
    }

    drawShoppers(p, g.shoppers);
    drawGateway(p, g.gateway);
    for (int i = 0; i < n; ++i) {
        const NodeView &v = snap.nodes[std::size_t(i)];
        drawNode(p, g.nodes[i], v);
        m_drawn << DrawnNode { v.id, v.state, g.nodes[i] };
    }
    drawStore(p, g.store);
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
    p.setFont(m_theme.font(m_theme.basePointSize, true));
    p.setPen(n.state == NodeState::Up ? m_theme.text : stateColor);
    p.drawText(inner, Qt::AlignLeft | Qt::AlignVCenter, u"node "_s + QString::number(n.id));
    p.setFont(m_theme.font(m_theme.basePointSize * 0.95, true));
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
        lockWait = snap.recent.back().lockWaitMeanMs;
        lockHold = snap.recent.back().lockHoldMeanMs;
    }
    p.setFont(body);
    p.setPen(m_theme.mutedText);
    const QFontMetricsF bodyMetrics(body);
    const QString sku = u"SKU 0 · hot row"_s + (snap.strategy == Strategy::Sharded ? u"s (buckets)"_s : QString());
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
    const int id = nodeAt(event->position());
    setSelectedNode(id == m_selected ? -1 : id);
}

void TopologyView::contextMenuEvent(QContextMenuEvent *event)
{
    const int id = nodeAt(event->pos());
    if (id < 0)
        return;
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

} // namespace stampede::ui
