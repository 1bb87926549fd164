#include "cachetier.h"

#include "limittable.h"
#include "runtime.h"

#include <algorithm>
#include <cmath>

namespace stampede {

namespace {

constexpr std::size_t kMovedSampleKeys = 20000; // keys moved is measured over this fixed sample

std::string percent(double fraction) { return std::to_string(std::lround(fraction * 100)) + " %"; }

} // namespace

CacheTier::CacheTier(Runtime &rt, const CacheConfig &config, int skus, CacheClient &client)
    : latencyNs(msToNs(config.latencyMs))
    , opNs(msToNs(config.opMs))
    , m_rt(rt)
    , m_config(config)
    , m_ttlNs(std::max<Nanos>(1, msToNs(config.ttlMs)))
    , m_client(client)
    , m_skus(skus)
    , m_nodes(std::make_unique<CacheNode[]>(kCacheSlots))
    , m_sampleKeys(KeyPlacement::sampleKeys(kMovedSampleKeys))
    , m_leases(std::make_unique<Lease[]>(static_cast<std::size_t>(skus)))
    , m_shards(std::make_unique<ShardState[]>(static_cast<std::size_t>(rt.shardCount())))
    , m_prevOps(kCacheSlots, 0)
    , m_opsRate(kCacheSlots, 0)
{
}

// ---- request path ----

ReadStats &CacheTier::stats(Shard &s) { return m_shards[static_cast<std::size_t>(s.index())].reads; }

int CacheTier::owner(Shard &s, std::uint64_t key)
{
    ShardState &st = m_shards[static_cast<std::size_t>(s.index())];
    const auto v = m_placementVersion.load(std::memory_order_acquire);
    if (v != st.placementSeen) {
        std::lock_guard g(m_placementMutex);
        st.placement = m_placement;
        st.placementSeen = v;
    }
    return st.placement ? st.placement->owner(KeyPlacement::hash(key)) : -1;
}

Nanos CacheTier::ttl(Shard &s) const
{
    const double jitter = m_ttlJitter.load(std::memory_order_relaxed);
    if (jitter <= 0)
        return m_ttlNs;
    const double f = 1.0 + jitter * (2.0 * s.rng.uniform() - 1.0);
    return std::max<Nanos>(1, static_cast<Nanos>(static_cast<double>(m_ttlNs) * f));
}

void CacheTier::startOp(Shard &s, Request *r, CacheOpKind op)
{
    r->cacheOp = op;
    r->setStage(Part::Cache, CacheStage::Trip);
    if (latencyNs) {
        s.delay(r, latencyNs);
        return;
    }
    step(s, r);
}

void CacheTier::step(Shard &s, Request *r)
{
    switch (r->stageAs<CacheStage>()) {
    case CacheStage::Trip: {
        const int id = owner(s, m_client.cacheKey(r));
        r->cacheNode = id;
        Nanos wait = 0;
        if (id < 0 || !m_client.applyCacheOp(s, r, node(id), s.now(), &wait)) {
            m_client.cacheOpDone(s, r, false);
            return;
        }
        r->setStage(Part::Cache, CacheStage::Reply);
        if (wait > 0) {
            s.delay(r, wait);
            return;
        }
        [[fallthrough]];
    }
    case CacheStage::Reply:
        // A node killed before its worker got to this operation never answers it; one that
        // left gracefully answered what it had taken in.
        m_client.cacheOpDone(s, r, node(r->cacheNode).state() != NodeSlotState::Dead);
        return;
    }
}

bool CacheTier::leaseOrWait(int sku, Request *r)
{
    Lease &l = m_leases[static_cast<std::size_t>(sku)];
    std::lock_guard g(l.mutex);
    if (l.loading) {
        r->next = nullptr;
        if (l.tail)
            l.tail->next = r;
        else
            l.head = r;
        l.tail = r;
        return false;
    }
    l.loading = true;
    r->lease = true;
    return true;
}

void CacheTier::releaseLease(int sku)
{
    Lease &l = m_leases[static_cast<std::size_t>(sku)];
    Request *list = nullptr;
    {
        std::lock_guard g(l.mutex);
        l.loading = false;
        list = l.head;
        l.head = l.tail = nullptr;
    }
    m_rt.dispatchAll(list);
}

// ---- control ----

int CacheTier::ownerNow(std::uint64_t key) const
{
    return m_placement ? m_placement->owner(KeyPlacement::hash(key)) : -1;
}

int CacheTier::upNodes() const
{
    int n = 0;
    for (int i = 0, used = m_used.load(); i < used; ++i)
        n += m_nodes[static_cast<std::size_t>(i)].up();
    return n;
}

// The node a command names, or the engine's pick: the newest (remove) or oldest (kill) node that
// is up. Empty when there is no such node.
std::optional<int> CacheTier::pick(std::optional<int> id, bool allowDead, bool newest) const
{
    const int n = m_used.load();
    if (id) {
        if (*id < 0 || *id >= n)
            return std::nullopt;
        const auto st = m_nodes[static_cast<std::size_t>(*id)].state();
        if (st == NodeSlotState::Up || (allowDead && st == NodeSlotState::Dead))
            return id;
        return std::nullopt;
    }
    for (int k = 0; k < n; ++k) {
        const int i = newest ? n - 1 - k : k;
        if (m_nodes[static_cast<std::size_t>(i)].up())
            return i;
    }
    return std::nullopt;
}

double CacheTier::replacePlacement(Placement p)
{
    std::vector<int> ids;
    for (int i = 0, used = m_used.load(); i < used; ++i)
        if (m_nodes[static_cast<std::size_t>(i)].up())
            ids.push_back(i);
    auto next = std::make_shared<const KeyPlacement>(p, std::move(ids), m_config.virtualNodes);
    auto before = m_placement;
    const double moved = before ? KeyPlacement::movedFraction(*before, *next, m_sampleKeys) : 0.0;
    // Requests that meet a missing durable key while it moves ask its owner again instead of
    // declaring it lost.
    m_migrating.store(true, std::memory_order_seq_cst);
    {
        std::lock_guard g(m_placementMutex);
        m_placement = next;
    }
    m_placementVersion.fetch_add(1, std::memory_order_acq_rel);
    if (before)
        migrate(*before, *next);
    m_migrating.store(false, std::memory_order_seq_cst);
    m_keysMovedLast = moved;
    ++m_changes;
    return moved;
}

// Durable keys are data, not cache: a planned change (node added or removed, placement switched)
// moves each to its new owner, as a cluster reshards. A killed node's keys are simply gone.
void CacheTier::migrate(const KeyPlacement &before, const KeyPlacement &after)
{
    for (const auto key : m_durable) {
        const auto h = KeyPlacement::hash(key);
        const int from = before.owner(h), to = after.owner(h);
        if (from == to || from < 0)
            continue;
        CacheNode &src = m_nodes[static_cast<std::size_t>(from)];
        if (src.state() == NodeSlotState::Dead)
            continue;
        const auto v = src.take(key);
        if (v && to >= 0)
            m_nodes[static_cast<std::size_t>(to)].put(key, *v);
    }
}

CommandResult CacheTier::addNodes(int count)
{
    if (count < 1)
        return CommandResult::fail("add cache node: count must be at least 1");
    if (upNodes() + count > kMaxCacheNodes)
        return CommandResult::fail(
            "add cache node: at most " + std::to_string(kMaxCacheNodes) + " cache nodes can be up");
    const int used = m_used.load();
    if (used + count > kCacheSlots)
        return CommandResult::fail("add cache node: cache node ids are used up; reset the run");
    for (int i = 0; i < count; ++i)
        m_nodes[static_cast<std::size_t>(used + i)].init(used + i, static_cast<std::size_t>(m_config.keys));
    m_used.store(used + count, std::memory_order_release);
    const double moved = replacePlacement(m_placement->placement());
    m_rt.mark(
        (count == 1 ? "cache node " + std::to_string(used) + " added" : std::to_string(count) + " cache nodes added")
        + ": " + percent(moved) + " of keys moved");
    return {};
}

CommandResult CacheTier::removeNode(std::optional<int> which, bool keepLast)
{
    const auto id = pick(which, true, true);
    if (!id)
        return CommandResult::fail(which ? "remove cache node " + std::to_string(*which) + ": no such cache node"
                                         : std::string("remove cache node: no cache node is up"));
    CacheNode &c = m_nodes[static_cast<std::size_t>(*id)];
    if (c.state() == NodeSlotState::Dead) {
        c.setState(NodeSlotState::Removed);
        m_rt.mark("cache node " + std::to_string(*id) + " cleared");
        return {};
    }
    if (keepLast && upNodes() <= 1)
        return CommandResult::fail(
            "remove cache node " + std::to_string(*id) + ": cache-queue keeps its counters on the last cache node");
    // Leaving the placement first lets its durable keys move to their new owners.
    c.setState(NodeSlotState::Draining);
    const double moved = replacePlacement(m_placement->placement());
    c.lose(NodeSlotState::Removed);
    m_rt.mark("cache node " + std::to_string(*id) + " removed: " + percent(moved) + " of keys moved");
    return {};
}

CommandResult CacheTier::killNode(std::optional<int> which)
{
    const auto id = pick(which, false, false);
    if (!id)
        return CommandResult::fail(which ? "kill cache node " + std::to_string(*which) + ": no such cache node is up"
                                         : std::string("kill cache node: no cache node is up"));
    m_nodes[static_cast<std::size_t>(*id)].lose(NodeSlotState::Dead);
    const double moved = replacePlacement(m_placement->placement());
    m_rt.mark("cache node " + std::to_string(*id) + " killed: " + percent(moved) + " of keys moved");
    return {};
}

CommandResult CacheTier::setPlacement(Placement p)
{
    if (p != Placement::Ring && p != Placement::Modulo)
        return CommandResult::fail("placement: must be ring or modulo");
    if (m_placement->placement() == p)
        return {};
    const double moved = replacePlacement(p);
    m_rt.mark("placement " + std::string(toString(p)) + ": " + percent(moved) + " of keys moved");
    return {};
}

CommandResult CacheTier::setSingleFlight(bool on)
{
    if (m_singleFlight.exchange(on) == on)
        return {};
    m_rt.mark(on ? "single-flight on" : "single-flight off");
    return {};
}

CommandResult CacheTier::setTtlJitter(double fraction)
{
    if (!limits::inRange(limits::Limit::TtlJitter, fraction))
        return CommandResult::fail("ttl jitter: " + limits::describe(limits::Limit::TtlJitter));
    if (m_ttlJitter.exchange(fraction) == fraction)
        return {};
    m_rt.mark("TTL jitter ±" + percent(fraction));
    return {};
}

void CacheTier::reset()
{
    for (int i = 0, used = m_used.load(); i < used; ++i)
        m_nodes[static_cast<std::size_t>(i)].lose(NodeSlotState::Removed);
    for (int sku = 0; sku < m_skus; ++sku)
        releaseLease(sku); // its waiters are from before the reset: their owners drop them
    for (int i = 0; i < m_config.nodes; ++i)
        m_nodes[static_cast<std::size_t>(i)].init(i, static_cast<std::size_t>(m_config.keys));
    m_used.store(m_config.nodes, std::memory_order_release);
    {
        std::lock_guard g(m_placementMutex);
        m_placement.reset();
    }
    replacePlacement(m_config.placement);
    m_keysMovedLast = 0;
    m_changes = 0;
    m_singleFlight.store(m_config.singleFlight);
    m_ttlJitter.store(m_config.ttlJitter);
    m_prev = {};
    std::fill(m_prevOps.begin(), m_prevOps.end(), 0);
    std::fill(m_opsRate.begin(), m_opsRate.end(), 0);
    m_controlStoreReads = 0;
    m_storeReadPeak = 0;
}

void CacheTier::clearShard(int shard)
{
    ReadStats &r = m_shards[static_cast<std::size_t>(shard)].reads;
    for (auto *c : { &r.views, &r.viewsFailed, &r.viewHits, &r.viewMisses, &r.staleReads, &r.storeReads })
        c->zero();
}

void CacheTier::tick(const TickContext &c, CacheSample &x)
{
    Totals cur;
    for (int s = 0; s < m_rt.shardCount(); ++s) {
        const ReadStats &r = m_shards[static_cast<std::size_t>(s)].reads;
        cur.views += r.views.get() + r.viewsFailed.get();
        cur.viewHits += r.viewHits.get();
        cur.viewMisses += r.viewMisses.get();
        cur.staleReads += r.staleReads.get();
        cur.storeReads += r.storeReads.get();
    }
    cur.storeReads += m_controlStoreReads;
    for (int i = 0, n = m_used.load(); i < n; ++i) {
        std::uint64_t ops = 0, ev = 0;
        m_nodes[static_cast<std::size_t>(i)].counts(c.now, opNs, &ops, &ev);
        cur.evictions += ev;
        m_opsRate[static_cast<std::size_t>(i)] = c.rate(ops, m_prevOps[static_cast<std::size_t>(i)]);
        m_prevOps[static_cast<std::size_t>(i)] = ops;
    }
    x.views = c.rate(cur.views, m_prev.views);
    x.viewHits = c.rate(cur.viewHits, m_prev.viewHits);
    x.viewMisses = c.rate(cur.viewMisses, m_prev.viewMisses);
    x.hitRatio = x.viewHits + x.viewMisses > 0 ? x.viewHits / (x.viewHits + x.viewMisses) : 0.0;
    x.evictions = c.rate(cur.evictions, m_prev.evictions);
    x.storeReads = c.rate(cur.storeReads, m_prev.storeReads);
    x.staleReads = c.rate(cur.staleReads, m_prev.staleReads);
    x.staleReadsTotal = static_cast<std::int64_t>(cur.staleReads);
    m_storeReadPeak = std::max(m_storeReadPeak, x.storeReads);
    m_prev = cur;
}

void CacheTier::view(CacheView &s)
{
    const auto &ids = m_placement->nodes();
    const auto shares = m_placement->shares();
    for (int i = 0, n = m_used.load(); i < n; ++i) {
        CacheNode &c = m_nodes[static_cast<std::size_t>(i)];
        const auto st = c.state();
        if (st != NodeSlotState::Up && st != NodeSlotState::Dead)
            continue;
        CacheNodeView v;
        v.id = i;
        v.state = st == NodeSlotState::Up ? NodeState::Up : NodeState::Dead;
        v.keys = static_cast<std::int64_t>(c.keys());
        v.ops = m_opsRate[static_cast<std::size_t>(i)];
        v.backlog = st == NodeSlotState::Up ? static_cast<int>(c.backlog(m_rt.now(), opNs)) : 0;
        const auto it = std::lower_bound(ids.begin(), ids.end(), v.id);
        if (it != ids.end() && *it == v.id)
            v.share = shares[static_cast<std::size_t>(it - ids.begin())];
        s.cacheNodes.push_back(v);
    }
    s.placement = m_placement->placement();
    s.singleFlight = m_singleFlight.load();
    s.keysMovedLast = m_keysMovedLast;
    s.cacheChanges = m_changes;
    s.ttlJitter = m_ttlJitter.load();
    s.views = static_cast<std::int64_t>(m_prev.views);
    s.viewHits = static_cast<std::int64_t>(m_prev.viewHits);
    s.viewMisses = static_cast<std::int64_t>(m_prev.viewMisses);
    s.staleReads = static_cast<std::int64_t>(m_prev.staleReads);
    s.storeReads = static_cast<std::int64_t>(m_prev.storeReads);
    s.evictions = static_cast<std::int64_t>(m_prev.evictions);
    s.hitRatio = m_prev.viewHits + m_prev.viewMisses
        ? static_cast<double>(m_prev.viewHits) / static_cast<double>(m_prev.viewHits + m_prev.viewMisses)
        : 0.0;
    s.storeReadPeak = m_storeReadPeak;
}

} // namespace stampede
