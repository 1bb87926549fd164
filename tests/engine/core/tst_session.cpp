// A run records every command it takes (Engine::appliedEvents), so a workshop saved as a
// scenario replays exactly: the replay's record equals the recording, event for event and time
// for time. Also Engine::schedule, which a lesson step's later actions go through.

#include "engine.h"
#include "enginewait.h"

#include <QTest>

using namespace stampede;
using namespace stampede::test;

namespace {

EngineConfig sessionConfig()
{
    EngineConfig c;
    c.name = "session";
    c.threads = 2;
    c.seed = 7;
    c.stock = 100000;
    c.traffic.ratePerS = 500;
    c.nodes.count = 3;
    return c;
}

// The fields a command carries, compared as a whole.
bool sameCommand(const TimedEvent &a, const TimedEvent &b)
{
    return a.kind == b.kind && a.factor == b.factor && a.forS == b.forS && a.rate == b.rate && a.ratio == b.ratio
        && a.cores == b.cores && a.speed == b.speed && a.price == b.price && a.count == b.count && a.node == b.node
        && a.strategy == b.strategy && a.units == b.units && a.on == b.on;
}

QString describe(const std::vector<TimedEvent> &events)
{
    QStringList out;
    for (const auto &e : events)
        out << QStringLiteral("%1@%2").arg(static_cast<int>(e.kind)).arg(e.atS, 0, 'f', 3);
    return out.join(QStringLiteral(", "));
}

} // namespace

class TestSession : public QObject {
    Q_OBJECT

private slots:
    void liveCommandsAreRecordedInOrderWithTheirRunTimes();
    void aRecordingReplaysToTheSameEvents();
    void resetStartsANewRecording();
    void scheduleFiresAtItsRunTime();
};

void TestSession::liveCommandsAreRecordedInOrderWithTheirRunTimes()
{
    Engine e(sessionConfig());
    e.start();
    QVERIFY(waitForRunTime(e, 0.3, 20));
    QVERIFY(e.addNodes(1).ok);
    QVERIFY(e.setPaused(true).ok); // pauses stop the clock: not part of the record
    QVERIFY(afterTicks(e, 2, 20));
    QVERIFY(e.setPaused(false).ok);
    QVERIFY(e.spike(2, 0.5).ok);
    QVERIFY(waitForRunTime(e, e.snapshot()->t + 0.3, 20));
    QVERIFY(e.switchStrategy(Strategy::Atomic).ok);
    QVERIFY(!e.removeNode(999).ok); // refused: not recorded
    QVERIFY(e.setRate(800).ok);
    const auto applied = e.appliedEvents();
    e.stopAndDrain();

    QCOMPARE(applied.size(), std::size_t(4));
    QCOMPARE(applied[0].kind, EventKind::AddNodes);
    QCOMPARE(applied[1].kind, EventKind::Spike);
    QCOMPARE(applied[1].factor, 2.0);
    QCOMPARE(applied[2].kind, EventKind::SwitchStrategy);
    QVERIFY(applied[2].strategy == Strategy::Atomic);
    QCOMPARE(applied[3].kind, EventKind::SetRate);
    QCOMPARE(applied[3].rate, 800.0);
    QVERIFY2(applied[0].atS >= 0.3, qPrintable(describe(applied)));
    for (std::size_t i = 1; i < applied.size(); ++i)
        QVERIFY2(applied[i].atS >= applied[i - 1].atS, qPrintable(describe(applied)));
    // the spike came at least 0.3 s of run time before the switch
    QVERIFY2(applied[2].atS - applied[1].atS >= 0.3 - 1e-9, qPrintable(describe(applied)));
}

void TestSession::aRecordingReplaysToTheSameEvents()
{
    std::vector<TimedEvent> recording;
    {
        Engine e(sessionConfig());
        e.start();
        QVERIFY(waitForRunTime(e, 0.2, 20));
        QVERIFY(e.spike(3, 0.4).ok);
        QVERIFY(waitForRunTime(e, e.snapshot()->t + 0.25, 20));
        QVERIFY(e.addNodes(2).ok);
        QVERIFY(e.killNode(0).ok);
        QVERIFY(waitForRunTime(e, e.snapshot()->t + 0.25, 20));
        QVERIFY(e.switchStrategy(Strategy::RowLock).ok);
        QVERIFY(e.restock(500).ok);
        recording = e.appliedEvents();
        e.stopAndDrain();
    }
    QCOMPARE(recording.size(), std::size_t(5));

    // The saved session: the same settings, the recording as its timeline.
    Engine replay(sessionConfig());
    replay.setTimeline(recording);
    replay.start();
    QVERIFY(waitFor(
        replay, [&](const Snapshot &) { return replay.appliedEvents().size() >= recording.size(); }, 30));
    const auto again = replay.appliedEvents();
    replay.stopAndDrain();

    QCOMPARE(again.size(), recording.size());
    for (std::size_t i = 0; i < again.size(); ++i) {
        QVERIFY2(sameCommand(again[i], recording[i]),
            qPrintable(describe(again) + QStringLiteral(" vs ") + describe(recording)));
        // timeline events are recorded at their scheduled time: exactly the recording's
        QCOMPARE(again[i].atS, recording[i].atS);
    }
}

void TestSession::resetStartsANewRecording()
{
    Engine e(sessionConfig());
    e.start();
    QVERIFY(e.addNodes(1).ok);
    QCOMPARE(e.appliedEvents().size(), std::size_t(1));
    QVERIFY(e.reset().ok);
    QVERIFY(waitFor(
        e, [&](const Snapshot &) { return e.appliedEvents().empty(); }, 20));
    QVERIFY(e.setRate(700).ok);
    const auto applied = e.appliedEvents();
    e.stopAndDrain();
    QCOMPARE(applied.size(), std::size_t(1));
    QCOMPARE(applied[0].kind, EventKind::SetRate);
}

void TestSession::scheduleFiresAtItsRunTime()
{
    Engine e(sessionConfig());
    e.start();
    TimedEvent bad;
    bad.atS = -1;
    bad.kind = EventKind::AddNodes;
    QVERIFY(!e.schedule(bad).ok);

    const double at = e.snapshot()->t + 0.5;
    TimedEvent add;
    add.atS = at;
    add.kind = EventKind::AddNodes;
    add.count = 2;
    QVERIFY(e.schedule(add).ok);
    QVERIFY(e.appliedEvents().empty()); // not yet due
    const auto s = waitFor(
        e, [](const Snapshot &x) { return x.app && x.app->nodes.size() == 5; }, 20);
    QVERIFY(s);
    QVERIFY2(s->t >= at, qPrintable(QString::number(s->t)));
    const auto applied = e.appliedEvents();
    e.stopAndDrain();
    QCOMPARE(applied.size(), std::size_t(1));
    QCOMPARE(applied[0].atS, at);
    QCOMPARE(applied[0].count, 2);
}

QTEST_GUILESS_MAIN(TestSession)
#include "tst_session.moc"
