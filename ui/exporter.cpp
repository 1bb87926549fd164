#include "exporter.h"

#include "report.h"

#include <QChartView>
#include <QDateTime>
#include <QDir>
#include <QFileInfo>
#include <QImage>
#include <QImageWriter>
#include <QPainter>
#include <QSaveFile>
#include <QSvgGenerator>
#include <QWidget>

using namespace Qt::StringLiterals;

namespace stampede::ui::exporter {

namespace {

bool fail(QString *error, const QString &what, const QString &path, const QString &why)
{
    if (error)
        *error = what + u": cannot write "_s + QDir::toNativeSeparators(path) + u": "_s + why;
    return false;
}

bool savePng(const QImage &image, const QString &what, const QString &path, QString *error)
{
    QSaveFile file(path);
    if (!file.open(QIODevice::WriteOnly))
        return fail(error, what, path, file.errorString());
    QImageWriter writer(&file, "png");
    if (!writer.write(image)) {
        file.cancelWriting();
        return fail(error, what, path, writer.errorString());
    }
    if (!file.commit())
        return fail(error, what, path, file.errorString());
    return true;
}

} // namespace

QImage renderWidget(QWidget *widget, double dpr)
{
    const QSize size = widget->size() * dpr;
    QImage image(size, QImage::Format_ARGB32_Premultiplied);
    image.setDevicePixelRatio(dpr);
    image.fill(widget->palette().color(QPalette::Window));
    widget->render(&image);
    return image;
}

bool saveWidgetPng(QWidget *widget, const QString &path, double dpr, QString *error)
{
    return savePng(renderWidget(widget, dpr), u"Screenshot"_s, path, error);
}

bool saveChartSvg(QChartView *chart, const QString &path, QString *error)
{
    QSaveFile file(path);
    if (!file.open(QIODevice::WriteOnly))
        return fail(error, u"Chart"_s, path, file.errorString());
    {
        QSvgGenerator svg;
        svg.setOutputDevice(&file);
        svg.setSize(chart->size());
        svg.setViewBox(QRect(QPoint(0, 0), chart->size()));
        svg.setTitle(chart->chart()->title());
        svg.setDescription(u"Stampede chart"_s);
        QPainter painter;
        if (!painter.begin(&svg)) {
            file.cancelWriting();
            return fail(error, u"Chart"_s, path, u"cannot start the SVG painter"_s);
        }
        painter.setRenderHint(QPainter::Antialiasing);
        chart->render(&painter);
        painter.end();
    }
    if (!file.commit())
        return fail(error, u"Chart"_s, path, file.errorString());
    return true;
}

bool saveChart(QChartView *chart, const QString &path, double dpr, QString *error)
{
    const QString suffix = QFileInfo(path).suffix().toLower();
    if (suffix == u"svg"_s)
        return saveChartSvg(chart, path, error);
    if (suffix == u"png"_s)
        return savePng(renderWidget(chart, dpr), u"Chart"_s, path, error);
    return fail(error, u"Chart"_s, path, u"the name must end in .svg or .png"_s);
}

bool saveTimelineCsv(
    const std::vector<TickSample> &timeline, const std::vector<Marker> &markers, const QString &path, QString *error)
{
    QString e;
    if (writeOutputFile(u"Timeline CSV"_s, path, timelineCsv(timeline, markers), &e))
        return true;
    if (error)
        *error = e;
    return false;
}

QString defaultFileName(const QString &directory, const QString &scenario, const QString &what, const QString &suffix)
{
    QString name = u"stampede-"_s + (scenario.isEmpty() ? u"run"_s : scenario);
    if (!what.isEmpty())
        name += u'-' + what;
    name += u'-' + QDateTime::currentDateTime().toString(u"yyyyMMdd-HHmmss"_s) + u'.' + suffix;
    return QDir(directory).filePath(name);
}

} // namespace stampede::ui::exporter
