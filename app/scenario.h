#pragma once

// Scenario files and the presets compiled into the binary. A scenario is an EngineConfig plus
// what the engine does not know about: how long to run, the words shown to a student, and the
// timeline of events. Every error is one line, "<source>: <json.path>: <problem>".

#include "engine.h"
#include "limittable.h"

#include <QByteArray>
#include <QJsonObject>
#include <QJsonValue>
#include <QString>
#include <QStringList>

#include <optional>
#include <vector>

// Ranges come from the engine's one table (engine/core/limittable.h); these are its rows.
inline const double kMaxDurationS = stampede::limits::range(stampede::limits::Limit::DurationS).max;

// A sweep (DESIGN.md question 4): the scenario run once per point, one after another. Each axis
// names a setting and its value at every point; several axes have as many values each and are
// read together (point i sets every axis to its i-th value).
struct SweepAxis {
    QString key; // one of sweepKeys()
    std::vector<double> values;
};
struct SweepSpec {
    std::vector<SweepAxis> axes;
    double seconds = 5; // measured, per point
    double warmupS = 1; // run before measuring, per point
    // "load": "max": every point runs closed loop with the scenario's clients (as --rate max), so
    // that it measures capacity rather than the offered rate.
    bool maxLoad = false;
};
// The settings a sweep can vary, in the order the help lists them.
const QStringList &sweepKeys();
// Sets one sweep setting on a config ("nodes" -> nodes.count, ...).
void applySweepValue(stampede::EngineConfig *c, const QString &key, double v);
// "key: problem" for a bad sweep (unknown key, lengths differ, a value out of range), else empty.
QString checkSweep(const SweepSpec &sweep);

struct Scenario {
    stampede::EngineConfig config;
    double durationS = 30;
    QString title, description;
    // In file order; sort by atS before running. Times are run time, which stands still during a
    // pause: {"at_s": 4, "pause": true, "for_s": 2} pauses for 2 wall seconds, then the run goes
    // on from 4 s.
    std::vector<stampede::TimedEvent> events;
    std::optional<SweepSpec> sweep; // headless runs it when present
    // What was changed on the user's behalf after loading (command-line overrides), one line each;
    // the headless summary prints them. Not part of the JSON form.
    QStringList notes;
};

// The preset used when none is named.
QString defaultPresetName();

// Names of the presets compiled into the binary, sorted.
QStringList presetNames();

// Parses and validates a scenario document. `source` starts every error message (a file name,
// "preset NAME", ...). `fallbackName` becomes config.name when the document has no "name".
// On failure returns nothing and sets *error to one line.
std::optional<Scenario> parseScenario(
    const QByteArray &json, const QString &source, QString *error, const QString &fallbackName = {});

// The same for a scenario inside another document (a lesson's "scenario"): `path` goes before
// every JSON path in errors ("scenario.nodes.count").
std::optional<Scenario> parseScenarioValue(const QJsonValue &value, const QString &source, const QString &path,
    QString *error, const QString &fallbackName = {});

// One event in a lesson step's form: a scenario event whose time is an optional "after_s"
// (seconds after the step opens, 0 when left out) instead of "at_s". The time lands in atS.
std::optional<stampede::TimedEvent> parseEventValue(
    const QJsonValue &value, const QString &source, const QString &path, QString *error);

// Reads FILE and parses it; the file's base name is the fallback scenario name.
std::optional<Scenario> loadScenarioFile(const QString &path, QString *error);

// Loads a compiled-in preset; an unknown name lists the valid ones.
std::optional<Scenario> loadPreset(const QString &name, QString *error);

// Checks a filled scenario (engine limits, duration, events) as the loader does, for scenarios
// changed after loading (command-line overrides, the window). Returns "json.path: problem" or
// an empty string when valid. A pause must end: with its for_s, or with a resume after it (the
// old form: pause, then resume), never inside another pause; a resume needs such an open pause.
QString checkScenario(const Scenario &scenario);

// The old form of a pause in the new one: each resume that ends an open pause (one without
// for_s) becomes that pause's for_s (resume.at_s − pause.at_s) and leaves the timeline. The
// run's clock stands still while paused, so a resume at a later run time would never come due;
// as a timed pause it lasts as long in wall time, and the later events keep their run times.
// parseScenario() does this after checkScenario() passed.
void foldResumes(std::vector<stampede::TimedEvent> *events);

// The JSON form of a scenario, accepted back by parseScenario (save, round trips).
QJsonObject scenarioToJson(const Scenario &scenario);

// The JSON key of an event's action, e.g. "spike", "kill_node".
QString eventKey(stampede::EventKind kind);
