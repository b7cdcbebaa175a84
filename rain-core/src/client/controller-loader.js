// Loads controller scripts: AMD, with a global `define` in place while the script runs, or ES
// modules with a default export.

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
