// The `cache-queue` strategy and the order queue (DESIGN.md "Message queues", "Orders",
// issue 4): pre-deduction in the cache never oversells and loses no order while counter and
// queue survive; the backlog drains once consumers suffice; at-least-once delivery duplicates
// orders after a consumer dies unless the consumer is idempotent; a lost counter is either
// reloaded safely (with a false sold-out window) or reset to the initial stock (oversells).
//
// Observed through snapshot(), markers() and the end-of-run audit; deadlines only bound failures.

#include "engine.h"

#include "enginewait.h"

#include <QTest>

#include <algorithm>
#include <atomic>
#include <functional>
#include <memory>
#include <string>
#include <thread>

using namespace stampede;

using ConfigEdit = std::function<void(EngineConfig &)>;
using Churn = std::function<void(Engine &)>;
Q_DECLARE_METATYPE(ConfigEdit)
Q_DECLARE_METATYPE(Churn)

namespace {

constexpr double kDeadlineS = 60.0; // bounds a failure only

using test::SnapshotPtr;
SnapshotPtr waitFor(const Engine &e, const std::function<bool(const Snapshot &)> &pred, double timeoutS = kDeadlineS)
{
    return test::waitFor(e, pred, timeoutS);
}

EngineConfig cacheQueueConfig()
{
    EngineConfig c;
    c.name = "queue";
    c.seed = 5;
    c.strategy = Strategy::CacheQueue;
    c.stock = 2000;
    c.traffic.ratePerS = 4000;
    c.nodes.count = 2;
    c.nodes.capacity = 256;
    c.nodes.queueLimit = 5000;
    c.nodes.serviceMs = 0.1;
    c.store.latencyMs = 1.0;
    c.cache.nodes = 2;
    c.queue.partitions = 4;
    c.queue.capacity = 100000;
    c.queue.consumers = 2;
    c.threads = 2;
    return c;
}

int consumersUp(const Snapshot &s)
{
    return static_cast<int>(std::count_if(s.queue->consumers.begin(), s.queue->consumers.end(),
        [](const ConsumerView &c) { return c.state == NodeState::Up; }));
}

bool hasMarker(const std::vector<Marker> &markers, const std::string &prefix)
{
    return std::any_of(markers.begin(), markers.end(), [&](const Marker &m) { return m.label.rfind(prefix, 0) == 0; });
}

} // namespace

class TestQueue : public QObject {
    Q_OBJECT

private slots:
    void rejectsInvalidQueueConfig_data();
    void rejectsInvalidQueueConfig();
    void neverOversellsNorLoses_data();
    void neverOversellsNorLoses();
    void answersBeforeTheStoreCatchesUp();
    void backlogDrainsAfterSpike();
    void atLeastOnceDuplicatesUnlessIdempotent_data();
    void atLeastOnceDuplicatesUnlessIdempotent();
    void reloadFromStoreIsSafeButSaysSoldOut();
    void resetToInitialOversells();
    void fullQueueRejectsOrBlocks_data();
    void fullQueueRejectsOrBlocks();
    void consumerCommands();
    void resetMidRunStartsClean();
    void destroyingDoesNotWaitForTheQueue();
};

void TestQueue::rejectsInvalidQueueConfig_data()
{
    QTest::addColumn<ConfigEdit>("edit");
    QTest::addColumn<QString>("field");
    auto row = [](const char *name, ConfigEdit edit, const char *field) {
        QTest::newRow(name) << edit << QString::fromLatin1(field);
    };
    row(
        "partitions 0", [](EngineConfig &c) { c.queue.partitions = 0; }, "queue.partitions");
    row(
        "partitions above max", [](EngineConfig &c) { c.queue.partitions = kMaxPartitions + 1; }, "queue.partitions");
    row(
        "capacity 0", [](EngineConfig &c) { c.queue.capacity = 0; }, "queue.capacity");
    row(
        "consumers -1", [](EngineConfig &c) { c.queue.consumers = -1; }, "queue.consumers");
    row(
        "consumers above max", [](EngineConfig &c) { c.queue.consumers = kMaxConsumers + 1; }, "queue.consumers");
    row(
        "batch 0", [](EngineConfig &c) { c.queue.batch = 0; }, "queue.batch");
    row(
        "ack -1", [](EngineConfig &c) { c.queue.ackMs = -1; }, "queue.ack_ms");
    row(
        "read ratio -1", [](EngineConfig &c) { c.traffic.readRatio = -1; }, "traffic.read_ratio");
    row(
        "cache-queue without cache", [](EngineConfig &c) { c.cache.nodes = 0; }, "strategy");
}

