#include "mainwindow.h"

#include "actionset.h"
#include "chartspanel.h"
#include "controlpanel.h"
#include "counterspanel.h"
#include "enginehost.h"
#include "exportdialogs.h"
#include "fanoutcontrols.h"
#include "format.h"
#include "icons.h"
#include "lessonbanner.h"
#include "lessonpanel.h"
#include "livechart.h"
#include "shortcutsdialog.h"
#include "stallmeter.h"
#include "statusbanner.h"
#include "toolbarfit.h"
#include "topologyview.h"

#include "scenario.h"

#include <QAction>
#include <QActionGroup>
#include <QApplication>
#include <QComboBox>
#include <QEvent>
#include <QFileDialog>
#include <QFileInfo>
#include <QHBoxLayout>
#include <QLabel>
#include <QMenuBar>
#include <QMessageBox>
#include <QScreen>
#include <QScrollArea>
#include <QScrollBar>
#include <QSettings>
#include <QSplitter>
#include <QStatusBar>
#include <QToolBar>
#include <QVBoxLayout>

#include <algorithm>
#include <cmath>

using namespace Qt::StringLiterals;

namespace stampede::ui {

namespace {

const QString kFilePrefix = u"file:"_s; // preset combo data of a scenario loaded from a file

QString strategyName(Strategy s) { return fromStd(toString(s)); }

} // namespace

MainWindow::MainWindow(QWidget *parent)
    : QMainWindow(parent)
    , m_theme(Theme::make(false, false))
{
    setObjectName(u"mainWindow"_s);
    setWindowTitle(u"Stampede"_s);
    m_host = new EngineHost(this);
    m_actions = new ActionSet(this);
    // (m_exports is made with the charts, in buildCentre)
    m_stall = new StallMeter(this);

    buildCentre();
    buildToolBar();
    buildLessonPanel(); // its lessons go into the Lessons menu
    buildMenus();
    connectActions();
    connectLessonActions();

    m_message = new StatusBanner;
    m_statusLine = new QLabel;
    m_statusLine->setObjectName(u"statusLine"_s);
    statusBar()->addWidget(m_message, 1);
    statusBar()->addPermanentWidget(m_statusLine);
    statusBar()->setSizeGripEnabled(false);

    connect(m_host, &EngineHost::engineReplaced, this, &MainWindow::onEngineReplaced);
    m_frameTimer.setInterval(kFrameIntervalMs);
    connect(&m_frameTimer, &QTimer::timeout, this, &MainWindow::poll);
    m_clock.start();
    m_frameTimer.start();
    m_stall->start();
    applyTheme();
    resize(1600, 1000);
}

MainWindow::~MainWindow() = default;

void MainWindow::changeEvent(QEvent *event)
{
    QMainWindow::changeEvent(event);
    if (event->type() == QEvent::WindowStateChange) // e.g. the window manager left full screen
        m_actions->fullScreen->setChecked(isFullScreen());
}

// ---------------------------------------------------------------- building

void MainWindow::buildCentre()
{
    m_controls = new ControlPanel(*m_actions);
    m_topology = new TopologyView;
    m_counters = new CountersPanel;
    m_charts = new ChartsPanel;

    auto *controlsScroll = new QScrollArea;
    controlsScroll->setWidget(m_controls);
    controlsScroll->setWidgetResizable(true);
    controlsScroll->setHorizontalScrollBarPolicy(Qt::ScrollBarAlwaysOff);
    controlsScroll->setFrameShape(QFrame::NoFrame);
    m_controlsScroll = controlsScroll;

    auto *top = m_top = new QSplitter(Qt::Horizontal);
    top->setObjectName(u"topSplitter"_s);
    top->addWidget(controlsScroll);
    top->addWidget(m_topology);
    top->addWidget(m_counters);
    top->setStretchFactor(0, 0);
    top->setStretchFactor(1, 1);
    top->setStretchFactor(2, 0);
    top->setSizes({ 290, 1010, 300 });
    top->setChildrenCollapsible(false);

    // the lesson across the whole width (the fewest lines), the three columns under it; a guided
    // lesson's panel instead, a column at the right of the diagram's row and the charts both: its
    // step, checks and question need the height more than the charts need the width
    m_lesson = new LessonBanner;
    m_lessonPanel = new LessonPanel(m_actions->previousStep, m_actions->nextStep, m_actions->leaveLesson);
    m_lessonPanel->hide();
    auto *upper = new QWidget;
    auto *upperLayout = new QVBoxLayout(upper);
    upperLayout->setContentsMargins(0, 0, 0, 0);
    upperLayout->setSpacing(0);
    upperLayout->addWidget(m_lesson);
    upperLayout->addWidget(top, 1);

    auto *vertical = m_vertical = new QSplitter(Qt::Vertical);
    vertical->setObjectName(u"mainSplitter"_s);
    vertical->addWidget(upper);
    vertical->addWidget(m_charts);
    vertical->setStretchFactor(0, 3);
    vertical->setStretchFactor(1, 2);
    vertical->setSizes({ 560, 380 });
    vertical->setChildrenCollapsible(false);
    auto *central = new QWidget;
    auto *columns = new QHBoxLayout(central);
    columns->setContentsMargins(0, 0, 0, 0);
    columns->setSpacing(0);
    columns->addWidget(vertical, 1);
    columns->addWidget(m_lessonPanel);
    setCentralWidget(central);

    connect(m_controls, &ControlPanel::rateRequested, this, &MainWindow::setRate);
    connect(m_controls, &ControlPanel::inputRejected, this, [this](const QString &m) { showMessage(m, true); });
    connect(m_topology, &TopologyView::selectedNodeChanged, m_controls, &ControlPanel::setSelectedNode);
    connect(m_topology, &TopologyView::removeNodeRequested, this, &MainWindow::removeNode);
    connect(m_topology, &TopologyView::killNodeRequested, this, &MainWindow::killNode);
    connect(m_topology, &TopologyView::selectedCacheNodeChanged, m_controls, &ControlPanel::setSelectedCacheNode);
    connect(m_topology, &TopologyView::removeCacheNodeRequested, this, &MainWindow::removeCacheNode);
    connect(m_topology, &TopologyView::killCacheNodeRequested, this, &MainWindow::killCacheNode);
    connect(m_topology, &TopologyView::selectedConsumerChanged, m_controls, &ControlPanel::setSelectedConsumer);
    connect(m_topology, &TopologyView::removeConsumerRequested, this, &MainWindow::removeConsumer);
    connect(m_topology, &TopologyView::killConsumerRequested, this, &MainWindow::killConsumer);
    connect(m_controls, &ControlPanel::ttlJitterRequested, this, &MainWindow::setTtlJitter);
    connect(m_controls, &ControlPanel::readRatioRequested, this, &MainWindow::setReadRatio);
    connect(m_topology, &TopologyView::selectedShardChanged, m_controls->fanoutControls(),
        &FanoutControls::setSelectedShard);
    connect(m_topology, &TopologyView::killShardRequested, this, &MainWindow::killInboxShard);
    connect(m_topology, &TopologyView::rebuildShardRequested, this, &MainWindow::rebuildInboxShard);
    connect(m_controls->fanoutControls(), &FanoutControls::thresholdRequested, this, &MainWindow::setThreshold);
    connect(m_controls->fanoutControls(), &FanoutControls::postShareRequested, this, &MainWindow::setPostShare);
    m_exports = new ExportDialogs(this, m_charts, m_host);
    connect(m_exports, &ExportDialogs::aboutToRender, this, &MainWindow::showLatest);
    connect(m_exports, &ExportDialogs::message, this, &MainWindow::showMessage);
    connect(m_charts, &ChartsPanel::exportRequested, m_exports, &ExportDialogs::askChart);
}

void MainWindow::buildToolBar()
{
    QToolBar *bar = addToolBar(u"Run"_s);
    bar->setObjectName(u"runToolBar"_s);
    bar->setMovable(false);
    bar->setToolButtonStyle(Qt::ToolButtonTextBesideIcon);

    QAction *lessonCaption = bar->addWidget(new QLabel(u" Lesson "_s));
    m_presetCombo = new QComboBox;
    m_presetCombo->setObjectName(u"presetCombo"_s);
    m_presetCombo->setToolTip(u"Preset (Lessons menu, Ctrl+1…)"_s);
    m_presetCombo->setSizeAdjustPolicy(QComboBox::AdjustToContents);
    for (const QString &name : presetNames()) {
        QString error;
        const std::optional<Scenario> s = ::loadPreset(name, &error);
        m_presetCombo->addItem(name, name);
        m_actions->addLesson(name, s ? s->title : QString());
    }
    connect(m_presetCombo, &QComboBox::currentIndexChanged, this, [this](int index) {
        const QString data = m_presetCombo->itemData(index).toString();
        if (data.startsWith(kFilePrefix))
            loadScenarioFile(data.mid(kFilePrefix.size()));
        else if (!data.isEmpty())
            loadPreset(data);
    });
    bar->addWidget(m_presetCombo);

    QAction *strategyCaption = m_strategyCaption = bar->addWidget(new QLabel(u"   Strategy "_s));
    m_strategyCombo = new QComboBox;
    m_strategyCombo->setObjectName(u"strategyCombo"_s);
    m_strategyCombo->setToolTip(u"Stock strategy (keys 1–"_s + QString::number(strategyNames().size()) + u")"_s);
    for (std::string_view name : strategyNames())
        m_strategyCombo->addItem(fromStd(name));
    connect(m_strategyCombo, &QComboBox::currentIndexChanged, this, &MainWindow::switchStrategy);
    m_strategyBox = bar->addWidget(m_strategyCombo);
    QAction *modeCaption = addFanoutModeBox(bar);
    bar->addSeparator();

    bar->addAction(m_actions->startPause);
    bar->addAction(m_actions->reset);
    bar->addSeparator();
    bar->addAction(m_actions->spike);
    bar->addAction(m_actions->addNode);
    bar->addAction(m_actions->killNode);
    bar->addAction(m_actions->celebrityPost);
    bar->addAction(m_actions->addWorker);
    bar->addAction(m_actions->killWorker);
    m_toolFit = new ToolBarFit(
        bar, { lessonCaption, strategyCaption, modeCaption }, { m_presetCombo, m_strategyCombo, m_modeCombo });
    m_modeCaption->setVisible(false);
    m_modeBox->setVisible(false);
    m_toolFit->setHiddenCaptions({ m_modeCaption });
}

void MainWindow::buildMenus()
{
    const auto menus = m_actions->byMenu();
    for (const auto &[title, list] : menus) {
        QMenu *menu = menuBar()->addMenu(u'&' + title);
        m_menus.append({ title, menu });
        menu->menuAction()->setVisible(ActionSet::menuOf(title, WorkloadKind::FlashSale));
        for (QAction *a : list) {
            // separators between groups of related actions
            if (a == m_actions->quit || a == m_actions->fullScreen || a == m_actions->reset || a == m_actions->maxRate
                || a == m_actions->strategies[0] || a == m_actions->about || a == m_actions->ringPlacement
                || a == m_actions->idempotent || a == m_actions->fanoutModes[0] || a == m_actions->thresholdUp
                || a == m_actions->addWorker || a == m_actions->addInboxShard
                || (!m_actions->guidedLessons.isEmpty() && a == m_actions->guidedLessons.constFirst())
                || a == m_actions->openLessonFile || a == m_actions->nextStep || a == m_actions->saveSession)
                menu->addSeparator();
            menu->addAction(a);
        }
    }
}

void MainWindow::connectActions()
{
    ActionSet &a = *m_actions;
    connect(a.openScenario, &QAction::triggered, this, &MainWindow::openScenarioDialog);
    connect(a.exportScreenshot, &QAction::triggered, m_exports, [this] { m_exports->askScreenshot(1.0); });
    connect(a.exportScreenshot2x, &QAction::triggered, m_exports, [this] { m_exports->askScreenshot(2.0); });
    connect(a.exportChart, &QAction::triggered, m_exports, [this] { m_exports->askChart(-1); });
    connect(a.exportCsv, &QAction::triggered, m_exports, &ExportDialogs::askTimelineCsv);
    connect(a.copyScreenshot, &QAction::triggered, m_exports, &ExportDialogs::copyScreenshot);
    connect(a.quit, &QAction::triggered, this, &QWidget::close);

    connect(a.projectorMode, &QAction::triggered, this, &MainWindow::setProjectorMode);
    connect(a.darkTheme, &QAction::triggered, this, &MainWindow::setDarkTheme);
    connect(a.controlsPanel, &QAction::toggled, this, [this](bool on) {
        m_controlsScroll->setVisible(on);
        // before the first show the splitter keeps the old minimum in its parent's layout (the
        // window would open wider than asked, by the hidden panel)
        m_top->updateGeometry();
        fitColumns();
    });
    connect(m_counters, &CountersPanel::preferredWidthChanged, this, &MainWindow::fitColumns, Qt::QueuedConnection);
    connect(a.fullScreen, &QAction::triggered, this, [this](bool on) { on ? showFullScreen() : showNormal(); });
    connect(a.chartPage, &QAction::triggered, m_charts, &ChartsPanel::nextPage);

    connect(a.startPause, &QAction::triggered, this, &MainWindow::togglePause);
    connect(a.spike, &QAction::triggered, this, &MainWindow::spike);
    connect(a.addNode, &QAction::triggered, this, &MainWindow::addNode);
    connect(a.removeNode, &QAction::triggered, this, [this] { removeNode(m_topology->selectedNode()); });
    connect(a.killNode, &QAction::triggered, this, [this] { killNode(m_topology->selectedNode()); });
    connect(a.scaleUpNode, &QAction::triggered, this, [this] { scaleUpNode(m_topology->selectedNode()); });
    connect(a.scalingSweep, &QAction::triggered, this, &MainWindow::openScaling);
    connect(a.compare, &QAction::triggered, this, &MainWindow::openCompare);
    connect(a.restock, &QAction::triggered, this, &MainWindow::restock);
    connect(a.reset, &QAction::triggered, this, &MainWindow::reset);
    connect(a.maxRate, &QAction::triggered, this, &MainWindow::setMaxRate);
    connect(a.rateUp, &QAction::triggered, this, [this] { scaleRate(2.0); });
    connect(a.rateDown, &QAction::triggered, this, [this] { scaleRate(0.5); });
    for (QAction *s : a.strategies)
        if (s)
            connect(s, &QAction::triggered, this, [this, s] { m_strategyCombo->setCurrentIndex(s->data().toInt()); });
    for (QAction *l : std::as_const(a.lessons))
        connect(l, &QAction::triggered, this, [this, l] { loadPreset(l->data().toString()); });

    connect(a.addCacheNode, &QAction::triggered, this, &MainWindow::addCacheNode);
    connect(a.removeCacheNode, &QAction::triggered, this, [this] { removeCacheNode(m_topology->selectedCacheNode()); });
    connect(a.killCacheNode, &QAction::triggered, this, [this] { killCacheNode(m_topology->selectedCacheNode()); });
    connect(a.ringPlacement, &QAction::triggered, this, [this](bool on) {
        toggle(m_actions->ringPlacement, on,
            [on](Engine &e) { return e.setPlacement(on ? Placement::Ring : Placement::Modulo); });
    });
    connect(a.singleFlight, &QAction::triggered, this,
        [this](bool on) { toggle(m_actions->singleFlight, on, [on](Engine &e) { return e.setSingleFlight(on); }); });
    connect(a.ttlJitter, &QAction::triggered, this, [this](bool on) {
        const double jitter = on ? m_controls->ttlJitterOnValue() : 0.0;
        toggle(m_actions->ttlJitter, on, [jitter](Engine &e) { return e.setTtlJitter(jitter); });
    });
    connect(a.readTraffic, &QAction::triggered, this, [this](bool on) {
        const double ratio = on ? m_controls->readRatioOnValue() : 0.0;
        toggle(m_actions->readTraffic, on, [ratio](Engine &e) { return e.setReadRatio(ratio); });
    });
    connect(a.resetRecovery, &QAction::triggered, this, [this](bool on) {
        toggle(m_actions->resetRecovery, on, [on](Engine &e) {
            return e.setCounterRecovery(on ? CounterRecovery::ResetToInitial : CounterRecovery::ReloadFromStore);
        });
    });
    connect(a.addConsumer, &QAction::triggered, this, &MainWindow::addConsumer);
    connect(a.removeConsumer, &QAction::triggered, this, [this] { removeConsumer(m_topology->selectedConsumer()); });
    connect(a.killConsumer, &QAction::triggered, this, [this] { killConsumer(m_topology->selectedConsumer()); });
    connect(a.idempotent, &QAction::triggered, this,
        [this](bool on) { toggle(m_actions->idempotent, on, [on](Engine &e) { return e.setIdempotent(on); }); });
    connect(a.blockWhenFull, &QAction::triggered, this, [this](bool on) {
        toggle(m_actions->blockWhenFull, on,
            [on](Engine &e) { return e.setQueueFull(on ? FullPolicy::Block : FullPolicy::Reject); });
    });

    connect(a.shortcuts, &QAction::triggered, this, &MainWindow::showShortcuts);
    connect(a.about, &QAction::triggered, this, &MainWindow::showAbout);
    connectFanoutActions();
    connectBackendActions();
}

// ---------------------------------------------------------------- scenarios and engine

bool MainWindow::loadPreset(const QString &name)
{
    QString error;
    const std::optional<Scenario> s = ::loadPreset(name, &error);
    if (!s) {
        showMessage(error, true);
        return false;
    }
    return loadScenario(*s, name);
}

bool MainWindow::loadScenarioFile(const QString &path)
{
    QString error;
    const std::optional<Scenario> s = ::loadScenarioFile(path, &error);
    if (!s) {
        showMessage(error, true);
        return false;
    }
    return loadScenario(*s, QString::fromStdString(s->config.name), path);
}

bool MainWindow::loadScenario(const Scenario &scenario, const QString &name, const QString &sourceFile)
{
    QString note; // a store the chosen backend cannot serve: why it runs on its own
    const Scenario effective = m_loadingLesson ? scenario : withChosenBackend(scenario, name, &note);
    QString error;
    // (a lesson loads in place: its steps start on the engine it opened with)
    if (effective.config.store.backend != StoreBackend::Embedded && engine() && !m_loadingLesson) {
        // a real server takes seconds to start and connect: built off the GUI thread while the
        // old run goes on (the first load, before the window shows, is made in place)
        if (!m_host->loadInBackground(effective, name, sourceFile, &error)) {
            showMessage(error, true);
            return false;
        }
        syncBackendActions();
        showMessage(startingText(effective, name), false);
        return true;
    }
    if (!m_host->load(effective, name, sourceFile, &error)) {
        showMessage(error, true);
        return false;
    }
    if (!note.isEmpty())
        showMessage(note, false);
    return true;
}

void MainWindow::noteSourceFile(const QString &sourceFile)
{
    m_scenarioFile = sourceFile.isEmpty() ? QString() : QFileInfo(sourceFile).absoluteFilePath();
    if (m_scenarioFile.isEmpty())
        return;
    // The file gets its own entry in the preset box so that it can be chosen again.
    const QSignalBlocker block(m_presetCombo);
    const QString data = kFilePrefix + m_scenarioFile;
    int index = m_presetCombo->findData(data);
    if (index < 0) {
        m_presetCombo->addItem(QFileInfo(sourceFile).fileName() + u" (file)"_s, data);
        index = m_presetCombo->count() - 1;
    }
    m_presetCombo->setCurrentIndex(index);
    for (QAction *l : std::as_const(m_actions->lessons))
        l->setChecked(false);
}

void MainWindow::onEngineReplaced()
{
    if (m_run && !m_loadingLesson)
        leaveLesson(); // another scenario: the lesson's steps no longer apply
    const Scenario &s = m_host->scenario();
    const QString name = m_host->name();
    setWindowTitle(u"Stampede — "_s + name);
    m_topology->setConfig(s.config);
    m_lesson->setLesson(s.title.isEmpty() ? name : s.title, s.description);
    m_controls->setRestockUnits(s.config.stock);
    applyWorkload(s.config);
    showChartsFor(s.config);
    m_charts->setRunLength(s.durationS);
    {
        const QSignalBlocker block(m_presetCombo);
        const int index = m_presetCombo->findData(name);
        if (index >= 0)
            m_presetCombo->setCurrentIndex(index);
    }
    for (QAction *l : std::as_const(m_actions->lessons))
        l->setChecked(l->data().toString() == name);
    m_lastSeq = ~quint64(0);
    m_staleUpTo = 0; // a new engine counts from 1 again
    m_shownStrategy = int(s.config.strategy);
    noteSourceFile(m_host->sourceFile());
    syncBackendActions();
    showMessage(s.config.workload == WorkloadKind::Fanout
            ? fanoutLoadedText(s.config, name)
            : u"Loaded "_s + name + u": "_s + strategyName(s.config.strategy) + u", "_s
                + QString::number(s.config.nodes.count) + u" nodes, seed "_s + QString::number(s.config.seed)
                + (s.config.store.backend == StoreBackend::Postgres ? u", stock on PostgreSQL (real)"_s : QString()),
        false);
    poll();
}

Engine *MainWindow::engine() const { return m_host->engine(); }
QString MainWindow::scenarioName() const { return m_host->name(); }

void MainWindow::setSnapshotSource(SnapshotSource source)
{
    m_source = std::move(source);
    m_lastSeq = ~quint64(0);
    m_staleUpTo = 0;
}

// ---------------------------------------------------------------- frames

void MainWindow::poll()
{
    const qint64 now = m_clock.nsecsElapsed();
    const double dt = std::clamp(double(now - m_lastFrameNs) / 1e9, 0.0, 0.2);
    m_lastFrameNs = now;
    const std::shared_ptr<const Snapshot> snap = m_source ? m_source() : m_host->snapshot();
    if (snap) {
        m_topology->setSnapshot(snap);
        m_topology->advance(dt);
        m_topology->update(); // the flow moves every frame
        if (snap->seq != m_lastSeq) {
            m_lastSeq = snap->seq;
            m_charts->setSnapshot(snap);
            showSnapshot(*snap);
            m_shownT = snap->t;
            feedLesson(*snap);
            emit snapshotShown(snap->seq);
        }
    }
    // Snapshots come every 100 ms, frames every 33 ms: two charts a frame keeps all five current
    // while no single frame redraws them all.
    m_charts->refresh(2);
    if (now - m_statusAtNs >= 500'000'000)
        updateStatus();
}

void MainWindow::showLatest()
{
    poll();
    m_charts->catchUp();
    // Qt Charts lays out a new title or axis range in a posted event; a grab right after would
    // show the previous ones
    QCoreApplication::sendPostedEvents(nullptr, QEvent::LayoutRequest);
}

void MainWindow::showSnapshot(const Snapshot &s)
{
    m_counters->showSnapshot(s);
    if (!s.recent.empty()) {
        const TickSample &t = s.recent.back();
        // every answer the engine gave, purchases and product-page views
        m_engineRate = t.succeeded + t.soldOut + t.rateLimited + t.failed + t.cache->views;
    } else {
        m_engineRate = 0;
    }
    // Controls follow the engine (timeline events change rate and strategy too), but not from a
    // snapshot taken before the last command: the control would jump back for a frame.
    if (s.seq <= m_staleUpTo)
        return;
    m_controls->showSnapshot(s);
    m_actions->maxRate->setChecked(s.mode == TrafficMode::Closed);
    if (s.paused != m_paused) {
        m_paused = s.paused;
        showPauseState();
    }
    if (s.fanout) {
        syncFanout(s);
        return;
    }

    const int strategy = int(s.store->strategy);
    if (strategy != m_shownStrategy) {
        // a switch to cache-queue (a lesson's step, the timeline, a key) brings its queue and
        // cache charts up: its story is the backlog, not the row
        if (s.store->strategy == Strategy::CacheQueue && m_charts->page() == ChartsPanel::FlashSalePage)
            m_charts->setPage(ChartsPanel::CacheQueuePage);
        m_shownStrategy = strategy;
    }
    if (m_strategyCombo->currentIndex() != strategy) {
        const QSignalBlocker block(m_strategyCombo);
        m_strategyCombo->setCurrentIndex(strategy);
    }
    if (strategy >= 0 && std::size_t(strategy) < m_actions->strategies.size()
        && m_actions->strategies[std::size_t(strategy)])
        m_actions->strategies[std::size_t(strategy)]->setChecked(true);
    syncToggles(s);
}

void MainWindow::syncToggles(const Snapshot &s)
{
    const ActionSet &a = *m_actions;
    const std::pair<QAction *, bool> states[] = {
        { a.ringPlacement, s.cache->placement == Placement::Ring },
        { a.singleFlight, s.cache->singleFlight },
        { a.ttlJitter, s.cache->ttlJitter > 0 },
        { a.readTraffic, s.cache->readRatio > 0 },
        { a.resetRecovery, s.cache->recovery == CounterRecovery::ResetToInitial },
        { a.idempotent, s.queue->idempotent },
        { a.blockWhenFull, s.queue->queueFull == FullPolicy::Block },
    };
    for (const auto &[action, on] : states)
        if (action->isChecked() != on)
            action->setChecked(on);
}

void MainWindow::showChartsFor(const EngineConfig &config)
{
    if (config.workload == WorkloadKind::Fanout) {
        m_charts->setPage(ChartsPanel::FanoutPage);
        return;
    }
    const bool tiers = config.cache.nodes > 0 || config.strategy == Strategy::CacheQueue;
    m_charts->setPage(tiers ? ChartsPanel::CacheQueuePage : ChartsPanel::FlashSalePage);
}

void MainWindow::showPauseState()
{
    ActionSet::setLabel(m_actions->startPause, m_paused ? u"Start"_s : u"Pause"_s);
    m_actions->startPause->setIcon(m_paused ? icons::play(m_theme.text) : icons::pause(m_theme.text));
}

void MainWindow::updateStatus()
{
    const qint64 now = m_clock.nsecsElapsed();
    const quint64 frames = m_topology->framesPainted();
    if (m_statusAtNs > 0)
        m_fps = double(frames - m_framesAtStatus) * 1e9 / double(std::max<qint64>(1, now - m_statusAtNs));
    m_framesAtStatus = frames;
    m_statusAtNs = now;
    fitStatusLine();
}

void MainWindow::fitStatusLine()
{
    // the message (a refusal, a confirmation) has the room first; the line drops its least
    // useful parts, then itself, rather than be cut
    const QFontMetrics fm(m_statusLine->font());
    const int room = statusBar()->contentsRect().width() - m_message->neededWidth() - 24;
    QString shown;
    for (const QString &candidate : statusTexts())
        if (fm.horizontalAdvance(candidate) <= room) {
            shown = candidate;
            break;
        }
    m_statusLine->setText(shown);
}

QString MainWindow::statusText() const { return statusTexts().constFirst(); }

QStringList MainWindow::statusTexts() const
{
    const QString engineRate = u"engine "_s + compactNumber(m_engineRate) + u" req/s"_s;
    const QString ui = u"UI "_s + QString::number(std::lround(m_fps)) + u" fps · stall p99 "_s
        + QString::number(std::lround(stallP99Ms())) + u" ms"_s;
    QString seed;
    if (const Engine *e = engine())
        seed = u" · seed "_s + QString::number(e->config().seed);
    QString strategy;
    if (const Engine *e = engine()) {
        const std::shared_ptr<const Snapshot> s = e->snapshot();
        strategy = s->fanout ? QString(u" · "_s + fromStd(toString(s->fanout->mode)) + u" fan-out"_s)
                             : QString(u" · "_s + strategyName(s->store->strategy));
    }
    const QString both = engineRate + u" · "_s + ui;
    return { both + seed + strategy, both + seed, both, engineRate, QString() };
}

double MainWindow::stallP99Ms() const { return m_stall->p99Ms(); }

QString MainWindow::statusMessage() const { return m_message->fullText(); }

void MainWindow::showMessage(const QString &text, bool error)
{
    m_message->showMessage(text, error);
    fitStatusLine();
    if (error)
        emit errorShown(text);
}

bool MainWindow::check(const CommandResult &result)
{
    if (!result.ok) {
        showMessage(QString::fromStdString(result.error), true);
        return false;
    }
    if (const Engine *e = engine())
        m_staleUpTo = e->snapshot()->seq;
    return true;
}

// ---------------------------------------------------------------- commands

bool MainWindow::exportScreenshot(const QString &path, double dpr, QString *error)
{
    return m_exports->screenshot(path, dpr, error);
}

bool MainWindow::exportChart(int index, const QString &path, QString *error)
{
    return m_exports->chart(index, path, error);
}

bool MainWindow::exportTimelineCsv(const QString &path, QString *error) { return m_exports->timelineCsv(path, error); }

QString MainWindow::defaultExportPath(const QString &what, const QString &suffix) const
{
    return m_exports->defaultPath(what, suffix);
}

// ---------------------------------------------------------------- dialogs

void MainWindow::openScenarioDialog()
{
    const QString dir = m_scenarioFile.isEmpty() ? QDir::homePath() : QFileInfo(m_scenarioFile).absolutePath();
    const QString path = QFileDialog::getOpenFileName(this, u"Open scenario"_s, dir, u"Scenario (*.json)"_s);
    if (!path.isEmpty())
        loadScenarioFile(path);
}

void MainWindow::showShortcuts()
{
    ShortcutsDialog dialog(*m_actions, this);
    dialog.exec();
}

void MainWindow::showAbout()
{
    QMessageBox::about(this, u"About Stampede"_s,
        u"<h3>Stampede "_s + QApplication::applicationVersion()
            + u"</h3><p>A desktop lab for high-concurrency system design: a real multithreaded "
              "engine runs shoppers, a gateway, app nodes and a stock store, or a celebrity's post "
              "fanned out to a million inboxes; the window shows throughput, latency, consistency, "
              "oversell and how fast followers see a post as you change them.</p>"_s);
}

// ---------------------------------------------------------------- appearance and settings

} // namespace stampede::ui
