#pragma once

// Internals of Engine. Three parts:
//  - the request path (requestpath.cpp): gateway, node, strategies; runs on the shards;
//  - control (control.cpp): commands, the 100 ms tick, timeline, reset, audit; runs on one
//    control thread or under m_controlMutex from a caller's thread;
//  - the shards themselves (shard.cpp).
// Shared state read on the request path is atomics; anything else belongs to one thread.

#include "appnode.h"
#include "cachenode.h"
#include "engine.h"
#include "histogram.h"
#include "orderqueue.h"
#include "shard.h"
#include "stockrow.h"

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>

#include <atomic>
#include <chrono>
#include <deque>
#include <memory>
#include <mutex>
#include <thread>
#include <vector>

namespace stampede {

using Clock = std::chrono::steady_clock;

inline constexpr int kConsumerSlots = 256; // consumers ever added between two resets

// One consumer of the order queue. Its actor (a pool request on shard id % threads) is the
// only writer of `batch`, `next` and `persisted`; the control thread changes `state`.
struct ConsumerSlot {
    std::atomic<NodeSlotState> state { NodeSlotState::Free };
    std::atomic<int> inHand { 0 };
    OwnedCounter persisted;
    std::vector<Claim> batch;
    std::size_t next = 0;
};

// The single-flight lease of one key: the first miss loads it, later misses wait here.
struct Lease {
    std::mutex mutex;
    bool loading = false;
    Request *head = nullptr;
    Request *tail = nullptr;
};

class EngineImpl {
public:
    explicit EngineImpl(EngineConfig config);
    ~EngineImpl();

    // ---- request path (any shard thread) ----
    void arrive(Shard &s, Nanos arrival, bool client);
    void step(Shard &s, Request *r);
    Nanos now() const { return std::chrono::duration_cast<std::chrono::nanoseconds>(Clock::now() - m_origin).count(); }
    Clock::time_point toTimePoint(Nanos t) const { return m_origin + std::chrono::nanoseconds(t); }
    bool generating() const
    {
        return m_running.load(std::memory_order_acquire) && !m_paused.load(std::memory_order_acquire)
            && !m_resetting.load(std::memory_order_acquire) && !m_stopping.load(std::memory_order_acquire);
    }
    TrafficMode mode() const { return m_mode.load(std::memory_order_acquire); }
    double shardRate() const; // open loop arrivals/s for one shard
    int shardClients(int shard) const; // closed loop clients for one shard
    std::uint64_t epoch() const { return m_epoch.load(std::memory_order_acquire); }
    const EngineConfig &config() const { return m_config; }
    int shardCount() const { return static_cast<int>(m_shards.size()); }

    // ---- commands (any thread) ----
    void start();
    void setTimeline(std::vector<TimedEvent> events);
    CommandResult setRate(double perSecond);
    CommandResult setClosedLoop(int clients);
    CommandResult spike(double factor, double seconds);
    CommandResult addNodes(int count);
    CommandResult removeNode(std::optional<int> id);
    CommandResult killNode(std::optional<int> id);
    CommandResult switchStrategy(Strategy s);
    CommandResult restock(std::int64_t units);
    CommandResult setPaused(bool paused);
    CommandResult addCacheNode(int count);
    CommandResult removeCacheNode(std::optional<int> id);
    CommandResult killCacheNode(std::optional<int> id);
    CommandResult setPlacement(Placement p);
    CommandResult setSingleFlight(bool on);
    CommandResult setTtlJitter(double fraction);
    CommandResult setReadRatio(double viewsPerPurchase);
    CommandResult setCounterRecovery(CounterRecovery r);
    CommandResult addConsumers(int count);
    CommandResult removeConsumer(std::optional<int> id);
    CommandResult killConsumer(std::optional<int> id);
    CommandResult setIdempotent(bool on);
    CommandResult setQueueFull(FullPolicy p);
    CommandResult reset();
    std::shared_ptr<const Snapshot> snapshot() const
    {
        std::lock_guard g(m_snapshotMutex);
        return m_snapshot;
    }
    std::vector<TickSample> timeline() const;
    std::vector<Marker> markers() const;
    RunResult stopAndDrain(double maxWaitS);
    RunResult stop(double maxWaitS, bool drainQueue);

