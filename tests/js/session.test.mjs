// Sessions end to end with the official socket.io-client: log in over HTTP, connect with the
// cookie or a token, guards refusing with the reason, several nodes sharing one secret, and the
// warning of a server without one.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { io } from "socket.io-client";
import { binary, startServer, next } from "./support/server.mjs";

const SECRET = "a test secret that is long enough: 0123456789abcdef";
const WHOAMI = "/accounts-1.0/whoami";
const GUARDED = "/accounts-1.0/members only";
const HAND_MOUNTED = "/guarded/members";
const ADA = { id: "42", name: "Ada" };

let nodeA, nodeB, noSecret, shortLived;
const clients = [];

before(async () => {
    const bin = binary("rain-test-server");
    [nodeA, nodeB, noSecret, shortLived] = await Promise.all([
        startServer(bin, { env: { RAIN_SESSION_SECRET: SECRET } }),
        startServer(bin, { env: { RAIN_SESSION_SECRET: SECRET } }),
        startServer(bin),
        startServer(bin, { env: { RAIN_SESSION_SECRET: SECRET, RAIN_SESSION_MAX_AGE: "1" } }),
    ]);
});

after(async () => {
    for (const client of clients) client.disconnect();
    await Promise.all([nodeA, nodeB, noSecret, shortLived].map((server) => server?.stop()));
});

function connect(server, namespace, options = {}) {
    const client = io(server.url + namespace, { forceNew: true, reconnection: false, ...options });
    clients.push(client);
    return client;
}

/** Connects with `cookie` sent in the handshake (node's client sends extraHeaders on every transport). */
function connectWithCookie(server, namespace, cookie, options = {}) {
    return connect(server, namespace, { extraHeaders: cookie ? { cookie } : {}, ...options });
}

/** POSTs JSON; resolves with the response, its JSON body and its `rain_session` cookie pair. */
async function post(server, path, body, cookie) {
    const headers = { "content-type": "application/json" };
    if (cookie) headers.cookie = cookie;
    const response = await fetch(server.url + path, { method: "POST", headers, body: JSON.stringify(body) });
    assert.equal(response.status, 200, await response.clone().text());
    const setCookie = response.headers.get("set-cookie") ?? "";
    const pair = setCookie.split(";")[0];
    return { response, setCookie, cookie: pair, body: await response.json() };
}

async function logIn(server, user = ADA, data = {}) {
    return post(server, "/accounts/login", { ...user, data });
}

/** The cookie with one character of its signed contents changed. */
function tamper(cookie) {
    const at = cookie.length - 5;
    const swapped = cookie[at] === "A" ? "B" : "A";
    return cookie.slice(0, at) + swapped + cookie.slice(at + 1);
}

async function refusal(client) {
    const error = await next(client, "connect_error");
    assert.equal(client.connected, false);
    return error.message;
}

