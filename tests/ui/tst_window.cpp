// The window as a person uses it: buttons and keys change the engine and what the canvas draws,
// bad numbers are refused, charts stay bounded however long the run, and every export writes a
// real file of its kind. Offscreen platform, fixed DPI; no sleeps, only QTRY_* with timeouts.

#include "actionset.h"
#include "chartspanel.h"
#include "controlpanel.h"
#include "counterspanel.h"
#include "fanoutcontrols.h"
#include "format.h"
#include "livechart.h"
#include "mainwindow.h"
#include "shortcutsdialog.h"
#include "topologyview.h"
#include "visibilitycurves.h"
#include "window.h"

#include "scenario.h"

#include <QAction>
#include <QApplication>
#include <QComboBox>
#include <QDoubleSpinBox>
#include <QFile>
#include <QImage>
#include <QLabel>
#include <QLineEdit>
#include <QLineSeries>
#include <QMenu>
#include <QMenuBar>
#include <QRegularExpression>
#include <QSet>
#include <QSignalSpy>
#include <QSlider>
#include <QSpinBox>
#include <QStandardPaths>
#include <QTabBar>
#include <QTableWidget>
#include <QTemporaryDir>
#include <QTest>
#include <QTimer>
#include <QToolBar>
#include <QToolButton>
#include <QValueAxis>
#include <QXmlStreamReader>

#include <cmath>
#include <deque>
#include <memory>

using namespace Qt::StringLiterals;
using namespace stampede;
using namespace stampede::ui;

namespace {

constexpr int kTimeoutMs = 10000;

// The default preset without its timeline, at a gentle rate, so that only the test acts.
Scenario quietScenario(int nodes = 4)
{
    QString error;
    std::optional<Scenario> s = loadPreset(defaultPresetName(), &error);
    if (!s)
        qFatal("cannot load the default preset: %s", qPrintable(error));
    s->events.clear();
    s->config.traffic.ratePerS = 500;
    s->config.stock = 1000000;
    s->config.nodes.count = nodes;
    s->config.threads = 2;
    return *s;
}

// The quiet run with a cache tier of `cacheNodes`, under `strategy` (cache-queue also uses the
// order queue, with two consumers).
Scenario tierScenario(Strategy strategy = Strategy::CacheQueue, int cacheNodes = 3)
{
    Scenario s = quietScenario();
    s.config.strategy = strategy;
    s.config.cache.nodes = cacheNodes;
    s.config.queue.consumers = 2;
    s.config.queue.partitions = 4;
    return s;
}

// The celebrity-push preset without its timeline, smaller and gentler, so that only the test
// acts: 100 000 users, a celebrity followed by all but one of them, 8 workers, 16 inbox shards.
Scenario fanoutScenario()
{
    QString error;
    std::optional<Scenario> s = loadPreset(u"celebrity-push"_s, &error);
    if (!s)
        qFatal("cannot load celebrity-push: %s", qPrintable(error));
    s->events.clear();
    s->config.fanout.users = 100000;
    s->config.fanout.celebrities = { 99999 };
    s->config.traffic.ratePerS = 2000;
    s->config.threads = 2;
    return *s;
}

// One line of the fan-out's state, by name, as the tables below spell it.
QString observeFanout(const Snapshot &s, const QString &what)
{
    if (!s.fanout)
        return u"no fan-out"_s;
    const FanoutView &v = *s.fanout;
    if (what == u"posts tracked")
        return QString::number(v.tracked.size());
    if (what == u"mode")
        return fromStd(toString(v.mode));
    if (what == u"threshold")
        return QString::number(v.threshold);
    if (what == u"workers up")
        return QString::number(v.workersUp);
    if (what == u"shards")
        return QString::number(v.shardUp.size());
    if (what == u"shards down")
        return QString::number(std::count(v.shardUp.begin(), v.shardUp.end(), false));
    if (what == u"post share") { // the engine says it on its marker only
        QString last = u"unchanged"_s;
        for (const Marker &m : s.markers)
            if (QString::fromStdString(m.label).startsWith(u"posts "_s))
                last = QString::fromStdString(m.label);
        return last;
    }
    return u"?"_s;
}

QAction *fanoutActionNamed(const ActionSet *a, const QString &name)
{
    const std::pair<const char *, QAction *> all[] = {
        { "celebrityPost", a->celebrityPost },
        { "push", a->fanoutModes[0] },
        { "pull", a->fanoutModes[1] },
        { "hybrid", a->fanoutModes[2] },
        { "thresholdUp", a->thresholdUp },
        { "thresholdDown", a->thresholdDown },
        { "postShareUp", a->postShareUp },
        { "postShareDown", a->postShareDown },
        { "addWorker", a->addWorker },
        { "removeWorker", a->removeWorker },
        { "killWorker", a->killWorker },
        { "addInboxShard", a->addInboxShard },
        { "killInboxShard", a->killInboxShard },
        { "rebuildInboxShard", a->rebuildInboxShard },
    };
    for (const auto &[n, action] : all)
        if (name == QLatin1StringView(n))
            return action;
    return nullptr;
}

template<typename List> int countIn(const List &list, NodeState state)
{
    return int(std::count_if(list.begin(), list.end(), [state](const auto &v) { return v.state == state; }));
}

// One line of engine state, by name, as the tables of the tests below spell it.
QString observe(const Snapshot &s, const QString &what)
{
    if (what == u"cache up")
        return QString::number(countIn(s.cache->cacheNodes, NodeState::Up));
    if (what == u"cache dead")
        return QString::number(countIn(s.cache->cacheNodes, NodeState::Dead));
    if (what == u"placement")
        return fromStd(toString(s.cache->placement));
    if (what == u"single-flight")
        return s.cache->singleFlight ? u"on"_s : u"off"_s;
    if (what == u"ttl jitter")
        return QString::number(std::lround(s.cache->ttlJitter * 100)) + u" %"_s;
    if (what == u"read ratio")
        return QString::number(s.cache->readRatio);
    if (what == u"recovery")
        return fromStd(toString(s.cache->recovery));
    if (what == u"consumers up")
        return QString::number(countIn(s.queue->consumers, NodeState::Up));
    if (what == u"consumers dead")
        return QString::number(countIn(s.queue->consumers, NodeState::Dead));
    if (what == u"idempotent")
        return s.queue->idempotent ? u"on"_s : u"off"_s;
    if (what == u"queue full")
        return fromStd(toString(s.queue->queueFull));
    if (what == u"strategy")
        return fromStd(toString(s.store->strategy));
    return u"?"_s;
}

template<typename List> QString stateOf(const List &list, int id)
{
    for (const auto &v : list)
        if (v.id == id)
            return fromStd(toString(v.state));
    return u"absent"_s;
}

QAction *actionNamed(const ActionSet *a, const QString &name)
{
    const std::pair<const char *, QAction *> all[] = {
        { "addCacheNode", a->addCacheNode },
        { "removeCacheNode", a->removeCacheNode },
        { "killCacheNode", a->killCacheNode },
        { "ringPlacement", a->ringPlacement },
        { "singleFlight", a->singleFlight },
        { "ttlJitter", a->ttlJitter },
        { "readTraffic", a->readTraffic },
        { "resetRecovery", a->resetRecovery },
        { "addConsumer", a->addConsumer },
        { "removeConsumer", a->removeConsumer },
        { "killConsumer", a->killConsumer },
        { "idempotent", a->idempotent },
        { "blockWhenFull", a->blockWhenFull },
        { "chartPage", a->chartPage },
        { "cacheQueue", a->strategies[4] },
    };
    for (const auto &[n, action] : all)
        if (name == QLatin1StringView(n))
            return action;
    return nullptr;
}

QRectF cacheCardOf(const TopologyView *view, int id)
{
    for (const auto &c : view->drawnCacheNodes())
        if (c.id == id)
            return c.rect;
    return {};
}

QRectF consumerChipOf(const TopologyView *view, int id)
{
    for (const auto &c : view->drawnConsumers())
        if (c.id == id)
            return c.rect;
    return {};
}

// The item of the popup menu now open whose text starts with `prefix`, triggered from the event
// loop that QMenu::exec() runs (a context menu is modal).
void chooseFromPopup(const QString &prefix)
{
    QTimer::singleShot(0, [prefix] {
        QTRY_VERIFY_WITH_TIMEOUT(QApplication::activePopupWidget(), kTimeoutMs);
        auto *menu = qobject_cast<QMenu *>(QApplication::activePopupWidget());
        QVERIFY(menu);
        for (QAction *a : menu->actions())
            if (a->text().startsWith(prefix)) {
                QVERIFY(a->isEnabled());
                menu->setActiveAction(a);
                QTest::keyClick(menu, Qt::Key_Return); // as a person chooses it: exec() returns it
                return;
            }
        QFAIL(qPrintable(u"no menu item "_s + prefix));
    });
}

int countState(const std::vector<NodeView> &nodes, NodeState state)
{
    return int(std::count_if(nodes.begin(), nodes.end(), [state](const NodeView &n) { return n.state == state; }));
}

int countDrawn(const QList<TopologyView::DrawnNode> &nodes, NodeState state)
{
    return int(std::count_if(nodes.begin(), nodes.end(), [state](const auto &n) { return n.state == state; }));
}

// Names compare with readable failure messages: "up", "draining", "dead" or "absent".
QString engineState(const Snapshot &s, int id)
{
    for (const NodeView &n : s.app->nodes)
        if (n.id == id)
            return fromStd(toString(n.state));
    return u"absent"_s;
}

QString drawnState(const TopologyView *view, int id)
{
    for (const auto &n : view->drawnNodes())
        if (n.id == id)
            return fromStd(toString(n.state));
    return u"absent"_s;
}

QString strategyOf(const Snapshot &s) { return fromStd(toString(s.store->strategy)); }

int distinctColours(const QImage &image)
{
    QSet<QRgb> colours;
    const QImage img = image.convertToFormat(QImage::Format_RGB32);
    for (int y = 0; y < img.height(); y += 2)
        for (int x = 0; x < img.width(); x += 2)
            colours.insert(img.pixel(x, y));
    return int(colours.size());
}

QByteArray readFile(const QString &path)
{
    QFile f(path);
    return f.open(QIODevice::ReadOnly) ? f.readAll() : QByteArray();
}

} // namespace

class TestWindow : public QObject {
    Q_OBJECT

private slots:
    void initTestCase();
    void init();
    void cleanup();

    void nodeButtonsChangeEngineAndCanvas();
    void clickedNodeIsTheTarget();
    void removingTheLastNodeShowsTheError();
    void strategySelectorAndKeysDriveEngine();
    void rateSliderAndFieldDriveEngine();
    void badRateIsRefused_data();
    void badRateIsRefused();
    void actionsLeaveMarkersOnEveryChart();
    void oversoldTurnsRed();
    void chartSeriesStayBounded();
    void exportsWriteFilesOfTheirKind();
    void exportToUnwritablePathFails();
    void projectorModeScalesUp();
    void everyActionHasAKeyAndAWidget();
    void lessonReplacesEngine();
    void runWindowTakesScreenshot();
    void windowOptionsCarryOverrides();
    void runWindowRejectsUnwritableScreenshot();

    // the cache tier and the order queue (issue 4)
    void tierActionsHaveKeysAndWidgets_data();
    void tierActionsHaveKeysAndWidgets();
    void tierCommandsDriveEngineAndCanvas_data();
    void tierCommandsDriveEngineAndCanvas();
    void jitterAndReadRatioBoxes();
    void failedTierCommandShowsItsError_data();
    void failedTierCommandShowsItsError();
    void ringAndQueueDrawnOnlyWhenUsed();
    void clickedCacheNodeAndConsumerAreTargets();
    void contextMenusRemoveAndKill_data();
    void contextMenusRemoveAndKill();
    void tierChartsReceivePoints();
    void duplicatesTurnRed();

