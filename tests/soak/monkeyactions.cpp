// The monkey's action kinds: what each does, through which widget or key. An action is chosen
// (its random parameters drawn, its detail written to the log) before it runs.

#include "monkey.h"

#include "actionset.h"
#include "chartspanel.h"
#include "comparewindow.h"
#include "controlpanel.h"
#include "fanoutcontrols.h"
#include "lessonpanel.h"
#include "mainwindow.h"
#include "scalingdialog.h"
#include "topologyview.h"

#include <QAction>
#include <QApplication>
#include <QComboBox>
#include <QContextMenuEvent>
#include <QDir>
#include <QDoubleSpinBox>
#include <QLineEdit>
#include <QPushButton>
#include <QSlider>
#include <QSpinBox>
#include <QTest>
#include <QToolButton>

#include <cmath>

using namespace Qt::StringLiterals;

namespace stampede::soak {

namespace {

QString plain(const QAction *a)
{
    QString t = a->text();
    t.remove(u'&');
    return t;
}

// Sizes a desk, a projector and a laptop have, and odd ones.
QSize randomSize(Rng &rng)
{
    const QList<QSize> common { { 1366, 768 }, { 1920, 1080 }, { 1600, 1000 }, { 1280, 800 }, { 1024, 600 },
        { 800, 600 } };
    if (rng.chance(0.7))
        return rng.pick(common);
    return { rng.uniform(640, 2400), rng.uniform(400, 1500) };
}

} // namespace

QString Monkey::keyText(const QKeySequence &keys) const { return keys.toString(QKeySequence::PortableText); }

QList<QAction *> Monkey::visible(const QList<QAction *> &actions) const
{
    QList<QAction *> v;
    for (QAction *a : actions)
        if (a && a->isVisible() && a->isEnabled())
            v << a;
    return v;
}

void Monkey::pressKey(const QKeySequence &keys, QWidget *target)
{
    if (keys.isEmpty())
        return;
    QWidget *w = target && target->isVisible() ? target : m_window;
    QWidget *top = w->window();
    if (QApplication::activeWindow() != top) {
        top->activateWindow();
        QApplication::setActiveWindow(top);
    }
    const QKeyCombination k = keys[0];
    QTest::keyClick(w, k.key(), k.keyboardModifiers());
}

void Monkey::noteSideEffects(QAction *action)
{
    const ui::ActionSet *a = m_window->actions();
    const double now = elapsedS();
    for (std::size_t i = 0; i < a->strategies.size(); ++i)
        if (action == a->strategies[i])
            m_invariants.noteStrategyRequest(int(i), now);
    if (action == a->reset || action == a->openScenario || action == a->openLessonFile || a->lessons.contains(action)
        || a->guidedLessons.contains(action))
        m_invariants.noteReset(now);
}

Monkey::Action Monkey::byKeyOrTrigger(QAction *action, double keyShare)
{
    const QString name = plain(action);
    const QList<QKeySequence> keys = action->shortcuts();
    const bool shown = action->isVisible() && action->isEnabled();
    if (!keys.isEmpty() && (!shown || m_rng.chance(keyShare))) {
        const QKeySequence key = m_rng.pick(keys);
        // mostly to the window; now and then to whatever has focus, as a person types
        const bool toFocus = m_rng.chance(0.2) && QApplication::focusWidget();
        return { keyText(key) + u" ("_s + name + u") key"_s + (toFocus ? u" to the focus"_s : QString())
                + (shown ? QString() : u" (hidden or disabled)"_s),
            [this, action, key, toFocus] {
                noteSideEffects(action);
                pressKey(key, toFocus ? QApplication::focusWidget() : nullptr);
            } };
    }
    if (!shown)
        return { name + u": hidden or disabled, no key: nothing to do"_s, {} };
    QList<QToolButton *> buttons;
    const QList<QToolButton *> all = m_window->findChildren<QToolButton *>();
    for (QToolButton *b : all)
        if (b->defaultAction() == action && b->isVisible() && b->isEnabled())
            buttons << b;
    if (!buttons.isEmpty() && m_rng.chance(0.5)) {
        QPointer<QToolButton> b = m_rng.pick(buttons);
        return { name + u" button"_s, [this, action, b] {
                    noteSideEffects(action);
                    if (b && b->isVisible())
                        QTest::mouseClick(b, Qt::LeftButton);
                } };
    }
    return { u"trigger "_s + name, [this, action] {
                noteSideEffects(action);
                action->trigger();
            } };
}

Monkey::Action Monkey::choose(const QString &kind)
{
    if (kind == u"shortcut")
        return shortcutAction();
    if (kind == u"rate")
        return rateAction();
    if (kind == u"spike")
        return spikeAction();
    if (kind == u"node")
        return nodeAction();
    if (kind == u"preset")
        return presetAction();
    if (kind == u"strategy")
        return strategyAction();
    if (kind == u"reset")
        return resetAction();
    if (kind == u"look")
        return lookAction();
    if (kind == u"resize")
        return resizeAction();
    if (kind == u"export")
        return exportAction();
    if (kind == u"lesson")
        return lessonAction();
    if (kind == u"compare")
        return compareAction();
    if (kind == u"dialog")
        return dialogAction();
    if (kind == u"idle")
        return idleAction();
    return fieldsAction();
}

Monkey::Action Monkey::idleAction() { return { u"nothing"_s, {} }; }

// ---------------------------------------------------------------- every shortcut

Monkey::Action Monkey::shortcutAction() { return byKeyOrTrigger(m_rng.pick(m_shortcutActions)); }

// ---------------------------------------------------------------- traffic

Monkey::Action Monkey::rateAction()
{
    ui::ControlPanel *panel = m_window->controlPanel();
    const ui::ActionSet *a = m_window->actions();
    const int r = m_rng.uniform(0, 9);
    if (r <= 3) {
        static const QStringList bad { QString(), u"abc"_s, u"-5"_s, u"0"_s, u"1e9"_s, u"2000001"_s, u"12,5"_s,
            u"1 000"_s, u"inf"_s, u"nan"_s, u"0.5"_s };
        const QString text = m_rng.chance(0.12)
            ? m_rng.pick(bad)
            : QString::number(std::pow(10.0, m_rng.real(0, 6)), 'f', m_rng.uniform(0, 2));
        return { u"rate field '"_s + text + u"' Enter"_s, [panel, text] {
                    QLineEdit *field = panel->rateField();
                    if (!field->isVisible())
                        return;
                    field->setFocus();
                    field->selectAll();
                    QTest::keyClicks(field, text);
                    QTest::keyClick(field, Qt::Key_Return);
                } };
    }
    if (r <= 5) {
        QSlider *slider = panel->rateSlider();
        if (m_rng.chance(0.5)) {
            const int position = m_rng.uniform(0, ui::ControlPanel::kSliderSteps);
            return { u"rate slider to "_s + QString::number(position), [slider, position] {
                        if (slider->isVisible())
                            slider->setValue(position);
                    } };
        }
        const QList<Qt::Key> keys { Qt::Key_PageUp, Qt::Key_PageDown, Qt::Key_Home, Qt::Key_End, Qt::Key_Left,
            Qt::Key_Right };
        const Qt::Key key = m_rng.pick(keys);
        return { u"rate slider key "_s + QKeySequence(key).toString(), [slider, key] {
                    if (!slider->isVisible())
                        return;
                    slider->setFocus();
                    QTest::keyClick(slider, key);
                } };
    }
    if (r <= 7)
        return byKeyOrTrigger(m_rng.chance(0.5) ? a->rateUp : a->rateDown);
    return byKeyOrTrigger(a->maxRate);
}

Monkey::Action Monkey::spikeAction()
{
    const double factor = std::round(m_rng.real(1.5, 20) * 10) / 10;
    const double seconds = std::round(m_rng.real(0.5, 8) * 10) / 10;
    Action spike = byKeyOrTrigger(m_window->actions()->spike);
    ui::ControlPanel *panel = m_window->controlPanel();
    return { u"×"_s + QString::number(factor) + u" for "_s + QString::number(seconds) + u" s, "_s + spike.detail,
        [panel, factor, seconds, run = spike.run] {
            if (auto *f = panel->findChild<QDoubleSpinBox *>(u"spikeFactor"_s))
                f->setValue(factor);
            if (auto *s = panel->findChild<QDoubleSpinBox *>(u"spikeSeconds"_s))
                s->setValue(seconds);
            if (run)
                run();
        } };
}

// ---------------------------------------------------------------- nodes, cache nodes, consumers

Monkey::Action Monkey::nodeAction()
{
    const ui::ActionSet *a = m_window->actions();
    const QList<QAction *> choices = visible({ a->addNode, a->removeNode, a->killNode, a->scaleUpNode, a->addCacheNode,
        a->removeCacheNode, a->killCacheNode, a->addConsumer, a->removeConsumer, a->killConsumer, a->addWorker,
        a->removeWorker, a->killWorker, a->addInboxShard, a->killInboxShard, a->rebuildInboxShard });
    if (choices.isEmpty())
        return { u"no node action shown"_s, {} };

    // What the diagram drew: a click selects it (the next kill or remove targets it), a
    // right-click opens its menu (answered by the dialog answerer: remove or kill).
    ui::TopologyView *view = m_window->topologyView();
    QList<std::pair<QString, QRectF>> items;
    for (const auto &n : view->drawnNodes())
        items.append({ u"node "_s + QString::number(n.id), n.rect });
    for (const auto &n : view->drawnCacheNodes())
        items.append({ u"cache node "_s + QString::number(n.id), n.rect });
    for (const auto &n : view->drawnConsumers())
        items.append({ u"consumer "_s + QString::number(n.id), n.rect });
    for (const auto &n : view->drawnShards())
        items.append({ u"shard "_s + QString::number(n.id), n.rect });

    const int r = m_rng.uniform(0, 9);
    if (r <= 2 && !items.isEmpty()) {
        const auto item = m_rng.pick(items);
        const Action then = byKeyOrTrigger(m_rng.pick(choices));
        QPointer<ui::TopologyView> v = view;
        return { u"click "_s + item.first + u", then "_s + then.detail, [v, item, run = then.run] {
                    if (v && v->isVisible())
                        QTest::mouseClick(v, Qt::LeftButton, {}, item.second.center().toPoint());
                    if (run)
                        run();
                } };
    }
    if (r == 3 && !items.isEmpty()) {
        const auto item = m_rng.pick(items);
        QPointer<ui::TopologyView> v = view;
        return { u"right-click "_s + item.first, [v, item] {
                    if (!v || !v->isVisible())
                        return;
                    const QPoint at = item.second.center().toPoint();
                    QContextMenuEvent event(QContextMenuEvent::Mouse, at, v->mapToGlobal(at));
                    QApplication::sendEvent(v, &event); // its menu runs a loop the answerer ends
                } };
    }
    return byKeyOrTrigger(m_rng.pick(choices));
}

// ---------------------------------------------------------------- presets, strategies, resets

Monkey::Action Monkey::presetAction()
{
    const ui::ActionSet *a = m_window->actions();
    if (m_rng.chance(0.3) && !a->lessons.isEmpty())
        return byKeyOrTrigger(m_rng.pick(a->lessons));
    QComboBox *box = m_window->presetCombo();
    const int index = m_rng.uniform(0, box->count() - 1);
    return { u"preset box: "_s + box->itemText(index), [this, box, index] {
                m_invariants.noteReset(elapsedS());
                box->setCurrentIndex(index);
            } };
}

Monkey::Action Monkey::strategyAction()
{
    const ui::ActionSet *a = m_window->actions();
    if (a->workload() == WorkloadKind::Fanout) {
        const int i = m_rng.uniform(0, int(a->fanoutModes.size()) - 1);
        if (m_rng.chance(0.5))
            return byKeyOrTrigger(a->fanoutModes[std::size_t(i)], 0.8);
        QComboBox *box = m_window->fanoutModeCombo();
        return { u"mode box: "_s + box->itemText(i), [box, i] { box->setCurrentIndex(i); } };
    }
    const int i = m_rng.uniform(0, int(a->strategies.size()) - 1);
    if (m_rng.chance(0.5))
        return byKeyOrTrigger(a->strategies[std::size_t(i)], 0.8);
    QComboBox *box = m_window->strategyCombo();
    return { u"strategy box: "_s + box->itemText(i), [this, box, i] {
                m_invariants.noteStrategyRequest(i, elapsedS());
                box->setCurrentIndex(i);
            } };
}

Monkey::Action Monkey::resetAction()
{
    const ui::ActionSet *a = m_window->actions();
    return byKeyOrTrigger(m_rng.chance(0.65) ? a->reset : a->restock, 0.6);
}

// ---------------------------------------------------------------- the look

Monkey::Action Monkey::lookAction()
{
    const ui::ActionSet *a = m_window->actions();
    return byKeyOrTrigger(m_rng.pick(QList<QAction *> {
        a->projectorMode, a->darkTheme, a->controlsPanel, a->fullScreen, a->chartPage, a->chartPage }));
}

Monkey::Action Monkey::resizeAction()
{
    const QSize size = randomSize(m_rng);
    return { QString::number(size.width()) + u'×' + QString::number(size.height()), [this, size] {
                if (m_window->isFullScreen())
                    m_window->actions()->fullScreen->trigger(); // back to a normal window first
                m_window->resize(size);
            } };
}

// ---------------------------------------------------------------- exports

Monkey::Action Monkey::exportAction()
{
    const ui::ActionSet *a = m_window->actions();
    const int r = m_rng.uniform(0, 9);
    switch (r) {
    case 0:
        return byKeyOrTrigger(a->exportScreenshot);
    case 1:
        return byKeyOrTrigger(a->exportScreenshot2x);
    case 2:
        return byKeyOrTrigger(a->exportChart);
    case 3:
        return byKeyOrTrigger(a->exportCsv);
    case 4:
        return byKeyOrTrigger(a->saveSession);
    case 5:
        return byKeyOrTrigger(m_window->lessonOpen() ? a->exportHandout : a->copyScreenshot);
    case 6:
        return byKeyOrTrigger(a->copyScreenshot);
    default:
        break;
    }
    // without dialogs, as the tests and scripts call them
    const QString dir = m_tmp.path() + u"/exports/"_s;
    const int what = m_rng.uniform(0, 4);
    const int serial = m_count;
    if (what == 0) {
        const double dpr = m_rng.chance(0.5) ? 1.0 : 2.0;
        const QString path = dir + u"direct-"_s + QString::number(serial) + u".png"_s;
        return { u"screenshot at "_s + QString::number(dpr) + u"×"_s, [this, path, dpr] {
                    QString error;
                    if (!m_window->exportScreenshot(path, dpr, &error))
                        violation(u"exportScreenshot: "_s + error);
                    else
                        m_direct << path;
                } };
    }
    if (what == 1) {
        const int charts = int(m_window->chartsPanel()->charts().size());
        const int index = m_rng.uniform(0, std::max(0, charts - 1));
        const QString path = dir + u"direct-"_s + QString::number(serial) + (m_rng.chance(0.5) ? u".svg"_s : u".png"_s);
        return { u"chart "_s + QString::number(index) + u" to "_s + QFileInfo(path).suffix(), [this, path, index] {
                    QString error;
                    if (!m_window->exportChart(index, path, &error))
                        violation(u"exportChart: "_s + error);
                    else
                        m_direct << path;
                } };
    }
    if (what == 2 || (what == 4 && !m_window->lessonOpen())) {
        const QString path = dir + u"direct-"_s + QString::number(serial) + u".csv"_s;
        return { u"timeline CSV"_s, [this, path] {
                    QString error;
                    if (!m_window->exportTimelineCsv(path, &error))
                        violation(u"exportTimelineCsv: "_s + error);
                    else
                        m_direct << path;
                } };
    }
    if (what == 3) {
        const QString path = dir + u"direct-"_s + QString::number(serial) + u".json"_s;
        return { u"session scenario"_s, [this, path] {
                    QString error;
                    if (!m_window->saveSessionScenario(path, &error))
                        violation(u"saveSessionScenario: "_s + error);
                    else
                        m_direct << path;
                } };
    }
    const QString path = dir + u"direct-"_s + QString::number(serial) + u".pdf"_s;
    return { u"lesson handout"_s, [this, path] {
                QString error;
                if (!m_window->exportLessonHandout(path, &error))
                    violation(u"exportLessonHandout: "_s + error);
                else
                    m_direct << path;
            } };
}

// ---------------------------------------------------------------- lessons, compare, dialogs

Monkey::Action Monkey::lessonAction()
{
    const ui::ActionSet *a = m_window->actions();
    if (!m_window->lessonOpen()) {
        if (m_rng.chance(0.8) && !a->guidedLessons.isEmpty())
            return byKeyOrTrigger(m_rng.pick(a->guidedLessons));
        return byKeyOrTrigger(a->openLessonFile);
    }
    const int r = m_rng.uniform(0, 9);
    if (r <= 3)
        return byKeyOrTrigger(a->nextStep);
    if (r <= 5)
        return byKeyOrTrigger(a->previousStep);
    if (r <= 7) {
        QList<QPushButton *> choices;
        for (QPushButton *b : m_window->lessonPanel()->choiceButtons())
            if (b->isVisible() && b->isEnabled())
                choices << b;
        if (choices.isEmpty())
            return byKeyOrTrigger(a->nextStep);
        QPointer<QPushButton> b = m_rng.pick(choices);
        return { u"choice '"_s + (b->text().isEmpty() ? b->accessibleName() : b->text()).left(40) + u"'"_s, [b] {
                    if (b && b->isVisible())
                        QTest::mouseClick(b, Qt::LeftButton);
                } };
    }
    if (r == 8)
        return byKeyOrTrigger(a->leaveLesson);
    return byKeyOrTrigger(m_rng.pick(a->guidedLessons));
}

Monkey::Action Monkey::compareAction()
{
    QPointer<ui::CompareWindow> open;
    const QWidgetList tops = QApplication::topLevelWidgets();
    for (QWidget *w : tops)
        if (auto *c = qobject_cast<ui::CompareWindow *>(w); c && c->isVisible())
            open = c;
    if (!open)
        return byKeyOrTrigger(m_window->actions()->compare);
    if (m_rng.chance(0.3)) {
        const bool esc = m_rng.chance(0.5);
        return { esc ? u"Esc to the compare window"_s : u"close the compare window"_s, [this, open, esc] {
                    if (!open)
                        return;
                    if (esc)
                        pressKey(QKeySequence(Qt::Key_Escape), open);
                    else
                        open->closeWindow();
                } };
    }
    const QStringList keys { u"Space"_s, u"S"_s, u"A"_s, u"K"_s, u"R"_s, u"Ctrl+R"_s, u"L"_s, u"Ctrl+Up"_s,
        u"Ctrl+Down"_s, u"P"_s };
    const QString key = m_rng.pick(keys);
    return { key + u" to the compare window"_s, [this, open, key] {
                if (open)
                    pressKey(QKeySequence(key), open);
            } };
}

Monkey::Action Monkey::dialogAction()
{
    const ui::ActionSet *a = m_window->actions();
    const int r = m_rng.uniform(0, 3);
    if (r == 0)
        return byKeyOrTrigger(a->shortcuts);
    if (r == 1)
        return byKeyOrTrigger(a->about);
    if (r == 3)
        return byKeyOrTrigger(a->openScenario);
    QPointer<ui::ScalingDialog> sweep;
    for (ui::ScalingDialog *d : m_window->findChildren<ui::ScalingDialog *>())
        if (d->isVisible())
            sweep = d;
    if (!sweep)
        return byKeyOrTrigger(a->scalingSweep);
    return { u"Esc to the scaling sweep"_s, [this, sweep] {
                if (sweep)
                    pressKey(QKeySequence(Qt::Key_Escape), sweep);
            } };
}

// ---------------------------------------------------------------- the panel's fields

Monkey::Action Monkey::fieldsAction()
{
    ui::ControlPanel *panel = m_window->controlPanel();
    ui::FanoutControls *fanout = panel->fanoutControls();
    struct Box {
        QString name;
        QAbstractSpinBox *box;
        double lo, hi;
    };
    QList<Box> boxes;
    auto add = [&](const QString &name, QAbstractSpinBox *box, double lo, double hi) {
        if (box && box->isVisible() && box->isEnabled())
            boxes.append({ name, box, lo, hi });
    };
    add(u"TTL jitter"_s, panel->ttlJitterBox(), 0, 100);
    add(u"views per purchase"_s, panel->readRatioBox(), 0, 1000);
    add(u"restock units"_s, panel->findChild<QSpinBox *>(u"restockUnits"_s), 1, 100000);
    add(u"spike factor"_s, panel->findChild<QDoubleSpinBox *>(u"spikeFactor"_s), 1.5, 20);
    add(u"spike seconds"_s, panel->findChild<QDoubleSpinBox *>(u"spikeSeconds"_s), 0.5, 8);
    add(u"post share"_s, fanout->postShareBox(), 0, 1);
    add(u"celebrity"_s, fanout->celebrityBox(), 0, 8);
    QLineEdit *threshold = fanout->thresholdField();
    const bool thresholdShown = threshold->isVisible() && threshold->isEnabled();
    if (boxes.isEmpty() && !thresholdShown)
        return { u"no field shown"_s, {} };

    if (thresholdShown && (boxes.isEmpty() || m_rng.chance(0.25))) {
        static const QStringList bad { u"abc"_s, u"-1"_s, u"0"_s, u"1e12"_s, u"10.5"_s, QString() };
        const QString text
            = m_rng.chance(0.15) ? m_rng.pick(bad) : QString::number(std::llround(std::pow(10.0, m_rng.real(0, 7))));
        return { u"threshold field '"_s + text + u"' Enter"_s, [threshold, text] {
                    if (!threshold->isVisible())
                        return;
                    threshold->setFocus();
                    threshold->selectAll();
                    QTest::keyClicks(threshold, text);
                    QTest::keyClick(threshold, Qt::Key_Return);
                } };
    }
    const Box b = m_rng.pick(boxes);
    QPointer<QAbstractSpinBox> box = b.box;
    const double lo = b.name == u"views per purchase" ? 0 : b.lo;
    // views: a few decades, not a uniform thousand (most values would be huge)
    const double value
        = b.name == u"views per purchase" ? std::round(std::pow(10.0, m_rng.real(0, 3))) : m_rng.real(lo, b.hi);
    const bool typed = m_rng.chance(0.3);
    return { b.name + (typed ? u" typed "_s : u" set to "_s) + QString::number(value, 'g', 4), [box, value, typed] {
                if (!box || !box->isVisible())
                    return;
                if (typed) {
                    box->setFocus();
                    box->selectAll();
                    const QString text = qobject_cast<QSpinBox *>(box) ? QString::number(std::lround(value))
                                                                       : QString::number(value, 'f', 2);
                    QTest::keyClicks(box, text);
                    QTest::keyClick(box, Qt::Key_Return);
                } else if (auto *i = qobject_cast<QSpinBox *>(box)) {
                    i->setValue(int(std::lround(value)));
                } else if (auto *d = qobject_cast<QDoubleSpinBox *>(box)) {
                    d->setValue(value);
                }
            } };
}

} // namespace stampede::soak
