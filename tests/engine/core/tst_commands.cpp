// Live commands of the engine (engine.h): each one validates its input with a one-line error
// naming what is wrong and leaves the run untouched when it fails, and each valid one shows
// up in the next snapshots: nodes, strategy, traffic mode and rate, pause, reset, restock,
// spikes, the scenario timeline, markers. Also the constructor's validation and shutdown.
//
// The engine is observed only through snapshot()/markers()/timeline(), polled with generous
// deadlines. Rates are compared as ratios between ticks of the same run, never as absolute
// speeds.

#include "engine.h"

#include "enginewait.h"

#include <QTest>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <functional>
#include <limits>
#include <memory>
#include <stdexcept>
#include <thread>

using namespace stampede;
using namespace std::chrono_literals;

using ConfigEdit = std::function<void(EngineConfig &)>;
using Command = std::function<CommandResult(Engine &)>;
Q_DECLARE_METATYPE(ConfigEdit)
Q_DECLARE_METATYPE(Command)
Q_DECLARE_METATYPE(stampede::Strategy)
Q_DECLARE_METATYPE(stampede::TrafficMode)

namespace {

constexpr double kDeadlineS = 30.0; // bounds a failure only
constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

using test::findNode;
using test::SnapshotPtr;
SnapshotPtr waitFor(const Engine &e, const std::function<bool(const Snapshot &)> &pred, double timeoutS = kDeadlineS)
{
    return test::waitFor(e, pred, timeoutS);
}
SnapshotPtr nextTick(const Engine &e) { return test::nextTick(e, kDeadlineS); }
SnapshotPtr waitForRunTime(const Engine &e, double t) { return test::waitForRunTime(e, t, kDeadlineS); }

QByteArray stateOf(const Snapshot &s, int id)
{
    const NodeView *n = findNode(s, id);
    if (!n)
        return "gone";
    const auto name = toString(n->state);
    return QByteArray(name.data(), qsizetype(name.size()));
}

int nodesInState(const Snapshot &s, NodeState st)
{
    return static_cast<int>(
        std::count_if(s.app->nodes.begin(), s.app->nodes.end(), [st](const NodeView &n) { return n.state == st; }));
}

std::int64_t hotStock(const Snapshot &s)
{
    std::int64_t sum = 0;
    for (const auto &r : s.store->hotRows)
        sum += r.stock;
    return sum;
}

bool hasMarker(const std::vector<Marker> &markers, const std::string &label, double atLeastT = -1)
{
    return std::any_of(
        markers.begin(), markers.end(), [&](const Marker &m) { return m.label == label && m.t >= atLeastT; });
}

QString labels(const std::vector<Marker> &markers)
{
    QStringList l;
    for (const auto &m : markers)
        l << QStringLiteral("%1@%2").arg(QString::fromStdString(m.label)).arg(m.t, 0, 'f', 2);
    return l.join(QStringLiteral(", "));
}

// A small open-loop run that is cheap to start and stop.
EngineConfig baseConfig()
{
    EngineConfig c;
    c.name = "commands";
    c.seed = 5;
    c.strategy = Strategy::Atomic;
    c.stock = 1000;
    c.traffic.ratePerS = 300;
    c.nodes.count = 4;
    c.store.latencyMs = 1.0;
    c.store.writeMs = 0.05;
    c.threads = 2;
    return c;
}

// Mean of `field` over ticks of s.recent accepted by `use`.
double meanOver(const Snapshot &s, const std::function<bool(const TickSample &, const TickSample &)> &use,
    double TickSample::*field, int *n = nullptr)
{
    double sum = 0;
    int k = 0;
    for (std::size_t i = 1; i < s.recent.size(); ++i)
        if (use(s.recent[i - 1], s.recent[i])) {
            sum += s.recent[i].*field;
            ++k;
        }
    if (n)
        *n = k;
    return k ? sum / k : 0.0;
}

// Enums compared by their DESIGN.md names (readable when a comparison fails).
template<typename E> QByteArray name(E e)
{
    const auto n = toString(e);
    return QByteArray(n.data(), qsizetype(n.size()));
}

QByteArray err(const CommandResult &r) { return r.ok ? QByteArray() : QByteArray(r.error.c_str()); }

} // namespace

class TestCommands : public QObject {
    Q_OBJECT

private slots:
    void constructorRejectsInvalidConfig_data();
    void constructorRejectsInvalidConfig();
    void constructorAcceptsEdgeConfigs();
    void invalidCommandsFailAndChangeNothing_data();
    void invalidCommandsFailAndChangeNothing();
    void addNodes();
    void removeNodeDrainsToGone();
    void killNodeMarksDead();
    void killNodeFailsItsBacklog();
    void switchStrategyMovesStock();
    void switchStrategyUnderLoadKeepsInvariants();
    void switchStrategyBackToBack();
    void pauseAndResume_data();
    void pauseAndResume();
    void pauseFreezesRunTime_data();
    void pauseFreezesRunTime();
    void timelineWaitsForPause();
    void timedPauseResumesByItself_data();
    void timedPauseResumesByItself();
    void resetWhilePaused();
    void resetEndsATimedPause();
    void resetUnderLoad_data();
    void resetUnderLoad();
    void restock_data();
    void restock();
    void setClosedLoopAndBack();
    void setRateChangesArrivals();
    void spikeRaisesOfferedRate();
    void timelineFires();
    void markersAndHistoryAreBounded();
    void commandsAfterStopFail();
    void auditBeforeStart();
    void destructorWhileRunning_data();
    void destructorWhileRunning();
};

// ---- construction ----

void TestCommands::constructorRejectsInvalidConfig_data()
{
    QTest::addColumn<ConfigEdit>("edit");
    QTest::addColumn<QString>("field");
    auto row = [](const char *name, ConfigEdit edit, const char *field) {
        QTest::newRow(name) << edit << QString::fromLatin1(field);
    };
    row(
        "stock -1", [](EngineConfig &c) { c.stock = -1; }, "stock");
    row(
        "stock above max", [](EngineConfig &c) { c.stock = kMaxStock + 1; }, "stock");
    row(
        "rate 0", [](EngineConfig &c) { c.traffic.ratePerS = 0; }, "rate");
    row(
        "rate NaN", [](EngineConfig &c) { c.traffic.ratePerS = kNaN; }, "rate");
    row(
        "rate above max", [](EngineConfig &c) { c.traffic.ratePerS = 3e6; }, "rate");
    row(
        "clients 0", [](EngineConfig &c) { c.traffic.clients = 0; }, "clients");
    row(
        "users 0", [](EngineConfig &c) { c.traffic.users = 0; }, "users");
    row(
        "skus 0", [](EngineConfig &c) { c.traffic.skus = 0; }, "skus");
    row(
        "skus 1025", [](EngineConfig &c) { c.traffic.skus = kMaxSkus + 1; }, "skus");
    row(
        "sku skew NaN", [](EngineConfig &c) { c.traffic.skuSkew = kNaN; }, "sku_skew");
    row(
        "sku skew -1", [](EngineConfig &c) { c.traffic.skuSkew = -1; }, "sku_skew");
    row(
        "rate limit 0", [](EngineConfig &c) { c.gateway.rateLimitPerS = 0.0; }, "rate_limit");
    row(
        "nodes 0", [](EngineConfig &c) { c.nodes.count = 0; }, "nodes.count");
    row(
        "nodes 65", [](EngineConfig &c) { c.nodes.count = kMaxNodes + 1; }, "nodes.count");
    row(
        "capacity 0", [](EngineConfig &c) { c.nodes.capacity = 0; }, "capacity");
    row(
        "queue limit -1", [](EngineConfig &c) { c.nodes.queueLimit = -1; }, "queue_limit");
    row(
        "service NaN", [](EngineConfig &c) { c.nodes.serviceMs = kNaN; }, "service_ms");
    row(
        "service -1", [](EngineConfig &c) { c.nodes.serviceMs = -1; }, "service_ms");
    row(
        "timeout 0", [](EngineConfig &c) { c.nodes.timeoutMs = 0.0; }, "timeout_ms");
    row(
        "latency inf", [](EngineConfig &c) { c.store.latencyMs = std::numeric_limits<double>::infinity(); },
        "latency_ms");
    row(
        "write -0.1", [](EngineConfig &c) { c.store.writeMs = -0.1; }, "write_ms");
    row(
        "buckets 0", [](EngineConfig &c) { c.store.buckets = 0; }, "buckets");
    row(
        "buckets 257", [](EngineConfig &c) { c.store.buckets = kMaxBuckets + 1; }, "buckets");
    row(
        "threads -1", [](EngineConfig &c) { c.threads = -1; }, "threads");
}

