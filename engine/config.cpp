#include "config.h"

#include "limittable.h"

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
constexpr std::array<std::pair<StoreBackend, std::string_view>, 2> kBackends { {
    { StoreBackend::Embedded, "embedded" },
    { StoreBackend::Postgres, "postgres" },
} };
constexpr std::array<std::pair<FullPolicy, std::string_view>, 2> kFullPolicies { {
    { FullPolicy::Reject, "reject" },
    { FullPolicy::Block, "block" },
} };
constexpr std::array<std::pair<CounterRecovery, std::string_view>, 2> kRecoveries { {
    { CounterRecovery::ReloadFromStore, "reload-from-store" },
    { CounterRecovery::ResetToInitial, "reset-to-initial" },
} };
constexpr std::array<std::pair<WorkloadKind, std::string_view>, 2> kWorkloads { {
    { WorkloadKind::FlashSale, "flash-sale" },
    { WorkloadKind::Fanout, "fan-out" },
} };
constexpr std::array<std::pair<FanoutMode, std::string_view>, 3> kFanoutModes { {
    { FanoutMode::Push, "push" },
    { FanoutMode::Pull, "pull" },
    { FanoutMode::Hybrid, "hybrid" },
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

constexpr std::array<std::pair<Coordination, std::string_view>, 4> kCoordinations { {
    { Coordination::None, "none" },
    { Coordination::HotRow, "hot-row" },
    { Coordination::Serial, "serial" },
    { Coordination::Exchange, "exchange" },
} };

constexpr std::array<std::pair<Placement, std::string_view>, 2> kPlacements { {
    { Placement::Ring, "ring" },
    { Placement::Modulo, "modulo" },
} };

} // namespace

std::string_view toString(Strategy s) { return name(kStrategies, s); }
std::string_view toString(TrafficMode m) { return name(kModes, m); }
std::string_view toString(StoreBackend b) { return name(kBackends, b); }
std::optional<StoreBackend> parseStoreBackend(std::string_view s) { return lookup(kBackends, s); }
std::string_view toString(RoutePolicy p) { return name(kPolicies, p); }
std::string_view toString(ServiceDist d) { return name(kDists, d); }
std::string_view toString(Placement p) { return name(kPlacements, p); }
std::string_view toString(Coordination c) { return name(kCoordinations, c); }
std::optional<Coordination> parseCoordination(std::string_view s) { return lookup(kCoordinations, s); }

NodeSize configuredSize(const NodeConfig &n) { return { n.capacity, n.speed, n.price.value_or(n.capacity * n.speed) }; }
std::optional<Placement> parsePlacement(std::string_view s) { return lookup(kPlacements, s); }
std::string_view toString(FullPolicy p) { return name(kFullPolicies, p); }
std::string_view toString(CounterRecovery r) { return name(kRecoveries, r); }
std::string_view toString(WorkloadKind w) { return name(kWorkloads, w); }
std::string_view toString(FanoutMode m) { return name(kFanoutModes, m); }
std::optional<WorkloadKind> parseWorkloadKind(std::string_view s) { return lookup(kWorkloads, s); }
std::optional<FanoutMode> parseFanoutMode(std::string_view s) { return lookup(kFanoutModes, s); }
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
    using limits::Limit;
    const auto &t = c.traffic;
    const auto &n = c.nodes;
    const auto &s = c.store;
    const auto &k = c.cache;
    const auto &q = c.queue;
    // Every range is a row of core/limits.cpp; the first one violated is named.
    const std::pair<Limit, double> fields[] = {
        { Limit::Stock, static_cast<double>(c.stock) },
        { Limit::RatePerS, t.ratePerS },
        { Limit::Clients, t.clients },
        { Limit::Users, static_cast<double>(t.users) },
        { Limit::Skus, t.skus },
        { Limit::SkuSkew, t.skuSkew },
        { Limit::ReadRatio, t.readRatio },
        { Limit::RateLimitPerS, c.gateway.rateLimitPerS.value_or(limits::range(Limit::RateLimitPerS).min) },
        { Limit::NodeCount, n.count },
        { Limit::NodeCapacity, n.capacity },
        { Limit::QueueLimit, n.queueLimit },
        { Limit::ServiceMs, n.serviceMs },
        { Limit::NodeSpeed, n.speed },
        { Limit::NodePrice, n.price.value_or(1) },
        { Limit::SerialMs, n.serialMs },
        { Limit::ExchangeMs, n.exchangeMs },
        { Limit::TimeoutMs, n.timeoutMs.value_or(limits::range(Limit::TimeoutMs).min) },
        { Limit::StoreLatencyMs, s.latencyMs },
        { Limit::WriteMs, s.writeMs },
        { Limit::Buckets, s.buckets },
        { Limit::Probes, s.probes },
        { Limit::StoreConnections, s.connections },
        { Limit::CacheNodes, k.nodes },
        { Limit::VirtualNodes, k.virtualNodes },
        { Limit::CacheLatencyMs, k.latencyMs },
        { Limit::CacheOpMs, k.opMs },
        { Limit::CacheKeys, k.keys },
        { Limit::TtlMs, k.ttlMs },
        { Limit::TtlJitter, k.ttlJitter },
    };
    for (const auto &[id, v] : fields)
        if (auto e = limits::checkNamed(id, v); !e.empty())
            return e;
    if (c.strategy == Strategy::CacheQueue && k.nodes < 1)
        return "strategy: cache-queue needs a cache tier (cache.nodes at least 1)";
    if (s.backend == StoreBackend::Postgres) {
        // What the real store does not serve yet is refused, not modeled behind the user's back.
        if (c.workload != WorkloadKind::FlashSale)
            return "store.backend: postgres serves the flash sale only";
        if (c.strategy == Strategy::CacheQueue)
            return "strategy: cache-queue keeps its counters and queue in the embedded cache tier; with store.backend "
                   "postgres use naive, row-lock, atomic or sharded";
        if (t.readRatio > 0)
            return "traffic.read_ratio: page views read the embedded store; with store.backend postgres it must be 0";
        if (!s.url.empty() && s.url.rfind("postgresql://", 0) != 0 && s.url.rfind("postgres://", 0) != 0)
            return "store.url: must start with postgresql:// (or be empty: a private server is started)";
    } else if (!s.url.empty()) {
        return "store.url: needs store.backend postgres";
    }
    const std::pair<Limit, double> later[] = {
        { Limit::Partitions, q.partitions },
        { Limit::PartitionCapacity, q.capacity },
        { Limit::Consumers, q.consumers },
        { Limit::Batch, q.batch },
        { Limit::AckMs, q.ackMs },
        { Limit::Threads, c.threads },
    };
    for (const auto &[id, v] : later)
        if (auto e = limits::checkNamed(id, v); !e.empty())
            return e;
    if (c.workload == WorkloadKind::Fanout)
        return validate(c.fanout);
    return {};
}

