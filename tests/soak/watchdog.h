#pragma once

// The soak's last word when the window cannot give one. A thread of its own notices when the GUI
// thread stops beating (a hang the event loop cannot report, since it is the event loop that
// hangs) or when one action has been running for too long (a dialog the soak could not answer),
// says which action it was and ends the process with exit code 1, so that CI never waits forever.
// A crash handler does the same for fatal signals, then lets the signal take its course.

#include <QString>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <mutex>
#include <string>
#include <thread>

namespace stampede::soak {

class Watchdog {
public:
    // `stallS`: a beat missing this long is reported (once per stall); `giveUpS`: the process ends.
    Watchdog(double stallS, double giveUpS, QString logFile, std::uint64_t seed);
    ~Watchdog();
    Watchdog(const Watchdog &) = delete;
    Watchdog &operator=(const Watchdog &) = delete;

    void beat(); // GUI thread, from a timer: the event loop runs
    void actionStarted(const QString &label); // GUI thread
    void actionEnded();

private:
    void run();
    void say(const std::string &line); // stderr and the log
    void stacks(); // a hang: every thread's stack into the log (or stderr)
    static std::int64_t nowMs();

    const std::int64_t m_stallMs, m_giveUpMs;
    const std::string m_logFile;
    const std::uint64_t m_seed;
    std::atomic<std::int64_t> m_lastBeatMs;
    std::atomic<std::int64_t> m_actionSinceMs { -1 };
    std::mutex m_mutex;
    std::condition_variable m_wake;
    std::string m_label; // under m_mutex
    bool m_stop = false; // under m_mutex
    std::thread m_thread;
};

// Fatal signals print "soak: CRASH (signal N) during <context>" to stderr and to `logFile`.
void installCrashHandler(const QString &logFile);
void setCrashContext(const QString &line);

} // namespace stampede::soak
