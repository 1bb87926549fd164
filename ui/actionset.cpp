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
    saveSession = make(window, u"Save session as sce&nario…"_s, { QKeySequence(u"Ctrl+Alt+S"_s) },
        u"Save the scenario with every command this run took, to replay the session exactly"_s);
    exportHandout = make(window, u"Export lesson &handout…"_s, { QKeySequence(u"Ctrl+P"_s) },
        u"Save the open lesson as a PDF: each step with its checks, answer and charts"_s);
    exportHandout->setEnabled(false);
    quit = make(window, u"&Quit"_s, { QKeySequence(u"Ctrl+Q"_s) });
    quit->setMenuRole(QAction::QuitRole);

    projectorMode = make(window, u"&Projector mode"_s, { QKeySequence(Qt::Key_F5), QKeySequence(u"Ctrl+Shift+P"_s) },
        u"Large fonts, thick lines, high contrast (in a lesson: Ctrl+Shift+P only)"_s);
    projectorMode->setCheckable(true);
    darkTheme = make(window, u"&Dark theme"_s, { QKeySequence(u"Ctrl+T"_s) });
    darkTheme->setCheckable(true);
    fullScreen = make(window, u"&Full screen"_s, { QKeySequence(Qt::Key_F11) });
    fullScreen->setCheckable(true);
    controlsPanel = make(window, u"&Controls panel"_s, { QKeySequence(Qt::Key_F9) },
        u"Show or hide the controls on the left (hidden in projector mode: use the keys)"_s);
    controlsPanel->setCheckable(true);
    controlsPanel->setChecked(true);
    chartPage = make(window, u"Next chart &page"_s, { QKeySequence(Qt::Key_G) },
        u"Switch the charts between flash sale (throughput, latency, stock) and cache & queue"_s);

    startPause = make(window, u"Pause"_s, { QKeySequence(Qt::Key_Space) }, u"Start or pause the traffic"_s);
    spike = make(window, u"&Spike"_s, { QKeySequence(Qt::Key_S) },
        u"Multiply the traffic by the factor for the seconds set in the panel"_s);
    addNode = make(window, u"&Add node"_s, { QKeySequence(Qt::Key_Plus), QKeySequence(Qt::Key_A) },
        u"Add one app node behind the gateway"_s);
    removeNode = make(window, u"&Remove node"_s, { QKeySequence(Qt::Key_Minus), QKeySequence(Qt::Key_D) },
        u"Drain the selected node (or the newest) and remove it"_s);
    killNode = make(window, u"&Kill node"_s, { QKeySequence(Qt::Key_K) },
        u"Kill the selected node (or the first up): its requests fail"_s);
    scaleUpNode = make(window, u"Scale &up node"_s, { QKeySequence(u"Shift+A"_s) },
        u"Replace the selected node (or the first up) by one with twice the cores: the old one drains"_s);
    setLabel(scaleUpNode, scaleUpNode->text(), u"Scale up"_s);
    scalingSweep = make(window, u"Scaling s&weep…"_s, { QKeySequence(u"Ctrl+U"_s) },
        u"Run the scenario over 1, 2, 4 … nodes (or its own sweep) and fit the Universal Scalability Law"_s);
    compare = make(window, u"Co&mpare…"_s, { QKeySequence(u"Ctrl+K"_s) },
        u"This run beside a copy with one setting changed (strategy by default): same seed, same traffic"_s);
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

    // ---- cache tier ----
    addCacheNode = make(window, u"Add &cache node"_s, { QKeySequence(Qt::Key_C) },
        u"Add one cache node: keys move to it (how many depends on the hashing)"_s);
    setLabel(addCacheNode, addCacheNode->text(), u"+ cache"_s);
    removeCacheNode = make(window, u"Remove cache node"_s, { QKeySequence(u"Shift+C"_s) },
        u"Remove the selected cache node (or the newest): its keys and counters are lost"_s);
    setLabel(removeCacheNode, removeCacheNode->text(), u"− cache"_s);
    killCacheNode = make(window, u"Kill cache node"_s, { QKeySequence(Qt::Key_X) },
        u"Kill the selected cache node (or the first up): its data is lost, its keys go elsewhere"_s);
    ringPlacement = makeToggle(u"Hashing: ring"_s, u"Hashing: modulo"_s, QKeySequence(Qt::Key_H),
        u"Consistent-hash ring (few keys move when a node changes) or modulo N (most keys move)"_s);
    singleFlight = makeToggle(u"Single-flight: on"_s, u"Single-flight: off"_s, QKeySequence(Qt::Key_F),
        u"One store load per missing key; other misses wait for it instead of stampeding the store"_s);
    ttlJitter = makeToggle(u"TTL jitter: on"_s, u"TTL jitter: off"_s, QKeySequence(Qt::Key_J),
        u"Spread expiries by ± the jitter set in the panel, so keys do not all expire at once"_s);
    readTraffic = makeToggle(u"Views: on"_s, u"Views: off"_s, QKeySequence(Qt::Key_V),
        u"Product-page views (served cache-aside) at the ratio set in the panel, or purchases only"_s);
    resetRecovery
        = makeToggle(u"Lost counter: reset to initial"_s, u"Lost counter: reload from store"_s, QKeySequence(Qt::Key_L),
            u"How cache-queue rebuilds a stock counter its cache node lost: reload from the store once the "
            "queue drained (safe), or reset to the initial stock at once (sells units twice)"_s);

    // ---- order queue ----
    addConsumer = make(window, u"Add &consumer"_s, { QKeySequence(Qt::Key_Q) },
        u"Add one queue consumer: it persists orders to the store"_s);
    setLabel(addConsumer, addConsumer->text(), u"+ consumer"_s);
    removeConsumer = make(window, u"Remove consumer"_s, { QKeySequence(u"Shift+Q"_s) },
        u"The selected consumer (or the newest) finishes its batch and leaves"_s);
    setLabel(removeConsumer, removeConsumer->text(), u"− consumer"_s);
    killConsumer = make(window, u"Kill consumer"_s, { QKeySequence(u"Shift+X"_s) },
        u"Kill the selected consumer (or the first up): its unacknowledged orders are delivered again"_s);
    idempotent = makeToggle(u"Idempotent: on"_s, u"Idempotent: off"_s, QKeySequence(Qt::Key_I),
        u"Consumers skip orders already persisted, so a redelivery does not write a duplicate"_s);
    blockWhenFull = makeToggle(u"When full: block"_s, u"When full: reject"_s, QKeySequence(Qt::Key_B),
        u"A full partition makes producers wait (block) or refuses the order (reject)"_s);

    // ---- the store's backend: choosing one restarts the scenario on it ----
    backendGroup = new QActionGroup(this);
    backendEmbedded = make(window, u"Store: &embedded model"_s, { QKeySequence(u"Ctrl+Alt+E"_s) },
        u"Run the stock store in the engine's model (restarts the scenario)"_s);
    backendPostgres = make(window, u"Store: &PostgreSQL (real)"_s, { QKeySequence(u"Ctrl+Alt+P"_s) },
        u"Run the stock store on a real PostgreSQL: the one --store-url names, or a private server "
        "started on loopback (restarts the scenario)"_s);
    setLabel(backendEmbedded, backendEmbedded->text(), u"Embedded model"_s);
    setLabel(backendPostgres, backendPostgres->text(), u"Real PostgreSQL"_s);
    for (QAction *a : { backendEmbedded, backendPostgres }) {
        a->setCheckable(true);
        backendGroup->addAction(a);
    }
    backendEmbedded->setChecked(true);

    // ---- fan-out ----
    celebrityPost = make(window, u"Celebrity &post"_s, { QKeySequence(Qt::Key_P) },
        u"The celebrity posts now: watch how long the post takes to reach all her followers"_s);
    const std::array<std::pair<QString, QString>, 3> modes { {
        { u"push"_s, u"Fan-out push: a worker writes the post into every follower's inbox (fan-out on write)"_s },
        { u"pull"_s, u"Fan-out pull: each read merges the outboxes of the accounts it follows (fan-out on read)"_s },
        { u"hybrid"_s, u"Fan-out hybrid: push for accounts up to the threshold, pull for those above"_s },
    } };
    const Qt::Key modeKeys[] = { Qt::Key_U, Qt::Key_O, Qt::Key_Y };
    fanoutModeGroup = new QActionGroup(this);
    fanoutModeGroup->setExclusive(true);
    for (std::size_t i = 0; i < fanoutModes.size(); ++i) {
        fanoutModes[i] = make(window, u"Fan-out "_s + modes[i].first, { QKeySequence(modeKeys[i]) }, modes[i].second);
        setLabel(fanoutModes[i], fanoutModes[i]->text(), modes[i].first);
        fanoutModes[i]->setCheckable(true);
        fanoutModes[i]->setData(int(i));
        fanoutModeGroup->addAction(fanoutModes[i]);
    }
    thresholdUp = make(window, u"Threshold ×10"_s, { QKeySequence(Qt::Key_T) },
        u"Hybrid: ten times the followers above which an account is pulled (fewer accounts pulled)"_s);
    setLabel(thresholdUp, thresholdUp->text(), u"×10"_s);
    thresholdDown = make(window, u"Threshold ÷10"_s, { QKeySequence(u"Shift+T"_s) },
        u"Hybrid: a tenth of the followers above which an account is pulled (more accounts pulled)"_s);
    setLabel(thresholdDown, thresholdDown->text(), u"÷10"_s);
    postShareUp = make(window, u"Post share ×2"_s, { QKeySequence(Qt::Key_N) },
        u"Twice the share of arrivals that are ordinary posts (the rest are timeline reads)"_s);
    setLabel(postShareUp, postShareUp->text(), u"×2"_s);
    postShareDown = make(window, u"Post share ÷2"_s, { QKeySequence(u"Shift+N"_s) },
        u"Half the share of arrivals that are ordinary posts"_s);
    setLabel(postShareDown, postShareDown->text(), u"÷2"_s);
    addWorker = make(window, u"Add fan-out &worker"_s, { QKeySequence(Qt::Key_W) },
        u"One more worker writing posts into inboxes: the backlog drains faster"_s);
    setLabel(addWorker, addWorker->text(), u"+ worker"_s);
    removeWorker = make(window, u"Remove fan-out worker"_s, { QKeySequence(u"Shift+W"_s) },
        u"The newest worker finishes and acknowledges its batch, then leaves"_s);
    setLabel(removeWorker, removeWorker->text(), u"− worker"_s);
    killWorker = make(window, u"Kill fan-out worker"_s, { QKeySequence(u"Shift+K"_s) },
        u"Kill the newest worker: its unacknowledged batch is delivered again (duplicates unless idempotent)"_s);
    setLabel(killWorker, killWorker->text(), u"Kill worker"_s);
    addInboxShard = make(window, u"Add inbox shard"_s, { QKeySequence(Qt::Key_E) },
        u"One more inbox shard: writes and reads spread over more shards"_s);
    setLabel(addInboxShard, addInboxShard->text(), u"+ shard"_s);
    killInboxShard = make(window, u"Kill inbox shard"_s, { QKeySequence(u"Shift+E"_s) },
        u"Kill the selected inbox shard (or the last up): its users' timelines are lost until it is rebuilt"_s);
    setLabel(killInboxShard, killInboxShard->text(), u"Kill shard"_s);
    rebuildInboxShard = make(window, u"Rebuild inbox shard"_s, { QKeySequence(u"Shift+R"_s) },
        u"Bring the selected (or first) dead inbox shard back, its inboxes refilled from the post log"_s);
    setLabel(rebuildInboxShard, rebuildInboxShard->text(), u"Rebuild"_s);

    lessonGroup = new QActionGroup(this);
    lessonGroup->setExclusive(true);
    openLessonFile = make(
        window, u"Open &lesson file…"_s, { QKeySequence(u"Ctrl+L"_s) }, u"Open a guided lesson from a JSON file"_s);
    nextStep = make(window, u"&Next step"_s, { QKeySequence(Qt::Key_PageDown), QKeySequence(Qt::Key_Right) },
        u"The lesson's next step (a presenter remote's forward key)"_s);
    setLabel(nextStep, nextStep->text(), u"Next ▶"_s);
    previousStep = make(window, u"&Back a step"_s, { QKeySequence(Qt::Key_PageUp), QKeySequence(Qt::Key_Left) },
        u"The lesson's previous step (a presenter remote's back key)"_s);
    setLabel(previousStep, previousStep->text(), u"◀ Back"_s);
    leaveLesson = make(
        window, u"Lea&ve lesson"_s, { QKeySequence(u"Ctrl+Shift+L"_s) }, u"Close the lesson panel; the run goes on"_s);
    // a narrow button beside the lesson's title: the tooltip carries the key
    leaveLesson->setIconText(u"✕"_s);
    leaveLesson->setToolTip(u"Leave the lesson; the run goes on (Ctrl+Shift+L)"_s);
    for (QAction *a : { nextStep, previousStep, leaveLesson })
        a->setEnabled(false);

    shortcuts = make(window, u"&Keyboard shortcuts"_s, { QKeySequence(Qt::Key_F1) });
    about = make(window, u"&About Stampede"_s, { QKeySequence(u"Shift+F1"_s) });
    about->setMenuRole(QAction::AboutRole);
    setWorkload(WorkloadKind::FlashSale);
}

