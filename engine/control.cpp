// Control side of the engine: commands, the 100 ms tick, the scenario timeline, reset and
// the audit. All of it runs under m_controlMutex, either on the control thread (tick,
// timeline, retries) or on the caller's thread (commands). The request path never takes it.

#include "engineimpl.h"

#include <boost/asio/post.hpp>

#include <algorithm>
#include <cmath>
#include <sstream>
#include <stdexcept>
#include <utility>

namespace stampede {

namespace {

Nanos msToNs(double ms) { return static_cast<Nanos>(std::llround(ms * 1e6)); }

std::string fmt(double v)
{
    std::ostringstream os;
    os << v;
    return os.str();
}

constexpr Nanos kTickNs = 100'000'000;
constexpr std::size_t kMovedSampleKeys = 20000; // keys moved is measured over this fixed sample

std::string percent(double fraction) { return std::to_string(std::lround(fraction * 100)) + " %"; }

} // namespace

EngineImpl::EngineImpl(EngineConfig config)
    : m_config(std::move(config))
    , m_strategy(m_config.strategy)
    , m_mode(m_config.traffic.mode)
    , m_rate(m_config.traffic.ratePerS)
    , m_clients(m_config.traffic.clients)
    , m_controlGuard(boost::asio::make_work_guard(m_control))
    , m_tickTimer(m_control)
    , m_rebalanceTimer(m_control)
{
    if (const auto err = validate(m_config); !err.empty())
        throw std::invalid_argument(err);
    m_buckets = m_config.store.buckets;
    m_rows = std::make_unique<StockRow[]>(static_cast<std::size_t>(m_config.traffic.skus * m_buckets));
    m_nodes = std::make_unique<AppNode[]>(kNodeSlots);
    m_cache = std::make_unique<CacheNode[]>(kCacheSlots);
    const auto skus = static_cast<std::size_t>(m_config.traffic.skus);
    m_leases = std::make_unique<Lease[]>(skus);
    m_inTransit = std::make_unique<std::atomic<std::int64_t>[]>(skus);
    m_reloading = std::make_unique<std::atomic<bool>[]>(skus);
    for (std::size_t i = 0; i < skus; ++i) {
        m_inTransit[i].store(0);
        m_reloading[i].store(false);
    }
    m_partitionCount = m_config.queue.partitions;
    m_partitions = std::make_unique<Partition[]>(static_cast<std::size_t>(m_partitionCount));
    m_consumers = std::make_unique<ConsumerSlot[]>(kConsumerSlots);
    if (m_config.traffic.skus > 1) {
        // Zipf over SKUs: SKU k has weight 1/(k+1)^skew; skew 0 is uniform.
        double sum = 0;
        for (int k = 0; k < m_config.traffic.skus; ++k)
            sum += 1.0 / std::pow(k + 1.0, m_config.traffic.skuSkew);
        double acc = 0;
        for (int k = 0; k < m_config.traffic.skus; ++k) {
            acc += 1.0 / std::pow(k + 1.0, m_config.traffic.skuSkew) / sum;
            m_skuCdf.push_back(acc);
        }
        m_skuCdf.back() = 1.0;
    }
    m_serviceNs = msToNs(m_config.nodes.serviceMs);
    m_latencyNs = msToNs(m_config.store.latencyMs);
    m_writeNs = msToNs(m_config.store.writeMs);
    m_timeoutNs = m_config.nodes.timeoutMs ? std::max<Nanos>(1, msToNs(*m_config.nodes.timeoutMs)) : 0;
    m_cacheLatencyNs = msToNs(m_config.cache.latencyMs);
    m_cacheOpNs = msToNs(m_config.cache.opMs);
    m_ttlNs = std::max<Nanos>(1, msToNs(m_config.cache.ttlMs));
    m_ackNs = msToNs(m_config.queue.ackMs);
    m_readRatio.store(m_config.traffic.readRatio);

    int threads = m_config.threads;
    if (threads <= 0)
        threads = static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
    for (int i = 0; i < threads; ++i)
        m_shards.push_back(std::make_unique<Shard>(*this, i, m_config.seed));

    std::lock_guard g(m_controlMutex);
    TimedEvent add;
    add.kind = EventKind::AddNodes;
    add.count = m_config.nodes.count;
    applyEvent(add);
    resetCacheTier();
    m_markers.clear();
    layoutStock(m_config.stock);
    m_suppliedPerSku = m_config.stock;
    m_supplied.store(m_suppliedPerSku);
    resetQueue();
    if (m_config.strategy == Strategy::CacheQueue)
        loadCounters();
    m_prevNodeAnswers.assign(kNodeSlots, 0);
    m_nodeThroughput.assign(kNodeSlots, 0);
    m_prevCacheOps.assign(kCacheSlots, 0);
    m_cacheOpsRate.assign(kCacheSlots, 0);
    m_prevConsumerPersisted.assign(kConsumerSlots, 0);
    m_consumerRate.assign(kConsumerSlots, 0);
    publish(0);
}

EngineImpl::~EngineImpl()
{
    bool needStop = false;
    {
        std::lock_guard g(m_controlMutex);
        needStop = m_started && !m_stopped;
    }
    if (needStop)
        stop(0.5, false); // a window closing or switching lessons does not wait for the queue
}

double EngineImpl::shardRate() const
{
    return m_rate.load(std::memory_order_relaxed) * m_spikeFactor.load(std::memory_order_relaxed)
        / static_cast<double>(m_shards.size());
}

int EngineImpl::shardClients(int shard) const
{
    const auto total = static_cast<long long>(
        std::llround(m_clients.load(std::memory_order_relaxed) * m_spikeFactor.load(std::memory_order_relaxed)));
    const auto n = static_cast<long long>(m_shards.size());
    return static_cast<int>(total / n + (shard < total % n ? 1 : 0));
}

double EngineImpl::runTime() const { return static_cast<double>(now() - m_runStart) * 1e-9; }

void EngineImpl::start()
{
    std::lock_guard g(m_controlMutex);
    if (m_started)
        return;
    m_started = true;
    m_runStart = now();
    m_prevTickAt = m_runStart;
    m_running.store(true, std::memory_order_release);
    for (auto &s : m_shards)
        s->startThread();
    m_controlThread = std::thread([this] { m_control.run(); });
    regenerateAll();
    scheduleTick();
}

void EngineImpl::scheduleTick()
{
    // Ticks keep to a fixed grid from the run start, so a late tick does not shift the rest.
    const Nanos elapsed = now() - m_runStart;
    const Nanos next = m_runStart + (elapsed / kTickNs + 1) * kTickNs;
    m_tickTimer.expires_at(toTimePoint(next));
    m_tickTimer.async_wait([this](const boost::system::error_code &ec) {
        if (ec)
            return;
        std::lock_guard g(m_controlMutex);
        if (m_stopped)
            return;
        tickLocked();
        scheduleTick();
    });
}

void EngineImpl::setTimeline(std::vector<TimedEvent> events)
{
    std::stable_sort(events.begin(), events.end(), [](const auto &a, const auto &b) { return a.atS < b.atS; });
    std::lock_guard g(m_controlMutex);
    m_events = std::move(events);
    m_nextEvent = 0;
}

void EngineImpl::regenerateAll()
{
    for (auto &s : m_shards) {
        Shard *sh = s.get();
        boost::asio::post(sh->io(), [sh] { sh->regenerate(); });
    }
}

void EngineImpl::bumpTopology() { m_topology.fetch_add(1, std::memory_order_acq_rel); }

int EngineImpl::upNodes() const
{
    int n = 0;
    for (int i = 0; i < m_slotsUsed.load(std::memory_order_relaxed); ++i)
        n += m_nodes[static_cast<std::size_t>(i)].state() == NodeSlotState::Up;
    return n;
}

int EngineImpl::upCacheNodes() const
{
    int n = 0;
    for (int i = 0, used = m_cacheUsed.load(); i < used; ++i)
        n += m_cache[static_cast<std::size_t>(i)].up();
    return n;
}

// The cache node a command names, or the engine's pick: the newest (remove) or oldest (kill)
// node that is up. Empty when there is no such node.
std::optional<int> EngineImpl::pickCacheNode(std::optional<int> id, bool allowDead, bool newest) const
{
    const int n = m_cacheUsed.load();
    if (id) {
        if (*id < 0 || *id >= n)
            return std::nullopt;
        const auto st = m_cache[static_cast<std::size_t>(*id)].state();
        if (st == NodeSlotState::Up || (allowDead && st == NodeSlotState::Dead))
            return id;
        return std::nullopt;
    }
    for (int k = 0; k < n; ++k) {
        const int i = newest ? n - 1 - k : k;
        if (m_cache[static_cast<std::size_t>(i)].up())
            return i;
    }
    return std::nullopt;
}

double EngineImpl::replaceCachePlacement(Placement p)
{
    std::vector<int> ids;
    for (int i = 0, used = m_cacheUsed.load(); i < used; ++i)
        if (m_cache[static_cast<std::size_t>(i)].up())
            ids.push_back(i);
    auto next = std::make_shared<const KeyPlacement>(p, std::move(ids), m_config.cache.virtualNodes);
    auto before = m_cachePlacement;
    const double moved = before ? KeyPlacement::movedFraction(*before, *next, m_sampleKeys) : 0.0;
    // Requests that meet a missing counter while it moves ask its owner again instead of
    // declaring it lost.
    m_migrating.store(true, std::memory_order_seq_cst);
    {
        std::lock_guard g(m_placementMutex);
        m_cachePlacement = next;
    }
    m_placementVersion.fetch_add(1, std::memory_order_acq_rel);
    if (before)
        migrateCounters(*before, *next);
    m_migrating.store(false, std::memory_order_seq_cst);
    m_keysMovedLast = moved;
    ++m_cacheChanges;
    return moved;
}

// Stock counters are data, not cache: a planned change (node added or removed, placement
// switched) moves each counter to its new owner, as a cluster reshards. A killed node's
// counters are simply gone.
void EngineImpl::migrateCounters(const KeyPlacement &before, const KeyPlacement &after)
{
    for (int sku = 0; sku < m_config.traffic.skus; ++sku) {
        const auto h = KeyPlacement::hash(counterKey(sku));
        const int from = before.owner(h), to = after.owner(h);
        if (from == to || from < 0)
            continue;
        CacheNode &src = m_cache[static_cast<std::size_t>(from)];
        if (src.state() == NodeSlotState::Dead)
            continue;
        const auto v = src.take(counterKey(sku));
        if (v && to >= 0)
            m_cache[static_cast<std::size_t>(to)].put(counterKey(sku), *v);
    }
}

// Counters for `cache-queue`: what the store holds minus the units already promised to orders
// still on the queue.
void EngineImpl::loadCounters()
{
    for (int sku = 0; sku < m_config.traffic.skus; ++sku) {
        const int owner = m_cachePlacement->owner(KeyPlacement::hash(counterKey(sku)));
        if (owner >= 0) {
            const auto inTransit = m_inTransit[static_cast<std::size_t>(sku)].load();
            m_cache[static_cast<std::size_t>(owner)].put(
                counterKey(sku), std::max<std::int64_t>(0, skuStock(sku) - inTransit));
        }
        m_reloading[static_cast<std::size_t>(sku)].store(false);
    }
}

// reload-from-store: a lost counter comes back only once no unit of its SKU is in transit
// (every queued order persisted), so the store's stock is the truth. Until then its SKU answers
// "sold out": the safe policy's false sold-out window.
void EngineImpl::reloadCounters()
{
    int reloaded = 0;
    std::int64_t units = 0;
    for (int sku = 0; sku < m_config.traffic.skus; ++sku) {
        const auto i = static_cast<std::size_t>(sku);
        if (!m_reloading[i].load() || m_inTransit[i].load(std::memory_order_seq_cst) != 0)
            continue;
        const int owner = m_cachePlacement->owner(KeyPlacement::hash(counterKey(sku)));
        if (owner < 0)
            continue;
        const auto v = skuStock(sku);
        if (!m_cache[static_cast<std::size_t>(owner)].put(counterKey(sku), v))
            continue;
        m_reloading[i].store(false, std::memory_order_release);
        ++m_controlStoreReads;
        ++reloaded;
        units += v;
    }
    if (reloaded == 1 && m_config.traffic.skus == 1)
        mark("counter reloaded from store: " + std::to_string(units) + " units");
    else if (reloaded)
        mark(std::to_string(reloaded) + " counters reloaded from store");
}

void EngineImpl::resetCacheTier()
{
    for (int i = 0, used = m_cacheUsed.load(); i < used; ++i)
        m_cache[static_cast<std::size_t>(i)].lose(NodeSlotState::Removed);
    for (int sku = 0; sku < m_config.traffic.skus; ++sku) {
        releaseLease(sku); // its waiters are from before the reset: their owners drop them
        m_reloading[static_cast<std::size_t>(sku)].store(false);
    }
    if (m_sampleKeys.empty())
        m_sampleKeys = KeyPlacement::sampleKeys(kMovedSampleKeys);
    for (int i = 0; i < m_config.cache.nodes; ++i)
        m_cache[static_cast<std::size_t>(i)].init(i, static_cast<std::size_t>(m_config.cache.keys));
    m_cacheUsed.store(m_config.cache.nodes, std::memory_order_release);
    {
        std::lock_guard g(m_placementMutex);
        m_cachePlacement.reset();
    }
    replaceCachePlacement(m_config.cache.placement);
    m_keysMovedLast = 0;
    m_cacheChanges = 0;
    m_singleFlight.store(m_config.cache.singleFlight);
    m_ttlJitter.store(m_config.cache.ttlJitter);
    m_recovery.store(m_config.cache.recovery);
    m_counterResetsSeen = m_counterResets.load();
    std::fill(m_prevCacheOps.begin(), m_prevCacheOps.end(), 0);
    std::fill(m_cacheOpsRate.begin(), m_cacheOpsRate.end(), 0);
    m_prevEvictions = 0;
    m_storeReadPeak = 0;
}

void EngineImpl::resetQueue()
{
    unblockProducers(); // from before the reset: their owners drop them
    for (int p = 0; p < m_partitionCount; ++p)
        m_partitions[static_cast<std::size_t>(p)].init(m_config.queue.capacity);
    {
        std::vector<Request *> idle;
        {
            std::lock_guard g(m_idleMutex);
            idle.swap(m_idle);
            m_idleCount.store(0);
        }
        for (Request *a : idle) // old actors end themselves on their shard
            m_shards[static_cast<std::size_t>(a->shard)]->dispatch(a);
    }
    for (int i = 0, n = m_consumersUsed.load(); i < n; ++i)
        m_consumers[static_cast<std::size_t>(i)].state.store(NodeSlotState::Free);
    m_consumersUsed.store(0);
    for (int sku = 0; sku < m_config.traffic.skus; ++sku)
        m_inTransit[static_cast<std::size_t>(sku)].store(0);
    m_idempotent.store(m_config.queue.idempotent);
    m_queueFull.store(m_config.queue.whenFull);
    m_redelivered.store(0);
    m_maxBacklog = 0;
    m_maxLagMs = 0;
    m_queueUsed = m_config.strategy == Strategy::CacheQueue;
    std::fill(m_prevConsumerPersisted.begin(), m_prevConsumerPersisted.end(), 0);
    std::fill(m_consumerRate.begin(), m_consumerRate.end(), 0);
    for (int i = 0; i < m_config.queue.consumers; ++i)
        startConsumer(i);
    m_consumersUsed.store(m_config.queue.consumers);
}

void EngineImpl::startConsumer(int id)
{
    ConsumerSlot &c = m_consumers[static_cast<std::size_t>(id)];
    c.inHand.store(0);
    c.persisted.zero();
    c.batch.reserve(static_cast<std::size_t>(m_config.queue.batch));
    c.state.store(NodeSlotState::Up, std::memory_order_release);
    Shard *sh = m_shards[static_cast<std::size_t>(id) % m_shards.size()].get();
    const auto ep = epoch();
    boost::asio::post(sh->io(), [this, sh, id, ep] {
        Request *r = sh->allocate();
        sh->counters.actorsStarted.add();
        r->actor = true;
        r->consumer = id;
        r->epoch = ep;
        r->stage = Stage::ConsumerFetch;
        consumerStep(*sh, r);
    });
}

std::optional<int> EngineImpl::pickConsumer(std::optional<int> id, bool allowDead, bool newest) const
{
    const int n = m_consumersUsed.load();
    auto state = [this](int i) { return m_consumers[static_cast<std::size_t>(i)].state.load(); };
    if (id) {
        if (*id < 0 || *id >= n)
            return std::nullopt;
        const auto st = state(*id);
        if (st == NodeSlotState::Up || (allowDead && st == NodeSlotState::Dead))
            return id;
        return std::nullopt;
    }
    for (int k = 0; k < n; ++k) {
        const int i = newest ? n - 1 - k : k;
        if (state(i) == NodeSlotState::Up)
            return i;
    }
    return std::nullopt;
}

std::int64_t EngineImpl::queueBacklog(Nanos *oldest)
{
    std::int64_t n = 0;
    Nanos first = -1;
    for (int p = 0; p < m_partitionCount; ++p) {
        Partition &part = m_partitions[static_cast<std::size_t>(p)];
        std::lock_guard g(part.mutex());
        n += static_cast<std::int64_t>(part.size());
        const Nanos o = part.oldest();
        if (o >= 0 && (first < 0 || o < first))
            first = o;
    }
    if (oldest)
        *oldest = first;
    return n;
}

std::int64_t EngineImpl::inTransitTotal() const
{
    std::int64_t n = 0;
    for (int sku = 0; sku < m_config.traffic.skus; ++sku)
        n += m_inTransit[static_cast<std::size_t>(sku)].load();
    return n;
}

bool EngineImpl::queueInUse() const { return m_queueUsed || m_strategy.load() == Strategy::CacheQueue; }

void EngineImpl::mark(std::string label)
{
    std::lock_guard h(m_historyMutex);
    m_markers.push_back({ m_started ? runTime() : 0.0, std::move(label) });
    while (m_markers.size() > kMaxMarkers)
        m_markers.pop_front();
}

void EngineImpl::layoutStock(std::int64_t perSku)
{
    const bool spread = m_strategy.load() == Strategy::Sharded;
    for (int sku = 0; sku < m_config.traffic.skus; ++sku)
        for (int b = 0; b < m_buckets; ++b) {
            std::int64_t v = 0;
            if (spread)
                v = perSku / m_buckets + (b < perSku % m_buckets ? 1 : 0);
            else if (b == 0)
                v = perSku;
            row(sku, b).setValue(v);
        }
}

// Moves stock between the single row (bucket 0) and the buckets after a strategy switch.
// Only unlocked rows give stock away, so a lock holder that already checked the value keeps
// it; rows that are busy are retried every millisecond until the layout matches.
void EngineImpl::rebalance(std::uint64_t generation)
{
    if (generation != m_rebalanceGen || m_stopped)
        return;
    const bool spread = m_strategy.load() == Strategy::Sharded;
    bool pending = false;
    for (int sku = 0; sku < m_config.traffic.skus; ++sku) {
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
            std::lock_guard g(m_controlMutex);
            rebalance(generation);
        });
    }
}

