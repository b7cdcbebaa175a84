// Starts a Rain server binary built by cargo on 127.0.0.1 with a free port, and stops it.
import { spawn } from "node:child_process";
import { fileURLToPath } from "node:url";
import path from "node:path";
import { after, before } from "node:test";
import { io } from "socket.io-client";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../../..");
const targetDir = process.env.CARGO_TARGET_DIR ?? path.join(root, "target");

/** Path of a binary that `cargo build` put in the target folder. */
export function binary(name) {
    return path.join(targetDir, "debug", name);
}

/**
 * Spawns `bin` with RAIN_ADDR=127.0.0.1:<port> (0 = any free port) and resolves once it prints
 * `listening on http://...`; `cwd` is the folder it runs in (this one by default).
 * @returns {Promise<{ url: string, port: number, pid: number, output: () => string, stop: () => Promise<void>, kill: () => Promise<void> }>}
 */
export async function startServer(bin, { port = 0, env = {}, cwd } = {}) {
    const child = spawn(bin, [], {
        cwd,
        // The chat's history in memory unless `env` names one: no test writes a database file
        // where it runs, nor uses the developer's `DATABASE_URL`.
        env: { ...process.env, RAIN_ADDR: `127.0.0.1:${port}`, RUST_LOG: "warn", DATABASE_URL: "sqlite::memory:", ...env },
        stdio: ["ignore", "pipe", "pipe"],
    });
    let output = "";
    const exited = new Promise((resolve) => child.once("exit", (code, signal) => resolve({ code, signal })));
    const url = await new Promise((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`server did not start in 20 s:\n${output}`)), 20_000);
        const onData = (chunk) => {
            output += chunk;
            const match = /listening on (http:\/\/[\d.:]+)/.exec(output);
            if (match) {
                clearTimeout(timer);
                resolve(match[1]);
            }
        };
        child.stdout.on("data", onData);
        child.stderr.on("data", (chunk) => { output += chunk; });
        child.once("error", (error) => {
            clearTimeout(timer);
            reject(new Error(`cannot start ${bin} (run \`cargo build\` first): ${error.message}`));
        });
        exited.then(({ code }) => {
            clearTimeout(timer);
            reject(new Error(`server exited (${code}) before listening:\n${output}`));
        });
    });
    const stopWith = async (signal) => {
        if (child.exitCode === null && child.signalCode === null) child.kill(signal);
        return exited;
    };
    return {
        url,
        port: Number(new URL(url).port),
        pid: child.pid,
        output: () => output,
        stop: () => stopWith("SIGINT"),
        kill: () => stopWith("SIGKILL"),
        exited,
    };
}

/** The offset a recoverable Rain socket appends to each event it sends (`rain_core::recovery`). */
const RAIN_OFFSET = /^[0-9a-f]{8}-[0-9a-f]+$/;

/**
 * Resolves with the first emission of `event` on `emitter` (its arguments, without the offset a
 * recoverable socket appends, as Rain's runtime takes it off), or rejects after `ms`.
 */
export function next(emitter, event, ms = 5_000) {
    return new Promise((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`no "${event}" within ${ms} ms`)), ms);
        emitter.once(event, (...args) => {
            clearTimeout(timer);
            const last = args.at(-1);
            if (args.length > 1 && typeof last === "string" && RAIN_OFFSET.test(last)) args.pop();
            resolve(args.length > 1 ? args : args[0]);
        });
    });
}

/**
 * The test servers and clients of one test file, killed and disconnected once its tests are done.
 * `start(options)` starts `rain-test-server` (options as for `startServer`); push clients to
 * `clients`.
 */
export function stoppedAfterAll() {
    const servers = [];
    const clients = [];
    after(async () => {
        for (const client of clients) client.disconnect();
        for (const server of servers) await server.kill();
    });
    async function start(options) {
        const server = await startServer(binary("rain-test-server"), options);
        servers.push(server);
        return server;
    }
    return { servers, clients, start };
}

/**
 * One `rain-test-server` for all the tests of a file: started before them, stopped after, with
 * `connect(namespace, options)` for socket.io clients to it (disconnected after the tests too).
 * `shared.server` is the running server once the tests run.
 */
export function sharedServer() {
    const shared = { server: undefined, clients: [] };
    before(async () => {
        shared.server = await startServer(binary("rain-test-server"));
    });
    after(async () => {
        for (const client of shared.clients) client.disconnect();
        await shared.server?.stop();
    });
    shared.connect = (namespace, options = {}) => {
        const client = io(shared.server.url + namespace, { forceNew: true, reconnection: false, ...options });
        shared.clients.push(client);
        return client;
    };
    return shared;
}