    // the celebrity fan-out (issue 13)
    void fanoutRunShowsItsOwnWindow();
    void fanoutActionsHaveKeysAndWidgets_data();
    void fanoutActionsHaveKeysAndWidgets();
    void fanoutActionsSendTheirEvent_data();
    void fanoutActionsSendTheirEvent();
    void flashSaleActionsUnavailableOnFanout_data();
    void flashSaleActionsUnavailableOnFanout();
    void fanoutActionsUnavailableOnFlashSale();
    void badThresholdIsRefused_data();
    void badThresholdIsRefused();
    void thresholdAndPostShareBoxes();
    void clickedShardIsTheTarget();
    void visibilityCurveFillsAfterAPost();

private:
    Engine *engine() const { return m_window->engine(); }
    std::shared_ptr<const Snapshot> snap() const { return m_window->engine()->snapshot(); }
    QAbstractButton *button(const char *name) const
    {
        return m_window->findChild<QAbstractButton *>(QString::fromLatin1(name));
    }
    // Waits until the engine has published `ticks` more snapshots.
    bool waitTicks(int ticks) const;

    std::unique_ptr<MainWindow> m_window;
    QTemporaryDir m_dir;
};

void TestWindow::initTestCase()
{
    QStandardPaths::setTestModeEnabled(true);
    QVERIFY(m_dir.isValid());
}

void TestWindow::init()
{
    m_window = std::make_unique<MainWindow>();
    QVERIFY(m_window->loadScenario(quietScenario(), u"test-quiet"_s));
    // a desk's window (the offscreen screen is 800x600): the counters get the room of one
    m_window->resize(1600, 1000);
    m_window->show();
    QVERIFY(QTest::qWaitForWindowExposed(m_window.get()));
    QTRY_VERIFY_WITH_TIMEOUT(!snap()->recent.empty(), kTimeoutMs);
}

void TestWindow::cleanup() { m_window.reset(); }

bool TestWindow::waitTicks(int ticks) const
{
    const quint64 target = snap()->seq + quint64(ticks);
    return QTest::qWaitFor([&] { return snap()->seq >= target; }, kTimeoutMs);
}

void TestWindow::nodeButtonsChangeEngineAndCanvas()
{
    TopologyView *canvas = m_window->topologyView();
    QTRY_COMPARE_WITH_TIMEOUT(countState(snap()->app->nodes, NodeState::Up), 4, kTimeoutMs);
    QTRY_COMPARE_WITH_TIMEOUT(countDrawn(canvas->drawnNodes(), NodeState::Up), 4, kTimeoutMs);

    QTest::mouseClick(button("addNodeButton"), Qt::LeftButton);
    QTRY_COMPARE_WITH_TIMEOUT(countState(snap()->app->nodes, NodeState::Up), 5, kTimeoutMs);
    QTRY_COMPARE_WITH_TIMEOUT(drawnState(canvas, 4), u"up"_s, kTimeoutMs);

    // Remove with nothing selected drains the newest node, which then leaves.
    QTest::mouseClick(button("removeNodeButton"), Qt::LeftButton);
    QTRY_COMPARE_WITH_TIMEOUT(countState(snap()->app->nodes, NodeState::Up), 4, kTimeoutMs);
    QTRY_VERIFY_WITH_TIMEOUT(drawnState(canvas, 4) != u"up"_s, kTimeoutMs);
    QCOMPARE(countDrawn(canvas->drawnNodes(), NodeState::Up), 4);

    // Kill with nothing selected kills the first node up.
    QTest::mouseClick(button("killNodeButton"), Qt::LeftButton);
    QTRY_COMPARE_WITH_TIMEOUT(engineState(*snap(), 0), u"dead"_s, kTimeoutMs);
    QTRY_COMPARE_WITH_TIMEOUT(drawnState(canvas, 0), u"dead"_s, kTimeoutMs);
    QCOMPARE(countState(snap()->app->nodes, NodeState::Up), 3);
    QTRY_COMPARE_WITH_TIMEOUT(countDrawn(canvas->drawnNodes(), NodeState::Up), 3, kTimeoutMs);
}

void TestWindow::clickedNodeIsTheTarget()
{
    TopologyView *canvas = m_window->topologyView();
    QTRY_COMPARE_WITH_TIMEOUT(drawnState(canvas, 2), u"up"_s, kTimeoutMs);
    QSignalSpy selected(canvas, &TopologyView::selectedNodeChanged);
    QRectF rect;
    for (const auto &n : canvas->drawnNodes())
        if (n.id == 2)
            rect = n.rect;
    QTest::mouseClick(canvas, Qt::LeftButton, {}, rect.center().toPoint());
    QCOMPARE(selected.count(), 1);
    QCOMPARE(selected.first().first().toInt(), 2);
    QCOMPARE(canvas->selectedNode(), 2);

    QTest::mouseClick(button("killNodeButton"), Qt::LeftButton);
    QTRY_COMPARE_WITH_TIMEOUT(engineState(*snap(), 2), u"dead"_s, kTimeoutMs);
    QTRY_COMPARE_WITH_TIMEOUT(drawnState(canvas, 2), u"dead"_s, kTimeoutMs);
    QCOMPARE(engineState(*snap(), 0), u"up"_s);
}

void TestWindow::removingTheLastNodeShowsTheError()
{
    QVERIFY(m_window->loadScenario(quietScenario(1), u"test-one-node"_s));
    QTRY_COMPARE_WITH_TIMEOUT(countState(snap()->app->nodes, NodeState::Up), 1, kTimeoutMs);
    QSignalSpy failed(m_window.get(), &MainWindow::errorShown);
    QTest::mouseClick(button("removeNodeButton"), Qt::LeftButton);
    QCOMPARE(failed.count(), 1);
    QVERIFY2(failed.first().first().toString().contains(u"last node"_s), qPrintable(failed.first().first().toString()));
    QCOMPARE(m_window->statusMessage(), failed.first().first().toString());
    QVERIFY(waitTicks(2));
    QCOMPARE(countState(snap()->app->nodes, NodeState::Up), 1);
}

void TestWindow::strategySelectorAndKeysDriveEngine()
{
    QComboBox *combo = m_window->strategyCombo();
    QCOMPARE(combo->currentText(), u"naive"_s);
    combo->setCurrentIndex(combo->findText(u"atomic"_s));
    QTRY_COMPARE_WITH_TIMEOUT(strategyOf(*snap()), u"atomic"_s, kTimeoutMs);

    m_window->activateWindow();
    QVERIFY(QTest::qWaitForWindowActive(m_window.get()));
    QTest::keyClick(m_window.get(), Qt::Key_4); // strategies are 1..5 in strategyNames() order
    QTRY_COMPARE_WITH_TIMEOUT(strategyOf(*snap()), u"sharded"_s, kTimeoutMs);
    QTRY_COMPARE_WITH_TIMEOUT(combo->currentText(), u"sharded"_s, kTimeoutMs);
    QVERIFY(m_window->actions()->strategies[3]->isChecked());
}

void TestWindow::rateSliderAndFieldDriveEngine()
{
    QSlider *slider = m_window->controlPanel()->rateSlider();
    const int position = ControlPanel::sliderPositionForRate(250);
    const double expected = ControlPanel::rateForSliderPosition(position);
    QVERIFY(std::abs(expected - 250) < 10);
    slider->setValue(position);
    QTRY_COMPARE_WITH_TIMEOUT(snap()->ratePerS, expected, kTimeoutMs);

    QLineEdit *field = m_window->controlPanel()->rateField();
    field->setFocus();
    field->selectAll();
    QTest::keyClicks(field, u"1234"_s);
    QTest::keyClick(field, Qt::Key_Return);
    QTRY_COMPARE_WITH_TIMEOUT(snap()->ratePerS, 1234.0, kTimeoutMs);
    QCOMPARE(slider->value(), ControlPanel::sliderPositionForRate(1234));

    // Ctrl+Up doubles (a shortcut, so the focus may stay in the field)
    m_window->activateWindow();
    QVERIFY(QTest::qWaitForWindowActive(m_window.get()));
    QTest::keyClick(m_window.get(), Qt::Key_Up, Qt::ControlModifier);
    QTRY_COMPARE_WITH_TIMEOUT(snap()->ratePerS, 2468.0, kTimeoutMs);

    // The field takes the engine's ceiling (beyond the slider's decades); Ctrl+Up there says so.
    field->setFocus();
    field->selectAll();
    QTest::keyClicks(field, u"2000000"_s);
    QTest::keyClick(field, Qt::Key_Return);
    QTRY_COMPARE_WITH_TIMEOUT(snap()->ratePerS, kMaxRatePerS, kTimeoutMs);
    QCOMPARE(slider->value(), slider->maximum());
    m_window->activateWindow();
    QVERIFY(QTest::qWaitForWindowActive(m_window.get()));
    QTest::keyClick(m_window.get(), Qt::Key_Up, Qt::ControlModifier);
    QCOMPARE(m_window->statusMessage(), u"Rate: already at the maximum, 2 M/s"_s);
    QCOMPARE(snap()->ratePerS, kMaxRatePerS);
    field->setFocus();
    field->selectAll();
    QTest::keyClicks(field, u"1234"_s);
    QTest::keyClick(field, Qt::Key_Return);
    QTRY_COMPARE_WITH_TIMEOUT(snap()->ratePerS, 1234.0, kTimeoutMs);
}

void TestWindow::badRateIsRefused_data()
{
    QTest::addColumn<QString>("text");
    QTest::newRow("word") << u"abc"_s;
    QTest::newRow("negative") << u"-1"_s;
    QTest::newRow("too high") << u"2e9"_s;
    QTest::newRow("zero") << u"0"_s;
    QTest::newRow("trailing garbage") << u"12x"_s;
    QTest::newRow("empty") << QString();
}

void TestWindow::badRateIsRefused()
{
    QFETCH(QString, text);
    const double before = snap()->ratePerS;
    QLineEdit *field = m_window->controlPanel()->rateField();
    QSignalSpy rejected(m_window->controlPanel(), &ControlPanel::inputRejected);
    QSignalSpy requested(m_window->controlPanel(), &ControlPanel::rateRequested);
    field->setFocus();
    field->clear();
    QTest::keyClicks(field, text);
    QTest::keyClick(field, Qt::Key_Return);
    QCOMPARE(rejected.count(), 1);
    QCOMPARE(requested.count(), 0);
    const QString message = m_window->statusMessage();
    QVERIFY2(message.startsWith(u"Rate:"_s) && message.contains(u"2 000 000"_s), qPrintable(message));
    QVERIFY(waitTicks(3));
    QCOMPARE(snap()->ratePerS, before);
}

void TestWindow::actionsLeaveMarkersOnEveryChart()
{
    QTest::mouseClick(button("spikeButton"), Qt::LeftButton);
    QTest::mouseClick(button("addNodeButton"), Qt::LeftButton);
    ChartsPanel *charts = m_window->chartsPanel();
    int checked = 0;
    // both pages of the flash sale: the hidden one catches up when it is shown (the fan-out's
    // page belongs to fan-out runs)
    for (int page = 0; page < ChartsPanel::PageCount; ++page) {
        if (!charts->pageAvailable(page))
            continue;
        charts->setPage(page);
        for (LiveChart *chart : charts->charts()) {
            if (charts->pageOf(chart) != page || chart->isHidden()) // hidden: not in use this run
                continue;
            QTRY_VERIFY2_WITH_TIMEOUT(
                chart->visibleMarkerLabels().contains(u"spike ×10"_s), qPrintable(chart->key()), kTimeoutMs);
            QTRY_VERIFY2_WITH_TIMEOUT(
                chart->visibleMarkerLabels().contains(u"+node 4"_s), qPrintable(chart->key()), kTimeoutMs);
            ++checked;
        }
    }
    QVERIFY2(checked >= 5, qPrintable(QString::number(checked))); // the flash sale's five at least
    QTRY_COMPARE_WITH_TIMEOUT(snap()->spikeFactor, 10.0, kTimeoutMs);
}

