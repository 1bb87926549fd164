#pragma once

// The real peer: Debian's redis-server, started by the benchmark on a free loopback port and
// stopped after, driven with a Lua conditional decrement that has `atomic`'s semantics:
//   local v = tonumber(redis.call('GET', KEYS[1]))
//   if v and v > 0 then redis.call('DECR', KEYS[1]) return 1 else return 0 end

#include <QString>

#include <cstdint>
#include <vector>

namespace stampede::bench {

struct RedisLoad {
    int connections = 64;
    int depth = 1; // requests outstanding per connection (1 = no pipelining)
    int clientThreads = 1; // threads running the client's io_context
};

struct RedisLoadResult {
    RedisLoad load;
    bool ok = false;
    QString error;
    double windowS = 0;
    double callsPerS = 0; // script calls answered per second over the window
    std::uint64_t calls = 0; // in the whole run (warm-up included)
    std::uint64_t successes = 0; // calls that returned 1
    std::uint64_t errors = 0; // error replies
    bool consistent = false; // stock before - stock after == successes
    double serverCores = 0; // redis-server's CPU use over the window, in cores
    double clientCores = 0; // this process's (the client's) CPU use over the window
};

struct RedisRun {
    bool available = false; // redis-server found
    bool started = false;
    QString binary;
    QString version;
    QString error; // why it did not start, or a failure on the way
    std::uint16_t port = 0;
    std::vector<RedisLoadResult> loads;
};

// Finds redis-server ($STAMPEDE_REDIS_SERVER, /usr/bin, /usr/local/bin, PATH).
QString findRedisServer();

// Starts redis-server, runs each load for warmupS + measureS, stops the server.
RedisRun runRedis(const std::vector<RedisLoad> &loads, double warmupS, double measureS);

// Kills a redis-server this process started (for signal handlers; async-signal-safe).
void killRedisFromSignalHandler();

} // namespace stampede::bench
