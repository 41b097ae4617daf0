//! The public backend's throttler on register, login and refresh: about 10 requests
//! per 60 milliseconds per client IP (its ttl is in milliseconds), answered
//! 429 with `Retry-After: 1`. Off unless `--throttle` (or the test switch)
//! turns it on.

use std::collections::{HashMap, VecDeque};
use std::net::IpAddr;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use axum::body::Body;
use axum::http::{header, HeaderValue, Response, StatusCode};
use serde_json::Value;

use crate::auth::lock;
use crate::json::nest_error;

/// The routes the throttler guards (`POST` only).
pub const GUARDED_PATHS: [&str; 3] = ["/auth/register", "/auth/login", "/auth/refresh"];

/// The public backend's limit: requests per window.
pub const LIMIT: usize = 10;
pub const WINDOW: Duration = Duration::from_millis(60);

/// How many requests a client may make per window (`None`: no throttling).
pub type Setting = Option<(usize, Duration)>;

pub struct Throttle {
    initial: Setting,
    setting: Mutex<Setting>,
    hits: Mutex<HashMap<IpAddr, VecDeque<Instant>>>,
}

impl Throttle {
    pub fn new(on: bool) -> Self {
        let initial = on.then_some((LIMIT, WINDOW));
        Self {
            initial,
            setting: Mutex::new(initial),
            hits: Mutex::new(HashMap::new()),
        }
    }

    /// Changes the limit (the test switch); forgets the requests counted.
    pub fn set(&self, setting: Setting) {
        *lock(&self.setting) = setting;
        lock(&self.hits).clear();
    }

    /// Back to the start-up setting, nothing counted.
    pub fn reset(&self) {
        self.set(self.initial);
    }

    /// Counts a request from `ip`; whether it goes over the limit (every
    /// request counts, the refused ones too, as with the NestJS throttler).
    pub fn over_limit(&self, ip: IpAddr) -> bool {
        let Some((limit, window)) = *lock(&self.setting) else {
            return false;
        };
        let now = Instant::now();
        let mut hits = lock(&self.hits);
        hits.retain(|_, times| times.back().is_some_and(|t| now.duration_since(*t) < window));
        let times = hits.entry(ip).or_default();
        while times.front().is_some_and(|t| now.duration_since(*t) >= window) {
            times.pop_front();
        }
        times.push_back(now);
        times.len() > limit
    }
}

/// The throttler's answer.
pub fn too_many_requests() -> Response<Body> {
    let mut res = nest_error(
        StatusCode::TOO_MANY_REQUESTS,
        Value::from("ThrottlerException: Too Many Requests"),
        None,
    );
    res.headers_mut().insert(header::RETRY_AFTER, HeaderValue::from_static("1"));
    res
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::net::Ipv4Addr;

    #[test]
    fn counts_per_client_within_the_window() {
        let t = Throttle::new(false);
        let a = IpAddr::V4(Ipv4Addr::LOCALHOST);
        let b = IpAddr::V4(Ipv4Addr::new(127, 0, 0, 2));
        assert!(!(0..100).any(|_| t.over_limit(a)), "off by default");
        assert_eq!(*lock(&Throttle::new(true).setting), Some((LIMIT, WINDOW)));
        t.set(Some((2, Duration::from_secs(60))));
        assert_eq!([t.over_limit(a), t.over_limit(a), t.over_limit(a)], [false, false, true]);
        assert!(!t.over_limit(b));
        t.set(Some((1, Duration::ZERO)));
        assert!(!(0..5).any(|_| t.over_limit(a)), "a window of zero forgets at once");
        t.reset();
        assert!(!t.over_limit(a));
    }

    #[test]
    fn the_answer_is_the_nest_throttler_s() {
        let res = too_many_requests();
        assert_eq!(res.status(), StatusCode::TOO_MANY_REQUESTS);
        assert_eq!(res.headers()[header::RETRY_AFTER], "1");
    }
}
