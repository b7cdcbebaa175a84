// Property and fuzz tests of the browser runtime's wire codecs (rain-core/src/client/protocol.js):
// random and mutated input never makes the decoders throw anything but their documented errors,
// and every valid packet, binary ones included, survives encode -> decode unchanged. Seeded: a
// failure prints its seed, and RAIN_FUZZ_SEED replays it.
import assert from "node:assert/strict";
import { describe, test } from "node:test";

import { runtimeModule } from "./support/runtime.mjs";
import { seeded } from "./support/random.mjs";

const {
    Decoder,
    MAX_ATTACHMENTS,
    PacketType,
    decode,
    decodeEnginePacket,
    decodePayload,
    encode,
    encodeEnginePacket,
    encodePayload,
} = await runtimeModule("protocol.js");

const CASES = Number(process.env.RAIN_FUZZ_CASES ?? 20_000);
const SEED = Number(process.env.RAIN_FUZZ_SEED ?? Date.now() % 1_000_000);
const DECODE_ERRORS = new Set([
    "invalid packet",
    "invalid payload",
    "invalid attachment count",
    "too many attachments",
]);
// What a Decoder may throw besides: a message out of turn, a placeholder that is no attachment.
const DECODER_ERRORS = new Set([
    ...DECODE_ERRORS,
    "text packet while awaiting attachments",
    "binary data while awaiting no attachments",
    "invalid attachment placeholder",
]);
const ENGINE_TYPES = new Set(["open", "close", "ping", "pong", "message", "upgrade", "noop", "error"]);

function generator(seed) {
    const { next, int, pick } = seeded(seed);
    const char = () =>
        pick([
            () => pick([..."0123456789"]),
            () => pick([..."[]{}\",:/-\\ \u001e"]),
            () => String.fromCharCode(int(128)),
            () => String.fromCharCode(0xd800 + int(0x800)), // lone surrogates
            () => String.fromCodePoint(int(0x10ffff)),
        ])();
    const text = (max) => Array.from({ length: int(max) }, char).join("");
    return { next, int, pick, text };
}

/** A random JSON value, `depth` levels deep at most. */
function json(r, depth = 3) {
    const leaves = [() => null, () => r.next() < 0.5, () => r.int(1e9) - 5e8, () => r.next() * 1e6, () => r.text(12)];
    if (depth === 0) return r.pick(leaves)();
    return r.pick([
        ...leaves,
        () => Array.from({ length: r.int(4) }, () => json(r, depth - 1)),
        () => Object.fromEntries(Array.from({ length: r.int(4) }, () => [r.text(6), json(r, depth - 1)])),
    ])();
}

/** A namespace as Rain writes them: `/`, or segments that may hold spaces and any text but `,`. */
function namespace(r) {
    if (r.int(4) === 0) return "/";
    const segment = () => r.text(8).replace(/[,/]/g, "") || "x";
    return "/" + Array.from({ length: 1 + r.int(3) }, segment).join("/");
}

/** A valid Socket.IO packet of any type the runtime decodes. */
function packet(r) {
    const nsp = namespace(r);
    const type = r.int(5);
    switch (type) {
        case PacketType.CONNECT:
            return r.int(2) ? { type, nsp } : { type, nsp, data: { sid: r.text(20) } };
        case PacketType.DISCONNECT:
            return { type, nsp };
        case PacketType.EVENT: {
            const data = [r.int(5) ? r.text(10) : r.int(1000), ...Array.from({ length: r.int(3) }, () => json(r))];
            return r.int(2) ? { type, nsp, data } : { type, nsp, id: r.int(1e6), data };
        }
        case PacketType.ACK:
            return { type, nsp, id: r.int(1e6), data: Array.from({ length: r.int(3) }, () => json(r)) };
        default:
            return { type, nsp, data: r.int(2) ? r.text(20) : { message: r.text(10), data: json(r, 1) } };
    }
}

/** Random bytes, `max` at most, as an ArrayBuffer. */
const randomBytes = (r, max) => Uint8Array.from({ length: r.int(max) }, () => r.int(256)).buffer;

/** An EVENT or ACK whose data holds 1 to 5 binaries, nested anywhere. */
function binaryPacket(r) {
    const binary = () =>
        r.pick([
            () => randomBytes(r, 40),
            () => new Uint8Array(randomBytes(r, 40)),
            () => {
                const buffer = randomBytes(r, 40);
                const offset = r.int(buffer.byteLength + 1);
                return new DataView(buffer, offset, r.int(buffer.byteLength - offset + 1));
            },
        ])();
    const nest = (value) =>
        r.pick([() => value, () => [json(r, 1), value], () => ({ [r.text(5) || "k"]: value })])();
    const binaries = Array.from({ length: 1 + r.int(5) }, () => nest(binary()));
    const nsp = namespace(r);
    if (r.int(2)) return { type: PacketType.ACK, nsp, id: r.int(1e6), data: binaries };
    const event = { type: PacketType.EVENT, nsp, data: [r.text(10), ...binaries] };
    return r.int(2) ? event : { ...event, id: r.int(1e6) };
}

