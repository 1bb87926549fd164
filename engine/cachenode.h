#pragma once

// One cache node of the cache tier: its data (an LRU+TTL store, guarded by the node's own
// mutex because CacheStore is not thread-safe) and a one-worker server (AppNode with capacity
// 1) that serialises its operations like a single-threaded Redis instance.

#include "appnode.h"
#include "cachestore.h"

#include <atomic>
#include <cstddef>
#include <mutex>

namespace stampede {

inline constexpr int kCacheBacklog = 1000000; // operations waiting for a node: effectively unbounded

class CacheNode {
public:
    CacheNode(int id, std::size_t keys)
        : m_id(id)
        , m_store(keys)
    {
        m_server.init(id, 1, kCacheBacklog);
    }

    int id() const { return m_id; }
    NodeSlotState state() const { return m_server.state(); }
    bool up() const { return state() == NodeSlotState::Up; }
    AppNode &server() { return m_server; }

    std::size_t keys() const
    {
        std::lock_guard g(m_mutex);
        return m_store.size();
    }
    // Runs f(store) under the node's mutex.
    template<typename F> auto withStore(F &&f)
    {
        std::lock_guard g(m_mutex);
        return f(m_store);
    }
    // Killed or removed: its data is gone.
    void lose(NodeSlotState state)
    {
        {
            std::lock_guard g(m_mutex);
            m_store.clear();
        }
        // No request uses the server yet (the read path is not wired), so its backlog is empty;
        // once it is, the caller must fail what kill() hands back, as killNode does.
        if (state == NodeSlotState::Dead)
            (void)m_server.kill();
        else
            m_server.setState(state);
    }

private:
    const int m_id;
    AppNode m_server;
    mutable std::mutex m_mutex; // guards m_store
    CacheStore m_store;
};

} // namespace stampede
