// The manual page (packaging/stampede.1.in, configured into the build directory) against the
// built binary's --help: every option --help lists has an item in the man page's OPTIONS section,
// with the same short form and value name, and every item there is an option --help lists. Items
// under a subsection whose title starts with "Window" may be missing from the --help of a build
// without the window (STAMPEDE_BUILD_UI=OFF, e.g. the TSan build); everything else must match in
// both builds. The man page's version is the program's.

#include "clirun.h"

#include <QDir>
#include <QFile>
#include <QMap>
#include <QRegularExpression>
#include <QTest>

using namespace Qt::StringLiterals;

namespace {

struct OptionDoc {
    QStringList names; // e.g. "-h", "--help"
    QString value; // the value's name ("NAME"), empty for a flag
    QString section; // the man page's subsection (empty for --help)

    QString longName() const
    {
        for (const QString &n : names)
            if (n.startsWith(u"--"_s))
                return n;
        return names.value(0);
    }
};

// "  -h, --help            Displays help" or "  --preset <NAME>   Start from ..."; the lines that
// continue a description are indented further and start with no dash.
QList<OptionDoc> parseHelp(const QString &help)
{
    static const QRegularExpression line(u"^  (-\\S.*?)(?:\\s{2,}|$)"_s);
    static const QRegularExpression value(u"^(.*\\S)\\s+<([^>]+)>$"_s);
    QList<OptionDoc> options;
    for (const QString &text : help.split(u'\n')) {
        const QRegularExpressionMatch m = line.match(text);
        if (!m.hasMatch())
            continue;
        QString spec = m.captured(1);
        OptionDoc doc;
        if (const QRegularExpressionMatch v = value.match(spec); v.hasMatch()) {
            spec = v.captured(1);
            doc.value = v.captured(2);
        }
        for (const QString &name : spec.split(u',', Qt::SkipEmptyParts))
            doc.names << name.trimmed();
        options << doc;
    }
    return options;
}

// The text of a roff line without font changes and with roff's escapes for - and the en dash.
QString unroff(QString s)
{
    static const QRegularExpression font(u"\\\\f(\\(..|\\[[^]]*\\]|.)"_s);
    s.remove(font);
    s.replace(u"\\-"_s, u"-"_s);
    s.replace(u"\\(en"_s, u"-"_s);
    s.replace(u"\\e"_s, u"\\"_s);
    return s.trimmed();
}

// The .TP items of the OPTIONS section: the line after each .TP is the item's tag, such as
// "\fB\-h\fR, \fB\-\-help\fR" or "\fB\-\-preset\fR \fINAME\fR".
QList<OptionDoc> parseManPage(const QString &roff, QString *version)
{
    static const QRegularExpression th(u"^\\.TH\\s+\\S+\\s+\\S+\\s+\\S+\\s+\"Stampede ([^\"]+)\""_s);
    QList<OptionDoc> items;
    bool inOptions = false;
    bool tagNext = false;
    QString section;
    for (const QString &line : roff.split(u'\n')) {
        if (const QRegularExpressionMatch m = th.match(line); m.hasMatch())
            *version = m.captured(1);
        if (line.startsWith(u".SH"_s)) {
            inOptions = unroff(line.mid(3)).remove(u'"') == u"OPTIONS"_s;
            continue;
        }
        if (!inOptions)
            continue;
        if (line.startsWith(u".SS"_s)) {
            section = unroff(line.mid(3)).remove(u'"');
        } else if (line.startsWith(u".TP"_s)) {
            tagNext = true;
        } else if (tagNext) {
            tagNext = false;
            OptionDoc doc;
            doc.section = section;
            QStringList values;
            for (const QString &word : unroff(line).split(u' ', Qt::SkipEmptyParts)) {
                if (word.startsWith(u'-'))
                    doc.names << QString(word).remove(u',');
                else
                    values << word;
            }
            doc.value = values.join(u' ');
            items << doc;
        }
    }
    return items;
}

bool windowOnly(const OptionDoc &item) { return item.section.startsWith(u"Window"_s, Qt::CaseInsensitive); }

} // namespace

class TestManPage : public QObject {
    Q_OBJECT

private slots:
    void initTestCase();
    void bothListsAreRead();
    void helpOptionIsInTheManPage_data();
    void helpOptionIsInTheManPage();
    void manPageOptionIsInHelp_data();
    void manPageOptionIsInHelp();
    void eachOptionHasOneItem();
    void versionIsTheProgramsVersion();

private:
    QList<OptionDoc> m_help;
    QList<OptionDoc> m_man;
    QMap<QString, OptionDoc> m_helpByName; // by long name
    QMap<QString, OptionDoc> m_manByName;
    QString m_manVersion;
    QString m_programVersion;
    bool m_haveWindow = true;
};

