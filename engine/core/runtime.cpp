#include "runtime.h"

#include <boost/asio/post.hpp>

#include <algorithm>
#include <cmath>
#include <stdexcept>
#include <utility>

namespace stampede {

namespace {
constexpr Nanos kTickNs = 100'000'000;
} // namespace

Runtime::Runtime(EngineConfig config, const WorkloadFactory &makeWorkload)
    : m_config(std::move(config))
    , m_traffic(*this, m_config.traffic)
    , m_controlGuard(boost::asio::make_work_guard(m_control))
    , m_tickTimer(m_control)
{
    if (const auto err = validate(m_config); !err.empty())
        throw std::invalid_argument(err);
    int threads = m_config.threads;
    if (threads <= 0)
        threads = static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
    for (int i = 0; i < threads; ++i)
        m_shards.push_back(std::make_unique<Shard>(*this, i, m_config.seed));
    std::lock_guard g(m_controlMutex);
    m_workload = makeWorkload(*this); // sets itself up as configured
    m_timeline.clearMarkers();
    publish(0);
}

Runtime::~Runtime()
{
    bool needStop = false;
    {
        std::lock_guard g(m_controlMutex);
        needStop = m_started && !m_stopped;
    }
    if (needStop)
        stop(0.5, false); // a window closing or switching lessons does not wait for the queue
}

double Runtime::shardRate() const
{
    return m_traffic.rate() * m_traffic.spikeFactor() / static_cast<double>(m_shards.size());
}

int Runtime::shardClients(int shard) const
{
    const auto total = static_cast<long long>(std::llround(m_traffic.clients() * m_traffic.spikeFactor()));
    const auto n = static_cast<long long>(m_shards.size());
    return static_cast<int>(total / n + (shard < total % n ? 1 : 0));
}

void Runtime::dispatchAll(Request *list)
{
    while (list) {
        Request *r = list;
        list = list->next;
        r->next = nullptr;
        dispatch(r);
    }
}

void Runtime::start()
{
    std::lock_guard g(m_controlMutex);
    if (m_started)
        return;
    m_started = true;
    m_runStart = now();
    m_prevTickAt = m_runStart;
    m_prevTickT = 0;
    // Paused before the start: the run starts paused, its clock at 0 (a timed pause from now).
    m_pausedAt = m_traffic.paused() ? m_runStart : -1;
    m_resumeAt = m_traffic.paused() && m_pauseForNs > 0 ? m_runStart + m_pauseForNs : -1;
    m_pauseForNs = 0;
    m_running.store(true, std::memory_order_release);
    for (auto &s : m_shards)
        s->startThread();
    m_controlThread = std::thread([this] { m_control.run(); });
    regenerateAll();
    scheduleTick();
}

void Runtime::scheduleTick()
{
    // Ticks keep to a fixed grid from the run start, so a late tick does not shift the rest.
    const Nanos elapsed = now() - m_runStart;
    const Nanos next = m_runStart + (elapsed / kTickNs + 1) * kTickNs;
    m_tickTimer.expires_at(toTimePoint(next));
    m_tickTimer.async_wait([this](const boost::system::error_code &ec) {
        if (ec)
            return;
        std::lock_guard g(m_controlMutex);
        if (m_stopped)
            return;
        tickLocked();
        scheduleTick();
    });
}

void Runtime::setTimeline(std::vector<TimedEvent> events)
{
    std::lock_guard g(m_controlMutex);
    m_timeline.setEvents(std::move(events));
}

void Runtime::regenerateAll()
{
    for (auto &s : m_shards) {
        Shard *sh = s.get();
        boost::asio::post(sh->io(), [sh] { sh->regenerate(); });
    }
}

void Runtime::startActor(int shardIndex, std::function<void(Shard &, Request *)> init)
{
    Shard *sh = m_shards[static_cast<std::size_t>(shardIndex) % m_shards.size()].get();
    const auto ep = epoch();
    boost::asio::post(sh->io(), [this, sh, ep, init = std::move(init)] {
        Request *r = sh->allocate();
        sh->counters.actorsStarted.add();
        r->epoch = ep;
        init(*sh, r);
        step(*sh, r);
    });
}

void Runtime::actorEnded(Shard &s, Request *r)
{
    s.counters.actorsEnded.add();
    s.free(r);
}

void Runtime::mark(std::string label) { m_timeline.mark(m_started ? runTime() : 0.0, std::move(label)); }

CommandResult Runtime::applyLocked(const TimedEvent &e)
{
    if (!Traffic::owns(e.kind)) {
        if (const auto w = eventWorkload(e.kind); w && *w != config().workload)
            return CommandResult::fail(std::string(toString(config().workload)) + " run: that command belongs to the "
                + std::string(toString(*w)) + " workload");
        return m_workload->apply(e);
    }
    const bool wasPaused = m_traffic.paused();
    const CommandResult r = m_traffic.apply(e);
    if (r.ok && (e.kind == EventKind::Pause || e.kind == EventKind::Resume))
        pauseChanged(e, wasPaused);
    return r;
}

// Every Pause says how long it lasts (forS > 0: that many engine seconds from now; 0: until a
// Resume), also when the traffic was paused already; a Resume ends any pause.
void Runtime::pauseChanged(const TimedEvent &e, bool wasPaused)
{
    if (e.kind == EventKind::Resume) {
        m_resumeAt = -1;
        m_pauseForNs = 0;
        thawClock();
        return;
    }
    const Nanos length = e.forS > 0 ? static_cast<Nanos>(std::llround(e.forS * 1e9)) : 0;
    if (!m_started) {
        m_pauseForNs = length; // counted from the start, when the clock begins frozen
        return;
    }
    const Nanos at = clockNow();
    if (!wasPaused)
        freezeClockAt(at);
    m_resumeAt = length > 0 ? at + length : -1;
}

void Runtime::freezeClockAt(Nanos at)
{
    if (m_started && !frozen())
        m_pausedAt = at;
}

void Runtime::thawClock()
{
    if (!frozen())
        return;
    m_runStart += clockNow() - m_pausedAt; // the run time continues from where it stood
    m_pausedAt = -1;
}

CommandResult Runtime::command(const TimedEvent &e)
{
    std::lock_guard g(m_controlMutex);
    if (m_stopped)
        return CommandResult::fail("the run has ended");
    const CommandResult r = applyLocked(e);
    if (r.ok)
        m_timeline.recordApplied(e, m_started ? runTime() : 0.0);
    return r;
}

CommandResult Runtime::schedule(const TimedEvent &e)
{
    std::lock_guard g(m_controlMutex);
    if (m_stopped)
        return CommandResult::fail("the run has ended");
    if (!(e.atS >= 0))
        return CommandResult::fail("schedule: the time must be 0 s or later");
    m_timeline.addEvent(e);
    return {};
}

// ---- reset: a barrier over all shards, then a fresh start on the control thread ----

CommandResult Runtime::reset()
{
    std::lock_guard g(m_controlMutex);
    if (m_stopped)
        return CommandResult::fail("the run has ended");
    if (m_resetting.load())
        return CommandResult::fail("reset: already resetting");
    if (!m_started) {
        finishReset();
        return {};
    }
    m_resetting.store(true);
    m_epoch.fetch_add(1, std::memory_order_acq_rel);
    m_resetAcks.store(static_cast<int>(m_shards.size()));
    // Once a shard runs this, every later handler on it sees the new epoch, so requests from
    // before the reset drop themselves without touching nodes or counters.
    for (auto &s : m_shards) {
        Shard *sh = s.get();
        boost::asio::post(sh->io(), [this, sh] {
            sh->clearCounters();
            m_workload->clearShard(*sh);
            resetAck();
        });
    }
    return {};
}

void Runtime::resetAck()
{
    if (m_resetAcks.fetch_sub(1, std::memory_order_acq_rel) != 1)
        return;
    boost::asio::post(m_control, [this] {
        std::lock_guard g(m_controlMutex);
        if (!m_stopped)
            finishReset();
    });
}

void Runtime::finishReset()
{
    m_traffic.reset();
    m_timeline.clear();
    m_workload->reset();
    m_timeline.clearMarkers();
    m_timeline.clearApplied();
    m_prev = {};
    m_prevLatency.clear();
    m_runLatency.clear();
    m_peakThroughput = 0;
    m_runMaxNs = 0;
    m_timeline.rewind();
    m_runStart = now();
    m_prevTickAt = m_runStart;
    m_prevTickT = 0;
    m_latest = {};
    // The traffic keeps its paused state, and then the clock stands at 0. A timed pause becomes
    // an open one: the timeline starts over, so the pause it came from belongs to the old pass.
    m_pausedAt = m_started && m_traffic.paused() ? m_runStart : -1;
    m_resumeAt = -1;
    m_pauseForNs = 0;
    m_resetting.store(false, std::memory_order_release);
    mark("reset");
    regenerateAll();
    publish(0);
}

// ---- the tick: due events, the outcome counts and latency of every shard, the workload's
// sections, history, snapshot ----

void Runtime::tickLocked()
{
    m_tickAt = now();
    // A timed pause ends on the first tick after its time (so to within a tick); not during a
    // reset (which makes it an open pause) or the stop.
    if (m_resumeAt >= 0 && m_tickAt >= m_resumeAt && !m_resetting.load() && !m_stopping.load()) {
        TimedEvent resume;
        resume.kind = EventKind::Resume;
        if (const auto r = applyLocked(resume); !r.ok)
            mark("resume failed: " + r.error);
    }
    // Frozen while paused: no event comes due and no spike runs out during a pause.
    const double t = runTime();
    m_traffic.tick(t);
    if (!m_resetting.load())
        while (const TimedEvent *e = m_timeline.nextDue(t)) {
            if (const auto r = applyLocked(*e); !r.ok)
                mark("event failed: " + r.error);
            else
                m_timeline.recordApplied(*e, e->atS);
        }

    m_tickAt = -1;

    TickContext ctx;
    ctx.t = t;
    ctx.now = now();
    ctx.dt = std::max(1e-3, static_cast<double>(ctx.now - m_prevTickAt) * 1e-9);
    m_prevTickAt = ctx.now;

    // The answers first, the workload's sections after: a subsystem counts the cause of an answer
    // (an order queued, a rejection) before the answer is counted, so whatever answer this read
    // sees already has its cause counted when the sections are read a moment later. Read the
    // other way round, an order queued and confirmed between the two reads would show as a yes
    // with nothing on the queue.
    TickSample x;
    Outcomes cur;
    LogHistogram latency;
    std::uint64_t intervalMax = 0;
    for (auto &s : m_shards) {
        const auto &c = s->outcomes;
        cur.attempts += c.attempts.get();
        cur.succeeded += c.succeeded.get();
        cur.soldOut += c.soldOut.get();
        cur.rateLimited += c.rateLimited.get();
        cur.nodeDown += c.nodeDown.get();
        cur.timeout += c.timeout.get();
        cur.overloaded += c.overloaded.get();
        s->latency.copyInto(latency);
        intervalMax = std::max(intervalMax, s->latency.takeIntervalMax());
    }
    m_workload->tick(ctx, x);
    x.t = t;
    x.offeredRate = m_traffic.offered();
    x.attempts = ctx.rate(cur.attempts, m_prev.attempts);
    x.succeeded = ctx.rate(cur.succeeded, m_prev.succeeded);
    x.soldOut = ctx.rate(cur.soldOut, m_prev.soldOut);
    x.rateLimited = ctx.rate(cur.rateLimited, m_prev.rateLimited);
    x.failedNodeDown = ctx.rate(cur.nodeDown, m_prev.nodeDown);
    x.failedTimeout = ctx.rate(cur.timeout, m_prev.timeout);
    x.failedOverloaded = ctx.rate(cur.overloaded, m_prev.overloaded);
    x.failed = x.failedNodeDown + x.failedTimeout + x.failedOverloaded;
    LogHistogram tickLatency = latency;
    tickLatency.subtract(m_prevLatency);
    x.p50Ms = tickLatency.quantile(0.50) * 1e-6;
    x.p95Ms = tickLatency.quantile(0.95) * 1e-6;
    x.p99Ms = tickLatency.quantile(0.99) * 1e-6;
    x.maxMs = tickLatency.count() ? static_cast<double>(intervalMax) * 1e-6 : 0.0;
    x.attemptsTotal = static_cast<std::int64_t>(cur.attempts);
    m_runMaxNs = std::max(m_runMaxNs, static_cast<double>(intervalMax));
    m_prevLatency = latency;
    m_runLatency = latency;
    m_prev = cur;

    m_peakThroughput = std::max(m_peakThroughput, x.succeeded + x.soldOut + x.rateLimited + x.failed);
    // History is indexed by run time: while the clock stands still (paused) a tick adds no
    // sample, so the charts stop and go on where they were. Rates are per engine second of this
    // tick (dt above), never over the paused span: m_prev moves on with every tick.
    if (t > m_prevTickT)
        m_timeline.push(x);
    m_prevTickT = t;
    m_latest = x;
    publish(t);
}

void Runtime::publish(double t)
{
    auto s = std::make_shared<Snapshot>();
    s->seq = ++m_seq;
    s->t = t;
    s->paused = m_traffic.paused();
    s->running = m_started && !m_stopped;
    s->ratePerS = m_traffic.rate();
    s->spikeFactor = m_traffic.spikeFactor();
    s->mode = m_traffic.mode();
    s->threads = static_cast<int>(m_shards.size());
    m_timeline.recent(kRecentTicks, &s->recent, &s->markers);
    s->attempts = static_cast<std::int64_t>(m_prev.attempts);
    s->succeeded = static_cast<std::int64_t>(m_prev.succeeded);
    s->soldOut = static_cast<std::int64_t>(m_prev.soldOut);
    s->rateLimited = static_cast<std::int64_t>(m_prev.rateLimited);
    s->failed = static_cast<std::int64_t>(m_prev.nodeDown + m_prev.timeout + m_prev.overloaded);
    s->failedNodeDown = static_cast<std::int64_t>(m_prev.nodeDown);
    s->failedTimeout = static_cast<std::int64_t>(m_prev.timeout);
    s->failedOverloaded = static_cast<std::int64_t>(m_prev.overloaded);
    s->p50Ms = m_runLatency.quantile(0.50) * 1e-6;
    s->p95Ms = m_runLatency.quantile(0.95) * 1e-6;
    s->p99Ms = m_runLatency.quantile(0.99) * 1e-6;
    s->maxMs = m_runMaxNs * 1e-6;
    s->peakThroughput = m_peakThroughput;
    s->latest = m_latest;
    m_workload->view(*s);
    std::shared_ptr<const Snapshot> old;
    {
        std::lock_guard g(m_snapshotMutex);
        old = std::exchange(m_snapshot, std::move(s));
    }
    // `old` is released here, outside the lock: a reader may still hold it.
}

// ---- end of run ----

RunResult Runtime::stop(double maxWaitS, bool drainQueue)
{
    {
        std::lock_guard g(m_controlMutex);
        if (m_stopped)
            throw std::logic_error("stopAndDrain: the engine has already stopped");
        if (!m_started) {
            // Never ran: audit the initial state and keep no threads.
            m_stopped = true;
            RunResult r;
            r.audit = m_workload->audit(true);
            r.final = *snapshot();
            return r;
        }
        m_stopping.store(true, std::memory_order_release);
        m_trafficStoppedAt = runTime();
        regenerateAll();
    }
    // Headless and tests only. First a barrier: after it no shard starts new traffic.
    auto barrier = [this] {
        std::atomic<int> pending { static_cast<int>(m_shards.size()) };
        for (auto &s : m_shards)
            boost::asio::post(s->io(), [&pending] { pending.fetch_sub(1, std::memory_order_release); });
        while (pending.load(std::memory_order_acquire) > 0)
            std::this_thread::sleep_for(std::chrono::microseconds(200));
    };
    barrier();
    // Then wait for the requests in flight to be answered.
    auto live = [this] {
        std::int64_t n = 0;
        for (auto &s : m_shards)
            n += static_cast<std::int64_t>(s->counters.allocated.get())
                - static_cast<std::int64_t>(s->counters.freed.get())
                - (static_cast<std::int64_t>(s->counters.actorsStarted.get())
                    - static_cast<std::int64_t>(s->counters.actorsEnded.get()));
        return n;
    };
    const auto deadline = Clock::now() + std::chrono::duration<double>(std::max(0.0, maxWaitS));
    while (live() > 0 && Clock::now() < deadline)
        std::this_thread::sleep_for(std::chrono::milliseconds(2));
    // Then for the work owed to answered shoppers ("lost" is judged once queues drain), as long
    // as it makes progress: a queue without consumers would never drain.
    if (drainQueue) {
        auto pending = [this] { return m_workload->pendingWork(); };
        auto last = pending();
        auto progressAt = Clock::now();
        while (last > 0 && Clock::now() - progressAt < std::chrono::duration<double>(std::max(0.5, maxWaitS))) {
            std::this_thread::sleep_for(std::chrono::milliseconds(5));
            const auto now = pending();
            if (now < last)
                progressAt = Clock::now();
            last = now;
        }
    }
    barrier(); // makes every shard's last counter writes visible to the audit below

    RunResult result;
    {
        std::lock_guard g(m_controlMutex);
        m_workload->freeze();
        m_resetting.store(false);
        tickLocked();
        result.audit = m_workload->audit(live() == 0);
        m_stopped = true;
        m_running.store(false, std::memory_order_release);
        publish(runTime());
        result.final = *snapshot();
        result.durationS = runTime();
        result.trafficS = m_trafficStoppedAt;
        result.drainS = std::max(0.0, result.durationS - result.trafficS);
        result.timeline = m_timeline.history();
        result.markers = m_timeline.markers();
        result.applied = m_timeline.applied();
        const auto answered
            = result.final.succeeded + result.final.soldOut + result.final.rateLimited + result.final.failed;
        result.meanThroughput = result.trafficS > 0 ? static_cast<double>(answered) / result.trafficS : 0.0;
    }
    // Shut down by cancelling work, not by stopping the io_contexts.
    for (auto &s : m_shards) {
        Shard *sh = s.get();
        boost::asio::post(sh->io(), [this, sh] {
            m_workload->shutdownShard(*sh);
            sh->shutdown();
        });
    }
    boost::asio::post(m_control, [this] {
        m_tickTimer.cancel();
        m_workload->shutdown();
        m_controlGuard.reset();
    });
    for (auto &s : m_shards)
        s->join();
    if (m_controlThread.joinable())
        m_controlThread.join();
    return result;
}

} // namespace stampede
