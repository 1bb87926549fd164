#include "report.h"

#include "fanoutreport.h"

#include <QJsonArray>
#include <QLocale>
#include <QSaveFile>
#include <QStringList>

#include <cmath>

using namespace Qt::StringLiterals;
using stampede::RunResult;
using stampede::TickSample;

namespace {

QString fromStd(std::string_view s) { return QString::fromUtf8(s.data(), qsizetype(s.size())); }

QString csvNumber(double v) { return QString::number(v, 'g', 12); }

QString csvText(const QString &s)
{
    QString escaped = s;
    escaped.replace(u'"', u"\"\""_s);
    return u'"' + escaped + u'"';
}

QString count(std::int64_t v)
{
    static const QLocale english(QLocale::English, QLocale::UnitedStates);
    return english.toString(qint64(v));
}

QString ms(double v) { return QString::number(v, 'f', 2); }

QString percent(double fraction) { return QString::number(fraction * 100, 'f', 1) + u" %"_s; }

} // namespace

QJsonObject reportJson(const Scenario &scenario, const RunResult &r)
{
    const auto &c = scenario.config;
    const auto &f = r.final;
    // Sections the run lacks report zeros, as documented.
    const stampede::CacheView fCache = f.cache.value_or(stampede::CacheView {});
    const stampede::QueueView fQueue = f.queue.value_or(stampede::QueueView {});
    const auto &a = r.audit;

    QJsonArray events;
    for (const stampede::Marker &m : r.markers)
        events.append(QJsonObject { { u"t_s"_s, m.t }, { u"label"_s, QString::fromStdString(m.label) } });

    const bool fanout = c.workload == stampede::WorkloadKind::Fanout;
    QJsonObject out {
        { u"scenario"_s, QString::fromStdString(c.name) },
        // a fan-out run's approach is its mode (push, pull, hybrid)
        { u"strategy"_s,
            fanout ? fromStd(stampede::toString(f.fanout ? f.fanout->mode : c.fanout.mode))
                   : fromStd(stampede::toString(c.strategy)) },
        { u"workload"_s, fromStd(stampede::toString(c.workload)) },
        { u"seed"_s, qint64(c.seed) },
        { u"duration_s"_s, scenario.durationS },
        { u"requests"_s,
            QJsonObject {
                { u"attempted"_s, qint64(f.attempts) },
                { u"succeeded"_s, qint64(f.succeeded) },
                { u"sold_out"_s, qint64(f.soldOut) },
                { u"rate_limited"_s, qint64(f.rateLimited) },
                { u"failed"_s, qint64(f.failed) },
            } },
        { u"stock"_s,
            QJsonObject {
                { u"initial"_s, qint64(a.supplied) },
                { u"sold"_s, qint64(a.persisted) },
                { u"remaining"_s, qint64(a.remaining) },
            } },
        { u"consistency"_s,
            QJsonObject {
                { u"oversold"_s, qint64(a.oversold) },
                { u"lost_orders"_s, qint64(a.lostOrders) },
                { u"duplicate_orders"_s, qint64(a.duplicateOrders) },
                { u"stale_reads"_s, qint64(a.staleReads) },
            } },
        { u"throughput_per_s"_s,
            QJsonObject {
                { u"mean"_s, r.meanThroughput },
                { u"peak"_s, f.peakThroughput },
            } },
        { u"latency_ms"_s,
            QJsonObject {
                { u"p50"_s, f.p50Ms },
                { u"p95"_s, f.p95Ms },
                { u"p99"_s, f.p99Ms },
                { u"max"_s, f.maxMs },
            } },
        { u"invariants_ok"_s, a.invariantsOk },
        // Extras beyond DESIGN.md's minimum.
        { u"failed_by_cause"_s,
            QJsonObject {
                { u"node_down"_s, qint64(f.failedNodeDown) },
                { u"timeout"_s, qint64(f.failedTimeout) },
                { u"overloaded"_s, qint64(f.failedOverloaded) },
            } },
        { u"false_sold_out"_s, qint64(a.falseSoldOut) },
        { u"conserved"_s, a.conserved },
        { u"drained"_s, a.drained },
        { u"nodes"_s, c.nodes.count },
        { u"rate_per_s"_s, c.traffic.ratePerS },
        { u"mode"_s, fromStd(stampede::toString(c.traffic.mode)) },
        { u"events"_s, events },
        // The read path (cache-aside views) and the cache tier; zeros when neither was used.
        { u"cache"_s,
            QJsonObject {
                { u"hit_ratio"_s, fCache.hitRatio },
                { u"keys_moved_last_change"_s, fCache.keysMovedLast },
                { u"stale_reads"_s, qint64(fCache.staleReads) },
                { u"views"_s, qint64(fCache.views) },
                { u"store_reads"_s, qint64(fCache.storeReads) },
                { u"store_read_peak_per_s"_s, fCache.storeReadPeak },
                { u"evictions"_s, qint64(fCache.evictions) },
            } },
        // The order queue of cache-queue; zeros when it was not used.
        { u"queue"_s,
            QJsonObject {
                { u"max_backlog"_s, qint64(fQueue.maxBacklog) },
                { u"max_lag_ms"_s, fQueue.maxLagMs },
                { u"redelivered"_s, qint64(fQueue.redelivered) },
                { u"duplicates"_s, qint64(fQueue.duplicates) },
                { u"enqueued"_s, qint64(fQueue.enqueued) },
                { u"persisted"_s, qint64(fQueue.dequeued) },
                { u"rejected"_s, qint64(fQueue.queueRejected) },
            } },
    };
    // The app nodes at the end (issue 14): their sizes and prices, and what they coordinate through.
    if (!fanout && r.final.app) {
        QJsonArray nodes;
        double price = 0;
        int cores = 0, up = 0;
        for (const auto &n : r.final.app->nodes) {
            nodes.append(QJsonObject { { u"id"_s, n.id }, { u"state"_s, fromStd(stampede::toString(n.state)) },
                { u"cores"_s, n.capacity }, { u"speed"_s, n.speed }, { u"price"_s, n.price } });
            if (n.state == stampede::NodeState::Up) {
                ++up;
                cores += n.capacity;
                price += n.price;
            }
        }
        out.insert(u"cluster"_s,
            QJsonObject { { u"coordination"_s, fromStd(stampede::toString(r.final.app->coordination)) },
                { u"serial_ms"_s, r.final.app->serialMs }, { u"exchange_ms"_s, r.final.app->exchangeMs },
                { u"nodes_up"_s, up }, { u"cores_up"_s, cores }, { u"price_up"_s, price }, { u"nodes"_s, nodes } });
    }
    // A real stock store (issue 17): which server, and whether every statement went through.
    if (r.final.store && r.final.store->backend != stampede::StoreBackend::Embedded) {
        const stampede::StoreView &st = *r.final.store;
        out.insert(u"store_backend"_s,
            QJsonObject { { u"backend"_s, fromStd(stampede::toString(st.backend)) },
                { u"server"_s, QString::fromStdString(st.server) },
                { u"version"_s, QString::fromStdString(st.serverVersion) },
                { u"started_by_stampede"_s, st.serverStarted }, { u"connections"_s, st.connections },
                { u"errors"_s, qint64(st.errors) }, { u"first_error"_s, QString::fromStdString(st.firstError) },
                { u"audited_by"_s, u"database"_s } });
    }
    // The celebrity fan-out (issue 13): present for fan-out runs only.
    if (fanout)
        out.insert(u"fanout"_s, fanoutReportJson(scenario, r));
    return out;
}

