#pragma once

// The charts over the last 60 s of 100 ms ticks, on pages of five that a tab bar (or the G
// key) switches between:
//  - flash sale: throughput by outcome, latency percentiles, stock remaining vs sold, OVERSOLD,
//    row-lock wait and node utilisation;
//  - cache & queue: hit ratio with store reads, orders in vs persisted (the shaved peak), queue
//    backlog and lag, cache stock vs store stock (divergence), stale reads and duplicates;
//  - fan-out (its runs only, which have no other page): the visibility curves, one per celebrity
//    post over the seconds since it (visibilitycurves.h), read latency, inbox writes against
//    reads and fetches, the backlog and its drain rate, stale reads and duplicates.
// Five charts is what a row can show readably on a projector; the window opens the page that fits
// the scenario, and cache & queue charts the run has no data for (no views, no queue) give their
// room to the others. Every chart carries the action markers. Fed one snapshot at a time; memory
// is fixed. The charts are data (chartspec.h); one update path draws them all.
//
// The time axis shows the run: a lesson shorter than the 60 s window fills the plot's width
// (0 to the run length), then the axis grows with the run up to 60 s and slides from there.

#include "visibilitycurves.h"

#include "config.h"

#include <QList>
#include <QWidget>

#include <array>
#include <memory>
#include <utility>
#include <vector>

class QGridLayout;
class QStackedWidget;
class QTabBar;

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
    enum Page { FlashSalePage, CacheQueuePage, FanoutPage, PageCount };

    explicit ChartsPanel(QWidget *parent = nullptr);

    // Every chart now, on both pages (exports, screenshots, tests).
    void showSnapshot(const Snapshot &s);
    // Display-rate path: remember the snapshot, then refresh() a few charts of the page shown per
    // frame so that one frame never pays for redrawing all of them (keeps the event loop
    // responsive). Charts of the hidden page catch up when their page is shown.
    void setSnapshot(std::shared_ptr<const Snapshot> s);
    int refresh(int maxCharts);
    // Every chart brought up to date now, shown or not (before a screenshot or an export).
    void catchUp();
    void applyTheme(const Theme &theme);
    // The scenario's length in seconds (0: unknown): shorter runs get a time axis of their length.
    void setRunLength(double seconds);
    double runLength() const { return m_runLength; }
    // The time axis for this snapshot: [tMin, tMax].
    std::pair<double, double> timeWindow(const Snapshot &s) const;
    // Each page: one row of five, or two rows (three, then two) where fonts are large.
    void setRows(int rows);
    int rows() const { return m_rows; }
    // Legends right of the plots (two tall rows of large type) or under them.
    void setLegendBeside(bool beside);

    // The pages of the workload's charts: the flash sale's two, or the fan-out's one. The tab bar
    // shows only those; setPage() to another one does nothing.
    void setWorkload(WorkloadKind workload);
    bool pageAvailable(int page) const;
    int pageCount() const; // available ones
    int page() const;
    void setPage(int page);
    void nextPage(); // the next available page, round (G)
    const VisibilityCurves &visibility() const { return m_curves; }
    int pageOf(const LiveChart *chart) const;
    QTabBar *tabBar() const { return m_tabs; }

    // Both pages, flash sale first; an index here is what exportChart() takes.
    const QList<LiveChart *> &charts() const { return m_charts; }
    LiveChart *chart(const QString &key) const;
    // The largest point count of any series (bounded by the window, whatever the input).
    int maxSeriesPoints() const;

signals:
    void exportRequested(int chartIndex);
    void pageChanged(int page);

private:
    void applyColors(const Theme &theme);
    void updateChart(int index, const Snapshot &s);
    void updateTitle(int index, const Snapshot &s);
    void updateVisibility(int index, const Snapshot &s);
    void layoutPage(int page);
    // Hides the cache & queue charts without data for this run; true when that changed.
    bool showChartsInUse(const Snapshot &s);
    bool isShown(const LiveChart *chart) const { return !m_hidden.contains(chart); }
    void showPageAlarms(const Snapshot &s);

    QList<LiveChart *> m_charts;
    std::array<QList<LiveChart *>, PageCount> m_pageCharts;
    std::array<QWidget *, PageCount> m_pages {};
    std::array<QGridLayout *, PageCount> m_grids {};
    QStackedWidget *m_stack = nullptr;
    QTabBar *m_tabs = nullptr;
    int m_rows = 0;
    bool m_projector = false;
    bool m_legendBeside = false;
    std::vector<bool> m_split; // per chart: secondary series on the right axis
    QList<const LiveChart *> m_wide; // charts taking a full column share now (ChartSpec::wide)
    double m_runLength = 0;
    std::shared_ptr<const Snapshot> m_pending;
    std::vector<bool> m_stale;
    QList<const LiveChart *> m_hidden; // no data for the run
    int m_next = 0;
    WorkloadKind m_workload = WorkloadKind::FlashSale;
    VisibilityCurves m_curves;
    QColor m_tabText, m_tabAlarm;
};

} // namespace stampede::ui
