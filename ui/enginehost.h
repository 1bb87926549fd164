#pragma once

// Owns the running engine and the scenario it was built from. Loading a scenario builds a new
// engine, starts it and swaps it in; the old one is destroyed on a helper thread (its destructor
// joins the engine threads), so the GUI thread never waits for it.

#include "scenario.h"

#include <QObject>
#include <QString>

#include <memory>

namespace stampede::ui {

class EngineHost : public QObject {
    Q_OBJECT

public:
    explicit EngineHost(QObject *parent = nullptr);
    ~EngineHost() override;

    // `name` is what the window calls the scenario (preset name or file base name).
    // On failure the current engine keeps running and *error says why in one line.
    bool load(const Scenario &scenario, const QString &name, QString *error);

    Engine *engine() const { return m_engine.get(); }
    const Scenario &scenario() const { return m_scenario; }
    QString name() const { return m_name; }
    std::shared_ptr<const Snapshot> snapshot() const;

signals:
    void engineReplaced();

private:
    void retire(std::unique_ptr<Engine> old);

    std::unique_ptr<Engine> m_engine;
    Scenario m_scenario;
    QString m_name;
};

} // namespace stampede::ui
