#include "options.h"

#include "monkey.h"

#include <QCommandLineParser>
#include <QFile>
#include <QRegularExpression>

#include <random>

using namespace Qt::StringLiterals;

namespace stampede::soak {

namespace {

// An output file must be writable before an hour is spent on the run it reports.
bool writable(const QString &path)
{
    QFile f(path);
    const bool existed = f.exists();
    if (!f.open(QIODevice::WriteOnly | QIODevice::Append))
        return false;
    f.close();
    if (!existed)
        f.remove();
    return true;
}

} // namespace

std::optional<Options> parseOptions(const QStringList &arguments, QString *error, QString *helpText)
{
    QCommandLineParser p;
    p.setApplicationDescription(u"Monkey soak: drives the Stampede window offscreen with random actions for a "
                                "given time, checking after each that the window answers, that a safe strategy "
                                "never oversold, and that resident memory stays flat. Exit 0: ok; 1: a violation "
                                "or memory growth; 2: bad options."_s);
    const QCommandLineOption help({ u"h"_s, u"help"_s }, u"This help."_s);
    const QCommandLineOption duration(u"duration"_s, u"Run length in seconds (default 120)."_s, u"SECONDS"_s);
    const QCommandLineOption seed(u"seed"_s, u"Seed of the action stream (default: random, printed)."_s, u"N"_s);
    const QCommandLineOption report(u"report"_s, u"Write the summary as JSON."_s, u"FILE.json"_s);
    const QCommandLineOption log(u"log"_s, u"Write every action with its time."_s, u"FILE"_s);
    const QCommandLineOption only(u"only"_s,
        u"Only these action kinds, comma-separated (see --list-kinds); to find which kind grows memory."_s, u"KINDS"_s);
    const QCommandLineOption match(u"match"_s,
        u"Kind shortcut: only the actions whose menu text or keys match this regular expression "
        "(case-insensitive), e.g. 'Reset|Ctrl\\+T'."_s,
        u"REGEX"_s);
    const QCommandLineOption listKinds(u"list-kinds"_s, u"List the action kinds and exit."_s);
    p.addOptions({ help, duration, seed, report, log, only, match, listKinds });

    if (!p.parse(arguments)) {
        *error = p.errorText();
        return std::nullopt;
    }
    if (p.isSet(help)) {
        *helpText = p.helpText().replace(u"<executable_name>"_s, u"stampede-soak"_s) + u"\nAction kinds: "_s
            + actionKinds().join(u", "_s) + u"\n"_s;
        return std::nullopt;
    }
    if (!p.positionalArguments().isEmpty()) {
        *error = u"unexpected argument '"_s + p.positionalArguments().constFirst() + u"' (options start with --)"_s;
        return std::nullopt;
    }

    Options o;
    o.listKinds = p.isSet(listKinds);
    if (p.isSet(duration)) {
        bool ok = false;
        const QString v = p.value(duration);
        o.durationS = v.toDouble(&ok);
        if (!ok || !(o.durationS >= 1 && o.durationS <= 7 * 86400)) {
            *error = u"--duration: seconds from 1 to 604800; got '"_s + v + u"'"_s;
            return std::nullopt;
        }
    }
    if (p.isSet(seed)) {
        bool ok = false;
        const QString v = p.value(seed);
        o.seed = v.toULongLong(&ok);
        if (!ok) {
            *error = u"--seed: a whole number from 0 to 18446744073709551615; got '"_s + v + u"'"_s;
            return std::nullopt;
        }
        o.seedGiven = true;
    } else {
        std::random_device device;
        o.seed = (std::uint64_t(device()) << 32 | device()) % 1000000000ull; // short enough to type
    }
    if (p.isSet(only)) {
        for (const QString &k : p.value(only).split(u',', Qt::SkipEmptyParts)) {
            const QString kind = k.trimmed();
            if (!actionKinds().contains(kind)) {
                *error = u"--only: unknown action kind '"_s + kind + u"' (kinds: "_s + actionKinds().join(u", "_s)
                    + u")"_s;
                return std::nullopt;
            }
            if (!o.only.contains(kind))
                o.only << kind;
        }
        if (o.only.isEmpty()) {
            *error = u"--only: needs at least one action kind (kinds: "_s + actionKinds().join(u", "_s) + u")"_s;
            return std::nullopt;
        }
    }
    if (p.isSet(match)) {
        o.match = p.value(match);
        const QRegularExpression re(o.match);
        if (!re.isValid()) {
            *error = u"--match: not a regular expression: "_s + re.errorString();
            return std::nullopt;
        }
    }
    for (const auto &[option, target] : { std::pair { &report, &o.reportFile }, std::pair { &log, &o.logFile } }) {
        if (!p.isSet(*option))
            continue;
        *target = p.value(*option);
        if (target->isEmpty() || !writable(*target)) {
            *error = u"--"_s + option->names().constFirst() + u": cannot write '"_s + *target + u"'"_s;
            return std::nullopt;
        }
    }
    return o;
}

} // namespace stampede::soak