void TestCommands::constructorRejectsInvalidConfig()
{
    QFETCH(ConfigEdit, edit);
    QFETCH(QString, field);
    EngineConfig c = baseConfig();
    edit(c);
    const std::string expected = validate(c);
    QVERIFY2(QString::fromStdString(expected).contains(field), expected.c_str());
    bool threw = false;
    try {
        Engine e(c);
    } catch (const std::invalid_argument &ex) {
        threw = true;
        QCOMPARE(QByteArray(ex.what()), QByteArray(expected.c_str()));
        QVERIFY2(QString::fromUtf8(ex.what()).contains(field), ex.what());
    }
    QVERIFY2(threw, "no std::invalid_argument");
}

void TestCommands::constructorAcceptsEdgeConfigs()
{
    EngineConfig c = baseConfig();
    c.stock = 0;
    c.nodes.count = kMaxNodes;
    c.nodes.queueLimit = 0;
    c.store.latencyMs = 0;
    c.nodes.serviceMs = 0;
    c.store.buckets = kMaxBuckets;
    c.traffic.ratePerS = kMinRatePerS;
    QCOMPARE(QByteArray(validate(c).c_str()), QByteArray());
    Engine e(c);
    const auto s = e.snapshot();
    QVERIFY(s);
    QCOMPARE(int(s->app->nodes.size()), kMaxNodes);
    QCOMPARE(int(s->store->hotRows.size()), kMaxBuckets);
    QCOMPARE(s->store->stockInitial, std::int64_t(0));
    QVERIFY(!s->running);
    QCOMPARE(e.config().name, c.name);
}

// ---- invalid commands ----

void TestCommands::invalidCommandsFailAndChangeNothing_data()
{
    QTest::addColumn<int>("nodes");
    QTest::addColumn<Command>("command");
    QTest::addColumn<QString>("needle");
    auto row = [](const char *name, int nodes, Command cmd, const char *needle) {
        QTest::newRow(name) << nodes << cmd << QString::fromLatin1(needle);
    };
    row(
        "setRate(-1)", 4, [](Engine &e) { return e.setRate(-1); }, "rate");
    row(
        "setRate(0)", 4, [](Engine &e) { return e.setRate(0); }, "rate");
    row(
        "setRate(3e6)", 4, [](Engine &e) { return e.setRate(3e6); }, "rate");
    row(
        "setRate(NaN)", 4, [](Engine &e) { return e.setRate(kNaN); }, "rate");
    row(
        "setRate(inf)", 4, [](Engine &e) { return e.setRate(std::numeric_limits<double>::infinity()); }, "rate");
    row(
        "setClosedLoop(0)", 4, [](Engine &e) { return e.setClosedLoop(0); }, "clients");
    row(
        "setClosedLoop(100001)", 4, [](Engine &e) { return e.setClosedLoop(kMaxClients + 1); }, "clients");
    row(
        "spike factor 0", 4, [](Engine &e) { return e.spike(0, 5); }, "factor");
    row(
        "spike factor -3", 4, [](Engine &e) { return e.spike(-3, 5); }, "factor");
    row(
        "spike factor NaN", 4, [](Engine &e) { return e.spike(kNaN, 5); }, "factor");
    row(
        "spike factor 1001", 4, [](Engine &e) { return e.spike(1001, 5); }, "factor");
    row(
        "spike duration 0", 4, [](Engine &e) { return e.spike(2, 0); }, "duration");
    row(
        "spike duration NaN", 4, [](Engine &e) { return e.spike(2, kNaN); }, "duration");
    auto pauseFor = [](double s) {
        return [s](Engine &e) {
            TimedEvent p;
            p.kind = EventKind::Pause;
            p.forS = s;
            return e.command(p);
        };
    };
    row("pause for -1 s", 4, pauseFor(-1), "pause: duration must be greater than 0 and at most 3600 s");
    row("pause for 3601 s", 4, pauseFor(3601), "pause: duration");
    row("pause for NaN s", 4, pauseFor(kNaN), "pause: duration");
    row(
        "removeNode() on the last node", 1, [](Engine &e) { return e.removeNode(); }, "last node");
    row(
        "removeNode(0) on the last node", 1, [](Engine &e) { return e.removeNode(0); }, "last node");
    row(
        "removeNode(99)", 4, [](Engine &e) { return e.removeNode(99); }, "no such node");
    row(
        "removeNode(-1)", 4, [](Engine &e) { return e.removeNode(-1); }, "no such node");
    row(
        "killNode(99)", 4, [](Engine &e) { return e.killNode(99); }, "no such node");
    row(
        "killNode(4) (next id, not added)", 4, [](Engine &e) { return e.killNode(4); }, "no such node");
    row(
        "killNode(-1)", 4, [](Engine &e) { return e.killNode(-1); }, "no such node");
    row(
        "addNodes(0)", 4, [](Engine &e) { return e.addNodes(0); }, "count");
    row(
        "addNodes(-2)", 4, [](Engine &e) { return e.addNodes(-2); }, "count");
    row(
        "addNodes beyond 64 up", 60, [](Engine &e) { return e.addNodes(5); }, "64");
    row(
        "addNodes(65) from 1", 1, [](Engine &e) { return e.addNodes(64); }, "64");
    row(
        "restock(0)", 4, [](Engine &e) { return e.restock(0); }, "units");
    row(
        "restock(-5)", 4, [](Engine &e) { return e.restock(-5); }, "units");
    row(
        "restock beyond max stock", 4, [](Engine &e) { return e.restock(kMaxStock); }, "units");
}

void TestCommands::invalidCommandsFailAndChangeNothing()
{
    QFETCH(int, nodes);
    QFETCH(Command, command);
    QFETCH(QString, needle);
    EngineConfig c = baseConfig();
    c.nodes.count = nodes;
    Engine e(c);
    e.start();
    QVERIFY(waitFor(e, [](const Snapshot &s) { return s.seq >= 2; }));
    const auto markersBefore = e.markers().size();

    const CommandResult r = command(e);
    QVERIFY2(!r.ok, "the command was accepted");
    QVERIFY2(!r.error.empty(), "no error message");
    QVERIFY2(QString::fromStdString(r.error).contains(needle), r.error.c_str());
    QVERIFY2(r.error.find('\n') == std::string::npos, "the error is more than one line");

    // nothing changed
    const auto s = nextTick(e);
    QVERIFY(s);
    QCOMPARE(e.markers().size(), markersBefore);
    QCOMPARE(s->ratePerS, c.traffic.ratePerS);
    QCOMPARE(s->spikeFactor, 1.0);
    QCOMPARE(name(s->mode), name(TrafficMode::Open));
    QCOMPARE(name(s->store->strategy), name(c.strategy));
    QVERIFY(!s->paused);
    QCOMPARE(int(s->app->nodes.size()), nodes);
    QCOMPARE(nodesInState(*s, NodeState::Up), nodes);
    QCOMPARE(s->store->stockInitial, c.stock);
    QCOMPARE(s->recent.back().offeredRate, c.traffic.ratePerS);
    const RunResult end = e.stopAndDrain(10);
    QCOMPARE(end.audit.supplied, c.stock);
    QVERIFY(end.audit.invariantsOk);
}

// ---- nodes ----

