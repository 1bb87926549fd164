#include "dialogs.h"

#include "actionset.h"
#include "shortcutsdialog.h"

#include <QAbstractButton>
#include <QAction>
#include <QApplication>
#include <QDir>
#include <QFile>
#include <QFileDialog>
#include <QInputDialog>
#include <QLineEdit>
#include <QMenu>
#include <QMessageBox>
#include <QRegularExpression>
#include <QTableWidget>
#include <QTest>

using namespace Qt::StringLiterals;

namespace stampede::soak {

namespace {

bool copyAll(const QString &from, const QString &to, QString *error)
{
    if (!QDir().mkpath(to)) {
        *error = u"cannot create "_s + to;
        return false;
    }
    const QStringList files = QDir(from).entryList({ u"*.json"_s }, QDir::Files, QDir::Name);
    for (const QString &f : files) {
        const QString target = to + u'/' + f;
        QFile::remove(target);
        if (!QFile::copy(from + u'/' + f, target)) {
            *error = u"cannot copy "_s + from + u'/' + f + u" to "_s + to;
            return false;
        }
        QFile::setPermissions(target, QFile::ReadOwner | QFile::WriteOwner);
    }
    QFile broken(to + u"/broken.json"_s);
    if (!broken.open(QIODevice::WriteOnly) || broken.write("{ \"name\": \"broken\", ") < 0) {
        *error = u"cannot write "_s + broken.fileName();
        return false;
    }
    return true;
}

// As a person types a path into the name field and presses Enter. (selectFile() leaves a focused
// field alone and selects in a list the file system model may not have loaded yet.)
void typeFileName(QFileDialog *dialog, const QString &path)
{
    if (auto *edit = dialog->findChild<QLineEdit *>(u"fileNameEdit"_s))
        edit->setText(path);
    else
        dialog->selectFile(path);
}

int actionCount(const ui::ActionSet *actions)
{
    int n = 0;
    for (const auto &[menu, list] : actions->byMenu())
        n += int(list.size());
    return n;
}

} // namespace

DialogAnswerer::DialogAnswerer(const ui::ActionSet *actions, Rng &rng, const QString &directory, QObject *parent)
    : QObject(parent)
    , m_actions(actions)
    , m_rng(rng)
    , m_dir(directory)
{
    m_timer.setInterval(20);
    connect(&m_timer, &QTimer::timeout, this, &DialogAnswerer::answerOpen);
}

QString DialogAnswerer::scenarioDirectory() const { return m_dir + u"/scenarios"_s; }

bool DialogAnswerer::prepareFiles(QString *error)
{
    return copyAll(u":/presets"_s, scenarioDirectory(), error) && copyAll(u":/lessons"_s, m_dir + u"/lessons"_s, error)
        && QDir().mkpath(m_dir + u"/exports"_s);
}

QString DialogAnswerer::freshName(const QString &suffix)
{
    return m_dir + u"/exports/soak-"_s + QString::number(++m_serial) + u'.' + suffix;
}

bool DialogAnswerer::answerOpen()
{
    // Re-entered when answering opens a dialog of its own (a file dialog's "file not found"
    // box): that one is answered, the one being answered is left to finish.
    QWidget *popup = QApplication::activePopupWidget();
    QWidget *modal = popup ? nullptr : QApplication::activeModalWidget();
    QWidget *target = popup ? popup : modal;
    if (!target) {
        m_lastModal = nullptr;
        return false;
    }
    if (m_answering.contains(target))
        return false;
    m_answering << target;
    if (auto *menu = qobject_cast<QMenu *>(popup)) {
        QList<QAction *> items;
        for (QAction *a : menu->actions())
            if (!a->isSeparator() && a->isEnabled() && a->isVisible() && !a->menu())
                items << a;
        if (items.isEmpty() || m_rng.chance(0.15)) {
            m_notes << u"menu: escape"_s;
            QTest::keyClick(menu, Qt::Key_Escape);
        } else {
            QAction *a = m_rng.pick(items);
            m_notes << u"menu: "_s + a->text();
            menu->setActiveAction(a);
            QTest::keyClick(menu, Qt::Key_Return); // as a person chooses it: exec() returns it
        }
    } else if (popup) {
        m_notes << u"popup: closed"_s;
        popup->close();
    } else {
        m_repeats = modal == m_lastModal ? m_repeats + 1 : 0;
        m_lastModal = modal;
        auto *dialog = qobject_cast<QDialog *>(modal);
        if (dialog && m_repeats >= 3) {
            m_problems << u"the dialog '"_s + dialog->windowTitle() + u"' stayed open after "_s
                    + QString::number(m_repeats) + u" answers"_s;
            m_notes << dialog->windowTitle() + u": rejected (stayed open)"_s;
            dialog->reject();
        } else if (dialog) {
            answerDialog(dialog);
        } else {
            m_notes << u"modal "_s + QString::fromLatin1(modal->metaObject()->className()) + u": closed"_s;
            modal->close();
        }
    }
    m_answering.removeAll(target);
    ++m_answered;
    return true;
}

void DialogAnswerer::answerDialog(QDialog *dialog)
{
    const QString title = dialog->windowTitle();
    if (auto *files = qobject_cast<QFileDialog *>(dialog)) {
        if (m_rng.chance(0.1)) {
            m_notes << title + u": cancel"_s;
            files->reject();
            return;
        }
        if (files->acceptMode() == QFileDialog::AcceptSave) {
            QStringList filters = files->nameFilters();
            const QString filter = filters.isEmpty() ? QString() : m_rng.pick(filters);
            if (!filter.isEmpty())
                files->selectNameFilter(filter);
            const QRegularExpressionMatch m = QRegularExpression(u"\\*\\.(\\w+)"_s).match(filter);
            const QString path = freshName(m.hasMatch() ? m.captured(1) : u"out"_s);
            typeFileName(files, path);
            m_notes << title + u": save "_s + QFileInfo(path).fileName();
            m_saved << path;
            static_cast<QDialog *>(files)
                ->accept(); // QFileDialog::accept is protected; QDialog::accept, virtual, is not
            return;
        }
        // open: a lesson or a scenario the soak prepared, now and then a broken one
        const bool lesson = files->nameFilters().join(u' ').contains(u"Lesson"_s);
        const QString dir = lesson ? m_dir + u"/lessons"_s : scenarioDirectory();
        QStringList candidates = QDir(dir).entryList({ u"*.json"_s }, QDir::Files, QDir::Name);
        candidates.removeAll(u"broken.json"_s);
        const QString name
            = candidates.isEmpty() || m_rng.chance(0.15) ? QStringLiteral("broken.json") : m_rng.pick(candidates);
        typeFileName(files, dir + u'/' + name);
        m_notes << title + u": open "_s + name;
        static_cast<QDialog *>(files)->accept();
        return;
    }
    if (auto *input = qobject_cast<QInputDialog *>(dialog)) {
        const QStringList items = input->comboBoxItems();
        if (items.isEmpty() || m_rng.chance(0.1)) {
            m_notes << title + u": cancel"_s;
            input->reject();
            return;
        }
        const QString item = m_rng.pick(items);
        input->setTextValue(item);
        m_notes << title + u": "_s + item;
        input->accept();
        return;
    }
    if (auto *shortcuts = qobject_cast<ui::ShortcutsDialog *>(dialog)) {
        // the list a room reads: every action of the window, none left out
        const int rows = shortcuts->table()->rowCount();
        if (rows != actionCount(m_actions))
            m_problems << u"Keyboard shortcuts lists "_s + QString::number(rows) + u" actions; the window has "_s
                    + QString::number(actionCount(m_actions));
        m_notes << title + u": "_s + QString::number(rows) + u" rows, closed"_s;
        if (m_rng.chance(0.5))
            QTest::keyClick(shortcuts, Qt::Key_Escape);
        else
            shortcuts->reject();
        return;
    }
    if (auto *box = qobject_cast<QMessageBox *>(dialog)) {
        m_notes << title + u": "_s + (box->buttons().isEmpty() ? u"closed"_s : box->buttons().constFirst()->text());
        if (!box->buttons().isEmpty())
            box->buttons().constFirst()->click();
        else
            box->reject();
        return;
    }
    m_notes << QString::fromLatin1(dialog->metaObject()->className()) + u" "_s + title + u": rejected"_s;
    dialog->reject();
}

} // namespace stampede::soak
