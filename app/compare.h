#pragma once

// Compare mode (DESIGN.md `--compare KEY=A,B`): two engines under the same seed and traffic,
// one setting apart. The setting is any scenario key, named by its JSON path ("strategy",
// "nodes.count", "cache.placement") or a short alias ("nodes", "rate", "placement" …), so the
// loader checks each side exactly as it checks a file.

#include "scenario.h"

#include <QString>
#include <QStringList>

#include <optional>

struct CompareSpec {
    QString key; // as given
    QString path; // the JSON path it stands for
    QString a, b; // the two values, as written
};

// The short names and the JSON paths they stand for, as "alias=path" lines for the help.
const QStringList &compareAliases();
// "KEY=A,B" (two values); on failure returns nothing and sets *error (without the option name).
std::optional<CompareSpec> parseCompare(const QString &text, QString *error);
// The scenario with the setting at `path` set to `value` (a JSON literal: number, true, false,
// null; anything else is a string), checked as the loader checks a file. On failure returns
// nothing and sets *error to "path: problem".
std::optional<Scenario> withSetting(const Scenario &base, const QString &path, const QString &value, QString *error);

namespace stampede {
struct RunResult;
}

// The two runs' headline figures side by side, aligned for a terminal (from their reports).
QString compareTable(const Scenario (&sides)[2], const stampede::RunResult (&results)[2], const QString (&labels)[2]);
