#pragma once

// The monkey: one random action at a time on the window, chosen by weight among the kinds below,
// 20–200 ms apart (QTimer, the event loop runs between them, the engine in real time). After each
// action it checks that the window still answers (a zero-timer comes back within kAnswerLimitMs
// of the action's start), the engine's invariants (invariants.h) and that the main window is
// still shown; once a second it samples resident memory (rss.h). Every action goes to the log
// before it runs, so a crash or a hang names it.

#include "dialogs.h"
#include "invariants.h"
#include "options.h"
#include "rng.h"
#include "rss.h"

#include <QElapsedTimer>
#include <QFile>
#include <QHash>
#include <QMap>
#include <QObject>
#include <QPointer>
#include <QTemporaryDir>
#include <QTimer>

#include <functional>
#include <memory>

class QAction;
class QKeySequence;
class QWidget;

namespace stampede::ui {
class MainWindow;
}

namespace stampede::soak {

class Watchdog;

// The kinds --only takes, in the order the summary prints them.
const QStringList &actionKinds();

struct Violation {
    double atS = 0;
    QString action; // the action after which it was found ("#12 reset: Ctrl+R key")
    QString what;
};

class Monkey : public QObject {
    Q_OBJECT

public:
    static constexpr int kAnswerLimitMs = 5000;

    Monkey(ui::MainWindow *window, const Options &options, Watchdog *watchdog, QObject *parent = nullptr);
    ~Monkey() override;

    bool prepare(QString *error); // the temporary directory, its files, the log
    void start();
    void stop(); // closes what the run opened (compare windows, dialogs)

    // ---- results ----
    double elapsedS() const { return double(m_clock.elapsed()) / 1000.0; }
    int actions() const { return m_count; }
    const QMap<QString, int> &byKind() const { return m_byKind; }
    const QList<Violation> &violations() const { return m_violations; }
    int violationCount() const { return m_violationCount; }
    int unresponsive() const { return m_unresponsive; }
    qint64 slowestMs() const { return m_slowestMs; }
    QString slowestAction() const { return m_slowestAction; }
    const RssTrack &rss() const { return m_rss; } // every second, whatever the state
    const RssTrack &checkpoints() const { return m_checkpoints; } // the verdict's samples
    struct Count {
        double t = 0;
        int widgets = 0; // QApplication::allWidgets()
        int objects = 0; // QObjects under the main window
    };
    const QList<Count> &widgetCounts() const { return m_widgetCounts; } // at each checkpoint
    const Invariants &invariants() const { return m_invariants; }
    int dialogsAnswered() const { return m_dialogs ? m_dialogs->answered() : 0; }
    int filesExported() const { return m_exported; }
    // An informational note for the log (main.cpp's Qt message handler uses it).
    void logLine(const QString &line);

signals:
    void finished();
    // Once a minute: "soak: 3 min, …".
    void progress(const QString &line);

private:
    struct Action {
        QString detail;
        std::function<void()> run;
    };

    void step();
    void afterAction();
    void everySecond();
    void violation(const QString &what);
    void tidy();
    // Every checkpointEveryS(): the window in one fixed state (checkpointPreset() freshly
    // loaded, no tool windows, normal look and size), then, once the old engine is gone, one
    // memory sample. Comparing the window with itself in the same state is what makes the memory
    // verdict mean something: a fan-out preset's follower graph alone is hundreds of MB, so raw
    // samples swing with whatever preset the monkey happened to load.
    void checkpoint();
    void checkpointSample();
    static QString checkpointPreset();

public:
    double checkpointEveryS() const;

private:
    void checkExports();

    // ---- the kinds (monkeyactions.cpp) ----
    Action choose(const QString &kind);
    Action shortcutAction();
    Action rateAction();
    Action spikeAction();
    Action nodeAction();
    Action presetAction();
    Action strategyAction();
    Action resetAction();
    Action lookAction();
    Action resizeAction();
    Action exportAction();
    Action lessonAction();
    Action compareAction();
    Action dialogAction();
    Action fieldsAction();
    Action idleAction();

    // ---- helpers ----
    // The action by one of its keys (a key event to the window, or now and then to the focused
    // widget, as a person types) or, when it has none or by chance, by QAction::trigger.
    Action byKeyOrTrigger(QAction *action, double keyShare = 0.67);
    void pressKey(const QKeySequence &keys, QWidget *target = nullptr);
    void noteSideEffects(QAction *action); // strategies and resets, for the invariants
    QList<QAction *> visible(const QList<QAction *> &actions) const;
    QString keyText(const QKeySequence &keys) const;

    ui::MainWindow *m_window;
    Options m_options;
    Watchdog *m_watchdog;
    Rng m_rng;
    QStringList m_kinds;
    QList<int> m_weights;
    QList<QAction *> m_shortcutActions; // Help ▸ Keyboard shortcuts' list (byMenu), less Quit
    QTemporaryDir m_tmp;
    DialogAnswerer *m_dialogs = nullptr;
    Invariants m_invariants;
    RssTrack m_rss;
    RssTrack m_checkpoints;
    double m_nextCheckpointS = 0;
    bool m_finalCheckpoint = false;
    QList<Count> m_widgetCounts;
    QFile m_log;

    QElapsedTimer m_clock;
    QElapsedTimer m_actionClock;
    QTimer m_stepTimer;
    QTimer m_secondTimer;
    QTimer m_beatTimer;
    QString m_current; // "#12 reset: Ctrl+R key"
    int m_count = 0;
    QMap<QString, int> m_byKind;
    QList<Violation> m_violations; // the first kMaxKept
    int m_violationCount = 0;
    int m_unresponsive = 0;
    qint64 m_slowestMs = 0;
    QString m_slowestAction;
    int m_exported = 0;
    QStringList m_direct; // files the direct exports wrote (checked like the dialogs')
    int m_minutesShown = 0;
    double m_modalSinceS = -1; // a dialog open between actions: answered after 3 s
    QHash<QWidget *, double> m_openedAt; // compare windows and the scaling dialog, first seen
    bool m_stopping = false;
};

} // namespace stampede::soak
