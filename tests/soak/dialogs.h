#pragma once

// Answers whatever modal dialog or popup menu an action opens, as a person would, so that the
// soak never waits on one: save dialogs get a fresh name in the soak's directory (or are
// cancelled), open dialogs a file the soak prepared (a preset, a lesson, the last saved session,
// a broken file), the chart picker a random chart, message boxes OK, menus a random item.

#include "rng.h"

#include <QList>
#include <QObject>
#include <QString>
#include <QStringList>
#include <QTimer>

class QDialog;
class QWidget;

namespace stampede::ui {
class ActionSet;
}

namespace stampede::soak {

class DialogAnswerer : public QObject {
    Q_OBJECT

public:
    // `directory`: where files are saved and opened from (the soak's temporary directory).
    DialogAnswerer(const ui::ActionSet *actions, Rng &rng, const QString &directory, QObject *parent = nullptr);

    // Copies the shipped presets and lessons into the directory, plus a broken file of each.
    bool prepareFiles(QString *error);
    QString scenarioDirectory() const;

    // Answers the dialog or popup open now, if any: true when it answered one.
    bool answerOpen();
    // While an action runs, every 20 ms: the action may open a dialog, then another one.
    void arm()
    {
        m_lastModal = nullptr;
        m_timer.start();
    }
    void disarm()
    {
        m_timer.stop();
        m_lastModal = nullptr;
    }

    // Since the last take: what was answered ("save …/x.png", "cancel", "menu: Kill node 3"),
    // files chosen in save dialogs, and what a dialog showed wrong.
    QStringList takeNotes() { return std::exchange(m_notes, {}); }
    QStringList takeSavedFiles() { return std::exchange(m_saved, {}); }
    QStringList takeProblems() { return std::exchange(m_problems, {}); }
    int answered() const { return m_answered; }

private:
    void answerDialog(QDialog *dialog);
    QString freshName(const QString &suffix);

    const ui::ActionSet *m_actions;
    Rng &m_rng;
    QString m_dir;
    QTimer m_timer;
    QList<QWidget *> m_answering; // dialogs being answered now (answering may open another)
    int m_answered = 0;
    int m_serial = 0;
    QWidget *m_lastModal = nullptr; // compared only, never dereferenced
    int m_repeats = 0;
    QStringList m_notes, m_saved, m_problems;
};

} // namespace stampede::soak
