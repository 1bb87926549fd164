// LogHistogram against distributions whose true quantiles are known: every percentile must be
// within LogHistogram::kRelativeError of the exact nearest-rank sample value (one rank of
// slack for the rounding of q*n), values below 128 are exact, the bucket layout is contiguous
// and monotone over the whole range, and merge/subtract are exact inverses.

#include "histogram.h"

#include <QTest>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <limits>
#include <random>
#include <vector>

using stampede::ConcurrentHistogram;
using stampede::LogHistogram;

namespace {

using Samples = std::vector<std::uint64_t>;

// Deterministic sample sets, named in the data tables.
Samples makeSamples(const QByteArray &kind, std::uint64_t seed)
{
    Samples s;
    if (kind == "uniform") { // every integer 1..1e6 once
        s.reserve(1000000);
        for (std::uint64_t v = 1; v <= 1000000; ++v)
            s.push_back(v);
    } else if (kind == "exponential") { // mean 1 ms in ns
        std::mt19937_64 rng(seed);
        std::exponential_distribution<double> d(1.0 / 1e6);
        for (int i = 0; i < 200000; ++i)
            s.push_back(static_cast<std::uint64_t>(d(rng)));
    } else if (kind == "lognormal") { // heavy tail over many powers of two
        std::mt19937_64 rng(seed);
        std::lognormal_distribution<double> d(std::log(2e5), 2.5);
        for (int i = 0; i < 200000; ++i)
            s.push_back(static_cast<std::uint64_t>(std::min(d(rng), 1e12)));
    } else if (kind == "tiny") { // 0..127, exact buckets
        std::mt19937_64 rng(seed);
        std::uniform_int_distribution<std::uint64_t> d(0, 127);
        for (int i = 0; i < 50000; ++i)
            s.push_back(d(rng));
    } else if (kind == "bimodal") { // fast path and slow path, far apart
        std::mt19937_64 rng(seed);
        std::normal_distribution<double> fast(3e5, 2e4), slow(5e7, 5e6);
        std::bernoulli_distribution isSlow(0.03);
        for (int i = 0; i < 100000; ++i)
            s.push_back(static_cast<std::uint64_t>(std::max(1.0, isSlow(rng) ? slow(rng) : fast(rng))));
    } else {
        qFatal("unknown sample kind");
    }
    return s;
}

LogHistogram histogramOf(const Samples &s)
{
    LogHistogram h;
    for (auto v : s)
        h.add(v);
    return h;
}

// Nearest rank (1-based), as documented: the smallest value with at least ceil(q*n) samples
// at or below it.
std::size_t nearestRank(double q, std::size_t n)
{
    const auto r = static_cast<std::size_t>(std::ceil(q * static_cast<double>(n)));
    return std::clamp<std::size_t>(r, 1, n);
}

// The histogram's answer must lie within the relative error of a sample whose rank is within
// one of the nearest rank.
bool withinError(double got, const Samples &sorted, double q, QString *why)
{
    const std::size_t n = sorted.size();
    const std::size_t r = nearestRank(q, n);
    const double lo = static_cast<double>(sorted[std::max<std::size_t>(r, 2) - 2]);
    const double hi = static_cast<double>(sorted[std::min(r, n - 1)]);
    const double eps = LogHistogram::kRelativeError;
    // Values below 128 are exact; allow the half-unit of the bucket middle above that.
    const bool ok = got >= lo * (1 - eps) - 1e-9 && got <= hi * (1 + eps) + 1e-9;
    if (!ok && why)
        *why = QStringLiteral("q=%1: histogram %2, exact sample %3 (rank window [%4, %5]), tolerance %6")
                   .arg(q)
                   .arg(got, 0, 'f', 1)
                   .arg(static_cast<double>(sorted[r - 1]), 0, 'f', 1)
                   .arg(lo, 0, 'f', 1)
                   .arg(hi, 0, 'f', 1)
                   .arg(eps);
    return ok;
}

} // namespace

class TestHistogram : public QObject {
    Q_OBJECT

private slots:
    void percentilesMatchSortedSample_data();
    void percentilesMatchSortedSample();
    void uniformKnownPercentiles_data();
    void uniformKnownPercentiles();
    void constantValue_data();
    void constantValue();
    void tinyValuesAreExact_data();
    void tinyValuesAreExact();
    void bucketRoundTrip_data();
    void bucketRoundTrip();
    void bucketLayoutIsContiguousAndMonotone();
    void overflowGoesToLastBucket();
    void mergeAndSubtract_data();
    void mergeAndSubtract();
    void subtractNeverUnderflows();
    void emptyHistogram();
    void extremeQuantiles_data();
    void extremeQuantiles();
    void concurrentHistogramCopiesIntoSameBuckets();
};

