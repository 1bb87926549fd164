// Lesson files (issue "Workshop mode"): strict loading with the JSON path in every error, the
// check language ("oversold > 0", "throughput.ok < 600 for 3 s"), how a check follows ticks,
// the headless form of a lesson (actions at their steps' opening times), and the command line's
// refusals around --lesson, --handout and --list-lessons.

#include "clirun.h"
#include "lesson.h"

#include <QFile>
#include <QTemporaryDir>
#include <QTest>

using namespace Qt::StringLiterals;
using namespace stampede;

Q_DECLARE_METATYPE(LessonCheck::Op)

namespace {

// A small valid lesson; `edit` replaces text in it to make it invalid in one place.
QByteArray lessonJson(const QString &from = {}, const QString &to = {})
{
    QString json = uR"({
  "name": "tiny", "title": "Tiny", "summary": "Two steps.",
  "scenario": { "seed": 42, "duration_s": 10, "strategy": "naive", "stock": 100,
                "traffic": { "rate_per_s": 100 }, "nodes": { "count": 2 } },
  "steps": [
    { "title": "One", "text": "First.", "for_s": 3,
      "actions": [ { "set_rate": 200 }, { "after_s": 1, "add_nodes": 1 } ],
      "notice": [ { "check": "oversold > 0", "text": "it oversells" } ] },
    { "title": "Two", "text": "Second.", "for_s": 2,
      "actions": [ { "switch_strategy": "atomic" } ],
      "notice": [ { "check": "latency.p99 < 5 for 1 s", "text": "fast" } ],
      "predict": { "question": "What now?", "choices": ["a", "b"], "answer": 1, "explain": "because" } }
  ]
})"_s;
    if (!from.isEmpty()) {
        Q_ASSERT(json.contains(from));
        json.replace(from, to);
    }
    return json.toUtf8();
}

TickSample tick(double t, std::int64_t oversold, double p99)
{
    TickSample x;
    x.t = t;
    x.p99Ms = p99;
    x.store->oversold = oversold;
    return x;
}

} // namespace

class TestLessonFile : public QObject {
    Q_OBJECT

private slots:
    void checks_data();
    void checks();
    void badChecks_data();
    void badChecks();
    void badLessons_data();
    void badLessons();
    void theHeadlessFormPutsActionsAtTheirSteps();
    void aCheckHoldsForItsTicks();
    void checksCountOnlyWhileTheirStepIsOpen();
    void everyShippedLessonLoads();
    void commandLine_data();
    void commandLine();
    void aRefusedActionFailsTheRun();
};

void TestLessonFile::checks_data()
{
    QTest::addColumn<QString>("text");
    QTest::addColumn<QString>("metric");
    QTest::addColumn<LessonCheck::Op>("op");
    QTest::addColumn<double>("value");
    QTest::addColumn<double>("forS");
    QTest::newRow("greater") << u"oversold > 0"_s << u"oversold"_s << LessonCheck::Op::Greater << 0.0 << 0.0;
    QTest::newRow("for seconds") << u"throughput.ok < 600 for 3 s"_s << u"throughput.ok"_s << LessonCheck::Op::Less
                                 << 600.0 << 3.0;
    QTest::newRow("no spaces, fraction") << u"cache.hit_ratio>=0.9"_s << u"cache.hit_ratio"_s
                                         << LessonCheck::Op::GreaterEqual << 0.9 << 0.0;
    QTest::newRow("negative, equal") << u"divergence == -5"_s << u"divergence"_s << LessonCheck::Op::Equal << -5.0
                                     << 0.0;
    QTest::newRow("not equal, for 0.5s") << u"nodes.up != 4 for 0.5s"_s << u"nodes.up"_s << LessonCheck::Op::NotEqual
                                         << 4.0 << 0.5;
    QTest::newRow("at most") << u"latency.p99 <= 1e3"_s << u"latency.p99"_s << LessonCheck::Op::LessEqual << 1000.0
                             << 0.0;
}

