// The run's time line (core/timeline.h): scenario events come due in time order (ties keep the
// file's order) and each once; markers and history stay bounded, dropping the oldest; recent()
// returns the last samples and the markers within their span.

#include "timeline.h"

#include <QTest>

#include <vector>

using namespace stampede;

namespace {

TimedEvent timedEvent(double at, int tag)
{
    TimedEvent e;
    e.atS = at;
    e.kind = EventKind::AddNodes;
    e.count = tag; // tells events apart
    return e;
}

// The tags of the events due at t, in the order nextDue() hands them out.
std::vector<int> dueAt(Timeline &tl, double t)
{
    std::vector<int> tags;
    while (const TimedEvent *e = tl.nextDue(t))
        tags.push_back(e->count);
    return tags;
}

TickSample sample(double t)
{
    TickSample x;
    x.t = t;
    return x;
}

} // namespace

class TestTimeline : public QObject {
    Q_OBJECT

private slots:
    void eventsComeDueInTimeOrder();
    void markersAreBounded();
    void historyIsBounded();
    void recentWindow();
    void clearing();
};

void TestTimeline::eventsComeDueInTimeOrder()
{
    Timeline tl;
    tl.setEvents(
        { timedEvent(2.0, 1), timedEvent(1.0, 2), timedEvent(1.0, 3), timedEvent(0.0, 4), timedEvent(1.0, 5) });
    QVERIFY(dueAt(tl, -1).empty());
    QCOMPARE(dueAt(tl, 0.5), std::vector<int> { 4 });
    QVERIFY2(dueAt(tl, 0.5).empty(), "each event is handed out once");
    QCOMPARE(dueAt(tl, 1.0), (std::vector<int> { 2, 3, 5 })); // ties keep the file's order
    QCOMPARE(dueAt(tl, 100), std::vector<int> { 1 });
    tl.rewind();
    QCOMPARE(dueAt(tl, 100), (std::vector<int> { 4, 2, 3, 5, 1 }));
    tl.setEvents({});
    QVERIFY(dueAt(tl, 100).empty());
}

void TestTimeline::markersAreBounded()
{
    Timeline tl;
    const int extra = 50;
    for (int i = 0; i < static_cast<int>(kMaxMarkers) + extra; ++i)
        tl.mark(i * 0.01, "m" + std::to_string(i));
    const auto m = tl.markers();
    QCOMPARE(m.size(), kMaxMarkers);
    QCOMPARE(QString::fromStdString(m.front().label), QStringLiteral("m%1").arg(extra)); // the oldest went
    QCOMPARE(QString::fromStdString(m.back().label), QStringLiteral("m%1").arg(kMaxMarkers + extra - 1));
}

void TestTimeline::historyIsBounded()
{
    Timeline tl;
    const int extra = 10;
    for (int i = 0; i < static_cast<int>(kHistoryTicks) + extra; ++i)
        tl.push(sample(i * kTickSeconds));
    const auto h = tl.history();
    QCOMPARE(h.size(), kHistoryTicks);
    QCOMPARE(h.front().t, extra * kTickSeconds);
    QCOMPARE(h.back().t, (kHistoryTicks + extra - 1) * kTickSeconds);
}

void TestTimeline::recentWindow()
{
    Timeline tl;
    std::vector<TickSample> samples;
    std::vector<Marker> markers;
    tl.mark(0.0, "start");
    tl.recent(10, &samples, &markers);
    QVERIFY(samples.empty());
    QCOMPARE(markers.size(), std::size_t(1)); // no history: every marker

    for (int i = 1; i <= 100; ++i)
        tl.push(sample(i * 0.1));
    tl.mark(1.0, "early");
    tl.mark(9.05, "inside"); // the window's first tick covers (9.0, 9.1]
    tl.mark(10.0, "last");
    samples.clear();
    markers.clear();
    tl.recent(10, &samples, &markers);
    QCOMPARE(samples.size(), std::size_t(10));
    QCOMPARE(samples.front().t, 9.1);
    QCOMPARE(samples.back().t, 10.0);
    std::vector<std::string> labels;
    for (const auto &m : markers)
        labels.push_back(m.label);
    QVERIFY2((labels == std::vector<std::string> { "inside", "last" }), "only markers within the window's span");

    samples.clear();
    markers.clear();
    tl.recent(1000, &samples, &markers); // more than there is: all of it
    QCOMPARE(samples.size(), std::size_t(100));
    QCOMPARE(markers.size(), std::size_t(4));
}

void TestTimeline::clearing()
{
    Timeline tl;
    tl.push(sample(0.1));
    tl.mark(0.1, "a");
    tl.clearMarkers();
    QVERIFY(tl.markers().empty());
    QCOMPARE(tl.history().size(), std::size_t(1));
    tl.mark(0.2, "b");
    tl.clear();
    QVERIFY(tl.markers().empty());
    QVERIFY(tl.history().empty());
}

QTEST_GUILESS_MAIN(TestTimeline)
#include "tst_timeline.moc"
