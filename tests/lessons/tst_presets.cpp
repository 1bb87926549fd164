// The cache and queue presets teach what their descriptions promise, in the engine's own
// numbers (issue 4 "Done when"). Each preset is loaded exactly as the binary loads it and run
// with its own timeline; only a uniform time scale shortens the longer ones, so every event
// keeps its place relative to the others.
//
// Assertions are ratios and invariants with wide margins, never absolute times.

#include "scenario.h"

#include <QTest>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <functional>
#include <thread>

using namespace stampede;

namespace {

struct Run {
    RunResult result;
    bool ok = false;
};

// Runs preset `name` for duration × scale seconds with every event time scaled the same way.
// `edit` may change the scenario first (e.g. drop an event to get the control run).
Run runPreset(const QString &name, double scale, const std::function<void(Scenario &)> &edit = {})
{
    Run run;
    QString error;
    auto sc = loadPreset(name, &error);
    if (!sc) {
        qWarning("%s", qPrintable(error));
        return run;
    }
    if (edit)
        edit(*sc);
    auto events = sc->events;
    for (auto &e : events) {
        e.atS *= scale;
        e.forS *= scale;
    }
    Engine engine(sc->config);
    engine.setTimeline(std::move(events));
    engine.start();
    const double until = sc->durationS * scale;
    // This thread only drives the run; the engine's tick fires the events.
    while (engine.snapshot()->t < until)
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
    run.result = engine.stopAndDrain(60);
    run.ok = true;
    return run;
}

// A per-second rate of one tick, read from its section.
using Field = std::function<double(const TickSample &)>;
const Field kStoreReads = [](const TickSample &x) { return x.cache->storeReads; };
const Field kEnqueued = [](const TickSample &x) { return x.queue->enqueued; };
const Field kDequeued = [](const TickSample &x) { return x.queue->dequeued; };

double peak(const std::vector<TickSample> &ticks, double from, double to, const Field &field)
{
    double best = 0;
    for (const auto &x : ticks)
        if (x.t > from && x.t <= to)
            best = std::max(best, field(x));
    return best;
}

double sum(const std::vector<TickSample> &ticks, double from, double to, const Field &field)
{
    double total = 0;
    for (const auto &x : ticks)
        if (x.t > from && x.t <= to)
            total += field(x) * kTickSeconds;
    return total;
}

} // namespace

class TestPresets : public QObject {
    Q_OBJECT

private slots:
    void cacheStampedeSingleFlightCutsStoreReads();
    void blackFridayCacheQueueStaysCorrect();
    void queueShavesThePeak();
    void ringMovesFewerKeysThanModulo();
    void celebrityPresetsTradeReadsForWrites();
    void fanoutWorkerCrashShowsDuplicatesAndLostInboxes();
};

// The store's peak read rate with single-flight on is at least 5× lower than with it off.
void TestPresets::cacheStampedeSingleFlightCutsStoreReads()
{
    const double scale = 0.4; // 12 s, single-flight at 6 s: six TTLs on each side
    const auto run = runPreset(QStringLiteral("cache-stampede"), scale);
    QVERIFY(run.ok);
    const auto &tl = run.result.timeline;
    const double switchAt = 15 * scale;
    // skip the cold start (every view misses once) and the tick of the switch itself
    const double before = peak(tl, 1.5, switchAt, kStoreReads);
    const double after = peak(tl, switchAt + 0.5, 30 * scale, kStoreReads);
    qInfo("cache-stampede: peak store reads %.0f/s before single-flight, %.0f/s after", before, after);
    QVERIFY(before > 0);
    QVERIFY2(before >= 5 * std::max(after, 1.0), qPrintable(QStringLiteral("%1 vs %2").arg(before).arg(after)));
    QVERIFY(run.result.audit.invariantsOk);
}

// Pre-deduction in the cache: nothing oversold or lost through spike, node kill and a cache
// node kill; the queue builds up and drains; the store trails the cache meanwhile.
void TestPresets::blackFridayCacheQueueStaysCorrect()
{
    const double scale = 0.5;
    const auto run = runPreset(QStringLiteral("black-friday-cache-queue"), scale);
    QVERIFY(run.ok);
    const auto &r = run.result;
    const auto &a = r.audit;
    qInfo("black-friday-cache-queue: confirmed %lld, persisted %lld, max backlog %lld, max lag %.0f ms, "
          "oversold %lld, lost %lld",
        static_cast<long long>(a.confirmed), static_cast<long long>(a.persisted),
        static_cast<long long>(r.final.queue->maxBacklog), r.final.queue->maxLagMs, static_cast<long long>(a.oversold),
        static_cast<long long>(a.lostOrders));
    QCOMPARE(a.oversold, 0);
    QCOMPARE(a.lostOrders, 0);
    QCOMPARE(a.queued, 0);
    QVERIFY(a.conserved);
    QVERIFY(r.final.queue->maxBacklog > 1000);
    // the counter died mid-spike: "sold out" while stock remained, until the queue drained and
    // the counter came back from the store; then sales went on
    QVERIFY2(a.falseSoldOut > 1000, qPrintable(QString::number(a.falseSoldOut)));
    const bool reloaded = std::any_of(r.markers.begin(), r.markers.end(),
        [](const Marker &m) { return m.label.rfind("counter reloaded from store", 0) == 0; });
    QVERIFY(reloaded);
    const auto minDivergence = std::min_element(r.timeline.begin(), r.timeline.end(),
        [](const TickSample &x, const TickSample &y) { return x.cache->divergence < y.cache->divergence; });
    QVERIFY(minDivergence != r.timeline.end());
    QVERIFY2(minDivergence->cache->divergence < -1000, "the store never trailed the cache");
    QCOMPARE(r.timeline.back().queue->queueBacklog, 0);
}

