// Property and fuzz tests of the browser runtime's wire codecs (rain-core/src/client/protocol.js):
// random and mutated input never makes the decoders throw anything but their documented errors,
// and every valid packet survives encode -> decode unchanged. Seeded: a failure prints its seed,
// and RAIN_FUZZ_SEED replays it.
import assert from "node:assert/strict";
import { describe, test } from "node:test";

import { runtimeModule } from "./support/runtime.mjs";
import { seeded } from "./support/random.mjs";

const {
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
const DECODE_ERRORS = new Set(["invalid packet", "invalid payload", "binary packets are not supported"]);
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

/** What any decoded packet satisfies, whatever the input was. */
function assertWellFormed(decoded) {
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
});

describe(`Engine.IO codec (seed ${SEED}, ${CASES} cases each)`, () => {
    const enginePacket = (r) => {
        const type = r.pick(["open", "close", "ping", "pong", "message", "upgrade", "noop"]);
        const data = r.text(30).replace(/\u001e/g, "");
        return data ? { type, data } : { type };
    };

    check("anything decodes to a known type or error, without throwing", (r) => {
        const input = r.pick([() => r.text(30), () => mutate(r, encodeEnginePacket(enginePacket(r))), () => json(r), () => new ArrayBuffer(4)])();
        const decoded = decodeEnginePacket(input);
        assert.ok(ENGINE_TYPES.has(decoded.type), decoded.type);
        if (typeof input !== "string") assert.equal(decoded.type, "error");
        for (const packet of typeof input === "string" ? decodePayload(input) : []) {
            assert.ok(ENGINE_TYPES.has(packet.type));
        }
    });

    check("payloads of valid packets round-trip", (r) => {
        const packets = Array.from({ length: 1 + r.int(5) }, () => enginePacket(r));
        assert.deepEqual(decodePayload(encodePayload(packets)), packets);
    });
});
