#pragma once

// Runs a scenario without a window: the course author's path to CSV and JSON, and the
// fallback of builds without the UI.

#include "cli.h"

// Resolves the scenario from the options, runs it for its duration, prints the summary to
// stdout and writes --report/--csv. Returns the process exit code (0, kExitUsage, kExitFailure).
int runHeadless(const CliOptions &options);

// --list-presets: one line per preset, name then title. Returns the exit code.
int listPresets();
