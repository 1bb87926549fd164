// The guided lesson in the window: the panel opens at step 1, the presenter's keys step through
// it (and a remote's slide-show keys change nothing), a step's actions run once, checks tick on
// the ticks that meet them and not before, the answer waits for them, the panel reads at
// 1366x768 in projector mode, and a session saves as a scenario that loads back with the
// commands it took. Offscreen platform, fixed DPI; synthetic snapshots where a check must meet,
// QTRY_* with generous bounds on real engine state, no sleeps.

#include "actionset.h"
#include "chartspanel.h"
#include "controlpanel.h"
#include "counterspanel.h"
#include "lessonbanner.h"
#include "lessonpanel.h"
#include "mainwindow.h"
#include "shortcutsdialog.h"
#include "topologyview.h"
#include "window.h"

#include "lesson.h"
#include "scenario.h"

#include <QAbstractButton>
#include <QAction>
#include <QApplication>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QLabel>
#include <QPushButton>
#include <QScrollArea>
#include <QSignalSpy>
#include <QSlider>
#include <QStandardPaths>
#include <QTableWidget>
#include <QTemporaryDir>
#include <QTest>
#include <QToolButton>

#include <memory>

using namespace Qt::StringLiterals;
using namespace stampede;
using namespace stampede::ui;

namespace {

constexpr int kTimeoutMs = 10000;

// The default preset without its timeline, at a gentle rate, so that only the test acts.
Scenario quietScenario()
{
    QString error;
    std::optional<Scenario> s = loadPreset(defaultPresetName(), &error);
    if (!s)
        qFatal("cannot load the default preset: %s", qPrintable(error));
    s->events.clear();
    s->config.traffic.ratePerS = 500;
    s->config.stock = 1000000;
    s->config.nodes.count = 4;
    s->config.threads = 2;
    s->config.strategy = Strategy::Naive;
    return *s;
}

// Three steps on the quiet run: a check with a prediction; an instant switch to row-lock and a
// restock 1 s later; a last step without checks.
Lesson testLesson()
{
    QJsonObject l;
    l[u"name"_s] = u"test-lesson"_s;
    l[u"title"_s] = u"Test lesson"_s;
    l[u"summary"_s] = u"Steps for the tests."_s;
    l[u"scenario"_s] = scenarioToJson(quietScenario());
    QJsonObject watch { { u"title"_s, u"Watch oversold"_s }, { u"text"_s, u"Naive sells units twice."_s } };
    watch[u"notice"_s]
        = QJsonArray { QJsonObject { { u"check"_s, u"oversold > 0"_s }, { u"text"_s, u"Oversold climbs above 0"_s } } };
    watch[u"predict"_s] = QJsonObject { { u"question"_s, u"Where will OVERSOLD go?"_s },
        { u"choices"_s, QJsonArray { u"Stays at 0"_s, u"Climbs"_s } }, { u"answer"_s, 1 },
        { u"explain"_s, u"Lost updates sell units twice."_s } };
    QJsonObject lock { { u"title"_s, u"Row lock"_s }, { u"text"_s, u"We switch to row-lock."_s } };
    lock[u"actions"_s] = QJsonArray { QJsonObject { { u"switch_strategy"_s, u"row-lock"_s } },
        QJsonObject { { u"after_s"_s, 1 }, { u"restock"_s, 500 } } };
    lock[u"notice"_s]
        = QJsonArray { QJsonObject { { u"check"_s, u"throughput.ok > 0"_s }, { u"text"_s, u"Buyers are served"_s } } };
    QJsonObject end { { u"title"_s, u"The end"_s }, { u"text"_s, u"That is all."_s } };
    l[u"steps"_s] = QJsonArray { watch, lock, end };
    QString error;
    std::optional<Lesson> lesson = parseLesson(QJsonDocument(l).toJson(), u"test lesson"_s, &error);
    if (!lesson)
        qFatal("cannot parse the test lesson: %s", qPrintable(error));
    return *lesson;
}

TickSample tick(double t, std::int64_t oversold)
{
    TickSample s;
    s.t = t;
    s.attempts = 500;
    s.succeeded = 500;
    StoreSample store;
    store.oversold = oversold;
    s.store = store;
    return s;
}

int countKind(const std::vector<TimedEvent> &events, EventKind kind)
{
    return int(std::count_if(events.begin(), events.end(), [kind](const TimedEvent &e) { return e.kind == kind; }));
}

} // namespace

