// Binary payloads in Rain's browser runtime: the codecs (protocol.js), a socket's outgoing order
// with Blobs, and emits and acks carrying binaries against the official Node socket.io 4.8
// server, in process on 127.0.0.1, over a WebSocket alone and over long-polling alone.

import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { createServer } from "node:http";
import { describe, test } from "node:test";

import { Server } from "socket.io";

import { runtimeModule } from "./support/runtime.mjs";

const {
    Decoder,
    MAX_ATTACHMENTS,
    PacketType,
    decode,
    decodePayload,
    encode,
    encodePayload,
    fromBase64,
    toBase64,
} = await runtimeModule("protocol.js");
const { Manager, Socket } = await runtimeModule("socket.js");

const TEST_TIMEOUT = { timeout: 20_000 };
const FAST_RECONNECT = { reconnectionDelay: 20, reconnectionDelayMax: 100 };
const TRANSPORTS = [["websocket"], ["polling"]];

/** `values` as an ArrayBuffer. */
const bytes = (...values) => new Uint8Array(values).buffer;

/** The bytes `binary` stands for: all of an ArrayBuffer's, only those a view sees. */
function bytesOf(binary) {
    if (binary instanceof ArrayBuffer) return new Uint8Array(binary);
    return new Uint8Array(binary.buffer, binary.byteOffset, binary.byteLength);
}

/** Asserts that `actual` is an ArrayBuffer (or, `server`, a Buffer) holding `expected`'s bytes. */
function assertBytes(actual, expected, { server = false } = {}) {
    if (server) assert.ok(Buffer.isBuffer(actual), `not a Buffer: ${actual}`);
    else assert.ok(actual instanceof ArrayBuffer, `not an ArrayBuffer: ${actual}`);
    assert.deepEqual(new Uint8Array(bytesOf(actual)), new Uint8Array(bytesOf(expected)));
}

/** Feeds the Engine.IO messages of `encoded` to `decoder`; the packet once whole. */
function feed(decoder, encoded) {
    const messages = typeof encoded === "string" ? [encoded] : encoded;
    let packet;
    for (const message of messages) {
        const data = typeof message === "string" ? message : bytesOf(message).slice().buffer;
        assert.equal(packet, undefined, "whole before its last attachment");
        packet = decoder.add(data);
    }
    return packet;
}

/** A promise and the functions settling it. */
function deferred() {
    let resolve, reject;
    const promise = new Promise((res, rej) => ((resolve = res), (reject = rej)));
    return { promise, resolve, reject };
}

/** A Blob whose `arrayBuffer()` waits for `release()`. */
class SlowBlob extends Blob {
    #gate = deferred();
    release = () => this.#gate.resolve();
    arrayBuffer() {
        return this.#gate.promise.then(() => super.arrayBuffer());
    }
}

