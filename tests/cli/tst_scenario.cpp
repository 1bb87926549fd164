// Scenario files: every malformed document is refused with its JSON path named, every preset
// loads, and a full document reaches the EngineConfig field by field.

#include "scenario.h"

#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QTemporaryDir>
#include <QTest>

#include <algorithm>
#include <iterator>
#include <vector>

using namespace Qt::StringLiterals;
using stampede::EventKind;

namespace {

// Enums compare by their DESIGN.md names: readable failures, no QTest::toString needed.
template<typename E> QString nameOf(E e)
{
    const std::string_view n = stampede::toString(e);
    return QString::fromUtf8(n.data(), qsizetype(n.size()));
}

// The value an event carries, spelled as in a scenario file, read from the field its kind uses.
QString actionValue(const stampede::TimedEvent &e)
{
    auto num = [](double v) { return QString::number(v, 'g', 15); };
    auto node = [](const std::optional<int> &n) { return n ? QString::number(*n) : u"null"_s; };
    switch (e.kind) {
    case EventKind::Spike:
        return u"x"_s + num(e.factor) + u" for "_s + num(e.forS);
    case EventKind::SetRate:
        return num(e.rate);
    case EventKind::AddNodes:
    case EventKind::AddCacheNodes:
    case EventKind::AddConsumers:
    case EventKind::SetClosedLoop:
        return QString::number(e.count);
    case EventKind::RemoveNode:
    case EventKind::KillNode:
    case EventKind::RemoveCacheNode:
    case EventKind::KillCacheNode:
    case EventKind::RemoveConsumer:
    case EventKind::KillConsumer:
        return node(e.node);
    case EventKind::ResizeNode:
        return node(e.node) + u" to "_s + QString::number(e.cores) + u" cores at "_s + num(e.speed);
    case EventKind::SwitchStrategy:
        return nameOf(e.strategy);
    case EventKind::Restock:
        return QString::number(e.units);
    case EventKind::Pause:
        return e.forS > 0 ? u"for "_s + num(e.forS) : u"true"_s;
    case EventKind::Resume:
        return u"true"_s;
    case EventKind::SetPlacement:
        return nameOf(e.placement);
    case EventKind::SetSingleFlight:
    case EventKind::SetIdempotent:
        return e.on ? u"true"_s : u"false"_s;
    case EventKind::SetTtlJitter:
    case EventKind::SetReadRatio:
        return num(e.ratio);
    case EventKind::SetCounterRecovery:
        return nameOf(e.recovery);
    case EventKind::SetQueueFull:
        return nameOf(e.full);
    case EventKind::CelebrityPost:
    case EventKind::RemoveFanoutWorker:
    case EventKind::KillFanoutWorker:
    case EventKind::KillInboxShard:
    case EventKind::RebuildInboxShard:
        return node(e.node);
    case EventKind::SetFanoutMode:
        return nameOf(e.fanoutMode);
    case EventKind::SetFanoutThreshold:
        return QString::number(e.threshold);
    case EventKind::SetPostShare:
        return num(e.ratio);
    case EventKind::AddFanoutWorkers:
    case EventKind::AddInboxShards:
        return QString::number(e.count);
    }
    return u"?"_s;
}

// A timeline in one line: "5 spike x10 for 3; 12 add_consumers 4".
QString timelineText(const std::vector<stampede::TimedEvent> &events)
{
    QStringList parts;
    for (const auto &e : events)
        parts << QString::number(e.atS, 'g', 15) + u' ' + eventKey(e.kind) + u' ' + actionValue(e);
    return parts.join(u"; "_s);
}

} // namespace

class TestScenario : public QObject {
    Q_OBJECT

private slots:
    void malformed_data();
    void malformed();
    void defaultsForEmptyDocument();
    void newEvents_data();
    void newEvents();
    void pauses_data();
    void pauses();
    void pauseRoundTrips();
    void switchToCacheQueueAfterCacheNodeAdded();
    void everyPresetLoads();
    void blackFridayPresetsCompareFairly_data();
    void blackFridayPresetsCompareFairly();
    void newPresets_data();
    void newPresets();
    void cacheQueuePresetKillsTheCounterNode();
    void presetNamesAreTheFifteen();
    void unknownPresetListsNames();
    void fullScenarioRoundTrips();
    void nullsMeanNone();
    void fileErrorsNameTheFile();
    void fileNameIsFallbackName();
    void checkScenarioAfterChanges();
    void scaleMalformed_data();
    void scaleMalformed();
    void scaleKeysRoundTrip();
    void nodePriceNullAndCoordinations();
    void storeBackendRoundTripsWithoutPassword();
};

