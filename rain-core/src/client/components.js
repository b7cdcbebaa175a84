// The lifecycle of a page's components: finds them, has their controllers loaded, gives each its
// view context and client runtime, starts it and marks its element started or failed.

import { ControllerLoader } from "./controller-loader.js";
import { ViewContext } from "./view-context.js";

/** @typedef {import("./runtime.js").Registration} Registration */
/** @typedef {{ messaging: import("./messaging.js").Messaging }} ClientRuntime */

/**
 * The page's component instances. A controller script is AMD, `define(function () { ...
 * return { init, start }; })`, or an ES module with a default export. Its value, an object
 * or a class, gives each instance its own controller: an object becomes its prototype.
 */
export class Registry {
    #instances = new Map();
    #controllers = new ControllerLoader();

    /** @param {ClientRuntime} clientRuntime `this.clientRuntime` of every controller */
    constructor(clientRuntime) {
        this.clientRuntime = clientRuntime;
    }

    /**
     * Loads an instance's controller, sets its `viewContext` and `clientRuntime`, calls
     * `init()` then `start()` (unless `init()` did), then marks the element
     * `data-rain-state="started"` (or `"failed"`). Once per instance id.
     * @param {Registration} registration
     * @returns {Promise<object | null>} the controller; null without one
     */
    register(registration) {
        const { moduleId, instanceId, root = null } = registration;
        if (!this.#instances.has(instanceId)) {
            const element = typeof root === "string" ? document.getElementById(root) : root;
            const instance = this.#instantiate(registration, element).then(
                (result) => {
                    element?.setAttribute("data-rain-state", "started");
                    return result;
                },
                (cause) => {
                    element?.setAttribute("data-rain-state", "failed");
                    const which = `component "${moduleId}" (instance "${instanceId}")`;
                    const reason = cause?.message ?? cause;
                    throw new Error(`Rain: the controller of ${which} failed: ${reason}`, {
                        cause,
                    });
                },
            );
            this.#instances.set(instanceId, instance);
        }
        return this.#instances.get(instanceId);
    }

    /**
     * Registers every element with `data-rain-module`, `data-rain-instance` and, optionally,
     * `data-rain-controller`; a failure is logged and does not stop the others.
     * @param {Document} document
     * @returns {Promise<(object | null)[]>} the controllers, null where none or failed
     */
    start(document) {
        const roots = [...document.querySelectorAll("[data-rain-module]")];
        return Promise.all(
            roots.map((root) => {
                const attribute = (name) => root.getAttribute(`data-rain-${name}`);
                const registration = {
                    moduleId: attribute("module") ?? "",
                    instanceId: attribute("instance") ?? "",
                    root,
                    controller: attribute("controller") ?? undefined,
                };
                return this.register(registration).catch((err) => {
                    console.error(err.message, err.cause);
                    return null;
                });
            }),
        );
    }

    /**
     * @param {Registration} registration
     * @param {Element | null} element
     */
    async #instantiate({ moduleId, instanceId, root, controller }, element) {
        if (!moduleId || !instanceId)
            throw new Error("a module id and an instance id are required");
        if (root && !element) throw new Error(`no element with id "${root}"`);
        if (!controller) return null;
        const url = new URL(controller, element?.ownerDocument?.baseURI).href;
        const value = await this.#controllers.load(url);
        if (typeof value !== "function" && (typeof value !== "object" || !value)) {
            throw new Error(`a controller must be an object or a class, not ${value}`);
        }
        const instance = typeof value === "function" ? new value() : Object.create(value);
        instance.viewContext = new ViewContext(
            moduleId,
            instanceId,
            element,
            this.clientRuntime.messaging,
        );
        instance.clientRuntime = this.clientRuntime;
        await run(instance);
        return instance;
    }
}

/**
 * Calls `init()`, then `start()` unless `init()` called it already.
 * @param {any} controller
 */
async function run(controller) {
    const { init, start } = controller;
    let started = false;
    if (typeof start === "function") {
        controller.start = function (...args) {
            started = true;
            return start.apply(this, args);
        };
    }
    if (typeof init === "function") await controller.init();
    if (!started && typeof start === "function") await controller.start();
}
