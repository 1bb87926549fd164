#include "fanoutreport.h"

#include <QJsonArray>
#include <QLocale>

#include <algorithm>
#include <cmath>

using namespace Qt::StringLiterals;
using stampede::RunResult;

namespace {

QString fromStd(std::string_view s) { return QString::fromUtf8(s.data(), qsizetype(s.size())); }

QString count(std::int64_t v)
{
    static const QLocale english(QLocale::English, QLocale::UnitedStates);
    return english.toString(qint64(v));
}

QString seconds(const std::optional<double> &s) { return s ? QString::number(*s, 'f', 2) + u" s"_s : u"never"_s; }

QJsonValue orNull(const std::optional<double> &v) { return v ? QJsonValue(*v) : QJsonValue(QJsonValue::Null); }

// The ticks that show post `id` as the newest tracked one: its visibility curve.
std::vector<std::pair<double, double>> curveOf(const RunResult &r, std::uint32_t id, double postedAtS)
{
    std::vector<std::pair<double, double>> out;
    for (const stampede::TickSample &t : r.timeline)
        if (t.fanout && t.fanout->trackedPost == id)
            out.emplace_back(std::max(0.0, t.t - postedAtS), t.fanout->visible);
    return out;
}

// Time until `share` of the followers see it, by the curve (to within a tick).
std::optional<double> reachedAt(const std::vector<std::pair<double, double>> &curve, double share)
{
    for (const auto &[dt, visible] : curve)
        if (visible >= share)
            return dt;
    return std::nullopt;
}

} // namespace

std::vector<TrackedPostReport> trackedPosts(const Scenario &scenario, const RunResult &r)
{
    std::vector<TrackedPostReport> out;
    if (!r.final.fanout)
        return out;
    const auto &f = scenario.config.fanout;
    const std::vector<stampede::TrackedPostView> &tracked = r.final.fanout->tracked;
    for (auto it = tracked.rbegin(); it != tracked.rend(); ++it) { // oldest first
        const stampede::TrackedPostView &p = *it;
        TrackedPostReport t;
        t.post = p.post;
        t.celebrity = p.author;
        t.followers = p.followers;
        t.postedAtS = p.runAtS;
        t.pulled = p.pulled;
        t.delivered = p.delivered;
        t.workers = f.workers;
        for (const stampede::TickSample &x : r.timeline)
            if (x.t >= p.runAtS && x.fanout) {
                t.workers = x.fanout->workersUp;
                break;
            }
        const bool complete = p.followers > 0 && p.delivered >= std::int64_t(p.followers);
        if (complete && p.pulled && p.maxMs == 0) {
            t.t50S = t.t99S = t.t100S = 0.0; // nothing to deliver: the outbox is read
        } else if (complete) {
            t.t50S = p.p50Ms / 1e3; // every follower's delay is known: exact to the histogram
            t.t99S = p.p99Ms / 1e3;
            t.t100S = p.maxMs / 1e3;
        } else {
            const auto curve = curveOf(r, p.post, p.runAtS);
            t.t50S = reachedAt(curve, 0.5);
            t.t99S = reachedAt(curve, 0.99);
        }
        if (!p.pulled && t.workers > 0) {
            const double F = p.followers, W = t.workers;
            t.modelS = (F * f.writeMs / W + F / (W * f.batch) * f.ackMs) / 1e3;
        }
        out.push_back(t);
    }
    return out;
}

