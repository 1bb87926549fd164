#pragma once

// Text that never overlaps and never shrinks below the theme's minimum: each label gets a rect and
// a list of candidates, most detailed first; the first that fits is drawn, else the last elided,
// else nothing. Every label drawn is logged (its tight rect and pixel size) so that tests can
// check the picture without reading pixels.

#include <QColor>
#include <QFont>
#include <QList>
#include <QRectF>
#include <QString>
#include <QStringList>

class QPainter;

namespace stampede::ui {

struct Theme;

struct DrawnLabel {
    QString text;
    QRectF rect; // the text's own extent, not the room it was given
    double pixelSize = 0;
    QString tier; // which painter drew it
};

class TextFit {
public:
    TextFit(QPainter &p, const Theme &theme, QList<DrawnLabel> *log);

    void setTier(const QString &tier) { m_tier = tier; }
    // Nothing is drawn outside `bounds` (the box being painted); empty: no bound.
    void setBounds(const QRectF &bounds) { m_bounds = bounds; }
    // The font at `factor` × the base size, never below the theme's minimum.
    QFont font(double factor, bool bold = false) const;
    // Draws the first candidate that fits `room` on one line; when none does, nothing (or the last
    // one elided, with `elide`: for prose, never for numbers). Returns the rect it took, empty when
    // nothing was drawn.
    QRectF draw(const QRectF &room, const QFont &font, const QStringList &candidates, Qt::Alignment align,
        const QColor &colour, bool elide = false);
    // Word-wrapped text, cut at whole lines; returns the rect it took.
    QRectF drawWrapped(const QRectF &room, const QFont &font, const QString &text, const QColor &colour);
    // A line with a text on the left and one on the right: the right one gets its room first
    // (values), the left one what remains (names keep their shortest form).
    void drawPair(const QRectF &line, const QFont &leftFont, const QStringList &left, const QColor &leftColour,
        const QFont &rightFont, const QStringList &right, const QColor &rightColour);
    // The width `text` takes at `font`.
    double width(const QFont &font, const QString &text) const;
    double lineHeight(const QFont &font) const;

private:
    QPainter &m_p;
    const Theme &m_theme;
    QList<DrawnLabel> *m_log;
    QString m_tier;
    QRectF m_bounds;
};

} // namespace stampede::ui
