// The built binary as a user meets it: bad options fail with one line naming the option and
// exit code 2; a short real run writes a complete report and a consistent CSV timeline.

#include "cli.h"

#include "clirun.h"

#include <QDir>
#include <QElapsedTimer>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTemporaryDir>
#include <QTest>

using namespace Qt::StringLiterals;

namespace {

using test::Outcome;

// Splits one CSV line, honouring double quotes (the events column is quoted).
QStringList csvFields(const QString &line)
{
    QStringList fields;
    QString field;
    bool quoted = false;
    for (qsizetype i = 0; i < line.size(); ++i) {
        const QChar c = line.at(i);
        if (quoted) {
            if (c == u'"' && i + 1 < line.size() && line.at(i + 1) == u'"') {
                field += u'"';
                ++i;
            } else if (c == u'"') {
                quoted = false;
            } else {
                field += c;
            }
        } else if (c == u'"') {
            quoted = true;
        } else if (c == u',') {
            fields << field;
            field.clear();
        } else {
            field += c;
        }
    }
    fields << field;
    return fields;
}

} // namespace

class TestHeadless : public QObject {
    Q_OBJECT

private slots:
    void initTestCase();
    void badOptions_data();
    void badOptions();
    void listPresets();
    void helpAndVersion();
    void shortRunWritesReportAndCsv();
    void naiveOversells();
    void closedLoopRuns();
    void pauseStopsTheRunClock_data();
    void pauseStopsTheRunClock();
    void newOptionsReachTheScenario();
    void cacheQueueGetsADefaultCacheTier();
    void readRunReportsTheCache();
    void cacheQueueRunReportsTheQueue();
    void consumersOptionReachesTheEngine();
    void readRatioOptionReachesTheEngine();
    void cacheChangeReportsKeysMoved();

private:
    Outcome run(const QStringList &args, int timeoutMs = 60000);
    QJsonObject readReport(const QString &path);
    QList<QStringList> readCsv(const QString &path, QStringList *header);
    QString writeFile(const QString &name, const QByteArray &content);

    QString m_bin;
    QTemporaryDir m_dir;
};

void TestHeadless::initTestCase()
{
    m_bin = qEnvironmentVariable("STAMPEDE_BIN");
    QVERIFY2(!m_bin.isEmpty(), "STAMPEDE_BIN is not set (run through ctest)");
    QVERIFY2(QFile::exists(m_bin), qPrintable(m_bin));
    QVERIFY(m_dir.isValid());
}

Outcome TestHeadless::run(const QStringList &args, int timeoutMs)
{
    return test::runBinary(m_bin, m_dir.path(), args, timeoutMs);
}

QJsonObject TestHeadless::readReport(const QString &path)
{
    QFile f(path);
    if (!f.open(QIODevice::ReadOnly))
        return {};
    return QJsonDocument::fromJson(f.readAll()).object();
}

// The data rows of a timeline, each split into fields; *header receives the first row.
QList<QStringList> TestHeadless::readCsv(const QString &path, QStringList *header)
{
    QFile f(path);
    if (!f.open(QIODevice::ReadOnly | QIODevice::Text))
        return {};
    const QStringList lines = QString::fromUtf8(f.readAll()).split(u'\n', Qt::SkipEmptyParts);
    QList<QStringList> rows;
    for (const QString &line : lines)
        rows << csvFields(line);
    if (!rows.isEmpty())
        *header = rows.takeFirst();
    return rows;
}

QString TestHeadless::writeFile(const QString &name, const QByteArray &content)
{
    QString path = m_dir.filePath(name);
    QFile f(path);
    if (f.open(QIODevice::WriteOnly))
        f.write(content);
    return path;
}

