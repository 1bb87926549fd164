// Modeled time is exact, whatever the machine does meanwhile (core/shard.h "Time"): a modeled
// stage ends at its due time however late its thread wakes, a hand-over continues at the time of
// the step that made it, and a closed-loop client sends again at its answer's time. Contention
// that is real stays real: at closed-loop max with every latency 0, the latency is the engine's.
//
// Each row runs once quiet and once with a spinning thread on every core, which delays every
// wake-up; the asserted figures are ratios to the modeled value (histogram buckets are 0.7 %
// wide), never absolute times. The run length only sets how many requests are measured.

#include "engine.h"

#include "enginewait.h"

#include <QTest>

#include <algorithm>
#include <atomic>
#include <cmath>
#include <thread>
#include <vector>

using namespace stampede;

Q_DECLARE_METATYPE(stampede::Strategy)
Q_DECLARE_METATYPE(stampede::TrafficMode)

namespace {

constexpr double kRunS = 2.0; // run time measured per row
constexpr double kDeadlineS = 60.0; // bounds a failure only

// Threads that spin on every core until destroyed: the busy laptop of the issue.
class Competitors {
public:
    explicit Competitors(int n)
    {
        for (int i = 0; i < n; ++i)
            m_threads.emplace_back([this] {
                std::uint64_t x = 1;
                while (!m_stop.load(std::memory_order_relaxed))
                    x = x * 6364136223846793005ULL + 1442695040888963407ULL;
                m_sink.fetch_add(x, std::memory_order_relaxed);
            });
    }
    ~Competitors()
    {
        m_stop.store(true);
        for (auto &t : m_threads)
            t.join();
    }
    Competitors(const Competitors &) = delete;
    Competitors &operator=(const Competitors &) = delete;

private:
    std::atomic<bool> m_stop { false };
    std::atomic<std::uint64_t> m_sink { 0 };
    std::vector<std::thread> m_threads;
};

int cores() { return static_cast<int>(std::max(1u, std::thread::hardware_concurrency())); }

EngineConfig modeledConfig(
    Strategy strategy, TrafficMode mode, double rateOrClients, double serviceMs, double latencyMs, double writeMs)
{
    EngineConfig c;
    c.name = "timing";
    c.threads = 2;
    c.strategy = strategy;
    c.stock = kMaxStock; // never sells out
    c.traffic.mode = mode;
    if (mode == TrafficMode::Open)
        c.traffic.ratePerS = rateOrClients;
    else
        c.traffic.clients = static_cast<int>(rateOrClients);
    c.nodes.count = 4;
    c.nodes.capacity = 1000; // nothing queues at a node
    c.nodes.serviceMs = serviceMs;
    c.store.latencyMs = latencyMs;
    c.store.writeMs = writeMs;
    return c;
}

RunResult runFor(const EngineConfig &c, double runS)
{
    Engine e(c);
    e.start();
    if (!test::waitForRunTime(e, runS, kDeadlineS))
        qFatal("the run's clock did not reach %g s", runS);
    return e.stopAndDrain(kDeadlineS);
}

QString within(const char *what, double measured, double modeled, double tolerance)
{
    return QStringLiteral("%1 %2 against %3 modeled (tolerance %4 %)")
        .arg(QString::fromLatin1(what))
        .arg(measured)
        .arg(modeled)
        .arg(tolerance * 100);
}

} // namespace

class TestTiming : public QObject {
    Q_OBJECT

private slots:
    void openLoopLatencyIsTheModel_data();
    void openLoopLatencyIsTheModel();
    void lockHoldIsTheModel_data();
    void lockHoldIsTheModel();
    void closedLoopRateIsTheModel_data();
    void closedLoopRateIsTheModel();
    void closedLoopMaxLatencyIsReal();
};

void TestTiming::openLoopLatencyIsTheModel_data()
{
    QTest::addColumn<double>("rate");
    QTest::addColumn<double>("serviceMs");
    QTest::addColumn<double>("latencyMs");
    QTest::addColumn<bool>("busy");
    QTest::newRow("2 k/s, 1 ms") << 2000.0 << 0.0 << 1.0 << false;
    QTest::newRow("2 k/s, 1 ms, busy cores") << 2000.0 << 0.0 << 1.0 << true;
    QTest::newRow("20 k/s, 0.5 + 1 ms") << 20000.0 << 0.5 << 1.0 << false;
    QTest::newRow("20 k/s, 0.5 + 1 ms, busy cores") << 20000.0 << 0.5 << 1.0 << true;
}

