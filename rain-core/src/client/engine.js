// Engine.IO v4 session: the handshake over the first transport that opens, the upgrade from
// long-polling to a WebSocket, the heartbeat; and its two transports. Long-polling: a GET held
// open for what the server sends, a POST for what the client sends, each a payload of packets
// (binary data as base64 text in it). A WebSocket: one packet per message; binary data is a
// binary message.

import { Emitter } from "./emitter.js";
import {
    decodeEnginePacket,
    decodePayload,
    encodeEnginePacket,
    encodePayload,
} from "./protocol.js";

/** @typedef {string | ArrayBuffer | ArrayBufferView} Message the data of an Engine.IO message */

// A transport (`name`, `uri`, `writable`, `open()`, `send(packets)`, `close(last)`) emits
// `packet`, `drain` (can send again) and, once, `close` (reason, error?).

/** One Engine.IO connection: emits `open`, `message`, `upgrade`, then `close` (reason, error?). */
export class Engine extends Emitter {
    /** @type {"closed" | "opening" | "open"} */
    readyState = "closed";
    /** @type {string | null} */
    id = null;
    /** @type {WebSocketTransport | PollingTransport | null} */
    transport = null;
    #buffer = [];
    #index = 0;
    #upgrading = false;
    #probe = null;
    #heartbeat = 0;
    #heartbeatTimer;

    /**
     * @param {string} url the server's base URL
     * @param {{ path?: string, transports?: string[] }} [options] see ManagerOptions
     */
    constructor(url, { path = "/socket.io/", transports = ["websocket", "polling"] } = {}) {
        super();
        this.url = url;
        this.path = path;
        this.transports = transports;
    }

    open() {
        if (this.readyState !== "closed") return;
        this.readyState = "opening";
        this.#start(0);
    }

    /**
     * Sends a message, or several in one go: a binary Socket.IO packet and its attachments go
     * out together, in one polling request.
     * @param {Message | Message[]} data
     */
    send(data) {
        if (!Array.isArray(data)) this.#buffer.push({ type: "message", data });
        else for (const one of data) this.#buffer.push({ type: "message", data: one });
        this.#flush();
    }

    close() {
        this.#close("forced close");
    }

    #uri(name) {
        let uri = `${new URL(this.path, this.url).href}?EIO=4&transport=${name}`;
        if (this.id) uri += `&sid=${encodeURIComponent(this.id)}`;
        return name === "websocket" ? uri.replace(/^http/, "ws") : uri;
    }

    #start(index) {
        this.#index = index;
        const name = this.transports[index];
        this.#use(
            new (name === "polling" ? PollingTransport : WebSocketTransport)(this.#uri(name)),
        );
        this.transport?.open();
    }

    #use(transport) {
        this.transport?.off();
        this.transport = transport
            .on("packet", (packet) => this.#onPacket(packet))
            .on("drain", () => this.#flush())
            .on("close", (reason, error) => {
                if (this.readyState === "opening" && this.#index + 1 < this.transports.length) {
                    this.#start(this.#index + 1);
                } else {
                    this.#close(reason, error);
                }
            });
    }

    #onPacket({ type, data }) {
        if (this.readyState === "open") this.#resetHeartbeat();
        if (type === "open") this.#onHandshake(data);
        else if (type === "ping") {
            this.#buffer.push({ type: "pong" });
            this.#flush();
        } else if (type === "message" && this.readyState === "open")
            this.emitReserved("message", data);
        else if (type === "close") this.#close("transport close");
        else if (type === "error")
            this.#close("parse error", new Error("invalid Engine.IO packet"));
    }

    #onHandshake(data) {
        if (this.readyState !== "opening") return;
        let handshake;
        try {
            handshake = JSON.parse(data);
        } catch (err) {
            return this.#close("parse error", err);
        }
        const transport = this.transport;
        this.id = handshake.sid;
        this.#heartbeat = handshake.pingInterval + handshake.pingTimeout;
        this.readyState = "open";
        transport.uri = this.#uri(transport.name);
        this.#resetHeartbeat();
        this.emitReserved("open");
        this.#flush();
        const { transports } = this;
        if (
            this.readyState === "open" &&
            transport instanceof PollingTransport &&
            transports.indexOf("websocket") > transports.indexOf("polling") &&
            handshake.upgrades?.includes("websocket")
        ) {
            this.#upgrade(transport);
        }
    }

    // Probe a WebSocket (`2probe`, `3probe`), pause polling, then switch (`5`).
    #upgrade(polling) {
        const probe = (this.#probe = new WebSocketTransport(this.#uri("websocket")));
        const fail = () => {
            probe.off().close();
            this.#probe = null;
            if (!this.#upgrading) return;
            this.#upgrading = false;
            polling.resume();
            this.#flush();
        };
        probe.on("close", fail);
        probe.on("open", () => probe.send([{ type: "ping", data: "probe" }]));
        probe.on("packet", ({ type, data }) => {
            if (type !== "pong" || data !== "probe") return fail();
            this.#upgrading = true;
            polling.pause(() => {
                if (this.#probe !== probe) return;
                this.#probe = null;
                probe.off().send([{ type: "upgrade" }]);
                this.#use(probe);
                this.#upgrading = false;
                this.emitReserved("upgrade", probe.name);
                this.#flush();
            });
        });
        probe.open();
    }

    #flush() {
        const transport = this.transport;
        if (this.readyState !== "open" || this.#upgrading || !transport?.writable) return;
        if (this.#buffer.length) transport.send(this.#buffer.splice(0));
    }

    #resetHeartbeat() {
        clearTimeout(this.#heartbeatTimer);
        this.#heartbeatTimer = setTimeout(() => this.#close("ping timeout"), this.#heartbeat);
    }

    #close(reason, error) {
        if (this.readyState === "closed") return;
        // Say goodbye unless the transport itself is gone.
        const last = this.readyState === "open" && !reason.startsWith("transport");
        this.readyState = "closed";
        clearTimeout(this.#heartbeatTimer);
        this.#probe?.off().close();
        this.#probe = null;
        this.transport?.off().close(last ? [...this.#buffer, { type: "close" }] : []);
        this.#buffer = [];
        this.emitReserved("close", reason, error);
    }
}

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