describe("binary Socket.IO packets", () => {
    test("an event with binaries encodes as BINARY_EVENT, placeholders, then attachments", () => {
        const a = bytes(1, 2);
        const b = new Uint16Array([3, 4]);
        const encoded = encode({
            type: PacketType.EVENT,
            nsp: "/a b/c",
            id: 7,
            data: ["x", a, { nested: [1, { b }] }],
        });
        assert.deepEqual(encoded, [
            '52-/a b/c,7["x",{"_placeholder":true,"num":0},' +
                '{"nested":[1,{"b":{"_placeholder":true,"num":1}}]}]',
            a,
            b,
        ]);
        assert.equal(encoded[1], a, "the binaries themselves, not copies");
        assert.equal(encoded[2], b);
    });

    test("an ack with binaries encodes as BINARY_ACK", () => {
        assert.deepEqual(encode({ type: PacketType.ACK, nsp: "/", id: 0, data: [bytes(9)] }), [
            '61-0[{"_placeholder":true,"num":0}]',
            bytes(9),
        ]);
    });

    test("text-only packets still encode as one string", () => {
        const date = new Date(0);
        assert.equal(
            encode({ type: PacketType.EVENT, nsp: "/", data: ["d", date, { a: [null] }] }),
            '2["d","1970-01-01T00:00:00.000Z",{"a":[null]}]',
        );
    });

    test("a Node.js Buffer is binary, its toJSON notwithstanding", () => {
        const buffer = Buffer.from([1, 2, 3]);
        assert.deepEqual(encode({ type: PacketType.EVENT, nsp: "/", data: ["b", buffer] }), [
            '51-["b",{"_placeholder":true,"num":0}]',
            buffer,
        ]);
    });

    test("Blobs and Files are attachments as they are, to be read before sending", () => {
        const blob = new Blob(["hi"]);
        const file = new File(["there"], "f.txt");
        const [header, ...attachments] = encode({
            type: PacketType.EVENT,
            nsp: "/",
            data: ["f", [blob, file]],
        });
        assert.equal(
            header,
            '52-["f",[{"_placeholder":true,"num":0},{"_placeholder":true,"num":1}]]',
        );
        assert.deepEqual(attachments, [blob, file]);
    });

    test("round trips through a Decoder, nested, give ArrayBuffers of the bytes sent", () => {
        const buffer = new Uint8Array([0, 1, 2, 3, 4, 5, 6, 7]).buffer;
        const original = [
            "x",
            new Uint8Array(buffer, 2, 3), // a view with an offset: its bytes only
            new DataView(buffer, 5),
            { deep: [[{ k: new Float64Array([1.5]) }]], text: "t", n: 1 },
            [buffer, buffer], // the same buffer twice: two attachments
        ];
        for (const [type, id] of [
            [PacketType.EVENT, undefined],
            [PacketType.EVENT, 12],
            [PacketType.ACK, 0],
        ]) {
            const packet = feed(new Decoder(), encode({ type, nsp: "/n", id, data: original }));
            const keys = id === undefined ? ["data", "nsp", "type"] : ["data", "id", "nsp", "type"];
            assert.deepEqual(Object.keys(packet).sort(), keys);
            assert.equal(packet.type, type);
            assert.equal(packet.id, id);
            const [event, view, dataView, { deep, text, n }, [first, second]] = packet.data;
            assert.equal(event, "x");
            assertBytes(view, new Uint8Array([2, 3, 4]));
            assertBytes(dataView, new Uint8Array([5, 6, 7]));
            assertBytes(deep[0][0].k, new Float64Array([1.5]));
            assert.deepEqual([text, n], ["t", 1]);
            assertBytes(first, buffer);
            assertBytes(second, buffer);
        }
    });

    test("a placeholder may stand under any key, __proto__ included", () => {
        const decoder = new Decoder();
        decoder.add('51-["x",{"__proto__":{"_placeholder":true,"num":0}}]');
        const [, holder] = decoder.add(bytes(1)).data;
        assert.equal(Object.getPrototypeOf(holder), Object.prototype);
        assert.ok(Object.hasOwn(holder, "__proto__"));
        assertBytes(holder.__proto__, bytes(1));
    });

    test("attachments above the limit are a RangeError, at the default or a given limit", () => {
        const many = (n) => Array.from({ length: n }, () => bytes(n));
        const event = (n) => ({ type: PacketType.EVENT, nsp: "/", data: ["m", ...many(n)] });
        assert.equal(MAX_ATTACHMENTS, 64);
        assert.equal(encode(event(64)).length, 65);
        assert.throws(() => encode(event(65)), {
            name: "RangeError",
            message: /at most 64 binary attachments.*has 65/,
        });
        assert.equal(encode(event(2), 2).length, 3);
        assert.throws(() => encode(event(3), 2), RangeError);
    });

    test("binary packets decode with their attachment count, then wait for them", () => {
        assert.equal(decode('51-["a",{"_placeholder":true,"num":0}]').attachments, 1);
        assert.equal(decode('564-/x,["a"]').attachments, 64);
        const decoder = new Decoder();
        assert.equal(decoder.add('62-/x,5[{"_placeholder":true,"num":1},0]'), undefined);
        assert.equal(decoder.add(bytes(1)), undefined);
        const packet = decoder.add(bytes(2));
        assert.deepEqual(packet, { type: PacketType.ACK, nsp: "/x", id: 5, data: [bytes(2), 0] });
        assert.deepEqual(decoder.add('2["after"]'), {
            type: PacketType.EVENT,
            nsp: "/",
            data: ["after"],
        });
    });

    const NOT_AWAITED = "binary data while awaiting no attachments";
    const malformed = [
        ["a count of zero", ['50-["a"]'], "invalid attachment count"],
        ["no count", ['5-["a"]'], "invalid attachment count"],
        ["a count that is not an integer", ['51.5-["a"]'], "invalid attachment count"],
        ["a count that is not a number", ['5a-["a"]'], "invalid attachment count"],
        ["a negative count", ['5-1-["a"]'], "invalid attachment count"],
        ["a count above the limit", ['565-["a"]'], "too many attachments"],
        ["a count far above the limit", ['599999999999999999999-["a"]'], "too many attachments"],
        ["no dash after the count", ['51["a"]'], "invalid packet"],
        [
            "an event name that is a placeholder",
            ['51-[{"_placeholder":true,"num":0}]'],
            "invalid payload",
        ],
        ["an object for data", ['61-0{"_placeholder":true,"num":0}'], "invalid payload"],
        [
            "a placeholder number out of range",
            ['51-["a",{"_placeholder":true,"num":1}]', bytes(1)],
            "invalid attachment placeholder",
        ],
        [
            "a negative placeholder number",
            ['51-["a",{"_placeholder":true,"num":-1}]', bytes(1)],
            "invalid attachment placeholder",
        ],
        [
            "a placeholder number that is not an integer",
            ['52-["a",{"_placeholder":true,"num":0.5}]', bytes(1), bytes(2)],
            "invalid attachment placeholder",
        ],
        [
            "a placeholder number as a string",
            ['51-["a",{"_placeholder":true,"num":"0"}]', bytes(1)],
            "invalid attachment placeholder",
        ],
        [
            "a placeholder without a number",
            ['51-["a",{"_placeholder":true}]', bytes(1)],
            "invalid attachment placeholder",
        ],
        [
            "a text packet while attachments are awaited",
            ['52-["a",{"_placeholder":true,"num":0}]', bytes(1), '2["b"]'],
            "text packet while awaiting attachments",
        ],
        ["binary data no packet announced", [bytes(1)], NOT_AWAITED],
        ["binary data after a text packet", ['2["a"]', bytes(1)], NOT_AWAITED],
        ["a view instead of an ArrayBuffer", ['51-["a",1]', new Uint8Array(1)], "invalid packet"],
        ["neither text nor an ArrayBuffer", ['51-["a",1]', { byteLength: 1 }], "invalid packet"],
    ];
    for (const [name, messages, message] of malformed) {
        test(`${name} is an Error: ${message}`, () => {
            const decoder = new Decoder();
            const last = messages.at(-1);
            for (const data of messages.slice(0, -1)) decoder.add(data);
            assert.throws(() => decoder.add(last), (error) => {
                assert.equal(Object.getPrototypeOf(error), Error.prototype);
                assert.equal(error.message, message);
                return true;
            });
        });
    }

    test("a Decoder's limit is its own", () => {
        const decoder = new Decoder(2);
        assert.equal(decoder.add('52-["a",1]'), undefined);
        assert.throws(() => new Decoder(2).add('53-["a",1]'), /too many attachments/);
    });
});

