#pragma once

// Which cache node owns a key: modulo-N over the live nodes, or a consistent-hash ring with
// virtual nodes. Immutable once built; the engine swaps in a new one when nodes change, so
// readers on any thread use it without locks.

#include <cstdint>
#include <utility>
#include <vector>

namespace stampede {

enum class Placement { Modulo, Ring };

class KeyPlacement {
public:
    static constexpr int kDefaultVirtualNodes = 160;

    KeyPlacement(Placement placement, std::vector<int> nodeIds, int virtualNodes = kDefaultVirtualNodes);

    Placement placement() const { return m_placement; }
    const std::vector<int> &nodes() const { return m_nodes; }
    // Owner of a key (by its 64-bit hash); -1 when there is no node.
    int owner(std::uint64_t keyHash) const;
    // Share of the ring (or of the modulo slots) each node owns, in the order of nodes().
    std::vector<double> shares() const;

    // Fraction of `keys` whose owner differs between the two placements.
    static double movedFraction(
        const KeyPlacement &before, const KeyPlacement &after, const std::vector<std::uint64_t> &keys);
    // A fixed universe of key hashes for measuring moves: n well-mixed 64-bit values.
    static std::vector<std::uint64_t> sampleKeys(std::size_t n);

    static std::uint64_t hash(std::uint64_t x);

private:
    Placement m_placement;
    std::vector<int> m_nodes; // sorted ids
    std::vector<std::pair<std::uint64_t, int>> m_ring; // (point, node id), sorted by point
};

} // namespace stampede
