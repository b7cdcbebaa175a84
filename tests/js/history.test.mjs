// The chat's history with the official socket.io-client: a client asks `history` and gets the
// room's last 50 messages, oldest first, as the room delivered them; bad messages are refused,
// neither stored nor delivered; the history survives a restart (SQLite in a temporary file), is
// one for two nodes on one Postgres, and outlives a Postgres outage, during which `message` and
// `history` fail fast and the socket stays connected.
import { test, describe, before, after } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { io } from "socket.io-client";
import { binary, startServer, next } from "./support/server.mjs";
import { startPostgres } from "./support/postgres.mjs";
import { startRedis } from "./support/redis.mjs";

const ONE = "/chat-1.0/room";
const TWO = "/chat-2.0/room";
/** An ack that does not come within this fails the test, instead of hanging it. */
const ACK_MS = 8_000;

/** Connects a socket.io client to `namespace` of `server`; resolves once it is connected. */
async function connect(server, namespace, clients, options = {}) {
    const client = io(server.url + namespace, { forceNew: true, reconnection: false, transports: ["websocket"], ...options });
    clients.push(client);
    await next(client, "connect");
    return client;
}

/** Emits `event` and resolves with its ack, failing after ACK_MS. */
function ask(client, event, ...args) {
    return client.timeout(ACK_MS).emitWithAck(event, ...args);
}

/** Every `message` that reaches `client`, in order. */
function record(client) {
    const seen = [];
    client.on("message", (message) => seen.push(message));
    return seen;
}

/** Resolves with the `count` first messages that reach `client`, or rejects after `ms`. */
function received(client, count, ms = 5_000) {
    return new Promise((resolve, reject) => {
        const seen = [];
        const timer = setTimeout(() => reject(new Error(`${seen.length} of ${count} messages within ${ms} ms`)), ms);
        client.on("message", (message) => {
            seen.push(message);
            if (seen.length === count) {
                clearTimeout(timer);
                resolve(seen);
            }
        });
    });
}

/** A temporary folder, and the URL of a SQLite file in it. */
function sqliteFile() {
    const folder = mkdtempSync(path.join(os.tmpdir(), "rain-history-"));
    return { folder, url: `sqlite://${path.join(folder, "chat.db")}?mode=rwc` };
}

describe("one server, its history in a temporary SQLite file", () => {
    const clients = [];
    let server;
    let file;
    before(async () => {
        file = sqliteFile();
        server = await startServer(binary("rain-test-server"), {
            env: { DATABASE_URL: file.url, RAIN_SESSION_SECRET: "a test secret that is long enough: history" },
        });
    });
    after(async () => {
        for (const client of clients) client.disconnect();
        await server?.stop();
        rmSync(file.folder, { recursive: true, force: true });
    });

    test("history answers the last 50 messages, oldest first, as the room delivered them", async () => {
        const sender = await connect(server, ONE, clients);
        const watcher = await connect(server, ONE, clients);
        assert.deepEqual(await ask(sender, "history"), []);
        const delivered = record(watcher);
        for (let n = 1; n <= 55; n++) assert.equal(await ask(sender, "message", { text: `m${n}` }), null);
        // Every ack came after its delivery to this node's sockets: the watcher has them all.
        await ask(watcher, "whoami", null);
        assert.equal(delivered.length, 55);

        const history = await ask(watcher, "history");
        assert.equal(history.length, 50);
        assert.deepEqual(history, delivered.slice(5), "the newest 50, oldest first, as delivered");
        assert.deepEqual(history[0], { text: "m6" });
        // A client that joins later gets the same.
        const late = await connect(server, ONE, clients);
        assert.deepEqual(await ask(late, "history"), history);
    });

    test("a logged-in sender's messages are kept with `from`; chat 2.0's with `sentAt`, apart", async () => {
        const login = await fetch(server.url + "/login", {
            method: "POST",
            headers: { "content-type": "application/x-www-form-urlencoded" },
            body: "name=Ada",
            redirect: "manual",
        });
        assert.equal(login.status, 303);
        const cookie = (login.headers.get("set-cookie") ?? "").split(";")[0];
        const ada = await connect(server, ONE, clients, { extraHeaders: { cookie } });
        const watcher = await connect(server, ONE, clients);
        const delivered = next(watcher, "message");
        // A `from` of the client's own is not kept: the server signs with the session's name.
        assert.equal(await ask(ada, "message", { text: "signed", from: "Mallory" }), null);
        assert.deepEqual(await delivered, { text: "signed", from: "Ada" });
        assert.deepEqual((await ask(watcher, "history")).at(-1), { text: "signed", from: "Ada" });

        const two = await connect(server, TWO, clients);
        assert.deepEqual(await ask(two, "history"), [], "chat 2.0's history is its own");
        const stamped = next(two, "message");
        assert.equal(await ask(two, "message", { text: "in two" }), null);
        const message = await stamped;
        assert.equal(typeof message.sentAt, "number");
        assert.deepEqual(await ask(two, "history"), [message]);
        assert.ok(!(await ask(watcher, "history")).some((m) => m.text === "in two"));
    });

    test("a bad message gets an error ack, and is neither delivered nor stored", async () => {
        const sender = await connect(server, TWO, clients);
        const watcher = await connect(server, TWO, clients);
        const before = await ask(sender, "history");
        const delivered = record(watcher);
        const first = next(watcher, "message");
        const refused = [
            [{ text: "" }, /empty/],
            [{ text: "   " }, /empty/],
            [{ text: "x".repeat(2_001) }, /2001 characters; at most 2000/],
            [{ text: 42 }, /must be a string, not a number/],
            [{ text: ["a"] }, /must be a string, not an array/],
            [{ text: null }, /must be a string, not null/],
            // Bytes (a binary attachment) where a string belongs, valid UTF-8 or not.
            [{ text: Buffer.from("hi") }, /payload refused: invalid type: byte array/],
            [{ text: Buffer.from([0xff, 0xfe]) }, /payload refused: invalid type: byte array/],
            [Buffer.from("hi"), /payload refused: invalid type: byte array/],
            [{ nothing: "here" }, /an object with a `text`/],
            ["just a string", /an object with a `text`/],
        ];
        for (const [message, reason] of refused) {
            const ack = await ask(sender, "message", message);
            assert.equal(typeof ack?.error, "string", `${JSON.stringify(message)} acked ${JSON.stringify(ack)}`);
            assert.match(ack.error, reason);
        }
        // The longest text allowed, in characters (each of these is two UTF-16 units).
        const longest = "😀".repeat(2_000);
        assert.equal(await ask(sender, "message", { text: longest }), null);
        // What the watcher got first is the good message: none of the bad ones came before it.
        assert.equal((await first).text, longest);
        assert.deepEqual(delivered.map((m) => m.text), [longest], "only the good message was delivered");
        const after = await ask(sender, "history");
        assert.deepEqual(after.slice(0, -1), before.slice(-(after.length - 1)));
        assert.equal(after.at(-1).text, longest, "only the good message was stored");
    });
});

