#include "pgserver.h"

#include <libpq-fe.h>

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <pwd.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <condition_variable>
#include <cstdlib>
#include <cstring>
#include <deque>
#include <filesystem>
#include <fstream>
#include <functional>
#include <future>
#include <mutex>
#include <thread>
#include <vector>

namespace stampede::pg {

namespace fs = std::filesystem;

namespace {

constexpr const char *kPrefix = "stampede-pg-";

struct Account {
    bool drop = false; // running as root: the server runs as uid/gid
    uid_t uid = 0;
    gid_t gid = 0;
};

Account serverAccount()
{
    Account a;
    if (geteuid() != 0)
        return a;
    for (const char *name : { "postgres", "nobody" })
        if (const passwd *pw = getpwnam(name)) {
            a.drop = true;
            a.uid = pw->pw_uid;
            a.gid = pw->pw_gid;
            return a;
        }
    return a;
}

int freeLoopbackPort()
{
    const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
    if (fd < 0)
        return 0;
    sockaddr_in addr {};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t len = sizeof addr;
    int port = 0;
    if (::bind(fd, reinterpret_cast<sockaddr *>(&addr), sizeof addr) == 0
        && ::getsockname(fd, reinterpret_cast<sockaddr *>(&addr), &len) == 0)
        port = ntohs(addr.sin_port);
    ::close(fd);
    return port;
}

// fork + exec with the arguments prepared before the fork (only async-signal-safe calls after
// it). The child drops to the server account and, when `tied`, dies with the thread that forked
// it (see Launcher).
pid_t spawn(const std::vector<std::string> &args, const std::string &logFile, const Account &account, bool tied)
{
    std::vector<char *> argv;
    for (const std::string &a : args)
        argv.push_back(const_cast<char *>(a.c_str()));
    argv.push_back(nullptr);
    const pid_t parent = getpid();
    const pid_t pid = fork();
    if (pid != 0)
        return pid;
    // child
    setpgid(0, 0); // a Ctrl-C at the terminal is for stampede, which then stops the server itself
    if (account.drop && (setgid(account.gid) != 0 || setuid(account.uid) != 0))
        _exit(126);
    // After the credentials change, which would clear it.
    if (tied && (prctl(PR_SET_PDEATHSIG, SIGINT) != 0 || getppid() != parent))
        _exit(125);
    const int log = ::open(logFile.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0600);
    const int null = ::open("/dev/null", O_RDONLY);
    if (log >= 0) {
        dup2(log, STDOUT_FILENO);
        dup2(log, STDERR_FILENO);
    }
    if (null >= 0)
        dup2(null, STDIN_FILENO);
    execv(argv[0], argv.data());
    _exit(127);
}

// PR_SET_PDEATHSIG fires when the thread that forked the child ends, not the process. Engines
// are built on threads that end (the window builds a real store's engine on a helper thread),
// so the postmaster is forked on this one, which lives as long as the process: the server goes
// when the process does, whichever thread asked for it.
class Launcher {
public:
    Launcher()
        : m_thread([this] { loop(); })
    {
    }
    ~Launcher()
    {
        {
            const std::lock_guard g(m_mutex);
            m_quit = true;
        }
        m_wake.notify_one();
        m_thread.join();
    }
    Launcher(const Launcher &) = delete;
    Launcher &operator=(const Launcher &) = delete;

    // Runs `job` on the launcher's thread and returns what it returned.
    pid_t run(std::function<pid_t()> job)
    {
        std::packaged_task<pid_t()> task(std::move(job));
        std::future<pid_t> result = task.get_future();
        {
            const std::lock_guard g(m_mutex);
            m_tasks.push_back(std::move(task));
        }
        m_wake.notify_one();
        return result.get();
    }

private:
    void loop()
    {
        std::unique_lock l(m_mutex);
        for (;;) {
            m_wake.wait(l, [this] { return m_quit || !m_tasks.empty(); });
            if (m_tasks.empty())
                return; // quitting, nothing left to run
            std::packaged_task<pid_t()> task = std::move(m_tasks.front());
            m_tasks.pop_front();
            l.unlock();
            task();
            l.lock();
        }
    }

