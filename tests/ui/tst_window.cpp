// The window as a person uses it: buttons and keys change the engine and what the canvas draws,
// bad numbers are refused, charts stay bounded however long the run, and every export writes a
// real file of its kind. Offscreen platform, fixed DPI; no sleeps, only QTRY_* with timeouts.

#include "actionset.h"
#include "chartspanel.h"
#include "controlpanel.h"
#include "counterspanel.h"
#include "format.h"
#include "livechart.h"
#include "mainwindow.h"
#include "shortcutsdialog.h"
#include "topologyview.h"
#include "window.h"

#include "scenario.h"

#include <QAction>
#include <QApplication>
#include <QComboBox>
#include <QFile>
#include <QImage>
#include <QLabel>
#include <QLineEdit>
#include <QLineSeries>
#include <QRegularExpression>
#include <QSet>
#include <QSignalSpy>
#include <QSlider>
#include <QStandardPaths>
#include <QTableWidget>
#include <QTemporaryDir>
#include <QTest>
#include <QToolBar>
#include <QToolButton>
#include <QValueAxis>
#include <QXmlStreamReader>

#include <cmath>
#include <deque>
#include <memory>

using namespace Qt::StringLiterals;
using namespace stampede;
using namespace stampede::ui;

namespace {

constexpr int kTimeoutMs = 10000;

// The default preset without its timeline, at a gentle rate, so that only the test acts.
Scenario quietScenario(int nodes = 4)
{
    QString error;
    std::optional<Scenario> s = loadPreset(defaultPresetName(), &error);
    if (!s)
        qFatal("cannot load the default preset: %s", qPrintable(error));
    s->events.clear();
    s->config.traffic.ratePerS = 500;
    s->config.stock = 1000000;
    s->config.nodes.count = nodes;
    s->config.threads = 2;
    return *s;
}

int countState(const std::vector<NodeView> &nodes, NodeState state)
{
    return int(std::count_if(nodes.begin(), nodes.end(), [state](const NodeView &n) { return n.state == state; }));
}

int countDrawn(const QList<TopologyView::DrawnNode> &nodes, NodeState state)
{
    return int(std::count_if(nodes.begin(), nodes.end(), [state](const auto &n) { return n.state == state; }));
}

// Names compare with readable failure messages: "up", "draining", "dead" or "absent".
QString engineState(const Snapshot &s, int id)
{
    for (const NodeView &n : s.nodes)
        if (n.id == id)
            return fromStd(toString(n.state));
    return u"absent"_s;
}

QString drawnState(const TopologyView *view, int id)
{
    for (const auto &n : view->drawnNodes())
        if (n.id == id)
            return fromStd(toString(n.state));
    return u"absent"_s;
}

QString strategyOf(const Snapshot &s) { return fromStd(toString(s.strategy)); }

int distinctColours(const QImage &image)
{
    QSet<QRgb> colours;
    const QImage img = image.convertToFormat(QImage::Format_RGB32);
    for (int y = 0; y < img.height(); y += 2)
        for (int x = 0; x < img.width(); x += 2)
            colours.insert(img.pixel(x, y));
    return int(colours.size());
}

QByteArray readFile(const QString &path)
{
    QFile f(path);
    return f.open(QIODevice::ReadOnly) ? f.readAll() : QByteArray();
}

} // namespace

class TestWindow : public QObject {
    Q_OBJECT

private slots:
    void initTestCase();
    void init();
    void cleanup();

