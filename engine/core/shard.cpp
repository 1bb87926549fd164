#include "shard.h"

#include "runtime.h"

#include <boost/asio/post.hpp>

#include <algorithm>
#include <functional>

namespace stampede {

namespace {
constexpr std::size_t kChunk = 4096; // requests per pool growth step
constexpr int kBurst = 512; // arrivals or client requests per handler run
constexpr Nanos kMaxGeneratorLag = 1'000'000'000; // beyond 1 s behind, skip instead of bursting
constexpr Nanos kSpinNs = 200'000; // poll, rather than sleep, the last 200 us before a due time
} // namespace

Shard::Shard(Runtime &runtime, int index, std::uint64_t seed)
    : rng(seed * 0x9e3779b97f4a7c15ULL + static_cast<std::uint64_t>(index) + 1)
    , m_runtime(runtime)
    , m_index(index)
    , m_guard(boost::asio::make_work_guard(m_io))
    , m_timer(m_io)
{
    m_heap.reserve(kChunk);
}

Shard::~Shard() { join(); }

void Shard::startThread()
{
    m_thread = std::thread([this] { m_io.run(); });
}

void Shard::join()
{
    if (m_thread.joinable())
        m_thread.join();
}

void Shard::dispatch(Request *r)
{
    boost::asio::post(m_io, [this, r] { m_runtime.step(*this, r); });
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
    ::new (static_cast<void *>(r)) Request {}; // in place: no temporary to copy on the hot path
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
    if (d.due < m_armedFor)
        arm(d.due);
}

void Shard::delay(Request *r, Nanos d) { pushDue({ m_runtime.now() + d, r, 0 }); }

void Shard::arm(Nanos due)
{
    m_armedFor = due;
    const auto gen = ++m_armGeneration;
    if (due - m_runtime.now() <= kSpinNs) {
        // Close to due: poll through the handler queue instead of sleeping, because waking a
        // sleeping thread costs 0.1-0.3 ms here and that would stretch every modeled latency.
        boost::asio::post(m_io, [this, gen] {
            if (gen == m_armGeneration)
                onTimer();
        });
        return;
    }
    // Sleep until shortly before due, then poll the rest.
    m_timer.expires_at(m_runtime.toTimePoint(due - kSpinNs));
    m_timer.async_wait([this, gen](const boost::system::error_code &ec) {
        // A newer arm supersedes this wait even if it already fired.
        if (ec || gen != m_armGeneration)
            return;
        onTimer();
    });
}

void Shard::onTimer()
{
    m_armedFor = INT64_MAX;
    if (m_stopped)
        return;
    const Nanos now = m_runtime.now();
    if (!m_heap.empty() && m_heap.front().due > now) {
        arm(m_heap.front().due);
        return;
    }
    // While draining, pushDue() must not arm for what it pushes: an earlier item may still
    // be in the heap. We arm once for the heap's top afterwards.
    m_armedFor = INT64_MIN;
    int handled = 0;
    while (!m_heap.empty() && m_heap.front().due <= now && handled < 4 * kBurst) {
        std::pop_heap(m_heap.begin(), m_heap.end(), std::greater<> {});
        const Due d = m_heap.back();
        m_heap.pop_back();
        ++handled;
        if (d.r)
            m_runtime.step(*this, d.r);
        else if (d.tag == m_genEpoch)
            generate(now);
    }
    m_armedFor = INT64_MAX;
    if (!m_heap.empty())
        arm(m_heap.front().due); // a due time in the past is polled at once, after queued handlers
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
        m_nextArrival = m_runtime.now() + static_cast<Nanos>(rng.exponential(1e9 / rate));
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
        m_runtime.arrive(*this, m_nextArrival, false);
        m_nextArrival += static_cast<Nanos>(rng.exponential(meanGap)) + 1;
        ++n;
    }
    if (n == kBurst) {
        const auto tag = m_genEpoch;
        boost::asio::post(m_io, [this, tag] {
            if (tag == m_genEpoch && !m_stopped)
                generate(m_runtime.now());
        });
    } else {
        pushDue({ m_nextArrival, nullptr, m_genEpoch });
    }
}

void Shard::runClients()
{
    m_clientsScheduled = false;
    answeredAt = -1;
    if (m_stopped || !m_runtime.generating() || m_runtime.mode() != TrafficMode::Closed)
        return;
    const int target = m_runtime.shardClients(m_index);
    int n = 0;
    while (m_activeClients < target && n < kBurst && m_runtime.generating()) {
        ++m_activeClients;
        ++n;
        // A closed-loop client sends again the moment it is answered: when the previous
        // request was answered inline, its answer time is this arrival time (one clock read).
        const Nanos at = answeredAt >= 0 ? answeredAt : m_runtime.now();
        answeredAt = -1;
        m_runtime.arrive(*this, at, true); // may answer inline and call clientDone()
    }
    if (m_activeClients < target && !m_clientsScheduled) {
        m_clientsScheduled = true;
        boost::asio::post(m_io, [this] { runClients(); });
    }
}

void Shard::clientDone()
{
    --m_activeClients;
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

void Shard::answered(const Request *r, Outcome o, Nanos now)
{
    outcomes.count(o);
    answeredAt = now;
    latency.record(static_cast<std::uint64_t>(std::max<Nanos>(0, now - r->arrival)));
}

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
    ++m_armGeneration;
    m_heap.clear();
    m_timer.cancel();
    m_guard.reset();
}

} // namespace stampede
