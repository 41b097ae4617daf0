//! The JavaScript API: the `AuthClient` class, its TypeScript declarations,
//! and the conversion of results and errors to JavaScript values.

use std::cell::{Cell, RefCell};
use std::rc::Rc;

use js_sys::{Array, Function, Object, Promise, Reflect};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::{future_to_promise, JsFuture};
use web_sys::{Request, RequestInit, Response};

use crate::browser::{self, BrowserClock, BrowserHttp, BrowserNavigation, BrowserStorage, JsHooks};
use crate::engine::{Engine, LogoutReport};
use crate::error::AuthError;
use crate::json::Json;
use crate::options::{self, RawOptions, TokenStorage};
use crate::session::{Reason, Session};

#[wasm_bindgen(typescript_custom_section)]
const TS_TYPES: &str = r#"
/** Where the access token is kept between page loads. */
export type TokenStorage = 'local' | 'session' | 'memory';

export interface AuthOptions {
  /** The API's http(s) origin, optionally with a path prefix, e.g. "https://api.example.com". */
  baseUrl: string;
  /** Endpoint paths; defaults "/auth/login", "/auth/logout", "/auth/refresh", "/auth/me". */
  paths?: { login?: string; logout?: string; refresh?: string; me?: string };
  /** Default "local" (localStorage). */
  tokenStorage?: TokenStorage;
  /** Storage key of the raw token string; default "access_token". */
  tokenKey?: string;
  /** On logout: true clears sessionStorage (default), false keeps it, or the keys to remove. */
  clearSessionStorage?: boolean | string[];
  /** Where logout sends the page: a path on this app's origin (default "/"), or null for nowhere. */
  redirectTo?: string | null;
  /** Performs the navigation (e.g. a router's push). Default: location.replace. */
  navigate?: (path: string) => unknown;
  /** Milliseconds before a request to the API is abandoned; default 10000. */
  timeoutMs?: number;
  /** Run in order during logout (e.g. resetting stores); a failing one is reported, the rest still run. */
  onLogout?: (() => unknown) | Array<() => unknown>;
}

export type SessionStatus = 'signedIn' | 'signedOut';
export type SignOutReason = 'logout' | 'expired' | 'other_tab' | 'server_rejected';

export interface SessionUser {
  /** The token's `sub`. */
  id: number | string | null;
  email: string | null;
}

export interface Snapshot {
  readonly status: SessionStatus;
  readonly user: SessionUser | null;
  /** Why the session ended; null while signed in or when there never was one. */
  readonly reason: SignOutReason | null;
  /** When the access token expires (ms since the epoch), if it says. */
  readonly expiresAt: number | null;
}

export interface Credentials {
  email: string;
  password: string;
}

/** The user object of GET /auth/me. */
export interface User {
  id: number | string;
  email: string;
  [field: string]: unknown;
}

export type LogoutStep = 'tokenStorage' | 'sessionStorage' | 'onLogout' | 'navigate';

export interface LogoutStepError {
  step: LogoutStep;
  /** For onLogout: the position of the hook that failed. */
  index?: number;
  /** What the app's function threw or rejected with, if anything. */
  error?: unknown;
}

export interface LogoutResult {
  /** ok: the server expired the refresh cookie; failed: it answered non-2xx; timeout; unreachable. */
  server: 'ok' | 'failed' | 'timeout' | 'unreachable';
  /** The HTTP status, when the server answered. */
  status?: number;
  errors: LogoutStepError[];
}

export type AuthErrorCode =
  | 'invalid_option'
  | 'invalid_argument'
  | 'invalid_credentials'
  | 'invalid_request'
  | 'rate_limited'
  | 'unauthorized'
  | 'server'
  | 'invalid_response'
  | 'network'
  | 'timeout'
  | 'not_signed_in'
  | 'superseded';

/** Every error the SDK throws or rejects with. */
export interface AuthError extends Error {
  name: 'AuthError';
  code: AuthErrorCode;
  /** The HTTP status, for errors that are an HTTP answer. */
  status?: number;
}

export interface AuthClient {
  /** Calls `listener` after every change of the snapshot; returns the function that stops it. */
  subscribe(listener: (snapshot: Snapshot) => void): () => void;
}
"#;

/// The session's listeners; shared with the engine's change callback.
#[derive(Default)]
struct Listeners {
    next_id: Cell<u32>,
    entries: RefCell<Vec<(u32, Function)>>,
    /// The snapshot object handed out until the session changes.
    snapshot: RefCell<Option<JsValue>>,
}

type BrowserEngine = Engine<BrowserStorage, BrowserHttp, BrowserNavigation, BrowserClock>;

