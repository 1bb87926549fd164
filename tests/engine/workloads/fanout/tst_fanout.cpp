// The celebrity fan-out workload (workloads/fanout/fanout.h), driven through the runtime: push
// delivery time against F·t/W, exactly-once delivery with idempotent writes across a worker
// kill (and duplicates without), pull reads that never miss a post, and the read cost of each
// mode. Figures are ratios to the model with stated tolerances; waits are bounded polls.

#include "fanout.h"
#include "testruntime.h"

#include <QTest>

#include <algorithm>
#include <cmath>

using namespace stampede;
using test::underControl;
using namespace Qt::StringLiterals;

Q_DECLARE_METATYPE(stampede::FanoutMode)

namespace {

using Rig = test::Rig<Fanout>;

FanoutConfig fanoutConfig(std::uint32_t users, std::uint32_t celebrityFollowers)
{
    FanoutConfig c;
    c.users = users;
    c.followsPerUser = 5;
    c.celebrities = { celebrityFollowers };
    c.postShare = 0;
    c.celebrityReaders = 1;
    c.ackMs = 0;
    return c;
}

Rig makeFanout(const FanoutConfig &fc, double readsPerS, int threads = 2)
{
    EngineConfig c = test::quietConfig(threads);
    c.traffic.ratePerS = readsPerS;
    return test::makeRig<Fanout>(c, [&](Runtime &rt) { return std::make_unique<Fanout>(rt, fc); });
}

Fanout::Visibility visibility(Rig &rig, int slot)
{
    return underControl(*rig.rt, [&] { return rig->visibility(slot); });
}

Fanout::Totals totals(Rig &rig)
{
    return underControl(*rig.rt, [&] { return rig->totals(); });
}

bool readsReach(Rig &rig, std::uint64_t n)
{
    return test::eventually([&] { return totals(rig).reads >= n; });
}

bool drained(Rig &rig)
{
    return test::eventually([&] { return totals(rig).backlog == 0; });
}

bool allDelivered(Rig &rig, int slot)
{
    return test::eventually([&] {
        const auto v = visibility(rig, slot);
        return v.active && v.delivered >= v.followers;
    });
}

int post(Rig &rig)
{
    int slot = -1;
    const auto r = underControl(*rig.rt, [&] { return rig->celebrityPost(0, &slot); });
    if (!r.ok)
        qFatal("celebrity post refused: %s", r.error.c_str());
    return slot;
}

} // namespace

class TestFanout : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void pushTakesFollowersTimesWriteOverWorkers_data();
    void pushTakesFollowersTimesWriteOverWorkers();
    void aKilledWorkersBatchIsDeliveredAgain_data();
    void aKilledWorkersBatchIsDeliveredAgain();
    void readsMissOnlyWhatIsNotYetDelivered_data();
    void readsMissOnlyWhatIsNotYetDelivered();
    void readCostFollowsTheMode_data();
    void readCostFollowsTheMode();
    void theQueueIsBoundedAndHandsOutBatchesInOrder();
    void snapshotsCarryTheFanoutSection();
    void engineRunsTheFanoutWorkload();
    void memoryPerUserAtAMillion();
    void badConfigNamesTheKey();
    void aRemovedWorkerFinishesItsBatch();
    void aKilledWorkerLeavesTheWritesItFinished();
    void aKilledShardLosesItsInboxesUntilRebuilt();
    void addedShardsSpreadTheInboxes();
    void entriesHeldMatchTheInboxes();
    void aPulledPostIsVisibleAtOnce();
    void commandsArriveAsEvents();
};

void TestFanout::pushTakesFollowersTimesWriteOverWorkers_data()
{
    QTest::addColumn<int>("workers");
    QTest::newRow("1 worker") << 1;
    QTest::newRow("4 workers") << 4;
    QTest::newRow("8 workers") << 8;
}

