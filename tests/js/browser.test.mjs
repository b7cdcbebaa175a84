// The intents example in headless Chromium: the RAIN controller's button, the chat, the
// cross-component socket and the typed controller with the generated bindings, with the example's
// own binary serving.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { binary, startServer } from "./support/server.mjs";
import { controllersStarted, launch, openPage } from "./support/browser.mjs";
import { startRedis } from "./support/redis.mjs";
import { startProxy } from "./support/proxy.mjs";
import { io } from "socket.io-client";

let server;
let testServer;
let browser;

before(async () => {
    [server, testServer, browser] = await Promise.all([
        startServer(binary("intents-example")),
        startServer(binary("rain-test-server")),
        launch(),
    ]);
});

after(async () => {
    await browser?.close();
    await server?.stop();
    await testServer?.stop();
});

/** Waits for the next alert on `page`, accepts it and returns its text. */
function nextAlert(page) {
    return new Promise((resolve) => {
        page.once("dialog", async (dialog) => {
            const text = dialog.message();
            await dialog.accept();
            resolve(text);
        });
    });
}

test("clicking the button shows the alert {\"message\":\"Hello sir\"}", async () => {
    const { page, problems } = await openPage(browser.context, server.url + "/");
    await controllersStarted(page);
    const button = page.locator("input[data-itemid='btnCustomHandler']");
    const alert = nextAlert(page);
    await button.click();
    assert.equal(await alert, '{"message":"Hello sir"}');
    assert.deepEqual(problems, []);
    await page.close();
});

test("with the Engine.IO path and transports changed, the page's runtime follows them", async () => {
    const moved = await startServer(binary("intents-example"), {
        env: { RAIN_ENGINE_PATH: "/live", RAIN_TRANSPORTS: "websocket" },
    });
    try {
        const { page, problems } = await openPage(browser.context, moved.url + "/");
        // Reloaded only once the first load is done: a reload aborts the requests in flight.
        await controllersStarted(page);
        const engineRequests = [];
        page.on("websocket", (ws) => engineRequests.push(new URL(ws.url()).pathname));
        await page.reload();
        await controllersStarted(page);
        const alert = nextAlert(page);
        await page.locator("input[data-itemid='btnCustomHandler']").click();
        assert.equal(await alert, '{"message":"Hello sir"}');
        assert.deepEqual([...new Set(engineRequests)], ["/live/"]);
        assert.deepEqual(problems, []);
        await page.close();
    } finally {
        await moved.stop();
    }
});

test("the chat reaches the intents example's socket and everyone in the room", async () => {
    const one = await openPage(browser.context, server.url + "/");
    const two = await openPage(browser.context, server.url + "/chat-1.0/index");
    await controllersStarted(one.page);
    await controllersStarted(two.page);

    // Cross-component: the chat controller got intents-example's socket through messaging.
    const alert = nextAlert(one.page);
    await one.page.locator(".chat [data-itemid='hello']").click();
    await one.page.locator(".chat [data-itemid='bye']").filter({ hasText: "Hello sir" }).waitFor({ timeout: 10_000 });
    assert.equal(await one.page.locator(".chat [data-itemid='bye']").textContent(), '{"message":"Hello sir"}');
    assert.equal(await alert, '{"message":"Hello sir"}', "the intents controller hears the same socket");

    // The room: a message sent in one tab shows up in both.
    await one.page.locator(".chat [data-itemid='text']").fill("hello from tab one");
    await one.page.locator(".chat button[type='submit']").click();
    for (const { page } of [one, two]) {
        await page.locator(".chat [data-itemid='log'] li", { hasText: "hello from tab one" }).waitFor({ timeout: 10_000 });
    }
    assert.deepEqual(one.problems, []);
    assert.deepEqual(two.problems, []);
    await one.page.close();
    await two.page.close();
});

test("an image shared in the chat travels as binary and shows in every tab", async () => {
    // A 1x1 PNG.
    const png = Buffer.from(
        "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==",
        "base64",
    );
    const one = await openPage(browser.context, server.url + "/chat-1.0/index");
    const two = await openPage(browser.context, server.url + "/chat-1.0/index");
    await controllersStarted(one.page);
    await controllersStarted(two.page);
    const input = one.page.locator(".chat [data-itemid='image']");
    await input.setInputFiles({ name: "dot.png", mimeType: "image/png", buffer: png });
    for (const { page } of [one, two]) {
        const image = page.locator(`.chat [data-itemid='log'] img[data-bytes='${png.length}']`);
        await image.waitFor({ timeout: 10_000 });
        // The bytes arrived intact: the browser decodes them as the 1x1 image.
        await page.waitForFunction((img) => img.complete && img.naturalWidth === 1, await image.elementHandle());
    }
    // Not an image: the server's ack says why, and nothing is relayed.
    await input.setInputFiles({ name: "notes.txt", mimeType: "text/plain", buffer: Buffer.from("hi") });
    const error = one.page.locator(".chat [data-itemid='image-error']");
    await error.filter({ hasText: "is not an image type" }).waitFor({ timeout: 10_000 });
    // Too large to send: the page says so before sending anything.
    await input.setInputFiles({ name: "big.png", mimeType: "image/png", buffer: Buffer.alloc(200 * 1024) });
    await error.filter({ hasText: "big.png is over 100 KB" }).waitFor({ timeout: 10_000 });
    assert.equal(await two.page.locator(".chat [data-itemid='log'] img").count(), 1);
    assert.deepEqual(one.problems, []);
    assert.deepEqual(two.problems, []);
    await one.page.close();
    await two.page.close();
});

