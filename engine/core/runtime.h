#pragma once

// The engine's core, which knows no workload: the shards (one io_context and thread each), the
// control thread with its 100 ms tick on a fixed grid, the timeline, the traffic settings, the
// reset barrier and the stop with its drain. It owns one Workload and hands it requests, commands
// and ticks.
//
// Run time and pause: the run's clock (runTime()) counts from the start or the last reset and
// stands still while the traffic is paused. A pause remembers the engine time it began; on resume
// the run start moves forward by the paused span, so the run time continues where it stopped and
// the tick grid keeps to it. Everything that is timed in run time (the timeline's events, a
// spike's end, markers, the history's t) therefore does not advance during a pause. Ticks go on
// while paused (requests in flight drain, snapshots keep their totals current) but add no history
// sample: a sample is pushed only when the run time moved since the previous tick. A Pause with
// forS > 0 resumes by itself after that many seconds of engine (wall) time, checked on the tick.
//
// Locking: the control mutex serialises commands, the tick, reset and stop; the request path
// never takes it. Shared state read on the request path is atomics. Snapshots are immutable and
// swapped under a mutex held only for the pointer copy.

#include "clock.h"
#include "shard.h"
#include "timeline.h"
#include "traffic.h"
#include "workload.h"

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>

#include <atomic>
#include <functional>
#include <memory>
#include <mutex>
#include <thread>
#include <vector>

namespace stampede {

class Runtime {
public:
    using WorkloadFactory = std::function<std::unique_ptr<Workload>(Runtime &)>;
    // Throws std::invalid_argument when the config is invalid (the message names the field).
    Runtime(EngineConfig config, const WorkloadFactory &makeWorkload);
    ~Runtime();
    Runtime(const Runtime &) = delete;
    Runtime &operator=(const Runtime &) = delete;

    const EngineConfig &config() const { return m_config; }

    // ---- request path (any shard thread) ----
    Nanos now() const { return std::chrono::duration_cast<std::chrono::nanoseconds>(Clock::now() - m_origin).count(); }
    Clock::time_point toTimePoint(Nanos t) const { return m_origin + std::chrono::nanoseconds(t); }
    Clock::time_point origin() const { return m_origin; }
    bool generating() const
    {
        return m_running.load(std::memory_order_acquire) && !m_traffic.paused()
            && !m_resetting.load(std::memory_order_acquire) && !m_stopping.load(std::memory_order_acquire);
    }
    bool resetting() const { return m_resetting.load(std::memory_order_acquire); }
    TrafficMode mode() const { return m_traffic.mode(); }
    double shardRate() const; // open loop arrivals/s for one shard
    int shardClients(int shard) const; // closed loop clients for one shard
    std::uint64_t epoch() const { return m_epoch.load(std::memory_order_acquire); }
    int shardCount() const { return static_cast<int>(m_shards.size()); }
    Shard &shard(int i) { return *m_shards[static_cast<std::size_t>(i)]; }
    // Hands r back to the shard that owns it (from any thread). From a step on a shard thread r
    // continues at that step's time (Shard::stampHandOver); from elsewhere, at the clock.
    void dispatch(Request *r)
    {
        if (const Shard *from = Shard::current())
            from->stampHandOver(r);
        else
            r->at = -1;
        m_shards[static_cast<std::size_t>(r->shard)]->dispatch(r);
    }
    // Hands r to its shard to continue at modeled time `at` (>= 0), from any thread.
    void dispatchAt(Request *r, Nanos at)
    {
        r->at = at;
        m_shards[static_cast<std::size_t>(r->shard)]->dispatch(r);
    }
    // Hands each request of a linked list back to its shard.
    void dispatchAll(Request *list);
    void arrive(Shard &s, Nanos arrival, bool client) { m_workload->arrive(s, arrival, client); }
    void step(Shard &s, Request *r) { m_workload->step(s, r); }

    // ---- commands (any thread) ----
    void start();
    void setTimeline(std::vector<TimedEvent> events);
    CommandResult command(const TimedEvent &e);
    // e at its run time e.atS (now, when that has passed), through the timeline.
    CommandResult schedule(const TimedEvent &e);
    CommandResult reset();
    std::shared_ptr<const Snapshot> snapshot() const
    {
        std::lock_guard g(m_snapshotMutex);
        return m_snapshot;
    }
    std::vector<TickSample> timeline() const { return m_timeline.history(); }
    std::vector<Marker> markers() const { return m_timeline.markers(); }
    std::vector<TimedEvent> applied() const { return m_timeline.applied(); }
    RunResult stop(double maxWaitS, bool drainQueue);

