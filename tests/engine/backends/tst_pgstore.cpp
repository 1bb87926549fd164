// The stock store on a real PostgreSQL (engine/backends/pgstore.h), started by the test from
// Debian's postgresql-15 on a loopback port it picks, in a temporary directory (pg::Server):
// `naive` oversells on a real database under contention, the safe strategies never do, a reset
// starts clean, a layout change keeps every unit, a refused connection is one line, and the
// server and its directory are gone after the run.
//
// The audit is the database's (orders counted against the supplied stock). Timing: snapshots
// are polled with generous deadlines that only bound a failure.

#include "engine.h"
#include "pgconnection.h"
#include "pgserver.h"

#include "audittext.h"
#include "enginewait.h"

#include <QTest>

#include <signal.h>
#include <sys/wait.h>

#include <algorithm>
#include <filesystem>
#include <memory>
#include <string>
#include <thread>

using namespace stampede;

Q_DECLARE_METATYPE(stampede::Strategy)

namespace {

constexpr double kDeadlineS = 60.0;

EngineConfig contended(Strategy s, std::int64_t stock)
{
    EngineConfig c;
    c.name = "pg-test";
    c.strategy = s;
    c.stock = stock;
    c.threads = 2;
    c.traffic.mode = TrafficMode::Closed;
    c.traffic.clients = 48; // more shoppers than connections: the pool is the concurrency
    c.nodes.count = 2;
    c.nodes.capacity = 64;
    c.nodes.serviceMs = 0;
    c.store.backend = StoreBackend::Postgres;
    c.store.connections = 16;
    c.store.buckets = 4;
    return c;
}

using test::auditText;

// Runs until the database's stock (as the tick samples it) is gone, then stops and audits.
RunResult sellOut(Engine &e)
{
    e.start();
    const auto soldOut = test::waitFor(
        e, [](const Snapshot &s) { return s.latest.store && s.latest.store->stockRemaining == 0 && s.soldOut > 0; },
        kDeadlineS);
    if (!soldOut)
        qWarning("the stock did not sell out within %.0f s", kDeadlineS);
    return e.stopAndDrain(10.0);
}

} // namespace

class TestPgStore : public QObject {
    Q_OBJECT

private:
    // Held for the whole test: every engine shares the one server (pg::Server::shared).
    std::shared_ptr<pg::Server> m_server;

private slots:
    void initTestCase()
    {
        std::string error;
        m_server = pg::Server::shared(&error);
        QVERIFY2(m_server, error.c_str());
        QVERIFY(m_server->port() > 0);
        QVERIFY(std::filesystem::exists(m_server->directory()));
    }

    void naiveOversellsOnARealDatabase()
    {
        Engine e(contended(Strategy::Naive, 300));
        const RunResult r = sellOut(e);
        // Two buyers read the same value and both write value − 1: more orders than units.
        QVERIFY2(r.audit.oversold > 0, qPrintable(auditText(r)));
        QVERIFY2(!r.audit.conserved, qPrintable(auditText(r)));
        QCOMPARE(r.audit.persisted, r.audit.supplied + r.audit.oversold);
        QVERIFY2(r.final.store && r.final.store->errors == 0, qPrintable(auditText(r)));
    }

