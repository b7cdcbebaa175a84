//! The wire protocol of `/rain/intents`: the request an `intent` event carries, read and checked,
//! and the answer its ack carries.
//!
//! A request is the event's one argument, `{ "category": string, "action": string, "context"?:
//! any }`; its other fields are ignored. The context is kept as the client wrote it (its JSON,
//! and the binary attachments its placeholders name), so that the server function's `Data<T>`
//! reads it as it would read any event's payload.

use std::collections::VecDeque;

use bytes::Bytes;
use serde::{Deserialize, Serialize};
use serde_json::value::RawValue;
use socketioxide::handler::Value;

/// The event every intent is sent as.
pub(super) const EVENT: &str = "intent";

/// The right form of a request, shown when a request is not one.
const FORM: &str = "`{ category, action, context }`";

/// An intent request, read and checked.
#[derive(Debug)]
pub(super) struct Request {
    /// The category: a non-empty string.
    pub(super) category: String,
    /// The action: a non-empty string.
    pub(super) action: String,
    /// The context's JSON as the client wrote it; `None` when it sent none (or `null`).
    context: Option<String>,
    /// The binary attachments of the event, which the context's placeholders name.
    attachments: Option<VecDeque<Bytes>>,
}

/// The fields of a request, as written.
#[derive(Deserialize)]
struct Fields<'a> {
    #[serde(default)]
    category: serde_json::Value,
    #[serde(default)]
    action: serde_json::Value,
    #[serde(borrow, default)]
    context: Option<&'a RawValue>,
}

impl Request {
    /// Reads the request out of the arguments of an `intent` event; `Err` says what is wrong
    /// with it, naming the field.
    pub(super) fn read(value: Value) -> Result<Self, String> {
        let (text, attachments) = match value {
            Value::Str(text, attachments) => (text, attachments),
            Value::Bytes(_) => return Err(format!("an intent request is an object {FORM}")),
        };
        // The event's name, then its arguments.
        let arguments: Vec<&RawValue> = serde_json::from_str(text.as_str())
            .map_err(|error| format!("an intent request is an object {FORM}: {error}"))?;
        let request = match arguments.as_slice() {
            [_, request] => *request,
            [_] => {
                return Err(format!(
                    "an intent request is an object {FORM}; got nothing"
                ));
            }
            more => {
                return Err(format!(
                    "an intent request is one object {FORM}; got {} arguments",
                    more.len().saturating_sub(1)
                ));
            }
        };
        let kind = kind(request.get());
        if kind != "an object" {
            return Err(format!("an intent request is an object {FORM}, not {kind}"));
        }
        let fields: Fields<'_> = serde_json::from_str(request.get())
            .map_err(|error| format!("an intent request is an object {FORM}: {error}"))?;
        let (category, action) = match (
            name(fields.category, "category"),
            name(fields.action, "action"),
        ) {
            (Ok(category), Ok(action)) => (category, action),
            (Err(error), _) | (_, Err(error)) => return Err(error),
        };
        Ok(Self {
            category,
            action,
            context: fields.context.map(|context| context.get().to_owned()),
            attachments,
        })
    }

    /// The size of the context: its JSON and its binary attachments, in bytes.
    pub(super) fn context_bytes(&self) -> usize {
        let json = self.context.as_ref().map_or(0, String::len);
        let attachments: usize = self.attachments.iter().flatten().map(Bytes::len).sum();
        json + attachments
    }

    /// The context as the argument of an `intent` event (`null` when there is none), for the
    /// extractors of the server function.
    pub(super) fn into_context(self) -> Value {
        let context = self.context.as_deref().unwrap_or("null");
        let text = format!("[\"{EVENT}\",{context}]");
        Value::Str(text.into(), self.attachments)
    }
}

/// The value of the field `field`: a non-empty string.
fn name(value: serde_json::Value, field: &str) -> Result<String, String> {
    match value {
        serde_json::Value::String(text) if text.is_empty() => Err(format!(
            "the intent request's `{field}` is empty; expected a non-empty string"
        )),
        serde_json::Value::String(text) => Ok(text),
        serde_json::Value::Null => Err(format!(
            "the intent request has no `{field}`; expected a non-empty string"
        )),
        other => Err(format!(
            "the intent request's `{field}` is {}; expected a non-empty string",
            kind(&other.to_string())
        )),
    }
}

/// What kind of JSON value `json` is, for a message: `a string`, `an array`, ...
fn kind(json: &str) -> &'static str {
    match json.trim_start().as_bytes().first() {
        Some(b'{') => "an object",
        Some(b'[') => "an array",
        Some(b'"') => "a string",
        Some(b't' | b'f') => "a boolean",
        Some(b'n') => "null",
        _ => "a number",
    }
}

/// What an intent's ack carries: exactly one of a server intent's value, a view intent's view,
/// or an error.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub(super) enum Answer {
    /// `{ "value": ... }`: what the server function returned.
    Value(serde_json::Value),
    /// `{ "view": { "moduleId": "chat-1.0", "view": "index" } }`: the view to show.
    View(ViewAnswer),
    /// `{ "error": "..." }`: why the intent was not answered.
    Error(String),
}