test("the history survives a restart on the same SQLite file", async () => {
    const file = sqliteFile();
    const clients = [];
    const env = { DATABASE_URL: file.url };
    let server = await startServer(binary("rain-test-server"), { env });
    try {
        const first = await connect(server, ONE, clients);
        assert.equal(await ask(first, "message", { text: "before the restart" }), null);
        first.disconnect();
        await server.stop();

        server = await startServer(binary("rain-test-server"), { env });
        const second = await connect(server, ONE, clients);
        assert.deepEqual(await ask(second, "history"), [{ text: "before the restart" }]);
    } finally {
        for (const client of clients) client.disconnect();
        await server.stop();
        rmSync(file.folder, { recursive: true, force: true });
    }
});

describe("Postgres", () => {
    const clients = [];
    const servers = [];
    let postgres;
    let redis;
    before(async () => {
        [postgres, redis] = await Promise.all([startPostgres(), startRedis()]);
    });
    after(async () => {
        for (const client of clients) client.disconnect();
        for (const server of servers) await server.kill();
        await postgres?.remove();
        await redis?.stop();
    });

    test("two nodes on one Postgres (and one Redis) keep one history", async () => {
        const env = { DATABASE_URL: postgres.url, RAIN_REDIS_URL: redis.url };
        const [a, b] = await Promise.all([
            startServer(binary("rain-test-server"), { env }),
            startServer(binary("rain-test-server"), { env }),
        ]);
        servers.push(a, b);
        const alice = await connect(a, ONE, clients);
        const bob = await connect(b, ONE, clients);
        const atBob = received(bob, 2);
        assert.equal(await ask(alice, "message", { text: "from A" }), null);
        assert.equal(await ask(bob, "message", { text: "from B" }), null);
        const expected = [{ text: "from A" }, { text: "from B" }];
        assert.deepEqual(await ask(alice, "history"), expected);
        assert.deepEqual(await ask(bob, "history"), expected);
        // Bob got alice's message through Redis, and his own.
        assert.deepEqual((await atBob).map((m) => m.text).sort(), ["from A", "from B"]);
        await Promise.all([a.stop(), b.stop()]);
    });

    test("Postgres stopped: message and history fail fast, the socket stays; started again: nothing lost", async () => {
        const server = await startServer(binary("rain-test-server"), { env: { DATABASE_URL: postgres.url } });
        servers.push(server);
        const client = await connect(server, ONE, clients);
        const watcher = await connect(server, ONE, clients);
        const stored = await ask(client, "history");
        assert.equal(await ask(client, "message", { text: "before the outage" }), null);

        await postgres.stop();
        const delivered = record(watcher);
        const started = Date.now();
        const refused = await ask(client, "message", { text: "during the outage" });
        assert.match(refused?.error ?? "", /history is unavailable.*not sent/, JSON.stringify(refused));
        const unavailable = await ask(client, "history");
        assert.match(unavailable?.error ?? "", /history is unavailable/, JSON.stringify(unavailable));
        const took = Date.now() - started;
        assert.ok(took < 7_000, `two failures took ${took} ms`);
        // Still connected, still served.
        assert.ok(client.connected);
        assert.deepEqual(await ask(client, "whoami", null), { name: null });
        // Asked after the refusal, answered after anything the refused message would have sent it.
        await ask(watcher, "whoami", null);
        assert.deepEqual(delivered, [], "a message that was not stored is not delivered");

        await postgres.start();
        const history = await ask(client, "history");
        assert.deepEqual(history.map((m) => m.text), [...stored.map((m) => m.text), "before the outage"]);
        assert.equal(await ask(client, "message", { text: "after the outage" }), null);
        const after = await ask(watcher, "history");
        assert.deepEqual(after.slice(-2).map((m) => m.text), ["before the outage", "after the outage"]);
        assert.ok(client.connected);
        await server.stop();
    });
});
