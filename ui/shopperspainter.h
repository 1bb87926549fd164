#pragma once

// The first two boxes of the flash-sale row: the shoppers (arrival rate, open or closed loop,
// spike or pause) and the gateway (routing policy, rate limit and what it rejects).

#include "tierpainter.h"

namespace stampede::ui {

class ShoppersPainter {
public:
    explicit ShoppersPainter(PaintContext &context);

    void paintShoppers(const QRectF &r, const Snapshot &snap);
    void paintGateway(const QRectF &r, const Snapshot &snap, const TopologySettings &settings);

private:
    // Title at the top, a value in the middle, a footer at the bottom; lines that do not fit go.
    void threeLines(const QRectF &r, const QString &title, const QStringList &value, double valueFactor,
        const QColor &valueColour, const QStringList &footer, const QColor &footerColour, bool footerBold);

    PaintContext &m_c;
};

} // namespace stampede::ui
