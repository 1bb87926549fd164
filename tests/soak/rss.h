#pragma once

// Resident memory over the run, and whether it stayed flat. Samples come from /proc/self/statm
// (the monkey takes one a second, and one at each checkpoint: the verdict's). The first part of the run is warm-up
// (fonts, pixmap and glyph caches, the first chart pages, the engine's pools all fill once); after it the median of the
// last quarter of the samples may exceed the median of the first quarter by at most kToleranceMb.
//
// Why a fixed budget and not a percentage: a leak grows with the run, so a fixed budget gets
// stricter the longer the run, and an hour-long soak catches a slow leak that two minutes miss.
// 4 MB is well under DESIGN.md's "flat (≤ 10 MB growth) over a 10-minute run" and well above
// what a bounded cache moves by once it is full. Medians of quarters, not the first and last
// samples, so that one allocator trim or one burst (a 2× screenshot) decides nothing.

#include <vector>

namespace stampede::soak {

// Resident set size of this process in MB (MiB), 0 when /proc is unreadable.
double residentMb();

class RssTrack {
public:
    static constexpr double kToleranceMb = 4.0;
    // Shorter runs are not judged: for the first minutes caches and pools are still filling (a
    // 2-minute run grew 7 MB between its checkpoints while a 16-minute one was flat after 400 s),
    // so a short run could only fail at random. DESIGN.md's memory target is a 10-minute run.
    static constexpr double kMinJudgedS = 600;

    // Warm-up: 20 % of the run, at least 30 s and at most 5 minutes.
    static double warmupFor(double durationS);

    void sample(double atS, double mb) { m_samples.push_back({ atS, mb }); }
    bool empty() const { return m_samples.empty(); }
    double last() const { return m_samples.empty() ? 0 : m_samples.back().mb; }

    struct Verdict {
        bool judged = false; // the run was long enough
        bool flat = true;
        double startMb = 0; // the first sample
        double warmMb = 0; // median of the first quarter after warm-up
        double endMb = 0; // median of the last quarter
        double lastMb = 0;
        double peakMb = 0;
        double growthMb = 0; // endMb − warmMb
        double slopeMbPer10Min = 0; // least squares over the samples after warm-up
        double warmupS = 0;
        double toleranceMb = kToleranceMb;
        int samples = 0;
    };
    Verdict verdict(double durationS) const;

    struct Sample {
        double t = 0;
        double mb = 0;
    };
    const std::vector<Sample> &samples() const { return m_samples; }

private:
    std::vector<Sample> m_samples;
};

} // namespace stampede::soak
