#include "lessonpanel.h"

#include "format.h"
#include "panelsection.h"

#include "lesson.h"

#include <QAction>
#include <QEvent>
#include <QGridLayout>
#include <QHBoxLayout>
#include <QLabel>
#include <QPushButton>
#include <QScrollArea>
#include <QScrollBar>
#include <QToolButton>
#include <QVBoxLayout>

#include <cmath>

using namespace Qt::StringLiterals;

namespace stampede::ui {

namespace {

// A push button whose text wraps: a QPushButton cuts a long choice at the panel's width.
class ChoiceButton : public QPushButton {
public:
    explicit ChoiceButton(const QString &text)
    {
        m_label = new QLabel(text, this);
        m_label->setWordWrap(true);
        m_label->setAttribute(Qt::WA_TransparentForMouseEvents);
        auto *l = new QHBoxLayout(this);
        l->setContentsMargins(10, 6, 10, 6);
        // the button's height follows its width (below), not the label's narrowest form
        l->setSizeConstraint(QLayout::SetNoConstraint);
        l->addWidget(m_label);
        setCheckable(true);
        QSizePolicy policy(QSizePolicy::Expanding, QSizePolicy::Preferred);
        policy.setHeightForWidth(true);
        setSizePolicy(policy);
        setAccessibleName(text);
    }

