//! The client: the engine bound to the browser effects, the `fetch`
//! wrapper, the page events a client listens to, and the exports through
//! which `index.js`'s `AuthClient` class reaches it.

use std::cell::RefCell;
use std::future::Future;
use std::pin::Pin;
use std::rc::{Rc, Weak};
use std::task::{Context, Poll};

use js_sys::{Array, Function, Object, Promise};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;

use super::convert::{
    self, get, reject, report_object, snapshot_object, to_js_error,
};
use crate::browser::{
    self, BrowserClock, BrowserHttp, BrowserLock, BrowserNavigation, BrowserParsers, BrowserStorage, BrowserTabs,
    JsHooks, PageEvents, Timer,
};
use crate::effects::{Parsers, TabMessage};
use crate::engine::{self, DebugKind, Effects, Engine, Observer, Platform, StepFailure};
use crate::error::AuthError;
use crate::options::{self, Path, RawOptions, TokenStorage};
use crate::session::Session;
use crate::task::{self, Settled};
use crate::wire::{call, error_as, failure, page_event};

/// The session's listeners (a JS `Map` from id to function, which
/// `index.js` fills) and the snapshot handed out until a change.
struct Listeners {
    entries: js_sys::Map,
    snapshot: RefCell<Option<JsValue>>,
}

impl Listeners {
    /// Replaces the snapshot and queues it for every listener: they are
    /// called once the module is done with the change (see
    /// [`browser::deliver`]), so they may call any method. A listener that
    /// throws does not stop the others.
    fn changed(&self, session: &Session) {
        let snapshot = snapshot_object(session);
        *self.snapshot.borrow_mut() = Some(snapshot.clone());
        browser::deliver(&self.entries, &snapshot);
    }
}

/// Hears the engine: notifies listeners, keeps the refresh timer in step,
/// reports warnings, and hands debug events to the `debug` option.
struct JsObserver {
    listeners: Rc<Listeners>,
    inner: Weak<Inner>,
    /// `true` (the console) or the app's function; `None`: no debug events.
    debug: Option<JsValue>,
}

impl Observer for JsObserver {
    fn changed(&self, session: &Session) {
        self.listeners.changed(session);
        if let Some(inner) = self.inner.upgrade() {
            inner.schedule_refresh();
        }
    }
    fn warn(&self, code: &'static str) {
        browser::warn(code);
    }
    fn debugging(&self) -> bool {
        self.debug.is_some()
    }
    fn debug(&self, kind: DebugKind, text: Option<&str>, a: f64, b: f64) {
        if let Some(sink) = &self.debug {
            browser::debug(sink, kind as u32, text, a, b);
        }
    }
}

struct Browser;

impl Effects for Browser {
    type Store = BrowserStorage;
    type Http = BrowserHttp;
    type Nav = BrowserNavigation;
    type Clock = BrowserClock;
    type Tabs = BrowserTabs;
    type Hooks = JsHooks;
    type Observer = JsObserver;
    type Parsers = BrowserParsers;
    type Lock = BrowserLock;
}

struct Inner {
    engine: Engine<Browser>,
    listeners: Rc<Listeners>,
    /// The API's origin as the browser writes it, for comparing request URLs.
    api_origin: String,
    /// The logout in progress: concurrent calls share it.
    pending_logout: RefCell<Option<Promise>>,
    /// The refresh in progress: every request that met a 401 waits on it.
    pending_refresh: RefCell<Option<Promise>>,
    /// The retry of a renewal that failed for a passing reason, or the
    /// proactive refresh (with `autoRefresh`).
    refresh_timer: RefCell<Option<Timer>>,
    /// Page and channel events this client listens to; removed on drop.
    events: RefCell<Option<PageEvents>>,
}

/// A client for one SociApp API. JavaScript holds it through `index.js`'s
/// `AuthClient` class (see [`client_call`]); Rust callers use it directly
/// (a clone is another handle on the same client).
#[derive(Clone)]
pub struct AuthClient {
    inner: Rc<Inner>,
}

type Task = std::pin::Pin<Box<dyn std::future::Future<Output = Result<JsValue, JsValue>>>>;

