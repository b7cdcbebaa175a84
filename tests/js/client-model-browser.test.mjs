// RAIN's client model in headless Chromium: sockets that open after every controller's init(),
// RAIN's seed controller unchanged with jQuery on the page, publish/subscribe between components
// and its scoping under parents.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { createRequire } from "node:module";
import { binary, startServer } from "./support/server.mjs";
import { controllersStarted, launch, openPage } from "./support/browser.mjs";

const JQUERY = createRequire(import.meta.url).resolve("jquery/dist/jquery.min.js");

let server;
let testServer;
let browser;

before(async () => {
    [server, testServer, browser] = await Promise.all([
        startServer(binary("intents-example")),
        startServer(binary("rain-test-server")),
        launch(),
    ]);
    // The test pages load jQuery from /vendor/; the tests hand it the copy npm installed.
    await browser.context.route("**/vendor/jquery.min.js", (route) => route.fulfill({ path: JQUERY }));
});

after(async () => {
    await browser?.close();
    await server?.stop();
    await testServer?.stop();
});

test("a push on connect reaches the controllers of both components that listen in init(), on every load", async () => {
    const { page, problems } = await openPage(browser.context, testServer.url + "/model/push");
    const seen = [];
    for (let load = 0; load < 10; load++) {
        if (load > 0) await page.reload();
        await controllersStarted(page);
        const outputs = page.locator("[data-itemid='tally']");
        await page.waitForFunction(
            () => [...document.querySelectorAll("[data-itemid='tally']")].every((o) => o.textContent),
            null,
            { timeout: 10_000 },
        );
        const [tally, listener] = await outputs.allTextContents();
        assert.equal(listener, tally, `load ${load}: both heard the same push`);
        seen.push(Number(tally));
    }
    assert.equal(new Set(seen).size, 10, `a fresh connection, and push, per load: ${seen}`);
    assert.deepEqual(problems, []);
    await page.close();
});

test("RAIN's seed controller, unchanged, with jQuery on the page: the button shows the alert", async () => {
    const { page, problems } = await openPage(browser.context, testServer.url + "/model/seed");
    await controllersStarted(page);
    assert.equal(await page.evaluate(() => typeof window.jQuery), "function");
    const alert = new Promise((resolve) => {
        page.once("dialog", async (dialog) => {
            const text = dialog.message();
            await dialog.accept();
            resolve(text);
        });
    });
    await page.locator("input[data-itemid='btnCustomHandler']").click();
    assert.equal(await alert, '{"message":"Hello sir"}');
    assert.deepEqual(problems, []);
    await page.close();
});

test("the chat announces each message; the intents example's view counts them, in every tab", async () => {
    const tabs = await Promise.all([1, 2].map(() => openPage(browser.context, server.url + "/")));
    for (const { page } of tabs) await controllersStarted(page);
    const [{ page: sender }] = tabs;
    const countIn = (page) => page.locator(".intents-example [data-itemid='chat-count']");
    for (const { page } of tabs) assert.equal(await countIn(page).textContent(), "0");
    for (const text of ["one", "two"]) {
        await sender.fill("[data-itemid='text']", text);
        await sender.press("[data-itemid='text']", "Enter");
    }
    for (const { page, problems } of tabs) {
        await page.waitForFunction(
            () => document.querySelector(".intents-example [data-itemid='chat-count']").textContent === "2",
            null,
            { timeout: 10_000 },
        );
        assert.deepEqual(problems, []);
        await page.close();
    }
});

