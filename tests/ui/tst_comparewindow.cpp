// Compare mode in the window (issue 15): two engines under the same seed and traffic, one setting
// apart; counters for A and B, charts overlaid (A solid, B dashed) or stacked; every action sent
// to both; a bad Apply keeps the running pair; the window fits 1366x768 in projector mode.
// Offscreen platform, fixed DPI (ctest pins them); no sleeps, only QTRY_* on engine state with
// generous bounds, and no absolute times.
//
// To look at it: STAMPEDE_COMPARE_PNG=/tmp/compare build/compare/tests/tst_comparewindow fits
// writes /tmp/compare-1366x768-normal.png and -projector.png (overlaid and stacked).

#include "actionset.h"
#include "comparewindow.h"
#include "livechart.h"
#include "mainwindow.h"
#include "theme.h"
#include "window.h"

#include "compare.h"
#include "scenario.h"

#include <QAbstractButton>
#include <QAction>
#include <QApplication>
#include <QComboBox>
#include <QFile>
#include <QImage>
#include <QLabel>
#include <QLineEdit>
#include <QLineSeries>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QTest>

#include <memory>

using namespace Qt::StringLiterals;
using namespace stampede;
using namespace stampede::ui;

namespace {

constexpr int kTimeoutMs = 30000;

Scenario preset(const QString &name)
{
    QString error;
    auto s = loadPreset(name, &error);
    if (!s)
        qFatal("%s", qPrintable(error));
    return *s;
}

CompareSpec spec(const QString &text)
{
    QString error;
    auto s = parseCompare(text, &error);
    if (!s)
        qFatal("%s", qPrintable(error));
    return *s;
}

TickSample lastTick(const Snapshot &s) { return s.recent.empty() ? TickSample {} : s.recent.back(); }

int nodesUp(const Snapshot &s)
{
    int n = 0;
    if (s.app)
        for (const NodeView &v : s.app->nodes)
            n += v.state == NodeState::Up ? 1 : 0;
    return n;
}

bool hasMarker(const Snapshot &s, const char *prefix)
{
    for (const Marker &m : s.markers)
        if (m.label.rfind(prefix, 0) == 0)
            return true;
    return false;
}

// Every label and button shown says its whole text in the room it has.
QString clippedText(const QWidget &w)
{
    for (const QLabel *l : w.findChildren<QLabel *>()) {
        if (!l->isVisibleTo(&w) || l->text().isEmpty() || l->textFormat() == Qt::RichText)
            continue;
        const QFontMetrics fm(l->font());
        if (fm.horizontalAdvance(l->text()) > l->width() || fm.height() > l->height() + 1)
            return l->objectName() + u" \""_s + l->text() + u"\" "_s + QString::number(fm.horizontalAdvance(l->text()))
                + u" px in "_s + QString::number(l->width());
    }
    for (const QAbstractButton *b : w.findChildren<QAbstractButton *>()) {
        if (!b->isVisibleTo(&w) || b->text().isEmpty())
            continue;
        if (QFontMetrics(b->font()).horizontalAdvance(b->text()) > b->width())
            return b->objectName() + u" \""_s + b->text() + u'"';
    }
    return {};
}

} // namespace

class TestCompareWindow : public QObject {
    Q_OBJECT
private slots:
    void initTestCase();
    void cleanup();
    void naiveOversellsAtomicDoesNot();
    void chartsOverlayASolidAndBDashed();
    void spikeReachesBoth();
    void addNodeReachesBoth();
    void badApplyKeepsThePair();
    void applyRebuildsBoth();
    void overlaidStackedToggles();
    void fits();
    void fanoutRunComparesItsMode();
    void escClosesAndStopsBoth();
    void theMainWindowOpensIt();
    void runWindowOpensIt_data();
    void runWindowOpensIt();

private:
    CompareWindow *open(const Scenario &base, const QString &name, const CompareSpec &s);
    std::unique_ptr<CompareWindow> m_window;
};

void TestCompareWindow::initTestCase()
{
    QStandardPaths::setTestModeEnabled(true);
    QCoreApplication::setApplicationName(u"tst_comparewindow"_s);
    QApplication::setStyle(u"Fusion"_s);
}

