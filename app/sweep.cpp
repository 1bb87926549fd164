#include "sweep.h"

#include <QJsonArray>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <set>
#include <thread>

using namespace Qt::StringLiterals;
using stampede::limits::Limit;

namespace {

struct SweepKeyInfo {
    QString key;
    Limit limit;
    bool integer;
    bool scale; // a number of units: the fit's N
};

const std::vector<SweepKeyInfo> &keyInfo()
{
    static const std::vector<SweepKeyInfo> k {
        { u"nodes"_s, Limit::NodeCount, true, true },
        { u"cores"_s, Limit::NodeCapacity, true, true },
        { u"clients"_s, Limit::Clients, true, true },
        { u"speed"_s, Limit::NodeSpeed, false, false },
        { u"rate"_s, Limit::RatePerS, false, false },
        { u"serial_ms"_s, Limit::SerialMs, false, false },
        { u"exchange_ms"_s, Limit::ExchangeMs, false, false },
    };
    return k;
}

const SweepKeyInfo *findKey(const QString &key)
{
    for (const auto &k : keyInfo())
        if (k.key == key)
            return &k;
    return nullptr;
}

constexpr std::size_t kMaxSweepPoints = 64;
constexpr double kMaxSweepSeconds = 600;

QString num(double v, int decimals = 1)
{
    if (std::isinf(v))
        return u"inf"_s;
    if (std::trunc(v) == v && std::abs(v) < 1e15)
        return QString::number(static_cast<qint64>(v));
    return QString::number(v, 'f', decimals);
}

double median(std::vector<double> v)
{
    if (v.empty())
        return 0;
    std::sort(v.begin(), v.end());
    return v[v.size() / 2];
}

// JSON has no infinity: a curve that never turns down has no N_max (null).
QJsonValue finiteOrNull(double v) { return std::isfinite(v) ? QJsonValue(v) : QJsonValue(); }

} // namespace

const QStringList &sweepKeys()
{
    static const QStringList keys = [] {
        QStringList l;
        for (const auto &k : keyInfo())
            l << k.key;
        return l;
    }();
    return keys;
}

void applySweepValue(stampede::EngineConfig *c, const QString &key, double v)
{
    if (key == u"nodes"_s)
        c->nodes.count = static_cast<int>(v);
    else if (key == u"cores"_s)
        c->nodes.capacity = static_cast<int>(v);
    else if (key == u"clients"_s)
        c->traffic.clients = static_cast<int>(v);
    else if (key == u"speed"_s)
        c->nodes.speed = v;
    else if (key == u"rate"_s)
        c->traffic.ratePerS = v;
    else if (key == u"serial_ms"_s)
        c->nodes.serialMs = v;
    else if (key == u"exchange_ms"_s)
        c->nodes.exchangeMs = v;
}

QString checkSweep(const SweepSpec &sw)
{
    if (!(sw.seconds > 0) || sw.seconds > kMaxSweepSeconds)
        return u"seconds: must be greater than 0 and at most "_s + num(kMaxSweepSeconds) + u" s, got "_s
            + num(sw.seconds, 3);
    if (!(sw.warmupS >= 0) || sw.warmupS > kMaxSweepSeconds)
        return u"warmup_s: must be between 0 and "_s + num(kMaxSweepSeconds) + u" s, got "_s + num(sw.warmupS, 3);
    if (sw.axes.empty())
        return u"no setting to sweep; give one of "_s + sweepKeys().join(u", "_s);
    std::set<QString> seen;
    for (const SweepAxis &a : sw.axes) {
        const SweepKeyInfo *k = findKey(a.key);
        if (!k)
            return a.key + u": not a setting a sweep can vary (known: "_s + sweepKeys().join(u", "_s) + u')';
        if (!seen.insert(a.key).second)
            return a.key + u": swept twice"_s;
        if (a.values.size() < 2 || a.values.size() > kMaxSweepPoints)
            return a.key + u": needs 2 to "_s + QString::number(kMaxSweepPoints) + u" values, got "_s
                + QString::number(a.values.size());
        if (a.values.size() != sw.axes.front().values.size())
            return a.key + u": has "_s + QString::number(a.values.size()) + u" values and "_s + sw.axes.front().key
                + u" has "_s + QString::number(sw.axes.front().values.size()) + u"; swept settings go together, "_s
                + u"one value each per point"_s;
        for (std::size_t i = 0; i < a.values.size(); ++i) {
            const double v = a.values[i];
            const QString at = a.key + u'[' + QString::number(i) + u']';
            if (k->integer && std::trunc(v) != v)
                return at + u": must be a whole number, got "_s + num(v, 3);
            if (const auto p = stampede::limits::check(k->limit, v); !p.empty())
                return at + u": "_s + QString::fromStdString(p);
        }
    }
    return {};
}

