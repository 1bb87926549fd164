#include "queuepainter.h"

#include "format.h"

#include <QPainter>

#include <algorithm>
#include <cmath>

using namespace Qt::StringLiterals;

namespace stampede::ui {

QueuePainter::QueuePainter(PaintContext &context)
    : m_c(context)
{
}

double QueuePainter::header(const QRectF &inner, const Snapshot &snap, const QList<PartitionView> &partitions)
{
    const Theme &t = m_c.theme;
    TextFit &text = m_c.text;
    const TickSample last = snap.recent.empty() ? TickSample {} : snap.recent.back();
    bool full = false;
    int blocked = 0;
    for (const PartitionView &pv : partitions) {
        full = full || (pv.capacity > 0 && pv.backlog >= pv.capacity);
        blocked += pv.blocked;
    }
    const QString backlog = countText(last.queue->queueBacklog);
    const QString lag = durationMs(std::max(0.0, last.queue->queueLagMs));
    const QFont title = text.font(1.1, true), value = text.font(1.3, true), body = text.font(0.9),
                bold = text.font(0.9, true);
    double y = inner.top();
    const double headH = text.lineHeight(value);
    text.drawPair(QRectF(inner.left(), y, inner.width(), headH), title, { u"Order queue"_s, u"Queue"_s }, t.text, value,
        { u"backlog "_s + backlog + u" · lag "_s + lag, u"backlog "_s + backlog, backlog },
        full                               ? t.dead
            : last.queue->queueBacklog > 0 ? t.text
                                           : t.mutedText);
    y += headH;

    QString trouble;
    QColor troubleColour = t.draining;
    if (last.queue->duplicatesTotal > 0) {
        trouble = groupedNumber(last.queue->duplicatesTotal) + u" duplicates"_s;
        troubleColour = t.dead;
    } else if (snap.queue->queueRejected > 0) {
        trouble = groupedNumber(snap.queue->queueRejected) + u" rejected"_s;
        troubleColour = t.dead;
    } else if (blocked > 0) {
        trouble = QString::number(blocked) + u" producers blocked"_s;
    } else if (last.queue->redeliveredTotal > 0) {
        trouble = groupedNumber(last.queue->redeliveredTotal) + u" redelivered"_s;
    }
    const QString when = u"when full: "_s + fromStd(toString(snap.queue->queueFull));
    const QString idem = snap.queue->idempotent ? u"idempotent"_s : u"not idempotent"_s;
    const double bodyH = text.lineHeight(body);
    // the trouble first: it is what the room must see
    const QRectF line(inner.left(), y, inner.width(), bodyH);
    const QRectF taken = trouble.isEmpty()
        ? QRectF()
        : text.draw(line, bold, { trouble }, Qt::AlignRight | Qt::AlignVCenter, troubleColour);
    const QRectF rest = taken.isEmpty() ? line : line.adjusted(0, 0, -(line.right() - taken.left() + 8 * m_c.s), 0);
    text.draw(rest, body, { when + u" · "_s + idem, when, fromStd(toString(snap.queue->queueFull)) },
        Qt::AlignLeft | Qt::AlignVCenter, t.mutedText);
    y += bodyH;
    return y - inner.top() + 4 * m_c.s;
}

namespace {

// The queue's content area split: partitions on the left half, consumers right of the arrow.
constexpr double kArrowW = 24;

QRectF consumersArea(const QRectF &area, double s)
{
    // the partitions need little width; the consumers' names and rates need more
    const double partsRight = area.left() + std::floor(area.width() * 0.4) - kArrowW * s / 2;
    return QRectF(partsRight + kArrowW * s, area.top(), area.right() - partsRight - kArrowW * s, area.height());
}

} // namespace

double QueuePainter::consumersCentreX(const QRectF &r, double scale)
{
    return consumersArea(r.adjusted(10 * scale, 0, -10 * scale, 0), scale).center().x();
}

void QueuePainter::paint(const QRectF &r, const Snapshot &snap, const TopologySettings &settings)
{
    const double s = m_c.s;
    QPainter &p = m_c.p;
    m_c.tierBox(u"queue"_s, r);
    const QRectF inner = r.adjusted(10 * s, 6 * s, -10 * s, -6 * s);
    QList<PartitionView> partitions(snap.queue->partitions.begin(), snap.queue->partitions.end());
    if (partitions.isEmpty()) // the engine lists partitions once the queue is used
        for (int i = 0; i < settings.partitions; ++i)
            partitions << PartitionView { i, 0, 0, 0 };
    const double used = header(inner, snap, partitions);
    const QRectF area(inner.left(), inner.top() + used, inner.width(), std::max(0.0, inner.height() - used));

    // partitions on the left, consumers on the right, an arrow between
    const QRectF cons = consumersArea(area, s);
    const QRectF parts(area.left(), area.top(), cons.left() - kArrowW * s - area.left(), area.height());
    partitionBars(parts, partitions);
    const double ay = area.center().y();
    p.setPen(QPen(m_c.theme.border, 2 * s));
    p.drawLine(QPointF(parts.right() + 4 * s, ay), QPointF(cons.left() - 7 * s, ay));
    QPolygonF head;
    head << QPointF(cons.left() - 3 * s, ay) << QPointF(cons.left() - 10 * s, ay - 5 * s)
         << QPointF(cons.left() - 10 * s, ay + 5 * s);
    p.setPen(Qt::NoPen);
    p.setBrush(m_c.theme.border);
    p.drawPolygon(head);
    consumers(cons, snap);
}

void QueuePainter::partitionBars(const QRectF &parts, const QList<PartitionView> &partitions)
{
    const Theme &t = m_c.theme;
    const double s = m_c.s;
    QPainter &p = m_c.p;
    TextFit &text = m_c.text;
    const int n = int(partitions.size());
    if (n == 0 || parts.width() <= 0)
        return;
    const QFont small = text.font(0.85);
    const double textH = text.lineHeight(small);
    // the counts and names only where the bars keep a useful height under them
    const bool labels = parts.height() >= 2 * textH + 12 * s;
    const double sp = n > 16 ? 2 * s : 6 * s;
    const double barW = std::min(46 * s, (parts.width() - (n - 1) * sp) / n);
    const double left = parts.left() + (parts.width() - (n * barW + (n - 1) * sp)) / 2;
    const double barTop = parts.top() + (labels ? textH : 0.0), barBottom = parts.bottom() - (labels ? textH : 0.0);
    const double barH = std::max(4 * s, barBottom - barTop);
    for (int i = 0; i < n; ++i) {
        const PartitionView &pv = partitions[i];
        const QRectF bar(left + i * (barW + sp), barTop, barW, barH);
        const double fill = pv.capacity > 0 ? std::clamp(double(pv.backlog) / pv.capacity, 0.0, 1.0) : 0.0;
        p.setPen(QPen(pv.blocked > 0 ? t.draining : t.border, (pv.blocked > 0 ? 2.5 : 1) * s));
        p.setBrush(t.window);
        p.drawRoundedRect(bar, 3 * s, 3 * s);
        // at least a sliver for a partition that holds anything
        const double fillH = pv.backlog > 0 ? std::max(2 * s, barH * fill) : 0.0;
        p.setPen(Qt::NoPen);
        p.setBrush(fill < 0.7 ? t.queueBacklog : fill < 0.95 ? t.draining : t.dead);
        p.drawRoundedRect(QRectF(bar.left(), bar.bottom() - fillH, bar.width(), fillH), 3 * s, 3 * s);
        if (labels) {
            const QRectF cell(bar.left() - sp / 2, parts.top(), barW + sp, textH);
            text.draw(cell, small, { compactNumber(double(pv.backlog)) }, Qt::AlignCenter,
                pv.backlog > 0 ? t.text : t.mutedText);
            text.draw(cell.translated(0, barBottom - parts.top()), small, { u'p' + QString::number(pv.id) },
                Qt::AlignCenter, t.mutedText);
        }
        m_c.record.partitions.append({ pv.id, bar, fill });
    }
}

void QueuePainter::consumers(const QRectF &cons, const Snapshot &snap)
{
    const double s = m_c.s;
    const int k = int(snap.queue->consumers.size());
    if (k == 0) {
        m_c.text.draw(cons, m_c.text.font(0.9, true), { u"no consumers: orders wait"_s, u"no consumers"_s },
            Qt::AlignCenter, m_c.theme.draining);
        return;
    }
    const QFont nameFont = m_c.text.font(0.95, true);
    const double sp = 5 * s, minH = m_c.text.lineHeight(nameFont) + 4 * s, prefH = 46 * s;
    const double minW = m_c.text.width(nameFont, u"c00"_s) + m_c.text.width(m_c.text.font(0.85), u" 000/s"_s) + 20 * s;
    const int maxColumns = std::max(1, int((cons.width() + sp) / (minW + sp)));
    const int maxRows = std::max(1, int((cons.height() + sp) / (minH + sp)));
    int columns = 1;
    while (columns < std::min(k, maxColumns) && std::ceil(double(k) / columns) * (minH + sp) - sp > cons.height())
        ++columns;
    const int rows = std::min(maxRows, int(std::ceil(double(k) / columns)));
    // more consumers than chips that can carry a name: the last chip counts the others
    const int chips = std::min(k, rows * columns);
    const bool more = chips < k;
    const double chipH = std::min(prefH, (cons.height() - (rows - 1) * sp) / rows);
    const double chipW = (cons.width() - (columns - 1) * sp) / columns;
    const double top = cons.center().y() - (rows * chipH + (rows - 1) * sp) / 2;
    for (int i = 0; i < chips; ++i) {
        const ConsumerView &cv = snap.queue->consumers[std::size_t(i)];
        const int col = i / rows, row = i % rows;
        const QRectF chip(cons.left() + col * (chipW + sp), top + row * (chipH + sp), chipW, chipH);
        if (more && i == chips - 1) {
            const QString rest = QString::number(k - i);
            m_c.text.draw(
                chip, nameFont, { u"+ "_s + rest + u" more"_s, u"+"_s + rest }, Qt::AlignCenter, m_c.theme.mutedText);
            break;
        }
        consumer(chip, cv);
        m_c.record.consumers.append({ cv.id, cv.state, chip });
    }
}

void QueuePainter::consumer(const QRectF &r, const ConsumerView &c)
{
    const Theme &t = m_c.theme;
    const double s = m_c.s;
    TextFit &text = m_c.text;
    const bool dead = c.state == NodeState::Dead;
    const QColor stateColour = m_c.stateColour(c.state);
    m_c.card(r, c.id == m_c.selection.consumer, dead, stateColour);
    const QRectF inner = r.adjusted(12 * s, 1 * s, -6 * s, -1 * s);
    const QFont name = text.font(0.95, true), small = text.font(0.85);
    const QStringList label { u"consumer "_s + QString::number(c.id), u'c' + QString::number(c.id) };
    const QString rate = dead ? u"DEAD"_s : compactRate(c.throughput);
    const bool twoLines = inner.height() >= text.lineHeight(name) + text.lineHeight(small);
    if (!twoLines) {
        text.drawPair(inner, name, label, t.text, small, { rate }, dead ? t.dead : t.text);
        return;
    }
    const QRectF line1(inner.left(), inner.top(), inner.width(), inner.height() / 2);
    const QRectF line2 = line1.translated(0, inner.height() / 2);
    text.drawPair(line1, name, label, t.text, small, { PaintContext::stateText(c.state) }, stateColour);
    text.drawPair(line2, small, { QString::number(c.inHand) + u" in hand"_s, QString::number(c.inHand) },
        c.inHand > 0 ? t.text : t.mutedText, small, dead ? QStringList {} : QStringList { rate }, t.text);
}

} // namespace stampede::ui
