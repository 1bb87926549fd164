#pragma once

// The flash sale (DESIGN.md question 1): shoppers buy a hot SKU through the gateway and app
// nodes; the strategy decides how the stock store (and, for `cache-queue`, the cache tier and
// the order queue) takes a unit. Product-page views read the cache tier cache-aside. The audit
// holds every confirmed unit against the units supplied.
//
// Files: flashsale.cpp (a request's life: gateway, node, the four store strategies, answers),
// reads.cpp (views and the cache operations), cachequeue.cpp (pre-deduction in the cache, the
// order queue, stock counters), control.cpp (commands, tick, snapshot, reset, audit).

#include "apptier.h"
#include "cachetier.h"
#include "orderqueue.h"
#include "pgstore.h"
#include "shard.h"
#include "stockstore.h"
#include "workload.h"

#include <atomic>
#include <memory>
#include <vector>

namespace stampede {

class Runtime;

enum class FlashStage : std::uint8_t {
    Admit, // at the gateway
    Serve, // holds a worker of its node
    Store, // service done, talks to the store
    NaiveRead, // read round trip done: read the row
    NaiveWrite, // write round trip done: blind write
    RowGranted, // row lock granted
    RowRead, // SELECT ... FOR UPDATE round trip done
    RowCommit, // UPDATE + COMMIT done
    AtomicTrip, // round trip to the bucket's row done
    AtomicGranted,
    AtomicCommit,
    ViewStore, // a view's store read (cache miss) done
    QueueBlocked, // a `cache-queue` order waits for room in a full partition, then enqueues
    Work, // may run: holds the cluster lock shared (or no coordination); the service time next
    Serial, // service done: takes the cluster lock for its serial section
    SerialHeld, // holds it exclusively (hot-row, serial, exchange)
    SerialDone, // serial section over: gives it back, then the store
    PgAnswered, // store.backend postgres: the database answered (Request::pgAnswer)
};

class FlashSale final : public Workload, private CacheClient, private OrderSink {
public:
    explicit FlashSale(Runtime &rt);

    // Workload
    void arrive(Shard &s, Nanos arrival, bool client) override;
    void step(Shard &s, Request *r) override;
    void clearShard(Shard &s) override;
    CommandResult apply(const TimedEvent &e) override;
    void tick(const TickContext &c, TickSample &x) override;
    void view(Snapshot &s) override;
    void reset() override;
    std::int64_t pendingWork() override;
    Audit audit(bool drained) override;
    void freeze() override { m_store.freeze(); }
    void shutdown() override;
    void shutdownShard(Shard &s) override;

    // The real store when store.backend is postgres, else nullptr.
    const PgStore *realStore() const { return m_pg.get(); }

private:
    struct alignas(64) ShardStats {
        OwnedCounter falseSoldOut;
        CounterArray confirmed; // per SKU: units confirmed to shoppers
        CounterArray persisted; // per SKU: orders written
    };
    ShardStats &stats(Shard &s) { return m_shards[static_cast<std::size_t>(s.index())]; }
    template<typename F> void forEachShard(F &&f)
    {
        for (int i = 0; i < m_shardCount; ++i)
            f(m_shards[static_cast<std::size_t>(i)]);
    }

    // ---- a purchase (flashsale.cpp) ----
    bool checkpoint(Shard &s, Request *r);
    void purchaseStep(Shard &s, Request *r);
    void nextProbe(Shard &s, Request *r);
    void soldOut(Shard &s, Request *r);
    void persistAndConfirm(Shard &s, Request *r);
    void confirm(Shard &s, Request *r);
    void answer(Shard &s, Request *r, Outcome o);
    void finish(Shard &s, Request *r);
    void drop(Shard &s, Request *r);
    void pgAnswered(Shard &s, Request *r);
    Audit pgAudit(bool drained);

    // ---- views and cache operations (reads.cpp) ----
    void startView(Shard &s, Request *r);
    void viewLookupDone(Shard &s, Request *r);
    void viewStoreDone(Shard &s, Request *r);
    std::uint64_t cacheKey(const Request *r) const override;
    bool applyCacheOp(Shard &s, Request *r, CacheNode &node, Nanos now, Nanos *wait) override;
    void cacheOpDone(Shard &s, Request *r, bool ok) override;

    // ---- cache-queue (cachequeue.cpp) ----
    void startCacheQueue(Shard &s, Request *r);
    void decrementDone(Shard &s, Request *r, bool ok);
    void enqueueOrder(Shard &s, Request *r);
    void unreserve(Shard &s, Request *r);
    Nanos persistNs() const override;
    void persist(Shard &s, int sku, bool first) override;
    std::int64_t inTransit(int sku) const { return m_inTransit[static_cast<std::size_t>(sku)].load(); }
    std::int64_t inTransitTotal() const;
    void loadCounters();
    void reloadCounters();
    void resetCounters();
    bool queueInUse() const;
    bool cacheInRun() const; // the run has read traffic or a cache tier: it has a cache section
    bool queueInRun() const; // the run has consumers or has queued orders: it has a queue section

    // ---- control (control.cpp) ----
    CommandResult switchStrategy(Strategy s);
    CommandResult setReadRatio(double viewsPerPurchase);
    CommandResult setCounterRecovery(CounterRecovery r);

    Runtime &m_rt;
    const EngineConfig &m_config;
    const int m_skus;
    const int m_shardCount;
    const int m_probes; // `sharded`: buckets one purchase tries, its own included
    std::vector<double> m_skuCdf; // empty when there is one SKU
    std::unique_ptr<ShardStats[]> m_shards;
    std::atomic<Strategy> m_strategy;
    std::atomic<double> m_readRatio { 0 };

    AppTier m_app;
    StockStore m_store;
    CacheTier m_cache;
    OrderQueue m_queue;
    std::unique_ptr<PgStore> m_pg; // store.backend postgres: the stock lives there, not in m_store

    // cache-queue: the stock counters in the cache tier
    std::atomic<CounterRecovery> m_recovery { CounterRecovery::ReloadFromStore };
    // per SKU: units taken from a cache counter and not yet persisted by a consumer
    std::unique_ptr<std::atomic<std::int64_t>[]> m_inTransit;
    std::unique_ptr<std::atomic<bool>[]> m_reloading; // per SKU: counter lost, reload pending
    std::atomic<std::uint64_t> m_counterResets { 0 };
    std::uint64_t m_counterResetsSeen = 0;
};

} // namespace stampede
