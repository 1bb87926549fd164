// The charts as a room reads them, checked from the charts' own layout data rather than pixels:
// every preset at 1366x768 and 1920x1080, normal and projector mode, fed synthetic snapshots that
// follow the preset's scenario (its duration, strategy, tiers and timeline) so each lesson's shape
// is there and deterministic: marker labels apart from each other, inside the plot (never over an
// axis label) and in the band the data leave free; no label smaller than a room can read; axis
// titles in every mode; the time axis of a short lesson as long as the lesson; row lock's
// successful orders tall enough to read; no store point at 0 while the counter is lost; titles
// that read what the counters read; and the axis label formats.

#include "chartspanel.h"
#include "chartspec.h"
#include "counterspanel.h"
#include "format.h"
#include "livechart.h"
#include "mainwindow.h"
#include "markeroverlay.h"
#include "visibilitycurves.h"

#include "scenario.h"

#include <QApplication>
#include <QCategoryAxis>
#include <QChart>
#include <QFontInfo>
#include <QFontMetricsF>
#include <QLineSeries>
#include <QRegularExpression>
#include <QSignalSpy>
#include <QStandardPaths>
#include <QTest>
#include <QValueAxis>

#include <cmath>
#include <memory>

using namespace Qt::StringLiterals;
using namespace stampede;
using namespace stampede::ui;

