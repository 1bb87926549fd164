#include "windowbench.h"

#include "enginebench.h"
#include "mainwindow.h"
#include "scenario.h"

#include <QElapsedTimer>
#include <QEventLoop>
#include <QGuiApplication>
#include <QTimer>

#include <algorithm>
#include <cmath>
#include <vector>

using namespace Qt::StringLiterals;

namespace stampede::bench {

namespace {

constexpr int kProbeMs = 16;

double quantile(std::vector<double> v, double q)
{
    if (v.empty())
        return 0;
    const auto k = static_cast<std::size_t>(std::ceil(q * static_cast<double>(v.size()))) - 1;
    std::nth_element(v.begin(), v.begin() + static_cast<std::ptrdiff_t>(k), v.end());
    return v[k];
}

void spin(double seconds)
{
    QEventLoop loop;
    QTimer::singleShot(static_cast<int>(std::lround(seconds * 1000)), &loop, &QEventLoop::quit);
    loop.exec();
}

} // namespace

WindowRun runWindowBench(int threads, double warmupS, double measureS)
{
    WindowRun run;
    run.platform = QGuiApplication::platformName();

    Scenario scenario;
    scenario.config = closedLoopConfig(Strategy::Atomic, threads);
    scenario.config.name = "bench-window";
    scenario.durationS = 3600;
    scenario.title = u"Benchmark: closed-loop max"_s;
    scenario.description = u"atomic, 64 clients, every modeled latency 0"_s;

    ui::MainWindow window;
    if (!window.loadScenario(scenario, u"bench-window"_s)) {
        run.error = window.statusMessage();
        return run;
    }
    window.resize(1280, 800);
    window.show();
    spin(warmupS);

    std::vector<double> late;
    late.reserve(static_cast<std::size_t>(measureS * 1000 / kProbeMs) + 16);
    QElapsedTimer clock;
    clock.start();
    qint64 armedAt = 0;
    QTimer probe;
    probe.setSingleShot(true);
    probe.setTimerType(Qt::PreciseTimer);
    QObject::connect(&probe, &QTimer::timeout, [&] {
        const qint64 now = clock.nsecsElapsed();
        late.push_back(std::max(0.0, static_cast<double>(now - armedAt) / 1e6 - kProbeMs));
        armedAt = clock.nsecsElapsed();
        probe.start(kProbeMs);
    });
    const auto s0 = window.engine()->snapshot();
    const CpuSample c0 = cpuSample();
    armedAt = clock.nsecsElapsed();
    probe.start(kProbeMs);
    spin(measureS);
    probe.stop();
    const auto s1 = window.engine()->snapshot();
    run.cpu = cpuUse(c0, cpuSample());

    run.samples = static_cast<int>(late.size());
    run.p50Ms = quantile(late, 0.50);
    run.p99Ms = quantile(late, 0.99);
    run.maxMs = late.empty() ? 0 : *std::max_element(late.begin(), late.end());
    run.windowStallP99Ms = window.stallP99Ms();
    run.framesPerSecond = window.framesPerSecond();
    if (s1->t > s0->t)
        run.engineAttemptsPerS = static_cast<double>(s1->attempts - s0->attempts) / (s1->t - s0->t);
    run.ok = run.samples > 0;
    if (!run.ok)
        run.error = u"the probe timer never fired"_s;
    window.close();
    return run;
}

WindowCpuRun runWindowCpu(const QString &preset, double warmupS, double measureS)
{
    WindowCpuRun run;
    QString error;
    const auto scenario = loadPreset(preset, &error);
    if (!scenario) {
        run.error = error;
        return run;
    }
    ui::MainWindow window;
    if (!window.loadScenario(*scenario, preset)) {
        run.error = window.statusMessage();
        return run;
    }
    window.resize(1366, 768);
    window.show();
    spin(warmupS);
    const auto s0 = window.engine()->snapshot();
    const CpuSample c0 = cpuSample();
    spin(measureS);
    run.cpu = cpuUse(c0, cpuSample());
    const auto s1 = window.engine()->snapshot();
    run.framesPerSecond = window.framesPerSecond();
    if (s1->t > s0->t)
        run.engineAttemptsPerS = static_cast<double>(s1->attempts - s0->attempts) / (s1->t - s0->t);
    run.ok = true;
    window.close();
    return run;
}

} // namespace stampede::bench
