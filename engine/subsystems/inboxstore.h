#pragma once

// Timelines for the fan-out workload: each user's inbox holds the ids of the newest K posts
// pushed to it (post ids grow with time, so "newest" is "largest"), and inboxes are spread over
// inbox shards (user u lives on shard u mod S), each serving 1/opNs operations per second.
//
// A shard's capacity is kept per window of modeled time (1 ms, or one operation when that is
// longer): an operation arriving at t is served in t's window when it has room (it takes opNs),
// else in the first later window that has (it waits for it). Unlike one busy-until time, this
// does not depend on the order in which threads reach the shard: fan-out workers on different
// threads run ahead of each other in modeled time by up to a batch, and none of them queues
// behind another's later reservations while the shard has room. A saturated shard queues to
// within a window.
//
// Any shard thread may write or read any inbox. Invariants: an inbox's K slots change only under
// that user's one-byte spin lock (so an idempotent write that finds its id present writes
// nothing, exactly, whatever the threads do); a shard's windows change only under its spin lock;
// a killed shard's inboxes are cleared under their locks and stay empty, refusing writes, until
// restored.

#include "clock.h"
#include "config.h"

#include <algorithm>
#include <atomic>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace stampede {

using PostId = std::uint32_t; // 0 is "empty"; real ids start at 1

struct InboxUnmap { // frees InboxStore's inboxes (mapped, see m_data)
    void *base = nullptr;
    std::size_t bytes = 0;
    void operator()(std::atomic<PostId> *) const;
};

class InboxStore {
public:
    // users >= 1; inboxSize and shards within their rows of the limit table (fanout.inbox_size,
    // fanout.inbox_shards); std::invalid_argument naming the key otherwise.
    InboxStore(std::uint32_t users, int inboxSize, int shards);

    std::uint32_t users() const { return m_users; }
    int inboxSize() const { return m_slots; }
    int shards() const { return m_active.load(std::memory_order_acquire); }
    int shardOf(std::uint32_t user) const { return static_cast<int>(user % static_cast<std::uint32_t>(shards())); }

    enum class Write {
        Stored, // a new entry
        Duplicate, // stored, though the inbox already held it (a redelivered batch, not idempotent)
        Skipped, // idempotent, and the inbox already held it: nothing written
        Older, // older than every entry of a full inbox: nothing written
        ShardDown, // the user's shard is killed: nothing written
    };
    // Puts `post` in user's inbox in place of its oldest entry (or an empty slot: *filled then).
    Write write(std::uint32_t user, PostId post, bool idempotent, bool *filled = nullptr);
    // A hint that user's inbox is written soon: its lines are fetched meanwhile (no state changes).
    void prefetch(std::uint32_t user) const
    {
        __builtin_prefetch(&m_locks[user], 1, 3);
        __builtin_prefetch(inbox(user), 1, 3);
    }
    // Copies user's inbox (newest first, without empty slots) into out; false when its shard is down.
    bool read(std::uint32_t user, std::vector<PostId> &out) const;

    static constexpr Nanos kWindowNs = 1'000'000;
    static constexpr int kWindows = 64; // how far ahead a saturated shard books, in windows

    // One operation on shard s arriving at `now`: the time until the shard has served it
    // (0 when opNs is 0: an operation without a modeled cost is not booked, nor counted).
    Nanos serve(int shard, Nanos now, Nanos opNs);
    // Operations booked in windows after now's: the shard's queue.
    std::uint64_t backlog(int shard, Nanos now, Nanos opNs) const;
    // The share of capacity used in the window before now's (0 .. 1).
    double utilisation(int shard, Nanos now, Nanos opNs) const;
    std::uint64_t operations(int shard) const
    {
        return m_shard[static_cast<std::size_t>(shard)].ops.load(std::memory_order_relaxed);
    }

    // Control: a killed shard loses its inboxes (kill returns the entries it held) and refuses
    // writes and reads until restored.
    std::uint64_t kill(int shard);
    void restore(int shard);
    // More shards to serve the same inboxes: users spread over them at once (an inbox lives in
    // the store, a shard is the capacity that serves it, so nothing is copied). Refused, with a
    // one-line reason, while a shard is down (its users would change shards half cleared) or
    // beyond kMaxInboxShards.
    std::string addShards(int count);
    bool up(int shard) const { return m_shard[static_cast<std::size_t>(shard)].up.load(std::memory_order_acquire); }
    // Back to empty inboxes and the configured idle shards (no writer may run: the reset barrier
    // is passed).
    void clear();

    // Entries held (non-empty slots), summed over the inboxes: O(users x slots), for the tick's
    // slow path only (the workload keeps a running count).
    std::uint64_t entries() const;
    std::size_t memoryBytes() const;

private:
    struct alignas(64) Shard {
        mutable std::atomic<std::uint8_t> lock { 0 };
        std::int64_t window[kWindows]; // the window each ring slot counts (-1: none); under lock
        std::uint32_t used[kWindows]; // operations booked in it; under lock
        std::atomic<std::uint64_t> ops { 0 }; // under lock (writes); any thread reads
        // Read by every write and read of the shard's users: a line of its own, so that the
        // windows' bookkeeping on the other lines does not invalidate it.
        alignas(64) std::atomic<bool> up { true };
        void clearWindows();
    };
    class Lock;
    static Nanos windowOf(Nanos opNs) { return std::max(kWindowNs, opNs); }
    std::atomic<PostId> *inbox(std::uint32_t user) const { return &m_data[std::size_t(user) * std::size_t(m_slots)]; }

    std::uint32_t m_users;
    int m_slots;
    int m_configured; // shards at construction, and after clear()
    std::atomic<int> m_active; // shards serving now, m_configured .. kMaxInboxShards
    // Anonymous memory asked to be backed by huge pages: every write lands on a random inbox, so
    // with 4 KiB pages nearly every one is also a TLB miss (a nested page walk in a VM).
    std::unique_ptr<std::atomic<PostId>[], InboxUnmap> m_data; // users x slots
    std::unique_ptr<std::atomic<std::uint8_t>[]> m_locks; // one per user
    std::unique_ptr<Shard[]> m_shard;
};

} // namespace stampede