    void nodeButtonsChangeEngineAndCanvas();
    void clickedNodeIsTheTarget();
    void removingTheLastNodeShowsTheError();
    void strategySelectorAndKeysDriveEngine();
    void rateSliderAndFieldDriveEngine();
    void badRateIsRefused_data();
    void badRateIsRefused();
    void actionsLeaveMarkersOnEveryChart();
    void oversoldTurnsRed();
    void chartSeriesStayBounded();
    void exportsWriteFilesOfTheirKind();
    void exportToUnwritablePathFails();
    void projectorModeScalesUp();
    void everyActionHasAKeyAndAWidget();
    void lessonReplacesEngine();
    void runWindowTakesScreenshot();
    void runWindowRejectsUnwritableScreenshot();

private:
    Engine *engine() const { return m_window->engine(); }
    std::shared_ptr<const Snapshot> snap() const { return m_window->engine()->snapshot(); }
    QAbstractButton *button(const char *name) const
    {
        return m_window->findChild<QAbstractButton *>(QString::fromLatin1(name));
    }
    // Waits until the engine has published `ticks` more snapshots.
    bool waitTicks(int ticks) const;

    std::unique_ptr<MainWindow> m_window;
    QTemporaryDir m_dir;
};

void TestWindow::initTestCase()
{
    QStandardPaths::setTestModeEnabled(true);
    QVERIFY(m_dir.isValid());
}

void TestWindow::init()
{
    m_window = std::make_unique<MainWindow>();
    QVERIFY(m_window->loadScenario(quietScenario(), u"test-quiet"_s));
    m_window->show();
    QVERIFY(QTest::qWaitForWindowExposed(m_window.get()));
    QTRY_VERIFY_WITH_TIMEOUT(!snap()->recent.empty(), kTimeoutMs);
}

void TestWindow::cleanup() { m_window.reset(); }

bool TestWindow::waitTicks(int ticks) const
{
    const quint64 target = snap()->seq + quint64(ticks);
    return QTest::qWaitFor([&] { return snap()->seq >= target; }, kTimeoutMs);
}

void TestWindow::nodeButtonsChangeEngineAndCanvas()
{
    TopologyView *canvas = m_window->topologyView();
    QTRY_COMPARE_WITH_TIMEOUT(countState(snap()->nodes, NodeState::Up), 4, kTimeoutMs);
    QTRY_COMPARE_WITH_TIMEOUT(countDrawn(canvas->drawnNodes(), NodeState::Up), 4, kTimeoutMs);

    QTest::mouseClick(button("addNodeButton"), Qt::LeftButton);
    QTRY_COMPARE_WITH_TIMEOUT(countState(snap()->nodes, NodeState::Up), 5, kTimeoutMs);
    QTRY_COMPARE_WITH_TIMEOUT(drawnState(canvas, 4), u"up"_s, kTimeoutMs);

    // Remove with nothing selected drains the newest node, which then leaves.
    QTest::mouseClick(button("removeNodeButton"), Qt::LeftButton);
    QTRY_COMPARE_WITH_TIMEOUT(countState(snap()->nodes, NodeState::Up), 4, kTimeoutMs);
    QTRY_VERIFY_WITH_TIMEOUT(drawnState(canvas, 4) != u"up"_s, kTimeoutMs);
    QCOMPARE(countDrawn(canvas->drawnNodes(), NodeState::Up), 4);

    // Kill with nothing selected kills the first node up.
    QTest::mouseClick(button("killNodeButton"), Qt::LeftButton);
    QTRY_COMPARE_WITH_TIMEOUT(engineState(*snap(), 0), u"dead"_s, kTimeoutMs);
    QTRY_COMPARE_WITH_TIMEOUT(drawnState(canvas, 0), u"dead"_s, kTimeoutMs);
    QCOMPARE(countState(snap()->nodes, NodeState::Up), 3);
    QTRY_COMPARE_WITH_TIMEOUT(countDrawn(canvas->drawnNodes(), NodeState::Up), 3, kTimeoutMs);
}

