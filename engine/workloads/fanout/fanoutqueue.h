#pragma once

// The fan-out queue of the push path: one job per post that must reach its author's followers,
// taken by workers in batches of followers [from, to). A batch whose worker died before
// acknowledging it goes back to the front (at-least-once). Workers that find nothing to do park
// here and are handed back to their shards when work arrives, so an idle worker costs nothing.
//
// Bounded: at most kMaxJobs jobs (the redelivered batches are bounded by the workers, one
// each). Invariant: every field is read and written under m_mutex; a parked worker's request is touched
// by no one else until it is handed back (Runtime::dispatch).

#include "clock.h"
#include "request.h"

#include <algorithm>
#include <cstdint>
#include <deque>
#include <mutex>
#include <optional>
#include <vector>

namespace stampede {

struct FanoutBatch {
    std::uint32_t post = 0;
    std::uint32_t author = 0;
    std::uint32_t from = 0, to = 0; // follower indices
    std::int8_t tracked = -1;
    bool redelivered = false;
    Nanos postedAt = 0;
};

class FanoutQueue {
public:
    struct Job {
        std::uint32_t post = 0;
        std::uint32_t author = 0;
        std::uint32_t followers = 0;
        std::uint32_t next = 0; // the first follower no batch has taken
        std::int8_t tracked = -1;
        Nanos postedAt = 0;
    };

    static constexpr std::size_t kMaxJobs = 65'536; // posts waiting to fan out; more are refused

    // A job to fan out; false when kMaxJobs wait already (nothing changes). On success the
    // workers parked until now are moved to `wake` (to hand back to their shards).
    bool push(const Job &job, std::vector<Request *> *wake)
    {
        std::lock_guard g(m_mutex);
        if (m_jobs.size() >= kMaxJobs)
            return false;
        m_jobs.push_back(job);
        m_pendingWrites += job.followers;
        *wake = takeParked();
        return true;
    }
    // A batch of at most `size` followers, redelivered batches first; nullopt: none, and when
    // `park` is given the worker is parked (atomically with finding the queue empty).
    std::optional<FanoutBatch> take(std::uint32_t size, Request *park)
    {
        std::lock_guard g(m_mutex);
        if (!m_redeliver.empty()) {
            FanoutBatch b = m_redeliver.front();
            m_redeliver.pop_front();
            return b;
        }
        while (!m_jobs.empty() && m_jobs.front().next >= m_jobs.front().followers)
            m_jobs.pop_front();
        if (m_jobs.empty()) {
            if (park)
                m_parked.push_back(park);
            return std::nullopt;
        }
        Job &j = m_jobs.front();
        FanoutBatch b { j.post, j.author, j.next, std::min(j.followers, j.next + size), j.tracked, false, j.postedAt };
        j.next = b.to;
        return b;
    }
    // A batch that was written and acknowledged: it leaves the backlog.
    void done(const FanoutBatch &b)
    {
        std::lock_guard g(m_mutex);
        m_pendingWrites -= b.to - b.from;
    }
    // A batch whose worker died before acknowledging it: delivered again, first.
    std::vector<Request *> redeliver(FanoutBatch b)
    {
        std::lock_guard g(m_mutex);
        b.redelivered = true;
        m_redeliver.push_back(b);
        ++m_redelivered;
        return takeParked();
    }
    // A parked worker leaves (removed or killed); false when it was not parked.
    bool unpark(const Request *r)
    {
        std::lock_guard g(m_mutex);
        const auto it = std::find(m_parked.begin(), m_parked.end(), r);
        if (it == m_parked.end())
            return false;
        m_parked.erase(it);
        return true;
    }
    // Follower writes not yet acknowledged: queued, in batches being written, or redelivered.
    std::uint64_t backlog() const
    {
        std::lock_guard g(m_mutex);
        return m_pendingWrites;
    }
    std::uint64_t redelivered() const
    {
        std::lock_guard g(m_mutex);
        return m_redelivered;
    }
    // Back to empty; returns the parked workers (the caller frees them: the barrier has passed).
    std::vector<Request *> clear()
    {
        std::lock_guard g(m_mutex);
        m_jobs.clear();
        m_redeliver.clear();
        m_pendingWrites = 0;
        m_redelivered = 0;
        std::vector<Request *> out;
        out.swap(m_parked);
        return out;
    }

private:
    std::vector<Request *> takeParked()
    {
        std::vector<Request *> out;
        out.swap(m_parked);
        return out;
    }

    mutable std::mutex m_mutex;
    std::deque<Job> m_jobs;
    std::deque<FanoutBatch> m_redeliver;
    std::vector<Request *> m_parked;
    std::uint64_t m_pendingWrites = 0;
    std::uint64_t m_redelivered = 0;
};

} // namespace stampede
