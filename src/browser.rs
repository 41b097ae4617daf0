//! The browser implementations of the effect traits: Web Storage, `fetch`
//! with a timeout, navigation, the clock, and the app's hooks.

use core::future::Future;

use js_sys::{Function, Promise};
use wasm_bindgen::closure::Closure;
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;
use web_sys::{AbortSignal, BroadcastChannel, EventTarget, Headers, RequestCredentials, RequestInit, Response};

use crate::effects::{
    self, Clock, Http, HttpFailure, HttpRequest, HttpResponse, Method, MemoryStorage, Navigation, Parsers,
    StorageError, TabMessage, Tabs, UrlParts,
};
use crate::json::Json;
use crate::engine::Hooks;
use crate::options::TokenStorage;

/// Web Storage (`localStorage` or `sessionStorage`), or memory where the
/// page has no usable Web Storage or the app asked for memory.
pub enum BrowserStorage {
    Web(web_sys::Storage),
    Memory(MemoryStorage),
}

/// A Web Storage area if it can be used: some browsers throw a
/// SecurityError on mere access when storage is disabled.
fn usable(area: Result<Option<web_sys::Storage>, JsValue>) -> Option<web_sys::Storage> {
    area.ok().flatten().filter(|s| s.length().is_ok())
}

impl BrowserStorage {
    /// Whether this is memory standing in for a Web Storage area that is not usable.
    pub fn is_fallback(&self, kind: TokenStorage) -> bool {
        matches!(self, BrowserStorage::Memory(_)) && kind != TokenStorage::Memory
    }

    pub fn open(kind: TokenStorage) -> BrowserStorage {
        let area = web_sys::window().and_then(|w| match kind {
            TokenStorage::Local => usable(w.local_storage()),
            TokenStorage::Session => usable(w.session_storage()),
            TokenStorage::Memory => None,
        });
        match area {
            Some(s) => BrowserStorage::Web(s),
            None => BrowserStorage::Memory(MemoryStorage::default()),
        }
    }
}

impl effects::Storage for BrowserStorage {
    fn get(&self, key: &str) -> Result<Option<String>, StorageError> {
        match self {
            BrowserStorage::Web(s) => s.get_item(key).map_err(|_| StorageError),
            BrowserStorage::Memory(m) => m.get(key),
        }
    }
    fn set(&self, key: &str, value: &str) -> Result<(), StorageError> {
        match self {
            BrowserStorage::Web(s) => s.set_item(key, value).map_err(|_| StorageError),
            BrowserStorage::Memory(m) => m.set(key, value),
        }
    }
    fn remove(&self, key: &str) -> Result<(), StorageError> {
        match self {
            BrowserStorage::Web(s) => s.remove_item(key).map_err(|_| StorageError),
            BrowserStorage::Memory(m) => m.remove(key),
        }
    }
    fn clear(&self) -> Result<(), StorageError> {
        match self {
            BrowserStorage::Web(s) => s.clear().map_err(|_| StorageError),
            BrowserStorage::Memory(m) => m.clear(),
        }
    }
}

/// Longest delay `setTimeout` honours.
const MAX_DELAY: u32 = i32::MAX as u32;

#[wasm_bindgen::prelude::wasm_bindgen]
extern "C" {
    #[wasm_bindgen(js_name = AbortSignal)]
    type AbortSignalClass;
    /// `AbortSignal.timeout(ms)`; an error where the browser lacks it.
    #[wasm_bindgen(catch, static_method_of = AbortSignalClass, js_class = "AbortSignal", js_name = timeout)]
    fn timeout(ms: u32) -> Result<AbortSignal, JsValue>;
}

/// Work started with an AbortSignal that fires after a timeout
/// (`AbortSignal.timeout`). [`Deadline::start`] starts the work at once;
/// [`Deadline::finish`] awaits it.
pub struct Deadline {
    signal: Option<AbortSignal>,
    started: Result<Promise, JsValue>,
}

impl Deadline {
    /// Calls `start` now with an AbortSignal that fires after `timeout_ms`.
    pub fn start(timeout_ms: u32, start: impl FnOnce(&AbortSignal) -> Result<Promise, JsValue>) -> Deadline {
        match AbortSignalClass::timeout(timeout_ms.min(MAX_DELAY)) {
            Ok(signal) => Deadline { started: start(&signal), signal: Some(signal) },
            Err(e) => Deadline { signal: None, started: Err(e) },
        }
    }