/** `value` with each binary as the ArrayBuffer of its bytes, as a Decoder gives it. */
function received(value) {
    if (value instanceof ArrayBuffer) return value;
    if (ArrayBuffer.isView(value)) {
        return value.buffer.slice(value.byteOffset, value.byteOffset + value.byteLength);
    }
    if (Array.isArray(value)) return value.map(received);
    if (value && typeof value === "object") {
        return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, received(v)]));
    }
    return value;
}

/** The Engine.IO messages of an encoded packet, each binary as the ArrayBuffer it arrives as. */
const messages = (encoded) => (typeof encoded === "string" ? [encoded] : encoded.map(received));

/** `text` with a few random edits: deletions, insertions, swaps, truncation, repetition. */
function mutate(r, text) {
    let out = text;
    for (let n = 1 + r.int(3); n > 0; n--) {
        const at = r.int(out.length + 1);
        out = r.pick([
            () => out.slice(0, at) + out.slice(at + 1),
            () => out.slice(0, at) + r.text(3) + out.slice(at),
            () => out.slice(0, at) + r.pick([..."0123456,[]{}\"/"]) + out.slice(at + 1),
            () => out.slice(0, at),
            () => out.slice(0, at) + out.slice(at - r.int(5), at) + out.slice(at),
            () => r.pick(["5", "6", "7", "9", ""]) + out.slice(1),
        ])();
    }
    return out;
}

/** Calls `decode`; a throw must be one of its documented Errors. */
function decodeSafely(input) {
    try {
        return decode(input);
    } catch (error) {
        assert.equal(Object.getPrototypeOf(error), Error.prototype, `not a plain Error: ${error}`);
        assert.ok(DECODE_ERRORS.has(error.message), `undocumented error: ${error.message}`);
        return undefined;
    }
}

/** Feeds `inputs` to a new Decoder; a throw must be one of its documented Errors. */
function decodeAllSafely(inputs) {
    const decoder = new Decoder();
    const packets = [];
    try {
        for (const input of inputs) {
            const packet = decoder.add(input);
            if (!packet) continue;
            assert.ok(packet.type <= PacketType.CONNECT_ERROR, "a Decoder gives whole packets");
            packets.push(packet);
        }
    } catch (error) {
        assert.equal(Object.getPrototypeOf(error), Error.prototype, `not a plain Error: ${error}`);
        assert.ok(DECODER_ERRORS.has(error.message), `undocumented error: ${error.message}`);
    }
    return packets;
}

/** What any packet `decode` gives satisfies, whatever the input was; a Decoder gives none binary. */
function assertWellFormed(decoded) {
    const binary = decoded.type === PacketType.BINARY_EVENT || decoded.type === PacketType.BINARY_ACK;
    if (binary) {
        assert.ok(Number.isInteger(decoded.attachments));
        assert.ok(decoded.attachments >= 1 && decoded.attachments <= MAX_ATTACHMENTS);
        assert.ok(Array.isArray(decoded.data));
        return;
    }
    assert.equal(decoded.attachments, undefined);
    assert.ok(Number.isInteger(decoded.type) && decoded.type >= 0 && decoded.type <= 4);
    assert.equal(typeof decoded.nsp, "string");
    assert.ok(decoded.nsp.startsWith("/"));
    assert.ok(!decoded.nsp.includes(","));
    if (decoded.id !== undefined) assert.ok(Number.isSafeInteger(decoded.id) || decoded.id > 0);
    if (decoded.type === PacketType.EVENT) {
        assert.ok(Array.isArray(decoded.data) && ["string", "number"].includes(typeof decoded.data[0]));
    }
    if (decoded.type === PacketType.ACK) assert.ok(Array.isArray(decoded.data));
}

/** Runs `property` CASES times with its own generator; names the seed on failure. */
function check(name, property) {
    test(name, () => {
        const r = generator(SEED);
        for (let i = 0; i < CASES; i++) {
            try {
                property(r);
            } catch (error) {
                error.message = `${error.message}\n(case ${i}; replay with RAIN_FUZZ_SEED=${SEED})`;
                throw error;
            }
        }
    });
}

