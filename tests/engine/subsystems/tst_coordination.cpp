// Scale up vs scale out (issue 14) on the whole engine: node sizes (cores, speed, price), the
// coordination mechanisms of the cluster lock (subsystems/clusterlock.h) and what a sweep over
// nodes then shows. Each curve is measured, not computed: the flash sale runs closed loop on
// one-core nodes and the fit (core/scalingfit.h) must recover the mechanism it was given.
//
// Throughput is taken over run time from the engine's own ticks, so a slow machine stretches the
// wall time, not the figures; tolerances below say what they allow for.

#include "engine.h"
#include "scalingfit.h"

#include "enginewait.h"

#include <QTest>

#include <cmath>
#include <vector>

using namespace stampede;

namespace {

constexpr double kServiceMs = 10; // one request on one core: 100 per second per node
constexpr double kWarmupS = 0.5, kMeasureS = 1.5;

EngineConfig clusterConfig(int nodes, Coordination c, double serialMs, double exchangeMs)
{
    EngineConfig cfg;
    cfg.threads = 2;
    cfg.strategy = Strategy::Atomic;
    cfg.stock = std::int64_t(1) << 40; // never sells out
    cfg.store.latencyMs = 0;
    cfg.store.writeMs = 0;
    cfg.traffic.mode = TrafficMode::Closed;
    cfg.traffic.clients = 4 * nodes; // every core always has a next request
    cfg.nodes.count = nodes;
    cfg.nodes.capacity = 1;
    cfg.nodes.queueLimit = 1000;
    cfg.nodes.serviceMs = kServiceMs;
    cfg.nodes.serviceDist = ServiceDist::Constant;
    cfg.nodes.coordination = c;
    cfg.nodes.serialMs = serialMs;
    cfg.nodes.exchangeMs = exchangeMs;
    return cfg;
}

double answeredPerS(const TickSample &x) { return x.succeeded + x.soldOut; }

// Mean answered per second over the ticks that end in (from, to] of run time. A tick's time is
// the run's clock when it ran, just after its grid point: half a tick of slack.
double throughputBetween(const std::vector<TickSample> &ticks, double from, double to)
{
    double sum = 0;
    int n = 0;
    for (const auto &x : ticks)
        if (x.t > from + 0.05 && x.t <= to + 0.05) {
            sum += answeredPerS(x);
            ++n;
        }
    return n ? sum / n : 0;
}

// One point of a sweep: warm up, measure, drain. The audit must hold at every point.
double measure(const EngineConfig &cfg)
{
    Engine e(cfg);
    e.start();
    if (!test::waitForRunTime(e, kWarmupS + kMeasureS + 0.15, 60))
        qFatal("the run did not reach its measured window");
    const auto ticks = e.timeline();
    const auto result = e.stopAndDrain();
    if (!result.audit.invariantsOk)
        qFatal("invariants broken at %d nodes", cfg.nodes.count);
    return throughputBetween(ticks, kWarmupS, kWarmupS + kMeasureS);
}

struct Curve {
    std::vector<scaling::Point> points;
    scaling::UslFit usl;
    scaling::AmdahlFit amdahl;
};

Curve sweep(const std::vector<int> &ns, Coordination c, double serialMs, double exchangeMs)
{
    Curve k;
    for (int n : ns)
        k.points.push_back({ double(n), measure(clusterConfig(n, c, serialMs, exchangeMs)) });
    k.usl = scaling::fitUsl(k.points);
    k.amdahl = scaling::fitAmdahl(k.points);
    return k;
}

QString describe(const Curve &k)
{
    QString s;
    for (const auto &p : k.points)
        s += QStringLiteral("N=%1: %2/s  ").arg(p.n).arg(p.x, 0, 'f', 1);
    return s
        + QStringLiteral("| sigma %1 kappa %2 lambda %3 r2 %4")
              .arg(k.usl.sigma, 0, 'g', 4)
              .arg(k.usl.kappa, 0, 'g', 4)
              .arg(k.usl.lambda, 0, 'f', 1)
              .arg(k.usl.r2, 0, 'f', 4);
}

const NodeView *upNodeWithCores(const Snapshot &s, int cores)
{
    for (const auto &n : s.app->nodes)
        if (n.state == NodeState::Up && n.capacity == cores)
            return &n;
    return nullptr;
}

} // namespace