/// A promise of a future; one instantiation for every call (smaller module).
fn promise(f: impl std::future::Future<Output = Result<JsValue, JsValue>> + 'static) -> Promise {
    task::promise(Box::pin(f) as Task)
}

/// Runs a future to completion in the background.
fn spawn(f: impl std::future::Future<Output = ()> + 'static) {
    task::spawn(Box::pin(f) as std::pin::Pin<Box<dyn std::future::Future<Output = ()>>>);
}

/// A request already sent: the token it carries (if any), a copy to replay
/// after a 401 (without the token), and the pending `fetch`.
type Sent = (Option<String>, JsValue, Promise);

/// Adds `token` (if any), keeps a copy of the request for a replay, and
/// calls `fetch` (the option, else the page's).
fn start(fetch: &JsValue, request: &JsValue, token: Option<String>) -> Sent {
    let sent = browser::authorized(fetch, request, token.as_deref(), true);
    (token, sent.get(1), sent.get(0).unchecked_into())
}

/// The status of a `fetch` answer.
fn status(response: &JsValue) -> f64 {
    get(response, "status").as_f64().unwrap_or(0.0)
}

impl Inner {
    fn snapshot(&self) -> JsValue {
        if let Some(s) = self.listeners.snapshot.borrow().as_ref() {
            return s.clone();
        }
        let s = self.engine.with_session(snapshot_object);
        *self.listeners.snapshot.borrow_mut() = Some(s.clone());
        s
    }

    /// A Request for `input`/`init` (with `timeout_ms`, not 0: a signal that
    /// aborts after it), and whether it goes to the API's origin. Where
    /// `new Request` refuses them, a promise rejected with what it threw.
    fn request(&self, input: &JsValue, init: &JsValue, timeout_ms: u32) -> Result<(JsValue, bool), Promise> {
        // The browser writes request URLs in normal form: the API's origin
        // followed by "/" starts every URL on it, and no other.
        let made = browser::request(input, init, &self.api_origin, timeout_ms);
        let on_api = made.get(1);
        if on_api.is_undefined() {
            return Err(made.get(0).unchecked_into());
        }
        Ok((made.get(0), on_api.as_bool() == Some(true)))
    }

