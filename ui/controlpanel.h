#pragma once

// The left column: traffic rate (logarithmic slider and a number field), spike, nodes, stock
// and run control. Buttons show the window's actions; the panel itself only
// owns the parameters those actions read (spike factor and length, restock units) and the rate
// input, which it validates before anything reaches the engine.

#include <QWidget>

class QAbstractButton;
class QDoubleSpinBox;
class QLabel;
class QLineEdit;
class QSlider;
class QSpinBox;

namespace stampede {
struct Snapshot;
}

namespace stampede::ui {

class ActionSet;
struct Theme;

class ControlPanel : public QWidget {
    Q_OBJECT

public:
    static constexpr int kSliderSteps = 600; // 100 steps per decade, 1/s .. 1 M/s

    explicit ControlPanel(const ActionSet &actions, QWidget *parent = nullptr);

    static double rateForSliderPosition(int position);
    static int sliderPositionForRate(double rate);

    double spikeFactor() const;
    double spikeSeconds() const;
    std::int64_t restockUnits() const;
    // The rate shown in the field (what "max" off and rate up/down start from).
    double rate() const;

    void setRestockUnits(std::int64_t units);
    void setSelectedNode(int id); // -1: none
    // Follows the engine (rate changed by a timeline event, closed loop) unless the person is
    // editing the field or dragging the slider.
    void showSnapshot(const Snapshot &s);
    void applyTheme(const Theme &theme);

    QSlider *rateSlider() const { return m_slider; }
    QLineEdit *rateField() const { return m_rateField; }

signals:
    // A valid rate the person asked for, 1..1 000 000 per second.
    void rateRequested(double perSecond);
    // A refused input, as one line for the status bar.
    void inputRejected(const QString &message);

private:
    void applyRateField();
    void showRate(double rate);
    QWidget *section(const QString &title, QWidget *content);

    QSlider *m_slider = nullptr;
    QLineEdit *m_rateField = nullptr;
    QDoubleSpinBox *m_spikeFactor = nullptr;
    QDoubleSpinBox *m_spikeSeconds = nullptr;
    QSpinBox *m_restockUnits = nullptr;
    QLabel *m_selected = nullptr;
    QList<QLabel *> m_headers;
    QList<QLabel *> m_scaleMarks;
    double m_rate = 0;
};

} // namespace stampede::ui
