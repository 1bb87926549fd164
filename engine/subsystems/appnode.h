#pragma once

// An app node: `capacity` workers and a FIFO backlog of at most `queueLimit` (M/M/c/K).
// Admission is one compare-exchange while a worker is free; only when the node is saturated
// does it take its mutex to queue. A finishing request hands its worker to the oldest waiter.
//
// Invariant: inFlight = busy workers + queued + admitted-but-not-yet-queued + workers leased to
// shards and idle there, and busy = min(inFlight, capacity) - idle. A release that finds
// inFlight > capacity owes its worker to a waiter: it pops one, or leaves a token for the waiter
// that has not queued yet.
//
// Leases (apptier.h): on a node with thousands of workers, a shard takes workers in batches
// (acquire() with want > 1) and hands them to its requests itself, so the shared counter moves
// once per batch instead of twice per request. Near full a batch shrinks to one worker, so the
// workers leased and idle never keep a request waiting for longer than a hand-back.

#include "request.h"
#include "slotstate.h"

#include <algorithm>
#include <atomic>
#include <cstdint>
#include <mutex>

namespace stampede {

class AppNode {
public:
    enum class Admit { Run, Queued, Rejected, Down };

    // Called by the control thread before the node becomes routable (the topology version
    // bump that publishes it is a release store).
    void init(int id, int capacity, int queueLimit, double speed = 1, double price = 1)
    {
        m_id = id;
        m_capacity = capacity;
        m_speed = speed;
        m_price = price;
        m_queueLimit = queueLimit;
        m_inFlight.store(0, std::memory_order_relaxed);
        m_tokens = 0;
        m_head = m_tail = nullptr;
        m_state.store(NodeSlotState::Up, std::memory_order_release);
    }

    int id() const { return m_id; }
    int capacity() const { return m_capacity; }
    double speed() const { return m_speed; } // per core: service time is divided by it
    double price() const { return m_price; }
    NodeSlotState state() const { return m_state.load(std::memory_order_acquire); }
    void setState(NodeSlotState s) { m_state.store(s, std::memory_order_release); }
    std::int64_t inFlight() const { return m_inFlight.load(std::memory_order_relaxed); }
    std::int64_t busy() const
    {
        const auto f = inFlight();
        return f < m_capacity ? f : m_capacity;
    }
    std::int64_t queued() const
    {
        const auto f = inFlight();
        return f > m_capacity ? f - m_capacity : 0;
    }

    // Admits r, taking `want` workers when at least want + reserve are free, else one (*got).
    // On Run the caller owns *got workers, one of them r's; queued or rejected, none.
    Admit acquire(Request *r, int want, int reserve, int *got)
    {
        *got = 0;
        auto s = state();
        if (s != NodeSlotState::Up && s != NodeSlotState::Draining)
            return Admit::Down;
        std::int64_t cur = m_inFlight.load(std::memory_order_relaxed);
        int take = 1;
        do {
            if (cur >= m_capacity + m_queueLimit)
                return Admit::Rejected;
            take = m_capacity - cur >= want + reserve ? want : 1;
        } while (
            !m_inFlight.compare_exchange_weak(cur, cur + take, std::memory_order_acq_rel, std::memory_order_relaxed));
        s = state();
        if (s == NodeSlotState::Dead || s == NodeSlotState::Free)
            return Admit::Down; // killed meanwhile; a dead slot is never reused in this epoch
        if (cur < m_capacity) {
            *got = take;
            return Admit::Run;
        }
        std::lock_guard g(m_mutex);
        if (m_state.load(std::memory_order_relaxed) == NodeSlotState::Dead)
            return Admit::Down;
        if (m_tokens > 0) {
            --m_tokens;
            *got = 1;
            return Admit::Run;
        }
        r->next = nullptr;
        if (m_tail)
            m_tail->next = r;
        else
            m_head = r;
        m_tail = r;
        return Admit::Queued;
    }

    // The request leaving a worker. Returns the waiter that takes the worker over, if any.
    [[nodiscard]] Request *release() { return release(1); }

    // Gives n workers back. Returns the waiters (a linked list) that take some of them over.
    [[nodiscard]] Request *release(int n)
    {
        const auto prev = m_inFlight.fetch_sub(n, std::memory_order_acq_rel);
        if (prev <= m_capacity)
            return nullptr;
        // The workers beyond capacity were owed to waiters: one each.
        auto owed = std::min<std::int64_t>(n, prev - m_capacity);
        Request *list = nullptr;
        std::lock_guard g(m_mutex);
        for (; owed > 0; --owed) {
            if (!m_head) {
                m_tokens += owed;
                break;
            }
            Request *r = m_head;
            m_head = r->next;
            if (!m_head)
                m_tail = nullptr;
            r->next = list;
            list = r;
        }
        return list;
    }

    bool nearFull(int reserve) const { return m_capacity - inFlight() < reserve; }

    // Marks the node dead and returns its backlog (a linked list) for the caller to fail.
    Request *kill()
    {
        std::lock_guard g(m_mutex);
        m_state.store(NodeSlotState::Dead, std::memory_order_release);
        Request *list = m_head;
        m_head = m_tail = nullptr;
        m_tokens = 0;
        return list;
    }

    // Reset: hands back whatever still waits here without touching the counters' owners.
    Request *takeBacklog()
    {
        std::lock_guard g(m_mutex);
        Request *list = m_head;
        m_head = m_tail = nullptr;
        return list;
    }

private:
    alignas(64) std::atomic<std::int64_t> m_inFlight { 0 };
    std::atomic<NodeSlotState> m_state { NodeSlotState::Free };
    int m_id = -1;
    int m_capacity = 1;
    int m_queueLimit = 0;
    double m_speed = 1;
    double m_price = 1;
    std::mutex m_mutex; // guards the backlog and tokens
    std::int64_t m_tokens = 0;
    Request *m_head = nullptr;
    Request *m_tail = nullptr;
};

} // namespace stampede
