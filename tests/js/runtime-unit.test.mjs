// Unit tests of the browser runtime: wire codecs, backoff, a socket's connection state recovery
// and its acks at a drop (on a stand-in manager), component registry, messaging.

import assert from "node:assert/strict";
import { describe, test } from "node:test";

import { runtimeModule } from "./support/runtime.mjs";

const {
    PacketType,
    decode,
    decodeEnginePacket,
    decodePayload,
    encode,
    encodeEnginePacket,
    encodePayload,
} = await runtimeModule("protocol.js");
const { Socket, backoff } = await runtimeModule("socket.js");
const { Registry } = await runtimeModule("components.js");
const { Messaging } = await runtimeModule("messaging.js");

const NSP = "/intents-example-1.0/chat/dummy socket";
const bytes = (...values) => new Uint8Array(values).buffer;
const fixture = (name) => new URL(`./fixtures/${name}`, import.meta.url).href;

describe("Socket.IO packet encoding", () => {
    const cases = [
        ["CONNECT to the main namespace", { type: PacketType.CONNECT, nsp: "/" }, "0"],
        [
            "CONNECT with auth",
            { type: PacketType.CONNECT, nsp: "/admin", data: { token: "x" } },
            '0/admin,{"token":"x"}',
        ],
        ["CONNECT with a space and slashes", { type: PacketType.CONNECT, nsp: NSP }, `0${NSP},`],
        ["DISCONNECT", { type: PacketType.DISCONNECT, nsp: NSP }, `1${NSP},`],
        [
            "EVENT",
            { type: PacketType.EVENT, nsp: "/", data: ["hello", 1, { a: [true] }] },
            '2["hello",1,{"a":[true]}]',
        ],
        [
            "EVENT with an ack id",
            { type: PacketType.EVENT, nsp: NSP, id: 12, data: ["hi"] },
            `2${NSP},12["hi"]`,
        ],
        [
            "ACK",
            { type: PacketType.ACK, nsp: NSP, id: 0, data: ["ok", null] },
            `3${NSP},0["ok",null]`,
        ],
        [
            "CONNECT_ERROR",
            { type: PacketType.CONNECT_ERROR, nsp: "/x", data: { message: "no" } },
            '4/x,{"message":"no"}',
        ],
    ];
    for (const [name, packet, text] of cases) {
        test(name, () => {
            assert.equal(encode(packet), text);
            assert.deepEqual(decode(text), packet);
        });
    }

    test("binary data makes a binary packet with placeholders, then the binaries", () => {
        for (const value of [bytes(1), new Uint8Array(2), new DataView(bytes(1))]) {
            assert.deepEqual(encode({ type: PacketType.EVENT, nsp: "/", data: ["file", value] }), [
                '51-["file",{"_placeholder":true,"num":0}]',
                value,
            ]);
        }
        const nested = { nested: [new DataView(bytes(1))] };
        assert.deepEqual(encode({ type: PacketType.ACK, nsp: "/a", id: 3, data: [nested] }), [
            '61-/a,3[{"nested":[{"_placeholder":true,"num":0}]}]',
            nested.nested[0],
        ]);
    });

    test("binary data outside an event or an ack is refused with a TypeError", () => {
        assert.throws(
            () => encode({ type: PacketType.CONNECT, nsp: "/", data: { key: bytes(1) } }),
            TypeError,
        );
    });

    test("dates and other values with toJSON are sent as JSON", () => {
        const date = new Date(0);
        assert.equal(
            encode({ type: PacketType.EVENT, nsp: "/", data: ["d", date] }),
            '2["d","1970-01-01T00:00:00.000Z"]',
        );
    });
});

