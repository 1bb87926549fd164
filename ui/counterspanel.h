#pragma once

// The right column: the numbers a room reads from the back. Attempts, sold, remaining, OVERSOLD
// (red and bold as soon as it is above 0), lost orders and the live p99.

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
    enum Counter { Attempts, Sold, Remaining, Oversold, Lost, P99, CounterCount };

    explicit CountersPanel(QWidget *parent = nullptr);

    void showSnapshot(const Snapshot &s);
    void applyTheme(const Theme &theme);
    // One column beside the diagram; two in projector mode, where the numbers are much larger.
    void setColumns(int columns);

    QString valueText(Counter c) const;
    bool oversoldAlarm() const { return m_alarm; }
    QLabel *valueLabel(Counter c) const { return m_values[std::size_t(c)]; }

private:
    void setAlarm(bool alarm);
    void restyle();

    std::array<QLabel *, CounterCount> m_captions {};
    std::array<QLabel *, CounterCount> m_values {};
    std::array<QLabel *, CounterCount> m_details {};
    std::array<QWidget *, CounterCount> m_cells {};
    QGridLayout *m_grid = nullptr;
    int m_columns = 0;
    bool m_alarm = false;
    bool m_themed = false;
    QColor m_text, m_muted, m_red, m_alarmBackground;
    double m_valuePt = 30, m_captionPt = 11;
};

} // namespace stampede::ui
