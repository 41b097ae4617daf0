//! Browser tests: the SDK in real headless Chromium against the dev API
//! server (started by `make test`) on another origin. The server's test
//! switches inject faults and record the Authorization header of each request.
#![cfg(target_arch = "wasm32")]

use std::cell::RefCell;
use std::rc::Rc;

use js_sys::{Array, Function, Object};
use sociapp_auth::js::AuthClient;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use wasm_bindgen_test::*;
use web_sys::Response;

mod common;
use common::*;

wasm_bindgen_test_configure!(run_in_browser);

/// Asserts what every logout must leave behind, whatever the server did.
fn assert_torn_down(h: &Harness, client: &AuthClient) {
    assert_eq!(local().get_item("access_token").expect("read"), None, "token left in localStorage");
    assert_eq!(session().length().expect("length"), 0, "sessionStorage not cleared");
    assert_eq!(client.get_access_token(), None);
    let snap = client.get_snapshot();
    assert_eq!(get(&snap, "status").as_string().as_deref(), Some("signedOut"));
    assert_eq!(get(&snap, "reason").as_string().as_deref(), Some("logout"));
    assert_eq!(h.log(), vec!["hookA", "hookC", "navigate:/"], "hooks in order, then navigation");
}

#[wasm_bindgen_test]
async fn login_then_logout_tears_down_everything() {
    fresh().await;
    let h = Harness::new();
    let client = h.client(API, &[]);
    let snap = login(&client).await;
    assert_eq!(get(&snap, "status").as_string().as_deref(), Some("signedIn"));
    assert_eq!(get(&get(&snap, "user"), "email").as_string().as_deref(), Some(EMAIL));
    let token = local().get_item("access_token").expect("read").expect("token stored raw");
    assert_eq!(client.get_access_token().as_deref(), Some(token.as_str()));
    assert_eq!(token.split('.').count(), 3);

    // Signed in: auth.fetch carries the bearer token to the API.
    let me = format!("{API}/auth/me?probe=before");
    let r: Response = settle(client.fetch(me.into(), None)).await.expect("fetch").unchecked_into();
    assert_eq!(r.status(), 200);
    assert_eq!(authorizations("/auth/me?probe=before").await, vec![Some(format!("Bearer {token}"))]);
    session().set_item("draft", "unsaved").expect("set");

    let result = settle(client.logout()).await.expect("logout never rejects");
    assert_eq!(get(&result, "server").as_string().as_deref(), Some("ok"));
    assert_eq!(get(&result, "status").as_f64(), Some(200.0));
    assert_eq!(errors_of(&result), vec![("onLogout".to_owned(), Some(1))]);
    assert_torn_down(&h, &client);

    // The server expired the refresh cookie: the browser no longer sends it.
    let refresh = server("POST", "/auth/refresh", None).await;
    assert_eq!(refresh.status(), 401);

    // No Authorization header after logout, not even to the API.
    let after = format!("{API}/auth/me?probe=after");
    let r: Response = settle(client.fetch(after.into(), None)).await.expect("fetch").unchecked_into();
    assert_eq!(r.status(), 401);
    assert_eq!(authorizations("/auth/me?probe=after").await, vec![None]);
}

#[wasm_bindgen_test]
async fn the_token_is_gone_the_moment_logout_is_called() {
    fresh().await;
    let h = Harness::new();
    let client = h.client(API, &[]);
    login(&client).await;
    let pending = client.logout();
    // Nothing has awaited yet.
    assert_eq!(client.get_access_token(), None);
    assert_eq!(local().get_item("access_token").expect("read"), None);
    let probe = format!("{API}/auth/me?probe=sync");
    let r: Response = settle(client.fetch(probe.into(), None)).await.expect("fetch").unchecked_into();
    assert_eq!(r.status(), 401);
    assert_eq!(authorizations("/auth/me?probe=sync").await, vec![None]);
    settle(pending).await.expect("logout");
}

#[wasm_bindgen_test]
async fn concurrent_logouts_share_one_request() {
    fresh().await;
    let h = Harness::new();
    let client = h.client(API, &[]);
    login(&client).await;
    let first = client.logout();
    let second = client.logout();
    assert!(Object::is(&first, &second), "the same promise");
    settle(first).await.expect("logout");
    settle(second).await.expect("logout");
    assert_eq!(count("POST", "/auth/logout").await, 1);
    assert_eq!(h.log(), vec!["hookA", "hookC", "navigate:/"]);
}

