// What a room sees, checked from the painters' own record rather than from pixels: every preset
// (the fan-out's too) at 1366x768 and 1920x1080, normal and projector mode, early in its lesson,
// in the middle (where most lessons change something: a kill, a node added) and late. No tier
// box, node card, inbox shard or label overlaps another, no flow dot covers one, no label is smaller than a room can
// read, none leaves the canvas, the window is the size asked for, the lesson's whole text is shown, every tool bar
// button is on the bar (none in an overflow menu), the status line is not cut, and the counters
// keep their numbers large.
// Lessons run with their events four times sooner (as tests/lessons does); waits are QTRY_*.

#include "chartspanel.h"
#include "cli.h"
#include "counterspanel.h"
#include "lessonbanner.h"
#include "livechart.h"
#include "mainwindow.h"
#include "statusbanner.h"
#include "topologyview.h"

#include "scenario.h"

#include <QApplication>
#include <QChart>
#include <QFontMetricsF>
#include <QLabel>
#include <QStandardPaths>
#include <QStatusBar>
#include <QTest>
#include <QToolBar>
#include <QToolButton>
#include <QValueAxis>

using namespace Qt::StringLiterals;
using namespace stampede;
using namespace stampede::ui;

namespace {

constexpr double kTimeScale = 0.25; // lesson seconds per test second: 20 s of lesson in 5 s
constexpr int kTimeoutMs = 20000;
// The smallest label in pixels: a desk, and the back of a room.
constexpr double kMinPx = 11, kMinProjectorPx = 17;
// The six big counters stay at least this many times the smallest label.
constexpr double kCounterFactor = 1.6;
// A plot at least this many axis-label lines high.
constexpr double kMinPlotLines = 3;

struct Look {
    QSize size;
    bool projector;
};
const Look kLooks[]
    = { { { 1366, 768 }, false }, { { 1366, 768 }, true }, { { 1920, 1080 }, false }, { { 1920, 1080 }, true } };

QString where(const QString &preset, const Look &look, double t)
{
    return preset + u' ' + QString::number(look.size.width()) + u'x' + QString::number(look.size.height())
        + (look.projector ? u" projector"_s : u" normal"_s) + u" at "_s + QString::number(t) + u" s: "_s;
}

QString rectText(const QRectF &r)
{
    return u"("_s + QString::number(r.x()) + u',' + QString::number(r.y()) + u' ' + QString::number(r.width()) + u'x'
        + QString::number(r.height()) + u')';
}

// Boxes that share more than a hair (antialiased borders may touch).
bool overlap(const QRectF &a, const QRectF &b) { return a.adjusted(0.5, 0.5, -0.5, -0.5).intersects(b); }

// All pairs of `rects` apart; the first pair that is not, as text.
QString firstOverlap(const QList<std::pair<QString, QRectF>> &rects)
{
    for (qsizetype i = 0; i < rects.size(); ++i)
        for (qsizetype j = i + 1; j < rects.size(); ++j)
            if (overlap(rects[i].second, rects[j].second))
                return rects[i].first + u' ' + rectText(rects[i].second) + u" overlaps "_s + rects[j].first + u' '
                    + rectText(rects[j].second);
    return {};
}

bool labelInside(const TopologyRecord &r, const QRectF &card)
{
    return std::any_of(r.labels.begin(), r.labels.end(), [&](const DrawnLabel &l) { return card.contains(l.rect); });
}

} // namespace

class TestLayout : public QObject {
    Q_OBJECT

private slots:
    void initTestCase() { QStandardPaths::setTestModeEnabled(true); }
    void everyPresetReadsAtEverySize_data();
    void everyPresetReadsAtEverySize();
    void commandLineLookOptions();

private:
    void checkLook(MainWindow &w, const Scenario &scenario, const QString &preset, const Look &look, double t);
};

void TestLayout::everyPresetReadsAtEverySize_data()
{
    QTest::addColumn<QString>("preset");
    for (const QString &name : presetNames())
        QTest::newRow(qPrintable(name)) << name;
}

