#include "traffic.h"

#include "limittable.h"
#include "runtime.h"

#include <sstream>

namespace stampede {

namespace {

std::string fmt(double v)
{
    std::ostringstream os;
    os << v;
    return os.str();
}

} // namespace

Traffic::Traffic(Runtime &rt, const TrafficConfig &config)
    : m_rt(rt)
    , m_config(config)
    , m_mode(config.mode)
    , m_rate(config.ratePerS)
    , m_clients(config.clients)
{
}

bool Traffic::owns(EventKind k)
{
    switch (k) {
    case EventKind::Spike:
    case EventKind::SetRate:
    case EventKind::SetClosedLoop:
    case EventKind::Pause:
    case EventKind::Resume:
        return true;
    default:
        return false;
    }
}

double Traffic::offered() const { return paused() || mode() == TrafficMode::Closed ? 0.0 : rate() * spikeFactor(); }

CommandResult Traffic::apply(const TimedEvent &e)
{
    using limits::Limit;
    switch (e.kind) {
    case EventKind::Spike: {
        if (!limits::inRange(Limit::SpikeFactor, e.factor))
            return CommandResult::fail("spike: factor " + limits::describe(Limit::SpikeFactor));
        if (!limits::inRange(Limit::SpikeSeconds, e.forS))
            return CommandResult::fail("spike: duration " + limits::describe(Limit::SpikeSeconds));
        if (mode() == TrafficMode::Open && !limits::inRange(Limit::SpikedRate, rate() * e.factor))
            return CommandResult::fail("spike: rate × factor must stay at most "
                + limits::number(limits::range(Limit::SpikedRate).max) + "/s");
        m_spikeFactor.store(e.factor);
        m_spikeEndsAt = (m_rt.started() ? m_rt.runTime() : 0.0) + e.forS;
        m_rt.mark("spike ×" + fmt(e.factor) + " for " + fmt(e.forS) + " s");
        m_rt.regenerateAll();
        return {};
    }
    case EventKind::SetRate:
        if (!limits::inRange(Limit::RatePerS, e.rate))
            return CommandResult::fail("rate: " + limits::describe(Limit::RatePerS) + " per second");
        m_rate.store(e.rate);
        m_mode.store(TrafficMode::Open);
        m_rt.mark("rate " + fmt(e.rate) + "/s");
        m_rt.regenerateAll();
        return {};
    case EventKind::SetClosedLoop:
        if (!limits::inRange(Limit::Clients, e.count))
            return CommandResult::fail("clients: " + limits::describe(Limit::Clients));
        m_clients.store(e.count);
        m_mode.store(TrafficMode::Closed);
        m_rt.mark("max rate, " + std::to_string(e.count) + " clients");
        m_rt.regenerateAll();
        return {};
    case EventKind::Pause:
    case EventKind::Resume: {
        const bool p = e.kind == EventKind::Pause;
        // forS 0: until resumed; otherwise a timed pause (the runtime resumes it).
        if (p && e.forS != 0 && !limits::inRange(Limit::PauseSeconds, e.forS))
            return CommandResult::fail("pause: duration " + limits::describe(Limit::PauseSeconds));
        if (m_paused.exchange(p) == p)
            return {};
        m_rt.mark(p ? "paused" : "resumed");
        m_rt.regenerateAll();
        return {};
    }
    default:
        return CommandResult::fail("unknown command");
    }
}

// t is run time, which stands still while paused: a spike keeps what it has left of its time.
void Traffic::tick(double t)
{
    if (m_spikeEndsAt >= 0 && t >= m_spikeEndsAt) {
        m_spikeFactor.store(1.0);
        m_spikeEndsAt = -1;
        m_rt.regenerateAll();
    }
}

void Traffic::reset()
{
    m_rate.store(m_config.ratePerS);
    m_mode.store(m_config.mode);
    m_clients.store(m_config.clients);
    m_spikeFactor.store(1.0);
    m_spikeEndsAt = -1;
}

} // namespace stampede
