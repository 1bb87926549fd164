#pragma once

// How numbers and engine text read in the window: short, rounded, with units, the same in every
// panel. Pure functions, no widgets.

#include <QString>

#include <cstdint>
#include <string>
#include <string_view>

namespace stampede::ui {

QString fromStd(std::string_view s);

// 950, 12.3 k, 1.24 M, 3.1 G: three significant digits at most.
QString compactNumber(double v);
// 1 234 567 with thin-space grouping; exact, for counters that must not round.
QString groupedNumber(std::int64_t v);
// Exact below a million (a room counts units), compact above.
QString countText(std::int64_t v);
// "3.2 k/s"
QString compactRate(double perSecond);
// "0.42 ms", "12 ms", "1.3 s"
QString durationMs(double ms);
// A fraction as a percentage: "34 %", "99.5 %" (one decimal where whole numbers would hide a
// difference that matters: near 0 and near 100), "0 %".
QString percentText(double fraction);
// The engine's marker text made short enough for a chart's time axis:
// "spike ×10 for 5 s" -> "spike ×10", "node 3 killed" -> "kill 3".
QString shortMarkerLabel(const std::string &label);
// A number typed by a person: C locale or the system locale, finite, no trailing garbage.
bool parseNumber(const QString &text, double *value);

} // namespace stampede::ui