    /// Sends a request; to the API it carries the token while signed in. A
    /// 401 to a request that carried the token triggers one shared refresh,
    /// then one retry with the new token. The request leaves before this
    /// returns, unless an expired token has to be renewed first. A renewal
    /// that fails for a passing reason (see [`engine::transient`]) fails the
    /// request with its error; the session stays signed in.
    fn send(self: Rc<Self>, request: JsValue, to_api: bool) -> impl std::future::Future<Output = Result<JsValue, JsValue>> + 'static {
        let token = if to_api { self.engine.access_token() } else { None };
        // Signed in with an expired token: renew before sending.
        let renew_first = to_api && token.is_none() && self.engine.is_signed_in();
        let sent = if renew_first { None } else { Some(start(&self.engine.fx.http.fetch, &request, token)) };
        async move {
            let (used, retry, started) = match sent {
                Some(sent) => sent,
                None => {
                    // A failure for good leaves no token: the request goes without.
                    Settled::from(self.refresh_shared()).await?;
                    start(&self.engine.fx.http.fetch, &request, self.engine.access_token())
                }
            };
            let response = Settled::from(started).await?;
            let Some(used) = used else {
                return Ok(response);
            };
            if status(&response) != 401.0 {
                return Ok(response);
            }
            let current = self.engine.access_token();
            let fresh = match current {
                // Another request renewed the token meanwhile.
                Some(t) if t != used => Some(t),
                // Renewed, or failed for good (no token then).
                _ => {
                    Settled::from(self.refresh_shared()).await?;
                    self.engine.access_token()
                }
            };
            let Some(token) = fresh else {
                return Ok(response);
            };
            // The last try: no copy is kept.
            let again = browser::authorized(&self.engine.fx.http.fetch, &retry, Some(&token), false).get(0);
            let again = Settled::from(Promise::from(again)).await?;
            if status(&again) == 401.0 {
                // A token the server issued a moment ago is refused: the session
                // is over (and its refresh cookie is expired).
                self.finish_in_background(self.engine.token_rejected(&token), true);
            }
            Ok(again)
        }
    }

    /// One refresh at a time in this tab: callers share the promise. It
    /// resolves to the new snapshot when the token was renewed, or to
    /// `[error]`, the AuthError of a refresh that failed for good; it
    /// rejects with the AuthError of a renewal that failed for a passing
    /// reason (the session stays signed in and the renewal is retried).
    fn refresh_shared(self: &Rc<Self>) -> Promise {
        if let Some(p) = self.pending_refresh.borrow().as_ref() {
            return p.clone();
        }
        let inner = self.clone();
        let promise = promise(async move {
            let result = inner.engine.refresh().await;
            *inner.pending_refresh.borrow_mut() = None;
            match result {
                Ok(()) => Ok(inner.snapshot()),
                Err(e) => {
                    let passing = engine::transient(&e) && inner.engine.is_signed_in();
                    let error = convert::js_error(&e, if passing { error_as::VALUE } else { error_as::IN_ARRAY });
                    if passing {
                        Err(error)
                    } else {
                        Ok(error)
                    }
                }
            }
        });
        *self.pending_refresh.borrow_mut() = Some(promise.clone());
        promise
    }

    /// A refresh no request waits for (a retry, the proactive one).
    fn renew_in_background(self: &Rc<Self>) {
        spawn(Settled::from(self.refresh_shared()).map(drop));
    }

    /// (Re)arms the retry of a pending renewal, else the proactive refresh,
    /// after each change of the session.
    fn schedule_refresh(self: &Rc<Self>) {
        let mut timer = self.refresh_timer.borrow_mut();
        *timer = None;
        let due = self
            .engine
            .renewal_due_in()
            .or_else(|| if self.engine.opts.auto_refresh { self.engine.refresh_due_in() } else { None });
        if let Some(delay) = due {
            let weak = Rc::downgrade(self);
            *timer = Some(Timer::new(delay, move || {
                if let Some(inner) = weak.upgrade() {
                    inner.renew_in_background();
                }
            }));
        }
    }

    /// Finishes a sign-out that did not start here (another tab, a restore
    /// from the back/forward cache): hooks and navigation, no server call.
    fn finish_elsewhere(self: &Rc<Self>, ended: Option<Vec<StepFailure<JsValue>>>) {
        self.finish_in_background(ended, false);
    }

    fn finish_in_background(self: &Rc<Self>, ended: Option<Vec<StepFailure<JsValue>>>, call_server: bool) {
        if let Some(ended) = ended {
            let server = call_server.then(|| self.engine.send_logout());
            let inner = self.clone();
            spawn(async move {
                inner.engine.finish_sign_out(server, ended).await;
            });
        }
    }

    fn on_tab_message(self: &Rc<Self>, message: Option<TabMessage>) {
        if let Some(m) = message {
            self.engine.debug(DebugKind::TabReceived, Some(m.as_str()), f64::NAN, f64::NAN);
        }
        match message {
            Some(TabMessage::Logout) => self.finish_elsewhere(self.engine.other_tab_signed_out()),
            Some(TabMessage::Login) => self.finish_elsewhere(self.engine.sync_from_storage()),
            None => {}
        }
    }

    fn retry_server_logout(self: &Rc<Self>) {
        if let Some(call) = self.engine.retry_server_logout() {
            let inner = self.clone();
            spawn(async move {
                inner.engine.server_logout_retried(&call.await);
            });
        }
    }

    /// Listens to the other tabs, the network coming back, and restores
    /// from the back/forward cache.
    fn listen(self: &Rc<Self>, page: &Array) {
        let weak = Rc::downgrade(self);
        let on_event = move |kind: u32, a: JsValue, b: JsValue| {
            let Some(inner) = weak.upgrade() else { return };
            let engine = &inner.engine;
            let tabs = &engine.fx.tabs;
            match kind {
                page_event::MESSAGE => inner.on_tab_message(a.as_string().as_deref().and_then(TabMessage::parse)),
                // Storage events: the fallback channel's signal, and the token
                // key itself (a message can arrive before this tab sees the
                // new token; the storage event comes once it does).
                page_event::STORAGE => {
                    let key = a.as_string();
                    if key.as_deref() == Some(tabs.signal_key.as_str()) && tabs.channel.is_none() {
                        let value = b.as_string().unwrap_or_default();
                        let end = value.bytes().position(|b| b == b':').unwrap_or(value.len());
                        let kind = value.get(..end).unwrap_or_default();
                        inner.on_tab_message(TabMessage::parse(kind));
                    } else if key.as_deref() == Some(engine.opts.token_key.as_str())
                        && engine.opts.token_storage == TokenStorage::Local
                    {
                        inner.finish_elsewhere(engine.sync_from_storage());
                    }
                }
                page_event::ONLINE => {
                    inner.retry_server_logout();
                    // The network is back: a pending renewal is tried at once.
                    if engine.renewal_pending() {
                        inner.renew_in_background();
                    }
                }
                page_event::RESTORED => inner.finish_elsewhere(engine.sync_from_storage()),
                _ => {}
            }
        };
        *self.events.borrow_mut() = PageEvents::listen(page, on_event);
    }
}