void TestWindow::clickedNodeIsTheTarget()
{
    TopologyView *canvas = m_window->topologyView();
    QTRY_COMPARE_WITH_TIMEOUT(drawnState(canvas, 2), u"up"_s, kTimeoutMs);
    QSignalSpy selected(canvas, &TopologyView::selectedNodeChanged);
    QRectF rect;
    for (const auto &n : canvas->drawnNodes())
        if (n.id == 2)
            rect = n.rect;
    QTest::mouseClick(canvas, Qt::LeftButton, {}, rect.center().toPoint());
    QCOMPARE(selected.count(), 1);
    QCOMPARE(selected.first().first().toInt(), 2);
    QCOMPARE(canvas->selectedNode(), 2);

    QTest::mouseClick(button("killNodeButton"), Qt::LeftButton);
    QTRY_COMPARE_WITH_TIMEOUT(engineState(*snap(), 2), u"dead"_s, kTimeoutMs);
    QTRY_COMPARE_WITH_TIMEOUT(drawnState(canvas, 2), u"dead"_s, kTimeoutMs);
    QCOMPARE(engineState(*snap(), 0), u"up"_s);
}

void TestWindow::removingTheLastNodeShowsTheError()
{
    QVERIFY(m_window->loadScenario(quietScenario(1), u"test-one-node"_s));
    QTRY_COMPARE_WITH_TIMEOUT(countState(snap()->nodes, NodeState::Up), 1, kTimeoutMs);
    QSignalSpy failed(m_window.get(), &MainWindow::errorShown);
    QTest::mouseClick(button("removeNodeButton"), Qt::LeftButton);
    QCOMPARE(failed.count(), 1);
    QVERIFY2(failed.first().first().toString().contains(u"last node"_s), qPrintable(failed.first().first().toString()));
    QCOMPARE(m_window->statusMessage(), failed.first().first().toString());
    QVERIFY(waitTicks(2));
    QCOMPARE(countState(snap()->nodes, NodeState::Up), 1);
}

void TestWindow::strategySelectorAndKeysDriveEngine()
{
    QComboBox *combo = m_window->strategyCombo();
    QCOMPARE(combo->currentText(), u"naive"_s);
    combo->setCurrentIndex(combo->findText(u"atomic"_s));
    QTRY_COMPARE_WITH_TIMEOUT(strategyOf(*snap()), u"atomic"_s, kTimeoutMs);

    m_window->activateWindow();
    QVERIFY(QTest::qWaitForWindowActive(m_window.get()));
    QTest::keyClick(m_window.get(), Qt::Key_4); // strategies are 1..5 in strategyNames() order
    QTRY_COMPARE_WITH_TIMEOUT(strategyOf(*snap()), u"sharded"_s, kTimeoutMs);
    QTRY_COMPARE_WITH_TIMEOUT(combo->currentText(), u"sharded"_s, kTimeoutMs);
    QVERIFY(m_window->actions()->strategies[3]->isChecked());
}

void TestWindow::rateSliderAndFieldDriveEngine()
{
    QSlider *slider = m_window->controlPanel()->rateSlider();
    const int position = ControlPanel::sliderPositionForRate(250);
    const double expected = ControlPanel::rateForSliderPosition(position);
    QVERIFY(std::abs(expected - 250) < 10);
    slider->setValue(position);
    QTRY_COMPARE_WITH_TIMEOUT(snap()->ratePerS, expected, kTimeoutMs);

    QLineEdit *field = m_window->controlPanel()->rateField();
    field->setFocus();
    field->selectAll();
    QTest::keyClicks(field, u"1234"_s);
    QTest::keyClick(field, Qt::Key_Return);
    QTRY_COMPARE_WITH_TIMEOUT(snap()->ratePerS, 1234.0, kTimeoutMs);
    QCOMPARE(slider->value(), ControlPanel::sliderPositionForRate(1234));

    // Ctrl+Up doubles (a shortcut, so the focus may stay in the field)
    m_window->activateWindow();
    QVERIFY(QTest::qWaitForWindowActive(m_window.get()));
    QTest::keyClick(m_window.get(), Qt::Key_Up, Qt::ControlModifier);
    QTRY_COMPARE_WITH_TIMEOUT(snap()->ratePerS, 2468.0, kTimeoutMs);
}

