#include "icons.h"

#include <QPainter>
#include <QPainterPath>
#include <QPixmap>

namespace stampede::ui::icons {

namespace {

constexpr int kSide = 64;

template<typename Draw> QIcon make(Draw &&draw)
{
    QPixmap pixmap(kSide, kSide);
    pixmap.fill(Qt::transparent);
    QPainter p(&pixmap);
    p.setRenderHint(QPainter::Antialiasing);
    draw(p);
    p.end();
    return QIcon(pixmap);
}

} // namespace

QIcon play(const QColor &color)
{
    return make([&](QPainter &p) {
        QPainterPath triangle;
        triangle.moveTo(18, 10);
        triangle.lineTo(54, 32);
        triangle.lineTo(18, 54);
        triangle.closeSubpath();
        p.fillPath(triangle, color);
    });
}

QIcon pause(const QColor &color)
{
    return make([&](QPainter &p) {
        p.setPen(Qt::NoPen);
        p.setBrush(color);
        p.drawRoundedRect(QRectF(14, 10, 13, 44), 3, 3);
        p.drawRoundedRect(QRectF(37, 10, 13, 44), 3, 3);
    });
}

QIcon reset(const QColor &color)
{
    return make([&](QPainter &p) {
        QPen pen(color, 7, Qt::SolidLine, Qt::FlatCap);
        p.setPen(pen);
        p.drawArc(QRectF(12, 12, 40, 40), 100 * 16, 290 * 16);
        QPainterPath head; // arrow head at the arc's start, pointing back along it
        head.moveTo(22, 2);
        head.lineTo(36, 13);
        head.lineTo(21, 24);
        head.closeSubpath();
        p.fillPath(head, color);
    });
}

} // namespace stampede::ui::icons
