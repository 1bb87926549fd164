#pragma once

#include <atomic>
#include <cstdint>

namespace stampede {

// A counter written by one thread and read by others: relaxed load+store, no RMW.
struct OwnedCounter {
    std::atomic<std::uint64_t> v { 0 };
    void add(std::uint64_t n = 1) { v.store(v.load(std::memory_order_relaxed) + n, std::memory_order_relaxed); }
    std::uint64_t get() const { return v.load(std::memory_order_relaxed); }
    void zero() { v.store(0, std::memory_order_relaxed); }
};

} // namespace stampede
