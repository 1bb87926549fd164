#pragma once

// One engine thread and everything it owns: an io_context run by exactly that thread, a
// delay queue (a heap of due times the thread sleeps on: modeled latency holds no thread),
// a request pool, the traffic it generates, and counters that only it writes.
// Threading model: one io_context per thread (Asio's "io_context pool"); a request lives on
// the shard that created it and other threads hand it back with post().
//
// Time. The delay queue sleeps until the earliest due time and then runs everything that is due
// in one wake-up; it never polls. A step is timed by its cause, not by when the thread got to it
// (now()):
//  - a delayed step runs at its due time, so a late wake-up on a busy machine adds nothing to
//    a modeled latency;
//  - an open-loop arrival runs at its scheduled time (so generator lateness is not hidden
//    either: the arrival is counted from when the shopper clicked);
//  - a request handed over by another step (a lock, a worker, a lease, room in a queue) runs at
//    the later of its own time and the time of the step that handed it over.
// Those times are "modeled": they never run ahead of the clock, only behind it by the wake-up
// lag. A step with no modeled cause (a closed-loop client with every latency 0, a consumer's
// first fetch, a command from the control thread) reads the real clock, so contention that is
// real (threads racing for a row at closed-loop max) stays in the latency.

#include "histogram.h"
#include "ownedcounter.h"
#include "request.h"
#include "rng.h"

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>

#include <algorithm>
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
    OwnedCounter passes; // runs over the delay queue that found a step due: the wake-ups that work
};

class Shard {
public:
    Shard(Runtime &runtime, int index, std::uint64_t seed);
    ~Shard();
    Shard(const Shard &) = delete;
    Shard &operator=(const Shard &) = delete;

    // A pass over the delay queue comes this long after its earliest step is due, so one
    // wake-up runs every step due meanwhile (each at its own due time): at most 2 000 passes/s.
    static constexpr Nanos kPassSlackNs = 500'000;

    void startThread();
    void join();
    boost::asio::io_context &io() { return m_io; }
    int index() const { return m_index; }

    // Thread-safe: schedule r's next step on this shard, at r->at when that is >= 0 (modeled)
    // or at the clock when it runs (Runtime::dispatch stamps r->at).
    void dispatch(Request *r);
    // The shard whose thread this is, or nullptr (control thread, tests).
    static Shard *current();

    // --- called on this shard's thread only ---
    // The time of the step running now: modeled (its cause's time) or the clock (see above).
    Nanos now() const { return m_at >= 0 ? m_at : clockNow(); }
    bool modeledNow() const { return m_at >= 0; }
    // Stamps a request another step of this thread hands over: it continues at this step's time.
    void stampHandOver(Request *r) const { r->at = m_at >= 0 ? std::max(r->at, m_at) : -1; }
    Request *allocate();
    void free(Request *r);
    void delay(Request *r, Nanos d); // continue r at now() + d (d = 0: inline, by the caller)
    void regenerate(); // traffic settings changed: restart generation
    // A closed-loop client's request is finished; the client sends again at the time of the
    // answer noted last (answered()/answeredView()), or at the clock when there was none.
    void clientDone();
    // Counts an answer at now(): its outcome and its latency from arrival.
    void answered(const Request *r, Outcome o);
    void answeredView(); // a page view was answered (counted by the workload): notes its time
    void clearCounters();
    void shutdown(); // cancel timers and drop scheduled work

    ShardCounters counters;
    OutcomeCounters outcomes;
    ConcurrentHistogram latency; // ns, arrival to answer
    Rng rng;

private:
    struct Due {
        Nanos due;
        Request *r; // nullptr: generator wake
        std::uint64_t tag; // generator epoch for wakes
        bool operator>(const Due &o) const { return due > o.due; }
    };
    struct ClientSend {
        Nanos at; // -1: read the clock
        bool modeled;
    };
    Nanos clockNow() const
    {
        return std::chrono::duration_cast<std::chrono::nanoseconds>(Clock::now() - m_origin).count();
    }
    void loop();
    Nanos nextPass() const;
    bool runDue();
    void run(Request *r, Nanos at); // one step of r at `at` (-1: the clock)
    void generate(Nanos now);
    void runClients();
    void pushDue(Due d);

    Runtime &m_runtime;
    const Clock::time_point m_origin; // the runtime's: engine time 0
    const int m_index;
    boost::asio::io_context m_io { 1 };
    boost::asio::executor_work_guard<boost::asio::io_context::executor_type> m_guard;
    std::thread m_thread;
    std::vector<Due> m_heap; // min-heap on due
    std::vector<std::unique_ptr<Request[]>> m_chunks;
    Request *m_freeList = nullptr;
    // open loop
    std::uint64_t m_genEpoch = 0;
    Nanos m_nextArrival = 0;
    bool m_generating = false;
    Nanos m_at = -1; // the running step's modeled time, -1 when it reads the clock
    ClientSend m_lastAnswer { -1, false };
    // closed loop: when each finished client may send again (at most one per client)
    std::vector<ClientSend> m_sends;
    int m_activeClients = 0;
    bool m_clientsScheduled = false;
    bool m_stopped = false;
};

} // namespace stampede
