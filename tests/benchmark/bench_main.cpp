// stampede_bench: measures the engine against DESIGN.md "Performance targets" and against the
// limits of the machine it runs on. Not a test: it is never run by CTest, its verdicts do not
// change its exit code, and its numbers mean something only on a quiet machine.
//
//   stampede_bench [--quick] [--json FILE] [--only SECTION,...] [--seconds N]
//
// Sections, in the order they run: raw, engine, modeled, efficiency, fanout, redis, realstore,
// window, memory.
// The table goes to stdout, progress to stderr, and --json writes the same rows with a
// description of the machine.

#include "benchreport.h"
#include "busycore.h"
#include "enginebench.h"
#include "fanoutbench.h"
#include "rawlimits.h"
#include "realstorebench.h"
#include "redisbench.h"
#ifdef STAMPEDE_BENCH_HAVE_UI
#include "windowbench.h"
#include <QApplication>
#endif

#include <QCommandLineParser>
#include <QCoreApplication>
#include <QDateTime>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <csignal>
#include <cstdio>
#include <map>
#include <memory>
#include <optional>
#include <thread>

using namespace Qt::StringLiterals;
using namespace stampede;
using namespace stampede::bench;

namespace {

const QStringList kSections { u"raw"_s, u"engine"_s, u"modeled"_s, u"efficiency"_s, u"fanout"_s, u"redis"_s,
    u"realstore"_s, u"window"_s, u"memory"_s };

// DESIGN.md "Performance targets"
constexpr double kTargetClosedLoop = 10e6; // attempts/s for atomic and sharded, 2 cores
constexpr double kTargetModeledRate = 1e6; // arrivals/s
constexpr double kTargetLatencyTolerance = 0.05;
constexpr double kTargetAchieved = 0.97; // of the offered rate
constexpr double kTargetStallP99Ms = 20;
constexpr double kTargetGrowthMb = 10;
// Issue 12 ("efficiency" section)
constexpr double kTargetShardedTwoThreads = 25e6; // attempts/s
constexpr double kTargetShardedScaling = 1.7; // 2 threads over 1
constexpr double kTargetP50Tolerance = 0.01; // of the modeled latency
constexpr double kTargetP99Tolerance = 0.05;
const std::vector<double> kEfficiencyRates { 1e3, 3e3, 30e3, 300e3, 1e6, 2e6 };
double cpuTargetAt(double rate) { return rate == 3e3 ? 0.10 : rate == 30e3 ? 0.5 : 0.0; } // cores; 0: none
struct LessonCpuTarget {
    const char *preset;
    double cores;
};
constexpr LessonCpuTarget kLessonCpuTargets[] { { "black-friday-naive", 0.35 }, { "cache-stampede", 0.5 } };

constexpr double kWarmupS = 0.5;
constexpr double kModeledWarmupS = 1.0; // the delay queues settle more slowly than a closed loop

struct Options {
    bool quick = false;
    QString jsonFile;
    QStringList only;
    double seconds = 3; // measured window of each engine/raw/modeled/redis row
    double memorySeconds = 600;
    double windowSeconds = 10;
    int threads = 0; // engine threads; 0 = hardware concurrency
    std::vector<double> rates { 50e3, 100e3, 200e3, 400e3, 700e3, 1e6, 1.5e6, 2e6 }; // modeled probes
    std::vector<Strategy> strategies { Strategy::Atomic, Strategy::Sharded, Strategy::RowLock, Strategy::Naive };
    bool scaling = true; // engine section: also 1 and 2 threads
    QStringList fanoutParts; // fanout section: only these parts (empty: all)
    int fanoutPosts = 0; // fanout section: timed pushes per push row (0: 3 quick, 5 otherwise)
};

QString strategyName(Strategy s) { return QString::fromLatin1(toString(s).data(), qsizetype(toString(s).size())); }

QString percentOf(double value, double limit)
{
    if (!(limit > 0))
        return {};
    return QString::number(100.0 * value / limit, 'f', 1) + u" %"_s;
}

class Bench {
public:
    explicit Bench(const Options &o)
        : m_o(o)
        , m_threads(o.threads > 0 ? o.threads : std::max(1, static_cast<int>(std::thread::hardware_concurrency())))
    {
    }

    bool wants(const QString &section) const { return m_o.only.isEmpty() || m_o.only.contains(section); }

    void runAll()
    {
        if (wants(u"raw"_s))
            raw();
        if (wants(u"engine"_s))
            engine();
        if (wants(u"modeled"_s))
            modeled();
        if (wants(u"efficiency"_s))
            efficiency();
        if (wants(u"fanout"_s))
            fanout();
        if (wants(u"redis"_s))
            redis();
        if (wants(u"realstore"_s))
            realStore();
        if (wants(u"window"_s))
            window();
        if (wants(u"memory"_s))
            memory();
    }

    const std::vector<Row> &rows() const { return m_rows; }
    int threads() const { return m_threads; }

private:
    void add(Row r) { m_rows.push_back(std::move(r)); }
    // A row whose run failed: it counts as a miss and says why.
    void addError(Row r, const QString &why)
    {
        r.verdict = Verdict::Error;
        r.measured = u"error"_s;
        r.note = why;
        add(std::move(r));
    }

