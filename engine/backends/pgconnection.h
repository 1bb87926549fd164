#pragma once

// One libpq connection to PostgreSQL. Set-up and control statements are blocking (exec(), on the
// thread that builds or commands the engine); the request path is asynchronous on one io_context:
// send() hands libpq a statement, the socket's readiness is Asio's (stream_descriptor::async_wait),
// and the handler runs on that context's thread once every result is in. So an engine thread
// never blocks on the database, and a connection never has two statements in flight.
//
// Invariant: between send() and its completion the connection belongs to that one statement;
// the owner learns of the completion through the handler given at construction (no allocation
// per statement on our side). close() runs on the context's thread: it cancels the wait, so
// the thread's io_context can run out of work and end.

#include <boost/asio/io_context.hpp>
#include <boost/asio/posix/stream_descriptor.hpp>

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

struct pg_conn;
struct pg_result;

namespace stampede::pg {

struct ResultDeleter {
    void operator()(pg_result *r) const;
};
using Result = std::unique_ptr<pg_result, ResultDeleter>;

// Reads of one result (nullptr-safe: an absent result has no rows).
int rows(const pg_result *r);
std::int64_t integer(const pg_result *r, int row, int column); // 0 when NULL
bool failed(const pg_result *r); // an error status (or no result at all)
std::string message(const pg_result *r);

// Quotes nothing: statements are built from numbers only, or are prepared with parameters.
class Connection {
public:
    // Called on the io_context's thread when a sent statement has all its results (or failed).
    using Done = std::function<void(Connection &)>;

    Connection(boost::asio::io_context &io, Done done);
    ~Connection();
    Connection(const Connection &) = delete;
    Connection &operator=(const Connection &) = delete;

    // Blocking: connects, then switches to non-blocking mode for send(). The error names the
    // server ("127.0.0.1:5433: connection refused") and never holds the password.
    bool open(const std::string &conninfo, std::string *error);
    bool isOpen() const { return m_conn != nullptr; }
    int serverVersion() const; // 150018 for 15.18; 0 when not connected

    // Blocking, for set-up and control: every statement in sql, the last result returned. An
    // error result (or a lost connection) leaves *error set and returns nullptr.
    Result exec(const std::string &sql, std::string *error);
    Result execParams(const std::string &sql, const std::vector<std::string> &params, std::string *error);
    bool prepare(const char *name, const std::string &sql, int params, std::string *error);

    // ---- asynchronous (the io_context's thread; one at a time) ----
    // A prepared statement with text parameters (the values are copied by libpq at once).
    void sendPrepared(const char *name, int count, const char *const *values);
    // One string of statements (simple query protocol): every result is kept.
    void sendQuery(const char *sql);
    bool busy() const { return m_busy; }
    // After completion: every result, in order; the error of the first that failed, if any.
    const std::vector<Result> &results() const { return m_results; }
    const pg_result *last() const { return m_results.empty() ? nullptr : m_results.back().get(); }
    const std::string &error() const { return m_error; }
    bool ok() const { return m_error.empty(); }
    void close(); // cancels a pending wait; the connection is gone (isOpen() false)

    // Any object the owner keeps with the statement in flight (the request it serves).
    void *tag = nullptr;

private:
    void started(bool sent);
    void flush();
    void waitReadable();
    void readable();
    void complete();
    void fail(std::string why);

    boost::asio::io_context &m_io;
    Done m_done;
    pg_conn *m_conn = nullptr;
    std::unique_ptr<boost::asio::posix::stream_descriptor> m_socket;
    std::vector<Result> m_results;
    std::string m_error;
    bool m_busy = false;
};

} // namespace stampede::pg
