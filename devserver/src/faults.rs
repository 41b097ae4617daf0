//! Test-only fault injection (`--test-faults`): queued faults per path, held
//! requests, and the record of requests seen.

use std::collections::{HashMap, VecDeque};
use std::future::Future;
use std::pin::Pin;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Mutex;
use std::task::{Context, Poll};
use std::time::Duration;

use axum::body::{Body, Bytes};
use axum::http::{header, HeaderValue, Response, StatusCode};
use http_body::{Frame, SizeHint};
use serde_json::{Map, Value};
use tokio::sync::oneshot;

use crate::auth::lock;
use crate::json;

/// Held requests go on by themselves after this long.
pub const HOLD_LIMIT: Duration = Duration::from_secs(60);
const DEFAULT_HANG_MS: u64 = 30_000;
/// The request record keeps at most this many entries (the oldest go first).
const RECORD_LIMIT: usize = 10_000;

/// What happens to a request that meets a fault.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// Answer `status` with a NestJS error body.
    Status,
    /// Wait `ms`, then answer normally (unless the client went away).
    Hang,
    /// Wait for `POST /__test/release` (or [`HOLD_LIMIT`]), then answer normally.
    Hold,
    /// Close the connection without an answer.
    Drop,
    /// 200 with a Content-Length larger than the part of the body that is sent.
    Truncate,
    /// 200 with a JSON content type and a body that is not JSON.
    Malformed,
    /// The normal answer without CORS headers.
    NoCors,
}

impl Kind {
    fn parse(name: &str) -> Option<Self> {
        Some(match name {
            "status" => Self::Status,
            "hang" => Self::Hang,
            "hold" => Self::Hold,
            "drop" => Self::Drop,
            "truncate" => Self::Truncate,
            "malformed" => Self::Malformed,
            "nocors" => Self::NoCors,
            _ => return None,
        })
    }

    fn name(self) -> &'static str {
        match self {
            Self::Status => "status",
            Self::Hang => "hang",
            Self::Hold => "hold",
            Self::Drop => "drop",
            Self::Truncate => "truncate",
            Self::Malformed => "malformed",
            Self::NoCors => "nocors",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Fault {
    pub kind: Kind,
    pub status: StatusCode,
    pub ms: u64,
}

/// A fault request: `{ "path", "kind", "status"?, "times"?, "ms"? }`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FaultSpec {
    pub path: String,
    pub fault: Fault,
    pub times: u32,
}

impl FaultSpec {
    /// Parses and checks the JSON body of `POST /__test/fault`.
    pub fn parse(body: &[u8]) -> Result<Self, String> {
        let value: Value =
            serde_json::from_slice(body).map_err(|e| format!("body is not JSON: {e}"))?;
        let Value::Object(obj) = value else {
            return Err("body must be a JSON object".into());
        };
        if let Some(key) = obj
            .keys()
            .find(|k| !matches!(k.as_str(), "path" | "kind" | "status" | "times" | "ms"))
        {
            return Err(format!("unknown property {key:?}"));
        }
        let path = match obj.get("path") {
            Some(Value::String(p)) if p.starts_with('/') && !p.contains('?') => p.clone(),
            _ => return Err("path must be a string like \"/auth/logout\" (no query)".into()),
        };
        if path.starts_with("/__test") {
            return Err("faults cannot target /__test endpoints".into());
        }
        let kind = obj
            .get("kind")
            .and_then(Value::as_str)
            .and_then(Kind::parse)
            .ok_or("kind must be one of status, hang, hold, drop, truncate, malformed, nocors")?;
        let status = match number(&obj, "status")? {
            None => StatusCode::INTERNAL_SERVER_ERROR,
            Some(n) => u16::try_from(n)
                .ok()
                .filter(|n| (200..=599).contains(n))
                .and_then(|n| StatusCode::from_u16(n).ok())
                .ok_or("status must be between 200 and 599")?,
        };
        let times = match number(&obj, "times")? {
            None => 1,
            Some(n) => u32::try_from(n)
                .ok()
                .filter(|n| *n >= 1)
                .ok_or("times must be a positive integer")?,
        };
        let ms = number(&obj, "ms")?.unwrap_or(DEFAULT_HANG_MS);
        Ok(Self {
            path,
            fault: Fault { kind, status, ms },
            times,
        })
    }

