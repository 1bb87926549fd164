#pragma once

// The stock store on a real PostgreSQL (store.backend "postgres"): the same strategies as the
// embedded store (subsystems/stockstore.h), as the statements an application would send:
//   naive     SELECT stock; then UPDATE … SET stock = <value read − 1> with the order insert, in
//             separate statements at READ COMMITTED: two buyers that read the same value both
//             write it, a real lost update;
//   row-lock  BEGIN; SELECT … FOR UPDATE; UPDATE; INSERT order; COMMIT (the row lock spans the
//             client's check);
//   atomic    UPDATE … SET stock = stock − 1 WHERE … AND stock > 0, the order insert in the same
//             statement (one transaction);
//   sharded   the same on bucket rows: the user's bucket, then the next ones (store.probes).
// Each engine thread has its own connections (store.connections over the threads: the pool's
// size is the concurrency the database sees); a purchase that finds them all busy waits for one
// in FIFO order. Statements are asynchronous on the thread's io_context (backends/pgconnection.h).
//
// Resets and epochs: every stock row carries the engine's epoch and every write names it, so a
// statement of a request from before a reset changes nothing; orders carry their epoch and the
// audit counts the current one only. Control statements (reset, restock, the layout for
// `sharded`, the audit) are blocking, on the control thread, a few round trips each.
// A run's tables live in a schema of its own, dropped when the engine goes.

#include "config.h"
#include "ownedcounter.h"

#include <atomic>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

namespace stampede {

class Runtime;
class Shard;
struct Request;

namespace pg {
class Connection;
class Server;
} // namespace pg

class PgStore {
public:
    enum class Answer : std::uint8_t { Took, SoldOut, Failed };

    // Connects (starting a private server when config.url is empty) and lays out the stock.
    // Throws std::runtime_error with one line naming the server when that fails.
    PgStore(Runtime &rt, const StoreConfig &config, int skus, std::int64_t stockPerSku, bool spread);
    ~PgStore();
    PgStore(const PgStore &) = delete;
    PgStore &operator=(const PgStore &) = delete;

    // ---- request path (r's shard thread) ----
    // Runs r->strategy's statements for r->sku; when they are done, r continues on its shard
    // (Shard::dispatch) with r->pgAnswer set.
    void purchase(Shard &s, Request *r);
    // Shutting down, on shard i's thread: its connections close and cancel their waits.
    void closeShard(int shard);

    // ---- control (control mutex held) ----
    void reset(std::uint64_t epoch, bool spread);
    std::string restock(std::int64_t units, bool spread); // error text, empty when done
    std::string setSpread(bool spread);
    void closeSampler(); // shutting down, on the control thread: cancels the tick's read
    void tick(); // asks for the rows again (answered on the control thread before a later tick)
    std::int64_t sampledStock() const; // all SKUs, from the last answer
    std::int64_t sampledSkuStock(int sku) const;
    std::vector<std::int64_t> sampledHotRows() const; // SKU 0's buckets
    int sampledLockWaiters() const; // sessions waiting for a lock at the last answer

    struct SkuAudit {
        std::int64_t orders = 0; // rows in orders (this epoch)
        std::int64_t distinctOrders = 0; // distinct order keys among them
        std::int64_t remaining = 0; // SUM(stock) over the SKU's rows
    };
    // From the database, per SKU; empty when it cannot be read (firstError() then says why).
    std::vector<SkuAudit> audit();

    std::uint64_t errors() const;
    std::string firstError() const;
    std::string serverUrl() const { return m_url; } // no password
    bool startedServer() const { return m_server != nullptr; }
    std::string serverVersion() const { return m_version; }
    int connections() const { return m_connectionCount; }

private:
    struct Pool;
    enum class Step : std::uint8_t { NaiveRead, NaiveWrite, RowSelect, RowCommit, Rollback, Take };
    void start(Pool &p, pg::Connection &c, Request *r);
    void done(int shard, pg::Connection &c);
    void sendTake(Pool &p, pg::Connection &c, Request *r);
    void rollbackThen(pg::Connection &c, Request *r, Answer a);
    void finish(Pool &p, pg::Connection &c, Request *r, Answer a);
    void sampled(pg::Connection &c);
    std::string layoutSql(const std::string &total, bool spread) const;
    void noteError(const std::string &e);

    Runtime &m_rt;
    const int m_skus;
    const int m_buckets;
    const int m_probes;
    const std::int64_t m_initial;
    std::shared_ptr<pg::Server> m_server; // null when connected to the user's server
    std::string m_conninfo, m_url, m_schema, m_version;
    int m_connectionCount = 0;
    std::unique_ptr<pg::Connection> m_admin; // blocking control statements
    std::unique_ptr<pg::Connection> m_sampler; // the tick's asynchronous read, on the control thread
    std::vector<std::unique_ptr<Pool>> m_pools; // one per shard
    std::atomic<std::uint64_t> m_epoch { 0 };

    mutable std::mutex m_sampleMutex; // the sampler's answer: written on the control thread's loop
    std::vector<std::int64_t> m_rows; // sku * buckets + bucket
    int m_lockWaiters = 0;

    mutable std::mutex m_errorMutex;
    std::string m_firstError;
};

} // namespace stampede
