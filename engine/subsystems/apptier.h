#pragma once

// The app tier: the gateway (admission control, routing) and the app nodes behind it (M/M/c/K
// each, see appnode.h). Nodes live in fixed slots, added, drained and removed, or killed at run
// time; a request path thread reads the slots lock-free and re-reads the routable set only when
// the topology version moved. Per-shard state (routing, token bucket share, answers per node,
// leases) has one writer each and is summed at the tick.
//
// Leases. A node's worker count is one shared counter, and every shard admits to every node, so
// on the request path that counter is the one cache line all threads write. Nodes with at least
// kLeaseMinWorkersPerShard workers per shard are admitted through leases instead: a shard takes
// workers in batches (1/256 of its share) and gives them to its own requests; the counter moves
// once per batch. A shard gives back what it holds beyond two batches, all it holds when the
// node is within its reserve of full (every shard's two batches) or not up, and when a request
// had to queue for a node, every shard is asked to give back its idle workers at once. Smaller
// nodes (every lesson's) are admitted one request at a time, exactly as an M/M/c/K queue.

#include "appnode.h"
#include "clusterlock.h"
#include "engine.h"
#include "ownedcounter.h"
#include "runtime.h"
#include "workload.h"

#include <array>
#include <atomic>
#include <memory>
#include <optional>
#include <vector>

namespace stampede {

class Runtime;
class Shard;

inline constexpr int kNodeSlots = 1024; // nodes ever added between two resets
inline constexpr int kLeaseMinWorkersPerShard = 512; // smaller nodes are admitted one by one

class AppTier {
public:
    AppTier(Runtime &rt, const GatewayConfig &gateway, const NodeConfig &nodes);

    // ---- request path ----
    enum class Route { Run, Queued, RateLimited, Overloaded, Down };
    // Admission control, then a node. Run and Queued set r->node; a queued request is dispatched
    // by the worker that frees up.
    Route route(Shard &s, Request *r);
    Nanos serviceTime(Shard &s, const Request *r) const; // on r's node: scaled by its speed
    // Coordination (config.h, clusterlock.h). Each returns true when r may go on now; false:
    // r waits for the cluster lock and is dispatched when granted.
    bool startWork(Request *r); // serial, exchange: the work holds the lock shared
    bool startSerial(Request *r); // hot-row, serial, exchange: the serial section, exclusive
    Nanos serialHold() const; // serial_ms, plus exchange_ms for every other up node
    void endCoordination(Request *r) { m_lock.unlock(r); } // whatever r holds, also on failure
    Coordination coordination() const { return m_config.coordination; }
    bool nodeDead(const Request *r) const
    {
        return r->node >= 0 && m_nodes[static_cast<std::size_t>(r->node)].state() == NodeSlotState::Dead;
    }
    // Reads the time only when a timeout is set: the closed loop reads the clock once per attempt.
    bool timedOut(const Shard &s, const Request *r) const
    {
        return m_timeoutNs > 0 && s.now() - r->arrival > m_timeoutNs;
    }
    // The request is answered: counts it on its node and hands its worker to the next waiter.
    void release(Shard &s, Request *r);

    // ---- control (control mutex held) ----
    CommandResult addNodes(int count, std::optional<NodeSize> size = {});
    // Scale up: a node of the new size takes the old one's place. A bigger machine is a new
    // machine: it starts at once, and the old one drains and goes (its id is not reused).
    CommandResult resizeNode(std::optional<int> id, NodeSize size);
    // A size from an event's fields: 0 (or a negative price) keeps the configured value; the
    // price, when not given, scales the configured node's price by cores × speed.
    NodeSize sizeFrom(int cores, double speed, double price) const;
    CommandResult removeNode(std::optional<int> id);
    // restartAfterS > 0: a replacement of the killed node's size comes up that many run seconds
    // later (a machine rebooted or replaced); the killed one stays dead.
    CommandResult killNode(std::optional<int> id, double restartAfterS = 0);
    void reset(); // back to the configured nodes; waiting requests go back to their (void) owners
    void tick(const TickContext &c, AppTierSample &x);
    void view(AppTierView &v) const;
    void clearShard(int shard); // on that shard's thread
    int upNodes() const;
    int leaseBatch() const { return m_leaseBatch; } // workers per lease; 1: no leases

private:
    // Workers of one node a shard holds (leased) and has given to its requests (used).
    struct Lease {
        OwnedCounter held, used;
    };
    struct alignas(64) ShardState {
        std::uint64_t topoSeen = ~std::uint64_t(0);
        std::vector<int> routable;
        std::uint64_t roundRobin = 0;
        double tokens = 0; // this shard's share of the gateway's token bucket
        Nanos tokensAt = 0;
        std::array<OwnedCounter, kNodeSlots> answers;
        std::array<Lease, kNodeSlots> leases;
        std::atomic<bool> trimAsked { false };
    };
    Route admit(ShardState &st, int pick, Request *r);
    void releaseLeased(ShardState &st, Request *r);
    void giveBack(ShardState &st, int node, std::int64_t n);
    void askTrim(); // every shard: give idle workers back now (on its thread)
    void trim(Shard &s);
    std::int64_t idleLeased(int node) const;
    void bumpTopology()
    {
        m_up.store(upNodes(), std::memory_order_relaxed);
        m_topology.fetch_add(1, std::memory_order_acq_rel);
    }
    AppNode &node(int i) { return m_nodes[static_cast<std::size_t>(i)]; }
    const AppNode &node(int i) const { return m_nodes[static_cast<std::size_t>(i)]; }

    Runtime &m_rt;
    const GatewayConfig m_gateway;
    const NodeConfig m_config;
    const Nanos m_serviceNs, m_timeoutNs, m_serialNs, m_exchangeNs;
    const int m_leaseBatch; // workers per lease, 1 when nodes are admitted one by one
    const int m_leaseReserve; // near full below this many free workers: no batches
    std::unique_ptr<AppNode[]> m_nodes; // kNodeSlots
    std::atomic<int> m_slotsUsed { 0 }; // slots [0, n) have been initialised
    std::atomic<std::uint64_t> m_topology { 0 };
    std::atomic<int> m_up { 0 }; // nodes up, as of the last topology change
    ClusterLock m_lock;
    std::unique_ptr<ShardState[]> m_shards;
    struct Restart {
        double atS; // run time
        NodeSize size;
        int was; // the killed node's id
    };
    std::vector<Restart> m_restarts; // control thread
    // tick state
    std::vector<std::uint64_t> m_prevAnswers;
    std::vector<double> m_throughput;
};

} // namespace stampede