void TestHeadless::badOptions_data()
{
    QTest::addColumn<QStringList>("args");
    QTest::addColumn<QString>("option"); // the error line must name it
    QTest::addColumn<QString>("alsoNamed"); // and, when set, this too

    const QString broken = writeFile(u"broken.json"_s, R"({"nodes": {"count": 4,}})");
    const QString unknownKey = writeFile(u"unknown-key.json"_s, R"({"nodes": {"capcity": 64}})");
    const QString lateEvent
        = writeFile(u"late-event.json"_s, R"({"duration_s": 5, "events": [{"at_s": 9, "add_nodes": 1}]})");
    const QString openPause = writeFile(u"open-pause.json"_s,
        R"({"duration_s": 5, "events": [{"at_s": 1, "add_nodes": 1}, {"at_s": 2, "pause": true}]})");

    auto row = [](const char *tag, const QStringList &args, const QString &option, const QString &also = {}) {
        QTest::newRow(tag) << (QStringList { u"--headless"_s } + args) << option << also;
    };
    row("rate negative", { u"--rate"_s, u"-1"_s }, u"--rate"_s);
    row("rate word", { u"--rate"_s, u"abc"_s }, u"--rate"_s);
    row("rate zero", { u"--rate"_s, u"0"_s }, u"--rate"_s);
    row("rate too high", { u"--rate=2000001"_s }, u"--rate"_s);
    row("rate missing value", { u"--rate"_s }, u"--rate"_s);
    row("nodes zero", { u"--nodes"_s, u"0"_s }, u"--nodes"_s);
    row("nodes 1000", { u"--nodes"_s, u"1000"_s }, u"--nodes"_s);
    row("nodes fraction", { u"--nodes"_s, u"2.5"_s }, u"--nodes"_s);
    row("duration zero", { u"--duration"_s, u"0"_s }, u"--duration"_s);
    row("duration word", { u"--duration"_s, u"x"_s }, u"--duration"_s);
    row("duration negative", { u"--duration"_s, u"-1"_s }, u"--duration"_s);
    row("seed negative", { u"--seed"_s, u"-3"_s }, u"--seed"_s);
    row("seed fraction", { u"--seed"_s, u"1.5"_s }, u"--seed"_s);
    row("stock negative", { u"--stock"_s, u"-1"_s }, u"--stock"_s);
    row("threads too many", { u"--threads"_s, u"999"_s }, u"--threads"_s);
    row("strategy bogus", { u"--strategy"_s, u"bogus"_s }, u"--strategy"_s);
    row("preset unknown", { u"--preset"_s, u"nope"_s }, u"--preset"_s, u"black-friday-naive"_s);
    row("scenario missing", { u"--scenario"_s, u"/nonexistent.json"_s }, u"--scenario"_s, u"/nonexistent.json"_s);
    row("scenario broken", { u"--scenario"_s, broken }, u"--scenario"_s, u"invalid JSON at offset"_s);
    row("scenario unknown key", { u"--scenario"_s, unknownKey }, u"--scenario"_s, u"nodes.capcity"_s);
    row("scenario late event", { u"--scenario"_s, lateEvent }, u"--scenario"_s, u"events[0].at_s"_s);
    row("scenario pause that never ends", { u"--scenario"_s, openPause }, u"--scenario"_s,
        u"events[1].pause: needs for_s (seconds) or a later resume"_s);
    row("preset and scenario", { u"--preset"_s, u"black-friday-naive"_s, u"--scenario"_s, broken }, u"--preset"_s,
        u"--scenario"_s);
    row("unknown option", { u"--frobnicate"_s }, u"--frobnicate"_s);
    row("positional argument", { u"extra"_s }, u"extra"_s);
    row("report unwritable", { u"--report"_s, u"/nonexistent-dir/r.json"_s }, u"--report"_s,
        u"/nonexistent-dir/r.json"_s);
    row("csv unwritable", { u"--csv"_s, u"/nonexistent-dir/t.csv"_s }, u"--csv"_s);
    row("screenshot headless", { u"--screenshot"_s, u"shot.png"_s }, u"--screenshot"_s);
    row("headless with value", { u"--headless=yes"_s }, u"--headless"_s);
    row("read-ratio negative", { u"--read-ratio"_s, u"-1"_s }, u"--read-ratio"_s, u"\"-1\""_s);
    row("read-ratio word", { u"--read-ratio"_s, u"lots"_s }, u"--read-ratio"_s, u"\"lots\""_s);
    row("read-ratio too high", { u"--read-ratio=10001"_s }, u"--read-ratio"_s, u"10000"_s);
    row("read-ratio nan", { u"--read-ratio"_s, u"nan"_s }, u"--read-ratio"_s);
    row("read-ratio missing value", { u"--read-ratio"_s }, u"--read-ratio"_s, u"missing value"_s);
    row("consumers word", { u"--consumers"_s, u"x"_s }, u"--consumers"_s, u"\"x\""_s);
    row("consumers negative", { u"--consumers"_s, u"-1"_s }, u"--consumers"_s);
    row("consumers too many", { u"--consumers"_s, u"65"_s }, u"--consumers"_s, u"64"_s);
    row("consumers fraction", { u"--consumers"_s, u"1.5"_s }, u"--consumers"_s);
    row("consumers empty", { u"--consumers="_s }, u"--consumers"_s);
}

