// The stock-deduction strategies under real contention (DESIGN.md "Stock-deduction
// strategies"): the safe ones never oversell and conserve stock while nodes are added,
// drained and killed under them; `naive` oversells; the hot row caps `row-lock` however many
// nodes there are; buckets lift that cap for `sharded`.
//
// Timing: the engine is observed only through its snapshots (polled with generous deadlines);
// the test thread sleeps only to let traffic flow. Throughput is asserted as ratios between
// runs that share the machine at the same time, or against upper bounds that follow from the
// model (a row held for H ms serves at most 1000/H per second), never as absolute speeds.

#include "engine.h"

#include "audittext.h"
#include "enginewait.h"

#include <QTest>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <functional>
#include <memory>
#include <string_view>
#include <thread>
#include <vector>

using namespace stampede;
using namespace std::chrono_literals;

Q_DECLARE_METATYPE(stampede::Strategy)

namespace {

// Deadlines only bound a failure; a passing run never waits for them.
constexpr double kDeadlineS = 60.0;

using test::findNode;
using test::SnapshotPtr;
SnapshotPtr waitFor(const Engine &e, const std::function<bool(const Snapshot &)> &pred, double timeoutS = kDeadlineS)
{
    return test::waitFor(e, pred, timeoutS);
}
SnapshotPtr waitForRunTime(const Engine &e, double t) { return test::waitForRunTime(e, t, kDeadlineS); }

// "up", "draining", "dead", or "gone" when the snapshot does not list the node.
QByteArray stateOf(const Snapshot &s, int id)
{
    const NodeView *n = findNode(s, id);
    return n ? QByteArray(toString(n->state).data(), qsizetype(toString(n->state).size())) : QByteArray("gone");
}

double sumFailedNodeDown(const std::vector<TickSample> &timeline)
{
    double sum = 0;
    for (const auto &x : timeline)
        sum += x.failedNodeDown;
    return sum;
}

using test::auditText;

// Everything a safe strategy must guarantee at the end of a run whose stock sold out.
void verifySafeAudit(const RunResult &r)
{
    const Audit &a = r.audit;
    const QString text = auditText(r);
    QVERIFY2(a.drained, qPrintable(text));
    QVERIFY2(a.oversold == 0, qPrintable(text));
    QVERIFY2(a.conserved, qPrintable(text));
    QVERIFY2(a.lostOrders == 0, qPrintable(text));
    QVERIFY2(a.duplicateOrders == 0, qPrintable(text));
    QVERIFY2(a.invariantsOk, qPrintable(text));
    // sold out completely: the offered attempts far exceed the supply
    QVERIFY2(a.remaining == 0, qPrintable(text));
    QVERIFY2(a.persisted == a.supplied - a.remaining, qPrintable(text));
    // every confirmed unit is persisted; a persisted unit whose answer was lost to a killed
    // node is not confirmed, and such a request was answered "failed"
    QVERIFY2(a.confirmed <= a.persisted, qPrintable(text));
    QVERIFY2(a.persisted - a.confirmed <= r.final.failed, qPrintable(text));
    // the snapshot's totals agree with the audit, and every attempt got exactly one answer
    QCOMPARE(r.final.succeeded, a.confirmed);
    QCOMPARE(r.final.store->stockInitial, a.supplied);
    QCOMPARE(r.final.attempts, r.final.succeeded + r.final.soldOut + r.final.rateLimited + r.final.failed);
    QVERIFY(r.final.soldOut > 0);
    // the final tick says the same
    QVERIFY(!r.timeline.empty());
    const TickSample &last = r.timeline.back();
    QCOMPARE(last.store->oversold, std::int64_t(0));
    QCOMPARE(last.store->lostOrders, std::int64_t(0));
    QCOMPARE(last.store->stockRemaining, std::int64_t(0));
    QCOMPARE(last.store->confirmed, a.confirmed);
    QCOMPARE(last.store->sold, a.persisted);
    QCOMPARE(last.attemptsTotal, r.final.attempts);
}

void addStrategyRows()
{
    QTest::addColumn<Strategy>("strategy");
    QTest::newRow("row-lock") << Strategy::RowLock;
    QTest::newRow("atomic") << Strategy::Atomic;
    QTest::newRow("sharded") << Strategy::Sharded;
}

// Succeeded per second of run time between two snapshots.
double succeededRate(const Snapshot &a, const Snapshot &b)
{
    return static_cast<double>(b.succeeded - a.succeeded) / (b.t - a.t);
}

} // namespace