impl AuthClient {
    /// Checks the options and restores a stored session. Throws an AuthError
    /// (`code: "invalid_option"`, the message names the field) for bad options.
    pub fn create(options: JsValue) -> Result<AuthClient, JsValue> {
        Self::create_with(options, js_sys::Map::new())
            .map_err(|e| if Array::is_array(&e) { e.unchecked_into::<Array>().get(0) } else { e })
    }

    /// [`create`](Self::create) with the listeners' `Map`; an error of the
    /// options that hold functions comes as `[error]`, as `host.js` gives it
    /// (what reading them threw may be any value, a number too).
    fn create_with(options: JsValue, listeners: js_sys::Map) -> Result<AuthClient, JsValue> {
        let opts = Self::check(&options).map_err(|e| to_js_error(&e))?;
        // The options that hold functions are checked by the JS half.
        let functions = browser::functions(&options);
        if functions.length() == 1 {
            return Err(functions.into());
        }
        let navigate = Some(functions.get(0)).filter(|v| !v.is_undefined()).map(JsCast::unchecked_into::<Function>);
        let debug = Some(functions.get(1)).filter(|v| !v.is_undefined());
        let hooks = JsHooks(functions.get(2).unchecked_into());
        Ok(Self::build(opts, navigate, debug, hooks, functions.get(3), listeners))
    }

    /// The data options, checked.
    fn check(options: &JsValue) -> Result<options::Options, AuthError> {
        if !options.is_object() || Array::is_array(options) {
            return Err(AuthError::option("options", "must be an object such as { baseUrl: \"https://api.example.com\" }"));
        }
        let keys: Array = Object::keys(options.unchecked_ref::<Object>()).unchecked_into();
        for i in 0..keys.length() {
            options::check_keys(keys.get(i).as_string().as_deref())?;
        }
        let raw = RawOptions::read(|name| convert::option(options, name));
        let app_origin = browser::origin().ok_or_else(|| AuthError::option("options", "need a browser window"))?;
        raw.validate(&app_origin, &BrowserParsers)
    }

    fn build(
        opts: options::Options,
        navigate: Option<Function>,
        debug: Option<JsValue>,
        hooks: JsHooks,
        fetch: JsValue,
        entries: js_sys::Map,
    ) -> AuthClient {
        // The browser's URL parser wrote this origin: request URLs on the
        // API start with it.
        let api_origin = opts.base.origin.clone();

        let mut channel_name = String::from("sociapp-auth:");
        channel_name.push_str(&opts.token_key);
        let mut signal_key = channel_name.clone();
        signal_key.push_str(":signal");
        let ([tokens, session, shared], degraded) = BrowserStorage::open(opts.token_storage);
        // The channel to the other tabs, and the page's events.
        let page = browser::listen(&channel_name);
        let channel = Some(page.get(0)).filter(|c| !c.is_null()).map(JsCast::unchecked_into);
        let listeners = Rc::new(Listeners { entries, snapshot: RefCell::new(None) });
        let inner = Rc::new_cyclic(|weak| {
            let fx = Platform::<Browser> {
                tokens,
                session,
                shared,
                http: BrowserHttp { fetch },
                nav: BrowserNavigation { custom: navigate },
                clock: BrowserClock,
                tabs: BrowserTabs { channel, signal_key },
                hooks,
                observer: JsObserver { listeners: listeners.clone(), inner: weak.clone(), debug },
                parsers: BrowserParsers,
                lock: BrowserLock,
            };
            Inner {
                engine: Engine::new(opts, fx),
                listeners,
                api_origin,
                pending_logout: RefCell::new(None),
                pending_refresh: RefCell::new(None),
                refresh_timer: RefCell::new(None),
                events: RefCell::new(None),
            }
        });
        if degraded {
            inner.engine.storage_failed();
        }
        inner.listen(&page);
        // The restore from the refresh cookie (see `started`).
        if inner.engine.restoring() {
            let _ = inner.refresh_shared();
        }
        inner.schedule_refresh();
        inner.retry_server_logout();
        AuthClient { inner }
    }

