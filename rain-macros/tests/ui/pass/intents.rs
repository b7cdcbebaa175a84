use rain_core::prelude::*;
use rain_core::session::{MaybeUser, Session};

fn require_user(ctx: &GuardContext<'_>) -> Result<(), Refusal> {
    match ctx.event() {
        Some("intent") => Ok(()),
        _ => Err("not an intent".into()),
    }
}

#[component(name = "journal", version = "1.0")]
mod journal {
    use super::*;

    /// A `Result`: `Err` answers an error.
    #[intent(category = "com.rain.test.general", action = "com.rain.test.serverside.INLINE_LOGGING")]
    async fn do_logging(
        Data(message): Data<String>,
        MaybeUser(user): MaybeUser,
    ) -> Result<Value, String> {
        Ok(json!({ "logged": message, "by": user.map(|user| user.name) }))
    }

    /// Any `Serialize` value, the session, the socket, a guard.
    #[intent(category = "journal", action = "LOGGED", guard = require_user)]
    async fn logged(session: Session, _socket: SocketRef) -> (u32, String) {
        (1, session.id().to_owned())
    }

    /// Nothing: answered `null`.
    #[intent(category = "journal", action = "NOTHING", guard = [require_user, require_user],)]
    async fn nothing() {}

    mod nested {
        use super::*;

        /// Another module of the component, and a raw identifier.
        #[intent(category = "journal", action = "TYPE")]
        async fn r#type(TryData(_value): TryData<u32>) -> Option<u32> {
            None
        }
    }

    /// Shows the journal.
    #[intent(category = "com.rain.test.general", action = "SHOW", view = "index")]
    const SHOW: () = ();
}

mod elsewhere {
    use rain_core::prelude::*;

    #[intent(category = "journal", action = "ELSEWHERE", component = crate::journal)]
    async fn elsewhere() -> &'static str {
        "here"
    }

    #[intent(category = "journal", action = "ELSEWHERE VIEW", view = "index", component = crate::journal)]
    pub(crate) const ELSEWHERE_VIEW: () = ();
}

fn main() {}
