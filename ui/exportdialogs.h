#pragma once

// File ▸ Export …: asks where to save (default names carry the scenario and a timestamp, in the
// last directory used or the Pictures folder), writes through `exporter`, and reports the
// outcome as one status line.

#include <QObject>
#include <QString>

class QWidget;

namespace stampede::ui {

class ChartsPanel;
class EngineHost;

class ExportDialogs : public QObject {
    Q_OBJECT

public:
    ExportDialogs(QWidget *window, const ChartsPanel *charts, const EngineHost *host);

    // Without dialogs; false with a one-line *error when the file cannot be written.
    bool screenshot(const QString &path, double dpr, QString *error = nullptr);
    bool chart(int index, const QString &path, QString *error = nullptr); // .svg or .png (at 2× or more)
    bool timelineCsv(const QString &path, QString *error = nullptr);
    QString defaultPath(const QString &what, const QString &suffix) const;

    QString lastDirectory() const { return m_lastDirectory; }
    void setLastDirectory(const QString &directory) { m_lastDirectory = directory; }

    // With dialogs (menu actions).
    void askScreenshot(double dpr);
    void askChart(int index); // -1: ask which chart first
    void askTimelineCsv();
    void copyScreenshot();
    // The save dialog the exports share (default name, last directory); empty when cancelled.
    QString askSavePath(const QString &title, const QString &what, const QString &suffix, const QString &filter);

signals:
    // Before rendering: the window brings every chart up to date.
    void aboutToRender();
    void message(const QString &text, bool error);

private:
    bool report(bool ok, const QString &path, const QString &error, QString *out);

    QWidget *m_window;
    const ChartsPanel *m_charts;
    const EngineHost *m_host;
    QString m_lastDirectory;
};

} // namespace stampede::ui
