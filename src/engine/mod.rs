//! The session engine: login, logout, refresh and the token each request may
//! carry, written against the effect traits so it runs the same in the
//! browser and in native tests. One concern per module (its "rooms"):
//!
//! - this module: the engine, its effects, the session and the storage it keeps;
//! - `login`: explicit sign-ins (login, verify-email, an adopted session);
//! - `refresh`: renewing the token under the lock the tabs share, and the
//!   retry policy of a renewal that failed for a passing reason;
//! - `signout`: every sign-out, in order, from the session's end to the
//!   navigation, with its report and the logged-out marker;
//! - `tabs`: what the other tabs of the app say and store;
//! - `answers`: what an HTTP answer means;
//! - `debug`: the debug events and the observer that hears them.
//!
//! Its rule: once a session has ended, nothing but a new explicit login
//! brings one back. Every sign-out bumps an epoch; an answer to a request
//! that began in an earlier epoch (a late login or refresh) is discarded, and
//! the refresh cookie it may have renewed is expired again.

use core::cell::{Cell, RefCell};
use core::future::Future;

use crate::effects::{
    Clock, Http, HttpFailure, HttpRequest, HttpResponse, Lock, Method, Navigation, Parsers, Storage, Tabs,
};
use crate::jwt;
use crate::options::{Options, Path};
use crate::session::{Reason, Session};

mod answers;
mod debug;
mod login;
mod refresh;
mod signout;
mod tabs;
#[cfg(all(test, not(target_arch = "wasm32")))]
mod tests;

pub use answers::{answer_error, http_error, server_message};
pub use debug::{DebugKind, Observer};
pub use refresh::{retry_delay, transient};
pub use signout::{Begun, LogoutReport, ServerOutcome, StepFailure};

/// The app's `onLogout` hooks.
pub trait Hooks<F> {
    /// Runs every hook in order, awaiting each; returns the index and the
    /// thrown value of each hook that failed. One failure stops no other.
    fn run(&self) -> impl Future<Output = Vec<(u32, F)>>;
}

/// The effect types one engine runs with.
pub trait Effects {
    type Store: Storage;
    type Http: Http;
    type Nav: Navigation;
    type Clock: Clock;
    type Tabs: Tabs;
    type Hooks: Hooks<<Self::Nav as Navigation>::Failure>;
    type Observer: Observer;
    type Parsers: Parsers;
    type Lock: Lock;
}

/// The effects themselves.
pub struct Platform<E: Effects> {
    /// Where the token lives (per `tokenStorage`).
    pub tokens: E::Store,
    /// The tab's sessionStorage.
    pub session: E::Store,
    /// Storage every tab of the app sees (localStorage): the logged-out marker.
    pub shared: E::Store,
    pub http: E::Http,
    pub nav: E::Nav,
    pub clock: E::Clock,
    pub tabs: E::Tabs,
    pub hooks: E::Hooks,
    pub observer: E::Observer,
    /// JSON (token payloads, response bodies) and URLs.
    pub parsers: E::Parsers,
    /// The refresh lock the tabs sharing token storage take.
    pub lock: E::Lock,
}

type Failure<E> = <<E as Effects>::Nav as Navigation>::Failure;

pub type Report<E> = LogoutReport<Failure<E>>;

/// A request to the API already sent; awaiting it gives the answer.
pub type ServerCall = core::pin::Pin<Box<dyn Future<Output = Result<HttpResponse, HttpFailure>>>>;

/// Storage key suffix of the logged-out marker.
const MARKER_SUFFIX: &str = ":logged_out";

/// Storage key suffix of the hint that this browser signed in (never a token).
const HINT_SUFFIX: &str = ":signed_in";

/// Name suffix of the refresh lock (after `sociapp-auth:<tokenKey>`).
const LOCK_SUFFIX: &str = ":refresh";

pub struct Engine<E: Effects> {
    pub opts: Options,
    pub fx: Platform<E>,
    session: RefCell<Session>,
    /// Bumped each time a session ends.
    epoch: Cell<u64>,
    /// The logged-out marker's key in shared storage.
    marker_key: String,
    /// The key of the hint that this browser signed in, in shared storage.
    hint_key: String,
    /// The refresh lock's name.
    lock_name: String,
    warned: Cell<bool>,
    /// Set while the session is restored from the refresh cookie at start:
    /// until the first refresh settles.
    restoring: Cell<bool>,
    /// The server's answer to the logout under way, once it came: a logout
    /// asked for during the teardown's hooks resolves with it at once.
    answered: Cell<Option<(ServerOutcome, Option<u16>)>>,
}