void TestCompareWindow::cleanup() { m_window.reset(); }

CompareWindow *TestCompareWindow::open(const Scenario &base, const QString &name, const CompareSpec &s)
{
    m_window = std::make_unique<CompareWindow>(base, name, s);
    m_window->resize(1366, 768);
    m_window->show();
    if (!QTest::qWaitForWindowExposed(m_window.get()))
        return nullptr;
    m_window->activateWindow();
    if (!QTest::qWaitForWindowActive(m_window.get()))
        return nullptr;
    return m_window.get();
}

// The lesson in one look: naive oversells, atomic never does, under the same seed.
void TestCompareWindow::naiveOversellsAtomicDoesNot()
{
    CompareWindow *w = open(preset(u"black-friday-naive"_s), u"black-friday-naive"_s, spec(u"strategy=naive,atomic"_s));
    QVERIFY(w);
    QCOMPARE(w->headerText(), u"strategy: A naive — B atomic"_s);
    QVERIFY(w->engine(CompareWindow::A) && w->engine(CompareWindow::B));
    QCOMPARE(w->engine(CompareWindow::A)->config().seed, w->engine(CompareWindow::B)->config().seed);
    QVERIFY(w->engine(CompareWindow::A)->config().strategy == Strategy::Naive);
    QVERIFY(w->engine(CompareWindow::B)->config().strategy == Strategy::Atomic);
    QCOMPARE(
        w->scenario(CompareWindow::A).config.traffic.ratePerS, w->scenario(CompareWindow::B).config.traffic.ratePerS);

    QTRY_VERIFY_WITH_TIMEOUT(lastTick(*w->snapshot(CompareWindow::A)).store->oversold > 0, kTimeoutMs);
    // both have sold out by now (the same traffic), and atomic has promised no unit it lacked
    QTRY_VERIFY_WITH_TIMEOUT(lastTick(*w->snapshot(CompareWindow::B)).store->sold > 0, kTimeoutMs);
    QCOMPARE(lastTick(*w->snapshot(CompareWindow::B)).store->oversold, std::int64_t(0));
    QTRY_VERIFY_WITH_TIMEOUT(w->counterRed(CompareWindow::A), kTimeoutMs);
    QVERIFY(!w->counterRed(CompareWindow::B));
    QCOMPARE(w->counterText(CompareWindow::B, CompareWindow::Oversold), u"0"_s);
    QVERIFY(w->counterText(CompareWindow::A, CompareWindow::Oversold) != u"0"_s);
    QCOMPARE(w->counterCaption(CompareWindow::Oversold), u"OVERSOLD"_s);
    for (int c = 0; c < CompareWindow::CounterCount; ++c)
        for (int side = 0; side < CompareWindow::SideCount; ++side)
            QVERIFY2(!w->counterText(side, CompareWindow::Counter(c)).isEmpty(), qPrintable(QString::number(c)));
}

// Each chart: A's series solid, B's dashed, in the same colour, both with points, the legend
// naming the sides.
void TestCompareWindow::chartsOverlayASolidAndBDashed()
{
    CompareWindow *w = open(preset(u"black-friday-naive"_s), u"black-friday-naive"_s, spec(u"strategy=naive,atomic"_s));
    QVERIFY(w);
    QCOMPARE(w->layoutMode(), CompareWindow::Overlaid);
    for (int i = 0; i < CompareWindow::kChartCount; ++i) {
        LiveChart *chart = w->overlaidChart(i);
        QVERIFY(chart->isVisible());
        const QList<int> a = w->seriesOf(i, CompareWindow::A), b = w->seriesOf(i, CompareWindow::B);
        QCOMPARE(a.size(), b.size());
        QVERIFY(!a.isEmpty());
        for (int k = 0; k < a.size(); ++k) {
            QCOMPARE(chart->seriesStyle(a[k]), Qt::SolidLine);
            QCOMPARE(chart->seriesStyle(b[k]), Qt::DashLine);
            QCOMPARE(chart->series(a[k])->pen().style(), Qt::SolidLine);
            QCOMPARE(chart->series(b[k])->pen().style(), Qt::DashLine);
            QCOMPARE(chart->series(a[k])->pen().color(), chart->series(b[k])->pen().color());
        }
        QCOMPARE(chart->series(a.front())->name(), u"A naive"_s);
        QCOMPARE(chart->series(b.front())->name(), u"B atomic"_s);
        QTRY_VERIFY2_WITH_TIMEOUT(
            chart->pointCount(a.front()) > 5 && chart->pointCount(b.front()) > 5, qPrintable(chart->key()), kTimeoutMs);
        QVERIFY(chart->pointCount(a.front()) <= LiveChart::kCapacity);
    }
    QCOMPARE(w->overlaidChart(3)->key(), u"oversold"_s);
    QTRY_VERIFY_WITH_TIMEOUT(w->overlaidChart(3)->alarm(), kTimeoutMs); // A oversells: the chart is red
}