test("two nodes on one Redis: a chat message crosses between tabs, and each tab shows both", async () => {
    const redis = await startRedis();
    const env = { RAIN_REDIS_URL: redis.url };
    const nodes = await Promise.all([
        startServer(binary("intents-example"), { env }),
        startServer(binary("intents-example"), { env }),
    ]);
    try {
        const tabs = [
            await openPage(browser.context, nodes[0].url + "/chat-1.0/index"),
            await openPage(browser.context, nodes[1].url + "/chat-1.0/index"),
        ];
        for (const { page } of tabs) await controllersStarted(page);
        // Presence: each tab lists both sockets, its own marked.
        for (const { page } of tabs) {
            await page.waitForFunction(
                () => document.querySelectorAll(".chat [data-itemid='members'] .member").length === 2,
                null,
                { timeout: 10_000 },
            );
            assert.equal(await page.locator(".chat .member", { hasText: "(you)" }).count(), 1);
        }
        await tabs[0].page.locator(".chat [data-itemid='text']").fill("from the node on the first port");
        await tabs[0].page.locator(".chat button[type='submit']").click();
        for (const { page } of tabs) {
            await page
                .locator(".chat [data-itemid='log'] li", { hasText: "from the node on the first port" })
                .waitFor({ timeout: 10_000 });
        }
        // A tab closing on one node leaves the other node's list.
        await tabs[1].page.close();
        await tabs[0].page.waitForFunction(
            () => document.querySelectorAll(".chat [data-itemid='members'] .member").length === 1,
            null,
            { timeout: 10_000 },
        );
        assert.deepEqual(tabs[0].problems, []);
        assert.deepEqual(tabs[1].problems, []);
        await tabs[0].page.close();
    } finally {
        await Promise.all(nodes.map((node) => node.stop()));
        await redis.stop();
    }
});

test("the typed controller shows bye and whoami in its page", async () => {
    const { page, problems } = await openPage(browser.context, server.url + "/intents-example-1.0/typed");
    const dialogs = [];
    page.on("dialog", async (dialog) => {
        dialogs.push(dialog.message());
        await dialog.dismiss();
    });
    await controllersStarted(page);
    const output = (item) => page.locator(`output[data-itemid='${item}']`);
    await output("state").filter({ hasText: "connected as" }).waitFor({ timeout: 10_000 });
    await page.locator("input[data-itemid='btnCustomHandler']").click();
    await output("bye").filter({ hasText: "Hello sir" }).waitFor({ timeout: 10_000 });
    assert.equal(await output("bye").textContent(), '{"message":"Hello sir"}');
    await output("whoami").filter({ hasText: "socketId" }).waitFor({ timeout: 10_000 });
    const identity = JSON.parse(await output("whoami").textContent());
    assert.equal(identity.namespace, "/intents-example-1.0/chat/dummy socket");
    assert.match(identity.socketId, /^\S+$/);
    assert.equal(await output("state").textContent(), `connected as ${identity.socketId}`, "the view context's socket is the same");
    assert.deepEqual(dialogs, []);
    assert.deepEqual(problems, []);
    await page.close();
});

test("/rain/bindings.js hands out the runtime's own sockets, typed acks included", async () => {
    const { page, problems } = await openPage(browser.context, server.url + "/");
    await controllersStarted(page);
    const seen = await page.evaluate(async () => {
        const { chat, chatV1_0, chatV2_0, intentsExample } = await import("/rain/bindings.js");
        const { clientRuntime } = await import("/rain/runtime.js");
        const { messaging } = clientRuntime;
        return {
            room: chatV1_0.room() === messaging.getWebSocket("chat-1.0", "room"),
            latest: chat === chatV2_0,
            dummy: intentsExample.chatDummySocket() === messaging._getWebSocket("intents-example-1.0", "chat/dummy socket"),
            frozen: Object.isFrozen(chatV1_0) && Object.isFrozen(intentsExample),
            moduleIds: [chatV1_0.moduleId, chatV2_0.moduleId, intentsExample.moduleId],
            identity: await intentsExample.chatDummySocket().emitWithAck("whoami", null),
        };
    });
    const { identity, ...handles } = seen;
    assert.deepEqual(handles, {
        room: true,
        latest: true,
        dummy: true,
        frozen: true,
        moduleIds: ["chat-1.0", "chat-2.0", "intents-example-1.0"],
    });
    assert.equal(identity.namespace, "/intents-example-1.0/chat/dummy socket");
    assert.match(identity.socketId, /^\S+$/);
    assert.deepEqual(problems, []);
    await page.close();
});

