#pragma once

// What must hold in every snapshot the window's engine publishes, checked after each action:
// - a safe strategy never oversold (DESIGN.md: row-lock and atomic never oversell, sharded takes
//   from one bucket and probes the others, so neither can it). A run counts as safe only while
//   every strategy it ran since its start (a load or a reset) was safe: naive's lost updates
//   leave the store's stock above what is really left, so a safe strategy that follows naive
//   sells those phantom units and OVERSOLD climbs through no fault of its own; cache-queue
//   confirms from the cache and persists later, and its reset-to-initial recovery oversells by
//   design. Such a run is "tainted" and only the next load or reset starts a checked one.
// - within a run, totals never decrease (attempts and answers by outcome, units confirmed and
//   persisted; a fan-out run's posts, reads and inbox writes).

#include <QString>
#include <QStringList>

#include <cstdint>

namespace stampede {
class Engine;
}

namespace stampede::soak {

class Invariants {
public:
    // The soak asked for a strategy (its index in strategyNames()); an unsafe one taints the run
    // at once, before any snapshot shows it.
    void noteStrategyRequest(int index, double nowS);
    // The soak reset or reloaded the run: the next snapshot whose totals went down is a new run.
    void noteReset(double nowS);
    // One line per violation in the engine's latest snapshot; `nowS` is the soak's clock.
    QStringList check(const Engine *engine, double nowS);

    int runs() const { return m_runs; } // runs seen (loads and resets)
    int safeRuns() const { return m_safeRuns; } // …of which checked for oversell (never tainted)
    std::int64_t safeTicksChecked() const { return m_safeChecks; }

private:
    struct Totals {
        std::int64_t attempts = 0, succeeded = 0, soldOut = 0, rateLimited = 0, failed = 0;
        std::int64_t confirmed = 0, sold = 0;
        std::int64_t posts = 0, reads = 0, inboxWrites = 0;
    };
    void startRun(bool safe, double nowS);

    const Engine *m_engine = nullptr;
    double m_lastT = -1;
    Totals m_last;
    bool m_tainted = false;
    double m_unsafeRequestAtS = -1e9;
    std::int64_t m_oversoldReported = 0; // this run's, so that one oversell is one violation
    double m_resetAtS = -1e9;
    int m_runs = 0;
    int m_safeRuns = 0;
    bool m_countedSafe = false;
    std::int64_t m_safeChecks = 0;
};

bool isSafeStrategyName(const QString &name);

} // namespace stampede::soak
