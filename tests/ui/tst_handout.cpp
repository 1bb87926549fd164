// The lesson handout (issue 15): one page per step with its checks met or not, a PDF of a title
// page and a page per step (more when a step's text runs long), a one-line error for a path
// that cannot be written, and the headless form's charts drawn from a run's timeline as it stood
// when the step's last check was met: real pictures, not blank ones, in a PDF of the expected
// length. Pages are counted by parsing the PDF (QPdfWriter writes its object dictionaries
// uncompressed).

#include "handout.h"
#include "handoutrender.h"
#include "theme.h"

#include "lesson.h"
#include "metrics.h"

#include <QApplication>
#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QRegularExpression>
#include <QTemporaryDir>
#include <QTest>

#include <cmath>

Q_DECLARE_METATYPE(std::vector<double>)

using namespace Qt::StringLiterals;
using namespace stampede;
using namespace stampede::ui;

namespace {

LessonCheck check(const QString &expression, const QString &text)
{
    QString error;
    std::optional<LessonCheck> c = parseCheck(expression, &error);
    if (!c)
        qFatal("bad check %s: %s", qPrintable(expression), qPrintable(error));
    c->text = text;
    return *c;
}

// `steps` steps of 10 s: the first with two checks and a prediction, the second with one, the
// third with none, and so on round.
Lesson makeLesson(int steps, const QString &text = u"Watch the charts while the buyers rush in."_s)
{
    Lesson l;
    l.name = u"test-lesson"_s;
    l.title = u"A test lesson"_s;
    l.summary = u"What a handout holds, in a few words."_s;
    l.scenario.title = u"The test shop"_s;
    l.scenario.description = u"One hot SKU, four nodes."_s;
    l.scenario.durationS = 10.0 * steps;
    for (int i = 0; i < steps; ++i) {
        LessonStep s;
        s.title = u"Step title "_s + QString::number(i + 1);
        s.text = text;
        s.forS = 10;
        if (i % 3 == 0) {
            s.checks.push_back(check(u"oversold > 0"_s, u"OVERSOLD turns red"_s));
            s.checks.push_back(check(u"stock.remaining == 0"_s, u"REMAINING reaches 0"_s));
            s.prediction = LessonPrediction { u"Where will OVERSOLD be?"_s, { u"At 0"_s, u"Above 0"_s }, 1,
                u"Buyers who read the same stock all got a yes."_s };
        } else if (i % 3 == 1) {
            s.checks.push_back(check(u"latency.p99 > 100"_s, u"p99 climbs"_s));
        }
        l.steps.push_back(s);
    }
    return l;
}

// The pages of a PDF: the page objects, which must agree with the /Count of the page tree.
int pdfPageCount(const QString &path)
{
    QFile f(path);
    if (!f.open(QIODevice::ReadOnly))
        return -1;
    const QString pdf = QString::fromLatin1(f.readAll());
    static const QRegularExpression page(u"/Type\\s*/Page(?![A-Za-z])"_s);
    int pages = 0;
    for (auto it = page.globalMatch(pdf); it.hasNext(); it.next())
        ++pages;
    static const QRegularExpression tree(u"/Type\\s*/Pages\\b[^>]*?/Count\\s+(\\d+)"_s);
    const QRegularExpressionMatch count = tree.match(pdf);
    if (!count.hasMatch() || count.captured(1).toInt() != pages)
        return -2;
    return pages;
}

// 30 s of a naive flash sale: 3 000 ok/s, the stock gone by 10 s, oversold from 4 s on.
RunResult syntheticRun(int ticks = 300)
{
    RunResult r;
    for (int i = 1; i <= ticks; ++i) {
        TickSample x;
        x.t = i * kTickSeconds;
        x.offeredRate = 3000;
        x.attempts = 3000;
        x.succeeded = x.t < 10 ? 3000 : 0;
        x.soldOut = x.t < 10 ? 0 : 3000;
        x.p50Ms = 1.5;
        x.p95Ms = 2 + std::sin(x.t);
        x.p99Ms = 4 + std::sin(x.t) * 2;
        x.maxMs = 9;
        x.attemptsTotal = std::int64_t(3000 * x.t);
        x.app->utilisation = 0.4 + 0.2 * std::sin(x.t / 3);
        x.app->nodesUp = 4;
        x.store->stockRemaining = std::max<std::int64_t>(0, 1000 - std::int64_t(100 * x.t));
        x.store->sold = 1000 - x.store->stockRemaining;
        x.store->confirmed = std::int64_t(std::min(10.0, x.t) * 300);
        x.store->oversold = std::max<std::int64_t>(0, x.store->confirmed - 1000);
        x.store->lockWaitMeanMs = 0.2;
        r.timeline.push_back(x);
    }
    r.markers.push_back({ 5.0, "spike ×10 for 5 s" });
    r.markers.push_back({ 25.0, "node 3 killed" });
    r.final.store->strategy = Strategy::Naive;
    r.final.store->stockInitial = 1000;
    r.final.app->nodes.resize(4);
    r.durationS = r.trafficS = ticks * kTickSeconds;
    return r;
}

// A celebrity post at 2 s reaching all her followers by 6 s.
RunResult syntheticFanoutRun()
{
    RunResult r;
    for (int i = 1; i <= 100; ++i) {
        TickSample x;
        x.t = i * kTickSeconds;
        x.attempts = x.succeeded = 1000;
        x.p50Ms = 2;
        x.p95Ms = 4;
        x.p99Ms = 6;
        x.maxMs = 8;
        auto &f = *x.fanout;
        f.posts = 10;
        f.reads = 990;
        f.trackedPost = x.t >= 2 ? 100 : 0;
        f.visible = x.t >= 2 ? std::min(1.0, (x.t - 2) / 4) : 0;
        f.inboxWrites = x.t >= 2 && x.t < 6 ? 250000 : 0;
        f.backlog = std::int64_t((1 - f.visible) * 1e6) * (x.t >= 2 ? 1 : 0);
        f.drainRate = f.inboxWrites;
        f.fetchesPerRead = 1;
        f.workersUp = 8;
        r.timeline.push_back(x);
    }
    r.markers.push_back({ 2.0, "celebrity 0 posts" });
    TrackedPostView p;
    p.post = 100;
    p.followers = 1000000;
    p.postedAtS = p.runAtS = 2;
    p.delivered = 1000000;
    p.p50Ms = 2000;
    p.p99Ms = 3960;
    p.maxMs = 4000;
    r.final.fanout->tracked.push_back(p);
    r.final.fanout->mode = FanoutMode::Push;
    r.final.fanout->celebrities = { 1000000 };
    r.durationS = r.trafficS = 10;
    return r;
}

// Pixels unlike the chart's background (the light theme's surface).
int inkPixels(const QImage &image)
{
    const QRgb background = Theme::make(false, false).surface.rgb();
    int n = 0;
    for (int y = 0; y < image.height(); ++y) {
        const auto *line = reinterpret_cast<const QRgb *>(image.constScanLine(y));
        for (int x = 0; x < image.width(); ++x)
            n += (line[x] & 0xffffff) != (background & 0xffffff) ? 1 : 0;
    }
    return n;
}

} // namespace

