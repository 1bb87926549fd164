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
};

} // namespace stampede
