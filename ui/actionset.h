#pragma once

// Every command of the window as a QAction with its keyboard shortcut. Menus, the toolbar and
// the control panel's buttons all show these same actions, so a key and a click always do the
// same thing, and the shortcuts dialog lists them from here.

#include "config.h"

#include <QList>
#include <QObject>

#include <array>

class QAction;
class QActionGroup;
class QWidget;

namespace stampede::ui {

class ActionSet : public QObject {
    Q_OBJECT

public:
    // Actions are added to `window` so that their shortcuts work even with the menu bar hidden.
    explicit ActionSet(QWidget *window);

    // File
    QAction *openScenario = nullptr;
    QAction *exportScreenshot = nullptr;
    QAction *exportScreenshot2x = nullptr;
    QAction *exportChart = nullptr;
    QAction *exportCsv = nullptr;
    QAction *copyScreenshot = nullptr;
    QAction *saveSession = nullptr; // the run as loaded, with every command it took, as a scenario
    QAction *exportHandout = nullptr; // the open lesson as a PDF (disabled without one)
    QAction *quit = nullptr;
    // View
    QAction *projectorMode = nullptr;
    QAction *darkTheme = nullptr;
    QAction *fullScreen = nullptr;
    QAction *controlsPanel = nullptr;
    QAction *chartPage = nullptr; // the next page of charts the run has (flash sale / cache & queue)
    // Run
    QAction *startPause = nullptr;
    QAction *spike = nullptr;
    QAction *addNode = nullptr;
    QAction *removeNode = nullptr;
    QAction *killNode = nullptr;
    QAction *scaleUpNode = nullptr; // the selected node (or the first up) replaced by one of twice the cores
    QAction *scalingSweep = nullptr; // the Scaling sweep dialog
    QAction *compare = nullptr; // the compare window: this run against one setting changed
    QAction *restock = nullptr;
    QAction *reset = nullptr;
    QAction *maxRate = nullptr;
    QAction *rateUp = nullptr;
    QAction *rateDown = nullptr;
    std::array<QAction *, 5> strategies {}; // in strategyNames() order, keys 1..5
    QActionGroup *strategyGroup = nullptr;
    // Cache. The toggles are checkable and follow the engine (MainWindow syncs them from each
    // snapshot); their text says the current state ("Hashing: modulo"), which is what a room reads.
    QAction *addCacheNode = nullptr;
    QAction *removeCacheNode = nullptr;
    QAction *killCacheNode = nullptr;
    QAction *ringPlacement = nullptr; // checked: consistent-hash ring; unchecked: modulo
    QAction *singleFlight = nullptr;
    QAction *ttlJitter = nullptr; // checked: TTL jitter above 0 (the amount is set in the panel)
    QAction *readTraffic = nullptr; // checked: product-page views at the panel's ratio
    QAction *resetRecovery = nullptr; // checked: counters reset to initial; unchecked: reload from store
    // Queue
    QAction *addConsumer = nullptr;
    QAction *removeConsumer = nullptr;
    QAction *killConsumer = nullptr;
    QAction *idempotent = nullptr;
    QAction *blockWhenFull = nullptr; // checked: producers block; unchecked: reject
    // Backend: where the flash sale's stock lives. Checked: the running scenario's store.
    QAction *backendEmbedded = nullptr;
    QAction *backendPostgres = nullptr;
    QActionGroup *backendGroup = nullptr;
    // Fan-out (the celebrity fan-out workload). The mode actions follow the engine like the
    // strategies; threshold and post share step from the values the panel shows.
    QAction *celebrityPost = nullptr;
    std::array<QAction *, 3> fanoutModes {}; // push, pull, hybrid (FanoutMode order), keys U O Y
    QActionGroup *fanoutModeGroup = nullptr;
    QAction *thresholdUp = nullptr; // ×10
    QAction *thresholdDown = nullptr; // ÷10
    QAction *postShareUp = nullptr; // ×2
    QAction *postShareDown = nullptr; // ÷2
    QAction *addWorker = nullptr;
    QAction *removeWorker = nullptr;
    QAction *killWorker = nullptr;
    QAction *addInboxShard = nullptr;
    QAction *killInboxShard = nullptr; // the selected shard, or the engine's pick
    QAction *rebuildInboxShard = nullptr;
    // Lessons: one per preset, added by the window (it knows the presets)
    QList<QAction *> lessons;
    QActionGroup *lessonGroup = nullptr;
    // …then the guided lessons (one per compiled-in lesson, data: its name), and the steps. The
    // step keys are a presenter remote's (PageDown / PageUp) and the arrows; they and Leave are
    // enabled only while a lesson is open.
    QList<QAction *> guidedLessons;
    QAction *openLessonFile = nullptr;
    QAction *nextStep = nullptr;
    QAction *previousStep = nullptr;
    QAction *leaveLesson = nullptr;
    // Help
    QAction *shortcuts = nullptr;
    QAction *about = nullptr;

    QAction *addLesson(const QString &name, const QString &title);
    QAction *addGuidedLesson(const QString &name, const QString &title);
    // A remote's slide-show keys (F5, Shift+F5, Esc, .) must not change the look in front of the
    // room: while a lesson is open projector mode keeps only Ctrl+Shift+P, and none of them is bound.
    void setLessonOpen(bool open);
    bool lessonOpen() const { return m_lessonOpen; }
    // Sets the menu text and the button text; buttons also show the first shortcut ("Kill node  K")
    // so that a room learns the keys by watching.
    static void setLabel(QAction *action, const QString &text);
    // The same, with a shorter text for buttons ("+ cache   C") than for menus ("Add cache node").
    static void setLabel(QAction *action, const QString &text, const QString &buttonText);
    // Every toggle above in one list (tests, syncing).
    QList<QAction *> toggles() const;
    // The actions only one workload has: on a run of the other they are hidden, so that neither
    // their menu item, nor their button, nor their key can send a command the engine refuses.
    QList<QAction *> flashSaleActions() const;
    QList<QAction *> fanoutActions() const;
    void setWorkload(WorkloadKind workload);
    WorkloadKind workload() const { return m_workload; }
    // The menus whose actions are all of one workload (hidden on a run of the other).
    static bool menuOf(const QString &title, WorkloadKind workload);
    // Grouped as the menus show them: {menu title, actions}.
    QList<std::pair<QString, QList<QAction *>>> byMenu() const;

private:
    // A checkable action whose text follows its state.
    QAction *makeToggle(const QString &on, const QString &off, const QKeySequence &key, const QString &tip);

    QWidget *m_window;
    bool m_lessonOpen = false;
    WorkloadKind m_workload = WorkloadKind::FlashSale;
};

} // namespace stampede::ui
