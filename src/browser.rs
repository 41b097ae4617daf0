//! The browser implementations of the effect traits: Web Storage, `fetch`
//! with a timeout, navigation, the clock, the other tabs, the parsers and
//! the app's hooks. Their JavaScript half is `src/js/host.js`.

use core::future::Future;
use core::pin::Pin;
use core::task::{Context, Poll};

use js_sys::{Array, Function, Promise};
use wasm_bindgen::prelude::wasm_bindgen;
use wasm_bindgen::{JsCast, JsValue};
use web_sys::BroadcastChannel;

use crate::effects::{
    self, Clock, Http, HttpFailure, HttpRequest, HttpResponse, Method, Navigation, Parsers,
    StorageError, TabMessage, Tabs, UrlParts,
};
use crate::engine::Hooks;
use crate::jwt::Claims;
use crate::json::Json;
use crate::options::TokenStorage;
use crate::task::Settled;
use crate::wire::{failure, store, token_storage};

/// The JavaScript half of the browser effects (`src/js/host.js`): each call
/// does at once what would take many calls through the glue.
#[wasm_bindgen(module = "/src/js/host.js")]
extern "C" {
    /// Sends with `fetch` (the `fetch` option; undefined: the page's);
    /// resolves to `[status, body, retryAfter?, token?, message?]`, or 1
    /// (timeout) or 2 (network).
    pub fn send(fetch: &JsValue, method: &str, url: &str, json: Option<&str>, timeout_ms: u32, read_body: bool) -> Promise;
    /// `[request, onApiOrigin]` (with `timeout_ms`, not 0, `init` is a
    /// signal that aborts after it), or `[promise]` rejected with what `new
    /// Request` threw where it refuses the input.
    pub fn request(input: &JsValue, init: &JsValue, origin: &str, timeout_ms: u32) -> Array;
    /// Sends with `fetch` (the `fetch` option; undefined: the page's):
    /// `[pending fetch, copy for a retry (with a token and `keep_copy`) or
    /// null]`; the fetch is a rejected promise where the request cannot be
    /// sent.
    pub fn authorized(fetch: &JsValue, request: &JsValue, token: Option<&str>, keep_copy: bool) -> Array;
    /// Resolves to `[status, body]` of the response `pending` resolves to;
    /// where it rejects, to 1 when the signal of `request` fired, 2 for any
    /// other failure, and rejects with an AuthError it rejected with.
    pub fn read(pending: &Promise, request: &JsValue) -> Promise;
    /// `navigate(path)` awaited, or without it `location.replace(path)`;
    /// rejects with what was thrown.
    fn navigate(custom: Option<&Function>, path: &str) -> Promise;
    /// Queues `snapshot` for every function of `listeners`, called (in
    /// order with debug events; one that throws stops no other) in a
    /// microtask: never while the module is in the middle of a change.
    pub fn deliver(listeners: &js_sys::Map, snapshot: &JsValue);
    /// `JSON.stringify(value)`, or undefined where it throws.
    pub fn json_text(value: &JsValue) -> JsValue;
    /// Resolves to the `[index, thrown]` of each function that failed.
    fn run_all(functions: &Array) -> Promise;
    /// `[tokens, session, shared, fallback]`: the areas of a client, see
    /// [`BrowserStorage::open`]; `kind` 0 local, 1 session, 2 memory.
    fn storage(kind: u32) -> Array;
    /// `getItem(key)` (0), `setItem(key, value)` (1), `removeItem(key)` (2)
    /// or `clear()` (3) on `area`; `false` where the area throws.
    fn store(area: &JsValue, op: u32, key: &str, value: &str) -> JsValue;
    /// Posts `message` on `channel`, or without one writes it to the
    /// localStorage key (a new value each time, so every post fires a
    /// storage event).
    fn post(channel: Option<&BroadcastChannel>, key: &str, message: &str);
    /// Reports a degradation on the console, with its documented code.
    pub fn warn(code: &str);
    /// `target[key]`, or undefined where that throws.
    pub fn get(target: &JsValue, key: &str) -> JsValue;
    /// `f()`, or undefined where it throws.
    fn call(f: &Function) -> JsValue;
    /// `Date.now()`, or with `random` `Math.random()` (one import for both).
    fn clock(random: bool) -> f64;
    fn url(input: &str) -> JsValue;
    /// `[sub, email, exp]` of the object `JSON.parse` reads from the UTF-8
    /// text the second of a token's three segments encodes in base64url;
    /// undefined when any step fails or it is not an object.
    fn claims(token: &str) -> JsValue;
    /// `JSON.stringify({ [key]: value, [key2]: value2 })` (`key2` absent: one member).
    fn body_json(key: &str, value: &str, key2: Option<&str>, value2: &str) -> JsValue;
    #[allow(clippy::too_many_arguments)]
    /// The frozen snapshot; `id` undefined: no user.
    pub fn snapshot(
        signed_in: bool,
        id: &JsValue,
        email: Option<&str>,
        reason: Option<&str>,
        expires_at: Option<f64>,
        renewal: Option<&str>,
        attempts: u32,
        retry_at: f64,
    ) -> JsValue;
    /// Resolves, once the lock `name` is held (Web Locks, or a storage-based
    /// lock without them), to the function that lets it go; or to null when
    /// `timeout_ms` passed first. Let go after `timeout_ms` in any case.
    fn lock(name: &str, timeout_ms: u32) -> Promise;
    /// The AuthError; with `how` 1 a promise rejected with it, with 2 `[error]`.
    pub fn error(message: &str, code: &str, status: Option<u16>, how: u32) -> JsValue;
    /// A logout's result, `{ server?, status?, errors: [] }`.
    pub fn report(server: Option<&str>, status: Option<u16>) -> JsValue;
    /// Adds `{ step, index?, error? }` to the result's errors (`error` when
    /// the app's code threw).
    pub fn failed(report: &JsValue, step: &str, index: Option<u32>, threw: bool, error: &JsValue);
    /// `[navigate, debug, onLogout, fetch]`: the options that hold
    /// functions, checked; or `[thrown]`: an AuthError that names the
    /// option when one is bad, or what reading the options threw.
    pub fn functions(options: &JsValue) -> Array;
    /// Queues one debug event (a plain object built from its type, by
    /// number, and its facts; NaN: absent) for `sink`: the app's function,
    /// or the console for `true` (delivered as [`deliver`] says).
    pub fn debug(sink: &JsValue, kind: u32, text: Option<&str>, a: f64, b: f64);
    /// `location.origin`, or null where there is no window.
    #[wasm_bindgen(js_name = origin)]
    fn page_origin() -> JsValue;
    /// Opens the channel `name` to the other tabs and listens to the page's
    /// events: `[channel or null, next, stop]` (without the last two where
    /// the events cannot be listened to), see [`PageEvents`].
    pub fn listen(name: &str) -> Array;
    /// `[promise, cancel]`: the promise resolves to true after `delay_ms`,
    /// or to false at once when `cancel` is called first.
    fn timer(delay_ms: f64) -> Array;
}