class TestLesson : public QObject {
    Q_OBJECT

private slots:
    void initTestCase();
    void init();
    void cleanup();

    void opensAtStepOne();
    void lessonsMenuListsEveryLesson();
    void cacheQueueSwitchTurnsThePage();
    void stepKeys_data();
    void stepKeys();
    void focusedFieldsKeepTheirArrows_data();
    void focusedFieldsKeepTheirArrows();
    void presenterKeysChangeNothing_data();
    void presenterKeysChangeNothing();
    void shortcutsDialogTellsTheKeys();
    void actionsRunOnce();
    void checksTickWhenMet_data();
    void checksTickWhenMet();
    void resetRestartsTheOpenStep();
    void answerHiddenUntilMet();
    void chartsCapturedOncePerStep();
    void panelFits_data();
    void panelFits();
    void saveSessionWritesTheCommands();
    void saveSessionToUnwritablePathFails();
    void handoutNeedsALesson();
    void runWindowOpensTheLesson();
    void runWindowRejectsABadLesson_data();
    void runWindowRejectsABadLesson();

private:
    Engine *engine() const { return m_window->engine(); }
    // Synthetic snapshots from here on: the next one shows run time `t` and `ticks`.
    void useFakeSnapshots();
    void show(double t, const std::vector<TickSample> &ticks);
    void openTestLesson();

    std::unique_ptr<MainWindow> m_window;
    std::shared_ptr<Snapshot> m_fake;
    quint64 m_seq = 1'000'000;
    QTemporaryDir m_dir;
};

void TestLesson::initTestCase()
{
    QStandardPaths::setTestModeEnabled(true);
    QVERIFY(m_dir.isValid());
}

void TestLesson::init()
{
    m_window = std::make_unique<MainWindow>();
    QVERIFY(m_window->loadScenario(quietScenario(), u"test-quiet"_s));
    m_window->resize(1600, 1000);
    m_window->show();
    QVERIFY(QTest::qWaitForWindowExposed(m_window.get()));
    m_window->activateWindow();
    QVERIFY(QTest::qWaitForWindowActive(m_window.get()));
}

void TestLesson::cleanup()
{
    m_window.reset();
    m_fake.reset();
}

void TestLesson::useFakeSnapshots()
{
    m_fake = std::make_shared<Snapshot>(*engine()->snapshot());
    m_fake->seq = ++m_seq;
    m_fake->t = 100; // far from the engine's clock: only these snapshots count
    m_fake->recent.clear();
    m_window->setSnapshotSource([this] { return std::shared_ptr<const Snapshot>(m_fake); });
    m_window->poll();
}

void TestLesson::show(double t, const std::vector<TickSample> &ticks)
{
    auto next = std::make_shared<Snapshot>(*m_fake);
    next->seq = ++m_seq;
    next->t = t;
    next->recent = ticks;
    m_fake = next;
    m_window->poll();
}

void TestLesson::openTestLesson()
{
    QVERIFY(m_window->openLesson(testLesson()));
    QVERIFY(m_window->lessonOpen());
}

void TestLesson::opensAtStepOne()
{
    QSignalSpy errors(m_window.get(), &MainWindow::errorShown);
    openTestLesson();
    LessonPanel *panel = m_window->lessonPanel();
    QCOMPARE(m_window->lessonStep(), 0);
    QCOMPARE(panel->progressText(), u"Step 1 / 3"_s);
    QCOMPARE(panel->stepTitle(), u"Watch oversold"_s);
    QVERIFY(panel->isVisible());
    QVERIFY(!m_window->lessonBanner()->isVisible()); // the panel takes the banner's place
    QCOMPARE(m_window->scenarioName(), u"test-lesson"_s);
    QCOMPARE(errors.count(), 0);

    m_window->actions()->leaveLesson->trigger();
    QVERIFY(!m_window->lessonOpen());
    QVERIFY(!panel->isVisible());
    QVERIFY(m_window->lessonBanner()->isVisible());
}