impl<E: Effects> Engine<E> {
    /// Restores a token left in storage by an earlier page (raw string under
    /// `tokenKey`, as apps without the SDK store it). Without a usable one,
    /// when the hint says this browser signed in and no logout is waiting
    /// for the server, the session is to be restored from the refresh
    /// cookie: [`Self::restoring`] is then set and the session reads signed
    /// in without a usable token until [`Self::refresh`] settles.
    pub fn new(opts: Options, fx: Platform<E>) -> Self {
        let key = |suffix: &str| {
            let mut key = opts.token_key.clone();
            key.push_str(suffix);
            key
        };
        let marker_key = key(MARKER_SUFFIX);
        let hint_key = key(HINT_SUFFIX);
        let mut lock_name = String::from("sociapp-auth:");
        lock_name.push_str(&key(LOCK_SUFFIX));
        let engine = Engine {
            session: RefCell::new(Session::SignedOut { reason: None }),
            epoch: Cell::new(0),
            marker_key,
            hint_key,
            lock_name,
            warned: Cell::new(false),
            restoring: Cell::new(false),
            answered: Cell::new(None),
            opts,
            fx,
        };
        let stored = engine.stored_token().map(|t| engine.signed_in(t));
        let usable = stored.as_ref().is_some_and(|s| !jwt::is_expired(s.claims(), engine.fx.clock.now_ms()));
        let session = if usable {
            stored
        } else if !engine.logged_out_marker() && matches!(engine.fx.shared.get(&engine.hint_key), Ok(Some(_))) {
            engine.debug(DebugKind::RestoreStart, None, f64::NAN, f64::NAN);
            engine.restoring.set(true);
            // The expired token stands in until the refresh renews it.
            Some(stored.unwrap_or(Session::SignedIn { token: None, claims: None, renewal: None }))
        } else if stored.is_some() {
            engine.remove_token();
            Some(Session::SignedOut { reason: Some(Reason::Expired) })
        } else {
            None
        };
        if let Some(s) = session {
            *engine.session.borrow_mut() = s;
        }
        engine
    }

    /// Whether the session is being restored from the refresh cookie (see
    /// [`Self::new`]); the restore is the first [`Self::refresh`].
    pub fn restoring(&self) -> bool {
        self.restoring.get()
    }

    /// A signed-in session with `token`, its claims read.
    pub(super) fn signed_in(&self, token: String) -> Session {
        let claims = jwt::decode_claims(&token, &self.fx.parsers);
        Session::SignedIn { token: Some(token), claims, renewal: None }
    }

    /// Reports, once, that storage is not usable and memory stands in.
    pub fn storage_failed(&self) {
        if !self.warned.replace(true) {
            self.fx.observer.warn("storage_unavailable");
        }
    }

    pub(super) fn stored_token(&self) -> Option<String> {
        match self.fx.tokens.get(&self.opts.token_key) {
            Ok(t) => t.filter(|t| !t.is_empty()),
            Err(_) => {
                self.storage_failed();
                None
            }
        }
    }

    pub(super) fn remove_token(&self) -> bool {
        let ok = self.fx.tokens.remove(&self.opts.token_key).is_ok();
        if !ok {
            self.storage_failed();
        }
        ok
    }

    /// Reads the current session.
    pub fn with_session<R>(&self, f: impl FnOnce(&Session) -> R) -> R {
        f(&self.session.borrow())
    }

    pub fn is_signed_in(&self) -> bool {
        matches!(*self.session.borrow(), Session::SignedIn { .. })
    }

    /// The token a request may carry now: only while signed in, and never
    /// once it has expired.
    pub fn access_token(&self) -> Option<String> {
        match &*self.session.borrow() {
            Session::SignedIn { token, claims, .. } if !jwt::is_expired(claims.as_ref(), self.fx.clock.now_ms()) => {
                token.clone()
            }
            _ => None,
        }
    }

    /// The session's token, expired or not.
    pub(super) fn current_token(&self) -> Option<String> {
        self.with_session(|s| match s {
            Session::SignedIn { token, .. } => token.clone(),
            Session::SignedOut { .. } => None,
        })
    }

    /// Whether a logout's server call has not been confirmed: the refresh
    /// cookie may still be valid, so nothing refreshes automatically.
    pub fn logged_out_marker(&self) -> bool {
        matches!(self.fx.shared.get(&self.marker_key), Ok(Some(_)))
    }

    pub(super) fn set_marker(&self, on: bool) {
        self.set_flag(&self.marker_key, on);
    }

    /// Sets (`"1"`) or removes a flag in shared storage.
    pub(super) fn set_flag(&self, key: &str, on: bool) {
        let result = if on { self.fx.shared.set(key, "1") } else { self.fx.shared.remove(key) };
        if result.is_err() {
            self.storage_failed();
        }
    }

    pub(super) fn set_session(&self, next: Session) {
        *self.session.borrow_mut() = next;
        self.fx.observer.changed(&self.session.borrow());
    }

    /// Stores a new token and signs in; the hint tells later pages that
    /// this browser has a session to restore.
    pub(super) fn adopt(&self, token: String) {
        if self.fx.tokens.set(&self.opts.token_key, &token).is_err() {
            // The session still works in this page, from memory.
            self.storage_failed();
        }
        self.set_flag(&self.hint_key, true);
        self.set_session(self.signed_in(token));
    }

    /// Sends a request to the API now; the future awaits the answer.
    pub(super) fn send(&self, method: Method, path: Path, json: Option<String>) -> ServerCall {
        // Only the logout's body goes unread: its status says it all.
        let read_body = path != Path::Logout;
        let request =
            HttpRequest { method, url: self.opts.endpoint(path), json, timeout_ms: self.opts.timeout_ms, read_body };
        Box::pin(self.fx.http.send(request))
    }

    /// The current epoch: a login started now is void if a sign-out
    /// follows before its answer.
    pub fn epoch(&self) -> u64 {
        self.epoch.get()
    }
}