void TestCommands::addNodes()
{
    EngineConfig c = baseConfig();
    c.nodes.count = 3;
    c.traffic.ratePerS = 1000;
    c.stock = 1000000;
    Engine e(c);
    e.start();
    QVERIFY(waitForRunTime(e, 0.2));
    QCOMPARE(err(e.addNodes(2)), QByteArray());
    const auto s = nextTick(e);
    QVERIFY(s);
    QCOMPARE(int(s->app->nodes.size()), 5);
    QCOMPARE(s->recent.back().app->nodesUp, 5);
    QCOMPARE(stateOf(*s, 3), QByteArray("up"));
    QCOMPARE(stateOf(*s, 4), QByteArray("up"));
    QCOMPARE(findNode(*s, 4)->capacity, c.nodes.capacity);
    QVERIFY(hasMarker(e.markers(), "2 nodes added"));
    // the new nodes take traffic (round robin)
    QVERIFY2(waitFor(e,
                 [](const Snapshot &x) {
                     const auto *a = findNode(x, 3), *b = findNode(x, 4);
                     return a && b && a->throughput > 0 && b->throughput > 0;
                 }),
        "the added nodes get no traffic");
    // one more: the next id
    QCOMPARE(err(e.addNodes(1)), QByteArray());
    const auto s2 = nextTick(e);
    QCOMPARE(stateOf(*s2, 5), QByteArray("up"));
    QVERIFY(hasMarker(e.markers(), "node 5 added"));
    QCOMPARE(s2->recent.back().app->nodesUp, 6);
    QVERIFY(e.stopAndDrain(10).audit.invariantsOk);
}

void TestCommands::removeNodeDrainsToGone()
{
    EngineConfig c = baseConfig();
    c.nodes.count = 3;
    c.nodes.capacity = 64;
    c.nodes.serviceMs = 500; // ~30 requests per node in service: the drain takes a while
    c.traffic.ratePerS = 150;
    c.stock = 1000000;
    Engine e(c);
    e.start();
    QVERIFY(waitFor(e, [](const Snapshot &s) {
        const auto *n = findNode(s, 1);
        return n && n->busy >= 5;
    }));
    QCOMPARE(err(e.removeNode(1)), QByteArray());
    // still finishing its work, no longer up
    const auto s = nextTick(e);
    QVERIFY(s);
    QCOMPARE(stateOf(*s, 1), QByteArray("draining"));
    QVERIFY(findNode(*s, 1)->busy > 0);
    QCOMPARE(s->recent.back().app->nodesUp, 2);
    // a draining node cannot be removed twice
    QVERIFY(QString::fromStdString(e.removeNode(1).error).contains(QStringLiteral("no such node")));
    // then gone, without failing anything
    const auto gone = waitFor(e, [](const Snapshot &x) { return !findNode(x, 1); });
    QVERIFY2(gone, "the draining node never went away");
    QCOMPARE(int(gone->app->nodes.size()), 2);
    const auto m = e.markers();
    QVERIFY2(hasMarker(m, "node 1 draining") && hasMarker(m, "node 1 removed"), qPrintable(labels(m)));
    QVERIFY(waitForRunTime(e, gone->t + 0.3));
    const RunResult r = e.stopAndDrain(10);
    QCOMPARE(r.final.failed, std::int64_t(0)); // a drain is graceful
    QVERIFY(r.audit.invariantsOk);
    QCOMPARE(stateOf(r.final, 1), QByteArray("gone"));
}

void TestCommands::killNodeMarksDead()
{
    EngineConfig c = baseConfig();
    c.nodes.count = 3;
    c.nodes.serviceMs = 200; // ~20 requests in service per node when it is killed
    c.traffic.ratePerS = 300;
    c.stock = 1000000;
    Engine e(c);
    e.start();
    QVERIFY(waitFor(e, [](const Snapshot &s) {
        const auto *n = findNode(s, 2);
        return n && n->busy >= 5;
    }));
    const auto before = e.snapshot();
    QCOMPARE(before->failed, std::int64_t(0));
    QCOMPARE(err(e.killNode(2)), QByteArray());
    const auto s = nextTick(e);
    QVERIFY(s);
    QCOMPARE(stateOf(*s, 2), QByteArray("dead"));
    QCOMPARE(findNode(*s, 2)->busy, 0);
    QCOMPARE(s->recent.back().app->nodesUp, 2);
    QVERIFY(hasMarker(e.markers(), "node 2 killed"));
    // its requests in flight failed with "node down"
    const auto failedNow = waitFor(
        e, [](const Snapshot &x) { return x.failed > 0; }, 10);
    QVERIFY2(failedNow, "killing a busy node failed nothing");
    // killing it again is an error; killNode() picks the first node up
    QVERIFY(QString::fromStdString(e.killNode(2).error).contains(QStringLiteral("no such node")));
    QCOMPARE(err(e.killNode()), QByteArray());
    const auto s2 = nextTick(e);
    QCOMPARE(stateOf(*s2, 0), QByteArray("dead"));
    QCOMPARE(stateOf(*s2, 1), QByteArray("up"));
    // the last node up is never removed, even with dead nodes around
    QVERIFY(QString::fromStdString(e.removeNode(1).error).contains(QStringLiteral("last node")));
    QVERIFY(QString::fromStdString(e.removeNode().error).contains(QStringLiteral("last node")));
    // removing a dead node clears it from the list
    QCOMPARE(err(e.removeNode(2)), QByteArray());
    const auto s3 = nextTick(e);
    QCOMPARE(stateOf(*s3, 2), QByteArray("gone"));
    // no new work is routed to dead nodes: failures stop once the in-flight work is gone
    const auto settled = waitForRunTime(e, s3->t + 0.6);
    QVERIFY(settled);
    const auto later = waitForRunTime(e, settled->t + 0.5);
    QVERIFY(later);
    QCOMPARE(later->failed, settled->failed);
    QVERIFY(later->succeeded > settled->succeeded); // node 1 serves on
    const RunResult r = e.stopAndDrain(10);
    QVERIFY(r.audit.invariantsOk);
}

void TestCommands::killNodeFailsItsBacklog()
{
    // One worker per node and a long service time: requests pile up in the nodes' backlogs.
    EngineConfig c = baseConfig();
    c.nodes.count = 2;
    c.nodes.capacity = 1;
    c.nodes.queueLimit = 1000;
    c.nodes.serviceMs = 300;
    c.traffic.ratePerS = 60;
    c.stock = 1000000;
    Engine e(c);
    e.start();
    const auto queued = waitFor(e, [](const Snapshot &s) {
        const auto *n = findNode(s, 1);
        return n && n->backlog >= 8 && s.failed == 0;
    });
    QVERIFY2(queued, "no backlog built up");
    const int backlog = findNode(*queued, 1)->backlog;
    QCOMPARE(err(e.killNode(1)), QByteArray());
    // the backlog and the request in service fail at once (at least what was queued at the
    // last tick: the backlog only grew since)
    const auto s = waitFor(
        e, [&](const Snapshot &x) { return x.failed >= backlog + 1; }, 10);
    QVERIFY2(s, qPrintable(QStringLiteral("failed %1 of a backlog of %2").arg(e.snapshot()->failed).arg(backlog)));
    QCOMPARE(stateOf(*s, 1), QByteArray("dead"));
    QCOMPARE(findNode(*s, 1)->backlog, 0);
    // the last node up may be killed too: then every request fails, nothing is left waiting
    QCOMPARE(err(e.killNode(0)), QByteArray());
    const auto none = nextTick(e);
    QCOMPARE(none->recent.back().app->nodesUp, 0);
    QVERIFY(waitFor(
        e, [](const Snapshot &x) { return x.recent.back().failedNodeDown > 0 && x.recent.back().app->inFlight == 0; },
        10));
    const RunResult r = e.stopAndDrain(5);
    QVERIFY2(r.audit.drained, "killed backlogs left requests behind");
    QCOMPARE(r.final.attempts, r.final.succeeded + r.final.soldOut + r.final.rateLimited + r.final.failed);
    QVERIFY(r.audit.invariantsOk);
}

// ---- strategy ----