std::optional<Scenario> sweepPointScenario(const Scenario &base, const SweepSpec &spec, std::size_t i, QString *error)
{
    Scenario s = base;
    s.sweep.reset();
    for (const SweepAxis &a : spec.axes)
        applySweepValue(&s.config, a.key, a.values[i]);
    if (spec.maxLoad)
        s.config.traffic.mode = stampede::TrafficMode::Closed;
    s.durationS = spec.warmupS + spec.seconds;
    std::erase_if(s.events, [&](const stampede::TimedEvent &e) { return e.atS > s.durationS; });
    if (const QString problem = checkScenario(s); !problem.isEmpty()) {
        SweepPoint p;
        for (const SweepAxis &a : spec.axes)
            p.values.push_back(a.values[i]);
        *error = u"sweep point "_s + QString::number(i + 1) + u" ("_s + pointLabel(spec, p) + u"): "_s + problem;
        return std::nullopt;
    }
    return s;
}

stampede::RunResult runSweepPoint(const Scenario &point, const std::function<bool(double)> &keepGoing, bool *completed)
{
    stampede::Engine engine(point.config);
    std::vector<stampede::TimedEvent> events = point.events;
    std::stable_sort(events.begin(), events.end(),
        [](const stampede::TimedEvent &a, const stampede::TimedEvent &b) { return a.atS < b.atS; });
    engine.setTimeline(std::move(events));
    engine.start();
    // This thread only waits and looks: the run time comes from the snapshots (one per tick).
    *completed = false;
    for (;;) {
        const double t = engine.snapshot()->t;
        if (t >= point.durationS) {
            *completed = true;
            break;
        }
        if (keepGoing && !keepGoing(t))
            break;
        std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    return engine.stopAndDrain(*completed ? 10.0 : 1.0);
}

SweepPoint measurePoint(const SweepSpec &spec, const Scenario &point, const stampede::RunResult &result)
{
    SweepPoint p;
    const double from = spec.warmupS, to = spec.warmupS + spec.seconds;
    // A tick at t covers (t - 0.1, t]: it is in the window when its end is. Tick times are the
    // run's clock when the tick ran, a little after the grid (tens of µs): half a tick of slack
    // keeps the tick that ends at the window's start out and the one that ends at its end in.
    auto inWindow = [](const stampede::TickSample &x, double a, double b) {
        constexpr double kSlack = 0.05;
        return x.t > a + kSlack && x.t <= b + kSlack;
    };
    auto answered = [](const stampede::TickSample &x) { return x.succeeded + x.soldOut; };
    std::vector<double> p50, p99;
    double sumAnswered = 0, sumAttempts = 0, sumUtil = 0, sumCores = 0, sumNodes = 0;
    int n = 0;
    for (const auto &x : result.timeline) {
        if (!inWindow(x, from, to))
            continue;
        ++n;
        sumAnswered += answered(x);
        sumAttempts += x.attempts;
        if (answered(x) > 0) {
            p50.push_back(x.p50Ms);
            p99.push_back(x.p99Ms);
        }
        const auto app = x.app.value_or({});
        sumUtil += app.utilisation;
        if (n == 1)
            p.price = app.price; // what was bought: a node that dies later is paid for all the same
        sumCores += app.cores;
        sumNodes += app.nodesUp;
    }
    if (n > 0) {
        p.throughput = sumAnswered / n;
        p.utilisation = sumUtil / n;
        p.cores = sumCores / n;
        p.nodesUp = sumNodes / n;
        p.answeredShare = sumAttempts > 0 ? std::min(1.0, sumAnswered / sumAttempts) : 0;
    }
    p.p50Ms = median(p50);
    p.p99Ms = median(p99);
    for (const auto &e : point.events) {
        if (e.kind != stampede::EventKind::KillNode || e.atS < from || e.atS >= to)
            continue; // measured only when its window is (some of) the measured one
        SweepKill k;
        k.atS = e.atS;
        k.forS = e.forS > 0 ? std::min(e.forS, to - e.atS) : to - e.atS;
        double a = 0, t = 0, before = 0;
        int m = 0, mb = 0;
        for (const auto &x : result.timeline) {
            if (inWindow(x, k.atS, k.atS + k.forS)) {
                a += answered(x);
                t += x.attempts;
                ++m;
            } else if (inWindow(x, from, k.atS)) {
                before += answered(x);
                ++mb;
            }
        }
        // Answers to requests from before the kill can outnumber the window's own arrivals.
        k.answeredShare = t > 0 ? std::min(1.0, a / t) : 0;
        k.throughput = m ? a / m : 0;
        k.throughputBefore = mb ? before / mb : 0;
        p.kills.push_back(k);
    }
    p.audited = result.audit.invariantsOk;
    return p;
}

QString pointLabel(const SweepSpec &spec, const SweepPoint &p)
{
    QStringList parts;
    for (std::size_t a = 0; a < spec.axes.size() && a < p.values.size(); ++a)
        parts << spec.axes[a].key + u'=' + num(p.values[a], 3);
    return parts.join(u' ');
}

void fitSweep(SweepResult *r)
{
    r->fitAxis.clear();
    r->usl = {};
    r->amdahl = {};
    if (r->spec.axes.size() != 1) {
        r->fitNote = u"no fit: more than one setting varies (the fit needs one of nodes, cores, clients)"_s;
        return;
    }
    const SweepAxis &axis = r->spec.axes.front();
    const SweepKeyInfo *k = findKey(axis.key);
    if (!k || !k->scale) {
        r->fitNote = u"no fit: "_s + axis.key + u" is not a number of units (the fit needs nodes, cores or clients)"_s;
        return;
    }
    std::vector<stampede::scaling::Point> pts;
    for (const SweepPoint &p : r->points)
        pts.push_back({ p.values.front(), p.throughput });
    r->usl = stampede::scaling::fitUsl(pts);
    r->amdahl = stampede::scaling::fitAmdahl(pts);
    if (!r->usl.ok) {
        r->fitNote = QString::fromStdString(r->usl.error);
        return;
    }
    r->fitAxis = axis.key;
}

QJsonObject sweepReportJson(const SweepResult &r)
{
    QJsonObject o;
    QJsonArray keys;
    for (const SweepAxis &a : r.spec.axes)
        keys.append(a.key);
    o.insert(u"keys"_s, keys);
    o.insert(u"seconds"_s, r.spec.seconds);
    o.insert(u"warmup_s"_s, r.spec.warmupS);
    o.insert(u"interrupted"_s, r.interrupted);
    o.insert(u"load"_s, r.spec.maxLoad ? u"max"_s : u"scenario"_s);
    QJsonArray points;
    for (const SweepPoint &p : r.points) {
        QJsonObject po;
        QJsonObject settings;
        for (std::size_t a = 0; a < r.spec.axes.size(); ++a)
            settings.insert(r.spec.axes[a].key, p.values[a]);
        po.insert(u"settings"_s, settings);
        po.insert(u"throughput"_s, p.throughput);
        po.insert(u"latency_ms"_s, QJsonObject { { u"p50"_s, p.p50Ms }, { u"p99"_s, p.p99Ms } });
        po.insert(u"utilisation"_s, p.utilisation);
        po.insert(u"price"_s, p.price);
        po.insert(u"throughput_per_price"_s, p.price > 0 ? QJsonValue(p.throughput / p.price) : QJsonValue());
        po.insert(u"cores"_s, p.cores);
        po.insert(u"nodes_up"_s, p.nodesUp);
        po.insert(u"answered_share"_s, p.answeredShare);
        po.insert(u"invariants_ok"_s, p.audited);
        if (!p.kills.empty()) {
            QJsonArray kills;
            for (const SweepKill &k : p.kills)
                kills.append(QJsonObject { { u"at_s"_s, k.atS }, { u"for_s"_s, k.forS },
                    { u"answered_share"_s, k.answeredShare }, { u"throughput"_s, k.throughput },
                    { u"throughput_before"_s, k.throughputBefore },
                    { u"capacity_kept"_s,
                        k.throughputBefore > 0 ? QJsonValue(k.throughput / k.throughputBefore) : QJsonValue() } });
            po.insert(u"kills"_s, kills);
        }
        points.append(po);
    }
    o.insert(u"points"_s, points);
    if (!r.fitAxis.isEmpty()) {
        const auto &u = r.usl;
        o.insert(u"usl"_s,
            QJsonObject { { u"n"_s, r.fitAxis }, { u"lambda"_s, u.lambda }, { u"sigma"_s, u.sigma },
                { u"kappa"_s, u.kappa }, { u"r2"_s, u.r2 }, { u"n_max"_s, finiteOrNull(u.nMax) },
                { u"peak_throughput"_s, finiteOrNull(u.peakX) } });
        const auto &a = r.amdahl;
        if (a.ok)
            o.insert(
                u"amdahl"_s, QJsonObject { { u"lambda"_s, a.lambda }, { u"sigma"_s, a.sigma }, { u"r2"_s, a.r2 } });
    } else {
        o.insert(u"fit"_s, r.fitNote);
    }
    return o;
}

QByteArray sweepCsv(const SweepResult &r)
{
    QStringList header;
    for (const SweepAxis &a : r.spec.axes)
        header << a.key;
    header << u"throughput_per_s"_s << u"p50_ms"_s << u"p99_ms"_s << u"utilisation"_s << u"price"_s
           << u"throughput_per_price"_s << u"cores"_s << u"nodes_up"_s << u"answered_share"_s
           << u"kill_answered_share"_s << u"usl_fit_per_s"_s;
    QString out = header.join(u',') + u'\n';
    for (const SweepPoint &p : r.points) {
        QStringList row;
        for (double v : p.values)
            row << QString::number(v, 'g', 10);
        row << QString::number(p.throughput, 'f', 2) << QString::number(p.p50Ms, 'f', 3)
            << QString::number(p.p99Ms, 'f', 3) << QString::number(p.utilisation, 'f', 4)
            << QString::number(p.price, 'f', 3)
            << (p.price > 0 ? QString::number(p.throughput / p.price, 'f', 3) : QString())
            << QString::number(p.cores, 'f', 2) << QString::number(p.nodesUp, 'f', 2)
            << QString::number(p.answeredShare, 'f', 4)
            << (p.kills.empty() ? QString() : QString::number(p.kills.front().answeredShare, 'f', 4))
            << (r.fitAxis.isEmpty()
                       ? QString()
                       : QString::number(
                           stampede::scaling::usl(r.usl.lambda, r.usl.sigma, r.usl.kappa, p.values.front()), 'f', 2));
        out += row.join(u',') + u'\n';
    }
    return out.toUtf8();
}

QString sweepTable(const SweepResult &r)
{
    QStringList lines;
    QStringList head;
    for (const SweepAxis &a : r.spec.axes)
        head << a.key.rightJustified(8);
    head << u"   req/s"_s << u" p50 ms"_s << u" p99 ms"_s << u"  util"_s << u"  price"_s << u" req/s/price"_s;
    const bool kills
        = std::any_of(r.points.begin(), r.points.end(), [](const SweepPoint &p) { return !p.kills.empty(); });
    if (kills)
        head << u"  answered during kill"_s;
    lines << head.join(u' ');
    for (const SweepPoint &p : r.points) {
        QStringList row;
        for (double v : p.values)
            row << num(v, 2).rightJustified(8);
        row << QString::number(p.throughput, 'f', 1).rightJustified(8)
            << QString::number(p.p50Ms, 'f', 2).rightJustified(7) << QString::number(p.p99Ms, 'f', 2).rightJustified(7)
            << QString(QString::number(p.utilisation * 100, 'f', 0) + u'%').rightJustified(6)
            << QString::number(p.price, 'f', 2).rightJustified(7)
            << (p.price > 0 ? QString::number(p.throughput / p.price, 'f', 1) : u"-"_s).rightJustified(12);
        if (kills)
            row << (p.kills.empty() ? u"-"_s
                                    : QString(QString::number(p.kills.front().answeredShare * 100, 'f', 1) + u'%'))
                       .rightJustified(22);
        lines << row.join(u' ');
    }
    if (!r.fitAxis.isEmpty()) {
        const auto &u = r.usl;
        lines << u"USL fit over "_s + r.fitAxis + u": X(N) = "_s + QString::number(u.lambda, 'f', 1)
                + u"·N / (1 + σ(N−1) + κN(N−1)),  σ = "_s + QString::number(u.sigma, 'f', 4) + u",  κ = "_s
                + QString::number(u.kappa, 'f', 5) + u",  R² = "_s + QString::number(u.r2, 'f', 4);
        lines << (std::isfinite(u.nMax)
                ? u"  N_max = √((1−σ)/κ) = "_s + QString::number(u.nMax, 'f', 1) + u": the most "_s + r.fitAxis
                    + u" worth having, at "_s + QString::number(u.peakX, 'f', 1) + u" req/s"_s
                : u"  N_max: none (κ = 0: the curve never turns down)"_s);
        if (r.amdahl.ok)
            lines << u"Amdahl fit: σ = "_s + QString::number(r.amdahl.sigma, 'f', 4) + u",  R² = "_s
                    + QString::number(r.amdahl.r2, 'f', 4)
                    + (r.amdahl.sigma > 0
                            ? u",  ceiling "_s + QString::number(r.amdahl.lambda / r.amdahl.sigma, 'f', 1) + u" req/s"_s
                            : QString());
    } else if (!r.fitNote.isEmpty()) {
        lines << r.fitNote;
    }
    if (r.interrupted)
        lines << u"(interrupted: the points measured so far)"_s;
    return lines.join(u'\n') + u'\n';
}
