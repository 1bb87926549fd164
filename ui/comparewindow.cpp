#include "comparewindow.h"

#include "enginegraves.h"

#include "format.h"
#include "livechart.h"

#include <QAction>
#include <QApplication>
#include <QCloseEvent>
#include <QComboBox>
#include <QCoreApplication>
#include <QGridLayout>
#include <QHBoxLayout>
#include <QLabel>
#include <QLegend>
#include <QLineEdit>
#include <QRegularExpression>
#include <QStackedWidget>
#include <QToolButton>
#include <QVBoxLayout>
#include <QValueAxis>

#include <algorithm>
#include <cmath>
#include <exception>
#include <limits>

using namespace Qt::StringLiterals;

#pragma GCC diagnostic ignored "-Wmissing-field-initializers"

namespace stampede::ui {

namespace {

using Axis = LiveChart::Axis;
using Value = std::optional<double>;

constexpr double kWindowS = 60; // the charts' sliding window, as the main window's
constexpr double kSpikeFactor = 10, kSpikeSeconds = 5; // the main window's defaults
constexpr std::int64_t kRestockUnits = 1000;

bool answered(const TickSample &x) { return x.succeeded + x.soldOut + x.rateLimited + x.failed > 0; }

TickSample lastTick(const Snapshot &s) { return s.recent.empty() ? TickSample {} : s.recent.back(); }

} // namespace

// ---------------------------------------------------------------- the charts as data

const std::vector<CompareWindow::ChartDef> &CompareWindow::flashSaleCharts()
{
    static const std::vector<ChartDef> defs {
        { .key = u"throughput"_s,
            .title = u"Throughput ok"_s,
            .left = { .title = u"req/s"_s },
            .metrics = { { {}, &Theme::succeeded, [](const TickSample &x) -> Value { return x.succeeded; } } } },
        { .key = u"latency"_s,
            .title = u"Latency p99"_s,
            .left = { .title = u"p99"_s, .kind = AxisKind::Milliseconds },
            .metrics = { { {}, &Theme::p99,
                [](const TickSample &x) -> Value { return answered(x) ? Value(x.p99Ms) : Value(); } } } },
        { .key = u"stock"_s,
            .title = u"Stock left"_s,
            .left = { .title = u"units"_s, .minimumTop = 10, .integer = true },
            .metrics = { { {}, &Theme::remaining,
                [](const TickSample &x) { return x.store ? Value(double(x.store->stockRemaining)) : Value(); } } } },
        // its own chart (as in the main window): on one axis with the stock it would flatten it
        { .key = u"oversold"_s,
            .title = u"OVERSOLD"_s,
            .left = { .title = u"units"_s, .minimumTop = 10, .integer = true },
            .metrics = { { {}, &Theme::oversold,
                [](const TickSample &x) { return x.store ? Value(double(x.store->oversold)) : Value(); } } } },
        { .key = u"lock"_s,
            .title = u"Lock wait"_s,
            .left = { .title = u"wait"_s, .kind = AxisKind::Milliseconds, .minimumTop = 0.1 },
            .metrics = { { {}, &Theme::lockWait,
                [](const TickSample &x) { return x.store ? Value(x.store->lockWaitMeanMs) : Value(); } } } },
    };
    return defs;
}

const std::vector<CompareWindow::ChartDef> &CompareWindow::fanoutCharts()
{
    static const std::vector<ChartDef> defs {
        { .key = u"throughput"_s,
            .title = u"Throughput ok"_s,
            .left = { .title = u"req/s"_s },
            .metrics = { { {}, &Theme::succeeded, [](const TickSample &x) -> Value { return x.succeeded; } } } },
        { .key = u"visibility"_s,
            .title = u"Visible"_s,
            .left = { .title = u"followers"_s, .kind = AxisKind::Percent, .fixed = std::pair { 0.0, 100.0 } },
            .metrics = { { {}, &Theme::post1,
                [](const TickSample &x) { return x.fanout ? Value(x.fanout->visible * 100) : Value(); } } } },
        { .key = u"readLatency"_s,
            .title = u"Read p99"_s,
            .left = { .title = u"read"_s, .kind = AxisKind::Milliseconds, .minimumTop = 0.2 },
            .metrics = { { {}, &Theme::p99,
                [](const TickSample &x) { return x.fanout && x.fanout->reads > 0 ? Value(x.p99Ms) : Value(); } } } },
        { .key = u"backlog"_s,
            .title = u"Fan-out backlog"_s,
            .left = { .title = u"writes"_s, .integer = true },
            .metrics = { { {}, &Theme::fanoutBacklog,
                [](const TickSample &x) { return x.fanout ? Value(double(x.fanout->backlog)) : Value(); } } } },
        { .key = u"stale"_s,
            .title = u"Stale reads"_s,
            .left = { .title = u"stale/s"_s },
            .metrics = { { {}, &Theme::staleReads,
                [](const TickSample &x) { return x.fanout ? Value(x.fanout->staleReads) : Value(); } } } },
    };
    return defs;
}

const std::vector<CompareWindow::ChartDef> &CompareWindow::charts() const
{
    return m_fanout ? fanoutCharts() : flashSaleCharts();
}

const QStringList &CompareWindow::commonKeys()
{
    static const QStringList keys { u"strategy"_s, u"nodes"_s, u"rate"_s, u"cores"_s, u"stock"_s, u"placement"_s,
        u"single_flight"_s, u"idempotent"_s, u"consumers"_s, u"coordination"_s, u"read_ratio"_s, u"policy"_s,
        u"fanout_mode"_s, u"threshold"_s };
    return keys;
}

CompareSpec CompareWindow::defaultSpec(const Scenario &base)
{
    QString error;
    QString text;
    if (base.config.workload == WorkloadKind::Fanout) {
        const QString a = fromStd(toString(base.config.fanout.mode));
        text = u"fanout_mode="_s + a + u',' + (a == u"pull"_s ? u"push"_s : u"pull"_s);
    } else {
        const QString a = fromStd(toString(base.config.strategy));
        text = u"strategy="_s + a + u',' + (a == u"atomic"_s ? u"naive"_s : u"atomic"_s);
    }
    return parseCompare(text, &error).value_or(CompareSpec { u"strategy"_s, u"strategy"_s, u"naive"_s, u"atomic"_s });
}

// ---------------------------------------------------------------- construction

CompareWindow::CompareWindow(const Scenario &base, const QString &name, const CompareSpec &spec, QWidget *parent)
    : QWidget(parent, Qt::Window)
    , m_base(base)
    , m_name(name)
    , m_spec(spec)
    , m_theme(Theme::make(false, false))
{
    setObjectName(u"compareWindow"_s);
    setWindowTitle(u"Compare — "_s + name);
    setFocusPolicy(Qt::StrongFocus); // the one-key actions stay with the window, not a field
    setAutoFillBackground(true);
    m_fanout = base.config.workload == WorkloadKind::Fanout;

    auto *outer = new QVBoxLayout(this);
    outer->setContentsMargins(8, 6, 8, 6);
    outer->setSpacing(4);

    // header: what differs, and what is shared
    auto *headerRow = new QHBoxLayout;
    m_header = new QLabel;
    m_header->setObjectName(u"compareHeader"_s);
    m_header->setSizePolicy(QSizePolicy::Ignored, QSizePolicy::Preferred);
    m_shared = new QLabel;
    m_shared->setObjectName(u"compareShared"_s);
    m_shared->setAlignment(Qt::AlignRight | Qt::AlignVCenter);
    headerRow->addWidget(m_header, 1);
    headerRow->addWidget(m_shared);
    outer->addLayout(headerRow);

    // the setting compared, its two values, Apply; the status of the last action beside them
    auto *specRow = new QHBoxLayout;
    m_key = new QComboBox;
    m_key->setObjectName(u"compareKey"_s);
    m_key->setEditable(true); // any JSON path ("cache.ttl_ms") beside the common keys
    m_key->setInsertPolicy(QComboBox::NoInsert);
    m_key->addItems(commonKeys());
    m_key->setToolTip(u"The setting that differs: a common key or any scenario JSON path"_s);
    m_key->setSizeAdjustPolicy(QComboBox::AdjustToContents);
    specRow->addWidget(m_key);
    for (int side = 0; side < SideCount; ++side) {
        auto *tag = new QLabel(side == A ? u"A"_s : u"B"_s);
        auto *field = new QLineEdit;
        field->setObjectName(side == A ? u"compareValueA"_s : u"compareValueB"_s);
        field->setToolTip(u"Side %1's value (a JSON literal or a word); Enter applies"_s.arg(side == A ? u'A' : u'B'));
        connect(field, &QLineEdit::returnPressed, this, &CompareWindow::applyFromFields);
        m_valueFields[std::size_t(side)] = field;
        m_tags[std::size_t(side)] = tag;
        specRow->addWidget(tag);
        specRow->addWidget(field);
    }
    connect(m_key->lineEdit(), &QLineEdit::returnPressed, this, &CompareWindow::applyFromFields);
    m_actions.apply = addAction(u"Apply"_s, { QKeySequence(u"Ctrl+Return"_s) },
        u"Rebuild both engines with these values, started together"_s, &CompareWindow::applyFromFields);
    m_applyButton = new QToolButton;
    m_applyButton->setDefaultAction(m_actions.apply);
    m_applyButton->setFocusPolicy(Qt::NoFocus);
    m_applyButton->setObjectName(u"compareApply"_s);
    specRow->addWidget(m_applyButton);
    m_status = new QLabel;
    m_status->setObjectName(u"compareStatus"_s);
    m_status->setSizePolicy(QSizePolicy::Ignored, QSizePolicy::Preferred);
    specRow->addSpacing(8);
    specRow->addWidget(m_status, 1);
    outer->addLayout(specRow);

    // the actions, each sent to both engines
    auto *actionRow = new QHBoxLayout;
    actionRow->setSpacing(4);
    m_actions.startPause = addAction(u"❚❚ Pause"_s, { QKeySequence(Qt::Key_Space) },
        u"Start or pause both runs (Space)"_s, &CompareWindow::togglePause);
    m_actions.reset = addAction(
        u"Reset"_s, { QKeySequence(u"Ctrl+R"_s) }, u"Both runs back to their start (Ctrl+R)"_s, &CompareWindow::reset);
    m_actions.spike = addAction(
        u"Spike ×10"_s, { QKeySequence(Qt::Key_S) }, u"×10 traffic for 5 s on both (S)"_s, &CompareWindow::spike);
    m_actions.addNode = addAction(u"+ Node"_s, { QKeySequence(Qt::Key_Plus), QKeySequence(Qt::Key_A) },
        u"Add a node to both (+ or A); a fan-out run: a fan-out worker"_s, &CompareWindow::addNode);
    m_actions.killNode = addAction(u"Kill node"_s, { QKeySequence(Qt::Key_K) },
        u"Kill the first node of both (K); a fan-out run: a fan-out worker"_s, &CompareWindow::killNode);
    m_actions.restock = addAction(u"Restock"_s, { QKeySequence(Qt::Key_R) },
        u"+%1 units on both (R)"_s.arg(kRestockUnits), &CompareWindow::restock);
    m_actions.post = addAction(
        u"Post"_s, { QKeySequence(Qt::Key_P) }, u"The celebrity posts, on both (P)"_s, &CompareWindow::celebrityPost);
    m_actions.rateUp = addAction(
        u"Rate ×2"_s, { QKeySequence(u"Ctrl+Up"_s) }, u"Double both arrival rates (Ctrl+Up)"_s, &CompareWindow::rateUp);
    m_actions.rateDown = addAction(u"Rate ÷2"_s, { QKeySequence(u"Ctrl+Down"_s) },
        u"Halve both arrival rates (Ctrl+Down)"_s, &CompareWindow::rateDown);
    m_actions.toggleLayout = addAction(u"Stacked"_s, { QKeySequence(Qt::Key_L) },
        u"Charts overlaid (A solid, B dashed) or stacked, A's above B's (L)"_s, &CompareWindow::toggleLayout);
    m_actions.close = addAction(
        u"Close"_s, { QKeySequence(Qt::Key_Escape) }, u"Close; both engines stop (Esc)"_s, &CompareWindow::closeWindow);
    for (QAction *a : { m_actions.startPause, m_actions.reset, m_actions.spike, m_actions.addNode, m_actions.killNode,
             m_actions.restock, m_actions.post, m_actions.rateUp, m_actions.rateDown, m_actions.toggleLayout,
             m_actions.close }) {
        auto *b = new QToolButton;
        b->setDefaultAction(a);
        b->setFocusPolicy(Qt::NoFocus);
        b->setToolButtonStyle(Qt::ToolButtonTextOnly);
        b->setObjectName(a->objectName() + u"Button"_s);
        if (a == m_actions.close)
            actionRow->addStretch(1);
        actionRow->addWidget(b);
        m_buttons << b;
        if (a == m_actions.post)
            m_postButton = b;
        if (a == m_actions.restock)
            m_restockButton = b;
    }
    outer->addLayout(actionRow);

    // counters: one row per side, one column per number
    m_counters = new QWidget;
    m_counters->setObjectName(u"compareCounters"_s);
    m_counters->setAutoFillBackground(true);
    m_counterGrid = new QGridLayout(m_counters);
    m_counterGrid->setContentsMargins(10, 2, 10, 2);
    m_counterGrid->setHorizontalSpacing(24);
    m_counterGrid->setVerticalSpacing(0);
    for (int c = 0; c < CounterCount; ++c) {
        auto *caption = new QLabel;
        caption->setAlignment(Qt::AlignRight | Qt::AlignBottom);
        caption->setSizePolicy(QSizePolicy::Ignored, QSizePolicy::Preferred);
        m_captions[std::size_t(c)] = caption;
        m_counterGrid->addWidget(caption, 0, c + 1);
        m_counterGrid->setColumnStretch(c + 1, 1);
    }
    for (int side = 0; side < SideCount; ++side) {
        auto *label = new QLabel;
        label->setObjectName(side == A ? u"compareSideA"_s : u"compareSideB"_s);
        label->setAlignment(Qt::AlignLeft | Qt::AlignVCenter);
        m_sideNames[std::size_t(side)] = label;
        m_counterGrid->addWidget(label, side + 1, 0);
        for (int c = 0; c < CounterCount; ++c) {
            auto *value = new QLabel(u"–"_s);
            value->setAlignment(Qt::AlignRight | Qt::AlignVCenter);
            value->setSizePolicy(QSizePolicy::Ignored, QSizePolicy::Preferred);
            value->setAutoFillBackground(true);
            m_values[std::size_t(side)][std::size_t(c)] = value;
            m_counterGrid->addWidget(value, side + 1, c + 1);
        }
    }
    outer->addWidget(m_counters);
    for (QWidget *w : std::initializer_list<QWidget *> { m_header, m_status, m_values[A][0] })
        w->installEventFilter(this);

    // charts: overlaid on one page, stacked (A's row above B's) on the other
    m_chartStack = new QStackedWidget;
    outer->addWidget(m_chartStack, 1);
    buildCharts();

    m_frameTimer.setInterval(kFrameIntervalMs);
    connect(&m_frameTimer, &QTimer::timeout, this, &CompareWindow::poll);

    applyTheme(m_theme);
    QString error;
    if (!apply(spec, &error))
        showStatus(error, true);
    resize(1366, 768);
}

CompareWindow::~CompareWindow()
{
    m_frameTimer.stop();
    retireEngines();
}

CompareWindow *CompareWindow::open(const Scenario &base, const QString &name, const CompareSpec &spec,
    const Theme &theme, QWidget *parent, QString *error)
{
    auto *w = new CompareWindow(base, name, spec, parent);
    if (!w->engine(A)) {
        *error = w->statusText();
        delete w;
        return nullptr;
    }
    w->setAttribute(Qt::WA_DeleteOnClose);
    w->applyTheme(theme);
    w->show();
    w->raise();
    w->activateWindow();
    return w;
}

QAction *CompareWindow::addAction(
    const QString &text, const QList<QKeySequence> &keys, const QString &tip, void (CompareWindow::*slot)())
{
    auto *a = new QAction(text, this);
    a->setShortcuts(keys);
    a->setShortcutContext(Qt::WindowShortcut);
    a->setToolTip(tip);
    QString id = text;
    id.remove(QRegularExpression(u"[^A-Za-z0-9]"_s));
    a->setObjectName(u"compare"_s + id);
    connect(a, &QAction::triggered, this, slot);
    QWidget::addAction(a);
    return a;
}

void CompareWindow::buildCharts()
{
    // the previous workload's charts go (a compare that changes the workload, or the first build)
    while (m_chartStack->count() > 0) {
        QWidget *page = m_chartStack->widget(0);
        m_chartStack->removeWidget(page);
        delete page;
    }
    const std::vector<ChartDef> &defs = charts();
    auto makeChart = [&](int i, const std::vector<int> &sides) {
        const ChartDef &d = defs[std::size_t(i)];
        auto *chart = new LiveChart(d.key, d.title);
        chart->setObjectName(d.key + (sides.size() == 2 ? u"Overlaid"_s : sides.front() == A ? u"A"_s : u"B"_s));
        for (const Metric &m : d.metrics)
            for (const int side : sides) {
                const int k = chart->addSeries(m.name, m.axis);
                chart->setSeriesStyle(k, side == A ? Qt::SolidLine : Qt::DashLine);
            }
        for (const auto &[axis, spec] : { std::pair { Axis::Left, &d.left }, std::pair { Axis::Right, &d.right } }) {
            if (spec->title.isEmpty())
                continue;
            chart->setAxisTitle(axis, spec->title, spec->kind);
            chart->setMinimumTop(axis, spec->minimumTop);
            chart->setIntegerSteps(axis, spec->integer);
            if (spec->fixed)
                chart->setFixedRange(axis, spec->fixed->first, spec->fixed->second);
        }
        return chart;
    };
    auto *overlaid = new QWidget;
    auto *row = new QHBoxLayout(overlaid);
    row->setContentsMargins(0, 0, 0, 0);
    row->setSpacing(6);
    for (int i = 0; i < kChartCount; ++i) {
        m_overlaid[std::size_t(i)] = makeChart(i, { A, B });
        row->addWidget(m_overlaid[std::size_t(i)], 1);
    }
    auto *stacked = new QWidget;
    auto *grid = new QGridLayout(stacked);
    grid->setContentsMargins(0, 0, 0, 0);
    grid->setSpacing(6);
    for (int side = 0; side < SideCount; ++side)
        for (int i = 0; i < kChartCount; ++i) {
            m_stacked[std::size_t(side)][std::size_t(i)] = makeChart(i, { side });
            grid->addWidget(m_stacked[std::size_t(side)][std::size_t(i)], side, i);
        }
    m_chartStack->addWidget(overlaid);
    m_chartStack->addWidget(stacked);
    m_chartStack->setCurrentIndex(m_layout == Overlaid ? 0 : 1);
    m_stale.assign(std::size_t(visibleCharts().size()), true);
    m_chartsFanout = m_fanout;
}

void CompareWindow::nameSeries()
{
    const std::vector<ChartDef> &defs = charts();
    for (int i = 0; i < kChartCount; ++i) {
        const ChartDef &d = defs[std::size_t(i)];
        int k = 0;
        for (const Metric &m : d.metrics)
            for (int side = 0; side < SideCount; ++side) {
                // the chart's own metric reads "A naive"; a second one "A oversold"
                const QString name = m.name.isEmpty() ? sideLabel(side) : (side == A ? u"A "_s : u"B "_s) + m.name;
                m_overlaid[std::size_t(i)]->setSeriesName(k++, name);
                m_stacked[std::size_t(side)][std::size_t(i)]->setSeriesName(int(&m - d.metrics.data()), name);
            }
        // stacked: the legend names the side, the title keeps its room for the metric
    }
}

// ---------------------------------------------------------------- the pair

bool CompareWindow::apply(const CompareSpec &spec, QString *error)
{
    std::array<Scenario, SideCount> sides;
    for (int side = 0; side < SideCount; ++side) {
        const QString &value = side == A ? spec.a : spec.b;
        QString problem;
        std::optional<Scenario> s = withSetting(m_base, spec.path, value, &problem);
        if (!s) {
            *error = spec.key + u'=' + value + u": "_s + problem;
            return false;
        }
        s->sweep.reset(); // the window runs the timeline (a sweep is Run ▸ Scaling sweep's)
        if (const QString p = checkScenario(*s); !p.isEmpty()) {
            *error = spec.key + u'=' + value + u": "_s + p;
            return false;
        }
        sides[std::size_t(side)] = std::move(*s);
    }
    std::array<std::unique_ptr<Engine>, SideCount> fresh;
    try {
        for (int side = 0; side < SideCount; ++side)
            fresh[std::size_t(side)] = std::make_unique<Engine>(sides[std::size_t(side)].config);
    } catch (const std::exception &e) {
        *error = spec.key + u": "_s + QString::fromUtf8(e.what());
        std::vector<std::unique_ptr<Engine>> failed;
        for (auto &f : fresh)
            if (f)
                failed.push_back(std::move(f));
        buryEngines(std::move(failed));
        return false;
    }
    for (int side = 0; side < SideCount; ++side) {
        std::vector<TimedEvent> events = sides[std::size_t(side)].events;
        std::stable_sort(
            events.begin(), events.end(), [](const TimedEvent &x, const TimedEvent &y) { return x.atS < y.atS; });
        fresh[std::size_t(side)]->setTimeline(std::move(events));
    }
    // back to back: the same seed meets the same traffic from the same moment
    for (auto &f : fresh)
        f->start();

    retireEngines();
    for (int side = 0; side < SideCount; ++side) {
        SideState &s = m_sides[std::size_t(side)];
        s.scenario = std::move(sides[std::size_t(side)]);
        s.engine = std::move(fresh[std::size_t(side)]);
        s.seenSeq = 0;
    }
    m_spec = spec;
    m_paused = false;
    m_actions.startPause->setText(u"❚❚ Pause"_s);
    m_fanout = m_sides[A].scenario.config.workload == WorkloadKind::Fanout;
    if (m_fanout != m_chartsFanout) {
        buildCharts();
        restyleCharts();
    }
    m_postButton->setVisible(m_fanout);
    m_restockButton->setVisible(!m_fanout);
    showSpec();
    std::fill(m_stale.begin(), m_stale.end(), true);
    showStatus(u"Both started together"_s, false);
    if (isVisible())
        m_frameTimer.start();
    return true;
}

void CompareWindow::applyFromFields()
{
    const QString text = m_key->currentText().trimmed() + u'=' + m_valueFields[A]->text().trimmed() + u','
        + m_valueFields[B]->text().trimmed();
    QString error;
    const std::optional<CompareSpec> spec = parseCompare(text, &error);
    if (!spec) {
        showStatus(error, true);
        return;
    }
    if (!apply(*spec, &error))
        showStatus(error, true);
    setFocus(); // the one-key actions again
}

void CompareWindow::retireEngines()
{
    std::vector<std::unique_ptr<Engine>> old;
    for (SideState &s : m_sides)
        if (s.engine)
            old.push_back(std::move(s.engine));
    buryEngines(std::move(old));
}

std::shared_ptr<const Snapshot> CompareWindow::snapshot(int side) const
{
    const auto &e = m_sides[std::size_t(side)].engine;
    return e ? e->snapshot() : std::shared_ptr<const Snapshot>();
}

QString CompareWindow::sideLabel(int side) const
{
    return (side == A ? u"A "_s : u"B "_s) + (side == A ? m_spec.a : m_spec.b);
}

QString CompareWindow::headerText() const { return m_spec.key + u": "_s + sideLabel(A) + u" — "_s + sideLabel(B); }

void CompareWindow::showSpec()
{
    m_headerFull = headerText();
    m_shared->setText(m_name + u" · seed "_s + QString::number(m_sides[A].scenario.config.seed) + u" · same traffic"_s);
    if (m_key->currentText() != m_spec.key)
        m_key->setCurrentText(m_spec.key);
    m_valueFields[A]->setText(m_spec.a);
    m_valueFields[B]->setText(m_spec.b);
    for (int side = 0; side < SideCount; ++side)
        m_sideNames[std::size_t(side)]->setText(sideLabel(side));
    const QString captions[CounterCount]
        = { u"ATTEMPTS"_s, m_fanout ? u"REACHED"_s : u"SUCCEEDED"_s, m_fanout ? u"STALE READS"_s : u"SOLD"_s,
              m_fanout ? u"DUPLICATES"_s : u"OVERSOLD"_s, m_fanout ? u"P99 READ"_s : u"P99"_s, u"OK/S"_s };
    for (int c = 0; c < CounterCount; ++c)
        m_captions[std::size_t(c)]->setText(captions[c]);
    nameSeries();
    fitTexts();
}

// ---------------------------------------------------------------- actions on both

void CompareWindow::runCommand(const QString &what, const std::function<CommandResult(Engine &)> &send)
{
    QStringList errors;
    QString firstError;
    bool same = true;
    int sent = 0;
    for (int side = 0; side < SideCount; ++side) {
        Engine *e = engine(side);
        if (!e)
            continue;
        ++sent;
        const CommandResult r = send(*e);
        if (r.ok)
            continue;
        const QString err = QString::fromStdString(r.error);
        if (!errors.isEmpty() && err != firstError)
            same = false;
        if (errors.isEmpty())
            firstError = err;
        errors << (side == A ? u"A: "_s : u"B: "_s) + err;
    }
    if (sent == 0)
        showStatus(what + u": no engines running (Apply starts them)"_s, true);
    else if (errors.isEmpty())
        showStatus(what + u" → A and B"_s, false);
    else if (errors.size() == 2 && same)
        showStatus(u"A and B: "_s + firstError, true);
    else
        showStatus(errors.join(u" · "_s), true);
    std::fill(m_stale.begin(), m_stale.end(), true); // the marker in the next frame
}

void CompareWindow::togglePause()
{
    const bool pause = !m_paused;
    bool ok = true;
    runCommand(pause ? u"Pause"_s : u"Start"_s, [&](Engine &e) {
        CommandResult r = e.setPaused(pause);
        ok = ok && r.ok;
        return r;
    });
    if (ok) {
        m_paused = pause;
        m_actions.startPause->setText(m_paused ? u"▶ Start"_s : u"❚❚ Pause"_s);
    }
}

void CompareWindow::reset()
{
    runCommand(u"Reset"_s, [](Engine &e) { return e.reset(); });
}

void CompareWindow::spike()
{
    runCommand(u"Spike ×10 for 5 s"_s, [](Engine &e) { return e.spike(kSpikeFactor, kSpikeSeconds); });
}

void CompareWindow::addNode()
{
    if (m_fanout) {
        TimedEvent ev;
        ev.kind = EventKind::AddFanoutWorkers;
        ev.count = 1;
        runCommand(u"+1 fan-out worker"_s, [&](Engine &e) { return e.command(ev); });
        return;
    }
    runCommand(u"+1 node"_s, [](Engine &e) { return e.addNodes(1); });
}

void CompareWindow::killNode()
{
    if (m_fanout) {
        TimedEvent ev;
        ev.kind = EventKind::KillFanoutWorker;
        runCommand(u"Kill a fan-out worker"_s, [&](Engine &e) { return e.command(ev); });
        return;
    }
    // the first node up of each side: the same one while both sides have the same nodes
    runCommand(u"Kill a node"_s, [](Engine &e) {
        const auto s = e.snapshot();
        std::optional<int> id;
        if (s->app)
            for (const NodeView &n : s->app->nodes)
                if (n.state == NodeState::Up && !id)
                    id = n.id;
        return e.killNode(id);
    });
}

void CompareWindow::restock()
{
    runCommand(u"Restock +%1"_s.arg(kRestockUnits), [](Engine &e) { return e.restock(kRestockUnits); });
}

void CompareWindow::celebrityPost()
{
    TimedEvent ev;
    ev.kind = EventKind::CelebrityPost;
    runCommand(u"Celebrity post"_s, [&](Engine &e) { return e.command(ev); });
}

void CompareWindow::scaleRate(double factor)
{
    // each side from its own rate: a compare of `rate` keeps its ratio
    runCommand(factor > 1 ? u"Rate ×2"_s : u"Rate ÷2"_s, [factor](Engine &e) {
        const double current = e.snapshot()->ratePerS;
        const double next = std::clamp(current * factor, kMinRatePerS, kMaxRatePerS);
        if (next == current)
            return CommandResult::fail(factor > 1 ? "rate: already at the maximum" : "rate: already at the minimum");
        return e.setRate(next);
    });
}

void CompareWindow::closeWindow() { close(); }

void CompareWindow::rateUp() { scaleRate(2); }
void CompareWindow::rateDown() { scaleRate(0.5); }

void CompareWindow::toggleLayout() { setLayoutMode(m_layout == Overlaid ? Stacked : Overlaid); }

void CompareWindow::setLayoutMode(Layout layout)
{
    if (layout == m_layout)
        return;
    m_layout = layout;
    m_chartStack->setCurrentIndex(layout == Overlaid ? 0 : 1);
    m_actions.toggleLayout->setText(layout == Overlaid ? u"Stacked"_s : u"Overlaid"_s);
    m_stale.assign(std::size_t(visibleCharts().size()), true);
    m_nextChart = 0;
    showLatest();
}

void CompareWindow::showStatus(const QString &text, bool error)
{
    m_statusFull = text;
    m_statusError = error;
    QPalette p = m_status->palette();
    p.setColor(QPalette::WindowText, error ? m_theme.oversold : m_theme.mutedText);
    m_status->setPalette(p);
    m_status->setToolTip(text);
    fitStatus();
}

void CompareWindow::fitStatus()
{
    // one line, never cut mid-glyph: elided, the whole text in the tooltip
    const QFontMetrics fm(m_status->font());
    m_status->setText(fm.elidedText(m_statusFull, Qt::ElideRight, std::max(0, m_status->width())));
}

// ---------------------------------------------------------------- frames

QList<LiveChart *> CompareWindow::visibleCharts() const
{
    QList<LiveChart *> list;
    if (m_layout == Overlaid)
        for (LiveChart *c : m_overlaid)
            list << c;
    else
        for (const auto &row : m_stacked)
            for (LiveChart *c : row)
                list << c;
    return list;
}

QList<int> CompareWindow::seriesOf(int i, int side) const
{
    QList<int> list;
    const int metrics = int(charts()[std::size_t(i)].metrics.size());
    for (int m = 0; m < metrics; ++m)
        list << m * SideCount + side;
    return list;
}

std::pair<double, double> CompareWindow::timeWindow() const
{
    // as the main window: a short lesson fills the width; then the axis grows to 60 s and slides
    double now = 0;
    for (int side = 0; side < SideCount; ++side)
        if (const auto s = snapshot(side); s && !s->recent.empty())
            now = std::max(now, s->recent.back().t);
    const double run = m_base.durationS;
    const double span = run > 0 && run < kWindowS ? run : kWindowS;
    if (now <= span)
        return { 0, span };
    if (now <= kWindowS)
        return { 0, now };
    return { now - kWindowS, now };
}

void CompareWindow::updateChart(LiveChart *chart, int def, const std::vector<int> &sides)
{
    const ChartDef &d = charts()[std::size_t(def)];
    const auto [tMin, tMax] = timeWindow();
    std::array<std::shared_ptr<const Snapshot>, SideCount> snaps { snapshot(A), snapshot(B) };
    int k = 0;
    bool alarm = false;
    for (const Metric &m : d.metrics)
        for (const int side : sides) {
            QList<QPointF> &points = chart->beginSeries(k++);
            const auto &s = snaps[std::size_t(side)];
            if (!s)
                continue;
            for (const TickSample &x : s->recent) {
                if (x.t < tMin - 1e-9)
                    continue;
                const Value v = m.value(x);
                points.append(QPointF(x.t, v ? *v : std::numeric_limits<double>::quiet_NaN()));
            }
        }
    for (const int side : sides)
        if (const auto &s = snaps[std::size_t(side)]; s && !m_fanout && d.key == u"oversold"_s)
            alarm = alarm || lastTick(*s).store->oversold > 0;
    chart->setAlarm(alarm);
    // both sides took the same actions: A's markers stand for both (B's on B's own charts)
    if (const auto &s = snaps[std::size_t(sides.front())])
        chart->setMarkers(s->markers);
    chart->commit(tMin, tMax);
}

void CompareWindow::poll()
{
    bool fresh = false;
    for (SideState &side : m_sides)
        if (side.engine) {
            const auto s = side.engine->snapshot();
            if (s->seq != side.seenSeq) {
                side.seenSeq = s->seq;
                fresh = true;
            }
        }
    if (fresh) {
        showCounters();
        std::fill(m_stale.begin(), m_stale.end(), true);
    }
    // two charts a frame: no frame redraws them all (a chart redraw never blocks input)
    const QList<LiveChart *> shown = visibleCharts();
    const int n = int(shown.size());
    int budget = 2;
    for (int k = 0; k < n && budget > 0; ++k) {
        const int j = (m_nextChart + k) % n;
        if (!m_stale[std::size_t(j)])
            continue;
        refreshChart(j);
        m_stale[std::size_t(j)] = false;
        --budget;
        m_nextChart = (j + 1) % n;
    }
}

void CompareWindow::refreshChart(int shownIndex)
{
    if (m_layout == Overlaid)
        updateChart(m_overlaid[std::size_t(shownIndex)], shownIndex, { A, B });
    else
        updateChart(m_stacked[std::size_t(shownIndex / kChartCount)][std::size_t(shownIndex % kChartCount)],
            shownIndex % kChartCount, { shownIndex / kChartCount });
}

void CompareWindow::showLatest()
{
    for (SideState &side : m_sides)
        if (side.engine)
            side.seenSeq = side.engine->snapshot()->seq;
    showCounters();
    for (int j = 0; j < int(m_stale.size()); ++j) {
        refreshChart(j);
        m_stale[std::size_t(j)] = false;
    }
}

void CompareWindow::showCounters()
{
    bool grew = false;
    for (int side = 0; side < SideCount; ++side) {
        const auto s = snapshot(side);
        std::array<QString, CounterCount> text;
        bool red = false;
        if (s) {
            const TickSample last = lastTick(*s);
            text[Attempts] = compactNumber(double(s->attempts));
            text[Throughput] = compactRate(last.succeeded);
            if (m_fanout && s->fanout) {
                const FanoutView &f = *s->fanout;
                if (!f.tracked.empty()) {
                    const TrackedPostView &p = f.tracked.front();
                    text[Succeeded] = percentText(p.pulled ? 1.0
                            : p.followers > 0              ? double(p.delivered) / p.followers
                                                           : 1.0);
                } else {
                    text[Succeeded] = u"–"_s;
                }
                text[Sold] = countText(last.fanout->staleReadsTotal);
                text[Oversold] = countText(last.fanout->duplicatesTotal);
                red = last.fanout->duplicatesTotal > 0;
                text[P99] = last.fanout->reads > 0 ? durationMs(last.p99Ms) : u"–"_s;
            } else {
                text[Succeeded] = compactNumber(double(s->succeeded));
                text[Sold] = countText(last.store->sold);
                text[Oversold] = countText(last.store->oversold);
                red = last.store->oversold > 0;
                text[P99] = answered(last) ? durationMs(last.p99Ms) : u"–"_s;
            }
        } else {
            text.fill(u"–"_s);
        }
        for (int c = 0; c < CounterCount; ++c) {
            QLabel *l = m_values[std::size_t(side)][std::size_t(c)];
            if (l->text() != text[std::size_t(c)]) {
                l->setText(text[std::size_t(c)]);
                grew = grew || QFontMetrics(l->font()).horizontalAdvance(l->text()) > l->width();
            }
        }
        setRed(side, red);
    }
    if (grew)
        fitTexts();
}

void CompareWindow::setRed(int side, bool red)
{
    if (m_red[std::size_t(side)] == red)
        return;
    m_red[std::size_t(side)] = red;
    QLabel *v = m_values[std::size_t(side)][Oversold];
    QPalette p = v->palette();
    p.setColor(QPalette::WindowText, red ? m_theme.oversold : m_theme.text);
    p.setColor(QPalette::Window, red ? m_theme.alarmBackground : QColor(Qt::transparent));
    v->setPalette(p);
    QFont f = v->font();
    f.setWeight(red ? QFont::Black : QFont::DemiBold);
    v->setFont(f);
}

bool CompareWindow::counterRed(int side) const { return m_red[std::size_t(side)]; }

QString CompareWindow::counterText(int side, Counter c) const
{
    return m_values[std::size_t(side)][std::size_t(c)]->text();
}

QString CompareWindow::counterCaption(Counter c) const { return m_captions[std::size_t(c)]->text(); }

// ---------------------------------------------------------------- look

void CompareWindow::applyTheme(const Theme &theme)
{
    m_theme = theme;
    setPalette(theme.palette);
    setFont(theme.font(theme.basePointSize));
    QPalette cp = m_counters->palette();
    cp.setColor(QPalette::Window, theme.surface);
    m_counters->setPalette(cp);
    QPalette muted = palette();
    muted.setColor(QPalette::WindowText, theme.mutedText);
    m_shared->setPalette(muted);
    m_shared->setFont(theme.font(theme.captionPointSize));
    for (QLabel *c : m_captions) {
        c->setPalette(muted);
        c->setFont(theme.font(theme.captionPointSize, true));
    }
    for (int side = 0; side < SideCount; ++side)
        m_sideNames[std::size_t(side)]->setFont(theme.font(theme.chartTitlePointSize * 1.2, true));
    m_red = { false, false };
    for (int side = 0; side < SideCount; ++side)
        for (QLabel *v : m_values[std::size_t(side)]) {
            QPalette p = v->palette();
            p.setColor(QPalette::WindowText, theme.text);
            p.setColor(QPalette::Window, QColor(Qt::transparent));
            v->setPalette(p);
        }
    restyleCharts();
    showStatus(m_statusFull, m_statusError);
    fitTexts();
    showCounters();
}

void CompareWindow::restyleCharts()
{
    const std::vector<ChartDef> &defs = charts();
    for (int i = 0; i < kChartCount; ++i) {
        const ChartDef &d = defs[std::size_t(i)];
        QList<LiveChart *> all { m_overlaid[std::size_t(i)] };
        for (const auto &row : m_stacked)
            all << row[std::size_t(i)];
        for (LiveChart *c : all) {
            c->applyTheme(m_theme);
            // two legend entries share a fifth of 1366 px: the smallest readable type keeps
            // "A naive" and "B atomic" whole
            if (m_theme.projector)
                c->chart()->legend()->setFont(m_theme.font(m_theme.minLabelPointSize));
            // short plots (stacked, projector) put the unit back into the labels ("0.05 ms"):
            // whole labels beat a cut one
            for (const Axis axis : { Axis::Left, Axis::Right })
                if (QValueAxis *v = c->valueAxis(axis))
                    v->setTruncateLabels(false);
        }
        int k = 0;
        for (const Metric &m : d.metrics) {
            const QColor color = m_theme.*(m.color);
            for (int side = 0; side < SideCount; ++side)
                m_overlaid[std::size_t(i)]->setSeriesColor(k++, color);
            for (const auto &row : m_stacked)
                row[std::size_t(i)]->setSeriesColor(int(&m - d.metrics.data()), color);
        }
    }
    nameSeries();
    std::fill(m_stale.begin(), m_stale.end(), true);
}

void CompareWindow::fitTexts()
{
    // the header: as large as it fits, down to the smallest size a room reads
    const double headerMax = m_theme.chartTitlePointSize * 1.5;
    QFont hf = m_theme.font(headerMax, true);
    while (hf.pointSizeF() > m_theme.minLabelPointSize
        && QFontMetrics(hf).horizontalAdvance(m_headerFull) > std::max(1, m_header->width()))
        hf.setPointSizeF(std::max(m_theme.minLabelPointSize, hf.pointSizeF() - 1));
    m_header->setFont(hf);
    m_header->setText(QFontMetrics(hf).elidedText(m_headerFull, Qt::ElideRight, std::max(0, m_header->width())));

    // the numbers: the largest size at which every column holds its widest text
    const double maxPt = m_theme.counterPointSize * 0.75;
    double pt = maxPt;
    auto fits = [&](double size) {
        QFont f = m_theme.font(size, true);
        const QFontMetrics fm(f);
        for (int c = 0; c < CounterCount; ++c) {
            int w = QFontMetrics(m_captions[std::size_t(c)]->font())
                        .horizontalAdvance(m_captions[std::size_t(c)]->text());
            for (int side = 0; side < SideCount; ++side) {
                w = std::max(w, fm.horizontalAdvance(m_values[std::size_t(side)][std::size_t(c)]->text()));
                w = std::max(w, fm.horizontalAdvance(u"88 888"_s)); // room to grow without moving
            }
            // a space's width between neighbours: two numbers never read as one
            const int room = m_values[A][std::size_t(c)]->width() - fm.horizontalAdvance(u' ');
            if (room > 0 && w > room)
                return false;
        }
        return true;
    };
    while (pt > m_theme.minLabelPointSize && !fits(pt))
        pt = std::max(m_theme.minLabelPointSize, pt - 1);
    for (int side = 0; side < SideCount; ++side)
        for (int c = 0; c < CounterCount; ++c) {
            QFont f = m_theme.font(pt, true);
            f.setWeight(c == Oversold && m_red[std::size_t(side)] ? QFont::Black : QFont::DemiBold);
            m_values[std::size_t(side)][std::size_t(c)]->setFont(f);
        }
}

void CompareWindow::resizeEvent(QResizeEvent *event)
{
    QWidget::resizeEvent(event);
    scheduleFit();
}

bool CompareWindow::eventFilter(QObject *watched, QEvent *event)
{
    if (event->type() == QEvent::Resize)
        scheduleFit();
    return QWidget::eventFilter(watched, event);
}

void CompareWindow::scheduleFit()
{
    // after the layout has given the labels their widths; once for a burst of resizes
    if (m_fitPending)
        return;
    m_fitPending = true;
    QMetaObject::invokeMethod(
        this,
        [this] {
            m_fitPending = false;
            fitTexts();
            fitStatus();
        },
        Qt::QueuedConnection);
}

void CompareWindow::showEvent(QShowEvent *event)
{
    QWidget::showEvent(event);
    // reopened after a close: the pair starts again
    if (!engine(A) && !m_spec.path.isEmpty()) {
        QString error;
        if (!apply(m_spec, &error))
            showStatus(error, true);
    }
    if (engine(A))
        m_frameTimer.start();
    setFocus();
}

void CompareWindow::closeEvent(QCloseEvent *event)
{
    // the engines stop on a helper thread: the GUI thread goes on at once
    m_frameTimer.stop();
    retireEngines();
    QWidget::closeEvent(event);
}

} // namespace stampede::ui
