#pragma once

// Reading a JSON document with one-line errors: "<source>: <json.path>: <problem>", the first
// error kept. Shared by the scenario and lesson loaders so that both speak alike.

#include <QByteArray>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QJsonValue>
#include <QString>
#include <QStringList>

#include <algorithm>
#include <climits>
#include <cmath>
#include <optional>
#include <string_view>
#include <vector>

namespace jsonread {

using namespace Qt::StringLiterals;

inline const QString kTopLevel = u"top level"_s;

// The document, or nothing with "<source>: invalid JSON at offset N: <why>" in *error.
inline std::optional<QJsonDocument> parseJson(const QByteArray &json, const QString &source, QString *error)
{
    QJsonParseError parseError;
    QJsonDocument doc = QJsonDocument::fromJson(json, &parseError);
    if (parseError.error != QJsonParseError::NoError) {
        *error = source + u": invalid JSON at offset "_s + QString::number(parseError.offset) + u": "_s
            + parseError.errorString();
        return std::nullopt;
    }
    return doc;
}

// A document file is a few kilobytes. Reads at most `limit` + 1 bytes, so that a caller can
// refuse a larger one: size() is no guard, a device such as /dev/zero has none and never ends.
inline QByteArray readAtMost(QFile &file, qint64 limit)
{
    QByteArray data;
    while (data.size() <= limit) {
        const QByteArray chunk = file.read(limit + 1 - data.size());
        if (chunk.isEmpty())
            break; // the end, or an error
        data += chunk;
    }
    return data;
}

// The largest scenario or lesson file the loaders read.
inline constexpr qint64 kMaxDocumentBytes = qint64(4) * 1024 * 1024;

inline QString child(const QString &path, const QString &key) { return path.isEmpty() ? key : path + u'.' + key; }

inline QString fromStd(std::string_view s) { return QString::fromUtf8(s.data(), qsizetype(s.size())); }

inline QString number(double v) { return QString::number(v, 'g', 15); }

// What a value is, for "got ..." in messages: short values verbatim, the rest by type.
inline QString describe(const QJsonValue &v)
{
    switch (v.type()) {
    case QJsonValue::Null:
        return u"null"_s;
    case QJsonValue::Bool:
        return v.toBool() ? u"true"_s : u"false"_s;
    case QJsonValue::Double:
        return number(v.toDouble());
    case QJsonValue::String: {
        const QString s = v.toString();
        return s.size() <= 40 ? u'"' + s + u'"' : u"a string"_s;
    }
    case QJsonValue::Array:
        return u"an array"_s;
    case QJsonValue::Object:
        return u"an object"_s;
    case QJsonValue::Undefined:
        break;
    }
    return u"nothing"_s;
}

template<typename E> inline QString quotedNames(const std::vector<E> &names)
{
    QStringList out;
    for (const auto &n : names)
        out << u'"' + fromStd(n) + u'"';
    return out.join(u", "_s);
}

// Reads typed values out of a QJsonDocument and remembers the first error.
class Reader {
public:
    // `prefix` goes before every path: a scenario inside a lesson reports "scenario.nodes.count".
    explicit Reader(QString source, QString prefix = {})
        : m_source(std::move(source))
        , m_prefix(std::move(prefix))
    {
    }

    const QString &error() const { return m_error; }

    bool fail(const QString &path, const QString &problem)
    {
        if (m_error.isEmpty())
            m_error = m_source + u": "_s + fullPath(path) + u": "_s + problem;
        return false;
    }

    // Maps a "path: problem" message (validate(), checkScenario()) into this source's form.
    bool failWith(const QString &pathAndProblem)
    {
        const qsizetype sep = pathAndProblem.indexOf(u": "_s);
        if (sep < 0)
            return fail(kTopLevel, pathAndProblem);
        return fail(pathAndProblem.left(sep), pathAndProblem.mid(sep + 2));
    }