void TestQueue::rejectsInvalidQueueConfig()
{
    QFETCH(ConfigEdit, edit);
    QFETCH(QString, field);
    EngineConfig c = cacheQueueConfig();
    edit(c);
    const QString err = QString::fromStdString(validate(c));
    QVERIFY2(err.startsWith(field + QStringLiteral(": ")), qPrintable(err));
    QVERIFY_THROWS_EXCEPTION(std::invalid_argument, Engine { c });
}

// Every confirmed order is persisted exactly once and no unit is sold twice, also while the
// cache tier changes under the counters (they move to their new owners).
void TestQueue::neverOversellsNorLoses_data()
{
    QTest::addColumn<ConfigEdit>("edit");
    QTest::addColumn<Churn>("churn");
    QTest::newRow("steady") << ConfigEdit([](EngineConfig &) {}) << Churn([](Engine &) {});
    QTest::newRow("cache node added and removed") << ConfigEdit([](EngineConfig &) {}) << Churn([](Engine &e) {
        QVERIFY(e.addCacheNode(1).ok);
        QVERIFY(e.removeCacheNode(0).ok);
        QVERIFY(e.addCacheNode(2).ok);
    });
    QTest::newRow("placement switched") << ConfigEdit([](EngineConfig &) {}) << Churn([](Engine &e) {
        QVERIFY(e.setPlacement(Placement::Modulo).ok);
        QVERIFY(e.setPlacement(Placement::Ring).ok);
    });
    QTest::newRow("many skus, block when full") << ConfigEdit([](EngineConfig &c) {
        c.traffic.skus = 50;
        c.stock = 40;
        c.queue.capacity = 20;
        c.queue.whenFull = FullPolicy::Block;
    }) << Churn([](Engine &e) { QVERIFY(e.addCacheNode(1).ok); });
    QTest::newRow("consumers killed, idempotent")
        << ConfigEdit([](EngineConfig &c) { c.queue.idempotent = true; }) << Churn([](Engine &e) {
               QVERIFY(e.killConsumer(0).ok);
               QVERIFY(e.addConsumers(1).ok);
           });
}

void TestQueue::neverOversellsNorLoses()
{
    QFETCH(ConfigEdit, edit);
    QFETCH(Churn, churn);
    EngineConfig c = cacheQueueConfig();
    edit(c);
    Engine e(c);
    e.start();
    QVERIFY(waitFor(e, [](const Snapshot &s) { return s.succeeded >= 300; }));
    churn(e);
    QVERIFY(waitFor(e, [&](const Snapshot &s) {
        return s.recent.size() && s.recent.back().store->confirmed >= s.store->stockInitial;
    }));
    const auto r = e.stopAndDrain(kDeadlineS);
    const auto &a = r.audit;
    const std::int64_t supplied = c.stock * c.traffic.skus;
    QCOMPARE(a.supplied, supplied);
    QCOMPARE(a.confirmed, supplied); // everything sold, nothing twice
    QCOMPARE(a.oversold, 0);
    QCOMPARE(a.lostOrders, 0);
    QCOMPARE(a.duplicateOrders, 0);
    QCOMPARE(a.queued, 0);
    QCOMPARE(a.persisted, supplied);
    QCOMPARE(a.remaining, 0);
    QVERIFY(a.conserved);
    QVERIFY(a.invariantsOk);
    QCOMPARE(r.final.queue->enqueued, r.final.queue->dequeued);
}

