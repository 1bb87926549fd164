#pragma once

// The soak's verdict: the one summary line and the JSON report.

#include <QJsonObject>
#include <QMap>
#include <QString>

#include <cstdint>

namespace stampede::soak {

class Monkey;
struct Options;

struct QtMessages {
    int warnings = 0; // QtWarningMsg and QtCriticalMsg
    QMap<QString, int> byText; // the first 200 characters of each distinct warning
};

struct Verdict {
    bool ok = false;
    QString line; // "soak: 120 s, seed 123, 2341 actions (…), …: ok"
    QJsonObject report;
};

Verdict makeVerdict(const Monkey &monkey, const Options &options, const QtMessages &messages);

} // namespace stampede::soak
