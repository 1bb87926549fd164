#include "fanoutpainter.h"

#include "format.h"

#include <QPainter>
#include <QRegularExpression>

#include <algorithm>
#include <cmath>

using namespace Qt::StringLiterals;

namespace stampede::ui {

namespace {

TickSample lastTick(const Snapshot &s) { return s.recent.empty() ? s.latest : s.recent.back(); }

QString followersText(std::int64_t n) { return countText(n) + (n == 1 ? u" follower"_s : u" followers"_s); }

} // namespace

FanoutPainter::FanoutPainter(PaintContext &context)
    : m_c(context)
{
}

int FanoutPainter::killedWorkers(const Snapshot &snap)
{
    static const QRegularExpression killed(u"^fan-out worker \\d+ killed$"_s);
    int n = 0;
    for (const Marker &m : snap.markers)
        n += killed.match(QString::fromStdString(m.label)).hasMatch() ? 1 : 0;
    return n;
}

double FanoutPainter::outboxFetches(const Snapshot &snap)
{
    const TickSample x = lastTick(snap);
    switch (snap.fanout->mode) {
    case FanoutMode::Push:
        return 0;
    case FanoutMode::Pull:
        return x.fanout->reads * x.fanout->fetchesPerRead;
    case FanoutMode::Hybrid:
        return x.fanout->reads * std::max(0.0, x.fanout->fetchesPerRead - 1);
    }
    return 0;
}

void FanoutPainter::paintAuthor(const QRectF &r, const Snapshot &snap)
{
    const Theme &t = m_c.theme;
    m_c.tierBox(u"author"_s, r);
    const FanoutView &v = *snap.fanout;
    const std::int64_t followers = v.celebrities.empty() ? 0 : v.celebrities.front();
    // the followers in the value where they fit with their word, else the word goes to the footer
    const QFont valueFont = m_c.text.font(1.2, true);
    const double room = r.width() - 18 * m_c.s;
    const QString full = followersText(followers), compact = compactNumber(double(followers)) + u" followers"_s;
    const bool worded = m_c.text.width(valueFont, full) <= room || m_c.text.width(valueFont, compact) <= room;
    const QString when = v.tracked.empty() ? QString() : QString::number(v.tracked.front().runAtS, 'f', 1) + u" s"_s;
    QStringList footer;
    if (worded)
        footer = when.isEmpty() ? QStringList { u"press P to post"_s, u"P posts"_s }
                                : QStringList { u"posted at "_s + when, when };
    else
        footer = when.isEmpty()
            ? QStringList { u"followers · P posts"_s, u"followers"_s }
            : QStringList { u"followers · posted "_s + when, u"followers · "_s + when, u"followers"_s };
    m_c.boxLines(r, { v.celebrities.size() > 1 ? u"Celebrities"_s : u"Celebrity"_s },
        { full, compact, compactNumber(double(followers)) }, 1.2, t.text, footer, t.mutedText, false);
}

void FanoutPainter::paintQueue(const QRectF &r, const Snapshot &snap)
{
    const Theme &t = m_c.theme;
    m_c.tierBox(u"fanoutQueue"_s, r);
    const FanoutView &v = *snap.fanout;
    const TickSample x = lastTick(snap);
    const std::int64_t backlog = x.fanout->backlog;
    QStringList footer { u"drain "_s + compactRate(x.fanout->drainRate), compactRate(x.fanout->drainRate) };
    QColor colour = t.mutedText;
    bool bold = false;
    if (v.refusedFanouts > 0) {
        footer = { groupedNumber(v.refusedFanouts) + u" posts refused"_s, countText(v.refusedFanouts) + u" refused"_s };
        colour = t.dead;
        bold = true;
    } else if (v.mode == FanoutMode::Pull && backlog == 0) {
        footer = { u"pull: nothing to fan out"_s, u"idle"_s };
    }
    m_c.boxLines(r, { u"Fan-out queue"_s, u"Queue"_s }, { countText(backlog) + u" to write"_s, countText(backlog) },
        1.2, backlog > 0 ? t.text : t.mutedText, footer, colour, bold);
}

void FanoutPainter::paintWorkers(const QRectF &r, const Snapshot &snap)
{
    const Theme &t = m_c.theme;
    const double s = m_c.s;
    TextFit &text = m_c.text;
    QPainter &p = m_c.p;
    m_c.tierBox(u"workers"_s, r);
    const TickSample x = lastTick(snap);
    const int up = snap.fanout->workersUp;
    const int dead = killedWorkers(snap);
    const QRectF inner = r.adjusted(10 * s, 6 * s, -8 * s, -6 * s);
    const QFont title = text.font(1.1, true), value = text.font(1.2, true), foot = text.font(0.9);
    const double headH = text.lineHeight(value), footH = text.lineHeight(foot);
    text.drawPair(QRectF(inner.left(), inner.top(), inner.width(), headH), title,
        { u"Fan-out workers"_s, u"Workers"_s }, t.text, value, { QString::number(up) + u" up"_s, QString::number(up) },
        up > 0 ? t.text : t.dead);

    // the footer: what went wrong first, else the write rate
    const bool footer = inner.height() >= headH + footH;
    if (footer) {
        QString line = u"writes "_s + compactRate(x.fanout->inboxWrites);
        QColor colour = t.mutedText;
        if (x.fanout->duplicatesTotal > 0) {
            line = groupedNumber(x.fanout->duplicatesTotal) + u" duplicates"_s;
            colour = t.dead;
        } else if (x.fanout->redeliveredTotal > 0) {
            line = groupedNumber(x.fanout->redeliveredTotal) + u" redelivered"_s;
            colour = t.draining;
        }
        const QString killed = dead > 0 ? QString(QString::number(dead) + u" killed · "_s) : QString();
        text.draw(QRectF(inner.left(), inner.bottom() - footH, inner.width(), footH), foot,
            { killed + line, line, compactRate(x.fanout->inboxWrites) }, Qt::AlignLeft | Qt::AlignVCenter,
            dead > 0 && colour == t.mutedText ? t.draining : colour);
    }

    // one chip per worker: up ones, then the killed ones; more than fit are counted
    const double top = inner.top() + headH + 4 * s;
    const double bottom = inner.bottom() - (footer ? footH + 4 * s : 0.0);
    const int total = up + dead;
    if (total == 0 || bottom - top < 8 * s)
        return;
    const double sp = 4 * s;
    const QFont small = text.font(0.85, true);
    const double side = std::clamp(std::min(bottom - top, 22 * s), 8 * s, 22 * s);
    const int perRow = std::max(1, int((inner.width() + sp) / (side + sp)));
    const int rows = std::max(1, int((bottom - top + sp) / (side + sp)));
    const int room = perRow * rows;
    const bool more = total > room;
    const int chips = more ? room - 1 : total;
    for (int i = 0; i < chips; ++i) {
        const int row = i / perRow, col = i % perRow;
        const QRectF chip(inner.left() + col * (side + sp), top + row * (side + sp), side, side);
        const bool alive = i < up;
        p.setPen(QPen(alive ? t.border : t.dead, 1 * s));
        p.setBrush(alive ? t.up : t.alarmBackground);
        p.drawRoundedRect(chip, 3 * s, 3 * s);
        if (!alive) { // a cross: killed
            p.setPen(QPen(t.dead, 2 * s));
            p.drawLine(chip.topLeft() + QPointF(4 * s, 4 * s), chip.bottomRight() - QPointF(4 * s, 4 * s));
            p.drawLine(chip.topRight() + QPointF(-4 * s, 4 * s), chip.bottomLeft() + QPointF(4 * s, -4 * s));
        }
    }
    m_c.record.workerChips = chips;
    if (more) {
        const int row = chips / perRow, col = chips % perRow;
        const QRectF rest(inner.left() + col * (side + sp), top + row * (side + sp),
            inner.right() - (inner.left() + col * (side + sp)), side);
        text.draw(
            rest, small, { u"+"_s + QString::number(total - chips) }, Qt::AlignLeft | Qt::AlignVCenter, t.mutedText);
    }
}

void FanoutPainter::paintOutbox(const QRectF &r, const Snapshot &snap)
{
    const Theme &t = m_c.theme;
    m_c.tierBox(u"outbox"_s, r);
    const FanoutView &v = *snap.fanout;
    const double fetches = outboxFetches(snap);
    switch (v.mode) {
    case FanoutMode::Push:
        m_c.boxLines(r, { u"Outboxes"_s }, { u"not read"_s }, 1.2, t.mutedText,
            { u"push: the post log only"_s, u"push"_s }, t.mutedText, false);
        break;
    case FanoutMode::Pull:
        m_c.boxLines(r, { u"Outboxes"_s }, { compactRate(fetches) + u" fetches"_s, compactRate(fetches) }, 1.2, t.text,
            { u"pull: every account followed"_s, u"every followee"_s, u"pull"_s }, t.mutedText, false);
        break;
    case FanoutMode::Hybrid:
        m_c.boxLines(r, { u"Outboxes"_s }, { compactRate(fetches) + u" fetches"_s, compactRate(fetches) }, 1.2, t.text,
            { u"above "_s + compactNumber(v.threshold) + u" followers"_s, u"> "_s + compactNumber(v.threshold),
                u"hybrid"_s },
            t.mutedText, false);
        break;
    }
}

void FanoutPainter::paintReaders(const QRectF &r, const Snapshot &snap)
{
    const Theme &t = m_c.theme;
    m_c.tierBox(u"readers"_s, r);
    const TickSample x = lastTick(snap);
    const bool paused = snap.paused;
    QStringList footer { QString::number(x.fanout->fetchesPerRead, 'f', 1) + u" fetches per read"_s,
        QString::number(x.fanout->fetchesPerRead, 'f', 1) + u" fetch/read"_s,
        QString::number(x.fanout->fetchesPerRead, 'f', 1) };
    QColor colour = t.mutedText;
    bool bold = false;
    if (paused) {
        footer = { u"PAUSED"_s };
        colour = t.draining;
        bold = true;
    } else if (x.fanout->staleReads > 0) {
        footer = { u"stale "_s + compactRate(x.fanout->staleReads), compactRate(x.fanout->staleReads) };
        colour = t.draining;
        bold = true;
    }
    m_c.boxLines(r, { u"Readers"_s }, { compactRate(x.fanout->reads) }, 1.2, t.text, footer, colour, bold);
}

} // namespace stampede::ui
