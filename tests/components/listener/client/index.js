// Loaded after the tally component's controller; listens in init() to that component's socket.
export default {
    init() {
        this.clientRuntime.messaging._getWebSocket("tally-1.0", "count").on("tally", ({ count }) => {
            this.viewContext.getElement().querySelector("[data-itemid='tally']").textContent = String(count);
        });
    },
};
