#include "cachepainter.h"

#include "format.h"

#include <QPainter>
#include <QPainterPath>
#include <QtMath>

#include <algorithm>
#include <cmath>

using namespace Qt::StringLiterals;

namespace stampede::ui {

CachePainter::CachePainter(PaintContext &context)
    : m_c(context)
{
}

QColor CachePainter::colour(int id) const
{
    const QList<QColor> &colours = m_c.theme.cacheNodes;
    return colours.isEmpty() ? m_c.theme.accent : colours[std::abs(id) % colours.size()];
}

double CachePainter::header(const QRectF &inner, const Snapshot &snap)
{
    const Theme &t = m_c.theme;
    TextFit &text = m_c.text;
    const double s = m_c.s;
    const TickSample last = snap.recent.empty() ? TickSample {} : snap.recent.back();
    const bool reads = last.cache->viewHits + last.cache->viewMisses > 0;
    const QColor hitColour = !reads   ? t.mutedText
        : last.cache->hitRatio >= 0.9 ? t.up
        : last.cache->hitRatio >= 0.6 ? t.draining
                                      : t.dead;
    const QFont title = text.font(1.1, true), value = text.font(1.3, true), body = text.font(0.9),
                bold = text.font(0.9, true);
    double y = inner.top();
    const double headH = text.lineHeight(value);
    text.drawPair(QRectF(inner.left(), y, inner.width(), headH), title, { u"Cache tier"_s, u"Cache"_s }, t.text, value,
        reads ? QStringList { u"hit "_s + percentText(last.cache->hitRatio), percentText(last.cache->hitRatio) }
              : QStringList { u"no reads"_s },
        hitColour);
    y += headH;
    const double bottom = inner.bottom();

    const int up = int(std::count_if(snap.cache->cacheNodes.begin(), snap.cache->cacheNodes.end(),
        [](const CacheNodeView &c) { return c.state != NodeState::Dead; }));
    QStringList settings;
    settings << (snap.cache->placement == Placement::Ring ? u"hash ring"_s
                                                          : QString(u"modulo "_s + QString::number(up)));
    if (snap.cache->singleFlight)
        settings << u"single-flight"_s;
    if (snap.cache->ttlJitter > 0)
        settings << u"TTL ±"_s + percentText(snap.cache->ttlJitter);
    const double bodyH = text.lineHeight(body);
    const QString storeReads = compactRate(last.cache->storeReads);
    if (y + bodyH > bottom)
        return y - inner.top();
    text.drawPair(QRectF(inner.left(), y, inner.width(), bodyH), body, { settings.join(u" · "_s), settings.first() },
        t.mutedText, body, { u"store reads "_s + storeReads, u"store "_s + storeReads, storeReads },
        last.cache->storeReads > 0 ? t.text : t.mutedText);
    y += bodyH;
    // what the last cache change cost: the number the rehash lesson turns on
    if (snap.cache->cacheChanges > 0 && y + bodyH <= bottom) {
        const QString moved = percentText(snap.cache->keysMovedLast);
        text.draw(QRectF(inner.left(), y, inner.width(), bodyH), bold,
            { u"last change moved "_s + moved + u" of keys"_s, u"keys moved "_s + moved, u"moved "_s + moved },
            Qt::AlignLeft | Qt::AlignVCenter, snap.cache->keysMovedLast > 0.5 ? t.dead : t.text);
        y += bodyH;
    }
    if (snap.cache->counterReloading && y + bodyH <= bottom) {
        text.draw(QRectF(inner.left(), y, inner.width(), bodyH), bold,
            { u"stock counter lost: waiting for the queue, then reloading"_s,
                u"counter lost: reloading after the queue"_s, u"counter lost: reloading"_s, u"counter lost"_s },
            Qt::AlignLeft | Qt::AlignVCenter, t.draining);
        y += bodyH;
    }
    return y - inner.top() + 4 * s;
}

void CachePainter::paint(const QRectF &r, const Snapshot &snap)
{
    const double s = m_c.s;
    QPainter &p = m_c.p;
    m_c.tierBox(u"cache"_s, r);
    const QRectF inner = r.adjusted(10 * s, 6 * s, -10 * s, -6 * s);
    // the header gives way (its last lines first) to one row of cards
    const double cardMin = m_c.text.lineHeight(m_c.text.font(1.0, true)) + 6 * s;
    // (the header's own spacing after its last line must not eat into the cards' row)
    const double used = std::min(std::max(0.0, inner.height() - cardMin),
        header(QRectF(inner.left(), inner.top(), inner.width(), inner.height() - cardMin), snap));
    const QRectF area(inner.left(), inner.top() + used, inner.width(), std::max(0.0, inner.height() - used));

    // arcs clockwise from the top, in snapshot order, each as wide as the node's share of keys
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
    // cards beside the ring: the right column for arcs on the right half, the left for the others;
    // the two sides hold the same number of cards (dead nodes have no arc to sit next to)
    QList<const Item *> right, left;
    for (const Item &it : std::as_const(items))
        (it.mid < 180 && it.span > 0 ? right : left) << &it;
    while (right.size() > left.size() + 1)
        left.prepend(right.takeLast());
    while (left.size() > right.size() + 1)
        right.append(left.takeFirst());
    std::sort(right.begin(), right.end(), [](const Item *a, const Item *b) { return a->mid < b->mid; });
    std::stable_sort(left.begin(), left.end(), [](const Item *a, const Item *b) { return a->mid > b->mid; });

    // the ring gets a third of the width at most, and gives way so that each card still has room
    // for its short name and share ("c12" · "100 %"): the cards' text matters more
    const double gap = 14 * s;
    const QFont nameFont = m_c.text.font(1.0, true), tagFont = m_c.text.font(0.85, true);
    const double cardNeed = 18 * s + m_c.text.width(nameFont, u"c00"_s) + 8 * s + m_c.text.width(tagFont, u"100 %"_s);
    const int perSide = int(std::max(right.size(), left.size()));
    const int cardRows = std::max(1, int((area.height() + 5 * s) / (cardMin + 5 * s)));
    const int subColumns = std::max(1, int(std::ceil(double(perSide) / cardRows)));
    const double sideNeed = subColumns * cardNeed + (subColumns - 1) * 5 * s;
    double diameter
        = std::max(0.0, std::min({ area.height(), area.width() * 0.3, area.width() - 2 * (sideNeed + gap) }));
    if (diameter < 24 * s)
        diameter = 0; // a ring too small to read is dropped: the cards say the shares
    const double cardW = std::max(0.0, (area.width() - diameter) / 2 - gap);
    const QPointF c = area.center();
    const double R = diameter / 2, ri = R * 0.58;
    const QRectF outer(c.x() - R, c.y() - R, 2 * R, 2 * R), hole(c.x() - ri, c.y() - ri, 2 * ri, 2 * ri);
    if (R > 4 * s) {
        p.setPen(Qt::NoPen);
        p.setBrush(m_c.theme.grid);
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
            const bool selected = it.view->id == m_c.selection.cacheNode;
            p.setPen(QPen(selected ? m_c.theme.accent : m_c.theme.surface, (selected ? 3 : 1.5) * s));
            p.setBrush(colour(it.view->id));
            p.drawPath(arc);
        }
        ringHole(hole, snap);
    }
    cards(right, QRectF(c.x() + R + gap, area.top(), cardW, area.height()), true, c, R, snap);
    cards(left, QRectF(c.x() - R - gap - cardW, area.top(), cardW, area.height()), false, c, R, snap);
}

