#pragma once

// One purchase attempt in flight. Owned by the engine thread (shard) that created it: only
// that thread allocates, advances and frees it. Other threads may hold it in a wait list
// (node backlog, row waiters) and hand it back to its shard with a post.

#include "config.h"

#include <cstdint>

namespace stampede {

using Nanos = std::int64_t;

enum class Stage : std::uint8_t {
    Admit, // at the gateway
    Serve, // holds a worker of its node
    Store, // service done, talks to the store
    NaiveRead, // read round trip done: read the row
    NaiveWrite, // write round trip done: blind write
    RowGranted, // row lock granted
    RowRead, // SELECT ... FOR UPDATE round trip done
    RowCommit, // UPDATE + COMMIT done
    AtomicTrip, // round trip to the bucket's row done
    AtomicGranted,
    AtomicCommit,
    // the cache tier: one operation on the node that owns the key
    CacheTrip, // round trip to the cache node done: the operation is applied, its reply waits for the worker
    CacheReply, // the node's worker finished the operation
    ViewStore, // a view's store read (cache miss) done
    QueueBlocked, // a `cache-queue` order waits for room in a full partition, then enqueues
    // consumers of the order queue (actor requests, one per consumer)
    ConsumerFetch,
    ConsumerPersist, // a store write of the batch done
    ConsumerAck, // the acknowledgement round trip done
};

enum class CacheOpKind : std::uint8_t { Get, Fill, Decrement };

enum class Outcome : std::uint8_t { Success, SoldOut, RateLimited, NodeDown, Timeout, Overloaded };

struct Request {
    Request *next = nullptr; // intrusive link: free list, node backlog or row waiters
    std::uint64_t epoch = 0; // engine epoch at arrival; a reset makes older requests void
    Nanos arrival = 0;
    Nanos lockAsked = 0;
    Nanos lockGranted = 0;
    std::uint64_t user = 0;
    std::int64_t readValue = 0; // what `naive` read
    int sku = 0;
    int node = -1; // node slot once admitted
    int bucket = 0;
    int probes = 0;
    int shard = 0;
    Strategy strategy = Strategy::Naive;
    Stage stage = Stage::Admit;
    bool holdsLock = false;
    bool client = false; // issued by a closed-loop client
    bool failOnDispatch = false; // handed back by a killed node: answer "node down"
    bool view = false; // a product-page view rather than a purchase
    bool actor = false; // a consumer's actor, not a shopper's request
    bool lease = false; // holds the single-flight lease of its SKU
    bool stale = false; // the view's hit differed from the store when it was read
    bool reserved = false; // `cache-queue`: counted in its SKU's in-transit units
    bool took = false; // `cache-queue`: took a unit from the counter, not yet on the queue
    bool hit = false; // the view's lookup found the key
    CacheOpKind cacheOp = CacheOpKind::Get;
    int cacheNode = -1; // the cache node serving the current operation
    int consumer = -1; // actor: the consumer slot it runs
};

} // namespace stampede
