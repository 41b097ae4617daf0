//! Users, tokens, refresh-token rotation and the login throttle.

use std::collections::{HashMap, VecDeque};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Mutex, MutexGuard, PoisonError};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use serde_json::{Map, Value};

use crate::accounts::{Account, Accounts, Code, Registration, Resend, User, Verification};
use crate::json;
use crate::jwt::Hs256;

/// Access tokens live 15 minutes.
pub const ACCESS_TTL_SECS: u64 = 900;
/// Refresh tokens (and their cookie) live 7 days.
pub const REFRESH_TTL_SECS: u64 = 604_800;
/// More than this many failed logins for one email within [`THROTTLE_WINDOW`]
/// are answered 429.
pub const MAX_FAILED_LOGINS: usize = 10;
pub const THROTTLE_WINDOW: Duration = Duration::from_secs(60);

pub const REFRESH_COOKIE: &str = "refresh_token";
const COOKIE_ATTRIBUTES: &str = "Path=/auth/refresh; HttpOnly; SameSite=Strict";

/// The public backend's answer to an unverified user's login (401).
pub const UNVERIFIED_MESSAGE: &str = "Por favor, verifique su correo electrónico antes de iniciar sesión.";

/// What a token names: its `sub` and `email`.
pub trait Identity {
    fn id(&self) -> u64;
    fn email(&self) -> &str;
}

impl Identity for User {
    fn id(&self) -> u64 {
        self.id
    }
    fn email(&self) -> &str {
        self.email
    }
}

impl Identity for Account {
    fn id(&self) -> u64 {
        self.id
    }
    fn email(&self) -> &str {
        &self.email
    }
}

/// Seconds since the Unix epoch.
pub fn now_secs() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs())
}

/// Locks a mutex, ignoring poisoning (the protected data stays consistent
/// because no critical section can panic half-way through an update).
pub fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(PoisonError::into_inner)
}

/// A freshly issued token pair.
pub struct Issued {
    pub access_token: String,
    /// The full `Set-Cookie` value carrying the refresh token.
    pub set_cookie: String,
}

/// Token issuing and checking, with the state the server keeps: the
/// accounts, the refresh tokens that may still be used, and recent failed
/// logins.
pub struct Auth {
    jwt: Hs256,
    secure_cookies: bool,
    jti_prefix: String,
    jti_counter: AtomicU64,
    /// Refresh token ids that are still current, with their expiry.
    refresh_ids: Mutex<HashMap<String, u64>>,
    /// Failed login times per lower-cased email.
    failures: Mutex<HashMap<String, VecDeque<Instant>>>,
    accounts: Mutex<Accounts>,
}

impl Auth {
    /// `jti_prefix` makes refresh token ids unique across server starts.
    pub fn new(secret: &[u8], jti_prefix: String, secure_cookies: bool) -> Self {
        Self {
            jwt: Hs256::new(secret),
            secure_cookies,
            jti_prefix,
            jti_counter: AtomicU64::new(0),
            refresh_ids: Mutex::new(HashMap::new()),
            failures: Mutex::new(HashMap::new()),
            accounts: Mutex::new(Accounts::seeded(crate::accounts::now_ms())),
        }
    }

    /// Issues an access token and a new current refresh token for `user`.
    pub fn issue(&self, user: &impl Identity) -> Issued {
        let iat = now_secs();
        let access_token = self.jwt.sign(&json::object(&[
            ("sub", Value::from(user.id())),
            ("email", Value::from(user.email())),
            ("iat", Value::from(iat)),
            ("exp", Value::from(iat + ACCESS_TTL_SECS)),
        ]));
        let jti = format!(
            "{}-{}",
            self.jti_prefix,
            self.jti_counter.fetch_add(1, Ordering::Relaxed)
        );
        let exp = iat + REFRESH_TTL_SECS;
        let refresh_token = self.jwt.sign(&json::object(&[
            ("sub", Value::from(user.id())),
            ("email", Value::from(user.email())),
            ("jti", Value::from(jti.as_str())),
            ("iat", Value::from(iat)),
            ("exp", Value::from(exp)),
        ]));
        {
            let mut ids = lock(&self.refresh_ids);
            ids.retain(|_, e| *e > iat);
            ids.insert(jti, exp);
        }
        Issued {
            access_token,
            set_cookie: format!(
                "{REFRESH_COOKIE}={refresh_token}; {COOKIE_ATTRIBUTES}; Max-Age={REFRESH_TTL_SECS}{}",
                self.secure_suffix()
            ),
        }
    }

    /// The `Set-Cookie` value that makes the browser drop the refresh cookie,
    /// as the public backend sends it: the path and a past expiry date, no
    /// `HttpOnly`, `SameSite` or `Max-Age`.
    pub fn clearing_cookie(&self) -> String {
        format!(
            "{REFRESH_COOKIE}=; Path=/auth/refresh; Expires=Thu, 01 Jan 1970 00:00:00 GMT{}",
            self.secure_suffix()
        )
    }

