// Connection state recovery on a Rain server, driven by the official socket.io-client 4.8: a
// TCP proxy of the test's own cuts the client's connection while another client sends to its
// room; the cut client comes back with what it missed, once each and in order, its rooms and its
// data. Past the window, with another session, over the per-socket cap, or with a made-up pid or
// offset it connects fresh and is told why.
//
// The official client learns its pid from Rain's `rain:recovery` event (socketioxide's CONNECT
// answer carries only the sid) and sends `{ pid, offset }` from its `auth` function: the recipe
// the README gives for official clients.

import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";

import { io } from "socket.io-client";

import { startProxy } from "./support/proxy.mjs";
import { startRedis } from "./support/redis.mjs";
import { next, stoppedAfterAll } from "./support/server.mjs";

const ROOM = "/recovery-1.0/room";
const BRIEF = "/recovery-1.0/brief";
const OFFSET = /^[0-9a-f]{8}-[0-9a-f]+$/;
const FAST = { reconnectionDelay: 50, reconnectionDelayMax: 100, randomizationFactor: 0 };
const TEST = { timeout: 30_000 };

const { clients, start } = stoppedAfterAll();
let server;
let proxy;

before(async () => {
    server = await start();
    proxy = await startProxy(server.port);
});
after(() => proxy.close());

/**
 * An official client that recovers: keeps the pid and the last offset and sends them in its
 * CONNECT; strips the offset off events for its listeners (`said` gets the number alone).
 * `announcements` are the `rain:recovery` payloads, one per connect.
 */
function recoveringClient(url, namespace, { auth = {}, transports = ["websocket"] } = {}) {
    const recovery = {};
    const announcements = [];
    const socket = io(url + namespace, {
        ...FAST,
        transports,
        forceNew: true,
        auth: (cb) => cb({ ...auth, ...recovery }),
    });
    socket.on("rain:recovery", (announcement) => {
        announcements.push(announcement);
        recovery.pid = announcement.pid;
        recovery.offset = announcement.offset;
    });
    socket.onAny((event, ...args) => {
        const last = args.at(-1);
        if (event !== "rain:recovery" && typeof last === "string" && OFFSET.test(last)) {
            recovery.offset = last;
        }
    });
    clients.push(socket);
    return { socket, announcements, recovery };
}

/** A plain client straight to the server (no proxy), to send to the room. */
async function sender(namespace) {
    const socket = io(server.url + namespace, { transports: ["websocket"], forceNew: true });
    clients.push(socket);
    await next(socket, "connect");
    return socket;
}

/** Resolves at `socket`'s next connect. */
const connects = (socket) => next(socket, "connect", 15_000);

/** The announcement of the `n`-th connect (1-based), once it came. */
async function announcement(client, n) {
    const deadline = Date.now() + 10_000;
    while (client.announcements.length < n) {
        if (Date.now() > deadline) throw new Error(`no announcement ${n}`);
        await new Promise((resolve) => setTimeout(resolve, 10));
    }
    return client.announcements[n - 1];
}

