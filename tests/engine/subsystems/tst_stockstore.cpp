// The stock store (subsystems/stockstore.h) through its own interface: the single-row and
// spread layouts, restock and its bound, rebalancing on a layout change (conserving units and
// waiting for locked rows), the row lock's FIFO hand-off with its wait and hold statistics, and a
// queued order's deduction. A test workload owns the store on a real Runtime.

#include "limittable.h"
#include "stockstore.h"

#include "testruntime.h"

#include <QTest>

#include <numeric>
#include <vector>

using namespace stampede;
using test::onShard;
using test::underControl;

namespace {

class StoreWorkload final : public test::QuietWorkload {
public:
    StoreWorkload(Runtime &rt, bool spread)
        : store(rt, rt.config().store, rt.config().traffic.skus, rt.config().stock, spread)
        , handed(static_cast<std::size_t>(rt.shardCount()))
        , m_spread(spread)
    {
        store.reset(spread);
    }
    // A row lock handed over by its previous holder: the new holder counts its wait, as a
    // strategy's "granted" stage does.
    void step(Shard &s, Request *r) override
    {
        store.granted(s, r);
        handed[static_cast<std::size_t>(s.index())].push_back(r);
    }
    void clearShard(Shard &s) override { store.clearShard(s.index()); }
    void tick(const TickContext &c, TickSample &x) override { store.tick(c, x.store.emplace()); }
    void view(Snapshot &s) override { store.view(s.store.emplace()); }
    void reset() override { store.reset(m_spread); }
    void freeze() override { store.freeze(); }
    void shutdown() override { store.shutdown(); }

    StockStore store;
    std::vector<std::vector<Request *>> handed; // per shard: that shard's thread only

private:
    const bool m_spread;
};

using Rig = test::Rig<StoreWorkload>;

Rig makeStore(std::int64_t stock, int buckets, int skus, bool spread, int threads = 1)
{
    EngineConfig c = test::quietConfig(threads);
    c.stock = stock;
    c.store.buckets = buckets;
    c.traffic.skus = skus;
    return test::makeRig<StoreWorkload>(
        c, [spread](Runtime &rt) { return std::make_unique<StoreWorkload>(rt, spread); });
}

// Units per bucket for `stock` spread over `buckets` (the first rows take the remainder).
std::vector<std::int64_t> spreadRows(std::int64_t stock, int buckets)
{
    std::vector<std::int64_t> v;
    for (int b = 0; b < buckets; ++b)
        v.push_back(stock / buckets + (b < stock % buckets ? 1 : 0));
    return v;
}

std::vector<std::int64_t> singleRow(std::int64_t stock, int buckets)
{
    std::vector<std::int64_t> v(static_cast<std::size_t>(buckets), 0);
    v[0] = stock;
    return v;
}

std::vector<std::int64_t> rows(StockStore &st, int sku)
{
    std::vector<std::int64_t> v;
    for (int b = 0; b < st.buckets(); ++b)
        v.push_back(st.row(sku, b).value());
    return v;
}

QString show(const std::vector<std::int64_t> &v)
{
    QStringList parts;
    for (auto x : v)
        parts << QString::number(x);
    return parts.join(QLatin1Char(' '));
}

Request *lockRequest(Runtime &rt, Shard &s, int bucket)
{
    Request *r = s.allocate();
    r->epoch = rt.epoch();
    r->bucket = bucket;
    r->lockAsked = rt.now();
    return r;
}

} // namespace

class TestStockStore : public QObject {
    Q_OBJECT

private slots:
    void layout_data();
    void layout();
    void restockAddsToRowsAndSupplied_data();
    void restockAddsToRowsAndSupplied();
    void restockBound_data();
    void restockBound();
    void setSpreadRebalancesAndConserves();
    void rebalanceWaitsForLockedRows();
    void lockHandsOffFifoAndCountsWaits();
    void deductForOrderTakesFromAnyBucket();
};

