#pragma once

// One chart of the bottom row: a QChartView with line series over a sliding time window.
// Points go into pre-allocated buffers (two per series, used in turn so that the one handed to
// the series is never written again); commit() hands each series its new points with exactly one
// QXYSeries::replace() and sets the axis ranges. A value that is unknown is a NaN point: the line
// has a gap there, never a fall to 0. Markers are drawn by a MarkerOverlay in a band at the top
// of the plot that the value axes leave free (headroom), so labels never cover data.
//
// Value axes label their ticks themselves (format.h axisLabel: "2 M", "10 s", "50 %", 0 as "0"):
// points come in raw units and the chart divides them for the scale the axis top needs; the
// axis title carries the unit word ("req/s", "units"), in every mode.

#include "format.h"
#include "markeroverlay.h"

#include <QChartView>
#include <QList>
#include <QPointF>

#include <array>
#include <memory>
#include <optional>
#include <vector>

class QCategoryAxis;
class QLineSeries;
class QValueAxis;

namespace stampede::ui {

struct Theme;

class LiveChart : public QChartView {
    Q_OBJECT

public:
    enum class Axis { Left, Right };
    // Points per series the buffers hold without growing: the 60 s window plus slack.
    static constexpr int kCapacity = 640;

    LiveChart(const QString &key, const QString &title, QWidget *parent = nullptr);
    ~LiveChart() override;

    int addSeries(const QString &name, Axis axis = Axis::Left, double widthFactor = 1.0);
    void setSeriesName(int series, const QString &name);
    void setSeriesColor(int series, const QColor &color);
    // The line's style: solid by default; compare mode draws side B dashed in side A's colour.
    void setSeriesStyle(int series, Qt::PenStyle style);
    Qt::PenStyle seriesStyle(int series) const { return m_series[std::size_t(series)].style; }
    // Moves a series to the other value axis (both axes then follow their own series).
    void setSeriesAxis(int series, Axis axis);
    Axis seriesAxis(int series) const { return m_series[std::size_t(series)].axis; }
    // A hidden series keeps its points (and its replace() per frame) but neither draws, nor
    // shows in the legend, nor moves its axis.
    void setSeriesVisible(int series, bool visible);
    bool seriesVisible(int series) const { return m_series[std::size_t(series)].visible; }
    // The unit word of the axis title and how its labels read.
    void setAxisTitle(Axis axis, const QString &title, AxisKind kind = AxisKind::Count);
    // Fixed range (e.g. 0..100 %); without it the axis follows the data with nice steps, from 0
    // (or below, when a value is negative).
    void setFixedRange(Axis axis, double min, double max);
    void setMinimumTop(Axis axis, double top);
    // A difference that goes either way: 0 in the middle of the axis, whatever the data.
    void setSymmetric(Axis axis, bool symmetric);
    // Counts of whole things: ticks at whole numbers only (no 2.5, no 0.5).
    void setIntegerSteps(Axis axis, bool integer);
    // A time axis of a few seconds (the fan-out's seconds since a post): ticks down to a tenth of
    // a second, labelled "0.5 s"; its title names what the time counts from.
    void setShortTimeAxis(const QString &title);

    // The spare buffer of `series`, emptied, to be filled for this frame (raw units; NaN for a
    // gap).
    QList<QPointF> &beginSeries(int series);
    // One replace() per series, then axis ranges for [tMin, tMax].
    void commit(double tMin, double tMax);
    // The markers to show (sorted by t); set before commit() they lay out for its window, and
    // the value axes leave room for their labels in the same frame.
    void setMarkers(const std::vector<Marker> &markers);
    void setMarkers(const QList<ChartMarker> &markers);

    void setTitleText(const QString &title);
    void setAlarm(bool alarm); // a value that must stay at 0 is above it: red title, tinted plot
    void applyTheme(const Theme &theme);
    void setLegendBeside(bool beside);

