#include "controlpanel.h"

#include "actionset.h"
#include "fanoutcontrols.h"
#include "format.h"
#include "panelsection.h"
#include "theme.h"

#include "limittable.h"
#include "metrics.h"

#include <QAction>
#include <QDoubleSpinBox>
#include <QGridLayout>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>
#include <QSignalBlocker>
#include <QSlider>
#include <QSpinBox>
#include <QToolButton>
#include <QVBoxLayout>

#include <cmath>

using namespace Qt::StringLiterals;

namespace stampede::ui {

namespace limits = stampede::limits;

namespace {

QToolButton *button(QAction *action, const char *objectName) { return panelButton(action, objectName); }

// Two significant digits: the slider gives 1 000, 1 200, 1 600, 2 000, …
double roundRate(double r)
{
    if (r < 10)
        return std::round(r);
    const double magnitude = std::pow(10.0, std::floor(std::log10(r)) - 1);
    return std::round(r / magnitude) * magnitude;
}

} // namespace

ControlPanel::ControlPanel(const ActionSet &actions, QWidget *parent)
    : QWidget(parent)
{
    setObjectName(u"controlPanel"_s);
    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(10, 8, 10, 8);
    layout->setSpacing(6);

    // ---- traffic ----
    auto *traffic = new QWidget;
    auto *tl = new QGridLayout(traffic);
    tl->setContentsMargins(0, 0, 0, 0);
    m_slider = new QSlider(Qt::Horizontal);
    m_slider->setObjectName(u"rateSlider"_s);
    m_slider->setRange(0, kSliderSteps);
    m_slider->setPageStep(25);
    m_slider->setSingleStep(5);
    m_slider->setTickPosition(QSlider::TicksBelow);
    m_slider->setTickInterval(100);
    m_slider->setTracking(false); // one command (and one chart marker) per drag, on release
    m_slider->setToolTip(u"Arrival rate, logarithmic: 1/s … 1 M/s (the field beside it goes to 2 M/s)"_s);
    connect(m_slider, &QSlider::valueChanged, this, [this](int position) {
        const double r = rateForSliderPosition(position);
        showRate(r);
        emit rateRequested(r);
    });
    connect(m_slider, &QSlider::sliderMoved, this,
        [this](int position) { m_rateField->setText(QString::number(rateForSliderPosition(position), 'g', 7)); });
    tl->addWidget(m_slider, 0, 0, 1, 4);
    auto *scale = new QHBoxLayout;
    const Qt::Alignment align[] = { Qt::AlignLeft, Qt::AlignHCenter, Qt::AlignRight };
    const QString marks[] = { u"1/s"_s, u"1 k/s"_s, u"1 M/s"_s };
    for (int i = 0; i < 3; ++i) {
        auto *mark = new QLabel(marks[i]);
        mark->setAlignment(align[i]);
        m_scaleMarks << mark;
        scale->addWidget(mark, 1);
    }
    tl->addLayout(scale, 1, 0, 1, 4);

    m_rateField = new QLineEdit;
    m_rateField->setObjectName(u"rateField"_s);
    m_rateField->setPlaceholderText(u"rate"_s);
    m_rateField->setToolTip(u"Arrivals per second, 1 to 2 000 000; Enter applies"_s);
    connect(m_rateField, &QLineEdit::returnPressed, this, &ControlPanel::applyRateField);
    connect(m_rateField, &QLineEdit::textEdited, this, [this] { m_rateField->setStyleSheet({}); });
    auto *field = new QHBoxLayout;
    field->addWidget(m_rateField, 1);
    field->addWidget(new QLabel(u"/s"_s));
    tl->addLayout(field, 2, 0, 1, 4);
    tl->addWidget(button(actions.rateDown, "rateDownButton"), 3, 0);
    tl->addWidget(button(actions.rateUp, "rateUpButton"), 3, 1);
    tl->addWidget(button(actions.maxRate, "maxRateButton"), 3, 2, 1, 2);
    layout->addWidget(section(u"Traffic"_s, traffic));

    // ---- spike ----
    auto *spike = new QWidget;
    auto *sl = new QGridLayout(spike);
    sl->setContentsMargins(0, 0, 0, 0);
    m_spikeFactor = new QDoubleSpinBox;
    m_spikeFactor->setObjectName(u"spikeFactor"_s);
    // Bounds from the engine's limits table, so a field never offers what the engine refuses.
    m_spikeFactor->setRange(1.1, limits::range(limits::Limit::SpikeFactor).max);
    m_spikeFactor->setDecimals(1);
    m_spikeFactor->setValue(10);
    m_spikeFactor->setPrefix(u"×"_s);
    m_spikeSeconds = new QDoubleSpinBox;
    m_spikeSeconds->setObjectName(u"spikeSeconds"_s);
    m_spikeSeconds->setRange(0.1, limits::range(limits::Limit::SpikeSeconds).max);
    m_spikeSeconds->setDecimals(1);
    m_spikeSeconds->setValue(5);
    m_spikeSeconds->setSuffix(u" s"_s);
    sl->addWidget(m_spikeFactor, 0, 0);
    sl->addWidget(new QLabel(u"for"_s), 0, 1);
    sl->addWidget(m_spikeSeconds, 0, 2);
    sl->addWidget(button(actions.spike, "spikeButton"), 1, 0, 1, 3);
    sl->addWidget(button(actions.compare, "compareButton"), 2, 0, 1, 3);
    layout->addWidget(section(u"Spike"_s, spike));

    // ---- fan-out (its runs only) ----
    m_fanout = new FanoutControls(actions);
    m_fanout->setVisible(false);
    connect(m_fanout, &FanoutControls::inputRejected, this, &ControlPanel::inputRejected);
    layout->addWidget(m_fanout);

    // ---- nodes ----
    auto *nodes = new QWidget;
    auto *nl = new QGridLayout(nodes);
    nl->setContentsMargins(0, 0, 0, 0);
    nl->addWidget(button(actions.addNode, "addNodeButton"), 0, 0);
    nl->addWidget(button(actions.removeNode, "removeNodeButton"), 0, 1);
    nl->addWidget(button(actions.killNode, "killNodeButton"), 1, 0);
    nl->addWidget(button(actions.scaleUpNode, "scaleUpNodeButton"), 1, 1);
    nl->addWidget(button(actions.scalingSweep, "scalingSweepButton"), 2, 0, 1, 2);
    m_selected = new QLabel;
    m_selected->setObjectName(u"selectedNode"_s);
    nl->addWidget(m_selected, 3, 0, 1, 2);
    m_flashSale << section(u"App nodes"_s, nodes);
    layout->addWidget(m_flashSale.last());
    setSelectedNode(-1);

    // ---- stock ----
    auto *stock = new QWidget;
    auto *sg = new QGridLayout(stock);
    sg->setContentsMargins(0, 0, 0, 0);
    auto *kl = new QHBoxLayout;
    sg->addLayout(kl, 0, 0);
    m_restockUnits = new QSpinBox;
    m_restockUnits->setObjectName(u"restockUnits"_s);
    m_restockUnits->setRange(1, 1000000000);
    m_restockUnits->setValue(1000);
    m_restockUnits->setSuffix(u" units"_s);
    m_restockUnits->setGroupSeparatorShown(true);
    kl->addWidget(m_restockUnits, 1);
    kl->addWidget(button(actions.restock, "restockButton"), 1);
    // where the stock lives (the Backend menu): the checked one is the run's
    sg->addWidget(button(actions.backendEmbedded, "backendEmbeddedButton"), 1, 0);
    sg->addWidget(button(actions.backendPostgres, "backendPostgresButton"), 2, 0);
    m_flashSale << section(u"Stock"_s, stock);
    layout->addWidget(m_flashSale.last());

    // ---- run ----
    auto *run = new QWidget;
    auto *rl = new QHBoxLayout(run);
    rl->setContentsMargins(0, 0, 0, 0);
    rl->addWidget(button(actions.startPause, "startPauseButton"));
    rl->addWidget(button(actions.reset, "resetButton"));
    layout->addWidget(section(u"Run"_s, run));

    // ---- cache tier ----
    auto *cache = new QWidget;
    auto *cl = new QGridLayout(cache);
    cl->setContentsMargins(0, 0, 0, 0);
    cl->addWidget(button(actions.addCacheNode, "addCacheNodeButton"), 0, 0);
    cl->addWidget(button(actions.removeCacheNode, "removeCacheNodeButton"), 0, 1);
    cl->addWidget(button(actions.killCacheNode, "killCacheNodeButton"), 1, 0, 1, 2);
    cl->addWidget(button(actions.ringPlacement, "ringPlacementButton"), 2, 0);
    cl->addWidget(button(actions.singleFlight, "singleFlightButton"), 2, 1);
    m_ttlJitter = new QSpinBox;
    m_ttlJitter->setObjectName(u"ttlJitterBox"_s);
    m_ttlJitter->setRange(0, int(limits::range(limits::Limit::TtlJitter).max * 100)); // percent
    m_ttlJitter->setSingleStep(5);
    m_ttlJitter->setPrefix(u"±"_s);
    m_ttlJitter->setSuffix(u" %"_s);
    m_ttlJitter->setKeyboardTracking(false); // one command on Enter, not one per digit
    m_ttlJitter->setToolTip(u"TTL jitter: each key lives TTL × (1 ± this); Enter applies"_s);
    connect(m_ttlJitter, &QSpinBox::valueChanged, this, [this](int percent) {
        if (percent > 0)
            m_lastJitter = percent / 100.0;
        emit ttlJitterRequested(percent / 100.0);
    });
    connect(m_ttlJitter, &QSpinBox::editingFinished, m_ttlJitter, [this] { m_ttlJitter->clearFocus(); });
    cl->addWidget(m_ttlJitter, 3, 0);
    cl->addWidget(button(actions.ttlJitter, "ttlJitterButton"), 3, 1);
    m_readRatio = new QSpinBox;
    m_readRatio->setObjectName(u"readRatioBox"_s);
    m_readRatio->setRange(0, int(limits::range(limits::Limit::ReadRatio).max));
    m_readRatio->setSuffix(u" : 1"_s);
    m_readRatio->setKeyboardTracking(false);
    m_readRatio->setToolTip(u"Product-page views per purchase attempt (100 : 1 is a typical shop); Enter applies"_s);
    connect(m_readRatio, &QSpinBox::valueChanged, this, [this](int ratio) {
        if (ratio > 0)
            m_lastReadRatio = ratio;
        emit readRatioRequested(ratio);
    });
    connect(m_readRatio, &QSpinBox::editingFinished, m_readRatio, [this] { m_readRatio->clearFocus(); });
    cl->addWidget(m_readRatio, 4, 0);
    cl->addWidget(button(actions.readTraffic, "readTrafficButton"), 4, 1);
    cl->addWidget(button(actions.resetRecovery, "recoveryButton"), 5, 0, 1, 2);
    m_selectedCache = new QLabel;
    m_selectedCache->setObjectName(u"selectedCacheNode"_s);
    cl->addWidget(m_selectedCache, 6, 0, 1, 2);
    m_flashSale << section(u"Cache tier"_s, cache);
    layout->addWidget(m_flashSale.last());
    setSelectedCacheNode(-1);

    // ---- order queue ----
    auto *queue = new QWidget;
    auto *ql = new QGridLayout(queue);
    ql->setContentsMargins(0, 0, 0, 0);
    ql->addWidget(button(actions.addConsumer, "addConsumerButton"), 0, 0);
    ql->addWidget(button(actions.removeConsumer, "removeConsumerButton"), 0, 1);
    ql->addWidget(button(actions.killConsumer, "killConsumerButton"), 1, 0, 1, 2);
    ql->addWidget(button(actions.idempotent, "idempotentButton"), 2, 0);
    ql->addWidget(button(actions.blockWhenFull, "queueFullButton"), 2, 1);
    m_selectedConsumer = new QLabel;
    m_selectedConsumer->setObjectName(u"selectedConsumer"_s);
    ql->addWidget(m_selectedConsumer, 3, 0, 1, 2);
    m_flashSale << section(u"Order queue"_s, queue);
    layout->addWidget(m_flashSale.last());
    setSelectedConsumer(-1);

    layout->addStretch(1);
}

QWidget *ControlPanel::section(const QString &title, QWidget *content)
{
    return panelSection(title, content, m_headers);
}

void ControlPanel::setWorkload(const EngineConfig &config)
{
    const bool fanout = config.workload == WorkloadKind::Fanout;
    for (QWidget *w : std::as_const(m_flashSale))
        w->setVisible(!fanout);
    m_fanout->setVisible(fanout);
    if (fanout)
        m_fanout->setConfig(config.fanout);
}

double ControlPanel::rateForSliderPosition(int position)
{
    const int p = std::clamp(position, 0, kSliderSteps);
    return roundRate(std::pow(10.0, double(p) / 100.0));
}

int ControlPanel::sliderPositionForRate(double rate)
{
    const double r = std::clamp(rate, kMinRatePerS, kMaxRatePerS);
    return std::clamp(int(std::lround(std::log10(r) * 100.0)), 0, kSliderSteps);
}

double ControlPanel::spikeFactor() const { return m_spikeFactor->value(); }
double ControlPanel::spikeSeconds() const { return m_spikeSeconds->value(); }
std::int64_t ControlPanel::restockUnits() const { return m_restockUnits->value(); }
double ControlPanel::rate() const { return m_rate; }

void ControlPanel::setRestockUnits(std::int64_t units)
{
    m_restockUnits->setValue(int(std::clamp<std::int64_t>(units, 1, m_restockUnits->maximum())));
}

void ControlPanel::setSelectedNode(int id)
{
    m_selected->setText(id < 0 ? u"Target: first node up (click a node to choose)"_s
                               : u"Target: node "_s + QString::number(id) + u" (click it again to clear)"_s);
}

void ControlPanel::setSelectedCacheNode(int id)
{
    m_selectedCache->setText(id < 0 ? u"Target: first cache node up"_s
                                    : u"Target: cache node "_s + QString::number(id) + u" (click to clear)"_s);
}

void ControlPanel::setSelectedConsumer(int id)
{
    m_selectedConsumer->setText(id < 0 ? u"Target: first consumer up"_s
                                       : u"Target: consumer "_s + QString::number(id) + u" (click to clear)"_s);
}

double ControlPanel::ttlJitterOnValue() const
{
    return m_ttlJitter->value() > 0 ? m_ttlJitter->value() / 100.0 : m_lastJitter;
}

double ControlPanel::readRatioOnValue() const
{
    return m_readRatio->value() > 0 ? double(m_readRatio->value()) : m_lastReadRatio;
}

void ControlPanel::applyRateField()
{
    double r = 0;
    const QString text = m_rateField->text();
    const auto &range = limits::range(limits::Limit::RatePerS);
    if (!parseNumber(text, &r) || !limits::inRange(range, r)) {
        m_rateField->setStyleSheet(u"QLineEdit { border: 2px solid #d01111; }"_s);
        emit inputRejected(u"Rate: \""_s + text.trimmed() + u"\" is not a number between "_s
            + groupedNumber(std::int64_t(range.min)).replace(QChar(0x2009), u' ') + u" and "_s
            + groupedNumber(std::int64_t(range.max)).replace(QChar(0x2009), u' ') + u" per second; the rate stays "_s
            + compactRate(m_rate));
        return;
    }
    m_rateField->setStyleSheet({});
    m_rateField->clearFocus(); // the one-key actions work again at once
    showRate(r);
    emit rateRequested(r);
}

void ControlPanel::showRate(double rate)
{
    m_rate = rate;
    const QSignalBlocker blockSlider(m_slider);
    m_slider->setValue(sliderPositionForRate(rate));
    if (!m_rateField->hasFocus())
        m_rateField->setText(QString::number(rate, 'g', 7));
}

void ControlPanel::showSnapshot(const Snapshot &s)
{
    // the boxes follow the engine unless the person is typing in them
    const int jitter = int(std::lround(s.cache->ttlJitter * 100));
    if (!m_ttlJitter->hasFocus() && m_ttlJitter->value() != jitter) {
        const QSignalBlocker block(m_ttlJitter);
        m_ttlJitter->setValue(jitter);
        if (jitter > 0)
            m_lastJitter = jitter / 100.0;
    }
    const int ratio = int(std::lround(s.cache->readRatio));
    if (!m_readRatio->hasFocus() && m_readRatio->value() != ratio) {
        const QSignalBlocker block(m_readRatio);
        m_readRatio->setValue(ratio);
        if (ratio > 0)
            m_lastReadRatio = ratio;
    }
    if (s.fanout)
        m_fanout->showSnapshot(s);
    if (m_slider->isSliderDown() || m_rateField->hasFocus() || s.ratePerS == m_rate)
        return;
    showRate(s.ratePerS);
}

void ControlPanel::applyTheme(const Theme &theme)
{
    styleSectionHeaders(m_headers, theme);
    for (QLabel *mark : std::as_const(m_scaleMarks)) {
        mark->setFont(theme.font(theme.basePointSize * 0.85));
        QPalette p = mark->palette();
        p.setColor(QPalette::WindowText, theme.mutedText);
        mark->setPalette(p);
    }
    const int rowHeight = int(28 * theme.scale);
    for (QToolButton *b : findChildren<QToolButton *>())
        b->setMinimumHeight(rowHeight);
    m_fanout->applyTheme(theme); // after the rows: its post button is taller
}

} // namespace stampede::ui
