#include "statusbanner.h"

using namespace Qt::StringLiterals;

namespace stampede::ui {

StatusBanner::StatusBanner(QWidget *parent)
    : QLabel(parent)
    , m_theme(Theme::make(false, false))
{
    setObjectName(u"statusMessage"_s);
    setTextFormat(Qt::PlainText);
    // the room it gets is the bar's, not its text's: elide() fits the text to it
    setSizePolicy(QSizePolicy::Ignored, QSizePolicy::Preferred);
    setMinimumWidth(0);
    m_timer.setSingleShot(true);
    m_timer.setInterval(kShowMs);
    connect(&m_timer, &QTimer::timeout, this, [this] {
        clear();
        m_full.clear();
        m_error = false;
        restyle();
    });
    restyle();
}

void StatusBanner::showMessage(const QString &text, bool error)
{
    m_error = error;
    m_full = text;
    setToolTip(text); // a long one is elided; the whole of it is here
    restyle();
    m_timer.start();
}

int StatusBanner::padding() const { return 2 * 2 * int(4 * m_theme.scale) + 2; }

int StatusBanner::neededWidth() const
{
    return m_full.isEmpty() ? 0 : QFontMetrics(font()).horizontalAdvance(m_full) + padding();
}

void StatusBanner::resizeEvent(QResizeEvent *event)
{
    QLabel::resizeEvent(event);
    elide();
}

void StatusBanner::elide()
{
    const QString shown = QFontMetrics(font()).elidedText(m_full, Qt::ElideRight, std::max(0, width() - padding()));
    if (shown != text())
        setText(shown);
}

void StatusBanner::applyTheme(const Theme &theme)
{
    m_theme = theme;
    restyle();
}

void StatusBanner::restyle()
{
    QFont f = m_theme.font(m_theme.statusPointSize, m_error);
    setFont(f);
    const QColor fg = m_error ? m_theme.dead : m_theme.text;
    const QColor bg = m_error && !text().isEmpty() ? m_theme.alarmBackground : QColor(Qt::transparent);
    const int pad = int(4 * m_theme.scale);
    setStyleSheet(u"QLabel#statusMessage { color: "_s + fg.name() + u"; background: "_s + bg.name(QColor::HexArgb)
        + u"; border-radius: "_s + QString::number(pad) + u"px; padding: 1px "_s + QString::number(2 * pad)
        + u"px; }"_s);
    elide();
}

} // namespace stampede::ui
