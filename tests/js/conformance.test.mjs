// Rain's client against the official Node socket.io 4.8 server, in process, on 127.0.0.1.

import assert from "node:assert/strict";
import { createServer } from "node:http";
import { describe, test } from "node:test";

import { Server } from "socket.io";

import { runtimeModule } from "./support/runtime.mjs";

// Importing messaging.js gives every socket Rain's shutdown notice, as the runtime has it: its
// emits wait from `rain:shutdown` until it connects again.
const { Messaging } = await runtimeModule("messaging.js");
const { Manager, connect } = await runtimeModule("socket.js");

const NSP = "/intents-example-1.0/chat/dummy socket";
const FAST_RECONNECT = {
    reconnectionDelay: 20,
    reconnectionDelayMax: 100,
    randomizationFactor: 0.5,
};
const TEST_TIMEOUT = { timeout: 15_000 };

/**
 * Starts a socket.io server on 127.0.0.1 (port 0: any free one) that echoes with acks.
 * @returns {Promise<{ io: Server, url: string, port: number, close: () => Promise<void> }>}
 */
async function startServer({ port = 0, setup = () => {}, ...options } = {}) {
    const http = createServer();
    const io = new Server(http, options);
    const echo = (socket) => {
        socket.on("echo", (...args) => args.at(-1)(...args.slice(0, -1)));
    };
    io.on("connection", echo);
    io.of(NSP).on("connection", echo);
    setup(io);
    await new Promise((resolve, reject) => {
        http.once("error", reject);
        http.listen(port, "127.0.0.1", resolve);
    });
    const { port: actualPort } = /** @type {import("node:net").AddressInfo} */ (http.address());
    return {
        io,
        port: actualPort,
        url: `http://127.0.0.1:${actualPort}`,
        close: () => new Promise((resolve) => io.close(() => resolve())),
    };
}

/** Resolves with the arguments of the next `event`, or rejects after `ms`. */
function next(emitter, event, ms = 5000) {
    return new Promise((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`timed out waiting for "${event}"`)), ms);
        emitter.once(event, (...args) => {
            clearTimeout(timer);
            resolve(args);
        });
    });
}

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/** A server and a client manager of its own, both closed after the test. */
async function setUp(t, { server: serverOptions, client: clientOptions } = {}) {
    const server = await startServer(serverOptions);
    const manager = new Manager(server.url, { ...FAST_RECONNECT, ...clientOptions });
    t.after(async () => {
        manager.close();
        await server.close();
    });
    return { server, manager };
}

