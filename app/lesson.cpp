#include "lesson.h"

#include "jsonreader.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QRegularExpression>

#include <algorithm>
#include <cmath>
#include <functional>
#include <utility>

using namespace Qt::StringLiterals;
using stampede::TickSample;
using stampede::TimedEvent;

namespace {

constexpr double kMaxStepS = 120; // a step longer than this loses the room
constexpr int kMaxSteps = 50;
constexpr int kMaxChoices = 6;

QString item(const QString &path, qsizetype i) { return path + u'[' + QString::number(i) + u']'; }

using jsonread::child;
using jsonread::describe;
using LessonReader = jsonread::Reader;

struct Metric {
    QString name;
    std::function<std::optional<double>(const TickSample &)> value;
};

template<typename S, typename F> std::optional<double> from(const stampede::Section<S> &section, F get)
{
    return static_cast<double>(get(section.value_or(S {})));
}

const std::vector<Metric> &metrics()
{
    using stampede::AppTierSample;
    using stampede::CacheSample;
    using stampede::FanoutSample;
    using stampede::QueueSample;
    using stampede::StoreSample;
    auto core = [](double stampede::CoreSample::*field) {
        return [field](const TickSample &t) -> std::optional<double> { return t.*field; };
    };
    auto app = [](auto field) {
        return [field](const TickSample &t) { return from(t.app, [&](const AppTierSample &s) { return s.*field; }); };
    };
    auto store = [](auto field) {
        return [field](const TickSample &t) { return from(t.store, [&](const StoreSample &s) { return s.*field; }); };
    };
    auto cache = [](auto field) {
        return [field](const TickSample &t) { return from(t.cache, [&](const CacheSample &s) { return s.*field; }); };
    };
    auto queue = [](auto field) {
        return [field](const TickSample &t) { return from(t.queue, [&](const QueueSample &s) { return s.*field; }); };
    };
    auto fan = [](auto field) {
        return [field](const TickSample &t) { return from(t.fanout, [&](const FanoutSample &s) { return s.*field; }); };
    };
    using C = stampede::CoreSample;
    static const std::vector<Metric> list {
        { u"offered"_s, core(&C::offeredRate) },
        { u"attempts"_s, core(&C::attempts) },
        { u"throughput.ok"_s, core(&C::succeeded) },
        { u"throughput.sold_out"_s, core(&C::soldOut) },
        { u"throughput.rate_limited"_s, core(&C::rateLimited) },
        { u"throughput.failed"_s, core(&C::failed) },
        { u"failed.node_down"_s, core(&C::failedNodeDown) },
        { u"failed.timeout"_s, core(&C::failedTimeout) },
        { u"failed.overloaded"_s, core(&C::failedOverloaded) },
        { u"answered.ratio"_s,
            [](const TickSample &t) -> std::optional<double> {
                if (!(t.attempts > 0))
                    return std::nullopt;
                return std::min(1.0, (t.succeeded + t.soldOut) / t.attempts);
            } },
        { u"latency.p50"_s, core(&C::p50Ms) },
        { u"latency.p95"_s, core(&C::p95Ms) },
        { u"latency.p99"_s, core(&C::p99Ms) },
        { u"latency.max"_s, core(&C::maxMs) },
        { u"utilisation"_s, app(&AppTierSample::utilisation) },
        { u"in_flight"_s, app(&AppTierSample::inFlight) },
        { u"backlog"_s, app(&AppTierSample::backlog) },
        { u"nodes.up"_s, app(&AppTierSample::nodesUp) },
        { u"nodes.cores"_s, app(&AppTierSample::cores) },
        { u"nodes.price"_s, app(&AppTierSample::price) },
        { u"coordination.waiting"_s, app(&AppTierSample::coordWaiting) },
        { u"lock_wait.mean"_s, store(&StoreSample::lockWaitMeanMs) },
        { u"lock_wait.max"_s, store(&StoreSample::lockWaitMaxMs) },
        { u"lock_hold.mean"_s, store(&StoreSample::lockHoldMeanMs) },
        { u"stock.remaining"_s, store(&StoreSample::stockRemaining) },
        { u"sold"_s, store(&StoreSample::sold) },
        { u"confirmed"_s, store(&StoreSample::confirmed) },
        { u"oversold"_s, store(&StoreSample::oversold) },
        { u"lost_orders"_s, store(&StoreSample::lostOrders) },
        { u"false_sold_out"_s, store(&StoreSample::falseSoldOut) },
        { u"views"_s, cache(&CacheSample::views) },
        { u"cache.hits"_s, cache(&CacheSample::viewHits) },
        { u"cache.misses"_s, cache(&CacheSample::viewMisses) },
        { u"cache.hit_ratio"_s, cache(&CacheSample::hitRatio) },
        { u"cache.evictions"_s, cache(&CacheSample::evictions) },
        { u"store.reads"_s, cache(&CacheSample::storeReads) },
        { u"stale_reads"_s, cache(&CacheSample::staleReads) },
        { u"stale_reads.total"_s, cache(&CacheSample::staleReadsTotal) },
        { u"cache.stock"_s, cache(&CacheSample::cacheStock) },
        { u"divergence"_s, cache(&CacheSample::divergence) },
        { u"queue.enqueued"_s, queue(&QueueSample::enqueued) },
        { u"queue.dequeued"_s, queue(&QueueSample::dequeued) },
        { u"queue.backlog"_s, queue(&QueueSample::queueBacklog) },
        { u"queue.lag"_s, queue(&QueueSample::queueLagMs) },
        { u"consumers.up"_s, queue(&QueueSample::consumersUp) },
        { u"redelivered"_s, queue(&QueueSample::redeliveredTotal) },
        { u"duplicates"_s, queue(&QueueSample::duplicatesTotal) },
        { u"fanout.posts"_s, fan(&FanoutSample::posts) },
        { u"fanout.reads"_s, fan(&FanoutSample::reads) },
        { u"fanout.inbox_writes"_s, fan(&FanoutSample::inboxWrites) },
        { u"fanout.fetches_per_read"_s, fan(&FanoutSample::fetchesPerRead) },
        { u"fanout.stale_reads"_s, fan(&FanoutSample::staleReads) },
        { u"fanout.backlog"_s, fan(&FanoutSample::backlog) },
        { u"fanout.drain"_s, fan(&FanoutSample::drainRate) },
        { u"fanout.visible"_s, fan(&FanoutSample::visible) },
        { u"fanout.hot_shard"_s, fan(&FanoutSample::hotShardUtilisation) },
        { u"fanout.workers_up"_s, fan(&FanoutSample::workersUp) },
        { u"fanout.duplicates"_s, fan(&FanoutSample::duplicatesTotal) },
        { u"fanout.redelivered"_s, fan(&FanoutSample::redeliveredTotal) },
        { u"fanout.stale_reads.total"_s, fan(&FanoutSample::staleReadsTotal) },
        { u"fanout.entries"_s, fan(&FanoutSample::entries) },
    };
    return list;
}

const Metric *findMetric(const QString &name)
{
    const auto &list = metrics();
    const auto it = std::find_if(list.begin(), list.end(), [&](const Metric &m) { return m.name == name; });
    return it == list.end() ? nullptr : &*it;
}

bool holds(LessonCheck::Op op, double v, double x)
{
    switch (op) {
    case LessonCheck::Op::Greater:
        return v > x;
    case LessonCheck::Op::GreaterEqual:
        return v >= x;
    case LessonCheck::Op::Less:
        return v < x;
    case LessonCheck::Op::LessEqual:
        return v <= x;
    case LessonCheck::Op::Equal:
        return v == x;
    case LessonCheck::Op::NotEqual:
        return v != x;
    }
    return false;
}

bool readPrediction(LessonReader &r, const QJsonValue &v, const QString &path, LessonPrediction *p)
{
    QJsonObject o;
    if (!r.object(v, path, &o) || !r.knownKeys(o, path, { u"question"_s, u"choices"_s, u"answer"_s, u"explain"_s })
        || !r.text(o, u"question"_s, path, &p->question) || !r.text(o, u"explain"_s, path, &p->explanation))
        return false;
    const QString choicesPath = child(path, u"choices"_s);
    if (!o.contains(u"choices"_s))
        return r.fail(choicesPath, u"missing"_s);
    QJsonArray list;
    if (!r.array(o.value(u"choices"_s), choicesPath, &list))
        return false;
    if (list.size() < 2 || list.size() > kMaxChoices)
        return r.fail(choicesPath,
            u"needs 2 to "_s + QString::number(kMaxChoices) + u" choices, got "_s + QString::number(list.size()));
    for (qsizetype i = 0; i < list.size(); ++i) {
        if (!list[i].isString() || list[i].toString().trimmed().isEmpty())
            return r.fail(item(choicesPath, i), u"must be a non-empty string, got "_s + describe(list[i]));
        p->choices << list[i].toString().trimmed();
    }
    const QString answerPath = child(path, u"answer"_s);
    if (!o.contains(u"answer"_s))
        return r.fail(answerPath, u"missing"_s);
    const QJsonValue a = o.value(u"answer"_s);
    const double n = a.toDouble(-1);
    if (!a.isDouble() || n != std::floor(n) || n < 0 || n >= static_cast<double>(list.size()))
        return r.fail(answerPath,
            u"must be the index of a choice, 0 to "_s + QString::number(list.size() - 1) + u", got "_s + describe(a));
    p->answer = static_cast<int>(n);
    return true;
}

bool readStep(LessonReader &r, const QString &source, const QJsonValue &v, const QString &path, LessonStep *step)
{
    QJsonObject o;
    if (!r.object(v, path, &o)
        || !r.knownKeys(o, path, { u"title"_s, u"text"_s, u"for_s"_s, u"actions"_s, u"notice"_s, u"predict"_s })
        || !r.text(o, u"title"_s, path, &step->title) || !r.text(o, u"text"_s, path, &step->text))
        return false;
    if (o.contains(u"for_s"_s)) {
        const QString at = child(path, u"for_s"_s);
        if (!r.number(o.value(u"for_s"_s), at, &step->forS))
            return false;
        if (!(step->forS > 0) || step->forS > kMaxStepS)
            return r.fail(at,
                u"must be greater than 0 and at most "_s + QString::number(kMaxStepS) + u" s, got "_s
                    + describe(o.value(u"for_s"_s)));
    }
    if (o.contains(u"actions"_s)) {
        const QString at = child(path, u"actions"_s);
        QJsonArray list;
        if (!r.array(o.value(u"actions"_s), at, &list))
            return false;
        for (qsizetype i = 0; i < list.size(); ++i) {
            QString error;
            const auto e = parseEventValue(list[i], source, item(at, i), &error);
            if (!e)
                return r.failWhole(error);
            if (e->atS < 0 || e->atS >= step->forS)
                return r.fail(child(item(at, i), u"after_s"_s),
                    u"must be at least 0 and less than the step's for_s ("_s + QString::number(step->forS)
                        + u" s), got "_s + QString::number(e->atS));
            if (e->kind == stampede::EventKind::Pause || e->kind == stampede::EventKind::Resume)
                return r.fail(item(at, i), u"a lesson step cannot pause or resume: the presenter does"_s);
            step->actions.push_back(*e);
        }
    }
    if (o.contains(u"notice"_s)) {
        const QString at = child(path, u"notice"_s);
        QJsonArray list;
        if (!r.array(o.value(u"notice"_s), at, &list))
            return false;
        for (qsizetype i = 0; i < list.size(); ++i) {
            const QString p = item(at, i);
            QJsonObject n;
            QString expression, text;
            if (!r.object(list[i], p, &n) || !r.knownKeys(n, p, { u"check"_s, u"text"_s })
                || !r.text(n, u"check"_s, p, &expression) || !r.text(n, u"text"_s, p, &text))
                return false;
            QString problem;
            auto check = parseCheck(expression, &problem);
            if (!check)
                return r.fail(child(p, u"check"_s), problem);
            check->text = text;
            step->checks.push_back(std::move(*check));
        }
    }
    if (o.contains(u"predict"_s)) {
        LessonPrediction p;
        if (!readPrediction(r, o.value(u"predict"_s), child(path, u"predict"_s), &p))
            return false;
        step->prediction = std::move(p);
    }
    return true;
}

// A problem checkScenario() found in the compiled scenario names its event as "events[K]"; the
// author wrote it as a step's action, so the error names that instead.
QString stepPathOf(const QString &problem, const Lesson &lesson, std::size_t ownEvents)
{
    static const QRegularExpression re(u"^events\\[(\\d+)\\]"_s);
    const auto m = re.match(problem);
    if (!m.hasMatch())
        return u"scenario."_s + problem;
    std::size_t k = m.captured(1).toULongLong();
    if (k < ownEvents)
        return u"scenario."_s + problem;
    k -= ownEvents;
    for (std::size_t i = 0; i < lesson.steps.size(); ++i) {
        const std::size_t n = lesson.steps[i].actions.size();
        if (k < n)
            return u"steps["_s + QString::number(i) + u"].actions["_s + QString::number(k) + u']'
                + problem.mid(m.capturedLength());
        k -= n;
    }
    return problem;
}

} // namespace

