// The cache tier's topology (engine.h, DESIGN.md "Cache tier", "keys moved"): cache nodes are
// added, removed and killed at runtime, the placement switches between modulo and a
// consistent-hash ring, and every change records the fraction of keys whose owner changed.
// Also the validation of the cache settings and the cache commands' one-line errors.
//
// Observed through snapshot()/markers() only, polled with generous deadlines; no absolute times.

#include "engine.h"

#include "enginewait.h"
#include <QRegularExpression>

#include <QTest>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <functional>
#include <limits>
#include <memory>
#include <numeric>
#include <stdexcept>
#include <thread>

using namespace stampede;
using namespace std::chrono_literals;

using ConfigEdit = std::function<void(EngineConfig &)>;
using Command = std::function<CommandResult(Engine &)>;
Q_DECLARE_METATYPE(ConfigEdit)
Q_DECLARE_METATYPE(Command)
Q_DECLARE_METATYPE(stampede::Placement)

namespace {

constexpr double kDeadlineS = 30.0; // bounds a failure only
constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

using test::findNode;
using test::SnapshotPtr;
SnapshotPtr waitFor(const Engine &e, const std::function<bool(const Snapshot &)> &pred, double timeoutS = kDeadlineS)
{
    return test::waitFor(e, pred, timeoutS);
}
SnapshotPtr nextTick(const Engine &e) { return test::nextTick(e, kDeadlineS); }

EngineConfig baseConfig(int cacheNodes, Placement p)
{
    EngineConfig c;
    c.name = "cachetier";
    c.seed = 9;
    c.strategy = Strategy::Atomic;
    c.traffic.ratePerS = 100;
    c.nodes.count = 2;
    c.threads = 2;
    c.cache.nodes = cacheNodes;
    c.cache.placement = p;
    return c;
}

const CacheNodeView *findCacheNode(const Snapshot &s, int id)
{
    for (const auto &n : s.cache->cacheNodes)
        if (n.id == id)
            return &n;
    return nullptr;
}

int cacheNodesUp(const Snapshot &s)
{
    return static_cast<int>(std::count_if(s.cache->cacheNodes.begin(), s.cache->cacheNodes.end(),
        [](const CacheNodeView &n) { return n.state == NodeState::Up; }));
}

double shareSum(const Snapshot &s)
{
    double sum = 0;
    for (const auto &n : s.cache->cacheNodes)
        sum += n.share;
    return sum;
}

QString labels(const std::vector<Marker> &markers)
{
    QStringList l;
    for (const auto &m : markers)
        l << QString::fromStdString(m.label);
    return l.join(QStringLiteral(", "));
}

bool hasMarker(const std::vector<Marker> &markers, const QString &pattern)
{
    const QRegularExpression re(QStringLiteral("^") + pattern + QStringLiteral("$"));
    return std::any_of(markers.begin(), markers.end(),
        [&](const Marker &m) { return re.match(QString::fromStdString(m.label)).hasMatch(); });
}

} // namespace

class TestCacheTier : public QObject {
    Q_OBJECT

private slots:
    void rejectsInvalidCacheConfig_data();
    void rejectsInvalidCacheConfig();
    void noCacheTierByDefault();
    void addNodeMovesKeys_data();
    void addNodeMovesKeys();
    void removeAndKillNodes_data();
    void removeAndKillNodes();
    void switchPlacement();
    void singleFlightToggles();
    void invalidCommandsFailAndChangeNothing_data();
    void invalidCommandsFailAndChangeNothing();
    void resetRestoresTheConfiguredTier();
    void timelineFiresCacheEvents();
};

