#pragma once

// Compare mode (issue 15): two engines side by side under the same seed and traffic, one setting
// apart (app/compare.h). A top-level window of its own, like the scaling sweep: it owns its two
// engines, polls their snapshots at display rate and sends every action to both. Counters for A
// and B in one table; charts overlaid (A solid, B dashed, one colour per metric) or stacked (A's
// row above B's). Closing it hands both engines to a helper thread that destroys them, so the
// GUI thread never waits for an engine to stop.

#include "chartspec.h"
#include "compare.h"
#include "theme.h"

#include <QList>
#include <QString>
#include <QTimer>
#include <QWidget>

#include <array>
#include <functional>
#include <memory>
#include <vector>

class QAction;
class QComboBox;
class QGridLayout;
class QLabel;
class QLineEdit;
class QStackedWidget;
class QToolButton;

namespace stampede::ui {

class LiveChart;

class CompareWindow : public QWidget {
    Q_OBJECT

public:
    enum Side { A, B, SideCount };
    enum Counter { Attempts, Succeeded, Sold, Oversold, P99, Throughput, CounterCount };
    enum Layout { Overlaid, Stacked };
    static constexpr int kChartCount = 5; // a row of five reads on a projector, as the main window's
    static constexpr int kFrameIntervalMs = 50; // snapshots come every 100 ms

    // Builds and starts both sides from `base` (named `name`: the preset or file). A spec that
    // does not apply leaves the window without engines and its error in statusText().
    CompareWindow(const Scenario &base, const QString &name, const CompareSpec &spec, QWidget *parent = nullptr);
    ~CompareWindow() override;

    // What the lead's Run ▸ Compare… and `--compare` call: a window that deletes itself when
    // closed, themed and shown; nullptr (and *error) when the spec does not apply to `base`.
    static CompareWindow *open(const Scenario &base, const QString &name, const CompareSpec &spec, const Theme &theme,
        QWidget *parent, QString *error);
    // strategy: the scenario's against atomic (naive when it is atomic); a fan-out run's mode
    // against pull (push when it is pull).
    static CompareSpec defaultSpec(const Scenario &base);
    // The keys the combo offers (free text takes any JSON path).
    static const QStringList &commonKeys();

    // Rebuilds both engines for `spec`, started together. On failure the running pair keeps
    // running and *error is one line naming the setting's path.
    bool apply(const CompareSpec &spec, QString *error);
    const CompareSpec &spec() const { return m_spec; }
    const Scenario &scenario(int side) const { return m_sides[std::size_t(side)].scenario; }
    Engine *engine(int side) const { return m_sides[std::size_t(side)].engine.get(); }
    std::shared_ptr<const Snapshot> snapshot(int side) const;
    QString sideLabel(int side) const; // "A naive"

    void applyTheme(const Theme &theme);
    const Theme &theme() const { return m_theme; }
    void setLayoutMode(Layout layout);
    Layout layoutMode() const { return m_layout; }
    // Every chart and counter from the latest snapshots now (screenshots, tests).
    void showLatest();

    // Tests and screenshots.
    QString headerText() const;
    QString statusText() const { return m_statusFull; }
    QString counterText(int side, Counter c) const;
    QLabel *counterLabel(int side, Counter c) const { return m_values[std::size_t(side)][std::size_t(c)]; }
    QString counterCaption(Counter c) const;
    // Overlaid: chart i holds A's series and B's; stacked: stackedChart(i, A) above stackedChart(i, B).
    LiveChart *overlaidChart(int i) const { return m_overlaid[std::size_t(i)]; }
    LiveChart *stackedChart(int i, int side) const { return m_stacked[std::size_t(side)][std::size_t(i)]; }
    // The charts of the layout shown, A's first when stacked.
    QList<LiveChart *> visibleCharts() const;
    // The series of side `side` in overlaid chart i (the first per side is its chart's metric).
    QList<int> seriesOf(int i, int side) const;
    QComboBox *keyBox() const { return m_key; }
    QLineEdit *valueField(int side) const { return m_valueFields[std::size_t(side)]; }

