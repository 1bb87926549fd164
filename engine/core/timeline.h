#pragma once

// The run's time line: the scenario's events waiting for their time, the markers every action
// leaves, and the history of tick samples. Events belong to the control thread (control mutex);
// markers and history have their own mutex so readers (export, snapshots) never wait for a tick.

#include "engine.h"

#include <deque>
#include <mutex>
#include <vector>

namespace stampede {

class Timeline {
public:
    // ---- scenario events (control mutex held) ----
    void setEvents(std::vector<TimedEvent> events); // sorted by time, ties keep their order
    void rewind() { m_next = 0; }
    // The next event due at or before t, or nullptr; each is returned once.
    const TimedEvent *nextDue(double t);
    // One more event among those not yet due, after any of the same time (a lesson's action).
    void addEvent(const TimedEvent &e);

    // ---- what was applied (any thread) ----
    // Every command the run took, timeline events at their scheduled time and live commands at
    // the run time they came, pauses left out (they stop the clock, so the others keep their run
    // times without them). A scenario of these events replays the run: the replay's log equals
    // it. At most kMaxApplied; later ones are counted in appliedDropped() instead.
    static constexpr std::size_t kMaxApplied = 10000;
    void recordApplied(const TimedEvent &e, double atS);
    std::vector<TimedEvent> applied() const;
    std::size_t appliedDropped() const;
    void clearApplied();

    // ---- markers and history (any thread) ----
    void mark(double t, std::string label);
    void push(const TickSample &x);
    void clear(); // history and markers
    void clearMarkers();
    // The last `recent` samples and the markers within their span.
    void recent(std::size_t n, std::vector<TickSample> *samples, std::vector<Marker> *markers) const;
    std::vector<TickSample> history() const;
    std::vector<Marker> markers() const;

private:
    std::vector<TimedEvent> m_events;
    std::size_t m_next = 0;
    mutable std::mutex m_mutex; // guards the two deques
    std::deque<TickSample> m_history; // at most kHistoryTicks
    std::deque<Marker> m_markers; // at most kMaxMarkers
    std::vector<TimedEvent> m_applied; // at most kMaxApplied, guarded by m_mutex
    std::size_t m_appliedDropped = 0;
};

} // namespace stampede
