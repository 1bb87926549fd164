#include "followergraph.h"

#include "config.h"
#include "limittable.h"

#include <algorithm>
#include <cmath>
#include <mutex>
#include <numeric>
#include <stdexcept>
#include <string>
#include <utility>

namespace stampede {

namespace {

std::uint64_t mix(std::uint64_t x)
{
    x += 0x9e3779b97f4a7c15ULL;
    x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
    x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
    return x ^ (x >> 31);
}

// The multiplicative inverse of a modulo n (gcd(a, n) = 1), by the extended Euclidean algorithm.
std::uint64_t inverseMod(std::uint64_t a, std::uint64_t n)
{
    std::int64_t t = 0, newT = 1;
    std::int64_t r = static_cast<std::int64_t>(n), newR = static_cast<std::int64_t>(a % n);
    while (newR != 0) {
        const std::int64_t q = r / newR;
        t = std::exchange(newT, t - q * newT);
        r = std::exchange(newR, r - q * newR);
    }
    if (t < 0)
        t += static_cast<std::int64_t>(n);
    return static_cast<std::uint64_t>(t);
}

} // namespace

FollowerGraph::Affine FollowerGraph::Affine::random(std::uint64_t n, Rng &rng)
{
    Affine f;
    f.n = std::max<std::uint64_t>(n, 1);
    if (f.n == 1)
        return f;
    f.a = 1 + rng.below(f.n - 1);
    while (std::gcd(f.a, f.n) != 1)
        f.a = f.a % (f.n - 1) + 1;
    f.b = rng.below(f.n);
    f.aInv = inverseMod(f.a, f.n);
    return f;
}

std::shared_ptr<const FollowerGraph> FollowerGraph::shared(const FollowerGraphConfig &config)
{
    struct Entry {
        FollowerGraphConfig config;
        std::weak_ptr<const FollowerGraph> graph;
    };
    static std::mutex mutex;
    static std::vector<Entry> cache; // a few entries at most: one per distinct live graph
    std::lock_guard g(mutex);
    std::erase_if(cache, [](const Entry &e) { return e.graph.expired(); });
    for (const Entry &e : cache)
        if (e.config == config)
            if (auto graph = e.graph.lock())
                return graph;
    // not make_shared: the graph's memory goes with its last user, not with the cache's weak_ptr
    std::shared_ptr<const FollowerGraph> graph(new FollowerGraph(config));
    cache.push_back({ config, graph });
    return graph;
}

FollowerGraph::FollowerGraph(const FollowerGraphConfig &config)
    : m_config(config)
{
    const auto &c = m_config;
    using limits::Limit;
    for (const auto &[id, v] : { std::pair { Limit::FanoutUsers, double(c.users) },
             std::pair { Limit::FollowsPerUser, c.meanFollows }, std::pair { Limit::FollowerExponent, c.exponent } })
        if (auto e = limits::checkNamed(id, v); !e.empty())
            throw std::invalid_argument(e);
    if (c.celebrities.size() >= c.users)
        throw std::invalid_argument("fanout.celebrities: must be fewer than fanout.users");
    for (std::size_t i = 0; i < c.celebrities.size(); ++i)
        if (c.celebrities[i] > c.users - 1)
            throw std::invalid_argument("fanout.celebrities[" + std::to_string(i)
                + "]: " + limits::describe(0, c.users - 1, false, "followers (fanout.users - 1)"));

    Rng rng(mix(c.seed ^ 0x666f6c6c6f77ULL));
    m_ordinary = c.users - static_cast<std::uint32_t>(c.celebrities.size());
    m_zipf = Zipf(m_ordinary, c.exponent);
    m_rank = Affine::random(m_ordinary, rng);
    for (std::size_t i = 0; i < c.celebrities.size(); ++i) {
        Celebrity cel;
        cel.perm = Affine::random(c.users, rng);
        cel.followers = c.celebrities[i];
        cel.selfImage = static_cast<std::uint32_t>(cel.perm.map(i));
        cel.threshold = cel.followers + (cel.selfImage < cel.followers ? 1u : 0u);
        m_celebs.push_back(cel);
    }

    // Followers of ordinary accounts: count, then fill, from the same regenerated lists.
    m_offsets.assign(std::size_t(c.users) + 1, 0);
    std::vector<UserId> list;
    for (UserId u = 0; u < c.users; ++u) {
        ordinaryFollowees(u, list);
        for (UserId v : list)
            ++m_offsets[v + 1];
    }
    std::partial_sum(m_offsets.begin(), m_offsets.end(), m_offsets.begin());
    m_followers.resize(m_offsets.back());
    std::vector<std::uint32_t> next(m_offsets.begin(), m_offsets.end() - 1);
    for (UserId u = 0; u < c.users; ++u) {
        ordinaryFollowees(u, list);
        for (UserId v : list)
            m_followers[next[v]++] = u;
    }
}

int FollowerGraph::followsOf(UserId u, Rng &rng) const
{
    const auto span = static_cast<std::uint64_t>(std::max(1.0, std::round(2 * m_config.meanFollows - 1)));
    const std::uint64_t candidates = isCelebrity(u) ? m_ordinary : m_ordinary - 1; // never itself
    return static_cast<int>(std::min<std::uint64_t>({ 1 + rng.below(span), candidates, kMaxFollows }));
}

UserId FollowerGraph::drawOrdinary(Rng &rng) const
{
    const std::uint64_t rank = m_zipf(rng) - 1;
    return static_cast<UserId>(m_celebs.size() + m_rank.map(rank));
}

void FollowerGraph::ordinaryFollowees(UserId u, std::vector<UserId> &out) const
{
    out.clear();
    Rng rng(mix(m_config.seed + 0x9e3779b97f4a7c15ULL * (std::uint64_t(u) + 1)));
    const int want = followsOf(u, rng);
    // A repeat or u itself is drawn again; popular accounts repeat often at a high exponent, so
    // the attempts are bounded and a list may come out short (the same way every time).
    for (int attempts = 0; static_cast<int>(out.size()) < want && attempts < 8 * want; ++attempts) {
        const UserId v = drawOrdinary(rng);
        if (v != u && std::find(out.begin(), out.end(), v) == out.end())
            out.push_back(v);
    }
}

bool FollowerGraph::followsCelebrity(UserId u, int c) const
{
    const Celebrity &cel = m_celebs[static_cast<std::size_t>(c)];
    return u != static_cast<UserId>(c) && cel.perm.map(u) < cel.threshold;
}

std::uint32_t FollowerGraph::followerCount(UserId author) const
{
    if (isCelebrity(author))
        return m_celebs[author].followers;
    return m_offsets[author + 1] - m_offsets[author];
}

UserId FollowerGraph::followerAt(UserId author, std::uint32_t i) const
{
    if (isCelebrity(author)) {
        const Celebrity &cel = m_celebs[author];
        std::uint64_t k = i;
        if (cel.selfImage < cel.threshold && k >= cel.selfImage)
            ++k; // the celebrity's own image is not a follower
        return static_cast<UserId>(cel.perm.unmap(k));
    }
    return m_followers[m_offsets[author] + i];
}

std::uint32_t FollowerGraph::followeeCount(UserId u) const
{
    std::vector<UserId> list;
    ordinaryFollowees(u, list);
    auto n = static_cast<std::uint32_t>(list.size());
    for (int c = 0; c < celebrityCount(); ++c)
        n += followsCelebrity(u, c) ? 1 : 0;
    return n;
}

std::size_t FollowerGraph::memoryBytes() const
{
    return m_offsets.capacity() * sizeof(std::uint32_t) + m_followers.capacity() * sizeof(UserId)
        + m_celebs.capacity() * sizeof(Celebrity) + sizeof(*this);
}

} // namespace stampede
