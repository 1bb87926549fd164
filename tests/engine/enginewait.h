#pragma once

// Waiting for the engine in tests: poll its immutable snapshots (never sleep a fixed time and
// hope). The deadline only bounds a failure; a passing test returns as soon as the state shows.

#include "engine.h"

#include <chrono>
#include <functional>
#include <memory>
#include <thread>

namespace stampede::test {

using SnapshotPtr = std::shared_ptr<const Snapshot>;

// The first snapshot for which pred holds, or nullptr after timeoutS.
inline SnapshotPtr waitFor(const Engine &e, const std::function<bool(const Snapshot &)> &pred, double timeoutS)
{
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::duration<double>(timeoutS);
    for (;;) {
        auto s = e.snapshot();
        if (pred(*s))
            return s;
        if (std::chrono::steady_clock::now() > deadline)
            return nullptr;
        std::this_thread::sleep_for(std::chrono::milliseconds(2));
    }
}

// The first snapshot published after this call. Commands and ticks both run under the
// engine's control mutex, so it reflects every command that returned before the call.
inline SnapshotPtr nextTick(const Engine &e, double timeoutS)
{
    const auto seq = e.snapshot()->seq;
    return waitFor(
        e, [seq](const Snapshot &s) { return s.seq > seq; }, timeoutS);
}

// The first snapshot published at least n times after this call: n ticks of engine (wall) time,
// whatever the run's clock does (it stands still while paused).
inline SnapshotPtr afterTicks(const Engine &e, int n, double timeoutS)
{
    const auto seq = e.snapshot()->seq + static_cast<std::uint64_t>(n);
    return waitFor(
        e, [seq](const Snapshot &s) { return s.seq >= seq; }, timeoutS);
}

// The first snapshot published at or after run time t (seconds). The deadline assumes the run's
// clock moves: while paused it stands still (use afterTicks there).
inline SnapshotPtr waitForRunTime(const Engine &e, double t, double slackS)
{
    return waitFor(
        e, [t](const Snapshot &s) { return s.t >= t; }, t + slackS);
}

inline const NodeView *findNode(const Snapshot &s, int id)
{
    for (const auto &n : s.app->nodes)
        if (n.id == id)
            return &n;
    return nullptr;
}

} // namespace stampede::test