class TestStrategies : public QObject {
    Q_OBJECT

private slots:
    void initTestCase();
    void safeStrategiesClosedLoopWithNodeChurn_data();
    void safeStrategiesClosedLoopWithNodeChurn();
    void safeStrategiesOpenLoopModeled_data();
    void safeStrategiesOpenLoopModeled();
    void naiveOversells_data();
    void naiveOversells();
    void rowLockThroughputIndependentOfNodes();
    void shardedThroughputGrowsWithBuckets();
    void shardedProbesTradeFalseSoldOuts();
    void sameSeedSameArrivalCount();
};

void TestStrategies::initTestCase()
{
    // DESIGN.md's names, in its order; cache-queue has its own test (tst_cachequeue).
    const std::vector<std::string_view> expected { "naive", "row-lock", "atomic", "sharded", "cache-queue" };
    QVERIFY(strategyNames() == expected);
}

// ---- (a) safe strategies, closed loop at full speed, nodes added/drained/killed mid-run ----

void TestStrategies::safeStrategiesClosedLoopWithNodeChurn_data() { addStrategyRows(); }

void TestStrategies::safeStrategiesClosedLoopWithNodeChurn()
{
    QFETCH(Strategy, strategy);
    EngineConfig c;
    c.name = "stress";
    c.seed = 7;
    c.strategy = strategy;
    c.stock = 5000;
    c.traffic.mode = TrafficMode::Closed;
    c.traffic.clients = 64;
    c.nodes.count = 4; // ids 0..3
    c.nodes.capacity = 64;
    c.nodes.queueLimit = 1000;
    c.nodes.serviceMs = 0; // all latencies 0: requests run synchronously, millions per second
    c.store.latencyMs = 0;
    c.store.writeMs = 0;
    c.store.buckets = 8;
    c.threads = 4; // more threads than cores: preemption inside every critical window
    Engine e(c);
    e.start();
    std::int64_t supplied = c.stock;

    // the first 5000 units sell out under contention
    QVERIFY(waitFor(e, [](const Snapshot &s) { return s.attempts >= 10000 && s.succeeded > 0; }));

    // churn while fresh stock is being sold: these commands land within the few milliseconds
    // it takes the clients to sell 5000 units
    auto ok = [](const CommandResult &r) { return r.ok ? QByteArray() : QByteArray(r.error.c_str()); };
    QCOMPARE(ok(e.restock(5000)), QByteArray());
    supplied += 5000;
    QCOMPARE(ok(e.addNodes(2)), QByteArray()); // ids 4, 5
    QCOMPARE(ok(e.removeNode(0)), QByteArray()); // drain, then gone
    QCOMPARE(ok(e.killNode(1)), QByteArray()); // its work fails
    QCOMPARE(ok(e.restock(5000)), QByteArray());
    supplied += 5000;
    QCOMPARE(ok(e.addNodes(1)), QByteArray()); // id 6
    QCOMPARE(ok(e.removeNode(4)), QByteArray());
    const auto before = e.snapshot()->attempts;
    QVERIFY(waitFor(e, [before](const Snapshot &s) { return s.attempts >= before + 20000; }));

    // outage: kill every node that is up; requests now fail with "node down"
    QCOMPARE(ok(e.restock(2000)), QByteArray());
    supplied += 2000;
    for (int id : { 2, 3, 5, 6 })
        QCOMPARE(ok(e.killNode(id)), QByteArray());
    const auto outage = waitFor(e, [](const Snapshot &s) {
        return s.failed > 0 && !s.recent.empty() && s.recent.back().app->nodesUp == 0
            && s.recent.back().failedNodeDown > 0;
    });
    QVERIFY2(outage, "no request failed with node down while no node was up");

    // recover: new nodes, clear a dead one, more stock
    QCOMPARE(ok(e.addNodes(2)), QByteArray()); // ids 7, 8
    QCOMPARE(ok(e.removeNode(1)), QByteArray()); // dead: cleared at once
    QCOMPARE(ok(e.restock(5000)), QByteArray());
    supplied += 5000;
    const auto seqAfter = e.snapshot()->seq;
    const auto done = waitFor(e, [seqAfter](const Snapshot &s) {
        // attempts that reached the store (not the ones failed during the outage)
        return s.seq > seqAfter && s.succeeded + s.soldOut >= 100000 && !s.recent.empty()
            && s.recent.back().store->stockRemaining == 0 && s.recent.back().app->nodesUp == 2;
    });
    QVERIFY2(done, "the run did not reach 100k contended attempts with the stock sold out");

    const RunResult r = e.stopAndDrain(20);
    qInfo("%s", qPrintable(auditText(r)));
    verifySafeAudit(r);
    if (QTest::currentTestFailed())
        return;
    QCOMPARE(r.audit.supplied, supplied);
    const std::int64_t contended = r.final.succeeded + r.final.soldOut; // answered by the store
    QVERIFY2(r.final.attempts >= 100000, qPrintable(auditText(r)));
    QVERIFY2(contended >= 100000, qPrintable(auditText(r)));
    QVERIFY2(contended >= 4 * supplied, qPrintable(auditText(r))); // far more buyers than units
    QVERIFY(r.final.failed > 0);
    QVERIFY(sumFailedNodeDown(r.timeline) > 0);
    // the topology the commands asked for
    const Snapshot &f = r.final;
    QCOMPARE(stateOf(f, 0), QByteArray("gone")); // drained and removed
    QCOMPARE(stateOf(f, 1), QByteArray("gone")); // dead, then cleared
    QCOMPARE(stateOf(f, 4), QByteArray("gone"));
    for (int id : { 2, 3, 5, 6 })
        QCOMPARE(stateOf(f, id), QByteArray("dead"));
    for (int id : { 7, 8 })
        QCOMPARE(stateOf(f, id), QByteArray("up"));
    QCOMPARE(f.app->nodes.size(), std::size_t(6));
}

