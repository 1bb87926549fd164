#pragma once

// Refusals and confirmations ("remove node 1: it is the last node up", "Saved …png") as a banner
// in the status bar, in the theme's status size (larger in projector mode), red on a tinted
// background for errors; it goes away by itself after a few seconds. It takes the status bar's
// room first (the line beside it gives way); a message longer than the bar is elided, never
// clipped, and its tooltip holds the whole of it.

#include "theme.h"

#include <QLabel>
#include <QTimer>

namespace stampede::ui {

class StatusBanner : public QLabel {
    Q_OBJECT

public:
    static constexpr int kShowMs = 10000;

    explicit StatusBanner(QWidget *parent = nullptr);

    void showMessage(const QString &text, bool error);
    void applyTheme(const Theme &theme);
    bool isError() const { return m_error; }
    QString fullText() const { return m_full; }
    // The width that shows the whole message, padding included.
    int neededWidth() const;

protected:
    void resizeEvent(QResizeEvent *event) override;

private:
    void restyle();
    void elide();
    int padding() const;

    Theme m_theme;
    QTimer m_timer;
    bool m_error = false;
    QString m_full;
};

} // namespace stampede::ui
