#pragma once

// The control panel's part for a fan-out run: the celebrity's post (the big button), the fan-out
// mode with hybrid's follower threshold and the share of arrivals that are posts, the fan-out
// workers and the inbox shards. Buttons show the window's actions; this part owns the values
// those actions read (which celebrity posts, threshold, post share) and validates what is typed
// before anything reaches the engine.

#include <QWidget>

#include <cstdint>
#include <optional>

class QDoubleSpinBox;
class QLabel;
class QLineEdit;
class QSpinBox;
class QToolButton;

namespace stampede {
struct FanoutConfig;
struct Snapshot;
}

namespace stampede::ui {

class ActionSet;
struct Theme;

class FanoutControls : public QWidget {
    Q_OBJECT

public:
    explicit FanoutControls(const ActionSet &actions, QWidget *parent = nullptr);

    // The run's starting values (threshold, post share, how many celebrities).
    void setConfig(const FanoutConfig &config);
    // The threshold and the shard target follow the engine unless the person is typing.
    void showSnapshot(const Snapshot &s);
    void applyTheme(const Theme &theme);
    void setSelectedShard(int id); // -1: the engine picks

    int celebrity() const; // which celebrity posts (0 .. celebrities − 1)
    std::int64_t threshold() const { return m_threshold; } // the engine's, as last shown
    double postShare() const; // 0..1, the box's
    // The box shows `share` (a command already sent it), without asking for it again.
    void setPostShare(double share);
    void setThreshold(std::int64_t followers);

    QLineEdit *thresholdField() const { return m_thresholdField; }
    QDoubleSpinBox *postShareBox() const { return m_postShare; }
    QSpinBox *celebrityBox() const { return m_celebrity; }
    QToolButton *postButton() const { return m_postButton; }

signals:
    // A valid threshold (followers, whole, within the engine's range) typed and entered.
    void thresholdRequested(std::int64_t followers);
    // A share of arrivals that are posts (0..1) set in its box.
    void postShareRequested(double share);
    void inputRejected(const QString &message);

private:
    void applyThresholdField();
    void showThreshold(std::int64_t followers);

    QToolButton *m_postButton = nullptr;
    QSpinBox *m_celebrity = nullptr;
    QLabel *m_followers = nullptr; // the chosen celebrity's follower count
    QLineEdit *m_thresholdField = nullptr;
    QDoubleSpinBox *m_postShare = nullptr; // percent
    QLabel *m_selectedShard = nullptr;
    QList<QLabel *> m_headers;
    QList<std::uint32_t> m_celebrities;
    std::int64_t m_threshold = 0;
};

} // namespace stampede::ui
