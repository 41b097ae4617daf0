//! Conversions between JavaScript values and the SDK's types: options and
//! parsed JSON in, errors, snapshots and logout results out.

use js_sys::{Array, Object, Promise};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;

use crate::engine::LogoutReport;
use crate::error::AuthError;
use crate::json::Json;
use crate::session::Session;
use crate::wire::error_as;

/// Converts an [`AuthError`] to a JavaScript `Error` named `AuthError`.
pub fn to_js_error(e: &AuthError) -> JsValue {
    js_error(e, error_as::VALUE)
}

/// The AuthError as [`crate::browser::error`] hands it over (`how`: one of
/// [`error_as`]).
pub fn js_error(e: &AuthError, how: u32) -> JsValue {
    crate::browser::error(&e.message(), e.code(), e.status(), how)
}

/// `target[key]`; undefined where that throws or `target` has no properties.
pub use crate::browser::get;

pub fn reject(e: &AuthError) -> Promise {
    js_error(e, error_as::REJECTED).unchecked_into()
}

/// Nesting and size bounds for reading a value as data: deeper or larger
/// parts read as [`Json::Opaque`] (so a cyclic or huge object cannot hang).
const MAX_DEPTH: u32 = 16;
const MAX_ITEMS: u32 = 1024;

/// Reads a JavaScript value as data: strings, numbers, booleans, null,
/// arrays and plain objects (own enumerable keys). Anything else (a
/// function, symbol, BigInt, or `undefined` inside a container) is
/// [`Json::Opaque`], so that validation can name the field.
pub fn to_json(v: &JsValue) -> Json {
    to_json_at(v, 0)
}

fn to_json_at(v: &JsValue, depth: u32) -> Json {
    if v.is_null() {
        return Json::Null;
    }
    if let Some(s) = v.as_string() {
        return Json::Str(s);
    }
    if let Some(n) = v.as_f64() {
        return Json::Num(n);
    }
    if let Some(b) = v.as_bool() {
        return Json::Bool(b);
    }
    if depth >= MAX_DEPTH || !v.is_object() {
        return Json::Opaque;
    }
    // Plain loops: smaller than collecting iterators.
    if Array::is_array(v) {
        let items = v.unchecked_ref::<Array>();
        let n = items.length();
        if n > MAX_ITEMS {
            return Json::Opaque;
        }
        let mut out = Vec::new();
        for i in 0..n {
            out.push(to_json_at(&items.get(i), depth + 1));
        }
        return Json::Arr(out);
    }
    let keys: Array = Object::keys(v.unchecked_ref::<Object>()).unchecked_into();
    let n = keys.length();
    if n > MAX_ITEMS {
        return Json::Opaque;
    }
    let mut out = Vec::new();
    for i in 0..n {
        if let Some(k) = keys.get(i).as_string() {
            // A getter that throws reads as undefined: not data.
            let value = to_json_at(&get(v, &k), depth + 1);
            out.push((k, value));
        }
    }
    Json::Obj(out)
}

/// The option `name` of `options` as data; `None` when it is absent
/// (`undefined`).
pub fn option(options: &JsValue, name: &str) -> Option<Json> {
    let v = get(options, name);
    if v.is_undefined() {
        None
    } else {
        Some(to_json(&v))
    }
}

pub fn snapshot_object(session: &Session) -> JsValue {
    let claims = session.claims();
    // The user's id; undefined: no user.
    let id = match claims.map(|c| c.sub.as_ref()) {
        None => JsValue::UNDEFINED,
        Some(Some(Json::Num(n))) => JsValue::from_f64(*n),
        Some(Some(Json::Str(s))) => JsValue::from_str(s),
        Some(_) => JsValue::NULL,
    };
    let renewal = session.renewal();
    crate::browser::snapshot(
        matches!(session, Session::SignedIn { .. }),
        &id,
        claims.and_then(|c| c.email.as_deref()),
        session.reason().map(|r| r.as_str()),
        session.expires_at_ms(),
        renewal.map(|r| r.code),
        renewal.map_or(0, |r| r.attempts),
        renewal.map_or(0.0, |r| r.retry_at),
    )
}

pub fn report_object(report: LogoutReport<JsValue>) -> JsValue {
    let obj = crate::browser::report(report.server.map(|s| s.as_str()), report.status);
    for failure in report.errors {
        let threw = failure.thrown.is_some();
        crate::browser::failed(&obj, failure.step, failure.index, threw, &failure.thrown.unwrap_or_default());
    }
    obj
}