// ---- percentiles of real distributions against the exact sorted sample ----

void TestHistogram::percentilesMatchSortedSample_data()
{
    QTest::addColumn<QByteArray>("kind");
    QTest::addColumn<quint64>("seed");
    QTest::newRow("uniform 1..1e6") << QByteArray("uniform") << quint64(0);
    QTest::newRow("exponential seed 1") << QByteArray("exponential") << quint64(1);
    QTest::newRow("exponential seed 20240607") << QByteArray("exponential") << quint64(20240607);
    QTest::newRow("lognormal heavy tail") << QByteArray("lognormal") << quint64(7);
    QTest::newRow("tiny < 128") << QByteArray("tiny") << quint64(3);
    QTest::newRow("bimodal") << QByteArray("bimodal") << quint64(11);
}

void TestHistogram::percentilesMatchSortedSample()
{
    QFETCH(QByteArray, kind);
    QFETCH(quint64, seed);
    Samples s = makeSamples(kind, seed);
    const LogHistogram h = histogramOf(s);
    QCOMPARE(h.count(), s.size());
    std::sort(s.begin(), s.end());

    for (double q : { 0.0, 0.001, 0.01, 0.1, 0.25, 0.5, 0.75, 0.9, 0.95, 0.99, 0.999, 0.9999, 1.0 }) {
        QString why;
        QVERIFY2(withinError(h.quantile(q), s, q, &why), qPrintable(why));
    }
    // quantiles never decrease with q
    double prev = -1;
    for (int i = 0; i <= 1000; ++i) {
        const double v = h.quantile(i / 1000.0);
        QVERIFY2(
            v >= prev, qPrintable(QStringLiteral("quantile(%1)=%2 < previous %3").arg(i / 1000.0).arg(v).arg(prev)));
        prev = v;
    }
    // the mean from bucket middles is within the relative error of the true mean
    long double sum = 0;
    for (auto v : s)
        sum += v;
    const double trueMean = static_cast<double>(sum / s.size());
    QVERIFY2(std::abs(h.mean() - trueMean) <= trueMean * LogHistogram::kRelativeError + 0.5,
        qPrintable(QStringLiteral("mean %1 vs true %2").arg(h.mean()).arg(trueMean)));
    QVERIFY(withinError(h.maxValue(), s, 1.0, nullptr));
}

void TestHistogram::uniformKnownPercentiles_data()
{
    QTest::addColumn<double>("q");
    QTest::addColumn<double>("expected");
    // every integer 1..1e6 once: the nearest-rank quantile is q*1e6 exactly
    QTest::newRow("p1") << 0.01 << 1e4;
    QTest::newRow("p50") << 0.50 << 5e5;
    QTest::newRow("p90") << 0.90 << 9e5;
    QTest::newRow("p99") << 0.99 << 9.9e5;
    QTest::newRow("p99.9") << 0.999 << 9.99e5;
    QTest::newRow("p100") << 1.0 << 1e6;
}

void TestHistogram::uniformKnownPercentiles()
{
    QFETCH(double, q);
    QFETCH(double, expected);
    static const LogHistogram h = histogramOf(makeSamples("uniform", 0));
    const double got = h.quantile(q);
    // one rank of slack is one unit here; the rest is the bucket's relative error
    const double tol = expected * LogHistogram::kRelativeError + 1;
    QVERIFY2(std::abs(got - expected) <= tol,
        qPrintable(QStringLiteral("quantile(%1) = %2, expected %3 ± %4").arg(q).arg(got).arg(expected).arg(tol)));
}

// ---- a constant value: every quantile is the same bucket middle ----

void TestHistogram::constantValue_data()
{
    QTest::addColumn<quint64>("value");
    QTest::addColumn<quint64>("n");
    QTest::newRow("0 ns") << quint64(0) << quint64(10);
    QTest::newRow("77 ns (exact range)") << quint64(77) << quint64(1000);
    QTest::newRow("127 ns (last exact)") << quint64(127) << quint64(3);
    QTest::newRow("128 ns (first log bucket)") << quint64(128) << quint64(3);
    QTest::newRow("1 ms") << quint64(1000000) << quint64(12345);
    QTest::newRow("1 ms, one sample") << quint64(1000000) << quint64(1);
    QTest::newRow("1 ms, added with n=1e9") << quint64(1000000) << quint64(1000000000);
    QTest::newRow("3.7 s") << quint64(3700000000ULL) << quint64(500);
    QTest::newRow("1e12 ns") << quint64(1000000000000ULL) << quint64(42);
}

