//! Renewing the access token with the refresh cookie: one refresh at a time
//! across the tabs (the cookie rotates), under the lock they share; a
//! failure for a passing reason keeps the session and is retried after a
//! backoff, any other ends it.

use super::answers::{access_token_of, http_error};
use super::{DebugKind, Effects, Engine, Observer};
use crate::effects::{Clock, Lock, Method};
use crate::error::AuthError;
use crate::jwt;
use crate::options::{Path, TokenStorage};
use crate::session::{Reason, Renewal, Session};

/// The first retry of a renewal that failed for a passing reason comes after
/// about this long; each next one waits twice as long, up to the cap.
const RETRY_FIRST_MS: f64 = 1_000.0;
const RETRY_MAX_MS: f64 = 60_000.0;

/// Whether a failed renewal was a bad moment rather than the end of the
/// session: throttled (429), a gateway or the server briefly down (502, 503,
/// 504), the network gone, no answer in time. The refresh cookie is still
/// good; the session stays signed in and the renewal is tried again. Any
/// other failure (401, 403, 500 — the public backend's answer without a
/// cookie —, any other status, an unreadable token) is definitive.
pub fn transient(e: &AuthError) -> bool {
    matches!(
        e,
        AuthError::RateLimited { .. } | AuthError::Network | AuthError::Timeout | AuthError::Server { status: 502..=504, .. }
    )
}

/// How long to wait before retry number `attempts` (1 for the first):
/// doubling from [`RETRY_FIRST_MS`] up to [`RETRY_MAX_MS`], times a jitter
/// from one half to one (`random` in [0, 1)) so that tabs and clients do not
/// retry in step, and never sooner than the server's `Retry-After`.
pub fn retry_delay(attempts: u32, random: f64, retry_after_ms: Option<f64>) -> f64 {
    let mut backoff = RETRY_FIRST_MS;
    for _ in 1..attempts.min(8) {
        backoff *= 2.0;
    }
    let delay = backoff.min(RETRY_MAX_MS) * (0.5 + random.clamp(0.0, 1.0) / 2.0);
    delay.max(retry_after_ms.unwrap_or(0.0))
}