// The shopper's answer does not wait for the store: with a slow store the success latency stays
// near the cache round trip while the store's stock lags behind the counter (divergence < 0).
void TestQueue::answersBeforeTheStoreCatchesUp()
{
    EngineConfig c = cacheQueueConfig();
    c.stock = 1000000;
    c.traffic.ratePerS = 1500;
    c.store.latencyMs = 20; // two consumers persist at most ~100 orders/s
    c.queue.batch = 5;
    Engine e(c);
    e.start();
    const auto s = waitFor(e, [](const Snapshot &s) {
        return !s.recent.empty() && s.recent.back().queue->queueBacklog > 500
            && s.recent.back().cache->divergence < -500;
    });
    QVERIFY(s);
    const auto &x = s->recent.back();
    QVERIFY2(x.queue->queueLagMs > 100, qPrintable(QString::number(x.queue->queueLagMs)));
    QCOMPARE(x.cache->cacheStock - x.cache->divergence, x.store->stockRemaining); // store = cache − divergence
    // Answers take service + cache round trips, far below one store write (20 ms).
    QVERIFY2(s->p50Ms < 10, qPrintable(QString::number(s->p50Ms)));
    QCOMPARE(x.store->lostOrders, 0); // queued orders are late, not lost
}

void TestQueue::backlogDrainsAfterSpike()
{
    EngineConfig c = cacheQueueConfig();
    c.stock = 1000000;
    c.traffic.ratePerS = 500; // two consumers persist ~1800/s: enough, but not for a ×8 spike
    Engine e(c);
    e.start();
    QVERIFY(waitFor(e, [](const Snapshot &s) { return s.succeeded >= 100; }));
    QVERIFY(e.spike(8, 1.5).ok);
    const auto peak
        = waitFor(e, [](const Snapshot &s) { return !s.recent.empty() && s.recent.back().queue->queueBacklog > 1000; });
    QVERIFY(peak);
    const auto drained = waitFor(e, [](const Snapshot &s) {
        return s.spikeFactor == 1 && !s.recent.empty() && s.recent.back().queue->queueBacklog < 50
            && s.queue->maxBacklog > 1000;
    });
    QVERIFY(drained);
    QVERIFY(drained->queue->maxLagMs > 0);
    const auto r = e.stopAndDrain(kDeadlineS);
    QCOMPARE(r.audit.queued, 0);
    QCOMPARE(r.final.recent.back().queue->queueBacklog, 0);
    QVERIFY(r.audit.invariantsOk);
}

// Killing consumers that hold persisted-but-unacknowledged messages makes those messages
// deliverable again: without idempotency they are persisted twice.
void TestQueue::atLeastOnceDuplicatesUnlessIdempotent_data()
{
    QTest::addColumn<bool>("idempotent");
    QTest::newRow("plain consumer") << false;
    QTest::newRow("idempotent consumer") << true;
}

void TestQueue::atLeastOnceDuplicatesUnlessIdempotent()
{
    QFETCH(bool, idempotent);
    EngineConfig c = cacheQueueConfig();
    c.stock = 1000000;
    c.traffic.ratePerS = 3000;
    c.queue.batch = 50; // a consumer holds up to 50 persisted orders before it acknowledges
    c.queue.idempotent = idempotent;
    Engine e(c);
    e.start();
    QVERIFY(
        waitFor(e, [](const Snapshot &s) { return !s.recent.empty() && s.recent.back().queue->queueBacklog > 200; }));
    // Kill whichever consumer holds persisted messages, several times.
    int kills = 0;
    for (int round = 0; round < 40 && kills < 6; ++round) {
        const auto s = test::nextTick(e, kDeadlineS);
        QVERIFY(s);
        for (const auto &cv : s->queue->consumers)
            if (cv.state == NodeState::Up && cv.inHand > 5) {
                if (e.killConsumer(cv.id).ok) {
                    ++kills;
                    QVERIFY(e.addConsumers(1).ok);
                }
                break;
            }
    }
    QVERIFY(kills >= 3);
    const auto r = e.stopAndDrain(kDeadlineS);
    QVERIFY(r.final.queue->redelivered > 0);
    QCOMPARE(r.audit.lostOrders, 0);
    QCOMPARE(r.audit.oversold, 0);
    if (idempotent) {
        QCOMPARE(r.audit.duplicateOrders, 0);
        QVERIFY(r.audit.invariantsOk);
    } else {
        QVERIFY2(r.audit.duplicateOrders > 0, "a killed consumer's persisted orders were not persisted again");
        QCOMPARE(r.final.queue->duplicates, r.audit.duplicateOrders);
        QVERIFY(!r.audit.conserved); // each duplicate took one more unit from the store
        QVERIFY(!r.audit.invariantsOk);
    }
}

