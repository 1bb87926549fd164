// The window's Backend menu (issue 17): the running scenario restarted on a real PostgreSQL,
// built off the GUI thread while the old run goes on; the choice kept for the scenarios loaded
// after it; a run the real store cannot serve stays on the model, saying why; a start the person
// takes back, or a server that refuses, leaves the run as it was.
//
// A real server (Debian's postgresql-15, as setup.sh installs it) is started once for the whole
// test; every engine shares it (pg::Server::shared), so each load only opens connections.

#include "actionset.h"
#include "controlpanel.h"
#include "enginegraves.h"
#include "mainwindow.h"

#include "pgserver.h"
#include "scenario.h"

#include <QAction>
#include <QComboBox>
#include <QSignalSpy>
#include <QStandardPaths>
#include <QTest>
#include <QToolButton>

#include <memory>

using namespace Qt::StringLiterals;
using namespace stampede;
using namespace stampede::ui;

namespace {

constexpr int kTimeoutMs = 60000; // a loaded machine under a sanitizer: starting is slow, not stuck

// Names compare and print; the enums themselves have no QTest::toString.
QString nameOf(StoreBackend b) { return QString::fromLatin1(toString(b).data(), qsizetype(toString(b).size())); }
QString nameOf(Strategy s) { return QString::fromLatin1(toString(s).data(), qsizetype(toString(s).size())); }

Scenario quietScenario(Strategy strategy = Strategy::Atomic)
{
    QString error;
    std::optional<Scenario> s = loadPreset(defaultPresetName(), &error);
    if (!s)
        qFatal("cannot load the default preset: %s", qPrintable(error));
    s->events.clear();
    s->config.traffic.ratePerS = 300;
    s->config.stock = 1000000;
    s->config.nodes.count = 2;
    s->config.threads = 2;
    s->config.strategy = strategy;
    return *s;
}

} // namespace

class TestBackendMenu : public QObject {
    Q_OBJECT

private:
    Engine *engine() const { return m_window->engine(); }
    StoreBackend running() const { return engine()->config().store.backend; }
    bool waitLoaded() const
    {
        return QTest::qWaitFor([this] { return !m_window->loadingInBackground(); }, kTimeoutMs);
    }

    std::shared_ptr<pg::Server> m_server;
    std::unique_ptr<MainWindow> m_window;

private slots:
    void initTestCase()
    {
        QStandardPaths::setTestModeEnabled(true);
        std::string error;
        m_server = pg::Server::shared(&error);
        QVERIFY2(m_server, error.c_str());
    }

    void init()
    {
        m_window = std::make_unique<MainWindow>();
        QVERIFY(m_window->loadScenario(quietScenario(), u"test-quiet"_s));
        m_window->resize(1600, 1000);
        m_window->show();
        QVERIFY(QTest::qWaitForWindowExposed(m_window.get()));
    }

    void cleanup() { m_window.reset(); }

    void menuAndButtonsShareTheActions()
    {
        ActionSet *a = m_window->actions();
        QVERIFY(a->backendEmbedded->isChecked());
        QVERIFY(!a->backendPostgres->isChecked());
        QCOMPARE(a->backendEmbedded->shortcut(), QKeySequence(u"Ctrl+Alt+E"_s));
        QCOMPARE(a->backendPostgres->shortcut(), QKeySequence(u"Ctrl+Alt+P"_s));
        auto *pgButton = m_window->controlPanel()->findChild<QToolButton *>(u"backendPostgresButton"_s);
        QVERIFY(pgButton);
        QCOMPARE(pgButton->defaultAction(), a->backendPostgres);
        QVERIFY(pgButton->isVisible());
    }

    // The strategy the run has now goes along; the old engine answers until the new one is in.
    void choosingPostgresRestartsTheRunOnIt()
    {
        ActionSet *a = m_window->actions();
        m_window->strategyCombo()->setCurrentIndex(int(Strategy::RowLock));
        QVERIFY(QTest::qWaitFor([this] { return m_window->shownStrategy() == int(Strategy::RowLock); }, kTimeoutMs));
        const Engine *before = engine();
        a->backendPostgres->trigger();
        QVERIFY(m_window->loadingInBackground());
        QCOMPARE(engine(), before); // nothing waited for the server
        QVERIFY(a->backendPostgres->isChecked()); // the store being started
        QVERIFY(m_window->statusMessage().contains(u"PostgreSQL"_s));
        QVERIFY(waitLoaded());
        QVERIFY(engine() != before);
        QCOMPARE(nameOf(running()), nameOf(StoreBackend::Postgres));
        QCOMPARE(nameOf(engine()->config().strategy), nameOf(Strategy::RowLock));
        QCOMPARE(m_window->scenarioName(), u"test-quiet"_s);
        QVERIFY(a->backendPostgres->isChecked());
        QVERIFY2(m_window->statusMessage().contains(u"PostgreSQL (real)"_s), qPrintable(m_window->statusMessage()));
        // the database answers: its rows come back in the snapshots, and orders get sold
        QVERIFY(QTest::qWaitFor(
            [this] {
                const auto s = engine()->snapshot();
                return s->store && s->store->backend == StoreBackend::Postgres && s->store->connections > 0
                    && !s->recent.empty() && s->recent.back().store && s->recent.back().store->sold > 0;
            },
            kTimeoutMs));
        QCOMPARE(engine()->snapshot()->store->errors, std::uint64_t(0));
    }