namespace {

// The smallest label in pixels: a desk, and the back of a room (as tst_layout).
constexpr double kMinPx = 11, kMinProjectorPx = 17;
// Row lock: the successful orders' peak at least this share of the plot's height.
constexpr double kMinOkShare = 0.45;
// When the stock counter is lost in the synthetic cache-queue run (its cache node is killed).
constexpr double kCounterLostFrom = 8, kCounterLostUntil = 13;

struct Look {
    QSize size;
    bool projector;
};
const Look kLooks[]
    = { { { 1366, 768 }, false }, { { 1366, 768 }, true }, { { 1920, 1080 }, false }, { { 1920, 1080 }, true } };

QString lookName(const Look &look)
{
    return QString::number(look.size.width()) + u'x' + QString::number(look.size.height())
        + (look.projector ? u" projector"_s : u" normal"_s);
}

QString rectText(const QRectF &r)
{
    return u"("_s + QString::number(r.x()) + u',' + QString::number(r.y()) + u' ' + QString::number(r.width()) + u'x'
        + QString::number(r.height()) + u')';
}

bool overlap(const QRectF &a, const QRectF &b) { return a.adjusted(0.5, 0.5, -0.5, -0.5).intersects(b); }

// The engine's marker text for a scenario event (engine/*: m_rt.mark).
std::string markerText(const TimedEvent &e)
{
    const auto num = [](double v) { return QString::number(v).toStdString(); };
    switch (e.kind) {
    case EventKind::Spike:
        return "spike ×" + num(e.factor) + " for " + num(e.forS) + " s";
    case EventKind::AddNodes:
        return e.count == 1 ? "node 4 added" : std::to_string(e.count) + " nodes added";
    case EventKind::KillNode:
        return "node " + std::to_string(e.node.value_or(0)) + " killed";
    case EventKind::Restock:
        return "restock +" + std::to_string(e.units);
    case EventKind::AddCacheNodes:
        return "cache node 4 added: 96 % of keys moved";
    case EventKind::KillCacheNode:
        return "cache node " + std::to_string(e.node.value_or(0)) + " killed: 33 % of keys moved";
    case EventKind::SetPlacement:
        return "placement ring: 80 % of keys moved";
    case EventKind::SetSingleFlight:
        return e.on ? "single-flight on" : "single-flight off";
    case EventKind::AddConsumers:
        return std::to_string(e.count) + " consumers added";
    case EventKind::CelebrityPost:
        return "celebrity " + std::to_string(e.node.value_or(0)) + " posts";
    case EventKind::AddFanoutWorkers:
        return std::to_string(e.count) + " fan-out worker" + (e.count == 1 ? "" : "s") + " added";
    case EventKind::KillFanoutWorker:
        return "fan-out worker " + std::to_string(e.node.value_or(7)) + " killed";
    case EventKind::KillInboxShard:
        return "inbox shard " + std::to_string(e.node.value_or(15)) + " killed";
    case EventKind::RebuildInboxShard:
        return "inbox shard " + std::to_string(e.node.value_or(15)) + " rebuilt: 62918 entries";
    default:
        return "event";
    }
}

// The fan-out's part of a synthetic run: each celebrity post fans out at the rate its workers
// write (pull, or hybrid above the threshold: visible at once), the backlog drains, reads by her
// followers miss it meanwhile, a killed worker without idempotent writes leaves duplicates, a
// killed inbox shard is down until rebuilt.
void syntheticFanout(const Scenario &sc, double until, Snapshot &s)
{
    const FanoutConfig &f = sc.config.fanout;
    const double followers = f.celebrities.empty() ? 0 : double(f.celebrities.front());
    const bool pulled = f.mode == FanoutMode::Pull || (f.mode == FanoutMode::Hybrid && followers > f.threshold);
    const double reads = sc.config.traffic.ratePerS * (1 - f.postShare);
    const double fetches = f.mode == FanoutMode::Push ? 1 : f.mode == FanoutMode::Pull ? 6 : 2;
    const int shards = f.inboxShards;
    int workers = f.workers;
    double visible = 0, duplicates = 0, entries = 0;
    std::uint32_t post = 0;
    double postedAt = 0, fullAt = -1;
    int down = -1;
    const int ticks = int(std::lround(until / kTickSeconds));
    for (int i = 1; i <= ticks; ++i) {
        const double t = i * kTickSeconds;
        for (const TimedEvent &e : sc.events) {
            if (std::abs(t - e.atS) >= kTickSeconds / 2)
                continue;
            if (e.kind == EventKind::CelebrityPost) {
                post += 100;
                postedAt = e.atS;
                visible = pulled ? 1 : 0;
                fullAt = pulled ? e.atS : -1;
            } else if (e.kind == EventKind::AddFanoutWorkers) {
                workers += e.count;
            } else if (e.kind == EventKind::KillFanoutWorker) {
                workers -= 1;
                duplicates += f.idempotent ? 0 : 64;
            } else if (e.kind == EventKind::KillInboxShard) {
                down = e.node.value_or(shards - 1);
            } else if (e.kind == EventKind::RebuildInboxShard) {
                down = -1;
            }
        }
        const double rate = workers / std::max(1e-6, f.writeMs) * 1000; // writes per second
        const double before = visible;
        if (post > 0 && !pulled && visible < 1)
            visible = std::min(1.0, visible + rate * kTickSeconds / std::max(1.0, followers));
        if (visible >= 1 && fullAt < 0)
            fullAt = t;
        entries += (visible - before) * followers;
        TickSample &x = s.recent.emplace_back();
        x.t = t;
        x.offeredRate = sc.config.traffic.ratePerS;
        x.attempts = x.succeeded = sc.config.traffic.ratePerS;
        const bool busy = post > 0 && visible < 1;
        x.p50Ms = f.fetchMs * fetches * (busy ? 5 : 1);
        x.p95Ms = x.p50Ms * 2;
        x.p99Ms = x.p50Ms * 4;
        x.maxMs = x.p50Ms * 8;
        auto &o = *x.fanout;
        o.posts = sc.config.traffic.ratePerS * f.postShare;
        o.reads = reads;
        o.inboxWrites = (visible - before) * followers / kTickSeconds;
        o.fetchesPerRead = fetches;
        o.staleReads = busy ? reads * f.celebrityReaders * (1 - visible) : 0;
        o.backlog = std::int64_t(busy ? (1 - visible) * followers : 0);
        o.drainRate = o.inboxWrites;
        o.visible = post > 0 ? visible : 0;
        o.trackedPost = post;
        o.hotShardUtilisation = busy ? 0.5 : 0.03;
        o.workersUp = workers;
        o.duplicatesTotal = std::int64_t(duplicates);
        o.staleReadsTotal = std::int64_t(t * 100);
        o.entries = std::int64_t(entries);
    }
    FanoutView &v = *s.fanout;
    v.mode = f.mode;
    v.threshold = f.threshold;
    v.users = f.users;
    v.celebrities = f.celebrities;
    v.workersUp = workers;
    if (post > 0) {
        TrackedPostView p;
        p.post = post;
        p.followers = std::uint32_t(followers);
        p.postedAtS = p.runAtS = postedAt;
        p.pulled = pulled;
        p.delivered = std::int64_t(visible * followers);
        if (fullAt >= 0 && !pulled) {
            p.maxMs = (fullAt - postedAt) * 1000;
            p.p50Ms = p.maxMs / 2;
            p.p99Ms = p.maxMs * 0.99;
        }
        v.tracked.push_back(p);
    }
    for (int i = 0; i < shards; ++i) {
        v.shardUtilisation.push_back(i == down ? 0.0 : 0.3);
        v.shardUp.push_back(i != down);
    }
    v.entries = std::int64_t(entries);
    v.duplicates = std::int64_t(duplicates);
}

// A run of the scenario as the engine would roughly show it, tick by tick, up to `until` seconds.
// Not a simulation: the shapes each lesson is about, with the sections its tiers have.
std::shared_ptr<Snapshot> synthetic(const Scenario &sc, double until, std::uint64_t seq)
{
    const EngineConfig &c = sc.config;
    const Strategy strategy = c.strategy;
    const bool cache = c.cache.nodes > 0 || c.traffic.readRatio > 0;
    const bool queue = strategy == Strategy::CacheQueue;
    auto s = std::make_shared<Snapshot>();
    s->seq = seq;
    if (c.workload == WorkloadKind::Fanout) {
        syntheticFanout(sc, until, *s);
        while (s->recent.size() > kRecentTicks)
            s->recent.erase(s->recent.begin());
        s->t = until;
        s->running = true;
        s->ratePerS = c.traffic.ratePerS;
        for (const TimedEvent &e : sc.events)
            if (e.atS <= until)
                s->markers.push_back({ e.atS, markerText(e) });
        return s;
    }
    double stock = double(c.stock), sold = 0, oversold = 0, falseSoldOut = 0, backlog = 0;
    std::int64_t initial = c.stock;
    int nodes = c.nodes.count;
    const int ticks = int(std::lround(until / kTickSeconds));
    for (int i = 1; i <= ticks; ++i) {
        const double t = i * kTickSeconds;
        double factor = 1;
        for (const TimedEvent &e : sc.events) {
            if (e.kind == EventKind::Spike && t >= e.atS && t < e.atS + e.forS)
                factor = e.factor;
            if (e.kind == EventKind::Restock && std::abs(t - e.atS) < kTickSeconds / 2) {
                stock += double(e.units);
                initial += e.units;
            }
            if (e.kind == EventKind::AddNodes && std::abs(t - e.atS) < kTickSeconds / 2)
                nodes += e.count;
        }
        const double purchases = c.traffic.ratePerS * factor / (1 + c.traffic.readRatio);
        const double capacity = strategy == Strategy::RowLock ? 480 : 1e9;
        TickSample x;
        x.t = t;
        x.offeredRate = purchases;
        x.attempts = purchases;
        const double sell = stock > 0 ? std::min({ purchases, capacity, stock / kTickSeconds }) : 0;
        x.succeeded = sell;
        x.soldOut = stock > 0 ? 0 : purchases;
        x.failed = stock > 0 ? std::max(0.0, purchases - capacity) : 0;
        x.failedOverloaded = x.failed;
        stock -= sell * kTickSeconds;
        sold += sell * kTickSeconds;
        if (strategy == Strategy::Naive)
            oversold += sell * kTickSeconds * 0.04 * factor;
        if (strategy == Strategy::Sharded && stock < 0.4 * double(c.stock)) {
            falseSoldOut += 30 * kTickSeconds * factor;
            x.soldOut += 30 * factor;
        }
        const double lag = strategy == Strategy::RowLock ? std::min(10000.0, t * 800) : 2 + factor;
        x.p50Ms = lag * 0.5;
        x.p95Ms = lag * 0.9;
        x.p99Ms = lag;
        x.maxMs = lag * 1.2;
        x.attemptsTotal = std::int64_t(t * c.traffic.ratePerS);
        x.app->utilisation = strategy == Strategy::RowLock ? 1.0 : std::min(1.0, 0.1 * factor);
        x.app->nodesUp = nodes;
        auto &st = *x.store;
        st.stockRemaining = std::int64_t(std::max(0.0, stock));
        st.sold = std::int64_t(sold);
        st.confirmed = std::int64_t(sold + oversold);
        st.oversold = std::int64_t(oversold);
        st.falseSoldOut = std::int64_t(falseSoldOut);
        st.lockWaitMeanMs = strategy == Strategy::RowLock ? 600 + 100 * std::sin(t) : 0.02;
        if (cache) {
            auto &ca = *x.cache;
            ca.views = c.traffic.ratePerS * factor - purchases;
            const bool dip = std::fmod(t, 1.0) < 0.15 || (t >= 8 && t < 10);
            ca.hitRatio = ca.views > 0 ? (dip ? 0.4 : 0.97) : 0;
            ca.viewHits = ca.views * ca.hitRatio;
            ca.viewMisses = ca.views - ca.viewHits;
            ca.storeReads = ca.viewMisses;
        }
        if (queue) {
            auto &q = *x.queue;
            q.enqueued = sell;
            q.dequeued = std::min(sell + backlog / kTickSeconds, 2500.0);
            backlog = std::max(0.0, backlog + (q.enqueued - q.dequeued) * kTickSeconds);
            q.queueBacklog = std::int64_t(backlog);
            q.queueLagMs = backlog / 2.5;
            q.consumersUp = c.queue.consumers;
            auto &ca = *x.cache;
            if (t >= kCounterLostFrom && t < kCounterLostUntil) {
                ca.cacheStock = 0; // no counter: the engine sums no SKU
                ca.divergence = 0;
            } else {
                ca.cacheStock = std::int64_t(std::max(0.0, stock));
                ca.divergence = -std::int64_t(backlog);
            }
        }
        s->recent.push_back(x);
    }
    while (s->recent.size() > kRecentTicks)
        s->recent.erase(s->recent.begin());
    s->t = until;
    s->running = true;
    s->ratePerS = c.traffic.ratePerS;
    s->store->strategy = strategy;
    s->store->stockInitial = initial;
    s->app->nodes.resize(std::size_t(nodes));
    int cacheChanges = 0;
    for (const TimedEvent &e : sc.events) {
        if (e.atS > until)
            continue;
        s->markers.push_back({ e.atS, markerText(e) });
        if (e.kind == EventKind::AddCacheNodes || e.kind == EventKind::SetPlacement
            || e.kind == EventKind::KillCacheNode)
            ++cacheChanges;
    }
    std::stable_sort(s->markers.begin(), s->markers.end(), [](const Marker &a, const Marker &b) { return a.t < b.t; });
    if (cache) {
        s->cache->readRatio = c.traffic.readRatio;
        s->cache->views = std::int64_t(until * c.traffic.ratePerS);
        s->cache->cacheChanges = cacheChanges;
        s->cache->keysMovedLast = cacheChanges > 0 ? 0.96 : 0;
        s->cache->cacheNodes.resize(std::size_t(std::max(1, c.cache.nodes)));
    }
    if (queue) {
        s->queue->partitions.resize(std::size_t(std::max(1, c.queue.partitions)));
        s->queue->consumers.resize(std::size_t(std::max(1, c.queue.consumers)));
    }
    return s;
}

Scenario preset(const QString &name)
{
    QString error;
    std::optional<Scenario> s = loadPreset(name, &error);
    if (!s)
        qFatal("%s", qPrintable(error));
    return *s;
}

double pixelSize(const QFont &f) { return QFontInfo(f).pixelSize(); }

} // namespace

