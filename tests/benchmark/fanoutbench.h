#pragma once

// The `fanout` section of stampede_bench: the celebrity fan-out workload (issue 13) against its
// targets in DESIGN.md "Performance targets":
//  - push, latencies 0: inbox writes per second and the time a 1 M-follower push takes from the
//    celebrity_post command to the last follower's inbox write, on 1 and 2 engine threads, with
//    8 and 64 workers (>= 20 M writes/s and <= 0.1 s on 2 cores);
//  - memory: Fanout::memoryBytes() and the measured resident growth per user at 1 M and 10 M
//    users (<= 64 B per user at 1 M);
//  - the modeled push with the celebrity-push preset's latencies: time to 99 % visible against
//    F·t/W plus the per-batch acknowledgements (no target; a check of the model);
//  - the hybrid threshold sweep: work per second (inbox writes + inbox and outbox fetches) from
//    pull-everything to push-everything, the threshold that minimises it, and what the per-edge
//    rule (push an edge when its follower reads at least as often as its author posts) predicts.
//
// The engine is built exactly as Engine builds it for a fan-out config (a Runtime whose
// workload is a Fanout), so the benchmark can read Fanout's own counters and memoryBytes().

#include "benchreport.h"

#include <QStringList>

#include <functional>

namespace stampede::bench {

struct FanoutBenchOptions {
    bool quick = false;
    int threads = 2; // engine threads of the modeled and sweep rows (the push rows use 1 and 2)
    int posts = 5; // timed pushes per push row (after one untimed warm-up push)
    int modeledPosts = 2; // timed pushes of the modeled row (each takes ~1.35 s)
    double sweepSeconds = 4; // measured window per threshold of the sweep
    bool tenMillion = true; // the 10 M-user memory rows (a graph build of ~10-20 s)
    QStringList parts; // memory, push, modeled, sweep; empty = all (in that order)
};

inline const QStringList kFanoutParts { QStringLiteral("memory"), QStringLiteral("push"), QStringLiteral("modeled"),
    QStringLiteral("sweep") };

// Runs the section; every row goes to `add` as soon as it is measured.
void runFanoutBench(const FanoutBenchOptions &o, const std::function<void(Row)> &add);

} // namespace stampede::bench
