// Engine settings on a real Rain server: the heartbeat in the handshake and enforced both ways,
// transports, the Engine.IO path (official client, Rain's runtime, the page), refused values, and
// TCP_NODELAY on accepted connections.
import { test } from "node:test";
import assert from "node:assert/strict";
import { io } from "socket.io-client";
import { binary, next, startServer, stoppedAfterAll } from "./support/server.mjs";
import { startProxy } from "./support/proxy.mjs";
import { runtimeModule } from "./support/runtime.mjs";

const { Manager } = await runtimeModule("socket.js");

const { start, clients } = stoppedAfterAll();
const FAST = { RAIN_PING_INTERVAL: "300", RAIN_PING_TIMEOUT: "200" };
const WHOAMI = "/accounts-1.0/whoami";

/** The Engine.IO handshake of a long-polling open at `path`. */
async function handshake(url, path = "/socket.io/") {
    const response = await fetch(`${url}${path}?EIO=4&transport=polling`);
    const text = await response.text();
    return { status: response.status, text, open: text.startsWith("0") ? JSON.parse(text.slice(1)) : null };
}

test("the handshake carries the configured ping interval and timeout", async () => {
    const server = await start({ env: FAST });
    const { open } = await handshake(server.url);
    assert.equal(open.pingInterval, 300);
    assert.equal(open.pingTimeout, 200);
    assert.equal(open.maxPayload, 128 * 1024);
    assert.deepEqual(open.upgrades, ["websocket"]);
    const defaults = await start();
    const { open: socketIo } = await handshake(defaults.url);
    assert.equal(socketIo.pingInterval, 25_000, "Socket.IO's default");
    assert.equal(socketIo.pingTimeout, 20_000, "Socket.IO's default");
});

test("a client that stops answering pings is dropped at interval + timeout; one that answers stays", async () => {
    const server = await start({ env: FAST });
    // A bare Engine.IO client that answers the first ping, then stops answering.
    const silent = new WebSocket(`${server.url.replace("http", "ws")}/socket.io/?EIO=4&transport=websocket`);
    const pings = [];
    silent.addEventListener("message", ({ data }) => {
        if (data !== "2") return;
        pings.push(Date.now());
        if (pings.length === 1) silent.send("3");
    });
    const closedAt = await new Promise((resolve) => silent.addEventListener("close", () => resolve(Date.now())));
    assert.equal(pings.length, 2, "the second ping goes unanswered");
    const lived = closedAt - pings[0];
    assert.ok(lived >= 480, `closed ${lived} ms after the answered ping, before interval + timeout (500 ms)`);
    assert.ok(lived < 1_500, `closed ${lived} ms after the answered ping, long after interval + timeout`);

    // The official client answers, and outlives several intervals.
    const answering = io(server.url + WHOAMI, { transports: ["websocket"], forceNew: true, reconnection: false });
    clients.push(answering);
    await next(answering, "connect");
    let dropped = null;
    answering.on("disconnect", (reason) => { dropped = reason; });
    await new Promise((resolve) => setTimeout(resolve, 1_500));
    assert.equal(dropped, null, "connected through five ping intervals");
    assert.equal(answering.connected, true);
});

test("Rain's runtime closes a connection whose server went silent, and reconnects", async () => {
    const server = await start({ env: FAST });
    const proxy = await startProxy(server.port);
    const manager = new Manager(proxy.url, {
        transports: ["websocket"],
        reconnectionDelay: 50,
        reconnectionDelayMax: 100,
    });
    const socket = manager.socket(WHOAMI).connect();
    try {
        await next(socket, "connect");
        proxy.freeze();
        const frozenAt = Date.now();
        const reason = await next(socket, "disconnect", 3_000);
        const after = Date.now() - frozenAt;
        assert.equal(reason, "ping timeout");
        // The runtime counts from the last ping it saw, which came at most one interval earlier.
        assert.ok(after < 1_500, `noticed after ${after} ms (interval + timeout = 500 ms)`);
    } finally {
        await proxy.close();
        socket.disconnect();
        manager.engine?.close();
    }
});

test("the connect timeout closes a session that joins no namespace, and gives its place back", async () => {
    const server = await start({ env: { RAIN_CONNECT_TIMEOUT: "300", RAIN_MAX_CONNECTIONS: "1" } });
    const first = await handshake(server.url);
    assert.equal(first.status, 200);
    assert.equal((await handshake(server.url)).status, 503, "the one place is taken");
    const openedAt = Date.now();
    // Polling (and answering pings) until the server closes the session.
    const packets = [];
    for (let round = 0; round < 20 && !packets.includes("1"); round += 1) {
        const poll = await fetch(`${server.url}/socket.io/?EIO=4&transport=polling&sid=${first.open.sid}`);
        if (poll.status !== 200) break;
        const received = (await poll.text()).split("\x1e");
        packets.push(...received);
        if (received.includes("2")) {
            await fetch(`${server.url}/socket.io/?EIO=4&transport=polling&sid=${first.open.sid}`, { method: "POST", body: "3" });
        }
    }
    assert.ok(packets.includes("1"), `a close packet: ${JSON.stringify(packets)}`);
    const closedAfter = Date.now() - openedAt;
    assert.ok(closedAfter < 1_500, `closed after ${closedAfter} ms (connect timeout 300 ms)`);
    // The place is given back as the closed session is dropped, just after its last answer.
    let status = 503;
    for (let waited = 0; status === 503 && waited < 2_000; waited += 25) {
        await new Promise((resolve) => setTimeout(resolve, 25));
        status = (await handshake(server.url)).status;
    }
    assert.equal(status, 200, "the place is free again");
});

