// Where the runtime's unit tests import the browser runtime from: its readable sources, or, with
// RAIN_RUNTIME_DIR set, a folder of modules as a Rain server serves them (served-runtime.test.mjs).
import { pathToFileURL } from "node:url";

const folder = process.env.RAIN_RUNTIME_DIR
    ? pathToFileURL(`${process.env.RAIN_RUNTIME_DIR.replace(/\/?$/, "/")}`)
    : new URL("../../../rain-core/src/client/", import.meta.url);

/** Imports module `name` (e.g. `protocol.js`) of the browser runtime. */
export const runtimeModule = (name) => import(new URL(name, folder).href);
