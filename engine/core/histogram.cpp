#include "histogram.h"

#include <algorithm>
#include <bit>
#include <cmath>

namespace stampede {

int LogHistogram::bucketOf(std::uint64_t v)
{
    if (v < 2 * kSub)
        return static_cast<int>(v);
    const int msb = 63 - std::countl_zero(v); // >= kSubBits + 1
    const int shift = std::min(msb - kSubBits, kMaxShift);
    const std::uint64_t top = v >> shift; // in [kSub, 2*kSub) unless clamped
    if (top >= 2 * kSub)
        return kBuckets - 1;
    return 2 * kSub + (shift - 1) * kSub + static_cast<int>(top - kSub);
}

std::uint64_t LogHistogram::bucketLow(int idx)
{
    if (idx < 2 * kSub)
        return static_cast<std::uint64_t>(idx);
    const int shift = (idx - 2 * kSub) / kSub + 1;
    const std::uint64_t top = static_cast<std::uint64_t>((idx - 2 * kSub) % kSub + kSub);
    return top << shift;
}

std::uint64_t LogHistogram::bucketHigh(int idx)
{
    if (idx < 2 * kSub)
        return static_cast<std::uint64_t>(idx) + 1;
    const int shift = (idx - 2 * kSub) / kSub + 1;
    return bucketLow(idx) + (std::uint64_t(1) << shift);
}

void LogHistogram::add(std::uint64_t v, std::uint64_t n)
{
    m_counts[static_cast<std::size_t>(bucketOf(v))] += n;
    m_total += n;
}

void LogHistogram::merge(const LogHistogram &o)
{
    for (std::size_t i = 0; i < m_counts.size(); ++i)
        m_counts[i] += o.m_counts[i];
    m_total += o.m_total;
}

void LogHistogram::subtract(const LogHistogram &older)
{
    m_total = 0;
    for (std::size_t i = 0; i < m_counts.size(); ++i) {
        // Cumulative counts never shrink; guard anyway so a reset can't underflow.
        m_counts[i] = m_counts[i] >= older.m_counts[i] ? m_counts[i] - older.m_counts[i] : 0;
        m_total += m_counts[i];
    }
}

void LogHistogram::clear()
{
    m_counts.fill(0);
    m_total = 0;
}

static double middle(int idx)
{
    const auto lo = LogHistogram::bucketLow(idx);
    const auto hi = LogHistogram::bucketHigh(idx);
    if (hi - lo == 1)
        return static_cast<double>(lo);
    return (static_cast<double>(lo) + static_cast<double>(hi - 1)) / 2.0;
}

double LogHistogram::quantile(double q) const
{
    if (m_total == 0)
        return 0;
    q = std::clamp(q, 0.0, 1.0);
    // nearest rank: the smallest value with at least ceil(q*n) samples at or below it
    const auto rank
        = std::max<std::uint64_t>(1, static_cast<std::uint64_t>(std::ceil(q * static_cast<double>(m_total))));
    std::uint64_t seen = 0;
    for (int i = 0; i < kBuckets; ++i) {
        seen += m_counts[static_cast<std::size_t>(i)];
        if (seen >= rank)
            return middle(i);
    }
    return maxValue();
}

double LogHistogram::maxValue() const
{
    for (int i = kBuckets - 1; i >= 0; --i)
        if (m_counts[static_cast<std::size_t>(i)])
            return middle(i);
    return 0;
}

double LogHistogram::mean() const
{
    if (m_total == 0)
        return 0;
    double sum = 0;
    for (int i = 0; i < kBuckets; ++i)
        if (m_counts[static_cast<std::size_t>(i)])
            sum += middle(i) * static_cast<double>(m_counts[static_cast<std::size_t>(i)]);
    return sum / static_cast<double>(m_total);
}

void ConcurrentHistogram::copyInto(LogHistogram &out) const
{
    for (int i = 0; i < LogHistogram::kBuckets; ++i) {
        const auto n = m_counts[static_cast<std::size_t>(i)].load(std::memory_order_relaxed);
        if (n)
            out.add(LogHistogram::bucketLow(i), n);
    }
}

} // namespace stampede