describe("polling payloads with binary data", () => {
    test("binary messages are b and base64, between text packets", () => {
        const packets = [
            { type: "message", data: '51-["a",{"_placeholder":true,"num":0}]' },
            { type: "message", data: bytes(1, 2, 3, 4) },
            { type: "ping" },
            { type: "message", data: bytes() },
        ];
        const payload = encodePayload(packets);
        assert.equal(payload, '451-["a",{"_placeholder":true,"num":0}]\x1ebAQIDBA==\x1e2\x1eb');
        assert.deepEqual(decodePayload(payload), packets);
    });

    test("a view is encoded as its own bytes", () => {
        const buffer = bytes(9, 1, 2, 3, 9);
        const payload = encodePayload([
            { type: "message", data: new Uint8Array(buffer, 1, 3) },
            { type: "message", data: new DataView(buffer, 4, 1) },
        ]);
        assert.equal(payload, "bAQID\x1ebCQ==");
    });

    test("base64 agrees with Node's for every length near the chunk size, and 1 MiB", () => {
        for (const length of [0, 1, 2, 3, 4, 5, 24575, 24576, 24577, 24578, 65536, 1 << 20]) {
            const data = randomBytes(length);
            const base64 = data.toString("base64");
            assert.equal(toBase64(data), base64, `${length} bytes`);
            assertBytes(fromBase64(base64), data);
        }
    });

    test("invalid base64 is an error packet; the packets around it stay", () => {
        assert.deepEqual(
            decodePayload("6\x1eb!!!!\x1ebAQ==").map((p) => p.type),
            ["noop", "error", "message"],
        );
        assert.deepEqual(decodePayload("bA").map((p) => p.type), ["error"]);
    });

    test("a text WebSocket frame with a b is no binary message", async () => {
        const { decodeEnginePacket } = await runtimeModule("protocol.js");
        assert.equal(decodeEnginePacket("bAQI=").type, "error");
    });
});

