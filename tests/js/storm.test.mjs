// A reconnect storm: 2,000 official socket.io-client sockets (forceNew, WebSocket) on the Rain test
// server, which is killed and started again on the same port. Every client reconnects within the
// bound below, none receives a message twice, and what each emitted while disconnected is
// delivered exactly once.
import { test } from "node:test";
import assert from "node:assert/strict";
import { io } from "socket.io-client";
import { binary, startServer } from "./support/server.mjs";

const CLIENTS = Number(process.env.RAIN_STORM_CLIENTS ?? 2_000);
const NOTES = "/lifecycle-1.0/notes";
// Measured on the 2-core test machine (debug server): see SECURITY.md. The bound is generous so
// that a loaded machine does not fail it; it still catches clients that never come back.
const RECONNECT_BOUND_MS = 60_000;
const ENV = { RAIN_MAX_CONNECTIONS_PER_CLIENT: String(CLIENTS * 2) };

/** Runs `task` over `items`, `width` at a time. */
async function inBatches(items, width, task) {
    for (let i = 0; i < items.length; i += width) {
        await Promise.all(items.slice(i, i + width).map(task));
    }
}

function waitUntil(check, ms, what) {
    return new Promise((resolve, reject) => {
        const started = Date.now();
        const timer = setInterval(() => {
            if (check()) {
                clearInterval(timer);
                resolve(Date.now() - started);
            } else if (Date.now() - started > ms) {
                clearInterval(timer);
                reject(new Error(`${what} not within ${ms} ms`));
            }
        }, 20);
    });
}

test(`${CLIENTS} clients survive a server restart: all reconnect, nothing is delivered twice`, { timeout: 240_000 }, async () => {
    let server = await startServer(binary("rain-test-server"), { env: ENV });
    const port = server.port;
    const clients = Array.from({ length: CLIENTS }, (_, id) => {
        const socket = io(server.url + NOTES, {
            forceNew: true,
            transports: ["websocket"],
            autoConnect: false,
            reconnectionDelay: 500,
            reconnectionDelayMax: 2_000,
        });
        const client = { id, socket, noted: [], connects: 0 };
        socket.on("connect", () => client.connects++);
        socket.on("noted", (note) => client.noted.push(note));
        return client;
    });
    try {
        await inBatches(clients, 100, async (client) => {
            client.socket.connect();
            const ack = await client.socket.timeout(30_000).emitWithAck("note", { id: client.id, seq: 0 });
            assert.deepEqual(ack, { id: client.id, seq: 0 });
        });
        assert.equal(clients.filter((c) => c.socket.connected).length, CLIENTS);

        await server.kill();
        await waitUntil(() => clients.every((c) => !c.socket.connected), 30_000, "every disconnect");
        for (const client of clients) {
            // Buffered by the client while it is disconnected.
            client.socket.emit("note", { id: client.id, seq: 1 });
            client.socket.emit("note", { id: client.id, seq: 2 });
        }
        server = await startServer(binary("rain-test-server"), { port, env: ENV });
        const reconnected = await waitUntil(
            () => clients.every((c) => c.connects === 2),
            RECONNECT_BOUND_MS,
            `${CLIENTS} reconnects`,
        );
        console.log(`# ${CLIENTS} clients reconnected ${reconnected} ms after the server listened again`);
        await waitUntil(() => clients.every((c) => c.noted.length >= 3), 30_000, "buffered notes").catch((e) => { const c = clients.find((c) => c.noted.length < 3); console.log("# stuck", c.id, JSON.stringify(c.noted), c.socket.connected, c.socket.sendBuffer?.length); throw e; });
        // A last round trip each: anything delivered twice would have arrived before its ack.
        await inBatches(clients, 200, async (client) => {
            await client.socket.timeout(30_000).emitWithAck("note", { id: client.id, seq: 3 });
        });

        const wrong = clients.filter(
            (c) => JSON.stringify(c.noted.map((n) => n.seq).sort()) !== "[0,1,2,3]" || c.connects !== 2,
        );
        assert.deepEqual(
            wrong.slice(0, 5).map((c) => ({ id: c.id, seqs: c.noted.map((n) => n.seq), connects: c.connects })),
            [],
            `${wrong.length} clients saw a note missing or twice, or reconnected more than once`,
        );
        assert.ok(clients.every((c) => c.noted.every((n) => n.id === c.id)), "notes reach their own client only");
    } finally {
        for (const client of clients) client.socket.disconnect();
        await server.kill();
    }
});
