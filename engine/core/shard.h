#pragma once

// One engine thread and everything it owns: an io_context run by exactly that thread, a
// delay queue (one Asio timer over a heap of due times: modeled latency holds no thread),
// a request pool, the traffic it generates, and counters that only it writes.
// Threading model: one io_context per thread (Asio's "io_context pool"); a request lives on
// the shard that created it and other threads hand it back with post().

#include "histogram.h"
#include "ownedcounter.h"
#include "request.h"
#include "rng.h"

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>

#include <cstdint>
#include <memory>
#include <thread>
#include <vector>

namespace stampede {

class Runtime;

// What every request ends with, whatever the workload: counted by the shard that answered it.
struct OutcomeCounters {
    OwnedCounter attempts, succeeded, soldOut, rateLimited, nodeDown, timeout, overloaded;
    void count(Outcome o);
    void zero();
};

struct ShardCounters {
    OwnedCounter generatorSkipped;
    OwnedCounter allocated, freed; // live requests = allocated - freed - live actors
    OwnedCounter actorsStarted, actorsEnded; // actors: pool requests that never answer (consumers)
};

class Shard {
public:
    Shard(Runtime &runtime, int index, std::uint64_t seed);
    ~Shard();
    Shard(const Shard &) = delete;
    Shard &operator=(const Shard &) = delete;

    void startThread();
    void join();
    boost::asio::io_context &io() { return m_io; }
    int index() const { return m_index; }

    // Thread-safe: schedule r's next step on this shard.
    void dispatch(Request *r);

    // --- called on this shard's thread only ---
    Request *allocate();
    void free(Request *r);
    void delay(Request *r, Nanos d); // continue r after d (0 = now, inline by the caller)
    void regenerate(); // traffic settings changed: restart generation
    void clientDone(); // a closed-loop client's request was answered
    // Counts an answer: its outcome and its latency from arrival (now).
    void answered(const Request *r, Outcome o, Nanos now);
    void clearCounters();
    void shutdown(); // cancel timers and drop scheduled work

    ShardCounters counters;
    OutcomeCounters outcomes;
    ConcurrentHistogram latency; // ns, arrival to answer
    Rng rng;
    Nanos answeredAt = -1; // time of the answer just given inline, -1 when none (closed loop)

private:
    struct Due {
        Nanos due;
        Request *r; // nullptr: generator wake
        std::uint64_t tag; // generator epoch for wakes
        bool operator>(const Due &o) const { return due > o.due; }
    };
    void arm(Nanos due);
    void onTimer();
    void generate(Nanos now);
    void runClients();
    void pushDue(Due d);

    Runtime &m_runtime;
    const int m_index;
    boost::asio::io_context m_io { 1 };
    boost::asio::executor_work_guard<boost::asio::io_context::executor_type> m_guard;
    boost::asio::steady_timer m_timer;
    std::thread m_thread;
    std::vector<Due> m_heap; // min-heap on due
    Nanos m_armedFor = INT64_MAX;
    std::uint64_t m_armGeneration = 0;
    std::vector<std::unique_ptr<Request[]>> m_chunks;
    Request *m_freeList = nullptr;
    // open loop
    std::uint64_t m_genEpoch = 0;
    Nanos m_nextArrival = 0;
    bool m_generating = false;
    // closed loop
    int m_activeClients = 0;
    bool m_clientsScheduled = false;
    bool m_stopped = false;
};

} // namespace stampede
