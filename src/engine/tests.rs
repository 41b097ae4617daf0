//! The engine with in-memory effects; JSON and URLs are read with the
//! native twins of the browser's parsers.

use super::*;
use super::answers::push_u16;
use crate::effects::{ManualClock, MemoryLock, MemoryNavigation, MemoryStorage, MemoryTabs, NativeParsers, TabMessage};
use crate::error::AuthError;
use crate::json::Json;
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