std::optional<LessonCheck> parseCheck(const QString &expression, QString *error)
{
    static const QRegularExpression re(
        u"^\\s*([a-z_][a-z0-9_.]*)\\s*(>=|<=|==|!=|>|<)\\s*(-?[0-9]+(?:\\.[0-9]+)?(?:[eE][-+]?[0-9]+)?)"
        "(?:\\s+for\\s+([0-9]+(?:\\.[0-9]+)?)\\s*s)?\\s*$"_s);
    const auto m = re.match(expression);
    if (!m.hasMatch()) {
        *error = u"expected \"METRIC OP NUMBER [for N s]\" (OP one of > >= < <= == !=), got \""_s + expression + u'"';
        return std::nullopt;
    }
    LessonCheck c;
    c.expression = expression.simplified();
    c.metric = m.captured(1);
    if (!findMetric(c.metric)) {
        *error = u"unknown metric \""_s + c.metric + u"\" (known: "_s + checkMetricNames().join(u", "_s) + u')';
        return std::nullopt;
    }
    static const std::vector<std::pair<QString, LessonCheck::Op>> ops {
        { u">"_s, LessonCheck::Op::Greater },
        { u">="_s, LessonCheck::Op::GreaterEqual },
        { u"<"_s, LessonCheck::Op::Less },
        { u"<="_s, LessonCheck::Op::LessEqual },
        { u"=="_s, LessonCheck::Op::Equal },
        { u"!="_s, LessonCheck::Op::NotEqual },
    };
    for (const auto &[text, op] : ops)
        if (text == m.captured(2))
            c.op = op;
    c.value = m.captured(3).toDouble();
    if (m.hasCaptured(4)) {
        c.forS = m.captured(4).toDouble();
        if (!(c.forS > 0) || c.forS > kMaxStepS) {
            *error = u"\"for\" must be greater than 0 and at most "_s + QString::number(kMaxStepS) + u" s, got "_s
                + m.captured(4);
            return std::nullopt;
        }
    }
    return c;
}

