//! The session token: signing, expiry, renewal, the cookie, the environment.

use super::*;

const SECRET: &str = "0123456789abcdef0123456789abcdef-test-secret";

fn ada() -> User {
    User::new("42", "Ada")
}

#[test]
fn a_token_verifies_with_the_same_secret_on_another_instance() {
    let token = Sessions::new(SECRET).unwrap().token_for(ada());
    let session = Sessions::new(SECRET).unwrap().verify(&token).unwrap();
    assert_eq!(session.user(), Some(&ada()));
}

#[test]
fn another_secret_or_a_random_key_refuses_it() {
    let token = Sessions::new(SECRET).unwrap().token_for(ada());
    let other = Sessions::new("another secret, also 32 bytes or longer").unwrap();
    assert_eq!(
        other.verify(&token).unwrap_err(),
        SessionError::InvalidSignature
    );
    assert_eq!(
        Sessions::random().verify(&token).unwrap_err(),
        SessionError::InvalidSignature
    );
}

#[test]
fn altering_any_part_of_a_token_breaks_its_signature() {
    let sessions = Sessions::new(SECRET).unwrap();
    let token = sessions.token_for(ada());
    // Every position: the signature itself, and the contents it covers.
    for index in 0..token.len() {
        let mut bytes = token.clone().into_bytes();
        bytes[index] = if bytes[index] == b'A' { b'B' } else { b'A' };
        let altered = String::from_utf8(bytes).unwrap();
        assert!(
            sessions.verify(&altered).is_err(),
            "altered at {index}: {altered}"
        );
    }
    assert_eq!(
        sessions.verify("").unwrap_err(),
        SessionError::InvalidSignature
    );
}

#[test]
fn contents_rewritten_by_hand_are_refused() {
    let sessions = Sessions::new(SECRET).unwrap();
    let token = sessions.token_for(ada());
    let (signature, _) = token.split_at(44);
    let forged = serde_json::json!({ "id": "x", "user": { "id": "1", "name": "Admin" }, "expires": u64::MAX });
    let forged = format!("{signature}{}", URL_SAFE_NO_PAD.encode(forged.to_string()));
    assert_eq!(
        sessions.verify(&forged).unwrap_err(),
        SessionError::InvalidSignature
    );
}

#[test]
fn a_session_expires_after_its_max_age() {
    let sessions = Sessions::new(SECRET)
        .unwrap()
        .max_age(Duration::from_secs(60));
    let token = sessions.token_for(ada());
    let issued = now();
    assert!(sessions.verify_at(&token, issued + 59).is_ok());
    assert_eq!(
        sessions.verify_at(&token, issued + 61).unwrap_err(),
        SessionError::Expired
    );
}

#[test]
fn logging_in_and_out_renews_the_id() {
    let sessions = Sessions::random();
    let mut session = sessions.new_session();
    let anonymous = session.id().to_owned();
    session.log_in(ada());
    assert_ne!(session.id(), anonymous);
    let logged_in = session.id().to_owned();
    session.insert("theme", "dark");
    session.log_out();
    assert_ne!(session.id(), logged_in);
    assert_eq!(session.user(), None);
    assert!(session.data().is_empty());
}

#[test]
fn data_round_trips_through_the_token() {
    let sessions = Sessions::new(SECRET).unwrap();
    let mut session = sessions.new_session();
    session.insert("visits", 3);
    let read = sessions.verify(&session.token()).unwrap();
    assert_eq!(read.get::<u32>("visits"), Some(3));
    assert_eq!(read.id(), session.id());
}

#[test]
fn the_cookie_is_http_only_lax_and_site_wide() {
    let sessions = Sessions::new(SECRET).unwrap();
    let cookie = sessions.set_cookie(&sessions.new_session());
    let cookie = cookie.to_str().unwrap();
    assert!(cookie.starts_with("rain_session="), "{cookie}");
    for attribute in ["HttpOnly", "SameSite=Lax", "Path=/", "Max-Age=604800"] {
        assert!(cookie.contains(attribute), "{attribute} missing: {cookie}");
    }
    assert!(!cookie.contains("Secure"), "{cookie}");
    let secure = sessions.clone().secure(true);
    let cookie = secure.set_cookie(&secure.new_session());
    assert!(cookie.to_str().unwrap().contains("Secure"));
}

