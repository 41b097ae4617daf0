//! The browser effects the session logic needs, as small traits, each with
//! an in-memory implementation for tests and for `tokenStorage: "memory"`.

use core::cell::RefCell;
use core::future::Future;
use std::rc::Rc;

#[cfg(not(target_arch = "wasm32"))]
use crate::json::Json;

/// The storage failed or is not there (disabled, SecurityError, quota).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct StorageError;

/// A key-value store with the semantics of Web Storage.
pub trait Storage {
    fn get(&self, key: &str) -> Result<Option<String>, StorageError>;
    fn set(&self, key: &str, value: &str) -> Result<(), StorageError>;
    fn remove(&self, key: &str) -> Result<(), StorageError>;
    fn clear(&self) -> Result<(), StorageError>;
}

/// A store kept in memory for the life of the page.
#[derive(Default, Debug)]
pub struct MemoryStorage {
    items: RefCell<Vec<(String, String)>>,
    /// When set, every call fails (to exercise failure paths).
    pub failing: core::cell::Cell<bool>,
}

impl MemoryStorage {
    fn check(&self) -> Result<(), StorageError> {
        if self.failing.get() {
            Err(StorageError)
        } else {
            Ok(())
        }
    }

    pub fn len(&self) -> usize {
        self.items.borrow().len()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

impl Storage for MemoryStorage {
    fn get(&self, key: &str) -> Result<Option<String>, StorageError> {
        self.check()?;
        Ok(self.items.borrow().iter().find(|(k, _)| k == key).map(|(_, v)| v.clone()))
    }
    fn set(&self, key: &str, value: &str) -> Result<(), StorageError> {
        self.check()?;
        let mut items = self.items.borrow_mut();
        match items.iter_mut().find(|(k, _)| k == key) {
            Some(slot) => slot.1 = value.to_owned(),
            None => items.push((key.to_owned(), value.to_owned())),
        }
        Ok(())
    }
    fn remove(&self, key: &str) -> Result<(), StorageError> {
        self.check()?;
        self.items.borrow_mut().retain(|(k, _)| k != key);
        Ok(())
    }
    fn clear(&self) -> Result<(), StorageError> {
        self.check()?;
        self.items.borrow_mut().clear();
        Ok(())
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Method {
    Get,
    Post,
}

/// A request to the API. Every request carries cookies (`credentials:
/// "include"`), since the refresh cookie lives on the API's origin.
#[derive(Clone, Debug, PartialEq)]
pub struct HttpRequest {
    pub method: Method,
    pub url: String,
    /// A JSON body, sent with `Content-Type: application/json`.
    pub json: Option<String>,
    pub timeout_ms: u32,
    /// Whether the caller reads the body; if not, the answer is complete
    /// once the status and headers (so any Set-Cookie) have arrived.
    pub read_body: bool,
}

/// An API answer as the platform reads it: its status and what the SDK
/// uses of its JSON body.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct HttpResponse {
    pub status: u16,
    /// Whether the body was read and is JSON.
    pub json: bool,
    /// The body's `access_token`, when it is a non-empty string.
    pub token: Option<String>,
    /// The body's `message` for people: a non-empty string, or the strings
    /// of an array (the server's validation messages) joined with "; ".
    pub message: Option<String>,
    /// `Retry-After` in milliseconds, where the answer has one the page may
    /// read (a number of seconds; cross-origin only when the API exposes it).
    pub retry_after_ms: Option<f64>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum HttpFailure {
    /// No answer within the timeout; the request was aborted.
    Timeout,
    /// Refused, reset, blocked by CORS, or the body could not be read.
    Network,
}

pub trait Http {
    /// Sends `request` at once (not when the future is first polled), so a
    /// caller can start a request and go on with synchronous work while it
    /// is in flight. The future awaits the answer.
    fn send(&self, request: HttpRequest) -> impl Future<Output = Result<HttpResponse, HttpFailure>> + 'static;
}

/// Moves the page to another location of the app.
pub trait Navigation {
    /// What the app's own navigation function threw, if it did.
    type Failure;
    /// Resolves once the navigation is done (its value is not used).
    fn navigate(&self, path: &str) -> impl Future<Output = Result<impl Sized, Self::Failure>>;
}

/// A navigator that records where it was sent.
#[derive(Default, Debug)]
pub struct MemoryNavigation {
    pub visited: RefCell<Vec<String>>,
}

impl Navigation for MemoryNavigation {
    type Failure = String;
    fn navigate(&self, path: &str) -> impl Future<Output = Result<impl Sized, String>> {
        self.visited.borrow_mut().push(path.to_owned());
        core::future::ready(Ok::<(), String>(()))
    }
}

pub trait Clock {
    /// Milliseconds since the Unix epoch.
    fn now_ms(&self) -> f64;
    /// A number from 0 (inclusive) to 1, for the jitter of retries.
    fn random(&self) -> f64;
}

/// A clock that stands still until moved; its "random" number is set too.
#[derive(Default, Debug)]
pub struct ManualClock {
    pub now: core::cell::Cell<f64>,
    pub random: core::cell::Cell<f64>,
}

impl Clock for ManualClock {
    fn now_ms(&self) -> f64 {
        self.now.get()
    }
    fn random(&self) -> f64 {
        self.random.get()
    }
}

/// Mutual exclusion among the tabs that share token storage (a refresh at a
/// time: the refresh cookie rotates).
pub trait Lock {
    /// The lock is held until the guard is dropped.
    type Guard;
    /// Waits for the lock `name`, at most `timeout_ms`: the guard (the lock
    /// is let go after `timeout_ms` at the latest, even if a tab holding it
    /// dies or freezes), or `None` when the wait timed out and the caller
    /// goes on without it.
    fn acquire(&self, name: &str, timeout_ms: u32) -> impl Future<Output = Option<Self::Guard>>;
}

/// The refresh lock of the tabs of one test: its clones share it, as the
/// tabs of a browser share Web Locks. One holder per name at a time; another
/// waits until the holder lets go (drops its guard) or its hold ends
/// (`timeout_ms` after it took the lock), and gives up once its own wait
/// reaches its `timeout_ms` — time being the lock's own, which the test
/// moves with [`MemoryLock::advance`].
#[derive(Clone, Default, Debug)]
pub struct MemoryLock {
    /// Every acquisition, in order.
    pub taken: Rc<RefCell<Vec<String>>>,
    table: Rc<RefCell<LockTable>>,
}

#[derive(Default, Debug)]
struct LockTable {
    now: f64,
    /// Name, holder, and when the hold ends.
    held: Vec<(String, u64, f64)>,
    next: u64,
    waiting: Vec<core::task::Waker>,
}

impl LockTable {
    fn wake_all(&mut self) {
        for waker in self.waiting.drain(..) {
            waker.wake();
        }
    }
}

impl MemoryLock {
    /// Lets `ms` pass: holds and waits that end meanwhile end.
    pub fn advance(&self, ms: f64) {
        let mut t = self.table.borrow_mut();
        t.now += ms;
        t.wake_all();
    }
}

/// Holds a [`MemoryLock`]'s name until dropped.
#[derive(Debug)]
pub struct MemoryGuard {
    table: Rc<RefCell<LockTable>>,
    id: u64,
}

impl Drop for MemoryGuard {
    fn drop(&mut self) {
        let mut t = self.table.borrow_mut();
        t.held.retain(|(_, id, _)| *id != self.id);
        t.wake_all();
    }
}

impl Lock for MemoryLock {
    type Guard = MemoryGuard;
    fn acquire(&self, name: &str, timeout_ms: u32) -> impl Future<Output = Option<MemoryGuard>> {
        let (name, table, taken) = (name.to_owned(), self.table.clone(), self.taken.clone());
        let hold = f64::from(timeout_ms);
        let give_up = table.borrow().now + hold;
        core::future::poll_fn(move |cx| {
            let mut t = table.borrow_mut();
            let now = t.now;
            t.held.retain(|(_, _, until)| *until > now);
            if !t.held.iter().any(|(held, _, _)| *held == name) {
                let id = t.next;
                t.next += 1;
                t.held.push((name.clone(), id, now + hold));
                taken.borrow_mut().push(name.clone());
                return core::task::Poll::Ready(Some(MemoryGuard { table: table.clone(), id }));
            }
            if now >= give_up {
                return core::task::Poll::Ready(None);
            }
            t.waiting.push(cx.waker().clone());
            core::task::Poll::Pending
        })
    }
}

/// What one tab tells the others. It carries the event only, never a token.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TabMessage {
    Login,
    Logout,
}

impl TabMessage {
    pub fn as_str(self) -> &'static str {
        match self {
            TabMessage::Login => "login",
            TabMessage::Logout => "logout",
        }
    }

    pub fn parse(s: &str) -> Option<TabMessage> {
        match s {
            "login" => Some(TabMessage::Login),
            "logout" => Some(TabMessage::Logout),
            _ => None,
        }
    }
}

/// The channel to the app's other tabs.
pub trait Tabs {
    fn post(&self, message: TabMessage);
}

/// Records what was posted.
#[derive(Default, Debug)]
pub struct MemoryTabs {
    pub posted: RefCell<Vec<TabMessage>>,
}

impl Tabs for MemoryTabs {
    fn post(&self, message: TabMessage) {
        self.posted.borrow_mut().push(message);
    }
}

/// A URL as the WHATWG URL parser splits it (the fields of `new URL()`).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct UrlParts {
    /// Whether the protocol is `http:` or `https:`.
    pub http: bool,
    /// Whether it has a username or a password.
    pub credentials: bool,
    /// The host name, without the port.
    pub hostname: String,
    /// `scheme://host[:port]`, lower case, default port left out; `"null"`
    /// for URLs that have no origin.
    pub origin: String,
    pub pathname: String,
    /// `""` or starting with `?`.
    pub search: String,
    /// `""` or starting with `#`.
    pub hash: String,
}

/// The parsers the platform has: the browser's `JSON.parse`, `URL` and
/// `atob`, and its JSON writer.
pub trait Parsers {
    /// A request body: the JSON text of an object of one or two strings,
    /// such as `{"email":…,"password":…}`.
    fn body_json(&self, key: &str, value: &str, second: Option<(&str, &str)>) -> String;
    /// The claims of a compact JWS: three segments separated by dots, the
    /// second base64url (padded or not) of the UTF-8 JSON text of an
    /// object; `None` when it is not. Each claim is kept when of its type:
    /// `sub` a number or a string, `email` a string, `exp` a number.
    fn claims(&self, token: &str) -> Option<crate::jwt::Claims>;
    /// An absolute URL split into its parts, or `None` when the parser
    /// refuses it.
    fn url(&self, input: &str) -> Option<UrlParts>;
}

/// The native twin of the browser's parsers: serde_json and the `url`
/// crate (which follows the same WHATWG URL standard as browsers). Not in
/// the WebAssembly build.
#[cfg(not(target_arch = "wasm32"))]
#[derive(Default, Debug, Clone, Copy)]
pub struct NativeParsers;

#[cfg(not(target_arch = "wasm32"))]
impl NativeParsers {
    fn value(v: serde_json::Value) -> Json {
        use serde_json::Value;
        match v {
            Value::Null => Json::Null,
            Value::Bool(b) => Json::Bool(b),
            Value::Number(n) => Json::Num(n.as_f64().unwrap_or(f64::NAN)),
            Value::String(s) => Json::Str(s),
            Value::Array(items) => Json::Arr(items.into_iter().map(Self::value).collect()),
            Value::Object(members) => Json::Obj(members.into_iter().map(|(k, v)| (k, Self::value(v))).collect()),
        }
    }

