#pragma once

// Measures how responsive the GUI thread is: a 16 ms timer notes how late each of its ticks
// fires; p99 of that lateness over the last few seconds is the "stall" in the status bar.

#include <QElapsedTimer>
#include <QObject>
#include <QTimer>

#include <vector>

namespace stampede::ui {

class StallMeter : public QObject {
    Q_OBJECT

public:
    static constexpr int kIntervalMs = 16;
    static constexpr int kWindowMs = 5000;

    explicit StallMeter(QObject *parent = nullptr);

    void start();
    // Over the samples of the last kWindowMs; 0 before the first sample.
    double p99Ms() const;
    double maxMs() const;
    int sampleCount() const;

private:
    struct Sample {
        qint64 atMs = 0;
        double lateMs = 0;
    };

    void onTick();
    template<typename F> void forRecent(F &&f) const;

    QTimer m_timer;
    QElapsedTimer m_clock;
    qint64 m_lastNs = 0;
    std::vector<Sample> m_ring; // fixed size, overwritten in place
    std::size_t m_next = 0;
    std::size_t m_filled = 0;
    mutable std::vector<double> m_scratch; // reused by p99Ms()
};

} // namespace stampede::ui
