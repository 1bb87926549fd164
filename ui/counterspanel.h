#pragma once

// The right column: the numbers a room reads from the back. Attempts, sold, remaining, OVERSOLD
// (red and bold as soon as it is above 0), lost orders and the live p99; when the run reads
// product pages through its cache tier, the hit ratio and stale reads, and when it uses the order
// queue, the backlog and duplicate orders, a size smaller so that OVERSOLD stays the loudest number.

#include <QWidget>

#include <array>

class QGridLayout;
class QLabel;

namespace stampede {
struct Snapshot;
}

namespace stampede::ui {

struct Theme;

class CountersPanel : public QWidget {
    Q_OBJECT

public:
    enum Counter {
        Attempts,
        Sold,
        Remaining,
        Oversold,
        Lost,
        P99,
        HitRatio, // cache tier
        StaleReads,
        Backlog, // order queue
        Duplicates,
        FalseSoldOut, // shown once shoppers were told "sold out" while stock remained
        KeysMoved, // shown once the cache tier changed
        CounterCount
    };
    static constexpr int kPrimaryCount = HitRatio;

    explicit CountersPanel(QWidget *parent = nullptr);

    void showSnapshot(const Snapshot &s);
    void applyTheme(const Theme &theme);
    // One column beside the diagram; two in projector mode, where the numbers are much larger.
    // One column becomes two when it is too short for its numbers at kTwoColumnsBelow of their
    // size (the window then widens the panel).
    void setColumns(int columns);
    int columns() const { return m_columns; }
    static constexpr double kTwoColumnsBelow = 0.8;

    QString valueText(Counter c) const;
    // Shown in the panel (hidden ones are not in use by the run).
    bool isShown(Counter c) const;
    bool oversoldAlarm() const { return m_alarm; }
    QLabel *valueLabel(Counter c) const { return m_values[std::size_t(c)]; }
    // The numbers' size relative to the theme's: below 1 where the panel is too small for them.
    double fit() const { return m_fit; }
    QSize minimumSizeHint() const override;
    // As wide as the numbers at full size.
    QSize sizeHint() const override;

signals:
    // sizeHint() grew: the window gives the panel its room again
    void preferredWidthChanged();

protected:
    void resizeEvent(QResizeEvent *event) override;

private:
    void setAlarm(bool alarm);
    void setTiers(bool cache, bool queue);
    void setExtras(bool falseSoldOut, bool keysMoved);
    // Numbers smaller (never below a readable size) until the grid fits the panel.
    void fitToSize();
    int neededHeight() const;
    int neededWidth() const;
    // f(labels shown, row, column, column span) for each cell in the grid
    template<typename F> void forEachShownCell(F &&f) const;
    void relayout();
    void restyle();

    std::array<QLabel *, CounterCount> m_captions {};
    std::array<QLabel *, CounterCount> m_values {};
    std::array<QLabel *, CounterCount> m_details {};
    std::array<QWidget *, CounterCount> m_cells {};
    QGridLayout *m_grid = nullptr;
    int m_columns = 0, m_minColumns = 0;
    bool m_extrasBeside = false; // under two columns, the extra counters in a third (relayout)
    int m_fullHeight = 0; // the grid's height with the numbers at full size
    bool m_cache = false, m_queue = false;
    bool m_falseSoldOut = false, m_keysMoved = false;
    double m_fit = 1;
    int m_fullWidth = 0; // the widest the numbers needed at full size since the theme was set
    bool m_fitting = false;
    bool m_duplicates = false;
    bool m_alarm = false;
    bool m_themed = false;
    QColor m_text, m_muted, m_red, m_alarmBackground;
    double m_valuePt = 30, m_captionPt = 11, m_minPt = 8.5;
};

} // namespace stampede::ui
