#include "shopperspainter.h"

#include "format.h"

using namespace Qt::StringLiterals;

namespace stampede::ui {

ShoppersPainter::ShoppersPainter(PaintContext &context)
    : m_c(context)
{
}

void ShoppersPainter::threeLines(const QRectF &r, const QString &title, const QStringList &value, double valueFactor,
    const QColor &valueColour, const QStringList &footer, const QColor &footerColour, bool footerBold)
{
    m_c.boxLines(r, { title }, value, valueFactor, valueColour, footer, footerColour, footerBold);
}

void ShoppersPainter::paintShoppers(const QRectF &r, const Snapshot &snap)
{
    m_c.tierBox(u"shoppers"_s, r);
    const bool closed = snap.mode == TrafficMode::Closed;
    const QString rate = closed ? u"max"_s : compactRate(snap.ratePerS * snap.spikeFactor);
    QStringList footer { closed ? u"closed loop"_s : u"open loop"_s, closed ? u"closed"_s : u"open"_s };
    QColor colour = m_c.theme.mutedText;
    bool badge = false;
    if (snap.paused) {
        footer = { u"PAUSED"_s };
        colour = m_c.theme.draining;
        badge = true;
    } else if (snap.spikeFactor > 1.0001) {
        const QString factor = QString::number(snap.spikeFactor, 'g', 3);
        footer = { u"SPIKE ×"_s + factor, u"×"_s + factor };
        colour = m_c.theme.draining;
        badge = true;
    }
    threeLines(r, u"Shoppers"_s, { rate }, 1.3, m_c.theme.text, footer, colour, badge);
}

void ShoppersPainter::paintGateway(const QRectF &r, const Snapshot &snap, const TopologySettings &settings)
{
    m_c.tierBox(u"gateway"_s, r);
    const double limited = snap.recent.empty() ? 0.0 : snap.recent.back().rateLimited;
    if (limited > 0)
        threeLines(r, u"Gateway"_s, { settings.policy }, 0.95, m_c.theme.text,
            { u"rejects "_s + compactRate(limited), compactRate(limited) }, m_c.theme.rateLimited, true);
    else
        threeLines(r, u"Gateway"_s, { settings.policy }, 0.95, m_c.theme.text, { settings.rateLimit, u"no limit"_s },
            m_c.theme.mutedText, false);
}

} // namespace stampede::ui