    struct Actions {
        QAction *startPause = nullptr, *reset = nullptr, *spike = nullptr, *addNode = nullptr, *killNode = nullptr,
                *restock = nullptr, *rateUp = nullptr, *rateDown = nullptr, *post = nullptr, *toggleLayout = nullptr,
                *apply = nullptr, *close = nullptr;
    };
    const Actions &actions() const { return m_actions; }

    void togglePause();
    void reset();
    void spike();
    void addNode();
    void killNode();
    void restock();
    void scaleRate(double factor);
    void rateUp();
    void rateDown();
    void celebrityPost();
    void toggleLayout();
    void closeWindow(); // Esc: stops both engines without waiting for them
    // Side's OVERSOLD (a fan-out run: DUPLICATES) is above 0: red.
    bool counterRed(int side) const;

protected:
    void closeEvent(QCloseEvent *event) override;
    void showEvent(QShowEvent *event) override;
    void resizeEvent(QResizeEvent *event) override;
    // The header, status and numbers fit again when their labels' room changes (a theme's
    // larger type narrows them without resizing the window).
    bool eventFilter(QObject *watched, QEvent *event) override;

private:
    struct SideState {
        Scenario scenario;
        std::unique_ptr<Engine> engine;
        std::uint64_t seenSeq = 0;
    };
    // One metric of a chart: its value per tick, colour and axis; B repeats it dashed.
    struct Metric {
        QString name; // empty: the side's label alone ("A naive")
        QColor Theme::*color = nullptr;
        TickValue value = nullptr;
        LiveChart::Axis axis = LiveChart::Axis::Left;
    };
    struct ChartDef {
        QString key, title;
        AxisSpec left, right;
        std::vector<Metric> metrics;
        TitleText titleText = nullptr;
    };
    static const std::vector<ChartDef> &flashSaleCharts();
    static const std::vector<ChartDef> &fanoutCharts();
    const std::vector<ChartDef> &charts() const;

    QAction *addAction(
        const QString &text, const QList<QKeySequence> &keys, const QString &tip, void (CompareWindow::*slot)());
    void buildCharts(); // for the workload: the flash sale's four or the fan-out's
    void nameSeries(); // "A naive" / "B atomic" in the legends
    void restyleCharts();
    void refreshChart(int shownIndex);
    void setRed(int side, bool red);
    void fitTexts(); // header and numbers as large as their room allows
    void scheduleFit();
    void applyFromFields();
    void runCommand(const QString &what, const std::function<CommandResult(Engine &)> &send);
    void showStatus(const QString &text, bool error);
    void poll();
    void showCounters();
    void updateChart(LiveChart *chart, int def, const std::vector<int> &sides);
    std::pair<double, double> timeWindow() const;
    void retireEngines();
    void showSpec();
    void fitStatus();

    Scenario m_base;
    QString m_name;
    CompareSpec m_spec;
    Theme m_theme;
    std::array<SideState, SideCount> m_sides;
    bool m_fanout = false;
    bool m_paused = false;
    Layout m_layout = Overlaid;
    QTimer m_frameTimer;
    int m_nextChart = 0;
    std::vector<bool> m_stale; // per chart of the shown layout

    bool m_fitPending = false;
    bool m_chartsFanout = false; // the workload the charts were built for
    std::array<bool, SideCount> m_red {};
    QLabel *m_header = nullptr, *m_shared = nullptr, *m_status = nullptr;
    std::array<QLabel *, SideCount> m_tags {};
    QString m_headerFull;
    QString m_statusFull;
    bool m_statusError = false;
    QComboBox *m_key = nullptr;
    std::array<QLineEdit *, SideCount> m_valueFields {};
    QToolButton *m_applyButton = nullptr;
    QList<QToolButton *> m_buttons;
    QToolButton *m_postButton = nullptr, *m_restockButton = nullptr;
    QGridLayout *m_counterGrid = nullptr;
    QWidget *m_counters = nullptr;
    std::array<QLabel *, CounterCount> m_captions {};
    std::array<QLabel *, SideCount> m_sideNames {};
    std::array<std::array<QLabel *, CounterCount>, SideCount> m_values {};
    QStackedWidget *m_chartStack = nullptr;
    std::array<LiveChart *, kChartCount> m_overlaid {};
    std::array<std::array<LiveChart *, kChartCount>, SideCount> m_stacked {};
    Actions m_actions;
};

} // namespace stampede::ui