test("a WebSocket-only server refuses long-polling; the page tells the runtime", async () => {
    const server = await start({ env: { RAIN_TRANSPORTS: "websocket" } });
    const { status } = await handshake(server.url);
    assert.equal(status, 400, "no long-polling handshake");
    const client = io(server.url + WHOAMI, { transports: ["websocket"], forceNew: true, reconnection: false });
    clients.push(client);
    await next(client, "connect");
    const page = await (await fetch(server.url + "/")).text();
    assert.match(page, /id="rain-sockets" data-engine-path="\/socket.io\/" data-transports="websocket"/);
});

test("a changed Engine.IO path: served there and only there, to the official client and Rain's runtime", async () => {
    const server = await start({ env: { RAIN_ENGINE_PATH: "/live/" } });
    assert.equal((await handshake(server.url, "/live/")).status, 200);
    assert.equal((await handshake(server.url, "/socket.io/")).status, 404);
    for (const transports of [["websocket"], ["polling"]]) {
        const official = io(server.url + WHOAMI, { path: "/live/", transports, forceNew: true, reconnection: false });
        clients.push(official);
        const session = next(official, "session");
        await next(official, "connect");
        assert.ok(await session, `session over ${transports}`);
    }
    const page = await (await fetch(server.url + "/")).text();
    assert.match(page, /data-engine-path="\/live\/" data-transports="websocket,polling"/);
    const { Messaging, readEngineOptions } = await runtimeModule("messaging.js");
    const script = { dataset: { enginePath: "/live/", transports: "websocket,polling" }, textContent: "" };
    const engine = readEngineOptions({ getElementById: () => script });
    assert.deepEqual(engine, { path: "/live/", transports: ["websocket", "polling"] });
    const messaging = new Messaging({
        url: server.url,
        manifest: [{ moduleId: "accounts-1.0", name: "whoami", namespace: WHOAMI }],
        engine,
        reconnection: false,
    });
    const runtime = messaging.getWebSocket("accounts-1.0", "whoami");
    try {
        const session = next(runtime, "session");
        await next(runtime, "connect");
        assert.ok(await session);
    } finally {
        runtime.disconnect();
        runtime.io.engine?.close();
    }
});

test("a setting that cannot be used stops the server at start, naming the variable and the reason", async () => {
    const cases = [
        [{ RAIN_PING_INTERVAL: "0" }, "RAIN_PING_INTERVAL: must be above 0 ms: the server would ping without pause"],
        [{ RAIN_PING_TIMEOUT: "20s" }, "RAIN_PING_TIMEOUT=`20s` is not a whole number of milliseconds"],
        [{ RAIN_TRANSPORTS: "flash" }, "RAIN_TRANSPORTS=`flash` is not `websocket`, `polling` or `websocket,polling`"],
        [{ RAIN_ENGINE_PATH: "/rain" }, "RAIN_ENGINE_PATH: `/rain` is where Rain serves its runtime and introspection"],
    ];
    for (const [env, message] of cases) {
        await assert.rejects(startServer(binary("rain-test-server"), { env }), (error) => {
            assert.match(error.message, /server exited \(1\) before listening/);
            assert.ok(error.message.includes(message), error.message);
            return true;
        });
    }
});

test("TCP_NODELAY: a CONNECT answer and the connect handler's first emit arrive together", async () => {
    const server = await start();
    const manager = io(server.url, { transports: ["websocket"], forceNew: true, reconnection: false }).io;
    const gaps = [];
    for (let round = 0; round < 30; round += 1) {
        const socket = manager.socket(WHOAMI);
        let connectedAt = 0;
        socket.on("connect", () => { connectedAt = performance.now(); });
        const session = new Promise((resolve) => socket.once("session", () => resolve(performance.now())));
        socket.connect();
        gaps.push((await session) - connectedAt);
        socket.disconnect();
    }
    manager.engine.close();
    // Without TCP_NODELAY, a second small write waits for the client's delayed ACK: ~40 ms.
    assert.ok(Math.max(...gaps) < 20, `gaps between CONNECT and the first event: ${gaps.map((g) => g.toFixed(1))}`);
});
