// The app tier (subsystems/apptier.h) through its own interface: the gateway's routing policies
// and token bucket, each node's M/M/c/K admission with FIFO hand-off, and the node commands.
// A test workload owns the tier on a real Runtime; request-path calls run on a shard's thread,
// commands under the control mutex, as the engine runs them.

#include "apptier.h"
#include "limittable.h"

#include "testruntime.h"

#include <QTest>

#include <stdexcept>

#include <algorithm>
#include <functional>
#include <future>
#include <map>
#include <vector>

using namespace stampede;
using test::onShard;
using test::underControl;

using TierSetup = std::function<void(AppTier &)>;
using TierCommand = std::function<CommandResult(AppTier &)>;
Q_DECLARE_METATYPE(TierSetup)
Q_DECLARE_METATYPE(TierCommand)
Q_DECLARE_METATYPE(RoutePolicy)

namespace {

// Owns the tier under test. Requests a node hands back (a freed worker, a killed backlog) arrive
// in step() on their shard's thread and wait in `handed` for the test, read on that shard only.
class AppWorkload final : public test::QuietWorkload {
public:
    explicit AppWorkload(Runtime &rt)
        : app(rt, rt.config().gateway, rt.config().nodes)
        , handed(static_cast<std::size_t>(rt.shardCount()))
    {
        app.reset(); // the configured nodes
    }
    void step(Shard &s, Request *r) override { handed[static_cast<std::size_t>(s.index())].push_back(r); }
    void clearShard(Shard &s) override { app.clearShard(s.index()); }
    void tick(const TickContext &c, TickSample &x) override { app.tick(c, x.app.emplace()); }
    void view(Snapshot &s) override { app.view(s.app.emplace()); }
    void reset() override { app.reset(); }

    AppTier app;
    std::vector<std::vector<Request *>> handed; // per shard: that shard's thread only
};

using Rig = test::Rig<AppWorkload>;

Rig makeTier(int threads, int nodes, int capacity, int queueLimit, RoutePolicy policy = RoutePolicy::RoundRobin)
{
    EngineConfig c = test::quietConfig(threads);
    c.nodes.count = nodes;
    c.nodes.capacity = capacity;
    c.nodes.queueLimit = queueLimit;
    c.gateway.policy = policy;
    return test::makeRig<AppWorkload>(c, [](Runtime &rt) { return std::make_unique<AppWorkload>(rt); });
}

Request *newRequest(Runtime &rt, Shard &s, std::uint64_t user)
{
    Request *r = s.allocate();
    r->epoch = rt.epoch();
    r->user = user;
    return r;
}

// Answers r: its worker goes to the next waiter, and the request back to the pool.
void finish(AppTier &app, Shard &s, Request *r)
{
    app.release(s, r);
    s.free(r);
}

const NodeView *nodeView(const Snapshot &s, int id)
{
    for (const auto &n : s.app->nodes)
        if (n.id == id)
            return &n;
    return nullptr;
}

} // namespace

class TestAppTier : public QObject {
    Q_OBJECT

private slots:
    void routingSpreadsLoad_data();
    void routingSpreadsLoad();
    void leastOutstandingFillsTheIdleNode();
    void userHashIsSticky();
    void rateLimitAdmitsTheConfiguredRate_data();
    void rateLimitAdmitsTheConfiguredRate();
    void admissionIsMMcK_data();
    void admissionIsMMcK();
    void commandErrors_data();
    void commandErrors();
    void removeDrainsThenRemoves();
    void leasedWorkersGoToAQueuedRequest();
    void leasedWorkersLeaveADrainingNode();
    void killFailsTheBacklog();
    void resetRestoresTheConfiguredNodes();
};

