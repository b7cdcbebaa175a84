// Unit tests of RAIN's client model in the runtime: publish/subscribe between components and its
// scoping, sockets held until every controller has run init(), and the root jQuery wraps.

import assert from "node:assert/strict";
import { describe, test } from "node:test";

import { runtimeModule } from "./support/runtime.mjs";

const { Messaging, readVersions } = await runtimeModule("messaging.js");
const { Registry } = await runtimeModule("components.js");
const { ViewContext } = await runtimeModule("components.js");

/** Resolves after every microtask queued so far (and the ones those queue) has run. */
const settled = () => new Promise((resolve) => setTimeout(resolve, 0));

/** A callback that records what it is called with. */
function recorder() {
    const calls = [];
    const callback = (data) => calls.push(data);
    return { calls, callback };
}

describe("publish/subscribe", () => {
    test("a subscriber hears its event's exact name, asynchronously, with the data", async () => {
        const observer = new Messaging({ manifest: [] });
        const exact = recorder();
        const shorter = recorder();
        const longer = recorder();
        observer.subscribe("chat::message", exact.callback);
        observer.subscribe("chat", shorter.callback);
        observer.subscribe("chat::message::sent", longer.callback);
        observer.publish("chat::message", { text: "hi" });
        assert.deepEqual(exact.calls, [], "not called before publish returns");
        await settled();
        assert.deepEqual(exact.calls, [{ text: "hi" }]);
        assert.deepEqual(shorter.calls, []);
        assert.deepEqual(longer.calls, []);
    });

    test("subscribers are called in the order they subscribed, each once", async () => {
        const observer = new Messaging({ manifest: [] });
        const order = [];
        const first = () => order.push("first");
        observer.subscribe("tick", first);
        observer.subscribe("tick", () => order.push("second"));
        observer.subscribe("tick", first);
        observer.publish("tick");
        await settled();
        assert.deepEqual(order, ["first", "second"]);
    });

    test("a subscriber that throws does not keep the others from hearing", async (t) => {
        const observer = new Messaging({ manifest: [] });
        // Each callback is a task of its own: what one throws is reported as uncaught (here,
        // recorded) and the next still runs.
        const thrown = [];
        const queue = globalThis.queueMicrotask;
        t.mock.method(globalThis, "queueMicrotask", (task) =>
            queue(() => {
                try {
                    task();
                } catch (error) {
                    thrown.push(error.message);
                }
            }),
        );
        const after = recorder();
        observer.subscribe("tick", () => {
            throw new Error("subscriber fails on purpose");
        });
        observer.subscribe("tick", after.callback);
        observer.publish("tick", 1);
        await settled();
        assert.deepEqual(after.calls, [1]);
        assert.deepEqual(thrown, ["subscriber fails on purpose"]);
    });

    test("an event nobody hears is kept, the last value only, for the first later subscriber", async () => {
        const observer = new Messaging({ manifest: [] });
        observer.publish("count", 1);
        observer.publish("count", 2);
        const first = recorder();
        const second = recorder();
        observer.subscribe("count", first.callback);
        assert.deepEqual(first.calls, [], "delivered asynchronously");
        observer.subscribe("count", second.callback);
        await settled();
        assert.deepEqual(first.calls, [2]);
        assert.deepEqual(second.calls, [], "the kept value goes to the first subscriber only");
        observer.publish("count", 3);
        await settled();
        assert.deepEqual(first.calls, [2, 3]);
        assert.deepEqual(second.calls, [3]);
    });

    test("an unsubscribed callback hears nothing more; an event with no subscriber left is kept", async () => {
        const observer = new Messaging({ manifest: [] });
        const { calls, callback } = recorder();
        observer.subscribe("count", callback);
        observer.publish("count", 1);
        await settled();
        observer.unsubscribe("count", callback);
        observer.unsubscribe("count", callback);
        observer.unsubscribe("never subscribed", callback);
        observer.publish("count", 2);
        await settled();
        assert.deepEqual(calls, [1]);
        const later = recorder();
        observer.subscribe("count", later.callback);
        await settled();
        assert.deepEqual(later.calls, [2]);
    });

    test("events are scoped to the components under one parent", async () => {
        const observer = new Messaging({ manifest: [] });
        const inA = recorder();
        const inB = recorder();
        const top = recorder();
        observer.subscribe("selected", inA.callback, { parent: "container-a" });
        observer.subscribe("selected", inB.callback, { parent: "container-b" });
        observer.subscribe("selected", top.callback, { parent: null });
        observer.publish("selected", "from a", { parent: "container-a" });
        observer.publish("selected", "from the top");
        await settled();
        assert.deepEqual(inA.calls, ["from a"]);
        assert.deepEqual(inB.calls, []);
        assert.deepEqual(top.calls, ["from the top"]);
    });

    test("a name starting with :: is the page's top level, whoever publishes or subscribes", async () => {
        const observer = new Messaging({ manifest: [] });
        const top = recorder();
        const nested = recorder();
        observer.subscribe("chat::message", top.callback);
        observer.subscribe("::chat::message", nested.callback, { parent: "container-b" });
        observer.publish("::chat::message", "from inside", { parent: "container-a" });
        await settled();
        assert.deepEqual(top.calls, ["from inside"]);
        assert.deepEqual(nested.calls, ["from inside"]);
    });

    test("a parent's id is not an event level: container `a` publishing `b` is not `a::b`", async () => {
        const observer = new Messaging({ manifest: [] });
        const { calls, callback } = recorder();
        observer.subscribe("a::b", callback);
        observer.publish("b", "scoped", { parent: "a" });
        await settled();
        assert.deepEqual(calls, []);
    });

    test("subscribing without a function is a TypeError, and nothing is kept for it", () => {
        const observer = new Messaging({ manifest: [] });
        observer.publish("count", 1);
        assert.throws(() => observer.subscribe("count", undefined), TypeError);
    });

    test("view contexts publish under their parent; messaging without one, at the top", async () => {
        const messaging = new Messaging({ manifest: [] });
        const a1 = new ViewContext("chat-1.0", "a1", null, messaging, "a");
        const a2 = new ViewContext("counter-1.0", "a2", null, messaging, "a");
        const b2 = new ViewContext("counter-1.0", "b2", null, messaging, "b");
        const top = new ViewContext("counter-1.0", "t", null, messaging);
        const heard = { a2: recorder(), b2: recorder(), top: recorder(), messaging: recorder() };
        a2.subscribe("chat::message", heard.a2.callback);
        b2.subscribe("chat::message", heard.b2.callback);
        top.subscribe("chat::message", heard.top.callback);
        messaging.subscribe("chat::message", heard.messaging.callback);
        a1.publish("chat::message", 1);
        messaging.publish("chat::message", 2);
        await settled();
        assert.deepEqual(heard.a2.calls, [1]);
        assert.deepEqual(heard.b2.calls, []);
        assert.deepEqual(heard.top.calls, [2]);
        assert.deepEqual(heard.messaging.calls, [2]);
        top.unsubscribe("chat::message", heard.top.callback);
        messaging.publish("chat::message", 3, top);
        await settled();
        assert.deepEqual(heard.top.calls, [2]);
        assert.deepEqual(heard.messaging.calls, [2, 3]);
    });
});

