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
/// time: the refresh cookie rotates). The SDK's lock is
/// [`crate::lock::TabLock`], over a [`LockPlatform`].
pub trait Lock {
    /// The lock is held until the guard is dropped.
    type Guard;
    /// Waits for the lock `name`, at most `timeout_ms`: the guard (the lock
    /// is let go after `timeout_ms` at the latest, even if a tab holding it
    /// dies or freezes), or `None` when the wait timed out and the caller
    /// goes on without it.
    fn acquire(&self, name: &str, timeout_ms: u32) -> impl Future<Output = Option<Self::Guard>>;
}

/// What one step of the lock gives (see [`crate::wire::lock_step`]).
pub enum LockAnswer<H> {
    /// The platform's lock, held until dropped.
    Held(H),
    /// Not granted; or no claim.
    Nothing,
    /// The page has no lock of its own; or a step that answers nothing.
    Absent,
    /// The storage failed.
    Failed,
    /// The release stamps (seen, this page's last) or a claim (owner,
    /// until); NaN where absent.
    Numbers(f64, f64),
}

/// What the platform offers a lock among the app's tabs (Web Locks, the
/// release stamps they leave in the storage the tabs share, claims in that
/// storage, waits), one step at a time: `step` is a [`crate::wire::lock_step`].
pub trait LockPlatform {
    /// Holds the platform's lock until dropped.
    type Held;
    fn step(&self, step: u32, name: &str, ms: u32, a: f64, b: f64) -> impl Future<Output = LockAnswer<Self::Held>>;
    /// Removes the claim on `name` if it is `owner`'s, at once.
    fn unclaim(&self, name: &str, owner: f64);
}

/// Time for the twins: it stands still until the test moves it
/// ([`MemoryTime::advance`], or [`MemoryTime::run`] which moves it to the
/// next deadline whenever everything waits); its clones share it. Its
/// "random" numbers are a fixed sequence, different at each call.
#[derive(Clone, Default, Debug)]
pub struct MemoryTime(Rc<RefCell<TimeTable>>);

#[derive(Default, Debug)]
struct TimeTable {
    now: f64,
    draws: u32,
    /// What waits, until when (`f64::INFINITY`: until woken otherwise).
    waiting: Vec<(f64, core::task::Waker)>,
}

impl MemoryTime {
    pub fn now(&self) -> f64 {
        self.0.borrow().now
    }

    /// Lets `ms` pass: whatever waits is polled again.
    pub fn advance(&self, ms: f64) {
        let waiting = {
            let mut t = self.0.borrow_mut();
            t.now += ms;
            core::mem::take(&mut t.waiting)
        };
        waiting.into_iter().for_each(|(_, w)| w.wake());
    }

    /// Ready once the time reaches `deadline`; else waits for it (or for
    /// [`MemoryTime::wake_all`]).
    pub fn until(&self, deadline: f64, cx: &mut core::task::Context<'_>) -> core::task::Poll<()> {
        let mut t = self.0.borrow_mut();
        if t.now >= deadline {
            return core::task::Poll::Ready(());
        }
        t.waiting.push((deadline, cx.waker().clone()));
        core::task::Poll::Pending
    }

    /// Polls again whatever waits, without moving the time.
    pub fn wake_all(&self) {
        self.advance(0.0);
    }

    /// Runs `f` to its end, moving the time to the next deadline whenever
    /// it waits: a simulation whose waits take no real time. Panics when it
    /// waits for something that is not a deadline (it would never end).
    pub fn run<T>(&self, f: impl Future<Output = T>) -> T {
        let mut f = core::pin::pin!(f);
        let mut cx = core::task::Context::from_waker(core::task::Waker::noop());
        loop {
            if let core::task::Poll::Ready(v) = f.as_mut().poll(&mut cx) {
                return v;
            }
            let next = self.0.borrow().waiting.iter().map(|(d, _)| *d).fold(f64::INFINITY, f64::min);
            assert!(next.is_finite(), "waits for something that never happens");
            let now = self.now();
            self.advance((next - now).max(0.0));
        }
    }
}

impl Clock for MemoryTime {
    fn now_ms(&self) -> f64 {
        self.now()
    }
    fn random(&self) -> f64 {
        let mut t = self.0.borrow_mut();
        t.draws += 1;
        (f64::from(t.draws) * 0.618_033_988_749_895).fract()
    }
}

/// The lock platform of the pages (tabs) of one test, the twin of Web Locks
/// and localStorage behind `host.js`'s `lock_step`: clones share one lock
/// table, release stamps and claims, and [`MemoryTime`]; [`MemoryLock::tab`]
/// is another page (its own memory of the stamps it stored). One holder of a
/// name at a time; another waits until the holder lets go or its hold ends
/// (`ms` after it took the lock), or gives up when its wait ends. Every page
/// sees a write at once, unless `lagging` holds release stamps back until
/// [`MemoryLock::deliver`] (as another tab's writes arrive a moment later).
/// With `slow_release`, a hold let go still holds for half a millisecond (as
/// Web Locks let go in a later task).
/// With `absent` set, the pages have no lock of their own (no Web Locks) and
/// use claims.
#[derive(Clone, Default, Debug)]
pub struct MemoryLock {
    /// Every grant of the platform's lock, in order.
    pub taken: Rc<RefCell<Vec<String>>>,
    pub time: MemoryTime,
    pub absent: bool,
    pub lagging: bool,
    pub slow_release: bool,
    table: Rc<RefCell<LockTable>>,
    /// The release stamp this page stored last, by name.
    mine: Rc<RefCell<Vec<(String, f64)>>>,
}

