// Socket.IO v5 client: a Manager is one Engine.IO connection, reconnected with backoff and
// jitter, shared by the Socket of every namespace on it. Extensions hook into every socket.
//
// Emits and acks may carry binary data. A Blob is read before its packet goes out, which takes
// time: while a socket's packet waits for that, its later packets wait behind it, so that each
// socket's packets keep their order. A packet with no Blob and nothing waiting before it goes out
// at once.
//
// Connection state recovery (Socket.IO 4.6): a socket keeps the private id (pid) the server gave
// it and the offset of the last event received, and sends both in its next CONNECT; the server
// then sends what the socket missed. A Socket.IO server sends those events before its CONNECT
// answer, which has the pid; they are held until it comes. Its offset is the last argument of
// each event without ack, which listeners receive as they do from socket.io-client. A Rain
// server (socketioxide cannot put the pid in its CONNECT answer) announces both in a
// `rain:recovery` event right after that answer, which the socket waits for before it counts as
// connected; its offsets are Rain's, taken off the events before listeners see them, and an
// event that comes twice (replayed, then live) is delivered once.
//
// Acks the server still owes when the connection is lost fail at once, with `{ error }`: no
// answer can come over another connection.

import { Emitter } from "./emitter.js";
import { Engine } from "./engine.js";
import { Decoder, MAX_ATTACHMENTS, PacketType, encode } from "./protocol.js";

/** @typedef {import("./runtime.js").ManagerOptions} ManagerOptions */
/** @typedef {import("./runtime.js").ConnectOptions} ConnectOptions */
/** @typedef {import("./runtime.js").SocketOptions} SocketOptions */
/** @typedef {import("./protocol.js").Packet} Packet */
/** @typedef {import("./protocol.js").Encoded} Encoded */
/** @typedef {import("./engine.js").Message} Message */

