#pragma once

// The entry functions shared by the fuzzers (tests/fuzz/fuzz_*.cpp) and by tst_fuzzcases, which
// replays every input in tests/fuzz/regressions/ through them. Each takes raw bytes, runs the
// program's own parse and validation, and reports what a user would see. Nothing here starts an
// engine, opens a window or writes a file.

#include <QByteArray>
#include <QString>

namespace fuzzentry {

struct Outcome {
    enum class Status { Ok, Exit, Error };
    Status status = Status::Ok;
    QString message; // Error: the line stampede prints after "stampede: "; Exit: help or version text
    // A property the code promises and this input broke (empty when all held). The fuzzers abort
    // on it, so that libFuzzer keeps the input; the regression test fails on it.
    QString broken;
};

QString statusName(Outcome::Status status); // "ok", "exit", "error"

// `--scenario FILE` with the bytes as FILE's content: parseScenario as loadScenarioFile calls it
// (source "fuzz.json"). A scenario that loads must pass checkScenario and survive
// scenarioToJson -> parseScenario unchanged.
Outcome scenarioFile(const QByteArray &data);

// `--lesson FILE.json` with the bytes as the file's content: parseLesson (source "fuzz.json"),
// then the headless form of the lesson (lessonScenario).
Outcome lessonFile(const QByteArray &data);

// The command line: one argument per line ('\n'; a final newline ends the last one, it does not
// add an empty one), after the program name. Parsed as the window build parses it
// (`haveWindow`), then validated as main() would before running: the lesson, the scenario with
// its overrides, each side of --compare, each point of a sweep. Output files are not checked
// (checking creates them) and list/help/version stop at the parse.
Outcome commandLine(const QByteArray &data, bool haveWindow = true);

} // namespace fuzzentry
