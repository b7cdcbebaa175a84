// Types of Rain's browser runtime, `/rain/runtime.js`. Kept by hand, in step with the JSDoc.

/** Options of the connection to a server. The defaults are socket.io-client's. */
export interface ManagerOptions {
    /** Where the server answers Engine.IO. Default `"/socket.io/"`. */
    path?: string;
    /**
     * The transports, in the order tried. `["websocket", "polling"]` (the default) falls back to
     * HTTP long-polling when the WebSocket cannot open; `["polling", "websocket"]` starts with
     * long-polling and upgrades to a WebSocket; a single transport is used alone.
     */
    transports?: ("websocket" | "polling")[];
    /** Reconnect when the connection is lost. Default `true`. */
    reconnection?: boolean;
    /** Default `Infinity`. */
    reconnectionAttempts?: number;
    /** The first delay before reconnecting, in ms, doubled at each attempt. Default `1000`. */
    reconnectionDelay?: number;
    /** The largest delay before reconnecting, in ms. Default `5000`. */
    reconnectionDelayMax?: number;
    /** Jitter: each delay varies by up to this fraction of itself. Default `0.5`. */
    randomizationFactor?: number;
    /** How long a connection may take to open, in ms. Default `20000`. */
    timeout?: number;
    /**
     * The most binaries ({@link BinaryData}) one emit or ack may carry: an emit with more throws
     * a `RangeError` and sends nothing, and a packet from the server that announces more is a
     * parse error. Default `64`, what a Rain server accepts.
     */
    maxAttachments?: number;
}

/**
 * Binary data an emit or an ack may carry, anywhere in its arguments (in arrays and objects
 * too). The other side receives its bytes (only those a view sees); listeners and ack
 * callbacks of this runtime receive an `ArrayBuffer` in its place.
 */
export type BinaryData = ArrayBuffer | ArrayBufferView | Blob;

/** Options of one {@link Socket}. */
export interface SocketOptions {
    /**
     * The server is a Rain server recovering this socket's namespace: after its `CONNECT` answer
     * it announces the socket's recovery (`rain:recovery`), which the socket waits for before it
     * counts as connected, and it appends Rain offsets to events, which the socket takes off and
     * uses to drop an event delivered twice. Default `false`. A socket recovers from a Socket.IO
     * server with `connectionStateRecovery` either way; a page's runtime sets this from the
     * manifest's `recover`.
     */
    recover?: boolean;
}

/**
 * Options of {@link connect}: the connection's (those of the first socket of a server) and the
 * socket's.
 */
export interface ConnectOptions extends ManagerOptions, SocketOptions {
    /** Connect at once. Default `true`. */
    autoConnect?: boolean;
}

/** One socket the server declares, as listed in a page's `#rain-sockets` manifest. */
export interface SocketEntry {
    /** e.g. `"intents-example-1.0"` */
    moduleId: string;
    /** e.g. `"chat/dummy socket"` */
    name: string;
    /** e.g. `"/intents-example-1.0/chat/dummy socket"` */
    namespace: string;
    /**
     * On a socket that recovers its state across a short disconnect: how long, in ms, the server
     * keeps it. The socket is then made with `recover: true`.
     */
    recover?: number;
}

/** Options of a {@link Messaging}. */
export interface MessagingOptions extends ConnectOptions {
    /** The server's base URL. Default: the page's origin. */
    url?: string;
    /**
     * The sockets that exist (or a function reading them, called once): each socket connects to
     * the namespace its entry gives. Asking for a socket not listed (any socket, when null) is
     * reported at once, and that socket never connects.
     */
    manifest?: SocketEntry[] | null | (() => SocketEntry[] | null);
    /**
     * What each reference to a component by name and version fragment resolves to, e.g.
     * `{ "chat": "chat-2.0", "chat@1": "chat-1.0" }` (or a function reading it, called once):
     * the page's runtime reads the table the server writes in `#rain-versions`.
     */
    versions?: Record<string, string> | null | (() => Record<string, string> | null);
    /**
     * The server's Engine.IO path and transports (or a function reading them, called once),
     * under the options given here: the page's runtime reads them from the manifest.
     */
    engine?: EngineOptions | (() => EngineOptions);
}

