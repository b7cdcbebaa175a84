// RAIN's intents in headless Chromium, on the intents example's page: a server intent's value, a
// view intent's view in a dialog with its socket working, and every refusal a clear error that
// leaves the page's sockets working.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { binary, startServer } from "./support/server.mjs";
import { controllersStarted, launch, openPage } from "./support/browser.mjs";

const GENERAL = "com.rain.test.general";
const LOGGING = "com.rain.test.serverside.INLINE_LOGGING";

let server;
let browser;

before(async () => {
    [server, browser] = await Promise.all([startServer(binary("intents-example")), launch()]);
});

after(async () => {
    await browser?.close();
    await server?.stop();
});

/** Opens the example's page once every controller has started. */
async function open() {
    const opened = await openPage(browser.context, server.url + "/");
    await controllersStarted(opened.page);
    return opened;
}

/** Sends `request` from the intents example's controller; what it resolved or rejected with. */
function send(page, request) {
    return page.evaluate(async (request) => {
        const { ComponentRegistry } = await import("/rain/runtime.js");
        const element = document.querySelector("[data-rain-module='intents-example-1.0']");
        const controller = await ComponentRegistry.register({ moduleId: "", instanceId: element.dataset.rainInstance });
        const messaging = controller.clientRuntime.messaging;
        try {
            return { value: await messaging.sendIntent({ viewContext: controller.viewContext, ...request }) };
        } catch (failure) {
            return { rejected: { message: failure.message, error: failure.error } };
        }
    }, request);
}

test("the intent button runs the server intent and shows its answer", async () => {
    const { page, problems } = await open();
    await page.locator("[data-itemid='btnIntent']").click();
    const output = page.locator("[data-itemid='intent-result']");
    await page.waitForFunction(() => document.querySelector("[data-itemid='intent-result']").textContent, null, {
        timeout: 10_000,
    });
    assert.deepEqual(JSON.parse(await output.textContent()), { logged: "Hello from the intents example", by: null });
    assert.deepEqual(problems, []);
    await page.close();
});

test("a server intent resolves with what the server function returned", async () => {
    const { page, problems } = await open();
    const answer = await send(page, { category: GENERAL, action: LOGGING, intentContext: { message: "hi" } });
    assert.deepEqual(answer, { value: { logged: "hi", by: null } });
    assert.deepEqual(problems, []);
    await page.close();
});

test("an intent nobody provides, or a malformed one, rejects with { error }; the page's sockets keep working", async () => {
    const { page, problems } = await open();
    const unknown = await send(page, { category: GENERAL, action: "com.rain.test.NOBODY" });
    assert.equal(unknown.rejected.error, `no intent for category \`${GENERAL}\` and action \`com.rain.test.NOBODY\``);
    assert.match(unknown.rejected.message, /com\.rain\.test\.NOBODY/);
    const missing = await send(page, { action: LOGGING });
    assert.match(missing.rejected.error, /category/);
    const huge = await send(page, { category: GENERAL, action: LOGGING, intentContext: { message: "x".repeat(100_000) } });
    assert.match(huge.rejected.error, /intent context is \d+ bytes, over the limit of 65536/);
    const wrong = await send(page, { category: GENERAL, action: LOGGING, intentContext: { message: 42 } });
    assert.ok(wrong.rejected.error, JSON.stringify(wrong));
    // Nothing else was affected: the next intent is answered, and the example's socket too.
    assert.deepEqual(await send(page, { category: GENERAL, action: LOGGING, intentContext: { message: "after" } }), {
        value: { logged: "after", by: null },
    });
    const alert = new Promise((resolve) =>
        page.once("dialog", async (dialog) => {
            resolve(dialog.message());
            await dialog.accept();
        }),
    );
    await page.locator("input[data-itemid='btnCustomHandler']").click();
    assert.equal(await alert, '{"message":"Hello sir"}');
    assert.deepEqual(problems, []);
    await page.close();
});

test("a view intent shows the chat in a dialog, its socket working; closing the dialog removes it", async () => {
    const { page, problems } = await open();
    await page.locator("[data-itemid='btnChatIntent']").click();
    const dialog = page.locator("dialog.rain-intent");
    await dialog.locator("[data-rain-state='started']").waitFor({ timeout: 10_000 });
    assert.equal(await dialog.evaluate((d) => d.open), true);
    const chat = dialog.locator("[data-rain-module]");
    const moduleId = await chat.getAttribute("data-rain-module");
    assert.match(moduleId, /^chat-/);
    const input = chat.locator("input[placeholder='Say something']");
    await input.fill("from the dialog");
    await input.press("Enter");
    await chat.locator("[data-itemid='log'] li", { hasText: "from the dialog" }).waitFor({ timeout: 10_000 });
    await dialog.locator("form[method='dialog'] button").click();
    await page.waitForFunction(() => !document.querySelector("dialog.rain-intent"), null, { timeout: 10_000 });
    assert.equal(await page.locator(`[data-rain-module='${moduleId}'] dialog`).count(), 0);
    assert.deepEqual(problems, []);
    await page.close();
});