describe("sockets held while controllers run init()", () => {
    const manifest = [{ moduleId: "m-1.0", name: "pushes", namespace: "/m-1.0/pushes" }];
    const options = { url: "http://127.0.0.1:9", manifest, reconnection: false };

    test("a socket asked for during a hold opens when the last hold is released, once", (t) => {
        const messaging = new Messaging(options);
        const outer = messaging.hold();
        const inner = messaging.hold();
        const socket = messaging.getWebSocket("m-1.0", "pushes");
        t.after(() => socket.io.close());
        assert.equal(socket.active, false);
        inner();
        inner();
        assert.equal(socket.active, false, "a second call of one release counts once");
        outer();
        assert.equal(socket.active, true);
    });

    test("without a hold, a socket opens at once; autoConnect: false is kept", (t) => {
        const open = new Messaging(options).getWebSocket("m-1.0", "pushes");
        t.after(() => open.io.close());
        assert.equal(open.active, true);
        const elsewhere = { ...options, url: "http://127.0.0.1:10", autoConnect: false };
        const messaging = new Messaging(elsewhere);
        const release = messaging.hold();
        const closed = messaging.getWebSocket("m-1.0", "pushes");
        release();
        assert.equal(closed.active, false);
    });

    test("the registry opens a page's sockets after every controller's init(), before start()", async (t) => {
        const messaging = new Messaging(options);
        const registry = new Registry({ messaging });
        const seen = [];
        globalThis.__seen = seen;
        t.after(() => delete globalThis.__seen);
        const controller = (name, initDelay) =>
            "data:text/javascript," +
            encodeURIComponent(`export default {
                async init() {
                    this.socket = this.viewContext.getWebSocket("pushes");
                    await new Promise((resolve) => setTimeout(resolve, ${initDelay}));
                    globalThis.__seen.push(["${name} init", this.socket.active]);
                },
                start() { globalThis.__seen.push(["${name} start", this.socket.active]); },
            };`);
        const elements = ["fast", "slow"].map((name, i) => ({
            getAttribute: (attribute) =>
                ({
                    "data-rain-module": "m-1.0",
                    "data-rain-instance": name,
                    "data-rain-controller": controller(name, i * 50),
                })[attribute] ?? null,
            setAttribute() {},
        }));
        const document = { querySelectorAll: () => elements };
        const [fast, slow] = await registry.start(document);
        t.after(() => fast.socket.io.close());
        assert.equal(fast.socket, slow.socket);
        assert.deepEqual(seen, [
            ["fast init", false],
            ["slow init", false],
            ["fast start", true],
            ["slow start", true],
        ]);
    });

    test("a controller whose init() fails still lets the others' sockets open", async (t) => {
        const messaging = new Messaging(options);
        const registry = new Registry({ messaging });
        const errors = t.mock.method(console, "error", () => {});
        const good = `data:text/javascript,${encodeURIComponent(
            'export default { init() { this.socket = this.viewContext.getWebSocket("pushes"); } };',
        )}`;
        const bad = `data:text/javascript,${encodeURIComponent(
            "export default { init() { throw new Error('init fails on purpose'); } };",
        )}`;
        const elements = [bad, good].map((controller, i) => ({
            getAttribute: (attribute) =>
                ({
                    "data-rain-module": "m-1.0",
                    "data-rain-instance": `i${i}`,
                    "data-rain-controller": controller,
                })[attribute] ?? null,
            setAttribute() {},
        }));
        const [failed, started] = await registry.start({ querySelectorAll: () => elements });
        t.after(() => started.socket.io.close());
        assert.equal(failed, null);
        assert.equal(started.socket.active, true);
        assert.match(errors.mock.calls[0].arguments[0], /init fails on purpose/);
    });
});

