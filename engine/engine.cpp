#include "engine.h"

#include "fanout.h"
#include "flashsale.h"
#include "runtime.h"
#include "traffic.h"

namespace stampede {

namespace {

TimedEvent event(EventKind kind)
{
    TimedEvent e;
    e.kind = kind;
    return e;
}

TimedEvent withNode(EventKind kind, std::optional<int> id)
{
    TimedEvent e = event(kind);
    e.node = id;
    return e;
}

TimedEvent withCount(EventKind kind, int count)
{
    TimedEvent e = event(kind);
    e.count = count;
    return e;
}

} // namespace

Engine::Engine(EngineConfig config)
    : m_runtime(std::make_unique<Runtime>(std::move(config), [](Runtime &rt) -> std::unique_ptr<Workload> {
        if (rt.config().workload == WorkloadKind::Fanout)
            return std::make_unique<Fanout>(rt, rt.config().fanout);
        return std::make_unique<FlashSale>(rt);
    }))
{
}

Engine::~Engine() = default;

const EngineConfig &Engine::config() const { return m_runtime->config(); }
void Engine::start() { m_runtime->start(); }
void Engine::setTimeline(std::vector<TimedEvent> events) { m_runtime->setTimeline(std::move(events)); }
CommandResult Engine::command(const TimedEvent &e) { return m_runtime->command(e); }
CommandResult Engine::schedule(const TimedEvent &e) { return m_runtime->schedule(e); }
std::vector<TimedEvent> Engine::appliedEvents() const { return m_runtime->applied(); }

std::optional<WorkloadKind> eventWorkload(EventKind k)
{
    if (Traffic::owns(k))
        return std::nullopt;
    switch (k) {
    case EventKind::Spike:
    case EventKind::SetRate:
    case EventKind::SetClosedLoop:
    case EventKind::Pause:
    case EventKind::Resume:
        break; // the traffic's, above
    case EventKind::CelebrityPost:
    case EventKind::SetFanoutMode:
    case EventKind::SetFanoutThreshold:
    case EventKind::SetPostShare:
    case EventKind::AddFanoutWorkers:
    case EventKind::RemoveFanoutWorker:
    case EventKind::KillFanoutWorker:
    case EventKind::AddInboxShards:
    case EventKind::KillInboxShard:
    case EventKind::RebuildInboxShard:
        return WorkloadKind::Fanout;
    case EventKind::AddNodes:
    case EventKind::RemoveNode:
    case EventKind::KillNode:
    case EventKind::ResizeNode:
    case EventKind::SwitchStrategy:
    case EventKind::Restock:
    case EventKind::AddCacheNodes:
    case EventKind::RemoveCacheNode:
    case EventKind::KillCacheNode:
    case EventKind::SetPlacement:
    case EventKind::SetSingleFlight:
    case EventKind::SetTtlJitter:
    case EventKind::SetReadRatio:
    case EventKind::SetCounterRecovery:
    case EventKind::AddConsumers:
    case EventKind::RemoveConsumer:
    case EventKind::KillConsumer:
    case EventKind::SetIdempotent:
    case EventKind::SetQueueFull:
        break;
    }
    return WorkloadKind::FlashSale;
}

CommandResult Engine::setRate(double perSecond)
{
    TimedEvent e = event(EventKind::SetRate);
    e.rate = perSecond;
    return command(e);
}
CommandResult Engine::setClosedLoop(int clients) { return command(withCount(EventKind::SetClosedLoop, clients)); }
CommandResult Engine::spike(double factor, double seconds)
{
    TimedEvent e = event(EventKind::Spike);
    e.factor = factor;
    e.forS = seconds;
    return command(e);
}
CommandResult Engine::addNodes(int count) { return command(withCount(EventKind::AddNodes, count)); }
CommandResult Engine::removeNode(std::optional<int> id) { return command(withNode(EventKind::RemoveNode, id)); }
CommandResult Engine::killNode(std::optional<int> id) { return command(withNode(EventKind::KillNode, id)); }
CommandResult Engine::resizeNode(std::optional<int> id, int cores, double speed)
{
    TimedEvent e = withNode(EventKind::ResizeNode, id);
    e.cores = cores;
    e.speed = speed;
    return command(e);
}
CommandResult Engine::switchStrategy(Strategy s)
{
    TimedEvent e = event(EventKind::SwitchStrategy);
    e.strategy = s;
    return command(e);
}
CommandResult Engine::restock(std::int64_t unitsPerSku)
{
    TimedEvent e = event(EventKind::Restock);
    e.units = unitsPerSku;
    return command(e);
}
CommandResult Engine::setPaused(bool paused) { return command(event(paused ? EventKind::Pause : EventKind::Resume)); }
CommandResult Engine::addCacheNode(int count) { return command(withCount(EventKind::AddCacheNodes, count)); }
CommandResult Engine::removeCacheNode(std::optional<int> id)
{
    return command(withNode(EventKind::RemoveCacheNode, id));
}
CommandResult Engine::killCacheNode(std::optional<int> id) { return command(withNode(EventKind::KillCacheNode, id)); }
CommandResult Engine::setPlacement(Placement p)
{
    TimedEvent e = event(EventKind::SetPlacement);
    e.placement = p;
    return command(e);
}
CommandResult Engine::setSingleFlight(bool on)
{
    TimedEvent e = event(EventKind::SetSingleFlight);
    e.on = on;
    return command(e);
}
CommandResult Engine::setTtlJitter(double fraction)
{
    TimedEvent e = event(EventKind::SetTtlJitter);
    e.ratio = fraction;
    return command(e);
}
CommandResult Engine::setReadRatio(double viewsPerPurchase)
{
    TimedEvent e = event(EventKind::SetReadRatio);
    e.ratio = viewsPerPurchase;
    return command(e);
}
CommandResult Engine::setCounterRecovery(CounterRecovery r)
{
    TimedEvent e = event(EventKind::SetCounterRecovery);
    e.recovery = r;
    return command(e);
}
CommandResult Engine::addConsumers(int count) { return command(withCount(EventKind::AddConsumers, count)); }
CommandResult Engine::removeConsumer(std::optional<int> id) { return command(withNode(EventKind::RemoveConsumer, id)); }
CommandResult Engine::killConsumer(std::optional<int> id) { return command(withNode(EventKind::KillConsumer, id)); }
CommandResult Engine::setIdempotent(bool on)
{
    TimedEvent e = event(EventKind::SetIdempotent);
    e.on = on;
    return command(e);
}
CommandResult Engine::setQueueFull(FullPolicy p)
{
    TimedEvent e = event(EventKind::SetQueueFull);
    e.full = p;
    return command(e);
}
CommandResult Engine::reset() { return m_runtime->reset(); }
std::shared_ptr<const Snapshot> Engine::snapshot() const { return m_runtime->snapshot(); }
std::vector<TickSample> Engine::timeline() const { return m_runtime->timeline(); }
std::vector<Marker> Engine::markers() const { return m_runtime->markers(); }
RunResult Engine::stopAndDrain(double maxWaitS) { return m_runtime->stop(maxWaitS, true); }

std::string_view toString(NodeState s)
{
    switch (s) {
    case NodeState::Up:
        return "up";
    case NodeState::Draining:
        return "draining";
    case NodeState::Dead:
        return "dead";
    }
    return "?";
}

} // namespace stampede