void TestLessonFile::checks()
{
    QFETCH(QString, text);
    QString error;
    const auto c = parseCheck(text, &error);
    QVERIFY2(c, qPrintable(error));
    QTEST(c->metric, "metric");
    QTEST(c->op, "op");
    QTEST(c->value, "value");
    QTEST(c->forS, "forS");
}

void TestLessonFile::badChecks_data()
{
    QTest::addColumn<QString>("text");
    QTest::addColumn<QString>("error");
    QTest::newRow("no number") << u"oversold >"_s << u"expected \"METRIC OP NUMBER"_s;
    QTest::newRow("unknown metric") << u"oversell > 0"_s << u"unknown metric \"oversell\" (known: offered"_s;
    QTest::newRow("bad operator") << u"oversold ~ 0"_s << u"expected"_s;
    QTest::newRow("for zero") << u"oversold > 0 for 0 s"_s << u"\"for\" must be greater than 0"_s;
    QTest::newRow("trailing words") << u"oversold > 0 please"_s << u"expected"_s;
}

void TestLessonFile::badChecks()
{
    QFETCH(QString, text);
    QFETCH(QString, error);
    QString problem;
    QVERIFY(!parseCheck(text, &problem));
    QVERIFY2(problem.contains(error), qPrintable(problem));
}

void TestLessonFile::badLessons_data()
{
    QTest::addColumn<QString>("from");
    QTest::addColumn<QString>("to");
    QTest::addColumn<QString>("error"); // the whole line starts with it
    QTest::newRow("not JSON") << u"\"steps\": ["_s << u"\"steps\": [[["_s << u"tiny.json: invalid JSON"_s;
    QTest::newRow("unknown key") << u"\"summary\""_s << u"\"sumary\""_s << u"tiny.json: sumary: unknown key"_s;
    QTest::newRow("title missing") << u"\"title\": \"Tiny\","_s << QString() << u"tiny.json: title: missing"_s;
    QTest::newRow("scenario value") << u"\"count\": 2"_s << u"\"count\": -3"_s << u"tiny.json: scenario.nodes.count:"_s;
    QTest::newRow("scenario unknown key")
        << u"\"stock\": 100"_s << u"\"stok\": 100"_s << u"tiny.json: scenario.stok: unknown key"_s;
    // an empty `from`: `to` is the whole document
    QTest::newRow("unknown preset")
        << QString()
        << uR"({"title": "T", "summary": "S", "scenario": "no-such-preset", "steps": [{"title": "a", "text": "b"}]})"_s
        << u"tiny.json: scenario: unknown preset \"no-such-preset\""_s;
    QTest::newRow("steps empty") << QString()
                                 << uR"({"title": "T", "summary": "S", "scenario": "cache-stampede", "steps": []})"_s
                                 << u"tiny.json: steps: needs 1 to 50 steps, got 0"_s;
    QTest::newRow("scenario not an object")
        << QString() << uR"({"title": "T", "summary": "S", "scenario": 5, "steps": [{"title": "a", "text": "b"}]})"_s
        << u"tiny.json: scenario: must be an object, got 5"_s;
    QTest::newRow("step text empty") << u"\"text\": \"First.\""_s << u"\"text\": \"  \""_s
                                     << u"tiny.json: steps[0].text: must not be empty"_s;
    QTest::newRow("for_s zero") << u"\"for_s\": 3"_s << u"\"for_s\": 0"_s
                                << u"tiny.json: steps[0].for_s: must be greater than 0"_s;
    QTest::newRow("unknown event") << u"{ \"set_rate\": 200 }"_s << u"{ \"set_speed\": 200 }"_s
                                   << u"tiny.json: steps[0].actions[0]: unknown event \"set_speed\""_s;
    QTest::newRow("event value") << u"{ \"set_rate\": 200 }"_s << u"{ \"set_rate\": \"fast\" }"_s
                                 << u"tiny.json: steps[0].actions[0].set_rate:"_s;
    QTest::newRow("after the step") << u"\"after_s\": 1"_s << u"\"after_s\": 3"_s
                                    << u"tiny.json: steps[0].actions[1].after_s: must be at least 0 and less than"_s;
    QTest::newRow("at_s is a scenario's")
        << u"\"after_s\": 1"_s << u"\"at_s\": 1"_s << u"tiny.json: steps[0].actions[1]: unknown event \"at_s\""_s;
    QTest::newRow("pause") << u"{ \"set_rate\": 200 }"_s << u"{ \"pause\": true }"_s
                           << u"tiny.json: steps[0].actions[0]: a lesson step cannot pause"_s;
    QTest::newRow("check") << u"\"oversold > 0\""_s << u"\"oversold >> 0\""_s
                           << u"tiny.json: steps[0].notice[0].check: expected"_s;
    QTest::newRow("check text") << u", \"text\": \"fast\""_s << QString()
                                << u"tiny.json: steps[1].notice[0].text: missing"_s;
    QTest::newRow("answer") << u"\"answer\": 1"_s << u"\"answer\": 2"_s
                            << u"tiny.json: steps[1].predict.answer: must be the index of a choice, 0 to 1"_s;
    QTest::newRow("one choice") << u"[\"a\", \"b\"]"_s << u"[\"a\"]"_s
                                << u"tiny.json: steps[1].predict.choices: needs 2 to 6 choices"_s;
    QTest::newRow("a sweep") << u"\"strategy\": \"naive\","_s
                             << u"\"strategy\": \"naive\", \"sweep\": {\"nodes\": [1, 2]},"_s
                             << u"tiny.json: scenario.sweep: a lesson runs its steps"_s;
}

