#include "fanoutbench.h"

#include "fanout.h"
#include "runtime.h"

#include <QJsonArray>

#include <malloc.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <exception>
#include <memory>
#include <mutex>
#include <numeric>
#include <string>
#include <thread>
#include <vector>

namespace stampede::bench {

namespace {

using namespace Qt::StringLiterals;
using namespace std::chrono_literals;
using SteadyClock = std::chrono::steady_clock;

// Issue 13 / DESIGN.md "Performance targets"
constexpr double kTargetWritesPerS = 20e6; // inbox writes/s, latencies 0, 2 cores
constexpr double kTargetPushS = 0.1; // a 1 M-follower push, command to the last inbox write
constexpr double kTargetBytesPerUser = 64; // at 1 M users

constexpr std::uint32_t kPushFollowers = 1'000'000; // the push rows: exactly 1 M followers
constexpr double kSweepRate = 20'000; // arrivals/s of the sweep: the celebrity-push preset's
constexpr double kSweepCelebrityPostsPerS = 1; // the sweep's celebrity posts once a second
constexpr double kPollS = 200e-6; // how often a push is polled for its deliveries

struct Rig {
    std::unique_ptr<Runtime> rt;
    Fanout *w = nullptr;
};

// What Engine does for a fan-out config (engine.cpp), keeping a pointer to the workload.
Rig makeRig(const EngineConfig &config)
{
    Rig rig;
    Fanout *out = nullptr;
    rig.rt = std::make_unique<Runtime>(config, [&](Runtime &rt) -> std::unique_ptr<Workload> {
        auto f = std::make_unique<Fanout>(rt, rt.config().fanout);
        out = f.get();
        return f;
    });
    rig.w = out;
    return rig;
}

EngineConfig engineConfig(int threads, const FanoutConfig &f, double ratePerS)
{
    EngineConfig c;
    c.name = "bench-fanout";
    c.workload = WorkloadKind::Fanout;
    c.threads = threads;
    c.traffic.mode = TrafficMode::Open;
    c.traffic.ratePerS = ratePerS;
    c.fanout = f;
    return c;
}

// One celebrity, every modeled latency 0, no ordinary posts: only the push runs.
FanoutConfig zeroLatencyPush(std::uint32_t users, std::uint32_t followers, int workers)
{
    FanoutConfig f;
    f.users = users;
    f.celebrities = { followers };
    f.workers = workers;
    f.writeMs = 0;
    f.fetchMs = 0;
    f.ackMs = 0;
    f.postShare = 0;
    return f;
}

template<typename F> auto underControl(Runtime &rt, F fn)
{
    std::lock_guard g(rt.controlMutex());
    return fn();
}

// The tracked slot of the newest celebrity post (control mutex held).
int newestSlot(const Fanout &w)
{
    int best = -1;
    std::uint32_t id = 0;
    for (int s = 0; s < Fanout::kTracked; ++s) {
        const Fanout::Visibility v = w.visibility(s);
        if (v.active && v.post > id) {
            id = v.post;
            best = s;
        }
    }
    return best;
}

bool waitDrained(Rig &rig, double timeoutS)
{
    const auto deadline = SteadyClock::now() + std::chrono::duration<double>(timeoutS);
    while (underControl(*rig.rt, [&] { return rig.w->totals().backlog; }) != 0) {
        if (SteadyClock::now() > deadline)
            return false;
        std::this_thread::sleep_for(1ms);
    }
    return true;
}

double secondsSince(SteadyClock::time_point t0)
{
    return std::chrono::duration<double>(SteadyClock::now() - t0).count();
}

// One celebrity post, timed from the command to the last follower's inbox write (polled every
// kPollS), with the engine's own delivery delays of that post.
struct Push {
    bool ok = false;
    std::string error;
    std::uint32_t followers = 0;
    double wallS = 0; // command to every follower's inbox written
    double wall99S = 0; // command to 99 % of them
    double engineP50Ms = 0, engineP99Ms = 0, engineMaxMs = 0; // the engine's delivery delays (modeled time)
    CpuSample before, after;
};

Push timedPush(Rig &rig, double timeoutS)
{
    Push p;
    TimedEvent e;
    e.kind = EventKind::CelebrityPost;
    e.node = 0;
    p.before = cpuSample();
    const auto t0 = SteadyClock::now();
    const CommandResult r = rig.rt->command(e);
    if (!r.ok) {
        p.error = r.error;
        return p;
    }
    const int slot = underControl(*rig.rt, [&] { return newestSlot(*rig.w); });
    if (slot < 0) {
        p.error = "the post is not tracked";
        return p;
    }
    bool have99 = false;
    for (;;) {
        const Fanout::Visibility v = underControl(*rig.rt, [&] { return rig.w->visibility(slot); });
        const double t = secondsSince(t0);
        p.followers = v.followers;
        if (!have99 && v.delivered * 100 >= std::uint64_t(v.followers) * 99) {
            p.wall99S = t;
            have99 = true;
        }
        if (v.delivered >= v.followers) {
            p.wallS = t;
            p.engineP50Ms = v.p50Ms;
            p.engineP99Ms = v.p99Ms;
            p.engineMaxMs = v.maxMs;
            p.ok = true;
            break;
        }
        if (t > timeoutS) {
            p.error = "the push did not complete within " + std::to_string(timeoutS) + " s ("
                + std::to_string(v.delivered) + " of " + std::to_string(v.followers) + ")";
            break;
        }
        std::this_thread::sleep_for(std::chrono::duration<double>(kPollS));
    }
    p.after = cpuSample();
    if (p.ok && !waitDrained(rig, timeoutS)) { // the acknowledgements: not part of the time
        p.ok = false;
        p.error = "the fan-out queue did not drain";
    }
    return p;
}

double median(std::vector<double> v)
{
    if (v.empty())
        return 0;
    std::sort(v.begin(), v.end());
    const std::size_t n = v.size();
    return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

double minimum(const std::vector<double> &v) { return v.empty() ? 0 : *std::min_element(v.begin(), v.end()); }

// The CPU the process got over the timed pushes only (not the pauses between them).
CpuUse pushCpu(const std::vector<Push> &pushes)
{
    CpuSample sum;
    for (const Push &p : pushes) {
        sum.wallS += p.after.wallS - p.before.wallS;
        sum.processCpuS += p.after.processCpuS - p.before.processCpuS;
        sum.processWaitS += p.after.processWaitS - p.before.processWaitS;
        sum.systemBusyS += p.after.systemBusyS - p.before.systemBusyS;
        sum.systemStealS += p.after.systemStealS - p.before.systemStealS;
    }
    return cpuUse(CpuSample {}, sum);
}

QJsonArray toJsonArray(const std::vector<double> &v)
{
    QJsonArray a;
    for (double x : v)
        a.append(x);
    return a;
}

Row fanoutRow(const QString &name, const QString &unit)
{
    Row r;
    r.section = u"fanout"_s;
    r.name = name;
    r.unit = unit;
    return r;
}

Row errorRow(Row r, const QString &why)
{
    r.verdict = Verdict::Error;
    r.measured = u"error"_s;
    r.note = why;
    return r;
}

QString plural(int n, const QString &word)
{
    return u"%1 %2%3"_s.arg(n).arg(word, n == 1 ? QString() : word.endsWith(u'h') ? u"es"_s : u"s"_s);
}

QString count(double n) // 1 234 567
{
    QString s = QString::number(static_cast<qlonglong>(std::llround(n)));
    for (qsizetype i = s.size() - 3; i > (s.startsWith(u'-') ? 1 : 0); i -= 3)
        s.insert(i, u' ');
    return s;
}

// ---------------------------------------------------------------- memory

std::size_t residentBytes()
{
    std::FILE *f = std::fopen("/proc/self/statm", "r");
    if (!f)
        return 0;
    unsigned long long size = 0, resident = 0;
    const int n = std::fscanf(f, "%llu %llu", &size, &resident);
    std::fclose(f);
    return n == 2 ? static_cast<std::size_t>(resident) * static_cast<std::size_t>(sysconf(_SC_PAGESIZE)) : 0;
}

void memoryRows(const FanoutBenchOptions &o, const std::function<void(Row)> &add)
{
    std::vector<std::uint32_t> sizes { 1'000'000 };
    if (o.tenMillion)
        sizes.push_back(10'000'000);
    for (std::uint32_t users : sizes) {
        const bool targeted = users == 1'000'000;
        const QString at = users == 1'000'000 ? u"1 M"_s : u"10 M"_s;
        progress(
            u"[fanout] memory at %1 users (defaults: 5 followees, inboxes of 8, a celebrity followed by all)"_s.arg(
                at));
        Row bytesRow = fanoutRow(u"fanout: memory at %1 users, Fanout::memoryBytes() per user"_s.arg(at), u"B"_s);
        Row rssRow = fanoutRow(u"fanout: memory at %1 users, RSS growth (engine built)"_s.arg(at), u"MB"_s);
        if (targeted) {
            bytesRow.target = u"<= %1 B"_s.arg(kTargetBytesPerUser, 0, 'f', 0);
            rssRow.target = u"<= %1 MB"_s.arg(kTargetBytesPerUser * users / 1e6, 0, 'f', 0);
        }
        try {
            FanoutConfig f;
            f.users = users;
            f.celebrities = { users - 1 };
            malloc_trim(0); // what earlier rows freed goes back first, so it is not reused unseen
            const std::size_t before = residentBytes();
            const auto t0 = SteadyClock::now();
            Rig rig = makeRig(engineConfig(o.threads, f, 1));
            const double buildS = secondsSince(t0);
            const std::size_t after = residentBytes();
            malloc_trim(0);
            const std::size_t afterTrim = residentBytes();
            const double bytes = static_cast<double>(rig.w->memoryBytes());
            const double perUser = bytes / users;
            const double growth = static_cast<double>(after) - static_cast<double>(before);
            const double growthTrim = static_cast<double>(afterTrim) - static_cast<double>(before);
            const FollowerGraph &g = rig.w->graph();
            const double edgesPerUser = static_cast<double>(g.ordinaryEdges()) / users;
            const QJsonObject extra { { u"users"_s, qint64(users) }, { u"memory_bytes"_s, bytes },
                { u"memory_bytes_per_user"_s, perUser }, { u"graph_bytes"_s, double(g.memoryBytes()) },
                { u"inbox_bytes"_s, double(rig.w->inboxes().memoryBytes()) },
                { u"post_log_bytes"_s, double(rig.w->posts().memoryBytes()) },
                { u"ordinary_edges_per_user"_s, edgesPerUser }, { u"rss_before_bytes"_s, double(before) },
                { u"rss_after_bytes"_s, double(after) }, { u"rss_after_trim_bytes"_s, double(afterTrim) },
                { u"rss_growth_bytes"_s, growth }, { u"rss_growth_per_user_bytes"_s, growth / users },
                { u"build_s"_s, buildS }, { u"engine_threads"_s, o.threads } };
            bytesRow.value = perUser;
            bytesRow.measured = u"%1 B"_s.arg(perUser, 0, 'f', 1);
            bytesRow.note = u"graph %1 + inboxes %2 + posts %3 B per user (%4 edges per user)"_s
                                .arg(double(g.memoryBytes()) / users, 0, 'f', 1)
                                .arg(double(rig.w->inboxes().memoryBytes()) / users, 0, 'f', 1)
                                .arg(double(rig.w->posts().memoryBytes()) / users, 0, 'f', 1)
                                .arg(edgesPerUser, 0, 'f', 2);
            bytesRow.extra = extra;
            rssRow.value = growth / 1e6;
            rssRow.measured = formatMb(growth / 1e6);
            rssRow.note = u"%1 B per user; %2 after malloc_trim; graph built in %3 s"_s.arg(growth / users, 0, 'f', 1)
                              .arg(formatMb(growthTrim / 1e6))
                              .arg(buildS, 0, 'f', 1);
            rssRow.extra = extra;
            if (targeted) {
                bytesRow.verdict = judge(perUser, kTargetBytesPerUser, true);
                rssRow.verdict = judge(growth / users, kTargetBytesPerUser, true);
            }
            progress(u"  %1 users: memoryBytes %2 B/user, RSS growth %3 (%4 B/user), build %5 s"_s.arg(at)
                         .arg(perUser, 0, 'f', 1)
                         .arg(formatMb(growth / 1e6))
                         .arg(growth / users, 0, 'f', 1)
                         .arg(buildS, 0, 'f', 1));
            add(bytesRow);
            add(rssRow);
        } catch (const std::exception &e) {
            add(errorRow(bytesRow, QString::fromUtf8(e.what())));
        }
        malloc_trim(0);
    }
}

// ---------------------------------------------------------------- push, latencies 0

struct PushSeries {
    bool ok = false;
    QString error;
    int threads = 0, workers = 0;
    std::vector<double> wallS, engineMaxMs;
    CpuUse cpu;
    double medianS() const { return median(wallS); }
    double minS() const { return minimum(wallS); }
};

PushSeries pushSeries(int threads, int workers, int posts)
{
    PushSeries s;
    s.threads = threads;
    s.workers = workers;
    try {
        Rig rig = makeRig(engineConfig(threads, zeroLatencyPush(kPushFollowers + 1, kPushFollowers, workers), 1));
        rig.rt->start();
        std::this_thread::sleep_for(200ms); // the workers start and park
        std::vector<Push> timed;
        for (int i = 0; i <= posts; ++i) { // the first push warms caches and pools: untimed
            const Push p = timedPush(rig, 30);
            if (!p.ok) {
                s.error = QString::fromStdString(p.error);
                return s;
            }
            if (p.followers != kPushFollowers) {
                s.error = u"the post has %1 followers, not %2"_s.arg(p.followers).arg(kPushFollowers);
                return s;
            }
            if (i == 0)
                continue;
            timed.push_back(p);
            s.wallS.push_back(p.wallS);
            s.engineMaxMs.push_back(p.engineMaxMs);
            std::this_thread::sleep_for(50ms);
        }
        const auto t = underControl(*rig.rt, [&] { return rig.w->totals(); });
        if (t.writes != std::uint64_t(posts + 1) * kPushFollowers || t.duplicates != 0) {
            s.error = u"%1 inbox writes (%2 duplicates), expected %3"_s.arg(t.writes)
                          .arg(t.duplicates)
                          .arg(std::uint64_t(posts + 1) * kPushFollowers);
            return s;
        }
        s.cpu = pushCpu(timed);
        s.ok = true;
    } catch (const std::exception &e) {
        s.error = QString::fromUtf8(e.what());
    }
    return s;
}

void pushRows(const FanoutBenchOptions &o, const std::function<void(Row)> &add)
{
    progress(u"[fanout] 1 M-follower push, latencies 0 (write, fetch, ack 0 ms), %1 timed per row"_s.arg(
        plural(o.posts, u"push"_s)));
    for (int workers : { 8, 64 }) {
        std::vector<PushSeries> series;
        for (int threads : { 1, 2 }) {
            const PushSeries s = pushSeries(threads, workers, o.posts);
            const QString config = u"%1, %2"_s.arg(plural(threads, u"thread"_s), plural(workers, u"worker"_s));
            Row done = fanoutRow(u"fanout: 1 M-follower push, latencies 0, %1: done after"_s.arg(config), u"ms"_s);
            Row rate = fanoutRow(u"fanout: inbox writes, latencies 0, %1"_s.arg(config), u"writes/s"_s);
            if (threads == 2) {
                done.target = u"<= %1 ms"_s.arg(kTargetPushS * 1e3, 0, 'f', 0);
                rate.target = u">= %1"_s.arg(formatRate(kTargetWritesPerS));
            }
            if (!s.ok) {
                progress(u"  %1: %2"_s.arg(config, s.error));
                add(errorRow(done, s.error));
                add(errorRow(rate, s.error));
                series.push_back(s);
                continue;
            }
            const double med = s.medianS(), best = s.minS();
            const QJsonObject extra { { u"threads"_s, threads }, { u"workers"_s, workers },
                { u"followers"_s, qint64(kPushFollowers) }, { u"posts_timed"_s, int(s.wallS.size()) },
                { u"wall_s"_s, toJsonArray(s.wallS) }, { u"engine_max_delay_ms"_s, toJsonArray(s.engineMaxMs) },
                { u"median_s"_s, med }, { u"min_s"_s, best }, { u"writes_per_s_median"_s, kPushFollowers / med },
                { u"writes_per_s_best"_s, kPushFollowers / best }, { u"poll_interval_s"_s, kPollS },
                { u"cpu"_s, toJson(s.cpu) } };
            done.value = med * 1e3;
            done.measured = formatMs(med * 1e3);
            done.note = u"median of %1, min %2; engine's modeled delay of the last write %3; %4"_s.arg(s.wallS.size())
                            .arg(formatMs(best * 1e3), formatMs(median(s.engineMaxMs)), describe(s.cpu));
            done.extra = extra;
            rate.value = kPushFollowers / med;
            rate.measured = formatRate(kPushFollowers / med);
            rate.note
                = u"best %1 (1 M writes / push time); %2"_s.arg(formatRate(kPushFollowers / best), describe(s.cpu));
            rate.extra = extra;
            if (threads == 2) {
                done.verdict = judge(med, kTargetPushS, true);
                rate.verdict = judge(kPushFollowers / med, kTargetWritesPerS);
            }
            progress(u"  %1: %2 median, %3 min -> %4 (%5)"_s.arg(
                config, formatMs(med * 1e3), formatMs(best * 1e3), formatRate(kPushFollowers / med), describe(s.cpu)));
            add(done);
            add(rate);
            series.push_back(s);
        }
        if (series.size() == 2 && series[0].ok && series[1].ok) {
            const double one = kPushFollowers / series[0].medianS(), two = kPushFollowers / series[1].medianS();
            Row ratio
                = fanoutRow(u"fanout: inbox writes, 2 / 1 threads, %1"_s.arg(plural(workers, u"worker"_s)), u"x"_s);
            ratio.value = two / one;
            ratio.measured = formatRatio(two / one);
            ratio.note = u"1 thread %1, 2 threads %2 (medians)"_s.arg(formatRate(one), formatRate(two));
            ratio.extra = QJsonObject { { u"workers"_s, workers }, { u"one_thread_per_s"_s, one },
                { u"two_threads_per_s"_s, two } };
            add(ratio);
        }
    }
}

// ---------------------------------------------------------------- modeled push

void modeledRows(const FanoutBenchOptions &o, const std::function<void(Row)> &add)
{
    const FanoutConfig f; // the defaults are the celebrity-push preset's fan-out section
    const double F = f.celebrities.front();
    const double W = f.workers;
    const double writesMs = F * f.writeMs / W;
    const double acksMs = F / (W * f.batch) * f.ackMs;
    const double modelMs = writesMs + acksMs; // to 100 %
    const double model99Ms = 0.99 * modelMs;
    progress(u"[fanout] modeled push, celebrity-push preset (F %1, write %2 ms, %3 workers, batch %4, ack %5 ms, "
             "%6 arrivals/s): model %7 to 100 %"_s.arg(count(F))
                 .arg(f.writeMs)
                 .arg(f.workers)
                 .arg(f.batch)
                 .arg(f.ackMs)
                 .arg(count(kSweepRate))
                 .arg(formatMs(modelMs)));
    Row at99 = fanoutRow(u"fanout: modeled push (preset latencies), time to 99 % visible"_s, u"ms"_s);
    Row ratio = fanoutRow(u"fanout: modeled push, time to 99 % / model 0.99 (F t/W + F/(W batch) ack)"_s, u"x"_s);
    try {
        Rig rig = makeRig(engineConfig(o.threads, f, kSweepRate));
        rig.rt->start();
        std::this_thread::sleep_for(1s); // reads and ordinary posts flowing
        std::vector<Push> pushes;
        for (int i = 0; i < o.modeledPosts; ++i) {
            const Push p = timedPush(rig, 60);
            if (!p.ok) {
                add(errorRow(at99, QString::fromStdString(p.error)));
                return;
            }
            pushes.push_back(p);
            progress(u"  push %1: 99 % after %2 (engine's p99 delay %3), 100 % after %4 (engine %5)"_s.arg(i + 1).arg(
                formatMs(p.wall99S * 1e3), formatMs(p.engineP99Ms), formatMs(p.wallS * 1e3), formatMs(p.engineMaxMs)));
            std::this_thread::sleep_for(300ms);
        }
        std::vector<double> wall99, wall100, eng99, engMax;
        for (const Push &p : pushes) {
            wall99.push_back(p.wall99S * 1e3);
            wall100.push_back(p.wallS * 1e3);
            eng99.push_back(p.engineP99Ms);
            engMax.push_back(p.engineMaxMs);
        }
        const double w99 = median(wall99);
        const QJsonObject extra { { u"followers"_s, F }, { u"workers"_s, f.workers }, { u"batch"_s, f.batch },
            { u"write_ms"_s, f.writeMs }, { u"ack_ms"_s, f.ackMs }, { u"fetch_ms"_s, f.fetchMs },
            { u"inbox_shards"_s, f.inboxShards }, { u"arrivals_per_s"_s, kSweepRate },
            { u"model_writes_ms"_s, writesMs }, { u"model_acks_ms"_s, acksMs }, { u"model_100_ms"_s, modelMs },
            { u"model_99_ms"_s, model99Ms }, { u"wall_99_ms"_s, toJsonArray(wall99) },
            { u"wall_100_ms"_s, toJsonArray(wall100) }, { u"engine_p99_delay_ms"_s, toJsonArray(eng99) },
            { u"engine_max_delay_ms"_s, toJsonArray(engMax) }, { u"engine_threads"_s, o.threads },
            { u"cpu"_s, toJson(pushCpu(pushes)) } };
        at99.value = w99;
        at99.measured = formatMs(w99);
        at99.note = u"model %1 (writes %2 + acks %3, x 0.99); engine's p99 delay %4; 100 % after %5 (model %6)"_s.arg(
            formatMs(model99Ms), formatMs(writesMs), formatMs(acksMs), formatMs(median(eng99)),
            formatMs(median(wall100)), formatMs(modelMs));
        at99.extra = extra;
        ratio.value = w99 / model99Ms;
        ratio.measured = formatRatio(w99 / model99Ms);
        ratio.note = u"engine's p99 delay / model: %1; last delivery / model: %2; without the acks: %3; %4"_s.arg(
            formatRatio(median(eng99) / model99Ms), formatRatio(median(engMax) / modelMs),
            formatRatio(w99 / (0.99 * writesMs)), describe(pushCpu(pushes)));
        ratio.extra = extra;
        add(at99);
        add(ratio);
    } catch (const std::exception &e) {
        add(errorRow(at99, QString::fromUtf8(e.what())));
    }
}

// ---------------------------------------------------------------- hybrid threshold sweep

// What the graph says a threshold costs: reads fetch their inbox (hybrid always does) and the
// outbox of every followee above the threshold; posts of authors at or below it are written to
// every follower's inbox.
struct SweepModel {
    double users = 0, ordinary = 0, celebrityFollowers = 0;
    double reads = 0, posts = 0, celebrityPosts = 0; // per second
    double followsCelebrity = 0; // share of the reads by one of her followers
    std::vector<std::uint32_t> followers; // of each ordinary account, sorted
    std::vector<double> prefix; // prefix[i]: sum of the first i

    double atOrBelow(double t) const // sum of the followers of ordinary accounts with <= t
    {
        const auto it = std::upper_bound(followers.begin(), followers.end(), t);
        return prefix[static_cast<std::size_t>(it - followers.begin())];
    }
    std::uint32_t maxOrdinary() const { return followers.empty() ? 0 : followers.back(); }
    double fetchesPerRead(double t) const
    {
        const double pulledEdges = prefix.back() - atOrBelow(t);
        return 1 + pulledEdges / users + (celebrityFollowers > t ? followsCelebrity : 0);
    }
    double writes(double t) const
    {
        return posts * atOrBelow(t) / ordinary + (celebrityFollowers <= t ? celebrityPosts * celebrityFollowers : 0);
    }
    double work(double t) const { return reads * fetchesPerRead(t) + writes(t); }
};

void sweepRows(const FanoutBenchOptions &o, const std::function<void(Row)> &add)
{
    FanoutConfig f; // the preset's graph and traffic mix, hybrid, latencies 0 (work is counted, not timed)
    f.mode = FanoutMode::Hybrid;
    f.writeMs = 0;
    f.fetchMs = 0;
    f.ackMs = 0;
    const double c = kSweepCelebrityPostsPerS;
    const int postsPerWindow = std::max(1, static_cast<int>(std::lround(o.sweepSeconds * c)));
    const double windowS = postsPerWindow / c;
    progress(u"[fanout] hybrid threshold sweep: %1 users, celebrity with %2 followers posting %3/s, %4 arrivals/s "
             "(%5 % posts), latencies 0, %6 s per threshold"_s.arg(count(f.users), count(f.celebrities.front()))
                 .arg(c)
                 .arg(count(kSweepRate))
                 .arg(f.postShare * 100)
                 .arg(windowS));
    try {
        Rig rig = makeRig(engineConfig(o.threads, f, kSweepRate));
        const FollowerGraph &g = rig.w->graph();
        SweepModel m;
        m.users = g.users();
        m.ordinary = g.users() - static_cast<double>(g.celebrityCount());
        m.celebrityFollowers = g.followerCount(0);
        m.reads = kSweepRate * (1 - f.postShare);
        m.posts = kSweepRate * f.postShare;
        m.celebrityPosts = c;
        m.followsCelebrity = (1 - f.celebrityReaders) * m.celebrityFollowers / m.users + f.celebrityReaders;
        for (UserId u = static_cast<UserId>(g.celebrityCount()); u < g.users(); ++u)
            m.followers.push_back(g.followerCount(u));
        std::sort(m.followers.begin(), m.followers.end());
        m.prefix.assign(m.followers.size() + 1, 0);
        for (std::size_t i = 0; i < m.followers.size(); ++i)
            m.prefix[i + 1] = m.prefix[i] + m.followers[i];

        const auto F = static_cast<std::uint32_t>(m.celebrityFollowers);
        const std::uint32_t maxOrd = m.maxOrdinary();
        std::vector<std::uint32_t> thresholds { 0, 10, 100, 1'000, 10'000, 100'000, maxOrd - 1, maxOrd, F - 1, F,
            F + 1 };
        std::sort(thresholds.begin(), thresholds.end());
        thresholds.erase(std::unique(thresholds.begin(), thresholds.end()), thresholds.end());

        rig.rt->start();
        std::this_thread::sleep_for(500ms);
        struct Point {
            std::uint32_t threshold = 0;
            double work = 0, writes = 0, fetches = 0, reads = 0, predicted = 0;
        };
        std::vector<Point> curve;
        for (std::uint32_t t : thresholds) {
            TimedEvent e;
            e.kind = EventKind::SetFanoutThreshold;
            e.threshold = t;
            if (const CommandResult r = rig.rt->command(e); !r.ok)
                throw std::runtime_error(r.error);
            std::this_thread::sleep_for(100ms); // reads under the old threshold finish (latencies 0)
            if (!waitDrained(rig, 30))
                throw std::runtime_error("the fan-out queue did not drain");
            const auto before = underControl(*rig.rt, [&] { return rig.w->totals(); });
            const auto t0 = SteadyClock::now();
            for (int k = 0; k < postsPerWindow; ++k) {
                std::this_thread::sleep_until(t0
                    + std::chrono::duration_cast<SteadyClock::duration>(std::chrono::duration<double>((k + 0.5) / c)));
                TimedEvent p;
                p.kind = EventKind::CelebrityPost;
                p.node = 0;
                if (const CommandResult r = rig.rt->command(p); !r.ok)
                    throw std::runtime_error(r.error);
            }
            std::this_thread::sleep_until(
                t0 + std::chrono::duration_cast<SteadyClock::duration>(std::chrono::duration<double>(windowS)));
            if (!waitDrained(rig, 30))
                throw std::runtime_error("the fan-out queue did not drain");
            const auto after = underControl(*rig.rt, [&] { return rig.w->totals(); });
            const double dt = secondsSince(t0);
            Point p;
            p.threshold = t;
            p.writes = static_cast<double>(after.writes - before.writes) / dt;
            p.fetches = static_cast<double>(after.fetches - before.fetches) / dt;
            p.reads = static_cast<double>(after.reads - before.reads) / dt;
            p.work = p.writes + p.fetches;
            p.predicted = m.work(t);
            if (after.refused != before.refused)
                throw std::runtime_error("the fan-out queue refused posts");
            curve.push_back(p);
            progress(u"  threshold %1: work %2/s (writes %3/s, fetches %4/s, %5 per read); graph predicts %6/s"_s
                         .arg(count(t), count(p.work), count(p.writes), count(p.fetches))
                         .arg(p.fetches / std::max(p.reads, 1.0), 0, 'f', 3)
                         .arg(count(p.predicted)));
        }

        QJsonArray points;
        for (const Point &p : curve) {
            QString what = p.threshold == 0  ? u" (pull everything)"_s
                : p.threshold >= F           ? u" (push everything)"_s
                : p.threshold == maxOrd      ? u" (= most-followed ordinary account)"_s
                : p.threshold == f.threshold ? u" (the preset's)"_s
                                             : QString();
            Row r
                = fanoutRow(u"fanout: hybrid sweep, threshold %1%2: work"_s.arg(count(p.threshold), what), u"ops/s"_s);
            r.value = p.work;
            r.measured = formatRate(p.work);
            r.note = u"writes %1, fetches %2 (%3 per read); graph predicts %4 (%5)"_s.arg(formatRate(p.writes),
                formatRate(p.fetches), QString::number(p.fetches / std::max(p.reads, 1.0), 'f', 3),
                formatRate(p.predicted), formatRatio(p.work / p.predicted));
            const QJsonObject pt { { u"threshold"_s, qint64(p.threshold) }, { u"work_per_s"_s, p.work },
                { u"writes_per_s"_s, p.writes }, { u"fetches_per_s"_s, p.fetches }, { u"reads_per_s"_s, p.reads },
                { u"predicted_work_per_s"_s, p.predicted } };
            r.extra = pt;
            points.append(pt);
            add(r);
        }
        const auto best = std::min_element(
            curve.begin(), curve.end(), [](const Point &a, const Point &b) { return a.work < b.work; });
        QStringList near;
        for (const Point &p : curve)
            if (p.work <= best->work * 1.02)
                near << count(p.threshold);
        const double r = m.reads / m.users; // reads per user per second (readers are spread evenly)
        const double pOrd = m.posts / m.ordinary; // posts per ordinary author per second
        const QJsonObject extra { { u"curve"_s, points }, { u"reads_per_user_per_s"_s, r },
            { u"posts_per_ordinary_author_per_s"_s, pOrd }, { u"celebrity_posts_per_s"_s, c },
            { u"celebrity_followers"_s, qint64(F) }, { u"max_ordinary_followers"_s, qint64(maxOrd) },
            { u"window_s"_s, windowS }, { u"arrivals_per_s"_s, kSweepRate }, { u"post_share"_s, f.postShare },
            { u"engine_threads"_s, o.threads } };
        Row least = fanoutRow(u"fanout: hybrid sweep, threshold with the least work (measured)"_s, u"followers"_s);
        least.value = best->threshold;
        least.measured = count(best->threshold);
        least.note = u"%1; within 2 % of it: %2; pull all %3, push all %4, the preset's %5: %6"_s
                         .arg(formatRate(best->work), near.join(u", "_s), formatRate(curve.front().work),
                             formatRate(curve.back().work), count(f.threshold))
                         .arg([&] {
                             for (const Point &p : curve)
                                 if (p.threshold == f.threshold)
                                     return formatRate(p.work);
                             return u"-"_s;
                         }());
        least.extra = extra;
        add(least);
        // The per-edge rule: push author a to follower u when u reads at least as often as a posts.
        // A's push costs F_a x p_a writes/s, its pull F_a x r fetches/s: F_a cancels, so the rule
        // splits authors by how often they post, not by how many follow them.
        const bool pushOrdinary = pOrd <= r;
        const bool pushCelebrity = c <= r;
        Row rule
            = fanoutRow(u"fanout: per-edge rule (push when the follower reads >= the author posts)"_s, u"followers"_s);
        QString range;
        double ruleT = 0;
        if (pushOrdinary && !pushCelebrity) {
            range = u"%1 .. %2"_s.arg(count(maxOrd), count(F - 1));
            ruleT = maxOrd;
        } else if (pushOrdinary && pushCelebrity) {
            range = u">= %1"_s.arg(count(F));
            ruleT = F;
        } else if (!pushOrdinary && pushCelebrity) {
            range = u"(no threshold: pull ordinary, push the celebrity)"_s;
        } else {
            range = u"0 (pull everything)"_s;
        }
        rule.value = ruleT;
        rule.measured = range;
        rule.note = u"reads %1 per user per s vs posts %2 per ordinary author per s (x %3): push them; "
                    "the celebrity posts %4/s: %5; predicted work there %6"_s.arg(QString::number(r, 'g', 3),
                        QString::number(pOrd, 'g', 3), QString::number(r / pOrd, 'f', 0), QString::number(c, 'g', 3),
                        pushCelebrity ? u"push her too"_s : u"pull her"_s, formatRate(m.work(ruleT)));
        rule.extra = extra;
        add(rule);
    } catch (const std::exception &e) {
        add(errorRow(fanoutRow(u"fanout: hybrid sweep"_s, u"ops/s"_s), QString::fromUtf8(e.what())));
    }
}

} // namespace

void runFanoutBench(const FanoutBenchOptions &o, const std::function<void(Row)> &add)
{
    // Memory first: nothing this section builds has been freed yet, so what malloc keeps for
    // reuse cannot hide a growth.
    auto wants = [&](const char *part) { return o.parts.isEmpty() || o.parts.contains(QString::fromLatin1(part)); };
    if (wants("memory"))
        memoryRows(o, add);
    if (wants("push"))
        pushRows(o, add);
    if (wants("modeled"))
        modeledRows(o, add);
    if (wants("sweep"))
        sweepRows(o, add);
}

} // namespace stampede::bench