// ---- (a') the same guarantees with modeled latencies, open loop ----

void TestStrategies::safeStrategiesOpenLoopModeled_data() { addStrategyRows(); }

void TestStrategies::safeStrategiesOpenLoopModeled()
{
    QFETCH(Strategy, strategy);
    EngineConfig c;
    c.name = "modeled";
    c.seed = 11;
    c.strategy = strategy;
    c.stock = 200;
    c.traffic.mode = TrafficMode::Open;
    c.traffic.ratePerS = 600;
    c.nodes.count = 4;
    c.nodes.capacity = 64;
    c.nodes.queueLimit = 200;
    // A long service time keeps several requests on every node (600/s / 5 nodes * 60 ms ~ 7),
    // so killing two nodes fails some of them with near certainty.
    c.nodes.serviceMs = 60;
    c.store.latencyMs = 1.0;
    c.store.writeMs = 0.05;
    c.store.buckets = 8;
    c.threads = 2;
    Engine e(c);
    e.start();

    QVERIFY(waitForRunTime(e, 0.3));
    QVERIFY(e.addNodes(1).ok); // id 4
    QVERIFY(waitForRunTime(e, 0.5));
    const auto beforeKill = e.snapshot();
    QVERIFY(e.killNode(0).ok);
    QVERIFY(e.killNode(1).ok);
    QVERIFY(e.removeNode(2).ok);
    // the killed nodes' requests in flight fail with "node down"
    QVERIFY2(waitFor(
                 e, [&](const Snapshot &s) { return s.failed > beforeKill->failed; }, 10),
        "killing two busy nodes failed no request");
    // run on, until the stock is gone and for at least 1.6 s
    const auto end = waitFor(e, [](const Snapshot &s) {
        return s.t >= 1.6 && !s.recent.empty() && s.recent.back().store->stockRemaining == 0;
    });
    QVERIFY2(end, "stock not sold out");

    const RunResult r = e.stopAndDrain(20);
    qInfo("%s", qPrintable(auditText(r)));
    verifySafeAudit(r);
    if (QTest::currentTestFailed())
        return;
    QCOMPARE(r.audit.supplied, c.stock);
    QVERIFY2(r.final.attempts >= 3 * c.stock, qPrintable(auditText(r)));
    QVERIFY(sumFailedNodeDown(r.timeline) > 0);
    // Stock only ever decreased here, so "sold out" was only said once it was all gone
    // (for `sharded`: after probing every bucket).
    QCOMPARE(r.audit.falseSoldOut, std::int64_t(0));
    QCOMPARE(stateOf(r.final, 2), QByteArray("gone")); // drained and removed
    QCOMPARE(stateOf(r.final, 0), QByteArray("dead"));
    QCOMPARE(stateOf(r.final, 1), QByteArray("dead"));
    QCOMPARE(stateOf(r.final, 3), QByteArray("up"));
    QCOMPARE(stateOf(r.final, 4), QByteArray("up"));
}

