#include "handout.h"

#include "handoutrender.h"
#include "theme.h"

#include "metrics.h"

#include <QApplication>
#include <QDate>
#include <QDir>
#include <QFileInfo>
#include <QFontMetricsF>
#include <QLocale>
#include <QPainter>
#include <QPdfWriter>
#include <QSaveFile>
#include <QTextLayout>

#include <algorithm>
#include <cmath>

using namespace Qt::StringLiterals;

namespace stampede::ui {

namespace {

const QString kMet = u"✓"_s;
const QString kNotMet = u"✗"_s;

QString seconds(double s) { return QString::number(s, 'f', 1) + u" s"_s; }

QString checkLine(const LessonCheck &check, double metAt)
{
    QString line = (metAt >= 0 ? kMet : kNotMet) + u' ';
    if (!check.text.isEmpty())
        line += check.text + u" — "_s;
    return line + check.expression + u" — "_s + (metAt >= 0 ? u"met at "_s + seconds(metAt) : u"not met"_s);
}

QString oneLine(QString text) { return text.replace(u'\n', u' ').trimmed(); }

bool fail(QString *error, const QString &what, const QString &path, const QString &why)
{
    if (error)
        *error = what + u": cannot write "_s + QDir::toNativeSeparators(path) + u": "_s + oneLine(why);
    return false;
}

QString letter(int i) { return QString(QChar(u'A' + i)); }

// ---------------------------------------------------------------- the page flow

// Text and pictures laid out top to bottom on A4 pages: every paragraph wraps to the width (at
// word boundaries, anywhere in a word too long for a line), and whatever does not fit the rest
// of a page goes on the next one, line by line, under a "continued" header.
class Flow {
public:
    Flow(QPdfWriter &writer, QPainter &painter, QString footer)
        : m_writer(writer)
        , m_painter(painter)
        , m_footer(std::move(footer))
        , m_theme(Theme::make(false, false))
    {
        const QRectF page = writer.pageLayout().paintRectPixels(writer.resolution());
        m_width = page.width();
        m_height = page.height();
        m_bottom = m_height - lineHeight(font(8)) - mm(4);
    }

    const Theme &theme() const { return m_theme; }
    double mm(double v) const { return v * m_writer.resolution() / 25.4; }
    double width() const { return m_width; }
    int pages() const { return m_pages; }

    QFont font(double pointSize, bool bold = false, bool italic = false) const
    {
        QFont f = QGuiApplication::font();
        f.setPointSizeF(pointSize);
        f.setBold(bold);
        f.setItalic(italic);
        return f;
    }
    double lineHeight(const QFont &f) const { return QFontMetricsF(f, &m_writer).lineSpacing(); }

    // A new page: the first one is the painter's own. `continued` heads the pages this one
    // runs on to.
    void startPage(const QString &continued = {})
    {
        m_continued = continued;
        openPage();
    }

    void space(double millimetres) { m_y = std::min(m_bottom, m_y + mm(millimetres)); }
    // Starts a new page unless `height` fits below (keeps a heading with what follows it).
    void need(double height)
    {
        if (m_y + height > m_bottom && m_y > m_top + 1)
            breakPage();
    }

    // A paragraph; with a mark ("✓") the mark hangs left of the wrapped text, in its colour.
    void text(const QString &text, const QFont &f, const QColor &color, double indent = 0, const QString &mark = {},
        const QColor &markColor = {})
    {
        if (text.isEmpty())
            return;
        // a line break in the text stays one (QTextLayout reads only U+2028 as such)
        QTextLayout layout(QString(text).replace(u'\n', QChar::LineSeparator), f, &m_writer);
        QTextOption option;
        option.setWrapMode(QTextOption::WrapAtWordBoundaryOrAnywhere);
        layout.setTextOption(option);
        layout.setCacheEnabled(true);
        const double x = indent + (mark.isEmpty() ? 0 : QFontMetricsF(f, &m_writer).horizontalAdvance(mark + u' '));
        const double spacing = lineHeight(f) * 1.12;
        layout.beginLayout();
        double y = 0;
        for (QTextLine line = layout.createLine(); line.isValid(); line = layout.createLine()) {
            line.setLineWidth(std::max(1.0, m_width - x));
            line.setPosition({ 0, y });
            y += spacing;
        }
        layout.endLayout();
        for (int i = 0; i < layout.lineCount(); ++i) {
            const QTextLine line = layout.lineAt(i);
            if (m_y + line.height() > m_bottom)
                breakPage();
            m_painter.setPen(color);
            line.draw(&m_painter, { x, m_y - line.y() });
            if (i == 0 && !mark.isEmpty()) {
                m_painter.setFont(f);
                m_painter.setPen(markColor);
                m_painter.drawText(QPointF(indent, m_y + line.ascent()), mark);
            }
            m_y += spacing;
        }
    }

