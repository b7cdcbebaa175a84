// Mounting a component's view at run time (`viewContext.insert`) and removing an instance
// (`viewContext.remove`), loaded the first time a page does either. The server gives the view as a page would show it (`GET /rain/views/{component}/
// {view}`): its HTML fragment, and its stylesheet and controller if it has them. Scripts in the
// fragment do not run (it is set as `innerHTML`); the controller is the view's code.

let inserted = 0;

/**
 * Mounts `view` of `reference` as a child of `context`'s instance, at the end of `element`.
 * @param {import("./components.js").Registry} registry
 * @param {import("./components.js").ViewContext} context
 * @param {string} reference a module id, `chat@1` or `chat`
 * @param {string} view
 * @param {any} [element] an Element or a jQuery object; default: the instance's element
 */
export async function insert(registry, context, reference, view, element) {
    const path = `views/${encodeURIComponent(reference)}/${encodeURIComponent(view)}`;
    const response = await fetch(new URL(path, import.meta.url));
    const answer = await response.json().catch(() => ({ error: `HTTP ${response.status}` }));
    if (!response.ok || answer.error) {
        throw new Error(`Rain: cannot insert view "${view}" of "${reference}": ${answer.error}`);
    }
    const { moduleId, html, css, controller } = answer;
    if (css && ![...document.querySelectorAll("link")].some((link) => link.href.endsWith(css))) {
        document.head.append(Object.assign(document.createElement("link"), { rel: "stylesheet", href: css }));
    }
    const root = document.createElement("div");
    const instanceId = `${context.instanceId}/${moduleId}.${view}.${++inserted}`;
    root.className = "rain-component";
    Object.assign(root.dataset, { rainModule: moduleId, rainInstance: instanceId, rainView: view });
    if (controller) root.dataset.rainController = controller;
    root.innerHTML = html;
    const target = element?.jquery ? element[0] : (element ?? context.getElement());
    if (!target) throw new Error(`Rain: no element to insert view "${view}" of "${reference}" in`);
    target.append(root);
    const registration = { moduleId, instanceId, root, controller, parent: context.instanceId };
    return { instanceId, element: root, controller: await registry.register(registration) };
}

/**
 * Removes instance `instanceId` of `instances` (the registry's): its children first, then its
 * controller's `destroy()` if it has one, its element, and the sockets no other instance uses.
 * @param {Map<string, { instance: Promise<any>, element: Element | null, parent?: string }>} instances
 * @param {string} instanceId
 * @param {import("./messaging.js").Messaging} messaging
 * @returns {Promise<boolean>} whether there was such an instance
 */
export async function remove(instances, instanceId, messaging) {
    const record = instances.get(instanceId);
    if (!record) return false;
    instances.delete(instanceId);
    for (const [id, { parent }] of instances) {
        if (parent === instanceId) await remove(instances, id, messaging);
    }
    const controller = await record.instance.catch(() => null);
    try {
        await controller?.destroy?.();
    } finally {
        record.element?.remove?.();
        messaging.release?.(instanceId);
    }
    return true;
}
