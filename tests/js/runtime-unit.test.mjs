// Unit tests of the browser runtime: wire codecs, backoff, component registry, messaging.

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
const { backoff } = await runtimeModule("socket.js");
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
        assert.equal(controller.clientRuntime, clientRuntime);
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

    test("a component without sockets is named as such", (t) => {
        const errors = t.mock.method(console, "error", () => {});
        new Messaging(options).getWebSocket("other-2.0", "chat");
        assert.match(
            errors.mock.calls[0].arguments[0],
            /"other-2\.0".*no sockets, or does not exist/,
        );
    });
});
