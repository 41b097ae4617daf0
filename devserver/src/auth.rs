//! Users, tokens, refresh-token rotation and the login throttle.

use std::collections::{HashMap, VecDeque};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Mutex, MutexGuard, PoisonError};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use serde_json::{Map, Value};

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

/// A seeded account. The password never leaves the server.
#[derive(Debug)]
pub struct User {
    /// `IdUsuario`, and the tokens' `sub`.
    pub id: u64,
    pub email: &'static str,
    pub nombre: &'static str,
    pub apellidos: &'static str,
    pub password: &'static str,
    pub email_verified: bool,
    /// `fechaalta`.
    pub joined: &'static str,
}

impl User {
    /// The user object of `GET /auth/me`: the public backend's `usuarios`
    /// row without the password (no `id` field: `IdUsuario` is the id).
    pub fn to_json(&self) -> String {
        json::object(&[
            ("IdUsuario", Value::from(self.id)),
            ("nombre", Value::from(self.nombre)),
            ("apellidos", Value::from(self.apellidos)),
            ("dni", Value::from("00000000T")),
            ("direccion", Value::from("Calle Mayor 1")),
            ("CP", Value::from("28013")),
            ("provincia", Value::from("Madrid")),
            ("poblacion", Value::from("Madrid")),
            ("pais", Value::from("España")),
            ("email", Value::from(self.email)),
            ("telefono", Value::from("600000000")),
            ("fechaalta", Value::from(self.joined)),
            ("fechabaja", Value::Null),
            ("formadepago", Value::from("Domiciliación")),
            ("cuota", Value::from("0")),
            ("categoria", Value::from("Socio")),
            ("socio", Value::from("Sí")),
            ("isVerified", Value::from(self.email_verified)),
            ("verificationCode", Value::Null),
            ("verificationExpires", Value::Null),
        ])
    }
}

/// The demo accounts (same password; the second one has not verified its email).
pub const USERS: [User; 2] = [
    User {
        id: 1,
        email: "demo@sociapp.dev",
        nombre: "Demo",
        apellidos: "Usuario",
        password: "demo-password",
        email_verified: true,
        joined: "2026-01-01",
    },
    User {
        id: 2,
        email: "unverified@sociapp.dev",
        nombre: "Sin",
        apellidos: "Verificar",
        password: "demo-password",
        email_verified: false,
        joined: "2026-01-01",
    },
];

/// The public backend's answer to an unverified user's login (401).
pub const UNVERIFIED_MESSAGE: &str = "Por favor, verifique su correo electrónico antes de iniciar sesión.";

pub fn find_by_email(email: &str) -> Option<&'static User> {
    USERS.iter().find(|u| u.email.eq_ignore_ascii_case(email))
}

fn find_by_claims(claims: &Map<String, Value>) -> Option<&'static User> {
    let id = claims.get("sub")?.as_u64()?;
    let email = claims.get("email")?.as_str()?;
    USERS.iter().find(|u| u.id == id && u.email == email)
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

/// Token issuing and checking, with the state the server keeps: the refresh
/// tokens that may still be used, and recent failed logins.
pub struct Auth {
    jwt: Hs256,
    secure_cookies: bool,
    jti_prefix: String,
    jti_counter: AtomicU64,
    /// Refresh token ids that are still current, with their expiry.
    refresh_ids: Mutex<HashMap<String, u64>>,
    /// Failed login times per lower-cased email.
    failures: Mutex<HashMap<String, VecDeque<Instant>>>,
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
        }
    }

    /// Issues an access token and a new current refresh token for `user`.
    pub fn issue(&self, user: &User) -> Issued {
        let iat = now_secs();
        let access_token = self.jwt.sign(&json::object(&[
            ("sub", Value::from(user.id)),
            ("email", Value::from(user.email)),
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
            ("sub", Value::from(user.id)),
            ("email", Value::from(user.email)),
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
    pub fn use_refresh_token(&self, token: &str) -> Option<&'static User> {
        let claims = self.jwt.verify(token, now_secs()).ok()?;
        let jti = claims.get("jti")?.as_str()?;
        lock(&self.refresh_ids).remove(jti)?;
        find_by_claims(&claims)
    }

    /// The user an access token belongs to. Refresh tokens (which carry a
    /// `jti`) are not accepted here.
    pub fn user_for_access_token(&self, token: &str) -> Option<&'static User> {
        let claims = self.jwt.verify(token, now_secs()).ok()?;
        if claims.contains_key("jti") {
            return None;
        }
        find_by_claims(&claims)
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
