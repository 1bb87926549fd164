#include "panelsection.h"

#include "theme.h"

#include <QLabel>
#include <QToolButton>
#include <QVBoxLayout>

using namespace Qt::StringLiterals;

namespace stampede::ui {

QToolButton *panelButton(QAction *action, const char *objectName)
{
    auto *b = new QToolButton;
    b->setDefaultAction(action);
    b->setObjectName(QString::fromLatin1(objectName));
    b->setToolButtonStyle(Qt::ToolButtonTextOnly);
    b->setSizePolicy(QSizePolicy::Expanding, QSizePolicy::Fixed);
    b->setMinimumHeight(28);
    return b;
}

QWidget *panelSection(const QString &title, QWidget *content, QList<QLabel *> &headers)
{
    auto *box = new QWidget;
    auto *l = new QVBoxLayout(box);
    l->setContentsMargins(0, 4, 0, 4);
    l->setSpacing(4);
    auto *header = new QLabel(title.toUpper());
    header->setObjectName(u"sectionHeader"_s);
    headers << header;
    l->addWidget(header);
    l->addWidget(content);
    return box;
}

void styleSectionHeaders(const QList<QLabel *> &headers, const Theme &theme)
{
    const QFont font = theme.font(theme.captionPointSize, true);
    for (QLabel *h : headers) {
        h->setFont(font);
        QPalette p = h->palette();
        p.setColor(QPalette::WindowText, theme.mutedText);
        h->setPalette(p);
    }
}

} // namespace stampede::ui
