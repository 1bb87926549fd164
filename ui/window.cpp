#include "window.h"

#include "comparewindow.h"
#include "exporter.h"
#include "mainwindow.h"

#include "cli.h"
#include "lesson.h"

#include <QApplication>
#include <QScreen>
#include <QTimer>

#include <cmath>

using namespace Qt::StringLiterals;

namespace stampede::ui {

CliOptions toCliOptions(const WindowOptions &o)
{
    CliOptions c;
    c.preset = o.preset;
    c.scenarioFile = o.scenarioFile;
    c.strategy = o.strategy;
    c.backend = o.backend;
    c.storeUrl = o.storeUrl;
    c.nodes = o.nodes;
    c.rate = o.rate;
    c.rateMax = o.rateMax;
    c.stock = o.stock;
    c.seed = o.seed;
    c.threads = o.threads;
    c.readRatio = o.readRatio;
    c.consumers = o.consumers;
    c.fanoutMode = o.fanoutMode;
    c.fanoutThreshold = o.fanoutThreshold;
    c.screenshotFile = o.screenshotFile;
    return c;
}

int runWindow(QApplication &app, const WindowOptions &options)
{
    const bool screenshot = !options.screenshotFile.isEmpty();
    CliOptions cli = toCliOptions(options);
    if (cli.preset.isEmpty() && cli.scenarioFile.isEmpty() && !screenshot) {
        const QString last = MainWindow::lastPresetSetting();
        if (presetNames().contains(last))
            cli.preset = last;
    }
    if (const QString problem = checkOutputs(cli); !problem.isEmpty()) {
        printError(problem);
        return kExitUsage;
    }
    QString error;
    const std::optional<Scenario> scenario = resolveScenario(cli, &error);
    if (!scenario) {
        printError(error);
        return kExitUsage;
    }
    // --lesson: its own scenario, checked before any window shows (exit 2 as a bad --preset)
    std::optional<Lesson> lesson;
    if (!options.lesson.isEmpty()) {
        lesson = resolveLesson(options.lesson, &error);
        if (!lesson) {
            printError(u"--lesson: "_s + error);
            return kExitUsage;
        }
    }

    QApplication::setStyle(u"Fusion"_s);
    // The installed desktop entry's name (packaging/, STAMPEDE_APP_ID): a Wayland compositor
    // finds the window's icon and menu entry by it.
    QGuiApplication::setDesktopFileName(u"io.github.stampede_lab.stampede"_s);
    MainWindow window; // 1600 × 1000: screenshots are the same size everywhere
    // --backend holds for every scenario the window loads, not just the first
    if (options.backend)
        window.setStoreBackendChoice(*options.backend, options.storeUrl);
    if (!screenshot)
        window.restoreSettings(); // whatever the person had last time
    if (options.dark)
        window.setDarkTheme(*options.dark);
    if (options.projector)
        window.setProjectorMode(*options.projector);
    if (options.size)
        window.resize(*options.size);
    else if (!screenshot)
        window.fitToScreen(); // the saved size may come from a larger screen
    // a preset goes by its name (the preset box and Lessons menu find it by that)
    const QString name = !cli.scenarioFile.isEmpty() ? QString::fromStdString(scenario->config.name)
        : cli.preset.isEmpty()                       ? defaultPresetName()
                                                     : cli.preset;
    if (lesson ? !window.openLesson(*lesson) : !window.loadScenario(*scenario, name, cli.scenarioFile)) {
        printError(window.statusMessage());
        return kExitUsage;
    }
    window.show();
    // --compare: the compare window over the main one, on the scenario the options chose
    CompareWindow *compare = nullptr;
    if (options.compare) {
        compare = CompareWindow::open(*scenario, name, *options.compare, window.theme(), &window, &error);
        if (!compare) {
            printError(u"--compare: "_s + options.compare->key + u": "_s + error);
            return kExitUsage;
        }
        if (options.size)
            compare->resize(*options.size);
    }

    int code = 0;
    if (screenshot) {
        const int ms = int(std::lround(std::max(0.0, options.afterSeconds) * 1000));
        QTimer::singleShot(ms, &window, [&] {
            // pending events first: a frame they run would leave charts a snapshot behind the rest
            QApplication::processEvents();
            window.showLatest();
            if (compare)
                compare->showLatest();
            const QImage image = compare ? compare->grab().toImage() : window.grab().toImage();
            if (!image.save(options.screenshotFile, "PNG")) {
                printError(u"--screenshot: cannot write "_s + options.screenshotFile);
                code = kExitUsage;
            }
            app.exit(code);
        });
    }
    const int rc = app.exec();
    if (!screenshot)
        window.saveSettings();
    return screenshot ? code : rc;
}

} // namespace stampede::ui
