#pragma once

// The scaling sweep (DESIGN.md question 4, `--sweep nodes=1,2,4`): the scenario run once per
// point, one after another, each on a fresh engine with its own warm-up, then measured over a
// window of run time. The points go through the Universal Scalability Law and Amdahl's law
// (engine/core/scalingfit.h) when one setting of scale (nodes, cores or clients) is swept.

#include "scalingfit.h"
#include "scenario.h"

#include <QByteArray>
#include <QJsonObject>
#include <QString>

#include <functional>
#include <optional>
#include <vector>

struct SweepKill {
    double atS = 0, forS = 0; // the kill_node event's window (to the end of the run without for_s)
    double answeredShare = 0; // answered (success or sold out) / attempts within it, at most 1
    double throughput = 0; // answered per second within it
    double throughputBefore = 0; // answered per second from the warm-up's end to the kill
};

struct SweepPoint {
    std::vector<double> values; // one per axis
    double throughput = 0; // answered (success or sold out) per second over the measured window
    double p50Ms = 0, p99Ms = 0; // the median tick's, over the window
    double utilisation = 0; // mean busy cores / cores up
    double price = 0; // of the nodes up when the window starts
    double cores = 0, nodesUp = 0; // means
    double answeredShare = 0; // answered / attempts over the window
    std::vector<SweepKill> kills;
    bool audited = false; // the run's invariants held
};

struct SweepResult {
    SweepSpec spec;
    std::vector<SweepPoint> points;
    bool interrupted = false; // Ctrl-C: the points so far
    QString fitAxis; // the axis fitted, empty when none
    QString fitNote; // why there is no fit, when there is none
    stampede::scaling::UslFit usl;
    stampede::scaling::AmdahlFit amdahl;
};

// Runs one point's scenario on a fresh engine to its end, calling keepGoing(runT) about ten
// times a second from this (the calling) thread; false from it stops the run early. *completed
// says whether the whole duration ran. Blocking: call it where waiting is allowed.
stampede::RunResult runSweepPoint(const Scenario &point, const std::function<bool(double)> &keepGoing, bool *completed);

// Measures one finished run of a point (ticks after warmupS, up to warmupS + seconds).
SweepPoint measurePoint(const SweepSpec &spec, const Scenario &point, const stampede::RunResult &result);

// The scenario of point i: the base with every axis's i-th value applied, run for warm-up plus
// measured seconds (events after that are dropped). Empty with *error on a bad combination.
std::optional<Scenario> sweepPointScenario(const Scenario &base, const SweepSpec &spec, std::size_t i, QString *error);

// Fits the points when exactly one axis of scale (nodes, cores, clients) varies.
void fitSweep(SweepResult *r);

// "nodes=4 cores=2"
QString pointLabel(const SweepSpec &spec, const SweepPoint &p);

QJsonObject sweepReportJson(const SweepResult &r);
QByteArray sweepCsv(const SweepResult &r); // a header row, then one row per point
QString sweepTable(const SweepResult &r); // aligned lines for a terminal, then the fit
