//! Helpers shared by the browser test suites: the dev server's test
//! switches, JS object plumbing, and recording callbacks.
#![allow(dead_code)]

use std::cell::RefCell;
use std::rc::Rc;

use js_sys::{Array, Function, Object, Promise, Reflect};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use sociapp_auth::js::AuthClient;
use wasm_bindgen_futures::JsFuture;
use web_sys::{RequestCredentials, RequestInit, Response};

/// The dev server started by the test command.
pub const API: &str = match option_env!("SOCIAPP_API") {
    Some(url) => url,
    None => "http://127.0.0.1:3917",
};
/// A loopback port nothing listens on.
pub const DOWN: &str = match option_env!("SOCIAPP_DOWN") {
    Some(url) => url,
    None => "http://127.0.0.1:3918",
};
pub const EMAIL: &str = "demo@sociapp.dev";
pub const PASSWORD: &str = "demo-password";

pub fn window() -> web_sys::Window {
    web_sys::window().expect("window")
}

pub fn local() -> web_sys::Storage {
    window().local_storage().expect("localStorage").expect("localStorage")
}

pub fn session() -> web_sys::Storage {
    window().session_storage().expect("sessionStorage").expect("sessionStorage")
}

pub fn obj(pairs: &[(&str, JsValue)]) -> JsValue {
    let o = Object::new();
    for (k, v) in pairs {
        Reflect::set(&o, &JsValue::from_str(k), v).expect("set");
    }
    o.into()
}

pub fn get(v: &JsValue, key: &str) -> JsValue {
    Reflect::get(v, &JsValue::from_str(key)).expect("get")
}

pub async fn settle(p: Promise) -> Result<JsValue, JsValue> {
    JsFuture::from(p).await
}

/// A request to the dev server, outside the SDK.
pub async fn server(method: &str, path: &str, body: Option<&str>) -> Response {
    let init = RequestInit::new();
    init.set_method(method);
    init.set_credentials(RequestCredentials::Include);
    if let Some(b) = body {
        let headers = web_sys::Headers::new().expect("headers");
        headers.set("Content-Type", "application/json").expect("header");
        init.set_headers(&headers);
        init.set_body(&JsValue::from_str(b));
    }
    let url = format!("{API}{path}");
    let r = settle(window().fetch_with_str_and_init(&url, &init)).await.expect("dev server reachable");
    r.dyn_into().expect("response")
}

/// Clears the server's record and faults, and the page's storage.
pub async fn fresh() {
    let r = server("POST", "/__test/reset", None).await;
    assert!(r.ok(), "the dev server runs with --test-faults");
    local().clear().expect("clear");
    session().clear().expect("clear");
}

pub async fn fault(path: &str, kind: &str, extra: &str) {
    let body = format!(r#"{{"path":"{path}","kind":"{kind}"{extra}}}"#);
    assert!(server("POST", "/__test/fault", Some(&body)).await.ok());
}

/// The Authorization header (or null) of every recorded request to `path`.
pub async fn authorizations(path: &str) -> Vec<Option<String>> {
    let r = server("GET", "/__test/requests", None).await;
    let list = settle(r.json().expect("json")).await.expect("json");
    Array::from(&list)
        .iter()
        .filter(|e| get(e, "path").as_string().as_deref() == Some(path) && get(e, "method").as_string().as_deref() != Some("OPTIONS"))
        .map(|e| get(&e, "authorization").as_string())
        .collect()
}

pub async fn count(method: &str, path: &str) -> usize {
    let r = server("GET", "/__test/requests", None).await;
    let list = settle(r.json().expect("json")).await.expect("json");
    Array::from(&list)
        .iter()
        .filter(|e| get(e, "path").as_string().as_deref() == Some(path) && get(e, "method").as_string().as_deref() == Some(method))
        .count()
}

/// Records calls: `log` gets `name` (and the argument, if any) on each call.
pub fn recorder(log: &Rc<RefCell<Vec<String>>>, name: &'static str) -> JsValue {
    let log = log.clone();
    Closure::<dyn FnMut(JsValue)>::new(move |arg: JsValue| {
        let entry = match arg.as_string() {
            Some(a) => format!("{name}:{a}"),
            None => name.to_owned(),
        };
        log.borrow_mut().push(entry);
    })
    .into_js_value()
}

pub fn throwing_hook() -> JsValue {
    Function::new_no_args("throw new Error('hook failed')").into()
}

pub fn rejecting_hook() -> JsValue {
    Function::new_no_args("return Promise.reject(new Error('async hook failed'))").into()
}

pub struct Harness {
    pub log: Rc<RefCell<Vec<String>>>,
}

impl Harness {
    pub fn new() -> Harness {
        Harness { log: Rc::new(RefCell::new(Vec::new())) }
    }

    /// A client on `base` whose hooks and navigation write to the log.
    pub fn client(&self, base: &str, extra: &[(&str, JsValue)]) -> AuthClient {
        let hooks = Array::of3(&recorder(&self.log, "hookA"), &throwing_hook(), &recorder(&self.log, "hookC"));
        let mut pairs = vec![
            ("baseUrl", JsValue::from_str(base)),
            ("navigate", recorder(&self.log, "navigate")),
            ("onLogout", hooks.into()),
        ];
        pairs.extend(extra.iter().cloned());
        AuthClient::create(obj(&pairs)).expect("valid options")
    }

    pub fn log(&self) -> Vec<String> {
        self.log.borrow().clone()
    }
}

pub async fn login(client: &AuthClient) -> JsValue {
    let creds = obj(&[("email", EMAIL.into()), ("password", PASSWORD.into())]);
    settle(client.login(creds)).await.expect("login succeeds")
}

pub fn errors_of(result: &JsValue) -> Vec<(String, Option<u32>)> {
    Array::from(&get(result, "errors"))
        .iter()
        .map(|e| (get(&e, "step").as_string().unwrap_or_default(), get(&e, "index").as_f64().map(|n| n as u32)))
        .collect()
}

/// Registers `listener` in the client's listener `Map`, as `addListener`
/// of `index.js` does; the returned key removes it.
pub fn add_listener(client: &AuthClient, listener: Function) -> JsValue {
    let key: JsValue = Object::new().into();
    client.listeners().set(&key, &listener);
    key
}

pub fn remove_listener(client: &AuthClient, key: &JsValue) {
    client.listeners().delete(key);
}

/// A promise and the function that resolves it.
pub fn deferred() -> (Promise, Function) {
    let mut resolve = None;
    let p = Promise::new(&mut |res, _rej| resolve = Some(res));
    (p, resolve.expect("executor runs at once"))
}

/// A promise that resolves once `client` tells its listeners it is signed
/// in (e.g. because another tab signed in).
pub fn signed_in_seen(client: &AuthClient) -> Promise {
    let (signed_in, resolve) = deferred();
    let listener: Function = Closure::<dyn FnMut(JsValue)>::new(move |s: JsValue| {
        if get(&s, "status").as_string().as_deref() == Some("signedIn") {
            resolve.call0(&JsValue::UNDEFINED).expect("resolve");
        }
    })
    .into_js_value()
    .unchecked_into();
    add_listener(client, listener);
    signed_in
}
