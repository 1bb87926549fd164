// Inboxes and inbox shards (subsystems/inboxstore.h): the newest K posts are kept; idempotent
// writes store a post once whatever the threads do, plain ones store a redelivery twice; a shard
// serves its capacity per window of modeled time; a killed shard loses its inboxes.

#include "inboxstore.h"

#include <QTest>

#include <algorithm>
#include <atomic>
#include <stdexcept>
#include <thread>
#include <vector>

using namespace stampede;
using namespace Qt::StringLiterals;

class TestInboxStore : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void keepsTheNewestPosts_data();
    void keepsTheNewestPosts();
    void redeliveryIsADuplicateUnlessIdempotent();
    void concurrentRedeliveryStoresOnceWhenIdempotent();
    void aShardServesItsCapacityPerWindow();
    void concurrentOperationsQueueExactly();
    void aKilledShardLosesItsInboxes();
    void badSizesNameTheKey_data();
    void badSizesNameTheKey();
};

void TestInboxStore::keepsTheNewestPosts_data()
{
    QTest::addColumn<int>("slotCount");
    QTest::addColumn<int>("posts");
    QTest::newRow("8 slots, 20 posts") << 8 << 20;
    QTest::newRow("8 slots, 3 posts") << 8 << 3;
    QTest::newRow("1 slot, 5 posts") << 1 << 5;
}

void TestInboxStore::keepsTheNewestPosts()
{
    QFETCH(int, slotCount);
    QFETCH(int, posts);
    InboxStore store(10, slotCount, 2);
    // in a shuffled order: the inbox keeps the largest ids, not the last written
    std::vector<PostId> ids;
    for (int i = 1; i <= posts; ++i)
        ids.push_back(static_cast<PostId>(i));
    std::reverse(ids.begin() + ids.size() / 2, ids.end());
    for (PostId id : ids)
        store.write(3, id, true);
    std::vector<PostId> got;
    QVERIFY(store.read(3, got));
    std::vector<PostId> want;
    for (int i = posts; i > std::max(0, posts - slotCount); --i)
        want.push_back(static_cast<PostId>(i));
    QCOMPARE(got, want);
    std::vector<PostId> other;
    QVERIFY(store.read(4, other));
    QVERIFY(other.empty());
    QCOMPARE(store.entries(), std::uint64_t(want.size()));
    if (posts > slotCount)
        QCOMPARE(store.write(3, 1, true), InboxStore::Write::Older);
}

void TestInboxStore::redeliveryIsADuplicateUnlessIdempotent()
{
    InboxStore store(4, 8, 1);
    QCOMPARE(store.write(0, 5, false), InboxStore::Write::Stored);
    QCOMPARE(store.write(0, 5, false), InboxStore::Write::Duplicate);
    QCOMPARE(store.write(1, 5, true), InboxStore::Write::Stored);
    QCOMPARE(store.write(1, 5, true), InboxStore::Write::Skipped);
    std::vector<PostId> a, b;
    QVERIFY(store.read(0, a));
    QVERIFY(store.read(1, b));
    QCOMPARE(a, (std::vector<PostId> { 5, 5 }));
    QCOMPARE(b, (std::vector<PostId> { 5 }));
}

// Two threads deliver the same posts to the same users at once, as a worker and the one its
// batch was redelivered to would: with idempotent writes each inbox holds each post once.
void TestInboxStore::concurrentRedeliveryStoresOnceWhenIdempotent()
{
    constexpr std::uint32_t kUsers = 2000;
    constexpr PostId kPosts = 8;
    InboxStore store(kUsers, static_cast<int>(kPosts), 4);
    std::atomic<int> stored { 0 }, skipped { 0 };
    auto deliver = [&] {
        int s = 0, k = 0;
        for (PostId p = 1; p <= kPosts; ++p)
            for (std::uint32_t u = 0; u < kUsers; ++u) {
                const auto w = store.write(u, p, true);
                s += w == InboxStore::Write::Stored ? 1 : 0;
                k += w == InboxStore::Write::Skipped ? 1 : 0;
            }
        stored += s;
        skipped += k;
    };
    std::thread a(deliver), b(deliver);
    a.join();
    b.join();
    QCOMPARE(stored.load(), int(kUsers * kPosts));
    QCOMPARE(skipped.load(), int(kUsers * kPosts));
    std::vector<PostId> got;
    const std::vector<PostId> want { 8, 7, 6, 5, 4, 3, 2, 1 };
    for (std::uint32_t u = 0; u < kUsers; ++u) {
        QVERIFY(store.read(u, got));
        QCOMPARE(got, want);
    }
}

