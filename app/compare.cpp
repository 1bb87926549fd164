#include "compare.h"

#include "report.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>

#include <algorithm>
#include <utility>
#include <vector>

using namespace Qt::StringLiterals;

namespace {

const std::vector<std::pair<QString, QString>> &aliases()
{
    static const std::vector<std::pair<QString, QString>> list {
        { u"nodes"_s, u"nodes.count"_s },
        { u"cores"_s, u"nodes.capacity"_s },
        { u"speed"_s, u"nodes.speed"_s },
        { u"coordination"_s, u"nodes.coordination"_s },
        { u"rate"_s, u"traffic.rate_per_s"_s },
        { u"clients"_s, u"traffic.clients"_s },
        { u"read_ratio"_s, u"traffic.read_ratio"_s },
        { u"policy"_s, u"gateway.policy"_s },
        { u"placement"_s, u"cache.placement"_s },
        { u"single_flight"_s, u"cache.single_flight"_s },
        { u"ttl_jitter"_s, u"cache.ttl_jitter"_s },
        { u"consumers"_s, u"queue.consumers"_s },
        { u"idempotent"_s, u"queue.idempotent"_s },
        { u"when_full"_s, u"queue.when_full"_s },
        { u"mode"_s, u"fanout.mode"_s },
        { u"fanout_mode"_s, u"fanout.mode"_s },
        { u"threshold"_s, u"fanout.threshold"_s },
        { u"backend"_s, u"store.backend"_s },
    };
    return list;
}

QJsonValue literal(const QString &text)
{
    // A JSON literal when it is one ("2", "true", "null"), else the text as a string ("atomic").
    const QJsonDocument doc = QJsonDocument::fromJson(QByteArray("[") + text.toUtf8() + QByteArray("]"));
    if (doc.isArray() && doc.array().size() == 1 && !doc.array().at(0).isObject() && !doc.array().at(0).isArray())
        return doc.array().at(0);
    return text;
}

// Sets o[path] (dotted), creating the sections on the way.
void setAt(QJsonObject *o, const QStringList &parts, const QJsonValue &v)
{
    if (parts.size() == 1) {
        o->insert(parts.front(), v);
        return;
    }
    QJsonObject inner = o->value(parts.front()).toObject();
    setAt(&inner, parts.mid(1), v);
    o->insert(parts.front(), inner);
}

} // namespace

const QStringList &compareAliases()
{
    static const QStringList lines = [] {
        QStringList l;
        for (const auto &[alias, path] : aliases())
            l << alias + u'=' + path;
        return l;
    }();
    return lines;
}

std::optional<CompareSpec> parseCompare(const QString &text, QString *error)
{
    const qsizetype eq = text.indexOf(u'=');
    const QStringList values = eq > 0 ? text.mid(eq + 1).split(u',') : QStringList();
    if (eq <= 0 || values.size() != 2 || values[0].trimmed().isEmpty() || values[1].trimmed().isEmpty()) {
        *error = u"must be KEY=A,B (two values of one setting, e.g. strategy=naive,atomic), got \""_s + text + u'"';
        return std::nullopt;
    }
    CompareSpec spec;
    spec.key = text.left(eq).trimmed();
    spec.path = spec.key;
    for (const auto &[alias, path] : aliases())
        if (alias == spec.key)
            spec.path = path;
    spec.a = values[0].trimmed();
    spec.b = values[1].trimmed();
    if (spec.a == spec.b) {
        *error = spec.key + u": the two values are the same (\""_s + spec.a + u"\"); compare two different ones"_s;
        return std::nullopt;
    }
    if (spec.path == u"name"_s || spec.path == u"seed"_s || spec.path == u"events"_s || spec.path == u"sweep"_s
        || spec.path.startsWith(u"events."_s) || spec.path.startsWith(u"sweep."_s)) {
        *error = spec.key + u": not a setting to compare (the two sides share their name, seed and timeline)"_s;
        return std::nullopt;
    }
    return spec;
}

std::optional<Scenario> withSetting(const Scenario &base, const QString &path, const QString &value, QString *error)
{
    QJsonObject o = scenarioToJson(base);
    setAt(&o, path.split(u'.'), literal(value));
    QString problem;
    std::optional<Scenario> s = parseScenarioValue(o, u"compare"_s, {}, &problem);
    if (!s) {
        // "compare: nodes.count: must be …" -> "nodes.count: must be …"
        *error = problem.startsWith(u"compare: "_s) ? problem.mid(9) : problem;
        return std::nullopt;
    }
    s->notes = base.notes;
    return s;
}

QString compareTable(const Scenario (&sides)[2], const stampede::RunResult (&results)[2], const QString (&labels)[2])
{
    const QJsonObject a = reportJson(sides[0], results[0]);
    const QJsonObject b = reportJson(sides[1], results[1]);
    struct Row {
        QString label;
        QStringList path;
        int decimals;
    };
    const std::vector<Row> rows {
        { u"attempts"_s, { u"requests"_s, u"attempted"_s }, 0 },
        { u"succeeded"_s, { u"requests"_s, u"succeeded"_s }, 0 },
        { u"failed"_s, { u"requests"_s, u"failed"_s }, 0 },
        { u"throughput mean /s"_s, { u"throughput_per_s"_s, u"mean"_s }, 1 },
        { u"latency p50 ms"_s, { u"latency_ms"_s, u"p50"_s }, 2 },
        { u"latency p99 ms"_s, { u"latency_ms"_s, u"p99"_s }, 2 },
        { u"sold"_s, { u"stock"_s, u"sold"_s }, 0 },
        { u"oversold"_s, { u"consistency"_s, u"oversold"_s }, 0 },
        { u"lost orders"_s, { u"consistency"_s, u"lost_orders"_s }, 0 },
        { u"duplicate orders"_s, { u"consistency"_s, u"duplicate_orders"_s }, 0 },
        { u"stale reads"_s, { u"consistency"_s, u"stale_reads"_s }, 0 },
    };
    auto at = [](const QJsonObject &o, const QStringList &path) {
        QJsonValue v = o;
        for (const QString &k : path)
            v = v.toObject().value(k);
        return v;
    };
    auto text = [](const QJsonValue &v, int decimals) {
        if (v.isBool())
            return v.toBool() ? u"yes"_s : u"no"_s;
        return v.isDouble() ? QString::number(v.toDouble(), 'f', decimals) : u"-"_s;
    };
    const int width = 20;
    const int column = static_cast<int>(std::max<qsizetype>({ 14, labels[0].size() + 2, labels[1].size() + 2 }));
    QString out = QString().leftJustified(width) + QString(u"A "_s + labels[0]).rightJustified(column + 2)
        + QString(u"B "_s + labels[1]).rightJustified(column + 2) + u'\n';
    for (const Row &r : rows)
        out += QString(u"  "_s + r.label).leftJustified(width)
            + text(at(a, r.path), r.decimals).rightJustified(column + 2)
            + text(at(b, r.path), r.decimals).rightJustified(column + 2) + u'\n';
    out += (u"  invariants ok"_s).leftJustified(width) + text(a.value(u"invariants_ok"_s), 0).rightJustified(column + 2)
        + text(b.value(u"invariants_ok"_s), 0).rightJustified(column + 2) + u'\n';
    return out;
}
