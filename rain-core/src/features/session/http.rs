//! Sessions on the HTTP side: the extractors of axum handlers, and a session as a response that
//! writes its cookie.

use std::convert::Infallible;

use axum::{
    extract::FromRequestParts,
    http::{StatusCode, header, request::Parts},
    response::{IntoResponse, IntoResponseParts, Response, ResponseParts},
};

use super::{Session, SessionError, Sessions, User};

impl<S: Send + Sync> FromRequestParts<S> for Session {
    type Rejection = SessionError;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        let sessions = parts
            .extensions
            .get::<Sessions>()
            .ok_or(SessionError::NotConfigured)?;
        Ok(sessions
            .from_headers(&parts.headers)
            .unwrap_or_else(|_| sessions.new_session()))
    }
}

impl<S: Send + Sync> FromRequestParts<S> for Sessions {
    type Rejection = SessionError;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        parts
            .extensions
            .get::<Sessions>()
            .cloned()
            .ok_or(SessionError::NotConfigured)
    }
}

/// In HTTP handlers, the logged-in user; a request without one is answered `401` with the reason.
impl<S: Send + Sync> FromRequestParts<S> for User {
    type Rejection = SessionError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        let sessions = Sessions::from_request_parts(parts, state).await?;
        sessions
            .from_headers(&parts.headers)?
            .contents
            .user
            .ok_or(SessionError::NotLoggedIn)
    }
}

impl IntoResponseParts for Session {
    type Error = Infallible;

    fn into_response_parts(self, mut res: ResponseParts) -> Result<ResponseParts, Infallible> {
        let cookie = self.sessions.set_cookie(&self);
        res.headers_mut().append(header::SET_COOKIE, cookie);
        Ok(res)
    }
}

impl IntoResponse for Session {
    fn into_response(self) -> Response {
        (self, StatusCode::NO_CONTENT).into_response()
    }
}
