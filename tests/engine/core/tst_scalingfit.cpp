// The USL and Amdahl fits (core/scalingfit.h): exact curves come back to three significant
// figures with or without an N = 1 point, mild noise still finds contention and the peak, the
// answer is a least-squares optimum that no nearby or coarse-grid curve beats, a flat (hot row)
// curve is fitted and its r2 follows the documented rule, and bad input is named, never crashes.

#include "scalingfit.h"

#include <QList>
#include <QString>
#include <QStringList>
#include <QTest>

#include <algorithm>
#include <cmath>
#include <limits>
#include <vector>

using stampede::scaling::AmdahlFit;
using stampede::scaling::Point;
using stampede::scaling::UslFit;
namespace scaling = stampede::scaling;

namespace {

constexpr double kInf = std::numeric_limits<double>::infinity();
constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

const QList<double> kSweep { 1, 2, 4, 8, 16, 32 }; // doubling node counts, as a sweep runs them
const QList<double> kNoOne { 2, 3, 5, 9 }; // no N = 1 point, so lambda must be extrapolated

// The curve at each N, times (1 + noise) on even points and (1 - noise) on odd ones (phase -1
// swaps them): deterministic noise that no smooth curve can follow.
std::vector<Point> sweep(
    double lambda, double sigma, double kappa, const QList<double> &ns, double noise = 0, int phase = 1)
{
    std::vector<Point> pts;
    int sign = phase;
    for (double n : ns) {
        pts.push_back({ n, scaling::usl(lambda, sigma, kappa, n) * (1 + sign * noise) });
        sign = -sign;
    }
    return pts;
}

double sumSq(const std::vector<Point> &pts, double lambda, double sigma, double kappa)
{
    double acc = 0;
    for (const Point &p : pts) {
        const double r = p.x - scaling::usl(lambda, sigma, kappa, p.n);
        acc += r * r;
    }
    return acc;
}

// |got - want| within rel of want, or within abs when want is 0 (relative error means nothing there).
bool near(double got, double want, double rel, double abs = 0)
{
    return std::abs(got - want) <= rel * std::abs(want) + abs;
}

QString describe(const UslFit &f)
{
    return QStringList { QStringLiteral("lambda %1").arg(f.lambda, 0, 'g', 10),
        QStringLiteral("sigma %1").arg(f.sigma, 0, 'g', 10), QStringLiteral("kappa %1").arg(f.kappa, 0, 'g', 10),
        QStringLiteral("r2 %1").arg(f.r2, 0, 'g', 10), QStringLiteral("nMax %1").arg(f.nMax, 0, 'g', 10) }
        .join(QStringLiteral(", "));
}

// The five curve shapes every recovery table runs: name, lambda, sigma, kappa.
struct Shape {
    const char *name;
    double lambda, sigma, kappa;
};
constexpr Shape kShapes[] = {
    { "linear", 1000, 0, 0 },
    { "amdahl 0.05", 800, 0.05, 0 },
    { "amdahl 0.2", 1200, 0.2, 0 },
    { "coherence 0.005", 500, 0, 0.005 },
    { "both 0.02/0.004", 1000, 0.02, 0.004 },
};

} // namespace

class TestScalingFit : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void uslFormula_data();
    void uslFormula();
    void exactRecovery_data();
    void exactRecovery();
    void noisyRecovery_data();
    void noisyRecovery();
    void fitIsLeastSquaresOptimum_data();
    void fitIsLeastSquaresOptimum();
    void flatCurve_data();
    void flatCurve();
    void fallingCurvePeaksAtOneUnit();
    void amdahlRecovery_data();
    void amdahlRecovery();
    void amdahlMissesCoherence_data();
    void amdahlMissesCoherence();
    void orderAndRepeatsDoNotMatter();
    void badInput_data();
    void badInput();
};