describe("the sockets each component instance uses", () => {
    const manifest = [
        { moduleId: "m-1.0", name: "shared", namespace: "/m-1.0/shared" },
        { moduleId: "m-1.0", name: "own", namespace: "/m-1.0/own" },
        { moduleId: "m-1.0", name: "page", namespace: "/m-1.0/page" },
    ];
    const options = { url: "http://127.0.0.1:11", manifest, reconnection: false };

    test("released, an instance's sockets close unless another instance or the page uses them", (t) => {
        const messaging = new Messaging(options);
        const [a, b] = [messaging.as("a"), messaging.as("b")];
        const shared = a.getWebSocket("m-1.0", "shared");
        assert.equal(b._getWebSocket("m-1.0", "shared"), shared);
        const own = a.getWebSocket("m-1.0", "own");
        const page = a.getWebSocket("m-1.0", "page");
        messaging.getWebSocket("m-1.0", "page");
        t.after(() => shared.io.close());
        assert.ok(a instanceof Messaging, "the instance's view is the messaging, seen by it");
        a.release("a");
        assert.deepEqual([shared.active, own.active, page.active], [true, false, true]);
        messaging.release("b");
        assert.equal(shared.active, false);
        assert.equal(messaging.getWebSocket("m-1.0", "own"), own, "asked for again, it opens again");
        assert.equal(own.active, true);
    });
});

