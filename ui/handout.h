#pragma once

// The lesson handout (File ▸ Export lesson handout, `--handout FILE.pdf`): a title page with the
// lesson's summary, then one page per step: its title, its text, its checks (met or not, and
// when), its prediction with the answer, and the charts as they were when the step's checks
// were met (or when the step ended). Written with Qt's PDF writer.

#include "lesson.h"

#include <QImage>
#include <QString>
#include <QStringList>

#include <vector>

namespace stampede {
struct RunResult;
}

namespace stampede::ui {

struct HandoutPage {
    QString title, text;
    // One line per check: "✓ " or "✗ ", its text, its expression, and "met at 4.2 s" or "not met"
    // ("✓ OVERSOLD turns red — oversold > 0 — met at 4.2 s"); the PDF colours the mark.
    QStringList checks;
    QString question, answer, explanation; // empty without a prediction
    QStringList choices; // the prediction's choices, in order
    int answerIndex = -1; // into choices
    std::vector<QImage> images; // the charts at the moment the page shows
    QString imagesCaption; // what moment the images show ("The charts at 4.2 s, when …")
};

// One page per step, from the lesson and what happened (images left empty).
std::vector<HandoutPage> handoutPages(const Lesson &lesson, const std::vector<StepOutcome> &outcomes);

// Writes the PDF (A4 portrait): a title page, then each step starting a page of its own and
// running on to the next ones where it is long, its images two to a row across the width. False with a one-line *error
// when the file cannot be written: "Handout: cannot write PATH: why".
bool writeHandoutPdf(const Lesson &lesson, const std::vector<HandoutPage> &pages, const QString &path, QString *error);

// The headless form: each page gets the run's charts drawn from its timeline up to the moment
// the step's last check was met (or the step's end), the last 60 s of it (handoutrender.h).
// Needs a QApplication; errors read "--handout: cannot write PATH: why".
bool writeHandoutFromRun(const Lesson &lesson, const std::vector<StepOutcome> &outcomes, const RunResult &result,
    const QString &path, QString *error);

} // namespace stampede::ui