// The flash sale's ladder opens on its own charts; the step that switches to cache-queue brings
// up the cache and queue charts its checks are about (no G to press), and a switch back to
// another strategy leaves the page the presenter chose.
void TestLesson::cacheQueueSwitchTurnsThePage()
{
    QVERIFY(m_window->openLesson(u"flash-sale-oversell"_s));
    ChartsPanel *charts = m_window->chartsPanel();
    QCOMPARE(charts->page(), int(ChartsPanel::FlashSalePage));
    ActionSet *a = m_window->actions();
    a->strategies[std::size_t(Strategy::Atomic)]->trigger();
    QTRY_COMPARE_WITH_TIMEOUT(int(engine()->snapshot()->store->strategy), int(Strategy::Atomic), kTimeoutMs);
    QTRY_VERIFY_WITH_TIMEOUT(m_window->shownStrategy() == int(Strategy::Atomic), kTimeoutMs);
    QCOMPARE(charts->page(), int(ChartsPanel::FlashSalePage)); // another row strategy: no turn
    a->strategies[std::size_t(Strategy::CacheQueue)]->trigger();
    QTRY_COMPARE_WITH_TIMEOUT(charts->page(), int(ChartsPanel::CacheQueuePage), kTimeoutMs);
    charts->setPage(ChartsPanel::FlashSalePage); // the presenter turns back
    a->strategies[std::size_t(Strategy::Sharded)]->trigger();
    QTRY_VERIFY_WITH_TIMEOUT(m_window->shownStrategy() == int(Strategy::Sharded), kTimeoutMs);
    QCOMPARE(charts->page(), int(ChartsPanel::FlashSalePage));
}

void TestLesson::lessonsMenuListsEveryLesson()
{
    ActionSet *a = m_window->actions();
    const QStringList names = lessonNames();
    QVERIFY(!names.isEmpty());
    QCOMPARE(a->guidedLessons.size(), names.size());
    for (qsizetype i = 0; i < names.size(); ++i) {
        QString error;
        const std::optional<Lesson> l = loadLesson(names[i], &error);
        QVERIFY2(l, qPrintable(error));
        QVERIFY2(a->guidedLessons[i]->text().contains(l->title), qPrintable(a->guidedLessons[i]->text()));
    }
    a->guidedLessons.constFirst()->trigger();
    QVERIFY(m_window->lessonOpen());
    QCOMPARE(m_window->lesson()->name, names.constFirst());
    QVERIFY(m_window->lessonPanel()->progressText().startsWith(u"Step 1 / "_s));
    // another scenario ends the lesson: its steps would act on the wrong run
    QVERIFY(m_window->loadScenario(quietScenario(), u"test-quiet"_s));
    QVERIFY(!m_window->lessonOpen());
}

void TestLesson::stepKeys_data()
{
    QTest::addColumn<int>("from");
    QTest::addColumn<int>("key");
    QTest::addColumn<int>("to");
    QTest::newRow("PageDown") << 0 << int(Qt::Key_PageDown) << 1;
    QTest::newRow("Right") << 0 << int(Qt::Key_Right) << 1;
    QTest::newRow("PageUp") << 1 << int(Qt::Key_PageUp) << 0;
    QTest::newRow("Left") << 1 << int(Qt::Key_Left) << 0;
    QTest::newRow("PageDown at the end") << 2 << int(Qt::Key_PageDown) << 2;
    QTest::newRow("PageUp at the start") << 0 << int(Qt::Key_PageUp) << 0;
}

void TestLesson::stepKeys()
{
    QFETCH(int, from);
    QFETCH(int, key);
    QFETCH(int, to);
    openTestLesson();
    for (int i = 0; i < from; ++i)
        m_window->nextStep();
    QCOMPARE(m_window->lessonStep(), from);
    // the diagram focused, as after a click on it
    m_window->topologyView()->setFocus();
    QTest::keyClick(QApplication::focusWidget() ? QApplication::focusWidget() : m_window.get(), Qt::Key(key));
    QCOMPARE(m_window->lessonStep(), to);
    QCOMPARE(m_window->lessonPanel()->progressText(), u"Step "_s + QString::number(to + 1) + u" / 3"_s);
}

void TestLesson::focusedFieldsKeepTheirArrows_data()
{
    QTest::addColumn<int>("key");
    QTest::newRow("Right") << int(Qt::Key_Right);
    QTest::newRow("Left") << int(Qt::Key_Left);
}