describe("the root a controller gets", () => {
    const element = { tagName: "DIV" };

    test("is the element without jQuery on the page", () => {
        const context = new ViewContext("m-1.0", "i", element, new Messaging());
        assert.equal(context.getRoot(), element);
        assert.equal(context.getElement(), element);
    });

    test("is wrapped by jQuery when the page has loaded it; getElement() is the element", (t) => {
        globalThis.jQuery = (target) => ({ wrapped: target });
        t.after(() => delete globalThis.jQuery);
        const context = new ViewContext("m-1.0", "i", element, new Messaging());
        assert.deepEqual(context.getRoot(), { wrapped: element });
        assert.equal(context.getElement(), element);
        assert.equal(new ViewContext("m-1.0", "j", null, new Messaging()).getRoot(), null);
    });
});

describe("components named by version fragment", () => {
    const manifest = [
        { moduleId: "chat-1.0", name: "room", namespace: "/chat-1.0/room" },
        { moduleId: "chat-2.0", name: "room", namespace: "/chat-2.0/room" },
    ];
    // As a server writes it in #rain-versions: it alone applies the rule.
    const versions = { chat: "chat-2.0", "chat@1": "chat-1.0", "chat@1.0": "chat-1.0", "chat@2": "chat-2.0" };
    const options = { url: "http://127.0.0.1:9", manifest, versions, autoConnect: false };

    test("a fragment or a bare name reaches the socket of the version the server resolved", () => {
        const messaging = new Messaging(options);
        const one = messaging.getWebSocket("chat-1.0", "room");
        assert.equal(messaging._getWebSocket("chat@1", "room"), one);
        assert.equal(messaging.getWebSocket("chat@1.0", "room"), one);
        assert.equal(messaging.getWebSocket("chat", "room").nsp, "/chat-2.0/room");
        assert.equal(messaging.moduleId("chat@2"), "chat-2.0");
    });

    test("a module id is itself, even where the table says otherwise", () => {
        const messaging = new Messaging({ ...options, versions: { "chat-1.0": "chat-2.0" } });
        assert.equal(messaging.moduleId("chat-1.0"), "chat-1.0");
    });

    test("a reference nobody resolves is reported and never connects; `constructor` is no version", async (t) => {
        const errors = t.mock.method(console, "error", () => {});
        const messaging = new Messaging(options);
        for (const reference of ["chat@3", "constructor", "toString"]) {
            assert.equal(messaging.moduleId(reference), reference);
        }
        const socket = messaging.getWebSocket("chat@3", "room");
        const error = await new Promise((resolve) => socket.on("connect_error", resolve));
        assert.match(error.message, /no socket "room" for component "chat@3"/);
        assert.equal(errors.mock.callCount(), 1);
    });

    test("the tables are read from the page once, and a malformed one is reported and ignored", (t) => {
        const errors = t.mock.method(console, "error", () => {});
        const reads = [];
        const messaging = new Messaging({
            ...options,
            versions: () => {
                reads.push("versions");
                return { "chat@1": "chat-1.0" };
            },
        });
        messaging.moduleId("chat@1");
        messaging.moduleId("chat@1");
        assert.deepEqual(reads, ["versions"]);
        const page = (text) => ({ getElementById: (id) => (id === "rain-versions" ? { textContent: text } : null) });
        assert.deepEqual(readVersions(page('{"chat":"chat-2.0"}')), { chat: "chat-2.0" });
        assert.equal(readVersions(page("[]")), null);
        assert.equal(readVersions(page("{")), null);
        assert.equal(readVersions({ getElementById: () => null }), null);
        assert.equal(errors.mock.callCount(), 2);
        assert.match(errors.mock.calls[0].arguments[0], /#rain-versions/);
    });
});
