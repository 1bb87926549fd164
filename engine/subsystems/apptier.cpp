#include "apptier.h"

#include <boost/asio/post.hpp>

#include "limittable.h"
#include "runtime.h"

#include <algorithm>

namespace stampede {

AppTier::AppTier(Runtime &rt, const GatewayConfig &gateway, const NodeConfig &nodes)
    : m_rt(rt)
    , m_gateway(gateway)
    , m_config(nodes)
    , m_serviceNs(msToNs(nodes.serviceMs))
    , m_timeoutNs(nodes.timeoutMs ? std::max<Nanos>(1, msToNs(*nodes.timeoutMs)) : 0)
    // Least outstanding compares every node's count on each request: it needs them exact.
    , m_leaseBatch(
          gateway.policy == RoutePolicy::LeastOutstanding || nodes.capacity < kLeaseMinWorkersPerShard * rt.shardCount()
              ? 1
              : std::max(2, nodes.capacity / (256 * rt.shardCount())))
    , m_leaseReserve(m_leaseBatch > 1 ? 2 * m_leaseBatch * rt.shardCount() : 0)
    , m_nodes(std::make_unique<AppNode[]>(kNodeSlots))
    , m_shards(std::make_unique<ShardState[]>(static_cast<std::size_t>(rt.shardCount())))
    , m_prevAnswers(kNodeSlots, 0)
    , m_throughput(kNodeSlots, 0)
{
}

// ---- request path ----

AppTier::Route AppTier::route(Shard &s, Request *r)
{
    ShardState &st = m_shards[static_cast<std::size_t>(s.index())];
    if (const auto &limit = m_gateway.rateLimitPerS) {
        // Each shard owns an equal share of the bucket, so no lock is shared.
        const double perShard = *limit / static_cast<double>(m_rt.shardCount());
        const double burst = std::max(1.0, perShard * 0.05);
        // Step times are not in order across requests (shard.h): the bucket only moves forward.
        const Nanos t = std::max(s.now(), st.tokensAt);
        st.tokens = std::min(burst, st.tokens + static_cast<double>(t - st.tokensAt) * 1e-9 * perShard);
        st.tokensAt = t;
        if (st.tokens < 1.0)
            return Route::RateLimited;
        st.tokens -= 1.0;
    }
    const auto topo = m_topology.load(std::memory_order_acquire);
    if (topo != st.topoSeen) {
        st.topoSeen = topo;
        st.routable.clear();
        for (int i = 0, n = m_slotsUsed.load(std::memory_order_acquire); i < n; ++i)
            if (node(i).state() == NodeSlotState::Up)
                st.routable.push_back(i);
    }
    if (st.routable.empty())
        return Route::Down;
    const auto n = st.routable.size();
    int pick = 0;
    switch (m_gateway.policy) {
    case RoutePolicy::RoundRobin:
        pick = st.routable[st.roundRobin++ % n];
        break;
    case RoutePolicy::UserHash:
        pick = st.routable[(r->user * 0x9e3779b97f4a7c15ULL >> 32) % n];
        break;
    case RoutePolicy::LeastOutstanding: {
        std::int64_t best = INT64_MAX;
        const auto start = st.roundRobin++ % n; // rotate ties
        for (std::size_t k = 0; k < n; ++k) {
            const int i = st.routable[(start + k) % n];
            const auto f = node(i).inFlight();
            if (f < best) {
                best = f;
                pick = i;
            }
        }
        break;
    }
    }
    return admit(st, pick, r);
}

// One worker of node `pick` for r: from this shard's lease when leasing, else from the node.
AppTier::Route AppTier::admit(ShardState &st, int pick, Request *r)
{
    const bool leasing = m_leaseBatch > 1;
    Lease &l = st.leases[static_cast<std::size_t>(pick)];
    AppNode &n = node(pick);
    if (leasing && l.used.get() < l.held.get()) {
        const auto state = n.state();
        if (state != NodeSlotState::Up && state != NodeSlotState::Draining)
            return Route::Down;
        l.used.add();
        r->node = pick;
        r->leased = true;
        return Route::Run;
    }
    int got = 0;
    switch (n.acquire(r, m_leaseBatch, m_leaseReserve, &got)) {
    case AppNode::Admit::Run:
        if (leasing) {
            l.held.add(static_cast<std::uint64_t>(got));
            l.used.add();
            r->leased = true;
        }
        r->node = pick;
        return Route::Run;
    case AppNode::Admit::Queued:
        r->node = pick;
        if (leasing)
            askTrim(); // idle leased workers elsewhere must not keep it waiting
        return Route::Queued;
    case AppNode::Admit::Rejected:
        return Route::Overloaded;
    case AppNode::Admit::Down:
        return Route::Down;
    }
    return Route::Down;
}

void AppTier::releaseLeased(ShardState &st, Request *r)
{
    Lease &l = st.leases[static_cast<std::size_t>(r->node)];
    r->leased = false;
    l.used.add(static_cast<std::uint64_t>(-1));
    AppNode &n = node(r->node);
    const auto state = n.state();
    if (state == NodeSlotState::Dead)
        return; // its workers are gone with it
    const auto idle = static_cast<std::int64_t>(l.held.get() - l.used.get());
    if (state != NodeSlotState::Up || n.nearFull(m_leaseReserve))
        giveBack(st, r->node, idle);
    else if (idle > 2 * m_leaseBatch)
        giveBack(st, r->node, idle - m_leaseBatch);
}

void AppTier::giveBack(ShardState &st, int nodeId, std::int64_t k)
{
    if (k <= 0)
        return;
    st.leases[static_cast<std::size_t>(nodeId)].held.add(static_cast<std::uint64_t>(-k));
    m_rt.dispatchAll(node(nodeId).release(static_cast<int>(k)));
}

void AppTier::askTrim()
{
    for (int i = 0; i < m_rt.shardCount(); ++i) {
        ShardState &st = m_shards[static_cast<std::size_t>(i)];
        if (st.trimAsked.exchange(true, std::memory_order_acq_rel))
            continue; // one is on its way
        Shard *sh = &m_rt.shard(i);
        boost::asio::post(sh->io(), [this, sh] { trim(*sh); });
    }
}

// On shard s: gives back every idle leased worker of a node that is near full or not up.
void AppTier::trim(Shard &s)
{
    ShardState &st = m_shards[static_cast<std::size_t>(s.index())];
    st.trimAsked.store(false, std::memory_order_release);
    for (int i = 0, n = m_slotsUsed.load(std::memory_order_acquire); i < n; ++i) {
        const Lease &l = st.leases[static_cast<std::size_t>(i)];
        const auto idle = static_cast<std::int64_t>(l.held.get() - l.used.get());
        const auto state = node(i).state();
        if (idle > 0 && state != NodeSlotState::Dead
            && (state != NodeSlotState::Up || node(i).nearFull(m_leaseReserve)))
            giveBack(st, i, idle);
    }
}

std::int64_t AppTier::idleLeased(int nodeId) const
{
    if (m_leaseBatch <= 1)
        return 0;
    std::int64_t idle = 0;
    for (int s = 0; s < m_rt.shardCount(); ++s) {
        const Lease &l = m_shards[static_cast<std::size_t>(s)].leases[static_cast<std::size_t>(nodeId)];
        // Two relaxed reads of another thread's counters: clamped, as they may be a step apart.
        idle += std::max<std::int64_t>(0, static_cast<std::int64_t>(l.held.get() - l.used.get()));
    }
    return idle;
}

Nanos AppTier::serviceTime(Shard &s) const
{
    if (m_serviceNs == 0)
        return 0;
    if (m_config.serviceDist == ServiceDist::Exponential)
        return static_cast<Nanos>(s.rng.exponential(static_cast<double>(m_serviceNs)));
    return m_serviceNs;
}

void AppTier::release(Shard &s, Request *r)
{
    if (r->node < 0)
        return;
    ShardState &st = m_shards[static_cast<std::size_t>(s.index())];
    st.answers[static_cast<std::size_t>(r->node)].add();
    if (r->leased) {
        releaseLeased(st, r);
        return;
    }
    AppNode &n = node(r->node);
    // A dead node's workers are gone with it; its slot is never reused in this epoch.
    if (!r->failOnDispatch && n.state() != NodeSlotState::Dead)
        m_rt.dispatchAll(n.release());
}

// ---- control ----

int AppTier::upNodes() const
{
    int n = 0;
    for (int i = 0; i < m_slotsUsed.load(std::memory_order_relaxed); ++i)
        n += node(i).state() == NodeSlotState::Up;
    return n;
}

CommandResult AppTier::addNodes(int count)
{
    if (count < limits::range(limits::Limit::AddNodes).min)
        return CommandResult::fail("add node: count must be at least 1");
    if (upNodes() + count > kMaxNodes)
        return CommandResult::fail("add node: at most " + std::to_string(kMaxNodes) + " nodes can be up");
    const int used = m_slotsUsed.load();
    if (used + count > kNodeSlots)
        return CommandResult::fail("add node: node ids are used up; reset the run");
    for (int i = 0; i < count; ++i)
        node(used + i).init(used + i, m_config.capacity, m_config.queueLimit);
    m_slotsUsed.store(used + count, std::memory_order_release);
    bumpTopology();
    m_rt.mark(count == 1 ? "node " + std::to_string(used) + " added" : std::to_string(count) + " nodes added");
    return {};
}

CommandResult AppTier::removeNode(std::optional<int> which)
{
    int id = -1;
    const int used = m_slotsUsed.load();
    if (which) {
        id = *which;
        const auto st = (id >= 0 && id < used) ? node(id).state() : NodeSlotState::Free;
        if (st != NodeSlotState::Up && st != NodeSlotState::Dead)
            return CommandResult::fail("remove node " + std::to_string(id) + ": no such node is up");
    } else {
        for (int i = used - 1; i >= 0 && id < 0; --i)
            if (node(i).state() == NodeSlotState::Up)
                id = i;
        if (id < 0)
            return CommandResult::fail("remove node: no node is up");
    }
    AppNode &n = node(id);
    if (n.state() == NodeSlotState::Dead) {
        n.setState(NodeSlotState::Removed);
        m_rt.mark("node " + std::to_string(id) + " cleared");
        return {};
    }
    if (upNodes() <= 1)
        return CommandResult::fail("remove node " + std::to_string(id) + ": it is the last node up");
    n.setState(NodeSlotState::Draining);
    bumpTopology();
    if (m_leaseBatch > 1)
        askTrim(); // workers leased and idle go back, so the node can empty
    m_rt.mark("node " + std::to_string(id) + " draining");
    return {};
}

CommandResult AppTier::killNode(std::optional<int> which)
{
    int id = -1;
    const int used = m_slotsUsed.load();
    if (which) {
        id = *which;
        const auto st = (id >= 0 && id < used) ? node(id).state() : NodeSlotState::Free;
        if (st != NodeSlotState::Up && st != NodeSlotState::Draining)
            return CommandResult::fail("kill node " + std::to_string(id) + ": no such node is running");
    } else {
        for (int i = 0; i < used && id < 0; ++i)
            if (node(i).state() == NodeSlotState::Up)
                id = i;
        if (id < 0)
            return CommandResult::fail("kill node: no node is up");
    }
    Request *list = node(id).kill();
    bumpTopology();
    for (Request *r = list; r; r = r->next)
        r->failOnDispatch = true;
    m_rt.dispatchAll(list);
    m_rt.mark("node " + std::to_string(id) + " killed");
    return {};
}

void AppTier::reset()
{
    for (int i = 0, n = m_slotsUsed.load(); i < n; ++i) {
        m_rt.dispatchAll(node(i).takeBacklog()); // their owners drop them: the epoch moved on
        node(i).setState(NodeSlotState::Free);
    }
    m_slotsUsed.store(0, std::memory_order_release);
    std::fill(m_prevAnswers.begin(), m_prevAnswers.end(), 0);
    std::fill(m_throughput.begin(), m_throughput.end(), 0);
    addNodes(m_config.count);
}

void AppTier::clearShard(int shard)
{
    ShardState &st = m_shards[static_cast<std::size_t>(shard)];
    for (auto &c : st.answers)
        c.zero();
    // The nodes start over after the barrier (reset()), with nothing leased.
    for (auto &l : st.leases) {
        l.held.zero();
        l.used.zero();
    }
}

void AppTier::tick(const TickContext &c, AppTierSample &x)
{
    std::int64_t busy = 0, capacity = 0;
    for (int i = 0, n = m_slotsUsed.load(); i < n; ++i) {
        AppNode &nd = node(i);
        std::uint64_t answers = 0;
        for (int s = 0; s < m_rt.shardCount(); ++s)
            answers += m_shards[static_cast<std::size_t>(s)].answers[static_cast<std::size_t>(i)].get();
        m_throughput[static_cast<std::size_t>(i)] = c.rate(answers, m_prevAnswers[static_cast<std::size_t>(i)]);
        m_prevAnswers[static_cast<std::size_t>(i)] = answers;
        const auto st = nd.state();
        if (st == NodeSlotState::Draining && nd.inFlight() <= 0) {
            nd.setState(NodeSlotState::Removed);
            bumpTopology();
            m_rt.mark("node " + std::to_string(i) + " removed");
        }
        if (st == NodeSlotState::Up || st == NodeSlotState::Draining) {
            const auto idle = idleLeased(i);
            x.inFlight += std::max<std::int64_t>(0, nd.inFlight() - idle);
            x.backlog += nd.queued();
            if (st == NodeSlotState::Up) {
                ++x.nodesUp;
                busy += std::max<std::int64_t>(0, nd.busy() - idle);
                capacity += nd.capacity();
            }
        }
    }
    x.utilisation = capacity ? static_cast<double>(busy) / static_cast<double>(capacity) : 0.0;
}

void AppTier::view(AppTierView &s) const
{
    for (int i = 0, n = m_slotsUsed.load(); i < n; ++i) {
        const AppNode &nd = node(i);
        const auto st = nd.state();
        if (st != NodeSlotState::Up && st != NodeSlotState::Draining && st != NodeSlotState::Dead)
            continue;
        NodeView v;
        v.id = i;
        v.state = st == NodeSlotState::Up   ? NodeState::Up
            : st == NodeSlotState::Draining ? NodeState::Draining
                                            : NodeState::Dead;
        v.capacity = nd.capacity();
        v.busy = st == NodeSlotState::Dead ? 0 : static_cast<int>(std::max<std::int64_t>(0, nd.busy() - idleLeased(i)));
        v.backlog = st == NodeSlotState::Dead ? 0 : static_cast<int>(nd.queued());
        v.throughput = m_throughput[static_cast<std::size_t>(i)];
        s.nodes.push_back(v);
    }
}

} // namespace stampede
