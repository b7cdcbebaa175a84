// A TCP proxy on 127.0.0.1 in front of a test server, to cut or freeze its clients' connections.
import net from "node:net";

/**
 * Forwards every connection to `127.0.0.1:targetPort`.
 * - `freeze()`: stops passing bytes either way, connections left open (a silent peer);
 * - `cut(ms)`: closes every connection, and closes new ones at once for `ms`;
 * - `close()`: stops it.
 * `url` is `http://127.0.0.1:<port>`; `connections` counts the connections accepted so far.
 */
export async function startProxy(targetPort) {
    const pairs = new Set();
    let frozen = false;
    let refusingUntil = 0;
    const proxy = {
        connections: 0,
        freeze() {
            frozen = true;
            for (const [client, upstream] of pairs) {
                client.unpipe(upstream);
                upstream.unpipe(client);
                client.pause();
                upstream.pause();
            }
        },
        cut(ms = 0) {
            refusingUntil = Date.now() + ms;
            for (const [client, upstream] of pairs) {
                client.destroy();
                upstream.destroy();
            }
            pairs.clear();
        },
        close() {
            proxy.cut();
            return new Promise((resolve) => server.close(() => resolve()));
        },
    };
    const server = net.createServer((client) => {
        proxy.connections += 1;
        if (Date.now() < refusingUntil || frozen) {
            client.destroy();
            return;
        }
        const upstream = net.connect(targetPort, "127.0.0.1");
        const pair = [client, upstream];
        pairs.add(pair);
        client.setNoDelay(true);
        upstream.setNoDelay(true);
        client.pipe(upstream);
        upstream.pipe(client);
        const end = () => {
            pairs.delete(pair);
            client.destroy();
            upstream.destroy();
        };
        client.on("error", end).on("close", end);
        upstream.on("error", end).on("close", end);
    });
    await new Promise((resolve) => server.listen(0, "127.0.0.1", resolve));
    proxy.port = server.address().port;
    proxy.url = `http://127.0.0.1:${proxy.port}`;
    return proxy;
}