void TestScenario::malformed_data()
{
    QTest::addColumn<QByteArray>("json");
    QTest::addColumn<QString>("expected"); // what the message must start with after "doc: "

    auto row = [](const char *tag, const char *json, const QString &expected) {
        QTest::newRow(tag) << QByteArray(json) << expected;
    };
    // Syntax and shape
    row("truncated", R"({"seed": 42,)", u"invalid JSON at offset"_s);
    row("NaN literal", R"({"seed": NaN})", u"invalid JSON at offset"_s);
    row("huge number", R"({"stock": 1e999})", u"invalid JSON at offset"_s);
    row("empty", "", u"invalid JSON at offset 0"_s);
    row("garbage after", R"({} x)", u"invalid JSON at offset"_s);
    row("top-level array", R"([1, 2])", u"top level: must be an object"_s);
    // Unknown keys anywhere
    row("unknown top-level", R"({"frobnicate": 1})", u"frobnicate: unknown key"_s);
    row("unknown nodes key", R"({"nodes": {"capcity": 64}})", u"nodes.capcity: unknown key"_s);
    row("unknown traffic key", R"({"traffic": {"rate": 5}})", u"traffic.rate: unknown key"_s);
    row("unknown gateway key", R"({"gateway": {"limit": 5}})", u"gateway.limit: unknown key"_s);
    row("unknown store key", R"({"store": {"latency": 1}})", u"store.latency: unknown key"_s);
    // Wrong type per section
    row("traffic not object", R"({"traffic": 5})", u"traffic: must be an object"_s);
    row("gateway not object", R"({"gateway": []})", u"gateway: must be an object"_s);
    row("nodes not object", R"({"nodes": "four"})", u"nodes: must be an object"_s);
    row("store not object", R"({"store": null})", u"store: must be an object"_s);
    row("events not array", R"({"events": {}})", u"events: must be an array"_s);
    row("name not string", R"({"name": 5})", u"name: must be a string"_s);
    row("name empty", R"({"name": " "})", u"name: must not be empty"_s);
    row("title not string", R"({"title": true})", u"title: must be a string"_s);
    // Top-level values
    row("seed negative", R"({"seed": -3})", u"seed: must be a non-negative integer"_s);
    row("seed fraction", R"({"seed": 1.5})", u"seed: must be a whole number"_s);
    row("seed string", R"({"seed": "42"})", u"seed: must be an integer"_s);
    row("seed too big", R"({"seed": 1e30})", u"seed: must be a non-negative integer"_s);
    row("duration zero", R"({"duration_s": 0})", u"duration_s: must be greater than 0"_s);
    row("duration negative", R"({"duration_s": -5})", u"duration_s: must be greater than 0"_s);
    row("duration too long", R"({"duration_s": 86401})", u"duration_s: must be greater than 0"_s);
    row("duration string", R"({"duration_s": "30"})", u"duration_s: must be a number"_s);
    row("stock negative", R"({"stock": -1})", u"stock: must be between 0"_s);
    row("stock huge", R"({"stock": 1e30})", u"stock: must be between 0"_s);
    row("strategy unknown", R"({"strategy": "optimistic"})", u"strategy: must be one of"_s);
    row("strategy number", R"({"strategy": 3})", u"strategy: must be a string"_s);
    row("threads negative", R"({"threads": -1})", u"threads: must be between 0 and 256"_s);
    // traffic
    row("mode unknown", R"({"traffic": {"mode": "burst"}})", u"traffic.mode: must be one of"_s);
    row("rate zero", R"({"traffic": {"rate_per_s": 0}})", u"traffic.rate_per_s: must be between"_s);
    row("rate negative", R"({"traffic": {"rate_per_s": -100}})", u"traffic.rate_per_s: must be between"_s);
    row("rate too high", R"({"traffic": {"rate_per_s": 3e6}})", u"traffic.rate_per_s: must be between"_s);
    row("rate string", R"({"traffic": {"rate_per_s": "fast"}})", u"traffic.rate_per_s: must be a number"_s);
    row("clients zero", R"({"traffic": {"clients": 0}})", u"traffic.clients: must be between"_s);
    row("users zero", R"({"traffic": {"users": 0}})", u"traffic.users: must be at least 1"_s);
    row("skus zero", R"({"traffic": {"skus": 0}})", u"traffic.skus: must be between"_s);
    row("skew negative", R"({"traffic": {"sku_skew": -1}})", u"traffic.sku_skew: must be between"_s);
    // gateway
    row("policy unknown", R"({"gateway": {"policy": "random"}})", u"gateway.policy: must be one of"_s);
    row("rate limit zero", R"({"gateway": {"rate_limit_per_s": 0}})",
        u"gateway.rate_limit_per_s: must be at least 1"_s);
    row("rate limit string", R"({"gateway": {"rate_limit_per_s": "none"}})",
        u"gateway.rate_limit_per_s: must be a number or null"_s);
    // nodes
    row("count zero", R"({"nodes": {"count": 0}})", u"nodes.count: must be between 1 and 64"_s);
    row("count too many", R"({"nodes": {"count": 65}})", u"nodes.count: must be between 1 and 64"_s);
    row("count fraction", R"({"nodes": {"count": 2.5}})", u"nodes.count: must be a whole number"_s);
    row("count beyond int", R"({"nodes": {"count": 1e12}})", u"nodes.count: must be between 1 and 64"_s);
    row("capacity zero", R"({"nodes": {"capacity": 0}})", u"nodes.capacity: must be between"_s);
    row("queue negative", R"({"nodes": {"queue_limit": -1}})", u"nodes.queue_limit: must be between"_s);
    row("service negative", R"({"nodes": {"service_ms": -0.5}})", u"nodes.service_ms: must be between"_s);
    row("service_dist unknown", R"({"nodes": {"service_dist": "uniform"}})", u"nodes.service_dist: must be one of"_s);
    row("timeout zero", R"({"nodes": {"timeout_ms": 0}})", u"nodes.timeout_ms: must be between"_s);
    // store
    row("buckets zero", R"({"store": {"buckets": 0}})", u"store.buckets: must be between 1"_s);
    row("probes negative", R"({"store": {"probes": -1}})", u"store.probes: must be between 0"_s);
    row("probes fraction", R"({"store": {"probes": 1.5}})", u"store.probes: must be"_s);
    row("latency negative", R"({"store": {"latency_ms": -1}})", u"store.latency_ms: must be between"_s);
    row("write string", R"({"store": {"write_ms": "slow"}})", u"store.write_ms: must be a number"_s);
    row("backend unknown", R"({"store": {"backend": "mysql"}})", u"store.backend: must be one of"_s);
    row("connections zero", R"({"store": {"backend": "postgres", "connections": 0}})",
        u"store.connections: must be between 1"_s);
    row("url not a string", R"({"store": {"backend": "postgres", "url": 5}})", u"store.url: must be a string"_s);
    row("url scheme", R"({"store": {"backend": "postgres", "url": "mysql://db"}})",
        u"store.url: must start with postgresql://"_s);
    row("url without backend", R"({"store": {"url": "postgresql://db/x"}})", u"store.url: needs store.backend"_s);
    row("postgres cache-queue",
        R"({"strategy": "cache-queue", "cache": {"nodes": 2}, "store": {"backend": "postgres"}})",
        u"strategy: cache-queue keeps its counters"_s);
    row("postgres views", R"({"traffic": {"read_ratio": 5}, "store": {"backend": "postgres"}})",
        u"traffic.read_ratio: page views read the embedded store"_s);
    // events
    row("event not object", R"({"events": [5]})", u"events[0]: must be an object"_s);
    row("event two actions", R"({"events": [{"at_s": 1, "add_nodes": 1, "kill_node": 0}]})",
        u"events[0]: more than one action"_s);
    row("event no action", R"({"events": [{"at_s": 1}]})", u"events[0]: no action"_s);
    row("event unknown", R"({"events": [{"at_s": 1, "add_nodes": 1}, {"at_s": 2, "explode": true}]})",
        u"events[1]: unknown event \"explode\""_s);
    row("event without at_s", R"({"events": [{"add_nodes": 1}]})", u"events[0].at_s: missing"_s);
    row("at_s beyond duration", R"({"duration_s": 10, "events": [{"at_s": 11, "add_nodes": 1}]})",
        u"events[0].at_s: must be between 0 and duration_s (10)"_s);
    row("at_s negative", R"({"events": [{"at_s": -1, "add_nodes": 1}]})", u"events[0].at_s: must be between"_s);
    row("at_s string", R"({"events": [{"at_s": "5", "add_nodes": 1}]})", u"events[0].at_s: must be a number"_s);
    row("spike factor zero",
        R"({"events": [{"at_s": 1, "add_nodes": 1}, {"at_s": 2, "add_nodes": 1}, {"at_s": 5, "spike": {"factor": 0, "for_s": 5}}]})",
        u"events[2].spike.factor: must be greater than 0"_s);
    row("spike factor negative", R"({"events": [{"at_s": 5, "spike": {"factor": -2, "for_s": 5}}]})",
        u"events[0].spike.factor: must be greater than 0"_s);
    row("spike without for_s", R"({"events": [{"at_s": 5, "spike": {"factor": 2}}]})",
        u"events[0].spike.for_s: missing"_s);
    row("spike for_s zero", R"({"events": [{"at_s": 5, "spike": {"factor": 2, "for_s": 0}}]})",
        u"events[0].spike.for_s: must be greater than 0"_s);
    row("spike unknown key", R"({"events": [{"at_s": 5, "spike": {"factor": 2, "for_s": 1, "ramp": 1}}]})",
        u"events[0].spike.ramp: unknown key"_s);
    row("spike not object", R"({"events": [{"at_s": 5, "spike": 10}]})", u"events[0].spike: must be an object"_s);
    row("kill_node string", R"({"events": [{"at_s": 5, "kill_node": "zero"}]})",
        u"events[0].kill_node: must be a node id (integer) or null"_s);
    row("kill_node fraction", R"({"events": [{"at_s": 5, "kill_node": 1.5}]})",
        u"events[0].kill_node: must be a whole number"_s);
    row("kill_node negative", R"({"events": [{"at_s": 5, "kill_node": -1}]})",
        u"events[0].kill_node: must be a node id"_s);
    row("remove_node bool", R"({"events": [{"at_s": 5, "remove_node": true}]})",
        u"events[0].remove_node: must be a node id"_s);
    row("add_nodes zero", R"({"events": [{"at_s": 5, "add_nodes": 0}]})", u"events[0].add_nodes: must be between 1"_s);
    row("add_nodes too many", R"({"events": [{"at_s": 5, "add_nodes": 100}]})",
        u"events[0].add_nodes: must be between 1"_s);
    row("set_rate zero", R"({"events": [{"at_s": 5, "set_rate": 0}]})", u"events[0].set_rate: must be between 1"_s);
    row("switch unknown", R"({"events": [{"at_s": 5, "switch_strategy": "bogus"}]})",
        u"events[0].switch_strategy: must be one of"_s);
    row("restock zero", R"({"events": [{"at_s": 5, "restock": 0}]})", u"events[0].restock: must be between 1"_s);
    row("restock fraction", R"({"events": [{"at_s": 5, "restock": 2.5}]})",
        u"events[0].restock: must be a whole number"_s);
    row("pause false", R"({"events": [{"at_s": 5, "pause": false}]})", u"events[0].pause: must be true"_s);
    row("resume string", R"({"events": [{"at_s": 5, "resume": "yes"}]})", u"events[0].resume: must be true"_s);
    // a pause must end: the run's clock stands still while paused
    row("pause without for_s or resume", R"({"events": [{"at_s": 1, "add_nodes": 1}, {"at_s": 4, "pause": true}]})",
        u"events[1].pause: needs for_s (seconds) or a later resume"_s);
    row("pause with a resume before it", R"({"events": [{"at_s": 4, "pause": true}, {"at_s": 3, "resume": true}]})",
        u"events[1].resume: no open pause before it (a pause without for_s)"_s);
    row("resume without pause", R"({"events": [{"at_s": 6, "resume": true}]})",
        u"events[0].resume: no open pause before it (a pause without for_s)"_s);
    row("resume after a timed pause",
        R"({"events": [{"at_s": 4, "pause": true, "for_s": 2}, {"at_s": 6, "resume": true}]})",
        u"events[1].resume: no open pause before it"_s);
    row("resume twice",
        R"({"events": [{"at_s": 4, "pause": true}, {"at_s": 6, "resume": true}, {"at_s": 7, "resume": true}]})",
        u"events[2].resume: no open pause before it"_s);
    row("resume at the pause's time", R"({"events": [{"at_s": 4, "pause": true}, {"at_s": 4, "resume": true}]})",
        u"events[1].resume: the pause it ends (events[0].pause) would last 0 s; a pause must be greater than 0 and at most 3600 s"_s);
    row("resume over an hour after",
        R"({"duration_s": 5000, "events": [{"at_s": 1, "pause": true}, {"at_s": 3700, "resume": true}]})",
        u"events[1].resume: the pause it ends (events[0].pause) would last 3699 s"_s);
    row("pause inside an open pause",
        R"({"events": [{"at_s": 4, "pause": true}, {"at_s": 5, "pause": true, "for_s": 1}, {"at_s": 6, "resume": true}]})",
        u"events[0].pause: needs for_s (seconds) or a resume before the next pause (events[1].pause)"_s);
    row("pause for_s zero", R"({"events": [{"at_s": 4, "pause": true, "for_s": 0}]})",
        u"events[0].for_s: must be greater than 0 and at most 3600 s"_s);
    row("pause for_s negative", R"({"events": [{"at_s": 4, "pause": true, "for_s": -2}]})",
        u"events[0].for_s: must be greater than 0 and at most 3600 s"_s);
    row("pause for_s over an hour", R"({"events": [{"at_s": 4, "pause": true, "for_s": 3601}]})",
        u"events[0].for_s: must be greater than 0 and at most 3600 s"_s);
    row("pause for_s string", R"({"events": [{"at_s": 4, "pause": true, "for_s": "2"}]})",
        u"events[0].for_s: must be a number"_s);
    row("pause for_s null", R"({"events": [{"at_s": 4, "pause": true, "for_s": null}]})",
        u"events[0].for_s: must be a number"_s);
    row("for_s beside another action", R"({"events": [{"at_s": 4, "add_nodes": 1, "for_s": 2}]})",
        u"events[0].for_s: only a pause or a kill_node takes for_s beside its action"_s);
    row("for_s beside resume", R"({"events": [{"at_s": 4, "pause": true}, {"at_s": 5, "resume": true, "for_s": 1}]})",
        u"events[1].for_s: only a pause or a kill_node takes for_s beside its action"_s);
    row("for_s without action", R"({"events": [{"at_s": 4, "for_s": 2}]})", u"events[0]: no action"_s);
    // cache
    row("cache not object", R"({"cache": 3})", u"cache: must be an object"_s);
    row("unknown cache key", R"({"cache": {"ttl": 5}})", u"cache.ttl: unknown key"_s);
    row("cache nodes negative", R"({"cache": {"nodes": -1}})", u"cache.nodes: must be between 0 and 64"_s);
    row("cache nodes too many", R"({"cache": {"nodes": 65}})", u"cache.nodes: must be between 0 and 64"_s);
    row("cache nodes fraction", R"({"cache": {"nodes": 1.5}})", u"cache.nodes: must be a whole number"_s);
    row("placement unknown", R"({"cache": {"placement": "rendezvous"}})", u"cache.placement: must be one of"_s);
    row("placement number", R"({"cache": {"placement": 1}})", u"cache.placement: must be a string"_s);
    row("virtual nodes zero", R"({"cache": {"virtual_nodes": 0}})", u"cache.virtual_nodes: must be between 1"_s);
    row("cache latency negative", R"({"cache": {"latency_ms": -1}})", u"cache.latency_ms: must be between"_s);
    row("op_ms string", R"({"cache": {"op_ms": "fast"}})", u"cache.op_ms: must be a number"_s);
    row("keys zero", R"({"cache": {"keys": 0}})", u"cache.keys: must be between 1"_s);
    row("ttl zero", R"({"cache": {"ttl_ms": 0}})", u"cache.ttl_ms: must be between"_s);
    row("jitter above 1", R"({"cache": {"ttl_jitter": 1.5}})", u"cache.ttl_jitter: must be between 0 and 1"_s);
    row("single_flight number", R"({"cache": {"single_flight": 1}})", u"cache.single_flight: must be true or false"_s);
    row("add_cache_node zero", R"({"events": [{"at_s": 5, "add_cache_node": 0}]})",
        u"events[0].add_cache_node: must be between 1"_s);
    row("add_cache_node too many", R"({"events": [{"at_s": 5, "add_cache_node": 65}]})",
        u"events[0].add_cache_node: must be between 1"_s);
    row("remove_cache_node string", R"({"events": [{"at_s": 5, "remove_cache_node": "a"}]})",
        u"events[0].remove_cache_node: must be a cache node id (integer) or null"_s);
    row("kill_cache_node negative", R"({"events": [{"at_s": 5, "kill_cache_node": -2}]})",
        u"events[0].kill_cache_node: must be a cache node id"_s);
    row("set_placement unknown", R"({"events": [{"at_s": 5, "set_placement": "hash"}]})",
        u"events[0].set_placement: must be one of \"ring\", \"modulo\""_s);
    row("single_flight string", R"({"events": [{"at_s": 5, "single_flight": "on"}]})",
        u"events[0].single_flight: must be true or false"_s);
    // read traffic and counter recovery
    row("read_ratio negative", R"({"traffic": {"read_ratio": -1}})",
        u"traffic.read_ratio: must be between 0 and 10000"_s);
    row("read_ratio too high", R"({"traffic": {"read_ratio": 10001}})",
        u"traffic.read_ratio: must be between 0 and 10000"_s);
    row("read_ratio string", R"({"traffic": {"read_ratio": "100:1"}})", u"traffic.read_ratio: must be a number"_s);
    row("read_ratio null", R"({"traffic": {"read_ratio": null}})", u"traffic.read_ratio: must be a number"_s);
    row("counter_recovery unknown", R"({"cache": {"counter_recovery": "reload"}})",
        u"cache.counter_recovery: must be one of \"reload-from-store\", \"reset-to-initial\"; got \"reload\""_s);
    row("counter_recovery bool", R"({"cache": {"counter_recovery": true}})",
        u"cache.counter_recovery: must be a string"_s);
    row("cache-queue without cache", R"({"strategy": "cache-queue"})", u"strategy: cache-queue needs a cache tier"_s);
    row("cache-queue with zero cache nodes", R"({"strategy": "cache-queue", "cache": {"nodes": 0}})",
        u"strategy: cache-queue needs a cache tier"_s);
    // queue
    row("queue not object", R"({"queue": [4]})", u"queue: must be an object"_s);
    row("queue null", R"({"queue": null})", u"queue: must be an object"_s);
    row("unknown queue key", R"({"queue": {"partition": 4}})", u"queue.partition: unknown key (known: partitions"_s);
    row("partitions zero", R"({"queue": {"partitions": 0}})", u"queue.partitions: must be between 1 and 64"_s);
    row("partitions too many", R"({"queue": {"partitions": 65}})", u"queue.partitions: must be between 1 and 64"_s);
    row("partitions fraction", R"({"queue": {"partitions": 1.5}})", u"queue.partitions: must be a whole number"_s);
    row("queue capacity zero", R"({"queue": {"capacity": 0}})", u"queue.capacity: must be between 1 and 1000000"_s);
    row("queue capacity too big", R"({"queue": {"capacity": 1000001}})",
        u"queue.capacity: must be between 1 and 1000000"_s);
    row("consumers negative", R"({"queue": {"consumers": -1}})", u"queue.consumers: must be between 0 and 64"_s);
    row("consumers too many", R"({"queue": {"consumers": 65}})", u"queue.consumers: must be between 0 and 64"_s);
    row("consumers string", R"({"queue": {"consumers": "2"}})", u"queue.consumers: must be an integer"_s);
    row("batch zero", R"({"queue": {"batch": 0}})", u"queue.batch: must be between 1 and 1000"_s);
    row("batch too big", R"({"queue": {"batch": 1001}})", u"queue.batch: must be between 1 and 1000"_s);
    row("ack_ms negative", R"({"queue": {"ack_ms": -0.5}})", u"queue.ack_ms: must be between 0 and 60000"_s);
    row("ack_ms string", R"({"queue": {"ack_ms": "fast"}})", u"queue.ack_ms: must be a number"_s);
    row("when_full unknown", R"({"queue": {"when_full": "drop"}})",
        u"queue.when_full: must be one of \"reject\", \"block\"; got \"drop\""_s);
    row("when_full number", R"({"queue": {"when_full": 1}})", u"queue.when_full: must be a string"_s);
    row("idempotent string", R"({"queue": {"idempotent": "yes"}})", u"queue.idempotent: must be true or false"_s);
    row("idempotent number", R"({"queue": {"idempotent": 1}})", u"queue.idempotent: must be true or false"_s);
    // new events
    row("set_ttl_jitter above 1", R"({"events": [{"at_s": 5, "set_ttl_jitter": 1.5}]})",
        u"events[0].set_ttl_jitter: must be between 0 and 1"_s);
    row("set_ttl_jitter negative", R"({"events": [{"at_s": 5, "set_ttl_jitter": -0.1}]})",
        u"events[0].set_ttl_jitter: must be between 0 and 1"_s);
    row("set_ttl_jitter string", R"({"events": [{"at_s": 5, "set_ttl_jitter": "10%"}]})",
        u"events[0].set_ttl_jitter: must be a number"_s);
    row("set_read_ratio negative", R"({"events": [{"at_s": 5, "set_read_ratio": -1}]})",
        u"events[0].set_read_ratio: must be between 0 and 10000"_s);
    row("set_read_ratio too high", R"({"events": [{"at_s": 5, "set_read_ratio": 20000}]})",
        u"events[0].set_read_ratio: must be between 0 and 10000"_s);
    row("set_read_ratio null", R"({"events": [{"at_s": 5, "set_read_ratio": null}]})",
        u"events[0].set_read_ratio: must be a number"_s);
    row("set_counter_recovery unknown", R"({"events": [{"at_s": 5, "set_counter_recovery": "reset"}]})",
        u"events[0].set_counter_recovery: must be one of \"reload-from-store\", \"reset-to-initial\""_s);
    row("set_counter_recovery number", R"({"events": [{"at_s": 5, "set_counter_recovery": 0}]})",
        u"events[0].set_counter_recovery: must be a string"_s);
    row("add_consumers zero", R"({"events": [{"at_s": 5, "add_consumers": 0}]})",
        u"events[0].add_consumers: must be between 1 and 64"_s);
    row("add_consumers too many", R"({"events": [{"at_s": 5, "add_consumers": 65}]})",
        u"events[0].add_consumers: must be between 1 and 64"_s);
    row("add_consumers fraction", R"({"events": [{"at_s": 5, "add_consumers": 1.5}]})",
        u"events[0].add_consumers: must be a whole number"_s);
    row("add_consumers null", R"({"events": [{"at_s": 5, "add_consumers": null}]})",
        u"events[0].add_consumers: must be an integer"_s);
    row("remove_consumer string", R"({"events": [{"at_s": 5, "remove_consumer": "c1"}]})",
        u"events[0].remove_consumer: must be a consumer id (integer) or null"_s);
    row("remove_consumer negative", R"({"events": [{"at_s": 5, "remove_consumer": -1}]})",
        u"events[0].remove_consumer: must be a consumer id (0 or more) or null"_s);
    row("kill_consumer bool", R"({"events": [{"at_s": 5, "kill_consumer": true}]})",
        u"events[0].kill_consumer: must be a consumer id (integer) or null"_s);
    row("kill_consumer fraction", R"({"events": [{"at_s": 5, "kill_consumer": 0.5}]})",
        u"events[0].kill_consumer: must be a whole number"_s);
    row("set_idempotent string", R"({"events": [{"at_s": 5, "set_idempotent": "on"}]})",
        u"events[0].set_idempotent: must be true or false"_s);
    row("set_queue_full unknown", R"({"events": [{"at_s": 5, "set_queue_full": "drop"}]})",
        u"events[0].set_queue_full: must be one of \"reject\", \"block\"; got \"drop\""_s);
    row("set_queue_full bool", R"({"events": [{"at_s": 5, "set_queue_full": true}]})",
        u"events[0].set_queue_full: must be a string"_s);
    row("new event beyond duration", R"({"duration_s": 10, "events": [{"at_s": 12, "add_consumers": 1}]})",
        u"events[0].at_s: must be between 0 and duration_s (10)"_s);
    row("switch to cache-queue without cache", R"({"events": [{"at_s": 5, "switch_strategy": "cache-queue"}]})",
        u"events[0].switch_strategy: cache-queue needs a cache tier"_s);
    row("switch to cache-queue before the cache node",
        R"({"events": [{"at_s": 5, "switch_strategy": "cache-queue"}, {"at_s": 6, "add_cache_node": 1}]})",
        u"events[0].switch_strategy: cache-queue needs a cache tier"_s);
    row("switch to cache-queue, tie in file order",
        R"({"events": [{"at_s": 5, "switch_strategy": "cache-queue"}, {"at_s": 5, "add_cache_node": 1}]})",
        u"events[0].switch_strategy: cache-queue needs a cache tier"_s);
}

void TestScenario::malformed()
{
    QFETCH(QByteArray, json);
    QFETCH(QString, expected);
    QString error;
    const std::optional<Scenario> s = parseScenario(json, u"doc"_s, &error);
    QVERIFY(!s);
    QVERIFY2(error.startsWith(u"doc: "_s + expected), qPrintable(error));
    QVERIFY2(!error.contains(u'\n'), qPrintable(error));
}

void TestScenario::defaultsForEmptyDocument()
{
    QString error;
    const std::optional<Scenario> s = parseScenario("{}", u"doc"_s, &error, u"fallback"_s);
    QVERIFY2(s, qPrintable(error));
    const stampede::EngineConfig d;
    QCOMPARE(QString::fromStdString(s->config.name), u"fallback"_s);
    QCOMPARE(s->durationS, 30.0);
    QCOMPARE(s->config.seed, d.seed);
    QCOMPARE(s->config.stock, d.stock);
    QCOMPARE(s->config.traffic.ratePerS, d.traffic.ratePerS);
    QCOMPARE(s->config.nodes.count, d.nodes.count);
    QCOMPARE(s->config.store.writeMs, d.store.writeMs);
    QCOMPARE(s->config.traffic.readRatio, 0.0);
    QCOMPARE(s->config.cache.nodes, 0);
    QCOMPARE(nameOf(s->config.cache.recovery), u"reload-from-store"_s);
    QCOMPARE(s->config.queue.partitions, d.queue.partitions);
    QCOMPARE(s->config.queue.capacity, d.queue.capacity);
    QCOMPARE(s->config.queue.consumers, d.queue.consumers);
    QCOMPARE(s->config.queue.batch, d.queue.batch);
    QCOMPARE(s->config.queue.ackMs, d.queue.ackMs);
    QCOMPARE(nameOf(s->config.queue.whenFull), u"reject"_s);
    QCOMPARE(s->config.queue.idempotent, false);
    QVERIFY(s->events.empty());
}

void TestScenario::newEvents_data()
{
    QTest::addColumn<QByteArray>("event"); // the action part of one event
    QTest::addColumn<QString>("key");
    QTest::addColumn<QString>("value"); // actionValue() of the parsed event

    auto row = [](const char *json, const QString &key, const QString &value) {
        QTest::newRow(json) << QByteArray(json) << key << value;
    };
    row(R"("set_ttl_jitter": 0.25)", u"set_ttl_jitter"_s, u"0.25"_s);
    row(R"("set_ttl_jitter": 0)", u"set_ttl_jitter"_s, u"0"_s);
    row(R"("set_ttl_jitter": 1)", u"set_ttl_jitter"_s, u"1"_s);
    row(R"("set_read_ratio": 100)", u"set_read_ratio"_s, u"100"_s);
    row(R"("set_read_ratio": 0.5)", u"set_read_ratio"_s, u"0.5"_s);
    row(R"("set_read_ratio": 10000)", u"set_read_ratio"_s, u"10000"_s);
    row(R"("set_counter_recovery": "reset-to-initial")", u"set_counter_recovery"_s, u"reset-to-initial"_s);
    row(R"("set_counter_recovery": "reload-from-store")", u"set_counter_recovery"_s, u"reload-from-store"_s);
    row(R"("add_consumers": 1)", u"add_consumers"_s, u"1"_s);
    row(R"("add_consumers": 64)", u"add_consumers"_s, u"64"_s);
    row(R"("remove_consumer": 3)", u"remove_consumer"_s, u"3"_s);
    row(R"("remove_consumer": null)", u"remove_consumer"_s, u"null"_s);
    row(R"("kill_consumer": 0)", u"kill_consumer"_s, u"0"_s);
    row(R"("kill_consumer": null)", u"kill_consumer"_s, u"null"_s);
    row(R"("set_idempotent": true)", u"set_idempotent"_s, u"true"_s);
    row(R"("set_idempotent": false)", u"set_idempotent"_s, u"false"_s);
    row(R"("set_queue_full": "block")", u"set_queue_full"_s, u"block"_s);
    row(R"("set_queue_full": "reject")", u"set_queue_full"_s, u"reject"_s);
    // the existing names stay
    row(R"("single_flight": true)", u"single_flight"_s, u"true"_s);
    row(R"("set_placement": "modulo")", u"set_placement"_s, u"modulo"_s);
    row(R"("kill_cache_node": null)", u"kill_cache_node"_s, u"null"_s);
}

// A pause with for_s reads as it is; the old pause-then-resume pair folds into one timed pause
// (the resume's time minus the pause's), since the run's clock stands still while paused.
void TestScenario::pauses_data()
{
    QTest::addColumn<QByteArray>("events"); // the events array
    QTest::addColumn<QString>("timeline"); // timelineText() of what was read, in file order

    auto row = [](const char *tag, const char *json, const QString &timeline) {
        QTest::newRow(tag) << QByteArray(json) << timeline;
    };
    row("timed pause", R"([{"at_s": 4, "pause": true, "for_s": 2}, {"at_s": 6, "add_nodes": 2}])",
        u"4 pause for 2; 6 add_nodes 2"_s);
    row("fractional for_s", R"([{"at_s": 0, "pause": true, "for_s": 0.25}])", u"0 pause for 0.25"_s);
    row("for_s at its bound", R"([{"at_s": 1, "pause": true, "for_s": 3600}])", u"1 pause for 3600"_s);
    row("pause, resume", R"([{"at_s": 4, "pause": true}, {"at_s": 6, "resume": true}])", u"4 pause for 2"_s);
    row("resume folded, the rest kept in file order",
        R"([{"at_s": 2, "add_nodes": 1}, {"at_s": 4, "pause": true}, {"at_s": 5, "restock": 10},
            {"at_s": 6.5, "resume": true}, {"at_s": 8, "add_nodes": 3}])",
        u"2 add_nodes 1; 4 pause for 2.5; 5 restock 10; 8 add_nodes 3"_s);
    row("resume before its pause in the file",
        R"([{"at_s": 9, "resume": true}, {"at_s": 1, "add_nodes": 1}, {"at_s": 7, "pause": true}])",
        u"1 add_nodes 1; 7 pause for 2"_s);
    row("two pauses, each resumed",
        R"([{"at_s": 1, "pause": true}, {"at_s": 2, "resume": true}, {"at_s": 3, "pause": true}, {"at_s": 4.5, "resume": true}])",
        u"1 pause for 1; 3 pause for 1.5"_s);
    row("old and new form together",
        R"([{"at_s": 1, "pause": true, "for_s": 3}, {"at_s": 5, "pause": true}, {"at_s": 6, "resume": true}])",
        u"1 pause for 3; 5 pause for 1"_s);
}

