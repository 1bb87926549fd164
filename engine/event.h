#pragma once

// A command to the engine as a value: what a scenario timeline fires, a live command sends and
// a run records (RunResult::applied).

#include "config.h"

#include <cstdint>
#include <optional>

namespace stampede {

enum class EventKind {
    Spike,
    SetRate,
    AddNodes,
    RemoveNode,
    KillNode, // `forS` > 0: a replacement of the same size comes up that many run seconds later
    ResizeNode, // scale up (or down): a node of the event's size replaces `node`
    SwitchStrategy,
    Restock,
    Pause,
    Resume,
    AddCacheNodes,
    RemoveCacheNode,
    KillCacheNode,
    SetPlacement,
    SetSingleFlight,
    SetTtlJitter,
    SetReadRatio,
    SetCounterRecovery,
    AddConsumers,
    RemoveConsumer,
    KillConsumer,
    SetIdempotent,
    SetQueueFull,
    SetClosedLoop, // `count` clients as fast as answered (the window's "max"); no scenario key
    // the fan-out workload's
    CelebrityPost, // `node`: which celebrity (0 when empty)
    SetFanoutMode,
    SetFanoutThreshold,
    SetPostShare, // `ratio`: share of the arrivals that are posts (0..1)
    AddFanoutWorkers,
    RemoveFanoutWorker, // finishes and acknowledges its batch, then leaves
    KillFanoutWorker, // its unacknowledged batch is delivered again
    AddInboxShards,
    KillInboxShard, // its inboxes are lost
    RebuildInboxShard // back up, its inboxes refilled from the post log
};

// One entry of a scenario timeline, fired by the engine's tick at run time atS. Run time is the
// run's clock, which stands still while the traffic is paused: an event after a pause keeps its
// place in the run, however long the pause lasted.
struct TimedEvent {
    double atS = 0;
    EventKind kind = EventKind::Spike;
    double factor = 1; // Spike
    // Spike: its length in run time. Pause: 0 until a Resume, else resumes by itself after that
    // many wall-clock seconds (to within a tick), the run time then continuing from atS.
    double forS = 0;
    double rate = 0; // SetRate
    double ratio = 0; // SetTtlJitter (0..1), SetReadRatio (views per purchase), SetPostShare (0..1)
    // AddNodes, ResizeNode: the node's size; 0 (a negative price) keeps the configured one, and
    // a price not given scales the configured node's with cores × speed.
    int cores = 0;
    double speed = 0;
    double price = -1;
    int count = 1; // AddNodes, AddCacheNodes, AddConsumers, AddFanoutWorkers, AddInboxShards; clients for SetClosedLoop
    // RemoveNode / KillNode / RemoveCacheNode / KillCacheNode / RemoveConsumer / KillConsumer /
    // RemoveFanoutWorker / KillFanoutWorker / KillInboxShard / RebuildInboxShard, CelebrityPost;
    // empty = the engine picks
    std::optional<int> node;
    Strategy strategy = Strategy::Naive; // SwitchStrategy
    std::int64_t units = 0; // Restock (per SKU)
    Placement placement = Placement::Ring; // SetPlacement
    bool on = false; // SetSingleFlight, SetIdempotent
    CounterRecovery recovery = CounterRecovery::ReloadFromStore; // SetCounterRecovery
    FullPolicy full = FullPolicy::Reject; // SetQueueFull
    FanoutMode fanoutMode = FanoutMode::Push; // SetFanoutMode
    std::int64_t threshold = 0; // SetFanoutThreshold: followers above which an author is pulled
};

} // namespace stampede