// The spike reaches the queue, not the store: orders arrive at several times the rate the
// consumers persist them, the backlog absorbs the difference and drains to zero.
void TestPresets::queueShavesThePeak()
{
    const double scale = 0.5;
    const auto run = runPreset(QStringLiteral("queue-peak-shaving"), scale);
    QVERIFY(run.ok);
    const auto &tl = run.result.timeline;
    const double in = peak(tl, 0, 30 * scale, kEnqueued);
    const double out = peak(tl, 0, 30 * scale, kDequeued);
    qInfo("queue-peak-shaving: peak enqueue %.0f/s, peak persist %.0f/s, max backlog %lld, max lag %.0f ms", in, out,
        static_cast<long long>(run.result.final.queue->maxBacklog), run.result.final.queue->maxLagMs);
    QVERIFY2(in > 2.5 * out, qPrintable(QStringLiteral("%1 vs %2").arg(in).arg(out)));
    QVERIFY(run.result.final.queue->maxBacklog > 5000);
    QVERIFY(run.result.final.queue->maxLagMs > 500);
    QCOMPARE(run.result.audit.queued, 0);
    QVERIFY(run.result.audit.invariantsOk);
    // Added consumers (at 12 s) persist faster than the first four did.
    const double early = peak(tl, 5 * scale, 12 * scale, kDequeued);
    const double late = peak(tl, 12 * scale + 0.5, 30 * scale, kDequeued);
    QVERIFY2(late > 1.3 * early, qPrintable(QStringLiteral("%1 vs %2").arg(late).arg(early)));
}

// The node added under modulo (8 s) costs far more store reads than the one added under the
// ring (22 s); the markers name the fractions of keys moved.
void TestPresets::ringMovesFewerKeysThanModulo()
{
    const double scale = 0.5;
    const auto run = runPreset(QStringLiteral("rehash-mod-vs-ring"), scale);
    QVERIFY(run.ok);
    const auto &tl = run.result.timeline;
    const double window = 3 * scale;
    const double modulo = sum(tl, 8 * scale, 8 * scale + window, kStoreReads);
    const double ring = sum(tl, 22 * scale, 22 * scale + window, kStoreReads);
    qInfo("rehash-mod-vs-ring: store reads after the node added under modulo %.0f, under the ring %.0f", modulo, ring);
    QVERIFY(ring > 0);
    QVERIFY2(modulo > 2 * ring, qPrintable(QStringLiteral("%1 vs %2").arg(modulo).arg(ring)));
    std::vector<double> moved;
    for (const auto &m : run.result.markers)
        if (m.label.rfind("cache node", 0) == 0 && m.label.find("added") != std::string::npos) {
            const auto colon = m.label.find(": ");
            moved.push_back(std::stod(m.label.substr(colon + 2)));
        }
    QCOMPARE(moved.size(), std::size_t(2));
    QVERIFY2(moved[0] > 70 && moved[0] < 90, "modulo 4 -> 5 moves about 4/5 of the keys");
    QVERIFY2(moved[1] > 10 && moved[1] < 25, "ring 5 -> 6 moves about 1/6 of the keys");
}

