#include "timeline.h"

#include <algorithm>

namespace stampede {

void Timeline::setEvents(std::vector<TimedEvent> events)
{
    std::stable_sort(events.begin(), events.end(), [](const auto &a, const auto &b) { return a.atS < b.atS; });
    m_events = std::move(events);
    m_next = 0;
}

const TimedEvent *Timeline::nextDue(double t)
{
    if (m_next < m_events.size() && m_events[m_next].atS <= t)
        return &m_events[m_next++];
    return nullptr;
}

void Timeline::addEvent(const TimedEvent &e)
{
    const auto from = m_events.begin() + static_cast<std::ptrdiff_t>(m_next);
    const auto at
        = std::upper_bound(from, m_events.end(), e.atS, [](double t, const TimedEvent &x) { return t < x.atS; });
    m_events.insert(at, e);
}

void Timeline::recordApplied(const TimedEvent &e, double atS)
{
    if (e.kind == EventKind::Pause || e.kind == EventKind::Resume)
        return;
    std::lock_guard h(m_mutex);
    if (m_applied.size() >= kMaxApplied) {
        ++m_appliedDropped;
        return;
    }
    m_applied.push_back(e);
    m_applied.back().atS = atS;
}

std::vector<TimedEvent> Timeline::applied() const
{
    std::lock_guard h(m_mutex);
    return m_applied;
}

std::size_t Timeline::appliedDropped() const
{
    std::lock_guard h(m_mutex);
    return m_appliedDropped;
}

void Timeline::clearApplied()
{
    std::lock_guard h(m_mutex);
    m_applied.clear();
    m_appliedDropped = 0;
}

void Timeline::mark(double t, std::string label)
{
    std::lock_guard h(m_mutex);
    m_markers.push_back({ t, std::move(label) });
    while (m_markers.size() > kMaxMarkers)
        m_markers.pop_front();
}

void Timeline::push(const TickSample &x)
{
    std::lock_guard h(m_mutex);
    m_history.push_back(x);
    while (m_history.size() > kHistoryTicks)
        m_history.pop_front();
}

void Timeline::clear()
{
    std::lock_guard h(m_mutex);
    m_history.clear();
    m_markers.clear();
}

void Timeline::clearMarkers()
{
    std::lock_guard h(m_mutex);
    m_markers.clear();
}

void Timeline::recent(std::size_t n, std::vector<TickSample> *samples, std::vector<Marker> *markers) const
{
    std::lock_guard h(m_mutex);
    n = std::min(m_history.size(), n);
    samples->assign(m_history.end() - static_cast<std::ptrdiff_t>(n), m_history.end());
    const double from = samples->empty() ? 0.0 : samples->front().t - kTickSeconds;
    for (const auto &m : m_markers)
        if (m.t >= from)
            markers->push_back(m);
}

std::vector<TickSample> Timeline::history() const
{
    std::lock_guard h(m_mutex);
    return { m_history.begin(), m_history.end() };
}

std::vector<Marker> Timeline::markers() const
{
    std::lock_guard h(m_mutex);
    return { m_markers.begin(), m_markers.end() };
}

} // namespace stampede