    // ---------------------------------------------------------------- raw
    void raw()
    {
        progress(u"[raw] %1 threads, %2 s per kind"_s.arg(m_threads).arg(m_o.seconds));
        for (RawKind k : { RawKind::SharedFetchSub, RawKind::SharedCas, RawKind::PerCoreCas, RawKind::Mutex }) {
            const RawResult r = measureRaw(k, m_threads, m_o.seconds);
            m_raw[k] = r.opsPerS;
            Row row;
            row.section = u"raw"_s;
            row.name = u"raw: %1, %2 threads"_s.arg(rawName(k)).arg(m_threads);
            row.value = r.opsPerS;
            row.unit = u"ops/s"_s;
            row.measured = formatRate(r.opsPerS);
            row.note = describe(r.cpu);
            if (k == RawKind::SharedCas || k == RawKind::PerCoreCas)
                row.note += u"; %1 CAS retries per decrement"_s.arg(r.casFailuresPerOp, 0, 'f', 3);
            if (r.cpu.processCores < 0.9 * m_threads)
                row.note += u"; THREADS DID NOT RUN AT ONCE (busy machine)"_s;
            row.extra = QJsonObject { { u"threads"_s, r.threads }, { u"seconds"_s, r.seconds },
                { u"cas_retries_per_op"_s, r.casFailuresPerOp }, { u"cpu"_s, toJson(r.cpu) } };
            progress(u"  %1: %2"_s.arg(row.name, row.measured));
            add(row);
        }
        // One core alone: what a decrement costs without any contention.
        const RawResult one = measureRaw(RawKind::SharedCas, 1, std::min(m_o.seconds, 1.0));
        m_rawOneThread = one.opsPerS;
        Row row;
        row.section = u"raw"_s;
        row.name = u"raw: CAS decrement, 1 thread (uncontended)"_s;
        row.value = one.opsPerS;
        row.unit = u"ops/s"_s;
        row.measured = formatRate(one.opsPerS);
        row.extra = QJsonObject { { u"threads"_s, 1 }, { u"seconds"_s, one.seconds } };
        progress(u"  %1: %2"_s.arg(row.name, row.measured));
        add(row);

        const double clock = measureClockReads(std::min(m_o.seconds, 1.0));
        Row c;
        c.section = u"raw"_s;
        c.name = u"raw: steady_clock::now(), 1 thread"_s;
        c.value = clock;
        c.unit = u"calls/s"_s;
        c.measured = formatRate(clock);
        c.note = u"%1 ns per call; the engine reads it twice per attempt"_s.arg(1e9 / clock, 0, 'f', 1);
        progress(u"  %1: %2 (%3)"_s.arg(c.name, c.measured, c.note));
        add(c);
    }

    // ---------------------------------------------------------------- engine
    EngineRun closedLoop(Strategy s, int threads)
    {
        const EngineRun r = runEngine(closedLoopConfig(s, threads), kWarmupS, m_o.seconds);
        progress(u"  %1, %2 threads: %3 (%4)"_s.arg(strategyName(s))
                     .arg(threads)
                     .arg(r.ok ? formatRate(r.attemptsPerS) : QString::fromStdString(r.error), describe(r.cpu)));
        if (r.ok && s == Strategy::Atomic && threads == m_threads)
            m_engineAtomic = r.attemptsPerS;
        return r;
    }

    Row engineRow(Strategy s, const EngineRun &r, const QString &name)
    {
        Row row;
        row.section = u"engine"_s;
        row.name = name;
        row.unit = u"attempts/s"_s;
        if (!r.ok) {
            row.verdict = Verdict::Error;
            row.measured = u"error"_s;
            row.note = QString::fromStdString(r.error);
            return row;
        }
        row.value = r.attemptsPerS;
        row.measured = formatRate(r.attemptsPerS);
        row.extra = QJsonObject { { u"strategy"_s, strategyName(s) }, { u"threads"_s, r.threads },
            { u"clients"_s, kClients }, { u"window_s"_s, r.windowS }, { u"answered_per_s"_s, r.answeredPerS },
            { u"run_p50_ms"_s, r.p50Ms }, { u"run_p99_ms"_s, r.p99Ms }, { u"invariants_ok"_s, r.invariantsOk },
            { u"oversold"_s, qint64(r.oversold) }, { u"lost_updates"_s, qint64(r.lostUpdates) },
            { u"warmup_p50_ms"_s, r.warmupP50Ms }, { u"warmup_p99_ms"_s, r.warmupP99Ms }, { u"cpu"_s, toJson(r.cpu) } };
        return row;
    }

    void engine()
    {
        progress(u"[engine] closed-loop max, %1 clients, latencies 0, %2 s per run"_s.arg(kClients).arg(m_o.seconds));
        struct Kind {
            Strategy strategy;
            RawKind raw;
            QString rawLabel;
            bool targeted;
        };
        const std::vector<Kind> kinds {
            { Strategy::Atomic, RawKind::SharedCas, u"shared CAS"_s, true },
            { Strategy::Sharded, RawKind::PerCoreCas, u"per-core CAS"_s, true },
            { Strategy::RowLock, RawKind::Mutex, u"mutex"_s, false },
            { Strategy::Naive, RawKind::SharedFetchSub, u"fetch_sub"_s, false },
        };
        std::map<Strategy, double> rate;
        for (const Kind &k : kinds) {
            if (std::find(m_o.strategies.begin(), m_o.strategies.end(), k.strategy) == m_o.strategies.end())
                continue;
            const EngineRun r = closedLoop(k.strategy, m_threads);
            Row row = engineRow(k.strategy, r,
                u"engine %1, closed-loop max, %2 threads"_s.arg(strategyName(k.strategy)).arg(m_threads));
            if (k.targeted)
                row.target = u">= 10 M/s"_s;
            if (r.ok) {
                rate[k.strategy] = r.attemptsPerS;
                if (k.targeted)
                    row.verdict = judge(r.attemptsPerS, kTargetClosedLoop);
                const auto lim = m_raw.find(k.raw);
                if (lim != m_raw.end()) {
                    row.note = percentOf(r.attemptsPerS, lim->second) + u" of raw "_s + k.rawLabel;
                    row.extra.insert(u"raw_limit_kind"_s, rawName(k.raw));
                    row.extra.insert(u"raw_limit_ops_per_s"_s, lim->second);
                    row.extra.insert(u"ratio_to_raw"_s, r.attemptsPerS / lim->second);
                } else {
                    row.note = u"raw section not run: no ratio"_s;
                }
                if (k.strategy == Strategy::Naive)
                    row.note += u"; %1 lost updates"_s.arg(r.lostUpdates);
                row.note += u"; "_s + describe(r.cpu);
            }
            add(row);
        }
        if (rate.count(Strategy::Atomic) && rate.count(Strategy::Sharded)) {
            const double x = rate[Strategy::Sharded] / rate[Strategy::Atomic];
            Row row;
            row.section = u"engine"_s;
            row.name = u"engine sharded / atomic"_s;
            row.value = x;
            row.unit = u"x"_s;
            row.measured = formatRatio(x);
            row.target = u">= 1.00 x"_s;
            row.verdict = judge(x, 1.0);
            add(row);
        }
        // Scaling: the same two strategies on 1 and 2 engine threads.
        for (Strategy s : { Strategy::Atomic, Strategy::Sharded }) {
            if (!m_o.scaling || std::find(m_o.strategies.begin(), m_o.strategies.end(), s) == m_o.strategies.end())
                continue;
            for (int t : { 1, 2 }) {
                if (t == m_threads)
                    continue; // that is the row above
                const EngineRun r = closedLoop(s, t);
                Row row = engineRow(s, r,
                    u"engine %1, closed-loop max, %2 thread%3"_s.arg(strategyName(s))
                        .arg(t)
                        .arg(t > 1 ? u"s"_s : QString()));
                if (r.ok && rate.count(s))
                    row.note = u"%1 of the %2-thread rate; %3"_s.arg(percentOf(r.attemptsPerS, rate[s]))
                                   .arg(m_threads)
                                   .arg(describe(r.cpu));
                add(row);
            }
        }
    }