CommandResult EngineImpl::applyEvent(const TimedEvent &e)
{
    switch (e.kind) {
    case EventKind::Spike: {
        if (!std::isfinite(e.factor) || e.factor <= 0 || e.factor > 1000)
            return CommandResult::fail("spike: factor must be above 0 and at most 1000");
        if (!std::isfinite(e.forS) || e.forS <= 0 || e.forS > 3600)
            return CommandResult::fail("spike: duration must be above 0 and at most 3600 s");
        if (m_mode.load() == TrafficMode::Open && m_rate.load() * e.factor > kMaxRatePerS * 10)
            return CommandResult::fail("spike: rate × factor must stay at most 10000000/s");
        m_spikeFactor.store(e.factor);
        m_spikeEndsAt = (m_started ? runTime() : 0.0) + e.forS;
        mark("spike ×" + fmt(e.factor) + " for " + fmt(e.forS) + " s");
        regenerateAll();
        return {};
    }
    case EventKind::SetRate:
        if (!std::isfinite(e.rate) || e.rate < kMinRatePerS || e.rate > kMaxRatePerS)
            return CommandResult::fail("rate: must be between 1 and 1000000 per second");
        m_rate.store(e.rate);
        m_mode.store(TrafficMode::Open);
        mark("rate " + fmt(e.rate) + "/s");
        regenerateAll();
        return {};
    case EventKind::AddNodes: {
        if (e.count < 1)
            return CommandResult::fail("add node: count must be at least 1");
        if (upNodes() + e.count > kMaxNodes)
            return CommandResult::fail("add node: at most " + std::to_string(kMaxNodes) + " nodes can be up");
        const int used = m_slotsUsed.load();
        if (used + e.count > kNodeSlots)
            return CommandResult::fail("add node: node ids are used up; reset the run");
        for (int i = 0; i < e.count; ++i)
            m_nodes[static_cast<std::size_t>(used + i)].init(
                used + i, m_config.nodes.capacity, m_config.nodes.queueLimit);
        m_slotsUsed.store(used + e.count, std::memory_order_release);
        bumpTopology();
        mark(e.count == 1 ? "node " + std::to_string(used) + " added" : std::to_string(e.count) + " nodes added");
        return {};
    }
    case EventKind::RemoveNode: {
        int id = -1;
        const int used = m_slotsUsed.load();
        if (e.node) {
            id = *e.node;
            const auto st
                = (id >= 0 && id < used) ? m_nodes[static_cast<std::size_t>(id)].state() : NodeSlotState::Free;
            if (st != NodeSlotState::Up && st != NodeSlotState::Dead)
                return CommandResult::fail("remove node " + std::to_string(id) + ": no such node is up");
        } else {
            for (int i = used - 1; i >= 0 && id < 0; --i)
                if (m_nodes[static_cast<std::size_t>(i)].state() == NodeSlotState::Up)
                    id = i;
            if (id < 0)
                return CommandResult::fail("remove node: no node is up");
        }
        AppNode &n = m_nodes[static_cast<std::size_t>(id)];
        if (n.state() == NodeSlotState::Dead) {
            n.setState(NodeSlotState::Removed);
            mark("node " + std::to_string(id) + " cleared");
            return {};
        }
        if (upNodes() <= 1)
            return CommandResult::fail("remove node " + std::to_string(id) + ": it is the last node up");
        n.setState(NodeSlotState::Draining);
        bumpTopology();
        mark("node " + std::to_string(id) + " draining");
        return {};
    }
    case EventKind::KillNode: {
        int id = -1;
        const int used = m_slotsUsed.load();
        if (e.node) {
            id = *e.node;
            const auto st
                = (id >= 0 && id < used) ? m_nodes[static_cast<std::size_t>(id)].state() : NodeSlotState::Free;
            if (st != NodeSlotState::Up && st != NodeSlotState::Draining)
                return CommandResult::fail("kill node " + std::to_string(id) + ": no such node is running");
        } else {
            for (int i = 0; i < used && id < 0; ++i)
                if (m_nodes[static_cast<std::size_t>(i)].state() == NodeSlotState::Up)
                    id = i;
            if (id < 0)
                return CommandResult::fail("kill node: no node is up");
        }
        Request *list = m_nodes[static_cast<std::size_t>(id)].kill();
        bumpTopology();
        while (list) {
            Request *r = list;
            list = list->next;
            r->next = nullptr;
            r->failOnDispatch = true;
            m_shards[static_cast<std::size_t>(r->shard)]->dispatch(r);
        }
        mark("node " + std::to_string(id) + " killed");
        return {};
    }
    case EventKind::SwitchStrategy: {
        if (e.strategy == Strategy::CacheQueue && m_strategy.load() != Strategy::CacheQueue && upCacheNodes() == 0)
            return CommandResult::fail("strategy cache-queue: needs a cache node up (add one first)");
        const Strategy old = m_strategy.exchange(e.strategy);
        if (old == e.strategy)
            return {};
        if (e.strategy == Strategy::CacheQueue) {
            m_queueUsed = true;
            loadCounters();
        }
        if ((old == Strategy::Sharded) != (e.strategy == Strategy::Sharded))
            rebalance(++m_rebalanceGen);
        mark("strategy " + std::string(toString(e.strategy)));
        return {};
    }
    case EventKind::Restock: {
        if (e.units < 1 || e.units > kMaxStock - m_suppliedPerSku)
            return CommandResult::fail(
                "restock: units must be between 1 and " + std::to_string(kMaxStock - m_suppliedPerSku));
        const bool spread = m_strategy.load() == Strategy::Sharded;
        for (int sku = 0; sku < m_config.traffic.skus; ++sku) {
            if (!spread) {
                row(sku, 0).add(e.units);
                continue;
            }
            for (int b = 0; b < m_buckets; ++b)
                if (const auto k = e.units / m_buckets + (b < e.units % m_buckets ? 1 : 0))
                    row(sku, b).add(k);
        }
        if (m_strategy.load() == Strategy::CacheQueue)
            for (int sku = 0; sku < m_config.traffic.skus; ++sku) {
                const int owner = m_cachePlacement->owner(KeyPlacement::hash(counterKey(sku)));
                if (owner >= 0) // a missing counter picks the units up when it is reloaded
                    m_cache[static_cast<std::size_t>(owner)].add(counterKey(sku), e.units);
            }
        m_suppliedPerSku += e.units;
        m_supplied.store(m_suppliedPerSku);
        mark("restock +" + std::to_string(e.units));
        return {};
    }
    case EventKind::Pause:
    case EventKind::Resume: {
        const bool p = e.kind == EventKind::Pause;
        if (m_paused.exchange(p) == p)
            return {};
        mark(p ? "paused" : "resumed");
        regenerateAll();
        return {};
    }
    case EventKind::AddCacheNodes: {
        if (e.count < 1)
            return CommandResult::fail("add cache node: count must be at least 1");
        if (upCacheNodes() + e.count > kMaxCacheNodes)
            return CommandResult::fail(
                "add cache node: at most " + std::to_string(kMaxCacheNodes) + " cache nodes can be up");
        const int used = m_cacheUsed.load();
        if (used + e.count > kCacheSlots)
            return CommandResult::fail("add cache node: cache node ids are used up; reset the run");
        for (int i = 0; i < e.count; ++i)
            m_cache[static_cast<std::size_t>(used + i)].init(used + i, static_cast<std::size_t>(m_config.cache.keys));
        m_cacheUsed.store(used + e.count, std::memory_order_release);
        const double moved = replaceCachePlacement(m_cachePlacement->placement());
        mark((e.count == 1 ? "cache node " + std::to_string(used) + " added"
                           : std::to_string(e.count) + " cache nodes added")
            + ": " + percent(moved) + " of keys moved");
        return {};
    }
    case EventKind::RemoveCacheNode: {
        const auto id = pickCacheNode(e.node, true, true);
        if (!id)
            return CommandResult::fail(e.node ? "remove cache node " + std::to_string(*e.node) + ": no such cache node"
                                              : std::string("remove cache node: no cache node is up"));
        CacheNode &c = m_cache[static_cast<std::size_t>(*id)];
        if (c.state() == NodeSlotState::Dead) {
            c.setState(NodeSlotState::Removed);
            mark("cache node " + std::to_string(*id) + " cleared");
            return {};
        }
        if (m_strategy.load() == Strategy::CacheQueue && upCacheNodes() <= 1)
            return CommandResult::fail(
                "remove cache node " + std::to_string(*id) + ": cache-queue keeps its counters on the last cache node");
        // Leaving the placement first lets its counters move to their new owners.
        c.setState(NodeSlotState::Draining);
        const double moved = replaceCachePlacement(m_cachePlacement->placement());
        c.lose(NodeSlotState::Removed);
        mark("cache node " + std::to_string(*id) + " removed: " + percent(moved) + " of keys moved");
        return {};
    }
    case EventKind::KillCacheNode: {
        const auto id = pickCacheNode(e.node, false, false);
        if (!id)
            return CommandResult::fail(e.node
                    ? "kill cache node " + std::to_string(*e.node) + ": no such cache node is up"
                    : std::string("kill cache node: no cache node is up"));
        m_cache[static_cast<std::size_t>(*id)].lose(NodeSlotState::Dead);
        const double moved = replaceCachePlacement(m_cachePlacement->placement());
        mark("cache node " + std::to_string(*id) + " killed: " + percent(moved) + " of keys moved");
        return {};
    }
    case EventKind::SetPlacement: {
        if (e.placement != Placement::Ring && e.placement != Placement::Modulo)
            return CommandResult::fail("placement: must be ring or modulo");
        if (m_cachePlacement->placement() == e.placement)
            return {};
        const double moved = replaceCachePlacement(e.placement);
        mark("placement " + std::string(toString(e.placement)) + ": " + percent(moved) + " of keys moved");
        return {};
    }
    case EventKind::SetSingleFlight:
        if (m_singleFlight.exchange(e.on) == e.on)
            return {};
        mark(e.on ? "single-flight on" : "single-flight off");
        return {};
    case EventKind::SetTtlJitter:
        if (!std::isfinite(e.ratio) || e.ratio < 0 || e.ratio > 1)
            return CommandResult::fail("ttl jitter: must be between 0 and 1");
        if (m_ttlJitter.exchange(e.ratio) == e.ratio)
            return {};
        mark("TTL jitter ±" + percent(e.ratio));
        return {};
    case EventKind::SetReadRatio:
        if (!std::isfinite(e.ratio) || e.ratio < 0 || e.ratio > kMaxReadRatio)
            return CommandResult::fail("read ratio: must be between 0 and 10000 views per purchase");
        if (m_readRatio.exchange(e.ratio) == e.ratio)
            return {};
        mark("reads " + fmt(e.ratio) + ":1");
        return {};
    case EventKind::SetCounterRecovery:
        if (e.recovery != CounterRecovery::ReloadFromStore && e.recovery != CounterRecovery::ResetToInitial)
            return CommandResult::fail("counter recovery: must be reload-from-store or reset-to-initial");
        if (m_recovery.exchange(e.recovery) == e.recovery)
            return {};
        mark("counter recovery " + std::string(toString(e.recovery)));
        return {};
    case EventKind::AddConsumers: {
        if (e.count < 1)
            return CommandResult::fail("add consumer: count must be at least 1");
        int up = 0;
        const int used = m_consumersUsed.load();
        for (int i = 0; i < used; ++i)
            up += m_consumers[static_cast<std::size_t>(i)].state.load() == NodeSlotState::Up;
        if (up + e.count > kMaxConsumers)
            return CommandResult::fail(
                "add consumer: at most " + std::to_string(kMaxConsumers) + " consumers can be up");
        if (used + e.count > kConsumerSlots)
            return CommandResult::fail("add consumer: consumer ids are used up; reset the run");
        for (int i = 0; i < e.count; ++i)
            startConsumer(used + i);
        m_consumersUsed.store(used + e.count);
        mark(e.count == 1 ? "consumer " + std::to_string(used) + " added"
                          : std::to_string(e.count) + " consumers added");
        return {};
    }
    case EventKind::RemoveConsumer: {
        const auto id = pickConsumer(e.node, true, true);
        if (!id)
            return CommandResult::fail(e.node ? "remove consumer " + std::to_string(*e.node) + ": no such consumer"
                                              : std::string("remove consumer: no consumer is up"));
        auto &st = m_consumers[static_cast<std::size_t>(*id)].state;
        if (st.load() == NodeSlotState::Dead) {
            st.store(NodeSlotState::Removed);
            mark("consumer " + std::to_string(*id) + " cleared");
            return {};
        }
        st.store(NodeSlotState::Draining); // finishes its batch, then leaves
        wakeIdleConsumers();
        mark("consumer " + std::to_string(*id) + " removed");
        return {};
    }
    case EventKind::KillConsumer: {
        const auto id = pickConsumer(e.node, false, false);
        if (!id)
            return CommandResult::fail(e.node ? "kill consumer " + std::to_string(*e.node) + ": no such consumer is up"
                                              : std::string("kill consumer: no consumer is up"));
        m_consumers[static_cast<std::size_t>(*id)].state.store(NodeSlotState::Dead, std::memory_order_seq_cst);
        // Whatever it held and did not acknowledge is delivered again, persisted or not.
        std::int64_t again = 0;
        for (int p = 0; p < m_partitionCount; ++p) {
            Partition &part = m_partitions[static_cast<std::size_t>(p)];
            std::lock_guard g(part.mutex());
            again += part.release(*id);
        }
        m_redelivered.fetch_add(again);
        m_deliverableSeq.fetch_add(1, std::memory_order_seq_cst);
        wakeIdleConsumers();
        mark("consumer " + std::to_string(*id) + " killed: " + std::to_string(again) + " messages redelivered");
        return {};
    }
    case EventKind::SetIdempotent:
        if (m_idempotent.exchange(e.on) == e.on)
            return {};
        mark(e.on ? "idempotent consumers on" : "idempotent consumers off");
        return {};
    case EventKind::SetQueueFull: {
        if (e.full != FullPolicy::Reject && e.full != FullPolicy::Block)
            return CommandResult::fail("queue full policy: must be block or reject");
        if (m_queueFull.exchange(e.full) == e.full)
            return {};
        if (e.full == FullPolicy::Reject)
            unblockProducers(); // those waiting for room give up now
        mark("queue full: " + std::string(toString(e.full)));
        return {};
    }
    }
    return CommandResult::fail("unknown command");
}

