#include "lessonreport.h"

#include <QJsonArray>

using namespace Qt::StringLiterals;

std::pair<int, int> checksMet(const std::vector<StepOutcome> &outcomes)
{
    int met = 0, total = 0;
    for (const StepOutcome &o : outcomes)
        for (double at : o.metAtS) {
            ++total;
            met += at >= 0 ? 1 : 0;
        }
    return { met, total };
}

QJsonObject lessonReportJson(const Lesson &lesson, const std::vector<StepOutcome> &outcomes)
{
    QJsonArray steps;
    for (std::size_t i = 0; i < lesson.steps.size() && i < outcomes.size(); ++i) {
        const LessonStep &s = lesson.steps[i];
        QJsonArray checks;
        for (std::size_t c = 0; c < s.checks.size(); ++c) {
            const double at = c < outcomes[i].metAtS.size() ? outcomes[i].metAtS[c] : -1;
            checks.append(QJsonObject { { u"check"_s, s.checks[c].expression }, { u"text"_s, s.checks[c].text },
                { u"met"_s, at >= 0 }, { u"met_at_s"_s, at >= 0 ? QJsonValue(at) : QJsonValue() } });
        }
        QJsonObject step { { u"title"_s, s.title }, { u"opens_at_s"_s, outcomes[i].openedAtS }, { u"for_s"_s, s.forS },
            { u"actions"_s, static_cast<int>(s.actions.size()) }, { u"checks"_s, checks } };
        if (s.prediction)
            step.insert(u"predict"_s,
                QJsonObject { { u"question"_s, s.prediction->question },
                    { u"answer"_s, s.prediction->choices.value(s.prediction->answer) } });
        steps.append(step);
    }
    const auto [met, total] = checksMet(outcomes);
    return { { u"name"_s, lesson.name }, { u"title"_s, lesson.title }, { u"checks_met"_s, met },
        { u"checks_total"_s, total }, { u"steps"_s, steps } };
}

QString lessonSummaryText(const Lesson &lesson, const std::vector<StepOutcome> &outcomes)
{
    const auto [met, total] = checksMet(outcomes);
    QString out = u"lesson "_s + lesson.name + u": "_s + QString::number(met) + u" of "_s + QString::number(total)
        + u" checks met\n"_s;
    const QString count = QString::number(lesson.steps.size());
    for (std::size_t i = 0; i < lesson.steps.size() && i < outcomes.size(); ++i) {
        const LessonStep &s = lesson.steps[i];
        out += u"  "_s + QString::number(i + 1) + u'/' + count + u' ' + s.title + u"  (opens at "_s
            + QString::number(outcomes[i].openedAtS, 'f', 1) + u" s)\n"_s;
        for (std::size_t c = 0; c < s.checks.size(); ++c) {
            const double at = c < outcomes[i].metAtS.size() ? outcomes[i].metAtS[c] : -1;
            out += (at >= 0 ? u"    [x] "_s : u"    [ ] "_s) + s.checks[c].expression
                + (at >= 0 ? u"  met at "_s + QString::number(at, 'f', 1) + u" s"_s : u"  NOT MET"_s) + u"  — "_s
                + s.checks[c].text + u'\n';
        }
    }
    return out;
}