// W workers writing F inboxes at t each, shards not saturated: the last follower has the post
// after F·t/W, the median one after half of that (each worker's writes are one after another).
// One engine thread: workers on two threads take batches in the order the threads get to them,
// so on a loaded machine the thread that lags takes fewer and the others finish late (CI saw
// 5-10 % under TSan). On one thread every claim comes in modeled-time order, however late.
void TestFanout::pushTakesFollowersTimesWriteOverWorkers()
{
    QFETCH(int, workers);
    constexpr std::uint32_t kFollowers = 40'000;
    auto fc = fanoutConfig(100'000, kFollowers);
    fc.workers = workers;
    fc.writeMs = 0.02;
    fc.inboxShards = 64; // 8 workers keep a shard ~1/8 busy: never the bottleneck
    auto rig = makeFanout(fc, 1, 1);
    rig.rt->start();
    const int slot = post(rig);
    QVERIFY2(allDelivered(rig, slot), "every follower got the post");
    const auto v = visibility(rig, slot);
    const double model = kFollowers * fc.writeMs / workers;
    QCOMPARE(v.delivered, std::uint64_t(kFollowers));
    // 5 % in a normal build. Under ThreadSanitizer (many times slower) the push still drifts late
    // by up to ~9 % even on one thread (CI: 54.3 ms against 50): each batch starts when the
    // worker's timer fired, and the timers' lateness adds up (see Fanout's Stage::Acked); there
    // the model is held to 15 % and the run's point is the absence of races.
#if defined(__SANITIZE_THREAD__)
    constexpr double kTolerance = 0.15;
#else
    constexpr double kTolerance = 0.05;
#endif
    qInfo("last delivery %.2f ms, median %.2f ms; model %.2f and %.2f ms", v.maxMs, v.p50Ms, model, model / 2);
    QVERIFY2(std::abs(v.maxMs / model - 1) <= kTolerance,
        qPrintable(QStringLiteral("last delivery after %1 ms, model %2 ms").arg(v.maxMs).arg(model)));
    QVERIFY2(std::abs(v.p50Ms / (model / 2) - 1) <= kTolerance,
        qPrintable(QStringLiteral("median delivery after %1 ms, model %2 ms").arg(v.p50Ms).arg(model / 2)));
    const auto t = totals(rig);
    QCOMPARE(t.writes, std::uint64_t(kFollowers));
    QCOMPARE(t.duplicates, std::uint64_t(0));
    QVERIFY(drained(rig));
}

void TestFanout::aKilledWorkersBatchIsDeliveredAgain_data()
{
    QTest::addColumn<bool>("idempotent");
    QTest::newRow("idempotent writes") << true;
    QTest::newRow("plain writes") << false;
}

// Each batch is acknowledged 20 ms after its writes, so a worker killed mid-push almost always
// holds a batch it wrote: that batch is delivered again. Idempotent writes keep one copy per
// inbox; plain ones leave a second copy in every inbox of the batch.
void TestFanout::aKilledWorkersBatchIsDeliveredAgain()
{
    QFETCH(bool, idempotent);
    constexpr std::uint32_t kFollowers = 6'000;
    auto fc = fanoutConfig(20'000, kFollowers);
    fc.workers = 2;
    fc.writeMs = 0.01;
    fc.ackMs = 20;
    fc.batch = 64;
    fc.idempotent = idempotent;
    auto rig = makeFanout(fc, 1);
    rig.rt->start();
    const int slot = post(rig);
    QVERIFY(test::eventually([&] { return visibility(rig, slot).delivered >= kFollowers / 4; }));
    const auto killed = underControl(*rig.rt, [&] { return rig->killWorker(); });
    QVERIFY2(killed.ok, killed.error.c_str());
    QCOMPARE(underControl(*rig.rt, [&] { return rig->workersUp(); }), 1);
    QVERIFY2(allDelivered(rig, slot), "the surviving worker finishes the push");
    QVERIFY(drained(rig));
    const auto t = totals(rig);
    QVERIFY2(t.redelivered >= 1, "the killed worker's batch came back");
    // Every follower holds the post: once with idempotent writes, and the batch's twice without.
    std::uint64_t twice = 0;
    std::vector<PostId> inbox;
    const PostId id = visibility(rig, slot).post;
    const FollowerGraph &g = rig->graph();
    for (std::uint32_t i = 0; i < g.followerCount(0); ++i) {
        QVERIFY(rig->inboxes().read(g.followerAt(0, i), inbox));
        const auto n = std::count(inbox.begin(), inbox.end(), id);
        QVERIFY2(n >= 1, "no follower is missed");
        twice += n == 2 ? 1 : 0;
    }
    if (idempotent) {
        QCOMPARE(twice, std::uint64_t(0));
        QCOMPARE(t.duplicates, std::uint64_t(0));
        QVERIFY2(t.skipped >= 1, "the redelivered writes found the post there");
    } else {
        QVERIFY2(twice >= 1 && twice <= static_cast<std::uint64_t>(fc.batch) * t.redelivered,
            qPrintable(QString::number(twice)));
        QCOMPARE(t.duplicates, twice);
    }
    QCOMPARE(t.writes - t.duplicates, std::uint64_t(kFollowers));
}

void TestFanout::readsMissOnlyWhatIsNotYetDelivered_data()
{
    QTest::addColumn<FanoutMode>("mode");
    QTest::newRow("push") << FanoutMode::Push;
    QTest::newRow("pull") << FanoutMode::Pull;
}

// The celebrity's followers read all the time while her post fans out for about a second. With
// push, a read before its inbox write misses the post (stale); with pull the read fetches her
// outbox, where the post is from the start: no read misses it.
void TestFanout::readsMissOnlyWhatIsNotYetDelivered()
{
    QFETCH(FanoutMode, mode);
    auto fc = fanoutConfig(50'000, 40'000);
    fc.mode = mode;
    fc.workers = 1;
    fc.writeMs = 0.025; // 1 s to reach everyone
    fc.fetchMs = 0.01;
    auto rig = makeFanout(fc, 2000);
    rig.rt->start();
    const int slot = post(rig);
    QVERIFY(readsReach(rig, totals(rig).reads + 1000));
    const auto t = totals(rig);
    if (mode == FanoutMode::Push) {
        QVERIFY2(allDelivered(rig, slot), "the push completes");
        QVERIFY2(t.staleReads > 0, "reads during the push miss the post");
    } else {
        QCOMPARE(t.staleReads, std::uint64_t(0));
        QCOMPARE(t.writes, std::uint64_t(0)); // nothing is pushed
    }
}

void TestFanout::readCostFollowsTheMode_data()
{
    QTest::addColumn<FanoutMode>("mode");
    QTest::newRow("push: one inbox") << FanoutMode::Push;
    QTest::newRow("pull: every followee") << FanoutMode::Pull;
    QTest::newRow("hybrid: inbox + the celebrity") << FanoutMode::Hybrid;
}

// Fetches per read: push 1; pull one per followee (about 5 ordinary, plus the celebrity for her
// readers); hybrid the inbox plus every followee above the threshold (the celebrity, and the
// few most followed ordinary accounts).
void TestFanout::readCostFollowsTheMode()
{
    QFETCH(FanoutMode, mode);
    auto fc = fanoutConfig(20'000, 10'000);
    fc.mode = mode;
    fc.threshold = 1'000; // the celebrity is pulled, ordinary accounts pushed
    fc.celebrityReaders = 1; // every reader follows her
    auto rig = makeFanout(fc, 3000);
    rig.rt->start();
    QVERIFY(readsReach(rig, 3000));
    const auto t = totals(rig);
    const double perRead = static_cast<double>(t.fetches) / static_cast<double>(t.reads);
    // the expectation from the graph itself, over a sample of the readers (her followers)
    const FollowerGraph &g = rig->graph();
    double sum = 0;
    std::vector<UserId> list;
    constexpr std::uint32_t kSample = 4000;
    for (std::uint32_t i = 0; i < kSample; ++i) {
        const UserId reader = g.followerAt(0, i);
        g.ordinaryFollowees(reader, list);
        if (mode == FanoutMode::Push) {
            sum += 1;
        } else if (mode == FanoutMode::Pull) {
            sum += static_cast<double>(list.size()) + 1;
        } else {
            sum += 2; // the inbox and the celebrity
            for (UserId v : list)
                sum += g.followerCount(v) > fc.threshold ? 1 : 0;
        }
    }
    const double expected = sum / kSample;
    if (mode == FanoutMode::Push) {
        // One fetch per read exactly. The two counters are read while the shards run, so each
        // shard may be caught between its two adds: at most one read per engine thread apart.
        const auto apart = t.fetches > t.reads ? t.fetches - t.reads : t.reads - t.fetches;
        QVERIFY2(apart <= 2, qPrintable(QStringLiteral("%1 fetches for %2 reads").arg(t.fetches).arg(t.reads)));
        return;
    }
    // the reads that finish within the window are a sample: 5 % covers it for thousands of reads
    QVERIFY2(std::abs(perRead / expected - 1) <= 0.05,
        qPrintable(QStringLiteral("%1 fetches per read, expected %2").arg(perRead).arg(expected)));
}

void TestFanout::theQueueIsBoundedAndHandsOutBatchesInOrder()
{
    FanoutQueue q;
    std::vector<Request *> wake;
    for (std::size_t i = 0; i < FanoutQueue::kMaxJobs; ++i)
        QVERIFY(q.push({ static_cast<std::uint32_t>(i + 1), 7, 100, 0, -1, 0 }, &wake));
    QVERIFY2(!q.push({ 99'999'999, 7, 100, 0, -1, 0 }, &wake), "a full queue refuses");
    QCOMPARE(q.backlog(), std::uint64_t(FanoutQueue::kMaxJobs) * 100);
    const auto a = q.take(64, nullptr), b = q.take(64, nullptr), c = q.take(64, nullptr);
    QVERIFY(a && b && c);
    QCOMPARE(a->post, 1u);
    QCOMPARE(a->from, 0u);
    QCOMPARE(a->to, 64u);
    QCOMPARE(b->from, 64u);
    QCOMPARE(b->to, 100u); // the rest of post 1
    QCOMPARE(c->post, 2u);
    q.redeliver(*a);
    const auto again = q.take(64, nullptr);
    QVERIFY(again && again->post == 1 && again->from == 0 && again->redelivered);
    QCOMPARE(q.redelivered(), std::uint64_t(1));
    q.done(*again);
    QCOMPARE(q.backlog(), std::uint64_t(FanoutQueue::kMaxJobs) * 100 - 64);
}

// Each tick fills the fan-out section of the sample and the snapshot: the newest celebrity post
// becomes fully visible, the reads and their fetches show, every shard and worker is listed.
void TestFanout::snapshotsCarryTheFanoutSection()
{
    auto fc = fanoutConfig(20'000, 8'000);
    fc.workers = 2;
    fc.writeMs = 0.02;
    fc.inboxShards = 4;
    auto rig = makeFanout(fc, 500);
    rig.rt->start();
    post(rig);
    const auto snap = test::waitSnapshot(*rig.rt, [](const Snapshot &s) {
        return s.fanout && !s.fanout->tracked.empty() && s.fanout->tracked[0].delivered == 8'000 && s.fanout->reads > 0
            && s.latest.fanout && s.latest.fanout->backlog == 0;
    });
    QVERIFY2(snap, "the post reaches everyone and reads are answered");
    const FanoutView &v = *snap->fanout;
    QCOMPARE(v.workersUp, 2);
    QCOMPARE(v.shardUtilisation.size(), std::size_t(4));
    QCOMPARE(v.celebrities, std::vector<std::uint32_t> { 8'000 });
    QCOMPARE(v.tracked[0].followers, 8'000u);
    QVERIFY(v.tracked[0].maxMs >= v.tracked[0].p99Ms && v.tracked[0].p99Ms >= v.tracked[0].p50Ms);
    QCOMPARE(snap->latest.fanout->visible, 1.0);
    QCOMPARE(snap->latest.fanout->workersUp, 2);
    QCOMPARE(v.inboxWrites, std::int64_t(8'000));
    // the post's 8 000 writes show as a rate in some tick of the history
    const auto history = underControl(*rig.rt, [&] { return rig.rt->timeline(); });
    double written = 0;
    for (const TickSample &x : history)
        written += x.fanout ? x.fanout->inboxWrites * 0.1 : 0;
    QVERIFY2(std::abs(written - 8'000) <= 8'000 * 0.05, qPrintable(QString::number(written)));
}

// Through Engine: the config chooses the workload; the flash sale's commands are refused.
void TestFanout::engineRunsTheFanoutWorkload()
{
    EngineConfig c;
    c.workload = WorkloadKind::Fanout;
    c.threads = 2;
    c.traffic.ratePerS = 1000;
    c.fanout = fanoutConfig(20'000, 5'000);
    Engine e(c);
    e.start();
    QVERIFY(test::eventually([&] {
        const auto s = e.snapshot();
        return s->fanout && s->fanout->reads >= 200;
    }));
    const auto refused = e.addNodes(1);
    QVERIFY(!refused.ok);
    QVERIFY2(QString::fromStdString(refused.error)
                 .startsWith(u"fan-out run: that command belongs to the flash-sale workload"_s),
        refused.error.c_str());
    QVERIFY(!e.snapshot()->store);
    const RunResult r = e.stopAndDrain(5);
    QVERIFY(r.final.attempts >= 200);
    QCOMPARE(r.final.succeeded, r.final.attempts); // every read is answered
}

// The budget in the issue: 64 B per user at 1 M users with the defaults (mean 5 followees,
// inboxes of 8, a celebrity followed by all): stored follower edges 4 + 20 B, inbox 32 + 1 B,
// outbox head 4 B, and the post ring's share.
void TestFanout::memoryPerUserAtAMillion()
{
    FanoutConfig fc;
    fc.users = 1'000'000;
    fc.celebrities = { 999'999 };
    auto rig = makeFanout(fc, 1);
    const double perUser = static_cast<double>(rig->memoryBytes()) / fc.users;
    QVERIFY2(perUser <= 64.0, qPrintable(QStringLiteral("%1 B per user").arg(perUser)));
}

void TestFanout::badConfigNamesTheKey()
{
    auto fc = fanoutConfig(1000, 10);
    fc.workers = 1000;
    try {
        auto rig = makeFanout(fc, 1);
        QFAIL("accepted");
    } catch (const std::invalid_argument &e) {
        QVERIFY2(QByteArray(e.what()).startsWith("fanout.workers:"), e.what());
    }
}

// Removed (not killed): it acknowledges the batch it holds, then leaves: nothing comes back.
void TestFanout::aRemovedWorkerFinishesItsBatch()
{
    constexpr std::uint32_t kFollowers = 6'000;
    auto fc = fanoutConfig(20'000, kFollowers);
    fc.workers = 2;
    fc.writeMs = 0.01;
    fc.ackMs = 20;
    fc.idempotent = false;
    auto rig = makeFanout(fc, 1);
    rig.rt->start();
    const int slot = post(rig);
    QVERIFY(test::eventually([&] { return visibility(rig, slot).delivered >= kFollowers / 4; }));
    const auto removed = underControl(*rig.rt, [&] { return rig->removeWorker(); });
    QVERIFY2(removed.ok, removed.error.c_str());
    QCOMPARE(underControl(*rig.rt, [&] { return rig->workersUp(); }), 1);
    QVERIFY(allDelivered(rig, slot));
    QVERIFY(drained(rig));
    const auto t = totals(rig);
    QCOMPARE(t.redelivered, std::uint64_t(0));
    QCOMPARE(t.duplicates, std::uint64_t(0)); // plain writes, and still one copy each
    QCOMPARE(t.writes, std::uint64_t(kFollowers));
    // the last one goes too; then there is none to remove
    QVERIFY(underControl(*rig.rt, [&] { return rig->removeWorker(); }).ok);
    const auto none = underControl(*rig.rt, [&] { return rig->removeWorker(); });
    QVERIFY(!none.ok);
    QVERIFY2(QString::fromStdString(none.error).startsWith(u"remove fan-out worker: none is up"_s), none.error.c_str());
}

// Killed halfway through its first batch's writes (1 ms each, 256 a batch): the writes that
// had ended by the kill landed, the rest had not, and the batch comes back whole. With plain
// writes the landed ones are the duplicates: some, and fewer than the batch.
void TestFanout::aKilledWorkerLeavesTheWritesItFinished()
{
    constexpr std::uint32_t kFollowers = 2'000;
    auto fc = fanoutConfig(10'000, kFollowers);
    fc.workers = 1;
    fc.batch = 256;
    fc.writeMs = 1;
    fc.ackMs = 0;
    fc.idempotent = false;
    fc.inboxShards = 64;
    auto rig = makeFanout(fc, 1);
    rig.rt->start();
    const Nanos postedAt = rig.rt->now();
    const int slot = post(rig);
    // the kill is meant for 128 ms into the batch; however late it comes, within the batch or a later one
    QVERIFY(test::eventually([&] { return rig.rt->now() >= postedAt + 128'000'000; }));
    const auto killed = underControl(*rig.rt, [&] { return rig->killWorker(); });
    QVERIFY2(killed.ok, killed.error.c_str());
    QVERIFY(underControl(*rig.rt, [&] { return rig->addWorkers(1); }).ok);
    QVERIFY(allDelivered(rig, slot));
    QVERIFY(drained(rig));
    const auto t = totals(rig);
    QCOMPARE(t.redelivered, std::uint64_t(1));
    QVERIFY2(t.duplicates > 0 && t.duplicates < static_cast<std::uint64_t>(fc.batch),
        qPrintable(QString::number(t.duplicates)));
    QCOMPARE(t.writes - t.duplicates, std::uint64_t(kFollowers));
}

// A killed shard's users lose their inboxes and their reads and writes are refused; the rebuild
// refills each inbox from the post log with what a push would have left there.
void TestFanout::aKilledShardLosesItsInboxesUntilRebuilt()
{
    constexpr std::uint32_t kFollowers = 8'000;
    auto fc = fanoutConfig(10'000, kFollowers);
    fc.writeMs = 0;
    fc.inboxShards = 8;
    auto rig = makeFanout(fc, 1);
    rig.rt->start();
    const int slot = post(rig);
    QVERIFY(allDelivered(rig, slot));
    QVERIFY(drained(rig));
    const PostId id = visibility(rig, slot).post;
    const FollowerGraph &g = rig->graph();
    std::uint64_t onShard = 0;
    for (std::uint32_t i = 0; i < g.followerCount(0); ++i)
        onShard += rig->inboxes().shardOf(g.followerAt(0, i)) == 5 ? 1 : 0;
    const auto before = totals(rig).entries;

    QVERIFY(underControl(*rig.rt, [&] { return rig->killInboxShard(5); }).ok);
    QVERIFY(!rig->inboxes().up(5));
    auto t = totals(rig);
    QCOMPARE(t.lostEntries, onShard); // the post was the only entry of each of those inboxes
    QCOMPARE(t.entries, before - onShard);
    std::vector<PostId> inbox;
    for (std::uint32_t i = 0; i < g.followerCount(0); ++i) {
        const UserId f = g.followerAt(0, i);
        QCOMPARE(rig->inboxes().read(f, inbox), rig->inboxes().shardOf(f) != 5);
    }
    QVERIFY(!underControl(*rig.rt, [&] { return rig->killInboxShard(5); }).ok); // down already
    const auto refused = underControl(*rig.rt, [&] { return rig->addInboxShards(1); });
    QVERIFY2(!refused.ok && QString::fromStdString(refused.error).contains(u"rebuild inbox shard 5 first"_s),
        refused.error.c_str());

    QVERIFY(underControl(*rig.rt, [&] { return rig->rebuildInboxShard(); }).ok); // the one down
    QVERIFY(rig->inboxes().up(5));
    t = totals(rig);
    QCOMPARE(t.rebuiltEntries, onShard);
    QCOMPARE(t.entries, before);
    for (std::uint32_t i = 0; i < g.followerCount(0); ++i) {
        QVERIFY(rig->inboxes().read(g.followerAt(0, i), inbox));
        QVERIFY(std::find(inbox.begin(), inbox.end(), id) != inbox.end());
    }
    QVERIFY(!underControl(*rig.rt, [&] { return rig->rebuildInboxShard(); }).ok); // none down
}

// Added shards serve the same inboxes: users spread over more shards, nothing is lost, and a
// push after it books the new shards too.
void TestFanout::addedShardsSpreadTheInboxes()
{
    auto fc = fanoutConfig(10'000, 4'000);
    fc.inboxShards = 4;
    auto rig = makeFanout(fc, 1);
    rig.rt->start();
    int slot = post(rig);
    QVERIFY(allDelivered(rig, slot));
    QVERIFY(drained(rig));
    const auto before = totals(rig).entries;
    QVERIFY(underControl(*rig.rt, [&] { return rig->addInboxShards(4); }).ok);
    QCOMPARE(rig->inboxes().shards(), 8);
    QCOMPARE(totals(rig).entries, before);
    std::vector<std::uint64_t> ops(8);
    for (int i = 0; i < 8; ++i)
        ops[static_cast<std::size_t>(i)] = rig->inboxes().operations(i);
    slot = post(rig);
    QVERIFY(allDelivered(rig, slot));
    for (int i = 4; i < 8; ++i)
        QVERIFY2(rig->inboxes().operations(i) > ops[static_cast<std::size_t>(i)], qPrintable(QString::number(i)));
    QVERIFY(!underControl(*rig.rt, [&] { return rig->addInboxShards(kMaxInboxShards); }).ok);
}

// The running count of entries held is what a scan of every inbox finds, after posts that
// overflow inboxes (newest K kept), a kill and a rebuild.
void TestFanout::entriesHeldMatchTheInboxes()
{
    auto fc = fanoutConfig(5'000, 3'000);
    fc.inboxSize = 2;
    fc.inboxShards = 4;
    fc.writeMs = 0;
    fc.postShare = 0.3; // ordinary posts too
    auto rig = makeFanout(fc, 4000);
    rig.rt->start();
    for (int i = 0; i < 3; ++i) {
        const int slot = post(rig);
        QVERIFY(allDelivered(rig, slot));
    }
    QVERIFY(underControl(*rig.rt, [&] { return rig->killInboxShard(1); }).ok);
    QVERIFY(underControl(*rig.rt, [&] { return rig->rebuildInboxShard(1); }).ok);
    QVERIFY(readsReach(rig, 2000));
    TimedEvent pause;
    pause.kind = EventKind::Pause;
    QVERIFY(rig.rt->command(pause).ok);
    // once the last posts have fanned out, the count and a scan agree
    QVERIFY(test::eventually([&] {
        const auto t = totals(rig);
        return t.backlog == 0 && t.entries == rig->inboxes().entries();
    }));
    const auto t = totals(rig);
    QVERIFY(t.lostEntries > 0 && t.rebuiltEntries > 0);
    QVERIFY2(t.older > 0 || t.entries <= 2u * 5'000u, "inboxes of two keep the newest two");
}

// Pull, or hybrid above the threshold: nothing to fan out, every follower's next read shows it.
void TestFanout::aPulledPostIsVisibleAtOnce()
{
    auto fc = fanoutConfig(10'000, 5'000);
    fc.mode = FanoutMode::Hybrid;
    fc.threshold = 1'000;
    auto rig = makeFanout(fc, 1);
    rig.rt->start();
    const int slot = post(rig);
    const auto v = visibility(rig, slot);
    QVERIFY(v.pulled);
    QCOMPARE(v.delivered, std::uint64_t(v.followers));
    QCOMPARE(totals(rig).pushed, std::uint64_t(0));
    QCOMPARE(totals(rig).backlog, std::uint64_t(0));
    // the threshold raised above her count: her next post is pushed
    QVERIFY(underControl(*rig.rt, [&] { return rig->setThreshold(10'000); }).ok);
    const int pushed = post(rig);
    QVERIFY(!visibility(rig, pushed).pulled);
    QVERIFY(allDelivered(rig, pushed));
    QCOMPARE(totals(rig).pushed, std::uint64_t(1));
    QVERIFY(!underControl(*rig.rt, [&] { return rig->setThreshold(-1); }).ok);
}

// Through Engine::command, as scenarios and the window send them; the flash sale's are refused.
void TestFanout::commandsArriveAsEvents()
{
    EngineConfig c = test::quietConfig(2);
    c.workload = WorkloadKind::Fanout;
    c.traffic.ratePerS = 500;
    c.fanout = fanoutConfig(20'000, 5'000);
    c.fanout.workers = 2;
    Engine e(c);
    e.start();
    auto cmd = [&](EventKind k, auto set) {
        TimedEvent ev;
        ev.kind = k;
        set(ev);
        return e.command(ev);
    };
    const auto none = [](TimedEvent &) {};
    QVERIFY(cmd(EventKind::AddFanoutWorkers, [](TimedEvent &ev) { ev.count = 2; }).ok);
    QVERIFY(cmd(EventKind::KillFanoutWorker, [](TimedEvent &ev) { ev.node = 0; }).ok);
    QVERIFY(cmd(EventKind::RemoveFanoutWorker, none).ok);
    QVERIFY(!cmd(EventKind::KillFanoutWorker, [](TimedEvent &ev) { ev.node = 0; }).ok); // dead already
    QVERIFY(cmd(EventKind::SetFanoutMode, [](TimedEvent &ev) { ev.fanoutMode = FanoutMode::Hybrid; }).ok);
    QVERIFY(cmd(EventKind::SetFanoutThreshold, [](TimedEvent &ev) { ev.threshold = 100; }).ok);
    QVERIFY(!cmd(EventKind::SetPostShare, [](TimedEvent &ev) { ev.ratio = 1.5; }).ok);
    QVERIFY(cmd(EventKind::SetPostShare, [](TimedEvent &ev) { ev.ratio = 0.2; }).ok);
    QVERIFY(cmd(EventKind::AddInboxShards, [](TimedEvent &ev) { ev.count = 2; }).ok);
    QVERIFY(cmd(EventKind::KillInboxShard, [](TimedEvent &ev) { ev.node = 3; }).ok);
    QVERIFY(cmd(EventKind::RebuildInboxShard, none).ok);
    QVERIFY(cmd(EventKind::CelebrityPost, none).ok);
    QVERIFY(!cmd(EventKind::CelebrityPost, [](TimedEvent &ev) { ev.node = 1; }).ok); // one celebrity
    const auto flash = cmd(EventKind::Restock, [](TimedEvent &ev) { ev.units = 5; });
    QVERIFY(!flash.ok);
    QVERIFY(test::eventually([&] {
        const auto s = e.snapshot();
        return s->fanout && s->fanout->mode == FanoutMode::Hybrid && s->fanout->threshold == 100
            && s->fanout->workersUp == 2 && s->fanout->shardUp.size() == 18 && !s->fanout->tracked.empty();
    }));
    const auto markers = e.markers();
    for (const char *label : { "2 fan-out workers added", "fan-out worker 0 killed", "fan-out hybrid",
             "threshold 100 followers", "2 inbox shards added", "inbox shard 3 killed", "celebrity 0 posts" })
        QVERIFY2(std::any_of(markers.begin(), markers.end(), [&](const Marker &m) { return m.label == label; }), label);
    e.stopAndDrain(5);
}

QTEST_GUILESS_MAIN(TestFanout)
#include "tst_fanout.moc"