// S spikes both: each snapshot shows the spike and its marker.
void TestCompareWindow::spikeReachesBoth()
{
    Scenario base = preset(u"black-friday-naive"_s);
    base.events.clear(); // no spike of the lesson's own to mistake for ours
    CompareWindow *w = open(base, u"black-friday-naive"_s, spec(u"strategy=naive,atomic"_s));
    QVERIFY(w);
    QTRY_VERIFY_WITH_TIMEOUT(!w->snapshot(CompareWindow::A)->recent.empty(), kTimeoutMs);
    QCOMPARE(w->actions().spike->shortcut(), QKeySequence(Qt::Key_S));
    QTest::keyClick(w, Qt::Key_S);
    for (int side = 0; side < CompareWindow::SideCount; ++side) {
        QTRY_VERIFY_WITH_TIMEOUT(hasMarker(*w->snapshot(side), "spike"), kTimeoutMs);
        QVERIFY(w->snapshot(side)->spikeFactor > 1 || hasMarker(*w->snapshot(side), "spike"));
    }
    QVERIFY2(!w->statusText().contains(u"A:"_s) && !w->statusText().contains(u"B:"_s), qPrintable(w->statusText()));
    // the marker reaches the charts too
    QTRY_VERIFY_WITH_TIMEOUT(!w->overlaidChart(0)->visibleMarkerLabels().isEmpty(), kTimeoutMs);
}

// + (or A) adds a node to both; K kills one on both.
void TestCompareWindow::addNodeReachesBoth()
{
    Scenario base = preset(u"black-friday-naive"_s);
    base.events.clear();
    CompareWindow *w = open(base, u"black-friday-naive"_s, spec(u"strategy=naive,atomic"_s));
    QVERIFY(w);
    QTRY_VERIFY_WITH_TIMEOUT(
        nodesUp(*w->snapshot(CompareWindow::A)) > 0 && nodesUp(*w->snapshot(CompareWindow::B)) > 0, kTimeoutMs);
    const int a = nodesUp(*w->snapshot(CompareWindow::A)), b = nodesUp(*w->snapshot(CompareWindow::B));
    QCOMPARE(a, b);
    QTest::keyClick(w, Qt::Key_A);
    QTRY_VERIFY_WITH_TIMEOUT(
        nodesUp(*w->snapshot(CompareWindow::A)) == a + 1 && nodesUp(*w->snapshot(CompareWindow::B)) == b + 1,
        kTimeoutMs);
    QTest::keyClick(w, Qt::Key_K);
    QTRY_VERIFY_WITH_TIMEOUT(
        nodesUp(*w->snapshot(CompareWindow::A)) == a && nodesUp(*w->snapshot(CompareWindow::B)) == b, kTimeoutMs);
    // Ctrl+Up doubles both rates
    const double rate = w->snapshot(CompareWindow::A)->ratePerS;
    QTest::keyClick(w, Qt::Key_Up, Qt::ControlModifier);
    QTRY_VERIFY_WITH_TIMEOUT(
        w->snapshot(CompareWindow::A)->ratePerS == rate * 2 && w->snapshot(CompareWindow::B)->ratePerS == rate * 2,
        kTimeoutMs);
    // Space pauses both
    QTest::keyClick(w, Qt::Key_Space);
    QTRY_VERIFY_WITH_TIMEOUT(
        w->snapshot(CompareWindow::A)->paused && w->snapshot(CompareWindow::B)->paused, kTimeoutMs);
}

