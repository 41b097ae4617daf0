//! Browser tests of the session as a real app lives it: restored from the
//! refresh cookie at start, started by another endpoint (`setSession`,
//! register → verify-email), renewed on demand (`refresh()`), and methods
//! called back from listeners and hooks. Real browsers against the dev
//! server; waits are on promises and the server's record, never sleeps.
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

const HINT: &str = "access_token:signed_in";
const MARKER: &str = "access_token:logged_out";

/// A client on the dev server that does not navigate, with `extra` options.
fn client(extra: &[(&str, JsValue)]) -> AuthClient {
    let mut pairs = vec![("baseUrl", JsValue::from_str(API)), ("redirectTo", JsValue::NULL)];
    pairs.extend(extra.iter().cloned());
    AuthClient::create(obj(&pairs)).expect("valid options")
}

/// Waits until the client is started (its restore, if any, settled), as
/// `createAuthClient` does before it resolves (an `await` either way, so
/// what the start queued for listeners and debug functions has arrived).
async fn started(c: &AuthClient) {
    let p = c.started();
    let p = if p.is_undefined() { Promise::resolve(&p) } else { p.unchecked_into() };
    // A passing failure of the restore rejects the refresh, not the start.
    let _ = settle(p).await;
}

fn storage(kind: &str) -> (&'static str, JsValue) {
    ("tokenStorage", JsValue::from_str(kind))
}

fn status(c: &AuthClient) -> (String, Option<String>) {
    let s = c.get_snapshot();
    (get(&s, "status").as_string().unwrap_or_default(), get(&s, "reason").as_string())
}

/// Every value of both Web Storage areas.
fn stored_values() -> Vec<String> {
    let mut out = Vec::new();
    for area in [local(), session()] {
        for i in 0..area.length().expect("length") {
            let key = area.key(i).expect("key").unwrap_or_default();
            out.push(area.get_item(&key).expect("read").unwrap_or_default());
        }
    }
    out
}

/// A debug function that records each event's type and first fact, and the list it fills.
fn debug_sink() -> (JsValue, Rc<RefCell<Vec<String>>>) {
    let log = Rc::new(RefCell::new(Vec::new()));
    let sink = log.clone();
    let f = Closure::<dyn FnMut(JsValue)>::new(move |e: JsValue| {
        let mut line = get(&e, "type").as_string().unwrap_or_default();
        for fact in ["reason", "outcome"] {
            if let Some(v) = get(&e, fact).as_string() {
                line.push(' ');
                line.push_str(&v);
            }
        }
        sink.borrow_mut().push(line);
    })
    .into_js_value();
    (f, log)
}