/** What a server's engine settings ask of its clients. */
export interface EngineOptions {
    path?: string;
    transports?: ("websocket" | "polling")[];
}

/** Why a connected socket was disconnected. */
export type DisconnectReason =
    | "io client disconnect"
    | "io server disconnect"
    | "transport close"
    | "transport error"
    | "ping timeout"
    | "parse error";

/** The error of `connect_error`: the server's `message` and `data` when it refused the socket. */
export interface ConnectError extends Error {
    data?: unknown;
}

type Listener = (...args: any[]) => void;

declare class Emitter {
    on(event: string, fn: Listener): this;
    once(event: string, fn: Listener): this;
    /** Removes `fn`, every listener of `event`, or every listener. */
    off(event?: string, fn?: Listener): this;
}

/**
 * The socket of one namespace, used as a socket.io-client socket. Emits made before it is
 * connected are sent once, when it connects. A handler of a server emit that asks for an ack
 * gets, as last argument, a function that sends it. Emits and acks may carry
 * {@link BinaryData}; binaries received are `ArrayBuffer`s. A Blob is read before its packet is
 * sent, and the socket's later packets wait for it: they keep their order.
 *
 * It recovers its state across a short disconnect (Socket.IO 4.6's connection state recovery)
 * when the server does: it sends the session it had in its next `CONNECT`, and the server sends
 * the events it missed, in order, before the live ones. From a Socket.IO server, listeners get
 * each event's offset as its last argument, as with socket.io-client; from a Rain server
 * (`recover`), they do not, and an event that comes twice is delivered once.
 */
export declare class Socket extends Emitter {
    constructor(io: Manager | null, nsp: string, options?: SocketOptions);
    /** A socket whose `connect()` only emits `connect_error` with `error`. */
    static unavailable(nsp: string, error: Error): Socket;
    readonly io: Manager | null;
    readonly nsp: string;
    /** Whether the server accepted the socket and the connection is up. */
    connected: boolean;
    /** Whether the socket wants to be connected: it reconnects when the connection comes back. */
    active: boolean;
    /** The id the server gave, while connected. */
    id: string | undefined;
    /**
     * Whether the last connect recovered the session the socket had before the connection was
     * lost: its rooms kept, the events it missed sent. `false` before the first connect, and
     * after a fresh one.
     */
    readonly recovered: boolean;
    /**
     * Why a Rain server could not recover the session the last connect asked for (e.g.
     * `"expired"`, `"unknown session"`), or `null`: recovered, not asked, or not a Rain server.
     */
    readonly recoveryFailure: string | null;
    /** Connects, and reconnects after the connection is lost, until `disconnect()`. */
    connect(): this;
    /**
     * Leaves the namespace; the socket stays disconnected until `connect()`, which starts a
     * fresh session (nothing to recover).
     */
    disconnect(): this;
    /**
     * Sends an event; a function as last argument is called with the server's ack, or, when the
     * connection is lost before the server answered, with
     * `{ error: "disconnected before the server answered (<reason>)" }` (a later ack is ignored).
     * The arguments are JSON and {@link BinaryData}, anywhere in them.
     * @throws {RangeError} when they hold more binaries than `maxAttachments`
     */
    emit(event: string, ...args: any[]): this;
    /**
     * Sends an event; resolves with the first argument of the server's ack, or with `{ error }`
     * when the connection is lost before the server answered.
     */
    emitWithAck(event: string, ...args: any[]): Promise<any>;
    on(event: "connect", fn: () => void): this;
    on(event: "disconnect", fn: (reason: DisconnectReason) => void): this;
    on(event: "connect_error", fn: (error: ConnectError) => void): this;
    on(event: string, fn: Listener): this;
    once(event: "connect", fn: () => void): this;
    once(event: "disconnect", fn: (reason: DisconnectReason) => void): this;
    once(event: "connect_error", fn: (error: ConnectError) => void): this;
    once(event: string, fn: Listener): this;
}

