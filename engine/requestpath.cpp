// The life of one purchase attempt: gateway -> app node -> store -> answer.
// Runs on the shard that owns the request. Each stage either continues inline (no modeled
// latency) or parks the request in the shard's delay queue or a row's wait list.

#include "engineimpl.h"

#include <algorithm>

namespace stampede {

void EngineImpl::arrive(Shard &s, Nanos arrival, bool client)
{
    Request *r = s.allocate();
    r->epoch = epoch();
    // A reset that began after the generator's check has already moved the epoch, but this
    // shard has not yet cleared its counters: counting this attempt now would leave its answer
    // without an attempt after the clear. It never happened.
    if (m_resetting.load(std::memory_order_acquire)) {
        drop(s, r);
        return;
    }
    r->arrival = arrival;
    r->client = client;
    r->user = s.rng.below(static_cast<std::uint64_t>(m_config.traffic.users));
    if (const double ratio = m_readRatio.load(std::memory_order_relaxed); ratio > 0)
        r->view = s.rng.uniform() * (ratio + 1.0) < ratio;
    if (m_skuCdf.empty()) {
        r->sku = 0;
    } else {
        const double u = s.rng.uniform();
        r->sku = static_cast<int>(std::lower_bound(m_skuCdf.begin(), m_skuCdf.end(), u) - m_skuCdf.begin());
        r->sku = std::min(r->sku, m_config.traffic.skus - 1);
    }
    if (!r->view)
        s.counters.attempts.add();
    step(s, r);
}

// Gateway: admission control, then pick a node.
bool EngineImpl::route(Shard &s, Request *r)
{
    if (const auto &limit = m_config.gateway.rateLimitPerS) {
        // Each shard owns an equal share of the bucket, so no lock is shared.
        const double perShard = *limit / static_cast<double>(m_shards.size());
        const double burst = std::max(1.0, perShard * 0.05);
        const Nanos t = now();
        s.tokens = std::min(burst, s.tokens + static_cast<double>(t - s.tokensAt) * 1e-9 * perShard);
        s.tokensAt = t;
        if (s.tokens < 1.0) {
            answer(s, r, Outcome::RateLimited);
            return false;
        }
        s.tokens -= 1.0;
    }
    const auto topo = m_topology.load(std::memory_order_acquire);
    if (topo != s.topoSeen) {
        s.topoSeen = topo;
        s.routable.clear();
        for (int i = 0, n = m_slotsUsed.load(std::memory_order_acquire); i < n; ++i)
            if (m_nodes[static_cast<std::size_t>(i)].state() == NodeSlotState::Up)
                s.routable.push_back(i);
    }
    if (s.routable.empty()) {
        answer(s, r, Outcome::NodeDown);
        return false;
    }
    const auto n = s.routable.size();
    int pick = 0;
    switch (m_config.gateway.policy) {
    case RoutePolicy::RoundRobin:
        pick = s.routable[s.roundRobin++ % n];
        break;
    case RoutePolicy::UserHash:
        pick = s.routable[(r->user * 0x9e3779b97f4a7c15ULL >> 32) % n];
        break;
    case RoutePolicy::LeastOutstanding: {
        std::int64_t best = INT64_MAX;
        const auto start = s.roundRobin++ % n; // rotate ties
        for (std::size_t k = 0; k < n; ++k) {
            const int i = s.routable[(start + k) % n];
            const auto f = m_nodes[static_cast<std::size_t>(i)].inFlight();
            if (f < best) {
                best = f;
                pick = i;
            }
        }
        break;
    }
    }
    AppNode &node = m_nodes[static_cast<std::size_t>(pick)];
    switch (node.admit(r)) {
    case AppNode::Admit::Run:
        r->node = pick;
        return true;
    case AppNode::Admit::Queued:
        r->node = pick;
        r->stage = Stage::Serve;
        return false; // the worker that frees up dispatches it
    case AppNode::Admit::Rejected:
        answer(s, r, Outcome::Overloaded);
        return false;
    case AppNode::Admit::Down:
        answer(s, r, Outcome::NodeDown);
        return false;
    }
    return false;
}

Nanos EngineImpl::serviceTime(Shard &s)
{
    if (m_serviceNs == 0)
        return 0;
    if (m_config.nodes.serviceDist == ServiceDist::Exponential)
        return static_cast<Nanos>(s.rng.exponential(static_cast<double>(m_serviceNs)));
    return m_serviceNs;
}

// Checked whenever a request resumes: a reset voids it, a dead node or a passed deadline fails
// it. Returns false when the request is finished.
bool EngineImpl::checkpoint(Shard &s, Request *r)
{
    if (r->epoch != epoch()) {
        drop(s, r);
        return false;
    }
    if (r->failOnDispatch) {
        answer(s, r, Outcome::NodeDown);
        return false;
    }
    if (r->node >= 0 && m_nodes[static_cast<std::size_t>(r->node)].state() == NodeSlotState::Dead) {
        answer(s, r, Outcome::NodeDown);
        return false;
    }
    if (m_timeoutNs > 0 && now() - r->arrival > m_timeoutNs) {
        answer(s, r, Outcome::Timeout);
        return false;
    }
    return true;
}

void EngineImpl::step(Shard &s, Request *r)
{
    if (r->actor) {
        consumerStep(s, r);
        return;
    }
    if (r->stage != Stage::Admit && !checkpoint(s, r))
        return;
    for (;;) {
        switch (r->stage) {
        case Stage::Admit:
            if (r->epoch != epoch()) {
                drop(s, r);
                return;
            }
            if (!route(s, r))
                return;
            r->stage = Stage::Serve;
            [[fallthrough]];
        case Stage::Serve: {
            r->stage = Stage::Store;
            if (const Nanos d = serviceTime(s)) {
                s.delay(r, d);
                return;
            }
            [[fallthrough]];
        }
        case Stage::Store:
            if (r->view) {
                startView(s, r);
                return;
            }
            r->strategy = m_strategy.load(std::memory_order_acquire);
            switch (r->strategy) {
            case Strategy::CacheQueue:
                startCacheQueue(s, r);
                return;
            case Strategy::Naive:
                r->stage = Stage::NaiveRead;
                if (m_latencyNs) {
                    s.delay(r, m_latencyNs);
                    return;
                }
                continue;
            case Strategy::RowLock:
                r->stage = Stage::RowGranted;
                r->bucket = 0;
                r->lockAsked = now();
                if (!row(r->sku, 0).lockOrWait(r))
                    return; // the holder hands the lock over with dispatch()
                continue;
            case Strategy::Atomic:
            case Strategy::Sharded:
                r->bucket = r->strategy == Strategy::Sharded ? homeBucket(s, r) : 0;
                r->probes = 0;
                r->stage = Stage::AtomicTrip;
                if (m_latencyNs) {
                    s.delay(r, m_latencyNs);
                    return;
                }
                continue;
            }
            return;

        // ---- naive: read, check, write later; nothing stops two buyers reading the same value
        case Stage::NaiveRead: {
            const auto v = row(r->sku, 0).value();
            if (v <= 0) {
                soldOut(s, r);
                return;
            }
            r->readValue = v;
            r->stage = Stage::NaiveWrite;
            if (m_latencyNs) {
                s.delay(r, m_latencyNs);
                return;
            }
            continue;
        }
        case Stage::NaiveWrite:
            row(r->sku, 0).blindWrite(r->readValue - 1);
            persistAndConfirm(s, r);
            return;

        // ---- row-lock: SELECT ... FOR UPDATE, check, UPDATE, COMMIT; the lock spans all of it
        case Stage::RowGranted: {
            r->holdsLock = true;
            r->lockGranted = now();
            const Nanos waited = r->lockGranted - r->lockAsked;
            s.counters.lockWaits.add();
            s.counters.lockWaitNs.add(static_cast<std::uint64_t>(waited));
            s.lockWait.record(static_cast<std::uint64_t>(waited));
            r->stage = Stage::RowRead;
            if (m_latencyNs) {
                s.delay(r, m_latencyNs);
                return;
            }
            continue;
        }
        case Stage::RowRead:
            if (row(r->sku, 0).value() <= 0) {
                releaseLock(s, r, 0);
                soldOut(s, r);
                return;
            }
            r->stage = Stage::RowCommit;
            if (m_latencyNs + m_writeNs) {
                s.delay(r, m_latencyNs + m_writeNs);
                return;
            }
            continue;
        case Stage::RowCommit:
            releaseLock(s, r, -1);
            persistAndConfirm(s, r);
            return;

        // ---- atomic / sharded: one conditional decrement on the row (or bucket)
        case Stage::AtomicTrip: {
            StockRow &rw = row(r->sku, r->bucket);
            if (m_writeNs == 0) {
                switch (rw.tryTakeOne()) {
                case StockRow::Take::Took:
                    persistAndConfirm(s, r);
                    return;
                case StockRow::Take::Empty:
                    nextProbe(s, r);
                    return;
                case StockRow::Take::Locked:
                    break; // someone holds the row: queue for it like any writer
                }
            }
            r->stage = Stage::AtomicGranted;
            r->lockAsked = now();
            if (!rw.lockOrWait(r))
                return;
            continue;
        }
        case Stage::AtomicGranted: {
            r->holdsLock = true;
            r->lockGranted = now();
            const Nanos waited = r->lockGranted - r->lockAsked;
            s.counters.lockWaits.add();
            s.counters.lockWaitNs.add(static_cast<std::uint64_t>(waited));
            s.lockWait.record(static_cast<std::uint64_t>(waited));
            if (row(r->sku, r->bucket).value() <= 0) {
                releaseLock(s, r, 0);
                nextProbe(s, r);
                return;
            }
            r->stage = Stage::AtomicCommit;
            if (m_writeNs) {
                s.delay(r, m_writeNs);
                return;
            }
            continue;
        }
        case Stage::AtomicCommit:
            releaseLock(s, r, -1);
            persistAndConfirm(s, r);
            return;

        // ---- the cache tier (cachepath.cpp)
        case Stage::CacheTrip:
        case Stage::CacheReply:
            cacheStep(s, r);
            return;
        case Stage::ViewStore:
            s.counters.storeReads.add();
            r->readValue = skuStock(r->sku);
            if (r->cacheNode < 0) { // no cache to fill
                answer(s, r, Outcome::Success);
                return;
            }
            r->cacheOp = CacheOpKind::Fill;
            r->stage = Stage::CacheTrip;
            if (m_cacheLatencyNs) {
                s.delay(r, m_cacheLatencyNs);
                return;
            }
            cacheStep(s, r);
            return;
        case Stage::QueueBlocked:
            enqueueOrder(s, r);
            return;
        case Stage::ConsumerFetch:
        case Stage::ConsumerPersist:
        case Stage::ConsumerAck:
            return; // actors never get here
        }
    }
}

// `sharded`: each engine thread serves its own subset of buckets (those congruent to its index),
// users spread over that subset. Like per-core counters, two cores then never fight over one
// bucket's cache line until a bucket runs dry and the request probes the others.
int EngineImpl::homeBucket(const Shard &s, const Request *r) const
{
    const int threads = static_cast<int>(m_shards.size());
    const int own = s.index() % m_buckets;
    const int stride = threads < m_buckets ? threads : m_buckets;
    const int ownCount = (m_buckets - own + stride - 1) / stride;
    const auto pick = (r->user * 0xff51afd7ed558ccdULL >> 33) % static_cast<std::uint64_t>(ownCount);
    return own + static_cast<int>(pick) * stride;
}

// `sharded` probes the other buckets before saying sold out; each probe is another round trip.
void EngineImpl::nextProbe(Shard &s, Request *r)
{
    if (r->strategy == Strategy::Sharded && ++r->probes < m_buckets) {
        r->bucket = (r->bucket + 1) % m_buckets;
        r->stage = Stage::AtomicTrip;
        if (m_latencyNs)
            s.delay(r, m_latencyNs);
        else
            step(s, r);
        return;
    }
    soldOut(s, r);
}

void EngineImpl::releaseLock(Shard &s, Request *r, std::int64_t delta)
{
    s.counters.lockHolds.add();
    s.counters.lockHoldNs.add(static_cast<std::uint64_t>(std::max<Nanos>(0, now() - r->lockGranted)));
    Request *next = row(r->sku, r->bucket).unlock(delta);
    r->holdsLock = false;
    if (next)
        handOff(next);
}

void EngineImpl::handOff(Request *waiter)
{
    // It holds the row from now on, even if it fails before its granted stage runs.
    waiter->holdsLock = true;
    waiter->lockGranted = now();
    m_shards[static_cast<std::size_t>(waiter->shard)]->dispatch(waiter);
}

std::int64_t EngineImpl::skuStock(int sku)
{
    std::int64_t sum = 0;
    for (int b = 0; b < m_buckets; ++b)
        sum += row(sku, b).value();
    return sum;
}

void EngineImpl::soldOut(Shard &s, Request *r)
{
    // "Sold out" while units sit in another bucket is the sharding trade-off; with `cache-queue`
    // the store still holds units that queued orders will take, so those do not count.
    const auto left = skuStock(r->sku) - m_inTransit[static_cast<std::size_t>(r->sku)].load(std::memory_order_relaxed);
    if (left > 0)
        s.counters.falseSoldOut.add();
    answer(s, r, Outcome::SoldOut);
}

void EngineImpl::persistAndConfirm(Shard &s, Request *r)
{
    // The order row is written in the same transaction as the stock: persisted even if the
    // answer below is lost to a dead node or a timeout.
    s.skuPersisted[static_cast<std::size_t>(r->sku)].add();
    confirm(s, r);
}

// Tells the shopper "yes", unless its node died or its deadline passed meanwhile.
void EngineImpl::confirm(Shard &s, Request *r)
{
    if (r->node >= 0 && m_nodes[static_cast<std::size_t>(r->node)].state() == NodeSlotState::Dead) {
        answer(s, r, Outcome::NodeDown);
        return;
    }
    if (m_timeoutNs > 0 && now() - r->arrival > m_timeoutNs) {
        answer(s, r, Outcome::Timeout);
        return;
    }
    s.skuConfirmed[static_cast<std::size_t>(r->sku)].add();
    answer(s, r, Outcome::Success);
}

void EngineImpl::answer(Shard &s, Request *r, Outcome o)
{
    if (r->holdsLock)
        releaseLock(s, r, 0); // roll back
    if (r->lease) {
        r->lease = false;
        releaseLease(r->sku);
    }
    unreserve(s, r);
    if (r->view) {
        (o == Outcome::Success ? s.counters.views : s.counters.viewsFailed).add();
    } else {
        countOutcome(s, r, o);
    }
    finish(s, r);
}

void EngineImpl::countOutcome(Shard &s, Request *r, Outcome o)
{
    switch (o) {
    case Outcome::Success:
        s.counters.succeeded.add();
        break;
    case Outcome::SoldOut:
        s.counters.soldOut.add();
        break;
    case Outcome::RateLimited:
        s.counters.rateLimited.add();
        break;
    case Outcome::NodeDown:
        s.counters.nodeDown.add();
        break;
    case Outcome::Timeout:
        s.counters.timeout.add();
        break;
    case Outcome::Overloaded:
        s.counters.overloaded.add();
        break;
    }
    const Nanos t = now();
    s.answeredAt = t;
    s.latency.record(static_cast<std::uint64_t>(std::max<Nanos>(0, t - r->arrival)));
}

// Gives the request's worker back to its node and frees it.
void EngineImpl::finish(Shard &s, Request *r)
{
    if (r->view)
        s.answeredAt = now();
    if (r->node >= 0) {
        s.nodeAnswers[static_cast<std::size_t>(r->node)].add();
        AppNode &node = m_nodes[static_cast<std::size_t>(r->node)];
        // A dead node's workers are gone with it; its slot is never reused in this epoch.
        if (!r->failOnDispatch && node.state() != NodeSlotState::Dead) {
            if (Request *next = node.release())
                m_shards[static_cast<std::size_t>(next->shard)]->dispatch(next);
        }
    }
    const bool client = r->client;
    s.free(r);
    if (client)
        s.clientDone();
}

// A request from before a reset: it vanishes without touching nodes or counters.
void EngineImpl::drop(Shard &s, Request *r)
{
    if (r->holdsLock)
        releaseLock(s, r, 0);
    const bool client = r->client;
    s.free(r);
    if (client)
        s.clientDone();
}

} // namespace stampede