void ActionSet::setLabel(QAction *action, const QString &text) { setLabel(action, text, text); }

void ActionSet::setLabel(QAction *action, const QString &text, const QString &buttonText)
{
    action->setText(text);
    QString plain = buttonText;
    plain.remove(u'&');
    if (plain.endsWith(u'…'))
        plain.chop(1);
    const QList<QKeySequence> keys = action->shortcuts();
    if (!keys.isEmpty())
        plain += u"   "_s + keys.first().toString(QKeySequence::NativeText);
    action->setIconText(plain);
}

QAction *ActionSet::makeToggle(const QString &on, const QString &off, const QKeySequence &key, const QString &tip)
{
    QAction *a = make(m_window, off, { key }, tip);
    a->setCheckable(true);
    connect(a, &QAction::toggled, this, [a, on, off](bool checked) { setLabel(a, checked ? on : off); });
    return a;
}

QList<QAction *> ActionSet::toggles() const
{
    return { ringPlacement, singleFlight, ttlJitter, readTraffic, resetRecovery, idempotent, blockWhenFull };
}

QList<QAction *> ActionSet::flashSaleActions() const
{
    QList<QAction *> list { addNode, removeNode, killNode, scaleUpNode, scalingSweep, restock };
    for (QAction *a : strategies)
        if (a)
            list << a;
    list << addCacheNode << removeCacheNode << killCacheNode << toggles() << addConsumer << removeConsumer
         << killConsumer << backendEmbedded << backendPostgres;
    return list;
}