void TestLayout::everyPresetReadsAtEverySize()
{
    QFETCH(QString, preset);
    QString error;
    std::optional<Scenario> scenario = loadPreset(preset, &error);
    QVERIFY2(scenario, qPrintable(error));
    Scenario scaled = *scenario;
    for (auto &e : scaled.events) {
        e.atS *= kTimeScale;
        e.forS *= kTimeScale;
    }
    MainWindow w;
    QVERIFY(w.loadScenario(scaled, preset));
    w.resize(kLooks[0].size);
    w.show();
    QVERIFY(QTest::qWaitForWindowExposed(&w));
    for (const double lessonS : { 5.0, 10.0, 20.0 }) {
        QTRY_VERIFY_WITH_TIMEOUT(w.engine()->snapshot()->t >= lessonS * kTimeScale, kTimeoutMs);
        // Paused while the four looks are checked: a slow machine (ASan beside other jobs) took
        // long enough over them for the preset's next event to fire in between (coordination-cost
        // went from 14 nodes to 32 after the first look).
        QVERIFY(w.engine()->setPaused(true).ok);
        for (const Look &look : kLooks)
            checkLook(w, scaled, preset, look, lessonS);
        if (QTest::currentTestFailed())
            return;
        QVERIFY(w.engine()->setPaused(false).ok);
    }
}

