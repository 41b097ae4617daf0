//! Every sign-out, in order: the session ends at once (token gone from
//! memory and storage, the other tabs told), then the server's answer to
//! the logout request (the logged-out marker stays until it confirms),
//! sessionStorage, the app's hooks and the navigation; and the report of
//! what happened.

use super::answers::confirmed;
use super::{DebugKind, Effects, Engine, Failure, Hooks, Observer, Report, ServerCall};
use crate::effects::{HttpFailure, HttpResponse, Method, Navigation, Storage, TabMessage};
use crate::options::{ClearSessionStorage, Path, TokenStorage};
use crate::session::{Reason, Session};

/// What the logout request achieved.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ServerOutcome {
    /// 2xx: the server expired the refresh cookie.
    Ok,
    /// Any other status.
    Failed,
    Timeout,
    /// Refused, reset, or blocked (CORS).
    Unreachable,
}

impl ServerOutcome {
    pub fn as_str(self) -> &'static str {
        match self {
            ServerOutcome::Ok => "ok",
            ServerOutcome::Failed => "failed",
            ServerOutcome::Timeout => "timeout",
            ServerOutcome::Unreachable => "unreachable",
        }
    }
}

/// A local step of the logout that did not go as planned. The logout went on.
#[derive(Clone, Debug, PartialEq)]
pub struct StepFailure<F> {
    /// `tokenStorage`, `sessionStorage`, `onLogout` or `navigate`.
    pub step: &'static str,
    /// For `onLogout`: which hook.
    pub index: Option<u32>,
    /// What the app's code threw, when it was the app's code.
    pub thrown: Option<F>,
}

/// A logout begun ([`Engine::begin_logout`]): its server call under way, and
/// the failures of the session's end.
pub struct Begun<E: Effects>(pub ServerCall, pub Vec<StepFailure<Failure<E>>>);

#[derive(Clone, Debug, PartialEq)]
pub struct LogoutReport<F> {
    /// `None` when the plan had no server call.
    pub server: Option<ServerOutcome>,
    pub status: Option<u16>,
    pub errors: Vec<StepFailure<F>>,
}

impl<E: Effects> Engine<E> {
    /// Sends the logout request now, for [`Self::finish_sign_out`]. Sending
    /// it before [`Self::begin_sign_out`] lets the local teardown run while
    /// the request is in flight.
    pub fn send_logout(&self) -> ServerCall {
        self.send(Method::Post, Path::Logout, None)
    }

    /// Signs out: ends the session locally first, then tells the server,
    /// clears sessionStorage, runs the hooks and navigates. Never fails:
    /// the report says what happened.
    pub async fn logout(&self) -> Report<E> {
        let Begun(server, ended) = self.begin_logout();
        self.finish_sign_out(Some(server), ended).await
    }

    /// The synchronous start of a logout: the request leaves first, and the
    /// session ends while it is in flight (before this returns: no request
    /// made after it carries the token). [`Self::finish_sign_out`] does the
    /// rest with what this returns.
    pub fn begin_logout(&self) -> Begun<E> {
        let server = self.send_logout();
        Begun(server, self.begin_sign_out(Reason::Logout))
    }

    /// The synchronous first step of every sign-out:
    /// once this returns, no request can carry the token. Returns the
    /// failures met, for [`Self::finish_sign_out`].
    pub fn begin_sign_out(&self, reason: Reason) -> Vec<StepFailure<Failure<E>>> {
        let mut errors = Vec::new();
        self.answered.set(None);
        self.end_session(reason, &mut errors);
        errors
    }

    /// Ends the session at once: memory first, then storage.
    pub(super) fn end_session(&self, reason: Reason, errors: &mut Vec<StepFailure<Failure<E>>>) {
        self.debug(DebugKind::SignoutStart, Some(reason.as_str()), f64::NAN, f64::NAN);
        self.epoch.set(self.epoch.get().wrapping_add(1));
        let held = self.session.replace(Session::SignedOut { reason: Some(reason) });
        self.fx.observer.changed(&self.session.borrow());
        // After another tab's sign-out, storage all tabs share is that tab's
        // to clear: it did, and a new login may already have stored a new
        // token there (this tab's view of localStorage can lag behind).
        // Storage of this tab alone is cleared if it still holds our token.
        let remove = match (reason, &held) {
            (Reason::OtherTab, _) if self.opts.token_storage == TokenStorage::Local => false,
            (Reason::OtherTab, Session::SignedIn { token, .. }) => self.stored_token() == *token,
            _ => true,
        };
        let removed = !remove || self.remove_token();
        if !removed {
            errors.push(StepFailure { step: "tokenStorage", index: None, thrown: None });
        }
        self.debug(DebugKind::SignoutStep, Some("token"), f64::from(u8::from(removed)), f64::NAN);
        // The tab that signed out told the others, and cleared the hint.
        if reason != Reason::OtherTab {
            self.set_flag(&self.hint_key, false);
            self.post(TabMessage::Logout);
        }
    }

