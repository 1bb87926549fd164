#pragma once

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <memory>

namespace stampede {

// A counter written by one thread and read by others: relaxed load+store, no RMW.
struct OwnedCounter {
    std::atomic<std::uint64_t> v { 0 };
    void add(std::uint64_t n = 1) { v.store(v.load(std::memory_order_relaxed) + n, std::memory_order_relaxed); }
    std::uint64_t get() const { return v.load(std::memory_order_relaxed); }
    void zero() { v.store(0, std::memory_order_relaxed); }
};

} // namespace stampede

namespace stampede {

// A fixed array of owned counters on whole cache lines of their own, for one writer thread: two
// shards' arrays never share a line, so counting on one core costs the other nothing.
class CounterArray {
public:
    CounterArray() = default;
    explicit CounterArray(std::size_t n)
        : m_lines(std::make_unique<Line[]>((n + kPerLine - 1) / kPerLine))
    {
    }
    OwnedCounter &operator[](std::size_t i) { return m_lines[i / kPerLine].c[i % kPerLine]; }
    const OwnedCounter &operator[](std::size_t i) const { return m_lines[i / kPerLine].c[i % kPerLine]; }

private:
    static constexpr std::size_t kPerLine = 8;
    struct alignas(64) Line {
        OwnedCounter c[kPerLine];
    };
    std::unique_ptr<Line[]> m_lines;
};

} // namespace stampede