void TestManPage::initTestCase()
{
    const QString bin = qEnvironmentVariable("STAMPEDE_BIN");
    QVERIFY2(!bin.isEmpty(), "STAMPEDE_BIN is not set (run through ctest)");
    const QString manPath = qEnvironmentVariable("STAMPEDE_MANPAGE");
    QVERIFY2(!manPath.isEmpty(), "STAMPEDE_MANPAGE is not set (run through ctest)");
    m_haveWindow = qEnvironmentVariable("STAMPEDE_HAVE_WINDOW") != u"0"_s;

    const test::Outcome help = test::runBinary(bin, QDir::tempPath(), { u"--help"_s }, 30000);
    QCOMPARE(help.exitCode, 0);
    m_help = parseHelp(help.out);
    for (const OptionDoc &o : std::as_const(m_help))
        m_helpByName.insert(o.longName(), o);

    const test::Outcome version = test::runBinary(bin, QDir::tempPath(), { u"--version"_s }, 30000);
    QCOMPARE(version.exitCode, 0);
    m_programVersion = version.out.trimmed().section(u' ', 1);

    QFile f(manPath);
    QVERIFY2(f.open(QIODevice::ReadOnly | QIODevice::Text), qPrintable(manPath + u": "_s + f.errorString()));
    m_man = parseManPage(QString::fromUtf8(f.readAll()), &m_manVersion);
    for (const OptionDoc &o : std::as_const(m_man))
        m_manByName.insert(o.longName(), o);
}

// Guards the parsers: were either of them to find nothing, the comparisons below would pass.
void TestManPage::bothListsAreRead()
{
    QVERIFY2(m_help.size() >= 20, qPrintable(u"--help: "_s + QString::number(m_help.size()) + u" options"_s));
    QVERIFY2(m_man.size() >= 20, qPrintable(u"man page: "_s + QString::number(m_man.size()) + u" items"_s));
    for (const QString &name : { u"--help"_s, u"--version"_s, u"--headless"_s, u"--preset"_s, u"--sweep"_s }) {
        QVERIFY2(m_helpByName.contains(name), qPrintable(u"--help lacks "_s + name));
        QVERIFY2(m_manByName.contains(name), qPrintable(u"the man page lacks "_s + name));
    }
    QCOMPARE(m_helpByName.value(u"--help"_s).names, QStringList({ u"-h"_s, u"--help"_s }));
    QCOMPARE(m_helpByName.value(u"--preset"_s).value, u"NAME"_s);
    QCOMPARE(m_manByName.value(u"--preset"_s).value, u"NAME"_s);
    QCOMPARE(m_manByName.value(u"--size"_s).section, u"Window options"_s);
}

void TestManPage::helpOptionIsInTheManPage_data()
{
    QTest::addColumn<QString>("name");
    for (const OptionDoc &o : std::as_const(m_help))
        QTest::newRow(qPrintable(o.longName())) << o.longName();
}

void TestManPage::helpOptionIsInTheManPage()
{
    QFETCH(QString, name);
    const OptionDoc help = m_helpByName.value(name);
    QVERIFY2(m_manByName.contains(name),
        qPrintable(name + u" is in --help but has no .TP item in packaging/stampede.1.in's OPTIONS"_s));
    const OptionDoc man = m_manByName.value(name);
    QCOMPARE(man.names, help.names); // the same short form, in --help's order
    QCOMPARE(man.value, help.value); // "--preset NAME" in both
}

void TestManPage::manPageOptionIsInHelp_data()
{
    QTest::addColumn<QString>("name");
    for (const OptionDoc &o : std::as_const(m_man))
        QTest::newRow(qPrintable(o.longName())) << o.longName();
}

void TestManPage::manPageOptionIsInHelp()
{
    QFETCH(QString, name);
    const OptionDoc man = m_manByName.value(name);
    if (!m_helpByName.contains(name) && !m_haveWindow && windowOnly(man))
        QSKIP("a window option, and this build has no window");
    QVERIFY2(m_helpByName.contains(name),
        qPrintable(name + u" is in the man page ("_s + man.section + u") but not in --help"_s));
}

void TestManPage::eachOptionHasOneItem()
{
    QStringList seen;
    for (const OptionDoc &o : std::as_const(m_man)) {
        QVERIFY2(!seen.contains(o.longName()), qPrintable(o.longName() + u" has two items in the man page"_s));
        seen << o.longName();
    }
}

void TestManPage::versionIsTheProgramsVersion()
{
    QVERIFY(!m_programVersion.isEmpty());
    QCOMPARE(m_manVersion, m_programVersion);
}

QTEST_GUILESS_MAIN(TestManPage)
#include "tst_manpage.moc"