// The three celebrity presets, same traffic and graph: push reaches every follower in about
// F·t/W and faster with the added workers, reads one inbox but miss the post meanwhile; pull
// shows it at once and pays six fetches a read; hybrid shows it at once for two fetches.
void TestPresets::celebrityPresetsTradeReadsForWrites()
{
    const double scale = 0.35; // posts at 1.05 s and 4.2 s, 10.5 s in all
    const auto push = runPreset(QStringLiteral("celebrity-push"), scale);
    const auto pull = runPreset(QStringLiteral("celebrity-pull"), scale);
    const auto hybrid = runPreset(QStringLiteral("celebrity-hybrid"), scale);
    QVERIFY(push.ok && pull.ok && hybrid.ok);
    auto fetches
        = [](const Run &r) { return double(r.result.final.fanout->fetches) / double(r.result.final.fanout->reads); };
    const auto &pf = *push.result.final.fanout;
    QCOMPARE(pf.tracked.size(), std::size_t(2));
    const TrackedPostView &second = pf.tracked[0], &first = pf.tracked[1]; // newest first
    for (const TrackedPostView *p : { &first, &second }) {
        QVERIFY(!p->pulled);
        QCOMPARE(p->delivered, std::int64_t(p->followers));
    }
    // 8 workers at 0.01 ms a write, a 0.05 ms ack per batch of 64: F·t/W + F/(W·64)·ack = 1.35 s
    const double model8 = (first.followers * 0.01 / 8 + first.followers / (8.0 * 64) * 0.05) / 1e3;
    qInfo("celebrity-push: 100 %% after %.3f s (model %.3f s), with 16 workers %.3f s; fetches/read %.2f, stale %lld",
        first.maxMs / 1e3, model8, second.maxMs / 1e3, fetches(push), static_cast<long long>(pf.staleReads));
    QVERIFY2(std::abs(first.maxMs / 1e3 / model8 - 1) < 0.1, qPrintable(QString::number(first.maxMs)));
    QVERIFY2(second.maxMs < 0.65 * first.maxMs, "twice the workers: well under two thirds of the time");
    QVERIFY(pf.staleReads > 0);
    QCOMPARE(fetches(push), 1.0);

    const auto &lf = *pull.result.final.fanout;
    QCOMPARE(lf.inboxWrites, 0);
    QCOMPARE(lf.staleReads, 0);
    for (const TrackedPostView &p : lf.tracked)
        QVERIFY(p.pulled && p.delivered == std::int64_t(p.followers));
    QVERIFY2(fetches(pull) > 5, qPrintable(QString::number(fetches(pull))));
    QVERIFY2(pull.result.final.p50Ms > 3 * push.result.final.p50Ms, "six sequential fetches, not one");

    const auto &hf = *hybrid.result.final.fanout;
    QCOMPARE(hf.staleReads, 0);
    for (const TrackedPostView &p : hf.tracked)
        QVERIFY(p.pulled && p.delivered == std::int64_t(p.followers));
    QVERIFY2(fetches(hybrid) < 0.5 * fetches(pull), qPrintable(QString::number(fetches(hybrid))));
    QVERIFY2(hf.inboxWrites * 20 < pf.inboxWrites, "no million-write fan-out");
    for (const Run *r : { &push, &pull, &hybrid })
        QVERIFY(r->result.audit.invariantsOk);
}

// Plain writes and two workers killed mid-fan-out: their batches come back, the followers whose
// write had landed hold the post twice, and everyone still gets it; the killed inbox shard's
// inboxes are lost (its users' writes refused) until the rebuild refills them.
void TestPresets::fanoutWorkerCrashShowsDuplicatesAndLostInboxes()
{
    const double scale = 0.5; // the first post's fan-out (1.8 s with six workers) ends before the shard dies
    const auto run = runPreset(QStringLiteral("fanout-worker-crash"), scale);
    QVERIFY(run.ok);
    const auto &f = *run.result.final.fanout;
    qInfo("fanout-worker-crash: redelivered %lld batches, duplicates %lld, lost entries %lld, rebuilt %lld, "
          "lost writes %lld",
        static_cast<long long>(f.redelivered), static_cast<long long>(f.duplicates),
        static_cast<long long>(f.lostEntries), static_cast<long long>(f.rebuiltEntries),
        static_cast<long long>(f.lostWrites));
    QCOMPARE(f.redelivered, 2);
    // Before the rebuild only the two redelivered batches can write a post twice: at most one
    // duplicate per follower in them. The rebuild (at 10 s × scale) may add a few of its own:
    // writes of posts already in the log that were still queued land on the refilled inboxes.
    const double rebuildAt = 10 * scale;
    std::int64_t beforeRebuild = -1;
    for (const TickSample &x : run.result.timeline)
        if (x.t < rebuildAt && x.fanout)
            beforeRebuild = x.fanout->duplicatesTotal;
    qInfo("fanout-worker-crash: duplicates before the rebuild %lld", static_cast<long long>(beforeRebuild));
    QVERIFY2(beforeRebuild > 0 && beforeRebuild <= 2 * 64, qPrintable(QString::number(beforeRebuild)));
    QVERIFY(f.duplicates >= beforeRebuild);
    QCOMPARE(f.workersUp, 6);
    for (const TrackedPostView &p : f.tracked)
        QCOMPARE(p.delivered, std::int64_t(p.followers));
    // shard 3 of 16 held the post for about a sixteenth of her followers
    QVERIFY2(f.lostEntries > 999'999 / 16 * 0.9, qPrintable(QString::number(f.lostEntries)));
    QVERIFY(f.rebuiltEntries >= f.lostEntries * 0.9);
    QVERIFY(!run.result.audit.invariantsOk); // duplicates: the lesson
}

QTEST_GUILESS_MAIN(TestPresets)
#include "tst_presets.moc"