    std::mutex m_mutex;
    std::condition_variable m_wake;
    std::deque<std::packaged_task<pid_t()>> m_tasks;
    bool m_quit = false;
    std::thread m_thread; // last: it starts once the rest is built
};

pid_t spawnTied(const std::vector<std::string> &args, const std::string &logFile, const Account &account)
{
    static Launcher launcher;
    int failure = 0; // errno is the launcher thread's: carried back with the result
    const pid_t pid = launcher.run([&] {
        const pid_t p = spawn(args, logFile, account, true);
        failure = errno;
        return p;
    });
    if (pid < 0)
        errno = failure;
    return pid;
}

// The log's last non-empty line: what went wrong, in the server's words.
std::string lastLine(const std::string &file)
{
    std::ifstream in(file);
    std::string line, last;
    while (std::getline(in, line))
        if (!line.empty())
            last = line;
    return last.empty() ? "(no output)" : last;
}

// A directory of a run that was killed (its pid is gone) is removed; one in use is kept.
void removeStale(const fs::path &tmp)
{
    std::error_code ec;
    for (const auto &e : fs::directory_iterator(tmp, ec)) {
        const std::string name = e.path().filename().string();
        if (name.rfind(kPrefix, 0) != 0)
            continue;
        const long pid = std::strtol(name.c_str() + std::strlen(kPrefix), nullptr, 10);
        if (pid > 0 && ::kill(static_cast<pid_t>(pid), 0) != 0 && errno == ESRCH)
            fs::remove_all(e.path(), ec);
    }
}

} // namespace

std::string Server::binDir()
{
    if (const char *env = std::getenv("STAMPEDE_PG_BINDIR"); env && *env)
        return fs::exists(fs::path(env) / "postgres") ? env : "";
    std::string best;
    int bestVersion = -1;
    std::error_code ec;
    for (const auto &e : fs::directory_iterator("/usr/lib/postgresql", ec)) {
        const int v = std::atoi(e.path().filename().c_str());
        if (v > bestVersion && fs::exists(e.path() / "bin" / "postgres") && fs::exists(e.path() / "bin" / "initdb")) {
            bestVersion = v;
            best = (e.path() / "bin").string();
        }
    }
    return best;
}

std::unique_ptr<Server> Server::start(std::string *error)
{
    const std::string bin = binDir();
    if (bin.empty()) {
        *error = "PostgreSQL server binaries not found in /usr/lib/postgresql/*/bin: install postgresql-15";
        return nullptr;
    }
    const char *tmpEnv = std::getenv("TMPDIR");
    const fs::path tmp = tmpEnv && *tmpEnv ? tmpEnv : "/tmp";
    removeStale(tmp);
    std::string pattern = (tmp / (std::string(kPrefix) + std::to_string(getpid()) + "-XXXXXX")).string();
    if (!mkdtemp(pattern.data())) {
        *error = "PostgreSQL: cannot make a temporary directory in " + tmp.string() + ": " + std::strerror(errno);
        return nullptr;
    }
    std::unique_ptr<Server> s(new Server);
    s->m_dir = pattern;
    s->m_version = fs::path(bin).parent_path().filename().string();
    const Account account = serverAccount();
    if (account.drop && ::chown(s->m_dir.c_str(), account.uid, account.gid) != 0) {
        *error = "PostgreSQL: cannot hand " + s->m_dir + " to the server's account: " + std::strerror(errno);
        return nullptr;
    }
    const std::string data = s->m_dir + "/data";
    const std::string initLog = s->m_dir + "/initdb.log";
    // --no-sync: the cluster is thrown away with the directory; the server itself runs with fsync
    // on, as a database does.
    const pid_t init = spawn({ bin + "/initdb", "-D", data, "-U", "stampede", "-A", "trust", "-E", "UTF8", "--no-sync",
                                 "--no-instructions" },
        initLog, account, false);
    int status = 0;
    if (init < 0 || waitpid(init, &status, 0) != init || !WIFEXITED(status) || WEXITSTATUS(status) != 0) {
        *error = "PostgreSQL initdb failed: " + lastLine(initLog);
        return nullptr;
    }
    const std::string log = s->m_dir + "/postgres.log";
    for (int attempt = 0; attempt < 3; ++attempt) {
        s->m_port = freeLoopbackPort();
        s->m_conninfo = "host=127.0.0.1 port=" + std::to_string(s->m_port)
            + " user=stampede dbname=postgres connect_timeout=5 application_name=stampede"
              " sslmode=disable gssencmode=disable"; // loopback only: no TLS or Kerberos to set up
        s->m_pid
            = spawnTied({ bin + "/postgres", "-D", data, "-p", std::to_string(s->m_port), "-k", s->m_dir, "-c",
                            "listen_addresses=127.0.0.1", "-c", "max_connections=200", "-c", "shared_buffers=64MB" },
                log, account);
        if (s->m_pid < 0) {
            *error = std::string("PostgreSQL: cannot start the server: ") + std::strerror(errno);
            return nullptr;
        }
        const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
        bool exited = false;
        while (std::chrono::steady_clock::now() < deadline) {
            if (PQping(s->m_conninfo.c_str()) == PQPING_OK)
                return s;
            if (waitpid(s->m_pid, &status, WNOHANG) == s->m_pid) {
                exited = true;
                break;
            }
            std::this_thread::sleep_for(std::chrono::milliseconds(20)); // a child starting up: no event to wait on
        }
        if (!exited) {
            *error = "PostgreSQL did not accept connections on 127.0.0.1:" + std::to_string(s->m_port)
                + " within 20 s: " + lastLine(log);
            return nullptr; // the destructor stops it
        }
        s->m_pid = -1;
        // Most likely someone took the port between the pick and the bind: try another.
        if (lastLine(log).find("could not") == std::string::npos || attempt == 2) {
            *error = "PostgreSQL exited at start: " + lastLine(log);
            return nullptr;
        }
    }
    return nullptr;
}

std::shared_ptr<Server> Server::shared(std::string *error)
{
    static std::mutex mutex;
    static std::weak_ptr<Server> cache;
    std::lock_guard g(mutex);
    if (auto s = cache.lock())
        return s;
    std::shared_ptr<Server> s = start(error);
    cache = s;
    return s;
}

std::string Server::url() const { return "postgresql://stampede@127.0.0.1:" + std::to_string(m_port) + "/postgres"; }

Server::~Server() { stop(); }

void Server::stop()
{
    if (m_pid > 0) {
        ::kill(m_pid, SIGINT); // fast shutdown: clients are cut off, nothing is kept anyway
        const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
        int status = 0;
        while (waitpid(m_pid, &status, WNOHANG) == 0) {
            if (std::chrono::steady_clock::now() > deadline) {
                ::kill(m_pid, SIGKILL);
                waitpid(m_pid, &status, 0);
                break;
            }
            std::this_thread::sleep_for(std::chrono::milliseconds(10));
        }
        m_pid = -1;
    }
    if (!m_dir.empty()) {
        std::error_code ec;
        fs::remove_all(m_dir, ec);
        m_dir.clear();
    }
}

} // namespace stampede::pg
