#pragma once

// Driving one subsystem (or the runtime itself) without Engine: a Runtime whose workload is a
// small test class that owns the part under test. Request-path calls run on a shard's thread
// (onShard), control calls under the control mutex (underControl); results come back through
// a future or a snapshot, never through a fixed sleep. The deadlines only bound a failure.

#include "runtime.h"
#include "shard.h"
#include "workload.h"

#include <boost/asio/post.hpp>

#include <chrono>
#include <functional>
#include <future>
#include <memory>
#include <mutex>
#include <stdexcept>
#include <string>
#include <thread>
#include <type_traits>
#include <vector>

namespace stampede::test {

constexpr double kBoundS = 20.0; // bounds a failure only

// A workload that does nothing: test workloads override what their subsystem needs.
class QuietWorkload : public Workload {
public:
    void arrive(Shard &, Nanos, bool) override { }
    void step(Shard &, Request *) override { }
    void clearShard(Shard &) override { }
    CommandResult apply(const TimedEvent &) override { return CommandResult::fail("unknown command"); }
    void tick(const TickContext &, TickSample &) override { }
    void view(Snapshot &) override { }
    void reset() override { }
    std::int64_t pendingWork() override { return 0; }
    Audit audit(bool drained) override
    {
        Audit a;
        a.drained = drained;
        return a;
    }
    void freeze() override { }
    void shutdown() override { }
};

// A runtime and a typed pointer to its workload (owned by the runtime).
template<typename W> struct Rig {
    std::unique_ptr<Runtime> rt;
    W *w = nullptr;
    W *operator->() const { return w; }
};

// Builds the runtime with a W made by `make(runtime)`; the runtime is not started.
template<typename W, typename Make> Rig<W> makeRig(EngineConfig config, Make make)
{
    Rig<W> rig;
    W *out = nullptr;
    rig.rt = std::make_unique<Runtime>(std::move(config), [&](Runtime &rt) {
        auto w = make(rt);
        out = w.get();
        return std::unique_ptr<Workload>(std::move(w));
    });
    rig.w = out;
    return rig;
}

// A config whose traffic barely exists (the generator runs, at 1 arrival/s) on `threads` shards.
inline EngineConfig quietConfig(int threads)
{
    EngineConfig c;
    c.name = "test";
    c.threads = threads;
    c.traffic.ratePerS = 1;
    return c;
}

// Runs fn(shard) on shard i's own thread and returns its result. The runtime must be started.
template<typename F> auto onShard(Runtime &rt, int i, F fn)
{
    using R = std::invoke_result_t<F &, Shard &>;
    Shard &s = rt.shard(i);
    auto task = std::make_shared<std::packaged_task<R()>>([&s, fn]() mutable { return fn(s); });
    auto done = task->get_future();
    boost::asio::post(s.io(), [task] { (*task)(); });
    if (done.wait_for(std::chrono::duration<double>(kBoundS)) != std::future_status::ready)
        throw std::runtime_error("shard " + std::to_string(i) + " did not run the task");
    return done.get();
}

// Returns once shard i has run everything posted to it before the call, including what those
// handlers posted to it in turn (a handler's own posts reach the queue only after it returns,
// so one round trip is not enough).
inline void settle(Runtime &rt, int i)
{
    onShard(rt, i, [](Shard &) { return 0; });
    onShard(rt, i, [](Shard &) { return 0; });
}

// Runs fn() with the control mutex held (where subsystems' control methods run).
template<typename F> auto underControl(Runtime &rt, F fn)
{
    std::lock_guard g(rt.controlMutex());
    return fn();
}

// The first snapshot for which pred holds, or nullptr after timeoutS.
inline std::shared_ptr<const Snapshot> waitSnapshot(
    const Runtime &rt, const std::function<bool(const Snapshot &)> &pred, double timeoutS = kBoundS)
{
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::duration<double>(timeoutS);
    for (;;) {
        auto s = rt.snapshot();
        if (pred(*s))
            return s;
        if (std::chrono::steady_clock::now() > deadline)
            return nullptr;
        std::this_thread::sleep_for(std::chrono::milliseconds(2));
    }
}

// A snapshot whose whole tick ran after this call, so it reflects everything done before it.
// (The first snapshot published after the call may come from a tick that was already summing.)
inline std::shared_ptr<const Snapshot> nextTick(const Runtime &rt)
{
    for (int k = 0; k < 2; ++k) {
        const auto seq = rt.snapshot()->seq;
        if (!waitSnapshot(rt, [seq](const Snapshot &s) { return s.seq > seq; }))
            return nullptr;
    }
    return rt.snapshot();
}

// Polls pred (any thread-safe read) until it holds; false after timeoutS.
inline bool eventually(const std::function<bool()> &pred, double timeoutS = kBoundS)
{
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::duration<double>(timeoutS);
    while (!pred()) {
        if (std::chrono::steady_clock::now() > deadline)
            return false;
        std::this_thread::sleep_for(std::chrono::milliseconds(2));
    }
    return true;
}

inline bool hasMarker(const std::vector<Marker> &markers, const std::string &label)
{
    for (const auto &m : markers)
        if (m.label == label)
            return true;
    return false;
}

} // namespace stampede::test
