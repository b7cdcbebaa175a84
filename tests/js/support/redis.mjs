// Starts a redis-server of its own on 127.0.0.1 (a free port, nothing persisted), and stops or
// restarts it on the same port.
import { spawn, spawnSync } from "node:child_process";
import net from "node:net";

/** A free TCP port on 127.0.0.1. */
export async function freePort() {
    const server = net.createServer();
    await new Promise((resolve) => server.listen(0, "127.0.0.1", resolve));
    const { port } = server.address();
    await new Promise((resolve) => server.close(resolve));
    return port;
}

/** Fails with a clear message when redis-server is not installed. */
function requireRedisServer() {
    const found = spawnSync("redis-server", ["--version"], { encoding: "utf8" });
    if (found.error) {
        throw new Error(
            "these tests need redis-server (Redis 7+): `apt-get install -y redis-server` " +
                "(tests/run.sh installs it)",
        );
    }
}

/**
 * Spawns redis-server on `port` (default: a free one) and resolves once it accepts connections.
 * @returns {Promise<{ url: string, port: number, stop: () => Promise<void>, restart: () => Promise<void> }>}
 */
export async function startRedis({ port } = {}) {
    requireRedisServer();
    port ??= await freePort();
    let child = await launch(port);
    const stop = async () => {
        if (!child) return;
        const exited = new Promise((resolve) => child.once("exit", resolve));
        if (child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
        await exited;
        child = undefined;
    };
    return {
        url: `redis://127.0.0.1:${port}`,
        port,
        stop,
        restart: async () => {
            await stop();
            child = await launch(port);
        },
    };
}

async function launch(port) {
    const child = spawn(
        "redis-server",
        ["--port", String(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
        { stdio: ["ignore", "pipe", "pipe"] },
    );
    let output = "";
    await new Promise((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`redis-server did not start in 10 s:\n${output}`)), 10_000);
        child.stdout.on("data", (chunk) => {
            output += chunk;
            if (output.includes("Ready to accept connections")) {
                clearTimeout(timer);
                resolve();
            }
        });
        child.stderr.on("data", (chunk) => { output += chunk; });
        child.once("exit", (code) => {
            clearTimeout(timer);
            reject(new Error(`redis-server exited (${code}):\n${output}`));
        });
    });
    return child;
}