void CachePainter::ringHole(const QRectF &hole, const Snapshot &snap)
{
    // the square inside the hole: the placement, and what the last change moved
    const QRectF box
        = QRectF(hole.center(), QSizeF())
              .adjusted(-hole.width() * 0.35, -hole.height() * 0.35, hole.width() * 0.35, hole.height() * 0.35);
    TextFit &text = m_c.text;
    const int up = int(std::count_if(snap.cache->cacheNodes.begin(), snap.cache->cacheNodes.end(),
        [](const CacheNodeView &c) { return c.state != NodeState::Dead; }));
    const QString mode = snap.cache->placement == Placement::Ring ? u"ring"_s : u"mod "_s + QString::number(up);
    const QFont big = text.font(1.0, true), small = text.font(0.85);
    const double bh = text.lineHeight(big), sh = text.lineHeight(small);
    const bool moved = snap.cache->cacheChanges > 0 && bh + sh <= box.height();
    const double top = box.center().y() - (bh + (moved ? sh : 0.0)) / 2;
    text.draw(QRectF(box.left(), top, box.width(), bh), big, { mode }, Qt::AlignCenter, m_c.theme.text);
    if (moved)
        text.draw(QRectF(box.left(), top + bh, box.width(), sh), small,
            { percentText(snap.cache->keysMovedLast) + u" moved"_s, percentText(snap.cache->keysMovedLast) },
            Qt::AlignCenter, m_c.theme.mutedText);
}