// ---- (b) naive oversells when reads and writes of the hot row interleave ----

void TestStrategies::naiveOversells_data()
{
    QTest::addColumn<quint64>("seed");
    QTest::newRow("seed 1") << quint64(1);
    QTest::newRow("seed 2") << quint64(2);
    QTest::newRow("seed 3") << quint64(3);
}

void TestStrategies::naiveOversells()
{
    QFETCH(quint64, seed);
    EngineConfig c;
    c.name = "naive";
    c.seed = seed;
    c.strategy = Strategy::Naive;
    c.stock = 200;
    c.traffic.ratePerS = 2000; // ~2 reads inside every 1 ms read-write window
    c.nodes.count = 4;
    c.store.latencyMs = 1.0;
    c.store.writeMs = 0.05;
    c.threads = 2;
    Engine e(c);
    e.start();
    QVERIFY(waitFor(e, [](const Snapshot &s) {
        return s.t >= 1.0 && !s.recent.empty() && s.recent.back().store->stockRemaining == 0;
    }));
    const RunResult r = e.stopAndDrain(20);
    qInfo("%s", qPrintable(auditText(r)));
    const Audit &a = r.audit;
    const QString text = auditText(r);
    QVERIFY2(a.drained, qPrintable(text));
    QVERIFY2(a.oversold > 0, qPrintable(text));
    QVERIFY2(a.confirmed > a.supplied, qPrintable(text));
    QCOMPARE(a.oversold, a.confirmed - a.supplied); // one SKU: the definition
    QVERIFY2(!a.conserved, qPrintable(text)); // lost updates: more sold than left the row
    QVERIFY2(a.persisted > a.supplied - a.remaining, qPrintable(text));
    QVERIFY2(!a.invariantsOk, qPrintable(text));
    QCOMPARE(a.lostOrders, std::int64_t(0)); // its failure is overselling, not losing orders
    QCOMPARE(r.final.succeeded, a.confirmed);
    QCOMPARE(r.timeline.back().store->oversold, a.oversold);
}

// ---- (c) the hot row caps row-lock: more nodes do not help ----

