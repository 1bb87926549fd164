// The follower graph (subsystems/followergraph.h): the stored follower lists and the regenerated
// followee lists are the same edges seen from both ends; celebrities have exactly their follower
// count; ordinary follower counts follow Zipf's law; the graph is a function of its seed; and it
// stays within its memory budget.

#include "followergraph.h"

#include <QTest>

#include <algorithm>
#include <cmath>
#include <functional>
#include <memory>
#include <set>
#include <stdexcept>
#include <vector>

using namespace stampede;
using namespace Qt::StringLiterals;

Q_DECLARE_METATYPE(std::vector<std::uint32_t>)

namespace {

FollowerGraphConfig graphConfig(std::uint32_t users, double mean, double exponent, std::vector<std::uint32_t> celebs)
{
    FollowerGraphConfig c;
    c.users = users;
    c.meanFollows = mean;
    c.exponent = exponent;
    c.celebrities = std::move(celebs);
    return c;
}

} // namespace

class TestFollowerGraph : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void bothEndsAgree_data();
    void bothEndsAgree();
    void sameSeedSameGraph();
    void sharedWhileInUse();
    void followerCountsFollowZipf_data();
    void followerCountsFollowZipf();
    void memoryPerUser();
    void badConfigNamesTheField_data();
    void badConfigNamesTheField();
};

void TestFollowerGraph::bothEndsAgree_data()
{
    QTest::addColumn<quint32>("users");
    QTest::addColumn<double>("mean");
    QTest::addColumn<double>("exponent");
    QTest::addColumn<std::vector<std::uint32_t>>("celebs");
    QTest::newRow("2000 users, two celebrities") << 2000u << 6.0 << 1.0 << std::vector<std::uint32_t> { 500, 1999 };
    QTest::newRow("3000 users, steep, none") << 3000u << 3.0 << 1.8 << std::vector<std::uint32_t> {};
    QTest::newRow("50 users, flat, one followed by all") << 50u << 2.0 << 0.5 << std::vector<std::uint32_t> { 49 };
    QTest::newRow("2 users") << 2u << 1.0 << 1.0 << std::vector<std::uint32_t> { 1 };
    QTest::newRow("celebrity with no followers") << 100u << 4.0 << 1.0 << std::vector<std::uint32_t> { 0, 7 };
}

void TestFollowerGraph::bothEndsAgree()
{
    QFETCH(quint32, users);
    QFETCH(double, mean);
    QFETCH(double, exponent);
    QFETCH(std::vector<std::uint32_t>, celebs);
    const FollowerGraph g(graphConfig(users, mean, exponent, celebs));
    const auto celebCount = static_cast<UserId>(celebs.size());
    QCOMPARE(g.celebrityCount(), int(celebCount));

    std::vector<std::vector<UserId>> followees(users);
    std::uint64_t edges = 0;
    const auto span = static_cast<std::size_t>(std::round(2 * mean - 1));
    for (UserId u = 0; u < users; ++u) {
        g.ordinaryFollowees(u, followees[u]);
        auto &f = followees[u];
        QVERIFY2(f.size() <= span, "no more followees than the configured spread");
        std::vector<UserId> sorted = f;
        std::sort(sorted.begin(), sorted.end());
        QVERIFY2(std::adjacent_find(sorted.begin(), sorted.end()) == sorted.end(), "no account followed twice");
        for (UserId v : f) {
            QVERIFY2(v != u, "nobody follows themselves");
            QVERIFY2(v >= celebCount && v < users, "ordinary followees are ordinary accounts");
        }
        edges += f.size();
        std::vector<UserId> again;
        g.ordinaryFollowees(u, again);
        QVERIFY2(again == f, "a followee list is regenerated identically");
    }
    QCOMPARE(g.ordinaryEdges(), edges);

    // Every stored follower edge is a regenerated followee edge, each once.
    std::uint64_t seen = 0;
    for (UserId a = celebCount; a < users; ++a) {
        std::set<UserId> distinct;
        for (std::uint32_t i = 0; i < g.followerCount(a); ++i) {
            const UserId f = g.followerAt(a, i);
            const auto &list = followees[f];
            QVERIFY2(std::find(list.begin(), list.end(), a) != list.end(), "a follower follows its author");
            distinct.insert(f);
        }
        QCOMPARE(distinct.size(), std::size_t(g.followerCount(a)));
        seen += g.followerCount(a);
    }
    QCOMPARE(seen, edges);

    // Celebrities: exactly their count, distinct, never themselves, and membership agrees.
    for (UserId c = 0; c < celebCount; ++c) {
        QCOMPARE(g.followerCount(c), celebs[c]);
        std::set<UserId> distinct;
        for (std::uint32_t i = 0; i < g.followerCount(c); ++i) {
            const UserId f = g.followerAt(c, i);
            QVERIFY(f < users && f != c);
            QVERIFY(g.followsCelebrity(f, int(c)));
            distinct.insert(f);
        }
        QCOMPARE(distinct.size(), std::size_t(celebs[c]));
        std::uint32_t members = 0;
        for (UserId u = 0; u < users; ++u)
            members += g.followsCelebrity(u, int(c)) ? 1 : 0;
        QCOMPARE(members, celebs[c]);
    }
    for (UserId u = 0; u < users; ++u) {
        std::uint32_t n = static_cast<std::uint32_t>(followees[u].size());
        for (UserId c = 0; c < celebCount; ++c)
            n += g.followsCelebrity(u, int(c)) ? 1 : 0;
        QCOMPARE(g.followeeCount(u), n);
    }
}