void TestAppTier::routingSpreadsLoad_data()
{
    QTest::addColumn<RoutePolicy>("policy");
    QTest::addColumn<double>("maxDeviation"); // of each node's share from the mean, as a fraction
    // Round robin and least outstanding (nothing answered) are exact; the hash of 4000 random
    // users stays within 15 % of the mean (about 5 standard deviations).
    QTest::newRow("round-robin") << RoutePolicy::RoundRobin << 0.0;
    QTest::newRow("least-outstanding") << RoutePolicy::LeastOutstanding << 0.0;
    QTest::newRow("user-hash") << RoutePolicy::UserHash << 0.15;
}

void TestAppTier::routingSpreadsLoad()
{
    QFETCH(RoutePolicy, policy);
    QFETCH(double, maxDeviation);
    constexpr int kNodes = 4, kRequests = 4000;
    auto rig = makeTier(1, kNodes, kRequests, 0, policy);
    rig.rt->start();
    const auto perNode = onShard(*rig.rt, 0, [&](Shard &s) {
        std::vector<Request *> held;
        std::map<int, int> count;
        for (int i = 0; i < kRequests; ++i) {
            Request *r = newRequest(*rig.rt, s, s.rng.below(1000000));
            if (rig->app.route(s, r) == AppTier::Route::Run)
                ++count[r->node];
            held.push_back(r);
        }
        for (Request *r : held)
            finish(rig->app, s, r);
        return count;
    });
    QCOMPARE(static_cast<int>(perNode.size()), kNodes);
    const double mean = static_cast<double>(kRequests) / kNodes;
    for (const auto &[node, n] : perNode)
        QVERIFY2(std::abs(n - mean) <= mean * maxDeviation,
            qPrintable(QStringLiteral("node %1 got %2 of %3, mean %4").arg(node).arg(n).arg(kRequests).arg(mean)));
}

void TestAppTier::leastOutstandingFillsTheIdleNode()
{
    // Once node 1's requests are answered it has the fewest outstanding, so it takes every new
    // request until it catches up; round robin would have spread them.
    auto rig = makeTier(1, 3, 100, 0, RoutePolicy::LeastOutstanding);
    rig.rt->start();
    const auto picks = onShard(*rig.rt, 0, [&](Shard &s) {
        std::vector<Request *> held;
        for (int i = 0; i < 30; ++i) {
            Request *r = newRequest(*rig.rt, s, static_cast<std::uint64_t>(i));
            rig->app.route(s, r);
            held.push_back(r);
        }
        std::vector<Request *> keep;
        for (Request *r : held)
            if (r->node == 1)
                finish(rig->app, s, r);
            else
                keep.push_back(r);
        std::vector<int> next;
        for (int i = 0; i < 10; ++i) {
            Request *r = newRequest(*rig.rt, s, static_cast<std::uint64_t>(100 + i));
            rig->app.route(s, r);
            next.push_back(r->node);
            keep.push_back(r);
        }
        for (Request *r : keep)
            finish(rig->app, s, r);
        return next;
    });
    QCOMPARE(picks, std::vector<int>(10, 1));
}

void TestAppTier::userHashIsSticky()
{
    auto rig = makeTier(1, 5, 100, 0, RoutePolicy::UserHash);
    rig.rt->start();
    const int moved = onShard(*rig.rt, 0, [&](Shard &s) {
        int differ = 0;
        for (std::uint64_t user = 0; user < 500; ++user) {
            Request *a = newRequest(*rig.rt, s, user * 7919);
            rig->app.route(s, a);
            const int first = a->node;
            finish(rig->app, s, a);
            Request *b = newRequest(*rig.rt, s, user * 7919);
            rig->app.route(s, b);
            differ += b->node != first;
            finish(rig->app, s, b);
        }
        return differ;
    });
    QVERIFY2(moved == 0, qPrintable(QStringLiteral("%1 of 500 users changed node").arg(moved)));
}

void TestAppTier::rateLimitAdmitsTheConfiguredRate_data()
{
    QTest::addColumn<double>("rate");
    QTest::newRow("500/s") << 500.0;
    QTest::newRow("4000/s") << 4000.0;
}

