//! The session engine: login, logout, refresh and the token each request may
//! carry, written against the effect traits so it runs the same in the
//! browser and in native tests.
//!
//! Its rule: once a session has ended, nothing but a new explicit login
//! brings one back. Every sign-out bumps an epoch; an answer to a request
//! that began in an earlier epoch (a late login or refresh) is discarded, and
//! the refresh cookie it may have renewed is expired again.

use core::cell::{Cell, RefCell};
use core::future::Future;

use crate::effects::{
    Clock, Http, HttpFailure, HttpRequest, HttpResponse, Lock, Method, Navigation, Parsers, Storage, TabMessage, Tabs,
};
use crate::error::AuthError;
use crate::jwt;
use crate::options::{ClearSessionStorage, Options, Path, TokenStorage};
use crate::session::{Reason, Renewal, Session};

/// The app's `onLogout` hooks.
pub trait Hooks<F> {
    /// Runs every hook in order, awaiting each; returns the index and the
    /// thrown value of each hook that failed. One failure stops no other.
    fn run(&self) -> impl Future<Output = Vec<(u32, F)>>;
}

/// The debug events, in the order host.js names them (see [`Engine::debug`]).
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
    /// The event's `type`.
    pub fn name(self) -> &'static str {
        match self {
            DebugKind::LoginStart => "login:start",
            DebugKind::LoginEnd => "login:end",
            DebugKind::RefreshStart => "refresh:start",
            DebugKind::RefreshLock => "refresh:lock",
            DebugKind::RefreshAdopted => "refresh:adopted",
            DebugKind::RefreshEnd => "refresh:end",
            DebugKind::RefreshRetry => "refresh:retry",
            DebugKind::SignoutStart => "signout:start",
            DebugKind::SignoutStep => "signout:step",
            DebugKind::LogoutRequest => "logout:request",
            DebugKind::SignoutEnd => "signout:end",
            DebugKind::TabSent => "tab:sent",
            DebugKind::TabReceived => "tab:received",
            DebugKind::RestoreStart => "restore:start",
            DebugKind::RestoreEnd => "restore:end",
        }
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

#[derive(Clone, Debug, PartialEq)]
pub struct LogoutReport<F> {
    /// `None` when the plan had no server call.
    pub server: Option<ServerOutcome>,
    pub status: Option<u16>,
    pub errors: Vec<StepFailure<F>>,
}

type Failure<E> = <<E as Effects>::Nav as Navigation>::Failure;
pub type Report<E> = LogoutReport<Failure<E>>;

/// A request to the API already sent; awaiting it gives the answer.
pub type ServerCall = core::pin::Pin<Box<dyn Future<Output = Result<HttpResponse, HttpFailure>>>>;

impl From<HttpFailure> for AuthError {
    fn from(f: HttpFailure) -> AuthError {
        match f {
            HttpFailure::Timeout => AuthError::Timeout,
            HttpFailure::Network => AuthError::Network,
        }
    }
}

