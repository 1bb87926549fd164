// The thin entry point: parse the command line, then either open the window or run headless.

#include "cli.h"
#include "headless.h"
#include "lesson.h"

#include <QCoreApplication>

#include <cstdio>

using namespace Qt::StringLiterals;

#ifdef STAMPEDE_HAVE_UI
// Defined in ui/: creates the QApplication and the main window, honours --screenshot and
// --after, runs the event loop and returns the exit code.
int runWindow(int &argc, char **argv, const CliOptions &options);
// Defined in ui/: --handout's PDF, drawn with the window's charts (needs a QApplication).
bool writeLessonHandout(const Lesson &lesson, const std::vector<StepOutcome> &outcomes,
    const stampede::RunResult &result, const QString &path, QString *error);
#include <QApplication>
#endif

int main(int argc, char **argv)
{
    // Static setters: valid before (and without) an application object.
    QCoreApplication::setApplicationName(u"stampede"_s);
    QCoreApplication::setApplicationVersion(QStringLiteral(STAMPEDE_VERSION));
    QCoreApplication::setOrganizationName(u"stampede"_s);

#ifdef STAMPEDE_HAVE_UI
    constexpr bool haveWindow = true;
#else
    constexpr bool haveWindow = false;
#endif

    QStringList arguments;
    for (int i = 0; i < argc; ++i)
        arguments << QString::fromLocal8Bit(argv[i]);
    const CliParseResult parsed = parseCommandLine(arguments, haveWindow);
    switch (parsed.status) {
    case CliParseResult::Status::Error:
        printError(parsed.output);
        return kExitUsage;
    case CliParseResult::Status::Exit:
        std::fputs(parsed.output.toLocal8Bit().constData(), stdout);
        return 0;
    case CliParseResult::Status::Run:
        break;
    }
    const CliOptions &options = parsed.options;

    if (!options.headless && !options.listPresets && !options.listLessons) {
#ifdef STAMPEDE_HAVE_UI
        // ---- The GUI branch: everything about the window lives behind this one call. ----
        return runWindow(argc, argv, options);
#else
        std::fputs("stampede: this build has no window; running headless\n", stderr);
#endif
    }

#ifdef STAMPEDE_HAVE_UI
    if (!options.handoutFile.isEmpty()) {
        if (const QString problem = checkOutputs(options); !problem.isEmpty()) {
            printError(problem); // before the application object, whose start may print warnings
            return kExitUsage;
        }
        // The handout's charts are widgets drawn off screen: no display needed.
        if (qEnvironmentVariableIsEmpty("QT_QPA_PLATFORM"))
            qputenv("QT_QPA_PLATFORM", "offscreen");
        QApplication app(argc, argv);
        return runHeadless(options, writeLessonHandout);
    }
#endif
    QCoreApplication app(argc, argv);
    return runHeadless(options);
}