    fn secure_suffix(&self) -> &'static str {
        if self.secure_cookies {
            "; Secure"
        } else {
            ""
        }
    }

    /// Consumes a refresh token: if it is valid and current, it stops being
    /// current and its user is returned (the caller issues the next pair).
    pub fn use_refresh_token(&self, token: &str) -> Option<Account> {
        let claims = self.jwt.verify(token, now_secs()).ok()?;
        let jti = claims.get("jti")?.as_str()?;
        lock(&self.refresh_ids).remove(jti)?;
        self.find_by_claims(&claims)
    }

    /// The user an access token belongs to. Refresh tokens (which carry a
    /// `jti`) are not accepted here.
    pub fn user_for_access_token(&self, token: &str) -> Option<Account> {
        let claims = self.jwt.verify(token, now_secs()).ok()?;
        if claims.contains_key("jti") {
            return None;
        }
        self.find_by_claims(&claims)
    }

    fn find_by_claims(&self, claims: &Map<String, Value>) -> Option<Account> {
        let id = claims.get("sub")?.as_u64()?;
        let email = claims.get("email")?.as_str()?;
        lock(&self.accounts).find_token_subject(id, email).cloned()
    }

    /// The account with this email (compared case-insensitively).
    pub fn find_by_email(&self, email: &str) -> Option<Account> {
        lock(&self.accounts).find(email).cloned()
    }

    /// Adds an unverified account and "mails" it a code; `false` if the
    /// email already exists.
    pub fn register(&self, registration: Registration) -> bool {
        lock(&self.accounts).register(registration, crate::accounts::now_ms())
    }

    pub fn verify_email(&self, email: &str, code: &str) -> Verification {
        lock(&self.accounts).verify(email, code, crate::accounts::now_ms())
    }

    pub fn resend_code(&self, email: &str) -> Resend {
        lock(&self.accounts).resend(email, crate::accounts::now_ms())
    }

    /// The code the last "mail" to this account carried, if it has one.
    pub fn verification_code(&self, email: &str) -> Option<Code> {
        lock(&self.accounts).code(email).cloned()
    }

    /// Makes an account's code expired now; `false` if it has none.
    pub fn expire_code(&self, email: &str) -> bool {
        lock(&self.accounts).expire_code(email, crate::accounts::now_ms())
    }

    /// Back to the seeded accounts as at start.
    pub fn reset_accounts(&self) {
        lock(&self.accounts).reset(crate::accounts::now_ms());
    }

    /// Whether logins for this email are currently refused.
    pub fn throttled(&self, email: &str) -> bool {
        let mut failures = lock(&self.failures);
        let Some(times) = failures.get_mut(&email.to_ascii_lowercase()) else {
            return false;
        };
        let now = Instant::now();
        while times
            .front()
            .is_some_and(|t| now.duration_since(*t) >= THROTTLE_WINDOW)
        {
            times.pop_front();
        }
        times.len() >= MAX_FAILED_LOGINS
    }

    pub fn record_failed_login(&self, email: &str) {
        let now = Instant::now();
        let mut failures = lock(&self.failures);
        failures.retain(|_, times| {
            times
                .back()
                .is_some_and(|t| now.duration_since(*t) < THROTTLE_WINDOW)
        });
        failures
            .entry(email.to_ascii_lowercase())
            .or_default()
            .push_back(now);
    }

    pub fn reset_throttle(&self) {
        lock(&self.failures).clear();
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::accounts::USERS;

    #[test]
    fn user_json_has_no_password() {
        let json = USERS[0].to_json();
        let value: Value = serde_json::from_str(&json).unwrap();
        assert_eq!(value["IdUsuario"], 1);
        assert_eq!(value["email"], "demo@sociapp.dev");
        assert_eq!(value["nombre"], "Demo");
        assert_eq!(value["isVerified"], true);
        assert_eq!(value["cuota"], "0");
        assert!(value.get("id").is_none());
        assert!(!json.contains("password"));
    }

    #[test]
    fn refresh_tokens_rotate_once() {
        let auth = Auth::new(b"k", "p".into(), false);
        let issued = auth.issue(&USERS[0]);
        let token = issued
            .set_cookie
            .strip_prefix("refresh_token=")
            .and_then(|s| s.split(';').next())
            .unwrap();
        assert!(auth.user_for_access_token(token).is_none());
        assert_eq!(auth.use_refresh_token(token).map(|u| u.id), Some(1));
        assert!(auth.use_refresh_token(token).is_none());
        assert!(auth.use_refresh_token(&issued.access_token).is_none());
        assert_eq!(
            auth.user_for_access_token(&issued.access_token)
                .map(|u| u.id),
            Some(1)
        );
    }

    #[test]
    fn throttle_counts_failures_per_email() {
        let auth = Auth::new(b"k", "p".into(), false);
        for _ in 0..MAX_FAILED_LOGINS {
            assert!(!auth.throttled("a@b.c"));
            auth.record_failed_login("A@b.c");
        }
        assert!(auth.throttled("a@b.c"));
        assert!(!auth.throttled("other@b.c"));
        auth.reset_throttle();
        assert!(!auth.throttled("a@b.c"));
    }
}
