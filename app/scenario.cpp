#include "scenario.h"

#include "jsonreader.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonParseError>
#include <QJsonValue>

#include <algorithm>
#include <climits>
#include <cmath>
#include <string_view>

using namespace Qt::StringLiterals;
using stampede::EventKind;
using stampede::TimedEvent;

namespace {

using namespace jsonread;

const QStringList &topLevelKeys()
{
    static const QStringList keys { u"name"_s, u"title"_s, u"description"_s, u"seed"_s, u"duration_s"_s, u"strategy"_s,
        u"stock"_s, u"threads"_s, u"traffic"_s, u"gateway"_s, u"nodes"_s, u"store"_s, u"cache"_s, u"queue"_s,
        u"workload"_s, u"fanout"_s, u"sweep"_s, u"events"_s };
    return keys;
}

struct EventName {
    EventKind kind;
    QString key;
};

const std::vector<EventName> &eventNames()
{
    static const std::vector<EventName> names {
        { EventKind::Spike, u"spike"_s },
        { EventKind::SetRate, u"set_rate"_s },
        { EventKind::AddNodes, u"add_nodes"_s },
        { EventKind::RemoveNode, u"remove_node"_s },
        { EventKind::KillNode, u"kill_node"_s },
        { EventKind::ResizeNode, u"resize_node"_s },
        { EventKind::SwitchStrategy, u"switch_strategy"_s },
        { EventKind::Restock, u"restock"_s },
        { EventKind::Pause, u"pause"_s },
        { EventKind::Resume, u"resume"_s },
        { EventKind::AddCacheNodes, u"add_cache_node"_s },
        { EventKind::RemoveCacheNode, u"remove_cache_node"_s },
        { EventKind::KillCacheNode, u"kill_cache_node"_s },
        { EventKind::SetPlacement, u"set_placement"_s },
        { EventKind::SetSingleFlight, u"single_flight"_s },
        { EventKind::SetTtlJitter, u"set_ttl_jitter"_s },
        { EventKind::SetReadRatio, u"set_read_ratio"_s },
        { EventKind::SetCounterRecovery, u"set_counter_recovery"_s },
        { EventKind::AddConsumers, u"add_consumers"_s },
        { EventKind::RemoveConsumer, u"remove_consumer"_s },
        { EventKind::KillConsumer, u"kill_consumer"_s },
        { EventKind::SetIdempotent, u"set_idempotent"_s },
        { EventKind::SetClosedLoop, u"set_closed_loop"_s },
        { EventKind::SetQueueFull, u"set_queue_full"_s },
        { EventKind::CelebrityPost, u"celebrity_post"_s },
        { EventKind::SetFanoutMode, u"set_fanout_mode"_s },
        { EventKind::SetFanoutThreshold, u"set_fanout_threshold"_s },
        { EventKind::SetPostShare, u"set_post_share"_s },
        { EventKind::AddFanoutWorkers, u"add_fanout_workers"_s },
        { EventKind::RemoveFanoutWorker, u"remove_fanout_worker"_s },
        { EventKind::KillFanoutWorker, u"kill_fanout_worker"_s },
        { EventKind::AddInboxShards, u"add_inbox_shards"_s },
        { EventKind::KillInboxShard, u"kill_inbox_shard"_s },
        { EventKind::RebuildInboxShard, u"rebuild_inbox_shard"_s },
    };
    return names;
}

QString eventKeyList()
{
    QStringList keys;
    for (const auto &n : eventNames())
        keys << n.key;
    return keys.join(u", "_s);
}

const std::vector<std::string_view> &modeNames()
{
    static const std::vector<std::string_view> n { stampede::toString(stampede::TrafficMode::Open),
        stampede::toString(stampede::TrafficMode::Closed) };
    return n;
}

const std::vector<std::string_view> &policyNames()
{
    static const std::vector<std::string_view> n { stampede::toString(stampede::RoutePolicy::RoundRobin),
        stampede::toString(stampede::RoutePolicy::LeastOutstanding),
        stampede::toString(stampede::RoutePolicy::UserHash) };
    return n;
}

const std::vector<std::string_view> &distNames()
{
    static const std::vector<std::string_view> n { stampede::toString(stampede::ServiceDist::Constant),
        stampede::toString(stampede::ServiceDist::Exponential) };
    return n;
}

const std::vector<std::string_view> &coordinationNames()
{
    static const std::vector<std::string_view> n { stampede::toString(stampede::Coordination::None),
        stampede::toString(stampede::Coordination::HotRow), stampede::toString(stampede::Coordination::Serial),
        stampede::toString(stampede::Coordination::Exchange) };
    return n;
}

const std::vector<std::string_view> &placementNames()
{
    static const std::vector<std::string_view> n { stampede::toString(stampede::Placement::Ring),
        stampede::toString(stampede::Placement::Modulo) };
    return n;
}

const std::vector<std::string_view> &backendNames()
{
    static const std::vector<std::string_view> n { stampede::toString(stampede::StoreBackend::Embedded),
        stampede::toString(stampede::StoreBackend::Postgres) };
    return n;
}

const std::vector<std::string_view> &recoveryNames()
{
    static const std::vector<std::string_view> n { stampede::toString(stampede::CounterRecovery::ReloadFromStore),
        stampede::toString(stampede::CounterRecovery::ResetToInitial) };
    return n;
}

const std::vector<std::string_view> &fullPolicyNames()
{
    static const std::vector<std::string_view> n { stampede::toString(stampede::FullPolicy::Reject),
        stampede::toString(stampede::FullPolicy::Block) };
    return n;
}

const std::vector<std::string_view> &workloadNames()
{
    static const std::vector<std::string_view> n { stampede::toString(stampede::WorkloadKind::FlashSale),
        stampede::toString(stampede::WorkloadKind::Fanout) };
    return n;
}

const std::vector<std::string_view> &fanoutModeNames()
{
    static const std::vector<std::string_view> n { stampede::toString(stampede::FanoutMode::Push),
        stampede::toString(stampede::FanoutMode::Pull), stampede::toString(stampede::FanoutMode::Hybrid) };
    return n;
}

bool readBool(Reader &r, const QJsonValue &v, const QString &path, bool *out)
{
    if (!v.isBool())
        return r.fail(path, u"must be true or false, got "_s + describe(v));
    *out = v.toBool();
    return true;
}

// A count of users or followers: a whole number from 0 to 2^32 - 1 here, its range checked by
// validate() against the limit table.
bool readCount(Reader &r, const QJsonValue &v, const QString &path, std::uint32_t *out)
{
    qint64 n = 0;
    if (!r.integer(v, path, &n))
        return false;
    if (n < 0 || n > qint64(UINT32_MAX))
        return r.fail(path, u"must be from 0 to "_s + QString::number(UINT32_MAX) + u", got "_s + describe(v));
    *out = std::uint32_t(n);
    return true;
}

bool readFanout(Reader &r, const QJsonValue &v, stampede::FanoutConfig *f)
{
    const QString path = u"fanout"_s;
    QJsonObject o;
    if (!r.object(v, path, &o)
        || !r.knownKeys(o, path,
            { u"users"_s, u"follows_per_user"_s, u"follower_exponent"_s, u"celebrities"_s, u"mode"_s, u"threshold"_s,
                u"post_share"_s, u"celebrity_readers"_s, u"workers"_s, u"batch"_s, u"write_ms"_s, u"fetch_ms"_s,
                u"ack_ms"_s, u"inbox_size"_s, u"inbox_shards"_s, u"post_log"_s, u"idempotent"_s }))
        return false;
    auto count = [&](const QString &key, std::uint32_t *out) {
        return !o.contains(key) || readCount(r, o.value(key), child(path, key), out);
    };
    auto real = [&](const QString &key, double *out) {
        return !o.contains(key) || r.number(o.value(key), child(path, key), out);
    };
    auto whole = [&](const QString &key, int *out) {
        return !o.contains(key) || r.intField(o.value(key), child(path, key), out);
    };
    if (!count(u"users"_s, &f->users) || !real(u"follows_per_user"_s, &f->followsPerUser)
        || !real(u"follower_exponent"_s, &f->followerExponent) || !count(u"threshold"_s, &f->threshold)
        || !real(u"post_share"_s, &f->postShare) || !real(u"celebrity_readers"_s, &f->celebrityReaders)
        || !whole(u"workers"_s, &f->workers) || !whole(u"batch"_s, &f->batch) || !real(u"write_ms"_s, &f->writeMs)
        || !real(u"fetch_ms"_s, &f->fetchMs) || !real(u"ack_ms"_s, &f->ackMs) || !whole(u"inbox_size"_s, &f->inboxSize)
        || !whole(u"inbox_shards"_s, &f->inboxShards) || !count(u"post_log"_s, &f->postLog))
        return false;
    if (o.contains(u"mode"_s)
        && !r.choice(
            o.value(u"mode"_s), child(path, u"mode"_s), stampede::parseFanoutMode, fanoutModeNames(), &f->mode))
        return false;
    if (o.contains(u"idempotent"_s)
        && !readBool(r, o.value(u"idempotent"_s), child(path, u"idempotent"_s), &f->idempotent))
        return false;
    if (o.contains(u"celebrities"_s)) {
        // The follower count of each celebrity: [1000000] or [1000000, 200000].
        const QString at = child(path, u"celebrities"_s);
        const QJsonValue c = o.value(u"celebrities"_s);
        if (!c.isArray())
            return r.fail(at, u"must be an array of follower counts, got "_s + describe(c));
        const QJsonArray list = c.toArray();
        f->celebrities.clear();
        for (qsizetype i = 0; i < list.size(); ++i) {
            std::uint32_t n = 0;
            if (!readCount(r, list[i], at + u'[' + QString::number(i) + u']', &n))
                return false;
            f->celebrities.push_back(n);
        }
    }
    return true;
}

bool readCache(Reader &r, const QJsonValue &v, stampede::CacheConfig *c)
{
    const QString path = u"cache"_s;
    QJsonObject o;
    if (!r.object(v, path, &o)
        || !r.knownKeys(o, path,
            { u"nodes"_s, u"placement"_s, u"virtual_nodes"_s, u"latency_ms"_s, u"op_ms"_s, u"keys"_s, u"ttl_ms"_s,
                u"ttl_jitter"_s, u"single_flight"_s, u"counter_recovery"_s }))
        return false;
    if (o.contains(u"nodes"_s) && !r.intField(o.value(u"nodes"_s), child(path, u"nodes"_s), &c->nodes))
        return false;
    if (o.contains(u"placement"_s)
        && !r.choice(o.value(u"placement"_s), child(path, u"placement"_s), stampede::parsePlacement, placementNames(),
            &c->placement))
        return false;
    if (o.contains(u"virtual_nodes"_s)
        && !r.intField(o.value(u"virtual_nodes"_s), child(path, u"virtual_nodes"_s), &c->virtualNodes))
        return false;
    if (o.contains(u"latency_ms"_s) && !r.number(o.value(u"latency_ms"_s), child(path, u"latency_ms"_s), &c->latencyMs))
        return false;
    if (o.contains(u"op_ms"_s) && !r.number(o.value(u"op_ms"_s), child(path, u"op_ms"_s), &c->opMs))
        return false;
    if (o.contains(u"keys"_s) && !r.intField(o.value(u"keys"_s), child(path, u"keys"_s), &c->keys))
        return false;
    if (o.contains(u"ttl_ms"_s) && !r.number(o.value(u"ttl_ms"_s), child(path, u"ttl_ms"_s), &c->ttlMs))
        return false;
    if (o.contains(u"ttl_jitter"_s) && !r.number(o.value(u"ttl_jitter"_s), child(path, u"ttl_jitter"_s), &c->ttlJitter))
        return false;
    if (o.contains(u"single_flight"_s)
        && !readBool(r, o.value(u"single_flight"_s), child(path, u"single_flight"_s), &c->singleFlight))
        return false;
    if (o.contains(u"counter_recovery"_s)
        && !r.choice(o.value(u"counter_recovery"_s), child(path, u"counter_recovery"_s), stampede::parseCounterRecovery,
            recoveryNames(), &c->recovery))
        return false;
    return true;
}

bool readQueue(Reader &r, const QJsonValue &v, stampede::QueueConfig *q)
{
    const QString path = u"queue"_s;
    QJsonObject o;
    if (!r.object(v, path, &o)
        || !r.knownKeys(o, path,
            { u"partitions"_s, u"capacity"_s, u"consumers"_s, u"batch"_s, u"ack_ms"_s, u"when_full"_s,
                u"idempotent"_s }))
        return false;
    if (o.contains(u"partitions"_s)
        && !r.intField(o.value(u"partitions"_s), child(path, u"partitions"_s), &q->partitions))
        return false;
    if (o.contains(u"capacity"_s) && !r.intField(o.value(u"capacity"_s), child(path, u"capacity"_s), &q->capacity))
        return false;
    if (o.contains(u"consumers"_s) && !r.intField(o.value(u"consumers"_s), child(path, u"consumers"_s), &q->consumers))
        return false;
    if (o.contains(u"batch"_s) && !r.intField(o.value(u"batch"_s), child(path, u"batch"_s), &q->batch))
        return false;
    if (o.contains(u"ack_ms"_s) && !r.number(o.value(u"ack_ms"_s), child(path, u"ack_ms"_s), &q->ackMs))
        return false;
    if (o.contains(u"when_full"_s)
        && !r.choice(o.value(u"when_full"_s), child(path, u"when_full"_s), stampede::parseFullPolicy, fullPolicyNames(),
            &q->whenFull))
        return false;
    if (o.contains(u"idempotent"_s)
        && !readBool(r, o.value(u"idempotent"_s), child(path, u"idempotent"_s), &q->idempotent))
        return false;
    return true;
}

bool readTraffic(Reader &r, const QJsonValue &v, stampede::TrafficConfig *t)
{
    const QString path = u"traffic"_s;
    QJsonObject o;
    if (!r.object(v, path, &o)
        || !r.knownKeys(o, path,
            { u"mode"_s, u"rate_per_s"_s, u"clients"_s, u"users"_s, u"skus"_s, u"sku_skew"_s, u"read_ratio"_s }))
        return false;
    if (o.contains(u"mode"_s)
        && !r.choice(o.value(u"mode"_s), child(path, u"mode"_s), stampede::parseTrafficMode, modeNames(), &t->mode))
        return false;
    if (o.contains(u"rate_per_s"_s) && !r.number(o.value(u"rate_per_s"_s), child(path, u"rate_per_s"_s), &t->ratePerS))
        return false;
    if (o.contains(u"clients"_s) && !r.intField(o.value(u"clients"_s), child(path, u"clients"_s), &t->clients))
        return false;
    if (o.contains(u"users"_s)) {
        qint64 users = 0;
        if (!r.integer(o.value(u"users"_s), child(path, u"users"_s), &users))
            return false;
        t->users = users;
    }
    if (o.contains(u"skus"_s) && !r.intField(o.value(u"skus"_s), child(path, u"skus"_s), &t->skus))
        return false;
    if (o.contains(u"sku_skew"_s) && !r.number(o.value(u"sku_skew"_s), child(path, u"sku_skew"_s), &t->skuSkew))
        return false;
    if (o.contains(u"read_ratio"_s) && !r.number(o.value(u"read_ratio"_s), child(path, u"read_ratio"_s), &t->readRatio))
        return false;
    return true;
}

bool readGateway(Reader &r, const QJsonValue &v, stampede::GatewayConfig *g)
{
    const QString path = u"gateway"_s;
    QJsonObject o;
    if (!r.object(v, path, &o) || !r.knownKeys(o, path, { u"policy"_s, u"rate_limit_per_s"_s }))
        return false;
    if (o.contains(u"policy"_s)
        && !r.choice(
            o.value(u"policy"_s), child(path, u"policy"_s), stampede::parseRoutePolicy, policyNames(), &g->policy))
        return false;
    if (o.contains(u"rate_limit_per_s"_s)
        && !r.optionalNumber(o.value(u"rate_limit_per_s"_s), child(path, u"rate_limit_per_s"_s), &g->rateLimitPerS))
        return false;
    return true;
}

bool readNodes(Reader &r, const QJsonValue &v, stampede::NodeConfig *n)
{
    const QString path = u"nodes"_s;
    QJsonObject o;
    if (!r.object(v, path, &o)
        || !r.knownKeys(o, path,
            { u"count"_s, u"capacity"_s, u"queue_limit"_s, u"service_ms"_s, u"service_dist"_s, u"timeout_ms"_s,
                u"speed"_s, u"price"_s, u"coordination"_s, u"serial_ms"_s, u"exchange_ms"_s }))
        return false;
    for (const auto &[key, field] : { std::pair { u"speed"_s, &n->speed }, std::pair { u"serial_ms"_s, &n->serialMs },
             std::pair { u"exchange_ms"_s, &n->exchangeMs } })
        if (o.contains(key) && !r.number(o.value(key), child(path, key), field))
            return false;
    if (o.contains(u"price"_s) && !r.optionalNumber(o.value(u"price"_s), child(path, u"price"_s), &n->price))
        return false;
    if (o.contains(u"coordination"_s)
        && !r.choice(o.value(u"coordination"_s), child(path, u"coordination"_s), stampede::parseCoordination,
            coordinationNames(), &n->coordination))
        return false;
    if (o.contains(u"count"_s) && !r.intField(o.value(u"count"_s), child(path, u"count"_s), &n->count))
        return false;
    if (o.contains(u"capacity"_s) && !r.intField(o.value(u"capacity"_s), child(path, u"capacity"_s), &n->capacity))
        return false;
    if (o.contains(u"queue_limit"_s)
        && !r.intField(o.value(u"queue_limit"_s), child(path, u"queue_limit"_s), &n->queueLimit))
        return false;
    if (o.contains(u"service_ms"_s) && !r.number(o.value(u"service_ms"_s), child(path, u"service_ms"_s), &n->serviceMs))
        return false;
    if (o.contains(u"service_dist"_s)
        && !r.choice(o.value(u"service_dist"_s), child(path, u"service_dist"_s), stampede::parseServiceDist,
            distNames(), &n->serviceDist))
        return false;
    if (o.contains(u"timeout_ms"_s)
        && !r.optionalNumber(o.value(u"timeout_ms"_s), child(path, u"timeout_ms"_s), &n->timeoutMs))
        return false;
    return true;
}

bool readStore(Reader &r, const QJsonValue &v, stampede::StoreConfig *s)
{
    const QString path = u"store"_s;
    QJsonObject o;
    if (!r.object(v, path, &o)
        || !r.knownKeys(o, path,
            { u"backend"_s, u"url"_s, u"connections"_s, u"latency_ms"_s, u"write_ms"_s, u"buckets"_s, u"probes"_s }))
        return false;
    if (o.contains(u"backend"_s)
        && !r.choice(
            o.value(u"backend"_s), child(path, u"backend"_s), stampede::parseStoreBackend, backendNames(), &s->backend))
        return false;
    if (o.contains(u"url"_s)) {
        QString url;
        if (!r.string(o.value(u"url"_s), child(path, u"url"_s), &url))
            return false;
        s->url = url.toStdString();
    }
    if (o.contains(u"connections"_s)
        && !r.intField(o.value(u"connections"_s), child(path, u"connections"_s), &s->connections))
        return false;
    if (o.contains(u"latency_ms"_s) && !r.number(o.value(u"latency_ms"_s), child(path, u"latency_ms"_s), &s->latencyMs))
        return false;
    if (o.contains(u"write_ms"_s) && !r.number(o.value(u"write_ms"_s), child(path, u"write_ms"_s), &s->writeMs))
        return false;
    if (o.contains(u"buckets"_s) && !r.intField(o.value(u"buckets"_s), child(path, u"buckets"_s), &s->buckets))
        return false;
    if (o.contains(u"probes"_s) && !r.intField(o.value(u"probes"_s), child(path, u"probes"_s), &s->probes))
        return false;
    return true;
}

// add_nodes' object form (count and a size) or resize_node's (which node and its new size).
bool readNodeSize(Reader &r, const QJsonValue &v, const QString &path, TimedEvent *e, bool adding)
{
    QJsonObject o;
    if (!r.object(v, path, &o)
        || !r.knownKeys(o, path,
            adding ? QStringList { u"count"_s, u"cores"_s, u"speed"_s, u"price"_s }
                   : QStringList { u"node"_s, u"cores"_s, u"speed"_s, u"price"_s }))
        return false;
    if (adding && o.contains(u"count"_s) && !r.intField(o.value(u"count"_s), child(path, u"count"_s), &e->count))
        return false;
    if (!adding && o.contains(u"node"_s)) {
        const QJsonValue n = o.value(u"node"_s);
        if (!n.isNull()) {
            int id = 0;
            if (!r.intField(n, child(path, u"node"_s), &id))
                return false;
            e->node = id;
        }
    }
    if (!o.contains(u"cores"_s) && !o.contains(u"speed"_s) && !o.contains(u"price"_s))
        return r.fail(path, u"give the size: cores, speed or price"_s);
    if (o.contains(u"cores"_s)) {
        if (!r.intField(o.value(u"cores"_s), child(path, u"cores"_s), &e->cores))
            return false;
        if (const auto p = stampede::limits::check(stampede::limits::Limit::NodeCapacity, e->cores); !p.empty())
            return r.fail(child(path, u"cores"_s), QString::fromStdString(p));
    }
    if (o.contains(u"speed"_s)) {
        if (!r.number(o.value(u"speed"_s), child(path, u"speed"_s), &e->speed))
            return false;
        if (const auto p = stampede::limits::check(stampede::limits::Limit::NodeSpeed, e->speed); !p.empty())
            return r.fail(child(path, u"speed"_s), QString::fromStdString(p));
    }
    if (o.contains(u"price"_s)) {
        if (!r.number(o.value(u"price"_s), child(path, u"price"_s), &e->price))
            return false;
        if (const auto p = stampede::limits::check(stampede::limits::Limit::NodePrice, e->price); !p.empty())
            return r.fail(child(path, u"price"_s), QString::fromStdString(p));
    }
    return true;
}

bool readSweep(Reader &r, const QJsonValue &v, SweepSpec *out)
{
    const QString path = u"sweep"_s;
    QJsonObject o;
    if (!r.object(v, path, &o))
        return false;
    QStringList known = sweepKeys();
    known << u"seconds"_s << u"warmup_s"_s << u"load"_s;
    if (!r.knownKeys(o, path, known))
        return false;
    SweepSpec sw;
    if (o.contains(u"seconds"_s) && !r.number(o.value(u"seconds"_s), child(path, u"seconds"_s), &sw.seconds))
        return false;
    if (o.contains(u"warmup_s"_s) && !r.number(o.value(u"warmup_s"_s), child(path, u"warmup_s"_s), &sw.warmupS))
        return false;
    if (o.contains(u"load"_s)) {
        const QJsonValue l = o.value(u"load"_s);
        if (l != QJsonValue(u"max"_s) && l != QJsonValue(u"scenario"_s))
            return r.fail(child(path, u"load"_s), u"must be \"max\" or \"scenario\", got "_s + describe(l));
        sw.maxLoad = l == QJsonValue(u"max"_s);
    }
    for (const QString &key : sweepKeys()) {
        if (!o.contains(key))
            continue;
        const QString at = child(path, key);
        const QJsonValue list = o.value(key);
        if (!list.isArray())
            return r.fail(at, u"must be an array of numbers, got "_s + describe(list));
        SweepAxis axis { key, {} };
        const QJsonArray a = list.toArray();
        for (qsizetype i = 0; i < a.size(); ++i) {
            double x = 0;
            if (!r.number(a[i], at + u'[' + QString::number(i) + u']', &x))
                return false;
            axis.values.push_back(x);
        }
        sw.axes.push_back(std::move(axis));
    }
    if (sw.axes.empty())
        return r.fail(path, u"no setting to sweep; give one of "_s + sweepKeys().join(u", "_s));
    if (const QString problem = checkSweep(sw); !problem.isEmpty())
        return r.failWith(u"sweep."_s + problem);
    *out = std::move(sw);
    return true;
}

bool readAction(Reader &r, const QJsonValue &v, const QString &path, TimedEvent *e)
{
    switch (e->kind) {
    case EventKind::Spike: {
        QJsonObject o;
        if (!r.object(v, path, &o) || !r.knownKeys(o, path, { u"factor"_s, u"for_s"_s }))
            return false;
        if (!o.contains(u"factor"_s))
            return r.fail(child(path, u"factor"_s), u"missing"_s);
        if (!o.contains(u"for_s"_s))
            return r.fail(child(path, u"for_s"_s), u"missing"_s);
        return r.number(o.value(u"factor"_s), child(path, u"factor"_s), &e->factor)
            && r.number(o.value(u"for_s"_s), child(path, u"for_s"_s), &e->forS);
    }
    case EventKind::SetRate:
        return r.number(v, path, &e->rate);
    case EventKind::AddNodes:
        if (v.isObject()) // {"count": 2, "cores": 8, "speed": 1, "price": 2}: nodes of a size
            return readNodeSize(r, v, path, e, true);
        return r.intField(v, path, &e->count);
    case EventKind::ResizeNode:
        return readNodeSize(r, v, path, e, false);
    case EventKind::SetClosedLoop:
        return r.intField(v, path, &e->count);
    case EventKind::RemoveNode:
    case EventKind::KillNode: {
        if (v.isNull()) {
            e->node.reset(); // the engine picks
            return true;
        }
        if (!v.isDouble())
            return r.fail(path, u"must be a node id (integer) or null, got "_s + describe(v));
        int id = 0;
        if (!r.intField(v, path, &id))
            return false;
        e->node = id;
        return true;
    }
    case EventKind::SwitchStrategy:
        return r.choice(v, path, stampede::parseStrategy, stampede::strategyNames(), &e->strategy);
    case EventKind::Restock: {
        qint64 units = 0;
        if (!r.integer(v, path, &units))
            return false;
        e->units = units;
        return true;
    }
    case EventKind::AddCacheNodes:
        return r.intField(v, path, &e->count);
    case EventKind::RemoveCacheNode:
    case EventKind::KillCacheNode: {
        if (v.isNull()) {
            e->node.reset(); // the engine picks
            return true;
        }
        if (!v.isDouble())
            return r.fail(path, u"must be a cache node id (integer) or null, got "_s + describe(v));
        int id = 0;
        if (!r.intField(v, path, &id))
            return false;
        e->node = id;
        return true;
    }
    case EventKind::SetPlacement:
        return r.choice(v, path, stampede::parsePlacement, placementNames(), &e->placement);
    case EventKind::SetSingleFlight:
    case EventKind::SetIdempotent:
        return readBool(r, v, path, &e->on);
    case EventKind::SetTtlJitter:
    case EventKind::SetReadRatio:
        return r.number(v, path, &e->ratio);
    case EventKind::SetCounterRecovery:
        return r.choice(v, path, stampede::parseCounterRecovery, recoveryNames(), &e->recovery);
    case EventKind::AddConsumers:
        return r.intField(v, path, &e->count);
    case EventKind::RemoveConsumer:
    case EventKind::KillConsumer: {
        if (v.isNull()) {
            e->node.reset(); // the engine picks
            return true;
        }
        if (!v.isDouble())
            return r.fail(path, u"must be a consumer id (integer) or null, got "_s + describe(v));
        int id = 0;
        if (!r.intField(v, path, &id))
            return false;
        e->node = id;
        return true;
    }
    case EventKind::SetQueueFull:
        return r.choice(v, path, stampede::parseFullPolicy, fullPolicyNames(), &e->full);
    case EventKind::CelebrityPost:
    case EventKind::RemoveFanoutWorker:
    case EventKind::KillFanoutWorker:
    case EventKind::KillInboxShard:
    case EventKind::RebuildInboxShard: {
        if (v.isNull()) {
            e->node.reset(); // the engine picks (celebrity 0 for a post)
            return true;
        }
        if (!v.isDouble())
            return r.fail(path,
                (e->kind == EventKind::CelebrityPost ? u"must be a celebrity index (integer) or null, got "_s
                        : e->kind == EventKind::KillInboxShard || e->kind == EventKind::RebuildInboxShard
                        ? u"must be an inbox shard id (integer) or null, got "_s
                        : u"must be a fan-out worker id (integer) or null, got "_s)
                    + describe(v));
        int id = 0;
        if (!r.intField(v, path, &id))
            return false;
        e->node = id;
        return true;
    }
    case EventKind::SetFanoutMode:
        return r.choice(v, path, stampede::parseFanoutMode, fanoutModeNames(), &e->fanoutMode);
    case EventKind::SetFanoutThreshold: {
        qint64 t = 0;
        if (!r.integer(v, path, &t))
            return false;
        e->threshold = t;
        return true;
    }
    case EventKind::SetPostShare:
        return r.number(v, path, &e->ratio);
    case EventKind::AddFanoutWorkers:
    case EventKind::AddInboxShards:
        return r.intField(v, path, &e->count);
    case EventKind::Pause:
    case EventKind::Resume:
        if (v != QJsonValue(true))
            return r.fail(path, u"must be true, got "_s + describe(v));
        return true;
    }
    return false;
}

// `timeKey`: "at_s" in a scenario (required), "after_s" in a lesson step (optional, 0).
bool readEvent(Reader &r, const QJsonValue &v, const QString &path, TimedEvent *e, const QString &timeKey = u"at_s"_s)
{
    QJsonObject o;
    if (!r.object(v, path, &o))
        return false;
    QStringList actions;
    for (auto it = o.begin(); it != o.end(); ++it) {
        const QString &key = it.key();
        if (key == timeKey || key == u"for_s"_s)
            continue;
        const auto &names = eventNames();
        const auto found = std::find_if(names.begin(), names.end(), [&](const EventName &n) { return n.key == key; });
        if (found == names.end())
            return r.fail(path, u"unknown event \""_s + key + u"\" (known: "_s + eventKeyList() + u')');
        e->kind = found->kind;
        actions << key;
    }
    if (actions.isEmpty())
        return r.fail(path, u"no action; give one of "_s + eventKeyList());
    if (actions.size() > 1)
        return r.fail(path, u"more than one action ("_s + actions.join(u", "_s) + u"); give one action per event"_s);
    const bool timeRequired = timeKey == u"at_s"_s;
    if (timeRequired && !o.contains(timeKey))
        return r.fail(child(path, timeKey), u"missing"_s);
    e->atS = 0;
    if ((o.contains(timeKey) && !r.number(o.value(timeKey), child(path, timeKey), &e->atS))
        || !readAction(r, o.value(actions.first()), child(path, actions.first()), e))
        return false;
    // A pause's length sits beside it ({"at_s": 4, "pause": true, "for_s": 2}); a spike's is inside.
    if (o.contains(u"for_s"_s)) {
        const QString at = child(path, u"for_s"_s);
        if (e->kind != EventKind::Pause && e->kind != EventKind::KillNode)
            return r.fail(at, u"only a pause or a kill_node takes for_s beside its action"_s);
        if (!r.number(o.value(u"for_s"_s), at, &e->forS))
            return false;
        // A killed node's replacement comes up for_s run seconds after the kill.
        if (e->kind == EventKind::KillNode) {
            if (!(e->forS > 0) || e->forS > kMaxDurationS)
                return r.fail(at,
                    u"must be greater than 0 and at most "_s + QString::number(kMaxDurationS) + u" s, got "_s
                        + describe(o.value(u"for_s"_s)));
            return true;
        }
        // Given, it must be a length: 0 is not "until resumed" here (leave for_s out for that).
        if (const auto p = stampede::limits::check(stampede::limits::Limit::PauseSeconds, e->forS); !p.empty())
            return r.fail(at, QString::fromStdString(p));
    }
    return true;
}

} // namespace

