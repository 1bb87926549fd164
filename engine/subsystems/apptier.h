#pragma once

// The app tier: the gateway (admission control, routing) and the app nodes behind it (M/M/c/K
// each, see appnode.h). Nodes live in fixed slots, added, drained and removed, or killed at run
// time; a request path thread reads the slots lock-free and re-reads the routable set only when
// the topology version moved. Per-shard state (routing, token bucket share, answers per node) has
// one writer each and is summed at the tick.

#include "appnode.h"
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

class AppTier {
public:
    AppTier(Runtime &rt, const GatewayConfig &gateway, const NodeConfig &nodes);

    // ---- request path ----
    enum class Route { Run, Queued, RateLimited, Overloaded, Down };
    // Admission control, then a node. Run and Queued set r->node; a queued request is dispatched
    // by the worker that frees up.
    Route route(Shard &s, Request *r);
    Nanos serviceTime(Shard &s) const;
    bool nodeDead(const Request *r) const
    {
        return r->node >= 0 && m_nodes[static_cast<std::size_t>(r->node)].state() == NodeSlotState::Dead;
    }
    // Reads the clock only when a timeout is set: the closed loop reads it once per attempt.
    bool timedOut(const Request *r) const { return m_timeoutNs > 0 && m_rt.now() - r->arrival > m_timeoutNs; }
    // The request is answered: counts it on its node and hands its worker to the next waiter.
    void release(Shard &s, Request *r);

    // ---- control (control mutex held) ----
    CommandResult addNodes(int count);
    CommandResult removeNode(std::optional<int> id);
    CommandResult killNode(std::optional<int> id);
    void reset(); // back to the configured nodes; waiting requests go back to their (void) owners
    void tick(const TickContext &c, AppTierSample &x);
    void view(AppTierView &v) const;
    void clearShard(int shard); // on that shard's thread
    int upNodes() const;

private:
    struct alignas(64) ShardState {
        std::uint64_t topoSeen = ~std::uint64_t(0);
        std::vector<int> routable;
        std::uint64_t roundRobin = 0;
        double tokens = 0; // this shard's share of the gateway's token bucket
        Nanos tokensAt = 0;
        std::array<OwnedCounter, kNodeSlots> answers;
    };
    void bumpTopology() { m_topology.fetch_add(1, std::memory_order_acq_rel); }
    AppNode &node(int i) { return m_nodes[static_cast<std::size_t>(i)]; }
    const AppNode &node(int i) const { return m_nodes[static_cast<std::size_t>(i)]; }

    Runtime &m_rt;
    const GatewayConfig m_gateway;
    const NodeConfig m_config;
    const Nanos m_serviceNs, m_timeoutNs;
    std::unique_ptr<AppNode[]> m_nodes; // kNodeSlots
    std::atomic<int> m_slotsUsed { 0 }; // slots [0, n) have been initialised
    std::atomic<std::uint64_t> m_topology { 0 };
    std::unique_ptr<ShardState[]> m_shards;
    // tick state
    std::vector<std::uint64_t> m_prevAnswers;
    std::vector<double> m_throughput;
};

} // namespace stampede
