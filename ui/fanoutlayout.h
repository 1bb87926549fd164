#pragma once

// The layout pass of the fan-out diagram: two rows of three boxes, so that a post's path reads
// along the top and a read's along the bottom, and the inbox shards, where both meet, sit under
// the workers that write them:
//     author  ⇒ fan-out queue ⇒ workers
//       ⇓                          ⇓
//     outbox  ⇐    readers    ⇒ inbox shards
// Boxes are cut from columns and rows, so they cannot overlap whatever the size; the shards get
// the widest column (their grid is the picture), the gaps carry the edges and their labels.

#include <QRectF>

namespace stampede::ui {

struct Theme;

struct FanoutLayout {
    QRectF author, queue, workers; // the top row: how a post leaves
    QRectF outbox, readers, shards; // the bottom row: where reads go
    QRectF rowGap; // between the rows: the vertical edges' labels
};

FanoutLayout layoutFanout(const QRectF &area, const Theme &theme);
// The least height at which both rows keep their title and a value (the shards one row of cells).
double minimumFanoutHeight(const Theme &theme);

} // namespace stampede::ui