/// The view a view intent answers with.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub(super) struct ViewAnswer {
    /// The module id of the component whose view it is.
    pub(super) module_id: String,
    /// The view's id.
    pub(super) view: &'static str,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read(arguments: &str) -> Result<Request, String> {
        Request::read(Value::Str(format!("[\"intent\"{arguments}]").into(), None))
    }

    #[test]
    fn a_request_is_read_with_its_context_as_written() {
        let request =
            read(r#",{"category":"c.a","action":"SHOW","context":{"message":"hi"},"other":1}"#)
                .unwrap();
        assert_eq!(
            (request.category.as_str(), request.action.as_str()),
            ("c.a", "SHOW")
        );
        assert_eq!(request.context_bytes(), r#"{"message":"hi"}"#.len());
        let Value::Str(text, None) = request.into_context() else {
            panic!("a text packet without attachments");
        };
        assert_eq!(text.as_str(), r#"["intent",{"message":"hi"}]"#);
    }

    #[test]
    fn a_missing_or_null_context_is_null_and_empty() {
        for arguments in [
            r#",{"category":"c","action":"a"}"#,
            r#",{"category":"c","action":"a","context":null}"#,
        ] {
            let request = read(arguments).unwrap();
            assert_eq!(request.context_bytes(), 0);
            let Value::Str(text, _) = request.into_context() else {
                panic!("a text packet");
            };
            assert_eq!(text.as_str(), r#"["intent",null]"#);
        }
    }

    #[test]
    fn attachments_count_in_the_context_and_go_with_it() {
        let attachments = VecDeque::from([Bytes::from_static(&[1, 2, 3])]);
        let text =
            r#"["intent",{"category":"c","action":"a","context":{"_placeholder":true,"num":0}}]"#;
        let request = Request::read(Value::Str(text.into(), Some(attachments))).unwrap();
        assert_eq!(
            request.context_bytes(),
            r#"{"_placeholder":true,"num":0}"#.len() + 3
        );
        let Value::Str(_, Some(attachments)) = request.into_context() else {
            panic!("the attachments go with the context");
        };
        assert_eq!(attachments.len(), 1);
    }

    #[test]
    fn every_wrong_request_says_what_is_wrong_naming_the_field() {
        for (arguments, expected) in [
            (
                "",
                "an intent request is an object `{ category, action, context }`; got nothing",
            ),
            (
                r#","a","b""#,
                "an intent request is one object `{ category, action, context }`; got 2 arguments",
            ),
            (
                r#","show""#,
                "an intent request is an object `{ category, action, context }`, not a string",
            ),
            (
                ",[1]",
                "an intent request is an object `{ category, action, context }`, not an array",
            ),
            (
                ",null",
                "an intent request is an object `{ category, action, context }`, not null",
            ),
            (
                r#",{"action":"a"}"#,
                "the intent request has no `category`; expected a non-empty string",
            ),
            (
                r#",{"category":null,"action":"a"}"#,
                "the intent request has no `category`; expected a non-empty string",
            ),
            (
                r#",{"category":"","action":"a"}"#,
                "the intent request's `category` is empty; expected a non-empty string",
            ),
            (
                r#",{"category":7,"action":"a"}"#,
                "the intent request's `category` is a number; expected a non-empty string",
            ),
            (
                r#",{"category":"c"}"#,
                "the intent request has no `action`; expected a non-empty string",
            ),
            (
                r#",{"category":"c","action":["a"]}"#,
                "the intent request's `action` is an array; expected a non-empty string",
            ),
            (
                r#",{"category":"c","action":true}"#,
                "the intent request's `action` is a boolean; expected a non-empty string",
            ),
        ] {
            assert_eq!(read(arguments).unwrap_err(), expected, "{arguments}");
        }
        let error = read(r#",{"category":"c","category":"d","action":"a"}"#).unwrap_err();
        assert!(error.contains("duplicate field `category`"), "{error}");
        let error = Request::read(Value::Bytes(Bytes::from_static(b"x"))).unwrap_err();
        assert!(
            error.starts_with("an intent request is an object"),
            "{error}"
        );
    }

    #[test]
    fn answers_are_one_field_objects() {
        let view = Answer::View(ViewAnswer {
            module_id: "chat-1.0".to_owned(),
            view: "index",
        });
        for (answer, expected) in [
            (
                Answer::Value(serde_json::json!({ "logged": "hi" })),
                serde_json::json!({ "value": { "logged": "hi" } }),
            ),
            (
                view,
                serde_json::json!({ "view": { "moduleId": "chat-1.0", "view": "index" } }),
            ),
            (
                Answer::Error("nope".to_owned()),
                serde_json::json!({ "error": "nope" }),
            ),
        ] {
            assert_eq!(serde_json::to_value(answer).unwrap(), expected);
        }
    }
}
