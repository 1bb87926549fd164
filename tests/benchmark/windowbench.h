#pragma once

// The window under load: the main window open (offscreen platform) with its engine in
// closed-loop max mode, and a 16 ms precise single-shot timer on the GUI thread that notes how
// late it fires. Needs a QApplication; built only when the stampede_ui target exists.

#include "benchreport.h"

#include <QString>

namespace stampede::bench {

struct WindowRun {
    bool ok = false;
    QString error;
    QString platform;
    int samples = 0;
    double p50Ms = 0, p99Ms = 0, maxMs = 0; // lateness of the 16 ms timer
    double windowStallP99Ms = 0; // the window's own StallMeter, for comparison
    double framesPerSecond = 0;
    double engineAttemptsPerS = 0; // the engine's rate while measured
    CpuUse cpu; // over the measurement
};

WindowRun runWindowBench(int threads, double warmupS, double measureS);

// A lesson as an instructor runs it: the window at 1366x768 playing the preset from its start,
// and the CPU the whole process used (engine and window) from warmupS to warmupS + measureS.
struct WindowCpuRun {
    bool ok = false;
    QString error;
    CpuUse cpu;
    double framesPerSecond = 0;
    double engineAttemptsPerS = 0;
};

WindowCpuRun runWindowCpu(const QString &preset, double warmupS, double measureS);

} // namespace stampede::bench
