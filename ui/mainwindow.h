#pragma once

// The window: toolbar, controls on the left, topology in the centre, counters on the right,
// charts along the bottom, status line below. It owns the engine (through EngineHost), polls
// its snapshot at display rate and turns every action into one non-blocking engine command.

#include "theme.h"

#include "engine.h"
#include "lesson.h"

#include <QElapsedTimer>
#include <QImage>
#include <QMainWindow>
#include <QStringList>
#include <QTimer>

#include <functional>
#include <memory>
#include <optional>

class QAction;
class QComboBox;
class QLabel;
class QMenu;
class QToolBar;
class QScrollArea;
class QSplitter;
struct Scenario;

namespace stampede::ui {

class ActionSet;
class ChartsPanel;
class ControlPanel;
class CountersPanel;
class EngineHost;
class ExportDialogs;
class ScalingDialog;
class LessonBanner;
class LessonPanel;
class StatusBanner;
class StallMeter;
class ToolBarFit;
class TopologyView;

class MainWindow : public QMainWindow {
    Q_OBJECT

public:
    using SnapshotSource = std::function<std::shared_ptr<const Snapshot>()>;
    static constexpr int kFrameIntervalMs = 33;
    static constexpr int kTwoChartRowsHeight = 1150; // projector mode: two chart rows from here
    // projector mode with a lesson: narrower than this a chart's title is cut; two rows instead
    static constexpr int kMinProjectorChartWidth = 340;

    explicit MainWindow(QWidget *parent = nullptr);
    ~MainWindow() override;

    // Loading replaces the engine; on failure the running one stays and the error is shown.
    bool loadPreset(const QString &name);
    bool loadScenarioFile(const QString &path);
    // `sourceFile`: the file the scenario came from (it gets an entry in the preset box).
    bool loadScenario(const Scenario &scenario, const QString &name, const QString &sourceFile = {});

    // ---- the store's backend (mainwindowbackend.cpp) ----
    // The store scenarios run on: their own (nullopt, the default) or the one chosen (Backend
    // menu, --backend); `url`: the PostgreSQL server (empty: a private one). Reloads nothing.
    void setStoreBackendChoice(std::optional<StoreBackend> backend, const QString &url = {});
    std::optional<StoreBackend> storeBackendChoice() const { return m_backendChoice; }
    // The Backend menu: the choice, and the running scenario restarted on it.
    void chooseStoreBackend(StoreBackend backend);
    // A real store's engine is being built; the old run is still the one shown.
    bool loadingInBackground() const;

    Engine *engine() const;
    QString scenarioName() const;
    // Tests: where poll() reads snapshots from (an empty function: the engine).
    void setSnapshotSource(SnapshotSource source);

    ActionSet *actions() const { return m_actions; }
    ControlPanel *controlPanel() const { return m_controls; }
    TopologyView *topologyView() const { return m_topology; }
    CountersPanel *countersPanel() const { return m_counters; }
    ChartsPanel *chartsPanel() const { return m_charts; }
    LessonBanner *lessonBanner() const { return m_lesson; }
    LessonPanel *lessonPanel() const { return m_lessonPanel; }
    int shownStrategy() const { return m_shownStrategy; } // the last snapshot's, as shown
    QComboBox *presetCombo() const { return m_presetCombo; }
    QComboBox *strategyCombo() const { return m_strategyCombo; }
    QComboBox *fanoutModeCombo() const { return m_modeCombo; }
    const ToolBarFit *toolBarFit() const { return m_toolFit; }

    double stallP99Ms() const;
    double framesPerSecond() const { return m_fps; }
    QString statusText() const; // the permanent status line, whole
    QStringList statusTexts() const; // …and its shorter forms, the last one empty
    QString statusMessage() const; // the last message (errors, saved files)

    // Exports without dialogs (see ExportDialogs); false with a one-line *error when the file
    // cannot be written.
    bool exportScreenshot(const QString &path, double dpr, QString *error = nullptr);
    bool exportChart(int index, const QString &path, QString *error = nullptr);
    bool exportTimelineCsv(const QString &path, QString *error = nullptr);
    QString defaultExportPath(const QString &what, const QString &suffix) const;