void TestWindow::badRateIsRefused_data()
{
    QTest::addColumn<QString>("text");
    QTest::newRow("word") << u"abc"_s;
    QTest::newRow("negative") << u"-1"_s;
    QTest::newRow("too high") << u"2e9"_s;
    QTest::newRow("zero") << u"0"_s;
    QTest::newRow("trailing garbage") << u"12x"_s;
    QTest::newRow("empty") << QString();
}

void TestWindow::badRateIsRefused()
{
    QFETCH(QString, text);
    const double before = snap()->ratePerS;
    QLineEdit *field = m_window->controlPanel()->rateField();
    QSignalSpy rejected(m_window->controlPanel(), &ControlPanel::inputRejected);
    QSignalSpy requested(m_window->controlPanel(), &ControlPanel::rateRequested);
    field->setFocus();
    field->clear();
    QTest::keyClicks(field, text);
    QTest::keyClick(field, Qt::Key_Return);
    QCOMPARE(rejected.count(), 1);
    QCOMPARE(requested.count(), 0);
    const QString message = m_window->statusMessage();
    QVERIFY2(message.startsWith(u"Rate:"_s) && message.contains(u"1 000 000"_s), qPrintable(message));
    QVERIFY(waitTicks(3));
    QCOMPARE(snap()->ratePerS, before);
}

void TestWindow::actionsLeaveMarkersOnEveryChart()
{
    QTest::mouseClick(button("spikeButton"), Qt::LeftButton);
    QTest::mouseClick(button("addNodeButton"), Qt::LeftButton);
    ChartsPanel *charts = m_window->chartsPanel();
    // both pages: the hidden one catches up when it is shown
    for (int page = 0; page < ChartsPanel::PageCount; ++page) {
        charts->setPage(page);
        for (LiveChart *chart : charts->charts()) {
            if (charts->pageOf(chart) != page)
                continue;
            QTRY_VERIFY_WITH_TIMEOUT(chart->visibleMarkerLabels().contains(u"spike ×10"_s), kTimeoutMs);
            QTRY_VERIFY_WITH_TIMEOUT(chart->visibleMarkerLabels().contains(u"+node 4"_s), kTimeoutMs);
        }
    }
    QTRY_COMPARE_WITH_TIMEOUT(snap()->spikeFactor, 10.0, kTimeoutMs);
}

void TestWindow::oversoldTurnsRed()
{
    // The lesson of the default preset: naive read-then-write oversells under contention.
    Scenario s = quietScenario();
    s.config.traffic.ratePerS = 5000;
    s.config.stock = 200;
    QVERIFY(m_window->loadScenario(s, u"test-oversell"_s));
    CountersPanel *counters = m_window->countersPanel();
    QTRY_VERIFY_WITH_TIMEOUT(counters->oversoldAlarm(), 15000);
    QVERIFY(snap()->recent.back().oversold > 0);
    const QColor red = m_window->theme().oversold;
    QCOMPARE(counters->valueLabel(CountersPanel::Oversold)->palette().color(QPalette::WindowText), red);
    QVERIFY(counters->valueLabel(CountersPanel::Oversold)->font().weight() >= QFont::Bold);
    QVERIFY(counters->valueLabel(CountersPanel::Oversold)->font().pointSizeF() >= 28);
    QTRY_VERIFY_WITH_TIMEOUT(m_window->chartsPanel()->chart(u"oversold"_s)->alarm(), kTimeoutMs);
}

