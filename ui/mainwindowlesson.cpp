// MainWindow's guided lesson: the Lessons menu's lessons, stepping through them at the
// presenter's pace, the checks fed from the snapshots the window shows, the charts kept per step
// for the handout, and File ▸ Save session as scenario.

#include "mainwindow.h"

#include "actionset.h"
#include "chartspanel.h"
#include "enginehost.h"
#include "exportdialogs.h"
#include "exporter.h"
#include "handout.h"
#include "lessonbanner.h"
#include "lessonpanel.h"
#include "livechart.h"

#include "scenario.h"

#include <QAbstractItemView>
#include <QAbstractSlider>
#include <QAbstractSpinBox>
#include <QAction>
#include <QApplication>
#include <QComboBox>
#include <QDateTime>
#include <QDir>
#include <QFile>
#include <QFileDialog>
#include <QFileInfo>
#include <QJsonDocument>
#include <QKeyEvent>
#include <QLineEdit>
#include <QPlainTextEdit>
#include <QSaveFile>
#include <QTextEdit>

#include <algorithm>
#include <cmath>

using namespace Qt::StringLiterals;

namespace stampede::ui {

namespace {

// The step keys include the bare arrows, window-wide so that they work with the charts or the
// diagram focused; a focused slider, spin box or text field keeps its arrows (it claims them
// before the shortcut sees them).
class ArrowKeeper : public QObject {
public:
    explicit ArrowKeeper(QWidget *window)
        : QObject(window)
        , m_window(window)
    {
    }

protected:
    bool eventFilter(QObject *watched, QEvent *event) override
    {
        if (event->type() != QEvent::ShortcutOverride)
            return false;
        const auto *key = static_cast<QKeyEvent *>(event);
        if ((key->key() != Qt::Key_Left && key->key() != Qt::Key_Right) || key->modifiers() != Qt::NoModifier)
            return false;
        auto *w = qobject_cast<QWidget *>(watched);
        if (!w || w->window() != m_window)
            return false;
        if (qobject_cast<QAbstractSlider *>(w) || qobject_cast<QAbstractSpinBox *>(w) || qobject_cast<QLineEdit *>(w)
            || qobject_cast<QTextEdit *>(w) || qobject_cast<QPlainTextEdit *>(w)
            || qobject_cast<QAbstractItemView *>(w))
            event->accept(); // the widget gets the key press, the shortcut does not fire
        return false;
    }

private:
    QWidget *m_window;
};

const std::vector<QImage> kNoImages;

} // namespace

void MainWindow::buildLessonPanel()
{
    for (const QString &name : lessonNames()) {
        QString error;
        const std::optional<Lesson> l = loadLesson(name, &error);
        m_actions->addGuidedLesson(name, l ? l->title : QString());
    }
    qApp->installEventFilter(new ArrowKeeper(this));
}

void MainWindow::connectLessonActions()
{
    ActionSet &a = *m_actions;
    for (QAction *l : std::as_const(a.guidedLessons))
        connect(l, &QAction::triggered, this, [this, l] { openLesson(l->data().toString()); });
    connect(a.openLessonFile, &QAction::triggered, this, &MainWindow::openLessonDialog);
    connect(a.nextStep, &QAction::triggered, this, &MainWindow::nextStep);
    connect(a.previousStep, &QAction::triggered, this, &MainWindow::previousStep);
    connect(a.leaveLesson, &QAction::triggered, this, &MainWindow::leaveLesson);
    connect(a.saveSession, &QAction::triggered, this, &MainWindow::askSaveSession);
    connect(a.exportHandout, &QAction::triggered, this, &MainWindow::askLessonHandout);
    connect(m_lessonPanel, &LessonPanel::choicePicked, this, &MainWindow::pickChoice);
}

// ---------------------------------------------------------------- opening and stepping

bool MainWindow::openLesson(const QString &nameOrFile)
{
    QString error;
    const std::optional<Lesson> l = resolveLesson(nameOrFile, &error);
    if (!l) {
        showMessage(error, true);
        return false;
    }
    return openLesson(*l);
}

bool MainWindow::openLesson(const Lesson &lesson)
{
    if (lesson.steps.empty()) {
        showMessage(lesson.name + u": the lesson has no steps"_s, true);
        return false;
    }
    m_loadingLesson = true;
    const bool loaded = loadScenario(lesson.scenario, lesson.name);
    m_loadingLesson = false;
    if (!loaded)
        return false;
    // A lesson that only switches to cache-queue later (the flash sale's ladder) starts on the
    // flash-sale charts: its cache tier has nothing to show yet (the switch turns the page).
    const EngineConfig &c = lesson.scenario.config;
    if (c.workload == WorkloadKind::FlashSale && c.strategy != Strategy::CacheQueue && c.traffic.readRatio <= 0)
        m_charts->setPage(ChartsPanel::FlashSalePage);
    m_run = std::make_unique<LessonRun>();
    m_run->lesson = lesson;
    m_run->steps.resize(lesson.steps.size());
    m_run->lastSeenT = runTimeNow();
    {
        // the box names presets; a lesson's scenario is none of them
        const QSignalBlocker block(m_presetCombo);
        if (m_presetCombo->findData(lesson.name) < 0)
            m_presetCombo->setCurrentIndex(-1);
    }
    m_actions->setLessonOpen(true);
    m_lessonPanel->setLessonTitle(lesson.title.isEmpty() ? lesson.name : lesson.title);
    m_lesson->hide(); // the panel says more than the banner
    fitLessonPanel();
    m_lessonPanel->show();
    fitChartRows(); // the charts lose the panel's width
    openStep(0);
    // short: the status line beside it keeps its room at 1366 px in projector type
    showMessage(u"Lesson: PgDown / → next step, PgUp / ← back"_s, false);
    return true;
}

void MainWindow::leaveLesson()
{
    if (!m_run)
        return;
    m_run.reset();
    m_actions->setLessonOpen(false);
    m_lessonPanel->hide();
    m_lesson->show();
    fitChartRows();
    showMessage(u"Left the lesson; the run goes on"_s, false);
}

void MainWindow::nextStep()
{
    if (!m_run)
        return;
    if (m_run->step + 1 >= int(m_run->lesson.steps.size())) {
        showMessage(u"Last step: "_s + m_actions->leaveLesson->shortcut().toString(QKeySequence::NativeText)
                + u" leaves the lesson"_s,
            false);
        return;
    }
    openStep(m_run->step + 1);
}

void MainWindow::previousStep()
{
    if (m_run && m_run->step > 0)
        openStep(m_run->step - 1);
}

double MainWindow::runTimeNow() const
{
    // a test's snapshots have their own clock; the engine's otherwise (its timeline runs on it)
    if (m_source)
        return m_shownT;
    const Engine *e = engine();
    return e ? e->snapshot()->t : 0.0;
}

void MainWindow::restartTrackers(StepState &st, double openedAtS)
{
    const LessonStep &step = m_run->lesson.steps[std::size_t(m_run->step)];
    st.trackers.clear();
    for (const LessonCheck &c : step.checks)
        st.trackers.emplace_back(c);
    st.openedAtS = openedAtS;
    m_run->lastFedT = openedAtS;
}

void MainWindow::openStep(int index)
{
    if (!m_run || index < 0 || index >= int(m_run->lesson.steps.size()))
        return;
    if (m_run->step >= 0 && m_run->step != index) {
        StepState &left = m_run->steps[std::size_t(m_run->step)];
        if (!left.captured)
            captureStep(left); // the charts as the step ended, when its checks never all met
    }
    m_run->step = index;
    const LessonStep &step = m_run->lesson.steps[std::size_t(index)];
    StepState &st = m_run->steps[std::size_t(index)];
    const double now = runTimeNow();
    restartTrackers(st, now);
    if (!st.visited) {
        st.visited = true;
        st.firstOpenedAtS = now;
        st.metAtS.assign(step.checks.size(), -1);
        // its actions once: at once, or through the engine's timeline at their run time
        if (Engine *e = engine()) {
            const double engineNow = e->snapshot()->t;
            for (TimedEvent action : step.actions) {
                if (action.atS <= 0) {
                    send(action);
                } else {
                    action.atS += engineNow;
                    check(e->schedule(action));
                }
            }
        }
    }
    m_lessonPanel->showStep(index, int(m_run->lesson.steps.size()), step);
    showLessonState();
}

// ---------------------------------------------------------------- checks

void MainWindow::feedLesson(const Snapshot &s)
{
    if (!m_run || m_run->step < 0)
        return;
    StepState &st = m_run->steps[std::size_t(m_run->step)];
    bool changed = false;
    if (s.t + 1e-9 < m_run->lastSeenT) { // a reset: the open step starts over with the run
        restartTrackers(st, 0);
        std::fill(st.metAtS.begin(), st.metAtS.end(), -1.0);
        changed = true;
    }
    m_run->lastSeenT = s.t;
    for (const TickSample &tick : s.recent) {
        // new ticks of this run only: after the step opened, after the last one fed
        if (tick.t <= m_run->lastFedT || tick.t > s.t + 1e-9)
            continue;
        for (std::size_t i = 0; i < st.trackers.size(); ++i)
            if (st.trackers[i].feed(tick) && st.metAtS[i] < 0)
                st.metAtS[i] = st.trackers[i].metAt();
        m_run->lastFedT = tick.t;
        changed = true;
    }
    if (!changed)
        return;
    showLessonState();
    if (!st.captured && !st.metAtS.empty() && stepMet(st))
        captureStep(st);
}

bool MainWindow::stepMet(const StepState &st) const
{
    return std::all_of(st.metAtS.begin(), st.metAtS.end(), [](double t) { return t >= 0; });
}

void MainWindow::showLessonState()
{
    if (!m_run || m_run->step < 0)
        return;
    const StepState &st = m_run->steps[std::size_t(m_run->step)];
    const LessonStep &step = m_run->lesson.steps[std::size_t(m_run->step)];
    std::vector<LessonPanel::CheckState> states;
    for (std::size_t i = 0; i < st.trackers.size(); ++i) {
        LessonPanel::CheckState c;
        c.met = st.metAtS[i] >= 0;
        c.metAtS = st.metAtS[i];
        c.value = st.trackers[i].lastValue();
        states.push_back(c);
    }
    m_lessonPanel->setCheckStates(states);
    m_lessonPanel->setPicked(st.picked);
    // the answer once the room has seen it happen; a step without checks shows it on a pick
    const bool met = step.checks.empty() ? st.picked >= 0 : stepMet(st);
    m_lessonPanel->setAnswerShown(step.prediction.has_value() && met);
}

void MainWindow::pickChoice(int choice)
{
    if (!m_run || m_run->step < 0)
        return;
    m_run->steps[std::size_t(m_run->step)].picked = choice;
    showLessonState();
}

void MainWindow::captureStep(StepState &st)
{
    st.captured = true; // one capture a step, however often it is visited
    st.images.clear();
    m_charts->catchUp();
    QCoreApplication::sendPostedEvents(nullptr, QEvent::LayoutRequest); // titles and axes laid out
    for (LiveChart *chart : m_charts->charts()) {
        if (!chart->isVisible() || chart->width() <= 0)
            continue;
        // about 700 px wide for the page, and no more: a long lesson keeps a flat memory
        const double dpr = std::clamp(700.0 / chart->width(), 1.0, 2.0);
        st.images.push_back(exporter::renderWidget(chart, dpr).convertToFormat(QImage::Format_RGB888));
    }
}

std::vector<StepOutcome> MainWindow::lessonOutcomes() const
{
    std::vector<StepOutcome> out;
    if (!m_run)
        return out;
    for (std::size_t i = 0; i < m_run->steps.size(); ++i) {
        const StepState &st = m_run->steps[i];
        StepOutcome o;
        o.openedAtS = st.visited ? st.firstOpenedAtS : -1;
        o.metAtS = st.visited ? st.metAtS : std::vector<double>(m_run->lesson.steps[i].checks.size(), -1.0);
        out.push_back(o);
    }
    return out;
}

const std::vector<QImage> &MainWindow::stepCaptures(int step) const
{
    if (!m_run || step < 0 || step >= int(m_run->steps.size()))
        return kNoImages;
    return m_run->steps[std::size_t(step)].images;
}

void MainWindow::fitLessonPanel()
{
    // projector type needs a wider column; with less room (a wide diagram row) it narrows, down to
    // its buttons, rather than push the window wider than the screen
    m_lessonPanel->setPreferredWidth(
        m_theme.projector ? std::clamp(width() * 34 / 100, 340, 600) : std::clamp(width() * 22 / 100, 280, 480));
}

// ---------------------------------------------------------------- files

void MainWindow::openLessonDialog()
{
    const QString path = QFileDialog::getOpenFileName(this, u"Open lesson"_s, QDir::homePath(), u"Lesson (*.json)"_s);
    if (path.isEmpty())
        return;
    QString error;
    const std::optional<Lesson> l = loadLessonFile(path, &error);
    if (!l)
        showMessage(error, true);
    else
        openLesson(*l);
}

bool MainWindow::saveSessionScenario(const QString &path, QString *error)
{
    auto fail = [&](const QString &e) {
        showMessage(e, true);
        if (error)
            *error = e;
        return false;
    };
    const Engine *e = engine();
    if (!e)
        return fail(u"Save session: no run to save"_s);
    Scenario s = m_host->scenario();
    s.events = e->appliedEvents();
    // long enough for the last command, and at least 1 s
    double duration = std::max(1.0, e->snapshot()->t);
    for (const TimedEvent &ev : s.events)
        duration = std::max(duration, ev.atS);
    s.durationS = std::min(kMaxDurationS, std::ceil(duration * 10) / 10);
    s.sweep.reset(); // a replay, not a sweep
    s.notes.clear();
    const QString when = QDateTime::currentDateTime().toString(u"yyyy-MM-dd HH:mm"_s);
    s.description = u"Recorded session of "_s + m_host->name() + u" ("_s + when + u", "_s
        + QString::number(s.events.size()) + u" commands over "_s + QString::number(s.durationS) + u" s, seed "_s
        + QString::number(s.config.seed) + u")."_s + (s.description.isEmpty() ? QString() : u" "_s + s.description);
    if (const QString problem = checkScenario(s); !problem.isEmpty())
        return fail(u"Save session: "_s + problem);

    QSaveFile file(path);
    if (!file.open(QIODevice::WriteOnly))
        return fail(u"Save session: cannot write "_s + QDir::toNativeSeparators(path) + u": "_s + file.errorString());
    file.write(QJsonDocument(scenarioToJson(s)).toJson(QJsonDocument::Indented));
    if (!file.commit())
        return fail(u"Save session: cannot write "_s + QDir::toNativeSeparators(path) + u": "_s + file.errorString());
    // what was written must load back, or the replay would fail in front of the next room
    QString loadError;
    if (!::loadScenarioFile(path, &loadError))
        return fail(u"Save session: the saved file does not load: "_s + loadError);
    showMessage(
        u"Saved session ("_s + QString::number(s.events.size()) + u" commands) to "_s + QDir::toNativeSeparators(path),
        false);
    return true;
}

void MainWindow::askSaveSession()
{
    const QString path
        = m_exports->askSavePath(u"Save session as scenario"_s, u"session"_s, u"json"_s, u"Scenario (*.json)"_s);
    if (!path.isEmpty())
        saveSessionScenario(path);
}

bool MainWindow::exportLessonHandout(const QString &path, QString *error)
{
    auto fail = [&](const QString &e) {
        showMessage(e, true);
        if (error)
            *error = e;
        return false;
    };
    if (!m_run)
        return fail(u"Lesson handout: no lesson is open"_s);
    std::vector<HandoutPage> pages = handoutPages(m_run->lesson, lessonOutcomes());
    for (std::size_t i = 0; i < pages.size() && i < m_run->steps.size(); ++i)
        pages[i].images = m_run->steps[i].images;
    // the open step not captured yet: its charts as they are now (it may still be captured later)
    const auto open = std::size_t(m_run->step);
    if (open < pages.size() && !m_run->steps[open].captured) {
        StepState now = m_run->steps[open];
        captureStep(now);
        pages[open].images = now.images;
    }
    QString e;
    if (!writeHandoutPdf(m_run->lesson, pages, path, &e))
        return fail(e);
    showMessage(u"Saved "_s + QDir::toNativeSeparators(path), false);
    return true;
}

void MainWindow::askLessonHandout()
{
    if (!m_run)
        return;
    const QString path
        = m_exports->askSavePath(u"Export lesson handout"_s, u"handout"_s, u"pdf"_s, u"PDF document (*.pdf)"_s);
    if (!path.isEmpty())
        exportLessonHandout(path);
}

} // namespace stampede::ui
