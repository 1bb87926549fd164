#pragma once

// One chart of the bottom row: a QChartView with line series over a sliding time window.
// Points go into pre-allocated buffers (two per series, used in turn so that the one handed to
// the series is never written again); commit() hands each series its new points with exactly one
// QXYSeries::replace() and sets the axis ranges. Markers are drawn by a MarkerOverlay.

#include "markeroverlay.h"

#include <QChartView>
#include <QList>
#include <QPointF>

#include <array>
#include <memory>
#include <optional>
#include <vector>

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
    void setSeriesColor(int series, const QColor &color);
    // `labelSuffix`: the unit on each label (" k", " %", " ms") where titles are hidden
    // (projector mode).
    void setAxisTitle(Axis axis, const QString &title, const QString &labelSuffix = {});
    // Fixed range (e.g. 0..100 %); without it the axis follows the data with nice steps, from 0
    // (or below, when a value is negative).
    void setFixedRange(Axis axis, double min, double max);
    void setMinimumTop(Axis axis, double top);
    // A difference that goes either way: 0 in the middle of the axis, whatever the data.
    void setSymmetric(Axis axis, bool symmetric);
    // Counts of whole things: ticks at whole numbers only (no 2.5, no 0.5).
    void setIntegerSteps(Axis axis, bool integer);

    // The spare buffer of `series`, emptied, to be filled for this frame.
    QList<QPointF> &beginSeries(int series);
    // One replace() per series, then axis ranges for [tMin, tMax].
    void commit(double tMin, double tMax);
    void setMarkers(const std::vector<Marker> &markers);

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
    QValueAxis *valueAxis(Axis axis) const;
    QStringList visibleMarkerLabels() const { return m_markers->visibleLabels(); }
    bool alarm() const { return m_alarm; }

signals:
    void exportRequested();

protected:
    void resizeEvent(QResizeEvent *event) override;
    void contextMenuEvent(QContextMenuEvent *event) override;

private:
    struct Series {
        QLineSeries *line = nullptr;
        Axis axis = Axis::Left;
        double widthFactor = 1;
        QColor color;
        std::array<QList<QPointF>, 2> buffers;
        int spare = 0; // the buffer the series does not hold
    };
    struct AxisState {
        QValueAxis *axis = nullptr;
        std::optional<std::pair<double, double>> fixed;
        double minimumTop = 1;
        bool integer = false;
        double top = -1;
        double bottom = 0; // below 0 only for data that goes negative (a difference)
        QString suffix;
        bool symmetric = false;
    };

    void rescale(AxisState &a);
    void relabel(AxisState &a); // after the steps or the label suffix changed
    QString labelSuffix(const AxisState &a) const;
    void onPlotAreaChanged(const QRectF &area);
    void restyleSeries();
    AxisState &axisState(Axis axis) { return axis == Axis::Left ? m_left : m_right; }

    QString m_key, m_title;
    QValueAxis *m_x = nullptr;
    AxisState m_left, m_right;
    std::vector<Series> m_series;
    std::unique_ptr<MarkerOverlay> m_markers;
    double m_tMin = 0, m_tMax = 60;
    double m_lineWidth = 3;
    bool m_compactAxes = false; // projector mode: units in the labels, no axis titles
    int m_steps = 4; // value-axis intervals: fewer on a short plot, so that labels never collide
    bool m_alarm = false;
    QColor m_titleColor, m_alarmColor, m_plotColor, m_alarmPlotColor;
};

} // namespace stampede::ui
