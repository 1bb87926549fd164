#include "cli.h"

#include "limittable.h"

#include <QCommandLineOption>
#include <QCommandLineParser>
#include <QCoreApplication>
#include <QFile>
#include <QFileInfo>
#include <QRegularExpression>

#include <algorithm>
#include <cmath>
#include <cstdio>

using namespace Qt::StringLiterals;
namespace limits = stampede::limits;
using limits::Limit;

namespace {

QString quoted(const QString &s) { return u'"' + s + u'"'; }

// "--option: must be <noun> between 1 and 64<suffix>, got "v"": the words of the option's row in
// the engine's limits table, with what kind of value it takes.
QString outOfRange(
    const QString &option, Limit id, const QString &noun, const QString &value, const QString &suffix = {})
{
    const QString words = QString::fromStdString(limits::describe(id)); // "must be between …"
    return option + u": must be "_s + noun + u' ' + words.mid(8) + suffix + u", got "_s + quoted(value);
}

QString compareAliasNames()
{
    QStringList names;
    for (const QString &line : compareAliases())
        names << line.left(line.indexOf(u'='));
    return names.join(u", "_s);
}

QString strategyList()
{
    QStringList names;
    for (std::string_view n : stampede::strategyNames())
        names << QString::fromUtf8(n.data(), qsizetype(n.size()));
    return names.join(u", "_s);
}

// Strict decimal integers: no spaces, no fractions, an optional minus sign.
std::optional<qint64> parseInteger(const QString &s)
{
    static const QRegularExpression re(u"^-?[0-9]+$"_s);
    if (!re.match(s).hasMatch())
        return std::nullopt;
    bool ok = false;
    const qint64 v = s.toLongLong(&ok);
    return ok ? std::optional<qint64>(v) : std::nullopt;
}

std::optional<double> parseNumber(const QString &s)
{
    bool ok = false;
    const double v = s.trimmed().toDouble(&ok);
    if (!ok || !std::isfinite(v))
        return std::nullopt;
    return v;
}

// QCommandLineParser's messages quote the option ("Missing value after '--rate'."); turn them
// into our "--rate: missing value" form.
QString parserError(const QCommandLineParser &parser)
{
    const QStringList unknown = parser.unknownOptionNames();
    if (!unknown.isEmpty()) {
        const QString &name = unknown.first();
        return (name.size() == 1 ? u"-"_s : u"--"_s) + name + u": unknown option (see --help)"_s;
    }
    QString text = parser.errorText().simplified();
    static const QRegularExpression quotedOption(u"'([^']+)'"_s);
    const QRegularExpressionMatch m = quotedOption.match(text);
    if (m.hasMatch()) {
        const QString option = m.captured(1);
        if (text.startsWith(u"Missing value"_s))
            return option + u": missing value"_s;
        if (text.startsWith(u"Unexpected value"_s))
            return option + u": takes no value"_s;
        return option + u": "_s + text;
    }
    return text;
}

void applyOverrides(const CliOptions &o, Scenario *s)
{
    auto &c = s->config;
    if (o.strategy)
        c.strategy = *o.strategy;
    if (o.nodes)
        c.nodes.count = *o.nodes;
    if (o.backend)
        c.store.backend = *o.backend;
    if (!o.storeUrl.isEmpty())
        c.store.url = o.storeUrl.toStdString();
    if (o.rateMax) {
        c.traffic.mode = stampede::TrafficMode::Closed;
    } else if (o.rate) {
        c.traffic.mode = stampede::TrafficMode::Open;
        c.traffic.ratePerS = *o.rate;
    }
    if (o.stock)
        c.stock = *o.stock;
    if (o.readRatio)
        c.traffic.readRatio = *o.readRatio;
    if (o.consumers)
        c.queue.consumers = *o.consumers;
    if (o.fanoutMode)
        c.fanout.mode = *o.fanoutMode;
    if (o.fanoutThreshold)
        c.fanout.threshold = static_cast<std::uint32_t>(*o.fanoutThreshold);
    if (o.strategy == stampede::Strategy::CacheQueue && c.cache.nodes == 0) {
        // cache-queue pre-deducts stock in the cache tier; a lesson without one would just fail.
        c.cache.nodes = kDefaultCacheNodes;
        const std::string_view placement = stampede::toString(c.cache.placement);
        s->notes << u"--strategy cache-queue: the scenario has no cache tier; added the default one ("_s
                + QString::number(kDefaultCacheNodes) + u" cache nodes, "_s
                + QString::fromUtf8(placement.data(), qsizetype(placement.size())) + u')';
    }
    if (o.coordination)
        c.nodes.coordination = *o.coordination;
    if (!o.sweep.empty()) {
        SweepSpec sw = s->sweep.value_or(SweepSpec {});
        sw.axes = o.sweep; // the command line's settings replace the scenario's
        s->sweep = std::move(sw);
    }
    if (s->sweep && o.sweepSeconds)
        s->sweep->seconds = *o.sweepSeconds;
    if (s->sweep && o.sweepWarmupS)
        s->sweep->warmupS = *o.sweepWarmupS;
    if (o.seed)
        c.seed = *o.seed;
    if (o.threads)
        c.threads = *o.threads;
    if (o.durationS) {
        s->durationS = *o.durationS;
        std::erase_if(s->events, [&](const stampede::TimedEvent &e) { return e.atS > s->durationS; });
    }
}

// The option that set a config field, so that a problem found after overriding names it.
QString optionForField(const CliOptions &o, const QString &field)
{
    if (field == u"stock"_s && o.stock)
        return u"--stock"_s;
    if (field == u"nodes.count"_s && o.nodes)
        return u"--nodes"_s;
    if (field == u"traffic.rate_per_s"_s && o.rate)
        return u"--rate"_s;
    if (field == u"traffic.read_ratio"_s && o.readRatio)
        return u"--read-ratio"_s;
    if (field == u"queue.consumers"_s && o.consumers)
        return u"--consumers"_s;
    if (field == u"fanout.threshold"_s && o.fanoutThreshold)
        return u"--fanout-threshold"_s;
    if (field == u"threads"_s && o.threads)
        return u"--threads"_s;
    if (field == u"duration_s"_s && o.durationS)
        return u"--duration"_s;
    return {};
}

// Opens the file the way the writer will, without truncating what is there, and removes it
// again if it did not exist, so that checking leaves no trace.
QString checkWritable(const QString &option, const QString &path)
{
    if (path.isEmpty())
        return {};
    if (QFileInfo(path).isDir())
        return option + u": cannot write "_s + path + u": is a directory"_s;
    const bool existed = QFile::exists(path);
    QFile f(path);
    if (!f.open(QIODevice::WriteOnly | QIODevice::Append))
        return option + u": cannot write "_s + path + u": "_s + f.errorString();
    f.close();
    if (!existed)
        f.remove();
    return {};
}

} // namespace