void TestAppTier::rateLimitAdmitsTheConfiguredRate()
{
    QFETCH(double, rate);
    constexpr int kShards = 2;
    constexpr Nanos kWindow = 300'000'000; // engine time each shard offers load for
    EngineConfig c = test::quietConfig(kShards);
    c.nodes.count = 1;
    c.nodes.capacity = 100;
    c.gateway.rateLimitPerS = rate;
    auto rig = test::makeRig<AppWorkload>(c, [](Runtime &rt) { return std::make_unique<AppWorkload>(rt); });
    rig.rt->start();
    struct Offered {
        std::int64_t admitted = 0, limited = 0;
        Nanos elapsed = 0;
    };
    // Both shards offer far more than the limit at once: each owns half of the bucket.
    auto offer = [&](int i) {
        return onShard(*rig.rt, i, [&](Shard &s) {
            Offered o;
            Request *r = newRequest(*rig.rt, s, 1);
            const Nanos start = rig.rt->now();
            while (rig.rt->now() - start < kWindow) {
                r->node = -1;
                const auto route = rig->app.route(s, r);
                if (route == AppTier::Route::Run) {
                    ++o.admitted;
                    rig->app.release(s, r);
                } else {
                    ++o.limited;
                }
            }
            o.elapsed = rig.rt->now() - start;
            s.free(r);
            return o;
        });
    };
    auto other = std::async(std::launch::async, offer, 1);
    const Offered mine = offer(0);
    const Offered theirs = other.get();
    const double perShard = rate / kShards;
    const double burst = std::max(1.0, perShard * 0.05); // apptier.cpp's bucket depth
    for (const Offered &o : { mine, theirs }) {
        const double expected = perShard * static_cast<double>(o.elapsed) * 1e-9;
        const auto msg = QStringLiteral("admitted %1 in %2 ms, expected about %3 (burst %4), limited %5")
                             .arg(o.admitted)
                             .arg(static_cast<double>(o.elapsed) * 1e-6)
                             .arg(expected)
                             .arg(burst)
                             .arg(o.limited);
        QVERIFY2(o.limited > 0, qPrintable(msg));
        // A token bucket never admits more than its depth plus what accrued: a hard bound.
        QVERIFY2(static_cast<double>(o.admitted) <= expected + burst + 1, qPrintable(msg));
        // A shard descheduled longer than the bucket's depth loses tokens: 40 % tolerance.
        QVERIFY2(static_cast<double>(o.admitted) >= 0.6 * expected, qPrintable(msg));
    }
}

void TestAppTier::admissionIsMMcK_data()
{
    QTest::addColumn<int>("capacity");
    QTest::addColumn<int>("queueLimit");
    QTest::newRow("c=1 K=0") << 1 << 0;
    QTest::newRow("c=3 K=2") << 3 << 2;
    QTest::newRow("c=2 K=5") << 2 << 5;
    // Large enough to be admitted through leases (apptier.h): the same exact limits.
    QTest::newRow("c=1024 K=3 leased") << 1024 << 3;
}