struct Inner {
    engine: BrowserEngine,
    hooks: JsHooks,
    listeners: Rc<Listeners>,
    /// The API's origin as the browser writes it, for comparing request URLs.
    api_origin: String,
    /// The logout in progress: concurrent calls share it.
    pending_logout: RefCell<Option<Promise>>,
}

/// A client for one SociApp API. Create it with `createAuthClient(options)`.
#[wasm_bindgen]
pub struct AuthClient {
    inner: Rc<Inner>,
}

/// Converts an [`AuthError`] to a JavaScript `Error` named `AuthError`.
pub fn to_js_error(e: &AuthError) -> JsValue {
    let err = js_sys::Error::new(&e.message());
    err.set_name("AuthError");
    set(&err, "code", &JsValue::from_str(e.code()));
    if let Some(status) = e.status() {
        set(&err, "status", &JsValue::from(status));
    }
    err.into()
}

fn set(target: &JsValue, key: &str, value: &JsValue) {
    let _ = Reflect::set(target, &JsValue::from_str(key), value);
}

fn get(target: &JsValue, key: &str) -> JsValue {
    Reflect::get(target, &JsValue::from_str(key)).unwrap_or(JsValue::UNDEFINED)
}

fn nullish(v: &JsValue) -> bool {
    v.is_undefined() || v.is_null()
}

fn reject(e: &AuthError) -> Promise {
    Promise::reject(&to_js_error(e))
}

fn function_option(options: &JsValue, field: &'static str) -> Result<Option<Function>, AuthError> {
    let v = get(options, field);
    if nullish(&v) {
        return Ok(None);
    }
    v.dyn_into::<Function>().map(Some).map_err(|_| AuthError::option(field, "must be a function"))
}

fn hook_functions(options: &JsValue) -> Result<Vec<Function>, AuthError> {
    let v = get(options, "onLogout");
    if nullish(&v) {
        return Ok(Vec::new());
    }
    if let Some(f) = v.dyn_ref::<Function>() {
        return Ok(vec![f.clone()]);
    }
    if !Array::is_array(&v) {
        return Err(AuthError::option("onLogout", "must be a function or an array of functions"));
    }
    Array::from(&v)
        .iter()
        .enumerate()
        .map(|(i, item)| {
            item.dyn_into::<Function>().map_err(|_| {
                let mut field = String::from("onLogout[");
                field.push_str(&i.to_string());
                field.push(']');
                AuthError::option(field, "must be a function")
            })
        })
        .collect()
}

fn snapshot_object(session: &Session) -> JsValue {
    let obj: JsValue = Object::new().into();
    set(&obj, "status", &JsValue::from_str(session.status()));
    let user = match (session, session.claims()) {
        (Session::SignedIn { .. }, Some(claims)) => {
            let u: JsValue = Object::new().into();
            let id = match &claims.sub {
                Some(Json::Num(n)) => JsValue::from_f64(*n),
                Some(Json::Str(s)) => JsValue::from_str(s),
                _ => JsValue::NULL,
            };
            set(&u, "id", &id);
            set(&u, "email", &claims.email.as_deref().map(JsValue::from_str).unwrap_or(JsValue::NULL));
            Object::freeze(u.unchecked_ref::<Object>());
            u
        }
        _ => JsValue::NULL,
    };
    set(&obj, "user", &user);
    set(&obj, "reason", &session.reason().map(|r| JsValue::from_str(r.as_str())).unwrap_or(JsValue::NULL));
    set(&obj, "expiresAt", &session.expires_at_ms().map(JsValue::from_f64).unwrap_or(JsValue::NULL));
    Object::freeze(obj.unchecked_ref::<Object>());
    obj
}

fn report_object(report: LogoutReport<JsValue>) -> JsValue {
    let obj: JsValue = Object::new().into();
    if let Some(server) = report.server {
        set(&obj, "server", &JsValue::from_str(server.as_str()));
    }
    if let Some(status) = report.status {
        set(&obj, "status", &JsValue::from(status));
    }
    let errors = Array::new();
    for failure in report.errors {
        let e: JsValue = Object::new().into();
        set(&e, "step", &JsValue::from_str(failure.step));
        if let Some(i) = failure.index {
            set(&e, "index", &JsValue::from(i));
        }
        if let Some(thrown) = failure.thrown {
            set(&e, "error", &thrown);
        }
        errors.push(&e);
    }
    set(&obj, "errors", &errors);
    obj
}

