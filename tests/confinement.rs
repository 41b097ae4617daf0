//! Token confinement: the access token goes to the API's origin and nowhere
//! else. `auth.fetch` attaches it only to URLs on that origin (checked on the
//! wire by the dev server's request record, and in the page by a `fetch`
//! wrapper that sees every request the SDK makes, wherever it goes), and it
//! never appears in a cross-tab message (BroadcastChannel or the storage
//! fallback), a console message, an error, a thrown or rejected value, a
//! logout result or a snapshot. Real browser against the dev server.
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

/// Runs a script in the page; returns its value.
fn run(script: &str) -> JsValue {
    Function::new_no_args(script).call0(&JsValue::UNDEFINED).expect("script runs")
}

/// Installs the page-wide recorders once (`window.__cap`):
/// - `sent`: every call of `window.fetch` (the SDK's only way out), with the
///   resolved URL and the Authorization header it carries;
/// - `console`: every console call, its arguments as text;
/// - `tab`: every message on the SDK's BroadcastChannel for the default key;
/// - `writes`: every Web Storage write, as `key=value`;
/// - `problems`: unhandled rejections and uncaught exceptions.
///
/// `__text(v)` renders any value with everything it holds (own properties,
/// non-enumerable ones and stacks included) for the searches below.
fn install_recorders() {
    run(r#"
      if (window.__cap) return;
      const cap = window.__cap = { sent: [], console: [], tab: [], writes: [], problems: [] };
      const text = window.__text = (v, depth = 0) => {
        if (v === null || v === undefined) return String(v);
        if (typeof v !== 'object' && typeof v !== 'function') return String(v);
        if (depth > 4) return '';
        const parts = [];
        try { parts.push(String(v)); } catch (_) { parts.push(Object.prototype.toString.call(v)); }
        try { const j = JSON.stringify(v); if (j !== undefined) parts.push(j); } catch (_) {}
        if (v instanceof Error && typeof v.stack === 'string') parts.push(v.stack);
        let names = [];
        try { names = Object.getOwnPropertyNames(v); } catch (_) {}
        for (const k of names) {
          let x;
          try { x = v[k]; } catch (_) { continue; }
          if (typeof x !== 'function') parts.push(k + ': ' + text(x, depth + 1));
        }
        if ('cause' in Object(v) && !names.includes('cause')) parts.push('cause: ' + text(v.cause, depth + 1));
        return parts.join(' | ');
      };

      const realFetch = window.fetch;
      window.fetch = function (input, init) {
        let url = '', authorization = null;
        try {
          const r = new Request(input instanceof Request ? input.clone() : input, init);
          url = r.url;
          authorization = r.headers.get('authorization');
        } catch (e) {
          url = 'unconstructible: ' + String(input);
        }
        cap.sent.push({ url, authorization });
        return realFetch.call(this, input, init);
      };

      for (const m of ['log', 'info', 'warn', 'error', 'debug', 'trace', 'dir', 'dirxml', 'table', 'assert', 'group', 'groupCollapsed']) {
        const orig = console[m];
        if (typeof orig !== 'function') continue;
        console[m] = function (...args) {
          cap.console.push(m + ': ' + args.map((a) => text(a)).join(' '));
          return orig.apply(this, args);
        };
      }

      window.__tabListener = new BroadcastChannel('sociapp-auth:access_token');
      window.__tabListener.onmessage = (e) => cap.tab.push(text(e.data));

      const setItem = Storage.prototype.setItem;
      Storage.prototype.setItem = function (key, value) {
        cap.writes.push({ key: String(key), value: String(value) });
        return setItem.call(this, key, value);
      };

      window.addEventListener('unhandledrejection', (e) => cap.problems.push('unhandled rejection: ' + text(e.reason)));
      window.addEventListener('error', (e) => cap.problems.push('uncaught: ' + text(e.error ?? e.message)));
    "#);
}

fn cap(part: &str) -> Array {
    Array::from(&get(&get(&js_sys::global(), "__cap"), part))
}

fn text(v: &JsValue) -> String {
    let f: Function = get(&js_sys::global(), "__text").unchecked_into();
    f.call1(&JsValue::UNDEFINED, v).expect("text").as_string().unwrap_or_default()
}

/// Whether `s` holds a JWT (any: also ones the test never saw, such as the
/// token of a login answered after a logout), or one of `tokens`.
fn leaks(s: &str, tokens: &[String]) -> bool {
    let jwt = js_sys::RegExp::new(r"eyJ[A-Za-z0-9_-]{2,}\.eyJ[A-Za-z0-9_-]{2,}\.", "");
    jwt.test(s) || tokens.iter().any(|t| s.contains(t.as_str()) || s.contains(signature(t)))
}

/// The last part of a JWT (the secret half of it, in a sense).
fn signature(token: &str) -> &str {
    token.rsplit('.').next().filter(|s| s.len() >= 16).unwrap_or(token)
}

async fn next_task() {
    let p = Promise::new(&mut |resolve, _| {
        window().set_timeout_with_callback_and_timeout_and_arguments_0(&resolve, 0).expect("setTimeout");
    });
    settle(p).await.expect("timer");
}

/// Waits (bounded; each poll is a round trip) until the server holds a
/// request to `path`.
async fn until_held(path: &str) {
    for _ in 0..2000 {
        let r = server("GET", "/__test/held", None).await;
        let v = settle(r.json().expect("json")).await.expect("json");
        if get(&v, path).as_f64().unwrap_or(0.0) >= 1.0 {
            return;
        }
    }
    panic!("the request to {path} never reached the server");
}

/// The dev server's origin under its other name: the same server, another
/// origin (`localhost` for `127.0.0.1`).
fn other_name(api: &str) -> String {
    api.replacen("://127.0.0.1:", "://localhost:", 1)
}

fn port_of(url: &str) -> &str {
    url.rsplit(':').next().expect("a port")
}

/// A valid port that shares its leading digits with `port`: `port` followed
/// by a digit where that stays below 65536, else `port` less its last digit.
fn prefixed_port(port: &str) -> String {
    let longer = format!("{port}0");
    match longer.parse::<u32>() {
        Ok(n) if n <= 65535 => longer,
        _ => port[..port.len() - 1].to_owned(),
    }
}

/// What the page's fetch wrapper saw for the request whose URL ends with `tail`.
fn sent_authorization(tail: &str) -> Option<Option<String>> {
    cap("sent")
        .iter()
        .rev()
        .find(|e| get(e, "url").as_string().is_some_and(|u| u.ends_with(tail)))
        .map(|e| get(&e, "authorization").as_string())
}

/// `auth.fetch` and `auth.logout` call `fetch` before they return, not on a
/// later tick: the request is on its way while the caller goes on.
#[wasm_bindgen_test]
async fn requests_leave_before_fetch_and_logout_return() {
    install_recorders();
    fresh().await;
    let client = AuthClient::create(obj(&[("baseUrl", API.into()), ("redirectTo", JsValue::NULL)])).expect("valid");
    login(&client).await;
    let token = client.get_access_token().expect("signed in");

    let before = cap("sent").length();
    let pending = client.fetch(format!("{API}/auth/me?c=leaves-at-once").into(), None);
    assert_eq!(cap("sent").length(), before + 1, "fetch was called inside auth.fetch");
    assert_eq!(sent_authorization("c=leaves-at-once"), Some(Some(format!("Bearer {token}"))));
    let response: Response = settle(pending).await.expect("answered").unchecked_into();
    assert_eq!(response.status(), 200);

    let before = cap("sent").length();
    let pending = client.logout();
    assert_eq!(cap("sent").length(), before + 1, "fetch was called inside logout()");
    assert_eq!(sent_authorization("/auth/logout"), Some(None), "the logout request carries no token");
    assert_eq!(client.get_access_token(), None, "and the session ended before logout() returned");
    let report = settle(pending).await.expect("logout resolves");
    assert_eq!(get(&report, "server").as_string().as_deref(), Some("ok"));
}

#[wasm_bindgen_test]
async fn auth_fetch_attaches_the_token_to_the_api_origin_only() {
    install_recorders();
    fresh().await;
    assert!(API.contains("://127.0.0.1:"), "the test names the API's origin two ways");
    let port = port_of(API);
    let other = other_name(API);
    let page = window().location().origin().expect("origin");
    let client = AuthClient::create(obj(&[("baseUrl", API.into()), ("redirectTo", JsValue::NULL)])).expect("valid");
    login(&client).await;
    let token = client.get_access_token().expect("signed in");
    let bearer = Some(format!("Bearer {token}"));

    // (input, the query that tags it, whether it is the API's origin, whether
    // the dev server sees it).
    let url_obj = |s: String| -> JsValue { web_sys::Url::new(&s).expect("URL").into() };
    let request_obj = |s: String| -> JsValue { web_sys::Request::new_with_str(&s).expect("Request").into() };
    let cases: Vec<(JsValue, &str, bool, bool)> = vec![
        (format!("{API}/auth/me?c=api").into(), "c=api", true, true),
        (format!("HTTP://127.0.0.1:{port}/auth/me?c=api-upper-case").into(), "c=api-upper-case", true, true),
        (format!("//127.0.0.1:{port}/auth/me?c=api-protocol-relative").into(), "c=api-protocol-relative", true, true),
        (url_obj(format!("{API}/auth/me?c=api-url-object")), "c=api-url-object", true, true),
        (request_obj(format!("{API}/auth/me?c=api-request-object")), "c=api-request-object", true, true),
        // Another host name for the same server: another origin.
        (format!("{other}/auth/me?c=other-host").into(), "c=other-host", false, true),
        (format!("//localhost:{port}/auth/me?c=protocol-relative").into(), "c=protocol-relative", false, true),
        (url_obj(format!("{other}/auth/me?c=url-object")), "c=url-object", false, true),
        (request_obj(format!("{other}/auth/me?c=request-object")), "c=request-object", false, true),
        // Other ports and schemes (nothing answers there, or not in that scheme).
        (format!("{DOWN}/auth/me?c=other-port").into(), "c=other-port", false, false),
        // A port whose digits start with the API's (or the API's start with its).
        (format!("http://127.0.0.1:{}/auth/me?c=port-with-api-prefix", prefixed_port(port)).into(), "c=port-with-api-prefix", false, false),
        (format!("https://127.0.0.1:{port}/auth/me?c=https").into(), "c=https", false, false),
        // Relative URLs resolve against the page, not the API.
        ("/auth/me?c=relative-absolute-path".into(), "c=relative-absolute-path", false, false),
        ("auth/me?c=relative-path".into(), "c=relative-path", false, false),
        ("?c=relative-query".into(), "c=relative-query", false, false),
        ("data:text/plain,c=data-url".into(), "c=data-url", false, false),
    ];
    let mut failures = Vec::new();
    for (input, tag, to_api, reaches_server) in cases {
        // Network failures reject; that is the browser's business here.
        let outcome = settle(client.fetch(input.clone(), None)).await;
        if let Err(e) = &outcome {
            if leaks(&text(e), std::slice::from_ref(&token)) {
                failures.push(format!("{tag}: the rejection holds the token"));
            }
        }
        let want = if to_api { bearer.clone() } else { None };
        match sent_authorization(tag) {
            None => failures.push(format!("{tag}: no request left the page")),
            Some(got) if got != want => failures.push(format!("{tag}: sent with {got:?}, want {want:?}")),
            Some(_) => {}
        }
        let on_wire = authorizations(&format!("/auth/me?{tag}")).await;
        if reaches_server {
            if on_wire != vec![want.clone()] {
                failures.push(format!("{tag}: the server saw {on_wire:?}, want [{want:?}]"));
            }
        } else if !on_wire.is_empty() {
            failures.push(format!("{tag}: reached the API, with {on_wire:?}"));
        }
        if !to_api && input.as_string().is_some_and(|s| s.starts_with('/') && !s.starts_with("//")) {
            let went = cap("sent").iter().rev().find_map(|e| get(&e, "url").as_string().filter(|u| u.ends_with(tag)));
            if !went.as_deref().is_some_and(|u| u.starts_with(&page)) {
                failures.push(format!("{tag}: went to {went:?}, not to the page's origin {page}"));
            }
        }
    }
    // A 401 from another origin is not the API's: no refresh for it.
    assert_eq!(count("POST", "/auth/refresh").await, 0, "a refresh was made for another origin's answer");
    assert_eq!(client.get_access_token(), Some(token.clone()), "still signed in");
    assert!(failures.is_empty(), "{failures:#?}");
    settle(client.logout()).await.expect("logout");
}

/// Everything the SDK said or threw while exercising its paths, as text.
struct Heard {
    values: Vec<(String, String)>,
}

impl Heard {
    fn add(&mut self, what: &str, v: &JsValue) {
        self.values.push((what.to_owned(), text(v)));
    }

    async fn call(&mut self, what: &str, p: Promise) -> Result<JsValue, JsValue> {
        let r = settle(p).await;
        match &r {
            Ok(v) => self.add(&format!("{what} resolved"), v),
            Err(e) => self.add(&format!("{what} rejected"), e),
        }
        r
    }
}

/// A function with this body (for hooks and navigation that throw or reject).
fn thrown_by(script: &str) -> JsValue {
    Function::new_no_args(script).into()
}

#[wasm_bindgen_test]
async fn the_token_never_appears_in_messages_logs_errors_or_results() {
    install_recorders();
    fresh().await;
    let mut heard = Heard { values: Vec::new() };
    let mut tokens: Vec<String> = Vec::new();
    let hooks = Array::of2(&thrown_by("throw new Error('hook failed')"), &thrown_by("return Promise.reject('nope')"));
    let snapshots = Closure::<dyn FnMut(JsValue)>::new(|s: JsValue| {
        let _ = Function::new_with_args("s", "(window.__snapshots ??= []).push(s)").call1(&JsValue::UNDEFINED, &s);
    })
    .into_js_value();
    let options = |extra: &[(&str, JsValue)]| {
        let mut pairs = vec![
            ("baseUrl", JsValue::from_str(API)),
            ("onLogout", hooks.clone().into()),
            ("navigate", thrown_by("throw new Error('navigation failed')")),
            ("timeoutMs", 1_000.into()),
        ];
        pairs.extend(extra.iter().cloned());
        obj(&pairs)
    };
    let creds = || obj(&[("email", EMAIL.into()), ("password", PASSWORD.into())]);

    // Sign in; read the user; a plain request.
    let client = AuthClient::create(options(&[])).expect("valid");
    add_listener(&client, snapshots.clone().unchecked_into());
    heard.call("login", client.login(creds())).await.expect("login");
    tokens.push(client.get_access_token().expect("token"));
    heard.call("me", client.me()).await.expect("me");
    heard.call("fetch", client.fetch(format!("{API}/auth/me").into(), None)).await.expect("fetch");

    // Every way me() and auth.fetch can fail while the token is in use.
    for (kind, extra) in [("status", r#","status":500"#), ("malformed", ""), ("truncate", ""), ("hang", r#","ms":10000"#)] {
        fault("/auth/me", kind, extra).await;
        let _ = heard.call(&format!("me with {kind}"), client.me()).await;
    }
    fault("/auth/me", "drop", r#","times":3"#).await;
    let _ = heard.call("fetch with drop", client.fetch(format!("{API}/auth/me?drop").into(), None)).await;
    fault("/auth/me", "nocors", "").await;
    let _ = heard.call("fetch with nocors", client.fetch(format!("{API}/auth/me?nocors").into(), None)).await;
    server("POST", "/__test/reset", None).await;

    // A refresh that works, then one that fails (the session ends: hooks and
    // navigation throw; a tab message goes out).
    fault("/auth/me", "status", r#","status":401"#).await;
    heard.call("fetch with a refresh", client.fetch(format!("{API}/auth/me?refresh").into(), None)).await.expect("fetch");
    tokens.push(client.get_access_token().expect("renewed"));
    fault("/auth/me", "status", r#","status":401"#).await;
    fault("/auth/refresh", "status", r#","status":500"#).await;
    heard.call("fetch with a failed refresh", client.fetch(format!("{API}/auth/me?expire").into(), None)).await.expect("fetch");
    assert_eq!(client.get_access_token(), None);
    let _ = heard.call("me signed out", client.me()).await;

    // Bad arguments and credentials.
    let _ = heard.call("login with a bad password", client.login(obj(&[("email", EMAIL.into()), ("password", "x".into())]))).await;
    let _ = heard.call("login without a password", client.login(obj(&[("email", EMAIL.into())]))).await;
    let _ = heard.call("fetch of a bad URL", client.fetch("http://[".into(), None)).await;

    // A logout the server fails, and a login answered after a logout began.
    heard.call("login again", client.login(creds())).await.expect("login");
    tokens.push(client.get_access_token().expect("token"));
    fault("/auth/logout", "status", r#","status":503"#).await;
    heard.call("logout with 503", client.logout()).await.expect("logout never rejects");
    fault("/auth/login", "hold", "").await;
    let late = client.login(creds());
    until_held("/auth/login").await;
    let logout = client.logout();
    assert!(server("POST", "/__test/release", Some(r#"{"path":"/auth/login"}"#)).await.ok());
    let superseded = heard.call("login answered after logout", late).await.expect_err("discarded");
    assert_eq!(get(&superseded, "code").as_string().as_deref(), Some("superseded"));
    heard.call("the logout meanwhile", logout).await.expect("logout");
    drop(client);

    // Options the SDK refuses, with a token-looking value in them.
    let token_like = tokens[0].clone();
    for (key, value) in [("baseUrl", token_like.as_str()), ("redirectTo", token_like.as_str()), ("tokenStorage", token_like.as_str())] {
        match AuthClient::create(obj(&[("baseUrl", API.into()), (key, value.into())])) {
            Ok(_) => panic!("accepted {key}"),
            Err(e) => heard.values.push((format!("create with a bad {key}"), text(&e))),
        }
    }

    // Storage that refuses writes: the documented warning goes to the console.
    run("window.__setItemBeforeFull = Storage.prototype.setItem;
         Storage.prototype.setItem = function () { throw new DOMException('full', 'QuotaExceededError'); };");
    let client = AuthClient::create(options(&[])).expect("valid");
    heard.call("login with full storage", client.login(creds())).await.expect("login");
    tokens.push(client.get_access_token().expect("token"));
    heard.call("logout with full storage", client.logout()).await.expect("logout");
    run("Storage.prototype.setItem = window.__setItemBeforeFull;");
    drop(client);

    // Without BroadcastChannel: the storage fallback carries the events.
    run("window.__BroadcastChannel = window.BroadcastChannel; delete window.BroadcastChannel;");
    let client = AuthClient::create(options(&[])).expect("valid");
    heard.call("login without BroadcastChannel", client.login(creds())).await.expect("login");
    tokens.push(client.get_access_token().expect("token"));
    heard.call("logout without BroadcastChannel", client.logout()).await.expect("logout");
    run("window.BroadcastChannel = window.__BroadcastChannel;");
    drop(client);

    // In sessionStorage and in memory.
    for storage in ["session", "memory"] {
        let client = AuthClient::create(options(&[("tokenStorage", storage.into())])).expect("valid");
        heard.call(&format!("login ({storage})"), client.login(creds())).await.expect("login");
        tokens.push(client.get_access_token().expect("token"));
        heard.call(&format!("logout ({storage})"), client.logout()).await.expect("logout");
    }

    // Let the channel deliver what was posted: both kinds of event arrive.
    for _ in 0..500 {
        let tab: Vec<String> = cap("tab").iter().filter_map(|v| v.as_string()).collect();
        if tab.iter().any(|m| m == "login") && tab.iter().any(|m| m == "logout") {
            break;
        }
        next_task().await;
    }
    next_task().await;

    let mut leaked = Vec::new();
    let mut check = |where_: String, s: String| {
        if leaks(&s, &tokens) {
            leaked.push(format!("{where_}: {s}"));
        }
    };
    for (what, s) in &heard.values {
        check(what.clone(), s.clone());
    }
    let snapshots = get(&js_sys::global(), "__snapshots");
    for s in Array::from(&snapshots).iter() {
        check("snapshot".into(), text(&s));
    }
    let tab: Vec<String> = cap("tab").iter().filter_map(|v| v.as_string()).collect();
    assert!(tab.iter().any(|m| m == "login") && tab.iter().any(|m| m == "logout"), "the channel carried {tab:?}");
    for m in &tab {
        assert!(m == "login" || m == "logout", "a tab message other than the event: {m:?}");
    }
    for e in cap("console").iter() {
        check("console".into(), e.as_string().unwrap_or_default());
    }
    let mut signals = 0;
    for w in cap("writes").iter() {
        let key = get(&w, "key").as_string().unwrap_or_default();
        let value = get(&w, "value").as_string().unwrap_or_default();
        if key == "sociapp-auth:access_token:signal" {
            signals += 1;
            assert!(value.starts_with("login:") || value.starts_with("logout:"), "signal {value:?}");
        }
        if key != "access_token" {
            check(format!("storage write to {key}"), value);
        }
    }
    assert!(signals >= 2, "the storage fallback wrote {signals} signals");
    for p in cap("problems").iter() {
        check("page problem".into(), p.as_string().unwrap_or_default());
    }
    // Nor in a URL: the server's record of every request.
    let r = server("GET", "/__test/requests", None).await;
    let record = settle(r.json().expect("json")).await.expect("json");
    for e in Array::from(&record).iter() {
        check("request URL".into(), get(&e, "path").as_string().unwrap_or_default());
    }
    let warned = cap("console").iter().filter_map(|v| v.as_string()).any(|s| s.contains("storage_unavailable"));
    assert!(warned, "the storage warning was not heard (the console capture saw nothing)");
    // Without the debug option the SDK logs nothing but that warning.
    let logged: Vec<String> = cap("console").iter().filter_map(|v| v.as_string()).filter(|s| s.contains("[sociapp-auth]")).collect();
    assert!(logged.iter().all(|s| s.contains("storage_unavailable")), "logged without debug: {logged:#?}");
    assert!(leaked.is_empty(), "the token appeared in:\n{}", leaked.join("\n"));
    let problems: Vec<String> = cap("problems").iter().filter_map(|v| v.as_string()).collect();
    assert!(problems.is_empty(), "{problems:#?}");
    local().clear().expect("clear");
    session().clear().expect("clear");
}

#[wasm_bindgen_test]
async fn a_request_with_its_own_authorization_is_left_alone_off_the_api() {
    // The app's own header to another origin is the app's business; the SDK
    // neither replaces it with the token nor adds one.
    install_recorders();
    fresh().await;
    let client = AuthClient::create(obj(&[("baseUrl", API.into()), ("redirectTo", JsValue::NULL)])).expect("valid");
    login(&client).await;
    let init = web_sys::RequestInit::new();
    let headers = web_sys::Headers::new().expect("headers");
    headers.set("Authorization", "Bearer app-own").expect("header");
    init.set_headers(&headers);
    let url = format!("{}/auth/me?c=app-header", other_name(API));
    let r: Response = settle(client.fetch(url.into(), Some(init.into()))).await.expect("fetch").unchecked_into();
    assert_eq!(r.status(), 401);
    assert_eq!(authorizations("/auth/me?c=app-header").await, vec![Some("Bearer app-own".to_owned())]);
    settle(client.logout()).await.expect("logout");
}

/// The `debug` events of `window.__events` from index `from` on: their types.
fn event_types(from: usize) -> Vec<String> {
    let all = Array::from(&get(&js_sys::global(), "__events"));
    all.iter().skip(from).map(|e| get(&e, "type").as_string().unwrap_or_default()).collect()
}

fn event_count() -> usize {
    Array::from(&get(&js_sys::global(), "__events")).length() as usize
}

#[wasm_bindgen_test]
async fn debug_events_name_each_step_and_never_carry_the_token() {
    install_recorders();
    fresh().await;
    run("window.__events = [];");
    let sink: JsValue = Function::new_with_args("e", "window.__events.push(e)").into();
    let creds = || obj(&[("email", EMAIL.into()), ("password", PASSWORD.into())]);
    let client = AuthClient::create(obj(&[
        ("baseUrl", API.into()),
        ("redirectTo", "/signed-out".into()),
        ("navigate", Function::new_no_args("").into()),
        ("onLogout", Function::new_no_args("throw new Error('hook failed')").into()),
        ("debug", sink),
    ]))
    .expect("valid");
    let mut tokens = Vec::new();

    settle(client.login(creds())).await.expect("login");
    tokens.push(client.get_access_token().expect("token"));
    assert_eq!(event_types(0), ["login:start", "tab:sent", "login:end"]);

    let from = event_count();
    fault("/auth/me", "status", r#","status":401"#).await;
    settle(client.fetch(format!("{API}/auth/me?debug").into(), None)).await.expect("fetch");
    tokens.push(client.get_access_token().expect("renewed"));
    assert_eq!(event_types(from), ["refresh:start", "refresh:lock", "refresh:end"]);

    let from = event_count();
    fault("/auth/me", "status", r#","status":401"#).await;
    fault("/auth/refresh", "status", r#","status":503"#).await;
    assert!(settle(client.fetch(format!("{API}/auth/me?debug503").into(), None)).await.is_err());
    assert_eq!(event_types(from), ["refresh:start", "refresh:lock", "refresh:retry", "refresh:end"]);

    let from = event_count();
    settle(client.logout()).await.expect("logout");
    assert_eq!(
        event_types(from),
        [
            "signout:start",
            "signout:step",
            "tab:sent",
            "logout:request",
            "signout:step",
            "signout:step",
            "signout:step",
            "signout:end"
        ]
    );
    // The facts of the logout, as documented.
    let facts = run(&format!(
        "return window.__events.slice({from}).map((e) => [e.type, e.reason ?? e.step ?? e.outcome ?? e.message ?? '', e.ok ?? e.status ?? '', e.failures ?? ''].join(' '))"
    ));
    let facts: Vec<String> = Array::from(&facts).iter().filter_map(|v| v.as_string()).collect();
    assert_eq!(
        facts,
        [
            "signout:start logout  ",
            "signout:step token true ",
            "tab:sent logout  ",
            "logout:request ok 200 ",
            "signout:step sessionStorage true ",
            "signout:step onLogout false 1",
            "signout:step navigate true ",
            "signout:end logout  "
        ]
    );

    // Every event is plain data: JSON gives it back whole, with a time.
    let plain = run("return window.__events.every((e) => typeof e.time === 'number' && \
        JSON.stringify(JSON.parse(JSON.stringify(e))) === JSON.stringify(e) && \
        Object.getPrototypeOf(e) === Object.prototype)");
    assert_eq!(plain.as_bool(), Some(true));
    for e in Array::from(&get(&js_sys::global(), "__events")).iter() {
        let t = text(&e);
        assert!(!leaks(&t, &tokens), "an event holds the token: {t}");
        assert!(!t.contains(PASSWORD), "an event holds the password: {t}");
    }
    drop(client);

    // `debug: true`: the console, prefixed; a debug function that throws stops nothing.
    let before = cap("console").length();
    let client = AuthClient::create(obj(&[("baseUrl", API.into()), ("redirectTo", JsValue::NULL), ("debug", true.into())]))
        .expect("valid");
    settle(client.login(creds())).await.expect("login");
    settle(client.logout()).await.expect("logout");
    let lines: Vec<String> = cap("console").iter().skip(before as usize).filter_map(|v| v.as_string()).collect();
    assert!(lines.iter().any(|l| l.starts_with("info: [sociapp-auth] login:start")), "{lines:#?}");
    assert!(lines.iter().any(|l| l.starts_with("info: [sociapp-auth] signout:end")), "{lines:#?}");
    assert!(lines.iter().all(|l| !leaks(l, &tokens)));
    drop(client);
    let client = AuthClient::create(obj(&[
        ("baseUrl", API.into()),
        ("redirectTo", JsValue::NULL),
        ("debug", Function::new_no_args("throw new Error('debug sink failed')").into()),
    ]))
    .expect("valid");
    settle(client.login(creds())).await.expect("login despite the debug function");
    settle(client.logout()).await.expect("logout");
    for bad in [JsValue::from_str("yes"), JsValue::from_f64(1.0), obj(&[])] {
        let err = AuthClient::create(obj(&[("baseUrl", API.into()), ("debug", bad)])).err().expect("refused");
        assert_eq!(get(&err, "code").as_string().as_deref(), Some("invalid_option"));
        assert!(get(&err, "message").as_string().unwrap_or_default().starts_with("debug "));
    }
    let problems: Vec<String> = cap("problems").iter().filter_map(|v| v.as_string()).collect();
    assert!(problems.is_empty(), "{problems:#?}");
    local().clear().expect("clear");
    session().clear().expect("clear");
}
