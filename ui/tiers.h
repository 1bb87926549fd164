#pragma once

// Whether a run uses its cache tier and its order queue, as every panel decides what to show:
// the flash-sale presets have neither, and their window looks as it always did.

#include "metrics.h"

#include <algorithm>

namespace stampede::ui {

// A cache tier exists (cache nodes, even dead ones) or product pages were read.
inline bool cacheInUse(const Snapshot &s) { return !s.cacheNodes.empty() || s.views > 0; }

// The strategy sends orders through the queue, or it did earlier in this run (orders may still wait).
inline bool queueInUse(const Snapshot &s)
{
    if (s.strategy == Strategy::CacheQueue || s.enqueued > 0)
        return true;
    return std::any_of(s.partitions.begin(), s.partitions.end(), [](const PartitionView &p) { return p.backlog > 0; });
}

} // namespace stampede::ui
