// Two Rain nodes sharing one redis-server, driven by the official socket.io-client: broadcasts,
// rooms, socket lists, disconnects and presence cross from one node to the other; when Redis
// stops, each node keeps serving its own clients, and when it is back, cross-node delivery
// resumes without a restart, no message delivered twice.
import { test, describe, before, after } from "node:test";
import assert from "node:assert/strict";
import { io } from "socket.io-client";
import { binary, startServer, next } from "./support/server.mjs";
import { startRedis } from "./support/redis.mjs";

const ROOM = "/chat-1.0/room";
const ROOMS = "/cluster-1.0/rooms";

/** Two nodes on one Redis, and every client the tests open. */
async function cluster() {
    const redis = await startRedis();
    const env = { RAIN_REDIS_URL: redis.url, RUST_LOG: "warn,rain_core=info" };
    const [a, b] = await Promise.all([
        startServer(binary("rain-test-server"), { env }),
        startServer(binary("rain-test-server"), { env }),
    ]);
    const clients = [];
    const connect = async (node, namespace) => {
        const client = io(node.url + namespace, {
            forceNew: true,
            reconnection: false,
            transports: ["websocket"],
        });
        clients.push(client);
        await next(client, "connect");
        return client;
    };
    const close = async () => {
        for (const client of clients) client.disconnect();
        await Promise.all([a.stop(), b.stop()]);
        await redis.stop();
    };
    return { redis, a, b, connect, close };
}

/** Every `event` that reaches `client`, in order. */
function record(client, event) {
    const seen = [];
    client.on(event, (data) => seen.push(data));
    return seen;
}

/** Waits until `condition()` holds, checking every 50 ms, for at most `ms`. */
async function until(condition, ms = 5_000, what = "condition") {
    const end = Date.now() + ms;
    while (!condition()) {
        if (Date.now() > end) throw new Error(`${what} not met within ${ms} ms`);
        await new Promise((resolve) => setTimeout(resolve, 50));
    }
}

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

