#pragma once

// Owns the running engine and the scenario it was built from. Loading a scenario builds a new
// engine, starts it and swaps it in; the old one is destroyed on a helper thread (its destructor
// joins the engine threads), so the GUI thread never waits for it.
//
// An engine whose store is a real server takes seconds to build (initdb, connections): it is
// built on a helper thread too (loadInBackground) while the old run goes on, and swapped in
// when ready. Every load supersedes the ones before it: a late result is buried unseen.

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

    // `name` is what the window calls the scenario (preset name or file base name), `sourceFile`
    // the file it came from (empty for a preset). On failure the current engine keeps running and
    // *error says why in one line.
    bool load(const Scenario &scenario, const QString &name, const QString &sourceFile, QString *error);
    // The same, with the engine built off the GUI thread: false (and *error) only for a scenario
    // that fails its check; otherwise engineReplaced or loadFailed follows.
    bool loadInBackground(const Scenario &scenario, const QString &name, const QString &sourceFile, QString *error);
    // The background load under way will not be swapped in (its engine is buried when built).
    void cancelBackgroundLoad();
    // A background load is under way (and not superseded).
    bool loading() const { return m_inFlight == m_generation && m_inFlight != 0; }
    QString loadingName() const { return m_loadingName; }
    StoreBackend loadingBackend() const { return m_loadingBackend; }
    const Scenario &loadingScenario() const { return m_loadingScenario; } // while loading()
    QString loadingSourceFile() const { return m_loadingSourceFile; }

    Engine *engine() const { return m_engine.get(); }
    const Scenario &scenario() const { return m_scenario; }
    QString name() const { return m_name; }
    QString sourceFile() const { return m_sourceFile; }
    std::shared_ptr<const Snapshot> snapshot() const;

signals:
    void engineReplaced();
    void loadFailed(const QString &error); // a background load's engine could not be built

private:
    struct Built;
    struct Mailbox;
    void finishLoad(quint64 generation, const std::shared_ptr<Built> &built);
    void swapIn(
        std::unique_ptr<Engine> fresh, const Scenario &scenario, const QString &name, const QString &sourceFile);

    std::unique_ptr<Engine> m_engine;
    Scenario m_scenario;
    QString m_name;
    QString m_sourceFile;
    // Every load takes the next generation; a background result counts only for the newest.
    quint64 m_generation = 0;
    quint64 m_inFlight = 0; // the generation a background load is building, 0: none
    QString m_loadingName;
    StoreBackend m_loadingBackend = StoreBackend::Embedded;
    Scenario m_loadingScenario;
    QString m_loadingSourceFile;
    std::shared_ptr<Mailbox> m_mailbox;
};

} // namespace stampede::ui
