#include "stockstore.h"

#include "limittable.h"
#include "runtime.h"

#include <algorithm>

namespace stampede {

StockStore::StockStore(Runtime &rt, const StoreConfig &config, int skus, std::int64_t stockPerSku, bool spread)
    : latencyNs(msToNs(config.latencyMs))
    , writeNs(msToNs(config.writeMs))
    , m_rt(rt)
    , m_skus(skus)
    , m_buckets(config.buckets)
    , m_initial(stockPerSku)
    , m_rows(std::make_unique<StockRow[]>(static_cast<std::size_t>(skus * config.buckets)))
    , m_shards(std::make_unique<ShardStats[]>(static_cast<std::size_t>(rt.shardCount())))
    , m_spread(spread)
    , m_rebalanceTimer(rt.control())
{
    // Each engine thread serves its own subset of buckets (those congruent to its index).
    const int threads = rt.shardCount();
    for (int i = 0; i < threads; ++i) {
        ShardStats &st = m_shards[static_cast<std::size_t>(i)];
        st.firstBucket = i % m_buckets;
        st.stride = threads < m_buckets ? threads : m_buckets;
        st.ownBuckets = (m_buckets - st.firstBucket + st.stride - 1) / st.stride;
    }
}

std::int64_t StockStore::skuStock(int sku)
{
    std::int64_t sum = 0;
    for (int b = 0; b < m_buckets; ++b)
        sum += row(sku, b).value();
    return sum;
}

std::int64_t StockStore::totalStock()
{
    std::int64_t sum = 0;
    for (int sku = 0; sku < m_skus; ++sku)
        sum += skuStock(sku);
    return sum;
}

// `sharded`: each engine thread serves its own subset of buckets (those congruent to its index),
// users spread over that subset. Like per-core counters, two cores then never fight over one
// bucket's cache line until a bucket runs dry and the request probes the others.
int StockStore::homeBucket(const Shard &s, const Request *r) const
{
    const ShardStats &st = m_shards[static_cast<std::size_t>(s.index())];
    // The user's hash scaled to [0, ownBuckets) by a multiply, not a division.
    const auto h = (r->user * 0xff51afd7ed558ccdULL) >> 32;
    const auto pick = (h * static_cast<std::uint64_t>(st.ownBuckets)) >> 32;
    return st.firstBucket + static_cast<int>(pick) * st.stride;
}

void StockStore::granted(Shard &s, Request *r)
{
    r->holdsLock = true;
    // A hand-over runs at the holder's release time when modeled (shard.h): the wait is exact.
    r->lockGranted = s.now();
    const Nanos waited = r->lockGranted - r->lockAsked;
    ShardStats &st = m_shards[static_cast<std::size_t>(s.index())];
    st.lockWaits.add();
    st.lockWaitNs.add(static_cast<std::uint64_t>(waited));
    st.lockWait.record(static_cast<std::uint64_t>(waited));
}

void StockStore::countLock(Shard &s, Nanos waited, Nanos held)
{
    ShardStats &st = m_shards[static_cast<std::size_t>(s.index())];
    st.lockWaits.add();
    st.lockWaitNs.add(static_cast<std::uint64_t>(std::max<Nanos>(0, waited)));
    st.lockWait.record(static_cast<std::uint64_t>(std::max<Nanos>(0, waited)));
    st.lockHolds.add();
    st.lockHoldNs.add(static_cast<std::uint64_t>(std::max<Nanos>(0, held)));
}

void StockStore::releaseLock(Shard &s, Request *r, std::int64_t delta)
{
    ShardStats &st = m_shards[static_cast<std::size_t>(s.index())];
    st.lockHolds.add();
    const Nanos now = s.now();
    st.lockHoldNs.add(static_cast<std::uint64_t>(std::max<Nanos>(0, now - r->lockGranted)));
    Request *next = row(r->sku, r->bucket).unlock(delta);
    r->holdsLock = false;
    if (next) {
        // It holds the row from now on, even if it fails before its granted stage runs.
        next->holdsLock = true;
        next->lockGranted = now;
        m_rt.dispatch(next);
    }
}

bool StockStore::deductForOrder(int sku)
{
    for (int b = 0; b < m_buckets; ++b)
        if (row(sku, b).takeOneIgnoringLock())
            return true;
    return false;
}

// ---- control ----

void StockStore::layout(std::int64_t perSku)
{
    const bool spread = m_spread.load();
    for (int sku = 0; sku < m_skus; ++sku)
        for (int b = 0; b < m_buckets; ++b) {
            std::int64_t v = 0;
            if (spread)
                v = perSku / m_buckets + (b < perSku % m_buckets ? 1 : 0);
            else if (b == 0)
                v = perSku;
            row(sku, b).setValue(v);
        }
}

void StockStore::setSpread(bool spread)
{
    if (m_spread.exchange(spread) != spread)
        rebalance(++m_rebalanceGen);
}

// Moves stock between the single row (bucket 0) and the buckets after a layout change. Only
// unlocked rows give stock away, so a lock holder that already checked the value keeps it; rows
// that are busy are retried every millisecond until the layout matches.
void StockStore::rebalance(std::uint64_t generation)
{
    if (generation != m_rebalanceGen || m_rt.stopped())
        return;
    const bool spread = m_spread.load();
    bool pending = false;
    for (int sku = 0; sku < m_skus; ++sku) {
        StockRow &first = row(sku, 0);
        if (spread) {
            const std::int64_t total = skuStock(sku);
            for (int b = 1; b < m_buckets; ++b) {
                const std::int64_t target = total / m_buckets + (b < total % m_buckets ? 1 : 0);
                const std::int64_t target0 = total / m_buckets + (total % m_buckets ? 1 : 0);
                const std::int64_t k = std::min(target - row(sku, b).value(), first.value() - target0);
                if (k <= 0)
                    continue;
                if (first.tryTake(k))
                    row(sku, b).add(k);
                else
                    pending = true;
            }
        } else {
            for (int b = 1; b < m_buckets; ++b) {
                const std::int64_t k = row(sku, b).value();
                if (k <= 0)
                    continue;
                if (row(sku, b).tryTake(k))
                    first.add(k);
                else
                    pending = true;
            }
        }
    }
    if (pending) {
        m_rebalanceTimer.expires_after(std::chrono::milliseconds(1));
        m_rebalanceTimer.async_wait([this, generation](const boost::system::error_code &ec) {
            if (ec)
                return;
            std::lock_guard g(m_rt.controlMutex());
            rebalance(generation);
        });
    }
}

CommandResult StockStore::restock(std::int64_t units)
{
    const double headroom = limits::range(limits::Limit::Restock).max - static_cast<double>(m_suppliedPerSku);
    if (!limits::inRange(limits::Limit::Restock, static_cast<double>(units)) || static_cast<double>(units) > headroom)
        return CommandResult::fail("restock: units " + limits::describe(1, headroom, false));
    const bool spread = m_spread.load();
    for (int sku = 0; sku < m_skus; ++sku) {
        if (!spread) {
            row(sku, 0).add(units);
            continue;
        }
        for (int b = 0; b < m_buckets; ++b)
            if (const auto k = units / m_buckets + (b < units % m_buckets ? 1 : 0))
                row(sku, b).add(k);
    }
    m_suppliedPerSku += units;
    m_supplied.store(m_suppliedPerSku);
    m_rt.mark("restock +" + std::to_string(units));
    return {};
}

void StockStore::reset(bool spread)
{
    m_spread.store(spread);
    ++m_rebalanceGen;
    layout(m_initial);
    m_suppliedPerSku = m_initial;
    m_supplied.store(m_suppliedPerSku);
    m_prevWaits = m_prevWaitNs = m_prevHolds = m_prevHoldNs = 0;
}

void StockStore::clearShard(int shard)
{
    ShardStats &st = m_shards[static_cast<std::size_t>(shard)];
    for (auto *c : { &st.lockWaits, &st.lockWaitNs, &st.lockHolds, &st.lockHoldNs })
        c->zero();
    st.lockWait.clear();
}

void StockStore::tick(const TickContext &, StoreSample &x)
{
    std::uint64_t waits = 0, waitNs = 0, holds = 0, holdNs = 0, lockMax = 0;
    for (int s = 0; s < m_rt.shardCount(); ++s) {
        ShardStats &st = m_shards[static_cast<std::size_t>(s)];
        waits += st.lockWaits.get();
        waitNs += st.lockWaitNs.get();
        holds += st.lockHolds.get();
        holdNs += st.lockHoldNs.get();
        lockMax = std::max(lockMax, st.lockWait.takeIntervalMax());
    }
    auto delta = [](std::uint64_t cur, std::uint64_t prev) { return cur >= prev ? cur - prev : 0; };
    const auto dw = delta(waits, m_prevWaits), dwNs = delta(waitNs, m_prevWaitNs);
    const auto dh = delta(holds, m_prevHolds), dhNs = delta(holdNs, m_prevHoldNs);
    x.lockWaitMeanMs = dw ? static_cast<double>(dwNs) / static_cast<double>(dw) * 1e-6 : 0.0;
    x.lockWaitMaxMs = dw ? static_cast<double>(lockMax) * 1e-6 : 0.0;
    x.lockHoldMeanMs = dh ? static_cast<double>(dhNs) / static_cast<double>(dh) * 1e-6 : 0.0;
    m_prevWaits = waits;
    m_prevWaitNs = waitNs;
    m_prevHolds = holds;
    m_prevHoldNs = holdNs;
    x.stockRemaining = totalStock();
}

void StockStore::view(StoreView &s)
{
    for (int b = 0; b < m_buckets; ++b) {
        StockRow &rw = row(0, b);
        s.hotRows.push_back({ 0, b, rw.value(), rw.locked(), rw.waiters() });
    }
    s.stockInitial = m_suppliedPerSku * m_skus;
}

} // namespace stampede
