#include "chartspanel.h"

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

using namespace Qt::StringLiterals;

namespace stampede::ui {

namespace {

enum ThroughputSeries { Succeeded, SoldOut, RateLimited, Failed };
enum LatencySeries { P50, P95, P99 };
enum StockSeries { Remaining, Sold };
enum LockSeries { LockWait, Utilisation };
enum HitSeries { HitRatio, StoreReads };
enum OrderSeries { Enqueued, Dequeued };
enum BacklogSeries { Backlog, Lag };
enum DivergenceSeries { CacheStock, StoreStock, Divergence };
enum AnomalySeries { StaleReads, Duplicates };

// Big numbers on an axis read badly ("1500000000"): values are divided and the unit says so.
struct AxisUnit {
    double divisor = 1;
    QString title;
    QString suffix; // on the labels where axis titles are hidden: " k", " M", " G"
};

AxisUnit axisUnit(double peak, const QString &unit)
{
    if (peak >= 2e9)
        return { 1e9, u"G "_s + unit, u" G"_s };
    if (peak >= 2e6)
        return { 1e6, u"M "_s + unit, u" M"_s };
    if (peak >= 2e3)
        return { 1e3, u"k "_s + unit, u" k"_s };
    return { 1, unit, {} };
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
    m_tabs->setTabToolTip(FlashSalePage, u"Throughput, latency, stock, OVERSOLD, row lock (G switches)"_s);
    m_tabs->setTabToolTip(
        CacheQueuePage, u"Hit ratio, orders in/out, queue backlog, divergence, stale reads (G switches)"_s);
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

    m_throughput = new LiveChart(u"throughput"_s, u"Throughput by outcome"_s);
    m_throughput->addSeries(u"ok"_s);
    m_throughput->addSeries(u"sold out"_s);
    m_throughput->addSeries(u"limited"_s);
    m_throughput->addSeries(u"failed"_s);
    m_throughput->setAxisTitle(LiveChart::Axis::Left, u"req/s"_s);
    m_throughput->setMinimumTop(LiveChart::Axis::Left, 1);

    m_latency = new LiveChart(u"latency"_s, u"Latency"_s);
    m_latency->addSeries(u"p50"_s);
    m_latency->addSeries(u"p95"_s);
    m_latency->addSeries(u"p99"_s);
    m_latency->setAxisTitle(LiveChart::Axis::Left, u"ms"_s, u" ms"_s);
    m_latency->setMinimumTop(LiveChart::Axis::Left, 1);

    m_stock = new LiveChart(u"stock"_s, u"Stock"_s);
    m_stock->addSeries(u"remaining"_s);
    m_stock->addSeries(u"sold"_s);
    m_stock->setAxisTitle(LiveChart::Axis::Left, u"units"_s);
    m_stock->setMinimumTop(LiveChart::Axis::Left, 10);

    m_oversold = new LiveChart(u"oversold"_s, u"OVERSOLD"_s);
    m_oversold->addSeries(u"oversold"_s, LiveChart::Axis::Left, 1.6);
    m_oversold->setAxisTitle(LiveChart::Axis::Left, u"units"_s);
    m_oversold->setMinimumTop(LiveChart::Axis::Left, 10);

    m_lock = new LiveChart(u"lock"_s, u"Row lock & utilisation"_s);
    m_lock->addSeries(u"lock wait"_s);
    m_lock->addSeries(u"utilisation"_s, LiveChart::Axis::Right);
    m_lock->setAxisTitle(LiveChart::Axis::Left, u"lock wait ms"_s, u" ms"_s);
    m_lock->setAxisTitle(LiveChart::Axis::Right, u"busy %"_s, u"%"_s);
    m_lock->setMinimumTop(LiveChart::Axis::Left, 0.1);
    m_lock->setFixedRange(LiveChart::Axis::Right, 0, 100);

    m_hits = new LiveChart(u"hits"_s, u"Cache hit ratio"_s);
    m_hits->addSeries(u"hit %"_s, LiveChart::Axis::Left, 1.3);
    m_hits->addSeries(u"store reads"_s, LiveChart::Axis::Right);
    m_hits->setAxisTitle(LiveChart::Axis::Left, u"hit %"_s, u"%"_s);
    m_hits->setAxisTitle(LiveChart::Axis::Right, u"reads/s"_s);
    m_hits->setFixedRange(LiveChart::Axis::Left, 0, 100);
    m_hits->setMinimumTop(LiveChart::Axis::Right, 1);

    m_orders = new LiveChart(u"orders"_s, u"Orders in & persisted"_s);
    m_orders->addSeries(u"queued"_s);
    m_orders->addSeries(u"persisted"_s);
    m_orders->setAxisTitle(LiveChart::Axis::Left, u"orders/s"_s);
    m_orders->setMinimumTop(LiveChart::Axis::Left, 1);

    m_backlog = new LiveChart(u"backlog"_s, u"Queue backlog & lag"_s);
    m_backlog->addSeries(u"backlog"_s);
    m_backlog->addSeries(u"lag"_s, LiveChart::Axis::Right);
    m_backlog->setAxisTitle(LiveChart::Axis::Left, u"orders"_s);
    m_backlog->setAxisTitle(LiveChart::Axis::Right, u"lag ms"_s, u" ms"_s);
    m_backlog->setMinimumTop(LiveChart::Axis::Left, 1);
    m_backlog->setMinimumTop(LiveChart::Axis::Right, 10);

    m_divergence = new LiveChart(u"divergence"_s, u"Cache vs store stock"_s);
    m_divergence->addSeries(u"cache"_s);
    m_divergence->addSeries(u"store"_s);
    m_divergence->addSeries(u"gap"_s, LiveChart::Axis::Right, 1.3);
    m_divergence->setAxisTitle(LiveChart::Axis::Left, u"units"_s);
    m_divergence->setAxisTitle(LiveChart::Axis::Right, u"gap"_s);
    m_divergence->setMinimumTop(LiveChart::Axis::Left, 1);
    m_divergence->setMinimumTop(LiveChart::Axis::Right, 1);
    // the gap goes below 0 while orders wait, above when a counter was reset: 0 in the middle
    m_divergence->setSymmetric(LiveChart::Axis::Right, true);

    m_anomalies = new LiveChart(u"anomalies"_s, u"Stale reads & duplicates"_s);
    m_anomalies->addSeries(u"stale"_s);
    m_anomalies->addSeries(u"duplicates"_s, LiveChart::Axis::Right, 1.6);
    m_anomalies->setAxisTitle(LiveChart::Axis::Left, u"stale/s"_s);
    m_anomalies->setAxisTitle(LiveChart::Axis::Right, u"duplicates"_s);
    m_anomalies->setMinimumTop(LiveChart::Axis::Left, 1);
    m_anomalies->setMinimumTop(LiveChart::Axis::Right, 10);
    m_anomalies->setIntegerSteps(LiveChart::Axis::Right, true);

    m_pageCharts[FlashSalePage] = { m_throughput, m_latency, m_stock, m_oversold, m_lock };
    m_pageCharts[CacheQueuePage] = { m_hits, m_orders, m_backlog, m_divergence, m_anomalies };
    m_charts = m_pageCharts[FlashSalePage] + m_pageCharts[CacheQueuePage];
    for (int i = 0; i < m_charts.size(); ++i)
        connect(m_charts[i], &LiveChart::exportRequested, this, [this, i] { emit exportRequested(i); });
    m_stale.assign(std::size_t(m_charts.size()), false);
    setRows(1);
    applyTheme(Theme::make(false, false));
}

void ChartsPanel::setRows(int rows)
{
    rows = std::clamp(rows, 1, 2);
    if (rows == m_rows)
        return;
    m_rows = rows;
    for (LiveChart *c : std::as_const(m_charts))
        c->setLegendBeside(rows > 1 && m_projector);
    for (int page = 0; page < PageCount; ++page)
        layoutPage(page);
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
        // oversold has a single number to show: a little narrower
        for (int i = 0; i < n; ++i) {
            grid->addWidget(list[i], 0, i);
            grid->setColumnStretch(i, list[i] == m_oversold ? 3 : 4);
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
    QList<const LiveChart *> hidden;
    if (!readsInUse(s))
        hidden << m_hits;
    if (!queueInUse(s))
        hidden << m_orders << m_backlog << m_divergence;
    if (hidden == m_hidden)
        return false;
    m_hidden = hidden;
    layoutPage(CacheQueuePage);
    return true;
}

int ChartsPanel::page() const { return m_stack->currentIndex(); }

void ChartsPanel::setPage(int page)
{
    page = std::clamp(page, 0, int(PageCount) - 1);
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
        showChartsInUse(*m_pending);
        showPageAlarms(*m_pending);
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
    const bool alarms[PageCount] = { last.store->oversold > 0, last.queue->duplicatesTotal > 0 };
    for (int page = 0; page < PageCount; ++page) {
        const QColor colour = alarms[page] ? m_tabAlarm : m_tabText;
        if (m_tabs->tabTextColor(page) != colour)
            m_tabs->setTabTextColor(page, colour);
    }
}

void ChartsPanel::updateChart(int index, const Snapshot &s)
{
    // The last 60 s only, whatever the snapshot carries.
    const auto &recent = s.recent;
    const std::size_t n = std::min(recent.size(), std::size_t(kWindowS / kTickSeconds));
    const auto begin = recent.end() - std::ptrdiff_t(n);
    const auto end = recent.end();
    const double tEnd = recent.empty() ? kWindowS : std::max(kWindowS, recent.back().t);
    const double tMin = tEnd - kWindowS;
    const TickSample last = recent.empty() ? TickSample {} : recent.back();
    LiveChart *chart = m_charts[index];

    if (chart == m_throughput) {
        double peak = 0;
        for (auto it = begin; it != end; ++it)
            peak = std::max({ peak, it->succeeded, it->soldOut, it->rateLimited, it->failed });
        const AxisUnit unit = axisUnit(peak, u"req/s"_s);
        const double divisor = unit.divisor;
        chart->setAxisTitle(LiveChart::Axis::Left, unit.title, unit.suffix);
        chart->setIntegerSteps(LiveChart::Axis::Left, unit.divisor == 1);
        QList<QPointF> &ok = chart->beginSeries(Succeeded);
        QList<QPointF> &soldOut = chart->beginSeries(SoldOut);
        QList<QPointF> &limited = chart->beginSeries(RateLimited);
        QList<QPointF> &failed = chart->beginSeries(Failed);
        for (auto it = begin; it != end; ++it) {
            ok.append({ it->t, it->succeeded / divisor });
            soldOut.append({ it->t, it->soldOut / divisor });
            limited.append({ it->t, it->rateLimited / divisor });
            failed.append({ it->t, it->failed / divisor });
        }
        chart->setTitleText(
            u"Throughput · "_s + compactRate(last.succeeded + last.soldOut + last.rateLimited + last.failed));
    } else if (chart == m_latency) {
        QList<QPointF> &p50 = chart->beginSeries(P50);
        QList<QPointF> &p95 = chart->beginSeries(P95);
        QList<QPointF> &p99 = chart->beginSeries(P99);
        for (auto it = begin; it != end; ++it) {
            p50.append({ it->t, it->p50Ms });
            p95.append({ it->t, it->p95Ms });
            p99.append({ it->t, it->p99Ms });
        }
        chart->setTitleText(u"Latency · p99 "_s + durationMs(last.p99Ms));
    } else if (chart == m_stock) {
        double peak = 0;
        for (auto it = begin; it != end; ++it)
            peak = std::max({ peak, double(it->store->stockRemaining), double(it->store->sold) });
        const AxisUnit unit = axisUnit(peak, u"units"_s);
        chart->setAxisTitle(LiveChart::Axis::Left, unit.title, unit.suffix);
        chart->setIntegerSteps(LiveChart::Axis::Left, unit.divisor == 1);
        QList<QPointF> &remaining = chart->beginSeries(Remaining);
        QList<QPointF> &sold = chart->beginSeries(Sold);
        for (auto it = begin; it != end; ++it) {
            remaining.append({ it->t, double(it->store->stockRemaining) / unit.divisor });
            sold.append({ it->t, double(it->store->sold) / unit.divisor });
        }
        chart->setTitleText(u"Stock · "_s + countText(last.store->stockRemaining) + u" left"_s);
    } else if (chart == m_oversold) {
        double peak = 0;
        for (auto it = begin; it != end; ++it)
            peak = std::max(peak, double(it->store->oversold));
        const AxisUnit unit = axisUnit(peak, u"units"_s);
        chart->setAxisTitle(LiveChart::Axis::Left, unit.title, unit.suffix);
        chart->setIntegerSteps(LiveChart::Axis::Left, unit.divisor == 1);
        QList<QPointF> &oversold = chart->beginSeries(0);
        for (auto it = begin; it != end; ++it)
            oversold.append({ it->t, double(it->store->oversold) / unit.divisor });
        chart->setTitleText(u"OVERSOLD · "_s + groupedNumber(last.store->oversold));
        chart->setAlarm(last.store->oversold > 0);
    } else if (chart == m_lock) {
        QList<QPointF> &lockWait = chart->beginSeries(LockWait);
        QList<QPointF> &utilisation = chart->beginSeries(Utilisation);
        for (auto it = begin; it != end; ++it) {
            lockWait.append({ it->t, it->store->lockWaitMeanMs });
            utilisation.append({ it->t, it->app->utilisation * 100 });
        }
        chart->setTitleText(
            u"Lock wait & busy · "_s + QString::number(std::lround(last.app->utilisation * 100)) + u" %"_s);
    } else if (chart == m_hits) {
        double peak = 0;
        for (auto it = begin; it != end; ++it)
            peak = std::max(peak, it->cache->storeReads);
        const AxisUnit unit = axisUnit(peak, u"reads/s"_s);
        chart->setAxisTitle(LiveChart::Axis::Right, unit.title, unit.suffix);
        QList<QPointF> &hit = chart->beginSeries(HitRatio);
        QList<QPointF> &reads = chart->beginSeries(StoreReads);
        for (auto it = begin; it != end; ++it) {
            // no lookups in a tick: no hit ratio to draw (a gap reads better than a fall to 0)
            if (it->cache->viewHits + it->cache->viewMisses > 0)
                hit.append({ it->t, it->cache->hitRatio * 100 });
            reads.append({ it->t, it->cache->storeReads / unit.divisor });
        }
        const bool lookups = last.cache->viewHits + last.cache->viewMisses > 0;
        chart->setTitleText(u"Hit ratio · "_s + (lookups ? percentText(last.cache->hitRatio) : u"no reads"_s));
    } else if (chart == m_orders) {
        double peak = 0;
        for (auto it = begin; it != end; ++it)
            peak = std::max({ peak, it->queue->enqueued, it->queue->dequeued });
        const AxisUnit unit = axisUnit(peak, u"orders/s"_s);
        chart->setAxisTitle(LiveChart::Axis::Left, unit.title, unit.suffix);
        QList<QPointF> &in = chart->beginSeries(Enqueued);
        QList<QPointF> &out = chart->beginSeries(Dequeued);
        for (auto it = begin; it != end; ++it) {
            in.append({ it->t, it->queue->enqueued / unit.divisor });
            out.append({ it->t, it->queue->dequeued / unit.divisor });
        }
        chart->setTitleText(
            u"In "_s + compactRate(last.queue->enqueued) + u" · out "_s + compactRate(last.queue->dequeued));
    } else if (chart == m_backlog) {
        double peak = 0;
        for (auto it = begin; it != end; ++it)
            peak = std::max(peak, double(it->queue->queueBacklog));
        const AxisUnit unit = axisUnit(peak, u"orders"_s);
        chart->setAxisTitle(LiveChart::Axis::Left, unit.title, unit.suffix);
        chart->setIntegerSteps(LiveChart::Axis::Left, unit.divisor == 1);
        // lag in ms, or in seconds once it is long (five-digit labels do not fit the axis)
        double lagPeak = 0;
        for (auto it = begin; it != end; ++it)
            lagPeak = std::max(lagPeak, it->queue->queueLagMs);
        const bool seconds = lagPeak >= 2000;
        chart->setAxisTitle(LiveChart::Axis::Right, seconds ? u"lag s"_s : u"lag ms"_s, seconds ? u" s"_s : u" ms"_s);
        QList<QPointF> &backlog = chart->beginSeries(Backlog);
        QList<QPointF> &lag = chart->beginSeries(Lag);
        for (auto it = begin; it != end; ++it) {
            backlog.append({ it->t, double(it->queue->queueBacklog) / unit.divisor });
            // a lag is never below 0 (the engine's tick can see an order younger than its clock)
            lag.append({ it->t, std::max(0.0, it->queue->queueLagMs) / (seconds ? 1000.0 : 1.0) });
        }
        chart->setTitleText(u"Backlog · "_s + countText(last.queue->queueBacklog) + u" · lag "_s
            + durationMs(std::max(0.0, last.queue->queueLagMs)));
    } else if (chart == m_divergence) {
        double peak = 0, gapPeak = 0;
        for (auto it = begin; it != end; ++it) {
            peak = std::max(
                { peak, double(it->cache->cacheStock), double(it->cache->cacheStock - it->cache->divergence) });
            gapPeak = std::max(gapPeak, double(std::abs(it->cache->divergence)));
        }
        const AxisUnit unit = axisUnit(peak, u"units"_s);
        const AxisUnit gapUnit = axisUnit(gapPeak, u"gap"_s);
        chart->setAxisTitle(LiveChart::Axis::Left, unit.title, unit.suffix);
        chart->setAxisTitle(LiveChart::Axis::Right, gapUnit.title, gapUnit.suffix);
        chart->setIntegerSteps(LiveChart::Axis::Left, unit.divisor == 1);
        chart->setIntegerSteps(LiveChart::Axis::Right, gapUnit.divisor == 1);
        QList<QPointF> &cache = chart->beginSeries(CacheStock);
        QList<QPointF> &store = chart->beginSeries(StoreStock);
        QList<QPointF> &gap = chart->beginSeries(Divergence);
        for (auto it = begin; it != end; ++it) {
            cache.append({ it->t, double(it->cache->cacheStock) / unit.divisor });
            store.append({ it->t, double(it->cache->cacheStock - it->cache->divergence) / unit.divisor });
            gap.append({ it->t, double(it->cache->divergence) / gapUnit.divisor });
        }
        chart->setTitleText(u"Cache − store · "_s + groupedNumber(last.cache->divergence));
    } else if (chart == m_anomalies) {
        double peak = 0, duplicates = 0;
        for (auto it = begin; it != end; ++it) {
            peak = std::max(peak, it->cache->staleReads);
            duplicates = std::max(duplicates, double(it->queue->duplicatesTotal));
        }
        const AxisUnit unit = axisUnit(peak, u"stale/s"_s);
        const AxisUnit dupUnit = axisUnit(duplicates, u"duplicates"_s);
        chart->setAxisTitle(LiveChart::Axis::Left, unit.title, unit.suffix);
        chart->setAxisTitle(LiveChart::Axis::Right, dupUnit.title, dupUnit.suffix);
        chart->setIntegerSteps(LiveChart::Axis::Right, dupUnit.divisor == 1);
        QList<QPointF> &stale = chart->beginSeries(StaleReads);
        QList<QPointF> &dups = chart->beginSeries(Duplicates);
        for (auto it = begin; it != end; ++it) {
            stale.append({ it->t, it->cache->staleReads / unit.divisor });
            dups.append({ it->t, double(it->queue->duplicatesTotal) / dupUnit.divisor });
        }
        chart->setTitleText(u"Stale "_s + compactRate(last.cache->staleReads) + u" · duplicates "_s
            + groupedNumber(last.queue->duplicatesTotal));
        chart->setAlarm(last.queue->duplicatesTotal > 0);
    }
    chart->commit(tMin, tEnd);
    chart->setMarkers(s.markers);
}

void ChartsPanel::applyTheme(const Theme &theme)
{
    m_projector = theme.projector;
    for (LiveChart *c : std::as_const(m_charts)) {
        c->applyTheme(theme);
        c->setLegendBeside(m_rows > 1 && m_projector);
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
    m_throughput->setSeriesColor(Succeeded, t.succeeded);
    m_throughput->setSeriesColor(SoldOut, t.soldOut);
    m_throughput->setSeriesColor(RateLimited, t.rateLimited);
    m_throughput->setSeriesColor(Failed, t.failed);
    m_latency->setSeriesColor(P50, t.p50);
    m_latency->setSeriesColor(P95, t.p95);
    m_latency->setSeriesColor(P99, t.p99);
    m_stock->setSeriesColor(Remaining, t.remaining);
    m_stock->setSeriesColor(Sold, t.sold);
    m_oversold->setSeriesColor(0, t.oversold);
    m_lock->setSeriesColor(LockWait, t.lockWait);
    m_lock->setSeriesColor(Utilisation, t.utilisation);
    m_hits->setSeriesColor(HitRatio, t.hitRatio);
    m_hits->setSeriesColor(StoreReads, t.storeReads);
    m_orders->setSeriesColor(Enqueued, t.enqueued);
    m_orders->setSeriesColor(Dequeued, t.dequeued);
    m_backlog->setSeriesColor(Backlog, t.queueBacklog);
    m_backlog->setSeriesColor(Lag, t.queueLag);
    m_divergence->setSeriesColor(CacheStock, t.cacheStock);
    m_divergence->setSeriesColor(StoreStock, t.storeStock);
    m_divergence->setSeriesColor(Divergence, t.divergence);
    m_anomalies->setSeriesColor(StaleReads, t.staleReads);
    m_anomalies->setSeriesColor(Duplicates, t.duplicates);
}

} // namespace stampede::ui
