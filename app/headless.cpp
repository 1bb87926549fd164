#include "headless.h"

#include "lessonreport.h"
#include "report.h"
#include "sweep.h"

#include <QJsonDocument>

#include <algorithm>
#include <chrono>
#include <csignal>
#include <cstdio>
#include <exception>
#include <memory>
#include <thread>

#include <unistd.h>

using namespace Qt::StringLiterals;
using namespace std::chrono_literals;

namespace {

volatile std::sig_atomic_t g_interrupted = 0;

// The first Ctrl-C ends the run early but still drains and reports; a second one kills.
extern "C" void onInterrupt(int)
{
    g_interrupted = 1;
    std::signal(SIGINT, SIG_DFL);
}

void printOut(const QString &text)
{
    std::fputs(text.toLocal8Bit().constData(), stdout);
    std::fflush(stdout);
}

void printProgress(const stampede::Snapshot &s)
{
    // Levels from the latest tick (current also while paused), latency from the last tick the
    // run's clock moved in (a paused tick answers little or nothing).
    std::int64_t remaining = 0, oversold = 0;
    if (s.latest.store) {
        remaining = s.latest.store->stockRemaining;
        oversold = s.latest.store->oversold;
    }
    const double p99 = s.recent.empty() ? 0.0 : s.recent.back().p99Ms;
    std::fprintf(stderr, "%6.1f s  attempts %lld  succeeded %lld  remaining %lld  oversold %lld  p99 %.2f ms%s\n", s.t,
        static_cast<long long>(s.attempts), static_cast<long long>(s.succeeded), static_cast<long long>(remaining),
        static_cast<long long>(oversold), p99, s.paused ? "  (paused)" : "");
    std::fflush(stderr);
}

// Runs the scenarios side by side (compare mode: two), each for its duration of run time, the
// first one's clock timing them all; trafficS receives how much run time traffic was offered
// to each (shorter after Ctrl-C). A pause in the scenario stops the run's clock, so the run
// takes that much longer on the wall.
std::vector<stampede::RunResult> runAll(const std::vector<Scenario> &scenarios, std::vector<double> *trafficS)
{
    std::vector<std::unique_ptr<stampede::Engine>> engines;
    for (const Scenario &sc : scenarios) {
        engines.push_back(std::make_unique<stampede::Engine>(sc.config));
        std::vector<stampede::TimedEvent> events = sc.events;
        std::stable_sort(events.begin(), events.end(),
            [](const stampede::TimedEvent &a, const stampede::TimedEvent &b) { return a.atS < b.atS; });
        engines.back()->setTimeline(std::move(events));
    }
    const Scenario &scenario = scenarios.front();
    stampede::Engine &engine = *engines.front();

    const bool progress = ::isatty(STDERR_FILENO) != 0;
    g_interrupted = 0;
    const auto previousHandler = std::signal(SIGINT, onInterrupt);

    // This thread only waits: it is the driver, not an engine worker. It reads the run time from
    // the snapshots (one per 100 ms tick) and sleeps at most a tick between looks.
    for (auto &e : engines)
        e->start();
    using Clock = std::chrono::steady_clock;
    const auto start = Clock::now();
    std::uint64_t seenSeq = 0;
    auto seenAt = start;
    int nextProgressS = 1;
    while (!g_interrupted) {
        const auto snap = engine.snapshot();
        const auto now = Clock::now();
        if (snap->seq != seenSeq) {
            seenSeq = snap->seq;
            seenAt = now;
        }
        // The run time now: the snapshot's, plus the wall time since it came unless paused.
        const double runT = snap->t + (snap->paused ? 0.0 : std::chrono::duration<double>(now - seenAt).count());
        const double left = scenario.durationS - runT;
        if (left <= 0)
            break;
        std::this_thread::sleep_for(std::chrono::duration<double>(std::min(left, 0.1)));
        const double elapsed = std::chrono::duration<double>(Clock::now() - start).count();
        if (progress && elapsed >= nextProgressS) {
            printProgress(*engine.snapshot());
            nextProgressS = int(elapsed) + 1;
        }
    }
    if (progress) {
        // Consumers persist a queued backlog at their own pace; that can take longer than the run.
        const auto last = engine.snapshot();
        const auto backlog = last->latest.queue ? last->latest.queue->queueBacklog : 0;
        if (backlog > 0) {
            std::fprintf(stderr, "%6.1f s  traffic stopped; persisting %lld queued orders\n", last->t,
                static_cast<long long>(backlog));
            std::fflush(stderr);
        }
    }
    // Drained together, so that one side's drain does not lengthen the other's traffic.
    std::vector<stampede::RunResult> results(engines.size());
    {
        std::vector<std::thread> drains;
        for (std::size_t i = 1; i < engines.size(); ++i)
            drains.emplace_back([&, i] { results[i] = engines[i]->stopAndDrain(); });
        results[0] = engine.stopAndDrain();
        for (auto &t : drains)
            t.join();
    }
    trafficS->clear();
    for (std::size_t i = 0; i < results.size(); ++i)
        trafficS->push_back(std::min(scenarios[i].durationS, results[i].trafficS));
    std::signal(SIGINT, previousHandler == SIG_ERR ? SIG_DFL : previousHandler);
    return results;
}

stampede::RunResult run(const Scenario &scenario, double *trafficS)
{
    std::vector<double> t;
    auto results = runAll({ scenario }, &t);
    *trafficS = t.front();
    return std::move(results.front());
}

bool writeReport(const QJsonObject &report, const QString &path)
{
    QString error;
    if (!writeOutputFile(u"--report"_s, path, QJsonDocument(report).toJson(QJsonDocument::Indented), &error)) {
        printError(error);
        return false;
    }
    return true;
}

// --lesson: the steps one after another, each for its for_s, then which checks were met.
int runLesson(const CliOptions &options, const HandoutWriter &handout)
{
    QString error;
    std::optional<Lesson> lesson = resolveLesson(options.lesson, &error);
    if (!lesson) {
        printError(u"--lesson: "_s + error);
        return kExitUsage;
    }
    if (options.seed)
        lesson->scenario.config.seed = *options.seed;
    if (options.threads)
        lesson->scenario.config.threads = *options.threads;
    if (const QString problem = checkOutputs(options); !problem.isEmpty()) {
        printError(problem);
        return kExitUsage;
    }
    Scenario ran = lessonScenario(*lesson);
    const stampede::RunResult result = run(ran, &ran.durationS);
    const std::vector<StepOutcome> outcomes = evaluateLesson(*lesson, result.timeline);
    printOut(summaryText(ran, result) + lessonSummaryText(*lesson, outcomes));

    int code = 0;
    if (!options.reportFile.isEmpty()) {
        QJsonObject report = reportJson(ran, result);
        report.insert(u"lesson"_s, lessonReportJson(*lesson, outcomes));
        if (!writeReport(report, options.reportFile))
            code = kExitFailure;
    }
    if (!options.csvFile.isEmpty()
        && !writeOutputFile(u"--csv"_s, options.csvFile, timelineCsv(result.timeline, result.markers), &error)) {
        printError(error);
        code = kExitFailure;
    }
    if (!options.handoutFile.isEmpty()) {
        if (!handout) {
            printError(u"--handout: this build has no window to draw the charts"_s);
            code = kExitFailure;
        } else if (!handout(*lesson, outcomes, result, options.handoutFile, &error)) {
            printError(error);
            code = kExitFailure;
        }
    }
    // A refused action leaves its step teaching something else: an error, not a footnote.
    int refused = 0;
    for (const stampede::Marker &m : result.markers)
        if (m.label.starts_with("event failed: ")) {
            printError(u"lesson "_s + lesson->name + u": the action at "_s + QString::number(m.t, 'f', 1)
                + u" s was refused: "_s + QString::fromStdString(m.label.substr(14)));
            ++refused;
        }
    const auto [met, total] = checksMet(outcomes);
    if (code == 0 && refused > 0)
        code = kExitChecksUnmet;
    if (code == 0 && met < total && !g_interrupted) {
        printError(u"lesson "_s + lesson->name + u": "_s + QString::number(total - met) + u" of "_s
            + QString::number(total) + u" checks not met"_s);
        code = kExitChecksUnmet;
    }
    return code;
}

// --compare KEY=A,B: two engines side by side under the same seed and traffic.
int runCompare(const CliOptions &options, const Scenario &base)
{
    const CompareSpec &spec = *options.compare;
    QString error;
    std::vector<Scenario> sides;
    for (const QString &value : { spec.a, spec.b }) {
        auto s = withSetting(base, spec.path, value, &error);
        if (!s) {
            printError(u"--compare: "_s + spec.key + u'=' + value + u": "_s + error);
            return kExitUsage;
        }
        sides.push_back(std::move(*s));
    }
    if (sides[0].sweep || sides[1].sweep) {
        printError(u"--compare: the scenario runs a sweep; add --no-sweep to compare its timeline"_s);
        return kExitUsage;
    }
    std::vector<double> trafficS;
    const std::vector<stampede::RunResult> results = runAll(sides, &trafficS);
    for (std::size_t i = 0; i < sides.size(); ++i)
        sides[i].durationS = trafficS[i];
    const QString labels[2] = { spec.key + u'=' + spec.a, spec.key + u'=' + spec.b };
    const Scenario pair[2] = { sides[0], sides[1] };
    const stampede::RunResult runs[2] = { results[0], results[1] };
    printOut(u"compare "_s + spec.key + u": A "_s + spec.a + u", B "_s + spec.b + u" (same seed and traffic)\n"_s
        + compareTable(pair, runs, labels) + u"\nA: "_s + labels[0] + u'\n' + summaryText(sides[0], results[0])
        + u"\nB: "_s + labels[1] + u'\n' + summaryText(sides[1], results[1]));

    int code = 0;
    if (!options.reportFile.isEmpty()) {
        QJsonObject report = reportJson(sides[0], results[0]);
        report.insert(u"compare"_s,
            QJsonObject { { u"key"_s, spec.key }, { u"path"_s, spec.path },
                { u"a"_s, QJsonObject { { u"value"_s, spec.a }, { u"report"_s, reportJson(sides[0], results[0]) } } },
                { u"b"_s,
                    QJsonObject { { u"value"_s, spec.b }, { u"report"_s, reportJson(sides[1], results[1]) } } } });
        if (!writeReport(report, options.reportFile))
            code = kExitFailure;
    }
    if (!options.csvFile.isEmpty()) {
        // One file, the two timelines one after the other, told apart by the first column.
        QByteArray csv;
        for (std::size_t i = 0; i < 2; ++i) {
            const QByteArray one = timelineCsv(results[i].timeline, results[i].markers);
            const QList<QByteArray> lines = one.split('\n');
            for (qsizetype l = 0; l < lines.size(); ++l) {
                if (lines[l].isEmpty() || (i == 1 && l == 0))
                    continue;
                csv += (l == 0 ? QByteArray("engine,") : (i == 0 ? QByteArray("a,") : QByteArray("b,"))) + lines[l]
                    + '\n';
            }
        }
        if (!writeOutputFile(u"--csv"_s, options.csvFile, csv, &error)) {
            printError(error);
            code = kExitFailure;
        }
    }
    return code;
}

// The bar a terminal sees while a sweep runs, redrawn in place; plain lines when not a TTY.
class SweepProgress {
public:
    SweepProgress(const SweepSpec &spec, std::size_t points)
        : m_spec(spec)
        , m_points(points)
        , m_tty(::isatty(STDERR_FILENO) != 0)
    {
    }
    void running(std::size_t i, const QString &label, double runT)
    {
        if (!m_tty)
            return;
        const double perPoint = m_spec.warmupS + m_spec.seconds;
        const double done = (static_cast<double>(i) * perPoint + std::min(runT, perPoint))
            / (static_cast<double>(m_points) * perPoint);
        constexpr int kWidth = 30;
        const int filled = std::clamp(static_cast<int>(done * kWidth), 0, kWidth);
        const QString bar = QString(filled, u'#') + QString(kWidth - filled, u'.');
        const double left = (static_cast<double>(m_points - i) * perPoint) - std::min(runT, perPoint);
        const QString line = u"\rsweep ["_s + bar + u"] "_s + QString::number(i + 1) + u'/' + QString::number(m_points)
            + u"  "_s + label + (runT < m_spec.warmupS ? u"  warming up"_s : u"  measuring"_s) + u"  "_s
            + QString::number(left, 'f', 0) + u" s left\x1b[K"_s;
        std::fputs(line.toLocal8Bit().constData(), stderr);
        std::fflush(stderr);
    }
    void finished(std::size_t i, const QString &label, const SweepPoint &p)
    {
        const QString line = (m_tty ? u"\r\x1b[K"_s : QString()) + u"sweep: point "_s + QString::number(i + 1) + u'/'
            + QString::number(m_points) + u"  "_s + label + u": "_s + QString::number(p.throughput, 'f', 1)
            + u" req/s, p99 "_s + QString::number(p.p99Ms, 'f', 2) + u" ms\n"_s;
        std::fputs(line.toLocal8Bit().constData(), stderr);
        std::fflush(stderr);
    }

private:
    const SweepSpec &m_spec;
    std::size_t m_points;
    bool m_tty;
};

// Runs every point of the scenario's sweep; the report's usual keys describe the last point.
int runSweep(const CliOptions &options, const Scenario &scenario)
{
    const SweepSpec &spec = *scenario.sweep;
    const std::size_t n = spec.axes.front().values.size();
    QString error;
    std::vector<Scenario> points;
    for (std::size_t i = 0; i < n; ++i) {
        auto p = sweepPointScenario(scenario, spec, i, &error);
        if (!p) {
            printError(error);
            return kExitUsage;
        }
        points.push_back(std::move(*p));
    }
    SweepResult result;
    result.spec = spec;
    SweepProgress progress(spec, n);
    g_interrupted = 0;
    const auto previousHandler = std::signal(SIGINT, onInterrupt);
    Scenario lastRan = points.front();
    stampede::RunResult last;
    for (std::size_t i = 0; i < n && !g_interrupted; ++i) {
        SweepPoint label;
        for (const SweepAxis &a : spec.axes)
            label.values.push_back(a.values[i]);
        const QString name = pointLabel(spec, label);
        Scenario ran = points[i];
        bool completed = false;
        last = runSweepPoint(
            points[i],
            [&](double t) {
                progress.running(i, name, t);
                return !g_interrupted;
            },
            &completed);
        if (!completed)
            break; // cut short (Ctrl-C): not a measurement
        ran.durationS = std::min(points[i].durationS, last.trafficS);
        SweepPoint p = measurePoint(spec, points[i], last);
        p.values = label.values;
        progress.finished(i, name, p);
        result.points.push_back(std::move(p));
        lastRan = ran;
    }
    std::signal(SIGINT, previousHandler == SIG_ERR ? SIG_DFL : previousHandler);
    result.interrupted = g_interrupted != 0;
    fitSweep(&result);
    printOut(u"sweep of "_s + QString::fromStdString(scenario.config.name) + u": "_s
        + QString::number(result.points.size()) + u" points, "_s + QString::number(spec.warmupS) + u" s warm-up + "_s
        + QString::number(spec.seconds) + u" s measured each\n"_s + sweepTable(result));

    int code = 0;
    if (!options.reportFile.isEmpty()) {
        QJsonObject report = result.points.empty() ? QJsonObject() : reportJson(lastRan, last);
        report.insert(u"sweep"_s, sweepReportJson(result));
        const QByteArray json = QJsonDocument(report).toJson(QJsonDocument::Indented);
        if (!writeOutputFile(u"--report"_s, options.reportFile, json, &error)) {
            printError(error);
            code = kExitFailure;
        }
    }
    if (!options.csvFile.isEmpty() && !writeOutputFile(u"--csv"_s, options.csvFile, sweepCsv(result), &error)) {
        printError(error);
        code = kExitFailure;
    }
    return code;
}

} // namespace

