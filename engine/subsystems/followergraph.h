#pragma once

// Who follows whom, for the celebrity fan-out workload: a population of users whose follower
// counts follow Zipf's law, plus celebrities with an exact follower count each. Built once, then
// read-only: any thread may read it without a lock.
//
// Memory is what keeps 10 M users on a laptop, so only one direction is stored:
// - a user's *followees* are not stored but regenerated on demand from a per-user seed (the
//   same draws every time: the graph is a pure function of its config);
// - the *followers* of ordinary accounts are stored once, as a compressed sparse row built from
//   those regenerated lists (4 B per user for the offsets + 4 B per edge);
// - a celebrity's followers are a bijection on the users, an affine map u -> (a u + b) mod N:
//   u follows celebrity c when its image is among the first F_c (0 B per edge; exact count;
//   O(1) membership and random access to the i-th follower, which fan-out workers batch by).
// Users 0 .. celebrities-1 are the celebrities; ordinary accounts are ranked for popularity by
// a second affine bijection, so the most followed ordinary accounts are spread over the ids.

#include "config.h"
#include "rng.h"
#include "zipf.h"

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace stampede {

using UserId = std::uint32_t;

struct FollowerGraphConfig {
    std::uint32_t users = 1'000'000;
    double meanFollows = 5; // ordinary followees per user (1 .. 2*mean-1, uniform)
    double exponent = 1.0; // Zipf: the k-th most followed ordinary account has ~ k^-exponent followers
    std::vector<std::uint32_t> celebrities { 1'000'000 }; // follower count of each (at most users - 1)
    std::uint64_t seed = 42;

    // Every field: FollowerGraph::shared() gives one graph to equal configs only.
    bool operator==(const FollowerGraphConfig &) const = default;
};

class FollowerGraph {
public:
    // Ordinary followees per user (twice the largest mean), a bound on a read's work.
    static constexpr int kMaxFollows = 2 * kMaxFollowsPerUser;

    // Throws std::invalid_argument naming the field when the config cannot make a graph.
    explicit FollowerGraph(const FollowerGraphConfig &config);
    // The graph for `config`, shared with every live engine built from the same config (a
    // graph is a pure function of its config and read-only): switching between the celebrity
    // presets or reloading one builds a million-user graph once, not at each load. Built under a
    // lock, so two engines asking at once build it once; freed with its last user.
    static std::shared_ptr<const FollowerGraph> shared(const FollowerGraphConfig &config);

    const FollowerGraphConfig &config() const { return m_config; }
    std::uint32_t users() const { return m_config.users; }
    int celebrityCount() const { return static_cast<int>(m_celebs.size()); }
    bool isCelebrity(UserId u) const { return u < m_celebs.size(); }

    // ---- followers of an author (push: the fan-out's work list) ----
    std::uint32_t followerCount(UserId author) const;
    // The i-th follower of `author`, i < followerCount(author); the order is fixed.
    UserId followerAt(UserId author, std::uint32_t i) const;

    // ---- followees of a reader (pull: what a timeline read merges) ----
    // Ordinary accounts u follows, into `out` (cleared; at most kMaxFollows, no duplicates, not u).
    void ordinaryFollowees(UserId u, std::vector<UserId> &out) const;
    // Whether u follows celebrity c (c < celebrityCount()).
    bool followsCelebrity(UserId u, int c) const;
    // Followees of u in all: ordinary plus celebrities.
    std::uint32_t followeeCount(UserId u) const;

    // Bytes held by the graph (the stored follower lists and tables).
    std::size_t memoryBytes() const;
    std::uint64_t ordinaryEdges() const { return m_followers.size(); }

private:
    struct Affine { // a bijection on [0, n): x -> (a x + b) mod n, and its inverse
        std::uint64_t n = 1, a = 1, b = 0, aInv = 1;
        std::uint64_t map(std::uint64_t x) const { return (a * x + b) % n; }
        std::uint64_t unmap(std::uint64_t y) const { return (aInv * ((y + n - b) % n)) % n; }
        static Affine random(std::uint64_t n, Rng &rng);
    };
    struct Celebrity {
        Affine perm; // u follows when perm.map(u) < threshold
        std::uint32_t followers = 0;
        std::uint32_t threshold = 0; // followers, +1 when the celebrity's own image falls below
        std::uint32_t selfImage = 0; // perm.map(c)
    };
    int followsOf(UserId u, Rng &rng) const;
    UserId drawOrdinary(Rng &rng) const;

    FollowerGraphConfig m_config;
    std::vector<Celebrity> m_celebs;
    std::uint32_t m_ordinary = 0; // users - celebrities
    Zipf m_zipf { 1, 1.0 };
    Affine m_rank; // popularity rank (0-based) -> ordinary index
    std::vector<std::uint32_t> m_offsets; // per user: its ordinary followers in m_followers
    std::vector<UserId> m_followers;
};

} // namespace stampede
