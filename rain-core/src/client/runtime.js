// Rain's browser runtime. Loaded as a module script, it starts the page's components.

import { Registry, ViewContext } from "./components.js";
import { Messaging, readEngineOptions, readManifest, readVersions } from "./messaging.js";

export { Manager, Socket, connect } from "./socket.js";
export { Messaging, Registry, ViewContext };

/** `this.clientRuntime` of every controller. */
export const clientRuntime = {
    messaging: new Messaging({
        manifest: () => readManifest(document),
        versions: () => readVersions(document),
        engine: () => readEngineOptions(document),
    }),
};

/** The page's component instances. */
export const ComponentRegistry = new Registry(clientRuntime);

/**
 * The socket `name` of component `moduleId`, shared by the whole page.
 * @param {string} moduleId e.g. `intents-example-1.0`
 * @param {string} name e.g. `chat/dummy socket`
 */
export const getWebSocket = (moduleId, name) =>
    clientRuntime.messaging.getWebSocket(moduleId, name);

/** @type {Promise<(object | null)[]> | undefined} */
let started;

/**
 * Starts the page's components, once: later calls return the same promise.
 * @returns {Promise<(object | null)[]>} the controllers, null where none or failed
 */
export function start() {
    started ??= ComponentRegistry.start(document);
    return started;
}

if (typeof document !== "undefined") start();