void TestWindow::oversoldTurnsRed()
{
    // The lesson of the default preset: naive read-then-write oversells under contention.
    Scenario s = quietScenario();
    s.config.traffic.ratePerS = 5000;
    s.config.stock = 200;
    QVERIFY(m_window->loadScenario(s, u"test-oversell"_s));
    CountersPanel *counters = m_window->countersPanel();
    QTRY_VERIFY_WITH_TIMEOUT(counters->oversoldAlarm(), 15000);
    QVERIFY(snap()->recent.back().store->oversold > 0);
    const QColor red = m_window->theme().oversold;
    QCOMPARE(counters->valueLabel(CountersPanel::Oversold)->palette().color(QPalette::WindowText), red);
    QVERIFY(counters->valueLabel(CountersPanel::Oversold)->font().weight() >= QFont::Bold);
    // (the window widens the panel for the alarm's larger type within a frame or two)
    QTRY_VERIFY_WITH_TIMEOUT(counters->valueLabel(CountersPanel::Oversold)->font().pointSizeF() >= 28, kTimeoutMs);
    QTRY_VERIFY_WITH_TIMEOUT(m_window->chartsPanel()->chart(u"oversold"_s)->alarm(), kTimeoutMs);
}

void TestWindow::chartSeriesStayBounded()
{
    // A synthetic run far longer than the window, fed at one tick per frame; its snapshots even
    // carry more history than the engine would (700 ticks), so the bound is the charts' own.
    struct Fake {
        bool frozen = false;
        std::shared_ptr<const Snapshot> last;
        double t = 0;
        quint64 seq = 0;
        std::deque<TickSample> ticks;
        std::vector<Marker> markers;
    };
    auto fake = std::make_shared<Fake>();
    m_window->setSnapshotSource([fake] {
        if (fake->frozen)
            return fake->last;
        fake->t += kTickSeconds;
        TickSample x;
        x.t = fake->t;
        x.attempts = x.succeeded = 1000 + 500 * std::sin(fake->t);
        x.p50Ms = 1, x.p95Ms = 2, x.p99Ms = 3 + std::sin(fake->t);
        x.store->sold = std::int64_t(fake->t * 10);
        x.store->stockRemaining = 100000 - x.store->sold;
        x.app->utilisation = 0.5;
        x.cache->views = 10000;
        x.cache->viewHits = 9000 + 500 * std::sin(fake->t);
        x.cache->viewMisses = x.cache->views - x.cache->viewHits;
        x.cache->hitRatio = x.cache->viewHits / x.cache->views;
        x.cache->storeReads = x.cache->viewMisses;
        x.cache->staleReads = 3;
        x.queue->enqueued = x.succeeded;
        x.queue->dequeued = 1000;
        x.queue->queueBacklog = std::int64_t(200 + 100 * std::sin(fake->t));
        x.queue->queueLagMs = 50;
        x.cache->cacheStock = x.store->stockRemaining;
        x.cache->divergence = -x.queue->queueBacklog;
        x.queue->duplicatesTotal = 0;
        fake->ticks.push_back(x);
        while (fake->ticks.size() > 700)
            fake->ticks.pop_front();
        if (std::fmod(fake->t + 1e-9, 7.0) < kTickSeconds)
            fake->markers.push_back({ fake->t, "spike ×10 for 5 s" });
        auto s = std::make_shared<Snapshot>();
        s->seq = ++fake->seq;
        s->t = fake->t;
        s->recent.assign(fake->ticks.begin(), fake->ticks.end());
        s->markers = fake->markers;
        s->app->nodes = { NodeView { 0, NodeState::Up, 64, 10, 0, 1000 } };
        fake->last = std::move(s);
        return fake->last;
    });
    const int frames = 1500; // 150 s of ticks
    for (int i = 0; i < frames; ++i)
        m_window->poll();
    // Charts refresh a few per frame; three more frames of the same snapshot bring all up to date.
    fake->frozen = true;
    for (int i = 0; i < 3; ++i)
        m_window->poll();

    ChartsPanel *charts = m_window->chartsPanel();
    charts->setPage(ChartsPanel::CacheQueuePage); // brings the hidden page up to date at once
    const int window = int(ChartsPanel::kWindowS / kTickSeconds);
    QVERIFY2(charts->maxSeriesPoints() <= window + 5, qPrintable(QString::number(charts->maxSeriesPoints())));
    QVERIFY(charts->maxSeriesPoints() >= window - 5);
    int checked = 0;
    for (LiveChart *chart : charts->charts()) {
        if (!charts->pageAvailable(charts->pageOf(chart))) // the fan-out's page: a fan-out run's
            continue;
        if (chart->isHidden()) // not in use this run: neither drawn nor refreshed
            continue;
        ++checked;
        QCOMPARE(chart->timeAxis()->max(), fake->t);
        QVERIFY(std::abs(chart->timeAxis()->max() - chart->timeAxis()->min() - ChartsPanel::kWindowS) < 1e-9);
        const QStringList labels = chart->visibleMarkerLabels();
        QVERIFY2(!labels.isEmpty(), qPrintable(chart->key()));
        QVERIFY(labels.size() <= MarkerOverlay::kPoolSize);
        for (int i = 0; i < chart->seriesCount(); ++i) {
            const QList<QPointF> points = chart->series(i)->points();
            QVERIFY2(points.size() >= window - 5 && points.size() <= window + 5,
                qPrintable(chart->key() + u": "_s + QString::number(points.size())));
            QVERIFY(points.first().x() >= fake->t - ChartsPanel::kWindowS - 1e-9);
        }
    }
    QVERIFY2(checked >= 5, qPrintable(QString::number(checked)));
}

void TestWindow::exportsWriteFilesOfTheirKind()
{
    QTRY_VERIFY_WITH_TIMEOUT(snap()->recent.size() >= 5, kTimeoutMs);
    QTRY_VERIFY_WITH_TIMEOUT(m_window->chartsPanel()->maxSeriesPoints() >= 5, kTimeoutMs);
    const QByteArray pngMagic("\x89PNG\r\n\x1a\n");

    for (const double dpr : { 1.0, 2.0 }) {
        const QString path = m_dir.filePath(u"window-%1x.png"_s.arg(dpr));
        QString error;
        QVERIFY2(m_window->exportScreenshot(path, dpr, &error), qPrintable(error));
        QVERIFY(readFile(path).startsWith(pngMagic));
        const QImage image(path);
        QCOMPARE(image.size(), m_window->size() * dpr);
        QVERIFY2(distinctColours(image) > 64, qPrintable(QString::number(distinctColours(image))));
    }

    const QString svg = m_dir.filePath(u"chart.svg"_s);
    QString error;
    QVERIFY2(m_window->exportChart(0, svg, &error), qPrintable(error));
    const QByteArray svgData = readFile(svg);
    QVERIFY(svgData.size() > 1000);
    QXmlStreamReader xml(svgData);
    while (!xml.atEnd() && !xml.isStartElement())
        xml.readNext();
    QCOMPARE(xml.name().toString(), u"svg"_s);
    QVERIFY(svgData.contains("<path") || svgData.contains("<polyline"));

    const QString chartPng = m_dir.filePath(u"chart.png"_s);
    QVERIFY2(m_window->exportChart(1, chartPng, &error), qPrintable(error));
    QVERIFY(readFile(chartPng).startsWith(pngMagic));
    QVERIFY(distinctColours(QImage(chartPng)) > 16);

    // a chart of the page not shown, without data in this run: still a picture of a chart
    ChartsPanel *charts = m_window->chartsPanel();
    const int backlog = int(charts->charts().indexOf(charts->chart(u"backlog"_s)));
    QVERIFY(!charts->charts().at(backlog)->isVisible());
    const QString hiddenPng = m_dir.filePath(u"backlog.png"_s);
    QVERIFY2(m_window->exportChart(backlog, hiddenPng, &error), qPrintable(error));
    const QImage hiddenImage(hiddenPng);
    QCOMPARE(hiddenImage.size(), charts->charts().at(0)->size() * 2);
    QVERIFY(distinctColours(hiddenImage) > 16);

    const QString csv = m_dir.filePath(u"timeline.csv"_s);
    QVERIFY2(m_window->exportTimelineCsv(csv, &error), qPrintable(error));
    const QList<QByteArray> lines = readFile(csv).trimmed().split('\n');
    QVERIFY(lines.size() >= 6);
    QVERIFY2(lines.first().startsWith("t_s,offered_per_s,"), lines.first().constData());
    QVERIFY(lines.first().contains("_ms,") && lines.first().contains("_units,"));

    // default names carry the scenario and a timestamp
    const QString name = m_window->defaultExportPath(QString(), u"png"_s);
    QVERIFY2(
        QRegularExpression(u"stampede-test-quiet-\\d{8}-\\d{6}\\.png$"_s).match(name).hasMatch(), qPrintable(name));
}

void TestWindow::exportToUnwritablePathFails()
{
    const QString path = m_dir.filePath(u"no-such-dir/window.png"_s);
    QSignalSpy failed(m_window.get(), &MainWindow::errorShown);
    QString error;
    QVERIFY(!m_window->exportScreenshot(path, 1.0, &error));
    QVERIFY2(error.contains(u"no-such-dir"_s), qPrintable(error));
    QCOMPARE(failed.count(), 1);
    QVERIFY(!m_window->exportChart(0, m_dir.filePath(u"chart.gif"_s), &error));
    QVERIFY2(error.contains(u".svg or .png"_s), qPrintable(error));
    QVERIFY(!QFile::exists(path));
}

void TestWindow::projectorModeScalesUp()
{
    QLabel *attempts = m_window->countersPanel()->valueLabel(CountersPanel::Attempts);
    LiveChart *chart = m_window->chartsPanel()->chart(u"throughput"_s);
    const double counterPt = attempts->font().pointSizeF();
    const double basePt = m_window->font().pointSizeF();
    const double lineW = chart->series(0)->pen().widthF();
    const double axisPt = chart->timeAxis()->labelsFont().pointSizeF();
    QVERIFY(counterPt >= 28);
    QVERIFY(lineW >= 2.5);

    m_window->activateWindow();
    QVERIFY(QTest::qWaitForWindowActive(m_window.get()));
    QTest::keyClick(m_window.get(), Qt::Key_F5);
    QVERIFY(m_window->projectorMode());
    // the theme's counters are 1.6x; the panel may take a few percent off to fit its room
    QTRY_VERIFY_WITH_TIMEOUT(attempts->font().pointSizeF() >= 1.5 * counterPt, kTimeoutMs);
    QVERIFY(m_window->font().pointSizeF() >= 1.6 * basePt);
    QVERIFY(chart->series(0)->pen().widthF() >= 1.6 * lineW);
    QVERIFY(chart->timeAxis()->labelsFont().pointSizeF() >= 1.6 * axisPt);

    m_window->setDarkTheme(true);
    QVERIFY(QApplication::palette().color(QPalette::Window).lightness() < 40);
    QVERIFY(QApplication::palette().color(QPalette::WindowText).lightness() > 220);
    m_window->setDarkTheme(false);
    m_window->setProjectorMode(false);
    QTRY_COMPARE_WITH_TIMEOUT(attempts->font().pointSizeF(), counterPt, kTimeoutMs);
}

