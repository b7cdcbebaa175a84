// Sockets by component and name, on the page's one shared connection. Each socket's namespace is
// the one the page's manifest gives it: the server, which names namespaces, writes it there, and
// whether it recovers its state across a short disconnect (`recover`, its window in ms): such a
// socket connects once the server has announced its recovery (see socket.js). Sockets asked for
// while components are being set up open once those components' controllers have all run
// `init()`.
//
// Publish/subscribe between the page's components, as RAIN's observer had it. An event name is
// hierarchical, its levels split on `::`; a subscriber hears exactly the name it subscribed to.
// A view context's events are scoped to the components under the same parent instance, so two
// instances of one component in different containers do not hear each other. A name that starts
// with `::` is the page's, whoever publishes it: `::chat::message` from any component is
// `chat::message` of the components at the page's top level and of `clientRuntime.messaging`.
// Callbacks run asynchronously, in the order they subscribed; an event no one has subscribed to
// is kept, the last value only, and delivered to the first later subscriber.
//
// Rain's shutdown notice: a Rain server that starts shutting down sends every socket
// `rain:shutdown` (see rain_core::shutdown), lets its running handlers finish, then closes the
// connection. From the notice until the socket connects again, its emits wait in its buffer for
// the server that replaces this one instead of going to one that is closing. Importing this
// module extends every socket made afterwards with that hold.

import { Socket, connect, extendSockets } from "./socket.js";

/** @typedef {import("./runtime.js").SocketEntry} SocketEntry */
/** @typedef {import("./runtime.js").MessagingOptions} MessagingOptions */

/**
 * The page's `<script type="application/json" id="rain-sockets">` manifest, if any.
 * @param {Document} document
 * @returns {SocketEntry[] | null}
 */
export const readManifest = (document) => readJson(document, "rain-sockets", Array.isArray);

/**
 * The page's `<script type="application/json" id="rain-versions">`: what each reference to a
 * component by name and version fragment (`chat@1`, or `chat` for the latest) resolves to, as the
 * server resolved it, so that the runtime never applies the rule itself.
 * @param {Document} document
 * @returns {Record<string, string> | null}
 */
export const readVersions = (document) =>
    readJson(document, "rain-versions", (value) => value?.constructor === Object);

/**
 * @param {Document} document
 * @param {string} id
 * @param {(value: any) => boolean} valid
 */
function readJson(document, id, valid) {
    const script = document.getElementById(id);
    if (!script) return null;
    try {
        const value = JSON.parse(script.textContent ?? "");
        if (valid(value)) return value;
    } catch {
        // Reported below.
    }
    console.error(`Rain: #${id} is not what the server writes there; it is ignored`);
    return null;
}

/**
 * Where and how the page's server answers Engine.IO, from the manifest's `data-engine-path` and
 * `data-transports`: the options the server's settings need of every client.
 * @param {Document} document
 * @returns {{ path?: string, transports?: string[] }}
 */
export function readEngineOptions(document) {
    const data = document.getElementById("rain-sockets")?.dataset ?? {};
    /** @type {{ path?: string, transports?: string[] }} */
    const options = {};
    if (data.enginePath) options.path = data.enginePath;
    if (data.transports) options.transports = data.transports.split(",");
    return options;
}

/** What a Rain server sends every socket when it starts shutting down. */
const SHUTDOWN_EVENT = "rain:shutdown";

/**
 * The hold of one socket: from a shutdown notice until the next connect.
 * @returns {import("./socket.js").SocketHooks}
 */
function holdOnShutdown() {
    let held = false;
    return {
        onEvent: (event) => {
            if (event === SHUTDOWN_EVENT) held = true;
        },
        onConnect: () => {
            held = false;
        },
        holds: () => held,
    };
}

extendSockets(holdOnShutdown);

/**
 * The levels of `event` under `parent`, as one key.
 * @param {string} event
 * @param {string | null | undefined} parent
 */
function scoped(event, parent) {
    const levels = String(event).split("::");
    if (!levels[0]) {
        levels.shift();
        parent = null;
    }
    return JSON.stringify([parent ?? null, ...levels]);
}

/**
 * `clientRuntime.messaging`: each component's sockets, one object per namespace, and the page's
 * publish/subscribe.
 */
export class Messaging {
    #sockets = new Map();
    /** @type {Map<string, Set<string>>} who uses each socket */
    #users = new Map();
    /** @type {Map<string, Set<Function>>} subscribers by scoped event */
    #callbacks = new Map();
    /** @type {Map<string, any>} what was published to no subscriber, by scoped event */
    #kept = new Map();
    #holds = 0;
    /** @type {Socket[]} */
    #held = [];
    #manifest;
    #versions;
    #engine;
    #options;

    /** @param {MessagingOptions} [options] */
    constructor({ manifest = null, versions = null, engine = {}, ...options } = {}) {
        this.#manifest = manifest;
        this.#versions = versions;
        this.#engine = engine;
        this.#options = options;
    }

    /**
     * The socket `name` of component `moduleId`, on the namespace its manifest entry gives.
     * The component may also be named by name and version fragment, `chat@1` (the latest 1.x),
     * or by name, `chat` (its latest version), as the page's server resolves them.
     * @param {string} moduleId e.g. `intents-example-1.0`
     * @param {string} name e.g. `chat/dummy socket`
     * @param {string} [user] the component instance that will use it (`""`: the page)
     * @returns {Socket}
     */
    getWebSocket(moduleId, name, user = "") {
        moduleId = this.moduleId(moduleId);
        const key = JSON.stringify([moduleId, name]);
        if (!this.#sockets.has(key)) {
            this.#sockets.set(key, this.#open(moduleId, name));
            this.#users.set(key, new Set());
        }
        this.#users.get(key).add(user);
        return this.#sockets.get(key);
    }

