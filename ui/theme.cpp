#include "theme.h"

#include <QApplication>

namespace stampede::ui {

QFont Theme::font(double pointSize, bool bold) const
{
    QFont f = QApplication::font();
    f.setPointSizeF(pointSize);
    f.setBold(bold);
    return f;
}

Theme Theme::make(bool dark, bool projector)
{
    Theme t;
    t.dark = dark;
    t.projector = projector;
    t.scale = projector ? 1.6 : 1.0;

    if (dark) {
        t.window = projector ? QColor(0x00, 0x00, 0x00) : QColor(0x1e, 0x21, 0x26);
        t.surface = projector ? QColor(0x0c, 0x0c, 0x0c) : QColor(0x26, 0x2a, 0x31);
        t.text = projector ? QColor(0xff, 0xff, 0xff) : QColor(0xe6, 0xe8, 0xeb);
        t.mutedText = projector ? QColor(0xd0, 0xd0, 0xd0) : QColor(0x9a, 0xa1, 0xab);
        t.grid = projector ? QColor(0x55, 0x55, 0x55) : QColor(0x3a, 0x3f, 0x47);
        t.border = projector ? QColor(0xbb, 0xbb, 0xbb) : QColor(0x4a, 0x50, 0x5a);
        t.accent = QColor(0x4d, 0xa3, 0xff);
        t.up = QColor(0x3d, 0xd6, 0x8c);
        t.draining = QColor(0xff, 0xb0, 0x20);
        t.dead = QColor(0xff, 0x4d, 0x4d);
        t.succeeded = QColor(0x3d, 0xd6, 0x8c);
        t.soldOut = QColor(0x6c, 0xa8, 0xff);
        t.rateLimited = QColor(0xff, 0xb0, 0x20);
        t.failed = QColor(0xff, 0x4d, 0x4d);
        t.p50 = QColor(0x6c, 0xa8, 0xff);
        t.p95 = QColor(0xff, 0xb0, 0x20);
        t.p99 = QColor(0xff, 0x5c, 0xa8);
        t.remaining = QColor(0x6c, 0xa8, 0xff);
        t.sold = QColor(0x3d, 0xd6, 0x8c);
        t.oversold = QColor(0xff, 0x3b, 0x3b);
        t.lockWait = QColor(0xc0, 0x8c, 0xff);
        t.utilisation = QColor(0x3d, 0xd6, 0x8c);
        t.flow = QColor(0x8f, 0xc8, 0xff);
        t.alarmBackground = QColor(0x4a, 0x12, 0x12);
        t.hitRatio = QColor(0x3d, 0xd6, 0x8c);
        t.storeReads = QColor(0xff, 0xb0, 0x20);
        t.enqueued = QColor(0x6c, 0xa8, 0xff);
        t.dequeued = QColor(0x3d, 0xd6, 0x8c);
        t.queueBacklog = QColor(0xc0, 0x8c, 0xff);
        t.queueLag = QColor(0xff, 0xb0, 0x20);
        t.cacheStock = QColor(0x6c, 0xa8, 0xff);
        t.storeStock = QColor(0x3d, 0xd6, 0x8c);
        t.divergence = QColor(0xff, 0x5c, 0xa8);
        t.staleReads = QColor(0xff, 0xb0, 0x20);
        t.duplicates = QColor(0xff, 0x3b, 0x3b);
        t.post1 = QColor(0x6c, 0xa8, 0xff);
        t.post2 = QColor(0x3d, 0xd6, 0x8c);
        t.post3 = QColor(0xff, 0x7a, 0xc6);
        t.post4 = QColor(0xff, 0xb0, 0x20);
        t.inboxWrites = QColor(0xc0, 0x8c, 0xff);
        t.timelineReads = QColor(0x3d, 0xd6, 0x8c);
        t.fetches = QColor(0x6c, 0xa8, 0xff);
        t.fanoutBacklog = QColor(0xc0, 0x8c, 0xff);
        t.drainRate = QColor(0x3d, 0xd6, 0x8c);
        t.cacheNodes = { QColor(0x6c, 0xa8, 0xff), QColor(0xff, 0xb0, 0x20), QColor(0xc0, 0x8c, 0xff),
            QColor(0x3d, 0xd6, 0xd0), QColor(0xff, 0x7a, 0xc6), QColor(0xd4, 0xe1, 0x57), QColor(0xff, 0x8a, 0x65),
            QColor(0x9e, 0xb3, 0xc9) };
    } else {
        t.window = projector ? QColor(0xff, 0xff, 0xff) : QColor(0xf3, 0xf4, 0xf6);
        t.surface = QColor(0xff, 0xff, 0xff);
        t.text = projector ? QColor(0x00, 0x00, 0x00) : QColor(0x1a, 0x1d, 0x21);
        t.mutedText = projector ? QColor(0x30, 0x30, 0x30) : QColor(0x5f, 0x66, 0x70);
        t.grid = projector ? QColor(0xb0, 0xb0, 0xb0) : QColor(0xe1, 0xe4, 0xe8);
        t.border = projector ? QColor(0x40, 0x40, 0x40) : QColor(0xc4, 0xc9, 0xd0);
        t.accent = QColor(0x0b, 0x5c, 0xd5);
        t.up = QColor(0x13, 0x8a, 0x36);
        t.draining = QColor(0xc2, 0x6a, 0x00);
        t.dead = QColor(0xd0, 0x11, 0x11);
        t.succeeded = QColor(0x13, 0x8a, 0x36);
        t.soldOut = QColor(0x1f, 0x5f, 0xc9);
        t.rateLimited = QColor(0xd9, 0x82, 0x00);
        t.failed = QColor(0xd0, 0x11, 0x11);
        t.p50 = QColor(0x1f, 0x5f, 0xc9);
        t.p95 = QColor(0xd9, 0x82, 0x00);
        t.p99 = QColor(0xb0, 0x1f, 0x7a);
        t.remaining = QColor(0x1f, 0x5f, 0xc9);
        t.sold = QColor(0x13, 0x8a, 0x36);
        t.oversold = QColor(0xd0, 0x00, 0x00);
        t.lockWait = QColor(0x6f, 0x3c, 0xc3);
        t.utilisation = QColor(0x13, 0x8a, 0x36);
        t.flow = QColor(0x0b, 0x5c, 0xd5);
        t.alarmBackground = QColor(0xff, 0xe5, 0xe5);
        t.hitRatio = QColor(0x13, 0x8a, 0x36);
        t.storeReads = QColor(0xd9, 0x82, 0x00);
        t.enqueued = QColor(0x1f, 0x5f, 0xc9);
        t.dequeued = QColor(0x13, 0x8a, 0x36);
        t.queueBacklog = QColor(0x6f, 0x3c, 0xc3);
        t.queueLag = QColor(0xd9, 0x82, 0x00);
        t.cacheStock = QColor(0x1f, 0x5f, 0xc9);
        t.storeStock = QColor(0x13, 0x8a, 0x36);
        t.divergence = QColor(0xb0, 0x1f, 0x7a);
        t.staleReads = QColor(0xd9, 0x82, 0x00);
        t.duplicates = QColor(0xd0, 0x00, 0x00);
        t.post1 = QColor(0x1f, 0x5f, 0xc9);
        t.post2 = QColor(0x13, 0x8a, 0x36);
        t.post3 = QColor(0xb0, 0x1f, 0x7a);
        t.post4 = QColor(0xd9, 0x82, 0x00);
        t.inboxWrites = QColor(0x6f, 0x3c, 0xc3);
        t.timelineReads = QColor(0x13, 0x8a, 0x36);
        t.fetches = QColor(0x1f, 0x5f, 0xc9);
        t.fanoutBacklog = QColor(0x6f, 0x3c, 0xc3);
        t.drainRate = QColor(0x13, 0x8a, 0x36);
        t.cacheNodes = { QColor(0x1f, 0x5f, 0xc9), QColor(0xd9, 0x82, 0x00), QColor(0x6f, 0x3c, 0xc3),
            QColor(0x00, 0x86, 0x8b), QColor(0xb0, 0x1f, 0x7a), QColor(0x7a, 0x8a, 0x00), QColor(0xc4, 0x4a, 0x1b),
            QColor(0x4a, 0x5a, 0x70) };
    }

    QPalette &p = t.palette;
    p.setColor(QPalette::Window, t.window);
    p.setColor(QPalette::WindowText, t.text);
    p.setColor(QPalette::Base, t.surface);
    p.setColor(QPalette::AlternateBase, t.window);
    p.setColor(QPalette::Text, t.text);
    p.setColor(QPalette::Button, dark ? t.surface.lighter(120) : t.surface);
    p.setColor(QPalette::ButtonText, t.text);
    p.setColor(QPalette::BrightText, t.dead);
    p.setColor(QPalette::Highlight, t.accent);
    p.setColor(QPalette::HighlightedText, QColor(Qt::white));
    p.setColor(QPalette::ToolTipBase, t.surface);
    p.setColor(QPalette::ToolTipText, t.text);
    p.setColor(QPalette::PlaceholderText, t.mutedText);
    p.setColor(QPalette::Link, t.accent);
    p.setColor(QPalette::Mid, t.border);
    p.setColor(QPalette::Dark, dark ? t.window.darker(130) : t.border.darker(120));
    p.setColor(QPalette::Light, dark ? t.surface.lighter(140) : QColor(Qt::white));
    for (QPalette::ColorRole role : { QPalette::WindowText, QPalette::Text, QPalette::ButtonText })
        p.setColor(QPalette::Disabled, role, t.mutedText);

    t.basePointSize = 10 * t.scale;
    t.counterPointSize = projector ? 48 : 30;
    t.captionPointSize = 11 * t.scale;
    t.chartTitlePointSize = 12 * t.scale;
    t.chartLabelPointSize = 10 * t.scale;
    t.lineWidth = 3 * t.scale;
    t.minLabelPointSize = projector ? 12.8 : 8.5;
    t.statusPointSize = 11 * t.scale;
    return t;
}

} // namespace stampede::ui
