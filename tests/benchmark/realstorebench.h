#pragma once

// The "realstore" section (issue 17, "model vs reality"): the same closed-loop flash sale on the
// embedded model and on a real PostgreSQL, per strategy, and how well the model predicts the
// real hot-row throughput once its latencies are set from the real server's measured costs:
//   store.latency_ms = one loopback round trip (SELECT 1 on one connection, median);
//   store.write_ms   = one atomic purchase's mean cost on one connection (1 / its rate) minus
//                      that round trip: what the server spends executing and committing it.

#include "benchreport.h"

#include <functional>

namespace stampede::bench {

struct RealStoreOptions {
    double warmupS = 0.5;
    double seconds = 3; // measured window of each run
    int threads = 2; // engine threads
    int connections = 16; // the pool, and as many closed-loop clients (no purchase waits for one)
};

void runRealStoreBench(const RealStoreOptions &o, const std::function<void(Row)> &add);

} // namespace stampede::bench
