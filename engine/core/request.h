#pragma once

// One request in flight (a shopper's purchase or page view, a timeline read or post, or an
// actor: an order-queue consumer, a fan-out worker). Owned by the
// engine thread (shard) that created it: only that thread allocates, advances and frees it.
// Other threads may hold it in a wait list (node backlog, row waiters, a lease, a full queue
// partition) and hand it back to its shard with a post.
//
// Which part of the engine continues it is `part`; `stage` is that part's own step enum
// (FlashStage, CacheStage, ConsumerStage), so each part spells only its own stages.

#include "clock.h"
#include "config.h"

#include <cstdint>

namespace stampede {

enum class Outcome : std::uint8_t { Success, SoldOut, RateLimited, NodeDown, Timeout, Overloaded };

enum class Part : std::uint8_t {
    Workload, // the workload's own stages
    Cache, // one cache operation in progress (subsystems/cachetier.h)
    Consumer // an order-queue consumer's actor (subsystems/orderqueue.h)
};

enum class CacheOpKind : std::uint8_t { Get, Fill, Decrement };

struct Request {
    Request *next = nullptr; // intrusive link: free list, node backlog, row waiters, lease, partition
    std::uint64_t epoch = 0; // engine epoch at arrival; a reset makes older requests void
    Nanos arrival = 0;
    Nanos at = -1; // the time of its step now (modeled), -1 when it runs by the clock (shard.h)
    std::uint64_t user = 0;
    std::int64_t readValue = 0; // the value a store or cache read returned
    int sku = 0;
    int shard = 0;
    Part part = Part::Workload;
    std::uint8_t stage = 0;
    bool client = false; // issued by a closed-loop client
    bool view = false; // a product-page view rather than a purchase

    // app tier
    int node = -1; // node slot once admitted
    bool failOnDispatch = false; // handed back by a killed node: answer "node down"
    bool leased = false; // its worker came from its shard's lease of the node (apptier.h)
    std::uint8_t coordHold = 0; // what it holds of the cluster lock (ClusterLock::Hold)

    // stock store
    Strategy strategy = Strategy::Naive; // fixed when the request reaches the store
    int bucket = 0; // stock bucket (or, for cache-queue, the queue partition)
    int probes = 0;
    bool holdsLock = false;
    Nanos lockAsked = 0;
    Nanos lockGranted = 0;
    std::uint8_t pgStep = 0; // store.backend postgres: the statement in flight (backends/pgstore.h)
    std::uint8_t pgAnswer = 0; // and what the database answered (PgStore::Answer)

    // cache tier
    CacheOpKind cacheOp = CacheOpKind::Get;
    int cacheNode = -1; // the cache node serving the current operation
    bool lease = false; // holds the single-flight lease of its SKU
    bool hit = false; // the view's lookup found the key
    bool stale = false; // the view's hit differed from the store when it was read
    bool reserved = false; // cache-queue: counted in its SKU's in-transit units
    bool took = false; // cache-queue: took a unit from the counter, not yet on the queue

    // order queue
    int consumer = -1; // actor: the consumer slot it runs

    // fan-out (workloads/fanout): a worker's batch is followers [from, to) of `post`
    std::uint32_t post = 0;
    std::uint32_t from = 0, to = 0;
    std::int8_t tracked = -1; // the post's slot among the tracked celebrity posts, -1: none

    template<typename E> E stageAs() const { return static_cast<E>(stage); }
    template<typename E> void setStage(Part p, E e)
    {
        part = p;
        stage = static_cast<std::uint8_t>(e);
    }
};

} // namespace stampede