// reload-from-store: after the counter's node dies, the SKU says "sold out" until every queued
// order is persisted, then the counter comes back from the store and sales resume. No oversell.
void TestQueue::reloadFromStoreIsSafeButSaysSoldOut()
{
    EngineConfig c = cacheQueueConfig();
    c.stock = 1000000;
    c.traffic.ratePerS = 2500;
    c.cache.nodes = 1;
    c.cache.recovery = CounterRecovery::ReloadFromStore;
    Engine e(c);
    e.start();
    QVERIFY(
        waitFor(e, [](const Snapshot &s) { return !s.recent.empty() && s.recent.back().queue->queueBacklog > 300; }));
    QCOMPARE(e.snapshot()->cache->counterNode, 0);
    const auto before = e.snapshot()->succeeded;
    QVERIFY(e.killCacheNode(0).ok); // the counter is gone with the only node
    QVERIFY(e.addCacheNode(1).ok); // its replacement starts empty
    const auto lost = waitFor(e, [](const Snapshot &s) { return s.cache->counterReloading; });
    QVERIFY(lost);
    QCOMPARE(lost->cache->counterNode, -1);
    const auto falseSoldOut
        = waitFor(e, [](const Snapshot &s) { return !s.recent.empty() && s.recent.back().store->falseSoldOut > 100; });
    QVERIFY2(falseSoldOut, "the reload window did not answer sold out while stock remained");
    const auto resumed
        = waitFor(e, [&](const Snapshot &s) { return !s.cache->counterReloading && s.succeeded > before + 1000; });
    QVERIFY2(resumed, "sales did not resume after the queue drained");
    QCOMPARE(resumed->cache->counterNode, 1);
    const auto r = e.stopAndDrain(kDeadlineS);
    QCOMPARE(r.audit.oversold, 0);
    QCOMPARE(r.audit.lostOrders, 0);
    QVERIFY(r.audit.conserved);
    QVERIFY(hasMarker(r.markers, "counter reloaded from store"));
}

// reset-to-initial: the new counter starts from the initial stock as if nothing had been sold.
void TestQueue::resetToInitialOversells()
{
    EngineConfig c = cacheQueueConfig();
    c.stock = 3000;
    c.traffic.ratePerS = 4000;
    c.cache.nodes = 1;
    c.cache.recovery = CounterRecovery::ResetToInitial;
    Engine e(c);
    e.start();
    QVERIFY(waitFor(e, [](const Snapshot &s) { return s.succeeded >= 3000; })); // sold out
    QVERIFY(e.killCacheNode(0).ok); // the counter is gone with the only node
    QVERIFY(e.addCacheNode(1).ok); // its replacement starts empty
    QVERIFY(waitFor(e, [](const Snapshot &s) { return s.succeeded >= 4000; }));
    const auto r = e.stopAndDrain(kDeadlineS);
    QVERIFY2(r.audit.oversold >= 1000, qPrintable(QString::number(r.audit.oversold)));
    QVERIFY(!r.audit.invariantsOk);
    QVERIFY(hasMarker(r.markers, "counter reset to initial stock"));
}

void TestQueue::fullQueueRejectsOrBlocks_data()
{
    QTest::addColumn<FullPolicy>("policy");
    QTest::newRow("reject") << FullPolicy::Reject;
    QTest::newRow("block") << FullPolicy::Block;
}

