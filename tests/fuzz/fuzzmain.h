#pragma once

// What both fuzzers do around their entry function: the program's application name and version
// (--version prints them), and an abort when an input breaks a promise, so that libFuzzer keeps
// the input as a crash.

#include "fuzzentry.h"

#include <QCoreApplication>

#include <cstdio>
#include <cstdlib>

inline void fuzzSetUp()
{
    QCoreApplication::setApplicationName(QStringLiteral("stampede"));
    QCoreApplication::setApplicationVersion(QStringLiteral("fuzz"));
}

inline void fuzzCheck(const char *what, const fuzzentry::Outcome &outcome)
{
    if (outcome.broken.isEmpty())
        return;
    std::fprintf(stderr, "fuzz %s: %s\n", what, outcome.broken.toUtf8().constData());
    std::abort();
}
