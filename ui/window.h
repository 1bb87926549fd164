#pragma once

// The entry point of the window for app/main.cpp: builds the main window with a scenario loaded
// and running, and optionally saves a screenshot after some seconds and quits.

#include "cli.h"
#include "config.h"

#include <QSize>
#include <QString>

#include <cstdint>
#include <optional>

class QApplication;

namespace stampede::ui {

struct WindowOptions {
    QString preset; // empty: scenarioFile, else the last preset used, else the default
    QString scenarioFile;
    QString lesson; // --lesson NAME|FILE.json: opens the lesson in the lesson panel
    std::optional<CompareSpec> compare; // --compare KEY=A,B: opens the compare window
    QString screenshotFile; // set: run afterSeconds, save a PNG of the window, quit
    double afterSeconds = 5;
    // Overrides of the scenario, as on the command line.
    std::optional<Strategy> strategy;
    std::optional<StoreBackend> backend; // --backend: the store of every scenario the window loads
    QString storeUrl;
    std::optional<int> nodes;
    std::optional<double> rate;
    bool rateMax = false;
    std::optional<std::int64_t> stock;
    std::optional<std::uint64_t> seed;
    std::optional<int> threads;
    std::optional<double> readRatio;
    std::optional<int> consumers;
    std::optional<FanoutMode> fanoutMode; // fan-out runs
    std::optional<std::int64_t> fanoutThreshold;
    // Appearance; unset: the saved settings (a screenshot run uses light, normal mode).
    std::optional<bool> projector;
    std::optional<bool> dark;
    // The window's size (and the screenshot's); unset: 1600 × 1000 for a screenshot, else the
    // saved geometry, always within the screen.
    std::optional<QSize> size;
};

// The command line the window's overrides amount to (resolveScenario applies them).
CliOptions toCliOptions(const WindowOptions &o);

// Exit code: 0, or 2 with a one-line error on stderr (bad scenario, screenshot not writable).
int runWindow(QApplication &app, const WindowOptions &options);

} // namespace stampede::ui