class TestCoordination : public QObject {
    Q_OBJECT
private slots:
    void statelessScalesLinearly();
    void serialSectionIsAmdahl_data();
    void serialSectionIsAmdahl();
    void exchangePeaksWhereTheFitSays();
    void hotRowIsFlat();
    void coresAndSpeedSetCapacity_data();
    void coresAndSpeedSetCapacity();
    void resizeReplacesTheNode();
    void aKilledNodeComesBackAfterForS();
    void aFailureReleasesTheClusterLock();
    void badSizesAreRefused_data();
    void badSizesAreRefused();
};

// Nothing shared: N nodes serve N times one node's requests (a 5 % band for tick edges).
void TestCoordination::statelessScalesLinearly()
{
    const Curve k = sweep({ 1, 4, 16 }, Coordination::None, 0, 0);
    QVERIFY2(k.usl.ok, k.usl.error.c_str());
    QVERIFY2(k.usl.sigma < 0.01 && k.usl.kappa < 1e-4, qPrintable(describe(k)));
    const double ratio = k.points.back().x / k.points.front().x;
    QVERIFY2(std::abs(ratio / 16 - 1) < 0.05, qPrintable(describe(k)));
    QVERIFY2(std::abs(k.points.front().x / (1000 / kServiceMs) - 1) < 0.05, qPrintable(describe(k)));
}

void TestCoordination::serialSectionIsAmdahl_data()
{
    QTest::addColumn<double>("serialMs");
    QTest::newRow("0.5 ms of 10.5 (f = 0.048)") << 0.5;
    QTest::newRow("1.5 ms of 11.5 (f = 0.13)") << 1.5;
}

// Each request holds the cluster lock exclusively for x of its s + x: the fit's sigma is that
// fraction f = x / (s + x) to within 15 % (the bound), and there is no coherence term.
void TestCoordination::serialSectionIsAmdahl()
{
    QFETCH(double, serialMs);
    const double f = serialMs / (kServiceMs + serialMs);
    const Curve k = sweep({ 1, 2, 4, 8, 16 }, Coordination::Serial, serialMs, 0);
    QVERIFY2(k.usl.ok, k.usl.error.c_str());
    QVERIFY2(std::abs(k.usl.sigma / f - 1) <= 0.15, qPrintable(describe(k)));
    QVERIFY2(k.usl.kappa < 0.1 * f / 16, qPrintable(describe(k))); // its whole effect < 10 % of sigma's
    QVERIFY2(k.amdahl.ok && std::abs(k.amdahl.sigma / f - 1) <= 0.15, qPrintable(describe(k)));
}

// The exclusive section visits every other node in turn: per request it grows with N, the curve
// has a peak, and the measured peak sits at the sweep step nearest the fitted N_max (one step
// either way). kappa is exchange_ms / (service + serial) to within 20 %.
void TestCoordination::exchangePeaksWhereTheFitSays()
{
    const std::vector<int> ns { 1, 2, 4, 8, 16, 32 };
    const Curve k = sweep(ns, Coordination::Exchange, 0.2, 0.05);
    QVERIFY2(k.usl.ok, k.usl.error.c_str());
    const double kappa = 0.05 / (kServiceMs + 0.2);
    QVERIFY2(k.usl.kappa > 0 && std::abs(k.usl.kappa / kappa - 1) <= 0.2, qPrintable(describe(k)));
    QVERIFY2(std::isfinite(k.usl.nMax), qPrintable(describe(k)));
    std::size_t peak = 0, predicted = 0;
    for (std::size_t i = 0; i < ns.size(); ++i) {
        if (k.points[i].x > k.points[peak].x)
            peak = i;
        if (std::abs(std::log2(ns[i] / k.usl.nMax)) < std::abs(std::log2(ns[predicted] / k.usl.nMax)))
            predicted = i;
    }
    QVERIFY2(peak > 0 && peak + 1 < ns.size(), qPrintable(describe(k))); // it rises, then falls
    QVERIFY2(std::abs(int(peak) - int(predicted)) <= 1, qPrintable(describe(k)));
}

// Every request holds one lock for 5 ms: 200 per second however many nodes, once four nodes
// (400 per second without it) saturate it.
void TestCoordination::hotRowIsFlat()
{
    const Curve k = sweep({ 4, 8, 16, 32 }, Coordination::HotRow, 5, 0);
    for (const auto &p : k.points)
        QVERIFY2(std::abs(p.x / 200 - 1) < 0.05, qPrintable(describe(k)));
}

