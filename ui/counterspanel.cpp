#include "counterspanel.h"

#include "format.h"
#include "theme.h"
#include "tiers.h"

#include "metrics.h"

#include <QGridLayout>
#include <QHash>
#include <QLabel>
#include <QVBoxLayout>

using namespace Qt::StringLiterals;

namespace stampede::ui {

CountersPanel::CountersPanel(QWidget *parent)
    : QWidget(parent)
{
    setObjectName(u"countersPanel"_s);
    setAutoFillBackground(true);
    m_grid = new QGridLayout(this);
    // the panel may be smaller than the grid at full size: fitToSize() shrinks the numbers
    m_grid->setSizeConstraint(QLayout::SetNoConstraint);
    m_grid->setContentsMargins(12, 4, 12, 4);
    m_grid->setHorizontalSpacing(24);
    m_grid->setVerticalSpacing(2);
    const QString captions[CounterCount] = { u"ATTEMPTS"_s, u"SOLD"_s, u"REMAINING"_s, u"OVERSOLD"_s, u"LOST ORDERS"_s,
        u"P99 LATENCY"_s, u"HIT RATIO"_s, u"STALE READS"_s, u"BACKLOG"_s, u"DUPLICATES"_s, u"FALSE SOLD-OUT"_s,
        u"KEYS MOVED"_s, u"REACHED"_s, u"BACKLOG"_s, u"P99 READ"_s, u"FETCH/READ"_s, u"STALE READS"_s, u"DUPLICATES"_s,
        u"INBOX ENTRIES"_s, u"WORKERS UP"_s };
    const char *names[CounterCount] = { "attempts", "sold", "remaining", "oversold", "lost", "p99", "hitRatio",
        "staleReads", "backlog", "duplicates", "falseSoldOut", "keysMoved", "reached", "fanoutBacklog", "readP99",
        "fetchesPerRead", "fanoutStale", "fanoutDuplicates", "entries", "workersUp" };
    for (int i = 0; i < CounterCount; ++i) {
        auto *cell = new QWidget(this);
        auto *v = new QVBoxLayout(cell);
        v->setContentsMargins(0, 0, 0, 0);
        v->setSpacing(0);
        auto *caption = new QLabel(captions[i]);
        auto *value = new QLabel(u"0"_s);
        auto *detail = new QLabel;
        value->setObjectName(QString::fromLatin1(names[i]) + u"Value"_s);
        value->setAlignment(Qt::AlignRight | Qt::AlignVCenter);
        value->setAutoFillBackground(true);
        caption->setAlignment(Qt::AlignRight | Qt::AlignBottom);
        detail->setAlignment(Qt::AlignRight | Qt::AlignTop);
        v->addWidget(caption);
        v->addWidget(value);
        v->addWidget(detail);
        m_captions[std::size_t(i)] = caption;
        m_values[std::size_t(i)] = value;
        m_details[std::size_t(i)] = detail;
        m_cells[std::size_t(i)] = cell;
    }
    setColumns(1);
    applyTheme(Theme::make(false, false));
}

void CountersPanel::setColumns(int columns)
{
    columns = std::max(1, columns);
    if (columns == m_columns && columns == m_minColumns)
        return;
    m_minColumns = m_columns = columns;
    m_extrasBeside = false;
    relayout();
}

void CountersPanel::setTiers(bool cache, bool queue)
{
    if (cache == m_cache && queue == m_queue)
        return;
    m_cache = cache;
    m_queue = queue;
    relayout();
}

void CountersPanel::setFanout(bool fanout)
{
    if (fanout == m_fanout)
        return;
    m_fanout = fanout;
    relayout();
}

QList<int> CountersPanel::primaries() const
{
    QList<int> list;
    for (int i = m_fanout ? kFanoutFirst : 0; i < (m_fanout ? kFanoutPrimaryEnd : kPrimaryCount); ++i)
        list << i;
    return list;
}

QList<int> CountersPanel::extras() const
{
    QList<int> list;
    for (int i = m_fanout ? kFanoutPrimaryEnd : kPrimaryCount; i < (m_fanout ? CounterCount : kFanoutFirst); ++i)
        list << i;
    return list;
}

bool CountersPanel::isPrimary(Counter c) const { return primaries().contains(int(c)); }

bool CountersPanel::isShown(Counter c) const
{
    if ((c >= kFanoutFirst) != m_fanout)
        return false;
    switch (c) {
    case HitRatio:
    case StaleReads:
        return m_cache;
    case Backlog:
    case Duplicates:
        return m_queue;
    case FalseSoldOut:
        return m_falseSoldOut;
    case KeysMoved:
        return m_keysMoved;
    default:
        return true;
    }
}

void CountersPanel::setExtras(bool falseSoldOut, bool keysMoved)
{
    if (falseSoldOut == m_falseSoldOut && keysMoved == m_keysMoved)
        return;
    m_falseSoldOut = falseSoldOut;
    m_keysMoved = keysMoved;
    relayout();
}

QSize CountersPanel::minimumSizeHint() const
{
    // the numbers shrink to the room they get (fitToSize), down to about half their size
    return { std::max(int(m_fullWidth * 0.6), int(12 * m_captionPt)), int(8 * m_captionPt) };
}

QSize CountersPanel::sizeHint() const
{
    // the numbers at full size (a cut number lies)
    return { std::max(m_fullWidth, minimumSizeHint().width()), int(20 * m_captionPt) };
}

void CountersPanel::resizeEvent(QResizeEvent *event)
{
    QWidget::resizeEvent(event);
    fitToSize();
}

template<typename F> void CountersPanel::forEachShownCell(F &&f) const
{
    for (int i = 0; i < m_grid->count(); ++i) {
        int row = 0, col = 0, rowSpan = 0, colSpan = 0;
        m_grid->getItemPosition(i, &row, &col, &rowSpan, &colSpan);
        const QWidget *cell = m_grid->itemAt(i)->widget();
        const auto at = std::find(m_cells.begin(), m_cells.end(), cell);
        if (at == m_cells.end() || cell->isHidden())
            continue;
        const std::size_t k = std::size_t(at - m_cells.begin());
        QList<const QLabel *> labels;
        for (const QLabel *l : { m_captions[k], m_values[k], m_details[k] })
            if (!l->isHidden())
                labels << l;
        f(labels, row, col, colSpan);
    }
}

// From the fonts and texts, not from the layout: the labels' cached size hints lag a change.
int CountersPanel::neededWidth() const
{
    QHash<int, int> columns;
    forEachShownCell([&](const QList<const QLabel *> &labels, int, int col, int colSpan) {
        int w = 0;
        for (const QLabel *l : labels) {
            const QFontMetrics fm(l->font());
            w = std::max(w, fm.horizontalAdvance(l->text()));
            // room for a run's numbers from the start, so that the columns do not move as they grow
            if (std::find(m_values.begin(), m_values.end(), l) != m_values.end())
                w = std::max(w, fm.horizontalAdvance(u"88 888"_s));
        }
        // a cell across two grid columns shares its width between them
        for (int c = col; c < col + colSpan; ++c)
            columns[c] = std::max(columns.value(c), (w + colSpan - 1) / colSpan);
    });
    int total = 0;
    for (const int w : std::as_const(columns))
        total += w;
    const QMargins m = m_grid->contentsMargins();
    return total + int(std::max<qsizetype>(0, columns.size() - 1)) * m_grid->horizontalSpacing() + m.left() + m.right();
}

int CountersPanel::neededHeight() const
{
    QHash<int, int> rows;
    forEachShownCell([&](const QList<const QLabel *> &labels, int row, int, int) {
        int h = 0;
        for (const QLabel *l : labels)
            h += QFontMetrics(l->font()).height();
        rows[row] = std::max(rows.value(row), h);
    });
    int total = 0;
    for (const int h : std::as_const(rows))
        total += h;
    const QMargins m = m_grid->contentsMargins();
    return total + int(std::max<qsizetype>(0, rows.size() - 1)) * m_grid->verticalSpacing() + m.top() + m.bottom();
}

void CountersPanel::fitToSize()
{
    if (m_fitting || !isVisible())
        return;
    m_fitting = true;
    // from the full size down in steps until the grid fits (the labels would be cut)
    double fit = 1;
    for (;;) {
        m_fit = fit;
        restyle();
        if (fit == 1) {
            m_fullHeight = neededHeight();
            // grows only (numbers get longer as a run goes on): the window's columns stay put
            const int w = neededWidth();
            if (w > m_fullWidth + 4) {
                m_fullWidth = w;
                updateGeometry();
                emit preferredWidthChanged();
            }
        }
        if ((neededHeight() <= height() && neededWidth() <= width()) || fit <= 0.3)
            break;
        fit -= 0.05;
    }
    m_fitting = false;
    // one column too short for the numbers at a size a room reads: two (the window widens the
    // panel on preferredWidthChanged, and the panel fits again on its resize)
    if (m_fit < kTwoColumnsBelow && m_columns == 1 && m_fullHeight > height()) {
        m_columns = 2;
        relayout();
    } else if (m_fit < kTwoColumnsBelow && m_columns > 1 && !m_extrasBeside) {
        m_extrasBeside = true;
        relayout();
    }
}

void CountersPanel::relayout()
{
    m_fullWidth = 0; // measured again for the new grid
    for (QWidget *cell : m_cells)
        m_grid->removeWidget(cell);
    for (int r = 0; r < m_grid->rowCount(); ++r)
        m_grid->setRowStretch(r, 0);
    for (int c = 0; c < m_grid->columnCount(); ++c)
        m_grid->setColumnStretch(c, 0);
    // The six run counters as always, column by column. The cache and queue counters take a
    // column of their own beside one column; under two (projector mode, where height is what
    // runs out) they share a row below, each in half a column, or, when that row is too wide for
    // their captions, stand in a third column of their own. (The other workload's are hidden.)
    const QList<int> primary = primaries(), extra = extras();
    for (int i = 0; i < CounterCount; ++i)
        if (!primary.contains(i) && !extra.contains(i))
            m_cells[std::size_t(i)]->setVisible(false);
    const int primaryCount = int(primary.size());
    const int rows = (primaryCount + m_columns - 1) / m_columns;
    int extras = 0;
    for (const int i : extra)
        extras += isShown(Counter(i)) ? 1 : 0;
    const bool beside = m_columns == 1 || (m_extrasBeside && extras > 2);
    const int span = beside ? 1 : 2; // grid columns per primary column
    for (int k = 0; k < primaryCount; ++k) {
        QWidget *cell = m_cells[std::size_t(primary[k])];
        m_grid->addWidget(cell, k % rows, (k / rows) * span, 1, span);
        cell->setVisible(true);
    }
    const int perRow = 2 * m_columns;
    int k = 0;
    for (const int i : extra) {
        QWidget *cell = m_cells[std::size_t(i)];
        const bool shown = isShown(Counter(i));
        if (shown) {
            if (beside)
                m_grid->addWidget(cell, k, m_columns);
            else
                m_grid->addWidget(cell, rows + k / perRow, k % perRow);
            ++k;
        }
        cell->setVisible(shown);
    }
    const int gridColumns = beside ? m_columns + (extras > 0 ? 1 : 0) : m_columns * span;
    for (int c = 0; c < gridColumns; ++c)
        m_grid->setColumnStretch(c, 1);
    const int used = beside ? std::max(rows, k) : rows + (k + perRow - 1) / perRow;
    m_grid->setRowStretch(used, 1);
    restyle();
    // after the layout has given the panel its new size
    QMetaObject::invokeMethod(this, &CountersPanel::fitToSize, Qt::QueuedConnection);
}

QString CountersPanel::valueText(Counter c) const { return m_values[std::size_t(c)]->text(); }

void CountersPanel::showSnapshot(const Snapshot &s)
{
    setFanout(fanoutInUse(s));
    if (m_fanout) {
        showFanout(s);
        return;
    }
    const TickSample last = s.recent.empty() ? TickSample {} : s.recent.back();
    m_values[Attempts]->setText(compactNumber(double(s.attempts)));
    m_details[Attempts]->setText(compactRate(last.attempts));
    m_values[Sold]->setText(countText(last.store->sold));
    m_details[Sold]->setText(u"confirmed "_s + countText(last.store->confirmed));
    m_values[Remaining]->setText(countText(last.store->stockRemaining));
    m_details[Remaining]->setText(u"of "_s + countText(s.store->stockInitial));
    m_values[Oversold]->setText(countText(last.store->oversold));
    m_details[Oversold]->setText(last.store->oversold > 0 ? u"units promised that do not exist"_s : u"never above 0"_s);
    m_values[Lost]->setText(countText(last.store->lostOrders));
    m_details[Lost]->setText(u"false sold-out "_s + countText(last.store->falseSoldOut));
    m_values[P99]->setText(durationMs(last.p99Ms));
    m_details[P99]->setText(u"run "_s + durationMs(s.p99Ms) + u" · max "_s + durationMs(s.maxMs));

    setTiers(readsInUse(s), queueInUse(s));
    const bool lookups = last.cache->viewHits + last.cache->viewMisses > 0;
    m_values[HitRatio]->setText(lookups ? percentText(last.cache->hitRatio) : u"–"_s);
    m_details[HitRatio]->setText(
        u"run "_s + percentText(s.cache->hitRatio) + u" · store "_s + compactRate(last.cache->storeReads));
    m_values[StaleReads]->setText(countText(s.cache->staleReads));
    m_details[StaleReads]->setText(compactRate(last.cache->staleReads) + u" now"_s);
    m_values[Backlog]->setText(countText(last.queue->queueBacklog));
    m_details[Backlog]->setText(
        u"lag "_s + durationMs(std::max(0.0, last.queue->queueLagMs)) + u" · max "_s + countText(s.queue->maxBacklog));
    m_values[Duplicates]->setText(countText(last.queue->duplicatesTotal));
    m_details[Duplicates]->setText(u"redelivered "_s + countText(last.queue->redeliveredTotal));
    m_values[FalseSoldOut]->setText(countText(last.store->falseSoldOut));
    m_details[FalseSoldOut]->setText(u"stock was left"_s);
    m_values[KeysMoved]->setText(percentText(s.cache->keysMovedLast));
    m_details[KeysMoved]->setText(u"at the last change"_s);
    setExtras(last.store->falseSoldOut > 0, s.cache->cacheChanges > 0);
    if (const bool duplicates = last.queue->duplicatesTotal > 0; duplicates != m_duplicates) {
        m_duplicates = duplicates;
        restyle();
    }
    setAlarm(last.store->oversold > 0);
    // a number grew wider than its room, or has room again to grow back
    if (neededWidth() > width() || neededHeight() > height() || (m_fit < 1 && s.seq % 10 == 0))
        fitToSize();
}

void CountersPanel::showFanout(const Snapshot &s)
{
    const TickSample last = s.recent.empty() ? TickSample {} : s.recent.back();
    const FanoutSample &f = *last.fanout;
    const FanoutView &v = *s.fanout;
    // the newest celebrity post: its followers reached, and how long the 99 % took
    if (!v.tracked.empty()) {
        const TrackedPostView &p = v.tracked.front();
        const double reached = p.followers > 0 ? double(p.delivered) / p.followers : 1.0;
        m_values[Reached]->setText(percentText(p.pulled ? 1.0 : reached));
        QString detail
            = countText(p.pulled ? p.followers : p.delivered) + u" of "_s + countText(p.followers) + u" followers"_s;
        if (p.pulled)
            detail = u"pulled: all at once"_s;
        else if (reached >= 0.99 && p.p99Ms > 0)
            detail += u" · 99 % in "_s + durationMs(p.p99Ms);
        m_details[Reached]->setText(detail);
    } else {
        m_values[Reached]->setText(u"–"_s);
        m_details[Reached]->setText(u"no celebrity post yet"_s);
    }
    m_values[FanoutBacklog]->setText(countText(f.backlog));
    m_details[FanoutBacklog]->setText(u"drain "_s + compactRate(f.drainRate));
    const bool reads = f.reads > 0;
    m_values[ReadP99]->setText(reads ? durationMs(last.p99Ms) : u"–"_s);
    m_details[ReadP99]->setText(u"p50 "_s + durationMs(last.p50Ms) + u" · run "_s + durationMs(s.p99Ms));
    m_values[FetchesPerRead]->setText(reads ? QString::number(f.fetchesPerRead, 'f', 1) : u"–"_s);
    m_details[FetchesPerRead]->setText(compactRate(f.reads) + u" reads"_s);
    m_values[FanoutStale]->setText(countText(f.staleReadsTotal));
    m_details[FanoutStale]->setText(compactRate(f.staleReads) + u" now"_s);
    m_values[FanoutDuplicates]->setText(countText(f.duplicatesTotal));
    m_details[FanoutDuplicates]->setText(u"redelivered "_s + countText(f.redeliveredTotal));
    m_values[Entries]->setText(countText(f.entries));
    m_details[Entries]->setText(v.lostEntries > 0
            ? QString(u"lost "_s + countText(v.lostEntries) + u" · rebuilt "_s + countText(v.rebuiltEntries))
            : QString(u"writes "_s + compactRate(f.inboxWrites)));
    m_values[WorkersUp]->setText(QString::number(f.workersUp));
    m_details[WorkersUp]->setText(u"hot shard "_s + percentText(f.hotShardUtilisation));
    if (const bool duplicates = f.duplicatesTotal > 0; duplicates != m_fanoutDuplicates) {
        m_fanoutDuplicates = duplicates;
        restyle();
    }
    setAlarm(false);
    if (neededWidth() > width() || neededHeight() > height() || (m_fit < 1 && s.seq % 10 == 0))
        fitToSize();
}

void CountersPanel::setAlarm(bool alarm)
{
    if (alarm == m_alarm)
        return;
    m_alarm = alarm;
    restyle();
}

void CountersPanel::applyTheme(const Theme &theme)
{
    m_fit = 1;
    m_fullWidth = 0; // measured again at the new sizes
    m_text = theme.text;
    m_muted = theme.mutedText;
    m_red = theme.oversold;
    m_alarmBackground = theme.alarmBackground;
    m_valuePt = theme.counterPointSize;
    // projector mode: the big numbers only, the room goes to the diagram and the charts
    for (QLabel *d : m_details)
        d->setVisible(!theme.projector);
    m_captionPt = theme.captionPointSize;
    m_minPt = theme.minLabelPointSize;
    QPalette p = palette();
    p.setColor(QPalette::Window, theme.surface);
    setPalette(p);
    restyle();
}

void CountersPanel::restyle()
{
    QFont caption = font();
    // captions shrink less than the numbers: they name what a room reads
    caption.setPointSizeF(std::max(m_minPt, m_captionPt * std::min(1.0, 0.4 + m_fit)));
    caption.setBold(true);
    QFont detail = caption;
    detail.setBold(false);
    detail.setPointSizeF(m_captionPt * 0.85);
    for (int i = 0; i < CounterCount; ++i) {
        const bool alarm = i == Oversold && m_alarm;
        // duplicate orders must stay at 0 too: red, but without OVERSOLD's size and background
        const bool red = alarm || (i == Duplicates && m_duplicates) || (i == FanoutDuplicates && m_fanoutDuplicates);
        const bool extra = !isPrimary(Counter(i));
        const bool compact = extra && m_columns > 1;
        const double size = i == Oversold ? 1.15 : compact ? 0.55 : extra ? 0.75 : 1.0;
        QFont value = caption;
        value.setPointSizeF(std::max(m_minPt, m_valuePt * size * m_fit));
        value.setWeight(alarm ? QFont::Black : red ? QFont::Bold : QFont::DemiBold);
        QLabel *v = m_values[std::size_t(i)];
        v->setFont(value);
        QPalette vp = v->palette();
        vp.setColor(QPalette::WindowText, red ? m_red : m_text);
        vp.setColor(QPalette::Window, alarm ? m_alarmBackground : QColor(Qt::transparent));
        v->setPalette(vp);

        QLabel *c = m_captions[std::size_t(i)];
        QFont captionFont = caption;
        if (compact)
            captionFont.setPointSizeF(std::max(m_minPt, caption.pointSizeF() * 0.7));
        c->setFont(captionFont);
        QPalette cp = c->palette();
        cp.setColor(QPalette::WindowText, red ? m_red : m_muted);
        c->setPalette(cp);

        QLabel *d = m_details[std::size_t(i)];
        d->setFont(detail);
        d->setPalette(cp);
    }
}

} // namespace stampede::ui
