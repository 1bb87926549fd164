#include "enginehost.h"

#include "enginegraves.h"

#include <algorithm>
#include <exception>

using namespace Qt::StringLiterals;

namespace stampede::ui {

EngineHost::EngineHost(QObject *parent)
    : QObject(parent)
{
}

EngineHost::~EngineHost() { buryEngine(std::move(m_engine)); }

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
    // never joined here: presets switched faster than a fan-out engine frees its graph would
    // otherwise hold the GUI thread
    buryEngine(std::move(old));
}

} // namespace stampede::ui