describe("two nodes on one Redis", () => {
    let nodes;
    before(async () => {
        nodes = await cluster();
    });
    after(async () => {
        await nodes?.close();
    });

    test("a chat message sent on node A reaches a client on node B, once", async () => {
        const alice = await nodes.connect(nodes.a, ROOM);
        const bob = await nodes.connect(nodes.b, ROOM);
        const atAlice = record(alice, "message");
        const atBob = record(bob, "message");
        alice.emit("message", { text: "across nodes" });
        await until(() => atAlice.length === 1 && atBob.length === 1, 5_000, "delivery on both nodes");
        await sleep(200);
        assert.deepEqual(atAlice, [{ text: "across nodes" }]);
        assert.deepEqual(atBob, [{ text: "across nodes" }]);
        alice.disconnect();
        bob.disconnect();
    });

    test("join, to, except and leave across nodes", async () => {
        const a1 = await nodes.connect(nodes.a, ROOMS);
        const b1 = await nodes.connect(nodes.b, ROOMS);
        const b2 = await nodes.connect(nodes.b, ROOMS);
        const said = { a1: record(a1, "said"), b1: record(b1, "said"), b2: record(b2, "said") };
        assert.equal(await b1.emitWithAck("join", { room: "blue" }), true);

        // `to` from node A reaches the room's member on node B only.
        assert.equal(await a1.emitWithAck("to", { room: "blue", data: 1 }), true);
        await until(() => said.b1.length === 1, 5_000, "`to` across nodes");

        // `except` reaches everyone but the room (and the sender).
        assert.equal(await a1.emitWithAck("except", { room: "blue", data: 2 }), true);
        await until(() => said.b2.length === 1, 5_000, "`except` across nodes");

        // Node A makes b2, on node B, join the room; then leave it.
        assert.equal(await a1.emitWithAck("join", { room: "blue", socket: b2.id }), true);
        assert.equal(await a1.emitWithAck("to", { room: "blue", data: 3 }), true);
        await until(() => said.b2.length === 2 && said.b1.length === 2, 5_000, "remote join");
        assert.equal(await a1.emitWithAck("leave", { room: "blue", socket: b2.id }), true);
        assert.equal(await a1.emitWithAck("to", { room: "blue", data: 4 }), true);
        await until(() => said.b1.length === 3, 5_000, "delivery after the remote leave");
        await sleep(300);

        assert.deepEqual(said.a1, []);
        assert.deepEqual(said.b1, [1, 3, 4]);
        assert.deepEqual(said.b2, [2, 3]);
        for (const client of [a1, b1, b2]) client.disconnect();
    });

    test("fetching sockets and disconnecting a socket across nodes", async () => {
        const a1 = await nodes.connect(nodes.a, ROOMS);
        const b1 = await nodes.connect(nodes.b, ROOMS);
        const b2 = await nodes.connect(nodes.b, ROOMS);
        await b1.emitWithAck("join", { room: "green" });
        await b2.emitWithAck("join", { room: "green" });
        const expected = [b1.id, b2.id].sort();
        assert.deepEqual(await a1.emitWithAck("fetch", { room: "green" }), expected);
        assert.deepEqual(await b1.emitWithAck("fetch", { room: "green" }), expected);

        const gone = next(b2, "disconnect");
        assert.equal(await a1.emitWithAck("kick", { room: "", socket: b2.id }), true);
        const [reason] = await gone; // (reason, details)
        assert.equal(reason, "io server disconnect");
        assert.deepEqual(await a1.emitWithAck("fetch", { room: "green" }), [b1.id]);
        a1.disconnect();
        b1.disconnect();
    });

    test("presence: both nodes list the same members; joins and leaves reach every node", async () => {
        const a1 = await nodes.connect(nodes.a, ROOM);
        const b1 = await nodes.connect(nodes.b, ROOM);
        const changesAtA = record(a1, "rain:presence");
        const fromA = await a1.emitWithAck("rain:presence");
        const fromB = await b1.emitWithAck("rain:presence");
        assert.deepEqual(fromA.me, { id: a1.id, kind: "socket" });
        assert.deepEqual(fromB.me, { id: b1.id, kind: "socket" });
        const both = [a1.id, b1.id].sort().map((id) => ({ id, kind: "socket" }));
        assert.deepEqual(fromA.members, both);
        assert.deepEqual(fromB.members, both);

        // A change may also come late for b1 (its join raced a1's asking): clients key by id.
        const b2 = await nodes.connect(nodes.b, ROOM);
        const b2id = b2.id;
        const aboutB2 = () => changesAtA.filter((c) => (c.joined ?? c.left).id === b2id);
        await until(() => aboutB2().length === 1, 5_000, "a join on node B announced on node A");
        assert.deepEqual(aboutB2()[0], { joined: { id: b2id, kind: "socket" } });
        b2.disconnect();
        await until(() => aboutB2().length === 2, 5_000, "a leave on node B announced on node A");
        assert.deepEqual(aboutB2()[1], { left: { id: b2id, kind: "socket" } });
        assert.ok(changesAtA.every((c) => c.joined?.id === b1.id || (c.joined ?? c.left).id === b2id), JSON.stringify(changesAtA));

        const again = [await a1.emitWithAck("rain:presence"), await b1.emitWithAck("rain:presence")];
        assert.deepEqual(again[0].members, both);
        assert.deepEqual(again[1].members, both);
        a1.disconnect();
        b1.disconnect();
    });
});

