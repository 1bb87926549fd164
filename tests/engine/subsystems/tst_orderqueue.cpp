// The order queue (subsystems/orderqueue.h) through its own interface: a full partition rejects
// or parks producers by policy, consumers persist every order exactly once through the sink, a
// killed consumer's unacknowledged messages are delivered again (duplicates unless idempotent),
// backlog and lag, and the consumer commands. A test workload owns the queue on a real Runtime
// and is its OrderSink, counting each order (one SKU per order) per shard.

#include "orderqueue.h"

#include "testruntime.h"

#include <QTest>

#include <functional>
#include <memory>
#include <vector>

using namespace stampede;
using test::onShard;
using test::underControl;

using QueueSetup = std::function<void(OrderQueue &)>;
using QueueCommand = std::function<CommandResult(OrderQueue &)>;
Q_DECLARE_METATYPE(QueueSetup)
Q_DECLARE_METATYPE(QueueCommand)
Q_DECLARE_METATYPE(FullPolicy)

namespace {

class QueueWorkload final : public test::QuietWorkload, private OrderSink {
public:
    QueueWorkload(Runtime &rt, int skus, Nanos persistNs)
        : queue(rt, rt.config().queue, *this)
        , m_skus(skus)
        , m_persistNs(persistNs)
        , m_shards(static_cast<std::size_t>(rt.shardCount()))
    {
        for (auto &st : m_shards) {
            st.first = std::make_unique<OwnedCounter[]>(static_cast<std::size_t>(skus));
            st.again = std::make_unique<OwnedCounter[]>(static_cast<std::size_t>(skus));
        }
        queue.reset(true);
    }

    // On shard s: one order for `sku` on `partition`; false when it was rejected.
    OrderQueue::Enqueue produce(Runtime &rt, Shard &s, int partition, int sku)
    {
        Request *r = s.allocate();
        r->epoch = rt.epoch();
        r->bucket = partition;
        r->sku = sku;
        return offer(s, r);
    }

    void step(Shard &s, Request *r) override
    {
        if (r->part == Part::Consumer) {
            queue.step(s, r);
            return;
        }
        shard(s).retried.add(); // a parked producer got room (or gave up): it tries again
        offer(s, r);
    }
    void clearShard(Shard &s) override { queue.clearShard(s.index()); }
    void tick(const TickContext &c, TickSample &x) override { queue.tick(c, x.queue.emplace()); }
    void view(Snapshot &s) override { queue.view(s.queue.emplace(), true); }
    void reset() override { queue.reset(true); }
    std::int64_t pendingWork() override { return queue.backlog(nullptr); }

    // ---- totals over shards (atomic reads, any thread) ----
    std::int64_t firsts(int sku) const
    {
        return sum([sku](const Stats &st) { return st.first[sku].get(); });
    }
    std::int64_t agains(int sku) const
    {
        return sum([sku](const Stats &st) { return st.again[sku].get(); });
    }
    std::int64_t firstsTotal() const
    {
        std::int64_t n = 0;
        for (int k = 0; k < m_skus; ++k)
            n += firsts(k);
        return n;
    }
    std::int64_t againsTotal() const
    {
        std::int64_t n = 0;
        for (int k = 0; k < m_skus; ++k)
            n += agains(k);
        return n;
    }
    std::int64_t rejected() const
    {
        return sum([](const Stats &st) { return st.rejected.get(); });
    }
    std::int64_t retried() const
    {
        return sum([](const Stats &st) { return st.retried.get(); });
    }

    OrderQueue queue;

private:
    struct Stats {
        std::unique_ptr<OwnedCounter[]> first, again; // per SKU
        OwnedCounter rejected, retried;
    };
    Stats &shard(Shard &s) { return m_shards[static_cast<std::size_t>(s.index())]; }
    template<typename F> std::int64_t sum(F f) const
    {
        std::int64_t n = 0;
        for (const auto &st : m_shards)
            n += static_cast<std::int64_t>(f(st));
        return n;
    }
    OrderQueue::Enqueue offer(Shard &s, Request *r)
    {
        const auto e = queue.enqueue(s, r);
        if (e == OrderQueue::Enqueue::Rejected)
            shard(s).rejected.add();
        if (e != OrderQueue::Enqueue::Parked)
            s.free(r);
        return e;
    }
    Nanos persistNs() const override { return m_persistNs; }
    void persist(Shard &s, int sku, bool first) override
    {
        (first ? shard(s).first : shard(s).again)[static_cast<std::size_t>(sku)].add();
    }

