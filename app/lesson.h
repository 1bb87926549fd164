#pragma once

// Guided lessons (DESIGN.md "workshop instructor"): a scenario plus ordered steps. A step has a
// few sentences to read to the room, actions run when it opens, "notice" checks on the per-tick
// values that tick when met while the step is open, and an optional prediction question. The
// window steps through them at the presenter's pace; the headless runner opens each step after
// the previous one's for_s, so a test can prove that every shipped lesson still teaches.
// Loading is strict: every error is one line, "<source>: <json.path>: <problem>".

#include "scenario.h"

#include <QString>
#include <QStringList>

#include <optional>
#include <vector>

// A condition on one per-tick value: "oversold > 0", "throughput.ok < 600 for 3 s".
struct LessonCheck {
    enum class Op { Greater, GreaterEqual, Less, LessEqual, Equal, NotEqual };
    QString text; // what to notice, shown beside the tick
    QString expression; // as written
    QString metric; // one of checkMetricNames()
    Op op = Op::Greater;
    double value = 0;
    double forS = 0; // held on consecutive ticks covering this long (0: one tick)
};

struct LessonPrediction {
    QString question;
    QStringList choices;
    int answer = 0; // index into choices
    QString explanation; // shown with the answer, after the step's checks are met
};

struct LessonStep {
    QString title, text;
    // Run when the step opens; atS is seconds after the opening ("after_s" in the file).
    std::vector<stampede::TimedEvent> actions;
    std::vector<LessonCheck> checks;
    std::optional<LessonPrediction> prediction;
    double forS = 10; // headless: how long the step stays open
};

struct Lesson {
    QString name, title, summary;
    Scenario scenario; // as loaded: its own events, if any, keep their times
    std::vector<LessonStep> steps;
};

// The lessons compiled into the binary (resources/lessons), sorted by name.
QStringList lessonNames();
std::optional<Lesson> parseLesson(
    const QByteArray &json, const QString &source, QString *error, const QString &fallbackName = {});
std::optional<Lesson> loadLessonFile(const QString &path, QString *error);
// A compiled-in lesson by name; an unknown name lists the valid ones.
std::optional<Lesson> loadLesson(const QString &name, QString *error);
// A name, or a path to a file when it ends in .json or holds a '/'.
std::optional<Lesson> resolveLesson(const QString &nameOrPath, QString *error);

// ---- the headless form: steps one after another ----
// When each step opens, in run seconds: 0, then each previous step's for_s added up.
std::vector<double> stepOpenTimes(const Lesson &lesson);
// The lesson's scenario with every step's actions on its timeline at their run times, running
// for as long as the steps together.
Scenario lessonScenario(const Lesson &lesson);

// ---- checks ----
// Every name a check may use, in the order the help lists them.
const QStringList &checkMetricNames();
// The value of `metric` in one tick; nothing when the tick has none (a ratio without a
// denominator). An unknown name has none either (parseCheck refuses those).
std::optional<double> metricValue(const stampede::TickSample &tick, const QString &metric);
// Parses "METRIC OP NUMBER [for N s]"; on failure returns nothing and sets *error to the problem.
std::optional<LessonCheck> parseCheck(const QString &expression, QString *error);

// Follows one check over ticks, in order: met once the condition held on enough consecutive
// ticks, and stays met.
class CheckTracker {
public:
    explicit CheckTracker(LessonCheck check);
    // Feeds one tick (ticks of a pause add none, so "for N s" counts run time). Returns met().
    bool feed(const stampede::TickSample &tick);
    bool met() const { return m_metAt >= 0; }
    double metAt() const { return m_metAt; } // run seconds of the tick it was met on, −1 before
    const LessonCheck &check() const { return m_check; }
    // The last value seen (for the panel: "oversold 0 → needs > 0"), nothing before the first.
    std::optional<double> lastValue() const { return m_last; }

private:
    LessonCheck m_check;
    int m_heldTicks = 0;
    double m_metAt = -1;
    std::optional<double> m_last;
};

// What the headless run met: per step, its checks in order.
struct StepOutcome {
    double openedAtS = 0;
    std::vector<double> metAtS; // per check: run seconds when met, −1 when not
};
// Runs every check of each step over the ticks while that step was open (after its opening, up
// to the next one's), from a finished run's timeline.
std::vector<StepOutcome> evaluateLesson(const Lesson &lesson, const std::vector<stampede::TickSample> &timeline);
