#pragma once

// The fan-out run's part of the report (section `fanout`) and of the summary: what the
// celebrity's posts took to reach her followers, against the model F·t/W, and what reads cost.

#include "scenario.h"

#include <QJsonObject>
#include <QList>
#include <QString>

#include <optional>
#include <utility>

// One tracked celebrity post, as the report states it.
struct TrackedPostReport {
    std::uint32_t post = 0, celebrity = 0, followers = 0;
    double postedAtS = 0; // run time
    bool pulled = false; // read by pull: visible to every follower at once
    std::int64_t delivered = 0; // followers whose next read shows it
    int workers = 0; // fan-out workers up when it was posted
    // Times from the post until 50 / 99 / 100 % of the followers would see it; empty when not
    // reached by the end of the run.
    std::optional<double> t50S, t99S, t100S;
    double modelS = 0; // push: F·t/W plus an acknowledgement per batch; pull: 0
};

std::vector<TrackedPostReport> trackedPosts(const Scenario &scenario, const stampede::RunResult &result);

// The report's `fanout` section; an empty object for a run without the fan-out.
QJsonObject fanoutReportJson(const Scenario &scenario, const stampede::RunResult &result);

// The summary's fan-out lines (label, value), replacing the flash sale's stock and order lines.
QList<std::pair<QString, QString>> fanoutSummaryLines(const Scenario &scenario, const stampede::RunResult &result);
