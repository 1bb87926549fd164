#include "textfit.h"

#include "theme.h"

#include <QFontMetricsF>
#include <QPaintDevice>
#include <QPainter>

#include <algorithm>
#include <cmath>

namespace stampede::ui {

TextFit::TextFit(QPainter &p, const Theme &theme, QList<DrawnLabel> *log)
    : m_p(p)
    , m_theme(theme)
    , m_log(log)
{
}

QFont TextFit::font(double factor, bool bold) const
{
    return m_theme.font(std::max(m_theme.minLabelPointSize, m_theme.basePointSize * factor), bold);
}

double TextFit::width(const QFont &font, const QString &text) const
{
    return QFontMetricsF(font, m_p.device()).horizontalAdvance(text);
}

double TextFit::lineHeight(const QFont &font) const { return QFontMetricsF(font, m_p.device()).height(); }

QRectF TextFit::draw(const QRectF &given, const QFont &font, const QStringList &candidates, Qt::Alignment align,
    const QColor &colour, bool elide)
{
    const QRectF room = m_bounds.isEmpty() ? given : given.intersected(m_bounds);
    const QFontMetricsF fm(font, m_p.device());
    if (candidates.isEmpty() || room.width() <= 0 || room.height() + 0.5 < fm.height())
        return {};
    QString text;
    bool found = false;
    for (const QString &c : candidates)
        if (fm.horizontalAdvance(c) <= room.width()) {
            text = c;
            found = true;
            break;
        }
    if (found && text.isEmpty())
        return {}; // the candidate that fits is to show nothing
    if (!found) {
        if (!elide)
            return {};
        text = fm.elidedText(candidates.last(), Qt::ElideRight, room.width());
        // an ellipsis alone says nothing
        if (text.size() <= 1)
            return {};
    }
    const double w = std::min(room.width(), fm.horizontalAdvance(text)), h = fm.height();
    const double x = align & Qt::AlignRight ? room.right() - w
        : align & Qt::AlignHCenter          ? room.center().x() - w / 2
                                            : room.left();
    const double y = align & Qt::AlignBottom ? room.bottom() - h
        : align & Qt::AlignTop               ? room.top()
                                             : room.center().y() - h / 2;
    const QRectF rect(x, y, w, h);
    m_p.setFont(font);
    m_p.setPen(colour);
    m_p.drawText(rect, Qt::AlignLeft | Qt::AlignVCenter | Qt::TextSingleLine, text);
    if (m_log)
        m_log->append({ text, rect, font.pointSizeF() * m_p.device()->logicalDpiY() / 72.0, m_tier });
    return rect;
}

QRectF TextFit::drawWrapped(const QRectF &given, const QFont &font, const QString &text, const QColor &colour)
{
    const QRectF room = m_bounds.isEmpty() ? given : given.intersected(m_bounds);
    const QFontMetricsF fm(font, m_p.device());
    const QRectF need = fm.boundingRect(QRectF(room.left(), room.top(), room.width(), 1e6), Qt::TextWordWrap, text);
    const double lines = std::floor(std::min(need.height(), room.height()) / fm.lineSpacing() + 0.01);
    if (lines < 1)
        return {};
    const QRectF rect(room.left(), room.top(), room.width(), std::min(need.height(), lines * fm.lineSpacing()));
    m_p.save();
    m_p.setClipRect(rect);
    m_p.setFont(font);
    m_p.setPen(colour);
    m_p.drawText(rect, Qt::TextWordWrap, text);
    m_p.restore();
    if (m_log)
        m_log->append({ text, rect, font.pointSizeF() * m_p.device()->logicalDpiY() / 72.0, m_tier });
    return rect;
}

void TextFit::drawPair(const QRectF &line, const QFont &leftFont, const QStringList &left, const QColor &leftColour,
    const QFont &rightFont, const QStringList &right, const QColor &rightColour)
{
    const double gap = 8 * m_theme.scale;
    const double leftMin = left.isEmpty() ? 0.0 : width(leftFont, left.last());
    QRectF taken;
    if (!right.isEmpty()) {
        const QRectF room = line.adjusted(leftMin > 0 ? leftMin + gap : 0.0, 0, 0, 0);
        QStringList fitting;
        for (const QString &r : right)
            if (width(rightFont, r) <= room.width())
                fitting << r;
        // a value that does not fit whole is dropped rather than cut: a cut number lies
        if (!fitting.isEmpty())
            taken = draw(room, rightFont, fitting, Qt::AlignRight | Qt::AlignVCenter, rightColour);
    }
    if (!left.isEmpty()) {
        const QRectF room
            = taken.isEmpty() ? line : QRectF(line.left(), line.top(), taken.left() - gap - line.left(), line.height());
        draw(room, leftFont, left, Qt::AlignLeft | Qt::AlignVCenter, leftColour);
    }
}

} // namespace stampede::ui