impl Listeners {
    /// Replaces the snapshot and calls every listener with it. A listener
    /// that throws does not stop the others.
    fn changed(&self, session: &Session) {
        let snapshot = snapshot_object(session);
        *self.snapshot.borrow_mut() = Some(snapshot.clone());
        let listeners: Vec<Function> = self.entries.borrow().iter().map(|(_, f)| f.clone()).collect();
        for f in listeners {
            let _ = f.call1(&JsValue::UNDEFINED, &snapshot);
        }
    }
}

impl Inner {
    fn snapshot(&self) -> JsValue {
        if let Some(s) = self.listeners.snapshot.borrow().as_ref() {
            return s.clone();
        }
        let s = self.engine.with_session(snapshot_object);
        *self.listeners.snapshot.borrow_mut() = Some(s.clone());
        s
    }

    /// A Request for `input`/`init` carrying the token when it may.
    fn request(&self, input: &JsValue, init: &JsValue) -> Result<Request, JsValue> {
        let default_init;
        let init: &RequestInit = if nullish(init) {
            default_init = RequestInit::new();
            &default_init
        } else {
            init.unchecked_ref()
        };
        let request = match input.dyn_ref::<Request>() {
            Some(r) => Request::new_with_request_and_init(r, init)?,
            None => {
                let url = match input.as_string() {
                    Some(s) => s,
                    None => String::from(input.unchecked_ref::<Object>().to_string()),
                };
                Request::new_with_str_and_init(&url, init)?
            }
        };
        if let Some(token) = self.engine.access_token() {
            let same_origin = web_sys::Url::new(&request.url()).map(|u| u.origin() == self.api_origin).unwrap_or(false);
            if same_origin {
                let mut value = String::with_capacity(token.len() + 7);
                value.push_str("Bearer ");
                value.push_str(&token);
                request.headers().set("Authorization", &value)?;
            }
        }
        Ok(request)
    }
}

#[wasm_bindgen]
impl AuthClient {
    /// Checks the options and restores a stored session. Throws an AuthError
    /// (`code: "invalid_option"`, the message names the field) for bad options.
    #[wasm_bindgen(unchecked_return_type = "AuthClient")]
    pub fn create(#[wasm_bindgen(unchecked_param_type = "AuthOptions")] options: JsValue) -> Result<AuthClient, JsValue> {
        Self::build(options).map_err(|e| to_js_error(&e))
    }

    fn build(options: JsValue) -> Result<AuthClient, AuthError> {
        if !options.is_object() || Array::is_array(&options) {
            return Err(AuthError::option("options", "must be an object such as { baseUrl: \"https://api.example.com\" }"));
        }
        let keys: Vec<String> = Object::keys(options.unchecked_ref::<Object>()).iter().filter_map(|k| k.as_string()).collect();
        options::check_keys(keys.iter().map(String::as_str))?;
        let mut raw: RawOptions = serde_wasm_bindgen::from_value(options.clone())
            .map_err(|_| AuthError::option("options", "could not be read"))?;
        if get(&options, "redirectTo").is_undefined() {
            raw.redirect_to = None;
        }
        let window = web_sys::window().ok_or_else(|| AuthError::option("options", "need a browser window"))?;
        let app_origin = window.location().origin().unwrap_or_default();
        let opts = raw.validate(&app_origin)?;
        let navigate = function_option(&options, "navigate")?;
        let hooks = JsHooks(hook_functions(&options)?);
        let api_origin = web_sys::Url::new(&opts.base.origin)
            .map(|u| u.origin())
            .map_err(|_| AuthError::option("baseUrl", "is not a URL this browser accepts"))?;

        let listeners = Rc::new(Listeners::default());
        let notify = listeners.clone();
        let on_change = Box::new(move |session: &Session| notify.changed(session));
        let tokens = BrowserStorage::open(opts.token_storage);
        let session_storage = BrowserStorage::open(TokenStorage::Session);
        let engine = Engine::new(
            opts,
            tokens,
            session_storage,
            BrowserHttp,
            BrowserNavigation { custom: navigate },
            BrowserClock,
            on_change,
        );
        Ok(AuthClient {
            inner: Rc::new(Inner { engine, hooks, listeners, api_origin, pending_logout: RefCell::new(None) }),
        })
    }

    /// Signs in with email and password; resolves to the new snapshot.
    #[wasm_bindgen(unchecked_return_type = "Promise<Snapshot>")]
    pub fn login(&self, #[wasm_bindgen(unchecked_param_type = "Credentials")] credentials: JsValue) -> Promise {
        let email = get(&credentials, "email").as_string();
        let password = get(&credentials, "password").as_string();
        let (email, password) = match (email, password) {
            (Some(e), Some(p)) => (e, p),
            (None, _) => return reject(&AuthError::InvalidArgument { field: "email", problem: "must be a string" }),
            (_, None) => return reject(&AuthError::InvalidArgument { field: "password", problem: "must be a string" }),
        };
        let inner = self.inner.clone();
        future_to_promise(async move {
            inner.engine.login(&email, &password).await.map(|()| inner.snapshot()).map_err(|e| to_js_error(&e))
        })
    }