class TestCharts : public QObject {
    Q_OBJECT

private slots:
    void initTestCase();
    void cleanupTestCase() { m_window.reset(); }
    void axisLabels_data();
    void axisLabels();
    void axisLabelsStayShort();
    void timeTicksWaitForTheCommit();
    void axisTitles_data();
    void axisTitles();
    void everyPresetReads_data();
    void everyPresetReads();
    void closeMarkersMerge_data();
    void closeMarkersMerge();
    void lostCounterIsAGap();
    void titlesReadTheCountersSnapshot();
    void runLengthSetsTheTimeAxis();
    void fanoutMarkerLabels_data();
    void fanoutMarkerLabels();
    void visibilityCurvesFollowTrackedPosts();

private:
    // Shows `snapshot` in the window at `look` (projector mode and size), all charts current.
    void show(const Scenario &sc, const QString &name, const Look &look, double until);
    void checkChart(LiveChart *chart, const QString &at, const Look &look);

    std::unique_ptr<MainWindow> m_window;
    std::shared_ptr<const Snapshot> m_current;
    std::uint64_t m_seq = 0;
    QString m_loaded;
};

void TestCharts::initTestCase()
{
    QStandardPaths::setTestModeEnabled(true);
    m_window = std::make_unique<MainWindow>();
    m_window->setSnapshotSource([this] { return m_current; });
}

// ---------------------------------------------------------------- formats