void TestLesson::focusedFieldsKeepTheirArrows()
{
    QFETCH(int, key);
    openTestLesson();
    m_window->nextStep();
    auto *slider = m_window->controlPanel()->findChild<QSlider *>();
    QVERIFY(slider && slider->isVisible());
    slider->setValue((slider->minimum() + slider->maximum()) / 2);
    const int value = slider->value();
    slider->setFocus();
    QVERIFY(slider->hasFocus());
    QTest::keyClick(slider, Qt::Key(key));
    QCOMPARE(m_window->lessonStep(), 1); // the slider had the key…
    QVERIFY(slider->value() != value); // …and moved
    // PageDown is not a slider's in a lesson: the remote's key always steps
    QTest::keyClick(slider, Qt::Key_PageDown);
    QCOMPARE(m_window->lessonStep(), 2);
}

void TestLesson::presenterKeysChangeNothing_data()
{
    QTest::addColumn<int>("key");
    QTest::addColumn<int>("modifiers");
    QTest::newRow("F5") << int(Qt::Key_F5) << int(Qt::NoModifier);
    QTest::newRow("Shift+F5") << int(Qt::Key_F5) << int(Qt::ShiftModifier);
    QTest::newRow("Esc") << int(Qt::Key_Escape) << int(Qt::NoModifier);
    QTest::newRow(".") << int(Qt::Key_Period) << int(Qt::NoModifier);
}

void TestLesson::presenterKeysChangeNothing()
{
    QFETCH(int, key);
    QFETCH(int, modifiers);
    openTestLesson();
    m_window->nextStep();
    m_window->topologyView()->setFocus();
    const bool projector = m_window->projectorMode();
    QTest::keyClick(m_window.get(), Qt::Key(key), Qt::KeyboardModifiers(modifiers));
    QCOMPARE(m_window->projectorMode(), projector);
    QVERIFY(m_window->lessonOpen());
    QCOMPARE(m_window->lessonStep(), 1);
    // Ctrl+Shift+P still switches projector mode in a lesson; after it F5 does again
    QTest::keyClick(m_window.get(), Qt::Key_P, Qt::ControlModifier | Qt::ShiftModifier);
    QCOMPARE(m_window->projectorMode(), !projector);
    m_window->leaveLesson();
    QTest::keyClick(m_window.get(), Qt::Key_F5);
    QCOMPARE(m_window->projectorMode(), projector);
}

void TestLesson::shortcutsDialogTellsTheKeys()
{
    auto keysOf = [](const ShortcutsDialog &d, const QString &action) {
        for (int r = 0; r < d.table()->rowCount(); ++r)
            if (d.table()->item(r, 1)->text() == action)
                return d.table()->item(r, 2)->text();
        return u"(none)"_s;
    };
    ActionSet *a = m_window->actions();
    const QString f5 = QKeySequence(Qt::Key_F5).toString(QKeySequence::NativeText);
    {
        ShortcutsDialog d(*a);
        QVERIFY(keysOf(d, u"Projector mode"_s).contains(f5));
        QVERIFY(keysOf(d, u"Next step"_s).contains(QKeySequence(Qt::Key_PageDown).toString(QKeySequence::NativeText)));
    }
    openTestLesson();
    ShortcutsDialog d(*a);
    QVERIFY2(!keysOf(d, u"Projector mode"_s).contains(f5), qPrintable(keysOf(d, u"Projector mode"_s)));
    QVERIFY(keysOf(d, u"Projector mode"_s).contains(u"Ctrl+Shift+P"_s));
    // no key twice, in a lesson too
    QSet<QString> keys;
    for (const auto &[menu, list] : a->byMenu())
        for (QAction *action : list)
            for (const QKeySequence &k : action->shortcuts()) {
                QVERIFY2(!keys.contains(k.toString()), qPrintable(k.toString()));
                keys.insert(k.toString());
            }
    for (QAction *action :
        { a->saveSession, a->exportHandout, a->openLessonFile, a->nextStep, a->previousStep, a->leaveLesson })
        QVERIFY2(!action->shortcuts().isEmpty(), qPrintable(action->text()));
    // the panel's buttons show the step actions
    for (QAction *action : { a->nextStep, a->previousStep, a->leaveLesson }) {
        bool button = false;
        for (QObject *o : action->associatedObjects())
            button = button || qobject_cast<QToolButton *>(o);
        QVERIFY2(button, qPrintable(action->text()));
    }
}