/// The same token with its payload's `exp` moved into the past (the
/// client never checks the signature; the server never sees this token).
fn expired(token: &str) -> String {
    let parts: Vec<&str> = token.split('.').collect();
    let exp = (js_sys::Date::now() / 1000.0) as u64 - 60;
    let payload = format!(r#"{{"sub":1,"email":"{EMAIL}","exp":{exp}}}"#);
    let payload = window().btoa(&payload).expect("btoa").replace('=', "").replace('+', "-").replace('/', "_");
    format!("{}.{}.{}", parts[0], payload, parts[2])
}

async fn error_of(p: Promise) -> (String, String, Option<f64>) {
    let e = settle(p).await.expect_err("rejects");
    assert_eq!(get(&e, "name").as_string().as_deref(), Some("AuthError"));
    (get(&e, "code").as_string().unwrap_or_default(), get(&e, "message").as_string().unwrap_or_default(), get(&e, "status").as_f64())
}

#[wasm_bindgen_test]
async fn a_memory_session_is_restored_from_the_cookie_with_one_refresh_and_never_stored() {
    fresh().await;
    let first = client(&[storage("memory")]);
    login(&first).await;
    let old = first.get_access_token().expect("token");
    drop(first);
    assert_eq!(local().get_item(HINT).expect("read").as_deref(), Some("1"), "the hint, never a token");

    // A new page: nothing in storage but the hint.
    let before = count("POST", "/auth/refresh").await;
    let (debug, events) = debug_sink();
    let again = client(&[storage("memory"), ("debug", debug)]);
    started(&again).await;
    assert_eq!(status(&again), ("signedIn".into(), None));
    let token = again.get_access_token().expect("restored");
    assert_eq!(count("POST", "/auth/refresh").await, before + 1, "one refresh");
    let values = stored_values();
    assert!(values.iter().all(|v| !v.contains(&token) && !v.contains(&old)), "a token in Web Storage: {values:?}");
    assert_eq!(
        *events.borrow(),
        ["restore:start", "refresh:start", "refresh:lock held", "refresh:end ok", "restore:end ok"]
    );
    let r: Response = settle(again.fetch(format!("{API}/auth/me?restored").into(), None)).await.expect("fetch").unchecked_into();
    assert_eq!(r.status(), 200);
    settle(again.logout()).await.expect("logout");
    assert_eq!(local().get_item(HINT).expect("read"), None, "a logout clears the hint");
}

#[wasm_bindgen_test]
async fn a_new_tab_with_session_storage_restores_a_token_of_its_own() {
    fresh().await;
    let first = client(&[storage("session")]);
    login(&first).await;
    let old = session().get_item("access_token").expect("read").expect("stored in sessionStorage");
    // A new tab starts with an empty sessionStorage.
    session().clear().expect("clear");
    let before = count("POST", "/auth/refresh").await;
    let tab = client(&[storage("session")]);
    started(&tab).await;
    let token = tab.get_access_token().expect("restored");
    assert!(old.split('.').count() == 3);
    assert_eq!(session().get_item("access_token").expect("read"), Some(token));
    assert_eq!(local().get_item("access_token").expect("read"), None);
    assert_eq!(count("POST", "/auth/refresh").await, before + 1);
    drop(first);
    settle(tab.logout()).await.expect("logout");
}

#[wasm_bindgen_test]
async fn an_expired_stored_token_is_renewed_before_the_client_is_ready() {
    fresh().await;
    let first = client(&[]);
    login(&first).await;
    drop(first);
    let stale = expired(&local().get_item("access_token").expect("read").expect("token"));
    local().set_item("access_token", &stale).expect("set");
    let before = count("POST", "/auth/refresh").await;
    let c = client(&[]);
    started(&c).await;
    let token = c.get_access_token().expect("renewed");
    assert_ne!(token, stale);
    assert_eq!(local().get_item("access_token").expect("read"), Some(token));
    assert_eq!(count("POST", "/auth/refresh").await, before + 1);
    settle(c.logout()).await.expect("logout");
}

#[wasm_bindgen_test]
async fn a_visitor_makes_no_request_at_start() {
    fresh().await;
    for kind in ["local", "session", "memory"] {
        let (debug, events) = debug_sink();
        let c = client(&[storage(kind), ("debug", debug)]);
        started(&c).await;
        assert_eq!(status(&c), ("signedOut".into(), None), "{kind}");
        assert!(events.borrow().is_empty(), "{kind}: nothing to restore");
    }
    let r = server("GET", "/__test/requests", None).await;
    let record = settle(r.json().expect("json")).await.expect("json");
    assert_eq!(Array::from(&record).length(), 0, "no request at all");
}

#[wasm_bindgen_test]
async fn no_restore_while_a_logout_waits_for_the_server() {
    fresh().await;
    let c = client(&[storage("memory")]);
    login(&c).await;
    fault("/auth/logout", "status", r#","status":503"#).await;
    settle(c.logout()).await.expect("logout");
    drop(c);
    assert_eq!(local().get_item(MARKER).expect("read").as_deref(), Some("1"));
    // Even with the hint back (another page, say), the marker wins: the
    // cookie the server may not have expired is not used.
    local().set_item(HINT, "1").expect("set");
    fault("/auth/logout", "status", r#","status":503"#).await;
    let (debug, events) = debug_sink();
    let again = client(&[storage("memory"), ("debug", debug)]);
    started(&again).await;
    assert_eq!(status(&again).0, "signedOut");
    assert!(!events.borrow().iter().any(|e| e.starts_with("restore")), "{:?}", events.borrow());
    assert_eq!(count("POST", "/auth/refresh").await, 0, "no refresh");
}

#[wasm_bindgen_test]
async fn a_restore_that_fails_for_a_passing_reason_keeps_the_session_for_the_next_request() {
    fresh().await;
    let first = client(&[storage("memory")]);
    login(&first).await;
    drop(first);
    fault("/auth/refresh", "status", r#","status":503"#).await;
    let c = client(&[storage("memory")]);
    started(&c).await;
    let snap = c.get_snapshot();
    assert_eq!(get(&snap, "status").as_string().as_deref(), Some("signedIn"), "a bad moment ends no session");
    assert_eq!(get(&get(&snap, "renewal"), "code").as_string().as_deref(), Some("server"));
    assert_eq!(c.get_access_token(), None);
    // The next request renews first, now that the server answers.
    let r: Response = settle(c.fetch(format!("{API}/auth/me?after-503").into(), None)).await.expect("fetch").unchecked_into();
    assert_eq!(r.status(), 200);
    assert!(c.get_access_token().is_some());
    assert_eq!(count("POST", "/auth/refresh").await, 2);
    settle(c.logout()).await.expect("logout");
}

#[wasm_bindgen_test]
async fn a_restore_refused_for_good_ends_quietly_without_the_teardown() {
    fresh().await;
    // The hint, but no cookie the server takes.
    server("POST", "/auth/logout", None).await;
    local().set_item(HINT, "1").expect("set");
    let h = Harness::new();
    let c = h.client(API, &[storage("memory")]);
    started(&c).await;
    assert_eq!(status(&c), ("signedOut".into(), Some("expired".into())));
    assert!(h.log().is_empty(), "no hooks, no navigation: {:?}", h.log());
    assert_eq!(local().get_item(HINT).expect("read"), None, "no second try on the next load");
    assert_eq!(count("POST", "/auth/refresh").await, 1);
    assert_eq!(count("POST", "/auth/logout").await, 1, "only the test's own");
}

/// Logs in outside the SDK (the browser keeps the cookie); the answer's token.
async fn token_from_the_server() -> String {
    let body = format!(r#"{{"email":"{EMAIL}","password":"{PASSWORD}"}}"#);
    let r = server("POST", "/auth/login", Some(&body)).await;
    let answer = settle(r.json().expect("json")).await.expect("json");
    get(&answer, "access_token").as_string().expect("a token")
}

#[wasm_bindgen_test]
async fn set_session_adopts_an_answer_of_another_endpoint_and_tells_the_other_tabs() {
    fresh().await;
    let c = client(&[]);
    let other = client(&[]);
    let signed_in = signed_in_seen(&other);
    local().set_item(MARKER, "1").expect("set");

    for bad in [obj(&[]), JsValue::NULL, obj(&[("access_token", "not-a-jwt".into())])] {
        let (code, message, _) = error_of(c.set_session(bad)).await;
        assert_eq!(code, "invalid_argument");
        assert_eq!(message, "access_token must be a JWT whose exp is in the future");
    }
    let token = token_from_the_server().await;
    let (code, _, _) = error_of(c.set_session(obj(&[("access_token", expired(&token).into())]))).await;
    assert_eq!(code, "invalid_argument");
    assert_eq!(status(&c).0, "signedOut");

    let snap = settle(c.set_session(obj(&[("access_token", token.clone().into())]))).await.expect("adopted");
    assert_eq!(get(&snap, "status").as_string().as_deref(), Some("signedIn"));
    assert_eq!(get(&get(&snap, "user"), "email").as_string().as_deref(), Some(EMAIL));
    assert_eq!(local().get_item("access_token").expect("read"), Some(token.clone()));
    assert_eq!(local().get_item(MARKER).expect("read"), None, "an explicit sign-in clears the marker");
    settle(signed_in).await.expect("the other tab signed in");
    assert_eq!(other.get_access_token(), Some(token.clone()));
    let user = settle(c.me()).await.expect("me");
    assert_eq!(get(&user, "email").as_string().as_deref(), Some(EMAIL));
    assert_eq!(authorizations("/auth/me").await, vec![Some(format!("Bearer {token}"))]);
    settle(c.logout()).await.expect("logout");
}

#[wasm_bindgen_test]
async fn concurrent_refresh_calls_make_one_request() {
    fresh().await;
    let c = client(&[]);
    login(&c).await;
    let calls: Vec<Promise> = (0..8).map(|_| c.refresh()).collect();
    let all = settle(Promise::all(&calls.iter().collect::<Array>())).await.expect("all resolve");
    assert!(c.get_access_token().is_some());
    for snap in Array::from(&all).iter() {
        assert_eq!(get(&snap, "status").as_string().as_deref(), Some("signedIn"));
    }
    assert_eq!(count("POST", "/auth/refresh").await, 1);
    settle(c.logout()).await.expect("logout");
}

#[wasm_bindgen_test]
async fn refresh_rejects_with_what_went_wrong() {
    fresh().await;
    let c = client(&[]);
    assert_eq!(error_of(c.refresh()).await.0, "not_signed_in");
    login(&c).await;
    fault("/auth/refresh", "status", r#","status":503"#).await;
    let (code, _, status503) = error_of(c.refresh()).await;
    assert_eq!((code.as_str(), status503), ("server", Some(503.0)));
    assert_eq!(status(&c).0, "signedIn", "a passing failure keeps the session");
    fault("/auth/refresh", "status", r#","status":401"#).await;
    let (code, _, _) = error_of(c.refresh()).await;
    assert_eq!(code, "unauthorized");
    assert_eq!(status(&c), ("signedOut".into(), Some("expired".into())));
}

/// An address no earlier run registered.
fn new_email(tag: &str) -> String {
    format!("{tag}-{}-{}@sociapp.dev", js_sys::Date::now() as u64, (js_sys::Math::random() * 1e6) as u64)
}

fn member(email: &str) -> JsValue {
    let text = format!(
        r#"{{"nombre":"Ana","apellidos":"Nueva","password":"new-password","dni":"12345678Z","direccion":"Calle 1",
        "CP":"28001","provincia":"Madrid","poblacion":"Madrid","pais":"España","email":"{email}","telefono":"600000001",
        "fechaalta":"2026-12-01","formadepago":"Efectivo","cuota":25,"categoria":"Socio","socio":"Socio"}}"#
    );
    js_sys::JSON::parse(&text).expect("json")
}

async fn mailed_code(email: &str) -> String {
    let email_param = String::from(js_sys::encode_uri_component(email));
    let r = server("GET", &format!("/__test/code?email={email_param}"), None).await;
    assert!(r.ok(), "a code was mailed to {email}");
    let v = settle(r.json().expect("json")).await.expect("json");
    get(&v, "code").as_string().expect("code")
}

fn email_code(email: &str, code: &str) -> JsValue {
    obj(&[("email", email.into()), ("code", code.into())])
}

#[wasm_bindgen_test]
async fn register_then_verify_signs_the_new_member_in() {
    fresh().await;
    let c = client(&[]);
    let email = new_email("ana");
    let answer = settle(c.register(member(&email))).await.expect("registered");
    assert!(get(&answer, "message").as_string().unwrap_or_default().starts_with("User registered successfully"));
    assert_eq!(status(&c).0, "signedOut", "registering is no sign-in");

    let (code, message, status409) = error_of(c.register(member(&email))).await;
    assert_eq!((code.as_str(), message.as_str(), status409), ("conflict", "Email already exists", Some(409.0)));
    let (code, message, _) = error_of(c.register(obj(&[("email", email.clone().into())]))).await;
    assert_eq!(code, "invalid_request");
    assert!(message.contains("nombre must be a string"), "{message}");
    for bad in [JsValue::from_f64(5.0), JsValue::NULL, Array::new().into()] {
        let (code, message, _) = error_of(c.register(bad)).await;
        assert_eq!((code.as_str(), message.as_str()), ("invalid_argument", "member must be an object of the member's fields"));
    }

    // A wrong code, then a new one by mail.
    let first = mailed_code(&email).await;
    let wrong = if first == "000000" { "111111" } else { "000000" };
    let (code, message, status401) = error_of(c.verify_email(email_code(&email, wrong))).await;
    assert_eq!((code.as_str(), status401), ("invalid_credentials", Some(401.0)));
    assert_eq!(message, "Código de verificación incorrecto. Inténtelo de nuevo.");
    let resent = settle(c.resend_code(obj(&[("email", email.clone().into())]))).await.expect("resent");
    assert_eq!(get(&resent, "message").as_string().as_deref(), Some("Verification code resent successfully"));
    let code_now = mailed_code(&email).await;
    assert_eq!(error_of(c.verify_email(obj(&[("email", email.clone().into())]))).await.1, "code must be a string");

    let snap = settle(c.verify_email(email_code(&email, &code_now))).await.expect("verified");
    assert_eq!(get(&snap, "status").as_string().as_deref(), Some("signedIn"));
    assert_eq!(get(&get(&snap, "user"), "email").as_string().as_deref(), Some(email.as_str()));
    assert_eq!(local().get_item(HINT).expect("read").as_deref(), Some("1"));
    let user = settle(c.me()).await.expect("me");
    assert_eq!(get(&user, "nombre").as_string().as_deref(), Some("Ana"));
    assert_eq!(get(&user, "email").as_string().as_deref(), Some(email.as_str()));
    // The session's cookie renews like a login's.
    settle(c.refresh()).await.expect("renewed with the cookie verify-email set");

    // Verified already: a code of its own, no new session.
    let (code, message, status200) = error_of(c.verify_email(email_code(&email, &code_now))).await;
    assert_eq!((code.as_str(), message.as_str(), status200), ("already_verified", "Email already verified", Some(200.0)));
    let (code, message, _) = error_of(c.resend_code(obj(&[("email", email.clone().into())]))).await;
    assert_eq!((code.as_str(), message.as_str()), ("conflict", "Email already verified"));
    let (code, message, _) = error_of(c.resend_code(obj(&[("email", new_email("nobody").into())]))).await;
    assert_eq!((code.as_str(), message.as_str()), ("invalid_credentials", "User not found"));
    settle(c.logout()).await.expect("logout");
    let back = settle(c.login(obj(&[("email", email.clone().into()), ("password", "new-password".into())]))).await;
    assert!(back.is_ok(), "the new member logs in with the password");
    settle(c.logout()).await.expect("logout");
}

#[wasm_bindgen_test]
async fn an_expired_code_ends_the_registration() {
    fresh().await;
    let c = client(&[]);
    let email = new_email("late");
    settle(c.register(member(&email))).await.expect("registered");
    let code = mailed_code(&email).await;
    let body = format!(r#"{{"email":"{email}"}}"#);
    assert!(server("POST", "/__test/expire-code", Some(&body)).await.ok());
    let (kind, message, _) = error_of(c.verify_email(email_code(&email, &code))).await;
    assert_eq!(kind, "invalid_credentials");
    assert!(message.starts_with("El código ha expirado"), "{message}");
    let (kind, message, _) = error_of(c.verify_email(email_code(&email, &code))).await;
    assert_eq!((kind.as_str(), message.as_str()), ("invalid_credentials", "User not found"));
    assert_eq!(status(&c).0, "signedOut");
}

#[wasm_bindgen_test]
async fn a_listener_that_logs_out_while_a_login_finishes_wins() {
    fresh().await;
    let slot: Rc<RefCell<Option<AuthClient>>> = Rc::new(RefCell::new(None));
    let asked: Rc<RefCell<Option<Promise>>> = Rc::new(RefCell::new(None));
    let (at, took) = (slot.clone(), asked.clone());
    let listener: Function = Closure::<dyn FnMut(JsValue)>::new(move |s: JsValue| {
        if get(&s, "status").as_string().as_deref() == Some("signedIn") && took.borrow().is_none() {
            let p = at.borrow().as_ref().map(AuthClient::logout);
            *took.borrow_mut() = p;
        }
    })
    .into_js_value()
    .unchecked_into();
    let c = client(&[]);
    add_listener(&c, listener);
    *slot.borrow_mut() = Some(c.clone());
    login(&c).await;
    let logout = asked.borrow_mut().take();
    let logout = logout.expect("the listener asked for a logout");
    let result = settle(logout).await.expect("the logout settles");
    assert_eq!(get(&result, "server").as_string().as_deref(), Some("ok"));
    assert_eq!(status(&c), ("signedOut".into(), Some("logout".into())));
    assert_eq!(local().get_item("access_token").expect("read"), None, "no token left stored");
    assert_eq!(count("POST", "/auth/logout").await, 1);
    // The module carries on.
    login(&c).await;
    settle(c.logout()).await.expect("logout");
    slot.borrow_mut().take();
}

#[wasm_bindgen_test]
async fn an_on_logout_hook_that_logs_out_settles_without_waiting_for_itself() {
    fresh().await;
    let slot: Rc<RefCell<Option<AuthClient>>> = Rc::new(RefCell::new(None));
    let inner: Rc<RefCell<Option<Promise>>> = Rc::new(RefCell::new(None));
    let (at, took) = (slot.clone(), inner.clone());
    let hook = Closure::<dyn FnMut() -> JsValue>::new(move || {
        let p = at.borrow().as_ref().map(AuthClient::logout).expect("a client");
        *took.borrow_mut() = Some(p.clone());
        // The hook awaits it, as an app's `async () => { await auth.logout() }` would.
        p.into()
    })
    .into_js_value();
    let (debug, events) = debug_sink();
    let c = client(&[("onLogout", hook), ("debug", debug)]);
    *slot.borrow_mut() = Some(c.clone());
    login(&c).await;
    let result = settle(c.logout()).await.expect("the outer logout settles");
    assert_eq!(get(&result, "server").as_string().as_deref(), Some("ok"));
    assert_eq!(errors_of(&result), vec![], "the hook's own logout resolved");
    let nested = inner.borrow_mut().take().expect("the hook ran");
    let nested = settle(nested).await.expect("resolves");
    assert_eq!(get(&nested, "server").as_string().as_deref(), Some("ok"));
    assert_eq!(count("POST", "/auth/logout").await, 1, "one logout");
    assert_eq!(events.borrow().iter().filter(|e| e.starts_with("signout:end")).count(), 1);
    slot.borrow_mut().take();
}

#[wasm_bindgen_test]
async fn debug_functions_and_navigation_may_call_the_client() {
    fresh().await;
    let slot: Rc<RefCell<Option<AuthClient>>> = Rc::new(RefCell::new(None));
    let seen: Rc<RefCell<Vec<String>>> = Rc::new(RefCell::new(Vec::new()));
    let (at, log) = (slot.clone(), seen.clone());
    // On each event the debug function reads the session back.
    let debug = Closure::<dyn FnMut(JsValue)>::new(move |e: JsValue| {
        if let Some(c) = at.borrow().as_ref() {
            let s = c.get_snapshot();
            let line = format!("{} {}", get(&e, "type").as_string().unwrap_or_default(), get(&s, "status").as_string().unwrap_or_default());
            log.borrow_mut().push(line);
        }
    })
    .into_js_value();
    let at = slot.clone();
    let navigated: Rc<RefCell<Option<Promise>>> = Rc::new(RefCell::new(None));
    let took = navigated.clone();
    let navigate = Closure::<dyn FnMut(JsValue)>::new(move |_path: JsValue| {
        // Navigation asks for a login: the session it starts is a new one.
        let creds = obj(&[("email", EMAIL.into()), ("password", PASSWORD.into())]);
        *took.borrow_mut() = at.borrow().as_ref().map(|c| c.login(creds));
    })
    .into_js_value();
    let c = AuthClient::create(obj(&[
        ("baseUrl", API.into()),
        ("redirectTo", "/login".into()),
        ("navigate", navigate),
        ("debug", debug),
    ]))
    .expect("valid");
    *slot.borrow_mut() = Some(c.clone());
    login(&c).await;
    settle(c.logout()).await.expect("logout");
    let again = navigated.borrow_mut().take();
    settle(again.expect("navigated")).await.expect("the login navigation asked for");
    assert_eq!(status(&c).0, "signedIn");
    let lines = seen.borrow().clone();
    assert!(lines.contains(&"signout:start signedOut".to_owned()), "{lines:?}");
    assert!(lines.contains(&"login:end signedIn".to_owned()), "{lines:?}");
    settle(c.logout()).await.expect("logout");
    slot.borrow_mut().take();
}

#[wasm_bindgen_test]
async fn every_request_goes_through_the_fetch_option() {
    fresh().await;
    // A fetch that records each request's method and path, then sends it.
    let record: Function = Function::new_with_args(
        "input, init",
        "const r = new Request(input, init); (window.__sent ||= []).push(r.method + ' ' + new URL(r.url).pathname); return fetch(r);",
    );
    js_sys::Reflect::set(&js_sys::global(), &"__sent".into(), &Array::new()).expect("set");
    let c = client(&[("fetch", record.into())]);
    login(&c).await;
    settle(c.me()).await.expect("me");
    let r: Response = settle(c.fetch(format!("{API}/auth/me?own").into(), None)).await.expect("fetch").unchecked_into();
    assert_eq!(r.status(), 200);
    settle(c.refresh()).await.expect("refresh");
    settle(c.logout()).await.expect("logout");
    let sent: Vec<String> = Array::from(&get(&js_sys::global(), "__sent")).iter().filter_map(|v| v.as_string()).collect();
    assert_eq!(sent, ["POST /auth/login", "GET /auth/me", "GET /auth/me", "POST /auth/refresh", "POST /auth/logout"]);
    assert_eq!(count("POST", "/auth/login").await, 1, "the server saw what the option sent");
}
