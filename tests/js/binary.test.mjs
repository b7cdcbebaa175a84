// Binary payloads through a Rain server, with the official socket.io-client and Rain's runtime: attachments into
// `Bytes` fields and back, byte for byte, over WebSocket and long-polling, in acks both ways, and
// the attachment limits refusing a packet without hurting anyone else.
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { io } from "socket.io-client";
import { next, sharedServer } from "./support/server.mjs";
import { runtimeModule } from "./support/runtime.mjs";

const shared = sharedServer();
const NS = "/binary-1.0/echo";

for (const transports of [["websocket"], ["polling"]]) {
    describe(`over ${transports[0]}`, () => {
        test("an upload comes back byte for byte, as its ack and as an event", async () => {
            const client = shared.connect(NS, { transports });
            await next(client, "connect");
            const upload = {
                name: "photo.png",
                data: randomBytes(64 * 1024),
                parts: [Buffer.from([0, 255, 1]), Buffer.alloc(0), randomBytes(1000)],
            };
            const uploaded = next(client, "uploaded");
            const ack = await client.timeout(5_000).emitWithAck("upload", upload);
            for (const back of [ack, await uploaded]) {
                assert.equal(back.name, "photo.png");
                assert.ok(Buffer.isBuffer(back.data), "an attachment, not an array of numbers");
                assert.ok(back.data.equals(upload.data), "the 64 KiB came back identical");
                assert.equal(back.parts.length, 3);
                back.parts.forEach((part, index) => assert.ok(part.equals(upload.parts[index]), `part ${index}`));
            }
        });

        test("the server asks for bytes with an ack, and the client's binary ack reaches the handler", async () => {
            const client = shared.connect(NS, { transports });
            client.on("give", (bytes, ack) => {
                assert.deepEqual([...bytes], [0, 1, 255]);
                ack(Buffer.from("from the client"));
            });
            await next(client, "connect");
            const given = next(client, "given");
            client.emit("ask");
            const bytes = await given;
            assert.ok(Buffer.isBuffer(bytes), JSON.stringify(bytes));
            assert.equal(bytes.toString(), "from the client");
        });
    });
}

test("text where bytes are expected is refused with the handler's error, and the socket stays", async () => {
    const client = shared.connect(NS);
    await next(client, "connect");
    const refused = await client.timeout(5_000).emitWithAck("size", "not bytes");
    assert.match(refused.error, /^`size` payload refused: invalid type: string "not bytes", expected a binary payload/);
    assert.equal(await client.timeout(5_000).emitWithAck("size", Buffer.alloc(10)), 10);
});

test("too many attachments, or too many bytes, close that connection only", async () => {
    const good = shared.connect(NS);
    await next(good, "connect");
    const cases = [
        ["65 attachments", Array.from({ length: 65 }, () => Buffer.from([1]))],
        ["attachments over max_payload", [randomBytes(100 * 1024), randomBytes(100 * 1024)]],
    ];
    for (const [what, parts] of cases) {
        const bad = shared.connect(NS);
        await next(bad, "connect");
        const gone = next(bad, "disconnect");
        bad.emit("upload", { name: what, data: Buffer.alloc(1), parts });
        const [reason] = [await gone].flat();
        assert.equal(reason, "transport close", what);
        assert.equal(await good.timeout(5_000).emitWithAck("size", Buffer.alloc(3)), 3, `after ${what}`);
    }
    // 64 attachments within max_payload are fine. (The official client itself takes at most 10
    // in a packet from the server, so the answer is a count.)
    const parts = Array.from({ length: 64 }, (_, i) => Buffer.from([i]));
    assert.equal(await good.timeout(5_000).emitWithAck("count", parts), 64);
});

test("Rain's runtime sends and receives binary through the Rain server, over both transports", async () => {
    const { Manager } = await runtimeModule("socket.js");
    for (const transports of [["websocket"], ["polling"]]) {
        const manager = new Manager(shared.server.url, { transports, reconnection: false });
        const socket = manager.socket(NS).connect();
        try {
            socket.on("give", (bytes, ack) => {
                assert.ok(bytes instanceof ArrayBuffer);
                assert.deepEqual([...new Uint8Array(bytes)], [0, 1, 255]);
                ack(new TextEncoder().encode("from the runtime"));
            });
            await next(socket, "connect");
            const data = new Uint8Array(randomBytes(64 * 1024));
            const parts = [new Uint8Array([9, 8, 7]).buffer, new Blob([new Uint8Array([1, 2])])];
            const ack = await socket.emitWithAck("upload", { name: "n", data, parts });
            assert.ok(ack.data instanceof ArrayBuffer, `${transports}: an ArrayBuffer`);
            assert.ok(Buffer.from(ack.data).equals(Buffer.from(data)), `${transports}: 64 KiB intact`);
            assert.deepEqual(ack.parts.map((part) => [...new Uint8Array(part)]), [[9, 8, 7], [1, 2]]);
            const given = next(socket, "given");
            socket.emit("ask");
            assert.equal(new TextDecoder().decode(await given), "from the runtime", `${transports}: binary ack`);
        } finally {
            socket.disconnect();
            manager.engine?.close();
        }
    }
});