void TestQueue::fullQueueRejectsOrBlocks()
{
    QFETCH(FullPolicy, policy);
    EngineConfig c = cacheQueueConfig();
    c.stock = 1000000;
    c.traffic.ratePerS = 2000;
    c.store.latencyMs = 10; // one consumer: ~100 orders/s
    c.queue.consumers = 1;
    c.queue.partitions = 1;
    c.queue.capacity = 100;
    c.queue.whenFull = policy;
    Engine e(c);
    e.start();
    if (policy == FullPolicy::Reject) {
        const auto s = waitFor(e, [](const Snapshot &s) { return s.queue->queueRejected > 100; });
        QVERIFY(s);
        // Every rejection is answered "overloaded". Mid-run a snapshot may count a rejection
        // before its answer (Runtime::tick reads the answers first: causes never trail their
        // effects), so the two are compared once the run has stopped and both are final.
        const auto r = e.stopAndDrain(kDeadlineS);
        QVERIFY(r.final.queue);
        QVERIFY2(r.final.failedOverloaded >= r.final.queue->queueRejected,
            qPrintable(QString::number(r.final.failedOverloaded) + QStringLiteral(" < ")
                + QString::number(r.final.queue->queueRejected)));
        QCOMPARE(r.audit.oversold, 0);
        QCOMPARE(r.audit.lostOrders, 0);
        QVERIFY(r.audit.conserved);
        return;
    } else {
        const auto s = waitFor(e,
            [](const Snapshot &s) { return !s.queue->partitions.empty() && s.queue->partitions.front().blocked > 10; });
        QVERIFY(s);
        QCOMPARE(s->queue->queueRejected, 0);
        QVERIFY(s->queue->partitions.front().backlog <= 100);
        QVERIFY(e.setQueueFull(FullPolicy::Reject).ok); // the waiting producers give up
        QVERIFY(waitFor(e, [](const Snapshot &s) { return s.queue->queueRejected > 0; }));
    }
    const auto r = e.stopAndDrain(kDeadlineS);
    QCOMPARE(r.audit.oversold, 0);
    QCOMPARE(r.audit.lostOrders, 0);
    QVERIFY(r.audit.conserved);
}

void TestQueue::consumerCommands()
{
    EngineConfig c = cacheQueueConfig();
    c.queue.consumers = 1;
    Engine e(c);
    e.start();
    QVERIFY(waitFor(e, [](const Snapshot &s) { return consumersUp(s) == 1; }));
    QCOMPARE(
        QString::fromStdString(e.killConsumer(7).error), QStringLiteral("kill consumer 7: no such consumer is up"));
    QCOMPARE(QString::fromStdString(e.addConsumers(0).error), QStringLiteral("add consumer: count must be at least 1"));
    QVERIFY(!e.addConsumers(kMaxConsumers).ok);
    QVERIFY(e.addConsumers(2).ok);
    QVERIFY(waitFor(e, [](const Snapshot &s) { return consumersUp(s) == 3; }));
    QVERIFY(e.removeConsumer(std::nullopt).ok); // the newest: 2
    QVERIFY(waitFor(e, [](const Snapshot &s) {
        return std::none_of(
            s.queue->consumers.begin(), s.queue->consumers.end(), [](const ConsumerView &v) { return v.id == 2; });
    }));
    QVERIFY(e.killConsumer(std::nullopt).ok); // the oldest up: 0
    auto s = waitFor(e, [](const Snapshot &s) {
        return std::any_of(s.queue->consumers.begin(), s.queue->consumers.end(),
            [](const ConsumerView &v) { return v.id == 0 && v.state == NodeState::Dead; });
    });
    QVERIFY(s);
    QVERIFY(e.removeConsumer(0).ok); // clears the dead one
    QVERIFY(e.removeConsumer(1).ok);
    QCOMPARE(
        QString::fromStdString(e.killConsumer(std::nullopt).error), QStringLiteral("kill consumer: no consumer is up"));
    QVERIFY(waitFor(e, [](const Snapshot &s) { return s.queue->consumers.empty(); }));
    QVERIFY(e.setIdempotent(true).ok);
    QVERIFY(waitFor(e, [](const Snapshot &s) { return s.queue->idempotent; }));
    QVERIFY(e.setCounterRecovery(CounterRecovery::ResetToInitial).ok);
    QVERIFY(waitFor(e, [](const Snapshot &s) { return s.cache->recovery == CounterRecovery::ResetToInitial; }));
    QVERIFY(!e.removeCacheNode(0).ok || !e.removeCacheNode(1).ok); // the last one keeps the counters
    // No consumer: the queue grows and nothing is persisted; the audit says so.
    const auto r = e.stopAndDrain(0.5);
    QVERIFY(r.audit.queued > 0);
    QVERIFY(!r.audit.drained);
    QCOMPARE(r.audit.lostOrders, 0);
}