void TestCacheTier::rejectsInvalidCacheConfig_data()
{
    QTest::addColumn<ConfigEdit>("edit");
    QTest::addColumn<QString>("field");
    auto row = [](const char *name, ConfigEdit edit, const char *field) {
        QTest::newRow(name) << edit << QString::fromLatin1(field);
    };
    row(
        "nodes -1", [](EngineConfig &c) { c.cache.nodes = -1; }, "cache.nodes");
    row(
        "nodes above max", [](EngineConfig &c) { c.cache.nodes = kMaxCacheNodes + 1; }, "cache.nodes");
    row(
        "virtual nodes 0", [](EngineConfig &c) { c.cache.virtualNodes = 0; }, "cache.virtual_nodes");
    row(
        "virtual nodes above max", [](EngineConfig &c) { c.cache.virtualNodes = kMaxVirtualNodes + 1; },
        "cache.virtual_nodes");
    row(
        "latency NaN", [](EngineConfig &c) { c.cache.latencyMs = kNaN; }, "cache.latency_ms");
    row(
        "latency -1", [](EngineConfig &c) { c.cache.latencyMs = -1; }, "cache.latency_ms");
    row(
        "op -0.5", [](EngineConfig &c) { c.cache.opMs = -0.5; }, "cache.op_ms");
    row(
        "op inf", [](EngineConfig &c) { c.cache.opMs = std::numeric_limits<double>::infinity(); }, "cache.op_ms");
    row(
        "keys 0", [](EngineConfig &c) { c.cache.keys = 0; }, "cache.keys");
    row(
        "keys above max", [](EngineConfig &c) { c.cache.keys = kMaxCacheKeys + 1; }, "cache.keys");
    row(
        "ttl 0", [](EngineConfig &c) { c.cache.ttlMs = 0; }, "cache.ttl_ms");
    row(
        "ttl NaN", [](EngineConfig &c) { c.cache.ttlMs = kNaN; }, "cache.ttl_ms");
    row(
        "jitter -0.1", [](EngineConfig &c) { c.cache.ttlJitter = -0.1; }, "cache.ttl_jitter");
    row(
        "jitter 1.5", [](EngineConfig &c) { c.cache.ttlJitter = 1.5; }, "cache.ttl_jitter");
}

void TestCacheTier::rejectsInvalidCacheConfig()
{
    QFETCH(ConfigEdit, edit);
    QFETCH(QString, field);
    EngineConfig c = baseConfig(2, Placement::Ring);
    edit(c);
    const std::string expected = validate(c);
    QVERIFY2(QString::fromStdString(expected).startsWith(field + QStringLiteral(": ")), expected.c_str());
    QVERIFY(expected.find('\n') == std::string::npos);
    bool threw = false;
    try {
        Engine e(c);
    } catch (const std::invalid_argument &ex) {
        threw = true;
        QCOMPARE(QByteArray(ex.what()), QByteArray(expected.c_str()));
    }
    QVERIFY2(threw, "no std::invalid_argument");
}

void TestCacheTier::noCacheTierByDefault()
{
    EngineConfig c;
    QCOMPARE(c.cache.nodes, 0);
    QVERIFY(c.cache.placement == Placement::Ring);
    QCOMPARE(c.cache.virtualNodes, 160);
    QCOMPARE(c.cache.singleFlight, false);
    c.threads = 1;
    Engine e(c);
    const auto s = e.snapshot();
    QVERIFY(s->cache->cacheNodes.empty());
    QCOMPARE(s->cache->keysMovedLast, 0.0);
    QCOMPARE(s->cache->cacheChanges, 0);
}

void TestCacheTier::addNodeMovesKeys_data()
{
    QTest::addColumn<Placement>("placement");
    QTest::addColumn<int>("before");
    for (int n : { 1, 2, 3, 4, 8 }) {
        QTest::addRow("ring %d -> %d", n, n + 1) << Placement::Ring << n;
        QTest::addRow("modulo %d -> %d", n, n + 1) << Placement::Modulo << n;
    }
}