/// Storage key suffix of the logged-out marker.
const MARKER_SUFFIX: &str = ":logged_out";
/// Storage key suffix of the hint that this browser signed in (never a token).
const HINT_SUFFIX: &str = ":signed_in";
/// Name suffix of the refresh lock (after `sociapp-auth:<tokenKey>`).
const LOCK_SUFFIX: &str = ":refresh";

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
    fn signed_in(&self, token: String) -> Session {
        let claims = jwt::decode_claims(&token, &self.fx.parsers);
        Session::SignedIn { token: Some(token), claims, renewal: None }
    }

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
    fn started(&self) -> Option<f64> {
        self.fx.observer.debugging().then(|| self.fx.clock.now_ms())
    }

    /// Milliseconds since `since` (NaN without it).
    fn elapsed(&self, since: Option<f64>) -> f64 {
        since.map_or(f64::NAN, |t| self.fx.clock.now_ms() - t)
    }

    /// Tells the other tabs, and the debug stream.
    fn post(&self, message: TabMessage) {
        self.fx.tabs.post(message);
        self.debug(DebugKind::TabSent, Some(message.as_str()), f64::NAN, f64::NAN);
    }

    /// Reports, once, that storage is not usable and memory stands in.
    pub fn storage_failed(&self) {
        if !self.warned.replace(true) {
            self.fx.observer.warn("storage_unavailable");
        }
    }

    fn stored_token(&self) -> Option<String> {
        match self.fx.tokens.get(&self.opts.token_key) {
            Ok(t) => t.filter(|t| !t.is_empty()),
            Err(_) => {
                self.storage_failed();
                None
            }
        }
    }

    fn remove_token(&self) -> bool {
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

    /// Whether a logout's server call has not been confirmed: the refresh
    /// cookie may still be valid, so nothing refreshes automatically.
    pub fn logged_out_marker(&self) -> bool {
        matches!(self.fx.shared.get(&self.marker_key), Ok(Some(_)))
    }

    fn set_marker(&self, on: bool) {
        self.set_flag(&self.marker_key, on);
    }

    /// Sets (`"1"`) or removes a flag in shared storage.
    fn set_flag(&self, key: &str, on: bool) {
        let result = if on { self.fx.shared.set(key, "1") } else { self.fx.shared.remove(key) };
        if result.is_err() {
            self.storage_failed();
        }
    }

    fn set_session(&self, next: Session) {
        *self.session.borrow_mut() = next;
        self.fx.observer.changed(&self.session.borrow());
    }

    /// Stores a new token and signs in; the hint tells later pages that
    /// this browser has a session to restore.
    fn adopt(&self, token: String) {
        if self.fx.tokens.set(&self.opts.token_key, &token).is_err() {
            // The session still works in this page, from memory.
            self.storage_failed();
        }
        self.set_flag(&self.hint_key, true);
        self.set_session(self.signed_in(token));
    }

    /// An explicit sign-in with a token the server issued (a login, a
    /// verified email, `setSession`): the logged-out marker goes, the token
    /// is stored and the other tabs are told.
    pub fn sign_in(&self, token: String) {
        self.set_marker(false);
        self.adopt(token);
        self.post(TabMessage::Login);
    }

    /// Ends the session at once: memory first, then storage.
    fn end_session(&self, reason: Reason, errors: &mut Vec<StepFailure<Failure<E>>>) {
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

    /// Sends a request to the API now; the future awaits the answer.
    fn send(&self, method: Method, path: Path, json: Option<String>) -> ServerCall {
        // Only the logout's body goes unread: its status says it all.
        let read_body = path != Path::Logout;
        let request =
            HttpRequest { method, url: self.opts.endpoint(path), json, timeout_ms: self.opts.timeout_ms, read_body };
        Box::pin(self.fx.http.send(request))
    }

    /// Sends the logout request now, for [`Self::finish_sign_out`]. Sending
    /// it before [`Self::begin_sign_out`] lets the local teardown run while
    /// the request is in flight.
    pub fn send_logout(&self) -> ServerCall {
        self.send(Method::Post, Path::Logout, None)
    }

    /// The current epoch: a login started now is void if a sign-out
    /// follows before its answer.
    pub fn epoch(&self) -> u64 {
        self.epoch.get()
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

    /// The end of a debugged call: its outcome (`ok` or the error code), the
    /// HTTP status and how long it took.
    fn debug_end(&self, kind: DebugKind, result: &Result<u16, AuthError>, since: Option<f64>) {
        if self.fx.observer.debugging() {
            let (outcome, status) = match result {
                Ok(status) => ("ok", Some(*status)),
                Err(e) => (e.code(), e.status()),
            };
            self.debug(kind, Some(outcome), status.map_or(f64::NAN, f64::from), self.elapsed(since));
        }
    }

    /// What a login's answer means; `Ok` is its status. Signs in on success.
    fn login_answer(&self, answer: Result<HttpResponse, HttpFailure>, superseded: bool, verify: bool) -> Result<u16, AuthError> {
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

    /// A login or refresh answered after a sign-out may have set a fresh
    /// refresh cookie: ask the server to expire it again.
    async fn expire_cookie_again(&self) {
        let answer = self.send_logout().await;
        self.set_marker(!confirmed(&answer));
    }

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

    /// The session's token, expired or not.
    fn current_token(&self) -> Option<String> {
        self.with_session(|s| match s {
            Session::SignedIn { token, .. } => token.clone(),
            Session::SignedOut { .. } => None,
        })
    }

    /// Records a renewal that failed for a passing reason: the next attempt
    /// is due after the backoff.
    fn renewal_failed(&self, code: &'static str, retry_after_ms: Option<f64>) {
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

    /// Signs out: ends the session locally first, then tells the server,
    /// clears sessionStorage, runs the hooks and navigates. Never fails:
    /// the report says what happened.
    pub async fn logout(&self) -> Report<E> {
        let server = self.send_logout();
        let ended = self.begin_sign_out(Reason::Logout);
        self.finish_sign_out(Some(server), ended).await
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

    /// What the server answered the logout under way, once it did: the
    /// teardown's hooks and navigation run after that, and a logout they
    /// ask for resolves with it instead of waiting for the teardown.
    pub fn logout_answered(&self) -> Option<(ServerOutcome, Option<u16>)> {
        self.answered.get()
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

    /// Another tab signed out: end this tab's session too (no server call:
    /// the other tab made it) with reason `other_tab`. `None` when there was
    /// no session here to end.
    pub fn other_tab_signed_out(&self) -> Option<Vec<StepFailure<Failure<E>>>> {
        if self.is_signed_in() {
            Some(self.begin_sign_out(Reason::OtherTab))
        } else {
            None
        }
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

    /// Brings this tab in line with storage, after another tab signed in or
    /// out, or a restore from the back/forward cache. Returns the sign-out to
    /// finish when the session here ended.
    pub fn sync_from_storage(&self) -> Option<Vec<StepFailure<Failure<E>>>> {
        if self.opts.token_storage == TokenStorage::Memory {
            return None;
        }
        let stored = self.stored_token();
        let current = self.current_token();
        match (current, stored) {
            (Some(_), None) => self.other_tab_signed_out(),
            (current, Some(stored)) if current.as_deref() != Some(stored.as_str()) => {
                let s = self.signed_in(stored);
                if !jwt::is_expired(s.claims(), self.fx.clock.now_ms()) {
                    self.set_session(s);
                }
                None
            }
            _ => None,
        }
    }
}

/// Whether a logout's answer confirms it (2xx).
fn confirmed(answer: &Result<HttpResponse, HttpFailure>) -> bool {
    matches!(answer, Ok(r) if (200..300).contains(&r.status))
}

fn access_token_of(response: &HttpResponse) -> Result<String, AuthError> {
    response.token.clone().ok_or(AuthError::InvalidResponse { status: response.status })
}

/// The error of a non-2xx answer to the calls made with the member's
/// credentials (login, register, verify-email, resend-code): a 401 says
/// they were refused.
pub fn answer_error(response: &HttpResponse) -> AuthError {
    match response.status {
        401 => AuthError::InvalidCredentials { message: server_message(response) },
        _ => http_error(response),
    }
}

/// The human message of an error body (`message` as a string, or the items
/// of a validation array joined), else a generic one with the status.
pub fn server_message(response: &HttpResponse) -> String {
    response.message.clone().unwrap_or_else(|| {
        let mut out = String::from("the server answered ");
        push_u16(&mut out, response.status);
        out
    })
}

fn push_u16(out: &mut String, n: u16) {
    // Digits as strings: pushing a char would bring UTF-8 encoding along.
    const DIGITS: [&str; 10] = ["0", "1", "2", "3", "4", "5", "6", "7", "8", "9"];
    let mut digits = [0usize; 5];
    let mut i = digits.len();
    let mut n = usize::from(n);
    loop {
        i -= 1;
        if let Some(d) = digits.get_mut(i) {
            *d = n % 10;
        }
        n /= 10;
        if n == 0 || i == 0 {
            break;
        }
    }
    while let Some(d) = digits.get(i) {
        out.push_str(DIGITS.get(*d).copied().unwrap_or_default());
        i += 1;
    }
}

pub fn http_error(response: &HttpResponse) -> AuthError {
    let message = server_message(response);
    match response.status {
        400 => AuthError::InvalidRequest { message },
        401 => AuthError::Unauthorized { message },
        409 => AuthError::Conflict { message },
        429 => AuthError::RateLimited { message },
        status => AuthError::Server { status, message },
    }
}

// The native tests read JSON and URLs with the native parsers.
#[cfg(all(test, not(target_arch = "wasm32")))]
mod tests {
    use super::*;
    use crate::json::Json;
    use crate::effects::{ManualClock, MemoryLock, MemoryNavigation, MemoryStorage, MemoryTabs, NativeParsers};
    use crate::jwt::make_token;
    use crate::options::RawOptions;
    use std::collections::VecDeque;
    use std::rc::Rc;
    use std::task::{Context, Poll, Waker};

    /// Runs a future whose effects complete at once.
    fn block_on<T>(f: impl Future<Output = T>) -> T {
        let mut f = std::pin::pin!(f);
        let mut cx = Context::from_waker(Waker::noop());
        match f.as_mut().poll(&mut cx) {
            Poll::Ready(v) => v,
            Poll::Pending => panic!("the in-memory effects never wait"),
        }
    }

    type Log = Rc<RefCell<Vec<String>>>;

    /// Answers requests from a script and logs their URLs.
    #[derive(Default)]
    struct ScriptedHttp {
        answers: RefCell<VecDeque<Result<HttpResponse, HttpFailure>>>,
        sent: RefCell<Vec<HttpRequest>>,
        log: Log,
        /// Runs while the next request is in flight (then is cleared).
        during: RefCell<Option<Box<dyn Fn()>>>,
    }

    impl ScriptedHttp {
        fn answer(&self, status: u16, body: &str) {
            self.answers.borrow_mut().push_back(Ok(NativeParsers.answer(status, body)));
        }
        fn fail(&self, f: HttpFailure) {
            self.answers.borrow_mut().push_back(Err(f));
        }
        fn urls(&self) -> Vec<String> {
            self.sent.borrow().iter().map(|r| r.url.clone()).collect()
        }
    }

    impl Http for ScriptedHttp {
        fn send(&self, request: HttpRequest) -> impl Future<Output = Result<HttpResponse, HttpFailure>> + 'static {
            self.log.borrow_mut().push(request.url.clone());
            self.sent.borrow_mut().push(request);
            let during = self.during.borrow_mut().take();
            let answer = self.answers.borrow_mut().pop_front().unwrap_or(Err(HttpFailure::Network));
            async move {
                if let Some(f) = during {
                    f();
                }
                answer
            }
        }
    }

    /// Hooks that log their names; the ones named "bad" fail.
    #[derive(Default)]
    struct LoggingHooks {
        names: Vec<&'static str>,
        log: Log,
    }

    impl Hooks<String> for LoggingHooks {
        async fn run(&self) -> Vec<(u32, String)> {
            let mut failed = Vec::new();
            for (i, name) in self.names.iter().enumerate() {
                self.log.borrow_mut().push((*name).to_owned());
                if *name == "bad" {
                    failed.push((i as u32, "boom".to_owned()));
                }
            }
            failed
        }
    }

    #[derive(Default)]
    struct Recorder {
        changes: Cell<u32>,
        warnings: RefCell<Vec<&'static str>>,
        /// Debug events as "type text a b", when debugging.
        events: RefCell<Option<Vec<String>>>,
    }

    impl Observer for Recorder {
        fn changed(&self, _s: &Session) {
            self.changes.set(self.changes.get() + 1);
        }
        fn warn(&self, code: &'static str) {
            self.warnings.borrow_mut().push(code);
        }
        fn debugging(&self) -> bool {
            self.events.borrow().is_some()
        }
        fn debug(&self, kind: DebugKind, text: Option<&str>, a: f64, b: f64) {
            let mut line = kind.name().to_owned();
            let number = |n: f64| (!n.is_nan()).then(|| n.to_string());
            for part in [text.map(str::to_owned), number(a), number(b)].into_iter().flatten() {
                line.push(' ');
                line.push_str(&part);
            }
            if let Some(events) = self.events.borrow_mut().as_mut() {
                events.push(line);
            }
        }
    }

    struct Mem;
    impl Effects for Mem {
        type Store = MemoryStorage;
        type Http = ScriptedHttp;
        type Nav = MemoryNavigation;
        type Clock = ManualClock;
        type Tabs = MemoryTabs;
        type Hooks = LoggingHooks;
        type Observer = Recorder;
        type Parsers = NativeParsers;
        type Lock = MemoryLock;
    }

    const NOW: f64 = 1_700_000_000_000.0;

    fn platform(hooks: Vec<&'static str>) -> Platform<Mem> {
        let log = Log::default();
        let fx = Platform::<Mem> {
            tokens: MemoryStorage::default(),
            session: MemoryStorage::default(),
            shared: MemoryStorage::default(),
            http: ScriptedHttp { log: log.clone(), ..Default::default() },
            nav: MemoryNavigation::default(),
            clock: ManualClock::default(),
            tabs: MemoryTabs::default(),
            hooks: LoggingHooks { names: hooks, log },
            observer: Recorder::default(),
            parsers: NativeParsers,
            lock: MemoryLock::default(),
        };
        fx.clock.now.set(NOW);
        fx
    }

    fn options(f: impl FnOnce(&mut RawOptions)) -> Options {
        let mut raw = RawOptions { base_url: Some(Json::Str("http://127.0.0.1:3000".into())), ..Default::default() };
        f(&mut raw);
        raw.validate("http://127.0.0.1:8000", &NativeParsers).expect("valid options")
    }

    fn token(exp_s: f64) -> String {
        let mut payload = String::from(r#"{"sub":1,"email":"demo@sociapp.dev","exp":"#);
        payload.push_str(&(exp_s as u64).to_string());
        payload.push('}');
        make_token(&payload)
    }

    fn live_token() -> String {
        token(NOW / 1000.0 + 900.0)
    }

    fn token_body(t: &str) -> String {
        String::from(r#"{"access_token":""#) + t + "\"}"
    }

    /// An engine with a live token in storage.
    fn signed_in(hooks: Vec<&'static str>, f: impl FnOnce(&mut RawOptions)) -> Engine<Mem> {
        let fx = platform(hooks);
        fx.tokens.set("access_token", &live_token()).expect("set");
        let e = Engine::new(options(f), fx);
        assert!(e.is_signed_in());
        e
    }

    /// The retry of a server logout, to its end: whether the server confirmed.
    fn retry(e: &Engine<Mem>) -> bool {
        e.retry_server_logout().is_some_and(|call| e.server_logout_retried(&block_on(call)))
    }

    fn log(e: &Engine<Mem>) -> Vec<String> {
        e.fx.http.log.borrow().clone()
    }

    #[test]
    fn login_stores_the_raw_token_and_signs_in() {
        let e = Engine::new(options(|_| {}), platform(vec![]));
        let t = live_token();
        e.fx.shared.set("access_token:logged_out", "1").expect("set");
        e.fx.http.answer(200, &token_body(&t));
        block_on(e.login("demo@sociapp.dev", "pw\"x")).expect("signed in");
        assert_eq!(e.fx.tokens.get("access_token"), Ok(Some(t.clone())));
        assert_eq!(e.access_token(), Some(t));
        e.with_session(|s| assert_eq!(s.status(), "signedIn"));
        let sent = e.fx.http.sent.borrow();
        assert_eq!(sent[0].url, "http://127.0.0.1:3000/auth/login");
        assert_eq!(sent[0].method, Method::Post);
        assert_eq!(sent[0].json.as_deref(), Some(r#"{"email":"demo@sociapp.dev","password":"pw\"x"}"#));
        assert_eq!(e.fx.observer.changes.get(), 1);
        assert!(!e.logged_out_marker(), "an explicit login clears the marker");
        assert_eq!(*e.fx.tabs.posted.borrow(), vec![TabMessage::Login]);
    }

    #[test]
    fn login_failures_map_to_codes_with_the_server_message() {
        let e = Engine::new(options(|_| {}), platform(vec![]));
        let http = &e.fx.http;
        http.answer(401, r#"{"statusCode":401,"message":"Invalid credentials","error":"Unauthorized"}"#);
        http.answer(400, r#"{"statusCode":400,"message":["email must be an email","password should not be empty"]}"#);
        http.answer(429, r#"{"statusCode":429,"message":"ThrottlerException: Too Many Requests"}"#);
        http.answer(503, "<html>");
        http.answer(200, "{\"access_token\": ");
        http.fail(HttpFailure::Timeout);
        http.fail(HttpFailure::Network);
        let errs: Vec<AuthError> = (0..7).map(|_| block_on(e.login("a@b.c", "x")).expect_err("fails")).collect();
        assert_eq!(errs[0], AuthError::InvalidCredentials { message: "Invalid credentials".into() });
        assert_eq!(
            errs[1],
            AuthError::InvalidRequest { message: "email must be an email; password should not be empty".into() }
        );
        assert_eq!(errs[2].code(), "rate_limited");
        assert_eq!(errs[3], AuthError::Server { status: 503, message: "the server answered 503".into() });
        assert_eq!(errs[4], AuthError::InvalidResponse { status: 200 });
        assert_eq!(errs[5], AuthError::Timeout);
        assert_eq!(errs[6], AuthError::Network);
        e.with_session(|s| assert_eq!(s, &Session::SignedOut { reason: None }));
        assert!(e.fx.tokens.is_empty());
    }

    #[test]
    fn logout_runs_the_plan_in_order_and_reports_success() {
        let e = signed_in(vec!["resetStore", "bad", "analytics"], |r| r.redirect_to = Some(Json::Str("/login".into())));
        e.fx.session.set("draft", "x").expect("set");
        e.fx.http.answer(200, r#"{"message":"Logged out successfully"}"#);
        let report = block_on(e.logout());
        assert_eq!(report.server, Some(ServerOutcome::Ok));
        assert_eq!(report.status, Some(200));
        assert_eq!(report.errors, vec![StepFailure { step: "onLogout", index: Some(1), thrown: Some("boom".into()) }]);
        assert_eq!(log(&e), vec!["http://127.0.0.1:3000/auth/logout", "resetStore", "bad", "analytics"]);
        assert_eq!(e.fx.tokens.get("access_token"), Ok(None));
        assert!(e.fx.session.is_empty());
        assert_eq!(*e.fx.nav.visited.borrow(), vec!["/login"]);
        assert_eq!(e.access_token(), None);
        e.with_session(|s| assert_eq!(s.reason(), Some(Reason::Logout)));
        assert!(!e.logged_out_marker());
        assert_eq!(*e.fx.tabs.posted.borrow(), vec![TabMessage::Logout]);
    }

    #[test]
    fn the_logout_request_is_in_flight_while_the_session_ends() {
        let e = Rc::new(signed_in(vec![], |_| {}));
        let weak = Rc::downgrade(&e);
        let seen = Rc::new(Cell::new(None));
        let during = seen.clone();
        // Observed while the request is pending: the session is already over.
        *e.fx.http.during.borrow_mut() = Some(Box::new(move || {
            during.set(weak.upgrade().map(|e| e.is_signed_in()));
        }));
        e.fx.http.answer(200, "{}");
        let server = e.send_logout();
        assert_eq!(e.fx.http.urls(), vec!["http://127.0.0.1:3000/auth/logout"], "sent before any await");
        assert!(e.is_signed_in(), "sending alone ends nothing");
        let ended = e.begin_sign_out(Reason::Logout);
        assert_eq!(e.access_token(), None);
        assert_eq!(e.fx.tokens.get("access_token"), Ok(None));
        let report = block_on(e.finish_sign_out(Some(server), ended));
        assert_eq!(seen.get(), Some(false), "the answer was awaited after the session ended");
        assert_eq!(report.server, Some(ServerOutcome::Ok));
        assert_eq!(e.fx.http.urls().len(), 1, "one request");
    }

    #[test]
    fn every_server_failure_still_tears_down_locally_and_leaves_the_marker() {
        for (fail, expected, status) in [
            (Some(500), ServerOutcome::Failed, Some(500)),
            (None, ServerOutcome::Timeout, None),
            (Some(0), ServerOutcome::Unreachable, None),
        ] {
            let e = signed_in(vec!["reset"], |_| {});
            match fail {
                Some(0) => e.fx.http.fail(HttpFailure::Network),
                Some(code) => e.fx.http.answer(code, "{}"),
                None => e.fx.http.fail(HttpFailure::Timeout),
            }
            let report = block_on(e.logout());
            assert_eq!(report.server, Some(expected));
            assert_eq!(report.status, status);
            assert!(report.errors.is_empty());
            assert_eq!(e.fx.tokens.get("access_token"), Ok(None));
            assert_eq!(e.access_token(), None);
            assert_eq!(*e.fx.nav.visited.borrow(), vec!["/"]);
            assert_eq!(log(&e).last().map(String::as_str), Some("reset"));
            assert!(e.logged_out_marker(), "the refresh cookie may still be valid");
            assert_eq!(e.fx.shared.get("access_token:logged_out"), Ok(Some("1".into())));
        }
    }

    #[test]
    fn the_marker_blocks_refresh_until_the_retry_succeeds() {
        let e = signed_in(vec![], |_| {});
        e.fx.http.answer(500, "{}");
        block_on(e.logout());
        assert!(e.logged_out_marker());
        // A later page load: the marker is in shared storage.
        let fx = platform(vec![]);
        fx.shared.set("access_token:logged_out", "1").expect("set");
        fx.tokens.set("access_token", &live_token()).expect("set");
        let e = Engine::new(options(|_| {}), fx);
        assert_eq!(block_on(e.refresh()), Err(AuthError::NotSignedIn));
        assert!(e.fx.http.sent.borrow().is_empty(), "no refresh request while the marker is set");
        // Signed in (a token was restored): no retry either, that is the app's session.
        assert!(!retry(&e));

        let fx = platform(vec![]);
        fx.shared.set("access_token:logged_out", "1").expect("set");
        let e = Engine::new(options(|_| {}), fx);
        e.fx.http.fail(HttpFailure::Network);
        assert!(!retry(&e));
        assert!(e.logged_out_marker());
        e.fx.http.answer(200, "{}");
        assert!(retry(&e));
        assert!(!e.logged_out_marker());
        assert_eq!(e.fx.http.urls(), vec!["http://127.0.0.1:3000/auth/logout"; 2]);
        assert!(!retry(&e), "nothing left to retry");
    }

    #[test]
    fn the_token_is_gone_before_the_server_is_called() {
        let e = Rc::new(signed_in(vec![], |_| {}));
        let seen = Rc::new(RefCell::new(None));
        let (weak, sink) = (Rc::downgrade(&e), seen.clone());
        *e.fx.http.during.borrow_mut() = Some(Box::new(move || {
            if let Some(e) = weak.upgrade() {
                *sink.borrow_mut() = Some((e.fx.tokens.get("access_token"), e.access_token()));
            }
        }));
        e.fx.http.answer(200, "{}");
        block_on(e.logout());
        assert_eq!(*seen.borrow(), Some((Ok(None), None)));
        assert_eq!(e.fx.observer.changes.get(), 1);
    }

    #[test]
    fn debug_events_tell_each_step_in_order_and_only_when_asked() {
        let e = Engine::new(options(|_| {}), platform(vec!["reset", "bad"]));
        // Off: nothing is recorded (and nothing measured).
        e.fx.http.answer(200, &token_body(&live_token()));
        block_on(e.login("demo@sociapp.dev", "pw")).expect("signed in");
        assert_eq!(*e.fx.observer.events.borrow(), None);

        *e.fx.observer.events.borrow_mut() = Some(Vec::new());
        e.fx.clock.random.set(0.5);
        e.fx.http.answer(503, "{}");
        assert!(block_on(e.refresh()).is_err());
        e.fx.http.answer(200, &token_body(&token(NOW / 1000.0 + 1800.0)));
        block_on(e.refresh()).expect("renewed");
        e.fx.http.answer(200, "{}");
        block_on(e.logout());
        e.fx.http.answer(401, r#"{"message":"Invalid credentials"}"#);
        assert!(block_on(e.login("demo@sociapp.dev", "wrong")).is_err());
        let events = e.fx.observer.events.borrow().clone().expect("debugging");
        assert_eq!(
            events,
            [
                "refresh:start",
                "refresh:lock held 0",
                "refresh:retry server 1 750",
                "refresh:end server 503 0",
                "refresh:start",
                "refresh:lock held 0",
                "refresh:end ok 200 0",
                "signout:start logout",
                "signout:step token 1",
                "tab:sent logout",
                "logout:request ok 200 0",
                "signout:step sessionStorage 1",
                "signout:step onLogout 0 1",
                "signout:step navigate 1",
                "signout:end logout 0",
                "login:start",
                "login:end invalid_credentials 401 0",
            ]
        );
        assert!(events.iter().all(|line| !line.contains("pw") && !line.contains('.')), "no password, no token");
    }

    /// A platform whose observer records debug events from the start.
    fn debugged(hooks: Vec<&'static str>) -> Platform<Mem> {
        let fx = platform(hooks);
        *fx.observer.events.borrow_mut() = Some(Vec::new());
        fx
    }

    fn events(e: &Engine<Mem>) -> Vec<String> {
        e.fx.observer.events.borrow().clone().expect("debugging")
    }

    #[test]
    fn a_visitor_and_a_logged_out_browser_are_not_restored() {
        for storage in ["local", "session", "memory"] {
            let e = Engine::new(options(|o| o.token_storage = Some(Json::Str(storage.into()))), debugged(vec![]));
            assert!(!e.restoring() && !e.is_signed_in(), "{storage}");
            assert!(events(&e).is_empty(), "nothing to restore: no event");

            // The hint, but a logout the server has not confirmed: no refresh.
            let fx = debugged(vec![]);
            fx.shared.set("access_token:signed_in", "1").expect("set");
            fx.shared.set("access_token:logged_out", "1").expect("set");
            let e = Engine::new(options(|o| o.token_storage = Some(Json::Str(storage.into()))), fx);
            assert!(!e.restoring() && !e.is_signed_in(), "{storage}");
            assert!(events(&e).is_empty());
            assert!(e.fx.http.urls().is_empty());
        }
        // A live stored token needs no restore, and says nothing of it.
        let fx = debugged(vec![]);
        fx.tokens.set("access_token", &live_token()).expect("set");
        let e = Engine::new(options(|_| {}), fx);
        assert!(!e.restoring() && e.is_signed_in());
        assert!(events(&e).is_empty());
    }

    #[test]
    fn a_memory_session_is_restored_from_the_cookie_under_the_lock() {
        let fx = debugged(vec!["reset"]);
        fx.shared.set("access_token:signed_in", "1").expect("set");
        let e = Engine::new(options(|o| o.token_storage = Some(Json::Str("memory".into()))), fx);
        assert!(e.restoring() && e.is_signed_in());
        assert_eq!(e.access_token(), None, "signed in, with no token to send yet");
        e.with_session(|s| assert_eq!(s.claims(), None));
        let t = live_token();
        e.fx.http.answer(200, &token_body(&t));
        block_on(e.refresh()).expect("restored");
        assert!(!e.restoring());
        assert_eq!(e.access_token(), Some(t.clone()));
        assert_eq!(e.fx.http.urls(), ["http://127.0.0.1:3000/auth/refresh"]);
        assert_eq!(*e.fx.lock.taken.borrow(), ["sociapp-auth:access_token:refresh"]);
        assert_eq!(e.fx.shared.get("access_token"), Ok(None), "a memory token never reaches Web Storage");
        assert_eq!(e.fx.shared.get("access_token:signed_in"), Ok(Some("1".into())));
        assert_eq!(
            events(&e),
            ["restore:start", "refresh:start", "refresh:lock held 0", "refresh:end ok 200 0", "restore:end ok 200 0"]
        );
    }

    #[test]
    fn a_restore_refused_for_good_ends_quietly() {
        // An expired token in localStorage and the hint; the cookie is gone.
        let fx = debugged(vec!["reset"]);
        fx.shared.set("access_token:signed_in", "1").expect("set");
        fx.tokens.set("access_token", &token(NOW / 1000.0 - 1.0)).expect("set");
        let e = Engine::new(options(|_| {}), fx);
        assert!(e.restoring() && e.is_signed_in());
        assert_eq!(e.access_token(), None, "an expired token is never sent");
        e.fx.http.answer(401, r#"{"message":"Invalid refresh token"}"#);
        assert_eq!(block_on(e.refresh()).map_err(|e| e.code()), Err("unauthorized"));
        e.with_session(|s| assert_eq!(s, &Session::SignedOut { reason: Some(Reason::Expired) }));
        assert_eq!(e.fx.tokens.get("access_token"), Ok(None));
        assert_eq!(e.fx.shared.get("access_token:signed_in"), Ok(None), "the hint is gone: no restore next time");
        assert!(log(&e).iter().all(|l| l != "reset"), "no hooks: the page never saw the session");
        assert!(e.fx.nav.visited.borrow().is_empty(), "no navigation");
        assert!(e.fx.tabs.posted.borrow().is_empty(), "the other tabs' sessions are their own");
        assert_eq!(e.fx.http.urls(), ["http://127.0.0.1:3000/auth/refresh"], "no logout call");
        assert_eq!(events(&e).last().map(String::as_str), Some("restore:end unauthorized 401 0"));
        // What follows a restore is a renewal like any other.
        assert!(!e.restoring());
    }

    #[test]
    fn a_restore_that_fails_for_a_passing_reason_keeps_the_session_pending() {
        let fx = debugged(vec![]);
        fx.shared.set("access_token:signed_in", "1").expect("set");
        fx.clock.random.set(0.5);
        let e = Engine::new(options(|o| o.token_storage = Some(Json::Str("session".into()))), fx);
        e.fx.http.fail(HttpFailure::Network);
        assert_eq!(block_on(e.refresh()), Err(AuthError::Network));
        assert!(e.is_signed_in() && e.renewal_pending());
        assert_eq!(e.access_token(), None);
        assert_eq!(e.renewal_due_in(), Some(750.0));
        assert_eq!(events(&e).last().map(String::as_str), Some("restore:end network 0"));
        // The retry is a renewal like any other: a definitive failure now
        // runs the whole teardown.
        e.fx.http.answer(200, &token_body(&live_token()));
        block_on(e.refresh()).expect("renewed");
        assert!(e.access_token().is_some() && !e.renewal_pending());
    }

    #[test]
    fn sign_ins_set_the_hint_and_sign_outs_clear_it_but_another_tab_s() {
        let e = Engine::new(options(|_| {}), platform(vec![]));
        e.fx.http.answer(200, &token_body(&live_token()));
        block_on(e.login("demo@sociapp.dev", "pw")).expect("signed in");
        assert_eq!(e.fx.shared.get("access_token:signed_in"), Ok(Some("1".into())));
        e.fx.http.answer(200, "{}");
        block_on(e.logout());
        assert_eq!(e.fx.shared.get("access_token:signed_in"), Ok(None));

        let e = signed_in(vec![], |_| {});
        e.fx.shared.set("access_token:signed_in", "1").expect("set");
        let ended = e.other_tab_signed_out().expect("ended");
        block_on(e.finish_sign_out(None, ended));
        assert_eq!(e.fx.shared.get("access_token:signed_in"), Ok(Some("1".into())), "the other tab's to clear");
    }

    #[test]
    fn set_session_adopts_a_live_jwt_and_refuses_anything_else() {
        let e = Engine::new(options(|_| {}), platform(vec![]));
        e.fx.shared.set("access_token:logged_out", "1").expect("set");
        let no_exp = make_token(r#"{"sub":1,"email":"a@b.c"}"#);
        for bad in [None, Some(String::new()), Some("not-a-jwt".into()), Some(token(NOW / 1000.0 - 1.0)), Some(no_exp)] {
            let err = e.set_session_token(bad).expect_err("refused");
            assert_eq!(err.code(), "invalid_argument");
            assert_eq!(err.message(), "access_token must be a JWT whose exp is in the future");
        }
        assert!(!e.is_signed_in() && e.fx.tabs.posted.borrow().is_empty());
        let t = live_token();
        e.set_session_token(Some(t.clone())).expect("adopted");
        assert_eq!(e.access_token(), Some(t.clone()));
        assert_eq!(e.fx.tokens.get("access_token"), Ok(Some(t)));
        assert!(!e.logged_out_marker(), "an explicit sign-in clears the marker");
        assert_eq!(e.fx.shared.get("access_token:signed_in"), Ok(Some("1".into())));
        assert_eq!(*e.fx.tabs.posted.borrow(), vec![TabMessage::Login]);
        assert!(e.fx.http.urls().is_empty(), "no request");
    }

    #[test]
    fn verify_email_signs_in_like_login_and_names_its_own_answers() {
        let e = Engine::new(options(|_| {}), platform(vec![]));
        let verify = |code: &str| {
            let body = e.fx.parsers.body_json("email", "new@sociapp.dev", Some(("code", code)));
            block_on(e.sign_in_since(e.epoch(), Path::VerifyEmail, body))
        };
        e.fx.http.answer(200, r#"{"message":"Email already verified"}"#);
        assert_eq!(verify("123456"), Err(AuthError::AlreadyVerified { message: "Email already verified".into() }));
        e.fx.http.answer(401, r#"{"message":"Código de verificación incorrecto. Inténtelo de nuevo."}"#);
        let wrong = verify("000000").expect_err("refused");
        assert_eq!((wrong.code(), wrong.status()), ("invalid_credentials", Some(401)));
        assert_eq!(wrong.message(), "Código de verificación incorrecto. Inténtelo de nuevo.");
        e.fx.http.answer(409, r#"{"message":"Email already exists"}"#);
        let conflict = verify("123456").expect_err("refused");
        assert_eq!((conflict.code(), conflict.status()), ("conflict", Some(409)));
        assert!(!e.is_signed_in());
        let t = live_token();
        e.fx.http.answer(200, &token_body(&t));
        verify("123456").expect("signed in");
        assert_eq!(e.access_token(), Some(t));
        assert_eq!(e.fx.http.sent.borrow()[0].json.as_deref(), Some(r#"{"email":"new@sociapp.dev","code":"123456"}"#));
        assert_eq!(*e.fx.tabs.posted.borrow(), vec![TabMessage::Login]);
        // A login's 2xx without a token stays unreadable: only verify-email says "already verified".
        e.fx.http.answer(200, r#"{"message":"hello"}"#);
        assert_eq!(block_on(e.login("a@b.c", "x")), Err(AuthError::InvalidResponse { status: 200 }));
    }

    #[test]
    fn the_logout_under_way_tells_its_server_answer_once_it_came() {
        let e = signed_in(vec![], |_| {});
        e.fx.http.answer(503, "{}");
        let server = e.send_logout();
        let ended = e.begin_sign_out(Reason::Logout);
        assert_eq!(e.logout_answered(), None, "not before the answer");
        block_on(e.finish_sign_out(Some(server), ended));
        assert_eq!(e.logout_answered(), Some((ServerOutcome::Failed, Some(503))));
        e.begin_sign_out(Reason::Logout);
        assert_eq!(e.logout_answered(), None, "each logout starts without one");
    }

    #[test]
    fn refresh_adopts_the_new_token() {
        let e = signed_in(vec![], |_| {});
        let fresh = token(NOW / 1000.0 + 1800.0);
        e.fx.http.answer(200, &token_body(&fresh));
        block_on(e.refresh()).expect("refreshed");
        assert_eq!(e.access_token().as_deref(), Some(fresh.as_str()));
        assert_eq!(e.fx.tokens.get("access_token"), Ok(Some(fresh)));
        assert_eq!(e.fx.http.urls(), vec!["http://127.0.0.1:3000/auth/refresh"]);
    }

    #[test]
    fn a_failed_refresh_signs_out_as_expired_without_calling_logout() {
        // Definitive: the cookie is missing, invalid or refused (500 is the
        // public backend's answer without one), or the answer is unusable.
        for (status, body) in [(401, "{}"), (403, "{}"), (500, "{}"), (400, "{}"), (200, "{}")] {
            let e = signed_in(vec!["reset"], |_| {});
            e.fx.http.answer(status, body);
            assert!(block_on(e.refresh()).is_err());
            e.with_session(|s| assert_eq!(s.reason(), Some(Reason::Expired)));
            assert_eq!(e.fx.tokens.get("access_token"), Ok(None));
            assert_eq!(log(&e), vec!["http://127.0.0.1:3000/auth/refresh", "reset"], "no logout call, no second refresh");
            assert_eq!(*e.fx.nav.visited.borrow(), vec!["/"]);
            assert_eq!(*e.fx.tabs.posted.borrow(), vec![TabMessage::Logout]);
        }
    }

    #[test]
    fn a_refresh_that_fails_for_a_passing_reason_keeps_the_session_and_backs_off() {
        let cases: [(Result<u16, HttpFailure>, &str); 6] = [
            (Ok(429), "rate_limited"),
            (Ok(502), "server"),
            (Ok(503), "server"),
            (Ok(504), "server"),
            (Err(HttpFailure::Network), "network"),
            (Err(HttpFailure::Timeout), "timeout"),
        ];
        for (answer, code) in cases {
            let e = signed_in(vec!["reset"], |_| {});
            let held = e.access_token();
            e.fx.clock.random.set(0.5);
            for attempt in 1..=3u32 {
                match answer {
                    Ok(status) => e.fx.http.answer(status, r#"{"statusCode":429,"message":"ThrottlerException: Too Many Requests"}"#),
                    Err(f) => e.fx.http.fail(f),
                }
                let err = block_on(e.refresh()).expect_err("not renewed");
                assert_eq!(err.code(), code);
                assert!(e.is_signed_in(), "{code}: still signed in");
                assert_eq!(e.access_token(), held, "{code}: the token is kept");
                let renewal = e.with_session(|s| s.renewal()).expect("a renewal is pending");
                assert_eq!((renewal.code, renewal.attempts), (code, attempt));
                // 1 s, 2 s, 4 s times a jitter of 0.75.
                assert_eq!(e.renewal_due_in(), Some(750.0 * f64::from(1u32 << (attempt - 1))));
            }
            assert_eq!(e.fx.tokens.get("access_token"), Ok(held.clone()));
            assert!(e.fx.tabs.posted.borrow().is_empty(), "{code}: no sign-out told to the other tabs");
            assert!(e.fx.nav.visited.borrow().is_empty());
            // The server is back: one refresh renews and clears the renewal.
            let fresh = token(NOW / 1000.0 + 1800.0);
            e.fx.http.answer(200, &token_body(&fresh));
            block_on(e.refresh()).expect("renewed");
            assert_eq!(e.access_token(), Some(fresh));
            assert!(!e.renewal_pending());
            assert_eq!(e.renewal_due_in(), None);
            assert_eq!(e.fx.http.urls().len(), 4);
        }
    }

    #[test]
    fn a_definitive_failure_after_passing_ones_ends_the_session_once() {
        let e = signed_in(vec![], |_| {});
        e.fx.http.answer(503, "{}");
        assert!(block_on(e.refresh()).is_err());
        assert!(e.renewal_pending());
        e.fx.http.answer(401, "{}");
        assert!(block_on(e.refresh()).is_err());
        e.with_session(|s| assert_eq!((s.reason(), s.renewal()), (Some(Reason::Expired), None)));
        assert_eq!(block_on(e.refresh()), Err(AuthError::NotSignedIn));
        assert_eq!(e.fx.http.urls().len(), 2);
    }

    #[test]
    fn retry_delays_double_up_to_a_cap_with_jitter_and_honour_retry_after() {
        assert_eq!(retry_delay(1, 0.0, None), 500.0);
        assert_eq!(retry_delay(1, 0.999_999, None).round(), 1000.0);
        assert_eq!(retry_delay(3, 0.0, None), 2000.0);
        assert_eq!(retry_delay(7, 0.0, None), 30_000.0);
        assert_eq!(retry_delay(40, 0.0, None), 30_000.0);
        assert_eq!(retry_delay(u32::MAX, 1.0, None), 60_000.0);
        assert_eq!(retry_delay(1, 0.0, Some(5_000.0)), 5_000.0);
        assert_eq!(retry_delay(1, 0.0, Some(10.0)), 500.0);
    }

    #[test]
    fn a_logout_wins_over_a_pending_renewal() {
        let e = signed_in(vec![], |_| {});
        e.fx.http.answer(429, "{}");
        assert!(block_on(e.refresh()).is_err());
        block_on(e.logout());
        assert!(!e.renewal_pending());
        assert_eq!(e.renewal_due_in(), None);
        assert_eq!(block_on(e.refresh()), Err(AuthError::NotSignedIn));
    }

    #[test]
    fn with_shared_storage_a_refresh_takes_the_lock_and_adopts_another_tab_s_token() {
        let e = signed_in(vec![], |_| {});
        // Another tab renewed while this one waited for the lock.
        let fresh = token(NOW / 1000.0 + 1800.0);
        e.fx.tokens.set("access_token", &fresh).expect("set");
        block_on(e.refresh()).expect("renewed");
        assert_eq!(e.access_token(), Some(fresh.clone()));
        assert!(e.fx.http.urls().is_empty(), "no request of its own");
        assert_eq!(*e.fx.lock.taken.borrow(), vec!["sociapp-auth:access_token:refresh"]);
        // The token in storage is the one refused: this tab refreshes.
        let newer = token(NOW / 1000.0 + 2700.0);
        e.fx.http.answer(200, &token_body(&newer));
        block_on(e.refresh()).expect("renewed");
        assert_eq!(e.access_token(), Some(newer));
        assert_eq!(e.fx.http.urls().len(), 1);
        // An expired token in storage is not adopted.
        e.fx.tokens.set("access_token", &token(NOW / 1000.0 - 1.0)).expect("set");
        e.fx.http.answer(200, &token_body(&fresh));
        block_on(e.refresh()).expect("renewed");
        assert_eq!(e.access_token(), Some(fresh));
        assert_eq!(e.fx.http.urls().len(), 2);
    }

    #[test]
    fn per_tab_storage_refreshes_under_the_lock_and_adopts_no_other_tab_s_token() {
        // The refresh cookie is the browser's, shared by every tab whatever
        // the token storage: its rotation allows one refresh at a time.
        for storage in ["session", "memory"] {
            let fx = platform(vec![]);
            fx.tokens.set("access_token", &live_token()).expect("set");
            let e = Engine::new(options(|o| o.token_storage = Some(Json::Str(storage.into()))), fx);
            let renewed = token(NOW / 1000.0 + 1800.0);
            e.fx.http.answer(200, &token_body(&renewed));
            block_on(e.refresh()).expect("renewed");
            assert_eq!(*e.fx.lock.taken.borrow(), vec!["sociapp-auth:access_token:refresh"], "{storage}");
            assert_eq!(e.fx.http.urls().len(), 1, "a token of this tab's own storage is not another tab's");
            assert_eq!(e.access_token(), Some(renewed));
        }
    }

    #[test]
    fn a_refresh_answered_after_logout_is_discarded_and_its_cookie_expired() {
        let e = Rc::new(signed_in(vec![], |_| {}));
        let weak = Rc::downgrade(&e);
        // The logout begins while the refresh is in flight.
        *e.fx.http.during.borrow_mut() = Some(Box::new(move || {
            if let Some(e) = weak.upgrade() {
                e.begin_sign_out(Reason::Logout);
            }
        }));
        e.fx.http.answer(200, &token_body(&live_token()));
        e.fx.http.answer(200, "{}");
        assert_eq!(block_on(e.refresh()), Err(AuthError::Superseded));
        assert_eq!(e.access_token(), None);
        assert_eq!(e.fx.tokens.get("access_token"), Ok(None));
        e.with_session(|s| assert_eq!(s.reason(), Some(Reason::Logout)));
        assert_eq!(
            e.fx.http.urls(),
            vec!["http://127.0.0.1:3000/auth/refresh", "http://127.0.0.1:3000/auth/logout"],
            "the cookie the late refresh renewed is expired again"
        );
        assert!(!e.logged_out_marker());
    }

    #[test]
    fn a_login_answered_after_logout_is_discarded() {
        let e = Rc::new(Engine::new(options(|_| {}), platform(vec![])));
        let weak = Rc::downgrade(&e);
        *e.fx.http.during.borrow_mut() = Some(Box::new(move || {
            if let Some(e) = weak.upgrade() {
                e.begin_sign_out(Reason::Logout);
            }
        }));
        e.fx.http.answer(200, &token_body(&live_token()));
        e.fx.http.fail(HttpFailure::Network);
        assert_eq!(block_on(e.login("a@b.c", "pw")), Err(AuthError::Superseded));
        assert!(!e.is_signed_in());
        assert!(e.fx.tokens.is_empty());
        assert!(e.logged_out_marker(), "the cookie could not be expired again");
    }

    #[test]
    fn other_tabs_sign_out_without_a_server_call() {
        let e = signed_in(vec!["reset"], |_| {});
        let ended = e.other_tab_signed_out().expect("was signed in");
        let report = block_on(e.finish_sign_out(None, ended));
        assert_eq!(report.server, None);
        e.with_session(|s| assert_eq!(s.reason(), Some(Reason::OtherTab)));
        assert_eq!(log(&e), vec!["reset"]);
        assert_eq!(*e.fx.nav.visited.borrow(), vec!["/"]);
        assert!(e.fx.tabs.posted.borrow().is_empty(), "no echo to the other tabs");
        assert!(e.other_tab_signed_out().is_none(), "nothing to end twice");
    }

    #[test]
    fn a_login_called_before_a_logout_is_void() {
        let e = Engine::new(options(|_| {}), platform(vec![]));
        let called_at = e.epoch();
        // logout() runs before the login's request goes out.
        e.begin_sign_out(Reason::Logout);
        e.fx.http.answer(200, &token_body(&live_token()));
        e.fx.http.answer(200, "{}");
        let body = e.fx.parsers.body_json("email", "a@b.c", Some(("password", "pw")));
        assert_eq!(block_on(e.sign_in_since(called_at, Path::Login, body)), Err(AuthError::Superseded));
        assert!(!e.is_signed_in());
        assert!(e.fx.tokens.is_empty());
        assert_eq!(e.fx.http.urls().last().map(String::as_str), Some("http://127.0.0.1:3000/auth/logout"));
    }

    #[test]
    fn a_late_sign_out_from_another_tab_keeps_a_newer_login() {
        let e = signed_in(vec![], |_| {});
        // Another tab logged out and in again; this tab hears of the logout late.
        let newer = token(NOW / 1000.0 + 600.0);
        e.fx.tokens.set("access_token", &newer).expect("set");
        let ended = e.other_tab_signed_out().expect("was signed in");
        assert!(ended.is_empty());
        assert_eq!(e.fx.tokens.get("access_token"), Ok(Some(newer.clone())), "the newer token stays");
        // The storage event of that login then brings this tab along.
        assert!(e.sync_from_storage().is_none());
        assert_eq!(e.access_token(), Some(newer));
    }

    #[test]
    fn another_tabs_sign_out_clears_this_tabs_own_storage_only() {
        // sessionStorage is this tab's own: its token goes.
        let e = signed_in(vec![], |r| r.token_storage = Some(Json::Str("session".into())));
        e.other_tab_signed_out().expect("was signed in");
        assert_eq!(e.fx.tokens.get("access_token"), Ok(None));
        // localStorage is shared: the tab that signed out cleared it.
        let e = signed_in(vec![], |_| {});
        e.other_tab_signed_out().expect("was signed in");
        assert!(!e.is_signed_in());
        assert!(e.fx.tokens.get("access_token").expect("read").is_some(), "left to the tab that signed out");
    }

    #[test]
    fn a_token_the_server_rejects_ends_the_session_once() {
        let e = signed_in(vec!["reset"], |_| {});
        let t = e.access_token().expect("token");
        assert!(e.token_rejected("another-token").is_none(), "not the session's token");
        let ended = e.token_rejected(&t).expect("ended");
        e.fx.http.answer(200, "{}");
        let report = block_on(e.finish_sign_out(Some(e.send_logout()), ended));
        assert_eq!(report.server, Some(ServerOutcome::Ok), "the refresh cookie is expired too");
        e.with_session(|s| assert_eq!(s.reason(), Some(Reason::ServerRejected)));
        assert_eq!(e.fx.tokens.get("access_token"), Ok(None));
        assert!(e.token_rejected(&t).is_none(), "only once");
    }

    #[test]
    fn storage_sync_follows_other_tabs() {
        let e = signed_in(vec![], |_| {});
        assert!(e.sync_from_storage().is_none(), "in line");
        // Another tab signed in anew.
        let other = token(NOW / 1000.0 + 600.0);
        e.fx.tokens.set("access_token", &other).expect("set");
        assert!(e.sync_from_storage().is_none());
        assert_eq!(e.access_token(), Some(other));
        // Another tab signed out.
        e.fx.tokens.remove("access_token").expect("remove");
        assert!(e.sync_from_storage().is_some());
        e.with_session(|s| assert_eq!(s.reason(), Some(Reason::OtherTab)));
        // A login elsewhere is seen from signed out.
        e.fx.tokens.set("access_token", &live_token()).expect("set");
        assert!(e.sync_from_storage().is_none());
        assert!(e.is_signed_in());
    }

    #[test]
    fn storage_failures_are_reported_once_not_thrown() {
        let e = signed_in(vec![], |r| r.clear_session_storage = Some(Json::Arr(vec![Json::Str("a".into())])));
        e.fx.tokens.failing.set(true);
        e.fx.session.failing.set(true);
        e.fx.shared.failing.set(true);
        e.fx.http.answer(200, "{}");
        let report = block_on(e.logout());
        let steps: Vec<&str> = report.errors.iter().map(|f| f.step).collect();
        assert_eq!(steps, vec!["tokenStorage", "sessionStorage"]);
        assert_eq!(e.access_token(), None);
        assert_eq!(*e.fx.nav.visited.borrow(), vec!["/"]);
        assert_eq!(*e.fx.observer.warnings.borrow(), vec!["storage_unavailable"]);

        // A store that refuses writes keeps the session in memory.
        let e = Engine::new(options(|_| {}), platform(vec![]));
        e.fx.tokens.failing.set(true);
        let t = live_token();
        e.fx.http.answer(200, &token_body(&t));
        block_on(e.login("a@b.c", "pw")).expect("signed in from memory");
        assert_eq!(e.access_token(), Some(t));
        assert_eq!(*e.fx.observer.warnings.borrow(), vec!["storage_unavailable"]);
    }

    #[test]
    fn options_turn_steps_off() {
        let fx = platform(vec![]);
        fx.session.set("keep", "1").expect("set");
        let e = Engine::new(
            options(|r| {
                r.clear_session_storage = Some(Json::Bool(false));
                r.redirect_to = Some(Json::Null);
            }),
            fx,
        );
        e.fx.http.answer(200, "{}");
        block_on(e.logout());
        assert_eq!(e.fx.session.get("keep"), Ok(Some("1".into())));
        assert!(e.fx.nav.visited.borrow().is_empty());
    }

    #[test]
    fn expired_tokens_are_not_restored_or_sent() {
        let fx = platform(vec![]);
        fx.tokens.set("access_token", &token(NOW / 1000.0 - 1.0)).expect("set");
        let e = Engine::new(options(|_| {}), fx);
        assert_eq!(e.access_token(), None);
        e.with_session(|s| assert_eq!(s.reason(), Some(Reason::Expired)));
        assert_eq!(e.fx.tokens.get("access_token"), Ok(None));

        let fx = platform(vec![]);
        fx.tokens.set("access_token", &token(NOW / 1000.0 + 10.0)).expect("set");
        let e = Engine::new(options(|_| {}), fx);
        assert!(e.access_token().is_some());
        e.fx.clock.now.set(NOW + 10_000.0);
        assert_eq!(e.access_token(), None);
    }

    #[test]
    fn proactive_refresh_is_due_before_expiry() {
        let e = signed_in(vec![], |_| {});
        assert_eq!(e.refresh_due_in(), Some(840_000.0), "60 s before a 15 min token ends");
        e.fx.clock.now.set(NOW + 880_000.0);
        assert_eq!(e.refresh_due_in(), Some(10_000.0), "half of what is left");
        e.fx.clock.now.set(NOW + 900_000.0);
        assert_eq!(e.refresh_due_in(), Some(0.0));
        let e = Engine::new(options(|_| {}), platform(vec![]));
        assert_eq!(e.refresh_due_in(), None);
    }

    #[test]
    fn a_custom_token_key_and_prefix_are_used() {
        let fx = platform(vec![]);
        fx.tokens.set("jwt", "opaque-token").expect("set");
        let e = Engine::new(
            options(|r| {
                r.token_key = Some(Json::Str("jwt".into()));
                r.base_url = Some(Json::Str("https://api.example.com/v1/".into()));
            }),
            fx,
        );
        assert_eq!(e.access_token().as_deref(), Some("opaque-token"));
        e.fx.http.answer(500, "{}");
        block_on(e.logout());
        assert_eq!(e.fx.http.urls(), vec!["https://api.example.com/v1/auth/logout"]);
        assert_eq!(e.fx.tokens.get("jwt"), Ok(None));
        assert_eq!(e.fx.shared.get("jwt:logged_out"), Ok(Some("1".into())));
    }

    #[test]
    fn status_digits() {
        for n in [0u16, 7, 42, 500, 65535] {
            let mut s = String::new();
            push_u16(&mut s, n);
            assert_eq!(s, n.to_string());
        }
    }
}
