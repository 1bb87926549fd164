#include "sweeprunner.h"

#include <QMetaObject>
#include <QPointer>

#include <chrono>

namespace stampede::ui {

SweepRunner::SweepRunner(QObject *parent)
    : QObject(parent)
{
}

SweepRunner::~SweepRunner()
{
    m_cancel = true;
    join();
}

void SweepRunner::join()
{
    if (m_worker.joinable())
        m_worker.join();
}

bool SweepRunner::start(const Scenario &base, const SweepSpec &spec, QString *error)
{
    if (m_running) {
        *error = QStringLiteral("a sweep is running; cancel it first");
        return false;
    }
    if (const QString p = checkSweep(spec); !p.isEmpty()) {
        *error = QStringLiteral("sweep: ") + p;
        return false;
    }
    std::vector<Scenario> points;
    for (std::size_t i = 0; i < spec.axes.front().values.size(); ++i) {
        auto s = sweepPointScenario(base, spec, i, error);
        if (!s)
            return false;
        points.push_back(std::move(*s));
    }
    join(); // the previous sweep's thread has ended (finished() came); this only reaps it
    m_result = SweepResult {};
    m_result.spec = spec;
    m_cancel = false;
    m_running = true;
    // The worker owns copies; it reaches this object only through queued calls, and the
    // destructor joins it before the object goes.
    m_worker = std::thread([this, spec, points = std::move(points)] {
        using Clock = std::chrono::steady_clock;
        auto lastProgress = Clock::now();
        for (std::size_t i = 0; i < points.size(); ++i) {
            bool completed = false;
            const auto run = runSweepPoint(
                points[i],
                [&](double t) {
                    if (Clock::now() - lastProgress > std::chrono::milliseconds(100)) {
                        lastProgress = Clock::now();
                        QMetaObject::invokeMethod(
                            this, [this, i, t] { emit progress(int(i), t); }, Qt::QueuedConnection);
                    }
                    return !m_cancel.load();
                },
                &completed);
            if (!completed)
                break;
            SweepPoint p = measurePoint(spec, points[i], run);
            for (const SweepAxis &a : spec.axes)
                p.values.push_back(a.values[i]);
            QMetaObject::invokeMethod(
                this,
                [this, i, p = std::move(p)] {
                    m_result.points.push_back(p);
                    emit pointFinished(int(i));
                },
                Qt::QueuedConnection);
        }
        const bool cancelled = m_cancel.load();
        QMetaObject::invokeMethod(
            this,
            [this, cancelled] {
                m_running = false;
                m_result.interrupted = cancelled;
                fitSweep(&m_result);
                emit finished(cancelled);
            },
            Qt::QueuedConnection);
    });
    return true;
}

void SweepRunner::cancel()
{
    if (m_running)
        m_cancel = true;
}

} // namespace stampede::ui
