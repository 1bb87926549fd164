#pragma once

// Pictures and data leaving the window: the window as PNG at a chosen pixel ratio, one chart as
// SVG or PNG, the run's timeline as CSV, and the default file names they get. No dialogs here;
// every function writes one file or returns false with a one-line error.

#include <QString>

#include <vector>

class QChartView;
class QImage;
class QWidget;

namespace stampede {
struct Marker;
struct TickSample;
}

namespace stampede::ui::exporter {

// `widget` rendered into an image of its size × dpr (device pixel ratio set, so 2× is sharp).
QImage renderWidget(QWidget *widget, double dpr);
bool saveWidgetPng(QWidget *widget, const QString &path, double dpr, QString *error);
// By suffix: ".svg" (vector, via QSvgGenerator) or ".png" (at dpr).
bool saveChart(QChartView *chart, const QString &path, double dpr, QString *error);
bool saveChartSvg(QChartView *chart, const QString &path, QString *error);
bool saveTimelineCsv(
    const std::vector<TickSample> &timeline, const std::vector<Marker> &markers, const QString &path, QString *error);

// "stampede-<scenario>[-<what>]-<yyyyMMdd-HHmmss>.<suffix>" in `directory`.
QString defaultFileName(const QString &directory, const QString &scenario, const QString &what, const QString &suffix);

} // namespace stampede::ui::exporter
