//! The fault matrix: every way the server or the network can fail, for each
//! `tokenStorage`, with and without navigation, against the three calls that
//! talk to the server on their own: logout, the refresh behind `auth.fetch`,
//! and login. Real browser against the dev server's fault switches.
//!
//! Each logout and login cell, and each refresh cell whose fault is
//! definitive, asserts that no fault leaves a session behind: the token is gone
//! from memory and from both storages, sessionStorage is cleared as the
//! `clearSessionStorage` option says, the hooks ran, the navigation happened
//! (or not, with `redirectTo: null`), the result names the failure, and the
//! page saw no unhandled promise rejection and no uncaught exception. A
//! refresh whose fault is a passing one (502, a timeout, a refused, dropped
//! or CORS-blocked connection) keeps the session instead: the request fails
//! with the error's code, nothing is torn down, and the retry after the
//! backoff renews the token once the server is back. A cell
//! that fails is reported and the others still run; the run ends with the
//! line `fault matrix: N passed, N failed` and fails if any cell failed.
#![cfg(target_arch = "wasm32")]

use js_sys::{Array, Function, Promise};
use sociapp_auth::js::AuthClient;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use wasm_bindgen_test::*;
use web_sys::Response;

mod common;
use common::*;

wasm_bindgen_test_configure!(run_in_browser);

/// What goes wrong with the one request a cell is about.
#[derive(Clone, Copy, Debug, PartialEq)]
enum Fault {
    /// The server answers this status.
    Status(u16),
    /// The server does not answer within the client's `timeoutMs`.
    Hang,
    /// Nothing listens on the API's port.
    Refused,
    /// The server closes the connection without an answer.
    Drop,
    /// 200, then the connection closes in the middle of the body.
    Truncate,
    /// 200 `application/json` whose body is not JSON.
    Malformed,
    /// The answer carries no CORS headers for the page's origin.
    NoCors,
}

const FAULTS: [Fault; 11] = [
    Fault::Status(500),
    Fault::Status(502),
    Fault::Status(404),
    Fault::Status(401),
    Fault::Status(403),
    Fault::Hang,
    Fault::Refused,
    Fault::Drop,
    Fault::Truncate,
    Fault::Malformed,
    Fault::NoCors,
];

const STORAGES: [&str; 3] = ["local", "session", "memory"];

/// The client's timeout in the cells where the server hangs (the server would
/// answer after `HANG_MS`); generous so that the login before it never trips.
const TIMEOUT_MS: u32 = 1_000;
const HANG_MS: u32 = 15_000;

impl Fault {
    fn name(self) -> String {
        match self {
            Fault::Status(s) => format!("status {s}"),
            Fault::Hang => "hang".into(),
            Fault::Refused => "refused".into(),
            Fault::Drop => "drop".into(),
            Fault::Truncate => "truncate".into(),
            Fault::Malformed => "malformed".into(),
            Fault::NoCors => "nocors".into(),
        }
    }

