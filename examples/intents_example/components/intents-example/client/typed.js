// @ts-check
// The intents example's controller, typed by the bindings the server generates into `./rain/`:
// an event or a payload that `chat/dummy socket` does not declare is an error in the editor and
// in `tsc`. Regenerate them with
// `cargo run -p intents-example -- bindings write examples/intents_example/components/intents-example/client/rain`.
import { intentsExample } from "./rain/bindings.js";

/** @typedef {import("./rain/bindings.js").Controller<"intents-example-1.0">} Controller */

export default {
    /** @this {Controller} */
    start() {
        const root = this.viewContext.getRoot();
        /** @param {string} item @param {string} text */
        const show = (item, text) => {
            const output = root.querySelector(`output[data-itemid='${item}']`);
            if (output) output.textContent = text;
        };

        // The bindings' handle: usable from any module, and typed by the socket's events.
        const socket = intentsExample.chatDummySocket();
        socket.on("bye", (bye) => show("bye", JSON.stringify(bye))); // bye: Bye
        const button = root.querySelector("input[data-itemid='btnCustomHandler']");
        button?.addEventListener("click", async () => {
            socket.emit("hello", { ignored: true });
            const identity = await socket.emitWithAck("whoami", null); // identity: Identity
            show("whoami", JSON.stringify(identity));
        });

        // RAIN's way gives the same socket, typed the same: the view context knows its component.
        const same = this.viewContext.getWebSocket("chat/dummy socket");
        const state = () => show("state", same.connected ? `connected as ${same.id}` : "connecting");
        same.on("connect", state).on("disconnect", state);
        state();
    },
};
