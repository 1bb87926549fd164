#include "keyplacement.h"

#include <algorithm>

namespace stampede {

std::uint64_t KeyPlacement::hash(std::uint64_t x)
{
    // splitmix64 finaliser: cheap, and every input bit moves every output bit
    x += 0x9e3779b97f4a7c15ULL;
    x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
    x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
    return x ^ (x >> 31);
}

KeyPlacement::KeyPlacement(Placement placement, std::vector<int> nodeIds, int virtualNodes)
    : m_placement(placement)
    , m_nodes(std::move(nodeIds))
{
    std::sort(m_nodes.begin(), m_nodes.end());
    m_nodes.erase(std::unique(m_nodes.begin(), m_nodes.end()), m_nodes.end());
    if (m_placement != Placement::Ring)
        return;
    virtualNodes = std::max(1, virtualNodes);
    m_ring.reserve(m_nodes.size() * static_cast<std::size_t>(virtualNodes));
    for (int id : m_nodes)
        for (int v = 0; v < virtualNodes; ++v)
            m_ring.emplace_back(
                hash((static_cast<std::uint64_t>(id) << 32) ^ static_cast<std::uint64_t>(v) ^ 0x5bd1e995ULL), id);
    std::sort(m_ring.begin(), m_ring.end());
}

int KeyPlacement::owner(std::uint64_t keyHash) const
{
    if (m_nodes.empty())
        return -1;
    if (m_placement == Placement::Modulo)
        return m_nodes[keyHash % m_nodes.size()];
    // first point clockwise from the key, wrapping to the start
    auto it = std::lower_bound(m_ring.begin(), m_ring.end(), std::make_pair(keyHash, -1));
    if (it == m_ring.end())
        it = m_ring.begin();
    return it->second;
}

std::vector<double> KeyPlacement::shares() const
{
    std::vector<double> out(m_nodes.size(), 0.0);
    if (m_nodes.empty())
        return out;
    auto index = [this](int id) {
        return static_cast<std::size_t>(std::lower_bound(m_nodes.begin(), m_nodes.end(), id) - m_nodes.begin());
    };
    if (m_placement == Placement::Modulo) {
        std::fill(out.begin(), out.end(), 1.0 / static_cast<double>(m_nodes.size()));
        return out;
    }
    // Each point owns the arc that ends at it.
    constexpr double kSpan = 18446744073709551616.0; // 2^64
    for (std::size_t i = 0; i < m_ring.size(); ++i) {
        const std::uint64_t prev = i == 0 ? m_ring.back().first : m_ring[i - 1].first;
        const std::uint64_t arc = m_ring[i].first - prev; // wraps correctly for i == 0
        out[index(m_ring[i].second)] += (m_ring.size() == 1 ? kSpan : static_cast<double>(arc)) / kSpan;
    }
    return out;
}

double KeyPlacement::movedFraction(
    const KeyPlacement &before, const KeyPlacement &after, const std::vector<std::uint64_t> &keys)
{
    if (keys.empty())
        return 0.0;
    std::size_t moved = 0;
    for (auto k : keys)
        moved += before.owner(k) != after.owner(k);
    return static_cast<double>(moved) / static_cast<double>(keys.size());
}

std::vector<std::uint64_t> KeyPlacement::sampleKeys(std::size_t n)
{
    std::vector<std::uint64_t> keys(n);
    for (std::size_t i = 0; i < n; ++i)
        keys[i] = hash(0xC0FFEEULL + i);
    return keys;
}

} // namespace stampede