    // The choice holds for what is loaded next; a run the real store cannot serve stays on the
    // model, and the status line names the key that refused it.
    void choiceHoldsForTheNextScenarios()
    {
        ActionSet *a = m_window->actions();
        a->backendPostgres->trigger();
        QVERIFY(waitLoaded());
        QCOMPARE(nameOf(running()), nameOf(StoreBackend::Postgres));

        QVERIFY(m_window->loadScenario(quietScenario(Strategy::Naive), u"test-naive"_s));
        QVERIFY(m_window->loadingInBackground());
        QVERIFY(waitLoaded());
        QCOMPARE(m_window->scenarioName(), u"test-naive"_s);
        QCOMPARE(nameOf(running()), nameOf(StoreBackend::Postgres));

        Scenario cq = quietScenario(Strategy::CacheQueue);
        cq.config.cache.nodes = 2;
        cq.config.queue.consumers = 2;
        QVERIFY(m_window->loadScenario(cq, u"test-cache-queue"_s));
        QVERIFY(!m_window->loadingInBackground()); // the model's: built in place
        QCOMPARE(m_window->scenarioName(), u"test-cache-queue"_s);
        QCOMPARE(nameOf(running()), nameOf(StoreBackend::Embedded));
        QVERIFY(a->backendEmbedded->isChecked());
        QVERIFY2(m_window->statusMessage().contains(u"runs on the embedded model"_s)
                && m_window->statusMessage().contains(u"strategy"_s),
            qPrintable(m_window->statusMessage()));
        QVERIFY(m_window->storeBackendChoice() == StoreBackend::Postgres);
        // choosing PostgreSQL again on this run restarts nothing: it would only fall back
        const Engine *cqEngine = engine();
        a->backendPostgres->trigger();
        QCOMPARE(engine(), cqEngine);
        QVERIFY(!m_window->loadingInBackground());
        QVERIFY(a->backendEmbedded->isChecked());
        QVERIFY(m_window->statusMessage().contains(u"runs on the embedded model"_s));

        a->backendEmbedded->trigger();
        QVERIFY(m_window->storeBackendChoice() == StoreBackend::Embedded);
        QVERIFY(m_window->loadScenario(quietScenario(), u"test-quiet"_s));
        QVERIFY(!m_window->loadingInBackground());
        QCOMPARE(nameOf(running()), nameOf(StoreBackend::Embedded));
    }

    // Back to the model before the server's engine is ready: the run goes on untouched, and the
    // engine built meanwhile is buried, never swapped in.
    void takingTheChoiceBackCancelsTheStart()
    {
        ActionSet *a = m_window->actions();
        const Engine *before = engine();
        a->backendPostgres->trigger();
        QVERIFY(m_window->loadingInBackground());
        a->backendEmbedded->trigger();
        QVERIFY(!m_window->loadingInBackground());
        QVERIFY(a->backendEmbedded->isChecked());
        QCOMPARE(engine(), before);
        // the loader finishes and its engine is buried; its posted result, delivered, changes nothing
        QVERIFY(QTest::qWaitFor([] { return pendingBurials() == 0; }, kTimeoutMs));
        QCoreApplication::processEvents();
        QCOMPARE(engine(), before);
        QCOMPARE(nameOf(running()), nameOf(StoreBackend::Embedded));
        QVERIFY(a->backendEmbedded->isChecked());
    }

    // A server that refuses: one line naming it, and the run that was there goes on.
    void refusedServerKeepsTheRun()
    {
        ActionSet *a = m_window->actions();
        const Engine *before = engine();
        QSignalSpy errors(m_window.get(), &MainWindow::errorShown);
        m_window->setStoreBackendChoice(StoreBackend::Postgres, u"postgresql://stampede@127.0.0.1:1/none"_s);
        a->backendPostgres->trigger();
        QVERIFY(m_window->loadingInBackground());
        QVERIFY(errors.wait(kTimeoutMs));
        const QString error = errors.constFirst().constFirst().toString();
        QVERIFY2(error.contains(u"127.0.0.1"_s) && !error.contains(u'\n'), qPrintable(error));
        QVERIFY(!m_window->loadingInBackground());
        QCOMPARE(engine(), before);
        QCOMPARE(m_window->scenarioName(), u"test-quiet"_s);
        QCOMPARE(nameOf(running()), nameOf(StoreBackend::Embedded));
        QVERIFY(a->backendEmbedded->isChecked());
        // …and the choice follows the run: the next scenario does not try that server again
        QVERIFY(m_window->storeBackendChoice() == StoreBackend::Embedded);
        QVERIFY(m_window->loadScenario(quietScenario(Strategy::Naive), u"test-naive"_s));
        QVERIFY(!m_window->loadingInBackground());
        QCOMPARE(nameOf(running()), nameOf(StoreBackend::Embedded));
    }

    // A choice made while a scenario is still starting applies to that scenario, not the old one.
    void choiceDuringALoadAppliesToIt()
    {
        ActionSet *a = m_window->actions();
        m_window->setStoreBackendChoice(StoreBackend::Postgres);
        QVERIFY(m_window->loadScenario(quietScenario(Strategy::Naive), u"test-naive"_s));
        QVERIFY(m_window->loadingInBackground());
        a->backendEmbedded->trigger(); // before the server's engine is in
        QVERIFY(!m_window->loadingInBackground());
        QCOMPARE(m_window->scenarioName(), u"test-naive"_s);
        QCOMPARE(nameOf(running()), nameOf(StoreBackend::Embedded));
        QCOMPARE(nameOf(engine()->config().strategy), nameOf(Strategy::Naive));
    }
};

QTEST_MAIN(TestBackendMenu)
#include "tst_backendmenu.moc"