    /// A whole JSON text, or `None` when it is not one (the twin of
    /// `JSON.parse`, which reads response bodies in the browser).
    pub fn json(&self, text: &str) -> Option<Json> {
        serde_json::from_str(text).ok().map(Self::value)
    }

    /// A value as JavaScript's `String()` writes an array's item when it
    /// joins them (`Array.prototype.join`).
    fn text(v: &Json) -> String {
        match v {
            Json::Null | Json::Opaque => String::new(),
            Json::Bool(b) => b.to_string(),
            Json::Num(n) if n.fract() == 0.0 && n.abs() < 1e21 => format!("{}", *n as i64),
            Json::Num(n) => n.to_string(),
            Json::Str(s) => s.clone(),
            Json::Arr(items) => items.iter().map(Self::text).collect::<Vec<_>>().join(","),
            Json::Obj(_) => "[object Object]".to_owned(),
        }
    }

    /// An answer with the body `text`, read as the browser half reads it
    /// (the twin of host.js's `answer`).
    pub fn answer(&self, status: u16, text: &str) -> HttpResponse {
        let body = self.json(text);
        let field = |key| body.as_ref().and_then(|b| b.get(key));
        let message = match field("message") {
            Some(Json::Str(s)) => s.clone(),
            Some(Json::Arr(items)) => items.iter().map(Self::text).collect::<Vec<_>>().join("; "),
            _ => String::new(),
        };
        HttpResponse {
            status,
            json: body.is_some(),
            token: field("access_token").and_then(Json::as_str).filter(|t| !t.is_empty()).map(str::to_owned),
            message: Some(message).filter(|m| !m.is_empty()),
            retry_after_ms: None,
        }
    }
}

#[cfg(not(target_arch = "wasm32"))]
impl Parsers for NativeParsers {
    fn body_json(&self, key: &str, value: &str, second: Option<(&str, &str)>) -> String {
        // Members in the order given, as JSON.stringify writes them.
        let quote = |s: &str| serde_json::Value::from(s).to_string();
        let mut out = format!("{{{}:{}", quote(key), quote(value));
        if let Some((k, v)) = second {
            out.push_str(&format!(",{}:{}", quote(k), quote(v)));
        }
        out.push('}');
        out
    }