    // used by shard.cpp when a reset barrier is passed
    void resetAck();

private:
    friend class Shard;
    // request path helpers
    bool route(Shard &s, Request *r);
    bool checkpoint(Shard &s, Request *r);
    void answer(Shard &s, Request *r, Outcome o);
    void countOutcome(Shard &s, Request *r, Outcome o);
    void finish(Shard &s, Request *r);
    void drop(Shard &s, Request *r);
    void persistAndConfirm(Shard &s, Request *r);
    void confirm(Shard &s, Request *r);
    void soldOut(Shard &s, Request *r);
    void nextProbe(Shard &s, Request *r);
    int homeBucket(const Shard &s, const Request *r) const;
    void handOff(Request *waiter);
    // the cache tier and read traffic (cachepath.cpp)
    void startView(Shard &s, Request *r);
    void startCacheQueue(Shard &s, Request *r);
    void cacheStep(Shard &s, Request *r);
    int cacheOwner(Shard &s, std::uint64_t key);
    bool applyCacheOp(Shard &s, Request *r, Nanos *wait);
    void cacheDone(Shard &s, Request *r, bool ok);
    void viewLookupDone(Shard &s, Request *r);
    void releaseLease(int sku);
    void dispatchAll(Request *list); // hands each request of a list back to its shard
    void unblockProducers(); // producers waiting in full partitions retry their enqueue
    void decrementDone(Shard &s, Request *r, bool ok);
    void enqueueOrder(Shard &s, Request *r);
    void unreserve(Shard &s, Request *r);
    Nanos ttl(Shard &s) const;
    void wakeIdleConsumers();
    // consumers (consumer.cpp)
    void consumerStep(Shard &s, Request *r);
    void persistClaim(Shard &s, ConsumerSlot &c, int id, const Claim &cl);
    void storeDeduct(int sku);
    void endActor(Shard &s, Request *r);
    void releaseLock(Shard &s, Request *r, std::int64_t delta);
    StockRow &row(int sku, int bucket) { return m_rows[static_cast<std::size_t>(sku * m_buckets + bucket)]; }
    std::int64_t skuStock(int sku);
    Nanos serviceTime(Shard &s);

    // control helpers (m_controlMutex held)
    void tickLocked();
    void applyDueEvents(double t);
    CommandResult applyEvent(const TimedEvent &e);
    void mark(std::string label);
    void bumpTopology();
    void regenerateAll();
    void layoutStock(std::int64_t perSku);
    void rebalance(std::uint64_t generation);
    void finishReset();
    void publish(double t);
    Audit auditLocked(bool drained);
    int upNodes() const;
    int upCacheNodes() const;
    std::optional<int> pickCacheNode(std::optional<int> id, bool allowDead, bool newest) const;
    // Rebuilds the placement over the cache nodes that are up; returns the fraction of the
    // sample keys whose owner changed and records it.
    double replaceCachePlacement(Placement p);
    void resetCacheTier();
    void resetQueue();
    void startConsumer(int id);
    std::optional<int> pickConsumer(std::optional<int> id, bool allowDead, bool newest) const;
    void loadCounters();
    void migrateCounters(const KeyPlacement &before, const KeyPlacement &after);
    void reloadCounters();
    std::int64_t queueBacklog(Nanos *oldest);
    std::int64_t inTransitTotal() const;
    bool queueInUse() const;
    double runTime() const;
    void scheduleTick();

    EngineConfig m_config;
    const Clock::time_point m_origin = Clock::now();
    int m_buckets = 1;
    std::unique_ptr<StockRow[]> m_rows;
    std::unique_ptr<AppNode[]> m_nodes; // kNodeSlots
    std::vector<double> m_skuCdf; // empty when there is one SKU
    std::vector<std::unique_ptr<Shard>> m_shards;

    // settings read on the request path
    std::atomic<Strategy> m_strategy;
    std::atomic<TrafficMode> m_mode;
    std::atomic<double> m_rate;
    std::atomic<double> m_spikeFactor { 1.0 };
    std::atomic<int> m_clients;
    std::atomic<std::uint64_t> m_topology { 0 };
    std::atomic<int> m_slotsUsed { 0 }; // node slots [0, n) have been initialised
    std::atomic<std::uint64_t> m_epoch { 1 };
    std::atomic<bool> m_running { false }, m_paused { false }, m_resetting { false }, m_stopping { false };
    std::atomic<int> m_resetAcks { 0 };
    Nanos m_serviceNs = 0, m_latencyNs = 0, m_writeNs = 0, m_timeoutNs = 0;

    // control state: m_controlMutex
    mutable std::mutex m_controlMutex;
    boost::asio::io_context m_control { 1 };
    boost::asio::executor_work_guard<boost::asio::io_context::executor_type> m_controlGuard;
    boost::asio::steady_timer m_tickTimer;
    boost::asio::steady_timer m_rebalanceTimer;
    std::thread m_controlThread;
    Nanos m_runStart = 0;
    double m_spikeEndsAt = -1;
    double m_trafficStoppedAt = 0;
    std::int64_t m_suppliedPerSku = 0;
    std::vector<TimedEvent> m_events;
    std::size_t m_nextEvent = 0;
    std::uint64_t m_rebalanceGen = 0;
    bool m_started = false;
    bool m_stopped = false;