describe("an official client behind a proxy that cuts its connection", () => {
    test("gets all 20 messages sent to its room while it was away, once each, in order", TEST, async () => {
        const cut = recoveringClient(proxy.url, ROOM);
        const said = [];
        cut.socket.on("said", (n, offset) => {
            assert.match(offset, OFFSET, "every event carries its offset last");
            said.push(n);
        });
        const welcomes = [];
        cut.socket.on("welcome", (welcome) => welcomes.push(welcome));
        await connects(cut.socket);
        const first = await announcement(cut, 1);
        assert.equal(first.recovered, false);
        assert.equal(first.reason, undefined, "a first connect asked nothing");
        assert.match(first.pid, /^[0-9a-f]{32}$/);
        assert.equal(await cut.socket.emitWithAck("join", "r1"), true);
        assert.equal(await cut.socket.emitWithAck("nick", "ada"), true);

        const other = await sender(ROOM);
        assert.equal(await other.emitWithAck("say", { room: "r1", n: 0 }), true);
        while (said.length < 1) await new Promise((resolve) => setTimeout(resolve, 10));

        proxy.cut(2_000);
        for (let n = 1; n <= 20; n++) {
            assert.equal(await other.emitWithAck("say", { room: "r1", n }), true);
            await new Promise((resolve) => setTimeout(resolve, 50));
        }
        await connects(cut.socket);
        const second = await announcement(cut, 2);
        assert.equal(second.recovered, true, JSON.stringify(second));
        assert.equal(second.pid, first.pid, "the pid stays");
        await new Promise((resolve) => setTimeout(resolve, 200));
        assert.deepEqual(said, Array.from({ length: 21 }, (_, n) => n));
        assert.deepEqual(welcomes.map((w) => w.recovered), [false, true]);
        assert.equal(welcomes[1].nick, "ada", "the handler got its data back");

        const me = await cut.socket.emitWithAck("whoami");
        assert.deepEqual(me, { recovered: true, nick: "ada", rooms: ["r1"] });
        assert.equal(await other.emitWithAck("say", { room: "r1", n: 21 }), true);
        while (said.length < 22) await new Promise((resolve) => setTimeout(resolve, 10));
        assert.equal(said.at(-1), 21, "the room holds after the recovery");
        assert.ok(proxy.connections >= 2, "the proxy carried a second connection");
        cut.socket.disconnect();
        other.disconnect();
    });

    test("gets the broadcasts and its handler's late answer it missed, over long-polling too", TEST, async () => {
        const cut = recoveringClient(proxy.url, ROOM, { transports: ["polling"] });
        const got = [];
        cut.socket.on("heard", (n) => got.push(`heard ${n}`));
        cut.socket.on("direct", (n) => got.push(`direct ${n}`));
        await connects(cut.socket);
        await announcement(cut, 1);
        const other = await sender(ROOM);
        // Its handler answers 500 ms later, to the socket whose connection is cut by then.
        assert.equal(await cut.socket.emitWithAck("direct", 0), true);
        while (got.length < 1) await new Promise((resolve) => setTimeout(resolve, 10));
        cut.socket.emit("later", 6);
        await new Promise((resolve) => setTimeout(resolve, 100));
        proxy.cut(1_500);
        for (let n = 1; n <= 5; n++) {
            assert.equal(await other.emitWithAck("everyone", n), true);
        }
        await connects(cut.socket);
        assert.equal((await announcement(cut, 2)).recovered, true);
        while (got.length < 7) await new Promise((resolve) => setTimeout(resolve, 10));
        assert.deepEqual(got, [
            "direct 0",
            "heard 1",
            "heard 2",
            "heard 3",
            "heard 4",
            "heard 5",
            "direct 6",
        ]);
        cut.socket.disconnect();
        other.disconnect();
    });

    test("past the window it connects fresh, told why, without its rooms", TEST, async () => {
        const cut = recoveringClient(proxy.url, BRIEF);
        await connects(cut.socket);
        await announcement(cut, 1);
        assert.equal(await cut.socket.emitWithAck("join", "r2"), true);
        proxy.cut(1_000);
        await connects(cut.socket);
        const second = await announcement(cut, 2);
        assert.equal(second.recovered, false);
        assert.equal(second.reason, "unknown or expired session");
        assert.notEqual(second.pid, cut.announcements[0].pid, "a fresh socket gets a fresh pid");
        assert.deepEqual(await cut.socket.emitWithAck("whoami"), {
            recovered: false,
            nick: null,
            rooms: [],
        });
        cut.socket.disconnect();
    });
});