    void safeStrategiesNeverOversell_data()
    {
        QTest::addColumn<Strategy>("strategy");
        QTest::newRow("row-lock") << Strategy::RowLock;
        QTest::newRow("atomic") << Strategy::Atomic;
        QTest::newRow("sharded") << Strategy::Sharded;
    }
    void safeStrategiesNeverOversell()
    {
        QFETCH(Strategy, strategy);
        Engine e(contended(strategy, 300));
        const RunResult r = sellOut(e);
        const Audit &a = r.audit;
        QVERIFY2(a.invariantsOk, qPrintable(auditText(r)));
        QCOMPARE(a.oversold, 0);
        QCOMPARE(a.remaining, 0); // the loop ran until the database said so
        QCOMPARE(a.persisted, a.supplied); // every unit became exactly one order
        QCOMPARE(a.confirmed, a.persisted); // nothing was lost between the commit and the answer
        QCOMPARE(r.final.failed, 0);
        QVERIFY2(r.final.store && r.final.store->errors == 0, qPrintable(auditText(r)));
        QVERIFY(r.final.store->serverStarted);
        QCOMPARE(r.final.store->connections, 16);
        // row-lock: the database's row lock shows in the lock charts (48 shoppers on 16
        // connections queue for it); the others take no lock of their own
        double wait = 0, hold = 0;
        for (const TickSample &x : r.timeline)
            if (x.store) {
                wait = std::max(wait, x.store->lockWaitMeanMs);
                hold = std::max(hold, x.store->lockHoldMeanMs);
            }
        if (strategy == Strategy::RowLock) {
            QVERIFY2(wait > 0 && hold > 0, qPrintable(QString::number(wait) + u' ' + QString::number(hold)));
        } else {
            QCOMPARE(wait, 0.0);
            QCOMPARE(hold, 0.0);
        }
    }

    // A reset mid-sale: the database's stock is back to the initial units, the orders of before
    // are not counted, and the sale after it audits clean.
    void resetStartsClean()
    {
        Engine e(contended(Strategy::Atomic, 200));
        e.start();
        QVERIFY(test::waitFor(
            e, [](const Snapshot &s) { return s.succeeded > 50; }, kDeadlineS));
        QVERIFY(e.reset().ok);
        QVERIFY(test::waitFor(
            e, [](const Snapshot &s) { return s.succeeded > 20 && s.t > 0; }, kDeadlineS));
        const auto done = test::waitFor(
            e, [](const Snapshot &s) { return s.latest.store && s.latest.store->stockRemaining == 0 && s.soldOut > 0; },
            kDeadlineS);
        QVERIFY(done);
        const RunResult r = e.stopAndDrain(10.0);
        QVERIFY2(r.audit.invariantsOk, qPrintable(auditText(r)));
        QCOMPARE(r.audit.persisted, 200);
    }

    // atomic → sharded → atomic: the units move between the one row and the buckets in a
    // transaction that locks them all, so none is lost or made up. Paused around the switches, so
    // the sampled rows can be compared with a stock that stands still.
    void layoutChangesKeepEveryUnit()
    {
        Engine e(contended(Strategy::Atomic, 400));
        e.start();
        QVERIFY(test::waitFor(
            e, [](const Snapshot &s) { return s.succeeded > 20; }, kDeadlineS));
        QVERIFY(e.setPaused(true).ok);
        // Purchases already admitted still run (waiting for a connection, or in a statement).
        QVERIFY(test::waitFor(
            e, [](const Snapshot &s) { return s.paused && s.latest.app && s.latest.app->inFlight == 0; }, kDeadlineS));
        auto rowsAre = [&e](bool spread) {
            return test::waitFor(
                e,
                [spread](const Snapshot &s) {
                    if (!s.store || s.store->hotRows.size() != 4 || !s.latest.store)
                        return false;
                    const std::int64_t total = s.latest.store->stockRemaining;
                    std::int64_t sum = 0;
                    bool laidOut = true;
                    for (const RowView &row : s.store->hotRows) {
                        sum += row.stock;
                        const std::int64_t want = spread ? total / 4 : (row.bucket == 0 ? total : 0);
                        laidOut = laidOut && row.stock >= want && row.stock <= want + (spread ? 1 : 0);
                    }
                    return total > 0 && sum == total && laidOut;
                },
                kDeadlineS);
        };
        // The stock when everything stood still, before any layout change.
        const auto still = test::afterTicks(e, 3, kDeadlineS);
        QVERIFY(still && still->latest.store);
        const std::int64_t units = still->latest.store->stockRemaining;
        QVERIFY(e.switchStrategy(Strategy::Sharded).ok);
        const auto spread = rowsAre(true);
        QVERIFY2(spread, "the stock never showed spread evenly over the buckets");
        QVERIFY(e.switchStrategy(Strategy::Atomic).ok);
        const auto single = rowsAre(false);
        QVERIFY2(single, "the stock never came back to the one row");
        QCOMPARE(spread->latest.store->stockRemaining, units);
        QCOMPARE(single->latest.store->stockRemaining, units);
        QVERIFY(e.setPaused(false).ok);
        const RunResult r = sellOut(e);
        QVERIFY2(r.audit.invariantsOk, qPrintable(auditText(r)));
        QCOMPARE(r.audit.persisted, 400);
    }