void TestFollowerGraph::sameSeedSameGraph()
{
    auto c = graphConfig(5000, 5, 1.1, { 1000 });
    const FollowerGraph a(c), b(c);
    c.seed += 1;
    const FollowerGraph other(c);
    bool differs = false;
    for (UserId u : { 1u, 17u, 4999u }) {
        std::vector<UserId> fa, fb, fo;
        a.ordinaryFollowees(u, fa);
        b.ordinaryFollowees(u, fb);
        other.ordinaryFollowees(u, fo);
        QVERIFY(fa == fb);
        differs = differs || fa != fo;
    }
    for (std::uint32_t i = 0; i < 1000; i += 97) {
        QCOMPARE(a.followerAt(0, i), b.followerAt(0, i));
        differs = differs || a.followerAt(0, i) != other.followerAt(0, i);
    }
    QVERIFY2(differs, "another seed gives another graph");
}

// Engines of one graph config share one graph while any of them lives; any field that changes
// the graph gives another; the last user frees it, and the next ask builds it anew.
void TestFollowerGraph::sharedWhileInUse()
{
    const auto c = graphConfig(3000, 4, 1.0, { 500 });
    auto a = FollowerGraph::shared(c);
    auto b = FollowerGraph::shared(c);
    QVERIFY(a);
    QCOMPARE(a.get(), b.get());
    QCOMPARE(a.use_count(), 2);
    for (const auto &change : std::vector<std::function<void(FollowerGraphConfig &)>> {
             [](FollowerGraphConfig &x) { x.seed += 1; }, [](FollowerGraphConfig &x) { x.users += 1; },
             [](FollowerGraphConfig &x) { x.meanFollows += 1; }, [](FollowerGraphConfig &x) { x.exponent += 0.1; },
             [](FollowerGraphConfig &x) { x.celebrities = { 501 }; } }) {
        auto other = c;
        change(other);
        const auto g = FollowerGraph::shared(other);
        QVERIFY(g.get() != a.get());
        QCOMPARE(g->users(), other.users);
    }
    const std::weak_ptr<const FollowerGraph> watch = a;
    a.reset();
    b.reset();
    QVERIFY(watch.expired()); // the cache keeps no graph alive
    const auto again = FollowerGraph::shared(c);
    QCOMPARE(again.use_count(), 1);
    QCOMPARE(again->followerCount(0), 500u);
}

void TestFollowerGraph::followerCountsFollowZipf_data()
{
    QTest::addColumn<double>("exponent");
    QTest::newRow("0.8") << 0.8;
    QTest::newRow("1.0") << 1.0;
    QTest::newRow("1.3") << 1.3;
}