void TestStockStore::layout_data()
{
    QTest::addColumn<bool>("spread");
    QTest::addColumn<qint64>("stock");
    QTest::addColumn<int>("buckets");
    QTest::addColumn<int>("skus");
    QTest::newRow("single row") << false << qint64(1000) << 8 << 1;
    QTest::newRow("single row, 3 skus") << false << qint64(7) << 4 << 3;
    QTest::newRow("spread, even") << true << qint64(800) << 8 << 1;
    QTest::newRow("spread, remainder") << true << qint64(1003) << 8 << 2;
    QTest::newRow("spread, fewer units than buckets") << true << qint64(3) << 8 << 1;
    QTest::newRow("one bucket") << true << qint64(5) << 1 << 1;
}

void TestStockStore::layout()
{
    QFETCH(bool, spread);
    QFETCH(qint64, stock);
    QFETCH(int, buckets);
    QFETCH(int, skus);
    auto rig = makeStore(stock, buckets, skus, spread);
    const auto want = spread ? spreadRows(stock, buckets) : singleRow(stock, buckets);
    for (int sku = 0; sku < skus; ++sku) {
        const auto got = rows(rig->store, sku);
        QVERIFY2(got == want, qPrintable(QStringLiteral("sku %1: %2, want %3").arg(sku).arg(show(got), show(want))));
        QCOMPARE(rig->store.skuStock(sku), stock);
    }
    QCOMPARE(underControl(*rig.rt, [&] { return rig->store.totalStock(); }), stock * skus);
    QCOMPARE(underControl(*rig.rt, [&] { return rig->store.suppliedPerSku(); }), stock);
    QCOMPARE(rig->store.supplied(), stock);
    // The snapshot published at construction already shows SKU 0's rows.
    const auto snap = rig.rt->snapshot();
    QCOMPARE(static_cast<int>(snap->store->hotRows.size()), buckets);
    for (int b = 0; b < buckets; ++b)
        QCOMPARE(snap->store->hotRows[static_cast<std::size_t>(b)].stock, want[static_cast<std::size_t>(b)]);
    QCOMPARE(snap->store->stockInitial, stock * skus);
}

void TestStockStore::restockAddsToRowsAndSupplied_data()
{
    QTest::addColumn<bool>("spread");
    QTest::addColumn<qint64>("units");
    QTest::newRow("single row") << false << qint64(250);
    QTest::newRow("spread") << true << qint64(13);
    QTest::newRow("spread, fewer than buckets") << true << qint64(2);
}

void TestStockStore::restockAddsToRowsAndSupplied()
{
    QFETCH(bool, spread);
    QFETCH(qint64, units);
    constexpr std::int64_t kStock = 100;
    constexpr int kBuckets = 4, kSkus = 2;
    auto rig = makeStore(kStock, kBuckets, kSkus, spread);
    const auto r = underControl(*rig.rt, [&] { return rig->store.restock(units); });
    QVERIFY2(r.ok, r.error.c_str());
    for (int sku = 0; sku < kSkus; ++sku) {
        auto want = spread ? spreadRows(kStock, kBuckets) : singleRow(kStock, kBuckets);
        const auto add = spread ? spreadRows(units, kBuckets) : singleRow(units, kBuckets);
        for (std::size_t b = 0; b < want.size(); ++b)
            want[b] += add[b];
        const auto got = rows(rig->store, sku);
        QVERIFY2(got == want, qPrintable(QStringLiteral("sku %1: %2, want %3").arg(sku).arg(show(got), show(want))));
    }
    QCOMPARE(rig->store.supplied(), kStock + units);
    QCOMPARE(underControl(*rig.rt, [&] { return rig->store.suppliedPerSku(); }), kStock + units);
    QCOMPARE(underControl(*rig.rt, [&] { return rig->store.totalStock(); }), (kStock + units) * kSkus);
    QVERIFY(test::hasMarker(rig.rt->markers(), "restock +" + std::to_string(units)));
}

void TestStockStore::restockBound_data()
{
    QTest::addColumn<qint64>("units");
    QTest::addColumn<bool>("ok");
    constexpr std::int64_t kStock = 1000;
    const std::int64_t headroom = kMaxStock - kStock;
    QTest::newRow("zero") << qint64(0) << false;
    QTest::newRow("negative") << qint64(-5) << false;
    QTest::newRow("one") << qint64(1) << true;
    QTest::newRow("up to the headroom") << qint64(headroom) << true;
    QTest::newRow("past the headroom") << qint64(headroom + 1) << false;
}