// atomic, no commit hold: a purchase is the node's service time plus one store round trip.
void TestTiming::openLoopLatencyIsTheModel()
{
    QFETCH(double, rate);
    QFETCH(double, serviceMs);
    QFETCH(double, latencyMs);
    QFETCH(bool, busy);
    const auto c = modeledConfig(Strategy::Atomic, TrafficMode::Open, rate, serviceMs, latencyMs, 0);
    Competitors hog(busy ? cores() : 0);
    const RunResult r = runFor(c, kRunS);
    const double modeled = serviceMs + latencyMs;
    QVERIFY2(r.final.succeeded > static_cast<std::int64_t>(rate * kRunS * 0.5), "too few purchases measured");
    QVERIFY2(std::abs(r.final.p50Ms / modeled - 1) <= 0.01, qPrintable(within("p50", r.final.p50Ms, modeled, 0.01)));
    QVERIFY2(std::abs(r.final.p99Ms / modeled - 1) <= 0.05, qPrintable(within("p99", r.final.p99Ms, modeled, 0.05)));
    QVERIFY2(r.final.maxMs <= modeled * 1.05, qPrintable(within("max", r.final.maxMs, modeled, 0.05)));
}

void TestTiming::lockHoldIsTheModel_data()
{
    QTest::addColumn<bool>("busy");
    QTest::newRow("quiet") << false;
    QTest::newRow("busy cores") << true;
}

// row-lock holds its row from the grant through a read and the write's round trip plus the
// commit hold (2 x latency + write), and a waiter is granted at the holder's release: every hold
// is exact, with a queue at the row and threads handing the lock across cores.
void TestTiming::lockHoldIsTheModel()
{
    QFETCH(bool, busy);
    constexpr double kLatencyMs = 0.2, kWriteMs = 0.1;
    const auto c = modeledConfig(Strategy::RowLock, TrafficMode::Open, 1500, 0, kLatencyMs, kWriteMs);
    Competitors hog(busy ? cores() : 0);
    const RunResult r = runFor(c, kRunS);
    const double hold = 2 * kLatencyMs + kWriteMs; // 0.5 ms: the row is busy 75 % of the time
    double holdSum = 0, waitSum = 0;
    int ticks = 0;
    for (const auto &x : r.timeline) {
        if (!x.store || x.store->lockHoldMeanMs <= 0)
            continue;
        holdSum += x.store->lockHoldMeanMs;
        waitSum += x.store->lockWaitMeanMs;
        ++ticks;
    }
    QVERIFY2(ticks >= 5, "too few ticks with a released lock");
    const double meanHold = holdSum / ticks;
    QVERIFY2(std::abs(meanHold / hold - 1) <= 0.01, qPrintable(within("mean lock hold", meanHold, hold, 0.01)));
    QVERIFY2(waitSum > 0, "at 75 % utilisation requests should wait for the row");
    // A purchase is its wait plus the hold plus the node's part: never less than the hold.
    QVERIFY2(r.final.p50Ms >= hold * 0.99, qPrintable(within("p50", r.final.p50Ms, hold, 0.01)));
}

void TestTiming::closedLoopRateIsTheModel_data()
{
    QTest::addColumn<bool>("busy");
    QTest::newRow("quiet") << false;
    QTest::newRow("busy cores") << true;
}

// 16 clients, each answered 1 ms after it sends and sending again at once: 16 000 attempts per
// second of run time, exactly, because a client sends at its answer's modeled time rather than
// when its thread got round to it.
void TestTiming::closedLoopRateIsTheModel()
{
    QFETCH(bool, busy);
    constexpr int kClients = 16;
    constexpr double kLatencyMs = 1.0;
    const auto c = modeledConfig(Strategy::Atomic, TrafficMode::Closed, kClients, 0, kLatencyMs, 0);
    Competitors hog(busy ? cores() : 0);
    const RunResult r = runFor(c, kRunS);
    const double modeled = kClients / (kLatencyMs * 1e-3);
    const double measured = static_cast<double>(r.final.attempts) / r.trafficS;
    QVERIFY2(std::abs(measured / modeled - 1) <= 0.03, qPrintable(within("attempts/s", measured, modeled, 0.03)));
    QVERIFY2(
        std::abs(r.final.p50Ms / kLatencyMs - 1) <= 0.01, qPrintable(within("p50", r.final.p50Ms, kLatencyMs, 0.01)));
}

// Nothing is modeled at closed-loop max with every latency 0: each attempt's latency is the
// engine's own work, read from the clock, and the clients' rate is what the cores can do.
void TestTiming::closedLoopMaxLatencyIsReal()
{
    const auto c = modeledConfig(Strategy::Atomic, TrafficMode::Closed, 64, 0, 0, 0);
    const RunResult r = runFor(c, 1.0);
    QVERIFY2(r.final.attempts > 0, "no attempts");
    QVERIFY2(r.final.p50Ms > 0, "a real attempt takes time: its latency cannot be 0");
    QVERIFY2(r.final.p99Ms >= r.final.p50Ms, "quantiles out of order");
    // Little's law: the 64 clients are in flight all the time, so rate x mean latency = 64, and
    // the mean is at most the max. Half of that bound allows for the start, before every client
    // has sent.
    const double rate = static_cast<double>(r.final.attempts) / r.trafficS;
    QVERIFY2(rate * r.final.maxMs * 1e-3 >= 64 * 0.5,
        qPrintable(QStringLiteral("rate %1/s with max latency %2 ms cannot keep 64 clients busy")
                       .arg(rate)
                       .arg(r.final.maxMs)));
}

QTEST_GUILESS_MAIN(TestTiming)
#include "tst_timing.moc"
