#include "summary.h"

#include "monkey.h"

#include <QJsonArray>

#include <cmath>

using namespace Qt::StringLiterals;

namespace stampede::soak {

namespace {

QString mb(double v) { return QString::number(v, 'f', 1); }

QString signedMb(double v) { return (v >= 0 ? u"+"_s : QString()) + QString::number(v, 'f', 1); }

} // namespace

Verdict makeVerdict(const Monkey &monkey, const Options &options, const QtMessages &messages)
{
    const RssTrack::Verdict raw = monkey.rss().verdict(monkey.elapsedS()); // every second: start, end, peak
    const RssTrack::Verdict rss = monkey.checkpoints().verdict(monkey.elapsedS()); // the same state each time
    Verdict v;
    v.ok = monkey.violationCount() == 0 && rss.flat;

    QStringList kinds;
    QJsonObject byKind;
    for (const QString &k : actionKinds())
        if (const int n = monkey.byKind().value(k); n > 0) {
            kinds << k + u' ' + QString::number(n);
            byKind[k] = n;
        }
    const QString memory = u"RSS "_s + mb(raw.startMb) + u" → "_s + mb(raw.lastMb) + u" MB, peak "_s + mb(raw.peakMb)
        + u" (checkpoints after "_s + QString::number(rss.warmupS, 'f', 0) + u" s warm-up: "_s + mb(rss.warmMb)
        + u" → "_s + mb(rss.endMb) + u" MB, "_s + signedMb(rss.growthMb) + u" MB against a tolerance of "_s
        + mb(rss.toleranceMb) + u", slope "_s + signedMb(rss.slopeMbPer10Min) + u" MB/10 min"_s
        + (rss.judged ? QString() : u"; not judged: too short"_s) + u")"_s;
    QStringList failures;
    if (monkey.violationCount() > 0)
        failures << u"violations"_s;
    if (!rss.flat)
        failures << u"memory grew"_s;
    v.line = u"soak: "_s + QString::number(monkey.elapsedS(), 'f', 0) + u" s, seed "_s + QString::number(options.seed)
        + u", "_s + QString::number(monkey.actions()) + u" actions ("_s + kinds.join(u", "_s)
        + u"), crashes 0, violations "_s + QString::number(monkey.violationCount()) + u", unresponsive "_s
        + QString::number(monkey.unresponsive()) + u", slowest "_s
        + QString::number(double(monkey.slowestMs()) / 1000, 'f', 2) + u" s, Qt warnings "_s
        + QString::number(messages.warnings) + u", "_s + memory + u": "_s
        + (v.ok ? u"ok"_s : u"FAIL ("_s + failures.join(u", "_s) + u")"_s);

    QJsonObject r;
    r[u"ok"_s] = v.ok;
    r[u"seed"_s] = QString::number(options.seed); // a string: JSON numbers lose 64-bit integers
    r[u"duration_s"_s] = monkey.elapsedS();
    r[u"requested_duration_s"_s] = options.durationS;
    r[u"kinds"_s] = QJsonArray::fromStringList(options.only.isEmpty() ? actionKinds() : options.only);
    if (!options.match.isEmpty())
        r[u"match"_s] = options.match;
    r[u"actions"_s] = monkey.actions();
    r[u"actions_by_kind"_s] = byKind;
    r[u"crashes"_s] = 0;
    r[u"violation_count"_s] = monkey.violationCount();
    QJsonArray violations;
    for (const Violation &x : monkey.violations())
        violations.append(QJsonObject { { u"at_s"_s, x.atS }, { u"after"_s, x.action }, { u"what"_s, x.what } });
    r[u"violations"_s] = violations;
    r[u"unresponsive"_s] = monkey.unresponsive();
    r[u"answer_limit_ms"_s] = Monkey::kAnswerLimitMs;
    r[u"slowest_action_ms"_s] = double(monkey.slowestMs());
    r[u"slowest_action"_s] = monkey.slowestAction();
    r[u"dialogs_answered"_s] = monkey.dialogsAnswered();
    r[u"files_exported"_s] = monkey.filesExported();
    r[u"runs_seen"_s] = monkey.invariants().runs();
    r[u"safe_runs_checked"_s] = monkey.invariants().safeRuns();
    r[u"safe_snapshots_checked"_s] = double(monkey.invariants().safeTicksChecked());

    auto series = [](const RssTrack &track) {
        QJsonArray samples;
        for (const RssTrack::Sample &s : track.samples())
            samples.append(QJsonArray { std::round(s.t * 10) / 10, std::round(s.mb * 100) / 100 });
        return samples;
    };
    r[u"rss_mb"_s] = QJsonObject {
        { u"start"_s, raw.startMb }, { u"last"_s, raw.lastMb }, { u"peak"_s, raw.peakMb },
        { u"warmup_s"_s, rss.warmupS }, { u"warm"_s, rss.warmMb }, { u"end"_s, rss.endMb },
        { u"growth"_s, rss.growthMb }, { u"tolerance"_s, rss.toleranceMb },
        { u"slope_per_10_min"_s, rss.slopeMbPer10Min }, { u"judged"_s, rss.judged }, { u"flat"_s, rss.flat },
        { u"checkpoint_every_s"_s, monkey.checkpointEveryS() },
        { u"checkpoints"_s, series(monkey.checkpoints()) }, // [s, MB]: the verdict's
        { u"samples"_s, series(monkey.rss()) }, // [s, MB] once a second, whatever the state
    };
    QJsonArray counts;
    for (const Monkey::Count &c : monkey.widgetCounts())
        counts.append(QJsonArray { std::round(c.t * 10) / 10, c.widgets, c.objects });
    r[u"checkpoint_widgets"_s]
        = QJsonObject { { u"columns"_s, QJsonArray { u"t_s"_s, u"widgets"_s, u"objects"_s } }, { u"rows"_s, counts } };
    if (!monkey.widgetCounts().isEmpty() && monkey.widgetCounts().size() >= 2)
        r[u"widgets_growth"_s] = monkey.widgetCounts().constLast().widgets - monkey.widgetCounts().at(1).widgets;
    QJsonObject warnings;
    for (auto it = messages.byText.begin(); it != messages.byText.end(); ++it)
        warnings[it.key()] = it.value();
    r[u"qt_warnings"_s] = QJsonObject { { u"count"_s, messages.warnings }, { u"distinct"_s, warnings } };
    v.report = r;
    return v;
}

} // namespace stampede::soak
