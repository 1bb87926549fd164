#pragma once

// Celebrity fan-out (DESIGN.md question 2): how does a post by an account with a million
// followers reach every one of them? Users post and read their timelines over a real follower
// graph; only latencies are modeled.
// - push: a post becomes a job on the fan-out queue; fan-out workers (actors spread over the
//   shards) take batches of its followers and write the post's id into each follower's inbox,
//   each write served by the follower's inbox shard in virtual time; a read is one inbox fetch.
// - pull: a post only lands in its author's outbox; a read fetches the outbox of every account
//   the reader follows, one after another, and merges them.
// - hybrid: push for authors with at most `threshold` followers, pull for those above; a read
//   fetches its inbox and the outboxes of the accounts above the threshold it follows.
// Celebrity posts are tracked (the newest kTracked): how many of the followers have the post in
// their inbox, and the delivery delay of each (the visibility curve's data).
//
// Workers' batches are written when the batch's last write ends (modeled), then acknowledged
// ackMs later; a worker killed before its acknowledgement has its batch delivered again, so a
// follower whose write had landed gets it twice unless writes are idempotent.

#include "config.h"
#include "fanoutqueue.h"
#include "followergraph.h"
#include "histogram.h"
#include "inboxstore.h"
#include "ownedcounter.h"
#include "postlog.h"
#include "shard.h"
#include "workload.h"

#include <array>
#include <atomic>
#include <memory>
#include <vector>

namespace stampede {

class Runtime;

class Fanout final : public Workload {
public:
    static constexpr int kTracked = 8; // celebrity posts whose delivery is followed

    // Throws std::invalid_argument naming the fanout.* key when the config is invalid.
    Fanout(Runtime &rt, const FanoutConfig &config);
    ~Fanout() override;

    // Workload
    void arrive(Shard &s, Nanos arrival, bool client) override;
    void step(Shard &s, Request *r) override;
    void clearShard(Shard &s) override;
    CommandResult apply(const TimedEvent &e) override;
    void tick(const TickContext &c, TickSample &x) override;
    void view(Snapshot &s) override;
    void reset() override;
    std::int64_t pendingWork() override { return static_cast<std::int64_t>(m_queue.backlog()); }
    Audit audit(bool drained) override;
    void freeze() override { }
    void shutdown() override { }

    // ---- control (control mutex held) ----
    // A post by celebrity c (0 .. celebrities-1) now, tracked: visibility(slot) follows it.
    CommandResult celebrityPost(int c, int *slot = nullptr);
    CommandResult setMode(FanoutMode m);
    CommandResult setThreshold(std::int64_t followers);
    CommandResult setPostShare(double share);
    CommandResult addWorkers(int count);
    // Kills a worker (the newest up when none is named): its unacknowledged batch is redelivered.
    CommandResult killWorker(std::optional<int> id = {});
    // Retires a worker (the newest up when none is named) once its batch is acknowledged.
    CommandResult removeWorker(std::optional<int> id = {});
    CommandResult addInboxShards(int count);
    // A killed shard's inboxes are lost (and its users' reads and writes refused) until rebuilt:
    // back up, each of its inboxes refilled with the newest pushed posts of the accounts it
    // follows, from the post log (what a real system replays from its post store).
    CommandResult killInboxShard(std::optional<int> id = {});
    CommandResult rebuildInboxShard(std::optional<int> id = {});

