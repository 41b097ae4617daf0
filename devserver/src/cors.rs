//! CORS for the API listener: only the configured origins are answered with
//! CORS headers, always with credentials allowed.

use axum::body::Body;
use axum::http::{header, HeaderMap, HeaderValue, Response, StatusCode};

/// One `--allow-origin` entry.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Rule {
    /// The origin must be exactly this.
    Exact(String),
    /// `scheme://host:*`: this `scheme://host` with any port (or none).
    AnyPort(String),
}

/// The set of origins allowed to call the API from a browser.
#[derive(Debug, Clone, Default)]
pub struct Cors {
    rules: Vec<Rule>,
}

impl Cors {
    /// Builds the rules from `--allow-origin` values (already validated by
    /// [`validate_origin_pattern`]).
    pub fn new<S: AsRef<str>>(patterns: &[S]) -> Self {
        let rules = patterns
            .iter()
            .map(|p| {
                let p = p.as_ref();
                match p.strip_suffix(":*") {
                    Some(base) => Rule::AnyPort(base.to_owned()),
                    None => Rule::Exact(p.to_owned()),
                }
            })
            .collect();
        Self { rules }
    }

    /// Whether a request's `Origin` value is allowed.
    pub fn allows(&self, origin: &str) -> bool {
        self.rules.iter().any(|rule| match rule {
            Rule::Exact(o) => o == origin,
            Rule::AnyPort(base) => origin.strip_prefix(base.as_str()).is_some_and(|rest| {
                rest.is_empty()
                    || rest.strip_prefix(':').is_some_and(|port| {
                        (1..=5).contains(&port.len()) && port.bytes().all(|b| b.is_ascii_digit())
                    })
            }),
        })
    }

    /// The request's origin, if it is an allowed one.
    pub fn allowed_origin(&self, headers: &HeaderMap) -> Option<HeaderValue> {
        let origin = headers.get(header::ORIGIN)?;
        self.allows(origin.to_str().ok()?).then(|| origin.clone())
    }
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

/// Adds the CORS headers of an actual (non-preflight) response.
pub fn apply(headers: &mut HeaderMap, origin: Option<&HeaderValue>) {
    headers.insert(header::VARY, HeaderValue::from_static("Origin"));
    if let Some(origin) = origin {
        headers.insert(header::ACCESS_CONTROL_ALLOW_ORIGIN, origin.clone());
        headers.insert(
            header::ACCESS_CONTROL_ALLOW_CREDENTIALS,
            HeaderValue::from_static("true"),
        );
    }
}

/// Removes every header [`apply`] may have added.
pub fn strip(headers: &mut HeaderMap) {
    headers.remove(header::VARY);
    headers.remove(header::ACCESS_CONTROL_ALLOW_ORIGIN);
    headers.remove(header::ACCESS_CONTROL_ALLOW_CREDENTIALS);
}

/// The answer to any `OPTIONS` request: 204, with the preflight headers when
/// the origin is allowed and none otherwise.
pub fn preflight(origin: Option<&HeaderValue>) -> Response<Body> {
    let mut res = Response::new(Body::empty());
    *res.status_mut() = StatusCode::NO_CONTENT;
    let headers = res.headers_mut();
    apply(headers, origin);
    if origin.is_some() {
        headers.insert(
            header::ACCESS_CONTROL_ALLOW_METHODS,
            HeaderValue::from_static("GET, POST, OPTIONS"),
        );
        headers.insert(
            header::ACCESS_CONTROL_ALLOW_HEADERS,
            HeaderValue::from_static("Content-Type, Authorization"),
        );
        headers.insert(
            header::ACCESS_CONTROL_MAX_AGE,
            HeaderValue::from_static("600"),
        );
    }
    res
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