    // Images scaled to the width keeping their aspect: two to a row (one alone is full width),
    // a row that does not fit going on the next page.
    void images(const std::vector<QImage> &images)
    {
        const int n = int(images.size());
        const int columns = n >= 2 ? 2 : 1;
        const double gap = mm(4);
        const double cell = (m_width - gap * (columns - 1)) / columns;
        for (int row = 0; row * columns < n; ++row) {
            const int first = row * columns, count = std::min(columns, n - first);
            double rowHeight = 0;
            for (int k = 0; k < count; ++k) {
                const QImage &image = images[std::size_t(first + k)];
                if (!image.isNull() && image.width() > 0)
                    rowHeight = std::max(rowHeight, cell * image.height() / image.width());
            }
            // a picture taller than a whole page (never a chart) shrinks to the page
            const double scale = std::min(1.0, (m_bottom - m_top) / std::max(1.0, rowHeight));
            rowHeight *= scale;
            if (m_y + rowHeight > m_bottom)
                breakPage();
            // a last picture alone on its row sits in the middle
            double x = count < columns ? (m_width - cell * scale) / 2 : 0;
            for (int k = 0; k < count; ++k) {
                const QImage &image = images[std::size_t(first + k)];
                if (!image.isNull() && image.width() > 0) {
                    const double w = cell * scale, h = w * image.height() / image.width();
                    const QRectF target(x, m_y, w, h);
                    m_painter.drawImage(target, image);
                    m_painter.setPen(QPen(m_theme.border, mm(0.2)));
                    m_painter.setBrush(Qt::NoBrush);
                    m_painter.drawRect(target);
                }
                x += cell * scale + gap;
            }
            m_y += rowHeight + gap;
        }
    }

private:
    void breakPage()
    {
        openPage();
        if (!m_continued.isEmpty())
            text(m_continued, font(9, true), m_theme.mutedText);
        space(2);
    }

    void openPage()
    {
        if (m_pages > 0)
            m_writer.newPage();
        ++m_pages;
        m_y = m_top;
        // the footer first: whatever the page holds, it never reaches down here
        const QFont f = font(8);
        m_painter.setFont(f);
        m_painter.setPen(m_theme.mutedText);
        const QRectF band(0, m_height - lineHeight(f), m_width, lineHeight(f));
        m_painter.drawText(band, Qt::AlignLeft | Qt::AlignVCenter,
            QFontMetricsF(f, &m_writer).elidedText(m_footer, Qt::ElideRight, m_width * 0.8));
        m_painter.drawText(band, Qt::AlignRight | Qt::AlignVCenter, QString::number(m_pages));
    }