void TestWindow::chartSeriesStayBounded()
{
    // A synthetic run far longer than the window, fed at one tick per frame; its snapshots even
    // carry more history than the engine would (700 ticks), so the bound is the charts' own.
    struct Fake {
        bool frozen = false;
        std::shared_ptr<const Snapshot> last;
        double t = 0;
        quint64 seq = 0;
        std::deque<TickSample> ticks;
        std::vector<Marker> markers;
    };
    auto fake = std::make_shared<Fake>();
    m_window->setSnapshotSource([fake] {
        if (fake->frozen)
            return fake->last;
        fake->t += kTickSeconds;
        TickSample x;
        x.t = fake->t;
        x.attempts = x.succeeded = 1000 + 500 * std::sin(fake->t);
        x.p50Ms = 1, x.p95Ms = 2, x.p99Ms = 3 + std::sin(fake->t);
        x.sold = std::int64_t(fake->t * 10);
        x.stockRemaining = 100000 - x.sold;
        x.utilisation = 0.5;
        x.views = 10000;
        x.viewHits = 9000 + 500 * std::sin(fake->t);
        x.viewMisses = x.views - x.viewHits;
        x.hitRatio = x.viewHits / x.views;
        x.storeReads = x.viewMisses;
        x.staleReads = 3;
        x.enqueued = x.succeeded;
        x.dequeued = 1000;
        x.queueBacklog = std::int64_t(200 + 100 * std::sin(fake->t));
        x.queueLagMs = 50;
        x.cacheStock = x.stockRemaining;
        x.divergence = -x.queueBacklog;
        x.duplicatesTotal = 0;
        fake->ticks.push_back(x);
        while (fake->ticks.size() > 700)
            fake->ticks.pop_front();
        if (std::fmod(fake->t + 1e-9, 7.0) < kTickSeconds)
            fake->markers.push_back({ fake->t, "spike ×10 for 5 s" });
        auto s = std::make_shared<Snapshot>();
        s->seq = ++fake->seq;
        s->t = fake->t;
        s->recent.assign(fake->ticks.begin(), fake->ticks.end());
        s->markers = fake->markers;
        s->nodes = { NodeView { 0, NodeState::Up, 64, 10, 0, 1000 } };
        fake->last = std::move(s);
        return fake->last;
    });
    const int frames = 1500; // 150 s of ticks
    for (int i = 0; i < frames; ++i)
        m_window->poll();
    // Charts refresh a few per frame; three more frames of the same snapshot bring all up to date.
    fake->frozen = true;
    for (int i = 0; i < 3; ++i)
        m_window->poll();

    ChartsPanel *charts = m_window->chartsPanel();
    charts->setPage(ChartsPanel::CacheQueuePage); // brings the hidden page up to date at once
    const int window = int(ChartsPanel::kWindowS / kTickSeconds);
    QVERIFY2(charts->maxSeriesPoints() <= window + 5, qPrintable(QString::number(charts->maxSeriesPoints())));
    QVERIFY(charts->maxSeriesPoints() >= window - 5);
    for (LiveChart *chart : charts->charts()) {
        QCOMPARE(chart->timeAxis()->max(), fake->t);
        QVERIFY(std::abs(chart->timeAxis()->max() - chart->timeAxis()->min() - ChartsPanel::kWindowS) < 1e-9);
        const QStringList labels = chart->visibleMarkerLabels();
        QVERIFY(!labels.isEmpty());
        QVERIFY(labels.size() <= MarkerOverlay::kPoolSize);
        for (int i = 0; i < chart->seriesCount(); ++i) {
            const QList<QPointF> points = chart->series(i)->points();
            QVERIFY2(points.size() >= window - 5 && points.size() <= window + 5,
                qPrintable(chart->key() + u": "_s + QString::number(points.size())));
            QVERIFY(points.first().x() >= fake->t - ChartsPanel::kWindowS - 1e-9);
        }
    }
}