QJsonObject fanoutReportJson(const Scenario &scenario, const RunResult &r)
{
    if (!r.final.fanout)
        return {};
    const stampede::FanoutView &v = *r.final.fanout;
    const auto &c = scenario.config.fanout;
    double writesPeak = 0, drainPeak = 0, hotShard = 0;
    std::int64_t backlogMax = 0;
    for (const stampede::TickSample &t : r.timeline)
        if (t.fanout) {
            writesPeak = std::max(writesPeak, t.fanout->inboxWrites);
            drainPeak = std::max(drainPeak, t.fanout->drainRate);
            hotShard = std::max(hotShard, t.fanout->hotShardUtilisation);
            backlogMax = std::max(backlogMax, t.fanout->backlog);
        }
    QJsonArray celebrities;
    for (std::uint32_t n : v.celebrities)
        celebrities.append(qint64(n));
    QJsonArray posts;
    for (const TrackedPostReport &t : trackedPosts(scenario, r)) {
        QJsonArray curve;
        for (const auto &[dt, visible] : curveOf(r, t.post, t.postedAtS))
            curve.append(QJsonArray { dt, visible });
        posts.append(QJsonObject {
            { u"post"_s, qint64(t.post) }, { u"celebrity"_s, qint64(t.celebrity) },
            { u"followers"_s, qint64(t.followers) }, { u"posted_at_s"_s, t.postedAtS },
            { u"read_by"_s, t.pulled ? u"pull"_s : u"push"_s }, { u"workers"_s, t.workers },
            { u"delivered"_s, qint64(t.delivered) },
            { u"visible"_s, t.followers > 0 ? double(t.delivered) / t.followers : 1.0 },
            { u"time_to_visible_s"_s,
                QJsonObject {
                    { u"p50"_s, orNull(t.t50S) }, { u"p99"_s, orNull(t.t99S) }, { u"p100"_s, orNull(t.t100S) } } },
            { u"model_s"_s, t.modelS }, { u"curve"_s, curve }, // [seconds since the post, share visible] per tick
        });
    }
    const double pushed = double(v.pushedPosts);
    return QJsonObject {
        { u"mode"_s, fromStd(stampede::toString(v.mode)) },
        { u"threshold"_s, qint64(v.threshold) },
        { u"users"_s, qint64(v.users) },
        { u"celebrity_followers"_s, celebrities },
        { u"workers"_s, c.workers },
        { u"workers_up"_s, v.workersUp },
        { u"inbox_shards"_s, qsizetype(v.shardUp.size()) },
        { u"posts"_s, qint64(v.posts) },
        { u"pushed_posts"_s, qint64(v.pushedPosts) },
        { u"reads"_s, qint64(v.reads) },
        { u"fetches_per_read"_s, v.reads > 0 ? double(v.fetches) / double(v.reads) : 0.0 },
        { u"read_latency_ms"_s, QJsonObject { { u"p50"_s, r.final.p50Ms }, { u"p99"_s, r.final.p99Ms } } },
        { u"inbox_writes"_s, qint64(v.inboxWrites) },
        { u"inbox_writes_peak_per_s"_s, writesPeak },
        { u"write_amplification"_s, pushed > 0 ? double(v.inboxWrites) / pushed : 0.0 },
        { u"delivery_ms"_s,
            QJsonObject {
                { u"p50"_s, v.deliveryP50Ms }, { u"p99"_s, v.deliveryP99Ms }, { u"max"_s, v.deliveryMaxMs } } },
        { u"backlog_max"_s, qint64(backlogMax) },
        { u"drain_peak_per_s"_s, drainPeak },
        { u"hot_shard_utilisation_max"_s, hotShard },
        { u"stale_reads"_s, qint64(v.staleReads) },
        { u"duplicates"_s, qint64(v.duplicates) },
        { u"redelivered_batches"_s, qint64(v.redelivered) },
        { u"lost_writes"_s, qint64(v.lostWrites) },
        { u"refused_fanouts"_s, qint64(v.refusedFanouts) },
        { u"storage_entries"_s, qint64(v.entries) },
        { u"lost_entries"_s, qint64(v.lostEntries) },
        { u"rebuilt_entries"_s, qint64(v.rebuiltEntries) },
        { u"tracked_posts"_s, posts },
    };
}

QList<std::pair<QString, QString>> fanoutSummaryLines(const Scenario &scenario, const RunResult &r)
{
    QList<std::pair<QString, QString>> lines;
    if (!r.final.fanout)
        return lines;
    const stampede::FanoutView &v = *r.final.fanout;
    const double fetches = v.reads > 0 ? double(v.fetches) / double(v.reads) : 0.0;
    lines.append({ u"reads"_s,
        count(v.reads) + u"  p50 "_s + QString::number(r.final.p50Ms, 'f', 2) + u"  p99 "_s
            + QString::number(r.final.p99Ms, 'f', 2) + u" ms  fetches/read "_s + QString::number(fetches, 'f', 2)
            + u"  stale "_s + count(v.staleReads) });
    const double amplification = v.pushedPosts > 0 ? double(v.inboxWrites) / double(v.pushedPosts) : 0.0;
    lines.append({ u"posts"_s,
        count(v.posts) + u"  pushed "_s + count(v.pushedPosts) + u"  inbox writes "_s + count(v.inboxWrites) + u" ("_s
            + QString::number(amplification, 'f', 1) + u"/post)  duplicates "_s + count(v.duplicates) });
    for (const TrackedPostReport &t : trackedPosts(scenario, r)) {
        QString line
            = u"at "_s + QString::number(t.postedAtS, 'f', 1) + u" s  "_s + count(t.followers) + u" followers  "_s;
        if (t.pulled)
            line += u"pull: visible to all at once"_s;
        else
            line += u"50 % "_s + seconds(t.t50S) + u"  99 % "_s + seconds(t.t99S) + u"  100 % "_s + seconds(t.t100S)
                + u"  (model F·t/W "_s + QString::number(t.modelS, 'f', 2) + u" s, "_s + QString::number(t.workers)
                + u" workers)"_s;
        lines.append({ u"celebrity"_s, line });
    }
    lines.append({ u"inboxes"_s,
        u"entries "_s + count(v.entries) + u"  lost "_s + count(v.lostEntries) + u"  rebuilt "_s
            + count(v.rebuiltEntries) + u"  lost writes "_s + count(v.lostWrites) + u"  redelivered batches "_s
            + count(v.redelivered) });
    return lines;
}
