#include "handoutrender.h"

#include "chartspanel.h"
#include "chartspec.h"
#include "exporter.h"
#include "livechart.h"
#include "theme.h"
#include "tiers.h"

#include <QCoreApplication>
#include <QLayout>
#include <QRegularExpression>

#include <algorithm>
#include <cmath>

using namespace Qt::StringLiterals;

namespace stampede::ui {

namespace {

// A tick or marker at `t` belongs to the moment t (the run's times carry rounding).
constexpr double kEpsilonS = 1e-6;

// The pages whose charts the handout shows for this snapshot, in the window's order.
std::vector<int> pagesFor(WorkloadKind workload, const Snapshot &s)
{
    if (workload == WorkloadKind::Fanout)
        return { ChartsPanel::FanoutPage };
    // The window opens one of the two pages; on paper both are there, the second once it has
    // something to show (a cache-queue run also oversells or not, and queues its orders).
    std::vector<int> pages { ChartsPanel::FlashSalePage };
    if (readsInUse(s) || queueInUse(s))
        pages.push_back(ChartsPanel::CacheQueuePage);
    return pages;
}

} // namespace

double handoutMoment(const LessonStep &step, const StepOutcome &outcome, double opensAtS)
{
    const double end = opensAtS + step.forS;
    if (step.checks.empty())
        return end;
    double latest = -1;
    for (std::size_t c = 0; c < step.checks.size(); ++c) {
        const double at = c < outcome.metAtS.size() ? outcome.metAtS[c] : -1;
        if (at < 0)
            return end;
        latest = std::max(latest, at);
    }
    return latest;
}

Snapshot snapshotAt(const RunResult &result, const EngineConfig &config, double t)
{
    // The run's sections as it left them, then brought back to what they said at t.
    Snapshot s = result.final;
    const double until = t + kEpsilonS;
    const auto &timeline = result.timeline;
    const auto end
        = std::find_if(timeline.begin(), timeline.end(), [until](const TickSample &x) { return x.t > until; });
    const auto begin = end - std::min<std::ptrdiff_t>(end - timeline.begin(), std::ptrdiff_t(kRecentTicks));
    s.recent.assign(begin, end);
    s.latest = s.recent.empty() ? TickSample {} : s.recent.back();
    s.t = s.recent.empty() ? std::max(0.0, t) : s.recent.back().t;
    s.seq = std::uint64_t(end - timeline.begin()) + 1;
    s.paused = false;
    s.running = true;

    const double from = s.recent.empty() ? 0 : s.recent.front().t - kTickSeconds;
    s.markers.clear();
    for (const Marker &m : result.markers)
        if (m.t <= until && m.t >= from - kEpsilonS)
            s.markers.push_back(m);

    // Commands up to t: the strategy and the read mix then.
    Strategy strategy = config.strategy;
    double readRatio = config.traffic.readRatio;
    for (const TimedEvent &e : result.applied) {
        if (e.atS > until)
            continue;
        if (e.kind == EventKind::SwitchStrategy)
            strategy = e.strategy;
        else if (e.kind == EventKind::SetReadRatio)
            readRatio = e.ratio;
    }
    // Run totals up to t that decide which charts are in use.
    double views = 0, enqueued = 0;
    for (auto it = timeline.begin(); it != end; ++it) {
        views += it->cache->views * kTickSeconds;
        enqueued += it->queue->enqueued * kTickSeconds;
    }

    if (s.store)
        s.store->strategy = strategy;
    if (s.cache) {
        s.cache->readRatio = readRatio;
        s.cache->views = std::llround(views);
        // the cache changes so far, as their markers tell them ("…: 33 % of keys moved")
        static const QRegularExpression moved(u"(\\d+) % of keys moved"_s);
        int changes = 0;
        double last = 0;
        for (const Marker &m : result.markers) {
            if (m.t > until)
                continue;
            const QRegularExpressionMatch match = moved.match(QString::fromStdString(m.label));
            if (match.hasMatch()) {
                ++changes;
                last = match.captured(1).toDouble() / 100;
            }
        }
        s.cache->cacheChanges = changes;
        s.cache->keysMovedLast = last;
    }
    if (s.queue) {
        s.queue->enqueued = std::llround(enqueued);
        if (s.queue->enqueued == 0 && strategy != Strategy::CacheQueue) {
            s.queue->partitions.clear(); // not used yet: the engine lists none then
            s.queue->consumers.clear();
        }
    }
    if (s.fanout) {
        std::vector<TrackedPostView> tracked;
        const TickSample &last = s.latest;
        for (TrackedPostView p : s.fanout->tracked) {
            if (p.runAtS > until)
                continue;
            if (last.fanout && p.post == last.fanout->trackedPost && p.followers > 0)
                p.delivered = std::min<std::int64_t>(std::int64_t(p.followers),
                    std::llround(std::clamp(last.fanout->visible, 0.0, 1.0) * double(p.followers)));
            tracked.push_back(p);
        }
        s.fanout->tracked = std::move(tracked);
    }
    return s;
}

HandoutCharts::HandoutCharts(const EngineConfig &config, double runLengthS)
    : m_panel(std::make_unique<ChartsPanel>())
    , m_workload(config.workload)
{
    // Laid out and painted like a shown window (resize events, Qt Charts' layout), never on a
    // screen: whatever the platform, nothing flashes up.
    m_panel->setAttribute(Qt::WA_DontShowOnScreen);
    m_panel->applyTheme(Theme::make(false, false));
    m_panel->setWorkload(config.workload);
    m_panel->setRunLength(runLengthS);
    for (LiveChart *c : m_panel->charts())
        c->setFixedSize(kLogicalSize);
    // the window's size constraints before it exists (a platform that cannot take them later,
    // offscreen, would warn)
    m_panel->layout()->activate();
    m_panel->show();
}

HandoutCharts::~HandoutCharts() = default;

void HandoutCharts::setRunLength(double seconds) { m_panel->setRunLength(seconds); }

QStringList HandoutCharts::chartKeys(const Snapshot &s) const
{
    QStringList keys;
    const std::vector<ChartSpec> &specs = chartSpecs();
    for (const int page : pagesFor(m_workload, s))
        for (const ChartSpec &spec : specs)
            if (spec.page == page && (!spec.inUse || spec.inUse(s)))
                keys << spec.key;
    return keys;
}

std::vector<QImage> HandoutCharts::render(const Snapshot &s)
{
    m_panel->showSnapshot(s);
    std::vector<QImage> images;
    const QStringList keys = chartKeys(s);
    for (const int page : pagesFor(m_workload, s)) {
        m_panel->setPage(page); // the page's charts become visible: laid out at their size
        // Qt Charts lays out titles, axes and legends in posted events: without them the picture
        // would show the previous ones
        for (int pass = 0; pass < 2; ++pass)
            QCoreApplication::sendPostedEvents(nullptr, QEvent::LayoutRequest);
        for (LiveChart *c : m_panel->charts())
            if (m_panel->pageOf(c) == page && keys.contains(c->key()))
                images.push_back(exporter::renderWidget(c, kPixelRatio).convertToFormat(QImage::Format_RGB32));
    }
    return images;
}

} // namespace stampede::ui
