#pragma once

// Runs a scenario without a window: the course author's path to CSV and JSON, and the
// fallback of builds without the UI.

#include "cli.h"
#include "lesson.h"

#include <functional>

// Writes a lesson's handout (PDF) from a finished headless run; the window's build provides it.
using HandoutWriter = std::function<bool(const Lesson &lesson, const std::vector<StepOutcome> &outcomes,
    const stampede::RunResult &result, const QString &path, QString *error)>;

// Resolves the scenario from the options, runs it for its duration, prints the summary to
// stdout and writes --report/--csv. Returns the process exit code (0, kExitUsage, kExitFailure).
// --lesson runs the lesson (exit kExitChecksUnmet when a check was not met); --compare runs two
// engines side by side. `handout` writes --handout's PDF.
int runHeadless(const CliOptions &options, const HandoutWriter &handout = {});

// --list-presets: one line per preset, name then title. Returns the exit code.
int listPresets();
// --list-lessons: one line per lesson, name then title and its number of steps.
int listLessons();
