#pragma once

// What a finished run leaves behind: the JSON report (keys fixed by DESIGN.md), the per-tick
// CSV timeline and the short human summary printed by the headless runner.

#include "scenario.h"

#include <QByteArray>
#include <QJsonObject>
#include <QString>

// `scenario` is the scenario as run: its durationS is how long traffic was offered (the drain
// after it is not counted). The report document: DESIGN.md's keys plus a few extras (failed_by_cause, false_sold_out,
// conserved, drained, nodes, rate_per_s, mode, events, and the `cache` and `queue` sections, always present).
QJsonObject reportJson(const Scenario &scenario, const stampede::RunResult &result);

// One header row naming each column with its unit, then one row per tick.
QByteArray timelineCsv(const std::vector<stampede::TickSample> &timeline, const std::vector<stampede::Marker> &markers);

// About a dozen aligned lines for a terminal, ending with a newline: a `note` line per
// Scenario::notes entry, and a `cache` / `queue` line when views / orders were queued.
QString summaryText(const Scenario &scenario, const stampede::RunResult &result);

// Writes atomically-enough for our use (whole file or error). `option` starts the error line,
// e.g. "--report: cannot write /nope/r.json: No such file or directory".
bool writeOutputFile(const QString &option, const QString &path, const QByteArray &data, QString *error);
