// Engine.IO's two transports. Long-polling: a GET held open for what the server sends, a POST
// for what the client sends, each a payload of packets (binary data as base64 text in it). A
// WebSocket: one packet per message; binary data is a binary message.

import { Emitter } from "./emitter.js";
import {
    decodeEnginePacket,
    decodePayload,
    encodeEnginePacket,
    encodePayload,
} from "./protocol.js";

/** @typedef {import("./protocol.js").EnginePacket} EnginePacket */

/**
 * The long-polling transport of an Engine: emits `packet`, `drain` (can send again) and, once,
 * `close` (reason, error?); it can pause for an upgrade.
 */
export class PollingTransport extends Emitter {
    name = "polling";
    #queue = [];
    #polling = false;
    #posting = false;
    #closed = false;
    #paused = false;
    #onPause = null;
    #abort = new AbortController();

    /** @param {string} uri */
    constructor(uri) {
        super();
        this.uri = uri;
    }

    get writable() {
        return !this.#posting;
    }

    open() {
        this.#poll();
    }

    /** @param {EnginePacket[]} packets */
    send(packets) {
        this.#queue.push(...packets);
        this.#post();
    }

    /** @param {() => void} onPause called once no request is in flight */
    pause(onPause) {
        this.#paused = true;
        this.#onPause = onPause;
        this.#checkPause();
    }

    resume() {
        this.#paused = false;
        this.#onPause = null;
        if (!this.#polling && !this.#closed) this.#poll();
    }

    /** @param {EnginePacket[]} [last] */
    close(last = []) {
        this.#closed = true;
        this.#abort.abort();
        this.send(last);
    }

    async #poll() {
        this.#polling = true;
        let payload;
        try {
            payload = await this.#request({ signal: this.#abort.signal });
        } catch (err) {
            return this.#fail(err);
        }
        this.#polling = false;
        for (const packet of decodePayload(payload)) {
            if (this.#closed) return;
            this.emitReserved("packet", packet);
        }
        if (this.#closed) return;
        if (this.#paused) this.#checkPause();
        else this.#poll();
    }

    async #post() {
        if (this.#posting || !this.#queue.length) return;
        this.#posting = true;
        const body = encodePayload(this.#queue.splice(0));
        try {
            await this.#request({
                method: "POST",
                body,
                headers: { "content-type": "text/plain;charset=UTF-8" },
            });
        } catch (err) {
            return this.#fail(err);
        }
        this.#posting = false;
        if (this.#queue.length) return this.#post();
        this.emitReserved("drain");
        this.#checkPause();
    }

    async #request(init) {
        const response = await fetch(this.uri, { cache: "no-store", ...init });
        if (!response.ok) throw new Error(`HTTP ${response.status}`);
        return response.text();
    }

    #checkPause() {
        const onPause = this.#onPause;
        if (onPause && !this.#polling && !this.#posting) {
            this.#onPause = null;
            onPause();
        }
    }

    #fail(cause) {
        if (this.#closed) return;
        this.#queue = [];
        this.close();
        this.emitReserved("close", "transport error", new Error("polling error", { cause }));
    }
}

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
