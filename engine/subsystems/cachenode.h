#pragma once

// One cache node of the cache tier: its data (an LRU+TTL store) and one worker that serves
// operations one at a time, like a single-threaded Redis instance.
//
// The worker is modeled in virtual time: an operation that reaches the node at t starts at
// max(t, busyUntil) and ends opNs later; it is applied to the data at once (operations are
// applied in arrival order under the mutex, which is the order the worker would serve them)
// and its caller waits until the end before it sees the reply. So the node's capacity is
// exactly 1/opNs and its queue is busyUntil - now, with no timer per waiting operation.
//
// Nodes live in fixed slots that are re-initialised, never freed, so a request on any thread
// may hold a slot index while the control thread changes the topology. Invariant: the data is
// read or written only under m_mutex after checking m_alive; lose() clears the data and drops
// m_alive under the same mutex, so no operation touches a killed node's data.

#include "cachestore.h"
#include "request.h"
#include "slotstate.h"

#include <algorithm>
#include <atomic>
#include <cstddef>
#include <cstdint>
#include <mutex>
#include <optional>

namespace stampede {

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
        m_busyUntil = 0;
        m_alive.store(true, std::memory_order_release);
        m_state.store(NodeSlotState::Up, std::memory_order_release);
    }

    int id() const { return m_id; }
    NodeSlotState state() const { return m_state.load(std::memory_order_acquire); }
    void setState(NodeSlotState s) { m_state.store(s, std::memory_order_release); }
    bool up() const { return state() == NodeSlotState::Up; }
    // False once killed or removed: a reply still on its way is lost with the node.
    bool alive() const { return m_alive.load(std::memory_order_acquire); }

    // One operation arriving at `now`: runs f(store) and sets *wait to the time until the
    // worker has finished it. False (and nothing run) when the node is gone.
    template<typename F> bool serve(Nanos now, Nanos opNs, Nanos *wait, F &&f)
    {
        std::lock_guard g(m_mutex);
        if (!m_alive.load(std::memory_order_relaxed))
            return false;
        m_busyUntil = std::max(now, m_busyUntil) + opNs;
        *wait = m_busyUntil - now;
        ++m_ops;
        f(m_store);
        return true;
    }

    std::size_t keys() const
    {
        std::lock_guard g(m_mutex);
        return m_store.size();
    }
    // Operations waiting for the worker at `now`.
    std::int64_t backlog(Nanos now, Nanos opNs) const
    {
        std::lock_guard g(m_mutex);
        if (opNs <= 0 || m_busyUntil <= now)
            return 0;
        return (m_busyUntil - now) / opNs;
    }

    // Control-side access to one key (counter migration, reload, restock, the divergence
    // probe): not an operation of the modeled workload, so not counted in ops.
    std::optional<std::int64_t> peek(CacheStore::Key k) const
    {
        std::lock_guard g(m_mutex);
        return m_alive.load(std::memory_order_relaxed) ? m_store.peek(k) : std::nullopt;
    }
    std::optional<std::int64_t> take(CacheStore::Key k)
    {
        std::lock_guard g(m_mutex);
        if (!m_alive.load(std::memory_order_relaxed))
            return std::nullopt;
        auto v = m_store.peek(k);
        m_store.erase(k);
        return v;
    }
    bool put(CacheStore::Key k, std::int64_t v)
    {
        std::lock_guard g(m_mutex);
        if (!m_alive.load(std::memory_order_relaxed))
            return false;
        m_store.set(k, v, CacheStore::kNever);
        return true;
    }
    bool add(CacheStore::Key k, std::int64_t delta)
    {
        std::lock_guard g(m_mutex);
        return m_alive.load(std::memory_order_relaxed) && m_store.add(k, delta);
    }
    // Reads for the tick: operations the worker has finished by `now`, and LRU evictions.
    void counts(Nanos now, Nanos opNs, std::uint64_t *ops, std::uint64_t *evictions) const
    {
        std::lock_guard g(m_mutex);
        const auto pending
            = opNs > 0 && m_busyUntil > now ? static_cast<std::uint64_t>((m_busyUntil - now + opNs - 1) / opNs) : 0;
        *ops = m_ops > pending ? m_ops - pending : 0;
        *evictions = m_store.evictions();
    }
    // Killed (Dead) or removed: its data is gone.
    void lose(NodeSlotState state)
    {
        {
            std::lock_guard g(m_mutex);
            m_alive.store(false, std::memory_order_release);
            m_store.clear();
        }
        setState(state);
    }

private:
    int m_id = -1;
    std::atomic<NodeSlotState> m_state { NodeSlotState::Free };
    std::atomic<bool> m_alive { false };
    mutable std::mutex m_mutex; // guards everything below
    std::uint64_t m_ops = 0;
    Nanos m_busyUntil = 0;
    CacheStore m_store { 1 };
};

} // namespace stampede