void TestWindow::everyActionHasAKeyAndAWidget()
{
    ActionSet *actions = m_window->actions();
    ShortcutsDialog dialog(*actions);
    int total = 0;
    QSet<QString> keys;
    for (const auto &[menu, list] : actions->byMenu()) {
        for (QAction *a : list) {
            ++total;
            QVERIFY2(!a->shortcuts().isEmpty(), qPrintable(a->text()));
            for (const QKeySequence &k : a->shortcuts()) {
                QVERIFY2(!keys.contains(k.toString()), qPrintable(u"duplicate key "_s + k.toString()));
                keys.insert(k.toString());
            }
            // a widget besides the menu: a panel button, a toolbar button, or a combo box
            const bool combo = menu == u"Lessons"_s || a->actionGroup() == actions->strategyGroup;
            bool widget = combo;
            for (QObject *o : a->associatedObjects())
                widget = widget || qobject_cast<QToolButton *>(o) || qobject_cast<QToolBar *>(o);
            const bool menuOnly = menu == u"File"_s || menu == u"View"_s || menu == u"Help"_s;
            QVERIFY2(widget || menuOnly, qPrintable(a->text()));
        }
    }
    QCOMPARE(dialog.table()->rowCount(), total);
    QVERIFY(total >= 40);
}

void TestWindow::lessonReplacesEngine()
{
    const Engine *before = engine();
    ActionSet *actions = m_window->actions();
    QVERIFY(actions->lessons.size() >= 2);
    QAction *lesson = actions->lessons.at(1);
    lesson->trigger();
    QCOMPARE(m_window->scenarioName(), lesson->data().toString());
    QVERIFY(engine() != before);
    QCOMPARE(m_window->presetCombo()->currentData().toString(), lesson->data().toString());
    QVERIFY(lesson->isChecked());
    QTRY_VERIFY_WITH_TIMEOUT(snap()->running && !snap()->recent.empty(), kTimeoutMs);
}

void TestWindow::runWindowTakesScreenshot()
{
    m_window.reset();
    WindowOptions options;
    options.screenshotFile = m_dir.filePath(u"run-window.png"_s);
    options.afterSeconds = 1.0;
    options.rate = 800;
    auto &app = static_cast<QApplication &>(*QCoreApplication::instance());
    QCOMPARE(runWindow(app, options), 0);
    QVERIFY(readFile(options.screenshotFile).startsWith("\x89PNG"));
    QVERIFY(distinctColours(QImage(options.screenshotFile)) > 64);
}

// --read-ratio and --consumers reach the window's scenario like the other overrides.
void TestWindow::windowOptionsCarryOverrides()
{
    WindowOptions options;
    options.preset = u"black-friday-cache-queue"_s;
    options.readRatio = 5;
    options.consumers = 3;
    options.nodes = 2;
    QString error;
    const auto s = resolveScenario(toCliOptions(options), &error);
    QVERIFY2(s, qPrintable(error));
    QCOMPARE(s->config.traffic.readRatio, 5.0);
    QCOMPARE(s->config.queue.consumers, 3);
    QCOMPARE(s->config.nodes.count, 2);
}

void TestWindow::runWindowRejectsUnwritableScreenshot()
{
    m_window.reset();
    WindowOptions options;
    options.screenshotFile = m_dir.filePath(u"no-such-dir/shot.png"_s);
    options.afterSeconds = 0;
    auto &app = static_cast<QApplication &>(*QCoreApplication::instance());
    QCOMPARE(runWindow(app, options), 2);
}

// ---------------------------------------------------------------- cache tier and order queue

void TestWindow::tierActionsHaveKeysAndWidgets_data()
{
    QTest::addColumn<QString>("action");
    QTest::addColumn<QString>("key");
    QTest::addColumn<QString>("menu");
    QTest::addColumn<QString>("button"); // object name of its panel button
    QTest::newRow("add cache node") << u"addCacheNode"_s << u"C"_s << u"Cache"_s << u"addCacheNodeButton"_s;
    QTest::newRow("remove cache node") << u"removeCacheNode"_s << u"Shift+C"_s << u"Cache"_s
                                       << u"removeCacheNodeButton"_s;
    QTest::newRow("kill cache node") << u"killCacheNode"_s << u"X"_s << u"Cache"_s << u"killCacheNodeButton"_s;
    QTest::newRow("hashing") << u"ringPlacement"_s << u"H"_s << u"Cache"_s << u"ringPlacementButton"_s;
    QTest::newRow("single-flight") << u"singleFlight"_s << u"F"_s << u"Cache"_s << u"singleFlightButton"_s;
    QTest::newRow("ttl jitter") << u"ttlJitter"_s << u"J"_s << u"Cache"_s << u"ttlJitterButton"_s;
    QTest::newRow("views") << u"readTraffic"_s << u"V"_s << u"Cache"_s << u"readTrafficButton"_s;
    QTest::newRow("counter recovery") << u"resetRecovery"_s << u"L"_s << u"Cache"_s << u"recoveryButton"_s;
    QTest::newRow("add consumer") << u"addConsumer"_s << u"Q"_s << u"Queue"_s << u"addConsumerButton"_s;
    QTest::newRow("remove consumer") << u"removeConsumer"_s << u"Shift+Q"_s << u"Queue"_s << u"removeConsumerButton"_s;
    QTest::newRow("kill consumer") << u"killConsumer"_s << u"Shift+X"_s << u"Queue"_s << u"killConsumerButton"_s;
    QTest::newRow("idempotent") << u"idempotent"_s << u"I"_s << u"Queue"_s << u"idempotentButton"_s;
    QTest::newRow("queue full") << u"blockWhenFull"_s << u"B"_s << u"Queue"_s << u"queueFullButton"_s;
    QTest::newRow("strategy cache-queue") << u"cacheQueue"_s << u"5"_s << u"Run"_s << QString();
    QTest::newRow("chart page") << u"chartPage"_s << u"G"_s << u"View"_s << QString();
}

void TestWindow::tierActionsHaveKeysAndWidgets()
{
    QFETCH(QString, action);
    QFETCH(QString, key);
    QFETCH(QString, menu);
    QFETCH(QString, button);
    ActionSet *actions = m_window->actions();
    QAction *a = actionNamed(actions, action);
    QVERIFY(a);
    QCOMPARE(a->shortcuts().value(0), QKeySequence(key));

    // in its menu, and in Help ▸ Keyboard shortcuts with its key
    bool inMenu = false;
    for (const auto &[title, list] : actions->byMenu())
        inMenu = inMenu || (title == menu && list.contains(a));
    QVERIFY(inMenu);
    ShortcutsDialog dialog(*actions);
    QString text = a->text();
    text.remove(u'&');
    bool listed = false;
    for (int row = 0; row < dialog.table()->rowCount(); ++row)
        listed = listed
            || (dialog.table()->item(row, 1)->text() == text
                && dialog.table()->item(row, 2)->text().contains(QKeySequence(key).toString(QKeySequence::NativeText)));
    QVERIFY2(listed, qPrintable(text));

    // and a widget: its panel button (which shows the key), or the strategy combo / the chart tabs
    if (!button.isEmpty()) {
        auto *b = m_window->findChild<QToolButton *>(button);
        QVERIFY(b);
        QCOMPARE(b->defaultAction(), a);
        QVERIFY(b->isVisibleTo(m_window.get()));
        QVERIFY2(b->text().endsWith(QKeySequence(key).toString(QKeySequence::NativeText)), qPrintable(b->text()));
    } else if (action == u"cacheQueue") {
        QCOMPARE(m_window->strategyCombo()->itemText(4), u"cache-queue"_s);
        QCOMPARE(a->actionGroup(), actions->strategyGroup);
    } else {
        QCOMPARE(m_window->chartsPanel()->tabBar()->count(), int(ChartsPanel::PageCount));
    }
}

void TestWindow::tierCommandsDriveEngineAndCanvas_data()
{
    QTest::addColumn<QString>("action");
    QTest::addColumn<bool>("viaKey"); // else its panel button
    QTest::addColumn<QString>("what");
    QTest::addColumn<QString>("before");
    QTest::addColumn<QString>("after");
    QTest::newRow("add cache node (key)") << u"addCacheNode"_s << true << u"cache up"_s << u"3"_s << u"4"_s;
    QTest::newRow("add cache node (button)") << u"addCacheNode"_s << false << u"cache up"_s << u"3"_s << u"4"_s;
    QTest::newRow("remove cache node") << u"removeCacheNode"_s << true << u"cache up"_s << u"3"_s << u"2"_s;
    QTest::newRow("kill cache node") << u"killCacheNode"_s << false << u"cache dead"_s << u"0"_s << u"1"_s;
    QTest::newRow("hashing") << u"ringPlacement"_s << true << u"placement"_s << u"ring"_s << u"modulo"_s;
    QTest::newRow("single-flight") << u"singleFlight"_s << false << u"single-flight"_s << u"off"_s << u"on"_s;
    QTest::newRow("ttl jitter") << u"ttlJitter"_s << true << u"ttl jitter"_s << u"0 %"_s << u"20 %"_s;
    QTest::newRow("views") << u"readTraffic"_s << true << u"read ratio"_s << u"0"_s << u"100"_s;
    QTest::newRow("counter recovery") << u"resetRecovery"_s << false << u"recovery"_s << u"reload-from-store"_s
                                      << u"reset-to-initial"_s;
    QTest::newRow("add consumer") << u"addConsumer"_s << true << u"consumers up"_s << u"2"_s << u"3"_s;
    QTest::newRow("remove consumer") << u"removeConsumer"_s << false << u"consumers up"_s << u"2"_s << u"1"_s;
    QTest::newRow("kill consumer") << u"killConsumer"_s << true << u"consumers dead"_s << u"0"_s << u"1"_s;
    QTest::newRow("idempotent") << u"idempotent"_s << true << u"idempotent"_s << u"off"_s << u"on"_s;
    QTest::newRow("queue full") << u"blockWhenFull"_s << false << u"queue full"_s << u"reject"_s << u"block"_s;
}

void TestWindow::tierCommandsDriveEngineAndCanvas()
{
    QFETCH(QString, action);
    QFETCH(bool, viaKey);
    QFETCH(QString, what);
    QFETCH(QString, before);
    QFETCH(QString, after);
    QVERIFY(m_window->loadScenario(tierScenario(), u"test-cache-queue"_s));
    TopologyView *canvas = m_window->topologyView();
    QTRY_COMPARE_WITH_TIMEOUT(canvas->drawnCacheNodes().size(), 3, kTimeoutMs);
    QTRY_COMPARE_WITH_TIMEOUT(canvas->drawnConsumers().size(), 2, kTimeoutMs);
    QCOMPARE(observe(*snap(), what), before);

    QAction *a = actionNamed(m_window->actions(), action);
    const bool wasChecked = a->isChecked();
    QSignalSpy failed(m_window.get(), &MainWindow::errorShown);
    if (viaKey) {
        m_window->activateWindow();
        QVERIFY(QTest::qWaitForWindowActive(m_window.get()));
        QTest::keySequence(m_window.get(), a->shortcuts().value(0));
    } else {
        auto *b = m_window->findChild<QToolButton *>();
        for (QToolButton *candidate : m_window->findChildren<QToolButton *>())
            if (candidate->defaultAction() == a && candidate->objectName().endsWith(u"Button"_s))
                b = candidate;
        QCOMPARE(b->defaultAction(), a);
        QTest::mouseClick(b, Qt::LeftButton);
    }
    QTRY_COMPARE_WITH_TIMEOUT(observe(*snap(), what), after, kTimeoutMs);
    QCOMPARE(failed.count(), 0);

    // the canvas and the toggles show the engine's new state
    if (what.startsWith(u"cache")) {
        QTRY_COMPARE_WITH_TIMEOUT(countIn(canvas->drawnCacheNodes(), NodeState::Up),
            countIn(snap()->cache->cacheNodes, NodeState::Up), kTimeoutMs);
        QTRY_COMPARE_WITH_TIMEOUT(countIn(canvas->drawnCacheNodes(), NodeState::Dead),
            countIn(snap()->cache->cacheNodes, NodeState::Dead), kTimeoutMs);
    } else if (what.startsWith(u"consumers")) {
        QTRY_COMPARE_WITH_TIMEOUT(countIn(canvas->drawnConsumers(), NodeState::Up),
            countIn(snap()->queue->consumers, NodeState::Up), kTimeoutMs);
        QTRY_COMPARE_WITH_TIMEOUT(countIn(canvas->drawnConsumers(), NodeState::Dead),
            countIn(snap()->queue->consumers, NodeState::Dead), kTimeoutMs);
    } else {
        QVERIFY(a->isCheckable());
        const QString offText = a->text();
        QVERIFY(waitTicks(2)); // the toggle follows the engine's snapshot, and stays
        QCOMPARE(a->isChecked(), !wasChecked);
        QVERIFY2(a->text().contains(u": "_s), qPrintable(a->text())); // says its state
        QTest::keySequence(m_window.get(), a->shortcuts().value(0)); // and back
        QTRY_COMPARE_WITH_TIMEOUT(observe(*snap(), what), before, kTimeoutMs);
        QTRY_COMPARE_WITH_TIMEOUT(a->isChecked(), wasChecked, kTimeoutMs);
        QVERIFY(a->text() != offText);
    }
}

