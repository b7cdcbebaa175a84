// RAIN's intents (`messaging.sendIntent`), loaded the first time a page sends one. Every intent
// goes over Rain's one intents socket (`rain`'s `intents` in the page's manifest) as an `intent`
// event with an ack; the server answers `{ value }` for a server intent, `{ view }` for a view
// intent, which is mounted here, or `{ error }`.

/**
 * @param {import("./messaging.js").Messaging} messaging
 * @param {import("./runtime.js").IntentRequest} request
 */
export async function sendIntent(messaging, request) {
    const { viewContext, category, action, intentContext, container } = request ?? {};
    const fail = (error) => {
        throw Object.assign(new Error(`Rain: intent "${category}" "${action}": ${error}`), { error });
    };
    const socket = messaging.getWebSocket("rain", "intents", viewContext?.instanceId);
    if (!socket.io) fail("this page's server declares no intents");
    const answer = await socket.emitWithAck("intent", { category, action, context: intentContext });
    if (answer?.view) {
        if (!viewContext) fail("a view intent needs the viewContext to insert its view under");
        const target = container ?? dialog();
        try {
            const mounted = await viewContext.insert(answer.view.moduleId, answer.view.view, target);
            // Closing the dialog removes what it shows, its sockets too.
            target.addEventListener?.("close", async () => {
                await viewContext.remove(mounted.instanceId);
                target.remove();
            });
            return mounted;
        } catch (error) {
            if (!container) target.remove();
            throw error;
        }
    }
    if (!answer || "error" in answer) fail(answer?.error ?? "no answer");
    return answer.value;
}

/** A modal dialog for a view intent's view, with a button that closes it. */
function dialog() {
    const element = document.createElement("dialog");
    element.className = "rain-intent";
    element.innerHTML = '<form method="dialog"><button>Close</button></form>';
    document.body.append(element);
    element.showModal();
    return element;
}