void TestCoordination::coresAndSpeedSetCapacity_data()
{
    QTest::addColumn<int>("nodes");
    QTest::addColumn<int>("cores");
    QTest::addColumn<double>("speed");
    QTest::addColumn<double>("expected");
    QTest::addColumn<double>("price");
    // The seed's example: a 4-core node at 20 ms a request serves 200 per second.
    QTest::newRow("one 4-core node") << 1 << 4 << 1.0 << 200.0 << 4.0;
    QTest::newRow("one 8-core node (scale up)") << 1 << 8 << 1.0 << 400.0 << 8.0;
    QTest::newRow("two 4-core nodes (scale out)") << 2 << 4 << 1.0 << 400.0 << 8.0;
    QTest::newRow("one 4-core node twice as fast") << 1 << 4 << 2.0 << 400.0 << 8.0;
}

void TestCoordination::coresAndSpeedSetCapacity()
{
    QFETCH(int, nodes);
    QFETCH(int, cores);
    QFETCH(double, speed);
    QFETCH(double, expected);
    QFETCH(double, price);
    EngineConfig cfg = clusterConfig(nodes, Coordination::None, 0, 0);
    cfg.nodes.capacity = cores;
    cfg.nodes.speed = speed;
    cfg.nodes.serviceMs = 20;
    cfg.traffic.clients = 64;
    Engine e(cfg);
    e.start();
    QVERIFY(test::waitForRunTime(e, kWarmupS + kMeasureS + 0.15, 60));
    const auto ticks = e.timeline();
    const double x = throughputBetween(ticks, kWarmupS, kWarmupS + kMeasureS);
    QVERIFY2(std::abs(x / expected - 1) <= 0.05, qPrintable(QStringLiteral("%1 per second").arg(x)));
    QCOMPARE(ticks.back().app->price, price);
    QCOMPARE(ticks.back().app->cores, nodes * cores);
    QVERIFY(e.stopAndDrain().audit.invariantsOk);
}

// Scale up live: node 0 (4 cores) is replaced by node 1 (8 cores); node 0 drains and goes, and
// the throughput doubles.
void TestCoordination::resizeReplacesTheNode()
{
    EngineConfig cfg = clusterConfig(1, Coordination::None, 0, 0);
    cfg.nodes.capacity = 4;
    cfg.nodes.serviceMs = 20;
    cfg.traffic.clients = 64;
    Engine e(cfg);
    e.start();
    QVERIFY(test::waitForRunTime(e, 1.0, 30));
    const auto r = e.resizeNode(0, 8);
    QVERIFY2(r.ok, r.error.c_str());
    const double at = e.snapshot()->t;
    const auto s = test::waitFor(
        e, [](const Snapshot &x) { return x.app && !test::findNode(x, 0) && upNodeWithCores(x, 8); }, 30);
    QVERIFY2(s, "node 0 drained and removed, an 8-core node up");
    QVERIFY(test::waitForRunTime(e, at + 1.6, 30));
    const auto ticks = e.timeline();
    const double before = throughputBetween(ticks, 0.3, 1.0), after = throughputBetween(ticks, at + 0.5, at + 1.5);
    QVERIFY2(std::abs(before / 200 - 1) < 0.05 && std::abs(after / 400 - 1) < 0.05,
        qPrintable(QStringLiteral("%1 then %2 per second").arg(before).arg(after)));
    bool marked = false;
    for (const auto &m : e.markers())
        marked = marked || m.label.find("node 0 resized") != std::string::npos;
    QVERIFY(marked);
    QVERIFY(e.stopAndDrain().audit.invariantsOk);
}

