#include "storepainter.h"

#include "format.h"

#include <QFontMetricsF>
#include <QPainter>

#include <algorithm>

using namespace Qt::StringLiterals;

namespace stampede::ui {

namespace {

double rowHeight(const Theme &t) { return QFontMetricsF(t.font(t.basePointSize * 1.2, true)).height() + 8 * t.scale; }

} // namespace

StorePainter::StorePainter(PaintContext &context)
    : m_c(context)
{
}

QList<const RowView *> StorePainter::rowsShown(const Snapshot &snap)
{
    QList<const RowView *> rows;
    for (const RowView &row : snap.store->hotRows)
        if (row.bucket == 0 || row.stock != 0 || row.locked || row.waiters > 0)
            rows << &row;
    return rows;
}

double StorePainter::preferredHeight(const Theme &t, const Snapshot &snap)
{
    const double titleH = QFontMetricsF(t.font(t.basePointSize * 1.1, true)).height();
    const double bodyH = QFontMetricsF(t.font(t.basePointSize * 0.95)).height();
    return 16 * t.scale + titleH + 2 * bodyH + 6 * t.scale
        + std::max<qsizetype>(1, rowsShown(snap).size()) * rowHeight(t) + 4 * t.scale;
}

void StorePainter::paint(const QRectF &r, const Snapshot &snap, const TopologySettings &settings)
{
    const Theme &t = m_c.theme;
    const double s = m_c.s;
    TextFit &text = m_c.text;
    m_c.tierBox(u"store"_s, r);
    const QRectF inner = r.adjusted(10 * s, 6 * s, -10 * s, -6 * s);
    const QFont title = text.font(1.1, true), body = text.font(0.95);
    const double titleH = text.lineHeight(title), bodyH = text.lineHeight(body);
    double y = inner.top();
    auto fits = [&](double h) { return y + h <= inner.bottom() + 0.5; };
    auto next = [&](double h) { return QRectF(inner.left(), y, inner.width(), h); };

    // with many SKUs the rows below are SKU 0's, not the whole stock (REMAINING counts all): the
    // title says so when the line that would say it has no room
    const double rowH = rowHeight(t);
    // A real database says so in its title: the room must know these rows are PostgreSQL's.
    const bool real = snap.store->backend == StoreBackend::Postgres;
    const QStringList titles = real
        ? QStringList { u"PostgreSQL "_s + QString::fromStdString(snap.store->serverVersion) + u" (real)"_s,
              u"PostgreSQL (real)"_s, u"PostgreSQL"_s, u"Postgres"_s }
        : QStringList { u"Stock store"_s, u"Store"_s };
    const bool skuLine = y + titleH + 2 * s + bodyH + rowH <= inner.bottom() + 0.5;
    if (settings.skus > 1 && !skuLine)
        text.drawPair(next(titleH), title, titles, t.text, body,
            { u"SKU 0 of "_s + groupedNumber(settings.skus), u"SKU 0"_s }, t.mutedText);
    else
        text.draw(next(titleH), title, titles, Qt::AlignLeft | Qt::AlignVCenter, t.text);
    y += titleH + 2 * s;
    const double lockWait = snap.recent.empty() ? 0.0 : snap.recent.back().store->lockWaitMeanMs;
    const double lockHold = snap.recent.empty() ? 0.0 : snap.recent.back().store->lockHoldMeanMs;
    // detail lines only while a row still fits under them
    if (fits(bodyH + rowH)) {
        const bool sharded = snap.store->strategy == Strategy::Sharded;
        const QString of = settings.skus > 1 ? QString(u" of "_s + groupedNumber(settings.skus)) : QString();
        text.draw(next(bodyH), body,
            { (sharded ? u"SKU 0"_s + of + u" · hot rows (buckets)"_s : u"SKU 0"_s + of + u" · hot row"_s),
                u"SKU 0"_s + of, u"SKU 0"_s },
            Qt::AlignLeft | Qt::AlignVCenter, t.mutedText);
        y += bodyH;
    }
    if (real && fits(bodyH + rowH)) {
        // The database's own lock queue: sessions waiting for a row lock, read every tick.
        const int waiting = snap.store->hotRows.empty() ? 0 : snap.store->hotRows.front().waiters;
        const QColor c = waiting > 4 ? t.dead : waiting > 0 ? t.draining : t.mutedText;
        const QString n = QString::number(waiting);
        QStringList lines;
        if (snap.store->strategy == Strategy::RowLock) // the wait as the clients measured it
            lines << n + u" wait for the row lock · "_s + durationMs(lockWait);
        lines << n + u" sessions wait for a row lock"_s << u"lock waiters "_s + n << u"waiting "_s + n;
        text.draw(next(bodyH), body, lines, Qt::AlignLeft | Qt::AlignVCenter, c);
        y += bodyH;
    } else if (fits(bodyH + rowH)) {
        const QColor c = lockWait > 1 ? t.dead : lockWait > 0.1 ? t.draining : t.mutedText;
        text.draw(next(bodyH), body,
            { u"lock wait "_s + durationMs(lockWait) + u" · hold "_s + durationMs(lockHold),
                u"lock wait "_s + durationMs(lockWait), u"wait "_s + durationMs(lockWait) },
            Qt::AlignLeft | Qt::AlignVCenter, c);
        y += bodyH;
    }
    y += 4 * s;

    const QList<const RowView *> rows = rowsShown(snap);
    const int fit = std::max(0, int((inner.bottom() - y) / rowH));
    const qsizetype shown = rows.size() > fit ? std::max(0, fit - 1) : rows.size();
    for (qsizetype i = 0; i < shown; ++i) {
        paintRow(QRectF(inner.left(), y, inner.width(), rowH - 4 * s), *rows[i]);
        y += rowH;
    }
    if (shown < rows.size() && fits(bodyH))
        text.draw(next(bodyH), body,
            { u"+ "_s + QString::number(rows.size() - shown) + u" more rows"_s,
                u"+"_s + QString::number(rows.size() - shown) },
            Qt::AlignLeft | Qt::AlignVCenter, t.mutedText);
}

void StorePainter::paintRow(const QRectF &rr, const RowView &row)
{
    const Theme &t = m_c.theme;
    const double s = m_c.s;
    QPainter &p = m_c.p;
    p.setPen(Qt::NoPen);
    p.setBrush(row.locked ? t.alarmBackground : t.window);
    p.drawRoundedRect(rr, 5 * s, 5 * s);

    // lock glyph: shackle and body
    const double gh = rr.height() * 0.55, gw = gh * 0.8;
    const QRectF glyph(rr.left() + 8 * s, rr.center().y() - gh / 2 + gh * 0.2, gw, gh * 0.8);
    const QColor lockColour = row.locked ? t.dead : t.mutedText;
    p.setPen(QPen(lockColour, 2 * s));
    p.setBrush(Qt::NoBrush);
    p.drawArc(QRectF(glyph.left() + gw * 0.2, glyph.top() - gh * 0.35, gw * 0.6, gh * 0.7), 0, 180 * 16);
    p.setPen(Qt::NoPen);
    p.setBrush(lockColour);
    p.drawRoundedRect(QRectF(glyph.left(), glyph.top() + gh * 0.05, gw, gh * 0.6), 2 * s, 2 * s);

    // the stock number first (it is the lesson), then who waits, then the row's name
    const QRectF text = rr.adjusted(gw + 16 * s, 0, -8 * s, 0);
    const QString state = row.waiters > 0 ? QString(QString::number(row.waiters) + u" waiting"_s)
        : row.locked                      ? u"locked"_s
                                          : u"free"_s;
    const QColor stateColour = row.waiters > 0 ? t.draining : row.locked ? t.dead : t.mutedText;
    const QFont value = m_c.text.font(1.2, true), body = m_c.text.font(0.9);
    const QStringList stock { groupedNumber(row.stock), compactNumber(double(row.stock)) };
    m_c.text.drawPair(text, value, stock, row.stock < 0 ? t.dead : t.text, body,
        { state, row.waiters > 0 ? QString::number(row.waiters) : QString() }, stateColour);
}

} // namespace stampede::ui