/**
 * A socket on a stand-in for its manager, which records what the socket sends. The socket is
 * connected.
 */
function fakeSocket({ maxAttachments = 64 } = {}) {
    const sent = [];
    const waiters = [];
    const record = (item) => {
        sent.push(item);
        for (const waiter of waiters.splice(0)) waiter();
    };
    const io = {
        engine: {},
        options: { maxAttachments },
        deactivated: 0,
        _activate: (socket) => socket._onOpen(),
        _deactivate: () => {
            io.deactivated++;
            record("deactivated");
        },
        _packet: (packet, engine = io.engine) => {
            if (engine === io.engine) record(packet);
        },
    };
    const socket = new Socket(io, "/");
    socket.connect();
    socket._onPacket({ type: PacketType.CONNECT, nsp: "/", data: { sid: "s" } });
    sent.length = 0;
    /** Resolves once `n` packets (and deactivations) are recorded in all. */
    const sentCount = async (n) => {
        while (sent.length < n) await new Promise((resolve) => waiters.push(resolve));
    };
    return { socket, io, sent, sentCount };
}

describe("a socket's outgoing packets with Blobs", () => {
    test("text and ArrayBuffer emits go out at once", () => {
        const { socket, sent } = fakeSocket();
        socket.emit("a", 1);
        assert.deepEqual(sent, ['2["a",1]']);
        const buffer = bytes(1);
        socket.emit("b", buffer);
        assert.deepEqual(sent.at(-1), ['51-["b",{"_placeholder":true,"num":0}]', buffer]);
    });

    test("a Blob is read, and the emits after it wait for it: the order is kept", async () => {
        const { socket, sent, sentCount } = fakeSocket();
        const first = new SlowBlob([new Uint8Array([1, 2])]);
        const second = new SlowBlob([new Uint8Array([3])]);
        socket.emit("first", first);
        socket.emit("text", "t");
        socket.emit("buffer", bytes(9));
        socket.emit("second", { nested: [second] });
        socket.emit("last");
        assert.deepEqual(sent, [], "nothing overtakes the first Blob");
        second.release(); // read first, sent in turn
        first.release();
        await sentCount(5);
        assert.deepEqual(
            sent.map((packet) => (typeof packet === "string" ? packet : packet[0])),
            [
                '51-["first",{"_placeholder":true,"num":0}]',
                '2["text","t"]',
                '51-["buffer",{"_placeholder":true,"num":0}]',
                '51-["second",{"nested":[{"_placeholder":true,"num":0}]}]',
                '2["last"]',
            ],
        );
        assertBytes(sent[0][1], bytes(1, 2));
        assertBytes(sent[3][1], bytes(3));
        socket.emit("then", "at once");
        assert.deepEqual(sent.at(-1), '2["then","at once"]', "back to the direct path");
    });

    test("acks wait behind a Blob too, and may carry one", async () => {
        const { socket, sent, sentCount } = fakeSocket();
        let ack;
        socket.on("ask", (fn) => (ack = fn));
        socket._onPacket({ type: PacketType.EVENT, nsp: "/", id: 4, data: ["ask"] });
        const blob = new SlowBlob(["b"]);
        socket.emit("blob", blob);
        ack(new Blob(["answer"]));
        blob.release();
        await sentCount(2);
        assert.equal(sent[0][0], '51-["blob",{"_placeholder":true,"num":0}]');
        assert.equal(sent[1][0], '61-4[{"_placeholder":true,"num":0}]');
        assertBytes(sent[1][1], new TextEncoder().encode("answer"));
    });

    test("a disconnect waits behind a Blob, and the connection is let go after it", async () => {
        const { socket, io, sent, sentCount } = fakeSocket();
        const blob = new SlowBlob(["b"]);
        socket.emit("blob", blob);
        socket.disconnect();
        assert.equal(socket.connected, false);
        assert.equal(io.deactivated, 0);
        blob.release();
        await sentCount(3);
        assert.deepEqual(
            sent.map((packet) => (Array.isArray(packet) ? packet[0] : packet)),
            ['51-["blob",{"_placeholder":true,"num":0}]', "1", "deactivated"],
        );
    });

    test("a packet whose connection was replaced while its Blob was read is dropped", async () => {
        const { socket, io, sent, sentCount } = fakeSocket();
        const blob = new SlowBlob(["b"]);
        socket.emit("blob", blob);
        socket.emit("text behind it");
        io.engine = {}; // a new connection, which has not seen this socket's CONNECT
        blob.release();
        socket._onPacket({ type: PacketType.CONNECT, nsp: "/", data: { sid: "t" } });
        socket.emit("after");
        await sentCount(1);
        assert.deepEqual(sent, ['2["after"]']);
    });

    test("an emit over maxAttachments throws a RangeError and sends nothing", () => {
        const { socket, sent } = fakeSocket({ maxAttachments: 2 });
        const acked = [];
        assert.throws(
            () => socket.emit("m", bytes(1), [bytes(2), { c: bytes(3) }], () => acked.push(1)),
            {
                name: "RangeError",
                message: /at most 2 binary attachments \(maxAttachments\); this one has 3/,
            },
        );
        assert.deepEqual(sent, []);
        socket.emit("ok", bytes(1), () => {});
        assert.equal(sent[0][0], '51-0["ok",{"_placeholder":true,"num":0}]', "no ack id was used");
    });

    test("buffered emits with Blobs go out in order on connect", async () => {
        const { socket, sent, sentCount } = fakeSocket();
        socket._onClose("transport close");
        const blob = new SlowBlob(["z"]);
        socket.emit("blob", blob);
        socket.emit("text");
        socket._onPacket({ type: PacketType.CONNECT, nsp: "/", data: { sid: "u" } });
        assert.deepEqual(sent, []);
        blob.release();
        await sentCount(2);
        assert.deepEqual(sent[1], '2["text"]');
    });
});