const QStringList &checkMetricNames()
{
    static const QStringList names = [] {
        QStringList out;
        for (const Metric &m : metrics())
            out << m.name;
        return out;
    }();
    return names;
}

std::optional<double> metricValue(const TickSample &tick, const QString &metric)
{
    const Metric *m = findMetric(metric);
    return m ? m->value(tick) : std::nullopt;
}

CheckTracker::CheckTracker(LessonCheck check)
    : m_check(std::move(check))
{
}

bool CheckTracker::feed(const TickSample &tick)
{
    m_last = metricValue(tick, m_check.metric);
    if (met())
        return true;
    if (m_last && holds(m_check.op, *m_last, m_check.value))
        ++m_heldTicks;
    else
        m_heldTicks = 0;
    // held over N ticks covers N tick lengths of run time
    if (m_heldTicks > 0 && static_cast<double>(m_heldTicks) * stampede::kTickSeconds >= m_check.forS - 1e-9)
        m_metAt = tick.t;
    return met();
}

std::optional<Lesson> parseLesson(
    const QByteArray &json, const QString &source, QString *error, const QString &fallbackName)
{
    const std::optional<QJsonDocument> parsed = jsonread::parseJson(json, source, error);
    if (!parsed)
        return std::nullopt;
    const QJsonDocument &doc = *parsed;
    LessonReader r(source);
    Lesson lesson;
    lesson.name = fallbackName;
    auto ok = [&]() -> bool {
        if (!doc.isObject())
            return r.fail(u"top level"_s, u"must be an object"_s);
        const QJsonObject o = doc.object();
        if (!r.knownKeys(o, {}, { u"name"_s, u"title"_s, u"summary"_s, u"scenario"_s, u"steps"_s })
            || !r.text(o, u"name"_s, {}, &lesson.name, false) || !r.text(o, u"title"_s, {}, &lesson.title)
            || !r.text(o, u"summary"_s, {}, &lesson.summary))
            return false;
        if (lesson.name.isEmpty())
            return r.fail(u"name"_s, u"missing"_s);
        if (!o.contains(u"scenario"_s))
            return r.fail(u"scenario"_s, u"missing"_s);
        const QJsonValue sv = o.value(u"scenario"_s);
        QString problem;
        std::optional<Scenario> scenario;
        if (sv.isString()) {
            scenario = loadPreset(sv.toString(), &problem);
            if (!scenario)
                return r.fail(u"scenario"_s, problem);
        } else {
            scenario = parseScenarioValue(sv, source, u"scenario"_s, &problem, lesson.name);
            if (!scenario)
                return r.failWhole(problem);
        }
        if (scenario->sweep)
            return r.fail(u"scenario.sweep"_s, u"a lesson runs its steps, not a sweep"_s);
        lesson.scenario = std::move(*scenario);
        if (!o.contains(u"steps"_s))
            return r.fail(u"steps"_s, u"missing"_s);
        QJsonArray steps;
        if (!r.array(o.value(u"steps"_s), u"steps"_s, &steps))
            return false;
        if (steps.isEmpty() || steps.size() > kMaxSteps)
            return r.fail(u"steps"_s,
                u"needs 1 to "_s + QString::number(kMaxSteps) + u" steps, got "_s + QString::number(steps.size()));
        for (qsizetype i = 0; i < steps.size(); ++i) {
            LessonStep step;
            if (!readStep(r, source, steps[i], item(u"steps"_s, i), &step))
                return false;
            lesson.steps.push_back(std::move(step));
        }
        // The actions must make sense where they land on the run's timeline (a node that exists …).
        const Scenario compiled = lessonScenario(lesson);
        if (compiled.durationS > kMaxDurationS)
            return r.fail(u"steps"_s,
                u"the steps' for_s add up to "_s + QString::number(compiled.durationS) + u" s, more than "_s
                    + QString::number(kMaxDurationS));
        if (const QString p = checkScenario(compiled); !p.isEmpty()) {
            const QString where = stepPathOf(p, lesson, lesson.scenario.events.size());
            const qsizetype sep = where.indexOf(u": "_s);
            return sep < 0 ? r.fail(u"steps"_s, where) : r.fail(where.left(sep), where.mid(sep + 2));
        }
        return true;
    }();
    if (!ok) {
        *error = r.error();
        return std::nullopt;
    }
    return lesson;
}