// The k-th most followed ordinary account has ~ k^-s followers: the least-squares slope of
// log(count) over log(rank), for ranks 10 .. 1000 (above, repeats are redrawn and the counts
// saturate; below, too few followers for a stable fit), is -s within 0.1.
void TestFollowerGraph::followerCountsFollowZipf()
{
    QFETCH(double, exponent);
    const FollowerGraph g(graphConfig(200'000, 6, exponent, { 1000 }));
    std::vector<std::uint32_t> counts;
    for (UserId a = 1; a < g.users(); ++a)
        counts.push_back(g.followerCount(a));
    std::sort(counts.begin(), counts.end(), std::greater<> {});
    double sx = 0, sy = 0, sxx = 0, sxy = 0;
    int n = 0;
    for (int rank = 10; rank <= 1000; ++rank) {
        const double x = std::log(rank), y = std::log(std::max<std::uint32_t>(1, counts[std::size_t(rank - 1)]));
        sx += x;
        sy += y;
        sxx += x * x;
        sxy += x * y;
        ++n;
    }
    const double slope = (n * sxy - sx * sy) / (n * sxx - sx * sx);
    QVERIFY2(std::abs(slope + exponent) <= 0.1,
        qPrintable(QStringLiteral("slope %1 for exponent %2").arg(slope).arg(exponent)));
}

// DESIGN's budget is 64 B per user at 1 M users for the whole workload; the graph takes a
// stored offset and the stored follower edges (mean 6): 4 + 24 B, and celebrity edges none.
void TestFollowerGraph::memoryPerUser()
{
    const FollowerGraph g(graphConfig(1'000'000, 6, 1.0, { 999'999 }));
    const double perUser = static_cast<double>(g.memoryBytes()) / g.users();
    QVERIFY2(perUser <= 4 + 4 * 6 * 1.02 + 1, qPrintable(QStringLiteral("%1 B per user").arg(perUser)));
    QCOMPARE(g.followerCount(0), 999'999u);
}

void TestFollowerGraph::badConfigNamesTheField_data()
{
    QTest::addColumn<quint32>("users");
    QTest::addColumn<double>("mean");
    QTest::addColumn<double>("exponent");
    QTest::addColumn<std::vector<std::uint32_t>>("celebs");
    QTest::addColumn<QString>("field");
    QTest::newRow("one user") << 1u << 6.0 << 1.0 << std::vector<std::uint32_t> {} << u"fanout.users"_s;
    QTest::newRow("too many users") << 20'000'000u << 6.0 << 1.0 << std::vector<std::uint32_t> {} << u"fanout.users"_s;
    QTest::newRow("follows zero") << 100u << 0.0 << 1.0 << std::vector<std::uint32_t> {}
                                  << u"fanout.follows_per_user"_s;
    QTest::newRow("follows nan") << 100u << std::nan("") << 1.0 << std::vector<std::uint32_t> {}
                                 << u"fanout.follows_per_user"_s;
    QTest::newRow("exponent zero") << 100u << 6.0 << 0.0 << std::vector<std::uint32_t> {}
                                   << u"fanout.follower_exponent"_s;
    QTest::newRow("celebrity over users")
        << 100u << 6.0 << 1.0 << std::vector<std::uint32_t> { 10, 100 } << u"fanout.celebrities[1]"_s;
}

void TestFollowerGraph::badConfigNamesTheField()
{
    QFETCH(quint32, users);
    QFETCH(double, mean);
    QFETCH(double, exponent);
    QFETCH(std::vector<std::uint32_t>, celebs);
    QFETCH(QString, field);
    try {
        const FollowerGraph g(graphConfig(users, mean, exponent, celebs));
        QFAIL("the config was accepted");
    } catch (const std::invalid_argument &e) {
        const QString message = QString::fromStdString(e.what());
        QVERIFY2(message.startsWith(field + u':'), qPrintable(message));
    }
}

QTEST_GUILESS_MAIN(TestFollowerGraph)
#include "tst_followergraph.moc"