void TestLessonFile::badLessons()
{
    QFETCH(QString, from);
    QFETCH(QString, to);
    QFETCH(QString, error);
    QString problem;
    QVERIFY2(parseLesson(lessonJson(), u"tiny.json"_s, &problem), qPrintable(problem));
    const auto l
        = parseLesson(from.isEmpty() ? to.toUtf8() : lessonJson(from, to), u"tiny.json"_s, &problem, u"tiny"_s);
    QVERIFY(!l);
    QVERIFY2(problem.startsWith(error), qPrintable(problem));
    QVERIFY2(!problem.contains(u'\n'), "one line");
}

void TestLessonFile::theHeadlessFormPutsActionsAtTheirSteps()
{
    QString error;
    const auto l = parseLesson(lessonJson(), u"tiny.json"_s, &error);
    QVERIFY2(l, qPrintable(error));
    QCOMPARE(l->steps.size(), std::size_t(2));
    QCOMPARE(stepOpenTimes(*l), (std::vector<double> { 0.0, 3.0 }));
    const Scenario s = lessonScenario(*l);
    QCOMPARE(s.durationS, 5.0);
    QCOMPARE(s.events.size(), std::size_t(3));
    QCOMPARE(s.events[0].kind, EventKind::SetRate);
    QCOMPARE(s.events[0].atS, 0.0);
    QCOMPARE(s.events[1].kind, EventKind::AddNodes);
    QCOMPARE(s.events[1].atS, 1.0);
    QCOMPARE(s.events[2].kind, EventKind::SwitchStrategy);
    QCOMPARE(s.events[2].atS, 3.0);
    QVERIFY(l->steps[1].prediction);
    QCOMPARE(l->steps[1].prediction->choices.value(l->steps[1].prediction->answer), u"b"_s);
}