// Ring: only the new node's share moves, about 1/(N+1). Modulo: almost every key, N/(N+1).
void TestCacheTier::addNodeMovesKeys()
{
    QFETCH(Placement, placement);
    QFETCH(int, before);
    Engine e(baseConfig(before, placement));
    e.start();
    const auto s0 = nextTick(e);
    QVERIFY(s0);
    QCOMPARE(cacheNodesUp(*s0), before);
    QVERIFY(s0->cache->placement == placement);
    QVERIFY(e.addCacheNode().ok);
    const auto s = nextTick(e);
    QVERIFY(s);
    QCOMPARE(cacheNodesUp(*s), before + 1);
    QVERIFY(findCacheNode(*s, before)); // ids from 0: the new one is `before`
    QCOMPARE(s->cache->cacheChanges, 1);
    const double n = before;
    const double moved = s->cache->keysMovedLast;
    if (placement == Placement::Ring) {
        const double expected = 1.0 / (n + 1);
        QVERIFY2(std::abs(moved - expected) <= 0.35 * expected,
            qPrintable(QStringLiteral("moved %1, expected about %2").arg(moved).arg(expected)));
        // what moved is exactly what the new node now owns
        QVERIFY2(std::abs(moved - findCacheNode(*s, before)->share) < 0.02,
            qPrintable(QStringLiteral("moved %1, share %2").arg(moved).arg(findCacheNode(*s, before)->share)));
    } else {
        const double expected = n / (n + 1);
        QVERIFY2(std::abs(moved - expected) <= 0.02,
            qPrintable(QStringLiteral("moved %1, expected about %2").arg(moved).arg(expected)));
        QVERIFY(std::abs(findCacheNode(*s, before)->share - 1.0 / (n + 1)) < 1e-9);
    }
    QVERIFY(std::abs(shareSum(*s) - 1.0) < 1e-6);
    const long pct = std::lround(moved * 100);
    QVERIFY2(hasMarker(e.markers(), QStringLiteral("cache node %1 added: %2 % of keys moved").arg(before).arg(pct)),
        qPrintable(labels(e.markers())));
}

void TestCacheTier::removeAndKillNodes_data()
{
    QTest::addColumn<Placement>("placement");
    QTest::newRow("ring") << Placement::Ring;
    QTest::newRow("modulo") << Placement::Modulo;
}

void TestCacheTier::removeAndKillNodes()
{
    QFETCH(Placement, placement);
    Engine e(baseConfig(4, placement));
    e.start();

    // kill: the node stays visible as dead, owns nothing, holds nothing
    QVERIFY(e.killCacheNode(1).ok);
    auto s = nextTick(e);
    QVERIFY(s);
    QCOMPARE(cacheNodesUp(*s), 3);
    const CacheNodeView *dead = findCacheNode(*s, 1);
    QVERIFY(dead);
    QVERIFY(dead->state == NodeState::Dead);
    QCOMPARE(dead->keys, std::int64_t(0));
    QCOMPARE(dead->share, 0.0);
    QVERIFY(std::abs(shareSum(*s) - 1.0) < 1e-6);
    QVERIFY(s->cache->keysMovedLast > 0.0);
    if (placement == Placement::Ring) // only the dead node's keys found a new owner
        QVERIFY2(s->cache->keysMovedLast < 0.4, qPrintable(QString::number(s->cache->keysMovedLast)));
    QVERIFY2(hasMarker(e.markers(), QStringLiteral("cache node 1 killed: \\d+ % of keys moved")),
        qPrintable(labels(e.markers())));

    // a dead node cannot be killed again; removing it clears it without moving keys again
    QVERIFY(!e.killCacheNode(1).ok);
    const int changes = s->cache->cacheChanges;
    QVERIFY(e.removeCacheNode(1).ok);
    s = nextTick(e);
    QVERIFY(s);
    QVERIFY(!findCacheNode(*s, 1));
    QCOMPARE(s->cache->cacheChanges, changes);
    QVERIFY(hasMarker(e.markers(), QStringLiteral("cache node 1 cleared")));

    // remove without an id: the newest node that is up
    QVERIFY(e.removeCacheNode().ok);
    s = nextTick(e);
    QVERIFY(s);
    QVERIFY(!findCacheNode(*s, 3));
    QCOMPARE(cacheNodesUp(*s), 2);
    QVERIFY2(hasMarker(e.markers(), QStringLiteral("cache node 3 removed: \\d+ % of keys moved")),
        qPrintable(labels(e.markers())));

    // kill without an id: the oldest node that is up; then the last one can go too
    QVERIFY(e.killCacheNode().ok);
    QVERIFY(e.removeCacheNode(2).ok);
    s = nextTick(e);
    QVERIFY(s);
    QCOMPARE(cacheNodesUp(*s), 0);
    QVERIFY(findCacheNode(*s, 0)->state == NodeState::Dead);
    QVERIFY(!e.killCacheNode().ok);

    // ids are not reused
    QVERIFY(e.addCacheNode(2).ok);
    s = nextTick(e);
    QVERIFY(s);
    QVERIFY(findCacheNode(*s, 4) && findCacheNode(*s, 5));
    QVERIFY(hasMarker(e.markers(), QStringLiteral("2 cache nodes added: 100 % of keys moved")));
    QVERIFY(std::abs(shareSum(*s) - 1.0) < 1e-6);
}

