// The browser runtime as a Rain server serves it (comments stripped, gzipped) is the runtime the
// readable sources are: fetched gzipped from rain-test-server on 127.0.0.1, written to a folder,
// and put through the runtime's own unit, fuzz and conformance tests in a child `node --test`.
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { after, before, test } from "node:test";
import { fileURLToPath } from "node:url";

import { binary, startServer } from "./support/server.mjs";

const here = path.dirname(fileURLToPath(import.meta.url));
const sources = path.resolve(here, "../../rain-core/src/client");

let server;
let folder;

before(async () => {
    server = await startServer(binary("rain-test-server"));
    folder = mkdtempSync(path.join(tmpdir(), "rain-served-runtime-"));
});

after(async () => {
    await server?.stop();
    if (folder) rmSync(folder, { recursive: true, force: true });
});

test("the served runtime passes the runtime's own tests", { timeout: 120_000 }, async () => {
    const pending = ["runtime.js"];
    const fetched = new Set();
    while (pending.length) {
        const name = pending.pop();
        if (fetched.has(name)) continue;
        fetched.add(name);
        // fetch() decompresses; the header says what came over the wire.
        const response = await fetch(`${server.url}/rain/${name}`, {
            headers: { "accept-encoding": "gzip" },
        });
        assert.equal(response.status, 200, name);
        assert.equal(response.headers.get("content-encoding"), "gzip", name);
        const text = await response.text();
        const source = readFileSync(path.join(sources, name), "utf8");
        assert.ok(text.length < source.length, `${name} is served stripped`);
        assert.ok(!/^\s*(\/\/|\/\*)/m.test(text), `${name} is served without comment lines`);
        writeFileSync(path.join(folder, name), text);
        for (const [, imported] of text.matchAll(/(?:from|import) "\.\/([^"]+)"/g)) pending.push(imported);
    }
    assert.deepEqual([...fetched].sort(), [
        "components.js",
        "emitter.js",
        "engine.js",
        "messaging.js",
        "protocol.js",
        "runtime.js",
        "socket.js",
    ]);

    const files = [
        "runtime-unit.test.mjs",
        "protocol-fuzz.test.mjs",
        "conformance.test.mjs",
        "client-model.test.mjs",
    ];
    // A run of its own, not a child of this one, which would report to it in another format.
    const { NODE_TEST_CONTEXT: _, ...env } = process.env;
    const { code, stdout, stderr } = await new Promise((resolve) => {
        execFile(
            process.execPath,
            ["--experimental-websocket", "--test", "--test-reporter=tap", ...files],
            {
                cwd: here,
                env: { ...env, RAIN_RUNTIME_DIR: folder, RAIN_FUZZ_CASES: "2000" },
                maxBuffer: 64 * 1024 * 1024,
            },
            (error, stdout, stderr) => resolve({ code: error ? (error.code ?? 1) : 0, stdout, stderr }),
        );
    });
    const failed = Number(/^# fail (\d+)$/m.exec(stdout)?.[1] ?? NaN);
    const passed = Number(/^# pass (\d+)$/m.exec(stdout)?.[1] ?? NaN);
    assert.equal(code, 0, `the served runtime failed its tests:\n${stdout.slice(-4000)}\n${stderr}`);
    assert.equal(failed, 0);
    assert.ok(passed > 50, `only ${passed} tests ran`);
});