    // ---------------------------------------------------------------- modeled
    void modeled()
    {
        progress(u"[modeled] atomic, open loop, store latency %1 ms, %2 s per rate"_s.arg(kModeledLatencyMs)
                     .arg(m_o.seconds));
        std::optional<double> best;
        for (double rate : m_o.rates) {
            const EngineRun r
                = runEngine(modeledConfig(Strategy::Atomic, m_threads, rate), kModeledWarmupS, m_o.seconds);
            Row row;
            row.section = u"modeled"_s;
            row.name = u"modeled: %1 offered, p50"_s.arg(formatRate(rate));
            row.unit = u"ms"_s;
            row.target = u"<= %1 ms, >= 97 %"_s.arg(kModeledLatencyMs * (1 + kTargetLatencyTolerance), 0, 'f', 2);
            if (!r.ok) {
                addError(row, QString::fromStdString(r.error));
                continue;
            }
            const double achieved = r.attemptsPerS / rate;
            const bool latencyOk = std::abs(r.p50Ms - kModeledLatencyMs) <= kModeledLatencyMs * kTargetLatencyTolerance;
            const bool rateOk = achieved >= kTargetAchieved;
            row.value = r.p50Ms;
            row.measured = formatMs(r.p50Ms);
            row.verdict = latencyOk && rateOk ? Verdict::ProbeOk : Verdict::ProbeOut;
            row.note = u"achieved %1 (%2), p99 %3; %4"_s.arg(
                formatRate(r.attemptsPerS), percentOf(r.attemptsPerS, rate), formatMs(r.p99Ms), describe(r.cpu));
            row.extra = QJsonObject { { u"offered_per_s"_s, rate }, { u"achieved_per_s"_s, r.attemptsPerS },
                { u"achieved_fraction"_s, achieved }, { u"answered_per_s"_s, r.answeredPerS }, { u"p50_ms"_s, r.p50Ms },
                { u"p99_ms"_s, r.p99Ms }, { u"worst_tick_p99_ms"_s, r.worstTickP99Ms },
                { u"warmup_p50_ms"_s, r.warmupP50Ms }, { u"warmup_p99_ms"_s, r.warmupP99Ms },
                { u"modeled_latency_ms"_s, kModeledLatencyMs }, { u"threads"_s, r.threads },
                { u"window_s"_s, r.windowS }, { u"cpu"_s, toJson(r.cpu) } };
            progress(u"  %1: p50 %2, %3"_s.arg(formatRate(rate), formatMs(r.p50Ms), row.note));
            if (row.verdict == Verdict::ProbeOk)
                best = std::max(best.value_or(0.0), rate);
            add(row);
        }
        Row row;
        row.section = u"modeled"_s;
        row.name = u"modeled: highest rate within 5 % of 1 ms"_s;
        row.unit = u"arrivals/s"_s;
        row.target = u">= 1 M/s"_s;
        row.value = best.value_or(0.0);
        row.measured = best ? formatRate(*best) : u"none"_s;
        row.verdict = judge(best.value_or(0.0), kTargetModeledRate);
        row.note = u"probed up to %1 (the engine's kMaxRatePerS: %2)"_s.arg(
            formatRate(m_o.rates.empty() ? 0.0 : *std::max_element(m_o.rates.begin(), m_o.rates.end())),
            formatRate(kMaxRatePerS));
        add(row);
    }

    // ---------------------------------------------------------------- efficiency
    // What the engine costs for the work it does, how exact its modeled latencies stay when
    // another program takes a core, and whether its second thread makes it faster.
    void efficiency()
    {
        efficiencyScaling();
        efficiencyRates(false);
        efficiencyRates(true);
        efficiencyWindow();
    }

    Row efficiencyRow(const QString &name, const QString &unit)
    {
        Row row;
        row.section = u"efficiency"_s;
        row.name = name;
        row.unit = unit;
        return row;
    }