void TestCacheTier::switchPlacement()
{
    Engine e(baseConfig(4, Placement::Modulo));
    e.start();
    QVERIFY(e.setPlacement(Placement::Modulo).ok); // already: no change
    auto s = nextTick(e);
    QVERIFY(s);
    QCOMPARE(s->cache->cacheChanges, 0);
    QVERIFY(e.setPlacement(Placement::Ring).ok);
    s = nextTick(e);
    QVERIFY(s);
    QVERIFY(s->cache->placement == Placement::Ring);
    QCOMPARE(s->cache->cacheChanges, 1);
    // two unrelated placements over 4 nodes agree on about a quarter of the keys
    QVERIFY2(s->cache->keysMovedLast > 0.6 && s->cache->keysMovedLast < 0.9,
        qPrintable(QString::number(s->cache->keysMovedLast)));
    QVERIFY2(hasMarker(e.markers(), QStringLiteral("placement ring: \\d+ % of keys moved")),
        qPrintable(labels(e.markers())));
    QVERIFY(std::abs(shareSum(*s) - 1.0) < 1e-6);
}

void TestCacheTier::singleFlightToggles()
{
    EngineConfig c = baseConfig(1, Placement::Ring);
    c.cache.singleFlight = true;
    Engine e(c);
    e.start();
    auto s = nextTick(e);
    QVERIFY(s);
    QCOMPARE(s->cache->singleFlight, true);
    QVERIFY(e.setSingleFlight(false).ok);
    s = nextTick(e);
    QVERIFY(s);
    QCOMPARE(s->cache->singleFlight, false);
    QVERIFY(hasMarker(e.markers(), QStringLiteral("single-flight off")));
    QVERIFY(e.setSingleFlight(true).ok);
    QVERIFY(hasMarker(e.markers(), QStringLiteral("single-flight on")));
}

void TestCacheTier::invalidCommandsFailAndChangeNothing_data()
{
    QTest::addColumn<int>("nodes");
    QTest::addColumn<Command>("command");
    QTest::addColumn<QString>("error");
    QTest::newRow("add 0") << 2 << Command([](Engine &e) { return e.addCacheNode(0); })
                           << QStringLiteral("add cache node: count must be at least 1");
    QTest::newRow("add beyond max") << 2 << Command([](Engine &e) { return e.addCacheNode(kMaxCacheNodes - 1); })
                                    << QStringLiteral("add cache node: at most 64 cache nodes can be up");
    QTest::newRow("remove unknown") << 2 << Command([](Engine &e) { return e.removeCacheNode(7); })
                                    << QStringLiteral("remove cache node 7: no such cache node");
    QTest::newRow("remove negative") << 2 << Command([](Engine &e) { return e.removeCacheNode(-1); })
                                     << QStringLiteral("remove cache node -1: no such cache node");
    QTest::newRow("remove none up") << 0 << Command([](Engine &e) { return e.removeCacheNode(); })
                                    << QStringLiteral("remove cache node: no cache node is up");
    QTest::newRow("kill unknown") << 2 << Command([](Engine &e) { return e.killCacheNode(2); })
                                  << QStringLiteral("kill cache node 2: no such cache node is up");
    QTest::newRow("kill none up") << 0 << Command([](Engine &e) { return e.killCacheNode(); })
                                  << QStringLiteral("kill cache node: no cache node is up");
    QTest::newRow("bad placement") << 2 << Command([](Engine &e) { return e.setPlacement(static_cast<Placement>(7)); })
                                   << QStringLiteral("placement: must be ring or modulo");
}