class TestHandout : public QObject {
    Q_OBJECT

private slots:
    void handoutPages_data();
    void handoutPages();
    void handoutMoment_data();
    void handoutMoment();
    void pdfPages_data();
    void pdfPages();
    void longTextContinues();
    void unwritablePath_data();
    void unwritablePath();
    void snapshotAtMoment_data();
    void snapshotAtMoment();
    void chartsNotBlank_data();
    void chartsNotBlank();
    void fromRun();
};

void TestHandout::handoutPages_data()
{
    QTest::addColumn<std::vector<double>>("metAt"); // the first step's two checks
    QTest::addColumn<QStringList>("lines");
    QTest::newRow("both met") << std::vector<double> { 4.2, 6.05 }
                              << QStringList { u"✓ OVERSOLD turns red — oversold > 0 — met at 4.2 s"_s,
                                     u"✓ REMAINING reaches 0 — stock.remaining == 0 — met at 6.0 s"_s };
    QTest::newRow("one not met") << std::vector<double> { 4.2, -1 }
                                 << QStringList { u"✓ OVERSOLD turns red — oversold > 0 — met at 4.2 s"_s,
                                        u"✗ REMAINING reaches 0 — stock.remaining == 0 — not met"_s };
    QTest::newRow("step never reached") << std::vector<double> {}
                                        << QStringList { u"✗ OVERSOLD turns red — oversold > 0 — not met"_s,
                                               u"✗ REMAINING reaches 0 — stock.remaining == 0 — not met"_s };
}

