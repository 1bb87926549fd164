#pragma once

// Scenario files and the presets compiled into the binary. A scenario is an EngineConfig plus
// what the engine does not know about: how long to run, the words shown to a student, and the
// timeline of events. Every error is one line, "<source>: <json.path>: <problem>".

#include "engine.h"
#include "limittable.h"

#include <QByteArray>
#include <QJsonObject>
#include <QString>
#include <QStringList>

#include <optional>
#include <vector>

// Ranges come from the engine's one table (engine/core/limittable.h); these are its rows.
inline const double kMaxDurationS = stampede::limits::range(stampede::limits::Limit::DurationS).max;

struct Scenario {
    stampede::EngineConfig config;
    double durationS = 30;
    QString title, description;
    std::vector<stampede::TimedEvent> events; // in file order; sort by atS before running
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

// Reads FILE and parses it; the file's base name is the fallback scenario name.
std::optional<Scenario> loadScenarioFile(const QString &path, QString *error);

// Loads a compiled-in preset; an unknown name lists the valid ones.
std::optional<Scenario> loadPreset(const QString &name, QString *error);

// Checks a filled scenario (engine limits, duration, events) as the loader does, for scenarios
// changed after loading (command-line overrides, the window). Returns "json.path: problem" or
// an empty string when valid.
QString checkScenario(const Scenario &scenario);

// The JSON form of a scenario, accepted back by parseScenario (save, round trips).
QJsonObject scenarioToJson(const Scenario &scenario);

// The JSON key of an event's action, e.g. "spike", "kill_node".
QString eventKey(stampede::EventKind kind);
