#include "redisbench.h"

#include "benchreport.h"
#include "enginebench.h"
#include "respclient.h"

#include <QFile>
#include <QFileInfo>
#include <QProcess>
#include <QStandardPaths>

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/write.hpp>

#include <array>
#include <atomic>
#include <chrono>
#include <csignal>
#include <memory>
#include <mutex>
#include <stdexcept>
#include <thread>

#include <sys/prctl.h>
#include <sys/types.h>
#include <unistd.h>

using namespace Qt::StringLiterals;

namespace stampede::bench {

namespace asio = boost::asio;
using asio::ip::tcp;

namespace {

constexpr std::string_view kScript = "local v = tonumber(redis.call('GET', KEYS[1])); "
                                     "if v and v > 0 then redis.call('DECR', KEYS[1]) return 1 else return 0 end";
constexpr std::string_view kKey = "stock";

std::atomic<pid_t> g_redisPid { 0 };

std::uint16_t freeLoopbackPort()
{
    asio::io_context io;
    tcp::acceptor a(io, tcp::endpoint(asio::ip::address_v4::loopback(), 0));
    return a.local_endpoint().port();
}

// The redis-server child. Dies with this process even on SIGKILL (PR_SET_PDEATHSIG); stopped
// by the destructor on every other way out.
class RedisServer {
public:
    ~RedisServer() { stop(); }

    bool start(const QString &binary, QString *error)
    {
        for (int attempt = 0; attempt < 3; ++attempt) {
            m_port = freeLoopbackPort();
            m_process = std::make_unique<QProcess>();
            m_process->setProgram(binary);
            m_process->setArguments({ u"--port"_s, QString::number(m_port), u"--bind"_s, u"127.0.0.1"_s, u"--save"_s,
                QString(), u"--appendonly"_s, u"no"_s, u"--daemonize"_s, u"no"_s });
            m_process->setStandardOutputFile(QProcess::nullDevice());
            m_process->setStandardErrorFile(QProcess::nullDevice());
            m_process->setChildProcessModifier([] { ::prctl(PR_SET_PDEATHSIG, SIGKILL); });
            m_process->start();
            if (!m_process->waitForStarted(5000)) {
                *error = u"cannot start "_s + binary + u": "_s + m_process->errorString();
                m_process.reset();
                return false;
            }
            g_redisPid.store(static_cast<pid_t>(m_process->processId()));
            if (waitForPing(error))
                return true;
            stop(); // probably lost the port to someone else: try another
        }
        return false;
    }

    void stop()
    {
        if (!m_process)
            return;
        if (m_process->state() != QProcess::NotRunning) {
            m_process->terminate(); // SIGTERM: redis exits at once (nothing to save)
            if (!m_process->waitForFinished(3000)) {
                m_process->kill();
                m_process->waitForFinished(3000);
            }
        }
        g_redisPid.store(0);
        m_process.reset();
    }

    std::uint16_t port() const { return m_port; }
    qint64 pid() const { return m_process ? m_process->processId() : 0; }

private:
    bool waitForPing(QString *error)
    {
        const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(5);
        std::string why;
        while (std::chrono::steady_clock::now() < deadline) {
            if (m_process->state() == QProcess::NotRunning) {
                *error = u"redis-server exited at start (code %1)"_s.arg(m_process->exitCode());
                return false;
            }
            RespConnection c;
            if (c.connect(m_port, &why)) {
                try {
                    if (c.command({ "PING" }).text == "PONG")
                        return true;
                } catch (const std::exception &e) {
                    why = e.what();
                }
            }
            std::this_thread::sleep_for(std::chrono::milliseconds(20));
        }
        *error = u"redis-server did not answer PING within 5 s: "_s + QString::fromStdString(why);
        return false;
    }

    std::unique_ptr<QProcess> m_process;
    std::uint16_t m_port = 0;
};

// N connections, each with `depth` script calls outstanding, as fast as answers come back.
class LoadDriver {
public:
    LoadDriver(std::uint16_t port, const RedisLoad &load, const std::string &call)
        : m_port(port)
        , m_load(load)
    {
        for (int i = 0; i < load.depth; ++i)
            m_batch += call;
    }

