//! The debug events (the `debug` option) and the observer that hears the
//! engine: changes of the session, warnings, events.

use super::{Effects, Engine};
use crate::effects::Clock;
use crate::error::AuthError;
use crate::session::Session;

/// The debug events, numbered as [`crate::wire::EVENTS`] lists them (see [`Engine::debug`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DebugKind {
    LoginStart,
    LoginEnd,
    RefreshStart,
    RefreshLock,
    RefreshAdopted,
    RefreshEnd,
    RefreshRetry,
    SignoutStart,
    SignoutStep,
    LogoutRequest,
    SignoutEnd,
    TabSent,
    TabReceived,
    RestoreStart,
    RestoreEnd,
}

impl DebugKind {
    /// The event's `type` ([`crate::wire::EVENTS`] has it, by the same number).
    pub fn name(self) -> &'static str {
        crate::wire::EVENTS.get(self as usize).map_or("", |event| event.0)
    }
}

/// Who hears about changes.
pub trait Observer {
    /// The session changed (called after the change, synchronously).
    fn changed(&self, session: &Session);
    /// Something degraded without failing the call, e.g. `storage_unavailable`.
    fn warn(&self, code: &'static str);
    /// Whether debug events are wanted (the `debug` option). When not,
    /// nothing is measured or built for them.
    fn debugging(&self) -> bool {
        false
    }
    /// One debug event: its type and up to three facts, whose names the type
    /// gives (see [`Engine::debug`]; a number fact is NaN when absent). Never
    /// a token, cookie, password or header.
    fn debug(&self, _kind: DebugKind, _text: Option<&str>, _a: f64, _b: f64) {}
}

impl<E: Effects> Engine<E> {
    /// Emits a debug event when the app asked for them. The events, with
    /// their facts (`text`, `a`, `b` in that order):
    ///
    /// | type | facts |
    /// |---|---|
    /// | `login:start` | |
    /// | `login:end` | outcome (`ok` or the error code), status, ms |
    /// | `refresh:start` | |
    /// | `refresh:lock` | outcome (`held`, or `timeout`: went on without it), ms waited |
    /// | `refresh:adopted` | (the token another tab stored; no request) |
    /// | `refresh:end` | outcome, status, ms |
    /// | `refresh:retry` | code, attempts, inMs |
    /// | `signout:start` | reason |
    /// | `signout:step` | step (`token`, `sessionStorage`, `onLogout`, `navigate`), ok (1 or 0), failures (hooks) |
    /// | `logout:request` | outcome (`ok`, `failed`, `timeout`, `unreachable`), status, ms |
    /// | `signout:end` | reason, ms |
    /// | `tab:sent`, `tab:received` | message (`login`, `logout`) |
    #[inline(never)]
    pub fn debug(&self, kind: DebugKind, text: Option<&str>, a: f64, b: f64) {
        if self.fx.observer.debugging() {
            self.fx.observer.debug(kind, text, a, b);
        }
    }

    /// The time a debugged step began (`None`, and no clock read, when not debugging).
    pub(super) fn started(&self) -> Option<f64> {
        self.fx.observer.debugging().then(|| self.fx.clock.now_ms())
    }

    /// Milliseconds since `since` (NaN without it).
    pub(super) fn elapsed(&self, since: Option<f64>) -> f64 {
        since.map_or(f64::NAN, |t| self.fx.clock.now_ms() - t)
    }

    /// The end of a debugged call: its outcome (`ok` or the error code), the
    /// HTTP status and how long it took.
    pub(super) fn debug_end(&self, kind: DebugKind, result: &Result<u16, AuthError>, since: Option<f64>) {
        if self.fx.observer.debugging() {
            let (outcome, status) = match result {
                Ok(status) => ("ok", Some(*status)),
                Err(e) => (e.code(), e.status()),
            };
            self.debug(kind, Some(outcome), status.map_or(f64::NAN, f64::from), self.elapsed(since));
        }
    }
}