QByteArray timelineCsv(const std::vector<TickSample> &timeline, const std::vector<stampede::Marker> &markers)
{
    static const QStringList header {
        u"t_s"_s,
        u"offered_per_s"_s,
        u"attempts_per_s"_s,
        u"succeeded_per_s"_s,
        u"sold_out_per_s"_s,
        u"rate_limited_per_s"_s,
        u"failed_per_s"_s,
        u"failed_node_down_per_s"_s,
        u"failed_timeout_per_s"_s,
        u"failed_overloaded_per_s"_s,
        u"p50_ms"_s,
        u"p95_ms"_s,
        u"p99_ms"_s,
        u"max_ms"_s,
        u"lock_wait_mean_ms"_s,
        u"lock_wait_max_ms"_s,
        u"utilisation_ratio"_s,
        u"in_flight_requests"_s,
        u"backlog_requests"_s,
        u"nodes_up_count"_s,
        u"stock_remaining_units"_s,
        u"sold_units"_s,
        u"confirmed_units"_s,
        u"oversold_units"_s,
        u"lost_orders_count"_s,
        u"false_sold_out_count"_s,
        u"attempts_total_count"_s,
        u"events_text"_s,
        // Appended after the original columns so that their positions never change.
        u"views_per_s"_s,
        u"view_hits_per_s"_s,
        u"view_misses_per_s"_s,
        u"hit_ratio"_s,
        u"evictions_per_s"_s,
        u"store_reads_per_s"_s,
        u"stale_reads_per_s"_s,
        u"stale_reads_total_count"_s,
        u"enqueued_per_s"_s,
        u"dequeued_per_s"_s,
        u"queue_backlog_messages"_s,
        u"queue_lag_ms"_s,
        u"consumers_up_count"_s,
        u"redelivered_total_count"_s,
        u"duplicates_total_count"_s,
        u"cache_stock_units"_s,
        u"divergence_units"_s,
        // The fan-out's (zeros for a flash sale).
        u"posts_per_s"_s,
        u"timeline_reads_per_s"_s,
        u"inbox_writes_per_s"_s,
        u"fetches_per_read"_s,
        u"fanout_stale_reads_per_s"_s,
        u"fanout_backlog_writes"_s,
        u"fanout_drain_per_s"_s,
        u"visible_ratio"_s,
        u"tracked_post_id"_s,
        u"hot_shard_utilisation_ratio"_s,
        u"fanout_workers_up_count"_s,
        u"inbox_entries_count"_s,
        u"fanout_duplicates_total_count"_s,
        u"fanout_redelivered_total_count"_s,
        u"fanout_stale_reads_total_count"_s,
    };
    QString out = header.join(u',') + u'\n';
    std::size_t nextMarker = 0;
    for (std::size_t i = 0; i < timeline.size(); ++i) {
        const TickSample &t = timeline[i];
        // Every column in every row: a section the run lacks writes zeros.
        const auto tApp = t.app.value_or(stampede::AppTierSample {});
        const auto tStore = t.store.value_or(stampede::StoreSample {});
        const auto tCache = t.cache.value_or(stampede::CacheSample {});
        const auto tQueue = t.queue.value_or(stampede::QueueSample {});
        const auto tFan = t.fanout.value_or(stampede::FanoutSample {});
        // Markers up to this tick's end belong to it; the last tick takes any stragglers.
        QStringList labels;
        const bool last = i + 1 == timeline.size();
        while (nextMarker < markers.size() && (last || markers[nextMarker].t <= t.t))
            labels << QString::fromStdString(markers[nextMarker++].label);
        const QStringList row {
            csvNumber(t.t),
            csvNumber(t.offeredRate),
            csvNumber(t.attempts),
            csvNumber(t.succeeded),
            csvNumber(t.soldOut),
            csvNumber(t.rateLimited),
            csvNumber(t.failed),
            csvNumber(t.failedNodeDown),
            csvNumber(t.failedTimeout),
            csvNumber(t.failedOverloaded),
            csvNumber(t.p50Ms),
            csvNumber(t.p95Ms),
            csvNumber(t.p99Ms),
            csvNumber(t.maxMs),
            csvNumber(tStore.lockWaitMeanMs),
            csvNumber(tStore.lockWaitMaxMs),
            csvNumber(tApp.utilisation),
            QString::number(tApp.inFlight),
            QString::number(tApp.backlog),
            QString::number(tApp.nodesUp),
            QString::number(tStore.stockRemaining),
            QString::number(tStore.sold),
            QString::number(tStore.confirmed),
            QString::number(tStore.oversold),
            QString::number(tStore.lostOrders),
            QString::number(tStore.falseSoldOut),
            QString::number(t.attemptsTotal),
            csvText(labels.join(u"; "_s)),
            csvNumber(tCache.views),
            csvNumber(tCache.viewHits),
            csvNumber(tCache.viewMisses),
            csvNumber(tCache.hitRatio),
            csvNumber(tCache.evictions),
            csvNumber(tCache.storeReads),
            csvNumber(tCache.staleReads),
            QString::number(tCache.staleReadsTotal),
            csvNumber(tQueue.enqueued),
            csvNumber(tQueue.dequeued),
            QString::number(tQueue.queueBacklog),
            csvNumber(tQueue.queueLagMs),
            QString::number(tQueue.consumersUp),
            QString::number(tQueue.redeliveredTotal),
            QString::number(tQueue.duplicatesTotal),
            QString::number(tCache.cacheStock),
            QString::number(tCache.divergence),
            csvNumber(tFan.posts),
            csvNumber(tFan.reads),
            csvNumber(tFan.inboxWrites),
            csvNumber(tFan.fetchesPerRead),
            csvNumber(tFan.staleReads),
            QString::number(tFan.backlog),
            csvNumber(tFan.drainRate),
            csvNumber(tFan.visible),
            QString::number(tFan.trackedPost),
            csvNumber(tFan.hotShardUtilisation),
            QString::number(tFan.workersUp),
            QString::number(tFan.entries),
            QString::number(tFan.duplicatesTotal),
            QString::number(tFan.redeliveredTotal),
            QString::number(tFan.staleReadsTotal),
        };
        out += row.join(u',') + u'\n';
    }
    return out.toUtf8();
}