describe("namespaces, events and acks", () => {
    test(
        "connects to a namespace with a space and slashes, emits with an ack",
        TEST_TIMEOUT,
        async (t) => {
            const { server, manager } = await setUp(t);
            const serverSocket = next(server.io.of(NSP), "connection");
            const socket = manager.socket(NSP).connect();
            await next(socket, "connect");
            const [joined] = await serverSocket;
            assert.equal(socket.connected, true);
            assert.equal(socket.id, joined.id);
            assert.equal(joined.nsp.name, NSP);

            const answer = await new Promise((resolve) =>
                socket.emit("echo", "hi", 2, { a: [1] }, (...args) => resolve(args)),
            );
            assert.deepEqual(answer, ["hi", 2, { a: [1] }]);
            assert.equal(await socket.emitWithAck("echo", "promise"), "promise");
        },
    );

    test(
        "a server emit with an ack reaches a handler whose last argument answers",
        TEST_TIMEOUT,
        async (t) => {
            const { server, manager } = await setUp(t);
            const socket = manager.socket(NSP);
            socket.on("double", (n, ack) => ack(n * 2, "twice"));
            const connected = next(socket, "connect");
            const joining = next(server.io.of(NSP), "connection");
            socket.connect();
            const [[joined]] = await Promise.all([joining, connected]);
            assert.deepEqual(
                await new Promise((resolve) => joined.emit("double", 21, (...a) => resolve(a))),
                [42, "twice"],
            );
            assert.equal(await joined.timeout(2000).emitWithAck("double", 1), 2);
        },
    );

    test("on, off and once", TEST_TIMEOUT, async (t) => {
        const { server, manager } = await setUp(t, {
            server: {
                setup: (io) =>
                    io.on("connection", (s) =>
                        s.on("ticks", (n, ack) => {
                            for (let i = 0; i < n; i++) s.emit("tick", i);
                            ack();
                        }),
                    ),
            },
        });
        const socket = manager.socket("/").connect();
        await next(socket, "connect");
        const seen = { on: [], once: [], removed: [] };
        const removed = (i) => seen.removed.push(i);
        socket.on("tick", (i) => seen.on.push(i));
        socket.once("tick", (i) => seen.once.push(i));
        socket.on("tick", removed);
        socket.off("tick", removed);
        const onceRemoved = (i) => seen.removed.push(i);
        socket.once("tick", onceRemoved);
        socket.off("tick", onceRemoved);
        await socket.emitWithAck("ticks", 3);
        assert.deepEqual(seen, { on: [0, 1, 2], once: [0], removed: [] });

        socket.off("tick");
        await socket.emitWithAck("ticks", 2);
        assert.deepEqual(seen.on, [0, 1, 2]);
    });

    test("several namespaces share one Engine.IO connection", TEST_TIMEOUT, async (t) => {
        const server = await startServer({
            setup: (io) => io.of("/other").on("connection", () => {}),
        });
        const namespaces = ["/", NSP, "/other"];
        const sockets = namespaces.map((nsp) => connect(server.url, nsp, FAST_RECONNECT));
        t.after(async () => {
            sockets[0].io.close();
            await server.close();
        });
        await Promise.all(sockets.map((s) => next(s, "connect")));
        assert.equal(new Set(sockets.map((s) => s.io)).size, 1);
        assert.equal(
            connect(server.url, NSP),
            sockets[1],
            "the same socket for the same namespace",
        );
        assert.equal(server.io.engine.clientsCount, 1);
        const conns = namespaces.map((nsp) => [...server.io.of(nsp).sockets.values()][0].conn.id);
        assert.equal(new Set(conns).size, 1);
        assert.deepEqual(
            await Promise.all(sockets.slice(0, 2).map((s) => s.emitWithAck("echo", s.nsp))),
            ["/", NSP],
        );
    });

    test(
        "a server middleware's error reaches connect_error with its message and data",
        TEST_TIMEOUT,
        async (t) => {
            let attempts = 0;
            const { manager } = await setUp(t, {
                server: {
                    setup: (io) =>
                        io.of("/private").use((_socket, nextMiddleware) => {
                            attempts++;
                            nextMiddleware(
                                Object.assign(new Error("not allowed"), { data: { code: 42 } }),
                            );
                        }),
                },
            });
            const socket = manager.socket("/private").connect();
            const [error] = await next(socket, "connect_error");
            assert.ok(error instanceof Error);
            assert.equal(error.message, "not allowed");
            assert.deepEqual(error.data, { code: 42 });
            assert.equal(socket.connected, false);
            assert.equal(socket.active, false);
            await sleep(200);
            assert.equal(attempts, 1, "a refused socket does not retry by itself");
        },
    );

    test("an unknown namespace gets connect_error Invalid namespace", TEST_TIMEOUT, async (t) => {
        const { manager } = await setUp(t);
        const [error] = await next(manager.socket("/nope/chat").connect(), "connect_error");
        assert.equal(error.message, "Invalid namespace");
    });

    test(
        "binary data goes both ways; a stray attachment drops the connection, which comes back",
        TEST_TIMEOUT,
        async (t) => {
            const { server, manager } = await setUp(t);
            const socket = manager.socket("/").connect();
            await next(socket, "connect");
            const [echoed] = await new Promise((resolve) =>
                socket.emit("echo", new Uint8Array([1, 2]), (...args) => resolve(args)),
            );
            assert.ok(echoed instanceof ArrayBuffer);
            assert.deepEqual([...new Uint8Array(echoed)], [1, 2]);
            const joined = [...server.io.of("/").sockets.values()][0];
            const file = next(socket, "file");
            joined.emit("file", Buffer.from([3, 4]));
            const [received] = await file;
            assert.deepEqual([...new Uint8Array(received)], [3, 4]);
            const reason = next(socket, "disconnect");
            joined.conn.write(Buffer.from([1, 2])); // an attachment no packet announced
            assert.deepEqual(await reason, ["parse error"]);
            await next(socket, "connect");
            assert.equal(await socket.emitWithAck("echo", "back"), "back");
        },
    );
});