    void efficiencyScaling()
    {
        progress(u"[efficiency] closed-loop max on 1 and 2 engine threads, %1 s per run"_s.arg(m_o.seconds));
        for (Strategy s : m_o.strategies) {
            const EngineRun one = closedLoop(s, 1);
            const EngineRun two = closedLoop(s, 2);
            const QString name = strategyName(s);
            if (!one.ok || !two.ok) {
                Row row = efficiencyRow(u"efficiency: %1, 2 / 1 threads"_s.arg(name), u"x"_s);
                addError(row, QString::fromStdString(one.ok ? two.error : one.error));
                continue;
            }
            const double x = two.attemptsPerS / one.attemptsPerS;
            Row ratio = efficiencyRow(u"efficiency: %1, 2 / 1 threads"_s.arg(name), u"x"_s);
            ratio.value = x;
            ratio.measured = formatRatio(x);
            ratio.note = u"1 thread %1, 2 threads %2; cpu 2 threads: %3"_s.arg(
                formatRate(one.attemptsPerS), formatRate(two.attemptsPerS), describe(two.cpu));
            ratio.extra = QJsonObject { { u"strategy"_s, name }, { u"one_thread_per_s"_s, one.attemptsPerS },
                { u"two_threads_per_s"_s, two.attemptsPerS }, { u"cpu_one"_s, toJson(one.cpu) },
                { u"cpu_two"_s, toJson(two.cpu) } };
            if (s == Strategy::Sharded) {
                ratio.target = u">= %1 x"_s.arg(kTargetShardedScaling, 0, 'f', 2);
                ratio.verdict = judge(x, kTargetShardedScaling);
            }
            add(ratio);
            if (s == Strategy::Sharded || s == Strategy::Atomic) {
                const double target = s == Strategy::Sharded ? kTargetShardedTwoThreads : kTargetClosedLoop;
                Row rate = efficiencyRow(u"efficiency: %1, 2 threads"_s.arg(name), u"attempts/s"_s);
                rate.value = two.attemptsPerS;
                rate.measured = formatRate(two.attemptsPerS);
                rate.target = u">= %1"_s.arg(formatRate(target));
                rate.verdict = judge(two.attemptsPerS, target);
                rate.note = describe(two.cpu);
                add(rate);
            }
        }
    }

    // Atomic, open loop, store round trip 1 ms, no service time and no commit hold (the issue's
    // scenario) at each rate: the cores the process used and p50 / p99 against the model. With
    // `busy`, a process spins on core 0 meanwhile.
    void efficiencyRates(bool busy)
    {
        progress(u"[efficiency] open loop at 1 k to 2 M/s, modeled %1 ms%2, %3 s per rate"_s.arg(kModeledLatencyMs)
                     .arg(busy ? u", a busy process on core 0"_s : QString())
                     .arg(m_o.seconds));
        std::unique_ptr<BusyCore> hog;
        if (busy) {
            hog = std::make_unique<BusyCore>(0);
            if (!hog->running()) {
                Row row = efficiencyRow(u"efficiency: busy core"_s, QString());
                addError(row, u"could not start the busy process (fork failed)"_s);
                return;
            }
        }
        const QString condition = busy ? u"busy core 0"_s : u"quiet"_s;
        for (double rate : kEfficiencyRates) {
            const EngineRun r
                = runEngine(modeledConfig(Strategy::Atomic, m_threads, rate), kModeledWarmupS, m_o.seconds);
            const QString at = formatRate(rate);
            if (!r.ok) {
                Row row = efficiencyRow(u"efficiency: %1, %2"_s.arg(at, condition), u"ms"_s);
                addError(row, QString::fromStdString(r.error));
                continue;
            }
            const QJsonObject extra { { u"offered_per_s"_s, rate }, { u"achieved_per_s"_s, r.attemptsPerS },
                { u"p50_ms"_s, r.p50Ms }, { u"p99_ms"_s, r.p99Ms }, { u"worst_tick_p99_ms"_s, r.worstTickP99Ms },
                { u"modeled_latency_ms"_s, kModeledLatencyMs }, { u"busy_core"_s, busy }, { u"threads"_s, r.threads },
                { u"window_s"_s, r.windowS }, { u"cpu"_s, toJson(r.cpu) } };
            if (!busy) {
                Row cpu = efficiencyRow(u"efficiency: %1 open loop, cores used"_s.arg(at), u"cores"_s);
                cpu.value = r.cpu.processCores;
                cpu.measured = QString::number(r.cpu.processCores, 'f', 3) + u" cores"_s;
                if (const double t = cpuTargetAt(rate); t > 0) {
                    cpu.target = u"<= %1 cores"_s.arg(t, 0, 'f', 2);
                    cpu.verdict = judge(r.cpu.processCores, t, true);
                }
                cpu.note = u"achieved %1 (%2); %3"_s.arg(
                    formatRate(r.attemptsPerS), percentOf(r.attemptsPerS, rate), describe(r.cpu));
                cpu.extra = extra;
                add(cpu);
            }
            const bool p50Ok = std::abs(r.p50Ms / kModeledLatencyMs - 1) <= kTargetP50Tolerance;
            const bool p99Ok = std::abs(r.p99Ms / kModeledLatencyMs - 1) <= kTargetP99Tolerance;
            Row fid = efficiencyRow(u"efficiency: %1, %2: p50 / p99"_s.arg(at, condition), u"ms"_s);
            fid.value = r.p99Ms;
            fid.measured = formatMs(r.p50Ms) + u" / "_s + formatMs(r.p99Ms);
            fid.target = u"1 ms +-1 % / +-5 %"_s;
            fid.verdict = p50Ok && p99Ok ? Verdict::Pass : Verdict::Miss;
            fid.note = u"worst tick p99 %1; %2"_s.arg(formatMs(r.worstTickP99Ms), describe(r.cpu));
            fid.extra = extra;
            progress(u"  %1, %2: %3 cores, p50 %4, p99 %5"_s.arg(at, condition)
                         .arg(r.cpu.processCores, 0, 'f', 3)
                         .arg(formatMs(r.p50Ms), formatMs(r.p99Ms)));
            add(fid);
        }
    }

