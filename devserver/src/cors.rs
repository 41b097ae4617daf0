//! CORS for the API listener, with tower-http's [`CorsLayer`]: only the
//! configured origins (`--allow-origin`, where `http://host:*` means any
//! port) get CORS headers, always with credentials allowed.

use std::convert::Infallible;
use std::sync::Arc;

use axum::body::Body;
use axum::http::{header, HeaderMap, HeaderValue, Request, Response, StatusCode};
use tower::{service_fn, ServiceBuilder, ServiceExt};
use tower_http::cors::{AllowCredentials, AllowOrigin, CorsLayer, Vary};
use tower_http::set_header::{SetResponseHeader, SetResponseHeaderLayer};
use tower_http::set_status::SetStatusLayer;

/// One `--allow-origin` entry.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Rule {
    /// The origin must be exactly this.
    Exact(String),
    /// `scheme://host:*`: this `scheme://host` with any port (or none).
    AnyPort(String),
}

/// The origins allowed to call the API from a browser, and the CORS layer
/// that answers them.
#[derive(Debug, Clone)]
pub struct Cors {
    rules: Arc<[Rule]>,
    layer: CorsLayer,
}

impl Cors {
    /// Builds the rules from `--allow-origin` values (already validated by
    /// [`validate_origin_pattern`]).
    pub fn new<S: AsRef<str>>(patterns: &[S]) -> Self {
        let rules: Arc<[Rule]> = patterns
            .iter()
            .map(|p| {
                let p = p.as_ref();
                match p.strip_suffix(":*") {
                    Some(base) => Rule::AnyPort(base.to_owned()),
                    None => Rule::Exact(p.to_owned()),
                }
            })
            .collect();
        let (for_origin, for_credentials) = (rules.clone(), rules.clone());
        // `Access-Control-Allow-Origin: <origin>` and
        // `Access-Control-Allow-Credentials: true` for an allowed origin,
        // neither for others; `Vary` is set by `with_cors` instead.
        let layer = CorsLayer::new()
            .allow_origin(AllowOrigin::predicate(move |origin, _| {
                allows_value(&for_origin, origin)
            }))
            .allow_credentials(AllowCredentials::predicate(move |origin, _| {
                allows_value(&for_credentials, origin)
            }))
            .vary(Vary::list([]));
        Self { rules, layer }
    }

    /// Whether a request's `Origin` value is allowed.
    pub fn allows(&self, origin: &str) -> bool {
        allows(&self.rules, origin)
    }

    /// Whether a request comes from an allowed origin.
    pub fn allows_request(&self, headers: &HeaderMap) -> bool {
        headers
            .get(header::ORIGIN)
            .and_then(|origin| origin.to_str().ok())
            .is_some_and(|origin| self.allows(origin))
    }

    /// `Vary: Origin` and the CORS layer around `inner`: the actual (not
    /// preflight) answers of the API, errors and injected faults included.
    pub fn with_cors<S>(
        &self,
        inner: S,
    ) -> SetResponseHeader<tower_http::cors::Cors<S>, HeaderValue> {
        ServiceBuilder::new()
            // tower-http's own `Vary` would say `origin`: the same to HTTP,
            // but the text the README (and `assert_cors_for`) give is `Origin`.
            .layer(SetResponseHeaderLayer::overriding(
                header::VARY,
                HeaderValue::from_static("Origin"),
            ))
            .layer(self.layer.clone())
            .service(inner)
    }

