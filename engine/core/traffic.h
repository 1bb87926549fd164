#pragma once

// The shoppers' traffic as the runtime drives it: open loop at a rate (Poisson arrivals per
// shard) or closed loop with a number of clients, a spike multiplier with its end, and pause.
// Settings are atomics because every shard's generator reads them; only commands under the
// control mutex write them. A pause here only stops arrivals; the runtime also stops the run's
// clock while paused (runtime.h), and a spike's end is in run time, so a pause does not use up
// a spike. A Pause event's forS (0: until resumed) is checked here and timed by the runtime.

#include "engine.h"

#include <atomic>

namespace stampede {

class Runtime;

class Traffic {
public:
    Traffic(Runtime &rt, const TrafficConfig &config);

    // Whether the runtime, rather than the workload, handles this kind of command.
    static bool owns(EventKind k);
    CommandResult apply(const TimedEvent &e); // control mutex held
    void tick(double t); // ends a spike whose time is up (t: run time)
    void reset(); // back to the configured rate and mode, no spike (pause stays as it is)

    // ---- read anywhere ----
    TrafficMode mode() const { return m_mode.load(std::memory_order_acquire); }
    double rate() const { return m_rate.load(std::memory_order_relaxed); }
    double spikeFactor() const { return m_spikeFactor.load(std::memory_order_relaxed); }
    int clients() const { return m_clients.load(std::memory_order_relaxed); }
    bool paused() const { return m_paused.load(std::memory_order_acquire); }
    // Arrivals per second offered now (open loop), 0 when paused or closed loop.
    double offered() const;

private:
    Runtime &m_rt;
    const TrafficConfig m_config;
    std::atomic<TrafficMode> m_mode;
    std::atomic<double> m_rate;
    std::atomic<double> m_spikeFactor { 1.0 };
    std::atomic<int> m_clients;
    std::atomic<bool> m_paused { false };
    double m_spikeEndsAt = -1; // run time; control mutex
};

} // namespace stampede
