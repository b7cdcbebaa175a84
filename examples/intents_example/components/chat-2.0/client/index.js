// Chat 2.0's controller: as 1.0's, each message shown with the time the server stamped on it.
export default {
    init() {
        const log = this.viewContext.getElement().querySelector("[data-itemid='log']");
        this._room = this.viewContext.getWebSocket("room");
        const show = ({ text, from, sentAt }) => {
            const item = document.createElement("li");
            const time = document.createElement("time");
            time.dateTime = new Date(sentAt).toISOString();
            time.textContent = new Date(sentAt).toLocaleTimeString();
            item.append(time, " ", from ? `${from}: ${text}` : String(text));
            log.append(item);
        };
        // As 1.0: the last messages first, then the new ones, none twice (each has its `sentAt`).
        let held = [];
        this._room.on("message", (message) => (held ? held.push(message) : show(message)));
        this._room.emitWithAck("history").then((history) => {
            const past = Array.isArray(history) ? history : [];
            const shown = new Set(past.map((message) => JSON.stringify(message)));
            for (const message of [...past, ...held.filter((m) => !shown.has(JSON.stringify(m)))]) show(message);
            held = null;
        });
    },

    start() {
        const form = this.viewContext.getElement().querySelector("[data-itemid='form']");
        form.addEventListener("submit", (event) => {
            event.preventDefault();
            const text = new FormData(form).get("text");
            if (text) this._room.emit("message", { text });
            form.reset();
        });
    },
};
