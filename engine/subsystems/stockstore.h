#pragma once

// The inventory store (the "database"): one row per SKU and stock bucket (stockrow.h), each access
// paying a modeled round trip; a row lock serialises its holders as a database row lock would.
// Stock is laid out in bucket 0 (one hot row) or spread over every bucket (`sharded`); a layout
// change moves units between rows without disturbing lock holders. Restocks and the units
// supplied so far (the audit's baseline) live here too. Lock waits and holds are counted per
// shard, one writer each.

#include "engine.h"
#include "histogram.h"
#include "ownedcounter.h"
#include "stockrow.h"
#include "workload.h"

#include <boost/asio/steady_timer.hpp>

#include <atomic>
#include <memory>

namespace stampede {

class Runtime;
class Shard;

class StockStore {
public:
    StockStore(Runtime &rt, const StoreConfig &config, int skus, std::int64_t stockPerSku, bool spread);

    const Nanos latencyNs; // one round trip
    const Nanos writeNs; // how long a write holds its row

    // ---- request path ----
    int buckets() const { return m_buckets; }
    StockRow &row(int sku, int bucket) { return m_rows[static_cast<std::size_t>(sku * m_buckets + bucket)]; }
    std::int64_t skuStock(int sku);
    // `sharded`: the bucket a request starts from (this shard's own subset of buckets).
    int homeBucket(const Shard &s, const Request *r) const;
    // The lock r waited for is now its own: counts the wait.
    void granted(Shard &s, Request *r);
    // A lock held elsewhere (the real database's): counted as a granted and released one.
    void countLock(Shard &s, Nanos waited, Nanos held);
    // Applies delta and releases r's row lock, handing it to the next waiter if any.
    void releaseLock(Shard &s, Request *r, std::int64_t delta);
    // A queued order's write: one unit of the SKU from any bucket, whoever holds a lock. False
    // when none is left (the order is written all the same: the audit shows it as oversold).
    bool deductForOrder(int sku);
    // Units supplied so far per SKU (initial + restocks), for the request path.
    std::int64_t supplied() const { return m_supplied.load(std::memory_order_relaxed); }

    // ---- control (control mutex held) ----
    // Spread stock over the buckets (`sharded`) or keep it in bucket 0; moves units as rows free up.
    void setSpread(bool spread);
    CommandResult restock(std::int64_t units);
    std::int64_t suppliedPerSku() const { return m_suppliedPerSku; }
    std::int64_t totalStock();
    void reset(bool spread);
    void tick(const TickContext &c, StoreSample &x);
    void view(StoreView &s);
    void clearShard(int shard);
    void freeze() { ++m_rebalanceGen; } // no more moves between rows (the audit reads them)
    void shutdown() { m_rebalanceTimer.cancel(); }

private:
    struct alignas(64) ShardStats {
        // `sharded`: this shard's own buckets are first, first + stride, ... (count of them)
        int firstBucket = 0, stride = 1, ownBuckets = 1;
        OwnedCounter lockWaits, lockWaitNs, lockHolds, lockHoldNs;
        ConcurrentHistogram lockWait; // ns, lock asked to granted
    };
    void layout(std::int64_t perSku);
    void rebalance(std::uint64_t generation);

    Runtime &m_rt;
    const int m_skus;
    const int m_buckets;
    const std::int64_t m_initial;
    std::unique_ptr<StockRow[]> m_rows;
    std::unique_ptr<ShardStats[]> m_shards;
    std::atomic<bool> m_spread;
    std::atomic<std::int64_t> m_supplied { 0 }; // mirror of m_suppliedPerSku for the request path
    std::int64_t m_suppliedPerSku = 0;
    boost::asio::steady_timer m_rebalanceTimer;
    std::uint64_t m_rebalanceGen = 0;
    // tick state
    std::uint64_t m_prevWaits = 0, m_prevWaitNs = 0, m_prevHolds = 0, m_prevHoldNs = 0;
};

} // namespace stampede