test("publish/subscribe between components is scoped to their parent; :: reaches the top level", async () => {
    const { page, problems } = await openPage(browser.context, testServer.url + "/model/push");
    await controllersStarted(page);
    const heard = await page.evaluate(async () => {
        const { ComponentRegistry } = await import("/rain/runtime.js");
        const heard = {};
        window.__heard = heard;
        const controller = (source) => `data:text/javascript,${encodeURIComponent(source)}`;
        const listener = controller(`export default {
            init() {
                const name = this.viewContext.instanceId;
                window.__heard[name] = [];
                this.viewContext.subscribe("item::picked", (item) => window.__heard[name].push(item));
            },
        };`);
        const publisher = controller(`export default {
            start() {
                this.viewContext.publish("item::picked", "in " + this.viewContext.parent);
                this.viewContext.publish("::item::picked", "to the top");
            },
        };`);
        // Two containers, each a component instance with two components inside it.
        const containers = ["box-a", "box-b"].map((id) => {
            const box = document.createElement("div");
            box.dataset.rainInstance = id;
            document.body.append(box);
            return box;
        });
        const inside = (box) => box.appendChild(document.createElement("div"));
        await Promise.all([
            ComponentRegistry.register({ moduleId: "listener-1.0", instanceId: "a-listener", root: inside(containers[0]), controller: listener }),
            ComponentRegistry.register({ moduleId: "listener-1.0", instanceId: "b-listener", root: inside(containers[1]), controller: listener }),
            ComponentRegistry.register({ moduleId: "listener-1.0", instanceId: "top-listener", root: inside(document.body), controller: listener }),
        ]);
        await ComponentRegistry.register({ moduleId: "tally-1.0", instanceId: "a-publisher", root: inside(containers[0]), controller: publisher });
        await new Promise((resolve) => setTimeout(resolve, 100));
        return heard;
    });
    assert.deepEqual(heard, {
        "a-listener": ["in box-a"],
        "b-listener": [],
        "top-listener": ["to the top"],
    });
    assert.deepEqual(problems, []);
    await page.close();
});

/** Sends `text` from the chat of `moduleId` on `page`. */
async function say(page, moduleId, text) {
    const chat = page.locator(`[data-rain-module="${moduleId}"]`);
    const input = chat.locator("input[placeholder='Say something']");
    await input.fill(text);
    await input.press("Enter");
}

/**
 * The texts of the messages the chat of `moduleId` on `page` shows, once the last one ends with
 * `text`: the room's history (what earlier tests sent to the same server), then the new ones.
 */
async function shown(page, moduleId, text) {
    const log = `[data-rain-module="${moduleId}"] [data-itemid='log'] li`;
    await page.waitForFunction(
        ([selector, text]) => [...document.querySelectorAll(selector)].at(-1)?.textContent.endsWith(text),
        [log, text],
        { timeout: 10_000 },
    );
    return page.locator(log).allTextContents();
}

test("chat 1.0 and 2.0 side by side on one page: each its own room, fragments reach each", async () => {
    const { page, problems } = await openPage(browser.context, testServer.url + "/model/versions");
    await controllersStarted(page);
    const lookups = await page.evaluate(async () => {
        const { clientRuntime } = await import("/rain/runtime.js");
        const { messaging } = clientRuntime;
        return {
            one: messaging._getWebSocket("chat@1", "room") === messaging.getWebSocket("chat-1.0", "room"),
            two: messaging._getWebSocket("chat@2.0", "room").nsp,
            latest: messaging.getWebSocket("chat", "room").nsp,
        };
    });
    assert.deepEqual(lookups, { one: true, two: "/chat-2.0/room", latest: "/chat-2.0/room" });
    await say(page, "chat-1.0", "to one");
    await say(page, "chat-2.0", "to two");
    const [one, two] = [await shown(page, "chat-1.0", "to one"), await shown(page, "chat-2.0", "to two")];
    assert.equal(one.at(-1), "to one");
    assert.ok(!one.some((text) => text.includes("to two")), `1.0 shows 2.0's message: ${one}`);
    assert.ok(!two.some((text) => text.includes("to one")), `2.0 shows 1.0's message: ${two}`);
    assert.match(two.at(-1), /^\d{1,2}:\d{2}:\d{2}.* to two$/, "2.0 shows the time each message was sent");
    assert.equal(await page.locator("[data-rain-module='chat-2.0'] time").count(), two.length);
    assert.deepEqual(problems, []);
    await page.close();
});

test("a 1.0 page keeps working while a 2.0 page runs, each in its own tab", async () => {
    const { page: old, problems: oldProblems } = await openPage(browser.context, server.url + "/");
    const { page: next, problems: nextProblems } = await openPage(browser.context, server.url + "/chat-2");
    await Promise.all([controllersStarted(old), controllersStarted(next)]);
    assert.equal(await next.locator("[data-rain-module='chat-2.0'] h2").textContent(), "Chat 2.0");
    await say(next, "chat-2.0", "from the new page");
    await say(old, "chat-1.0", "from the old page");
    const one = await shown(old, "chat-1.0", "from the old page");
    assert.equal(one.at(-1), "from the old page");
    assert.ok(!one.some((text) => text.includes("from the new page")), `1.0 shows 2.0's message: ${one}`);
    const two = await shown(next, "chat-2.0", "from the new page");
    assert.ok(!two.some((text) => text.includes("from the old page")), `2.0 shows 1.0's message: ${two}`);
    assert.deepEqual(oldProblems, []);
    assert.deepEqual(nextProblems, []);
    await Promise.all([old.close(), next.close()]);
});

