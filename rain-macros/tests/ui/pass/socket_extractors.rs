use rain_core::prelude::*;

#[component(name = "extractors", version = "1.0")]
mod extractors {
    use super::*;

    #[websocket("data")]
    async fn data(socket: SocketRef, Data(auth): Data<Value>) {
        socket.emit("auth", &auth).ok();
    }

    #[websocket("try data")]
    async fn try_data(_socket: SocketRef, auth: TryData<String>) {
        let _ = auth.0;
    }

    #[websocket("io")]
    async fn io(io: SocketIo, _socket: SocketRef) {
        let _ = io.of("/");
    }

    #[websocket("nothing")]
    async fn nothing() {}

    #[websocket("unit")]
    async fn unit(_socket: SocketRef) -> () {}
}

fn main() {}
