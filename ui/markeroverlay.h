#pragma once

// Action markers on a chart's time axis: a vertical line for each marker inside the visible
// window, and labels in a band of up to kLabelRows rows at the top of the plot area. The chart
// keeps its data below that band (LiveChart gives the value axis the headroom), so a label never
// covers a line; labels stay inside the plot's width, so they never cover an axis label.
// Labels are placed by priority (a kill before a spike before a node added), newest first among
// equals: markers closer together than a label can separate are merged into one label
// ("+2 nodes · spike ×5", over several rows when one is too narrow), what finds no free room is
// counted ("spike ×5 +2 more"), and a label is dropped (its line still shows) when even that does
// not fit. Plots too short for a row of labels and data both show the lines only. The graphics items are created once
// (a fixed pool) and only moved, shown or hidden.

#include "metrics.h"

#include <QColor>
#include <QFont>
#include <QList>
#include <QRectF>
#include <QString>

#include <vector>

class QGraphicsRectItem;
class QGraphicsSimpleTextItem;
class QGraphicsItem;

namespace stampede::ui {

// One marker as a chart shows it: the short label and how much it matters.
struct ChartMarker {
    double t = 0;
    QString label;
    int priority = 1; // higher is placed first
};

// How much an engine marker matters to a room: failures and kills 5, spikes and celebrity posts 4,
// cache, strategy, fan-out mode and threshold changes and shard rebuilds 3, nodes, consumers,
// fan-out workers, inbox shards and restocks 2, the rest 1.
int markerPriority(const std::string &label);
// The engine's marker as a chart shows it (shortMarkerLabel, and its priority).
ChartMarker chartMarker(const Marker &m);

class MarkerOverlay {
public:
    static constexpr int kPoolSize = 24; // more markers than this in 60 s would not be readable
    static constexpr int kLabelRows = 3;

    explicit MarkerOverlay(QGraphicsItem *chart);
    MarkerOverlay(const MarkerOverlay &) = delete;
    MarkerOverlay &operator=(const MarkerOverlay &) = delete;

    // Keeps the newest kPoolSize markers with tMin <= t <= tMax (`markers` sorted by t).
    void setMarkers(const QList<ChartMarker> &markers, double tMin, double tMax);
    // Places the items for the chart's current plot area (also after a resize).
    void relayout(const QRectF &plotArea);
    void setStyle(
        const QColor &line, const QColor &text, const QColor &background, const QFont &font, double lineWidth);

    // The height at the top of the plot area that the labels take now (0 without labels), and
    // what the band would need for `rows` rows.
    double bandHeight() const { return m_band; }
    double rowHeight() const;
    // The labels currently shown, oldest first: each marker whose label is shown, alone or as part
    // of a merged label (for tests and accessibility).
    QStringList visibleLabels() const;
    // The boxes of the labels shown (chart coordinates) and their texts.
    QList<QRectF> labelRects() const;
    QStringList labelTexts() const;
    QFont font() const { return m_font; }

private:
    struct Item {
        // A filled rectangle, not a QGraphicsLineItem: a line item with a wide pen strokes its
        // path for every boundingRect() call, which the view makes for each item each frame.
        QGraphicsRectItem *line = nullptr;
        QGraphicsRectItem *box = nullptr;
        QGraphicsSimpleTextItem *text = nullptr;
        double t = 0;
        QString label;
        int priority = 1;
        bool shown = false; // its label is on screen (alone or merged)
    };
    struct Box {
        QGraphicsRectItem *box = nullptr;
        QGraphicsSimpleTextItem *text = nullptr;
    };

    QList<Item> m_items; // the lines and, per marker, the record of its label
    QList<Box> m_boxes; // the label boxes, one per group at most
    int m_used = 0;
    double m_tMin = 0, m_tMax = 60;
    double m_band = 0;
    QRectF m_plot;
    QFont m_font;
    double m_lineWidth = 1;
};

} // namespace stampede::ui