void TestCharts::axisLabels_data()
{
    QTest::addColumn<double>("value");
    QTest::addColumn<double>("top");
    QTest::addColumn<int>("kind");
    QTest::addColumn<QString>("label");
    const int count = int(AxisKind::Count), ms = int(AxisKind::Milliseconds), pct = int(AxisKind::Percent);
    QTest::newRow("10000 ms is 10 s") << 10000.0 << 10000.0 << ms << u"10 s"_s;
    QTest::newRow("2500 ms on a 10 s axis") << 2500.0 << 10000.0 << ms << u"2.5 s"_s;
    QTest::newRow("500 ms on a 900 ms axis") << 500.0 << 900.0 << ms << u"500 ms"_s;
    QTest::newRow("500 ms on a 1.5 s axis") << 500.0 << 1500.0 << ms << u"0.5 s"_s;
    QTest::newRow("1000000 on a 1.2 M axis") << 1e6 << 1.2e6 << count << u"1 M"_s;
    QTest::newRow("0.25 ms") << 0.25 << 1.0 << ms << u"0.25 ms"_s;
    QTest::newRow("0 ms is 0") << 0.0 << 10000.0 << ms << u"0"_s;
    QTest::newRow("2000000 is 2 M") << 2e6 << 2e6 << count << u"2 M"_s;
    QTest::newRow("1500000 on a 2 M axis") << 1.5e6 << 2e6 << count << u"1.5 M"_s;
    QTest::newRow("500000 on a 2 M axis") << 5e5 << 2e6 << count << u"0.5 M"_s;
    QTest::newRow("20000 is 20 k") << 2e4 << 2e4 << count << u"20 k"_s;
    QTest::newRow("1500 on a 2 k axis") << 1500.0 << 2000.0 << count << u"1.5 k"_s;
    QTest::newRow("1500 on a 1.5 k axis") << 1500.0 << 1500.0 << count << u"1500"_s;
    QTest::newRow("600") << 600.0 << 600.0 << count << u"600"_s;
    QTest::newRow("0 on a 20 k axis") << 0.0 << 2e4 << count << u"0"_s;
    QTest::newRow("-40000 on a 40 k axis") << -4e4 << 4e4 << count << u"−40 k"_s;
    QTest::newRow("3 G") << 3e9 << 3e9 << count << u"3 G"_s;
    QTest::newRow("100 %") << 100.0 << 100.0 << pct << u"100%"_s;
    QTest::newRow("2.5 units") << 2.5 << 10.0 << count << u"2.5"_s;
}

void TestCharts::axisLabels()
{
    QFETCH(double, value);
    QFETCH(double, top);
    QFETCH(int, kind);
    QFETCH(QString, label);
    QCOMPARE(axisLabel(value, axisScale(top, AxisKind(kind))), label);
}

// A value far beyond the largest unit (a broken series) still gives a label a room can read,
// not hundreds of digits for Qt Charts to shape at every layout.
void TestCharts::axisLabelsStayShort()
{
    for (const double v : { 1e15, 1e40, 1e300, -1e300 }) {
        const QString label = axisLabel(v, axisScale(std::abs(v), AxisKind::Count));
        QVERIFY2(label.size() <= 12, qPrintable(label));
        QVERIFY2(label.contains(u'e'), qPrintable(label));
    }
}

// The time ticks follow the plot's width, but not from inside Qt Charts' layout: changing them
// there changes the labels, the labels the plot area, and the layout runs again, which once
// held the GUI thread 60 s. A resize leaves the axis alone until the next commit chooses.
void TestCharts::timeTicksWaitForTheCommit()
{
    LiveChart chart(u"ticks"_s, u"Ticks"_s);
    chart.addSeries(u"a"_s, LiveChart::Axis::Left);
    chart.resize(1200, 300);
    chart.show();
    QVERIFY(QTest::qWaitForWindowExposed(&chart));
    const auto commit = [&] {
        QList<QPointF> &points = chart.beginSeries(0);
        for (int t = 0; t <= 28; ++t)
            points.append({ double(t), double(t % 7) });
        chart.commit(0, 28);
    };
    commit();
    auto *x = qobject_cast<QValueAxis *>(chart.chart()->axes(Qt::Horizontal).value(0));
    QVERIFY(x);
    const double wide = x->tickInterval();
    QSignalSpy changed(x, &QValueAxis::tickIntervalChanged);
    chart.resize(260, 300); // room for a few labels only
    QTRY_VERIFY(chart.chart()->plotArea().width() < 250); // the layout has run
    QCOMPARE(changed.count(), 0);
    QCOMPARE(x->tickInterval(), wide);
    commit();
    QCOMPARE(changed.count(), 1);
    QVERIFY2(x->tickInterval() > wide, qPrintable(QString::number(x->tickInterval())));
}

void TestCharts::axisTitles_data()
{
    QTest::addColumn<QString>("word");
    QTest::addColumn<double>("top");
    QTest::addColumn<int>("kind");
    QTest::addColumn<QString>("title");
    QTest::newRow("k req/s") << u"req/s"_s << 2e4 << int(AxisKind::Count) << u"k req/s"_s;
    QTest::newRow("units") << u"units"_s << 600.0 << int(AxisKind::Count) << u"units"_s;
    QTest::newRow("lag s") << u"lag"_s << 8000.0 << int(AxisKind::Milliseconds) << u"lag s"_s;
    QTest::newRow("lock wait ms") << u"lock wait"_s << 100.0 << int(AxisKind::Milliseconds) << u"lock wait ms"_s;
    QTest::newRow("busy %") << u"busy"_s << 100.0 << int(AxisKind::Percent) << u"busy %"_s;
}

void TestCharts::axisTitles()
{
    QFETCH(QString, word);
    QFETCH(double, top);
    QFETCH(int, kind);
    QFETCH(QString, title);
    QCOMPARE(axisTitle(word, axisScale(top, AxisKind(kind)), AxisKind(kind)), title);
}

// ---------------------------------------------------------------- every preset, every look

void TestCharts::show(const Scenario &sc, const QString &name, const Look &look, double until)
{
    if (m_loaded != name) {
        QVERIFY(m_window->loadScenario(sc, name));
        QVERIFY(m_window->engine()->setPaused(true).ok); // the synthetic run is the only one
        m_loaded = name;
    }
    m_window->setProjectorMode(look.projector);
    m_window->resize(look.size);
    if (!m_window->isVisible()) {
        m_window->show();
        QVERIFY(QTest::qWaitForWindowExposed(m_window.get()));
    }
    QCoreApplication::sendPostedEvents();
    QCoreApplication::processEvents();
    // a run as the window sees it: a snapshot a second, the last one at `until`
    for (double t = std::max(1.0, until - 4); t <= until + 1e-9; t += 1) {
        m_current = synthetic(sc, t, ++m_seq);
        m_window->showLatest();
        QCoreApplication::processEvents();
    }
    // the layout of the last titles and ranges, then the markers for the settled plot area
    m_window->showLatest();
    QCoreApplication::processEvents();
    m_current = synthetic(sc, until, ++m_seq);
    m_window->showLatest();
    QCoreApplication::processEvents();
}

