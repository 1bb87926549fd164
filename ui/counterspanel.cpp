#include "counterspanel.h"

#include "format.h"
#include "theme.h"

#include "metrics.h"

#include <QGridLayout>
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
    m_grid->setContentsMargins(14, 10, 14, 10);
    m_grid->setHorizontalSpacing(24);
    m_grid->setVerticalSpacing(6);
    const QString captions[CounterCount]
        = { u"ATTEMPTS"_s, u"SOLD"_s, u"REMAINING"_s, u"OVERSOLD"_s, u"LOST ORDERS"_s, u"P99 LATENCY"_s };
    const char *names[CounterCount] = { "attempts", "sold", "remaining", "oversold", "lost", "p99" };
    for (int i = 0; i < CounterCount; ++i) {
        auto *cell = new QWidget;
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
    if (columns == m_columns)
        return;
    m_columns = columns;
    for (QWidget *cell : m_cells)
        m_grid->removeWidget(cell);
    const int rows = (CounterCount + columns - 1) / columns;
    for (int i = 0; i < CounterCount; ++i)
        m_grid->addWidget(m_cells[std::size_t(i)], i % rows, i / rows);
    for (int r = 0; r < CounterCount; ++r)
        m_grid->setRowStretch(r, 0);
    m_grid->setRowStretch(rows, 1);
}

QString CountersPanel::valueText(Counter c) const { return m_values[std::size_t(c)]->text(); }

void CountersPanel::showSnapshot(const Snapshot &s)
{
    const TickSample last = s.recent.empty() ? TickSample {} : s.recent.back();
    m_values[Attempts]->setText(compactNumber(double(s.attempts)));
    m_details[Attempts]->setText(compactRate(last.attempts));
    m_values[Sold]->setText(countText(last.sold));
    m_details[Sold]->setText(u"confirmed "_s + countText(last.confirmed));
    m_values[Remaining]->setText(countText(last.stockRemaining));
    m_details[Remaining]->setText(u"of "_s + countText(s.stockInitial));
    m_values[Oversold]->setText(countText(last.oversold));
    m_details[Oversold]->setText(last.oversold > 0 ? u"units promised that do not exist"_s : u"never above 0"_s);
    m_values[Lost]->setText(countText(last.lostOrders));
    m_details[Lost]->setText(u"false sold-out "_s + countText(last.falseSoldOut));
    m_values[P99]->setText(durationMs(last.p99Ms));
    m_details[P99]->setText(u"run "_s + durationMs(s.p99Ms) + u" · max "_s + durationMs(s.maxMs));
    setAlarm(last.oversold > 0);
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
    m_text = theme.text;
    m_muted = theme.mutedText;
    m_red = theme.oversold;
    m_alarmBackground = theme.alarmBackground;
    m_valuePt = theme.counterPointSize;
    // projector mode: the big numbers only, the room goes to the diagram and the charts
    for (QLabel *d : m_details)
        d->setVisible(!theme.projector);
    m_captionPt = theme.captionPointSize;
    QPalette p = palette();
    p.setColor(QPalette::Window, theme.surface);
    setPalette(p);
    restyle();
}

void CountersPanel::restyle()
{
    QFont caption = font();
    caption.setPointSizeF(m_captionPt);
    caption.setBold(true);
    QFont detail = caption;
    detail.setBold(false);
    detail.setPointSizeF(m_captionPt * 0.85);
    for (int i = 0; i < CounterCount; ++i) {
        const bool red = i == Oversold && m_alarm;
        QFont value = caption;
        value.setPointSizeF(i == Oversold ? m_valuePt * 1.15 : m_valuePt);
        value.setWeight(red ? QFont::Black : QFont::DemiBold);
        QLabel *v = m_values[std::size_t(i)];
        v->setFont(value);
        QPalette vp = v->palette();
        vp.setColor(QPalette::WindowText, red ? m_red : m_text);
        vp.setColor(QPalette::Window, red ? m_alarmBackground : QColor(Qt::transparent));
        v->setPalette(vp);

        QLabel *c = m_captions[std::size_t(i)];
        c->setFont(caption);
        QPalette cp = c->palette();
        cp.setColor(QPalette::WindowText, red ? m_red : m_muted);
        c->setPalette(cp);

        QLabel *d = m_details[std::size_t(i)];
        d->setFont(detail);
        d->setPalette(cp);
    }
}

} // namespace stampede::ui
