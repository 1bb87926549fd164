#pragma once

// The guided lesson at the window's right while one runs (it takes the lesson banner's place):
// the lesson and step, the step's text, its notice checks with a live tick, the prediction with
// its choices, and Back / Next / Leave. Everything word-wraps at the panel's width; what does not
// fit its height scrolls, the header and the buttons stay. It only shows: the window decides what
// is met and when the answer shows.

#include "theme.h"

#include <QList>
#include <QString>
#include <QWidget>

#include <optional>
#include <vector>

class QAction;
class QLabel;
class QPushButton;
class QScrollArea;
class QToolButton;
class QVBoxLayout;
struct LessonCheck;
struct LessonStep;

namespace stampede::ui {

class LessonPanel : public QWidget {
    Q_OBJECT

public:
    // One check as the panel shows it.
    struct CheckState {
        bool met = false;
        double metAtS = -1; // run seconds, when met
        std::optional<double> value; // the last value seen, when not met
    };

    // The buttons show the window's actions (their text carries the keys).
    LessonPanel(QAction *back, QAction *next, QAction *leave, QWidget *parent = nullptr);

    void setLessonTitle(const QString &title);
    // A new step: its texts, checks (none met) and choices (none picked, answer hidden).
    void showStep(int index, int count, const LessonStep &step);
    void setCheckStates(const std::vector<CheckState> &states);
    void setPicked(int choice); // −1: none
    void setAnswerShown(bool shown);
    void applyTheme(const Theme &theme);
    // The width it asks for (and takes at most); with less room it narrows down to its buttons.
    void setPreferredWidth(int width);
    QSize sizeHint() const override;
    // Its height is the row's: no height-for-width for the layouts above (the window's width
    // would follow the title's wrapping)
    bool hasHeightForWidth() const override { return false; }

    // Tests and the layout check.
    QString progressText() const;
    QString stepTitle() const;
    QString checkText(int index) const;
    int checkCount() const { return int(m_checkLabels.size()); }
    bool answerShown() const { return m_answerShown; }
    QString answerText() const;
    QList<QPushButton *> choiceButtons() const { return m_choices; }
    int picked() const { return m_picked; }
    // Every label and button of the panel, visible or not.
    QList<QWidget *> parts() const;

    // "oversold 0 · needs > 0", "met at 4.2 s"
    static QString checkStatus(const LessonCheck &check, const CheckState &state);

signals:
    void choicePicked(int choice);

protected:
    bool eventFilter(QObject *watched, QEvent *event) override;

private:
    void fitBody(); // the step's whole height at the viewport's width: a long step scrolls, none is cut
    void restyle();
    void refreshChecks();
    void refreshChoices();

    Theme m_theme;
    QLabel *m_lessonTitle = nullptr;
    QLabel *m_progress = nullptr;
    QScrollArea *m_scroll = nullptr;
    QWidget *m_body = nullptr;
    QVBoxLayout *m_bodyLayout = nullptr;
    QLabel *m_stepTitle = nullptr;
    QLabel *m_text = nullptr;
    QLabel *m_noticeHeader = nullptr;
    QList<QLabel *> m_checkLabels;
    QLabel *m_question = nullptr;
    QList<QPushButton *> m_choices;
    QLabel *m_answer = nullptr;
    QList<QToolButton *> m_buttons;

    std::vector<LessonCheck> m_checks;
    std::vector<CheckState> m_states;
    QStringList m_choiceTexts;
    int m_answerIndex = -1;
    QString m_explanation;
    int m_picked = -1;
    bool m_answerShown = false;
    int m_preferredWidth = 360;
};

} // namespace stampede::ui