void TestCharts::checkChart(LiveChart *chart, const QString &at, const Look &look)
{
    const QString where = at + chart->key() + u": "_s;
    const QRectF plot = chart->plotArea();
    const QRectF band = chart->labelBand();
    QVERIFY2(!plot.isEmpty(), qPrintable(where + u"no plot area"_s));
    const double minPx = look.projector ? kMinProjectorPx : kMinPx;

    // marker labels: apart, inside the plot (axis labels are outside it), inside the band
    const QList<QRectF> labels = chart->markers().labelRects();
    const QStringList texts = chart->markers().labelTexts();
    for (qsizetype i = 0; i < labels.size(); ++i) {
        QVERIFY2(plot.adjusted(-0.5, -0.5, 0.5, 0.5).contains(labels[i]),
            qPrintable(
                where + u'"' + texts[i] + u"\" " + rectText(labels[i]) + u" leaves the plot "_s + rectText(plot)));
        QVERIFY2(band.adjusted(-0.5, -0.5, 0.5, 0.5).contains(labels[i]),
            qPrintable(where + u'"' + texts[i] + u"\" leaves the label band "_s + rectText(band)));
        for (qsizetype j = i + 1; j < labels.size(); ++j)
            QVERIFY2(!overlap(labels[i], labels[j]),
                qPrintable(where + u'"' + texts[i] + u"\" overlaps \""_s + texts[j] + u'"'));
    }
    if (!labels.isEmpty())
        QVERIFY2(pixelSize(chart->markers().font()) >= minPx - 0.01,
            qPrintable(
                where + u"marker labels of "_s + QString::number(pixelSize(chart->markers().font())) + u" px"_s));

    // data below the band: no point of a shown series maps into it
    for (int i = 0; i < chart->seriesCount(); ++i) {
        QLineSeries *series = chart->series(i);
        if (!series->isVisible())
            continue;
        for (const QPointF &p : series->points()) {
            if (!std::isfinite(p.y()))
                continue;
            const QPointF pos = chart->chart()->mapToPosition(p, series);
            QVERIFY2(pos.y() >= band.bottom() - 0.5,
                qPrintable(where + series->name() + u" at "_s + QString::number(p.x()) + u" s is in the label band"_s));
        }
    }

    // axes: readable, titled in every mode, labels never "10000 ms" or "2000 k"
    static const QRegularExpression longLabel(u"\\d{4,}\\s*(ms|k|M|G)\\b"_s);
    QVERIFY2(pixelSize(chart->timeAxis()->labelsFont()) >= minPx - 0.01, qPrintable(where + u"time labels"_s));
    for (const LiveChart::Axis side : { LiveChart::Axis::Left, LiveChart::Axis::Right }) {
        QValueAxis *axis = chart->valueAxis(side);
        if (!axis || !axis->isVisible())
            continue;
        QVERIFY2(pixelSize(axis->labelsFont()) >= minPx - 0.01, qPrintable(where + u"value labels"_s));
        QVERIFY2(pixelSize(axis->titleFont()) >= minPx - 0.01, qPrintable(where + u"axis title"_s));
        // titled in every mode; hidden only where the rotated title is longer than the plot is tall
        // or the plot too narrow to spare it a line of width (projector mode on a small screen),
        // and never on a full-HD screen
        QVERIFY2(!axis->titleText().isEmpty(), qPrintable(where + u"an axis without title"_s));
        const double labelLine = QFontMetricsF(axis->labelsFont()).height();
        const bool fits = QFontMetricsF(axis->titleFont()).horizontalAdvance(axis->titleText()) + 4 <= plot.height()
            && chart->width() >= LiveChart::kTitleMinWidthLines * labelLine;
        QVERIFY2(axis->isTitleVisible() == fits,
            qPrintable(where + u"axis title \""_s + axis->titleText() + (fits ? u"\" hidden"_s : u"\" cut"_s)));
        if (look.size.height() >= 1080)
            QVERIFY2(axis->isTitleVisible(), qPrintable(where + u"no axis title at full HD"_s));
        for (const QString &l : chart->axisLabels(side))
            QVERIFY2(!longLabel.match(l).hasMatch(), qPrintable(where + u"axis label \""_s + l + u'"'));
    }
    QVERIFY2(pixelSize(chart->chart()->titleFont()) >= minPx - 0.01, qPrintable(where + u"title"_s));
}

void TestCharts::everyPresetReads_data()
{
    QTest::addColumn<QString>("preset");
    QTest::addColumn<int>("look");
    for (const QString &name : presetNames())
        for (int l = 0; l < int(std::size(kLooks)); ++l)
            QTest::newRow(qPrintable(name + u' ' + lookName(kLooks[l]))) << name << l;
}

