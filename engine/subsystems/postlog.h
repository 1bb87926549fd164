#pragma once

// Every post of the fan-out workload, and each author's outbox (the pull side's source).
//
// Posts get ids 1, 2, 3 … in the order they are made, and their records live in a ring of the
// newest `capacity` posts; each author's outbox is a chain from its newest post back through its
// earlier ones, so an outbox costs 4 B per user (the head) and nothing per post beyond the ring.
// Any thread may post or read. Invariants: a record is published by storing its id last
// (release); a reader that loads the id, then the fields, then the id again and finds it
// unchanged has read one post's fields (a seqlock with the unique id as its sequence); an
// author's head moves by CAS to a post whose record already names the previous head.

#include "clock.h"

#include <atomic>
#include <cstdint>
#include <memory>
#include <optional>
#include <vector>

namespace stampede {

using PostId = std::uint32_t; // 0: none
using UserId = std::uint32_t;

struct PostInfo {
    PostId id = 0;
    UserId author = 0;
    Nanos at = 0; // modeled time it was posted
};

class PostLog {
public:
    // users >= 1; capacity a power of two >= 2 (std::invalid_argument naming fanout.* otherwise).
    PostLog(std::uint32_t users, std::uint32_t capacity);

    // A new post by `author` at `at`; its id.
    PostId post(UserId author, Nanos at);
    // The post, while it is still in the ring.
    std::optional<PostInfo> find(PostId id) const;
    // The author's newest posts, newest first, at most `limit`, into out (cleared).
    void outbox(UserId author, int limit, std::vector<PostInfo> &out) const;
    PostId newest() const { return m_next.load(std::memory_order_acquire); }
    std::uint64_t posts() const { return m_next.load(std::memory_order_relaxed); }

    // Back to no posts (no writer may run: the reset barrier is passed).
    void clear();
    std::size_t memoryBytes() const;

private:
    struct Record {
        std::atomic<PostId> id { 0 };
        std::atomic<UserId> author { 0 };
        std::atomic<PostId> prev { 0 };
        std::atomic<Nanos> at { 0 };
    };
    Record &slot(PostId id) const { return m_ring[id & m_mask]; }
    bool load(PostId id, PostInfo *info, PostId *prev) const;

    std::uint32_t m_users;
    std::uint32_t m_mask;
    std::atomic<PostId> m_next { 0 }; // the newest id handed out
    std::unique_ptr<Record[]> m_ring;
    std::unique_ptr<std::atomic<PostId>[]> m_heads; // per author: its newest post
};

} // namespace stampede