void TestHeadless::badOptions()
{
    QFETCH(QStringList, args);
    QFETCH(QString, option);
    QFETCH(QString, alsoNamed);

    const Outcome o = run(args);
    QCOMPARE(o.exitCode, 2);
    const QStringList lines = o.err.split(u'\n', Qt::SkipEmptyParts);
    QVERIFY2(lines.size() == 1, qPrintable(o.err));
    QVERIFY2(lines.first().startsWith(u"stampede: "_s), qPrintable(lines.first()));
    QVERIFY2(lines.first().contains(option), qPrintable(lines.first()));
    if (!alsoNamed.isEmpty())
        QVERIFY2(lines.first().contains(alsoNamed), qPrintable(lines.first()));
    QVERIFY2(o.out.isEmpty(), qPrintable(o.out));
}

void TestHeadless::listPresets()
{
    const Outcome o = run({ u"--list-presets"_s });
    QCOMPARE(o.exitCode, 0);
    for (const QString &name :
        { u"black-friday-naive"_s, u"black-friday-row-lock"_s, u"black-friday-atomic"_s, u"black-friday-sharded"_s,
            u"black-friday-cache-queue"_s, u"cache-stampede"_s, u"queue-peak-shaving"_s, u"rehash-mod-vs-ring"_s,
            u"celebrity-push"_s, u"celebrity-pull"_s, u"celebrity-hybrid"_s, u"fanout-worker-crash"_s,
            u"scale-up-vs-scale-out"_s, u"coordination-cost"_s, u"single-point-of-failure"_s })
        QVERIFY2(o.out.contains(name), qPrintable(o.out));
    QCOMPARE(o.out.split(u'\n', Qt::SkipEmptyParts).size(), 15);
    QVERIFY2(!o.out.contains(u"broken"_s), qPrintable(o.out));
}

void TestHeadless::helpAndVersion()
{
    const Outcome help = run({ u"--help"_s });
    QCOMPARE(help.exitCode, 0);
    for (const QString &option : { u"--headless"_s, u"--preset"_s, u"--scenario"_s, u"--rate"_s, u"--report"_s,
             u"--csv"_s, u"--list-presets"_s, u"--screenshot"_s, u"--read-ratio"_s, u"--consumers"_s })
        QVERIFY2(help.out.contains(option), qPrintable(option));

    const Outcome version = run({ u"--version"_s });
    QCOMPARE(version.exitCode, 0);
    QVERIFY2(version.out.startsWith(u"stampede "_s), qPrintable(version.out));
}