test("logging in over HTTP sets an HttpOnly, SameSite=Lax, site-wide cookie", async () => {
    const { setCookie, cookie, body } = await logIn(nodeA);
    assert.match(cookie, /^rain_session=/);
    assert.match(setCookie, /HttpOnly/);
    assert.match(setCookie, /SameSite=Lax/);
    assert.match(setCookie, /Path=\//);
    assert.match(setCookie, /Max-Age=604800/);
    assert.deepEqual(body.user, ADA);
    // The HTTP side reads it back.
    const me = await (await fetch(nodeA.url + "/accounts/me", { headers: { cookie } })).json();
    assert.equal(me.sessionId, body.sessionId);
    assert.deepEqual(me.user, ADA);
});

for (const transport of ["websocket", "polling"]) {
    test(`a socket connected with the login cookie sees the same session and user (${transport})`, async () => {
        const { cookie, body } = await logIn(nodeA, ADA, { theme: "dark" });
        const client = connectWithCookie(nodeA, WHOAMI, cookie, { transports: [transport] });
        const connected = await next(client, "session");
        assert.equal(connected.sessionId, body.sessionId);
        assert.deepEqual(connected.user, ADA);
        assert.deepEqual(connected.userOnConnect, ADA);
        assert.deepEqual(connected.data, { theme: "dark" });
        const answer = await client.timeout(5_000).emitWithAck("whoami", null);
        assert.equal(answer.sessionId, body.sessionId);
        assert.deepEqual(answer.userInEvent, ADA);

        const member = connectWithCookie(nodeA, "/accounts-1.0/members", cookie, { transports: [transport] });
        assert.equal(await next(member, "welcome"), "Ada");
    });
}

test("a guarded socket with the login cookie connects", async () => {
    const { cookie } = await logIn(nodeA);
    const client = connectWithCookie(nodeA, GUARDED, cookie);
    assert.equal(await next(client, "welcome"), "Ada");
    assert.equal(client.connected, true);
});

test("a guarded socket without a session is refused: no session", async () => {
    assert.equal(await refusal(connect(nodeA, GUARDED)), "no session: log in first");
    assert.equal(await refusal(connect(nodeA, HAND_MOUNTED)), "no session: log in first");
    // An unguarded socket connects and is told why it has no session.
    const open = connect(nodeA, WHOAMI);
    assert.deepEqual(await next(open, "session"), { error: "no session: log in first", userOnConnect: null });
});

test("a guarded socket with a forged cookie is refused: invalid signature", async () => {
    const { cookie } = await logIn(nodeA);
    const forged = tamper(cookie);
    assert.notEqual(forged, cookie);
    assert.equal(await refusal(connectWithCookie(nodeA, GUARDED, forged)), "invalid session signature");
    const open = connectWithCookie(nodeA, WHOAMI, forged);
    assert.equal((await next(open, "session")).error, "invalid session signature");
});

test("a guarded socket with an expired cookie is refused: session expired", async () => {
    const { cookie, setCookie } = await logIn(shortLived);
    assert.match(setCookie, /Max-Age=1/);
    // Expiry has a one-second resolution: after two seconds the session has surely expired.
    await new Promise((resolve) => setTimeout(resolve, 2_100));
    assert.equal(await refusal(connectWithCookie(shortLived, GUARDED, cookie)), "session expired: log in again");
});

test("after logging out the session has no user, and the guard says so", async () => {
    const { cookie } = await logIn(nodeA);
    const out = await post(nodeA, "/accounts/logout", {}, cookie);
    assert.equal(out.body.user, null);
    assert.match(out.cookie, /^rain_session=/);
    assert.equal(await refusal(connectWithCookie(nodeA, GUARDED, out.cookie)), "not logged in: log in first");
});

test("token auth through the auth payload works; a forged token is refused", async () => {
    const response = await fetch(nodeA.url + "/accounts/token", {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ id: "7", name: "Grace" }),
    });
    const token = await response.text();
    assert.equal(response.status, 200, token);

    const client = connect(nodeA, WHOAMI, { auth: { token }, transports: ["websocket"] });
    const connected = await next(client, "session");
    assert.deepEqual(connected.user, { id: "7", name: "Grace" });
    const guarded = connect(nodeA, GUARDED, { auth: { token } });
    assert.equal(await next(guarded, "welcome"), "Grace");

    const forged = connect(nodeA, GUARDED, { auth: { token: tamper(token) } });
    assert.equal(await refusal(forged), "invalid session signature");
    // The token wins over the cookie when a client sends both.
    const { cookie } = await logIn(nodeA);
    const both = connectWithCookie(nodeA, GUARDED, cookie, { auth: { token: tamper(token) } });
    assert.equal(await refusal(both), "invalid session signature");
});

test("a cookie signed by node A is accepted by node B with the same secret, not by another key", async () => {
    const { cookie, body } = await logIn(nodeA);
    const onB = connectWithCookie(nodeB, WHOAMI, cookie);
    const seen = await next(onB, "session");
    assert.equal(seen.sessionId, body.sessionId);
    assert.deepEqual(seen.user, ADA);
    assert.equal(await next(connectWithCookie(nodeB, GUARDED, cookie), "welcome"), "Ada");

    assert.equal(await refusal(connectWithCookie(noSecret, GUARDED, cookie)), "invalid session signature");
});

test("a server without a secret warns that its sessions use a random key once a session is used; one with a secret does not", async () => {
    const WARNING = /no session secret is configured/;
    const warnings = (server) => server.output().split("no session secret is configured").length - 1;
    // A fresh server without a secret, serving a page and a socket to clients that present no
    // session: no session is signed or verified, so no warning.
    const fresh = await startServer(binary("rain-test-server"));
    try {
        assert.equal((await fetch(fresh.url + "/")).status, 200);
        const anonymous = connect(fresh, WHOAMI);
        assert.deepEqual(await next(anonymous, "session"), { error: "no session: log in first", userOnConnect: null });
        anonymous.disconnect();
        assert.doesNotMatch(fresh.output(), WARNING);
        // The first session signed warns, once; its sessions still work within the node.
        const { cookie } = await logIn(fresh);
        await logIn(fresh);
        assert.equal(await next(connectWithCookie(fresh, GUARDED, cookie), "welcome"), "Ada");
        assert.equal(warnings(fresh), 1, fresh.output());
        assert.match(fresh.output(), /RAIN_SESSION_SECRET/);
    } finally {
        await fresh.stop();
    }
    assert.doesNotMatch(nodeA.output(), WARNING);
});

test("the example's login form: the chat room knows the name and signs messages with it", async () => {
    const login = await fetch(nodeA.url + "/login", {
        method: "POST",
        headers: { "content-type": "application/x-www-form-urlencoded" },
        body: "name=Ada",
        redirect: "manual",
    });
    assert.equal(login.status, 303);
    assert.equal(login.headers.get("location"), "/");
    const cookie = (login.headers.get("set-cookie") ?? "").split(";")[0];

    const ada = connectWithCookie(nodeA, "/chat-1.0/room", cookie);
    assert.deepEqual(await ada.timeout(5_000).emitWithAck("whoami", null), { name: "Ada" });
    const anonymous = connect(nodeA, "/chat-1.0/room");
    assert.deepEqual(await anonymous.timeout(5_000).emitWithAck("whoami", null), { name: null });

    const atAnonymous = next(anonymous, "message");
    ada.emit("message", { text: "hi" });
    assert.deepEqual(await atAnonymous, { text: "hi", from: "Ada" });
});