#define STAMPEDE_COMMAND(body)                                                                                         \
    std::lock_guard g(m_controlMutex);                                                                                 \
    if (m_stopped)                                                                                                     \
        return CommandResult::fail("the run has ended");                                                               \
    TimedEvent e;                                                                                                      \
    body;                                                                                                              \
    return applyEvent(e)

CommandResult EngineImpl::setRate(double perSecond)
{
    STAMPEDE_COMMAND(e.kind = EventKind::SetRate; e.rate = perSecond);
}
CommandResult EngineImpl::spike(double factor, double seconds)
{
    STAMPEDE_COMMAND(e.kind = EventKind::Spike; e.factor = factor; e.forS = seconds);
}
CommandResult EngineImpl::addNodes(int count) { STAMPEDE_COMMAND(e.kind = EventKind::AddNodes; e.count = count); }
CommandResult EngineImpl::removeNode(std::optional<int> id)
{
    STAMPEDE_COMMAND(e.kind = EventKind::RemoveNode; e.node = id);
}
CommandResult EngineImpl::killNode(std::optional<int> id)
{
    STAMPEDE_COMMAND(e.kind = EventKind::KillNode; e.node = id);
}
CommandResult EngineImpl::switchStrategy(Strategy s)
{
    STAMPEDE_COMMAND(e.kind = EventKind::SwitchStrategy; e.strategy = s);
}
CommandResult EngineImpl::restock(std::int64_t units)
{
    STAMPEDE_COMMAND(e.kind = EventKind::Restock; e.units = units);
}
CommandResult EngineImpl::setPaused(bool paused)
{
    STAMPEDE_COMMAND(e.kind = paused ? EventKind::Pause : EventKind::Resume);
}
CommandResult EngineImpl::addCacheNode(int count)
{
    STAMPEDE_COMMAND(e.kind = EventKind::AddCacheNodes; e.count = count);
}
CommandResult EngineImpl::removeCacheNode(std::optional<int> id)
{
    STAMPEDE_COMMAND(e.kind = EventKind::RemoveCacheNode; e.node = id);
}
CommandResult EngineImpl::killCacheNode(std::optional<int> id)
{
    STAMPEDE_COMMAND(e.kind = EventKind::KillCacheNode; e.node = id);
}
CommandResult EngineImpl::setPlacement(Placement p)
{
    STAMPEDE_COMMAND(e.kind = EventKind::SetPlacement; e.placement = p);
}
CommandResult EngineImpl::setSingleFlight(bool on) { STAMPEDE_COMMAND(e.kind = EventKind::SetSingleFlight; e.on = on); }
CommandResult EngineImpl::setTtlJitter(double f) { STAMPEDE_COMMAND(e.kind = EventKind::SetTtlJitter; e.ratio = f); }
CommandResult EngineImpl::setReadRatio(double r) { STAMPEDE_COMMAND(e.kind = EventKind::SetReadRatio; e.ratio = r); }
CommandResult EngineImpl::setCounterRecovery(CounterRecovery r)
{
    STAMPEDE_COMMAND(e.kind = EventKind::SetCounterRecovery; e.recovery = r);
}
CommandResult EngineImpl::addConsumers(int count)
{
    STAMPEDE_COMMAND(e.kind = EventKind::AddConsumers; e.count = count);
}
CommandResult EngineImpl::removeConsumer(std::optional<int> id)
{
    STAMPEDE_COMMAND(e.kind = EventKind::RemoveConsumer; e.node = id);
}
CommandResult EngineImpl::killConsumer(std::optional<int> id)
{
    STAMPEDE_COMMAND(e.kind = EventKind::KillConsumer; e.node = id);
}
CommandResult EngineImpl::setIdempotent(bool on) { STAMPEDE_COMMAND(e.kind = EventKind::SetIdempotent; e.on = on); }
CommandResult EngineImpl::setQueueFull(FullPolicy p) { STAMPEDE_COMMAND(e.kind = EventKind::SetQueueFull; e.full = p); }
#undef STAMPEDE_COMMAND

