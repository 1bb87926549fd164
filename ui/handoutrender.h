#pragma once

// The handout's charts from a finished run (writeHandoutFromRun): the window's own charts
// (ChartsPanel and its chart specs, never a second copy of them), drawn off screen into images
// from the run's timeline as it stood at one moment of the run.

#include "lesson.h"

#include "metrics.h"

#include <QImage>
#include <QSize>
#include <QStringList>

#include <memory>
#include <vector>

namespace stampede::ui {

class ChartsPanel;

// When a step's page shows the charts: the latest of its checks' met times, or the step's end
// (its opening plus for_s) when a check was not met or it has none.
double handoutMoment(const LessonStep &step, const StepOutcome &outcome, double opensAtS);

// What the window's snapshot held at run time `t`: the ticks up to t (the last kRecentTicks), the
// markers of that window, and the run's sections as far as the charts read them at that moment
// (the strategy then, whether product pages were read and the queue used by then, the cache
// changes so far, the celebrity posts made so far). `config` is the run's configuration at start.
Snapshot snapshotAt(const RunResult &result, const EngineConfig &config, double t);

// A ChartsPanel that is never shown on screen, set up as the window sets up its own for this
// configuration (workload, run length), in the light theme.
class HandoutCharts {
public:
    // Each chart is laid out at this size (a little larger than in the window's row of five)
    // and drawn at kPixelRatio: 1200 x 700 px, whose labels still read at half a page's width.
    static constexpr QSize kLogicalSize { 480, 280 };
    static constexpr double kPixelRatio = 2.5;

    HandoutCharts(const EngineConfig &config, double runLengthS);
    ~HandoutCharts();
    HandoutCharts(const HandoutCharts &) = delete;
    HandoutCharts &operator=(const HandoutCharts &) = delete;

    // The time axis' length as ChartsPanel::setRunLength: a step's page shows the run up to the
    // step's end across the chart's width.
    void setRunLength(double seconds);
    // The charts the window has for this snapshot, in its order: the workload's first page (the
    // flash sale, or the fan-out), then the cache & queue charts once the run read product pages
    // or used the queue; charts without data for the run left out, as the window leaves them out.
    QStringList chartKeys(const Snapshot &s) const;
    // Those charts drawn for `s`, one image each (opaque, kLogicalSize × kPixelRatio).
    std::vector<QImage> render(const Snapshot &s);

private:
    std::unique_ptr<ChartsPanel> m_panel;
    WorkloadKind m_workload;
};

} // namespace stampede::ui