QList<QAction *> ActionSet::fanoutActions() const
{
    for (const auto &[title, list] : byMenu())
        if (title == u"Fan-out"_s)
            return list;
    return {};
}

void ActionSet::setWorkload(WorkloadKind workload)
{
    m_workload = workload;
    const bool fanout = workload == WorkloadKind::Fanout;
    // an action that is not visible has no key either
    for (QAction *a : flashSaleActions())
        a->setVisible(!fanout);
    for (QAction *a : fanoutActions())
        a->setVisible(fanout);
}

bool ActionSet::menuOf(const QString &title, WorkloadKind workload)
{
    if (title == u"Cache"_s || title == u"Queue"_s || title == u"Backend"_s)
        return workload == WorkloadKind::FlashSale;
    if (title == u"Fan-out"_s)
        return workload == WorkloadKind::Fanout;
    return true;
}

QAction *ActionSet::addLesson(const QString &name, const QString &title)
{
    // Ctrl+1 … Ctrl+9, Ctrl+0, then Alt+1 … Alt+9
    const int n = int(lessons.size());
    QList<QKeySequence> keys;
    if (n < 9)
        keys << QKeySequence(QKeyCombination(Qt::ControlModifier, Qt::Key(int(Qt::Key_1) + n)));
    else if (n == 9)
        keys << QKeySequence(QKeyCombination(Qt::ControlModifier, Qt::Key_0));
    else if (n < 19)
        keys << QKeySequence(QKeyCombination(Qt::AltModifier, Qt::Key(int(Qt::Key_1) + n - 10)));
    QAction *a
        = make(m_window, title.isEmpty() ? name : QString(name + u" — "_s + title), keys, u"Load the preset "_s + name);
    a->setCheckable(true);
    a->setData(name);
    lessonGroup->addAction(a);
    lessons << a;
    return a;
}

