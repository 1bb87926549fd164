#pragma once

// The machine's own limits for the operations the strategies are built from, measured in the
// benchmark's process with the engine's thread count: one shared atomic hammered by every core
// (unconditional fetch_sub, and the compare-exchange loop of a conditional decrement), one
// atomic per core on its own cache line, and a mutex around a plain counter.

#include "benchreport.h"

#include <QString>

namespace stampede::bench {

enum class RawKind {
    SharedFetchSub, // one atomic, fetch_sub by every thread
    SharedCas, // one atomic, `if (v > 0) CAS(v, v - 1)` loop by every thread (= atomic)
    PerCoreCas, // one atomic per thread, each on its own 64-byte line (= sharded)
    Mutex, // one std::mutex around `if (v > 0) --v` (= row-lock's critical section)
};

QString rawName(RawKind kind);

struct RawResult {
    double opsPerS = 0;
    double casFailuresPerOp = 0; // compare-exchange retries per successful decrement
    int threads = 0;
    double seconds = 0;
    CpuUse cpu; // did the threads really run at once? (process cores ~ threads)
};

RawResult measureRaw(RawKind kind, int threads, double seconds);

// Calls per second of std::chrono::steady_clock::now() on one thread: the engine reads the
// clock at least twice per request (arrival and answer), so this bounds a core's request rate.
double measureClockReads(double seconds);

} // namespace stampede::bench
