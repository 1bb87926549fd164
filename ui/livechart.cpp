#include "livechart.h"

#include "theme.h"

#include <QCategoryAxis>
#include <QChart>
#include <QContextMenuEvent>
#include <QFontMetricsF>
#include <QGraphicsLayout>
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

QCategoryAxis *newValueAxis()
{
    auto *axis = new QCategoryAxis;
    axis->setLabelsPosition(QCategoryAxis::AxisLabelsPositionOnValue);
    axis->setRange(0, 1);
    return axis;
}

} // namespace

LiveChart::LiveChart(const QString &key, const QString &title, QWidget *parent)
    // The chart goes to the base constructor: QChartView(parent) makes a chart of its own that
    // a later setChart() releases without deleting (one QChart and its title document lost per
    // chart, every compare window).
    : QChartView(new QChart, parent)
    , m_key(key)
    , m_title(title)
{
    setObjectName(key + u"Chart"_s);
    QChart *c = chart(); // the view owns it
    c->setAnimationOptions(QChart::NoAnimation);
    c->setBackgroundRoundness(0);
    c->setMargins(QMargins(4, 2, 4, 2));
    c->setTitle(title);
    c->setPlotAreaBackgroundVisible(true);
    c->legend()->setAlignment(Qt::AlignBottom);
    c->legend()->setMarkerShape(QLegend::MarkerShapeFromSeries);
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
    m_left.scale = axisScale(1, AxisKind::Count);
    c->addAxis(m_left.axis, Qt::AlignLeft);

    m_markers = std::make_unique<MarkerOverlay>(c);
    connect(c, &QChart::plotAreaChanged, this, &LiveChart::onPlotAreaChanged);
}

LiveChart::~LiveChart() = default;

int LiveChart::addSeries(const QString &name, Axis axis, double widthFactor)
{
    if (axis == Axis::Right)
        ensureRightAxis();
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

void LiveChart::setSeriesName(int series, const QString &name)
{
    QLineSeries *line = m_series[std::size_t(series)].line;
    if (line->name() != name) {
        line->setName(name);
        fitText();
    }
}

void LiveChart::setShortTimeAxis(const QString &title)
{
    m_shortTime = true;
    m_x->setTitleText(title);
    updateTimeTicks();
    fitLegend();
}

void LiveChart::ensureRightAxis()
{
    if (m_right.axis)
        return;
    m_right.axis = newValueAxis();
    chart()->addAxis(m_right.axis, Qt::AlignRight);
    // styled like the left one
    QCategoryAxis *left = m_left.axis;
    m_right.axis->setLabelsFont(left->labelsFont());
    m_right.axis->setLabelsBrush(left->labelsBrush());
    m_right.axis->setTitleFont(left->titleFont());
    m_right.axis->setTitleBrush(left->titleBrush());
    m_right.axis->setLinePen(left->linePen());
    m_right.axis->setGridLinePen(left->gridLinePen());
    m_right.axis->setGridLineVisible(false); // the left axis draws the grid
}

void LiveChart::setSeriesColor(int series, const QColor &color)
{
    m_series[std::size_t(series)].color = color;
    restyleSeries();
}

void LiveChart::setSeriesStyle(int series, Qt::PenStyle style)
{
    Series &s = m_series[std::size_t(series)];
    if (s.style == style)
        return;
    s.style = style;
    restyleSeries();
}

void LiveChart::setSeriesAxis(int series, Axis axis)
{
    Series &s = m_series[std::size_t(series)];
    if (s.axis == axis)
        return;
    if (axis == Axis::Right)
        ensureRightAxis();
    s.line->detachAxis(axisState(s.axis).axis);
    s.axis = axis;
    s.line->attachAxis(axisState(axis).axis);
    m_left.top = m_right.top = -1; // both follow other series now
    showAxes();
}

void LiveChart::setSeriesVisible(int series, bool visible)
{
    Series &s = m_series[std::size_t(series)];
    if (s.visible == visible)
        return;
    s.visible = visible;
    s.line->setVisible(visible);
    for (QLegendMarker *m : chart()->legend()->markers(s.line))
        m->setVisible(visible);
    axisState(s.axis).top = -1;
    showAxes();
    fitText();
}

void LiveChart::showAxes()
{
    if (!m_right.axis)
        return;
    bool used = false;
    for (const Series &s : m_series)
        used = used || (s.axis == Axis::Right && s.visible);
    if (m_right.axis->isVisible() == used)
        return;
    m_right.axis->setVisible(used);
    m_left.top = m_right.top = -1; // labels and titles change with the room
}

bool LiveChart::unitsInTitles() const { return m_right.axis && m_right.axis->isVisible(); }

void LiveChart::setAxisTitle(Axis axis, const QString &title, AxisKind kind)
{
    if (axis == Axis::Right)
        ensureRightAxis();
    AxisState &a = axisState(axis);
    if (a.word != title || a.kind != kind) {
        a.word = title;
        a.kind = kind;
        a.top = -1; // the next commit sets range, step, labels and title
    }
    showAxes();
}

void LiveChart::setFixedRange(Axis axis, double min, double max)
{
    AxisState &a = axisState(axis);
    a.fixed = std::pair { min, max };
    a.top = -1;
    rescale(a);
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
    }
    const bool spanChanged = std::abs((tMax - tMin) - (m_tMax - m_tMin)) > 1e-9;
    m_tMin = tMin;
    m_tMax = tMax;
    m_x->setRange(tMin, tMax);
    if (spanChanged || m_ticksStale)
        updateTimeTicks();
    // the labels first: the value axes leave room for their band
    m_markers->setMarkers(m_markerList, tMin, tMax);
    // ranges from the raw points, then the points in the units of their axis' labels
    rescale(m_left);
    if (m_right.axis)
        rescale(m_right);
    for (Series &s : m_series) {
        QList<QPointF> &b = s.buffers[std::size_t(s.spare)];
        const double divisor = axisState(s.axis).scale.divisor;
        if (divisor != 1)
            for (QPointF &p : b)
                p.ry() /= divisor;
        s.line->replace(b);
        s.spare ^= 1;
    }
}

