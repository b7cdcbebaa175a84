// Cross-site protection and limits of the Rain test server, over raw HTTP and with the official
// socket.io-client: foreign origins refused (WebSocket and polling), same and listed origins
// accepted with CORS, payload and connection limits refused with a reason, other clients unaffected.
import { test, describe, before, after } from "node:test";
import assert from "node:assert/strict";
import http from "node:http";
import { io } from "socket.io-client";
import { binary, startServer, next } from "./support/server.mjs";

const ECHO = "/echo-1.0/echo";
const ALLOWED = "http://app.example:8080";
const FOREIGN = "http://evil.example";
const TEST_TIMEOUT = { timeout: 30_000 };

/** One HTTP request; resolves with status, headers and body (or the upgrade, for a 101). */
function request(url, { method = "GET", headers = {}, body, localAddress } = {}) {
    return new Promise((resolve, reject) => {
        const req = http.request(url, { method, headers, localAddress, agent: false });
        req.setTimeout(10_000, () => req.destroy(new Error(`no answer to ${method} ${url}`)));
        req.on("response", (res) => {
            let text = "";
            res.setEncoding("utf8");
            res.on("data", (chunk) => (text += chunk));
            res.on("end", () => resolve({ status: res.statusCode, headers: res.headers, body: text }));
        });
        req.on("upgrade", (res, socket) => {
            socket.destroy();
            resolve({ status: res.statusCode, headers: res.headers, body: "" });
        });
        req.on("error", reject);
        req.end(body);
    });
}

const upgradeHeaders = (origin) => ({
    connection: "Upgrade",
    upgrade: "websocket",
    "sec-websocket-version": "13",
    "sec-websocket-key": "dGhlIHNhbXBsZSBub25jZQ==",
    ...(origin ? { origin } : {}),
});