void TestAppTier::admissionIsMMcK()
{
    QFETCH(int, capacity);
    QFETCH(int, queueLimit);
    auto rig = makeTier(1, 1, capacity, queueLimit);
    QCOMPARE(rig->app.leaseBatch() > 1, capacity >= kLeaseMinWorkersPerShard);
    rig.rt->start();
    Runtime &rt = *rig.rt;
    std::vector<Request *> running, queued;
    const auto routes = onShard(rt, 0, [&](Shard &s) {
        std::vector<AppTier::Route> out;
        for (int i = 0; i < capacity + queueLimit + 2; ++i) {
            Request *r = newRequest(rt, s, static_cast<std::uint64_t>(i));
            const auto route = rig->app.route(s, r);
            out.push_back(route);
            if (route == AppTier::Route::Run)
                running.push_back(r);
            else if (route == AppTier::Route::Queued)
                queued.push_back(r);
            else
                s.free(r);
        }
        return out;
    });
    std::vector<AppTier::Route> expected(static_cast<std::size_t>(capacity), AppTier::Route::Run);
    expected.insert(expected.end(), static_cast<std::size_t>(queueLimit), AppTier::Route::Queued);
    expected.insert(expected.end(), 2, AppTier::Route::Overloaded);
    QVERIFY2(routes == expected, "capacity runs, queue_limit waits, then the node rejects");

    auto snap = test::nextTick(rt);
    QVERIFY(snap);
    const NodeView *v = nodeView(*snap, 0);
    QVERIFY(v);
    QCOMPARE(v->busy, capacity);
    QCOMPARE(v->backlog, queueLimit);
    QCOMPARE(snap->recent.back().app->backlog, static_cast<std::int64_t>(queueLimit));
    QCOMPARE(snap->recent.back().app->utilisation, 1.0);

    // Each answer hands its worker to the oldest waiter, until the backlog is served.
    std::vector<Request *> served;
    std::vector<Request *> toFinish = running;
    while (served.size() < queued.size()) {
        const std::size_t before = served.size();
        onShard(rt, 0, [&](Shard &s) {
            for (Request *r : toFinish)
                finish(rig->app, s, r);
            return 0;
        });
        test::settle(rt, 0);
        toFinish = onShard(rt, 0, [&](Shard &) { return std::exchange(rig->handed[0], {}); });
        served.insert(served.end(), toFinish.begin(), toFinish.end());
        QVERIFY2(served.size() > before || queued.empty(), "an answer handed no worker to the backlog");
    }
    QVERIFY2(served == queued, "the backlog is served first in, first out");
    onShard(rt, 0, [&](Shard &s) {
        for (Request *r : toFinish)
            finish(rig->app, s, r);
        return 0;
    });
    snap = test::nextTick(rt);
    QVERIFY(snap);
    QCOMPARE(nodeView(*snap, 0)->busy, 0);
    QCOMPARE(nodeView(*snap, 0)->backlog, 0);
}

void TestAppTier::commandErrors_data()
{
    QTest::addColumn<TierSetup>("setup");
    QTest::addColumn<TierCommand>("command");
    QTest::addColumn<QString>("error");
    const TierSetup none = [](AppTier &) {};
    auto row = [](const char *name, TierSetup setup, TierCommand command, const char *error) {
        QTest::newRow(name) << setup << command << QString::fromUtf8(error);
    };
    // Two nodes (0 and 1) are up at the start of each row.
    row(
        "add 0", none, [](AppTier &a) { return a.addNodes(0); }, "add node: count must be at least 1");
    row(
        "add beyond the up limit", none, [](AppTier &a) { return a.addNodes(kMaxNodes - 1); },
        "add node: at most 64 nodes can be up");
    row(
        "add when ids are used up",
        [](AppTier &a) {
            // Dead nodes keep their ids until a reset: 16 rounds of 62 use 994 of 1024 slots.
            for (int round = 0; round < 16; ++round) {
                const int first = 2 + round * 62;
                a.addNodes(62);
                for (int id = first; id < first + 62; ++id)
                    a.killNode(id);
            }
        },
        [](AppTier &a) { return a.addNodes(31); }, "add node: node ids are used up; reset the run");
    row(
        "remove unknown", none, [](AppTier &a) { return a.removeNode(7); }, "remove node 7: no such node is up");
    row(
        "remove negative", none, [](AppTier &a) { return a.removeNode(-1); }, "remove node -1: no such node is up");
    row(
        "remove the last up", [](AppTier &a) { a.removeNode(1); }, [](AppTier &a) { return a.removeNode(0); },
        "remove node 0: it is the last node up");
    row(
        "remove any, last up", [](AppTier &a) { a.removeNode(1); },
        [](AppTier &a) { return a.removeNode(std::nullopt); }, "remove node 0: it is the last node up");
    row(
        "remove draining", [](AppTier &a) { a.removeNode(1); }, [](AppTier &a) { return a.removeNode(1); },
        "remove node 1: no such node is up");
    row(
        "remove any, none up",
        [](AppTier &a) {
            a.killNode(0);
            a.killNode(1);
        },
        [](AppTier &a) { return a.removeNode(std::nullopt); }, "remove node: no node is up");
    row(
        "kill unknown", none, [](AppTier &a) { return a.killNode(5); }, "kill node 5: no such node is running");
    row(
        "kill dead", [](AppTier &a) { a.killNode(1); }, [](AppTier &a) { return a.killNode(1); },
        "kill node 1: no such node is running");
    row(
        "kill any, none up",
        [](AppTier &a) {
            a.killNode(0);
            a.killNode(1);
        },
        [](AppTier &a) { return a.killNode(std::nullopt); }, "kill node: no node is up");
}

