// Chat 2.0's controller: as 1.0's, each message shown with the time the server stamped on it.
export default {
    init() {
        const log = this.viewContext.getElement().querySelector("[data-itemid='log']");
        this._room = this.viewContext.getWebSocket("room");
        this._room.on("message", ({ text, from, sentAt }) => {
            const item = document.createElement("li");
            const time = document.createElement("time");
            time.dateTime = new Date(sentAt).toISOString();
            time.textContent = new Date(sentAt).toLocaleTimeString();
            item.append(time, " ", from ? `${from}: ${text}` : String(text));
            log.append(item);
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