void TestScalingFit::uslFormula_data()
{
    QTest::addColumn<double>("lambda");
    QTest::addColumn<double>("sigma");
    QTest::addColumn<double>("kappa");
    QTest::addColumn<double>("n");
    QTest::addColumn<double>("want");
    QTest::newRow("one unit is lambda") << 750.0 << 0.3 << 0.01 << 1.0 << 750.0;
    QTest::newRow("linear") << 1000.0 << 0.0 << 0.0 << 8.0 << 8000.0;
    QTest::newRow("amdahl") << 100.0 << 0.1 << 0.0 << 10.0 << 1000.0 / 1.9;
    QTest::newRow("both") << 100.0 << 0.1 << 0.01 << 10.0 << 1000.0 / 2.8;
    QTest::newRow("flat at sigma 1") << 42.0 << 1.0 << 0.0 << 64.0 << 42.0;
}

void TestScalingFit::uslFormula()
{
    QFETCH(double, lambda);
    QFETCH(double, sigma);
    QFETCH(double, kappa);
    QFETCH(double, n);
    QFETCH(double, want);
    QVERIFY(near(scaling::usl(lambda, sigma, kappa, n), want, 1e-12));
}

void TestScalingFit::exactRecovery_data()
{
    QTest::addColumn<double>("lambda");
    QTest::addColumn<double>("sigma");
    QTest::addColumn<double>("kappa");
    QTest::addColumn<QList<double>>("ns");
    for (const Shape &s : kShapes) {
        QTest::addRow("%s, N=1..32", s.name) << s.lambda << s.sigma << s.kappa << kSweep;
        QTest::addRow("%s, N=2,3,5,9", s.name) << s.lambda << s.sigma << s.kappa << kNoOne;
    }
}

void TestScalingFit::exactRecovery()
{
    QFETCH(double, lambda);
    QFETCH(double, sigma);
    QFETCH(double, kappa);
    QFETCH(QList<double>, ns);
    const UslFit f = scaling::fitUsl(sweep(lambda, sigma, kappa, ns));
    QVERIFY2(f.ok, f.error.c_str());
    QVERIFY(f.error.empty());
    const QString got = describe(f);
    QVERIFY2(near(f.lambda, lambda, 1e-3), qPrintable(got));
    QVERIFY2(near(f.sigma, sigma, 1e-3, 1e-7), qPrintable(got));
    QVERIFY2(near(f.kappa, kappa, 1e-3, 1e-9), qPrintable(got));
    QVERIFY2(f.r2 > 0.9999 && f.r2 <= 1, qPrintable(got));
    if (kappa == 0) {
        // No coherence in the data: reported as exactly none, and the curve never turns down.
        QCOMPARE(f.kappa, 0.0);
        QVERIFY2(std::isinf(f.nMax) && f.nMax > 0, qPrintable(got));
        QVERIFY2(std::isinf(f.peakX) && f.peakX > 0, qPrintable(got));
    } else {
        const double nMax = std::sqrt((1 - sigma) / kappa);
        QVERIFY2(near(f.nMax, nMax, 1e-3), qPrintable(got));
        QVERIFY2(near(f.nMax, std::sqrt((1 - f.sigma) / f.kappa), 1e-12), qPrintable(got));
        QVERIFY2(near(f.peakX, scaling::usl(lambda, sigma, kappa, nMax), 1e-3), qPrintable(got));
    }
}

void TestScalingFit::noisyRecovery_data()
{
    QTest::addColumn<double>("lambda");
    QTest::addColumn<double>("sigma");
    QTest::addColumn<double>("kappa");
    QTest::addColumn<int>("phase");
    for (const Shape &s : kShapes) {
        QTest::addRow("%s, +-2%%", s.name) << s.lambda << s.sigma << s.kappa << 1;
        QTest::addRow("%s, -+2%%", s.name) << s.lambda << s.sigma << s.kappa << -1;
    }
}