    // The whole process (engine and window at its frame rate) while a lesson plays.
    void efficiencyWindow()
    {
        for (const auto &lesson : kLessonCpuTargets) {
            const QString preset = QString::fromLatin1(lesson.preset);
            Row row = efficiencyRow(u"efficiency: window, %1, cores used"_s.arg(preset), u"cores"_s);
            row.target = u"<= %1 cores"_s.arg(lesson.cores, 0, 'f', 2);
#ifdef STAMPEDE_BENCH_HAVE_UI
            progress(u"[efficiency] window (%1) playing %2, %3 s"_s.arg(QGuiApplication::platformName(), preset)
                         .arg(m_o.windowSeconds));
            const WindowCpuRun w = runWindowCpu(preset, 1.0, m_o.windowSeconds);
            if (!w.ok) {
                addError(row, w.error);
                continue;
            }
            row.value = w.cpu.processCores;
            row.measured = QString::number(w.cpu.processCores, 'f', 3) + u" cores"_s;
            row.verdict = judge(w.cpu.processCores, lesson.cores, true);
            row.note = u"%1 fps, platform %2, engine %3; %4"_s.arg(w.framesPerSecond, 0, 'f', 0)
                           .arg(QGuiApplication::platformName(), formatRate(w.engineAttemptsPerS), describe(w.cpu));
            row.extra = QJsonObject { { u"preset"_s, preset }, { u"frames_per_s"_s, w.framesPerSecond },
                { u"platform"_s, QGuiApplication::platformName() },
                { u"engine_attempts_per_s"_s, w.engineAttemptsPerS }, { u"cpu"_s, toJson(w.cpu) } };
            progress(u"  %1: %2"_s.arg(preset, row.measured + u", "_s + row.note));
#else
            row.verdict = Verdict::Skipped;
            row.measured = u"-"_s;
            row.note = u"window not built (configure with -DSTAMPEDE_BUILD_UI=ON)"_s;
#endif
            add(row);
        }
    }

    // ---------------------------------------------------------------- fanout
    // The celebrity fan-out workload (issue 13): fanoutbench.h says what each row measures.
    void fanout()
    {
        FanoutBenchOptions f;
        f.quick = m_o.quick;
        f.threads = m_threads;
        f.posts = m_o.fanoutPosts > 0 ? m_o.fanoutPosts : m_o.quick ? 3 : 5;
        f.modeledPosts = m_o.quick ? 1 : 2;
        f.sweepSeconds = m_o.seconds;
        f.parts = m_o.fanoutParts;
        runFanoutBench(f, [this](Row r) { add(std::move(r)); });
    }

    // ---------------------------------------------------------------- redis
    void redis()
    {
        progress(u"[redis] Lua conditional decrement, %1 connections"_s.arg(kClients));
        const std::vector<RedisLoad> loads { { kClients, 1, 1 }, { kClients, 16, 1 } };
        const RedisRun run = runRedis(loads, kWarmupS, m_o.seconds);
        Row row;
        row.section = u"redis"_s;
        row.unit = u"calls/s"_s;
        if (!run.available) {
            row.name = u"redis: Lua decrement"_s;
            row.verdict = Verdict::Skipped;
            row.measured = u"-"_s;
            row.note = u"redis-server not installed: skipped (apt-get install redis-server)"_s;
            progress(u"  "_s + row.note);
            add(row);
            return;
        }
        if (!run.started || run.loads.empty()) {
            row.name = u"redis: Lua decrement"_s;
            row.verdict = Verdict::Error;
            row.measured = u"error"_s;
            row.note = run.error;
            progress(u"  redis failed: "_s + run.error);
            add(row);
            return;
        }
        std::optional<double> unpipelined;
        for (const RedisLoadResult &l : run.loads) {
            Row r;
            r.section = u"redis"_s;
            r.unit = u"calls/s"_s;
            r.name = l.load.depth == 1
                ? u"redis %1: Lua decrement, %2 connections, 1 outstanding each"_s.arg(run.version)
                      .arg(l.load.connections)
                : u"redis %1: same, PIPELINED depth %2 (not comparable)"_s.arg(run.version).arg(l.load.depth);
            if (!l.ok) {
                r.verdict = Verdict::Error;
                r.measured = u"error"_s;
                r.note = l.error;
            } else {
                r.value = l.callsPerS;
                r.measured = formatRate(l.callsPerS);
                r.note = u"%1; redis-server used %2 cores, client %3"_s
                             .arg(l.consistent ? u"stock consistent"_s : u"STOCK INCONSISTENT"_s)
                             .arg(l.serverCores, 0, 'f', 2)
                             .arg(l.clientCores, 0, 'f', 2);
                if (l.load.depth == 1)
                    unpipelined = l.callsPerS;
            }
            r.extra = QJsonObject { { u"connections"_s, l.load.connections }, { u"pipeline_depth"_s, l.load.depth },
                { u"client_threads"_s, l.load.clientThreads }, { u"window_s"_s, l.windowS },
                { u"calls"_s, qint64(l.calls) }, { u"successes"_s, qint64(l.successes) },
                { u"errors"_s, qint64(l.errors) }, { u"stock_consistent"_s, l.consistent },
                { u"redis_server_cores"_s, l.serverCores }, { u"client_cores"_s, l.clientCores },
                { u"redis_version"_s, run.version }, { u"redis_binary"_s, run.binary } };
            progress(u"  %1: %2"_s.arg(r.name, r.measured));
            add(r);
        }
        if (!unpipelined)
            return;
        if (!m_engineAtomic) {
            progress(u"  (running the engine's atomic closed loop for the ratio)"_s);
            closedLoop(Strategy::Atomic, m_threads);
        }
        if (m_engineAtomic) {
            Row r;
            r.section = u"redis"_s;
            r.name = u"engine atomic / redis (same 64-way concurrency)"_s;
            r.value = *m_engineAtomic / *unpipelined;
            r.unit = u"x"_s;
            r.measured = formatRatio(*r.value);
            r.note = u"in-process engine vs a loopback TCP round trip per call"_s;
            add(r);
        }
    }

