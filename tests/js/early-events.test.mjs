// Events a client sends the moment it connects, while the socket's connect handler is still
// running (it sleeps 100 ms before registering `second`): held, then handled in the order they
// arrived, with their acks; a bounded number of them; and an event no handler takes is ignored.
import { test } from "node:test";
import assert from "node:assert/strict";
import { io } from "socket.io-client";
import { next, stoppedAfterAll } from "./support/server.mjs";
import { parsePrometheusText, sample } from "./support/prometheus.mjs";

const LATE = "/early-1.0/late handlers";
const TEST_TIMEOUT = { timeout: 60_000 };
const { clients, start } = stoppedAfterAll();

function connect(server, options = {}, namespace = LATE) {
    const client = io(server.url + namespace, { forceNew: true, reconnection: false, ...options });
    clients.push(client);
    return client;
}

/** Emits `count` events alternating `second` and `first`, numbered from `from`, with acks. */
function emitMany(client, from, count) {
    const acks = [];
    for (let i = from; i < from + count; i++) {
        const event = i % 2 === 0 ? "second" : "first";
        acks.push(client.timeout(10_000).emitWithAck(event, i).then((ack) => ({ event, i, ack })));
    }
    return acks;
}

/** Every ack carries its own event and payload, and the events were handled in emit order. */
function assertInOrder(results) {
    let lastSeq = -1;
    for (const { event, i, ack } of results) {
        assert.equal(ack.event, event, JSON.stringify(ack));
        assert.equal(ack.data, i, JSON.stringify(ack));
        assert.ok(ack.seq > lastSeq, `event ${i} handled out of order: ${JSON.stringify(results.map((r) => r.ack))}`);
        lastSeq = ack.seq;
    }
}

for (const transports of [["websocket"], ["polling"]]) {
    test(`events emitted before and right after connect wait for the handlers registered after an await (${transports})`, TEST_TIMEOUT, async () => {
        const server = await start();
        const client = connect(server, { transports });
        // Emitted before connecting: the client sends them the moment CONNECT is acknowledged.
        const before = emitMany(client, 0, 10);
        await next(client, "connect");
        const right = emitMany(client, 10, 10);
        const results = await Promise.all([...before, ...right]);
        assertInOrder(results);
        assert.equal(results[0].ack.seq, 0);
        // Once the handler is done, events go straight to their handlers, still in order.
        const later = await Promise.all(emitMany(client, 20, 4));
        assertInOrder([...results, ...later]);
        // Each went through the pipeline once: counted once.
        const families = parsePrometheusText(await (await fetch(`${server.url}/rain/metrics`)).text());
        const labels = { module_id: "early-1.0", socket: "late handlers" };
        assert.equal(sample(families, "rain_events_received_total", { ...labels, event: "first" }), 12);
        assert.equal(sample(families, "rain_events_received_total", { ...labels, event: "second" }), 12);
    });
}

test("a connect handler that panics after registering still gets its held events handled", TEST_TIMEOUT, async () => {
    const server = await start();
    const client = connect(server, { transports: ["websocket"] }, "/early-1.0/late panic");
    const acks = [];
    for (let i = 0; i < 5; i++) {
        acks.push(client.timeout(10_000).emitWithAck("first", i).then((ack) => ({ event: "first", i, ack })));
    }
    await next(client, "connect");
    assertInOrder(await Promise.all(acks));
    assert.match(server.output(), /panicked while connecting a socket/);
});

test("a connect handler that serves its socket in a loop holds events only for a while", TEST_TIMEOUT, async () => {
    const server = await start();
    const client = connect(server, { transports: ["websocket"] }, "/early-1.0/serves in a loop");
    const held = client.timeout(20_000).emitWithAck("first", 0);
    await next(client, "connect");
    assert.deepEqual(await held, { seq: 0, event: "first", data: 0 });
    // The hold is over: the next event goes straight to its handler.
    assert.deepEqual(await client.timeout(5_000).emitWithAck("first", 1), { seq: 1, event: "first", data: 1 });
});

test("past the burst limit, events sent while the socket connects are refused with an error ack", TEST_TIMEOUT, async () => {
    const server = await start({ env: { RAIN_EVENT_BURST: "6", RAIN_EVENT_RATE: "50" } });
    const client = connect(server, { transports: ["websocket"] });
    const acks = emitMany(client, 0, 9);
    await next(client, "connect");
    const results = await Promise.all(acks);
    assertInOrder(results.slice(0, 6));
    for (const { ack } of results.slice(6)) {
        assert.match(ack.error, /too many events before the socket was ready: at most 6 are held/);
    }
    // The socket stays connected and handles what comes after.
    await new Promise((resolve) => setTimeout(resolve, 300));
    assert.ok(client.connected);
    const [after] = await Promise.all(emitMany(client, 9, 1));
    assert.equal(after.ack.data, 9);
});

test("an event no handler takes is ignored, during and after connect, without disturbing other clients", TEST_TIMEOUT, async () => {
    const server = await start();
    const lonely = connect(server, { transports: ["websocket"] });
    const other = connect(server, { transports: ["websocket"] });
    const heldUnhandled = lonely.timeout(1_000).emitWithAck("nobody", "during");
    const heldHandled = emitMany(lonely, 0, 2);
    await Promise.all([next(lonely, "connect"), next(other, "connect")]);
    await assert.rejects(heldUnhandled, /operation has timed out/);
    assertInOrder(await Promise.all(heldHandled));

    await assert.rejects(lonely.timeout(500).emitWithAck("nobody", "after"), /operation has timed out/);
    const [mine, theirs] = await Promise.all([
        Promise.all(emitMany(lonely, 2, 2)),
        Promise.all(emitMany(other, 0, 2)),
    ]);
    assertInOrder(mine);
    assertInOrder(theirs);
    assert.ok(lonely.connected && other.connected);
});
