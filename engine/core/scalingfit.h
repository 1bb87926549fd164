#pragma once

// Fits the Universal Scalability Law, X(N) = lambda*N / (1 + sigma*(N-1) + kappa*N*(N-1)), and
// its kappa = 0 special case, Amdahl's law, to measured (N, throughput) points. A node-count
// sweep then reads as three numbers with meaning: what one unit does (lambda), how much of the
// work is serialised (sigma, contention) and how much crosstalk grows with pairs of units
// (kappa, coherence), and from them where adding units stops paying (nMax).
//
// The fit is least squares on the throughput residuals (x_i - X(N_i))^2 with lambda > 0,
// sigma >= 0 and kappa >= 0, so a large throughput is not drowned by a small one in 1/X space.
// It is deterministic: the same points, in any order, give the same numbers. Plain C++, no Qt.

#include <string>
#include <vector>

namespace stampede::scaling {

struct Point {
    double n = 0; // nodes (or cores); finite and > 0, need not be an integer
    double x = 0; // measured throughput; finite and > 0
};

struct UslFit {
    bool ok = false;
    // One line when !ok, naming the problem, e.g. "USL fit: point 3 has n = -1 ..." (points
    // are numbered from 1) or "USL fit: needs at least 3 distinct N with throughput > 0 (got 2)".
    std::string error;
    double lambda = 0; // throughput of one unit: X(1) of the fitted curve
    double sigma = 0; // contention, >= 0; above 1 the curve falls from N = 1 on
    double kappa = 0; // coherence, >= 0
    // 1 - SS_res/SS_tot in throughput space. When the points are flat (SS_tot below 1e-12 of
    // sum x^2, i.e. no variation to explain) it is 1 if SS_res is as small, else 0.
    double r2 = 0;
    // Where the curve peaks: sqrt((1 - sigma)/kappa) for sigma < 1 and kappa > 0 (below 1 when
    // the measured range is already past the peak); +infinity for sigma < 1 and kappa == 0 (the
    // curve never turns down); 1 for sigma >= 1, where X only falls as N grows, so one unit is
    // the best there is. A sigma or kappa whose whole effect over the measured N is below 1e-9
    // of the curve is reported as exactly 0, so exact linear data gives kappa = 0, nMax = inf.
    double nMax = 0;
    double peakX = 0; // X(nMax) when nMax is finite, else +infinity
};

struct AmdahlFit {
    bool ok = false;
    std::string error; // as UslFit::error, prefixed "Amdahl fit:"
    double lambda = 0;
    double sigma = 0; // >= 0
    double r2 = 0; // as UslFit::r2
};

// lambda*n / (1 + sigma*(n-1) + kappa*n*(n-1))
double usl(double lambda, double sigma, double kappa, double n);

// Needs at least 3 distinct n; every point must have finite n > 0 and x > 0, or the fit fails
// with an error naming the first bad point. Repeated n (repeated runs) are fine.
UslFit fitUsl(const std::vector<Point> &points);
// kappa fixed at 0; needs at least 2 distinct n.
AmdahlFit fitAmdahl(const std::vector<Point> &points);

} // namespace stampede::scaling