void TestHandout::handoutPages()
{
    QFETCH(std::vector<double>, metAt);
    QFETCH(QStringList, lines);
    const Lesson lesson = makeLesson(3);
    std::vector<StepOutcome> outcomes;
    if (!metAt.empty())
        outcomes = { { 0, metAt }, { 10, { 12.5 } }, { 20, {} } };
    const std::vector<HandoutPage> pages = stampede::ui::handoutPages(lesson, outcomes);
    QCOMPARE(pages.size(), lesson.steps.size());
    QCOMPARE(pages[0].title, u"Step title 1"_s);
    QCOMPARE(pages[0].text, lesson.steps[0].text);
    QCOMPARE(pages[0].checks, lines);
    QCOMPARE(pages[0].question, u"Where will OVERSOLD be?"_s);
    QCOMPARE(pages[0].answer, u"Above 0"_s);
    QCOMPARE(pages[0].answerIndex, 1);
    QCOMPARE(pages[0].choices, (QStringList { u"At 0"_s, u"Above 0"_s }));
    QCOMPARE(pages[0].explanation, u"Buyers who read the same stock all got a yes."_s);
    QCOMPARE(pages[1].checks,
        QStringList { metAt.empty() ? u"✗ p99 climbs — latency.p99 > 100 — not met"_s
                                    : u"✓ p99 climbs — latency.p99 > 100 — met at 12.5 s"_s });
    QVERIFY(pages[1].question.isEmpty());
    QVERIFY(pages[1].answer.isEmpty());
    QVERIFY(pages[2].checks.isEmpty());
    for (const HandoutPage &p : pages)
        QVERIFY(p.images.empty());
}

void TestHandout::handoutMoment_data()
{
    QTest::addColumn<int>("step");
    QTest::addColumn<std::vector<double>>("metAt");
    QTest::addColumn<double>("expected");
    QTest::newRow("all met: the last one") << 0 << std::vector<double> { 6.0, 4.2 } << 6.0;
    QTest::newRow("one not met: the end") << 0 << std::vector<double> { 4.2, -1 } << 30.0;
    QTest::newRow("outcome short: the end") << 0 << std::vector<double> { 4.2 } << 30.0;
    QTest::newRow("no checks: the end") << 2 << std::vector<double> {} << 30.0;
}

void TestHandout::handoutMoment()
{
    QFETCH(int, step);
    QFETCH(std::vector<double>, metAt);
    QFETCH(double, expected);
    const Lesson lesson = makeLesson(3);
    QCOMPARE(stampede::ui::handoutMoment(lesson.steps[std::size_t(step)], { 20, metAt }, 20), expected);
}

void TestHandout::pdfPages_data()
{
    QTest::addColumn<int>("steps");
    QTest::addColumn<int>("charts"); // pictures per step, 1200 x 700 px
    QTest::addColumn<int>("pages");
    QTest::newRow("no step: the title page") << 0 << 0 << 1;
    QTest::newRow("one step") << 1 << 0 << 2;
    QTest::newRow("three steps") << 3 << 0 << 4;
    QTest::newRow("seven steps") << 7 << 0 << 8;
    QTest::newRow("five charts a step: one page each") << 3 << 5 << 4;
    // both flash-sale pages: the charts run on to a second page
    QTest::newRow("nine charts a step: two pages each") << 3 << 9 << 7;
}

void TestHandout::pdfPages()
{
    QFETCH(int, steps);
    QFETCH(int, charts);
    QFETCH(int, pages);
    const QTemporaryDir dir;
    QVERIFY(dir.isValid());
    const Lesson lesson = makeLesson(steps);
    std::vector<HandoutPage> content = stampede::ui::handoutPages(lesson, {});
    QImage chart(1200, 700, QImage::Format_RGB32);
    chart.fill(Qt::white);
    for (HandoutPage &p : content) {
        p.images.assign(std::size_t(charts), chart);
        p.imagesCaption = u"The charts at 4.2 s."_s;
    }
    const QString path = dir.filePath(u"handout.pdf"_s);
    QString error;
    QVERIFY2(writeHandoutPdf(lesson, content, path, &error), qPrintable(error));
    QVERIFY(error.isEmpty());
    QVERIFY(QFileInfo(path).size() > 0);
    QCOMPARE(pdfPageCount(path), pages);
}