void TestCommands::switchStrategyMovesStock()
{
    EngineConfig c = baseConfig();
    c.strategy = Strategy::RowLock;
    c.stock = 1000;
    c.store.buckets = 8;
    Engine e(c);
    QCOMPARE(err(e.setPaused(true)), QByteArray()); // no traffic: the stock must stay exactly
    e.start();
    auto s = nextTick(e);
    QCOMPARE(name(s->store->strategy), name(Strategy::RowLock));
    QCOMPARE(int(s->store->hotRows.size()), 8);
    QCOMPARE(s->store->hotRows[0].stock, std::int64_t(1000));

    QCOMPARE(err(e.switchStrategy(Strategy::Sharded)), QByteArray());
    s = waitFor(e, [](const Snapshot &x) {
        return x.store->strategy == Strategy::Sharded && x.store->hotRows[1].stock > 0 && x.store->hotRows[7].stock > 0;
    });
    QVERIFY2(s, "stock was not spread over the buckets");
    QCOMPARE(hotStock(*s), std::int64_t(1000));
    for (const auto &row : s->store->hotRows)
        QCOMPARE(row.stock, std::int64_t(125));
    QVERIFY(hasMarker(e.markers(), "strategy sharded"));

    QCOMPARE(err(e.switchStrategy(Strategy::Atomic)), QByteArray());
    s = waitFor(e,
        [](const Snapshot &x) { return x.store->strategy == Strategy::Atomic && x.store->hotRows[0].stock == 1000; });
    QVERIFY2(s, "stock was not gathered back into one row");
    QCOMPARE(hotStock(*s), std::int64_t(1000));
    QVERIFY(hasMarker(e.markers(), "strategy atomic"));

    // the same strategy again: accepted, nothing to do, no marker
    const auto nMarkers = e.markers().size();
    QCOMPARE(err(e.switchStrategy(Strategy::Atomic)), QByteArray());
    QCOMPARE(e.markers().size(), nMarkers);
    QCOMPARE(err(e.switchStrategy(Strategy::Naive)), QByteArray());
    QCOMPARE(name(nextTick(e)->store->strategy), name(Strategy::Naive));
    const RunResult r = e.stopAndDrain(10);
    QCOMPARE(name(r.final.store->strategy), name(Strategy::Naive));
    QCOMPARE(r.audit.remaining, std::int64_t(1000));
    QVERIFY(r.audit.invariantsOk);
}

void TestCommands::switchStrategyUnderLoadKeepsInvariants()
{
    // Stock moves between one row and the buckets while buyers hold those rows.
    EngineConfig c = baseConfig();
    c.strategy = Strategy::Atomic;
    c.stock = 3000;
    c.traffic.ratePerS = 3000;
    c.store.latencyMs = 0.5;
    c.store.writeMs = 0.05;
    c.store.buckets = 8;
    Engine e(c);
    e.start();
    const Strategy order[]
        = { Strategy::Sharded, Strategy::RowLock, Strategy::Sharded, Strategy::Atomic, Strategy::Sharded };
    double t = 0.15;
    for (Strategy st : order) {
        QVERIFY(waitForRunTime(e, t));
        QCOMPARE(err(e.switchStrategy(st)), QByteArray());
        const auto s = nextTick(e);
        QCOMPARE(name(s->store->strategy), name(st));
        QVERIFY(s->recent.back().store->oversold == 0);
        t = s->t + 0.1;
    }
    QVERIFY(
        waitFor(e, [](const Snapshot &s) { return !s.recent.empty() && s.recent.back().store->stockRemaining == 0; }));
    const RunResult r = e.stopAndDrain(10);
    QCOMPARE(r.audit.oversold, std::int64_t(0));
    QVERIFY(r.audit.conserved);
    QVERIFY(r.audit.invariantsOk);
    QCOMPARE(r.audit.persisted, std::int64_t(3000));
    QCOMPARE(name(r.final.store->strategy), name(Strategy::Sharded));
}

// Switches with no tick between them, into and out of cache-queue (whose switch moves the stock
// into the cache counters and starts consumers) while buyers are in flight: the soak once
// crashed on such a burst. Every switch is taken, and the run stays whole.
void TestCommands::switchStrategyBackToBack()
{
    EngineConfig c = baseConfig();
    c.stock = 4000;
    c.traffic.ratePerS = 3000;
    c.store.buckets = 4;
    c.cache.nodes = 2;
    c.queue.partitions = 2;
    c.queue.consumers = 2;
    Engine e(c);
    e.start();
    QVERIFY(waitForRunTime(e, 0.1));
    const Strategy order[] = { Strategy::CacheQueue, Strategy::CacheQueue, Strategy::Sharded, Strategy::RowLock,
        Strategy::CacheQueue, Strategy::Atomic, Strategy::CacheQueue, Strategy::Sharded, Strategy::CacheQueue,
        Strategy::RowLock, Strategy::Sharded, Strategy::Atomic };
    for (int round = 0; round < 3; ++round) {
        for (Strategy st : order)
            QCOMPARE(err(e.switchStrategy(st)), QByteArray());
        const auto s = nextTick(e);
        QCOMPARE(name(s->store->strategy), name(Strategy::Atomic));
        QCOMPARE(s->recent.back().store->oversold, std::int64_t(0));
        QVERIFY(waitForRunTime(e, s->t + 0.05));
    }
    QVERIFY(
        waitFor(e, [](const Snapshot &s) { return !s.recent.empty() && s.recent.back().store->stockRemaining == 0; }));
    const RunResult r = e.stopAndDrain(10);
    QCOMPARE(r.audit.oversold, std::int64_t(0));
    QCOMPARE(r.audit.lostOrders, std::int64_t(0));
    QCOMPARE(r.audit.duplicateOrders, std::int64_t(0));
    QVERIFY(r.audit.conserved);
    QVERIFY(r.audit.invariantsOk);
}

// ---- pause / resume ----

void TestCommands::pauseAndResume_data()
{
    QTest::addColumn<TrafficMode>("mode");
    QTest::newRow("open 2000/s") << TrafficMode::Open;
    QTest::newRow("closed 32 clients") << TrafficMode::Closed;
}

void TestCommands::pauseAndResume()
{
    QFETCH(TrafficMode, mode);
    EngineConfig c = baseConfig();
    c.traffic.mode = mode;
    c.traffic.ratePerS = 2000;
    c.traffic.clients = 32;
    c.stock = 100000000;
    Engine e(c);
    e.start();
    QVERIFY(waitFor(e, [](const Snapshot &s) { return !s.recent.empty() && s.recent.back().attempts > 0; }));

    QCOMPARE(err(e.setPaused(true)), QByteArray());
    const auto pausedAt = std::chrono::steady_clock::now();
    // within a few ticks no attempts are made any more and what was in flight is answered
    const auto quiet = waitFor(
        e,
        [](const Snapshot &s) {
            return s.paused && s.latest.attempts == 0 && s.latest.app->inFlight == 0
                && s.attempts == s.succeeded + s.soldOut + s.rateLimited + s.failed;
        },
        10);
    QVERIFY2(quiet, "attempts did not stop after pause");
    QCOMPARE(quiet->latest.offeredRate, 0.0);
    const auto history = e.timeline();
    // ticks go on, the run's clock does not: same run time, same totals, no new sample
    const auto frozen = test::afterTicks(e, 6, kDeadlineS);
    QVERIFY(frozen);
    QVERIFY(frozen->paused);
    QCOMPARE(frozen->t, quiet->t);
    QCOMPARE(frozen->attempts, quiet->attempts);
    QCOMPARE(frozen->succeeded, quiet->succeeded);
    QCOMPARE(frozen->recent.back().t, quiet->recent.back().t);
    QCOMPARE(e.timeline().size(), history.size());
    // pausing twice is harmless and marks once
    QCOMPARE(err(e.setPaused(true)), QByteArray());
    auto m = e.markers();
    QCOMPARE(int(std::count_if(m.begin(), m.end(), [](const Marker &x) { return x.label == "paused"; })), 1);

    QCOMPARE(err(e.setPaused(false)), QByteArray());
    const double pausedForS = std::chrono::duration<double>(std::chrono::steady_clock::now() - pausedAt).count();
    const auto again = waitFor(
        e,
        [&](const Snapshot &s) {
            return !s.paused && s.recent.back().t > frozen->t && s.recent.back().attempts > 0
                && s.attempts > frozen->attempts;
        },
        10);
    QVERIFY2(again, "attempts did not restart after resume");
    if (mode == TrafficMode::Open)
        QCOMPARE(again->recent.back().offeredRate, c.traffic.ratePerS);
    // the clock went on from where it stood: across the pause the samples are about a tick apart
    // in run time, however long the pause lasted on the wall
    const auto tl = e.timeline();
    QVERIFY(std::is_sorted(tl.begin(), tl.end(), [](const TickSample &a, const TickSample &b) { return a.t <= b.t; }));
    const auto after = std::find_if(tl.begin(), tl.end(), [&](const TickSample &x) { return x.t > frozen->t; });
    QVERIFY(after != tl.end() && after != tl.begin());
    const double gap = after->t - std::prev(after)->t;
    QVERIFY2(gap < std::max(0.35, pausedForS / 2),
        qPrintable(QStringLiteral("run-time gap %1 s across a pause of %2 s").arg(gap).arg(pausedForS)));
    m = e.markers();
    QVERIFY(hasMarker(m, "paused") && hasMarker(m, "resumed"));
    QVERIFY(e.stopAndDrain(10).audit.invariantsOk);
}

