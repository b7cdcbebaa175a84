// Wire formats: Engine.IO v4 packets and polling payloads, Socket.IO v5 packets, binary ones
// included. A Socket.IO packet whose data holds binaries (ArrayBuffer, typed array, DataView,
// Blob) goes out as BINARY_EVENT / BINARY_ACK text with `{"_placeholder":true,"num":N}` in their
// place, followed by one Engine.IO message per binary: a binary frame over a WebSocket, a
// `b<base64>` packet in a polling payload. Received binaries are ArrayBuffers.

/** @typedef {ArrayBuffer | ArrayBufferView | Blob} Binary what a packet's data may hold */
/** @typedef {{ type: string, data?: string | ArrayBuffer | ArrayBufferView }} EnginePacket */
/**
 * A Socket.IO packet. `attachments` is set on BINARY_EVENT and BINARY_ACK packets as `decode`
 * gives them, before their binaries are put in place (see Decoder).
 * @typedef {{ type: number, nsp: string, data?: any, id?: number, attachments?: number }} Packet
 */
/**
 * An encoded Socket.IO packet: its text, or, when it carries binaries, its text and them, each
 * to be sent as its own Engine.IO message, in this order.
 * @typedef {string | [string, ...Binary[]]} Encoded
 */

const ENGINE_TYPES = ["open", "close", "ping", "pong", "message", "upgrade", "noop"];
const SEPARATOR = "\x1e";
const BlobClass = typeof Blob === "function" ? Blob : null;

/** The most binaries one Socket.IO packet may carry, as the Rain server accepts them. */
export const MAX_ATTACHMENTS = 64;

/**
 * Whether `value` is binary data: an ArrayBuffer, a typed array or DataView, a Blob or File.
 * @param {unknown} value
 * @returns {value is Binary}
 */
export const isBinary = (value) =>
    value instanceof ArrayBuffer ||
    ArrayBuffer.isView(value) ||
    (BlobClass !== null && value instanceof BlobClass);

/**
 * Encodes an Engine.IO packet: its type digit, then its data. Binary data, only ever a message,
 * is a WebSocket binary frame as it is: Engine.IO v4 gives it no type.
 * @param {EnginePacket} packet
 * @returns {string | ArrayBuffer | ArrayBufferView}
 */
export const encodeEnginePacket = ({ type, data = "" }) =>
    typeof data === "string" ? ENGINE_TYPES.indexOf(type) + data : data;

/**
 * Decodes an Engine.IO packet: a text frame, or a binary frame (a message). Anything else than a
 * known text packet or an ArrayBuffer gives `{ type: "error" }`; a text frame never carries
 * base64, which only polling payloads do.
 * @param {unknown} raw
 * @returns {EnginePacket}
 */
export function decodeEnginePacket(raw) {
    if (raw instanceof ArrayBuffer) return { type: "message", data: raw };
    const type = (typeof raw === "string" && ENGINE_TYPES[Number(raw[0] || NaN)]) || "error";
    return typeof raw === "string" && raw.length > 1 ? { type, data: raw.slice(1) } : { type };
}

/**
 * Joins packets into an HTTP long-polling payload; binary data is a `b<base64>` packet.
 * @param {EnginePacket[]} packets
 * @returns {string}
 */
export const encodePayload = (packets) =>
    packets
        .map((packet) =>
            typeof (packet.data ?? "") === "string"
                ? encodeEnginePacket(packet)
                : "b" + toBase64(/** @type {ArrayBuffer | ArrayBufferView} */ (packet.data)),
        )
        .join(SEPARATOR);

/**
 * Splits an HTTP long-polling payload into packets; a `b<base64>` packet is a message with an
 * ArrayBuffer, or an error when its base64 is not valid.
 * @param {string} payload
 * @returns {EnginePacket[]}
 */
export const decodePayload = (payload) =>
    payload
        .split(SEPARATOR)
        .map((raw) => (raw[0] === "b" ? decodeBase64Packet(raw) : decodeEnginePacket(raw)));

/**
 * @param {string} raw `b` and base64
 * @returns {EnginePacket}
 */
function decodeBase64Packet(raw) {
    try {
        return { type: "message", data: fromBase64(raw.slice(1)) };
    } catch {
        return { type: "error" };
    }
}

// Base64 without Node's Buffer, for browsers: the native codec where there is one, else btoa and
// atob. btoa takes a string of byte-valued chars, built a chunk at a time because
// String.fromCharCode takes its bytes as arguments; a chunk a multiple of 3 bytes long has no
// padding, so the chunks' base64 joins as the whole's.
const BASE64_CHUNK = 3 * 8192;

/**
 * @param {ArrayBuffer | ArrayBufferView} data
 * @returns {string}
 */