/// Web Storage (`localStorage` or `sessionStorage`), or a store of the same
/// shape kept in memory where the page has no usable Web Storage or the app
/// asked for memory (made by `host.js`; the native twin is
/// [`crate::effects::MemoryStorage`]).
pub struct BrowserStorage {
    area: JsValue,
}

impl BrowserStorage {
    /// The areas a client uses, `[tokens, session, shared]`: the token's
    /// (as `kind` says), sessionStorage, and localStorage (what all tabs
    /// share); and whether memory stands in for Web Storage that is not
    /// usable (one store for both where localStorage is not).
    pub fn open(kind: TokenStorage) -> ([BrowserStorage; 3], bool) {
        let opened = storage(match kind {
            TokenStorage::Local => token_storage::LOCAL,
            TokenStorage::Session => token_storage::SESSION,
            TokenStorage::Memory => token_storage::MEMORY,
        });
        let area = |i| BrowserStorage { area: opened.get(i) };
        ([area(0), area(1), area(2)], opened.get(3).as_bool() == Some(true))
    }
}

impl BrowserStorage {
    /// One operation on the area (one import for all four).
    fn call(&self, op: u32, key: &str, value: &str) -> Result<JsValue, StorageError> {
        let v = store(&self.area, op, key, value);
        if v.as_bool() == Some(false) {
            return Err(StorageError);
        }
        Ok(v)
    }
}

