define(function () {
    function init() {
        this._socket = this.viewContext.getWebSocket("chat/dummy socket");
        this._socket.on("bye", (data) => alert(JSON.stringify(data)));
        // Another component's announcements, through the page's publish/subscribe.
        let count = 0;
        this.viewContext.subscribe("chat::message", () => {
            this.viewContext.getElement().querySelector("[data-itemid='chat-count']").textContent = String(++count);
        });
        this.start();
    }

    function start() {
        const btn = this.viewContext.getElement().querySelector("input[data-itemid='btnCustomHandler']");
        btn.addEventListener("click", () => this._socket.emit("hello", { ignored: true }));
    }

    return { init, start };
});
