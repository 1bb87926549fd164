#pragma once

// Whether a run uses its cache tier and its order queue, as every panel decides what to show:
// the flash-sale presets have neither, and their window looks as it always did.

#include "metrics.h"

namespace stampede::ui {

// A cache tier exists (cache nodes, even dead ones) or product pages were read.
inline bool cacheInUse(const Snapshot &s) { return !s.cache->cacheNodes.empty() || s.cache->views > 0; }

// Product pages are read (cache-aside), now or earlier in this run: hit ratio and stale reads mean
// something. A cache-queue run without views uses its cache for stock counters only.
inline bool readsInUse(const Snapshot &s) { return s.cache->readRatio > 0 || s.cache->views > 0; }

// The strategy sends orders through the queue, or it did earlier in this run (orders may still
// wait); the engine lists partitions exactly then.
inline bool queueInUse(const Snapshot &s)
{
    return s.store->strategy == Strategy::CacheQueue || s.queue->enqueued > 0 || !s.queue->partitions.empty();
}

// The run is the celebrity fan-out (its snapshots carry the fan-out section): the window shows
// the fan-out's diagram, controls, counters and charts instead of the flash sale's.
inline bool fanoutInUse(const Snapshot &s) { return s.fanout.has_value(); }

} // namespace stampede::ui