void TestHandout::longTextContinues()
{
    // a step that cannot fit one page runs on to the next ones, and one word longer than a line
    // wraps too
    QString text;
    for (int i = 0; i < 900; ++i)
        text += u"Buyers who read the same stock value all get a yes. "_s;
    text += QString(400, u'x');
    const Lesson lesson = makeLesson(2, text);
    const QTemporaryDir dir;
    const QString path = dir.filePath(u"long.pdf"_s);
    QString error;
    QVERIFY2(writeHandoutPdf(lesson, stampede::ui::handoutPages(lesson, {}), path, &error), qPrintable(error));
    const int pages = pdfPageCount(path);
    QVERIFY2(pages >= 1 + 2 * 3, qPrintable(QString::number(pages))); // ~45 000 characters a step
}

void TestHandout::unwritablePath_data()
{
    QTest::addColumn<QString>("path");
    QTest::newRow("no such directory") << u"/nonexistent-stampede-dir/x.pdf"_s;
    QTest::newRow("a directory") << QDir::tempPath();
}

void TestHandout::unwritablePath()
{
    QFETCH(QString, path);
    const Lesson lesson = makeLesson(2);
    QString error;
    QVERIFY(!writeHandoutPdf(lesson, stampede::ui::handoutPages(lesson, {}), path, &error));
    QVERIFY2(
        error.startsWith(u"Handout: cannot write "_s + QDir::toNativeSeparators(path) + u": "_s), qPrintable(error));
    QVERIFY(!error.contains(u'\n'));
    QVERIFY(error.size() > (u"Handout: cannot write "_s + path + u": "_s).size()); // says why
    error.clear();
    QVERIFY(!writeHandoutFromRun(lesson, {}, syntheticRun(), path, &error));
    QVERIFY2(error.startsWith(u"--handout: cannot write "_s), qPrintable(error));
    QVERIFY(!error.contains(u'\n'));
}

void TestHandout::snapshotAtMoment_data()
{
    QTest::addColumn<int>("ticks");
    QTest::addColumn<double>("at");
    QTest::addColumn<int>("recent");
    QTest::addColumn<int>("markers");
    QTest::newRow("before the first tick") << 300 << 0.0 << 0 << 0;
    QTest::newRow("at 4.2 s") << 300 << 4.2 << 42 << 0;
    QTest::newRow("at 12 s: the spike's marker") << 300 << 12.0 << 120 << 1;
    QTest::newRow("after the run") << 300 << 99.0 << 300 << 2;
    QTest::newRow("at 80 s: the last 60 s") << 1000 << 80.0 << int(kRecentTicks) << 1; // not the spike at 5 s
}

void TestHandout::snapshotAtMoment()
{
    QFETCH(int, ticks);
    QFETCH(double, at);
    QFETCH(int, recent);
    QFETCH(int, markers);
    RunResult run = syntheticRun(ticks);
    TimedEvent sw;
    sw.atS = 10;
    sw.kind = EventKind::SwitchStrategy;
    sw.strategy = Strategy::RowLock;
    run.applied.push_back(sw);
    const Snapshot s = snapshotAt(run, EngineConfig {}, at);
    QCOMPARE(int(s.recent.size()), recent);
    QCOMPARE(int(s.markers.size()), markers);
    if (recent > 0) {
        QVERIFY(s.recent.back().t <= at + 1e-6);
        QVERIFY(std::abs(s.recent.back().t - std::min(at, ticks * kTickSeconds)) < 1e-6);
        QCOMPARE(s.latest.t, s.recent.back().t);
    }
    QCOMPARE(int(s.store->strategy), int(at >= 10 ? Strategy::RowLock : Strategy::Naive));
}

