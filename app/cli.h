#pragma once

// The command line (DESIGN.md "Interfaces"). Parsing only checks each option on its own;
// resolveScenario() then applies the overrides to the chosen scenario and validates the whole.
// Every error is one line naming the option; the binary prints it as "stampede: <error>" and
// exits with kExitUsage.

#include "compare.h"
#include "scenario.h"

#include <QSize>
#include <QString>
#include <QStringList>

#include <cstdint>
#include <optional>

inline constexpr int kExitUsage = 2; // bad input: options, scenario, unwritable outputs
inline constexpr int kExitFailure = 1; // the run itself failed (e.g. a disk filled up)
inline constexpr int kExitChecksUnmet = 3; // --lesson: a step's check was not met
// --strategy cache-queue on a scenario without a cache tier gets this many cache nodes.
inline constexpr int kDefaultCacheNodes = 3;
// --size bounds: the smallest window the layout is made for, the largest screen it makes sense on.
inline constexpr int kMinWindowWidth = 1024, kMinWindowHeight = 600;
inline constexpr int kMaxWindowWidth = 7680, kMaxWindowHeight = 4320;

struct CliOptions {
    bool headless = false;
    bool listPresets = false;
    bool listLessons = false;
    QString preset; // empty: the default preset (unless scenarioFile is set)
    QString scenarioFile;
    std::optional<stampede::Strategy> strategy;
    std::optional<stampede::StoreBackend> backend; // --backend: where the stock lives
    QString storeUrl; // --store-url: the user's PostgreSQL (empty: a private server)
    std::optional<int> nodes;
    std::optional<double> rate; // open loop at this rate
    bool rateMax = false; // --rate max: closed loop with the scenario's clients
    std::optional<std::int64_t> stock;
    std::optional<double> readRatio; // product-page views per purchase attempt
    std::optional<int> consumers; // order-queue consumers at the start
    std::optional<stampede::FanoutMode> fanoutMode; // fan-out runs: push, pull or hybrid
    std::optional<std::int64_t> fanoutThreshold; // fan-out runs: hybrid's follower threshold
    std::optional<stampede::Coordination> coordination; // what app nodes coordinate through
    std::vector<SweepAxis> sweep; // --sweep KEY=V1,V2,... (repeatable; axes go together)
    std::optional<double> sweepSeconds, sweepWarmupS;
    bool noSweep = false; // --no-sweep: the scenario's timeline once, not its sweep
    std::optional<double> durationS;
    std::optional<std::uint64_t> seed;
    std::optional<int> threads;
    // --lesson NAME|FILE.json: the lesson's scenario with its steps' actions (headless: the steps
    // one after another, then which checks were met; the window: the lesson panel).
    QString lesson;
    std::optional<CompareSpec> compare; // --compare KEY=A,B: two engines one setting apart
    QString handoutFile; // --handout FILE.pdf: headless, with --lesson (needs the UI build)
    QString reportFile;
    QString csvFile;
    QString screenshotFile; // window only
    std::optional<double> afterS; // window only: when to take the screenshot
    // Window only: the look a room sees, and the size of the window (and of its screenshots).
    bool projector = false;
    std::optional<bool> dark; // --theme light|dark; unset: the saved setting
    std::optional<QSize> size;
};

struct CliParseResult {
    enum class Status { Run, Exit, Error };
    Status status = Status::Run;
    QString output; // Exit: text for stdout (help, version); Error: the message
    CliOptions options;
};

// `arguments` includes the program name first, as QCoreApplication::arguments() does.
// `haveWindow` says whether this build can open the window (--screenshot needs it).
CliParseResult parseCommandLine(const QStringList &arguments, bool haveWindow);

// The scenario the options select (preset, file or the default preset) with the overrides
// applied. Events after a shortened duration are dropped: they would never fire. A cache-queue
// strategy asked for on a scenario without a cache tier gets kDefaultCacheNodes cache nodes, and
// Scenario::notes says so.
std::optional<Scenario> resolveScenario(const CliOptions &options, QString *error);

// Fails early when --report/--csv/--screenshot cannot be written, so a long run is not wasted.
// Returns the error line or an empty string.
QString checkOutputs(const CliOptions &options);

// Prints "stampede: <message>" as one line on stderr.
void printError(const QString &message);