describe("origins", () => {
    let server;
    const clients = [];
    before(async () => {
        server = await startServer(binary("rain-test-server"), {
            env: { RAIN_ALLOWED_ORIGINS: `${ALLOWED}, https://other.example` },
        });
    });
    after(async () => {
        for (const client of clients) client.disconnect();
        await server?.stop();
    });
    const polling = () => `${server.url}/socket.io/?EIO=4&transport=polling`;
    const websocket = () => `${server.url}/socket.io/?EIO=4&transport=websocket`;

    test("a foreign Origin is refused for a WebSocket upgrade, with a reason", TEST_TIMEOUT, async () => {
        const answer = await request(websocket(), { headers: upgradeHeaders(FOREIGN) });
        assert.equal(answer.status, 403);
        assert.match(answer.body, /origin `http:\/\/evil\.example` may not use this server's sockets/);
    });

    test("a foreign Origin is refused for polling, handshake and POST alike", TEST_TIMEOUT, async () => {
        const handshake = await request(polling(), { headers: { origin: FOREIGN } });
        assert.equal(handshake.status, 403);
        assert.match(handshake.body, /evil\.example/);
        assert.equal(handshake.headers["access-control-allow-origin"], undefined);
        const post = await request(`${polling()}&sid=whatever`, {
            method: "POST",
            headers: { origin: FOREIGN, "content-type": "text/plain" },
            body: '42["echo","x"]',
        });
        assert.equal(post.status, 403);
    });

    test("a foreign preflight is refused and gets no CORS headers", TEST_TIMEOUT, async () => {
        const answer = await request(polling(), {
            method: "OPTIONS",
            headers: { origin: FOREIGN, "access-control-request-method": "POST" },
        });
        assert.equal(answer.status, 403);
        assert.equal(answer.headers["access-control-allow-origin"], undefined);
    });

    test("the official client with a foreign Origin cannot connect", TEST_TIMEOUT, async () => {
        const client = io(server.url + ECHO, {
            forceNew: true,
            reconnection: false,
            transports: ["websocket"],
            extraHeaders: { origin: FOREIGN },
        });
        clients.push(client);
        const error = await next(client, "connect_error");
        assert.equal(client.connected, false);
        assert.ok(error instanceof Error);
    });

    test("same origin is accepted over WebSocket and polling", TEST_TIMEOUT, async () => {
        const upgrade = await request(websocket(), { headers: upgradeHeaders(server.url) });
        assert.equal(upgrade.status, 101);
        const handshake = await request(polling(), { headers: { origin: server.url } });
        assert.equal(handshake.status, 200);
        assert.match(handshake.body, /^0\{"sid":/);
        const client = io(server.url + ECHO, {
            forceNew: true,
            reconnection: false,
            transports: ["polling"],
            extraHeaders: { origin: server.url },
        });
        clients.push(client);
        await next(client, "connect");
        assert.equal(await client.timeout(5_000).emitWithAck("echo", "same"), "same");
    });

    test("no Origin at all (a client that is not a browser) is accepted", TEST_TIMEOUT, async () => {
        const handshake = await request(polling());
        assert.equal(handshake.status, 200);
        assert.equal(handshake.headers["access-control-allow-origin"], undefined);
    });

    test("a listed origin gets its preflight answered and CORS on polling", TEST_TIMEOUT, async () => {
        const preflight = await request(polling(), {
            method: "OPTIONS",
            headers: {
                origin: ALLOWED,
                "access-control-request-method": "POST",
                "access-control-request-headers": "content-type",
            },
        });
        assert.equal(preflight.status, 200);
        assert.equal(preflight.headers["access-control-allow-origin"], ALLOWED);
        assert.equal(preflight.headers["access-control-allow-credentials"], "true");
        assert.match(preflight.headers["access-control-allow-methods"], /POST/);
        assert.match(preflight.headers["access-control-allow-headers"], /content-type/i);

        const handshake = await request(polling(), { headers: { origin: ALLOWED } });
        assert.equal(handshake.status, 200);
        assert.equal(handshake.headers["access-control-allow-origin"], ALLOWED);
        assert.equal(handshake.headers["access-control-allow-credentials"], "true");

        const upgrade = await request(websocket(), { headers: upgradeHeaders("https://other.example") });
        assert.equal(upgrade.status, 101);
    });

    test("pages and files get no CORS headers, whatever the origin", TEST_TIMEOUT, async () => {
        const answer = await request(`${server.url}/rain/runtime.js`, { headers: { origin: ALLOWED } });
        assert.equal(answer.status, 200);
        assert.equal(answer.headers["access-control-allow-origin"], undefined);
    });
});

test("RAIN_ALLOWED_ORIGINS=* is refused at startup, saying why", TEST_TIMEOUT, async () => {
    await assert.rejects(
        startServer(binary("rain-test-server"), { env: { RAIN_ALLOWED_ORIGINS: "*" } }),
        /`\*` cannot be an allowed origin: `\*` would let every site use the sockets/,
    );
});

describe("limits", () => {
    const MAX = 6;
    const PER_CLIENT = 3;
    const PAYLOAD = 4096;
    let server;
    const clients = [];
    before(async () => {
        server = await startServer(binary("rain-test-server"), {
            env: {
                RAIN_MAX_CONNECTIONS: String(MAX),
                RAIN_MAX_CONNECTIONS_PER_CLIENT: String(PER_CLIENT),
                RAIN_MAX_PAYLOAD: String(PAYLOAD),
            },
        });
    });
    after(async () => {
        for (const client of clients) client.disconnect();
        await server?.stop();
    });

    /** An official client on the echo socket, from loopback address `from`. */
    async function connected(from, transports = ["websocket"]) {
        const client = io(server.url + ECHO, {
            forceNew: true,
            reconnection: false,
            transports,
            localAddress: from,
        });
        clients.push(client);
        await next(client, "connect");
        return client;
    }

    /** A raw polling handshake from `from`; a session it opens is closed again at once. */
    async function handshake(from, { keep = false } = {}) {
        const base = `${server.url}/socket.io/?EIO=4&transport=polling`;
        const answer = await request(base, { localAddress: from });
        if (answer.status === 200) {
            // Join a namespace, as every real client does at once: a session that never joins
            // one keeps its place until the server's connect timeout (10 s).
            const post = (body) =>
                request(`${base}&sid=${JSON.parse(answer.body.slice(1)).sid}`, { method: "POST", body, localAddress: from });
            await post(`40${ECHO},`);
            if (!keep) await post("1");
        }
        return answer;
    }

    async function roundTrip(client, value) {
        assert.deepEqual(await client.timeout(5_000).emitWithAck("echo", value), value);
    }

    const close = async (client) => {
        client.disconnect();
        clients.splice(clients.indexOf(client), 1);
    };

    test("a payload over max_payload is refused; the client's neighbours go on", TEST_TIMEOUT, async () => {
        // Polling: the body is refused with 413 and the reason.
        const open = await handshake("127.0.0.1", { keep: true });
        const sid = JSON.parse(open.body.slice(1)).sid;
        const post = await request(
            `${server.url}/socket.io/?EIO=4&transport=polling&sid=${sid}`,
            { method: "POST", headers: { "content-type": "text/plain" }, body: "4" + "x".repeat(PAYLOAD * 2) },
        );
        assert.equal(post.status, 413);
        assert.match(post.body, new RegExp(`at most ${PAYLOAD} bytes at once \\(max_payload\\)`));

        // WebSocket: an oversized message closes that connection only.
        const neighbour = await connected("127.0.0.1");
        const big = await connected("127.0.0.1");
        await roundTrip(big, "x".repeat(PAYLOAD / 2));
        const dropped = next(big, "disconnect");
        big.emit("echo", "x".repeat(PAYLOAD * 2));
        const [reason, details] = await dropped;
        assert.equal(reason, "transport close");
        // The server closes the WebSocket with a close frame (1005: no status code).
        assert.equal(details.context.code, 1005);
        await roundTrip(neighbour, { still: "here" });
        await close(neighbour);
        await close(big);
    });

    test("max_connections_per_client: the fourth session from one address gets 429, others connect", TEST_TIMEOUT, async () => {
        const greedy = [];
        for (let i = 0; i < PER_CLIENT; i++) greedy.push(await connected("127.0.0.2"));
        const refused = await handshake("127.0.0.2");
        assert.equal(refused.status, 429);
        assert.match(refused.body, new RegExp(`your address has ${PER_CLIENT} open connections.*\\(max_connections_per_client\\)`));
        const official = io(server.url + ECHO, {
            forceNew: true,
            reconnection: false,
            transports: ["websocket"],
            localAddress: "127.0.0.2",
        });
        clients.push(official);
        await next(official, "connect_error");
        assert.equal(official.connected, false);
        await close(official);

        // Another address is not affected, and the greedy client's sessions still work.
        const other = await connected("127.0.0.3");
        await roundTrip(other, 1);
        for (const client of greedy) await roundTrip(client, "greedy");

        // A session closed gives its place back.
        await close(greedy.pop());
        await waitFor(async () => (await handshake("127.0.0.2")).status === 200);
        for (const client of [...greedy, other]) await close(client);
    });

    test("max_connections: past the global limit, 503 with the reason; open sessions unaffected", TEST_TIMEOUT, async () => {
        // Let the sessions of earlier tests time out or close.
        await waitFor(async () => {
            const answer = await handshake("127.0.0.9");
            return answer.status === 200;
        });
        const held = [];
        for (let i = 0; i < MAX; i++) {
            const from = `127.0.1.${1 + (i % 3)}`;
            held.push(await connected(from, i % 2 ? ["polling"] : ["websocket"]));
        }
        const refused = await handshake("127.0.1.9");
        assert.equal(refused.status, 503);
        assert.equal(refused.headers["retry-after"], "5");
        assert.match(refused.body, new RegExp(`the server has ${MAX} open connections, its limit \\(max_connections\\)`));
        for (const client of held) await roundTrip(client, "held");
        await close(held.pop());
        await waitFor(async () => (await handshake("127.0.1.9")).status === 200);
        for (const client of held) await close(client);
    });
});

/** Retries `check` every 100 ms for up to 15 s. */
async function waitFor(check) {
    const deadline = Date.now() + 15_000;
    while (Date.now() < deadline) {
        if (await check()) return;
        await new Promise((resolve) => setTimeout(resolve, 100));
    }
    assert.fail("condition not met within 15 s");
}