    // cache tier. Slots [0, m_cacheUsed) have been initialised; ids are not reused until reset.
    // The placement is replaced under m_placementMutex (and m_controlMutex); request threads
    // copy the pointer only when m_placementVersion moved.
    std::unique_ptr<CacheNode[]> m_cache; // kCacheSlots
    std::atomic<int> m_cacheUsed { 0 };
    mutable std::mutex m_placementMutex;
    std::shared_ptr<const KeyPlacement> m_cachePlacement;
    std::atomic<std::uint64_t> m_placementVersion { 0 };
    std::vector<std::uint64_t> m_sampleKeys; // fixed universe for keys moved
    std::atomic<bool> m_singleFlight { false };
    std::atomic<double> m_ttlJitter { 0 };
    std::atomic<double> m_readRatio { 0 };
    std::atomic<CounterRecovery> m_recovery { CounterRecovery::ReloadFromStore };
    std::atomic<bool> m_migrating { false }; // counters are moving to their new owners
    std::atomic<std::int64_t> m_supplied { 0 }; // mirror of m_suppliedPerSku for the request path
    std::atomic<std::uint64_t> m_counterResets { 0 };
    std::unique_ptr<Lease[]> m_leases; // per SKU
    // per SKU: units taken from a cache counter and not yet persisted by a consumer
    std::unique_ptr<std::atomic<std::int64_t>[]> m_inTransit;
    std::unique_ptr<std::atomic<bool>[]> m_reloading; // per SKU: counter lost, reload pending
    Nanos m_cacheLatencyNs = 0, m_cacheOpNs = 0, m_ttlNs = 0;
    double m_keysMovedLast = 0;
    int m_cacheChanges = 0;
    std::uint64_t m_counterResetsSeen = 0;
    std::vector<std::uint64_t> m_prevCacheOps; // per slot, at the last tick
    std::vector<double> m_cacheOpsRate;
    std::uint64_t m_prevEvictions = 0;
    std::uint64_t m_controlStoreReads = 0; // counter reloads

    // order queue
    int m_partitionCount = 1;
    std::unique_ptr<Partition[]> m_partitions;
    std::unique_ptr<ConsumerSlot[]> m_consumers; // kConsumerSlots
    std::atomic<int> m_consumersUsed { 0 };
    std::atomic<bool> m_idempotent { false };
    std::atomic<FullPolicy> m_queueFull { FullPolicy::Reject };
    std::atomic<std::uint64_t> m_orderIds { 0 };
    // Bumped whenever messages become deliverable (enqueue, redelivery). A consumer parks only
    // if it did not move between its empty scan and parking: no wake-up is lost.
    std::atomic<std::uint64_t> m_deliverableSeq { 0 };
    std::atomic<int> m_idleCount { 0 };
    std::mutex m_idleMutex;
    std::vector<Request *> m_idle; // parked consumer actors
    std::atomic<std::int64_t> m_redelivered { 0 };
    Nanos m_ackNs = 0;
    std::vector<std::uint64_t> m_prevConsumerPersisted;
    std::vector<double> m_consumerRate;
    std::int64_t m_maxBacklog = 0;
    double m_maxLagMs = 0;
    double m_storeReadPeak = 0;
    bool m_queueUsed = false;

    // tick state (control thread / m_controlMutex)
    struct Totals {
        std::uint64_t attempts = 0, succeeded = 0, soldOut = 0, rateLimited = 0, nodeDown = 0, timeout = 0,
                      overloaded = 0, lockWaits = 0, lockWaitNs = 0, lockHolds = 0, lockHoldNs = 0;
        std::uint64_t views = 0, viewHits = 0, viewMisses = 0, staleReads = 0, storeReads = 0, enqueued = 0,
                      queueRejected = 0, dequeued = 0, duplicates = 0, deduped = 0, evictions = 0;
    };
    Totals m_prevTotals;
    LogHistogram m_prevLatency, m_runLatency, m_prevLockWait;
    std::vector<std::uint64_t> m_prevNodeAnswers;
    std::vector<double> m_nodeThroughput;
    Nanos m_prevTickAt = 0;
    double m_peakThroughput = 0;
    double m_runMaxNs = 0;
    std::uint64_t m_seq = 0;

    mutable std::mutex m_historyMutex; // guards the two deques below
    std::deque<TickSample> m_history;
    std::deque<Marker> m_markers;

    // Held only to copy or swap one pointer, never while building a snapshot. (libstdc++ 12's
    // atomic<shared_ptr> would do, but its relaxed unlock makes ThreadSanitizer report races.)
    mutable std::mutex m_snapshotMutex;
    std::shared_ptr<const Snapshot> m_snapshot;
};

} // namespace stampede
