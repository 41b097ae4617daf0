//! `/__test/*`: fault injection and the request record, mounted only with
//! `--test-faults`.

use axum::body::{Body, Bytes};
use axum::extract::{RawQuery, State};
use axum::http::{Response, StatusCode};
use axum::routing::{get, post};
use axum::Router;
use serde_json::Value;

use crate::app::Shared;
use crate::faults::FaultSpec;
use crate::json::{self, nest_error};

pub fn routes() -> Router<Shared> {
    Router::new()
        .route("/__test/fault", post(add_fault))
        .route("/__test/release", post(release))
        .route("/__test/held", get(held))
        .route("/__test/requests", get(requests))
        .route("/__test/reset", post(reset))
        .route("/__test/throttle", post(throttle))
}

fn bad_request(message: String) -> Response<Body> {
    nest_error(
        StatusCode::BAD_REQUEST,
        Value::from(message),
        Some("Bad Request"),
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
    ok_json(json::object(&[("ok", Value::from(true))]))
}

/// `POST /__test/throttle {limit, windowMs}` sets the throttler on login and
/// refresh (`{"limit": null}`: off) until the next reset → the setting.
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