    /// Awaits the started promise and then `finish` on its value. Returns the
    /// outcome and whether the timeout fired.
    pub async fn finish<T>(self, finish: impl AsyncFnOnce(JsValue) -> Result<T, JsValue>) -> (Result<T, JsValue>, bool) {
        let outcome = match self.started {
            Ok(promise) => match JsFuture::from(promise).await {
                Ok(value) => finish(value).await,
                Err(e) => Err(e),
            },
            Err(e) => Err(e),
        };
        (outcome, self.signal.is_some_and(|s| s.aborted()))
    }
}

/// [`Deadline::start`] then [`Deadline::finish`].
pub async fn with_timeout<T>(
    timeout_ms: u32,
    start: impl FnOnce(&AbortSignal) -> Result<Promise, JsValue>,
    finish: impl AsyncFnOnce(JsValue) -> Result<T, JsValue>,
) -> (Result<T, JsValue>, bool) {
    Deadline::start(timeout_ms, start).finish(finish).await
}

/// `fetch` against the API, cookies included.
pub struct BrowserHttp;

impl Http for BrowserHttp {
    /// The request leaves now; the future awaits its answer.
    fn send(&self, request: HttpRequest) -> impl Future<Output = Result<HttpResponse, HttpFailure>> + 'static {
        let init = RequestInit::new();
        init.set_method(match request.method {
            Method::Get => "GET",
            Method::Post => "POST",
        });
        init.set_credentials(RequestCredentials::Include);
        let url = request.url;
        let read_body = request.read_body;
        let deadline = Deadline::start(request.timeout_ms, |signal| {
            if let Some(body) = &request.json {
                let headers = Headers::new()?;
                headers.set("Content-Type", "application/json")?;
                init.set_headers(&headers);
                init.set_body(&JsValue::from_str(body));
            }
            init.set_signal(Some(signal));
            web_sys::window().map(|w| w.fetch_with_str_and_init(&url, &init)).ok_or(JsValue::UNDEFINED)
        });
        async move {
            let (outcome, timed_out) = deadline.finish(async |value| read_response(value, read_body).await).await;
            match outcome {
                Ok(r) if !timed_out => Ok(r),
                _ if timed_out => Err(HttpFailure::Timeout),
                _ => Err(HttpFailure::Network),
            }
        }
    }
}

/// The status of a `fetch` answer and, if wanted, its body as text. The
/// status and headers (and so any Set-Cookie) have arrived; a body that
/// breaks off reads as empty.
pub async fn read_response(value: JsValue, read_body: bool) -> Result<HttpResponse, JsValue> {
    let response: Response = value.dyn_into()?;
    let status = response.status();
    let body = match read_body.then(|| response.text()) {
        Some(Ok(p)) => JsFuture::from(p).await.ok().and_then(|t| t.as_string()).unwrap_or_default(),
        _ => String::new(),
    };
    Ok(HttpResponse { status, body })
}

/// Calls `f` and awaits what it returns if that is a promise or thenable.
/// `Err` holds what it threw or how it rejected.
pub async fn call_and_settle(f: &Function, arg: Option<&JsValue>) -> Result<(), JsValue> {
    let value = match arg {
        Some(a) => f.call1(&JsValue::UNDEFINED, a)?,
        None => f.call0(&JsValue::UNDEFINED)?,
    };
    if is_thenable(&value) {
        JsFuture::from(Promise::resolve(&value)).await?;
    }
    Ok(())
}

fn is_thenable(v: &JsValue) -> bool {
    v.is_object() && js_sys::Reflect::get(v, &JsValue::from_str("then")).map(|t| t.is_function()).unwrap_or(false)
}

/// The app's `navigate(path)` (e.g. a router's push), or `location.replace`
/// so that Back does not return to the signed-in page.
pub struct BrowserNavigation {
    pub custom: Option<Function>,
}

impl Navigation for BrowserNavigation {
    type Failure = JsValue;
    async fn navigate(&self, path: &str) -> Result<(), JsValue> {
        match &self.custom {
            Some(f) => call_and_settle(f, Some(&JsValue::from_str(path))).await,
            None => web_sys::window().ok_or(JsValue::UNDEFINED)?.location().replace(path),
        }
    }
}

/// The browser's `JSON.parse` and `URL`.
pub struct BrowserParsers;

impl Parsers for BrowserParsers {
    fn json(&self, text: &str) -> Option<Json> {
        js_sys::JSON::parse(text).ok().map(|v| crate::js::to_json(&v))
    }

