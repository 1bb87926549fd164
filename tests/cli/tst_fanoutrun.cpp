// The celebrity fan-out as a user runs it headless (issue 13): the binary with a fan-out
// scenario writes the report's `fanout` section, the CSV's fan-out columns and the summary's
// celebrity lines; the numbers agree with the models; bad fan-out input fails in one line.
//
// Runs use a 200 000-user graph (one celebrity with 199 999 followers) so that each takes a
// few seconds; the model figures scale with F.

#include "clirun.h"

#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTemporaryDir>
#include <QTest>

using namespace Qt::StringLiterals;

namespace {

using test::Outcome;

constexpr double kFollowers = 199'999;
constexpr int kWorkers = 4, kBatch = 64;
constexpr double kWriteMs = 0.01, kAckMs = 0.05;

// Push delivery by W workers at t per write, each batch of B followers waiting one ack: F·t/W + F/(W·B)·ack.
double modelSeconds(int workers)
{
    return (kFollowers * kWriteMs / workers + kFollowers / (workers * kBatch) * kAckMs) / 1e3;
}

// A small fan-out scenario: the celebrity posts at 0.5 s, `events` follow.
QByteArray scenario(const QString &mode, bool idempotent, const QString &events = {})
{
    QString json = uR"({"name": "fanout-test", "duration_s": 3, "workload": "fan-out",
      "traffic": {"rate_per_s": 4000},
      "fanout": {"users": 200000, "celebrities": [199999], "mode": "%1", "threshold": 10000,
                 "workers": %2, "batch": %3, "write_ms": %4, "ack_ms": %5, "fetch_ms": 0.1,
                 "idempotent": %6},
      "events": [{"at_s": 0.5, "celebrity_post": 0}%7]})"_s;
    json = json.arg(mode)
               .arg(kWorkers)
               .arg(kBatch)
               .arg(kWriteMs)
               .arg(kAckMs)
               .arg(idempotent ? u"true"_s : u"false"_s)
               .arg(events.isEmpty() ? QString() : u", "_s + events);
    return json.toUtf8();
}

QJsonObject firstPost(const QJsonObject &fanout)
{
    return fanout.value(u"tracked_posts"_s).toArray().first().toObject();
}

} // namespace

class TestFanoutRun : public QObject {
    Q_OBJECT

private slots:
    void initTestCase();
    void pushMeetsTheDeliveryModel();
    void modesTradeReadsForWrites_data();
    void modesTradeReadsForWrites();
    void workerCrashRedelivers_data();
    void workerCrashRedelivers();
    void killedShardLosesInboxesUntilRebuilt();
    void badFanoutInput_data();
    void badFanoutInput();

private:
    Outcome run(const QStringList &args);
    QString writeFile(const QString &name, const QByteArray &content);
    QJsonObject runScenario(const QByteArray &json, const QStringList &extra = {}, Outcome *outcome = nullptr);

    QString m_bin;
    QTemporaryDir m_dir;
    int m_files = 0;
};

void TestFanoutRun::initTestCase()
{
    m_bin = qEnvironmentVariable("STAMPEDE_BIN");
    QVERIFY2(!m_bin.isEmpty(), "STAMPEDE_BIN is not set (run through ctest)");
    QVERIFY(m_dir.isValid());
}

Outcome TestFanoutRun::run(const QStringList &args) { return test::runBinary(m_bin, m_dir.path(), args, 120000); }

QString TestFanoutRun::writeFile(const QString &name, const QByteArray &content)
{
    const QString path = m_dir.filePath(name);
    QFile f(path);
    if (f.open(QIODevice::WriteOnly))
        f.write(content);
    return path;
}

// Runs the scenario headless; its report's `fanout` section (empty when the run failed).
QJsonObject TestFanoutRun::runScenario(const QByteArray &json, const QStringList &extra, Outcome *outcome)
{
    const QString n = QString::number(++m_files);
    const QString file = writeFile(u"s"_s + n + u".json"_s, json);
    const QString report = m_dir.filePath(u"r"_s + n + u".json"_s);
    const Outcome o = run(QStringList { u"--headless"_s, u"--scenario"_s, file, u"--report"_s, report } + extra);
    if (outcome)
        *outcome = o;
    if (o.exitCode != 0) {
        qWarning("%s", qPrintable(o.err));
        return {};
    }
    QFile f(report);
    if (!f.open(QIODevice::ReadOnly))
        return {};
    const QJsonObject r = QJsonDocument::fromJson(f.readAll()).object();
    return r.value(u"fanout"_s).toObject();
}

