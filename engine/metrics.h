#pragma once

// Values that cross from the engine to its readers. Every type here is a plain value:
// the engine builds them on its tick and hands out immutable copies.

#include "config.h"
#include "event.h"

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace stampede {

inline constexpr double kTickSeconds = 0.1;
inline constexpr std::size_t kHistoryTicks = 36000; // one hour of ticks kept for the CSV
inline constexpr std::size_t kRecentTicks = 600; // last 60 s, carried by every snapshot
inline constexpr std::size_t kMaxMarkers = 1000;

// One section of a tick sample or snapshot: present when the run has that tier. An absent
// section reads as zeros (its default value), so readers that always show a number (the CSV,
// the report, a counter) need no check, and readers that show a tier only when it exists ask
// has_value(). Writing through a non-const access makes the section present.
template<typename T> class Section {
public:
    Section() = default;
    Section(const T &v) // NOLINT(google-explicit-constructor): assigning a value makes it present
        : m_value(v)
        , m_present(true)
    {
    }
    bool has_value() const { return m_present; }
    explicit operator bool() const { return m_present; }
    const T *operator->() const { return &m_value; }
    const T &operator*() const { return m_value; }
    T *operator->()
    {
        m_present = true;
        return &m_value;
    }
    T &operator*()
    {
        m_present = true;
        return m_value;
    }
    T &emplace()
    {
        m_value = T {};
        m_present = true;
        return m_value;
    }
    void reset()
    {
        m_value = T {};
        m_present = false;
    }
    T value_or(const T &fallback) const { return m_present ? m_value : fallback; }

private:
    T m_value {};
    bool m_present = false;
};

// One 100 ms tick, in sections. Rates are per second over the tick; levels are at the tick's end.
// The core is what every run measures (answers by outcome, latency); each tier adds its section,
// and a section is empty when the run lacks that tier. Readers that always want a value (the
// CSV) read an absent section as zeros (see Section).
struct CoreSample {
    double t = 0; // run seconds since start (or last reset), time paused not counted
    double offeredRate = 0; // configured arrival rate incl. spike (open loop), 0 when paused
    double attempts = 0; // per second
    double succeeded = 0;
    double soldOut = 0;
    double rateLimited = 0;
    double failed = 0; // sum of the three below
    double failedNodeDown = 0;
    double failedTimeout = 0;
    double failedOverloaded = 0;
    double p50Ms = 0, p95Ms = 0, p99Ms = 0, maxMs = 0; // answers within this tick
    std::int64_t attemptsTotal = 0;
};

// The gateway and app nodes.
struct AppTierSample {
    double utilisation = 0; // busy workers / capacity over up nodes, 0..1
    std::int64_t inFlight = 0; // requests admitted and not answered
    std::int64_t backlog = 0; // waiting in node backlogs
    int nodesUp = 0;
    int cores = 0; // capacity of the up nodes
    double price = 0; // of the up nodes
    int coordWaiting = 0; // requests waiting for the cluster lock (Coordination)
};

// The stock store and what was promised from it.
struct StoreSample {
    double lockWaitMeanMs = 0; // row-lock waits granted within this tick
    double lockWaitMaxMs = 0;
    double lockHoldMeanMs = 0; // how long each released row lock was held
    std::int64_t stockRemaining = 0;
    std::int64_t sold = 0; // units persisted as orders
    std::int64_t confirmed = 0; // units confirmed to shoppers
    std::int64_t oversold = 0;
    std::int64_t lostOrders = 0;
    std::int64_t falseSoldOut = 0; // cumulative "sold out" answers while stock remained
};

// Read traffic (product-page views served cache-aside) and the cache tier.
struct CacheSample {
    double views = 0; // views answered per second (any outcome)
    double viewHits = 0; // cache lookups that found the key, per second
    double viewMisses = 0;
    double hitRatio = 0; // hits / (hits + misses) within the tick, 0 without lookups
    double evictions = 0; // LRU evictions per second, all cache nodes
    double storeReads = 0; // reads that reached the store per second (cache fills, counter reloads)
    double staleReads = 0; // hits whose value differed from the store's at that moment, per second
    std::int64_t staleReadsTotal = 0;
    // eventual consistency (`cache-queue`): counters in the cache tier against the store
    std::int64_t cacheStock = 0; // units held by the cache counters that exist
    std::int64_t divergence = 0; // cacheStock − store stock of the same SKUs
};

// The order queue (`cache-queue`).
struct QueueSample {
    double enqueued = 0; // orders put on the queue per second
    double dequeued = 0; // orders persisted by consumers per second (first persist only)
    std::int64_t queueBacklog = 0; // messages not yet acknowledged, all partitions
    double queueLagMs = 0; // age of the oldest order not yet persisted, 0 when none waits
    int consumersUp = 0;
    std::int64_t redeliveredTotal = 0; // messages delivered again after a consumer died
    std::int64_t duplicatesTotal = 0; // orders persisted more than once
};

// The celebrity fan-out (workloads/fanout): posts, timeline reads, the push path's work.
struct FanoutSample {
    double posts = 0; // per second, ordinary and celebrity
    double reads = 0; // timeline reads answered per second
    double inboxWrites = 0; // inbox entries written per second (duplicates included)
    double fetchesPerRead = 0; // inbox and outbox fetches per read answered within the tick
    double staleReads = 0; // per second: reads that missed a tracked post older than the read
    std::int64_t backlog = 0; // follower writes not yet acknowledged (queued or in a batch)
    double drainRate = 0; // follower writes acknowledged per second
    double visible = 0; // share of the newest celebrity post's followers that have it (0..1)
    std::uint32_t trackedPost = 0; // that post's id (0: none yet); a new id starts a new curve
    double hotShardUtilisation = 0; // the busiest inbox shard's share of its capacity (0..1)
    int workersUp = 0;
    std::int64_t duplicatesTotal = 0, staleReadsTotal = 0, redeliveredTotal = 0;
    std::int64_t entries = 0; // inbox entries held (storage)
};

struct TickSample : CoreSample {
    Section<AppTierSample> app;
    Section<StoreSample> store;
    Section<CacheSample> cache;
    Section<QueueSample> queue;
    Section<FanoutSample> fanout;
};

enum class NodeState { Up, Draining, Dead };
std::string_view toString(NodeState s);

struct NodeView {
    int id = 0; // stable while the node exists; new nodes get new ids
    NodeState state = NodeState::Up;
    int capacity = 0; // cores
    double speed = 1; // per core
    double price = 1;
    int busy = 0; // workers serving a request
    int backlog = 0;
    double throughput = 0; // answers per second over the last tick
};

struct CacheNodeView {
    int id = 0; // stable while the node exists; new cache nodes get new ids
    NodeState state = NodeState::Up; // Up or Dead (a killed node, until removed)
    std::int64_t keys = 0; // keys held
    double share = 0; // share of the key space it owns (ring arcs or modulo slots), 0 when dead
    double ops = 0; // operations served per second over the last tick
    int backlog = 0; // operations waiting for the node's one worker
};

struct PartitionView {
    int id = 0;
    std::int64_t backlog = 0; // messages not yet acknowledged
    int capacity = 0;
    int blocked = 0; // producers waiting for room (full policy `block`)
};

struct ConsumerView {
    int id = 0; // stable while the consumer exists; new consumers get new ids
    NodeState state = NodeState::Up; // Up, Draining (finishing its batch) or Dead (killed, until removed)
    int inHand = 0; // messages taken and not yet acknowledged
    double throughput = 0; // orders persisted per second over the last tick
};

struct RowView {
    int sku = 0;
    int bucket = 0;
    std::int64_t stock = 0;
    bool locked = false;
    int waiters = 0;
};

struct Marker {
    double t = 0;
    std::string label; // e.g. "spike ×10 for 5 s", "node 3 killed"
};

// The app tier as a snapshot shows it.
struct AppTierView {
    std::vector<NodeView> nodes;
    Coordination coordination = Coordination::None;
    double serialMs = 0, exchangeMs = 0;
};

struct StoreView {
    Strategy strategy = Strategy::Naive;
    std::vector<RowView> hotRows; // rows of SKU 0
    std::int64_t stockInitial = 0; // initial stock plus restocks, all SKUs
    // store.backend postgres: the real server and how its statements went
    StoreBackend backend = StoreBackend::Embedded;
    std::string server; // URL, never a password
    std::string serverVersion; // major version ("15")
    bool serverStarted = false; // a private server this process started (and stops)
    int connections = 0;
    std::uint64_t errors = 0; // statements that failed (answered "overloaded")
    std::string firstError;
};

struct CacheView {
    std::vector<CacheNodeView> cacheNodes; // empty when the tier has no node (read traffic only)
    Placement placement = Placement::Ring;
    bool singleFlight = false;
    double keysMovedLast = 0; // fraction of keys whose owner changed at the last cache change
    int cacheChanges = 0; // cache topology or placement changes since start (or reset)
    double ttlJitter = 0;
    double readRatio = 0; // views per purchase attempt
    CounterRecovery recovery = CounterRecovery::ReloadFromStore;
    bool counterReloading = false; // some SKU's counter waits for its queue to drain
    int counterNode = -1; // `cache-queue`: the cache node holding SKU 0's stock counter, -1 when none
    // run totals
    std::int64_t views = 0, viewHits = 0, viewMisses = 0, staleReads = 0, storeReads = 0, evictions = 0;
    double hitRatio = 0; // whole run
    double storeReadPeak = 0; // best tick of storeReads, per second
};

struct QueueView {
    std::vector<PartitionView> partitions; // empty unless the queue has been used
    std::vector<ConsumerView> consumers; // empty unless the queue has been used
    FullPolicy queueFull = FullPolicy::Reject;
    bool idempotent = false;
    // run totals
    std::int64_t enqueued = 0, dequeued = 0, queueRejected = 0;
    std::int64_t maxBacklog = 0;
    double maxLagMs = 0;
    std::int64_t redelivered = 0, duplicates = 0;
};

// A tracked celebrity post: how far it has reached.
struct TrackedPostView {
    std::uint32_t post = 0, author = 0, followers = 0;
    double postedAtS = 0; // engine time, seconds
    double runAtS = 0; // run time, seconds (the clock of ticks and markers)
    std::int64_t delivered = 0; // followers whose inbox has it
    double p50Ms = 0, p99Ms = 0, maxMs = 0; // delivery delays so far: the times to 50 / 99 / 100 %
    bool pulled = false; // read by pull when posted (not fanned out): visible to every follower at once
};

struct FanoutView {
    FanoutMode mode = FanoutMode::Push;
    std::uint32_t threshold = 0;
    std::uint32_t users = 0;
    std::vector<std::uint32_t> celebrities; // follower count of each
    int workersUp = 0;
    std::vector<TrackedPostView> tracked; // newest first
    std::vector<double> shardUtilisation; // per inbox shard, last window (0..1)
    std::vector<bool> shardUp;
    // run totals
    std::int64_t posts = 0, reads = 0, fetches = 0, staleReads = 0;
    std::int64_t inboxWrites = 0, duplicates = 0, lostWrites = 0, redelivered = 0;
    std::int64_t refusedFanouts = 0; // posts the full fan-out queue refused: they reach no inbox
    std::int64_t pushedPosts = 0; // posts that became fan-out jobs (write amplification's divisor)
    std::int64_t entries = 0; // inbox entries held now (storage)
    std::int64_t lostEntries = 0, rebuiltEntries = 0; // by inbox shard kills and rebuilds
    std::int64_t backlog = 0; // follower writes not yet acknowledged
    double deliveryP50Ms = 0, deliveryP99Ms = 0, deliveryMaxMs = 0; // every pushed post, per follower
};

// What every snapshot carries, whatever the workload.
struct CoreView {
    std::uint64_t seq = 0; // increments with every published snapshot
    double t = 0; // run time (seconds since start or reset, without paused time)
    bool paused = false; // traffic paused: the run time stands still
    bool running = false;
    double ratePerS = 0; // base rate (open loop)
    double spikeFactor = 1; // current multiplier, 1 when no spike
    TrafficMode mode = TrafficMode::Open;
    int threads = 0;
    std::vector<TickSample> recent; // last kRecentTicks ticks, oldest first
    // The sample of the tick that published this snapshot, also while paused, when ticks add no
    // sample to `recent` (the run's clock stands still): levels such as requests in flight as
    // they drain. Empty (zeros, no sections) before the first tick and after a reset.
    TickSample latest;
    std::vector<Marker> markers; // markers within the recent window
    // run totals
    std::int64_t attempts = 0, succeeded = 0, soldOut = 0, rateLimited = 0, failed = 0;
    std::int64_t failedNodeDown = 0, failedTimeout = 0, failedOverloaded = 0;
    double p50Ms = 0, p95Ms = 0, p99Ms = 0, maxMs = 0; // whole run
    double peakThroughput = 0; // best tick, answers of any outcome per second
};

// The engine's state at one tick: the core, then one section per tier the run has (absent when
// it has none: a run without read traffic or cache nodes has no cache section).
struct Snapshot : CoreView {
    Section<AppTierView> app;
    Section<StoreView> store;
    Section<CacheView> cache;
    Section<QueueView> queue;
    Section<FanoutView> fanout;
};

// The end-of-run audit (DESIGN.md "Measured quantities").
struct Audit {
    std::int64_t supplied = 0; // initial + restocked units, all SKUs
    std::int64_t confirmed = 0;
    std::int64_t persisted = 0; // orders written
    std::int64_t remaining = 0;
    std::int64_t oversold = 0;
    std::int64_t lostOrders = 0;
    std::int64_t duplicateOrders = 0;
    std::int64_t staleReads = 0;
    std::int64_t falseSoldOut = 0;
    std::int64_t queued = 0; // orders still on the queue when audited (0 once it drained)
    bool conserved = false; // persisted + remaining == supplied for every SKU
    bool drained = false; // nothing was left in flight (requests and queued orders) when audited
    bool invariantsOk = false; // conserved, drained, no oversell, no lost or duplicate order
};

struct RunResult {
    Snapshot final;
    Audit audit;
    std::vector<TickSample> timeline; // every tick of the run (bounded by kHistoryTicks)
    std::vector<Marker> markers;
    std::vector<TimedEvent> applied; // every command the run took (Timeline::applied)
    // Run time (time paused not counted), as Snapshot::t.
    double durationS = 0; // from start (or the last reset) to the end of the drain
    double trafficS = 0; // from start (or the last reset) until traffic stopped
    double drainS = 0; // waiting for requests in flight after traffic stopped
    double meanThroughput = 0; // answered requests per second over trafficS
};

} // namespace stampede
