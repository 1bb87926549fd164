#include "rss.h"

#include <algorithm>
#include <fstream>

#include <unistd.h>

namespace stampede::soak {

namespace {

double median(std::vector<double> v)
{
    if (v.empty())
        return 0;
    std::sort(v.begin(), v.end());
    const std::size_t n = v.size();
    return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

} // namespace

double residentMb()
{
    std::ifstream statm("/proc/self/statm");
    long long size = 0, resident = 0;
    if (!(statm >> size >> resident))
        return 0;
    return double(resident) * double(sysconf(_SC_PAGESIZE)) / (1024.0 * 1024.0);
}

double RssTrack::warmupFor(double durationS) { return std::clamp(durationS * 0.2, 30.0, 300.0); }

RssTrack::Verdict RssTrack::verdict(double durationS) const
{
    Verdict v;
    v.warmupS = warmupFor(durationS);
    v.samples = int(m_samples.size());
    if (m_samples.empty())
        return v;
    v.startMb = m_samples.front().mb;
    v.lastMb = m_samples.back().mb;
    for (const Sample &s : m_samples)
        v.peakMb = std::max(v.peakMb, s.mb);

    std::vector<Sample> after;
    for (const Sample &s : m_samples)
        if (s.t >= v.warmupS)
            after.push_back(s);
    v.judged = durationS >= kMinJudgedS && after.size() >= 4;
    if (after.size() < 2) {
        v.warmMb = v.endMb = v.lastMb;
        return v;
    }
    const std::size_t q = std::max<std::size_t>(1, after.size() / 4);
    std::vector<double> first, lastQ;
    for (std::size_t i = 0; i < q; ++i) {
        first.push_back(after[i].mb);
        lastQ.push_back(after[after.size() - 1 - i].mb);
    }
    v.warmMb = median(first);
    v.endMb = median(lastQ);
    v.growthMb = v.endMb - v.warmMb;

    double mt = 0, mm = 0;
    for (const Sample &s : after) {
        mt += s.t;
        mm += s.mb;
    }
    mt /= double(after.size());
    mm /= double(after.size());
    double num = 0, den = 0;
    for (const Sample &s : after) {
        num += (s.t - mt) * (s.mb - mm);
        den += (s.t - mt) * (s.t - mt);
    }
    v.slopeMbPer10Min = den > 0 ? num / den * 600 : 0;
    v.flat = !v.judged || v.growthMb <= v.toleranceMb;
    return v;
}

} // namespace stampede::soak