void TestStrategies::rowLockThroughputIndependentOfNodes()
{
    auto config = [](int nodes) {
        EngineConfig c;
        c.name = "row-lock-" + std::to_string(nodes);
        c.strategy = Strategy::RowLock;
        c.stock = std::int64_t(1) << 30; // never runs out
        c.traffic.ratePerS = 5000; // ~10x the row's cap
        c.nodes.count = nodes;
        // 16+16 per node keeps dozens of requests queued on the row (it never idles) while
        // the drain at the end stays short; the excess is rejected as overloaded.
        c.nodes.capacity = 16;
        c.nodes.queueLimit = 16;
        c.nodes.serviceMs = 0.5;
        c.store.latencyMs = 1.0;
        c.store.writeMs = 0.05;
        c.threads = 2;
        return c;
    };
    constexpr double holdMs = 2 * 1.0 + 0.05; // SELECT FOR UPDATE + UPDATE/COMMIT
    constexpr double cap = 1000.0 / holdMs; // ~488/s, an upper bound however slow the machine

    // Both run at the same time so they share whatever the machine is doing.
    Engine two(config(2)), eight(config(8));
    two.start();
    eight.start();
    const auto a2 = waitForRunTime(two, 0.5), a8 = waitForRunTime(eight, 0.5);
    QVERIFY(a2 && a8);
    const auto b2 = waitForRunTime(two, a2->t + 2.0), b8 = waitForRunTime(eight, a8->t + 2.0);
    QVERIFY(b2 && b8);
    const double r2 = succeededRate(*a2, *b2), r8 = succeededRate(*a8, *b8);
    const QString text = QStringLiteral("2 nodes %1/s, 8 nodes %2/s, model cap %3/s").arg(r2).arg(r8).arg(cap);
    qInfo("%s", qPrintable(text));

    // every lock hold lasts at least the modeled hold time
    for (const auto *s : { b2.get(), b8.get() })
        for (const auto &x : s->recent)
            if (x.store->lockHoldMeanMs > 0)
                QVERIFY2(x.store->lockHoldMeanMs >= holdMs * 0.999,
                    qPrintable(QStringLiteral("lock held %1 ms < %2 ms").arg(x.store->lockHoldMeanMs).arg(holdMs)));
    // offered far above the cap: the row was the bottleneck, the nodes turned work away
    QVERIFY2(b2->failed > 0 && b8->failed > 0, qPrintable(text));

    const RunResult end2 = two.stopAndDrain(20), end8 = eight.stopAndDrain(20);
    QVERIFY(end2.audit.invariantsOk && end8.audit.invariantsOk);

    QVERIFY2(r2 <= 1.10 * cap && r8 <= 1.10 * cap, qPrintable(text));
    QVERIFY2(r2 >= 0.25 * cap && r8 >= 0.25 * cap, qPrintable(text));
    const double ratio = r8 / r2;
    QVERIFY2(ratio >= 0.7 && ratio <= 1.4, qPrintable(text + QStringLiteral(", ratio %1").arg(ratio)));
}

// ---- (d) sharded: fewer probes answer "sold out" while other buckets still hold units ----

void TestStrategies::shardedProbesTradeFalseSoldOuts()
{
    auto run = [](int probes) {
        EngineConfig c;
        c.name = "sharded-probes-" + std::to_string(probes);
        c.strategy = Strategy::Sharded;
        c.stock = 2000;
        c.traffic.ratePerS = 4000;
        c.nodes.count = 4;
        c.store.latencyMs = 0.2;
        c.store.buckets = 8;
        c.store.probes = probes;
        c.threads = 2;
        Engine e(c);
        e.start();
        // past the sell-out, with shoppers still arriving at empty buckets
        const auto end = waitFor(e, [](const Snapshot &s) {
            return !s.recent.empty() && s.recent.back().store->stockRemaining == 0 && s.soldOut > 2000;
        });
        RunResult r = e.stopAndDrain(20);
        return std::make_pair(bool(end), r);
    };
    const auto [allDone, all] = run(0);
    const auto [oneDone, one] = run(1);
    QVERIFY(allDone && oneDone);
    qInfo("false sold-outs: every bucket probed %lld, own bucket only %lld",
        static_cast<long long>(all.audit.falseSoldOut), static_cast<long long>(one.audit.falseSoldOut));
    QVERIFY(all.audit.invariantsOk && one.audit.invariantsOk);
    // probing every bucket never says "sold out" while stock remains; one bucket does, and the
    // audit still balances: every unit sold once
    QCOMPARE(all.audit.falseSoldOut, std::int64_t(0));
    QVERIFY(one.audit.falseSoldOut > 0);
    QCOMPARE(one.audit.oversold, std::int64_t(0));
    QCOMPARE(one.audit.supplied, std::int64_t(2000));
}

