#include "inboxstore.h"

#include "limittable.h"

#include <sys/mman.h>

#include <algorithm>
#include <new>
#include <stdexcept>
#include <string>

namespace stampede {

// A user's spin lock: held for a scan of at most kMaxInboxSize words, so spinning beats sleeping.
class InboxStore::Lock {
public:
    explicit Lock(std::atomic<std::uint8_t> &byte)
        : m_byte(byte)
    {
        while (m_byte.exchange(1, std::memory_order_acquire) != 0)
            while (m_byte.load(std::memory_order_relaxed) != 0) { }
    }
    ~Lock() { m_byte.store(0, std::memory_order_release); }
    Lock(const Lock &) = delete;
    Lock &operator=(const Lock &) = delete;

private:
    std::atomic<std::uint8_t> &m_byte;
};

InboxStore::InboxStore(std::uint32_t users, int inboxSize, int shards)
    : m_users(users)
    , m_slots(inboxSize)
    , m_configured(shards)
    , m_active(shards)
{
    if (users < 1)
        throw std::invalid_argument("fanout.users: must be at least 1");
    for (const auto &[id, v] : { std::pair { limits::Limit::InboxSize, double(inboxSize) },
             std::pair { limits::Limit::InboxShards, double(shards) } })
        if (auto e = limits::checkNamed(id, v); !e.empty())
            throw std::invalid_argument(e);
    // value-initialised: every slot empty (0), every lock free
    {
        const std::size_t n = std::size_t(users) * std::size_t(inboxSize);
        constexpr std::size_t kHuge = std::size_t(2) << 20;
        const std::size_t page = 4096;
        const std::size_t bytes = (n * sizeof(std::atomic<PostId>) + page - 1) / page * page;
        void *base = ::mmap(nullptr, bytes + kHuge, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
        if (base == MAP_FAILED)
            throw std::bad_alloc();
        const auto start = reinterpret_cast<std::uintptr_t>(base);
        const auto aligned = (start + kHuge - 1) / kHuge * kHuge;
        if (aligned > start) // only the aligned part stays mapped
            ::munmap(base, aligned - start);
        if (const std::uintptr_t end = start + bytes + kHuge; end > aligned + bytes)
            ::munmap(reinterpret_cast<void *>(aligned + bytes), end - (aligned + bytes));
        base = reinterpret_cast<void *>(aligned);
        // Huge pages for the whole 2 MiB pages only: a partly used one would be resident whole.
        if (const std::size_t huge = bytes / kHuge * kHuge; huge > 0)
            ::madvise(base, huge, MADV_HUGEPAGE); // a hint: 4 KiB pages work too
        auto *data = reinterpret_cast<std::atomic<PostId> *>(aligned);
        for (std::size_t i = 0; i < n; ++i)
            ::new (static_cast<void *>(data + i)) std::atomic<PostId>(0);
        m_data = std::unique_ptr<std::atomic<PostId>[], InboxUnmap>(data, InboxUnmap { base, bytes });
    }
    m_locks = std::make_unique<std::atomic<std::uint8_t>[]>(users);
    // Room for every shard a run may add, so adding one never moves a shard another thread uses.
    m_shard = std::make_unique<Shard[]>(static_cast<std::size_t>(kMaxInboxShards));
    for (int i = 0; i < kMaxInboxShards; ++i)
        m_shard[static_cast<std::size_t>(i)].clearWindows();
}

InboxStore::Write InboxStore::write(std::uint32_t user, PostId post, bool idempotent, bool *filled)
{
    if (!up(shardOf(user)))
        return Write::ShardDown;
    Lock lock(m_locks[user]);
    if (!up(shardOf(user))) // killed meanwhile: kill() clears under this lock, after the flag
        return Write::ShardDown;
    std::atomic<PostId> *box = inbox(user);
    int oldest = 0;
    PostId oldestId = box[0].load(std::memory_order_relaxed);
    bool present = false;
    for (int i = 0; i < m_slots; ++i) {
        const PostId id = box[i].load(std::memory_order_relaxed);
        present = present || id == post;
        if (id < oldestId) {
            oldestId = id;
            oldest = i;
        }
    }
    if (present && idempotent)
        return Write::Skipped;
    if (oldestId != 0 && oldestId >= post)
        return Write::Older;
    box[oldest].store(post, std::memory_order_relaxed);
    if (filled)
        *filled = oldestId == 0;
    return present ? Write::Duplicate : Write::Stored;
}

bool InboxStore::read(std::uint32_t user, std::vector<PostId> &out) const
{
    out.clear();
    if (!up(shardOf(user)))
        return false;
    Lock lock(m_locks[user]);
    const std::atomic<PostId> *box = inbox(user);
    for (int i = 0; i < m_slots; ++i)
        if (const PostId id = box[i].load(std::memory_order_relaxed); id != 0)
            out.push_back(id);
    std::sort(out.begin(), out.end(), std::greater<> {});
    return true;
}

void InboxStore::Shard::clearWindows()
{
    for (int i = 0; i < kWindows; ++i) {
        window[i] = -1;
        used[i] = 0;
    }
}

Nanos InboxStore::serve(int shard, Nanos now, Nanos opNs)
{
    if (opNs <= 0) // nothing to book; and no write to a line every thread's operations share
        return 0;
    Shard &s = m_shard[static_cast<std::size_t>(shard)];
    const Nanos width = windowOf(opNs);
    const auto capacity = static_cast<std::uint32_t>(width / opNs);
    const std::int64_t first = std::max<Nanos>(now, 0) / width;
    Lock lock(s.lock);
    s.ops.store(s.ops.load(std::memory_order_relaxed) + 1, std::memory_order_relaxed);
    for (std::int64_t w = first; w < first + kWindows; ++w) {
        const auto slot = static_cast<std::size_t>(w % kWindows);
        if (s.window[slot] > w)
            return opNs; // the slot already counts a later window: this caller is far behind
        if (s.window[slot] < w) {
            s.window[slot] = w;
            s.used[slot] = 0;
        }
        if (s.used[slot] < capacity) {
            ++s.used[slot];
            return w == first ? opNs : w * width - now + opNs;
        }
    }
    return kWindows * width + opNs; // booked out as far as the ring reaches: served after it
}

std::uint64_t InboxStore::backlog(int shard, Nanos now, Nanos opNs) const
{
    if (opNs <= 0)
        return 0;
    const Shard &s = m_shard[static_cast<std::size_t>(shard)];
    const std::int64_t current = std::max<Nanos>(now, 0) / windowOf(opNs);
    Lock lock(s.lock);
    std::uint64_t n = 0;
    for (int i = 0; i < kWindows; ++i)
        n += s.window[i] > current ? s.used[i] : 0;
    return n;
}

double InboxStore::utilisation(int shard, Nanos now, Nanos opNs) const
{
    if (opNs <= 0)
        return 0;
    const Shard &s = m_shard[static_cast<std::size_t>(shard)];
    const Nanos width = windowOf(opNs);
    const std::int64_t previous = std::max<Nanos>(now, 0) / width - 1;
    if (previous < 0)
        return 0;
    Lock lock(s.lock);
    const auto slot = static_cast<std::size_t>(previous % kWindows);
    if (s.window[slot] != previous)
        return 0;
    return static_cast<double>(s.used[slot]) / static_cast<double>(width / opNs);
}

std::uint64_t InboxStore::kill(int shard)
{
    m_shard[static_cast<std::size_t>(shard)].up.store(false, std::memory_order_release);
    const auto step = static_cast<std::uint32_t>(shards());
    std::uint64_t cleared = 0;
    for (std::uint32_t u = static_cast<std::uint32_t>(shard); u < m_users; u += step) {
        Lock lock(m_locks[u]);
        std::atomic<PostId> *box = inbox(u);
        for (int i = 0; i < m_slots; ++i)
            cleared += box[i].exchange(0, std::memory_order_relaxed) != 0 ? 1 : 0;
    }
    return cleared;
}

std::string InboxStore::addShards(int count)
{
    const int now = shards();
    if (count < 1)
        return "add inbox shards: count must be at least 1";
    if (now + count > kMaxInboxShards)
        return "add inbox shards: at most " + std::to_string(kMaxInboxShards) + " (there are " + std::to_string(now)
            + ")";
    for (int i = 0; i < now; ++i)
        if (!up(i))
            return "add inbox shards: rebuild inbox shard " + std::to_string(i) + " first";
    for (int i = now; i < now + count; ++i) {
        Shard &s = m_shard[static_cast<std::size_t>(i)];
        Lock lock(s.lock);
        s.clearWindows();
        s.ops.store(0, std::memory_order_relaxed);
    }
    m_active.store(now + count, std::memory_order_release);
    return {};
}

void InboxStore::restore(int shard)
{
    Shard &s = m_shard[static_cast<std::size_t>(shard)];
    {
        Lock lock(s.lock);
        s.clearWindows();
    }
    s.up.store(true, std::memory_order_release);
}

void InboxStore::clear()
{
    const std::size_t n = std::size_t(m_users) * std::size_t(m_slots);
    for (std::size_t i = 0; i < n; ++i)
        m_data[i].store(0, std::memory_order_relaxed);
    m_active.store(m_configured, std::memory_order_release);
    for (int i = 0; i < kMaxInboxShards; ++i) {
        Shard &s = m_shard[static_cast<std::size_t>(i)];
        {
            Lock lock(s.lock);
            s.clearWindows();
        }
        s.ops.store(0, std::memory_order_relaxed);
        s.up.store(true, std::memory_order_release);
    }
}

void InboxUnmap::operator()(std::atomic<PostId> *) const { ::munmap(base, bytes); }

std::uint64_t InboxStore::entries() const
{
    std::uint64_t n = 0;
    const std::size_t total = std::size_t(m_users) * std::size_t(m_slots);
    for (std::size_t i = 0; i < total; ++i)
        n += m_data[i].load(std::memory_order_relaxed) != 0 ? 1 : 0;
    return n;
}

std::size_t InboxStore::memoryBytes() const
{
    return std::size_t(m_users) * std::size_t(m_slots) * sizeof(std::atomic<PostId>)
        + std::size_t(m_users) * sizeof(std::atomic<std::uint8_t>) + std::size_t(kMaxInboxShards) * sizeof(Shard)
        + sizeof(*this);
}

} // namespace stampede