/**
 * Starts the official socket.io server on 127.0.0.1 (port 0: any free one). It answers:
 * `echo` acks its arguments back; `relay` sends them to every other socket as `relayed`;
 * `record` keeps them in `records` and acks.
 */
async function startServer(t, options = {}) {
    const http = createServer();
    const io = new Server(http, { maxHttpBufferSize: 4e6, ...options });
    const records = [];
    io.on("connection", (socket) => {
        socket.on("echo", (...args) => args.at(-1)(...args.slice(0, -1)));
        socket.on("relay", (...args) => socket.broadcast.emit("relayed", ...args));
        socket.on("record", (...args) => {
            const ack = typeof args.at(-1) === "function" ? args.pop() : null;
            records.push(args);
            ack?.();
        });
    });
    await new Promise((resolve, reject) => {
        http.once("error", reject);
        http.listen(0, "127.0.0.1", resolve);
    });
    const { port } = /** @type {import("node:net").AddressInfo} */ (http.address());
    const managers = [];
    t.after(async () => {
        for (const manager of managers) manager.close();
        await new Promise((resolve) => io.close(() => resolve()));
    });
    /** A connected Rain socket on a manager of its own. */
    const client = async (managerOptions) => {
        const manager = new Manager(`http://127.0.0.1:${port}`, {
            ...FAST_RECONNECT,
            ...managerOptions,
        });
        managers.push(manager);
        const joined = next(io, "connection");
        const socket = manager.socket("/").connect();
        const [[serverSocket]] = await Promise.all([joined, next(socket, "connect")]);
        return { manager, socket, serverSocket };
    };
    return { io, records, client };
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

/** A test against a server: given more time. */
const serverTest = (name, fn) => test(name, TEST_TIMEOUT, fn);

/** Sends an event with an ack; resolves with all of the ack's arguments. */
const emitForAck = (socket, event, ...args) =>
    new Promise((resolve) => socket.emit(event, ...args, (...answer) => resolve(answer)));

for (const transports of TRANSPORTS) {
    const name = transports[0];
    const clientOptions = { transports };

    describe(`binaries with the official socket.io server over ${name} only`, () => {
        serverTest("emits reach the server as the bytes sent; its Buffer ack too", async (t) => {
            const server = await startServer(t, { transports });
            const { socket, manager, serverSocket } = await server.client(clientOptions);
            assert.equal(manager.engine.transport.name, name);
            // The WebSocket messages the server gets, binary (true) or text (false).
            const frames = [];
            if (name === "websocket") {
                const ws = serverSocket.conn.transport.socket;
                ws.on("message", (_, binary) => frames.push(binary));
            }
            const buffer = Uint8Array.from({ length: 256 }, (_, i) => i).buffer;
            const sent = [
                buffer,
                new Uint8Array(buffer, 10, 5),
                new DataView(buffer, 250),
                { nested: [new Int16Array([-1, 2]), { deeper: new Float32Array([0.5]) }], n: 1 },
                "text",
            ];
            const answer = await emitForAck(socket, "echo", ...sent);
            // The server decoded Buffers, and acked with them: a BINARY_ACK.
            const [ab, view, dataView, { nested, n }, text] = answer;
            assertBytes(ab, sent[0]);
            assertBytes(view, sent[1]);
            assert.equal(view.byteLength, 5, "only the view's bytes are sent");
            assertBytes(dataView, sent[2]);
            assertBytes(nested[0], sent[3].nested[0]);
            assertBytes(nested[1].deeper, sent[3].nested[1].deeper);
            assert.deepEqual([n, text], [1, "text"]);
            if (name === "websocket") {
                // The packet, then its 5 attachments as binary frames.
                assert.deepEqual(frames, [false, true, true, true, true, true]);
            }

            await emitForAck(socket, "record", new Uint8Array(buffer, 1, 2), { b: buffer });
            const [[view2, { b }]] = server.records;
            assertBytes(view2, new Uint8Array([1, 2]), { server: true });
            assertBytes(b, buffer, { server: true });
        });

        serverTest("Rain -> server -> Rain: byte-identical, nested, 64 KiB, 1 MiB", async (t) => {
            const server = await startServer(t, { transports });
            const [a, b] = [await server.client(clientOptions), await server.client(clientOptions)];
            for (const size of [0, 1, 64 * 1024, 1024 * 1024]) {
                const payload = randomBytes(size);
                const small = randomBytes(3);
                const relayed = next(b.socket, "relayed");
                const smallBuffer = new Uint8Array(small).buffer; // a copy: its own ArrayBuffer
                a.socket.emit("relay", size, { big: new Uint8Array(payload), list: [smallBuffer] });
                const [got, { big, list }] = await relayed;
                assert.equal(got, size);
                assertBytes(big, payload);
                assertBytes(list[0], small);
            }
        });

        serverTest("a server emit of a Buffer gets the client's ArrayBuffer ack", async (t) => {
            const server = await startServer(t, { transports });
            const { socket, serverSocket } = await server.client(clientOptions);
            socket.on("reverse", (data, ack) => {
                assert.ok(data instanceof ArrayBuffer);
                ack(new Uint8Array(data).slice().reverse().buffer, { copy: data });
            });
            const payload = randomBytes(64 * 1024);
            const [reversed, { copy }] = await new Promise((resolve) =>
                serverSocket.emit("reverse", payload, (...answer) => resolve(answer)),
            );
            assertBytes(reversed, Buffer.from(payload).reverse(), { server: true });
            assertBytes(copy, payload, { server: true });
            // And the promise form.
            const three = Buffer.from([1, 2, 3]);
            const answer = await serverSocket.timeout(5000).emitWithAck("reverse", three);
            assertBytes(answer, bytes(3, 2, 1), { server: true });
        });

        serverTest("Blobs are sent in emit order, among text and ArrayBuffer emits", async (t) => {
            const server = await startServer(t, { transports });
            const { socket, serverSocket } = await server.client(clientOptions);
            const big = randomBytes(256 * 1024);
            socket.emit("record", 1, new Blob([big]));
            socket.emit("record", 2, "text");
            socket.emit("record", 3, new File([new Uint8Array([7, 8])], "f.bin"), bytes(9));
            socket.emit("record", 4, bytes(4));
            await emitForAck(socket, "record", 5);
            assert.deepEqual(
                server.records.map(([n]) => n),
                [1, 2, 3, 4, 5],
            );
            assertBytes(server.records[0][1], big, { server: true });
            assertBytes(server.records[2][1], bytes(7, 8), { server: true });
            assertBytes(server.records[2][2], bytes(9), { server: true });
            // A Blob echoed by the server, then a Blob as the client's ack.
            const [echoed] = await emitForAck(socket, "echo", new Blob(["blob echo"]));
            assert.equal(Buffer.from(echoed).toString(), "blob echo");
            socket.on("as blob", (text, ack) => ack(new Blob([text])));
            const acked = await serverSocket.timeout(5000).emitWithAck("as blob", "blob ack");
            assert.equal(acked.toString(), "blob ack");
        });

        serverTest("an emit over maxAttachments is a RangeError; nothing is sent", async (t) => {
            const server = await startServer(t, { transports });
            const { socket } = await server.client({ ...clientOptions, maxAttachments: 3 });
            const four = [bytes(1), bytes(2), bytes(3), bytes(4)];
            assert.throws(() => socket.emit("record", ...four), RangeError);
            assert.throws(() => socket.emit("record", { nested: four }, () => {}), RangeError);
            await emitForAck(socket, "record", "after", ...four.slice(1));
            assert.equal(server.records.length, 1);
            assert.equal(server.records[0][0], "after");
        });

        // What the server writes as Engine.IO messages, bypassing its own encoder.
        const one = Buffer.from([1]);
        const parseErrors = [
            ["a placeholder out of range", ['51-["x",{"_placeholder":true,"num":1}]', one]],
            [
                "a text packet while attachments are awaited",
                ['52-["x",{"_placeholder":true,"num":0}]', one, '2["y"]'],
            ],
            ["an attachment no packet announced", [one]],
            ["a count that is not an integer", ['51.5-["x"]']],
            ["a count above maxAttachments", ['54-["x",1]', one], { maxAttachments: 3 }],
            ["a count above the default limit", ['565-["x",1]', one]],
        ];
        for (const [what, messages, options] of parseErrors) {
            serverTest(`${what} from the server is a parse error; it reconnects`, async (t) => {
                const server = await startServer(t, { transports });
                const client = await server.client({ ...clientOptions, ...options });
                const { socket, serverSocket } = client;
                const events = [];
                socket.on("x", () => events.push("x"));
                socket.on("y", () => events.push("y"));
                const reason = next(socket, "disconnect");
                for (const message of messages) serverSocket.conn.write(message);
                assert.deepEqual(await reason, ["parse error"]);
                assert.deepEqual(events, [], "no listener got the broken packet");
                await next(socket, "connect");
                const [answer] = await emitForAck(socket, "echo", bytes(5));
                assertBytes(answer, bytes(5));
            });
        }
    });
}

describe("binaries across a polling to WebSocket upgrade", () => {
    serverTest("emits and acks made around the upgrade arrive whole and in order", async (t) => {
        const server = await startServer(t);
        const { socket, manager } = await server.client({ transports: ["polling", "websocket"] });
        const answers = [];
        for (let i = 0; i < 5; i++) {
            answers.push(emitForAck(socket, "echo", i, randomBytes(1000 * i)));
        }
        if (manager.engine.transport.name !== "websocket") await next(manager.engine, "upgrade");
        answers.push(emitForAck(socket, "echo", 5, new Blob([randomBytes(10)])));
        const results = await Promise.all(answers);
        assert.deepEqual(results.map(([i]) => i), [0, 1, 2, 3, 4, 5]);
        for (const [i, data] of results) assert.equal(data.byteLength, i === 5 ? 10 : 1000 * i);
        assert.equal(manager.engine.transport.name, "websocket");
    });
});