describe("Socket.IO packet decoding", () => {
    test("a namespace without a trailing comma", () => {
        assert.deepEqual(decode("0/admin"), { type: PacketType.CONNECT, nsp: "/admin" });
    });

    test("a CONNECT answer carries the socket id", () => {
        assert.deepEqual(decode(`0${NSP},{"sid":"abc"}`), {
            type: PacketType.CONNECT,
            nsp: NSP,
            data: { sid: "abc" },
        });
    });

    test("a CONNECT_ERROR may carry a plain string", () => {
        assert.equal(decode('4"nope"').data, "nope");
    });

    test("multi-digit ack ids", () => {
        assert.equal(decode('3/a,1234["x"]').id, 1234);
    });

    test("binary packets decode with their placeholders and attachment count", () => {
        assert.deepEqual(decode('51-["a",{"_placeholder":true,"num":0}]'), {
            type: PacketType.BINARY_EVENT,
            nsp: "/",
            data: ["a", { _placeholder: true, num: 0 }],
            attachments: 1,
        });
        assert.deepEqual(decode('62-/a,1[{"_placeholder":true,"num":1}]'), {
            type: PacketType.BINARY_ACK,
            nsp: "/a",
            id: 1,
            data: [{ _placeholder: true, num: 1 }],
            attachments: 2,
        });
    });

    const malformed = [
        "",
        "9",
        "7[]",
        "x",
        "2",
        "2[",
        "2{}",
        "2[]",
        '2[{"a":1}]',
        "0[]",
        '1{"a":1}',
        "3{}",
        "4",
        '5["a"]',
        '5-["a"]',
        '50-["a"]',
        '51.5-["a"]',
        '5x-["a"]',
        '565-["a"]',
        '2-1["a"]',
        "2abc",
        '2/a,["x"',
    ];
    for (const text of malformed) {
        test(`malformed ${JSON.stringify(text)} throws an Error`, () => {
            assert.throws(() => decode(text), Error);
        });
    }

    test("non-string input throws an Error", () => {
        assert.throws(() => decode(undefined), Error);
        assert.throws(() => decode(42), Error);
        assert.throws(() => decode(bytes(1)), Error);
    });
});

describe("Engine.IO packets and payloads", () => {
    test("packets encode as a type digit and data", () => {
        assert.equal(encodeEnginePacket({ type: "ping" }), "2");
        assert.equal(encodeEnginePacket({ type: "ping", data: "probe" }), "2probe");
        assert.equal(encodeEnginePacket({ type: "message", data: "40" }), "440");
        assert.equal(encodeEnginePacket({ type: "upgrade" }), "5");
    });

    test("packets decode", () => {
        assert.deepEqual(decodeEnginePacket("0{}"), { type: "open", data: "{}" });
        assert.deepEqual(decodeEnginePacket("3probe"), { type: "pong", data: "probe" });
        assert.deepEqual(decodeEnginePacket("6"), { type: "noop" });
        assert.deepEqual(decodeEnginePacket("1"), { type: "close" });
    });

    test("unknown or malformed packets decode as errors without throwing", () => {
        // A text frame never carries base64: only polling payloads do.
        for (const raw of ["", "9", "x", "bAQI=", new Uint8Array(1), new Blob(["x"]), undefined]) {
            assert.equal(decodeEnginePacket(raw).type, "error", JSON.stringify(raw));
        }
    });

    test("a binary frame is a message with its ArrayBuffer; binary data encodes as itself", () => {
        const data = bytes(1, 2);
        assert.deepEqual(decodeEnginePacket(data), { type: "message", data });
        assert.equal(decodeEnginePacket(data).data, data);
        assert.equal(encodeEnginePacket({ type: "message", data }), data);
    });

    test("a polling payload carries binary data as b and base64", () => {
        const packets = [
            { type: "message", data: "451-[]" },
            { type: "message", data: bytes(1, 2, 3, 4) },
        ];
        const payload = encodePayload(packets);
        assert.equal(payload, "4451-[]\x1ebAQIDBA==");
        assert.deepEqual(decodePayload(payload), packets);
    });

    test("a polling payload joins packets with the record separator", () => {
        const packets = [
            { type: "message", data: '2["a"]' },
            { type: "pong" },
            { type: "message", data: "3" },
        ];
        const payload = encodePayload(packets);
        assert.equal(payload, '42["a"]\x1e3\x1e43');
        assert.deepEqual(decodePayload(payload), packets);
    });

    test("a payload with a bad packet keeps the good ones", () => {
        assert.deepEqual(
            decodePayload("6\x1e9\x1e4x").map((p) => p.type),
            ["noop", "error", "message"],
        );
    });
});