CommandResult EngineImpl::setClosedLoop(int clients)
{
    std::lock_guard g(m_controlMutex);
    if (m_stopped)
        return CommandResult::fail("the run has ended");
    if (clients < 1 || clients > kMaxClients)
        return CommandResult::fail("clients: must be between 1 and " + std::to_string(kMaxClients));
    m_clients.store(clients);
    m_mode.store(TrafficMode::Closed);
    mark("max rate, " + std::to_string(clients) + " clients");
    regenerateAll();
    return {};
}

void EngineImpl::applyDueEvents(double t)
{
    while (m_nextEvent < m_events.size() && m_events[m_nextEvent].atS <= t) {
        const auto r = applyEvent(m_events[m_nextEvent++]);
        if (!r.ok)
            mark("event failed: " + r.error);
    }
}

// ---- reset: a barrier over all shards, then a fresh start on the control thread ----

CommandResult EngineImpl::reset()
{
    std::lock_guard g(m_controlMutex);
    if (m_stopped)
        return CommandResult::fail("the run has ended");
    if (m_resetting.load())
        return CommandResult::fail("reset: already resetting");
    if (!m_started) {
        finishReset();
        return {};
    }
    m_resetting.store(true);
    m_epoch.fetch_add(1, std::memory_order_acq_rel);
    m_resetAcks.store(static_cast<int>(m_shards.size()));
    // Once a shard runs this, every later handler on it sees the new epoch, so requests from
    // before the reset drop themselves without touching nodes or counters.
    for (auto &s : m_shards) {
        Shard *sh = s.get();
        boost::asio::post(sh->io(), [this, sh] {
            sh->clearCounters();
            resetAck();
        });
    }
    return {};
}

