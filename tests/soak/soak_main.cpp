// stampede-soak: the monkey soak of issue 16. Drives the real window (offscreen unless
// QT_QPA_PLATFORM says otherwise) with random actions for --duration seconds and exits 0 only
// when the window always answered, no invariant broke and resident memory stayed flat.
//
//   QT_QPA_PLATFORM=offscreen build/dev/tests/soak/stampede-soak --duration 120 --report soak.json --log soak.log

#include "monkey.h"
#include "options.h"
#include "summary.h"
#include "watchdog.h"

#include "allocator.h"
#include "chartdump.h"
#include "mainwindow.h"
#include "scenario.h"

#include <QApplication>
#include <QFile>
#include <QJsonDocument>
#include <QMutex>
#include <QStandardPaths>
#include <QThread>
#include <QTimer>

#include <cstdio>
#include <memory>

using namespace Qt::StringLiterals;
using namespace stampede;

namespace {

QtMessageHandler g_previous = nullptr;
QMutex g_messagesMutex;
soak::QtMessages g_messages;
soak::Monkey *g_monkey = nullptr;

// Qt's warnings are counted and reported (one line each the first time), not failures: some
// come from the offscreen platform itself. Debug and info messages are dropped.
void onQtMessage(QtMsgType type, const QMessageLogContext &context, const QString &message)
{
    if (type == QtFatalMsg) {
        g_previous(type, context, message);
        return;
    }
    if (type != QtWarningMsg && type != QtCriticalMsg)
        return;
    const QString key = message.left(200);
    bool first = false;
    {
        QMutexLocker lock(&g_messagesMutex);
        ++g_messages.warnings;
        first = !g_messages.byText.contains(key);
        ++g_messages.byText[key];
    }
    if (first)
        std::fprintf(stderr, "soak: Qt warning: %s\n", qPrintable(key));
    if (g_monkey && QThread::currentThread() == qApp->thread())
        g_monkey->logLine(u"  Qt warning: "_s + key);
}

void setDefault(const char *name, const char *value)
{
    if (!qEnvironmentVariableIsSet(name))
        qputenv(name, value);
}

} // namespace

int main(int argc, char **argv)
{
    QStringList arguments;
    for (int i = 0; i < argc; ++i)
        arguments << QString::fromLocal8Bit(argv[i]);
    QString error, help;
    const std::optional<soak::Options> options = soak::parseOptions(arguments, &error, &help);
    if (!options) {
        if (!help.isEmpty()) {
            std::fputs(qPrintable(help), stdout);
            return 0;
        }
        std::fprintf(stderr, "stampede-soak: %s\n", qPrintable(error));
        return 2;
    }
    if (options->listKinds) {
        std::printf("%s\n", qPrintable(soak::actionKinds().join(u'\n')));
        return 0;
    }

    // The same window everywhere: offscreen, no scaling, 96 dpi (the UI tests' environment).
    setDefault("QT_QPA_PLATFORM", "offscreen");
    setDefault("QT_ENABLE_HIGHDPI_SCALING", "0");
    setDefault("QT_FONT_DPI", "96");
    QApplication::setAttribute(Qt::AA_DontUseNativeDialogs); // dialogs the soak can answer
    ui::tuneAllocatorForLongRuns(); // as the app's window does (ui/appentry.cpp)
    QApplication app(argc, argv);
    QApplication::setQuitOnLastWindowClosed(false); // a closed main window is a finding, not the end
    QApplication::setStyle(u"Fusion"_s);
    QStandardPaths::setTestModeEnabled(true); // the person's settings stay theirs
    g_previous = qInstallMessageHandler(onQtMessage);
    soak::installCrashHandler(options->logFile);
    if (!options->logFile.isEmpty())
        soak::setChartDumpFile(options->logFile + u".charts"_s);
    // 5 s without the event loop is reported, 60 s ends the run (CI must not wait forever)
    soak::Watchdog watchdog(soak::Monkey::kAnswerLimitMs / 1000.0, 60, options->logFile, options->seed);

    auto window = std::make_unique<ui::MainWindow>();
    if (!window->loadPreset(defaultPresetName())) {
        std::fprintf(stderr, "stampede-soak: cannot load %s: %s\n", qPrintable(defaultPresetName()),
            qPrintable(window->statusMessage()));
        return 2;
    }
    window->resize(1600, 1000);
    window->show();

    auto monkey = std::make_unique<soak::Monkey>(window.get(), *options, &watchdog);
    if (!monkey->prepare(&error)) {
        std::fprintf(stderr, "stampede-soak: %s\n", qPrintable(error));
        return 2;
    }
    g_monkey = monkey.get();
    std::printf(
        "soak: seed %llu, %g s, kinds %s%s, platform %s (replay: stampede-soak --seed %llu --duration %g%s%s)\n",
        static_cast<unsigned long long>(options->seed), options->durationS,
        qPrintable(options->only.isEmpty() ? u"all"_s : options->only.join(u',')),
        qPrintable(options->match.isEmpty() ? QString() : u" matching '"_s + options->match + u"'"_s),
        qPrintable(QApplication::platformName()), static_cast<unsigned long long>(options->seed), options->durationS,
        qPrintable(options->only.isEmpty() ? QString() : u" --only "_s + options->only.join(u',')),
        qPrintable(options->match.isEmpty() ? QString() : u" --match '"_s + options->match + u"'"_s));
    std::fflush(stdout);

    QObject::connect(monkey.get(), &soak::Monkey::progress, [](const QString &line) {
        std::printf("%s\n", qPrintable(line));
        std::fflush(stdout);
    });
    QObject::connect(monkey.get(), &soak::Monkey::finished, &app, &QCoreApplication::quit);
    QTimer::singleShot(0, monkey.get(), &soak::Monkey::start);
    app.exec();
    monkey->stop();

    soak::QtMessages messages;
    {
        QMutexLocker lock(&g_messagesMutex);
        messages = g_messages;
    }
    const soak::Verdict verdict = soak::makeVerdict(*monkey, *options, messages);
    if (!messages.byText.isEmpty()) {
        std::printf("soak: Qt warnings by text (count):\n");
        for (auto it = messages.byText.begin(); it != messages.byText.end(); ++it)
            std::printf("  %5d  %s\n", it.value(), qPrintable(it.key()));
    }
    std::printf("%s\n", qPrintable(verdict.line));
    std::fflush(stdout);
    monkey->logLine(verdict.line);
    int code = verdict.ok ? 0 : 1;
    if (!options->reportFile.isEmpty()) {
        QFile f(options->reportFile);
        if (!f.open(QIODevice::WriteOnly | QIODevice::Truncate)
            || f.write(QJsonDocument(verdict.report).toJson(QJsonDocument::Indented)) < 0) {
            std::fprintf(stderr, "stampede-soak: --report: cannot write '%s'\n", qPrintable(options->reportFile));
            code = 2;
        }
    }
    g_monkey = nullptr;
    monkey.reset();
    window.reset(); // its engine stops on a helper thread, joined here
    return code;
}