describe("reconnection backoff", () => {
    const options = {
        reconnectionDelay: 1000,
        reconnectionDelayMax: 5000,
        randomizationFactor: 0.5,
    };

    test("doubles from the minimum up to the maximum", () => {
        const noJitter = { ...options, randomizationFactor: 0 };
        assert.deepEqual(
            [0, 1, 2, 3, 4, 100, 5000].map((n) => backoff(n, noJitter)),
            [1000, 2000, 4000, 5000, 5000, 5000, 5000],
        );
    });

    test("jitter stays within the randomization factor and the maximum", () => {
        for (let attempt = 0; attempt < 40; attempt++) {
            for (const random of [0, 0.05, 0.15, 0.5, 0.95, 0.999]) {
                const delay = backoff(attempt, options, random);
                const base = Math.min(1000 * 2 ** attempt, 5000);
                assert.ok(
                    delay >= base * 0.5 && delay <= Math.min(base * 1.5, 5000),
                    `${attempt} ${delay}`,
                );
            }
        }
    });
});

/**
 * A socket on a stand-in for its manager, always open, which records the packets the socket
 * sends; `receive` hands the socket a packet from the server, `reconnect` closes the connection
 * and opens another (the socket sends its CONNECT).
 */
function standIn(options) {
    const sent = [];
    const io = {
        engine: {},
        options: { maxAttachments: 64 },
        _activate: (socket) => socket._onOpen(),
        _deactivate: () => {},
        _packet: (packet) => sent.push(packet),
    };
    const socket = new Socket(io, "/", options);
    const receive = (type, data, id) => socket._onPacket({ type, nsp: "/", data, id });
    const reconnect = (reason = "transport close") => {
        socket._onClose(reason);
        socket._onOpen();
    };
    return { socket, sent, receive, reconnect };
}

/** Every `event` of `socket`, as argument lists. */
function record(socket, event) {
    const got = [];
    socket.on(event, (...args) => got.push(args));
    return got;
}

