#include "chartdump.h"

#include <QAbstractAxis>
#include <QApplication>
#include <QCategoryAxis>
#include <QChart>
#include <QChartView>
#include <QGraphicsScene>
#include <QLegend>
#include <QValueAxis>
#include <QXYSeries>

#include <cstdio>
#include <string>

namespace {

std::string g_path; // set once at start-up, read by the dump

void dumpAxis(FILE *f, QAbstractAxis *axis)
{
    std::fprintf(f, "    axis %s align %d visible %d title '%s' (%lld chars) shown %d\n",
        axis->metaObject()->className(), int(axis->alignment()), int(axis->isVisible()),
        qPrintable(axis->titleText().left(80)), static_cast<long long>(axis->titleText().size()),
        int(axis->isTitleVisible()));
    if (auto *c = qobject_cast<QCategoryAxis *>(axis)) {
        const QStringList labels = c->categoriesLabels();
        qsizetype longest = 0;
        for (const QString &l : labels)
            longest = std::max(longest, l.size());
        std::fprintf(f, "      range %g .. %g start %g categories %lld longest %lld: %s\n", c->min(), c->max(),
            c->startValue(), static_cast<long long>(labels.size()), static_cast<long long>(longest),
            qPrintable(labels.join(u" | ").left(300)));
    } else if (auto *v = qobject_cast<QValueAxis *>(axis)) {
        std::fprintf(f, "      range %g .. %g tickType %d tickCount %d interval %g anchor %g minor %d format '%s'\n",
            v->min(), v->max(), int(v->tickType()), v->tickCount(), v->tickInterval(), v->tickAnchor(),
            v->minorTickCount(), qPrintable(v->labelFormat()));
    }
}

} // namespace

namespace stampede::soak {

void setChartDumpFile(const QString &path) { g_path = path.toStdString(); }

} // namespace stampede::soak

extern "C" void stampede_soak_dump_charts()
{
    FILE *f = g_path.empty() ? stderr : std::fopen(g_path.c_str(), "a");
    if (!f)
        return;
    int views = 0;
    for (QWidget *w : QApplication::allWidgets()) {
        auto *view = qobject_cast<QChartView *>(w);
        if (!view || !view->chart())
            continue;
        ++views;
        QChart *chart = view->chart();
        const QRectF plot = chart->plotArea();
        std::fprintf(f, "chart '%s' (%s) visible %d size %dx%d plot %g,%g %gx%g items %lld legend %d title '%s'\n",
            qPrintable(view->objectName()), view->window()->metaObject()->className(), int(view->isVisible()),
            view->width(), view->height(), plot.x(), plot.y(), plot.width(), plot.height(),
            static_cast<long long>(view->scene() ? view->scene()->items().size() : -1),
            int(chart->legend()->isVisible()), qPrintable(chart->title().left(80)));
        for (QAbstractSeries *s : chart->series()) {
            const auto *xy = qobject_cast<QXYSeries *>(s);
            std::fprintf(f, "    series '%s' visible %d points %lld\n", qPrintable(s->name()), int(s->isVisible()),
                static_cast<long long>(xy ? xy->count() : -1));
        }
        for (QAbstractAxis *a : chart->axes())
            dumpAxis(f, a);
    }
    std::fprintf(f, "%d chart views\n", views);
    if (f != stderr)
        std::fclose(f);
}
