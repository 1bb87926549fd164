#pragma once

// The signature app/main.cpp calls (it declares it itself): creates the QApplication from the
// process arguments and runs stampede::ui::runWindow() with the parsed command line.

#include "cli.h"
#include "lesson.h"

int runWindow(int &argc, char **argv, const CliOptions &options);

// --handout's PDF for app/main.cpp (declared there too): stampede::ui::writeHandoutFromRun.
bool writeLessonHandout(const Lesson &lesson, const std::vector<StepOutcome> &outcomes,
    const stampede::RunResult &result, const QString &path, QString *error);