    /// What the server answered the logout under way, once it did: the
    /// teardown's hooks and navigation run after that, and a logout they
    /// ask for resolves with it instead of waiting for the teardown.
    pub fn logout_answered(&self) -> Option<(ServerOutcome, Option<u16>)> {
        self.answered.get()
    }

    /// The rest of a sign-out, in this order, after [`Self::begin_sign_out`]
    /// ended the session (token gone from memory and storage before
    /// anything could await, so no request made after `logout()` is called
    /// carries it, whatever the server does):
    /// 1. the server's answer to the logout request [`Self::send_logout`]
    ///    sent (no token; a sign-out for another reason has none): until
    ///    it confirms, the logged-out marker stays;
    /// 2. sessionStorage cleared (per `clearSessionStorage`);
    /// 3. the app's `onLogout` hooks, in order (e.g. resetting stores);
    /// 4. navigation to `redirectTo` (unless `null`).
    pub async fn finish_sign_out(&self, server: Option<ServerCall>, errors: Vec<StepFailure<Failure<E>>>) -> Report<E> {
        let since = self.started();
        let mut report = LogoutReport { server: None, status: None, errors };
        if let Some(call) = server {
            let (outcome, status) = match call.await {
                Ok(r) if (200..300).contains(&r.status) => (ServerOutcome::Ok, Some(r.status)),
                Ok(r) => (ServerOutcome::Failed, Some(r.status)),
                Err(HttpFailure::Timeout) => (ServerOutcome::Timeout, None),
                Err(HttpFailure::Network) => (ServerOutcome::Unreachable, None),
            };
            // Until the server confirms, the refresh cookie may live on.
            self.set_marker(outcome != ServerOutcome::Ok);
            self.answered.set(Some((outcome, status)));
            self.debug(DebugKind::LogoutRequest, Some(outcome.as_str()), status.map_or(f64::NAN, f64::from), self.elapsed(since));
            report.server = Some(outcome);
            report.status = status;
        }
        let result = match &self.opts.clear_session_storage {
            ClearSessionStorage::All => Some(self.fx.session.clear()),
            ClearSessionStorage::Keys(keys) => {
                let mut result = Ok(());
                for k in keys {
                    let removed = self.fx.session.remove(k);
                    if result.is_ok() {
                        result = removed;
                    }
                }
                Some(result)
            }
            ClearSessionStorage::Nothing => None,
        };
        if let Some(result) = result {
            if result.is_err() {
                self.storage_failed();
                report.errors.push(StepFailure { step: "sessionStorage", index: None, thrown: None });
            }
            self.debug(DebugKind::SignoutStep, Some("sessionStorage"), f64::from(u8::from(result.is_ok())), f64::NAN);
        }
        let failed = self.fx.hooks.run().await;
        let failures = failed.len() as f64;
        for (index, thrown) in failed {
            report.errors.push(StepFailure { step: "onLogout", index: Some(index), thrown: Some(thrown) });
        }
        self.debug(DebugKind::SignoutStep, Some("onLogout"), f64::from(u8::from(failures == 0.0)), failures);
        if let Some(path) = &self.opts.redirect_to {
            let result = self.fx.nav.navigate(path).await;
            self.debug(DebugKind::SignoutStep, Some("navigate"), f64::from(u8::from(result.is_ok())), f64::NAN);
            if let Err(thrown) = result {
                report.errors.push(StepFailure { step: "navigate", index: None, thrown: Some(thrown) });
            }
        }
        if self.fx.observer.debugging() {
            let reason = self.with_session(|s| s.reason().map(Reason::as_str));
            self.debug(DebugKind::SignoutEnd, reason, self.elapsed(since), f64::NAN);
        }
        report
    }

    /// A login or refresh answered after a sign-out may have set a fresh
    /// refresh cookie: ask the server to expire it again.
    pub(super) async fn expire_cookie_again(&self) {
        let answer = self.send_logout().await;
        self.set_marker(!confirmed(&answer));
    }

    /// Retries the server logout that an earlier page could not complete
    /// (on start and when the browser comes back online): the request, sent
    /// now, or `None` when there is nothing to retry. Its answer goes to
    /// [`Self::server_logout_retried`].
    pub fn retry_server_logout(&self) -> Option<ServerCall> {
        (self.logged_out_marker() && !self.is_signed_in()).then(|| self.send_logout())
    }

    /// Clears the marker once the server confirms the retried logout;
    /// whether it did.
    pub fn server_logout_retried(&self, answer: &Result<HttpResponse, HttpFailure>) -> bool {
        let ok = confirmed(answer);
        if ok {
            self.set_marker(false);
        }
        ok
    }

    /// The server refused a token it had just issued (a request retried
    /// after a refresh answered 401 again): the session is over, reason
    /// `server_rejected`. `None` when the session has moved on since.
    pub fn token_rejected(&self, token: &str) -> Option<Vec<StepFailure<Failure<E>>>> {
        if self.access_token().as_deref() == Some(token) {
            Some(self.begin_sign_out(Reason::ServerRejected))
        } else {
            None
        }
    }
}
