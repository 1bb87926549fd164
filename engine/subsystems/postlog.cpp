#include "postlog.h"

#include <stdexcept>

namespace stampede {

PostLog::PostLog(std::uint32_t users, std::uint32_t capacity)
    : m_users(users)
    , m_mask(capacity - 1)
{
    if (users < 1)
        throw std::invalid_argument("fanout.users: must be at least 1");
    if (capacity < 2 || (capacity & (capacity - 1)) != 0)
        throw std::invalid_argument("fanout.post_log: must be a power of two, at least 2");
    m_ring = std::make_unique<Record[]>(capacity);
    m_heads = std::make_unique<std::atomic<PostId>[]>(users);
}

PostId PostLog::post(UserId author, Nanos at)
{
    const PostId id = m_next.fetch_add(1, std::memory_order_acq_rel) + 1;
    Record &r = slot(id);
    // Unpublish the slot's previous post first, so a reader between these stores sees a changed id.
    r.id.store(0, std::memory_order_relaxed);
    std::atomic_thread_fence(std::memory_order_release);
    r.author.store(author, std::memory_order_relaxed);
    r.at.store(at, std::memory_order_relaxed);
    std::atomic<PostId> &head = m_heads[author];
    PostId prev = head.load(std::memory_order_acquire);
    r.prev.store(prev, std::memory_order_relaxed);
    r.id.store(id, std::memory_order_release);
    while (!head.compare_exchange_weak(prev, id, std::memory_order_acq_rel, std::memory_order_acquire))
        r.prev.store(prev, std::memory_order_release); // another post by the author came first
    return id;
}

bool PostLog::load(PostId id, PostInfo *info, PostId *prev) const
{
    if (id == 0)
        return false;
    const Record &r = slot(id);
    if (r.id.load(std::memory_order_acquire) != id)
        return false;
    info->id = id;
    info->author = r.author.load(std::memory_order_relaxed);
    info->at = r.at.load(std::memory_order_relaxed);
    *prev = r.prev.load(std::memory_order_relaxed);
    std::atomic_thread_fence(std::memory_order_acquire);
    return r.id.load(std::memory_order_relaxed) == id; // not overwritten while read
}

std::optional<PostInfo> PostLog::find(PostId id) const
{
    PostInfo info;
    PostId prev = 0;
    if (!load(id, &info, &prev))
        return std::nullopt;
    return info;
}

void PostLog::outbox(UserId author, int limit, std::vector<PostInfo> &out) const
{
    out.clear();
    PostId id = m_heads[author].load(std::memory_order_acquire);
    PostInfo info;
    PostId prev = 0;
    while (static_cast<int>(out.size()) < limit && load(id, &info, &prev) && info.author == author) {
        out.push_back(info);
        id = prev;
    }
}

void PostLog::clear()
{
    for (std::uint32_t i = 0; i <= m_mask; ++i)
        m_ring[i].id.store(0, std::memory_order_relaxed);
    for (std::uint32_t u = 0; u < m_users; ++u)
        m_heads[u].store(0, std::memory_order_relaxed);
    m_next.store(0, std::memory_order_release);
}

std::size_t PostLog::memoryBytes() const
{
    return (std::size_t(m_mask) + 1) * sizeof(Record) + std::size_t(m_users) * sizeof(std::atomic<PostId>)
        + sizeof(*this);
}

} // namespace stampede
