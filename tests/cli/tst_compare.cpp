// Compare mode headless (issue "Workshop mode"): `--compare KEY=A,B` runs two engines side by
// side under the same seed and traffic, one setting apart, prints both, and the report holds
// both; the CSV holds both timelines told apart by its first column. Bad compare input fails in
// one line naming the option and the setting.

#include "clirun.h"
#include "compare.h"

#include <QFile>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTemporaryDir>
#include <QTest>

#include <cmath>

using namespace Qt::StringLiterals;

namespace {

QJsonObject readJson(const QString &path)
{
    QFile f(path);
    if (!f.open(QIODevice::ReadOnly))
        return {};
    return QJsonDocument::fromJson(f.readAll()).object();
}

} // namespace

class TestCompare : public QObject {
    Q_OBJECT

private slots:
    void initTestCase();
    void naiveAgainstAtomic();
    void anAliasNamesAScenarioKey();
    void settingsApply_data();
    void settingsApply();
    void badCompare_data();
    void badCompare();

private:
    QString m_bin;
};

void TestCompare::initTestCase()
{
    m_bin = qEnvironmentVariable("STAMPEDE_BIN");
    QVERIFY2(!m_bin.isEmpty(), "STAMPEDE_BIN is not set (run through ctest)");
}

void TestCompare::naiveAgainstAtomic()
{
    QTemporaryDir dir;
    const QString report = dir.filePath(u"r.json"_s), csv = dir.filePath(u"t.csv"_s);
    const auto o = test::runBinary(m_bin, dir.path(),
        { u"--headless"_s, u"--preset"_s, u"black-friday-naive"_s, u"--compare"_s, u"strategy=naive,atomic"_s,
            u"--duration"_s, u"3"_s, u"--report"_s, report, u"--csv"_s, csv },
        120000);
    QVERIFY2(o.exitCode == 0, qPrintable(o.err));
    QVERIFY2(o.out.contains(u"A strategy=naive"_s) && o.out.contains(u"B strategy=atomic"_s), qPrintable(o.out));

    const QJsonObject r = readJson(report);
    const QJsonObject c = r.value(u"compare"_s).toObject();
    QCOMPARE(c.value(u"key"_s).toString(), u"strategy"_s);
    const QJsonObject a = c.value(u"a"_s).toObject().value(u"report"_s).toObject();
    const QJsonObject b = c.value(u"b"_s).toObject().value(u"report"_s).toObject();
    QCOMPARE(a.value(u"strategy"_s).toString(), u"naive"_s);
    QCOMPARE(b.value(u"strategy"_s).toString(), u"atomic"_s);
    QCOMPARE(r.value(u"strategy"_s).toString(), u"naive"_s); // the top level is A's
    QCOMPARE(a.value(u"seed"_s), b.value(u"seed"_s));
    // the lesson in numbers: the same crowd, naive oversells and atomic does not
    auto oversold
        = [](const QJsonObject &x) { return x.value(u"consistency"_s).toObject().value(u"oversold"_s).toInteger(-1); };
    QVERIFY2(oversold(a) > 0, qPrintable(o.out));
    QCOMPARE(oversold(b), 0);
    QVERIFY(!a.value(u"invariants_ok"_s).toBool());
    QVERIFY(b.value(u"invariants_ok"_s).toBool());
    // same seed and traffic: the offered load is alike (open loop, so within a few per cent)
    const double attemptsA = a.value(u"requests"_s).toObject().value(u"attempted"_s).toDouble();
    const double attemptsB = b.value(u"requests"_s).toObject().value(u"attempted"_s).toDouble();
    QVERIFY(attemptsA > 0);
    QVERIFY2(std::abs(attemptsA / attemptsB - 1) < 0.1, qPrintable(u"%1 vs %2"_s.arg(attemptsA).arg(attemptsB)));

    QFile f(csv);
    QVERIFY(f.open(QIODevice::ReadOnly));
    const QList<QByteArray> lines = f.readAll().split('\n');
    QVERIFY(lines.front().startsWith("engine,t_s,"));
    int rowsA = 0, rowsB = 0;
    for (const QByteArray &l : lines) {
        rowsA += l.startsWith("a,") ? 1 : 0;
        rowsB += l.startsWith("b,") ? 1 : 0;
    }
    QVERIFY2(rowsA >= 20 && rowsB >= 20, qPrintable(u"%1 and %2 rows"_s.arg(rowsA).arg(rowsB)));
}