void TestScenario::pauses()
{
    QFETCH(QByteArray, events);
    QFETCH(QString, timeline);
    QString error;
    const std::optional<Scenario> s
        = parseScenario(R"({"duration_s": 3700, "events": )" + events + "}", u"doc"_s, &error);
    QVERIFY2(s, qPrintable(error));
    QCOMPARE(timelineText(s->events), timeline);
    for (const auto &e : s->events)
        QVERIFY(e.kind != EventKind::Resume);
    QVERIFY2(checkScenario(*s).isEmpty(), qPrintable(checkScenario(*s)));
}

void TestScenario::pauseRoundTrips()
{
    // The writer writes for_s beside the pause; a folded resume comes back as that.
    QString error;
    const std::optional<Scenario> s = parseScenario(
        R"({"events": [{"at_s": 3, "pause": true}, {"at_s": 5.5, "resume": true}, {"at_s": 6, "add_nodes": 1},
                       {"at_s": 8, "pause": true, "for_s": 0.5}]})",
        u"doc"_s, &error);
    QVERIFY2(s, qPrintable(error));
    const QJsonObject written = scenarioToJson(*s);
    const QJsonArray events = written.value(u"events"_s).toArray();
    QCOMPARE(events.size(), 3);
    QCOMPARE(events[0].toObject(), (QJsonObject { { u"at_s"_s, 3 }, { u"pause"_s, true }, { u"for_s"_s, 2.5 } }));
    QCOMPARE(events[2].toObject(), (QJsonObject { { u"at_s"_s, 8 }, { u"pause"_s, true }, { u"for_s"_s, 0.5 } }));
    const std::optional<Scenario> again = parseScenario(QJsonDocument(written).toJson(), u"again"_s, &error);
    QVERIFY2(again, qPrintable(error));
    QCOMPARE(timelineText(again->events), timelineText(s->events));
    QCOMPARE(scenarioToJson(*again), written);

    // checkScenario() knows both forms: a scenario filled in code may still pair them
    Scenario code;
    stampede::TimedEvent pause;
    pause.atS = 2;
    pause.kind = EventKind::Pause;
    stampede::TimedEvent resume;
    resume.atS = 3;
    resume.kind = EventKind::Resume;
    code.events = { pause };
    QCOMPARE(checkScenario(code), u"events[0].pause: needs for_s (seconds) or a later resume"_s);
    code.events = { pause, resume };
    QCOMPARE(checkScenario(code), QString());
    foldResumes(&code.events);
    QCOMPARE(timelineText(code.events), u"2 pause for 1"_s);
    code.events = { resume };
    QCOMPARE(checkScenario(code), u"events[0].resume: no open pause before it (a pause without for_s)"_s);
}