void TestStockStore::restockBound()
{
    QFETCH(qint64, units);
    QFETCH(bool, ok);
    constexpr std::int64_t kStock = 1000;
    auto rig = makeStore(kStock, 2, 1, false);
    const auto r = underControl(*rig.rt, [&] { return rig->store.restock(units); });
    QCOMPARE(r.ok, ok);
    if (ok) {
        QCOMPARE(rig->store.supplied(), kStock + units);
        return;
    }
    // The message gives the range left under the stock limit, in the limit table's words.
    const std::string want = "restock: units " + limits::describe(1, static_cast<double>(kMaxStock - kStock), false);
    QCOMPARE(QString::fromStdString(r.error), QString::fromStdString(want));
    QCOMPARE(QString::fromStdString(r.error), QStringLiteral("restock: units must be between 1 and 1099511626776"));
    QCOMPARE(rig->store.supplied(), kStock);
    QCOMPARE(rig->store.skuStock(0), kStock);
}

void TestStockStore::setSpreadRebalancesAndConserves()
{
    constexpr std::int64_t kStock = 1003;
    constexpr int kBuckets = 8;
    auto rig = makeStore(kStock, kBuckets, 2, false);
    rig.rt->start();
    // No row is locked, so the move completes within the command.
    underControl(*rig.rt, [&] { rig->store.setSpread(true); });
    for (int sku = 0; sku < 2; ++sku)
        QVERIFY2(rows(rig->store, sku) == spreadRows(kStock, kBuckets), qPrintable(show(rows(rig->store, sku))));
    underControl(*rig.rt, [&] { rig->store.setSpread(false); });
    for (int sku = 0; sku < 2; ++sku)
        QVERIFY2(rows(rig->store, sku) == singleRow(kStock, kBuckets), qPrintable(show(rows(rig->store, sku))));
    // Spreading again after sales elsewhere spreads what is left, not the initial stock.
    QVERIFY(rig->store.deductForOrder(0));
    underControl(*rig.rt, [&] { rig->store.setSpread(true); });
    QVERIFY2(rows(rig->store, 0) == spreadRows(kStock - 1, kBuckets), qPrintable(show(rows(rig->store, 0))));
    QCOMPARE(rig->store.skuStock(1), kStock);
}

void TestStockStore::rebalanceWaitsForLockedRows()
{
    constexpr std::int64_t kStock = 80;
    constexpr int kBuckets = 4;
    auto rig = makeStore(kStock, kBuckets, 1, true);
    Runtime &rt = *rig.rt;
    rt.start();
    Request *holder = onShard(rt, 0, [&](Shard &s) {
        Request *r = lockRequest(rt, s, 2);
        return rig->store.row(0, 2).lockOrWait(r) ? r : nullptr;
    });
    QVERIFY(holder);
    underControl(rt, [&] { rig->store.setSpread(false); });
    // Bucket 2 is locked: its units stay until the holder lets go. Under the control mutex the
    // store never shows units in transit between rows.
    QCOMPARE(rig->store.row(0, 2).value(), kStock / kBuckets);
    QCOMPARE(underControl(rt, [&] { return rig->store.totalStock(); }), kStock);
    auto snap = test::nextTick(rt);
    QVERIFY(snap);
    QCOMPARE(snap->store->hotRows[2].locked, true);
    QCOMPARE(snap->recent.back().store->stockRemaining, kStock);

    onShard(rt, 0, [&](Shard &s) {
        rig->store.releaseLock(s, holder, 0);
        s.free(holder);
        return 0;
    });
    QVERIFY2(test::eventually([&] { return rig->store.row(0, 0).value() == kStock; }),
        qPrintable(QStringLiteral("bucket 0 should collect every unit: %1").arg(show(rows(rig->store, 0)))));
    QVERIFY(rows(rig->store, 0) == singleRow(kStock, kBuckets));
}

