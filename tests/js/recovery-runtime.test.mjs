// Connection state recovery in Rain's browser runtime, against the official Node socket.io 4.8
// server in process on 127.0.0.1, through a TCP proxy of the test's own that cuts the
// connection (support/proxy.mjs), over a WebSocket alone and over long-polling alone:
//
// - Socket.IO's recovery (`connectionStateRecovery`): what the room got during a cut arrives
//   after it, once each and in order, and the room holds; past the window, a fresh session;
// - Rain's, emulated by the server's own connection handler (the announcement, Rain offsets, a
//   duplicate): the socket waits for the announcement, takes the offsets off, drops the
//   duplicate and asks for its session back; `disconnect()` forgets it;
// - acks the server still owed when the connection was lost fail with an error naming it.

import assert from "node:assert/strict";
import { EventEmitter } from "node:events";
import { createServer } from "node:http";
import { describe, test } from "node:test";

import { Server } from "socket.io";

import { startProxy } from "./support/proxy.mjs";
import { runtimeModule } from "./support/runtime.mjs";

const { Manager } = await runtimeModule("socket.js");

const TEST = { timeout: 20_000 };
const FAST = { reconnectionDelay: 50, reconnectionDelayMax: 100, randomizationFactor: 0 };
// A WebSocket needs Node's global one (node --experimental-websocket, as package.json runs it).
const TRANSPORTS = [["websocket"], ["polling"]];
const noWebSocket = typeof WebSocket === "undefined" && "needs node --experimental-websocket";
const ANNOUNCEMENT = "rain:recovery";
const RAIN = "/rain";

/**
 * The official socket.io server with `options`, on 127.0.0.1 behind a proxy; all closed after
 * the test. `manager()` is a manager of the runtime's own, through the proxy.
 */
async function startServer(t, transports, options = {}) {
    const http = createServer();
    // Short heartbeats: a long-poll cut between two requests is noticed soon all the same.
    const io = new Server(http, { transports, pingInterval: 300, pingTimeout: 300, ...options });
    // engine.io gives a long-poll cut under it 30 s to close, which would hold the process open.
    io.engine.on("connection", (conn) => (conn.transport.closeTimeout = 0));
    await new Promise((resolve, reject) => {
        http.once("error", reject);
        http.listen(0, "127.0.0.1", resolve);
    });
    const proxy = await startProxy(http.address().port);
    const managers = [];
    t.after(async () => {
        for (const manager of managers) manager.close();
        await proxy.close();
        await new Promise((resolve) => io.close(() => resolve()));
    });
    const manager = () => {
        const made = new Manager(proxy.url, { ...FAST, transports });
        managers.push(made);
        return made;
    };
    return { io, proxy, manager };
}

/**
 * Every `event` of `emitter`, as argument lists in `items`; `until(predicate)` resolves with the
 * first that matches, once one does, or rejects after `ms`; `count(n)` with the n-th.
 */
function collect(emitter, event, ms = 10_000) {
    const items = [];
    const waiters = new Set();
    emitter.on(event, (...args) => {
        items.push(args);
        for (const waiter of [...waiters]) waiter();
    });
    const until = (predicate, what = "a match") =>
        new Promise((resolve, reject) => {
            const timer = setTimeout(() => {
                waiters.delete(check);
                reject(new Error(`no ${what} of "${event}" in ${ms} ms: ${JSON.stringify(items)}`));
            }, ms);
            function check() {
                const found = items.find(predicate);
                if (!found) return;
                clearTimeout(timer);
                waiters.delete(check);
                resolve(found);
            }
            waiters.add(check);
            check();
        });
    const count = (n) => until((_, i) => i === n - 1, `#${n}`);
    return { items, until, count };
}

/** Resolves with the arguments of the next `event`, or rejects after `ms`. */
function next(emitter, event, ms = 10_000) {
    return new Promise((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`timed out waiting for "${event}"`)), ms);
        emitter.once(event, (...args) => {
            clearTimeout(timer);
            resolve(args);
        });
    });
}

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
const range = (from, to) => Array.from({ length: to - from + 1 }, (_, i) => from + i);

/**
 * Resolves once the client has answered a ping sent now: whatever it sent on the packets it got
 * before (a CONNECT answer) has reached the server by then, on the same connection.
 */
function pong(serverSocket) {
    const answered = next(serverSocket.conn, "heartbeat");
    serverSocket.conn.sendPacket("ping");
    return answered;
}