void TestScenario::newEvents()
{
    QFETCH(QByteArray, event);
    QFETCH(QString, key);
    QFETCH(QString, value);
    QString error;
    const std::optional<Scenario> s = parseScenario(R"({"events": [{"at_s": 7.5, )" + event + "}]}", u"doc"_s, &error);
    QVERIFY2(s, qPrintable(error));
    QCOMPARE(s->events.size(), std::size_t(1));
    QCOMPARE(eventKey(s->events[0].kind), key);
    QCOMPARE(s->events[0].atS, 7.5);
    QCOMPARE(actionValue(s->events[0]), value);

    // and it is written back under the same key with the same value
    const QJsonObject written = scenarioToJson(*s).value(u"events"_s).toArray().at(0).toObject();
    const QJsonObject original = QJsonDocument::fromJson("{" + event + "}").object();
    QCOMPARE(written.value(key), original.value(key));
}

void TestScenario::switchToCacheQueueAfterCacheNodeAdded()
{
    QString error;
    std::optional<Scenario> s = parseScenario(
        R"({"events": [{"at_s": 4, "add_cache_node": 2}, {"at_s": 5, "switch_strategy": "cache-queue"}]})", u"doc"_s,
        &error);
    QVERIFY2(s, qPrintable(error));
    s = parseScenario(
        R"({"cache": {"nodes": 1}, "events": [{"at_s": 5, "switch_strategy": "cache-queue"}]})", u"doc"_s, &error);
    QVERIFY2(s, qPrintable(error));
    QCOMPARE(nameOf(s->events.at(0).strategy), u"cache-queue"_s);
}

void TestScenario::everyPresetLoads()
{
    const QStringList names = presetNames();
    QVERIFY(!names.isEmpty());
    QVERIFY(names.contains(defaultPresetName()));
    for (const QString &name : names) {
        QString error;
        const std::optional<Scenario> s = loadPreset(name, &error);
        QVERIFY2(s, qPrintable(error));
        QCOMPARE(QString::fromStdString(s->config.name), name);
        QVERIFY2(checkScenario(*s).isEmpty(), qPrintable(name));
        QVERIFY(stampede::validate(s->config).empty());
        QVERIFY2(!s->title.isEmpty(), qPrintable(name));
        QVERIFY2(!s->description.isEmpty(), qPrintable(name));
        QCOMPARE(s->config.seed, std::uint64_t(42));
        QCOMPARE(s->durationS, 30.0);
        // every event of a lesson fires within the run
        for (const auto &e : s->events)
            QVERIFY2(e.atS < s->durationS, qPrintable(name + u": "_s + timelineText(s->events)));
    }
}

void TestScenario::blackFridayPresetsCompareFairly_data()
{
    QTest::addColumn<QString>("strategy");
    QTest::addColumn<qint64>("stock");
    QTest::addColumn<int>("events");
    for (const char *strategy : { "naive", "row-lock", "atomic", "sharded" })
        QTest::newRow(strategy) << QString::fromLatin1(strategy) << qint64(5000) << 4;
    // cache-queue holds twenty times the stock (its lesson is the queue, not the sell-out) and
    // loses the cache node with its counter mid-spike
    QTest::newRow("cache-queue") << u"cache-queue"_s << qint64(100000) << 5;
}

