#pragma once

// Run ▸ Scaling sweep: the scenario swept over nodes (or the sweep it carries), live. Points
// appear on the chart and in the table as each finishes; with three or more the Universal
// Scalability Law is fitted and drawn with its N_max, beside a line of perfect scaling, and the
// table gives throughput per price (scale up against scale out). Esc or Cancel stops the sweep.

#include "sweep.h"
#include "theme.h"

#include <QDialog>

class QChart;
class QLabel;
class QLineSeries;
class QProgressBar;
class QPushButton;
class QScatterSeries;
class QTableWidget;
class QValueAxis;

namespace stampede::ui {

class SweepRunner;

class ScalingDialog : public QDialog {
    Q_OBJECT

public:
    // The sweep of `scenario` (its own, or nodes 1, 2, 4, 8, 16 at full load when it has none).
    ScalingDialog(const Scenario &scenario, const QString &name, QWidget *parent = nullptr);
    ~ScalingDialog() override;

    static SweepSpec defaultSpec(const Scenario &scenario);
    void setSpec(const SweepSpec &spec); // while not running (tests use short sweeps)
    const SweepSpec &spec() const { return m_spec; }

    // The window's look: its fonts (projector mode: larger) on the labels, table and chart.
    void applyTheme(const Theme &theme);

    void startSweep();
    void cancelSweep();
    bool running() const;

    SweepRunner *runner() const { return m_runner; }
    QTableWidget *table() const { return m_table; }
    QScatterSeries *measuredSeries() const { return m_measured; }
    QLineSeries *fitSeries() const { return m_fit; }
    QLineSeries *peakSeries() const { return m_peak; }
    QLabel *fitLabel() const { return m_fitLabel; }
    QLabel *statusLabel() const { return m_status; }
    QPushButton *startButton() const { return m_start; }
    QPushButton *cancelButton() const { return m_cancel; }

public slots:
    void reject() override; // Esc: cancels a running sweep, else closes

private:
    void showPoint(int index);
    void showProgress(int index, double runS);
    void showFinished(bool cancelled);
    void showSpec();
    void redrawCurves();

    Scenario m_scenario;
    QString m_name;
    SweepSpec m_spec;
    SweepRunner *m_runner = nullptr;
    QLabel *m_specLabel = nullptr, *m_status = nullptr, *m_fitLabel = nullptr, *m_priceLabel = nullptr;
    QProgressBar *m_progress = nullptr;
    QPushButton *m_start = nullptr, *m_cancel = nullptr;
    QTableWidget *m_table = nullptr;
    QChart *m_chart = nullptr;
    QScatterSeries *m_measured = nullptr;
    QLineSeries *m_fit = nullptr, *m_linear = nullptr, *m_peak = nullptr;
    QValueAxis *m_x = nullptr, *m_y = nullptr;
};

} // namespace stampede::ui