void TestWindow::jitterAndReadRatioBoxes()
{
    QVERIFY(m_window->loadScenario(tierScenario(Strategy::Atomic), u"test-cache"_s));
    ControlPanel *panel = m_window->controlPanel();
    ActionSet *actions = m_window->actions();
    QSignalSpy jitterAsked(panel, &ControlPanel::ttlJitterRequested);
    QSpinBox *jitter = panel->ttlJitterBox();
    jitter->setFocus();
    jitter->selectAll();
    QTest::keyClicks(jitter, u"35"_s);
    QCOMPARE(jitterAsked.count(), 0); // nothing while typing
    QTest::keyClick(jitter, Qt::Key_Return);
    QCOMPARE(jitterAsked.count(), 1);
    QTRY_COMPARE_WITH_TIMEOUT(snap()->cache->ttlJitter, 0.35, kTimeoutMs);
    QTRY_VERIFY_WITH_TIMEOUT(actions->ttlJitter->isChecked(), kTimeoutMs);
    QVERIFY(!jitter->hasFocus()); // the one-key actions work again

    // the toggle turns it off, and back on to the amount set before
    m_window->activateWindow();
    QVERIFY(QTest::qWaitForWindowActive(m_window.get()));
    QTest::keyClick(m_window.get(), Qt::Key_J);
    QTRY_COMPARE_WITH_TIMEOUT(snap()->cache->ttlJitter, 0.0, kTimeoutMs);
    QTRY_COMPARE_WITH_TIMEOUT(jitter->value(), 0, kTimeoutMs);
    QTest::keyClick(m_window.get(), Qt::Key_J);
    QTRY_COMPARE_WITH_TIMEOUT(snap()->cache->ttlJitter, 0.35, kTimeoutMs);

    QSpinBox *ratio = panel->readRatioBox();
    ratio->setFocus();
    ratio->selectAll();
    QTest::keyClicks(ratio, u"50"_s);
    QTest::keyClick(ratio, Qt::Key_Return);
    QTRY_COMPARE_WITH_TIMEOUT(snap()->cache->readRatio, 50.0, kTimeoutMs);
    QTRY_VERIFY_WITH_TIMEOUT(actions->readTraffic->isChecked(), kTimeoutMs);
    m_window->activateWindow();
    QTest::keyClick(m_window.get(), Qt::Key_V);
    QTRY_COMPARE_WITH_TIMEOUT(snap()->cache->readRatio, 0.0, kTimeoutMs);
    QTest::keyClick(m_window.get(), Qt::Key_V);
    QTRY_COMPARE_WITH_TIMEOUT(snap()->cache->readRatio, 50.0, kTimeoutMs);
    // views are served: the engine counts them
    QTRY_VERIFY_WITH_TIMEOUT(snap()->cache->views > 0, kTimeoutMs);
}

void TestWindow::failedTierCommandShowsItsError_data()
{
    QTest::addColumn<QString>("action");
    QTest::addColumn<QString>("expected"); // in the one-line error
    QTest::newRow("kill cache node without a cache tier") << u"killCacheNode"_s << u"cache node"_s;
    QTest::newRow("remove cache node without a cache tier") << u"removeCacheNode"_s << u"cache node"_s;
    QTest::newRow("cache-queue without a cache tier") << u"cacheQueue"_s << u"cache"_s;
}

void TestWindow::failedTierCommandShowsItsError()
{
    QFETCH(QString, action);
    QFETCH(QString, expected);
    // the quiet run has no cache tier
    QAction *a = actionNamed(m_window->actions(), action);
    QSignalSpy failed(m_window.get(), &MainWindow::errorShown);
    m_window->activateWindow();
    QVERIFY(QTest::qWaitForWindowActive(m_window.get()));
    QTest::keySequence(m_window.get(), a->shortcuts().value(0));
    QCOMPARE(failed.count(), 1);
    const QString error = failed.first().first().toString();
    QVERIFY2(error.contains(expected) && !error.contains(u'\n'), qPrintable(error));
    QCOMPARE(m_window->statusMessage(), error);
    QVERIFY(waitTicks(2));
    QCOMPARE(strategyOf(*snap()), u"naive"_s);
    QTRY_COMPARE_WITH_TIMEOUT(m_window->strategyCombo()->currentText(), u"naive"_s, kTimeoutMs);
    QVERIFY(snap()->cache->cacheNodes.empty());
}

void TestWindow::ringAndQueueDrawnOnlyWhenUsed()
{
    TopologyView *canvas = m_window->topologyView();
    CountersPanel *counters = m_window->countersPanel();
    // the flash-sale run: neither, and the flash-sale charts
    QVERIFY(waitTicks(3));
    QVERIFY(canvas->cacheTierRect().isEmpty() && canvas->queueRect().isEmpty());
    QVERIFY(canvas->drawnCacheNodes().isEmpty() && canvas->drawnConsumers().isEmpty());
    QVERIFY(!counters->isShown(CountersPanel::HitRatio) && !counters->isShown(CountersPanel::Backlog));
    QCOMPARE(m_window->chartsPanel()->page(), int(ChartsPanel::FlashSalePage));

    // a cache tier under atomic: the ring, no queue
    QVERIFY(m_window->loadScenario(tierScenario(Strategy::Atomic, 3), u"test-cache"_s));
    QTRY_COMPARE_WITH_TIMEOUT(canvas->drawnCacheNodes().size(), 3, kTimeoutMs);
    QVERIFY(canvas->rect().contains(canvas->cacheTierRect().toRect()));
    QVERIFY(canvas->queueRect().isEmpty());
    double degrees = 0;
    for (const auto &c : canvas->drawnCacheNodes()) {
        QVERIFY(canvas->cacheTierRect().contains(c.rect));
        QCOMPARE(canvas->cacheNodeAt(c.rect.center()), c.id);
        QVERIFY(c.spanDeg > 0);
        degrees += c.spanDeg;
    }
    QVERIFY2(std::abs(degrees - 360) < 0.5, qPrintable(QString::number(degrees))); // the shares cover the ring
    ChartsPanel *charts = m_window->chartsPanel();
    QCOMPARE(charts->page(), int(ChartsPanel::CacheQueuePage));
    // no views yet: no hit ratio to show; no queue: no queue charts
    QVERIFY(!counters->isShown(CountersPanel::HitRatio) && !counters->isShown(CountersPanel::Backlog));
    QVERIFY(charts->chart(u"hits"_s)->isHidden() && charts->chart(u"backlog"_s)->isHidden());
    QVERIFY(charts->chart(u"anomalies"_s)->isVisible());
    m_window->activateWindow();
    QVERIFY(QTest::qWaitForWindowActive(m_window.get()));
    QTest::keyClick(m_window.get(), Qt::Key_V);
    QTRY_VERIFY_WITH_TIMEOUT(counters->isShown(CountersPanel::HitRatio), kTimeoutMs);
    QTRY_VERIFY_WITH_TIMEOUT(charts->chart(u"hits"_s)->isVisible(), kTimeoutMs);
    QVERIFY(!counters->isShown(CountersPanel::Backlog) && charts->chart(u"backlog"_s)->isHidden());

    // cache-queue: ring and queue with its partitions and consumers
    QVERIFY(m_window->loadScenario(tierScenario(Strategy::CacheQueue, 2), u"test-cache-queue"_s));
    QTRY_COMPARE_WITH_TIMEOUT(canvas->drawnConsumers().size(), 2, kTimeoutMs);
    QCOMPARE(canvas->drawnCacheNodes().size(), 2);
    QCOMPARE(canvas->drawnPartitions().size(), 4);
    QVERIFY(!canvas->queueRect().isEmpty());
    QVERIFY(!canvas->queueRect().intersects(canvas->cacheTierRect()));
    for (const auto &c : canvas->drawnConsumers()) {
        QVERIFY(canvas->queueRect().contains(c.rect));
        QCOMPARE(canvas->consumerAt(c.rect.center()), c.id);
    }
    // the engine names the node holding the stock counter; it is one the ring shows
    QTRY_VERIFY_WITH_TIMEOUT(snap()->cache->counterNode >= 0, kTimeoutMs);
    QVERIFY(!cacheCardOf(canvas, snap()->cache->counterNode).isEmpty());
    QTRY_VERIFY_WITH_TIMEOUT(counters->isShown(CountersPanel::Backlog), kTimeoutMs);
    QTRY_VERIFY_WITH_TIMEOUT(charts->chart(u"backlog"_s)->isVisible(), kTimeoutMs);
    QVERIFY(charts->chart(u"hits"_s)->isHidden()); // cache-queue without views: counters only

    // and back: gone again
    QVERIFY(m_window->loadScenario(quietScenario(), u"test-quiet"_s));
    QTRY_VERIFY_WITH_TIMEOUT(canvas->cacheTierRect().isEmpty() && canvas->queueRect().isEmpty(), kTimeoutMs);
    QTRY_VERIFY_WITH_TIMEOUT(!counters->isShown(CountersPanel::HitRatio), kTimeoutMs);
}