describe("a client asking to recover what is not its own", () => {
    test("a made-up pid, a bad offset or a wrong type connect fresh; the server serves on", TEST, async () => {
        const asks = [
            [{ pid: "0".repeat(32), offset: "00000000-0" }, "unknown or expired session"],
            [{ pid: 7, offset: [] }, undefined],
            [{ pid: "x".repeat(100_000), offset: "y" }, "unknown or expired session"],
        ];
        for (const [auth, reason] of asks) {
            const client = recoveringClient(server.url, ROOM, { auth });
            await connects(client.socket);
            const said = await announcement(client, 1);
            assert.equal(said.recovered, false, JSON.stringify(auth).slice(0, 80));
            assert.equal(said.reason, reason);
            client.socket.disconnect();
        }
        // Its own pid with an offset the server never gave: fresh, and the socket is gone for good.
        const real = recoveringClient(proxy.url, ROOM);
        await connects(real.socket);
        const { pid } = await announcement(real, 1);
        real.recovery.offset = "zz";
        proxy.cut(300);
        await connects(real.socket);
        assert.deepEqual(await announcement(real, 2), {
            pid: (await announcement(real, 2)).pid,
            recovered: false,
            offset: (await announcement(real, 2)).offset,
            reason: "offset unknown or no longer kept",
        });
        assert.notEqual((await announcement(real, 2)).pid, pid);
        real.socket.disconnect();
        const other = await sender(ROOM);
        assert.equal(await other.emitWithAck("join", "still"), true);
        other.disconnect();
    });

    test("another session does not get the first one's messages", TEST, async () => {
        const token = async (id) => {
            const response = await fetch(server.url + "/accounts/token", {
                method: "POST",
                headers: { "content-type": "application/json" },
                body: JSON.stringify({ id, name: id }),
            });
            assert.equal(response.status, 200);
            return response.text();
        };
        const auth = { token: await token("alice") };
        const cut = recoveringClient(proxy.url, ROOM, { auth });
        const said = [];
        cut.socket.on("said", (n) => said.push(n));
        await connects(cut.socket);
        await announcement(cut, 1);
        assert.equal(await cut.socket.emitWithAck("join", "secret"), true);
        const other = await sender(ROOM);
        proxy.cut(1_000);
        assert.equal(await other.emitWithAck("say", { room: "secret", n: "for alice" }), true);
        auth.token = await token("mallory");
        await connects(cut.socket);
        const second = await announcement(cut, 2);
        assert.equal(second.recovered, false);
        assert.equal(second.reason, "session changed");
        await new Promise((resolve) => setTimeout(resolve, 200));
        assert.deepEqual(said, [], "nothing of alice's was replayed");
        cut.socket.disconnect();
        other.disconnect();
    });

    test("one that missed more than the cap connects fresh", TEST, async () => {
        const capped = await start({ env: { RAIN_RECOVERY_MAX_MISSED: "5" } });
        const cappedProxy = await startProxy(capped.port);
        try {
            const cut = recoveringClient(cappedProxy.url, ROOM);
            const said = [];
            cut.socket.on("said", (n) => said.push(n));
            await connects(cut.socket);
            await announcement(cut, 1);
            assert.equal(await cut.socket.emitWithAck("join", "busy"), true);
            const other = io(capped.url + ROOM, { transports: ["websocket"], forceNew: true });
            clients.push(other);
            await next(other, "connect");
            cappedProxy.cut(1_000);
            for (let n = 1; n <= 6; n++) {
                assert.equal(await other.emitWithAck("say", { room: "busy", n }), true);
            }
            await connects(cut.socket);
            const second = await announcement(cut, 2);
            assert.equal(second.recovered, false);
            assert.equal(second.reason, "too many missed events");
            assert.deepEqual(said, []);
            cut.socket.disconnect();
            other.disconnect();
        } finally {
            await cappedProxy.close();
        }
    });
});

