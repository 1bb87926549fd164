#pragma once

// Runs of the engine for the benchmark, observed only through its public API (snapshots and
// the end-of-run audit), exactly as the window and the headless runner see it.

#include "benchreport.h"
#include "engine.h"

#include <functional>
#include <memory>
#include <string>
#include <vector>

namespace stampede::bench {

inline constexpr std::int64_t kHugeStock = 1'000'000'000'000; // <= kMaxStock: never sells out
inline constexpr int kClients = 64; // closed-loop clients (and Redis connections)
inline constexpr double kModeledLatencyMs = 1.0;

// Closed loop "max", every modeled latency 0: the engine's own cost per attempt.
EngineConfig closedLoopConfig(Strategy strategy, int threads, int clients = kClients);
// Open loop at `rate`, store round trip kModeledLatencyMs, no service time and no commit hold.
EngineConfig modeledConfig(Strategy strategy, int threads, double rate);

// The first snapshot published at or after run time t (seconds); nullptr after the deadline.
std::shared_ptr<const Snapshot> waitForRunTime(const Engine &e, double t, double deadlineS = 30);

struct EngineRun {
    bool ok = false;
    std::string error;
    int threads = 0;
    double windowS = 0; // measured window (run time between the two snapshots)
    double attemptsPerS = 0; // arrivals over the window
    double answeredPerS = 0; // answers of any outcome over the window
    double p50Ms = 0, p99Ms = 0; // answers since the reset that ended the warm-up
    double warmupP50Ms = 0, warmupP99Ms = 0; // answers during the warm-up
    double worstTickP99Ms = 0; // worst 100 ms tick within the window
    bool invariantsOk = false;
    std::int64_t oversold = 0;
    std::int64_t lostUpdates = 0; // persisted + remaining - supplied (`naive`'s blind writes)
    CpuUse cpu; // over the window
};

// Starts, runs warmupS, resets the engine (counters and latency histograms start again, the
// threads and request pools stay warm), measures the next measureS, stops and audits.
EngineRun runEngine(const EngineConfig &config, double warmupS, double measureS);

struct MemoryRun {
    bool ok = false;
    std::string error;
    double processStartMb = 0; // before the engine existed
    double startMb = 0; // engine running, after warm-up
    double endMb = 0; // after the long run
    double peakMb = 0;
    double attemptsPerS = 0; // mean over the long run
    double p50Ms = 0, p99Ms = 0;
    std::vector<std::pair<double, double>> samples; // (seconds since start point, MB)
};

MemoryRun runMemory(const EngineConfig &config, double processStartMb, double warmupS, double durationS,
    double sampleEveryS, const std::function<void(double, double)> &onSample);

} // namespace stampede::bench
