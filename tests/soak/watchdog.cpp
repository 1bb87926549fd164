#include "watchdog.h"

#include <QByteArray>

#include <array>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <cstring>

#include <fcntl.h>
#include <unistd.h>

namespace stampede::soak {

Watchdog::Watchdog(double stallS, double giveUpS, QString logFile, std::uint64_t seed)
    : m_stallMs(std::int64_t(stallS * 1000))
    , m_giveUpMs(std::int64_t(giveUpS * 1000))
    , m_logFile(logFile.toStdString())
    , m_seed(seed)
    , m_lastBeatMs(nowMs())
{
    m_thread = std::thread([this] { run(); });
}

Watchdog::~Watchdog()
{
    {
        std::lock_guard lock(m_mutex);
        m_stop = true;
    }
    m_wake.notify_all();
    m_thread.join();
}

std::int64_t Watchdog::nowMs()
{
    return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now().time_since_epoch())
        .count();
}

void Watchdog::beat() { m_lastBeatMs.store(nowMs()); }

void Watchdog::actionStarted(const QString &label)
{
    {
        std::lock_guard lock(m_mutex);
        m_label = label.toStdString();
    }
    m_actionSinceMs.store(nowMs());
}

void Watchdog::actionEnded() { m_actionSinceMs.store(-1); }

void Watchdog::say(const std::string &line)
{
    std::fprintf(stderr, "%s\n", line.c_str());
    std::fflush(stderr);
    if (m_logFile.empty())
        return;
    if (std::FILE *f = std::fopen(m_logFile.c_str(), "a")) {
        std::fprintf(f, "%s\n", line.c_str());
        std::fclose(f);
    }
}

void Watchdog::stacks()
{
    // Where it hangs, for whoever reads the log: every thread's stack, when gdb is installed.
    if (std::system("command -v gdb >/dev/null 2>&1") != 0) {
        say("soak: (install gdb for the threads' stacks of a hang)");
        return;
    }
    say("soak: the threads' stacks (gdb):");
    const std::string target = m_logFile.empty() ? std::string(">&2") : ">> '" + m_logFile + "' 2>&1";
    const std::string command = "gdb -batch -nx -p " + std::to_string(::getpid())
        + " -ex 'thread apply all bt 30' </dev/null 2>&1 | grep -E '^(Thread|#)' " + target;
    if (std::system(command.c_str()) != 0) {
        say("soak: gdb could not attach");
        return;
    }
    // and what the charts hold at that moment (chartdump.h), beside the log
    if (m_logFile.empty())
        return;
    const std::string dump = "gdb -batch -nx -p " + std::to_string(::getpid())
        + " -ex 'thread 1' -ex 'call (void)stampede_soak_dump_charts()' </dev/null >/dev/null 2>&1";
    say(std::system(dump.c_str()) == 0 ? "soak: the charts at the hang: " + m_logFile + ".charts"
                                       : std::string("soak: gdb could not dump the charts"));
}

void Watchdog::run()
{
    bool stallSaid = false;
    std::unique_lock lock(m_mutex);
    while (!m_stop) {
        // a timed wait, not a sleep: the destructor wakes it at once
        m_wake.wait_for(lock, std::chrono::milliseconds(250));
        if (m_stop)
            break;
        const std::int64_t now = nowMs();
        const std::int64_t silent = now - m_lastBeatMs.load();
        const std::int64_t since = m_actionSinceMs.load();
        const std::int64_t acting = since < 0 ? 0 : now - since;
        const std::string what = m_label.empty() ? std::string("(before the first action)") : m_label;
        const std::string seed = " (seed " + std::to_string(m_seed) + ")";
        if (silent >= m_giveUpMs || acting >= m_giveUpMs) {
            say(silent >= m_giveUpMs ? "soak: HANG: the event loop has not run for " + std::to_string(silent / 1000)
                        + " s, during " + what + seed + ": FAIL"
                                     : "soak: HANG: one action has been running for " + std::to_string(acting / 1000)
                        + " s (a dialog nobody answers?): " + what + seed + ": FAIL");
            stacks();
            std::_Exit(1);
        }
        if (silent >= m_stallMs && !stallSaid) {
            say("soak: the event loop has not run for " + std::to_string(silent / 1000) + " s, during " + what);
            stallSaid = true;
        } else if (silent < m_stallMs) {
            stallSaid = false;
        }
    }
}

// ---------------------------------------------------------------- crashes

namespace {

std::array<std::array<char, 512>, 2> g_context {};
std::atomic<int> g_current { 0 };
int g_logFd = -1;

void writeAll(int fd, const char *text)
{
    std::size_t left = std::strlen(text);
    while (left > 0) {
        const ssize_t n = ::write(fd, text, left);
        if (n <= 0)
            return;
        text += n;
        left -= std::size_t(n);
    }
}

extern "C" void onFatalSignal(int sig)
{
    // async-signal-safe only: write(2), no allocation
    char number[8] = {};
    int v = sig, i = 6;
    do {
        number[i--] = char('0' + v % 10);
        v /= 10;
    } while (v > 0 && i >= 0);
    const char *n = number + i + 1;
    for (int fd : { 2, g_logFd }) {
        if (fd < 0)
            continue;
        writeAll(fd, "soak: CRASH (signal ");
        writeAll(fd, n);
        writeAll(fd, ") during ");
        writeAll(fd, g_context[std::size_t(g_current.load())].data());
        writeAll(fd, ": FAIL\n");
    }
    std::signal(sig, SIG_DFL);
    std::raise(sig);
}

} // namespace

void installCrashHandler(const QString &logFile)
{
    if (!logFile.isEmpty())
        g_logFd = ::open(logFile.toLocal8Bit().constData(), O_WRONLY | O_APPEND | O_CLOEXEC);
    setCrashContext(QStringLiteral("start-up"));
    for (int sig : { SIGSEGV, SIGBUS, SIGFPE, SIGILL, SIGABRT }) {
        struct sigaction sa { };
        sa.sa_handler = onFatalSignal;
        sigemptyset(&sa.sa_mask);
        sa.sa_flags = SA_RESETHAND;
        sigaction(sig, &sa, nullptr);
    }
}

void setCrashContext(const QString &line)
{
    const int next = 1 - g_current.load();
    const QByteArray utf8 = line.toUtf8();
    auto &buffer = g_context[std::size_t(next)];
    const std::size_t n = std::min<std::size_t>(std::size_t(utf8.size()), buffer.size() - 1);
    std::memcpy(buffer.data(), utf8.constData(), n);
    buffer[n] = '\0';
    g_current.store(next);
}

} // namespace stampede::soak
