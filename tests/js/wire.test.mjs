// The official socket.io-client against the Rain test server: every transport, namespaces with
// spaces, unknown namespaces, acks both ways, and handler panics that stay with their socket.
import { test } from "node:test";
import assert from "node:assert/strict";
import http from "node:http";
import { io } from "socket.io-client";
import { binary, next, sharedServer, startServer } from "./support/server.mjs";

const DUMMY = "/intents-example-1.0/chat/dummy socket";
const shared = sharedServer();
const { clients, connect } = shared;

async function helloBye(client) {
    const bye = next(client, "bye");
    client.emit("hello", { ignored: true });
    assert.deepEqual(await bye, { message: "Hello sir" });
}

test("websocket only: hello on a namespace with a space gets bye", async () => {
    const client = connect(DUMMY, { transports: ["websocket"] });
    await next(client, "connect");
    assert.equal(client.io.engine.transport.name, "websocket");
    await helloBye(client);
});

test("polling only: hello gets bye", async () => {
    const client = connect(DUMMY, { transports: ["polling"] });
    await next(client, "connect");
    assert.equal(client.io.engine.transport.name, "polling");
    await helloBye(client);
});

test("polling then upgrade to websocket: hello gets bye on both", async () => {
    const client = connect(DUMMY, { transports: ["polling", "websocket"] });
    await next(client, "connect");
    await helloBye(client);
    if (client.io.engine.transport.name !== "websocket") await next(client.io.engine, "upgrade");
    assert.equal(client.io.engine.transport.name, "websocket");
    await helloBye(client);
});

test("an unknown namespace gets connect_error", async () => {
    const client = connect("/intents-example-1.0/no such socket");
    const error = await next(client, "connect_error");
    assert.equal(error.message, "Invalid namespace");
    assert.equal(client.connected, false);
});

test("a socket of another component is unknown under this module id", async () => {
    const client = connect("/intents-example-1.0/room");
    const error = await next(client, "connect_error");
    assert.equal(error.message, "Invalid namespace");
});

test("the chat room re-emits a message to everyone, the sender included", async () => {
    const alice = connect("/chat-1.0/room");
    const bob = connect("/chat-1.0/room");
    await Promise.all([next(alice, "connect"), next(bob, "connect")]);
    const atAlice = next(alice, "message");
    const atBob = next(bob, "message");
    alice.emit("message", { text: "hi all" });
    assert.deepEqual(await atAlice, { text: "hi all" });
    assert.deepEqual(await atBob, { text: "hi all" });
});

test("client acks and server acks round trip", async () => {
    const client = connect("/echo-1.0/echo");
    await next(client, "connect");
    const echoed = await client.timeout(5_000).emitWithAck("echo", { n: 1, s: "é ✓" });
    assert.deepEqual(echoed, { n: 1, s: "é ✓" });
    client.on("question", (question, ack) => ack(`answer to ${question}`));
    const answered = next(client, "answered");
    client.emit("ask", "life");
    assert.deepEqual(await answered, { answer: "answer to life" });
});

test("presence on one node: the snapshot, then joins and leaves, only to clients that asked", async () => {
    const watcher = connect("/chat-1.0/room", { transports: ["websocket"] });
    const quiet = connect("/chat-1.0/room", { transports: ["websocket"] });
    await Promise.all([next(watcher, "connect"), next(quiet, "connect")]);
    const heardByQuiet = [];
    quiet.on("rain:presence", (change) => heardByQuiet.push(change));
    const snapshot = await watcher.timeout(5_000).emitWithAck("rain:presence");
    assert.deepEqual(snapshot.me, { id: watcher.id, kind: "socket" });
    for (const id of [watcher.id, quiet.id]) {
        assert.ok(snapshot.members.some((m) => m.id === id && m.kind === "socket"), JSON.stringify(snapshot));
    }
    const guest = connect("/chat-1.0/room", { transports: ["websocket"] });
    const joined = next(watcher, "rain:presence");
    await next(guest, "connect");
    assert.deepEqual(await joined, { joined: { id: guest.id, kind: "socket" } });
    const guestId = guest.id;
    const left = next(watcher, "rain:presence");
    guest.disconnect();
    assert.deepEqual(await left, { left: { id: guestId, kind: "socket" } });
    const after = await watcher.timeout(5_000).emitWithAck("rain:presence");
    assert.ok(!after.members.some((m) => m.id === guestId), JSON.stringify(after));
    assert.deepEqual(heardByQuiet, [], "a client that never asked hears nothing");
});

test("a socket declared outside its component's module is served under that component", async () => {
    const client = connect("/echo-1.0/elsewhere/greeter");
    assert.equal(await next(client, "greeting"), "declared outside its component");
});

test("several namespaces share one connection", async () => {
    const dummy = connect(DUMMY, { transports: ["websocket"] });
    const room = dummy.io.socket("/chat-1.0/room");
    clients.push(room);
    room.connect();
    await Promise.all([next(dummy, "connect"), next(room, "connect")]);
    assert.equal(room.io, dummy.io);
    const message = next(room, "message");
    room.emit("message", { text: "multiplexed" });
    await helloBye(dummy);
    assert.deepEqual(await message, { text: "multiplexed" });
});

