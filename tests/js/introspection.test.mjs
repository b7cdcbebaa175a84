// `GET /rain`, the introspection page, in headless Chromium against the intents example's own
// binary: its components, sockets, events and links, and live connection counts that follow
// clients connecting and leaving.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { io } from "socket.io-client";
import { binary, startServer, next } from "./support/server.mjs";
import { launch, openPage } from "./support/browser.mjs";

const DUMMY = "/intents-example-1.0/chat/dummy socket";
const ROOM = "/chat-1.0/room";
let server;
let browser;

before(async () => {
    [server, browser] = await Promise.all([startServer(binary("intents-example")), launch()]);
});

after(async () => {
    await browser?.close();
    await server?.stop();
});

/** The live count shown for `namespace`, as a number. */
async function liveCount(page, namespace) {
    const cell = page.locator(`tr.socket[data-namespace="${namespace}"] td.live`);
    return Number(await cell.textContent());
}

/** Reloads `page` until the count shown for `namespace` is `expected`. */
async function countBecomes(page, namespace, expected) {
    const deadline = Date.now() + 5_000;
    for (;;) {
        await page.reload();
        const count = await liveCount(page, namespace);
        if (count === expected) return;
        if (Date.now() > deadline) assert.fail(`${namespace}: count ${count}, expected ${expected}`);
        await new Promise((resolve) => setTimeout(resolve, 50));
    }
}

test("lists the example's components, sockets, events, views and pages", async () => {
    const { page, problems } = await openPage(browser.context, server.url + "/rain");
    assert.equal(await page.title(), "Rain: components and sockets");
    const headings = await page.locator("section.component h2").allTextContents();
    assert.deepEqual(headings, ["chat 1.0", "chat 2.0", "intents-example 1.0"]);

    const namespaces = await page.locator("tr.socket").evaluateAll((rows) => rows.map((r) => r.dataset.namespace));
    assert.deepEqual(namespaces, [ROOM, "/chat-2.0/room", DUMMY]);

    const dummy = page.locator(`tr.socket[data-namespace="${DUMMY}"]`);
    const dummyText = await dummy.textContent();
    for (const expected of ["chat/dummy socket", "dummy_socket", "lib.rs:", "Answers every hello with a bye."]) {
        assert.ok(dummyText.includes(expected), `"${expected}" missing from: ${dummyText}`);
    }
    // Doc comments are rendered from their Markdown: code spans are code.
    assert.deepEqual(await dummy.locator("td:first-child > .doc p code").allTextContents(), ["hello", "bye"]);
    const events = await dummy.locator("ul.events li").allTextContents();
    assert.equal(events.length, 3);
    assert.match(events[0], /^hello client → server Hello/);
    assert.match(events[1], /^bye server → client Bye/);
    assert.match(events[2], /^whoami client → server null, ack Identity/);
    assert.equal(await page.locator(`tr.socket[data-namespace="${ROOM}"] td:nth-child(4)`).textContent(), "untyped");
    // The example's sockets set no limits of their own: each shows the app's defaults.
    const limits = await dummy
        .locator("td.limits li")
        .evaluateAll((items) => items.map((li) => [li.dataset.limit, li.dataset.from, li.querySelector("code").textContent]));
    assert.deepEqual(limits, [
        ["rate", "app", "50/s"],
        ["burst", "app", "100"],
        ["idle", "app", "30m"],
        ["recover", "app", "off"],
    ]);
    // The chat room is recoverable for 2 minutes, by its own attribute.
    const roomLimits = await page
        .locator(`tr.socket[data-namespace="${ROOM}"] td.limits li[data-limit="recover"]`)
        .evaluate((li) => [li.dataset.from, li.querySelector("code").textContent]);
    assert.deepEqual(roomLimits, ["socket", "2m"]);

    const views = await page
        .locator('section.component[data-module-id="intents-example-1.0"] p.views a')
        .evaluateAll((links) => links.map((a) => a.getAttribute("href")));
    assert.deepEqual(views, ["/intents-example-1.0/index", "/intents-example-1.0/seed", "/intents-example-1.0/typed"]);
    const pageLinks = await page.locator("section.pages a").evaluateAll((links) => links.map((a) => a.getAttribute("href")));
    assert.deepEqual(pageLinks, ["/", "/chat-2"]);
    assert.match(await page.locator("section.pages li").first().textContent(), /Rain intents example/);
    assert.equal(
        await page.locator('section.component[data-module-id="chat-1.0"] p.on-pages').textContent(),
        "On pages: /",
    );
    assert.equal(await page.locator("script").count(), 0, "the page needs no script");

    // A view link leads to the view's page.
    await page.locator('a[href="/chat-1.0/index"]').click();
    await page.waitForURL(server.url + "/chat-1.0/index");
    assert.equal(await page.locator('[data-rain-module="chat-1.0"]').count(), 1);
    assert.deepEqual(problems, []);
    await page.close();
});

test("live counts follow a socket.io client and a browser page connecting and leaving", async () => {
    const { page, problems } = await openPage(browser.context, server.url + "/rain");
    assert.equal(await liveCount(page, DUMMY), 0);
    assert.equal(await liveCount(page, ROOM), 0);

    const client = io(server.url + DUMMY, { forceNew: true, reconnection: false, transports: ["websocket"] });
    await next(client, "connect");
    await page.reload();
    assert.equal(await liveCount(page, DUMMY), 1);
    assert.equal(await liveCount(page, ROOM), 0);
    assert.equal(await page.locator("#rain-connected").textContent(), "1");

    // The example's main page connects both components' sockets through the runtime.
    const { page: app, problems: appProblems } = await openPage(browser.context, server.url + "/");
    await countBecomes(page, ROOM, 1);
    await countBecomes(page, DUMMY, 2);

    client.disconnect();
    await countBecomes(page, DUMMY, 1);
    await app.close();
    await countBecomes(page, DUMMY, 0);
    await countBecomes(page, ROOM, 0);
    assert.deepEqual(problems, []);
    assert.deepEqual(appProblems, []);
    await page.close();
});
