#pragma once

// The signature app/main.cpp calls (it declares it itself): creates the QApplication from the
// process arguments and runs stampede::ui::runWindow() with the parsed command line.

#include "cli.h"

int runWindow(int &argc, char **argv, const CliOptions &options);