void TestCacheTier::invalidCommandsFailAndChangeNothing()
{
    QFETCH(int, nodes);
    QFETCH(Command, command);
    QFETCH(QString, error);
    Engine e(baseConfig(nodes, Placement::Ring));
    e.start();
    const auto before = nextTick(e);
    QVERIFY(before);
    const auto r = command(e);
    QVERIFY(!r.ok);
    QCOMPARE(QString::fromStdString(r.error), error);
    const auto after = nextTick(e);
    QVERIFY(after);
    QCOMPARE(after->cache->cacheNodes.size(), before->cache->cacheNodes.size());
    QCOMPARE(after->cache->cacheChanges, before->cache->cacheChanges);
    QVERIFY(after->cache->placement == before->cache->placement);
}

void TestCacheTier::resetRestoresTheConfiguredTier()
{
    Engine e(baseConfig(3, Placement::Modulo));
    e.start();
    QVERIFY(e.addCacheNode(2).ok);
    QVERIFY(e.killCacheNode(0).ok);
    QVERIFY(e.setPlacement(Placement::Ring).ok);
    QVERIFY(e.setSingleFlight(true).ok);
    QVERIFY(e.reset().ok);
    const auto s
        = waitFor(e, [](const Snapshot &x) { return x.cache->cacheChanges == 0 && x.cache->cacheNodes.size() == 3; });
    QVERIFY(s);
    QCOMPARE(cacheNodesUp(*s), 3);
    QVERIFY(s->cache->placement == Placement::Modulo);
    QCOMPARE(s->cache->singleFlight, false);
    QCOMPARE(s->cache->keysMovedLast, 0.0);
    for (int id = 0; id < 3; ++id)
        QVERIFY(findCacheNode(*s, id));
}

void TestCacheTier::timelineFiresCacheEvents()
{
    Engine e(baseConfig(3, Placement::Modulo));
    std::vector<TimedEvent> events(3);
    events[0].atS = 0.2;
    events[0].kind = EventKind::AddCacheNodes;
    events[0].count = 1;
    events[1].atS = 0.3;
    events[1].kind = EventKind::SetPlacement;
    events[1].placement = Placement::Ring;
    events[2].atS = 0.4;
    events[2].kind = EventKind::AddCacheNodes;
    events[2].count = 1;
    e.setTimeline(events);
    e.start();
    const auto s = waitFor(e, [](const Snapshot &x) { return x.cache->cacheChanges >= 3; });
    QVERIFY2(s, qPrintable(labels(e.markers())));
    QVERIFY(s->cache->placement == Placement::Ring);
    QCOMPARE(cacheNodesUp(*s), 5);
    const auto m = e.markers();
    QVERIFY2(hasMarker(m, QStringLiteral("cache node 3 added: 75 % of keys moved")), qPrintable(labels(m)));
    QVERIFY2(
        hasMarker(m, QStringLiteral("cache node 4 added: (1[5-9]|2[0-5]) % of keys moved")), qPrintable(labels(m)));
}

QTEST_GUILESS_MAIN(TestCacheTier)
#include "tst_cachetier.moc"
