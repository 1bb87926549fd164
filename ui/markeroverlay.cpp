#include "markeroverlay.h"

#include "format.h"

#include <QBrush>
#include <QGraphicsLineItem>
#include <QGraphicsRectItem>
#include <QGraphicsSimpleTextItem>
#include <QPen>

#include <array>

namespace stampede::ui {

MarkerOverlay::MarkerOverlay(QGraphicsItem *chart)
{
    m_items.reserve(kPoolSize);
    for (int i = 0; i < kPoolSize; ++i) {
        Item item;
        item.line = new QGraphicsLineItem(chart);
        item.box = new QGraphicsRectItem(chart);
        item.text = new QGraphicsSimpleTextItem(item.box);
        item.box->setPen(Qt::NoPen);
        for (QGraphicsItem *g : { static_cast<QGraphicsItem *>(item.line), static_cast<QGraphicsItem *>(item.box) }) {
            g->setZValue(1000);
            g->setVisible(false);
            g->setAcceptedMouseButtons(Qt::NoButton);
        }
        m_items << item;
    }
}

void MarkerOverlay::setStyle(
    const QColor &line, const QColor &text, const QColor &background, const QFont &font, double lineWidth)
{
    // solid: a dashed pen costs the raster engine several times more per frame
    QColor lineColor = line;
    lineColor.setAlpha(170);
    QPen pen(lineColor, lineWidth);
    pen.setCosmetic(true);
    QColor fill = background;
    fill.setAlpha(225);
    for (Item &item : m_items) {
        item.line->setPen(pen);
        item.box->setBrush(fill);
        item.text->setBrush(text);
        item.text->setFont(font);
    }
    relayout(m_plot);
}

void MarkerOverlay::setMarkers(const std::vector<Marker> &markers, double tMin, double tMax)
{
    m_tMin = tMin;
    m_tMax = tMax;
    // newest kPoolSize markers inside the window, kept oldest first
    std::size_t first = markers.size();
    int count = 0;
    while (first > 0 && count < kPoolSize) {
        const Marker &m = markers[first - 1];
        if (m.t < tMin)
            break;
        --first;
        if (m.t <= tMax)
            ++count;
    }
    int used = 0;
    for (std::size_t i = first; i < markers.size() && used < kPoolSize; ++i) {
        const Marker &m = markers[i];
        if (m.t < tMin || m.t > tMax)
            continue;
        Item &item = m_items[used++];
        item.t = m.t;
        const QString label = shortMarkerLabel(m.label);
        if (label != item.label) {
            item.label = label;
            item.text->setText(label);
        }
    }
    m_used = used;
    relayout(m_plot);
}

void MarkerOverlay::relayout(const QRectF &plotArea)
{
    m_plot = plotArea;
    const double span = m_tMax - m_tMin;
    std::array<double, kLabelRows> rowLeft; // leftmost edge taken in each row, placing newest first
    rowLeft.fill(1e300);
    for (int i = kPoolSize - 1; i >= 0; --i) {
        Item &item = m_items[i];
        const bool on = i < m_used && span > 0 && !m_plot.isEmpty();
        item.line->setVisible(on);
        if (!on) {
            item.box->setVisible(false);
            continue;
        }
        const double x = m_plot.left() + (item.t - m_tMin) / span * m_plot.width();
        item.line->setLine(x, m_plot.top(), x, m_plot.bottom());

        const QRectF textRect = item.text->boundingRect();
        const double pad = 3;
        const double w = textRect.width() + 2 * pad, h = textRect.height() + pad;
        double left = x + 2;
        if (left + w > m_plot.right())
            left = x - 2 - w; // the newest marker sits at the right edge: label to its left
        int row = -1;
        for (int r = 0; r < kLabelRows && row < 0; ++r)
            if (left + w + 4 <= rowLeft[std::size_t(r)])
                row = r;
        if (row < 0) {
            item.box->setVisible(false); // too crowded; the line still shows the action
            continue;
        }
        rowLeft[std::size_t(row)] = left;
        item.box->setRect(0, 0, w, h);
        item.box->setPos(left, m_plot.top() + 2 + row * (h + 2));
        item.text->setPos(pad, pad / 2);
        item.box->setVisible(true);
    }
}

QStringList MarkerOverlay::visibleLabels() const
{
    QStringList labels;
    for (int i = 0; i < m_used; ++i)
        if (m_items[i].box->isVisible())
            labels << m_items[i].label;
    return labels;
}

} // namespace stampede::ui