QString eventKey(EventKind kind)
{
    for (const auto &n : eventNames())
        if (n.kind == kind)
            return n.key;
    return u"?"_s;
}

std::optional<Scenario> parseScenario(
    const QByteArray &json, const QString &source, QString *error, const QString &fallbackName)
{
    const std::optional<QJsonDocument> parsed = jsonread::parseJson(json, source, error);
    if (!parsed)
        return std::nullopt;
    const QJsonDocument &doc = *parsed;
    if (!doc.isObject()) {
        *error = source + u": "_s + kTopLevel + u": must be an object, got "_s
            + (doc.isArray() ? u"an array"_s : u"nothing"_s);
        return std::nullopt;
    }
    return parseScenarioValue(doc.object(), source, {}, error, fallbackName);
}

std::optional<TimedEvent> parseEventValue(
    const QJsonValue &v, const QString &source, const QString &path, QString *error)
{
    Reader r(source);
    TimedEvent e;
    if (!readEvent(r, v, path, &e, u"after_s"_s)) {
        *error = r.error();
        return std::nullopt;
    }
    return e;
}

std::optional<Scenario> parseScenarioValue(
    const QJsonValue &root, const QString &source, const QString &path, QString *error, const QString &fallbackName)
{
    Reader r(source, path);
    Scenario s;
    if (!fallbackName.isEmpty())
        s.config.name = fallbackName.toStdString();

    auto ok = [&]() -> bool {
        if (!root.isObject())
            return r.fail(path.isEmpty() ? kTopLevel : QString(), u"must be an object, got "_s + describe(root));
        const QJsonObject o = root.toObject();
        if (!r.knownKeys(o, {}, topLevelKeys()))
            return false;
        QString text;
        if (o.contains(u"name"_s)) {
            if (!r.string(o.value(u"name"_s), u"name"_s, &text))
                return false;
            if (text.trimmed().isEmpty())
                return r.fail(u"name"_s, u"must not be empty"_s);
            s.config.name = text.toStdString();
        }
        if (o.contains(u"title"_s) && !r.string(o.value(u"title"_s), u"title"_s, &s.title))
            return false;
        if (o.contains(u"description"_s) && !r.string(o.value(u"description"_s), u"description"_s, &s.description))
            return false;
        if (o.contains(u"seed"_s)) {
            qint64 seed = 0;
            bool clamped = false;
            if (!r.integer(o.value(u"seed"_s), u"seed"_s, &seed, &clamped))
                return false;
            if (seed < 0 || clamped)
                return r.fail(
                    u"seed"_s, u"must be a non-negative integer below 2^63, got "_s + describe(o.value(u"seed"_s)));
            s.config.seed = std::uint64_t(seed);
        }
        if (o.contains(u"duration_s"_s) && !r.number(o.value(u"duration_s"_s), u"duration_s"_s, &s.durationS))
            return false;
        if (o.contains(u"strategy"_s)
            && !r.choice(o.value(u"strategy"_s), u"strategy"_s, stampede::parseStrategy, stampede::strategyNames(),
                &s.config.strategy))
            return false;
        if (o.contains(u"stock"_s)) {
            qint64 stock = 0;
            if (!r.integer(o.value(u"stock"_s), u"stock"_s, &stock))
                return false;
            s.config.stock = stock;
        }
        if (o.contains(u"threads"_s) && !r.intField(o.value(u"threads"_s), u"threads"_s, &s.config.threads))
            return false;
        if (o.contains(u"traffic"_s) && !readTraffic(r, o.value(u"traffic"_s), &s.config.traffic))
            return false;
        if (o.contains(u"gateway"_s) && !readGateway(r, o.value(u"gateway"_s), &s.config.gateway))
            return false;
        if (o.contains(u"nodes"_s) && !readNodes(r, o.value(u"nodes"_s), &s.config.nodes))
            return false;
        if (o.contains(u"store"_s) && !readStore(r, o.value(u"store"_s), &s.config.store))
            return false;
        if (o.contains(u"cache"_s) && !readCache(r, o.value(u"cache"_s), &s.config.cache))
            return false;
        if (o.contains(u"queue"_s) && !readQueue(r, o.value(u"queue"_s), &s.config.queue))
            return false;
        if (o.contains(u"workload"_s)
            && !r.choice(o.value(u"workload"_s), u"workload"_s, stampede::parseWorkloadKind, workloadNames(),
                &s.config.workload))
            return false;
        if (o.contains(u"fanout"_s) && !readFanout(r, o.value(u"fanout"_s), &s.config.fanout))
            return false;
        if (o.contains(u"sweep"_s)) {
            SweepSpec sw;
            if (!readSweep(r, o.value(u"sweep"_s), &sw))
                return false;
            s.sweep = std::move(sw);
        }
        if (o.contains(u"events"_s)) {
            const QJsonValue ev = o.value(u"events"_s);
            if (!ev.isArray())
                return r.fail(u"events"_s, u"must be an array, got "_s + describe(ev));
            const QJsonArray list = ev.toArray();
            for (qsizetype i = 0; i < list.size(); ++i) {
                TimedEvent e;
                if (!readEvent(r, list[i], u"events["_s + QString::number(i) + u']', &e))
                    return false;
                s.events.push_back(e);
            }
        }
        const QString problem = checkScenario(s);
        if (!problem.isEmpty())
            return r.failWith(problem);
        foldResumes(&s.events);
        return true;
    }();

    if (!ok) {
        *error = r.error();
        return std::nullopt;
    }
    return s;
}
