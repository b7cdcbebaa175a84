// Rain's shutdown notice. A Rain server that starts shutting down sends every socket
// `rain:shutdown` (see rain_core::shutdown), lets its running handlers finish, then closes the
// connection. From the notice until the socket connects again, its emits wait in its buffer for
// the server that replaces this one instead of going to one that is closing.
//
// Importing this module extends every socket made afterwards with that hold.

import { extendSockets } from "./socket.js";

/** What a Rain server sends every socket when it starts shutting down. */
const SHUTDOWN_EVENT = "rain:shutdown";

/**
 * The hold of one socket: from a shutdown notice until the next connect.
 * @returns {import("./socket.js").SocketHooks}
 */
function holdOnShutdown() {
    let held = false;
    return {
        onEvent: (event) => {
            if (event === SHUTDOWN_EVENT) held = true;
        },
        onConnect: () => {
            held = false;
        },
        holds: () => held,
    };
}

extendSockets(holdOnShutdown);
