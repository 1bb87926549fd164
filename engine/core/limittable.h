#pragma once

// The one table of ranges: every configuration field, command argument and scenario event value
// that has a numeric range has its row here, with the words that describe it. The engine's config
// validator and commands, the scenario loader, the command line and the window's fields all check
// against these rows and only add the name they know the value by (a JSON path, an option, a
// command). A range changed here changes everywhere.

#include <cstdint>
#include <string>
#include <string_view>

namespace stampede::limits {

enum class Limit {
    // configuration (names are the scenario JSON paths)
    Stock,
    RatePerS,
    Clients,
    Users,
    Skus,
    SkuSkew,
    ReadRatio,
    RateLimitPerS,
    NodeCount,
    NodeCapacity,
    QueueLimit,
    ServiceMs,
    NodeSpeed,
    NodePrice,
    SerialMs,
    ExchangeMs,
    TimeoutMs,
    StoreLatencyMs,
    WriteMs,
    Buckets,
    Probes,
    StoreConnections,
    CacheNodes,
    VirtualNodes,
    CacheLatencyMs,
    CacheOpMs,
    CacheKeys,
    TtlMs,
    TtlJitter,
    Partitions,
    PartitionCapacity,
    Consumers,
    Batch,
    AckMs,
    Threads,
    DurationS,
    FanoutUsers,
    FollowsPerUser,
    FollowerExponent,
    FanoutThreshold,
    PostShare,
    CelebrityReaders,
    FanoutWorkers,
    FanoutBatch,
    FanoutWriteMs,
    FanoutFetchMs,
    FanoutAckMs,
    InboxSize,
    InboxShards,
    // command and event arguments
    SpikeFactor,
    SpikeSeconds,
    SpikedRate, // open-loop rate × spike factor
    PauseSeconds, // a timed pause (wall seconds; the run's clock stands still meanwhile)
    AddNodes,
    AddCacheNodes,
    AddConsumers,
    Restock,
    Count // number of rows
};

struct Range {
    Limit id;
    std::string_view name; // the scenario key or path ("traffic.rate_per_s", "spike.for_s")
    double min;
    double max; // +infinity: no upper bound
    bool minOpen = false; // the value must be greater than min, not equal
    bool integer = false; // whole numbers only (the loaders check the type; the range is the same)
    bool nullable = false; // a scenario may give null (off)
    std::string_view unit = {}; // words after the range in messages ("per second", "s")
};

const Range &range(Limit id);

// "must be between 1 and 1000000", "must be at least 1 or null", "must be greater than 0 and at
// most 3600 s": the range in words, without a name.
std::string describe(const Range &r);
std::string describe(Limit id);
// The same words for a range computed at run time (e.g. restock up to the stock's headroom).
std::string describe(double min, double max, bool minOpen, std::string_view unit = {});

bool inRange(const Range &r, double v);
inline bool inRange(Limit id, double v) { return inRange(range(id), v); }

// Empty when v is in range, else describe(id).
std::string check(Limit id, double v);
// "name: must be …": the row's own name before the words (config validation).
std::string checkNamed(Limit id, double v);

// A number as the messages print it: integers without a fraction, others shortest.
std::string number(double v);

} // namespace stampede::limits
