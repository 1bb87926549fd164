#pragma once

// Engines are destroyed off the GUI thread: an engine's destructor joins its threads, and a
// fan-out engine frees a follower graph of a million users, which takes seconds in a Debug
// build. Each burial runs on a thread of its own, so the GUI thread never waits for one; the
// finished threads are joined at the next burial and the rest when the application ends.

#include "engine.h"

#include <functional>
#include <memory>
#include <vector>

namespace stampede::ui {

void buryEngines(std::vector<std::unique_ptr<Engine>> engines);
void buryEngine(std::unique_ptr<Engine> engine);

// Any other job that must not run on the GUI thread (building an engine whose store is a real
// server): on a thread of its own, joined like a burial. `job` may bury engines itself.
void runInBackground(std::function<void()> job);

// Burials not finished yet (tests).
int pendingBurials();

} // namespace stampede::ui