void TestHandout::chartsNotBlank_data()
{
    QTest::addColumn<bool>("fanout");
    QTest::addColumn<bool>("queue");
    QTest::addColumn<QStringList>("keys");
    QTest::newRow("flash sale") << false << false
                                << QStringList { u"throughput"_s, u"latency"_s, u"stock"_s, u"oversold"_s, u"lock"_s };
    QTest::newRow("flash sale with the queue")
        << false << true
        << QStringList { u"throughput"_s, u"latency"_s, u"stock"_s, u"oversold"_s, u"lock"_s, u"orders"_s, u"backlog"_s,
               u"divergence"_s, u"anomalies"_s };
    QStringList fanoutKeys;
    QTest::newRow("fan-out") << true << false << fanoutKeys;
}

void TestHandout::chartsNotBlank()
{
    QFETCH(bool, fanout);
    QFETCH(bool, queue);
    QFETCH(QStringList, keys);
    EngineConfig config;
    config.workload = fanout ? WorkloadKind::Fanout : WorkloadKind::FlashSale;
    RunResult run = fanout ? syntheticFanoutRun() : syntheticRun();
    if (queue) {
        config.strategy = Strategy::CacheQueue;
        run.final.queue->partitions.resize(4);
        for (TickSample &x : run.timeline) {
            x.queue->enqueued = 2000;
            x.queue->dequeued = 1500;
            x.queue->queueBacklog = std::int64_t(500 * x.t);
            x.cache->cacheStock = x.store->stockRemaining;
        }
    }
    HandoutCharts charts(config, run.durationS);
    const Snapshot s = snapshotAt(run, config, 9.0);
    if (fanout) {
        QVERIFY(!charts.chartKeys(s).isEmpty());
        QVERIFY(charts.chartKeys(s).contains(u"visibility"_s));
        QVERIFY(!charts.chartKeys(s).contains(u"throughput"_s));
    } else {
        QCOMPARE(charts.chartKeys(s), keys);
    }
    const std::vector<QImage> images = charts.render(s);
    QCOMPARE(int(images.size()), int(charts.chartKeys(s).size()));
    // the same charts before any tick: titles and axes only
    HandoutCharts empty(config, run.durationS);
    const std::vector<QImage> before = empty.render(snapshotAt(run, config, 0));
    for (std::size_t i = 0; i < images.size(); ++i) {
        const QImage &image = images[i];
        QCOMPARE(image.size(), HandoutCharts::kLogicalSize * HandoutCharts::kPixelRatio);
        QVERIFY(!image.hasAlphaChannel());
        const int ink = inkPixels(image);
        QVERIFY2(ink > image.width() * image.height() / 100, qPrintable(QString::number(ink)));
        if (i < before.size() && before[i].size() == image.size())
            QVERIFY2(before[i] != image, qPrintable(charts.chartKeys(s).value(int(i)))); // the data are drawn
    }
}

void TestHandout::fromRun()
{
    Lesson lesson = makeLesson(3);
    lesson.scenario.durationS = 30;
    const RunResult run = syntheticRun();
    const std::vector<StepOutcome> outcomes = evaluateLesson(lesson, run.timeline);
    QCOMPARE(outcomes.size(), std::size_t(3));
    QVERIFY(outcomes[0].metAtS[0] >= 0); // oversold from ~3.4 s
    const QTemporaryDir dir;
    const QString path = dir.filePath(u"run.pdf"_s);
    QString error;
    QVERIFY2(writeHandoutFromRun(lesson, outcomes, run, path, &error), qPrintable(error));
    QVERIFY(error.isEmpty());
    QCOMPARE(pdfPageCount(path), 1 + 3);
    // the pictures are in it: one image object per chart, five charts a step
    QFile f(path);
    QVERIFY(f.open(QIODevice::ReadOnly));
    const QByteArray pdf = f.readAll();
    QCOMPARE(int(pdf.count("/Subtype /Image")), 3 * 5);
}

int main(int argc, char **argv)
{
    // as CTest runs it (tests/CMakeLists.txt), also when started by hand
    qputenv("QT_QPA_PLATFORM", "offscreen");
    qputenv("QT_ENABLE_HIGHDPI_SCALING", "0");
    qputenv("QT_FONT_DPI", "96");
    QApplication app(argc, argv);
    TestHandout test;
    return QTest::qExec(&test, argc, argv);
}

#include "tst_handout.moc"
