#pragma once

// Runs a scaling sweep (app/sweep.h) for the window: one engine after another on a thread of its
// own, so the GUI thread never waits. Results come back as signals, queued to the GUI thread: the
// progress of the point that runs, then each point as it finishes, then the fit. cancel() asks the
// worker to stop the point that runs and is answered by finished(true).

#include "sweep.h"

#include <QObject>

#include <atomic>
#include <thread>

namespace stampede::ui {

class SweepRunner : public QObject {
    Q_OBJECT

public:
    explicit SweepRunner(QObject *parent = nullptr);
    ~SweepRunner() override; // cancels and joins the worker

    // False with *error (one line) when a point's scenario is invalid or a sweep is running.
    bool start(const Scenario &base, const SweepSpec &spec, QString *error);
    void cancel();
    bool running() const { return m_running; }
    const SweepResult &result() const { return m_result; } // the points so far (GUI thread)

signals:
    void progress(int index, double runS); // run time of point `index`, about ten times a second
    void pointFinished(int index); // result().points[index] is in
    void finished(bool cancelled); // result() holds the fit when not cancelled

private:
    void join();

    std::thread m_worker;
    std::atomic<bool> m_cancel { false };
    bool m_running = false;
    SweepResult m_result;
};

} // namespace stampede::ui