    void unsupportedCombinationsAreRefused()
    {
        EngineConfig c = contended(Strategy::CacheQueue, 10);
        c.cache.nodes = 2;
        QVERIFY(validate(c).find("cache-queue") != std::string::npos);
        c = contended(Strategy::Atomic, 10);
        c.traffic.readRatio = 5;
        QVERIFY(validate(c).find("traffic.read_ratio") != std::string::npos);
        c = contended(Strategy::Atomic, 10);
        c.store.url = "mysql://somewhere";
        QVERIFY(validate(c).find("store.url") != std::string::npos);

        Engine e(contended(Strategy::Atomic, 10));
        const CommandResult r = e.switchStrategy(Strategy::CacheQueue);
        QVERIFY(!r.ok);
        QVERIFY(r.error.find("postgres") != std::string::npos);
    }

    // Nobody listens on port 1: one line naming the server, at once (connect_timeout bounds it).
    void refusedConnectionIsOneLine()
    {
        EngineConfig c = contended(Strategy::Atomic, 10);
        c.store.url = "postgresql://stampede:secret@127.0.0.1:1/postgres?connect_timeout=5";
        try {
            Engine e(c);
            QFAIL("an engine was built without its database");
        } catch (const std::exception &ex) {
            const std::string what = ex.what();
            QVERIFY2(what.find("127.0.0.1") != std::string::npos, what.c_str());
            QVERIFY2(what.find('\n') == std::string::npos, what.c_str());
            QVERIFY2(what.find("secret") == std::string::npos, what.c_str());
        }
    }

    // PR_SET_PDEATHSIG fires when the forking thread ends: a server started on a thread that
    // ends at once (as the window's loader does) must outlive it. 200 fresh connections, each
    // with a statement, span far longer than a postmaster takes to act on a stray SIGINT.
    void serverOutlivesTheThreadThatStartedIt()
    {
        std::unique_ptr<pg::Server> server;
        std::string error;
        std::thread starter([&] { server = pg::Server::start(&error); });
        starter.join();
        QVERIFY2(server, error.c_str());
        for (int i = 0; i < 200; ++i) {
            boost::asio::io_context io;
            pg::Connection c(io, nullptr);
            QVERIFY2(c.open(server->conninfo(), &error), error.c_str());
            QVERIFY2(c.exec("SELECT 1", &error), error.c_str());
        }
        int status = 0;
        QCOMPARE(::waitpid(server->pid(), &status, WNOHANG), 0); // running, not a zombie
    }

    // Last: the server stops and its directory goes once its last user is gone.
    void serverGoneAfterTheRun()
    {
        const pid_t pid = m_server->pid();
        const std::string dir = m_server->directory();
        QVERIFY(::kill(pid, 0) == 0);
        {
            Engine e(contended(Strategy::Atomic, 10));
            e.start();
            e.stopAndDrain(5.0);
        }
        m_server.reset(); // the engine above released its share already
        QVERIFY2(::kill(pid, 0) != 0, "the postmaster still runs");
        QVERIFY2(!std::filesystem::exists(dir), dir.c_str());
    }
};

QTEST_GUILESS_MAIN(TestPgStore)
#include "tst_pgstore.moc"
