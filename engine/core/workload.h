#pragma once

// What the runtime (core/runtime.h) asks of a workload. The runtime owns the threads, the tick,
// the timeline, traffic and reset; the workload owns what requests do and what is measured of
// them, composed from the subsystems it uses. Request-path calls run on a shard's thread;
// control calls run under the runtime's control mutex.

#include "clock.h"
#include "engine.h"

#include <cstdint>

namespace stampede {

class Shard;
struct Request;

// What a tick hands every part: the run time, the engine time, and the tick's length.
struct TickContext {
    double t = 0; // run seconds at this tick
    Nanos now = 0; // engine time
    double dt = 0.1; // seconds since the previous tick
    double rate(std::uint64_t cur, std::uint64_t prev) const
    {
        return cur >= prev ? static_cast<double>(cur - prev) / dt : 0.0;
    }
};

class Workload {
public:
    virtual ~Workload() = default;

    // ---- request path (a shard's thread) ----
    // A new arrival at `arrival` (a closed-loop client's when `client`).
    virtual void arrive(Shard &s, Nanos arrival, bool client) = 0;
    // Continues r after a delay, a hand-off or a dispatch from another thread.
    virtual void step(Shard &s, Request *r) = 0;
    // Reset barrier, on each shard's own thread: zero this shard's counters (one writer each).
    virtual void clearShard(Shard &s) = 0;

    // ---- control (control mutex held) ----
    // A command the runtime does not own (traffic is the runtime's own).
    virtual CommandResult apply(const TimedEvent &e) = 0;
    // Fills the workload's parts of the tick sample, after the runtime's core part.
    virtual void tick(const TickContext &c, TickSample &x) = 0;
    // Fills the workload's parts of a snapshot.
    virtual void view(Snapshot &s) = 0;
    // Back to the configured start, after every shard passed the reset barrier.
    virtual void reset() = 0;
    // Work still owed to answered shoppers (queued orders); the drain at stop waits for it.
    virtual std::int64_t pendingWork() = 0;
    virtual Audit audit(bool drained) = 0;
    // The run is ending: stop background work (timers) that would change state during the audit.
    virtual void freeze() = 0;
    // Shutting down: cancel the workload's timers on the control context.
    virtual void shutdown() = 0;
    // Shutting down, on shard s's own thread before it ends: cancel what waits on its context
    // (a real backend's sockets), so the thread's io_context runs out of work.
    virtual void shutdownShard(Shard &) { }
};

} // namespace stampede
