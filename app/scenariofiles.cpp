// Where scenarios come from: the presets shipped as resources, and files on disk.

#include "scenario.h"

#include "jsonreader.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>

using namespace Qt::StringLiterals;

QString defaultPresetName() { return u"black-friday-naive"_s; }

QStringList presetNames()
{
    QStringList names;
    const QStringList files = QDir(u":/presets"_s).entryList({ u"*.json"_s }, QDir::Files, QDir::Name);
    for (const QString &f : files)
        names << f.chopped(5); // ".json"
    names.sort();
    return names;
}

std::optional<Scenario> loadScenarioFile(const QString &path, QString *error)
{
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly)) {
        *error = path + u": cannot read: "_s + file.errorString();
        return std::nullopt;
    }
    // A scenario is a few kilobytes; refuse to slurp something that obviously is not one.
    const QByteArray json = jsonread::readAtMost(file, jsonread::kMaxDocumentBytes);
    if (json.size() > jsonread::kMaxDocumentBytes) {
        *error = path + u": cannot read: larger than 4 MiB, not a scenario"_s;
        return std::nullopt;
    }
    return parseScenario(json, path, error, QFileInfo(path).completeBaseName());
}

std::optional<Scenario> loadPreset(const QString &name, QString *error)
{
    const QStringList names = presetNames();
    if (!names.contains(name)) {
        *error = u"unknown preset \""_s + name + u"\" (available: "_s + names.join(u", "_s) + u')';
        return std::nullopt;
    }
    QFile file(u":/presets/"_s + name + u".json"_s);
    if (!file.open(QIODevice::ReadOnly)) {
        *error = u"preset "_s + name + u": cannot read: "_s + file.errorString();
        return std::nullopt;
    }
    return parseScenario(file.readAll(), u"preset "_s + name, error, name);
}
