// The lifecycle of a page's components: finds them, loads their controllers (AMD, with a global
// `define` in place while the script runs, or ES modules with a default export), gives each its
// view context (what a controller knows of the instance it drives) and client runtime, starts it
// and marks its element started or failed.

/** @typedef {import("./runtime.js").Registration} Registration */
/** @typedef {{ messaging: import("./messaging.js").Messaging }} ClientRuntime */

/** The view context of one component instance: `this.viewContext` in its controller. */
export class ViewContext {
    #root;
    #messaging;
    #registry;

    /**
     * @param {string} moduleId e.g. `intents-example-1.0`
     * @param {string} instanceId
     * @param {Element | null} root
     * @param {import("./messaging.js").Messaging} messaging
     * @param {string | null} [parent] the instance id of the component it is inside, if any
     * @param {Registry | null} [registry] where it inserts components
     */
    constructor(moduleId, instanceId, root, messaging, parent = null, registry = null) {
        this.moduleId = moduleId;
        this.instanceId = instanceId;
        this.parent = parent;
        this.#root = root;
        this.#messaging = messaging;
        this.#registry = registry;
    }

    /**
     * Mounts `view` of the component `reference` (a module id, `chat@1` or `chat`) as a child
     * of this instance, at the end of `element` (this instance's element by default), and starts
     * its controller; its sockets open once its `init()` has run. Loaded on first use.
     * @param {string} reference
     * @param {string} view
     * @param {Element} [element] or a jQuery object
     * @returns {Promise<{ instanceId: string, element: Element, controller: object | null }>}
     */
    async insert(reference, view, element) {
        const { insert } = await import("./mount.js");
        return insert(this.#registry, this, reference, view, element);
    }

    /**
     * Removes the instance `instanceId` (one this one inserted, say): its children first, then
     * its controller's `destroy()` if it has one, its element, and the sockets no other instance
     * uses.
     * @param {string} instanceId
     * @returns {Promise<boolean>} whether there was such an instance
     */
    remove(instanceId) {
        return this.#registry.remove(instanceId);
    }

    /**
     * The instance's element, wrapped by jQuery when the page has loaded it (as in RAIN, whose
     * pages always did), so that `find` and `click` work.
     * @returns {any}
     */
    getRoot() {
        const jQuery = globalThis.jQuery;
        return this.#root && typeof jQuery === "function" ? jQuery(this.#root) : this.#root;
    }

    /**
     * The instance's element, with or without jQuery on the page.
     * @returns {Element | null}
     */
    getElement() {
        return this.#root;
    }

    /**
     * The socket named `name` of this component, e.g. `chat/dummy socket`.
     * @param {string} name
     * @returns {import("./socket.js").Socket}
     */
    getWebSocket(name) {
        return this.#messaging.getWebSocket(this.moduleId, name);
    }

    /**
     * Publishes `event` to the components under the same parent (see messaging.js).
     * @param {string} event e.g. `chat::message`
     * @param {any} [data]
     */
    publish(event, data) {
        this.#messaging.publish(event, data, this);
    }

    /**
     * @param {string} event
     * @param {(data: any) => void} callback
     */
    subscribe(event, callback) {
        this.#messaging.subscribe(event, callback, this);
    }

    /**
     * @param {string} event
     * @param {(data: any) => void} callback
     */
    unsubscribe(event, callback) {
        this.#messaging.unsubscribe(event, callback, this);
    }
}

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
     * `init()`, then `start()` (unless `init()` did), then marks the element
     * `data-rain-state="started"` (or `"failed"`). Once per instance id.
     * @param {Registration} registration
     * @returns {Promise<object | null>} the controller; null without one
     */
    register(registration) {
        return this.#register([registration])[0];
    }