test("a controller inserts a component at run time, its socket works; removing it closes what only it used", async () => {
    const { page, problems } = await openPage(browser.context, testServer.url + "/model/push");
    await controllersStarted(page);
    const inserted = await page.evaluate(async () => {
        const { ComponentRegistry } = await import("/rain/runtime.js");
        const host = await ComponentRegistry.register({ moduleId: "listener-1.0", instanceId: "listener-1.0.index.1" });
        const chat = await host.viewContext.insert("chat@1", "index");
        window.__chat = chat;
        const room = chat.controller.viewContext.getWebSocket("room");
        window.__room = room;
        await new Promise((resolve) => (room.connected ? resolve() : room.once("connect", resolve)));
        return {
            instanceId: chat.instanceId,
            parent: chat.controller.viewContext.parent,
            inHost: document.querySelector("[data-rain-instance='listener-1.0.index.1']").contains(chat.element),
            state: chat.element.dataset.rainState,
            stylesheet: [...document.querySelectorAll("link[rel=stylesheet]")].some((l) => l.href.endsWith("/chat-1.0/css/index.css")),
            // Asking clientRuntime.messaging here would make the page a user of the room too.
            room: room.nsp,
        };
    });
    assert.match(inserted.instanceId, /^listener-1\.0\.index\.1\/chat-1\.0\.index\.\d+$/);
    assert.deepEqual({ ...inserted, instanceId: undefined }, {
        instanceId: undefined,
        parent: "listener-1.0.index.1",
        inHost: true,
        state: "started",
        stylesheet: true,
        room: "/chat-1.0/room",
    });
    const input = page.locator(`[data-rain-instance="${inserted.instanceId}"] [data-itemid='text']`);
    await input.fill("from the inserted chat");
    await input.press("Enter");
    await page.waitForFunction(
        // The last message: the room's history comes first.
        (id) => [...document.querySelectorAll(`[data-rain-instance="${id}"] [data-itemid='log'] li`)].at(-1)?.textContent === "from the inserted chat",
        inserted.instanceId,
        { timeout: 10_000 },
    );
    const removed = await page.evaluate(async (id) => {
        const { ComponentRegistry, clientRuntime } = await import("/rain/runtime.js");
        const tally = clientRuntime.messaging.getWebSocket("tally-1.0", "count");
        const result = await ComponentRegistry.remove(id);
        return {
            result,
            again: await ComponentRegistry.remove(id),
            gone: !document.querySelector(`[data-rain-instance="${id}"]`),
            roomConnected: window.__room.connected,
            tallyConnected: tally.connected,
        };
    }, inserted.instanceId);
    assert.deepEqual(removed, { result: true, again: false, gone: true, roomConnected: false, tallyConnected: true });
    assert.deepEqual(problems, []);
    await page.close();
});

test("inserting a view or component that does not exist rejects, saying what exists, and mounts nothing", async () => {
    const { page, problems } = await openPage(browser.context, testServer.url + "/model/push");
    await controllersStarted(page);
    const errors = await page.evaluate(async () => {
        const { ComponentRegistry } = await import("/rain/runtime.js");
        const host = await ComponentRegistry.register({ moduleId: "listener-1.0", instanceId: "listener-1.0.index.1" });
        const before = document.querySelectorAll("[data-rain-instance]").length;
        const reason = (promise) => promise.then(() => "mounted", (error) => error.message);
        return {
            view: await reason(host.viewContext.insert("chat-1.0", "nope")),
            component: await reason(host.viewContext.insert("chat@7", "index")),
            unchanged: document.querySelectorAll("[data-rain-instance]").length === before,
        };
    });
    assert.match(errors.view, /cannot insert view "nope" of "chat-1\.0": component `chat-1\.0` has no view `nope`; its views: `index`/);
    assert.match(errors.component, /no version of component `chat` matches `7`; its versions: `1\.0`, `2\.0`/);
    assert.equal(errors.unchanged, true);
    // The two refusals are 404s, which the browser reports (a response and a console line
    // each); nothing else.
    assert.equal(problems.length, 4, problems.join("\n"));
    assert.ok(
        problems.every((p) => (p.startsWith("HTTP 404: ") && p.includes("/rain/views/")) || p.includes("404 (Not Found)")),
        problems.join("\n"),
    );
    await page.close();
});
