#pragma once

// One row of the stock table. The stock value and the row lock share one 64-bit word so that
// a conditional decrement can respect the lock in a single compare-exchange:
//   bit 63 locked, bit 62 someone waits, bits 0..61 units.
// The lock never blocks a thread: a request that finds it held is queued here and the
// releasing thread hands the still-locked row straight to it (FIFO, like a database).

#include "request.h"

#include <atomic>
#include <cstdint>
#include <mutex>

namespace stampede {

class StockRow {
public:
    static constexpr std::uint64_t kLock = std::uint64_t(1) << 63;
    static constexpr std::uint64_t kWaiters = std::uint64_t(1) << 62;
    static constexpr std::uint64_t kValue = kWaiters - 1;

    enum class Take { Took, Empty, Locked };

    std::int64_t value() const { return static_cast<std::int64_t>(m_word.load(std::memory_order_acquire) & kValue); }
    bool locked() const { return m_word.load(std::memory_order_relaxed) & kLock; }
    int waiters() const { return m_waiterCount.load(std::memory_order_relaxed); }

    // `atomic` with no modeled hold: UPDATE ... SET stock = stock - 1 WHERE stock > 0.
    Take tryTakeOne()
    {
        std::uint64_t w = m_word.load(std::memory_order_relaxed);
        for (;;) {
            if (w & kLock)
                return Take::Locked;
            if ((w & kValue) == 0)
                return Take::Empty;
            if (m_word.compare_exchange_weak(w, w - 1, std::memory_order_acq_rel, std::memory_order_relaxed))
                return Take::Took;
        }
    }

    // Takes k units if the row is unlocked and holds at least k (used to move stock between
    // buckets without disturbing a lock holder who already checked the value).
    bool tryTake(std::int64_t k)
    {
        std::uint64_t w = m_word.load(std::memory_order_relaxed);
        for (;;) {
            if ((w & kLock) || static_cast<std::int64_t>(w & kValue) < k)
                return false;
            if (m_word.compare_exchange_weak(
                    w, w - static_cast<std::uint64_t>(k), std::memory_order_acq_rel, std::memory_order_relaxed))
                return true;
        }
    }

    // A queued order's write (`cache-queue` consumers): one unit if any is left, whoever holds
    // the lock. A lock holder applies its change as a delta on release, so none is lost.
    bool takeOneIgnoringLock()
    {
        std::uint64_t w = m_word.load(std::memory_order_relaxed);
        for (;;) {
            if ((w & kValue) == 0)
                return false;
            if (m_word.compare_exchange_weak(w, w - 1, std::memory_order_acq_rel, std::memory_order_relaxed))
                return true;
        }
    }

    // Restock or move-in: only ever raises the value, so it is safe under any lock holder.
    void add(std::int64_t k) { m_word.fetch_add(static_cast<std::uint64_t>(k), std::memory_order_acq_rel); }

    // `naive`'s write: stock = v, computed from an earlier read. Keeps the flags, loses updates.
    void blindWrite(std::int64_t v)
    {
        std::uint64_t w = m_word.load(std::memory_order_relaxed);
        while (!m_word.compare_exchange_weak(w, (w & ~kValue) | (static_cast<std::uint64_t>(v) & kValue),
            std::memory_order_acq_rel, std::memory_order_relaxed)) { }
    }

    // Acquires the lock now (true) or queues r, which is handed the lock later (false).
    bool lockOrWait(Request *r)
    {
        std::uint64_t w = m_word.load(std::memory_order_relaxed);
        while (!(w & kLock)) {
            if (m_word.compare_exchange_weak(w, w | kLock, std::memory_order_acq_rel, std::memory_order_relaxed))
                return true;
        }
        std::lock_guard g(m_mutex);
        w = m_word.load(std::memory_order_relaxed);
        for (;;) {
            if (!(w & kLock)) {
                if (m_word.compare_exchange_weak(w, w | kLock, std::memory_order_acq_rel, std::memory_order_relaxed))
                    return true;
                continue;
            }
            // Announce the waiter in the word so the holder's release takes the slow path.
            if (m_word.compare_exchange_weak(w, w | kWaiters, std::memory_order_acq_rel, std::memory_order_relaxed))
                break;
        }
        r->next = nullptr;
        if (m_tail)
            m_tail->next = r;
        else
            m_head = r;
        m_tail = r;
        m_waiterCount.fetch_add(1, std::memory_order_relaxed);
        return false;
    }

    // Applies delta to the value and releases. Returns the waiter that now holds the lock,
    // or nullptr when the row is free.
    [[nodiscard]] Request *unlock(std::int64_t delta)
    {
        const auto d = static_cast<std::uint64_t>(delta);
        std::uint64_t w = m_word.load(std::memory_order_relaxed);
        while (!(w & kWaiters)) {
            if (m_word.compare_exchange_weak(
                    w, ((w & kValue) + d) & kValue, std::memory_order_acq_rel, std::memory_order_relaxed))
                return nullptr;
        }
        std::lock_guard g(m_mutex);
        Request *r = m_head;
        m_head = r->next;
        if (!m_head)
            m_tail = nullptr;
        r->next = nullptr;
        m_waiterCount.fetch_sub(1, std::memory_order_relaxed);
        const std::uint64_t flags = kLock | (m_head ? kWaiters : 0);
        w = m_word.load(std::memory_order_relaxed);
        while (!m_word.compare_exchange_weak(
            w, flags | (((w & kValue) + d) & kValue), std::memory_order_acq_rel, std::memory_order_relaxed)) { }
        return r;
    }

    // Reset: sets the units, keeps lock state (old holders release with delta 0).
    void setValue(std::int64_t v) { blindWrite(v); }

private:
    alignas(64) std::atomic<std::uint64_t> m_word { 0 };
    std::atomic<int> m_waiterCount { 0 };
    std::mutex m_mutex; // guards the waiter list only
    Request *m_head = nullptr;
    Request *m_tail = nullptr;
};

} // namespace stampede
