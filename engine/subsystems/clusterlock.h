#pragma once

// The cluster's lock: what app nodes coordinate through (Coordination in config.h). A reader-
// writer lock of requests, not of threads: a request's work holds it shared, its serial section
// exclusively, and an exclusive holder waiting stops new shared holders (writers first, FIFO
// among them). A request that waits is parked here and handed back to its shard when granted,
// continuing at the modeled time of the step that granted it (Runtime::dispatch), so a thread
// that wakes late adds nothing to a lock's hold.
//
// Why this shape: with serial fraction f of each request's time held exclusively, the waiting
// writers bunch up and the nodes then work in step, so under load N one-core nodes run
// N / (1 + f(N - 1)) times one node's throughput: Amdahl's law comes out of the mechanism. An
// exclusive section that also visits every other node in turn grows with N, and the curve
// peaks (the Universal Scalability Law's coherence term).
//
// Invariant (under m_mutex): m_writer => m_readers == 0; a reader waits only while m_writer or a
// writer waits; a writer waits only while m_writer or m_readers > 0 or an earlier writer waits.

#include "request.h"
#include "runtime.h"

#include <cstdint>
#include <mutex>

namespace stampede {

class ClusterLock {
public:
    enum Hold : std::uint8_t { None = 0, Shared = 1, Exclusive = 2 }; // Request::coordHold

    explicit ClusterLock(Runtime &rt)
        : m_rt(rt)
    {
    }

    // Shared for r's work: true when granted now, else r waits and is dispatched when granted.
    bool lockShared(Request *r)
    {
        std::lock_guard g(m_mutex);
        if (stale(r) || (!m_writer && !m_writers.head)) {
            ++m_readers;
            r->coordHold = Shared;
            return true;
        }
        m_readersWaiting.push(r);
        return false;
    }

    // Exclusive for r's serial section; r holds it shared or nothing. True when granted now.
    bool lock(Request *r)
    {
        Request *granted = nullptr;
        bool now = false;
        {
            std::lock_guard g(m_mutex);
            if (stale(r)) {
                r->coordHold = None;
                return true;
            }
            if (r->coordHold == Shared)
                --m_readers;
            r->coordHold = None;
            if (!m_writer && m_readers == 0 && !m_writers.head) {
                m_writer = true;
                r->coordHold = Exclusive;
                now = true;
            } else {
                m_writers.push(r);
                granted = grantLocked(); // r may have been the last reader others waited for
            }
        }
        m_rt.dispatchAll(granted);
        return now;
    }

    // Gives back whatever r holds; the next holders continue.
    void unlock(Request *r)
    {
        Request *granted = nullptr;
        {
            std::lock_guard g(m_mutex);
            const auto hold = r->coordHold;
            r->coordHold = None;
            if (stale(r) || hold == None)
                return;
            if (hold == Shared)
                --m_readers;
            else
                m_writer = false;
            granted = grantLocked();
        }
        m_rt.dispatchAll(granted);
    }

    // A reset: the run starts over in the runtime's new epoch; the waiters go back to their
    // shards, which drop them (their epoch is void), and what older requests hold is forgotten.
    void reset()
    {
        Request *list = nullptr;
        {
            std::lock_guard g(m_mutex);
            m_epoch = m_rt.epoch();
            m_readers = 0;
            m_writer = false;
            list = m_writers.take();
            Request *r = m_readersWaiting.take();
            while (r) {
                Request *n = r->next;
                r->next = list;
                list = r;
                r = n;
            }
        }
        m_rt.dispatchAll(list);
    }

    int waiting() const
    {
        std::lock_guard g(m_mutex);
        return m_writers.size + m_readersWaiting.size;
    }

private:
    struct Queue {
        Request *head = nullptr, *tail = nullptr;
        int size = 0;
        void push(Request *r)
        {
            r->next = nullptr;
            (tail ? tail->next : head) = r;
            tail = r;
            ++size;
        }
        Request *pop()
        {
            Request *r = head;
            head = r->next;
            if (!head)
                tail = nullptr;
            r->next = nullptr;
            --size;
            return r;
        }
        Request *take()
        {
            Request *r = head;
            head = tail = nullptr;
            size = 0;
            return r;
        }
    };
    // Whom the lock goes to next: the first writer when free, else every waiting reader when no
    // writer waits. Returns them as a list to dispatch once the mutex is released.
    Request *grantLocked()
    {
        if (m_writer)
            return nullptr;
        if (m_writers.head) {
            if (m_readers > 0)
                return nullptr;
            Request *w = m_writers.pop();
            m_writer = true;
            w->coordHold = Exclusive;
            return w;
        }
        Request *list = m_readersWaiting.take();
        for (Request *r = list; r; r = r->next) {
            ++m_readers;
            r->coordHold = Shared;
        }
        return list;
    }
    // From before a reset: it holds nothing here and takes nothing (its next step drops it).
    bool stale(const Request *r) const { return r->epoch != m_epoch; }

    Runtime &m_rt;
    mutable std::mutex m_mutex;
    std::uint64_t m_epoch = 0;
    int m_readers = 0;
    bool m_writer = false;
    Queue m_writers, m_readersWaiting;
};

} // namespace stampede