void TestCompare::anAliasNamesAScenarioKey()
{
    QTemporaryDir dir;
    const QString report = dir.filePath(u"r.json"_s);
    const auto o = test::runBinary(m_bin, dir.path(),
        { u"--headless"_s, u"--preset"_s, u"black-friday-atomic"_s, u"--compare"_s, u"nodes=2,5"_s, u"--duration"_s,
            u"2"_s, u"--report"_s, report },
        120000);
    QVERIFY2(o.exitCode == 0, qPrintable(o.err));
    const QJsonObject c = readJson(report).value(u"compare"_s).toObject();
    QCOMPARE(c.value(u"path"_s).toString(), u"nodes.count"_s);
    QCOMPARE(c.value(u"a"_s).toObject().value(u"report"_s).toObject().value(u"nodes"_s).toInt(), 2);
    QCOMPARE(c.value(u"b"_s).toObject().value(u"report"_s).toObject().value(u"nodes"_s).toInt(), 5);
}

void TestCompare::settingsApply_data()
{
    QTest::addColumn<QString>("key");
    QTest::addColumn<QString>("value");
    QTest::newRow("strategy") << u"strategy"_s << u"sharded"_s;
    QTest::newRow("path") << u"store.latency_ms"_s << u"3.5"_s;
    QTest::newRow("alias bool") << u"single_flight"_s << u"true"_s;
    QTest::newRow("alias enum") << u"placement"_s << u"modulo"_s;
}

// withSetting changes that one setting and leaves the rest as it was.
void TestCompare::settingsApply()
{
    QFETCH(QString, key);
    QFETCH(QString, value);
    QString error;
    const auto base = loadPreset(u"cache-stampede"_s, &error);
    QVERIFY2(base, qPrintable(error));
    const auto spec = parseCompare(key + u"=x,"_s + value, &error);
    QVERIFY2(spec, qPrintable(error));
    const auto s = withSetting(*base, spec->path, value, &error);
    QVERIFY2(s, qPrintable(error));
    QJsonObject before = scenarioToJson(*base), after = scenarioToJson(*s);
    // walk to the changed value
    QJsonValue v = after;
    for (const QString &part : spec->path.split(u'.'))
        v = v.toObject().value(part);
    QCOMPARE(v.toVariant().toString(), value);
    QCOMPARE(after.value(u"seed"_s), before.value(u"seed"_s));
    QCOMPARE(after.value(u"events"_s), before.value(u"events"_s));
    QCOMPARE(after.value(u"traffic"_s), before.value(u"traffic"_s));
}

void TestCompare::badCompare_data()
{
    QTest::addColumn<QStringList>("args");
    QTest::addColumn<QString>("error");
    const QStringList h { u"--headless"_s, u"--preset"_s, u"black-friday-naive"_s, u"--duration"_s, u"1"_s };
    QTest::newRow("one value") << (h + QStringList { u"--compare"_s, u"strategy=naive"_s })
                               << u"stampede: --compare: must be KEY=A,B"_s;
    QTest::newRow("no key") << (h + QStringList { u"--compare"_s, u"naive,atomic"_s })
                            << u"stampede: --compare: must be KEY=A,B"_s;
    QTest::newRow("same value") << (h + QStringList { u"--compare"_s, u"strategy=naive,naive"_s })
                                << u"stampede: --compare: strategy: the two values are the same"_s;
    QTest::newRow("bad value") << (h + QStringList { u"--compare"_s, u"strategy=naive,bogus"_s })
                               << u"stampede: --compare: strategy=bogus: strategy:"_s;
    QTest::newRow("out of range") << (h + QStringList { u"--compare"_s, u"nodes=2,0"_s })
                                  << u"stampede: --compare: nodes=0: nodes.count:"_s;
    QTest::newRow("unknown key") << (h + QStringList { u"--compare"_s, u"nodes.colour=1,2"_s })
                                 << u"stampede: --compare: nodes.colour=1: nodes.colour: unknown key"_s;
    QTest::newRow("seed") << (h + QStringList { u"--compare"_s, u"seed=1,2"_s })
                          << u"stampede: --compare: seed: not a setting to compare"_s;
    QTest::newRow("with sweep") << (h
        + QStringList { u"--compare"_s, u"strategy=naive,atomic"_s, u"--sweep"_s, u"nodes=1,2"_s })
                                << u"stampede: --compare: cannot be combined with --sweep"_s;
    QTest::newRow("with lesson") << QStringList { u"--headless"_s, u"--lesson"_s, u"flash-sale-oversell"_s,
        u"--compare"_s, u"strategy=naive,atomic"_s }
                                 << u"stampede: --lesson: cannot be combined with --compare"_s;
}

void TestCompare::badCompare()
{
    QFETCH(QStringList, args);
    QFETCH(QString, error);
    QTemporaryDir dir;
    const auto o = test::runBinary(m_bin, dir.path(), args, 60000);
    QCOMPARE(o.exitCode, 2);
    QVERIFY2(o.err.startsWith(error), qPrintable(o.err));
    QCOMPARE(o.err.count(u'\n'), 1);
}

QTEST_GUILESS_MAIN(TestCompare)
#include "tst_compare.moc"
