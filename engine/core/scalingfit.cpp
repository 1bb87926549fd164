#include "scalingfit.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <cstddef>
#include <cstdio>
#include <limits>

namespace stampede::scaling {

namespace {

constexpr double kInf = std::numeric_limits<double>::infinity();
// Relative size below which a sum of squares, or a term's effect on the curve, counts as zero.
constexpr double kTinySumSq = 1e-12;
constexpr double kTinyTerm = 1e-9;

struct Params {
    double lambda = 0;
    double sigma = 0;
    double kappa = 0;
};

std::string number(double v)
{
    char buf[32];
    std::snprintf(buf, sizeof buf, "%g", v);
    return buf;
}

// Empty when the points can be fitted; otherwise the one-line reason.
std::string check(const std::vector<Point> &points, const char *who, std::size_t minDistinct)
{
    for (std::size_t i = 0; i < points.size(); ++i) {
        const Point &p = points[i];
        const std::string at = std::string(who) + ": point " + std::to_string(i + 1);
        if (!std::isfinite(p.n) || p.n <= 0)
            return at + " has n = " + number(p.n) + "; N must be finite and > 0";
        if (!std::isfinite(p.x) || p.x <= 0)
            return at + " has x = " + number(p.x) + "; throughput must be finite and > 0";
    }
    std::vector<double> ns;
    ns.reserve(points.size());
    for (const Point &p : points)
        ns.push_back(p.n);
    std::sort(ns.begin(), ns.end());
    const auto distinct = static_cast<std::size_t>(std::unique(ns.begin(), ns.end()) - ns.begin());
    if (distinct < minDistinct)
        return std::string(who) + ": needs at least " + std::to_string(minDistinct)
            + " distinct N with throughput > 0 (got " + std::to_string(distinct) + ")";
    return {};
}

double denominator(const Params &p, double n) { return 1 + p.sigma * (n - 1) + p.kappa * n * (n - 1); }

// The objective: squared throughput residuals. Parameters that make a denominator vanish (only
// possible for n < 1) are no curve at all.
double sumSq(const std::vector<Point> &points, const Params &p)
{
    if (!(p.lambda > 0))
        return kInf;
    double acc = 0;
    for (const Point &pt : points) {
        const double d = denominator(p, pt.n);
        if (!(d > 0))
            return kInf;
        const double r = pt.x - p.lambda * pt.n / d;
        acc += r * r;
    }
    return acc;
}

// For a fixed lambda the USL is linear in (sigma, kappa): y = lambda*n/x - 1 = sigma*(n-1) +
// kappa*n*(n-1). Weighted by (dX/dy)^2 ~ (x^2/(lambda*n))^2 so a unit of y error costs what the
// matching throughput error would. Non-negative least squares in two variables is exact by
// trying every active set: the unconstrained optimum if feasible, else the best one on an edge.
Params contentionFor(const std::vector<Point> &points, double lambda, bool withKappa)
{
    double saa = 0, sab = 0, sbb = 0, say = 0, sby = 0;
    for (const Point &pt : points) {
        const double a = pt.n - 1;
        const double b = pt.n * (pt.n - 1);
        const double y = lambda * pt.n / pt.x - 1;
        const double g = pt.x * pt.x / (lambda * pt.n);
        const double w = g * g;
        saa += w * a * a;
        sab += w * a * b;
        sbb += w * b * b;
        say += w * a * y;
        sby += w * b * y;
    }
    // How much (s, k) lowers the weighted squared error below that of (0, 0); higher is better.
    const auto gain
        = [&](double s, double k) { return 2 * s * say + 2 * k * sby - s * s * saa - 2 * s * k * sab - k * k * sbb; };
    Params best { lambda, 0, 0 };
    double bestGain = 0;
    const auto consider = [&](double s, double k) {
        if (s < 0 || k < 0 || !std::isfinite(s) || !std::isfinite(k))
            return;
        const double g = gain(s, k);
        if (g > bestGain) {
            bestGain = g;
            best.sigma = s;
            best.kappa = k;
        }
    };
    if (withKappa) {
        const double det = saa * sbb - sab * sab;
        if (det > 1e-12 * saa * sbb) {
            const double s = (say * sbb - sby * sab) / det;
            const double k = (sby * saa - say * sab) / det;
            if (s >= 0 && k >= 0 && std::isfinite(s) && std::isfinite(k))
                return { lambda, s, k };
        }
        if (sbb > 0)
            consider(0, sby / sbb);
    }
    if (saa > 0)
        consider(say / saa, 0);
    return best;
}

double profile(const std::vector<Point> &points, double lambda, bool withKappa)
{
    return sumSq(points, contentionFor(points, lambda, withKappa));
}

// Best lambda of the profile: a log grid over a generous bracket (widened while the best sits on
// an edge), then golden section between the best grid point's neighbours. The grid guards
// against a profile with more than one dip; golden section takes it to double precision.
Params profileFit(const std::vector<Point> &points, bool withKappa)
{
    double lo = kInf, hi = 0;
    for (const Point &pt : points) {
        lo = std::min(lo, pt.x / pt.n);
        hi = std::max({ hi, pt.x / pt.n, pt.x });
    }
    // X(n) <= lambda*n for n >= 1, so lambda >= x/n up to noise; above, X(1) = lambda and
    // a curve past its peak at its smallest N needs lambda well above any measured x.
    lo *= 0.3;
    hi *= 10;
    constexpr std::size_t kGrid = 241;
    std::array<double, kGrid> grid {};
    std::array<double, kGrid> value {};
    std::size_t best = 0;
    for (int widen = 0; widen < 12; ++widen) {
        const double step = std::log(hi / lo) / (kGrid - 1);
        for (std::size_t i = 0; i < kGrid; ++i) {
            grid[i] = lo * std::exp(step * static_cast<double>(i));
            value[i] = profile(points, grid[i], withKappa);
        }
        best = static_cast<std::size_t>(std::min_element(value.begin(), value.end()) - value.begin());
        if (best == kGrid - 1)
            hi *= 16;
        else if (best == 0)
            lo /= 16;
        else
            break;
    }
    double a = grid[best == 0 ? 0 : best - 1];
    double b = grid[std::min(best + 1, kGrid - 1)];
    const double invPhi = (std::sqrt(5.0) - 1) / 2;
    double c = b - invPhi * (b - a);
    double d = a + invPhi * (b - a);
    double fc = profile(points, c, withKappa);
    double fd = profile(points, d, withKappa);
    for (int i = 0; i < 200 && (b - a) > 1e-15 * b; ++i) {
        if (fc <= fd) {
            b = d;
            d = c;
            fd = fc;
            c = b - invPhi * (b - a);
            fc = profile(points, c, withKappa);
        } else {
            a = c;
            c = d;
            fc = fd;
            d = a + invPhi * (b - a);
            fd = profile(points, d, withKappa);
        }
    }
    double lambda = fc <= fd ? c : d;
    if (value[best] < std::min(fc, fd))
        lambda = grid[best];
    return contentionFor(points, lambda, withKappa);
}

using Matrix3 = std::array<std::array<double, 3>, 3>;
using Vector3 = std::array<double, 3>;

// Solves (A + mu*diag(A)) delta = g over the free variables, in Jacobi-scaled form so lambda
// (thousands) and kappa (thousandths) are on one footing. False when the system is singular.
bool dampedStep(const Matrix3 &a, const Vector3 &g, const std::array<bool, 3> &free, double mu, Vector3 &delta)
{
    std::array<std::size_t, 3> idx {};
    std::size_t m = 0;
    for (std::size_t i = 0; i < 3; ++i) {
        if (free[i] && a[i][i] > 0)
            idx[m++] = i;
    }
    delta = { 0, 0, 0 };
    if (m == 0)
        return false;
    Vector3 scale {};
    for (std::size_t r = 0; r < m; ++r)
        scale[r] = std::sqrt(a[idx[r]][idx[r]]);
    std::array<std::array<double, 4>, 3> mat {}; // augmented [M + mu*I | g], scaled
    for (std::size_t r = 0; r < m; ++r) {
        for (std::size_t c = 0; c < m; ++c)
            mat[r][c] = a[idx[r]][idx[c]] / (scale[r] * scale[c]) + (r == c ? mu : 0);
        mat[r][3] = g[idx[r]] / scale[r];
    }
    // Gaussian elimination with partial pivoting; at most 3x3.
    for (std::size_t col = 0; col < m; ++col) {
        std::size_t piv = col;
        for (std::size_t r = col + 1; r < m; ++r) {
            if (std::abs(mat[r][col]) > std::abs(mat[piv][col]))
                piv = r;
        }
        std::swap(mat[col], mat[piv]);
        if (!(std::abs(mat[col][col]) > 1e-300))
            return false;
        for (std::size_t r = col + 1; r < m; ++r) {
            const double f = mat[r][col] / mat[col][col];
            for (std::size_t c = col; c < 4; ++c)
                mat[r][c] -= f * mat[col][c];
        }
    }
    Vector3 z {};
    for (std::size_t r = m; r-- > 0;) {
        double s = mat[r][3];
        for (std::size_t c = r + 1; c < m; ++c)
            s -= mat[r][c] * z[c];
        z[r] = s / mat[r][r];
    }
    for (std::size_t r = 0; r < m; ++r)
        delta[idx[r]] = z[r] / scale[r];
    return true;
}

// Levenberg-Marquardt on the true throughput residuals, projected onto sigma, kappa >= 0: a
// parameter sitting on its bound with the gradient pushing it further out is held there. Only
// steps that lower the squared error are taken, so the result is never worse than the start.
Params refine(const std::vector<Point> &points, Params p, bool withKappa)
{
    double cur = sumSq(points, p);
    if (!std::isfinite(cur))
        return p;
    double mu = 1e-3;
    for (int iter = 0; iter < 500 && cur > 0; ++iter) {
        Matrix3 a {};
        Vector3 g {};
        for (const Point &pt : points) {
            const double d = denominator(p, pt.n);
            const double r = pt.x - p.lambda * pt.n / d;
            const double dd = -p.lambda * pt.n / (d * d);
            const Vector3 j { pt.n / d, dd * (pt.n - 1), withKappa ? dd * pt.n * (pt.n - 1) : 0.0 };
            for (std::size_t u = 0; u < 3; ++u) {
                g[u] += j[u] * r;
                for (std::size_t v = 0; v < 3; ++v)
                    a[u][v] += j[u] * j[v];
            }
        }
        // g is minus half the gradient: raising a parameter lowers the error when its g > 0.
        const std::array<bool, 3> free { true, !(p.sigma <= 0 && g[1] <= 0),
            withKappa && !(p.kappa <= 0 && g[2] <= 0) };
        bool improved = false;
        while (mu < 1e12) {
            Vector3 delta {};
            if (!dampedStep(a, g, free, mu, delta))
                return p;
            Params next { p.lambda + delta[0], std::max(0.0, p.sigma + delta[1]),
                withKappa ? std::max(0.0, p.kappa + delta[2]) : 0.0 };
            if (!(next.lambda > 0))
                next.lambda = p.lambda / 2;
            const double s = sumSq(points, next);
            if (s < cur) {
                const bool tiny = cur - s <= 1e-15 * cur;
                p = next;
                cur = s;
                mu = std::max(mu / 10, 1e-12);
                improved = !tiny;
                break;
            }
            mu *= 10;
        }
        if (!improved)
            break;
    }
    return p;
}

// A term that moves the curve by less than kTinyTerm anywhere in the measured range is noise in
// the last bits, not evidence; report it as 0 so nMax is the honest +infinity.
Params dropNegligible(const std::vector<Point> &points, Params p)
{
    double maxA = 0, maxB = 0;
    for (const Point &pt : points) {
        maxA = std::max(maxA, std::abs(pt.n - 1));
        maxB = std::max(maxB, std::abs(pt.n * (pt.n - 1)));
    }
    if (p.sigma * maxA < kTinyTerm)
        p.sigma = 0;
    if (p.kappa * maxB < kTinyTerm)
        p.kappa = 0;
    return p;
}

double rSquared(const std::vector<Point> &points, double ssRes)
{
    double mean = 0, sumX2 = 0;
    for (const Point &pt : points) {
        mean += pt.x;
        sumX2 += pt.x * pt.x;
    }
    mean /= static_cast<double>(points.size());
    double ssTot = 0;
    for (const Point &pt : points)
        ssTot += (pt.x - mean) * (pt.x - mean);
    const double tiny = kTinySumSq * sumX2;
    if (ssTot <= tiny)
        return ssRes <= tiny ? 1.0 : 0.0;
    return 1 - ssRes / ssTot;
}

Params fit(const std::vector<Point> &points, bool withKappa)
{
    Params best = refine(points, profileFit(points, withKappa), withKappa);
    // sigma = 1, kappa = 0 is the flat line through the mean; starting there too means the fit
    // never explains less than the mean does (r2 >= 0) even if the profile misled the search.
    double mean = 0;
    for (const Point &pt : points)
        mean += pt.x;
    mean /= static_cast<double>(points.size());
    const Params flat = refine(points, Params { mean, 1, 0 }, withKappa);
    if (sumSq(points, flat) < sumSq(points, best))
        best = flat;
    return dropNegligible(points, best);
}

} // namespace

double usl(double lambda, double sigma, double kappa, double n)
{
    return lambda * n / (1 + sigma * (n - 1) + kappa * n * (n - 1));
}

UslFit fitUsl(const std::vector<Point> &points)
{
    UslFit out;
    out.error = check(points, "USL fit", 3);
    if (!out.error.empty())
        return out;
    const Params p = fit(points, true);
    out.ok = true;
    out.lambda = p.lambda;
    out.sigma = p.sigma;
    out.kappa = p.kappa;
    out.r2 = rSquared(points, sumSq(points, p));
    if (p.sigma >= 1) {
        out.nMax = 1;
        out.peakX = p.lambda;
    } else if (p.kappa <= 0) {
        out.nMax = kInf;
        out.peakX = kInf;
    } else {
        out.nMax = std::sqrt((1 - p.sigma) / p.kappa);
        out.peakX = usl(p.lambda, p.sigma, p.kappa, out.nMax);
    }
    return out;
}

AmdahlFit fitAmdahl(const std::vector<Point> &points)
{
    AmdahlFit out;
    out.error = check(points, "Amdahl fit", 2);
    if (!out.error.empty())
        return out;
    const Params p = fit(points, false);
    out.ok = true;
    out.lambda = p.lambda;
    out.sigma = p.sigma;
    out.r2 = rSquared(points, sumSq(points, p));
    return out;
}

} // namespace stampede::scaling
