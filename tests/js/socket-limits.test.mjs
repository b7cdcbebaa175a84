// Limits a socket sets on its own `#[websocket]` (`event_rate`, `event_burst`, `idle_timeout`),
// over the app's, seen by the official socket.io-client, and shown at `/rain/sockets` and `/rain`.
//
// The server runs with an app-wide rate of 1 event a second (`RAIN_EVENT_RATE=1`; the burst keeps
// its default of 100) and an idle timeout of 3 s. A token bucket refills at its rate, so at 1 a
// second the counts are exact: the one event sent past a burst is allowed only if the server took
// a whole second to read the burst before it, which a burst of a hundred small events on one
// local WebSocket never comes near. The sockets of `limits-1.0` are in `tests/src/own_limits.rs`.
//
// Each flood is at most 125 events, on a connection of its own: its acks all fit in the server's
// send buffer (128 packets a connection), which an ack past it would not wait for.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { io } from "socket.io-client";
import { binary, startServer, next } from "./support/server.mjs";

const NS = "/limits-1.0";
const ENV = { RAIN_EVENT_RATE: "1", RAIN_IDLE_TIMEOUT: "3" };

let server;
const clients = [];

before(async () => {
    server = await startServer(binary("rain-test-server"), { env: ENV });
});

after(async () => {
    for (const client of clients) client.disconnect();
    await server?.stop();
});

async function connected(socket) {
    const client = io(`${server.url}${NS}/${socket}`, {
        forceNew: true,
        reconnection: false,
        transports: ["websocket"],
    });
    clients.push(client);
    await next(client, "connect");
    return client;
}

/** Sends `count` acked events at once; resolves with the acks, in the order sent. */
function flood(client, count) {
    return Promise.all(Array.from({ length: count }, () => client.emitWithAck("count", null)));
}

/** Asserts that the first `allowed` acks are the handler's and every later one a refusal. */
function assertBurst(acks, allowed, which) {
    const handled = acks.filter((ack) => ack === 1).length;
    assert.equal(handled, allowed, `${which}: ${handled} of ${acks.length} handled`);
    assert.ok(acks.slice(0, allowed).every((ack) => ack === 1), `${which}: the burst comes first`);
    for (const ack of acks.slice(allowed)) assert.match(ack.error, /^rate limit: /, which);
}

test("a socket's own burst takes 120 events at once and refuses the 121st; the app's refuses the 101st", async () => {
    const [own, plain] = await Promise.all([connected("burst"), connected("plain")]);
    const [ownAcks, plainAcks] = await Promise.all([flood(own, 121), flood(plain, 101)]);
    assertBurst(ownAcks, 120, "event_burst = 120");
    assertBurst(plainAcks, 100, "the app's burst");
    assert.ok(own.connected && plain.connected, "a refused event leaves its socket connected");
});

test("a socket with `event_rate = 0` has no rate limit, whatever the app's", async () => {
    const client = await connected("unlimited");
    // The app's limits would refuse every event past the 100th.
    const acks = await flood(client, 125);
    assert.equal(acks.length, 125);
    assert.ok(acks.every((ack) => ack === 1), JSON.stringify(acks.filter((ack) => ack !== 1)));
});

test("a socket's own idle timeout: `500ms` goes first, `never` outlasts the app's 3 s", async () => {
    const [impatient, plain, forever] = await Promise.all(
        ["impatient", "plain", "forever"].map((socket) => connected(socket)),
    );
    const [reason] = await next(impatient, "disconnect", 2_500);
    assert.equal(reason, "io server disconnect");
    // At least 2.4 s before the app's timeout can come.
    assert.ok(plain.connected, "a socket with the app's 3 s is still connected");
    assert.equal((await next(plain, "disconnect", 6_000))[0], "io server disconnect");
    // Past the app's timeout, and past the sweep that took `plain`.
    await new Promise((resolve) => setTimeout(resolve, 500));
    assert.ok(forever.connected, "`idle_timeout = \"never\"` keeps an idle socket");
    assert.equal(await forever.emitWithAck("count", null), 1);
});

test("/rain/sockets shows each socket's limits and who set them, beside the fields it had", async () => {
    const sockets = await (await fetch(server.url + "/rain/sockets")).json();
    const limits = Object.fromEntries(
        sockets.filter((s) => s.moduleId === "limits-1.0").map((s) => [s.name, s.limits]),
    );
    const app = (value) => ({ value, from: "app" });
    const own = (value) => ({ value, from: "socket" });
    assert.deepEqual(limits, {
        burst: { eventRate: own(1), eventBurst: own(120), idleTimeoutMs: app(3_000), recoverMs: app(null) },
        forever: { eventRate: app(1), eventBurst: app(100), idleTimeoutMs: own(null), recoverMs: app(null) },
        impatient: { eventRate: app(1), eventBurst: app(100), idleTimeoutMs: own(500), recoverMs: app(null) },
        plain: { eventRate: app(1), eventBurst: app(100), idleTimeoutMs: app(3_000), recoverMs: app(null) },
        unlimited: { eventRate: own(0), eventBurst: app(100), idleTimeoutMs: app(3_000), recoverMs: app(null) },
    });
    const burst = sockets.find((s) => s.namespace === `${NS}/burst`);
    assert.deepEqual(Object.keys(burst), ["moduleId", "name", "namespace", "handler", "location", "limits"]);
    assert.equal(burst.handler, "burst");
    assert.match(burst.location.file, /own_limits\.rs$/);
});

test("/rain shows the same limits, each marked as the socket's or the app's", async () => {
    const html = await (await fetch(server.url + "/rain")).text();
    const row = (socket) => {
        const match = new RegExp(`<tr class="socket" data-namespace="${NS}/${socket}">[\\s\\S]*?</tr>`).exec(html);
        assert.ok(match, `no row for ${socket}`);
        return match[0];
    };
    const item = (limit, from, value) =>
        `<li data-limit="${limit}" data-from="${from}">${limit} <code>${value}</code>`;
    assert.ok(row("burst").includes(item("burst", "socket", "120")), row("burst"));
    assert.ok(row("burst").includes(item("rate", "socket", "1/s")), row("burst"));
    assert.ok(row("unlimited").includes(item("rate", "socket", "no limit")), row("unlimited"));
    assert.ok(row("impatient").includes(item("idle", "socket", "500ms")), row("impatient"));
    assert.ok(row("forever").includes(item("idle", "socket", "never")), row("forever"));
    assert.ok(row("plain").includes(item("idle", "app", "3s")), row("plain"));
});