void printError(const QString &message)
{
    QString oneLine = message.trimmed();
    oneLine.replace(u'\n', u' ');
    const QString line = u"stampede: "_s + oneLine + u'\n';
    std::fputs(line.toLocal8Bit().constData(), stderr);
    std::fflush(stderr);
}

CliParseResult parseCommandLine(const QStringList &arguments, bool haveWindow)
{
    CliParseResult result;
    auto error = [&](const QString &message) {
        result.status = CliParseResult::Status::Error;
        result.output = message;
        return result;
    };

    QCommandLineParser parser;
    parser.setApplicationDescription(u"A desktop lab for high-concurrency system design.\n"
                                     "Without --headless it opens the window; presets: "_s
        + presetNames().join(u", "_s) + u'.');
    const QCommandLineOption helpOption = parser.addHelpOption();
    const QCommandLineOption versionOption = parser.addVersionOption();

    const QCommandLineOption headless(u"headless"_s, u"Run without a window, print a summary and exit."_s);
    const QCommandLineOption preset(u"preset"_s, u"Start from the preset NAME (see --list-presets)."_s, u"NAME"_s);
    const QCommandLineOption scenario(u"scenario"_s, u"Start from the scenario file FILE.json."_s, u"FILE"_s);
    const QCommandLineOption strategy(u"strategy"_s, u"Stock strategy: "_s + strategyList() + u'.', u"S"_s);
    const QCommandLineOption backend(u"backend"_s,
        u"Where the stock lives: embedded (the model) or postgres (real PostgreSQL tables; a private server "
        "is started unless --store-url names one)."_s,
        u"embedded|postgres"_s);
    const QCommandLineOption storeUrl(u"store-url"_s,
        u"With --backend postgres: the server to use, as postgresql://USER@HOST:PORT/DATABASE."_s, u"URL"_s);
    const QCommandLineOption nodes(u"nodes"_s, u"Number of app nodes at the start (1-64)."_s, u"N"_s);
    const QCommandLineOption rate(u"rate"_s, u"Arrivals per second (open loop), or \"max\" for closed loop."_s, u"R"_s);
    const QCommandLineOption stock(u"stock"_s, u"Initial stock per SKU."_s, u"K"_s);
    const QCommandLineOption readRatio(
        u"read-ratio"_s, u"Product-page views per purchase attempt (0-10000; 100 = a 100:1 read:write mix)."_s, u"R"_s);
    const QCommandLineOption consumers(
        u"consumers"_s, u"Order-queue consumers at the start (0-64; used by cache-queue)."_s, u"N"_s);
    const QCommandLineOption fanoutMode(
        u"fanout-mode"_s, u"Fan-out runs: how posts reach followers, push, pull or hybrid."_s, u"M"_s);
    const QCommandLineOption fanoutThreshold(u"fanout-threshold"_s,
        u"Fan-out runs: hybrid pulls the authors with more followers than N, pushes the rest."_s, u"N"_s);
    const QCommandLineOption coordination(u"coordination"_s,
        u"What app nodes coordinate through: none, hot-row, serial or exchange (see nodes.serial_ms, "
        "nodes.exchange_ms)."_s,
        u"C"_s);
    const QCommandLineOption sweep(u"sweep"_s,
        u"Headless: run the scenario once per value, e.g. nodes=1,2,4,8; repeat it to vary settings "
        "together (nodes=1,2 and cores=8,4: point i takes the i-th value of each). Settings: "_s
            + sweepKeys().join(u", "_s) + u'.',
        u"KEY=V1,V2,..."_s);
    const QCommandLineOption sweepSeconds(
        u"sweep-seconds"_s, u"Headless sweep: seconds measured at each point (default 5)."_s, u"S"_s);
    const QCommandLineOption sweepWarmup(
        u"sweep-warmup"_s, u"Headless sweep: seconds run before measuring each point (default 1)."_s, u"S"_s);
    const QCommandLineOption noSweep(
        u"no-sweep"_s, u"Headless: run a scenario that has a sweep once, as the window does (its timeline)."_s);
    const QCommandLineOption duration(u"duration"_s, u"Run length in seconds."_s, u"SECONDS"_s);
    const QCommandLineOption seed(u"seed"_s, u"Random seed (non-negative integer)."_s, u"N"_s);
    const QCommandLineOption threads(u"threads"_s, u"Engine threads; 0 = one per core."_s, u"N"_s);
    const QCommandLineOption lesson(u"lesson"_s,
        u"Run the guided lesson NAME (see --list-lessons) or FILE.json: headless, its steps one after another, "
        "then which checks were met (exit 3 when one was not); in the window, step by step with PageDown."_s,
        u"NAME"_s);
    const QCommandLineOption listLessons(u"list-lessons"_s, u"List the lessons and exit."_s);
    const QCommandLineOption compare(u"compare"_s,
        u"Run two engines under the same seed and traffic, one setting apart: KEY=A,B with KEY a scenario key "
        "(strategy, nodes.count, cache.placement, …, or a short name: "_s
            + compareAliasNames() + u"). Headless: the report holds both."_s,
        u"KEY=A,B"_s);
    const QCommandLineOption handout(u"handout"_s,
        u"Headless, with --lesson: write a PDF handout, each step's text and its charts when its checks were met."_s,
        u"FILE.pdf"_s);
    const QCommandLineOption report(u"report"_s, u"Write the JSON report to FILE."_s, u"FILE.json"_s);
    const QCommandLineOption csv(u"csv"_s, u"Write the per-tick timeline to FILE."_s, u"FILE.csv"_s);
    const QCommandLineOption listPresets(u"list-presets"_s, u"List the presets and exit."_s);
    const QCommandLineOption screenshot(
        u"screenshot"_s, u"Window only: save a PNG of the window and exit."_s, u"FILE.png"_s);
    const QCommandLineOption after(u"after"_s, u"Window only: take the screenshot after SECONDS."_s, u"SECONDS"_s);
    const QCommandLineOption projector(
        u"projector"_s, u"Window only: projector mode (large type, high contrast), also in screenshots."_s);
    const QCommandLineOption theme(u"theme"_s, u"Window only: light or dark."_s, u"light|dark"_s);
    const QCommandLineOption size(
        u"size"_s, u"Window only: the window's size in pixels, also of --screenshot (e.g. 1366x768)."_s, u"WxH"_s);
    parser.addOptions(
        { headless, preset, scenario, strategy, backend, storeUrl, nodes, rate, stock, readRatio, consumers, fanoutMode,
            fanoutThreshold, coordination, sweep, sweepSeconds, sweepWarmup, noSweep, duration, seed, threads, lesson,
            listLessons, compare, handout, report, csv, listPresets, screenshot, after, projector, theme, size });

    if (!parser.parse(arguments))
        return error(parserError(parser));

    if (parser.isSet(helpOption) || parser.isSet(u"help-all"_s)) {
        QString help = parser.helpText();
        // Without an application object Qt prints a placeholder for the program name.
        const qsizetype eol = help.indexOf(u'\n');
        help.replace(0, eol, u"Usage: stampede [options]"_s);
        result.status = CliParseResult::Status::Exit;
        result.output = help;
        return result;
    }
    if (parser.isSet(versionOption)) {
        result.status = CliParseResult::Status::Exit;
        result.output = QCoreApplication::applicationName() + u' ' + QCoreApplication::applicationVersion() + u'\n';
        return result;
    }
    if (!parser.positionalArguments().isEmpty())
        return error(quoted(parser.positionalArguments().first())
            + u": unexpected argument (options start with --, see --help)"_s);

    CliOptions &o = result.options;
    o.headless = parser.isSet(headless);
    o.listPresets = parser.isSet(listPresets);
    o.listLessons = parser.isSet(listLessons);

    if (parser.isSet(preset) && parser.isSet(scenario))
        return error(u"--preset: cannot be combined with --scenario; choose one"_s);
    if (parser.isSet(preset)) {
        o.preset = parser.value(preset);
        if (o.preset.isEmpty())
            return error(u"--preset: needs a preset name (see --list-presets)"_s);
    }
    if (parser.isSet(scenario)) {
        o.scenarioFile = parser.value(scenario);
        if (o.scenarioFile.isEmpty())
            return error(u"--scenario: needs a file name"_s);
    }

    if (parser.isSet(strategy)) {
        const QString v = parser.value(strategy);
        o.strategy = stampede::parseStrategy(v.toStdString());
        if (!o.strategy)
            return error(u"--strategy: must be one of "_s + strategyList() + u", got "_s + quoted(v));
    }
    if (parser.isSet(backend)) {
        const QString v = parser.value(backend);
        if (v == u"redis"_s)
            return error(u"--backend: redis is not built yet; use embedded or postgres"_s);
        o.backend = stampede::parseStoreBackend(v.toStdString());
        if (!o.backend)
            return error(u"--backend: must be embedded or postgres, got "_s + quoted(v));
    }
    if (parser.isSet(storeUrl)) {
        o.storeUrl = parser.value(storeUrl);
        if (!o.storeUrl.startsWith(u"postgresql://"_s) && !o.storeUrl.startsWith(u"postgres://"_s))
            return error(u"--store-url: must start with postgresql://, got "_s + quoted(o.storeUrl));
        if (o.backend != stampede::StoreBackend::Postgres)
            return error(u"--store-url: needs --backend postgres"_s);
    }
    if (parser.isSet(nodes)) {
        const QString v = parser.value(nodes);
        const auto n = parseInteger(v);
        if (!n || !limits::inRange(Limit::NodeCount, double(*n)))
            return error(outOfRange(u"--nodes"_s, Limit::NodeCount, u"an integer"_s, v));
        o.nodes = int(*n);
    }
    if (parser.isSet(rate)) {
        const QString v = parser.value(rate);
        if (v == u"max"_s) {
            o.rateMax = true;
        } else {
            const auto r = parseNumber(v);
            if (!r || !limits::inRange(Limit::RatePerS, *r))
                return error(outOfRange(u"--rate"_s, Limit::RatePerS, u"a number"_s, v, u" or \"max\""_s));
            o.rate = *r;
        }
    }
    if (parser.isSet(stock)) {
        const QString v = parser.value(stock);
        const auto k = parseInteger(v);
        if (!k || !limits::inRange(Limit::Stock, double(*k)))
            return error(outOfRange(u"--stock"_s, Limit::Stock, u"an integer"_s, v));
        o.stock = *k;
    }
    if (parser.isSet(readRatio)) {
        const QString v = parser.value(readRatio);
        const auto r = parseNumber(v);
        if (!r || !limits::inRange(Limit::ReadRatio, *r))
            return error(outOfRange(u"--read-ratio"_s, Limit::ReadRatio, u"a number of views per purchase"_s, v));
        o.readRatio = *r;
    }
    if (parser.isSet(consumers)) {
        const QString v = parser.value(consumers);
        const auto n = parseInteger(v);
        if (!n || !limits::inRange(Limit::Consumers, double(*n)))
            return error(outOfRange(u"--consumers"_s, Limit::Consumers, u"an integer"_s, v));
        o.consumers = int(*n);
    }
    if (parser.isSet(fanoutMode)) {
        const QString v = parser.value(fanoutMode);
        o.fanoutMode = stampede::parseFanoutMode(v.toStdString());
        if (!o.fanoutMode)
            return error(u"--fanout-mode: must be push, pull or hybrid, got "_s + quoted(v));
    }
    if (parser.isSet(fanoutThreshold)) {
        const QString v = parser.value(fanoutThreshold);
        const auto n = parseInteger(v);
        if (!n || !limits::inRange(Limit::FanoutThreshold, double(*n)))
            return error(outOfRange(u"--fanout-threshold"_s, Limit::FanoutThreshold, u"a number of followers"_s, v));
        o.fanoutThreshold = *n;
    }
    if (parser.isSet(coordination)) {
        const QString v = parser.value(coordination);
        o.coordination = stampede::parseCoordination(v.toStdString());
        if (!o.coordination)
            return error(u"--coordination: must be none, hot-row, serial or exchange, got "_s + quoted(v));
    }
    for (const QString &v : parser.values(sweep)) {
        const qsizetype eq = v.indexOf(u'=');
        const QString key = eq > 0 ? v.left(eq).trimmed() : QString();
        if (key.isEmpty() || !sweepKeys().contains(key))
            return error(u"--sweep: must be KEY=V1,V2,... with KEY one of "_s + sweepKeys().join(u", "_s) + u", got "_s
                + quoted(v));
        SweepAxis axis { key, {} };
        for (const QString &part : v.mid(eq + 1).split(u','))
            if (const auto x = parseNumber(part.trimmed()))
                axis.values.push_back(*x);
            else
                return error(u"--sweep: "_s + key + u": "_s + quoted(part) + u" is not a number"_s);
        o.sweep.push_back(std::move(axis));
    }
    for (const auto &[opt, out] :
        { std::pair { &sweepSeconds, &o.sweepSeconds }, std::pair { &sweepWarmup, &o.sweepWarmupS } })
        if (parser.isSet(*opt)) {
            const QString v = parser.value(*opt);
            const auto d = parseNumber(v);
            if (!d)
                return error(u"--"_s + opt->names().first() + u": must be a number of seconds, got "_s + quoted(v));
            *out = *d;
        }
    o.noSweep = parser.isSet(noSweep);
    if (o.noSweep && (!o.sweep.empty() || o.sweepSeconds || o.sweepWarmupS))
        return error(u"--no-sweep: cannot be combined with --sweep, --sweep-seconds or --sweep-warmup"_s);
    if (o.noSweep && !o.headless)
        return error(u"--no-sweep: only for --headless (the window always runs the timeline)"_s);
    if ((!o.sweep.empty() || o.sweepSeconds || o.sweepWarmupS) && !o.headless && !o.listPresets)
        return error(u"--"_s
            + (o.sweep.empty() ? (o.sweepSeconds ? u"sweep-seconds"_s : u"sweep-warmup"_s) : u"sweep"_s)
            + u": runs headless for now (the window has no Scaling page yet); add --headless"_s);
    if (parser.isSet(duration)) {
        const QString v = parser.value(duration);
        const auto d = parseNumber(v);
        if (!d || !limits::inRange(Limit::DurationS, *d))
            return error(outOfRange(u"--duration"_s, Limit::DurationS, u"a number of seconds"_s, v));
        o.durationS = *d;
    }
    if (parser.isSet(seed)) {
        const QString v = parser.value(seed);
        const auto n = parseInteger(v);
        if (!n || *n < 0)
            return error(u"--seed: must be a non-negative integer below 2^63, got "_s + quoted(v));
        o.seed = std::uint64_t(*n);
    }
    if (parser.isSet(threads)) {
        const QString v = parser.value(threads);
        const auto n = parseInteger(v);
        if (!n || !limits::inRange(Limit::Threads, double(*n)))
            return error(outOfRange(u"--threads"_s, Limit::Threads, u"an integer"_s, v, u" (0 = one per core)"_s));
        o.threads = int(*n);
    }
    if (parser.isSet(lesson)) {
        o.lesson = parser.value(lesson);
        if (o.lesson.isEmpty())
            return error(u"--lesson: needs a lesson name (see --list-lessons) or a file"_s);
        // A lesson brings its own scenario: an override would change what its checks look for.
        for (const QCommandLineOption *opt : { &preset, &scenario, &strategy, &backend, &storeUrl, &nodes, &rate,
                 &stock, &readRatio, &consumers, &fanoutMode, &fanoutThreshold, &coordination, &sweep, &sweepSeconds,
                 &sweepWarmup, &noSweep, &duration, &compare })
            if (parser.isSet(*opt))
                return error(u"--lesson: cannot be combined with --"_s + opt->names().first()
                    + u" (a lesson sets its own scenario and timeline)"_s);
    }
    if (parser.isSet(compare)) {
        QString problem;
        o.compare = parseCompare(parser.value(compare), &problem);
        if (!o.compare)
            return error(u"--compare: "_s + problem);
        if (!o.sweep.empty())
            return error(u"--compare: cannot be combined with --sweep; compare two runs or sweep one"_s);
    }
    if (parser.isSet(handout)) {
        o.handoutFile = parser.value(handout);
        if (o.handoutFile.isEmpty())
            return error(u"--handout: needs a file name"_s);
        if (o.lesson.isEmpty())
            return error(u"--handout: needs --lesson (a handout is a lesson's steps and pictures)"_s);
        if (!o.headless)
            return error(u"--handout: only for --headless; in the window use File > Export lesson handout"_s);
        if (!o.handoutFile.endsWith(u".pdf"_s, Qt::CaseInsensitive))
            return error(u"--handout: must name a .pdf file, got \""_s + o.handoutFile + u'"');
        if (!haveWindow)
            return error(u"--handout: this build has no window to draw the charts (configured with "
                         "STAMPEDE_BUILD_UI=OFF)"_s);
    }
    o.reportFile = parser.value(report);
    if (parser.isSet(report) && o.reportFile.isEmpty())
        return error(u"--report: needs a file name"_s);
    o.csvFile = parser.value(csv);
    if (parser.isSet(csv) && o.csvFile.isEmpty())
        return error(u"--csv: needs a file name"_s);

    if (parser.isSet(screenshot)) {
        o.screenshotFile = parser.value(screenshot);
        if (o.headless)
            return error(u"--screenshot: needs the window; leave out --headless"_s);
        if (!haveWindow)
            return error(u"--screenshot: this build has no window (configured with STAMPEDE_BUILD_UI=OFF)"_s);
        if (o.screenshotFile.isEmpty())
            return error(u"--screenshot: needs a file name"_s);
    }
    if (parser.isSet(after)) {
        const QString v = parser.value(after);
        if (!parser.isSet(screenshot))
            return error(u"--after: only used together with --screenshot"_s);
        const auto a = parseNumber(v);
        if (!a || *a < 0 || *a > kMaxDurationS)
            return error(u"--after: must be a number of seconds "_s
                + QString::fromStdString(limits::describe(0, kMaxDurationS, false)).mid(8) + u", got "_s + quoted(v));
        o.afterS = *a;
    }
    // the window's look and size: refused up front where no window will open
    for (const QCommandLineOption *opt : { &projector, &theme, &size })
        if (parser.isSet(*opt) && (o.headless || o.listPresets || !haveWindow))
            return error(u"--"_s + opt->names().first()
                + (haveWindow ? u": only for the window; leave out --headless and --list-presets"_s
                              : u": this build has no window (configured with STAMPEDE_BUILD_UI=OFF)"_s));
    o.projector = parser.isSet(projector);
    if (parser.isSet(theme)) {
        const QString v = parser.value(theme);
        if (v != u"light"_s && v != u"dark"_s)
            return error(u"--theme: must be light or dark, got "_s + quoted(v));
        o.dark = v == u"dark"_s;
    }
    if (parser.isSet(size)) {
        const QString v = parser.value(size);
        const QStringList parts = v.toLower().split(u'x');
        const auto w = parts.size() == 2 ? parseInteger(parts[0]) : std::nullopt;
        const auto h = parts.size() == 2 ? parseInteger(parts[1]) : std::nullopt;
        if (!w || !h || *w < kMinWindowWidth || *w > kMaxWindowWidth || *h < kMinWindowHeight || *h > kMaxWindowHeight)
            return error(u"--size: must be WIDTHxHEIGHT in pixels, from "_s + QString::number(kMinWindowWidth) + u'x'
                + QString::number(kMinWindowHeight) + u" to "_s + QString::number(kMaxWindowWidth) + u'x'
                + QString::number(kMaxWindowHeight) + u", got "_s + quoted(v));
        o.size = QSize(int(*w), int(*h));
    }
    return result;
}

