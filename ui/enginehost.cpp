#include "enginehost.h"

#include <algorithm>
#include <exception>

using namespace Qt::StringLiterals;

namespace stampede::ui {

EngineHost::EngineHost(QObject *parent)
    : QObject(parent)
{
}

EngineHost::~EngineHost()
{
    m_engine.reset();
    if (m_reaper.joinable())
        m_reaper.join();
}

bool EngineHost::load(const Scenario &scenario, const QString &name, QString *error)
{
    if (const QString problem = checkScenario(scenario); !problem.isEmpty()) {
        *error = name + u": "_s + problem;
        return false;
    }
    std::unique_ptr<Engine> fresh;
    try {
        fresh = std::make_unique<Engine>(scenario.config);
    } catch (const std::exception &e) {
        *error = name + u": "_s + QString::fromUtf8(e.what());
        return false;
    }
    std::vector<TimedEvent> events = scenario.events;
    std::stable_sort(
        events.begin(), events.end(), [](const TimedEvent &a, const TimedEvent &b) { return a.atS < b.atS; });
    fresh->setTimeline(std::move(events));
    fresh->start();

    std::unique_ptr<Engine> old = std::exchange(m_engine, std::move(fresh));
    m_scenario = scenario;
    m_name = name;
    emit engineReplaced();
    retire(std::move(old));
    return true;
}

std::shared_ptr<const Snapshot> EngineHost::snapshot() const
{
    return m_engine ? m_engine->snapshot() : std::shared_ptr<const Snapshot>();
}

void EngineHost::retire(std::unique_ptr<Engine> old)
{
    if (!old)
        return;
    // One reaper at a time: the previous one has long finished unless presets are switched
    // faster than an engine stops (≤ 0.5 s); then this waits for it, which is rare and short.
    if (m_reaper.joinable())
        m_reaper.join();
    m_reaper = std::thread([e = std::move(old)]() mutable { e.reset(); });
}

} // namespace stampede::ui