void TestLessonFile::aCheckHoldsForItsTicks()
{
    QString error;
    auto c = parseCheck(u"latency.p99 < 5 for 1 s"_s, &error);
    QVERIFY(c);
    CheckTracker t(*c);
    QVERIFY(!t.met());
    QVERIFY(!t.lastValue());
    double time = 0;
    // nine fast ticks, one slow: the streak starts over
    for (int i = 0; i < 9; ++i)
        QVERIFY(!t.feed(tick(time += 0.1, 0, 2)));
    QVERIFY(!t.feed(tick(time += 0.1, 0, 50)));
    QCOMPARE(*t.lastValue(), 50.0);
    for (int i = 0; i < 9; ++i)
        QVERIFY(!t.feed(tick(time += 0.1, 0, 2)));
    QVERIFY(t.feed(tick(time += 0.1, 0, 2))); // the tenth in a row: 1 s
    QCOMPARE(t.metAt(), time);
    QVERIFY(t.feed(tick(time += 0.1, 0, 500))); // met stays met
    QCOMPARE(t.metAt(), time - 0.1);

    // a ratio without a denominator has no value, and never meets its check
    auto r = parseCheck(u"answered.ratio < 2"_s, &error);
    QVERIFY(r);
    CheckTracker none(*r);
    QVERIFY(!none.feed(tick(0.1, 0, 0)));
    QVERIFY(!none.lastValue());
}

void TestLessonFile::checksCountOnlyWhileTheirStepIsOpen()
{
    QString error;
    const auto l = parseLesson(lessonJson(), u"tiny.json"_s, &error);
    QVERIFY(l);
    // oversold only after 3 s (step two's time), fast only in step one
    std::vector<TickSample> timeline;
    for (int i = 1; i <= 50; ++i) {
        const double t = i * 0.1;
        timeline.push_back(tick(t, t > 3.05 ? 5 : 0, t <= 3.0 ? 1.0 : 40.0));
    }
    const auto outcome = evaluateLesson(*l, timeline);
    QCOMPARE(outcome.size(), std::size_t(2));
    QCOMPARE(outcome[0].openedAtS, 0.0);
    QCOMPARE(outcome[1].openedAtS, 3.0);
    QCOMPARE(outcome[0].metAtS.front(), -1.0); // oversold came in step two: not step one's
    QCOMPARE(outcome[1].metAtS.front(), -1.0); // fast only in step one: not step two's

    for (auto &x : timeline)
        x.store->oversold = 1;
    const auto met = evaluateLesson(*l, timeline);
    QVERIFY(qFuzzyCompare(met[0].metAtS.front(), 0.1));
}

void TestLessonFile::everyShippedLessonLoads()
{
    const QStringList names = lessonNames();
    QVERIFY2(names.size() >= 6, qPrintable(names.join(u", "_s)));
    for (const QString &n : names) {
        QString error;
        const auto l = loadLesson(n, &error);
        QVERIFY2(l, qPrintable(error));
        QCOMPARE(l->name, n);
        QVERIFY(!l->title.isEmpty());
        std::size_t checks = 0;
        for (const LessonStep &s : l->steps)
            checks += s.checks.size();
        QVERIFY2(checks >= l->steps.size(), qPrintable(n + u": fewer checks than steps"_s));
    }
    QString error;
    QVERIFY(!loadLesson(u"no-such-lesson"_s, &error));
    QVERIFY2(error.startsWith(u"unknown lesson \"no-such-lesson\" (known: "_s), qPrintable(error));
}