std::optional<Scenario> resolveScenario(const CliOptions &o, QString *error)
{
    std::optional<Scenario> s;
    QString source;
    if (!o.scenarioFile.isEmpty()) {
        source = u"--scenario "_s + o.scenarioFile;
        s = loadScenarioFile(o.scenarioFile, error);
        if (!s)
            *error = u"--scenario: "_s + *error;
    } else {
        const QString name = o.preset.isEmpty() ? defaultPresetName() : o.preset;
        source = u"preset "_s + name;
        s = loadPreset(name, error);
        if (!s)
            *error = u"--preset: "_s + *error;
    }
    if (!s)
        return std::nullopt;

    // An option for the other workload would be silently ignored: refuse it instead.
    const bool fanout = s->config.workload == stampede::WorkloadKind::Fanout;
    const std::pair<const char *, bool> foreign[] { { "--strategy", fanout && o.strategy },
        { "--nodes", fanout && o.nodes }, { "--stock", fanout && o.stock }, { "--read-ratio", fanout && o.readRatio },
        { "--consumers", fanout && o.consumers }, { "--fanout-mode", !fanout && o.fanoutMode },
        { "--fanout-threshold", !fanout && o.fanoutThreshold }, { "--coordination", fanout && o.coordination },
        { "--sweep", fanout && !o.sweep.empty() } };
    for (const auto &[option, set] : foreign)
        if (set) {
            *error = QString::fromLatin1(option) + u": "_s
                + (fanout ? u"a flash-sale option, and "_s + source + u" is a fan-out run"_s
                          : u"a fan-out option, and "_s + source + u" is a flash sale"_s);
            return std::nullopt;
        }
    if ((o.sweepSeconds || o.sweepWarmupS) && o.sweep.empty() && !s->sweep) {
        *error = (o.sweepSeconds ? u"--sweep-seconds"_s : u"--sweep-warmup"_s) + u": "_s + source
            + u" has no sweep; give one with --sweep KEY=V1,V2,..."_s;
        return std::nullopt;
    }
    applyOverrides(o, &*s);
    if (o.noSweep)
        s->sweep.reset();
    if (s->sweep && o.durationS) {
        *error = u"--duration: "_s + source
            + u" runs a sweep, each point for its warm-up and measured seconds (--sweep-warmup, "
              "--sweep-seconds); leave --duration out, or add --no-sweep to run its timeline"_s;
        return std::nullopt;
    }
    if (s->sweep)
        if (const QString p = checkSweep(*s->sweep); !p.isEmpty()) {
            if (p.startsWith(u"seconds:"_s) && o.sweepSeconds)
                *error = u"--sweep-seconds"_s + p.mid(7);
            else if (p.startsWith(u"warmup_s:"_s) && o.sweepWarmupS)
                *error = u"--sweep-warmup"_s + p.mid(8);
            else if (!o.sweep.empty())
                *error = u"--sweep: "_s + p;
            else
                *error = source + u": sweep."_s + p;
            return std::nullopt;
        }
    const QString problem = checkScenario(*s);
    if (!problem.isEmpty()) {
        const qsizetype sep = problem.indexOf(u": "_s);
        const QString option = optionForField(o, problem.left(sep));
        *error = option.isEmpty() ? QString(source + u": "_s + problem) : QString(option + problem.mid(sep));
        return std::nullopt;
    }
    return s;
}

QString checkOutputs(const CliOptions &o)
{
    for (const auto &[option, path] : { std::pair { u"--report"_s, o.reportFile }, std::pair { u"--csv"_s, o.csvFile },
             std::pair { u"--screenshot"_s, o.screenshotFile }, std::pair { u"--handout"_s, o.handoutFile } }) {
        QString problem = checkWritable(option, path);
        if (!problem.isEmpty())
            return problem;
    }
    return {};
}