// The Black Friday presets differ only in strategy (and what it needs), so they compare fairly.
void TestScenario::blackFridayPresetsCompareFairly()
{
    QFETCH(QString, strategy);
    QFETCH(qint64, stock);
    QFETCH(int, events);
    const QString name = u"black-friday-"_s + strategy;
    QString error;
    const std::optional<Scenario> s = loadPreset(name, &error);
    QVERIFY2(s, qPrintable(error));
    QCOMPARE(nameOf(s->config.strategy), strategy);
    QCOMPARE(s->config.seed, std::uint64_t(42));
    QCOMPARE(s->durationS, 30.0);
    QCOMPARE(s->config.stock, std::int64_t(stock));
    QCOMPARE(nameOf(s->config.traffic.mode), u"open"_s);
    QCOMPARE(s->config.traffic.ratePerS, 3000.0);
    QCOMPARE(s->config.traffic.skus, 1);
    QCOMPARE(s->config.traffic.readRatio, 0.0);
    QCOMPARE(s->config.nodes.count, 4);
    QCOMPARE(s->config.nodes.capacity, 64);
    QCOMPARE(s->config.nodes.queueLimit, 1000);
    QCOMPARE(s->config.nodes.serviceMs, 0.5);
    QCOMPARE(nameOf(s->config.nodes.serviceDist), u"constant"_s);
    QCOMPARE(s->config.store.latencyMs, 1.0);
    QCOMPARE(s->config.store.writeMs, 0.05);
    QCOMPARE(s->config.store.buckets, 8);
    QCOMPARE(s->events.size(), std::size_t(events));
    std::vector<stampede::TimedEvent> shared;
    std::copy_if(s->events.begin(), s->events.end(), std::back_inserter(shared),
        [](const stampede::TimedEvent &e) { return e.kind != EventKind::KillCacheNode; });
    QCOMPARE(timelineText(shared), u"5 spike x5 for 5; 12 add_nodes 2; 20 kill_node 0; 22 restock 5000"_s);
}

void TestScenario::newPresets_data()
{
    QTest::addColumn<QString>("strategy");
    QTest::addColumn<qint64>("stock");
    QTest::addColumn<double>("rate");
    QTest::addColumn<double>("readRatio");
    QTest::addColumn<int>("skus");
    QTest::addColumn<QString>("cache"); // nodes placement ttl_ms ttl_jitter single_flight keys counter_recovery
    QTest::addColumn<QString>("queue"); // partitions capacity consumers batch ack_ms when_full idempotent
    QTest::addColumn<QString>("timeline");

    QTest::newRow("black-friday-cache-queue")
        << u"cache-queue"_s << qint64(100000) << 3000.0 << 0.0 << 1 << u"3 ring 1000 0 false 10000 reload-from-store"_s
        << u"4 20000 8 10 0.5 reject false"_s
        << u"5 spike x5 for 5; 8 kill_cache_node 1; 12 add_nodes 2; 20 kill_node 0; 22 restock 5000"_s;
    QTest::newRow("cache-stampede") << u"atomic"_s << qint64(1000000) << 20000.0 << 1000.0 << 1
                                    << u"3 ring 1000 0 false 10000 reload-from-store"_s
                                    << u"4 10000 2 10 0.5 reject false"_s << u"15 single_flight true"_s;
    QTest::newRow("queue-peak-shaving") << u"cache-queue"_s << qint64(1000000) << 2000.0 << 0.0 << 1
                                        << u"3 ring 1000 0 false 10000 reload-from-store"_s
                                        << u"8 20000 4 10 0.5 reject false"_s
                                        << u"5 spike x10 for 3; 12 add_consumers 4"_s;
    QTest::newRow("rehash-mod-vs-ring") << u"atomic"_s << qint64(1000000) << 20000.0 << 100.0 << 1024
                                        << u"4 modulo 60000 0 false 100000 reload-from-store"_s
                                        << u"4 10000 2 10 0.5 reject false"_s
                                        << u"8 add_cache_node 1; 16 set_placement ring; 22 add_cache_node 1"_s;
}

void TestScenario::newPresets()
{
    QFETCH(QString, strategy);
    QFETCH(qint64, stock);
    QFETCH(double, rate);
    QFETCH(double, readRatio);
    QFETCH(int, skus);
    QFETCH(QString, cache);
    QFETCH(QString, queue);
    QFETCH(QString, timeline);

    const QString name = QString::fromLatin1(QTest::currentDataTag());
    QString error;
    const std::optional<Scenario> s = loadPreset(name, &error);
    QVERIFY2(s, qPrintable(error));
    const stampede::EngineConfig &c = s->config;
    QCOMPARE(nameOf(c.strategy), strategy);
    QCOMPARE(c.stock, std::int64_t(stock));
    QCOMPARE(s->durationS, 30.0);
    QCOMPARE(nameOf(c.traffic.mode), u"open"_s);
    QCOMPARE(c.traffic.ratePerS, rate);
    QCOMPARE(c.traffic.readRatio, readRatio);
    QCOMPARE(c.traffic.skus, skus);
    auto flag = [](bool b) { return b ? u"true"_s : u"false"_s; };
    const QStringList cacheFields { QString::number(c.cache.nodes), nameOf(c.cache.placement),
        QString::number(c.cache.ttlMs), QString::number(c.cache.ttlJitter), flag(c.cache.singleFlight),
        QString::number(c.cache.keys), nameOf(c.cache.recovery) };
    QCOMPARE(cacheFields.join(u' '), cache);
    const QStringList queueFields { QString::number(c.queue.partitions), QString::number(c.queue.capacity),
        QString::number(c.queue.consumers), QString::number(c.queue.batch), QString::number(c.queue.ackMs),
        nameOf(c.queue.whenFull), flag(c.queue.idempotent) };
    QCOMPARE(queueFields.join(u' '), queue);
    QCOMPARE(timelineText(s->events), timeline);
}

// black-friday-cache-queue's lesson is losing the stock counter: its kill_cache_node must name
// the node that holds SKU 0's counter (the engine's own pick would be the oldest node).
void TestScenario::cacheQueuePresetKillsTheCounterNode()
{
    QString error;
    const std::optional<Scenario> s = loadPreset(u"black-friday-cache-queue"_s, &error);
    QVERIFY2(s, qPrintable(error));
    const auto kill = std::find_if(s->events.begin(), s->events.end(),
        [](const stampede::TimedEvent &e) { return e.kind == EventKind::KillCacheNode; });
    QVERIFY(kill != s->events.end());
    QVERIFY2(kill->node, "the preset lets the engine pick the cache node");
    // no cache node is added or removed before the kill, so the start-up placement decides
    for (const auto &e : s->events)
        QVERIFY(e.atS >= kill->atS
            || (e.kind != EventKind::AddCacheNodes && e.kind != EventKind::RemoveCacheNode
                && e.kind != EventKind::KillCacheNode && e.kind != EventKind::SetPlacement));

    stampede::Engine engine(s->config);
    engine.start();
    // the counter exists once the first purchase took a unit; poll snapshots, no fixed sleep
    QTRY_VERIFY_WITH_TIMEOUT(engine.snapshot()->cache->counterNode >= 0, 10000);
    const int counterNode = engine.snapshot()->cache->counterNode;
    engine.stopAndDrain();
    QCOMPARE(*kill->node, counterNode);
}

void TestScenario::presetNamesAreTheFifteen()
{
    const QStringList expected { u"black-friday-atomic"_s, u"black-friday-cache-queue"_s, u"black-friday-naive"_s,
        u"black-friday-row-lock"_s, u"black-friday-sharded"_s, u"cache-stampede"_s, u"celebrity-hybrid"_s,
        u"celebrity-pull"_s, u"celebrity-push"_s, u"coordination-cost"_s, u"fanout-worker-crash"_s,
        u"queue-peak-shaving"_s, u"rehash-mod-vs-ring"_s, u"scale-up-vs-scale-out"_s, u"single-point-of-failure"_s };
    QCOMPARE(presetNames(), expected);
}

void TestScenario::unknownPresetListsNames()
{
    QString error;
    QVERIFY(!loadPreset(u"nope"_s, &error));
    QVERIFY2(error.contains(u"\"nope\""_s), qPrintable(error));
    for (const QString &name : presetNames())
        QVERIFY2(error.contains(name), qPrintable(error));
}