void TestHistogram::constantValue()
{
    QFETCH(quint64, value);
    QFETCH(quint64, n);
    LogHistogram h;
    h.add(value, n);
    QCOMPARE(h.count(), n);
    const double v = static_cast<double>(value);
    const double first = h.quantile(0.0);
    QVERIFY2(std::abs(first - v) <= v * LogHistogram::kRelativeError,
        qPrintable(QStringLiteral("reported %1 for constant %2").arg(first).arg(v)));
    if (value < 2 * LogHistogram::kSub)
        QCOMPARE(first, v);
    for (double q : { 0.0, 0.01, 0.5, 0.99, 0.999999, 1.0 })
        QCOMPARE(h.quantile(q), first);
    QCOMPARE(h.maxValue(), first);
    QCOMPARE(h.mean(), first);
    QCOMPARE(h.at(LogHistogram::bucketOf(value)), n);
}

// ---- values below 128 are their own buckets ----

void TestHistogram::tinyValuesAreExact_data()
{
    QTest::addColumn<quint64>("value");
    for (quint64 v : { 0, 1, 2, 3, 7, 63, 64, 65, 100, 126, 127 })
        QTest::newRow(qPrintable(QString::number(v))) << v;
}

void TestHistogram::tinyValuesAreExact()
{
    QFETCH(quint64, value);
    const int b = LogHistogram::bucketOf(value);
    QCOMPARE(b, static_cast<int>(value));
    QCOMPARE(LogHistogram::bucketLow(b), value);
    QCOMPARE(LogHistogram::bucketHigh(b), value + 1);

    // surrounded by other tiny values, each rank still reports the exact value
    LogHistogram h;
    for (quint64 v = 0; v < 128; ++v)
        h.add(v, v == value ? 3 : 1);
    // ranks value+1 .. value+3 (1-based) are `value`; ask for ranks value+2 and value+3
    QCOMPARE(h.quantile((static_cast<double>(value) + 1.5) / 130.0), static_cast<double>(value));
    QCOMPARE(h.quantile((static_cast<double>(value) + 2.5) / 130.0), static_cast<double>(value));
    // and the next rank is the next value
    if (value < 127)
        QCOMPARE(h.quantile((static_cast<double>(value) + 3.5) / 130.0), static_cast<double>(value + 1));
}

// ---- bucketOf / bucketLow / bucketHigh round trip across the whole range ----

void TestHistogram::bucketRoundTrip_data()
{
    QTest::addColumn<quint64>("value");
    for (int k = 0; k <= 40; ++k) { // 1 ns .. ~1.1e12 ns
        const quint64 p = quint64(1) << k;
        QTest::addRow("2^%d-1", k) << p - 1;
        QTest::addRow("2^%d", k) << p;
        QTest::addRow("2^%d+1", k) << p + 1;
        QTest::addRow("1.5*2^%d", k) << p + p / 2;
    }
    quint64 d = 1;
    for (int j = 0; j <= 12; ++j, d *= 10)
        QTest::addRow("1e%d", j) << d; // 1 ns .. 1e12 ns
    QTest::newRow("2^46-1 (top of range)") << (quint64(1) << 46) - 1;
}

void TestHistogram::bucketRoundTrip()
{
    QFETCH(quint64, value);
    const int b = LogHistogram::bucketOf(value);
    QVERIFY(b >= 0 && b < LogHistogram::kBuckets);
    const auto lo = LogHistogram::bucketLow(b);
    const auto hi = LogHistogram::bucketHigh(b);
    QVERIFY2(lo <= value && value < hi,
        qPrintable(QStringLiteral("%1 in bucket %2 = [%3, %4)").arg(value).arg(b).arg(lo).arg(hi)));
    // width bounded by the relative error: (hi - lo) / lo <= 1/64 above the exact range
    if (value >= 2 * LogHistogram::kSub)
        QVERIFY2(static_cast<double>(hi - lo) <= static_cast<double>(lo) * 2 * LogHistogram::kRelativeError,
            qPrintable(QStringLiteral("bucket [%1, %2) too wide").arg(lo).arg(hi)));
    // neighbours are in the same or adjacent buckets, in order
    if (value > 0)
        QVERIFY(LogHistogram::bucketOf(value - 1) == b || LogHistogram::bucketOf(value - 1) == b - 1);
    QVERIFY(LogHistogram::bucketOf(value + 1) == b || LogHistogram::bucketOf(value + 1) == b + 1);
    // the reported value (a one-sample histogram) stays within the relative error
    LogHistogram h;
    h.add(value);
    const double v = static_cast<double>(value);
    QVERIFY2(std::abs(h.quantile(0.5) - v) <= v * LogHistogram::kRelativeError,
        qPrintable(QStringLiteral("reported %1 for %2").arg(h.quantile(0.5)).arg(v)));
}

