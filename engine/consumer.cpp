// Consumers of the order queue. Each consumer is an actor: one pool request that lives on
// shard (id % threads) and loops fetch -> persist each message (a store round trip plus the
// write) -> acknowledge the batch (one round trip to the broker). It never blocks a thread:
// waiting is the shard's delay queue, and an idle consumer parks until a message arrives.
//
// At-least-once: a message is removed only when its holder acknowledges it. Killing a consumer
// makes what it held deliverable again, including orders it already persisted: without an
// idempotent consumer those are persisted twice.

#include "engineimpl.h"

namespace stampede {

void EngineImpl::endActor(Shard &s, Request *r)
{
    s.counters.actorsEnded.add();
    s.free(r);
}

void EngineImpl::storeDeduct(int sku)
{
    for (int b = 0; b < m_buckets; ++b)
        if (row(sku, b).takeOneIgnoringLock())
            return;
    // No unit left in the store: the order is written all the same (the shopper was told yes);
    // the audit shows it as oversold and unconserved.
}

void EngineImpl::persistClaim(Shard &s, ConsumerSlot &c, int id, const Claim &cl)
{
    Partition &part = m_partitions[static_cast<std::size_t>(cl.partition)];
    std::lock_guard g(part.mutex());
    Message *m = part.held(cl, id);
    if (!m)
        return; // given to another consumer meanwhile: not ours to write
    if (m->persisted) {
        if (m_idempotent.load(std::memory_order_relaxed)) {
            s.counters.deduped.add(); // the order id is already in the table: skip
            return;
        }
        s.counters.duplicates.add();
        storeDeduct(m->sku);
        return;
    }
    m->persisted = true;
    storeDeduct(m->sku);
    s.skuPersisted[static_cast<std::size_t>(m->sku)].add();
    s.counters.dequeued.add();
    c.persisted.add();
    m_inTransit[static_cast<std::size_t>(m->sku)].fetch_sub(1, std::memory_order_seq_cst);
}

void EngineImpl::consumerStep(Shard &s, Request *r)
{
    if (r->epoch != epoch()) { // from before a reset: its slot belongs to someone else now
        endActor(s, r);
        return;
    }
    const int id = r->consumer;
    ConsumerSlot &c = m_consumers[static_cast<std::size_t>(id)];
    const Nanos persistNs = m_latencyNs + m_writeNs;
    for (;;) {
        const auto st = c.state.load(std::memory_order_acquire);
        if (st != NodeSlotState::Up && st != NodeSlotState::Draining) {
            c.inHand.store(0, std::memory_order_relaxed);
            endActor(s, r); // killed: what it held was handed back by the killer
            return;
        }
        switch (r->stage) {
        case Stage::ConsumerFetch: {
            if (st == NodeSlotState::Draining) {
                auto expected = NodeSlotState::Draining;
                c.state.compare_exchange_strong(expected, NodeSlotState::Removed);
                c.inHand.store(0, std::memory_order_relaxed);
                endActor(s, r);
                return;
            }
            const auto seen = m_deliverableSeq.load(std::memory_order_seq_cst);
            c.batch.clear();
            c.next = 0;
            const std::size_t want = static_cast<std::size_t>(m_config.queue.batch);
            for (int k = 0; k < m_partitionCount && c.batch.size() < want; ++k) {
                const int p = (id + k) % m_partitionCount; // its own partition first
                Partition &part = m_partitions[static_cast<std::size_t>(p)];
                std::lock_guard g(part.mutex());
                Claim cl;
                while (c.batch.size() < want && part.claim(id, &cl, p))
                    c.batch.push_back(cl);
            }
            if (c.batch.empty()) {
                std::lock_guard g(m_idleMutex);
                m_idleCount.fetch_add(1, std::memory_order_seq_cst);
                if (m_deliverableSeq.load(std::memory_order_seq_cst) == seen) {
                    m_idle.push_back(r);
                    return; // parked until wakeIdleConsumers()
                }
                m_idleCount.fetch_sub(1, std::memory_order_seq_cst);
                continue; // something arrived meanwhile
            }
            c.inHand.store(static_cast<int>(c.batch.size()), std::memory_order_relaxed);
            r->stage = Stage::ConsumerPersist;
            if (persistNs) {
                s.delay(r, persistNs);
                return;
            }
            continue;
        }
        case Stage::ConsumerPersist:
            persistClaim(s, c, id, c.batch[c.next]);
            if (++c.next < c.batch.size()) {
                if (persistNs) {
                    s.delay(r, persistNs);
                    return;
                }
                continue;
            }
            r->stage = Stage::ConsumerAck;
            if (m_ackNs) {
                s.delay(r, m_ackNs);
                return;
            }
            continue;
        case Stage::ConsumerAck: {
            Request *wake = nullptr;
            for (const Claim &cl : c.batch) {
                Partition &part = m_partitions[static_cast<std::size_t>(cl.partition)];
                std::lock_guard g(part.mutex());
                for (std::size_t freed = part.ack(cl, id); freed > 0; --freed) {
                    Request *b = part.unpark();
                    if (!b)
                        break;
                    b->next = wake;
                    wake = b;
                }
            }
            while (wake) { // blocked producers retry their enqueue
                Request *b = wake;
                wake = wake->next;
                b->next = nullptr;
                m_shards[static_cast<std::size_t>(b->shard)]->dispatch(b);
            }
            c.batch.clear();
            c.inHand.store(0, std::memory_order_relaxed);
            r->stage = Stage::ConsumerFetch;
            continue;
        }
        default:
            endActor(s, r);
            return;
        }
    }
}

} // namespace stampede