describe("connection state recovery", () => {
    const { CONNECT, DISCONNECT, EVENT } = PacketType;
    const ANNOUNCEMENT = "rain:recovery";

    test("from a Socket.IO server: the pid of its CONNECT answer and the last offset go back in the next CONNECT", () => {
        const { socket, sent, receive, reconnect } = standIn();
        assert.equal(socket.recovered, false);
        const got = record(socket, "n");
        socket.connect();
        assert.deepEqual(sent, ["0"], "a first CONNECT asks nothing");
        receive(CONNECT, { sid: "a", pid: "p1" });
        assert.equal(socket.connected, true);
        assert.equal(socket.recovered, false);
        receive(EVENT, ["n", 1, "o1"]);
        receive(EVENT, ["n", 2, "o2"], 7); // asks for an ack: no offset
        receive(EVENT, ["n", 3]); // its last argument is no string
        assert.deepEqual(got[0], [1, "o1"], "listeners get the offset, as from socket.io-client");
        assert.deepEqual(got[1].slice(0, 2), [2, "o2"]);
        assert.deepEqual(got[2], [3]);

        reconnect();
        assert.equal(sent.at(-1), '0{"pid":"p1","offset":"o1"}');
        receive(CONNECT, { sid: "b", pid: "p1" });
        assert.equal(socket.recovered, true);
        assert.equal(socket.recoveryFailure, null);
        assert.equal(socket.id, "b");
        reconnect();
        assert.equal(sent.at(-1), '0{"pid":"p1","offset":"o1"}');
        receive(CONNECT, { sid: "c", pid: "p2" });
        assert.equal(socket.recovered, false, "another pid: a fresh session");
        receive(EVENT, ["n", 4, "o4"]);
        reconnect();
        assert.equal(sent.at(-1), '0{"pid":"p2","offset":"o4"}');
        receive(CONNECT, { sid: "d" });
        assert.equal(socket.recovered, false, "a server without recovery");
        receive(EVENT, ["n", 5, "o5"]);
        reconnect();
        assert.equal(sent.at(-1), "0", "nothing to recover from a server without recovery");
    });

    test("events before the CONNECT answer (a Socket.IO server's replay) wait for it; a close drops them", () => {
        const { socket, sent, receive, reconnect } = standIn();
        const log = [];
        socket.on("n", (...args) => log.push(args));
        socket.on("connect", () => log.push("connect"));
        socket.connect();
        receive(EVENT, ["n", 1, "o1"]);
        assert.deepEqual(log, []);
        receive(CONNECT, { sid: "a", pid: "p1" });
        assert.deepEqual(log, [[1, "o1"], "connect"], "delivered before connect, as socket.io-client does");
        reconnect();
        assert.equal(sent.at(-1), '0{"pid":"p1","offset":"o1"}');
        receive(EVENT, ["n", 2, "o2"]);
        reconnect(); // lost before the answer: the server sends them again
        receive(CONNECT, { sid: "b", pid: "p1" });
        receive(EVENT, ["n", 2, "o2"]);
        assert.deepEqual(log.slice(2), ["connect", [2, "o2"]]);
    });

    test("from a Rain server: what came before a recovery's announcement is left to the replay", () => {
        const { socket, receive, reconnect } = standIn({ recover: true });
        const got = record(socket, "n");
        socket.connect();
        receive(CONNECT, { sid: "a" });
        receive(EVENT, ["rain:recovery", { pid: "p1", recovered: false, offset: "0000000a-1" }]);
        receive(EVENT, ["n", 1, "0000000a-2"]);
        reconnect();
        receive(CONNECT, { sid: "b" });
        receive(EVENT, ["n", 4, "0000000a-4"]); // to everyone, before the announcement
        receive(EVENT, ["rain:recovery", { pid: "p1", recovered: true, offset: "0000000a-2" }]);
        for (const n of [3, 4]) receive(EVENT, ["n", n, `0000000a-${n}`]); // the replay
        assert.deepEqual(got, [[1], [3], [4]]);
        reconnect();
        receive(CONNECT, { sid: "c" });
        receive(EVENT, ["n", 6, "0000000a-6"]); // before a fresh connect: delivered
        receive(EVENT, ["rain:recovery", { pid: "p2", recovered: false, offset: "0000000a-6" }]);
        assert.deepEqual(got, [[1], [3], [4], [6]]);
    });

    test("from a Rain server: connected only at the announcement; offsets taken off, duplicates dropped", () => {
        const { socket, sent, receive, reconnect } = standIn({ recover: true });
        const connects = [];
        socket.on("connect", () => connects.push([socket.recovered, socket.recoveryFailure]));
        const got = record(socket, "n");
        const announcements = record(socket, ANNOUNCEMENT);
        socket.connect();
        socket.emit("early", 1);
        receive(CONNECT, { sid: "a" });
        assert.equal(socket.connected, false);
        assert.equal(socket.id, undefined);
        assert.deepEqual(connects, []);
        assert.deepEqual(sent, ["0"], "the emit waits for the announcement");

        receive(EVENT, [ANNOUNCEMENT, { pid: "p1", recovered: false, offset: "0000000a-5" }]);
        assert.equal(socket.connected, true);
        assert.equal(socket.id, "a");
        assert.deepEqual(connects, [[false, null]]);
        assert.deepEqual(sent, ["0", '2["early",1]']);

        receive(EVENT, ["n", 1, "0000000a-6"]);
        receive(EVENT, ["n", 1, "0000000a-6"]); // the same again: replayed, then live
        receive(EVENT, ["n", 0, "0000000a-5"]); // the announcement's offset: already had
        receive(EVENT, ["n", 2, "0000000b-1"]); // another epoch
        receive(EVENT, ["n", 3, "0000000b-20000000000000"]); // 2 ** 53
        receive(EVENT, ["n", 4, "0000000b-20000000000001"]); // past what a Number tells apart
        receive(EVENT, ["n", 5, "0000000b-20000000000001"]);
        receive(EVENT, ["n", 6, "not an offset"]);
        receive(EVENT, ["n", 7, "0000000B-1"]);
        receive(EVENT, ["n", 8, "0000000b-1"], 3); // asks for an ack: no offset
        receive(EVENT, ["n"]);
        receive(EVENT, [ANNOUNCEMENT, { pid: "p9", recovered: true, offset: "0000000f-0" }]);
        assert.deepEqual(
            got.map((args) => args.filter((arg) => typeof arg !== "function")),
            [[1], [2], [3], [4], [6, "not an offset"], [7, "0000000B-1"], [8, "0000000b-1"], []],
        );
        assert.equal(typeof got[6].at(-1), "function");
        assert.deepEqual(announcements, [], "announcements are not for listeners");
        assert.equal(socket.recovered, false);

        reconnect();
        assert.equal(sent.at(-1), '0{"pid":"p1","offset":"0000000b-20000000000001"}');
        receive(CONNECT, { sid: "b" });
        assert.equal(socket.connected, false);
        const offset = "0000000b-20000000000001";
        receive(EVENT, [ANNOUNCEMENT, { pid: "p1", recovered: true, offset }]);
        assert.deepEqual(connects.at(-1), [true, null]);
        assert.equal(socket.id, "b");

        reconnect();
        receive(CONNECT, { sid: "c" });
        const reason = "too many missed events";
        receive(EVENT, [ANNOUNCEMENT, { pid: "p2", recovered: false, offset: "0000000c-0", reason }]);
        assert.deepEqual(connects.at(-1), [false, reason]);
        receive(EVENT, ["n", 9, "0000000c-0"]);
        receive(EVENT, ["n", 10, "0000000c-1"]);
        assert.deepEqual(got.slice(-2), [[], [10]], "the announcement's offset is had already");
        reconnect();
        assert.equal(sent.at(-1), '0{"pid":"p2","offset":"0000000c-1"}');
        assert.deepEqual(announcements, []);
    });

    test("a recover socket takes a Socket.IO server's CONNECT answer with its pid as it is", () => {
        const { socket, receive, reconnect, sent } = standIn({ recover: true });
        const got = record(socket, "n");
        socket.connect();
        receive(CONNECT, { sid: "a", pid: "p1" });
        assert.equal(socket.connected, true, "no announcement to wait for");
        receive(EVENT, ["n", 1, "0000000a-1"]);
        receive(EVENT, ["n", 1, "0000000a-1"]);
        assert.deepEqual(got, [[1, "0000000a-1"], [1, "0000000a-1"]], "Socket.IO's offsets stay");
        reconnect();
        assert.equal(sent.at(-1), '0{"pid":"p1","offset":"0000000a-1"}');
    });

    test("disconnect() and the server's DISCONNECT forget the session", () => {
        for (const recover of [false, true]) {
            const { socket, sent, receive, reconnect } = standIn({ recover });
            const connected = (pid, recovered) => {
                if (recover) {
                    receive(CONNECT, { sid: "s" });
                    receive(EVENT, [ANNOUNCEMENT, { pid, recovered, offset: "0000000a-1" }]);
                } else {
                    receive(CONNECT, { sid: "s", pid });
                    receive(EVENT, ["x", "0000000a-1"]);
                }
                assert.equal(socket.connected, true);
            };
            socket.connect();
            connected("p1", false);
            reconnect();
            assert.equal(sent.at(-1), '0{"pid":"p1","offset":"0000000a-1"}');
            connected("p1", true);
            assert.equal(socket.recovered, true);

            socket.disconnect();
            assert.equal(sent.at(-1), "1");
            socket.connect();
            assert.equal(sent.at(-1), "0", `recover: ${recover}: a fresh connect`);
            connected("p1", false);
            assert.equal(socket.recovered, false);
            assert.equal(socket.recoveryFailure, null);

            receive(DISCONNECT);
            assert.equal(socket.connected, false);
            socket.connect();
            assert.equal(sent.at(-1), "0", `recover: ${recover}: fresh after the server's`);
        }
    });

    test("disconnect() while a Rain server's announcement is to come leaves the namespace", () => {
        const { socket, sent, receive } = standIn({ recover: true });
        socket.connect();
        receive(CONNECT, { sid: "a" });
        socket.disconnect();
        assert.deepEqual(sent, ["0", "1"]);
        receive(EVENT, [ANNOUNCEMENT, { pid: "p1", recovered: false, offset: "0000000a-0" }]);
        assert.equal(socket.connected, false);
    });
});