void TestScenario::fullScenarioRoundTrips()
{
    const QByteArray json = R"({
        "name": "everything", "title": "All fields", "description": "Every key set.",
        "seed": 123456789012, "duration_s": 45.5, "strategy": "sharded", "stock": 77777, "threads": 3,
        "traffic": { "mode": "closed", "rate_per_s": 1234.5, "clients": 99, "users": 5000,
                     "skus": 7, "sku_skew": 1.25, "read_ratio": 12.5 },
        "gateway": { "policy": "user-hash", "rate_limit_per_s": 900 },
        "nodes":   { "count": 9, "capacity": 17, "queue_limit": 33, "service_ms": 2.5,
                     "service_dist": "exponential", "timeout_ms": 250, "speed": 1.5, "price": 30,
                     "coordination": "exchange", "serial_ms": 0.25, "exchange_ms": 0.125 },
        "store":   { "latency_ms": 0.75, "write_ms": 0.125, "buckets": 16, "probes": 3 },
        "cache":   { "nodes": 3, "placement": "modulo", "virtual_nodes": 40, "latency_ms": 0.3, "op_ms": 0.02,
                     "keys": 500, "ttl_ms": 1500, "ttl_jitter": 0.25, "single_flight": true,
                     "counter_recovery": "reset-to-initial" },
        "queue":   { "partitions": 6, "capacity": 333, "consumers": 5, "batch": 7, "ack_ms": 1.75,
                     "when_full": "block", "idempotent": true },
        "events":  [ { "at_s": 1, "spike": { "factor": 2.5, "for_s": 3 } },
                     { "at_s": 2, "set_rate": 5000 },
                     { "at_s": 3, "add_nodes": 4 },
                     { "at_s": 4, "remove_node": 2 },
                     { "at_s": 5, "remove_node": null },
                     { "at_s": 6, "kill_node": 1 },
                     { "at_s": 7, "switch_strategy": "row-lock" },
                     { "at_s": 8, "restock": 500 },
                     { "at_s": 9, "pause": true, "for_s": 0.5 },
                     { "at_s": 10, "pause": true, "for_s": 2 },
                     { "at_s": 11, "add_cache_node": 2 },
                     { "at_s": 12, "remove_cache_node": 1 },
                     { "at_s": 13, "kill_cache_node": null },
                     { "at_s": 14, "set_placement": "ring" },
                     { "at_s": 15, "single_flight": false },
                     { "at_s": 16, "set_ttl_jitter": 0.5 },
                     { "at_s": 17, "set_read_ratio": 250 },
                     { "at_s": 18, "set_counter_recovery": "reload-from-store" },
                     { "at_s": 19, "add_consumers": 3 },
                     { "at_s": 20, "remove_consumer": 4 },
                     { "at_s": 21, "remove_consumer": null },
                     { "at_s": 22, "kill_consumer": 0 },
                     { "at_s": 23, "kill_consumer": null },
                     { "at_s": 24, "set_idempotent": false },
                     { "at_s": 25, "set_queue_full": "reject" } ] })";
    QString error;
    const std::optional<Scenario> s = parseScenario(json, u"doc"_s, &error);
    QVERIFY2(s, qPrintable(error));
    const stampede::EngineConfig &c = s->config;
    QCOMPARE(QString::fromStdString(c.name), u"everything"_s);
    QCOMPARE(s->title, u"All fields"_s);
    QCOMPARE(s->description, u"Every key set."_s);
    QCOMPARE(c.seed, std::uint64_t(123456789012));
    QCOMPARE(s->durationS, 45.5);
    QCOMPARE(nameOf(c.strategy), u"sharded"_s);
    QCOMPARE(c.stock, std::int64_t(77777));
    QCOMPARE(c.threads, 3);
    QCOMPARE(nameOf(c.traffic.mode), u"closed"_s);
    QCOMPARE(c.traffic.ratePerS, 1234.5);
    QCOMPARE(c.traffic.clients, 99);
    QCOMPARE(c.traffic.users, std::int64_t(5000));
    QCOMPARE(c.traffic.skus, 7);
    QCOMPARE(c.traffic.skuSkew, 1.25);
    QCOMPARE(c.traffic.readRatio, 12.5);
    QCOMPARE(nameOf(c.gateway.policy), u"user-hash"_s);
    QCOMPARE(c.gateway.rateLimitPerS.value_or(-1), 900.0);
    QCOMPARE(c.nodes.count, 9);
    QCOMPARE(c.nodes.capacity, 17);
    QCOMPARE(c.nodes.queueLimit, 33);
    QCOMPARE(c.nodes.serviceMs, 2.5);
    QCOMPARE(nameOf(c.nodes.serviceDist), u"exponential"_s);
    QCOMPARE(c.nodes.timeoutMs.value_or(-1), 250.0);
    QCOMPARE(c.store.latencyMs, 0.75);
    QCOMPARE(c.store.writeMs, 0.125);
    QCOMPARE(c.store.buckets, 16);
    QCOMPARE(c.store.probes, 3);
    QCOMPARE(c.cache.nodes, 3);
    QVERIFY(c.cache.placement == stampede::Placement::Modulo);
    QCOMPARE(c.cache.virtualNodes, 40);
    QCOMPARE(c.cache.latencyMs, 0.3);
    QCOMPARE(c.cache.opMs, 0.02);
    QCOMPARE(c.cache.keys, 500);
    QCOMPARE(c.cache.ttlMs, 1500.0);
    QCOMPARE(c.cache.ttlJitter, 0.25);
    QCOMPARE(c.cache.singleFlight, true);
    QCOMPARE(nameOf(c.cache.recovery), u"reset-to-initial"_s);
    QCOMPARE(c.queue.partitions, 6);
    QCOMPARE(c.queue.capacity, 333);
    QCOMPARE(c.queue.consumers, 5);
    QCOMPARE(c.queue.batch, 7);
    QCOMPARE(c.queue.ackMs, 1.75);
    QCOMPARE(nameOf(c.queue.whenFull), u"block"_s);
    QCOMPARE(c.queue.idempotent, true);

    const auto &e = s->events;
    QCOMPARE(e.size(), std::size_t(25));
    QCOMPARE(eventKey(e[0].kind), u"spike"_s);
    QCOMPARE(e[0].factor, 2.5);
    QCOMPARE(e[0].forS, 3.0);
    QCOMPARE(eventKey(e[1].kind), u"set_rate"_s);
    QCOMPARE(e[1].rate, 5000.0);
    QCOMPARE(eventKey(e[2].kind), u"add_nodes"_s);
    QCOMPARE(e[2].count, 4);
    QCOMPARE(eventKey(e[3].kind), u"remove_node"_s);
    QCOMPARE(e[3].node.value_or(-1), 2);
    QCOMPARE(eventKey(e[4].kind), u"remove_node"_s);
    QVERIFY(!e[4].node);
    QCOMPARE(eventKey(e[5].kind), u"kill_node"_s);
    QCOMPARE(e[5].node.value_or(-1), 1);
    QCOMPARE(eventKey(e[6].kind), u"switch_strategy"_s);
    QCOMPARE(nameOf(e[6].strategy), u"row-lock"_s);
    QCOMPARE(eventKey(e[7].kind), u"restock"_s);
    QCOMPARE(e[7].units, std::int64_t(500));
    QCOMPARE(eventKey(e[8].kind), u"pause"_s);
    QCOMPARE(e[8].forS, 0.5);
    QCOMPARE(eventKey(e[9].kind), u"pause"_s);
    QCOMPARE(e[9].forS, 2.0);
    QCOMPARE(eventKey(e[10].kind), u"add_cache_node"_s);
    QCOMPARE(e[10].count, 2);
    QCOMPARE(eventKey(e[11].kind), u"remove_cache_node"_s);
    QCOMPARE(e[11].node.value_or(-1), 1);
    QCOMPARE(eventKey(e[12].kind), u"kill_cache_node"_s);
    QVERIFY(!e[12].node);
    QCOMPARE(eventKey(e[13].kind), u"set_placement"_s);
    QVERIFY(e[13].placement == stampede::Placement::Ring);
    QCOMPARE(eventKey(e[14].kind), u"single_flight"_s);
    QCOMPARE(e[14].on, false);
    QCOMPARE(timelineText({ e.begin() + 15, e.end() }),
        u"16 set_ttl_jitter 0.5; 17 set_read_ratio 250; 18 set_counter_recovery reload-from-store; "
        "19 add_consumers 3; 20 remove_consumer 4; 21 remove_consumer null; 22 kill_consumer 0; "
        "23 kill_consumer null; 24 set_idempotent false; 25 set_queue_full reject"_s);
    for (std::size_t i = 0; i < e.size(); ++i)
        QCOMPARE(e[i].atS, double(i + 1));

    // Written back out and read again, nothing changes.
    const QJsonObject written = scenarioToJson(*s);
    const std::optional<Scenario> again = parseScenario(QJsonDocument(written).toJson(), u"again"_s, &error);
    QVERIFY2(again, qPrintable(error));
    QCOMPARE(scenarioToJson(*again), written);
    QCOMPARE(written, QJsonDocument::fromJson(json).object());
}

void TestScenario::nullsMeanNone()
{
    QString error;
    const std::optional<Scenario> s = parseScenario(
        R"({"gateway": {"rate_limit_per_s": null}, "nodes": {"timeout_ms": null},
            "events": [{"at_s": 1, "kill_node": null}]})",
        u"doc"_s, &error);
    QVERIFY2(s, qPrintable(error));
    QVERIFY(!s->config.gateway.rateLimitPerS);
    QVERIFY(!s->config.nodes.timeoutMs);
    QVERIFY(!s->events.at(0).node);
}

void TestScenario::fileErrorsNameTheFile()
{
    QString error;
    QVERIFY(!loadScenarioFile(u"/nonexistent/x.json"_s, &error));
    QVERIFY2(error.startsWith(u"/nonexistent/x.json: cannot read"_s), qPrintable(error));

    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    const QString path = dir.filePath(u"broken.json"_s);
    QFile f(path);
    QVERIFY(f.open(QIODevice::WriteOnly));
    f.write(R"({"nodes": {"count": 4,}})");
    f.close();
    QVERIFY(!loadScenarioFile(path, &error));
    QVERIFY2(error.startsWith(path + u": invalid JSON at offset "_s), qPrintable(error));
}

void TestScenario::fileNameIsFallbackName()
{
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    const QString path = dir.filePath(u"my-lesson.json"_s);
    QFile f(path);
    QVERIFY(f.open(QIODevice::WriteOnly));
    f.write(R"({"strategy": "atomic"})");
    f.close();
    QString error;
    const std::optional<Scenario> s = loadScenarioFile(path, &error);
    QVERIFY2(s, qPrintable(error));
    QCOMPARE(QString::fromStdString(s->config.name), u"my-lesson"_s);
    QCOMPARE(nameOf(s->config.strategy), u"atomic"_s);
}

void TestScenario::checkScenarioAfterChanges()
{
    QString error;
    std::optional<Scenario> s = loadPreset(defaultPresetName(), &error);
    QVERIFY2(s, qPrintable(error));
    QVERIFY(checkScenario(*s).isEmpty());
    s->durationS = 15; // the kill at 20 s now lies beyond the end
    QVERIFY2(checkScenario(*s).startsWith(u"events[2].at_s: "_s), qPrintable(checkScenario(*s)));
    s->durationS = 30;
    s->config.nodes.count = 0;
    QVERIFY(checkScenario(*s).startsWith(u"nodes.count: "_s));
}

