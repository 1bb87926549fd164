// The window's scale up vs scale out (issue 14): the Scaling sweep dialog runs a sweep live
// (points appear as each finishes, the USL fit and N_max are drawn, Esc cancels without the GUI
// thread waiting), and the scale-up key replaces a node by one of twice the cores.
// Offscreen platform, fixed DPI; no sleeps, only QTRY_* / QSignalSpy::wait with timeouts.

#include "actionset.h"
#include "mainwindow.h"
#include "scalingdialog.h"
#include "sweeprunner.h"

#include "scenario.h"

#include <QAction>
#include <QApplication>
#include <QElapsedTimer>
#include <QLabel>
#include <QLineSeries>
#include <QPushButton>
#include <QScatterSeries>
#include <QSignalSpy>
#include <QStandardPaths>
#include <QTableWidget>
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

SweepSpec shortSweep(std::vector<double> nodes, double seconds)
{
    SweepSpec s;
    s.axes = { SweepAxis { u"nodes"_s, std::move(nodes) } };
    s.seconds = seconds;
    s.warmupS = 0.2;
    return s;
}

} // namespace

class TestScaling : public QObject {
    Q_OBJECT
private slots:
    void initTestCase();
    void init();
    void cleanup();
    void theKeyOpensTheDialogOnTheScenariosSweep();
    void pointsAppearAndTheFitIsDrawn();
    void escCancelsWithoutWaiting();
    void scaleUpKeyDoublesTheCores();

private:
    std::unique_ptr<MainWindow> m_window;
};

void TestScaling::initTestCase()
{
    QStandardPaths::setTestModeEnabled(true);
    QCoreApplication::setApplicationName(u"tst_scaling"_s);
}

void TestScaling::init()
{
    m_window = std::make_unique<MainWindow>();
    QVERIFY(m_window->loadScenario(preset(u"coordination-cost"_s), u"coordination-cost"_s));
    m_window->resize(1366, 768);
    m_window->show();
    QVERIFY(QTest::qWaitForWindowExposed(m_window.get()));
}

void TestScaling::cleanup() { m_window.reset(); }

// Ctrl+U (Run ▸ Scaling sweep) opens the dialog with the preset's own sweep.
void TestScaling::theKeyOpensTheDialogOnTheScenariosSweep()
{
    QAction *a = m_window->actions()->scalingSweep;
    QCOMPARE(a->shortcut(), QKeySequence(u"Ctrl+U"_s));
    a->trigger();
    auto *d = m_window->findChild<ScalingDialog *>();
    QVERIFY(d);
    QVERIFY(d->isVisible());
    QCOMPARE(d->spec().axes.size(), std::size_t(1));
    QCOMPARE(d->spec().axes.front().key, u"nodes"_s);
    QCOMPARE(d->spec().axes.front().values, (std::vector<double> { 1, 2, 4, 8, 16, 32 }));
    QVERIFY(!d->running());
    // a scenario without a sweep gets nodes 1, 2, 4, 8, 16 at full load
    const SweepSpec fallback = ScalingDialog::defaultSpec(preset(u"black-friday-naive"_s));
    QCOMPARE(fallback.axes.front().values, (std::vector<double> { 1, 2, 4, 8, 16 }));
    QVERIFY(fallback.maxLoad);
}

