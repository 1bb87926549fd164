// `cache-queue`: take a unit from the SKU's stock counter in the cache node that owns it (DECR),
// put the order on the queue and answer at once; consumers persist it later. The counters are
// rebuilt from the store when their node is lost (reload-from-store), or from the initial stock
// (reset-to-initial, which sells units again).

#include "flashsale.h"

#include "runtime.h"

#include <algorithm>

namespace stampede {

namespace {
constexpr Nanos kRetryNs = 50'000; // a counter that is moving: ask again after this
enum DecrementResult : std::int64_t { kTook = 0, kEmpty = 1, kMissing = 2 };
} // namespace

void FlashSale::startCacheQueue(Shard &s, Request *r)
{
    const auto sku = static_cast<std::size_t>(r->sku);
    if (m_reloading[sku].load(std::memory_order_acquire)) {
        soldOut(s, r); // the counter is gone until its queue drains: "sold out" (falsely, mostly)
        return;
    }
    // Counted before the decrement, so a reload that sees no unit in transit cannot miss this one.
    m_inTransit[sku].fetch_add(1, std::memory_order_seq_cst);
    r->reserved = true;
    r->bucket = static_cast<int>(s.rng.below(static_cast<std::uint64_t>(m_queue.partitions()))); // its partition
    m_cache.startOp(s, r, CacheOpKind::Decrement);
}

void FlashSale::unreserve(Shard &s, Request *r)
{
    if (r->took) {
        // Not on the queue after all: give the unit back to the counter (best effort: if the
        // counter is gone, the reload from the store will count the unit anyway).
        r->took = false;
        const int owner = m_cache.owner(s, counterKey(r->sku));
        if (owner >= 0)
            m_cache.node(owner).add(counterKey(r->sku), 1);
    }
    if (r->reserved) {
        r->reserved = false;
        m_inTransit[static_cast<std::size_t>(r->sku)].fetch_sub(1, std::memory_order_seq_cst);
    }
}

void FlashSale::decrementDone(Shard &s, Request *r, bool ok)
{
    const Nanos retry = std::max(kRetryNs, m_cache.latencyNs);
    if (!ok && r->cacheNode >= 0 && m_cache.node(r->cacheNode).state() == NodeSlotState::Removed) {
        // A node leaving gracefully hands its counters over: ask the new owner.
        r->setStage(Part::Cache, CacheStage::Trip);
        s.delay(r, retry);
        return;
    }
    if (!ok) {
        unreserve(s, r);
        answer(s, r, Outcome::NodeDown); // no cache node could serve the counter
        return;
    }
    switch (r->readValue) {
    case kTook:
        r->took = true;
        enqueueOrder(s, r);
        return;
    case kEmpty:
        unreserve(s, r);
        soldOut(s, r);
        return;
    default:
        // Missing. A node that no longer owns the key, or a counter on its way to its new owner,
        // is not a loss: ask the owner again.
        if (m_cache.migrating() || m_cache.owner(s, counterKey(r->sku)) != r->cacheNode) {
            r->setStage(Part::Cache, CacheStage::Trip);
            s.delay(r, retry);
            return;
        }
        unreserve(s, r);
        // reload-from-store: the tick reloads it once no unit of this SKU is in transit.
        m_reloading[static_cast<std::size_t>(r->sku)].store(true, std::memory_order_release);
        soldOut(s, r);
        return;
    }
}

void FlashSale::enqueueOrder(Shard &s, Request *r)
{
    r->setStage(Part::Workload, FlashStage::QueueBlocked); // where a parked order resumes
    switch (m_queue.enqueue(s, r)) {
    case OrderQueue::Enqueue::Parked:
        return;
    case OrderQueue::Enqueue::Rejected:
        unreserve(s, r);
        answer(s, r, Outcome::Overloaded);
        return;
    case OrderQueue::Enqueue::Queued:
        r->took = false;
        r->reserved = false; // the message carries the unit in transit from here on
        // Confirmed now, persisted later. A shopper whose node died meanwhile gets no answer, but
        // the order stays on the queue, as with the synchronous strategies.
        confirm(s, r);
        return;
    }
}

// ---- the order sink: what a consumer's write does ----

Nanos FlashSale::persistNs() const { return m_store.latencyNs + m_store.writeNs; }

void FlashSale::persist(Shard &s, int sku, bool first)
{
    // With no unit left in the store the order is written all the same (the shopper was told
    // yes); the audit shows it as oversold and unconserved.
    m_store.deductForOrder(sku);
    if (!first)
        return; // a duplicate: the stock pays twice, the order table has it twice
    stats(s).persisted[static_cast<std::size_t>(sku)].add();
    m_inTransit[static_cast<std::size_t>(sku)].fetch_sub(1, std::memory_order_seq_cst);
}

// ---- the counters (control mutex held) ----

std::int64_t FlashSale::inTransitTotal() const
{
    std::int64_t n = 0;
    for (int sku = 0; sku < m_skus; ++sku)
        n += inTransit(sku);
    return n;
}

bool FlashSale::queueInUse() const { return m_queue.used() || m_strategy.load() == Strategy::CacheQueue; }

bool FlashSale::cacheInRun() const { return m_cache.inRun() || m_readRatio.load() > 0; }

bool FlashSale::queueInRun() const { return queueInUse() || m_queue.consumersUsed() > 0; }

// What the store holds minus the units already promised to orders still on the queue.
void FlashSale::loadCounters()
{
    for (int sku = 0; sku < m_skus; ++sku) {
        const int owner = m_cache.ownerNow(counterKey(sku));
        if (owner >= 0)
            m_cache.node(owner).put(counterKey(sku), std::max<std::int64_t>(0, m_store.skuStock(sku) - inTransit(sku)));
        m_reloading[static_cast<std::size_t>(sku)].store(false);
    }
}

// reload-from-store: a lost counter comes back only once no unit of its SKU is in transit
// (every queued order persisted), so the store's stock is the truth. Until then its SKU answers
// "sold out": the safe policy's false sold-out window.
void FlashSale::reloadCounters()
{
    int reloaded = 0;
    std::int64_t units = 0;
    for (int sku = 0; sku < m_skus; ++sku) {
        const auto i = static_cast<std::size_t>(sku);
        if (!m_reloading[i].load() || m_inTransit[i].load(std::memory_order_seq_cst) != 0)
            continue;
        const int owner = m_cache.ownerNow(counterKey(sku));
        if (owner < 0)
            continue;
        const auto v = m_store.skuStock(sku);
        if (!m_cache.node(owner).put(counterKey(sku), v))
            continue;
        m_reloading[i].store(false, std::memory_order_release);
        m_cache.countStoreRead();
        ++reloaded;
        units += v;
    }
    if (reloaded == 1 && m_skus == 1)
        m_rt.mark("counter reloaded from store: " + std::to_string(units) + " units");
    else if (reloaded)
        m_rt.mark(std::to_string(reloaded) + " counters reloaded from store");
}

void FlashSale::resetCounters()
{
    for (int sku = 0; sku < m_skus; ++sku) {
        m_reloading[static_cast<std::size_t>(sku)].store(false);
        m_inTransit[static_cast<std::size_t>(sku)].store(0);
    }
    m_recovery.store(m_config.cache.recovery);
    m_counterResetsSeen = m_counterResets.load();
}

} // namespace stampede
