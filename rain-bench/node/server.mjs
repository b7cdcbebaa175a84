// The official socket.io server doing the work of the Rain example (and of the bench's binary
// echo), at the same namespaces.
// Listens on 127.0.0.1:$PORT (default 3000) until SIGTERM.
import { createServer } from "node:http";
import { Server } from "socket.io";

const ROOM = "everyone";
const port = Number(process.env.PORT ?? 3000);

const httpServer = createServer();
const io = new Server(httpServer);

io.of("/intents-example-1.0/chat/dummy socket").on("connection", (socket) => {
    socket.on("hello", () => {
        socket.emit("bye", { message: "Hello sir" });
    });
});

const room = io.of("/bench-1.0/room");
room.on("connection", (socket) => {
    socket.join(ROOM);
    socket.on("message", (message) => {
        room.to(ROOM).emit("message", message);
    });
});

io.of("/bench-1.0/echo").on("connection", (socket) => {
    socket.on("bin", (bytes, ack) => ack(bytes));
});

httpServer.listen(port, "127.0.0.1", () => {
    console.log(`listening on http://127.0.0.1:${port}`);
});
process.on("SIGTERM", () => io.close(() => process.exit(0)));