    /// The answer to any `OPTIONS` request: 204, with the preflight headers
    /// when the origin is allowed and no CORS header otherwise.
    pub async fn preflight<B>(&self, req: Request<B>) -> Response<Body> {
        // Hand-written on purpose: the test `preflight` (tests/http.rs)
        // wants exactly `GET, POST, OPTIONS` and `Content-Type,
        // Authorization` (CorsLayer's lists are `GET,POST,OPTIONS` and
        // `content-type,authorization`) and no `Access-Control-*` header at
        // all for an origin that is not allowed (CorsLayer sends
        // Allow-Methods, Allow-Headers and Max-Age to every preflight). So
        // these three are set here, for allowed origins only.
        let allowed = self.allows_request(req.headers());
        let only_if_allowed =
            |value: &'static str| allowed.then(|| HeaderValue::from_static(value));
        // The CORS layer answers every OPTIONS request itself: this is never called.
        let unused =
            service_fn(|_: Request<B>| async { Ok::<_, Infallible>(Response::new(Body::empty())) });
        let service = ServiceBuilder::new()
            .layer(SetStatusLayer::new(StatusCode::NO_CONTENT))
            .layer(SetResponseHeaderLayer::overriding(
                header::ACCESS_CONTROL_ALLOW_METHODS,
                only_if_allowed("GET, POST, OPTIONS"),
            ))
            .layer(SetResponseHeaderLayer::overriding(
                header::ACCESS_CONTROL_ALLOW_HEADERS,
                only_if_allowed("Content-Type, Authorization"),
            ))
            .layer(SetResponseHeaderLayer::overriding(
                header::ACCESS_CONTROL_MAX_AGE,
                only_if_allowed("600"),
            ))
            .service(self.with_cors(unused));
        match service.oneshot(req).await {
            Ok(res) => res,
            Err(never) => match never {},
        }
    }
}

fn allows_value(rules: &[Rule], origin: &HeaderValue) -> bool {
    origin.to_str().is_ok_and(|origin| allows(rules, origin))
}

fn allows(rules: &[Rule], origin: &str) -> bool {
    rules.iter().any(|rule| match rule {
        Rule::Exact(o) => o == origin,
        Rule::AnyPort(base) => origin.strip_prefix(base.as_str()).is_some_and(|rest| {
            rest.is_empty()
                || rest.strip_prefix(':').is_some_and(|port| {
                    (1..=5).contains(&port.len()) && port.bytes().all(|b| b.is_ascii_digit())
                })
        }),
    })
}

/// Checks one `--allow-origin` value: `http(s)://host[:port]` or
/// `http(s)://host:*`, without a path or trailing slash.
pub fn validate_origin_pattern(pattern: &str) -> Result<(), String> {
    let rest = pattern
        .strip_prefix("http://")
        .or_else(|| pattern.strip_prefix("https://"))
        .ok_or_else(|| format!("origin {pattern:?} must start with http:// or https://"))?;
    // `host` is a name, an IPv4 address or a bracketed IPv6 address; `after`
    // is "" or ":PORT" or ":*".
    let split_at = if rest.starts_with('[') {
        rest.find(']').map_or(0, |i| i + 1)
    } else {
        rest.find(':').unwrap_or(rest.len())
    };
    let (host, after) = rest.split_at(split_at);
    let host_ok = match host.strip_prefix('[').and_then(|h| h.strip_suffix(']')) {
        Some(v6) => {
            !v6.is_empty()
                && v6
                    .chars()
                    .all(|c| c.is_ascii_hexdigit() || c == ':' || c == '.')
        }
        None => !host.is_empty() && !host.contains(['/', '?', '#', '@', ' ', ':', '[', ']']),
    };
    let port_ok = match after {
        "" | ":*" => true,
        _ => after
            .strip_prefix(':')
            .is_some_and(|p| p.parse::<u16>().is_ok()),
    };
    if host_ok && port_ok {
        Ok(())
    } else {
        Err(format!(
            "origin {pattern:?} must look like http://host, http://host:PORT or http://host:*"
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn matching() {
        let cors = Cors::new(&["http://localhost:*", "https://app.example:8443"]);
        assert!(cors.allows("http://localhost:5173"));
        assert!(cors.allows("http://localhost"));
        assert!(!cors.allows("http://localhost:"));
        assert!(!cors.allows("http://localhost:5173x"));
        assert!(!cors.allows("http://localhost.evil:80"));
        assert!(!cors.allows("https://localhost:5173"));
        assert!(cors.allows("https://app.example:8443"));
        assert!(!cors.allows("https://app.example"));
        assert!(!cors.allows("null"));
    }

    #[test]
    fn pattern_validation() {
        for ok in [
            "http://localhost:*",
            "http://127.0.0.1:5173",
            "https://app.example",
            "http://[::1]:*",
            "http://[::1]",
        ] {
            assert!(validate_origin_pattern(ok).is_ok(), "{ok}");
        }
        for bad in [
            "localhost:5173",
            "http://",
            "http://localhost/",
            "http://localhost:abc",
            "http://localhost:99999",
            "*",
        ] {
            assert!(validate_origin_pattern(bad).is_err(), "{bad}");
        }
    }
}
