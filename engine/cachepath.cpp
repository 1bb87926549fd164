// The cache tier on the request path: one operation on the cache node that owns a key (a
// network round trip, then the node's single worker for opMs), product-page views served
// cache-aside with an optional single-flight lease, and `cache-queue` purchases that take a
// unit from the SKU's counter in the cache and put the order on the queue.

#include "engineimpl.h"

#include <algorithm>

namespace stampede {

namespace {

constexpr Nanos kRetryNs = 50'000; // a counter that is moving: ask again after this

enum DecrementResult : std::int64_t { kTook = 0, kEmpty = 1, kMissing = 2 };

std::uint64_t keyOf(const Request *r)
{
    return r->cacheOp == CacheOpKind::Decrement ? counterKey(r->sku) : viewKey(r->sku);
}

} // namespace

int EngineImpl::cacheOwner(Shard &s, std::uint64_t key)
{
    const auto v = m_placementVersion.load(std::memory_order_acquire);
    if (v != s.placementSeen) {
        std::lock_guard g(m_placementMutex);
        s.placement = m_cachePlacement;
        s.placementSeen = v;
    }
    return s.placement ? s.placement->owner(KeyPlacement::hash(key)) : -1;
}

Nanos EngineImpl::ttl(Shard &s) const
{
    const double jitter = m_ttlJitter.load(std::memory_order_relaxed);
    if (jitter <= 0)
        return m_ttlNs;
    const double f = 1.0 + jitter * (2.0 * s.rng.uniform() - 1.0);
    return std::max<Nanos>(1, static_cast<Nanos>(static_cast<double>(m_ttlNs) * f));
}

// ---- views: GET, on a miss read the store and SET with a TTL ----

void EngineImpl::startView(Shard &s, Request *r)
{
    r->cacheOp = CacheOpKind::Get;
    r->stage = Stage::CacheTrip;
    if (m_cacheLatencyNs) {
        s.delay(r, m_cacheLatencyNs);
        return;
    }
    cacheStep(s, r);
}

void EngineImpl::viewLookupDone(Shard &s, Request *r)
{
    if (r->hit) {
        s.counters.viewHits.add();
        // The page shows what the cache holds; the store may have moved on since it was filled.
        if (r->stale)
            s.counters.staleReads.add();
        answer(s, r, Outcome::Success);
        return;
    }
    s.counters.viewMisses.add();
    if (r->cacheNode >= 0 && m_singleFlight.load(std::memory_order_relaxed)) {
        Lease &l = m_leases[static_cast<std::size_t>(r->sku)];
        std::lock_guard g(l.mutex);
        if (l.loading) {
            // Someone is loading this key: wait, then look it up again (a hit, normally).
            r->stage = Stage::CacheTrip;
            r->next = nullptr;
            if (l.tail)
                l.tail->next = r;
            else
                l.head = r;
            l.tail = r;
            return;
        }
        l.loading = true;
        r->lease = true;
    }
    r->stage = Stage::ViewStore;
    if (m_latencyNs) {
        s.delay(r, m_latencyNs);
        return;
    }
    step(s, r);
}

void EngineImpl::releaseLease(int sku)
{
    Lease &l = m_leases[static_cast<std::size_t>(sku)];
    Request *list = nullptr;
    {
        std::lock_guard g(l.mutex);
        l.loading = false;
        list = l.head;
        l.head = l.tail = nullptr;
    }
    dispatchAll(list);
}

void EngineImpl::dispatchAll(Request *list)
{
    while (list) {
        Request *w = list;
        list = list->next;
        w->next = nullptr;
        m_shards[static_cast<std::size_t>(w->shard)]->dispatch(w);
    }
}

void EngineImpl::unblockProducers()
{
    for (int p = 0; p < m_partitionCount; ++p) {
        Partition &part = m_partitions[static_cast<std::size_t>(p)];
        Request *list = nullptr;
        {
            std::lock_guard g(part.mutex());
            while (Request *r = part.unpark()) {
                r->next = list;
                list = r;
            }
        }
        dispatchAll(list);
    }
}

// ---- cache-queue: DECR the counter in the cache, enqueue the order, answer at once ----

void EngineImpl::startCacheQueue(Shard &s, Request *r)
{
    const auto sku = static_cast<std::size_t>(r->sku);
    if (m_reloading[sku].load(std::memory_order_acquire)) {
        soldOut(s, r); // the counter is gone until its queue drains: "sold out" (falsely, mostly)
        return;
    }
    // Counted before the decrement, so a reload that sees no unit in transit cannot miss this one.
    m_inTransit[sku].fetch_add(1, std::memory_order_seq_cst);
    r->reserved = true;
    r->bucket = static_cast<int>(s.rng.below(static_cast<std::uint64_t>(m_partitionCount))); // its partition
    r->cacheOp = CacheOpKind::Decrement;
    r->stage = Stage::CacheTrip;
    if (m_cacheLatencyNs) {
        s.delay(r, m_cacheLatencyNs);
        return;
    }
    cacheStep(s, r);
}

void EngineImpl::unreserve(Shard &s, Request *r)
{
    if (r->took) {
        // Not on the queue after all: give the unit back to the counter (best effort: if the
        // counter is gone, the reload from the store will count the unit anyway).
        r->took = false;
        const int owner = cacheOwner(s, counterKey(r->sku));
        if (owner >= 0)
            m_cache[static_cast<std::size_t>(owner)].add(counterKey(r->sku), 1);
    }
    if (r->reserved) {
        r->reserved = false;
        m_inTransit[static_cast<std::size_t>(r->sku)].fetch_sub(1, std::memory_order_seq_cst);
    }
}

void EngineImpl::decrementDone(Shard &s, Request *r, bool ok)
{
    if (!ok && r->cacheNode >= 0 && m_cache[static_cast<std::size_t>(r->cacheNode)].state() == NodeSlotState::Removed) {
        // A node leaving gracefully hands its counters over: ask the new owner.
        r->stage = Stage::CacheTrip;
        s.delay(r, std::max(kRetryNs, m_cacheLatencyNs));
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
    default: {
        // Missing. A node that no longer owns the key, or a counter on its way to its new owner,
        // is not a loss: ask the owner again.
        if (m_migrating.load(std::memory_order_acquire) || cacheOwner(s, counterKey(r->sku)) != r->cacheNode) {
            r->stage = Stage::CacheTrip;
            s.delay(r, std::max(kRetryNs, m_cacheLatencyNs));
            return;
        }
        unreserve(s, r);
        // reload-from-store: the tick reloads it once no unit of this SKU is in transit.
        m_reloading[static_cast<std::size_t>(r->sku)].store(true, std::memory_order_release);
        soldOut(s, r);
        return;
    }
    }
}

void EngineImpl::enqueueOrder(Shard &s, Request *r)
{
    const int p = r->bucket; // chosen when the unit was taken; a blocked order keeps it
    Partition &part = m_partitions[static_cast<std::size_t>(p)];
    {
        std::lock_guard g(part.mutex());
        if (part.full()) {
            if (m_queueFull.load(std::memory_order_relaxed) == FullPolicy::Block) {
                r->stage = Stage::QueueBlocked;
                part.park(r); // a consumer's acknowledgement dispatches it again
                return;
            }
        } else {
            Message m;
            m.id = m_orderIds.fetch_add(1, std::memory_order_relaxed);
            m.sku = r->sku;
            m.enqueuedAt = now();
            part.push(m);
            r->took = false;
            r->reserved = false; // the message carries the unit in transit from here on
        }
    }
    if (r->took) {
        s.counters.queueRejected.add();
        unreserve(s, r);
        answer(s, r, Outcome::Overloaded);
        return;
    }
    s.counters.enqueued.add();
    m_deliverableSeq.fetch_add(1, std::memory_order_seq_cst);
    wakeIdleConsumers();
    // Confirmed now, persisted later. A shopper whose node died meanwhile gets no answer, but
    // the order stays on the queue, as with the synchronous strategies.
    confirm(s, r);
}

void EngineImpl::wakeIdleConsumers()
{
    if (m_idleCount.load(std::memory_order_seq_cst) == 0)
        return;
    std::vector<Request *> list;
    {
        std::lock_guard g(m_idleMutex);
        list.swap(m_idle);
        m_idleCount.store(0, std::memory_order_seq_cst);
    }
    for (Request *a : list)
        m_shards[static_cast<std::size_t>(a->shard)]->dispatch(a);
}

// ---- one cache operation ----

void EngineImpl::cacheStep(Shard &s, Request *r)
{
    switch (r->stage) {
    case Stage::CacheTrip: {
        const int id = cacheOwner(s, keyOf(r));
        r->cacheNode = id;
        Nanos wait = 0;
        if (id < 0 || !applyCacheOp(s, r, &wait)) {
            cacheDone(s, r, false);
            return;
        }
        r->stage = Stage::CacheReply;
        if (wait > 0) {
            s.delay(r, wait);
            return;
        }
        [[fallthrough]];
    }
    case Stage::CacheReply:
        // A node killed before its worker got to this operation never answers it; one that
        // left gracefully answered what it had taken in.
        cacheDone(s, r, m_cache[static_cast<std::size_t>(r->cacheNode)].state() != NodeSlotState::Dead);
        return;
    default:
        return;
    }
}

bool EngineImpl::applyCacheOp(Shard &s, Request *r, Nanos *wait)
{
    CacheNode &node = m_cache[static_cast<std::size_t>(r->cacheNode)];
    const Nanos t = now();
    switch (r->cacheOp) {
    case CacheOpKind::Get: {
        const std::int64_t store = skuStock(r->sku); // what the store says at this moment
        return node.serve(t, m_cacheOpNs, wait, [&](CacheStore &st) {
            const auto v = st.get(viewKey(r->sku), t);
            r->hit = v.has_value();
            r->readValue = v.value_or(0);
            r->stale = r->hit && r->readValue != store;
        });
    }
    case CacheOpKind::Fill: {
        const Nanos expires = t + ttl(s);
        return node.serve(
            t, m_cacheOpNs, wait, [&](CacheStore &st) { st.set(viewKey(r->sku), r->readValue, expires); });
    }
    case CacheOpKind::Decrement: {
        const auto key = counterKey(r->sku);
        // reset-to-initial may only recreate the counter on its owner, outside a migration.
        const bool mayReset = m_recovery.load(std::memory_order_relaxed) == CounterRecovery::ResetToInitial
            && !m_migrating.load(std::memory_order_acquire) && cacheOwner(s, key) == r->cacheNode;
        return node.serve(t, m_cacheOpNs, wait, [&](CacheStore &st) {
            auto d = st.decrementIfPositive(key);
            if (d == CacheStore::Decrement::Missing && mayReset) {
                st.set(key, m_supplied.load(std::memory_order_relaxed), CacheStore::kNever);
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

void EngineImpl::cacheDone(Shard &s, Request *r, bool ok)
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
            releaseLease(r->sku);
        }
        answer(s, r, Outcome::Success);
        return;
    case CacheOpKind::Decrement:
        decrementDone(s, r, ok);
        return;
    }
}

} // namespace stampede
