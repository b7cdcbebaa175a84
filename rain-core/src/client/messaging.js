// Sockets by component and name, on the page's one shared connection. Each socket's namespace is
// the one the page's manifest gives it: the server, which names namespaces, writes it there, and
// whether it recovers its state across a short disconnect (`recover`, its window in ms): such a
// socket connects once the server has announced its recovery (see socket.js).

import { Socket, connect } from "./socket.js";

/** @typedef {import("./runtime.js").SocketEntry} SocketEntry */
/** @typedef {import("./runtime.js").MessagingOptions} MessagingOptions */

/**
 * The page's `<script type="application/json" id="rain-sockets">` manifest, if any.
 * @param {Document} document
 * @returns {SocketEntry[] | null}
 */
export function readManifest(document) {
    const script = document.getElementById("rain-sockets");
    if (!script) return null;
    try {
        const entries = JSON.parse(script.textContent ?? "");
        if (Array.isArray(entries)) return entries;
    } catch {
        // Reported below.
    }
    console.error("Rain: #rain-sockets is not a JSON array; it is ignored");
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

/** `clientRuntime.messaging`: each component's sockets, one object per namespace. */
export class Messaging {
    #sockets = new Map();
    #manifest;
    #engine;
    #options;

    /** @param {MessagingOptions} [options] */
    constructor({ manifest = null, engine = {}, ...options } = {}) {
        this.#manifest = manifest;
        this.#engine = engine;
        this.#options = options;
    }

    /**
     * The socket `name` of component `moduleId`, on the namespace its manifest entry gives.
     * @param {string} moduleId e.g. `intents-example-1.0`
     * @param {string} name e.g. `chat/dummy socket`
     * @returns {Socket}
     */
    getWebSocket(moduleId, name) {
        const key = JSON.stringify([moduleId, name]);
        if (!this.#sockets.has(key)) this.#sockets.set(key, this.#open(moduleId, name));
        return this.#sockets.get(key);
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

    #open(moduleId, name) {
        if (typeof this.#manifest === "function") this.#manifest = this.#manifest();
        if (typeof this.#engine === "function") this.#engine = this.#engine();
        const manifest = this.#manifest ?? [];
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
        return connect(url, nsp, { ...options, recover }).on("connect_error", (error) => {
            if (error.message === "Invalid namespace") {
                console.error(
                    `Rain: the server has no socket "${name}" for component "${moduleId}"`,
                );
            }
        });
    }
}
