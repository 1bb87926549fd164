#pragma once

// Zipf's law over the ranks 1..n: rank k is drawn with probability proportional to k^-s. O(1)
// per draw and no table, so it serves 10 M ranks as cheaply as 10: rejection-inversion
// (W. Hörmann and G. Derflinger, "Rejection-inversion to generate variates from monotone
// discrete distributions", ACM TOMACS 6(3), 1996). A continuous hat h(x) = x^-s is inverted
// over [1.5, n + 0.5] (rank 1 gets its exact mass below 1.5); a draw x rounds to k, accepted at
// once when it lands near k's centre, otherwise tested against k's exact mass. The expected
// number of rounds is under 1.1 for every s and n.

#include "rng.h"

#include <algorithm>
#include <cmath>
#include <cstdint>

namespace stampede {

class Zipf {
public:
    // n >= 1 ranks, exponent s > 0 (s = 1 is fine: the helpers below are continuous there).
    Zipf(std::uint64_t n, double s)
        : m_n(static_cast<double>(n))
        , m_s(s)
        , m_hX1(hIntegral(1.5) - 1.0)
        , m_hN(hIntegral(m_n + 0.5))
        , m_accept(2.0 - hIntegralInverse(hIntegral(2.5) - h(2.0)))
    {
    }

    std::uint64_t n() const { return static_cast<std::uint64_t>(m_n); }
    double exponent() const { return m_s; }

    // A rank in [1, n].
    std::uint64_t operator()(Rng &rng) const
    {
        for (;;) {
            // uniform over the hat's integral, from rank n's end (smallest) to rank 1's
            const double u = m_hN + rng.uniform() * (m_hX1 - m_hN);
            const double x = hIntegralInverse(u);
            const double k = std::clamp(std::floor(x + 0.5), 1.0, m_n);
            if (k - x <= m_accept || u >= hIntegral(k + 0.5) - h(k))
                return static_cast<std::uint64_t>(k);
        }
    }

private:
    double h(double x) const { return std::exp(-m_s * std::log(x)); }
    // The hat's integral from 1 to x, shifted: ((x^(1-s)) - 1) / (1 - s), log x at s = 1.
    double hIntegral(double x) const
    {
        const double lx = std::log(x);
        return expm1OverX((1.0 - m_s) * lx) * lx;
    }
    double hIntegralInverse(double x) const
    {
        double t = x * (1.0 - m_s);
        t = std::max(t, -1.0); // rounding may step past the integral's end
        return std::exp(log1pOverX(t) * x);
    }
    // (e^x - 1) / x and log(1 + x) / x, both 1 at x = 0, without the cancellation near it.
    static double expm1OverX(double x) { return std::abs(x) > 1e-8 ? std::expm1(x) / x : 1.0 + x * 0.5; }
    static double log1pOverX(double x) { return std::abs(x) > 1e-8 ? std::log1p(x) / x : 1.0 - x * 0.5; }

    double m_n;
    double m_s;
    double m_hX1; // hIntegral(1.5) - h(1): rank 1's mass taken below 1.5
    double m_hN; // hIntegral(n + 0.5)
    double m_accept; // a draw within this of its rank's centre is accepted without the test
};

} // namespace stampede