void TestLesson::actionsRunOnce()
{
    openTestLesson();
    QTRY_VERIFY_WITH_TIMEOUT(engine()->snapshot()->t > 0, kTimeoutMs);
    QCOMPARE(int(engine()->snapshot()->store->strategy), int(Strategy::Naive));
    const double opened = engine()->snapshot()->t;
    m_window->nextStep(); // switch_strategy now, restock 1 s later
    QTRY_COMPARE_WITH_TIMEOUT(int(engine()->snapshot()->store->strategy), int(Strategy::RowLock), kTimeoutMs);
    QTRY_COMPARE_WITH_TIMEOUT(countKind(engine()->appliedEvents(), EventKind::Restock), 1, kTimeoutMs);
    for (const TimedEvent &e : engine()->appliedEvents())
        if (e.kind == EventKind::Restock)
            QVERIFY2(e.atS >= opened + 1 - 1e-6, qPrintable(QString::number(e.atS - opened)));
    // the presenter goes elsewhere; back and forth does not switch again
    QVERIFY(engine()->switchStrategy(Strategy::Atomic).ok);
    m_window->previousStep();
    m_window->nextStep();
    const double revisited = engine()->snapshot()->t;
    QTRY_VERIFY_WITH_TIMEOUT(engine()->snapshot()->t > revisited + 1.5, kTimeoutMs);
    QCOMPARE(int(engine()->snapshot()->store->strategy), int(Strategy::Atomic));
    const std::vector<TimedEvent> applied = engine()->appliedEvents();
    int toRowLock = 0;
    for (const TimedEvent &e : applied)
        toRowLock += e.kind == EventKind::SwitchStrategy && e.strategy == Strategy::RowLock;
    QCOMPARE(toRowLock, 1);
    QCOMPARE(countKind(applied, EventKind::Restock), 1);
}

void TestLesson::checksTickWhenMet_data()
{
    QTest::addColumn<QList<qint64>>("oversold"); // one tick each, after the step opened
    QTest::addColumn<bool>("met");
    QTest::newRow("never above 0") << QList<qint64> { 0, 0, 0 } << false;
    QTest::newRow("above 0 on the last tick") << QList<qint64> { 0, 0, 3 } << true;
    QTest::newRow("above 0 at once") << QList<qint64> { 7 } << true;
}

void TestLesson::checksTickWhenMet()
{
    QFETCH(QList<qint64>, oversold);
    QFETCH(bool, met);
    useFakeSnapshots();
    openTestLesson();
    LessonPanel *panel = m_window->lessonPanel();
    // ticks from before the step opened do not count, however high
    show(100, { tick(99.8, 50), tick(100, 50) });
    QVERIFY2(panel->checkText(0).startsWith(u"○"_s), qPrintable(panel->checkText(0)));
    std::vector<TickSample> ticks { tick(99.8, 50), tick(100, 50) };
    double t = 100;
    for (qint64 v : oversold) {
        t += 0.1;
        ticks.push_back(tick(t, v));
        show(t, ticks);
    }
    const QString text = panel->checkText(0);
    if (met) {
        QVERIFY2(text.startsWith(u"✓"_s) && text.contains(u"met at "_s), qPrintable(text));
    } else {
        QVERIFY2(text.startsWith(u"○"_s), qPrintable(text));
        QVERIFY2(text.contains(u"oversold 0 · needs > 0"_s), qPrintable(text));
    }
    QCOMPARE(m_window->lessonOutcomes().at(0).metAtS.at(0) >= 0, met);
}

void TestLesson::resetRestartsTheOpenStep()
{
    useFakeSnapshots();
    openTestLesson();
    LessonPanel *panel = m_window->lessonPanel();
    show(100.1, { tick(100.1, 4) });
    QVERIFY(panel->checkText(0).startsWith(u"✓"_s));
    // the run time goes back: the step starts over with the run
    show(0.2, { tick(0.1, 0), tick(0.2, 0) });
    QVERIFY2(panel->checkText(0).startsWith(u"○"_s), qPrintable(panel->checkText(0)));
    show(0.3, { tick(0.1, 0), tick(0.2, 0), tick(0.3, 2) });
    QVERIFY2(panel->checkText(0).startsWith(u"✓"_s), qPrintable(panel->checkText(0)));
}

