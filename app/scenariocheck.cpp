// A scenario as a whole: each value against the engine's limits table, each event against
// its kind and the run's length, and the cache tier that cache-queue needs.

#include "scenario.h"

#include <algorithm>
#include <cmath>
#include <numeric>
#include <optional>

using namespace Qt::StringLiterals;
using stampede::EventKind;
using stampede::TimedEvent;

namespace {

QString number(double v) { return QString::number(v, 'g', 15); }

// "key: must be …" when v is outside its row of the engine's limits table, or empty.
QString outOfRange(const QString &key, stampede::limits::Limit id, double v)
{
    const std::string problem = stampede::limits::check(id, v);
    return problem.empty() ? QString() : key + u": "_s + QString::fromStdString(problem);
}

QString workloadName(stampede::WorkloadKind w) { return QString::fromUtf8(stampede::toString(w).data()); }

QString countInRange(const QString &key, int count, int max, const QString &what)
{
    if (count >= 1 && count <= max)
        return {};
    return key + u": must be from 1 to "_s + QString::number(max) + u' ' + what + u", got "_s + QString::number(count);
}

// "relative.path: problem" for one event, or empty.
QString checkEvent(const TimedEvent &e, double durationS, stampede::WorkloadKind workload)
{
    using stampede::limits::Limit;
    if (!std::isfinite(e.atS) || e.atS < 0 || e.atS > durationS)
        return u"at_s: must be between 0 and duration_s ("_s + number(durationS) + u')';
    const QString key = eventKey(e.kind);
    if (const auto owner = stampede::eventWorkload(e.kind); owner && *owner != workload)
        return key + u": a "_s + workloadName(*owner) + u" command, and this scenario's workload is "_s
            + workloadName(workload);
    switch (e.kind) {
    case EventKind::Spike:
        if (QString p = outOfRange(key + u".factor"_s, Limit::SpikeFactor, e.factor); !p.isEmpty())
            return p;
        return outOfRange(key + u".for_s"_s, Limit::SpikeSeconds, e.forS);
    case EventKind::SetRate:
        return outOfRange(key, Limit::RatePerS, e.rate);
    case EventKind::SetClosedLoop:
        return outOfRange(key, Limit::Clients, e.count);
    case EventKind::AddNodes:
        return outOfRange(key, Limit::AddNodes, e.count);
    case EventKind::AddCacheNodes:
        return outOfRange(key, Limit::AddCacheNodes, e.count);
    case EventKind::AddConsumers:
        return outOfRange(key, Limit::AddConsumers, e.count);
    case EventKind::Restock:
        return outOfRange(key, Limit::Restock, static_cast<double>(e.units));
    case EventKind::SetTtlJitter:
        return outOfRange(key, Limit::TtlJitter, e.ratio);
    case EventKind::SetReadRatio:
        return outOfRange(key, Limit::ReadRatio, e.ratio);
    case EventKind::RemoveNode:
    case EventKind::KillNode:
    case EventKind::ResizeNode:
        if (e.node && *e.node < 0)
            return key + u": must be a node id (0 or more) or null"_s;
        if (e.kind == EventKind::ResizeNode && e.cores <= 0 && e.speed <= 0 && e.price < 0)
            return key + u": give the size: cores, speed or price"_s;
        break;
    case EventKind::RemoveCacheNode:
    case EventKind::KillCacheNode:
        if (e.node && *e.node < 0)
            return key + u": must be a cache node id (0 or more) or null"_s;
        break;
    case EventKind::RemoveConsumer:
    case EventKind::KillConsumer:
        if (e.node && *e.node < 0)
            return key + u": must be a consumer id (0 or more) or null"_s;
        break;
    case EventKind::Pause:
        // for_s 0: none given, the pause waits for a later resume (paired in checkScenario)
        if (e.forS != 0)
            return outOfRange(u"for_s"_s, Limit::PauseSeconds, e.forS);
        break;
    case EventKind::CelebrityPost:
        if (e.node && *e.node < 0)
            return key + u": must be a celebrity index (0 or more) or null"_s;
        break;
    case EventKind::RemoveFanoutWorker:
    case EventKind::KillFanoutWorker:
        if (e.node && *e.node < 0)
            return key + u": must be a fan-out worker id (0 or more) or null"_s;
        break;
    case EventKind::KillInboxShard:
    case EventKind::RebuildInboxShard:
        if (e.node && *e.node < 0)
            return key + u": must be an inbox shard id (0 or more) or null"_s;
        break;
    case EventKind::SetFanoutThreshold:
        return outOfRange(key, Limit::FanoutThreshold, static_cast<double>(e.threshold));
    case EventKind::SetPostShare:
        return outOfRange(key, Limit::PostShare, e.ratio);
    case EventKind::AddFanoutWorkers:
        return countInRange(key, e.count, stampede::kMaxFanoutWorkers, u"workers"_s);
    case EventKind::AddInboxShards:
        return countInRange(key, e.count, stampede::kMaxInboxShards, u"shards"_s);
    case EventKind::SetFanoutMode:
    case EventKind::SwitchStrategy:
    case EventKind::Resume:
    case EventKind::SetPlacement:
    case EventKind::SetSingleFlight:
    case EventKind::SetCounterRecovery:
    case EventKind::SetIdempotent:
    case EventKind::SetQueueFull:
        break;
    }
    return {};
}

// Event indices in the order the engine fires them: by time, ties in file order.
std::vector<std::size_t> firingOrder(const std::vector<TimedEvent> &events)
{
    std::vector<std::size_t> order(events.size());
    std::iota(order.begin(), order.end(), std::size_t(0));
    std::stable_sort(
        order.begin(), order.end(), [&](std::size_t a, std::size_t b) { return events[a].atS < events[b].atS; });
    return order;
}

QString at(std::size_t i) { return u"events["_s + QString::number(i) + u"]."_s; }

// The run's clock stands still while paused, so a pause must say when it ends: its for_s, or a
// resume later in the timeline (the old form, which the loader folds into for_s). Returns the
// first problem, or empty.
QString checkPauses(const std::vector<TimedEvent> &events)
{
    using stampede::limits::Limit;
    std::optional<std::size_t> open; // a pause without for_s, waiting for its resume
    for (const std::size_t i : firingOrder(events)) {
        const TimedEvent &e = events[i];
        if (e.kind == EventKind::Pause) {
            if (open)
                return at(*open) + u"pause: needs for_s (seconds) or a resume before the next pause ("_s + at(i)
                    + u"pause)"_s;
            if (e.forS == 0)
                open = i;
        } else if (e.kind == EventKind::Resume) {
            if (!open)
                return at(i) + u"resume: no open pause before it (a pause without for_s)"_s;
            const double length = e.atS - events[*open].atS;
            if (!stampede::limits::inRange(Limit::PauseSeconds, length))
                return at(i) + u"resume: the pause it ends ("_s + at(*open) + u"pause) would last "_s + number(length)
                    + u" s; a pause "_s + QString::fromStdString(stampede::limits::describe(Limit::PauseSeconds));
            open.reset();
        }
    }
    if (open)
        return at(*open) + u"pause: needs for_s (seconds) or a later resume"_s;
    return {};
}

} // namespace

