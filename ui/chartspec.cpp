#include "chartspec.h"

#include "tiers.h"

#include <QRegularExpression>

#include <algorithm>
#include <cmath>

using namespace Qt::StringLiterals;

// The specs name only the fields that differ from their defaults (designated initializers); GCC
// would warn about every field left to its default member initializer.
#pragma GCC diagnostic ignored "-Wmissing-field-initializers"

namespace stampede::ui {

namespace {

using Axis = LiveChart::Axis;
using Value = std::optional<double>;

TickSample lastTick(const Snapshot &s) { return s.recent.empty() ? TickSample {} : s.recent.back(); }

// Answers of any kind in the tick: without any, no latency was measured (a gap, not 0 ms).
bool answered(const TickSample &x) { return x.succeeded + x.soldOut + x.rateLimited + x.failed > 0; }

// When the stock last ran out: the tick at which it reached 0 after being above it.
std::optional<double> soldOutAt(const Snapshot &s)
{
    const auto &r = s.recent;
    for (std::size_t i = r.size(); i-- > 1;)
        if (r[i].store && r[i - 1].store && r[i].store->stockRemaining == 0 && r[i - 1].store->stockRemaining > 0)
            return r[i].t;
    return std::nullopt;
}

void sellOutMarkers(const Snapshot &s, QList<ChartMarker> &out)
{
    const auto &r = s.recent;
    for (std::size_t i = 1; i < r.size(); ++i)
        if (r[i].store && r[i - 1].store && r[i].store->stockRemaining == 0 && r[i - 1].store->stockRemaining > 0)
            out.append({ r[i].t, u"sold out"_s, 3 });
}

bool falseSoldOutInRun(const Snapshot &s) { return lastTick(s).store->falseSoldOut > 0; }

std::vector<ChartSpec> makeSpecs()
{
    std::vector<ChartSpec> specs;

    // ---------------------------------------------------------------- flash sale
    specs.push_back({
        .key = u"throughput"_s,
        .title = u"Throughput by outcome"_s,
        .page = 0,
        .left = { .title = u"req/s"_s },
        .right = { .title = u"other req/s"_s },
        .series = {
            { u"ok"_s, &Theme::succeeded, [](const TickSample &x) -> Value { return x.succeeded; } },
            // after a sell-out every answer is a fast "sold out": as loud as the refusals
            { .name = u"sold out"_s, .color = &Theme::soldOut,
                .value = [](const TickSample &x) -> Value { return x.soldOut; }, .role = SeriesRole::Secondary },
            { .name = u"limited"_s, .color = &Theme::rateLimited,
                .value = [](const TickSample &x) -> Value { return x.rateLimited; }, .role = SeriesRole::Secondary },
            { .name = u"failed"_s, .color = &Theme::failed,
                .value = [](const TickSample &x) -> Value { return x.failed; }, .role = SeriesRole::Secondary },
        },
        // row lock: ~480 ok/s under ~15 k failed/s; on one axis "ok" would be a hairline
        .split = 3,
        .splitTitle = u"other req/s"_s,
        .titleText = [](const Snapshot &s) -> QString {
            const TickSample x = lastTick(s);
            return u"Throughput · "_s + compactRate(x.succeeded + x.soldOut + x.rateLimited + x.failed);
        },
    });
    specs.push_back({
        .key = u"latency"_s,
        .title = u"Latency"_s,
        .page = 0,
        .left = { .title = u"latency"_s, .kind = AxisKind::Milliseconds },
        .series = {
            { u"p50"_s, &Theme::p50, [](const TickSample &x) -> Value { return answered(x) ? Value(x.p50Ms) : Value(); } },
            { u"p95"_s, &Theme::p95, [](const TickSample &x) -> Value { return answered(x) ? Value(x.p95Ms) : Value(); } },
            { u"p99"_s, &Theme::p99, [](const TickSample &x) -> Value { return answered(x) ? Value(x.p99Ms) : Value(); } },
        },
        .titleText = [](const Snapshot &s) -> QString { return u"Latency · p99 "_s + durationMs(lastTick(s).p99Ms); },
    });
    specs.push_back({
        .key = u"stock"_s,
        .title = u"Stock"_s,
        .page = 0,
        .left = { .title = u"units"_s, .minimumTop = 10, .integer = true },
        .series = {
            { u"remaining"_s, &Theme::remaining,
                [](const TickSample &x) { return x.store ? Value(double(x.store->stockRemaining)) : Value(); } },
            { u"sold"_s, &Theme::sold, [](const TickSample &x) { return x.store ? Value(double(x.store->sold)) : Value(); } },
        },
        .titleText = [](const Snapshot &s) -> QString {
            const TickSample x = lastTick(s);
            if (x.store && x.store->stockRemaining == 0 && s.store && s.store->stockInitial > 0) {
                const std::optional<double> at = soldOutAt(s);
                return at ? u"Stock · sold out at "_s + QString::number(*at, 'f', 1) + u" s"_s : u"Stock · sold out"_s;
            }
            return u"Stock · "_s + countText(x.store->stockRemaining) + u" left"_s;
        },
        .dataMarkers = sellOutMarkers,
    });
    specs.push_back({
        .key = u"oversold"_s,
        .title = u"OVERSOLD"_s,
        .page = 0,
        .stretch = 3, // a single number to show: a little narrower
        .left = { .title = u"units"_s, .minimumTop = 10, .integer = true },
        .right = { .title = u"false sold-out"_s, .minimumTop = 10, .integer = true },
        .series = {
            { .name = u"oversold"_s, .color = &Theme::oversold,
                .value = [](const TickSample &x) { return x.store ? Value(double(x.store->oversold)) : Value(); },
                .widthFactor = 1.6 },
            // sharded: "sold out" while other buckets still hold units; shown once it happened
            { .name = u"false sold-out"_s, .color = &Theme::soldOut,
                .value = [](const TickSample &x) { return x.store ? Value(double(x.store->falseSoldOut)) : Value(); },
                .axis = Axis::Right, .inUse = falseSoldOutInRun },
        },
        .wide = falseSoldOutInRun,
        .titleText = [](const Snapshot &s) -> QString {
            const TickSample x = lastTick(s);
            QString t = u"OVERSOLD · "_s + groupedNumber(x.store->oversold);
            if (x.store->falseSoldOut > 0)
                t += u" · false sold-out "_s + countText(x.store->falseSoldOut);
            return t;
        },
        .alarm = [](const Snapshot &s) { return lastTick(s).store->oversold > 0; },
    });
    specs.push_back({
        .key = u"lock"_s,
        .title = u"Row lock & utilisation"_s,
        .page = 0,
        .left = { .title = u"lock wait"_s, .kind = AxisKind::Milliseconds, .minimumTop = 0.1 },
        .right = { .title = u"busy"_s, .kind = AxisKind::Percent, .fixed = std::pair { 0.0, 100.0 } },
        .series = {
            { u"lock wait"_s, &Theme::lockWait,
                [](const TickSample &x) { return x.store ? Value(x.store->lockWaitMeanMs) : Value(); } },
            { u"utilisation"_s, &Theme::utilisation,
                [](const TickSample &x) { return x.app ? Value(x.app->utilisation * 100) : Value(); }, Axis::Right },
        },
        .titleText = [](const Snapshot &s) -> QString {
            return u"Lock wait & busy · "_s + QString::number(std::lround(lastTick(s).app->utilisation * 100)) + u" %"_s;
        },
    });

    // ---------------------------------------------------------------- cache & queue
    specs.push_back({
        .key = u"hits"_s,
        .title = u"Cache hit ratio"_s,
        .page = 1,
        .left = { .title = u"hit ratio"_s, .kind = AxisKind::Percent, .fixed = std::pair { 0.0, 100.0 } },
        .right = { .title = u"reads/s"_s },
        .series = {
            // no lookups in a tick: no hit ratio to draw (a gap reads better than a fall to 0)
            { .name = u"hit %"_s, .color = &Theme::hitRatio,
                .value = [](const TickSample &x) {
                    return x.cache && x.cache->viewHits + x.cache->viewMisses > 0 ? Value(x.cache->hitRatio * 100) : Value();
                },
                .widthFactor = 1.3 },
            { u"store reads"_s, &Theme::storeReads,
                [](const TickSample &x) { return x.cache ? Value(x.cache->storeReads) : Value(); }, Axis::Right },
        },
        .inUse = readsInUse,
        .titleText = [](const Snapshot &s) -> QString {
            const TickSample x = lastTick(s);
            const bool lookups = x.cache->viewHits + x.cache->viewMisses > 0;
            QString t = u"Hit ratio · "_s + (lookups ? percentText(x.cache->hitRatio) : u"no reads"_s);
            // rehash: how much of the key space the last cache change moved
            if (s.cache->cacheChanges > 0)
                t += u" · moved "_s + percentText(s.cache->keysMovedLast);
            return t;
        },
        .keysMoved = true,
    });
    specs.push_back({
        .key = u"orders"_s,
        .title = u"Orders in & persisted"_s,
        .page = 1,
        .left = { .title = u"orders/s"_s },
        .series = {
            { u"queued"_s, &Theme::enqueued, [](const TickSample &x) { return x.queue ? Value(x.queue->enqueued) : Value(); } },
            { u"persisted"_s, &Theme::dequeued,
                [](const TickSample &x) { return x.queue ? Value(x.queue->dequeued) : Value(); } },
        },
        .inUse = queueInUse,
        .titleText = [](const Snapshot &s) -> QString {
            const TickSample x = lastTick(s);
            return u"In "_s + compactRate(x.queue->enqueued) + u" · out "_s + compactRate(x.queue->dequeued);
        },
    });
    specs.push_back({
        .key = u"backlog"_s,
        .title = u"Queue backlog & lag"_s,
        .page = 1,
        .left = { .title = u"orders"_s, .integer = true },
        .right = { .title = u"lag"_s, .kind = AxisKind::Milliseconds, .minimumTop = 10 },
        .series = {
            { u"backlog"_s, &Theme::queueBacklog,
                [](const TickSample &x) { return x.queue ? Value(double(x.queue->queueBacklog)) : Value(); } },
            // a lag is never below 0 (the engine's tick can see an order younger than its clock)
            { u"lag"_s, &Theme::queueLag,
                [](const TickSample &x) { return x.queue ? Value(std::max(0.0, x.queue->queueLagMs)) : Value(); },
                Axis::Right },
        },
        .inUse = queueInUse,
        .titleText = [](const Snapshot &s) -> QString {
            const TickSample x = lastTick(s);
            return u"Backlog · "_s + countText(x.queue->queueBacklog) + u" · lag "_s
                + durationMs(std::max(0.0, x.queue->queueLagMs));
        },
    });
    specs.push_back({
        .key = u"divergence"_s,
        .title = u"Cache vs store stock"_s,
        .page = 1,
        .left = { .title = u"units"_s, .integer = true },
        // the gap goes below 0 while orders wait, above when a counter was reset: 0 in the middle
        .right = { .title = u"gap"_s, .symmetric = true, .integer = true },
        .series = {
            // the cache's idea of the stock: the store's plus the gap of the counters that exist
            { u"cache"_s, &Theme::cacheStock,
                [](const TickSample &x) {
                    return counterKnown(x) ? Value(double(x.store->stockRemaining + x.cache->divergence)) : Value();
                } },
            // the store always knows its stock, counter or not
            { u"store"_s, &Theme::storeStock,
                [](const TickSample &x) { return x.store ? Value(double(x.store->stockRemaining)) : Value(); } },
            { .name = u"gap"_s, .color = &Theme::divergence,
                .value = [](const TickSample &x) { return counterKnown(x) ? Value(double(x.cache->divergence)) : Value(); },
                .axis = Axis::Right, .widthFactor = 1.3 },
        },
        .inUse = queueInUse,
        .titleText = [](const Snapshot &s) -> QString {
            const TickSample x = lastTick(s);
            if (!s.recent.empty() && !counterKnown(x))
                return u"Cache − store · counter lost"_s;
            return u"Cache − store · "_s + groupedNumber(x.cache->divergence);
        },
    });
    specs.push_back({
        .key = u"anomalies"_s,
        .title = u"Stale reads & duplicates"_s,
        .page = 1,
        .left = { .title = u"stale/s"_s },
        .right = { .title = u"duplicates"_s, .minimumTop = 10, .integer = true },
        .series = {
            { u"stale"_s, &Theme::staleReads, [](const TickSample &x) { return x.cache ? Value(x.cache->staleReads) : Value(0.0); } },
            { .name = u"duplicates"_s, .color = &Theme::duplicates,
                .value = [](const TickSample &x) { return x.queue ? Value(double(x.queue->duplicatesTotal)) : Value(0.0); },
                .axis = Axis::Right, .widthFactor = 1.6 },
        },
        .titleText = [](const Snapshot &s) -> QString {
            const TickSample x = lastTick(s);
            return u"Stale "_s + compactRate(x.cache->staleReads) + u" · duplicates "_s
                + groupedNumber(x.queue->duplicatesTotal);
        },
        .alarm = [](const Snapshot &s) { return lastTick(s).queue->duplicatesTotal > 0; },
    });
    appendFanoutSpecs(specs);
    return specs;
}

} // namespace

const std::vector<ChartSpec> &chartSpecs()
{
    static const std::vector<ChartSpec> specs = makeSpecs();
    return specs;
}

bool counterKnown(const TickSample &x)
{
    if (!x.cache || !x.store)
        return false;
    // No counter summed: both read 0 while the store still holds units.
    return !(x.cache->cacheStock == 0 && x.cache->divergence == 0 && x.store->stockRemaining > 0);
}

ChartMarker chartMarkerFor(const Marker &m, bool keysMoved)
{
    ChartMarker c = chartMarker(m);
    if (keysMoved) {
        static const QRegularExpression moved(u"(\\d+ %) of keys moved"_s);
        const QRegularExpressionMatch match = moved.match(QString::fromStdString(m.label));
        if (match.hasMatch())
            c.label += u" · "_s + match.captured(1) + u" moved"_s;
    }
    return c;
}

} // namespace stampede::ui
