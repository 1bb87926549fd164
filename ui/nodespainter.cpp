#include "nodespainter.h"

#include "format.h"

#include <QPainter>

#include <algorithm>

using namespace Qt::StringLiterals;

namespace stampede::ui {

NodesPainter::NodesPainter(PaintContext &context)
    : m_c(context)
{
}

void NodesPainter::paint(const QList<QRectF> &cards, const Snapshot &snap, const TopologySettings &settings)
{
    m_c.text.setTier(u"nodes"_s);
    const int n = int(std::min<qsizetype>(cards.size(), qsizetype(snap.app->nodes.size())));
    for (int i = 0; i < n; ++i) {
        const NodeView &v = snap.app->nodes[std::size_t(i)];
        paintNode(cards[i], v, settings);
        m_c.record.nodes.append({ v.id, v.state, cards[i] });
    }
}

void NodesPainter::loadBar(const QRectF &r, double fraction)
{
    const Theme &t = m_c.theme;
    m_c.p.setPen(Qt::NoPen);
    m_c.p.setBrush(t.grid);
    m_c.p.drawRoundedRect(r, 3 * m_c.s, 3 * m_c.s);
    m_c.p.setBrush(fraction < 0.7 ? t.up : fraction < 0.95 ? t.draining : t.dead);
    m_c.p.drawRoundedRect(QRectF(r.topLeft(), QSizeF(r.width() * fraction, r.height())), 3 * m_c.s, 3 * m_c.s);
}

void NodesPainter::paintNode(const QRectF &r, const NodeView &n, const TopologySettings &settings)
{
    const Theme &t = m_c.theme;
    const double s = m_c.s;
    TextFit &text = m_c.text;
    const bool dead = n.state == NodeState::Dead;
    const QColor stateColour = m_c.stateColour(n.state);
    m_c.card(r, n.id == m_c.selection.node, dead, stateColour);

    const QRectF inner = r.adjusted(12 * s, 3 * s, -6 * s, -3 * s);
    const QFont name = text.font(1.0, true), small = text.font(0.85), rateFont = text.font(0.95, true);
    const double lineH = text.lineHeight(name);
    const int lines = std::clamp(int(inner.height() / lineH), 1, 3);
    const double pitch = inner.height() / lines;
    auto line = [&](int i) { return QRectF(inner.left(), inner.top() + i * pitch, inner.width(), pitch); };
    const double fraction = n.capacity > 0 ? std::clamp(double(n.busy) / n.capacity, 0.0, 1.0) : 0.0;
    const QStringList label { u"node "_s + QString::number(n.id), QString::number(n.id) };
    const QString rate = dead ? u"DEAD"_s : compactRate(n.throughput);
    const QColor rateColour = dead ? t.dead : t.text;

    if (lines == 1) {
        // the load as a tint behind "node N … rate"
        QColor load = fraction < 0.7 ? t.up : fraction < 0.95 ? t.draining : t.dead;
        load.setAlpha(60);
        m_c.p.setPen(Qt::NoPen);
        m_c.p.setBrush(load);
        m_c.p.drawRoundedRect(QRectF(inner.topLeft(), QSizeF(inner.width() * fraction, inner.height())), 3 * s, 3 * s);
        text.drawPair(line(0), name, label, dead ? t.dead : t.text, rateFont, { rate }, rateColour);
        return;
    }
    text.drawPair(line(0), name, label, t.text, small, { PaintContext::stateText(n.state) }, stateColour);
    const QString busy = QString::number(n.busy) + u'/' + QString::number(n.capacity);
    const QRectF l1 = line(1);
    // line 2: the load bar, with the rate beside it (two lines) or the busy count (three)
    const QString right = lines == 2 ? rate : busy;
    const QFont rightFont = lines == 2 ? rateFont : small;
    const QRectF taken
        = text.draw(l1, rightFont, { right }, Qt::AlignRight | Qt::AlignVCenter, lines == 2 ? rateColour : t.mutedText);
    const double barRight = taken.isEmpty() ? l1.right() : taken.left() - 6 * s;
    const double barH = std::min(l1.height() * 0.5, 12 * s);
    if (barRight - l1.left() > 8 * s)
        loadBar(QRectF(l1.left(), l1.center().y() - barH / 2, barRight - l1.left(), barH), fraction);
    if (lines == 3) {
        const QColor backlogColour = n.backlog >= settings.queueLimit ? t.dead
            : n.backlog > 0                                           ? t.draining
                                                                      : t.mutedText;
        text.drawPair(line(2), small, { u"backlog "_s + groupedNumber(n.backlog), groupedNumber(n.backlog) },
            backlogColour, rateFont, { rate }, rateColour);
    }
}

} // namespace stampede::ui
