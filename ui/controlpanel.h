#pragma once

// The left column: traffic rate (logarithmic slider and a number field), spike, nodes, stock,
// run control, then the cache tier and the order queue; on a fan-out run, the fan-out's controls
// (fanoutcontrols.h) in place of nodes, stock, cache and queue. Buttons show the window's
// actions; the panel itself only owns the parameters those actions read (spike factor and length,
// restock units, TTL jitter, views per purchase) and the rate input, which it validates before
// anything reaches the engine.

#include <QWidget>

class QAbstractButton;
class QDoubleSpinBox;
class QLabel;
class QLineEdit;
class QSlider;
class QSpinBox;

namespace stampede {
struct EngineConfig;
struct Snapshot;
}

namespace stampede::ui {

class ActionSet;
class FanoutControls;
struct Theme;

class ControlPanel : public QWidget {
    Q_OBJECT

public:
    static constexpr int kSliderSteps = 600; // 100 steps per decade, 1/s .. 1 M/s (the lesson range)

    explicit ControlPanel(const ActionSet &actions, QWidget *parent = nullptr);

    static double rateForSliderPosition(int position);
    static int sliderPositionForRate(double rate);

    double spikeFactor() const;
    double spikeSeconds() const;
    std::int64_t restockUnits() const;
    // The rate shown in the field (what "max" off and rate up/down start from).
    double rate() const;

    // What the TTL jitter and views toggles switch on to: the box's value, or the last value
    // above 0 when the box shows 0 (the engine's current setting is off).
    double ttlJitterOnValue() const; // fraction 0..1
    double readRatioOnValue() const; // views per purchase

    // The sections of the run's workload: the flash sale's, or the fan-out's.
    void setWorkload(const EngineConfig &config);
    FanoutControls *fanoutControls() const { return m_fanout; }

    void setRestockUnits(std::int64_t units);
    void setSelectedNode(int id); // -1: none
    void setSelectedCacheNode(int id);
    void setSelectedConsumer(int id);
    // Follows the engine (rate changed by a timeline event, closed loop) unless the person is
    // editing the field or dragging the slider.
    void showSnapshot(const Snapshot &s);
    void applyTheme(const Theme &theme);

    QSlider *rateSlider() const { return m_slider; }
    QLineEdit *rateField() const { return m_rateField; }
    QSpinBox *ttlJitterBox() const { return m_ttlJitter; }
    QSpinBox *readRatioBox() const { return m_readRatio; }

signals:
    // A valid rate the person asked for, 1..1 000 000 per second.
    void rateRequested(double perSecond);
    // A TTL jitter (fraction 0..1) or a read ratio (views per purchase) set in its box.
    void ttlJitterRequested(double fraction);
    void readRatioRequested(double viewsPerPurchase);
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
    QLabel *m_selectedCache = nullptr;
    QLabel *m_selectedConsumer = nullptr;
    QSpinBox *m_ttlJitter = nullptr; // percent
    QSpinBox *m_readRatio = nullptr;
    double m_lastJitter = 0.2; // last value above 0, for the toggle
    double m_lastReadRatio = 100;
    QList<QLabel *> m_headers;
    QList<QWidget *> m_flashSale; // the sections a fan-out run hides
    FanoutControls *m_fanout = nullptr;
    QList<QLabel *> m_scaleMarks;
    double m_rate = 0;
};

} // namespace stampede::ui