void TestLayout::checkLook(MainWindow &w, const Scenario &scenario, const QString &preset, const Look &look, double t)
{
    const QString at = where(preset, look, t);
    w.setProjectorMode(look.projector);
    w.resize(look.size);
    // the layout settles in posted events; a frame then paints the canvas
    QCoreApplication::sendPostedEvents();
    QCoreApplication::processEvents();
    w.showLatest();
    QCoreApplication::processEvents();
    QVERIFY2(w.size() == look.size,
        qPrintable(at + u"the window grew to "_s + QString::number(w.width()) + u'x' + QString::number(w.height())));
    TopologyView *canvas = w.topologyView();
    (void)canvas->grab(); // paints now, whatever the frame timer did
    const TopologyRecord &r = canvas->record();

    // tiers and node cards: each its own room
    QList<std::pair<QString, QRectF>> boxes;
    for (const DrawnTier &tier : r.tiers)
        boxes.append({ tier.name, tier.rect });
    for (const DrawnNode &n : r.nodes)
        boxes.append({ u"node "_s + QString::number(n.id), n.rect });
    QVERIFY2(r.tiers.size() >= 3, qPrintable(at + u"the row is not drawn"_s));
    QString problem = firstOverlap(boxes);
    QVERIFY2(problem.isEmpty(), qPrintable(at + problem));
    const QRectF canvasRect(canvas->rect());
    for (const auto &[name, rect] : boxes)
        QVERIFY2(canvasRect.contains(rect), qPrintable(at + name + u" leaves the canvas "_s + rectText(rect)));
    QList<std::pair<QString, QRectF>> cards;
    for (const DrawnCacheNode &c : r.cacheNodes) {
        cards.append({ u"cache node "_s + QString::number(c.id), c.rect });
        QVERIFY2(canvas->cacheTierRect().contains(c.rect), qPrintable(at + u"a cache card leaves the cache tier"_s));
    }
    for (const DrawnConsumer &c : r.consumers) {
        cards.append({ u"consumer "_s + QString::number(c.id), c.rect });
        QVERIFY2(canvas->queueRect().contains(c.rect), qPrintable(at + u"a consumer leaves the queue"_s));
    }
    problem = firstOverlap(cards);
    QVERIFY2(problem.isEmpty(), qPrintable(at + problem));
    // the fan-out's diagram: all its boxes, and the inbox shards' cells apart inside theirs
    if (scenario.config.workload == WorkloadKind::Fanout) {
        for (const QString &tier :
            { u"author"_s, u"fanoutQueue"_s, u"workers"_s, u"outbox"_s, u"readers"_s, u"shards"_s })
            QVERIFY2(!canvas->tierRect(tier).isEmpty(), qPrintable(at + u"no "_s + tier + u" box"_s));
        QVERIFY2(!r.shards.isEmpty(), qPrintable(at + u"no inbox shard drawn"_s));
    }
    QList<std::pair<QString, QRectF>> shardCells;
    for (const DrawnShard &d : r.shards) {
        shardCells.append({ u"shard "_s + QString::number(d.id), d.rect });
        QVERIFY2(canvas->tierRect(u"shards"_s).contains(d.rect), qPrintable(at + u"a shard leaves its box"_s));
    }
    problem = firstOverlap(shardCells);
    QVERIFY2(problem.isEmpty(), qPrintable(at + problem));

    // labels: apart, readable, on the canvas, and no card without one
    QList<std::pair<QString, QRectF>> labels;
    const double minPx = look.projector ? kMinProjectorPx : kMinPx;
    for (const DrawnLabel &l : r.labels) {
        labels.append({ l.tier + u" \""_s + l.text + u'"', l.rect });
        QVERIFY2(l.pixelSize >= minPx - 0.01,
            qPrintable(at + u'"' + l.text + u"\" is "_s + QString::number(l.pixelSize) + u" px"_s));
        QVERIFY2(canvasRect.contains(l.rect), qPrintable(at + u'"' + l.text + u"\" leaves the canvas"_s));
    }
    problem = firstOverlap(labels);
    QVERIFY2(problem.isEmpty(), qPrintable(at + problem));
    for (const DrawnNode &n : r.nodes)
        QVERIFY2(labelInside(r, n.rect), qPrintable(at + u"node "_s + QString::number(n.id) + u" has no text"_s));
    // flow dots pass behind boxes, cards and labels
    for (const QRectF &dot : canvas->drawnDots()) {
        for (const auto &[name, rect] : boxes + cards + labels)
            QVERIFY2(!overlap(dot, rect), qPrintable(at + u"a flow dot covers "_s + name + u' ' + rectText(dot)));
    }
    // with many SKUs the store box says its rows are SKU 0's (REMAINING counts them all)
    if (scenario.config.traffic.skus > 1)
        QVERIFY2(std::any_of(r.labels.begin(), r.labels.end(),
                     [](const DrawnLabel &l) { return l.tier == u"store"_s && l.text.contains(u"SKU 0"_s); }),
            qPrintable(at + u"the store box does not say SKU 0"_s));
    for (const auto &[name, rect] : cards)
        QVERIFY2(labelInside(r, rect), qPrintable(at + name + u" has no text"_s));

    // the lesson, whole
    LessonBanner *lesson = w.lessonBanner();
    QCOMPARE(lesson->description(), scenario.description);
    QVERIFY2(lesson->isVisible() && lesson->height() >= lesson->heightForWidth(lesson->width()),
        qPrintable(at + u"the lesson's text is cut: "_s + QString::number(lesson->height()) + u" px of "_s
            + QString::number(lesson->heightForWidth(lesson->width()))));
    const QRect lessonInWindow(lesson->mapTo(&w, QPoint(0, 0)), lesson->size());
    QVERIFY2(w.rect().contains(lessonInWindow), qPrintable(at + u"the lesson leaves the window"_s));

    // counters: every number shown whole (the panel fits its numbers after the layout settles)
    CountersPanel *counters = w.countersPanel();
    QString cut;
    auto whole = [&] {
        cut.clear();
        for (int c = 0; c < CountersPanel::CounterCount && cut.isEmpty(); ++c) {
            const QLabel *value = counters->valueLabel(CountersPanel::Counter(c));
            if (!counters->isShown(CountersPanel::Counter(c)))
                continue;
            const QFontMetrics fm(value->font());
            if (fm.horizontalAdvance(value->text()) > value->width() || fm.height() > value->height() + 1)
                cut = value->text();
        }
        return cut.isEmpty();
    };
    QTRY_VERIFY2_WITH_TIMEOUT(whole(), qPrintable(at + u"counter \""_s + cut + u"\" is cut"_s), kTimeoutMs);
    // the six big numbers stay big (the panel takes a second column, the window widens it)
    QString small;
    auto large = [&] {
        small.clear();
        // the run's big six: the flash sale's or the fan-out's
        for (int c = 0; c < CountersPanel::CounterCount && small.isEmpty(); ++c) {
            if (!counters->isPrimary(CountersPanel::Counter(c)) || !counters->isShown(CountersPanel::Counter(c)))
                continue;
            const QLabel *value = counters->valueLabel(CountersPanel::Counter(c));
            if (const int px = QFontInfo(value->font()).pixelSize(); px < minPx * kCounterFactor)
                small = u'"' + value->text() + u"\" is only "_s + QString::number(px) + u" px"_s;
        }
        return small.isEmpty();
    };
    QTRY_VERIFY2_WITH_TIMEOUT(large(), qPrintable(at + u"counter "_s + small), kTimeoutMs);

    // the charts of the page shown: time labels whole, and a plot a room can read a line in
    ChartsPanel *charts = w.chartsPanel();
    charts->catchUp();
    for (LiveChart *chart : charts->charts()) {
        if (!chart->isVisible())
            continue;
        const QString name = at + u"chart \""_s + chart->chart()->title() + u"\" "_s;
        QVERIFY2(!chart->timeAxis()->labelsTruncated(), qPrintable(name + u"cuts its time labels"_s));
        QVERIFY2(chart->titleWhole(), qPrintable(name + u"cuts its title"_s));
        const double line = QFontMetricsF(chart->timeAxis()->labelsFont()).height();
        QVERIFY2(chart->chart()->plotArea().height() >= kMinPlotLines * line,
            qPrintable(name + u"has a plot "_s + QString::number(chart->chart()->plotArea().height()) + u" px high"_s));
    }

    // the tool bar: every button on it, none behind the overflow arrow
    auto *bar = w.findChild<QToolBar *>(u"runToolBar"_s);
    QVERIFY(bar);
    QVERIFY2(bar->sizeHint().width() <= bar->width(),
        qPrintable(at + u"the tool bar needs "_s + QString::number(bar->sizeHint().width()) + u" px of "_s
            + QString::number(bar->width())));
    for (const QToolButton *b : bar->findChildren<QToolButton *>())
        if (b->objectName() == u"qt_toolbar_ext_button"_s)
            QVERIFY2(!b->isVisible(), qPrintable(at + u"the tool bar has an overflow menu"_s));

    // the status bar: the line beside the message is whole (or gave way), once the bar's layout
    // has taken in the last text the line was given
    QCoreApplication::sendPostedEvents(nullptr, QEvent::LayoutRequest);
    auto *line = w.findChild<QLabel *>(u"statusLine"_s);
    QVERIFY(line);
    QVERIFY2(QFontMetrics(line->font()).horizontalAdvance(line->text()) <= line->width(),
        qPrintable(at + u"the status line is cut: "_s + line->text()));
    auto *message = w.findChild<StatusBanner *>(u"statusMessage"_s);
    QVERIFY(message);
    QVERIFY2(message->neededWidth() > message->width() || message->text() == message->fullText(),
        qPrintable(at + u"the status message is shortened though it fits: "_s + message->text()));
    QVERIFY2(QFontMetrics(message->font()).horizontalAdvance(message->text()) <= message->width(),
        qPrintable(at + u"the status message is clipped: "_s + message->text()));
}

