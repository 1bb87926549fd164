#include "tierpainter.h"

#include <QPainter>

using namespace Qt::StringLiterals;

namespace stampede::ui {

PaintContext::PaintContext(QPainter &painter, const Theme &t, const Selection &sel, TopologyRecord &rec)
    : p(painter)
    , theme(t)
    , selection(sel)
    , record(rec)
    , text(painter, t, &rec.labels)
    , s(t.scale)
{
}

void PaintContext::tierBox(const QString &name, const QRectF &r)
{
    p.setPen(QPen(theme.border, 1.5 * s));
    p.setBrush(theme.surface);
    p.drawRoundedRect(r, 8 * s, 8 * s);
    record.tiers.append({ name, r });
    text.setTier(name);
    text.setBounds(r.adjusted(2 * s, 2 * s, -2 * s, -2 * s));
}

void PaintContext::card(const QRectF &r, bool selected, bool dead, const QColor &stripe)
{
    text.setBounds(r.adjusted(1 * s, 1 * s, -1 * s, -1 * s));
    p.setPen(QPen(selected ? theme.accent : theme.border, (selected ? 3.5 : 1.5) * s));
    p.setBrush(theme.surface);
    p.drawRoundedRect(r, 6 * s, 6 * s);
    if (dead) {
        p.setPen(Qt::NoPen);
        p.setBrush(theme.alarmBackground);
        p.drawRoundedRect(r.adjusted(2 * s, 2 * s, -2 * s, -2 * s), 5 * s, 5 * s);
    }
    p.setPen(Qt::NoPen);
    p.setBrush(stripe);
    const double inset = std::min(4 * s, r.height() / 4);
    p.drawRoundedRect(QRectF(r.left() + 2 * s, r.top() + inset, 5 * s, r.height() - 2 * inset), 2 * s, 2 * s);
}

void PaintContext::boxLines(const QRectF &r, const QStringList &title, const QStringList &value, double valueFactor,
    const QColor &valueColour, const QStringList &footer, const QColor &footerColour, bool footerBold)
{
    const QRectF inner = r.adjusted(10 * s, 6 * s, -8 * s, -6 * s);
    const QFont titleFont = text.font(1.1, true), valueFont = text.font(valueFactor, true),
                footFont = text.font(0.9, footerBold);
    const double th = text.lineHeight(titleFont), vh = text.lineHeight(valueFont), fh = text.lineHeight(footFont);
    // what fits, in order of importance: the title, the value, the footer
    const bool withValue = th + vh <= inner.height();
    const bool withFooter = withValue && th + vh + fh <= inner.height();
    // a box one line high (a short diagram row in projector type) says its value beside or instead
    // of its title: "3.00 k/s" tells a room more than an empty box
    QStringList first = title;
    if (!withValue && !value.isEmpty() && !title.isEmpty()) {
        first = QStringList { title.front() + u" · "_s + value.front() };
        first << value << title;
    }
    const QRectF titleRoom(inner.left(), inner.top(), inner.width(), th);
    if (text.draw(titleRoom, titleFont, first, Qt::AlignLeft | Qt::AlignVCenter, theme.text).isEmpty())
        text.draw(titleRoom, footFont, first, Qt::AlignLeft | Qt::AlignVCenter, theme.text); // smaller, not blank
    if (withValue) {
        const double free = inner.height() - th - vh - (withFooter ? fh : 0.0);
        const QRectF v(inner.left(), inner.top() + th + free / 2, inner.width(), vh);
        text.draw(v, valueFont, value, Qt::AlignLeft | Qt::AlignVCenter, valueColour);
    }
    if (withFooter)
        text.draw(QRectF(inner.left(), inner.bottom() - fh, inner.width(), fh), footFont, footer,
            Qt::AlignLeft | Qt::AlignVCenter, footerColour);
}

QColor PaintContext::stateColour(NodeState state) const
{
    return state == NodeState::Up ? theme.up : state == NodeState::Draining ? theme.draining : theme.dead;
}

QString PaintContext::stateText(NodeState state)
{
    switch (state) {
    case NodeState::Up:
        return u"UP"_s;
    case NodeState::Draining:
        return u"DRAINING"_s;
    case NodeState::Dead:
        return u"DEAD"_s;
    }
    return {};
}

} // namespace stampede::ui
