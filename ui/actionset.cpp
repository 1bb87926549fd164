#include "actionset.h"

#include "format.h"

#include <QAction>
#include <QActionGroup>
#include <QKeySequence>
#include <QWidget>

#include "config.h"

using namespace Qt::StringLiterals;

namespace stampede::ui {

namespace {

QAction *make(QWidget *window, const QString &text, const QList<QKeySequence> &keys, const QString &tip = {})
{
    auto *a = new QAction(window);
    a->setShortcuts(keys);
    ActionSet::setLabel(a, text);
    a->setToolTip(tip.isEmpty() ? text : tip);
    a->setStatusTip(tip);
    // Explicit: menus and buttons show the shortcut next to the text.
    a->setShortcutVisibleInContextMenu(true);
    window->addAction(a);
    return a;
}

} // namespace

ActionSet::ActionSet(QWidget *window)
    : QObject(window)
    , m_window(window)
{
    openScenario = make(window, u"&Open scenario…"_s, { QKeySequence::Open }, u"Load a scenario JSON file"_s);
    exportScreenshot = make(
        window, u"&Export screenshot…"_s, { QKeySequence(u"Ctrl+S"_s) }, u"Save the window as PNG at 1× pixel ratio"_s);
    exportScreenshot2x = make(window, u"Export screenshot at &2×…"_s, { QKeySequence(u"Ctrl+Shift+S"_s) },
        u"Save the window as PNG at 2× pixel ratio (sharp on slides)"_s);
    exportChart = make(window, u"Export &chart…"_s, { QKeySequence(u"Ctrl+G"_s) }, u"Save one chart as SVG or PNG"_s);
    exportCsv = make(window, u"Export &timeline CSV…"_s, { QKeySequence(u"Ctrl+E"_s) },
        u"Save every 100 ms tick of the run as CSV"_s);
    copyScreenshot = make(
        window, u"Co&py screenshot"_s, { QKeySequence(u"Ctrl+Shift+C"_s) }, u"Copy the window to the clipboard"_s);
    quit = make(window, u"&Quit"_s, { QKeySequence(u"Ctrl+Q"_s) });
    quit->setMenuRole(QAction::QuitRole);

    projectorMode = make(
        window, u"&Projector mode"_s, { QKeySequence(Qt::Key_F5) }, u"Large fonts, thick lines, high contrast"_s);
    projectorMode->setCheckable(true);
    darkTheme = make(window, u"&Dark theme"_s, { QKeySequence(u"Ctrl+T"_s) });
    darkTheme->setCheckable(true);
    fullScreen = make(window, u"&Full screen"_s, { QKeySequence(Qt::Key_F11) });
    fullScreen->setCheckable(true);
    controlsPanel = make(window, u"&Controls panel"_s, { QKeySequence(Qt::Key_F9) },
        u"Show or hide the controls on the left (hidden in projector mode: use the keys)"_s);
    controlsPanel->setCheckable(true);
    controlsPanel->setChecked(true);

    startPause = make(window, u"Pause"_s, { QKeySequence(Qt::Key_Space) }, u"Start or pause the traffic"_s);
    spike = make(window, u"&Spike"_s, { QKeySequence(Qt::Key_S) },
        u"Multiply the traffic by the factor for the seconds set in the panel"_s);
    addNode = make(window, u"&Add node"_s, { QKeySequence(Qt::Key_Plus), QKeySequence(Qt::Key_A) },
        u"Add one app node behind the gateway"_s);
    removeNode = make(window, u"&Remove node"_s, { QKeySequence(Qt::Key_Minus), QKeySequence(Qt::Key_D) },
        u"Drain the selected node (or the newest) and remove it"_s);
    killNode = make(window, u"&Kill node"_s, { QKeySequence(Qt::Key_K) },
        u"Kill the selected node (or the first up): its requests fail"_s);
    restock = make(window, u"Res&tock"_s, { QKeySequence(Qt::Key_R) }, u"Add the units set in the panel"_s);
    reset = make(window, u"R&eset"_s, { QKeySequence(u"Ctrl+R"_s) }, u"Back to the scenario's start"_s);
    maxRate = make(window, u"&Max rate (closed loop)"_s, { QKeySequence(Qt::Key_M) },
        u"Clients send as fast as they are answered"_s);
    maxRate->setCheckable(true);
    rateUp = make(window, u"Rate ×2"_s, { QKeySequence(u"Ctrl+Up"_s) }, u"Double the arrival rate"_s);
    rateDown = make(window, u"Rate ÷2"_s, { QKeySequence(u"Ctrl+Down"_s) }, u"Halve the arrival rate"_s);
    // Buttons too narrow for the key: the tooltip carries it.
    rateUp->setIconText(u"×2"_s);
    rateDown->setIconText(u"÷2"_s);
    maxRate->setIconText(u"max   M"_s);
    rateUp->setToolTip(u"Double the arrival rate (Ctrl+Up)"_s);
    rateDown->setToolTip(u"Halve the arrival rate (Ctrl+Down)"_s);
    maxRate->setToolTip(u"Closed loop: clients send as fast as they are answered (M)"_s);

    strategyGroup = new QActionGroup(this);
    strategyGroup->setExclusive(true);
    const auto &names = strategyNames();
    for (std::size_t i = 0; i < strategies.size() && i < names.size(); ++i) {
        const QString name = fromStd(names[i]);
        strategies[i] = make(window, u"Strategy "_s + name, { QKeySequence(Qt::Key(int(Qt::Key_1) + int(i))) },
            u"Switch the stock strategy to "_s + name);
        strategies[i]->setCheckable(true);
        strategies[i]->setData(int(i));
        strategyGroup->addAction(strategies[i]);
    }

    lessonGroup = new QActionGroup(this);
    lessonGroup->setExclusive(true);

    shortcuts = make(window, u"&Keyboard shortcuts"_s, { QKeySequence(Qt::Key_F1) });
    about = make(window, u"&About Stampede"_s, { QKeySequence(u"Shift+F1"_s) });
    about->setMenuRole(QAction::AboutRole);
}

void ActionSet::setLabel(QAction *action, const QString &text)
{
    action->setText(text);
    QString plain = text;
    plain.remove(u'&');
    if (plain.endsWith(u'…'))
        plain.chop(1);
    const QList<QKeySequence> keys = action->shortcuts();
    if (!keys.isEmpty())
        plain += u"   "_s + keys.first().toString(QKeySequence::NativeText);
    action->setIconText(plain);
}

QAction *ActionSet::addLesson(const QString &name, const QString &title)
{
    const int n = int(lessons.size());
    QList<QKeySequence> keys;
    if (n < 9)
        keys << QKeySequence(QKeyCombination(Qt::ControlModifier, Qt::Key(int(Qt::Key_1) + n)));
    QAction *a
        = make(m_window, title.isEmpty() ? name : QString(name + u" — "_s + title), keys, u"Load the preset "_s + name);
    a->setCheckable(true);
    a->setData(name);
    lessonGroup->addAction(a);
    lessons << a;
    return a;
}

QList<std::pair<QString, QList<QAction *>>> ActionSet::byMenu() const
{
    QList<QAction *> run { startPause, spike, addNode, removeNode, killNode, restock, reset, maxRate, rateUp,
        rateDown };
    for (QAction *a : strategies)
        if (a)
            run << a;
    return {
        { u"File"_s,
            { openScenario, exportScreenshot, exportScreenshot2x, exportChart, exportCsv, copyScreenshot, quit } },
        { u"View"_s, { projectorMode, darkTheme, controlsPanel, fullScreen } },
        { u"Run"_s, run },
        { u"Lessons"_s, lessons },
        { u"Help"_s, { shortcuts, about } },
    };
}

} // namespace stampede::ui