// Each finished point adds a table row and a chart point; from the third on the USL curve and
// its N_max are drawn, and the fit label says sigma and kappa.
void TestScaling::pointsAppearAndTheFitIsDrawn()
{
    m_window->actions()->scalingSweep->trigger();
    auto *d = m_window->findChild<ScalingDialog *>();
    QVERIFY(d);
    d->setSpec(shortSweep({ 1, 4, 16, 32 }, 0.6));
    QSignalSpy points(d->runner(), &SweepRunner::pointFinished);
    QSignalSpy done(d->runner(), &SweepRunner::finished);
    QTest::mouseClick(d->startButton(), Qt::LeftButton);
    QVERIFY(d->running());
    QVERIFY(!d->startButton()->isEnabled());
    QVERIFY(points.wait(kTimeoutMs));
    QCOMPARE(d->table()->rowCount(), 1);
    QCOMPARE(d->measuredSeries()->count(), 1);
    QCOMPARE(d->fitSeries()->count(), 0); // one point: no fit yet
    QVERIFY(done.wait(kTimeoutMs));
    QCOMPARE(done.first().first().toBool(), false);
    QCOMPARE(points.count(), 4);
    QCOMPARE(d->table()->rowCount(), 4);
    QCOMPARE(d->measuredSeries()->count(), 4);
    QVERIFY(d->fitSeries()->count() > 10);
    QCOMPARE(d->peakSeries()->count(), 2); // the exchange peaks: N_max is drawn
    QVERIFY2(d->fitLabel()->text().contains(u"N_max"_s), qPrintable(d->fitLabel()->text()));
    // The measured curve rises, then falls (16 beats 4 and 32), as the headless sweep shows.
    const auto x = [&](int row) { return d->table()->item(row, 1)->text().toDouble(); };
    QVERIFY2(x(2) > x(1) && x(2) > x(3), qPrintable(u"%1 %2 %3 %4"_s.arg(x(0)).arg(x(1)).arg(x(2)).arg(x(3))));
    QVERIFY(d->startButton()->isEnabled());
    // To look at it by eye: STAMPEDE_SCALING_PNG=/tmp/scaling.png build/dev/tests/tst_scaling
    if (const QString png = qEnvironmentVariable("STAMPEDE_SCALING_PNG"); !png.isEmpty())
        QVERIFY(d->grab().save(png));
}

// Esc while a point runs cancels: the event loop keeps running (no frame takes long), finished
// comes with cancelled = true, and the points measured so far stay.
void TestScaling::escCancelsWithoutWaiting()
{
    m_window->actions()->scalingSweep->trigger();
    auto *d = m_window->findChild<ScalingDialog *>();
    QVERIFY(d);
    d->setSpec(shortSweep({ 1, 2, 4, 8 }, 3));
    QSignalSpy progress(d->runner(), &SweepRunner::progress);
    QSignalSpy done(d->runner(), &SweepRunner::finished);
    d->startSweep();
    QVERIFY(progress.wait(kTimeoutMs)); // the first point runs
    QElapsedTimer t;
    t.start();
    QTest::keyClick(d, Qt::Key_Escape);
    // A frame of the GUI thread stays short: the press returned at once.
    QVERIFY2(t.elapsed() < 200, qPrintable(QString::number(t.elapsed())));
    QVERIFY(d->isVisible()); // Esc cancelled; it did not close the dialog
    QVERIFY(done.wait(kTimeoutMs));
    QCOMPARE(done.first().first().toBool(), true);
    QVERIFY(d->table()->rowCount() < 4);
    QVERIFY(d->statusLabel()->text().startsWith(u"Cancelled"_s));
    QTest::keyClick(d, Qt::Key_Escape); // not running: closes
    QVERIFY(!d->isVisible());
}

// Shift+A replaces node 0 (1 core) by a node of 2 cores; node 0 drains and goes.
void TestScaling::scaleUpKeyDoublesTheCores()
{
    QAction *a = m_window->actions()->scaleUpNode;
    QCOMPARE(a->shortcut(), QKeySequence(u"Shift+A"_s));
    QTRY_VERIFY_WITH_TIMEOUT(m_window->engine()->snapshot()->app, kTimeoutMs);
    a->trigger();
    const auto scaledUp = [&] {
        const auto s = m_window->engine()->snapshot();
        bool doubled = false, oldGone = true;
        for (const auto &n : s->app->nodes) {
            doubled = doubled || (n.state == NodeState::Up && n.capacity == 2);
            oldGone = oldGone && n.id != 0;
        }
        return doubled && oldGone;
    };
    QTRY_VERIFY_WITH_TIMEOUT(scaledUp(), kTimeoutMs);
}

// ctest pins the platform and DPI (QT_QPA_PLATFORM=offscreen, QT_FONT_DPI=96, no scaling).
QTEST_MAIN(TestScaling)
#include "tst_scaling.moc"