// A reset while orders are queued, producers blocked, consumers busy and views waiting on a
// lease: the run starts over from the configuration and stays consistent.
void TestQueue::resetMidRunStartsClean()
{
    EngineConfig c = cacheQueueConfig();
    c.stock = 1000000;
    c.traffic.ratePerS = 3000;
    c.traffic.readRatio = 1;
    c.store.latencyMs = 5;
    c.cache.singleFlight = true;
    c.cache.ttlMs = 20;
    c.queue.partitions = 2;
    c.queue.capacity = 200;
    c.queue.whenFull = FullPolicy::Block;
    Engine e(c);
    e.start();
    QVERIFY(waitFor(e, [](const Snapshot &s) {
        return std::any_of(s.queue->partitions.begin(), s.queue->partitions.end(),
            [](const PartitionView &p) { return p.blocked > 0; });
    }));
    QVERIFY(e.killConsumer(0).ok);
    QVERIFY(e.addCacheNode(1).ok);
    QVERIFY(e.reset().ok);
    const auto fresh = waitFor(e, [](const Snapshot &s) {
        return s.markers.size() == 1 && s.markers.front().label == "reset" && s.cache->views > 100 && s.succeeded > 100;
    });
    QVERIFY(fresh);
    QCOMPARE(consumersUp(*fresh), 2);
    QCOMPARE(static_cast<int>(fresh->cache->cacheNodes.size()), 2);
    QCOMPARE(fresh->queue->redelivered, 0);
    QVERIFY(fresh->queue->enqueued >= fresh->succeeded); // every yes since the reset is on the queue
    const auto r = e.stopAndDrain(kDeadlineS);
    QCOMPARE(r.audit.oversold, 0);
    QCOMPARE(r.audit.lostOrders, 0);
    QCOMPARE(r.audit.duplicateOrders, 0);
    QCOMPARE(r.audit.queued, 0);
    QVERIFY(r.audit.conserved);
    QVERIFY(r.audit.invariantsOk);
}

// The window retires engines by destroying them; a long backlog must not hold that up (the
// audit's queue drain is for stopAndDrain only). Here draining would take ~200 s.
void TestQueue::destroyingDoesNotWaitForTheQueue()
{
    EngineConfig c = cacheQueueConfig();
    c.stock = 1000000;
    c.traffic.ratePerS = 3000;
    c.store.latencyMs = 100; // one consumer, batch 1: ten orders per second
    c.queue.consumers = 1;
    c.queue.batch = 1;
    auto e = std::make_unique<Engine>(c);
    e->start();
    QVERIFY(
        waitFor(*e, [](const Snapshot &s) { return !s.recent.empty() && s.recent.back().queue->queueBacklog > 2000; }));
    auto done = std::make_shared<std::atomic<bool>>(false);
    std::thread([engine = e.release(), done] {
        delete engine;
        done->store(true);
    }).detach();
    QTRY_VERIFY_WITH_TIMEOUT(done->load(), 30000); // bounds a failure only
}

QTEST_GUILESS_MAIN(TestQueue)
#include "tst_queue.moc"
