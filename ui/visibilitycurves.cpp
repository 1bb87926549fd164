#include "visibilitycurves.h"

#include "metrics.h"

#include <algorithm>
#include <cmath>

namespace stampede::ui {

void VisibilityCurves::clear()
{
    m_curves = {};
    m_started = 0;
    m_newest = -1;
    m_lastT = -1;
}

const VisibilityCurves::Curve *VisibilityCurves::curve(int slot) const
{
    if (slot < 0 || slot >= kCurves)
        return nullptr;
    const Curve &c = m_curves[std::size_t(slot)];
    return c.number > 0 ? &c : nullptr;
}

const VisibilityCurves::Curve *VisibilityCurves::newest() const { return curve(m_newest); }

VisibilityCurves::Curve &VisibilityCurves::start(std::uint32_t post, double tickT, const Snapshot &s)
{
    const int slot = m_started % kCurves;
    Curve &c = m_curves[std::size_t(slot)];
    c = Curve {};
    c.post = post;
    c.number = ++m_started;
    // the engine's time of the post; a post older than the engine's tracked list started no
    // later than the first tick that named it
    c.runAtS = tickT;
    if (s.fanout)
        for (const TrackedPostView &p : s.fanout->tracked)
            if (p.post == post) {
                c.runAtS = std::min(p.runAtS, tickT);
                c.pulled = p.pulled;
            }
    c.points.reserve(kPoints);
    c.points.append({ 0, c.pulled ? 100.0 : 0.0 });
    m_newest = slot;
    return c;
}

void VisibilityCurves::follow(const Snapshot &s)
{
    const auto &recent = s.recent;
    if (recent.empty()) {
        if (s.t + 1e-9 < m_lastT) // reset: the clock went back to 0
            clear();
        return;
    }
    if (recent.back().t + 1e-9 < m_lastT)
        clear();
    for (const TickSample &x : recent) {
        if (x.t <= m_lastT + 1e-9 || !x.fanout || x.fanout->trackedPost == 0)
            continue;
        const std::uint32_t post = x.fanout->trackedPost;
        Curve *c = nullptr;
        for (Curve &k : m_curves)
            if (k.number > 0 && k.post == post)
                c = &k;
        if (!c)
            c = &start(post, x.t, s);
        if (c->points.size() >= kPoints)
            continue;
        const double since = std::max(0.0, x.t - c->runAtS);
        const double visible = std::clamp(x.fanout->visible, 0.0, 1.0) * 100;
        c->points.append({ since, visible });
        if (c->fullAfterS < 0 && visible >= 100 - 1e-9)
            c->fullAfterS = c->pulled ? 0.0 : since;
    }
    m_lastT = recent.back().t;
}

double VisibilityCurves::span() const
{
    double need = 0;
    for (const Curve &c : m_curves) {
        if (c.number == 0)
            continue;
        need = std::max(need, c.fullAfterS >= 0 ? c.fullAfterS : c.points.constLast().x());
    }
    need *= 1.15; // room after the slowest 100 %
    for (const double step : { 2.0, 3.0, 4.0, 5.0, 6.0, 8.0, 10.0, 15.0, 20.0, 30.0, 45.0 })
        if (need <= step)
            return std::max(step, kMinSpanS);
    return kMaxSpanS;
}

std::optional<double> VisibilityCurves::crossing(const Curve &curve, double percent)
{
    const QList<QPointF> &p = curve.points;
    for (qsizetype i = 0; i < p.size(); ++i) {
        if (p[i].y() + 1e-9 < percent)
            continue;
        if (i == 0 || p[i].y() <= p[i - 1].y())
            return p[i].x();
        const double f = (percent - p[i - 1].y()) / (p[i].y() - p[i - 1].y());
        return p[i - 1].x() + f * (p[i].x() - p[i - 1].x());
    }
    return std::nullopt;
}

} // namespace stampede::ui
