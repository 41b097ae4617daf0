//! `/__test/*`: fault injection, the request record, the throttler switch
//! and the verification codes the server "mailed", mounted only with
//! `--test-faults`.

use axum::body::{Body, Bytes};
use axum::extract::{RawQuery, State};
use axum::http::{Response, StatusCode};
use axum::routing::{get, post};
use axum::Router;
use serde_json::Value;

use crate::faults::FaultSpec;
use crate::json::{self, nest_error};
use crate::state::Shared;

pub fn routes() -> Router<Shared> {
    Router::new()
        .route("/__test/fault", post(add_fault))
        .route("/__test/release", post(release))
        .route("/__test/held", get(held))
        .route("/__test/requests", get(requests))
        .route("/__test/reset", post(reset))
        .route("/__test/throttle", post(throttle))
        .route("/__test/code", get(code))
        .route("/__test/expire-code", post(expire_code))
}

fn bad_request(message: String) -> Response<Body> {
    nest_error(
        StatusCode::BAD_REQUEST,
        Value::from(message),
        Some("Bad Request"),
    )
}

fn not_found(message: String) -> Response<Body> {
    nest_error(
        StatusCode::NOT_FOUND,
        Value::from(message),
        Some("Not Found"),
    )
}

fn ok_json(body: String) -> Response<Body> {
    json::response(StatusCode::OK, body)
}

/// `POST /__test/fault {path, kind, status?, times?, ms?}` → the fault as queued.
async fn add_fault(State(state): State<Shared>, body: Bytes) -> Response<Body> {
    match FaultSpec::parse(&body) {
        Ok(spec) => {
            let echo = spec.to_json();
            state.faults.add(spec);
            ok_json(echo)
        }
        Err(message) => bad_request(message),
    }
}

/// `POST /__test/release {path}` (no body or no path: every path) → `{"released": n}`.
async fn release(State(state): State<Shared>, body: Bytes) -> Response<Body> {
    let path = if body.iter().all(u8::is_ascii_whitespace) {
        None
    } else {
        match serde_json::from_slice::<Value>(&body) {
            Ok(Value::Object(obj)) => match obj.get("path") {
                None | Some(Value::Null) => None,
                Some(Value::String(p)) => Some(p.clone()),
                Some(_) => return bad_request("path must be a string".into()),
            },
            _ => return bad_request("body must be a JSON object".into()),
        }
    };
    let released = state.faults.release(path.as_deref());
    ok_json(json::object(&[("released", Value::from(released))]))
}

/// `GET /__test/held` → `{ "/auth/refresh": 1 }`.
async fn held(State(state): State<Shared>) -> Response<Body> {
    ok_json(state.faults.held_json())
}

/// `GET /__test/requests[?since=n]` → the recorded requests with seq > n.
async fn requests(State(state): State<Shared>, RawQuery(query): RawQuery) -> Response<Body> {
    let mut since = 0;
    for pair in query
        .as_deref()
        .unwrap_or("")
        .split('&')
        .filter(|p| !p.is_empty())
    {
        match pair.split_once('=') {
            Some(("since", n)) => match n.parse() {
                Ok(n) => since = n,
                Err(_) => return bad_request("since must be a non-negative integer".into()),
            },
            _ => return bad_request(format!("unknown query parameter {pair:?}")),
        }
    }
    ok_json(state.faults.records_json(since))
}

/// `POST /__test/reset` → `{"ok": true}`.
async fn reset(State(state): State<Shared>) -> Response<Body> {
    state.faults.reset();
    state.auth.reset_throttle();
    state.throttle.reset();
    state.auth.reset_accounts();
    ok_json(json::object(&[("ok", Value::from(true))]))
}

/// `POST /__test/throttle {limit, windowMs}` sets the throttler on register,
/// login and refresh (`{"limit": null}`: off) until the next reset → the setting.
async fn throttle(State(state): State<Shared>, body: Bytes) -> Response<Body> {
    let obj = match serde_json::from_slice::<Value>(&body) {
        Ok(Value::Object(obj)) => obj,
        _ => return bad_request("body must be a JSON object such as {\"limit\": 10, \"windowMs\": 60}".into()),
    };
    if let Some(k) = obj.keys().find(|k| *k != "limit" && *k != "windowMs") {
        return bad_request(format!("unknown field {k:?}"));
    }
    let setting = match (obj.get("limit"), obj.get("windowMs")) {
        (None | Some(Value::Null), _) => None,
        (Some(limit), Some(window)) => match (limit.as_u64(), window.as_u64()) {
            (Some(limit), Some(ms)) => Some((limit as usize, std::time::Duration::from_millis(ms))),
            _ => return bad_request("limit and windowMs must be non-negative integers".into()),
        },
        (Some(_), None) => return bad_request("windowMs is required with limit".into()),
    };
    state.throttle.set(setting);
    ok_json(json::object(&[
        ("limit", setting.map_or(Value::Null, |(l, _)| Value::from(l))),
        ("windowMs", setting.map_or(Value::Null, |(_, w)| Value::from(w.as_millis() as u64))),
    ]))
}

/// `GET /__test/code?email=<email>` → `{"email", "code"}`: the code the last
/// "mail" to that account carried; 404 when it has none.
async fn code(State(state): State<Shared>, RawQuery(query): RawQuery) -> Response<Body> {
    let mut email = None;
    for pair in query
        .as_deref()
        .unwrap_or("")
        .split('&')
        .filter(|p| !p.is_empty())
    {
        match pair.split_once('=').map(|(k, v)| (k, form_decode(v))) {
            Some(("email", Some(v))) => email = Some(v),
            Some(("email", None)) => {
                return bad_request("email is not a valid URL-encoded value".into())
            }
            _ => return bad_request(format!("unknown query parameter {pair:?}")),
        }
    }
    let Some(email) = email.filter(|e| !e.is_empty()) else {
        return bad_request(
            "the email query parameter is required, e.g. ?email=demo%40sociapp.dev".into(),
        );
    };
    match state.auth.verification_code(&email) {
        Some(code) => ok_json(json::object(&[
            ("email", Value::from(email)),
            ("code", Value::from(code.code)),
        ])),
        None => not_found(format!("No verification code for {email}")),
    }
}

/// `POST /__test/expire-code {"email"}` makes that account's code expired
/// now → `{"ok": true}`; 404 when it has none.
async fn expire_code(State(state): State<Shared>, body: Bytes) -> Response<Body> {
    let obj = match serde_json::from_slice::<Value>(&body) {
        Ok(Value::Object(obj)) => obj,
        _ => {
            return bad_request(
                "body must be a JSON object such as {\"email\": \"demo@sociapp.dev\"}".into(),
            )
        }
    };
    if let Some(k) = obj.keys().find(|k| *k != "email") {
        return bad_request(format!("unknown field {k:?}"));
    }
    let Some(email) = obj.get("email").and_then(Value::as_str) else {
        return bad_request("email must be a string".into());
    };
    if state.auth.expire_code(email) {
        ok_json(json::object(&[("ok", Value::from(true))]))
    } else {
        not_found(format!("No verification code for {email}"))
    }
}

/// Decodes `application/x-www-form-urlencoded` text (`+` is a space);
/// `None` for bad escapes or non-UTF-8 results.
fn form_decode(s: &str) -> Option<String> {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'%' => {
                let hex = s.get(i + 1..i + 3)?;
                out.push(u8::from_str_radix(hex, 16).ok()?);
                i += 3;
            }
            b'+' => {
                out.push(b' ');
                i += 1;
            }
            b => {
                out.push(b);
                i += 1;
            }
        }
    }
    String::from_utf8(out).ok()
}