void TestCommands::pauseFreezesRunTime_data()
{
    QTest::addColumn<bool>("beforeStart");
    QTest::newRow("paused while running") << false;
    QTest::newRow("paused before start") << true;
}

void TestCommands::pauseFreezesRunTime()
{
    // While paused, however many ticks pass: the snapshots' run time stands still and the
    // history gains no sample. Paused before the start, the run starts paused at run time 0.
    QFETCH(bool, beforeStart);
    EngineConfig c = baseConfig();
    c.stock = 100000000;
    Engine e(c);
    if (beforeStart)
        QCOMPARE(err(e.setPaused(true)), QByteArray());
    e.start();
    if (!beforeStart) {
        QVERIFY(waitForRunTime(e, 0.3));
        QCOMPARE(err(e.setPaused(true)), QByteArray());
    }
    const auto first = test::afterTicks(e, 2, kDeadlineS); // a whole tick after the pause
    QVERIFY(first);
    QVERIFY(first->paused);
    QVERIFY(first->running);
    const auto history = e.timeline();
    std::vector<double> ts;
    for (int i = 0; i < 8; ++i) {
        const auto s = test::afterTicks(e, 1, kDeadlineS);
        QVERIFY(s);
        ts.push_back(s->t);
        QCOMPARE(s->recent.size(), first->recent.size());
    }
    for (double t : ts)
        QCOMPARE(t, first->t);
    const auto after = e.timeline();
    QCOMPARE(after.size(), history.size());
    if (beforeStart) {
        QCOMPARE(first->t, 0.0);
        QVERIFY(after.empty());
        QCOMPARE(first->attempts, std::int64_t(0));
    } else {
        QVERIFY(first->t >= 0.3);
        QVERIFY(!after.empty());
        QVERIFY(after.back().t <= first->t);
    }
    // stopped while paused: the run's durations are run time, the paused ticks not counted
    const RunResult r = e.stopAndDrain(10);
    QVERIFY(r.audit.invariantsOk);
    QCOMPARE(r.durationS, first->t);
    QCOMPARE(r.trafficS, first->t);
    QCOMPARE(r.timeline.size(), history.size());
}

void TestCommands::timelineWaitsForPause()
{
    // A pause from the timeline at 0.4 s: the node due at 1.0 s is not added during the pause,
    // and the spike from 0.2 s keeps the run time it has left (it ends at 2.2 s of run time).
    EngineConfig c = baseConfig();
    c.traffic.ratePerS = 300;
    c.stock = 100000000;
    Engine e(c);
    std::vector<TimedEvent> events;
    TimedEvent ev;
    ev.atS = 0.2;
    ev.kind = EventKind::Spike;
    ev.factor = 3;
    ev.forS = 2.0;
    events.push_back(ev);
    ev = {};
    ev.atS = 0.4;
    ev.kind = EventKind::Pause; // forS 0: until resumed
    events.push_back(ev);
    ev = {};
    ev.atS = 1.0;
    ev.kind = EventKind::AddNodes;
    ev.count = 1;
    events.push_back(ev);
    e.setTimeline(events);
    e.start();

    const auto paused = waitFor(e, [](const Snapshot &s) { return s.paused; });
    QVERIFY(paused);
    QVERIFY(paused->t >= 0.4);
    QCOMPARE(paused->spikeFactor, 3.0);
    // more wall time than the spike had left and than the node's time: neither comes due
    const auto held = test::afterTicks(e, 12, kDeadlineS);
    QVERIFY(held);
    QCOMPARE(held->t, paused->t);
    QCOMPARE(held->spikeFactor, 3.0);
    QCOMPARE(int(held->app->nodes.size()), c.nodes.count);
    QVERIFY2(!hasMarker(e.markers(), "node 4 added"), qPrintable(labels(e.markers())));

    QCOMPARE(err(e.setPaused(false)), QByteArray());
    const auto resumed = nextTick(e);
    QVERIFY(!resumed->paused);
    QCOMPARE(resumed->spikeFactor, 3.0); // still spiking: 1.8 s of its run time were left
    QVERIFY(resumed->t < 2.2);

    const auto added = waitFor(e, [](const Snapshot &s) { return int(s.app->nodes.size()) == 5; });
    QVERIFY2(added, "the node due after the pause was not added");
    QVERIFY(added->t >= 1.0);
    const auto m = e.markers();
    const QString all = labels(m);
    QVERIFY2(hasMarker(m, "node 4 added", 1.0), qPrintable(all));
    auto at = [&](const std::string &label) {
        return std::find_if(m.begin(), m.end(), [&](const Marker &x) { return x.label == label; }) - m.begin();
    };
    QVERIFY2(at("paused") < at("resumed") && at("resumed") < at("node 4 added"), qPrintable(all));
    // the spike ends at its run time, after the resume
    const auto ended = waitFor(e, [](const Snapshot &s) { return s.spikeFactor == 1.0; });
    QVERIFY2(ended, "the spike did not end");
    QVERIFY2(ended->t >= 2.2, qPrintable(QString::number(ended->t)));
    QVERIFY(e.stopAndDrain(10).audit.invariantsOk);
}

void TestCommands::timedPauseResumesByItself_data()
{
    QTest::addColumn<bool>("fromTimeline");
    QTest::newRow("timeline event") << true;
    QTest::newRow("command") << false;
}

void TestCommands::timedPauseResumesByItself()
{
    // A Pause with forS ends by itself after forS wall seconds; the run time then continues from
    // where it stood, so the history has no gap across the pause.
    QFETCH(bool, fromTimeline);
    constexpr double kPauseS = 1.2;
    EngineConfig c = baseConfig();
    c.stock = 100000000;
    Engine e(c);
    TimedEvent pause;
    pause.atS = 0.5;
    pause.kind = EventKind::Pause;
    pause.forS = kPauseS;
    if (fromTimeline)
        e.setTimeline({ pause });
    e.start();
    if (!fromTimeline) {
        QVERIFY(waitForRunTime(e, pause.atS));
        QCOMPARE(err(e.command(pause)), QByteArray());
    }
    const auto paused = waitFor(e, [](const Snapshot &s) { return s.paused; });
    QVERIFY(paused);
    const auto pausedSeen = std::chrono::steady_clock::now();
    const auto resumed = waitFor(e, [](const Snapshot &s) { return !s.paused; });
    QVERIFY2(resumed, "the timed pause did not end");
    const double wallS = std::chrono::duration<double>(std::chrono::steady_clock::now() - pausedSeen).count();
    QVERIFY2(wallS >= kPauseS * 0.9, qPrintable(QStringLiteral("resumed after %1 s").arg(wallS)));
    QVERIFY(resumed->t - paused->t < kPauseS / 2); // the clock stood still meanwhile
    QVERIFY(waitFor(e, [&](const Snapshot &s) { return s.t >= paused->t + 0.6; }));

    const auto m = e.markers();
    const auto find = [&](const std::string &label) {
        return std::find_if(m.begin(), m.end(), [&](const Marker &x) { return x.label == label; });
    };
    QVERIFY2(find("paused") != m.end() && find("resumed") != m.end(), qPrintable(labels(m)));
    // paused and resumed at the same run time (within a tick), though kPauseS apart on the wall
    QVERIFY2(find("resumed")->t - find("paused")->t < 0.15, qPrintable(labels(m)));
    const auto tl = e.timeline();
    QVERIFY(tl.size() >= 8);
    double maxGap = 0;
    for (std::size_t i = 1; i < tl.size(); ++i) {
        QVERIFY2(tl[i].t > tl[i - 1].t, "history run times increase");
        maxGap = std::max(maxGap, tl[i].t - tl[i - 1].t);
    }
    QVERIFY2(maxGap < kPauseS / 2, qPrintable(QStringLiteral("gap of %1 s in run time").arg(maxGap)));
    QVERIFY(e.stopAndDrain(10).audit.invariantsOk);
}

// ---- reset ----