void TestHeadless::shortRunWritesReportAndCsv()
{
    const QString report = m_dir.filePath(u"r.json"_s);
    const QString csv = m_dir.filePath(u"t.csv"_s);
    const Outcome o = run({ u"--headless"_s, u"--preset"_s, u"black-friday-atomic"_s, u"--duration"_s, u"1"_s,
        u"--report"_s, report, u"--csv"_s, csv });
    QVERIFY2(o.exitCode == 0, qPrintable(o.err));
    QVERIFY2(o.out.contains(u"OVERSOLD"_s), qPrintable(o.out));
    QVERIFY2(o.out.contains(u"invariants"_s), qPrintable(o.out));

    QFile rf(report);
    QVERIFY(rf.open(QIODevice::ReadOnly));
    QJsonParseError parseError;
    const QJsonDocument doc = QJsonDocument::fromJson(rf.readAll(), &parseError);
    QVERIFY2(doc.isObject(), qPrintable(parseError.errorString()));
    const QJsonObject r = doc.object();

    for (const QString &key : { u"scenario"_s, u"strategy"_s, u"seed"_s, u"duration_s"_s, u"requests"_s, u"stock"_s,
             u"consistency"_s, u"throughput_per_s"_s, u"latency_ms"_s, u"invariants_ok"_s })
        QVERIFY2(r.contains(key), qPrintable(key));
    const QList<std::pair<QString, QStringList>> nested {
        { u"requests"_s, { u"attempted"_s, u"succeeded"_s, u"sold_out"_s, u"rate_limited"_s, u"failed"_s } },
        { u"stock"_s, { u"initial"_s, u"sold"_s, u"remaining"_s } },
        { u"consistency"_s, { u"oversold"_s, u"lost_orders"_s, u"duplicate_orders"_s, u"stale_reads"_s } },
        { u"throughput_per_s"_s, { u"mean"_s, u"peak"_s } },
        { u"latency_ms"_s, { u"p50"_s, u"p95"_s, u"p99"_s, u"max"_s } },
    };
    for (const auto &[section, keys] : nested) {
        const QJsonObject o = r.value(section).toObject();
        for (const QString &key : keys)
            QVERIFY2(o.value(key).isDouble(), qPrintable(section + u'.' + key));
    }
    // the read path and the order queue: always present, numbers (zeros when unused)
    const QList<std::pair<QString, QStringList>> added {
        { u"cache"_s,
            { u"hit_ratio"_s, u"keys_moved_last_change"_s, u"stale_reads"_s, u"views"_s, u"store_reads"_s,
                u"store_read_peak_per_s"_s, u"evictions"_s } },
        { u"queue"_s,
            { u"max_backlog"_s, u"max_lag_ms"_s, u"redelivered"_s, u"duplicates"_s, u"enqueued"_s, u"persisted"_s,
                u"rejected"_s } },
    };
    for (const auto &[section, keys] : added) {
        QVERIFY2(r.value(section).isObject(), qPrintable(section));
        const QJsonObject o = r.value(section).toObject();
        for (const QString &key : keys)
            QVERIFY2(o.value(key).isDouble(), qPrintable(section + u'.' + key));
        QCOMPARE(o.size(), keys.size());
    }
    // atomic neither reads through the cache nor queues orders: the summary has no line for them
    QCOMPARE(r.value(u"queue"_s).toObject().value(u"enqueued"_s).toInteger(), 0);
    QVERIFY2(!o.out.contains(u"\nqueue "_s), qPrintable(o.out));
    QCOMPARE(r.value(u"scenario"_s).toString(), u"black-friday-atomic"_s);
    QCOMPARE(r.value(u"strategy"_s).toString(), u"atomic"_s);
    QCOMPARE(r.value(u"seed"_s).toInteger(), 42);
    QCOMPARE(r.value(u"duration_s"_s).toDouble(), 1.0);
    QVERIFY(r.value(u"invariants_ok"_s).isBool());
    QCOMPARE(r.value(u"consistency"_s).toObject().value(u"oversold"_s).toInteger(), 0);
    QVERIFY(r.value(u"requests"_s).toObject().value(u"attempted"_s).toInteger() > 0);
    QCOMPARE(r.value(u"stock"_s).toObject().value(u"initial"_s).toInteger(), 5000);

    QFile cf(csv);
    QVERIFY(cf.open(QIODevice::ReadOnly | QIODevice::Text));
    const QStringList lines = QString::fromUtf8(cf.readAll()).split(u'\n', Qt::SkipEmptyParts);
    QVERIFY2(lines.size() >= 6, qPrintable(QString::number(lines.size())));
    const QStringList header = csvFields(lines.first());
    // The original columns keep their positions; new ones are appended after them.
    const QStringList original { u"t_s"_s, u"offered_per_s"_s, u"attempts_per_s"_s, u"succeeded_per_s"_s,
        u"sold_out_per_s"_s, u"rate_limited_per_s"_s, u"failed_per_s"_s, u"failed_node_down_per_s"_s,
        u"failed_timeout_per_s"_s, u"failed_overloaded_per_s"_s, u"p50_ms"_s, u"p95_ms"_s, u"p99_ms"_s, u"max_ms"_s,
        u"lock_wait_mean_ms"_s, u"lock_wait_max_ms"_s, u"utilisation_ratio"_s, u"in_flight_requests"_s,
        u"backlog_requests"_s, u"nodes_up_count"_s, u"stock_remaining_units"_s, u"sold_units"_s, u"confirmed_units"_s,
        u"oversold_units"_s, u"lost_orders_count"_s, u"false_sold_out_count"_s, u"attempts_total_count"_s,
        u"events_text"_s };
    QCOMPARE(header.mid(0, original.size()), original);
    const QStringList appended { u"views_per_s"_s, u"view_hits_per_s"_s, u"view_misses_per_s"_s, u"hit_ratio"_s,
        u"evictions_per_s"_s, u"store_reads_per_s"_s, u"stale_reads_per_s"_s, u"stale_reads_total_count"_s,
        u"enqueued_per_s"_s, u"dequeued_per_s"_s, u"queue_backlog_messages"_s, u"queue_lag_ms"_s,
        u"consumers_up_count"_s, u"redelivered_total_count"_s, u"duplicates_total_count"_s, u"cache_stock_units"_s,
        u"divergence_units"_s,
        // the fan-out's
        u"posts_per_s"_s, u"timeline_reads_per_s"_s, u"inbox_writes_per_s"_s, u"fetches_per_read"_s,
        u"fanout_stale_reads_per_s"_s, u"fanout_backlog_writes"_s, u"fanout_drain_per_s"_s, u"visible_ratio"_s,
        u"tracked_post_id"_s, u"hot_shard_utilisation_ratio"_s, u"fanout_workers_up_count"_s, u"inbox_entries_count"_s,
        u"fanout_duplicates_total_count"_s, u"fanout_redelivered_total_count"_s, u"fanout_stale_reads_total_count"_s };
    QCOMPARE(header.mid(original.size()), appended);
    for (qsizetype i = 1; i < lines.size(); ++i)
        QVERIFY2(csvFields(lines[i]).size() == header.size(), qPrintable(lines[i]));
}

