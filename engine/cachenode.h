#pragma once

// One cache node of the cache tier: its data (an LRU+TTL store) and a one-worker server (an
// AppNode with capacity 1) that serialises its operations like a single-threaded Redis
// instance. Nodes live in fixed slots that are re-initialised, never freed, so a request on
// any thread may hold a slot index while the control thread changes the topology.
//
// Invariant: every read or write of the data happens under m_mutex and first checks alive();
// lose() clears the data and drops `alive` under the same mutex, so no operation can touch a
// killed node's data after the kill.

#include "appnode.h"
#include "cachestore.h"

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <mutex>
#include <optional>

namespace stampede {

inline constexpr int kCacheBacklog = 1000000; // operations waiting for a node: effectively unbounded
inline constexpr int kCacheSlots = 256; // cache nodes ever added between two resets

// Keys: a view caches SKU k under k; `cache-queue` keeps SKU k's stock counter under this.
inline std::uint64_t viewKey(int sku) { return static_cast<std::uint64_t>(sku); }
inline std::uint64_t counterKey(int sku) { return (std::uint64_t(1) << 40) + static_cast<std::uint64_t>(sku); }

class CacheNode {
public:
    // Control thread only, for a slot no request refers to (new id, or after the reset barrier).
    void init(int id, std::size_t keys)
    {
        std::lock_guard g(m_mutex);
        m_id = id;
        m_store = CacheStore(keys);
        m_ops = 0;
        m_alive = true;
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
    // Runs f(store) under the node's mutex if the node is alive; false when it is not.
    template<typename F> bool withStore(F &&f)
    {
        std::lock_guard g(m_mutex);
        if (!m_alive)
            return false;
        ++m_ops;
        f(m_store);
        return true;
    }
    // Control-side access to one key (counter migration, reload, restock, the divergence
    // probe): not an operation of the modeled workload, so not counted in ops.
    std::optional<std::int64_t> peek(CacheStore::Key k) const
    {
        std::lock_guard g(m_mutex);
        return m_alive ? m_store.peek(k) : std::nullopt;
    }
    std::optional<std::int64_t> take(CacheStore::Key k)
    {
        std::lock_guard g(m_mutex);
        if (!m_alive)
            return std::nullopt;
        auto v = m_store.peek(k);
        m_store.erase(k);
        return v;
    }
    bool put(CacheStore::Key k, std::int64_t v)
    {
        std::lock_guard g(m_mutex);
        if (!m_alive)
            return false;
        m_store.set(k, v, CacheStore::kNever);
        return true;
    }
    bool add(CacheStore::Key k, std::int64_t delta)
    {
        std::lock_guard g(m_mutex);
        return m_alive && m_store.add(k, delta);
    }
    // Reads for the tick: operations served and LRU evictions so far.
    void counts(std::uint64_t *ops, std::uint64_t *evictions) const
    {
        std::lock_guard g(m_mutex);
        *ops = m_ops;
        *evictions = m_store.evictions();
    }
    // Killed or removed: its data is gone. Returns the operations waiting for the node, which
    // the caller must fail (they would otherwise wait forever).
    [[nodiscard]] Request *lose(NodeSlotState state)
    {
        {
            std::lock_guard g(m_mutex);
            m_alive = false;
            m_store.clear();
        }
        Request *backlog = m_server.kill();
        if (state != NodeSlotState::Dead)
            m_server.setState(state);
        return backlog;
    }

private:
    int m_id = -1;
    AppNode m_server;
    mutable std::mutex m_mutex; // guards everything below
    bool m_alive = false;
    std::uint64_t m_ops = 0;
    CacheStore m_store { 1 };
};

} // namespace stampede