// nodes=2,0: the 0 is refused naming nodes.count; the running pair goes on untouched.
void TestCompareWindow::badApplyKeepsThePair()
{
    CompareWindow *w = open(preset(u"black-friday-naive"_s), u"black-friday-naive"_s, spec(u"strategy=naive,atomic"_s));
    QVERIFY(w);
    Engine *a = w->engine(CompareWindow::A), *b = w->engine(CompareWindow::B);
    QString error;
    QVERIFY(!w->apply(spec(u"nodes=2,0"_s), &error));
    QVERIFY2(error.contains(u"nodes.count"_s), qPrintable(error));
    QVERIFY(!error.contains(u'\n'));
    QCOMPARE(w->engine(CompareWindow::A), a);
    QCOMPARE(w->engine(CompareWindow::B), b);
    QCOMPARE(w->spec().key, u"strategy"_s);
    QCOMPARE(w->headerText(), u"strategy: A naive — B atomic"_s);

    // the same through the fields and Apply: the error shows in the status line
    w->keyBox()->setCurrentText(u"nodes"_s);
    w->valueField(CompareWindow::A)->setText(u"2"_s);
    w->valueField(CompareWindow::B)->setText(u"0"_s);
    w->actions().apply->trigger();
    QVERIFY2(w->statusText().contains(u"nodes.count"_s), qPrintable(w->statusText()));
    QCOMPARE(w->engine(CompareWindow::A), a);
    QCOMPARE(w->engine(CompareWindow::B), b);
    const auto before = w->snapshot(CompareWindow::A)->seq;
    QTRY_VERIFY_WITH_TIMEOUT(w->snapshot(CompareWindow::A)->seq > before, kTimeoutMs); // still running
}

// Apply with good values rebuilds both sides around the new setting.
void TestCompareWindow::applyRebuildsBoth()
{
    CompareWindow *w = open(preset(u"black-friday-naive"_s), u"black-friday-naive"_s, spec(u"strategy=naive,atomic"_s));
    QVERIFY(w);
    w->keyBox()->setCurrentText(u"nodes"_s);
    w->valueField(CompareWindow::A)->setText(u"2"_s);
    w->valueField(CompareWindow::B)->setText(u"8"_s);
    w->actions().apply->trigger();
    QCOMPARE(w->spec().path, u"nodes.count"_s);
    QCOMPARE(w->headerText(), u"nodes: A 2 — B 8"_s);
    QCOMPARE(w->engine(CompareWindow::A)->config().nodes.count, 2);
    QCOMPARE(w->engine(CompareWindow::B)->config().nodes.count, 8);
    QVERIFY(w->engine(CompareWindow::A)->config().strategy == w->engine(CompareWindow::B)->config().strategy);
    QCOMPARE(w->overlaidChart(0)->series(0)->name(), u"A 2"_s);
    QTRY_VERIFY_WITH_TIMEOUT(nodesUp(*w->snapshot(CompareWindow::B)) == 8, kTimeoutMs);
}

// L (or the button) switches overlaid ↔ stacked: A's charts above B's, each with its own points.
void TestCompareWindow::overlaidStackedToggles()
{
    CompareWindow *w = open(preset(u"black-friday-naive"_s), u"black-friday-naive"_s, spec(u"strategy=naive,atomic"_s));
    QVERIFY(w);
    QCOMPARE(w->actions().toggleLayout->shortcut(), QKeySequence(Qt::Key_L));
    QTest::keyClick(w, Qt::Key_L);
    QCOMPARE(w->layoutMode(), CompareWindow::Stacked);
    QVERIFY(!w->overlaidChart(0)->isVisible());
    QCOMPARE(w->visibleCharts().size(), 2 * CompareWindow::kChartCount);
    for (int i = 0; i < CompareWindow::kChartCount; ++i) {
        LiveChart *a = w->stackedChart(i, CompareWindow::A), *b = w->stackedChart(i, CompareWindow::B);
        QVERIFY(a->isVisible() && b->isVisible());
        QVERIFY(a->mapTo(w, QPoint(0, 0)).y() + a->height() <= b->mapTo(w, QPoint(0, 0)).y() + 1);
        QCOMPARE(a->seriesStyle(0), Qt::SolidLine);
        QCOMPARE(b->seriesStyle(0), Qt::DashLine);
        QTRY_VERIFY_WITH_TIMEOUT(a->pointCount(0) > 0 && b->pointCount(0) > 0, kTimeoutMs);
    }
    w->actions().toggleLayout->trigger();
    QCOMPARE(w->layoutMode(), CompareWindow::Overlaid);
    QVERIFY(w->overlaidChart(0)->isVisible());
}