void TestScalingFit::noisyRecovery()
{
    QFETCH(double, lambda);
    QFETCH(double, sigma);
    QFETCH(double, kappa);
    QFETCH(int, phase);
    const UslFit f = scaling::fitUsl(sweep(lambda, sigma, kappa, kSweep, 0.02, phase));
    QVERIFY2(f.ok, f.error.c_str());
    const QString got = describe(f);
    QVERIFY2(std::abs(f.sigma - sigma) <= 0.01, qPrintable(got));
    QVERIFY2(near(f.lambda, lambda, 0.05), qPrintable(got));
    QVERIFY2(f.r2 > 0.99 && f.r2 < 1, qPrintable(got));
    if (kappa > 0) {
        // The sweep doubles N, so "within one step" is within a factor of 2 of the true peak.
        const double nMax = std::sqrt((1 - sigma) / kappa);
        QVERIFY2(std::isfinite(f.nMax), qPrintable(got));
        QVERIFY2(std::abs(std::log2(f.nMax / nMax)) <= 1, qPrintable(got));
    }
}

void TestScalingFit::fitIsLeastSquaresOptimum_data()
{
    QTest::addColumn<double>("lambda");
    QTest::addColumn<double>("sigma");
    QTest::addColumn<double>("kappa");
    QTest::addColumn<QList<double>>("ns");
    QTest::addColumn<double>("noise");
    for (const Shape &s : kShapes) {
        QTest::addRow("%s, N=1..32, 5%%", s.name) << s.lambda << s.sigma << s.kappa << kSweep << 0.05;
        QTest::addRow("%s, N=2,3,5,9, 2%%", s.name) << s.lambda << s.sigma << s.kappa << kNoOne << 0.02;
    }
    QTest::newRow("falling, N=1..32, 2%") << 1000.0 << 1.5 << 0.0 << kSweep << 0.02;
    QTest::newRow("flat, N=1..32, 5%") << 1000.0 << 1.0 << 0.0 << kSweep << 0.05;
}

// The fit claims least squares in throughput space under sigma, kappa >= 0: no small move of
// any parameter, and no curve on a coarse (sigma, kappa) grid with its best lambda, does better.
void TestScalingFit::fitIsLeastSquaresOptimum()
{
    QFETCH(double, lambda);
    QFETCH(double, sigma);
    QFETCH(double, kappa);
    QFETCH(QList<double>, ns);
    QFETCH(double, noise);
    const std::vector<Point> pts = sweep(lambda, sigma, kappa, ns, noise);
    const UslFit f = scaling::fitUsl(pts);
    QVERIFY2(f.ok, f.error.c_str());
    const double best = sumSq(pts, f.lambda, f.sigma, f.kappa);
    const double slack = best * 1e-9;
    const QString got = describe(f);
    for (double h : { 1e-2, 1e-4 }) {
        for (double dir : { -1.0, 1.0 }) {
            QVERIFY2(sumSq(pts, f.lambda * (1 + dir * h), f.sigma, f.kappa) >= best - slack, qPrintable(got));
            const double s = std::max(0.0, f.sigma + dir * h * std::max(f.sigma, 0.01));
            QVERIFY2(sumSq(pts, f.lambda, s, f.kappa) >= best - slack, qPrintable(got));
            const double k = std::max(0.0, f.kappa + dir * h * std::max(f.kappa, 1e-4));
            QVERIFY2(sumSq(pts, f.lambda, f.sigma, k) >= best - slack, qPrintable(got));
        }
    }
    // X is linear in lambda, so each grid (sigma, kappa) gets its exact best lambda.
    for (int i = 0; i <= 120; ++i) {
        const double s = i == 0 ? 0 : 1e-4 * std::pow(1.08, i);
        for (int j = 0; j <= 120; ++j) {
            const double k = j == 0 ? 0 : 1e-7 * std::pow(1.1, j);
            double xf = 0, ff = 0;
            for (const Point &p : pts) {
                const double unit = scaling::usl(1, s, k, p.n);
                xf += p.x * unit;
                ff += unit * unit;
            }
            const double l = xf / ff;
            QVERIFY2(sumSq(pts, l, s, k) >= best - slack,
                qPrintable(QStringLiteral("grid sigma %1 kappa %2 beats %3").arg(s).arg(k).arg(got)));
        }
    }
}