void TestAppTier::commandErrors()
{
    QFETCH(TierSetup, setup);
    QFETCH(TierCommand, command);
    QFETCH(QString, error);
    auto rig = makeTier(1, 2, 4, 4); // not started: commands need only the control mutex
    const auto r = underControl(*rig.rt, [&] {
        setup(rig->app);
        return command(rig->app);
    });
    QVERIFY2(!r.ok, "the command should be refused");
    QCOMPARE(QString::fromStdString(r.error), error);
}

void TestAppTier::removeDrainsThenRemoves()
{
    auto rig = makeTier(1, 2, 8, 8);
    Runtime &rt = *rig.rt;
    rt.start();
    Request *onOne = onShard(rt, 0, [&](Shard &s) {
        Request *a = newRequest(rt, s, 0); // round robin: node 0, then node 1
        Request *b = newRequest(rt, s, 1);
        rig->app.route(s, a);
        rig->app.route(s, b);
        finish(rig->app, s, a);
        return b;
    });
    QCOMPARE(onOne->node, 1);
    const auto removed = underControl(rt, [&] { return rig->app.removeNode(1); });
    QVERIFY2(removed.ok, removed.error.c_str());
    QCOMPARE(rig->app.upNodes(), 1);

    // A draining node takes nothing new, and stays while it still serves a request.
    const auto nodes = onShard(rt, 0, [&](Shard &s) {
        std::vector<int> out;
        for (int i = 0; i < 6; ++i) {
            Request *r = newRequest(rt, s, static_cast<std::uint64_t>(10 + i));
            rig->app.route(s, r);
            out.push_back(r->node);
            finish(rig->app, s, r);
        }
        return out;
    });
    QCOMPARE(nodes, std::vector<int>(6, 0));
    test::nextTick(rt);
    auto snap = test::nextTick(rt);
    QVERIFY(snap);
    QVERIFY(nodeView(*snap, 1));
    QVERIFY(nodeView(*snap, 1)->state == NodeState::Draining);
    QCOMPARE(nodeView(*snap, 1)->busy, 1);

    onShard(rt, 0, [&](Shard &s) {
        finish(rig->app, s, onOne);
        return 0;
    });
    snap = test::waitSnapshot(rt, [](const Snapshot &s) { return !nodeView(s, 1); });
    QVERIFY2(snap, "the drained node should leave at a tick");
    const auto marks = rt.markers();
    QVERIFY(test::hasMarker(marks, "node 1 draining"));
    QVERIFY(test::hasMarker(marks, "node 1 removed"));
}

