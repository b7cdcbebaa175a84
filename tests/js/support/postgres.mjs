// Starts a Postgres server of its own: `initdb` into a temporary folder, then `postgres` on
// 127.0.0.1 and a free port (its socket in the folder too); stops it and starts it again on the
// same data and port; removes the folder once done. As root (CI), runs both as the `postgres`
// system user, since Postgres refuses to run as root. The same as the Rust tests' helper
// (examples/intents_example/src/history/tests/postgres.rs).
import { spawn, spawnSync } from "node:child_process";
import { chownSync, existsSync, mkdtempSync, readdirSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { freePort } from "./redis.mjs";

/**
 * The folder of Postgres's server binaries: `pg_config --bindir`, else the newest
 * /usr/lib/postgresql/<version>/bin. Throws, saying how to install them, when there is none.
 */
function bindir() {
    const hasServer = (dir) => existsSync(path.join(dir, "initdb")) && existsSync(path.join(dir, "postgres"));
    const configured = spawnSync("pg_config", ["--bindir"], { encoding: "utf8" });
    if (configured.status === 0 && hasServer(configured.stdout.trim())) return configured.stdout.trim();
    const root = "/usr/lib/postgresql";
    const versions = existsSync(root)
        ? readdirSync(root)
              .filter((name) => /^\d+$/.test(name) && hasServer(path.join(root, name, "bin")))
              .sort((a, b) => Number(a) - Number(b))
        : [];
    if (versions.length === 0) {
        throw new Error(
            "these tests need PostgreSQL's server (initdb, postgres), found neither through " +
                "`pg_config --bindir` nor in /usr/lib/postgresql/*/bin: `apt-get install -y postgresql` " +
                "(tests/run.sh installs it)",
        );
    }
    return path.join(root, versions.at(-1), "bin");
}

/** The `postgres` user's uid and gid, to run as when this process is root. */
function postgresUser() {
    const id = (flag) => {
        const found = spawnSync("id", [flag, "postgres"], { encoding: "utf8" });
        if (found.status !== 0) throw new Error(`running as root and there is no \`postgres\` user: ${found.stderr}`);
        return Number(found.stdout.trim());
    };
    return { uid: id("-u"), gid: id("-g") };
}

/**
 * Creates a database cluster in a temporary folder and starts it on `port` (default: a free one).
 * `postgres` is its superuser, trusted without a password.
 * @returns {Promise<{ url: string, port: number, output: () => string, stop: () => Promise<void>, start: () => Promise<void>, remove: () => Promise<void> }>}
 */
export async function startPostgres({ port } = {}) {
    const bin = bindir();
    port ??= await freePort();
    const folder = mkdtempSync(path.join(os.tmpdir(), "rain-postgres-"));
    const data = path.join(folder, "data");
    // spawn's uid/gid: the `postgres` user when root, this process's own otherwise.
    const user = process.getuid?.() === 0 ? postgresUser() : {};
    if (user.uid !== undefined) chownSync(folder, user.uid, user.gid);
    const initdb = spawnSync(
        path.join(bin, "initdb"),
        ["--auth=trust", "--username=postgres", "--encoding=UTF8", "--no-sync", "-D", data],
        { encoding: "utf8", cwd: folder, ...user },
    );
    if (initdb.status !== 0) throw new Error(`initdb failed:\n${initdb.stdout}${initdb.stderr}${initdb.error ?? ""}`);

    let output = "";
    let child;
    const start = async () => {
        if (child) throw new Error("postgres is running already");
        child = spawn(
            path.join(bin, "postgres"),
            ["-D", data, "-k", folder, "-p", String(port), "-c", "listen_addresses=127.0.0.1", "-F"],
            { stdio: ["ignore", "ignore", "pipe"], cwd: folder, ...user },
        );
        const started = child;
        const from = output.length;
        await new Promise((resolve, reject) => {
            const timer = setTimeout(() => reject(new Error(`postgres was not ready in 30 s:\n${output}`)), 30_000);
            started.stderr.on("data", (chunk) => {
                output += chunk;
                if (output.includes("database system is ready to accept connections", from)) {
                    clearTimeout(timer);
                    resolve();
                }
            });
            started.once("exit", (code) => {
                clearTimeout(timer);
                reject(new Error(`postgres exited (${code}) before it was ready:\n${output}`));
            });
        });
    };
    /** A fast shutdown (SIGINT): its clients are disconnected; resolves once it has exited. */
    const stop = async () => {
        if (!child) return;
        const stopping = child;
        child = undefined;
        if (stopping.exitCode !== null || stopping.signalCode !== null) return;
        const exited = new Promise((resolve) => stopping.once("exit", resolve));
        stopping.kill("SIGINT");
        await exited;
    };
    await start();
    return {
        url: `postgres://postgres@127.0.0.1:${port}/postgres`,
        port,
        output: () => output,
        stop,
        start,
        /** Stops it if it runs, and removes its folder. */
        remove: async () => {
            await stop();
            rmSync(folder, { recursive: true, force: true });
        },
    };
}