void TestScalingFit::flatCurve_data()
{
    QTest::addColumn<QList<double>>("ns");
    QTest::addColumn<double>("noise");
    QTest::newRow("exact, N=1..32") << kSweep << 0.0;
    QTest::newRow("exact, N=2,3,5,9") << kNoOne << 0.0;
    QTest::newRow("+-1%, N=1..32") << kSweep << 0.01;
    QTest::newRow("+-1%, N=2,3,5,9") << kNoOne << 0.01;
}

// A hot row: every node waits on the same lock, so throughput is the same at any N. The USL
// says that is sigma = 1 (all work serialised). r2 then has almost nothing to explain: exactly
// flat data has SS_tot = 0 and the documented r2 = 1 for a curve that goes through it; with
// noise only the noise is left, so r2 is low but still a number in [0, 1].
void TestScalingFit::flatCurve()
{
    QFETCH(QList<double>, ns);
    QFETCH(double, noise);
    std::vector<Point> pts;
    int sign = 1;
    for (double n : ns) {
        pts.push_back({ n, 3000 * (1 + sign * noise) });
        sign = -sign;
    }
    const UslFit f = scaling::fitUsl(pts);
    QVERIFY2(f.ok, f.error.c_str());
    const QString got = describe(f);
    for (const Point &p : pts) {
        QVERIFY2(near(scaling::usl(f.lambda, f.sigma, f.kappa, p.n), p.x, 0.03),
            qPrintable(QStringLiteral("N %1: %2").arg(p.n).arg(got)));
    }
    QVERIFY2(std::abs(f.sigma - 1) < 0.05, qPrintable(got));
    QVERIFY2(near(f.lambda, 3000, 0.03), qPrintable(got));
    if (noise == 0) {
        QCOMPARE(f.r2, 1.0);
    } else {
        QVERIFY2(f.r2 >= 0 && f.r2 < 0.5, qPrintable(got));
    }
}

// sigma > 1: each added node costs more than it brings. The peak is one unit, not the
// imaginary sqrt of a negative number.
void TestScalingFit::fallingCurvePeaksAtOneUnit()
{
    const UslFit f = scaling::fitUsl(sweep(1000, 1.5, 0, kSweep));
    QVERIFY2(f.ok, f.error.c_str());
    const QString got = describe(f);
    QVERIFY2(near(f.sigma, 1.5, 1e-3), qPrintable(got));
    QVERIFY2(near(f.lambda, 1000, 1e-3), qPrintable(got));
    QCOMPARE(f.nMax, 1.0);
    QVERIFY2(near(f.peakX, f.lambda, 1e-12), qPrintable(got));
}

void TestScalingFit::amdahlRecovery_data()
{
    QTest::addColumn<double>("lambda");
    QTest::addColumn<double>("sigma");
    QTest::addColumn<QList<double>>("ns");
    for (double s : { 0.0, 0.05, 0.2, 0.5 }) {
        QTest::addRow("sigma %g, N=1..32", s) << 900.0 << s << kSweep;
        QTest::addRow("sigma %g, N=2,3,5,9", s) << 900.0 << s << kNoOne;
    }
    QTest::newRow("two N only") << 400.0 << 0.1 << QList<double> { 1, 16 };
}

void TestScalingFit::amdahlRecovery()
{
    QFETCH(double, lambda);
    QFETCH(double, sigma);
    QFETCH(QList<double>, ns);
    const AmdahlFit f = scaling::fitAmdahl(sweep(lambda, sigma, 0, ns));
    QVERIFY2(f.ok, f.error.c_str());
    QVERIFY(f.error.empty());
    const QString got = QStringLiteral("lambda %1 sigma %2 r2 %3").arg(f.lambda).arg(f.sigma).arg(f.r2);
    QVERIFY2(std::abs(f.sigma - sigma) <= 1e-3, qPrintable(got));
    QVERIFY2(near(f.lambda, lambda, 1e-3), qPrintable(got));
    QVERIFY2(f.r2 > 0.9999 && f.r2 <= 1, qPrintable(got));
}

