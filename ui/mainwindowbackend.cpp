// MainWindow's side of the store's backend: the Backend menu chooses where the flash sale's
// stock lives (the engine's model or a real PostgreSQL), the choice holds for every scenario
// loaded after it, and a real server's engine is built off the GUI thread while the old run
// goes on (initdb and the connections take seconds).

#include "mainwindow.h"

#include "actionset.h"
#include "enginehost.h"

#include "scenario.h"

#include <QAction>
#include <QComboBox>
#include <QSignalBlocker>

using namespace Qt::StringLiterals;

namespace stampede::ui {

namespace {

QString backendTitle(StoreBackend b) { return b == StoreBackend::Postgres ? u"PostgreSQL"_s : u"the embedded model"_s; }

} // namespace

void MainWindow::setStoreBackendChoice(std::optional<StoreBackend> backend, const QString &url)
{
    m_backendChoice = backend;
    m_storeUrl = url; // kept while the model is chosen: back on PostgreSQL it is the same server
}

void MainWindow::chooseStoreBackend(StoreBackend backend)
{
    m_backendChoice = backend;
    if (!engine()) {
        syncBackendActions();
        return;
    }
    const bool loading = m_host->loading();
    if (loading && m_host->loadingBackend() == backend) {
        syncBackendActions(); // already starting on it
        return;
    }
    const Scenario &current = m_host->scenario();
    // a run on PostgreSQL keeps its server for the way back (a scenario file may name one)
    if (m_storeUrl.isEmpty() && current.config.store.backend == StoreBackend::Postgres)
        m_storeUrl = QString::fromStdString(current.config.store.url);
    if (loading && m_host->loadingName() == m_host->name() && current.config.store.backend == backend) {
        // back to the store the run is on before the other one is ready: the run stays
        m_host->cancelBackgroundLoad();
        showMessage(u"Stays on "_s + backendTitle(backend) + u": the other store's start was cancelled"_s, false);
        syncBackendActions();
        return;
    }
    if (!loading && current.config.store.backend == backend) {
        syncBackendActions();
        return;
    }
    // The run as it is now (or the one starting) on the other store: from the start, with the
    // strategy it has now (the person who switched to row-lock wants row-lock on the real store).
    Scenario s = loading ? m_host->loadingScenario() : current;
    const QString name = loading ? m_host->loadingName() : m_host->name();
    const QString file = loading ? m_host->loadingSourceFile() : m_host->sourceFile();
    if (!loading && s.config.workload == WorkloadKind::FlashSale && m_shownStrategy >= 0)
        s.config.strategy = Strategy(m_shownStrategy);
    QString note;
    withChosenBackend(s, name, &note);
    if (!note.isEmpty()) { // that store cannot run it: the run goes on where it is
        if (loading)
            m_host->cancelBackgroundLoad();
        showMessage(note, false);
    } else {
        loadScenario(s, name, file);
    }
    syncBackendActions();
}

Scenario MainWindow::withChosenBackend(const Scenario &scenario, const QString &name, QString *note) const
{
    if (!m_backendChoice)
        return scenario;
    Scenario s = scenario;
    s.config.store.backend = *m_backendChoice;
    if (*m_backendChoice == StoreBackend::Postgres) {
        if (!m_storeUrl.isEmpty() || scenario.config.store.backend != StoreBackend::Postgres)
            s.config.store.url = m_storeUrl.toStdString();
    } else {
        s.config.store.url.clear();
    }
    const QString problem = checkScenario(s);
    if (problem.isEmpty() || !checkScenario(scenario).isEmpty())
        return s; // fine, or the scenario's own problem (its load shows it)
    // a run the real store cannot serve (cache-queue, page views, the fan-out): the model's
    *note = name + u" runs on "_s + backendTitle(scenario.config.store.backend) + u": "_s + problem;
    return scenario;
}

bool MainWindow::loadingInBackground() const { return m_host->loading(); }

void MainWindow::syncBackendActions()
{
    const StoreBackend running = engine() ? m_host->scenario().config.store.backend : StoreBackend::Embedded;
    const StoreBackend shown = m_host->loading() ? m_host->loadingBackend() : running;
    (shown == StoreBackend::Postgres ? m_actions->backendPostgres : m_actions->backendEmbedded)->setChecked(true);
}

void MainWindow::onBackgroundLoadFailed(const QString &error)
{
    // the choice goes back to the store that runs: the next preset must not fail the same way
    if (engine())
        m_backendChoice = m_host->scenario().config.store.backend;
    {
        const QSignalBlocker block(m_presetCombo); // the box names the run that goes on
        const int index = m_presetCombo->findData(m_host->name());
        if (index >= 0)
            m_presetCombo->setCurrentIndex(index);
    }
    showMessage(error, true);
    syncBackendActions();
}

void MainWindow::connectBackendActions()
{
    connect(
        m_actions->backendEmbedded, &QAction::triggered, this, [this] { chooseStoreBackend(StoreBackend::Embedded); });
    connect(
        m_actions->backendPostgres, &QAction::triggered, this, [this] { chooseStoreBackend(StoreBackend::Postgres); });
    connect(m_host, &EngineHost::loadFailed, this, &MainWindow::onBackgroundLoadFailed);
}

QString MainWindow::startingText(const Scenario &scenario, const QString &name)
{
    const StoreConfig &st = scenario.config.store;
    const QString where = st.url.empty() ? u"a private PostgreSQL server"_s : u"PostgreSQL"_s;
    return u"Starting "_s + name + u" on "_s + where + u"… (the run goes on until it is ready)"_s;
}

} // namespace stampede::ui