// The keys of issue "Scale up vs scale out": node size and coordination, the sized add_nodes,
// resize_node, kill_node's for_s and the sweep section. Each message names its JSON path.
void TestScenario::scaleMalformed_data()
{
    QTest::addColumn<QByteArray>("json");
    QTest::addColumn<QString>("expected"); // what the message must start with after "doc: "

    auto row = [](const char *tag, const char *json, const QString &expected) {
        QTest::newRow(tag) << QByteArray(json) << expected;
    };
    row("a sweep on a fan-out", R"({"workload": "fan-out", "sweep": {"nodes": [1, 2]}})",
        u"sweep: sweeps the flash sale's nodes and traffic, and this scenario's workload is fan-out"_s);
    // nodes
    row("coordination unknown", R"({"nodes": {"coordination": "global-lock"}})",
        u"nodes.coordination: must be one of \"none\", \"hot-row\", \"serial\", \"exchange\"; got \"global-lock\""_s);
    row("coordination number", R"({"nodes": {"coordination": 2}})", u"nodes.coordination: must be a string"_s);
    row("speed zero", R"({"nodes": {"speed": 0}})", u"nodes.speed: must be between 0.01 and 100"_s);
    row("speed too fast", R"({"nodes": {"speed": 101}})", u"nodes.speed: must be between 0.01 and 100"_s);
    row("speed string", R"({"nodes": {"speed": "fast"}})", u"nodes.speed: must be a number, got \"fast\""_s);
    row("speed null", R"({"nodes": {"speed": null}})", u"nodes.speed: must be a number"_s);
    row("price negative", R"({"nodes": {"price": -1}})", u"nodes.price: must be between 0 and"_s);
    row("price string", R"({"nodes": {"price": "cheap"}})", u"nodes.price: must be a number or null"_s);
    row("serial_ms negative", R"({"nodes": {"serial_ms": -0.1}})", u"nodes.serial_ms: must be between 0 and 60000"_s);
    row("exchange_ms too long", R"({"nodes": {"exchange_ms": 60001}})",
        u"nodes.exchange_ms: must be between 0 and 60000"_s);
    row("exchange_ms string", R"({"nodes": {"exchange_ms": "1"}})", u"nodes.exchange_ms: must be a number"_s);
    // sweep
    row("sweep not object", R"({"sweep": [1, 2]})", u"sweep: must be an object"_s);
    row("sweep null", R"({"sweep": null})", u"sweep: must be an object"_s);
    row("sweep nodes not array", R"({"sweep": {"nodes": 4}})", u"sweep.nodes: must be an array of numbers, got 4"_s);
    row("sweep nodes with a string", R"({"sweep": {"nodes": [1, "two", 4]}})",
        u"sweep.nodes[1]: must be a number, got \"two\""_s);
    row("sweep without axis", R"({"sweep": {"seconds": 2, "warmup_s": 1}})",
        u"sweep: no setting to sweep; give one of nodes, cores, clients, speed, rate, serial_ms, exchange_ms"_s);
    row("sweep empty", R"({"sweep": {}})", u"sweep: no setting to sweep"_s);
    row("sweep unknown key", R"({"sweep": {"nodes": [1, 2], "replicas": [1, 2]}})", u"sweep.replicas: unknown key"_s);
    row("sweep load huge", R"({"sweep": {"nodes": [1, 2], "load": "huge"}})",
        u"sweep.load: must be \"max\" or \"scenario\", got \"huge\""_s);
    row("sweep load bool", R"({"sweep": {"nodes": [1, 2], "load": true}})", u"sweep.load: must be \"max\" or"_s);
    row("sweep lengths differ", R"({"sweep": {"nodes": [1, 2], "cores": [8, 4, 2]}})",
        u"sweep.cores: has 3 values and nodes has 2"_s);
    row("sweep one value", R"({"sweep": {"nodes": [4]}})", u"sweep.nodes: needs 2 to 64 values, got 1"_s);
    row("sweep empty axis", R"({"sweep": {"nodes": []}})", u"sweep.nodes: needs 2 to 64 values, got 0"_s);
    row("sweep seconds zero", R"({"sweep": {"nodes": [1, 2], "seconds": 0}})",
        u"sweep.seconds: must be greater than 0 and at most 600 s, got 0"_s);
    row("sweep seconds too long", R"({"sweep": {"nodes": [1, 2], "seconds": 601}})",
        u"sweep.seconds: must be greater than 0 and at most 600 s"_s);
    row("sweep seconds string", R"({"sweep": {"nodes": [1, 2], "seconds": "3"}})",
        u"sweep.seconds: must be a number"_s);
    row("sweep warmup negative", R"({"sweep": {"nodes": [1, 2], "warmup_s": -1}})",
        u"sweep.warmup_s: must be between 0 and 600 s"_s);
    row("sweep nodes zero", R"({"sweep": {"nodes": [0, 2]}})", u"sweep.nodes[0]: must be between 1 and 64"_s);
    row("sweep nodes fraction", R"({"sweep": {"nodes": [1, 2.5]}})", u"sweep.nodes[1]: must be a whole number"_s);
    row("sweep clients fraction", R"({"sweep": {"clients": [1.5, 2]}})", u"sweep.clients[0]: must be a whole number"_s);
    row("sweep speed too slow", R"({"sweep": {"speed": [0.001, 1]}})",
        u"sweep.speed[0]: must be between 0.01 and 100"_s);
    row("sweep rate zero", R"({"sweep": {"rate": [0, 100]}})", u"sweep.rate[0]: must be between 1"_s);
    row("sweep exchange_ms negative", R"({"sweep": {"exchange_ms": [0.1, -1]}})",
        u"sweep.exchange_ms[1]: must be between 0 and 60000"_s);
    // resize_node
    row("resize_node without a size", R"({"events": [{"at_s": 1, "resize_node": {"node": 0}}]})",
        u"events[0].resize_node: give the size: cores, speed or price"_s);
    row("resize_node empty", R"({"events": [{"at_s": 1, "resize_node": {}}]})",
        u"events[0].resize_node: give the size: cores, speed or price"_s);
    row("resize_node unknown key", R"({"events": [{"at_s": 1, "resize_node": {"node": 0, "cores": 8, "memory": 4}}]})",
        u"events[0].resize_node.memory: unknown key (known: node, cores, speed, price)"_s);
    row("resize_node count", R"({"events": [{"at_s": 1, "resize_node": {"count": 2, "cores": 8}}]})",
        u"events[0].resize_node.count: unknown key"_s);
    row("resize_node not object", R"({"events": [{"at_s": 1, "resize_node": 8}]})",
        u"events[0].resize_node: must be an object"_s);
    row("resize_node cores zero", R"({"events": [{"at_s": 1, "resize_node": {"node": 0, "cores": 0}}]})",
        u"events[0].resize_node.cores: must be between 1 and 100000"_s);
    row("resize_node cores fraction", R"({"events": [{"at_s": 1, "resize_node": {"node": 0, "cores": 2.5}}]})",
        u"events[0].resize_node.cores: must be a whole number"_s);
    row("resize_node speed zero", R"({"events": [{"at_s": 1, "resize_node": {"speed": 0}}]})",
        u"events[0].resize_node.speed: must be between 0.01 and 100"_s);
    row("resize_node price string", R"({"events": [{"at_s": 1, "resize_node": {"price": "2"}}]})",
        u"events[0].resize_node.price: must be a number"_s);
    row("resize_node node string", R"({"events": [{"at_s": 1, "resize_node": {"node": "a", "cores": 2}}]})",
        u"events[0].resize_node.node: must be an integer"_s);
    row("resize_node node negative", R"({"events": [{"at_s": 1, "resize_node": {"node": -1, "cores": 2}}]})",
        u"events[0].resize_node: must be a node id (0 or more) or null"_s);
    // add_nodes' object form
    row("add_nodes cores zero", R"({"events": [{"at_s": 1, "add_nodes": {"count": 1, "cores": 0}}]})",
        u"events[0].add_nodes.cores: must be between 1 and 100000"_s);
    row("add_nodes without a size", R"({"events": [{"at_s": 1, "add_nodes": {"count": 2}}]})",
        u"events[0].add_nodes: give the size: cores, speed or price"_s);
    row("add_nodes count zero", R"({"events": [{"at_s": 1, "add_nodes": {"count": 0, "cores": 2}}]})",
        u"events[0].add_nodes: must be between 1 and 64"_s);
    row("add_nodes count fraction", R"({"events": [{"at_s": 1, "add_nodes": {"count": 1.5, "cores": 2}}]})",
        u"events[0].add_nodes.count: must be a whole number"_s);
    row("add_nodes unknown key", R"({"events": [{"at_s": 1, "add_nodes": {"count": 1, "cores": 2, "memory": 1}}]})",
        u"events[0].add_nodes.memory: unknown key (known: count, cores, speed, price)"_s);
    row("add_nodes node key", R"({"events": [{"at_s": 1, "add_nodes": {"node": 1, "cores": 2}}]})",
        u"events[0].add_nodes.node: unknown key"_s);
    row("add_nodes price negative", R"({"events": [{"at_s": 1, "add_nodes": {"count": 1, "price": -1}}]})",
        u"events[0].add_nodes.price: must be between 0 and"_s);
    row("add_nodes speed string", R"({"events": [{"at_s": 1, "add_nodes": {"count": 1, "speed": "2x"}}]})",
        u"events[0].add_nodes.speed: must be a number"_s);
    row("add_nodes array", R"({"events": [{"at_s": 1, "add_nodes": [1]}]})",
        u"events[0].add_nodes: must be an integer"_s);
    // kill_node's for_s, and for_s where it does not belong
    row("kill_node for_s zero", R"({"events": [{"at_s": 2, "kill_node": 0, "for_s": 0}]})",
        u"events[0].for_s: must be greater than 0 and at most 86400 s, got 0"_s);
    row("kill_node for_s negative", R"({"events": [{"at_s": 2, "kill_node": null, "for_s": -3}]})",
        u"events[0].for_s: must be greater than 0"_s);
    row("kill_node for_s too long", R"({"events": [{"at_s": 2, "kill_node": 0, "for_s": 86401}]})",
        u"events[0].for_s: must be greater than 0 and at most 86400 s"_s);
    row("kill_node for_s string", R"({"events": [{"at_s": 2, "kill_node": 0, "for_s": "3"}]})",
        u"events[0].for_s: must be a number"_s);
    row("kill_node for_s inside", R"({"events": [{"at_s": 2, "kill_node": {"node": 0, "for_s": 3}}]})",
        u"events[0].kill_node: must be a node id (integer) or null"_s);
    row("for_s inside add_nodes, as a spike's",
        R"({"events": [{"at_s": 2, "add_nodes": {"count": 1, "cores": 2, "for_s": 3}}]})",
        u"events[0].add_nodes.for_s: unknown key"_s);
    row("for_s beside add_nodes' object",
        R"({"events": [{"at_s": 2, "add_nodes": {"count": 1, "cores": 2}, "for_s": 3}]})",
        u"events[0].for_s: only a pause or a kill_node takes for_s beside its action"_s);
    row("for_s beside resize_node", R"({"events": [{"at_s": 2, "resize_node": {"node": 0, "cores": 2}, "for_s": 3}]})",
        u"events[0].for_s: only a pause or a kill_node takes for_s beside its action"_s);
    row("for_s beside remove_node", R"({"events": [{"at_s": 2, "remove_node": 0, "for_s": 3}]})",
        u"events[0].for_s: only a pause or a kill_node takes for_s beside its action"_s);
    row("resize_node beyond duration", R"({"duration_s": 10, "events": [{"at_s": 11, "resize_node": {"cores": 2}}]})",
        u"events[0].at_s: must be between 0 and duration_s (10)"_s);
}

void TestScenario::scaleMalformed()
{
    QFETCH(QByteArray, json);
    QFETCH(QString, expected);
    QString error;
    const std::optional<Scenario> s = parseScenario(json, u"doc"_s, &error);
    QVERIFY2(!s, json.constData());
    QVERIFY2(error.startsWith(u"doc: "_s + expected), qPrintable(error));
    QVERIFY2(!error.contains(u'\n'), qPrintable(error));
}

