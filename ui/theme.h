#pragma once

// Colours, sizes and fonts of the window. One value type built from two switches (dark, projector);
// every panel takes it in applyTheme() and reads nothing else about appearance.

#include <QColor>
#include <QFont>
#include <QList>
#include <QPalette>

namespace stampede::ui {

struct Theme {
    bool dark = false;
    bool projector = false; // high contrast, everything at least 1.6x larger
    double scale = 1.0; // fonts and line widths

    QPalette palette;
    QColor window, surface, text, mutedText, grid, border, accent;
    QColor up, draining, dead; // node states
    QColor succeeded, soldOut, rateLimited, failed;
    QColor p50, p95, p99;
    QColor remaining, sold, oversold, lockWait, utilisation;
    // cache tier and order queue charts
    QColor hitRatio, storeReads, enqueued, dequeued, queueBacklog, queueLag;
    QColor cacheStock, storeStock, divergence, staleReads, duplicates;
    // fan-out charts: one colour per visibility curve (a post keeps its colour while it is shown),
    // and the work of the push path against the reads
    QColor post1, post2, post3, post4;
    QColor inboxWrites, timelineReads, fetches, fanoutBacklog, drainRate;
    QList<QColor> cacheNodes; // one per cache node (by id, cycling): its arc of the ring and its card
    QColor flow; // dots moving through the topology
    QColor alarmBackground; // a chart or counter whose value must not be above 0

    // Point sizes; base is the text of controls and menus.
    double basePointSize = 10;
    double counterPointSize = 30;
    double captionPointSize = 11;
    double chartTitlePointSize = 12;
    double chartLabelPointSize = 10;
    double lineWidth = 3; // chart series
    // No label is drawn smaller than this (a room reads it from the back): about 11 px at a
    // desk, 17 px in projector mode.
    double minLabelPointSize = 8.5;
    double statusPointSize = 11; // the transient banner of refusals and confirmations

    QFont font(double pointSize, bool bold = false) const;
    static Theme make(bool dark, bool projector);
};

} // namespace stampede::ui
