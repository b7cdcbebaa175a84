// Socket.IO v5 client: a Manager is one Engine.IO connection, reconnected with backoff and
// jitter, shared by the Socket of every namespace on it. Extensions hook into every socket.
//
// Emits and acks may carry binary data. A Blob is read before its packet goes out, which takes
// time: while a socket's packet waits for that, its later packets wait behind it, so that each
// socket's packets keep their order. A packet with no Blob and nothing waiting before it goes out
// at once.

import { Emitter } from "./emitter.js";
import { Engine } from "./engine.js";
import { Decoder, MAX_ATTACHMENTS, PacketType, encode } from "./protocol.js";

/** @typedef {import("./runtime.js").ManagerOptions} ManagerOptions */
/** @typedef {import("./runtime.js").ConnectOptions} ConnectOptions */
/** @typedef {import("./protocol.js").Packet} Packet */
/** @typedef {import("./protocol.js").Encoded} Encoded */
/** @typedef {import("./engine.js").Message} Message */

const { CONNECT, DISCONNECT, EVENT, ACK, CONNECT_ERROR } = PacketType;
const RESERVED_EVENTS = ["connect", "connect_error", "disconnect", "disconnecting"];

/**
 * What an extension does with one socket; every hook is optional.
 * @typedef {object} SocketHooks
 * @property {(event: string, args: any[]) => void} [onEvent] an event from the server, before
 *     its listeners (and without its ack function)
 * @property {() => void} [onConnect] the socket connected, before the emits it buffered go out
 * @property {() => boolean} [holds] whether emits wait for the next connect although connected
 */

/** @typedef {(socket: Socket) => SocketHooks} SocketExtension */

/** @type {SocketExtension[]} */
const extensions = [];

/**
 * Extends every socket made from now on: `extension` is called with each new socket, and the
 * hooks it returns as that socket receives events and connects.
 * @param {SocketExtension} extension
 */
export function extendSockets(extension) {
    extensions.push(extension);
}

/**
 * The delay in ms before reconnection attempt `attempt` (from 0): doubling, capped, jittered.
 * @param {number} attempt
 * @param {Required<ManagerOptions>} options
 * @param {number} [random] in [0, 1)
 * @returns {number}
 */
export function backoff(attempt, options, random = Math.random()) {
    const max = options.reconnectionDelayMax;
    const delay = Math.min(options.reconnectionDelay * 2 ** attempt, max);
    const deviation = Math.floor(random * options.randomizationFactor * delay);
    return Math.min(Math.floor(random * 10) & 1 ? delay + deviation : delay - deviation, max);
}

/** One Engine.IO connection, shared by the sockets of all its namespaces. */
export class Manager extends Emitter {
    /** @type {Engine | null} */
    engine = null;
    /** @type {"closed" | "opening" | "open"} */
    readyState = "closed";
    /** @type {Map<string, Socket>} */
    nsps = new Map();
    #attempts = 0;
    #reconnectTimer;
    #skipReconnect = false;

    /**
     * @param {string} url the server's base URL, e.g. `http://127.0.0.1:3000`
     * @param {ManagerOptions} [options]
     */
    constructor(url, options) {
        super();
        this.url = url;
        /** @type {Required<ManagerOptions>} */
        this.options = {
            path: "/socket.io/",
            transports: ["websocket", "polling"],
            reconnection: true,
            reconnectionAttempts: Infinity,
            reconnectionDelay: 1000,
            reconnectionDelayMax: 5000,
            randomizationFactor: 0.5,
            timeout: 20000,
            maxAttachments: MAX_ATTACHMENTS,
            ...options,
        };
    }

    /**
     * The socket of a namespace; the same object for the same namespace.
     * @param {string} [nsp] e.g. `/intents-example-1.0/chat/dummy socket`
     * @returns {Socket}
     */
    socket(nsp = "/") {
        let socket = this.nsps.get(nsp);
        if (!socket) this.nsps.set(nsp, (socket = new Socket(this, nsp)));
        return socket;
    }

