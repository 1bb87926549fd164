#pragma once

// The cache tier: cache nodes in fixed slots (cachenode.h: LRU + TTL data and one worker in
// virtual time), keys placed by modulo-N or a consistent-hash ring (keyplacement.h), swapped
// live when nodes come and go. Request threads copy the placement only when its version moved.
// Durable keys (data rather than cache, e.g. stock counters) move to their new owner on a
// planned change; everything else on a lost or left node is simply gone.
//
// One cache operation is a round trip to the owning node, then the node's worker: the tier runs
// those two stages (Part::Cache) and asks its client (the workload) what the operation does to
// the data and what follows it.

#include "cachenode.h"
#include "engine.h"
#include "keyplacement.h"
#include "ownedcounter.h"
#include "workload.h"

#include <atomic>
#include <memory>
#include <mutex>
#include <optional>
#include <vector>

namespace stampede {

class Runtime;
class Shard;

enum class CacheStage : std::uint8_t { Trip, Reply };

// What a cache operation means: supplied by the workload that uses the tier.
class CacheClient {
public:
    virtual ~CacheClient() = default;
    // The key r's operation addresses.
    virtual std::uint64_t cacheKey(const Request *r) const = 0;
    // Applies r's operation on `node` at `now` (through CacheNode::serve); false when the node is gone.
    virtual bool applyCacheOp(Shard &s, Request *r, CacheNode &node, Nanos now, Nanos *wait) = 0;
    // The reply arrived (ok) or no node could serve it.
    virtual void cacheOpDone(Shard &s, Request *r, bool ok) = 0;
};

// Read-traffic counters, per shard, one writer each.
struct ReadStats {
    OwnedCounter views, viewsFailed, viewHits, viewMisses, staleReads, storeReads;
};

class CacheTier {
public:
    CacheTier(Runtime &rt, const CacheConfig &config, int skus, CacheClient &client);

    const Nanos latencyNs; // round trip to a cache node
    const Nanos opNs; // a node's worker per operation

    // ---- request path ----
    // Sends r's operation to the key's owner (after the round trip).
    void startOp(Shard &s, Request *r, CacheOpKind op);
    void step(Shard &s, Request *r); // Part::Cache
    int owner(Shard &s, std::uint64_t key); // through this shard's copy of the placement
    CacheNode &node(int id) { return m_nodes[static_cast<std::size_t>(id)]; }
    bool migrating() const { return m_migrating.load(std::memory_order_acquire); }
    bool singleFlight() const { return m_singleFlight.load(std::memory_order_relaxed); }
    Nanos ttl(Shard &s) const; // the TTL with jitter
    ReadStats &stats(Shard &s);
    // Single-flight: true when r now holds the SKU's lease (it loads the key); false when r was
    // queued behind the holder and will be dispatched when the lease is released.
    bool leaseOrWait(int sku, Request *r);
    void releaseLease(int sku);

    // ---- control (control mutex held) ----
    void setDurableKeys(std::vector<std::uint64_t> keys) { m_durable = std::move(keys); }
    int ownerNow(std::uint64_t key) const; // the current placement's owner, -1 without nodes
    int upNodes() const;
    CommandResult addNodes(int count);
    // `keepLast`: the last node up may not go (it holds the only copy of durable keys).
    CommandResult removeNode(std::optional<int> id, bool keepLast);
    CommandResult killNode(std::optional<int> id);
    CommandResult setPlacement(Placement p);
    CommandResult setSingleFlight(bool on);
    CommandResult setTtlJitter(double fraction);
    void countStoreRead() { ++m_controlStoreReads; } // a store read made by the control side
    void reset();
    // Whether the run has a cache tier or read traffic to show (the cache section).
    bool inRun() const { return m_used.load() > 0 || m_prev.views > 0; }
    void tick(const TickContext &c, CacheSample &x);
    void view(CacheView &s);
    void clearShard(int shard);

private:
    struct alignas(64) ShardState {
        std::uint64_t placementSeen = ~std::uint64_t(0);
        std::shared_ptr<const KeyPlacement> placement; // this thread's copy
        ReadStats reads;
    };
    std::optional<int> pick(std::optional<int> id, bool allowDead, bool newest) const;
    // Rebuilds the placement over the nodes that are up and moves the durable keys; returns
    // (and records) the fraction of the sample keys whose owner changed.
    double replacePlacement(Placement p);
    void migrate(const KeyPlacement &before, const KeyPlacement &after);

    Runtime &m_rt;
    const CacheConfig m_config;
    const Nanos m_ttlNs;
    CacheClient &m_client;
    const int m_skus;
    std::unique_ptr<CacheNode[]> m_nodes; // kCacheSlots
    std::atomic<int> m_used { 0 }; // slots [0, n) have been initialised; ids are not reused until reset
    // Replaced under m_placementMutex (and the control mutex).
    mutable std::mutex m_placementMutex;
    std::shared_ptr<const KeyPlacement> m_placement;
    std::atomic<std::uint64_t> m_placementVersion { 0 };
    std::atomic<bool> m_migrating { false }; // durable keys are moving to their new owners
    std::vector<std::uint64_t> m_sampleKeys; // fixed universe for keys moved
    std::vector<std::uint64_t> m_durable;
    std::atomic<bool> m_singleFlight { false };
    std::atomic<double> m_ttlJitter { 0 };
    struct Lease {
        std::mutex mutex;
        bool loading = false;
        Request *head = nullptr;
        Request *tail = nullptr;
    };
    std::unique_ptr<Lease[]> m_leases; // per SKU
    std::unique_ptr<ShardState[]> m_shards;
    double m_keysMovedLast = 0;
    int m_changes = 0;
    // tick state
    struct Totals {
        std::uint64_t views = 0, viewHits = 0, viewMisses = 0, staleReads = 0, storeReads = 0, evictions = 0;
    };
    Totals m_prev;
    std::vector<std::uint64_t> m_prevOps; // per slot
    std::vector<double> m_opsRate;
    std::uint64_t m_controlStoreReads = 0;
    double m_storeReadPeak = 0;
};

} // namespace stampede
