// Product-page views, read cache-aside: GET on the cache node that owns the SKU; on a miss read
// the store and SET with a TTL. With single-flight, one miss per key loads it and the others wait
// for that load (a lease), then look again. Also what each cache operation does to the data.

#include "flashsale.h"

#include "runtime.h"

namespace stampede {

namespace {
enum DecrementResult : std::int64_t { kTook = 0, kEmpty = 1, kMissing = 2 };
} // namespace

void FlashSale::startView(Shard &s, Request *r) { m_cache.startOp(s, r, CacheOpKind::Get); }

void FlashSale::viewLookupDone(Shard &s, Request *r)
{
    ReadStats &rs = m_cache.stats(s);
    if (r->hit) {
        rs.viewHits.add();
        // The page shows what the cache holds; the store may have moved on since it was filled.
        if (r->stale)
            rs.staleReads.add();
        answer(s, r, Outcome::Success);
        return;
    }
    rs.viewMisses.add();
    if (r->cacheNode >= 0 && m_cache.singleFlight()) {
        // If someone is loading this key, wait for it, then look it up again (a hit, normally).
        r->setStage(Part::Cache, CacheStage::Trip);
        if (!m_cache.leaseOrWait(r->sku, r))
            return;
    }
    r->setStage(Part::Workload, FlashStage::ViewStore);
    if (m_store.latencyNs) {
        s.delay(r, m_store.latencyNs);
        return;
    }
    viewStoreDone(s, r);
}

void FlashSale::viewStoreDone(Shard &s, Request *r)
{
    m_cache.stats(s).storeReads.add();
    r->readValue = m_store.skuStock(r->sku);
    if (r->cacheNode < 0) { // no cache to fill
        answer(s, r, Outcome::Success);
        return;
    }
    m_cache.startOp(s, r, CacheOpKind::Fill);
}

std::uint64_t FlashSale::cacheKey(const Request *r) const
{
    return r->cacheOp == CacheOpKind::Decrement ? counterKey(r->sku) : viewKey(r->sku);
}

bool FlashSale::applyCacheOp(Shard &s, Request *r, CacheNode &node, Nanos now, Nanos *wait)
{
    switch (r->cacheOp) {
    case CacheOpKind::Get: {
        const std::int64_t store = m_store.skuStock(r->sku); // what the store says at this moment
        return node.serve(now, m_cache.opNs, wait, [&](CacheStore &st) {
            const auto v = st.get(viewKey(r->sku), now);
            r->hit = v.has_value();
            r->readValue = v.value_or(0);
            r->stale = r->hit && r->readValue != store;
        });
    }
    case CacheOpKind::Fill: {
        const Nanos expires = now + m_cache.ttl(s);
        return node.serve(
            now, m_cache.opNs, wait, [&](CacheStore &st) { st.set(viewKey(r->sku), r->readValue, expires); });
    }
    case CacheOpKind::Decrement: {
        const auto key = counterKey(r->sku);
        // reset-to-initial may only recreate the counter on its owner, outside a migration.
        const bool mayReset = m_recovery.load(std::memory_order_relaxed) == CounterRecovery::ResetToInitial
            && !m_cache.migrating() && m_cache.owner(s, key) == r->cacheNode;
        return node.serve(now, m_cache.opNs, wait, [&](CacheStore &st) {
            auto d = st.decrementIfPositive(key);
            if (d == CacheStore::Decrement::Missing && mayReset) {
                st.set(key, m_store.supplied(), CacheStore::kNever);
                m_counterResets.fetch_add(1, std::memory_order_relaxed);
                d = st.decrementIfPositive(key);
            }
            r->readValue = d == CacheStore::Decrement::Took ? kTook
                : d == CacheStore::Decrement::Empty         ? kEmpty
                                                            : kMissing;
        });
    }
    }
    return false;
}

void FlashSale::cacheOpDone(Shard &s, Request *r, bool ok)
{
    if (!ok && r->cacheOp != CacheOpKind::Decrement)
        r->cacheNode = -1; // no cache for this request: a view goes to the store and answers
    switch (r->cacheOp) {
    case CacheOpKind::Get:
        if (!ok)
            r->hit = false;
        viewLookupDone(s, r);
        return;
    case CacheOpKind::Fill:
        if (r->lease) {
            r->lease = false;
            m_cache.releaseLease(r->sku);
        }
        answer(s, r, Outcome::Success);
        return;
    case CacheOpKind::Decrement:
        decrementDone(s, r, ok);
        return;
    }
}

} // namespace stampede