void TestCommands::resetWhilePaused()
{
    EngineConfig c = baseConfig();
    c.strategy = Strategy::Atomic;
    c.nodes.count = 3;
    c.stock = 500;
    c.traffic.ratePerS = 2000;
    c.store.buckets = 4;
    Engine e(c);
    e.start();
    QVERIFY(waitFor(e, [](const Snapshot &s) { return s.succeeded >= 100; }));
    // change everything reset must undo
    QCOMPARE(err(e.addNodes(2)), QByteArray());
    QCOMPARE(err(e.killNode(0)), QByteArray());
    QCOMPARE(err(e.restock(100)), QByteArray());
    QCOMPARE(err(e.switchStrategy(Strategy::Sharded)), QByteArray());
    QCOMPARE(err(e.setRate(1500)), QByteArray());
    QCOMPARE(err(e.spike(3, 30)), QByteArray());
    QCOMPARE(err(e.setPaused(true)), QByteArray());
    const auto before = waitFor(e, [](const Snapshot &s) { return s.paused && s.latest.app->inFlight == 0; });
    QVERIFY(before);
    QVERIFY(before->attempts > 0);
    QCOMPARE(before->store->stockInitial, std::int64_t(600));

    QCOMPARE(err(e.reset()), QByteArray());
    const auto s = waitFor(e, [](const Snapshot &x) { return x.attempts == 0 && x.store->stockInitial == 500; });
    QVERIFY2(s, "reset did not take effect");
    QCOMPARE(s->succeeded, std::int64_t(0));
    QCOMPARE(s->soldOut, std::int64_t(0));
    QCOMPARE(s->failed, std::int64_t(0));
    QCOMPARE(int(s->app->nodes.size()), 3);
    for (int id : { 0, 1, 2 })
        QCOMPARE(stateOf(*s, id), QByteArray("up"));
    QCOMPARE(name(s->store->strategy), name(Strategy::Atomic));
    QCOMPARE(s->ratePerS, c.traffic.ratePerS);
    QCOMPARE(s->spikeFactor, 1.0);
    QCOMPARE(name(s->mode), name(TrafficMode::Open));
    QVERIFY(s->paused); // traffic keeps its paused state
    QCOMPARE(hotStock(*s), std::int64_t(500));
    QCOMPARE(s->store->hotRows[0].stock, std::int64_t(500)); // atomic: one row
    // the run time restarted at 0 and stands there while paused: ticks add no history
    const auto later = test::afterTicks(e, 5, kDeadlineS);
    QVERIFY(later);
    QVERIFY(later->paused);
    QCOMPARE(later->t, 0.0);
    QVERIFY(later->recent.empty());
    QVERIFY(e.timeline().empty());
    QCOMPARE(later->attempts, std::int64_t(0));
    QCOMPARE(later->latest.store->stockRemaining, std::int64_t(500));
    QCOMPARE(later->latest.store->confirmed, std::int64_t(0));
    const auto m = e.markers();
    QCOMPARE(m.size(), std::size_t(1));
    QCOMPARE(m.front().label, std::string("reset"));
    QCOMPARE(m.front().t, 0.0);

    // the fresh run works, counts from 0 and audits against the configured stock only
    QCOMPARE(err(e.setPaused(false)), QByteArray());
    const auto fresh = waitFor(e, [](const Snapshot &x) { return !x.recent.empty(); });
    QVERIFY(fresh);
    QVERIFY(fresh->recent.front().t < 1.0);
    QVERIFY(waitFor(e, [](const Snapshot &x) { return x.latest.store->stockRemaining == 0; }));
    const RunResult r = e.stopAndDrain(10);
    QCOMPARE(r.audit.supplied, std::int64_t(500));
    QCOMPARE(r.audit.persisted, std::int64_t(500));
    QVERIFY(r.audit.invariantsOk);
}

void TestCommands::resetEndsATimedPause()
{
    // Reset during a timed pause from the timeline: still paused, the clock at 0, and the pause
    // now lasts until resumed (the timeline starts over, the old pass's pause with it).
    constexpr double kPauseS = 0.6;
    EngineConfig c = baseConfig();
    Engine e(c);
    TimedEvent pause;
    pause.atS = 0.3;
    pause.kind = EventKind::Pause;
    pause.forS = kPauseS;
    e.setTimeline({ pause });
    e.start();
    QVERIFY(waitFor(e, [](const Snapshot &s) { return s.paused; }));
    QCOMPARE(err(e.reset()), QByteArray());
    const auto reset = waitFor(e, [](const Snapshot &s) { return s.paused && hasMarker(s.markers, "reset"); });
    QVERIFY(reset);
    const auto since = std::chrono::steady_clock::now();
    // twice the pause's length in ticks
    const auto later = test::afterTicks(e, int(2 * kPauseS / kTickSeconds), kDeadlineS);
    QVERIFY(later);
    QVERIFY(std::chrono::steady_clock::now() - since >= std::chrono::duration<double>(kPauseS));
    QVERIFY(later->paused);
    QCOMPARE(later->t, 0.0);
    QVERIFY(!hasMarker(e.markers(), "resumed"));
    QVERIFY(e.timeline().empty());
    QCOMPARE(err(e.setPaused(false)), QByteArray());
    // running again from 0, the timeline's pause at 0.3 s comes due again and ends by itself
    const auto again = waitFor(e, [&](const Snapshot &s) { return !s.paused && s.t > pause.atS + 0.2; });
    QVERIFY2(again, qPrintable(labels(e.markers())));
    const auto m = e.markers();
    QCOMPARE(int(std::count_if(m.begin(), m.end(), [](const Marker &x) { return x.label == "paused"; })), 1);
    QCOMPARE(int(std::count_if(m.begin(), m.end(), [](const Marker &x) { return x.label == "resumed"; })), 2);
    QVERIFY(e.stopAndDrain(10).audit.invariantsOk);
}

void TestCommands::resetUnderLoad_data()
{
    QTest::addColumn<Strategy>("strategy");
    QTest::addColumn<TrafficMode>("mode");
    QTest::addColumn<double>("latencyMs");
    QTest::newRow("row-lock open 1 ms") << Strategy::RowLock << TrafficMode::Open << 1.0;
    QTest::newRow("atomic closed 0 ms") << Strategy::Atomic << TrafficMode::Closed << 0.0;
    QTest::newRow("sharded closed 0 ms") << Strategy::Sharded << TrafficMode::Closed << 0.0;
    QTest::newRow("row-lock closed 0 ms") << Strategy::RowLock << TrafficMode::Closed << 0.0;
}

void TestCommands::resetUnderLoad()
{
    // Requests from before a reset are in flight, queued and holding row locks when it
    // happens; none of them may count in, or take stock from, the fresh run.
    QFETCH(Strategy, strategy);
    QFETCH(TrafficMode, mode);
    QFETCH(double, latencyMs);
    EngineConfig c = baseConfig();
    c.strategy = strategy;
    c.traffic.mode = mode;
    c.traffic.ratePerS = 1000;
    c.traffic.clients = 64;
    c.nodes.count = 3;
    c.nodes.queueLimit = 50; // bounds the row-lock queue, so the final drain is short
    c.nodes.serviceMs = latencyMs > 0 ? 0.5 : 0.0;
    c.store.latencyMs = latencyMs;
    c.store.writeMs = latencyMs > 0 ? 0.05 : 0.0;
    c.stock = 300;
    Engine e(c);
    e.start();
    for (int round = 0; round < 3; ++round) {
        QVERIFY(waitFor(e, [](const Snapshot &s) { return s.attempts >= 200 && s.succeeded > 0; }));
        QCOMPARE(err(e.addNodes(1)), QByteArray());
        QCOMPARE(err(e.restock(50)), QByteArray());
        QCOMPARE(err(e.reset()), QByteArray());
        const auto seq = e.snapshot()->seq;
        const auto s = waitFor(e, [&](const Snapshot &x) {
            return x.seq > seq && x.store->stockInitial == c.stock && int(x.app->nodes.size()) == c.nodes.count
                && x.t < 0.5;
        });
        QVERIFY2(s, "reset did not take effect");
        QCOMPARE(name(s->store->strategy), name(strategy));
        QCOMPARE(nodesInState(*s, NodeState::Up), c.nodes.count);
        QCOMPARE(name(s->mode), name(mode));
    }
    QVERIFY(waitFor(e, [](const Snapshot &s) {
        return s.attempts >= 400 && s.t > 0.3 && s.recent.back().store->stockRemaining == 0;
    }));
    const RunResult r = e.stopAndDrain(10);
    const Audit &a = r.audit;
    QVERIFY2(a.invariantsOk && a.conserved && a.oversold == 0 && a.drained,
        qPrintable(QStringLiteral("supplied %1 persisted %2 confirmed %3 remaining %4")
                       .arg(a.supplied)
                       .arg(a.persisted)
                       .arg(a.confirmed)
                       .arg(a.remaining)));
    QCOMPARE(a.supplied, c.stock);
    QCOMPARE(a.persisted, c.stock);
    QCOMPARE(r.final.succeeded, a.confirmed);
    QCOMPARE(r.final.attempts, r.final.succeeded + r.final.soldOut + r.final.rateLimited + r.final.failed);
}