export function toBase64(data) {
    const bytes = bytesOf(data);
    if (typeof (/** @type {any} */ (bytes).toBase64) === "function") {
        return /** @type {any} */ (bytes).toBase64();
    }
    const chunks = [];
    for (let i = 0; i < bytes.length; i += BASE64_CHUNK) {
        const chunk = /** @type {any} */ (bytes.subarray(i, i + BASE64_CHUNK));
        chunks.push(btoa(String.fromCharCode.apply(null, chunk)));
    }
    return chunks.join("");
}

/**
 * @param {string} text
 * @returns {ArrayBuffer}
 * @throws {Error} when `text` is not base64
 */
export function fromBase64(text) {
    const native = /** @type {any} */ (Uint8Array);
    if (typeof native.fromBase64 === "function") return native.fromBase64(text).buffer;
    const chars = atob(text);
    const bytes = new Uint8Array(chars.length);
    for (let i = 0; i < chars.length; i++) bytes[i] = chars.charCodeAt(i);
    return bytes.buffer;
}

/**
 * The bytes of an ArrayBuffer, or those a view sees (not the rest of its buffer); not a copy.
 * @param {ArrayBuffer | ArrayBufferView} data
 * @returns {Uint8Array}
 */
export const bytesOf = (data) =>
    data instanceof ArrayBuffer
        ? new Uint8Array(data)
        : new Uint8Array(data.buffer, data.byteOffset, data.byteLength);

/** Socket.IO v5 packet types. */
export const PacketType = Object.freeze({
    CONNECT: 0,
    DISCONNECT: 1,
    EVENT: 2,
    ACK: 3,
    CONNECT_ERROR: 4,
    BINARY_EVENT: 5,
    BINARY_ACK: 6,
});

const { EVENT, ACK, BINARY_EVENT, BINARY_ACK } = PacketType;

/**
 * The binaries the running `JSON.stringify` of `encode` found, in order; null until it finds one,
 * so that a packet without binaries costs no allocation.
 * @type {Binary[] | null}
 */
let found = null;

/**
 * Encodes a Socket.IO packet; the namespace is written raw: `2/a b/c,1["x"]`. Data holding
 * binaries gives a BINARY_EVENT or BINARY_ACK and its attachments:
 * `51-/a,["x",{"_placeholder":true,"num":0}]`, then the binary.
 *
 * One `JSON.stringify` does it all: its replacer puts placeholders in place of the binaries it
 * meets and records them, so data without binaries costs that one call and no more.
 * @param {Packet} packet
 * @param {number} [maxAttachments]
 * @returns {Encoded}
 * @throws {RangeError} when the data holds more than `maxAttachments` binaries
 * @throws {TypeError} when a packet other than an event or an ack holds binaries
 */
export function encode({ type, nsp, id, data }, maxAttachments = MAX_ATTACHMENTS) {
    const outer = found; // a toJSON that encodes a packet of its own
    found = null;
    let json, binaries;
    try {
        json = data === undefined ? "" : JSON.stringify(data, replaceBinary);
    } finally {
        binaries = /** @type {Binary[] | null} */ (found);
        found = outer;
    }
    const rest = (nsp === "/" ? "" : nsp + ",") + (id ?? "") + json;
    if (binaries === null) return type + rest;
    if (type !== EVENT && type !== ACK) {
        throw new TypeError("binary data is only sent in events and acks");
    }
    if (binaries.length > maxAttachments) {
        throw new RangeError(
            `a packet carries at most ${maxAttachments} binary attachments (maxAttachments); ` +
                `this one has ${binaries.length}`,
        );
    }
    const binaryType = type === EVENT ? BINARY_EVENT : BINARY_ACK;
    return [`${binaryType}${binaries.length}-${rest}`, ...binaries];
}

/**
 * The replacer of `encode`. It looks at `this[key]`, the value before its `toJSON`, for a
 * Node.js Buffer is a typed array whose `toJSON` hides it.
 * @this {any}
 * @param {string} key
 * @param {unknown} value
 */
function replaceBinary(key, value) {
    if (typeof value !== "object" || value === null) return value;
    const raw = this[key];
    if (!isBinary(raw)) return value;
    const num = (found ??= []).push(raw) - 1;
    return { _placeholder: true, num };
}

/**
 * Decodes a Socket.IO packet. A BINARY_EVENT or BINARY_ACK keeps its placeholders and gives the
 * number of attachments that follow it; a Decoder puts them in place.
 * @param {unknown} text
 * @param {number} [maxAttachments]
 * @returns {Packet}
 * @throws {Error} when it is not a valid packet, or announces a wrong number of attachments
 */
