#include "shard.h"

#include "runtime.h"

#include <boost/asio/post.hpp>

#include <sys/prctl.h>

#include <algorithm>
#include <cstring>
#include <functional>
#include <type_traits>

namespace stampede {

namespace {
constexpr std::size_t kChunk = 4096; // requests per pool growth step
constexpr int kBurst = 512; // arrivals or client requests per handler run
constexpr Nanos kMaxGeneratorLag = 1'000'000'000; // beyond 1 s behind, skip instead of bursting
// Closer to due than this, the thread polls instead of sleeping: a sleep costs more.
constexpr Nanos kSpinNs = 15'000;
thread_local Shard *t_current = nullptr;
static_assert(std::is_trivially_copyable_v<Request>, "allocate() copies a blank request");
} // namespace

Shard *Shard::current() { return t_current; }

Shard::Shard(Runtime &runtime, int index, std::uint64_t seed)
    : rng(seed * 0x9e3779b97f4a7c15ULL + static_cast<std::uint64_t>(index) + 1)
    , m_runtime(runtime)
    , m_origin(runtime.origin())
    , m_index(index)
    , m_guard(boost::asio::make_work_guard(m_io))
{
    m_heap.reserve(kChunk);
}

Shard::~Shard() { join(); }

void Shard::startThread()
{
    m_thread = std::thread([this] {
        // Wake-ups as close to the due time as the kernel allows (1 ns: no timer slack), so a
        // modeled step runs close to its time; its timing is exact either way (shard.h).
        ::prctl(PR_SET_TIMERSLACK, 1UL, 0UL, 0UL, 0UL);
        t_current = this;
        loop();
        t_current = nullptr;
    });
}

void Shard::join()
{
    if (m_thread.joinable())
        m_thread.join();
}

void Shard::dispatch(Request *r)
{
    boost::asio::post(m_io, [this, r] { run(r, r->at); });
}

void Shard::run(Request *r, Nanos at)
{
    m_at = at;
    r->at = at;
    m_runtime.step(*this, r);
    m_at = -1;
}

Request *Shard::allocate()
{
    if (!m_freeList) {
        // Grows in chunks and never shrinks: the pool's size is the peak number in flight,
        // which node capacity and backlog limits bound.
        auto chunk = std::make_unique<Request[]>(kChunk);
        for (std::size_t i = 0; i < kChunk; ++i) {
            chunk[i].next = m_freeList;
            m_freeList = &chunk[i];
        }
        m_chunks.push_back(std::move(chunk));
    }
    Request *r = m_freeList;
    m_freeList = r->next;
    // A copy of one blank request: vector moves, where value-initialising in place compiles to
    // `rep stos`, whose start-up cost was 14 % of a closed-loop attempt.
    static const Request kBlank {};
    std::memcpy(static_cast<void *>(r), &kBlank, sizeof(Request));
    r->shard = m_index;
    counters.allocated.add();
    return r;
}

void Shard::free(Request *r)
{
    r->next = m_freeList;
    m_freeList = r;
    counters.freed.add();
}

void Shard::pushDue(Due d)
{
    if (m_stopped)
        return; // shutting down: scheduled work is dropped, its memory stays in the pool
    m_heap.push_back(d);
    std::push_heap(m_heap.begin(), m_heap.end(), std::greater<> {});
    // Only this thread pushes, so the loop sees the new top before it next sleeps.
}

// A modeled stage ends at its due time, whenever the thread wakes for it.
void Shard::delay(Request *r, Nanos d) { pushDue({ now() + d, r, 0 }); }

// The thread's loop: the handlers posted to it (hand-overs, commands), then everything due,
// then sleep until the next due time or the next post, whichever comes first. No reactor and no
// timer object: the io_context's own condition variable is the sleep, and a post from another
// thread is what wakes it early. It ends when the work guard is gone and nothing is queued.
void Shard::loop()
{
    for (;;) {
        m_io.poll();
        if (m_io.stopped())
            return;
        if (runDue())
            continue; // more is due than one pass takes: let posted handlers in first
        if (m_heap.empty()) {
            m_io.run_one(); // nothing scheduled: sleep until a post
            continue;
        }
        const Nanos due = nextPass();
        const Nanos t = clockNow();
        if (due - t > kSpinNs)
            m_io.run_one_until(m_runtime.toTimePoint(due)); // or a post, whichever is first
        else
            while (clockNow() < due && m_io.poll() == 0) { } // closer than a sleep costs
    }
}

// When the loop must next run the delay queue: kPassSlackNs after the earliest due step, so one
// wake-up serves every step due within that stretch. Each still runs at its own due time, so
// the slack costs no modeled latency; at lesson rates it halves the wake-ups (each one is the
// engine's main cost there: BENCHMARKS.md, "Efficiency"). What it does cost is the order in
// which two threads' steps meet shared state: exact to within kPassSlackNs, never worse.
Nanos Shard::nextPass() const { return m_heap.front().due + kPassSlackNs; }

// Runs what is due now, each at its own due time. Returns true when it stopped at its bound
// with more due.
bool Shard::runDue()
{
    if (m_stopped || m_heap.empty())
        return false;
    const Nanos now = clockNow();
    if (m_heap.front().due > now)
        return false;
    counters.passes.add();
    int handled = 0;
    while (!m_heap.empty() && m_heap.front().due <= now) {
        if (handled == 4 * kBurst)
            return true;
        std::pop_heap(m_heap.begin(), m_heap.end(), std::greater<> {});
        const Due d = m_heap.back();
        m_heap.pop_back();
        ++handled;
        if (d.r)
            run(d.r, d.due); // exactly at its due time, however late this wake-up is
        else if (d.tag == m_genEpoch)
            generate(now);
    }
    return false;
}

void Shard::regenerate()
{
    if (m_stopped)
        return;
    ++m_genEpoch; // voids a pending generator wake
    m_generating = false;
    if (!m_runtime.generating())
        return;
    if (m_runtime.mode() == TrafficMode::Open) {
        const double rate = m_runtime.shardRate();
        if (rate <= 0)
            return;
        m_generating = true;
        m_nextArrival = clockNow() + static_cast<Nanos>(rng.exponential(1e9 / rate));
        pushDue({ m_nextArrival, nullptr, m_genEpoch });
    } else {
        runClients();
    }
}

void Shard::generate(Nanos now)
{
    if (!m_runtime.generating() || m_runtime.mode() != TrafficMode::Open) {
        m_generating = false;
        return;
    }
    const double rate = m_runtime.shardRate();
    const double meanGap = 1e9 / rate;
    if (now - m_nextArrival > kMaxGeneratorLag) {
        // The machine cannot keep up with the offered rate: skip rather than burst forever.
        counters.generatorSkipped.add(static_cast<std::uint64_t>(static_cast<double>(now - m_nextArrival) / meanGap));
        m_nextArrival = now;
    }
    int n = 0;
    // Arrival time is the scheduled time, not the time we got round to it: lateness of the
    // generator is latency the shopper sees (no coordinated omission).
    while (m_nextArrival <= now && n < kBurst && m_runtime.generating()) {
        m_at = m_nextArrival; // the arrival's steps are timed from when the shopper clicked
        m_runtime.arrive(*this, m_nextArrival, false);
        m_nextArrival += static_cast<Nanos>(rng.exponential(meanGap)) + 1;
        ++n;
    }
    m_at = -1;
    if (n == kBurst) {
        const auto tag = m_genEpoch;
        boost::asio::post(m_io, [this, tag] {
            if (tag == m_genEpoch && !m_stopped)
                generate(clockNow());
        });
    } else {
        pushDue({ m_nextArrival, nullptr, m_genEpoch });
    }
}

void Shard::runClients()
{
    m_clientsScheduled = false;
    if (m_stopped || !m_runtime.generating() || m_runtime.mode() != TrafficMode::Closed) {
        m_sends.clear();
        return;
    }
    const int target = m_runtime.shardClients(m_index);
    int n = 0;
    while (m_activeClients < target && n < kBurst && m_runtime.generating()) {
        ++m_activeClients;
        ++n;
        // A closed-loop client sends again the moment it is answered: at its answer's time,
        // modeled or read from the clock when answered (one clock read per attempt), and a new
        // client now.
        ClientSend send { -1, false };
        if (!m_sends.empty()) {
            send = m_sends.back();
            m_sends.pop_back();
        }
        const Nanos at = send.at >= 0 ? send.at : clockNow();
        m_at = send.modeled ? at : -1;
        m_runtime.arrive(*this, at, true); // may answer inline and call clientDone()
        m_at = -1;
    }
    if (m_activeClients >= target)
        m_sends.clear(); // clients beyond the target (fewer were asked for) do not send again
    if (m_activeClients < target && !m_clientsScheduled) {
        m_clientsScheduled = true;
        boost::asio::post(m_io, [this] { runClients(); });
    }
}

void Shard::clientDone()
{
    --m_activeClients;
    // Bounded: one entry per finished client, and at most `target` clients are active.
    m_sends.push_back(m_lastAnswer);
    m_lastAnswer = { -1, false };
    if (!m_clientsScheduled && m_runtime.generating() && m_runtime.mode() == TrafficMode::Closed) {
        m_clientsScheduled = true;
        boost::asio::post(m_io, [this] { runClients(); });
    }
}

void OutcomeCounters::count(Outcome o)
{
    switch (o) {
    case Outcome::Success:
        succeeded.add();
        break;
    case Outcome::SoldOut:
        soldOut.add();
        break;
    case Outcome::RateLimited:
        rateLimited.add();
        break;
    case Outcome::NodeDown:
        nodeDown.add();
        break;
    case Outcome::Timeout:
        timeout.add();
        break;
    case Outcome::Overloaded:
        overloaded.add();
        break;
    }
}

void OutcomeCounters::zero()
{
    for (auto *c : { &attempts, &succeeded, &soldOut, &rateLimited, &nodeDown, &timeout, &overloaded })
        c->zero();
}

void Shard::answered(const Request *r, Outcome o)
{
    const Nanos t = now();
    outcomes.count(o);
    m_lastAnswer = { t, modeledNow() };
    latency.record(static_cast<std::uint64_t>(std::max<Nanos>(0, t - r->arrival)));
}

void Shard::answeredView() { m_lastAnswer = { now(), modeledNow() }; }

void Shard::clearCounters()
{
    // Only this thread writes these, so zeroing here cannot lose an increment.
    outcomes.zero();
    counters.generatorSkipped.zero();
    latency.clear();
}

void Shard::shutdown()
{
    m_stopped = true;
    ++m_genEpoch;
    m_heap.clear();
    m_sends.clear();
    m_guard.reset();
}

} // namespace stampede
