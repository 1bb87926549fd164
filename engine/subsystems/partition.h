#pragma once

// One partition of the order queue (orderqueue.h): a bounded list of messages with at-least-once
// delivery.
// A message stays in its partition until the consumer that holds it acknowledges it; a dead
// consumer's messages become deliverable again. Producers and consumers run on any engine
// thread; each partition is guarded by its own mutex (the queue is not the hot path that the
// lessons measure: its rates are bounded by the consumers' store writes).
//
// Invariants (per partition, under its mutex):
//   size() <= capacity; messages are in enqueue order; acknowledged messages are removed from
//   the front as soon as every older one is acknowledged, so the oldest message tells the lag.

#include "request.h"

#include <cstdint>
#include <deque>
#include <mutex>

namespace stampede {

struct Message {
    std::uint64_t id = 0; // order id
    int sku = 0;
    Nanos enqueuedAt = 0;
    int holder = -1; // consumer id while delivered and not acknowledged
    std::uint32_t deliveries = 0;
    bool persisted = false; // the order row exists (the idempotency key a careful consumer checks)
    bool acked = false;
};

// A message taken by a consumer: where it is and which delivery it belongs to.
struct Claim {
    int partition = 0;
    std::uint64_t offset = 0;
    std::uint32_t delivery = 0;
};

class Partition {
public:
    void init(int capacity)
    {
        std::lock_guard g(m_mutex);
        m_capacity = capacity;
        m_messages.clear();
        m_head = 0;
        m_scan = 0;
        m_blockedHead = m_blockedTail = nullptr;
        m_blocked = 0;
    }

    std::mutex &mutex() { return m_mutex; }

    // --- all below: m_mutex held by the caller ---
    int capacity() const { return m_capacity; }
    std::size_t size() const { return m_messages.size(); }
    bool full() const { return m_messages.size() >= static_cast<std::size_t>(m_capacity); }
    int blocked() const { return m_blocked; }
    Nanos oldest() const { return m_messages.empty() ? -1 : m_messages.front().enqueuedAt; }

    void push(const Message &m) { m_messages.push_back(m); }

    // The next deliverable message for consumer `id`, marked as held by it.
    bool claim(int id, Claim *c, int partitionIndex)
    {
        while (m_scan < m_messages.size() && (m_messages[m_scan].holder >= 0 || m_messages[m_scan].acked))
            ++m_scan;
        if (m_scan >= m_messages.size())
            return false;
        Message &m = m_messages[m_scan];
        m.holder = id;
        ++m.deliveries;
        *c = { partitionIndex, m_head + m_scan, m.deliveries };
        ++m_scan;
        return true;
    }

    // The message of a claim if that delivery is still the current one, else nullptr (the
    // message was given to another consumer after its holder was declared dead).
    Message *held(const Claim &c, int id)
    {
        if (c.offset < m_head || c.offset - m_head >= m_messages.size())
            return nullptr;
        Message &m = m_messages[static_cast<std::size_t>(c.offset - m_head)];
        if (m.holder != id || m.deliveries != c.delivery || m.acked)
            return nullptr;
        return &m;
    }

    // Acknowledges a claim; returns how many slots became free at the front.
    std::size_t ack(const Claim &c, int id)
    {
        Message *m = held(c, id);
        if (!m)
            return 0;
        m->acked = true;
        m->holder = -1;
        std::size_t freed = 0;
        while (!m_messages.empty() && m_messages.front().acked) {
            m_messages.pop_front();
            ++m_head;
            ++freed;
        }
        m_scan = m_scan > freed ? m_scan - freed : 0;
        return freed;
    }

    // Consumer `id` died: what it held becomes deliverable again. Returns how many.
    std::int64_t release(int id)
    {
        std::int64_t n = 0;
        for (auto &m : m_messages)
            if (m.holder == id && !m.acked) {
                m.holder = -1;
                ++n;
            }
        if (n)
            m_scan = 0;
        return n;
    }

    // Messages held by consumer `id`.
    int heldBy(int id) const
    {
        int n = 0;
        for (const auto &m : m_messages)
            n += m.holder == id && !m.acked;
        return n;
    }

    // Producers waiting for room (full policy `block`), FIFO.
    void park(Request *r)
    {
        r->next = nullptr;
        if (m_blockedTail)
            m_blockedTail->next = r;
        else
            m_blockedHead = r;
        m_blockedTail = r;
        ++m_blocked;
    }
    Request *unpark()
    {
        Request *r = m_blockedHead;
        if (!r)
            return nullptr;
        m_blockedHead = r->next;
        if (!m_blockedHead)
            m_blockedTail = nullptr;
        r->next = nullptr;
        --m_blocked;
        return r;
    }

private:
    std::mutex m_mutex;
    int m_capacity = 1;
    std::deque<Message> m_messages;
    std::uint64_t m_head = 0; // offset of m_messages.front()
    std::size_t m_scan = 0; // messages before this index are held or acknowledged
    Request *m_blockedHead = nullptr;
    Request *m_blockedTail = nullptr;
    int m_blocked = 0;
};

} // namespace stampede
