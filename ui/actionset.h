#pragma once

// Every command of the window as a QAction with its keyboard shortcut. Menus, the toolbar and
// the control panel's buttons all show these same actions, so a key and a click always do the
// same thing, and the shortcuts dialog lists them from here.

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
    QAction *quit = nullptr;
    // View
    QAction *projectorMode = nullptr;
    QAction *darkTheme = nullptr;
    QAction *fullScreen = nullptr;
    QAction *controlsPanel = nullptr;
    // Run
    QAction *startPause = nullptr;
    QAction *spike = nullptr;
    QAction *addNode = nullptr;
    QAction *removeNode = nullptr;
    QAction *killNode = nullptr;
    QAction *restock = nullptr;
    QAction *reset = nullptr;
    QAction *maxRate = nullptr;
    QAction *rateUp = nullptr;
    QAction *rateDown = nullptr;
    std::array<QAction *, 4> strategies {};
    QActionGroup *strategyGroup = nullptr;
    // Lessons: one per preset, added by the window (it knows the presets)
    QList<QAction *> lessons;
    QActionGroup *lessonGroup = nullptr;
    // Help
    QAction *shortcuts = nullptr;
    QAction *about = nullptr;

    QAction *addLesson(const QString &name, const QString &title);
    // Sets the menu text and the button text; buttons also show the first shortcut ("Kill node  K")
    // so that a room learns the keys by watching.
    static void setLabel(QAction *action, const QString &text);
    // Grouped as the menus show them: {menu title, actions}.
    QList<std::pair<QString, QList<QAction *>>> byMenu() const;

private:
    QWidget *m_window;
};

} // namespace stampede::ui
