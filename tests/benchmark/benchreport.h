#pragma once

// Rows of the benchmark's result: what was measured, the target it is held against and the
// verdict. The same rows are printed as an aligned table and written as JSON with a
// description of the machine.

#include <QJsonObject>
#include <QString>
#include <QStringList>

#include <optional>
#include <vector>

namespace stampede::bench {

// Pass/Miss: against a target. ProbeOk/ProbeOut: one probe of a search (not a target itself).
enum class Verdict { Info, Pass, Miss, Skipped, Error, ProbeOk, ProbeOut };
QString toString(Verdict v);

struct Row {
    QString section; // raw, engine, modeled, efficiency, fanout, redis, window, memory
    QString name; // e.g. "engine atomic, closed-loop max"
    std::optional<double> value; // in `unit`; empty when skipped
    QString unit; // "attempts/s", "ms", "MB", "x", ...
    QString measured; // value formatted for people
    QString target; // e.g. ">= 10 M/s"; empty for information rows
    Verdict verdict = Verdict::Info;
    QString note; // short, printed in the table
    QJsonObject extra; // anything else for the JSON
};

// Verdict of `value >= target` (or `<=` when lowerIsBetter).
Verdict judge(double value, double target, bool lowerIsBetter = false);

// 12.34 M/s, 456.7 k/s, 950 /s
QString formatRate(double perSecond);
QString formatMs(double ms);
QString formatMb(double mb);
QString formatRatio(double x);

struct MachineInfo {
    QString cpuModel;
    int logicalCpus = 0; // processors listed in /proc/cpuinfo
    int hardwareConcurrency = 0;
    QString kernel;
    QString os;
    QString compiler;
    QString buildType;
    bool optimized = false; // compiled with optimisation and NDEBUG
    QString qtVersion;
    QString boostVersion;
    double memTotalGb = 0;
    QString loadAverageAtStart;
};

MachineInfo collectMachineInfo();
QJsonObject toJson(const MachineInfo &m);
QString loadAverage();

// The aligned table: row | measured | target | result | note.
QString formatTable(const std::vector<Row> &rows);
QJsonObject toJson(const Row &r);

// CPU accounting, to tell what the machine gave the benchmark while it measured: this process's
// threads from /proc/self/task/*/schedstat (time on a CPU, time runnable but waiting for one),
// the whole machine from /proc/stat.
struct CpuSample {
    double wallS = 0;
    double processCpuS = 0;
    double processWaitS = 0;
    double systemBusyS = 0; // all processes, steal excluded
    double systemStealS = 0; // taken by the hypervisor
};
CpuSample cpuSample();

// Average use in cores between two samples.
struct CpuUse {
    double processCores = 0; // this process on a CPU
    double waitCores = 0; // this process's threads runnable but not running
    double otherCores = 0; // everything else on the machine
    double stealCores = 0;
};
CpuUse cpuUse(const CpuSample &a, const CpuSample &b);
QJsonObject toJson(const CpuUse &u);
QString describe(const CpuUse &u);

// One line of progress on stderr (the table goes to stdout).
void progress(const QString &line);

// Resident set size of this process from /proc/self/status, in MB (0 if unreadable).
double residentMb();

} // namespace stampede::bench
