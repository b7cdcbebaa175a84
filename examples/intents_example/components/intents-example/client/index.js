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
        const root = this.viewContext.getElement();
        const btn = root.querySelector("input[data-itemid='btnCustomHandler']");
        btn.addEventListener("click", () => this._socket.emit("hello", { ignored: true }));
        // RAIN's intents: a server function, and a view shown in a dialog.
        const messaging = this.clientRuntime.messaging;
        const result = root.querySelector("[data-itemid='intent-result']");
        root.querySelector("[data-itemid='btnIntent']").addEventListener("click", () => {
            messaging
                .sendIntent({
                    viewContext: this.viewContext,
                    category: "com.rain.test.general",
                    action: "com.rain.test.serverside.INLINE_LOGGING",
                    intentContext: { message: "Hello from the intents example" },
                })
                .then((answer) => (result.textContent = JSON.stringify(answer)))
                .catch((failure) => (result.textContent = failure.error));
        });
        root.querySelector("[data-itemid='btnChatIntent']").addEventListener("click", () => {
            messaging
                .sendIntent({ viewContext: this.viewContext, category: "com.rain.test.general", action: "com.rain.test.chat.SHOW" })
                .catch((failure) => (result.textContent = failure.error));
        });
    }

    return { init, start };
});
