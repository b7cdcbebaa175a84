define(function () {
    function init() {
        this._socket = this.viewContext.getWebSocket("chat/dummy socket");
        this._socket.on("bye", (data) => alert(JSON.stringify(data)));
        this.start();
    }

    function start() {
        const btn = this.viewContext.getRoot().querySelector("input[data-itemid='btnCustomHandler']");
        btn.addEventListener("click", () => this._socket.emit("hello", { ignored: true }));
    }

    return { init, start };
});
