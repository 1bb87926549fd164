#include "enginebench.h"

#include "benchreport.h"

#include <algorithm>
#include <chrono>
#include <exception>
#include <thread>

namespace stampede::bench {

using namespace std::chrono_literals;

EngineConfig closedLoopConfig(Strategy strategy, int threads, int clients)
{
    EngineConfig c;
    c.name = "bench-closed-loop";
    c.strategy = strategy;
    c.stock = kHugeStock;
    c.threads = threads;
    c.traffic.mode = TrafficMode::Closed;
    c.traffic.clients = clients;
    c.nodes.capacity = 100000; // every client always finds a worker
    c.nodes.queueLimit = 1000;
    c.nodes.serviceMs = 0;
    c.store.latencyMs = 0;
    c.store.writeMs = 0;
    return c;
}

EngineConfig modeledConfig(Strategy strategy, int threads, double rate)
{
    EngineConfig c;
    c.name = "bench-modeled";
    c.strategy = strategy;
    c.stock = kHugeStock;
    c.threads = threads;
    c.traffic.mode = TrafficMode::Open;
    c.traffic.ratePerS = std::clamp(rate, kMinRatePerS, kMaxRatePerS);
    c.nodes.capacity = 100000; // 1 M/s x 1 ms = 1000 in flight: never queues at a node
    c.nodes.queueLimit = 1000000;
    c.nodes.serviceMs = 0;
    c.store.latencyMs = kModeledLatencyMs;
    c.store.writeMs = 0;
    return c;
}

std::shared_ptr<const Snapshot> waitForRunTime(const Engine &e, double t, double deadlineS)
{
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::duration<double>(t + deadlineS);
    for (;;) {
        auto s = e.snapshot();
        if (s->t >= t)
            return s;
        if (std::chrono::steady_clock::now() > deadline)
            return nullptr;
        // Sleep most of the way at once: polling every 2 ms would add the benchmark's own
        // wake-ups to the engine's CPU figures (efficiency section).
        const auto ahead = std::chrono::duration<double>(t - s->t) - 20ms;
        std::this_thread::sleep_for(std::max<std::chrono::duration<double>>(ahead, 2ms));
    }
}

namespace {

std::int64_t answered(const Snapshot &s) { return s.succeeded + s.soldOut + s.rateLimited + s.failed; }

} // namespace

EngineRun runEngine(const EngineConfig &config, double warmupS, double measureS)
{
    EngineRun run;
    try {
        Engine engine(config);
        run.threads = engine.snapshot()->threads;
        engine.start();
        const auto warm = waitForRunTime(engine, warmupS);
        if (!warm) {
            engine.stopAndDrain(5);
            run.error = "engine published no snapshot in time";
            return run;
        }
        run.warmupP50Ms = warm->p50Ms;
        run.warmupP99Ms = warm->p99Ms;
        if (const CommandResult r = engine.reset(); !r.ok) {
            engine.stopAndDrain(5);
            run.error = "reset: " + r.error;
            return run;
        }
        // The reset is done when run time starts again from 0.
        const auto deadline = std::chrono::steady_clock::now() + 30s;
        while (engine.snapshot()->t >= warm->t && std::chrono::steady_clock::now() < deadline)
            std::this_thread::sleep_for(1ms);
        const auto s0 = waitForRunTime(engine, 2 * kTickSeconds);
        const CpuSample c0 = cpuSample();
        const auto s1 = s0 && s0->t < warm->t ? waitForRunTime(engine, s0->t + measureS) : nullptr;
        run.cpu = cpuUse(c0, cpuSample());
        if (!s0 || !s1) {
            engine.stopAndDrain(5);
            run.error = "engine did not restart after its reset";
            return run;
        }
        run.windowS = s1->t - s0->t;
        run.attemptsPerS = static_cast<double>(s1->attempts - s0->attempts) / run.windowS;
        run.answeredPerS = static_cast<double>(answered(*s1) - answered(*s0)) / run.windowS;
        run.p50Ms = s1->p50Ms;
        run.p99Ms = s1->p99Ms;
        for (const TickSample &x : s1->recent)
            if (x.t > s0->t && x.t <= s1->t)
                run.worstTickP99Ms = std::max(run.worstTickP99Ms, x.p99Ms);
        const RunResult r = engine.stopAndDrain(10);
        run.invariantsOk = r.audit.invariantsOk;
        run.oversold = r.audit.oversold;
        run.lostUpdates = r.audit.persisted + r.audit.remaining - r.audit.supplied;
        run.ok = true;
    } catch (const std::exception &e) {
        run.error = e.what();
    }
    return run;
}

MemoryRun runMemory(const EngineConfig &config, double processStartMb, double warmupS, double durationS,
    double sampleEveryS, const std::function<void(double, double)> &onSample)
{
    MemoryRun run;
    run.processStartMb = processStartMb;
    try {
        Engine engine(config);
        engine.start();
        const auto s0 = waitForRunTime(engine, warmupS);
        if (!s0) {
            engine.stopAndDrain(5);
            run.error = "engine published no snapshot in time";
            return run;
        }
        run.startMb = residentMb();
        run.peakMb = run.startMb;
        run.samples.emplace_back(0.0, run.startMb);
        std::shared_ptr<const Snapshot> last = s0;
        for (double at = sampleEveryS;; at += sampleEveryS) {
            const double t = std::min(at, durationS);
            last = waitForRunTime(engine, s0->t + t);
            if (!last) {
                engine.stopAndDrain(5);
                run.error = "engine stopped publishing snapshots";
                return run;
            }
            const double mb = residentMb();
            run.peakMb = std::max(run.peakMb, mb);
            run.samples.emplace_back(last->t - s0->t, mb);
            if (onSample)
                onSample(last->t - s0->t, mb);
            if (t >= durationS)
                break;
        }
        run.endMb = run.samples.back().second;
        run.attemptsPerS = static_cast<double>(last->attempts - s0->attempts) / std::max(1e-9, last->t - s0->t);
        run.p50Ms = last->p50Ms;
        run.p99Ms = last->p99Ms;
        engine.stopAndDrain(10);
        run.ok = true;
    } catch (const std::exception &e) {
        run.error = e.what();
    }
    return run;
}

} // namespace stampede::bench