/**
 * One Engine.IO connection, shared by the sockets of all its namespaces, reconnected with
 * exponential backoff and jitter. Emits `open`, `close` (reason), `error` (Error),
 * `reconnect_attempt` (attempt) and `reconnect_failed`.
 */
export declare class Manager extends Emitter {
    constructor(url: string, options?: ManagerOptions);
    readonly url: string;
    readonly options: Required<ManagerOptions>;
    readyState: "closed" | "opening" | "open";
    /** The current Engine.IO connection. */
    engine: {
        readonly id: string | null;
        readonly transport: { readonly name: string } | null;
    } | null;
    readonly nsps: Map<string, Socket>;
    /**
     * The socket of a namespace (`/` by default); the same object for the same namespace, made
     * with the options of the first call.
     */
    socket(nsp?: string, options?: SocketOptions): Socket;
    open(): void;
    /** Disconnects every socket and closes the connection for good. */
    close(): void;
}

/**
 * The socket of `nsp` (`/` by default) on the server at `url`, e.g. `http://127.0.0.1:3000`.
 * All sockets of one server (base URL and path) share one connection.
 */
export declare function connect(url: string, nsp?: string, options?: ConnectOptions): Socket;

/** A controller as the runtime sees it: what it is given, what it may define. */
export interface Controller {
    viewContext: ViewContext;
    clientRuntime: ClientRuntime;
    init?(): unknown;
    start?(): unknown;
    /** Called when the instance is removed. */
    destroy?(): unknown;
    [member: string]: unknown;
}

/** `this.viewContext` of a controller. */
export declare class ViewContext {
    constructor(
        moduleId: string,
        instanceId: string,
        root: Element | null,
        messaging: Messaging,
        parent?: string | null,
        registry?: Registry | null,
    );
    readonly moduleId: string;
    readonly instanceId: string;
    /** The instance id of the component this one is inside, or null at the page's top level. */
    readonly parent: string | null;
    /**
     * The instance's element; wrapped by jQuery when the page has loaded jQuery (as RAIN's root
     * was), so `find` and `click` work. `getElement()` is the element either way.
     */
    getRoot(): any;
    /** The instance's element, with or without jQuery. */
    getElement(): Element | null;
    /** The socket `name` of this component, on the namespace the page's manifest gives it. */
    getWebSocket(name: string): Socket;
    /**
     * Publishes `event` (levels split on `::`) to the components under the same parent; a name
     * starting with `::` goes to the page's top level instead. Kept, the last value only, for
     * the first subscriber when nobody has subscribed yet.
     */
    publish(event: string, data?: unknown): void;
    /** Calls `callback` (asynchronously) with every `event` published under the same parent. */
    subscribe(event: string, callback: (data: any) => void): void;
    unsubscribe(event: string, callback: (data: any) => void): void;
    /**
     * Mounts `view` of the component `reference` (a module id, `chat@1` or `chat`) as a child of
     * this instance, at the end of `element` (default: this instance's element), and starts its
     * controller; its sockets open once its `init()` has run. Rejects, mounting nothing, for a
     * component or view the server does not have.
     */
    insert(reference: string, view: string, element?: Element | { jquery: string; 0: Element }): Promise<Inserted>;
    /**
     * Removes instance `instanceId`: its children, its controller's `destroy()` if any, its
     * element, and the sockets no other instance uses. Resolves false for no such instance.
     */
    remove(instanceId: string): Promise<boolean>;
}

/** A view mounted at run time. */
export interface Inserted {
    instanceId: string;
    element: Element;
    controller: Controller | null;
}

/** RAIN's intent request. */
export interface IntentRequest {
    /** The sender; a view intent's view is inserted under it. */
    viewContext?: ViewContext;
    category: string;
    action: string;
    /** What the intent is given: a server intent's `Data<T>`. */
    intentContext?: unknown;
    /** Where a view intent's view goes; default: a modal `<dialog class="rain-intent">`. */
    container?: Element;
}

/** What publish/subscribe reads of a view context: the scope of its events. */
export interface Scope {
    readonly parent?: string | null;
}

/**
 * `clientRuntime.messaging`: every component's sockets, on one shared connection, and the page's
 * publish/subscribe.
 */