void TestStockStore::lockHandsOffFifoAndCountsWaits()
{
    constexpr std::int64_t kStock = 10;
    auto rig = makeStore(kStock, 1, 1, false);
    Runtime &rt = *rig.rt;
    rt.start();
    StockRow &row = rig->store.row(0, 0);
    std::vector<Request *> waiters;
    Request *first = onShard(rt, 0, [&](Shard &s) {
        Request *a = lockRequest(rt, s, 0);
        if (!row.lockOrWait(a))
            return static_cast<Request *>(nullptr);
        rig->store.granted(s, a);
        for (int i = 0; i < 3; ++i) {
            Request *w = lockRequest(rt, s, 0);
            w->user = static_cast<std::uint64_t>(i);
            if (row.lockOrWait(w))
                return static_cast<Request *>(nullptr); // must have queued
            waiters.push_back(w);
        }
        return a;
    });
    QVERIFY2(first, "the first request takes the lock, the next three queue");
    QCOMPARE(row.waiters(), 3);
    auto snap = test::nextTick(rt);
    QVERIFY(snap);
    QCOMPARE(snap->store->hotRows[0].locked, true);
    QCOMPARE(snap->store->hotRows[0].waiters, 3);

    // Each holder takes a unit and releases: the oldest waiter holds the row next.
    std::vector<Request *> order;
    Request *holder = first;
    for (int k = 0; k < 3; ++k) {
        onShard(rt, 0, [&](Shard &s) {
            rig->store.releaseLock(s, holder, -1);
            s.free(holder);
            return 0;
        });
        test::settle(rt, 0);
        const auto got = onShard(rt, 0, [&](Shard &) { return std::exchange(rig->handed[0], {}); });
        QCOMPARE(got.size(), std::size_t(1));
        QVERIFY2(got[0]->holdsLock, "a handed-over request holds the row");
        QVERIFY(row.locked());
        order.push_back(got[0]);
        holder = got[0];
    }
    QVERIFY2(order == waiters, "waiters get the row first in, first out");
    onShard(rt, 0, [&](Shard &s) {
        rig->store.releaseLock(s, holder, -1);
        s.free(holder);
        return 0;
    });
    QVERIFY(!row.locked());
    QCOMPARE(row.waiters(), 0);
    QCOMPARE(row.value(), kStock - 4);

    // The ticks report waits and holds: three handed-over waits, four holds.
    snap = test::nextTick(rt);
    QVERIFY(snap);
    double waitMean = 0, waitMax = 0, holdMean = 0;
    for (const auto &x : rt.timeline()) {
        waitMean = std::max(waitMean, x.store->lockWaitMeanMs);
        waitMax = std::max(waitMax, x.store->lockWaitMaxMs);
        holdMean = std::max(holdMean, x.store->lockHoldMeanMs);
    }
    QVERIFY2(waitMean > 0, "queued requests waited for the lock");
    QVERIFY2(waitMax >= waitMean, qPrintable(QStringLiteral("max %1 < mean %2").arg(waitMax).arg(waitMean)));
    QVERIFY2(holdMean > 0, "holders held the lock for some time");
    QCOMPARE(snap->recent.back().store->stockRemaining, kStock - 4);
    // Ticks without lock traffic report none.
    snap = test::nextTick(rt);
    QVERIFY(snap);
    QCOMPARE(snap->recent.back().store->lockWaitMeanMs, 0.0);
    QCOMPARE(snap->recent.back().store->lockHoldMeanMs, 0.0);
}

void TestStockStore::deductForOrderTakesFromAnyBucket()
{
    // Three units spread over eight buckets: buckets 0..2 hold one each.
    auto rig = makeStore(3, 8, 1, true);
    Runtime &rt = *rig.rt;
    rt.start();
    Request *holder = onShard(rt, 0, [&](Shard &s) {
        Request *r = lockRequest(rt, s, 0);
        return rig->store.row(0, 0).lockOrWait(r) ? r : nullptr;
    });
    QVERIFY(holder);
    // A queued order's write ignores the lock; the holder's later delta of 0 keeps it.
    for (int k = 0; k < 3; ++k)
        QVERIFY2(rig->store.deductForOrder(0), qPrintable(QStringLiteral("unit %1 of 3").arg(k + 1)));
    QVERIFY2(!rig->store.deductForOrder(0), "no unit is left");
    QCOMPARE(rig->store.skuStock(0), std::int64_t(0));
    onShard(rt, 0, [&](Shard &s) {
        rig->store.releaseLock(s, holder, 0);
        s.free(holder);
        return 0;
    });
    QCOMPARE(rig->store.skuStock(0), std::int64_t(0));
    QVERIFY(!rig->store.row(0, 0).locked());
}

QTEST_GUILESS_MAIN(TestStockStore)
#include "tst_stockstore.moc"
