#include "topologylayout.h"

#include "fanoutlayout.h"
#include "theme.h"

#include <QFontMetricsF>

#include <algorithm>
#include <cmath>

using namespace Qt::StringLiterals;

namespace stampede::ui {

namespace {

// Lays `count` node cards out in `area`: as many columns as it takes for each card to keep one
// line of text, never more than their width allows.
void layoutNodes(TopologyLayout &g, const QRectF &area, int count, double minH, double prefH, double minW, double s)
{
    if (count <= 0 || area.isEmpty())
        return;
    const double spacing = 6 * s;
    int columns = 1;
    while (columns < count && std::ceil(double(count) / columns) * (minH + spacing) - spacing > area.height()
        && (area.width() - columns * spacing) / (columns + 1) >= minW)
        ++columns;
    const int rows = int(std::ceil(double(count) / columns));
    const double cellH = std::min(prefH, (area.height() - (rows - 1) * spacing) / rows);
    const double cellW = (area.width() - (columns - 1) * spacing) / columns;
    const double blockH = rows * cellH + (rows - 1) * spacing;
    const double top = area.center().y() - blockH / 2;
    for (int i = 0; i < count; ++i) {
        const int c = i / rows, r = i % rows;
        g.nodes << QRectF(area.left() + c * (cellW + spacing), top + r * (cellH + spacing), cellW, cellH);
    }
    g.nodesBlock = QRectF(area.left(), top, area.width(), blockH);
}

} // namespace

double minimumTopologyHeight(const Theme &t, const TopologyNeeds &needs)
{
    if (needs.fanout)
        return minimumFanoutHeight(t);
    const double s = t.scale;
    const double title = QFontMetricsF(t.font(t.basePointSize * 1.1, true)).height();
    const double line = QFontMetricsF(t.font(t.basePointSize)).height();
    const double bold = QFontMetricsF(t.font(t.basePointSize, true)).height();
    // the row: a store box with its title and one stock row (as layoutTopology's minRow)
    const double rowMin = std::max(3 * line + 16 * s, title + bold + 24 * s);
    double h = 16 * s + rowMin;
    if (needs.cache || needs.queue) {
        const double strip
            = QFontMetricsF(t.font(std::max(t.minLabelPointSize, t.basePointSize * 0.85))).height() + 10 * s;
        // a cache tier's title, its settings line and a row of cards; a queue's title and bars
        const double band = title + line + bold + 28 * s;
        // the band gets 58 % of what the strip leaves (layoutTopology), the row the rest
        h = 16 * s + strip + std::max(band / 0.58, rowMin + band);
    }
    return std::ceil(h);
}

TopologyLayout layoutTopology(const QRectF &area, const Theme &t, const TopologyNeeds &needs)
{
    TopologyLayout g;
    const double s = t.scale;
    const QRectF full = area.adjusted(8 * s, 8 * s, -8 * s, -8 * s);
    if (full.width() <= 0 || full.height() <= 0)
        return g;
    const QFontMetricsF title(t.font(t.basePointSize * 1.1, true));
    const QFontMetricsF body(t.font(t.basePointSize));
    const double line = body.height();

    // rows: the flash-sale row on top, the band with the cache ring and the queue under it
    const bool band = needs.cache || needs.queue;
    QRectF row = full;
    if (band) {
        const double strip
            = QFontMetricsF(t.font(std::max(t.minLabelPointSize, t.basePointSize * 0.85))).height() + 10 * s;
        const double minRow = std::min(full.height() * 0.5, 3 * line + 16 * s);
        const double rowH = std::max(minRow, std::floor((full.height() - strip) * 0.42));
        row = QRectF(full.left(), full.top(), full.width(), rowH);
        g.edgeLabels = QRectF(full.left(), row.bottom(), full.width(), strip);
        const QRectF b(full.left(), g.edgeLabels.bottom(), full.width(), full.bottom() - g.edgeLabels.bottom());
        const double between = 14 * s;
        if (needs.cache && needs.queue) {
            const double cw = std::floor((b.width() - between) * 0.5);
            g.cache = QRectF(b.left(), b.top(), cw, b.height());
            g.queue = QRectF(g.cache.right() + between, b.top(), b.right() - g.cache.right() - between, b.height());
        } else if (needs.cache) {
            g.cache = QRectF(b.left(), b.top(), std::min(b.width(), 820 * s), b.height());
            g.cache.moveLeft(b.left() + (b.width() - g.cache.width()) / 2);
        } else {
            g.queue
                = QRectF(b.right() - std::min(b.width(), 820 * s), b.top(), std::min(b.width(), 820 * s), b.height());
        }
    }

    // columns of the row: [shoppers][gateway] [nodes] [store]; the side boxes stack when narrow
    const double w = row.width();
    const double sideMin = title.horizontalAdvance(u"Shoppers"_s) + 24 * s;
    const double storeMin = body.horizontalAdvance(u"lock wait 00 ms"_s) + 28 * s;
    const double nodesMin = body.horizontalAdvance(u"node 00 000 k/s"_s) + 24 * s;
    double side = std::max(sideMin, std::clamp(0.14 * w, 100.0 * s, 180.0 * s));
    double store = std::max(storeMin, std::clamp(0.25 * w, 180.0 * s, 330.0 * s));
    double gap = std::clamp(0.06 * w, 30.0 * s, 100.0 * s);
    bool stacked = false;
    auto excess = [&] { return (stacked ? side : 2 * side + gap * 0.6) + 2 * gap + store + nodesMin - w; };
    if (excess() > 0)
        gap = std::max(18 * s, gap - excess() / 2.6);
    if (excess() > 0)
        side = std::max(sideMin, side - excess() / 2);
    if (excess() > 0)
        stacked = true;
    if (excess() > 0)
        store = std::max(storeMin, store - excess());
    if (excess() > 0) { // still too narrow: everything in proportion (text drops detail)
        const double k = w / (w + excess());
        side *= k;
        store *= k;
        gap *= k;
    }
    const double h = row.height();
    const double boxH = std::min(stacked ? (h - gap * 0.4) / 2 : h, 110.0 * s);
    if (stacked) {
        const double top = row.center().y() - boxH - gap * 0.2;
        g.shoppers = QRectF(row.left(), top, side, boxH);
        g.gateway = QRectF(row.left(), top + boxH + gap * 0.4, side, boxH);
    } else {
        g.shoppers = QRectF(row.left(), row.center().y() - boxH / 2, side, boxH);
        g.gateway = QRectF(g.shoppers.right() + gap * 0.6, g.shoppers.top(), side, boxH);
    }
    const double storeH = std::min(h, std::max(needs.storeHeight, 3 * line));
    g.store = QRectF(row.right() - store, row.center().y() - storeH / 2, store, storeH);
    const double nodesLeft = g.gateway.right() + gap;
    const QRectF nodesArea(nodesLeft, row.top(), std::max(1.0, g.store.left() - gap - nodesLeft), h);
    const double minH = QFontMetricsF(t.font(t.basePointSize, true)).height() + 8 * s;
    // a card keeps at least its number: narrow columns rather than cards too flat for a line
    layoutNodes(g, nodesArea, needs.nodes, minH, 76 * s, body.horizontalAdvance(u"00"_s) + 24 * s, s);
    return g;
}

} // namespace stampede::ui
