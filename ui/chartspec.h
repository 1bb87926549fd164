#pragma once

// The charts described as data: one ChartSpec per chart says its key (stable: tests and exports
// name charts by it), page, axes and their units, its series (name, colour, axis, role) and how
// each series' value is read from a tick, when the chart and each series are in use for a run,
// and how its title reads the latest snapshot. ChartsPanel has one update path for all of them.
//
// What a lesson needs to be visible is a rule on the data, not a per-preset switch:
//  - a value that is unknown (its tier's section is absent, the stock counter is lost) reads as
//    nothing and is drawn as a gap, never as 0;
//  - `split`: secondary series (refusals) move to their own right axis while they dwarf the
//    primary ones, so the successful orders of a row-lock run keep most of the plot's height;
//  - a series `inUse` only when its data say so (false sold-outs once there is one);
//  - `dataMarkers`: moments the data make, marked like actions (the stock sold out);
//  - `keysMoved`: cache changes say on their marker how many keys moved.

#include "format.h"
#include "livechart.h"
#include "markeroverlay.h"
#include "theme.h"

#include "metrics.h"

#include <QColor>
#include <QList>
#include <QString>

#include <optional>
#include <utility>
#include <vector>

namespace stampede::ui {

// A series' value at one tick; nothing where the value is unknown (a gap).
using TickValue = std::optional<double> (*)(const TickSample &);
using RunTest = bool (*)(const Snapshot &);
using TitleText = QString (*)(const Snapshot &);
using DataMarkers = void (*)(const Snapshot &, QList<ChartMarker> &);

enum class SeriesRole {
    Primary, // what the chart is about: its axis follows these
    Secondary, // moves to the right axis while it dwarfs the primary series (ChartSpec::split)
};

struct SeriesSpec {
    QString name;
    QColor Theme::*color = nullptr;
    TickValue value = nullptr;
    LiveChart::Axis axis = LiveChart::Axis::Left;
    double widthFactor = 1;
    SeriesRole role = SeriesRole::Primary;
    RunTest inUse = nullptr; // drawn in this run; nullptr: always
};

struct AxisSpec {
    QString title; // the unit word; empty: the chart has no such axis
    AxisKind kind = AxisKind::Count;
    double minimumTop = 1;
    std::optional<std::pair<double, double>> fixed;
    bool symmetric = false;
    bool integer = false; // whole steps while the labels need no prefix
};

struct ChartSpec {
    QString key;
    QString title; // before the first snapshot
    int page = 0; // ChartsPanel::Page
    int stretch = 4; // column share on a one-row page
    AxisSpec left, right;
    std::vector<SeriesSpec> series;
    // Secondary series move to the right axis, titled splitTitle, while their peak in the window
    // is above `split` times the primary series' peak (back below half that: they return).
    double split = 0;
    QString splitTitle;
    RunTest inUse = nullptr; // the chart is shown for this run; nullptr: always
    RunTest wide = nullptr; // takes a full column share (stretch 4) while true
    TitleText titleText = nullptr; // from the latest snapshot, the numbers the counters show
    RunTest alarm = nullptr; // a value that must stay at 0 is above it
    DataMarkers dataMarkers = nullptr;
    bool keysMoved = false;
    // The fan-out's visibility curves: the time axis counts seconds since each celebrity post and
    // the series are posts (visibilitycurves.h), not values of a tick.
    bool sincePost = false;
};

// Every chart, flash-sale page first, in the order ChartsPanel::charts() lists them.
const std::vector<ChartSpec> &chartSpecs();
// The fan-out page's charts (fanoutchartspecs.cpp), after the others.
void appendFanoutSpecs(std::vector<ChartSpec> &specs);

// The stock counter's value is known in this tick (`cache-queue`: it is lost while its cache node
// is dead and until it is reloaded; the engine then sums no SKU, so cache and gap read 0).
bool counterKnown(const TickSample &x);
// An engine marker as a chart shows it; with `keysMoved`, a cache change carries its share of
// keys moved ("+cache 4 · 80 % moved").
ChartMarker chartMarkerFor(const Marker &m, bool keysMoved);

} // namespace stampede::ui
