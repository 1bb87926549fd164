#pragma once

// A private PostgreSQL server for a run that names none: initdb into a temporary directory, the
// postmaster on a loopback port it picks (listen_addresses 127.0.0.1 only, trust for the local
// user `stampede`, no password anywhere), stopped and removed when the last engine using it is
// gone. The postmaster dies with this process even when it is killed (PR_SET_PDEATHSIG, forked
// from a thread that lives as long as the process, so any thread may start a server); a
// directory a killed run left behind is removed by the next start. Running as root, the server
// runs as the `postgres` user (or `nobody`), since PostgreSQL refuses to run as root.

#include <memory>
#include <string>
#include <sys/types.h>

namespace stampede::pg {

class Server {
public:
    ~Server();
    Server(const Server &) = delete;
    Server &operator=(const Server &) = delete;

    // Starts one. Blocking (about a second: initdb and the first connection). nullptr with *error
    // set to one line ("PostgreSQL server binaries not found: install postgresql-15") on failure.
    static std::unique_ptr<Server> start(std::string *error);
    // The running server every engine in this process shares, started on first use.
    static std::shared_ptr<Server> shared(std::string *error);

    const std::string &conninfo() const { return m_conninfo; } // libpq keywords, no password
    std::string url() const; // postgresql://stampede@127.0.0.1:PORT/postgres
    int port() const { return m_port; }
    pid_t pid() const { return m_pid; }
    const std::string &directory() const { return m_dir; }
    const std::string &version() const { return m_version; } // "15"

    // Where the server binaries are (initdb, postgres), or empty when none are installed.
    // STAMPEDE_PG_BINDIR overrides the search of /usr/lib/postgresql/*/bin.
    static std::string binDir();

private:
    Server() = default;
    void stop();

    std::string m_dir;
    std::string m_conninfo;
    std::string m_version;
    int m_port = 0;
    pid_t m_pid = -1;
};

} // namespace stampede::pg