void TestCharts::everyPresetReads()
{
    QFETCH(QString, preset);
    QFETCH(int, look);
    const Look &lk = kLooks[look];
    const Scenario sc = ::preset(preset);
    const double until = 12; // a lesson shows itself in its first 15 s
    show(sc, preset, lk, until);
    if (QTest::currentTestFailed())
        return;
    ChartsPanel *charts = m_window->chartsPanel();
    const QString at = preset + u' ' + lookName(lk) + u": "_s;
    for (int page = 0; page < ChartsPanel::PageCount; ++page) {
        charts->setPage(page);
        QCoreApplication::sendPostedEvents();
        QCoreApplication::processEvents();
        m_current = synthetic(sc, until, ++m_seq);
        m_window->showLatest();
        QCoreApplication::processEvents();
        for (LiveChart *chart : charts->charts()) {
            if (charts->pageOf(chart) != page || !chart->isVisible())
                continue;
            checkChart(chart, at, lk);
            if (QTest::currentTestFailed())
                return;
            // the lesson's own time: a 30 s lesson's axis is 30 s long (the visibility curves'
            // counts from each post)
            if (sc.durationS < ChartsPanel::kWindowS && chart->key() != u"visibility"_s) {
                QCOMPARE(chart->timeAxis()->min(), 0.0);
                QCOMPARE(chart->timeAxis()->max(), sc.durationS);
            }
        }
    }

    if (sc.config.workload == WorkloadKind::Fanout) {
        // the fan-out's page alone; the first post's curve has reached 100 % by 12 s
        QCOMPARE(charts->page(), int(ChartsPanel::FanoutPage));
        QCOMPARE(charts->pageCount(), 1);
        LiveChart *visibility = charts->chart(u"visibility"_s);
        QVERIFY(visibility->isVisible() && visibility->seriesVisible(0));
        const QList<QPointF> curve = visibility->series(0)->points();
        QVERIFY2(curve.size() >= 2 && curve.constLast().y() >= 100, qPrintable(at + u"no curve to 100 %"_s));
        QCOMPARE(curve.constFirst(), QPointF(0, sc.config.fanout.mode == FanoutMode::Push ? 0 : 100));
        QCOMPARE(visibility->timeAxis()->min(), 0.0);
        QVERIFY(visibility->timeAxis()->max() >= 2 && visibility->timeAxis()->max() <= VisibilityCurves::kMaxSpanS);
        // the title reads the newest post (the second, at 12 s, under push just begun)
        QVERIFY2(visibility->titleText().contains(u" %"_s), qPrintable(at + visibility->titleText()));
        return;
    }
    const Strategy strategy = sc.config.strategy;
    charts->setPage(ChartsPanel::FlashSalePage);
    m_window->showLatest();
    QCoreApplication::processEvents();
    if (strategy == Strategy::RowLock) {
        // "throughput flattens near 480/s": the successful orders fill most of the plot
        LiveChart *throughput = charts->chart(u"throughput"_s);
        QLineSeries *ok = throughput->series(0);
        double peak = 0;
        QPointF peakPoint;
        for (const QPointF &p : ok->points())
            if (p.y() > peak)
                peak = p.y(), peakPoint = p;
        const QRectF plot = throughput->plotArea();
        const double share = (plot.bottom() - throughput->chart()->mapToPosition(peakPoint, ok).y()) / plot.height();
        QVERIFY2(share >= kMinOkShare,
            qPrintable(at + u"ok reaches "_s + QString::number(share * 100) + u" % of the plot; axis "_s
                + QString::number(throughput->valueAxis(LiveChart::Axis::Left)->max()) + u", peak "_s
                + QString::number(peak) + u", band "_s + QString::number(throughput->labelBand().height()) + u" of "_s
                + QString::number(plot.height())));
    }
    if (strategy == Strategy::Sharded) {
        // false sold-outs on screen, projector mode too
        LiveChart *oversold = charts->chart(u"oversold"_s);
        QVERIFY2(oversold->titleText().contains(u"false sold-out"_s), qPrintable(at + oversold->titleText()));
        QVERIFY(oversold->seriesVisible(1) && oversold->series(1)->isVisible());
        QVERIFY(oversold->valueAxis(LiveChart::Axis::Right)->isVisible());
    }
    if (strategy == Strategy::Atomic && sc.config.traffic.readRatio == 0 && preset.startsWith(u"black-friday"_s)) {
        // the sell-out in 2 s: the title says when, a marker shows where (the scaling lessons use
        // atomic with stock that lasts: they are about nodes, not about selling out)
        LiveChart *stock = charts->chart(u"stock"_s);
        QVERIFY2(stock->titleText().contains(u"sold out at"_s), qPrintable(at + stock->titleText()));
        if (!lk.projector || lk.size.height() > 800)
            QVERIFY2(stock->visibleMarkerLabels().contains(u"sold out"_s),
                qPrintable(at + stock->visibleMarkerLabels().join(u", "_s)));
    }
    if (preset == u"rehash-mod-vs-ring"_s) {
        charts->setPage(ChartsPanel::CacheQueuePage);
        m_window->showLatest();
        LiveChart *hits = charts->chart(u"hits"_s);
        QVERIFY2(hits->titleText().contains(u"moved 96 %"_s), qPrintable(at + hits->titleText()));
        // on its marker, where the plot has room for a row of labels
        const QStringList shown = hits->markers().labelTexts();
        if (hits->plotArea().height() >= 3 * hits->markers().rowHeight())
            QVERIFY2(shown.filter(u"96 % moved"_s).size() == 1, qPrintable(at + shown.join(u" | "_s)));
    }
}

// ---------------------------------------------------------------- marker labels

void TestCharts::closeMarkersMerge_data()
{
    QTest::addColumn<int>("look");
    QTest::newRow("1366x768") << 0;
    QTest::newRow("1920x1080") << 2;
}

void TestCharts::closeMarkersMerge()
{
    // five actions within two seconds: labels that do not overlap and name or count every one;
    // where the chart is wide enough, every one by name
    QFETCH(int, look);
    Scenario sc = ::preset(u"black-friday-naive"_s);
    sc.config.stock = 1000000; // no sell-out marker among them
    sc.events.clear();
    const std::pair<double, EventKind> events[] = { { 5.0, EventKind::Spike }, { 5.3, EventKind::AddNodes },
        { 5.6, EventKind::KillNode }, { 6.2, EventKind::Restock }, { 6.8, EventKind::AddNodes } };
    for (const auto &[at, kind] : events) {
        TimedEvent e;
        e.atS = at;
        e.kind = kind;
        e.factor = 5;
        e.forS = 5;
        e.count = 2;
        e.units = 5000;
        sc.events.push_back(e);
    }
    m_loaded.clear();
    show(sc, u"five-markers"_s, kLooks[look], 12);
    LiveChart *stock = m_window->chartsPanel()->chart(u"stock"_s);
    checkChart(stock, u"five markers: "_s, kLooks[look]);
    const QStringList shown = stock->visibleMarkerLabels();
    const QStringList texts = stock->markers().labelTexts();
    int counted = 0;
    static const QRegularExpression more(u"\\+(\\d+) more$"_s);
    for (const QString &t : texts)
        if (const QRegularExpressionMatch m = more.match(t); m.hasMatch())
            counted += m.captured(1).toInt();
    QVERIFY2(shown.size() + counted == 5, qPrintable(texts.join(u" | "_s)));
    QVERIFY2(texts.size() <= MarkerOverlay::kLabelRows, qPrintable(texts.join(u" | "_s)));
    if (kLooks[look].size.width() >= 1920)
        for (const QString &l : { u"spike ×5"_s, u"+2 nodes"_s, u"kill 0"_s, u"restock +5000"_s })
            QVERIFY2(shown.contains(l), qPrintable(l + u" missing from "_s + texts.join(u" | "_s)));
    m_loaded.clear();
}

