#include "enginehost.h"

#include "enginegraves.h"

#include <algorithm>
#include <exception>
#include <mutex>

using namespace Qt::StringLiterals;

namespace stampede::ui {

namespace {

std::vector<TimedEvent> sortedEvents(const Scenario &scenario)
{
    std::vector<TimedEvent> events = scenario.events;
    std::stable_sort(
        events.begin(), events.end(), [](const TimedEvent &a, const TimedEvent &b) { return a.atS < b.atS; });
    return events;
}

} // namespace

// What a background load built. Whoever drops the last reference without taking the engine
// (a superseded load, a host gone) buries it: never destroyed on the GUI thread.
struct EngineHost::Built {
    Scenario scenario;
    QString name, sourceFile;
    std::unique_ptr<Engine> engine;
    QString error;
    ~Built() { buryEngine(std::move(engine)); }
};

// The host as its loaders see it. Invariant: `host` is non-null exactly while the host lives;
// a loader posts to it only with `mutex` held, so the host cannot be destroyed meanwhile.
struct EngineHost::Mailbox {
    std::mutex mutex;
    EngineHost *host = nullptr;
};

EngineHost::EngineHost(QObject *parent)
    : QObject(parent)
    , m_mailbox(std::make_shared<Mailbox>())
{
    m_mailbox->host = this;
}

EngineHost::~EngineHost()
{
    {
        const std::lock_guard lock(m_mailbox->mutex);
        m_mailbox->host = nullptr;
    }
    buryEngine(std::move(m_engine));
}

bool EngineHost::load(const Scenario &scenario, const QString &name, const QString &sourceFile, QString *error)
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
    ++m_generation; // a background load still building is superseded
    swapIn(std::move(fresh), scenario, name, sourceFile);
    return true;
}

bool EngineHost::loadInBackground(
    const Scenario &scenario, const QString &name, const QString &sourceFile, QString *error)
{
    if (const QString problem = checkScenario(scenario); !problem.isEmpty()) {
        *error = name + u": "_s + problem;
        return false;
    }
    const quint64 generation = ++m_generation;
    m_inFlight = generation;
    m_loadingName = name;
    m_loadingBackend = scenario.config.store.backend;
    m_loadingScenario = scenario;
    m_loadingSourceFile = sourceFile;
    auto built = std::make_shared<Built>();
    built->scenario = scenario;
    built->name = name;
    built->sourceFile = sourceFile;
    runInBackground([mailbox = m_mailbox, built = std::move(built), generation]() mutable {
        try {
            built->engine = std::make_unique<Engine>(built->scenario.config);
        } catch (const std::exception &e) {
            built->error = built->name + u": "_s + QString::fromUtf8(e.what());
        } catch (...) { // nothing may leave the thread
            built->error = built->name + u": the engine could not be built"_s;
        }
        const std::lock_guard lock(mailbox->mutex);
        if (EngineHost *host = mailbox->host)
            QMetaObject::invokeMethod(
                host, [host, generation, built] { host->finishLoad(generation, built); }, Qt::QueuedConnection);
        // else: the host is gone; `built` buries the engine on this thread's way out
    });
    return true;
}

void EngineHost::cancelBackgroundLoad()
{
    if (!loading())
        return;
    ++m_generation;
    m_inFlight = 0;
    m_loadingName.clear();
}

void EngineHost::finishLoad(quint64 generation, const std::shared_ptr<Built> &built)
{
    if (generation != m_generation)
        return; // superseded by a later load: `built` buries its engine
    m_inFlight = 0;
    m_loadingName.clear();
    if (!built->engine) {
        emit loadFailed(built->error);
        return;
    }
    swapIn(std::move(built->engine), built->scenario, built->name, built->sourceFile);
}

void EngineHost::swapIn(
    std::unique_ptr<Engine> fresh, const Scenario &scenario, const QString &name, const QString &sourceFile)
{
    fresh->setTimeline(sortedEvents(scenario));
    fresh->start();
    std::unique_ptr<Engine> old = std::exchange(m_engine, std::move(fresh));
    m_scenario = scenario;
    m_name = name;
    m_sourceFile = sourceFile;
    m_inFlight = 0;
    m_loadingName.clear();
    emit engineReplaced();
    // never joined here: presets switched faster than a fan-out engine frees its graph would
    // otherwise hold the GUI thread
    buryEngine(std::move(old));
}

std::shared_ptr<const Snapshot> EngineHost::snapshot() const
{
    return m_engine ? m_engine->snapshot() : std::shared_ptr<const Snapshot>();
}

} // namespace stampede::ui