void TestWindow::clickedCacheNodeAndConsumerAreTargets()
{
    QVERIFY(m_window->loadScenario(tierScenario(), u"test-cache-queue"_s));
    TopologyView *canvas = m_window->topologyView();
    QTRY_COMPARE_WITH_TIMEOUT(canvas->drawnCacheNodes().size(), 3, kTimeoutMs);
    QTRY_COMPARE_WITH_TIMEOUT(canvas->drawnConsumers().size(), 2, kTimeoutMs);

    QSignalSpy cacheSelected(canvas, &TopologyView::selectedCacheNodeChanged);
    QTest::mouseClick(canvas, Qt::LeftButton, {}, cacheCardOf(canvas, 2).center().toPoint());
    QCOMPARE(cacheSelected.count(), 1);
    QCOMPARE(canvas->selectedCacheNode(), 2);
    QVERIFY(m_window->findChild<QLabel *>(u"selectedCacheNode"_s)->text().contains(u"cache node 2"_s));
    QTest::mouseClick(button("killCacheNodeButton"), Qt::LeftButton);
    QTRY_COMPARE_WITH_TIMEOUT(observe(*snap(), u"cache dead"_s), u"1"_s, kTimeoutMs);
    QCOMPARE(stateOf(snap()->cache->cacheNodes, 2), u"dead"_s);
    QCOMPARE(stateOf(snap()->cache->cacheNodes, 0), u"up"_s);

    QSignalSpy consumerSelected(canvas, &TopologyView::selectedConsumerChanged);
    QTest::mouseClick(canvas, Qt::LeftButton, {}, consumerChipOf(canvas, 1).center().toPoint());
    QCOMPARE(consumerSelected.count(), 1);
    QCOMPARE(canvas->selectedConsumer(), 1);
    QCOMPARE(canvas->selectedNode(), -1); // each kind has its own target
    m_window->activateWindow();
    QVERIFY(QTest::qWaitForWindowActive(m_window.get()));
    QTest::keyClick(m_window.get(), Qt::Key_X, Qt::ShiftModifier);
    QTRY_COMPARE_WITH_TIMEOUT(observe(*snap(), u"consumers dead"_s), u"1"_s, kTimeoutMs);
    QCOMPARE(stateOf(snap()->queue->consumers, 1), u"dead"_s);
    QCOMPARE(stateOf(snap()->queue->consumers, 0), u"up"_s);

    // a click beside everything clears the targets
    QTest::mouseClick(canvas, Qt::LeftButton, {}, QPoint(2, canvas->height() - 2));
    QCOMPARE(canvas->selectedCacheNode(), -1);
    QCOMPARE(canvas->selectedConsumer(), -1);
}

void TestWindow::contextMenusRemoveAndKill_data()
{
    QTest::addColumn<bool>("consumer"); // else a cache node
    QTest::addColumn<QString>("item");
    QTest::addColumn<QString>("what");
    QTest::addColumn<QString>("after");
    QTest::newRow("kill cache node") << false << u"Kill cache node 1"_s << u"cache dead"_s << u"1"_s;
    QTest::newRow("remove cache node") << false << u"Remove cache node 1"_s << u"cache up"_s << u"2"_s;
    QTest::newRow("kill consumer") << true << u"Kill consumer 1"_s << u"consumers dead"_s << u"1"_s;
    QTest::newRow("remove consumer") << true << u"Remove consumer 1"_s << u"consumers up"_s << u"1"_s;
}

void TestWindow::contextMenusRemoveAndKill()
{
    QFETCH(bool, consumer);
    QFETCH(QString, item);
    QFETCH(QString, what);
    QFETCH(QString, after);
    QVERIFY(m_window->loadScenario(tierScenario(), u"test-cache-queue"_s));
    TopologyView *canvas = m_window->topologyView();
    QTRY_COMPARE_WITH_TIMEOUT(canvas->drawnCacheNodes().size(), 3, kTimeoutMs);
    QTRY_COMPARE_WITH_TIMEOUT(canvas->drawnConsumers().size(), 2, kTimeoutMs);
    const QPoint at = (consumer ? consumerChipOf(canvas, 1) : cacheCardOf(canvas, 1)).center().toPoint();
    chooseFromPopup(item);
    QContextMenuEvent event(QContextMenuEvent::Mouse, at, canvas->mapToGlobal(at));
    QApplication::sendEvent(canvas, &event);
    QCOMPARE(consumer ? canvas->selectedConsumer() : canvas->selectedCacheNode(), 1); // the menu's target
    QTRY_COMPARE_WITH_TIMEOUT(observe(*snap(), what), after, kTimeoutMs);
}

void TestWindow::tierChartsReceivePoints()
{
    QVERIFY(m_window->loadScenario(tierScenario(), u"test-cache-queue"_s));
    ChartsPanel *charts = m_window->chartsPanel();
    QCOMPARE(charts->page(), int(ChartsPanel::CacheQueuePage)); // the page that fits the scenario
    QCOMPARE(charts->tabBar()->currentIndex(), int(ChartsPanel::CacheQueuePage));
    m_window->activateWindow();
    QVERIFY(QTest::qWaitForWindowActive(m_window.get()));
    QTest::keyClick(m_window.get(), Qt::Key_V); // product-page views at 100 : 1
    QTRY_COMPARE_WITH_TIMEOUT(snap()->cache->readRatio, 100.0, kTimeoutMs);

    // a series "receives data" when one of its recent points is above 0
    auto lastPositive = [](LiveChart *chart, int series) {
        const QList<QPointF> points = chart->series(series)->points();
        return std::any_of(points.end() - std::min<qsizetype>(points.size(), 20), points.end(),
            [](const QPointF &p) { return p.y() > 0; });
    };
    LiveChart *hits = charts->chart(u"hits"_s);
    LiveChart *orders = charts->chart(u"orders"_s);
    LiveChart *divergence = charts->chart(u"divergence"_s);
    QVERIFY(hits && orders && divergence && charts->chart(u"backlog"_s) && charts->chart(u"anomalies"_s));
    QTRY_VERIFY_WITH_TIMEOUT(hits->isVisible(), kTimeoutMs); // views: the hit ratio means something now
    QTRY_VERIFY_WITH_TIMEOUT(lastPositive(hits, 0), kTimeoutMs); // hit ratio
    QTRY_VERIFY_WITH_TIMEOUT(lastPositive(orders, 0), kTimeoutMs); // queued
    QTRY_VERIFY_WITH_TIMEOUT(lastPositive(orders, 1), kTimeoutMs); // persisted
    QTRY_VERIFY_WITH_TIMEOUT(lastPositive(divergence, 0), kTimeoutMs); // cache stock
    QTRY_VERIFY_WITH_TIMEOUT(lastPositive(divergence, 1), kTimeoutMs); // store stock
    for (const QString &key : { u"backlog"_s, u"anomalies"_s })
        QTRY_VERIFY_WITH_TIMEOUT(charts->chart(key)->pointCount(0) > 5, kTimeoutMs);
    QVERIFY(hits->titleText().contains(u'%'));
    // labelled 0..100 %; above 100 only the band the marker labels take (no data there)
    QVERIFY(hits->axisLabels(LiveChart::Axis::Left).last().startsWith(u"100"_s));
    QVERIFY(hits->valueAxis(LiveChart::Axis::Left)->max() >= 100);

    // G shows the other page; its charts catch up at once
    QTest::keyClick(m_window.get(), Qt::Key_G);
    QCOMPARE(charts->page(), int(ChartsPanel::FlashSalePage));
    QCOMPARE(charts->tabBar()->currentIndex(), int(ChartsPanel::FlashSalePage));
    QVERIFY(charts->chart(u"throughput"_s)->isVisible() && !hits->isVisible());
    QVERIFY(lastPositive(charts->chart(u"throughput"_s), 0));
    QTest::mouseClick(
        charts->tabBar(), Qt::LeftButton, {}, charts->tabBar()->tabRect(ChartsPanel::CacheQueuePage).center());
    QCOMPARE(charts->page(), int(ChartsPanel::CacheQueuePage));
    QVERIFY(hits->isVisible());
}

void TestWindow::duplicatesTurnRed()
{
    // at-least-once: a killed consumer's persisted but unacknowledged orders are persisted again
    Scenario s = tierScenario(Strategy::CacheQueue, 2);
    s.config.traffic.ratePerS = 3000;
    s.config.queue.batch = 50;
    s.config.queue.capacity = 100000;
    QVERIFY(m_window->loadScenario(s, u"test-duplicates"_s));
    TopologyView *canvas = m_window->topologyView();
    CountersPanel *counters = m_window->countersPanel();
    QVERIFY(!m_window->actions()->idempotent->isChecked());
    // kill, through the canvas and the panel, whichever consumer holds messages, and add one back
    for (int round = 0; round < 200 && snap()->queue->duplicates == 0; ++round) {
        QVERIFY(waitTicks(1));
        for (const auto &c : snap()->queue->consumers)
            if (c.state == NodeState::Up && c.inHand > 5 && !consumerChipOf(canvas, c.id).isEmpty()) {
                QTest::mouseClick(canvas, Qt::LeftButton, {}, consumerChipOf(canvas, c.id).center().toPoint());
                if (canvas->selectedConsumer() != c.id)
                    break;
                QTest::mouseClick(button("killConsumerButton"), Qt::LeftButton);
                QTest::mouseClick(button("addConsumerButton"), Qt::LeftButton);
                break;
            }
    }
    QTRY_VERIFY_WITH_TIMEOUT(snap()->queue->duplicates > 0, kTimeoutMs);
    QTRY_VERIFY_WITH_TIMEOUT(counters->valueText(CountersPanel::Duplicates) != u"0"_s, kTimeoutMs);
    const QColor red = m_window->theme().oversold;
    QCOMPARE(counters->valueLabel(CountersPanel::Duplicates)->palette().color(QPalette::WindowText), red);
    QTRY_VERIFY_WITH_TIMEOUT(m_window->chartsPanel()->chart(u"anomalies"_s)->alarm(), kTimeoutMs);
    QCOMPARE(m_window->chartsPanel()->tabBar()->tabTextColor(ChartsPanel::CacheQueuePage), red);
    QVERIFY(!counters->oversoldAlarm()); // OVERSOLD is a different failure
}

// ---------------------------------------------------------------- the celebrity fan-out

void TestWindow::fanoutRunShowsItsOwnWindow()
{
    QVERIFY(m_window->loadScenario(fanoutScenario(), u"test-fanout"_s));
    TopologyView *canvas = m_window->topologyView();
    CountersPanel *counters = m_window->countersPanel();
    ChartsPanel *charts = m_window->chartsPanel();
    // the diagram: author, queue, workers, outboxes, readers, and one cell per inbox shard
    QTRY_COMPARE_WITH_TIMEOUT(canvas->drawnShards().size(), 16, kTimeoutMs);
    for (const QString &tier : { u"author"_s, u"fanoutQueue"_s, u"workers"_s, u"outbox"_s, u"readers"_s, u"shards"_s })
        QVERIFY2(!canvas->tierRect(tier).isEmpty(), qPrintable(tier));
    QVERIFY(canvas->tierRect(u"store"_s).isEmpty() && canvas->drawnNodes().isEmpty());
    for (const auto &shard : canvas->drawnShards())
        QVERIFY(canvas->tierRect(u"shards"_s).contains(shard.rect));
    QTRY_COMPARE_WITH_TIMEOUT(canvas->record().workerChips, 8, kTimeoutMs);
    // its counters, not the flash sale's
    QTRY_VERIFY_WITH_TIMEOUT(counters->isShown(CountersPanel::Reached), kTimeoutMs);
    for (const auto c : { CountersPanel::FanoutBacklog, CountersPanel::ReadP99, CountersPanel::FetchesPerRead,
             CountersPanel::FanoutStale, CountersPanel::FanoutDuplicates, CountersPanel::Entries,
             CountersPanel::WorkersUp })
        QVERIFY(counters->isShown(c));
    for (int c = 0; c < CountersPanel::kFanoutFirst; ++c)
        QVERIFY(!counters->isShown(CountersPanel::Counter(c)));
    QTRY_COMPARE_WITH_TIMEOUT(counters->valueText(CountersPanel::WorkersUp), u"8"_s, kTimeoutMs);
    // its page of charts, alone
    QCOMPARE(charts->page(), int(ChartsPanel::FanoutPage));
    QCOMPARE(charts->pageCount(), 1);
    QVERIFY(charts->tabBar()->isTabVisible(ChartsPanel::FanoutPage));
    QVERIFY(!charts->tabBar()->isTabVisible(ChartsPanel::FlashSalePage));
    QVERIFY(!charts->tabBar()->isTabVisible(ChartsPanel::CacheQueuePage));
    for (const QString &key :
        { u"visibility"_s, u"readLatency"_s, u"work"_s, u"fanoutBacklog"_s, u"fanoutAnomalies"_s })
        QVERIFY2(charts->chart(key) && charts->chart(key)->isVisible(), qPrintable(key));
    QVERIFY(!charts->chart(u"throughput"_s)->isVisible());
    // the tool bar: the mode in the strategy's place
    QVERIFY(m_window->fanoutModeCombo()->isVisible() && !m_window->strategyCombo()->isVisible());
    QCOMPARE(m_window->fanoutModeCombo()->currentText(), u"push"_s);
    QVERIFY(m_window->statusText().contains(u"push fan-out"_s));

    // back to a flash sale: all of it goes back
    QVERIFY(m_window->loadScenario(quietScenario(), u"test-quiet"_s));
    QTRY_VERIFY_WITH_TIMEOUT(canvas->drawnShards().isEmpty() && !canvas->drawnNodes().isEmpty(), kTimeoutMs);
    QTRY_VERIFY_WITH_TIMEOUT(counters->isShown(CountersPanel::Attempts), kTimeoutMs);
    QVERIFY(!counters->isShown(CountersPanel::Reached));
    QCOMPARE(charts->page(), int(ChartsPanel::FlashSalePage));
    QCOMPARE(charts->pageCount(), 2);
    QVERIFY(!charts->tabBar()->isTabVisible(ChartsPanel::FanoutPage));
    QVERIFY(!m_window->fanoutModeCombo()->isVisible() && m_window->strategyCombo()->isVisible());
}