// 1366x768, normal and projector: the window keeps that size and no text is cut.
void TestCompareWindow::fits()
{
    CompareWindow *w = open(preset(u"black-friday-naive"_s), u"black-friday-naive"_s, spec(u"strategy=naive,atomic"_s));
    QVERIFY(w);
    QTRY_VERIFY_WITH_TIMEOUT(lastTick(*w->snapshot(CompareWindow::A)).store->oversold > 0, kTimeoutMs);
    const QString png = qEnvironmentVariable("STAMPEDE_COMPARE_PNG");
    if (!png.isEmpty()) // a picture worth looking at: past the lesson's spike at 5 s
        QTRY_VERIFY_WITH_TIMEOUT(w->snapshot(CompareWindow::A)->t > 9, kTimeoutMs);
    for (const bool projector : { false, true }) {
        const QString look = projector ? u"projector"_s : u"normal"_s;
        w->applyTheme(Theme::make(false, projector));
        w->resize(1366, 768);
        for (const CompareWindow::Layout layout : { CompareWindow::Overlaid, CompareWindow::Stacked }) {
            w->setLayoutMode(layout);
            QTRY_COMPARE_WITH_TIMEOUT(w->size(), QSize(1366, 768), kTimeoutMs);
            QVERIFY2(w->minimumSizeHint().width() <= 1366 && w->minimumSizeHint().height() <= 768,
                qPrintable(look + u" minimum "_s + QString::number(w->minimumSizeHint().width()) + u'x'
                    + QString::number(w->minimumSizeHint().height())));
            QString cut;
            QTRY_VERIFY2_WITH_TIMEOUT((cut = clippedText(*w)).isEmpty(), qPrintable(look + u": "_s + cut), kTimeoutMs);
            if (layout == CompareWindow::Overlaid)
                for (int i = 0; i < CompareWindow::kChartCount; ++i)
                    QVERIFY2(w->overlaidChart(i)->legendShown(),
                        qPrintable(look + u" legend of "_s + w->overlaidChart(i)->key()));
            if (projector)
                QVERIFY(w->counterLabel(CompareWindow::A, CompareWindow::Oversold)->font().pointSizeF()
                    >= Theme::make(false, true).minLabelPointSize);
            w->showLatest();
            if (!png.isEmpty())
                QVERIFY(w->grab().save(png + u"-1366x768-"_s + look
                    + (layout == CompareWindow::Stacked ? u"-stacked"_s : QString()) + u".png"_s));
        }
    }
}

// A fan-out run compares its mode: its own charts and counters, the post key reaching both.
void TestCompareWindow::fanoutRunComparesItsMode()
{
    const Scenario base = preset(u"celebrity-push"_s);
    const CompareSpec s = CompareWindow::defaultSpec(base);
    QCOMPARE(s.path, u"fanout.mode"_s);
    QCOMPARE(s.a, u"push"_s);
    QCOMPARE(s.b, u"pull"_s);
    CompareWindow *w = open(base, u"celebrity-push"_s, s);
    QVERIFY(w);
    QCOMPARE(w->overlaidChart(1)->key(), u"visibility"_s);
    QCOMPARE(w->counterCaption(CompareWindow::Succeeded), u"REACHED"_s);
    QVERIFY(w->engine(CompareWindow::A)->config().fanout.mode != w->engine(CompareWindow::B)->config().fanout.mode);
    QTRY_VERIFY_WITH_TIMEOUT(!w->snapshot(CompareWindow::A)->recent.empty(), kTimeoutMs);
    QTest::keyClick(w, Qt::Key_P);
    for (int side = 0; side < CompareWindow::SideCount; ++side)
        QTRY_VERIFY_WITH_TIMEOUT(!w->snapshot(side)->fanout->tracked.empty(), kTimeoutMs);
    if (const QString png = qEnvironmentVariable("STAMPEDE_COMPARE_PNG"); !png.isEmpty()) {
        QTRY_VERIFY_WITH_TIMEOUT(w->snapshot(CompareWindow::A)->t > 6, kTimeoutMs);
        w->showLatest();
        QVERIFY(w->grab().save(png + u"-fanout.png"_s));
    }
    // the flash sale's restock is not offered; its key is refused by both in one line
    QTest::keyClick(w, Qt::Key_R);
    QVERIFY2(w->statusText().startsWith(u"A and B: "_s), qPrintable(w->statusText()));
}

