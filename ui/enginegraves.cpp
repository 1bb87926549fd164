#include "enginegraves.h"

#include <QCoreApplication>

#include <atomic>
#include <mutex>
#include <thread>

namespace stampede::ui {

namespace {

struct Grave {
    std::thread thread;
    std::shared_ptr<std::atomic<bool>> done;
};

// Invariant: every thread in g_graves is joinable and joined exactly once, by reapFinished()
// (when done) or joinAll() (at the application's end).
std::mutex g_mutex;
std::vector<Grave> g_graves;

void joinAll()
{
    // a job joined here may bury an engine of its own: until none is left
    for (;;) {
        std::vector<Grave> graves;
        {
            const std::lock_guard lock(g_mutex);
            graves.swap(g_graves);
        }
        if (graves.empty())
            return;
        for (Grave &g : graves)
            g.thread.join();
    }
}

// With g_mutex held: a long session keeps no list of dead threads.
void reapFinished()
{
    for (auto it = g_graves.begin(); it != g_graves.end();)
        if (it->done->load()) {
            it->thread.join();
            it = g_graves.erase(it);
        } else {
            ++it;
        }
}

} // namespace

void runInBackground(std::function<void()> job)
{
    auto done = std::make_shared<std::atomic<bool>>(false);
    std::thread t([job = std::move(job), done]() mutable {
        job();
        job = nullptr; // what it captured goes before `done` says so
        done->store(true);
    });
    const std::lock_guard lock(g_mutex);
    static const bool registered = [] {
        qAddPostRoutine(joinAll);
        return true;
    }();
    (void)registered;
    reapFinished();
    g_graves.push_back({ std::move(t), std::move(done) });
}

void buryEngines(std::vector<std::unique_ptr<Engine>> engines)
{
    if (engines.empty())
        return;
    // std::function needs a copyable callable: the engines travel in a shared vector
    auto held = std::make_shared<std::vector<std::unique_ptr<Engine>>>(std::move(engines));
    runInBackground([held] { held->clear(); });
}

void buryEngine(std::unique_ptr<Engine> engine)
{
    if (!engine)
        return;
    std::vector<std::unique_ptr<Engine>> one;
    one.push_back(std::move(engine));
    buryEngines(std::move(one));
}

int pendingBurials()
{
    const std::lock_guard lock(g_mutex);
    reapFinished();
    return int(g_graves.size());
}

} // namespace stampede::ui
