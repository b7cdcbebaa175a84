// The event pipeline, seen by the official socket.io-client: return values as acks, connect and
// event guards, the per-socket rate limit, the idle timeout, and panicking handlers.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { io } from "socket.io-client";
import { binary, startServer, next } from "./support/server.mjs";

const ACKS = "/pipeline-1.0/acks";
const GUARDED = "/pipeline-1.0/guarded";
// A burst of 5 events, then 1 a second; idle sockets are disconnected after 1 s.
const LIMITS = { RAIN_EVENT_RATE: "1", RAIN_EVENT_BURST: "5", RAIN_IDLE_TIMEOUT: "1" };
// Rain's refusals and disconnections are logged at `info`.
const LOG = { RUST_LOG: "warn,rain_core=info" };

let server;
let limited;
const clients = [];

before(async () => {
    [server, limited] = await Promise.all([
        startServer(binary("rain-test-server"), { env: LOG }),
        startServer(binary("rain-test-server"), { env: { ...LOG, ...LIMITS } }),
    ]);
});

after(async () => {
    for (const client of clients) client.disconnect();
    await Promise.all([server?.stop(), limited?.stop()]);
});

/** A server's log so far, without colours. */
function log(which) {
    return which.output().replace(/\x1b\[[0-9;]*m/g, "");
}

function connect(namespace, { on = server, ...options } = {}) {
    const client = io(on.url + namespace, {
        forceNew: true,
        reconnection: false,
        transports: ["websocket"],
        ...options,
    });
    clients.push(client);
    return client;
}

async function connected(namespace, options) {
    const client = connect(namespace, options);
    await next(client, "connect");
    return client;
}

/** Resolves with the ack, or with `"no ack"` when none comes within `ms`. */
async function ackOrNone(client, event, payload, ms = 500) {
    try {
        return await client.timeout(ms).emitWithAck(event, payload);
    } catch {
        return "no ack";
    }
}

test("a handler's return value is the ack: a value, Ok, Err, and () for none", async () => {
    const client = await connected(ACKS);
    assert.deepEqual(await client.emitWithAck("value", { n: 1 }), { echo: { n: 1 } });
    assert.equal(await client.emitWithAck("divide", 7, 2), 3);
    assert.deepEqual(await client.emitWithAck("divide", 7, 0), { error: "cannot divide by zero" });
    assert.equal(await ackOrNone(client, "nothing", null), "no ack");
    assert.equal(await client.emitWithAck("by hand", null), "acked by hand");
});

test("a payload that does not deserialize is refused with an error ack", async () => {
    const client = await connected(ACKS);
    const ack = await client.emitWithAck("divide", "seven");
    assert.match(ack.error, /^`divide` payload refused: /);
    assert.equal(await client.emitWithAck("divide", 9, 3), 3, "the socket stays usable");
});

test("a connect guard's refusal is the connect_error message", async () => {
    const anonymous = connect(GUARDED);
    assert.equal((await next(anonymous, "connect_error")).message, "a token is required");
    assert.equal(anonymous.connected, false);

    const banned = connect(GUARDED, { query: { token: "letmein", user: "mallory" } });
    assert.equal((await next(banned, "connect_error")).message, "mallory is banned");

    // The guards run in the order written: the first refusal is the one the client sees.
    const both = connect(GUARDED, { query: { user: "mallory" } });
    assert.equal((await next(both, "connect_error")).message, "a token is required");

    const welcome = await connected(GUARDED, { query: { token: "letmein", user: "alice" } });
    assert.deepEqual(await welcome.emitWithAck("whisper", "hi"), { heard: "hi" });
});

test("an event guard refuses the event, with an ack when asked, and the socket stays up", async () => {
    const client = await connected(GUARDED, { query: { token: "letmein" } });
    assert.deepEqual(await client.emitWithAck("SHOUT", null), { error: "no shouting" });
    client.emit("SHOUT", null); // without an ack: refused silently
    assert.deepEqual(await client.emitWithAck("whisper", "still here"), { heard: "still here" });
    assert.ok(client.connected);
    assert.match(log(server), /event refused by a guard/);
});

test("a guard that panics refuses the event as an internal error; the socket stays up", async () => {
    const client = await connected(GUARDED, { query: { token: "letmein" } });
    assert.deepEqual(await client.emitWithAck("boom", null), { error: "internal error" });
    assert.deepEqual(await client.emitWithAck("whisper", "after"), { heard: "after" });
    assert.ok(client.connected);
    assert.match(log(server), /ERROR.*guard panicked.*event="boom"/);
});

test("a panicking handler acks an internal error, is logged with context, and others go on", async () => {
    const client = await connected(ACKS);
    const bystander = await connected(ACKS);
    assert.deepEqual(await client.emitWithAck("maybe panic", true), { error: "internal error" });
    assert.equal(await client.emitWithAck("maybe panic", false), "calm");
    assert.equal(await bystander.emitWithAck("maybe panic", false), "calm");
    assert.ok(client.connected);
    const line = log(server).split("\n").find((l) => l.includes("event handler panicked"));
    assert.match(line, /ERROR/);
    assert.match(line, /module=pipeline-1\.0/);
    assert.match(line, /socket=acks/);
    assert.match(line, /event="maybe panic"/);
    assert.match(line, /this event handler panics on purpose/);
});

test("the rate limit refuses a flood beyond the burst, logs once, and spares other sockets", async () => {
    const flooder = await connected(ACKS, { on: limited });
    const started = Date.now();
    const acks = await Promise.all(Array.from({ length: 20 }, () => flooder.emitWithAck("count", null)));
    const seconds = (Date.now() - started) / 1000;
    const allowed = acks.filter((ack) => ack === 1).length;
    const refused = acks.filter((ack) => typeof ack?.error === "string");
    assert.equal(allowed + refused.length, 20, `every event is acked: ${JSON.stringify(acks)}`);
    // The burst, plus what the rate (1 a second) refilled while the flood was sent.
    assert.ok(allowed >= 5 && allowed <= 5 + Math.ceil(seconds), `${allowed} allowed in ${seconds} s`);
    assert.match(refused[0].error, /^rate limit: /);
    assert.ok(flooder.connected, "a flooding socket stays connected");

    const other = await connected(ACKS, { on: limited });
    assert.equal(await other.emitWithAck("count", null), 1, "another socket has its own bucket");
    const warnings = log(limited).match(/event rate limit reached/g) ?? [];
    assert.equal(warnings.length, 1, "one warning for the whole burst");
});

test("an idle socket is disconnected; one that sends events is not", async () => {
    const idle = await connected(ACKS, { on: limited });
    const busy = await connected(ACKS, { on: limited });
    const keepBusy = setInterval(() => busy.emit("count"), 300);
    try {
        const [reason] = await next(idle, "disconnect", 5_000);
        assert.equal(reason, "io server disconnect");
        assert.ok(busy.connected, "a socket sending events stays connected");
    } finally {
        clearInterval(keepBusy);
    }
    assert.match(log(limited), /idle: disconnecting/);
});

test("the idle watch starts again for sockets that come after every earlier one left", async () => {
    // One watch serves every socket of a `#[websocket]` and stops when none is left to watch.
    const first = await connected(ACKS, { on: limited });
    assert.equal((await next(first, "disconnect", 5_000))[0], "io server disconnect");
    await new Promise((resolve) => setTimeout(resolve, 500));
    const later = await connected(ACKS, { on: limited });
    const connectedAt = Date.now();
    assert.equal((await next(later, "disconnect", 5_000))[0], "io server disconnect");
    const after = Date.now() - connectedAt;
    assert.ok(after >= 900, `disconnected ${after} ms after connecting, before the idle timeout`);
});
