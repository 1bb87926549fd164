#include "benchreport.h"

#include <QDir>
#include <QFile>
#include <QJsonArray>
#include <QSysInfo>
#include <QTextStream>

#include <boost/version.hpp>

#include <algorithm>
#include <array>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <thread>

#include <unistd.h>

using namespace Qt::StringLiterals;

#ifndef STAMPEDE_BENCH_BUILD_TYPE
#define STAMPEDE_BENCH_BUILD_TYPE ""
#endif

namespace stampede::bench {

QString toString(Verdict v)
{
    switch (v) {
    case Verdict::Info:
        return u"-"_s;
    case Verdict::Pass:
        return u"pass"_s;
    case Verdict::Miss:
        return u"MISS"_s;
    case Verdict::Skipped:
        return u"skipped"_s;
    case Verdict::Error:
        return u"ERROR"_s;
    case Verdict::ProbeOk:
        return u"ok"_s;
    case Verdict::ProbeOut:
        return u"out"_s;
    }
    return u"?"_s;
}

Verdict judge(double value, double target, bool lowerIsBetter)
{
    if (!std::isfinite(value))
        return Verdict::Miss;
    return (lowerIsBetter ? value <= target : value >= target) ? Verdict::Pass : Verdict::Miss;
}

QString formatRate(double perSecond)
{
    if (!std::isfinite(perSecond))
        return u"n/a"_s;
    if (perSecond >= 1e6)
        return QString::number(perSecond / 1e6, 'f', 2) + u" M/s"_s;
    if (perSecond >= 1e3)
        return QString::number(perSecond / 1e3, 'f', 1) + u" k/s"_s;
    return QString::number(perSecond, 'f', 0) + u" /s"_s;
}

QString formatMs(double ms)
{
    if (!std::isfinite(ms))
        return u"n/a"_s;
    return QString::number(ms, 'f', ms < 10 ? 3 : 1) + u" ms"_s;
}

QString formatMb(double mb) { return QString::number(mb, 'f', 1) + u" MB"_s; }

QString formatRatio(double x)
{
    if (!std::isfinite(x))
        return u"n/a"_s;
    return QString::number(x, 'f', x < 10 ? 2 : 1) + u" x"_s;
}

namespace {

QString readFile(const QString &path)
{
    QFile f(path);
    if (!f.open(QIODevice::ReadOnly))
        return {};
    return QString::fromUtf8(f.readAll());
}

QString compilerVersion()
{
#if defined(__clang__)
    return u"clang "_s + QString::fromLatin1(__clang_version__);
#elif defined(__GNUC__)
    return u"GCC "_s + QString::fromLatin1(__VERSION__);
#else
    return u"unknown"_s;
#endif
}

} // namespace

QString loadAverage()
{
    const QStringList parts = readFile(u"/proc/loadavg"_s).split(u' ', Qt::SkipEmptyParts);
    return parts.size() >= 3 ? parts.mid(0, 3).join(u' ') : QString();
}

MachineInfo collectMachineInfo()
{
    MachineInfo m;
    const QString cpuinfo = readFile(u"/proc/cpuinfo"_s);
    for (const QString &line : cpuinfo.split(u'\n')) {
        if (line.startsWith(u"processor"_s))
            ++m.logicalCpus;
        if (m.cpuModel.isEmpty() && line.startsWith(u"model name"_s))
            m.cpuModel = line.section(u':', 1).trimmed();
    }
    m.hardwareConcurrency = static_cast<int>(std::thread::hardware_concurrency());
    m.kernel = QSysInfo::kernelType() + u' ' + QSysInfo::kernelVersion();
    m.os = QSysInfo::prettyProductName();
    m.compiler = compilerVersion();
    m.buildType = QString::fromLatin1(STAMPEDE_BENCH_BUILD_TYPE);
#if defined(__OPTIMIZE__) && defined(NDEBUG)
    m.optimized = true;
#endif
    m.qtVersion = QString::fromLatin1(qVersion());
    m.boostVersion = QString::fromLatin1(BOOST_LIB_VERSION).replace(u'_', u'.');
    for (const QString &line : readFile(u"/proc/meminfo"_s).split(u'\n')) {
        if (line.startsWith(u"MemTotal:"_s)) {
            const QStringList p = line.split(u' ', Qt::SkipEmptyParts);
            if (p.size() >= 2)
                m.memTotalGb = p[1].toDouble() / 1024.0 / 1024.0;
        }
    }
    m.loadAverageAtStart = loadAverage();
    return m;
}

QJsonObject toJson(const MachineInfo &m)
{
    return QJsonObject {
        { u"cpu_model"_s, m.cpuModel },
        { u"logical_cpus"_s, m.logicalCpus },
        { u"hardware_concurrency"_s, m.hardwareConcurrency },
        { u"kernel"_s, m.kernel },
        { u"os"_s, m.os },
        { u"compiler"_s, m.compiler },
        { u"build_type"_s, m.buildType },
        { u"optimized"_s, m.optimized },
        { u"qt"_s, m.qtVersion },
        { u"boost"_s, m.boostVersion },
        { u"mem_total_gb"_s, std::round(m.memTotalGb * 10) / 10 },
        { u"load_average_at_start"_s, m.loadAverageAtStart },
    };
}

QString formatTable(const std::vector<Row> &rows)
{
    const std::array<QString, 5> header { u"row"_s, u"measured"_s, u"target"_s, u"result"_s, u"note"_s };
    std::array<qsizetype, 5> width {};
    for (std::size_t i = 0; i < header.size(); ++i)
        width[i] = header[i].size();
    auto cells = [](const Row &r) {
        return std::array<QString, 5> { r.name, r.measured, r.target.isEmpty() ? u"-"_s : r.target, toString(r.verdict),
            r.note };
    };
    for (const Row &r : rows) {
        const auto c = cells(r);
        for (std::size_t i = 0; i < 4; ++i) // the note is last and not padded
            width[i] = std::max(width[i], c[i].size());
    }
    QString out;
    auto line = [&](const std::array<QString, 5> &c) {
        QString l;
        for (std::size_t i = 0; i < c.size(); ++i) {
            if (i == 1) // numbers right-aligned
                l += c[i].rightJustified(width[i]);
            else if (i + 1 < c.size())
                l += c[i].leftJustified(width[i]);
            else
                l += c[i];
            if (i + 1 < c.size())
                l += u"  "_s;
        }
        while (l.endsWith(u' '))
            l.chop(1);
        out += l + u'\n';
    };
    line(header);
    qsizetype total = 0;
    for (std::size_t i = 0; i < 4; ++i)
        total += width[i] + 2;
    out += QString(total + 4, u'-') + u'\n';
    QString section;
    for (const Row &r : rows) {
        if (!section.isEmpty() && r.section != section)
            out += u'\n';
        section = r.section;
        line(cells(r));
    }
    return out;
}

QJsonObject toJson(const Row &r)
{
    QJsonObject o = r.extra;
    o.insert(u"section"_s, r.section);
    o.insert(u"row"_s, r.name);
    o.insert(u"value"_s, r.value ? QJsonValue(*r.value) : QJsonValue());
    o.insert(u"unit"_s, r.unit);
    o.insert(u"measured"_s, r.measured);
    o.insert(u"target"_s, r.target.isEmpty() ? QJsonValue() : QJsonValue(r.target));
    o.insert(u"result"_s, toString(r.verdict));
    if (!r.note.isEmpty())
        o.insert(u"note"_s, r.note);
    return o;
}

CpuSample cpuSample()
{
    CpuSample c;
    c.wallS = std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch()).count();
    const QDir tasks(u"/proc/self/task"_s);
    for (const QString &tid : tasks.entryList(QDir::Dirs | QDir::NoDotAndDotDot)) {
        // "<ns on cpu> <ns waiting on a runqueue> <timeslices>"
        const QStringList p = readFile(u"/proc/self/task/"_s + tid + u"/schedstat"_s).split(u' ', Qt::SkipEmptyParts);
        if (p.size() >= 2) {
            c.processCpuS += p[0].toDouble() * 1e-9;
            c.processWaitS += p[1].toDouble() * 1e-9;
        }
    }
    const QString stat = readFile(u"/proc/stat"_s);
    const QStringList f = stat.left(stat.indexOf(u'\n')).split(u' ', Qt::SkipEmptyParts);
    if (f.size() >= 9 && f[0] == u"cpu"_s) {
        const double hz = static_cast<double>(::sysconf(_SC_CLK_TCK));
        // user nice system idle iowait irq softirq steal
        const double busy = f[1].toDouble() + f[2].toDouble() + f[3].toDouble() + f[6].toDouble() + f[7].toDouble();
        c.systemBusyS = busy / hz;
        c.systemStealS = f[8].toDouble() / hz;
    }
    return c;
}