// Every new key read, written by scenarioToJson and read back gives the same values.
void TestScenario::scaleKeysRoundTrip()
{
    const QByteArray json = R"({
        "name": "scale", "duration_s": 20,
        "nodes": { "count": 3, "capacity": 4, "service_ms": 20, "speed": 2.5, "price": 7.5,
                   "coordination": "exchange", "serial_ms": 0.2, "exchange_ms": 0.05 },
        "sweep": { "nodes": [1, 2, 4], "cores": [8, 4, 2], "seconds": 2.5, "warmup_s": 0.5, "load": "max" },
        "events": [ { "at_s": 1, "add_nodes": { "count": 2, "cores": 8, "speed": 1.5, "price": 3 } },
                    { "at_s": 2, "add_nodes": { "cores": 2 } },
                    { "at_s": 3, "add_nodes": 2 },
                    { "at_s": 4, "resize_node": { "node": 0, "cores": 16, "speed": 0.5 } },
                    { "at_s": 5, "resize_node": { "node": null, "price": 4 } },
                    { "at_s": 6, "resize_node": { "node": 2, "price": 0 } },
                    { "at_s": 7, "kill_node": 1, "for_s": 2.5 },
                    { "at_s": 8, "kill_node": null } ] })";

    auto check = [](const Scenario &s) {
        const stampede::NodeConfig &n = s.config.nodes;
        QCOMPARE(n.count, 3);
        QCOMPARE(n.capacity, 4);
        QCOMPARE(n.serviceMs, 20.0);
        QCOMPARE(n.speed, 2.5);
        QCOMPARE(n.price.value_or(-1), 7.5);
        QCOMPARE(nameOf(n.coordination), u"exchange"_s);
        QCOMPARE(n.serialMs, 0.2);
        QCOMPARE(n.exchangeMs, 0.05);

        QVERIFY(s.sweep);
        const SweepSpec &sw = *s.sweep;
        QCOMPARE(sw.axes.size(), std::size_t(2));
        QCOMPARE(sw.axes[0].key, u"nodes"_s);
        QCOMPARE(sw.axes[0].values, (std::vector<double> { 1, 2, 4 }));
        QCOMPARE(sw.axes[1].key, u"cores"_s);
        QCOMPARE(sw.axes[1].values, (std::vector<double> { 8, 4, 2 }));
        QCOMPARE(sw.seconds, 2.5);
        QCOMPARE(sw.warmupS, 0.5);
        QCOMPARE(sw.maxLoad, true);

        const auto &e = s.events;
        QCOMPARE(e.size(), std::size_t(8));
        for (std::size_t i = 0; i < e.size(); ++i)
            QCOMPARE(e[i].atS, double(i + 1));
        QCOMPARE(eventKey(e[0].kind), u"add_nodes"_s);
        QCOMPARE(e[0].count, 2);
        QCOMPARE(e[0].cores, 8);
        QCOMPARE(e[0].speed, 1.5);
        QCOMPARE(e[0].price, 3.0);
        QCOMPARE(eventKey(e[1].kind), u"add_nodes"_s);
        QCOMPARE(e[1].count, 1); // count defaults to one node
        QCOMPARE(e[1].cores, 2);
        QCOMPARE(e[1].speed, 0.0); // not given: the configured node's
        QVERIFY(e[1].price < 0); // not given: scales with cores × speed
        QCOMPARE(eventKey(e[2].kind), u"add_nodes"_s);
        QCOMPARE(e[2].count, 2);
        QCOMPARE(e[2].cores, 0);
        QCOMPARE(e[2].speed, 0.0);
        QVERIFY(e[2].price < 0);
        QCOMPARE(eventKey(e[3].kind), u"resize_node"_s);
        QCOMPARE(e[3].node.value_or(-1), 0);
        QCOMPARE(e[3].cores, 16);
        QCOMPARE(e[3].speed, 0.5);
        QVERIFY(e[3].price < 0);
        QCOMPARE(eventKey(e[4].kind), u"resize_node"_s);
        QVERIFY(!e[4].node);
        QCOMPARE(e[4].cores, 0);
        QCOMPARE(e[4].speed, 0.0);
        QCOMPARE(e[4].price, 4.0);
        QCOMPARE(eventKey(e[5].kind), u"resize_node"_s);
        QCOMPARE(e[5].node.value_or(-1), 2);
        QCOMPARE(e[5].price, 0.0); // free is a price
        QCOMPARE(eventKey(e[6].kind), u"kill_node"_s);
        QCOMPARE(e[6].node.value_or(-1), 1);
        QCOMPARE(e[6].forS, 2.5);
        QCOMPARE(eventKey(e[7].kind), u"kill_node"_s);
        QVERIFY(!e[7].node);
        QCOMPARE(e[7].forS, 0.0); // dead to the end of the run
    };

    QString error;
    const std::optional<Scenario> s = parseScenario(json, u"doc"_s, &error);
    QVERIFY2(s, qPrintable(error));
    check(*s);
    if (QTest::currentTestFailed())
        return;

    const QJsonObject written = scenarioToJson(*s);
    const std::optional<Scenario> again = parseScenario(QJsonDocument(written).toJson(), u"again"_s, &error);
    QVERIFY2(again, qPrintable(error));
    check(*again);
    if (QTest::currentTestFailed())
        return;
    QCOMPARE(scenarioToJson(*again), written);

    // and written in the loader's own forms
    const QJsonObject in = QJsonDocument::fromJson(json).object();
    const QJsonObject nodes = written.value(u"nodes"_s).toObject();
    for (const QString &key : { u"speed"_s, u"price"_s, u"coordination"_s, u"serial_ms"_s, u"exchange_ms"_s })
        QCOMPARE(nodes.value(key), in.value(u"nodes"_s).toObject().value(key));
    const QJsonArray events = written.value(u"events"_s).toArray();
    const QJsonArray original = in.value(u"events"_s).toArray();
    QCOMPARE(events.size(), original.size());
    QCOMPARE(events[0].toObject(), original[0].toObject());
    QCOMPARE(
        events[1].toObject().value(u"add_nodes"_s).toObject(), (QJsonObject { { u"count"_s, 1 }, { u"cores"_s, 2 } }));
    QCOMPARE(events[2].toObject(), original[2].toObject()); // a plain count stays a number
    for (int i = 3; i < 8; ++i)
        QCOMPARE(events[i].toObject(), original[i].toObject());
    QCOMPARE(written.value(u"sweep"_s).toObject(), in.value(u"sweep"_s).toObject());
}

// nodes.price null means "capacity × speed" and stays null; every coordination name reads and
// writes back; a sweep's defaults are written out in full.
void TestScenario::nodePriceNullAndCoordinations()
{
    for (const char *name : { "none", "hot-row", "serial", "exchange" }) {
        const QByteArray json = QByteArray(R"({"nodes": {"price": null, "coordination": ")") + name
            + R"("}, "sweep": {"clients": [8, 16]}})";
        QString error;
        const std::optional<Scenario> s = parseScenario(json, u"doc"_s, &error);
        QVERIFY2(s, qPrintable(error));
        QVERIFY(!s->config.nodes.price);
        QCOMPARE(nameOf(s->config.nodes.coordination), QString::fromLatin1(name));
        QVERIFY(s->sweep);
        QCOMPARE(s->sweep->seconds, 5.0);
        QCOMPARE(s->sweep->warmupS, 1.0);
        QCOMPARE(s->sweep->maxLoad, false);
        const QJsonObject written = scenarioToJson(*s);
        QVERIFY(written.value(u"nodes"_s).toObject().value(u"price"_s).isNull());
        QCOMPARE(written.value(u"nodes"_s).toObject().value(u"coordination"_s).toString(), QString::fromLatin1(name));
        QCOMPARE(written.value(u"sweep"_s).toObject(),
            (QJsonObject { { u"clients"_s, QJsonArray { 8, 16 } }, { u"seconds"_s, 5 }, { u"warmup_s"_s, 1 },
                { u"load"_s, u"scenario"_s } }));
        const std::optional<Scenario> again = parseScenario(QJsonDocument(written).toJson(), u"again"_s, &error);
        QVERIFY2(again, qPrintable(error));
        QVERIFY(!again->config.nodes.price);
        QCOMPARE(nameOf(again->config.nodes.coordination), QString::fromLatin1(name));
    }
    // without a sweep section, none is written
    QString error;
    const std::optional<Scenario> plain = parseScenario("{}", u"doc"_s, &error);
    QVERIFY2(plain, qPrintable(error));
    QVERIFY(!plain->sweep);
    QVERIFY(!scenarioToJson(*plain).contains(u"sweep"_s));
    QCOMPARE(nameOf(plain->config.nodes.coordination), u"none"_s);
    QCOMPARE(plain->config.nodes.speed, 1.0);
}

// A saved scenario names the user's server but never keeps its password, and reloads as itself.
void TestScenario::storeBackendRoundTripsWithoutPassword()
{
    QString error;
    const std::optional<Scenario> s = parseScenario(
        R"({"strategy": "row-lock", "store": {"backend": "postgres", "connections": 8,
                                          "url": "postgresql://shop:secret@db.example:5433/sale"}})",
        u"doc"_s, &error);
    QVERIFY2(s, qPrintable(error));
    QVERIFY(s->config.store.backend == stampede::StoreBackend::Postgres);
    QCOMPARE(s->config.store.connections, 8);
    QCOMPARE(s->config.store.url, std::string("postgresql://shop:secret@db.example:5433/sale"));
    const QJsonObject written = scenarioToJson(*s);
    const QJsonObject store = written.value(u"store"_s).toObject();
    QCOMPARE(store.value(u"backend"_s).toString(), u"postgres"_s);
    QCOMPARE(store.value(u"url"_s).toString(), u"postgresql://shop@db.example:5433/sale"_s);
    QVERIFY(!QJsonDocument(written).toJson().contains("secret"));
    const std::optional<Scenario> again = parseScenario(QJsonDocument(written).toJson(), u"again"_s, &error);
    QVERIFY2(again, qPrintable(error));
    QCOMPARE(scenarioToJson(*again), written);
    // The embedded store writes none of the backend keys: scenarios saved before stay as they were.
    const std::optional<Scenario> plain = parseScenario("{}", u"plain"_s, &error);
    QVERIFY(plain);
    QVERIFY(!scenarioToJson(*plain).value(u"store"_s).toObject().contains(u"backend"_s));
}

QTEST_GUILESS_MAIN(TestScenario)
#include "tst_scenario.moc"
