// `GET /rain/metrics` against real traffic from the official socket.io-client: each scrape is
// parsed strictly as the Prometheus text format, and its series follow connects, events and
// disconnects.
import { test } from "node:test";
import assert from "node:assert/strict";
import { next, sharedServer } from "./support/server.mjs";
import { parsePrometheusText, sample } from "./support/prometheus.mjs";

const DUMMY = "/intents-example-1.0/chat/dummy socket";
const DUMMY_LABELS = { module_id: "intents-example-1.0", socket: "chat/dummy socket" };
const FAREWELL = "/farewell-1.0/farewell";
const FAREWELL_LABELS = { module_id: "farewell-1.0", socket: "farewell" };
const shared = sharedServer();
const { connect } = shared;

async function scrape() {
    const response = await fetch(`${shared.server.url}/rain/metrics`);
    assert.equal(response.status, 200);
    assert.equal(response.headers.get("content-type"), "text/plain; version=0.0.4; charset=utf-8");
    return parsePrometheusText(await response.text());
}

/** Scrapes until `check(families)` holds (a close is counted once the server has seen it). */
async function scrapeUntil(check, what) {
    const deadline = Date.now() + 5_000;
    for (;;) {
        const families = await scrape();
        if (check(families)) return families;
        if (Date.now() > deadline) assert.fail(`${what} within 5 s`);
        await new Promise((resolve) => setTimeout(resolve, 25));
    }
}

test("the parser accepts the format and refuses what is not of it", () => {
    const good = '# HELP a_total An \\\\ escaped\\n help.\n# TYPE a_total counter\na_total{x="q\\"uote",y="2"} 3 1700000000\n'
        + "# TYPE h histogram\nh_bucket{le=\"1\"} 1\nh_bucket{le=\"+Inf\"} 2\nh_sum 1.5e0\nh_count 2\n";
    const families = parsePrometheusText(good);
    assert.equal(sample(families, "a_total", { x: 'q"uote', y: "2" }), 3);
    assert.equal(families.get("a_total").help, "An \\ escaped\n help.");
    for (const bad of [
        "a 1",                                                   // no final newline
        "a{x=\"1\" 1\n",                                        // unclosed labels
        "a{x=1} 1\n",                                           // unquoted value
        "a{x=\"1\",x=\"2\"} 1\n",                                 // repeated label
        "a one\n",                                              // not a number
        "a 1\na 2\n",                                            // duplicate series
        "a 1\n# TYPE a gauge\n",                                 // TYPE after samples
        "a 1\nb 1\na{x=\"1\"} 1\n",                               // family split
        "# TYPE c counter\nc -1\n",                              // negative counter
        "# TYPE h histogram\nh_bucket{le=\"1\"} 1\nh_sum 1\nh_count 1\n", // no +Inf bucket
        "# TYPE h histogram\nh_bucket{le=\"1\"} 2\nh_bucket{le=\"+Inf\"} 1\nh_sum 1\nh_count 1\n",
    ]) {
        assert.throws(() => parsePrometheusText(bad), Error, JSON.stringify(bad));
    }
});

test("a fresh server has every socket's series at zero, typed", async () => {
    const families = await scrape();
    assert.equal(families.get("rain_connections_open").type, "gauge");
    assert.equal(families.get("rain_connections_opened_total").type, "counter");
    assert.equal(families.get("rain_idle_disconnects_total").type, "counter");
    for (const labels of [DUMMY_LABELS, FAREWELL_LABELS, { module_id: "chat-1.0", socket: "room" }]) {
        assert.equal(sample(families, "rain_connections_open", labels), 0, JSON.stringify(labels));
        assert.equal(sample(families, "rain_connections_closed_total", labels), 0);
    }
});