    /** Opens the connection, unless open, opening or about to reconnect. */
    open() {
        if (this.readyState === "closed" && this.#reconnectTimer === undefined) this.#open();
    }

    /** Disconnects every socket and closes the connection for good. */
    close() {
        for (const socket of this.nsps.values()) socket.disconnect();
        this.#close();
    }

    #open() {
        this.#skipReconnect = false;
        this.readyState = "opening";
        const engine = (this.engine = new Engine(this.url, this.options));
        const decoder = new Decoder(this.options.maxAttachments);
        const timer = setTimeout(() => this.#drop("timeout"), this.options.timeout);
        engine.on("open", () => {
            clearTimeout(timer);
            this.readyState = "open";
            this.#attempts = 0;
            this.emitReserved("open");
            for (const socket of this.#active()) socket._onOpen();
        });
        engine.on("message", (data) => {
            let packet;
            try {
                packet = decoder.add(data);
            } catch (err) {
                return this.#drop("parse error", err);
            }
            if (!packet) return; // attachments to come
            const socket = this.nsps.get(packet.nsp);
            if (socket?.active) socket._onPacket(packet);
        });
        engine.on("close", (reason, error) => {
            clearTimeout(timer);
            this.#onClose(reason, error);
        });
        engine.open();
    }

    #close() {
        this.#skipReconnect = true;
        clearTimeout(this.#reconnectTimer);
        this.#reconnectTimer = undefined;
        this.#attempts = 0;
        this.engine?.close();
    }

    #drop(reason, error) {
        this.engine?.off().close();
        this.#onClose(reason, error);
    }

    #onClose(reason, error = new Error(reason)) {
        const wasOpen = this.readyState === "open";
        this.readyState = "closed";
        for (const socket of this.#active()) {
            if (wasOpen) socket._onClose(reason);
            else socket._onError(error);
        }
        this.emitReserved(wasOpen ? "close" : "error", wasOpen ? reason : error);
        if (this.options.reconnection && !this.#skipReconnect) this.#reconnect();
    }

    #reconnect() {
        if (this.#reconnectTimer !== undefined) return;
        if (this.#attempts >= this.options.reconnectionAttempts) {
            this.#attempts = 0;
            return this.emitReserved("reconnect_failed");
        }
        this.#reconnectTimer = setTimeout(
            () => {
                this.#reconnectTimer = undefined;
                this.emitReserved("reconnect_attempt", this.#attempts);
                this.#open();
            },
            backoff(this.#attempts++, this.options),
        );
    }

    #active() {
        return [...this.nsps.values()].filter((socket) => socket.active);
    }

    // What sockets tell their manager; not public API.

    /** @param {Socket} socket */
    _activate(socket) {
        if (this.readyState === "open") socket._onOpen();
        else this.open();
    }

    _deactivate() {
        if (!this.#active().length) this.#close();
    }

    /**
     * Sends an encoded packet over `engine`, if it is still the open connection.
     * @param {string | Message[]} packet
     * @param {Engine | null} [engine] the connection it was meant for
     */
    _packet(packet, engine = this.engine) {
        if (this.readyState === "open" && engine === this.engine) engine?.send(packet);
    }
}

/** The socket of one namespace, used as a socket.io-client socket. */
export class Socket extends Emitter {
    connected = false;
    /** Whether it wants to be connected, and reconnected. */
    active = false;
    /** @type {string | undefined} */
    id;
    #ids = 0;
    #acks = new Map();
    /** @type {Encoded[]} */
    #sendBuffer = [];
    /**
     * The packets going out after Blobs are read, in order; settled, then null, once the last
     * is sent.
     * @type {Promise<void> | null}
     */
    #outgoing = null;
    /** @type {SocketHooks[]} */
    #hooks;
    #unavailable;

    /**
     * @param {Manager | null} io
     * @param {string} nsp
     */
    constructor(io, nsp) {
        super();
        this.io = io;
        this.nsp = nsp;
        this.#hooks = extensions.map((extend) => extend(this));
    }

    /**
     * A socket whose `connect()` only emits `connect_error` with `error`.
     * @param {string} nsp
     * @param {Error} error
     * @returns {Socket}
     */
    static unavailable(nsp, error) {
        const socket = new Socket(null, nsp);
        socket.#unavailable = error;
        return socket;
    }

    /** @returns {this} */
    connect() {
        const error = this.#unavailable;
        if (error) setTimeout(() => this.emitReserved("connect_error", error));
        else if (!this.active) {
            this.active = true;
            this.io?._activate(this);
        }
        return this;
    }

    /** @returns {this} */
    disconnect() {
        const wasConnected = this.connected;
        if (wasConnected) this.#packet({ type: DISCONNECT });
        this.#deactivate();
        if (wasConnected) this._onClose("io client disconnect");
        return this;
    }

    /**
     * Sends an event now, or once connected; a function as last argument gets the ack.
     *
     * Each emit is handed to the connection at most once: one that is buffered (while
     * disconnected, or while an extension holds emits) is sent on the next connect and then
     * forgotten, and nothing is sent again after a reconnect.
     *
     * The arguments may hold binary data anywhere (ArrayBuffer, typed array, DataView, Blob);
     * the server receives each as its bytes (a view's own bytes only), as they are when sent.
     * @param {string} event
     * @param {...any} args
     * @returns {this}
     * @throws {RangeError} when the arguments hold more binaries than `maxAttachments`; nothing
     *     is sent then
     */
    emit(event, ...args) {
        if (RESERVED_EVENTS.includes(event)) throw new Error(`"${event}" is a reserved event name`);
        const ack = typeof args.at(-1) === "function" ? args.pop() : undefined;
        const packet = this.#encode({
            type: EVENT,
            nsp: this.nsp,
            id: ack && this.#ids,
            data: [event, ...args],
        });
        if (ack) this.#acks.set(this.#ids++, ack);
        const held = this.#hooks.some((hooks) => hooks.holds?.());
        if (this.connected && !held) this.#send(packet);
        else this.#sendBuffer.push(packet);
        return this;
    }

    /**
     * Sends an event; resolves with the first argument of the ack.
     * @param {string} event
     * @param {...any} args
     * @returns {Promise<any>}
     */
    emitWithAck(event, ...args) {
        return new Promise((resolve) => this.emit(event, ...args, resolve));
    }