    bool connectAll(std::string *error)
    {
        boost::system::error_code ec;
        for (int i = 0; i < m_load.connections; ++i) {
            auto c = std::make_unique<Conn>(m_io);
            c->socket.connect(tcp::endpoint(asio::ip::address_v4::loopback(), m_port), ec);
            if (ec) {
                *error = ec.message();
                return false;
            }
            c->socket.set_option(tcp::no_delay(true), ec);
            m_conns.push_back(std::move(c));
        }
        return true;
    }

    void start()
    {
        for (auto &c : m_conns)
            send(*c);
        for (int i = 0; i < m_load.clientThreads; ++i)
            m_threads.emplace_back([this] { m_io.run(); });
    }

    void stop()
    {
        m_stop.store(true);
        for (auto &t : m_threads)
            t.join();
        m_threads.clear();
    }

    std::uint64_t calls() const { return m_calls.load(std::memory_order_relaxed); }
    std::uint64_t successes() const { return m_successes.load(std::memory_order_relaxed); }
    std::uint64_t errors() const { return m_errors.load(std::memory_order_relaxed); }
    std::string firstError() const
    {
        std::lock_guard g(m_errorMutex);
        return m_firstError;
    }

private:
    struct Conn {
        explicit Conn(asio::io_context &io)
            : socket(io)
        {
        }
        tcp::socket socket;
        std::array<char, 16384> in {};
        std::string pending;
        int outstanding = 0;
    };

    void fail(const std::string &what)
    {
        std::lock_guard g(m_errorMutex);
        if (m_firstError.empty())
            m_firstError = what;
    }

    void send(Conn &c)
    {
        c.outstanding = m_load.depth;
        asio::async_write(
            c.socket, asio::buffer(m_batch), [this, &c](const boost::system::error_code &ec, std::size_t) {
                if (ec)
                    return fail(ec.message());
                read(c);
            });
    }

    void read(Conn &c)
    {
        c.socket.async_read_some(asio::buffer(c.in), [this, &c](const boost::system::error_code &ec, std::size_t n) {
            if (ec)
                return fail(ec.message());
            c.pending.append(c.in.data(), n);
            std::size_t pos = 0;
            RespValue v;
            std::uint64_t calls = 0, ok = 0, errors = 0;
            try {
                while (c.outstanding > 0 && parseResp(c.pending, pos, v)) {
                    --c.outstanding;
                    ++calls;
                    if (v.type == RespValue::Type::Integer && v.integer == 1)
                        ++ok;
                    else if (v.type != RespValue::Type::Integer)
                        ++errors;
                }
            } catch (const std::exception &e) {
                return fail(e.what());
            }
            c.pending.erase(0, pos);
            m_calls.fetch_add(calls, std::memory_order_relaxed);
            m_successes.fetch_add(ok, std::memory_order_relaxed);
            if (errors) {
                m_errors.fetch_add(errors, std::memory_order_relaxed);
                fail("error reply: " + v.text);
            }
            if (c.outstanding > 0)
                return read(c);
            if (!m_stop.load(std::memory_order_relaxed))
                send(c);
        });
    }