describe("acks at a drop", () => {
    const { ACK, CONNECT } = PacketType;
    const failure = (reason) => ({ error: `disconnected before the server answered (${reason})` });

    test("the acks the server owes fail once; buffered emits wait; a late ack is ignored", async () => {
        const { socket, sent, receive, reconnect } = standIn();
        const calls = [];
        socket.connect();
        receive(CONNECT, { sid: "a" });
        socket.emit("a", (...args) => calls.push(["a", ...args]));
        const b = socket.emitWithAck("b");
        socket.emit("c", (...args) => calls.push(["c", ...args]));
        receive(ACK, ["c answered"], 2);
        socket._onClose("ping timeout");
        assert.deepEqual(calls, [["c", "c answered"], ["a", failure("ping timeout")]]);
        assert.deepEqual(await b, failure("ping timeout"));

        socket.emit("d", (...args) => calls.push(["d", ...args])); // buffered
        reconnect();
        assert.equal(calls.length, 2, "a buffered emit is still to be sent");
        receive(CONNECT, { sid: "b" });
        assert.equal(sent.at(-1), '23["d"]');
        receive(ACK, ["late"], 0);
        receive(ACK, ["late"], 1);
        receive(ACK, ["d answered"], 3);
        socket.disconnect();
        assert.deepEqual(calls.slice(2), [["d", "d answered"]]);
    });

    test("a callback that throws does not stop the others", (t) => {
        t.mock.timers.enable({ apis: ["setTimeout"] }); // where the error is thrown apart
        const { socket, receive } = standIn();
        const calls = [];
        socket.connect();
        receive(CONNECT, { sid: "a" });
        socket.emit("a", () => {
            throw new Error("a callback's own");
        });
        socket.emit("b", (...args) => calls.push(args));
        socket.disconnect();
        assert.deepEqual(calls, [[failure("io client disconnect")]]);
        t.mock.timers.reset(); // the error thrown apart is dropped
    });
});