// Push: every follower gets the post; the time to 100 % is F·t/W (with the batches' acks)
// within 10 %: the shards are not saturated (4 workers write 400 k/s into 16 shards of 100 k/s).
void TestFanoutRun::pushMeetsTheDeliveryModel()
{
    const QString csv = m_dir.filePath(u"push.csv"_s);
    Outcome o;
    const QJsonObject f = runScenario(scenario(u"push"_s, true), { u"--csv"_s, csv }, &o);
    QVERIFY2(!f.isEmpty(), qPrintable(o.err));
    QCOMPARE(f.value(u"mode"_s).toString(), u"push"_s);
    const QJsonObject p = firstPost(f);
    QCOMPARE(p.value(u"followers"_s).toInteger(), qint64(kFollowers));
    QCOMPARE(p.value(u"delivered"_s).toInteger(), qint64(kFollowers)); // every one, exactly once
    QCOMPARE(p.value(u"read_by"_s).toString(), u"push"_s);
    QCOMPARE(f.value(u"duplicates"_s).toInteger(), 0);
    const double model = modelSeconds(kWorkers);
    QVERIFY(qAbs(p.value(u"model_s"_s).toDouble() - model) < 1e-9);
    const QJsonObject t = p.value(u"time_to_visible_s"_s).toObject();
    const double t100 = t.value(u"p100"_s).toDouble(), t50 = t.value(u"p50"_s).toDouble();
    QVERIFY2(
        t100 > 0.9 * model && t100 < 1.1 * model, qPrintable(u"100 %% after %1 s, model %2 s"_s.arg(t100).arg(model)));
    // the writes are spread evenly over the fan-out: half the followers by half the time (±10 %)
    QVERIFY2(t50 > 0.45 * t100 && t50 < 0.55 * t100, qPrintable(QString::number(t50)));
    // write amplification: the celebrity's post alone is F writes
    QVERIFY(f.value(u"inbox_writes"_s).toInteger() >= qint64(kFollowers));
    QVERIFY(f.value(u"backlog_max"_s).toInteger() > 0);
    QVERIFY(f.value(u"stale_reads"_s).toInteger() > 0); // followers read while it fanned out
    QCOMPARE(f.value(u"fetches_per_read"_s).toDouble(), 1.0); // one inbox fetch

    // The curve rises to 1, never falls, in the CSV as in the report.
    QFile file(csv);
    QVERIFY(file.open(QIODevice::ReadOnly));
    const QStringList lines = QString::fromUtf8(file.readAll()).split(u'\n', Qt::SkipEmptyParts);
    const qsizetype col = lines.first().split(u',').indexOf(u"visible_ratio"_s);
    QVERIFY(col >= 0);
    double last = 0;
    for (qsizetype i = 1; i < lines.size(); ++i) {
        const double v = lines[i].split(u',').value(col).toDouble();
        QVERIFY2(v >= last, qPrintable(lines[i]));
        last = v;
    }
    QCOMPARE(last, 1.0);
    const QJsonArray curve = p.value(u"curve"_s).toArray();
    QVERIFY(curve.size() >= 3);
    QCOMPARE(curve.last().toArray().at(1).toDouble(), 1.0);
    QVERIFY2(o.out.contains(u"celebrity"_s) && o.out.contains(u"model F·t/W"_s), qPrintable(o.out));
}

void TestFanoutRun::modesTradeReadsForWrites_data()
{
    QTest::addColumn<QString>("mode");
    QTest::newRow("pull") << u"pull"_s;
    QTest::newRow("hybrid") << u"hybrid"_s;
}