void TestLesson::answerHiddenUntilMet()
{
    useFakeSnapshots();
    openTestLesson();
    LessonPanel *panel = m_window->lessonPanel();
    QCOMPARE(panel->choiceButtons().size(), 2);
    QVERIFY(!panel->answerShown());
    QSignalSpy picked(panel, &LessonPanel::choicePicked);
    QTest::mouseClick(panel->choiceButtons().at(0), Qt::LeftButton);
    QCOMPARE(picked.count(), 1);
    QCOMPARE(panel->picked(), 0);
    QVERIFY(!panel->answerShown()); // a pick alone does not tell
    show(100.1, { tick(100.1, 0) });
    QVERIFY(!panel->answerShown());
    show(100.2, { tick(100.1, 0), tick(100.2, 1) });
    QVERIFY(panel->answerShown());
    QVERIFY2(panel->answerText().contains(u"Climbs"_s) && panel->answerText().contains(u"Lost updates"_s),
        qPrintable(panel->answerText()));
    // leaving and coming back keeps what the room saw
    m_window->nextStep();
    m_window->previousStep();
    QVERIFY(panel->answerShown());
    QCOMPARE(panel->picked(), 0);
}

void TestLesson::chartsCapturedOncePerStep()
{
    useFakeSnapshots();
    openTestLesson();
    QVERIFY(m_window->stepCaptures(0).empty());
    show(100.1, { tick(100.1, 3) }); // met: captured
    const std::size_t charts = m_window->stepCaptures(0).size();
    QVERIFY(charts > 0);
    QVERIFY(!m_window->stepCaptures(0).front().isNull());
    const qint64 key = m_window->stepCaptures(0).front().cacheKey();
    m_window->nextStep(); // step 2 left unmet later: captured when left
    QVERIFY(m_window->stepCaptures(1).empty());
    m_window->nextStep();
    QCOMPARE(m_window->stepCaptures(1).size(), charts);
    m_window->previousStep();
    m_window->previousStep();
    m_window->nextStep();
    QCOMPARE(m_window->stepCaptures(0).size(), charts);
    QCOMPARE(m_window->stepCaptures(0).front().cacheKey(), key); // the first capture stays
}

void TestLesson::panelFits_data()
{
    QTest::addColumn<QString>("lesson");
    QTest::addColumn<QSize>("size");
    QTest::addColumn<bool>("projector");
    for (const QString &name : lessonNames())
        for (const auto &[size, projector] : { std::pair { QSize(1366, 768), true }, { QSize(1366, 768), false },
                 { QSize(1920, 1080), true }, { QSize(1920, 1080), false } })
            QTest::addRow(
                "%s %dx%d %s", qPrintable(name), size.width(), size.height(), projector ? "projector" : "normal")
                << name << size << projector;
}