    asio::io_context m_io;
    std::uint16_t m_port;
    RedisLoad m_load;
    std::string m_batch;
    std::vector<std::unique_ptr<Conn>> m_conns;
    std::vector<std::thread> m_threads;
    std::atomic<bool> m_stop { false };
    std::atomic<std::uint64_t> m_calls { 0 }, m_successes { 0 }, m_errors { 0 };
    mutable std::mutex m_errorMutex;
    std::string m_firstError;
};

QString redisVersion(const QString &binary)
{
    QProcess p;
    p.start(binary, { u"--version"_s });
    if (!p.waitForFinished(5000))
        return {};
    const QString out = QString::fromUtf8(p.readAllStandardOutput()).trimmed();
    // "Redis server v=7.0.15 sha=... malloc=... bits=64 build=..."
    for (const QString &word : out.split(u' '))
        if (word.startsWith(u"v="_s))
            return word.mid(2);
    return out;
}

// CPU time of another process (utime + stime from /proc/PID/stat), in seconds.
double processCpuSeconds(qint64 pid)
{
    QFile f(u"/proc/%1/stat"_s.arg(pid));
    if (pid <= 0 || !f.open(QIODevice::ReadOnly))
        return 0;
    const QByteArray stat = f.readAll();
    // Fields after the command name, which is in parentheses and may hold spaces.
    const QList<QByteArray> p = stat.mid(stat.lastIndexOf(')') + 2).split(' ');
    if (p.size() < 13)
        return 0;
    return (p[11].toDouble() + p[12].toDouble()) / static_cast<double>(::sysconf(_SC_CLK_TCK));
}

std::int64_t getStock(RespConnection &c)
{
    const RespValue v = c.command({ "GET", kKey });
    if (v.type != RespValue::Type::Bulk)
        throw std::runtime_error("GET stock: unexpected reply");
    return std::stoll(v.text);
}

RedisLoadResult runLoad(std::uint16_t port, qint64 pid, RespConnection &admin, const std::string &call,
    const RedisLoad &load, double warmupS, double measureS)
{
    RedisLoadResult r;
    r.load = load;
    const auto initial = std::to_string(kHugeStock);
    if (admin.command({ "SET", kKey, initial }).text != "OK") {
        r.error = u"SET stock failed"_s;
        return r;
    }
    LoadDriver driver(port, load, call);
    std::string error;
    if (!driver.connectAll(&error)) {
        r.error = u"connect: "_s + QString::fromStdString(error);
        return r;
    }
    driver.start();
    std::this_thread::sleep_for(std::chrono::duration<double>(warmupS));
    const auto c0 = driver.calls();
    const auto t0 = std::chrono::steady_clock::now();
    const double server0 = processCpuSeconds(pid);
    const CpuSample cpu0 = cpuSample();
    std::this_thread::sleep_for(std::chrono::duration<double>(measureS));
    const auto c1 = driver.calls();
    const auto t1 = std::chrono::steady_clock::now();
    const double server1 = processCpuSeconds(pid);
    const CpuSample cpu1 = cpuSample();
    driver.stop();
    r.windowS = std::chrono::duration<double>(t1 - t0).count();
    r.serverCores = (server1 - server0) / r.windowS;
    r.clientCores = cpuUse(cpu0, cpu1).processCores;
    r.callsPerS = static_cast<double>(c1 - c0) / r.windowS;
    r.calls = driver.calls();
    r.successes = driver.successes();
    r.errors = driver.errors();
    if (const auto e = driver.firstError(); !e.empty()) {
        r.error = QString::fromStdString(e);
        return r;
    }
    const std::int64_t after = getStock(admin);
    r.consistent = kHugeStock - after == static_cast<std::int64_t>(r.successes);
    r.ok = true;
    return r;
}

} // namespace

QString findRedisServer()
{
    const QString env = qEnvironmentVariable("STAMPEDE_REDIS_SERVER");
    if (!env.isEmpty())
        return QFileInfo(env).isExecutable() ? env : QString();
    for (const QString &p : { u"/usr/bin/redis-server"_s, u"/usr/local/bin/redis-server"_s })
        if (QFileInfo(p).isExecutable())
            return p;
    return QStandardPaths::findExecutable(u"redis-server"_s);
}

void killRedisFromSignalHandler()
{
    if (const pid_t pid = g_redisPid.load(); pid > 0)
        ::kill(pid, SIGKILL);
}

RedisRun runRedis(const std::vector<RedisLoad> &loads, double warmupS, double measureS)
{
    RedisRun run;
    run.binary = findRedisServer();
    run.available = !run.binary.isEmpty();
    if (!run.available)
        return run;
    run.version = redisVersion(run.binary);
    RedisServer server;
    if (!server.start(run.binary, &run.error))
        return run;
    run.started = true;
    run.port = server.port();
    try {
        RespConnection admin;
        std::string error;
        if (!admin.connect(server.port(), &error))
            throw std::runtime_error("connect: " + error);
        const RespValue sha = admin.command({ "SCRIPT", "LOAD", kScript });
        if (sha.type != RespValue::Type::Bulk)
            throw std::runtime_error("SCRIPT LOAD failed: " + sha.text);
        const std::string call = encodeCommand({ "EVALSHA", sha.text, "1", kKey });
        for (const RedisLoad &load : loads) {
            progress(u"  redis: %1 connections, depth %2 ..."_s.arg(load.connections).arg(load.depth));
            run.loads.push_back(runLoad(server.port(), server.pid(), admin, call, load, warmupS, measureS));
        }
    } catch (const std::exception &e) {
        run.error = QString::fromUtf8(e.what());
    }
    server.stop();
    return run;
}

} // namespace stampede::bench
