#pragma once

// The lesson across the top of the window: its title in bold, then what to notice, word-wrapped
// over the full width and never cut: the banner asks for the height its text needs at its width
// (in projector mode too), and the diagram below gets the rest.

#include "theme.h"

#include <QWidget>

namespace stampede::ui {

class LessonBanner : public QWidget {
    Q_OBJECT

public:
    explicit LessonBanner(QWidget *parent = nullptr);

    void setLesson(const QString &title, const QString &description);
    void applyTheme(const Theme &theme);

    QString title() const { return m_title; }
    QString description() const { return m_description; }
    // The height the whole text needs at `width` (its height is at least that after a layout).
    int heightForWidth(int width) const override;
    bool hasHeightForWidth() const override { return true; }
    QSize sizeHint() const override;
    QSize minimumSizeHint() const override;

protected:
    void paintEvent(QPaintEvent *event) override;
    void resizeEvent(QResizeEvent *event) override;

private:
    QString html() const;
    void fitHeight();
    int layoutWidth() const;
    QFont textFont() const;

    Theme m_theme;
    QString m_title, m_description;
};

} // namespace stampede::ui