    // ---- for the workload and its subsystems (control mutex held unless noted) ----
    void mark(std::string label);
    // Run seconds since the start (or the last reset), without the time spent paused.
    // Within a tick it is the tick's run time, so what the tick fires is timed at it exactly.
    double runTime() const { return static_cast<double>((frozen() ? m_pausedAt : clockNow()) - m_runStart) * 1e-9; }
    bool frozen() const { return m_pausedAt >= 0; } // the run's clock stands still (paused)
    bool started() const { return m_started; }
    bool stopped() const { return m_stopped; }
    boost::asio::io_context &control() { return m_control; }
    std::mutex &controlMutex() { return m_controlMutex; }
    void regenerateAll(); // every shard re-reads the traffic settings
    // Starts an actor (a pool request that never answers, e.g. a consumer) on shard i: `init`
    // runs on that shard's thread with the new request, then the workload steps it.
    void startActor(int shardIndex, std::function<void(Shard &, Request *)> init);
    void actorEnded(Shard &s, Request *r);

    // used by a shard when it passes the reset barrier
    void resetAck();

private:
    CommandResult applyLocked(const TimedEvent &e);
    void pauseChanged(const TimedEvent &e, bool wasPaused);
    void freezeClockAt(Nanos at); // the run's clock stands at `at` until thawClock()
    void thawClock();
    Nanos clockNow() const { return m_tickAt >= 0 ? m_tickAt : now(); } // the tick's engine time in one
    void scheduleTick();
    void tickLocked();
    void publish(double t);
    void finishReset();

    EngineConfig m_config;
    const Clock::time_point m_origin = Clock::now();
    std::vector<std::unique_ptr<Shard>> m_shards;
    Traffic m_traffic;
    Timeline m_timeline;

    std::atomic<std::uint64_t> m_epoch { 1 };
    std::atomic<bool> m_running { false }, m_resetting { false }, m_stopping { false };
    std::atomic<int> m_resetAcks { 0 };

    // control state: m_controlMutex
    mutable std::mutex m_controlMutex;
    boost::asio::io_context m_control { 1 };
    boost::asio::executor_work_guard<boost::asio::io_context::executor_type> m_controlGuard;
    boost::asio::steady_timer m_tickTimer;
    std::thread m_controlThread;
    Nanos m_runStart = 0; // engine time of run time 0, moved forward by every paused span
    Nanos m_pausedAt = -1; // engine time the clock froze at; -1 while it runs
    Nanos m_resumeAt = -1; // engine time a timed pause ends; -1 when none is due
    Nanos m_pauseForNs = 0; // a timed pause commanded before the start: its length
    Nanos m_tickAt = -1; // engine time of the tick running now, -1 outside a tick
    double m_trafficStoppedAt = 0;
    bool m_started = false;
    bool m_stopped = false;

    // tick state (control mutex)
    struct Outcomes {
        std::uint64_t attempts = 0, succeeded = 0, soldOut = 0, rateLimited = 0, nodeDown = 0, timeout = 0,
                      overloaded = 0;
    };
    Outcomes m_prev;
    LogHistogram m_prevLatency, m_runLatency;
    Nanos m_prevTickAt = 0; // engine time of the previous tick (rates are per engine second)
    double m_prevTickT = 0; // run time of the previous tick: a sample is pushed when t moved on
    TickSample m_latest; // the last tick's sample, pushed or not (Snapshot::latest)
    double m_peakThroughput = 0;
    double m_runMaxNs = 0;
    std::uint64_t m_seq = 0;

    // Held only to copy or swap one pointer, never while building a snapshot. (libstdc++ 12's
    // atomic<shared_ptr> would do, but its relaxed unlock makes ThreadSanitizer report races.)
    mutable std::mutex m_snapshotMutex;
    std::shared_ptr<const Snapshot> m_snapshot;

    // Last, so it goes first: its timers live on m_control.
    std::unique_ptr<Workload> m_workload;
};

} // namespace stampede