void TestWindow::exportsWriteFilesOfTheirKind()
{
    QTRY_VERIFY_WITH_TIMEOUT(snap()->recent.size() >= 5, kTimeoutMs);
    QTRY_VERIFY_WITH_TIMEOUT(m_window->chartsPanel()->maxSeriesPoints() >= 5, kTimeoutMs);
    const QByteArray pngMagic("\x89PNG\r\n\x1a\n");

    for (const double dpr : { 1.0, 2.0 }) {
        const QString path = m_dir.filePath(u"window-%1x.png"_s.arg(dpr));
        QString error;
        QVERIFY2(m_window->exportScreenshot(path, dpr, &error), qPrintable(error));
        QVERIFY(readFile(path).startsWith(pngMagic));
        const QImage image(path);
        QCOMPARE(image.size(), m_window->size() * dpr);
        QVERIFY2(distinctColours(image) > 64, qPrintable(QString::number(distinctColours(image))));
    }

    const QString svg = m_dir.filePath(u"chart.svg"_s);
    QString error;
    QVERIFY2(m_window->exportChart(0, svg, &error), qPrintable(error));
    const QByteArray svgData = readFile(svg);
    QVERIFY(svgData.size() > 1000);
    QXmlStreamReader xml(svgData);
    while (!xml.atEnd() && !xml.isStartElement())
        xml.readNext();
    QCOMPARE(xml.name().toString(), u"svg"_s);
    QVERIFY(svgData.contains("<path") || svgData.contains("<polyline"));

    const QString chartPng = m_dir.filePath(u"chart.png"_s);
    QVERIFY2(m_window->exportChart(1, chartPng, &error), qPrintable(error));
    QVERIFY(readFile(chartPng).startsWith(pngMagic));
    QVERIFY(distinctColours(QImage(chartPng)) > 16);

    const QString csv = m_dir.filePath(u"timeline.csv"_s);
    QVERIFY2(m_window->exportTimelineCsv(csv, &error), qPrintable(error));
    const QList<QByteArray> lines = readFile(csv).trimmed().split('\n');
    QVERIFY(lines.size() >= 6);
    QVERIFY2(lines.first().startsWith("t_s,offered_per_s,"), lines.first().constData());
    QVERIFY(lines.first().contains("_ms,") && lines.first().contains("_units,"));

    // default names carry the scenario and a timestamp
    const QString name = m_window->defaultExportPath(QString(), u"png"_s);
    QVERIFY2(
        QRegularExpression(u"stampede-test-quiet-\\d{8}-\\d{6}\\.png$"_s).match(name).hasMatch(), qPrintable(name));
}

void TestWindow::exportToUnwritablePathFails()
{
    const QString path = m_dir.filePath(u"no-such-dir/window.png"_s);
    QSignalSpy failed(m_window.get(), &MainWindow::errorShown);
    QString error;
    QVERIFY(!m_window->exportScreenshot(path, 1.0, &error));
    QVERIFY2(error.contains(u"no-such-dir"_s), qPrintable(error));
    QCOMPARE(failed.count(), 1);
    QVERIFY(!m_window->exportChart(0, m_dir.filePath(u"chart.gif"_s), &error));
    QVERIFY2(error.contains(u".svg or .png"_s), qPrintable(error));
    QVERIFY(!QFile::exists(path));
}

void TestWindow::projectorModeScalesUp()
{
    QLabel *attempts = m_window->countersPanel()->valueLabel(CountersPanel::Attempts);
    LiveChart *chart = m_window->chartsPanel()->chart(u"throughput"_s);
    const double counterPt = attempts->font().pointSizeF();
    const double basePt = m_window->font().pointSizeF();
    const double lineW = chart->series(0)->pen().widthF();
    const double axisPt = chart->timeAxis()->labelsFont().pointSizeF();
    QVERIFY(counterPt >= 28);
    QVERIFY(lineW >= 2.5);

    m_window->activateWindow();
    QVERIFY(QTest::qWaitForWindowActive(m_window.get()));
    QTest::keyClick(m_window.get(), Qt::Key_F5);
    QVERIFY(m_window->projectorMode());
    QVERIFY(attempts->font().pointSizeF() >= 1.6 * counterPt);
    QVERIFY(m_window->font().pointSizeF() >= 1.6 * basePt);
    QVERIFY(chart->series(0)->pen().widthF() >= 1.6 * lineW);
    QVERIFY(chart->timeAxis()->labelsFont().pointSizeF() >= 1.6 * axisPt);

    m_window->setDarkTheme(true);
    QVERIFY(QApplication::palette().color(QPalette::Window).lightness() < 40);
    QVERIFY(QApplication::palette().color(QPalette::WindowText).lightness() > 220);
    m_window->setDarkTheme(false);
    m_window->setProjectorMode(false);
    QCOMPARE(attempts->font().pointSizeF(), counterPt);
}