    pub fn to_json(&self) -> String {
        json::object(&[
            ("path", Value::from(self.path.as_str())),
            ("kind", Value::from(self.fault.kind.name())),
            ("status", Value::from(self.fault.status.as_u16())),
            ("times", Value::from(self.times)),
            ("ms", Value::from(self.fault.ms)),
        ])
    }
}

fn number(obj: &Map<String, Value>, key: &str) -> Result<Option<u64>, String> {
    match obj.get(key) {
        None | Some(Value::Null) => Ok(None),
        Some(v) => v
            .as_u64()
            .map(Some)
            .ok_or_else(|| format!("{key} must be a non-negative integer")),
    }
}

/// One recorded request.
#[derive(Debug, Clone)]
pub struct Seen {
    pub method: String,
    /// Path with query.
    pub path: String,
    pub authorization: Option<String>,
    pub origin: Option<String>,
    /// Whether a non-empty `refresh_token` cookie came with it.
    pub cookie: bool,
}

#[derive(Default)]
struct Record {
    /// The last sequence number handed out; it keeps counting across resets.
    last_seq: u64,
    entries: VecDeque<(u64, Seen)>,
}

#[derive(Default)]
struct Held {
    next_id: u64,
    waiting: HashMap<String, Vec<(u64, oneshot::Sender<()>)>>,
}

/// All test-fault state of one server.
#[derive(Default)]
pub struct Faults {
    pending: Mutex<HashMap<String, VecDeque<(Fault, u32)>>>,
    held: Mutex<Held>,
    record: Mutex<Record>,
    hanging: AtomicUsize,
}

impl Faults {
    /// Queues `spec` behind the faults already queued for its path.
    pub fn add(&self, spec: FaultSpec) {
        lock(&self.pending)
            .entry(spec.path)
            .or_default()
            .push_back((spec.fault, spec.times));
    }

    /// Takes the next fault for a request to `path`, if any.
    pub fn take(&self, path: &str) -> Option<Fault> {
        let mut pending = lock(&self.pending);
        let queue = pending.get_mut(path)?;
        let (fault, times) = queue.front_mut()?;
        let fault = *fault;
        *times -= 1;
        if *times == 0 {
            queue.pop_front();
            if queue.is_empty() {
                pending.remove(path);
            }
        }
        Some(fault)
    }

    /// Waits until the request is released (or [`HOLD_LIMIT`] passes). While
    /// waiting it counts in [`Faults::held_json`]; dropping the future (the
    /// client went away) takes it out.
    pub async fn hold(&self, path: &str) {
        let (tx, rx) = oneshot::channel();
        let id = {
            let mut held = lock(&self.held);
            held.next_id += 1;
            let id = held.next_id;
            held.waiting
                .entry(path.to_owned())
                .or_default()
                .push((id, tx));
            id
        };
        let _guard = HoldGuard {
            faults: self,
            path,
            id,
        };
        // Released, or the sender went away in a reset: go on either way.
        let _ = tokio::time::timeout(HOLD_LIMIT, rx).await;
    }

    /// Releases the requests held on `path` (all paths if `None`); returns how many.
    pub fn release(&self, path: Option<&str>) -> usize {
        let released: Vec<_> = {
            let mut held = lock(&self.held);
            match path {
                Some(path) => held.waiting.remove(path).unwrap_or_default(),
                None => held.waiting.drain().flat_map(|(_, v)| v).collect(),
            }
        };
        let count = released.len();
        for (_, tx) in released {
            let _ = tx.send(());
        }
        count
    }

    /// `{ "/auth/refresh": 1 }`: requests currently held, per path.
    pub fn held_json(&self) -> String {
        let held = lock(&self.held);
        let mut paths: Vec<_> = held
            .waiting
            .iter()
            .filter(|(_, v)| !v.is_empty())
            .map(|(p, v)| (p.as_str(), Value::from(v.len())))
            .collect();
        paths.sort_by(|a, b| a.0.cmp(b.0));
        json::object(&paths)
    }

    /// Waits `ms` milliseconds, counting in [`Faults::hanging`] meanwhile.
    pub async fn hang(&self, ms: u64) {
        self.hanging.fetch_add(1, Ordering::SeqCst);
        let _guard = HangGuard(&self.hanging);
        tokio::time::sleep(Duration::from_millis(ms)).await;
    }

    /// Requests currently inside a `hang` fault.
    pub fn hanging(&self) -> usize {
        self.hanging.load(Ordering::SeqCst)
    }

    pub fn record(&self, seen: Seen) {
        let mut record = lock(&self.record);
        record.last_seq += 1;
        let seq = record.last_seq;
        if record.entries.len() >= RECORD_LIMIT {
            record.entries.pop_front();
        }
        record.entries.push_back((seq, seen));
    }

    /// The recorded requests with a sequence number above `since`, as a JSON array.
    pub fn records_json(&self, since: u64) -> String {
        let record = lock(&self.record);
        let items: Vec<String> = record
            .entries
            .iter()
            .filter(|(seq, _)| *seq > since)
            .map(|(seq, s)| {
                json::object(&[
                    ("seq", Value::from(*seq)),
                    ("method", Value::from(s.method.as_str())),
                    ("path", Value::from(s.path.as_str())),
                    (
                        "authorization",
                        s.authorization.as_deref().map_or(Value::Null, Value::from),
                    ),
                    (
                        "origin",
                        s.origin.as_deref().map_or(Value::Null, Value::from),
                    ),
                    ("cookie", Value::from(s.cookie)),
                ])
            })
            .collect();
        format!("[{}]", items.join(","))
    }

    /// Forgets the record and the queued faults and releases held requests.
    pub fn reset(&self) {
        lock(&self.record).entries.clear();
        lock(&self.pending).clear();
        self.release(None);
    }
}

struct HoldGuard<'a> {
    faults: &'a Faults,
    path: &'a str,
    id: u64,
}