    fn url(&self, input: &str) -> Option<UrlParts> {
        let u: JsValue = web_sys::Url::new(input).ok()?.into();
        // One property read for every field (smaller than a getter each).
        let part = |name: &str| crate::js::get(&u, name).as_string().unwrap_or_default();
        Some(UrlParts {
            protocol: part("protocol"),
            username: part("username"),
            password: part("password"),
            hostname: part("hostname"),
            origin: part("origin"),
            pathname: part("pathname"),
            search: part("search"),
            hash: part("hash"),
        })
    }
}

pub struct BrowserClock;

impl Clock for BrowserClock {
    fn now_ms(&self) -> f64 {
        js_sys::Date::now()
    }
}

/// The `onLogout` functions, run in order.
pub struct JsHooks(pub Vec<Function>);

impl Hooks<JsValue> for JsHooks {
    async fn run(&self) -> Vec<(u32, JsValue)> {
        let mut failed = Vec::new();
        for (i, f) in self.0.iter().enumerate() {
            if let Err(thrown) = call_and_settle(f, None).await {
                failed.push((i as u32, thrown));
            }
        }
        failed
    }
}

/// The channel to the app's other tabs: a BroadcastChannel, or where the
/// browser has none, a localStorage key whose changes other tabs see as
/// `storage` events. Messages name the event only.
pub struct BrowserTabs {
    pub channel: Option<BroadcastChannel>,
    /// The localStorage key of the fallback.
    pub signal_key: String,
}

impl BrowserTabs {
    pub fn open(name: &str, signal_key: String) -> BrowserTabs {
        let has_channel = js_sys::Reflect::has(&js_sys::global(), &JsValue::from_str("BroadcastChannel")).unwrap_or(false);
        let channel = if has_channel { BroadcastChannel::new(name).ok() } else { None };
        BrowserTabs { channel, signal_key }
    }
}

impl Tabs for BrowserTabs {
    fn post(&self, message: TabMessage) {
        match &self.channel {
            Some(c) => {
                let _ = c.post_message(&JsValue::from_str(message.as_str()));
            }
            None => {
                // A new value each time, so that every post fires an event.
                let mut value = String::from(message.as_str());
                value.push(':');
                let stamp = js_sys::Date::now() + js_sys::Math::random();
                if let Ok(n) = js_sys::Number::from(stamp).to_string_with_radix(36) {
                    value.push_str(&String::from(n));
                }
                if let Ok(Some(s)) = web_sys::window().map(|w| w.local_storage()).unwrap_or(Ok(None)) {
                    let _ = s.set_item(&self.signal_key, &value);
                }
            }
        }
    }
}

impl Drop for BrowserTabs {
    fn drop(&mut self) {
        if let Some(c) = &self.channel {
            c.close();
        }
    }
}

/// An event listener that is removed when dropped.
pub struct EventListener {
    target: EventTarget,
    kind: &'static str,
    closure: Closure<dyn FnMut(web_sys::Event)>,
}

impl EventListener {
    pub fn new(target: &EventTarget, kind: &'static str, f: impl FnMut(web_sys::Event) + 'static) -> Option<EventListener> {
        let closure = Closure::<dyn FnMut(web_sys::Event)>::own_aborting(f);
        target.add_event_listener_with_callback(kind, closure.as_ref().unchecked_ref()).ok()?;
        Some(EventListener { target: target.clone(), kind, closure })
    }
}

impl Drop for EventListener {
    fn drop(&mut self) {
        let _ = self.target.remove_event_listener_with_callback(self.kind, self.closure.as_ref().unchecked_ref());
    }
}

/// A `setTimeout` that is cleared when dropped.
pub struct Timer {
    handle: i32,
    _closure: Closure<dyn FnMut()>,
}

impl Timer {
    pub fn new(delay_ms: f64, f: impl FnOnce() + 'static) -> Option<Timer> {
        let closure = Closure::<dyn FnMut()>::once_aborting(f);
        let delay = delay_ms.clamp(0.0, MAX_DELAY as f64) as i32;
        let handle = web_sys::window()?
            .set_timeout_with_callback_and_timeout_and_arguments_0(closure.as_ref().unchecked_ref(), delay)
            .ok()?;
        Some(Timer { handle, _closure: closure })
    }
}

impl Drop for Timer {
    fn drop(&mut self) {
        if let Some(w) = web_sys::window() {
            w.clear_timeout_with_handle(self.handle);
        }
    }
}

/// Reports a degradation once on the console, with its documented code.
pub fn warn(code: &str) {
    let mut m = String::from("[sociapp-auth] ");
    m.push_str(code);
    if code == "storage_unavailable" {
        m.push_str(": Web Storage is not usable here; the session is kept in memory for this page");
    }
    web_sys::console::warn_1(&JsValue::from_str(&m));
}
