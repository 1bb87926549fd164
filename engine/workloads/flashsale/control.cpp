// The flash sale's control side (control mutex held): its commands routed to the subsystem that
// owns them, its part of the tick and the snapshot, reset and the audit.

#include "flashsale.h"

#include "limittable.h"
#include "runtime.h"

#include <algorithm>
#include <sstream>

namespace stampede {

namespace {

std::string fmt(double v)
{
    std::ostringstream os;
    os << v;
    return os.str();
}

} // namespace

// One line per command: which part handles it. (Traffic commands are the runtime's.)
CommandResult FlashSale::apply(const TimedEvent &e)
{
    const bool countersInCache = m_strategy.load() == Strategy::CacheQueue;
    switch (e.kind) {
    case EventKind::AddNodes: {
        const bool sized = e.cores > 0 || e.speed > 0 || e.price >= 0;
        return m_app.addNodes(
            e.count, sized ? std::optional<NodeSize>(m_app.sizeFrom(e.cores, e.speed, e.price)) : std::nullopt);
    }
    case EventKind::RemoveNode:
        return m_app.removeNode(e.node);
    case EventKind::KillNode:
        return m_app.killNode(e.node, e.forS);
    case EventKind::ResizeNode:
        return m_app.resizeNode(e.node, m_app.sizeFrom(e.cores, e.speed, e.price));
    case EventKind::SwitchStrategy:
        return switchStrategy(e.strategy);
    case EventKind::Restock: {
        auto r = m_store.restock(e.units);
        if (r.ok && m_pg)
            if (const std::string error = m_pg->restock(e.units, m_strategy.load() == Strategy::Sharded);
                !error.empty())
                return CommandResult::fail(error);
        if (r.ok && countersInCache)
            for (int sku = 0; sku < m_skus; ++sku) {
                const int owner = m_cache.ownerNow(counterKey(sku));
                if (owner >= 0) // a missing counter picks the units up when it is reloaded
                    m_cache.node(owner).add(counterKey(sku), e.units);
            }
        return r;
    }
    case EventKind::AddCacheNodes:
        return m_cache.addNodes(e.count);
    case EventKind::RemoveCacheNode:
        return m_cache.removeNode(e.node, countersInCache);
    case EventKind::KillCacheNode:
        return m_cache.killNode(e.node);
    case EventKind::SetPlacement:
        return m_cache.setPlacement(e.placement);
    case EventKind::SetSingleFlight:
        return m_cache.setSingleFlight(e.on);
    case EventKind::SetTtlJitter:
        return m_cache.setTtlJitter(e.ratio);
    case EventKind::SetReadRatio:
        return setReadRatio(e.ratio);
    case EventKind::SetCounterRecovery:
        return setCounterRecovery(e.recovery);
    case EventKind::AddConsumers:
        return m_queue.addConsumers(e.count);
    case EventKind::RemoveConsumer:
        return m_queue.removeConsumer(e.node);
    case EventKind::KillConsumer:
        return m_queue.killConsumer(e.node);
    case EventKind::SetIdempotent:
        return m_queue.setIdempotent(e.on);
    case EventKind::SetQueueFull:
        return m_queue.setFullPolicy(e.full);
    case EventKind::Spike:
    case EventKind::SetRate:
    case EventKind::SetClosedLoop:
    case EventKind::Pause:
    case EventKind::Resume:
        break; // the runtime's
    case EventKind::CelebrityPost:
    case EventKind::SetFanoutMode:
    case EventKind::SetFanoutThreshold:
    case EventKind::SetPostShare:
    case EventKind::AddFanoutWorkers:
    case EventKind::RemoveFanoutWorker:
    case EventKind::KillFanoutWorker:
    case EventKind::AddInboxShards:
    case EventKind::KillInboxShard:
    case EventKind::RebuildInboxShard:
        return CommandResult::fail(
            "flash sale run: that command belongs to the fan-out (posts, workers, inbox shards)");
    }
    return CommandResult::fail("unknown command");
}

CommandResult FlashSale::switchStrategy(Strategy s)
{
    if (m_pg && s == Strategy::CacheQueue)
        return CommandResult::fail("strategy cache-queue: keeps its counters and queue in the embedded cache tier; "
                                   "not with store.backend postgres");
    if (s == Strategy::CacheQueue && m_strategy.load() != Strategy::CacheQueue && m_cache.upNodes() == 0)
        return CommandResult::fail("strategy cache-queue: needs a cache node up (add one first)");
    if (m_pg) {
        const bool spread = m_strategy.load() == Strategy::Sharded;
        if (spread != (s == Strategy::Sharded))
            if (const std::string error = m_pg->setSpread(s == Strategy::Sharded); !error.empty())
                return CommandResult::fail(error);
    }
    const Strategy old = m_strategy.exchange(s);
    if (old == s)
        return {};
    if (s == Strategy::CacheQueue) {
        m_queue.markUsed();
        loadCounters();
    }
    m_store.setSpread(s == Strategy::Sharded);
    m_rt.mark("strategy " + std::string(toString(s)));
    return {};
}

CommandResult FlashSale::setReadRatio(double ratio)
{
    if (!limits::inRange(limits::Limit::ReadRatio, ratio))
        return CommandResult::fail("read ratio: " + limits::describe(limits::Limit::ReadRatio) + " views per purchase");
    if (m_pg && ratio > 0)
        return CommandResult::fail("read ratio: page views read the embedded store; not with store.backend postgres");
    if (m_readRatio.exchange(ratio) == ratio)
        return {};
    m_rt.mark("reads " + fmt(ratio) + ":1");
    return {};
}

CommandResult FlashSale::setCounterRecovery(CounterRecovery r)
{
    if (r != CounterRecovery::ReloadFromStore && r != CounterRecovery::ResetToInitial)
        return CommandResult::fail("counter recovery: must be reload-from-store or reset-to-initial");
    if (m_recovery.exchange(r) == r)
        return {};
    m_rt.mark("counter recovery " + std::string(toString(r)));
    return {};
}

void FlashSale::reset()
{
    m_strategy.store(m_config.strategy);
    m_app.reset();
    m_store.reset(m_config.strategy == Strategy::Sharded);
    if (m_pg)
        m_pg->reset(m_rt.epoch(), m_config.strategy == Strategy::Sharded);
    m_cache.reset();
    m_queue.reset(m_config.strategy == Strategy::CacheQueue);
    resetCounters();
    if (m_config.strategy == Strategy::CacheQueue)
        loadCounters();
    m_readRatio.store(m_config.traffic.readRatio);
}

std::int64_t FlashSale::pendingWork() { return inTransitTotal() + m_queue.backlog(nullptr); }

void FlashSale::tick(const TickContext &c, TickSample &x)
{
    StoreSample &st = x.store.emplace();
    m_store.tick(c, st);
    if (m_pg) {
        st.stockRemaining = m_pg->sampledStock();
        m_pg->tick(); // the next sample
    }

    // cache tier and read traffic; its counters are summed every tick, shown when the run has it
    if (m_counterResets.load() != m_counterResetsSeen) {
        m_counterResetsSeen = m_counterResets.load();
        m_rt.mark("counter reset to initial stock: units sold again");
    }
    reloadCounters();
    CacheSample cache;
    m_cache.tick(c, cache);
    QueueSample queue;
    m_queue.tick(c, queue);

    // eventual consistency: each SKU's counter in the cache against the store
    if (queueInUse()) {
        std::int64_t store = 0;
        for (int sku = 0; sku < m_skus; ++sku) {
            const int owner = m_cache.ownerNow(counterKey(sku));
            if (owner < 0)
                continue;
            if (const auto v = m_cache.node(owner).peek(counterKey(sku))) {
                cache.cacheStock += *v;
                store += m_store.skuStock(sku);
            }
        }
        cache.divergence = cache.cacheStock - store;
    }
    if (cacheInRun())
        x.cache = cache;
    if (queueInRun())
        x.queue = queue;

    m_app.tick(c, x.app.emplace());

    // stock and consistency
    for (int sku = 0; sku < m_skus; ++sku) {
        std::int64_t confirmed = 0, persisted = 0;
        forEachShard([&](ShardStats &sh) {
            confirmed += static_cast<std::int64_t>(sh.confirmed[static_cast<std::size_t>(sku)].get());
            persisted += static_cast<std::int64_t>(sh.persisted[static_cast<std::size_t>(sku)].get());
        });
        st.sold += persisted;
        st.confirmed += confirmed;
        st.oversold += std::max<std::int64_t>(0, confirmed - m_store.suppliedPerSku());
        // Orders on the queue are not lost, only late.
        st.lostOrders += std::max<std::int64_t>(0, confirmed - persisted - inTransit(sku));
    }
    forEachShard([&](ShardStats &sh) { st.falseSoldOut += static_cast<std::int64_t>(sh.falseSoldOut.get()); });
}

void FlashSale::view(Snapshot &s)
{
    m_app.view(s.app.emplace());
    StoreView &store = s.store.emplace();
    store.strategy = m_strategy.load();
    m_store.view(store);
    if (m_pg) {
        store.backend = StoreBackend::Postgres;
        store.server = m_pg->serverUrl();
        store.serverVersion = m_pg->serverVersion();
        store.serverStarted = m_pg->startedServer();
        store.connections = m_pg->connections();
        store.errors = m_pg->errors();
        store.firstError = m_pg->firstError();
        const std::vector<std::int64_t> rows = m_pg->sampledHotRows();
        for (std::size_t b = 0; b < store.hotRows.size() && b < rows.size(); ++b) {
            store.hotRows[b].stock = rows[b];
            store.hotRows[b].locked = false;
            store.hotRows[b].waiters = 0;
        }
        // Sessions waiting for a row lock: a hot row's queue (the one row but for `sharded`).
        if (!store.hotRows.empty() && m_strategy.load() != Strategy::Sharded) {
            store.hotRows[0].waiters = m_pg->sampledLockWaiters();
            store.hotRows[0].locked = store.hotRows[0].waiters > 0;
        }
    }
    if (cacheInRun()) {
        CacheView &cache = s.cache.emplace();
        m_cache.view(cache);
        cache.readRatio = m_readRatio.load();
        cache.recovery = m_recovery.load();
        for (int sku = 0; sku < m_skus; ++sku)
            cache.counterReloading = cache.counterReloading || m_reloading[static_cast<std::size_t>(sku)].load();
        if (queueInUse()) {
            const int owner = m_cache.ownerNow(counterKey(0));
            if (owner >= 0 && m_cache.node(owner).peek(counterKey(0)))
                cache.counterNode = owner;
        }
    }
    if (queueInRun())
        m_queue.view(s.queue.emplace(), queueInUse());
}

void FlashSale::shutdown()
{
    m_store.shutdown();
    if (m_pg)
        m_pg->closeSampler();
}

void FlashSale::shutdownShard(Shard &s)
{
    if (m_pg)
        m_pg->closeShard(s.index());
}

// store.backend postgres: the database counts, per SKU, the orders of this epoch and the stock
// left; the engine adds what it told shoppers.
Audit FlashSale::pgAudit(bool drained)
{
    Audit a;
    const std::vector<PgStore::SkuAudit> db = m_pg->audit();
    if (db.empty())
        return a; // unread: nothing holds (the store keeps the error for the report)
    a.conserved = true;
    const std::int64_t supplied = m_store.suppliedPerSku();
    for (int sku = 0; sku < m_skus; ++sku) {
        std::int64_t confirmed = 0;
        forEachShard([&](ShardStats &st) {
            confirmed += static_cast<std::int64_t>(st.confirmed[static_cast<std::size_t>(sku)].get());
        });
        const PgStore::SkuAudit &d = db[static_cast<std::size_t>(sku)];
        a.supplied += supplied;
        a.confirmed += confirmed;
        a.persisted += d.orders;
        a.remaining += d.remaining;
        a.oversold += std::max<std::int64_t>(0, d.orders - supplied);
        a.lostOrders += std::max<std::int64_t>(0, confirmed - d.distinctOrders);
        a.duplicateOrders += d.orders - d.distinctOrders;
        if (d.orders + d.remaining != supplied)
            a.conserved = false;
    }
    forEachShard([&](ShardStats &st) { a.falseSoldOut += static_cast<std::int64_t>(st.falseSoldOut.get()); });
    a.drained = drained;
    a.invariantsOk = a.conserved && a.drained && a.oversold == 0 && a.lostOrders == 0 && a.duplicateOrders == 0;
    return a;
}

Audit FlashSale::audit(bool drained)
{
    if (m_pg)
        return pgAudit(drained);
    Audit a;
    a.conserved = true;
    const std::int64_t supplied = m_store.suppliedPerSku();
    for (int sku = 0; sku < m_skus; ++sku) {
        std::int64_t confirmed = 0, persisted = 0;
        forEachShard([&](ShardStats &st) {
            confirmed += static_cast<std::int64_t>(st.confirmed[static_cast<std::size_t>(sku)].get());
            persisted += static_cast<std::int64_t>(st.persisted[static_cast<std::size_t>(sku)].get());
        });
        const std::int64_t remaining = m_store.skuStock(sku);
        a.supplied += supplied;
        a.confirmed += confirmed;
        a.persisted += persisted;
        a.remaining += remaining;
        const std::int64_t queued = inTransit(sku);
        a.oversold += std::max<std::int64_t>(0, confirmed - supplied);
        a.lostOrders += std::max<std::int64_t>(0, confirmed - persisted - queued);
        a.queued += queued;
        // Orders still queued hold units the store has not given up yet, so this holds mid-run too.
        if (persisted + remaining != supplied)
            a.conserved = false;
    }
    forEachShard([&](ShardStats &st) { a.falseSoldOut += static_cast<std::int64_t>(st.falseSoldOut.get()); });
    for (int i = 0; i < m_shardCount; ++i)
        a.staleReads += static_cast<std::int64_t>(m_cache.stats(m_rt.shard(i)).staleReads.get());
    a.duplicateOrders = m_queue.duplicates();
    a.drained = drained && a.queued == 0;
    a.invariantsOk = a.conserved && a.drained && a.oversold == 0 && a.lostOrders == 0 && a.duplicateOrders == 0;
    return a;
}

} // namespace stampede
