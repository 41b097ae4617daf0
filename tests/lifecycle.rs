//! Browser tests of the session lifecycle: single-flight refresh, logout
//! winning every race, the logged-out marker, other clients of the origin,
//! storage failures. Real Chromium against the dev server; waits are on
//! events or on the server's state, never fixed sleeps.
#![cfg(target_arch = "wasm32")]

use std::cell::RefCell;
use std::rc::Rc;

use js_sys::{Array, Function, Promise};
use sociapp_auth::js::AuthClient;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use wasm_bindgen_test::*;
use web_sys::Response;

mod common;
use common::*;

wasm_bindgen_test_configure!(run_in_browser);

/// The same token with a signature the server rejects (so /auth/me answers
/// 401 while the token still looks unexpired to the client).
fn forge(token: &str) -> String {
    let cut = token.rfind('.').expect("a JWT");
    format!("{}.bm90LXRoZS1zaWduYXR1cmU", &token[..cut])
}

/// Logs in for real (so the browser holds a refresh cookie) and leaves the
/// token in localStorage; returns it.
async fn real_login() -> String {
    let c = AuthClient::create(obj(&[("baseUrl", API.into()), ("redirectTo", JsValue::NULL)])).expect("valid");
    login(&c).await;
    c.get_access_token().expect("token")
}

async fn held(path: &str) -> f64 {
    let r = server("GET", "/__test/held", None).await;
    let v = settle(r.json().expect("json")).await.expect("json");
    get(&v, path).as_f64().unwrap_or(0.0)
}

/// Polls the dev server until `cond` holds (bounded); each poll is a round trip.
async fn until<F, Fut>(what: &str, mut cond: F)
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = bool>,
{
    for _ in 0..2000 {
        if cond().await {
            return;
        }
    }
    panic!("gave up waiting for {what}");
}

async fn fetch_me(client: &AuthClient, probe: &str) -> Response {
    let url = format!("{API}/auth/me?probe={probe}");
    settle(client.fetch(url.into(), None)).await.expect("fetch").unchecked_into()
}

#[wasm_bindgen_test]
async fn twenty_concurrent_401s_share_one_refresh() {
    fresh().await;
    let token = real_login().await;
    local().set_item("access_token", &forge(&token)).expect("set");
    let client = AuthClient::create(obj(&[("baseUrl", API.into()), ("redirectTo", JsValue::NULL)])).expect("valid");
    let calls: Vec<Promise> = (0..20)
        .map(|i| client.fetch(format!("{API}/auth/me?n={i}").into(), None))
        .collect();
    let all = settle(Promise::all(&calls.iter().collect::<Array>())).await.expect("all resolve");
    for r in Array::from(&all).iter() {
        assert_eq!(r.unchecked_into::<Response>().status(), 200, "each request retried once with the new token");
    }
    assert_eq!(count("POST", "/auth/refresh").await, 1, "exactly one refresh");
    let renewed = client.get_access_token().expect("signed in");
    assert_ne!(renewed, forge(&token));
    assert_eq!(local().get_item("access_token").expect("read"), Some(renewed.clone()));
    for i in 0..20 {
        let sent = authorizations(&format!("/auth/me?n={i}")).await;
        assert_eq!(sent.len(), 2, "one try, one retry");
        assert_eq!(sent[1], Some(format!("Bearer {renewed}")));
    }
}

#[wasm_bindgen_test]
async fn a_failed_refresh_signs_out_as_expired_without_a_loop() {
    fresh().await;
    local().set_item("access_token", &forge(&real_login().await)).expect("set");
    // The refresh cookie is gone: the refresh fails.
    assert!(server("POST", "/auth/logout", None).await.ok());
    let h = Harness::new();
    let client = h.client(API, &[]);
    let r = fetch_me(&client, "expired").await;
    assert_eq!(r.status(), 401);
    assert_eq!(count("POST", "/auth/refresh").await, 1);
    assert_eq!(count("POST", "/auth/logout").await, 1, "only the test's own call: no server logout for an expired session");
    assert_eq!(authorizations("/auth/me?probe=expired").await.len(), 1, "no retry without a new token");
    let snap = client.get_snapshot();
    assert_eq!(get(&snap, "reason").as_string().as_deref(), Some("expired"));
    assert_eq!(local().get_item("access_token").expect("read"), None);
    assert_eq!(h.log(), vec!["hookA", "hookC", "navigate:/"]);
}