for (const transports of TRANSPORTS) {
    const over = transports[0];
    const skip = over === "websocket" && noWebSocket;

    describe(`Socket.IO's connection state recovery over ${over}`, { skip }, () => {
        for (const recover of [false, true]) {
            const name =
                "the 20 events sent to its room during a cut arrive after it, once each, in order, " +
                `and the room holds${recover ? " (recover: true, a Socket.IO server)" : ""}`;
            test(name, TEST, async (t) => {
                const { io, proxy, manager } = await startServer(t, transports, {
                    connectionStateRecovery: { maxDisconnectionDuration: 2000, skipMiddlewares: true },
                });
                const connection = collect(io, "connection");
                io.on("connection", (s) => {
                    s.on("join", (room, ack) => {
                        s.join(room);
                        ack(true);
                    });
                });
                const socket = manager().socket("/", { recover });
                assert.equal(socket.recovered, false, "before its first connect");
                const said = collect(socket, "said");
                socket.connect();
                await next(socket, "connect");
                assert.equal(socket.recovered, false);
                assert.equal(await socket.emitWithAck("join", "r"), true);
                const [first] = await connection.count(1);
                io.to("r").emit("said", 0);
                await said.count(1);

                let lastBeforeCut;
                socket.once("disconnect", () => (lastBeforeCut = said.items.at(-1)));
                const gone = next(first, "disconnect");
                const back = next(socket, "connect");
                proxy.cut(600);
                for (let n = 1; n <= 5; n++) io.to("r").emit("said", n);
                await gone; // the server knows: the rest are missed for sure
                for (let n = 6; n <= 20; n++) {
                    io.to("r").emit("said", n);
                    await sleep(15); // spread over the cut
                }
                await back;
                assert.equal(socket.recovered, true);
                assert.ok(lastBeforeCut[0] < 6, `${lastBeforeCut} came before the cut`);
                const [second] = await connection.count(2);
                assert.equal(second.recovered, true);
                assert.deepEqual(second.handshake.auth, { pid: first.pid, offset: lastBeforeCut[1] });

                await said.until(([n]) => n === 20);
                io.to("r").emit("said", 21); // still in the room; and after the 20, nothing else
                await said.until(([n]) => n === 21);
                assert.deepEqual(
                    said.items.map(([n]) => n),
                    range(0, 21),
                );
                for (const [, offset] of said.items) {
                    assert.equal(typeof offset, "string", "listeners get the offset, as ever");
                }
            });
        }

        test("past the window it connects fresh", TEST, async (t) => {
            const { io, proxy, manager } = await startServer(t, transports, {
                connectionStateRecovery: { maxDisconnectionDuration: 300, skipMiddlewares: true },
            });
            const connection = collect(io, "connection");
            const socket = manager().socket("/");
            const said = collect(socket, "said");
            socket.connect();
            await next(socket, "connect");
            const [first] = await connection.count(1);
            first.emit("said", 0);
            await said.count(1);

            const gone = next(first, "disconnect");
            const back = next(socket, "connect");
            proxy.cut(1000);
            await gone;
            io.emit("said", 1); // missed, and not recovered
            await back;
            assert.equal(socket.recovered, false);
            const [second] = await connection.count(2);
            assert.equal(second.recovered, false);
            assert.equal(second.handshake.auth.pid, first.pid, "it asked, too late");
            assert.notEqual(second.pid, first.pid);
            second.emit("said", 2);
            await said.until(([n]) => n === 2);
            assert.deepEqual(
                said.items.map(([n]) => n),
                [0, 2],
            );
        });
    });

    describe(`Rain's recovery (emulated by a socket.io server) over ${over}`, { skip }, () => {
        /**
         * A server whose sockets on /rain the test scripts: it announces, it numbers. `early`:
         * the `early` events its sockets got. Its heartbeat is too slow to come into `pong`.
         */
        async function rainServer(t) {
            const heartbeat = { pingInterval: 25_000, pingTimeout: 20_000 };
            const server = await startServer(t, transports, heartbeat);
            const connection = collect(server.io.of(RAIN), "connection");
            const got = new EventEmitter();
            const early = collect(got, "early");
            server.io.of(RAIN).on("connection", (s) => {
                s.on("early", (...args) => got.emit("early", ...args));
            });
            return { ...server, connection, early };
        }

        test("connected at the announcement; offsets off, duplicates dropped, the session asked back", TEST, async (t) => {
            const { proxy, manager, connection, early } = await rainServer(t);
            const socket = manager().socket(RAIN, { recover: true });
            const connects = collect(socket, "connect");
            const n = collect(socket, "n");
            const plain = collect(socket, "plain");
            const announcements = collect(socket, ANNOUNCEMENT);
            socket.connect();
            socket.emit("early", 1);

            const [s1] = await connection.count(1);
            assert.deepEqual(s1.handshake.auth, {}, "a first connect asks nothing");
            await pong(s1);
            assert.equal(socket.connected, false, "no announcement yet");
            assert.deepEqual(connects.items, []);
            assert.deepEqual(early.items, [], "its emits wait for the announcement");
            s1.emit(ANNOUNCEMENT, { pid: "p1", recovered: false, offset: "0000000a-5" });
            await connects.count(1);
            assert.equal(socket.recovered, false);
            assert.equal(socket.recoveryFailure, null);
            assert.equal(socket.id, s1.id);

            s1.emit("n", 1, "0000000a-6");
            s1.emit("n", 1, "0000000a-6"); // the same, replayed and live
            s1.emit("n", 0, "0000000a-5"); // the announcement's own
            s1.emit("plain", "not an offset");
            s1.emit("n", 2, "0000000b-20000000000000"); // another epoch; 2 ** 53
            s1.emit("n", 3, "0000000b-20000000000001"); // past what a Number tells apart
            s1.emit(ANNOUNCEMENT, { pid: "p9", recovered: true, offset: "0000000f-0" });
            s1.emit("n", 4, "0000000b-20000000000002");
            await n.until(([value]) => value === 4);
            await early.count(1);
            assert.deepEqual(early.items, [[1]]);
            assert.deepEqual(n.items, [[1], [2], [3], [4]]);
            assert.deepEqual(plain.items, [["not an offset"]]);

            // Cut: it asks for its session back with the last offset it got.
            proxy.cut(0);
            const [s2] = await connection.count(2);
            assert.deepEqual(s2.handshake.auth, { pid: "p1", offset: "0000000b-20000000000002" });
            await pong(s2);
            assert.equal(socket.connected, false, "no announcement yet");
            s2.emit(ANNOUNCEMENT, { pid: "p1", recovered: true, offset: "0000000b-20000000000002" });
            s2.emit("n", 4, "0000000b-20000000000002"); // replayed, but had
            s2.emit("n", 5, "0000000b-20000000000003");
            await connects.count(2);
            assert.equal(socket.recovered, true);
            assert.equal(socket.recoveryFailure, null);
            await n.until(([value]) => value === 5);
            assert.deepEqual(n.items, [[1], [2], [3], [4], [5]]);

            // Cut again: this time the server cannot.
            proxy.cut(0);
            const [s3] = await connection.count(3);
            assert.deepEqual(s3.handshake.auth, { pid: "p1", offset: "0000000b-20000000000003" });
            s3.emit(ANNOUNCEMENT, {
                pid: "p2",
                recovered: false,
                offset: "0000000c-0",
                reason: "expired",
            });
            await connects.count(3);
            assert.equal(socket.recovered, false);
            assert.equal(socket.recoveryFailure, "expired");
            s3.emit("n", 6, "0000000c-1");
            await n.until(([value]) => value === 6);
            assert.deepEqual(announcements.items, [], "announcements are not for listeners");
        });

        test("disconnect() and the server's disconnect forget the session", TEST, async (t) => {
            const { manager, connection } = await rainServer(t);
            const socket = manager().socket(RAIN, { recover: true });
            const connects = collect(socket, "connect");
            socket.connect();
            const [s1] = await connection.count(1);
            s1.emit(ANNOUNCEMENT, { pid: "p1", recovered: false, offset: "0000000a-0" });
            await connects.count(1);
            s1.emit("n", 1, "0000000a-1");
            await next(socket, "n");

            // Its own disconnect, then connect: fresh.
            const left = next(s1, "disconnect");
            socket.disconnect();
            assert.equal((await left)[0], "client namespace disconnect");
            socket.connect();
            const [s2] = await connection.count(2);
            assert.deepEqual(s2.handshake.auth, {}, "no session asked back");
            s2.emit(ANNOUNCEMENT, { pid: "p2", recovered: false, offset: "0000000b-0" });
            await connects.count(2);
            assert.equal(socket.recovered, false);
            assert.equal(socket.recoveryFailure, null);

            // The server's disconnect: fresh too.
            s2.emit("n", 1, "0000000b-1");
            await next(socket, "n");
            const told = next(socket, "disconnect");
            s2.disconnect();
            assert.deepEqual(await told, ["io server disconnect"]);
            socket.connect();
            const [s3] = await connection.count(3);
            assert.deepEqual(s3.handshake.auth, {}, "no session asked back");
        });
    });

    describe(`acks owed at a drop over ${over}`, { skip }, () => {
        test("fail once with an error naming the disconnect; a late ack is ignored", TEST, async (t) => {
            const { io, proxy, manager } = await startServer(t, transports);
            const connection = collect(io, "connection");
            const got = new EventEmitter();
            const never = collect(got, "never");
            io.on("connection", (s) => {
                s.on("never", (n) => got.emit("never", n)); // and never acks
                s.on("echo", (...args) => args.at(-1)(...args.slice(0, -1)));
            });
            const socket = manager().socket("/").connect();
            await next(socket, "connect");
            const calls = [];
            socket.emit("never", 1, (...args) => calls.push(args)); // ack id 0
            const promised = socket.emitWithAck("never", 2); // ack id 1
            await never.count(2); // the server has both
            const [first] = await connection.count(1);

            const dropped = next(socket, "disconnect");
            const back = next(socket, "connect");
            proxy.cut(300);
            const [reason] = await dropped;
            const failure = { error: `disconnected before the server answered (${reason})` };
            assert.deepEqual(calls, [[failure]]);
            assert.deepEqual(await promised, failure);
            // Emitted while away: sent once back, and answered.
            const later = socket.emitWithAck("echo", "after");
            await back;
            assert.equal(await later, "after");

            // The server's ack for the first, late, on the new connection: ignored.
            const [second] = await connection.count(2);
            assert.notEqual(second, first);
            second.packet({ type: 3, id: 0, data: ["late"] });
            second.packet({ type: 3, id: 1, data: ["late"] });
            assert.equal(await socket.emitWithAck("echo", "in order"), "in order");
            socket.disconnect();
            assert.deepEqual(calls, [[failure]], "called once");
        });
    });
}
