#pragma once

// The few toolbar icons, drawn in the theme's text colour so that they read on light and dark
// backgrounds alike (the style's stock icons are black).

#include <QColor>
#include <QIcon>

namespace stampede::ui::icons {

QIcon play(const QColor &color);
QIcon pause(const QColor &color);
QIcon reset(const QColor &color);

} // namespace stampede::ui::icons
