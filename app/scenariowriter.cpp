// A scenario back to JSON, in the keys the loader reads (the loader's inverse).

#include "scenario.h"

#include <QJsonArray>
#include <QJsonObject>
#include <QUrl>

using namespace Qt::StringLiterals;
using stampede::EventKind;
using stampede::TimedEvent;

namespace {

QString fromStd(std::string_view s) { return QString::fromUtf8(s.data(), qsizetype(s.size())); }

// add_nodes' object form or resize_node's: the first key, then the size fields that are given.
QJsonObject nodeSize(const TimedEvent &e, const QString &firstKey, const QJsonValue &first)
{
    QJsonObject o { { firstKey, first } };
    if (e.cores > 0)
        o.insert(u"cores"_s, e.cores);
    if (e.speed > 0)
        o.insert(u"speed"_s, e.speed);
    if (e.price >= 0)
        o.insert(u"price"_s, e.price);
    return o;
}

} // namespace

QJsonObject scenarioToJson(const Scenario &s)
{
    const auto &c = s.config;
    auto optional = [](const std::optional<double> &v) { return v ? QJsonValue(*v) : QJsonValue(QJsonValue::Null); };
    QJsonObject traffic {
        { u"mode"_s, fromStd(stampede::toString(c.traffic.mode)) },
        { u"rate_per_s"_s, c.traffic.ratePerS },
        { u"clients"_s, c.traffic.clients },
        { u"users"_s, qint64(c.traffic.users) },
        { u"skus"_s, c.traffic.skus },
        { u"sku_skew"_s, c.traffic.skuSkew },
        { u"read_ratio"_s, c.traffic.readRatio },
    };
    QJsonObject gateway {
        { u"policy"_s, fromStd(stampede::toString(c.gateway.policy)) },
        { u"rate_limit_per_s"_s, optional(c.gateway.rateLimitPerS) },
    };
    QJsonObject nodes {
        { u"count"_s, c.nodes.count },
        { u"capacity"_s, c.nodes.capacity },
        { u"queue_limit"_s, c.nodes.queueLimit },
        { u"service_ms"_s, c.nodes.serviceMs },
        { u"service_dist"_s, fromStd(stampede::toString(c.nodes.serviceDist)) },
        { u"timeout_ms"_s, optional(c.nodes.timeoutMs) },
        { u"speed"_s, c.nodes.speed },
        { u"price"_s, optional(c.nodes.price) },
        { u"coordination"_s, fromStd(stampede::toString(c.nodes.coordination)) },
        { u"serial_ms"_s, c.nodes.serialMs },
        { u"exchange_ms"_s, c.nodes.exchangeMs },
    };
    QJsonObject store {
        { u"latency_ms"_s, c.store.latencyMs },
        { u"write_ms"_s, c.store.writeMs },
        { u"buckets"_s, c.store.buckets },
        { u"probes"_s, c.store.probes },
    };
    if (c.store.backend != stampede::StoreBackend::Embedded) {
        store.insert(u"backend"_s, fromStd(stampede::toString(c.store.backend)));
        store.insert(u"connections"_s, c.store.connections);
        // A saved scenario is shared: it keeps the server, never the password. (Written only when
        // something is left, so that a written scenario reloads as itself.)
        QUrl url(QString::fromStdString(c.store.url));
        url.setPassword(QString());
        if (const QString text = url.toString(); !c.store.url.empty() && !text.isEmpty())
            store.insert(u"url"_s, text);
    }
    QJsonObject cache {
        { u"nodes"_s, c.cache.nodes },
        { u"placement"_s, fromStd(stampede::toString(c.cache.placement)) },
        { u"virtual_nodes"_s, c.cache.virtualNodes },
        { u"latency_ms"_s, c.cache.latencyMs },
        { u"op_ms"_s, c.cache.opMs },
        { u"keys"_s, c.cache.keys },
        { u"ttl_ms"_s, c.cache.ttlMs },
        { u"ttl_jitter"_s, c.cache.ttlJitter },
        { u"single_flight"_s, c.cache.singleFlight },
        { u"counter_recovery"_s, fromStd(stampede::toString(c.cache.recovery)) },
    };
    QJsonObject queue {
        { u"partitions"_s, c.queue.partitions },
        { u"capacity"_s, c.queue.capacity },
        { u"consumers"_s, c.queue.consumers },
        { u"batch"_s, c.queue.batch },
        { u"ack_ms"_s, c.queue.ackMs },
        { u"when_full"_s, fromStd(stampede::toString(c.queue.whenFull)) },
        { u"idempotent"_s, c.queue.idempotent },
    };
    const auto &f = c.fanout;
    QJsonArray celebrities;
    for (std::uint32_t n : f.celebrities)
        celebrities.append(qint64(n));
    QJsonObject fanout {
        { u"users"_s, qint64(f.users) },
        { u"follows_per_user"_s, f.followsPerUser },
        { u"follower_exponent"_s, f.followerExponent },
        { u"celebrities"_s, celebrities },
        { u"mode"_s, fromStd(stampede::toString(f.mode)) },
        { u"threshold"_s, qint64(f.threshold) },
        { u"post_share"_s, f.postShare },
        { u"celebrity_readers"_s, f.celebrityReaders },
        { u"workers"_s, f.workers },
        { u"batch"_s, f.batch },
        { u"write_ms"_s, f.writeMs },
        { u"fetch_ms"_s, f.fetchMs },
        { u"ack_ms"_s, f.ackMs },
        { u"inbox_size"_s, f.inboxSize },
        { u"inbox_shards"_s, f.inboxShards },
        { u"post_log"_s, qint64(f.postLog) },
        { u"idempotent"_s, f.idempotent },
    };
    QJsonArray events;
    for (const TimedEvent &e : s.events) {
        QJsonValue action;
        switch (e.kind) {
        case EventKind::Spike:
            action = QJsonObject { { u"factor"_s, e.factor }, { u"for_s"_s, e.forS } };
            break;
        case EventKind::SetRate:
            action = e.rate;
            break;
        case EventKind::AddNodes:
            if (e.cores > 0 || e.speed > 0 || e.price >= 0) {
                action = nodeSize(e, u"count"_s, QJsonValue(e.count));
                break;
            }
            action = e.count;
            break;
        case EventKind::ResizeNode:
            action = nodeSize(e, u"node"_s, e.node ? QJsonValue(*e.node) : QJsonValue(QJsonValue::Null));
            break;
        case EventKind::SetClosedLoop:
            action = e.count;
            break;
        case EventKind::RemoveNode:
        case EventKind::KillNode:
            action = e.node ? QJsonValue(*e.node) : QJsonValue(QJsonValue::Null);
            break;
        case EventKind::SwitchStrategy:
            action = fromStd(stampede::toString(e.strategy));
            break;
        case EventKind::Restock:
            action = qint64(e.units);
            break;
        case EventKind::Pause:
        case EventKind::Resume:
            action = true;
            break;
        case EventKind::AddCacheNodes:
            action = e.count;
            break;
        case EventKind::RemoveCacheNode:
        case EventKind::KillCacheNode:
            action = e.node ? QJsonValue(*e.node) : QJsonValue(QJsonValue::Null);
            break;
        case EventKind::SetPlacement:
            action = fromStd(stampede::toString(e.placement));
            break;
        case EventKind::SetSingleFlight:
        case EventKind::SetIdempotent:
            action = e.on;
            break;
        case EventKind::SetTtlJitter:
        case EventKind::SetReadRatio:
            action = e.ratio;
            break;
        case EventKind::SetCounterRecovery:
            action = fromStd(stampede::toString(e.recovery));
            break;
        case EventKind::AddConsumers:
            action = e.count;
            break;
        case EventKind::RemoveConsumer:
        case EventKind::KillConsumer:
            action = e.node ? QJsonValue(*e.node) : QJsonValue(QJsonValue::Null);
            break;
        case EventKind::SetQueueFull:
            action = fromStd(stampede::toString(e.full));
            break;
        case EventKind::CelebrityPost:
        case EventKind::RemoveFanoutWorker:
        case EventKind::KillFanoutWorker:
        case EventKind::KillInboxShard:
        case EventKind::RebuildInboxShard:
            action = e.node ? QJsonValue(*e.node) : QJsonValue(QJsonValue::Null);
            break;
        case EventKind::SetFanoutMode:
            action = fromStd(stampede::toString(e.fanoutMode));
            break;
        case EventKind::SetFanoutThreshold:
            action = qint64(e.threshold);
            break;
        case EventKind::SetPostShare:
            action = e.ratio;
            break;
        case EventKind::AddFanoutWorkers:
        case EventKind::AddInboxShards:
            action = e.count;
            break;
        }
        QJsonObject event { { u"at_s"_s, e.atS }, { eventKey(e.kind), action } };
        if ((e.kind == EventKind::Pause || e.kind == EventKind::KillNode) && e.forS > 0)
            event.insert(u"for_s"_s, e.forS); // beside the action, as the loader reads it
        events.append(event);
    }
    QJsonObject out {
        { u"name"_s, QString::fromStdString(c.name) },
        { u"title"_s, s.title },
        { u"description"_s, s.description },
        { u"seed"_s, qint64(c.seed) },
        { u"duration_s"_s, s.durationS },
        { u"strategy"_s, fromStd(stampede::toString(c.strategy)) },
        { u"stock"_s, qint64(c.stock) },
        { u"threads"_s, c.threads },
        { u"traffic"_s, traffic },
        { u"gateway"_s, gateway },
        { u"nodes"_s, nodes },
        { u"store"_s, store },
        { u"cache"_s, cache },
        { u"queue"_s, queue },
        { u"events"_s, events },
    };
    if (s.sweep) {
        QJsonObject sweep { { u"seconds"_s, s.sweep->seconds }, { u"warmup_s"_s, s.sweep->warmupS },
            { u"load"_s, s.sweep->maxLoad ? u"max"_s : u"scenario"_s } };
        for (const SweepAxis &a : s.sweep->axes) {
            QJsonArray values;
            for (double v : a.values)
                values.append(v);
            sweep.insert(a.key, values);
        }
        out.insert(u"sweep"_s, sweep);
    }
    // A flash sale's file stays as it was; a fan-out's names its workload and carries its section.
    if (c.workload != stampede::WorkloadKind::FlashSale) {
        out.insert(u"workload"_s, fromStd(stampede::toString(c.workload)));
        out.insert(u"fanout"_s, fanout);
    }
    return out;
}
