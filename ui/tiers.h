#pragma once

// Whether a run uses its cache tier and its order queue, as every panel decides what to show:
// the flash-sale presets have neither, and their window looks as it always did.

#include "metrics.h"

namespace stampede::ui {

// A cache tier exists (cache nodes, even dead ones) or product pages were read.
inline bool cacheInUse(const Snapshot &s) { return !s.cacheNodes.empty() || s.views > 0; }

// Product pages are read (cache-aside), now or earlier in this run: hit ratio and stale reads mean
// something. A cache-queue run without views uses its cache for stock counters only.
inline bool readsInUse(const Snapshot &s) { return s.readRatio > 0 || s.views > 0; }

// The strategy sends orders through the queue, or it did earlier in this run (orders may still
// wait); the engine lists partitions exactly then.
inline bool queueInUse(const Snapshot &s)
{
    return s.strategy == Strategy::CacheQueue || s.enqueued > 0 || !s.partitions.empty();
}

} // namespace stampede::ui
