#include "chartspanel.h"

#include "format.h"
#include "livechart.h"
#include "theme.h"

#include "metrics.h"

#include <QGridLayout>

#include <algorithm>

using namespace Qt::StringLiterals;

namespace stampede::ui {

namespace {

enum ThroughputSeries { Succeeded, SoldOut, RateLimited, Failed };
enum LatencySeries { P50, P95, P99 };
enum StockSeries { Remaining, Sold };
enum LockSeries { LockWait, Utilisation };

// Big numbers on an axis read badly ("1500000000"): values are divided and the unit says so.
struct AxisUnit {
    double divisor = 1;
    QString title;
};

AxisUnit axisUnit(double peak, const QString &unit)
{
    if (peak >= 2e9)
        return { 1e9, u"G "_s + unit };
    if (peak >= 2e6)
        return { 1e6, u"M "_s + unit };
    if (peak >= 2e3)
        return { 1e3, u"k "_s + unit };
    return { 1, unit };
}

} // namespace

ChartsPanel::ChartsPanel(QWidget *parent)
    : QWidget(parent)
{
    setObjectName(u"chartsPanel"_s);
    m_grid = new QGridLayout(this);
    m_grid->setContentsMargins(6, 4, 6, 4);
    m_grid->setSpacing(6);

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
    m_latency->setAxisTitle(LiveChart::Axis::Left, u"ms"_s);
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
    m_lock->setAxisTitle(LiveChart::Axis::Left, u"lock wait ms"_s);
    m_lock->setAxisTitle(LiveChart::Axis::Right, u"busy %"_s);
    m_lock->setMinimumTop(LiveChart::Axis::Left, 0.1);
    m_lock->setFixedRange(LiveChart::Axis::Right, 0, 100);

    m_charts = { m_throughput, m_latency, m_stock, m_oversold, m_lock };
    for (int i = 0; i < m_charts.size(); ++i)
        connect(m_charts[i], &LiveChart::exportRequested, this, [this, i] { emit exportRequested(i); });
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
        m_grid->removeWidget(c);
    for (int c = 0; c < m_grid->columnCount(); ++c)
        m_grid->setColumnStretch(c, 0);
    for (int r = 0; r < m_grid->rowCount(); ++r)
        m_grid->setRowStretch(r, 0);
    if (rows == 1) {
        // oversold has a single number to show: a little narrower
        for (int i = 0; i < m_charts.size(); ++i) {
            m_grid->addWidget(m_charts[i], 0, i);
            m_grid->setColumnStretch(i, m_charts[i] == m_oversold ? 3 : 4);
        }
        m_grid->setRowStretch(0, 1);
        return;
    }
    // 6 grid columns: throughput, latency, oversold above (2 each); stock, lock below (3 each)
    m_grid->addWidget(m_throughput, 0, 0, 1, 2);
    m_grid->addWidget(m_latency, 0, 2, 1, 2);
    m_grid->addWidget(m_oversold, 0, 4, 1, 2);
    m_grid->addWidget(m_stock, 1, 0, 1, 3);
    m_grid->addWidget(m_lock, 1, 3, 1, 3);
    for (int c = 0; c < 6; ++c)
        m_grid->setColumnStretch(c, 1);
    m_grid->setRowStretch(0, 1);
    m_grid->setRowStretch(1, 1);
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
}

int ChartsPanel::refresh(int maxCharts)
{
    if (!m_pending)
        return 0;
    int done = 0;
    const int n = int(m_charts.size());
    for (int k = 0; k < n && done < maxCharts; ++k) {
        const int i = (m_next + k) % n;
        if (!m_stale[std::size_t(i)])
            continue;
        updateChart(i, *m_pending);
        m_stale[std::size_t(i)] = false;
        ++done;
        m_next = (i + 1) % n;
    }
    return done;
}

void ChartsPanel::showSnapshot(const Snapshot &s)
{
    for (int i = 0; i < m_charts.size(); ++i)
        updateChart(i, s);
    m_stale.assign(std::size_t(m_charts.size()), false);
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
        chart->setAxisTitle(LiveChart::Axis::Left, unit.title);
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
            peak = std::max({ peak, double(it->stockRemaining), double(it->sold) });
        const AxisUnit unit = axisUnit(peak, u"units"_s);
        chart->setAxisTitle(LiveChart::Axis::Left, unit.title);
        chart->setIntegerSteps(LiveChart::Axis::Left, unit.divisor == 1);
        QList<QPointF> &remaining = chart->beginSeries(Remaining);
        QList<QPointF> &sold = chart->beginSeries(Sold);
        for (auto it = begin; it != end; ++it) {
            remaining.append({ it->t, double(it->stockRemaining) / unit.divisor });
            sold.append({ it->t, double(it->sold) / unit.divisor });
        }
        chart->setTitleText(u"Stock · "_s + countText(last.stockRemaining) + u" left"_s);
    } else if (chart == m_oversold) {
        double peak = 0;
        for (auto it = begin; it != end; ++it)
            peak = std::max(peak, double(it->oversold));
        const AxisUnit unit = axisUnit(peak, u"units"_s);
        chart->setAxisTitle(LiveChart::Axis::Left, unit.title);
        chart->setIntegerSteps(LiveChart::Axis::Left, unit.divisor == 1);
        QList<QPointF> &oversold = chart->beginSeries(0);
        for (auto it = begin; it != end; ++it)
            oversold.append({ it->t, double(it->oversold) / unit.divisor });
        chart->setTitleText(u"OVERSOLD · "_s + groupedNumber(last.oversold));
        chart->setAlarm(last.oversold > 0);
    } else if (chart == m_lock) {
        QList<QPointF> &lockWait = chart->beginSeries(LockWait);
        QList<QPointF> &utilisation = chart->beginSeries(Utilisation);
        for (auto it = begin; it != end; ++it) {
            lockWait.append({ it->t, it->lockWaitMeanMs });
            utilisation.append({ it->t, it->utilisation * 100 });
        }
        chart->setTitleText(u"Lock wait & busy · "_s + QString::number(std::lround(last.utilisation * 100)) + u" %"_s);
    }
    chart->commit(tMin, tEnd);
    chart->setMarkers(s.markers);
}

void ChartsPanel::applyTheme(const Theme &theme)
{
    for (LiveChart *c : std::as_const(m_charts))
        c->applyTheme(theme);
    applyColors(theme);
    QPalette p = palette();
    p.setColor(QPalette::Window, theme.window);
    setPalette(p);
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
}

} // namespace stampede::ui