// The naive preset's lesson is oversell; with stock well below a second's buyers it must show
// within that second.
void TestHeadless::naiveOversells()
{
    const QString report = m_dir.filePath(u"naive.json"_s);
    const Outcome o = run({ u"--headless"_s, u"--preset"_s, u"black-friday-naive"_s, u"--duration"_s, u"1"_s,
        u"--stock"_s, u"500"_s, u"--report"_s, report });
    QVERIFY2(o.exitCode == 0, qPrintable(o.err));
    QFile rf(report);
    QVERIFY(rf.open(QIODevice::ReadOnly));
    const QJsonObject r = QJsonDocument::fromJson(rf.readAll()).object();
    QVERIFY(r.value(u"consistency"_s).toObject().value(u"oversold"_s).toInteger() > 0);
    QCOMPARE(r.value(u"invariants_ok"_s).toBool(), false);
}

void TestHeadless::closedLoopRuns()
{
    const QString report = m_dir.filePath(u"closed.json"_s);
    const Outcome o = run({ u"--headless"_s, u"--preset"_s, u"black-friday-sharded"_s, u"--rate"_s, u"max"_s,
        u"--duration"_s, u"0.5"_s, u"--stock"_s, u"100"_s, u"--seed"_s, u"7"_s, u"--report"_s, report });
    QVERIFY2(o.exitCode == 0, qPrintable(o.err));
    QFile rf(report);
    QVERIFY(rf.open(QIODevice::ReadOnly));
    const QJsonObject r = QJsonDocument::fromJson(rf.readAll()).object();
    QCOMPARE(r.value(u"mode"_s).toString(), u"closed"_s);
    QCOMPARE(r.value(u"seed"_s).toInteger(), 7);
    QCOMPARE(r.value(u"stock"_s).toObject().value(u"initial"_s).toInteger(), 100);
    QCOMPARE(r.value(u"consistency"_s).toObject().value(u"oversold"_s).toInteger(), 0);
}

void TestHeadless::pauseStopsTheRunClock_data()
{
    QTest::addColumn<QByteArray>("pause"); // the scenario's pause events, 1 s long at 0.3 s
    QTest::newRow("for_s") << QByteArray(R"({"at_s": 0.3, "pause": true, "for_s": 1})");
    QTest::newRow("pause, then resume") << QByteArray(R"({"at_s": 0.3, "pause": true}, {"at_s": 1.3, "resume": true})");
}

// A scenario's pause stops the run's clock: the run lasts duration_s of run time, the pause
// on top of it on the wall, and the timeline goes on across the pause without a gap.
void TestHeadless::pauseStopsTheRunClock()
{
    QFETCH(QByteArray, pause);
    constexpr double kDurationS = 1.5, kPauseS = 1.0;
    const QString scenario = writeFile(u"paused.json"_s,
        R"({"name": "paused", "duration_s": 1.5, "stock": 100000000, "traffic": {"rate_per_s": 400},
            "events": [)"
            + pause + R"(, {"at_s": 0.6, "add_nodes": 1}]})");
    const QString report = m_dir.filePath(u"paused-report.json"_s);
    const QString csv = m_dir.filePath(u"paused.csv"_s);
    QElapsedTimer wall;
    wall.start();
    const Outcome o = run({ u"--headless"_s, u"--scenario"_s, scenario, u"--report"_s, report, u"--csv"_s, csv });
    const double wallS = double(wall.elapsed()) / 1000.0;
    QVERIFY2(o.exitCode == 0, qPrintable(o.err));
    // lower bounds only: a slow machine takes longer, never shorter
    QVERIFY2(wallS >= (kDurationS + kPauseS) * 0.9, qPrintable(QStringLiteral("ran %1 s on the wall").arg(wallS)));

    const QJsonObject r = readReport(report);
    QCOMPARE(r.value(u"duration_s"_s).toDouble(), kDurationS); // run time, as the scenario says
    double pausedT = -1, resumedT = -1, addedT = -1;
    for (const QJsonValue &v : r.value(u"events"_s).toArray()) {
        const QJsonObject m = v.toObject();
        const QString label = m.value(u"label"_s).toString();
        const double t = m.value(u"t_s"_s).toDouble();
        if (label == u"paused"_s)
            pausedT = t;
        else if (label == u"resumed"_s)
            resumedT = t;
        else if (label == u"node 4 added"_s)
            addedT = t;
    }
    QVERIFY2(pausedT >= 0.3 && resumedT >= pausedT, QJsonDocument(r).toJson().constData());
    QVERIFY2(resumedT - pausedT < kPauseS / 4, qPrintable(QStringLiteral("resumed at %1").arg(resumedT)));
    QVERIFY2(addedT >= 0.6, qPrintable(QStringLiteral("node added at %1").arg(addedT))); // at its run time

    QStringList header;
    const QList<QStringList> rows = readCsv(csv, &header);
    QVERIFY(rows.size() >= 5);
    const qsizetype tCol = header.indexOf(u"t_s"_s);
    QVERIFY(tCol >= 0);
    double maxGap = 0;
    for (qsizetype i = 1; i < rows.size(); ++i) {
        const double a = rows[i - 1].value(tCol).toDouble(), b = rows[i].value(tCol).toDouble();
        QVERIFY2(b > a, qPrintable(rows[i].join(u',')));
        maxGap = std::max(maxGap, b - a);
    }
    QVERIFY2(maxGap < kPauseS / 2, qPrintable(QStringLiteral("a gap of %1 s in the timeline").arg(maxGap)));
}