#[test]
fn the_cookie_is_found_among_others() {
    let sessions = Sessions::new(SECRET).unwrap();
    let token = sessions.token_for(ada());
    let mut headers = HeaderMap::new();
    headers.insert(
        header::COOKIE,
        HeaderValue::from_str(&format!("theme=dark; {COOKIE_NAME}={token}; lang=en")).unwrap(),
    );
    assert_eq!(
        sessions.from_headers(&headers).unwrap().user(),
        Some(&ada())
    );
    assert_eq!(
        sessions.from_headers(&HeaderMap::new()).unwrap_err(),
        SessionError::Missing
    );
}

#[test]
fn a_short_secret_is_refused() {
    let error = Sessions::new("too short").unwrap_err();
    assert!(error.to_string().contains("at least 32"), "{error}");
}

#[test]
fn environment_sets_secret_max_age_and_secure() {
    let token = Sessions::new(SECRET).unwrap().token_for(ada());
    let sessions = Sessions::random()
        .with_lookup(|name| match name {
            "RAIN_SESSION_SECRET" => Some(SECRET.to_owned()),
            "RAIN_SESSION_MAX_AGE" => Some("60".to_owned()),
            "RAIN_SESSION_SECURE" => Some("true".to_owned()),
            _ => None,
        })
        .unwrap();
    assert!(!sessions.has_random_key());
    assert!(sessions.verify(&token).is_ok());
    assert_eq!(sessions.0.max_age, Duration::from_secs(60));
    assert!(sessions.0.secure);
    let error = Sessions::random()
        .with_lookup(|name| (name == "RAIN_SESSION_MAX_AGE").then(|| "soon".to_owned()))
        .unwrap_err();
    assert_eq!(
        error.to_string(),
        "RAIN_SESSION_MAX_AGE=`soon` is not a whole number of seconds"
    );
}

/// What `f` logs, as plain text.
fn logged(f: impl FnOnce()) -> String {
    #[derive(Clone, Default)]
    struct Buffer(Arc<std::sync::Mutex<Vec<u8>>>);
    impl std::io::Write for Buffer {
        fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
            self.0.lock().unwrap().extend_from_slice(bytes);
            Ok(bytes.len())
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }
    let buffer = Buffer::default();
    let writer = buffer.clone();
    let subscriber = tracing_subscriber::fmt()
        .with_writer(move || writer.clone())
        .with_ansi(false)
        .finish();
    tracing::subscriber::with_default(subscriber, f);
    let bytes = buffer.0.lock().unwrap().clone();
    String::from_utf8(bytes).unwrap()
}

#[test]
fn a_random_key_is_warned_about_once_when_a_session_is_first_used() {
    const WARNING: &str = "no session secret is configured";
    let sessions = Sessions::random();
    // Made, cloned, asked for a request's session that it does not have: no session is used.
    let unused = logged(|| {
        let sessions = sessions.clone().max_age(Duration::from_secs(60));
        let _ = sessions.new_session();
        assert_eq!(
            sessions.from_headers(&HeaderMap::new()).unwrap_err(),
            SessionError::Missing
        );
    });
    assert!(!unused.contains(WARNING), "{unused}");
    // Signed: warned once, however many times, and by a clone of the same key.
    let used = logged(|| {
        let token = sessions.token_for(ada());
        let _ = sessions.clone().secure(true).token_for(ada());
        assert!(sessions.verify(&token).is_ok());
    });
    assert_eq!(used.matches(WARNING).count(), 1, "{used}");
    assert!(used.contains("RAIN_SESSION_SECRET"), "{used}");
    let again = logged(|| {
        let _ = sessions.token_for(ada());
    });
    assert!(!again.contains(WARNING), "{again}");
    // A session presented to another random key, which refuses it, is a use too.
    let presented = logged(|| {
        let token = Sessions::new(SECRET).unwrap().token_for(ada());
        assert!(Sessions::random().verify(&token).is_err());
    });
    assert_eq!(presented.matches(WARNING).count(), 1, "{presented}");
    // A configured secret is never warned about.
    let configured = logged(|| {
        let sessions = Sessions::new(SECRET).unwrap();
        assert!(sessions.verify(&sessions.token_for(ada())).is_ok());
    });
    assert!(!configured.contains(WARNING), "{configured}");
}