impl<E: Effects> Engine<E> {
    /// `POST` refresh (the cookie goes along) and adopt the new token. Only
    /// while signed in and with no logged-out marker.
    ///
    /// Tabs that share token storage (`tokenStorage: "local"`) refresh one
    /// at a time under a lock, since each refresh rotates the cookie they
    /// share: a tab that got the lock after another renewed the token adopts
    /// the token that tab stored, without a request of its own.
    ///
    /// A [`transient`] failure keeps the session signed in with a
    /// [`Renewal`] due after a backoff; any other failure ends the session
    /// with reason `expired` (no loop, no retry).
    pub async fn refresh(&self) -> Result<(), AuthError> {
        let since = self.started();
        self.debug(DebugKind::RefreshStart, None, f64::NAN, f64::NAN);
        // `Ok` is the status of the answer that renewed the token (0: the
        // token another tab stored).
        let result: Result<u16, AuthError> = 'run: {
            if !self.is_signed_in() || self.logged_out_marker() {
                break 'run Err(AuthError::NotSignedIn);
            }
            let refused = self.current_token();
            let shared = self.opts.token_storage == TokenStorage::Local;
            let waited = self.started();
            // Every tab shares the refresh cookie, whatever its token
            // storage: one refresh at a time. Held until the block ends.
            let lock = self.fx.lock.acquire(&self.lock_name, self.opts.timeout_ms).await;
            self.debug(DebugKind::RefreshLock, Some(if lock.is_some() { "held" } else { "timeout" }), self.elapsed(waited), f64::NAN);
            // A logout while this tab waited for the lock.
            if !self.is_signed_in() {
                break 'run Err(AuthError::NotSignedIn);
            }
            if shared {
                if let Some(stored) = self.stored_token().filter(|t| Some(t) != refused.as_ref()) {
                    let s = self.signed_in(stored);
                    if !jwt::is_expired(s.claims(), self.fx.clock.now_ms()) {
                        self.set_session(s);
                        self.debug(DebugKind::RefreshAdopted, None, f64::NAN, f64::NAN);
                        break 'run Ok(0);
                    }
                }
            }
            let epoch = self.epoch.get();
            let result = self.send(Method::Post, Path::Refresh, None).await;
            if epoch != self.epoch.get() {
                if matches!(&result, Ok(r) if (200..300).contains(&r.status)) {
                    self.expire_cookie_again().await;
                }
                break 'run Err(AuthError::Superseded);
            }
            let retry_after = result.as_ref().ok().and_then(|r| r.retry_after_ms);
            let token = result.map_err(AuthError::from).and_then(|r| {
                if (200..300).contains(&r.status) {
                    access_token_of(&r).map(|t| (t, r.status))
                } else {
                    Err(http_error(&r))
                }
            });
            match token {
                Ok((token, status)) => {
                    self.adopt(token);
                    Ok(status)
                }
                Err(e) if transient(&e) => {
                    self.renewal_failed(e.code(), retry_after);
                    Err(e)
                }
                Err(e) if self.restoring.get() => {
                    // A restore at start: the page never saw this session,
                    // so it ends without the teardown and without telling
                    // the other tabs (whose sessions are their own).
                    self.remove_token();
                    self.set_flag(&self.hint_key, false);
                    self.set_session(Session::SignedOut { reason: Some(Reason::Expired) });
                    Err(e)
                }
                Err(e) => {
                    let ended = self.begin_sign_out(Reason::Expired);
                    self.finish_sign_out(None, ended).await;
                    Err(e)
                }
            }
        };
        self.debug_end(DebugKind::RefreshEnd, &result, since);
        if self.restoring.replace(false) {
            self.debug_end(DebugKind::RestoreEnd, &result, since);
        }
        result.map(drop)
    }

    /// Records a renewal that failed for a passing reason: the next attempt
    /// is due after the backoff.
    pub(super) fn renewal_failed(&self, code: &'static str, retry_after_ms: Option<f64>) {
        let changed = match &mut *self.session.borrow_mut() {
            Session::SignedIn { renewal, .. } => {
                let attempts = renewal.map_or(0, |r| r.attempts).saturating_add(1);
                let delay = retry_delay(attempts, self.fx.clock.random(), retry_after_ms);
                *renewal = Some(Renewal { code, attempts, retry_at: self.fx.clock.now_ms() + delay });
                Some((attempts, delay))
            }
            Session::SignedOut { .. } => None,
        };
        if let Some((attempts, delay)) = changed {
            self.fx.observer.changed(&self.session.borrow());
            self.debug(DebugKind::RefreshRetry, Some(code), f64::from(attempts), delay);
        }
    }

    /// Whether a renewal is waiting to be retried.
    pub fn renewal_pending(&self) -> bool {
        self.with_session(|s| s.renewal().is_some())
    }

    /// Milliseconds from now until the pending renewal's retry is due.
    pub fn renewal_due_in(&self) -> Option<f64> {
        let due = self.with_session(|s| s.renewal())?.retry_at;
        Some((due - self.fx.clock.now_ms()).max(0.0))
    }

    /// Milliseconds from now until a proactive refresh is due (60 s before
    /// expiry, or half the remaining life of a shorter token), if one is.
    pub fn refresh_due_in(&self) -> Option<f64> {
        let exp = self.with_session(|s| if matches!(s, Session::SignedIn { .. }) { s.expires_at_ms() } else { None })?;
        let left = exp - self.fx.clock.now_ms();
        if left <= 0.0 {
            return Some(0.0);
        }
        Some((left - 60_000.0).max(left / 2.0))
    }
}
