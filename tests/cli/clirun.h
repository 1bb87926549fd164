#pragma once

// Runs the built `stampede` binary as a user would, for the CLI tests.

#include <QProcess>
#include <QString>
#include <QStringList>

namespace test {

struct Outcome {
    int exitCode = -1; // -1: crashed or did not finish
    QString out;
    QString err;
};

inline Outcome runBinary(const QString &bin, const QString &workingDir, const QStringList &args, int timeoutMs)
{
    QProcess p;
    p.setWorkingDirectory(workingDir);
    p.start(bin, args);
    Outcome o;
    if (!p.waitForStarted() || !p.waitForFinished(timeoutMs)) {
        p.kill();
        p.waitForFinished();
        o.err = QStringLiteral("did not finish: ") + p.errorString();
        return o;
    }
    o.exitCode = p.exitStatus() == QProcess::NormalExit ? p.exitCode() : -1;
    o.out = QString::fromLocal8Bit(p.readAllStandardOutput());
    o.err = QString::fromLocal8Bit(p.readAllStandardError());
    return o;
}

} // namespace test