#[derive(Default, Debug)]
struct LockTable {
    /// Name, holder, when the hold ends, and whether its stamp is stored.
    held: Vec<(String, u64, f64, bool)>,
    next: u64,
    /// The release stamps the pages see, and those still on their way.
    stamps: Vec<(String, f64)>,
    coming: Vec<(String, f64)>,
    /// The claims: name, owner, until.
    claims: Vec<(String, f64, f64)>,
}

fn put(list: &mut Vec<(String, f64)>, name: &str, value: f64) {
    list.retain(|(n, _)| n != name);
    list.push((name.to_owned(), value));
}

fn find(list: &[(String, f64)], name: &str) -> f64 {
    list.iter().find(|(n, _)| n == name).map_or(f64::NAN, |(_, v)| *v)
}

impl MemoryLock {
    /// Another page of the same browser.
    pub fn tab(&self) -> MemoryLock {
        MemoryLock { mine: Rc::default(), ..self.clone() }
    }

    /// The release stamps held back (see `lagging`) arrive.
    pub fn deliver(&self) {
        let mut t = self.table.borrow_mut();
        for (name, stamp) in core::mem::take(&mut t.coming) {
            put(&mut t.stamps, &name, stamp);
        }
        drop(t);
        self.time.wake_all();
    }

    /// Stores a new release stamp of `name`, as this page.
    fn stamp(&self, name: &str) {
        let stamp = self.time.random();
        put(&mut self.mine.borrow_mut(), name, stamp);
        let mut t = self.table.borrow_mut();
        put(if self.lagging { &mut t.coming } else { &mut t.stamps }, name, stamp);
        drop(t);
        self.time.wake_all();
    }

    /// Ends the holds that ran out, storing their stamps.
    fn expire(&self) {
        let now = self.time.now();
        let mut t = self.table.borrow_mut();
        let ended: Vec<String> = t.held.iter().filter(|h| h.2 <= now && !h.3).map(|h| h.0.clone()).collect();
        t.held.retain(|h| h.2 > now);
        drop(t);
        ended.iter().for_each(|name| self.stamp(name));
    }
}

/// Holds a [`MemoryLock`]'s name until dropped.
#[derive(Debug)]
pub struct MemoryHeld {
    lock: MemoryLock,
    id: u64,
}

impl Drop for MemoryHeld {
    fn drop(&mut self) {
        let mut t = self.lock.table.borrow_mut();
        let now = self.lock.time.now();
        let slow = self.lock.slow_release;
        let hold = t.held.iter_mut().find(|h| h.1 == self.id && !h.3);
        let name = hold.map(|h| {
            // Still held for a moment (`slow_release`), its stamp stored.
            (h.2, h.3) = (if slow { h.2.min(now + 0.5) } else { now }, true);
            h.0.clone()
        });
        t.held.retain(|h| h.2 > now);
        drop(t);
        // A hold that ran out stored its stamp then.
        if let Some(name) = name {
            self.lock.stamp(&name);
        }
        self.lock.time.wake_all();
    }
}

impl LockPlatform for MemoryLock {
    type Held = MemoryHeld;

    fn step(&self, step: u32, name: &str, ms: u32, a: f64, b: f64) -> impl Future<Output = LockAnswer<MemoryHeld>> {
        use crate::wire::lock_step::*;
        use core::task::Poll::{Pending, Ready};
        let (lock, name) = (self.clone(), name.to_owned());
        let deadline = self.time.now() + f64::from(ms);
        core::future::poll_fn(move |cx| {
            lock.expire();
            let now = lock.time.now();
            match step {
                ASK | WAIT if lock.absent => Ready(LockAnswer::Absent),
                ASK | WAIT => {
                    let holder = lock.table.borrow().held.iter().find(|h| h.0 == name).map(|h| h.2);
                    match holder {
                        None => {
                            let mut t = lock.table.borrow_mut();
                            let id = t.next;
                            t.next += 1;
                            t.held.push((name.clone(), id, now + f64::from(ms), false));
                            lock.taken.borrow_mut().push(name.clone());
                            Ready(LockAnswer::Held(MemoryHeld { lock: lock.clone(), id }))
                        }
                        // Polled again when the holder lets go, or its hold or this wait ends.
                        Some(until) if step == WAIT && now < deadline => lock.time.until(deadline.min(until), cx).map(|()| LockAnswer::Nothing),
                        Some(_) => Ready(LockAnswer::Nothing),
                    }
                }
                STAMPS => Ready(LockAnswer::Numbers(find(&lock.table.borrow().stamps, &name), find(&lock.mine.borrow(), &name))),
                CHANGED => {
                    let seen = find(&lock.table.borrow().stamps, &name);
                    if seen == a || seen.is_nan() && a.is_nan() {
                        lock.time.until(deadline, cx).map(|()| LockAnswer::Absent)
                    } else {
                        Ready(LockAnswer::Absent)
                    }
                }
                CLAIM_OF => Ready(lock.table.borrow().claims.iter().find(|c| c.0 == name).map_or(LockAnswer::Nothing, |c| LockAnswer::Numbers(c.1, c.2))),
                CLAIM => {
                    let mut t = lock.table.borrow_mut();
                    t.claims.retain(|c| c.0 != name);
                    t.claims.push((name.clone(), a, b));
                    Ready(LockAnswer::Absent)
                }
                UNCLAIM => {
                    lock.unclaim(&name, a);
                    Ready(LockAnswer::Absent)
                }
                _ if now >= deadline => Ready(LockAnswer::Absent),
                _ => match lock.time.until(deadline, cx) {
                    Ready(()) => Ready(LockAnswer::Absent),
                    Pending => Pending,
                },
            }
        })
    }

    fn unclaim(&self, name: &str, owner: f64) {
        self.table.borrow_mut().claims.retain(|c| c.0 != name || c.1 != owner);
        self.time.wake_all();
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