// 1 ms windows at 0.25 ms an operation: four fit in a window; the fifth waits for the next.
void TestInboxStore::aShardServesItsCapacityPerWindow()
{
    InboxStore store(10, 4, 2);
    constexpr Nanos kOp = 250'000;
    constexpr Nanos kMs = 1'000'000;
    for (int i = 0; i < 4; ++i)
        QCOMPARE(store.serve(0, 100'000, kOp), kOp); // room: no queueing
    QCOMPARE(store.serve(0, 100'000, kOp), kMs - 100'000 + kOp); // starts with the next window
    QCOMPARE(store.serve(1, 100'000, kOp), kOp); // another shard is idle
    QCOMPARE(store.backlog(0, 100'000, kOp), std::uint64_t(1));
    QCOMPARE(store.utilisation(0, kMs + 1, kOp), 1.0); // the first window was full
    QCOMPARE(store.serve(0, 5 * kMs, kOp), kOp); // idle again by then
    QCOMPARE(store.operations(0), std::uint64_t(6));
    QCOMPARE(store.backlog(0, 5 * kMs, kOp), std::uint64_t(0));
    QCOMPARE(store.utilisation(0, 6 * kMs, kOp), 0.25);
    QCOMPARE(store.serve(0, 0, 0), Nanos(0)); // no modeled time: no capacity limit
}

// Two threads book one shard at the same instant: together they fill whole windows in turn,
// and the last operation waits exactly as long as the booked windows take.
void TestInboxStore::concurrentOperationsQueueExactly()
{
    InboxStore store(10, 4, 1);
    constexpr Nanos kOp = 10'000; // 100 per 1 ms window
    constexpr int kEach = 2'000; // 40 windows in all
    std::atomic<Nanos> longest { 0 };
    auto run = [&] {
        Nanos worst = 0;
        for (int i = 0; i < kEach; ++i)
            worst = std::max(worst, store.serve(0, 0, kOp));
        Nanos seen = longest.load();
        while (seen < worst && !longest.compare_exchange_weak(seen, worst)) { }
    };
    std::thread a(run), b(run);
    a.join();
    b.join();
    QCOMPARE(longest.load(), Nanos(39) * InboxStore::kWindowNs + kOp);
    QCOMPARE(store.backlog(0, 0, kOp), std::uint64_t(2 * kEach - 100));
}

void TestInboxStore::aKilledShardLosesItsInboxes()
{
    InboxStore store(10, 4, 2);
    for (std::uint32_t u = 0; u < 10; ++u)
        QCOMPARE(store.write(u, 1, true), InboxStore::Write::Stored);
    store.kill(1);
    std::vector<PostId> got;
    QVERIFY(!store.read(3, got)); // user 3 lives on shard 1
    QCOMPARE(store.write(3, 2, true), InboxStore::Write::ShardDown);
    QVERIFY(store.read(2, got)); // shard 0 untouched
    QCOMPARE(got, std::vector<PostId> { 1 });
    QCOMPARE(store.entries(), std::uint64_t(5));
    store.restore(1);
    QVERIFY(store.read(3, got));
    QVERIFY2(got.empty(), "a restored shard starts empty");
    QCOMPARE(store.write(3, 2, true), InboxStore::Write::Stored);
    store.clear();
    QCOMPARE(store.entries(), std::uint64_t(0));
}

void TestInboxStore::badSizesNameTheKey_data()
{
    QTest::addColumn<quint32>("users");
    QTest::addColumn<int>("slotCount");
    QTest::addColumn<int>("shards");
    QTest::addColumn<QString>("key");
    QTest::newRow("no users") << 0u << 8 << 4 << u"fanout.users"_s;
    QTest::newRow("no slotCount") << 10u << 0 << 4 << u"fanout.inbox_size"_s;
    QTest::newRow("too many slotCount") << 10u << 65 << 4 << u"fanout.inbox_size"_s;
    QTest::newRow("no shards") << 10u << 8 << 0 << u"fanout.inbox_shards"_s;
    QTest::newRow("too many shards") << 10u << 8 << 257 << u"fanout.inbox_shards"_s;
}

void TestInboxStore::badSizesNameTheKey()
{
    QFETCH(quint32, users);
    QFETCH(int, slotCount);
    QFETCH(int, shards);
    QFETCH(QString, key);
    try {
        InboxStore store(users, slotCount, shards);
        QFAIL("accepted");
    } catch (const std::invalid_argument &e) {
        QVERIFY2(QString::fromStdString(e.what()).startsWith(key + u':'), e.what());
    }
}

QTEST_GUILESS_MAIN(TestInboxStore)
#include "tst_inboxstore.moc"
