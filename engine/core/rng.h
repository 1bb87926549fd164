#pragma once

// Small, fast, seedable generator (xoshiro256**) for per-thread traffic: each engine thread
// owns one, seeded from the run seed and the thread index.

#include <cmath>
#include <cstdint>

namespace stampede {

class Rng {
public:
    explicit Rng(std::uint64_t seed)
    {
        for (auto &s : m_s)
            s = splitmix(seed);
    }
    std::uint64_t next()
    {
        const std::uint64_t result = rotl(m_s[1] * 5, 7) * 9;
        const std::uint64_t t = m_s[1] << 17;
        m_s[2] ^= m_s[0];
        m_s[3] ^= m_s[1];
        m_s[1] ^= m_s[2];
        m_s[0] ^= m_s[3];
        m_s[2] ^= t;
        m_s[3] = rotl(m_s[3], 45);
        return result;
    }
    // uniform in (0, 1]: never 0, so log() below is finite
    double uniform() { return (static_cast<double>(next() >> 11) + 1.0) * 0x1.0p-53; }
    // uniform in [0, n): the high half of a 128-bit product (Lemire), not a 64-bit division
    std::uint64_t below(std::uint64_t n) { return static_cast<std::uint64_t>((static_cast<U128>(next()) * n) >> 64); }
    // exponential with the given mean
    double exponential(double mean) { return -std::log(uniform()) * mean; }

private:
    __extension__ using U128 = unsigned __int128;
    static std::uint64_t rotl(std::uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }
    static std::uint64_t splitmix(std::uint64_t &x)
    {
        std::uint64_t z = (x += 0x9e3779b97f4a7c15ULL);
        z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
        z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
        return z ^ (z >> 31);
    }
    std::uint64_t m_s[4];
};

} // namespace stampede
