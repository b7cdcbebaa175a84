// Engine.IO over a WebSocket: one packet per message; binary data is a binary message.

import { Emitter } from "./emitter.js";
import { decodeEnginePacket, encodeEnginePacket } from "./protocol.js";

/** @typedef {import("./protocol.js").EnginePacket} EnginePacket */

/**
 * The WebSocket transport of an Engine: emits `open`, `packet` and, once, `close` (reason,
 * error?). Always writable.
 */
export class WebSocketTransport extends Emitter {
    name = "websocket";
    writable = true;
    #ws = null;

    /** @param {string} uri */
    constructor(uri) {
        super();
        this.uri = uri;
    }

    open() {
        try {
            this.#ws = new WebSocket(this.uri);
        } catch (err) {
            return setTimeout(() => this.emitReserved("close", "transport error", err));
        }
        const ws = this.#ws;
        // Received binaries are ArrayBuffers, as Socket.IO hands them to listeners.
        ws.binaryType = "arraybuffer";
        ws.onopen = () => this.emitReserved("open");
        ws.onmessage = (event) => this.emitReserved("packet", decodeEnginePacket(event.data));
        ws.onerror = () => this.#end("transport error", new Error("websocket error"));
        ws.onclose = () => this.#end("transport close");
    }

    /** @param {EnginePacket[]} packets */
    send(packets) {
        for (const packet of packets) this.#ws?.send(encodeEnginePacket(packet));
    }

    /** @param {EnginePacket[]} [last] */
    close(last = []) {
        const ws = this.#ws;
        if (!ws) return;
        if (ws.readyState === 1) this.send(last);
        this.#ws = ws.onopen = ws.onmessage = ws.onerror = ws.onclose = null;
        ws.close();
    }

    #end(reason, error) {
        this.close();
        this.emitReserved("close", reason, error);
    }
}