void TestWindow::fanoutActionsHaveKeysAndWidgets_data()
{
    QTest::addColumn<QString>("action");
    QTest::addColumn<QString>("key");
    QTest::addColumn<QString>("button"); // object name of its panel button
    QTest::newRow("celebrity post") << u"celebrityPost"_s << u"P"_s << u"celebrityPostButton"_s;
    QTest::newRow("push") << u"push"_s << u"U"_s << u"pushButton"_s;
    QTest::newRow("pull") << u"pull"_s << u"O"_s << u"pullButton"_s;
    QTest::newRow("hybrid") << u"hybrid"_s << u"Y"_s << u"hybridButton"_s;
    QTest::newRow("threshold up") << u"thresholdUp"_s << u"T"_s << u"thresholdUpButton"_s;
    QTest::newRow("threshold down") << u"thresholdDown"_s << u"Shift+T"_s << u"thresholdDownButton"_s;
    QTest::newRow("post share up") << u"postShareUp"_s << u"N"_s << u"postShareUpButton"_s;
    QTest::newRow("post share down") << u"postShareDown"_s << u"Shift+N"_s << u"postShareDownButton"_s;
    QTest::newRow("add worker") << u"addWorker"_s << u"W"_s << u"addWorkerButton"_s;
    QTest::newRow("remove worker") << u"removeWorker"_s << u"Shift+W"_s << u"removeWorkerButton"_s;
    QTest::newRow("kill worker") << u"killWorker"_s << u"Shift+K"_s << u"killWorkerButton"_s;
    QTest::newRow("add inbox shard") << u"addInboxShard"_s << u"E"_s << u"addInboxShardButton"_s;
    QTest::newRow("kill inbox shard") << u"killInboxShard"_s << u"Shift+E"_s << u"killInboxShardButton"_s;
    QTest::newRow("rebuild inbox shard") << u"rebuildInboxShard"_s << u"Shift+R"_s << u"rebuildInboxShardButton"_s;
}

void TestWindow::fanoutActionsHaveKeysAndWidgets()
{
    QFETCH(QString, action);
    QFETCH(QString, key);
    QFETCH(QString, button);
    QVERIFY(m_window->loadScenario(fanoutScenario(), u"test-fanout"_s));
    ActionSet *actions = m_window->actions();
    QAction *a = fanoutActionNamed(actions, action);
    QVERIFY(a);
    QCOMPARE(a->shortcuts().value(0), QKeySequence(key));
    QVERIFY(a->isVisible() && a->isEnabled());

    // in the Fan-out menu (shown on this run), and in Help ▸ Keyboard shortcuts with its key
    bool inMenu = false;
    for (const auto &[title, list] : actions->byMenu())
        inMenu = inMenu || (title == u"Fan-out"_s && list.contains(a));
    QVERIFY(inMenu);
    bool menuShown = false;
    for (QMenu *menu : m_window->menuBar()->findChildren<QMenu *>())
        menuShown = menuShown || (menu->title() == u"&Fan-out"_s && menu->menuAction()->isVisible());
    QVERIFY(menuShown);
    ShortcutsDialog dialog(*actions);
    QString text = a->text();
    text.remove(u'&');
    bool listed = false;
    for (int row = 0; row < dialog.table()->rowCount(); ++row)
        listed = listed
            || (dialog.table()->item(row, 1)->text() == text
                && dialog.table()->item(row, 2)->text().contains(QKeySequence(key).toString(QKeySequence::NativeText)));
    QVERIFY2(listed, qPrintable(text));

    // and its panel button, shown whole in the panel's width, with the key on it
    auto *b = m_window->findChild<QToolButton *>(button);
    QVERIFY(b);
    QCOMPARE(b->defaultAction(), a);
    QVERIFY(b->isVisibleTo(m_window.get()));
    ControlPanel *panel = m_window->controlPanel();
    QCoreApplication::sendPostedEvents(nullptr, QEvent::LayoutRequest);
    const QRect inPanel(b->mapTo(panel, QPoint(0, 0)), b->size());
    QVERIFY2(inPanel.left() >= 0 && inPanel.right() < panel->width(),
        qPrintable(button + u" at "_s + QString::number(inPanel.left()) + u".."_s + QString::number(inPanel.right())
            + u" of "_s + QString::number(panel->width())));
    QVERIFY2(b->sizeHint().width() <= b->width() + 1,
        qPrintable(button + u" is cut: "_s + QString::number(b->width()) + u" of "_s
            + QString::number(b->sizeHint().width())));
    QVERIFY2(b->text().endsWith(QKeySequence(key).toString(QKeySequence::NativeText)), qPrintable(b->text()));
}

void TestWindow::fanoutActionsSendTheirEvent_data()
{
    QTest::addColumn<QString>("action");
    QTest::addColumn<bool>("viaKey"); // else its panel button
    QTest::addColumn<QString>("before"); // an action to take first ("" for none)
    QTest::addColumn<int>("kind"); // the EventKind sent
    QTest::addColumn<QString>("what");
    QTest::addColumn<QString>("after");
    const auto k = [](EventKind e) { return int(e); };
    QTest::newRow("celebrity post (key)")
        << u"celebrityPost"_s << true << QString() << k(EventKind::CelebrityPost) << u"posts tracked"_s << u"1"_s;
    QTest::newRow("celebrity post (button)")
        << u"celebrityPost"_s << false << QString() << k(EventKind::CelebrityPost) << u"posts tracked"_s << u"1"_s;
    QTest::newRow("pull") << u"pull"_s << true << QString() << k(EventKind::SetFanoutMode) << u"mode"_s << u"pull"_s;
    QTest::newRow("hybrid") << u"hybrid"_s << false << QString() << k(EventKind::SetFanoutMode) << u"mode"_s
                            << u"hybrid"_s;
    QTest::newRow("push again") << u"push"_s << true << u"pull"_s << k(EventKind::SetFanoutMode) << u"mode"_s
                                << u"push"_s;
    QTest::newRow("threshold ×10") << u"thresholdUp"_s << true << QString() << k(EventKind::SetFanoutThreshold)
                                   << u"threshold"_s << u"100000"_s;
    QTest::newRow("threshold ÷10") << u"thresholdDown"_s << false << QString() << k(EventKind::SetFanoutThreshold)
                                   << u"threshold"_s << u"1000"_s;
    QTest::newRow("post share ×2") << u"postShareUp"_s << true << QString() << k(EventKind::SetPostShare)
                                   << u"post share"_s << u"posts 2 % of arrivals"_s;
    QTest::newRow("post share ÷2") << u"postShareDown"_s << false << u"postShareUp"_s << k(EventKind::SetPostShare)
                                   << u"post share"_s << u"posts 1 % of arrivals"_s;
    QTest::newRow("add worker") << u"addWorker"_s << true << QString() << k(EventKind::AddFanoutWorkers)
                                << u"workers up"_s << u"9"_s;
    QTest::newRow("remove worker") << u"removeWorker"_s << false << QString() << k(EventKind::RemoveFanoutWorker)
                                   << u"workers up"_s << u"7"_s;
    QTest::newRow("kill worker") << u"killWorker"_s << true << QString() << k(EventKind::KillFanoutWorker)
                                 << u"workers up"_s << u"7"_s;
    QTest::newRow("add inbox shard") << u"addInboxShard"_s << true << QString() << k(EventKind::AddInboxShards)
                                     << u"shards"_s << u"17"_s;
    QTest::newRow("kill inbox shard") << u"killInboxShard"_s << false << QString() << k(EventKind::KillInboxShard)
                                      << u"shards down"_s << u"1"_s;
    QTest::newRow("rebuild inbox shard") << u"rebuildInboxShard"_s << true << u"killInboxShard"_s
                                         << k(EventKind::RebuildInboxShard) << u"shards down"_s << u"0"_s;
}

void TestWindow::fanoutActionsSendTheirEvent()
{
    QFETCH(QString, action);
    QFETCH(bool, viaKey);
    QFETCH(QString, before);
    QFETCH(int, kind);
    QFETCH(QString, what);
    QFETCH(QString, after);
    QVERIFY(m_window->loadScenario(fanoutScenario(), u"test-fanout"_s));
    QTRY_COMPARE_WITH_TIMEOUT(m_window->topologyView()->drawnShards().size(), 16, kTimeoutMs);
    ActionSet *actions = m_window->actions();
    if (!before.isEmpty()) {
        QSignalSpy first(m_window.get(), &MainWindow::commandSent);
        fanoutActionNamed(actions, before)->trigger();
        QCOMPARE(first.count(), 1);
        QVERIFY(waitTicks(2));
    }
    QAction *a = fanoutActionNamed(actions, action);
    QSignalSpy sent(m_window.get(), &MainWindow::commandSent);
    QSignalSpy failed(m_window.get(), &MainWindow::errorShown);
    if (viaKey) {
        m_window->activateWindow();
        QVERIFY(QTest::qWaitForWindowActive(m_window.get()));
        QTest::keySequence(m_window.get(), a->shortcuts().value(0));
    } else {
        QToolButton *b = nullptr;
        for (QToolButton *candidate : m_window->findChildren<QToolButton *>())
            if (candidate->defaultAction() == a && candidate->objectName().endsWith(u"Button"_s))
                b = candidate;
        QVERIFY(b);
        QTest::mouseClick(b, Qt::LeftButton);
    }
    QCOMPARE(failed.count(), 0);
    QCOMPARE(sent.count(), 1);
    const auto event = sent.first().first().value<TimedEvent>();
    QCOMPARE(int(event.kind), kind);
    QTRY_COMPARE_WITH_TIMEOUT(observeFanout(*snap(), what), after, kTimeoutMs);
    // the mode box follows (keys and box are one command)
    if (what == u"mode")
        QTRY_COMPARE_WITH_TIMEOUT(m_window->fanoutModeCombo()->currentText(), after, kTimeoutMs);
    if (what == u"threshold") {
        QCOMPARE(event.threshold, after.toLongLong());
        QTRY_COMPARE_WITH_TIMEOUT(
            m_window->controlPanel()->fanoutControls()->thresholdField()->text(), after, kTimeoutMs);
    }
}