export declare class Messaging {
    constructor(options?: MessagingOptions);
    /**
     * The socket `name` of component `moduleId`; the same object for the same socket. The
     * component may also be named `name@fragment` (`chat@1`: the latest 1.x) or by name alone
     * (its latest version), as the page's server resolved them.
     */
    getWebSocket(moduleId: string, name: string, user?: string): Socket;
    /** `getWebSocket`, by the name RAIN's controllers use. */
    _getWebSocket(moduleId: string, name: string): Socket;
    /**
     * RAIN's `sendIntent`: over Rain's one intents socket, resolves with a server intent's value,
     * or with the view a view intent inserted (in `container`, or a dialog that removes it when
     * closed); rejects with an `Error` whose `error` is the reason (unknown, refused or failed).
     */
    sendIntent(request: IntentRequest): Promise<any>;
    /** This messaging as component instance `user` sees it: its sockets count as `user`'s. */
    as(user: string): Messaging;
    /** Closes the sockets only component instance `user` used. */
    release(user: string): void;
    /**
     * The module id a reference names: a module id, or what the server resolved `chat@1` or
     * `chat` to; an unknown reference comes back as it is.
     */
    moduleId(reference: string): string;
    /**
     * Holds the sockets asked for from now on: they open once every function `hold()` returned
     * has been called. The registry holds them while its controllers run `init()`.
     */
    hold(): () => void;
    /** Publishes `event`; with a view context, to the components under its parent. */
    publish(event: string, data?: unknown, viewContext?: Scope): void;
    subscribe(event: string, callback: (data: any) => void, viewContext?: Scope): void;
    unsubscribe(event: string, callback: (data: any) => void, viewContext?: Scope): void;
}

/** `this.clientRuntime` of a controller. */
export interface ClientRuntime {
    messaging: Messaging;
}

/** One component instance to start. */
export interface Registration {
    /** e.g. `"intents-example-1.0"` */
    moduleId: string;
    instanceId: string;
    /** The instance's element, or its id. */
    root?: Element | string | null;
    /** The URL of its controller script; none for no controller. */
    controller?: string;
    /**
     * The instance id of the component it is inside, which scopes its published events.
     * Default: the closest element around its root with `data-rain-instance`.
     */
    parent?: string | null;
}

/**
 * Component instances and their controllers. A controller script is AMD,
 * `define(function () { ... return { init, start }; })`, or an ES module with a default
 * export; its value, an object or a class, gives each instance its own controller.
 */
export declare class Registry {
    constructor(clientRuntime: ClientRuntime);
    readonly clientRuntime: ClientRuntime;
    /**
     * Loads the instance's controller, sets its `viewContext` and `clientRuntime`, then calls
     * `init()` and `start()` (unless `init()` called it), and sets the element's
     * `data-rain-state` to `"started"`, or `"failed"`. Once per instance id: registering an id
     * again returns the first promise. Rejects with the module id and instance id in the
     * message when the controller fails.
     */
    register(registration: Registration): Promise<Controller | null>;
    /**
     * Removes an instance: its children first, its controller's `destroy()` if any, its element,
     * and the sockets no other instance uses. Resolves false for no such instance.
     */
    remove(instanceId: string): Promise<boolean>;
    /**
     * Registers every element with `data-rain-module`, `data-rain-instance` and optionally
     * `data-rain-controller`. Failures are logged with `console.error`, and give null.
     *
     * The sockets their controllers ask for open once every one of these controllers has run
     * `init()` (and `start()` runs after that), so a listener registered in `init()` hears a
     * socket's first events, such as what the server emits on connect. A listener registered
     * later, once the socket is open, hears only what comes after.
     */
    start(document: Document): Promise<(Controller | null)[]>;
}

/** `this.clientRuntime` of every controller on the page. */
export declare const clientRuntime: ClientRuntime;

/** The page's component instances. */
export declare const ComponentRegistry: Registry;

/** The socket `name` of component `moduleId`, shared by the whole page. */
export declare function getWebSocket(moduleId: string, name: string): Socket;

/** Starts the page's components, once (loading the runtime does); then returns the same promise. */
export declare function start(): Promise<(Controller | null)[]>;
