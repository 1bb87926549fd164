// Cache placement (modulo-N vs consistent-hash ring) and the cache node's LRU + TTL store.

#include "cachestore.h"
#include "keyplacement.h"

#include <QTest>

#include <numeric>

using namespace stampede;

namespace {
std::vector<int> ids(int n)
{
    std::vector<int> v(static_cast<std::size_t>(n));
    std::iota(v.begin(), v.end(), 0);
    return v;
}
} // namespace

class TestCache : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void addingANodeMoves_data();
    void addingANodeMoves();
    void removingARingNodeMovesOnlyItsKeys();
    void ringSharesAreBalanced();
    void ownerIsStableAndTotal();
    void lruEvictsLeastRecentlyUsed();
    void ttlExpires();
    void decrementIfPositive();
};

void TestCache::addingANodeMoves_data()
{
    QTest::addColumn<int>("nodes");
    QTest::addColumn<bool>("ring");
    QTest::addColumn<double>("expected");
    QTest::addColumn<double>("tolerance");
    // Ring: the new node takes about its 1/(N+1) share. The spread of a 160-point ring's arcs
    // gives a few percent either way, hence the tolerances. Modulo: almost every key changes
    // owner, N/(N+1), and keys are hashed uniformly so the count is tight.
    for (int n : { 2, 4, 8 }) {
        QTest::addRow("ring %d->%d", n, n + 1) << n << true << 1.0 / (n + 1) << 0.35 / (n + 1);
        QTest::addRow("modulo %d->%d", n, n + 1) << n << false << double(n) / (n + 1) << 0.02;
    }
}

void TestCache::addingANodeMoves()
{
    QFETCH(int, nodes);
    QFETCH(bool, ring);
    QFETCH(double, expected);
    QFETCH(double, tolerance);
    const auto p = ring ? Placement::Ring : Placement::Modulo;
    const KeyPlacement before(p, ids(nodes));
    const KeyPlacement after(p, ids(nodes + 1));
    const double moved = KeyPlacement::movedFraction(before, after, KeyPlacement::sampleKeys(100000));
    QVERIFY2(std::abs(moved - expected) <= tolerance,
        qPrintable(QStringLiteral("moved %1, expected %2 ± %3").arg(moved).arg(expected).arg(tolerance)));
    if (ring) {
        // Every key that moved went to the new node: nothing shuffles between old nodes.
        for (auto k : KeyPlacement::sampleKeys(20000))
            if (before.owner(k) != after.owner(k))
                QCOMPARE(after.owner(k), nodes);
    }
}

void TestCache::removingARingNodeMovesOnlyItsKeys()
{
    const KeyPlacement before(Placement::Ring, { 0, 1, 2, 3, 4 });
    const KeyPlacement after(Placement::Ring, { 0, 1, 3, 4 });
    std::size_t moved = 0, owned = 0;
    for (auto k : KeyPlacement::sampleKeys(50000)) {
        const bool wasTwo = before.owner(k) == 2;
        owned += wasTwo;
        if (before.owner(k) != after.owner(k)) {
            ++moved;
            QVERIFY(wasTwo);
        }
    }
    QCOMPARE(moved, owned);
    QVERIFY(owned > 50000 / 5 * 0.65 && owned < 50000 / 5 * 1.35);
}

void TestCache::ringSharesAreBalanced()
{
    const KeyPlacement ring(Placement::Ring, ids(6));
    const auto shares = ring.shares();
    QCOMPARE(shares.size(), std::size_t(6));
    double sum = 0;
    for (double s : shares) {
        sum += s;
        QVERIFY2(s > 0.6 / 6 && s < 1.4 / 6, qPrintable(QString::number(s)));
    }
    QVERIFY(std::abs(sum - 1.0) < 1e-9);
    const KeyPlacement single(Placement::Ring, { 7 });
    QCOMPARE(single.shares().front(), 1.0);
}

void TestCache::ownerIsStableAndTotal()
{
    const KeyPlacement empty(Placement::Ring, {});
    QCOMPARE(empty.owner(123), -1);
    const KeyPlacement a(Placement::Ring, { 5, 9, 2 });
    const KeyPlacement b(Placement::Ring, { 2, 5, 9, 9 });
    for (auto k : KeyPlacement::sampleKeys(1000)) {
        const int o = a.owner(k);
        QVERIFY(o == 2 || o == 5 || o == 9);
        QCOMPARE(b.owner(k), o); // order and duplicates of ids do not matter
    }
    const KeyPlacement m(Placement::Modulo, { 3, 1 });
    QCOMPARE(m.owner(0), 1);
    QCOMPARE(m.owner(1), 3);
}

void TestCache::lruEvictsLeastRecentlyUsed()
{
    CacheStore c(3);
    c.set(1, 10, CacheStore::kNever);
    c.set(2, 20, CacheStore::kNever);
    c.set(3, 30, CacheStore::kNever);
    QCOMPARE(c.get(1, 0).value_or(-1), 10); // 1 is now the most recent
    c.set(4, 40, CacheStore::kNever); // evicts 2
    QCOMPARE(c.size(), std::size_t(3));
    QCOMPARE(c.evictions(), std::uint64_t(1));
    QVERIFY(!c.get(2, 0));
    QCOMPARE(c.get(3, 0).value_or(-1), 30);
    QCOMPARE(c.get(4, 0).value_or(-1), 40);
    QCOMPARE(c.hits(), std::uint64_t(3));
    QCOMPARE(c.misses(), std::uint64_t(1));
}

void TestCache::ttlExpires()
{
    CacheStore c(10);
    c.set(7, 70, 1000);
    QCOMPARE(c.get(7, 999).value_or(-1), 70);
    QVERIFY(!c.get(7, 1000));
    QCOMPARE(c.expired(), std::uint64_t(1));
    QCOMPARE(c.size(), std::size_t(0));
    c.set(7, 71, 5000); // refilled after the miss
    QCOMPARE(c.get(7, 1001).value_or(-1), 71);
}

void TestCache::decrementIfPositive()
{
    CacheStore c(4);
    QCOMPARE(c.decrementIfPositive(1), CacheStore::Decrement::Missing);
    c.set(1, 2, CacheStore::kNever);
    QCOMPARE(c.decrementIfPositive(1), CacheStore::Decrement::Took);
    QCOMPARE(c.decrementIfPositive(1), CacheStore::Decrement::Took);
    QCOMPARE(c.decrementIfPositive(1), CacheStore::Decrement::Empty);
    QCOMPARE(c.peek(1).value_or(-1), 0);
    QVERIFY(c.add(1, 5));
    QCOMPARE(c.peek(1).value_or(-1), 5);
    QVERIFY(!c.add(2, 5));
}

QTEST_GUILESS_MAIN(TestCache)
#include "tst_cache.moc"
