#pragma once

// The soak's command line. Bad input is one line naming the option (the caller exits 2).

#include <QString>
#include <QStringList>

#include <cstdint>
#include <optional>

namespace stampede::soak {

struct Options {
    double durationS = 120;
    std::uint64_t seed = 0;
    bool seedGiven = false;
    QString reportFile; // JSON summary
    QString logFile; // every action with its time
    QStringList only; // action kinds to use (empty: all)
    QString match; // shortcut kind: only actions whose text or keys match this expression
    bool listKinds = false;
};

// `arguments` as QCoreApplication::arguments() would give them (program name first). nullopt
// with *error set on bad input; with *helpText set (and nullopt) for --help.
std::optional<Options> parseOptions(const QStringList &arguments, QString *error, QString *helpText);

} // namespace stampede::soak
