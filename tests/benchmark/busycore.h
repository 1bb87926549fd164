#pragma once

// "One busy process on a core": a child process that spins on one CPU for as long as this object
// lives, so the efficiency section can show what a competing program does to the engine's
// modeled latencies. The child dies with the benchmark (PR_SET_PDEATHSIG), also when it is
// killed.

#include <sys/types.h>

namespace stampede::bench {

class BusyCore {
public:
    explicit BusyCore(int cpu);
    ~BusyCore();
    BusyCore(const BusyCore &) = delete;
    BusyCore &operator=(const BusyCore &) = delete;

    bool running() const { return m_pid > 0; }
    int cpu() const { return m_cpu; }

private:
    pid_t m_pid = -1;
    int m_cpu = 0;
};

} // namespace stampede::bench
