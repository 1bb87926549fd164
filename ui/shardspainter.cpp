#include "shardspainter.h"

#include "format.h"

#include <QPainter>

#include <algorithm>
#include <cmath>

using namespace Qt::StringLiterals;

namespace stampede::ui {

ShardsPainter::ShardsPainter(PaintContext &context)
    : m_c(context)
{
}

double ShardsPainter::header(const QRectF &inner, const Snapshot &snap)
{
    const Theme &t = m_c.theme;
    TextFit &text = m_c.text;
    const FanoutView &v = *snap.fanout;
    const int total = int(v.shardUp.size());
    const int down = int(std::count(v.shardUp.begin(), v.shardUp.end(), false));
    const double hot
        = v.shardUtilisation.empty() ? 0.0 : *std::max_element(v.shardUtilisation.begin(), v.shardUtilisation.end());
    const QFont title = text.font(1.1, true), value = text.font(1.0, true), body = text.font(0.9);
    const double headH = text.lineHeight(title);
    QStringList right;
    QColor colour = hot >= 0.95 ? t.dead : hot >= 0.7 ? t.draining : t.text;
    if (down > 0) {
        right = { QString::number(down) + u" down of "_s + QString::number(total), QString::number(down) + u" down"_s };
        colour = t.dead;
    } else {
        right = { u"hot "_s + percentText(hot), percentText(hot) };
    }
    text.drawPair(QRectF(inner.left(), inner.top(), inner.width(), headH), title, { u"Inbox shards"_s, u"Shards"_s },
        t.text, value, right, colour);
    double used = headH;
    const double bodyH = text.lineHeight(body);
    // the entries line only where a row of cells still fits under it
    if (inner.height() >= headH + bodyH + text.lineHeight(text.font(0.85, true)) + 16 * m_c.s) {
        const QString entries = countText(v.entries) + u" entries"_s;
        QStringList line { entries };
        if (v.lostEntries > 0)
            line
                = { entries + u" · lost "_s + countText(v.lostEntries) + u" · rebuilt "_s + countText(v.rebuiltEntries),
                      entries + u" · lost "_s + countText(v.lostEntries), entries };
        text.draw(QRectF(inner.left(), inner.top() + used, inner.width(), bodyH), body, line,
            Qt::AlignLeft | Qt::AlignVCenter, v.lostEntries > 0 ? t.draining : t.mutedText);
        used += bodyH;
    }
    return used + 4 * m_c.s;
}

void ShardsPainter::paint(const QRectF &r, const Snapshot &snap)
{
    const double s = m_c.s;
    TextFit &text = m_c.text;
    m_c.tierBox(u"shards"_s, r);
    const QRectF inner = r.adjusted(10 * s, 6 * s, -10 * s, -6 * s);
    const double used = header(inner, snap);
    const QRectF area(inner.left(), inner.top() + used, inner.width(), std::max(0.0, inner.height() - used));
    const FanoutView &v = *snap.fanout;
    const int n = int(v.shardUp.size());
    if (n == 0 || area.height() <= 0)
        return;

    // the grid with the largest cells that still keep their number: as square as the room allows;
    // where not all of them fit so, every shard as a bar without its number (a dead one is red)
    const QFont idFont = text.font(0.85, true);
    const double numberedW = text.width(idFont, u"00"_s) + 6 * s, numberedH = text.lineHeight(idFont) + 4 * s;
    const double sp = n > 32 ? 2 * s : 4 * s;
    const double barW = 6 * s, barH = std::min(area.height(), 14 * s);
    const bool numbered = [&] {
        const int perRow = int((area.width() + sp) / (numberedW + sp));
        const int rows = int((area.height() + sp) / (numberedH + sp));
        return perRow * rows >= n;
    }();
    m_numbers = numbered;
    const double minW = numbered ? numberedW : barW, minH = numbered ? numberedH : barH;
    int bestColumns = 0, bestShown = 0;
    double bestSide = -1;
    for (int columns = 1; columns <= n; ++columns) {
        const double w = (area.width() - (columns - 1) * sp) / columns;
        if (w < minW)
            break;
        const int maxRows = std::max(0, int((area.height() + sp) / (minH + sp)));
        const int rows = std::min(maxRows, int(std::ceil(double(n) / columns)));
        if (rows == 0)
            break;
        const double h = std::min((area.height() - (rows - 1) * sp) / rows, 3 * w);
        const int shown = std::min(n, rows * columns);
        const double side = std::min(w, h * 1.6);
        if (shown > bestShown || (shown == bestShown && side > bestSide)) {
            bestShown = shown;
            bestSide = side;
            bestColumns = columns;
        }
    }
    if (bestColumns == 0)
        return;
    const int columns = bestColumns;
    const int rows = int(std::ceil(double(bestShown) / columns));
    const double cellW = (area.width() - (columns - 1) * sp) / columns;
    const double cellH
        = std::min(std::min((area.height() - (rows - 1) * sp) / rows, numbered ? 3 * cellW : 40 * s), 70 * s);
    const double top = area.top() + (area.height() - (rows * cellH + (rows - 1) * sp)) / 2;
    const bool more = bestShown < n;
    const int cells = more ? bestShown - 1 : bestShown;
    for (int i = 0; i < cells; ++i) {
        const int row = i / columns, col = i % columns;
        const QRectF c(area.left() + col * (cellW + sp), top + row * (cellH + sp), cellW, cellH);
        const bool up = v.shardUp[std::size_t(i)];
        const double u = i < int(v.shardUtilisation.size()) ? v.shardUtilisation[std::size_t(i)] : 0.0;
        cell(c, i, up, u);
        m_c.record.shards.append({ i, up, c, u });
    }
    if (more) {
        const int row = cells / columns, col = cells % columns;
        const QRectF c(area.left() + col * (cellW + sp), top + row * (cellH + sp), cellW, cellH);
        text.setBounds(c);
        text.draw(c, idFont, { u"+"_s + QString::number(n - cells) }, Qt::AlignCenter, m_c.theme.mutedText);
    }
}

void ShardsPainter::cell(const QRectF &r, int id, bool up, double utilisation)
{
    const Theme &t = m_c.theme;
    const double s = m_c.s;
    QPainter &p = m_c.p;
    TextFit &text = m_c.text;
    const bool selected = id == m_c.selection.shard;
    text.setBounds(r.adjusted(1 * s, 1 * s, -1 * s, -1 * s));
    p.setPen(QPen(selected ? t.accent : up ? t.border : t.dead, (selected ? 3 : 1.2) * s));
    p.setBrush(up ? t.window : t.alarmBackground);
    p.drawRoundedRect(r, 4 * s, 4 * s);
    const double u = std::clamp(utilisation, 0.0, 1.0);
    if (up && u > 0) {
        const QRectF fill = r.adjusted(2 * s, 2 * s, -2 * s, -2 * s);
        const double h = std::max(2 * s, fill.height() * u);
        p.setPen(Qt::NoPen);
        QColor c = u < 0.7 ? t.up : u < 0.95 ? t.draining : t.dead;
        c.setAlpha(110); // its number and load stay readable on it
        p.setBrush(c);
        p.drawRoundedRect(QRectF(fill.left(), fill.bottom() - h, fill.width(), h), 3 * s, 3 * s);
    }
    if (!m_numbers)
        return;
    // the number; its load (or DOWN) under it where the cell is tall enough
    const QFont idFont = text.font(0.85, true), small = text.font(0.8);
    const double idH = text.lineHeight(idFont), smallH = text.lineHeight(small);
    const bool two = r.height() >= idH + smallH + 4 * s;
    const QRectF idRect = two ? QRectF(r.left(), r.center().y() - (idH + smallH) / 2, r.width(), idH) : r;
    text.draw(idRect, idFont, { QString::number(id) }, Qt::AlignCenter, up ? t.text : t.dead);
    if (two)
        text.draw(QRectF(r.left(), idRect.bottom(), r.width(), smallH), small,
            up ? QStringList { percentText(u), QString::number(std::lround(u * 100)) } : QStringList { u"DOWN"_s },
            Qt::AlignCenter, up ? t.mutedText : t.dead);
}

} // namespace stampede::ui
