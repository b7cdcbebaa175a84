// Listens in init() to its own socket, which pushes as soon as it connects.
define(function () {
    return {
        init() {
            this.viewContext.getWebSocket("count").on("tally", ({ count }) => {
                this.viewContext.getElement().querySelector("[data-itemid='tally']").textContent = String(count);
            });
        },
    };
});