void TestWindow::flashSaleActionsUnavailableOnFanout_data()
{
    QTest::addColumn<int>("index"); // in ActionSet::flashSaleActions()
    QWidget window;
    const ActionSet probe(&window); // the list's order and texts, without a main window
    const QList<QAction *> list = probe.flashSaleActions();
    for (int i = 0; i < list.size(); ++i) {
        QString text = list[i]->text();
        text.remove(u'&');
        QTest::newRow(qPrintable(text)) << i;
    }
}

void TestWindow::flashSaleActionsUnavailableOnFanout()
{
    QFETCH(int, index);
    QVERIFY(m_window->loadScenario(fanoutScenario(), u"test-fanout"_s));
    QTRY_VERIFY_WITH_TIMEOUT(snap()->fanout.has_value() && !snap()->recent.empty(), kTimeoutMs);
    ActionSet *actions = m_window->actions();
    QAction *a = actions->flashSaleActions().at(index);
    // not in a menu, on a button or behind a key: nothing that the engine would refuse
    QVERIFY2(!a->isVisible(), qPrintable(a->text()));
    for (QObject *o : a->associatedObjects())
        if (auto *b = qobject_cast<QToolButton *>(o))
            QVERIFY2(!b->isVisibleTo(m_window.get()), qPrintable(b->objectName()));
    for (QMenu *menu : m_window->menuBar()->findChildren<QMenu *>())
        if (menu->title() == u"&Cache"_s || menu->title() == u"&Queue"_s)
            QVERIFY(!menu->menuAction()->isVisible());
    QSignalSpy triggered(a, &QAction::triggered);
    QSignalSpy failed(m_window.get(), &MainWindow::errorShown);
    const std::size_t markers = snap()->markers.size();
    m_window->activateWindow();
    QVERIFY(QTest::qWaitForWindowActive(m_window.get()));
    QTest::keySequence(m_window.get(), a->shortcuts().value(0));
    QVERIFY(waitTicks(2));
    QCOMPARE(triggered.count(), 0);
    QCOMPARE(failed.count(), 0);
    QCOMPARE(snap()->markers.size(), markers);
}

void TestWindow::fanoutActionsUnavailableOnFlashSale()
{
    // the quiet flash sale: no fan-out action, menu, section or mode box
    ActionSet *actions = m_window->actions();
    QSignalSpy failed(m_window.get(), &MainWindow::errorShown);
    QSignalSpy sent(m_window.get(), &MainWindow::commandSent);
    m_window->activateWindow();
    QVERIFY(QTest::qWaitForWindowActive(m_window.get()));
    for (QAction *a : actions->fanoutActions()) {
        QVERIFY2(!a->isVisible(), qPrintable(a->text()));
        QTest::keySequence(m_window.get(), a->shortcuts().value(0));
    }
    QVERIFY(waitTicks(2));
    QCOMPARE(failed.count(), 0);
    QCOMPARE(sent.count(), 0);
    QVERIFY(!m_window->controlPanel()->fanoutControls()->isVisibleTo(m_window.get()));
    QVERIFY(!m_window->fanoutModeCombo()->isVisible());
    for (QMenu *menu : m_window->menuBar()->findChildren<QMenu *>())
        if (menu->title() == u"&Fan-out"_s)
            QVERIFY(!menu->menuAction()->isVisible());
    QVERIFY(!snap()->fanout.has_value());
}

void TestWindow::badThresholdIsRefused_data()
{
    QTest::addColumn<QString>("text");
    QTest::newRow("word") << u"abc"_s;
    QTest::newRow("negative") << u"-1"_s;
    QTest::newRow("fraction") << u"2.5"_s;
    QTest::newRow("too high") << u"17000000"_s;
    QTest::newRow("empty") << QString();
    QTest::newRow("trailing garbage") << u"10k"_s;
}

void TestWindow::badThresholdIsRefused()
{
    QFETCH(QString, text);
    QVERIFY(m_window->loadScenario(fanoutScenario(), u"test-fanout"_s));
    QTRY_VERIFY_WITH_TIMEOUT(snap()->fanout.has_value(), kTimeoutMs);
    FanoutControls *fanout = m_window->controlPanel()->fanoutControls();
    QSignalSpy rejected(fanout, &FanoutControls::inputRejected);
    QSignalSpy sent(m_window.get(), &MainWindow::commandSent);
    QLineEdit *field = fanout->thresholdField();
    field->setFocus();
    field->clear();
    QTest::keyClicks(field, text);
    QTest::keyClick(field, Qt::Key_Return);
    QCOMPARE(rejected.count(), 1);
    QCOMPARE(sent.count(), 0);
    const QString message = m_window->statusMessage();
    QVERIFY2(message.startsWith(u"Threshold:"_s) && message.contains(u"16 000 000"_s) && !message.contains(u'\n'),
        qPrintable(message));
    QVERIFY(waitTicks(2));
    QCOMPARE(snap()->fanout->threshold, 10000u);
}

void TestWindow::thresholdAndPostShareBoxes()
{
    QVERIFY(m_window->loadScenario(fanoutScenario(), u"test-fanout"_s));
    QTRY_VERIFY_WITH_TIMEOUT(snap()->fanout.has_value(), kTimeoutMs);
    FanoutControls *fanout = m_window->controlPanel()->fanoutControls();
    QCOMPARE(fanout->thresholdField()->text(), u"10000"_s);
    QSignalSpy sent(m_window.get(), &MainWindow::commandSent);
    QLineEdit *field = fanout->thresholdField();
    field->setFocus();
    field->selectAll();
    QTest::keyClicks(field, u"250 000"_s); // grouped as people type it
    QTest::keyClick(field, Qt::Key_Return);
    QTRY_COMPARE_WITH_TIMEOUT(observeFanout(*snap(), u"threshold"_s), u"250000"_s, kTimeoutMs);
    QVERIFY(!field->hasFocus()); // the one-key actions work again

    QDoubleSpinBox *share = fanout->postShareBox();
    QCOMPARE(share->value(), 1.0); // the preset's 1 %
    share->setFocus();
    share->selectAll();
    QTest::keyClicks(share, u"5"_s);
    QTest::keyClick(share, Qt::Key_Return);
    QTRY_COMPARE_WITH_TIMEOUT(observeFanout(*snap(), u"post share"_s), u"posts 5 % of arrivals"_s, kTimeoutMs);
    QCOMPARE(sent.count(), 2);
    QCOMPARE(int(sent.last().first().value<TimedEvent>().kind), int(EventKind::SetPostShare));
    QCOMPARE(sent.last().first().value<TimedEvent>().ratio, 0.05);
}

void TestWindow::clickedShardIsTheTarget()
{
    QVERIFY(m_window->loadScenario(fanoutScenario(), u"test-fanout"_s));
    TopologyView *canvas = m_window->topologyView();
    QTRY_COMPARE_WITH_TIMEOUT(canvas->drawnShards().size(), 16, kTimeoutMs);
    QRectF cell;
    for (const auto &d : canvas->drawnShards())
        if (d.id == 5)
            cell = d.rect;
    QSignalSpy selected(canvas, &TopologyView::selectedShardChanged);
    QTest::mouseClick(canvas, Qt::LeftButton, {}, cell.center().toPoint());
    QCOMPARE(selected.count(), 1);
    QCOMPARE(canvas->selectedShard(), 5);
    QVERIFY(m_window->findChild<QLabel *>(u"selectedShard"_s)->text().contains(u"inbox shard 5"_s));
    m_window->activateWindow();
    QVERIFY(QTest::qWaitForWindowActive(m_window.get()));
    QTest::keyClick(m_window.get(), Qt::Key_E, Qt::ShiftModifier);
    QTRY_VERIFY_WITH_TIMEOUT(!snap()->fanout->shardUp[5], kTimeoutMs);
    QCOMPARE(observeFanout(*snap(), u"shards down"_s), u"1"_s);
    QTRY_VERIFY_WITH_TIMEOUT(std::any_of(canvas->drawnShards().begin(), canvas->drawnShards().end(),
                                 [](const auto &d) { return d.id == 5 && !d.up; }),
        kTimeoutMs);
    // its menu brings it back (where the cell is now: the counters may have widened)
    for (const auto &d : canvas->drawnShards())
        if (d.id == 5)
            cell = d.rect;
    const QPoint at = cell.center().toPoint();
    chooseFromPopup(u"Rebuild inbox shard 5"_s);
    QContextMenuEvent event(QContextMenuEvent::Mouse, at, canvas->mapToGlobal(at));
    QApplication::sendEvent(canvas, &event);
    QTRY_VERIFY_WITH_TIMEOUT(snap()->fanout->shardUp[5], kTimeoutMs);
    QTRY_VERIFY_WITH_TIMEOUT(
        !snap()->markers.empty() && snap()->markers.back().label.starts_with("inbox shard 5 rebuilt"), kTimeoutMs);
}

void TestWindow::visibilityCurveFillsAfterAPost()
{
    QVERIFY(m_window->loadScenario(fanoutScenario(), u"test-fanout"_s));
    LiveChart *visibility = m_window->chartsPanel()->chart(u"visibility"_s);
    QTRY_VERIFY_WITH_TIMEOUT(!snap()->recent.empty(), kTimeoutMs);
    QVERIFY(!visibility->seriesVisible(0)); // no post, no curve
    QVERIFY(visibility->titleText().contains(u"No post"_s));
    m_window->activateWindow();
    QVERIFY(QTest::qWaitForWindowActive(m_window.get()));
    QTest::keyClick(m_window.get(), Qt::Key_P);
    // the curve climbs to 100 % (99 999 followers, 8 workers: well within the timeout)
    QTRY_VERIFY_WITH_TIMEOUT(visibility->seriesVisible(0) && visibility->pointCount(0) >= 3, kTimeoutMs);
    QTRY_VERIFY_WITH_TIMEOUT(
        !visibility->series(0)->points().isEmpty() && visibility->series(0)->points().constLast().y() >= 100,
        kTimeoutMs);
    QVERIFY(visibility->series(0)->name().startsWith(u"post at "_s));
    QTRY_VERIFY_WITH_TIMEOUT(visibility->titleText().startsWith(u"100 % in"_s), kTimeoutMs);
    QTRY_VERIFY_WITH_TIMEOUT(visibility->visibleMarkerLabels().join(u' ').contains(u"100 %"_s), kTimeoutMs);
    QTRY_COMPARE_WITH_TIMEOUT(m_window->countersPanel()->valueText(CountersPanel::Reached), u"100 %"_s, kTimeoutMs);
    // the time axis counts from the post
    QCOMPARE(visibility->timeAxis()->min(), 0.0);
    QVERIFY(visibility->timeAxis()->max() <= VisibilityCurves::kMaxSpanS);
    // a second post: a second curve, the first one kept
    QTest::keyClick(m_window.get(), Qt::Key_P);
    QTRY_VERIFY_WITH_TIMEOUT(visibility->seriesVisible(1) && visibility->pointCount(1) >= 2, kTimeoutMs);
    QVERIFY(visibility->seriesVisible(0) && visibility->pointCount(0) >= 3);
}

int main(int argc, char **argv)
{
    // The same environment as ctest gives, when the binary is run by hand.
    if (qEnvironmentVariableIsEmpty("QT_QPA_PLATFORM"))
        qputenv("QT_QPA_PLATFORM", "offscreen");
    if (qEnvironmentVariableIsEmpty("QT_FONT_DPI"))
        qputenv("QT_FONT_DPI", "96");
    qputenv("QT_ENABLE_HIGHDPI_SCALING", "0");
    QApplication app(argc, argv);
    QApplication::setOrganizationName(u"stampede-tests"_s);
    QApplication::setApplicationName(u"tst_window"_s);
    TestWindow test;
    QTEST_SET_MAIN_SOURCE_PATH
    return QTest::qExec(&test, argc, argv);
}

#include "tst_window.moc"