    QString key() const { return m_key; }
    QString titleText() const { return m_title; }
    int seriesCount() const { return int(m_series.size()); }
    int pointCount(int series) const;
    QLineSeries *series(int i) const { return m_series[std::size_t(i)].line; }
    QValueAxis *timeAxis() const { return m_x; }
    // Below this many legend lines of height the legend is hidden (fitLegend).
    static constexpr double kLegendLines = 9;
    // …and below this many the short time axis' title (setShortTimeAxis).
    static constexpr double kTimeTitleLines = 13;
    // Axis titles only on charts at least this many label lines wide.
    static constexpr double kTitleMinWidthLines = 11.5;
    bool legendShown() const;
    // Whether the title and the legend's names show whole at the chart's width (the layout
    // test's check; fitText() picks the smaller type where the larger would be cut).
    bool titleWhole() const;
    bool legendWhole() const;
    QValueAxis *valueAxis(Axis axis) const;
    // The tick labels of a value axis as drawn, bottom first.
    QStringList axisLabels(Axis axis) const;
    QStringList visibleMarkerLabels() const { return m_markers->visibleLabels(); }
    const MarkerOverlay &markers() const { return *m_markers; }
    // The plot area (chart coordinates) and the band at its top kept free for marker labels.
    QRectF plotArea() const;
    QRectF labelBand() const;
    bool alarm() const { return m_alarm; }

signals:
    void exportRequested();

protected:
    void resizeEvent(QResizeEvent *event) override;
    void contextMenuEvent(QContextMenuEvent *event) override;

private:
    void fitLegend();
    // The title's and the legend's type: the theme's, or the smallest a room reads where the
    // theme's would be cut (five charts across a projector's 1366 px)
    void fitText();
    double titleRoom() const;
    double legendNeeds(const QFont &font) const;
    struct Series {
        QLineSeries *line = nullptr;
        Axis axis = Axis::Left;
        double widthFactor = 1;
        bool visible = true;
        QColor color;
        Qt::PenStyle style = Qt::SolidLine;
        std::array<QList<QPointF>, 2> buffers;
        int spare = 0; // the buffer the series does not hold
    };
    struct AxisState {
        QCategoryAxis *axis = nullptr;
        std::optional<std::pair<double, double>> fixed;
        double minimumTop = 1;
        bool integer = false;
        AxisKind kind = AxisKind::Count;
        double top = -1; // raw units, headroom included
        double bottom = 0; // below 0 only for data that goes negative (a difference)
        double headroom = 0; // the fraction of the plot the labels took when the range was set
        AxisScale scale;
        QString word; // the unit word of the title
        bool titleShown = true;
        bool symmetric = false;
    };

    void rescale(AxisState &a);
    void setRange(AxisState &a, double bottom, double top, double labelTop, double step);
    void showAxes();
    // Two value axes shown: the labels are bare numbers and the titles carry the units.
    bool unitsInTitles() const;
    bool titleFits(const AxisState &a) const; // the rotated title fits the plot's height
    void updateTimeTicks();
    double headroom() const; // the fraction of the plot height the marker band takes
    void onPlotAreaChanged(const QRectF &area);
    void restyleSeries();
    AxisState &axisState(Axis axis) { return axis == Axis::Left ? m_left : m_right; }
    const AxisState &axisState(Axis axis) const { return axis == Axis::Left ? m_left : m_right; }
    void ensureRightAxis();

    QString m_key, m_title;
    QValueAxis *m_x = nullptr;
    AxisState m_left, m_right;
    std::vector<Series> m_series;
    std::unique_ptr<MarkerOverlay> m_markers;
    QList<ChartMarker> m_markerList;
    double m_tMin = 0, m_tMax = 60;
    double m_lineWidth = 3;
    int m_steps = 4; // value-axis intervals: fewer on a short plot, so that labels never collide
    // The plot area changed since the time ticks were chosen: the next commit chooses again. Not
    // at once: ticks change the labels, the labels the plot area, and answering plotAreaChanged
    // inside Qt Charts' layout re-posted layouts without end (a 60 s stall in the soak).
    bool m_ticksStale = false;
    bool m_shortTime = false;
    bool m_alarm = false;
    QColor m_titleColor, m_alarmColor, m_plotColor, m_alarmPlotColor;
    QFont m_titleFont, m_smallTitleFont, m_legendFont, m_smallLegendFont;
};

} // namespace stampede::ui