void TestAppTier::killFailsTheBacklog()
{
    auto rig = makeTier(1, 1, 2, 3);
    Runtime &rt = *rig.rt;
    rt.start();
    std::vector<Request *> running, queued;
    onShard(rt, 0, [&](Shard &s) {
        for (int i = 0; i < 5; ++i) {
            Request *r = newRequest(rt, s, static_cast<std::uint64_t>(i));
            (rig->app.route(s, r) == AppTier::Route::Run ? running : queued).push_back(r);
        }
        return 0;
    });
    QCOMPARE(running.size(), std::size_t(2));
    QCOMPARE(queued.size(), std::size_t(3));

    const auto killed = underControl(rt, [&] { return rig->app.killNode(0); });
    QVERIFY2(killed.ok, killed.error.c_str());
    test::settle(rt, 0);
    const auto handed = onShard(rt, 0, [&](Shard &) { return std::exchange(rig->handed[0], {}); });
    QVERIFY2(handed == queued, "the whole backlog comes back, in order");
    for (const Request *r : handed)
        QVERIFY2(r->failOnDispatch, "a killed node's backlog must fail (node down)");

    const auto after = onShard(rt, 0, [&](Shard &s) {
        bool dead = true;
        for (Request *r : running)
            dead = dead && rig->app.nodeDead(r);
        Request *late = newRequest(rt, s, 99);
        const auto route = rig->app.route(s, late);
        s.free(late);
        // The dead node's workers are gone with it: answers hand nothing on.
        for (Request *r : running)
            finish(rig->app, s, r);
        for (Request *r : handed)
            finish(rig->app, s, r);
        return std::make_pair(dead, route);
    });
    QVERIFY2(after.first, "requests in service on a killed node see it dead");
    QVERIFY2(after.second == AppTier::Route::Down, "nothing routes with every node dead");
    test::settle(rt, 0);
    QVERIFY(onShard(rt, 0, [&](Shard &) { return rig->handed[0].empty(); }));

    auto snap = test::nextTick(rt);
    QVERIFY(snap);
    QVERIFY(nodeView(*snap, 0));
    QVERIFY(nodeView(*snap, 0)->state == NodeState::Dead);
    QCOMPARE(nodeView(*snap, 0)->busy, 0);
    QCOMPARE(nodeView(*snap, 0)->backlog, 0);
    QCOMPARE(snap->recent.back().app->nodesUp, 0);
    QVERIFY(test::hasMarker(rt.markers(), "node 0 killed"));

    QVERIFY(underControl(rt, [&] { return rig->app.removeNode(0); }).ok); // clears the dead node
    snap = test::nextTick(rt);
    QVERIFY(snap);
    QVERIFY2(!nodeView(*snap, 0), "a cleared node leaves the view");
    QVERIFY(test::hasMarker(rt.markers(), "node 0 cleared"));
}

void TestAppTier::resetRestoresTheConfiguredNodes()
{
    auto rig = makeTier(2, 3, 4, 4);
    Runtime &rt = *rig.rt;
    rt.start();
    underControl(rt, [&] {
        rig->app.addNodes(2);
        rig->app.killNode(0);
        return rig->app.removeNode(1);
    });
    QVERIFY(rt.reset().ok);
    auto snap = test::waitSnapshot(rt, [](const Snapshot &s) { return s.app->nodes.size() == 3 && s.t == 0; });
    QVERIFY2(snap, "after a reset the configured three nodes are back");
    for (int id = 0; id < 3; ++id) {
        QVERIFY(nodeView(*snap, id));
        QVERIFY(nodeView(*snap, id)->state == NodeState::Up);
    }
    QCOMPARE(rig->app.upNodes(), 3);
}

