#pragma once

// Action markers on a chart's time axis: a vertical line and a short label for each
// marker inside the visible window. The graphics items are created once (a fixed pool) and only
// moved, shown or hidden per frame.

#include "metrics.h"

#include <QColor>
#include <QFont>
#include <QList>
#include <QRectF>
#include <QString>

#include <vector>

class QGraphicsLineItem;
class QGraphicsRectItem;
class QGraphicsSimpleTextItem;
class QGraphicsItem;

namespace stampede::ui {

class MarkerOverlay {
public:
    static constexpr int kPoolSize = 24; // more markers than this in 60 s would not be readable
    static constexpr int kLabelRows = 3;

    explicit MarkerOverlay(QGraphicsItem *chart);
    MarkerOverlay(const MarkerOverlay &) = delete;
    MarkerOverlay &operator=(const MarkerOverlay &) = delete;

    // Keeps the newest kPoolSize markers with tMin <= t <= tMax.
    void setMarkers(const std::vector<Marker> &markers, double tMin, double tMax);
    // Places the items for the chart's current plot area (also after a resize).
    void relayout(const QRectF &plotArea);
    void setStyle(
        const QColor &line, const QColor &text, const QColor &background, const QFont &font, double lineWidth);

    // The labels currently shown, oldest first (for tests and accessibility).
    QStringList visibleLabels() const;

private:
    struct Item {
        QGraphicsLineItem *line = nullptr;
        QGraphicsRectItem *box = nullptr;
        QGraphicsSimpleTextItem *text = nullptr;
        double t = 0;
        QString label;
    };

    QList<Item> m_items;
    int m_used = 0;
    double m_tMin = 0, m_tMax = 60;
    QRectF m_plot;
};

} // namespace stampede::ui