    const int m_skus;
    const Nanos m_persistNs;
    std::vector<Stats> m_shards; // each shard's counters are written by that shard only
};

using Rig = test::Rig<QueueWorkload>;

struct QueueShape {
    int threads = 1, partitions = 1, capacity = 100, consumers = 0, batch = 10, skus = 100;
    double ackMs = 0;
    Nanos persistNs = 0;
    FullPolicy full = FullPolicy::Reject;
};

Rig makeQueue(const QueueShape &q)
{
    EngineConfig c = test::quietConfig(q.threads);
    c.queue.partitions = q.partitions;
    c.queue.capacity = q.capacity;
    c.queue.consumers = q.consumers;
    c.queue.batch = q.batch;
    c.queue.ackMs = q.ackMs;
    c.queue.whenFull = q.full;
    return test::makeRig<QueueWorkload>(
        c, [q](Runtime &rt) { return std::make_unique<QueueWorkload>(rt, q.skus, q.persistNs); });
}

std::int64_t backlog(Rig &rig)
{
    return underControl(*rig.rt, [&] { return rig->queue.backlog(nullptr); });
}

const ConsumerView *consumerView(const Snapshot &s, int id)
{
    for (const auto &c : s.queue->consumers)
        if (c.id == id)
            return &c;
    return nullptr;
}

} // namespace

class TestOrderQueue : public QObject {
    Q_OBJECT

private slots:
    void fullPartitionRejectsOrParks_data();
    void fullPartitionRejectsOrParks();
    void switchingToRejectReleasesParkedProducers();
    void consumersPersistExactlyOnce();
    void killRedeliversAndDuplicatesUnlessIdempotent_data();
    void killRedeliversAndDuplicatesUnlessIdempotent();
    void backlogAndLag();
    void consumerCommandErrors_data();
    void consumerCommandErrors();
    void removedConsumerLeaves();
};

void TestOrderQueue::fullPartitionRejectsOrParks_data()
{
    QTest::addColumn<FullPolicy>("policy");
    QTest::newRow("reject") << FullPolicy::Reject;
    QTest::newRow("block") << FullPolicy::Block;
}

void TestOrderQueue::fullPartitionRejectsOrParks()
{
    QFETCH(FullPolicy, policy);
    QueueShape q;
    q.capacity = 5;
    q.full = policy;
    auto rig = makeQueue(q);
    Runtime &rt = *rig.rt;
    rt.start();
    const bool block = policy == FullPolicy::Block;
    const auto outcomes = onShard(rt, 0, [&](Shard &s) {
        std::vector<OrderQueue::Enqueue> out;
        for (int i = 0; i < 8; ++i)
            out.push_back(rig->produce(rt, s, 0, i));
        return out;
    });
    std::vector<OrderQueue::Enqueue> expected(5, OrderQueue::Enqueue::Queued);
    expected.insert(expected.end(), 3, block ? OrderQueue::Enqueue::Parked : OrderQueue::Enqueue::Rejected);
    QVERIFY2(outcomes == expected, "five fit; the rest are rejected or parked by the policy");
    QCOMPARE(backlog(rig), std::int64_t(5));
    auto snap = test::nextTick(rt);
    QVERIFY(snap);
    QCOMPARE(snap->queue->partitions.size(), std::size_t(1));
    QCOMPARE(snap->queue->partitions[0].backlog, std::int64_t(5));
    QCOMPARE(snap->queue->partitions[0].blocked, block ? 3 : 0);
    QCOMPARE(snap->queue->queueRejected, block ? std::int64_t(0) : std::int64_t(3));
    QCOMPARE(snap->queue->enqueued, std::int64_t(5));

    // A consumer drains the partition; parked producers get room as it acknowledges.
    QVERIFY(underControl(rt, [&] { return rig->queue.addConsumers(1); }).ok);
    const std::int64_t persisted = block ? 8 : 5;
    QVERIFY2(test::eventually([&] { return rig->firstsTotal() == persisted && backlog(rig) == 0; }),
        qPrintable(
            QStringLiteral("persisted %1 of %2, backlog %3").arg(rig->firstsTotal()).arg(persisted).arg(backlog(rig))));
    for (int sku = 0; sku < 8; ++sku)
        QCOMPARE(rig->firsts(sku), std::int64_t(sku < persisted ? 1 : 0));
    QCOMPARE(rig->againsTotal(), std::int64_t(0));
    QCOMPARE(rig->retried(), block ? std::int64_t(3) : std::int64_t(0));
    QCOMPARE(rig->rejected(), block ? std::int64_t(0) : std::int64_t(3));
    snap = test::nextTick(rt);
    QVERIFY(snap);
    QCOMPARE(snap->queue->dequeued, persisted);
    QCOMPARE(snap->queue->maxBacklog, std::int64_t(5));
    QCOMPARE(snap->queue->partitions[0].blocked, 0);
}

