#pragma once

// Keeps a tool bar whole at any window width: instead of hiding buttons behind the overflow
// arrow (where a room never sees them), it steps down through plainer forms until every item
// fits — first the key hints leave the buttons ("Pause   Space" → "Pause"), then the captions in
// front of the combo boxes, then the buttons that have an icon show only it, then the combo
// boxes narrow. Tooltips keep the full text and key. It refits when the bar is resized or an
// action changes its label.

#include <QList>
#include <QObject>
#include <QTimer>

class QAction;
class QComboBox;
class QToolBar;

namespace stampede::ui {

class ToolBarFit : public QObject {
    Q_OBJECT

public:
    enum Level { Full, NoKeys, NoCaptions, IconsOnly, NarrowCombos, LevelCount };

    // `captions` are the bar's label widgets (their actions), `combos` the combo boxes on it.
    ToolBarFit(QToolBar *bar, QList<QAction *> captions, QList<QComboBox *> combos);

    Level level() const { return m_level; }
    // Whether every item is on the bar (no overflow menu).
    bool fits() const;
    // Picks the fullest level that fits now (after a resize, a theme or a label change).
    void refit();
    // Captions the run does not use (the strategy's on a fan-out run): hidden at every level.
    void setHiddenCaptions(QList<QAction *> captions);

protected:
    bool eventFilter(QObject *watched, QEvent *event) override;

private:
    void apply(Level level);

    QToolBar *m_bar;
    QList<QAction *> m_captions;
    QList<QComboBox *> m_combos;
    QList<QAction *> m_hidden;
    Level m_level = Full;
    QTimer m_pending; // coalesces the refits that one resize or relabel triggers
    bool m_applying = false;
};

} // namespace stampede::ui