impl effects::Storage for BrowserStorage {
    fn get(&self, key: &str) -> Result<Option<String>, StorageError> {
        self.call(store::GET, key, "").map(|v| v.as_string())
    }
    fn set(&self, key: &str, value: &str) -> Result<(), StorageError> {
        self.call(store::SET, key, value).map(drop)
    }
    fn remove(&self, key: &str) -> Result<(), StorageError> {
        self.call(store::REMOVE, key, "").map(drop)
    }
    fn clear(&self) -> Result<(), StorageError> {
        self.call(store::CLEAR, "", "").map(drop)
    }
}

/// Longest delay `setTimeout` honours.
const MAX_DELAY: u32 = i32::MAX as u32;

/// `[status, body, retryAfter?, token?, message?]` as the host functions
/// give it (`body` parsed by `JSON.parse`, undefined when it could not be).
pub fn response_of(value: &JsValue) -> HttpResponse {
    let answer: &Array = value.unchecked_ref();
    HttpResponse {
        status: answer.get(0).as_f64().unwrap_or(0.0) as u16,
        json: !answer.get(1).is_undefined(),
        retry_after_ms: answer.get(2).as_f64(),
        token: answer.get(3).as_string(),
        message: answer.get(4).as_string(),
    }
}

/// `fetch` against the API, cookies included, aborted after the timeout.
pub struct BrowserHttp {
    /// The `fetch` option; undefined: the page's `fetch` at the time of each request.
    pub fetch: JsValue,
}

impl Http for BrowserHttp {
    /// The request leaves now; the future awaits its answer.
    fn send(&self, request: HttpRequest) -> impl Future<Output = Result<HttpResponse, HttpFailure>> + 'static {
        let method = match request.method {
            Method::Get => "GET",
            Method::Post => "POST",
        };
        let pending =
            send(&self.fetch, method, &request.url, request.json.as_deref(), request.timeout_ms.min(MAX_DELAY), request.read_body);
        Settled::from(pending).map(|answer| match answer {
            Ok(v) if v.is_object() => Ok(response_of(&v)),
            Ok(v) if v.as_f64() == Some(failure::TIMEOUT) => Err(HttpFailure::Timeout),
            _ => Err(HttpFailure::Network),
        })
    }
}

/// The app's `navigate(path)` (e.g. a router's push), or `location.replace`
/// so that Back does not return to the signed-in page.
pub struct BrowserNavigation {
    pub custom: Option<Function>,
}

impl Navigation for BrowserNavigation {
    type Failure = JsValue;
    fn navigate(&self, path: &str) -> impl Future<Output = Result<impl Sized, JsValue>> {
        Settled::from(navigate(self.custom.as_ref(), path))
    }
}

/// `location.origin`, or `None` where there is no window.
pub fn origin() -> Option<String> {
    page_origin().as_string()
}

/// The browser's `JSON.parse`, `URL` and `atob`.
pub struct BrowserParsers;

impl Parsers for BrowserParsers {
    fn body_json(&self, key: &str, value: &str, second: Option<(&str, &str)>) -> String {
        let (key2, value2) = second.map_or((None, ""), |(k, v)| (Some(k), v));
        body_json(key, value, key2, value2).as_string().unwrap_or_default()
    }

    fn claims(&self, token: &str) -> Option<Claims> {
        let c = claims(token);
        if c.is_undefined() {
            return None;
        }
        let c: &Array = c.unchecked_ref();
        let sub = c.get(0);
        Some(Claims {
            sub: sub.as_f64().map(Json::Num).or_else(|| sub.as_string().map(Json::Str)),
            email: c.get(1).as_string(),
            exp: c.get(2).as_f64(),
        })
    }

    fn url(&self, input: &str) -> Option<UrlParts> {
        let u = url(input);
        if u.is_null() {
            return None;
        }
        // The parts in the order host.js lists them.
        let u: &Array = u.unchecked_ref();
        let part = |i: u32| u.get(i).as_string().unwrap_or_default();
        Some(UrlParts {
            http: u.get(0).as_bool() == Some(true),
            credentials: u.get(1).as_bool() == Some(true),
            hostname: part(2),
            origin: part(3),
            pathname: part(4),
            search: part(5),
            hash: part(6),
        })
    }
}

pub struct BrowserClock;

impl Clock for BrowserClock {
    fn now_ms(&self) -> f64 {
        clock(false)
    }
    fn random(&self) -> f64 {
        clock(true)
    }
}