    // ---------------------------------------------------------------- realstore
    void realStore()
    {
        RealStoreOptions r;
        r.warmupS = kWarmupS;
        r.seconds = m_o.seconds;
        r.threads = m_threads;
        progress(u"[realstore] the model vs PostgreSQL, closed loop of %1 clients, %2 s per run"_s.arg(r.connections)
                     .arg(r.seconds));
        runRealStoreBench(r, [this](Row row) { add(std::move(row)); });
    }

    // ---------------------------------------------------------------- window
    void window()
    {
#ifdef STAMPEDE_BENCH_HAVE_UI
        progress(
            u"[window] main window (%1) + engine atomic closed-loop max, %2 s"_s.arg(QGuiApplication::platformName())
                .arg(m_o.windowSeconds));
        const WindowRun w = runWindowBench(m_threads, 1.0, m_o.windowSeconds);
        Row p50, p99;
        p50.section = p99.section = u"window"_s;
        p50.unit = p99.unit = u"ms"_s;
        p50.name = u"window: event-loop stall p50 (16 ms timer lateness)"_s;
        p99.name = u"window: event-loop stall p99"_s;
        p99.target = u"<= 20 ms"_s;
        if (!w.ok) {
            addError(p99, w.error);
            return;
        }
        p50.value = w.p50Ms;
        p50.measured = formatMs(w.p50Ms);
        p50.note = u"%1 samples, platform %2; %3"_s.arg(w.samples).arg(w.platform, describe(w.cpu));
        p99.value = w.p99Ms;
        p99.measured = formatMs(w.p99Ms);
        p99.verdict = judge(w.p99Ms, kTargetStallP99Ms, true);
        p99.note = u"max %1; engine at %2 meanwhile; window's own meter p99 %3, %4 fps"_s
                       .arg(formatMs(w.maxMs), formatRate(w.engineAttemptsPerS), formatMs(w.windowStallP99Ms))
                       .arg(w.framesPerSecond, 0, 'f', 0);
        const QJsonObject extra { { u"samples"_s, w.samples }, { u"platform"_s, w.platform }, { u"p50_ms"_s, w.p50Ms },
            { u"p99_ms"_s, w.p99Ms }, { u"max_ms"_s, w.maxMs }, { u"window_stall_meter_p99_ms"_s, w.windowStallP99Ms },
            { u"frames_per_s"_s, w.framesPerSecond }, { u"engine_attempts_per_s"_s, w.engineAttemptsPerS },
            { u"cpu"_s, toJson(w.cpu) } };
        p50.extra = p99.extra = extra;
        progress(u"  stall p50 %1, p99 %2, max %3; engine %4"_s.arg(
            formatMs(w.p50Ms), formatMs(w.p99Ms), formatMs(w.maxMs), formatRate(w.engineAttemptsPerS)));
        add(p50);
        add(p99);
#else
        Row row;
        row.section = u"window"_s;
        row.name = u"window: event-loop stall p99"_s;
        row.unit = u"ms"_s;
        row.target = u"<= 20 ms"_s;
        row.measured = u"-"_s;
        row.verdict = Verdict::Skipped;
        row.note = u"window not built (configure with -DSTAMPEDE_BUILD_UI=ON)"_s;
        progress(u"[window] "_s + row.note);
        add(row);
#endif
    }

    // ---------------------------------------------------------------- memory
    void memory()
    {
        const double rate = kTargetModeledRate; // DESIGN's memory target is at 1 M arrivals/s
        progress(u"[memory] atomic, open loop %1, store latency %2 ms, %3 s"_s.arg(formatRate(rate))
                     .arg(kModeledLatencyMs)
                     .arg(m_o.memorySeconds));
        const double every = std::clamp(m_o.memorySeconds / 60.0, 1.0, 10.0);
        double lastPrinted = -1e9;
        const MemoryRun m = runMemory(modeledConfig(Strategy::Atomic, m_threads, rate), m_processStartMb, 2.0,
            m_o.memorySeconds, every, [&](double t, double mb) {
                if (t - lastPrinted >= 30 || t >= m_o.memorySeconds) {
                    progress(u"  %1 s: RSS %2"_s.arg(t, 0, 'f', 0).arg(formatMb(mb)));
                    lastPrinted = t;
                }
            });
        Row growth;
        growth.section = u"memory"_s;
        growth.name = u"memory: resident growth over %1 s at high load"_s.arg(m_o.memorySeconds, 0, 'f', 0);
        growth.unit = u"MB"_s;
        growth.target = u"<= 10 MB"_s;
        if (!m.ok) {
            addError(growth, QString::fromStdString(m.error));
            return;
        }
        QJsonArray samples;
        for (const auto &[t, mb] : m.samples)
            samples.append(QJsonArray { t, mb });
        const QJsonObject extra { { u"process_start_mb"_s, m.processStartMb }, { u"start_mb"_s, m.startMb },
            { u"end_mb"_s, m.endMb }, { u"peak_mb"_s, m.peakMb },
            { u"seconds"_s, m.samples.empty() ? 0.0 : m.samples.back().first }, { u"offered_per_s"_s, rate },
            { u"attempts_per_s"_s, m.attemptsPerS }, { u"run_p50_ms"_s, m.p50Ms }, { u"run_p99_ms"_s, m.p99Ms },
            { u"samples"_s, samples } };
        Row start;
        start.section = u"memory"_s;
        start.name = u"memory: RSS at start (engine running, 2 s warm-up)"_s;
        start.unit = u"MB"_s;
        start.value = m.startMb;
        start.measured = formatMb(m.startMb);
        start.note = u"process at launch: %1"_s.arg(formatMb(m.processStartMb));
        start.extra = extra;
        add(start);
        Row end = start;
        end.name = u"memory: RSS after the run"_s;
        end.value = m.endMb;
        end.measured = formatMb(m.endMb);
        end.note
            = u"peak %1; engine at %2, p50 %3"_s.arg(formatMb(m.peakMb), formatRate(m.attemptsPerS), formatMs(m.p50Ms));
        add(end);
        growth.value = m.endMb - m.startMb;
        growth.measured = formatMb(*growth.value);
        growth.verdict = judge(*growth.value, kTargetGrowthMb, true);
        if (m_o.memorySeconds < 600)
            growth.note = u"short run: the target is for 600 s (run without --quick)"_s;
        growth.extra = extra;
        add(growth);
    }

public:
    double m_processStartMb = 0;

private:
    Options m_o;
    int m_threads;
    std::vector<Row> m_rows;
    std::map<RawKind, double> m_raw;
    std::optional<double> m_rawOneThread;
    std::optional<double> m_engineAtomic;
};

void onSignal(int sig)
{
    killRedisFromSignalHandler();
    std::signal(sig, SIG_DFL);
    std::raise(sig);
}

} // namespace