    fn claims(&self, token: &str) -> Option<crate::jwt::Claims> {
        let [_, segment, _] = token.split('.').collect::<Vec<_>>()[..] else {
            return None;
        };
        let json = self.json(&String::from_utf8(crate::jwt::base64url_decode(segment)?).ok()?)?;
        if !matches!(json, Json::Obj(_)) {
            return None;
        }
        let sub = json.get("sub").filter(|s| matches!(s, Json::Str(_) | Json::Num(_))).cloned();
        let email = json.get("email").and_then(Json::as_str).map(str::to_owned);
        Some(crate::jwt::Claims { sub, email, exp: json.get("exp").and_then(Json::as_f64) })
    }

    fn url(&self, input: &str) -> Option<UrlParts> {
        let u = url::Url::parse(input).ok()?;
        let opt = |s: Option<&str>, prefix: char| s.filter(|s| !s.is_empty()).map(|s| format!("{prefix}{s}")).unwrap_or_default();
        Some(UrlParts {
            http: u.scheme() == "http" || u.scheme() == "https",
            credentials: !u.username().is_empty() || u.password().is_some_and(|p| !p.is_empty()),
            hostname: u.host_str().unwrap_or_default().to_owned(),
            origin: u.origin().ascii_serialization(),
            pathname: u.path().to_owned(),
            search: opt(u.query(), '?'),
            hash: opt(u.fragment(), '#'),
        })
    }
}

#[cfg(all(test, not(target_arch = "wasm32")))]
mod tests {
    use super::*;

    #[test]
    fn answers_are_read_as_the_browser_half_reads_them() {
        let p = NativeParsers;
        let a = p.answer(200, r#"{"access_token":"a.b.c"}"#);
        assert_eq!((a.json, a.token.as_deref(), a.message), (true, Some("a.b.c"), None));
        let a = p.answer(400, r#"{"message":["email must be an email",3,null,"x"]}"#);
        assert_eq!(a.message.as_deref(), Some("email must be an email; 3; ; x"));
        let a = p.answer(200, r#"{"access_token":"","message":""}"#);
        assert_eq!((a.token, a.message), (None, None), "empty strings are absent");
        let a = p.answer(502, "<html>");
        assert_eq!((a.json, a.token, a.message), (false, None, None));
    }
}
