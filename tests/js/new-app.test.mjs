// A new app made from the README's "Start a new app" section, outside this workspace, exactly as
// written there: its shell steps run, its files written from its code blocks, this repository
// where the README puts it (`../rain`). The app builds, serves its page, its typed socket answers
// over the official socket.io-client, its controller works in Chromium, and `bindings write`
// writes its bindings.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { execFileSync, spawnSync } from "node:child_process";
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { io } from "socket.io-client";
import { next, startServer } from "./support/server.mjs";
import { controllersStarted, launch, openPage } from "./support/browser.mjs";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
// Its own target folder: the app's profile is not the workspace's, so nothing would be shared.
const target = path.join(root, "target", "new-app");

/** The README's "Start a new app" section: its shell blocks, and each file block by its path. */
function starter() {
    const readme = readFileSync(path.join(root, "README.md"), "utf8");
    const start = readme.indexOf("\n## Start a new app\n");
    assert.ok(start >= 0, "the README has a `Start a new app` section");
    const end = readme.indexOf("\n## ", start + 1);
    const section = readme.slice(start, end);
    const shell = [];
    const files = new Map();
    // A file's block follows a paragraph that starts with its path in backticks.
    const block = /(?:^|\n)(?:`([^`\n]+)`[^\n]*\n(?:[^\n]+\n)*\n)?```(\w+)\n([\s\S]*?)\n```/g;
    for (const [, file, language, text] of section.matchAll(block)) {
        if (language === "sh") shell.push(text);
        else files.set(file, text + "\n");
    }
    return { shell, files };
}

let dir;
let app;
let server;
let browser;

before(async () => {
    const { shell, files } = starter();
    assert.deepEqual(
        [...files.keys()],
        ["Cargo.toml", "src/main.rs", "components/hello/views/index.html", "components/hello/client/index.js"],
    );
    dir = mkdtempSync(path.join(tmpdir(), "rain-new-app-"));
    symlinkSync(root, path.join(dir, "rain"));
    // The first shell block makes the crate and its folders; the last one is how to run it.
    execFileSync("bash", ["-euo", "pipefail", "-c", shell[0]], { cwd: dir, stdio: "pipe" });
    app = path.join(dir, "hello-rain");
    for (const [file, text] of files) {
        mkdirSync(path.dirname(path.join(app, file)), { recursive: true });
        writeFileSync(path.join(app, file), text);
    }
    // The versions this repository is tested with (cargo keeps the entries the app uses).
    copyFileSync(path.join(root, "Cargo.lock"), path.join(app, "Cargo.lock"));
    const built = spawnSync("cargo", ["build", "--quiet"], {
        cwd: app,
        env: { ...process.env, CARGO_TARGET_DIR: target },
        encoding: "utf8",
        timeout: 15 * 60_000,
    });
    assert.equal(built.status, 0, `the new app builds:\n${built.stderr}`);
    // Served from the app's folder, where `cargo run` runs it.
    [server, browser] = await Promise.all([
        startServer(path.join(target, "debug", "hello-rain"), { cwd: app }),
        launch(),
    ]);
});

after(async () => {
    await browser?.close();
    await server?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
});

test("the new app serves its page with its view and the runtime", async () => {
    const response = await fetch(server.url + "/");
    assert.equal(response.status, 200);
    const html = await response.text();
    assert.match(html, /<title>Hello, Rain<\/title>/);
    assert.match(html, /data-rain-module="hello-1.0"/);
    assert.match(html, /<input name="name" placeholder="Your name"/);
    assert.match(html, /"namespace":"\/hello-1.0\/greeter"/);
});

test("its typed socket pushes the count on connect and acks each greeting, sharing the state", async () => {
    const first = io(server.url + "/hello-1.0/greeter", { forceNew: true, reconnection: false });
    try {
        const pushed = await next(first, "count");
        const reply = await first.timeout(5_000).emitWithAck("greet", { name: "Ada" });
        assert.equal(reply.text, "Hello, Ada!");
        assert.equal(reply.count, pushed + 1, "the count the socket pushed, plus this greeting");
        const second = io(server.url + "/hello-1.0/greeter", { forceNew: true, reconnection: false });
        try {
            assert.equal(await next(second, "count"), reply.count, "every socket shares the app's state");
        } finally {
            second.disconnect();
        }
    } finally {
        first.disconnect();
    }
});

test("its controller greets from the page in Chromium", async () => {
    const { page, problems } = await openPage(browser.context, server.url + "/");
    await controllersStarted(page);
    await page.waitForFunction(() => document.querySelector("[data-itemid='count']").textContent !== "");
    await page.fill("input[name='name']", "Grace");
    await page.click("button[type='submit']");
    await page.waitForFunction(() => document.querySelector("[data-itemid='reply']").textContent.startsWith("Hello"));
    const reply = await page.textContent("[data-itemid='reply']");
    assert.match(reply, /^Hello, Grace! \(greeting number \d+\)$/);
    assert.deepEqual(problems, []);
});

test("`bindings write` writes its typed bindings, as the README says", () => {
    const folder = path.join(app, "components/hello/client/rain");
    const written = spawnSync(path.join(target, "debug", "hello-rain"), ["bindings", "write", "components/hello/client/rain"], {
        cwd: app,
        encoding: "utf8",
        timeout: 30_000,
    });
    assert.equal(written.status, 0, written.stderr);
    assert.ok(existsSync(path.join(folder, "bindings.js")));
    const types = readFileSync(path.join(folder, "bindings.d.ts"), "utf8");
    assert.match(types, /greet/);
    assert.match(types, /name: string/);
});