double LiveChart::headroom() const
{
    const double h = chart()->plotArea().height();
    return h > 0 ? std::clamp(m_markers->bandHeight() / h, 0.0, 0.6) : 0.0;
}

void LiveChart::rescale(AxisState &a)
{
    if (!a.axis)
        return;
    const double room = headroom();
    if (a.fixed) {
        if (a.top >= 0 && std::abs(room - a.headroom) < 0.02)
            return;
        const auto [min, max] = *a.fixed;
        a.headroom = room;
        a.scale = axisScale(max, a.kind);
        const double top = max + (max - min) * room / (1 - room);
        a.top = top;
        a.bottom = min;
        setRange(a, min, top, max, niceStep((max - min) / m_steps));
        return;
    }
    double max = 0, min = 0;
    for (const Series &s : m_series) {
        if (&axisState(s.axis) != &a || !s.visible)
            continue;
        for (const QPointF &p : s.buffers[std::size_t(s.spare)]) {
            if (!std::isfinite(p.y()))
                continue;
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
    const AxisScale scale = axisScale(std::max(top, -bottom), a.kind);
    const bool whole = a.integer && scale.divisor == 1;
    double step = niceStep((top - bottom) / m_steps, whole);
    // 1, 2 or 5 × 10^k on a value axis: "0.025" does not fit beside a second axis, "0.05" does
    if (const double p = std::pow(10.0, std::floor(std::log10(step))); std::abs(step / p - 2.5) < 1e-9)
        step = 5 * p;
    // The axis ends a quarter step above the data, not at the next labelled tick: on a short plot
    // with two steps, 480 would otherwise sit under a top of 1000. Labels stop at the last tick.
    // (a step of 1000 over data at 518 would still leave 750: the rounding follows the data)
    const double fine = std::min(step / 4, niceStep((top - bottom) / 8, whole));
    const double quarter = whole ? std::max(1.0, fine) : fine;
    top = std::ceil(top / quarter - 1e-9) * quarter;
    bottom = std::floor(bottom / quarter + 1e-9) * quarter;
    if (a.symmetric)
        bottom = -top;
    // an axis labelled "0" alone says nothing: a step that fits under the top (1, 2 or 5 × 10^k)
    if (top > 0 && step > top + 1e-9) {
        const double p = std::pow(10.0, std::floor(std::log10(top)));
        const double f = top / p;
        step = (f >= 5 ? 5 : f >= 2 ? 2 : 1) * p;
        if (whole)
            step = std::max(1.0, std::floor(step));
    }
    const double labelTop = std::floor(top / step + 1e-9) * step;
    // the data stay below the band the marker labels take
    const double axisTop = top + (top - bottom) * room / (1 - room);
    // Grow at once; shrink only when the data fell well within, so the axis does not flicker.
    const double span = axisTop - bottom, oldSpan = a.top - a.bottom;
    const bool inside = a.top > 0 && axisTop <= a.top && bottom >= a.bottom;
    if (inside && span > oldSpan * 0.4 && room <= a.headroom + 0.02)
        return;
    if (axisTop == a.top && bottom == a.bottom)
        return;
    a.top = axisTop;
    a.bottom = bottom;
    a.headroom = room;
    a.scale = axisScale(std::max(labelTop, -bottom), a.kind);
    setRange(a, bottom, axisTop, labelTop, step);
}

void LiveChart::setRange(AxisState &a, double bottom, double top, double labelTop, double step)
{
    QCategoryAxis *axis = a.axis;
    const double d = a.scale.divisor;
    bool bare = unitsInTitles();
    const QString title = bare ? axisTitle(a.word, a.scale, a.kind) : a.word;
    if (axis->titleText() != title)
        axis->setTitleText(title);
    // A rotated title longer than the plot is tall would read "u…": there the unit goes back
    // into the labels (projector mode on a small screen), everywhere else the title shows.
    a.titleShown = titleFits(a);
    if (axis->isTitleVisible() != a.titleShown)
        axis->setTitleVisible(a.titleShown);
    bare = bare && a.titleShown;
    const AxisScale labels = bare ? AxisScale { d, {} } : a.scale;
    for (const QString &label : axis->categoriesLabels())
        axis->remove(label);
    axis->setStartValue((bottom - step) / d);
    const double first = std::ceil(bottom / step - 1e-9) * step;
    for (int i = 0;; ++i) {
        const double v = first + i * step;
        if (v > labelTop + step * 1e-6 || i > 40)
            break;
        axis->append(axisLabel(v, labels), v / d);
    }
    axis->setRange(bottom / d, top / d);
}

bool LiveChart::titleFits(const AxisState &a) const
{
    const double h = chart()->plotArea().height();
    if (!(h > 0))
        return true;
    const QString title = a.axis->titleText();
    // a narrow chart (five across 1366 px in projector type) keeps its width for the labels:
    // a rotated title there costs a line of width the numbers need
    const double line = QFontMetricsF(a.axis->labelsFont()).height();
    if (width() < kTitleMinWidthLines * line) // the view's width: the plot's would follow the title
        return false;
    return QFontMetricsF(a.axis->titleFont()).horizontalAdvance(title) + 4 <= h;
}

QStringList LiveChart::axisLabels(Axis axis) const
{
    const AxisState &a = axisState(axis);
    return a.axis ? a.axis->categoriesLabels() : QStringList();
}

void LiveChart::updateTimeTicks()
{
    // Time labels as often as they fit: every 5 s on a wide chart of a short run, 10, 20 or 30 s
    // on narrower ones.
    const QRectF area = chart()->plotArea();
    const double labelW = QFontMetricsF(m_x->labelsFont()).horizontalAdvance(u"000 s"_s) * 1.4;
    const double span = m_tMax - m_tMin;
    const int fit = std::max(2, int(area.width() / std::max(1.0, labelW)));
    static const std::vector<double> run { 5, 10, 15, 20, 30 };
    static const std::vector<double> brief { 0.1, 0.2, 0.5, 1, 2, 5, 10, 15, 20, 30 };
    m_ticksStale = false;
    // A finer interval than the current one must fit with a label to spare: its labels change
    // the plot's width, and without the margin two intervals could take turns frame by frame.
    const double current = m_x->tickInterval();
    double interval = 60;
    for (const double candidate : m_shortTime ? brief : run)
        if (span / candidate + 1 <= fit - (candidate < current ? 1 : 0)) {
            interval = candidate;
            break;
        }
    if (m_x->tickInterval() != interval)
        m_x->setTickInterval(interval);
    const QString format = interval < 1 ? u"%.1f s"_s : u"%.0f s"_s;
    if (m_x->labelFormat() != format)
        m_x->setLabelFormat(format);
}

void LiveChart::setMarkers(const std::vector<Marker> &markers)
{
    QList<ChartMarker> list;
    list.reserve(qsizetype(markers.size()));
    for (const Marker &m : markers)
        list << chartMarker(m);
    setMarkers(list);
}

void LiveChart::setMarkers(const QList<ChartMarker> &markers)
{
    m_markerList = markers;
    m_markers->setMarkers(markers, m_tMin, m_tMax);
    m_markers->relayout(chart()->plotArea());
}

int LiveChart::pointCount(int series) const { return int(m_series[std::size_t(series)].line->count()); }

QValueAxis *LiveChart::valueAxis(Axis axis) const { return axis == Axis::Left ? m_left.axis : m_right.axis; }

QRectF LiveChart::plotArea() const { return chart()->plotArea(); }

QRectF LiveChart::labelBand() const
{
    const QRectF plot = chart()->plotArea();
    return QRectF(plot.left(), plot.top(), plot.width(), std::min(plot.height(), m_markers->bandHeight()));
}

void LiveChart::setTitleText(const QString &title)
{
    if (title == m_title)
        return;
    m_title = title;
    fitText();
}

double LiveChart::titleRoom() const
{
    // the chart's width less its margins, its layout's contents margins and the title text's
    // own padding (a few px a side in Qt Charts); past this Qt Charts elides the title
    const QMargins m = chart()->margins();
    qreal left = 0, top = 0, right = 0, bottom = 0;
    if (chart()->layout())
        chart()->layout()->getContentsMargins(&left, &top, &right, &bottom);
    return width() - m.left() - m.right() - left - right - 8;
}

double LiveChart::legendNeeds(const QFont &font) const
{
    // each entry: its marker (about a line square), a gap, the name, the spacing to the next
    const QFontMetricsF fm(font);
    const bool beside = chart()->legend()->alignment() == Qt::AlignRight;
    double sum = 0, widest = 0;
    for (const Series &s : m_series) {
        if (!s.visible)
            continue;
        const double entry = fm.horizontalAdvance(s.line->name()) + 1.5 * fm.height() + 12;
        sum += entry;
        widest = std::max(widest, entry);
    }
    return (beside ? widest : sum) + 10;
}

void LiveChart::fitText()
{
    if (m_titleFont == QFont()) { // before the theme: nothing to fit to
        if (chart()->title() != m_title)
            chart()->setTitle(m_title);
        return;
    }
    // hysteresis of two characters: a title whose value grows by a digit does not flicker
    const bool smallTitle = chart()->titleFont() == m_smallTitleFont;
    const double slack = smallTitle ? 2 * QFontMetricsF(m_titleFont).averageCharWidth() : 0;
    const bool titleFits = QFontMetricsF(m_titleFont).horizontalAdvance(m_title) + slack <= titleRoom();
    const QFont &title = titleFits ? m_titleFont : m_smallTitleFont;
    if (chart()->titleFont() != title)
        chart()->setTitleFont(title);
    // still too long in the smaller type: the last " · " parts go (the value after the name
    // stays longest), never a cut word
    QString shown = m_title;
    const QFontMetricsF fm(title);
    while (fm.horizontalAdvance(shown) > titleRoom()) {
        const qsizetype dot = shown.lastIndexOf(u" · "_s);
        if (dot <= 0)
            break;
        shown.truncate(dot);
    }
    if (chart()->title() != shown)
        chart()->setTitle(shown);
    const bool beside = chart()->legend()->alignment() == Qt::AlignRight;
    // beside the plot the legend may take about a third of the width, the plot keeps the rest
    const double legendRoom = beside ? width() * 0.36 : titleRoom();
    const QFont &legend = legendNeeds(m_legendFont) <= legendRoom ? m_legendFont : m_smallLegendFont;
    if (chart()->legend()->font() != legend)
        chart()->legend()->setFont(legend);
    // Qt Charts gives a legend beside the plot less than its names need and cuts them: it gets
    // its width (at most the room above)
    const double need = beside ? std::min(legendNeeds(legend), legendRoom) : 0;
    if (chart()->legend()->minimumWidth() != need)
        chart()->legend()->setMinimumWidth(need);
}

bool LiveChart::titleWhole() const
{
    return QFontMetricsF(chart()->titleFont()).horizontalAdvance(chart()->title()) <= titleRoom() + 0.5;
}

bool LiveChart::legendWhole() const
{
    const QLegend *l = chart()->legend();
    return !l->isVisible() || legendNeeds(l->font()) <= l->geometry().width() + 0.5;
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
    m_titleFont = t.font(t.chartTitlePointSize, true);
    m_smallTitleFont = t.font(std::max(t.minLabelPointSize, t.chartLabelPointSize), true);
    m_legendFont = t.font(t.chartLabelPointSize);
    m_smallLegendFont = t.font(t.minLabelPointSize);
    c->setTitleFont(m_titleFont);
    c->setTitleBrush(m_alarm ? m_alarmColor : m_titleColor);
    c->legend()->setFont(m_legendFont);
    c->legend()->setLabelColor(t.text);
    fitText();
    fitLegend();

    // Axis titles in every mode (projector too): the labels carry only a prefix or a time unit
    // ("15 k", "2 s"), short enough that Qt Charts' cap on the axes' width leaves them whole.
    const QFont labels = t.font(t.chartLabelPointSize);
    const QFont titles = t.font(std::max(t.minLabelPointSize, t.chartLabelPointSize * 0.9));
    QPen axisPen(t.border, 1.2 * t.scale);
    QPen gridPen(t.grid, 1 * t.scale);
    for (QValueAxis *axis : { m_x, static_cast<QValueAxis *>(m_left.axis), static_cast<QValueAxis *>(m_right.axis) }) {
        if (!axis)
            continue;
        axis->setLabelsFont(labels);
        // a short plot made Qt Charts cut the time labels ("0 s") to "..."; they are short by
        // design (value axes keep the cut: their width is capped, a long label would leave the view)
        axis->setTruncateLabels(axis != m_x);
        axis->setLabelsColor(t.mutedText);
        axis->setTitleFont(titles);
        axis->setTitleBrush(t.mutedText);
        axis->setLinePen(axisPen);
        axis->setGridLinePen(gridPen);
        axis->setMinorGridLineVisible(false);
    }
    if (m_right.axis)
        m_right.axis->setGridLineVisible(false);
    QFont markerFont = t.font(std::max(t.minLabelPointSize, t.chartLabelPointSize * 0.9), true);
    m_markers->setStyle(t.mutedText, t.text, t.surface, markerFont, 1.5 * t.scale);
    m_left.top = -1;
    m_right.top = -1;
    updateTimeTicks();
    restyleSeries();
}

void LiveChart::setLegendBeside(bool beside)
{
    // large type on a tall panel: the legend beside the plot costs less than a line under it
    chart()->legend()->setAlignment(beside ? Qt::AlignRight : Qt::AlignBottom);
    fitText();
    fitLegend();
}

void LiveChart::restyleSeries()
{
    for (Series &s : m_series) {
        QPen pen(s.color.isValid() ? s.color : QColor(Qt::gray), m_lineWidth * s.widthFactor);
        pen.setStyle(s.style);
        // Bevel joins: round ones turn every vertex into curves for the stroker (measured: most of
        // the GUI thread's time went into them).
        pen.setCapStyle(Qt::FlatCap);
        pen.setJoinStyle(Qt::BevelJoin);
        s.line->setPen(pen);
    }
}

void LiveChart::onPlotAreaChanged(const QRectF &area)
{
    m_ticksStale = true; // chosen at the next commit, outside the layout (m_ticksStale)
    // Value labels need a line and a half of height each, or they overlap; a short plot gets fewer
    // intervals, down to just 0 and the top.
    const double labelH = QFontMetricsF(m_left.axis->labelsFont()).height() * 1.6;
    const int steps = std::clamp(int(area.height() * (1 - headroom()) / labelH), 1, 4);
    if (steps != m_steps) {
        m_steps = steps;
        m_left.top = -1;
        m_right.top = -1;
    }
    for (AxisState *a : { &m_left, &m_right })
        if (a->axis && titleFits(*a) != a->titleShown)
            a->top = -1; // the next commit shows or hides the title and relabels

    m_markers->relayout(area);
}

bool LiveChart::legendShown() const { return chart()->legend()->isVisible(); }

void LiveChart::fitLegend()
{
    // a chart too short for title, legend, time axis and a readable plot gives up the legend
    // first (the colours are the counters' and the title names the main series)
    const double label = QFontMetricsF(chart()->legend()->font()).height();
    const bool beside = chart()->legend()->alignment() == Qt::AlignRight;
    const bool show = beside || height() >= kLegendLines * label;
    if (chart()->legend()->isVisible() != show)
        chart()->legend()->setVisible(show);
    // the short time axis' title ("since the post") only where the plot keeps its height
    const bool timeTitle = m_shortTime && !m_x->titleText().isEmpty() && height() >= kTimeTitleLines * label;
    if (m_shortTime && m_x->isTitleVisible() != timeTitle)
        m_x->setTitleVisible(timeTitle);
}

void LiveChart::resizeEvent(QResizeEvent *event)
{
    QChartView::resizeEvent(event);
    fitText();
    fitLegend();
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