export function decode(text, maxAttachments = MAX_ATTACHMENTS) {
    const match =
        typeof text === "string" &&
        /^(?:([0-4])|([56])([^-]*)-)(?:(\/[^,]*)(?:,|$))?(\d*)(.*)$/s.exec(text);
    if (!match) throw new Error("invalid packet");
    const [, plainType, binaryType, count, nsp = "/", id, json] = match;
    /** @type {Packet} */
    const packet = { type: Number(plainType ?? binaryType), nsp };
    if (binaryType) packet.attachments = attachmentCount(count, maxAttachments);
    if (id) packet.id = Number(id);
    try {
        if (json) packet.data = JSON.parse(json);
    } catch {
        throw new Error("invalid payload");
    }
    if (!isValid(packet, json)) throw new Error("invalid payload");
    return packet;
}

/**
 * @param {string} count the digits between a binary packet's type and its `-`
 * @param {number} maxAttachments
 * @returns {number}
 */
function attachmentCount(count, maxAttachments) {
    const n = /^\d+$/.test(count) ? Number(count) : 0;
    if (n < 1) throw new Error("invalid attachment count");
    if (n > maxAttachments) throw new Error("too many attachments");
    return n;
}

/**
 * @param {Packet} packet
 * @param {string} json
 */
function isValid({ type, data }, json) {
    const isObject = data?.constructor === Object;
    if (type === PacketType.CONNECT) return !json || isObject;
    if (type === PacketType.DISCONNECT) return !json;
    if (type === PacketType.CONNECT_ERROR) return typeof data === "string" || isObject;
    if (type === ACK || type === BINARY_ACK) return Array.isArray(data);
    return Array.isArray(data) && ["string", "number"].includes(typeof data[0]);
}

/**
 * Reassembles Socket.IO packets from the Engine.IO messages of one connection: a text packet is
 * whole, a binary one is whole once the attachments it announced have arrived. It then becomes
 * an EVENT or an ACK whose data has an ArrayBuffer in place of each placeholder.
 */
export class Decoder {
    /** @type {Packet | null} the binary packet whose attachments are awaited */
    #packet = null;
    /** @type {ArrayBuffer[]} */
    #attachments = [];

    /** @param {number} [maxAttachments] the most a packet may announce */
    constructor(maxAttachments = MAX_ATTACHMENTS) {
        this.maxAttachments = maxAttachments;
    }

    /**
     * Takes the data of one Engine.IO message.
     * @param {unknown} data text, or an ArrayBuffer
     * @returns {Packet | undefined} a whole packet; undefined while attachments are awaited
     * @throws {Error} when it is not a valid packet, or not what was awaited; the decoder is
     *     then unusable, as the connection it decodes
     */
    add(data) {
        if (typeof data === "string") {
            if (this.#packet) throw new Error("text packet while awaiting attachments");
            const packet = decode(data, this.maxAttachments);
            if (packet.attachments === undefined) return packet;
            this.#packet = packet;
            return undefined;
        }
        if (!(data instanceof ArrayBuffer)) throw new Error("invalid packet");
        const packet = this.#packet;
        if (!packet) throw new Error("binary data while awaiting no attachments");
        this.#attachments.push(data);
        if (this.#attachments.length < /** @type {number} */ (packet.attachments)) {
            return undefined;
        }
        const attachments = this.#attachments;
        this.#packet = null;
        this.#attachments = [];
        return reconstruct(packet, attachments);
    }
}

/**
 * A binary packet as the event or ack it stands for, its attachments in place.
 * @param {Packet} packet
 * @param {ArrayBuffer[]} attachments
 * @returns {Packet}
 * @throws {Error} when a placeholder is not one of the attachments
 */
function reconstruct({ type, nsp, id, data }, attachments) {
    // Iterative, so that deep JSON cannot overflow the stack.
    const containers = [data];
    while (containers.length) {
        const container = containers.pop();
        for (const key of Array.isArray(container) ? container.keys() : Object.keys(container)) {
            const value = container[key];
            if (typeof value !== "object" || value === null) continue;
            if (value._placeholder !== true) {
                containers.push(value);
                continue;
            }
            const { num } = value;
            if (!Number.isInteger(num) || num < 0 || num >= attachments.length) {
                throw new Error("invalid attachment placeholder");
            }
            // Defined, not assigned: JSON can have an own "__proto__" key.
            Object.defineProperty(container, key, {
                value: attachments[num],
                writable: true,
                enumerable: true,
                configurable: true,
            });
        }
    }
    /** @type {Packet} */
    const packet = { type: type === BINARY_EVENT ? EVENT : ACK, nsp, data };
    if (id !== undefined) packet.id = id;
    return packet;
}