void EngineImpl::resetAck()
{
    if (m_resetAcks.fetch_sub(1, std::memory_order_acq_rel) != 1)
        return;
    boost::asio::post(m_control, [this] {
        std::lock_guard g(m_controlMutex);
        if (!m_stopped)
            finishReset();
    });
}

void EngineImpl::finishReset()
{
    for (int i = 0, n = m_slotsUsed.load(); i < n; ++i) {
        Request *list = m_nodes[static_cast<std::size_t>(i)].takeBacklog();
        while (list) { // their owners drop them: the epoch moved on
            Request *r = list;
            list = list->next;
            r->next = nullptr;
            m_shards[static_cast<std::size_t>(r->shard)]->dispatch(r);
        }
        m_nodes[static_cast<std::size_t>(i)].setState(NodeSlotState::Free);
    }
    m_slotsUsed.store(0, std::memory_order_release);
    m_strategy.store(m_config.strategy);
    m_rate.store(m_config.traffic.ratePerS);
    m_mode.store(m_config.traffic.mode);
    m_clients.store(m_config.traffic.clients);
    m_spikeFactor.store(1.0);
    m_spikeEndsAt = -1;
    ++m_rebalanceGen;
    layoutStock(m_config.stock);
    m_suppliedPerSku = m_config.stock;
    {
        std::lock_guard h(m_historyMutex);
        m_history.clear();
        m_markers.clear();
    }
    TimedEvent add;
    add.kind = EventKind::AddNodes;
    add.count = m_config.nodes.count;
    applyEvent(add);
    resetCacheTier();
    m_supplied.store(m_suppliedPerSku);
    resetQueue();
    if (m_config.strategy == Strategy::CacheQueue)
        loadCounters();
    m_readRatio.store(m_config.traffic.readRatio);
    m_controlStoreReads = 0;
    {
        std::lock_guard h(m_historyMutex);
        m_markers.clear();
    }
    m_prevTotals = {};
    m_prevLatency.clear();
    m_prevLockWait.clear();
    m_runLatency.clear();
    std::fill(m_prevNodeAnswers.begin(), m_prevNodeAnswers.end(), 0);
    std::fill(m_nodeThroughput.begin(), m_nodeThroughput.end(), 0);
    m_peakThroughput = 0;
    m_runMaxNs = 0;
    m_nextEvent = 0;
    m_runStart = now();
    m_prevTickAt = m_runStart;
    m_resetting.store(false, std::memory_order_release);
    mark("reset");
    regenerateAll();
    publish(0);
}

