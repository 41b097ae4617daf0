//! Explicit sign-ins: a login, a verified email, a session another endpoint
//! answered. Each clears the logged-out marker, stores the token and tells
//! the other tabs.

use super::answers::{access_token_of, answer_error};
use super::{DebugKind, Effects, Engine};
use crate::effects::{Clock, HttpFailure, HttpResponse, Method, Parsers, TabMessage};
use crate::error::AuthError;
use crate::jwt;
use crate::options::Path;

impl<E: Effects> Engine<E> {
    /// An explicit sign-in with a token the server issued (a login, a
    /// verified email, `setSession`): the logged-out marker goes, the token
    /// is stored and the other tabs are told.
    pub fn sign_in(&self, token: String) {
        self.set_marker(false);
        self.adopt(token);
        self.post(TabMessage::Login);
    }

    /// `POST` login; on success stores the token and signs in.
    pub async fn login(&self, email: &str, password: &str) -> Result<(), AuthError> {
        let body = self.fx.parsers.body_json("email", email, Some(("password", password)));
        self.sign_in_since(self.epoch(), Path::Login, body).await
    }

    /// A sign-in for a call made at `epoch` (taken when the app called it,
    /// before any await): `POST` `path` (login, or verify-email) with the
    /// JSON `body`; on success stores the token and signs in.
    pub async fn sign_in_since(&self, epoch: u64, path: Path, body: String) -> Result<(), AuthError> {
        let since = self.started();
        self.debug(DebugKind::LoginStart, None, f64::NAN, f64::NAN);
        let answer = self.send(Method::Post, path, Some(body)).await;
        // A sign-out since the call: its answer is void.
        let superseded = epoch != self.epoch.get();
        if superseded && matches!(&answer, Ok(r) if (200..300).contains(&r.status)) {
            self.expire_cookie_again().await;
        }
        let result = self.login_answer(answer, superseded, path == Path::VerifyEmail);
        self.debug_end(DebugKind::LoginEnd, &result, since);
        result.map(drop)
    }

    /// What a login's answer means; `Ok` is its status. Signs in on success.
    pub(super) fn login_answer(&self, answer: Result<HttpResponse, HttpFailure>, superseded: bool, verify: bool) -> Result<u16, AuthError> {
        let response = answer?;
        if superseded {
            return Err(AuthError::Superseded);
        }
        match response.status {
            200..=299 => {
                let token = access_token_of(&response).map_err(|e| {
                    // verify-email's answer for an address already verified:
                    // a 2xx with a message and no token.
                    match &response.message {
                        Some(m) if verify => AuthError::AlreadyVerified { message: m.clone() },
                        _ => e,
                    }
                })?;
                self.sign_in(token);
                Ok(response.status)
            }
            _ => Err(answer_error(&response)),
        }
    }

    /// Adopts a token the server issued elsewhere (`setSession`): a JWT whose
    /// `exp` is in the future, else `invalid_argument`.
    pub fn set_session_token(&self, token: Option<String>) -> Result<(), AuthError> {
        let live = token.filter(|t| {
            let exp = jwt::decode_claims(t, &self.fx.parsers).and_then(|c| c.exp);
            exp.is_some_and(|exp| exp * 1000.0 > self.fx.clock.now_ms())
        });
        let Some(token) = live else {
            return Err(AuthError::InvalidArgument { field: "access_token", problem: "must be a JWT whose exp is in the future" });
        };
        self.sign_in(token);
        Ok(())
    }
}
