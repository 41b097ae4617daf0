//! The session engine: login, logout and the token each request may carry,
//! written against the effect traits so it runs the same in the browser and
//! in native tests.

use core::cell::{Cell, RefCell};
use core::future::Future;

use crate::effects::{Clock, Http, HttpFailure, HttpRequest, HttpResponse, Method, Navigation, Storage};
use crate::error::AuthError;
use crate::json::{self, Json};
use crate::jwt;
use crate::options::{ClearSessionStorage, Options};
use crate::plan::{self, Step};
use crate::session::{Reason, Session};

/// The app's `onLogout` hooks.
pub trait Hooks<F> {
    /// Runs every hook in order, awaiting each; returns the index and the
    /// thrown value of each hook that failed. One failure stops no other.
    fn run(&self) -> impl Future<Output = Vec<(u32, F)>>;
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

pub struct Engine<S, H, N, C> {
    pub opts: Options,
    tokens: S,
    session_storage: S,
    http: H,
    nav: N,
    clock: C,
    session: RefCell<Session>,
    /// Bumped each time a session ends: a response to a request that began
    /// in an earlier epoch must not sign the user back in.
    epoch: Cell<u64>,
    on_change: Box<dyn Fn(&Session)>,
}

impl<S: Storage, H: Http, N: Navigation, C: Clock> Engine<S, H, N, C> {
    /// Restores a token left in storage by an earlier page (raw string under
    /// `tokenKey`, as apps without the SDK store it).
    pub fn new(opts: Options, tokens: S, session_storage: S, http: H, nav: N, clock: C, on_change: Box<dyn Fn(&Session)>) -> Self {
        let stored = tokens.get(&opts.token_key).ok().flatten().filter(|t| !t.is_empty());
        let session = match stored {
            None => Session::SignedOut { reason: None },
            Some(token) => {
                let s = Session::signed_in(token);
                if jwt::is_expired(s.claims(), clock.now_ms()) {
                    let _ = tokens.remove(&opts.token_key);
                    Session::SignedOut { reason: Some(Reason::Expired) }
                } else {
                    s
                }
            }
        };
        Engine {
            opts,
            tokens,
            session_storage,
            http,
            nav,
            clock,
            session: RefCell::new(session),
            epoch: Cell::new(0),
            on_change,
        }
    }

    /// Reads the current session.
    pub fn with_session<R>(&self, f: impl FnOnce(&Session) -> R) -> R {
        f(&self.session.borrow())
    }

    /// The token a request may carry now: only while signed in, and never
    /// once it has expired.
    pub fn access_token(&self) -> Option<String> {
        match &*self.session.borrow() {
            Session::SignedIn { token, claims } if !jwt::is_expired(claims.as_ref(), self.clock.now_ms()) => {
                Some(token.clone())
            }
            _ => None,
        }
    }

    fn set_session(&self, next: Session) {
        *self.session.borrow_mut() = next;
        (self.on_change)(&self.session.borrow());
    }

    /// Ends the session at once: memory first, then storage.
    fn end_session<F>(&self, reason: Reason, errors: &mut Vec<StepFailure<F>>) {
        self.epoch.set(self.epoch.get().wrapping_add(1));
        self.set_session(Session::SignedOut { reason: Some(reason) });
        if self.tokens.remove(&self.opts.token_key).is_err() {
            errors.push(StepFailure { step: "tokenStorage", index: None, thrown: None });
        }
    }

    /// `POST` login; on success stores the token and signs in.
    pub async fn login(&self, email: &str, password: &str) -> Result<(), AuthError> {
        let epoch = self.epoch.get();
        let mut body = String::with_capacity(32 + email.len() + password.len());
        body.push_str("{\"email\":");
        json::write_str(&mut body, email);
        body.push_str(",\"password\":");
        json::write_str(&mut body, password);
        body.push('}');
        let response = self.send(Method::Post, &self.opts.paths.login, Some(body)).await?;
        if epoch != self.epoch.get() {
            return Err(AuthError::Superseded);
        }
        match response.status {
            200..=299 => {
                let token = Json::parse(&response.body)
                    .and_then(|j| j.get("access_token").and_then(Json::as_str).map(str::to_owned))
                    .filter(|t| !t.is_empty())
                    .ok_or(AuthError::InvalidResponse { status: response.status })?;
                // A failing storage still leaves the session usable in memory.
                let _ = self.tokens.set(&self.opts.token_key, &token);
                self.set_session(Session::signed_in(token));
                Ok(())
            }
            401 => Err(AuthError::InvalidCredentials { message: server_message(&response) }),
            _ => Err(http_error(&response)),
        }
    }