/// Sets the dev server's throttler on login and refresh (`None`: off).
async fn throttle(limit: Option<u32>) {
    let body = match limit {
        Some(n) => format!(r#"{{"limit":{n},"windowMs":600000}}"#),
        None => r#"{"limit":null}"#.to_owned(),
    };
    assert!(server("POST", "/__test/throttle", Some(&body)).await.ok());
}

#[wasm_bindgen_test]
async fn a_throttled_refresh_keeps_the_session_and_renews_when_the_throttle_lifts() {
    fresh().await;
    let h = Harness::new();
    let client = h.client(API, &[]);
    login(&client).await;
    let token = client.get_access_token().expect("token");
    // The throttler refuses every refresh, with the real server's answer.
    throttle(Some(0)).await;
    fault("/auth/me", "status", r#","status":401"#).await;
    let url = format!("{API}/auth/me?probe=throttled");
    let err = settle(client.fetch(url.into(), None)).await.expect_err("the request fails");
    assert_eq!(get(&err, "name").as_string().as_deref(), Some("AuthError"));
    assert_eq!(get(&err, "code").as_string().as_deref(), Some("rate_limited"));
    assert_eq!(get(&err, "status").as_f64(), Some(429.0));
    let snap = client.get_snapshot();
    assert_eq!(get(&snap, "status").as_string().as_deref(), Some("signedIn"));
    let renewal = get(&snap, "renewal");
    assert_eq!(get(&renewal, "code").as_string().as_deref(), Some("rate_limited"));
    assert!(get(&renewal, "retryAt").as_f64().is_some_and(|t| t > js_sys::Date::now()));
    assert_eq!(client.get_access_token().as_deref(), Some(token.as_str()));
    assert_eq!(local().get_item("access_token").expect("read").as_deref(), Some(token.as_str()));
    assert_eq!(h.log(), Vec::<String>::new(), "no sign-out");
    // me() fails with the same code while the throttle lasts (its token is
    // refused, the renewal tried at once, and throttled again).
    fault("/auth/me", "status", r#","status":401"#).await;
    let err = settle(client.me()).await.expect_err("me fails");
    assert_eq!(get(&err, "code").as_string().as_deref(), Some("rate_limited"));
    assert_eq!(get(&client.get_snapshot(), "status").as_string().as_deref(), Some("signedIn"));

    // The throttle lifts: the next request renews the token (at once, or
    // the retry after the backoff already did) and succeeds.
    throttle(None).await;
    fault("/auth/me", "status", r#","status":401"#).await;
    let r = fetch_me(&client, "after").await;
    assert_eq!(r.status(), 200);
    let snap = client.get_snapshot();
    assert!(get(&snap, "renewal").is_null());
    assert!(count("POST", "/auth/refresh").await >= 3, "the throttled tries, then the renewal");
    assert_eq!(h.log(), Vec::<String>::new());
    assert_eq!(count("POST", "/auth/logout").await, 0);
    settle(client.logout()).await.expect("logout");
}

#[wasm_bindgen_test]
async fn a_pending_renewal_is_cancelled_by_logout() {
    fresh().await;
    let h = Harness::new();
    let client = h.client(API, &[("redirectTo", JsValue::NULL)]);
    login(&client).await;
    fault("/auth/me", "status", r#","status":401"#).await;
    fault("/auth/refresh", "status", r#","status":503"#).await;
    let err = settle(client.fetch(format!("{API}/auth/me?probe=503").into(), None)).await.expect_err("fails");
    assert_eq!(get(&err, "code").as_string().as_deref(), Some("server"));
    assert_eq!(get(&err, "status").as_f64(), Some(503.0));
    assert!(!get(&client.get_snapshot(), "renewal").is_null());
    settle(client.logout()).await.expect("logout");
    let snap = client.get_snapshot();
    assert_eq!(get(&snap, "status").as_string().as_deref(), Some("signedOut"));
    assert!(get(&snap, "renewal").is_null());
    // Past the first retry's latest time (1 s): no refresh was made.
    let (p, resolve) = deferred();
    window().set_timeout_with_callback_and_timeout_and_arguments_0(&resolve, 1_500).expect("setTimeout");
    settle(p).await.expect("timer");
    assert_eq!(count("POST", "/auth/refresh").await, 1, "only the failed one");
}

#[wasm_bindgen_test]
async fn fifty_concurrent_logouts_make_one_request_and_one_navigation() {
    fresh().await;
    let h = Harness::new();
    let client = h.client(API, &[]);
    login(&client).await;
    let calls: Vec<Promise> = (0..50).map(|_| client.logout()).collect();
    settle(Promise::all(&calls.iter().collect::<Array>())).await.expect("all resolve");
    assert_eq!(count("POST", "/auth/logout").await, 1);
    assert_eq!(h.log(), vec!["hookA", "hookC", "navigate:/"]);
}

#[wasm_bindgen_test]
async fn a_refresh_answered_after_logout_never_revives_the_session() {
    fresh().await;
    let client = AuthClient::create(obj(&[("baseUrl", API.into()), ("redirectTo", JsValue::NULL)])).expect("valid");
    for round in 0..100 {
        login(&client).await;
        fault("/auth/me", "status", r#","status":401"#).await;
        fault("/auth/refresh", "hold", "").await;
        let pending = client.fetch(format!("{API}/auth/me?round={round}").into(), None);
        until("the refresh to reach the server", || async { held("/auth/refresh").await >= 1.0 }).await;
        settle(client.logout()).await.expect("logout");
        assert!(server("POST", "/__test/release", Some(r#"{"path":"/auth/refresh"}"#)).await.ok());
        let r: Response = settle(pending).await.expect("fetch resolves").unchecked_into();
        assert_eq!(r.status(), 401, "round {round}: no retry after logout");
        assert_eq!(client.get_access_token(), None, "round {round}");
        assert_eq!(local().get_item("access_token").expect("read"), None, "round {round}");
        let snap = client.get_snapshot();
        assert_eq!(get(&snap, "status").as_string().as_deref(), Some("signedOut"), "round {round}");
        assert_eq!(get(&snap, "reason").as_string().as_deref(), Some("logout"), "round {round}");
        // The cookie the late refresh renewed was expired again.
        assert_eq!(server("POST", "/auth/refresh", None).await.status(), 401, "round {round}");
        assert_eq!(local().get_item("access_token:logged_out").expect("read"), None, "round {round}");
    }
}

#[wasm_bindgen_test]
async fn a_failed_server_logout_blocks_refresh_and_is_retried_on_load_and_online() {
    fresh().await;
    let client = AuthClient::create(obj(&[("baseUrl", API.into()), ("redirectTo", JsValue::NULL)])).expect("valid");
    login(&client).await;
    fault("/auth/logout", "status", r#","status":503"#).await;
    let result = settle(client.logout()).await.expect("logout");
    assert_eq!(get(&result, "server").as_string().as_deref(), Some("failed"));
    assert_eq!(local().get_item("access_token:logged_out").expect("read").as_deref(), Some("1"));
    drop(client);

    // While the marker stands, a 401 does not refresh (the cookie may be live).
    local().set_item("access_token", &forge(&real_login().await)).expect("set");
    local().set_item("access_token:logged_out", "1").expect("set");
    let before = count("POST", "/auth/refresh").await;
    let client = AuthClient::create(obj(&[("baseUrl", API.into()), ("redirectTo", JsValue::NULL)])).expect("valid");
    assert_eq!(fetch_me(&client, "marker").await.status(), 401);
    assert_eq!(count("POST", "/auth/refresh").await, before, "no refresh while the marker is set");
    settle(client.logout()).await.expect("logout");
    drop(client);

    // The next page load retries the server logout; a failure keeps the marker.
    server("POST", "/__test/reset", None).await;
    local().set_item("access_token:logged_out", "1").expect("set");
    fault("/auth/logout", "status", r#","status":502"#).await;
    let client = AuthClient::create(obj(&[("baseUrl", API.into()), ("redirectTo", JsValue::NULL)])).expect("valid");
    until("the retry on load", || async { count("POST", "/auth/logout").await >= 1 }).await;
    assert_eq!(count("POST", "/auth/logout").await, 1);
    assert_eq!(local().get_item("access_token:logged_out").expect("read").as_deref(), Some("1"));
    assert_eq!(count("POST", "/auth/refresh").await, 0);
    // Coming back online retries again; the server confirms; the marker goes.
    window().dispatch_event(&web_sys::Event::new("online").expect("event")).expect("dispatch");
    until("the retry when online", || async { count("POST", "/auth/logout").await >= 2 }).await;
    until("the marker to clear", || async { local().get_item("access_token:logged_out").expect("read").is_none() }).await;
    assert_eq!(count("POST", "/auth/refresh").await, 0);
    drop(client);
}

#[wasm_bindgen_test]
async fn another_client_of_the_origin_signs_out_without_calling_the_server() {
    fresh().await;
    let token = real_login().await;
    // Two clients on one origin talk over the same BroadcastChannel as two tabs do.
    let (other_done, resolve) = deferred();
    let other_log = Rc::new(RefCell::new(Vec::new()));
    let sink = other_log.clone();
    let other_nav = Closure::<dyn FnMut(JsValue)>::new(move |path: JsValue| {
        sink.borrow_mut().push(path.as_string().unwrap_or_default());
        resolve.call0(&JsValue::UNDEFINED).expect("resolve");
    })
    .into_js_value();
    let other = AuthClient::create(obj(&[
        ("baseUrl", API.into()),
        ("navigate", other_nav),
        ("onLogout", recorder(&other_log, "otherHook")),
    ]))
    .expect("valid");
    assert_eq!(other.get_access_token(), Some(token.clone()));
    let h = Harness::new();
    let this = h.client(API, &[]);
    let seen = Rc::new(RefCell::new(Vec::new()));
    let sink = seen.clone();
    let listener: Function = Closure::<dyn FnMut(JsValue)>::new(move |s: JsValue| {
        sink.borrow_mut().push(get(&s, "reason").as_string().unwrap_or_default());
    })
    .into_js_value()
    .unchecked_into();
    add_listener(&other, listener);

    settle(this.logout()).await.expect("logout");
    settle(other_done).await.expect("the other client navigated");
    assert_eq!(*other_log.borrow(), vec!["otherHook", "/"]);
    assert_eq!(*seen.borrow(), vec!["other_tab"]);
    assert_eq!(other.get_access_token(), None);
    assert_eq!(count("POST", "/auth/logout").await, 1, "only the initiating client calls the server");

    // A login in one is seen by the other.
    let signed_in = signed_in_seen(&other);
    login(&this).await;
    settle(signed_in).await.expect("the other client signed in");
    assert_eq!(other.get_access_token(), this.get_access_token());
    let nav_before = h.log().len();
    drop(other);
    settle(this.logout()).await.expect("logout");
    assert_eq!(h.log().len(), nav_before + 3);
}

#[wasm_bindgen_test]
async fn auto_refresh_renews_a_token_before_it_expires() {
    fresh().await;
    let token = real_login().await;
    // A token that expires in two seconds (the server never sees it).
    let exp = (js_sys::Date::now() / 1000.0) as u64 + 2;
    let payload = format!(r#"{{"sub":1,"email":"{EMAIL}","exp":{exp}}}"#);
    let payload = js_sys::global()
        .unchecked_into::<web_sys::Window>()
        .btoa(&payload)
        .expect("btoa")
        .replace('=', "")
        .replace('+', "-")
        .replace('/', "_");
    let parts: Vec<&str> = token.split('.').collect();
    local().set_item("access_token", &format!("{}.{}.{}", parts[0], payload, parts[2])).expect("set");
    let (renewed, resolve) = deferred();
    let client = AuthClient::create(obj(&[("baseUrl", API.into()), ("autoRefresh", true.into())])).expect("valid");
    let listener: Function = Closure::<dyn FnMut(JsValue)>::new(move |_s: JsValue| {
        resolve.call0(&JsValue::UNDEFINED).expect("resolve");
    })
    .into_js_value()
    .unchecked_into();
    let key = add_listener(&client, listener);
    settle(renewed).await.expect("renewed");
    assert_eq!(count("POST", "/auth/refresh").await, 1);
    let snap = client.get_snapshot();
    assert_eq!(get(&snap, "status").as_string().as_deref(), Some("signedIn"));
    assert!(get(&snap, "expiresAt").as_f64().expect("exp") > js_sys::Date::now() + 600_000.0);
    remove_listener(&client, &key);
}

/// Runs a script in the page (to break or restore a browser API).
fn patch(script: &str) {
    Function::new_no_args(script).call0(&JsValue::UNDEFINED).expect("patch");
}

/// Collects console.warn calls until `restore_console` is called.
fn capture_warnings() {
    patch("window.__warnings = []; window.__warn = console.warn; console.warn = (...a) => window.__warnings.push(a.join(' '));");
}

fn restore_console() -> Vec<String> {
    patch("console.warn = window.__warn;");
    let w = get(&js_sys::global(), "__warnings");
    Array::from(&w).iter().filter_map(|v| v.as_string()).collect()
}

async fn assert_logout_completes_with(extra: &[(&str, JsValue)]) -> JsValue {
    let h = Harness::new();
    let client = h.client(API, extra);
    login(&client).await;
    assert!(client.get_access_token().is_some(), "the session works from memory");
    let result = settle(client.logout()).await.expect("logout never rejects");
    assert_eq!(get(&result, "server").as_string().as_deref(), Some("ok"));
    assert_eq!(client.get_access_token(), None);
    assert_eq!(h.log(), vec!["hookA", "hookC", "navigate:/"]);
    result
}

#[wasm_bindgen_test]
async fn disabled_local_storage_falls_back_to_memory_with_one_warning() {
    fresh().await;
    capture_warnings();
    patch(
        "window.__ls = Object.getOwnPropertyDescriptor(window, 'localStorage') || Object.getOwnPropertyDescriptor(Window.prototype, 'localStorage');
         Object.defineProperty(window, 'localStorage', { configurable: true, get() { throw new DOMException('denied', 'SecurityError'); } });",
    );
    assert_logout_completes_with(&[]).await;
    patch("Object.defineProperty(window, 'localStorage', window.__ls);");
    let warnings = restore_console();
    assert_eq!(warnings.iter().filter(|w| w.contains("storage_unavailable")).count(), 1, "{warnings:?}");
    assert_eq!(local().get_item("access_token").expect("read"), None);
}

#[wasm_bindgen_test]
async fn a_full_storage_keeps_the_session_in_memory() {
    fresh().await;
    capture_warnings();
    patch(
        "window.__setItem = Storage.prototype.setItem;
         Storage.prototype.setItem = function () { throw new DOMException('full', 'QuotaExceededError'); };",
    );
    assert_logout_completes_with(&[]).await;
    patch("Storage.prototype.setItem = window.__setItem;");
    let warnings = restore_console();
    assert_eq!(warnings.iter().filter(|w| w.contains("storage_unavailable")).count(), 1, "{warnings:?}");
    assert_eq!(local().length().expect("length"), 0);
}

#[wasm_bindgen_test]
async fn storage_that_throws_on_remove_and_clear_does_not_stop_logout() {
    fresh().await;
    capture_warnings();
    let h = Harness::new();
    let client = h.client(API, &[]);
    login(&client).await;
    patch(
        "window.__removeItem = Storage.prototype.removeItem; window.__clear = Storage.prototype.clear;
         Storage.prototype.removeItem = function () { throw new DOMException('denied', 'SecurityError'); };
         Storage.prototype.clear = function () { throw new DOMException('denied', 'SecurityError'); };",
    );
    let result = settle(client.logout()).await.expect("logout never rejects");
    patch("Storage.prototype.removeItem = window.__removeItem; Storage.prototype.clear = window.__clear;");
    let warnings = restore_console();
    let steps: Vec<String> = errors_of(&result).into_iter().map(|(s, _)| s).collect();
    assert_eq!(steps, vec!["tokenStorage", "sessionStorage", "onLogout"], "the throwing hook is the Harness's");
    assert_eq!(client.get_access_token(), None, "signed out in memory");
    assert_eq!(h.log(), vec!["hookA", "hookC", "navigate:/"]);
    assert_eq!(warnings.iter().filter(|w| w.contains("storage_unavailable")).count(), 1, "{warnings:?}");
    local().clear().expect("clear");
}

#[wasm_bindgen_test]
async fn a_missing_session_storage_does_not_stop_logout() {
    fresh().await;
    capture_warnings();
    patch(
        "window.__ss = Object.getOwnPropertyDescriptor(window, 'sessionStorage') || Object.getOwnPropertyDescriptor(Window.prototype, 'sessionStorage');
         Object.defineProperty(window, 'sessionStorage', { configurable: true, get() { return null; } });",
    );
    assert_logout_completes_with(&[]).await;
    patch("Object.defineProperty(window, 'sessionStorage', window.__ss);");
    let warnings = restore_console();
    assert_eq!(warnings.iter().filter(|w| w.contains("storage_unavailable")).count(), 1, "{warnings:?}");
}

#[wasm_bindgen_test]
async fn a_fresh_token_the_server_refuses_ends_the_session_as_server_rejected() {
    fresh().await;
    let (ended, resolve) = deferred();
    let h = Harness::new();
    let client = h.client(API, &[]);
    login(&client).await;
    let listener: Function = Closure::<dyn FnMut(JsValue)>::new(move |s: JsValue| {
        if get(&s, "status").as_string().as_deref() == Some("signedOut") {
            resolve.call1(&JsValue::UNDEFINED, &get(&s, "reason")).expect("resolve");
        }
    })
    .into_js_value()
    .unchecked_into();
    add_listener(&client, listener);
    // The first answer and the retry's both refuse the token.
    fault("/auth/me", "status", r#","status":401,"times":2"#).await;
    let r = fetch_me(&client, "rejected").await;
    assert_eq!(r.status(), 401);
    let reason = settle(ended).await.expect("signed out");
    assert_eq!(reason.as_string().as_deref(), Some("server_rejected"));
    assert_eq!(count("POST", "/auth/refresh").await, 1, "one refresh, no loop");
    assert_eq!(authorizations("/auth/me?probe=rejected").await.len(), 2, "one try, one retry");
    assert_eq!(client.get_access_token(), None);
    assert_eq!(local().get_item("access_token").expect("read"), None);
    until("the hooks and navigation", || async { h.log().len() == 3 }).await;
    assert_eq!(h.log(), vec!["hookA", "hookC", "navigate:/"]);
    assert_eq!(count("POST", "/auth/logout").await, 1, "the refresh cookie is expired too");
}