#[wasm_bindgen_test]
async fn server_error_still_signs_out() {
    fresh().await;
    let h = Harness::new();
    let client = h.client(API, &[]);
    login(&client).await;
    session().set_item("k", "v").expect("set");
    fault("/auth/logout", "status", r#","status":500"#).await;
    let result = settle(client.logout()).await.expect("never rejects");
    assert_eq!(get(&result, "server").as_string().as_deref(), Some("failed"));
    assert_eq!(get(&result, "status").as_f64(), Some(500.0));
    assert_torn_down(&h, &client);
}

#[wasm_bindgen_test]
async fn hanging_server_times_out_and_still_signs_out() {
    fresh().await;
    let h = Harness::new();
    let client = h.client(API, &[("timeoutMs", 300.into())]);
    login(&client).await;
    session().set_item("k", "v").expect("set");
    fault("/auth/logout", "hang", r#","ms":20000"#).await;
    let started = js_sys::Date::now();
    let result = settle(client.logout()).await.expect("never rejects");
    let took = js_sys::Date::now() - started;
    assert_eq!(get(&result, "server").as_string().as_deref(), Some("timeout"));
    assert!(get(&result, "status").is_undefined());
    assert!(took < 10_000.0, "gave up long before the server would answer");
    assert_torn_down(&h, &client);
}

#[wasm_bindgen_test]
async fn unreachable_server_still_signs_out() {
    fresh().await;
    // A session restored from storage, as after a reload.
    let token = {
        let c = AuthClient::create(obj(&[("baseUrl", API.into())])).expect("valid");
        login(&c).await;
        c.get_access_token().expect("token")
    };
    let h = Harness::new();
    let client = h.client(DOWN, &[]);
    assert_eq!(client.get_access_token(), Some(token));
    session().set_item("k", "v").expect("set");
    let result = settle(client.logout()).await.expect("never rejects");
    assert_eq!(get(&result, "server").as_string().as_deref(), Some("unreachable"));
    assert_torn_down(&h, &client);
}

#[wasm_bindgen_test]
async fn login_errors_carry_code_status_and_message() {
    fresh().await;
    let client = AuthClient::create(obj(&[("baseUrl", API.into())])).expect("valid");
    let creds = obj(&[("email", EMAIL.into()), ("password", "wrong".into())]);
    let err = settle(client.login(creds)).await.expect_err("rejected");
    assert_eq!(get(&err, "name").as_string().as_deref(), Some("AuthError"));
    assert_eq!(get(&err, "code").as_string().as_deref(), Some("invalid_credentials"));
    assert_eq!(get(&err, "status").as_f64(), Some(401.0));
    assert_eq!(get(&err, "message").as_string().as_deref(), Some("Invalid credentials"));
    assert!(err.is_instance_of::<js_sys::Error>());

    // An unverified email: the public backend's message, as it sends it.
    let creds = obj(&[("email", "unverified@sociapp.dev".into()), ("password", PASSWORD.into())]);
    let err = settle(client.login(creds)).await.expect_err("rejected");
    assert_eq!(get(&err, "code").as_string().as_deref(), Some("invalid_credentials"));
    assert_eq!(
        get(&err, "message").as_string().as_deref(),
        Some("Por favor, verifique su correo electrónico antes de iniciar sesión.")
    );
    assert_eq!(local().get_item("access_token").expect("read"), None);

    let creds = obj(&[("email", 5.into()), ("password", "x".into())]);
    let err = settle(client.login(creds)).await.expect_err("rejected");
    assert_eq!(get(&err, "code").as_string().as_deref(), Some("invalid_argument"));

    let err = settle(client.me()).await.expect_err("not signed in");
    assert_eq!(get(&err, "code").as_string().as_deref(), Some("not_signed_in"));
    assert_eq!(local().get_item("access_token").expect("read"), None);
}

#[wasm_bindgen_test]
async fn me_and_snapshots_and_listeners() {
    fresh().await;
    let client = AuthClient::create(obj(&[("baseUrl", API.into()), ("redirectTo", JsValue::NULL)])).expect("valid");
    let before = client.get_snapshot();
    assert!(Object::is(&before, &client.get_snapshot()), "stable until a change");
    assert_eq!(get(&before, "status").as_string().as_deref(), Some("signedOut"));
    assert!(get(&before, "reason").is_null());

    let seen = Rc::new(RefCell::new(Vec::new()));
    let sink = seen.clone();
    let listener: Function = Closure::<dyn FnMut(JsValue)>::new(move |s: JsValue| {
        sink.borrow_mut().push(get(&s, "status").as_string().unwrap_or_default());
    })
    .into_js_value()
    .unchecked_into();
    let id = add_listener(&client, listener);

    let snap = login(&client).await;
    assert!(Object::is(&snap, &client.get_snapshot()));
    assert!(get(&snap, "expiresAt").as_f64().expect("expiresAt") > js_sys::Date::now());
    let user = settle(client.me()).await.expect("me");
    assert_eq!(get(&user, "email").as_string().as_deref(), Some(EMAIL));
    assert!(get(&user, "password").is_undefined());

    remove_listener(&client, &id);
    settle(client.logout()).await.expect("logout");
    assert_eq!(*seen.borrow(), vec!["signedIn"], "removed listeners are not called");
}

#[wasm_bindgen_test]
async fn me_rejects_with_the_code_of_what_went_wrong() {
    fresh().await;
    let client = AuthClient::create(obj(&[("baseUrl", API.into()), ("redirectTo", JsValue::NULL), ("timeoutMs", 400.into())]))
        .expect("valid");
    login(&client).await;
    // An answer without CORS headers fails in `fetch` as a network error.
    let cases = [
        ("hang", r#","ms":5000"#, "timeout", None),
        ("status", r#","status":500"#, "server", Some(500.0)),
        ("malformed", "", "invalid_response", Some(200.0)),
        ("nocors", "", "network", None),
    ];
    for (kind, extra, code, status) in cases {
        fault("/auth/me", kind, extra).await;
        let err = settle(client.me()).await.expect_err(kind);
        assert_eq!(get(&err, "name").as_string().as_deref(), Some("AuthError"), "{kind}");
        assert_eq!(get(&err, "code").as_string().as_deref(), Some(code), "{kind}");
        assert_eq!(get(&err, "status").as_f64(), status, "{kind}");
    }
    server("POST", "/__test/reset", None).await;
    assert_eq!(get(&client.get_snapshot(), "status").as_string().as_deref(), Some("signedIn"));
    let user = settle(client.me()).await.expect("me");
    assert_eq!(get(&user, "email").as_string().as_deref(), Some(EMAIL));
}

#[wasm_bindgen_test]
async fn storage_and_session_options_are_honoured() {
    fresh().await;
    let h = Harness::new();
    let keep = Array::of1(&"draft".into());
    let client = h.client(
        API,
        &[
            ("tokenStorage", "session".into()),
            ("tokenKey", "jwt".into()),
            ("clearSessionStorage", keep.into()),
            ("redirectTo", "/signed-out?bye=1".into()),
        ],
    );
    login(&client).await;
    assert!(session().get_item("jwt").expect("read").is_some());
    assert_eq!(local().get_item("jwt").expect("read"), None);
    session().set_item("draft", "x").expect("set");
    session().set_item("theme", "dark").expect("set");
    settle(client.logout()).await.expect("logout");
    assert_eq!(session().get_item("jwt").expect("read"), None);
    assert_eq!(session().get_item("draft").expect("read"), None);
    assert_eq!(session().get_item("theme").expect("read").as_deref(), Some("dark"));
    assert_eq!(h.log(), vec!["hookA", "hookC", "navigate:/signed-out?bye=1"]);

    // Memory only: no token is written to either storage, only the hint
    // that this browser signed in; no navigation.
    fresh().await;
    let client = AuthClient::create(obj(&[
        ("baseUrl", API.into()),
        ("tokenStorage", "memory".into()),
        ("redirectTo", JsValue::NULL),
        ("onLogout", rejecting_hook()),
    ]))
    .expect("valid");
    login(&client).await;
    assert!(client.get_access_token().is_some());
    assert_eq!(local().length().expect("length") + session().length().expect("length"), 1);
    assert_eq!(local().get_item("access_token:signed_in").expect("read").as_deref(), Some("1"));
    let result = settle(client.logout()).await.expect("logout");
    assert_eq!(errors_of(&result), vec![("onLogout".to_owned(), Some(0))]);
    assert_eq!(client.get_access_token(), None);
}

#[wasm_bindgen_test]
fn bad_options_are_rejected_naming_the_field() {
    let f: JsValue = Function::new_no_args("").into();
    let cases: Vec<(JsValue, &str)> = vec![
        (JsValue::UNDEFINED, "options"),
        ("http://x".into(), "options"),
        (obj(&[]), "baseUrl"),
        (obj(&[("baseUrl", "".into())]), "baseUrl"),
        (obj(&[("baseUrl", "ftp://x.test".into())]), "baseUrl"),
        (obj(&[("baseUrl", 3000.into())]), "baseUrl"),
        (obj(&[("baseUrl", f.clone())]), "baseUrl"),
        (obj(&[("baseUrl", API.into()), ("baseURL", API.into())]), "baseURL"),
        (obj(&[("baseUrl", API.into()), ("redirectTo", "https://evil.example".into())]), "redirectTo"),
        (obj(&[("baseUrl", API.into()), ("redirectTo", "//evil.example".into())]), "redirectTo"),
        (obj(&[("baseUrl", API.into()), ("redirectTo", "/\\evil.example".into())]), "redirectTo"),
        (obj(&[("baseUrl", API.into()), ("redirectTo", "javascript:alert(1)".into())]), "redirectTo"),
        (obj(&[("baseUrl", API.into()), ("redirectTo", "data:text/html,x".into())]), "redirectTo"),
        (obj(&[("baseUrl", API.into()), ("timeoutMs", (-1).into())]), "timeoutMs"),
        (obj(&[("baseUrl", API.into()), ("timeoutMs", f64::NAN.into())]), "timeoutMs"),
        (obj(&[("baseUrl", API.into()), ("tokenStorage", "cookie".into())]), "tokenStorage"),
        (obj(&[("baseUrl", API.into()), ("tokenKey", "".into())]), "tokenKey"),
        (obj(&[("baseUrl", API.into()), ("clearSessionStorage", "all".into())]), "clearSessionStorage"),
        (obj(&[("baseUrl", API.into()), ("paths", obj(&[("logout", "auth/logout".into())]))]), "paths.logout"),
        (obj(&[("baseUrl", API.into()), ("navigate", "/login".into())]), "navigate"),
        (obj(&[("baseUrl", API.into()), ("fetch", "window.fetch".into())]), "fetch"),
        (obj(&[("baseUrl", API.into()), ("onLogout", "reset".into())]), "onLogout"),
        (obj(&[("baseUrl", API.into()), ("onLogout", Array::of2(&f, &1.into()).into())]), "onLogout[1]"),
    ];
    for (options, field) in cases {
        let err = match AuthClient::create(options) {
            Err(e) => e,
            Ok(_) => panic!("accepted bad {field}"),
        };
        assert_eq!(get(&err, "name").as_string().as_deref(), Some("AuthError"));
        assert_eq!(get(&err, "code").as_string().as_deref(), Some("invalid_option"), "{field}");
        let message = get(&err, "message").as_string().unwrap_or_default();
        assert!(message.starts_with(&format!("{field} ")), "{message:?} names {field}");
    }
    // The valid forms.
    for options in [
        obj(&[("baseUrl", API.into())]),
        obj(&[("baseUrl", API.into()), ("redirectTo", JsValue::UNDEFINED), ("navigate", JsValue::NULL)]),
        obj(&[("baseUrl", API.into()), ("onLogout", f.clone()), ("navigate", f.clone()), ("timeoutMs", 1.into())]),
        obj(&[("baseUrl", API.into()), ("fetch", f.clone())]),
        obj(&[("baseUrl", API.into()), ("fetch", JsValue::NULL)]),
    ] {
        assert!(AuthClient::create(options).is_ok());
    }
}
