// Headless Debian Chromium driven by playwright-core: never a downloaded browser.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { chromium } from "playwright-core";

export const CHROMIUM = process.env.CHROMIUM ?? "/usr/bin/chromium";

/** Launches a fresh Chromium with its own profile folder; `close()` removes the folder. */
export async function launch() {
    const profile = mkdtempSync(path.join(tmpdir(), "rain-chromium-"));
    const context = await chromium.launchPersistentContext(profile, {
        executablePath: CHROMIUM,
        headless: true,
        args: [
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
        ],
    });
    return {
        context,
        async close() {
            await context.close();
            rmSync(profile, { recursive: true, force: true });
        },
    };
}

/** Opens a page that records console errors, page errors and failed requests in `problems`. */
export async function openPage(context, url) {
    const page = await context.newPage();
    const problems = [];
    page.on("console", (message) => {
        if (message.type() === "error") problems.push(`console: ${message.text()}`);
    });
    page.on("pageerror", (error) => problems.push(`page error: ${error.message}`));
    page.on("requestfailed", (request) => problems.push(`request failed: ${request.url()}`));
    page.on("response", (response) => {
        if (response.status() >= 400) problems.push(`HTTP ${response.status()}: ${response.url()}`);
    });
    await page.goto(url);
    return { page, problems };
}

/** Waits until the runtime has started every controller on `page`. */
export async function controllersStarted(page) {
    await page.waitForFunction(
        () => {
            const instances = [...document.querySelectorAll("[data-rain-module]")];
            return instances.length > 0 && instances.every((e) => e.dataset.rainState === "started");
        },
        null,
        { timeout: 10_000 },
    );
}