void TestLayout::commandLineLookOptions()
{
    auto parse = [](const QStringList &args) { return parseCommandLine(QStringList { u"stampede"_s } + args, true); };
    const CliParseResult ok = parse({ u"--projector"_s, u"--theme"_s, u"dark"_s, u"--size"_s, u"1366x768"_s });
    QCOMPARE(int(ok.status), int(CliParseResult::Status::Run));
    QVERIFY(ok.options.projector);
    QCOMPARE(ok.options.dark, std::optional<bool>(true));
    QCOMPARE(ok.options.size, std::optional<QSize>(QSize(1366, 768)));
    const std::pair<QStringList, QString> bad[] = {
        { { u"--theme"_s, u"blue"_s }, u"--theme:"_s },
        { { u"--size"_s, u"1366"_s }, u"--size:"_s },
        { { u"--size"_s, u"10x10"_s }, u"--size:"_s },
        { { u"--size"_s, u"axb"_s }, u"--size:"_s },
        { { u"--headless"_s, u"--projector"_s }, u"--projector:"_s },
    };
    for (const auto &[args, name] : bad) {
        const CliParseResult r = parse(args);
        QCOMPARE(int(r.status), int(CliParseResult::Status::Error));
        QVERIFY2(r.output.startsWith(name) && !r.output.contains(u'\n'), qPrintable(r.output));
    }
}

QTEST_MAIN(TestLayout)
#include "tst_layout.moc"
