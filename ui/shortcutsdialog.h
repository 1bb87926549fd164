#pragma once

// Help ▸ Keyboard shortcuts: every action of the window with all of its keys, by menu.

#include <QDialog>

class QTableWidget;

namespace stampede::ui {

class ActionSet;

class ShortcutsDialog : public QDialog {
    Q_OBJECT

public:
    explicit ShortcutsDialog(const ActionSet &actions, QWidget *parent = nullptr);

    QTableWidget *table() const { return m_table; }

private:
    QTableWidget *m_table = nullptr;
};

} // namespace stampede::ui
