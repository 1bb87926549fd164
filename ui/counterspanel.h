#pragma once

// The right column: the numbers a room reads from the back. Attempts, sold, remaining, OVERSOLD
// (red and bold as soon as it is above 0), lost orders and the live p99; when the run reads
// product pages through its cache tier, the hit ratio and stale reads, and when it uses the order
// queue, the backlog and duplicate orders, a size smaller so that OVERSOLD stays the loudest number.
// A fan-out run shows its own: the newest celebrity post's followers reached, the fan-out backlog,
// the reads' p99, fetches per read, stale reads and duplicates (red above 0), and a size smaller
// the inbox entries held and the workers up.

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
        // the fan-out's, in place of all of the above on its runs
        Reached, // followers that have the newest celebrity post
        FanoutBacklog,
        ReadP99,
        FetchesPerRead,
        FanoutStale,
        FanoutDuplicates,
        Entries, // inbox entries held
        WorkersUp,
        CounterCount
    };
    static constexpr int kPrimaryCount = HitRatio; // the flash sale's big six
    static constexpr int kFanoutFirst = Reached;
    static constexpr int kFanoutPrimaryEnd = Entries; // the fan-out's big six end here

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
    // One of the big numbers of the run's workload (the others are a size smaller).
    bool isPrimary(Counter c) const;
    bool fanout() const { return m_fanout; }
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
    void setFanout(bool fanout);
    void showFanout(const Snapshot &s);
    // The counters of the workload in grid order: the big ones, then the smaller ones.
    QList<int> primaries() const;
    QList<int> extras() const;
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
    bool m_duplicates = false, m_fanoutDuplicates = false;
    bool m_fanout = false;
    bool m_alarm = false;
    bool m_themed = false;
    QColor m_text, m_muted, m_red, m_alarmBackground;
    double m_valuePt = 30, m_captionPt = 11, m_minPt = 8.5;
};

} // namespace stampede::ui
