// Every shipped lesson still teaches (issue "Workshop mode"): the binary runs each one headless
// exactly as `stampede --headless --lesson NAME` does, its steps one after another in real time,
// and every "notice" check of every step must be met while its step is open. A lesson whose
// checks stop ticking (an engine change, a retuned preset) fails here, by name and check.
//
// The lessons run two at a time (about half a minute each); the first one also writes its
// handout, which must have a title page and a page (or more) per step.

#include "lesson.h"

#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QRegularExpression>
#include <QTemporaryDir>
#include <QTest>

#include <memory>

using namespace Qt::StringLiterals;

namespace {

struct Job {
    QString name;
    std::unique_ptr<QProcess> process;
    QString report, handout;
};

// Pages of a PDF written by QPdfWriter: its page objects are plain text ("/Type /Page"), the
// page tree's is "/Type /Pages".
int pdfPages(const QString &path)
{
    QFile f(path);
    if (!f.open(QIODevice::ReadOnly))
        return -1;
    const QString text = QString::fromLatin1(f.readAll());
    static const QRegularExpression page(u"/Type\\s*/Page(?![s\\w])"_s);
    return static_cast<int>(text.count(page));
}

} // namespace

class TestLessons : public QObject {
    Q_OBJECT

private slots:
    void everyLessonMeetsItsChecks();
};

void TestLessons::everyLessonMeetsItsChecks()
{
    const QString bin = qEnvironmentVariable("STAMPEDE_BIN");
    QVERIFY2(!bin.isEmpty(), "STAMPEDE_BIN is not set (run through ctest)");
    const QStringList names = lessonNames();
    QVERIFY(!names.isEmpty());
    QTemporaryDir dir;
    QVERIFY(dir.isValid());

    constexpr int kAtOnce = 2;
    QStringList failures;
    qsizetype next = 0;
    std::vector<Job> running;
    auto start = [&](const QString &name, bool withHandout) {
        Job j;
        j.name = name;
        j.report = dir.filePath(name + u".json"_s);
        QStringList args { u"--headless"_s, u"--lesson"_s, name, u"--report"_s, j.report };
        if (withHandout) {
            j.handout = dir.filePath(name + u".pdf"_s);
            args << u"--handout"_s << j.handout;
        }
        j.process = std::make_unique<QProcess>();
        j.process->setProcessChannelMode(QProcess::MergedChannels);
        j.process->start(bin, args);
        running.push_back(std::move(j));
    };
    auto finish = [&](Job &j) {
        QString error;
        const auto lesson = loadLesson(j.name, &error);
        if (!j.process->waitForFinished(180000)) {
            failures << j.name + u": did not finish"_s;
            j.process->kill();
            j.process->waitForFinished();
            return;
        }
        const QString out = QString::fromLocal8Bit(j.process->readAll());
        if (j.process->exitStatus() != QProcess::NormalExit || j.process->exitCode() != 0) {
            failures << j.name + u": exit "_s + QString::number(j.process->exitCode()) + u"\n"_s + out;
            return;
        }
        QFile f(j.report);
        if (!f.open(QIODevice::ReadOnly)) {
            failures << j.name + u": no report"_s;
            return;
        }
        const QJsonObject l = QJsonDocument::fromJson(f.readAll()).object().value(u"lesson"_s).toObject();
        const int met = l.value(u"checks_met"_s).toInt(-1), total = l.value(u"checks_total"_s).toInt(-1);
        std::size_t expected = 0;
        for (const LessonStep &s : lesson->steps)
            expected += s.checks.size();
        if (met != total || total != static_cast<int>(expected) || total < 1)
            failures << j.name + u": "_s + QString::number(met) + u" of "_s + QString::number(total)
                    + u" checks met\n"_s + out;
        if (static_cast<std::size_t>(l.value(u"steps"_s).toArray().size()) != lesson->steps.size())
            failures << j.name + u": the report's steps differ from the lesson's"_s;
        if (!j.handout.isEmpty()) {
            const int pages = pdfPages(j.handout);
            // a title page, then each step on a page of its own (or more, when it runs over)
            if (pages < 1 + static_cast<int>(lesson->steps.size()))
                failures << j.name + u": the handout has "_s + QString::number(pages) + u" pages, expected at least "_s
                        + QString::number(1 + lesson->steps.size());
        }
    };
    while (next < names.size() || !running.empty()) {
        while (next < names.size() && static_cast<int>(running.size()) < kAtOnce) {
            start(names[next], next == 0);
            ++next;
        }
        finish(running.front());
        running.erase(running.begin());
    }
    QVERIFY2(failures.isEmpty(), qPrintable(failures.join(u"\n\n"_s)));
}

QTEST_GUILESS_MAIN(TestLessons)
#include "tst_lessons.moc"