    // ---- any thread ----
    struct Totals {
        std::uint64_t posts = 0, reads = 0, fetches = 0, staleReads = 0;
        std::uint64_t writes = 0, duplicates = 0, skipped = 0, older = 0, lostWrites = 0;
        std::uint64_t batches = 0, acked = 0, redelivered = 0, backlog = 0;
        std::uint64_t refused = 0; // posts the full fan-out queue refused (outbox only)
        std::uint64_t pushed = 0; // posts that became fan-out jobs
        std::uint64_t entries = 0; // inbox entries held: filled slots, less those a kill cleared
        std::uint64_t lostEntries = 0, rebuiltEntries = 0;
    };
    Totals totals() const;
    struct Visibility {
        bool active = false;
        std::uint32_t post = 0, author = 0, followers = 0;
        double postedAtS = 0;
        double runAtS = 0; // run time of the post (as markers and ticks count it)
        bool pulled = false; // read by pull when it was posted: not fanned out
        std::uint64_t delivered = 0; // followers whose inbox got it (first write)
        double p50Ms = 0, p99Ms = 0, maxMs = 0; // delivery delays so far
    };
    // A post whose author reads pull (pull, or hybrid above the threshold) is visible to every
    // follower: the next read fetches the outbox.
    Visibility visibility(int slot) const; // control mutex
    // Delivery delays (post to inbox write) of every pushed post, ns.
    LogHistogram deliveryDelays() const;
    const FollowerGraph &graph() const { return *m_graph; }
    const InboxStore &inboxes() const { return m_inbox; }
    const PostLog &posts() const { return m_log; }
    int workersUp() const;
    // Bytes of the graph, inboxes and posts: what grows with the users (DESIGN: <= 64 B each at 1 M).
    std::size_t memoryBytes() const { return m_graph->memoryBytes() + m_inbox.memoryBytes() + m_log.memoryBytes(); }

private:
    enum class Stage : std::uint8_t { Read, ReadDone, Claim, Wrote, Acked };
    struct alignas(64) ShardStats {
        OwnedCounter posts, reads, fetches, staleReads;
        OwnedCounter writes, duplicates, skipped, older, lostWrites, batches, acked, filled, pushed;
        ConcurrentHistogram allDelay; // every write's delivery delay, ns
        std::array<OwnedCounter, kTracked> delivered;
        std::array<ConcurrentHistogram, kTracked> delay; // ns from post to inbox write
        std::vector<PostId> inbox; // scratch
        std::vector<PostInfo> outbox, merged;
        std::vector<UserId> followees;
    };
    struct WorkerSlot {
        std::atomic<bool> alive { false };
        std::atomic<bool> parked { false };
        std::atomic<bool> leaving { false }; // removed: ends after its acknowledgement
        std::atomic<Nanos> killedAt { 0 }; // engine time of its kill: the writes it had finished
        FanoutBatch batch; // the worker's shard thread only
        bool holding = false; // a batch taken and not yet acknowledged
        Nanos freeAt = 0; // modeled end of its last acknowledgement (its shard thread only)
        std::vector<Nanos> ends; // each write's end (modeled) in the batch
        std::vector<UserId> users; // each write's follower in the batch (looked up once, at the claim)
        std::atomic<Request *> request { nullptr }; // its actor, for a kill while parked
    };
    struct Tracked {
        std::atomic<bool> active { false };
        std::atomic<std::uint32_t> post { 0 }, author { 0 }, followers { 0 };
        std::atomic<Nanos> postedAt { 0 };
        std::atomic<double> runAt { 0 };
        std::atomic<bool> pulled { false }; // read by pull when posted: not fanned out
    };
    ShardStats &stats(Shard &s) { return *m_stats[static_cast<std::size_t>(s.index())]; }
    bool pushes(std::uint32_t followers) const;
    void post(UserId author, Nanos at, int tracked);
    void countTracked(int slot, std::uint64_t *delivered, LogHistogram *delay) const;
    void pulledFollowees(UserId user, FanoutMode mode, std::vector<UserId> &out) const;
    void readStep(Shard &s, Request *r);
    void finishRead(Shard &s, Request *r);
    void workerStep(Shard &s, Request *r);
    void writeBatch(ShardStats &st, WorkerSlot &w, Nanos until);
    void startWorker(int id);
    int pickWorker(std::optional<int> id) const; // -1 when none is up (control mutex)
    void wake(std::vector<Request *> parked, Nanos at = -1);

    Runtime &m_rt;
    FanoutConfig m_config;
    std::shared_ptr<const FollowerGraph> m_graph; // shared with engines of the same graph config
    InboxStore m_inbox;
    PostLog m_log;
    FanoutQueue m_queue;
    const Nanos m_writeNs, m_fetchNs, m_ackNs;
    std::atomic<FanoutMode> m_mode;
    std::atomic<std::uint32_t> m_threshold;
    std::atomic<double> m_postShare;
    std::vector<std::unique_ptr<ShardStats>> m_stats;
    std::unique_ptr<WorkerSlot[]> m_workers;
    int m_workersUsed = 0; // control mutex
    std::array<Tracked, kTracked> m_tracked;
    // What a slot had counted for its previous post when it was given to the next (control
    // mutex): per-shard counters have one writer each, so they are never zeroed from here.
    struct TrackedBase {
        std::uint64_t delivered = 0;
        LogHistogram delay;
    };
    std::array<TrackedBase, kTracked> m_trackedBase;
    int m_nextTracked = 0; // control mutex
    int m_newestTracked = -1; // control mutex
    std::uint64_t m_celebrityPosts = 0; // control mutex
    std::uint64_t m_celebrityPushed = 0; // control mutex
    Totals m_prev; // at the previous tick; control mutex
    std::atomic<std::uint64_t> m_refusedFanouts { 0 };
    std::atomic<std::uint64_t> m_lostEntries { 0 }, m_rebuiltEntries { 0 }; // control writes, ticks read
};

} // namespace stampede