// --read-ratio and --consumers are applied to the scenario the run gets (checked in-process:
// the report carries results, not every setting).
void TestHeadless::newOptionsReachTheScenario()
{
    const CliParseResult parsed
        = parseCommandLine({ u"stampede"_s, u"--headless"_s, u"--preset"_s, u"queue-peak-shaving"_s, u"--read-ratio"_s,
                               u"12.5"_s, u"--consumers"_s, u"0"_s },
            false);
    QVERIFY2(parsed.status == CliParseResult::Status::Run, qPrintable(parsed.output));
    QString error;
    const std::optional<Scenario> s = resolveScenario(parsed.options, &error);
    QVERIFY2(s, qPrintable(error));
    QCOMPARE(s->config.traffic.readRatio, 12.5);
    QCOMPARE(s->config.queue.consumers, 0);
    QCOMPARE(s->config.queue.partitions, 8); // the rest of the preset's queue stays
    QVERIFY(s->notes.isEmpty());
}

// --strategy cache-queue on a lesson without a cache tier runs with the default tier and says so.
void TestHeadless::cacheQueueGetsADefaultCacheTier()
{
    const CliParseResult parsed = parseCommandLine(
        { u"stampede"_s, u"--headless"_s, u"--preset"_s, u"black-friday-atomic"_s, u"--strategy"_s, u"cache-queue"_s },
        false);
    QVERIFY2(parsed.status == CliParseResult::Status::Run, qPrintable(parsed.output));
    QString error;
    const std::optional<Scenario> s = resolveScenario(parsed.options, &error);
    QVERIFY2(s, qPrintable(error));
    QCOMPARE(s->config.cache.nodes, kDefaultCacheNodes);
    QVERIFY(s->config.cache.placement == stampede::Placement::Ring);
    QCOMPARE(s->notes.size(), 1);

    // a lesson that has a cache tier keeps it and gets no note
    const CliParseResult withCache = parseCommandLine(
        { u"stampede"_s, u"--headless"_s, u"--preset"_s, u"rehash-mod-vs-ring"_s, u"--strategy"_s, u"cache-queue"_s },
        false);
    const std::optional<Scenario> kept = resolveScenario(withCache.options, &error);
    QVERIFY2(kept, qPrintable(error));
    QCOMPARE(kept->config.cache.nodes, 4);
    QVERIFY(kept->config.cache.placement == stampede::Placement::Modulo);
    QVERIFY(kept->notes.isEmpty());

    // the binary: exit 0, one summary line about it, the report names the strategy
    const QString report = m_dir.filePath(u"cq.json"_s);
    const Outcome o = run({ u"--headless"_s, u"--preset"_s, u"black-friday-atomic"_s, u"--strategy"_s, u"cache-queue"_s,
        u"--duration"_s, u"0.5"_s, u"--report"_s, report });
    QVERIFY2(o.exitCode == 0, qPrintable(o.err));
    const QStringList noted = o.out.split(u'\n').filter(u"cache tier"_s);
    QCOMPARE(noted.size(), 1);
    QVERIFY2(noted.first().startsWith(u"note"_s) && noted.first().contains(u"--strategy cache-queue"_s)
            && noted.first().contains(u"3 cache nodes, ring"_s),
        qPrintable(noted.first()));
    QFile rf(report);
    QVERIFY(rf.open(QIODevice::ReadOnly));
    const QJsonObject r = QJsonDocument::fromJson(rf.readAll()).object();
    QCOMPARE(r.value(u"strategy"_s).toString(), u"cache-queue"_s);
}

// The summary's line with this label ("cache", "queue"), or empty.
static QString summaryLine(const QString &out, const QString &label)
{
    for (const QString &line : out.split(u'\n'))
        if (line.startsWith(label + u' '))
            return line;
    return {};
}

