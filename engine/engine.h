#pragma once

// The public face of the engine. Commands are thread-safe and never wait for requests in
// flight; readers take immutable snapshots. Only stopAndDrain() blocks, and it is meant for
// headless runs and tests, never for a GUI thread.

#include "config.h"
#include "event.h"
#include "metrics.h"

#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace stampede {

// The workload whose command an event is, or none for the traffic's (rate, spike, pause), which
// every workload takes.
std::optional<WorkloadKind> eventWorkload(EventKind k);

struct CommandResult {
    bool ok = true;
    std::string error; // one line when !ok
    static CommandResult fail(std::string e) { return { false, std::move(e) }; }
};

class Runtime;

class Engine {
public:
    // Runs config.workload: the flash sale, or the celebrity fan-out (whose own commands are
    // not events yet: the flash sale's commands are refused by it with a one-line error).
    explicit Engine(EngineConfig config);
    ~Engine();
    Engine(const Engine &) = delete;
    Engine &operator=(const Engine &) = delete;

    const EngineConfig &config() const;

    // Starts the worker threads and the traffic. Idempotent.
    void start();
    void setTimeline(std::vector<TimedEvent> events);

    // Any command as an event (what a scenario timeline fires), applied now. The methods below
    // are this with their arguments filled in.
    CommandResult command(const TimedEvent &e);
    // e at run time e.atS (at once when that has passed), as a timeline event: a lesson step's
    // later actions. Refused after the run ended or for a negative time.
    CommandResult schedule(const TimedEvent &e);
    // Every command the run took since start or reset (Timeline::applied): the session.
    std::vector<TimedEvent> appliedEvents() const;

    // Live commands, callable from any thread while running.
    CommandResult setRate(double perSecond); // open loop at this rate
    CommandResult setClosedLoop(int clients); // `max`: clients send as fast as answered
    CommandResult spike(double factor, double seconds);
    CommandResult addNodes(int count = 1);
    CommandResult removeNode(std::optional<int> id = {}); // drain, then remove
    CommandResult killNode(std::optional<int> id = {}); // in-flight and queued work fails
    // A node of `cores` cores (0: the configured count) at `speed` (0: configured) replaces id.
    CommandResult resizeNode(std::optional<int> id, int cores, double speed = 0);
    CommandResult switchStrategy(Strategy s);
    CommandResult restock(std::int64_t unitsPerSku);
    // Pauses the traffic until setPaused(false) (or a Resume event); requests in flight still
    // finish. While paused the run's clock (Snapshot::t) stands still: timeline events and a
    // spike's end wait, snapshots keep coming with current totals, the history gains no sample.
    // Paused before start(), the run starts paused at run time 0.
    CommandResult setPaused(bool paused);
    // Cache tier. Every change of its nodes or placement records the fraction of keys whose
    // owner changed (Snapshot::keysMovedLast and a marker). A removed or killed node's data is lost.
    CommandResult addCacheNode(int count = 1);
    CommandResult removeCacheNode(std::optional<int> id = {});
    CommandResult killCacheNode(std::optional<int> id = {});
    CommandResult setPlacement(Placement p);
    CommandResult setSingleFlight(bool on);
    CommandResult setTtlJitter(double fraction); // 0..1
    CommandResult setReadRatio(double viewsPerPurchase); // 0..kMaxReadRatio
    CommandResult setCounterRecovery(CounterRecovery r);
    // Order queue. A killed consumer's unacknowledged messages are delivered again; a removed
    // one finishes its batch first.
    CommandResult addConsumers(int count = 1);
    CommandResult removeConsumer(std::optional<int> id = {});
    CommandResult killConsumer(std::optional<int> id = {});
    CommandResult setIdempotent(bool on);
    CommandResult setQueueFull(FullPolicy p);
    // Back to the configured start: counters, stock, nodes, rate; the run time restarts at 0.
    // Traffic keeps its paused state: reset while paused, the clock stands at 0 until resumed
    // (a timed pause then lasts until resumed too, as the timeline starts over).
    CommandResult reset();

    // Latest published snapshot; never null after construction. Wait-free for the engine.
    std::shared_ptr<const Snapshot> snapshot() const;
    // A sample per tick since start or reset (bounded by kHistoryTicks), for export; ticks while
    // paused add none (their run time does not move).
    std::vector<TickSample> timeline() const;
    std::vector<Marker> markers() const;

    // Stops the traffic, waits (at most maxWaitS) for requests in flight to finish, then for the
    // consumers to persist what is queued for as long as they make progress (maxWaitS bounds a
    // stall, not the drain: a long backlog takes its time), audits, stops the threads. Blocking.
    // After it the engine is stopped for good. Works while paused too (the drain then adds no run
    // time); RunResult's durations are run time.
    RunResult stopAndDrain(double maxWaitS = 10.0);

private:
    std::unique_ptr<Runtime> m_runtime;
};

} // namespace stampede
