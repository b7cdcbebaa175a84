use rain_core::testing::TypedTestSocket;

rain_core::events! {
    pub Presence {
        still_there: emit () => bool,
    }
}

async fn test(presence: TypedTestSocket<Presence>) {
    let request = presence.expect_request(Presence::still_there).await.unwrap();
    // The declaration says the client answers with a `bool`.
    request.ack(&"yes").unwrap();
}

fn main() {}
