#pragma once

// The order queue: a header with its backlog and lag, its settings and what went wrong
// (duplicates, rejections, blocked producers, redeliveries), the partitions as bars filling up to
// their capacity, and the consumers persisting to the store.

#include "tierpainter.h"

namespace stampede::ui {

class QueuePainter {
public:
    explicit QueuePainter(PaintContext &context);

    void paint(const QRectF &r, const Snapshot &snap, const TopologySettings &settings);
    // Where the "persist" edge leaves a queue box drawn in `r`: above its consumers.
    static double consumersCentreX(const QRectF &r, double scale);

private:
    double header(const QRectF &inner, const Snapshot &snap, const QList<PartitionView> &partitions);
    void partitionBars(const QRectF &area, const QList<PartitionView> &partitions);
    void consumers(const QRectF &area, const Snapshot &snap);
    void consumer(const QRectF &r, const ConsumerView &c);

    PaintContext &m_c;
};

} // namespace stampede::ui
