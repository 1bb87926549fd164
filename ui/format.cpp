#include "format.h"

#include <QLocale>
#include <QRegularExpression>

#include <algorithm>
#include <cmath>

using namespace Qt::StringLiterals;

namespace stampede::ui {

QString fromStd(std::string_view s) { return QString::fromUtf8(s.data(), qsizetype(s.size())); }

QString compactNumber(double v)
{
    if (!std::isfinite(v))
        return u"–"_s;
    const double a = std::abs(v);
    struct Unit {
        double scale;
        const char16_t *suffix;
    };
    static constexpr Unit units[] = { { 1e9, u" G" }, { 1e6, u" M" }, { 1e3, u" k" } };
    for (const Unit &u : units) {
        if (a >= u.scale * 0.9995) {
            const double x = v / u.scale;
            const int decimals = std::abs(x) >= 99.95 ? 0 : std::abs(x) >= 9.995 ? 1 : 2;
            return QString::number(x, 'f', decimals) + QString::fromUtf16(u.suffix);
        }
    }
    if (a >= 100 || a == std::floor(a))
        return QString::number(std::llround(v));
    return QString::number(v, 'f', a >= 10 ? 1 : 2);
}

QString groupedNumber(std::int64_t v)
{
    const bool negative = v < 0;
    const std::uint64_t magnitude = negative ? std::uint64_t(0) - std::uint64_t(v) : std::uint64_t(v);
    QString digits = QString::number(magnitude);
    for (qsizetype i = digits.size() - 3; i > 0; i -= 3)
        digits.insert(i, QChar(0x2009)); // thin space
    if (negative)
        digits.prepend(QChar(0x2212)); // minus sign
    return digits;
}

QString countText(std::int64_t v)
{
    return (v > -1000000 && v < 1000000) ? groupedNumber(v) : compactNumber(double(v));
}

QString compactRate(double perSecond) { return compactNumber(perSecond) + u"/s"_s; }

QString durationMs(double ms)
{
    if (!std::isfinite(ms) || ms <= 0)
        return u"0 ms"_s;
    if (ms >= 1000)
        return QString::number(ms / 1000, 'f', ms >= 10000 ? 0 : 1) + u" s"_s;
    if (ms >= 10)
        return QString::number(std::llround(ms)) + u" ms"_s;
    return QString::number(ms, 'f', ms >= 1 ? 1 : 2) + u" ms"_s;
}

QString percentText(double fraction)
{
    const double v = std::clamp(fraction, 0.0, 1.0) * 100;
    if (v == 0 || v == 100)
        return QString::number(int(v)) + u" %"_s;
    const bool fine = v < 10 || v > 99;
    return QString::number(v, 'f', fine ? 1 : 0) + u" %"_s;
}

QString shortMarkerLabel(const std::string &label)
{
    const QString s = QString::fromStdString(label);
    struct Rule {
        QRegularExpression re;
        QString replacement;
    };
    static const Rule rules[] = {
        { QRegularExpression(u"^spike (×\\S+) for .*$"_s), u"spike \\1"_s },
        { QRegularExpression(u"^node (\\d+) added$"_s), u"+node \\1"_s },
        { QRegularExpression(u"^(\\d+) nodes added$"_s), u"+\\1 nodes"_s },
        { QRegularExpression(u"^node (\\d+) draining$"_s), u"drain \\1"_s },
        { QRegularExpression(u"^node (\\d+) (removed|cleared)$"_s), u"−node \\1"_s },
        { QRegularExpression(u"^node (\\d+) killed$"_s), u"kill \\1"_s },
        { QRegularExpression(u"^cache node (\\d+) added.*$"_s), u"+cache \\1"_s },
        { QRegularExpression(u"^(\\d+) cache nodes added.*$"_s), u"+\\1 cache"_s },
        { QRegularExpression(u"^cache node (\\d+) (removed|cleared).*$"_s), u"−cache \\1"_s },
        { QRegularExpression(u"^cache node (\\d+) killed.*$"_s), u"kill cache \\1"_s },
        { QRegularExpression(u"^placement (\\S+?):.*$"_s), u"\\1"_s },
        { QRegularExpression(u"^single-flight (on|off)$"_s), u"1-flight \\1"_s },
        { QRegularExpression(u"^consumer (\\d+) added.*$"_s), u"+cons \\1"_s },
        { QRegularExpression(u"^(\\d+) consumers added.*$"_s), u"+\\1 cons"_s },
        { QRegularExpression(u"^consumer (\\d+) (removed|cleared|draining).*$"_s), u"−cons \\1"_s },
        { QRegularExpression(u"^consumer (\\d+) killed.*$"_s), u"kill cons \\1"_s },
        { QRegularExpression(u"^TTL jitter ±(.*)$"_s), u"jitter \\1"_s },
        { QRegularExpression(u"^counter recovery (reload|reset).*$"_s), u"recovery \\1"_s },
        { QRegularExpression(u"^counter reloaded.*$"_s), u"reloaded"_s },
        { QRegularExpression(u"^counters? reset.*$"_s), u"counter reset"_s },
        { QRegularExpression(u"^\\d+ counters reloaded.*$"_s), u"reloaded"_s },
        { QRegularExpression(u"^idempotent consumers (on|off)$"_s), u"idempotent \\1"_s },
        { QRegularExpression(u"^queue full: (.*)$"_s), u"full: \\1"_s },
        { QRegularExpression(u"^strategy (.*)$"_s), u"\\1"_s },
        { QRegularExpression(u"^rate (.*)/s$"_s), u"rate \\1"_s },
        { QRegularExpression(u"^max rate.*$"_s), u"max rate"_s },
        { QRegularExpression(u"^event failed.*$"_s), u"failed"_s },
        // the fan-out's
        { QRegularExpression(u"^celebrity 0 posts$"_s), u"post"_s },
        { QRegularExpression(u"^celebrity (\\d+) posts$"_s), u"post c\\1"_s },
        { QRegularExpression(u"^fan-out (push|pull|hybrid)$"_s), u"\\1"_s },
        { QRegularExpression(u"^posts (\\S+) % of arrivals$"_s), u"posts \\1 %"_s },
        { QRegularExpression(u"^1 fan-out worker added$"_s), u"+worker"_s },
        { QRegularExpression(u"^(\\d+) fan-out workers added$"_s), u"+\\1 workers"_s },
        { QRegularExpression(u"^fan-out worker (\\d+) removed$"_s), u"−worker \\1"_s },
        { QRegularExpression(u"^fan-out worker (\\d+) killed$"_s), u"kill w\\1"_s },
        { QRegularExpression(u"^1 inbox shard added$"_s), u"+shard"_s },
        { QRegularExpression(u"^(\\d+) inbox shards added$"_s), u"+\\1 shards"_s },
        { QRegularExpression(u"^inbox shard (\\d+) killed$"_s), u"kill shard \\1"_s },
        { QRegularExpression(u"^inbox shard (\\d+) rebuilt.*$"_s), u"rebuilt \\1"_s },
    };
    // "threshold 100000 followers": the number as a room reads it
    static const QRegularExpression threshold(u"^threshold (\\d+) followers$"_s);
    if (const QRegularExpressionMatch m = threshold.match(s); m.hasMatch())
        return u"threshold "_s + compactNumber(m.captured(1).toDouble());
    for (const Rule &r : rules) {
        const QRegularExpressionMatch m = r.re.match(s);
        if (!m.hasMatch())
            continue;
        QString out = r.replacement;
        for (int i = m.lastCapturedIndex(); i >= 1; --i)
            out.replace(u"\\"_s + QString::number(i), m.captured(i));
        return out;
    }
    return s.size() <= 14 ? s : QString(s.left(13) + u'…');
}

AxisScale axisScale(double top, AxisKind kind)
{
    const double a = std::abs(top);
    switch (kind) {
    case AxisKind::Milliseconds:
        return a >= 1000 ? AxisScale { 1000, u" s"_s } : AxisScale { 1, u" ms"_s };
    case AxisKind::Percent:
        return { 1, u"%"_s };
    case AxisKind::Count:
        break;
    }
    // "1500" reads as well as "1.5 k"; "1200 k" does not
    if (a >= 1e9)
        return { 1e9, u" G"_s };
    if (a >= 1e6)
        return { 1e6, u" M"_s };
    if (a >= 2e3)
        return { 1e3, u" k"_s };
    return { 1, {} };
}

QString axisTitle(const QString &word, const AxisScale &scale, AxisKind kind)
{
    const QString unit = scale.suffix.trimmed();
    if (unit.isEmpty())
        return word;
    if (kind == AxisKind::Count)
        return unit + u' ' + word;
    return word + u' ' + unit;
}

QString axisLabel(double value, const AxisScale &scale)
{
    const double x = value / scale.divisor;
    if (!std::isfinite(x))
        return u"–"_s;
    if (std::abs(x) < 1e-9)
        return u"0"_s;
    // four significant digits, no trailing zeros: 2, 1.5, 0.25, 1250
    QString digits = QString::number(x, 'g', 4);
    // never for axis ticks below 10000, but keep it readable; beyond a million (a broken
    // series) the exponent stays: 'f' would write a 1e300 as a 300-digit label
    if (digits.contains(u'e') && std::abs(x) < 1e6)
        digits = QString::number(x, 'f', 0);
    else if (digits.contains(u'e'))
        digits = QString::number(x, 'g', 3);
    if (x < 0)
        digits.replace(0, 1, QChar(0x2212)); // minus sign
    return digits + scale.suffix;
}

double niceStep(double raw, bool integer)
{
    if (!(raw > 0))
        return 1;
    if (integer && raw <= 1)
        return 1;
    const double p = std::pow(10.0, std::floor(std::log10(raw)));
    const double f = raw / p;
    const double nice = f <= 1 ? 1 : f <= 2 ? 2 : (f <= 2.5 && !integer) ? 2.5 : f <= 5 ? 5 : 10;
    return nice * p;
}

bool parseNumber(const QString &text, double *value)
{
    const QString t = text.trimmed();
    if (t.isEmpty())
        return false;
    bool ok = false;
    double v = QLocale::c().toDouble(t, &ok);
    if (!ok)
        v = QLocale().toDouble(t, &ok);
    if (!ok || !std::isfinite(v))
        return false;
    *value = v;
    return true;
}

} // namespace stampede::ui
