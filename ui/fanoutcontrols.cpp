#include "fanoutcontrols.h"

#include "actionset.h"
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
#include <QSpinBox>
#include <QToolButton>
#include <QVBoxLayout>

#include <cmath>

using namespace Qt::StringLiterals;

namespace stampede::ui {

namespace limits = stampede::limits;

namespace {

// "16 000 000" with plain spaces, as a message reads it on any font
QString plainGrouped(std::int64_t v) { return groupedNumber(v).replace(QChar(0x2009), u' '); }

} // namespace

FanoutControls::FanoutControls(const ActionSet &actions, QWidget *parent)
    : QWidget(parent)
{
    setObjectName(u"fanoutControls"_s);
    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->setSpacing(6);

    // ---- the celebrity ----
    auto *celebrity = new QWidget;
    auto *cl = new QGridLayout(celebrity);
    cl->setContentsMargins(0, 0, 0, 0);
    m_postButton = panelButton(actions.celebrityPost, "celebrityPostButton");
    cl->addWidget(m_postButton, 0, 0, 1, 2);
    m_celebrity = new QSpinBox;
    m_celebrity->setObjectName(u"celebrityBox"_s);
    m_celebrity->setPrefix(u"celebrity "_s);
    m_celebrity->setRange(0, 0);
    m_celebrity->setToolTip(u"Which celebrity posts"_s);
    m_celebrity->setVisible(false); // shown when the run has more than one
    connect(m_celebrity, &QSpinBox::valueChanged, this, [this](int c) {
        if (c >= 0 && c < m_celebrities.size())
            m_followers->setText(groupedNumber(m_celebrities[c]) + u" followers"_s);
    });
    cl->addWidget(m_celebrity, 1, 0);
    m_followers = new QLabel;
    m_followers->setObjectName(u"celebrityFollowers"_s);
    cl->addWidget(m_followers, 1, 1);
    layout->addWidget(panelSection(u"Celebrity"_s, celebrity, m_headers));

    // ---- mode, threshold, post share ----
    auto *mode = new QWidget;
    auto *ml = new QGridLayout(mode);
    ml->setContentsMargins(0, 0, 0, 0);
    const char *modeButtons[] = { "pushButton", "pullButton", "hybridButton" };
    for (int i = 0; i < 3; ++i)
        ml->addWidget(panelButton(actions.fanoutModes[std::size_t(i)], modeButtons[i]), 0, i * 2, 1, 2);
    ml->addWidget(new QLabel(u"Hybrid pulls accounts above"_s), 1, 0, 1, 6);
    m_thresholdField = new QLineEdit;
    m_thresholdField->setObjectName(u"thresholdField"_s);
    m_thresholdField->setPlaceholderText(u"followers"_s);
    const auto &threshold = limits::range(limits::Limit::FanoutThreshold);
    m_thresholdField->setToolTip(u"Followers above which hybrid pulls an account instead of pushing it, "_s
        + plainGrouped(std::int64_t(threshold.min)) + u" to "_s + plainGrouped(std::int64_t(threshold.max))
        + u"; Enter applies"_s);
    connect(m_thresholdField, &QLineEdit::returnPressed, this, &FanoutControls::applyThresholdField);
    connect(m_thresholdField, &QLineEdit::textEdited, this, [this] { m_thresholdField->setStyleSheet({}); });
    ml->addWidget(m_thresholdField, 2, 0, 1, 4);
    ml->addWidget(new QLabel(u"followers"_s), 2, 4, 1, 2);
    ml->addWidget(panelButton(actions.thresholdUp, "thresholdUpButton"), 3, 0, 1, 3);
    ml->addWidget(panelButton(actions.thresholdDown, "thresholdDownButton"), 3, 3, 1, 3);
    ml->addWidget(new QLabel(u"Posts (the rest are reads)"_s), 4, 0, 1, 6);
    m_postShare = new QDoubleSpinBox;
    m_postShare->setObjectName(u"postShareBox"_s);
    const auto &share = limits::range(limits::Limit::PostShare);
    m_postShare->setRange(share.min * 100, share.max * 100);
    m_postShare->setDecimals(2);
    m_postShare->setSingleStep(0.5);
    m_postShare->setSuffix(u" %"_s);
    m_postShare->setKeyboardTracking(false); // one command on Enter, not one per digit
    m_postShare->setToolTip(u"Share of the arrivals that are ordinary posts; Enter applies"_s);
    connect(m_postShare, &QDoubleSpinBox::valueChanged, this,
        [this](double percent) { emit postShareRequested(percent / 100.0); });
    connect(m_postShare, &QDoubleSpinBox::editingFinished, m_postShare, [this] { m_postShare->clearFocus(); });
    ml->addWidget(m_postShare, 5, 0, 1, 2);
    ml->addWidget(panelButton(actions.postShareUp, "postShareUpButton"), 5, 2, 1, 2);
    ml->addWidget(panelButton(actions.postShareDown, "postShareDownButton"), 5, 4, 1, 2);
    layout->addWidget(panelSection(u"Fan-out mode"_s, mode, m_headers));

    // ---- workers ----
    auto *workers = new QWidget;
    auto *wl = new QGridLayout(workers);
    wl->setContentsMargins(0, 0, 0, 0);
    wl->addWidget(panelButton(actions.addWorker, "addWorkerButton"), 0, 0);
    wl->addWidget(panelButton(actions.removeWorker, "removeWorkerButton"), 0, 1);
    wl->addWidget(panelButton(actions.killWorker, "killWorkerButton"), 1, 0, 1, 2);
    layout->addWidget(panelSection(u"Fan-out workers"_s, workers, m_headers));

    // ---- inbox shards ----
    auto *shards = new QWidget;
    auto *hl = new QGridLayout(shards);
    hl->setContentsMargins(0, 0, 0, 0);
    hl->addWidget(panelButton(actions.addInboxShard, "addInboxShardButton"), 0, 0);
    hl->addWidget(panelButton(actions.killInboxShard, "killInboxShardButton"), 0, 1);
    hl->addWidget(panelButton(actions.rebuildInboxShard, "rebuildInboxShardButton"), 1, 0, 1, 2);
    m_selectedShard = new QLabel;
    m_selectedShard->setObjectName(u"selectedShard"_s);
    hl->addWidget(m_selectedShard, 2, 0, 1, 2);
    layout->addWidget(panelSection(u"Inbox shards"_s, shards, m_headers));
    setSelectedShard(-1);
}

void FanoutControls::setConfig(const FanoutConfig &config)
{
    m_celebrities = QList<std::uint32_t>(config.celebrities.begin(), config.celebrities.end());
    {
        const QSignalBlocker block(m_celebrity);
        m_celebrity->setRange(0, std::max<int>(0, int(m_celebrities.size()) - 1));
        m_celebrity->setValue(0);
    }
    m_celebrity->setVisible(m_celebrities.size() > 1);
    m_followers->setText(m_celebrities.isEmpty() ? u"no celebrity in this run"_s
                                                 : groupedNumber(m_celebrities.first()) + u" followers"_s);
    setPostShare(config.postShare);
    m_thresholdField->setStyleSheet({});
    showThreshold(config.threshold);
    setSelectedShard(-1);
}

int FanoutControls::celebrity() const { return m_celebrity->value(); }

double FanoutControls::postShare() const { return m_postShare->value() / 100.0; }

void FanoutControls::setPostShare(double share)
{
    const QSignalBlocker block(m_postShare);
    m_postShare->setValue(share * 100);
}

void FanoutControls::setThreshold(std::int64_t followers) { showThreshold(followers); }

void FanoutControls::showThreshold(std::int64_t followers)
{
    m_threshold = followers;
    if (!m_thresholdField->hasFocus())
        m_thresholdField->setText(QString::number(followers));
}

void FanoutControls::setSelectedShard(int id)
{
    m_selectedShard->setText(id < 0 ? u"Target: last shard up (click a shard to choose)"_s
                                    : u"Target: inbox shard "_s + QString::number(id) + u" (click to clear)"_s);
}

void FanoutControls::applyThresholdField()
{
    QString text = m_thresholdField->text().trimmed();
    QString digits = text;
    digits.remove(u' ').remove(QChar(0x2009)).remove(QChar(0x00a0)).remove(u'_');
    const auto &range = limits::range(limits::Limit::FanoutThreshold);
    double v = 0;
    const bool whole = parseNumber(digits, &v) && v == std::floor(v);
    if (!whole || !limits::inRange(range, v)) {
        m_thresholdField->setStyleSheet(u"QLineEdit { border: 2px solid #d01111; }"_s);
        emit inputRejected(u"Threshold: \""_s + text + u"\" is not a whole number of followers between "_s
            + plainGrouped(std::int64_t(range.min)) + u" and "_s + plainGrouped(std::int64_t(range.max))
            + u"; the threshold stays "_s + plainGrouped(m_threshold));
        return;
    }
    m_thresholdField->setStyleSheet({});
    m_thresholdField->clearFocus(); // the one-key actions work again at once
    showThreshold(std::int64_t(v));
    emit thresholdRequested(std::int64_t(v));
}

void FanoutControls::showSnapshot(const Snapshot &s)
{
    if (!s.fanout)
        return;
    if (std::int64_t(s.fanout->threshold) != m_threshold)
        showThreshold(s.fanout->threshold);
}

void FanoutControls::applyTheme(const Theme &theme)
{
    styleSectionHeaders(m_headers, theme);
    // the one button a room watches for: large, in the accent colour
    QFont f = theme.font(theme.basePointSize * 1.25, true);
    m_postButton->setFont(f);
    m_postButton->setMinimumHeight(int(46 * theme.scale));
    QPalette p = m_postButton->palette();
    p.setColor(QPalette::Button, theme.accent);
    p.setColor(QPalette::ButtonText, QColor(Qt::white));
    m_postButton->setPalette(p);
    QPalette muted = m_followers->palette();
    muted.setColor(QPalette::WindowText, theme.mutedText);
    m_followers->setPalette(muted);
}

} // namespace stampede::ui
