// MainWindow's look: projector mode, theme, fitting the screen, and the settings kept between
// sessions.

#include "mainwindow.h"

#include "actionset.h"
#include "chartspanel.h"
#include "controlpanel.h"
#include "counterspanel.h"
#include "enginehost.h"
#include "exportdialogs.h"
#include "format.h"
#include "icons.h"
#include "lessonbanner.h"
#include "lessonpanel.h"
#include "livechart.h"
#include "shortcutsdialog.h"
#include "stallmeter.h"
#include "statusbanner.h"
#include "toolbarfit.h"
#include "topologyview.h"

#include "scenario.h"

#include <QAction>
#include <QActionGroup>
#include <QApplication>
#include <QComboBox>
#include <QEvent>
#include <QFileDialog>
#include <QFileInfo>
#include <QLabel>
#include <QMenuBar>
#include <QMessageBox>
#include <QScreen>
#include <QScrollArea>
#include <QScrollBar>
#include <QSettings>
#include <QSplitter>
#include <QStatusBar>
#include <QToolBar>
#include <QVBoxLayout>

#include <algorithm>
#include <cmath>

using namespace Qt::StringLiterals;

namespace stampede::ui {

void MainWindow::setProjectorMode(bool on)
{
    m_actions->projectorMode->setChecked(on);
    if (on == m_theme.projector)
        return;
    m_theme = Theme::make(m_theme.dark, on);
    applyTheme();
    // Large type needs the room: the keys drive the run (F9 brings the controls back), numbers
    // and charts take two columns and two rows.
    m_actions->controlsPanel->setChecked(!on);
    fitRows();
}

void MainWindow::fitRows()
{
    const int h = m_vertical->height() > 100 ? m_vertical->height() : 900; // before the first show
    // two rows of charts take half the height and a little more; one row in projector mode on a
    // wide, short screen leaves the diagram more, but not all of it, or the plots are lines a hand
    // high
    const bool short_ = height() < kTwoChartRowsHeight;
    m_vertical->setSizes(twoChartRows()
            ? (short_ ? QList<int> { h * 44 / 100, h * 56 / 100 } : QList<int> { h * 9 / 20, h * 11 / 20 })
            : m_theme.projector ? QList<int> { h * 57 / 100, h * 43 / 100 }
                                : QList<int> { h * 3 / 5, h * 2 / 5 });
}

void MainWindow::setDarkTheme(bool on)
{
    m_actions->darkTheme->setChecked(on);
    if (on == m_theme.dark)
        return;
    m_theme = Theme::make(on, m_theme.projector);
    applyTheme();
}

void MainWindow::applyTheme()
{
    QApplication::setPalette(m_theme.palette);
    QFont f = QApplication::font();
    f.setPointSizeF(m_theme.basePointSize);
    QApplication::setFont(f);
    setFont(f);
    const int icon = int(20 * m_theme.scale);
    for (QToolBar *bar : findChildren<QToolBar *>())
        bar->setIconSize(QSize(icon, icon));
    m_controls->applyTheme(m_theme);
    fitControlsWidth();
    m_topology->applyTheme(m_theme);
    m_lesson->applyTheme(m_theme);
    m_lessonPanel->applyTheme(m_theme);
    fitLessonPanel();
    m_message->applyTheme(m_theme);
    m_counters->applyTheme(m_theme);
    m_counters->setColumns(m_theme.projector ? 2 : 1);
    m_charts->applyTheme(m_theme);
    fitChartRows();
    fitColumns();
    QFont status = f;
    status.setPointSizeF(m_theme.basePointSize * 0.95);
    m_statusLine->setFont(status);
    m_actions->projectorMode->setChecked(m_theme.projector);
    m_actions->darkTheme->setChecked(m_theme.dark);
    m_actions->reset->setIcon(icons::reset(m_theme.text));
    showPauseState();
    m_toolFit->refit();
}

void MainWindow::fitControlsWidth()
{
    // the whole panel width stays visible: only vertical scrolling
    m_controls->layout()->activate();
    m_controlsScroll->setMinimumWidth(
        m_controls->minimumSizeHint().width() + m_controlsScroll->verticalScrollBar()->sizeHint().width());
}

bool MainWindow::twoChartRows() const
{
    if (!m_theme.projector)
        return false;
    if (height() >= kTwoChartRowsHeight)
        return true;
    // a short window in projector type: one row of five across the whole width (the diagram and
    // the counters need the height); a lesson's column takes a third of the width, and five
    // charts in what is left would cut their titles, so two rows there (the banner's height is
    // free then)
    const bool lesson = m_lessonPanel->isVisibleTo(this);
    return lesson && width() - m_lessonPanel->maximumWidth() < 5 * kMinProjectorChartWidth;
}

void MainWindow::fitChartRows()
{
    const bool two = twoChartRows();
    // beside the plot where two rows are tall; on a short screen under it, and a plot too short
    // for it gives it up (the counters name the colours) rather than squeeze plot and names
    m_charts->setLegendBeside(two && height() >= kTwoChartRowsHeight);
    if ((m_charts->rows() == 2) != two) {
        m_charts->setRows(two ? 2 : 1);
        fitRows(); // the charts' share of the height goes with their rows
    }
}

void MainWindow::fitColumns()
{
    const int total = m_top->width() - m_top->handleWidth() * (m_top->count() - 1);
    if (total <= 0)
        return;
    const int controls = m_controlsScroll->isVisible() ? m_controlsScroll->minimumWidth() : 0;
    const int counters
        = std::clamp(m_counters->sizeHint().width(), m_counters->minimumSizeHint().width(), std::max(1, total * 2 / 5));
    m_top->setSizes({ controls, std::max(1, total - controls - counters), counters });
}

void MainWindow::resizeEvent(QResizeEvent *event)
{
    QMainWindow::resizeEvent(event);
    fitLessonPanel(); // first: the columns share what it leaves
    if (event->size().height() != event->oldSize().height())
        fitRows();
    fitColumns();
    fitChartRows();
    fitStatusLine();
    m_lesson->applyTheme(m_theme); // its height follows the width
    m_toolFit->refit();
}

void MainWindow::fitToScreen()
{
    const QScreen *s = screen() ? screen() : QGuiApplication::primaryScreen();
    if (!s)
        return;
    // the frame is not known before the window is shown: leave room for a title bar
    const QRect avail = s->availableGeometry();
    const QSize frame = isVisible() ? frameGeometry().size() - size() : QSize(8, 36);
    const QSize room = avail.size() - frame;
    resize(size().boundedTo(room));
    const QRect g = frameGeometry();
    move(std::clamp(g.left(), avail.left(), std::max(avail.left(), avail.right() - g.width() + 1)),
        std::clamp(g.top(), avail.top(), std::max(avail.top(), avail.bottom() - g.height() + 1)));
}

QString MainWindow::lastPresetSetting() { return QSettings().value(u"window/lastPreset"_s).toString(); }

void MainWindow::restoreSettings()
{
    QSettings settings;
    if (const QByteArray g = settings.value(u"window/geometry"_s).toByteArray(); !g.isEmpty())
        restoreGeometry(g);
    setDarkTheme(settings.value(u"window/dark"_s, false).toBool());
    setProjectorMode(settings.value(u"window/projector"_s, false).toBool());
    m_exports->setLastDirectory(settings.value(u"window/exportDirectory"_s).toString());
}

void MainWindow::saveSettings() const
{
    QSettings settings;
    settings.setValue(u"window/geometry"_s, saveGeometry());
    settings.setValue(u"window/dark"_s, m_theme.dark);
    settings.setValue(u"window/projector"_s, m_theme.projector);
    if (m_scenarioFile.isEmpty() && !scenarioName().isEmpty())
        settings.setValue(u"window/lastPreset"_s, scenarioName());
    settings.setValue(u"window/exportDirectory"_s, m_exports->lastDirectory());
}

} // namespace stampede::ui
