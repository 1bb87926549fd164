#pragma once

// The data of one cache node: a bounded key/value map with LRU eviction and per-key expiry.
// Not thread-safe by itself: a cache node serves one operation at a time (like a Redis
// instance), and that serialisation is what orders the threads that touch it.

#include <cstdint>
#include <list>
#include <optional>
#include <unordered_map>

namespace stampede {

class CacheStore {
public:
    using Key = std::uint64_t;
    using Time = std::int64_t; // ns
    enum class Decrement { Missing, Took, Empty };

    explicit CacheStore(std::size_t capacity)
        : m_capacity(capacity ? capacity : 1)
    {
    }

    // Value if present and not expired at `now`; an expired entry is dropped (a miss).
    std::optional<std::int64_t> get(Key k, Time now)
    {
        auto it = m_map.find(k);
        if (it == m_map.end()) {
            ++m_misses;
            return std::nullopt;
        }
        if (it->second.expires <= now) {
            m_lru.erase(it->second.pos);
            m_map.erase(it);
            ++m_misses;
            ++m_expired;
            return std::nullopt;
        }
        touch(it->second);
        ++m_hits;
        return it->second.value;
    }

    // expires: absolute time; use kNever for keys without TTL.
    void set(Key k, std::int64_t value, Time expires)
    {
        auto it = m_map.find(k);
        if (it != m_map.end()) {
            it->second.value = value;
            it->second.expires = expires;
            touch(it->second);
            return;
        }
        if (m_map.size() >= m_capacity)
            evictOne();
        m_lru.push_front(k);
        m_map.emplace(k, Entry { value, expires, m_lru.begin() });
    }

    // DECR-if-positive on a counter key (stock pre-deduction). Counters do not expire.
    Decrement decrementIfPositive(Key k)
    {
        auto it = m_map.find(k);
        if (it == m_map.end())
            return Decrement::Missing;
        touch(it->second);
        if (it->second.value <= 0)
            return Decrement::Empty;
        --it->second.value;
        return Decrement::Took;
    }

    bool add(Key k, std::int64_t delta)
    {
        auto it = m_map.find(k);
        if (it == m_map.end())
            return false;
        it->second.value += delta;
        touch(it->second);
        return true;
    }

    std::optional<std::int64_t> peek(Key k) const
    {
        auto it = m_map.find(k);
        if (it == m_map.end())
            return std::nullopt;
        return it->second.value;
    }

    void erase(Key k)
    {
        auto it = m_map.find(k);
        if (it == m_map.end())
            return;
        m_lru.erase(it->second.pos);
        m_map.erase(it);
    }

    void clear()
    {
        m_map.clear();
        m_lru.clear();
    }

    std::size_t size() const { return m_map.size(); }
    std::size_t capacity() const { return m_capacity; }
    std::uint64_t hits() const { return m_hits; }
    std::uint64_t misses() const { return m_misses; }
    std::uint64_t evictions() const { return m_evictions; }
    std::uint64_t expired() const { return m_expired; }

    static constexpr Time kNever = INT64_MAX;

private:
    struct Entry {
        std::int64_t value;
        Time expires;
        std::list<Key>::iterator pos;
    };
    void touch(Entry &e) { m_lru.splice(m_lru.begin(), m_lru, e.pos); }
    void evictOne()
    {
        const Key victim = m_lru.back();
        m_lru.pop_back();
        m_map.erase(victim);
        ++m_evictions;
    }

    std::size_t m_capacity;
    std::list<Key> m_lru; // most recent first
    std::unordered_map<Key, Entry> m_map;
    std::uint64_t m_hits = 0, m_misses = 0, m_evictions = 0, m_expired = 0;
};

} // namespace stampede