    /// While the session is restored from the refresh cookie (see
    /// [`Engine::new`]): the refresh's promise, which `createAuthClient`
    /// awaits (and whose rejection, a passing failure, it ignores); else
    /// undefined.
    pub fn started(&self) -> JsValue {
        let restore = if self.inner.engine.restoring() { self.inner.pending_refresh.borrow().clone() } else { None };
        restore.map_or(JsValue::UNDEFINED, JsValue::from)
    }

    /// Signs in with email and password; resolves to the new snapshot.
    pub fn login(&self, credentials: JsValue) -> Promise {
        self.sign_in(&credentials, "password", Path::Login)
    }

    /// Verifies a new member's email with the code it received; the answer
    /// signs in as a login does. Resolves to the new snapshot.
    pub fn verify_email(&self, given: JsValue) -> Promise {
        self.sign_in(&given, "code", Path::VerifyEmail)
    }

    /// A sign-in with `{ email, <second> }` at `path` (login, or
    /// verify-email with the code); resolves to the new snapshot.
    fn sign_in(&self, given: &JsValue, second: &'static str, path: Path) -> Promise {
        // The first bad argument is the one named (one rejected promise).
        let (email, value) = match text_arg(given, "email").and_then(|e| Ok((e, text_arg(given, second)?))) {
            Ok(both) => both,
            Err(rejected) => return rejected,
        };
        let engine = &self.inner.engine;
        let body = engine.fx.parsers.body_json("email", &email, Some((second, &value)));
        // A logout called after this sign-in (even before it is sent) wins.
        let epoch = engine.epoch();
        let inner = self.inner.clone();
        promise(async move {
            inner.engine.sign_in_since(epoch, path, body).await.map(|()| inner.snapshot()).map_err(|e| to_js_error(&e))
        })
    }

    /// Registers a new member: `POST` register with the app's object as
    /// JSON; resolves to the server's answer (the code goes out by mail).
    pub fn register(&self, member: JsValue) -> Promise {
        let body = if member.is_object() && !Array::is_array(&member) { browser::json_text(&member).as_string() } else { None };
        match body {
            Some(body) => self.post(Path::Register, &body),
            None => reject(&AuthError::InvalidArgument { field: "member", problem: "must be an object of the member's fields" }),
        }
    }

    /// Asks the server to mail a new verification code; resolves to its answer.
    pub fn resend_code(&self, given: JsValue) -> Promise {
        match text_arg(&given, "email") {
            Ok(email) => {
                let body = self.inner.engine.fx.parsers.body_json("email", &email, None);
                self.post(Path::ResendCode, &body)
            }
            Err(rejected) => rejected,
        }
    }

    /// `POST` `path` with the JSON `body` (no token: the call needs none);
    /// resolves to the answer's body, rejects with the AuthError.
    fn post(&self, path: Path, body: &str) -> Promise {
        let opts = &self.inner.engine.opts;
        let sent = browser::send(&self.inner.engine.fx.http.fetch, "POST", &opts.endpoint(path), Some(body), opts.timeout_ms, true);
        promise(Answer(Settled::from(sent), true))
    }

    /// Adopts the session of an answer the server gave elsewhere (`{
    /// access_token }`, as register flows and other endpoints answer):
    /// stores the token, signs in and tells the other tabs. Resolves to the
    /// new snapshot; rejects with `invalid_argument` unless the token is a
    /// JWT whose `exp` is in the future.
    pub fn set_session(&self, answer: JsValue) -> Promise {
        let token = get(&answer, "access_token").as_string();
        match self.inner.engine.set_session_token(token) {
            Ok(()) => promise(core::future::ready(Ok(self.inner.snapshot()))),
            Err(e) => reject(&e),
        }
    }