// ---------------------------------------------------------------- divergence

void TestCharts::lostCounterIsAGap()
{
    const Scenario sc = ::preset(u"black-friday-cache-queue"_s);
    show(sc, u"black-friday-cache-queue"_s, kLooks[2], 12);
    ChartsPanel *charts = m_window->chartsPanel();
    charts->setPage(ChartsPanel::CacheQueuePage);
    m_window->showLatest();
    LiveChart *divergence = charts->chart(u"divergence"_s);
    QVERIFY(divergence->isVisible());
    QVERIFY2(divergence->titleText().contains(u"counter lost"_s), qPrintable(divergence->titleText()));
    int lost = 0;
    const QList<QPointF> cache = divergence->series(0)->points();
    const QList<QPointF> store = divergence->series(1)->points();
    const QList<QPointF> gap = divergence->series(2)->points();
    QCOMPARE(store.size(), cache.size());
    for (qsizetype i = 0; i < store.size(); ++i) {
        const double t = store[i].x();
        // the store always has its stock: never drawn at 0 while units remain
        QVERIFY2(store[i].y() > 0, qPrintable(u"store at 0 at "_s + QString::number(t) + u" s"_s));
        if (t >= kCounterLostFrom + 0.05 && t < kCounterLostUntil - 0.05) {
            ++lost;
            QVERIFY2(std::isnan(cache[i].y()), qPrintable(u"cache drawn while lost at "_s + QString::number(t)));
            QVERIFY2(std::isnan(gap[i].y()), qPrintable(u"gap drawn while lost at "_s + QString::number(t)));
        } else if (t < kCounterLostFrom - 0.05) {
            QVERIFY(std::isfinite(cache[i].y()) && std::isfinite(gap[i].y()));
        }
    }
    QVERIFY(lost >= 30);
    m_loaded.clear();
}

// ---------------------------------------------------------------- titles

void TestCharts::titlesReadTheCountersSnapshot()
{
    const Scenario sc = ::preset(u"black-friday-row-lock"_s);
    show(sc, u"black-friday-row-lock"_s, kLooks[0], 6);
    ChartsPanel *charts = m_window->chartsPanel();
    charts->setPage(ChartsPanel::FlashSalePage);
    // one frame with a new snapshot: the counters show it, and so do the titles, although the
    // frame redraws only two charts
    m_current = synthetic(sc, 6.3, ++m_seq);
    m_window->poll();
    const QString remaining = m_window->countersPanel()->valueText(CountersPanel::Remaining);
    const QString p99 = m_window->countersPanel()->valueText(CountersPanel::P99);
    QVERIFY2(charts->chart(u"stock"_s)->titleText().contains(remaining),
        qPrintable(charts->chart(u"stock"_s)->titleText() + u" vs "_s + remaining));
    QVERIFY2(charts->chart(u"latency"_s)->titleText().contains(p99),
        qPrintable(charts->chart(u"latency"_s)->titleText() + u" vs "_s + p99));
}

// ---------------------------------------------------------------- time axis

void TestCharts::runLengthSetsTheTimeAxis()
{
    ChartsPanel panel;
    panel.resize(1200, 250);
    Scenario sc = ::preset(u"black-friday-naive"_s);
    const auto window = [&](double t) { return panel.timeWindow(*synthetic(sc, t, 1)); };
    panel.setRunLength(30);
    QCOMPARE(window(12), std::pair(0.0, 30.0));
    QCOMPARE(window(45), std::pair(0.0, 45.0)); // past the lesson: the axis grows with the run
    QCOMPARE(window(70), std::pair(10.0, 70.0)); // then slides, 60 s wide
    panel.setRunLength(0); // unknown: the 60 s window
    QCOMPARE(window(12), std::pair(0.0, 60.0));
    panel.setRunLength(120);
    QCOMPARE(window(12), std::pair(0.0, 60.0));
    panel.setRunLength(20);
    panel.showSnapshot(*synthetic(sc, 8, 2));
    for (LiveChart *chart : panel.charts())
        if (panel.pageAvailable(panel.pageOf(chart))) // (the fan-out's page: a fan-out run's)
            QCOMPARE(chart->timeAxis()->max(), 20.0);
}

// ---------------------------------------------------------------- the fan-out

void TestCharts::fanoutMarkerLabels_data()
{
    QTest::addColumn<QString>("engine");
    QTest::addColumn<QString>("shown");
    QTest::addColumn<int>("priority");
    QTest::newRow("post") << u"celebrity 0 posts"_s << u"post"_s << 4;
    QTest::newRow("another celebrity") << u"celebrity 2 posts"_s << u"post c2"_s << 4;
    QTest::newRow("mode") << u"fan-out hybrid"_s << u"hybrid"_s << 3;
    QTest::newRow("threshold") << u"threshold 100000 followers"_s << u"threshold 100 k"_s << 3;
    QTest::newRow("post share") << u"posts 5 % of arrivals"_s << u"posts 5 %"_s << 1;
    QTest::newRow("workers added") << u"8 fan-out workers added"_s << u"+8 workers"_s << 2;
    QTest::newRow("worker added") << u"1 fan-out worker added"_s << u"+worker"_s << 2;
    QTest::newRow("worker removed") << u"fan-out worker 9 removed"_s << u"−worker 9"_s << 2;
    QTest::newRow("worker killed") << u"fan-out worker 7 killed"_s << u"kill w7"_s << 5;
    QTest::newRow("shard added") << u"1 inbox shard added"_s << u"+shard"_s << 2;
    QTest::newRow("shard killed") << u"inbox shard 3 killed"_s << u"kill shard 3"_s << 5;
    QTest::newRow("shard rebuilt") << u"inbox shard 3 rebuilt: 62918 entries"_s << u"rebuilt 3"_s << 3;
}