describe("two nodes sharing Redis", () => {
    let redis;
    let a;
    let b;
    let proxyA;
    before(async () => {
        redis = await startRedis();
        const env = { RAIN_REDIS_URL: redis.url };
        [a, b] = await Promise.all([start({ env }), start({ env })]);
        proxyA = await startProxy(a.port);
    });
    after(async () => {
        await proxyA?.close();
        await redis?.stop();
    });

    /** A sender on `node`, once its namespace is shared (its first broadcast reaches the others). */
    async function senderOn(node) {
        const socket = io(node.url + ROOM, { transports: ["websocket"], forceNew: true });
        clients.push(socket);
        await next(socket, "connect");
        return socket;
    }

    test("a client of node A recovers what a client of node B sent its room, in order", TEST, async () => {
        const cut = recoveringClient(proxyA.url, ROOM);
        const said = [];
        cut.socket.on("said", (n) => said.push(n));
        await connects(cut.socket);
        await announcement(cut, 1);
        assert.equal(await cut.socket.emitWithAck("join", "across"), true);
        const other = await senderOn(b);
        // Until B's subscription is made, its broadcasts may not reach A: wait for one.
        for (let n = 0; said.length === 0; n++) {
            assert.ok(n < 100, "node B never reached node A");
            assert.equal(await other.emitWithAck("say", { room: "across", n: -1 }), true);
            await new Promise((resolve) => setTimeout(resolve, 50));
        }
        said.length = 0;
        proxyA.cut(2_000);
        for (let n = 1; n <= 20; n++) {
            assert.equal(await other.emitWithAck("say", { room: "across", n }), true);
            await new Promise((resolve) => setTimeout(resolve, 40));
        }
        await connects(cut.socket);
        const back = await announcement(cut, 2);
        assert.equal(back.recovered, true, JSON.stringify(back));
        await until(() => said.length >= 20);
        await new Promise((resolve) => setTimeout(resolve, 200));
        assert.deepEqual(said.filter((n) => n !== -1), Array.from({ length: 20 }, (_, i) => i + 1));
        cut.socket.disconnect();
        other.disconnect();
    });

    test("a client that comes back on the other node connects fresh and is told", TEST, async () => {
        const first = recoveringClient(a.url, ROOM);
        await connects(first.socket);
        const { pid, offset } = await announcement(first, 1);
        const onB = recoveringClient(b.url, ROOM, { auth: { pid, offset } });
        await connects(onB.socket);
        const said = await announcement(onB, 1);
        assert.equal(said.recovered, false);
        assert.equal(said.reason, "unknown or expired session");
        first.socket.disconnect();
        onB.socket.disconnect();
    });
});

/** Resolves once `condition()` holds, checking every 10 ms for up to 10 s. */
async function until(condition) {
    const deadline = Date.now() + 10_000;
    while (!condition()) {
        if (Date.now() > deadline) throw new Error("timed out");
        await new Promise((resolve) => setTimeout(resolve, 10));
    }
}

describe("a reconnect storm", () => {
    const CLIENTS = Number(process.env.RAIN_STORM_CLIENTS ?? 2_000);
    const LASTING = "/recovery-1.0/lasting";

    test(`${CLIENTS} recoverable clients cut at once all recover what they missed`, { timeout: 240_000 }, async () => {
        const stormed = await start({ env: { RAIN_MAX_CONNECTIONS_PER_CLIENT: String(CLIENTS * 3) } });
        const stormProxy = await startProxy(stormed.port);
        try {
            const cut = Array.from({ length: CLIENTS }, () => {
                const client = recoveringClient(stormProxy.url, LASTING, {});
                client.said = [];
                client.socket.on("said", (n) => client.said.push(n));
                return client;
            });
            // Connected and in the room, 200 at a time (the proxy and the server take them all).
            for (let i = 0; i < CLIENTS; i += 200) {
                await Promise.all(
                    cut.slice(i, i + 200).map(async (client) => {
                        if (!client.socket.connected) await connects(client.socket);
                        assert.equal(await client.socket.emitWithAck("join", "storm"), true);
                    }),
                );
            }
            const other = io(stormed.url + LASTING, { transports: ["websocket"], forceNew: true });
            clients.push(other);
            await next(other, "connect");
            const started = Date.now();
            stormProxy.cut(1_000);
            for (let n = 1; n <= 5; n++) {
                assert.equal(await other.emitWithAck("say", { room: "storm", n }), true);
            }
            const deadline = Date.now() + 120_000;
            const done = () => cut.every((c) => c.announcements.length === 2 && c.said.length === 5);
            while (!done()) {
                if (Date.now() > deadline) {
                    const back = cut.filter((c) => c.announcements.length === 2).length;
                    throw new Error(`${back} of ${CLIENTS} came back in time`);
                }
                await new Promise((resolve) => setTimeout(resolve, 50));
            }
            console.log(`# ${CLIENTS} clients recovered ${Date.now() - started} ms after the cut`);
            const failed = cut.filter((c) => !c.announcements[1].recovered);
            assert.deepEqual(failed.map((c) => c.announcements[1].reason).slice(0, 3), []);
            await new Promise((resolve) => setTimeout(resolve, 200));
            const wrong = cut.filter((c) => c.said.join() !== "1,2,3,4,5");
            assert.equal(wrong.length, 0, wrong.slice(0, 3).map((c) => c.said.join()).join(" | "));
            for (const client of cut) client.socket.disconnect();
            other.disconnect();
        } finally {
            await stormProxy.close();
        }
    });
});
