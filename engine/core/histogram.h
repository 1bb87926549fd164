#pragma once

// Log-linear latency histogram in the style of HdrHistogram: exact below 128 ns, then 64
// sub-buckets per power of two. A value is reported as the middle of its bucket, so any
// percentile is within 1/128 (0.8 %) of a true sample value. Fixed size: no allocation
// when recording, and merging is a loop over a few thousand counters.

#include <array>
#include <atomic>
#include <cstdint>

namespace stampede {

class LogHistogram {
public:
    static constexpr int kSubBits = 6;
    static constexpr int kSub = 1 << kSubBits; // 64
    static constexpr int kMaxShift = 40; // values up to ~2^46 ns (19 h)
    static constexpr int kBuckets = 2 * kSub + kMaxShift * kSub;
    static constexpr double kRelativeError = 1.0 / (2 * kSub);

    static int bucketOf(std::uint64_t v);
    static std::uint64_t bucketLow(int idx);
    static std::uint64_t bucketHigh(int idx); // exclusive

    void add(std::uint64_t v, std::uint64_t n = 1);
    void merge(const LogHistogram &o);
    // this -= older, for cumulative histograms turned into per-interval ones
    void subtract(const LogHistogram &older);
    void clear();

    std::uint64_t count() const { return m_total; }
    // q in [0,1]; 0 for an empty histogram. Uses nearest rank, reported at the bucket middle.
    double quantile(double q) const;
    double maxValue() const; // bucket middle of the highest sample
    double mean() const; // from bucket middles

    std::uint64_t at(int idx) const { return m_counts[static_cast<std::size_t>(idx)]; }

private:
    std::array<std::uint64_t, kBuckets> m_counts {};
    std::uint64_t m_total = 0;
};

// Recorded by exactly one thread, read by any: counters are atomics that the owner bumps with
// relaxed load+store (no read-modify-write on the hot path), so readers see whole values.
class ConcurrentHistogram {
public:
    void record(std::uint64_t v)
    {
        auto &c = m_counts[static_cast<std::size_t>(LogHistogram::bucketOf(v))];
        c.store(c.load(std::memory_order_relaxed) + 1, std::memory_order_relaxed);
        std::uint64_t m = m_intervalMax.load(std::memory_order_relaxed);
        while (v > m && !m_intervalMax.compare_exchange_weak(m, v, std::memory_order_relaxed)) { }
    }
    // Owner thread only (a reset): readers may see a mix of old and zero counts for one tick.
    void clear()
    {
        for (auto &c : m_counts)
            c.store(0, std::memory_order_relaxed);
        m_intervalMax.store(0, std::memory_order_relaxed);
    }
    // Adds the cumulative counts into out.
    void copyInto(LogHistogram &out) const;
    // Largest value since the last call (raw, not bucketed); resets it.
    std::uint64_t takeIntervalMax() { return m_intervalMax.exchange(0, std::memory_order_relaxed); }

private:
    std::array<std::atomic<std::uint64_t>, LogHistogram::kBuckets> m_counts {};
    std::atomic<std::uint64_t> m_intervalMax { 0 };
};

} // namespace stampede