// Pull and hybrid (the celebrity above the threshold): her post is visible to every follower at
// once and no read misses it, and reads pay: pull fetches every followee's outbox (about
// follows_per_user + 1), hybrid its inbox plus her outbox for her followers.
void TestFanoutRun::modesTradeReadsForWrites()
{
    QFETCH(QString, mode);
    Outcome o;
    const QJsonObject f = runScenario(scenario(u"push"_s, true), { u"--fanout-mode"_s, mode }, &o);
    QVERIFY2(!f.isEmpty(), qPrintable(o.err));
    QCOMPARE(f.value(u"mode"_s).toString(), mode);
    const QJsonObject p = firstPost(f);
    QCOMPARE(p.value(u"read_by"_s).toString(), u"pull"_s);
    QCOMPARE(p.value(u"delivered"_s).toInteger(), qint64(kFollowers));
    QCOMPARE(p.value(u"time_to_visible_s"_s).toObject().value(u"p100"_s).toDouble(), 0.0);
    QCOMPARE(f.value(u"stale_reads"_s).toInteger(), 0);
    const double fetches = f.value(u"fetches_per_read"_s).toDouble();
    if (mode == u"pull"_s) {
        QCOMPARE(f.value(u"inbox_writes"_s).toInteger(), 0);
        QVERIFY2(fetches > 4.5 && fetches < 7.5, qPrintable(QString::number(fetches))); // 5 followees + 1 celebrity
    } else {
        QVERIFY(f.value(u"inbox_writes"_s).toInteger() < qint64(kFollowers) / 10); // ordinary posts only
        // nearly every user follows her (199 999 of 200 000): an inbox and her outbox, plus the
        // few ordinary accounts above 10 000 followers a reader follows; pull makes about six
        QVERIFY2(fetches > 1.5 && fetches < 4.0, qPrintable(QString::number(fetches)));
    }
}

void TestFanoutRun::workerCrashRedelivers_data()
{
    QTest::addColumn<bool>("idempotent");
    QTest::newRow("plain writes") << false;
    QTest::newRow("idempotent writes") << true;
}

// Three workers killed mid-fan-out: their batches come back (at-least-once), every follower
// still gets the post; the writes they had finished land twice unless writes are idempotent.
void TestFanoutRun::workerCrashRedelivers()
{
    QFETCH(bool, idempotent);
    const QString kills = uR"({"at_s": 0.6, "kill_fanout_worker": 0}, {"at_s": 0.62, "kill_fanout_worker": 1},
        {"at_s": 0.64, "kill_fanout_worker": 2})"_s;
    Outcome o;
    const QJsonObject f = runScenario(scenario(u"push"_s, idempotent, kills), {}, &o);
    QVERIFY2(!f.isEmpty(), qPrintable(o.err));
    QCOMPARE(f.value(u"workers_up"_s).toInt(), kWorkers - 3);
    QCOMPARE(f.value(u"redelivered_batches"_s).toInteger(), 3);
    const QJsonObject p = firstPost(f);
    QCOMPARE(p.value(u"delivered"_s).toInteger(), qint64(kFollowers));
    const qint64 duplicates = f.value(u"duplicates"_s).toInteger();
    if (idempotent) {
        QCOMPARE(duplicates, 0);
        QVERIFY2(o.out.contains(u"invariants    OK"_s), qPrintable(o.out));
    } else {
        QVERIFY2(duplicates > 0 && duplicates <= 3 * kBatch, qPrintable(QString::number(duplicates)));
        QVERIFY2(o.out.contains(u"duplicate inbox entries"_s), qPrintable(o.out));
    }
}

// A killed inbox shard loses its inboxes (1/16 of the followers' entries) and the rebuild
// refills them from the post log: entries held come back to what they were.
void TestFanoutRun::killedShardLosesInboxesUntilRebuilt()
{
    const QString events = uR"({"at_s": 1.8, "kill_inbox_shard": 3}, {"at_s": 2.2, "rebuild_inbox_shard": 3})"_s;
    Outcome o;
    const QJsonObject f = runScenario(scenario(u"push"_s, true, events), {}, &o);
    QVERIFY2(!f.isEmpty(), qPrintable(o.err));
    const qint64 lost = f.value(u"lost_entries"_s).toInteger();
    const qint64 rebuilt = f.value(u"rebuilt_entries"_s).toInteger();
    // the celebrity's post was in every inbox: shard 3 of 16 held about a sixteenth of them
    QVERIFY2(lost > qint64(kFollowers / 16 * 0.9), qPrintable(QString::number(lost)));
    QVERIFY2(rebuilt >= qint64(kFollowers / 16 * 0.9) && rebuilt <= lost + 1000, qPrintable(QString::number(rebuilt)));
    // every inbox holds the celebrity's post again
    QVERIFY(f.value(u"storage_entries"_s).toInteger() >= qint64(kFollowers));
}