CpuUse cpuUse(const CpuSample &a, const CpuSample &b)
{
    CpuUse u;
    const double dt = b.wallS - a.wallS;
    if (dt <= 0)
        return u;
    u.processCores = (b.processCpuS - a.processCpuS) / dt;
    u.waitCores = (b.processWaitS - a.processWaitS) / dt;
    u.otherCores = std::max(0.0, (b.systemBusyS - a.systemBusyS) / dt - u.processCores);
    u.stealCores = (b.systemStealS - a.systemStealS) / dt;
    return u;
}

QJsonObject toJson(const CpuUse &u)
{
    auto r = [](double v) { return std::round(v * 100) / 100; };
    return QJsonObject { { u"process_cores"_s, r(u.processCores) }, { u"runqueue_wait_cores"_s, r(u.waitCores) },
        { u"other_processes_cores"_s, r(u.otherCores) }, { u"steal_cores"_s, r(u.stealCores) } };
}

QString describe(const CpuUse &u)
{
    return u"cpu: bench %1, waiting %2, others %3 cores"_s.arg(u.processCores, 0, 'f', 2)
        .arg(u.waitCores, 0, 'f', 2)
        .arg(u.otherCores, 0, 'f', 2);
}

void progress(const QString &line)
{
    std::fprintf(stderr, "%s\n", line.toLocal8Bit().constData());
    std::fflush(stderr);
}

double residentMb()
{
    const QString status = readFile(u"/proc/self/status"_s);
    for (const QString &line : status.split(u'\n')) {
        if (line.startsWith(u"VmRSS:"_s)) {
            const QStringList p = line.split(u' ', Qt::SkipEmptyParts);
            if (p.size() >= 2)
                return p[1].toDouble() / 1024.0;
        }
    }
    return 0;
}

} // namespace stampede::bench
