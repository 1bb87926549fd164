#include "lessonbanner.h"

#include <QPainter>
#include <QTextDocument>

#include <cmath>

using namespace Qt::StringLiterals;

namespace stampede::ui {

namespace {

constexpr int kMarginX = 12, kMarginY = 4;

} // namespace

LessonBanner::LessonBanner(QWidget *parent)
    : QWidget(parent)
    , m_theme(Theme::make(false, false))
{
    setObjectName(u"lessonBanner"_s);
    setSizePolicy(QSizePolicy::Preferred, QSizePolicy::Fixed);
}

void LessonBanner::setLesson(const QString &title, const QString &description)
{
    m_title = title;
    m_description = description;
    setToolTip(description);
    fitHeight();
    update();
}

void LessonBanner::applyTheme(const Theme &theme)
{
    m_theme = theme;
    fitHeight();
    update();
}

QString LessonBanner::html() const
{
    // the title in bold and the text after it on the same line: one line saved on a short window
    const QString text = m_description.toHtmlEscaped();
    const QString title = m_title.toHtmlEscaped();
    const QString muted = m_theme.mutedText.name();
    return u"<b style=\"color:"_s + m_theme.text.name() + u"\">"_s + title + u"</b>"_s
        + (text.isEmpty() ? QString() : QString(u" <span style=\"color:"_s + muted + u"\">— "_s + text + u"</span>"_s));
}

// Projector mode: a little under the base size, still far above a desk's, so that a long lesson
// leaves the diagram some height on a 768-pixel screen.
QFont LessonBanner::textFont() const { return m_theme.font(m_theme.basePointSize * (m_theme.projector ? 0.9 : 1.0)); }

int LessonBanner::heightForWidth(int width) const
{
    if (m_title.isEmpty() && m_description.isEmpty())
        return 0;
    const double s = m_theme.scale;
    QTextDocument doc;
    doc.setDocumentMargin(0);
    doc.setDefaultFont(textFont());
    doc.setHtml(html());
    doc.setTextWidth(std::max(50.0, width - 2 * kMarginX * s));
    return int(std::ceil(doc.size().height() + 2 * kMarginY * s));
}

// Before the first layout the banner's own width means nothing; it spans the window's.
int LessonBanner::layoutWidth() const { return isVisible() ? width() : window()->width(); }

QSize LessonBanner::sizeHint() const { return { 400, heightForWidth(layoutWidth()) }; }
QSize LessonBanner::minimumSizeHint() const { return { 200, heightForWidth(layoutWidth()) }; }

void LessonBanner::fitHeight()
{
    const int h = heightForWidth(layoutWidth());
    if (h != minimumHeight() || h != maximumHeight())
        setFixedHeight(h);
}

void LessonBanner::resizeEvent(QResizeEvent *event)
{
    QWidget::resizeEvent(event);
    fitHeight(); // a new width: another number of lines
}

void LessonBanner::paintEvent(QPaintEvent *)
{
    QPainter p(this);
    p.fillRect(rect(), m_theme.window);
    const double s = m_theme.scale;
    QTextDocument doc;
    doc.setDocumentMargin(0);
    doc.setDefaultFont(textFont());
    doc.setHtml(html());
    doc.setTextWidth(std::max(50.0, width() - 2 * kMarginX * s));
    p.translate(kMarginX * s, kMarginY * s);
    doc.drawContents(&p);
}

} // namespace stampede::ui
