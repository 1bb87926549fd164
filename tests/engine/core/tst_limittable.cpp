// The one table of ranges (core/limittable.h): every Limit has its row, in order, and the words
// every loader, the command line and the window print come from describe(); check() and
// inRange() agree at the edges, and NaN or infinity is never in range.

#include "limittable.h"

#include "config.h"

#include <QTest>

#include <cmath>
#include <limits>
#include <set>
#include <string>

using namespace stampede;
using limits::Limit;
Q_DECLARE_METATYPE(Limit)

namespace {
constexpr double kInf = std::numeric_limits<double>::infinity();
constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
QString name(const limits::Range &r) { return QString::fromUtf8(r.name.data(), static_cast<qsizetype>(r.name.size())); }
} // namespace

class TestLimitTable : public QObject {
    Q_OBJECT

private slots:
    void everyLimitHasItsRowInOrder();
    void describeWording_data();
    void describeWording();
    void describeComputedRange_data();
    void describeComputedRange();
    void checkAndInRangeEdges_data();
    void checkAndInRangeEdges();
    void numberFormatting_data();
    void numberFormatting();
};

void TestLimitTable::everyLimitHasItsRowInOrder()
{
    std::set<std::string_view> names;
    for (int i = 0; i < static_cast<int>(Limit::Count); ++i) {
        const auto &r = limits::range(static_cast<Limit>(i));
        QCOMPARE(static_cast<int>(r.id), i);
        QVERIFY2(!r.name.empty(), qPrintable(QStringLiteral("row %1 has no name").arg(i)));
        QVERIFY2(names.insert(r.name).second, qPrintable(QStringLiteral("name %1 twice").arg(name(r))));
        QVERIFY2(r.min <= r.max, qPrintable(QStringLiteral("%1: min above max").arg(name(r))));
        QVERIFY2(!std::isnan(r.min) && !std::isinf(r.min), qPrintable(name(r)));
    }
    // The rows the engine's own constants name agree with them.
    QCOMPARE(limits::range(Limit::NodeCount).max, double(kMaxNodes));
    QCOMPARE(limits::range(Limit::RatePerS).min, kMinRatePerS);
    QCOMPARE(limits::range(Limit::RatePerS).max, kMaxRatePerS);
    QCOMPARE(limits::range(Limit::Stock).max, double(kMaxStock));
    QCOMPARE(limits::range(Limit::Consumers).max, double(kMaxConsumers));
}

void TestLimitTable::describeWording_data()
{
    QTest::addColumn<Limit>("limit");
    QTest::addColumn<QString>("words");
    QTest::newRow("closed, integer") << Limit::NodeCount << QStringLiteral("must be between 1 and 64");
    QTest::newRow("closed, fractional min") << Limit::RatePerS << QStringLiteral("must be between 1 and 2000000");
    QTest::newRow("closed, 0..1") << Limit::TtlJitter << QStringLiteral("must be between 0 and 1");
    QTest::newRow("large max") << Limit::Stock << QStringLiteral("must be between 0 and 1099511627776");
    QTest::newRow("unbounded") << Limit::Users << QStringLiteral("must be at least 1");
    QTest::newRow("unbounded, nullable") << Limit::RateLimitPerS << QStringLiteral("must be at least 1 or null");
    QTest::newRow("closed, nullable") << Limit::TimeoutMs << QStringLiteral("must be between 0.001 and 600000 or null");
    QTest::newRow("open min") << Limit::DurationS << QStringLiteral("must be greater than 0 and at most 86400");
    QTest::newRow("open min, unit") << Limit::SpikeSeconds
                                    << QStringLiteral("must be greater than 0 and at most 3600 s");
    QTest::newRow("closed, unit") << Limit::SpikedRate << QStringLiteral("must be between 0 and 20000000 per second");
}

void TestLimitTable::describeWording()
{
    QFETCH(Limit, limit);
    QFETCH(QString, words);
    QCOMPARE(QString::fromStdString(limits::describe(limit)), words);
    QCOMPARE(QString::fromStdString(limits::describe(limits::range(limit))), words);
}

