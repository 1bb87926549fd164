// TopologyView's fan-out diagram: its edges and their flows, and the inbox shards as targets
// (click, menu). The boxes are drawn by FanoutPainter and ShardsPainter in the rectangles
// layoutFanout() cuts.

#include "topologyview.h"

#include "fanoutlayout.h"
#include "fanoutpainter.h"
#include "format.h"
#include "shardspainter.h"

#include <QContextMenuEvent>
#include <QMenu>
#include <QPainter>

#include <algorithm>
#include <cmath>

using namespace Qt::StringLiterals;

namespace stampede::ui {

double TopologyView::fanoutRate(FlowKind kind) const
{
    if (!m_snapshot || !m_snapshot->fanout)
        return 0;
    const Snapshot &snap = *m_snapshot;
    const TickSample last = snap.recent.empty() ? snap.latest : snap.recent.back();
    const FanoutSample &f = *last.fanout;
    const FanoutMode mode = snap.fanout->mode;
    switch (kind) {
    case FlowKind::Posts:
        return mode == FanoutMode::Pull ? 0.0 : f.posts;
    case FlowKind::Drain:
        return f.drainRate;
    case FlowKind::Writes:
        return f.inboxWrites;
    case FlowKind::Reads:
        return mode == FanoutMode::Pull ? 0.0 : f.reads;
    case FlowKind::OutboxReads:
        return FanoutPainter::outboxFetches(snap);
    case FlowKind::OutboxPosts:
        return mode == FanoutMode::Push ? 0.0 : f.posts;
    default:
        return 0;
    }
}

void TopologyView::arrow(QPainter &p, const Edge &e, const QPen &pen, FlowKind kind, bool flows)
{
    const double s = m_theme.scale;
    p.setPen(pen);
    p.setBrush(Qt::NoBrush);
    p.drawPath(e.path());
    const QPointF dir = e.b - e.c2;
    const double len = std::hypot(dir.x(), dir.y());
    if (len > 0) {
        const QPointF u = dir / len, normal(-u.y(), u.x());
        const double a = 9 * s;
        QPolygonF head;
        head << e.b << e.b - u * a + normal * a * 0.55 << e.b - u * a - normal * a * 0.55;
        p.setPen(Qt::NoPen);
        p.setBrush(pen.color());
        p.drawPolygon(head);
    }
    if (flows)
        m_flows << Flow { e, kind };
}

void TopologyView::drawFanout(QPainter &p, PaintContext &c)
{
    const Snapshot &snap = *m_snapshot;
    const FanoutLayout g = layoutFanout(QRectF(rect()), m_theme);
    if (g.shards.isEmpty())
        return;
    drawFanoutEdges(p, c, g);
    FanoutPainter boxes(c);
    boxes.paintAuthor(g.author, snap);
    boxes.paintQueue(g.queue, snap);
    boxes.paintWorkers(g.workers, snap);
    boxes.paintOutbox(g.outbox, snap);
    boxes.paintReaders(g.readers, snap);
    ShardsPainter(c).paint(g.shards, snap);
}

void TopologyView::drawFanoutEdges(QPainter &p, PaintContext &c, const FanoutLayout &g)
{
    const double s = m_theme.scale;
    const FanoutMode mode = m_snapshot->fanout->mode;
    const QPen edgePen(m_theme.grid.darker(m_theme.dark ? 70 : 115), 2 * s);
    const QPen idlePen(m_theme.grid, 1.2 * s, Qt::DashLine);
    const bool push = mode != FanoutMode::Pull; // posts go through the queue (hybrid: the ordinary ones)
    const bool pull = mode != FanoutMode::Push; // reads fetch outboxes

    const double topY = g.author.center().y(), lowY = g.readers.center().y();
    const Edge post({ g.author.right(), topY }, { g.queue.left(), topY });
    const Edge batch({ g.queue.right(), topY }, { g.workers.left(), topY });
    const Edge write({ g.workers.center().x(), g.workers.bottom() }, { g.shards.center().x(), g.shards.top() }, true);
    const Edge read({ g.readers.right(), lowY }, { g.shards.left(), lowY });
    const Edge fetch({ g.readers.left(), lowY }, { g.outbox.right(), lowY });
    const Edge store({ g.author.center().x(), g.author.bottom() }, { g.outbox.center().x(), g.outbox.top() }, true);
    arrow(p, post, push ? edgePen : idlePen, FlowKind::Posts, push);
    arrow(p, batch, push ? edgePen : idlePen, FlowKind::Drain, true);
    arrow(p, write, push ? edgePen : idlePen, FlowKind::Writes, true);
    arrow(p, read, push ? edgePen : idlePen, FlowKind::Reads, push);
    arrow(p, fetch, pull ? edgePen : idlePen, FlowKind::OutboxReads, pull);
    arrow(p, store, pull ? edgePen : idlePen, FlowKind::OutboxPosts, pull);

    // labels: above the horizontal edges in their gaps, beside the vertical ones between the rows;
    // the paths the mode does not use are dashed and their words muted
    c.text.setTier(u"edges"_s);
    c.text.setBounds({});
    const QFont font = c.text.font(0.85);
    const double h = c.text.lineHeight(font), pad = 4 * s;
    auto above = [&](const QRectF &left, const QRectF &right, double y, const QStringList &words, bool on) {
        const QRectF room(left.right() + pad, y - h - 4 * s, right.left() - left.right() - 2 * pad, h);
        c.text.draw(room, font, words, Qt::AlignHCenter | Qt::AlignVCenter, on ? m_theme.text : m_theme.mutedText);
    };
    above(g.author, g.queue, topY, { u"post"_s }, push);
    above(g.queue, g.workers, topY, { u"batches"_s, u"batch"_s }, push);
    above(g.readers, g.shards, lowY, { u"read inbox"_s, u"read"_s }, push);
    above(g.outbox, g.readers, lowY, { u"fetch"_s }, pull);
    auto beside = [&](double x, double right, const QStringList &words, bool on) {
        const QRectF room(x + 8 * s, g.rowGap.top(), right - x - 8 * s, g.rowGap.height());
        c.text.draw(room, font, words, Qt::AlignLeft | Qt::AlignVCenter, on ? m_theme.text : m_theme.mutedText);
    };
    beside(g.author.center().x(), g.author.right(), { u"kept in outbox"_s, u"outbox"_s }, pull);
    beside(g.workers.center().x(), g.workers.right(), { u"write to inboxes"_s, u"write"_s }, push);
}

void TopologyView::setSelectedShard(int id)
{
    if (id == m_selection.shard)
        return;
    m_selection.shard = id;
    invalidate();
    emit selectedShardChanged(id);
}

int TopologyView::shardAt(const QPointF &pos) const
{
    for (const DrawnShard &d : m_record.shards)
        if (d.rect.contains(pos))
            return d.id;
    return -1;
}

void TopologyView::shardContextMenu(QContextMenuEvent *event, int id)
{
    bool up = true;
    for (const DrawnShard &d : std::as_const(m_record.shards))
        if (d.id == id)
            up = d.up;
    setSelectedShard(id);
    QMenu menu(this);
    const QString name = u"inbox shard "_s + QString::number(id);
    QAction *kill = menu.addAction(u"Kill "_s + name + u" (its inboxes are lost)"_s);
    kill->setEnabled(up);
    QAction *rebuild = menu.addAction(u"Rebuild "_s + name + u" from the post log"_s);
    rebuild->setEnabled(!up);
    QAction *chosen = menu.exec(event->globalPos());
    if (chosen == kill)
        emit killShardRequested(id);
    else if (chosen == rebuild)
        emit rebuildShardRequested(id);
}

} // namespace stampede::ui
