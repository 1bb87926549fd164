#pragma once

// The soak's one source of randomness, seeded from --seed, so that a run's choices can be told
// apart from the machine's timing (the log has both).

#include <QList>
#include <QString>

#include <cstdint>
#include <random>

namespace stampede::soak {

class Rng {
public:
    explicit Rng(std::uint64_t seed)
        : m_engine(seed)
    {
    }

    int uniform(int lo, int hi) { return std::uniform_int_distribution<int>(lo, hi)(m_engine); } // inclusive
    double real(double lo, double hi) { return std::uniform_real_distribution<double>(lo, hi)(m_engine); }
    bool chance(double p) { return real(0, 1) < p; }
    template<typename T> const T &pick(const QList<T> &list) { return list.at(uniform(0, int(list.size()) - 1)); }
    // Index into `weights` with probability proportional to each weight.
    int weighted(const QList<int> &weights)
    {
        int total = 0;
        for (const int w : weights)
            total += w;
        int r = uniform(0, total - 1);
        for (int i = 0; i < int(weights.size()); ++i) {
            if (r < weights[i])
                return i;
            r -= weights[i];
        }
        return int(weights.size()) - 1;
    }

private:
    std::mt19937_64 m_engine;
};

} // namespace stampede::soak