    // ---- the guided lesson (mainwindowlesson.cpp) ----
    // Loads the lesson's scenario and opens step 1 in the lesson panel; false with the error shown.
    bool openLesson(const Lesson &lesson);
    bool openLesson(const QString &nameOrFile); // a compiled-in name or a .json file
    void leaveLesson();
    bool lessonOpen() const { return bool(m_run); }
    const Lesson *lesson() const { return m_run ? &m_run->lesson : nullptr; }
    int lessonStep() const { return m_run ? m_run->step : -1; } // from 0
    void nextStep();
    void previousStep();
    // What the lesson met so far, per step (the handout's outcomes).
    std::vector<StepOutcome> lessonOutcomes() const;
    // The charts as they were when a step's checks were all met, or when it was left.
    const std::vector<QImage> &stepCaptures(int step) const;
    // The running scenario with every command the run took as its events, up to now.
    bool saveSessionScenario(const QString &path, QString *error = nullptr);
    bool exportLessonHandout(const QString &path, QString *error = nullptr);

    bool projectorMode() const { return m_theme.projector; }
    bool darkTheme() const { return m_theme.dark; }
    const Theme &theme() const { return m_theme; }
    void setProjectorMode(bool on);
    void setDarkTheme(bool on);
    // No larger than the available part of the screen the window is on, and inside it.
    void fitToScreen();

    // QSettings: geometry, projector mode, theme, last preset. The caller decides whether a
    // session persists (a screenshot run does not).
    void restoreSettings();
    void saveSettings() const;
    static QString lastPresetSetting();

public slots:
    // One display frame: read the snapshot (never blocks), animate, redraw what changed.
    void poll();
    // poll() and bring every chart up to date at once (before a screenshot or export).
    void showLatest();

signals:
    // An error shown in the status bar: a failed command, refused input, an unwritable file.
    void errorShown(const QString &error);
    void snapshotShown(quint64 seq);
    // A command sent to the engine as an event and accepted (the fan-out's commands go this way;
    // the flash sale's call the engine's methods).
    void commandSent(const stampede::TimedEvent &event);

protected:
    void changeEvent(QEvent *event) override;
    void resizeEvent(QResizeEvent *event) override;

private:
    void buildMenus();
    void buildToolBar();
    void buildCentre();
    void connectActions();
    void applyTheme();
    void fitChartRows();
    bool twoChartRows() const; // projector mode where one row of five would not read
    void fitControlsWidth(); // the panel's whole width, for the sections the run shows
    // The diagram's row: the counters as wide as their numbers at full size (up to two fifths of
    // the row), the diagram the rest; after a resize, a theme or the controls shown or hidden.
    void fitColumns();
    void fitStatusLine(); // the permanent line gives way to the message
    void fitRows(); // the diagram's row over the charts, by mode and height
    void showSnapshot(const Snapshot &s);
    void onEngineReplaced();
    void updateStatus();
    void showPauseState();
    void showMessage(const QString &text, bool error);
    bool check(const CommandResult &result); // shows a failed command's error; true on success

    void togglePause();
    void spike();
    void addNode();
    void removeNode(int id);
    void killNode(int id);
    void scaleUpNode(int id);
    void openScaling();
    void openCompare();
    void restock();
    void reset();
    void setMaxRate(bool on);
    void setRate(double perSecond);
    void scaleRate(double factor);
    void switchStrategy(int index);
    void addCacheNode();
    void removeCacheNode(int id);
    void killCacheNode(int id);
    void addConsumer();
    void removeConsumer(int id);
    void killConsumer(int id);
    void setTtlJitter(double fraction);
    void setReadRatio(double viewsPerPurchase);
    // A checkable action was triggered: send its command; a refused one unchecks it again.
    void toggle(QAction *action, bool on, const std::function<CommandResult(Engine &)> &command);
    void syncToggles(const Snapshot &s);
    // Flash-sale charts, or cache & queue charts when the scenario has a cache tier or a queue.
    void showChartsFor(const EngineConfig &config);

    // ---- the fan-out (mainwindowfanout.cpp) ----
    // What the run's workload has: its actions, menus, tool bar, panel sections and chart pages.
    void applyWorkload(const EngineConfig &config);
    // The mode's caption and box on the tool bar (in the strategy's place); returns the caption.
    QAction *addFanoutModeBox(QToolBar *bar);
    static QString fanoutLoadedText(const EngineConfig &config, const QString &name);
    void connectFanoutActions();
    void syncFanout(const Snapshot &s);
    // Sends `event` now; a refusal shows its error. True when the engine took it.
    bool send(const TimedEvent &event);
    void celebrityPost();
    void setFanoutMode(int index);
    void setThreshold(std::int64_t followers);
    void scaleThreshold(double factor);
    void setPostShare(double share);
    void scalePostShare(double factor);
    void addFanoutWorker();
    void removeFanoutWorker();
    void killFanoutWorker();
    void addInboxShard();
    void killInboxShard(int id);
    void rebuildInboxShard(int id);