impl Drop for HoldGuard<'_> {
    fn drop(&mut self) {
        let mut held = lock(&self.faults.held);
        if let Some(list) = held.waiting.get_mut(self.path) {
            list.retain(|(id, _)| *id != self.id);
            if list.is_empty() {
                held.waiting.remove(self.path);
            }
        }
    }
}

struct HangGuard<'a>(&'a AtomicUsize);

impl Drop for HangGuard<'_> {
    fn drop(&mut self) {
        self.0.fetch_sub(1, Ordering::SeqCst);
    }
}

/// The answer of a `status` fault.
pub fn status_response(status: StatusCode) -> Response<Body> {
    let message = if status == StatusCode::INTERNAL_SERVER_ERROR {
        "Internal server error"
    } else {
        status.canonical_reason().unwrap_or("Error")
    };
    json::nest_error(status, Value::from(message), None)
}

/// The body a `malformed` fault sends.
pub const MALFORMED_BODY: &str = "{\"access_token\": ";

pub fn malformed_response() -> Response<Body> {
    json::response(StatusCode::OK, MALFORMED_BODY.to_owned())
}

/// The part of the body a `truncate` fault sends, and the length it announces.
pub const TRUNCATED_PART: &str = "{\"access_token\":\"eyJhbGciOiJIUzI1NiIs";
pub const TRUNCATED_LENGTH: usize = 256;

/// 200 announcing [`TRUNCATED_LENGTH`] bytes, of which only
/// [`TRUNCATED_PART`] is sent before the connection is closed.
pub fn truncated_response() -> Response<Body> {
    let mut res = json::response(StatusCode::OK, String::new());
    *res.body_mut() = Body::new(TruncatedBody::Part);
    res.headers_mut()
        .insert(header::CONTENT_LENGTH, HeaderValue::from(TRUNCATED_LENGTH));
    res
}

/// Yields the partial body, gives the connection time to flush it, then
/// fails, which makes the server close the connection mid-body.
enum TruncatedBody {
    Part,
    Flushing(Pin<Box<tokio::time::Sleep>>),
    Failed,
}

#[derive(Debug)]
struct Truncated;

impl std::fmt::Display for Truncated {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("response truncated on purpose")
    }
}

impl std::error::Error for Truncated {}

impl http_body::Body for TruncatedBody {
    type Data = Bytes;
    type Error = Truncated;

    fn poll_frame(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, Truncated>>> {
        loop {
            match &mut *self {
                Self::Part => {
                    *self = Self::Flushing(Box::pin(tokio::time::sleep(Duration::from_millis(50))));
                    return Poll::Ready(Some(Ok(Frame::data(Bytes::from_static(
                        TRUNCATED_PART.as_bytes(),
                    )))));
                }
                Self::Flushing(sleep) => {
                    if sleep.as_mut().poll(cx).is_pending() {
                        return Poll::Pending;
                    }
                    *self = Self::Failed;
                }
                Self::Failed => return Poll::Ready(Some(Err(Truncated))),
            }
        }
    }

    fn size_hint(&self) -> SizeHint {
        SizeHint::default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn spec(json: &str) -> Result<FaultSpec, String> {
        FaultSpec::parse(json.as_bytes())
    }

    #[test]
    fn parse_defaults_and_errors() {
        let s = spec(r#"{"path":"/auth/logout","kind":"status"}"#).unwrap();
        assert_eq!(s.fault.status, StatusCode::INTERNAL_SERVER_ERROR);
        assert_eq!((s.times, s.fault.ms), (1, 30_000));
        let s = spec(r#"{"path":"/auth/me","kind":"hang","ms":5,"times":3,"status":503}"#).unwrap();
        assert_eq!(
            (s.fault.kind, s.times, s.fault.ms, s.fault.status.as_u16()),
            (Kind::Hang, 3, 5, 503)
        );
        for bad in [
            "nope",
            "[]",
            r#"{"path":"/a","kind":"explode"}"#,
            r#"{"path":"a","kind":"drop"}"#,
            r#"{"path":"/a?x=1","kind":"drop"}"#,
            r#"{"path":"/__test/reset","kind":"drop"}"#,
            r#"{"path":"/a","kind":"status","status":99}"#,
            r#"{"path":"/a","kind":"status","status":"500"}"#,
            r#"{"path":"/a","kind":"drop","times":0}"#,
            r#"{"path":"/a","kind":"drop","extra":1}"#,
        ] {
            assert!(spec(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn faults_are_taken_in_order() {
        let faults = Faults::default();
        faults.add(spec(r#"{"path":"/a","kind":"drop","times":2}"#).unwrap());
        faults.add(spec(r#"{"path":"/a","kind":"nocors"}"#).unwrap());
        let kinds: Vec<_> = std::iter::from_fn(|| faults.take("/a").map(|f| f.kind)).collect();
        assert_eq!(kinds, [Kind::Drop, Kind::Drop, Kind::NoCors]);
        assert!(faults.take("/b").is_none());
    }
}