const { CONNECT, DISCONNECT, EVENT, ACK, CONNECT_ERROR } = PacketType;
const RESERVED_EVENTS = ["connect", "connect_error", "disconnect", "disconnecting"];
/** What a Rain server sends a recoverable socket right after its CONNECT answer. */
const ANNOUNCEMENT = "rain:recovery";
/** A Rain offset: epoch, then sequence number, both hex. */
const RAIN_OFFSET = /^([0-9a-f]{8})-([0-9a-f]+)$/;

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
     * The socket of a namespace; the same object for the same namespace (made with the options
     * of the first call).
     * @param {string} [nsp] e.g. `/intents-example-1.0/chat/dummy socket`
     * @param {SocketOptions} [options]
     * @returns {Socket}
     */
    socket(nsp = "/", options) {
        let socket = this.nsps.get(nsp);
        if (!socket) this.nsps.set(nsp, (socket = new Socket(this, nsp, options)));
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
    /** Whether the last connect recovered the socket's session: its rooms, what it missed. */
    recovered = false;
    /**
     * Why a Rain server could not recover the session the last connect asked for.
     * @type {string | null}
     */
    recoveryFailure = null;
    #ids = 0;
    /** Acks with a lower id wait for an answer; the others, for their emit to be sent. */
    #handed = 0;
    #acks = new Map();
    /** @type {Encoded[]} */
    #sendBuffer = [];
    /**
     * The events received before the socket counts as connected, as `[ack id, data]`.
     * @type {[number | undefined, any[]][]}
     */
    #receiveBuffer = [];
    /**
     * The packets going out after Blobs are read, in order; settled, then null, once the last
     * is sent.
     * @type {Promise<void> | null}
     */
    #outgoing = null;
    /** @type {SocketHooks[]} */
    #hooks;
    #unavailable;
    /** Whether its server is a Rain server that announces recovery (`recover`). */
    #recover;
    /** Whether the current connect was announced so: its offsets are Rain's. */
    #rain = false;
    /**
     * The session to recover at the next connect: its pid, and the last offset received.
     * @type {string | undefined}
     */
    #pid;
    /** @type {string | undefined} */
    #offset;
    /**
     * The socket id of the server's CONNECT answer, until the connection closes: the server
     * has the socket (a Rain server's announcement may still be to come).
     * @type {string | undefined}
     */
    #sid;

    /**
     * @param {Manager | null} io
     * @param {string} nsp
     * @param {SocketOptions} [options]
     */
    constructor(io, nsp, { recover = false } = {}) {
        super();
        this.io = io;
        this.nsp = nsp;
        this.#recover = recover;
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

    /**
     * Leaves the namespace; the next connect starts a fresh session.
     * @returns {this}
     */
    disconnect() {
        if (this.#sid !== undefined) this.#packet({ type: DISCONNECT });
        this.#deactivate();
        this.#pid = this.#offset = undefined;
        this._onClose("io client disconnect");
        return this;
    }

    /**
     * Sends an event now, or once connected; a function as last argument gets the ack.
     *
     * Each emit is handed to the connection at most once: one that is buffered (while
     * disconnected, or while an extension holds emits) is sent on the next connect and then
     * forgotten, and nothing is sent again after a reconnect. When the connection is lost
     * before the server acks an emit handed to it, its ack function is called with
     * `{ error: "disconnected before the server answered (<reason>)" }`, and a late ack is
     * ignored.
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
        if (this.connected && !held) {
            this.#handed = this.#ids;
            this.#send(packet);
        } else this.#sendBuffer.push(packet);
        return this;
    }

    /**
     * Sends an event; resolves with the first argument of the ack (`{ error }` when the
     * connection is lost first).
     * @param {string} event
     * @param {...any} args
     * @returns {Promise<any>}
     */
    emitWithAck(event, ...args) {
        return new Promise((resolve) => this.emit(event, ...args, resolve));
    }

    // What the manager tells its sockets; not public API.

    _onOpen() {
        const pid = this.#pid;
        this.#packet({ type: CONNECT, data: pid ? { pid, offset: this.#offset } : undefined });
    }

    /** @param {Error} error */
    _onError(error) {
        if (!this.connected) this.emitReserved("connect_error", error);
    }

    /** @param {string} reason */
    _onClose(reason) {
        const wasConnected = this.connected;
        this.connected = false;
        this.id = this.#sid = undefined;
        this.#receiveBuffer = []; // sent again, if missed, on the next connect
        if (wasConnected) this.emitReserved("disconnect", reason);
        // No answer comes over a closed connection, nor after a reconnect: what was sent fails
        // now, once. Buffered emits are still to be sent, their acks to come.
        for (const [id, ack] of this.#acks) {
            if (id >= this.#handed) continue;
            this.#acks.delete(id);
            try {
                ack({ error: `disconnected before the server answered (${reason})` });
            } catch (err) {
                rethrow(err); // the other sockets, and the reconnect, still to come
            }
        }
    }

    /** @param {Packet} packet */
    _onPacket({ type, id, data }) {
        if (type === CONNECT) {
            if (typeof data?.sid !== "string")
                return this._onError(new Error("invalid CONNECT packet"));
            this.#sid = data.sid;
            // A Socket.IO server's answer has the pid; a Rain server's cannot, its announcement
            // comes next.
            this.#rain = this.#recover && data.pid === undefined;
            if (!this.#rain) this.#onConnect(data.pid, !!data.pid && data.pid === this.#pid);
        } else if (type === EVENT && this.#rain && data[0] === ANNOUNCEMENT) {
            if (this.connected || this.#sid === undefined) return;
            const { pid, recovered, offset, reason } = data[1] ?? {};
            // Recovered: the replay follows from `offset`. Fresh: what came before the
            // announcement is delivered, and `offset` is where the socket stands after it.
            this.#offset = recovered === true ? offset : undefined;
            this.#onConnect(pid, recovered === true, reason);
            this.#offset = offset;
        } else if (type === EVENT) {
            if (this.connected) this.#onEvent(id, data);
            else this.#receiveBuffer.push([id, data]);
        } else if (type === ACK) {
            const ack = this.#acks.get(id);
            this.#acks.delete(id);
            ack?.(...data);
        } else if (type === DISCONNECT) {
            this.#deactivate();
            this.#pid = this.#offset = undefined;
            this._onClose("io server disconnect");
        } else if (type === CONNECT_ERROR) {
            this.#deactivate();
            this.emitReserved(
                "connect_error",
                Object.assign(new Error(data.message ?? data), { data: data.data }),
            );
        }
    }

    /**
     * Connects, once the server has said which session the socket has.
     * @param {string | undefined} pid
     * @param {boolean} recovered
     * @param {string | null} [failure]
     */
    #onConnect(pid, recovered, failure = null) {
        this.id = this.#sid;
        this.#pid = pid;
        this.recovered = recovered;
        this.recoveryFailure = failure;
        this.connected = true;
        for (const hooks of this.#hooks) hooks.onConnect?.();
        this.#handed = this.#ids;
        for (const packet of this.#sendBuffer.splice(0)) this.#send(packet);
        const held = this.#receiveBuffer.splice(0);
        // After a Rain server's announcement of a recovery, what came before it is replayed.
        if (!(this.#rain && recovered)) for (const [id, data] of held) this.#onEvent(id, data);
        this.emitReserved("connect");
    }

    /**
     * An event from the server, to its listeners.
     * @param {number | undefined} id its ack id
     * @param {any[]} data its name and arguments
     */
    #onEvent(id, data) {
        if (id === undefined && this.#pid && data.length > 1 && this.#seen(data)) return;
        for (const hooks of this.#hooks) hooks.onEvent?.(data[0], data.slice(1));
        if (id !== undefined) data.push(this.#ackSender(id));
        this.emitReserved(data[0], ...data.slice(1));
    }

    /**
     * Takes the offset of an event without ack id (its last argument): a Socket.IO one stays
     * for listeners, a Rain one is taken off. Whether the event is one already delivered: a
     * Rain offset no later than the last one, in the same epoch.
     * @param {any[]} data the event's name and arguments
     * @returns {boolean}
     */
    #seen(data) {
        const last = data.at(-1);
        if (typeof last !== "string") return false;
        if (this.#rain) {
            const offset = RAIN_OFFSET.exec(last);
            if (!offset) return false;
            data.pop();
            const before = RAIN_OFFSET.exec(this.#offset ?? "");
            if (before?.[1] === offset[1] && BigInt(`0x${offset[2]}`) <= BigInt(`0x${before[2]}`))
                return true;
        }
        this.#offset = last;
        return false;
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
    const socket = managers.get(key).socket(nsp, options);
    return options.autoConnect === false ? socket : socket.connect();
}