    // What the manager tells its sockets; not public API.

    _onOpen() {
        this.#packet({ type: CONNECT });
    }

    /** @param {Error} error */
    _onError(error) {
        if (!this.connected) this.emitReserved("connect_error", error);
    }

    /** @param {string} reason */
    _onClose(reason) {
        const wasConnected = this.connected;
        this.connected = false;
        this.id = undefined;
        if (wasConnected) this.emitReserved("disconnect", reason);
    }

    /** @param {Packet} packet */
    _onPacket({ type, id, data }) {
        if (type === CONNECT) {
            if (typeof data?.sid !== "string")
                return this._onError(new Error("invalid CONNECT packet"));
            this.id = data.sid;
            this.connected = true;
            for (const hooks of this.#hooks) hooks.onConnect?.();
            for (const packet of this.#sendBuffer.splice(0)) this.#send(packet);
            this.emitReserved("connect");
        } else if (type === EVENT && this.connected) {
            for (const hooks of this.#hooks) hooks.onEvent?.(data[0], data.slice(1));
            if (id !== undefined) data.push(this.#ackSender(id));
            this.emitReserved(data[0], ...data.slice(1));
        } else if (type === ACK) {
            const ack = this.#acks.get(id);
            this.#acks.delete(id);
            ack?.(...data);
        } else if (type === DISCONNECT) {
            this.#deactivate();
            this._onClose("io server disconnect");
        } else if (type === CONNECT_ERROR) {
            this.#deactivate();
            this.emitReserved(
                "connect_error",
                Object.assign(new Error(data.message ?? data), { data: data.data }),
            );
        }
    }

    #ackSender(id) {
        let sent = false;
        return (...args) => {
            if (!sent) this.#packet({ type: ACK, id, data: args });
            sent = true;
        };
    }

    #deactivate() {
        const wasActive = this.active;
        this.active = false;
        if (!wasActive) return;
        // Packets waiting for Blobs (a DISCONNECT last) go out before the connection may close.
        if (this.#outgoing) this.#outgoing.then(() => this.io?._deactivate());
        else this.io?._deactivate();
    }

    /** @param {Omit<Packet, "nsp">} packet */
    #packet(packet) {
        this.#send(this.#encode({ ...packet, nsp: this.nsp }));
    }

    /** @param {Packet} packet */
    #encode(packet) {
        return encode(packet, this.io?.options.maxAttachments ?? MAX_ATTACHMENTS);
    }

    /**
     * Hands an encoded packet to the connection: at once, unless it has Blobs to read or
     * packets before it wait for theirs.
     * @param {Encoded} packet
     */
    #send(packet) {
        if (typeof packet !== "string" && packet.some(isBlob)) {
            return this.#sendInTurn(readBlobs(packet));
        }
        const message = /** @type {string | Message[]} */ (packet);
        if (this.#outgoing) this.#sendInTurn(message);
        else this.io?._packet(message);
    }

    /**
     * Sends a packet once it is ready and the packets before it are sent.
     * @param {string | Message[] | Promise<Message[] | null>} packet null: nothing to send
     */
    #sendInTurn(packet) {
        const io = this.io;
        // This connection's: one that replaced it has not seen this socket's CONNECT yet.
        const engine = io?.engine ?? null;
        const outgoing = Promise.all([this.#outgoing, packet]).then(([, message]) => {
            if (this.#outgoing === outgoing) this.#outgoing = null;
            try {
                if (message !== null) io?._packet(message, engine);
            } catch (err) {
                rethrow(err);
            }
        });
        this.#outgoing = outgoing;
    }
}

/**
 * @param {unknown} part
 * @returns {part is Blob}
 */
const isBlob = (part) => typeof Blob === "function" && part instanceof Blob;

/**
 * A binary packet with its Blobs read into ArrayBuffers; null, and the error thrown apart, when
 * one cannot be read. It never rejects, so that it cannot settle before the packets ahead of it.
 * @param {[string, ...import("./protocol.js").Binary[]]} packet
 * @returns {Promise<Message[] | null>}
 */
const readBlobs = (packet) =>
    Promise.all(packet.map((part) => (isBlob(part) ? part.arrayBuffer() : part))).catch((err) => {
        rethrow(err);
        return null;
    });

/**
 * Throws `err` apart, as an uncaught error, as the emitter does with a listener's.
 * @param {unknown} err
 */
function rethrow(err) {
    setTimeout(() => {
        throw err;
    });
}

/** @type {Map<string, Manager>} */
const managers = new Map();

/**
 * The socket of `nsp` at `url`, on the one connection to that server (URL and path).
 * @param {string} url
 * @param {string} [nsp]
 * @param {ConnectOptions} [options]
 * @returns {Socket}
 */
export function connect(url, nsp = "/", options = {}) {
    const key = new URL(options.path ?? "/socket.io/", url).href;
    if (!managers.has(key)) managers.set(key, new Manager(url, options));
    const socket = managers.get(key).socket(nsp);
    return options.autoConnect === false ? socket : socket.connect();
}