// A short cache-stampede run: views are served from the cache, the report and timeline carry
// them, and the summary prints a cache line (and no queue line: atomic queues nothing).
void TestHeadless::readRunReportsTheCache()
{
    const QString report = m_dir.filePath(u"reads.json"_s);
    const QString csv = m_dir.filePath(u"reads.csv"_s);
    const Outcome o = run({ u"--headless"_s, u"--preset"_s, u"cache-stampede"_s, u"--duration"_s, u"1.5"_s,
        u"--report"_s, report, u"--csv"_s, csv });
    QVERIFY2(o.exitCode == 0, qPrintable(o.err));
    const QJsonObject r = readReport(report);
    const QJsonObject cache = r.value(u"cache"_s).toObject();
    const qint64 views = cache.value(u"views"_s).toInteger();
    QVERIFY2(views > 0, qPrintable(QString::number(views)));
    const double hitRatio = cache.value(u"hit_ratio"_s).toDouble();
    QVERIFY2(hitRatio > 0 && hitRatio <= 1, qPrintable(QString::number(hitRatio)));
    // the first view of the key misses and loads it from the store
    QVERIFY(cache.value(u"store_reads"_s).toInteger() > 0);
    QVERIFY(cache.value(u"store_read_peak_per_s"_s).toDouble() > 0);
    QVERIFY(cache.value(u"store_reads"_s).toInteger() < views);
    QCOMPARE(r.value(u"queue"_s).toObject().value(u"enqueued"_s).toInteger(), 0);

    const QString line = summaryLine(o.out, u"cache"_s);
    QVERIFY2(line.contains(u"hit ratio"_s) && line.contains(u"views"_s), qPrintable(o.out));
    QVERIFY2(summaryLine(o.out, u"queue"_s).isEmpty(), qPrintable(o.out));

    QStringList header;
    const QList<QStringList> rows = readCsv(csv, &header);
    const qsizetype viewsCol = header.indexOf(u"views_per_s"_s), hitCol = header.indexOf(u"hit_ratio"_s);
    QVERIFY(viewsCol >= 0 && hitCol >= 0);
    bool anyViews = false;
    for (const QStringList &row : rows) {
        QCOMPARE(row.size(), header.size());
        anyViews = anyViews || row[viewsCol].toDouble() > 0;
        const double h = row[hitCol].toDouble();
        QVERIFY2(h >= 0 && h <= 1, qPrintable(row.join(u',')));
    }
    QVERIFY(anyViews);
}

// A short queue-peak-shaving run: every confirmed order goes through the queue and is persisted
// once it drained; the report, the timeline and the summary say so.
void TestHeadless::cacheQueueRunReportsTheQueue()
{
    const QString report = m_dir.filePath(u"queue.json"_s);
    const QString csv = m_dir.filePath(u"queue.csv"_s);
    const Outcome o = run({ u"--headless"_s, u"--preset"_s, u"queue-peak-shaving"_s, u"--duration"_s, u"1"_s,
        u"--report"_s, report, u"--csv"_s, csv });
    QVERIFY2(o.exitCode == 0, qPrintable(o.err));
    const QJsonObject r = readReport(report);
    const QJsonObject queue = r.value(u"queue"_s).toObject();
    const qint64 enqueued = queue.value(u"enqueued"_s).toInteger();
    QVERIFY2(enqueued > 0, qPrintable(QString::number(enqueued)));
    QCOMPARE(enqueued, r.value(u"requests"_s).toObject().value(u"succeeded"_s).toInteger());
    QCOMPARE(queue.value(u"persisted"_s).toInteger(), enqueued); // drained before the report
    QCOMPARE(queue.value(u"rejected"_s).toInteger(), 0);
    QCOMPARE(queue.value(u"duplicates"_s).toInteger(), 0);
    QVERIFY(queue.value(u"max_backlog"_s).toInteger() > 0);
    QVERIFY(queue.value(u"max_lag_ms"_s).toDouble() > 0);
    QCOMPARE(r.value(u"consistency"_s).toObject().value(u"duplicate_orders"_s).toInteger(), 0);
    QCOMPARE(r.value(u"consistency"_s).toObject().value(u"lost_orders"_s).toInteger(), 0);
    QCOMPARE(r.value(u"invariants_ok"_s).toBool(), true);

    const QString line = summaryLine(o.out, u"queue"_s);
    QVERIFY2(line.contains(u"enqueued"_s) && line.contains(u"persisted"_s), qPrintable(o.out));
    QVERIFY2(summaryLine(o.out, u"cache"_s).isEmpty(), qPrintable(o.out)); // no views in this lesson

    QStringList header;
    const QList<QStringList> rows = readCsv(csv, &header);
    const qsizetype enqueuedCol = header.indexOf(u"enqueued_per_s"_s);
    const qsizetype consumersCol = header.indexOf(u"consumers_up_count"_s);
    QVERIFY(enqueuedCol >= 0 && consumersCol >= 0);
    bool anyEnqueued = false;
    for (const QStringList &row : rows) {
        anyEnqueued = anyEnqueued || row[enqueuedCol].toDouble() > 0;
        QCOMPARE(row[consumersCol], u"4"_s);
    }
    QVERIFY(anyEnqueued);
}

