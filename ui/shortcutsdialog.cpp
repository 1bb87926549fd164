#include "shortcutsdialog.h"

#include "actionset.h"

#include <QAction>
#include <QDialogButtonBox>
#include <QHeaderView>
#include <QTableWidget>
#include <QVBoxLayout>

using namespace Qt::StringLiterals;

namespace stampede::ui {

ShortcutsDialog::ShortcutsDialog(const ActionSet &actions, QWidget *parent)
    : QDialog(parent)
{
    setWindowTitle(u"Keyboard shortcuts"_s);
    auto *layout = new QVBoxLayout(this);
    m_table = new QTableWidget(0, 3);
    m_table->setObjectName(u"shortcutsTable"_s);
    m_table->setHorizontalHeaderLabels({ u"Menu"_s, u"Action"_s, u"Keys"_s });
    m_table->verticalHeader()->hide();
    m_table->setEditTriggers(QAbstractItemView::NoEditTriggers);
    m_table->setSelectionMode(QAbstractItemView::NoSelection);
    m_table->setAlternatingRowColors(true);
    const auto menus = actions.byMenu();
    for (const auto &[menu, list] : menus) {
        for (const QAction *a : list) {
            QStringList keys;
            for (const QKeySequence &k : a->shortcuts())
                keys << k.toString(QKeySequence::NativeText);
            QString text = a->text();
            text.remove(u'&');
            const int row = m_table->rowCount();
            m_table->insertRow(row);
            m_table->setItem(row, 0, new QTableWidgetItem(menu));
            m_table->setItem(row, 1, new QTableWidgetItem(text));
            m_table->setItem(row, 2, new QTableWidgetItem(keys.join(u"  or  "_s)));
        }
    }
    m_table->resizeColumnsToContents();
    m_table->horizontalHeader()->setStretchLastSection(true);
    layout->addWidget(m_table);
    auto *buttons = new QDialogButtonBox(QDialogButtonBox::Close);
    connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
    layout->addWidget(buttons);
    resize(560, 640);
}

} // namespace stampede::ui
