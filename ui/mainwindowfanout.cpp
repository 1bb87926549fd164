// MainWindow's side of the celebrity fan-out: what a fan-out run shows in place of the flash
// sale (actions, menus, tool bar, panel sections, chart pages), and its commands, each one
// engine event whose refusal shows in the status banner.

#include "mainwindow.h"

#include "actionset.h"
#include "chartspanel.h"
#include "controlpanel.h"
#include "fanoutcontrols.h"
#include "format.h"
#include "toolbarfit.h"
#include "topologyview.h"

#include "limittable.h"

#include <QAction>
#include <QComboBox>
#include <QLabel>
#include <QMenu>
#include <QSignalBlocker>
#include <QToolBar>

#include <algorithm>
#include <cmath>

using namespace Qt::StringLiterals;

namespace stampede::ui {

namespace {

std::optional<int> target(int id) { return id >= 0 ? std::optional<int>(id) : std::nullopt; }

QString plainGrouped(std::int64_t v) { return groupedNumber(v).replace(QChar(0x2009), u' '); }

} // namespace

void MainWindow::applyWorkload(const EngineConfig &config)
{
    const WorkloadKind workload = config.workload;
    const bool fanout = workload == WorkloadKind::Fanout;
    m_actions->setWorkload(workload);
    for (const auto &[title, menu] : std::as_const(m_menus))
        menu->menuAction()->setVisible(ActionSet::menuOf(title, workload));
    m_strategyCaption->setVisible(!fanout);
    m_strategyBox->setVisible(!fanout);
    m_modeCaption->setVisible(fanout);
    m_modeBox->setVisible(fanout);
    m_toolFit->setHiddenCaptions({ fanout ? m_strategyCaption : m_modeCaption });
    m_controls->setWorkload(config);
    fitControlsWidth();
    fitColumns();
    m_charts->setWorkload(workload);
    // one page of charts on a fan-out run: nothing for G to switch to
    m_actions->chartPage->setVisible(m_charts->pageCount() > 1);
    if (fanout) {
        const QSignalBlocker block(m_modeCombo);
        m_modeCombo->setCurrentIndex(int(config.fanout.mode));
        m_actions->fanoutModes[std::size_t(config.fanout.mode)]->setChecked(true);
    }
}

QAction *MainWindow::addFanoutModeBox(QToolBar *bar)
{
    m_modeCaption = bar->addWidget(new QLabel(u"   Fan-out "_s));
    m_modeCombo = new QComboBox;
    m_modeCombo->setObjectName(u"fanoutModeCombo"_s);
    m_modeCombo->setToolTip(u"How a post reaches the followers: push U, pull O, hybrid Y"_s);
    for (const FanoutMode m : { FanoutMode::Push, FanoutMode::Pull, FanoutMode::Hybrid })
        m_modeCombo->addItem(fromStd(toString(m)));
    connect(m_modeCombo, &QComboBox::currentIndexChanged, this, &MainWindow::setFanoutMode);
    m_modeBox = bar->addWidget(m_modeCombo);
    return m_modeCaption;
}

QString MainWindow::fanoutLoadedText(const EngineConfig &config, const QString &name)
{
    return u"Loaded "_s + name + u": "_s + fromStd(toString(config.fanout.mode)) + u" fan-out, "_s
        + QString::number(config.fanout.workers) + u" workers, "_s + QString::number(config.fanout.inboxShards)
        + u" inbox shards, seed "_s + QString::number(config.seed);
}

void MainWindow::connectFanoutActions()
{
    ActionSet &a = *m_actions;
    connect(a.celebrityPost, &QAction::triggered, this, &MainWindow::celebrityPost);
    for (QAction *m : a.fanoutModes)
        connect(m, &QAction::triggered, this, [this, m] { m_modeCombo->setCurrentIndex(m->data().toInt()); });
    connect(a.thresholdUp, &QAction::triggered, this, [this] { scaleThreshold(10); });
    connect(a.thresholdDown, &QAction::triggered, this, [this] { scaleThreshold(0.1); });
    connect(a.postShareUp, &QAction::triggered, this, [this] { scalePostShare(2); });
    connect(a.postShareDown, &QAction::triggered, this, [this] { scalePostShare(0.5); });
    connect(a.addWorker, &QAction::triggered, this, &MainWindow::addFanoutWorker);
    connect(a.removeWorker, &QAction::triggered, this, &MainWindow::removeFanoutWorker);
    connect(a.killWorker, &QAction::triggered, this, &MainWindow::killFanoutWorker);
    connect(a.addInboxShard, &QAction::triggered, this, &MainWindow::addInboxShard);
    connect(a.killInboxShard, &QAction::triggered, this, [this] { killInboxShard(m_topology->selectedShard()); });
    connect(a.rebuildInboxShard, &QAction::triggered, this, [this] { rebuildInboxShard(m_topology->selectedShard()); });
}

void MainWindow::syncFanout(const Snapshot &s)
{
    // the mode follows the engine (a timeline event changes it too)
    const int mode = int(s.fanout->mode);
    if (m_modeCombo->currentIndex() != mode) {
        const QSignalBlocker block(m_modeCombo);
        m_modeCombo->setCurrentIndex(mode);
    }
    if (mode >= 0 && std::size_t(mode) < m_actions->fanoutModes.size())
        m_actions->fanoutModes[std::size_t(mode)]->setChecked(true);
}

bool MainWindow::send(const TimedEvent &event)
{
    Engine *e = engine();
    if (!e || !check(e->command(event)))
        return false;
    emit commandSent(event);
    return true;
}

void MainWindow::celebrityPost()
{
    TimedEvent e;
    e.kind = EventKind::CelebrityPost;
    e.node = m_controls->fanoutControls()->celebrity();
    send(e);
}

void MainWindow::setFanoutMode(int index)
{
    if (index < 0 || index > int(FanoutMode::Hybrid))
        return;
    TimedEvent e;
    e.kind = EventKind::SetFanoutMode;
    e.fanoutMode = FanoutMode(index);
    if (!send(e) && engine() && engine()->snapshot()->fanout) {
        // refused: the box goes back to the engine's mode
        const QSignalBlocker block(m_modeCombo);
        m_modeCombo->setCurrentIndex(int(engine()->snapshot()->fanout->mode));
    }
}

void MainWindow::setThreshold(std::int64_t followers)
{
    TimedEvent e;
    e.kind = EventKind::SetFanoutThreshold;
    e.threshold = followers;
    if (send(e))
        m_controls->fanoutControls()->setThreshold(followers);
}

void MainWindow::scaleThreshold(double factor)
{
    const auto &range = limits::range(limits::Limit::FanoutThreshold);
    const std::int64_t current = m_controls->fanoutControls()->threshold();
    // from 0 the steps go 10, 100, …; below 10 a tenth is 0
    const double raw = current == 0 && factor > 1 ? 10.0 : std::round(double(current) * factor);
    const auto next = std::int64_t(std::clamp(raw, range.min, range.max));
    if (next == current) {
        showMessage(u"Threshold: already at the "_s
                + (factor > 1 ? u"maximum, "_s + plainGrouped(std::int64_t(range.max)) + u" followers"_s
                              : u"minimum, "_s + plainGrouped(std::int64_t(range.min)) + u" followers"_s),
            true);
        return;
    }
    setThreshold(next);
}

void MainWindow::setPostShare(double share)
{
    TimedEvent e;
    e.kind = EventKind::SetPostShare;
    e.ratio = share;
    if (send(e))
        m_controls->fanoutControls()->setPostShare(share);
}

void MainWindow::scalePostShare(double factor)
{
    // halving stops at 0.01 % (the box's last decimal), doubling at all arrivals
    constexpr double kMin = 0.0001;
    const auto &range = limits::range(limits::Limit::PostShare);
    const double current = m_controls->fanoutControls()->postShare();
    const double raw = current <= 0 && factor > 1 ? 0.01 : current * factor;
    const double next = std::clamp(std::round(raw / kMin) * kMin, kMin, range.max);
    if (std::abs(next - current) < kMin / 2) {
        showMessage(u"Post share: already at the "_s + (factor > 1 ? u"maximum, 100 %"_s : u"minimum, 0.01 %"_s), true);
        return;
    }
    setPostShare(next);
}

void MainWindow::addFanoutWorker()
{
    TimedEvent e;
    e.kind = EventKind::AddFanoutWorkers;
    e.count = 1;
    send(e);
}

void MainWindow::removeFanoutWorker()
{
    TimedEvent e;
    e.kind = EventKind::RemoveFanoutWorker;
    send(e);
}

void MainWindow::killFanoutWorker()
{
    TimedEvent e;
    e.kind = EventKind::KillFanoutWorker;
    send(e);
}

void MainWindow::addInboxShard()
{
    TimedEvent e;
    e.kind = EventKind::AddInboxShards;
    e.count = 1;
    send(e);
}

void MainWindow::killInboxShard(int id)
{
    TimedEvent e;
    e.kind = EventKind::KillInboxShard;
    e.node = target(id);
    send(e);
}

void MainWindow::rebuildInboxShard(int id)
{
    TimedEvent e;
    e.kind = EventKind::RebuildInboxShard;
    e.node = target(id);
    send(e);
}

} // namespace stampede::ui