test("asking for a socket that does not exist says which ones do", async () => {
    const { page, problems } = await openPage(browser.context, server.url + "/");
    await controllersStarted(page);
    const message = await page.evaluate(async () => {
        const { clientRuntime } = await import("/rain/runtime.js");
        const socket = clientRuntime.messaging.getWebSocket("intents-example-1.0", "chat/no such socket");
        return await new Promise((resolve) => socket.on("connect_error", (error) => resolve(error.message)));
    });
    assert.match(message, /intents-example-1\.0/);
    assert.match(message, /chat\/no such socket/);
    assert.match(message, /chat\/dummy socket/, "names the sockets that exist");
    assert.equal(problems.length, 1, problems.join("\n"));
    assert.match(problems[0], /chat\/no such socket/);
    await page.close();
});

test("controllers that throw are reported with their module id and stop no other", async () => {
    const { page, problems } = await openPage(browser.context, testServer.url + "/faults");
    await page.waitForFunction(
        () => document.querySelector("[data-rain-module='intents-example-1.0']").dataset.rainState === "started",
        null,
        { timeout: 10_000 },
    );
    const alert = nextAlert(page);
    await page.locator("input[data-itemid='btnCustomHandler']").click();
    assert.equal(await alert, '{"message":"Hello sir"}');
    const states = await page.$$eval("[data-rain-module]", (all) => all.map((e) => [e.dataset.rainView, e.dataset.rainState]));
    assert.deepEqual(states, [["throws", "failed"], ["broken", "failed"], ["index", "started"]]);
    const reported = problems.filter((p) => p.includes("faults-1.0"));
    assert.equal(reported.length, 2, problems.join("\n"));
    assert.match(reported.join("\n"), /throws on purpose/);
    await page.close();
});

test("logging in through the chat's form: the chat shows the name, and messages carry it", async () => {
    const { page, problems } = await openPage(browser.context, server.url + "/");
    await controllersStarted(page);
    const who = page.locator(".chat [data-itemid='who']");
    await who.filter({ hasText: "Not logged in." }).waitFor({ timeout: 10_000 });

    await page.locator(".chat [data-itemid='login'] input[name='name']").fill("Ada");
    await Promise.all([page.waitForURL(server.url + "/"), page.locator(".chat input[value='Log in']").click()]);
    await controllersStarted(page);
    await who.filter({ hasText: "Logged in as Ada." }).waitFor({ timeout: 10_000 });
    // The session cookie reached the socket's handshake, yet scripts cannot read it.
    assert.doesNotMatch(await page.evaluate(() => document.cookie), /rain_session/);

    await page.locator(".chat [data-itemid='text']").fill("signed message");
    await page.locator(".chat button[type='submit']").click();
    await page.locator(".chat [data-itemid='log'] li", { hasText: "Ada: signed message" }).waitFor({ timeout: 10_000 });

    await Promise.all([page.waitForURL(server.url + "/"), page.locator(".chat input[value='Log out']").click()]);
    await controllersStarted(page);
    await who.filter({ hasText: "Not logged in." }).waitFor({ timeout: 10_000 });
    // The page that loaded again shows the room's history: the message, as it was delivered.
    await page.locator(".chat [data-itemid='log'] li", { hasText: "Ada: signed message" }).waitFor({ timeout: 10_000 });
    assert.deepEqual(problems, []);
    await page.close();
});

test("the chat page recovers the 20 messages sent while its connection was cut, once each, in order", async () => {
    const proxy = await startProxy(server.port);
    try {
        const tab = await openPage(browser.context, proxy.url + "/chat-1.0/index");
        await controllersStarted(tab.page);
        const sender = io(server.url + "/chat-1.0/room", { transports: ["websocket"], forceNew: true });
        await new Promise((resolve) => sender.once("connect", resolve));
        const log = tab.page.locator(".chat [data-itemid='log'] li");
        sender.emit("message", { text: "before the cut" });
        await log.filter({ hasText: "before the cut" }).waitFor({ timeout: 10_000 });
        proxy.cut(2_000);
        await tab.page.locator(".chat [data-itemid='connection']", { hasText: "Connection lost" }).waitFor({ timeout: 10_000 });
        for (let n = 1; n <= 20; n++) {
            await sender.emitWithAck("message", { text: `away ${n}` });
            await new Promise((resolve) => setTimeout(resolve, 50));
        }
        await tab.page
            .locator(".chat [data-itemid='connection']", { hasText: "Reconnected: nothing was missed." })
            .waitFor({ timeout: 15_000 });
        await log.filter({ hasText: "away 20" }).waitFor({ timeout: 10_000 });
        await new Promise((resolve) => setTimeout(resolve, 300));
        const texts = (await log.allTextContents()).filter((t) => t.startsWith("away "));
        assert.deepEqual(texts, Array.from({ length: 20 }, (_, i) => `away ${i + 1}`));
        assert.ok(proxy.connections >= 2, "the page connected again through the proxy");
        // Connections refused during the cut are logged by the browser; nothing else may go wrong.
        assert.deepEqual(tab.problems.filter((p) => p.startsWith("page error")), []);
        sender.disconnect();
        await tab.page.close();
    } finally {
        await proxy.close();
    }
});