    /// Queues the fault on the dev server for the next request to `path`.
    async fn arm(self, path: &str) {
        match self {
            Fault::Status(s) => fault(path, "status", &format!(r#","status":{s}"#)).await,
            Fault::Hang => fault(path, "hang", &format!(r#","ms":{HANG_MS}"#)).await,
            // Done by the page's routing: see `route_to_api_except`.
            Fault::Refused => {}
            // A browser may resend a request whose reused keep-alive
            // connection closed before any byte of an answer (Chromium does,
            // once, even for POST): the resent request meets the fault again.
            // A drop left over when nothing was resent is cleared by the next
            // cell's reset.
            Fault::Drop => fault(path, "drop", r#","times":3"#).await,
            Fault::Truncate => fault(path, "truncate", "").await,
            Fault::Malformed => fault(path, "malformed", "").await,
            Fault::NoCors => fault(path, "nocors", "").await,
        }
    }

    /// For a refresh: the error code of a passing failure (the session stays
    /// signed in and the renewal is retried), or `None` for a definitive one.
    fn transient(self) -> Option<&'static str> {
        match self {
            Fault::Status(502) => Some("server"),
            Fault::Hang => Some("timeout"),
            Fault::Refused | Fault::Drop | Fault::NoCors => Some("network"),
            _ => None,
        }
    }

    /// How many requests to the faulty path the server may see: a refused
    /// connection reaches nothing, a dropped one may be resent.
    fn arrivals(self) -> std::ops::RangeInclusive<usize> {
        match self {
            Fault::Refused => 0..=0,
            Fault::Drop => 1..=3,
            _ => 1..=1,
        }
    }
}

/// The three ways logout may treat sessionStorage, taken in turn by the cells.
#[derive(Clone, Copy, Debug)]
enum Clear {
    All,
    Nothing,
    Draft,
}

impl Clear {
    fn of(cell: usize) -> Clear {
        [Clear::All, Clear::Nothing, Clear::Draft][cell % 3]
    }

    fn option(self) -> Option<(&'static str, JsValue)> {
        match self {
            Clear::All => None,
            Clear::Nothing => Some(("clearSessionStorage", false.into())),
            Clear::Draft => Some(("clearSessionStorage", Array::of1(&"draft".into()).into())),
        }
    }

    /// `draft` and `theme` after the sign-out (both were set before it).
    fn expected(self) -> (Option<&'static str>, Option<&'static str>) {
        match self {
            Clear::All => (None, None),
            Clear::Nothing => (Some("x"), Some("y")),
            Clear::Draft => (None, Some("y")),
        }
    }
}

/// One cell: its name and what went wrong in it.
struct Cell {
    name: String,
    problems: Vec<String>,
    /// For drop cells: how often the server saw the dropped request.
    drops_seen: Option<usize>,
}

impl Cell {
    fn new(part: &str, fault: Fault, storage: &str, nav: Option<bool>, clear: Option<Clear>) -> Cell {
        let mut name = format!("{part} / {} / tokenStorage {storage}", fault.name());
        if let Some(nav) = nav {
            name.push_str(if nav { " / redirectTo default" } else { " / redirectTo null" });
        }
        if let Some(clear) = clear {
            name.push_str(&format!(" / clearSessionStorage {clear:?}"));
        }
        Cell { name, problems: Vec::new(), drops_seen: None }
    }

    fn check(&mut self, ok: bool, what: impl FnOnce() -> String) {
        if !ok {
            self.problems.push(what());
        }
    }

    fn eq<T: PartialEq + std::fmt::Debug>(&mut self, what: &str, got: T, want: T) {
        if got != want {
            self.problems.push(format!("{what}: got {got:?}, want {want:?}"));
        }
    }
}

/// Runs a script in the page.
fn run(script: &str) -> JsValue {
    Function::new_no_args(script).call0(&JsValue::UNDEFINED).expect("script runs")
}

/// Records every unhandled promise rejection and uncaught exception of the
/// page in `window.__pageProblems` (installed once).
fn watch_page() {
    run("if (!window.__pageProblems) {
           window.__pageProblems = [];
           const text = (v) => { try { return String((v && v.stack) || v); } catch (_) { return typeof v; } };
           window.addEventListener('unhandledrejection', (e) => window.__pageProblems.push('unhandled rejection: ' + text(e.reason)));
           window.addEventListener('error', (e) => window.__pageProblems.push('uncaught: ' + text(e.error || e.message)));
         }");
}

fn page_problems() -> Vec<String> {
    Array::from(&get(&js_sys::global(), "__pageProblems")).iter().filter_map(|v| v.as_string()).collect()
}

/// Waits for one task of the event loop: the browser reports unhandled
/// rejections after the microtasks of the task that left them.
async fn next_task() {
    let p = Promise::new(&mut |resolve, _| {
        window().set_timeout_with_callback_and_timeout_and_arguments_0(&resolve, 0).expect("setTimeout");
    });
    settle(p).await.expect("timer");
}

/// Makes `DOWN` (where nothing listens) the client's API for `path` only:
/// every other request the page sends to `DOWN` goes to the dev server.
/// This is how a client signs in (and makes its requests) while the server is
/// up, and then meets a refused connection on the one call under test.
fn route_to_api_except(path: &str) {
    run(&format!(
        "window.__route = {{ from: {down:?}, to: {api:?}, except: {path:?} }};
         if (!window.__unroutedFetch) {{
           window.__unroutedFetch = window.fetch;
           window.fetch = function (input, init) {{
             const r = window.__route;
             if (r) {{
               const url = input instanceof Request ? input.url : String(input);
               if (url.startsWith(r.from + '/') && !url.startsWith(r.from + r.except)) {{
                 const to = r.to + url.slice(r.from.length);
                 input = input instanceof Request ? new Request(to, input) : to;
               }}
             }}
             return window.__unroutedFetch.call(this, input, init);
           }};
         }}",
        down = DOWN,
        api = API,
    ));
}

fn unroute() {
    run("window.__route = null;");
}

/// Every value in localStorage or sessionStorage that holds `token`, by key.
fn stored_copies(token: &str) -> Vec<String> {
    let mut found = Vec::new();
    for (area, s) in [("localStorage", local()), ("sessionStorage", session())] {
        for i in 0..s.length().expect("length") {
            let key = s.key(i).expect("key").unwrap_or_default();
            if s.get_item(&key).expect("read").is_some_and(|v| v.contains(token)) {
                found.push(format!("{area}.{key}"));
            }
        }
    }
    found
}

fn str_of(v: &JsValue, key: &str) -> Option<String> {
    get(v, key).as_string()
}

/// A client for a cell: the Harness hooks (`hookA`, one that throws,
/// `hookC`) and a recording `navigate`.
fn cell_client(
    h: &Harness,
    base: &str,
    storage: &str,
    nav: bool,
    clear: Clear,
    fault: Fault,
) -> AuthClient {
    let mut extra = vec![("tokenStorage", JsValue::from_str(storage))];
    if !nav {
        extra.push(("redirectTo", JsValue::NULL));
    }
    extra.extend(clear.option());
    if fault == Fault::Hang {
        extra.push(("timeoutMs", TIMEOUT_MS.into()));
    }
    h.client(base, &extra)
}

/// Signs the client in for real (the browser holds the refresh cookie) and
/// checks that the token sits where `tokenStorage` says; returns it.
async fn sign_in(cell: &mut Cell, client: &AuthClient, storage: &str) -> Option<String> {
    let creds = obj(&[("email", EMAIL.into()), ("password", PASSWORD.into())]);
    if let Err(e) = settle(client.login(creds)).await {
        cell.problems.push(format!("login before the fault failed: {:?}", str_of(&e, "message")));
        return None;
    }
    let token = client.get_access_token()?;
    let stored_local = local().get_item("access_token").expect("read");
    let stored_session = session().get_item("access_token").expect("read");
    let want = |area: &str| (storage == area).then(|| token.clone());
    cell.eq("token in localStorage after login", stored_local, want("local"));
    cell.eq("token in sessionStorage after login", stored_session, want("session"));
    Some(token)
}

/// What every sign-out must leave behind, whatever the server did.
fn assert_signed_out(
    cell: &mut Cell,
    h: &Harness,
    client: &AuthClient,
    token: &str,
    reason: &str,
    nav: bool,
    clear: Clear,
) {
    cell.eq("token in memory", client.get_access_token(), None);
    cell.eq("copies of the token in storage", stored_copies(token), vec![]);
    let snap = client.get_snapshot();
    cell.eq("status", str_of(&snap, "status").as_deref(), Some("signedOut"));
    cell.eq("reason", str_of(&snap, "reason").as_deref(), Some(reason));
    cell.check(get(&snap, "user").is_null(), || "the snapshot still names a user".into());
    let (draft, theme) = clear.expected();
    cell.eq("sessionStorage.draft", session().get_item("draft").expect("read").as_deref(), draft);
    cell.eq("sessionStorage.theme", session().get_item("theme").expect("read").as_deref(), theme);
    let mut want = vec!["hookA".to_owned(), "hookC".to_owned()];
    if nav {
        want.push("navigate:/".into());
    }
    cell.eq("hooks, then navigation", h.log(), want);
}

async fn check_page(cell: &mut Cell, before: usize) {
    next_task().await;
    next_task().await;
    let problems = page_problems();
    if problems.len() > before {
        cell.problems.push(format!("page problems: {:?}", &problems[before..]));
    }
}

/// A signed-in client for a cell, with sessionStorage items to clear. For
/// a refused connection the client's API is `DOWN`, with every call but
/// `under_test` routed to the real server. `None` (and the cell marked)
/// when the sign-in itself failed.
struct Prepared {
    h: Harness,
    client: AuthClient,
    token: String,
    /// Page problems recorded before the cell began.
    before: usize,
    base: &'static str,
}

async fn prepare(cell: &mut Cell, fault: Fault, under_test: &str, storage: &str, nav: bool, clear: Clear) -> Option<Prepared> {
    fresh().await;
    let before = page_problems().len();
    let h = Harness::new();
    let base = if fault == Fault::Refused {
        route_to_api_except(under_test);
        DOWN
    } else {
        API
    };
    let client = cell_client(&h, base, storage, nav, clear, fault);
    let Some(token) = sign_in(cell, &client, storage).await else {
        unroute();
        return None;
    };
    session().set_item("draft", "x").expect("set");
    session().set_item("theme", "y").expect("set");
    Some(Prepared { h, client, token, before, base })
}

/// Logout meets the fault: the session still ends everywhere, and the result
/// says what the server did.
async fn logout_cell(fault: Fault, storage: &str, nav: bool, clear: Clear) -> Cell {
    let mut cell = Cell::new("logout", fault, storage, Some(nav), Some(clear));
    let Some(Prepared { h, client, token, before, .. }) =
        prepare(&mut cell, fault, "/auth/logout", storage, nav, clear).await
    else {
        return cell;
    };
    fault.arm("/auth/logout").await;

    match settle(client.logout()).await {
        Err(e) => cell.problems.push(format!("logout rejected: {:?}", str_of(&e, "message"))),
        Ok(result) => {
            // The status is what counts for logout: the SDK reads no body of
            // it, and the headers (with the cookie's expiry) have arrived when
            // the status has, even if the body then breaks off.
            let (server, status) = match fault {
                Fault::Status(s) => ("failed", Some(f64::from(s))),
                Fault::Hang => ("timeout", None),
                Fault::Refused | Fault::Drop | Fault::NoCors => ("unreachable", None),
                Fault::Truncate | Fault::Malformed => ("ok", Some(200.0)),
            };
            cell.eq("result.server", str_of(&result, "server").as_deref(), Some(server));
            cell.eq("result.status", get(&result, "status").as_f64(), status);
            cell.eq("result.errors", errors_of(&result), vec![("onLogout".to_owned(), Some(1))]);
            // Until the server confirms, the refresh cookie may still be live.
            let marker = (server != "ok").then_some("1");
            cell.eq("logged-out marker", local().get_item("access_token:logged_out").expect("read").as_deref(), marker);
        }
    }
    unroute();
    assert_signed_out(&mut cell, &h, &client, &token, "logout", nav, clear);
    let arrived = count("POST", "/auth/logout").await;
    cell.drops_seen = (fault == Fault::Drop).then_some(arrived);
    cell.check(fault.arrivals().contains(&arrived), || format!("POST /auth/logout reached the server {arrived} times"));
    check_page(&mut cell, before).await;
    cell
}

/// Resolves once the client's pending renewal is over (renewed, or the
/// session ended), as its listener hears it; rejects after `ms`.
fn renewal_settled(client: &AuthClient, ms: i32) -> Promise {
    let pending = |s: &JsValue| get(s, "status").as_string().as_deref() == Some("signedIn") && !get(s, "renewal").is_null();
    if !pending(&client.get_snapshot()) {
        return Promise::resolve(&JsValue::UNDEFINED);
    }
    let mut resolve_slot = None;
    let promise = Promise::new(&mut |resolve, reject| {
        window().set_timeout_with_callback_and_timeout_and_arguments_0(&reject, ms).expect("setTimeout");
        resolve_slot = Some(resolve);
    });
    let resolve = resolve_slot.expect("executor ran");
    let listener = Closure::<dyn FnMut(JsValue)>::new(move |s: JsValue| {
        if !pending(&s) {
            let _ = resolve.call0(&JsValue::UNDEFINED);
        }
    });
    add_listener(client, listener.into_js_value().unchecked_into());
    promise
}

/// A refresh that meets a passing fault: the request fails with the error's
/// code, the session stays signed in with a pending renewal and nothing is
/// torn down; once the server is back, the retry after the backoff renews
/// the token with one refresh, and the next request succeeds.
async fn transient_refresh(cell: &mut Cell, p: &Prepared, fault: Fault, code: &str, storage: &str, url: &str) {
    let Prepared { h, client, token, .. } = p;
    match settle(client.fetch(url.into(), None)).await {
        Ok(r) => cell.problems.push(format!("auth.fetch resolved ({}), want a rejection", r.unchecked_into::<Response>().status())),
        Err(e) => {
            cell.eq("error.name", str_of(&e, "name").as_deref(), Some("AuthError"));
            cell.eq("error.code", str_of(&e, "code").as_deref(), Some(code));
        }
    }
    let snap = client.get_snapshot();
    cell.eq("status", str_of(&snap, "status").as_deref(), Some("signedIn"));
    cell.eq("renewal.code", str_of(&get(&snap, "renewal"), "code").as_deref(), Some(code));
    cell.eq("renewal.attempts", get(&get(&snap, "renewal"), "attempts").as_f64(), Some(1.0));
    cell.eq("token in memory", client.get_access_token().as_ref(), Some(token));
    let kept = match storage {
        "local" => vec!["localStorage.access_token".to_owned()],
        "session" => vec!["sessionStorage.access_token".to_owned()],
        _ => vec![],
    };
    cell.eq("copies of the token in storage", stored_copies(token), kept);
    cell.eq("sessionStorage.draft", session().get_item("draft").expect("read").as_deref(), Some("x"));
    cell.eq("hooks or navigation", h.log(), Vec::<String>::new());
    let arrived = count("POST", "/auth/refresh").await;
    cell.drops_seen = (fault == Fault::Drop).then_some(arrived);
    cell.check(fault.arrivals().contains(&arrived), || format!("POST /auth/refresh reached the server {arrived} times"));
    cell.eq("server logouts", count("POST", "/auth/logout").await, 0);
    cell.eq("tries of the request", authorizations("/auth/me?cell=refresh").await.len(), 1);

    // The server is back (and reachable, for the refused cells): the retry
    // after the backoff (0.5 to 1 s for the first) renews the token.
    route_to_api_except("/__test/none");
    assert!(server("POST", "/__test/reset", None).await.ok());
    if let Err(e) = settle(renewal_settled(client, 10_000)).await {
        cell.problems.push(format!("the renewal was not retried within 10 s: {e:?}"));
    }
    cell.eq("refreshes after the server came back", count("POST", "/auth/refresh").await, 1);
    cell.eq("status after the retry", str_of(&client.get_snapshot(), "status").as_deref(), Some("signedIn"));
    // (The dev server may issue the same token again within a second: the
    // renewal shows in the snapshot and the server's record.)
    cell.check(get(&client.get_snapshot(), "renewal").is_null(), || "a renewal is still pending".into());
    cell.check(client.get_access_token().is_some(), || "no token after the renewal".into());
    let again = format!("{url}&again=1");
    match settle(client.fetch(again.as_str().into(), None)).await {
        Ok(r) => cell.eq("status of the next request", r.unchecked_into::<Response>().status(), 200),
        Err(e) => cell.problems.push(format!("the next request rejected: {:?}", str_of(&e, "message"))),
    }
    cell.eq("refreshes for the next request", count("POST", "/auth/refresh").await, 1);
    cell.eq("hooks or navigation after recovery", h.log(), Vec::<String>::new());
}

/// The refresh behind `auth.fetch` meets the fault. A definitive one: the
/// session ends as `expired` without a server logout, the original 401 is
/// handed back, and nothing is retried. A passing one: see
/// [`transient_refresh`].
async fn refresh_cell(fault: Fault, storage: &str, nav: bool, clear: Clear) -> Cell {
    let mut cell = Cell::new("refresh", fault, storage, Some(nav), Some(clear));
    let Some(prepared) = prepare(&mut cell, fault, "/auth/refresh", storage, nav, clear).await else {
        return cell;
    };
    common::fault("/auth/me", "status", r#","status":401"#).await;
    fault.arm("/auth/refresh").await;
    if let Some(code) = fault.transient() {
        let url = format!("{}/auth/me?cell=refresh", prepared.base);
        transient_refresh(&mut cell, &prepared, fault, code, storage, &url).await;
        unroute();
        check_page(&mut cell, prepared.before).await;
        return cell;
    }
    let Prepared { h, client, token, before, base } = prepared;

    let url = format!("{base}/auth/me?cell=refresh");
    match settle(client.fetch(url.into(), None)).await {
        Err(e) => cell.problems.push(format!("auth.fetch rejected: {:?}", str_of(&e, "message"))),
        Ok(r) => cell.eq("status handed back", r.unchecked_into::<Response>().status(), 401),
    }
    unroute();
    // The hooks and navigation of a sign-out run before the failed refresh
    // settles, so they are done here.
    assert_signed_out(&mut cell, &h, &client, &token, "expired", nav, clear);
    let arrived = count("POST", "/auth/refresh").await;
    cell.drops_seen = (fault == Fault::Drop).then_some(arrived);
    cell.check(fault.arrivals().contains(&arrived), || format!("POST /auth/refresh reached the server {arrived} times"));
    cell.eq("server logouts", count("POST", "/auth/logout").await, 0);
    cell.eq("tries of the request", authorizations("/auth/me?cell=refresh").await.len(), 1);
    check_page(&mut cell, before).await;
    cell
}

/// Login meets the fault: it rejects with an AuthError naming the failure,
/// and nothing is signed in or stored.
async fn login_cell(fault: Fault, storage: &str) -> Cell {
    let mut cell = Cell::new("login", fault, storage, None, None);
    fresh().await;
    let before = page_problems().len();
    let h = Harness::new();
    let base = if fault == Fault::Refused { DOWN } else { API };
    let client = cell_client(&h, base, storage, true, Clear::All, fault);
    session().set_item("draft", "x").expect("set");
    fault.arm("/auth/login").await;

    let creds = obj(&[("email", EMAIL.into()), ("password", PASSWORD.into())]);
    match settle(client.login(creds)).await {
        Ok(_) => cell.problems.push("login resolved".into()),
        Err(e) => {
            let (code, status) = match fault {
                Fault::Status(401) => ("invalid_credentials", Some(401.0)),
                Fault::Status(s) => ("server", Some(f64::from(s))),
                Fault::Hang => ("timeout", None),
                Fault::Refused | Fault::Drop | Fault::NoCors => ("network", None),
                Fault::Truncate | Fault::Malformed => ("invalid_response", Some(200.0)),
            };
            cell.check(e.is_instance_of::<js_sys::Error>(), || "the rejection is not an Error".into());
            cell.eq("error.name", str_of(&e, "name").as_deref(), Some("AuthError"));
            cell.eq("error.code", str_of(&e, "code").as_deref(), Some(code));
            cell.eq("error.status", get(&e, "status").as_f64(), status);
        }
    }
    cell.eq("token in memory", client.get_access_token(), None);
    cell.eq("token in localStorage", local().get_item("access_token").expect("read"), None);
    cell.eq("token in sessionStorage", session().get_item("access_token").expect("read"), None);
    cell.eq("status", str_of(&client.get_snapshot(), "status").as_deref(), Some("signedOut"));
    cell.eq("sessionStorage.draft", session().get_item("draft").expect("read").as_deref(), Some("x"));
    cell.eq("hooks or navigation", h.log(), Vec::<String>::new());
    let arrived = count("POST", "/auth/login").await;
    cell.drops_seen = (fault == Fault::Drop).then_some(arrived);
    cell.check(fault.arrivals().contains(&arrived), || format!("POST /auth/login reached the server {arrived} times"));
    check_page(&mut cell, before).await;
    cell
}

fn tally(part: &str, cells: &[Cell]) -> (usize, usize) {
    let failed = cells.iter().filter(|c| !c.problems.is_empty()).count();
    web_sys::console::log_1(&format!("fault matrix, {part}: {} passed, {failed} failed", cells.len() - failed).into());
    (cells.len() - failed, failed)
}

#[wasm_bindgen_test]
async fn fault_matrix() {
    watch_page();
    let mut logout = Vec::new();
    let mut refresh = Vec::new();
    let mut login = Vec::new();
    let mut n = 0;
    // The clearSessionStorage modes rotate, so that each meets every fault,
    // storage and navigation.
    for (f, fault) in FAULTS.into_iter().enumerate() {
        for storage in STORAGES {
            for nav in [true, false] {
                logout.push(logout_cell(fault, storage, nav, Clear::of(n + f)).await);
                refresh.push(refresh_cell(fault, storage, nav, Clear::of(n + f + 1)).await);
                n += 1;
            }
            login.push(login_cell(fault, storage).await);
        }
    }
    let mut passed = 0;
    let mut failed = 0;
    for (part, cells) in [("logout", &logout), ("refresh", &refresh), ("login", &login)] {
        let (p, f) = tally(part, cells);
        passed += p;
        failed += f;
    }
    let all = [logout, refresh, login];
    let drops: Vec<usize> = all.iter().flatten().filter_map(|c| c.drops_seen).collect();
    web_sys::console::log_1(
        &format!("fault matrix, drop: the server saw each dropped request {drops:?} times (resent by the browser when more than once)").into(),
    );
    let report: Vec<String> = all
        .iter()
        .flatten()
        .filter(|c| !c.problems.is_empty())
        .map(|c| format!("{}: {}", c.name, c.problems.join("; ")))
        .collect();
    for line in &report {
        web_sys::console::log_1(&format!("FAILED {line}").into());
    }
    web_sys::console::log_1(&format!("fault matrix: {passed} passed, {failed} failed").into());
    local().clear().expect("clear");
    session().clear().expect("clear");
    assert!(failed == 0, "fault matrix: {passed} passed, {failed} failed:\n{}", report.join("\n"));
}