// The only node dies: nothing is answered until its replacement is up for_s later; then the
// replacement (same size) serves as before.
void TestCoordination::aKilledNodeComesBackAfterForS()
{
    EngineConfig cfg = clusterConfig(1, Coordination::None, 0, 0);
    cfg.nodes.capacity = 4;
    cfg.nodes.serviceMs = 20;
    cfg.traffic.mode = TrafficMode::Open;
    cfg.traffic.ratePerS = 100;
    Engine e(cfg);
    e.start();
    QVERIFY(test::waitForRunTime(e, 0.5, 30));
    TimedEvent kill;
    kill.kind = EventKind::KillNode;
    kill.node = 0;
    kill.forS = 1.0;
    const auto r = e.command(kill);
    QVERIFY2(r.ok, r.error.c_str());
    const auto killed = test::nextTick(e, 10);
    QVERIFY(killed);
    const double at = killed->t; // within a tick after the kill
    QVERIFY(!upNodeWithCores(*killed, 4));
    const auto s = test::waitFor(
        e, [](const Snapshot &x) { return x.app && upNodeWithCores(x, 4); }, 30);
    QVERIFY2(s, "a 4-core node is up again");
    QVERIFY2(s->t >= at + 1.0 - 0.1 - 1e-9 && s->t <= at + 1.0 + 0.25,
        qPrintable(QStringLiteral("killed by %1, back at %2").arg(at).arg(s->t)));
    QVERIFY(upNodeWithCores(*s, 4)->id != 0); // a replacement: the dead node's id is not reused
    QVERIFY(test::waitForRunTime(e, s->t + 1.0, 30));
    const auto ticks = e.timeline();
    QCOMPARE(throughputBetween(ticks, at + 0.2, at + 0.9), 0.0); // down: every request fails
    QVERIFY(throughputBetween(ticks, s->t + 0.3, s->t + 1.0) > 80); // 100 offered, all served
    QVERIFY(e.stopAndDrain().audit.drained);
}

// Requests waiting for the cluster lock on a node that dies are failed as they are granted, and
// what they held goes back: the other nodes keep coordinating and serving.
void TestCoordination::aFailureReleasesTheClusterLock()
{
    EngineConfig cfg = clusterConfig(4, Coordination::Serial, 2, 0);
    cfg.traffic.clients = 64;
    Engine e(cfg);
    e.start();
    QVERIFY(test::waitForRunTime(e, 0.5, 30));
    QVERIFY(e.killNode(0).ok);
    QVERIFY(e.killNode(1).ok);
    const double at = e.snapshot()->t;
    QVERIFY(test::waitForRunTime(e, at + 1.2, 30));
    const auto ticks = e.timeline();
    // Two one-core nodes with 2 ms of 12 held exclusively: 2 / (10 + 2·2) per ms, 143 per second.
    const double after = throughputBetween(ticks, at + 0.4, at + 1.2);
    QVERIFY2(std::abs(after / (2000.0 / 14) - 1) < 0.1, qPrintable(QStringLiteral("%1 per second").arg(after)));
    const auto result = e.stopAndDrain();
    QVERIFY(result.audit.drained);
    QVERIFY(result.audit.invariantsOk);
}

void TestCoordination::badSizesAreRefused_data()
{
    QTest::addColumn<int>("kind"); // EventKind
    QTest::addColumn<int>("node");
    QTest::addColumn<int>("cores");
    QTest::addColumn<double>("speed");
    QTest::addColumn<QString>("message");
    QTest::newRow("resize a node that is not there")
        << int(EventKind::ResizeNode) << 7 << 8 << 0.0 << QStringLiteral("resize node 7: no such node is up");
    QTest::newRow("resize to too many cores")
        << int(EventKind::ResizeNode) << 0 << 200000 << 0.0 << QStringLiteral("resize node: cores must be");
    QTest::newRow("add nodes at speed 1000")
        << int(EventKind::AddNodes) << -1 << 0 << 1000.0 << QStringLiteral("add node: speed must be");
}

void TestCoordination::badSizesAreRefused()
{
    QFETCH(int, kind);
    QFETCH(int, node);
    QFETCH(int, cores);
    QFETCH(double, speed);
    QFETCH(QString, message);
    Engine e(clusterConfig(2, Coordination::None, 0, 0));
    e.start();
    TimedEvent ev;
    ev.kind = EventKind(kind);
    if (node >= 0)
        ev.node = node;
    ev.cores = cores;
    ev.speed = speed;
    const auto r = e.command(ev);
    QVERIFY(!r.ok);
    QVERIFY2(QString::fromStdString(r.error).startsWith(message), r.error.c_str());
    const auto s = test::nextTick(e, 10);
    QVERIFY(s);
    QCOMPARE(s->app->nodes.size(), std::size_t(2)); // nothing changed
    e.stopAndDrain();
}

QTEST_GUILESS_MAIN(TestCoordination)
#include "tst_coordination.moc"