/** A stand-in for an element: the registry reads its attributes and sets `data-rain-state`. */
const element = (attributes = {}) => ({
    attributes,
    getAttribute: (name) => attributes[name] ?? null,
    setAttribute: (name, value) => (attributes[name] = value),
});

describe("component registry", () => {
    const messaging = new Messaging({ manifest: [], autoConnect: false });
    const clientRuntime = { messaging };
    const registry = new Registry(clientRuntime);

    test("an AMD object controller whose init() calls start() is started once", async () => {
        const root = element();
        const controller = await registry.register({
            moduleId: "intents-example-1.0",
            instanceId: "amd-object",
            root,
            controller: fixture("amd-object.js"),
        });
        assert.deepEqual(controller.calls, ["init", "start"]);
        assert.equal(root.attributes["data-rain-state"], "started");
        // Its own view of the page's client runtime: the sockets it asks for count as its.
        assert.equal(Object.getPrototypeOf(controller.clientRuntime), clientRuntime);
        assert.ok(controller.clientRuntime.messaging instanceof Messaging);
        assert.equal(controller.viewContext.moduleId, "intents-example-1.0");
        assert.equal(controller.viewContext.instanceId, "amd-object");
        assert.equal(controller.viewContext.getRoot(), root);
        assert.equal(globalThis.define, undefined, "define is removed after loading");
    });

    test("each instance of the same controller gets its own object", async () => {
        const controller = await registry.register({
            moduleId: "intents-example-1.0",
            instanceId: "amd-object-2",
            root: element(),
            controller: fixture("amd-object.js"),
        });
        const first = await registry.register({
            moduleId: "intents-example-1.0",
            instanceId: "amd-object",
        });
        assert.notEqual(controller, first);
        assert.equal(controller.viewContext.instanceId, "amd-object-2");
        assert.equal(first.viewContext.instanceId, "amd-object");
    });

    test("an AMD constructor with empty dependencies gets init() then start()", async () => {
        const controller = await registry.register({
            moduleId: "m-1.0",
            instanceId: "amd-class",
            controller: fixture("amd-class.js"),
        });
        assert.deepEqual(controller.calls, ["init", "start"]);
    });

    test("an ES module class with an async init()", async () => {
        const controller = await registry.register({
            moduleId: "m-1.0",
            instanceId: "esm-class",
            controller: fixture("esm-class.js"),
        });
        assert.deepEqual(controller.calls, ["init", "start"]);
    });

    test("an ES module object without init()", async () => {
        const controller = await registry.register({
            moduleId: "m-1.0",
            instanceId: "esm-object",
            controller: fixture("esm-object.js"),
        });
        assert.equal(controller.started, true);
    });

    test("an instance without controller has a view context only", async () => {
        assert.equal(await registry.register({ moduleId: "m-1.0", instanceId: "none" }), null);
    });

    test("a root given by id is looked up in the document", async (t) => {
        const root = element();
        globalThis.document = { getElementById: (id) => (id === "chat-1" ? root : null) };
        t.after(() => delete globalThis.document);
        const controller = await registry.register({
            moduleId: "m-1.0",
            instanceId: "by-id",
            root: "chat-1",
            controller: fixture("esm-object.js"),
        });
        assert.equal(controller.viewContext.getRoot(), root);
        await assert.rejects(
            registry.register({ moduleId: "m-1.0", instanceId: "by-missing-id", root: "nope" }),
            /no element with id "nope"/,
        );
    });

    test("registering an instance twice returns the same promise", () => {
        const registration = {
            moduleId: "m-1.0",
            instanceId: "twice",
            controller: fixture("amd-class.js"),
        };
        assert.equal(registry.register(registration), registry.register(registration));
    });

    for (const [file, reason] of [
        ["throws-on-init.js", /broken on purpose/],
        ["no-controller.js", /neither calls define\(\) nor has a default export/],
        ["amd-with-deps.js", /dependencies are not supported/],
        ["missing-file.js", /./],
    ]) {
        test(`a failing controller (${file}) is reported with its module and instance ids`, async () => {
            await assert.rejects(
                registry.register({
                    moduleId: "broken-1.0",
                    instanceId: `i-${file}`,
                    controller: fixture(file),
                }),
                (err) => {
                    assert.match(err.message, /component "broken-1\.0" \(instance "i-[^"]+"\)/);
                    assert.match(err.message, reason);
                    return true;
                },
            );
        });
    }

    test("start() registers every marked element; one failure does not stop the others", async (t) => {
        const errors = t.mock.method(console, "error", () => {});
        const elements = [
            element({
                "data-rain-module": "a-1.0",
                "data-rain-instance": "s1",
                "data-rain-controller": fixture("throws-on-init.js"),
            }),
            element({
                "data-rain-module": "b-1.0",
                "data-rain-instance": "s2",
                "data-rain-controller": fixture("amd-class.js"),
            }),
            element({ "data-rain-module": "c-1.0", "data-rain-instance": "s3" }),
        ];
        const document = {
            readyState: "complete",
            querySelectorAll: (selector) => (selector === "[data-rain-module]" ? elements : []),
        };
        const [failed, started, none] = await registry.start(document);
        assert.equal(failed, null);
        assert.deepEqual(started.calls, ["init", "start"]);
        assert.equal(started.viewContext.getRoot(), elements[1]);
        assert.equal(none, null);
        assert.equal(errors.mock.callCount(), 1);
        assert.match(errors.mock.calls[0].arguments[0], /"a-1\.0" \(instance "s1"\)/);
        assert.deepEqual(
            elements.map((e) => e.attributes["data-rain-state"]),
            ["failed", "started", "started"],
        );
    });
});

describe("messaging", () => {
    const manifest = [
        { moduleId: "intents-example-1.0", name: "chat/dummy socket", namespace: NSP },
        { moduleId: "intents-example-1.0", name: "news", namespace: "/intents-example-1.0/news" },
    ];
    const options = { url: "http://127.0.0.1:9", manifest, autoConnect: false };

    test("the same socket object for the same namespace", () => {
        const messaging = new Messaging(options);
        const socket = messaging.getWebSocket("intents-example-1.0", "chat/dummy socket");
        assert.equal(socket.nsp, NSP);
        assert.equal(messaging._getWebSocket("intents-example-1.0", "chat/dummy socket"), socket);
        assert.equal(socket.io, messaging.getWebSocket("intents-example-1.0", "news").io);
    });

    test("a socket missing from the manifest is reported and never connects", async (t) => {
        const errors = t.mock.method(console, "error", () => {});
        const socket = new Messaging(options).getWebSocket("intents-example-1.0", "chat/dumy");
        assert.equal(errors.mock.callCount(), 1);
        const message = errors.mock.calls[0].arguments[0];
        assert.match(message, /"chat\/dumy"/);
        assert.match(message, /"intents-example-1\.0"/);
        assert.match(message, /"chat\/dummy socket", "news"/);
        const error = await new Promise((resolve) => socket.on("connect_error", resolve));
        assert.equal(error.message, message);
        assert.equal(socket.connected, false);
    });

    test("a socket's namespace is its manifest entry's, whatever its name", () => {
        const elsewhere = [{ moduleId: "m-1.0", name: "chat", namespace: "/elsewhere/chat" }];
        const messaging = new Messaging({ ...options, manifest: elsewhere });
        assert.equal(messaging.getWebSocket("m-1.0", "chat").nsp, "/elsewhere/chat");
    });

    test("without a manifest, every socket is reported and never connects", async (t) => {
        const errors = t.mock.method(console, "error", () => {});
        const socket = new Messaging({ ...options, manifest: null }).getWebSocket(
            "intents-example-1.0",
            "chat/dummy socket",
        );
        assert.equal(errors.mock.callCount(), 1);
        assert.match(errors.mock.calls[0].arguments[0], /"chat\/dummy socket".*no sockets/);
        const error = await new Promise((resolve) => socket.on("connect_error", resolve));
        assert.equal(error.message, errors.mock.calls[0].arguments[0]);
        assert.equal(socket.io, null);
    });

    test("a manifest entry with recover makes a socket that waits for Rain's announcement", () => {
        const entries = [
            { moduleId: "m-1.0", name: "kept", namespace: "/m-1.0/kept", recover: 120_000 },
            { moduleId: "m-1.0", name: "plain", namespace: "/m-1.0/plain" },
        ];
        const messaging = new Messaging({ ...options, manifest: entries });
        const kept = messaging.getWebSocket("m-1.0", "kept");
        const plain = messaging.getWebSocket("m-1.0", "plain");
        for (const socket of [kept, plain]) {
            socket._onPacket({ type: PacketType.CONNECT, nsp: socket.nsp, data: { sid: "s" } });
        }
        assert.equal(kept.connected, false);
        assert.equal(plain.connected, true);
        plain._onClose("test over");
    });

    test("a component without sockets is named as such", (t) => {
        const errors = t.mock.method(console, "error", () => {});
        new Messaging(options).getWebSocket("other-2.0", "chat");
        assert.match(
            errors.mock.calls[0].arguments[0],
            /"other-2\.0".*no sockets, or does not exist/,
        );
    });
});
