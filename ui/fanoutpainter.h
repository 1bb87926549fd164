#pragma once

// The boxes of the fan-out diagram around the inbox shards (shardspainter.h): the author (the
// celebrity, her followers, when she last posted), the fan-out queue (follower writes waiting,
// how fast they drain, posts refused), the workers (one chip each, up or killed), the outboxes
// (read by pull and hybrid, idle under push) and the readers (reads per second, fetches per read,
// stale reads).

#include "tierpainter.h"

namespace stampede::ui {

class FanoutPainter {
public:
    explicit FanoutPainter(PaintContext &context);

    void paintAuthor(const QRectF &r, const Snapshot &snap);
    void paintQueue(const QRectF &r, const Snapshot &snap);
    void paintWorkers(const QRectF &r, const Snapshot &snap);
    void paintOutbox(const QRectF &r, const Snapshot &snap);
    void paintReaders(const QRectF &r, const Snapshot &snap);

    // Workers killed within the snapshot's markers (the view counts only those up).
    static int killedWorkers(const Snapshot &snap);
    // Outbox fetches per second: what pull and hybrid reads fetch besides their inbox.
    static double outboxFetches(const Snapshot &snap);

private:
    PaintContext &m_c;
};

} // namespace stampede::ui
