#include "engine.h"

#include "engineimpl.h"

namespace stampede {

Engine::Engine(EngineConfig config)
    : m_impl(std::make_unique<EngineImpl>(std::move(config)))
{
}

Engine::~Engine() = default;

const EngineConfig &Engine::config() const { return m_impl->config(); }
void Engine::start() { m_impl->start(); }
void Engine::setTimeline(std::vector<TimedEvent> events) { m_impl->setTimeline(std::move(events)); }
CommandResult Engine::setRate(double perSecond) { return m_impl->setRate(perSecond); }
CommandResult Engine::setClosedLoop(int clients) { return m_impl->setClosedLoop(clients); }
CommandResult Engine::spike(double factor, double seconds) { return m_impl->spike(factor, seconds); }
CommandResult Engine::addNodes(int count) { return m_impl->addNodes(count); }
CommandResult Engine::removeNode(std::optional<int> id) { return m_impl->removeNode(id); }
CommandResult Engine::killNode(std::optional<int> id) { return m_impl->killNode(id); }
CommandResult Engine::switchStrategy(Strategy s) { return m_impl->switchStrategy(s); }
CommandResult Engine::restock(std::int64_t unitsPerSku) { return m_impl->restock(unitsPerSku); }
CommandResult Engine::setPaused(bool paused) { return m_impl->setPaused(paused); }
CommandResult Engine::addCacheNode(int count) { return m_impl->addCacheNode(count); }
CommandResult Engine::removeCacheNode(std::optional<int> id) { return m_impl->removeCacheNode(id); }
CommandResult Engine::killCacheNode(std::optional<int> id) { return m_impl->killCacheNode(id); }
CommandResult Engine::setPlacement(Placement p) { return m_impl->setPlacement(p); }
CommandResult Engine::setSingleFlight(bool on) { return m_impl->setSingleFlight(on); }
CommandResult Engine::setTtlJitter(double fraction) { return m_impl->setTtlJitter(fraction); }
CommandResult Engine::setReadRatio(double viewsPerPurchase) { return m_impl->setReadRatio(viewsPerPurchase); }
CommandResult Engine::setCounterRecovery(CounterRecovery r) { return m_impl->setCounterRecovery(r); }
CommandResult Engine::addConsumers(int count) { return m_impl->addConsumers(count); }
CommandResult Engine::removeConsumer(std::optional<int> id) { return m_impl->removeConsumer(id); }
CommandResult Engine::killConsumer(std::optional<int> id) { return m_impl->killConsumer(id); }
CommandResult Engine::setIdempotent(bool on) { return m_impl->setIdempotent(on); }
CommandResult Engine::setQueueFull(FullPolicy p) { return m_impl->setQueueFull(p); }
CommandResult Engine::reset() { return m_impl->reset(); }
std::shared_ptr<const Snapshot> Engine::snapshot() const { return m_impl->snapshot(); }
std::vector<TickSample> Engine::timeline() const { return m_impl->timeline(); }
std::vector<Marker> Engine::markers() const { return m_impl->markers(); }
RunResult Engine::stopAndDrain(double maxWaitS) { return m_impl->stopAndDrain(maxWaitS); }

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
