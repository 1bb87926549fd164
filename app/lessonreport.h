#pragma once

// What a headless lesson run leaves behind: the report's `lesson` section and the lines the
// terminal shows, one per check, ticked or not.

#include "lesson.h"

#include <QJsonObject>
#include <QString>

// {name, title, checks_met, checks_total, steps: [{title, opens_at_s, for_s, checks: [{check,
// text, met, met_at_s}], predict?}]}
QJsonObject lessonReportJson(const Lesson &lesson, const std::vector<StepOutcome> &outcomes);
// "lesson NAME: 7 of 8 checks met", then each step and its checks.
QString lessonSummaryText(const Lesson &lesson, const std::vector<StepOutcome> &outcomes);
// Checks met and in all.
std::pair<int, int> checksMet(const std::vector<StepOutcome> &outcomes);
