#include "invariants.h"

#include "engine.h"

#include <array>

using namespace Qt::StringLiterals;

namespace stampede::soak {

namespace {

constexpr double kResetWindowS = 3; // a reset's snapshot comes within a tick or two

QString fromView(std::string_view v) { return QString::fromUtf8(v.data(), qsizetype(v.size())); }

} // namespace

bool isSafeStrategyName(const QString &name)
{
    return name == u"row-lock"_s || name == u"atomic"_s || name == u"sharded"_s;
}

void Invariants::noteStrategyRequest(int index, double nowS)
{
    const auto &names = strategyNames();
    if (index < 0 || std::size_t(index) >= names.size())
        return;
    if (!isSafeStrategyName(fromView(names[std::size_t(index)]))) {
        m_tainted = true;
        m_unsafeRequestAtS = nowS; // a reset whose snapshot lands after it may have come before it
    }
}

void Invariants::noteReset(double nowS) { m_resetAtS = nowS; }

void Invariants::startRun(bool safe, double nowS)
{
    ++m_runs;
    m_tainted = !safe || nowS - m_unsafeRequestAtS < kResetWindowS;
    m_oversoldReported = 0;
    m_countedSafe = false;
    m_last = {};
    m_lastT = -1;
}

QStringList Invariants::check(const Engine *engine, double nowS)
{
    QStringList violations;
    if (!engine)
        return violations;
    const auto s = engine->snapshot();
    Totals now { s->attempts, s->succeeded, s->soldOut, s->rateLimited, s->failed, 0, 0, 0, 0, 0 };
    const TickSample *tick = s->latest.store.has_value() ? &s->latest
        : !s->recent.empty()                             ? &s->recent.back()
                                                         : nullptr;
    if (tick && tick->store) {
        now.confirmed = tick->store->confirmed;
        now.sold = tick->store->sold;
    }
    if (s->fanout) {
        now.posts = s->fanout->posts;
        now.reads = s->fanout->reads;
        now.inboxWrites = s->fanout->inboxWrites;
    }
    const std::array<std::pair<const char *, std::pair<std::int64_t, std::int64_t>>, 10> pairs { {
        { "attempts", { m_last.attempts, now.attempts } },
        { "succeeded", { m_last.succeeded, now.succeeded } },
        { "sold out", { m_last.soldOut, now.soldOut } },
        { "rate limited", { m_last.rateLimited, now.rateLimited } },
        { "failed", { m_last.failed, now.failed } },
        { "confirmed", { m_last.confirmed, now.confirmed } },
        { "sold", { m_last.sold, now.sold } },
        { "fan-out posts", { m_last.posts, now.posts } },
        { "fan-out reads", { m_last.reads, now.reads } },
        { "inbox writes", { m_last.inboxWrites, now.inboxWrites } },
    } };
    bool decreased = false;
    for (const auto &[name, v] : pairs)
        decreased = decreased || v.second < v.first;

    const QString strategy = s->store ? fromView(toString(s->store->strategy)) : QString();
    const bool recentReset = nowS - m_resetAtS < kResetWindowS;
    if (engine != m_engine) {
        m_engine = engine;
        startRun(s->store && isSafeStrategyName(strategy), nowS);
    } else if (s->t + 1e-9 < m_lastT || (decreased && recentReset)) {
        // (the reset stays recent: two resets in a row show as two runs at the same run time)
        startRun(s->store && isSafeStrategyName(strategy), nowS);
    } else {
        for (const auto &[name, v] : pairs)
            if (v.second < v.first)
                violations << QString::fromLatin1(name) + u" went down from "_s + QString::number(v.first) + u" to "_s
                        + QString::number(v.second) + u" at run time "_s + QString::number(s->t, 'f', 1)
                        + u" s without a reset"_s;
    }

    // Any unsafe strategy seen in this run, shown now or named by a marker, taints it.
    if (!s->store || !isSafeStrategyName(strategy))
        m_tainted = true;
    for (const Marker &m : s->markers) {
        const QString label = QString::fromStdString(m.label);
        if (label.startsWith(u"strategy "_s) && !isSafeStrategyName(label.mid(9)))
            m_tainted = true;
    }
    if (!m_tainted && tick && tick->store) {
        ++m_safeChecks;
        if (!m_countedSafe) {
            m_countedSafe = true;
            ++m_safeRuns;
        }
        if (tick->store->oversold > m_oversoldReported) {
            m_oversoldReported = tick->store->oversold;
            violations << u"oversold "_s + QString::number(tick->store->oversold) + u" under "_s + strategy
                    + u" (only safe strategies since the run's start) at run time "_s + QString::number(s->t, 'f', 1)
                    + u" s"_s;
        }
    }
    m_last = now;
    m_lastT = s->t;
    return violations;
}

} // namespace stampede::soak