void TestHeadless::consumersOptionReachesTheEngine()
{
    const QString csv = m_dir.filePath(u"consumers.csv"_s);
    const Outcome o = run({ u"--headless"_s, u"--preset"_s, u"queue-peak-shaving"_s, u"--duration"_s, u"0.5"_s,
        u"--consumers"_s, u"1"_s, u"--csv"_s, csv });
    QVERIFY2(o.exitCode == 0, qPrintable(o.err));
    QStringList header;
    const QList<QStringList> rows = readCsv(csv, &header);
    const qsizetype consumersCol = header.indexOf(u"consumers_up_count"_s);
    QVERIFY(consumersCol >= 0);
    QVERIFY(!rows.isEmpty());
    for (const QStringList &row : rows)
        QCOMPARE(row[consumersCol], u"1"_s);
}

void TestHeadless::readRatioOptionReachesTheEngine()
{
    // rehash-mod-vs-ring reads 100 views per purchase; --read-ratio 0 leaves purchases only
    const QString none = m_dir.filePath(u"ratio0.json"_s);
    const Outcome o = run({ u"--headless"_s, u"--preset"_s, u"rehash-mod-vs-ring"_s, u"--duration"_s, u"0.5"_s,
        u"--read-ratio"_s, u"0"_s, u"--report"_s, none });
    QVERIFY2(o.exitCode == 0, qPrintable(o.err));
    const QJsonObject r = readReport(none);
    QVERIFY(r.value(u"requests"_s).toObject().value(u"attempted"_s).toInteger() > 0);
    QCOMPARE(r.value(u"cache"_s).toObject().value(u"views"_s).toInteger(), 0);

    // and a lesson without views gets them; with --strategy cache-queue the default cache tier
    // serves them and the counters, and the summary shows both lines
    const QString some = m_dir.filePath(u"ratio20.json"_s);
    const Outcome p = run({ u"--headless"_s, u"--preset"_s, u"black-friday-atomic"_s, u"--strategy"_s, u"cache-queue"_s,
        u"--duration"_s, u"0.5"_s, u"--read-ratio"_s, u"20"_s, u"--report"_s, some });
    QVERIFY2(p.exitCode == 0, qPrintable(p.err));
    const QJsonObject q = readReport(some);
    const qint64 views = q.value(u"cache"_s).toObject().value(u"views"_s).toInteger();
    const qint64 attempts = q.value(u"requests"_s).toObject().value(u"attempted"_s).toInteger();
    QVERIFY2(views > attempts, qPrintable(QString::number(views) + u" views, "_s + QString::number(attempts)));
    QVERIFY(q.value(u"queue"_s).toObject().value(u"enqueued"_s).toInteger() > 0);
    QVERIFY2(!summaryLine(p.out, u"cache"_s).isEmpty(), qPrintable(p.out));
    QVERIFY2(!summaryLine(p.out, u"queue"_s).isEmpty(), qPrintable(p.out));
}

// Adding a fifth cache node under modulo placement moves most keys; the report and summary say how many.
void TestHeadless::cacheChangeReportsKeysMoved()
{
    const QString scenario = writeFile(u"rehash.json"_s, R"({"duration_s": 1, "strategy": "atomic",
        "traffic": {"rate_per_s": 2000, "read_ratio": 10, "skus": 64},
        "cache": {"nodes": 4, "placement": "modulo"},
        "events": [{"at_s": 0.3, "add_cache_node": 1}]})");
    const QString report = m_dir.filePath(u"rehash-report.json"_s);
    const Outcome o = run({ u"--headless"_s, u"--scenario"_s, scenario, u"--report"_s, report });
    QVERIFY2(o.exitCode == 0, qPrintable(o.err));
    const double moved = readReport(report).value(u"cache"_s).toObject().value(u"keys_moved_last_change"_s).toDouble();
    // modulo 4 -> 5 keeps a key only when k mod 4 == k mod 5: about one in five
    QVERIFY2(moved > 0.5 && moved < 1, qPrintable(QString::number(moved)));
    QVERIFY2(summaryLine(o.out, u"cache"_s).contains(u"keys moved"_s), qPrintable(o.out));
}

QTEST_GUILESS_MAIN(TestHeadless)
#include "tst_headless.moc"
