//! The arguments by which a `#[websocket]` sets its own limits over the app's: `event_rate`,
//! `event_burst`, `idle_timeout` and `recover`, validated here and expanded to one
//! `SocketSettings`.
//!
//! ```text
//! #[websocket("cursor", event_rate = 120, event_burst = 240)]  `event_rate = 0`: no rate limit
//! #[websocket("feed", idle_timeout = "10m")]                    or "500ms", "30s", "1h", "never"
//! #[websocket("room", recover = "2m")]                          or "never" (over an app default)
//! ```

use std::time::Duration;

use proc_macro2::TokenStream;
use quote::quote;
use syn::{Expr, ExprLit, Lit, Meta};

use crate::{
    duration, paths,
    syntax::{Errors, set_once},
};

/// The keys, each with the example its messages show.
const KEYS: [(&str, &str); 4] = [
    ("event_rate", "120"),
    ("event_burst", "240"),
    ("idle_timeout", "\"10m\""),
    ("recover", "\"2m\""),
];

/// What a socket sets for itself; `None` leaves a setting to the app.
#[derive(Default)]
pub(crate) struct Settings {
    event_rate: Option<u32>,
    event_burst: Option<u32>,
    /// `Some(None)`: `idle_timeout = "never"`.
    idle_timeout: Option<Option<Duration>>,
    /// `Some(None)`: `recover = "never"`.
    recover: Option<Option<Duration>>,
}

impl Settings {
    /// Whether `meta` is one of the arguments read here.
    pub(crate) fn takes(meta: &Meta) -> bool {
        KEYS.iter().any(|(key, _)| meta.path().is_ident(key))
    }

    /// Reads one argument that [`Settings::takes`] accepts, reporting what is wrong with it.
    ///
    /// A wrong value still counts as given, so that giving the key again is reported too; with
    /// an error reported nothing is expanded, so the value kept in its place is never used.
    pub(crate) fn read(&mut self, meta: &Meta, errors: &mut Errors) {
        let Some(&(key, example)) = KEYS.iter().find(|(key, _)| meta.path().is_ident(key)) else {
            return;
        };
        let Meta::NameValue(arg) = meta else {
            errors.spanned(meta, format!("expected `{key} = {example}`"));
            return;
        };
        let value = &arg.value;
        match key {
            "event_rate" => {
                // 0 is the app's "no rate limit" too.
                let rate = whole_number(value, key, example, errors);
                set_once(&mut self.event_rate, rate.unwrap_or(0), &arg.path, errors);
            }
            "event_burst" => {
                let burst = match whole_number(value, key, example, errors) {
                    Some(0) => {
                        errors.spanned(
                            value,
                            "a burst of 0 would refuse every event; give at least \
                             `event_burst = 1`",
                        );
                        None
                    }
                    burst => burst,
                };
                set_once(&mut self.event_burst, burst.unwrap_or(1), &arg.path, errors);
            }
            "idle_timeout" => {
                let idle = duration_or_never(value, key, IDLE, errors);
                set_once(&mut self.idle_timeout, idle.flatten(), &arg.path, errors);
            }
            _ => {
                let recover = duration_or_never(value, key, RECOVER, errors);
                set_once(&mut self.recover, recover.flatten(), &arg.path, errors);
            }
        }
    }

    /// The `SocketSettings` of the registration: what the socket set, `None` for the app's.
    ///
    /// Every field is named, none left to `..`: the macro and `rain-core` are released together,
    /// and a struct update that sets nothing more would be linted in the user's crate.
    pub(crate) fn expand(&self) -> TokenStream {
        let (settings, some, none) = (paths::socket_settings(), paths::some(), paths::none());
        let option = |value: Option<TokenStream>| match value {
            Some(value) => quote!(#some(#value)),
            None => none.clone(),
        };
        let rate = option(self.event_rate.map(|rate| quote!(#rate)));
        let burst = option(self.event_burst.map(|burst| quote!(#burst)));
        let duration_or_never = |value: Option<Option<Duration>>| {
            option(value.map(|value| {
                option(value.map(|timeout| {
                    // At most `u64::MAX` ms: the duration parser counts in milliseconds.
                    let ms = u64::try_from(timeout.as_millis()).unwrap_or(u64::MAX);
                    let duration = paths::duration();
                    quote!(#duration::from_millis(#ms))
                }))
            }))
        };
        let idle = duration_or_never(self.idle_timeout);
        let recover = duration_or_never(self.recover);
        quote! {
            #settings {
                event_rate: #rate,
                event_burst: #burst,
                idle_timeout: #idle,
                recover: #recover,
            }
        }
    }
}

/// The number of `key = value`: an integer literal without a suffix, that fits a `u32`.
fn whole_number(value: &Expr, key: &str, example: &str, errors: &mut Errors) -> Option<u32> {
    let range = format!("a whole number from 0 to {}", u32::MAX);
    match value {
        Expr::Lit(ExprLit {
            lit: Lit::Int(int),
            attrs,
        }) if attrs.is_empty() && int.suffix().is_empty() => match int.base10_parse::<u32>() {
            Ok(number) => Some(number),
            Err(_) => {
                errors.at(
                    int.span(),
                    format!("`{key} = {int}` is out of range; expected {range}"),
                );
                None
            }
        },
        Expr::Lit(ExprLit {
            lit: Lit::Str(text),
            ..
        }) => {
            errors.at(
                text.span(),
                format!("expected {range}, not a string: `{key} = {example}`"),
            );
            None
        }
        Expr::Lit(ExprLit {
            lit: Lit::Int(int), ..
        }) if !int.suffix().is_empty() => {
            errors.at(
                int.span(),
                format!(
                    "expected {range} without a suffix: `{key} = {}`",
                    int.base10_digits()
                ),
            );
            None
        }
        other => {
            errors.spanned(other, format!("expected {range}: `{key} = {example}`"));
            None
        }
    }
}

/// What a zero duration would do, for the message refusing it: the idle timeout's and the
/// recovery window's.
const IDLE: &str = "an idle timeout of 0 would disconnect every socket at once; give a longer \
                    one, or `never` to keep idle sockets";
const RECOVER: &str = "a recovery window of 0 would recover nothing; give a longer one, or \
                       `never` for no recovery";

/// The duration of `key = "..."` (`idle_timeout`, `recover`): `Some(None)` for `"never"`.
fn duration_or_never(
    value: &Expr,
    key: &str,
    zero: &str,
    errors: &mut Errors,
) -> Option<Option<Duration>> {
    let text = match value {
        Expr::Lit(ExprLit {
            lit: Lit::Str(text),
            attrs,
        }) if attrs.is_empty() => text,
        Expr::Lit(ExprLit {
            lit: Lit::Int(int), ..
        }) => {
            errors.at(
                int.span(),
                format!(
                    "expected a duration as a string, with its unit: `{key} = \"{}s\"`",
                    int.base10_digits()
                ),
            );
            return None;
        }
        other => {
            let example = if key == "recover" { "2m" } else { "10m" };
            errors.spanned(
                other,
                format!(
                    "expected a duration as a string: `{key} = \"{example}\"` or \
                     `{key} = \"never\"`"
                ),
            );
            return None;
        }
    };
    let written = text.value();
    if written == "never" {
        return Some(None);
    }
    match duration::parse(&written) {
        Some(Duration::ZERO) => {
            errors.at(text.span(), zero);
            None
        }
        Some(timeout) => Some(Some(timeout)),
        None => {
            errors.at(
                text.span(),
                format!(
                    "invalid duration {written:?}; expected {}, or `never`",
                    duration::FORMS
                ),
            );
            None
        }
    }
}
