// Wire formats: Engine.IO v4 packets and polling payloads, Socket.IO v5 packets. Binary data
// is not supported: sending it throws, receiving it is a parse error.

/** @typedef {{ type: string, data?: string }} EnginePacket */
/** @typedef {{ type: number, nsp: string, data?: any, id?: number }} Packet */

const ENGINE_TYPES = ["open", "close", "ping", "pong", "message", "upgrade", "noop"];

/**
 * Encodes an Engine.IO packet: its type digit, then its data.
 * @param {EnginePacket} packet
 * @returns {string}
 */
export const encodeEnginePacket = ({ type, data = "" }) => ENGINE_TYPES.indexOf(type) + data;

/**
 * Decodes an Engine.IO packet; anything else than a known text packet gives `{ type: "error" }`.
 * @param {unknown} raw
 * @returns {EnginePacket}
 */
export function decodeEnginePacket(raw) {
    const type = (typeof raw === "string" && ENGINE_TYPES[Number(raw[0] || NaN)]) || "error";
    return typeof raw === "string" && raw.length > 1 ? { type, data: raw.slice(1) } : { type };
}

/**
 * Joins packets into an HTTP long-polling payload.
 * @param {EnginePacket[]} packets
 * @returns {string}
 */
export const encodePayload = (packets) => packets.map(encodeEnginePacket).join("\x1e");

/**
 * Splits an HTTP long-polling payload into packets.
 * @param {string} payload
 * @returns {EnginePacket[]}
 */
export const decodePayload = (payload) => payload.split("\x1e").map(decodeEnginePacket);

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

/**
 * Encodes a Socket.IO packet; the namespace is written raw: `2/a b/c,1["x"]`.
 * @param {Packet} packet
 * @returns {string}
 * @throws {TypeError} when the data holds an ArrayBuffer or a typed array
 */
export function encode({ type, nsp, id, data }) {
    const json = data === undefined ? "" : JSON.stringify(data, rejectBinary);
    return type + (nsp === "/" ? "" : nsp + ",") + (id ?? "") + json;
}

function rejectBinary(_key, value) {
    if (value instanceof ArrayBuffer || ArrayBuffer.isView(value)) {
        throw new TypeError("binary data is not supported; send it as base64 text");
    }
    return value;
}

/**
 * Decodes a Socket.IO packet.
 * @param {unknown} text
 * @returns {Packet}
 * @throws {Error} when it is not a valid packet, or a binary one
 */
export function decode(text) {
    if (/^[56]/.test(String(text))) throw new Error("binary packets are not supported");
    const match = typeof text === "string" && /^([0-4])(?:(\/[^,]*)(?:,|$))?(\d*)(.*)$/s.exec(text);
    if (!match) throw new Error("invalid packet");
    const [, type, nsp = "/", id, json] = match;
    /** @type {Packet} */
    const packet = { type: Number(type), nsp };
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
 * @param {Packet} packet
 * @param {string} json
 */
function isValid({ type, data }, json) {
    const isObject = data?.constructor === Object;
    if (type === PacketType.CONNECT) return !json || isObject;
    if (type === PacketType.DISCONNECT) return !json;
    if (type === PacketType.CONNECT_ERROR) return typeof data === "string" || isObject;
    if (type === PacketType.ACK) return Array.isArray(data);
    return Array.isArray(data) && ["string", "number"].includes(typeof data[0]);
}