void TestHistogram::bucketLayoutIsContiguousAndMonotone()
{
    QCOMPARE(LogHistogram::bucketLow(0), quint64(0));
    for (int i = 0; i < LogHistogram::kBuckets; ++i) {
        const auto lo = LogHistogram::bucketLow(i);
        const auto hi = LogHistogram::bucketHigh(i);
        QVERIFY2(lo < hi, qPrintable(QStringLiteral("bucket %1 empty").arg(i)));
        QCOMPARE(LogHistogram::bucketOf(lo), i);
        QCOMPARE(LogHistogram::bucketOf(hi - 1), i);
        if (i + 1 < LogHistogram::kBuckets)
            QCOMPARE(LogHistogram::bucketHigh(i), LogHistogram::bucketLow(i + 1)); // no gap, no overlap
    }
    // 1e12 ns (~17 min) is inside the covered range
    QVERIFY(LogHistogram::bucketHigh(LogHistogram::kBuckets - 1) > 1000000000000ULL);
}

void TestHistogram::overflowGoesToLastBucket()
{
    const int last = LogHistogram::kBuckets - 1;
    QCOMPARE(LogHistogram::bucketOf(std::numeric_limits<std::uint64_t>::max()), last);
    QCOMPARE(LogHistogram::bucketOf(quint64(1) << 50), last);
    LogHistogram h;
    h.add(5);
    h.add(std::numeric_limits<std::uint64_t>::max());
    QCOMPARE(h.count(), quint64(2));
    QCOMPARE(h.at(last), quint64(1));
    QVERIFY(h.quantile(1.0) >= static_cast<double>(LogHistogram::bucketLow(last)));
    QCOMPARE(h.quantile(0.5), 5.0);
}

// ---- merge and subtract ----

void TestHistogram::mergeAndSubtract_data()
{
    QTest::addColumn<QByteArray>("kindA");
    QTest::addColumn<QByteArray>("kindB");
    QTest::newRow("exponential + exponential") << QByteArray("exponential") << QByteArray("exponential");
    QTest::newRow("exponential + lognormal") << QByteArray("exponential") << QByteArray("lognormal");
    QTest::newRow("tiny + bimodal") << QByteArray("tiny") << QByteArray("bimodal");
}

void TestHistogram::mergeAndSubtract()
{
    QFETCH(QByteArray, kindA);
    QFETCH(QByteArray, kindB);
    const Samples a = makeSamples(kindA, 101);
    const Samples b = makeSamples(kindB, 202);
    Samples all = a;
    all.insert(all.end(), b.begin(), b.end());

    const LogHistogram ha = histogramOf(a), hb = histogramOf(b), hall = histogramOf(all);
    LogHistogram merged = ha;
    merged.merge(hb);
    QCOMPARE(merged.count(), quint64(all.size()));
    for (int i = 0; i < LogHistogram::kBuckets; ++i)
        QCOMPARE(merged.at(i), hall.at(i));
    std::sort(all.begin(), all.end());
    for (double q : { 0.0, 0.5, 0.9, 0.99, 0.999, 1.0 }) {
        QCOMPARE(merged.quantile(q), hall.quantile(q));
        QString why;
        QVERIFY2(withinError(merged.quantile(q), all, q, &why), qPrintable(why));
    }

    // cumulative -> interval: (a+b) - a == b, bucket by bucket
    LogHistogram interval = merged;
    interval.subtract(ha);
    QCOMPARE(interval.count(), hb.count());
    for (int i = 0; i < LogHistogram::kBuckets; ++i)
        QCOMPARE(interval.at(i), hb.at(i));
    for (double q : { 0.0, 0.5, 0.99, 1.0 })
        QCOMPARE(interval.quantile(q), hb.quantile(q));

    // subtracting everything leaves an empty histogram
    interval.subtract(hb);
    QCOMPARE(interval.count(), quint64(0));
    QCOMPARE(interval.quantile(0.5), 0.0);
}