void CachePainter::cards(const QList<const Item *> &items, const QRectF &column, bool onRight, const QPointF &centre,
    double radius, const Snapshot &snap)
{
    const int k = int(items.size());
    if (!k || column.width() <= 0 || column.height() <= 0)
        return;
    const double s = m_c.s, spacing = 5 * s;
    const double minH = m_c.text.lineHeight(m_c.text.font(1.0, true)) + 6 * s;
    const int rowsFit = std::max(1, int((column.height() + spacing) / (minH + spacing)));
    const int columns = int(std::ceil(double(k) / rowsFit));
    const int rows = int(std::ceil(double(k) / columns));
    const double cardH = std::min(62 * s, (column.height() - (rows - 1) * spacing) / rows);
    const double cardW = (column.width() - (columns - 1) * spacing) / columns;
    const double top = column.center().y() - (rows * cardH + (rows - 1) * spacing) / 2;
    for (int i = 0; i < k; ++i) {
        const Item &it = *items[i];
        const int col = i / rows, row = i % rows;
        // sub-columns fill from the ring outwards
        const double x
            = onRight ? column.left() + col * (cardW + spacing) : column.right() - (col + 1) * cardW - col * spacing;
        const QRectF r(x, top + row * (cardH + spacing), cardW, cardH);
        const CacheNodeView &v = *it.view;
        const bool dead = v.state == NodeState::Dead;
        if (it.span > 0 && col == 0 && radius > 4 * s) {
            const double a = qDegreesToRadians(it.mid);
            const QPointF onRing(centre.x() + (radius + s) * std::sin(a), centre.y() - (radius + s) * std::cos(a));
            m_c.p.setPen(QPen(dead ? m_c.theme.dead : colour(v.id), 1.5 * s));
            m_c.p.drawLine(QPointF(onRight ? r.left() : r.right(), r.center().y()), onRing);
        }
        card(r, v, snap);
        m_c.record.cacheNodes.append({ v.id, v.state, r, it.start, it.span });
    }
}

void CachePainter::card(const QRectF &r, const CacheNodeView &v, const Snapshot &snap)
{
    const Theme &t = m_c.theme;
    const double s = m_c.s;
    TextFit &text = m_c.text;
    const bool dead = v.state == NodeState::Dead;
    m_c.card(r, v.id == m_c.selection.cacheNode, dead, dead ? t.dead : colour(v.id));
    const QRectF inner = r.adjusted(12 * s, 2 * s, -6 * s, -2 * s);
    const QFont name = text.font(1.0, true), small = text.font(0.85), tag = text.font(0.85, true);
    const int lines = std::clamp(int(inner.height() / text.lineHeight(name)), 1, 3);
    const double pitch = inner.height() / lines;
    auto line = [&](int i) { return QRectF(inner.left(), inner.top() + i * pitch, inner.width(), pitch); };
    // down to the bare id: a card too narrow for "c2" still says which node it is
    const QStringList label { u"cache "_s + QString::number(v.id), u'c' + QString::number(v.id),
        QString::number(v.id) };
    const QString share = percentText(v.share), keys = compactNumber(double(v.keys)) + u" keys"_s;
    const QString ops = compactRate(v.ops);
    // cache-queue: the node holding SKU 0's stock counter says so (the lesson kills it)
    const bool counter = snap.cache->counterNode == v.id;
    const QString state = dead ? u"DEAD"_s : u"UP"_s;
    const QColor stateColour = dead ? t.dead : counter ? t.accent : t.up;

    if (lines == 1) {
        QStringList right;
        if (dead)
            right << state;
        else if (counter)
            right << u"STOCK "_s + share << u"STOCK"_s;
        else
            right << share;
        text.drawPair(line(0), name, label, dead ? t.dead : t.text, tag, right, stateColour);
        return;
    }
    text.drawPair(line(0), name, label, t.text, tag,
        counter && !dead ? QStringList { u"STOCK · UP"_s, u"STOCK"_s } : QStringList { state }, stateColour);
    if (lines == 2) {
        text.draw(line(1), small, dead ? QStringList { keys } : QStringList { share + u" · "_s + ops, share },
            Qt::AlignLeft | Qt::AlignVCenter, t.mutedText);
        return;
    }
    text.draw(line(1), small, { share + u" · "_s + keys, share }, Qt::AlignLeft | Qt::AlignVCenter, t.mutedText);
    text.drawPair(line(2), small, { ops }, dead ? t.mutedText : t.text, small,
        v.backlog > 0 ? QStringList { u"wait "_s + groupedNumber(v.backlog) } : QStringList {}, t.draining);
}

} // namespace stampede::ui
