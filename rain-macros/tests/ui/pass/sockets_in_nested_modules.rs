use rain_core::prelude::*;

#[component(name = "chat", version = "2.3.1")]
pub mod chat {
    use super::*;

    #[websocket("room")]
    async fn room(_socket: SocketRef) {}

    mod sockets {
        use super::*;

        #[websocket("room/main hall")]
        async fn main_hall(_socket: SocketRef) {}

        pub(crate) mod deeper {
            use rain_core::prelude::*;

            // The attribute's path can be written out in full.
            #[rain_core::websocket("room/side room")]
            pub(crate) async fn side_room(_socket: SocketRef) {}
        }
    }

    fn helper() {
        // A handler declared inside a function body belongs to the component too.
        #[websocket("helper")]
        async fn inner(_socket: SocketRef) {}
    }
}

fn main() {}
