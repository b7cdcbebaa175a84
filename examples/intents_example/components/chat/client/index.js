// An ES module controller: the runtime calls init(), then start().
export default {
    init() {
        const root = this.viewContext.getElement();
        this._log = root.querySelector("[data-itemid='log']");
        this._room = this.viewContext.getWebSocket("room");
        const show = (message) => {
            const item = document.createElement("li");
            item.textContent = message.from ? `${message.from}: ${message.text}` : String(message.text);
            this._log.append(item);
        };
        // The room's last messages first, asked once (a recovered connection gets what it missed),
        // then the new ones: those that come before the history are held, and dropped when the
        // history has them already (a message is stored before it is delivered).
        let held = [];
        this._room.on("message", (message) => {
            if (held) held.push(message);
            else show(message);
            // Announced to the page's other components (the intents example counts them).
            this.viewContext.publish("chat::message", message);
        });
        this._room.emitWithAck("history").then((history) => {
            const past = Array.isArray(history) ? history : [];
            if (!Array.isArray(history)) root.querySelector("[data-itemid='connection']").textContent = history.error;
            const shown = new Set(past.map((message) => JSON.stringify(message)));
            for (const message of past) show(message);
            for (const message of held) if (!shown.has(JSON.stringify(message))) show(message);
            held = null;
        });
        // Images arrive as ArrayBuffers: shown through a Blob of the type they were sent with.
        this._room.on("image", ({ type, data, from }) => {
            const item = document.createElement("li");
            if (from) item.append(`${from}: `);
            const image = document.createElement("img");
            image.src = URL.createObjectURL(new Blob([data], { type }));
            image.alt = from ? `an image from ${from}` : "an image";
            image.dataset.bytes = String(data.byteLength);
            item.append(image);
            this._log.append(item);
        });
        // The server read the session cookie when the socket connected; it tells who we are.
        this._room.emitWithAck("whoami", null).then(({ name }) => {
            root.querySelector("[data-itemid='who']").textContent = name ? `Logged in as ${name}.` : "Not logged in.";
            root.querySelector("[data-itemid='login']").hidden = Boolean(name);
            root.querySelector("[data-itemid='logout']").hidden = !name;
        });
        this._showPresence(root.querySelector("[data-itemid='members']"));
        // The room is recoverable: back within 2 minutes, the messages sent meanwhile arrive.
        const connection = root.querySelector("[data-itemid='connection']");
        this._room.on("disconnect", () => {
            connection.textContent = "Connection lost: reconnecting…";
        });
        this._room.on("connect", () => {
            if (this._room.recovered) connection.textContent = "Reconnected: nothing was missed.";
            else if (this._room.recoveryFailure)
                connection.textContent = `Reconnected; messages sent meanwhile are lost (${this._room.recoveryFailure}).`;
        });
        // Another component's socket, reached through the runtime's messaging.
        this._intents = this.clientRuntime.messaging._getWebSocket("intents-example-1.0", "chat/dummy socket");
        this._intents.on("bye", (bye) => {
            root.querySelector("[data-itemid='bye']").textContent = JSON.stringify(bye);
        });
    },

    start() {
        const root = this.viewContext.getElement();
        const text = root.querySelector("[data-itemid='text']");
        root.querySelector("[data-itemid='form']").addEventListener("submit", (event) => {
            event.preventDefault();
            if (text.value) this._room.emit("message", { text: text.value });
            text.value = "";
        });
        const error = root.querySelector("[data-itemid='image-error']");
        root.querySelector("[data-itemid='image']").addEventListener("change", async (event) => {
            const [file] = event.target.files;
            event.target.value = "";
            error.textContent = "";
            if (!file) return;
            // Larger packets than the server's max_payload (128 KiB) would close the connection.
            if (file.size > 100 * 1024) {
                error.textContent = `${file.name} is over 100 KB`;
                return;
            }
            // A File is sent as one binary attachment; the ack says whether it was relayed.
            const ack = await this._room.emitWithAck("image", { type: file.type, data: file });
            if (ack?.error) error.textContent = ack.error;
        });
        root.querySelector("[data-itemid='hello']").addEventListener("click", () => {
            this._intents.emit("hello", { from: "chat" });
        });
    },

    /** Keeps `list` showing who is in the room, on every node: asked on (re)connect, then changes. */
    _showPresence(list) {
        const members = new Map();
        let me = null;
        const render = () => {
            list.replaceChildren(
                ...[...members.values()].map((member) => {
                    const item = document.createElement("span");
                    item.className = "member";
                    item.dataset.memberId = member.id;
                    item.textContent = member.id === me?.id ? `${member.id} (you)` : member.id;
                    return item;
                }),
            );
        };
        this._room.on("rain:presence", ({ joined, left }) => {
            if (joined) members.set(joined.id, joined);
            if (left) members.delete(left.id);
            render();
        });
        const ask = async () => {
            const snapshot = await this._room.emitWithAck("rain:presence");
            me = snapshot.me;
            members.clear();
            for (const member of snapshot.members) members.set(member.id, member);
            render();
        };
        this._room.on("connect", ask);
        if (this._room.connected) ask();
    },
};