    /// Renews the access token now (one refresh in the tab, under the lock
    /// the tabs share); resolves to the new snapshot, rejects with the
    /// AuthError (the session ends when the failure is for good).
    pub fn refresh(&self) -> Promise {
        if !self.inner.engine.is_signed_in() {
            return reject(&AuthError::NotSignedIn);
        }
        // A failure for good comes as `[error]`.
        promise(Settled::from(self.inner.refresh_shared()).map(|renewed| {
            let renewed = renewed?;
            if Array::is_array(&renewed) {
                Err(renewed.unchecked_into::<Array>().get(0))
            } else {
                Ok(renewed)
            }
        }))
    }

    /// Signs out. Never rejects: see the result for what the server did.
    /// Concurrent calls share one logout; one asked for by the logout's own
    /// `onLogout` hooks or navigation resolves at once, with the server's
    /// answer (the teardown it would wait for is the caller's own).
    pub fn logout(&self) -> Promise {
        if let Some(p) = self.inner.pending_logout.borrow().as_ref() {
            if let Some((server, status)) = self.inner.engine.logout_answered() {
                return promise(core::future::ready(Ok(browser::report(Some(server.as_str()), status))));
            }
            return p.clone();
        }
        // The session ends before this call returns: no request the page
        // makes from here on carries the token.
        let engine::Begun(server, ended) = self.inner.engine.begin_logout();
        let inner = self.inner.clone();
        let promise = promise(async move {
            let report = inner.engine.finish_sign_out(Some(server), ended).await;
            *inner.pending_logout.borrow_mut() = None;
            Ok(report_object(report))
        });
        *self.inner.pending_logout.borrow_mut() = Some(promise.clone());
        promise
    }

    /// `fetch`, adding `Authorization: Bearer <token>` while signed in and only
    /// for URLs on the API's origin; renews the token once on a 401.
    pub fn fetch(
        &self,
        input: JsValue,
        init: Option<JsValue>,
    ) -> Promise {
        match self.inner.request(&input, &init.unwrap_or(JsValue::UNDEFINED), 0) {
            Ok((request, to_api)) => promise(self.inner.clone().send(request, to_api)),
            Err(rejected) => rejected,
        }
    }

    /// `GET` the signed-in user.
    pub fn me(&self) -> Promise {
        if !self.inner.engine.is_signed_in() {
            return reject(&AuthError::NotSignedIn);
        }
        let inner = &self.inner;
        let opts = &inner.engine.opts;
        let url = JsValue::from_str(&opts.endpoint(Path::Me));
        let (request, to_api) = match inner.request(&url, &JsValue::UNDEFINED, opts.timeout_ms) {
            Ok(made) => made,
            Err(rejected) => return rejected,
        };
        // The request leaves now, as with `fetch`.
        let sent = promise(inner.clone().send(request.clone(), to_api));
        promise(Answer(Settled::from(browser::read(&sent, &request)), false))
    }

    /// The token requests carry now, or undefined.
    pub fn access_token_js(&self) -> JsValue {
        self.inner.engine.access_token().map_or(JsValue::UNDEFINED, |t| JsValue::from_str(&t))
    }

    /// The current session; the same object until the session changes.
    pub fn get_snapshot(&self) -> JsValue {
        self.inner.snapshot()
    }

    /// The listeners, a `Map` from id to function: `addListener`,
    /// `removeListener` and `subscribe` (in `index.js`) change it.
    pub fn listeners(&self) -> js_sys::Map {
        self.inner.listeners.entries.clone()
    }
}

/// A string argument of a method, or the rejected call that names it.
fn text_arg(given: &JsValue, field: &'static str) -> Result<String, Promise> {
    get(given, field).as_string().ok_or_else(|| reject(&AuthError::InvalidArgument { field, problem: "must be a string" }))
}

/// An API answer as a method resolves or rejects: its body as `JSON.parse`
/// read it (the user of `GET /auth/me`, the message of register), or the
/// AuthError. `.1`: the call was made with the member's credentials, so a
/// 401 means they were refused (else: the token). A plain future, where an
/// `async` block would add a state machine.
struct Answer(Settled, bool);

