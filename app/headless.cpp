#include "headless.h"

#include "report.h"

#include <QJsonDocument>

#include <algorithm>
#include <chrono>
#include <csignal>
#include <cstdio>
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

// Runs the scenario for its duration of run time; *trafficS receives how much run time traffic
// was offered (shorter after Ctrl-C). A pause in the scenario stops the run's clock, so the run
// takes that much longer on the wall.
stampede::RunResult run(const Scenario &scenario, double *trafficS)
{
    stampede::Engine engine(scenario.config);
    std::vector<stampede::TimedEvent> events = scenario.events;
    std::stable_sort(events.begin(), events.end(),
        [](const stampede::TimedEvent &a, const stampede::TimedEvent &b) { return a.atS < b.atS; });
    engine.setTimeline(std::move(events));

    const bool progress = ::isatty(STDERR_FILENO) != 0;
    g_interrupted = 0;
    const auto previousHandler = std::signal(SIGINT, onInterrupt);

    // This thread only waits: it is the driver, not an engine worker. It reads the run time from
    // the snapshots (one per 100 ms tick) and sleeps at most a tick between looks.
    engine.start();
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
    stampede::RunResult result = engine.stopAndDrain();
    *trafficS = std::min(scenario.durationS, result.trafficS);
    std::signal(SIGINT, previousHandler == SIG_ERR ? SIG_DFL : previousHandler);
    return result;
}

} // namespace

int listPresets()
{
    const QStringList names = presetNames();
    qsizetype width = 0;
    for (const QString &n : names)
        width = std::max(width, n.size());
    QString out;
    for (const QString &n : names) {
        QString error;
        const std::optional<Scenario> s = loadPreset(n, &error);
        out += n.leftJustified(width + 2) + (s ? s->title : QString(u"(broken: "_s + error + u')')) + u'\n';
    }
    printOut(out);
    return 0;
}

int runHeadless(const CliOptions &options)
{
    if (options.listPresets)
        return listPresets();

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
