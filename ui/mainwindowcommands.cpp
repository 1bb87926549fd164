// MainWindow's commands: each button, key and menu item sends one command to the engine and
// shows its refusal, if any, in the status banner.

#include "mainwindow.h"

#include "actionset.h"
#include "chartspanel.h"
#include "comparewindow.h"
#include "controlpanel.h"
#include "counterspanel.h"
#include "enginehost.h"
#include "exportdialogs.h"
#include "format.h"
#include "icons.h"
#include "lessonbanner.h"
#include "livechart.h"
#include "scalingdialog.h"
#include "shortcutsdialog.h"
#include "stallmeter.h"
#include "statusbanner.h"
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

void MainWindow::togglePause()
{
    if (Engine *e = engine(); e && check(e->setPaused(!m_paused))) {
        m_paused = !m_paused;
        showPauseState();
    }
}

void MainWindow::spike()
{
    if (Engine *e = engine())
        check(e->spike(m_controls->spikeFactor(), m_controls->spikeSeconds()));
}

void MainWindow::addNode()
{
    if (Engine *e = engine())
        check(e->addNodes(1));
}

void MainWindow::removeNode(int id)
{
    if (Engine *e = engine())
        check(e->removeNode(id >= 0 ? std::optional<int>(id) : std::nullopt));
}

void MainWindow::killNode(int id)
{
    if (Engine *e = engine())
        check(e->killNode(id >= 0 ? std::optional<int>(id) : std::nullopt));
}

void MainWindow::scaleUpNode(int id)
{
    Engine *e = engine();
    if (!e)
        return;
    const auto s = e->snapshot();
    const NodeView *pick = nullptr;
    if (s->app)
        for (const auto &n : s->app->nodes)
            if (n.state == NodeState::Up && (id < 0 || n.id == id) && !pick)
                pick = &n;
    if (!pick) {
        showMessage(
            id >= 0 ? u"scale up: node "_s + QString::number(id) + u" is not up"_s : u"scale up: no node is up"_s,
            true);
        return;
    }
    check(e->resizeNode(pick->id, pick->capacity * 2));
}

void MainWindow::openScaling()
{
    // A dialog opened on another scenario, and done, makes way for one on this one.
    if (m_scaling && !m_scaling->running() && m_scaling->property("scenarioName").toString() != scenarioName()) {
        m_scaling->deleteLater();
        m_scaling = nullptr;
    }
    if (!m_scaling) {
        m_scaling = new ScalingDialog(m_host->scenario(), scenarioName(), this);
        m_scaling->setProperty("scenarioName", scenarioName());
    }
    m_scaling->applyTheme(m_theme);
    m_scaling->show();
    m_scaling->raise();
    m_scaling->activateWindow();
}

void MainWindow::openCompare()
{
    QString error;
    if (!CompareWindow::open(
            m_host->scenario(), scenarioName(), CompareWindow::defaultSpec(m_host->scenario()), m_theme, this, &error))
        showMessage(u"Compare: "_s + error, true);
}

void MainWindow::restock()
{
    if (Engine *e = engine())
        check(e->restock(m_controls->restockUnits()));
}

void MainWindow::reset()
{
    if (Engine *e = engine()) {
        m_topology->setSelectedNode(-1);
        check(e->reset());
    }
}

void MainWindow::setMaxRate(bool on)
{
    Engine *e = engine();
    if (!e)
        return;
    const bool ok = on ? check(e->setClosedLoop(std::max(1, e->config().traffic.clients)))
                       : check(e->setRate(m_controls->rate() > 0 ? m_controls->rate() : e->config().traffic.ratePerS));
    if (!ok)
        m_actions->maxRate->setChecked(!on);
}

void MainWindow::setRate(double perSecond)
{
    if (Engine *e = engine())
        check(e->setRate(perSecond));
}

void MainWindow::scaleRate(double factor)
{
    Engine *e = engine();
    if (!e)
        return;
    const double current = m_controls->rate() > 0 ? m_controls->rate() : e->snapshot()->ratePerS;
    const double next = std::clamp(current * factor, kMinRatePerS, kMaxRatePerS);
    if (next == current) {
        showMessage(u"Rate: already at the "_s
                + (factor > 1 ? u"maximum, %1 M/s"_s.arg(kMaxRatePerS / 1e6) : u"minimum, %1/s"_s.arg(kMinRatePerS)),
            true);
        return;
    }
    setRate(next);
}

void MainWindow::switchStrategy(int index)
{
    const auto &names = strategyNames();
    Engine *e = engine();
    if (!e || index < 0 || std::size_t(index) >= names.size())
        return;
    if (const std::optional<Strategy> s = parseStrategy(names[std::size_t(index)]))
        check(e->switchStrategy(*s));
}

void MainWindow::addCacheNode()
{
    if (Engine *e = engine())
        check(e->addCacheNode(1));
}

void MainWindow::removeCacheNode(int id)
{
    if (Engine *e = engine())
        check(e->removeCacheNode(id >= 0 ? std::optional<int>(id) : std::nullopt));
}

void MainWindow::killCacheNode(int id)
{
    if (Engine *e = engine())
        check(e->killCacheNode(id >= 0 ? std::optional<int>(id) : std::nullopt));
}

void MainWindow::addConsumer()
{
    if (Engine *e = engine())
        check(e->addConsumers(1));
}

void MainWindow::removeConsumer(int id)
{
    if (Engine *e = engine())
        check(e->removeConsumer(id >= 0 ? std::optional<int>(id) : std::nullopt));
}

void MainWindow::killConsumer(int id)
{
    if (Engine *e = engine())
        check(e->killConsumer(id >= 0 ? std::optional<int>(id) : std::nullopt));
}

void MainWindow::setTtlJitter(double fraction)
{
    if (Engine *e = engine())
        check(e->setTtlJitter(fraction));
}

void MainWindow::setReadRatio(double viewsPerPurchase)
{
    if (Engine *e = engine())
        check(e->setReadRatio(viewsPerPurchase));
}

void MainWindow::toggle(QAction *action, bool on, const std::function<CommandResult(Engine &)> &command)
{
    Engine *e = engine();
    if (!e || !check(command(*e)))
        action->setChecked(!on);
}

// ---------------------------------------------------------------- exports

} // namespace stampede::ui