void TestLessonFile::commandLine_data()
{
    QTest::addColumn<QStringList>("args");
    QTest::addColumn<int>("exitCode");
    QTest::addColumn<QString>("error");
    QTest::newRow("unknown lesson") << QStringList { u"--headless"_s, u"--lesson"_s, u"nope"_s } << 2
                                    << u"stampede: --lesson: unknown lesson \"nope\""_s;
    QTest::newRow("missing file") << QStringList { u"--headless"_s, u"--lesson"_s, u"/nope/x.json"_s } << 2
                                  << u"stampede: --lesson: /nope/x.json: cannot read"_s;
    QTest::newRow("with --strategy") << QStringList { u"--headless"_s, u"--lesson"_s, u"tiny"_s, u"--strategy"_s,
        u"atomic"_s } << 2 << u"stampede: --lesson: cannot be combined with --strategy"_s;
    QTest::newRow("with --preset") << QStringList { u"--headless"_s, u"--preset"_s, u"cache-stampede"_s, u"--lesson"_s,
        u"tiny"_s } << 2 << u"stampede: --lesson: cannot be combined with --preset"_s;
    QTest::newRow("handout without lesson")
        << QStringList { u"--headless"_s, u"--handout"_s, u"x.pdf"_s } << 2 << u"stampede: --handout: needs --lesson"_s;
    QTest::newRow("handout not pdf") << QStringList { u"--headless"_s, u"--lesson"_s, u"tiny"_s, u"--handout"_s,
        u"x.png"_s } << 2 << u"stampede: --handout: must name a .pdf file"_s;
    QTest::newRow("handout unwritable") << QStringList { u"--headless"_s, u"--lesson"_s, u"flash-sale-oversell"_s,
        u"--handout"_s, u"/nope/x.pdf"_s }
                                        << 2 << u"stampede: --handout: cannot write /nope/x.pdf"_s;
}

void TestLessonFile::commandLine()
{
    QFETCH(QStringList, args);
    QFETCH(int, exitCode);
    QFETCH(QString, error);
    const QString bin = qEnvironmentVariable("STAMPEDE_BIN");
    QVERIFY2(!bin.isEmpty(), "STAMPEDE_BIN is not set (run through ctest)");
    QTemporaryDir dir;
    const auto o = test::runBinary(bin, dir.path(), args, 60000);
    // a build without the window (the TSan one) refuses --handout for that reason first
    if (args.contains(u"--handout"_s) && o.err.startsWith(u"stampede: --handout: this build has no window"_s)
        && !error.startsWith(u"stampede: --handout: needs --lesson"_s)
        && !error.startsWith(u"stampede: --handout: must name"_s)) {
        QCOMPARE(o.exitCode, 2);
        QSKIP("this build has no window to draw a handout");
    }
    QCOMPARE(o.exitCode, exitCode);
    QVERIFY2(o.err.startsWith(error), qPrintable(o.err));
    QCOMPARE(o.err.count(u'\n'), 1);
}

// An action the engine refuses at its time (no node 9 to resize) makes the run fail, naming it,
// though every check was met.
void TestLessonFile::aRefusedActionFailsTheRun()
{
    const QString bin = qEnvironmentVariable("STAMPEDE_BIN");
    QVERIFY2(!bin.isEmpty(), "STAMPEDE_BIN is not set (run through ctest)");
    QTemporaryDir dir;
    const QString file = dir.filePath(u"refused.json"_s);
    QFile f(file);
    QVERIFY(f.open(QIODevice::WriteOnly));
    f.write(lessonJson(u"{ \"after_s\": 1, \"add_nodes\": 1 }"_s,
        u"{ \"after_s\": 0.5, \"resize_node\": { \"node\": 9, \"cores\": 8 } }"_s)
                .replace("\"oversold > 0\"", "\"attempts >= 0\"")
                .replace("\"latency.p99 < 5 for 1 s\"", "\"attempts >= 0\""));
    f.close();
    const auto o = test::runBinary(bin, dir.path(), { u"--headless"_s, u"--lesson"_s, file }, 60000);
    QCOMPARE(o.exitCode, 3);
    QVERIFY2(o.out.contains(u"2 of 2 checks met"_s), qPrintable(o.out));
    QVERIFY2(o.err.startsWith(u"stampede: lesson tiny: the action at 0."_s) && o.err.contains(u" s was refused: "_s),
        qPrintable(o.err));
}

QTEST_GUILESS_MAIN(TestLessonFile)
#include "tst_lessonfile.moc"
