#include "apptier.h"

#include <boost/asio/post.hpp>

#include "limittable.h"
#include "runtime.h"

#include <algorithm>
#include <cmath>

namespace stampede {

AppTier::AppTier(Runtime &rt, const GatewayConfig &gateway, const NodeConfig &nodes)
    : m_rt(rt)
    , m_gateway(gateway)
    , m_config(nodes)
    , m_serviceNs(msToNs(nodes.serviceMs))
    , m_timeoutNs(nodes.timeoutMs ? std::max<Nanos>(1, msToNs(*nodes.timeoutMs)) : 0)
    , m_serialNs(msToNs(nodes.serialMs))
    , m_exchangeNs(msToNs(nodes.exchangeMs))
    // Least outstanding compares every node's count on each request: it needs them exact.
    , m_leaseBatch(
          gateway.policy == RoutePolicy::LeastOutstanding || nodes.capacity < kLeaseMinWorkersPerShard * rt.shardCount()
              ? 1
              : std::max(2, nodes.capacity / (256 * rt.shardCount())))
    , m_leaseReserve(m_leaseBatch > 1 ? 2 * m_leaseBatch * rt.shardCount() : 0)
    , m_nodes(std::make_unique<AppNode[]>(kNodeSlots))
    , m_lock(rt)
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

Nanos AppTier::serviceTime(Shard &s, const Request *r) const
{
    if (m_serviceNs == 0)
        return 0;
    const double speed = r->node >= 0 ? node(r->node).speed() : 1.0;
    const double mean = static_cast<double>(m_serviceNs) / speed;
    if (m_config.serviceDist == ServiceDist::Exponential)
        return static_cast<Nanos>(s.rng.exponential(mean));
    return static_cast<Nanos>(mean);
}

bool AppTier::startWork(Request *r)
{
    const auto c = m_config.coordination;
    if (c != Coordination::Serial && c != Coordination::Exchange)
        return true;
    return m_lock.lockShared(r);
}

bool AppTier::startSerial(Request *r)
{
    if (m_config.coordination == Coordination::None)
        return true;
    return m_lock.lock(r);
}

Nanos AppTier::serialHold() const
{
    Nanos hold = m_serialNs;
    if (m_config.coordination == Coordination::Exchange)
        hold += m_exchangeNs * std::max(0, m_up.load(std::memory_order_relaxed) - 1);
    return hold;
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

namespace {

std::string checkSize(std::string_view what, const NodeSize &z)
{
    using limits::Limit;
    if (auto e = limits::check(Limit::NodeCapacity, z.cores); !e.empty())
        return std::string(what) + ": cores " + e;
    if (auto e = limits::check(Limit::NodeSpeed, z.speed); !e.empty())
        return std::string(what) + ": speed " + e;
    if (auto e = limits::check(Limit::NodePrice, z.price); !e.empty())
        return std::string(what) + ": price " + e;
    return {};
}

std::string describeSize(const NodeSize &z)
{
    std::string s = std::to_string(z.cores) + (z.cores == 1 ? " core" : " cores");
    if (z.speed != 1)
        s += " at " + limits::number(z.speed) + "×";
    return s;
}

} // namespace

int AppTier::upNodes() const
{
    int n = 0;
    for (int i = 0; i < m_slotsUsed.load(std::memory_order_relaxed); ++i)
        n += node(i).state() == NodeSlotState::Up;
    return n;
}

NodeSize AppTier::sizeFrom(int cores, double speed, double price) const
{
    const NodeSize base = configuredSize(m_config);
    NodeSize z;
    z.cores = cores > 0 ? cores : base.cores;
    z.speed = speed > 0 ? speed : base.speed;
    const double compute = static_cast<double>(base.cores) * base.speed;
    z.price = price >= 0 ? price : base.price * (static_cast<double>(z.cores) * z.speed) / compute;
    return z;
}

CommandResult AppTier::addNodes(int count, std::optional<NodeSize> size)
{
    if (count < limits::range(limits::Limit::AddNodes).min)
        return CommandResult::fail("add node: count must be at least 1");
    if (upNodes() + count > kMaxNodes)
        return CommandResult::fail("add node: at most " + std::to_string(kMaxNodes) + " nodes can be up");
    const int used = m_slotsUsed.load();
    if (used + count > kNodeSlots)
        return CommandResult::fail("add node: node ids are used up; reset the run");
    const NodeSize z = size.value_or(configuredSize(m_config));
    if (auto e = checkSize("add node", z); !e.empty())
        return CommandResult::fail(e);
    for (int i = 0; i < count; ++i)
        node(used + i).init(used + i, z.cores, m_config.queueLimit, z.speed, z.price);
    m_slotsUsed.store(used + count, std::memory_order_release);
    bumpTopology();
    const std::string what = size ? " (" + describeSize(z) + ")" : std::string();
    m_rt.mark((count == 1 ? "node " + std::to_string(used) + " added" : std::to_string(count) + " nodes added") + what);
    return {};
}

CommandResult AppTier::resizeNode(std::optional<int> which, NodeSize size)
{
    if (auto e = checkSize("resize node", size); !e.empty())
        return CommandResult::fail(e);
    int id = -1;
    const int used = m_slotsUsed.load();
    if (which) {
        id = *which;
        if (id < 0 || id >= used || node(id).state() != NodeSlotState::Up)
            return CommandResult::fail("resize node " + std::to_string(id) + ": no such node is up");
    } else {
        for (int i = 0; i < used && id < 0; ++i)
            if (node(i).state() == NodeSlotState::Up)
                id = i;
        if (id < 0)
            return CommandResult::fail("resize node: no node is up");
    }
    if (used + 1 > kNodeSlots)
        return CommandResult::fail("resize node: node ids are used up; reset the run");
    node(used).init(used, size.cores, m_config.queueLimit, size.speed, size.price);
    m_slotsUsed.store(used + 1, std::memory_order_release);
    node(id).setState(NodeSlotState::Draining); // the new node is routable in the same version
    bumpTopology();
    if (m_leaseBatch > 1)
        askTrim();
    m_rt.mark("node " + std::to_string(id) + " resized: node " + std::to_string(used) + ", " + describeSize(size));
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

CommandResult AppTier::killNode(std::optional<int> which, double restartAfterS)
{
    if (restartAfterS < 0 || !std::isfinite(restartAfterS))
        return CommandResult::fail("kill node: for_s must be at least 0 s");
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
    if (restartAfterS > 0) {
        const AppNode &k = node(id);
        m_restarts.push_back({ m_rt.runTime() + restartAfterS, NodeSize { k.capacity(), k.speed(), k.price() }, id });
    }
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
    m_restarts.clear();
    std::fill(m_prevAnswers.begin(), m_prevAnswers.end(), 0);
    std::fill(m_throughput.begin(), m_throughput.end(), 0);
    m_lock.reset();
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
    for (auto it = m_restarts.begin(); it != m_restarts.end();) {
        const int used = m_slotsUsed.load();
        if (it->atS > c.t + 1e-9 || used >= kNodeSlots || upNodes() >= kMaxNodes) {
            ++it;
            continue;
        }
        node(used).init(used, it->size.cores, m_config.queueLimit, it->size.speed, it->size.price);
        m_slotsUsed.store(used + 1, std::memory_order_release);
        bumpTopology();
        m_rt.mark("node " + std::to_string(it->was) + " back as node " + std::to_string(used));
        it = m_restarts.erase(it);
    }
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
                x.price += nd.price();
            }
        }
    }
    x.utilisation = capacity ? static_cast<double>(busy) / static_cast<double>(capacity) : 0.0;
    x.cores = static_cast<int>(capacity);
    x.coordWaiting = m_lock.waiting();
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
        v.speed = nd.speed();
        v.price = nd.price();
        v.busy = st == NodeSlotState::Dead ? 0 : static_cast<int>(std::max<std::int64_t>(0, nd.busy() - idleLeased(i)));
        v.backlog = st == NodeSlotState::Dead ? 0 : static_cast<int>(nd.queued());
        v.throughput = m_throughput[static_cast<std::size_t>(i)];
        s.nodes.push_back(v);
    }
    s.coordination = m_config.coordination;
    s.serialMs = m_config.serialMs;
    s.exchangeMs = m_config.exchangeMs;
}

} // namespace stampede
