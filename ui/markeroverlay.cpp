#include "markeroverlay.h"

#include "format.h"

#include <QBrush>
#include <QFontMetricsF>
#include <QGraphicsRectItem>
#include <QGraphicsSimpleTextItem>
#include <QPen>

#include <algorithm>
#include <array>

using namespace Qt::StringLiterals;

namespace stampede::ui {

namespace {

constexpr double kPad = 3; // text inside its box
constexpr double kGap = 4; // between two boxes of a row
constexpr double kRowGap = 2; // between rows, and above the first

} // namespace

int markerPriority(const std::string &label)
{
    const auto has = [&](const char *word) { return label.find(word) != std::string::npos; };
    if (has("killed") || has("failed") || has("lost"))
        return 5;
    if (has("spike") || has("celebrity"))
        return 4;
    if (has("cache") || has("placement") || has("strategy") || has("counter") || has("single-flight")
        || has("fan-out push") || has("fan-out pull") || has("fan-out hybrid") || has("threshold") || has("rebuilt"))
        return 3;
    if (has("node") || has("consumer") || has("restock") || has("sold out") || has("worker") || has("shard"))
        return 2;
    return 1;
}

ChartMarker chartMarker(const Marker &m) { return { m.t, shortMarkerLabel(m.label), markerPriority(m.label) }; }

MarkerOverlay::MarkerOverlay(QGraphicsItem *chart)
{
    m_items.reserve(kPoolSize);
    m_boxes.reserve(kPoolSize);
    for (int i = 0; i < kPoolSize; ++i) {
        Item item;
        item.line = new QGraphicsRectItem(chart);
        item.line->setPen(Qt::NoPen);
        Box box;
        box.box = new QGraphicsRectItem(chart);
        box.text = new QGraphicsSimpleTextItem(box.box);
        box.box->setPen(Qt::NoPen);
        for (QGraphicsItem *g : { static_cast<QGraphicsItem *>(item.line), static_cast<QGraphicsItem *>(box.box) }) {
            g->setZValue(1000);
            g->setVisible(false);
            g->setAcceptedMouseButtons(Qt::NoButton);
        }
        m_items << item;
        m_boxes << box;
    }
}

void MarkerOverlay::setStyle(
    const QColor &line, const QColor &text, const QColor &background, const QFont &font, double lineWidth)
{
    // solid: a dashed pen costs the raster engine several times more per frame
    QColor lineColor = line;
    lineColor.setAlpha(170);
    m_lineWidth = std::max(1.0, lineWidth);
    QColor fill = background;
    fill.setAlpha(235);
    m_font = font;
    for (Item &item : m_items)
        item.line->setBrush(lineColor);
    for (Box &box : m_boxes) {
        box.box->setBrush(fill);
        box.text->setBrush(text);
        box.text->setFont(font);
    }
    relayout(m_plot);
}

void MarkerOverlay::setMarkers(const QList<ChartMarker> &markers, double tMin, double tMax)
{
    m_tMin = tMin;
    m_tMax = tMax;
    // newest kPoolSize markers inside the window, kept oldest first
    qsizetype first = markers.size();
    int count = 0;
    while (first > 0 && count < kPoolSize) {
        const ChartMarker &m = markers[first - 1];
        if (m.t < tMin)
            break;
        --first;
        if (m.t <= tMax)
            ++count;
    }
    int used = 0;
    for (qsizetype i = first; i < markers.size() && used < kPoolSize; ++i) {
        const ChartMarker &m = markers[i];
        if (m.t < tMin || m.t > tMax)
            continue;
        Item &item = m_items[used++];
        item.t = m.t;
        item.label = m.label;
        item.priority = m.priority;
    }
    m_used = used;
    relayout(m_plot);
}

double MarkerOverlay::rowHeight() const { return QFontMetricsF(m_font).height() + kPad; }

void MarkerOverlay::relayout(const QRectF &plotArea)
{
    m_plot = plotArea;
    const double span = m_tMax - m_tMin;
    const bool on = span > 0 && !m_plot.isEmpty();
    std::array<double, kPoolSize> xs {};
    for (int i = 0; i < kPoolSize; ++i) {
        Item &item = m_items[i];
        item.shown = false;
        const bool lineOn = on && i < m_used;
        item.line->setVisible(lineOn);
        if (!lineOn)
            continue;
        // inside the plot whatever the marker's time: a line far outside it would only cost
        const double x
            = std::clamp(m_plot.left() + (item.t - m_tMin) / span * m_plot.width(), m_plot.left(), m_plot.right());
        xs[std::size_t(i)] = x;
        item.line->setRect(x - m_lineWidth / 2, m_plot.top(), m_lineWidth, m_plot.height());
    }

    // Rows the plot can spare: at most 40 % of its height, none on a plot too short for data and
    // a label both.
    const QFontMetricsF fm(m_font);
    const double rowH = fm.height() + kPad;
    const double rowStep = rowH + kRowGap;
    int rows = on ? std::min(kLabelRows, int(m_plot.height() * 0.4 / rowStep)) : 0;
    if (rows == 0 && on && m_plot.height() >= 2.2 * rowStep)
        rows = 1;

    // Groups of markers too close for separate labels, oldest first.
    struct Group {
        QList<int> members; // item indices
        double x = 0;
        int priority = 0;
    };
    QList<Group> groups;
    const double mergePx = rowH * 1.5;
    for (int i = 0; i < m_used && on; ++i) {
        if (groups.isEmpty() || xs[std::size_t(i)] - groups.last().x > mergePx)
            groups.append({ {}, xs[std::size_t(i)], 0 });
        Group &g = groups.last();
        g.members << i;
        g.priority = std::max(g.priority, m_items[i].priority);
    }
    QList<int> order(groups.size());
    for (int i = 0; i < order.size(); ++i)
        order[i] = i;
    std::stable_sort(order.begin(), order.end(), [&](int a, int b) {
        if (groups[a].priority != groups[b].priority)
            return groups[a].priority > groups[b].priority;
        return a > b; // newest first among equals
    });

    struct Placed {
        int row;
        QRectF rect;
        QString text;
        QList<int> shown;
    };
    QList<Placed> placed;
    const auto fits = [&](const QRectF &r, int row) {
        if (r.left() < m_plot.left() || r.right() > m_plot.right())
            return false;
        for (const Placed &p : placed)
            if (p.row == row && r.left() < p.rect.right() + kGap && p.rect.left() < r.right() + kGap)
                return false;
        return true;
    };
    // the first free slot for `text` at x: right of the line, else left of it, in the lowest row
    const auto place = [&](double x, const QString &text, int *rowOut, QRectF *rectOut) {
        const double w = fm.horizontalAdvance(text) + 2 * kPad;
        if (w > m_plot.width())
            return false;
        for (int r = 0; r < rows; ++r) {
            const double top = m_plot.top() + kRowGap + r * rowStep;
            const double lefts[] = { std::clamp(x + 2, m_plot.left(), m_plot.right() - w),
                std::clamp(x - 2 - w, m_plot.left(), m_plot.right() - w) };
            for (const double left : lefts) {
                const QRectF rect(left, top, w, rowH);
                if (fits(rect, r)) {
                    *rowOut = r;
                    *rectOut = rect;
                    return true;
                }
            }
        }
        return false;
    };

    for (const int gi : order) {
        if (rows == 0)
            break;
        const Group &g = groups[gi];
        // the most important part first, so a shortened label keeps it
        QList<int> members = g.members;
        std::stable_sort(members.begin(), members.end(), [&](int a, int b) {
            if (m_items[a].priority != m_items[b].priority)
                return m_items[a].priority > m_items[b].priority;
            return a < b;
        });
        // distinct texts, each with the markers it names
        QStringList parts;
        QList<QList<int>> named;
        for (const int m : members) {
            const qsizetype k = parts.indexOf(m_items[m].label);
            if (k >= 0) {
                named[k] << m;
                continue;
            }
            parts << m_items[m].label;
            named.append(QList<int> { m });
        }
        int row = 0;
        QRectF rect;
        // in one label, the parts read in time order (left to right, as the lines stand)
        QStringList inTime;
        for (const int m : g.members)
            if (!inTime.contains(m_items[m].label))
                inTime << m_items[m].label;
        const QString full = inTime.join(u" · "_s);
        if (place(g.x, full, &row, &rect)) {
            placed.append({ row, rect, full, members });
            continue;
        }
        // too wide for one row: the parts, most important first, packed into lines that each take
        // a free row; what finds no room is counted on the last line ("+2")
        const double maxW = m_plot.width() * 0.9;
        qsizetype next = 0;
        while (next < parts.size()) {
            QString line = parts[next];
            QList<int> shown = named[next];
            qsizetype end = next + 1;
            while (end < parts.size() && fm.horizontalAdvance(line + u" · "_s + parts[end]) + 2 * kPad <= maxW) {
                line += u" · "_s + parts[end];
                shown += named[end];
                ++end;
            }
            if (place(g.x, line, &row, &rect)) {
                placed.append({ row, rect, line, shown });
                next = end;
                continue;
            }
            // no row for this line: a count of the rest where it fits, else only the lines
            int rest = 0;
            for (qsizetype k = next; k < parts.size(); ++k)
                rest += int(named[k].size());
            const QString more = u"+"_s + QString::number(rest) + u" more"_s;
            if (next == 0) {
                if (place(g.x, parts.first() + u" "_s + more, &row, &rect))
                    placed.append({ row, rect, parts.first() + u" "_s + more, named.first() });
                break;
            }
            // on this group's last line, where it still fits, else in a row of its own
            Placed last = placed.takeLast();
            const QString longer = last.text + u" "_s + more;
            QRectF wider(last.rect.topLeft(), QSizeF(fm.horizontalAdvance(longer) + 2 * kPad, last.rect.height()));
            if (wider.right() > m_plot.right())
                wider.moveRight(m_plot.right());
            if (fits(wider, last.row)) {
                last.rect = wider;
                last.text = longer;
                placed.append(last);
            } else {
                placed.append(last);
                if (place(g.x, more, &row, &rect))
                    placed.append({ row, rect, more, {} });
            }
            break;
        }
        // no room: the line alone shows the action
    }

    int rowsUsed = 0;
    for (int i = 0; i < kPoolSize; ++i) {
        Box &box = m_boxes[i];
        if (i >= placed.size()) {
            box.box->setVisible(false);
            continue;
        }
        const Placed &p = placed[i];
        rowsUsed = std::max(rowsUsed, p.row + 1);
        if (box.text->text() != p.text)
            box.text->setText(p.text);
        box.box->setRect(0, 0, p.rect.width(), p.rect.height());
        box.box->setPos(p.rect.topLeft());
        box.text->setPos(kPad, kPad / 2);
        box.box->setVisible(true);
        for (const int m : p.shown)
            m_items[m].shown = true;
    }
    m_band = rowsUsed > 0 ? kRowGap + rowsUsed * rowStep : 0;
}

QStringList MarkerOverlay::visibleLabels() const
{
    QStringList labels;
    for (int i = 0; i < m_used; ++i)
        if (m_items[i].shown)
            labels << m_items[i].label;
    return labels;
}

QList<QRectF> MarkerOverlay::labelRects() const
{
    QList<QRectF> rects;
    for (const Box &b : m_boxes)
        if (b.box->isVisible())
            rects << QRectF(b.box->pos(), b.box->rect().size());
    return rects;
}

QStringList MarkerOverlay::labelTexts() const
{
    QStringList texts;
    for (const Box &b : m_boxes)
        if (b.box->isVisible())
            texts << b.text->text();
    return texts;
}

} // namespace stampede::ui