void foldResumes(std::vector<TimedEvent> *events)
{
    std::vector<bool> drop(events->size(), false);
    std::optional<std::size_t> open;
    for (const std::size_t i : firingOrder(*events)) {
        TimedEvent &e = (*events)[i];
        if (e.kind == EventKind::Pause && e.forS == 0) {
            open = i;
        } else if (e.kind == EventKind::Resume && open) {
            (*events)[*open].forS = e.atS - (*events)[*open].atS;
            drop[i] = true;
            open.reset();
        }
    }
    std::vector<TimedEvent> kept;
    kept.reserve(events->size());
    for (std::size_t i = 0; i < events->size(); ++i)
        if (!drop[i])
            kept.push_back((*events)[i]);
    *events = std::move(kept);
}

QString checkScenario(const Scenario &s)
{
    const std::string engineProblem = stampede::validate(s.config);
    if (!engineProblem.empty())
        return QString::fromStdString(engineProblem);
    if (const auto p = stampede::limits::checkNamed(stampede::limits::Limit::DurationS, s.durationS); !p.empty())
        return QString::fromStdString(p);
    if (s.config.seed > std::uint64_t(LLONG_MAX))
        return u"seed: must be a non-negative integer below 2^63"_s;
    if (s.sweep && s.config.workload != stampede::WorkloadKind::FlashSale)
        return u"sweep: sweeps the flash sale's nodes and traffic, and this scenario's workload is "_s
            + workloadName(s.config.workload);
    if (s.sweep)
        if (QString p = checkSweep(*s.sweep); !p.isEmpty())
            return (p.contains(u": "_s) ? u"sweep."_s : u"sweep: "_s) + p;
    for (std::size_t i = 0; i < s.events.size(); ++i) {
        const QString problem = checkEvent(s.events[i], s.durationS, s.config.workload);
        if (!problem.isEmpty())
            return u"events["_s + QString::number(i) + u"]."_s + problem;
    }
    if (QString problem = checkPauses(s.events); !problem.isEmpty())
        return problem;
    // cache-queue keeps its stock counters in the cache tier: switching to it needs one by then.
    for (std::size_t i = 0; i < s.events.size(); ++i) {
        const TimedEvent &e = s.events[i];
        if (e.kind != EventKind::SwitchStrategy || e.strategy != stampede::Strategy::CacheQueue
            || s.config.cache.nodes > 0)
            continue;
        // Events fire in time order, ties in file order.
        bool added = false;
        for (std::size_t j = 0; j < s.events.size() && !added; ++j) {
            const TimedEvent &a = s.events[j];
            added = a.kind == EventKind::AddCacheNodes && (a.atS < e.atS || (a.atS == e.atS && j < i));
        }
        if (!added)
            return u"events["_s + QString::number(i) + u"]."_s + eventKey(e.kind)
                + u": cache-queue needs a cache tier (cache.nodes at least 1, or an add_cache_node before it)"_s;
    }
    return {};
}
