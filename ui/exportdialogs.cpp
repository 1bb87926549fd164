#include "exportdialogs.h"

#include "chartspanel.h"
#include "enginehost.h"
#include "exporter.h"
#include "livechart.h"

#include <QApplication>
#include <QClipboard>
#include <QDir>
#include <QFileDialog>
#include <QFileInfo>
#include <QImage>
#include <QInputDialog>
#include <QStandardPaths>
#include <QWidget>

#include <algorithm>

using namespace Qt::StringLiterals;

namespace stampede::ui {

ExportDialogs::ExportDialogs(QWidget *window, const ChartsPanel *charts, const EngineHost *host)
    : QObject(window)
    , m_window(window)
    , m_charts(charts)
    , m_host(host)
{
}

bool ExportDialogs::report(bool ok, const QString &path, const QString &error, QString *out)
{
    emit message(ok ? QString(u"Saved "_s + QDir::toNativeSeparators(path)) : error, !ok);
    if (out)
        *out = error;
    return ok;
}

bool ExportDialogs::screenshot(const QString &path, double dpr, QString *error)
{
    emit aboutToRender();
    QString e;
    const bool ok = exporter::saveWidgetPng(m_window, path, dpr, &e);
    return report(ok, path, e, error);
}

bool ExportDialogs::chart(int index, const QString &path, QString *error)
{
    emit aboutToRender();
    const auto &charts = m_charts->charts();
    QString e;
    bool ok = false;
    if (index < 0 || index >= charts.size())
        e = u"Chart: no chart number "_s + QString::number(index);
    else {
        // A chart of the page not shown (or without data for this run) has no size of its own:
        // it renders at the size of one that is shown.
        LiveChart *chart = charts[index];
        if (!chart->isVisible()) {
            QSize size(480, 320);
            for (const LiveChart *c : charts)
                if (c->isVisible()) {
                    size = c->size();
                    break;
                }
            chart->resize(size);
        }
        // PNG charts go on slides: at least 2× so they stay sharp when scaled
        ok = exporter::saveChart(chart, path, std::max(2.0, m_window->devicePixelRatioF()), &e);
    }
    return report(ok, path, e, error);
}

bool ExportDialogs::timelineCsv(const QString &path, QString *error)
{
    QString e;
    bool ok = false;
    if (const Engine *engine = m_host->engine())
        ok = exporter::saveTimelineCsv(engine->timeline(), engine->markers(), path, &e);
    else
        e = u"Timeline CSV: no run to export"_s;
    return report(ok, path, e, error);
}

QString ExportDialogs::defaultPath(const QString &what, const QString &suffix) const
{
    QString directory = m_lastDirectory;
    if (directory.isEmpty())
        directory = QStandardPaths::writableLocation(QStandardPaths::PicturesLocation);
    if (directory.isEmpty())
        directory = QDir::homePath();
    return exporter::defaultFileName(directory, m_host->name(), what, suffix);
}

QString ExportDialogs::askSavePath(
    const QString &title, const QString &what, const QString &suffix, const QString &filter)
{
    const QString path = QFileDialog::getSaveFileName(m_window, title, defaultPath(what, suffix), filter);
    if (!path.isEmpty())
        m_lastDirectory = QFileInfo(path).absolutePath();
    return path;
}

void ExportDialogs::askScreenshot(double dpr)
{
    const QString path = askSavePath(dpr > 1 ? u"Export screenshot at 2×"_s : u"Export screenshot"_s,
        dpr > 1 ? u"2x"_s : QString(), u"png"_s, u"PNG image (*.png)"_s);
    if (!path.isEmpty())
        screenshot(path, dpr);
}

void ExportDialogs::askChart(int index)
{
    const auto &charts = m_charts->charts();
    if (index < 0) {
        QStringList titles;
        for (const LiveChart *c : charts)
            titles << c->key();
        bool ok = false;
        const QString chosen = QInputDialog::getItem(m_window, u"Export chart"_s, u"Chart:"_s, titles, 0, false, &ok);
        if (!ok)
            return;
        index = int(titles.indexOf(chosen));
    }
    if (index < 0 || index >= charts.size())
        return;
    const QString path = askSavePath(
        u"Export chart"_s, charts[index]->key(), u"svg"_s, u"SVG vector image (*.svg);;PNG image (*.png)"_s);
    if (!path.isEmpty())
        chart(index, path);
}

void ExportDialogs::askTimelineCsv()
{
    const QString path = askSavePath(u"Export timeline CSV"_s, u"timeline"_s, u"csv"_s, u"CSV (*.csv)"_s);
    if (!path.isEmpty())
        timelineCsv(path);
}

void ExportDialogs::copyScreenshot()
{
    emit aboutToRender();
    QApplication::clipboard()->setImage(exporter::renderWidget(m_window, m_window->devicePixelRatioF()));
    emit message(u"Screenshot copied to the clipboard"_s, false);
}

} // namespace stampede::ui