    QPdfWriter &m_writer;
    QPainter &m_painter;
    QString m_footer, m_continued;
    Theme m_theme;
    double m_width = 0, m_height = 0, m_top = 0, m_bottom = 0, m_y = 0;
    int m_pages = 0;
};

void titlePage(Flow &flow, const Lesson &lesson, const std::vector<HandoutPage> &pages)
{
    const Theme &t = flow.theme();
    flow.startPage(lesson.title + u" (continued)"_s);
    flow.text(u"STAMPEDE LESSON HANDOUT"_s, flow.font(9, true), t.accent);
    flow.space(2);
    flow.text(lesson.title.isEmpty() ? lesson.name : lesson.title, flow.font(24, true), t.text);
    flow.space(4);
    flow.text(lesson.summary, flow.font(12), t.text);
    flow.space(8);

    const Scenario &sc = lesson.scenario;
    if (!sc.title.isEmpty() || !sc.description.isEmpty()) {
        flow.need(flow.lineHeight(flow.font(13, true)) * 3);
        flow.text(u"The scenario"_s, flow.font(13, true), t.text);
        flow.space(1.5);
        flow.text(sc.title, flow.font(11, true), t.text);
        flow.space(1);
        flow.text(sc.description, flow.font(11), t.text);
        flow.space(8);
    }
    if (!pages.empty()) {
        flow.need(flow.lineHeight(flow.font(13, true)) * 3);
        flow.text(u"The steps"_s, flow.font(13, true), t.text);
        flow.space(1.5);
        for (std::size_t i = 0; i < pages.size(); ++i) {
            flow.text(pages[i].title, flow.font(11), t.text, flow.mm(2), QString::number(i + 1) + u'.', t.mutedText);
            flow.space(0.5);
        }
        flow.space(8);
    }
    QString made = QLocale::c().toString(QDate::currentDate(), u"d MMMM yyyy"_s);
    if (const QString version = QCoreApplication::applicationVersion(); !version.isEmpty())
        made += u" · Stampede "_s + version;
    else
        made += u" · Stampede"_s;
    flow.text(made, flow.font(10), t.mutedText);
}

void stepPages(Flow &flow, const HandoutPage &page, int number, int count)
{
    const Theme &t = flow.theme();
    const QString step = u"Step "_s + QString::number(number) + u" of "_s + QString::number(count);
    flow.startPage(step + u" (continued) · "_s + page.title);
    flow.text(step, flow.font(10, true), t.accent);
    flow.space(1.5);
    flow.text(page.title, flow.font(18, true), t.text);
    flow.space(3);
    flow.text(page.text, flow.font(11), t.text);

    const auto heading = [&](const QString &text) {
        flow.space(5);
        flow.need(flow.lineHeight(flow.font(12, true)) * 3);
        flow.text(text, flow.font(12, true), t.text);
        flow.space(1.5);
    };
    if (!page.checks.isEmpty()) {
        heading(u"What to notice"_s);
        for (const QString &line : page.checks) {
            const bool met = line.startsWith(kMet), notMet = line.startsWith(kNotMet);
            if (met || notMet)
                flow.text(line.mid(2), flow.font(11), t.text, flow.mm(1), line.left(1), met ? t.succeeded : t.oversold);
            else
                flow.text(line, flow.font(11), t.text, flow.mm(1));
            flow.space(1);
        }
    }
    if (!page.question.isEmpty()) {
        heading(u"Predict"_s);
        flow.text(page.question, flow.font(11, true), t.text);
        flow.space(1.5);
        for (int i = 0; i < page.choices.size(); ++i) {
            flow.text(page.choices[i], flow.font(11), t.text, flow.mm(4), letter(i) + u'.', t.mutedText);
            flow.space(0.5);
        }
        flow.space(2);
        QString answer = u"Answer: "_s;
        if (page.answerIndex >= 0 && page.answerIndex < page.choices.size())
            answer += letter(page.answerIndex) + u". "_s;
        flow.text(answer + page.answer, flow.font(11, true), t.succeeded);
        flow.space(1);
        flow.text(page.explanation, flow.font(11), t.text);
    }
    if (!page.images.empty()) {
        flow.space(5);
        if (!page.imagesCaption.isEmpty()) {
            flow.need(flow.lineHeight(flow.font(10)) * 2 + flow.width() * 0.3);
            flow.text(page.imagesCaption, flow.font(10, false, true), t.mutedText);
            flow.space(1.5);
        }
        flow.images(page.images);
    }
}

bool writePdf(const Lesson &lesson, const std::vector<HandoutPage> &pages, const QString &path, QString *error,
    const QString &what)
{
    QSaveFile file(path);
    if (!file.open(QIODevice::WriteOnly))
        return fail(error, what, path, file.errorString());
    {
        QPdfWriter writer(&file);
        writer.setPageSize(QPageSize(QPageSize::A4));
        writer.setPageOrientation(QPageLayout::Portrait);
        writer.setPageMargins(QMarginsF(18, 16, 18, 12), QPageLayout::Millimeter);
        writer.setResolution(300);
        writer.setTitle(lesson.title.isEmpty() ? lesson.name : lesson.title);
        const QString version = QCoreApplication::applicationVersion();
        writer.setCreator(version.isEmpty() ? u"Stampede"_s : u"Stampede "_s + version);
        QPainter painter;
        if (!painter.begin(&writer)) {
            file.cancelWriting();
            return fail(error, what, path, u"cannot start the PDF writer"_s);
        }
        painter.setRenderHint(QPainter::Antialiasing);
        painter.setRenderHint(QPainter::SmoothPixmapTransform);
        Flow flow(writer, painter, lesson.title.isEmpty() ? lesson.name : lesson.title);
        titlePage(flow, lesson, pages);
        for (std::size_t i = 0; i < pages.size(); ++i)
            stepPages(flow, pages[i], int(i) + 1, int(pages.size()));
        if (!painter.end()) {
            file.cancelWriting();
            return fail(error, what, path, u"the PDF writer failed"_s);
        }
    }
    if (!file.commit())
        return fail(error, what, path, file.errorString());
    if (QFileInfo(path).size() <= 0)
        return fail(error, what, path, u"the file is empty after writing"_s);
    return true;
}

} // namespace

std::vector<HandoutPage> handoutPages(const Lesson &lesson, const std::vector<StepOutcome> &outcomes)
{
    std::vector<HandoutPage> pages;
    pages.reserve(lesson.steps.size());
    for (std::size_t i = 0; i < lesson.steps.size(); ++i) {
        const LessonStep &step = lesson.steps[i];
        HandoutPage page;
        page.title = step.title;
        page.text = step.text;
        for (std::size_t c = 0; c < step.checks.size(); ++c) {
            // a step the run never reached has met nothing
            const double at = i < outcomes.size() && c < outcomes[i].metAtS.size() ? outcomes[i].metAtS[c] : -1;
            page.checks << checkLine(step.checks[c], at);
        }
        if (step.prediction) {
            const LessonPrediction &p = *step.prediction;
            page.question = p.question;
            page.choices = p.choices;
            page.answerIndex = p.answer >= 0 && p.answer < p.choices.size() ? p.answer : -1;
            page.answer = p.choices.value(p.answer);
            page.explanation = p.explanation;
        }
        pages.push_back(std::move(page));
    }
    return pages;
}

bool writeHandoutPdf(const Lesson &lesson, const std::vector<HandoutPage> &pages, const QString &path, QString *error)
{
    return writePdf(lesson, pages, path, error, u"Handout"_s);
}

bool writeHandoutFromRun(const Lesson &lesson, const std::vector<StepOutcome> &outcomes, const RunResult &result,
    const QString &path, QString *error)
{
    const QString what = u"--handout"_s;
    // the charts are widgets: they need the window's kind of application (app/main.cpp makes one)
    if (!qobject_cast<QApplication *>(QCoreApplication::instance()))
        return fail(error, what, path, u"drawing the charts needs a QApplication"_s);
    {
        // a path that cannot be written fails now, before the charts are drawn
        QSaveFile probe(path);
        if (!probe.open(QIODevice::WriteOnly))
            return fail(error, what, path, probe.errorString());
        probe.cancelWriting();
    }
    std::vector<HandoutPage> pages = handoutPages(lesson, outcomes);
    const std::vector<double> opens = stepOpenTimes(lesson);
    HandoutCharts charts(lesson.scenario.config, lessonScenario(lesson).durationS);
    for (std::size_t i = 0; i < pages.size(); ++i) {
        const LessonStep &step = lesson.steps[i];
        const double opensAt = i < opens.size() ? opens[i] : i < outcomes.size() ? outcomes[i].openedAtS : 0;
        const StepOutcome outcome = i < outcomes.size() ? outcomes[i] : StepOutcome { opensAt, {} };
        const double at = handoutMoment(step, outcome, opensAt);
        // the run up to the step's end across the width, so the step's part of it reads large;
        // in whole 5 s (the time axis labels every 5 s at most), 10 s at least
        charts.setRunLength(std::max(10.0, std::ceil(std::max(at, opensAt + step.forS) / 5 - 1e-9) * 5));
        pages[i].images = charts.render(snapshotAt(result, lesson.scenario.config, at));
        bool allMet = !step.checks.empty();
        for (std::size_t c = 0; c < step.checks.size(); ++c)
            allMet = allMet && c < outcome.metAtS.size() && outcome.metAtS[c] >= 0;
        pages[i].imagesCaption = u"The charts at "_s + seconds(at)
            + (allMet                     ? u", when the step's last check was met."_s
                    : step.checks.empty() ? u", at the end of the step."_s
                                          : u", at the end of the step (not every check was met)."_s);
    }
    return writePdf(lesson, pages, path, error, what);
}

} // namespace stampede::ui
