// The fan-out page of charts: the visibility curves (how fast a celebrity's post reaches her
// followers: the delivery delays), read latency, the work per second of the push path against the
// reads' fetches, the fan-out backlog with its drain rate, and stale reads with duplicates.

#include "chartspec.h"

#include "tiers.h"

#include <algorithm>
#include <cmath>

using namespace Qt::StringLiterals;

#pragma GCC diagnostic ignored "-Wmissing-field-initializers"

namespace stampede::ui {

namespace {

using Axis = LiveChart::Axis;
using Value = std::optional<double>;

constexpr int kFanoutPage = 2; // ChartsPanel::FanoutPage

TickSample lastTick(const Snapshot &s) { return s.recent.empty() ? TickSample {} : s.recent.back(); }

// Reads answered in the tick: without any, no read latency was measured (a gap, not 0 ms).
bool readsAnswered(const TickSample &x) { return x.fanout && x.fanout->reads > 0; }

QString visibilityTitle(const Snapshot &s)
{
    if (!s.fanout || s.fanout->tracked.empty())
        return u"No post yet (P)"_s;
    const TrackedPostView &p = s.fanout->tracked.front();
    // short: five charts share a row on a projector
    if (p.pulled)
        return u"100 % at once"_s;
    const double share = p.followers > 0 ? double(p.delivered) / p.followers : 1.0;
    if (p.delivered >= std::int64_t(p.followers) && p.maxMs > 0)
        return u"100 % in "_s + durationMs(p.maxMs);
    return u"Visible · "_s + percentText(share);
}

// A rate in a title: two significant digits from 10 k on ("39 k/s"), where a title is short.
QString shortRate(double v)
{
    if (v >= 1e7)
        return QString::number(std::lround(v / 1e6)) + u" M/s"_s;
    if (v >= 1e4 && v < 1e6)
        return QString::number(std::lround(v / 1e3)) + u" k/s"_s;
    return compactRate(v);
}

} // namespace

void appendFanoutSpecs(std::vector<ChartSpec> &specs)
{
    specs.push_back({
        .key = u"visibility"_s,
        .title = u"Visible"_s,
        .page = kFanoutPage,
        .stretch = 5, // the lesson's own picture: a little wider than the others
        .left = { .title = u"followers"_s, .kind = AxisKind::Percent, .fixed = std::pair { 0.0, 100.0 } },
        // one series per kept post (VisibilityCurves::kCurves), named by the window as it posts
        .series = {
            { .name = u"post 1"_s, .color = &Theme::post1, .widthFactor = 1.3 },
            { .name = u"post 2"_s, .color = &Theme::post2, .widthFactor = 1.3 },
            { .name = u"post 3"_s, .color = &Theme::post3, .widthFactor = 1.3 },
            { .name = u"post 4"_s, .color = &Theme::post4, .widthFactor = 1.3 },
        },
        .inUse = fanoutInUse,
        .titleText = visibilityTitle,
        .sincePost = true,
    });
    specs.push_back({
        .key = u"readLatency"_s,
        .title = u"Read latency"_s,
        .page = kFanoutPage,
        .left = { .title = u"read"_s, .kind = AxisKind::Milliseconds, .minimumTop = 0.2 },
        .series = {
            { u"p50"_s, &Theme::p50,
                [](const TickSample &x) { return readsAnswered(x) ? Value(x.p50Ms) : Value(); } },
            { u"p99"_s, &Theme::p99,
                [](const TickSample &x) { return readsAnswered(x) ? Value(x.p99Ms) : Value(); } },
        },
        .inUse = fanoutInUse,
        // short: five charts share a row on a projector (the page's one latency is the reads')
        .titleText = [](const Snapshot &s) -> QString { return u"p99 "_s + durationMs(lastTick(s).p99Ms); },
    });
    specs.push_back({
        .key = u"work"_s,
        .title = u"Work per second"_s,
        .page = kFanoutPage,
        .left = { .title = u"writes/s"_s },
        .right = { .title = u"reads/s"_s },
        .series = {
            { .name = u"writes"_s, .color = &Theme::inboxWrites,
                .value = [](const TickSample &x) { return x.fanout ? Value(x.fanout->inboxWrites) : Value(); },
                .widthFactor = 1.3 },
            { u"reads"_s, &Theme::timelineReads,
                [](const TickSample &x) { return x.fanout ? Value(x.fanout->reads) : Value(); }, Axis::Right },
            { u"fetches"_s, &Theme::fetches,
                [](const TickSample &x) {
                    return x.fanout ? Value(x.fanout->reads * x.fanout->fetchesPerRead) : Value();
                },
                Axis::Right },
        },
        .inUse = fanoutInUse,
        .titleText = [](const Snapshot &s) -> QString {
            const TickSample x = lastTick(s);
            return x.fanout->inboxWrites >= x.fanout->reads * x.fanout->fetchesPerRead
                ? u"Writes "_s + shortRate(x.fanout->inboxWrites)
                : u"Fetch "_s + shortRate(x.fanout->reads * x.fanout->fetchesPerRead);
        },
    });
    specs.push_back({
        .key = u"fanoutBacklog"_s,
        .title = u"Fan-out backlog"_s,
        .page = kFanoutPage,
        .left = { .title = u"writes"_s, .minimumTop = 10, .integer = true },
        .right = { .title = u"drain/s"_s },
        .series = {
            { .name = u"backlog"_s, .color = &Theme::fanoutBacklog,
                .value = [](const TickSample &x) { return x.fanout ? Value(double(x.fanout->backlog)) : Value(); },
                .widthFactor = 1.3 },
            { u"drain"_s, &Theme::drainRate,
                [](const TickSample &x) { return x.fanout ? Value(x.fanout->drainRate) : Value(); }, Axis::Right },
        },
        .inUse = fanoutInUse,
        .titleText = [](const Snapshot &s) -> QString {
            const TickSample x = lastTick(s);
            return u"Backlog "_s + compactNumber(double(x.fanout->backlog));
        },
    });
    specs.push_back({
        .key = u"fanoutAnomalies"_s,
        .title = u"Stale reads & duplicates"_s,
        .page = kFanoutPage,
        .left = { .title = u"stale/s"_s },
        .right = { .title = u"duplicates"_s, .minimumTop = 10, .integer = true },
        .series = {
            { u"stale"_s, &Theme::staleReads,
                [](const TickSample &x) { return x.fanout ? Value(x.fanout->staleReads) : Value(); } },
            { .name = u"duplicates"_s, .color = &Theme::duplicates,
                .value = [](const TickSample &x) { return x.fanout ? Value(double(x.fanout->duplicatesTotal)) : Value(); },
                .axis = Axis::Right, .widthFactor = 1.6 },
        },
        .inUse = fanoutInUse,
        .titleText = [](const Snapshot &s) -> QString {
            const TickSample x = lastTick(s);
            // duplicates must stay at 0: once there are any, they are the title
            if (x.fanout->duplicatesTotal > 0)
                return u"Duplicates "_s + countText(x.fanout->duplicatesTotal);
            return u"Stale "_s + shortRate(x.fanout->staleReads);
        },
        .alarm = [](const Snapshot &s) { return lastTick(s).fanout->duplicatesTotal > 0; },
    });
}

} // namespace stampede::ui
