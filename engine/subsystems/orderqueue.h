#pragma once

// The order queue (DESIGN.md "Message queues"): bounded partitions (partition.h) with
// at-least-once delivery, and consumers. Each consumer is an actor: one pool request on shard
// (id % threads) that loops fetch -> persist each message (through its sink: a store round trip
// plus the write) -> acknowledge the batch (one round trip to the broker). It never blocks a
// thread: waiting is the shard's delay queue, and an idle consumer parks until a message arrives.
//
// A message is removed only when its holder acknowledges it. Killing a consumer makes what it
// held deliverable again, including orders it already persisted: without idempotent consumers
// those are persisted twice.

#include "engine.h"
#include "ownedcounter.h"
#include "partition.h"
#include "slotstate.h"
#include "workload.h"

#include <atomic>
#include <memory>
#include <mutex>
#include <optional>
#include <vector>

namespace stampede {

class Runtime;
class Shard;

enum class ConsumerStage : std::uint8_t { Fetch, Persist, Ack };

inline constexpr int kConsumerSlots = 256; // consumers ever added between two resets

// Where consumers write orders: supplied by the workload.
class OrderSink {
public:
    virtual ~OrderSink() = default;
    // How long persisting one order takes (modeled).
    virtual Nanos persistNs() const = 0;
    // Writes the order for one unit of `sku`; `first` is false for a duplicate delivery that a
    // non-idempotent consumer writes again. Called with the message's partition locked.
    virtual void persist(Shard &s, int sku, bool first) = 0;
};

class OrderQueue {
public:
    OrderQueue(Runtime &rt, const QueueConfig &config, OrderSink &sink);

    // ---- request path ----
    enum class Enqueue { Queued, Parked, Rejected };
    // Puts an order for `sku` on partition r->bucket. Parked: the partition is full and the
    // policy is `block`; a consumer's acknowledgement dispatches r again to retry.
    Enqueue enqueue(Shard &s, Request *r);
    void step(Shard &s, Request *r); // Part::Consumer: a consumer's actor
    int partitions() const { return m_partitionCount; }

    // ---- control (control mutex held) ----
    CommandResult addConsumers(int count);
    CommandResult removeConsumer(std::optional<int> id);
    CommandResult killConsumer(std::optional<int> id);
    CommandResult setIdempotent(bool on);
    CommandResult setFullPolicy(FullPolicy p);
    std::int64_t backlog(Nanos *oldest); // messages not yet acknowledged, all partitions
    std::int64_t duplicates() const; // orders persisted more than once, now (the audit)
    bool used() const { return m_used; } // an order has ever been queued since the reset
    void markUsed() { m_used = true; }
    void reset(bool inUse);
    int consumersUsed() const { return m_consumersUsed.load(); } // consumer slots since the reset
    void tick(const TickContext &c, QueueSample &x);
    void view(QueueView &s, bool inUse);
    void clearShard(int shard);

private:
    struct ConsumerSlot {
        std::atomic<NodeSlotState> state { NodeSlotState::Free };
        std::atomic<int> inHand { 0 };
        OwnedCounter persisted; // written by its actor only
        std::vector<Claim> batch; // its actor only
        std::size_t next = 0;
    };
    struct alignas(64) ShardStats {
        OwnedCounter enqueued, rejected, dequeued, duplicates, deduped;
    };
    void persistClaim(Shard &s, ConsumerSlot &c, int id, const Claim &cl);
    void startConsumer(int id);
    std::optional<int> pick(std::optional<int> id, bool allowDead, bool newest) const;
    void wakeIdle();
    void unblockProducers(); // producers waiting in full partitions retry their enqueue
    Partition &partition(int p) { return m_partitions[static_cast<std::size_t>(p)]; }

    Runtime &m_rt;
    const QueueConfig m_config;
    const Nanos m_ackNs;
    OrderSink &m_sink;
    const int m_partitionCount;
    std::unique_ptr<Partition[]> m_partitions;
    std::unique_ptr<ConsumerSlot[]> m_consumers; // kConsumerSlots
    std::atomic<int> m_consumersUsed { 0 };
    std::atomic<bool> m_idempotent { false };
    std::atomic<FullPolicy> m_full { FullPolicy::Reject };
    std::atomic<std::uint64_t> m_orderIds { 0 };
    // Bumped whenever messages become deliverable (enqueue, redelivery). A consumer parks only
    // if it did not move between its empty scan and parking: no wake-up is lost.
    std::atomic<std::uint64_t> m_deliverableSeq { 0 };
    std::atomic<int> m_idleCount { 0 };
    std::mutex m_idleMutex;
    std::vector<Request *> m_idle; // parked consumer actors
    std::atomic<std::int64_t> m_redelivered { 0 };
    std::unique_ptr<ShardStats[]> m_shards;
    // tick state
    std::vector<std::uint64_t> m_prevPersisted; // per consumer slot
    std::vector<double> m_rate;
    std::uint64_t m_prevEnqueued = 0, m_prevDequeued = 0;
    std::uint64_t m_enqueued = 0, m_dequeued = 0, m_rejected = 0, m_duplicates = 0;
    std::int64_t m_maxBacklog = 0;
    double m_maxLagMs = 0;
    bool m_used = false;
};

} // namespace stampede