test("a panicking handler does not take the server or other clients down", async () => {
    const bystander = connect(DUMMY, { transports: ["websocket"] });
    await next(bystander, "connect");
    await helloBye(bystander);

    const faulty = connect("/faults-1.0/panics", { transports: ["websocket"] });
    await next(faulty, "connect");
    for (let i = 0; i < 20; i++) faulty.emit("panic");
    const onConnect = connect("/faults-1.0/panics on connect", { transports: ["websocket"] });
    // The connect handler panicked after the connection was accepted; nothing else happens.
    await new Promise((resolve) => setTimeout(resolve, 300));

    for (let i = 0; i < 5; i++) await helloBye(bystander);
    const late = connect(DUMMY, { transports: ["polling"] });
    await next(late, "connect");
    await helloBye(late);
    assert.ok(faulty.connected, "the panicking socket's connection is still open");
    assert.match(shared.server.output(), /panics on purpose/);
    onConnect.disconnect();
});

function rawGet(path) {
    // node:http sends the path exactly as given: no `..` normalisation, as an attacker would.
    return new Promise((resolve, reject) => {
        const request = http.request({ host: "127.0.0.1", port: shared.server.port, path, method: "GET" }, (res) => {
            let body = "";
            res.on("data", (chunk) => { body += chunk; });
            res.on("end", () => resolve({ status: res.statusCode, body }));
        });
        request.on("error", reject);
        request.end();
    });
}

test("paths that climb out of a component folder get 404", async () => {
    for (const path of [
        "/intents-example-1.0/../Cargo.toml",
        "/intents-example-1.0/../../Cargo.toml",
        "/intents-example-1.0/%2e%2e/Cargo.toml",
        "/intents-example-1.0/client/%2e%2e/%2e%2e/Cargo.toml",
        "/chat-1.0/..%2f..%2fCargo.toml",
        "/rain/../Cargo.toml",
        "/../Cargo.toml",
    ]) {
        const { status, body } = await rawGet(path);
        assert.equal(status, 404, `${path}: ${body.slice(0, 80)}`);
        assert.doesNotMatch(body, /\[package\]|\[workspace\]/);
    }
    assert.equal((await rawGet("/intents-example-1.0/client/index.js")).status, 200);
});

/** Opens a raw Engine.IO WebSocket and resolves once the server's handshake arrived. */
async function rawSocket() {
    const ws = new WebSocket(`ws://127.0.0.1:${shared.server.port}/socket.io/?EIO=4&transport=websocket`);
    const messages = [];
    const closed = new Promise((resolve) => ws.addEventListener("close", (event) => resolve(event.code)));
    ws.addEventListener("message", (event) => messages.push(event.data));
    await new Promise((resolve, reject) => {
        ws.addEventListener("open", resolve, { once: true });
        ws.addEventListener("error", reject, { once: true });
    });
    while (!messages.length) await new Promise((resolve) => setTimeout(resolve, 10));
    assert.match(messages[0], /^0\{"sid":/);
    return { ws, messages, closed };
}

test("malformed and oversized packets close only the sender's connection", async () => {
    const bystander = connect(DUMMY, { transports: ["websocket"] });
    await next(bystander, "connect");
    const garbage = [
        "", "x", "4", "42", "42[", "42/nowhere,[\"hello\"]", "4{}", "99999", "40/intents-example-1.0,",
        `42${DUMMY},["hello"`, `42${DUMMY},{"not":"an array"}`, "\u0000\u0001\u0002", "4-1[]",
        `45${DUMMY},`, `451-${DUMMY},["x",{"_placeholder":true,"num":0}]`,
    ];
    for (const frame of garbage) {
        const raw = await rawSocket();
        raw.ws.send(frame);
        raw.ws.send(`40${DUMMY},`);
        // Whatever the server makes of the frame, it must stay up for everyone else.
        await helloBye(bystander);
        raw.ws.close();
        await raw.closed;
    }
    const big = await rawSocket();
    big.ws.send(`42${DUMMY},["hello","${"x".repeat(2_000_000)}"]`);
    assert.notEqual(await big.closed, 1000, "an oversized frame closes the connection");
    await helloBye(bystander);
});

test("Ctrl-C stops the server cleanly while clients are connected", async () => {
    const own = await startServer(binary("intents-example"));
    const ws = io(own.url + DUMMY, { forceNew: true, reconnection: false, transports: ["websocket"] });
    const polling = io(own.url + DUMMY, { forceNew: true, reconnection: false, transports: ["polling"] });
    await Promise.all([next(ws, "connect"), next(polling, "connect")]);
    const disconnected = Promise.all([next(ws, "disconnect"), next(polling, "disconnect", 10_000)]);
    const started = Date.now();
    const { code, signal } = await own.stop();
    assert.deepEqual({ code, signal }, { code: 0, signal: null });
    assert.ok(Date.now() - started < 5_000, "a long-polling request does not hold the shutdown");
    await disconnected;
});
