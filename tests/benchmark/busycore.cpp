#include "busycore.h"

#include <sched.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

namespace stampede::bench {

BusyCore::BusyCore(int cpu)
    : m_cpu(cpu)
{
    const pid_t parent = ::getpid();
    m_pid = ::fork();
    if (m_pid != 0)
        return; // the benchmark (or fork failed: m_pid < 0, running() is false)
    // The child: only system calls from here on (the parent has threads).
    ::prctl(PR_SET_PDEATHSIG, SIGKILL);
    if (::getppid() != parent)
        ::_exit(0); // the parent died before the line above
    cpu_set_t set;
    CPU_ZERO(&set);
    CPU_SET(cpu, &set);
    ::sched_setaffinity(0, sizeof(set), &set);
    volatile unsigned long x = 1;
    for (;;)
        x = x * 6364136223846793005UL + 1442695040888963407UL;
}

BusyCore::~BusyCore()
{
    if (m_pid <= 0)
        return;
    ::kill(m_pid, SIGKILL);
    int status = 0;
    ::waitpid(m_pid, &status, 0);
}

} // namespace stampede::bench