void TestHistogram::subtractNeverUnderflows()
{
    // after a reset the "older" histogram can be larger; counts clamp at 0 and the total matches
    LogHistogram older, newer;
    older.add(1000, 10);
    older.add(50, 5);
    newer.add(1000, 3);
    newer.add(1000000, 4);
    newer.subtract(older);
    QCOMPARE(newer.at(LogHistogram::bucketOf(1000)), quint64(0));
    QCOMPARE(newer.at(LogHistogram::bucketOf(50)), quint64(0));
    QCOMPARE(newer.at(LogHistogram::bucketOf(1000000)), quint64(4));
    QCOMPARE(newer.count(), quint64(4));
    std::uint64_t sum = 0;
    for (int i = 0; i < LogHistogram::kBuckets; ++i)
        sum += newer.at(i);
    QCOMPARE(sum, newer.count());
}

void TestHistogram::emptyHistogram()
{
    LogHistogram h;
    QCOMPARE(h.count(), quint64(0));
    for (double q : { 0.0, 0.5, 0.99, 1.0 })
        QCOMPARE(h.quantile(q), 0.0);
    QCOMPARE(h.maxValue(), 0.0);
    QCOMPARE(h.mean(), 0.0);
    // clear() returns to the same state
    h.add(123456, 7);
    QVERIFY(h.quantile(0.5) > 0);
    h.clear();
    QCOMPARE(h.count(), quint64(0));
    QCOMPARE(h.quantile(0.5), 0.0);
    QCOMPARE(h.maxValue(), 0.0);
    QCOMPARE(h.at(LogHistogram::bucketOf(123456)), quint64(0));
}

// ---- quantile(0) is the smallest sample, quantile(1) the largest; q is clamped ----

void TestHistogram::extremeQuantiles_data()
{
    QTest::addColumn<QByteArray>("kind");
    QTest::newRow("uniform") << QByteArray("uniform");
    QTest::newRow("exponential") << QByteArray("exponential");
    QTest::newRow("lognormal") << QByteArray("lognormal");
    QTest::newRow("tiny") << QByteArray("tiny");
}

void TestHistogram::extremeQuantiles()
{
    QFETCH(QByteArray, kind);
    const Samples s = makeSamples(kind, 5);
    const LogHistogram h = histogramOf(s);
    const auto [mn, mx] = std::minmax_element(s.begin(), s.end());
    const double eps = LogHistogram::kRelativeError;
    QCOMPARE(LogHistogram::bucketOf(static_cast<std::uint64_t>(h.quantile(0.0))), LogHistogram::bucketOf(*mn));
    QCOMPARE(LogHistogram::bucketOf(static_cast<std::uint64_t>(h.quantile(1.0))), LogHistogram::bucketOf(*mx));
    QVERIFY(std::abs(h.quantile(0.0) - static_cast<double>(*mn)) <= static_cast<double>(*mn) * eps);
    QVERIFY(std::abs(h.quantile(1.0) - static_cast<double>(*mx)) <= static_cast<double>(*mx) * eps);
    QCOMPARE(h.quantile(1.0), h.maxValue());
    QCOMPARE(h.quantile(-0.5), h.quantile(0.0));
    QCOMPARE(h.quantile(7.0), h.quantile(1.0));
}

void TestHistogram::concurrentHistogramCopiesIntoSameBuckets()
{
    const Samples s = makeSamples("lognormal", 9);
    ConcurrentHistogram c;
    for (auto v : s)
        c.record(v);
    LogHistogram copy;
    c.copyInto(copy);
    const LogHistogram direct = histogramOf(s);
    QCOMPARE(copy.count(), direct.count());
    for (int i = 0; i < LogHistogram::kBuckets; ++i)
        QCOMPARE(copy.at(i), direct.at(i));
    // copyInto adds: twice gives double counts
    c.copyInto(copy);
    QCOMPARE(copy.count(), 2 * direct.count());
    // the interval max is the raw largest value, and taking it resets it
    QCOMPARE(c.takeIntervalMax(), *std::max_element(s.begin(), s.end()));
    QCOMPARE(c.takeIntervalMax(), quint64(0));
    c.record(999);
    QCOMPARE(c.takeIntervalMax(), quint64(999));
    c.clear();
    LogHistogram empty;
    c.copyInto(empty);
    QCOMPARE(empty.count(), quint64(0));
}

QTEST_GUILESS_MAIN(TestHistogram)
#include "tst_histogram.moc"