void TestOrderQueue::switchingToRejectReleasesParkedProducers()
{
    QueueShape q;
    q.capacity = 2;
    q.full = FullPolicy::Block;
    auto rig = makeQueue(q);
    Runtime &rt = *rig.rt;
    rt.start();
    onShard(rt, 0, [&](Shard &s) {
        for (int i = 0; i < 5; ++i)
            rig->produce(rt, s, 0, i);
        return 0;
    });
    QVERIFY(underControl(rt, [&] { return rig->queue.setFullPolicy(FullPolicy::Reject); }).ok);
    // The three waiting producers retry at once and, the partition still full, give up.
    QVERIFY2(test::eventually([&] { return rig->rejected() == 3; }),
        qPrintable(QStringLiteral("rejected %1 of 3").arg(rig->rejected())));
    QCOMPARE(rig->retried(), std::int64_t(3));
    QCOMPARE(backlog(rig), std::int64_t(2));
    QVERIFY(test::hasMarker(rt.markers(), "queue full: reject"));
    auto snap = test::nextTick(rt);
    QVERIFY(snap);
    QCOMPARE(snap->queue->partitions[0].blocked, 0);
    QVERIFY(snap->queue->queueFull == FullPolicy::Reject);
}

void TestOrderQueue::consumersPersistExactlyOnce()
{
    QueueShape q;
    q.threads = 2;
    q.partitions = 4;
    q.capacity = 1000;
    q.consumers = 3;
    q.batch = 10;
    q.ackMs = 0.2;
    q.persistNs = 50'000;
    q.skus = 2000; // one SKU per order, so each order's persists are counted apart
    auto rig = makeQueue(q);
    Runtime &rt = *rig.rt;
    rt.start();
    // Both shards produce at once while three consumers persist.
    for (int i = 0; i < 2; ++i)
        onShard(rt, i, [&, i](Shard &s) {
            for (int k = 0; k < 1000; ++k)
                rig->produce(rt, s, k % 4, i * 1000 + k);
            return 0;
        });
    QVERIFY2(test::eventually([&] { return rig->firstsTotal() == 2000 && backlog(rig) == 0; }),
        qPrintable(QStringLiteral("persisted %1 of 2000, backlog %2").arg(rig->firstsTotal()).arg(backlog(rig))));
    int wrong = 0;
    for (int sku = 0; sku < 2000; ++sku)
        wrong += rig->firsts(sku) != 1 || rig->agains(sku) != 0;
    QVERIFY2(wrong == 0, qPrintable(QStringLiteral("%1 orders not persisted exactly once").arg(wrong)));
    QCOMPARE(rig->rejected(), std::int64_t(0));
    auto snap = test::nextTick(rt);
    QVERIFY(snap);
    QCOMPARE(snap->queue->enqueued, std::int64_t(2000));
    QCOMPARE(snap->queue->dequeued, std::int64_t(2000));
    QCOMPARE(snap->queue->duplicates, std::int64_t(0));
    QCOMPARE(snap->queue->redelivered, std::int64_t(0));
    QCOMPARE(snap->recent.back().queue->consumersUp, 3);
    QCOMPARE(snap->recent.back().queue->queueBacklog, std::int64_t(0));
}

void TestOrderQueue::killRedeliversAndDuplicatesUnlessIdempotent_data()
{
    QTest::addColumn<bool>("idempotent");
    QTest::newRow("at-least-once") << false;
    QTest::newRow("idempotent") << true;
}

