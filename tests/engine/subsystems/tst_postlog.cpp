// Posts and outboxes (subsystems/postlog.h): ids in order, each author's outbox newest first,
// the ring forgets the oldest posts, and concurrent posts by the same authors all chain.

#include "postlog.h"

#include <QTest>

#include <algorithm>
#include <set>
#include <stdexcept>
#include <thread>
#include <vector>

using namespace stampede;

class TestPostLog : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void outboxIsNewestFirst();
    void theRingForgetsTheOldest();
    void concurrentPostsAllChain();
    void badCapacityNamesTheKey();
};

void TestPostLog::outboxIsNewestFirst()
{
    PostLog log(10, 64);
    std::vector<PostId> byThree;
    for (int i = 0; i < 12; ++i) {
        const UserId author = static_cast<UserId>(i % 4);
        const PostId id = log.post(author, 1000 * i);
        QCOMPARE(id, PostId(i + 1));
        if (author == 3)
            byThree.push_back(id);
    }
    std::vector<PostInfo> out;
    log.outbox(3, 10, out);
    QCOMPARE(out.size(), byThree.size());
    for (std::size_t k = 0; k < out.size(); ++k) {
        QCOMPARE(out[k].id, byThree[byThree.size() - 1 - k]);
        QCOMPARE(out[k].author, UserId(3));
        QCOMPARE(out[k].at, Nanos(1000) * (out[k].id - 1));
    }
    log.outbox(3, 2, out);
    QCOMPARE(out.size(), std::size_t(2));
    log.outbox(7, 10, out);
    QVERIFY(out.empty());
    QCOMPARE(log.newest(), PostId(12));
    const auto info = log.find(5);
    QVERIFY(info && info->author == 0 && info->at == 4000);
    log.clear();
    QVERIFY(!log.find(5));
    log.outbox(3, 10, out);
    QVERIFY(out.empty());
}

void TestPostLog::theRingForgetsTheOldest()
{
    PostLog log(2, 8);
    for (int i = 0; i < 20; ++i)
        log.post(0, i);
    QVERIFY(!log.find(12)); // 20 posts in 8 records: 13 .. 20 remain
    QVERIFY(log.find(13));
    std::vector<PostInfo> out;
    log.outbox(0, 100, out);
    QCOMPARE(out.size(), std::size_t(8));
    QCOMPARE(out.front().id, PostId(20));
    QCOMPARE(out.back().id, PostId(13));
}

void TestPostLog::concurrentPostsAllChain()
{
    constexpr int kEach = 50'000;
    constexpr UserId kAuthors = 5;
    PostLog log(kAuthors, 1u << 18);
    auto run = [&](int offset) {
        for (int i = 0; i < kEach; ++i)
            log.post(static_cast<UserId>((i + offset) % kAuthors), i);
    };
    std::thread a(run, 0), b(run, 2);
    a.join();
    b.join();
    QCOMPARE(log.posts(), std::uint64_t(2 * kEach));
    std::set<PostId> all;
    std::vector<PostInfo> out;
    for (UserId u = 0; u < kAuthors; ++u) {
        log.outbox(u, 2 * kEach, out);
        QCOMPARE(out.size(), std::size_t(2 * kEach / kAuthors));
        for (const auto &p : out) {
            QCOMPARE(p.author, u);
            all.insert(p.id);
        }
    }
    QCOMPARE(all.size(), std::size_t(2 * kEach));
}

void TestPostLog::badCapacityNamesTheKey()
{
    for (std::uint32_t capacity : { 0u, 1u, 12u }) {
        try {
            PostLog log(4, capacity);
            QFAIL("accepted");
        } catch (const std::invalid_argument &e) {
            QVERIFY2(QByteArray(e.what()).startsWith("fanout.post_log:"), e.what());
        }
    }
}

QTEST_GUILESS_MAIN(TestPostLog)
#include "tst_postlog.moc"