    QLabel *label() const { return m_label; }
    bool hasHeightForWidth() const override { return true; }
    int heightForWidth(int w) const override { return layout()->totalHeightForWidth(w); }
    QSize sizeHint() const override { return { 120, heightForWidth(std::max(width(), 120)) }; }
    // one line high at least; its height at a width comes from heightForWidth
    QSize minimumSizeHint() const override
    {
        const QMargins m = layout()->contentsMargins();
        return { 80, m_label->fontMetrics().height() + m.top() + m.bottom() };
    }

private:
    QLabel *m_label;
};

QLabel *wrapped(const QString &objectName)
{
    auto *l = new QLabel;
    l->setObjectName(objectName);
    l->setWordWrap(true);
    l->setTextFormat(Qt::PlainText);
    l->setSizePolicy(QSizePolicy::Preferred, QSizePolicy::Minimum);
    return l;
}

QString opText(LessonCheck::Op op)
{
    switch (op) {
    case LessonCheck::Op::Greater:
        return u">"_s;
    case LessonCheck::Op::GreaterEqual:
        return u"≥"_s;
    case LessonCheck::Op::Less:
        return u"<"_s;
    case LessonCheck::Op::LessEqual:
        return u"≤"_s;
    case LessonCheck::Op::Equal:
        return u"="_s;
    case LessonCheck::Op::NotEqual:
        return u"≠"_s;
    }
    return {};
}

// Ratios keep their decimals ("0.94"), counts read as the counters do ("12.3 k").
QString valueText(double v)
{
    if (std::abs(v) >= 1000)
        return compactNumber(v);
    if (v == std::round(v))
        return QString::number(v, 'f', 0);
    return QString::number(v, 'g', std::abs(v) < 1 ? 2 : 3);
}

} // namespace

LessonPanel::LessonPanel(QAction *back, QAction *next, QAction *leave, QWidget *parent)
    : QWidget(parent)
    , m_theme(Theme::make(false, false))
{
    setObjectName(u"lessonPanel"_s);
    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(10, 8, 10, 8);
    layout->setSpacing(6);

    m_lessonTitle = wrapped(u"lessonTitle"_s);
    m_progress = wrapped(u"lessonProgress"_s);
    QToolButton *leaveButton = panelButton(leave, "lessonLeaveButton");
    leaveButton->setSizePolicy(QSizePolicy::Fixed, QSizePolicy::Fixed);
    auto *header = new QGridLayout;
    header->setSpacing(6);
    header->addWidget(m_lessonTitle, 0, 0);
    header->addWidget(leaveButton, 0, 1, Qt::AlignTop);
    header->addWidget(m_progress, 1, 0, 1, 2);
    header->setColumnStretch(0, 1);
    layout->addLayout(header);

    // the step scrolls when a long one does not fit a short screen; header and buttons stay
    m_body = new QWidget;
    m_body->setObjectName(u"lessonBody"_s);
    m_bodyLayout = new QVBoxLayout(m_body);
    m_bodyLayout->setContentsMargins(0, 0, 4, 0);
    m_bodyLayout->setSpacing(6);
    m_stepTitle = wrapped(u"stepTitle"_s);
    m_text = wrapped(u"stepText"_s);
    m_noticeHeader = wrapped(u"noticeHeader"_s);
    m_noticeHeader->setText(u"NOTICE"_s);
    m_question = wrapped(u"question"_s);
    m_answer = wrapped(u"answer"_s);
    m_answer->setTextFormat(Qt::RichText);
    m_bodyLayout->addWidget(m_stepTitle);
    m_bodyLayout->addWidget(m_text);
    m_bodyLayout->addWidget(m_noticeHeader);
    m_bodyLayout->addWidget(m_question);
    m_bodyLayout->addWidget(m_answer);
    m_bodyLayout->addStretch(1);

    m_scroll = new QScrollArea;
    m_scroll->setObjectName(u"lessonScroll"_s);
    m_scroll->setWidget(m_body);
    m_scroll->setWidgetResizable(true);
    m_scroll->setHorizontalScrollBarPolicy(Qt::ScrollBarAlwaysOff);
    m_scroll->setFrameShape(QFrame::NoFrame);
    layout->addWidget(m_scroll, 1);

    m_scroll->viewport()->installEventFilter(this);

    auto *buttons = new QHBoxLayout;
    buttons->setSpacing(6);
    QToolButton *backButton = panelButton(back, "lessonBackButton");
    QToolButton *nextButton = panelButton(next, "lessonNextButton");
    buttons->addWidget(backButton);
    buttons->addWidget(nextButton);
    m_buttons = { backButton, nextButton, leaveButton };
    layout->addLayout(buttons);
    restyle();
}

void LessonPanel::setLessonTitle(const QString &title) { m_lessonTitle->setText(title); }

void LessonPanel::setPreferredWidth(int width)
{
    m_preferredWidth = width;
    // an explicit minimum: the layouts then never ask for more (a long title's hint would widen
    // the window past the screen), and the buttons still fit
    const QMargins m = layout()->contentsMargins();
    const int buttons = std::max(m_buttons[0]->sizeHint().width() + m_buttons[1]->sizeHint().width() + 6,
        m_buttons[2]->sizeHint().width() + 6 + 8 * fontMetrics().averageCharWidth());
    setMinimumWidth(std::min(width, buttons + m.left() + m.right()));
    setMaximumWidth(width);
    updateGeometry();
}

QSize LessonPanel::sizeHint() const { return { m_preferredWidth, QWidget::sizeHint().height() }; }

bool LessonPanel::eventFilter(QObject *watched, QEvent *event)
{
    if (watched == m_scroll->viewport() && event->type() == QEvent::Resize)
        fitBody(); // a scroll bar came or went: another width, another number of lines
    return QWidget::eventFilter(watched, event);
}

void LessonPanel::fitBody()
{
    const int w = m_scroll->viewport()->width();
    if (w <= 0)
        return;
    m_bodyLayout->activate();
    const int h = m_bodyLayout->totalHeightForWidth(w);
    if (h != m_body->minimumHeight())
        m_body->setMinimumHeight(h);
}

void LessonPanel::showStep(int index, int count, const LessonStep &step)
{
    m_progress->setText(u"Step "_s + QString::number(index + 1) + u" / "_s + QString::number(count));
    m_stepTitle->setText(step.title);
    m_text->setText(step.text);

    qDeleteAll(m_checkLabels);
    m_checkLabels.clear();
    qDeleteAll(m_choices);
    m_choices.clear();
    m_checks = step.checks;
    m_states.assign(m_checks.size(), CheckState {});
    int at = m_bodyLayout->indexOf(m_noticeHeader) + 1;
    for (std::size_t i = 0; i < m_checks.size(); ++i) {
        QLabel *l = wrapped(u"check"_s + QString::number(i));
        l->setTextFormat(Qt::RichText);
        m_bodyLayout->insertWidget(at++, l);
        m_checkLabels << l;
    }
    m_noticeHeader->setVisible(!m_checks.empty());

    m_picked = -1;
    m_answerShown = false;
    m_choiceTexts.clear();
    m_answerIndex = -1;
    m_explanation.clear();
    if (step.prediction) {
        m_question->setText(step.prediction->question);
        m_choiceTexts = step.prediction->choices;
        m_answerIndex = step.prediction->answer;
        m_explanation = step.prediction->explanation;
        at = m_bodyLayout->indexOf(m_question) + 1;
        for (int c = 0; c < m_choiceTexts.size(); ++c) {
            auto *b = new ChoiceButton(m_choiceTexts[c]);
            b->setObjectName(u"choice"_s + QString::number(c));
            connect(b, &QPushButton::clicked, this, [this, c] { emit choicePicked(c); });
            m_bodyLayout->insertWidget(at++, b);
            m_choices << b;
        }
    }
    m_question->setVisible(step.prediction.has_value());
    restyle();
    m_scroll->verticalScrollBar()->setValue(0);
}

void LessonPanel::setCheckStates(const std::vector<CheckState> &states)
{
    if (states.size() != m_checks.size())
        return;
    m_states = states;
    refreshChecks();
}

void LessonPanel::setPicked(int choice)
{
    if (choice == m_picked)
        return;
    m_picked = choice;
    refreshChoices();
}

void LessonPanel::setAnswerShown(bool shown)
{
    if (shown == m_answerShown)
        return;
    m_answerShown = shown;
    refreshChoices();
}

QString LessonPanel::checkStatus(const LessonCheck &check, const CheckState &state)
{
    if (state.met)
        return u"met at "_s + QString::number(state.metAtS, 'f', 1) + u" s"_s;
    QString needs = u"needs "_s + opText(check.op) + u' ' + valueText(check.value);
    if (check.forS > 0)
        needs += u" for "_s + valueText(check.forS) + u" s"_s;
    return check.metric + u' ' + (state.value ? valueText(*state.value) : u"–"_s) + u" · "_s + needs;
}

void LessonPanel::refreshChecks()
{
    const QString good = m_theme.succeeded.name(), muted = m_theme.mutedText.name(), text = m_theme.text.name();
    for (int i = 0; i < m_checkLabels.size(); ++i) {
        const LessonCheck &c = m_checks[std::size_t(i)];
        const CheckState &s = m_states[std::size_t(i)];
        const QString mark = s.met ? u"<b style=\"color:"_s + good + u"\">✓</b>"_s
                                   : u"<span style=\"color:"_s + muted + u"\">○</span>"_s;
        const QString label = c.text.isEmpty() ? c.expression : c.text;
        const QString html = mark + u"&nbsp;<span style=\"color:"_s + text + u"\">"_s + label.toHtmlEscaped()
            + u"</span><br><span style=\"color:"_s + (s.met ? good : muted) + u"\">"_s
            + checkStatus(c, s).toHtmlEscaped() + u"</span>"_s;
        if (m_checkLabels[i]->text() != html)
            m_checkLabels[i]->setText(html);
    }
    fitBody();
}

void LessonPanel::refreshChoices()
{
    for (int c = 0; c < m_choices.size(); ++c) {
        auto *b = static_cast<ChoiceButton *>(m_choices[c]);
        b->setChecked(c == m_picked);
        QString text = m_choiceTexts[c];
        if (m_answerShown && c == m_answerIndex)
            text = u"✓ "_s + text;
        else if (m_answerShown && c == m_picked)
            text = u"✗ "_s + text;
        b->label()->setText(text);
        QFont f = b->label()->font();
        f.setBold(c == m_picked || (m_answerShown && c == m_answerIndex));
        b->label()->setFont(f);
        b->updateGeometry();
    }
    const bool any = m_answerIndex >= 0 && m_answerIndex < m_choiceTexts.size();
    m_answer->setVisible(m_answerShown && any);
    if (m_answerShown && any)
        m_answer->setText(u"<b style=\"color:"_s + m_theme.succeeded.name() + u"\">Answer: "_s
            + m_choiceTexts[m_answerIndex].toHtmlEscaped() + u"</b><br>"_s + m_explanation.toHtmlEscaped());
    fitBody();
}

QString LessonPanel::progressText() const { return m_progress->text(); }
QString LessonPanel::stepTitle() const { return m_stepTitle->text(); }
QString LessonPanel::checkText(int index) const
{
    if (index < 0 || index >= m_checkLabels.size())
        return {};
    const LessonCheck &c = m_checks[std::size_t(index)];
    const CheckState &s = m_states[std::size_t(index)];
    return (s.met ? u"✓ "_s : u"○ "_s) + (c.text.isEmpty() ? c.expression : c.text) + u" — "_s + checkStatus(c, s);
}
QString LessonPanel::answerText() const { return m_answerShown ? m_answer->text() : QString(); }

QList<QWidget *> LessonPanel::parts() const
{
    QList<QWidget *> out { m_lessonTitle, m_progress, m_stepTitle, m_text, m_noticeHeader, m_question, m_answer };
    for (QLabel *l : m_checkLabels)
        out << l;
    for (QPushButton *b : m_choices)
        out << b;
    for (QToolButton *b : m_buttons)
        out << b;
    return out;
}

void LessonPanel::applyTheme(const Theme &theme)
{
    m_theme = theme;
    restyle();
}

void LessonPanel::restyle()
{
    const Theme &t = m_theme;
    // the step's text a little under the base size in projector mode (18 px; a room's floor is
    // 17): far above a desk's, and a step's checks then show without scrolling at 1366 × 768
    const double body = t.basePointSize * (t.projector ? 0.85 : 1.0);
    m_lessonTitle->setFont(t.font(body, true));
    m_progress->setFont(t.font(body * 0.95));
    m_stepTitle->setFont(t.font(t.basePointSize * (t.projector ? 1.1 : 1.2), true));
    m_text->setFont(t.font(body));
    m_noticeHeader->setFont(t.font(std::max(t.minLabelPointSize, body * 0.85), true));
    m_question->setFont(t.font(body, true));
    m_answer->setFont(t.font(body));
    for (QLabel *l : std::as_const(m_checkLabels))
        l->setFont(t.font(body));
    for (QPushButton *b : std::as_const(m_choices))
        static_cast<ChoiceButton *>(b)->label()->setFont(t.font(body));
    for (QToolButton *b : std::as_const(m_buttons)) {
        b->setFont(t.font(t.basePointSize));
        b->setMinimumHeight(int(28 * t.scale));
    }
    auto color = [](QWidget *w, const QColor &c) {
        QPalette p = w->palette();
        p.setColor(QPalette::WindowText, c);
        w->setPalette(p);
    };
    color(m_lessonTitle, t.text);
    color(m_progress, t.mutedText);
    color(m_stepTitle, t.text);
    color(m_text, t.text);
    color(m_noticeHeader, t.mutedText);
    color(m_question, t.text);
    color(m_answer, t.text);
    refreshChecks();
    refreshChoices();
}

} // namespace stampede::ui
