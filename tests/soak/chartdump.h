#pragma once

// What every chart looks like right now, for a hang: the watchdog has gdb call
// stampede_soak_dump_charts() on the stuck GUI thread, which appends each chart view's size,
// plot area, scene item count, series points and axes (range, ticks, title, labels) to
// `<log>.charts`. Read-only Qt getters only; it runs while the GUI thread is stopped mid-layout,
// so it is a diagnostic for a run that has already failed, never part of a passing one.

#include <QString>

namespace stampede::soak {

void setChartDumpFile(const QString &path);

} // namespace stampede::soak

extern "C" void stampede_soak_dump_charts();