void TestOrderQueue::killRedeliversAndDuplicatesUnlessIdempotent()
{
    QFETCH(bool, idempotent);
    QueueShape q;
    q.consumers = 1;
    q.batch = 5;
    q.ackMs = 10000; // a consumer persists its batch, then holds it unacknowledged for 10 s
    auto rig = makeQueue(q);
    Runtime &rt = *rig.rt;
    QVERIFY(underControl(rt, [&] { return rig->queue.setIdempotent(idempotent); }).ok);
    rt.start();
    onShard(rt, 0, [&](Shard &s) {
        for (int i = 0; i < 5; ++i)
            rig->produce(rt, s, 0, i);
        return 0;
    });
    QVERIFY2(test::eventually([&] { return rig->firstsTotal() == 5; }), "consumer 0 persists its batch");
    QCOMPARE(backlog(rig), std::int64_t(5)); // persisted, not acknowledged

    QVERIFY(underControl(rt, [&] { return rig->queue.killConsumer(0); }).ok);
    QVERIFY(test::hasMarker(rt.markers(), "consumer 0 killed: 5 messages redelivered"));
    QVERIFY(underControl(rt, [&] { return rig->queue.addConsumers(1); }).ok);
    auto snap = test::waitSnapshot(rt, [](const Snapshot &s) {
        const ConsumerView *c = consumerView(s, 1);
        return c && c->inHand == 5;
    });
    QVERIFY2(snap, "consumer 1 takes the redelivered batch");
    test::settle(rt, 0); // its persist loop, already running, has finished

    QCOMPARE(rig->firstsTotal(), std::int64_t(5));
    QCOMPARE(rig->againsTotal(), idempotent ? std::int64_t(0) : std::int64_t(5));
    snap = test::nextTick(rt);
    QVERIFY(snap);
    QCOMPARE(snap->queue->redelivered, std::int64_t(5));
    QCOMPARE(snap->queue->duplicates, idempotent ? std::int64_t(0) : std::int64_t(5));
    QCOMPARE(snap->queue->dequeued, std::int64_t(5)); // first persists only
    QVERIFY(consumerView(*snap, 0) && consumerView(*snap, 0)->state == NodeState::Dead);
    QVERIFY(consumerView(*snap, 1) && consumerView(*snap, 1)->state == NodeState::Up);
    QCOMPARE(snap->queue->idempotent, idempotent);
}

void TestOrderQueue::backlogAndLag()
{
    QueueShape q;
    q.partitions = 2;
    auto rig = makeQueue(q);
    Runtime &rt = *rig.rt;
    rt.start();
    const Nanos before = rt.now();
    onShard(rt, 0, [&](Shard &s) {
        for (int i = 0; i < 10; ++i)
            rig->produce(rt, s, i % 2, i);
        return 0;
    });
    Nanos oldest = -1;
    QCOMPARE(underControl(rt, [&] { return rig->queue.backlog(&oldest); }), std::int64_t(10));
    QVERIFY2(oldest >= before && oldest <= rt.now(), "the oldest message's enqueue time");

    // Nothing consumes: the lag grows tick by tick while the backlog stays.
    auto a = test::nextTick(rt);
    auto b = test::nextTick(rt);
    QVERIFY(a && b);
    QCOMPARE(a->recent.back().queue->queueBacklog, std::int64_t(10));
    QCOMPARE(b->recent.back().queue->queueBacklog, std::int64_t(10));
    const double lagA = a->recent.back().queue->queueLagMs, lagB = b->recent.back().queue->queueLagMs;
    QVERIFY2(lagA > 0 && lagB > lagA, qPrintable(QStringLiteral("lag %1 ms then %2 ms").arg(lagA).arg(lagB)));
    QCOMPARE(b->queue->maxBacklog, std::int64_t(10));

    QVERIFY(underControl(rt, [&] { return rig->queue.addConsumers(2); }).ok);
    auto done = test::waitSnapshot(rt, [](const Snapshot &s) {
        return !s.recent.empty() && s.recent.back().queue->queueBacklog == 0 && s.recent.back().queue->consumersUp == 2;
    });
    QVERIFY2(done, "two consumers drain the backlog");
    QCOMPARE(done->recent.back().queue->queueLagMs, 0.0);
    QVERIFY2(done->queue->maxLagMs >= lagB, "the run's maximum lag is kept");
    QCOMPARE(rig->firstsTotal(), std::int64_t(10));
}