std::string validate(const FanoutConfig &c)
{
    using limits::Limit;
    const std::pair<Limit, double> fields[] = {
        { Limit::FanoutUsers, c.users },
        { Limit::FollowsPerUser, c.followsPerUser },
        { Limit::FollowerExponent, c.followerExponent },
        { Limit::FanoutThreshold, c.threshold },
        { Limit::PostShare, c.postShare },
        { Limit::CelebrityReaders, c.celebrityReaders },
        { Limit::FanoutWorkers, c.workers },
        { Limit::FanoutBatch, c.batch },
        { Limit::FanoutWriteMs, c.writeMs },
        { Limit::FanoutFetchMs, c.fetchMs },
        { Limit::FanoutAckMs, c.ackMs },
        { Limit::InboxSize, c.inboxSize },
        { Limit::InboxShards, c.inboxShards },
    };
    for (const auto &[id, v] : fields)
        if (auto e = limits::checkNamed(id, v); !e.empty())
            return e;
    if (c.celebrities.size() >= c.users)
        return "fanout.celebrities: must be fewer than fanout.users";
    for (std::size_t i = 0; i < c.celebrities.size(); ++i)
        if (c.celebrities[i] > c.users - 1)
            return "fanout.celebrities[" + std::to_string(i)
                + "]: " + limits::describe(0, c.users - 1, false, "followers (fanout.users - 1)");
    if (c.postLog < 2 || (c.postLog & (c.postLog - 1)) != 0)
        return "fanout.post_log: must be a power of two, at least 2";
    return {};
}

} // namespace stampede
