// Every input the fuzzers ever crashed on, and a few known-bad ones, replayed through the
// fuzzers' own entry functions (tests/fuzz/fuzzentry.h): no crash, no broken promise, and the
// outcome a user is promised, from the input's companion file NAME.expect:
//
//   # comment
//   scenario error: nodes.cores: unknown key     (part, status, then text the message contains)
//   lesson error
//   cli ok
//
// Parts: scenario and lesson (inputs in regressions/scenario), cli and cli-nowindow (inputs in
// regressions/cli: one argument per line, parsed for the window build and for one without).
// Statuses: ok, exit, error. A part left out is only checked for crashes and promises.

#include "fuzzentry.h"

#include <QCoreApplication>
#include <QDir>
#include <QFile>
#include <QTest>

#include <map>

using namespace Qt::StringLiterals;

namespace {

const QString kRoot = QStringLiteral(STAMPEDE_FUZZ_REGRESSIONS);

QByteArray readAll(const QString &path)
{
    QFile f(path);
    return f.open(QIODevice::ReadOnly) ? f.readAll() : QByteArray();
}

// The inputs of one target: every file but the .expect ones.
QStringList inputs(const QString &target)
{
    QStringList out;
    for (const QString &f : QDir(kRoot + u'/' + target).entryList(QDir::Files, QDir::Name))
        if (!f.endsWith(u".expect"_s))
            out << f;
    return out;
}

} // namespace

class TestFuzzCases : public QObject {
    Q_OBJECT

private slots:
    void initTestCase();
    void everyTargetHasInputs_data();
    void everyTargetHasInputs();
    void replay_data();
    void replay();
};

void TestFuzzCases::initTestCase()
{
    // As the fuzzers set them, for --version.
    QCoreApplication::setApplicationName(u"stampede"_s);
    QCoreApplication::setApplicationVersion(u"fuzz"_s);
}

void TestFuzzCases::everyTargetHasInputs_data()
{
    QTest::addColumn<QString>("target");
    QTest::newRow("scenario") << u"scenario"_s;
    QTest::newRow("cli") << u"cli"_s;
}

void TestFuzzCases::everyTargetHasInputs()
{
    QFETCH(QString, target);
    QVERIFY2(!inputs(target).isEmpty(), qPrintable(u"no inputs in "_s + kRoot + u'/' + target));
}

void TestFuzzCases::replay_data()
{
    QTest::addColumn<QString>("target");
    QTest::addColumn<QString>("file");
    for (const QString &target : { u"scenario"_s, u"cli"_s })
        for (const QString &f : inputs(target))
            QTest::newRow(qPrintable(target + u'/' + f)) << target << kRoot + u'/' + target + u'/' + f;
}

void TestFuzzCases::replay()
{
    QFETCH(QString, target);
    QFETCH(QString, file);
    QFile in(file);
    QVERIFY2(in.open(QIODevice::ReadOnly), qPrintable(file));
    const QByteArray data = in.readAll();

    std::map<QString, fuzzentry::Outcome> outcomes;
    if (target == u"scenario"_s) {
        outcomes[u"scenario"_s] = fuzzentry::scenarioFile(data);
        outcomes[u"lesson"_s] = fuzzentry::lessonFile(data);
    } else {
        outcomes[u"cli"_s] = fuzzentry::commandLine(data, true);
        outcomes[u"cli-nowindow"_s] = fuzzentry::commandLine(data, false);
    }
    for (const auto &[part, o] : outcomes)
        QVERIFY2(o.broken.isEmpty(), qPrintable(part + u": "_s + o.broken));

    // Every input says what it must do: a crash fixed is a behaviour chosen.
    const QString expectFile = file + u".expect"_s;
    QVERIFY2(QFile::exists(expectFile), qPrintable(u"missing "_s + expectFile));
    int checked = 0;
    for (const QByteArray &raw : readAll(expectFile).split('\n')) {
        const QString line = QString::fromUtf8(raw).trimmed();
        if (line.isEmpty() || line.startsWith(u'#'))
            continue;
        const qsizetype colon = line.indexOf(u": "_s);
        const QStringList head = (colon < 0 ? line : line.left(colon)).split(u' ', Qt::SkipEmptyParts);
        QVERIFY2(head.size() == 2, qPrintable(u"bad expect line: "_s + line));
        const auto it = outcomes.find(head[0]);
        QVERIFY2(it != outcomes.end(), qPrintable(u"unknown part in expect line: "_s + line));
        const fuzzentry::Outcome &o = it->second;
        QVERIFY2(fuzzentry::statusName(o.status) == head[1],
            qPrintable(head[0] + u": expected "_s + head[1] + u", got "_s + fuzzentry::statusName(o.status) + u": "_s
                + o.message));
        if (colon >= 0) {
            const QString text = line.mid(colon + 2);
            QVERIFY2(o.message.contains(text),
                qPrintable(head[0] + u": the message lacks \""_s + text + u"\": "_s + o.message));
        }
        ++checked;
    }
    QVERIFY2(checked > 0, qPrintable(expectFile + u" expects nothing"_s));
}

QTEST_GUILESS_MAIN(TestFuzzCases)
#include "tst_fuzzcases.moc"
