#pragma once

// Settings of one run. Plain data: the scenario loader fills it, the engine copies it.
// Names of enums match DESIGN.md exactly; toString/parse are the only place they are spelled.

#include "keyplacement.h"

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace stampede {

enum class Strategy { Naive, RowLock, Atomic, Sharded, CacheQueue };
enum class TrafficMode { Open, Closed };
enum class RoutePolicy { RoundRobin, LeastOutstanding, UserHash };
enum class ServiceDist { Constant, Exponential };
// What app nodes must agree on per request (DESIGN.md question 4), as a real mechanism each: the
// throughput curve over N nodes bends because of it (engine/subsystems/clusterlock.h).
enum class Coordination {
    None, // stateless: nothing shared
    HotRow, // every request holds one exclusive lock for serial_ms: flat in N
    Serial, // work shares a cluster lock; serial_ms of each request holds it exclusively (contention)
    Exchange // as serial, plus a message to every other up node in turn, exchange_ms each (coherence)
};
// What a producer does when its queue partition is full.
enum class FullPolicy { Reject, Block };
// How `cache-queue` rebuilds a stock counter its cache node lost (killed, removed, rehashed).
enum class CounterRecovery {
    ReloadFromStore, // wait until the SKU's queued orders are persisted, then load the store's stock: safe
    ResetToInitial // load the initial stock (plus restocks) at once: units already sold are sold again
};

std::string_view toString(Strategy s);
std::string_view toString(TrafficMode m);
std::string_view toString(RoutePolicy p);
std::string_view toString(ServiceDist d);
std::string_view toString(Coordination c);
std::optional<Coordination> parseCoordination(std::string_view s);
std::string_view toString(Placement p);
std::string_view toString(FullPolicy p);
std::string_view toString(CounterRecovery r);
// What the run simulates: the flash sale (DESIGN.md question 1) or a celebrity's fan-out (2).
enum class WorkloadKind { FlashSale, Fanout };
// How a post reaches its author's followers (DESIGN.md "Fan-out modes").
enum class FanoutMode { Push, Pull, Hybrid };
std::string_view toString(WorkloadKind w);
std::string_view toString(FanoutMode m);
std::optional<WorkloadKind> parseWorkloadKind(std::string_view s);
std::optional<FanoutMode> parseFanoutMode(std::string_view s);
std::optional<FullPolicy> parseFullPolicy(std::string_view s);
std::optional<CounterRecovery> parseCounterRecovery(std::string_view s);
std::optional<Strategy> parseStrategy(std::string_view s);
std::optional<TrafficMode> parseTrafficMode(std::string_view s);
std::optional<RoutePolicy> parseRoutePolicy(std::string_view s);
std::optional<ServiceDist> parseServiceDist(std::string_view s);
std::optional<Placement> parsePlacement(std::string_view s);
const std::vector<std::string_view> &strategyNames();

struct TrafficConfig {
    TrafficMode mode = TrafficMode::Open;
    double ratePerS = 2000; // open loop: Poisson arrival rate
    int clients = 64; // closed loop: concurrent clients, each as fast as possible
    std::int64_t users = 1000000; // user id population
    int skus = 1; // SKU 0 is the hot one
    double skuSkew = 0.0; // Zipf exponent over SKUs; 0 = uniform
    // Product-page views per purchase attempt (100 = a 100:1 read:write mix); 0 = purchases only.
    // The arrival rate counts both: a share readRatio/(readRatio+1) of arrivals are views.
    double readRatio = 0;
};

struct GatewayConfig {
    RoutePolicy policy = RoutePolicy::RoundRobin;
    std::optional<double> rateLimitPerS; // token bucket; empty = no admission control
};

struct NodeConfig {
    int count = 4;
    int capacity = 64; // requests served at once: the node's cores
    int queueLimit = 1000; // FIFO backlog beyond capacity; full backlog rejects
    double serviceMs = 0.5; // at speed 1
    ServiceDist serviceDist = ServiceDist::Constant;
    std::optional<double> timeoutMs;
    double speed = 1; // per-core speed: a request's service time is serviceMs / speed
    std::optional<double> price; // of one node; empty: capacity × speed (paying for compute)
    Coordination coordination = Coordination::None;
    double serialMs = 0; // hot-row, serial, exchange: the exclusive hold per request
    double exchangeMs = 0; // exchange: one message to one peer
};

// A node's size: what scale up changes (DESIGN.md question 4).
struct NodeSize {
    int cores = 1;
    double speed = 1;
    double price = 1;
};
// The configured nodes' size, with the price filled in.
NodeSize configuredSize(const NodeConfig &n);

// Where the stock lives: the embedded model, or real PostgreSQL tables (engine/backends/pgstore.h).
enum class StoreBackend { Embedded, Postgres };
std::string_view toString(StoreBackend b);
std::optional<StoreBackend> parseStoreBackend(std::string_view s);

struct StoreConfig {
    StoreBackend backend = StoreBackend::Embedded;
    // postgres: a libpq URL (postgresql://user@host:port/db); empty = start a private server on
    // loopback for the run (engine/backends/pgserver.h).
    std::string url;
    int connections = 16; // postgres: the pool, spread over the engine threads (the concurrency)
    double latencyMs = 1.0; // one round trip to the store; holds no lock by itself
    double writeMs = 0.05; // how long a write holds its row (the commit); caps a row at 1/writeMs
    int buckets = 8; // stock buckets per SKU for `sharded`
    // `sharded`: buckets a purchase tries (its own, then the next ones) before it answers "sold
    // out"; 0 = every bucket. Fewer probes answer faster when stock runs low, at the price of
    // false sold-outs while other buckets still hold units.
    int probes = 0;
};

// The cache tier (DESIGN.md "Cache tier"). Nodes are numbered from 0 like app nodes; each one
// serves one operation at a time. Views read it cache-aside (key = SKU, value = the stock shown on
// the product page); `cache-queue` keeps one stock counter per SKU in the node that owns it.
struct CacheConfig {
    int nodes = 0; // 0 = no cache tier
    Placement placement = Placement::Ring;
    int virtualNodes = KeyPlacement::kDefaultVirtualNodes;
    double latencyMs = 0.2; // one round trip to a cache node; holds nothing
    double opMs = 0.01; // how long a node is busy with one operation
    int keys = 10000; // LRU capacity per node
    double ttlMs = 1000;
    double ttlJitter = 0; // fraction: each TTL is ttlMs × (1 ± jitter)
    bool singleFlight = false; // one store load per missing key; other misses wait for it (a lease)
    CounterRecovery recovery = CounterRecovery::ReloadFromStore;
};

// The order queue of `cache-queue` (DESIGN.md "Message queues"): orders are spread over
// partitions by order id; consumers take batches, persist each order to the store (one store
// round trip plus the write), then acknowledge the batch. Unacknowledged messages of a killed
// consumer are delivered again (at-least-once).
struct QueueConfig {
    int partitions = 4;
    int capacity = 10000; // unacknowledged messages per partition
    int consumers = 2;
    int batch = 10; // messages a consumer holds and acknowledges together
    double ackMs = 0.5; // round trip to the broker for one acknowledgement
    FullPolicy whenFull = FullPolicy::Reject;
    bool idempotent = false; // consumers skip orders already persisted (an idempotency key)
};

// The celebrity fan-out workload (workloads/fanout/fanout.h): users over a follower graph post
// and read timelines; the arrival rate counts both (postShare of arrivals are posts).
struct FanoutConfig {
    std::uint32_t users = 1'000'000;
    double followsPerUser = 5; // ordinary followees, on average
    double followerExponent = 1.0; // Zipf: the k-th most followed ordinary account has ~ k^-s followers
    std::vector<std::uint32_t> celebrities { 1'000'000 - 1 }; // follower count of each
    FanoutMode mode = FanoutMode::Push;
    std::uint32_t threshold = 10'000; // hybrid: authors with more followers are pulled
    double postShare = 0.01; // of the arrivals: ordinary posts; the rest are timeline reads
    double celebrityReaders = 0.5; // of the reads: by a follower of celebrity 0
    int workers = 8; // fan-out workers
    int batch = 64; // followers per batch
    double writeMs = 0.01; // one inbox write at its shard
    double fetchMs = 0.1; // one inbox or outbox fetch
    double ackMs = 0.05; // a batch's acknowledgement after its writes
    int inboxSize = 8; // newest posts an inbox keeps
    int inboxShards = 16;
    std::uint32_t postLog = 1u << 16; // posts kept (outboxes reach back this far)
    bool idempotent = true; // inbox writes skip a post already there
};

struct EngineConfig {
    std::string name = "custom";
    WorkloadKind workload = WorkloadKind::FlashSale;
    FanoutConfig fanout; // used when workload is Fanout
    std::uint64_t seed = 42;
    Strategy strategy = Strategy::Naive;
    std::int64_t stock = 1000; // initial units per SKU
    TrafficConfig traffic;
    GatewayConfig gateway;
    NodeConfig nodes;
    StoreConfig store;
    CacheConfig cache;
    QueueConfig queue;
    int threads = 0; // engine worker threads; 0 = hardware concurrency
};

// Limits the engine enforces; the loaders check against the same numbers.
inline constexpr int kMaxNodes = 64;
inline constexpr int kMaxSkus = 1024;
inline constexpr int kMaxBuckets = 256;
inline constexpr double kMaxRatePerS = 2e6;
inline constexpr double kMinRatePerS = 1.0;
inline constexpr int kMaxClients = 100000;
inline constexpr int kMaxCacheNodes = 64; // up at once
inline constexpr int kMaxVirtualNodes = 4096;
inline constexpr int kMaxCacheKeys = 10000000;
inline constexpr int kMaxPartitions = 64;
inline constexpr int kMaxPartitionCapacity = 1000000;
inline constexpr int kMaxConsumers = 64; // up at once
inline constexpr int kMaxBatch = 1000;
inline constexpr double kMaxReadRatio = 10000;
inline constexpr std::int64_t kMaxStock = std::int64_t(1) << 40;
inline constexpr std::uint32_t kMaxFanoutUsers = 16'000'000; // keeps the graph's affine maps within 64 bits
inline constexpr int kMaxFollowsPerUser = 128;
inline constexpr int kMaxInboxSize = 64;
inline constexpr int kMaxInboxShards = 256;
inline constexpr int kMaxFanoutWorkers = 256; // started between two resets
inline constexpr int kMaxFanoutBatch = 4096;

// First violated limit as "field: problem", or empty when the config is valid. The fan-out
// section is checked when the workload is the fan-out.
std::string validate(const EngineConfig &c);
std::string validate(const FanoutConfig &c);

} // namespace stampede