// ---- the tick ----

void EngineImpl::tickLocked()
{
    const double t = runTime();
    if (m_spikeEndsAt >= 0 && t >= m_spikeEndsAt) {
        m_spikeFactor.store(1.0);
        m_spikeEndsAt = -1;
        regenerateAll();
    }
    if (!m_resetting.load())
        applyDueEvents(t);

    Totals cur;
    LogHistogram latency, lockWait;
    std::uint64_t intervalMax = 0, lockMax = 0;
    for (auto &s : m_shards) {
        const auto &c = s->counters;
        cur.attempts += c.attempts.get();
        cur.succeeded += c.succeeded.get();
        cur.soldOut += c.soldOut.get();
        cur.rateLimited += c.rateLimited.get();
        cur.nodeDown += c.nodeDown.get();
        cur.timeout += c.timeout.get();
        cur.overloaded += c.overloaded.get();
        cur.lockWaits += c.lockWaits.get();
        cur.lockWaitNs += c.lockWaitNs.get();
        cur.lockHolds += c.lockHolds.get();
        cur.lockHoldNs += c.lockHoldNs.get();
        cur.views += c.views.get() + c.viewsFailed.get();
        cur.viewHits += c.viewHits.get();
        cur.viewMisses += c.viewMisses.get();
        cur.staleReads += c.staleReads.get();
        cur.storeReads += c.storeReads.get();
        cur.enqueued += c.enqueued.get();
        cur.queueRejected += c.queueRejected.get();
        cur.dequeued += c.dequeued.get();
        cur.duplicates += c.duplicates.get();
        cur.deduped += c.deduped.get();
        s->latency.copyInto(latency);
        s->lockWait.copyInto(lockWait);
        intervalMax = std::max(intervalMax, s->latency.takeIntervalMax());
        lockMax = std::max(lockMax, s->lockWait.takeIntervalMax());
    }
    const Nanos nowNs = now();
    const double dt = std::max(1e-3, static_cast<double>(nowNs - m_prevTickAt) * 1e-9);
    m_prevTickAt = nowNs;
    auto rate = [dt](std::uint64_t a, std::uint64_t b) { return a >= b ? static_cast<double>(a - b) / dt : 0.0; };

    TickSample x;
    x.t = t;
    x.offeredRate
        = m_paused.load() || m_mode.load() == TrafficMode::Closed ? 0.0 : m_rate.load() * m_spikeFactor.load();
    x.attempts = rate(cur.attempts, m_prevTotals.attempts);
    x.succeeded = rate(cur.succeeded, m_prevTotals.succeeded);
    x.soldOut = rate(cur.soldOut, m_prevTotals.soldOut);
    x.rateLimited = rate(cur.rateLimited, m_prevTotals.rateLimited);
    x.failedNodeDown = rate(cur.nodeDown, m_prevTotals.nodeDown);
    x.failedTimeout = rate(cur.timeout, m_prevTotals.timeout);
    x.failedOverloaded = rate(cur.overloaded, m_prevTotals.overloaded);
    x.failed = x.failedNodeDown + x.failedTimeout + x.failedOverloaded;
    LogHistogram tickLatency = latency;
    tickLatency.subtract(m_prevLatency);
    x.p50Ms = tickLatency.quantile(0.50) * 1e-6;
    x.p95Ms = tickLatency.quantile(0.95) * 1e-6;
    x.p99Ms = tickLatency.quantile(0.99) * 1e-6;
    x.maxMs = tickLatency.count() ? static_cast<double>(intervalMax) * 1e-6 : 0.0;
    const auto waits = cur.lockWaits >= m_prevTotals.lockWaits ? cur.lockWaits - m_prevTotals.lockWaits : 0;
    const auto waitNs = cur.lockWaitNs >= m_prevTotals.lockWaitNs ? cur.lockWaitNs - m_prevTotals.lockWaitNs : 0;
    x.lockWaitMeanMs = waits ? static_cast<double>(waitNs) / static_cast<double>(waits) * 1e-6 : 0.0;
    x.lockWaitMaxMs = waits ? static_cast<double>(lockMax) * 1e-6 : 0.0;
    const auto holds = cur.lockHolds >= m_prevTotals.lockHolds ? cur.lockHolds - m_prevTotals.lockHolds : 0;
    const auto holdNs = cur.lockHoldNs >= m_prevTotals.lockHoldNs ? cur.lockHoldNs - m_prevTotals.lockHoldNs : 0;
    x.lockHoldMeanMs = holds ? static_cast<double>(holdNs) / static_cast<double>(holds) * 1e-6 : 0.0;

    // cache tier and read traffic
    if (m_counterResets.load() != m_counterResetsSeen) {
        m_counterResetsSeen = m_counterResets.load();
        mark("counter reset to initial stock: units sold again");
    }
    reloadCounters();
    cur.storeReads += m_controlStoreReads;
    for (int i = 0, n = m_cacheUsed.load(); i < n; ++i) {
        std::uint64_t ops = 0, ev = 0;
        m_cache[static_cast<std::size_t>(i)].counts(nowNs, m_cacheOpNs, &ops, &ev);
        cur.evictions += ev;
        m_cacheOpsRate[static_cast<std::size_t>(i)] = rate(ops, m_prevCacheOps[static_cast<std::size_t>(i)]);
        m_prevCacheOps[static_cast<std::size_t>(i)] = ops;
    }
    x.views = rate(cur.views, m_prevTotals.views);
    x.viewHits = rate(cur.viewHits, m_prevTotals.viewHits);
    x.viewMisses = rate(cur.viewMisses, m_prevTotals.viewMisses);
    x.hitRatio = x.viewHits + x.viewMisses > 0 ? x.viewHits / (x.viewHits + x.viewMisses) : 0.0;
    x.evictions = rate(cur.evictions, m_prevTotals.evictions);
    x.storeReads = rate(cur.storeReads, m_prevTotals.storeReads);
    x.staleReads = rate(cur.staleReads, m_prevTotals.staleReads);
    x.staleReadsTotal = static_cast<std::int64_t>(cur.staleReads);
    m_storeReadPeak = std::max(m_storeReadPeak, x.storeReads);

    // order queue
    x.enqueued = rate(cur.enqueued, m_prevTotals.enqueued);
    x.dequeued = rate(cur.dequeued, m_prevTotals.dequeued);
    Nanos oldest = -1;
    x.queueBacklog = queueBacklog(&oldest);
    x.queueLagMs = oldest >= 0 ? static_cast<double>(std::max<Nanos>(0, nowNs - oldest)) * 1e-6 : 0.0;
    m_maxBacklog = std::max(m_maxBacklog, x.queueBacklog);
    m_maxLagMs = std::max(m_maxLagMs, x.queueLagMs);
    for (int i = 0, n = m_consumersUsed.load(); i < n; ++i) {
        const auto &c = m_consumers[static_cast<std::size_t>(i)];
        const auto done = c.persisted.get();
        m_consumerRate[static_cast<std::size_t>(i)] = rate(done, m_prevConsumerPersisted[static_cast<std::size_t>(i)]);
        m_prevConsumerPersisted[static_cast<std::size_t>(i)] = done;
        x.consumersUp += c.state.load() == NodeSlotState::Up;
    }
    x.redeliveredTotal = m_redelivered.load();
    x.duplicatesTotal = static_cast<std::int64_t>(cur.duplicates);
    if (cur.enqueued > 0)
        m_queueUsed = true;

    // eventual consistency: each SKU's counter in the cache against the store
    if (queueInUse() && m_cachePlacement) {
        std::int64_t store = 0;
        for (int sku = 0; sku < m_config.traffic.skus; ++sku) {
            const int owner = m_cachePlacement->owner(KeyPlacement::hash(counterKey(sku)));
            if (owner < 0)
                continue;
            if (const auto v = m_cache[static_cast<std::size_t>(owner)].peek(counterKey(sku))) {
                x.cacheStock += *v;
                store += skuStock(sku);
            }
        }
        x.divergence = x.cacheStock - store;
    }
    m_runMaxNs = std::max(m_runMaxNs, static_cast<double>(intervalMax));
    m_prevLatency = latency;
    m_runLatency = latency;
    m_prevLockWait = lockWait;
    m_prevTotals = cur;

    // nodes
    std::int64_t busy = 0, capacity = 0;
    for (int i = 0, n = m_slotsUsed.load(); i < n; ++i) {
        AppNode &node = m_nodes[static_cast<std::size_t>(i)];
        std::uint64_t answers = 0;
        for (auto &s : m_shards)
            answers += s->nodeAnswers[static_cast<std::size_t>(i)].get();
        m_nodeThroughput[static_cast<std::size_t>(i)] = rate(answers, m_prevNodeAnswers[static_cast<std::size_t>(i)]);
        m_prevNodeAnswers[static_cast<std::size_t>(i)] = answers;
        const auto st = node.state();
        if (st == NodeSlotState::Draining && node.inFlight() <= 0) {
            node.setState(NodeSlotState::Removed);
            bumpTopology();
            mark("node " + std::to_string(i) + " removed");
        }
        if (st == NodeSlotState::Up || st == NodeSlotState::Draining) {
            x.inFlight += node.inFlight();
            x.backlog += node.queued();
            if (st == NodeSlotState::Up) {
                ++x.nodesUp;
                busy += node.busy();
                capacity += node.capacity();
            }
        }
    }
    x.utilisation = capacity ? static_cast<double>(busy) / static_cast<double>(capacity) : 0.0;

    // stock and consistency
    for (int sku = 0; sku < m_config.traffic.skus; ++sku) {
        std::int64_t confirmed = 0, persisted = 0;
        for (auto &s : m_shards) {
            confirmed += static_cast<std::int64_t>(s->skuConfirmed[static_cast<std::size_t>(sku)].get());
            persisted += static_cast<std::int64_t>(s->skuPersisted[static_cast<std::size_t>(sku)].get());
        }
        x.stockRemaining += skuStock(sku);
        x.sold += persisted;
        x.confirmed += confirmed;
        x.oversold += std::max<std::int64_t>(0, confirmed - m_suppliedPerSku);
        // Orders on the queue are not lost, only late.
        x.lostOrders
            += std::max<std::int64_t>(0, confirmed - persisted - m_inTransit[static_cast<std::size_t>(sku)].load());
    }
    for (auto &s : m_shards)
        x.falseSoldOut += static_cast<std::int64_t>(s->counters.falseSoldOut.get());
    x.attemptsTotal = static_cast<std::int64_t>(cur.attempts);
    m_peakThroughput = std::max(m_peakThroughput, x.succeeded + x.soldOut + x.rateLimited + x.failed);
    {
        std::lock_guard h(m_historyMutex);
        m_history.push_back(x);
        while (m_history.size() > kHistoryTicks)
            m_history.pop_front();
    }
    publish(t);
}