describe("messaging against a server", () => {
    test(
        "component sockets share the connection; an unknown one is reported",
        TEST_TIMEOUT,
        async (t) => {
            const errors = t.mock.method(console, "error", () => {});
            const server = await startServer();
            const manifest = [
                { moduleId: "intents-example-1.0", name: "chat/dummy socket", namespace: NSP },
                // Listed, but not served: a page from another version of the server.
                {
                    moduleId: "intents-example-1.0",
                    name: "chat/nothing",
                    namespace: "/intents-example-1.0/chat/nothing",
                },
            ];
            const messaging = new Messaging({ url: server.url, manifest, ...FAST_RECONNECT });
            const socket = messaging.getWebSocket("intents-example-1.0", "chat/dummy socket");
            t.after(async () => {
                socket.io.close();
                await server.close();
            });
            await next(socket, "connect");
            assert.equal(socket.nsp, NSP);
            assert.equal(await socket.emitWithAck("echo", "via messaging"), "via messaging");

            const missing = messaging.getWebSocket("intents-example-1.0", "chat/nothing");
            assert.equal(missing.io, socket.io);
            const [error] = await next(missing, "connect_error");
            assert.equal(error.message, "Invalid namespace");
            assert.equal(errors.mock.callCount(), 1);
            assert.match(
                errors.mock.calls[0].arguments[0],
                /"chat\/nothing".*"intents-example-1\.0"/,
            );
            assert.equal(server.io.engine.clientsCount, 1);
        },
    );
});

describe("transports", () => {
    const transportOf = (io) => [...io.of("/").sockets.values()][0].conn.transport.name;

    test("WebSocket only", TEST_TIMEOUT, async (t) => {
        const { server, manager } = await setUp(t, {
            server: { transports: ["websocket"] },
            client: { transports: ["websocket"] },
        });
        const socket = manager.socket("/").connect();
        await next(socket, "connect");
        assert.equal(transportOf(server.io), "websocket");
        assert.equal(manager.engine.transport.name, "websocket");
        assert.equal(await socket.emitWithAck("echo", "ws"), "ws");
    });

    test("polling only", TEST_TIMEOUT, async (t) => {
        const { server, manager } = await setUp(t, { client: { transports: ["polling"] } });
        const socket = manager.socket("/").connect();
        await next(socket, "connect");
        assert.equal(transportOf(server.io), "polling");
        const answers = await Promise.all(
            Array.from({ length: 20 }, (_, i) => socket.emitWithAck("echo", i)),
        );
        assert.deepEqual(
            answers,
            Array.from({ length: 20 }, (_, i) => i),
        );
        await sleep(100);
        assert.equal(manager.engine.transport.name, "polling");
    });

    test("polling upgrades to WebSocket", TEST_TIMEOUT, async (t) => {
        const { server, manager } = await setUp(t, {
            client: { transports: ["polling", "websocket"] },
        });
        const upgraded = next(manager, "open").then(() => {
            assert.equal(manager.engine.transport.name, "polling");
            return next(manager.engine, "upgrade");
        });
        const socket = manager.socket(NSP).connect();
        await next(socket, "connect");
        await upgraded;
        assert.equal(manager.engine.transport.name, "websocket");
        assert.equal(await socket.emitWithAck("echo", "upgraded"), "upgraded");
        assert.equal([...server.io.of(NSP).sockets.values()][0].conn.transport.name, "websocket");
        assert.equal(server.io.engine.clientsCount, 1);
    });

    test("emits during the upgrade are delivered once, in order", TEST_TIMEOUT, async (t) => {
        const received = [];
        const { server, manager } = await setUp(t, {
            client: { transports: ["polling", "websocket"] },
            server: {
                setup: (io) => io.on("connection", (s) => s.on("n", (i) => received.push(i))),
            },
        });
        const upgraded = next(manager, "open").then(() => next(manager.engine, "upgrade"));
        const socket = manager.socket("/").connect();
        // Spread over the handshake, the polling phase and the upgrade (about 10 ms here).
        for (let i = 0; i < 50; i++) {
            socket.emit("n", i);
            await sleep(1);
        }
        await upgraded;
        await socket.emitWithAck("echo", "flush");
        assert.deepEqual(
            received,
            Array.from({ length: 50 }, (_, i) => i),
        );
        assert.equal(server.io.engine.clientsCount, 1);
    });

    test(
        "WebSocket first falls back to polling when the WebSocket cannot open",
        TEST_TIMEOUT,
        async (t) => {
            const { server, manager } = await setUp(t, { server: { transports: ["polling"] } });
            const socket = manager.socket("/").connect();
            await next(socket, "connect");
            assert.equal(transportOf(server.io), "polling");
            assert.equal(manager.engine.transport.name, "polling");
            assert.equal(await socket.emitWithAck("echo", "fallback"), "fallback");
        },
    );

    test("the connection survives many heartbeats", TEST_TIMEOUT, async (t) => {
        for (const transports of [["websocket"], ["polling"]]) {
            const { manager } = await setUp(t, {
                server: { pingInterval: 50, pingTimeout: 100 },
                client: { transports },
            });
            const socket = manager.socket("/").connect();
            await next(socket, "connect");
            let disconnected = false;
            socket.on("disconnect", () => (disconnected = true));
            await sleep(500);
            assert.equal(disconnected, false, transports[0]);
            assert.equal(await socket.emitWithAck("echo", "alive"), "alive");
        }
    });
});

