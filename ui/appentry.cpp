#include "appentry.h"

#include "allocator.h"
#include "handout.h"
#include "window.h"

#include <QApplication>

int runWindow(int &argc, char **argv, const CliOptions &options)
{
    stampede::ui::tuneAllocatorForLongRuns();
    QApplication app(argc, argv);
    stampede::ui::WindowOptions w;
    w.preset = options.preset;
    w.scenarioFile = options.scenarioFile;
    w.lesson = options.lesson;
    w.compare = options.compare;
    w.screenshotFile = options.screenshotFile;
    if (options.afterS)
        w.afterSeconds = *options.afterS;
    w.strategy = options.strategy;
    w.backend = options.backend;
    w.storeUrl = options.storeUrl;
    w.nodes = options.nodes;
    w.rate = options.rate;
    w.rateMax = options.rateMax;
    w.stock = options.stock;
    w.seed = options.seed;
    w.threads = options.threads;
    w.readRatio = options.readRatio;
    w.consumers = options.consumers;
    w.fanoutMode = options.fanoutMode;
    w.fanoutThreshold = options.fanoutThreshold;
    if (options.projector)
        w.projector = true;
    w.dark = options.dark;
    w.size = options.size;
    return stampede::ui::runWindow(app, w);
}

bool writeLessonHandout(const Lesson &lesson, const std::vector<StepOutcome> &outcomes,
    const stampede::RunResult &result, const QString &path, QString *error)
{
    return stampede::ui::writeHandoutFromRun(lesson, outcomes, result, path, error);
}
