#include "orderqueue.h"

#include "limittable.h"
#include "runtime.h"

#include <algorithm>

namespace stampede {

OrderQueue::OrderQueue(Runtime &rt, const QueueConfig &config, OrderSink &sink)
    : m_rt(rt)
    , m_config(config)
    , m_ackNs(msToNs(config.ackMs))
    , m_sink(sink)
    , m_partitionCount(config.partitions)
    , m_partitions(std::make_unique<Partition[]>(static_cast<std::size_t>(config.partitions)))
    , m_consumers(std::make_unique<ConsumerSlot[]>(kConsumerSlots))
    , m_shards(std::make_unique<ShardStats[]>(static_cast<std::size_t>(rt.shardCount())))
    , m_prevPersisted(kConsumerSlots, 0)
    , m_rate(kConsumerSlots, 0)
{
}

// ---- producers ----

OrderQueue::Enqueue OrderQueue::enqueue(Shard &s, Request *r)
{
    Partition &part = partition(r->bucket); // chosen when the unit was taken; a blocked order keeps it
    {
        std::lock_guard g(part.mutex());
        if (part.full()) {
            if (m_full.load(std::memory_order_relaxed) == FullPolicy::Block) {
                part.park(r); // a consumer's acknowledgement dispatches it again
                return Enqueue::Parked;
            }
            m_shards[static_cast<std::size_t>(s.index())].rejected.add();
            return Enqueue::Rejected;
        }
        Message m;
        m.id = m_orderIds.fetch_add(1, std::memory_order_relaxed);
        m.sku = r->sku;
        m.enqueuedAt = s.now();
        part.push(m);
    }
    m_shards[static_cast<std::size_t>(s.index())].enqueued.add();
    m_deliverableSeq.fetch_add(1, std::memory_order_seq_cst);
    wakeIdle();
    return Enqueue::Queued;
}

void OrderQueue::wakeIdle()
{
    if (m_idleCount.load(std::memory_order_seq_cst) == 0)
        return;
    std::vector<Request *> list;
    {
        std::lock_guard g(m_idleMutex);
        list.swap(m_idle);
        m_idleCount.store(0, std::memory_order_seq_cst);
    }
    for (Request *a : list)
        m_rt.dispatch(a);
}

void OrderQueue::unblockProducers()
{
    for (int p = 0; p < m_partitionCount; ++p) {
        Request *list = nullptr;
        {
            std::lock_guard g(partition(p).mutex());
            while (Request *r = partition(p).unpark()) {
                r->next = list;
                list = r;
            }
        }
        m_rt.dispatchAll(list);
    }
}

// ---- consumers ----

void OrderQueue::persistClaim(Shard &s, ConsumerSlot &c, int id, const Claim &cl)
{
    Partition &part = partition(cl.partition);
    std::lock_guard g(part.mutex());
    Message *m = part.held(cl, id);
    if (!m)
        return; // given to another consumer meanwhile: not ours to write
    ShardStats &st = m_shards[static_cast<std::size_t>(s.index())];
    if (m->persisted) {
        if (m_idempotent.load(std::memory_order_relaxed)) {
            st.deduped.add(); // the order id is already in the table: skip
            return;
        }
        st.duplicates.add();
        m_sink.persist(s, m->sku, false);
        return;
    }
    m->persisted = true;
    m_sink.persist(s, m->sku, true);
    st.dequeued.add();
    c.persisted.add();
}

void OrderQueue::step(Shard &s, Request *r)
{
    if (r->epoch != m_rt.epoch()) { // from before a reset: its slot belongs to someone else now
        m_rt.actorEnded(s, r);
        return;
    }
    const int id = r->consumer;
    ConsumerSlot &c = m_consumers[static_cast<std::size_t>(id)];
    const Nanos persistNs = m_sink.persistNs();
    for (;;) {
        const auto st = c.state.load(std::memory_order_acquire);
        if (st != NodeSlotState::Up && st != NodeSlotState::Draining) {
            c.inHand.store(0, std::memory_order_relaxed);
            m_rt.actorEnded(s, r); // killed: what it held was handed back by the killer
            return;
        }
        switch (r->stageAs<ConsumerStage>()) {
        case ConsumerStage::Fetch: {
            if (st == NodeSlotState::Draining) {
                auto expected = NodeSlotState::Draining;
                c.state.compare_exchange_strong(expected, NodeSlotState::Removed);
                c.inHand.store(0, std::memory_order_relaxed);
                m_rt.actorEnded(s, r);
                return;
            }
            const auto seen = m_deliverableSeq.load(std::memory_order_seq_cst);
            c.batch.clear();
            c.next = 0;
            const std::size_t want = static_cast<std::size_t>(m_config.batch);
            for (int k = 0; k < m_partitionCount && c.batch.size() < want; ++k) {
                const int p = (id + k) % m_partitionCount; // its own partition first
                std::lock_guard g(partition(p).mutex());
                Claim cl;
                while (c.batch.size() < want && partition(p).claim(id, &cl, p))
                    c.batch.push_back(cl);
            }
            if (c.batch.empty()) {
                std::lock_guard g(m_idleMutex);
                m_idleCount.fetch_add(1, std::memory_order_seq_cst);
                if (m_deliverableSeq.load(std::memory_order_seq_cst) == seen) {
                    m_idle.push_back(r);
                    return; // parked until wakeIdle()
                }
                m_idleCount.fetch_sub(1, std::memory_order_seq_cst);
                continue; // something arrived meanwhile
            }
            c.inHand.store(static_cast<int>(c.batch.size()), std::memory_order_relaxed);
            r->setStage(Part::Consumer, ConsumerStage::Persist);
            if (persistNs) {
                s.delay(r, persistNs);
                return;
            }
            continue;
        }
        case ConsumerStage::Persist:
            persistClaim(s, c, id, c.batch[c.next]);
            if (++c.next < c.batch.size()) {
                if (persistNs) {
                    s.delay(r, persistNs);
                    return;
                }
                continue;
            }
            r->setStage(Part::Consumer, ConsumerStage::Ack);
            if (m_ackNs) {
                s.delay(r, m_ackNs);
                return;
            }
            continue;
        case ConsumerStage::Ack: {
            Request *wake = nullptr;
            for (const Claim &cl : c.batch) {
                Partition &part = partition(cl.partition);
                std::lock_guard g(part.mutex());
                for (std::size_t freed = part.ack(cl, id); freed > 0; --freed) {
                    Request *b = part.unpark();
                    if (!b)
                        break;
                    b->next = wake;
                    wake = b;
                }
            }
            m_rt.dispatchAll(wake); // blocked producers retry their enqueue
            c.batch.clear();
            c.inHand.store(0, std::memory_order_relaxed);
            r->setStage(Part::Consumer, ConsumerStage::Fetch);
            continue;
        }
        }
        m_rt.actorEnded(s, r);
        return;
    }
}

void OrderQueue::startConsumer(int id)
{
    ConsumerSlot &c = m_consumers[static_cast<std::size_t>(id)];
    c.inHand.store(0);
    c.persisted.zero();
    c.batch.reserve(static_cast<std::size_t>(m_config.batch));
    c.state.store(NodeSlotState::Up, std::memory_order_release);
    m_rt.startActor(id, [id](Shard &, Request *r) {
        r->consumer = id;
        r->setStage(Part::Consumer, ConsumerStage::Fetch);
    });
}

// ---- control ----

std::optional<int> OrderQueue::pick(std::optional<int> id, bool allowDead, bool newest) const
{
    const int n = m_consumersUsed.load();
    auto state = [this](int i) { return m_consumers[static_cast<std::size_t>(i)].state.load(); };
    if (id) {
        if (*id < 0 || *id >= n)
            return std::nullopt;
        const auto st = state(*id);
        if (st == NodeSlotState::Up || (allowDead && st == NodeSlotState::Dead))
            return id;
        return std::nullopt;
    }
    for (int k = 0; k < n; ++k) {
        const int i = newest ? n - 1 - k : k;
        if (state(i) == NodeSlotState::Up)
            return i;
    }
    return std::nullopt;
}

CommandResult OrderQueue::addConsumers(int count)
{
    if (count < limits::range(limits::Limit::AddConsumers).min)
        return CommandResult::fail("add consumer: count must be at least 1");
    int up = 0;
    const int used = m_consumersUsed.load();
    for (int i = 0; i < used; ++i)
        up += m_consumers[static_cast<std::size_t>(i)].state.load() == NodeSlotState::Up;
    if (up + count > kMaxConsumers)
        return CommandResult::fail("add consumer: at most " + std::to_string(kMaxConsumers) + " consumers can be up");
    if (used + count > kConsumerSlots)
        return CommandResult::fail("add consumer: consumer ids are used up; reset the run");
    for (int i = 0; i < count; ++i)
        startConsumer(used + i);
    m_consumersUsed.store(used + count);
    m_rt.mark(count == 1 ? "consumer " + std::to_string(used) + " added" : std::to_string(count) + " consumers added");
    return {};
}

CommandResult OrderQueue::removeConsumer(std::optional<int> which)
{
    const auto id = pick(which, true, true);
    if (!id)
        return CommandResult::fail(which ? "remove consumer " + std::to_string(*which) + ": no such consumer"
                                         : std::string("remove consumer: no consumer is up"));
    auto &st = m_consumers[static_cast<std::size_t>(*id)].state;
    if (st.load() == NodeSlotState::Dead) {
        st.store(NodeSlotState::Removed);
        m_rt.mark("consumer " + std::to_string(*id) + " cleared");
        return {};
    }
    st.store(NodeSlotState::Draining); // finishes its batch, then leaves
    wakeIdle();
    m_rt.mark("consumer " + std::to_string(*id) + " removed");
    return {};
}

CommandResult OrderQueue::killConsumer(std::optional<int> which)
{
    const auto id = pick(which, false, false);
    if (!id)
        return CommandResult::fail(which ? "kill consumer " + std::to_string(*which) + ": no such consumer is up"
                                         : std::string("kill consumer: no consumer is up"));
    m_consumers[static_cast<std::size_t>(*id)].state.store(NodeSlotState::Dead, std::memory_order_seq_cst);
    // Whatever it held and did not acknowledge is delivered again, persisted or not.
    std::int64_t again = 0;
    for (int p = 0; p < m_partitionCount; ++p) {
        std::lock_guard g(partition(p).mutex());
        again += partition(p).release(*id);
    }
    m_redelivered.fetch_add(again);
    m_deliverableSeq.fetch_add(1, std::memory_order_seq_cst);
    wakeIdle();
    m_rt.mark("consumer " + std::to_string(*id) + " killed: " + std::to_string(again) + " messages redelivered");
    return {};
}

CommandResult OrderQueue::setIdempotent(bool on)
{
    if (m_idempotent.exchange(on) == on)
        return {};
    m_rt.mark(on ? "idempotent consumers on" : "idempotent consumers off");
    return {};
}

CommandResult OrderQueue::setFullPolicy(FullPolicy p)
{
    if (p != FullPolicy::Reject && p != FullPolicy::Block)
        return CommandResult::fail("queue full policy: must be block or reject");
    if (m_full.exchange(p) == p)
        return {};
    if (p == FullPolicy::Reject)
        unblockProducers(); // those waiting for room give up now
    m_rt.mark("queue full: " + std::string(toString(p)));
    return {};
}

std::int64_t OrderQueue::backlog(Nanos *oldest)
{
    std::int64_t n = 0;
    Nanos first = -1;
    for (int p = 0; p < m_partitionCount; ++p) {
        std::lock_guard g(partition(p).mutex());
        n += static_cast<std::int64_t>(partition(p).size());
        const Nanos o = partition(p).oldest();
        if (o >= 0 && (first < 0 || o < first))
            first = o;
    }
    if (oldest)
        *oldest = first;
    return n;
}

std::int64_t OrderQueue::duplicates() const
{
    std::int64_t n = 0;
    for (int s = 0; s < m_rt.shardCount(); ++s)
        n += static_cast<std::int64_t>(m_shards[static_cast<std::size_t>(s)].duplicates.get());
    return n;
}

void OrderQueue::reset(bool inUse)
{
    unblockProducers(); // from before the reset: their owners drop them
    for (int p = 0; p < m_partitionCount; ++p)
        partition(p).init(m_config.capacity);
    {
        std::vector<Request *> idle;
        {
            std::lock_guard g(m_idleMutex);
            idle.swap(m_idle);
            m_idleCount.store(0);
        }
        for (Request *a : idle) // old actors end themselves on their shard
            m_rt.dispatch(a);
    }
    for (int i = 0, n = m_consumersUsed.load(); i < n; ++i)
        m_consumers[static_cast<std::size_t>(i)].state.store(NodeSlotState::Free);
    m_consumersUsed.store(0);
    m_idempotent.store(m_config.idempotent);
    m_full.store(m_config.whenFull);
    m_redelivered.store(0);
    m_maxBacklog = 0;
    m_maxLagMs = 0;
    m_used = inUse;
    m_prevEnqueued = m_prevDequeued = 0;
    m_enqueued = m_dequeued = m_rejected = m_duplicates = 0;
    std::fill(m_prevPersisted.begin(), m_prevPersisted.end(), 0);
    std::fill(m_rate.begin(), m_rate.end(), 0);
    for (int i = 0; i < m_config.consumers; ++i)
        startConsumer(i);
    m_consumersUsed.store(m_config.consumers);
}

void OrderQueue::clearShard(int shard)
{
    ShardStats &st = m_shards[static_cast<std::size_t>(shard)];
    for (auto *c : { &st.enqueued, &st.rejected, &st.dequeued, &st.duplicates, &st.deduped })
        c->zero();
}

void OrderQueue::tick(const TickContext &c, QueueSample &x)
{
    std::uint64_t enq = 0, deq = 0, rej = 0, dup = 0;
    for (int s = 0; s < m_rt.shardCount(); ++s) {
        const ShardStats &st = m_shards[static_cast<std::size_t>(s)];
        enq += st.enqueued.get();
        deq += st.dequeued.get();
        rej += st.rejected.get();
        dup += st.duplicates.get();
    }
    x.enqueued = c.rate(enq, m_prevEnqueued);
    x.dequeued = c.rate(deq, m_prevDequeued);
    m_prevEnqueued = m_enqueued = enq;
    m_prevDequeued = m_dequeued = deq;
    m_rejected = rej;
    m_duplicates = dup;
    Nanos oldest = -1;
    x.queueBacklog = backlog(&oldest);
    x.queueLagMs = oldest >= 0 ? static_cast<double>(std::max<Nanos>(0, c.now - oldest)) * 1e-6 : 0.0;
    m_maxBacklog = std::max(m_maxBacklog, x.queueBacklog);
    m_maxLagMs = std::max(m_maxLagMs, x.queueLagMs);
    for (int i = 0, n = m_consumersUsed.load(); i < n; ++i) {
        const auto &cs = m_consumers[static_cast<std::size_t>(i)];
        const auto done = cs.persisted.get();
        m_rate[static_cast<std::size_t>(i)] = c.rate(done, m_prevPersisted[static_cast<std::size_t>(i)]);
        m_prevPersisted[static_cast<std::size_t>(i)] = done;
        x.consumersUp += cs.state.load() == NodeSlotState::Up;
    }
    x.redeliveredTotal = m_redelivered.load();
    x.duplicatesTotal = static_cast<std::int64_t>(dup);
    if (enq > 0)
        m_used = true;
}

void OrderQueue::view(QueueView &s, bool inUse)
{
    if (inUse) {
        for (int p = 0; p < m_partitionCount; ++p) {
            std::lock_guard g(partition(p).mutex());
            s.partitions.push_back(
                { p, static_cast<std::int64_t>(partition(p).size()), partition(p).capacity(), partition(p).blocked() });
        }
        for (int i = 0, n = m_consumersUsed.load(); i < n; ++i) {
            const auto &c = m_consumers[static_cast<std::size_t>(i)];
            const auto st = c.state.load();
            if (st != NodeSlotState::Up && st != NodeSlotState::Draining && st != NodeSlotState::Dead)
                continue;
            ConsumerView v;
            v.id = i;
            v.state = st == NodeSlotState::Up   ? NodeState::Up
                : st == NodeSlotState::Draining ? NodeState::Draining
                                                : NodeState::Dead;
            v.inHand = st == NodeSlotState::Dead ? 0 : c.inHand.load();
            v.throughput = m_rate[static_cast<std::size_t>(i)];
            s.consumers.push_back(v);
        }
    }
    s.queueFull = m_full.load();
    s.idempotent = m_idempotent.load();
    s.enqueued = static_cast<std::int64_t>(m_enqueued);
    s.dequeued = static_cast<std::int64_t>(m_dequeued);
    s.queueRejected = static_cast<std::int64_t>(m_rejected);
    s.maxBacklog = m_maxBacklog;
    s.maxLagMs = m_maxLagMs;
    s.redelivered = m_redelivered.load();
    s.duplicates = static_cast<std::int64_t>(m_duplicates);
}

} // namespace stampede