// Esc closes the window; both engines are handed off (the GUI thread does not wait for them).
void TestCompareWindow::escClosesAndStopsBoth()
{
    CompareWindow *w = open(preset(u"black-friday-naive"_s), u"black-friday-naive"_s, spec(u"strategy=naive,atomic"_s));
    QVERIFY(w);
    QCOMPARE(w->actions().close->shortcut(), QKeySequence(Qt::Key_Escape));
    QTest::keyClick(w, Qt::Key_Escape);
    QVERIFY(!w->isVisible());
    QVERIFY(!w->engine(CompareWindow::A) && !w->engine(CompareWindow::B));
    // opened again, the pair runs again
    w->show();
    QVERIFY(w->engine(CompareWindow::A) && w->engine(CompareWindow::B));
}

// Run ▸ Compare… (Ctrl+K) opens the compare window on the main window's scenario, strategy
// against atomic by default.
void TestCompareWindow::theMainWindowOpensIt()
{
    MainWindow window;
    QVERIFY(window.loadPreset(u"black-friday-naive"_s));
    window.show();
    QVERIFY(QTest::qWaitForWindowExposed(&window));
    QVERIFY(window.actions()->compare->isEnabled());
    QCOMPARE(window.actions()->compare->shortcut(), QKeySequence(u"Ctrl+K"_s));
    window.actions()->compare->trigger();
    CompareWindow *open = nullptr;
    for (QWidget *w : QApplication::topLevelWidgets())
        if (auto *c = qobject_cast<CompareWindow *>(w); c && c->isVisible())
            open = c;
    QVERIFY(open);
    QCOMPARE(open->spec().key, u"strategy"_s);
    QCOMPARE(open->spec().a, u"naive"_s);
    QCOMPARE(open->spec().b, u"atomic"_s);
    open->close();
}

void TestCompareWindow::runWindowOpensIt_data()
{
    QTest::addColumn<QString>("compare");
    QTest::addColumn<int>("exitCode");
    QTest::newRow("naive against atomic") << u"strategy=naive,atomic"_s << 0;
    QTest::newRow("a bad value") << u"strategy=naive,bogus"_s << 2;
}

// `stampede --compare KEY=A,B` in the window: the screenshot is the compare window's; a bad
// value is one line and exit 2 with no picture.
void TestCompareWindow::runWindowOpensIt()
{
    QFETCH(QString, compare);
    QFETCH(int, exitCode);
    QTemporaryDir dir;
    WindowOptions options;
    options.preset = u"black-friday-naive"_s;
    QString error;
    options.compare = parseCompare(compare, &error);
    QVERIFY2(options.compare, qPrintable(error));
    options.screenshotFile = dir.filePath(u"c.png"_s);
    options.afterSeconds = 1;
    options.size = QSize(1366, 768);
    auto &app = static_cast<QApplication &>(*QCoreApplication::instance());
    QCOMPARE(runWindow(app, options), exitCode);
    QCOMPARE(QFile::exists(options.screenshotFile), exitCode == 0);
    if (exitCode == 0)
        QCOMPARE(QImage(options.screenshotFile).size(), QSize(1366, 768));
}

QTEST_MAIN(TestCompareWindow)
#include "tst_comparewindow.moc"
