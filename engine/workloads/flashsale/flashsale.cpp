// The life of one purchase attempt: gateway -> app node -> store -> answer. Runs on the shard
// that owns the request. Each stage either continues inline (no modeled latency) or parks the
// request in the shard's delay queue or a row's wait list.

#include "flashsale.h"

#include "runtime.h"

#include <algorithm>
#include <cmath>

namespace stampede {

FlashSale::FlashSale(Runtime &rt)
    : m_rt(rt)
    , m_config(rt.config())
    , m_skus(rt.config().traffic.skus)
    , m_shardCount(rt.shardCount())
    , m_probes(
          m_config.store.probes > 0 ? std::min(m_config.store.probes, m_config.store.buckets) : m_config.store.buckets)
    , m_shards(std::make_unique<ShardStats[]>(static_cast<std::size_t>(rt.shardCount())))
    , m_strategy(rt.config().strategy)
    , m_app(rt, m_config.gateway, m_config.nodes)
    , m_store(rt, m_config.store, m_skus, m_config.stock, m_config.strategy == Strategy::Sharded)
    , m_cache(rt, m_config.cache, m_skus, *this)
    , m_queue(rt, m_config.queue, *this)
    , m_inTransit(std::make_unique<std::atomic<std::int64_t>[]>(static_cast<std::size_t>(m_skus)))
    , m_reloading(std::make_unique<std::atomic<bool>[]>(static_cast<std::size_t>(m_skus)))
{
    forEachShard([this](ShardStats &st) {
        st.confirmed = CounterArray(static_cast<std::size_t>(m_skus));
        st.persisted = CounterArray(static_cast<std::size_t>(m_skus));
    });
    for (int sku = 0; sku < m_skus; ++sku) {
        m_inTransit[static_cast<std::size_t>(sku)].store(0);
        m_reloading[static_cast<std::size_t>(sku)].store(false);
    }
    if (m_skus > 1) {
        // Zipf over SKUs: SKU k has weight 1/(k+1)^skew; skew 0 is uniform.
        const double skew = m_config.traffic.skuSkew;
        double sum = 0;
        for (int k = 0; k < m_skus; ++k)
            sum += 1.0 / std::pow(k + 1.0, skew);
        double acc = 0;
        for (int k = 0; k < m_skus; ++k) {
            acc += 1.0 / std::pow(k + 1.0, skew) / sum;
            m_skuCdf.push_back(acc);
        }
        m_skuCdf.back() = 1.0;
    }
    std::vector<std::uint64_t> counters;
    for (int sku = 0; sku < m_skus; ++sku)
        counters.push_back(counterKey(sku));
    m_cache.setDurableKeys(std::move(counters)); // stock counters move with planned cache changes
    if (m_config.store.backend == StoreBackend::Postgres)
        m_pg = std::make_unique<PgStore>(
            rt, m_config.store, m_skus, m_config.stock, m_config.strategy == Strategy::Sharded);
    reset();
}

void FlashSale::clearShard(Shard &s)
{
    // Only this thread writes these, so zeroing here cannot lose an increment.
    ShardStats &st = stats(s);
    st.falseSoldOut.zero();
    for (int i = 0; i < m_skus; ++i) {
        st.confirmed[static_cast<std::size_t>(i)].zero();
        st.persisted[static_cast<std::size_t>(i)].zero();
    }
    m_app.clearShard(s.index());
    m_store.clearShard(s.index());
    m_cache.clearShard(s.index());
    m_queue.clearShard(s.index());
}

void FlashSale::arrive(Shard &s, Nanos arrival, bool client)
{
    Request *r = s.allocate();
    r->epoch = m_rt.epoch();
    // A reset that began after the generator's check has already moved the epoch, but this
    // shard has not yet cleared its counters: counting this attempt now would leave its answer
    // without an attempt after the clear. It never happened.
    if (m_rt.resetting()) {
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
        r->sku = std::min(r->sku, m_skus - 1);
    }
    if (!r->view)
        s.outcomes.attempts.add();
    purchaseStep(s, r);
}

// Checked whenever a request resumes: a reset voids it, a dead node or a passed deadline fails
// it. Returns false when the request is finished.
bool FlashSale::checkpoint(Shard &s, Request *r)
{
    if (r->epoch != m_rt.epoch()) {
        drop(s, r);
        return false;
    }
    if (r->failOnDispatch || m_app.nodeDead(r)) {
        answer(s, r, Outcome::NodeDown);
        return false;
    }
    if (m_app.timedOut(s, r)) {
        answer(s, r, Outcome::Timeout);
        return false;
    }
    return true;
}

void FlashSale::step(Shard &s, Request *r)
{
    switch (r->part) {
    case Part::Consumer:
        m_queue.step(s, r);
        return;
    case Part::Cache:
        if (checkpoint(s, r))
            m_cache.step(s, r);
        return;
    case Part::Workload:
        if (r->stageAs<FlashStage>() == FlashStage::PgAnswered) {
            pgAnswered(s, r);
            return;
        }
        if (r->stageAs<FlashStage>() != FlashStage::Admit && !checkpoint(s, r))
            return;
        purchaseStep(s, r);
        return;
    }
}

void FlashSale::purchaseStep(Shard &s, Request *r)
{
    const Nanos latency = m_store.latencyNs;
    const Nanos write = m_store.writeNs;
    auto next = [r](FlashStage st) { r->setStage(Part::Workload, st); };
    for (;;) {
        switch (r->stageAs<FlashStage>()) {
        case FlashStage::Admit:
            if (r->epoch != m_rt.epoch()) {
                drop(s, r);
                return;
            }
            switch (m_app.route(s, r)) {
            case AppTier::Route::Run:
                break;
            case AppTier::Route::Queued:
                next(FlashStage::Serve);
                return; // the worker that frees up dispatches it
            case AppTier::Route::RateLimited:
                answer(s, r, Outcome::RateLimited);
                return;
            case AppTier::Route::Overloaded:
                answer(s, r, Outcome::Overloaded);
                return;
            case AppTier::Route::Down:
                answer(s, r, Outcome::NodeDown);
                return;
            }
            [[fallthrough]];
        case FlashStage::Serve:
            next(FlashStage::Work);
            if (!m_app.startWork(r))
                return; // the cluster lock's holder dispatches it
            [[fallthrough]];
        case FlashStage::Work:
            next(FlashStage::Serial);
            if (const Nanos d = m_app.serviceTime(s, r)) {
                s.delay(r, d);
                return;
            }
            [[fallthrough]];
        case FlashStage::Serial:
            next(FlashStage::SerialHeld);
            if (!m_app.startSerial(r))
                return; // granted by the one before it
            [[fallthrough]];
        case FlashStage::SerialHeld:
            next(FlashStage::SerialDone);
            if (r->coordHold != ClusterLock::None)
                if (const Nanos d = m_app.serialHold()) {
                    s.delay(r, d);
                    return;
                }
            [[fallthrough]];
        case FlashStage::SerialDone:
            if (r->coordHold != ClusterLock::None)
                m_app.endCoordination(r);
            next(FlashStage::Store);
            [[fallthrough]];
        case FlashStage::Store:
            if (r->view) {
                startView(s, r);
                return;
            }
            r->strategy = m_strategy.load(std::memory_order_acquire);
            if (m_pg) { // the real database runs the strategy's statements; it answers later
                next(FlashStage::PgAnswered);
                m_pg->purchase(s, r);
                return;
            }
            switch (r->strategy) {
            case Strategy::CacheQueue:
                startCacheQueue(s, r);
                return;
            case Strategy::Naive:
                next(FlashStage::NaiveRead);
                if (latency) {
                    s.delay(r, latency);
                    return;
                }
                continue;
            case Strategy::RowLock:
                next(FlashStage::RowGranted);
                r->bucket = 0;
                r->lockAsked = s.now();
                if (!m_store.row(r->sku, 0).lockOrWait(r))
                    return; // the holder hands the lock over with dispatch()
                continue;
            case Strategy::Atomic:
            case Strategy::Sharded:
                r->bucket = r->strategy == Strategy::Sharded ? m_store.homeBucket(s, r) : 0;
                r->probes = 0;
                next(FlashStage::AtomicTrip);
                if (latency) {
                    s.delay(r, latency);
                    return;
                }
                continue;
            }
            return;

        // ---- naive: read, check, write later; nothing stops two buyers reading the same value
        case FlashStage::NaiveRead: {
            const auto v = m_store.row(r->sku, 0).value();
            if (v <= 0) {
                soldOut(s, r);
                return;
            }
            r->readValue = v;
            next(FlashStage::NaiveWrite);
            if (latency) {
                s.delay(r, latency);
                return;
            }
            continue;
        }
        case FlashStage::NaiveWrite:
            m_store.row(r->sku, 0).blindWrite(r->readValue - 1);
            persistAndConfirm(s, r);
            return;

        // ---- row-lock: SELECT ... FOR UPDATE, check, UPDATE, COMMIT; the lock spans all of it
        case FlashStage::RowGranted:
            m_store.granted(s, r);
            next(FlashStage::RowRead);
            if (latency) {
                s.delay(r, latency);
                return;
            }
            continue;
        case FlashStage::RowRead:
            if (m_store.row(r->sku, 0).value() <= 0) {
                m_store.releaseLock(s, r, 0);
                soldOut(s, r);
                return;
            }
            next(FlashStage::RowCommit);
            if (latency + write) {
                s.delay(r, latency + write);
                return;
            }
            continue;
        case FlashStage::RowCommit:
            m_store.releaseLock(s, r, -1);
            persistAndConfirm(s, r);
            return;

        // ---- atomic / sharded: one conditional decrement on the row (or bucket)
        case FlashStage::AtomicTrip: {
            StockRow &rw = m_store.row(r->sku, r->bucket);
            if (write == 0) {
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
            next(FlashStage::AtomicGranted);
            r->lockAsked = s.now();
            if (!rw.lockOrWait(r))
                return;
            continue;
        }
        case FlashStage::AtomicGranted:
            m_store.granted(s, r);
            if (m_store.row(r->sku, r->bucket).value() <= 0) {
                m_store.releaseLock(s, r, 0);
                nextProbe(s, r);
                return;
            }
            next(FlashStage::AtomicCommit);
            if (write) {
                s.delay(r, write);
                return;
            }
            continue;
        case FlashStage::AtomicCommit:
            m_store.releaseLock(s, r, -1);
            persistAndConfirm(s, r);
            return;

        case FlashStage::ViewStore:
            viewStoreDone(s, r);
            return;
        case FlashStage::QueueBlocked:
            enqueueOrder(s, r);
            return;
        case FlashStage::PgAnswered:
            pgAnswered(s, r);
            return;
        }
    }
}

// `sharded` probes the other buckets before saying sold out (all of them, or store.probes); each
// probe is another round trip.
void FlashSale::nextProbe(Shard &s, Request *r)
{
    if (r->strategy == Strategy::Sharded && ++r->probes < m_probes) {
        r->bucket = (r->bucket + 1) % m_store.buckets();
        r->setStage(Part::Workload, FlashStage::AtomicTrip);
        if (m_store.latencyNs)
            s.delay(r, m_store.latencyNs);
        else
            purchaseStep(s, r);
        return;
    }
    soldOut(s, r);
}

void FlashSale::soldOut(Shard &s, Request *r)
{
    // "Sold out" while units sit in another bucket is the sharding trade-off; with `cache-queue`
    // the store still holds units that queued orders will take, so those do not count.
    // (A real store's stock is the tick's last read of it: up to a tick old.)
    const auto left = (m_pg ? m_pg->sampledSkuStock(r->sku) : m_store.skuStock(r->sku))
        - m_inTransit[static_cast<std::size_t>(r->sku)].load(std::memory_order_relaxed);
    if (left > 0)
        stats(s).falseSoldOut.add();
    answer(s, r, Outcome::SoldOut);
}

void FlashSale::persistAndConfirm(Shard &s, Request *r)
{
    // The order row is written in the same transaction as the stock: persisted even if the
    // answer below is lost to a dead node or a timeout.
    stats(s).persisted[static_cast<std::size_t>(r->sku)].add();
    confirm(s, r);
}

// Tells the shopper "yes", unless its node died or its deadline passed meanwhile.
void FlashSale::confirm(Shard &s, Request *r)
{
    if (m_app.nodeDead(r)) {
        answer(s, r, Outcome::NodeDown);
        return;
    }
    if (m_app.timedOut(s, r)) {
        answer(s, r, Outcome::Timeout);
        return;
    }
    stats(s).confirmed[static_cast<std::size_t>(r->sku)].add();
    answer(s, r, Outcome::Success);
}

void FlashSale::answer(Shard &s, Request *r, Outcome o)
{
    if (r->coordHold != ClusterLock::None)
        m_app.endCoordination(r); // failed while holding the cluster lock: the next one goes on
    if (r->holdsLock)
        m_store.releaseLock(s, r, 0); // roll back
    if (r->lease) {
        r->lease = false;
        m_cache.releaseLease(r->sku);
    }
    unreserve(s, r);
    if (r->view) {
        ReadStats &rs = m_cache.stats(s);
        (o == Outcome::Success ? rs.views : rs.viewsFailed).add();
        s.answeredView();
    } else {
        s.answered(r, o);
    }
    finish(s, r);
}

// Gives the request's worker back to its node and frees it.
void FlashSale::finish(Shard &s, Request *r)
{
    m_app.release(s, r);
    const bool client = r->client;
    s.free(r);
    if (client)
        s.clientDone();
}

// store.backend postgres: the database has answered r (PgStore::finish dispatched it here).
void FlashSale::pgAnswered(Shard &s, Request *r)
{
    const auto a = static_cast<PgStore::Answer>(r->pgAnswer);
    // row-lock: the database's lock, waited for and held (PgStore set the times), in the same
    // counters as the model's row locks
    if (r->strategy == Strategy::RowLock && r->epoch == m_rt.epoch() && r->lockGranted > 0
        && r->lockGranted >= r->lockAsked)
        m_store.countLock(s, r->lockGranted - r->lockAsked, s.now() - r->lockGranted);
    // The order row is committed whatever happens to the answer now (a dead node, a deadline).
    if (a == PgStore::Answer::Took && r->epoch == m_rt.epoch())
        stats(s).persisted[static_cast<std::size_t>(r->sku)].add();
    if (!checkpoint(s, r))
        return;
    switch (a) {
    case PgStore::Answer::Took:
        confirm(s, r);
        return;
    case PgStore::Answer::SoldOut:
        soldOut(s, r);
        return;
    case PgStore::Answer::Failed:
        answer(s, r, Outcome::Overloaded); // the error is counted and kept by the store
        return;
    }
}

// A request from before a reset: it vanishes without touching nodes or counters.
void FlashSale::drop(Shard &s, Request *r)
{
    if (r->holdsLock)
        m_store.releaseLock(s, r, 0);
    const bool client = r->client;
    s.free(r);
    if (client)
        s.clientDone();
}

} // namespace stampede
