#pragma once

// The visibility curves of the fan-out: for each celebrity post, the share of her followers that
// can see it (0..100 %) against the seconds since she posted, one curve per post, the last
// kCurves kept. Fed every snapshot; it takes the ticks it has not seen yet (a tick names the
// newest tracked post, and a new id starts a new curve), and starts over when the run's clock
// goes back (a reset, another run). Each curve holds at most kPoints points: memory is fixed
// however long the session.

#include <QList>
#include <QPointF>

#include <array>
#include <cstdint>
#include <optional>

namespace stampede {
struct Snapshot;
}

namespace stampede::ui {

class VisibilityCurves {
public:
    static constexpr int kCurves = 4;
    static constexpr int kPoints = 640; // 64 s after a post at one point per 100 ms tick
    static constexpr double kMinSpanS = 2, kMaxSpanS = 60;

    struct Curve {
        std::uint32_t post = 0;
        int number = 0; // 1 for the run's first celebrity post, 2 for the next, …
        double runAtS = 0; // when it was posted (run time)
        bool pulled = false; // visible to all at once
        double fullAfterS = -1; // seconds from the post to 100 %, -1 while short of it
        QList<QPointF> points; // (seconds since the post, % of followers)
    };

    void follow(const Snapshot &s);
    void clear();

    // The curve drawn as series `slot` (a post keeps its slot, and so its colour, while kept);
    // nullptr when the slot is empty.
    const Curve *curve(int slot) const;
    const Curve *newest() const;
    // The seconds the time axis shows: the slowest kept curve's time to 100 % (or its age while
    // it climbs) with some room, in whole steps, between kMinSpanS and kMaxSpanS.
    double span() const;
    // When `curve` first reached `percent`, in seconds since its post (between two ticks, on the
    // line between them); nothing while it has not.
    static std::optional<double> crossing(const Curve &curve, double percent);

private:
    Curve &start(std::uint32_t post, double tickT, const Snapshot &s);

    std::array<Curve, kCurves> m_curves {};
    int m_started = 0; // curves started since the last clear
    int m_newest = -1;
    double m_lastT = -1;
};

} // namespace stampede::ui