void TestCharts::fanoutMarkerLabels()
{
    QFETCH(QString, engine);
    QFETCH(QString, shown);
    QFETCH(int, priority);
    const ChartMarker m = chartMarker({ 1.0, engine.toStdString() });
    QCOMPARE(m.label, shown);
    QCOMPARE(m.priority, priority);
}

void TestCharts::visibilityCurvesFollowTrackedPosts()
{
    ChartsPanel panel;
    panel.resize(1600, 300);
    panel.setWorkload(WorkloadKind::Fanout);
    panel.show(); // the charts get their laid-out size, which the markers are placed in
    QVERIFY(QTest::qWaitForWindowExposed(&panel));
    QCOMPARE(panel.page(), int(ChartsPanel::FanoutPage));
    LiveChart *chart = panel.chart(u"visibility"_s);
    QVERIFY(chart);
    // a run tick by tick: `post` is the tracked post from `from` on, climbing `step` per tick
    std::vector<TickSample> ticks;
    std::uint64_t seq = 0;
    auto feed = [&](double t, std::uint32_t post, double visible) {
        TickSample x;
        x.t = t;
        x.fanout->trackedPost = post;
        x.fanout->visible = visible;
        x.fanout->reads = 1000;
        ticks.push_back(x);
        auto s = std::make_shared<Snapshot>();
        s->seq = ++seq;
        s->t = t;
        s->recent.assign(ticks.size() > kRecentTicks ? ticks.end() - kRecentTicks : ticks.begin(), ticks.end());
        s->fanout->mode = FanoutMode::Push;
        if (post > 0) {
            TrackedPostView p;
            p.post = post;
            p.followers = 1000;
            p.delivered = std::int64_t(visible * 1000);
            p.runAtS = std::floor(t); // posted on the second
            s->fanout->tracked.push_back(p);
        }
        panel.showSnapshot(*s);
    };
    for (int i = 1; i < 10; ++i)
        feed(i * 0.1, 0, 0);
    QVERIFY(!chart->seriesVisible(0)); // no post: no curve
    // post 7 at 1 s, 10 % a tick
    int before = 0;
    for (int i = 0; i <= 10; ++i) {
        feed(1 + i * 0.1, 7, std::min(1.0, i * 0.1));
        QVERIFY2(chart->pointCount(0) > before,
            qPrintable(QString::number(i) + u": "_s + QString::number(chart->pointCount(0)) + u" points, "_s
                + QString::number(panel.visibility().newest() ? panel.visibility().newest()->points.size() : -1)
                + u" in the curve"_s)); // it gains a point a tick
        before = chart->pointCount(0);
    }
    QVERIFY(chart->seriesVisible(0) && !chart->seriesVisible(1));
    QCOMPARE(chart->series(0)->points().constFirst(), QPointF(0, 0));
    QCOMPARE(chart->series(0)->points().constLast().y(), 100.0);
    QCOMPARE(chart->series(0)->name(), u"post at 1.0 s"_s);
    QVERIFY2(std::abs(chart->series(0)->points().constLast().x() - 1.0) < 1e-6,
        qPrintable(QString::number(chart->series(0)->points().constLast().x())));
    // the 50 % crossing is marked where the curve crosses it (0.5 s after the post)
    QVERIFY2(chart->visibleMarkerLabels().contains(u"50 %"_s), qPrintable(chart->visibleMarkerLabels().join(u", "_s)));
    // a new tracked post: a new curve, the first one kept
    for (int i = 0; i <= 5; ++i)
        feed(3 + i * 0.1, 9, i * 0.2);
    QVERIFY(chart->seriesVisible(0) && chart->seriesVisible(1));
    QCOMPARE(chart->series(1)->name(), u"post at 3.0 s"_s);
    QCOMPARE(chart->series(0)->points().constLast().y(), 100.0);
    QVERIFY(chart->series(1)->points().size() >= 6);
    // bounded: the fifth post takes the first one's series
    for (std::uint32_t post : { 11u, 13u, 15u })
        for (int i = 0; i <= 3; ++i)
            feed(double(post) / 2 + i * 0.1, post, i * 0.3);
    QCOMPARE(chart->seriesCount(), VisibilityCurves::kCurves);
    QCOMPARE(chart->series(0)->name(), u"post at 7.0 s"_s); // post 15, at 7.5 s
    QCOMPARE(panel.visibility().newest()->post, 15u);
    // a long run: each curve holds at most kPoints points
    for (int i = 0; i < VisibilityCurves::kPoints + 50; ++i)
        feed(8 + i * 0.1, 15, 0.9);
    QVERIFY(chart->pointCount(0) <= VisibilityCurves::kPoints);
    QVERIFY(panel.visibility().newest()->points.size() <= VisibilityCurves::kPoints);
    QCOMPARE(chart->timeAxis()->max(), VisibilityCurves::kMaxSpanS); // never reached 100 %: the widest axis
    // a reset: the clock goes back, the curves start over
    ticks.clear();
    feed(0.1, 0, 0);
    for (int i = 0; i < VisibilityCurves::kCurves; ++i)
        QVERIFY(!chart->seriesVisible(i));
}

int main(int argc, char **argv)
{
    // as CTest runs it (tests/CMakeLists.txt), also when started by hand
    qputenv("QT_QPA_PLATFORM", "offscreen");
    qputenv("QT_ENABLE_HIGHDPI_SCALING", "0");
    qputenv("QT_FONT_DPI", "96");
    QApplication app(argc, argv);
    TestCharts test;
    return QTest::qExec(&test, argc, argv);
}

#include "tst_charts.moc"
