#include "scalingdialog.h"

#include "sweeprunner.h"

#include <QChart>
#include <QChartView>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QLineSeries>
#include <QPen>
#include <QProgressBar>
#include <QPushButton>
#include <QScatterSeries>
#include <QTableWidget>
#include <QVBoxLayout>
#include <QValueAxis>

#include <algorithm>
#include <cmath>

using namespace Qt::StringLiterals;

namespace stampede::ui {

namespace {

constexpr int kCurvePoints = 120; // the fitted curve, sampled

QString num(double v, int decimals) { return std::isfinite(v) ? QString::number(v, 'f', decimals) : u"∞"_s; }

bool isScaleKey(const QString &key) { return key == u"nodes"_s || key == u"cores"_s || key == u"clients"_s; }

} // namespace

SweepSpec ScalingDialog::defaultSpec(const Scenario &scenario)
{
    if (scenario.sweep)
        return *scenario.sweep;
    SweepSpec s;
    s.axes = { SweepAxis { u"nodes"_s, { 1, 2, 4, 8, 16 } } };
    s.seconds = 2;
    s.warmupS = 0.5;
    s.maxLoad = true; // capacity, not the offered rate
    return s;
}

ScalingDialog::ScalingDialog(const Scenario &scenario, const QString &name, QWidget *parent)
    : QDialog(parent)
    , m_scenario(scenario)
    , m_name(name)
    , m_spec(defaultSpec(scenario))
    , m_runner(new SweepRunner(this))
{
    setWindowTitle(u"Scaling sweep — "_s + name);
    setObjectName(u"scalingDialog"_s);
    auto *layout = new QVBoxLayout(this);

    m_specLabel = new QLabel(this);
    m_specLabel->setWordWrap(true);
    layout->addWidget(m_specLabel);

    auto *row = new QHBoxLayout;
    m_start = new QPushButton(u"&Run sweep"_s, this);
    m_start->setDefault(true);
    m_start->setToolTip(u"Run the scenario once per point, one after another (Enter)"_s);
    m_cancel = new QPushButton(u"&Cancel"_s, this);
    m_cancel->setToolTip(u"Stop the sweep; the points measured so far stay (Esc)"_s);
    m_cancel->setEnabled(false);
    m_progress = new QProgressBar(this);
    m_progress->setRange(0, 1000);
    m_progress->setValue(0);
    row->addWidget(m_start);
    row->addWidget(m_cancel);
    row->addWidget(m_progress, 1);
    layout->addLayout(row);

    m_status = new QLabel(u"Press Run sweep (Enter)."_s, this);
    layout->addWidget(m_status);

    m_chart = new QChart;
    m_chart->setTitle(u"Throughput against N: measured, fitted, perfect"_s);
    m_measured = new QScatterSeries;
    m_measured->setName(u"measured"_s);
    m_measured->setMarkerSize(12);
    m_fit = new QLineSeries;
    m_fit->setName(u"USL fit"_s);
    m_fit->setPen(QPen(QColor(0x1f, 0x77, 0xb4), 3));
    m_linear = new QLineSeries;
    m_linear->setName(u"perfect (λN)"_s);
    m_linear->setPen(QPen(Qt::gray, 2, Qt::DashLine));
    m_peak = new QLineSeries;
    m_peak->setName(u"N_max"_s);
    m_peak->setPen(QPen(QColor(0xd6, 0x27, 0x28), 2, Qt::DashLine));
    for (QAbstractSeries *s : std::initializer_list<QAbstractSeries *> { m_linear, m_fit, m_peak, m_measured })
        m_chart->addSeries(s);
    m_x = new QValueAxis;
    m_y = new QValueAxis;
    m_y->setTitleText(u"req/s"_s);
    m_x->setLabelFormat(u"%g"_s);
    m_y->setLabelFormat(u"%g"_s);
    m_chart->addAxis(m_x, Qt::AlignBottom);
    m_chart->addAxis(m_y, Qt::AlignLeft);
    for (QAbstractSeries *s : m_chart->series()) {
        s->attachAxis(m_x);
        s->attachAxis(m_y);
    }
    auto *view = new QChartView(m_chart, this);
    view->setRenderHint(QPainter::Antialiasing);
    view->setMinimumHeight(260);
    layout->addWidget(view, 3);

    m_fitLabel = new QLabel(this);
    m_fitLabel->setWordWrap(true);
    m_fitLabel->setTextInteractionFlags(Qt::TextSelectableByMouse);
    layout->addWidget(m_fitLabel);
    m_priceLabel = new QLabel(this);
    m_priceLabel->setWordWrap(true);
    layout->addWidget(m_priceLabel);

    m_table = new QTableWidget(this);
    m_table->setEditTriggers(QAbstractItemView::NoEditTriggers);
    m_table->verticalHeader()->setVisible(false);
    m_table->horizontalHeader()->setSectionResizeMode(QHeaderView::ResizeToContents);
    layout->addWidget(m_table, 2);

    connect(m_start, &QPushButton::clicked, this, &ScalingDialog::startSweep);
    connect(m_cancel, &QPushButton::clicked, this, &ScalingDialog::cancelSweep);
    connect(m_runner, &SweepRunner::progress, this, &ScalingDialog::showProgress);
    connect(m_runner, &SweepRunner::pointFinished, this, &ScalingDialog::showPoint);
    connect(m_runner, &SweepRunner::finished, this, &ScalingDialog::showFinished);
    showSpec();
    resize(900, 760);
}

ScalingDialog::~ScalingDialog() = default;

bool ScalingDialog::running() const { return m_runner->running(); }

void ScalingDialog::setSpec(const SweepSpec &spec)
{
    if (running())
        return;
    m_spec = spec;
    showSpec();
}

void ScalingDialog::showSpec()
{
    QStringList axes;
    for (const SweepAxis &a : m_spec.axes) {
        QStringList v;
        for (double x : a.values)
            v << QString::number(x, 'g', 6);
        axes << a.key + u" = "_s + v.join(u", "_s);
    }
    const auto &n = m_scenario.config.nodes;
    m_specLabel->setText(u"<b>"_s + axes.join(u"; "_s) + u"</b> — "_s + QString::number(m_spec.warmupS)
        + u" s warm-up + "_s + QString::number(m_spec.seconds) + u" s measured per point, "_s
        + (m_spec.maxLoad ? u"at full load (closed loop)"_s : u"at the scenario's traffic"_s) + u". Coordination: "_s
        + QString::fromUtf8(stampede::toString(n.coordination).data()) + u", "_s + QString::number(n.serviceMs)
        + u" ms a request."_s);
    QStringList header;
    for (const SweepAxis &a : m_spec.axes)
        header << a.key;
    header << u"req/s"_s << u"p99 ms"_s << u"util"_s << u"price"_s << u"req/s per price"_s << u"answered during kill"_s;
    m_table->setColumnCount(int(header.size()));
    m_table->setHorizontalHeaderLabels(header);
    m_table->setRowCount(0);
    const bool scale = m_spec.axes.size() == 1 && isScaleKey(m_spec.axes.front().key);
    m_x->setTitleText(scale ? m_spec.axes.front().key : u"cores"_s);
}

void ScalingDialog::startSweep()
{
    QString error;
    if (!m_runner->start(m_scenario, m_spec, &error)) {
        m_status->setText(error);
        return;
    }
    m_table->setRowCount(0);
    m_measured->clear();
    m_fit->clear();
    m_linear->clear();
    m_peak->clear();
    m_fitLabel->clear();
    m_priceLabel->clear();
    m_progress->setValue(0);
    m_start->setEnabled(false);
    m_cancel->setEnabled(true);
    m_cancel->setDefault(true);
    m_status->setText(u"Starting…"_s);
}

void ScalingDialog::cancelSweep()
{
    if (!running())
        return;
    m_runner->cancel();
    m_status->setText(u"Cancelling: the point that runs stops…"_s);
}

void ScalingDialog::reject()
{
    if (running()) {
        cancelSweep();
        return;
    }
    QDialog::reject();
}

void ScalingDialog::showProgress(int index, double runS)
{
    const std::size_t n = m_spec.axes.front().values.size();
    const double per = m_spec.warmupS + m_spec.seconds;
    const double done = (index * per + std::min(runS, per)) / (double(n) * per);
    m_progress->setValue(int(done * 1000));
    SweepPoint label;
    for (const SweepAxis &a : m_spec.axes)
        label.values.push_back(a.values[std::size_t(index)]);
    m_status->setText(u"Point "_s + QString::number(index + 1) + u'/' + QString::number(n) + u"  "_s
        + pointLabel(m_spec, label) + (runS < m_spec.warmupS ? u"  warming up"_s : u"  measuring"_s));
}

void ScalingDialog::showPoint(int index)
{
    const SweepResult &r = m_runner->result();
    if (index < 0 || std::size_t(index) >= r.points.size())
        return;
    const SweepPoint &p = r.points[std::size_t(index)];
    const int row = m_table->rowCount();
    m_table->insertRow(row);
    int col = 0;
    auto put = [&](const QString &text) {
        auto *item = new QTableWidgetItem(text);
        item->setTextAlignment(Qt::AlignRight | Qt::AlignVCenter);
        m_table->setItem(row, col++, item);
    };
    for (double v : p.values)
        put(QString::number(v, 'g', 6));
    put(num(p.throughput, 1));
    put(num(p.p99Ms, 2));
    put(QString::number(p.utilisation * 100, 'f', 0) + u" %"_s);
    put(num(p.price, 2));
    put(p.price > 0 ? num(p.throughput / p.price, 1) : u"–"_s);
    put(p.kills.empty() ? u"–"_s : QString::number(p.kills.front().answeredShare * 100, 'f', 1) + u" %"_s);
    redrawCurves();
    m_status->setText(u"Point "_s + QString::number(index + 1) + u" done: "_s + pointLabel(m_spec, p) + u", "_s
        + num(p.throughput, 1) + u" req/s"_s);
}

void ScalingDialog::redrawCurves()
{
    const SweepResult &r = m_runner->result();
    const bool scale = m_spec.axes.size() == 1 && isScaleKey(m_spec.axes.front().key);
    QList<QPointF> pts;
    double maxX = 1, maxY = 1;
    for (const SweepPoint &p : r.points) {
        const double x = scale ? p.values.front() : p.cores;
        pts << QPointF(x, p.throughput);
        maxX = std::max(maxX, x);
        maxY = std::max(maxY, p.throughput);
    }
    m_measured->replace(pts);
    // The fit as points arrive: from three on (the USL has three parameters).
    m_fit->clear();
    m_linear->clear();
    m_peak->clear();
    SweepResult partial = r;
    fitSweep(&partial);
    if (!partial.fitAxis.isEmpty() && partial.usl.ok) {
        const auto &u = partial.usl;
        const double lastX = scale ? m_spec.axes.front().values.back() : maxX;
        const double hi = std::max(maxX, lastX);
        QList<QPointF> curve, linear;
        for (int i = 0; i <= kCurvePoints; ++i) {
            const double n = 1 + (hi - 1) * i / kCurvePoints;
            curve << QPointF(n, scaling::usl(u.lambda, u.sigma, u.kappa, n));
        }
        linear << QPointF(1, u.lambda) << QPointF(hi, u.lambda * hi);
        m_fit->replace(curve);
        m_linear->replace(linear);
        if (std::isfinite(u.nMax) && u.nMax >= 1 && u.nMax <= hi * 2)
            m_peak->replace({ QPointF(u.nMax, 0), QPointF(u.nMax, u.peakX) });
        if (std::isfinite(u.peakX))
            maxY = std::max(maxY, u.peakX); // the perfect line may leave the plot: it only shows the way
        m_fitLabel->setText(u"<b>USL fit:</b> X(N) = "_s + num(u.lambda, 1) + u"·N / (1 + σ(N−1) + κN(N−1)):  σ = "_s
            + QString::number(u.sigma, 'f', 4) + u",  κ = "_s + QString::number(u.kappa, 'f', 5) + u",  R² = "_s
            + QString::number(u.r2, 'f', 4) + u",  <b>N_max = "_s + num(u.nMax, 1) + u"</b>"_s
            + (std::isfinite(u.peakX) ? u" at "_s + num(u.peakX, 0) + u" req/s"_s : QString())
            + (partial.amdahl.ok ? u".  Amdahl: σ = "_s + QString::number(partial.amdahl.sigma, 'f', 4) + u", R² = "_s
                        + QString::number(partial.amdahl.r2, 'f', 4)
                                 : QString()));
    } else {
        m_fitLabel->setText(r.points.size() < 3 && m_spec.axes.size() == 1 && isScaleKey(m_spec.axes.front().key)
                ? u"The fit comes with the third point."_s
                : partial.fitNote);
    }
    // Throughput per price: scale up against scale out at a glance.
    const SweepPoint *best = nullptr;
    for (const SweepPoint &p : r.points)
        if (p.price > 0 && (!best || p.throughput / p.price > best->throughput / best->price))
            best = &p;
    if (best)
        m_priceLabel->setText(u"Most throughput per price: "_s + pointLabel(m_spec, *best) + u" — "_s
            + num(best->throughput / best->price, 1) + u" req/s per unit of price"_s);
    m_x->setRange(0, std::max(2.0, maxX * 1.05));
    m_y->setRange(0, maxY * 1.15);
    m_x->applyNiceNumbers();
    m_y->applyNiceNumbers();
}

void ScalingDialog::applyTheme(const Theme &theme)
{
    setFont(theme.font(theme.basePointSize));
    m_chart->setTitleFont(theme.font(theme.chartTitlePointSize, true));
    m_chart->legend()->setFont(theme.font(theme.chartLabelPointSize));
    for (QValueAxis *a : { m_x, m_y }) {
        a->setLabelsFont(theme.font(theme.chartLabelPointSize));
        a->setTitleFont(theme.font(theme.chartLabelPointSize, true));
    }
    QPen fit = m_fit->pen();
    fit.setWidthF(theme.lineWidth);
    m_fit->setPen(fit);
    m_measured->setMarkerSize(12 * theme.scale);
}

void ScalingDialog::showFinished(bool cancelled)
{
    m_start->setEnabled(true);
    m_cancel->setEnabled(false);
    m_start->setDefault(true);
    if (!cancelled)
        m_progress->setValue(1000);
    redrawCurves();
    const std::size_t n = m_spec.axes.front().values.size();
    if (cancelled)
        m_status->setText(u"Cancelled after "_s + QString::number(m_runner->result().points.size()) + u" of "_s
            + QString::number(n) + u" points."_s);
    else
        m_status->setText(u"Done: "_s + QString::number(n) + u" points."_s);
}

} // namespace stampede::ui