test("connect, events and disconnect move the gauge, the counters and the durations", async () => {
    const client = connect(DUMMY, { transports: ["websocket"] });
    await next(client, "connect");
    let families = await scrape();
    assert.equal(sample(families, "rain_connections_open", DUMMY_LABELS), 1);
    assert.equal(sample(families, "rain_connections_opened_total", DUMMY_LABELS), 1);

    for (let i = 0; i < 3; i++) {
        const bye = next(client, "bye");
        client.emit("hello", { ignored: true });
        assert.deepEqual(await bye, { message: "Hello sir" });
    }
    const me = await client.timeout(5_000).emitWithAck("whoami", null);
    assert.equal(me.namespace, DUMMY);

    families = await scrape();
    const hello = { ...DUMMY_LABELS, event: "hello" };
    const whoami = { ...DUMMY_LABELS, event: "whoami" };
    assert.equal(families.get("rain_events_received_total").type, "counter");
    assert.equal(sample(families, "rain_events_received_total", hello), 3);
    assert.equal(sample(families, "rain_events_received_total", whoami), 1);
    assert.equal(sample(families, "rain_events_emitted_total", { ...DUMMY_LABELS, event: "bye" }), 3);
    const durations = families.get("rain_handler_duration_seconds");
    assert.equal(durations.type, "histogram");
    assert.equal(sample(families, "rain_handler_duration_seconds_count", hello), 3);
    assert.equal(sample(families, "rain_handler_duration_seconds_count", whoami), 1);
    assert.ok(sample(families, "rain_handler_duration_seconds_sum", hello) > 0);
    assert.equal(sample(families, "rain_handler_duration_seconds_bucket", { ...hello, le: "+Inf" }), 3);

    client.disconnect();
    families = await scrapeUntil(
        (f) => sample(f, "rain_connections_open", DUMMY_LABELS) === 0,
        "the gauge back to 0",
    );
    assert.equal(sample(families, "rain_connections_closed_total", DUMMY_LABELS), 1);
    assert.equal(sample(families, "rain_connections_opened_total", DUMMY_LABELS), 1);
});

test("polling clients are counted too", async () => {
    const before = await scrape();
    const opened = sample(before, "rain_connections_opened_total", DUMMY_LABELS);
    const client = connect(DUMMY, { transports: ["polling"] });
    await next(client, "connect");
    const families = await scrape();
    assert.equal(sample(families, "rain_connections_open", DUMMY_LABELS), 1);
    assert.equal(sample(families, "rain_connections_opened_total", DUMMY_LABELS), opened + 1);
    client.disconnect();
    await scrapeUntil((f) => sample(f, "rain_connections_open", DUMMY_LABELS) === 0, "the gauge back to 0");
});

test("a handler's own disconnect handler still runs, and the close is counted", async () => {
    const stays = connect(FAREWELL);
    const leaves = connect(FAREWELL);
    await Promise.all([next(stays, "connect"), next(leaves, "connect")]);
    assert.equal(sample(await scrape(), "rain_connections_open", FAREWELL_LABELS), 2);

    const left = next(stays, "left");
    const id = leaves.id;
    leaves.disconnect();
    // The socket id on the server is the client's id in its namespace.
    assert.equal(await left, id);
    const families = await scrapeUntil(
        (f) => sample(f, "rain_connections_open", FAREWELL_LABELS) === 1,
        "the gauge down to 1",
    );
    assert.equal(sample(families, "rain_connections_closed_total", FAREWELL_LABELS), 1);

    stays.disconnect();
    await scrapeUntil((f) => sample(f, "rain_connections_open", FAREWELL_LABELS) === 0, "the gauge back to 0");
});

test("a connection cut without a goodbye is counted as closed", async () => {
    const client = connect(DUMMY, { transports: ["websocket"] });
    await next(client, "connect");
    const before = await scrape();
    assert.equal(sample(before, "rain_connections_open", DUMMY_LABELS), 1);
    const closed = sample(before, "rain_connections_closed_total", DUMMY_LABELS);
    // Close the transport under the socket: no Socket.IO disconnect packet is sent.
    client.io.engine.close();
    await scrapeUntil(
        (f) => sample(f, "rain_connections_open", DUMMY_LABELS) === 0
            && sample(f, "rain_connections_closed_total", DUMMY_LABELS) === closed + 1,
        "the gauge back to 0 and the close counted",
    );
});