// ---- restock ----

void TestCommands::restock_data()
{
    QTest::addColumn<Strategy>("strategy");
    QTest::newRow("atomic") << Strategy::Atomic;
    QTest::newRow("sharded") << Strategy::Sharded;
}

void TestCommands::restock()
{
    QFETCH(Strategy, strategy);
    EngineConfig c = baseConfig();
    c.strategy = strategy;
    c.stock = 200;
    c.traffic.skus = 3;
    c.store.buckets = 4;
    c.traffic.ratePerS = 3000;
    Engine e(c);
    QCOMPARE(err(e.setPaused(true)), QByteArray());
    e.start();
    auto s = nextTick(e);
    QCOMPARE(s->store->stockInitial, std::int64_t(600));
    QCOMPARE(s->latest.store->stockRemaining, std::int64_t(600));

    QCOMPARE(err(e.restock(250)), QByteArray()); // per SKU
    s = nextTick(e);
    QCOMPARE(s->store->stockInitial, std::int64_t(1350));
    QCOMPARE(s->latest.store->stockRemaining, std::int64_t(1350));
    QCOMPARE(hotStock(*s), std::int64_t(450));
    if (strategy == Strategy::Sharded) {
        // spread evenly: 50 each + 250 over 4 buckets
        for (const auto &row : s->store->hotRows)
            QVERIFY2(row.stock == 112 || row.stock == 113, qPrintable(QString::number(row.stock)));
    } else {
        QCOMPARE(s->store->hotRows[0].stock, std::int64_t(450));
    }
    QVERIFY(hasMarker(e.markers(), "restock +250"));

    // sell everything, then restock while buyers keep coming: the new units sell too
    QCOMPARE(err(e.setPaused(false)), QByteArray());
    QVERIFY(waitFor(e, [](const Snapshot &x) { return x.latest.store->stockRemaining == 0; }));
    QCOMPARE(err(e.restock(100)), QByteArray());
    s = waitFor(
        e, [](const Snapshot &x) { return x.store->stockInitial == 1650 && x.latest.store->stockRemaining == 0; });
    QVERIFY2(s, "the restocked units did not sell");
    const RunResult r = e.stopAndDrain(10);
    QCOMPARE(r.audit.supplied, std::int64_t(1650));
    QCOMPARE(r.audit.persisted, std::int64_t(1650));
    QCOMPARE(r.audit.remaining, std::int64_t(0));
    QVERIFY(r.audit.invariantsOk);
}

// ---- traffic mode, rate, spike ----

void TestCommands::setClosedLoopAndBack()
{
    EngineConfig c = baseConfig();
    c.traffic.ratePerS = 500;
    c.stock = 100000000;
    Engine e(c);
    e.start();
    QVERIFY(waitForRunTime(e, 0.2));
    QCOMPARE(err(e.setClosedLoop(8)), QByteArray());
    auto s = nextTick(e);
    QCOMPARE(name(s->mode), name(TrafficMode::Closed));
    QCOMPARE(s->recent.back().offeredRate, 0.0);
    QVERIFY(hasMarker(e.markers(), "max rate, 8 clients"));
    // clients keep sending; each has at most one request outstanding
    const auto closed = waitForRunTime(e, s->t + 0.5);
    QVERIFY(closed->attempts > s->attempts);
    for (const auto &x : closed->recent)
        if (x.t > s->t) {
            QVERIFY(x.attempts > 0);
            QVERIFY2(x.app->inFlight <= 8, qPrintable(QString::number(x.app->inFlight)));
        }

    QCOMPARE(err(e.setRate(700)), QByteArray());
    s = nextTick(e);
    QCOMPARE(name(s->mode), name(TrafficMode::Open));
    QCOMPARE(s->ratePerS, 700.0);
    QCOMPARE(s->recent.back().offeredRate, 700.0);
    QVERIFY(hasMarker(e.markers(), "rate 700/s"));
    QVERIFY(e.stopAndDrain(10).audit.invariantsOk);
}

void TestCommands::setRateChangesArrivals()
{
    EngineConfig c = baseConfig();
    c.traffic.ratePerS = 300;
    c.stock = 100000000;
    Engine e(c);
    e.start();
    const auto low = waitForRunTime(e, 0.8);
    QVERIFY(low);
    QCOMPARE(err(e.setRate(1500)), QByteArray());
    const auto changed = nextTick(e);
    const auto high = waitForRunTime(e, changed->t + 0.8);
    QVERIFY(high);
    QCOMPARE(high->ratePerS, 1500.0);
    int nLow = 0, nHigh = 0;
    const double before = meanOver(
        *low, [](const TickSample &, const TickSample &x) { return x.t > 0.15; }, &TickSample::attempts, &nLow);
    const double after = meanOver(
        *high, [&](const TickSample &p, const TickSample &x) { return p.t >= changed->t && x.offeredRate == 1500.0; },
        &TickSample::attempts, &nHigh);
    QVERIFY(nLow >= 3 && nHigh >= 3);
    const double ratio = after / before;
    QVERIFY2(ratio > 3.5 && ratio < 7.0, qPrintable(QStringLiteral("%1/s -> %2/s").arg(before).arg(after)));
    e.stopAndDrain(10);
}

void TestCommands::spikeRaisesOfferedRate()
{
    EngineConfig c = baseConfig();
    c.traffic.ratePerS = 500;
    c.stock = 100000000;
    Engine e(c);
    e.start();
    QVERIFY(waitForRunTime(e, 0.5));
    QCOMPARE(err(e.spike(4, 0.8)), QByteArray());
    const auto in
        = waitFor(e, [](const Snapshot &s) { return s.spikeFactor == 4.0 && s.recent.back().offeredRate == 2000.0; });
    QVERIFY2(in, "no tick showed the spike");
    QVERIFY(hasMarker(e.markers(), "spike ×4 for 0.8 s"));
    // it ends by itself
    const auto out
        = waitFor(e, [](const Snapshot &s) { return s.spikeFactor == 1.0 && s.recent.back().offeredRate == 500.0; });
    QVERIFY2(out, "the spike did not end");
    QVERIFY(out->t >= in->t);
    // attempts followed: ticks wholly inside the spike against ticks before it
    int nBase = 0, nSpike = 0;
    const double base = meanOver(
        *out,
        [](const TickSample &p, const TickSample &x) {
            return x.t > 0.15 && p.offeredRate == 500.0 && x.offeredRate == 500.0 && x.t < 0.55;
        },
        &TickSample::attempts, &nBase);
    const double spike = meanOver(
        *out,
        [](const TickSample &p, const TickSample &x) { return p.offeredRate == 2000.0 && x.offeredRate == 2000.0; },
        &TickSample::attempts, &nSpike);
    QVERIFY2(
        nBase >= 2 && nSpike >= 3, qPrintable(QStringLiteral("%1 base ticks, %2 spike ticks").arg(nBase).arg(nSpike)));
    const double ratio = spike / base;
    QVERIFY2(ratio > 2.8 && ratio < 5.5, qPrintable(QStringLiteral("base %1/s, spike %2/s").arg(base).arg(spike)));
    e.stopAndDrain(10);
}

// ---- scenario timeline ----