void TestScalingFit::amdahlMissesCoherence_data()
{
    QTest::addColumn<double>("lambda");
    QTest::addColumn<double>("sigma");
    QTest::addColumn<double>("kappa");
    QTest::addColumn<QList<double>>("ns");
    for (const Shape &s : kShapes) {
        if (s.kappa == 0)
            continue;
        QTest::addRow("%s, N=1..32", s.name) << s.lambda << s.sigma << s.kappa << kSweep;
        QTest::addRow("%s, N=2,3,5,9", s.name) << s.lambda << s.sigma << s.kappa << kNoOne;
    }
}

// A peaked curve needs kappa: Amdahl can only flatten out, so it explains measurably less.
void TestScalingFit::amdahlMissesCoherence()
{
    QFETCH(double, lambda);
    QFETCH(double, sigma);
    QFETCH(double, kappa);
    QFETCH(QList<double>, ns);
    const std::vector<Point> pts = sweep(lambda, sigma, kappa, ns);
    const UslFit u = scaling::fitUsl(pts);
    const AmdahlFit a = scaling::fitAmdahl(pts);
    QVERIFY2(u.ok, u.error.c_str());
    QVERIFY2(a.ok, a.error.c_str());
    const QString got = QStringLiteral("USL r2 %1, Amdahl r2 %2").arg(u.r2, 0, 'g', 10).arg(a.r2, 0, 'g', 10);
    QVERIFY2(a.r2 < u.r2, qPrintable(got));
    QVERIFY2(u.r2 > 0.9999, qPrintable(got));
    QVERIFY2(a.r2 < 0.999 && a.r2 >= 0, qPrintable(got));
}

// Nothing depends on the points being sorted or unique; repeating every run doubles each
// residual's weight equally, which moves no optimum; and the same input gives the same bits.
void TestScalingFit::orderAndRepeatsDoNotMatter()
{
    const std::vector<Point> pts = sweep(1000, 0.02, 0.004, kSweep, 0.02);
    const UslFit f = scaling::fitUsl(pts);
    QVERIFY2(f.ok, f.error.c_str());

    std::vector<Point> shuffled = pts;
    std::reverse(shuffled.begin(), shuffled.end());
    std::rotate(shuffled.begin(), shuffled.begin() + 2, shuffled.end());
    std::vector<Point> repeated = pts;
    repeated.insert(repeated.end(), pts.begin(), pts.end());
    for (const auto &other : { shuffled, repeated }) {
        const UslFit g = scaling::fitUsl(other);
        QVERIFY2(g.ok, g.error.c_str());
        const QString got = describe(f) + QStringLiteral(" vs ") + describe(g);
        QVERIFY2(near(g.lambda, f.lambda, 1e-6), qPrintable(got));
        QVERIFY2(near(g.sigma, f.sigma, 1e-4), qPrintable(got));
        QVERIFY2(near(g.kappa, f.kappa, 1e-4), qPrintable(got));
        QVERIFY2(near(g.r2, f.r2, 1e-9), qPrintable(got));
    }

    const UslFit again = scaling::fitUsl(pts);
    QCOMPARE(again.lambda, f.lambda);
    QCOMPARE(again.sigma, f.sigma);
    QCOMPARE(again.kappa, f.kappa);
}

