// A minimal event emitter for the engine, the manager and the sockets.

/** @typedef {(...args: any[]) => void} Listener */

export class Emitter {
    #listeners = new Map();

    /**
     * Adds a listener.
     * @param {string} event
     * @param {Listener} fn
     * @returns {this}
     */
    on(event, fn) {
        this.#listeners.set(event, [...this.#get(event), fn]);
        return this;
    }

    /**
     * Adds a listener called once.
     * @param {string} event
     * @param {Listener} fn
     * @returns {this}
     */
    once(event, fn) {
        const once = (...args) => {
            this.off(event, once);
            fn.apply(this, args);
        };
        once.fn = fn;
        return this.on(event, once);
    }

    /**
     * Removes a listener, all listeners of an event, or all listeners.
     * @param {string} [event]
     * @param {Listener} [fn]
     * @returns {this}
     */
    off(event, fn) {
        if (event === undefined) this.#listeners.clear();
        else
            this.#listeners.set(
                event,
                fn ? this.#get(event).filter((l) => l !== fn && l.fn !== fn) : [],
            );
        return this;
    }

    /**
     * Calls the listeners of an event. One that throws does not stop the others: its error
     * is rethrown apart, as an uncaught error.
     * @param {string} event
     * @param {...any} args
     */
    emitReserved(event, ...args) {
        for (const fn of this.#get(event)) {
            try {
                fn.apply(this, args);
            } catch (err) {
                setTimeout(() => {
                    throw err;
                });
            }
        }
    }

    #get(event) {
        return this.#listeners.get(event) ?? [];
    }
}