namespace {

// One line per name, the names in a column: `describe` gives the rest of each line.
int printList(const QStringList &names, const std::function<QString(const QString &)> &describe)
{
    qsizetype width = 0;
    for (const QString &n : names)
        width = std::max(width, n.size());
    QString out;
    for (const QString &n : names)
        out += n.leftJustified(width + 2) + describe(n) + u'\n';
    printOut(out);
    return 0;
}

} // namespace

int listPresets()
{
    return printList(presetNames(), [](const QString &n) {
        QString error;
        const std::optional<Scenario> s = loadPreset(n, &error);
        return s ? s->title : QString(u"(broken: "_s + error + u')');
    });
}

int listLessons()
{
    return printList(lessonNames(), [](const QString &n) {
        QString error;
        const std::optional<Lesson> l = loadLesson(n, &error);
        return l ? QString(l->title + u" ("_s + QString::number(l->steps.size()) + u" steps)"_s)
                 : QString(u"(broken: "_s + error + u')');
    });
}

static int runHeadlessUnguarded(const CliOptions &options, const HandoutWriter &handout)
{
    if (options.listPresets)
        return listPresets();
    if (options.listLessons)
        return listLessons();
    if (!options.lesson.isEmpty())
        return runLesson(options, handout);

    QString error;
    const std::optional<Scenario> scenario = resolveScenario(options, &error);
    if (!scenario) {
        printError(error);
        return kExitUsage;
    }
    if (const QString problem = checkOutputs(options); !problem.isEmpty()) {
        printError(problem);
        return kExitUsage;
    }

    if (options.compare)
        return runCompare(options, *scenario);
    if (scenario->sweep)
        return runSweep(options, *scenario);

    Scenario ran = *scenario;
    const stampede::RunResult result = run(*scenario, &ran.durationS);
    printOut(summaryText(ran, result));

    int code = 0;
    if (!options.reportFile.isEmpty()) {
        const QByteArray json = QJsonDocument(reportJson(ran, result)).toJson(QJsonDocument::Indented);
        if (!writeOutputFile(u"--report"_s, options.reportFile, json, &error)) {
            printError(error);
            code = kExitFailure;
        }
    }
    if (!options.csvFile.isEmpty()
        && !writeOutputFile(u"--csv"_s, options.csvFile, timelineCsv(result.timeline, result.markers), &error)) {
        printError(error);
        code = kExitFailure;
    }
    return code;
}

int runHeadless(const CliOptions &options, const HandoutWriter &handout)
{
    // An engine that cannot be built (a real server that does not start or answer) says why in
    // one line; the configuration itself was checked before.
    try {
        return runHeadlessUnguarded(options, handout);
    } catch (const std::exception &e) {
        printError(QString::fromUtf8(e.what()));
        return kExitFailure;
    }
}