QAction *ActionSet::addGuidedLesson(const QString &name, const QString &title)
{
    // Ctrl+Alt+1 … Ctrl+Alt+9 (the presets have Ctrl and Alt alone)
    const int n = int(guidedLessons.size());
    QList<QKeySequence> keys;
    if (n < 9)
        keys << QKeySequence(QKeyCombination(Qt::ControlModifier | Qt::AltModifier, Qt::Key(int(Qt::Key_1) + n)));
    QAction *a = make(m_window, u"Guided: "_s + (title.isEmpty() ? name : title), keys,
        u"Open the guided lesson "_s + name + u" in the lesson panel"_s);
    a->setData(name);
    guidedLessons << a;
    return a;
}

void ActionSet::setLessonOpen(bool open)
{
    m_lessonOpen = open;
    for (QAction *a : { nextStep, previousStep, leaveLesson, exportHandout })
        a->setEnabled(open);
    if (open)
        projectorMode->setShortcuts({ QKeySequence(u"Ctrl+Shift+P"_s) });
    else
        projectorMode->setShortcuts({ QKeySequence(Qt::Key_F5), QKeySequence(u"Ctrl+Shift+P"_s) });
}

QList<std::pair<QString, QList<QAction *>>> ActionSet::byMenu() const
{
    QList<QAction *> run { startPause, spike, addNode, removeNode, killNode, scaleUpNode, scalingSweep, compare,
        restock, reset, maxRate, rateUp, rateDown };
    for (QAction *a : strategies)
        if (a)
            run << a;
    QList<QAction *> fanout { celebrityPost };
    for (QAction *a : fanoutModes)
        fanout << a;
    fanout << thresholdUp << thresholdDown << postShareUp << postShareDown << addWorker << removeWorker << killWorker
           << addInboxShard << killInboxShard << rebuildInboxShard;
    return {
        { u"File"_s,
            { openScenario, exportScreenshot, exportScreenshot2x, exportChart, exportCsv, copyScreenshot, saveSession,
                exportHandout, quit } },
        { u"View"_s, { projectorMode, darkTheme, controlsPanel, chartPage, fullScreen } },
        { u"Run"_s, run },
        { u"Cache"_s,
            { addCacheNode, removeCacheNode, killCacheNode, ringPlacement, singleFlight, ttlJitter, readTraffic,
                resetRecovery } },
        { u"Queue"_s, { addConsumer, removeConsumer, killConsumer, idempotent, blockWhenFull } },
        { u"Backend"_s, { backendEmbedded, backendPostgres } },
        { u"Fan-out"_s, fanout },
        { u"Lessons"_s,
            lessons + guidedLessons + QList<QAction *> { openLessonFile, nextStep, previousStep, leaveLesson } },
        { u"Help"_s, { shortcuts, about } },
    };
}

} // namespace stampede::ui