describe("connection lifecycle", () => {
    test(
        "after a rain:shutdown notice, emits wait for the next connection and arrive there once",
        TEST_TIMEOUT,
        async (t) => {
            const received = [];
            const { server, manager } = await setUp(t, {
                server: {
                    setup: (io) =>
                        io.of(NSP).on("connection", (s) =>
                            s.on("n", (i) => received.push([s.id, i])),
                        ),
                },
            });
            const socket = manager.socket(NSP).connect();
            await next(socket, "connect");
            const firstId = socket.id;
            const notice = next(socket, "rain:shutdown");
            server.io.of(NSP).emit("rain:shutdown", { reason: "the server is shutting down" });
            assert.deepEqual(await notice, [{ reason: "the server is shutting down" }]);
            socket.emit("n", "after the notice");
            const acked = socket.emitWithAck("echo", "held");
            await sleep(200);
            assert.deepEqual(received, [], "nothing is sent to a server that is closing");

            // The server closes the connection, as a Rain server does once it has drained.
            const reconnected = next(socket, "connect");
            for (const s of await server.io.of(NSP).fetchSockets()) s.conn.close();
            await reconnected;
            assert.equal(await acked, "held");
            assert.equal(await socket.emitWithAck("echo", "after"), "after");
            assert.deepEqual(received, [[socket.id, "after the notice"]]);
            assert.notEqual(socket.id, firstId);
        },
    );

    test("emits made before connect are delivered exactly once", TEST_TIMEOUT, async (t) => {
        const received = [];
        const { manager } = await setUp(t, {
            server: {
                setup: (io) =>
                    io.of(NSP).on("connection", (s) => s.on("n", (i) => received.push(i))),
            },
        });
        const socket = manager.socket(NSP);
        socket.emit("n", 1);
        socket.emit("n", 2);
        const acked = socket.emitWithAck("echo", "buffered");
        socket.connect();
        assert.equal(await acked, "buffered");
        assert.equal(await socket.emitWithAck("echo", "after"), "after");
        assert.deepEqual(received, [1, 2]);
    });

    for (const transports of [["websocket"], ["polling"]]) {
        test(
            `reconnects after the server restarts (${transports}); buffered emits arrive once`,
            TEST_TIMEOUT,
            async (t) => {
                const received = [];
                const record = (io) =>
                    io.of(NSP).on("connection", (s) => s.on("n", (i) => received.push(i)));
                let server = await startServer({ setup: record });
                const manager = new Manager(server.url, { ...FAST_RECONNECT, transports });
                t.after(async () => {
                    manager.close();
                    await server.close();
                });
                const attempts = [];
                manager.on("reconnect_attempt", (n) => attempts.push(n));
                const socket = manager.socket(NSP);
                const main = manager.socket("/").connect();
                socket.emit("n", "before connect");
                socket.connect();
                await Promise.all([next(socket, "connect"), next(main, "connect")]);
                await socket.emitWithAck("echo", "round trip");
                assert.deepEqual(received, ["before connect"]);
                const firstId = socket.id;

                const disconnected = Promise.all([
                    next(socket, "disconnect"),
                    next(main, "disconnect"),
                ]);
                await server.close();
                // The server ends a WebSocket cleanly, and cuts a pending long-polling request.
                const reason =
                    transports[0] === "websocket" ? "transport close" : "transport error";
                assert.deepEqual(await disconnected, [[reason], [reason]]);
                assert.equal(socket.connected, false);
                socket.emit("n", "while down");
                await sleep(150);

                const reconnected = Promise.all([next(socket, "connect"), next(main, "connect")]);
                server = await startServer({ port: server.port, setup: record });
                await reconnected;
                assert.notEqual(socket.id, firstId);
                assert.ok(attempts.length >= 1);
                assert.equal(await socket.emitWithAck("echo", "after"), "after");
                assert.equal(await main.emitWithAck("echo", "main"), "main");
                assert.deepEqual(received, ["before connect", "while down"]);
                assert.equal(server.io.engine.clientsCount, 1);
            },
        );
    }

    test(
        "a server gone silent is detected by the heartbeat, and the client reconnects",
        TEST_TIMEOUT,
        async (t) => {
            const { server, manager } = await setUp(t, {
                server: { pingInterval: 50, pingTimeout: 50 },
            });
            const socket = manager.socket("/").connect();
            await next(socket, "connect");
            // Silence the server without letting its own heartbeat close the connection.
            const [conn] = Object.values(server.io.engine.clients);
            clearTimeout(conn.pingIntervalTimer);
            clearTimeout(conn.pingTimeoutTimer);
            conn.schedulePing = conn.resetPingTimeout = conn.sendPacket = () => {};
            const started = Date.now();
            assert.deepEqual(await next(socket, "disconnect"), ["ping timeout"]);
            assert.ok(Date.now() - started < 1000);
            await next(socket, "connect");
            assert.equal(await socket.emitWithAck("echo", "back"), "back");
        },
    );

    test(
        "a server that is not there yet: connect_error, then connect once it is",
        TEST_TIMEOUT,
        async (t) => {
            const probe = await startServer();
            const port = probe.port;
            await probe.close();
            const manager = new Manager(`http://127.0.0.1:${port}`, {
                ...FAST_RECONNECT,
                transports: ["websocket"],
            });
            const socket = manager.socket("/").connect();
            const [error] = await next(socket, "connect_error");
            assert.ok(error instanceof Error);
            const server = await startServer({ port });
            t.after(async () => {
                manager.close();
                await server.close();
            });
            await next(socket, "connect");
        },
    );

    test(
        "disconnect() leaves the namespace and closes the idle connection",
        TEST_TIMEOUT,
        async (t) => {
            const { server, manager } = await setUp(t);
            const socket = manager.socket(NSP).connect();
            const other = manager.socket("/").connect();
            await Promise.all([next(socket, "connect"), next(other, "connect")]);
            const [joined] = [...server.io.of(NSP).sockets.values()];
            const serverReason = next(joined, "disconnect");
            const clientReason = next(socket, "disconnect");
            socket.disconnect();
            assert.deepEqual(await clientReason, ["io client disconnect"]);
            assert.equal((await serverReason)[0], "client namespace disconnect");
            assert.equal(socket.connected, false);
            assert.equal(other.connected, true);
            assert.equal(server.io.engine.clientsCount, 1);

            other.disconnect();
            for (let i = 0; i < 50 && server.io.engine.clientsCount; i++) await sleep(20);
            assert.equal(server.io.engine.clientsCount, 0);

            socket.connect();
            await next(socket, "connect");
            assert.equal(server.io.engine.clientsCount, 1);
        },
    );

    test("a socket disconnected by the server does not reconnect", TEST_TIMEOUT, async (t) => {
        let connections = 0;
        const { server, manager } = await setUp(t, {
            server: { setup: (io) => io.of(NSP).on("connection", () => connections++) },
        });
        const socket = manager.socket(NSP).connect();
        const other = manager.socket("/").connect();
        await Promise.all([next(socket, "connect"), next(other, "connect")]);
        const reason = next(socket, "disconnect");
        [...server.io.of(NSP).sockets.values()][0].disconnect();
        assert.deepEqual(await reason, ["io server disconnect"]);
        assert.equal(socket.active, false);
        await sleep(200);
        assert.equal(connections, 1);
        assert.equal(other.connected, true);
    });

    test(
        "an undecodable packet drops the connection, which comes back",
        TEST_TIMEOUT,
        async (t) => {
            const { server, manager } = await setUp(t);
            const socket = manager.socket("/").connect();
            await next(socket, "connect");
            const reason = next(socket, "disconnect");
            [...server.io.of("/").sockets.values()][0].conn.write("9 not a packet");
            assert.deepEqual(await reason, ["parse error"]);
            await next(socket, "connect");
            assert.equal(await socket.emitWithAck("echo", "back"), "back");
        },
    );

    test("emitting a reserved event name throws", () => {
        const socket = new Manager("http://127.0.0.1:9").socket("/");
        assert.throws(() => socket.emit("connect"), /reserved/);
    });
});