// Every step of every lesson, its answer shown: each text whole at its width, nothing on top of
// anything else, the panel inside the window and beside the diagram, type a room reads.
void TestLesson::panelFits()
{
    QFETCH(QString, lesson);
    QFETCH(QSize, size);
    QFETCH(bool, projector);
    // as runWindow does: the look and size first, then the lesson
    m_window->setProjectorMode(projector);
    m_window->resize(size);
    QCoreApplication::sendPostedEvents();
    QCoreApplication::processEvents();
    QVERIFY(m_window->openLesson(lesson));
    LessonPanel *panel = m_window->lessonPanel();
    const double minPx = projector ? 17 : 11;
    const int steps = int(m_window->lesson()->steps.size());
    for (int step = 0; step < steps; ++step) {
        if (step > 0)
            m_window->nextStep();
        panel->setPicked(0);
        panel->setAnswerShown(true);
        QCoreApplication::sendPostedEvents();
        QCoreApplication::processEvents();
        const QString at = lesson + u" step "_s + QString::number(step + 1) + u": "_s;
        QCOMPARE(m_window->size(), size);
        const QRect inWindow(panel->mapTo(m_window.get(), QPoint(0, 0)), panel->size());
        QVERIFY2(m_window->rect().contains(inWindow), qPrintable(at + u"the panel leaves the window"_s));
        for (QWidget *other : std::initializer_list<QWidget *> {
                 m_window->topologyView(), m_window->countersPanel(), m_window->chartsPanel() }) {
            const QRect r(other->mapTo(m_window.get(), QPoint(0, 0)), other->size());
            QVERIFY2(other->isVisible() && !inWindow.intersects(r),
                qPrintable(at + u"the panel covers "_s + QString::fromLatin1(other->metaObject()->className())));
        }
        QVERIFY2(panel->width() >= size.width() / 5, qPrintable(at + u"the panel is too narrow"_s));

        auto *scroll = panel->findChild<QScrollArea *>();
        QVERIFY(scroll);
        QWidget *viewport = scroll->viewport();
        const QRect viewportRect(viewport->mapTo(panel, QPoint(0, 0)), viewport->size());
        QList<std::pair<QString, QRect>> rects;
        for (QWidget *w : panel->parts()) {
            if (!w->isVisible())
                continue;
            QString name = w->objectName();
            const QRect r(w->mapTo(panel, QPoint(0, 0)), w->size());
            // the step's parts show through the scroll area's viewport: what is scrolled away is not on top
            const QRect shown = viewport->isAncestorOf(w) ? r.intersected(viewportRect) : r;
            if (!shown.isEmpty())
                rects.append({ name, shown });
            const auto *label = qobject_cast<QLabel *>(w);
            if (label && !label->text().isEmpty()) {
                QVERIFY2(label->height() >= label->heightForWidth(label->width()),
                    qPrintable(at + name + u" is cut: "_s + QString::number(label->height()) + u" of "_s
                        + QString::number(label->heightForWidth(label->width())) + u" px"_s));
                QVERIFY2(QFontInfo(label->font()).pixelSize() >= minPx - 0.01,
                    qPrintable(
                        at + name + u" is "_s + QString::number(QFontInfo(label->font()).pixelSize()) + u" px"_s));
            }
            if (const auto *b = qobject_cast<QToolButton *>(w)) {
                QVERIFY2(QFontMetrics(b->font()).horizontalAdvance(b->text()) <= b->width(),
                    qPrintable(at + name + u" cuts \""_s + b->text() + u'"'));
                QVERIFY2(panel->rect().contains(r), qPrintable(at + name + u" leaves the panel"_s));
            }
            if (const auto *c = qobject_cast<QPushButton *>(w)) {
                const auto *text = c->findChild<QLabel *>();
                QVERIFY(text);
                QVERIFY2(text->height() >= text->heightForWidth(text->width()),
                    qPrintable(at + name + u" cuts its choice"_s));
                QVERIFY2(c->height() >= c->heightForWidth(c->width()) - 1, qPrintable(at + name + u" is squeezed"_s));
            }
            // nothing sticks out sideways (the step scrolls up and down)
            QVERIFY2(
                r.left() >= 0 && r.right() <= panel->width(), qPrintable(at + name + u" leaves the panel's width"_s));
        }
        for (qsizetype i = 0; i < rects.size(); ++i)
            for (qsizetype j = i + 1; j < rects.size(); ++j)
                QVERIFY2(!rects[i].second.intersects(rects[j].second),
                    qPrintable(at + rects[i].first + u" overlaps "_s + rects[j].first));
        // the step's header and buttons are always in view; the text scrolls when long, but the
        // checks a room is told to watch are in view as the step opens (the panel has the
        // window's height), whatever the question below them needs
        QVERIFY(scroll->height() >= 3 * QFontMetrics(panel->font()).height());
        for (int c = 0; c < panel->checkCount(); ++c) {
            const QWidget *check = panel->findChild<QLabel *>(u"check"_s + QString::number(c));
            QVERIFY(check);
            const QRect r(check->mapTo(panel, QPoint(0, 0)), check->size());
            QVERIFY2(viewportRect.contains(r),
                qPrintable(at + u"check "_s + QString::number(c + 1) + u" is below the fold: "_s
                    + QString::number(r.bottom()) + u" of "_s + QString::number(viewportRect.bottom()) + u" px"_s));
        }
    }
}