void TestCommands::timelineFires()
{
    EngineConfig c = baseConfig();
    c.traffic.ratePerS = 400;
    c.nodes.count = 4;
    c.stock = 100000000;
    Engine e(c);
    std::vector<TimedEvent> events;
    TimedEvent ev;
    ev = {};
    ev.atS = 1.0;
    ev.kind = EventKind::SwitchStrategy;
    ev.strategy = Strategy::Sharded;
    events.push_back(ev); // out of order on purpose: the engine sorts
    ev = {};
    ev.atS = 0.3;
    ev.kind = EventKind::Spike;
    ev.factor = 3;
    ev.forS = 0.4;
    events.push_back(ev);
    ev = {};
    ev.atS = 0.5;
    ev.kind = EventKind::AddNodes;
    ev.count = 1;
    events.push_back(ev);
    ev = {};
    ev.atS = 0.7;
    ev.kind = EventKind::KillNode;
    ev.node = 0;
    events.push_back(ev);
    ev = {};
    ev.atS = 0.8;
    ev.kind = EventKind::KillNode;
    ev.node = 99; // fails: reported as a marker, the rest goes on
    events.push_back(ev);
    ev = {};
    ev.atS = 0.9;
    ev.kind = EventKind::SetRate;
    ev.rate = 600;
    events.push_back(ev);
    e.setTimeline(events);
    e.start();

    const auto s = waitForRunTime(e, 1.2);
    QVERIFY(s);
    const auto m = e.markers();
    const QString all = labels(m);
    QVERIFY2(hasMarker(m, "spike ×3 for 0.4 s", 0.3), qPrintable(all));
    QVERIFY2(hasMarker(m, "node 4 added", 0.5), qPrintable(all));
    QVERIFY2(hasMarker(m, "node 0 killed", 0.7), qPrintable(all));
    QVERIFY2(hasMarker(m, "event failed: kill node 99: no such node is running", 0.8), qPrintable(all));
    QVERIFY2(hasMarker(m, "rate 600/s", 0.9), qPrintable(all));
    QVERIFY2(hasMarker(m, "strategy sharded", 1.0), qPrintable(all));
    QVERIFY2(std::is_sorted(m.begin(), m.end(), [](const Marker &a, const Marker &b) { return a.t < b.t; }),
        qPrintable(all));
    // fired in time order
    auto at = [&](const std::string &label) {
        return std::find_if(m.begin(), m.end(), [&](const Marker &x) { return x.label == label; }) - m.begin();
    };
    QVERIFY(at("spike ×3 for 0.4 s") < at("node 4 added"));
    QVERIFY(at("node 4 added") < at("node 0 killed"));
    QVERIFY(at("rate 600/s") < at("strategy sharded"));
    // the snapshot carries them and shows their effects
    QVERIFY(hasMarker(s->markers, "node 0 killed"));
    QCOMPARE(name(s->store->strategy), name(Strategy::Sharded));
    QCOMPARE(stateOf(*s, 4), QByteArray("up"));
    QCOMPARE(stateOf(*s, 0), QByteArray("dead"));
    QCOMPARE(s->ratePerS, 600.0);
    QCOMPARE(s->spikeFactor, 1.0);
    const bool sawSpike = std::any_of(
        s->recent.begin(), s->recent.end(), [](const TickSample &x) { return x.offeredRate == 1200.0 && x.t >= 0.3; });
    QVERIFY2(sawSpike, "no tick with the spiked offered rate");
    QVERIFY(e.stopAndDrain(10).audit.invariantsOk);
}

// ---- bounds ----

void TestCommands::markersAndHistoryAreBounded()
{
    EngineConfig c = baseConfig();
    c.traffic.ratePerS = 100;
    Engine e(c);
    e.start();
    // 2 markers per round
    const int rounds = static_cast<int>(kMaxMarkers) / 2 + 100;
    for (int i = 0; i < rounds; ++i) {
        QVERIFY(e.setPaused(true).ok);
        QVERIFY(e.setPaused(false).ok);
    }
    QCOMPARE(err(e.restock(7)), QByteArray());
    const auto m = e.markers();
    QCOMPARE(m.size(), kMaxMarkers);
    QCOMPARE(m.back().label, std::string("restock +7")); // the oldest were dropped
    const auto s = nextTick(e);
    QVERIFY(s->markers.size() <= kMaxMarkers);
    QVERIFY(hasMarker(s->markers, "restock +7"));

    // recent: one sample per tick, oldest first, the tail of the full timeline
    const auto later = waitForRunTime(e, 1.0);
    QVERIFY(later);
    QVERIFY(later->recent.size() <= kRecentTicks);
    QVERIFY(later->recent.size() >= 8);
    for (std::size_t i = 1; i < later->recent.size(); ++i)
        QVERIFY(later->recent[i].t > later->recent[i - 1].t);
    const auto tl = e.timeline(); // read later: may have a few more ticks at its end
    QVERIFY(tl.size() >= later->recent.size());
    QVERIFY(tl.size() <= kHistoryTicks);
    const auto end
        = std::find_if(tl.begin(), tl.end(), [&](const TickSample &x) { return x.t == later->recent.back().t; });
    QVERIFY(end != tl.end());
    const auto n = static_cast<std::ptrdiff_t>(later->recent.size());
    QVERIFY(end - tl.begin() + 1 >= n);
    for (std::ptrdiff_t i = 0; i < n; ++i) {
        QCOMPARE((end - i)->t, later->recent[static_cast<std::size_t>(n - 1 - i)].t);
        QCOMPARE((end - i)->attemptsTotal, later->recent[static_cast<std::size_t>(n - 1 - i)].attemptsTotal);
    }
    e.stopAndDrain(10);
}

// ---- end of run ----

void TestCommands::commandsAfterStopFail()
{
    Engine e(baseConfig());
    e.start();
    QVERIFY(waitForRunTime(e, 0.2));
    const RunResult r = e.stopAndDrain(10);
    QVERIFY(!r.final.running);
    QVERIFY(r.durationS > 0);
    QVERIFY(!e.snapshot()->running);
    for (const CommandResult &res : { e.setRate(100), e.addNodes(1), e.killNode(), e.restock(1), e.reset(),
             e.setPaused(true), e.setClosedLoop(4), e.spike(2, 1), e.switchStrategy(Strategy::Naive) }) {
        QVERIFY(!res.ok);
        QVERIFY2(QString::fromStdString(res.error).contains(QStringLiteral("ended")), res.error.c_str());
    }
    QVERIFY_THROWS_EXCEPTION(std::logic_error, e.stopAndDrain(1));
}

void TestCommands::auditBeforeStart()
{
    EngineConfig c = baseConfig();
    c.traffic.skus = 2;
    Engine e(c);
    const RunResult r = e.stopAndDrain(1);
    QCOMPARE(r.audit.supplied, 2 * c.stock);
    QCOMPARE(r.audit.remaining, 2 * c.stock);
    QCOMPARE(r.audit.persisted, std::int64_t(0));
    QVERIFY(r.audit.drained && r.audit.conserved && r.audit.invariantsOk);
    QCOMPARE(r.final.attempts, std::int64_t(0));
}

void TestCommands::destructorWhileRunning_data()
{
    QTest::addColumn<ConfigEdit>("edit");
    QTest::addColumn<bool>("start");
    QTest::newRow("never started") << ConfigEdit([](EngineConfig &) {}) << false;
    QTest::newRow("open loop") << ConfigEdit([](EngineConfig &c) { c.traffic.ratePerS = 5000; }) << true;
    QTest::newRow("closed loop, zero latency") << ConfigEdit([](EngineConfig &c) {
        c.traffic.mode = TrafficMode::Closed;
        c.nodes.serviceMs = 0;
        c.store.latencyMs = 0;
        c.store.writeMs = 0;
        c.strategy = Strategy::RowLock;
    }) << true;
    // requests parked for a minute in the store and behind a row lock: destruction must not wait for them
    QTest::newRow("requests parked for 60 s") << ConfigEdit([](EngineConfig &c) {
        c.store.latencyMs = 60000;
        c.strategy = Strategy::RowLock;
    }) << true;
}

void TestCommands::destructorWhileRunning()
{
    QFETCH(ConfigEdit, edit);
    QFETCH(bool, start);
    EngineConfig c = baseConfig();
    edit(c);
    auto e = std::make_unique<Engine>(c);
    if (start) {
        e->start();
        e->start(); // idempotent
        QVERIFY(waitFor(*e, [](const Snapshot &s) { return s.attempts > 0 && s.running; }));
    }
    const auto t0 = std::chrono::steady_clock::now();
    e.reset();
    const double took = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    // a bound only against hanging: far below the 60 s the parked requests would need
    QVERIFY2(took < 30.0, qPrintable(QString::number(took)));
}

QTEST_GUILESS_MAIN(TestCommands)
#include "tst_commands.moc"