    bool failWhole(const QString &line) // an error already in the full form (a nested reader's)
    {
        if (m_error.isEmpty())
            m_error = line;
        return false;
    }

    bool knownKeys(const QJsonObject &o, const QString &path, const QStringList &known)
    {
        for (auto it = o.begin(); it != o.end(); ++it) {
            if (!known.contains(it.key()))
                return fail(child(path, it.key()), u"unknown key (known: "_s + known.join(u", "_s) + u')');
        }
        return true;
    }

    bool object(const QJsonValue &v, const QString &path, QJsonObject *out)
    {
        if (!v.isObject())
            return fail(path, u"must be an object, got "_s + describe(v));
        *out = v.toObject();
        return true;
    }

    bool array(const QJsonValue &v, const QString &path, QJsonArray *out)
    {
        if (!v.isArray())
            return fail(path, u"must be an array, got "_s + describe(v));
        *out = v.toArray();
        return true;
    }

    // o[key] as a string that is not empty once trimmed; a missing key fails when required.
    bool text(const QJsonObject &o, const QString &key, const QString &path, QString *out, bool required = true)
    {
        if (!o.contains(key))
            return !required || fail(child(path, key), u"missing"_s);
        if (!string(o.value(key), child(path, key), out))
            return false;
        *out = out->trimmed();
        if (out->isEmpty())
            return fail(child(path, key), u"must not be empty"_s);
        return true;
    }

    bool number(const QJsonValue &v, const QString &path, double *out)
    {
        if (!v.isDouble())
            return fail(path, u"must be a number, got "_s + describe(v));
        *out = v.toDouble();
        return true;
    }

    bool optionalNumber(const QJsonValue &v, const QString &path, std::optional<double> *out)
    {
        if (v.isNull()) {
            out->reset();
            return true;
        }
        if (!v.isDouble())
            return fail(path, u"must be a number or null, got "_s + describe(v));
        *out = v.toDouble();
        return true;
    }

    // A whole number. Values beyond 64 bits are clamped (and flagged) so that the range check
    // that follows names the field instead of a wrapped-around value passing it.
    bool integer(const QJsonValue &v, const QString &path, qint64 *out, bool *clamped = nullptr)
    {
        if (!v.isDouble())
            return fail(path, u"must be an integer, got "_s + describe(v));
        const double d = v.toDouble();
        if (std::trunc(d) != d)
            return fail(path, u"must be a whole number, got "_s + describe(v));
        // toInteger() returns its default for anything not an exact qint64.
        const qint64 a = v.toInteger(0), b = v.toInteger(1);
        const bool outside = a != b;
        *out = outside ? (d > 0 ? LLONG_MAX : LLONG_MIN) : a;
        if (clamped)
            *clamped = outside;
        return true;
    }

    bool intField(const QJsonValue &v, const QString &path, int *out)
    {
        qint64 i = 0;
        if (!integer(v, path, &i))
            return false;
        *out = int(std::clamp<qint64>(i, INT_MIN, INT_MAX));
        return true;
    }

    bool string(const QJsonValue &v, const QString &path, QString *out)
    {
        if (!v.isString())
            return fail(path, u"must be a string, got "_s + describe(v));
        *out = v.toString();
        return true;
    }

    template<typename E, typename Parse>
    bool choice(
        const QJsonValue &v, const QString &path, Parse parse, const std::vector<std::string_view> &names, E *out)
    {
        QString s;
        if (!string(v, path, &s))
            return false;
        const std::optional<E> e = parse(std::string_view(s.toStdString()));
        if (!e)
            return fail(path, u"must be one of "_s + quotedNames(names) + u"; got \""_s + s + u'"');
        *out = *e;
        return true;
    }

private:
    QString m_source;
    QString m_prefix;

    QString fullPath(const QString &path) const
    {
        if (m_prefix.isEmpty())
            return path;
        return path.isEmpty() || path == kTopLevel ? m_prefix : child(m_prefix, path);
    }
    QString m_error;
};

} // namespace jsonread