    /**
     * Registers every element with `data-rain-module`, `data-rain-instance` and, optionally,
     * `data-rain-controller`; a failure is logged and does not stop the others.
     * @param {Document} document
     * @returns {Promise<(object | null)[]>} the controllers, null where none or failed
     */
    start(document) {
        const roots = [...document.querySelectorAll("[data-rain-module]")];
        const registrations = roots.map((root) => {
            const attribute = (name) => root.getAttribute(`data-rain-${name}`);
            return {
                moduleId: attribute("module") ?? "",
                instanceId: attribute("instance") ?? "",
                root,
                controller: attribute("controller") ?? undefined,
            };
        });
        return Promise.all(
            this.#register(registrations).map((instance) =>
                instance.catch((err) => {
                    console.error(err.message, err.cause);
                    return null;
                }),
            ),
        );
    }

    /**
     * Registers instances together: the sockets their controllers ask for open once every one
     * of them has run `init()`, so that what a socket hears first reaches every listener `init()`
     * registered; `start()` then runs.
     * @param {Registration[]} registrations
     */
    #register(registrations) {
        const fresh = registrations.filter(({ instanceId }) => !this.#instances.has(instanceId));
        const release = this.clientRuntime.messaging.hold?.() ?? (() => {});
        const elements = fresh.map(({ root }) =>
            typeof root === "string" ? document.getElementById(root) : root,
        );
        const parents = fresh.map(
            ({ parent }, i) =>
                parent ??
                elements[i]?.parentElement?.closest("[data-rain-instance]")?.dataset.rainInstance,
        );
        const inits = fresh.map((registration, i) =>
            this.#init(registration, elements[i], parents[i]),
        );
        const ready = Promise.allSettled(inits).then(release);
        fresh.forEach(({ moduleId, instanceId }, i) => {
            const [element, parent] = [elements[i], parents[i]];
            const instance = (async () => {
                try {
                    const start = await inits[i];
                    await ready;
                    const controller = (await start?.()) ?? null;
                    element?.setAttribute("data-rain-state", "started");
                    return controller;
                } catch (cause) {
                    await ready;
                    element?.setAttribute("data-rain-state", "failed");
                    const which = `component "${moduleId}" (instance "${instanceId}")`;
                    const reason = cause?.message ?? cause;
                    throw new Error(`Rain: the controller of ${which} failed: ${reason}`, {
                        cause,
                    });
                }
            })();
            this.#instances.set(instanceId, { instance, element, parent });
        });
        return registrations.map(({ instanceId }) => this.#instances.get(instanceId).instance);
    }

    /**
     * Removes an instance: its children first, then its controller's `destroy()` if it has one,
     * its element, and the sockets no other instance uses. Loaded on first use.
     * @param {string} instanceId
     * @returns {Promise<boolean>} whether there was such an instance
     */
    async remove(instanceId) {
        const { remove } = await import("./mount.js");
        return remove(this.#instances, instanceId, this.clientRuntime.messaging);
    }

    /**
     * Loads an instance's controller and runs its `init()`.
     * @param {Registration} registration
     * @returns {Promise<(() => Promise<object>) | null>} what starts it; null without a controller
     */
    async #init({ moduleId, instanceId, root, controller }, element, parent) {
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
        // The instance's own view of the messaging: the sockets it asks for are counted as its.
        const { messaging } = this.clientRuntime;
        const own = messaging.as?.(instanceId) ?? messaging;
        instance.viewContext = new ViewContext(moduleId, instanceId, element, own, parent, this);
        instance.clientRuntime = Object.create(this.clientRuntime, { messaging: { value: own } });
        const { init, start } = instance;
        let started = typeof start !== "function";
        if (!started) {
            instance.start = function (...args) {
                started = true;
                return start.apply(this, args);
            };
        }
        if (typeof init === "function") await instance.init();
        return async () => {
            if (!started) await instance.start();
            return instance;
        };
    }
}

/**
 * Controller scripts by URL, each loaded once. One loads at a time, so that a `define()` call
 * is attributed to its file.
 */
export class ControllerLoader {
    #definitions = new Map();
    #loading = Promise.resolve();

    /**
     * The value the script at `url` defines: the same promise for the same URL.
     * @param {string} url
     * @returns {Promise<any>} an object or a class, if the script is a controller
     */
    load(url) {
        if (!this.#definitions.has(url)) {
            const definition = this.#loading.then(() => importController(url));
            this.#loading = definition.catch(() => {});
            this.#definitions.set(url, definition);
        }
        return this.#definitions.get(url);
    }
}

/**
 * Imports a controller script with a global `define` in place; returns the value it defines.
 * @param {string} url
 */
async function importController(url) {
    /** @type {{ value: unknown } | undefined} */
    let defined;
    const previous = globalThis.define;
    globalThis.define = (...args) => {
        const deps = args.find(Array.isArray);
        if (deps?.length) throw new Error(`define(): dependencies are not supported (${deps})`);
        const factory = args.at(-1);
        defined = { value: typeof factory === "function" ? factory() : factory };
    };
    try {
        const module = await import(url);
        if (defined) return defined.value;
        if (module.default !== undefined) return module.default;
        throw new Error(`${url} neither calls define() nor has a default export`);
    } finally {
        if (previous) globalThis.define = previous;
        else delete globalThis.define;
    }
}