void TestFanoutRun::badFanoutInput_data()
{
    QTest::addColumn<QStringList>("args");
    QTest::addColumn<QString>("named"); // the one error line must name it

    auto file = [this](const char *name, const QByteArray &json) { return writeFile(QString::fromLatin1(name), json); };
    const QString negativeUsers = file("neg-users.json", R"({"workload": "fan-out", "fanout": {"users": -5}})");
    const QString tooManyUsers = file("many-users.json", R"({"workload": "fan-out", "fanout": {"users": 99000000}})");
    const QString celebsNotArray = file("celebs.json", R"({"workload": "fan-out", "fanout": {"celebrities": 5}})");
    const QString badMode = file("mode.json", R"({"workload": "fan-out", "fanout": {"mode": "broadcast"}})");
    const QString badWorkload = file("workload.json", R"({"workload": "timeline"})");
    const QString unknownKey = file("key.json", R"({"workload": "fan-out", "fanout": {"follower": 5}})");
    const QString flashEvent = file(
        "flash-event.json", R"({"workload": "fan-out", "duration_s": 5, "events": [{"at_s": 1, "kill_node": 0}]})");
    const QString fanoutEvent
        = file("fanout-event.json", R"({"duration_s": 5, "events": [{"at_s": 1, "celebrity_post": 0}]})");
    const QString badThreshold = file("threshold.json",
        R"({"workload": "fan-out", "duration_s": 5, "events": [{"at_s": 1, "set_fanout_threshold": -1}]})");
    const QString badShare = file(
        "share.json", R"({"workload": "fan-out", "duration_s": 5, "events": [{"at_s": 1, "set_post_share": 2}]})");

    auto row = [](const char *tag, const QStringList &args, const QString &named) {
        QTest::newRow(tag) << (QStringList { u"--headless"_s } + args) << named;
    };
    row("negative users", { u"--scenario"_s, negativeUsers }, u"fanout.users"_s);
    row("too many users", { u"--scenario"_s, tooManyUsers }, u"fanout.users"_s);
    row("celebrities not an array", { u"--scenario"_s, celebsNotArray }, u"fanout.celebrities"_s);
    row("unknown mode", { u"--scenario"_s, badMode }, u"fanout.mode"_s);
    row("unknown workload", { u"--scenario"_s, badWorkload }, u"workload"_s);
    row("unknown fanout key", { u"--scenario"_s, unknownKey }, u"fanout.follower"_s);
    row("flash-sale event in a fan-out", { u"--scenario"_s, flashEvent }, u"events[0].kill_node"_s);
    row("fan-out event in a flash sale", { u"--scenario"_s, fanoutEvent }, u"events[0].celebrity_post"_s);
    row("negative threshold event", { u"--scenario"_s, badThreshold }, u"events[0].set_fanout_threshold"_s);
    row("post share above 1", { u"--scenario"_s, badShare }, u"events[0].set_post_share"_s);
    row("nodes on a fan-out", { u"--preset"_s, u"celebrity-push"_s, u"--nodes"_s, u"4"_s }, u"--nodes"_s);
    row("strategy on a fan-out", { u"--preset"_s, u"celebrity-pull"_s, u"--strategy"_s, u"atomic"_s }, u"--strategy"_s);
    row("fan-out mode on a flash sale", { u"--preset"_s, u"black-friday-naive"_s, u"--fanout-mode"_s, u"pull"_s },
        u"--fanout-mode"_s);
    row("fan-out mode bogus", { u"--preset"_s, u"celebrity-push"_s, u"--fanout-mode"_s, u"broadcast"_s },
        u"--fanout-mode"_s);
    row("threshold negative", { u"--preset"_s, u"celebrity-hybrid"_s, u"--fanout-threshold"_s, u"-1"_s },
        u"--fanout-threshold"_s);
}

void TestFanoutRun::badFanoutInput()
{
    QFETCH(QStringList, args);
    QFETCH(QString, named);
    const Outcome o = run(args);
    QCOMPARE(o.exitCode, 2);
    const QStringList lines = o.err.split(u'\n', Qt::SkipEmptyParts);
    QVERIFY2(lines.size() == 1, qPrintable(o.err));
    QVERIFY2(lines.first().contains(named), qPrintable(lines.first()));
    QVERIFY2(o.out.isEmpty(), qPrintable(o.out));
}

QTEST_GUILESS_MAIN(TestFanoutRun)
#include "tst_fanoutrun.moc"