void EngineImpl::publish(double t)
{
    auto s = std::make_shared<Snapshot>();
    s->seq = ++m_seq;
    s->t = t;
    s->paused = m_paused.load();
    s->running = m_started && !m_stopped;
    s->strategy = m_strategy.load();
    s->ratePerS = m_rate.load();
    s->spikeFactor = m_spikeFactor.load();
    s->mode = m_mode.load();
    s->threads = static_cast<int>(m_shards.size());
    for (int i = 0, n = m_slotsUsed.load(); i < n; ++i) {
        const AppNode &node = m_nodes[static_cast<std::size_t>(i)];
        const auto st = node.state();
        if (st != NodeSlotState::Up && st != NodeSlotState::Draining && st != NodeSlotState::Dead)
            continue;
        NodeView v;
        v.id = i;
        v.state = st == NodeSlotState::Up   ? NodeState::Up
            : st == NodeSlotState::Draining ? NodeState::Draining
                                            : NodeState::Dead;
        v.capacity = node.capacity();
        v.busy = st == NodeSlotState::Dead ? 0 : static_cast<int>(node.busy());
        v.backlog = st == NodeSlotState::Dead ? 0 : static_cast<int>(node.queued());
        v.throughput = m_nodeThroughput.empty() ? 0.0 : m_nodeThroughput[static_cast<std::size_t>(i)];
        s->nodes.push_back(v);
    }
    {
        const auto &ids = m_cachePlacement->nodes();
        const auto shares = m_cachePlacement->shares();
        for (int i = 0, n = m_cacheUsed.load(); i < n; ++i) {
            CacheNode &c = m_cache[static_cast<std::size_t>(i)];
            const auto st = c.state();
            if (st != NodeSlotState::Up && st != NodeSlotState::Dead)
                continue;
            CacheNodeView v;
            v.id = i;
            v.state = st == NodeSlotState::Up ? NodeState::Up : NodeState::Dead;
            v.keys = static_cast<std::int64_t>(c.keys());
            v.ops = m_cacheOpsRate.empty() ? 0.0 : m_cacheOpsRate[static_cast<std::size_t>(i)];
            v.backlog = st == NodeSlotState::Up ? static_cast<int>(c.backlog(now(), m_cacheOpNs)) : 0;
            const auto it = std::lower_bound(ids.begin(), ids.end(), v.id);
            if (it != ids.end() && *it == v.id)
                v.share = shares[static_cast<std::size_t>(it - ids.begin())];
            s->cacheNodes.push_back(v);
        }
        s->placement = m_cachePlacement->placement();
        s->singleFlight = m_singleFlight.load();
        s->keysMovedLast = m_keysMovedLast;
        s->cacheChanges = m_cacheChanges;
        s->ttlJitter = m_ttlJitter.load();
        s->readRatio = m_readRatio.load();
        s->recovery = m_recovery.load();
        for (int sku = 0; sku < m_config.traffic.skus; ++sku)
            s->counterReloading = s->counterReloading || m_reloading[static_cast<std::size_t>(sku)].load();
        if (queueInUse()) {
            const int owner = m_cachePlacement->owner(KeyPlacement::hash(counterKey(0)));
            if (owner >= 0 && m_cache[static_cast<std::size_t>(owner)].peek(counterKey(0)))
                s->counterNode = owner;
        }
    }
    if (queueInUse()) {
        for (int p = 0; p < m_partitionCount; ++p) {
            Partition &part = m_partitions[static_cast<std::size_t>(p)];
            std::lock_guard g(part.mutex());
            s->partitions.push_back({ p, static_cast<std::int64_t>(part.size()), part.capacity(), part.blocked() });
        }
        for (int i = 0, n = m_consumersUsed.load(); i < n; ++i) {
            const auto &c = m_consumers[static_cast<std::size_t>(i)];
            const auto st = c.state.load();
            if (st != NodeSlotState::Up && st != NodeSlotState::Draining && st != NodeSlotState::Dead)
                continue;
            ConsumerView v;
            v.id = i;
            v.state = st == NodeSlotState::Up   ? NodeState::Up
                : st == NodeSlotState::Draining ? NodeState::Draining
                                                : NodeState::Dead;
            v.inHand = st == NodeSlotState::Dead ? 0 : c.inHand.load();
            v.throughput = m_consumerRate.empty() ? 0.0 : m_consumerRate[static_cast<std::size_t>(i)];
            s->consumers.push_back(v);
        }
    }
    s->queueFull = m_queueFull.load();
    s->idempotent = m_idempotent.load();
    for (int b = 0; b < m_buckets; ++b) {
        StockRow &rw = row(0, b);
        s->hotRows.push_back({ 0, b, rw.value(), rw.locked(), rw.waiters() });
    }
    {
        std::lock_guard h(m_historyMutex);
        const auto n = std::min(m_history.size(), kRecentTicks);
        s->recent.assign(m_history.end() - static_cast<std::ptrdiff_t>(n), m_history.end());
        const double from = s->recent.empty() ? 0.0 : s->recent.front().t - kTickSeconds;
        for (const auto &m : m_markers)
            if (m.t >= from)
                s->markers.push_back(m);
    }
    s->attempts = static_cast<std::int64_t>(m_prevTotals.attempts);
    s->succeeded = static_cast<std::int64_t>(m_prevTotals.succeeded);
    s->soldOut = static_cast<std::int64_t>(m_prevTotals.soldOut);
    s->rateLimited = static_cast<std::int64_t>(m_prevTotals.rateLimited);
    s->failed = static_cast<std::int64_t>(m_prevTotals.nodeDown + m_prevTotals.timeout + m_prevTotals.overloaded);
    s->failedNodeDown = static_cast<std::int64_t>(m_prevTotals.nodeDown);
    s->failedTimeout = static_cast<std::int64_t>(m_prevTotals.timeout);
    s->failedOverloaded = static_cast<std::int64_t>(m_prevTotals.overloaded);
    s->stockInitial = m_suppliedPerSku * m_config.traffic.skus;
    s->p50Ms = m_runLatency.quantile(0.50) * 1e-6;
    s->p95Ms = m_runLatency.quantile(0.95) * 1e-6;
    s->p99Ms = m_runLatency.quantile(0.99) * 1e-6;
    s->maxMs = m_runMaxNs * 1e-6;
    s->peakThroughput = m_peakThroughput;
    const auto &tot = m_prevTotals;
    s->views = static_cast<std::int64_t>(tot.views);
    s->viewHits = static_cast<std::int64_t>(tot.viewHits);
    s->viewMisses = static_cast<std::int64_t>(tot.viewMisses);
    s->staleReads = static_cast<std::int64_t>(tot.staleReads);
    s->storeReads = static_cast<std::int64_t>(tot.storeReads);
    s->evictions = static_cast<std::int64_t>(tot.evictions);
    s->hitRatio = tot.viewHits + tot.viewMisses
        ? static_cast<double>(tot.viewHits) / static_cast<double>(tot.viewHits + tot.viewMisses)
        : 0.0;
    s->storeReadPeak = m_storeReadPeak;
    s->enqueued = static_cast<std::int64_t>(tot.enqueued);
    s->dequeued = static_cast<std::int64_t>(tot.dequeued);
    s->queueRejected = static_cast<std::int64_t>(tot.queueRejected);
    s->maxBacklog = m_maxBacklog;
    s->maxLagMs = m_maxLagMs;
    s->redelivered = m_redelivered.load();
    s->duplicates = static_cast<std::int64_t>(tot.duplicates);
    std::shared_ptr<const Snapshot> old;
    {
        std::lock_guard g(m_snapshotMutex);
        old = std::exchange(m_snapshot, std::move(s));
    }
    // `old` is released here, outside the lock: a reader may still hold it.
}

