// Graceful shutdown and restarts of the Rain test server: running handlers finish, clients are
// told why they are disconnected and reconnect to the next server, and the browser runtime
// delivers every emit exactly once across a graceful restart and a crash.
import { test } from "node:test";
import assert from "node:assert/strict";
import http from "node:http";
import { io } from "socket.io-client";
import { next, stoppedAfterAll } from "./support/server.mjs";
import { launch, openPage } from "./support/browser.mjs";

const WORK = "/lifecycle-1.0/work";
const TEST_TIMEOUT = { timeout: 60_000 };
const { clients, start } = stoppedAfterAll();

function connect(server, namespace, options = {}) {
    const client = io(server.url + namespace, {
        forceNew: true,
        transports: ["websocket"],
        reconnectionDelay: 200,
        reconnectionDelayMax: 1000,
        ...options,
    });
    clients.push(client);
    return client;
}

function handshakeStatus(server) {
    return new Promise((resolve, reject) => {
        http.get(`${server.url}/socket.io/?EIO=4&transport=polling`, (res) => {
            let body = "";
            res.on("data", (chunk) => (body += chunk));
            res.on("end", () => resolve({ status: res.statusCode, body }));
        }).on("error", reject);
    });
}

test("shutdown lets a running handler ack, tells the client why, and the client reconnects to the next server", TEST_TIMEOUT, async () => {
    const first = await start();
    const client = connect(first, WORK);
    await next(client, "connect");
    const notice = next(client, "rain:shutdown");
    const disconnected = next(client, "disconnect", 10_000);
    const acked = client.timeout(10_000).emitWithAck("slow", 1_500);
    await new Promise((resolve) => setTimeout(resolve, 200));
    const exited = first.stop(); // SIGINT while the handler sleeps

    assert.deepEqual(await notice, { reason: "the server is shutting down" });
    // While draining, no new session is opened.
    const during = await handshakeStatus(first);
    assert.equal(during.status, 503);
    assert.match(during.body, /the server is shutting down/);
    assert.equal(await acked, "done", "the running handler finished and its ack arrived");
    const [reason] = await disconnected;
    assert.equal(reason, "transport close", "a reconnectable reason");
    assert.equal((await exited).code, 0);

    const second = await start({ port: first.port });
    await next(client, "connect", 10_000);
    assert.equal(await client.timeout(5_000).emitWithAck("slow", 1), "done");
    await second.stop();
});

test("the shutdown deadline stops handlers that run longer", TEST_TIMEOUT, async () => {
    const server = await start({ env: { RAIN_SHUTDOWN_TIMEOUT: "1" } });
    const client = connect(server, WORK, { reconnection: false });
    await next(client, "connect");
    let acked = false;
    client.emit("slow", 20_000, () => (acked = true));
    await new Promise((resolve) => setTimeout(resolve, 200));
    const [{ code }] = await Promise.all([server.stop(), next(client, "disconnect", 15_000)]);
    assert.equal(code, 0, "the server exits once the deadline passed, long before the handler ends");
    assert.equal(acked, false);
    assert.match(server.output(), /handlers still running at the shutdown deadline are stopped/);
});

test("a log that is not written to a terminal is plain text, without color codes", TEST_TIMEOUT, async () => {
    // Its output is a pipe; `NO_COLOR` empty, which counts as unset, so that only the pipe turns
    // colors off.
    const server = await start({ env: { NO_COLOR: "", RUST_LOG: "info" } });
    const { code } = await server.stop();
    assert.equal(code, 0);
    assert.match(server.output(), /INFO .*stopping: closing every socket/);
    assert.doesNotMatch(server.output(), /\x1b\[/);
});

test("the browser runtime delivers each emit exactly once across a graceful restart and a crash", TEST_TIMEOUT, async () => {
    let server = await start();
    const port = server.port;
    const browser = await launch();
    try {
        const { page, problems } = await openPage(browser.context, server.url + "/");
        await page.evaluate(async () => {
            const { getWebSocket } = await import("/rain/runtime.js");
            const socket = getWebSocket("lifecycle-1.0", "notes");
            Object.assign(window, { notes: socket, noted: [], shutdowns: 0, connects: 0 });
            socket.on("noted", (n) => window.noted.push(n));
            socket.on("connect", () => window.connects++);
            socket.on("rain:shutdown", () => {
                window.shutdowns++;
                // Sent right after the notice: held back until the next server is there.
                for (let i = 10; i < 15; i++) socket.emit("note", i);
            });
            for (let i = 0; i < 5; i++) socket.emit("note", i); // before the first connect
        });
        const seen = () => page.evaluate(() => [...window.noted].sort((a, b) => a - b));
        const until = (count) =>
            page.waitForFunction((n) => window.noted.length >= n, count, { timeout: 20_000 });
        await until(5);

        // A graceful restart.
        await server.stop();
        await page.waitForFunction(() => !window.notes.connected, null, { timeout: 10_000 });
        await page.evaluate(() => {
            for (let i = 15; i < 20; i++) window.notes.emit("note", i); // while disconnected
        });
        server = await start({ port });
        await until(15);

        // A crash: no notice, the connection just goes.
        await server.kill();
        await page.waitForFunction(() => !window.notes.connected, null, { timeout: 10_000 });
        await page.evaluate(() => {
            for (let i = 20; i < 25; i++) window.notes.emit("note", i);
        });
        server = await start({ port });
        await until(20);
        // Anything sent twice would arrive by now: acks of later round trips come after it.
        await page.evaluate(() => window.notes.emitWithAck("note", 99));
        await until(21);

        const expected = [...Array(5).keys(), ...[10, 11, 12, 13, 14], ...[15, 16, 17, 18, 19], ...[20, 21, 22, 23, 24], 99];
        assert.deepEqual(await seen(), expected, "each note delivered exactly once");
        assert.equal(await page.evaluate(() => window.shutdowns), 1);
        assert.equal(await page.evaluate(() => window.connects), 3);
        assert.deepEqual(
            problems.filter((p) => !/socket\.io|ERR_CONNECTION_REFUSED|WebSocket/.test(p)),
            [],
        );
    } finally {
        await browser.close();
        await server.stop();
    }
});
