#include "pgstore.h"

#include "pgconnection.h"
#include "pgserver.h"
#include "request.h"
#include "runtime.h"

#include <unistd.h>

#include <algorithm>
#include <charconv>
#include <cstdio>
#include <limits>
#include <stdexcept>

namespace stampede {

namespace {

std::atomic<int> g_schemas { 0 };

// The user's URL without a password (postgresql://user:secret@host → postgresql://user@host).
std::string withoutPassword(const std::string &url)
{
    const auto scheme = url.find("://");
    const auto at = url.find('@');
    if (scheme == std::string::npos || at == std::string::npos || at < scheme)
        return url;
    const auto colon = url.find(':', scheme + 3);
    if (colon == std::string::npos || colon > at)
        return url;
    return url.substr(0, colon) + url.substr(at);
}

} // namespace

struct PgStore::Pool {
    std::vector<std::unique_ptr<pg::Connection>> connections;
    std::vector<pg::Connection *> idle;
    Request *head = nullptr; // waiting for a connection, FIFO through Request::next
    Request *tail = nullptr;
    OwnedCounter errors;
    std::uint64_t orders = 0; // order keys handed out on this thread
    // row-lock: the fastest `SELECT … FOR UPDATE` answered on this thread, the wait for no lock
    // (a round trip): what a slower one waited beyond it was the row lock's
    Nanos fastestSelect = std::numeric_limits<Nanos>::max();

    // A key no other purchase has: the shard in the top bits, this thread's count below.
    std::uint64_t orderKey(int shard) { return (static_cast<std::uint64_t>(shard) << 48) | ++orders; }
    char text[5][24] {}; // a statement's parameters as text (libpq copies them at the send)
    const char *values[5] {};
    char sql[384] {};