void TestWindow::everyActionHasAKeyAndAWidget()
{
    ActionSet *actions = m_window->actions();
    ShortcutsDialog dialog(*actions);
    int total = 0;
    QSet<QString> keys;
    for (const auto &[menu, list] : actions->byMenu()) {
        for (QAction *a : list) {
            ++total;
            QVERIFY2(!a->shortcuts().isEmpty(), qPrintable(a->text()));
            for (const QKeySequence &k : a->shortcuts()) {
                QVERIFY2(!keys.contains(k.toString()), qPrintable(u"duplicate key "_s + k.toString()));
                keys.insert(k.toString());
            }
            // a widget besides the menu: a panel button, a toolbar button, or a combo box
            const bool combo = menu == u"Lessons"_s || a->actionGroup() == actions->strategyGroup;
            bool widget = combo;
            for (QObject *o : a->associatedObjects())
                widget = widget || qobject_cast<QToolButton *>(o) || qobject_cast<QToolBar *>(o);
            const bool menuOnly = menu == u"File"_s || menu == u"View"_s || menu == u"Help"_s;
            QVERIFY2(widget || menuOnly, qPrintable(a->text()));
        }
    }
    QCOMPARE(dialog.table()->rowCount(), total);
    QVERIFY(total >= 40);
}

void TestWindow::lessonReplacesEngine()
{
    const Engine *before = engine();
    ActionSet *actions = m_window->actions();
    QVERIFY(actions->lessons.size() >= 2);
    QAction *lesson = actions->lessons.at(1);
    lesson->trigger();
    QCOMPARE(m_window->scenarioName(), lesson->data().toString());
    QVERIFY(engine() != before);
    QCOMPARE(m_window->presetCombo()->currentData().toString(), lesson->data().toString());
    QVERIFY(lesson->isChecked());
    QTRY_VERIFY_WITH_TIMEOUT(snap()->running && !snap()->recent.empty(), kTimeoutMs);
}

void TestWindow::runWindowTakesScreenshot()
{
    m_window.reset();
    WindowOptions options;
    options.screenshotFile = m_dir.filePath(u"run-window.png"_s);
    options.afterSeconds = 1.0;
    options.rate = 800;
    auto &app = static_cast<QApplication &>(*QCoreApplication::instance());
    QCOMPARE(runWindow(app, options), 0);
    QVERIFY(readFile(options.screenshotFile).startsWith("\x89PNG"));
    QVERIFY(distinctColours(QImage(options.screenshotFile)) > 64);
}

void TestWindow::runWindowRejectsUnwritableScreenshot()
{
    m_window.reset();
    WindowOptions options;
    options.screenshotFile = m_dir.filePath(u"no-such-dir/shot.png"_s);
    options.afterSeconds = 0;
    auto &app = static_cast<QApplication &>(*QCoreApplication::instance());
    QCOMPARE(runWindow(app, options), 2);
}

int main(int argc, char **argv)
{
    // The same environment as ctest gives, when the binary is run by hand.
    if (qEnvironmentVariableIsEmpty("QT_QPA_PLATFORM"))
        qputenv("QT_QPA_PLATFORM", "offscreen");
    if (qEnvironmentVariableIsEmpty("QT_FONT_DPI"))
        qputenv("QT_FONT_DPI", "96");
    qputenv("QT_ENABLE_HIGHDPI_SCALING", "0");
    QApplication app(argc, argv);
    QApplication::setOrganizationName(u"stampede-tests"_s);
    QApplication::setApplicationName(u"tst_window"_s);
    TestWindow test;
    QTEST_SET_MAIN_SOURCE_PATH
    return QTest::qExec(&test, argc, argv);
}

#include "tst_window.moc"
