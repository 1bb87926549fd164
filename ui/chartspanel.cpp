#include "chartspanel.h"

#include "chartspec.h"
#include "format.h"
#include "livechart.h"
#include "theme.h"
#include "tiers.h"

#include "metrics.h"

#include <QGridLayout>
#include <QSignalBlocker>
#include <QStackedWidget>
#include <QTabBar>
#include <QVBoxLayout>

#include <algorithm>
#include <cmath>
#include <limits>

using namespace Qt::StringLiterals;

namespace stampede::ui {

namespace {

const ChartSpec &specAt(int index) { return chartSpecs()[std::size_t(index)]; }

void applyAxis(LiveChart *chart, LiveChart::Axis axis, const AxisSpec &a)
{
    chart->setAxisTitle(axis, a.title, a.kind);
    chart->setMinimumTop(axis, a.minimumTop);
    chart->setSymmetric(axis, a.symmetric);
    chart->setIntegerSteps(axis, a.integer);
    if (a.fixed)
        chart->setFixedRange(axis, a.fixed->first, a.fixed->second);
}

} // namespace

ChartsPanel::ChartsPanel(QWidget *parent)
    : QWidget(parent)
{
    setObjectName(u"chartsPanel"_s);
    auto *outer = new QVBoxLayout(this);
    outer->setContentsMargins(6, 0, 6, 4);
    outer->setSpacing(0);
    m_tabs = new QTabBar;
    m_tabs->setObjectName(u"chartPages"_s);
    m_tabs->setDrawBase(false);
    m_tabs->setDocumentMode(true);
    m_tabs->setExpanding(false);
    m_tabs->setFocusPolicy(Qt::NoFocus); // the one-key actions stay with the window
    m_tabs->addTab(u"Flash sale"_s);
    m_tabs->addTab(u"Cache && queue"_s);
    m_tabs->addTab(u"Fan-out"_s);
    m_tabs->setTabToolTip(FlashSalePage, u"Throughput, latency, stock, OVERSOLD, row lock (G switches)"_s);
    m_tabs->setTabToolTip(
        CacheQueuePage, u"Hit ratio, orders in/out, queue backlog, divergence, stale reads (G switches)"_s);
    m_tabs->setTabToolTip(
        FanoutPage, u"How fast a celebrity's post reaches her followers, read latency, work, backlog, stale reads"_s);
    m_stack = new QStackedWidget;
    outer->addWidget(m_tabs, 0, Qt::AlignLeft);
    outer->addWidget(m_stack, 1);
    for (int i = 0; i < PageCount; ++i) {
        m_pages[std::size_t(i)] = new QWidget;
        m_grids[std::size_t(i)] = new QGridLayout(m_pages[std::size_t(i)]);
        m_grids[std::size_t(i)]->setContentsMargins(0, 4, 0, 0);
        m_grids[std::size_t(i)]->setSpacing(6);
        m_stack->addWidget(m_pages[std::size_t(i)]);
    }
    connect(m_tabs, &QTabBar::currentChanged, this, &ChartsPanel::setPage);

    for (const ChartSpec &spec : chartSpecs()) {
        // Parented to its page from the start: a chart the page never lays out (a workload's
        // charts that are not in use) must still go with the window.
        auto *chart = new LiveChart(spec.key, spec.title, m_pages[std::size_t(spec.page)]);
        for (const SeriesSpec &series : spec.series)
            chart->addSeries(series.name, series.axis, series.widthFactor);
        applyAxis(chart, LiveChart::Axis::Left, spec.left);
        if (!spec.right.title.isEmpty())
            applyAxis(chart, LiveChart::Axis::Right, spec.right);
        for (int i = 0; i < int(spec.series.size()); ++i)
            chart->setSeriesVisible(i, !spec.series[std::size_t(i)].inUse); // shown once in use
        if (spec.sincePost)
            chart->setShortTimeAxis(u"since the post"_s);
        m_pageCharts[std::size_t(spec.page)] << chart;
        m_charts << chart;
    }
    m_split.assign(std::size_t(m_charts.size()), false);
    for (int i = 0; i < m_charts.size(); ++i)
        connect(m_charts[i], &LiveChart::exportRequested, this, [this, i] { emit exportRequested(i); });
    m_stale.assign(std::size_t(m_charts.size()), false);
    setRows(1);
    applyTheme(Theme::make(false, false));
    setWorkload(WorkloadKind::FlashSale);
}

void ChartsPanel::setWorkload(WorkloadKind workload)
{
    m_workload = workload;
    m_curves.clear();
    for (int page = 0; page < PageCount; ++page)
        m_tabs->setTabVisible(page, pageAvailable(page));
    if (!pageAvailable(this->page()))
        setPage(workload == WorkloadKind::Fanout ? FanoutPage : FlashSalePage);
}

bool ChartsPanel::pageAvailable(int page) const
{
    if (page < 0 || page >= PageCount)
        return false;
    return (page == FanoutPage) == (m_workload == WorkloadKind::Fanout);
}

int ChartsPanel::pageCount() const
{
    int n = 0;
    for (int page = 0; page < PageCount; ++page)
        n += pageAvailable(page) ? 1 : 0;
    return n;
}

void ChartsPanel::nextPage()
{
    for (int k = 1; k <= PageCount; ++k)
        if (const int next = (page() + k) % PageCount; pageAvailable(next)) {
            setPage(next);
            return;
        }
}

void ChartsPanel::setRows(int rows)
{
    rows = std::clamp(rows, 1, 2);
    if (rows == m_rows)
        return;
    m_rows = rows;
    for (int page = 0; page < PageCount; ++page)
        layoutPage(page);
}

void ChartsPanel::setLegendBeside(bool beside)
{
    if (beside == m_legendBeside)
        return;
    m_legendBeside = beside;
    for (LiveChart *c : std::as_const(m_charts))
        c->setLegendBeside(beside);
}

void ChartsPanel::layoutPage(int page)
{
    QGridLayout *grid = m_grids[std::size_t(page)];
    QList<LiveChart *> list;
    for (LiveChart *c : m_pageCharts[std::size_t(page)]) {
        grid->removeWidget(c);
        c->setHidden(!isShown(c));
        if (isShown(c))
            list << c;
    }
    for (int c = 0; c < grid->columnCount(); ++c)
        grid->setColumnStretch(c, 0);
    for (int r = 0; r < grid->rowCount(); ++r)
        grid->setRowStretch(r, 0);
    const int n = int(list.size());
    if (m_rows == 1 || n <= 2) {
        for (int i = 0; i < n; ++i) {
            grid->addWidget(list[i], 0, i);
            const int stretch = specAt(int(m_charts.indexOf(list[i]))).stretch;
            grid->setColumnStretch(i, m_wide.contains(list[i]) ? std::max(stretch, 4) : stretch);
        }
        grid->setRowStretch(0, 1);
        return;
    }
    // 6 grid columns: the first half of the charts above (three or two), the rest below
    const int above = (n + 1) / 2, below = n - above;
    for (int i = 0; i < n; ++i) {
        if (i < above)
            grid->addWidget(list[i], 0, i * (6 / above), 1, 6 / above);
        else
            grid->addWidget(list[i], 1, (i - above) * (6 / below), 1, 6 / below);
    }
    for (int c = 0; c < 6; ++c)
        grid->setColumnStretch(c, 1);
    grid->setRowStretch(0, 1);
    grid->setRowStretch(1, 1);
}

bool ChartsPanel::showChartsInUse(const Snapshot &s)
{
    QList<const LiveChart *> hidden, wide;
    for (int i = 0; i < m_charts.size(); ++i) {
        const ChartSpec &spec = specAt(i);
        if (spec.inUse && !spec.inUse(s))
            hidden << m_charts[i];
        if (spec.wide && spec.wide(s))
            wide << m_charts[i];
    }
    if (hidden == m_hidden && wide == m_wide)
        return false;
    m_hidden = hidden;
    m_wide = wide;
    for (int page = 0; page < PageCount; ++page)
        layoutPage(page);
    return true;
}

void ChartsPanel::setRunLength(double seconds)
{
    m_curves.clear(); // a new run
    m_runLength = std::isfinite(seconds) && seconds > 0 ? seconds : 0;
    m_stale.assign(std::size_t(m_charts.size()), true);
}

std::pair<double, double> ChartsPanel::timeWindow(const Snapshot &s) const
{
    // a short lesson fills the width; past its end the axis grows to the window, then slides
    const double span = m_runLength > 0 && m_runLength < kWindowS ? m_runLength : kWindowS;
    const double now = s.recent.empty() ? 0 : s.recent.back().t;
    if (now <= span)
        return { 0, span };
    if (now <= kWindowS)
        return { 0, now };
    return { now - kWindowS, now };
}

int ChartsPanel::page() const { return m_stack->currentIndex(); }

void ChartsPanel::setPage(int page)
{
    page = std::clamp(page, 0, int(PageCount) - 1);
    if (!pageAvailable(page))
        return;
    if (m_tabs->currentIndex() != page) {
        const QSignalBlocker block(m_tabs);
        m_tabs->setCurrentIndex(page);
    }
    if (m_stack->currentIndex() == page)
        return;
    m_stack->setCurrentIndex(page);
    // the page's charts skipped snapshots while hidden: bring them up to date at once
    if (m_pending)
        for (LiveChart *c : m_pageCharts[std::size_t(page)]) {
            const int i = int(m_charts.indexOf(c));
            if (m_stale[std::size_t(i)]) {
                updateChart(i, *m_pending);
                m_stale[std::size_t(i)] = false;
            }
        }
    emit pageChanged(page);
}

int ChartsPanel::pageOf(const LiveChart *chart) const
{
    for (int page = 0; page < PageCount; ++page)
        if (m_pageCharts[std::size_t(page)].contains(chart))
            return page;
    return -1;
}

LiveChart *ChartsPanel::chart(const QString &key) const
{
    for (LiveChart *c : m_charts)
        if (c->key() == key)
            return c;
    return nullptr;
}

int ChartsPanel::maxSeriesPoints() const
{
    int n = 0;
    for (const LiveChart *c : m_charts)
        for (int i = 0; i < c->seriesCount(); ++i)
            n = std::max(n, c->pointCount(i));
    return n;
}

void ChartsPanel::setSnapshot(std::shared_ptr<const Snapshot> s)
{
    m_pending = std::move(s);
    m_stale.assign(std::size_t(m_charts.size()), true);
    if (m_pending) {
        m_curves.follow(*m_pending);
        showChartsInUse(*m_pending);
        showPageAlarms(*m_pending);
        // titles read the snapshot the counters show now, even where a chart redraws a frame later
        for (int i = 0; i < m_charts.size(); ++i)
            if (pageOf(m_charts[i]) == page() && isShown(m_charts[i]))
                updateTitle(i, *m_pending);
    }
}

int ChartsPanel::refresh(int maxCharts)
{
    if (!m_pending)
        return 0;
    int done = 0;
    const int n = int(m_charts.size());
    const int shown = page();
    for (int k = 0; k < n && done < maxCharts; ++k) {
        const int i = (m_next + k) % n;
        if (!m_stale[std::size_t(i)] || pageOf(m_charts[i]) != shown || !isShown(m_charts[i]))
            continue;
        updateChart(i, *m_pending);
        m_stale[std::size_t(i)] = false;
        ++done;
        m_next = (i + 1) % n;
    }
    return done;
}

void ChartsPanel::catchUp()
{
    if (!m_pending)
        return;
    for (int i = 0; i < m_charts.size(); ++i)
        if (m_stale[std::size_t(i)]) {
            updateChart(i, *m_pending);
            m_stale[std::size_t(i)] = false;
        }
}

void ChartsPanel::showSnapshot(const Snapshot &s)
{
    m_curves.follow(s);
    showChartsInUse(s);
    for (int i = 0; i < m_charts.size(); ++i)
        updateChart(i, s);
    m_stale.assign(std::size_t(m_charts.size()), false);
    showPageAlarms(s);
}

void ChartsPanel::showPageAlarms(const Snapshot &s)
{
    // a value that must stay at 0 went above it: the tab says so even when its page is hidden
    const TickSample last = s.recent.empty() ? TickSample {} : s.recent.back();
    const bool alarms[PageCount]
        = { last.store->oversold > 0, last.queue->duplicatesTotal > 0, last.fanout->duplicatesTotal > 0 };
    for (int page = 0; page < PageCount; ++page) {
        const QColor colour = alarms[page] ? m_tabAlarm : m_tabText;
        if (m_tabs->tabTextColor(page) != colour)
            m_tabs->setTabTextColor(page, colour);
    }
}

void ChartsPanel::updateTitle(int index, const Snapshot &s)
{
    const ChartSpec &spec = specAt(index);
    LiveChart *chart = m_charts[index];
    if (spec.titleText)
        chart->setTitleText(spec.titleText(s));
    if (spec.alarm)
        chart->setAlarm(spec.alarm(s));
}

void ChartsPanel::updateVisibility(int index, const Snapshot &s)
{
    LiveChart *chart = m_charts[index];
    const double span = m_curves.span();
    for (int i = 0; i < VisibilityCurves::kCurves && i < chart->seriesCount(); ++i) {
        const VisibilityCurves::Curve *c = m_curves.curve(i);
        QList<QPointF> &points = chart->beginSeries(i);
        if (c) {
            for (const QPointF &p : c->points)
                if (p.x() <= span + 1e-9)
                    points.append(p);
            chart->setSeriesName(i, u"post at "_s + QString::number(c->runAtS, 'f', c->runAtS < 10 ? 1 : 0) + u" s"_s);
        }
        chart->setSeriesVisible(i, c != nullptr);
    }
    // the newest post's 50, 99 and 100 % points once reached: the engine's delivery delays when
    // every follower has it (then its quantiles are those times), else where the curve crossed
    QList<ChartMarker> markers;
    const VisibilityCurves::Curve *newest = m_curves.newest();
    if (newest && !newest->pulled) {
        const TrackedPostView *done = nullptr;
        if (s.fanout)
            for (const TrackedPostView &p : s.fanout->tracked)
                if (p.post == newest->post && p.followers > 0 && p.delivered >= std::int64_t(p.followers))
                    done = &p;
        const std::pair<double, QString> levels[] = { { 50, u"50 %"_s }, { 99, u"99 %"_s }, { 100, u"100 %"_s } };
        for (int k = 0; k < 3; ++k) {
            const auto &[level, label] = levels[k];
            std::optional<double> at;
            if (done)
                at = (k == 0 ? done->p50Ms : k == 1 ? done->p99Ms : done->maxMs) / 1000;
            else
                at = VisibilityCurves::crossing(*newest, level);
            if (at)
                markers.append({ *at, label, 2 + k });
        }
    }
    std::stable_sort(
        markers.begin(), markers.end(), [](const ChartMarker &a, const ChartMarker &b) { return a.t < b.t; });
    chart->setMarkers(markers);
    chart->commit(0, span);
    updateTitle(index, s);
}

void ChartsPanel::updateChart(int index, const Snapshot &s)
{
    const ChartSpec &spec = specAt(index);
    LiveChart *chart = m_charts[index];
    if (spec.sincePost) {
        updateVisibility(index, s);
        return;
    }
    // the window only, whatever the snapshot carries
    const auto [tMin, tMax] = timeWindow(s);
    const auto &recent = s.recent;
    auto begin = recent.end();
    while (begin != recent.begin() && (begin - 1)->t >= tMin - 1e-9)
        --begin;
    const auto end = recent.end();
    const int n = int(spec.series.size());

    for (int i = 0; i < n; ++i) {
        const SeriesSpec &series = spec.series[std::size_t(i)];
        chart->setSeriesVisible(i, !series.inUse || series.inUse(s));
    }
    if (spec.split > 0) {
        // refusals that dwarf the answers get their own axis (and back, with hysteresis)
        double primary = 0, secondary = 0;
        for (auto it = begin; it != end; ++it)
            for (int i = 0; i < n; ++i) {
                const SeriesSpec &series = spec.series[std::size_t(i)];
                const double v = series.value(*it).value_or(0);
                (series.role == SeriesRole::Primary ? primary : secondary)
                    = std::max(series.role == SeriesRole::Primary ? primary : secondary, v);
            }
        const double ratio = m_split[std::size_t(index)] ? spec.split / 2 : spec.split;
        const bool split = secondary > ratio * std::max(primary, spec.left.minimumTop);
        m_split[std::size_t(index)] = split;
        for (int i = 0; i < n; ++i)
            if (spec.series[std::size_t(i)].role == SeriesRole::Secondary)
                chart->setSeriesAxis(i, split ? LiveChart::Axis::Right : spec.series[std::size_t(i)].axis);
        chart->setAxisTitle(LiveChart::Axis::Left, split ? u"ok req/s"_s : spec.left.title, spec.left.kind);
        chart->setAxisTitle(LiveChart::Axis::Right, spec.splitTitle, spec.left.kind);
    }

    constexpr double gap = std::numeric_limits<double>::quiet_NaN();
    for (int i = 0; i < n; ++i) {
        const TickValue value = spec.series[std::size_t(i)].value;
        QList<QPointF> &points = chart->beginSeries(i);
        for (auto it = begin; it != end; ++it)
            points.append({ it->t, value(*it).value_or(gap) });
    }

    QList<ChartMarker> markers;
    markers.reserve(qsizetype(s.markers.size()) + 4);
    for (const Marker &m : s.markers)
        if (m.t >= tMin)
            markers << chartMarkerFor(m, spec.keysMoved);
    if (spec.dataMarkers) {
        QList<ChartMarker> data;
        spec.dataMarkers(s, data);
        for (const ChartMarker &m : std::as_const(data))
            if (m.t >= tMin)
                markers << m;
        std::stable_sort(
            markers.begin(), markers.end(), [](const ChartMarker &a, const ChartMarker &b) { return a.t < b.t; });
    }
    chart->setMarkers(markers);
    chart->commit(tMin, tMax);
    updateTitle(index, s);
}

void ChartsPanel::applyTheme(const Theme &theme)
{
    m_projector = theme.projector;
    for (LiveChart *c : std::as_const(m_charts)) {
        c->applyTheme(theme);
        c->setLegendBeside(m_legendBeside);
    }
    applyColors(theme);
    QPalette p = palette();
    p.setColor(QPalette::Window, theme.window);
    setPalette(p);
    m_tabs->setFont(theme.font(theme.chartLabelPointSize, true)); // a tab row costs chart height
    m_tabText = theme.text;
    m_tabAlarm = theme.oversold;
    for (int page = 0; page < PageCount; ++page)
        if (m_tabs->tabTextColor(page) != m_tabAlarm)
            m_tabs->setTabTextColor(page, m_tabText);
}

void ChartsPanel::applyColors(const Theme &t)
{
    for (int c = 0; c < m_charts.size(); ++c) {
        const ChartSpec &spec = specAt(c);
        for (int i = 0; i < int(spec.series.size()); ++i)
            m_charts[c]->setSeriesColor(i, t.*(spec.series[std::size_t(i)].color));
    }
}

} // namespace stampede::ui