int main(int argc, char **argv)
{
    const double processStartMb = residentMb();
    const auto startedAt = std::chrono::steady_clock::now();
    std::signal(SIGINT, onSignal);
    std::signal(SIGTERM, onSignal);
    std::signal(SIGHUP, onSignal);

    QStringList arguments;
    for (int i = 0; i < argc; ++i)
        arguments << QString::fromLocal8Bit(argv[i]);

    QCoreApplication::setApplicationName(u"stampede_bench"_s);
    QCoreApplication::setOrganizationName(u"stampede-bench"_s); // keeps the window's settings apart
    QCommandLineParser parser;
    parser.setApplicationDescription(
        u"Measures Stampede against DESIGN.md \"Performance targets\": raw limits of this machine, the engine "
        "closed-loop and modeled, a real Redis, the window under load, and memory over a long run."_s);
    const QCommandLineOption help({ u"h"_s, u"help"_s }, u"Show this help."_s);
    const QCommandLineOption quick(
        u"quick"_s, u"Routine run: 2 s per row and a 60 s memory run (default 3 s and 600 s)."_s);
    const QCommandLineOption json(u"json"_s, u"Also write the results as JSON to FILE."_s, u"FILE"_s);
    const QCommandLineOption only(
        u"only"_s, u"Run only these sections: %1."_s.arg(kSections.join(u", "_s)), u"SECTION,..."_s);
    const QCommandLineOption seconds(u"seconds"_s,
        u"Measured seconds of each raw, engine, modeled and redis row, and of each fan-out sweep point."_s, u"N"_s);
    const QCommandLineOption memorySeconds(u"memory-seconds"_s, u"Length of the memory run in seconds."_s, u"N"_s);
    const QCommandLineOption windowSeconds(
        u"window-seconds"_s, u"Measured seconds of the window row (default 10)."_s, u"N"_s);
    const QCommandLineOption rates(u"rates"_s,
        u"Modeled section: the arrival rates to probe (default "
        "50000,100000,200000,400000,700000,1000000,1500000,2000000)."_s,
        u"R,..."_s);
    const QCommandLineOption strategies(u"strategies"_s,
        u"Engine section: only these strategies (default all; "
        "for profiling one)."_s,
        u"S,..."_s);
    const QCommandLineOption noScaling(u"no-scaling"_s, u"Engine section: skip the 1- and 2-thread rows."_s);
    const QCommandLineOption threads(u"threads"_s, u"Engine threads (default: hardware concurrency)."_s, u"N"_s);
    const QCommandLineOption fanoutParts(u"fanout-parts"_s,
        u"Fanout section: only these parts: %1 (default all; for profiling one)."_s.arg(kFanoutParts.join(u", "_s)),
        u"PART,..."_s);
    const QCommandLineOption fanoutPosts(u"fanout-posts"_s,
        u"Fanout section: timed 1 M-follower pushes per push row (default 5; 3 with --quick)."_s, u"N"_s);
    parser.addOptions({ help, quick, json, only, seconds, memorySeconds, windowSeconds, rates, strategies, noScaling,
        threads, fanoutParts, fanoutPosts });
    auto usage = [](const QString &e) {
        std::fprintf(stderr, "stampede_bench: %s\n", e.toLocal8Bit().constData());
        return 2;
    };
    if (!parser.parse(arguments))
        return usage(parser.errorText());
    if (parser.isSet(help)) {
        std::fputs(parser.helpText().toLocal8Bit().constData(), stdout);
        return 0;
    }
    if (!parser.positionalArguments().isEmpty())
        return usage(u"unexpected argument: "_s + parser.positionalArguments().constFirst());

    Options o;
    o.quick = parser.isSet(quick);
    if (o.quick) {
        o.seconds = 2;
        o.memorySeconds = 60;
    }
    o.jsonFile = parser.value(json);
    for (const QString &s : parser.value(only).split(u',', Qt::SkipEmptyParts)) {
        const QString name = s.trimmed().toLower();
        if (!kSections.contains(name))
            return usage(u"--only: unknown section '%1' (sections: %2)"_s.arg(name, kSections.join(u", "_s)));
        o.only << name;
    }
    auto number = [&](const QCommandLineOption &opt, double lo, double hi, double &out) {
        if (!parser.isSet(opt))
            return true;
        bool ok = false;
        const double v = parser.value(opt).toDouble(&ok);
        if (!ok || !(v >= lo && v <= hi))
            return false;
        out = v;
        return true;
    };
    double threadCount = 0;
    if (!number(seconds, 0.5, 3600, o.seconds))
        return usage(u"--seconds: must be a number between 0.5 and 3600"_s);
    if (!number(memorySeconds, 1, 86400, o.memorySeconds))
        return usage(u"--memory-seconds: must be a number between 1 and 86400"_s);
    if (!number(windowSeconds, 1, 3600, o.windowSeconds))
        return usage(u"--window-seconds: must be a number between 1 and 3600"_s);
    if (!number(threads, 1, 256, threadCount))
        return usage(u"--threads: must be between 1 and 256"_s);
    o.threads = static_cast<int>(threadCount);
    double posts = 0;
    if (!number(fanoutPosts, 1, 1000, posts) || posts != std::floor(posts))
        return usage(u"--fanout-posts: must be a whole number between 1 and 1000"_s);
    o.fanoutPosts = static_cast<int>(posts);
    o.scaling = !parser.isSet(noScaling);
    if (parser.isSet(strategies)) {
        o.strategies.clear();
        for (const QString &name : parser.value(strategies).split(u',', Qt::SkipEmptyParts)) {
            const auto st = parseStrategy(name.trimmed().toStdString());
            if (!st)
                return usage(u"--strategies: unknown strategy '%1'"_s.arg(name));
            o.strategies.push_back(*st);
        }
    }
    for (const QString &part : parser.value(fanoutParts).split(u',', Qt::SkipEmptyParts)) {
        const QString name = part.trimmed().toLower();
        if (!kFanoutParts.contains(name))
            return usage(u"--fanout-parts: unknown part '%1' (parts: %2)"_s.arg(name, kFanoutParts.join(u", "_s)));
        o.fanoutParts << name;
    }
    if (parser.isSet(rates)) {
        o.rates.clear();
        for (const QString &r : parser.value(rates).split(u',', Qt::SkipEmptyParts)) {
            bool ok = false;
            const double v = r.trimmed().toDouble(&ok);
            if (!ok || v < kMinRatePerS || v > kMaxRatePerS)
                return usage(u"--rates: '%1' is not a rate between 1 and %2"_s.arg(r).arg(kMaxRatePerS, 0, 'f', 0));
            o.rates.push_back(v);
        }
        if (o.rates.empty())
            return usage(u"--rates: no rate given"_s);
    }

    // The window row needs widgets, and the offscreen platform unless told otherwise.
    std::unique_ptr<QCoreApplication> app;
#ifdef STAMPEDE_BENCH_HAVE_UI
    if (o.only.isEmpty() || o.only.contains(u"window"_s) || o.only.contains(u"efficiency"_s)) {
        if (qEnvironmentVariableIsEmpty("QT_QPA_PLATFORM"))
            qputenv("QT_QPA_PLATFORM", "offscreen");
        app = std::make_unique<QApplication>(argc, argv);
    }
#endif
    if (!app)
        app = std::make_unique<QCoreApplication>(argc, argv);

    const MachineInfo machine = collectMachineInfo();
    QStringList warnings;
    if (machine.buildType.compare(u"Release"_s, Qt::CaseInsensitive) != 0 || !machine.optimized)
        warnings << u"build type is '%1'%2, not Release: numbers are not representative "
                    "(cmake --preset release)"_s.arg(machine.buildType.isEmpty() ? u"none"_s : machine.buildType,
                        machine.optimized ? QString() : u" (unoptimised or asserts on)"_s);
    for (const QString &w : warnings)
        progress(u"WARNING: "_s + w);
    progress(u"machine: %1, %2 cpus, %3, %4, build %5, load average %6"_s.arg(machine.cpuModel,
        QString::number(machine.logicalCpus), machine.kernel, machine.compiler, machine.buildType,
        machine.loadAverageAtStart));

    Bench bench(o);
    bench.m_processStartMb = processStartMb;
    bench.runAll();

    const QString loadAtEnd = loadAverage();
    const double totalS = std::chrono::duration<double>(std::chrono::steady_clock::now() - startedAt).count();
    std::printf("\nStampede benchmark%s: %s, %d engine threads, build %s\n\n", o.quick ? " (quick)" : "",
        machine.cpuModel.toLocal8Bit().constData(), bench.threads(), machine.buildType.toLocal8Bit().constData());
    std::fputs(formatTable(bench.rows()).toLocal8Bit().constData(), stdout);
    int misses = 0;
    for (const Row &r : bench.rows())
        misses += r.verdict == Verdict::Miss || r.verdict == Verdict::Error;
    std::printf("\n%d row(s) missed or failed; load average %s at start, %s at end; %.0f s\n", misses,
        machine.loadAverageAtStart.toLocal8Bit().constData(), loadAtEnd.toLocal8Bit().constData(), totalS);
    for (const QString &w : warnings)
        std::printf("WARNING: %s\n", w.toLocal8Bit().constData());
    std::fflush(stdout);

    if (!o.jsonFile.isEmpty()) {
        QJsonArray rows;
        for (const Row &r : bench.rows())
            rows.append(toJson(r));
        QJsonObject m = toJson(machine);
        m.insert(u"load_average_at_end"_s, loadAtEnd);
        const QJsonObject doc {
            { u"benchmark"_s, u"stampede_bench"_s },
            { u"started"_s, QDateTime::currentDateTimeUtc().addMSecs(-qint64(totalS * 1000)).toString(Qt::ISODate) },
            { u"command"_s, arguments.join(u' ') },
            { u"quick"_s, o.quick },
            { u"seconds_per_row"_s, o.seconds },
            { u"memory_seconds"_s, o.memorySeconds },
            { u"engine_threads"_s, bench.threads() },
            { u"total_s"_s, totalS },
            { u"build_type"_s, machine.buildType },
            { u"machine"_s, m },
            { u"warnings"_s, QJsonArray::fromStringList(warnings) },
            { u"rows"_s, rows },
        };
        QFile f(o.jsonFile);
        if (!f.open(QIODevice::WriteOnly | QIODevice::Truncate) || f.write(QJsonDocument(doc).toJson()) < 0) {
            std::fprintf(stderr, "stampede_bench: --json: cannot write %s\n", o.jsonFile.toLocal8Bit().constData());
            return 1;
        }
        progress(u"wrote "_s + o.jsonFile);
    }
    return 0;
}
