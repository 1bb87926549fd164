#pragma once

// The bottom row of charts over the last 60 s of 100 ms ticks: throughput by outcome, latency
// percentiles, stock remaining vs sold, OVERSOLD, row-lock wait and node utilisation. Every
// chart carries the action markers. Fed one snapshot at a time; memory is fixed.

#include <QList>
#include <QWidget>

#include <memory>
#include <vector>

class QGridLayout;

namespace stampede {
struct Snapshot;
}

namespace stampede::ui {

class LiveChart;
struct Theme;

class ChartsPanel : public QWidget {
    Q_OBJECT

public:
    static constexpr double kWindowS = 60;

    explicit ChartsPanel(QWidget *parent = nullptr);

    // Every chart now (exports, screenshots, tests).
    void showSnapshot(const Snapshot &s);
    // Display-rate path: remember the snapshot, then refresh() a few charts per frame so that one
    // frame never pays for redrawing all of them (keeps the event loop responsive).
    void setSnapshot(std::shared_ptr<const Snapshot> s);
    int refresh(int maxCharts);
    void applyTheme(const Theme &theme);
    // One row of five, or two rows (three, then two) where fonts are large.
    void setRows(int rows);

    const QList<LiveChart *> &charts() const { return m_charts; }
    LiveChart *chart(const QString &key) const;
    // The largest point count of any series (bounded by the window, whatever the input).
    int maxSeriesPoints() const;

signals:
    void exportRequested(int chartIndex);

private:
    void applyColors(const Theme &theme);
    void updateChart(int index, const Snapshot &s);

    QList<LiveChart *> m_charts;
    QGridLayout *m_grid = nullptr;
    int m_rows = 0;
    LiveChart *m_throughput = nullptr;
    LiveChart *m_latency = nullptr;
    LiveChart *m_stock = nullptr;
    LiveChart *m_oversold = nullptr;
    LiveChart *m_lock = nullptr;
    std::shared_ptr<const Snapshot> m_pending;
    std::vector<bool> m_stale;
    int m_next = 0;
};

} // namespace stampede::ui
