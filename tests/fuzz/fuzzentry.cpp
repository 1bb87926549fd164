#include "fuzzentry.h"

#include "cli.h"
#include "compare.h"
#include "lesson.h"
#include "scenario.h"
#include "sweep.h"

#include <QJsonDocument>
#include <QStringList>

using namespace Qt::StringLiterals;

namespace fuzzentry {

namespace {

const QString kSource = u"fuzz.json"_s;

Outcome error(const QString &message)
{
    Outcome o;
    o.status = Outcome::Status::Error;
    o.message = message;
    if (message.trimmed().isEmpty())
        o.broken = u"an error without a message"_s;
    return o;
}

// A loader's error must start with its source, as "<source>: <json.path>: <problem>" does.
Outcome loaderError(const QString &message)
{
    Outcome o = error(message);
    if (o.broken.isEmpty() && !message.startsWith(kSource + u": "_s))
        o.broken = u"the error does not start with \""_s + kSource + u": \": "_s + message;
    return o;
}

QByteArray asJson(const Scenario &s) { return QJsonDocument(scenarioToJson(s)).toJson(QJsonDocument::Compact); }

// What main() does with parsed options before it would run (headless.cpp's runHeadless, or the
// window's runWindow), without checkOutputs (it creates the files) and without running.
Outcome validate(const CliOptions &o)
{
    const bool window = !o.headless && !o.listPresets && !o.listLessons;
    if (!window && (o.listPresets || o.listLessons))
        return {}; // prints the list and exits
    QString problem;
    if (!window && !o.lesson.isEmpty()) { // runLesson
        std::optional<Lesson> lesson = resolveLesson(o.lesson, &problem);
        if (!lesson)
            return error(u"--lesson: "_s + problem);
        if (o.seed)
            lesson->scenario.config.seed = *o.seed;
        if (o.threads)
            lesson->scenario.config.threads = *o.threads;
        lessonScenario(*lesson);
        return {};
    }
    const std::optional<Scenario> scenario = resolveScenario(o, &problem);
    if (!scenario)
        return error(problem);
    if (window) { // runWindow: the lesson is resolved after the scenario
        if (!o.lesson.isEmpty() && !resolveLesson(o.lesson, &problem))
            return error(u"--lesson: "_s + problem);
        return {};
    }
    if (o.compare) { // runCompare: both sides before any engine starts
        const CompareSpec &spec = *o.compare;
        bool sweeps = false;
        for (const QString &value : { spec.a, spec.b }) {
            const std::optional<Scenario> side = withSetting(*scenario, spec.path, value, &problem);
            if (!side)
                return error(u"--compare: "_s + spec.key + u'=' + value + u": "_s + problem);
            sweeps = sweeps || side->sweep.has_value();
        }
        if (sweeps)
            return error(u"--compare: the scenario runs a sweep; add --no-sweep to compare its timeline"_s);
        return {};
    }
    if (scenario->sweep) { // runSweep: every point before the first runs
        const SweepSpec &spec = *scenario->sweep;
        if (spec.axes.empty())
            return error(u"a sweep without axes passed validation"_s);
        for (std::size_t i = 0; i < spec.axes.front().values.size(); ++i)
            if (!sweepPointScenario(*scenario, spec, i, &problem))
                return error(problem);
    }
    return {};
}

} // namespace

QString statusName(Outcome::Status status)
{
    switch (status) {
    case Outcome::Status::Ok:
        return u"ok"_s;
    case Outcome::Status::Exit:
        return u"exit"_s;
    case Outcome::Status::Error:
        break;
    }
    return u"error"_s;
}

Outcome scenarioFile(const QByteArray &data)
{
    QString problem;
    const std::optional<Scenario> s = parseScenario(data, kSource, &problem, u"fuzz"_s);
    if (!s)
        return loaderError(problem);
    Outcome o;
    if (const QString p = checkScenario(*s); !p.isEmpty()) {
        o.broken = u"loaded, but checkScenario refuses it: "_s + p;
        return o;
    }
    // scenarioToJson's promise: accepted back by parseScenario, and to the same scenario.
    const QByteArray written = asJson(*s);
    const std::optional<Scenario> again = parseScenario(written, kSource, &problem, u"fuzz"_s);
    if (!again)
        o.broken = u"written back, it does not load: "_s + problem + u" in "_s + QString::fromUtf8(written);
    else if (const QByteArray rewritten = asJson(*again); rewritten != written)
        o.broken = u"written back, it loads as another scenario: "_s + QString::fromUtf8(written) + u" then "_s
            + QString::fromUtf8(rewritten);
    return o;
}

Outcome lessonFile(const QByteArray &data)
{
    QString problem;
    const std::optional<Lesson> lesson = parseLesson(data, kSource, &problem, u"fuzz"_s);
    if (!lesson)
        return loaderError(problem);
    lessonScenario(*lesson);
    return {};
}

Outcome commandLine(const QByteArray &data, bool haveWindow)
{
    QStringList arguments { u"stampede"_s };
    if (!data.isEmpty()) {
        QList<QByteArray> lines = data.split('\n');
        if (data.endsWith('\n'))
            lines.removeLast();
        for (const QByteArray &line : lines)
            arguments << QString::fromUtf8(line);
    }
    const CliParseResult parsed = parseCommandLine(arguments, haveWindow);
    switch (parsed.status) {
    case CliParseResult::Status::Error:
        return error(parsed.output);
    case CliParseResult::Status::Exit: {
        Outcome o;
        o.status = Outcome::Status::Exit;
        o.message = parsed.output;
        return o;
    }
    case CliParseResult::Status::Run:
        break;
    }
    return validate(parsed.options);
}

} // namespace fuzzentry
