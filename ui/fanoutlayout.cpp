#include "fanoutlayout.h"

#include "theme.h"

#include <QFontMetricsF>

#include <algorithm>
#include <cmath>

namespace stampede::ui {

namespace {

double labelStrip(const Theme &t)
{
    return QFontMetricsF(t.font(std::max(t.minLabelPointSize, t.basePointSize * 0.85))).height() + 10 * t.scale;
}

// A box's title and its value (TextFit's fonts), with the padding the painters keep.
double minimumRow(const Theme &t)
{
    const double title = QFontMetricsF(t.font(t.basePointSize * 1.1, true)).height();
    const double value = QFontMetricsF(t.font(t.basePointSize * 1.2, true)).height();
    return title + value + 16 * t.scale;
}

} // namespace

double minimumFanoutHeight(const Theme &t) { return std::ceil(16 * t.scale + labelStrip(t) + 2 * minimumRow(t)); }

FanoutLayout layoutFanout(const QRectF &area, const Theme &t)
{
    FanoutLayout g;
    const double s = t.scale;
    const QRectF full = area.adjusted(8 * s, 8 * s, -8 * s, -8 * s);
    if (full.width() <= 0 || full.height() <= 0)
        return g;
    // rows: as tall as the room allows, up to a size where more height would only be empty box
    const double strip = labelStrip(t);
    const double rowH = std::max(1.0, std::min((full.height() - strip) / 2, 190 * s));
    const double top = full.center().y() - rowH - strip / 2;
    const QRectF upper(full.left(), top, full.width(), rowH);
    const QRectF lower(full.left(), top + rowH + strip, full.width(), rowH);
    g.rowGap = QRectF(full.left(), upper.bottom(), full.width(), strip);

    // columns: the gaps take the edges and their labels; the shards' column is the widest
    const double gap = std::clamp(0.06 * full.width(), 30 * s, 90 * s);
    const double room = std::max(3.0, full.width() - 2 * gap);
    const double c1 = std::floor(room * 0.24), c2 = std::floor(room * 0.3);
    const double c3 = room - c1 - c2;
    const double x1 = full.left(), x2 = x1 + c1 + gap, x3 = x2 + c2 + gap;
    g.author = QRectF(x1, upper.top(), c1, rowH);
    g.queue = QRectF(x2, upper.top(), c2, rowH);
    g.workers = QRectF(x3, upper.top(), c3, rowH);
    g.outbox = QRectF(x1, lower.top(), c1, rowH);
    g.readers = QRectF(x2, lower.top(), c2, rowH);
    g.shards = QRectF(x3, lower.top(), c3, rowH);
    return g;
}

} // namespace stampede::ui