    /**
     * This messaging as component instance `user` sees it: the sockets it asks for count as
     * its, until `release(user)`.
     * @param {string} user
     * @returns {Messaging}
     */
    as(user) {
        return new Proxy(this, {
            get: (target, key) =>
                key === "getWebSocket" || key === "_getWebSocket"
                    ? (moduleId, name) => target.getWebSocket(moduleId, name, user)
                    : typeof target[key] === "function"
                      ? target[key].bind(target)
                      : target[key],
        });
    }

    /**
     * Closes the sockets that only component instance `user` used: it is gone.
     * @param {string} user
     */
    release(user) {
        for (const [key, users] of this.#users) {
            if (users.delete(user) && !users.size) {
                this.#sockets.get(key).disconnect();
                this.#sockets.delete(key);
                this.#users.delete(key);
            }
        }
    }

    /**
     * Sends RAIN's intent `{ viewContext, category, action, intentContext, container }` over
     * Rain's one intents socket: resolves with a server intent's value, or, for a view intent,
     * once the view is mounted in `container` (a dialog by default) under `viewContext`; rejects
     * with an `Error` whose `error` is the server's reason. Loaded on first use.
     * @param {import("./runtime.js").IntentRequest} request
     * @returns {Promise<any>}
     */
    async sendIntent(request) {
        const { sendIntent } = await import("./intents.js");
        return sendIntent(this, request);
    }

    /**
     * `getWebSocket`, by the name RAIN's controllers use.
     * @param {string} moduleId
     * @param {string} name
     * @returns {Socket}
     */
    _getWebSocket(moduleId, name) {
        return this.getWebSocket(moduleId, name);
    }

    /**
     * Holds the sockets asked for from now on until the function returned is called (as many
     * times as `hold()` was): they are made at once, and open then.
     * @returns {() => void}
     */
    hold() {
        this.#holds++;
        let held = true;
        return () => {
            if (!held) return;
            held = false;
            if (--this.#holds === 0) for (const socket of this.#held.splice(0)) socket.connect();
        };
    }

    /**
     * Publishes `event` with `data`: from a view context, to the components under its parent.
     * @param {string} event
     * @param {any} [data]
     * @param {{ parent?: string | null }} [viewContext]
     */
    publish(event, data, viewContext) {
        const key = scoped(event, viewContext?.parent);
        const callbacks = this.#callbacks.get(key);
        if (!callbacks?.size) this.#kept.set(key, data);
        else for (const callback of callbacks) queueMicrotask(() => callback(data));
    }

    /**
     * Calls `callback`, asynchronously, with every `event` published (from a view context: under
     * its parent); with the one kept, if it is the first subscriber since.
     * @param {string} event
     * @param {(data: any) => void} callback
     * @param {{ parent?: string | null }} [viewContext]
     */
    subscribe(event, callback, viewContext) {
        if (typeof callback !== "function") throw new TypeError("a callback is required");
        const key = scoped(event, viewContext?.parent);
        this.#callbacks.set(key, (this.#callbacks.get(key) ?? new Set()).add(callback));
        if (this.#kept.has(key)) {
            const data = this.#kept.get(key);
            this.#kept.delete(key);
            queueMicrotask(() => callback(data));
        }
    }

    /**
     * @param {string} event
     * @param {(data: any) => void} callback
     * @param {{ parent?: string | null }} [viewContext]
     */
    unsubscribe(event, callback, viewContext) {
        this.#callbacks.get(scoped(event, viewContext?.parent))?.delete(callback);
    }

    /**
     * The module id a reference names: a module id itself, or what the page's server resolved a
     * name and fragment to; an unknown reference is returned as it is.
     * @param {string} reference e.g. `chat@1`
     * @returns {string} e.g. `chat-1.0`
     */
    moduleId(reference) {
        if (this.#entries().some((e) => e.moduleId === reference)) return reference;
        if (typeof this.#versions === "function") this.#versions = this.#versions();
        const versions = this.#versions ?? {};
        return Object.hasOwn(versions, reference) ? versions[reference] : reference;
    }

    /** @returns {SocketEntry[]} */
    #entries() {
        if (typeof this.#manifest === "function") this.#manifest = this.#manifest();
        return this.#manifest ?? [];
    }

    #open(moduleId, name) {
        if (typeof this.#engine === "function") this.#engine = this.#engine();
        const manifest = this.#entries();
        const entry = manifest.find((e) => e.moduleId === moduleId && e.name === name);
        const nsp = entry?.namespace;
        if (!nsp) {
            const names = manifest.filter((e) => e.moduleId === moduleId).map((e) => `"${e.name}"`);
            const error = new Error(
                `Rain: no socket "${name}" for component "${moduleId}": ` +
                    (names.length
                        ? `its sockets are ${names.join(", ")}`
                        : "it has no sockets, or does not exist"),
            );
            console.error(error.message);
            return Socket.unavailable("", error).connect();
        }
        const { url = globalThis.location.origin, ...options } = {
            ...this.#engine,
            ...this.#options,
        };
        const recover = entry.recover != null;
        const held = options.autoConnect !== false && this.#holds > 0;
        const autoConnect = options.autoConnect !== false && !held;
        const socket = connect(url, nsp, { ...options, recover, autoConnect });
        if (held) this.#held.push(socket);
        return socket.on("connect_error", (error) => {
            if (error.message === "Invalid namespace") {
                console.error(
                    `Rain: the server has no socket "${name}" for component "${moduleId}"`,
                );
            }
        });
    }
}