std::optional<Lesson> loadLessonFile(const QString &path, QString *error)
{
    QFile f(path);
    if (!f.open(QIODevice::ReadOnly)) {
        *error = path + u": cannot read: "_s + f.errorString();
        return std::nullopt;
    }
    const QByteArray json = jsonread::readAtMost(f, jsonread::kMaxDocumentBytes);
    if (json.size() > jsonread::kMaxDocumentBytes) {
        *error = path + u": cannot read: larger than 4 MiB, not a lesson"_s;
        return std::nullopt;
    }
    return parseLesson(json, path, error, QFileInfo(path).completeBaseName());
}

QStringList lessonNames()
{
    QStringList names;
    const QStringList files = QDir(u":/lessons"_s).entryList({ u"*.json"_s }, QDir::Files, QDir::Name);
    for (const QString &f : files)
        names << QFileInfo(f).completeBaseName();
    return names;
}

std::optional<Lesson> loadLesson(const QString &name, QString *error)
{
    if (!lessonNames().contains(name)) {
        *error = u"unknown lesson \""_s + name + u"\" (known: "_s + lessonNames().join(u", "_s) + u')';
        return std::nullopt;
    }
    QFile f(u":/lessons/"_s + name + u".json"_s);
    if (!f.open(QIODevice::ReadOnly)) {
        *error = u"lesson "_s + name + u": cannot read the compiled-in file"_s;
        return std::nullopt;
    }
    return parseLesson(f.readAll(), u"lesson "_s + name, error, name);
}