void TestLimitTable::describeComputedRange_data()
{
    QTest::addColumn<double>("min");
    QTest::addColumn<double>("max");
    QTest::addColumn<bool>("minOpen");
    QTest::addColumn<QString>("unit");
    QTest::addColumn<QString>("words");
    QTest::newRow("closed") << 1.0 << 500.0 << false << QString() << QStringLiteral("must be between 1 and 500");
    QTest::newRow("open, unbounded") << 0.0 << kInf << true << QString() << QStringLiteral("must be greater than 0");
    QTest::newRow("closed, unbounded, unit")
        << 2.5 << kInf << false << QStringLiteral("ms") << QStringLiteral("must be at least 2.5 ms");
}

void TestLimitTable::describeComputedRange()
{
    QFETCH(double, min);
    QFETCH(double, max);
    QFETCH(bool, minOpen);
    QFETCH(QString, unit);
    QFETCH(QString, words);
    const std::string u = unit.toStdString();
    QCOMPARE(QString::fromStdString(limits::describe(min, max, minOpen, u)), words);
}

void TestLimitTable::checkAndInRangeEdges_data()
{
    QTest::addColumn<Limit>("limit");
    QTest::addColumn<double>("value");
    QTest::addColumn<bool>("ok");
    QTest::newRow("stock 0") << Limit::Stock << 0.0 << true;
    QTest::newRow("stock -1") << Limit::Stock << -1.0 << false;
    QTest::newRow("stock max") << Limit::Stock << double(kMaxStock) << true;
    QTest::newRow("stock max + 1") << Limit::Stock << double(kMaxStock) + 1 << false;
    QTest::newRow("nodes 64") << Limit::NodeCount << 64.0 << true;
    QTest::newRow("nodes 65") << Limit::NodeCount << 65.0 << false;
    QTest::newRow("duration 0 (open)") << Limit::DurationS << 0.0 << false;
    QTest::newRow("duration tiny") << Limit::DurationS << 1e-9 << true;
    QTest::newRow("duration max") << Limit::DurationS << 86400.0 << true;
    QTest::newRow("duration past max") << Limit::DurationS << 86400.001 << false;
    QTest::newRow("timeout min") << Limit::TimeoutMs << 0.001 << true;
    QTest::newRow("timeout below min") << Limit::TimeoutMs << 0.0009 << false;
    QTest::newRow("users huge") << Limit::Users << 1e18 << true;
    QTest::newRow("users +inf") << Limit::Users << kInf << false;
    QTest::newRow("users -inf") << Limit::Users << -kInf << false;
    QTest::newRow("rate NaN") << Limit::RatePerS << kNaN << false;
    QTest::newRow("users NaN") << Limit::Users << kNaN << false;
    QTest::newRow("skew -0") << Limit::SkuSkew << -0.0 << true;
    QTest::newRow("spike factor 0 (open)") << Limit::SpikeFactor << 0.0 << false;
    QTest::newRow("spike factor 1000") << Limit::SpikeFactor << 1000.0 << true;
}

void TestLimitTable::checkAndInRangeEdges()
{
    QFETCH(Limit, limit);
    QFETCH(double, value);
    QFETCH(bool, ok);
    QCOMPARE(limits::inRange(limit, value), ok);
    QCOMPARE(limits::inRange(limits::range(limit), value), ok);
    const std::string words = limits::describe(limit);
    QCOMPARE(QString::fromStdString(limits::check(limit, value)), ok ? QString() : QString::fromStdString(words));
    const std::string named = std::string(limits::range(limit).name) + ": " + words;
    QCOMPARE(QString::fromStdString(limits::checkNamed(limit, value)), ok ? QString() : QString::fromStdString(named));
}

void TestLimitTable::numberFormatting_data()
{
    QTest::addColumn<double>("value");
    QTest::addColumn<QString>("text");
    QTest::newRow("integer") << 64.0 << QStringLiteral("64");
    QTest::newRow("large integer") << 1099511627776.0 << QStringLiteral("1099511627776");
    QTest::newRow("negative integer") << -3.0 << QStringLiteral("-3");
    QTest::newRow("fraction") << 0.001 << QStringLiteral("0.001");
    QTest::newRow("shortest") << 2.5 << QStringLiteral("2.5");
    QTest::newRow("infinity") << kInf << QStringLiteral("inf");
}

void TestLimitTable::numberFormatting()
{
    QFETCH(double, value);
    QFETCH(QString, text);
    QCOMPARE(QString::fromStdString(limits::number(value)), text);
}

QTEST_GUILESS_MAIN(TestLimitTable)
#include "tst_limittable.moc"