describe(`Socket.IO decoder (seed ${SEED}, ${CASES} cases each)`, () => {
    check("valid packets round-trip through encode and decode", (r) => {
        const original = packet(r);
        assert.deepEqual(decode(encode(original)), original);
    });

    check("mutated packets decode well-formed or throw a documented Error", (r) => {
        const decoded = decodeSafely(mutate(r, encode(packet(r))));
        if (decoded) assertWellFormed(decoded);
    });

    check("random text decodes well-formed or throws a documented Error", (r) => {
        const input = r.pick([() => r.text(40), () => String(r.int(7)) + r.text(40), () => `2${namespace(r)},${r.text(30)}`])();
        const decoded = decodeSafely(input);
        if (decoded) assertWellFormed(decoded);
    });

    check("values that are not text throw a documented Error", (r) => {
        const input = r.pick([
            () => undefined,
            () => null,
            () => r.int(100),
            () => new ArrayBuffer(r.int(8)),
            () => new Uint8Array(r.int(8)),
            () => ({ value: json(r) }),
            () => [r.text(5)],
        ])();
        assert.equal(decodeSafely(input), undefined);
    });

    check("binary packets round-trip through encode and a Decoder, bytes for bytes", (r) => {
        const original = binaryPacket(r);
        const [header, ...binaries] = encode(original);
        assert.match(header, new RegExp(`^[56]${binaries.length}-`));
        const decoder = new Decoder();
        assert.equal(decoder.add(header), undefined);
        const decoded = binaries.map((binary) => decoder.add(received(binary))).at(-1);
        assert.deepEqual(decoded, received(original));
    });

    check("mutated binary packets and attachments decode well-formed or throw a documented Error", (r) => {
        const inputs = messages(encode(binaryPacket(r)));
        const [header, ...attachments] = inputs;
        const wrongNum = () => r.pick([-1, attachments.length, 1.5, '"0"', 1e9]);
        const mutated = r.pick([
            () => [mutate(r, header), ...attachments],
            () => inputs.slice(0, r.int(inputs.length)), // attachments missing
            () => [...inputs, r.pick([() => randomBytes(r, 8), () => encode(packet(r))])], // extra
            () => inputs.toSpliced(1 + r.int(attachments.length), 0, encode(packet(r))), // text among
            () => [header.replace(/"num":\d+/, `"num":${wrongNum()}`), ...attachments],
        ])();
        for (const decoded of decodeAllSafely(mutated)) assertWellFormed(decoded);
    });

    check("random messages into a Decoder give well-formed packets or a documented Error", (r) => {
        const inputs = Array.from({ length: 1 + r.int(6) }, () =>
            r.pick([
                () => randomBytes(r, 8),
                () => `${r.pick(["5", "6"])}${r.int(4)}-${r.text(20)}`,
                () => `51-["x",{"_placeholder":true,"num":${r.int(3) - 1}}]`,
                () => encode(packet(r)),
                () => r.text(20),
            ])(),
        );
        for (const decoded of decodeAllSafely(inputs)) assertWellFormed(decoded);
    });
});

describe(`Engine.IO codec (seed ${SEED}, ${CASES} cases each)`, () => {
    const enginePacket = (r) => {
        const type = r.pick(["open", "close", "ping", "pong", "message", "upgrade", "noop"]);
        const data = r.text(30).replace(/\u001e/g, "");
        return data ? { type, data } : { type };
    };

    check("anything decodes to a known type or error, without throwing", (r) => {
        const input = r.pick([
            () => r.text(30),
            () => mutate(r, encodeEnginePacket(enginePacket(r))),
            () => json(r),
            () => new ArrayBuffer(4),
            () => new Uint8Array(4),
        ])();
        const decoded = decodeEnginePacket(input);
        assert.ok(ENGINE_TYPES.has(decoded.type), decoded.type);
        // A binary frame is a message; any other value that is not text is an error.
        if (input instanceof ArrayBuffer) assert.deepEqual(decoded, { type: "message", data: input });
        else if (typeof input !== "string") assert.equal(decoded.type, "error");
        for (const packet of typeof input === "string" ? decodePayload(input) : []) {
            assert.ok(ENGINE_TYPES.has(packet.type));
        }
    });

    check("payloads of valid packets round-trip", (r) => {
        const packets = Array.from({ length: 1 + r.int(5) }, () => enginePacket(r));
        assert.deepEqual(decodePayload(encodePayload(packets)), packets);
    });

    check("payloads with binary messages round-trip", (r) => {
        const packets = Array.from({ length: 1 + r.int(5) }, () =>
            r.int(2) ? enginePacket(r) : { type: "message", data: randomBytes(r, 300) },
        );
        assert.deepEqual(decodePayload(encodePayload(packets)), packets);
    });

    check("mutated base64 packets decode as a binary message or an error, without throwing", (r) => {
        const payload = mutate(r, encodePayload([{ type: "message", data: randomBytes(r, 30) }]));
        for (const [i, packet] of decodePayload(payload).entries()) {
            assert.ok(ENGINE_TYPES.has(packet.type));
            const base64 = payload.split("\u001e")[i].startsWith("b");
            if (packet.data !== undefined) assert.equal(packet.data instanceof ArrayBuffer, base64);
        }
    });
});
