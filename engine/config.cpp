#include "config.h"

#include <array>
#include <cmath>
#include <utility>

namespace stampede {

namespace {

template<typename E, std::size_t N>
std::optional<E> lookup(const std::array<std::pair<E, std::string_view>, N> &table, std::string_view s)
{
    for (const auto &[e, name] : table)
        if (name == s)
            return e;
    return std::nullopt;
}

template<typename E, std::size_t N>
std::string_view name(const std::array<std::pair<E, std::string_view>, N> &table, E e)
{
    for (const auto &[v, n] : table)
        if (v == e)
            return n;
    return "?";
}

constexpr std::array<std::pair<Strategy, std::string_view>, 5> kStrategies { {
    { Strategy::Naive, "naive" },
    { Strategy::RowLock, "row-lock" },
    { Strategy::Atomic, "atomic" },
    { Strategy::Sharded, "sharded" },
    { Strategy::CacheQueue, "cache-queue" },
} };
constexpr std::array<std::pair<FullPolicy, std::string_view>, 2> kFullPolicies { {
    { FullPolicy::Reject, "reject" },
    { FullPolicy::Block, "block" },
} };
constexpr std::array<std::pair<CounterRecovery, std::string_view>, 2> kRecoveries { {
    { CounterRecovery::ReloadFromStore, "reload-from-store" },
    { CounterRecovery::ResetToInitial, "reset-to-initial" },
} };
constexpr std::array<std::pair<TrafficMode, std::string_view>, 2> kModes { {
    { TrafficMode::Open, "open" },
    { TrafficMode::Closed, "closed" },
} };
constexpr std::array<std::pair<RoutePolicy, std::string_view>, 3> kPolicies { {
    { RoutePolicy::RoundRobin, "round-robin" },
    { RoutePolicy::LeastOutstanding, "least-outstanding" },
    { RoutePolicy::UserHash, "user-hash" },
} };
constexpr std::array<std::pair<ServiceDist, std::string_view>, 2> kDists { {
    { ServiceDist::Constant, "constant" },
    { ServiceDist::Exponential, "exponential" },
} };

constexpr std::array<std::pair<Placement, std::string_view>, 2> kPlacements { {
    { Placement::Ring, "ring" },
    { Placement::Modulo, "modulo" },
} };

bool finiteAtLeast(double v, double lo) { return std::isfinite(v) && v >= lo; }

} // namespace

std::string_view toString(Strategy s) { return name(kStrategies, s); }
std::string_view toString(TrafficMode m) { return name(kModes, m); }
std::string_view toString(RoutePolicy p) { return name(kPolicies, p); }
std::string_view toString(ServiceDist d) { return name(kDists, d); }
std::string_view toString(Placement p) { return name(kPlacements, p); }
std::optional<Placement> parsePlacement(std::string_view s) { return lookup(kPlacements, s); }
std::string_view toString(FullPolicy p) { return name(kFullPolicies, p); }
std::string_view toString(CounterRecovery r) { return name(kRecoveries, r); }
std::optional<FullPolicy> parseFullPolicy(std::string_view s) { return lookup(kFullPolicies, s); }
std::optional<CounterRecovery> parseCounterRecovery(std::string_view s) { return lookup(kRecoveries, s); }
std::optional<Strategy> parseStrategy(std::string_view s) { return lookup(kStrategies, s); }
std::optional<TrafficMode> parseTrafficMode(std::string_view s) { return lookup(kModes, s); }
std::optional<RoutePolicy> parseRoutePolicy(std::string_view s) { return lookup(kPolicies, s); }
std::optional<ServiceDist> parseServiceDist(std::string_view s) { return lookup(kDists, s); }

const std::vector<std::string_view> &strategyNames()
{
    static const std::vector<std::string_view> names = [] {
        std::vector<std::string_view> v;
        for (const auto &p : kStrategies)
            v.push_back(p.second);
        return v;
    }();
    return names;
}

std::string validate(const EngineConfig &c)
{
    const auto &t = c.traffic;
    if (c.stock < 0 || c.stock > kMaxStock)
        return "stock: must be between 0 and " + std::to_string(kMaxStock);
    if (!std::isfinite(t.ratePerS) || t.ratePerS < kMinRatePerS || t.ratePerS > kMaxRatePerS)
        return "traffic.rate_per_s: must be between 1 and 1000000";
    if (t.clients < 1 || t.clients > kMaxClients)
        return "traffic.clients: must be between 1 and " + std::to_string(kMaxClients);
    if (t.users < 1)
        return "traffic.users: must be at least 1";
    if (t.skus < 1 || t.skus > kMaxSkus)
        return "traffic.skus: must be between 1 and " + std::to_string(kMaxSkus);
    if (!finiteAtLeast(t.skuSkew, 0.0) || t.skuSkew > 10.0)
        return "traffic.sku_skew: must be between 0 and 10";
    if (!finiteAtLeast(t.readRatio, 0.0) || t.readRatio > kMaxReadRatio)
        return "traffic.read_ratio: must be between 0 and 10000";
    if (c.gateway.rateLimitPerS && !(finiteAtLeast(*c.gateway.rateLimitPerS, 1.0)))
        return "gateway.rate_limit_per_s: must be at least 1 or null";
    const auto &n = c.nodes;
    if (n.count < 1 || n.count > kMaxNodes)
        return "nodes.count: must be between 1 and " + std::to_string(kMaxNodes);
    if (n.capacity < 1 || n.capacity > 100000)
        return "nodes.capacity: must be between 1 and 100000";
    if (n.queueLimit < 0 || n.queueLimit > 1000000)
        return "nodes.queue_limit: must be between 0 and 1000000";
    if (!finiteAtLeast(n.serviceMs, 0.0) || n.serviceMs > 60000)
        return "nodes.service_ms: must be between 0 and 60000";
    if (n.timeoutMs && (!finiteAtLeast(*n.timeoutMs, 0.001) || *n.timeoutMs > 600000))
        return "nodes.timeout_ms: must be between 0.001 and 600000 or null";
    const auto &s = c.store;
    if (!finiteAtLeast(s.latencyMs, 0.0) || s.latencyMs > 60000)
        return "store.latency_ms: must be between 0 and 60000";
    if (!finiteAtLeast(s.writeMs, 0.0) || s.writeMs > 60000)
        return "store.write_ms: must be between 0 and 60000";
    if (s.buckets < 1 || s.buckets > kMaxBuckets)
        return "store.buckets: must be between 1 and " + std::to_string(kMaxBuckets);
    const auto &k = c.cache;
    if (k.nodes < 0 || k.nodes > kMaxCacheNodes)
        return "cache.nodes: must be between 0 and " + std::to_string(kMaxCacheNodes);
    if (k.virtualNodes < 1 || k.virtualNodes > kMaxVirtualNodes)
        return "cache.virtual_nodes: must be between 1 and " + std::to_string(kMaxVirtualNodes);
    if (!finiteAtLeast(k.latencyMs, 0.0) || k.latencyMs > 60000)
        return "cache.latency_ms: must be between 0 and 60000";
    if (!finiteAtLeast(k.opMs, 0.0) || k.opMs > 60000)
        return "cache.op_ms: must be between 0 and 60000";
    if (k.keys < 1 || k.keys > kMaxCacheKeys)
        return "cache.keys: must be between 1 and " + std::to_string(kMaxCacheKeys);
    if (!finiteAtLeast(k.ttlMs, 0.001) || k.ttlMs > 3600000)
        return "cache.ttl_ms: must be between 0.001 and 3600000";
    if (!finiteAtLeast(k.ttlJitter, 0.0) || k.ttlJitter > 1.0)
        return "cache.ttl_jitter: must be between 0 and 1";
    if (c.strategy == Strategy::CacheQueue && k.nodes < 1)
        return "strategy: cache-queue needs a cache tier (cache.nodes at least 1)";
    const auto &q = c.queue;
    if (q.partitions < 1 || q.partitions > kMaxPartitions)
        return "queue.partitions: must be between 1 and " + std::to_string(kMaxPartitions);
    if (q.capacity < 1 || q.capacity > kMaxPartitionCapacity)
        return "queue.capacity: must be between 1 and " + std::to_string(kMaxPartitionCapacity);
    if (q.consumers < 0 || q.consumers > kMaxConsumers)
        return "queue.consumers: must be between 0 and " + std::to_string(kMaxConsumers);
    if (q.batch < 1 || q.batch > kMaxBatch)
        return "queue.batch: must be between 1 and " + std::to_string(kMaxBatch);
    if (!finiteAtLeast(q.ackMs, 0.0) || q.ackMs > 60000)
        return "queue.ack_ms: must be between 0 and 60000";
    if (c.threads < 0 || c.threads > 256)
        return "threads: must be between 0 and 256";
    return {};
}

} // namespace stampede