// ---- (e) sharded: each bucket is its own row, so throughput grows with buckets ----

void TestStrategies::shardedThroughputGrowsWithBuckets()
{
    auto config = [](int buckets) {
        EngineConfig c;
        c.name = "sharded-" + std::to_string(buckets);
        c.strategy = Strategy::Sharded;
        c.stock = std::int64_t(1) << 30;
        c.traffic.ratePerS = 12000;
        c.nodes.count = 4;
        c.nodes.capacity = 64;
        c.nodes.queueLimit = 64;
        c.nodes.serviceMs = 0.1;
        c.store.latencyMs = 0.1;
        c.store.writeMs = 1.0; // each bucket commits at most 1000/s
        c.store.buckets = buckets;
        c.threads = 2;
        return c;
    };
    Engine one(config(1)), eight(config(8));
    one.start();
    eight.start();
    const auto a1 = waitForRunTime(one, 0.5), a8 = waitForRunTime(eight, 0.5);
    QVERIFY(a1 && a8);
    const auto b1 = waitForRunTime(one, a1->t + 2.0), b8 = waitForRunTime(eight, a8->t + 2.0);
    QVERIFY(b1 && b8);
    const double r1 = succeededRate(*a1, *b1), r8 = succeededRate(*a8, *b8);
    const QString text = QStringLiteral("1 bucket %1/s, 8 buckets %2/s").arg(r1).arg(r8);
    qInfo("%s", qPrintable(text));
    const RunResult end1 = one.stopAndDrain(20), end8 = eight.stopAndDrain(20);
    QVERIFY(end1.audit.invariantsOk && end8.audit.invariantsOk);

    QVERIFY2(r1 <= 1.10 * 1000.0, qPrintable(text)); // one row: at most 1/write_ms
    QVERIFY2(r8 <= 1.10 * 8 * 1000.0, qPrintable(text));
    QVERIFY2(r8 >= 2.5 * r1, qPrintable(text));
    // large stock: nothing sold out, so no false sold-out either
    QCOMPARE(end8.final.soldOut, std::int64_t(0));
    QCOMPARE(end8.audit.falseSoldOut, std::int64_t(0));
}

// ---- (e) the arrival process follows the rate; the same seed gives the same count ----

void TestStrategies::sameSeedSameArrivalCount()
{
    auto config = [] {
        EngineConfig c;
        c.seed = 1234;
        c.strategy = Strategy::Atomic;
        c.stock = 1000000;
        c.traffic.ratePerS = 3000;
        c.threads = 2;
        return c;
    };
    Engine a(config()), b(config());
    a.start();
    b.start();
    const auto ea = waitForRunTime(a, 1.5), eb = waitForRunTime(b, 1.5);
    QVERIFY(ea && eb);
    const double ra = static_cast<double>(ea->attempts) / ea->t, rb = static_cast<double>(eb->attempts) / eb->t;
    const QString text = QStringLiteral("attempts/s %1 vs %2 (offered 3000/s)").arg(ra).arg(rb);
    QVERIFY2(ra > 0 && rb > 0, qPrintable(text));
    QVERIFY2(std::abs(ra - rb) <= 0.15 * std::max(ra, rb), qPrintable(text));
    // the arrival process does not make up attempts: at most the offered rate plus noise
    QVERIFY2(ra <= 1.15 * 3000 && rb <= 1.15 * 3000, qPrintable(text));
    a.stopAndDrain(20);
    b.stopAndDrain(20);
}

QTEST_GUILESS_MAIN(TestStrategies)
#include "tst_strategies.moc"
