#include "pgconnection.h"

#include <libpq-fe.h>

#include <boost/asio/post.hpp>

#include <cstdlib>

namespace stampede::pg {

namespace {

// libpq's messages end in a newline and may run on with hints: the first line says it.
std::string firstLine(const char *text)
{
    std::string s = text ? text : "";
    if (const auto eol = s.find('\n'); eol != std::string::npos)
        s.resize(eol);
    while (!s.empty() && (s.back() == ' ' || s.back() == '\r'))
        s.pop_back();
    return s.empty() ? "unknown error" : s;
}

} // namespace

void ResultDeleter::operator()(pg_result *r) const { PQclear(r); }

int rows(const pg_result *r) { return r ? PQntuples(r) : 0; }

std::int64_t integer(const pg_result *r, int row, int column)
{
    if (!r || row >= PQntuples(r) || column >= PQnfields(r) || PQgetisnull(r, row, column))
        return 0;
    return std::strtoll(PQgetvalue(r, row, column), nullptr, 10);
}

bool failed(const pg_result *r)
{
    if (!r)
        return true;
    const ExecStatusType s = PQresultStatus(r);
    return s == PGRES_BAD_RESPONSE || s == PGRES_FATAL_ERROR || s == PGRES_NONFATAL_ERROR;
}

std::string message(const pg_result *r) { return r ? firstLine(PQresultErrorMessage(r)) : "no result"; }

Connection::Connection(boost::asio::io_context &io, Done done)
    : m_io(io)
    , m_done(std::move(done))
{
}

Connection::~Connection()
{
    if (m_socket)
        m_socket->release(); // libpq owns the descriptor and closes it
    if (m_conn)
        PQfinish(m_conn);
}

bool Connection::open(const std::string &conninfo, std::string *error)
{
    m_conn = PQconnectdb(conninfo.c_str());
    if (!m_conn || PQstatus(m_conn) != CONNECTION_OK) {
        *error = m_conn ? firstLine(PQerrorMessage(m_conn)) : "out of memory";
        if (m_conn)
            PQfinish(m_conn);
        m_conn = nullptr;
        return false;
    }
    // Notices (DROP … CASCADE lists what it drops) are not errors: nobody reads them.
    PQsetNoticeProcessor(
        m_conn, [](void *, const char *) {}, nullptr);
    if (PQsetnonblocking(m_conn, 1) != 0) {
        *error = firstLine(PQerrorMessage(m_conn));
        return false;
    }
    m_socket = std::make_unique<boost::asio::posix::stream_descriptor>(m_io, PQsocket(m_conn));
    return true;
}

int Connection::serverVersion() const { return m_conn ? PQserverVersion(m_conn) : 0; }

Result Connection::exec(const std::string &sql, std::string *error) { return execParams(sql, {}, error); }

Result Connection::execParams(const std::string &sql, const std::vector<std::string> &params, std::string *error)
{
    if (!m_conn) {
        *error = "not connected";
        return nullptr;
    }
    // Blocking use of a non-blocking connection: PQexec* flush in a loop by themselves.
    std::vector<const char *> values;
    for (const std::string &p : params)
        values.push_back(p.c_str());
    Result r(params.empty() ? PQexec(m_conn, sql.c_str())
                            : PQexecParams(m_conn, sql.c_str(), static_cast<int>(values.size()), nullptr, values.data(),
                                nullptr, nullptr, 0));
    if (failed(r.get())) {
        *error = r ? message(r.get()) : firstLine(PQerrorMessage(m_conn));
        return nullptr;
    }
    return r;
}

bool Connection::prepare(const char *name, const std::string &sql, int params, std::string *error)
{
    Result r(PQprepare(m_conn, name, sql.c_str(), params, nullptr));
    if (failed(r.get())) {
        *error = std::string("prepare ") + name + ": " + (r ? message(r.get()) : firstLine(PQerrorMessage(m_conn)));
        return false;
    }
    return true;
}

void Connection::sendPrepared(const char *name, int count, const char *const *values)
{
    started(m_conn && PQsendQueryPrepared(m_conn, name, count, values, nullptr, nullptr, 0) == 1);
}

void Connection::sendQuery(const char *sql) { started(m_conn && PQsendQuery(m_conn, sql) == 1); }

void Connection::started(bool sent)
{
    m_busy = true;
    m_results.clear();
    m_error.clear();
    if (!sent) {
        m_error = m_conn ? firstLine(PQerrorMessage(m_conn)) : "not connected";
        // The owner hears of it from the loop, never from inside its own send().
        boost::asio::post(m_io, [this] { complete(); });
        return;
    }
    flush();
}

void Connection::flush()
{
    const int f = PQflush(m_conn);
    if (f < 0) {
        fail(firstLine(PQerrorMessage(m_conn)));
        return;
    }
    if (f == 1) { // the socket's buffer is full: the rest goes when it can take more
        m_socket->async_wait(
            boost::asio::posix::descriptor_base::wait_write, [this](const boost::system::error_code &ec) {
                if (!ec)
                    flush();
            });
        return;
    }
    waitReadable();
}

void Connection::waitReadable()
{
    m_socket->async_wait(boost::asio::posix::descriptor_base::wait_read, [this](const boost::system::error_code &ec) {
        if (!ec)
            readable();
    });
}

void Connection::readable()
{
    if (!PQconsumeInput(m_conn)) {
        fail(firstLine(PQerrorMessage(m_conn)));
        return;
    }
    while (!PQisBusy(m_conn)) {
        pg_result *r = PQgetResult(m_conn);
        if (!r) {
            complete();
            return;
        }
        if (m_error.empty() && failed(r))
            m_error = message(r);
        m_results.emplace_back(r);
    }
    waitReadable();
}

void Connection::fail(std::string why)
{
    if (m_error.empty())
        m_error = std::move(why);
    complete();
}

void Connection::complete()
{
    m_busy = false;
    if (m_done)
        m_done(*this);
}

void Connection::close()
{
    if (m_socket) {
        boost::system::error_code ec;
        m_socket->cancel(ec);
        m_socket->release();
        m_socket.reset();
    }
    if (m_conn)
        PQfinish(m_conn);
    m_conn = nullptr;
}

} // namespace stampede::pg
