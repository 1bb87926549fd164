#include "controlpanel.h"

#include "actionset.h"
#include "format.h"
#include "theme.h"

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

namespace {

QToolButton *button(QAction *action, const char *objectName)
{
    auto *b = new QToolButton;
    b->setDefaultAction(action);
    b->setObjectName(QString::fromLatin1(objectName));
    b->setToolButtonStyle(Qt::ToolButtonTextOnly);
    b->setSizePolicy(QSizePolicy::Expanding, QSizePolicy::Fixed);
    b->setMinimumHeight(28);
    return b;
}

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
    m_slider->setToolTip(u"Arrival rate, logarithmic: 1/s … 1 M/s"_s);
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
    m_rateField->setToolTip(u"Arrivals per second, 1 to 1 000 000; Enter applies"_s);
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
    m_spikeFactor->setRange(1.1, 1000);
    m_spikeFactor->setDecimals(1);
    m_spikeFactor->setValue(10);
    m_spikeFactor->setPrefix(u"×"_s);
    m_spikeSeconds = new QDoubleSpinBox;
    m_spikeSeconds->setObjectName(u"spikeSeconds"_s);
    m_spikeSeconds->setRange(0.1, 3600);
    m_spikeSeconds->setDecimals(1);
    m_spikeSeconds->setValue(5);
    m_spikeSeconds->setSuffix(u" s"_s);
    sl->addWidget(m_spikeFactor, 0, 0);
    sl->addWidget(new QLabel(u"for"_s), 0, 1);
    sl->addWidget(m_spikeSeconds, 0, 2);
    sl->addWidget(button(actions.spike, "spikeButton"), 1, 0, 1, 3);
    layout->addWidget(section(u"Spike"_s, spike));

    // ---- nodes ----
    auto *nodes = new QWidget;
    auto *nl = new QGridLayout(nodes);
    nl->setContentsMargins(0, 0, 0, 0);
    nl->addWidget(button(actions.addNode, "addNodeButton"), 0, 0);
    nl->addWidget(button(actions.removeNode, "removeNodeButton"), 0, 1);
    nl->addWidget(button(actions.killNode, "killNodeButton"), 1, 0, 1, 2);
    m_selected = new QLabel;
    m_selected->setObjectName(u"selectedNode"_s);
    nl->addWidget(m_selected, 2, 0, 1, 2);
    layout->addWidget(section(u"App nodes"_s, nodes));
    setSelectedNode(-1);

    // ---- stock ----
    auto *stock = new QWidget;
    auto *kl = new QHBoxLayout(stock);
    kl->setContentsMargins(0, 0, 0, 0);
    m_restockUnits = new QSpinBox;
    m_restockUnits->setObjectName(u"restockUnits"_s);
    m_restockUnits->setRange(1, 1000000000);
    m_restockUnits->setValue(1000);
    m_restockUnits->setSuffix(u" units"_s);
    m_restockUnits->setGroupSeparatorShown(true);
    kl->addWidget(m_restockUnits, 1);
    kl->addWidget(button(actions.restock, "restockButton"), 1);
    layout->addWidget(section(u"Stock"_s, stock));

    // ---- run ----
    auto *run = new QWidget;
    auto *rl = new QHBoxLayout(run);
    rl->setContentsMargins(0, 0, 0, 0);
    rl->addWidget(button(actions.startPause, "startPauseButton"));
    rl->addWidget(button(actions.reset, "resetButton"));
    layout->addWidget(section(u"Run"_s, run));

    layout->addStretch(1);
}

QWidget *ControlPanel::section(const QString &title, QWidget *content)
{
    auto *box = new QWidget;
    auto *l = new QVBoxLayout(box);
    l->setContentsMargins(0, 4, 0, 4);
    l->setSpacing(4);
    auto *header = new QLabel(title.toUpper());
    header->setObjectName(u"sectionHeader"_s);
    m_headers << header;
    l->addWidget(header);
    l->addWidget(content);
    return box;
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

void ControlPanel::applyRateField()
{
    double r = 0;
    const QString text = m_rateField->text();
    if (!parseNumber(text, &r) || r < kMinRatePerS || r > kMaxRatePerS) {
        m_rateField->setStyleSheet(u"QLineEdit { border: 2px solid #d01111; }"_s);
        emit inputRejected(u"Rate: \""_s + text.trimmed()
            + u"\" is not a number between 1 and 1 000 000 per second; the rate stays "_s + compactRate(m_rate));
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
    if (m_slider->isSliderDown() || m_rateField->hasFocus() || s.ratePerS == m_rate)
        return;
    showRate(s.ratePerS);
}

void ControlPanel::applyTheme(const Theme &theme)
{
    const QFont header = theme.font(theme.captionPointSize, true);
    for (QLabel *h : std::as_const(m_headers)) {
        h->setFont(header);
        QPalette p = h->palette();
        p.setColor(QPalette::WindowText, theme.mutedText);
        h->setPalette(p);
    }
    for (QLabel *mark : std::as_const(m_scaleMarks)) {
        mark->setFont(theme.font(theme.basePointSize * 0.85));
        QPalette p = mark->palette();
        p.setColor(QPalette::WindowText, theme.mutedText);
        mark->setPalette(p);
    }
    const int rowHeight = int(28 * theme.scale);
    for (QToolButton *b : findChildren<QToolButton *>())
        b->setMinimumHeight(rowHeight);
}

} // namespace stampede::ui
