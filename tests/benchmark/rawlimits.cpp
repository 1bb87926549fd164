#include "rawlimits.h"

#include <atomic>
#include <chrono>
#include <cstdint>
#include <memory>
#include <mutex>
#include <thread>
#include <vector>

using namespace Qt::StringLiterals;

namespace stampede::bench {

namespace {

constexpr int kBatch = 256; // operations between two looks at the stop flag
constexpr std::uint64_t kInitial = std::uint64_t(1) << 62; // never runs dry

struct alignas(64) PaddedAtomic {
    std::atomic<std::uint64_t> v { kInitial };
};

struct alignas(64) PaddedMutex {
    std::mutex m;
    std::uint64_t v = kInitial;
};

struct alignas(64) ThreadTally {
    std::uint64_t ops = 0;
    std::uint64_t casFailures = 0;
};

// The conditional decrement of StockRow::tryTakeOne, without the lock bit.
inline bool takeOne(std::atomic<std::uint64_t> &a, std::uint64_t &failures)
{
    std::uint64_t w = a.load(std::memory_order_relaxed);
    for (;;) {
        if (w == 0)
            return false;
        if (a.compare_exchange_weak(w, w - 1, std::memory_order_acq_rel, std::memory_order_relaxed))
            return true;
        ++failures;
    }
}

} // namespace

QString rawName(RawKind kind)
{
    switch (kind) {
    case RawKind::SharedFetchSub:
        return u"shared atomic fetch_sub"_s;
    case RawKind::SharedCas:
        return u"shared atomic CAS decrement"_s;
    case RawKind::PerCoreCas:
        return u"per-core atomics CAS decrement"_s;
    case RawKind::Mutex:
        return u"shared mutex"_s;
    }
    return u"?"_s;
}

RawResult measureRaw(RawKind kind, int threads, double seconds)
{
    PaddedAtomic shared;
    PaddedMutex mutex;
    std::vector<PaddedAtomic> own(static_cast<std::size_t>(threads));
    std::vector<ThreadTally> tally(static_cast<std::size_t>(threads));
    std::atomic<int> ready { 0 };
    std::atomic<bool> go { false }, stop { false };

    auto body = [&](int index) {
        ThreadTally t;
        std::atomic<std::uint64_t> &mine = own[static_cast<std::size_t>(index)].v;
        ready.fetch_add(1);
        while (!go.load(std::memory_order_acquire)) { }
        while (!stop.load(std::memory_order_relaxed)) {
            switch (kind) {
            case RawKind::SharedFetchSub:
                for (int i = 0; i < kBatch; ++i)
                    shared.v.fetch_sub(1, std::memory_order_acq_rel);
                t.ops += kBatch;
                break;
            case RawKind::SharedCas:
                for (int i = 0; i < kBatch; ++i)
                    t.ops += takeOne(shared.v, t.casFailures);
                break;
            case RawKind::PerCoreCas:
                for (int i = 0; i < kBatch; ++i)
                    t.ops += takeOne(mine, t.casFailures);
                break;
            case RawKind::Mutex:
                for (int i = 0; i < kBatch; ++i) {
                    std::lock_guard g(mutex.m);
                    if (mutex.v > 0) {
                        --mutex.v;
                        ++t.ops;
                    }
                }
                break;
            }
        }
        tally[static_cast<std::size_t>(index)] = t;
    };

    std::vector<std::thread> pool;
    for (int i = 0; i < threads; ++i)
        pool.emplace_back(body, i);
    while (ready.load() < threads)
        std::this_thread::yield();
    const CpuSample c0 = cpuSample();
    const auto t0 = std::chrono::steady_clock::now();
    go.store(true, std::memory_order_release);
    std::this_thread::sleep_for(std::chrono::duration<double>(seconds));
    const CpuSample c1 = cpuSample();
    stop.store(true, std::memory_order_relaxed);
    for (auto &t : pool)
        t.join();
    const double elapsed = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();

    std::uint64_t ops = 0, failures = 0;
    for (const auto &t : tally) {
        ops += t.ops;
        failures += t.casFailures;
    }
    RawResult r;
    r.threads = threads;
    r.seconds = elapsed;
    r.cpu = cpuUse(c0, c1);
    r.opsPerS = static_cast<double>(ops) / elapsed;
    r.casFailuresPerOp = ops ? static_cast<double>(failures) / static_cast<double>(ops) : 0.0;
    return r;
}

double measureClockReads(double seconds)
{
    using Clock = std::chrono::steady_clock;
    const auto t0 = Clock::now();
    const auto end = t0 + std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(seconds));
    std::uint64_t calls = 1;
    std::int64_t sink = 0;
    for (auto t = t0; t < end; ++calls) {
        t = Clock::now();
        sink += t.time_since_epoch().count() & 1;
    }
    const double elapsed = std::chrono::duration<double>(Clock::now() - t0).count();
    return static_cast<double>(calls + static_cast<std::uint64_t>(sink & 0)) / elapsed;
}

} // namespace stampede::bench
