#include "toolbarfit.h"

#include <QAction>
#include <QComboBox>
#include <QEvent>
#include <QLayout>
#include <QToolBar>
#include <QToolButton>

using namespace Qt::StringLiterals;

namespace stampede::ui {

namespace {

// ActionSet puts the key after three spaces: "Pause   Space".
QString withoutKey(const QString &iconText)
{
    const qsizetype at = iconText.indexOf(u"   "_s);
    return at > 0 ? iconText.left(at) : iconText;
}

} // namespace

ToolBarFit::ToolBarFit(QToolBar *bar, QList<QAction *> captions, QList<QComboBox *> combos)
    : QObject(bar)
    , m_bar(bar)
    , m_captions(std::move(captions))
    , m_combos(std::move(combos))
{
    m_pending.setSingleShot(true);
    m_pending.setInterval(0);
    connect(&m_pending, &QTimer::timeout, this, &ToolBarFit::refit);
    bar->installEventFilter(this);
    for (QAction *a : bar->actions())
        connect(a, &QAction::changed, this, [this] {
            if (!m_applying)
                m_pending.start();
        });
}

bool ToolBarFit::fits() const
{
    // the layout's hint is the width that shows every item
    return m_bar->sizeHint().width() <= m_bar->width();
}

void ToolBarFit::apply(Level level)
{
    m_applying = true;
    m_level = level;
    for (QAction *a : m_captions)
        a->setVisible(level < NoCaptions && !m_hidden.contains(a));
    for (QAction *a : m_bar->actions()) {
        auto *button = qobject_cast<QToolButton *>(m_bar->widgetForAction(a));
        if (!button)
            continue;
        // a QToolButton takes its text from the action again whenever the action changes
        button->setText(level >= NoKeys ? withoutKey(a->iconText()) : a->iconText());
        button->setToolButtonStyle(
            level >= IconsOnly && !a->icon().isNull() ? Qt::ToolButtonIconOnly : Qt::ToolButtonTextBesideIcon);
    }
    for (QComboBox *c : m_combos) {
        c->setMinimumContentsLength(level >= NarrowCombos ? 10 : 0);
        c->setSizeAdjustPolicy(
            level >= NarrowCombos ? QComboBox::AdjustToMinimumContentsLengthWithIcon : QComboBox::AdjustToContents);
    }
    if (QLayout *l = m_bar->layout()) {
        l->invalidate();
        l->activate();
    }
    m_applying = false;
}

void ToolBarFit::setHiddenCaptions(QList<QAction *> captions)
{
    m_hidden = std::move(captions);
    refit();
}

void ToolBarFit::refit()
{
    for (int l = Full; l < LevelCount; ++l) {
        apply(Level(l));
        if (fits())
            return;
    }
}

bool ToolBarFit::eventFilter(QObject *watched, QEvent *event)
{
    if (watched == m_bar && (event->type() == QEvent::Resize || event->type() == QEvent::FontChange))
        m_pending.start();
    return QObject::eventFilter(watched, event);
}

} // namespace stampede::ui