QString summaryText(const Scenario &scenario, const RunResult &r)
{
    const auto &c = scenario.config;
    const auto &f = r.final;
    // Sections the run lacks report zeros, as documented.
    const stampede::CacheView fCache = f.cache.value_or(stampede::CacheView {});
    const stampede::QueueView fQueue = f.queue.value_or(stampede::QueueView {});
    const auto &a = r.audit;

    const QString traffic = c.traffic.mode == stampede::TrafficMode::Closed
        ? QString(QString::number(c.traffic.clients) + u" clients as fast as possible"_s)
        : QString(count(std::llround(c.traffic.ratePerS)) + u"/s"_s);

    QStringList problems;
    if (a.oversold > 0)
        problems << u"oversold"_s;
    if (a.lostOrders > 0)
        problems << u"lost orders"_s;
    if (a.duplicateOrders > 0)
        problems << u"duplicate orders"_s;
    if (!a.conserved)
        problems << u"stock not conserved"_s;
    if (!a.drained)
        problems << u"not drained"_s;

    const bool fanout = c.workload == stampede::WorkloadKind::Fanout;
    QList<std::pair<QString, QString>> lines {
        { u"scenario"_s,
            QString::fromStdString(c.name) + u"  ("_s + QString::number(scenario.durationS, 'f', 1) + u" s, seed "_s
                + QString::number(c.seed) + u", "_s
                + (fanout ? count(c.fanout.users) + u" users, "_s : QString::number(c.nodes.count) + u" nodes, "_s)
                + traffic + u')' },
    };
    if (fanout) {
        const stampede::FanoutView fv = f.fanout.value_or(stampede::FanoutView {});
        lines.append({ u"workload"_s,
            u"fan-out, "_s + fromStd(stampede::toString(fv.mode))
                + (fv.mode == stampede::FanoutMode::Hybrid ? u" (threshold "_s + count(fv.threshold) + u" followers)"_s
                                                           : QString()) });
        problems.clear(); // no stock or orders here: the fan-out's own invariants
        if (fv.duplicates > 0)
            problems << u"duplicate inbox entries"_s;
        if (fv.lostWrites > 0)
            problems << u"inbox writes lost"_s;
        if (fv.refusedFanouts > 0)
            problems << u"fan-outs refused"_s;
        if (!a.drained)
            problems << u"not drained"_s;
    } else {
        lines.append({ u"strategy"_s, fromStd(stampede::toString(c.strategy)) });
        if (f.store && f.store->backend != stampede::StoreBackend::Embedded) {
            const stampede::StoreView &st = *f.store;
            lines.append({ u"store"_s,
                u"PostgreSQL "_s + QString::fromStdString(st.serverVersion) + u" at "_s
                    + QString::fromStdString(st.server)
                    + (st.serverStarted ? u" (a private server for this run)"_s : QString()) + u", "_s
                    + QString::number(st.connections) + u" connections, audited by the database"_s });
            if (st.errors > 0) {
                lines.append({ u"store errors"_s,
                    count(qint64(st.errors)) + u"  (first: "_s + QString::fromStdString(st.firstError) + u')' });
                problems << u"store errors"_s;
            }
        }
    }
    for (const QString &note : scenario.notes)
        lines.append({ u"note"_s, note });
    if (fanout)
        lines += fanoutSummaryLines(scenario, r);
    else
        lines += QList<std::pair<QString, QString>> {
            { u"attempts"_s, count(f.attempts) },
            { u"succeeded"_s, count(f.succeeded) },
            { u"sold out"_s, count(f.soldOut) + u"  (false sold-out "_s + count(a.falseSoldOut) + u')' },
            { u"rate limited"_s, count(f.rateLimited) },
            { u"failed"_s,
                count(f.failed) + u"  (node down "_s + count(f.failedNodeDown) + u", timeout "_s
                    + count(f.failedTimeout) + u", overloaded "_s + count(f.failedOverloaded) + u')' },
            { u"stock"_s,
                u"initial "_s + count(a.supplied) + u"  sold "_s + count(a.persisted) + u"  remaining "_s
                    + count(a.remaining) },
            { u"OVERSOLD"_s, count(a.oversold) },
            { u"lost orders"_s, count(a.lostOrders) + u"  (duplicates "_s + count(a.duplicateOrders) + u')' },
        };
    lines += QList<std::pair<QString, QString>> {
        { u"latency ms"_s,
            u"p50 "_s + ms(f.p50Ms) + u"  p95 "_s + ms(f.p95Ms) + u"  p99 "_s + ms(f.p99Ms) + u"  max "_s
                + ms(f.maxMs) },
        { u"throughput/s"_s,
            u"mean "_s + count(std::llround(r.meanThroughput)) + u"  peak "_s + count(std::llround(f.peakThroughput)) },
    };
    if (fCache.views > 0) {
        QString cache = u"views "_s + count(fCache.views) + u"  hit ratio "_s + percent(fCache.hitRatio)
            + u"  stale reads "_s + count(fCache.staleReads) + u"  store reads "_s + count(fCache.storeReads)
            + u" (peak "_s + count(std::llround(fCache.storeReadPeak)) + u"/s)  evictions "_s + count(fCache.evictions);
        if (fCache.cacheChanges > 0)
            cache += u"  keys moved "_s + percent(fCache.keysMovedLast) + u" (last change)"_s;
        lines.append({ u"cache"_s, cache });
    }
    if (fQueue.enqueued > 0)
        lines.append({ u"queue"_s,
            u"enqueued "_s + count(fQueue.enqueued) + u"  persisted "_s + count(fQueue.dequeued) + u"  rejected "_s
                + count(fQueue.queueRejected) + u"  max backlog "_s + count(fQueue.maxBacklog) + u"  max lag "_s
                + ms(fQueue.maxLagMs) + u" ms  redelivered "_s + count(fQueue.redelivered) + u"  duplicates "_s
                + count(fQueue.duplicates) });
    lines += QList<std::pair<QString, QString>> {
        { u"invariants"_s,
            a.invariantsOk           ? u"OK"_s
                : problems.isEmpty() ? u"VIOLATED"_s
                                     : QString(u"VIOLATED ("_s + problems.join(u", "_s) + u')') },
    };
    QString out;
    for (const auto &[label, value] : lines)
        out += label.leftJustified(14) + value + u'\n';
    return out;
}

bool writeOutputFile(const QString &option, const QString &path, const QByteArray &data, QString *error)
{
    // QSaveFile: a reader never sees half a report, and a failed write leaves the old file.
    QSaveFile file(path);
    if (!file.open(QIODevice::WriteOnly) || file.write(data) != data.size() || !file.commit()) {
        *error = option + u": cannot write "_s + path + u": "_s + file.errorString();
        return false;
    }
    return true;
}