    // ---- the guided lesson (mainwindowlesson.cpp) ----
    struct StepState {
        bool visited = false; // its actions ran (once: revisiting does not run them again)
        double firstOpenedAtS = 0;
        double openedAtS = 0; // this visit: ticks after it count
        std::vector<CheckTracker> trackers; // fresh each visit (and after a reset)
        std::vector<double> metAtS; // per check, the first time met (−1: not yet)
        int picked = -1; // the presenter's choice
        bool captured = false;
        std::vector<QImage> images;
    };
    struct LessonRun {
        Lesson lesson;
        int step = -1;
        std::vector<StepState> steps;
        double lastFedT = -1; // the last tick fed to the open step's trackers
        double lastSeenT = 0; // run time going back: a reset
    };
    void buildLessonPanel();
    void connectLessonActions();
    void openStep(int index);
    void restartTrackers(StepState &st, double openedAtS);
    void feedLesson(const Snapshot &s);
    void showLessonState();
    bool stepMet(const StepState &st) const;
    void captureStep(StepState &st);
    void pickChoice(int choice);
    double runTimeNow() const;
    void fitLessonPanel(); // its width: a column the diagram's row can spare
    void openLessonDialog();
    void askSaveSession();
    void askLessonHandout();

    // ---- the store's backend (mainwindowbackend.cpp) ----
    // `scenario` on the chosen backend; when that store cannot run it, the scenario as it is and
    // *note says why.
    Scenario withChosenBackend(const Scenario &scenario, const QString &name, QString *note) const;
    void syncBackendActions(); // the menu checks the running store (or the one starting)
    void onBackgroundLoadFailed(const QString &error);
    void connectBackendActions();
    static QString startingText(const Scenario &scenario, const QString &name);
    void noteSourceFile(const QString &sourceFile); // the file's entry in the preset box

    void openScenarioDialog();
    void showShortcuts();
    void showAbout();

    EngineHost *m_host = nullptr;
    ExportDialogs *m_exports = nullptr;
    SnapshotSource m_source;
    ActionSet *m_actions = nullptr;
    ControlPanel *m_controls = nullptr;
    QScrollArea *m_controlsScroll = nullptr;
    QSplitter *m_vertical = nullptr;
    QSplitter *m_top = nullptr;
    TopologyView *m_topology = nullptr;
    CountersPanel *m_counters = nullptr;
    ChartsPanel *m_charts = nullptr;
    QComboBox *m_presetCombo = nullptr;
    QComboBox *m_strategyCombo = nullptr;
    QComboBox *m_modeCombo = nullptr; // the fan-out's mode, in the strategy's place
    QAction *m_strategyCaption = nullptr, *m_strategyBox = nullptr; // their tool bar items
    QAction *m_modeCaption = nullptr, *m_modeBox = nullptr;
    QList<std::pair<QString, QMenu *>> m_menus;
    ToolBarFit *m_toolFit = nullptr;
    QLabel *m_statusLine = nullptr;
    StatusBanner *m_message = nullptr;
    LessonBanner *m_lesson = nullptr;
    StallMeter *m_stall = nullptr;
    Theme m_theme;

    QTimer m_frameTimer;
    QElapsedTimer m_clock;
    qint64 m_lastFrameNs = 0;
    qint64 m_statusAtNs = 0;
    quint64 m_framesAtStatus = 0;
    double m_fps = 0;
    quint64 m_lastSeq = ~quint64(0);
    quint64 m_staleUpTo = 0; // snapshots up to this seq predate the last command
    int m_shownStrategy = -1; // the strategy of the last snapshot shown (a switch turns the page)
    bool m_paused = false;
    double m_engineRate = 0; // answers per second, last tick
    QString m_scenarioFile; // when the scenario came from a file
    std::optional<StoreBackend> m_backendChoice; // nullopt: each scenario's own store
    QString m_storeUrl; // with m_backendChoice postgres: the server (empty: a private one)
    ScalingDialog *m_scaling = nullptr; // Run ▸ Scaling sweep, for the scenario it was opened on

    LessonPanel *m_lessonPanel = nullptr; // right of the diagram's row while a lesson is open
    std::unique_ptr<LessonRun> m_run;
    bool m_loadingLesson = false; // the lesson's own scenario replaces the engine: it stays open
    double m_shownT = 0; // run time of the last snapshot shown
};

} // namespace stampede::ui