    /// Signs out. Never rejects: see the result for what the server did.
    #[wasm_bindgen(unchecked_return_type = "Promise<LogoutResult>")]
    pub fn logout(&self) -> Promise {
        if let Some(p) = self.inner.pending_logout.borrow().as_ref() {
            return p.clone();
        }
        // The session ends now, before this call returns: no request the page
        // makes from here on carries the token.
        let ended = self.inner.engine.begin_sign_out(Reason::Logout);
        let inner = self.inner.clone();
        let promise = future_to_promise(async move {
            let report = inner.engine.finish_sign_out(true, &inner.hooks, ended).await;
            *inner.pending_logout.borrow_mut() = None;
            Ok(report_object(report))
        });
        *self.inner.pending_logout.borrow_mut() = Some(promise.clone());
        promise
    }

    /// `fetch`, adding `Authorization: Bearer <token>` while signed in and only
    /// for URLs on the API's origin.
    #[wasm_bindgen(unchecked_return_type = "Promise<Response>")]
    pub fn fetch(
        &self,
        #[wasm_bindgen(unchecked_param_type = "RequestInfo | URL")] input: JsValue,
        #[wasm_bindgen(unchecked_param_type = "RequestInit")] init: JsValue,
    ) -> Promise {
        match (self.inner.request(&input, &init), web_sys::window()) {
            (Ok(request), Some(w)) => w.fetch_with_request(&request),
            (Err(e), _) => Promise::reject(&e),
            (_, None) => reject(&AuthError::Network),
        }
    }

    /// `GET` the signed-in user.
    #[wasm_bindgen(unchecked_return_type = "Promise<User>")]
    pub fn me(&self) -> Promise {
        if self.inner.engine.access_token().is_none() {
            return reject(&AuthError::NotSignedIn);
        }
        let inner = self.inner.clone();
        future_to_promise(async move {
            let opts = &inner.engine.opts;
            let url = JsValue::from_str(&opts.url(&opts.paths.me));
            let (outcome, timed_out) = browser::with_timeout(
                opts.timeout_ms,
                |signal| {
                    let init = RequestInit::new();
                    init.set_signal(Some(signal));
                    let request = inner.request(&url, init.as_ref())?;
                    web_sys::window().map(|w| w.fetch_with_request(&request)).ok_or(JsValue::UNDEFINED)
                },
                async |value| {
                    let response: Response = value.dyn_into()?;
                    let status = response.status();
                    let body = match response.text() {
                        Ok(p) => JsFuture::from(p).await?.as_string().unwrap_or_default(),
                        Err(e) => return Err(e),
                    };
                    Ok((status, body))
                },
            )
            .await;
            let (status, body) = match outcome {
                Ok(v) => v,
                Err(_) if timed_out => return Err(to_js_error(&AuthError::Timeout)),
                Err(_) => return Err(to_js_error(&AuthError::Network)),
            };
            let response = crate::effects::HttpResponse { status, body };
            if !(200..300).contains(&status) {
                return Err(to_js_error(&crate::engine::http_error(&response)));
            }
            js_sys::JSON::parse(&response.body).map_err(|_| to_js_error(&AuthError::InvalidResponse { status }))
        })
    }

    /// The token requests carry now, or null.
    #[wasm_bindgen(js_name = getAccessToken)]
    pub fn get_access_token(&self) -> Option<String> {
        self.inner.engine.access_token()
    }

    /// The current session; the same object until the session changes.
    #[wasm_bindgen(js_name = getSnapshot, unchecked_return_type = "Snapshot")]
    pub fn get_snapshot(&self) -> JsValue {
        self.inner.snapshot()
    }

    /// Registers a listener; returns its id for `removeListener`. Most apps
    /// use `subscribe`, which returns the function that removes it.
    #[wasm_bindgen(js_name = addListener)]
    pub fn add_listener(&self, #[wasm_bindgen(unchecked_param_type = "(snapshot: Snapshot) => void")] listener: Function) -> u32 {
        let l = &self.inner.listeners;
        let id = l.next_id.get().wrapping_add(1);
        l.next_id.set(id);
        l.entries.borrow_mut().push((id, listener));
        id
    }

    #[wasm_bindgen(js_name = removeListener)]
    pub fn remove_listener(&self, id: u32) {
        self.inner.listeners.entries.borrow_mut().retain(|(i, _)| *i != id);
    }
}
