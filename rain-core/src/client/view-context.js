// What a controller knows of the component instance it drives.

/** The view context of one component instance: `this.viewContext` in its controller. */
export class ViewContext {
    #root;
    #messaging;

    /**
     * @param {string} moduleId e.g. `intents-example-1.0`
     * @param {string} instanceId
     * @param {Element | null} root
     * @param {import("./messaging.js").Messaging} messaging
     */
    constructor(moduleId, instanceId, root, messaging) {
        this.moduleId = moduleId;
        this.instanceId = instanceId;
        this.#root = root;
        this.#messaging = messaging;
    }

    /**
     * The instance's element.
     * @returns {Element | null}
     */
    getRoot() {
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
}