test("presence beside a disconnect handler of the socket's own: the handler runs, the leave still comes", async () => {
    const nodes = await cluster();
    try {
        const OWN = "/cluster-1.0/presence with own disconnect";
        const watcher = await nodes.connect(nodes.a, OWN);
        const changes = record(watcher, "rain:presence");
        const gone = record(watcher, "gone");
        await watcher.emitWithAck("rain:presence");
        const leaver = await nodes.connect(nodes.b, OWN);
        const id = leaver.id;
        await until(() => changes.length === 1, 5_000, "the join");
        leaver.disconnect();
        await until(() => changes.length === 2 && gone.length === 1, 5_000, "the leave and the handler's `gone`");
        assert.deepEqual(changes, [{ joined: { id, kind: "socket" } }, { left: { id, kind: "socket" } }]);
        assert.deepEqual(gone, [id]);
        const { members } = await watcher.emitWithAck("rain:presence");
        assert.deepEqual(members, [{ id: watcher.id, kind: "socket" }]);
    } finally {
        await nodes.close();
    }
});

describe("Redis stopped and restarted under two nodes", () => {
    let nodes;
    before(async () => {
        nodes = await cluster();
    });
    after(async () => {
        await nodes?.close();
    });

    test("each node serves its own clients while Redis is away; delivery resumes once, without restart", async () => {
        const alice = await nodes.connect(nodes.a, ROOM);
        const carol = await nodes.connect(nodes.a, ROOM);
        const bob = await nodes.connect(nodes.b, ROOM);
        const seen = { alice: record(alice, "message"), carol: record(carol, "message"), bob: record(bob, "message") };
        const texts = (who) => seen[who].map((m) => m.text);

        alice.emit("message", { text: "before" });
        await until(() => texts("bob").includes("before"), 5_000, "cross-node delivery before the outage");

        await nodes.redis.stop();
        // Wait until node A noticed (its log says so) before sending during the outage.
        await until(() => /Redis unreachable/.test(nodes.a.output()), 10_000, "node A noticing the outage");
        alice.emit("message", { text: "during-a" });
        bob.emit("message", { text: "during-b" });
        await until(
            () => texts("carol").includes("during-a") && texts("bob").includes("during-b"),
            5_000,
            "local delivery on each node during the outage",
        );

        // Long enough for the Redis client's own reconnection attempts to run out.
        await sleep(3_000);
        alice.emit("message", { text: "later-a" });
        await until(() => texts("carol").includes("later-a"), 5_000, "local delivery later in the outage");
        await nodes.redis.restart();
        // Cross-node delivery resumes by itself: probe until one message crosses (bounded).
        let crossed = false;
        for (let i = 0; i < 40 && !crossed; i++) {
            alice.emit("message", { text: `probe-${i}` });
            await sleep(250);
            crossed = texts("bob").some((t) => t.startsWith("probe-"));
        }
        assert.ok(crossed, `no message crossed after Redis restarted:\n${nodes.a.output()}`);
        bob.emit("message", { text: "after-b" });
        await until(() => texts("alice").includes("after-b"), 5_000, "B to A after the restart");
        alice.emit("message", { text: "after-a" });
        await until(() => texts("bob").includes("after-a"), 5_000, "A to B after the restart");
        await sleep(500);

        // Local delivery never stopped; what was sent during the outage did not cross.
        for (const who of ["alice", "carol"]) {
            for (const text of ["before", "during-a", "later-a", "after-a", "after-b"]) {
                assert.ok(texts(who).includes(text), `${who} missed ${text}`);
            }
            assert.ok(!texts(who).includes("during-b"), `${who} got during-b`);
        }
        assert.ok(texts("bob").includes("during-b"));
        assert.ok(!texts("bob").includes("during-a"));
        assert.ok(!texts("bob").includes("later-a"));
        // No message delivered twice, anywhere.
        for (const who of Object.keys(seen)) {
            assert.equal(new Set(texts(who)).size, texts(who).length, `${who}: ${texts(who)}`);
        }
        // The degradation is logged once per node, and so is the recovery.
        if (process.env.RAIN_TEST_SHOW_LOGS) console.log(nodes.a.output(), nodes.b.output());
        for (const node of [nodes.a, nodes.b]) {
            assert.equal(node.output().match(/Redis unreachable/g)?.length, 1, node.output());
            assert.equal(node.output().match(/Redis reachable again/g)?.length, 1, node.output());
        }
    });
});