// Two shards share a leased node. Shard 0 keeps idle workers leased after its answers; when shard
// 1 fills the node and a request has to queue, shard 0 is asked to give them back, and the
// queued request runs without waiting for another answer.
void TestAppTier::leasedWorkersGoToAQueuedRequest()
{
    constexpr int kCapacity = 2048;
    auto rig = makeTier(2, 1, kCapacity, 10);
    Runtime &rt = *rig.rt;
    const int batch = rig->app.leaseBatch();
    QVERIFY2(batch > 1, "the node must be large enough to lease");
    rt.start();
    onShard(rt, 0, [&](Shard &s) {
        std::vector<Request *> held;
        for (int i = 0; i < 100; ++i) {
            Request *r = newRequest(rt, s, static_cast<std::uint64_t>(i));
            if (rig->app.route(s, r) != AppTier::Route::Run)
                throw std::runtime_error("an empty node refused a request");
            held.push_back(r);
        }
        for (Request *r : held)
            finish(rig->app, s, r);
        return 0;
    });
    std::vector<Request *> running;
    Request *waiting = nullptr;
    onShard(rt, 1, [&](Shard &s) {
        for (int i = 0; i <= kCapacity && !waiting; ++i) {
            Request *r = newRequest(rt, s, static_cast<std::uint64_t>(1000 + i));
            const auto route = rig->app.route(s, r);
            if (route == AppTier::Route::Run)
                running.push_back(r);
            else if (route == AppTier::Route::Queued)
                waiting = r;
            else
                throw std::runtime_error("the node refused a request before its queue filled");
        }
        return 0;
    });
    QVERIFY2(waiting, "the node never filled");
    // Never more than capacity at work; at most two batches idle on shard 0 when it filled.
    const auto ran = static_cast<int>(running.size());
    QVERIFY2(ran <= kCapacity, qPrintable(QStringLiteral("%1 running of %2").arg(ran).arg(kCapacity)));
    QVERIFY2(ran >= kCapacity - 2 * batch, qPrintable(QStringLiteral("%1 running of %2").arg(ran).arg(kCapacity)));
    QVERIFY2(test::eventually([&] { return onShard(rt, 1, [&](Shard &) { return rig->handed[1].size(); }) == 1; }),
        "the idle leased workers never reached the queued request");
    QCOMPARE(onShard(rt, 1, [&](Shard &) { return rig->handed[1].front(); }), waiting);
    auto snap = test::nextTick(rt);
    QVERIFY(snap);
    QCOMPARE(nodeView(*snap, 0)->busy, ran + 1); // idle leased workers are not busy
    QCOMPARE(nodeView(*snap, 0)->backlog, 0);
    onShard(rt, 1, [&](Shard &s) {
        for (Request *r : running)
            finish(rig->app, s, r);
        finish(rig->app, s, waiting);
        rig->handed[1].clear();
        return 0;
    });
    snap = test::nextTick(rt);
    QVERIFY(snap);
    QCOMPARE(nodeView(*snap, 0)->busy, 0);
}

// Shard 0 holds idle leased workers of node 1 and sends it nothing more; removing node 1 asks it
// to give them back, so the node empties and leaves.
void TestAppTier::leasedWorkersLeaveADrainingNode()
{
    auto rig = makeTier(2, 2, 4096, 0);
    Runtime &rt = *rig.rt;
    QVERIFY(rig->app.leaseBatch() > 1);
    rt.start();
    const int node = onShard(rt, 0, [&](Shard &s) {
        Request *a = newRequest(rt, s, 0); // round robin: node 0, then node 1
        Request *b = newRequest(rt, s, 1);
        rig->app.route(s, a);
        rig->app.route(s, b);
        const int n = b->node;
        finish(rig->app, s, a);
        finish(rig->app, s, b);
        return n;
    });
    QCOMPARE(node, 1);
    const auto removed = underControl(rt, [&] { return rig->app.removeNode(1); });
    QVERIFY2(removed.ok, removed.error.c_str());
    const auto snap = test::waitSnapshot(rt, [](const Snapshot &s) { return !nodeView(s, 1); });
    QVERIFY2(snap, "a node whose only workers out are idle leases should leave");
    QVERIFY(test::hasMarker(rt.markers(), "node 1 removed"));
}

QTEST_GUILESS_MAIN(TestAppTier)
#include "tst_apptier.moc"