void TestScalingFit::badInput_data()
{
    QTest::addColumn<bool>("usl"); // else Amdahl
    QTest::addColumn<QList<double>>("ns");
    QTest::addColumn<QList<double>>("xs");
    QTest::addColumn<QStringList>("words");
    const auto w = [](std::initializer_list<const char *> parts) {
        QStringList out;
        for (const char *p : parts)
            out << QString::fromUtf8(p);
        return out;
    };
    QTest::newRow("usl: no points") << true << QList<double> {} << QList<double> {}
                                    << w({ "USL fit: needs at least 3 distinct N", "(got 0)" });
    QTest::newRow("usl: one point") << true << QList<double> { 4 } << QList<double> { 100 }
                                    << w({ "at least 3 distinct N", "(got 1)" });
    QTest::newRow("usl: two distinct N") << true << QList<double> { 1, 2 } << QList<double> { 100, 190 }
                                         << w({ "USL fit: needs at least 3 distinct N with throughput > 0 (got 2)" });
    QTest::newRow("usl: repeats are not new N")
        << true << QList<double> { 1, 2, 2, 1, 2 } << QList<double> { 100, 190, 191, 101, 189 }
        << w({ "at least 3 distinct N", "(got 2)" });
    QTest::newRow("usl: n = 0") << true << QList<double> { 1, 0, 4 } << QList<double> { 100, 190, 300 }
                                << w({ "USL fit: point 2 has n = 0" });
    QTest::newRow("usl: n = -1") << true << QList<double> { 1, 2, -1, 8 } << QList<double> { 100, 190, 300, 500 }
                                 << w({ "USL fit: point 3 has n = -1" });
    QTest::newRow("usl: n = NaN") << true << QList<double> { 1, kNaN, 4 } << QList<double> { 100, 190, 300 }
                                  << w({ "point 2 has n = nan" });
    QTest::newRow("usl: n = inf") << true << QList<double> { 1, 2, kInf } << QList<double> { 100, 190, 300 }
                                  << w({ "point 3 has n = inf" });
    QTest::newRow("usl: x = 0") << true << QList<double> { 1, 2, 4 } << QList<double> { 0, 190, 300 }
                                << w({ "USL fit: point 1 has x = 0" });
    QTest::newRow("usl: x < 0") << true << QList<double> { 1, 2, 4 } << QList<double> { 100, -5, 300 }
                                << w({ "point 2 has x = -5" });
    QTest::newRow("usl: x = NaN") << true << QList<double> { 1, 2, 4 } << QList<double> { 100, 190, kNaN }
                                  << w({ "point 3 has x = nan" });
    QTest::newRow("usl: x = inf") << true << QList<double> { 1, 2, 4 } << QList<double> { kInf, 190, 300 }
                                  << w({ "point 1 has x = inf" });
    QTest::newRow("usl: bad point named before the count")
        << true << QList<double> { -3 } << QList<double> { 100 } << w({ "point 1 has n = -3" });
    QTest::newRow("amdahl: no points") << false << QList<double> {} << QList<double> {}
                                       << w({ "Amdahl fit: needs at least 2 distinct N", "(got 0)" });
    QTest::newRow("amdahl: one N, repeated")
        << false << QList<double> { 8, 8, 8 } << QList<double> { 100, 101, 99 }
        << w({ "Amdahl fit: needs at least 2 distinct N with throughput > 0 (got 1)" });
    QTest::newRow("amdahl: n = -2") << false << QList<double> { 1, -2 } << QList<double> { 100, 190 }
                                    << w({ "Amdahl fit: point 2 has n = -2" });
    QTest::newRow("amdahl: x = NaN") << false << QList<double> { 1, 2 } << QList<double> { kNaN, 190 }
                                     << w({ "Amdahl fit: point 1 has x = nan" });
}

void TestScalingFit::badInput()
{
    QFETCH(bool, usl);
    QFETCH(QList<double>, ns);
    QFETCH(QList<double>, xs);
    QFETCH(QStringList, words);
    QCOMPARE(ns.size(), xs.size());
    std::vector<Point> pts;
    for (qsizetype i = 0; i < ns.size(); ++i)
        pts.push_back({ ns[i], xs[i] });
    bool ok = true;
    std::string error;
    if (usl) {
        const UslFit f = scaling::fitUsl(pts);
        ok = f.ok;
        error = f.error;
    } else {
        const AmdahlFit f = scaling::fitAmdahl(pts);
        ok = f.ok;
        error = f.error;
    }
    const QString e = QString::fromStdString(error);
    QVERIFY(!ok);
    QVERIFY2(e.startsWith(usl ? QStringLiteral("USL fit: ") : QStringLiteral("Amdahl fit: ")), qPrintable(e));
    QVERIFY2(!e.contains(QLatin1Char('\n')), qPrintable(e));
    for (const QString &word : words)
        QVERIFY2(e.contains(word), qPrintable(QStringLiteral("'%1' not in '%2'").arg(word, e)));
}

QTEST_APPLESS_MAIN(TestScalingFit)
#include "tst_scalingfit.moc"