void TestLesson::saveSessionWritesTheCommands()
{
    QTRY_VERIFY_WITH_TIMEOUT(engine()->snapshot()->t > 0, kTimeoutMs);
    ActionSet *a = m_window->actions();
    const std::uint64_t seed = engine()->config().seed;
    a->addNode->trigger();
    a->spike->trigger();
    a->strategies[2]->trigger(); // atomic
    QTRY_COMPARE_WITH_TIMEOUT(int(engine()->appliedEvents().size()), 3, kTimeoutMs);
    const QString path = m_dir.filePath(u"session.json"_s);
    QString error;
    QVERIFY2(m_window->saveSessionScenario(path, &error), qPrintable(error));
    QVERIFY(m_window->statusMessage().contains(u"session.json"_s));
    const std::optional<Scenario> s = loadScenarioFile(path, &error);
    QVERIFY2(s, qPrintable(error));
    QCOMPARE(s->config.seed, seed);
    QVERIFY(s->description.startsWith(u"Recorded session"_s));
    QVERIFY(s->durationS >= 1);
    QCOMPARE(int(s->events.size()), 3);
    QCOMPARE(int(s->events[0].kind), int(EventKind::AddNodes));
    QCOMPARE(int(s->events[1].kind), int(EventKind::Spike));
    QCOMPARE(int(s->events[2].kind), int(EventKind::SwitchStrategy));
    QCOMPARE(int(s->events[2].strategy), int(Strategy::Atomic));
    QVERIFY(s->events[0].atS <= s->events[1].atS && s->events[1].atS <= s->events[2].atS);
    QVERIFY(s->events[2].atS <= s->durationS);
    // and it replays in the window
    QVERIFY(m_window->loadScenarioFile(path));
}

void TestLesson::saveSessionToUnwritablePathFails()
{
    QSignalSpy errors(m_window.get(), &MainWindow::errorShown);
    QString error;
    QVERIFY(!m_window->saveSessionScenario(m_dir.filePath(u"no-such-dir/session.json"_s), &error));
    QCOMPARE(errors.count(), 1);
    QVERIFY(error.startsWith(u"Save session"_s));
    QVERIFY(!error.contains(u'\n'));
}

void TestLesson::handoutNeedsALesson()
{
    ActionSet *a = m_window->actions();
    QVERIFY(!a->exportHandout->isEnabled());
    QVERIFY(!a->nextStep->isEnabled());
    QVERIFY(!a->leaveLesson->isEnabled());
    QString error;
    QVERIFY(!m_window->exportLessonHandout(m_dir.filePath(u"none.pdf"_s), &error));
    QVERIFY(!error.isEmpty());
    openTestLesson();
    QVERIFY(a->exportHandout->isEnabled());
    const QString path = m_dir.filePath(u"handout.pdf"_s);
    QVERIFY2(m_window->exportLessonHandout(path, &error), qPrintable(error));
    QFile pdf(path);
    QVERIFY(pdf.open(QIODevice::ReadOnly));
    QVERIFY(pdf.read(5) == "%PDF-");
    m_window->leaveLesson();
    QVERIFY(!a->exportHandout->isEnabled());
}

void TestLesson::runWindowOpensTheLesson()
{
    m_window.reset();
    WindowOptions options;
    options.lesson = lessonNames().constFirst();
    options.screenshotFile = m_dir.filePath(u"lesson.png"_s);
    options.afterSeconds = 0.5;
    auto &app = static_cast<QApplication &>(*QCoreApplication::instance());
    QCOMPARE(runWindow(app, options), 0);
    QVERIFY(QImage(options.screenshotFile).width() > 0);
}

void TestLesson::runWindowRejectsABadLesson_data()
{
    QTest::addColumn<QString>("lesson");
    QTest::newRow("unknown name") << u"no-such-lesson"_s;
    QTest::newRow("missing file") << u"/no/such/lesson.json"_s;
}

void TestLesson::runWindowRejectsABadLesson()
{
    QFETCH(QString, lesson);
    m_window.reset();
    WindowOptions options;
    options.lesson = lesson;
    options.screenshotFile = m_dir.filePath(u"bad.png"_s);
    options.afterSeconds = 0;
    auto &app = static_cast<QApplication &>(*QCoreApplication::instance());
    QCOMPARE(runWindow(app, options), 2);
    QVERIFY(!QFile::exists(options.screenshotFile));
}

QTEST_MAIN(TestLesson)
#include "tst_lesson.moc"