impl Future for Answer {
    type Output = Result<JsValue, JsValue>;
    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let Poll::Ready(answer) = Pin::new(&mut self.0).poll(cx) else {
            return Poll::Pending;
        };
        // An error: the AuthError of a renewal that failed for a passing reason.
        let answer = answer?;
        match answer.as_f64() {
            Some(failure::TIMEOUT) => return Poll::Ready(Err(to_js_error(&AuthError::Timeout))),
            Some(_) => return Poll::Ready(Err(to_js_error(&AuthError::Network))),
            None => {}
        }
        let response = browser::response_of(&answer);
        let status = response.status;
        Poll::Ready(if !(200..300).contains(&status) {
            let e = if self.1 { engine::answer_error(&response) } else { engine::http_error(&response) };
            Err(to_js_error(&e))
        } else if !response.json {
            Err(to_js_error(&AuthError::InvalidResponse { status }))
        } else {
            // The body as the page's `JSON.parse` read it.
            Ok(answer.unchecked_into::<Array>().get(1))
        })
    }
}

/// For Rust callers (the tests): the token as a Rust string.
impl AuthClient {
    pub fn get_access_token(&self) -> Option<String> {
        self.inner.engine.access_token()
    }
}

// The export `index.js`'s `AuthClient` class calls. A client is handed to
// JavaScript as the address of its `Rc<Inner>`, which holds one strong count
// until it is freed; the class passes no other address, and none after
// freeing it.
fn client(at: u32) -> AuthClient {
    let inner = at as usize as *const Inner;
    // SAFETY: `at` is an address creating a client returned that is not freed
    // yet; the count taken here is this call's, so a client freed during
    // the call stays alive until it returns.
    unsafe {
        Rc::increment_strong_count(inner);
        AuthClient { inner: Rc::from_raw(inner) }
    }
}

/// The client's calls, by number: login (`a`: the credentials), logout,
/// fetch (`a`, `b`: input and init), me, the access token, the snapshot,
/// 8 refresh, 9 setSession, 10 register, 11 verifyEmail, 12 resendCode;
/// one export for all (a smaller module and glue). And without a client:
/// 6 creates one calling the listeners in `b` (a `Map` from id to
/// function) and answers its handle (a number, negative while the session
/// is restored from the refresh cookie: `createAuthClient` then awaits its
/// refresh), or the AuthError of bad options `a`, or `[thrown]` where
/// reading them threw; 7 frees the client `at`.
#[wasm_bindgen(js_name = clientCall)]
pub fn client_call(at: u32, call: u32, a: JsValue, b: JsValue) -> JsValue {
    match call {
        call::CREATE => {
            return match AuthClient::create_with(a, b.unchecked_into()) {
                // Negative while the session is restored from the cookie.
                Ok(c) => {
                    let restoring = c.inner.engine.restoring();
                    let at = Rc::into_raw(c.inner) as usize as f64;
                    JsValue::from_f64(if restoring { -at } else { at })
                }
                Err(e) => e,
            }
        }
        call::FREE => {
            // SAFETY: as in `client`; this gives back the count that
            // creating the client took.
            drop(unsafe { Rc::from_raw(at as usize as *const Inner) });
            return JsValue::UNDEFINED;
        }
        _ => {}
    }
    // A number no call has: index.js and the module disagree
    // (tests/wire.rs guards against it); the handle is not looked at.
    if call > call::RESEND_CODE {
        return reject(&AuthError::InvalidArgument { field: "call", problem: "is not a client call" }).into();
    }
    let c = client(at);
    match call {
        call::LOGIN => c.login(a).into(),
        call::LOGOUT => c.logout().into(),
        call::FETCH => c.fetch(a, Some(b)).into(),
        call::ME => c.me().into(),
        call::GET_ACCESS_TOKEN => c.access_token_js(),
        call::REFRESH => c.refresh().into(),
        call::SET_SESSION => c.set_session(a).into(),
        call::REGISTER => c.register(a).into(),
        call::VERIFY_EMAIL => c.verify_email(a).into(),
        call::RESEND_CODE => c.resend_code(a).into(),
        // call::GET_SNAPSHOT (create and free are answered above).
        _ => c.get_snapshot(),
    }
}
