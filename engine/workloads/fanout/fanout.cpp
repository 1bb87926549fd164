#include "fanout.h"

#include "limittable.h"
#include "runtime.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <stdexcept>
#include <string>

namespace stampede {

namespace {

Nanos ms(double v) { return static_cast<Nanos>(std::llround(v * 1e6)); }

FollowerGraphConfig graphConfig(const FanoutConfig &c, std::uint64_t seed)
{
    FollowerGraphConfig g;
    g.users = c.users;
    g.meanFollows = c.followsPerUser;
    g.exponent = c.followerExponent;
    g.celebrities = c.celebrities;
    g.seed = seed;
    return g;
}

const FanoutConfig &validated(const FanoutConfig &c)
{
    if (auto e = validate(c); !e.empty())
        throw std::invalid_argument(e);
    return c;
}

} // namespace

Fanout::Fanout(Runtime &rt, const FanoutConfig &config)
    : m_rt(rt)
    , m_config(validated(config))
    , m_graph(FollowerGraph::shared(graphConfig(config, rt.config().seed)))
    , m_inbox(config.users, config.inboxSize, config.inboxShards)
    , m_log(config.users, config.postLog)
    , m_writeNs(ms(config.writeMs))
    , m_fetchNs(ms(config.fetchMs))
    , m_ackNs(ms(config.ackMs))
    , m_mode(config.mode)
    , m_threshold(config.threshold)
    , m_postShare(config.postShare)
    , m_workers(std::make_unique<WorkerSlot[]>(kMaxFanoutWorkers))
{
    for (int i = 0; i < rt.shardCount(); ++i) {
        auto st = std::make_unique<ShardStats>();
        st->inbox.reserve(static_cast<std::size_t>(config.inboxSize));
        m_stats.push_back(std::move(st));
    }
    for (int i = 0; i < config.workers; ++i)
        startWorker(m_workersUsed++);
}

Fanout::~Fanout() = default;

bool Fanout::pushes(std::uint32_t followers) const
{
    switch (m_mode.load(std::memory_order_relaxed)) {
    case FanoutMode::Push:
        return true;
    case FanoutMode::Pull:
        return false;
    case FanoutMode::Hybrid:
        return followers <= m_threshold.load(std::memory_order_relaxed);
    }
    return true;
}

// ---- posts and reads ----

void Fanout::arrive(Shard &s, Nanos arrival, bool client)
{
    if (m_rt.resetting()) {
        if (client)
            s.clientDone();
        return;
    }
    const std::uint32_t users = m_graph->users();
    const auto celebs = static_cast<std::uint32_t>(m_graph->celebrityCount());
    if (s.rng.uniform() < m_postShare.load(std::memory_order_relaxed) && users > celebs) {
        const auto author = static_cast<UserId>(celebs + s.rng.below(users - celebs));
        post(author, arrival, -1);
        stats(s).posts.add();
        if (client)
            s.clientDone();
        return;
    }
    Request *r = s.allocate();
    r->epoch = m_rt.epoch();
    r->arrival = arrival;
    r->client = client;
    const std::uint32_t fans = celebs > 0 ? m_graph->followerCount(0) : 0;
    if (fans > 0 && s.rng.uniform() < m_config.celebrityReaders)
        r->user = m_graph->followerAt(0, static_cast<std::uint32_t>(s.rng.below(fans)));
    else
        r->user = s.rng.below(users);
    r->setStage(Part::Workload, Stage::Read);
    s.outcomes.attempts.add();
    readStep(s, r);
}

// A post lands in its author's outbox at once; when the author is pushed, it also becomes a
// fan-out job. Any thread: a shard's (an ordinary post) or the control thread (a celebrity's).
void Fanout::post(UserId author, Nanos at, int tracked)
{
    const PostId id = m_log.post(author, at);
    const std::uint32_t followers = m_graph->followerCount(author);
    if (tracked >= 0) {
        Tracked &t = m_tracked[static_cast<std::size_t>(tracked)];
        t.post.store(id, std::memory_order_relaxed);
        t.author.store(author, std::memory_order_relaxed);
        t.followers.store(followers, std::memory_order_relaxed);
        t.postedAt.store(at, std::memory_order_relaxed);
        t.pulled.store(followers > 0 && !pushes(followers), std::memory_order_relaxed);
        t.active.store(true, std::memory_order_release);
    }
    if (followers == 0 || !pushes(followers))
        return;
    if (Shard *on = Shard::current())
        stats(*on).pushed.add(); // per-shard counters have one writer each
    else
        ++m_celebrityPushed; // the control thread's
    FanoutQueue::Job job;
    job.post = id;
    job.author = author;
    job.followers = followers;
    job.tracked = static_cast<std::int8_t>(tracked);
    job.postedAt = at;
    std::vector<Request *> parked;
    if (!m_queue.push(job, &parked)) {
        m_refusedFanouts.fetch_add(1, std::memory_order_relaxed); // the post stays in the outbox only
        return;
    }
    wake(std::move(parked), at);
}

// The accounts whose outboxes a read by `user` fetches: none with push, every followee with
// pull, with hybrid those above the threshold (the graph regenerates the list each time: it is
// not stored, and the read asks twice, when it starts and when its fetches end).
void Fanout::pulledFollowees(UserId user, FanoutMode mode, std::vector<UserId> &out) const
{
    out.clear();
    if (mode == FanoutMode::Push)
        return;
    m_graph->ordinaryFollowees(user, out);
    for (int c = 0; c < m_graph->celebrityCount(); ++c)
        if (m_graph->followsCelebrity(user, c))
            out.push_back(static_cast<UserId>(c));
    if (mode == FanoutMode::Hybrid) {
        const std::uint32_t threshold = m_threshold.load(std::memory_order_relaxed);
        std::erase_if(out, [&](UserId v) { return m_graph->followerCount(v) <= threshold; });
    }
}

void Fanout::readStep(Shard &s, Request *r)
{
    if (r->epoch != m_rt.epoch()) {
        const bool client = r->client;
        s.free(r);
        if (client)
            s.clientDone();
        return;
    }
    ShardStats &st = stats(s);
    const auto user = static_cast<UserId>(r->user);
    switch (r->stageAs<Stage>()) {
    case Stage::Read: {
        const FanoutMode mode = m_mode.load(std::memory_order_relaxed);
        // What the read will fetch: its inbox (push, hybrid), then outboxes, one after another.
        pulledFollowees(user, mode, st.followees);
        const auto outboxes = static_cast<std::uint32_t>(st.followees.size());
        r->readValue = static_cast<std::int64_t>(outboxes);
        r->hit = mode != FanoutMode::Pull; // reads an inbox
        Nanos wait = 0;
        if (r->hit)
            wait = m_inbox.serve(m_inbox.shardOf(user), s.now(), m_fetchNs);
        r->setStage(Part::Workload, Stage::ReadDone);
        const Nanos total = wait + static_cast<Nanos>(outboxes) * m_fetchNs;
        if (total > 0) {
            s.delay(r, total);
            return;
        }
        [[fallthrough]];
    }
    case Stage::ReadDone:
        finishRead(s, r);
        return;
    default:
        return;
    }
}

// The read's result, as of its end: inbox entries and the outboxes it fetched, merged, newest
// first. A tracked post the reader should have seen (it follows the author, the post is older
// than the read) and did not is a stale read.
void Fanout::finishRead(Shard &s, Request *r)
{
    ShardStats &st = stats(s);
    const auto user = static_cast<UserId>(r->user);
    const FanoutMode mode = m_mode.load(std::memory_order_relaxed);
    const int k = m_config.inboxSize;
    st.merged.clear();
    if (r->hit && m_inbox.read(user, st.inbox))
        for (PostId id : st.inbox)
            st.merged.push_back(PostInfo { id, 0, 0 });
    bool inboxFull = r->hit && static_cast<int>(st.inbox.size()) >= k;
    if (r->readValue > 0) {
        pulledFollowees(user, mode, st.followees);
        for (UserId v : st.followees) {
            m_log.outbox(v, k, st.outbox);
            st.merged.insert(st.merged.end(), st.outbox.begin(), st.outbox.end());
        }
    }
    std::sort(st.merged.begin(), st.merged.end(), [](const PostInfo &a, const PostInfo &b) { return a.id > b.id; });
    if (static_cast<int>(st.merged.size()) > k) {
        st.merged.resize(static_cast<std::size_t>(k));
        inboxFull = true;
    }
    const PostId oldestShown = st.merged.empty() ? 0 : st.merged.back().id;
    for (const Tracked &t : m_tracked) {
        if (!t.active.load(std::memory_order_acquire))
            continue;
        const PostId id = t.post.load(std::memory_order_relaxed);
        const auto author = t.author.load(std::memory_order_relaxed);
        if (t.postedAt.load(std::memory_order_relaxed) > r->arrival || (inboxFull && id < oldestShown))
            continue; // newer than the read, or crowded out by newer posts: not expected
        const bool follows
            = m_graph->isCelebrity(author) ? m_graph->followsCelebrity(user, static_cast<int>(author)) : false;
        if (!follows)
            continue;
        const bool shown
            = std::any_of(st.merged.begin(), st.merged.end(), [&](const PostInfo &p) { return p.id == id; });
        if (!shown)
            st.staleReads.add();
    }
    // Counted as the read ends, beside it, so fetches per read never includes reads in flight.
    st.fetches.add(static_cast<std::uint64_t>(r->readValue) + (r->hit ? 1 : 0));
    st.reads.add();
    s.answered(r, Outcome::Success);
    const bool client = r->client;
    s.free(r);
    if (client)
        s.clientDone();
}

void Fanout::step(Shard &s, Request *r)
{
    if (r->consumer >= 0)
        workerStep(s, r);
    else
        readStep(s, r);
}

// ---- workers ----

void Fanout::startWorker(int id)
{
    WorkerSlot &w = m_workers[static_cast<std::size_t>(id)];
    w.holding = false;
    w.freeAt = m_rt.now(); // a worker added now starts no earlier (the actor's start publishes it)
    w.leaving.store(false);
    w.parked.store(false);
    w.request.store(nullptr);
    w.ends.reserve(static_cast<std::size_t>(m_config.batch));
    w.users.reserve(static_cast<std::size_t>(m_config.batch));
    w.alive.store(true, std::memory_order_release);
    m_rt.startActor(id, [id](Shard &, Request *r) {
        r->consumer = id;
        r->setStage(Part::Workload, Stage::Claim);
    });
}

// Parked workers take up the new work at `at`, the post's modeled time (a celebrity's post
// comes from the control thread, whose hand-over would otherwise start them at the clock when
// they run), or at the releasing step's time when `at` is -1.
void Fanout::wake(std::vector<Request *> parked, Nanos at)
{
    for (Request *r : parked) {
        m_workers[static_cast<std::size_t>(r->consumer)].parked.store(false, std::memory_order_relaxed);
        if (at >= 0)
            m_rt.dispatchAt(r, at);
        else
            m_rt.dispatch(r);
    }
}

// The batch's writes that end (modeled) by `until`, in order: each into its follower's inbox.
void Fanout::writeBatch(ShardStats &st, WorkerSlot &w, Nanos until)
{
    const FanoutBatch &b = w.batch;
    const bool idempotent = m_config.idempotent;
    const bool tracked = b.tracked >= 0
        && m_tracked[static_cast<std::size_t>(b.tracked)].post.load(std::memory_order_acquire) == b.post;
    // The inboxes are spread over the whole store: each write misses the caches, so the lines of
    // the writes a few places ahead are requested meanwhile (the lock's exchange orders the writes,
    // not the prefetches).
    constexpr std::uint32_t kAhead = 8;
    const std::uint32_t n = b.to - b.from;
    for (std::uint32_t j = 0; j < std::min(kAhead, n); ++j)
        m_inbox.prefetch(w.users[j]);
    for (std::uint32_t i = b.from; i < b.to && w.ends[i - b.from] <= until; ++i) {
        const UserId f = w.users[i - b.from];
        if (i - b.from + kAhead < n)
            m_inbox.prefetch(w.users[i - b.from + kAhead]);
        bool filled = false;
        switch (m_inbox.write(f, b.post, idempotent, &filled)) {
        case InboxStore::Write::Stored: {
            st.writes.add();
            const auto d = static_cast<std::uint64_t>(std::max<Nanos>(w.ends[i - b.from] - b.postedAt, 0));
            st.allDelay.record(d);
            if (tracked) {
                st.delivered[static_cast<std::size_t>(b.tracked)].add();
                st.delay[static_cast<std::size_t>(b.tracked)].record(d);
            }
            break;
        }
        case InboxStore::Write::Duplicate:
            st.writes.add();
            st.duplicates.add();
            break;
        case InboxStore::Write::Skipped:
            st.skipped.add();
            break;
        case InboxStore::Write::Older:
            st.older.add();
            break;
        case InboxStore::Write::ShardDown:
            st.lostWrites.add();
            break;
        }
        if (filled)
            st.filled.add();
    }
}

void Fanout::workerStep(Shard &s, Request *r)
{
    WorkerSlot &w = m_workers[static_cast<std::size_t>(r->consumer)];
    if (r->epoch != m_rt.epoch()) { // from before a reset: its slot belongs to someone else now
        m_rt.actorEnded(s, r);
        return;
    }
    ShardStats &st = stats(s);
    for (;;) {
        if (!w.alive.load(std::memory_order_acquire)) {
            if (w.holding) { // killed before its acknowledgement: delivered again
                // The writes it finished before it died have landed; the batch comes back whole.
                if (r->stageAs<Stage>() == Stage::Wrote)
                    writeBatch(st, w, w.killedAt.load(std::memory_order_relaxed));
                w.holding = false;
                wake(m_queue.redeliver(w.batch));
            }
            m_rt.actorEnded(s, r);
            return;
        }
        switch (r->stageAs<Stage>()) {
        case Stage::Claim: {
            if (w.leaving.load(std::memory_order_acquire)) { // removed: nothing held, so just end
                w.alive.store(false, std::memory_order_release);
                m_rt.actorEnded(s, r);
                return;
            }
            w.request.store(r, std::memory_order_relaxed);
            w.parked.store(true, std::memory_order_relaxed);
            const auto b = m_queue.take(static_cast<std::uint32_t>(m_config.batch), r);
            if (!b) {
                // Parked. A kill or removal that came meanwhile may have missed it: take it back then.
                if (!w.alive.load(std::memory_order_acquire) || w.leaving.load(std::memory_order_acquire))
                    if (m_queue.unpark(r)) {
                        w.alive.store(false, std::memory_order_release);
                        m_rt.actorEnded(s, r);
                    }
                return;
            }
            w.parked.store(false, std::memory_order_relaxed);
            w.batch = *b;
            w.holding = true;
            // Each write waits for its follower's inbox shard; the worker writes one after another.
            w.ends.clear();
            w.users.clear();
            // An idle worker takes the post up when it came, not when its thread got to it
            // (a worker woken or started late by a busy machine was waiting, in modeled time).
            Nanos t = std::min(s.now(), std::max(w.freeAt, b->postedAt));
            for (std::uint32_t i = b->from; i < b->to; ++i) {
                const UserId f = m_graph->followerAt(b->author, i);
                if (m_writeNs > 0)
                    t += m_inbox.serve(m_inbox.shardOf(f), t, m_writeNs);
                w.ends.push_back(t);
                w.users.push_back(f);
            }
            r->setStage(Part::Workload, Stage::Wrote);
            if (const Nanos d = t - s.now(); d > 0) {
                s.delay(r, d);
                return;
            }
            continue;
        }
        case Stage::Wrote:
            writeBatch(st, w, std::numeric_limits<Nanos>::max());
            r->setStage(Part::Workload, Stage::Acked);
            if (m_ackNs > 0) {
                s.delay(r, m_ackNs);
                return;
            }
            continue;
        case Stage::Acked:
            // Free when its timer fired, which a busy machine makes late, and that adds up batch
            // after batch (the TSan drift in tst_fanout). Taking the batch's modeled end instead
            // lets a late worker catch up alone: it claims batch after batch in the past before
            // the others wake, and 4 workers push like 1. Claims in modeled-time order would fix
            // both; until then, real time.
            w.freeAt = s.now();
            w.holding = false;
            m_queue.done(w.batch);
            st.batches.add();
            st.acked.add(w.batch.to - w.batch.from);
            r->setStage(Part::Workload, Stage::Claim);
            continue;
        default:
            m_rt.actorEnded(s, r);
            return;
        }
    }
}

// ---- control ----

CommandResult Fanout::celebrityPost(int c, int *slotOut)
{
    if (c < 0 || c >= m_graph->celebrityCount())
        return CommandResult::fail("celebrity post: no celebrity " + std::to_string(c) + " (there are "
            + std::to_string(m_graph->celebrityCount()) + ")");
    const int slot = m_nextTracked;
    m_nextTracked = (m_nextTracked + 1) % kTracked;
    Tracked &t = m_tracked[static_cast<std::size_t>(slot)];
    t.active.store(false, std::memory_order_release);
    t.post.store(0, std::memory_order_release); // the slot's older post stops counting
    TrackedBase &base = m_trackedBase[static_cast<std::size_t>(slot)];
    base.delivered = 0;
    base.delay.clear();
    countTracked(slot, &base.delivered, &base.delay);
    t.runAt.store(m_rt.started() ? m_rt.runTime() : 0.0, std::memory_order_relaxed);
    post(static_cast<UserId>(c), m_rt.now(), slot);
    m_newestTracked = slot;
    ++m_celebrityPosts;
    m_rt.mark("celebrity " + std::to_string(c) + " posts");
    if (slotOut)
        *slotOut = slot;
    return {};
}

CommandResult Fanout::setMode(FanoutMode m)
{
    if (m != FanoutMode::Push && m != FanoutMode::Pull && m != FanoutMode::Hybrid)
        return CommandResult::fail("fan-out mode: must be push, pull or hybrid");
    if (m_mode.exchange(m, std::memory_order_relaxed) != m)
        m_rt.mark("fan-out " + std::string(toString(m)));
    return {};
}

CommandResult Fanout::setThreshold(std::int64_t followers)
{
    if (!limits::inRange(limits::Limit::FanoutThreshold, static_cast<double>(followers)))
        return CommandResult::fail(
            "fan-out threshold: " + limits::describe(limits::Limit::FanoutThreshold) + " followers");
    const auto v = static_cast<std::uint32_t>(followers);
    if (m_threshold.exchange(v, std::memory_order_relaxed) != v)
        m_rt.mark("threshold " + std::to_string(v) + " followers");
    return {};
}

CommandResult Fanout::setPostShare(double share)
{
    if (!limits::inRange(limits::Limit::PostShare, share))
        return CommandResult::fail("post share: " + limits::describe(limits::Limit::PostShare));
    if (m_postShare.exchange(share, std::memory_order_relaxed) != share)
        m_rt.mark("posts " + std::to_string(static_cast<int>(std::lround(share * 100))) + " % of arrivals");
    return {};
}

CommandResult Fanout::addWorkers(int count)
{
    if (count < 1)
        return CommandResult::fail("add fan-out workers: count must be at least 1");
    if (m_workersUsed + count > kMaxFanoutWorkers)
        return CommandResult::fail(
            "add fan-out workers: at most " + std::to_string(kMaxFanoutWorkers) + " between resets");
    for (int i = 0; i < count; ++i)
        startWorker(m_workersUsed++);
    m_rt.mark(std::to_string(count) + " fan-out worker" + (count == 1 ? "" : "s") + " added");
    return {};
}

int Fanout::pickWorker(std::optional<int> id) const
{
    auto up = [&](int i) {
        const WorkerSlot &w = m_workers[static_cast<std::size_t>(i)];
        return w.alive.load() && !w.leaving.load();
    };
    if (id)
        return *id >= 0 && *id < m_workersUsed && up(*id) ? *id : -1;
    for (int i = m_workersUsed - 1; i >= 0; --i)
        if (up(i))
            return i;
    return -1;
}

CommandResult Fanout::removeWorker(std::optional<int> id)
{
    const int pick = pickWorker(id);
    if (pick < 0)
        return CommandResult::fail(id ? "remove fan-out worker: no worker " + std::to_string(*id) + " is up"
                                      : std::string("remove fan-out worker: none is up"));
    WorkerSlot &w = m_workers[static_cast<std::size_t>(pick)];
    w.leaving.store(true, std::memory_order_release);
    if (Request *r = w.request.load(std::memory_order_relaxed); r && w.parked.load() && m_queue.unpark(r))
        m_rt.dispatch(r); // parked: its shard ends it at its next step
    m_rt.mark("fan-out worker " + std::to_string(pick) + " removed");
    return {};
}

CommandResult Fanout::killWorker(std::optional<int> id)
{
    const int pick = pickWorker(id);
    if (pick < 0)
        return CommandResult::fail(id ? "kill fan-out worker: no worker " + std::to_string(*id) + " is up"
                                      : std::string("kill fan-out worker: none is up"));
    WorkerSlot &w = m_workers[static_cast<std::size_t>(pick)];
    w.killedAt.store(m_rt.now(), std::memory_order_relaxed); // before alive: the worker reads it after
    w.alive.store(false, std::memory_order_release);
    // Parked: nothing will wake it, so hand it back to its shard to end.
    if (Request *r = w.request.load(std::memory_order_relaxed); r && w.parked.load() && m_queue.unpark(r))
        m_rt.dispatch(r);
    m_rt.mark("fan-out worker " + std::to_string(pick) + " killed");
    return {};
}

int Fanout::workersUp() const
{
    int n = 0;
    for (int i = 0; i < kMaxFanoutWorkers; ++i) {
        const WorkerSlot &w = m_workers[static_cast<std::size_t>(i)];
        n += w.alive.load(std::memory_order_relaxed) && !w.leaving.load(std::memory_order_relaxed) ? 1 : 0;
    }
    return n;
}

CommandResult Fanout::addInboxShards(int count)
{
    if (auto e = m_inbox.addShards(count); !e.empty())
        return CommandResult::fail(e);
    m_rt.mark(std::to_string(count) + " inbox shard" + (count == 1 ? "" : "s") + " added");
    return {};
}

CommandResult Fanout::killInboxShard(std::optional<int> id)
{
    int pick = -1;
    if (id)
        pick = *id >= 0 && *id < m_inbox.shards() && m_inbox.up(*id) ? *id : -1;
    else
        for (int i = m_inbox.shards() - 1; i >= 0 && pick < 0; --i)
            pick = m_inbox.up(i) ? i : -1;
    if (pick < 0)
        return CommandResult::fail(id ? "kill inbox shard: no shard " + std::to_string(*id) + " is up"
                                      : std::string("kill inbox shard: none is up"));
    m_lostEntries.fetch_add(m_inbox.kill(pick), std::memory_order_relaxed);
    m_rt.mark("inbox shard " + std::to_string(pick) + " killed");
    return {};
}

CommandResult Fanout::rebuildInboxShard(std::optional<int> id)
{
    int pick = -1;
    if (id)
        pick = *id >= 0 && *id < m_inbox.shards() && !m_inbox.up(*id) ? *id : -1;
    else
        for (int i = 0; i < m_inbox.shards() && pick < 0; ++i)
            pick = m_inbox.up(i) ? -1 : i;
    if (pick < 0)
        return CommandResult::fail(id ? "rebuild inbox shard: shard " + std::to_string(*id) + " is not down"
                                      : std::string("rebuild inbox shard: none is down"));
    m_inbox.restore(pick);
    // Each of its inboxes gets what a push would have left there: the newest posts of the
    // accounts its user follows and is pushed from, from their outboxes, oldest first.
    const int k = m_config.inboxSize;
    const auto step = static_cast<std::uint32_t>(m_inbox.shards());
    std::vector<UserId> followees;
    std::vector<PostInfo> outbox, merged;
    std::uint64_t rebuilt = 0;
    for (auto u = static_cast<UserId>(pick); u < m_graph->users(); u += step) {
        m_graph->ordinaryFollowees(u, followees);
        for (int c = 0; c < m_graph->celebrityCount(); ++c)
            if (m_graph->followsCelebrity(u, c))
                followees.push_back(static_cast<UserId>(c));
        merged.clear();
        for (UserId v : followees) {
            if (!pushes(m_graph->followerCount(v)))
                continue;
            m_log.outbox(v, k, outbox);
            merged.insert(merged.end(), outbox.begin(), outbox.end());
        }
        std::sort(merged.begin(), merged.end(), [](const PostInfo &a, const PostInfo &b) { return a.id < b.id; });
        const std::size_t from
            = merged.size() > static_cast<std::size_t>(k) ? merged.size() - static_cast<std::size_t>(k) : 0;
        for (std::size_t i = from; i < merged.size(); ++i) {
            bool filled = false;
            if (m_inbox.write(u, merged[i].id, true, &filled) == InboxStore::Write::Stored && filled)
                ++rebuilt;
        }
    }
    m_rebuiltEntries.fetch_add(rebuilt, std::memory_order_relaxed);
    m_rt.mark("inbox shard " + std::to_string(pick) + " rebuilt: " + std::to_string(rebuilt) + " entries");
    return {};
}

CommandResult Fanout::apply(const TimedEvent &e)
{
    switch (e.kind) {
    case EventKind::CelebrityPost:
        return celebrityPost(e.node.value_or(0));
    case EventKind::SetFanoutMode:
        return setMode(e.fanoutMode);
    case EventKind::SetFanoutThreshold:
        return setThreshold(e.threshold);
    case EventKind::SetPostShare:
        return setPostShare(e.ratio);
    case EventKind::AddFanoutWorkers:
        return addWorkers(e.count);
    case EventKind::RemoveFanoutWorker:
        return removeWorker(e.node);
    case EventKind::KillFanoutWorker:
        return killWorker(e.node);
    case EventKind::AddInboxShards:
        return addInboxShards(e.count);
    case EventKind::KillInboxShard:
        return killInboxShard(e.node);
    case EventKind::RebuildInboxShard:
        return rebuildInboxShard(e.node);
    default:
        break; // another workload's: the runtime refuses it before it comes here
    }
    return CommandResult::fail("unknown command");
}

void Fanout::clearShard(Shard &s)
{
    ShardStats &st = stats(s);
    for (OwnedCounter *c : { &st.posts, &st.reads, &st.fetches, &st.staleReads, &st.writes, &st.duplicates, &st.skipped,
             &st.older, &st.lostWrites, &st.batches, &st.acked, &st.filled, &st.pushed })
        c->zero();
    st.allDelay.clear();
    for (int i = 0; i < kTracked; ++i) {
        st.delivered[static_cast<std::size_t>(i)].zero();
        st.delay[static_cast<std::size_t>(i)].clear();
    }
}

void Fanout::reset()
{
    // Every shard has passed the barrier: requests from before are void (their epoch), and a
    // parked worker is handed back so its shard ends it.
    for (int i = 0; i < m_workersUsed; ++i)
        m_workers[static_cast<std::size_t>(i)].alive.store(false, std::memory_order_release);
    for (Request *r : m_queue.clear())
        m_rt.dispatch(r);
    m_inbox.clear();
    m_log.clear();
    for (Tracked &t : m_tracked) {
        t.active.store(false);
        t.post.store(0);
    }
    for (TrackedBase &b : m_trackedBase) {
        b.delivered = 0;
        b.delay.clear();
    }
    m_nextTracked = 0;
    m_newestTracked = -1;
    m_celebrityPosts = 0;
    m_refusedFanouts.store(0);
    m_lostEntries.store(0);
    m_rebuiltEntries.store(0);
    m_celebrityPushed = 0;
    m_postShare.store(m_config.postShare);
    m_prev = {};
    m_mode.store(m_config.mode);
    m_threshold.store(m_config.threshold);
    m_workersUsed = 0;
    for (int i = 0; i < m_config.workers; ++i)
        startWorker(m_workersUsed++);
}

void Fanout::tick(const TickContext &c, TickSample &x)
{
    const Totals t = totals();
    FanoutSample f;
    const std::uint64_t posts = t.posts + m_celebrityPosts;
    f.posts = c.rate(posts, m_prev.posts);
    f.reads = c.rate(t.reads, m_prev.reads);
    f.inboxWrites = c.rate(t.writes, m_prev.writes);
    const std::uint64_t reads = t.reads - std::min(t.reads, m_prev.reads);
    f.fetchesPerRead = reads > 0 ? static_cast<double>(t.fetches - m_prev.fetches) / static_cast<double>(reads) : 0;
    f.staleReads = c.rate(t.staleReads, m_prev.staleReads);
    f.backlog = static_cast<std::int64_t>(t.backlog);
    f.drainRate = c.rate(t.acked, m_prev.acked);
    if (m_newestTracked >= 0) {
        const Visibility v = visibility(m_newestTracked);
        f.visible = v.followers > 0 ? static_cast<double>(v.delivered) / v.followers : 1.0;
        f.trackedPost = v.post;
    }
    f.entries = static_cast<std::int64_t>(t.entries);
    for (int i = 0; i < m_inbox.shards(); ++i)
        f.hotShardUtilisation = std::max(f.hotShardUtilisation, m_inbox.utilisation(i, c.now, m_writeNs));
    f.workersUp = workersUp();
    f.duplicatesTotal = static_cast<std::int64_t>(t.duplicates);
    f.staleReadsTotal = static_cast<std::int64_t>(t.staleReads);
    f.redeliveredTotal = static_cast<std::int64_t>(t.redelivered);
    x.fanout = f;
    m_prev = t;
    m_prev.posts = posts;
}

void Fanout::view(Snapshot &s)
{
    FanoutView v;
    v.mode = m_mode.load(std::memory_order_relaxed);
    v.threshold = m_threshold.load(std::memory_order_relaxed);
    v.users = m_graph->users();
    v.celebrities = m_config.celebrities;
    v.workersUp = workersUp();
    for (int k = 0; k < kTracked && m_newestTracked >= 0; ++k) {
        const int slot = (m_newestTracked - k + kTracked) % kTracked;
        const Visibility p = visibility(slot);
        if (!p.active)
            break;
        v.tracked.push_back({ p.post, p.author, p.followers, p.postedAtS, p.runAtS,
            static_cast<std::int64_t>(p.delivered), p.p50Ms, p.p99Ms, p.maxMs, p.pulled });
    }
    const Nanos now = m_rt.now();
    for (int i = 0; i < m_inbox.shards(); ++i) {
        v.shardUtilisation.push_back(m_inbox.utilisation(i, now, m_writeNs));
        v.shardUp.push_back(m_inbox.up(i));
    }
    const Totals t = totals();
    v.posts = static_cast<std::int64_t>(t.posts + m_celebrityPosts);
    v.reads = static_cast<std::int64_t>(t.reads);
    v.fetches = static_cast<std::int64_t>(t.fetches);
    v.staleReads = static_cast<std::int64_t>(t.staleReads);
    v.inboxWrites = static_cast<std::int64_t>(t.writes);
    v.duplicates = static_cast<std::int64_t>(t.duplicates);
    v.lostWrites = static_cast<std::int64_t>(t.lostWrites);
    v.redelivered = static_cast<std::int64_t>(t.redelivered);
    v.refusedFanouts = static_cast<std::int64_t>(t.refused);
    v.pushedPosts = static_cast<std::int64_t>(t.pushed);
    v.entries = static_cast<std::int64_t>(t.entries);
    v.lostEntries = static_cast<std::int64_t>(t.lostEntries);
    v.rebuiltEntries = static_cast<std::int64_t>(t.rebuiltEntries);
    v.backlog = static_cast<std::int64_t>(t.backlog);
    const LogHistogram d = deliveryDelays();
    v.deliveryP50Ms = d.quantile(0.50) / 1e6;
    v.deliveryP99Ms = d.quantile(0.99) / 1e6;
    v.deliveryMaxMs = d.maxValue() / 1e6;
    s.fanout = v;
}

Audit Fanout::audit(bool drained)
{
    // The fan-out's invariants: every pushed post reached every follower's inbox once (nothing
    // left queued, no duplicate entry, no write lost to a dead shard, no post refused).
    const Totals t = totals();
    Audit a;
    a.queued = static_cast<std::int64_t>(t.backlog);
    a.drained = drained && a.queued == 0;
    a.conserved = true; // no stock here
    a.staleReads = static_cast<std::int64_t>(t.staleReads);
    a.invariantsOk = a.drained && t.duplicates == 0 && t.lostWrites == 0 && t.refused == 0;
    return a;
}

Fanout::Totals Fanout::totals() const
{
    Totals t;
    for (const auto &p : m_stats) {
        const ShardStats &st = *p;
        t.posts += st.posts.get();
        t.reads += st.reads.get();
        t.fetches += st.fetches.get();
        t.staleReads += st.staleReads.get();
        t.writes += st.writes.get();
        t.duplicates += st.duplicates.get();
        t.skipped += st.skipped.get();
        t.older += st.older.get();
        t.lostWrites += st.lostWrites.get();
        t.batches += st.batches.get();
        t.acked += st.acked.get();
        t.pushed += st.pushed.get();
        t.entries += st.filled.get();
    }
    t.pushed += m_celebrityPushed;
    t.lostEntries = m_lostEntries.load(std::memory_order_relaxed);
    t.rebuiltEntries = m_rebuiltEntries.load(std::memory_order_relaxed);
    t.entries += t.rebuiltEntries;
    t.entries -= std::min(t.entries, t.lostEntries);
    t.redelivered = m_queue.redelivered();
    t.refused = m_refusedFanouts.load(std::memory_order_relaxed);
    t.backlog = m_queue.backlog();
    return t;
}

void Fanout::countTracked(int slot, std::uint64_t *delivered, LogHistogram *delay) const
{
    for (const auto &p : m_stats) {
        *delivered += p->delivered[static_cast<std::size_t>(slot)].get();
        p->delay[static_cast<std::size_t>(slot)].copyInto(*delay);
    }
}

Fanout::Visibility Fanout::visibility(int slot) const
{
    Visibility v;
    const Tracked &t = m_tracked[static_cast<std::size_t>(slot)];
    v.active = t.active.load(std::memory_order_acquire);
    if (!v.active)
        return v;
    v.post = t.post.load();
    v.author = t.author.load();
    v.followers = t.followers.load();
    v.postedAtS = static_cast<double>(t.postedAt.load()) / 1e9;
    v.runAtS = t.runAt.load();
    v.pulled = t.pulled.load();
    LogHistogram h;
    countTracked(slot, &v.delivered, &h);
    const TrackedBase &base = m_trackedBase[static_cast<std::size_t>(slot)];
    v.delivered -= std::min(v.delivered, base.delivered);
    h.subtract(base.delay);
    v.p50Ms = h.quantile(0.50) / 1e6;
    v.p99Ms = h.quantile(0.99) / 1e6;
    v.maxMs = h.maxValue() / 1e6;
    if (!pushes(v.followers)) // read by pull now: every follower's next read fetches the outbox
        v.delivered = v.followers;
    return v;
}

LogHistogram Fanout::deliveryDelays() const
{
    LogHistogram h;
    for (const auto &p : m_stats)
        p->allDelay.copyInto(h);
    return h;
}

} // namespace stampede
