#include "realstorebench.h"

#include "enginebench.h"
#include "pgconnection.h"
#include "pgserver.h"

#include <boost/asio/io_context.hpp>

#include <algorithm>
#include <chrono>
#include <memory>
#include <string>
#include <vector>

using namespace Qt::StringLiterals;

namespace stampede::bench {

namespace {

QString fromStd(const std::string &s) { return QString::fromStdString(s); }
QString strategyText(Strategy s) { return QString::fromLatin1(toString(s).data(), qsizetype(toString(s).size())); }

double median(std::vector<double> v)
{
    if (v.empty())
        return 0;
    std::nth_element(v.begin(), v.begin() + std::ptrdiff_t(v.size() / 2), v.end());
    return v[v.size() / 2];
}

// The median of `n` blocking `SELECT 1` on one connection: the loopback round trip plus the
// least a statement costs the server.
double roundTripMs(const std::string &conninfo, int n, std::string *error)
{
    boost::asio::io_context io;
    pg::Connection c(io, nullptr);
    if (!c.open(conninfo, error))
        return 0;
    std::vector<double> ms;
    ms.reserve(std::size_t(n));
    for (int i = 0; i < n; ++i) {
        const auto t0 = std::chrono::steady_clock::now();
        if (!c.exec("SELECT 1", error))
            return 0;
        ms.push_back(std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count());
    }
    return median(std::move(ms));
}

EngineConfig realConfig(Strategy s, const RealStoreOptions &o, int clients)
{
    EngineConfig c = closedLoopConfig(s, o.threads, clients);
    c.name = "bench-realstore";
    c.store.backend = StoreBackend::Postgres; // a private server (pg::Server::shared)
    c.store.connections = o.connections;
    return c;
}

EngineConfig modelConfig(Strategy s, const RealStoreOptions &o, int clients, double latencyMs, double writeMs)
{
    EngineConfig c = closedLoopConfig(s, o.threads, clients);
    c.name = "bench-realstore-model";
    c.store.latencyMs = latencyMs;
    c.store.writeMs = writeMs;
    return c;
}

Row runRow(const QString &name, const EngineRun &r)
{
    Row row;
    row.section = u"realstore"_s;
    row.name = name;
    row.unit = u"answers/s"_s;
    if (!r.ok) {
        row.verdict = Verdict::Error;
        row.measured = u"error"_s;
        row.note = fromStd(r.error);
        return row;
    }
    row.value = r.answeredPerS;
    row.measured = formatRate(r.answeredPerS);
    row.note = u"p50 %1, p99 %2"_s.arg(formatMs(r.p50Ms), formatMs(r.p99Ms));
    if (r.oversold > 0)
        row.note += u", OVERSOLD %1"_s.arg(r.oversold);
    if (r.lostUpdates != 0)
        row.note += u", %1 lost updates"_s.arg(r.lostUpdates);
    row.note += u"; "_s + describe(r.cpu);
    row.extra = QJsonObject { { u"answered_per_s"_s, r.answeredPerS }, { u"attempts_per_s"_s, r.attemptsPerS },
        { u"p50_ms"_s, r.p50Ms }, { u"p99_ms"_s, r.p99Ms }, { u"oversold"_s, qint64(r.oversold) },
        { u"lost_updates"_s, qint64(r.lostUpdates) }, { u"invariants_ok"_s, r.invariantsOk },
        { u"threads"_s, r.threads }, { u"window_s"_s, r.windowS }, { u"cpu"_s, toJson(r.cpu) } };
    return row;
}

} // namespace

void runRealStoreBench(const RealStoreOptions &o, const std::function<void(Row)> &add)
{
    Row head;
    head.section = u"realstore"_s;
    head.name = u"realstore: PostgreSQL round trip, SELECT 1 on 1 connection (median)"_s;
    head.unit = u"ms"_s;
    if (pg::Server::binDir().empty()) {
        head.verdict = Verdict::Skipped;
        head.measured = u"-"_s;
        head.note = u"postgresql-15 not installed: skipped (packaging/setup.sh deps)"_s;
        progress(u"  "_s + head.note);
        add(head);
        return;
    }
    std::string error;
    // held for the whole section: every engine below uses this one server
    const std::shared_ptr<pg::Server> server = pg::Server::shared(&error);
    if (!server) {
        head.verdict = Verdict::Error;
        head.measured = u"error"_s;
        head.note = fromStd(error);
        add(head);
        return;
    }
    const double rtt = roundTripMs(server->conninfo(), 2000, &error);
    if (!(rtt > 0)) {
        head.verdict = Verdict::Error;
        head.measured = u"error"_s;
        head.note = fromStd(error);
        add(head);
        return;
    }
    head.value = rtt;
    head.measured = formatMs(rtt);
    head.note = u"PostgreSQL %1 on loopback, private server (fsync on)"_s.arg(fromStd(server->version()));
    head.extra = QJsonObject { { u"server_version"_s, fromStd(server->version()) }, { u"samples"_s, 2000 } };
    progress(u"  %1: %2"_s.arg(head.name, head.measured));
    add(head);

    // One atomic purchase alone (one client, one connection): round trip + execution + commit.
    RealStoreOptions one = o;
    one.connections = 1;
    const EngineRun alone = runEngine(realConfig(Strategy::Atomic, one, 1), o.warmupS, o.seconds);
    Row a = runRow(u"realstore: atomic purchase on 1 connection (1 / rate = its mean cost)"_s, alone);
    progress(u"  %1: %2 (%3)"_s.arg(a.name, a.measured, a.note));
    add(a);
    if (!alone.ok)
        return;
    const double latencyMs = rtt;
    // The mean, not the p50: a hot row's rate is set by the mean hold, and commits (fsync) have
    // a long tail (p99 several times the p50).
    const double meanMs = alone.answeredPerS > 0 ? 1000.0 / alone.answeredPerS : alone.p50Ms;
    const double writeMs = std::max(0.001, meanMs - rtt);
    Row cal;
    cal.section = u"realstore"_s;
    cal.name = u"realstore: the model's calibration"_s;
    cal.unit = u"ms"_s;
    cal.value = writeMs;
    cal.measured = u"latency_ms %1, write_ms %2"_s.arg(latencyMs, 0, 'f', 3).arg(writeMs, 0, 'f', 3);
    cal.note = u"latency = the round trip; write = one purchase's mean cost − the round trip"_s;
    cal.extra = QJsonObject { { u"latency_ms"_s, latencyMs }, { u"write_ms"_s, writeMs } };
    progress(u"  %1: %2"_s.arg(cal.name, cal.measured));
    add(cal);

    // Per strategy, the same closed loop of `connections` clients on both stores.
    for (Strategy s : { Strategy::Naive, Strategy::RowLock, Strategy::Atomic, Strategy::Sharded }) {
        const EngineRun real = runEngine(realConfig(s, o, o.connections), o.warmupS, o.seconds);
        Row rr = runRow(u"realstore %1: PostgreSQL, %2 connections"_s.arg(strategyText(s)).arg(o.connections), real);
        progress(u"  %1: %2 (%3)"_s.arg(rr.name, rr.measured, rr.note));
        add(rr);
        const EngineRun model = runEngine(modelConfig(s, o, o.connections, latencyMs, writeMs), o.warmupS, o.seconds);
        Row mr
            = runRow(u"realstore %1: model, calibrated, %2 clients"_s.arg(strategyText(s)).arg(o.connections), model);
        progress(u"  %1: %2 (%3)"_s.arg(mr.name, mr.measured, mr.note));
        add(mr);
        if (!real.ok || !model.ok || !(real.answeredPerS > 0))
            continue;
        // The lesson's two: how far the model's hot-row throughput is from the database's.
        const double x = model.answeredPerS / real.answeredPerS;
        Row p;
        p.section = u"realstore"_s;
        p.name = u"realstore %1: model / real throughput"_s.arg(strategyText(s));
        p.unit = u"x"_s;
        p.value = x;
        p.measured = formatRatio(x);
        p.note = u"p50 model %1 vs real %2"_s.arg(formatMs(model.p50Ms), formatMs(real.p50Ms));
        p.extra = QJsonObject { { u"model_per_s"_s, model.answeredPerS }, { u"real_per_s"_s, real.answeredPerS },
            { u"model_p50_ms"_s, model.p50Ms }, { u"real_p50_ms"_s, real.p50Ms }, { u"model_p99_ms"_s, model.p99Ms },
            { u"real_p99_ms"_s, real.p99Ms } };
        progress(u"  %1: %2 (%3)"_s.arg(p.name, p.measured, p.note));
        add(p);
    }
}

} // namespace stampede::bench