std::vector<TickSample> EngineImpl::timeline() const
{
    std::lock_guard h(m_historyMutex);
    return { m_history.begin(), m_history.end() };
}

std::vector<Marker> EngineImpl::markers() const
{
    std::lock_guard h(m_historyMutex);
    return { m_markers.begin(), m_markers.end() };
}

// ---- end of run ----

Audit EngineImpl::auditLocked(bool drained)
{
    Audit a;
    a.conserved = true;
    for (int sku = 0; sku < m_config.traffic.skus; ++sku) {
        std::int64_t confirmed = 0, persisted = 0;
        for (auto &s : m_shards) {
            confirmed += static_cast<std::int64_t>(s->skuConfirmed[static_cast<std::size_t>(sku)].get());
            persisted += static_cast<std::int64_t>(s->skuPersisted[static_cast<std::size_t>(sku)].get());
        }
        const std::int64_t remaining = skuStock(sku);
        a.supplied += m_suppliedPerSku;
        a.confirmed += confirmed;
        a.persisted += persisted;
        a.remaining += remaining;
        const std::int64_t queued = m_inTransit[static_cast<std::size_t>(sku)].load();
        a.oversold += std::max<std::int64_t>(0, confirmed - m_suppliedPerSku);
        a.lostOrders += std::max<std::int64_t>(0, confirmed - persisted - queued);
        a.queued += queued;
        // Orders still queued hold units the store has not given up yet, so this holds mid-run too.
        if (persisted + remaining != m_suppliedPerSku)
            a.conserved = false;
    }
    for (auto &s : m_shards) {
        a.falseSoldOut += static_cast<std::int64_t>(s->counters.falseSoldOut.get());
        a.staleReads += static_cast<std::int64_t>(s->counters.staleReads.get());
        a.duplicateOrders += static_cast<std::int64_t>(s->counters.duplicates.get());
    }
    a.drained = drained && a.queued == 0;
    a.invariantsOk = a.conserved && a.drained && a.oversold == 0 && a.lostOrders == 0 && a.duplicateOrders == 0;
    return a;
}

RunResult EngineImpl::stopAndDrain(double maxWaitS) { return stop(maxWaitS, true); }

RunResult EngineImpl::stop(double maxWaitS, bool drainQueue)
{
    {
        std::lock_guard g(m_controlMutex);
        if (m_stopped)
            throw std::logic_error("stopAndDrain: the engine has already stopped");
        if (!m_started) {
            // Never ran: audit the initial state and keep no threads.
            m_stopped = true;
            RunResult r;
            r.audit = auditLocked(true);
            r.final = *snapshot();
            return r;
        }
        m_stopping.store(true, std::memory_order_release);
        m_trafficStoppedAt = runTime();
        regenerateAll();
    }
    // Headless and tests only. First a barrier: after it no shard starts new traffic.
    auto barrier = [this] {
        std::atomic<int> pending { static_cast<int>(m_shards.size()) };
        for (auto &s : m_shards)
            boost::asio::post(s->io(), [&pending] { pending.fetch_sub(1, std::memory_order_release); });
        while (pending.load(std::memory_order_acquire) > 0)
            std::this_thread::sleep_for(std::chrono::microseconds(200));
    };
    barrier();
    // Then wait for the requests in flight to be answered.
    auto live = [this] {
        std::int64_t n = 0;
        for (auto &s : m_shards)
            n += static_cast<std::int64_t>(s->counters.allocated.get())
                - static_cast<std::int64_t>(s->counters.freed.get())
                - (static_cast<std::int64_t>(s->counters.actorsStarted.get())
                    - static_cast<std::int64_t>(s->counters.actorsEnded.get()));
        return n;
    };
    const auto deadline = Clock::now() + std::chrono::duration<double>(std::max(0.0, maxWaitS));
    while (live() > 0 && Clock::now() < deadline)
        std::this_thread::sleep_for(std::chrono::milliseconds(2));
    // Then for the consumers to persist what is queued ("lost" is judged once queues drain),
    // as long as the queue makes progress: a queue without consumers would never drain.
    if (drainQueue) {
        auto pending = [this] { return inTransitTotal() + queueBacklog(nullptr); };
        auto last = pending();
        auto progressAt = Clock::now();
        while (last > 0 && Clock::now() - progressAt < std::chrono::duration<double>(std::max(0.5, maxWaitS))) {
            std::this_thread::sleep_for(std::chrono::milliseconds(5));
            const auto now = pending();
            if (now < last)
                progressAt = Clock::now();
            last = now;
        }
    }
    barrier(); // makes every shard's last counter writes visible to the audit below

    RunResult result;
    {
        std::lock_guard g(m_controlMutex);
        // The rebalancer must not move stock between the audit's reads.
        ++m_rebalanceGen;
        m_resetting.store(false);
        tickLocked();
        result.audit = auditLocked(live() == 0);
        m_stopped = true;
        m_running.store(false, std::memory_order_release);
        publish(runTime());
        result.final = *snapshot();
        result.durationS = runTime();
        result.trafficS = m_trafficStoppedAt;
        result.drainS = std::max(0.0, result.durationS - result.trafficS);
        {
            std::lock_guard h(m_historyMutex);
            result.timeline.assign(m_history.begin(), m_history.end());
            result.markers.assign(m_markers.begin(), m_markers.end());
        }
        const auto answered
            = result.final.succeeded + result.final.soldOut + result.final.rateLimited + result.final.failed;
        result.meanThroughput = result.trafficS > 0 ? static_cast<double>(answered) / result.trafficS : 0.0;
    }
    // Shut down by cancelling work, not by stopping the io_contexts.
    for (auto &s : m_shards) {
        Shard *sh = s.get();
        boost::asio::post(sh->io(), [sh] { sh->shutdown(); });
    }
    boost::asio::post(m_control, [this] {
        m_tickTimer.cancel();
        m_rebalanceTimer.cancel();
        m_controlGuard.reset();
    });
    for (auto &s : m_shards)
        s->join();
    if (m_controlThread.joinable())
        m_controlThread.join();
    return result;
}

} // namespace stampede
