// Zipf's law by rejection-inversion (core/zipf.h): ranks stay in range, and the frequencies of
// the first ranks match k^-s / H(n, s) within the sampling error of the draws.

#include "zipf.h"

#include <QTest>

#include <cmath>
#include <vector>

using namespace stampede;

class TestZipf : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void frequenciesFollowTheLaw_data();
    void frequenciesFollowTheLaw();
    void oneRankAlwaysDrawsIt();
};

void TestZipf::frequenciesFollowTheLaw_data()
{
    QTest::addColumn<quint64>("n");
    QTest::addColumn<double>("s");
    QTest::newRow("n 1000, s 0.5") << quint64(1000) << 0.5;
    QTest::newRow("n 1000, s 1 (harmonic)") << quint64(1000) << 1.0;
    QTest::newRow("n 1000, s 1.2") << quint64(1000) << 1.2;
    QTest::newRow("n 10, s 2.5") << quint64(10) << 2.5;
    QTest::newRow("n 10 M, s 1") << quint64(10'000'000) << 1.0;
}

void TestZipf::frequenciesFollowTheLaw()
{
    QFETCH(quint64, n);
    QFETCH(double, s);
    constexpr int kDraws = 400'000;
    constexpr int kRanks = 5; // the first ranks: each has thousands of draws
    const Zipf zipf(n, s);
    Rng rng(7);
    std::vector<int> counts(kRanks + 1, 0);
    for (int i = 0; i < kDraws; ++i) {
        const std::uint64_t k = zipf(rng);
        QVERIFY2(k >= 1 && k <= n, "rank out of range");
        if (k <= kRanks)
            ++counts[k];
    }
    double harmonic = 0; // H(n, s), summed from the small end
    for (std::uint64_t k = n; k >= 1; --k)
        harmonic += std::pow(static_cast<double>(k), -s);
    for (int k = 1; k <= kRanks; ++k) {
        const double p = std::pow(k, -s) / harmonic;
        const double expected = p * kDraws;
        // 5 standard deviations of a binomial count, never less than 1 % of it
        const double tolerance = std::max(5 * std::sqrt(expected * (1 - p)), 0.01 * expected);
        QVERIFY2(std::abs(counts[k] - expected) <= tolerance,
            qPrintable(QStringLiteral("rank %1: %2 draws, expected %3 +- %4")
                           .arg(k)
                           .arg(counts[k])
                           .arg(expected)
                           .arg(tolerance)));
    }
}

void TestZipf::oneRankAlwaysDrawsIt()
{
    const Zipf zipf(1, 1.5);
    Rng rng(1);
    for (int i = 0; i < 1000; ++i)
        QCOMPARE(zipf(rng), std::uint64_t(1));
}

QTEST_GUILESS_MAIN(TestZipf)
#include "tst_zipf.moc"
