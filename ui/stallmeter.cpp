#include "stallmeter.h"

#include <algorithm>
#include <cmath>

namespace stampede::ui {

StallMeter::StallMeter(QObject *parent)
    : QObject(parent)
    // Twice the ticks that fit in the window: late ticks are fewer, never more.
    , m_ring(std::size_t(2 * kWindowMs / kIntervalMs))
{
    m_scratch.reserve(m_ring.size());
    m_timer.setTimerType(Qt::PreciseTimer);
    m_timer.setInterval(kIntervalMs);
    connect(&m_timer, &QTimer::timeout, this, &StallMeter::onTick);
}

void StallMeter::start()
{
    m_clock.start();
    m_lastNs = 0;
    m_timer.start();
}

void StallMeter::onTick()
{
    const qint64 now = m_clock.nsecsElapsed();
    const double lateMs = std::max(0.0, double(now - m_lastNs) / 1e6 - kIntervalMs);
    m_lastNs = now;
    m_ring[m_next] = { now / 1000000, lateMs };
    m_next = (m_next + 1) % m_ring.size();
    m_filled = std::min(m_filled + 1, m_ring.size());
}

template<typename F> void StallMeter::forRecent(F &&f) const
{
    if (!m_clock.isValid())
        return;
    const qint64 from = m_clock.elapsed() - kWindowMs;
    for (std::size_t i = 0; i < m_filled; ++i)
        if (m_ring[i].atMs >= from)
            f(m_ring[i].lateMs);
}

double StallMeter::p99Ms() const
{
    m_scratch.clear();
    forRecent([this](double v) { m_scratch.push_back(v); });
    if (m_scratch.empty())
        return 0;
    const auto k = std::size_t(std::ceil(0.99 * double(m_scratch.size()))) - 1;
    std::nth_element(m_scratch.begin(), m_scratch.begin() + std::ptrdiff_t(k), m_scratch.end());
    return m_scratch[k];
}

double StallMeter::maxMs() const
{
    double m = 0;
    forRecent([&m](double v) { m = std::max(m, v); });
    return m;
}

int StallMeter::sampleCount() const
{
    int n = 0;
    forRecent([&n](double) { ++n; });
    return n;
}

} // namespace stampede::ui
