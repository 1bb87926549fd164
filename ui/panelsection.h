#pragma once

// The control panel's building blocks, shared by its flash-sale and fan-out parts: a button that
// shows one of the window's actions (its text carries the key), and a section with its title in
// capitals over its content.

#include <QList>
#include <QString>

class QAction;
class QLabel;
class QToolButton;
class QWidget;

namespace stampede::ui {

struct Theme;

QToolButton *panelButton(QAction *action, const char *objectName);
// The section's header goes into `headers`, which styleSectionHeaders() restyles with a theme.
QWidget *panelSection(const QString &title, QWidget *content, QList<QLabel *> &headers);
void styleSectionHeaders(const QList<QLabel *> &headers, const Theme &theme);

} // namespace stampede::ui
