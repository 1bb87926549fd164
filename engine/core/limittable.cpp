#include "limittable.h"

#include "config.h"

#include <array>
#include <cmath>
#include <cstdio>
#include <limits>

namespace stampede::limits {

namespace {

constexpr double kInf = std::numeric_limits<double>::infinity();

// One row per Limit, in the enum's order (checked below).
constexpr std::array<Range, static_cast<std::size_t>(Limit::Count)> kRanges { {
    { Limit::Stock, "stock", 0, static_cast<double>(kMaxStock), false, true },
    { Limit::RatePerS, "traffic.rate_per_s", kMinRatePerS, kMaxRatePerS },
    { Limit::Clients, "traffic.clients", 1, kMaxClients, false, true },
    { Limit::Users, "traffic.users", 1, kInf, false, true },
    { Limit::Skus, "traffic.skus", 1, kMaxSkus, false, true },
    { Limit::SkuSkew, "traffic.sku_skew", 0, 10 },
    { Limit::ReadRatio, "traffic.read_ratio", 0, kMaxReadRatio },
    { Limit::RateLimitPerS, "gateway.rate_limit_per_s", 1, kInf, false, false, true },
    { Limit::NodeCount, "nodes.count", 1, kMaxNodes, false, true },
    { Limit::NodeCapacity, "nodes.capacity", 1, 100000, false, true },
    { Limit::QueueLimit, "nodes.queue_limit", 0, 1000000, false, true },
    { Limit::ServiceMs, "nodes.service_ms", 0, 60000 },
    { Limit::NodeSpeed, "nodes.speed", 0.01, 100 },
    { Limit::NodePrice, "nodes.price", 0, 1e9 },
    { Limit::SerialMs, "nodes.serial_ms", 0, 60000 },
    { Limit::ExchangeMs, "nodes.exchange_ms", 0, 60000 },
    { Limit::TimeoutMs, "nodes.timeout_ms", 0.001, 600000, false, false, true },
    { Limit::StoreLatencyMs, "store.latency_ms", 0, 60000 },
    { Limit::WriteMs, "store.write_ms", 0, 60000 },
    { Limit::Buckets, "store.buckets", 1, kMaxBuckets, false, true },
    { Limit::Probes, "store.probes", 0, kMaxBuckets, false, true },
    { Limit::StoreConnections, "store.connections", 1, 256, false, true },
    { Limit::CacheNodes, "cache.nodes", 0, kMaxCacheNodes, false, true },
    { Limit::VirtualNodes, "cache.virtual_nodes", 1, kMaxVirtualNodes, false, true },
    { Limit::CacheLatencyMs, "cache.latency_ms", 0, 60000 },
    { Limit::CacheOpMs, "cache.op_ms", 0, 60000 },
    { Limit::CacheKeys, "cache.keys", 1, kMaxCacheKeys, false, true },
    { Limit::TtlMs, "cache.ttl_ms", 0.001, 3600000 },
    { Limit::TtlJitter, "cache.ttl_jitter", 0, 1 },
    { Limit::Partitions, "queue.partitions", 1, kMaxPartitions, false, true },
    { Limit::PartitionCapacity, "queue.capacity", 1, kMaxPartitionCapacity, false, true },
    { Limit::Consumers, "queue.consumers", 0, kMaxConsumers, false, true },
    { Limit::Batch, "queue.batch", 1, kMaxBatch, false, true },
    { Limit::AckMs, "queue.ack_ms", 0, 60000 },
    { Limit::Threads, "threads", 0, 256, false, true },
    { Limit::DurationS, "duration_s", 0, 86400, true },
    { Limit::FanoutUsers, "fanout.users", 2, kMaxFanoutUsers, false, true },
    { Limit::FollowsPerUser, "fanout.follows_per_user", 1, kMaxFollowsPerUser },
    { Limit::FollowerExponent, "fanout.follower_exponent", 0, 4, true },
    { Limit::FanoutThreshold, "fanout.threshold", 0, kMaxFanoutUsers, false, true },
    { Limit::PostShare, "fanout.post_share", 0, 1 },
    { Limit::CelebrityReaders, "fanout.celebrity_readers", 0, 1 },
    { Limit::FanoutWorkers, "fanout.workers", 0, kMaxFanoutWorkers, false, true },
    { Limit::FanoutBatch, "fanout.batch", 1, kMaxFanoutBatch, false, true },
    { Limit::FanoutWriteMs, "fanout.write_ms", 0, 1000 },
    { Limit::FanoutFetchMs, "fanout.fetch_ms", 0, 1000 },
    { Limit::FanoutAckMs, "fanout.ack_ms", 0, 1000 },
    { Limit::InboxSize, "fanout.inbox_size", 1, kMaxInboxSize, false, true },
    { Limit::InboxShards, "fanout.inbox_shards", 1, kMaxInboxShards, false, true },
    // A spike lasts at most an hour: scenario files, the window and the engine agree.
    { Limit::SpikeFactor, "spike.factor", 0, 1000, true },
    { Limit::SpikeSeconds, "spike.for_s", 0, 3600, true, false, false, "s" },
    { Limit::SpikedRate, "spike", 0, kMaxRatePerS * 10, false, false, false, "per second" },
    // A timed pause, like a spike, lasts at most an hour (an open pause ends when resumed).
    { Limit::PauseSeconds, "pause.for_s", 0, 3600, true, false, false, "s" },
    { Limit::AddNodes, "add_nodes", 1, kMaxNodes, false, true },
    { Limit::AddCacheNodes, "add_cache_node", 1, kMaxCacheNodes, false, true },
    { Limit::AddConsumers, "add_consumers", 1, kMaxConsumers, false, true },
    { Limit::Restock, "restock", 1, static_cast<double>(kMaxStock), false, true },
} };

constexpr bool rowsInOrder()
{
    for (std::size_t i = 0; i < kRanges.size(); ++i)
        if (static_cast<std::size_t>(kRanges[i].id) != i)
            return false;
    return true;
}
static_assert(rowsInOrder(), "kRanges must list every Limit once, in the enum's order");

} // namespace

const Range &range(Limit id) { return kRanges[static_cast<std::size_t>(id)]; }

std::string number(double v)
{
    if (std::isfinite(v) && v == std::floor(v) && std::fabs(v) < 1e15)
        return std::to_string(static_cast<long long>(v));
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.6g", v);
    return buf;
}

std::string describe(double min, double max, bool minOpen, std::string_view unit)
{
    std::string s;
    if (std::isinf(max))
        s = (minOpen ? "must be greater than " : "must be at least ") + number(min);
    else if (minOpen)
        s = "must be greater than " + number(min) + " and at most " + number(max);
    else
        s = "must be between " + number(min) + " and " + number(max);
    if (!unit.empty())
        s += " " + std::string(unit);
    return s;
}

std::string describe(const Range &r)
{
    std::string s = describe(r.min, r.max, r.minOpen);
    if (r.nullable)
        s += " or null";
    if (!r.unit.empty())
        s += " " + std::string(r.unit);
    return s;
}

std::string describe(Limit id) { return describe(range(id)); }

bool inRange(const Range &r, double v)
{
    if (std::isnan(v) || v > r.max)
        return false;
    if (std::isinf(v))
        return false;
    return r.minOpen ? v > r.min : v >= r.min;
}

std::string check(Limit id, double v) { return inRange(id, v) ? std::string() : describe(id); }

std::string checkNamed(Limit id, double v)
{
    const Range &r = range(id);
    return inRange(r, v) ? std::string() : std::string(r.name) + ": " + describe(r);
}

} // namespace stampede::limits