/// The refresh lock across the tabs of the app: Web Locks
/// (`navigator.locks`), or a lock in localStorage where the page has none.
pub struct BrowserLock;

/// Lets the lock go when dropped.
pub struct LockGuard(Function);

impl Drop for LockGuard {
    fn drop(&mut self) {
        call(&self.0);
    }
}

impl effects::Lock for BrowserLock {
    type Guard = LockGuard;
    fn acquire(&self, name: &str, timeout_ms: u32) -> impl Future<Output = Option<LockGuard>> {
        Settled::from(lock(name, timeout_ms.min(MAX_DELAY)))
            .map(|held| held.ok().filter(|f| !f.is_null()).map(|f| LockGuard(f.unchecked_into())))
    }
}

/// The `onLogout` functions, run in order.
pub struct JsHooks(pub Array);

impl Hooks<JsValue> for JsHooks {
    fn run(&self) -> impl Future<Output = Vec<(u32, JsValue)>> {
        Settled::from(run_all(&self.0)).map(|failed| {
            let mut out = Vec::new();
            let Ok(failed) = failed else { return out };
            let failed: Array = failed.unchecked_into();
            for i in 0..failed.length() {
                let f: Array = failed.get(i).unchecked_into();
                out.push((f.get(0).as_f64().unwrap_or(0.0) as u32, f.get(1)));
            }
            out
        })
    }
}

/// The channel to the app's other tabs: a BroadcastChannel, or where the
/// browser has none, a localStorage key whose changes other tabs see as
/// `storage` events. Messages name the event only. The client's
/// [`PageEvents`] close the channel when they stop.
pub struct BrowserTabs {
    pub channel: Option<BroadcastChannel>,
    /// The localStorage key of the fallback.
    pub signal_key: String,
}

impl Tabs for BrowserTabs {
    fn post(&self, message: TabMessage) {
        post(self.channel.as_ref(), &self.signal_key, message.as_str());
    }
}

/// The page events a client listens to (see [`crate::wire::page_event`]), handled in
/// order by a task of the module's executor; the listeners are removed (and
/// the task ends) when this is dropped.
pub struct PageEvents {
    stop: Function,
}

impl PageEvents {
    /// Handles the events of `page` (from [`listen`]) with `f`.
    pub fn listen(page: &Array, mut f: impl FnMut(u32, JsValue, JsValue) + 'static) -> Option<PageEvents> {
        let next = page.get(1);
        if next.is_undefined() {
            return None;
        }
        let next: Function = next.unchecked_into();
        crate::task::spawn(async move {
            // Each event, until `stop` makes `next` resolve to null.
            loop {
                // `next()` resolves to an event, or to null once stopped.
                let Ok(event) = Settled::from(Promise::from(call(&next))).await else { break };
                if !event.is_object() {
                    break;
                }
                let event: Array = event.unchecked_into();
                f(event.get(0).as_f64().unwrap_or(f64::MAX) as u32, event.get(1), event.get(2));
            }
        });
        Some(PageEvents { stop: page.get(2).unchecked_into() })
    }
}

impl Drop for PageEvents {
    fn drop(&mut self) {
        call(&self.stop);
    }
}

/// A `setTimeout` that is cleared when dropped.
pub struct Timer(Function);

impl Timer {
    pub fn new(delay_ms: f64, f: impl FnOnce() + Unpin + 'static) -> Timer {
        let t = timer(delay_ms.clamp(0.0, MAX_DELAY as f64));
        crate::task::spawn(Fire(Settled::from(Promise::from(t.get(0))), Some(f)));
        Timer(t.get(1).unchecked_into())
    }
}

/// Calls its function once the timer's promise resolves to true (fired,
/// not cancelled): a plain future, where an `async` block would add a
/// state machine.
struct Fire<F>(Settled, Option<F>);

impl<F: FnOnce() + Unpin> Future for Fire<F> {
    type Output = ();
    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        let Poll::Ready(fired) = Pin::new(&mut self.0).poll(cx) else { return Poll::Pending };
        if fired.is_ok_and(|v| v.as_bool() == Some(true)) {
            if let Some(f) = self.1.take() {
                f();
            }
        }
        Poll::Ready(())
    }
}

impl Drop for Timer {
    fn drop(&mut self) {
        call(&self.0);
    }
}

