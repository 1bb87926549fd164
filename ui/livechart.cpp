#include "livechart.h"

#include "theme.h"

#include <QChart>
#include <QContextMenuEvent>
#include <QFontMetricsF>
#include <QGraphicsScene>
#include <QLegend>
#include <QLegendMarker>
#include <QLineSeries>
#include <QMenu>
#include <QValueAxis>

#include <algorithm>
#include <cmath>

using namespace Qt::StringLiterals;

namespace stampede::ui {

namespace {

// 1, 2, 2.5 or 5 times a power of ten, at least `raw`; whole steps of 1, 2 or 5 × 10^k for
// quantities that only come in whole units.
double niceStep(double raw, bool integer = false)
{
    if (!(raw > 0))
        return 1;
    if (integer && raw <= 1)
        return 1;
    const double p = std::pow(10.0, std::floor(std::log10(raw)));
    const double f = raw / p;
    const double nice = f <= 1 ? 1 : f <= 2 ? 2 : (f <= 2.5 && !integer) ? 2.5 : f <= 5 ? 5 : 10;
    return nice * p;
}

QString labelFormat(double step)
{
    const double p = std::floor(std::log10(step));
    const double mantissa = step / std::pow(10.0, p);
    const int decimals = std::max(0, int(-p) + (std::abs(mantissa - 2.5) < 1e-9 ? 1 : 0));
    return u"%."_s + QString::number(decimals) + u'f';
}

QValueAxis *newValueAxis()
{
    auto *axis = new QValueAxis;
    axis->setTickType(QValueAxis::TicksDynamic);
    axis->setTickAnchor(0);
    axis->setTickInterval(0.25);
    axis->setRange(0, 1);
    return axis;
}

// Range and tick interval change in the order that never asks the axis for more ticks than
// either the old or the new setting has (a small interval over a large range would mean
// millions of tick items).
void setAxis(QValueAxis *axis, double min, double max, double step, const QString &suffix = {})
{
    if (step >= axis->tickInterval()) {
        axis->setTickInterval(step);
        axis->setRange(min, max);
    } else {
        axis->setRange(min, max);
        axis->setTickInterval(step);
    }
    QString escaped = suffix;
    escaped.replace(u'%', u"%%"_s);
    axis->setLabelFormat(labelFormat(step) + escaped);
}

} // namespace

LiveChart::LiveChart(const QString &key, const QString &title, QWidget *parent)
    : QChartView(parent)
    , m_key(key)
    , m_title(title)
{
    setObjectName(key + u"Chart"_s);
    auto *c = new QChart;
    c->setAnimationOptions(QChart::NoAnimation);
    c->setBackgroundRoundness(0);
    c->setMargins(QMargins(4, 2, 4, 2));
    c->setTitle(title);
    c->setPlotAreaBackgroundVisible(true);
    c->legend()->setAlignment(Qt::AlignBottom);
    c->legend()->setMarkerShape(QLegend::MarkerShapeFromSeries);
    setChart(c); // the view owns the chart
    // Items move every frame; a BSP index would be rebuilt for nothing.
    scene()->setItemIndexMethod(QGraphicsScene::NoIndex);
    setRenderHint(QPainter::Antialiasing);
    setFrameShape(QFrame::NoFrame);
    setMinimumSize(160, 130);

    m_x = new QValueAxis;
    m_x->setTickType(QValueAxis::TicksDynamic);
    m_x->setTickAnchor(0);
    m_x->setTickInterval(10);
    m_x->setLabelFormat(u"%.0f s"_s);
    m_x->setRange(0, 60);
    c->addAxis(m_x, Qt::AlignBottom);

    m_left.axis = newValueAxis();
    c->addAxis(m_left.axis, Qt::AlignLeft);

    m_markers = std::make_unique<MarkerOverlay>(c);
    connect(c, &QChart::plotAreaChanged, this, &LiveChart::onPlotAreaChanged);
}

LiveChart::~LiveChart() = default;

int LiveChart::addSeries(const QString &name, Axis axis, double widthFactor)
{
    if (axis == Axis::Right && !m_right.axis) {
        m_right.axis = newValueAxis();
        chart()->addAxis(m_right.axis, Qt::AlignRight);
    }
    Series s;
    s.line = new QLineSeries;
    s.line->setName(name);
    s.axis = axis;
    s.widthFactor = widthFactor;
    for (QList<QPointF> &b : s.buffers)
        b.reserve(kCapacity);
    chart()->addSeries(s.line); // the chart owns the series
    s.line->attachAxis(m_x);
    s.line->attachAxis(axisState(axis).axis);
    m_series.push_back(std::move(s));
    restyleSeries();
    return int(m_series.size()) - 1;
}

void LiveChart::setSeriesColor(int series, const QColor &color)
{
    m_series[std::size_t(series)].color = color;
    restyleSeries();
}

void LiveChart::setAxisTitle(Axis axis, const QString &title, const QString &labelSuffix)
{
    AxisState &a = axisState(axis);
    if (a.axis && a.axis->titleText() != title)
        a.axis->setTitleText(title);
    if (labelSuffix != a.suffix) {
        a.suffix = labelSuffix;
        relabel(a);
    }
}

void LiveChart::relabel(AxisState &a)
{
    if (!a.axis)
        return;
    if (a.fixed)
        setAxis(a.axis, a.fixed->first, a.fixed->second, niceStep((a.fixed->second - a.fixed->first) / m_steps),
            labelSuffix(a));
    else
        a.top = -1; // the next commit sets range, step and format
}

QString LiveChart::labelSuffix(const AxisState &a) const { return m_compactAxes ? a.suffix : QString(); }

void LiveChart::setFixedRange(Axis axis, double min, double max)
{
    AxisState &a = axisState(axis);
    a.fixed = std::pair { min, max };
    if (!a.axis)
        return;
    setAxis(a.axis, min, max, niceStep((max - min) / m_steps), labelSuffix(a));
}

void LiveChart::setMinimumTop(Axis axis, double top) { axisState(axis).minimumTop = top; }

void LiveChart::setSymmetric(Axis axis, bool symmetric)
{
    AxisState &a = axisState(axis);
    a.symmetric = symmetric;
    a.top = -1; // recompute at the next commit
}

void LiveChart::setIntegerSteps(Axis axis, bool integer)
{
    AxisState &a = axisState(axis);
    if (a.integer == integer)
        return;
    a.integer = integer;
    a.top = -1; // recompute at the next commit
}

QList<QPointF> &LiveChart::beginSeries(int series)
{
    Series &s = m_series[std::size_t(series)];
    QList<QPointF> &b = s.buffers[std::size_t(s.spare)];
    b.clear(); // keeps the capacity: nothing else holds this buffer
    return b;
}

void LiveChart::commit(double tMin, double tMax)
{
    for (Series &s : m_series) {
        QList<QPointF> &b = s.buffers[std::size_t(s.spare)];
        if (b.size() > kCapacity)
            b.remove(0, b.size() - kCapacity); // never more points than the window holds
        s.line->replace(b);
        s.spare ^= 1;
    }
    m_tMin = tMin;
    m_tMax = tMax;
    m_x->setRange(tMin, tMax);
    rescale(m_left);
    if (m_right.axis)
        rescale(m_right);
}

void LiveChart::rescale(AxisState &a)
{
    if (a.fixed)
        return;
    double max = 0, min = 0;
    for (const Series &s : m_series) {
        if (&axisState(s.axis) != &a)
            continue;
        // the buffer just handed over is the one that is not spare now
        for (const QPointF &p : s.buffers[std::size_t(s.spare ^ 1)]) {
            max = std::max(max, p.y());
            min = std::min(min, p.y());
        }
    }
    double top = std::max(min < 0 ? 0.0 : a.minimumTop, max * 1.08);
    double bottom = min * 1.08;
    if (a.symmetric) {
        top = std::max({ a.minimumTop, top, -bottom });
        bottom = -top;
    }
    const double step = niceStep((top - bottom) / m_steps, a.integer);
    top = std::ceil(top / step - 1e-9) * step;
    bottom = std::floor(bottom / step + 1e-9) * step;
    // Grow at once; shrink only when the data fell well within, so the axis does not flicker.
    const double span = top - bottom, oldSpan = a.top - a.bottom;
    const bool inside = a.top > 0 && top <= a.top && bottom >= a.bottom;
    if (inside && span > oldSpan * 0.4)
        return;
    if (top == a.top && bottom == a.bottom)
        return;
    a.top = top;
    a.bottom = bottom;
    setAxis(a.axis, bottom, top, step, labelSuffix(a));
}

void LiveChart::setMarkers(const std::vector<Marker> &markers)
{
    m_markers->setMarkers(markers, m_tMin, m_tMax);
    m_markers->relayout(chart()->plotArea());
}

int LiveChart::pointCount(int series) const { return int(m_series[std::size_t(series)].line->count()); }

QValueAxis *LiveChart::valueAxis(Axis axis) const { return axis == Axis::Left ? m_left.axis : m_right.axis; }

void LiveChart::setTitleText(const QString &title)
{
    if (title == m_title)
        return;
    m_title = title;
    chart()->setTitle(title);
}

void LiveChart::setAlarm(bool alarm)
{
    if (alarm == m_alarm)
        return;
    m_alarm = alarm;
    chart()->setTitleBrush(alarm ? m_alarmColor : m_titleColor);
    chart()->setPlotAreaBackgroundBrush(alarm ? m_alarmPlotColor : m_plotColor);
}

void LiveChart::applyTheme(const Theme &t)
{
    QChart *c = chart();
    m_titleColor = t.text;
    m_alarmColor = t.oversold;
    m_plotColor = t.surface;
    m_alarmPlotColor = t.alarmBackground;
    m_lineWidth = t.lineWidth;
    setBackgroundBrush(t.surface);
    c->setBackgroundBrush(t.surface);
    c->setBackgroundPen(Qt::NoPen);
    c->setPlotAreaBackgroundBrush(m_alarm ? m_alarmPlotColor : m_plotColor);
    c->setTitleFont(t.font(t.chartTitlePointSize, true));
    c->setTitleBrush(m_alarm ? m_alarmColor : m_titleColor);
    c->legend()->setFont(t.font(t.chartLabelPointSize));
    c->legend()->setLabelColor(t.text);

    // Projector mode: no axis titles (Qt Charts gives the value axes together at most 40 % of the
    // width the legend leaves, and cuts their labels to "1…" beyond); the unit moves into the labels.
    m_compactAxes = t.projector;
    for (AxisState *a : { &m_left, &m_right })
        if (a->axis) {
            a->axis->setTitleVisible(!m_compactAxes);
            relabel(*a);
        }
    const QFont labels = t.font(t.chartLabelPointSize);
    const QFont titles = t.font(t.chartLabelPointSize * 0.9);
    QPen axisPen(t.border, 1.2 * t.scale);
    QPen gridPen(t.grid, 1 * t.scale);
    for (QValueAxis *axis : { m_x, m_left.axis, m_right.axis }) {
        if (!axis)
            continue;
        axis->setLabelsFont(labels);
        axis->setLabelsColor(t.mutedText);
        axis->setTitleFont(titles);
        axis->setTitleBrush(t.mutedText);
        axis->setLinePen(axisPen);
        axis->setGridLinePen(gridPen);
        axis->setMinorGridLineVisible(false);
    }
    QFont markerFont = t.font(t.chartLabelPointSize * 0.9, true);
    m_markers->setStyle(t.mutedText, t.text, t.surface, markerFont, 1.5 * t.scale);
    restyleSeries();
}

void LiveChart::setLegendBeside(bool beside)
{
    // large type on a tall panel: the legend beside the plot costs less than a line under it
    chart()->legend()->setAlignment(beside ? Qt::AlignRight : Qt::AlignBottom);
}

void LiveChart::restyleSeries()
{
    for (Series &s : m_series) {
        QPen pen(s.color.isValid() ? s.color : QColor(Qt::gray), m_lineWidth * s.widthFactor);
        // Bevel joins: round ones turn every vertex into curves for the stroker (measured: most of
        // the GUI thread's time went into them).
        pen.setCapStyle(Qt::FlatCap);
        pen.setJoinStyle(Qt::BevelJoin);
        s.line->setPen(pen);
    }
}

void LiveChart::onPlotAreaChanged(const QRectF &area)
{
    // Time labels every 10 s where they fit, every 20 s on a narrow chart.
    const double labelW = QFontMetricsF(m_x->labelsFont()).horizontalAdvance(u"000 s"_s) * 1.4;
    const double interval = area.width() / 6 < labelW ? 20 : 10;
    if (m_x->tickInterval() != interval)
        m_x->setTickInterval(interval);
    // Value labels need a line and a half of height each, or they overlap; a short plot gets fewer
    // intervals, down to just 0 and the top.
    const double labelH = QFontMetricsF(m_left.axis->labelsFont()).height() * 1.6;
    const int steps = std::clamp(int(area.height() / labelH), 1, 4);
    if (steps != m_steps) {
        m_steps = steps;
        relabel(m_left);
        relabel(m_right);
    }
    m_markers->relayout(area);
}

void LiveChart::resizeEvent(QResizeEvent *event)
{
    QChartView::resizeEvent(event);
    m_markers->relayout(chart()->plotArea());
}

void LiveChart::contextMenuEvent(QContextMenuEvent *event)
{
    QMenu menu(this);
    QAction *exportAction = menu.addAction(u"Export this chart (SVG or PNG)…"_s);
    if (menu.exec(event->globalPos()) == exportAction)
        emit exportRequested();
}

} // namespace stampede::ui