std::optional<Lesson> resolveLesson(const QString &nameOrPath, QString *error)
{
    if (nameOrPath.endsWith(u".json"_s) || nameOrPath.contains(u'/'))
        return loadLessonFile(nameOrPath, error);
    return loadLesson(nameOrPath, error);
}

std::vector<double> stepOpenTimes(const Lesson &lesson)
{
    std::vector<double> times;
    double t = 0;
    for (const LessonStep &s : lesson.steps) {
        times.push_back(t);
        t += s.forS;
    }
    return times;
}

Scenario lessonScenario(const Lesson &lesson)
{
    Scenario s = lesson.scenario;
    const std::vector<double> open = stepOpenTimes(lesson);
    s.durationS = 0;
    for (std::size_t i = 0; i < lesson.steps.size(); ++i) {
        for (TimedEvent e : lesson.steps[i].actions) {
            e.atS += open[i];
            s.events.push_back(e);
        }
        s.durationS += lesson.steps[i].forS;
    }
    if (s.title.isEmpty())
        s.title = lesson.title;
    return s;
}

std::vector<StepOutcome> evaluateLesson(const Lesson &lesson, const std::vector<TickSample> &timeline)
{
    const std::vector<double> open = stepOpenTimes(lesson);
    std::vector<StepOutcome> out;
    for (std::size_t i = 0; i < lesson.steps.size(); ++i) {
        const double from = open[i];
        const double to = from + lesson.steps[i].forS;
        StepOutcome o;
        o.openedAtS = from;
        for (const LessonCheck &c : lesson.steps[i].checks) {
            CheckTracker tracker(c);
            // the tick that opens the step fires its actions; what they do shows from the next
            for (const TickSample &t : timeline)
                if (t.t > from + 1e-9 && t.t <= to + 1e-9 && tracker.feed(t))
                    break;
            o.metAtS.push_back(tracker.metAt());
        }
        out.push_back(std::move(o));
    }
    return out;
}