    async fn send(&self, method: Method, path: &str, json: Option<String>) -> Result<HttpResponse, AuthError> {
        let request = HttpRequest { method, url: self.opts.url(path), json, timeout_ms: self.opts.timeout_ms };
        self.http.send(request).await.map_err(|f| match f {
            HttpFailure::Timeout => AuthError::Timeout,
            HttpFailure::Network => AuthError::Network,
        })
    }

    /// Signs out: ends the session locally first, then tells the server,
    /// clears sessionStorage, runs the hooks and navigates. Never fails:
    /// the report says what happened.
    pub async fn logout<K: Hooks<N::Failure>>(&self, hooks: &K) -> LogoutReport<N::Failure> {
        let ended = self.begin_sign_out(Reason::Logout);
        self.finish_sign_out(true, hooks, ended).await
    }

    /// The synchronous first step of every sign-out ([`Step::EndSession`]):
    /// once this returns, no request can carry the token. Returns the
    /// failures met, for [`Self::finish_sign_out`].
    pub fn begin_sign_out(&self, reason: Reason) -> Vec<StepFailure<N::Failure>> {
        let mut errors = Vec::new();
        self.end_session(reason, &mut errors);
        errors
    }

    /// The rest of the logout plan, with or without the server call.
    pub async fn finish_sign_out<K: Hooks<N::Failure>>(
        &self,
        call_server: bool,
        hooks: &K,
        errors: Vec<StepFailure<N::Failure>>,
    ) -> LogoutReport<N::Failure> {
        let mut report = LogoutReport { server: None, status: None, errors };
        for step in plan::logout_plan(&self.opts, call_server) {
            match step {
                // Done by `begin_sign_out`.
                Step::EndSession => {}
                Step::CallServer => {
                    let (outcome, status) = match self.send(Method::Post, &self.opts.paths.logout, None).await {
                        Ok(r) if (200..300).contains(&r.status) => (ServerOutcome::Ok, Some(r.status)),
                        Ok(r) => (ServerOutcome::Failed, Some(r.status)),
                        Err(AuthError::Timeout) => (ServerOutcome::Timeout, None),
                        Err(_) => (ServerOutcome::Unreachable, None),
                    };
                    report.server = Some(outcome);
                    report.status = status;
                }
                Step::ClearSessionStorage(mode) => {
                    let result = match mode {
                        ClearSessionStorage::All => self.session_storage.clear(),
                        ClearSessionStorage::Keys(keys) => {
                            keys.iter().map(|k| self.session_storage.remove(k)).fold(Ok(()), Result::and)
                        }
                        ClearSessionStorage::Nothing => Ok(()),
                    };
                    if result.is_err() {
                        report.errors.push(StepFailure { step: "sessionStorage", index: None, thrown: None });
                    }
                }
                Step::RunHooks => {
                    for (index, thrown) in hooks.run().await {
                        report.errors.push(StepFailure { step: "onLogout", index: Some(index), thrown: Some(thrown) });
                    }
                }
                Step::Navigate(path) => {
                    if let Err(thrown) = self.nav.navigate(path).await {
                        report.errors.push(StepFailure { step: "navigate", index: None, thrown: Some(thrown) });
                    }
                }
            }
        }
        report
    }
}

/// The human message of an error body (`message` as a string, or the items
/// of a validation array joined), else a generic one with the status.
pub fn server_message(response: &HttpResponse) -> String {
    let body = Json::parse(&response.body);
    let message = body.as_ref().and_then(|b| b.get("message"));
    match message {
        Some(Json::Str(s)) if !s.is_empty() => s.clone(),
        Some(Json::Arr(items)) if !items.is_empty() => {
            let mut out = String::new();
            for item in items.iter().filter_map(Json::as_str) {
                if !out.is_empty() {
                    out.push_str("; ");
                }
                out.push_str(item);
            }
            out
        }
        _ => {
            let mut out = String::from("the server answered ");
            push_u16(&mut out, response.status);
            out
        }
    }
}

fn push_u16(out: &mut String, n: u16) {
    let mut digits = [0u8; 5];
    let mut i = digits.len();
    let mut n = n;
    loop {
        i -= 1;
        if let Some(d) = digits.get_mut(i) {
            *d = b'0' + (n % 10) as u8;
        }
        n /= 10;
        if n == 0 || i == 0 {
            break;
        }
    }
    for d in digits.iter().skip(i) {
        out.push(char::from(*d));
    }
}

pub fn http_error(response: &HttpResponse) -> AuthError {
    let message = server_message(response);
    match response.status {
        400 => AuthError::InvalidRequest { message },
        401 => AuthError::Unauthorized { message },
        429 => AuthError::RateLimited { message },
        status => AuthError::Server { status, message },
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::effects::{ManualClock, MemoryNavigation, MemoryStorage};
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

    #[derive(Default)]
    struct ScriptedHttp {
        answers: RefCell<VecDeque<Result<HttpResponse, HttpFailure>>>,
        sent: RefCell<Vec<HttpRequest>>,
        log: Rc<RefCell<Vec<String>>>,
    }

    impl ScriptedHttp {
        fn answer(&self, status: u16, body: &str) {
            self.answers.borrow_mut().push_back(Ok(HttpResponse { status, body: body.into() }));
        }
        fn fail(&self, f: HttpFailure) {
            self.answers.borrow_mut().push_back(Err(f));
        }
    }

    impl Http for &ScriptedHttp {
        async fn send(&self, request: HttpRequest) -> Result<HttpResponse, HttpFailure> {
            self.log.borrow_mut().push(request.url.clone());
            self.sent.borrow_mut().push(request);
            self.answers.borrow_mut().pop_front().unwrap_or(Err(HttpFailure::Network))
        }
    }

    impl Storage for &MemoryStorage {
        fn get(&self, key: &str) -> Result<Option<String>, crate::effects::StorageError> {
            (*self).get(key)
        }
        fn set(&self, key: &str, value: &str) -> Result<(), crate::effects::StorageError> {
            (*self).set(key, value)
        }
        fn remove(&self, key: &str) -> Result<(), crate::effects::StorageError> {
            (*self).remove(key)
        }
        fn clear(&self) -> Result<(), crate::effects::StorageError> {
            (*self).clear()
        }
    }

    impl Navigation for &MemoryNavigation {
        type Failure = String;
        async fn navigate(&self, path: &str) -> Result<(), String> {
            (*self).navigate(path).await
        }
    }

    impl Clock for &ManualClock {
        fn now_ms(&self) -> f64 {
            self.now.get()
        }
    }

    /// Hooks that log their names; the ones named "bad" fail.
    struct LoggingHooks {
        names: Vec<&'static str>,
        log: Rc<RefCell<Vec<String>>>,
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

    struct World {
        tokens: MemoryStorage,
        session: MemoryStorage,
        http: ScriptedHttp,
        nav: MemoryNavigation,
        clock: ManualClock,
        changes: Rc<Cell<u32>>,
    }

    const NOW: f64 = 1_700_000_000_000.0;

    impl World {
        fn new() -> World {
            let w = World {
                tokens: MemoryStorage::default(),
                session: MemoryStorage::default(),
                http: ScriptedHttp::default(),
                nav: MemoryNavigation::default(),
                clock: ManualClock::default(),
                changes: Rc::new(Cell::new(0)),
            };
            w.clock.now.set(NOW);
            w
        }

        fn engine(
            &self,
            f: impl FnOnce(&mut RawOptions),
        ) -> Engine<&MemoryStorage, &ScriptedHttp, &MemoryNavigation, &ManualClock> {
            let mut raw = RawOptions { base_url: Some(Json::Str("http://127.0.0.1:3000".into())), ..Default::default() };
            f(&mut raw);
            let opts = raw.validate("http://127.0.0.1:8000").expect("valid options");
            let changes = self.changes.clone();
            Engine::new(
                opts,
                &self.tokens,
                &self.session,
                &self.http,
                &self.nav,
                &self.clock,
                Box::new(move |_| changes.set(changes.get() + 1)),
            )
        }

        fn hooks(&self, names: Vec<&'static str>) -> LoggingHooks {
            LoggingHooks { names, log: self.http.log.clone() }
        }
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

    #[test]
    fn login_stores_the_raw_token_and_signs_in() {
        let w = World::new();
        let e = w.engine(|_| {});
        let t = live_token();
        w.http.answer(200, &(String::from(r#"{"access_token":""#) + &t + "\"}"));
        block_on(e.login("demo@sociapp.dev", "pw\"x")).expect("signed in");
        assert_eq!(w.tokens.get("access_token"), Ok(Some(t.clone())));
        assert_eq!(e.access_token(), Some(t));
        e.with_session(|s| assert_eq!(s.status(), "signedIn"));
        let sent = w.http.sent.borrow();
        assert_eq!(sent[0].url, "http://127.0.0.1:3000/auth/login");
        assert_eq!(sent[0].method, Method::Post);
        assert_eq!(sent[0].json.as_deref(), Some(r#"{"email":"demo@sociapp.dev","password":"pw\"x"}"#));
        assert_eq!(w.changes.get(), 1);
    }

    #[test]
    fn login_failures_map_to_codes_with_the_server_message() {
        let w = World::new();
        let e = w.engine(|_| {});
        w.http.answer(401, r#"{"statusCode":401,"message":"Invalid credentials","error":"Unauthorized"}"#);
        w.http.answer(400, r#"{"statusCode":400,"message":["email must be an email","password should not be empty"]}"#);
        w.http.answer(429, r#"{"statusCode":429,"message":"ThrottlerException: Too Many Requests"}"#);
        w.http.answer(503, "<html>");
        w.http.answer(200, "{\"access_token\": ");
        w.http.fail(HttpFailure::Timeout);
        w.http.fail(HttpFailure::Network);
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
        assert!(w.tokens.is_empty());
    }

    #[test]
    fn logout_runs_the_plan_in_order_and_reports_success() {
        let w = World::new();
        w.tokens.set("access_token", &live_token()).expect("set");
        w.session.set("draft", "x").expect("set");
        let e = w.engine(|r| r.redirect_to = Some(Json::Str("/login".into())));
        e.with_session(|s| assert_eq!(s.status(), "signedIn"));
        w.http.answer(200, r#"{"message":"Logged out successfully"}"#);
        let report = block_on(e.logout(&w.hooks(vec!["resetStore", "bad", "analytics"])));
        assert_eq!(report.server, Some(ServerOutcome::Ok));
        assert_eq!(report.status, Some(200));
        assert_eq!(
            report.errors,
            vec![StepFailure { step: "onLogout", index: Some(1), thrown: Some("boom".into()) }]
        );
        assert_eq!(
            *w.http.log.borrow(),
            vec!["http://127.0.0.1:3000/auth/logout", "resetStore", "bad", "analytics"]
        );
        assert_eq!(w.tokens.get("access_token"), Ok(None));
        assert!(w.session.is_empty());
        assert_eq!(*w.nav.visited.borrow(), vec!["/login"]);
        assert_eq!(e.access_token(), None);
        e.with_session(|s| assert_eq!(s.reason(), Some(Reason::Logout)));
    }

    #[test]
    fn every_server_failure_still_tears_down_locally() {
        for (fail, expected, status) in [
            (Some(500), ServerOutcome::Failed, Some(500)),
            (None, ServerOutcome::Timeout, None),
            (Some(0), ServerOutcome::Unreachable, None),
        ] {
            let w = World::new();
            w.tokens.set("access_token", &live_token()).expect("set");
            let e = w.engine(|_| {});
            match fail {
                Some(0) => w.http.fail(HttpFailure::Network),
                Some(code) => w.http.answer(code, "{}"),
                None => w.http.fail(HttpFailure::Timeout),
            }
            let report = block_on(e.logout(&w.hooks(vec!["reset"])));
            assert_eq!(report.server, Some(expected));
            assert_eq!(report.status, status);
            assert!(report.errors.is_empty());
            assert_eq!(w.tokens.get("access_token"), Ok(None));
            assert_eq!(e.access_token(), None);
            assert_eq!(*w.nav.visited.borrow(), vec!["/"]);
            assert_eq!(w.http.log.borrow().last().map(String::as_str), Some("reset"));
        }
    }

    #[test]
    fn the_token_is_gone_before_the_server_is_called() {
        let w = World::new();
        w.tokens.set("access_token", &live_token()).expect("set");
        // The Http double observes storage and session at the moment of the call.
        struct Observing<'a> {
            tokens: &'a MemoryStorage,
            seen: RefCell<Option<(Option<String>, bool)>>,
            signed_in: Box<dyn Fn() -> bool + 'a>,
        }
        impl Http for &Observing<'_> {
            async fn send(&self, _r: HttpRequest) -> Result<HttpResponse, HttpFailure> {
                *self.seen.borrow_mut() = Some((self.tokens.get("access_token").ok().flatten(), (self.signed_in)()));
                Ok(HttpResponse { status: 200, body: String::new() })
            }
        }
        let changes = Rc::new(Cell::new(0));
        let raw = RawOptions { base_url: Some(Json::Str("http://127.0.0.1:3000".into())), ..Default::default() };
        let opts = raw.validate("http://x.test").expect("valid");
        let state = Rc::new(Cell::new(true));
        let observed_state = state.clone();
        let obs = Observing { tokens: &w.tokens, seen: RefCell::new(None), signed_in: Box::new(move || observed_state.get()) };
        let c = changes.clone();
        let engine = Engine::new(opts, &w.tokens, &w.session, &obs, &w.nav, &w.clock, Box::new(move |_| {
            c.set(c.get() + 1);
            state.set(false);
        }));
        block_on(engine.logout(&w.hooks(vec![])));
        assert_eq!(*obs.seen.borrow(), Some((None, false)));
        assert_eq!(changes.get(), 1);
    }

    #[test]
    fn storage_failures_are_reported_not_thrown() {
        let w = World::new();
        w.tokens.set("access_token", &live_token()).expect("set");
        let e = w.engine(|r| r.clear_session_storage = Some(Json::Arr(vec![Json::Str("a".into())])));
        w.tokens.failing.set(true);
        w.session.failing.set(true);
        w.http.answer(200, "{}");
        let report = block_on(e.logout(&w.hooks(vec![])));
        let steps: Vec<&str> = report.errors.iter().map(|f| f.step).collect();
        assert_eq!(steps, vec!["tokenStorage", "sessionStorage"]);
        assert_eq!(e.access_token(), None);
        assert_eq!(*w.nav.visited.borrow(), vec!["/"]);
    }

    #[test]
    fn options_turn_steps_off() {
        let w = World::new();
        w.session.set("keep", "1").expect("set");
        let e = w.engine(|r| {
            r.clear_session_storage = Some(Json::Bool(false));
            r.redirect_to = Some(Json::Null);
        });
        w.http.answer(200, "{}");
        block_on(e.logout(&w.hooks(vec![])));
        assert_eq!(w.session.get("keep"), Ok(Some("1".into())));
        assert!(w.nav.visited.borrow().is_empty());
    }

    #[test]
    fn expired_tokens_are_not_restored_or_sent() {
        let w = World::new();
        w.tokens.set("access_token", &token(NOW / 1000.0 - 1.0)).expect("set");
        let e = w.engine(|_| {});
        assert_eq!(e.access_token(), None);
        e.with_session(|s| assert_eq!(s.reason(), Some(Reason::Expired)));
        assert_eq!(w.tokens.get("access_token"), Ok(None));

        let w = World::new();
        w.tokens.set("access_token", &token(NOW / 1000.0 + 10.0)).expect("set");
        let e = w.engine(|_| {});
        assert!(e.access_token().is_some());
        w.clock.now.set(NOW + 10_000.0);
        assert_eq!(e.access_token(), None);
    }

    #[test]
    fn a_custom_token_key_and_prefix_are_used() {
        let w = World::new();
        w.tokens.set("jwt", "opaque-token").expect("set");
        let e = w.engine(|r| {
            r.token_key = Some(Json::Str("jwt".into()));
            r.base_url = Some(Json::Str("https://api.example.com/v1/".into()));
        });
        assert_eq!(e.access_token().as_deref(), Some("opaque-token"));
        w.http.answer(200, "{}");
        block_on(e.logout(&w.hooks(vec![])));
        assert_eq!(w.http.sent.borrow()[0].url, "https://api.example.com/v1/auth/logout");
        assert_eq!(w.tokens.get("jwt"), Ok(None));
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