void TestOrderQueue::consumerCommandErrors_data()
{
    QTest::addColumn<QueueSetup>("setup");
    QTest::addColumn<QueueCommand>("command");
    QTest::addColumn<QString>("error");
    const QueueSetup none = [](OrderQueue &) {};
    auto row = [](const char *name, QueueSetup setup, QueueCommand command, const char *error) {
        QTest::newRow(name) << setup << command << QString::fromUtf8(error);
    };
    // Consumers 0 and 1 are up at the start of each row.
    row(
        "add 0", none, [](OrderQueue &oq) { return oq.addConsumers(0); }, "add consumer: count must be at least 1");
    row(
        "add past the up limit", none, [](OrderQueue &oq) { return oq.addConsumers(kMaxConsumers - 1); },
        "add consumer: at most 64 consumers can be up");
    row(
        "add when ids are used up",
        [](OrderQueue &oq) {
            // Dead consumers keep their ids until a reset: 4 rounds of 62 use 250 of 256 slots.
            for (int round = 0; round < 4; ++round) {
                oq.addConsumers(62);
                for (int id = 2 + round * 62; id < 2 + (round + 1) * 62; ++id)
                    oq.killConsumer(id);
            }
        },
        [](OrderQueue &oq) { return oq.addConsumers(7); }, "add consumer: consumer ids are used up; reset the run");
    row(
        "remove unknown", none, [](OrderQueue &oq) { return oq.removeConsumer(7); },
        "remove consumer 7: no such consumer");
    row(
        "remove draining", [](OrderQueue &oq) { oq.removeConsumer(1); },
        [](OrderQueue &oq) { return oq.removeConsumer(1); }, "remove consumer 1: no such consumer");
    row(
        "remove any, none up",
        [](OrderQueue &oq) {
            oq.killConsumer(0);
            oq.killConsumer(1);
        },
        [](OrderQueue &oq) { return oq.removeConsumer(std::nullopt); }, "remove consumer: no consumer is up");
    row(
        "kill unknown", none, [](OrderQueue &oq) { return oq.killConsumer(7); },
        "kill consumer 7: no such consumer is up");
    row(
        "kill dead", [](OrderQueue &oq) { oq.killConsumer(1); }, [](OrderQueue &oq) { return oq.killConsumer(1); },
        "kill consumer 1: no such consumer is up");
    row(
        "kill any, none up",
        [](OrderQueue &oq) {
            oq.killConsumer(0);
            oq.killConsumer(1);
        },
        [](OrderQueue &oq) { return oq.killConsumer(std::nullopt); }, "kill consumer: no consumer is up");
}

void TestOrderQueue::consumerCommandErrors()
{
    QFETCH(QueueSetup, setup);
    QFETCH(QueueCommand, command);
    QFETCH(QString, error);
    QueueShape q;
    q.consumers = 2;
    auto rig = makeQueue(q); // not started: commands need only the control mutex
    const auto r = underControl(*rig.rt, [&] {
        setup(rig->queue);
        return command(rig->queue);
    });
    QVERIFY2(!r.ok, "the command should be refused");
    QCOMPARE(QString::fromStdString(r.error), error);
}

void TestOrderQueue::removedConsumerLeaves()
{
    QueueShape q;
    q.consumers = 2;
    auto rig = makeQueue(q);
    Runtime &rt = *rig.rt;
    rt.start();
    QVERIFY(test::waitSnapshot(rt, [](const Snapshot &s) { return s.queue->consumers.size() == 2; }));
    // The newest consumer goes: idle, it wakes, sees it is draining and leaves.
    QVERIFY(underControl(rt, [&] { return rig->queue.removeConsumer(std::nullopt); }).ok);
    auto snap = test::waitSnapshot(rt, [](const Snapshot &s) { return s.queue->consumers.size() == 1; });
    QVERIFY2(snap, "the removed consumer leaves the view");
    QVERIFY(consumerView(*snap, 0));
    QVERIFY(test::hasMarker(rt.markers(), "consumer 1 removed"));
    // Consumer 0 still works.
    onShard(rt, 0, [&](Shard &s) { return rig->produce(rt, s, 0, 3); });
    QVERIFY(test::eventually([&] { return rig->firsts(3) == 1; }));
}

QTEST_GUILESS_MAIN(TestOrderQueue)
#include "tst_orderqueue.moc"
