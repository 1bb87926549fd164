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
// How a value axis labels its ticks: no label beyond four digits, k from two thousand, M and G
// from a million and a billion ("2 M", never "2000 k"), seconds once a duration axis reaches a
// second ("10 s", never "10000 ms"), a
// percent sign on fractions shown as percent. The unit word ("req/s", "units") is the axis
// title's; the labels carry only the prefix or the time unit, and 0 is always "0".
enum class AxisKind { Count, Milliseconds, Percent };
struct AxisScale {
    double divisor = 1; // raw value / divisor = the number on the label
    QString suffix; // after the number: " k", " M", " G", " ms", " s", "%", or nothing
};
// The scale for an axis whose ticks run up to `top` (raw units, either sign).
AxisScale axisScale(double top, AxisKind kind);
// The axis title where the labels are bare numbers (a chart with two value axes has no width for
// units on both): the unit word with the prefix or time unit, "k req/s", "lag s", "busy %".
QString axisTitle(const QString &word, const AxisScale &scale, AxisKind kind);
// One tick label: `value` (raw units) on an axis of that scale, at most four significant digits.
QString axisLabel(double value, const AxisScale &scale);
// Nice tick steps: 1, 2, 2.5 or 5 times a power of ten, at least `raw`; whole steps of 1, 2 or
// 5 × 10^k for quantities that only come in whole units.
double niceStep(double raw, bool integer = false);

// A number typed by a person: C locale or the system locale, finite, no trailing garbage.
bool parseNumber(const QString &text, double *value);

} // namespace stampede::ui