    void param(int i, std::int64_t v)
    {
        auto [end, ec] = std::to_chars(text[i], text[i] + sizeof text[i] - 1, v);
        *end = '\0';
        values[i] = text[i];
    }
};

PgStore::PgStore(Runtime &rt, const StoreConfig &config, int skus, std::int64_t stockPerSku, bool spread)
    : m_rt(rt)
    , m_skus(skus)
    , m_buckets(config.buckets)
    , m_probes(config.probes > 0 ? std::min(config.probes, config.buckets) : config.buckets)
    , m_initial(stockPerSku)
{
    std::string error;
    if (config.url.empty()) {
        m_server = pg::Server::shared(&error);
        if (!m_server)
            throw std::runtime_error("store.backend postgres: " + error);
        m_conninfo = m_server->conninfo();
        m_url = m_server->url();
        m_version = m_server->version();
    } else {
        m_conninfo = config.url;
        m_url = withoutPassword(config.url);
    }
    auto fail
        = [&](const std::string &what) { throw std::runtime_error("store.backend postgres: " + m_url + ": " + what); };
    m_schema = "stampede_" + std::to_string(getpid()) + "_" + std::to_string(g_schemas.fetch_add(1));
    const std::string session = "SET search_path TO " + m_schema + "; SET application_name TO '" + m_schema + "'";

    m_admin = std::make_unique<pg::Connection>(rt.control(), nullptr);
    if (!m_admin->open(m_conninfo, &error))
        fail(error);
    if (m_version.empty())
        m_version = std::to_string(m_admin->serverVersion() / 10000);
    const std::string tables = "CREATE SCHEMA " + m_schema + "; " + session
        + "; CREATE TABLE stock (sku integer NOT NULL, bucket integer NOT NULL, stock bigint NOT NULL,"
          " epoch bigint NOT NULL, PRIMARY KEY (sku, bucket));"
          " CREATE TABLE orders (id bigserial PRIMARY KEY, epoch bigint NOT NULL, sku integer NOT NULL,"
          " buyer bigint NOT NULL, order_key bigint NOT NULL);"
          " INSERT INTO stock SELECT s, b, 0, 0 FROM generate_series(0, "
        + std::to_string(skus - 1) + ") s, generate_series(0, " + std::to_string(m_buckets - 1) + ") b";
    if (!m_admin->exec(tables, &error))
        fail(error);

    m_sampler = std::make_unique<pg::Connection>(rt.control(), [this](pg::Connection &c) { sampled(c); });
    if (!m_sampler->open(m_conninfo, &error) || !m_sampler->exec(session, &error))
        fail(error);

    // The pool: store.connections spread over the engine threads, at least one each.
    const int shards = rt.shardCount();
    for (int i = 0; i < shards; ++i) {
        auto pool = std::make_unique<Pool>();
        const int n = std::max(1, config.connections / shards + (i < config.connections % shards ? 1 : 0));
        for (int k = 0; k < n; ++k) {
            auto c = std::make_unique<pg::Connection>(rt.shard(i).io(), [this, i](pg::Connection &c) { done(i, c); });
            if (!c->open(m_conninfo, &error) || !c->exec(session, &error)
                || !c->prepare(
                    "naive_read", "SELECT stock FROM stock WHERE sku = $1 AND bucket = 0 AND epoch = $2", 2, &error)
                || !c->prepare("naive_write",
                    "WITH w AS (UPDATE stock SET stock = $3 WHERE sku = $1 AND bucket = 0 AND epoch = $2 RETURNING 1)"
                    " INSERT INTO orders (epoch, sku, buyer, order_key)"
                    " SELECT $2::bigint, $1::integer, $5::bigint, $4::bigint FROM w RETURNING 1",
                    5, &error)
                || !c->prepare("take",
                    "WITH t AS (UPDATE stock SET stock = stock - 1"
                    " WHERE sku = $1 AND bucket = $2 AND epoch = $3 AND stock > 0 RETURNING 1)"
                    " INSERT INTO orders (epoch, sku, buyer, order_key)"
                    " SELECT $3::bigint, $1::integer, $5::bigint, $4::bigint FROM t RETURNING 1",
                    5, &error))
                fail(error);
            pool->idle.push_back(c.get());
            pool->connections.push_back(std::move(c));
            ++m_connectionCount;
        }
        m_pools.push_back(std::move(pool));
    }
    m_rows.assign(static_cast<std::size_t>(skus * m_buckets), 0);
    reset(rt.epoch(), spread);
}

PgStore::~PgStore()
{
    m_pools.clear(); // their sessions end first: nothing holds a lock on the tables below
    m_sampler.reset();
    if (m_admin && m_admin->isOpen()) {
        std::string error;
        m_admin->exec("DROP SCHEMA " + m_schema + " CASCADE", &error);
    }
    m_admin.reset();
    // m_server goes last: the shared server stops when its last engine is gone.
}

// ---- request path ----

void PgStore::purchase(Shard &s, Request *r)
{
    Pool &p = *m_pools[static_cast<std::size_t>(s.index())];
    if (p.idle.empty()) {
        r->next = nullptr;
        if (p.tail)
            p.tail->next = r;
        else
            p.head = r;
        p.tail = r;
        return;
    }
    pg::Connection *c = p.idle.back();
    p.idle.pop_back();
    start(p, *c, r);
}

void PgStore::start(Pool &p, pg::Connection &c, Request *r)
{
    c.tag = r;
    const auto epoch = static_cast<long long>(r->epoch); // an old request's writes change nothing
    switch (r->strategy) {
    case Strategy::Naive:
        r->pgStep = static_cast<std::uint8_t>(Step::NaiveRead);
        p.param(0, r->sku);
        p.param(1, epoch);
        c.sendPrepared("naive_read", 2, p.values);
        return;
    case Strategy::RowLock:
        r->pgStep = static_cast<std::uint8_t>(Step::RowSelect);
        r->lockAsked = m_rt.shard(r->shard).now();
        r->lockGranted = 0; // not yet: FlashSale counts the lock's wait and hold only once granted
        std::snprintf(p.sql, sizeof p.sql,
            "BEGIN; SELECT stock FROM stock WHERE sku = %d AND bucket = 0 AND epoch = %lld FOR UPDATE", r->sku, epoch);
        c.sendQuery(p.sql);
        return;
    case Strategy::Atomic:
    case Strategy::Sharded:
        r->probes = 0;
        r->bucket = 0;
        if (r->strategy == Strategy::Sharded) {
            // The user's own bucket, by a multiply rather than a division (as the embedded store).
            const auto h = (r->user * 0xff51afd7ed558ccdULL) >> 32;
            r->bucket = static_cast<int>((h * static_cast<std::uint64_t>(m_buckets)) >> 32);
        }
        sendTake(p, c, r);
        return;
    case Strategy::CacheQueue:
        break; // refused by the config check and the strategy switch
    }
    finish(p, c, r, Answer::Failed);
}

void PgStore::sendTake(Pool &p, pg::Connection &c, Request *r)
{
    r->pgStep = static_cast<std::uint8_t>(Step::Take);
    p.param(0, r->sku);
    p.param(1, r->bucket);
    p.param(2, static_cast<std::int64_t>(r->epoch));
    p.param(3, static_cast<std::int64_t>(p.orderKey(r->shard)));
    p.param(4, static_cast<std::int64_t>(r->user));
    c.sendPrepared("take", 5, p.values);
}

void PgStore::done(int shard, pg::Connection &c)
{
    auto *r = static_cast<Request *>(c.tag);
    if (!r)
        return;
    Pool &p = *m_pools[static_cast<std::size_t>(shard)];
    const pg_result *last = c.last();
    switch (static_cast<Step>(r->pgStep)) {
    case Step::NaiveRead: {
        if (!c.ok()) {
            finish(p, c, r, Answer::Failed);
            return;
        }
        const std::int64_t v = pg::rows(last) ? pg::integer(last, 0, 0) : 0;
        if (v <= 0) {
            finish(p, c, r, Answer::SoldOut);
            return;
        }
        // Nothing stops another buyer reading the same value before this write lands.
        r->readValue = v;
        r->pgStep = static_cast<std::uint8_t>(Step::NaiveWrite);
        p.param(0, r->sku);
        p.param(1, static_cast<std::int64_t>(r->epoch));
        p.param(2, v - 1);
        p.param(3, static_cast<std::int64_t>(p.orderKey(r->shard)));
        p.param(4, static_cast<std::int64_t>(r->user));
        c.sendPrepared("naive_write", 5, p.values);
        return;
    }
    case Step::NaiveWrite:
        finish(p, c, r, !c.ok() ? Answer::Failed : pg::rows(last) == 1 ? Answer::Took : Answer::SoldOut);
        return;
    case Step::RowSelect: {
        if (!c.ok()) {
            rollbackThen(c, r, Answer::Failed);
            return;
        }
        {
            // The lock is granted: from here to the commit's answer it is held. Its wait is what
            // this answer took beyond the fastest one (the round trip), so lockAsked moves up by
            // that round trip and granted − asked is the wait alone.
            const Nanos now = m_rt.shard(shard).now();
            p.fastestSelect = std::min(p.fastestSelect, now - r->lockAsked);
            r->lockAsked += p.fastestSelect;
            r->lockGranted = std::max(now, r->lockAsked);
        }
        const std::int64_t v = pg::rows(last) ? pg::integer(last, 0, 0) : 0;
        if (v <= 0) {
            rollbackThen(c, r, Answer::SoldOut);
            return;
        }
        r->pgStep = static_cast<std::uint8_t>(Step::RowCommit);
        std::snprintf(p.sql, sizeof p.sql,
            "UPDATE stock SET stock = %lld WHERE sku = %d AND bucket = 0;"
            " INSERT INTO orders (epoch, sku, buyer, order_key) VALUES (%llu, %d, %llu, %llu); COMMIT",
            static_cast<long long>(v - 1), r->sku, static_cast<unsigned long long>(r->epoch), r->sku,
            static_cast<unsigned long long>(r->user), static_cast<unsigned long long>(p.orderKey(r->shard)));
        c.sendQuery(p.sql);
        return;
    }
    case Step::RowCommit:
        if (!c.ok())
            rollbackThen(c, r, Answer::Failed); // a statement failed: the rest of the string was skipped
        else
            finish(p, c, r, Answer::Took);
        return;
    case Step::Rollback:
        finish(p, c, r, static_cast<Answer>(r->pgAnswer));
        return;
    case Step::Take:
        if (!c.ok()) {
            finish(p, c, r, Answer::Failed);
            return;
        }
        if (pg::rows(last) == 1) {
            finish(p, c, r, Answer::Took);
            return;
        }
        if (r->strategy == Strategy::Sharded && ++r->probes < m_probes) {
            r->bucket = (r->bucket + 1) % m_buckets; // this bucket is empty: the next one
            sendTake(p, c, r);
            return;
        }
        finish(p, c, r, Answer::SoldOut);
        return;
    }
}

void PgStore::rollbackThen(pg::Connection &c, Request *r, Answer a)
{
    r->pgAnswer = static_cast<std::uint8_t>(a);
    r->pgStep = static_cast<std::uint8_t>(Step::Rollback);
    c.sendQuery("ROLLBACK");
}

void PgStore::finish(Pool &p, pg::Connection &c, Request *r, Answer a)
{
    if (a == Answer::Failed) {
        p.errors.add();
        noteError(c.error().empty() ? "statement failed" : c.error());
    }
    c.tag = nullptr;
    if (Request *next = p.head) { // the connection goes straight to the longest waiter
        p.head = next->next;
        if (!p.head)
            p.tail = nullptr;
        next->next = nullptr;
        start(p, c, next);
    } else {
        p.idle.push_back(&c);
    }
    r->pgAnswer = static_cast<std::uint8_t>(a);
    r->at = -1; // answered by the database at the clock's time, not at a modeled one
    m_rt.shard(r->shard).dispatch(r);
}

void PgStore::closeShard(int shard)
{
    Pool &p = *m_pools[static_cast<std::size_t>(shard)];
    for (auto &c : p.connections)
        c->close();
    p.idle.clear();
    p.head = p.tail = nullptr;
}

void PgStore::noteError(const std::string &e)
{
    std::lock_guard g(m_errorMutex);
    if (m_firstError.empty())
        m_firstError = e;
}

std::uint64_t PgStore::errors() const
{
    std::uint64_t n = 0;
    for (const auto &p : m_pools)
        n += p->errors.get();
    return n;
}

std::string PgStore::firstError() const
{
    std::lock_guard g(m_errorMutex);
    return m_firstError;
}

// ---- control ----

// The stock of one row after a layout of `total` units (an SQL expression) over the buckets.
std::string PgStore::layoutSql(const std::string &total, bool spread) const
{
    // Whole numbers only: a numeric total (SUM's type) would divide into fractions and round.
    const std::string t = "(" + total + ")::bigint", b = std::to_string(m_buckets);
    if (spread)
        return "CASE WHEN bucket < " + t + " % " + b + " THEN " + t + " / " + b + " + 1 ELSE " + t + " / " + b + " END";
    return "CASE WHEN bucket = 0 THEN " + t + " ELSE 0 END";
}

void PgStore::reset(std::uint64_t epoch, bool spread)
{
    m_epoch.store(epoch);
    std::string error;
    // Orders of earlier epochs go; a statement still in flight from one is ignored by the audit.
    if (!m_admin->exec("BEGIN; DELETE FROM orders; UPDATE stock SET epoch = " + std::to_string(epoch)
                + ", stock = " + layoutSql(std::to_string(m_initial), spread) + "; COMMIT",
            &error)) {
        m_admin->exec("ROLLBACK", &error);
        noteError("reset: " + error);
    }
    std::lock_guard g(m_sampleMutex);
    for (int sku = 0; sku < m_skus; ++sku)
        for (int b = 0; b < m_buckets; ++b) {
            std::int64_t v = b == 0 ? m_initial : 0;
            if (spread)
                v = m_initial / m_buckets + (b < m_initial % m_buckets ? 1 : 0);
            m_rows[static_cast<std::size_t>(sku * m_buckets + b)] = v;
        }
    m_lockWaiters = 0;
}

std::string PgStore::restock(std::int64_t units, bool spread)
{
    std::string error;
    if (!m_admin->exec("UPDATE stock SET stock = stock + " + layoutSql(std::to_string(units), spread), &error))
        return "restock: " + error;
    return {};
}

std::string PgStore::setSpread(bool spread)
{
    std::string error;
    // Lock every row first: under READ COMMITTED the sums below then see every committed write
    // and no purchase can change a row until the layout is in.
    const std::string sql
        = "BEGIN; SELECT 1 FROM stock FOR UPDATE; UPDATE stock s SET stock = " + layoutSql("t.total", spread)
        + " FROM (SELECT sku, sum(stock)::bigint AS total FROM stock GROUP BY sku) t WHERE s.sku = t.sku; COMMIT";
    if (!m_admin->exec(sql, &error)) {
        std::string ignored;
        m_admin->exec("ROLLBACK", &ignored);
        return "strategy: moving the stock between buckets failed: " + error;
    }
    return {};
}

void PgStore::tick()
{
    if (!m_sampler || !m_sampler->isOpen() || m_sampler->busy())
        return;
    static const std::string sql = "SELECT sku, bucket, stock FROM stock ORDER BY sku, bucket;"
                                   " SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock'"
                                   " AND application_name = current_setting('application_name')";
    m_sampler->sendQuery(sql.c_str());
}

void PgStore::sampled(pg::Connection &c)
{
    if (!c.ok() || c.results().size() < 2)
        return;
    const pg_result *rows = c.results()[0].get();
    std::lock_guard g(m_sampleMutex);
    for (int i = 0; i < pg::rows(rows); ++i) {
        const auto sku = pg::integer(rows, i, 0), b = pg::integer(rows, i, 1);
        if (sku >= 0 && sku < m_skus && b >= 0 && b < m_buckets)
            m_rows[static_cast<std::size_t>(sku * m_buckets + b)] = pg::integer(rows, i, 2);
    }
    m_lockWaiters = static_cast<int>(pg::integer(c.results()[1].get(), 0, 0));
}

std::int64_t PgStore::sampledStock() const
{
    std::lock_guard g(m_sampleMutex);
    std::int64_t sum = 0;
    for (const auto v : m_rows)
        sum += v;
    return sum;
}

std::int64_t PgStore::sampledSkuStock(int sku) const
{
    std::lock_guard g(m_sampleMutex);
    std::int64_t sum = 0;
    for (int b = 0; b < m_buckets; ++b)
        sum += m_rows[static_cast<std::size_t>(sku * m_buckets + b)];
    return sum;
}

std::vector<std::int64_t> PgStore::sampledHotRows() const
{
    std::lock_guard g(m_sampleMutex);
    return { m_rows.begin(), m_rows.begin() + m_buckets };
}

int PgStore::sampledLockWaiters() const
{
    std::lock_guard g(m_sampleMutex);
    return m_lockWaiters;
}

std::vector<PgStore::SkuAudit> PgStore::audit()
{
    std::string error;
    const std::string epoch = std::to_string(m_epoch.load());
    pg::Result r = m_admin->exec(
        "SELECT s.sku, s.remaining, coalesce(o.n, 0), coalesce(o.d, 0)"
        " FROM (SELECT sku, sum(stock) AS remaining FROM stock GROUP BY sku) s"
        " LEFT JOIN (SELECT sku, count(*) AS n, count(DISTINCT order_key) AS d FROM orders WHERE epoch = "
            + epoch + " GROUP BY sku) o USING (sku) ORDER BY s.sku",
        &error);
    std::vector<SkuAudit> out;
    if (!r) {
        noteError("audit: " + error);
        return out;
    }
    out.resize(static_cast<std::size_t>(m_skus));
    for (int i = 0; i < pg::rows(r.get()); ++i) {
        const auto sku = pg::integer(r.get(), i, 0);
        if (sku < 0 || sku >= m_skus)
            continue;
        SkuAudit &a = out[static_cast<std::size_t>(sku)];
        a.remaining = pg::integer(r.get(), i, 1);
        a.orders = pg::integer(r.get(), i, 2);
        a.distinctOrders = pg::integer(r.get(), i, 3);
    }
    return out;
}

void PgStore::closeSampler()
{
    if (m_sampler)
        m_sampler->close();
}

} // namespace stampede
