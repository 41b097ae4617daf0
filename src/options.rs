//! The client's options: read loosely typed (so that a wrong type is reported
//! with the field's name, not as a generic decoding error), then checked into
//! [`Options`].

use crate::error::AuthError;
use crate::json::Json;
use crate::effects::Parsers;
use crate::url::{self, BaseUrl};

/// Every option name an app may pass.
pub const KNOWN_KEYS: [&str; 12] = [
    "baseUrl",
    "paths",
    "tokenStorage",
    "tokenKey",
    "clearSessionStorage",
    "redirectTo",
    "navigate",
    "timeoutMs",
    "onLogout",
    "autoRefresh",
    "debug",
    "fetch",
];

/// The options object as written by the app: each data option as any value
/// (`None` when absent). `navigate`, `onLogout` and `debug` may hold
/// functions; the JavaScript surface reads them.
#[derive(Default, Debug, Clone, PartialEq)]
pub struct RawOptions {
    pub base_url: Option<Json>,
    pub paths: Option<Json>,
    pub token_storage: Option<Json>,
    pub token_key: Option<Json>,
    pub clear_session_storage: Option<Json>,
    /// `Some(Json::Null)` when given as `null` (no navigation).
    pub redirect_to: Option<Json>,
    pub timeout_ms: Option<Json>,
    pub auto_refresh: Option<Json>,
}

impl RawOptions {
    /// Reads each data option through `field` (its value by name, `None`
    /// when absent). `null` means the default, except for `redirectTo`,
    /// where it means no navigation.
    pub fn read(mut field: impl FnMut(&'static str) -> Option<Json>) -> RawOptions {
        let mut value = |name| field(name).filter(|v| !matches!(v, Json::Null));
        RawOptions {
            base_url: value("baseUrl"),
            paths: value("paths"),
            token_storage: value("tokenStorage"),
            token_key: value("tokenKey"),
            clear_session_storage: value("clearSessionStorage"),
            timeout_ms: value("timeoutMs"),
            auto_refresh: value("autoRefresh"),
            redirect_to: field("redirectTo"),
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq)]
pub enum TokenStorage {
    Local,
    Session,
    Memory,
}

#[derive(Clone, Debug, PartialEq)]
pub enum ClearSessionStorage {
    All,
    Nothing,
    Keys(Vec<String>),
}

/// The API's endpoints, by their index in [`PATHS`] and in
/// [`Options::paths`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Path {
    Login,
    Logout,
    Refresh,
    Me,
    Register,
    VerifyEmail,
    ResendCode,
}

/// Each endpoint's name in the `paths` option, and its default path.
pub const PATHS: [(&str, &str); 7] = [
    ("login", "/auth/login"),
    ("logout", "/auth/logout"),
    ("refresh", "/auth/refresh"),
    ("me", "/auth/me"),
    ("register", "/auth/register"),
    ("verifyEmail", "/auth/verify-email"),
    ("resendCode", "/auth/resend-code"),
];

/// Checked options.
#[derive(Clone, Debug, PartialEq)]
pub struct Options {
    pub base: BaseUrl,
    /// The endpoints' paths, in the order of [`PATHS`] (see [`Options::path`]).
    pub paths: [String; 7],
    pub token_storage: TokenStorage,
    pub token_key: String,
    pub clear_session_storage: ClearSessionStorage,
    /// `None`: logout does not navigate.
    pub redirect_to: Option<String>,
    pub timeout_ms: u32,
    /// Refresh the token shortly before it expires.
    pub auto_refresh: bool,
}

impl Options {
    pub fn url(&self, path: &str) -> String {
        self.base.join(path)
    }

    /// The path of an endpoint, e.g. `/auth/logout`.
    pub fn path(&self, which: Path) -> &str {
        self.paths.get(which as usize).map_or("", String::as_str)
    }

    /// The absolute URL of an endpoint.
    pub fn endpoint(&self, which: Path) -> String {
        self.url(self.path(which))
    }
}

/// Largest delay a browser timer accepts.
const MAX_TIMEOUT_MS: f64 = 2_147_483_647.0;
const MAX_KEY_LEN: usize = 256;

/// Refuses option names the SDK does not know (a typo would otherwise be
/// silently ignored).
pub fn check_keys<'a>(keys: impl IntoIterator<Item = &'a str>) -> Result<(), AuthError> {
    for key in keys {
        if !KNOWN_KEYS.contains(&key) {
            return Err(AuthError::option(key, "is not an option of createAuthClient"));
        }
    }
    Ok(())
}

fn clear_problem() -> AuthError {
    AuthError::option("clearSessionStorage", "must be true, false or an array of sessionStorage keys")
}

fn string_field<'a>(v: &'a Json, field: &str) -> Result<&'a str, AuthError> {
    v.as_str().ok_or_else(|| AuthError::option(field, "must be a string"))
}

impl RawOptions {
    /// Checks every field; `app_origin` is the page's origin (redirects must
    /// stay on it).
    pub fn validate(self, app_origin: &str, parsers: &impl Parsers) -> Result<Options, AuthError> {
        let base = match &self.base_url {
            None => return Err(AuthError::option("baseUrl", "is required (the API's origin, e.g. \"https://api.example.com\")")),
            Some(v) => url::parse_base_url(string_field(v, "baseUrl")?, parsers)
                .map_err(|p| AuthError::option("baseUrl", p))?,
        };

        let mut paths = PATHS.map(|(_, default)| default.to_owned());
        match &self.paths {
            None => {}
            Some(Json::Obj(members)) => {
                for (key, value) in members {
                    let mut field = String::from("paths.");
                    field.push_str(key);
                    let Some(slot) = PATHS.iter().position(|(name, _)| name == key).and_then(|i| paths.get_mut(i)) else {
                        return Err(AuthError::option(&field, "is not an endpoint of the paths option"));
                    };
                    if matches!(value, Json::Null) {
                        continue;
                    }
                    let p = string_field(value, &field)?;
                    url::check_api_path(p).map_err(|e| AuthError::option(&field, e))?;
                    *slot = p.to_owned();
                }
            }
            Some(_) => return Err(AuthError::option("paths", "must be an object such as { logout: \"/auth/logout\" }")),
        }

        let token_storage = match &self.token_storage {
            None => TokenStorage::Local,
            Some(v) => match string_field(v, "tokenStorage")? {
                "local" => TokenStorage::Local,
                "session" => TokenStorage::Session,
                "memory" => TokenStorage::Memory,
                _ => return Err(AuthError::option("tokenStorage", "must be \"local\", \"session\" or \"memory\"")),
            },
        };

        let token_key = match &self.token_key {
            None => "access_token".to_owned(),
            Some(v) => {
                let k = string_field(v, "tokenKey")?;
                if k.is_empty() || k.len() > MAX_KEY_LEN {
                    return Err(AuthError::option("tokenKey", "must be a non-empty string of at most 256 bytes"));
                }
                k.to_owned()
            }
        };

        let clear_session_storage = match &self.clear_session_storage {
            None | Some(Json::Bool(true)) => ClearSessionStorage::All,
            Some(Json::Bool(false)) => ClearSessionStorage::Nothing,
            Some(Json::Arr(items)) => {
                let mut keys = Vec::with_capacity(items.len());
                for item in items {
                    match item {
                        Json::Str(s) if !s.is_empty() => keys.push(s.clone()),
                        _ => return Err(clear_problem()),
                    }
                }
                ClearSessionStorage::Keys(keys)
            }
            Some(_) => return Err(clear_problem()),
        };

        let redirect_to = match &self.redirect_to {
            None => Some("/".to_owned()),
            Some(Json::Null) => None,
            Some(v) => Some(
                url::redirect_target(string_field(v, "redirectTo")?, app_origin, parsers)
                    .map_err(|p| AuthError::option("redirectTo", p))?,
            ),
        };

        let timeout_ms = match &self.timeout_ms {
            None => 10_000,
            Some(Json::Num(n)) if n.is_finite() && *n >= 1.0 && *n <= MAX_TIMEOUT_MS => *n as u32,
            Some(_) => return Err(AuthError::option("timeoutMs", "must be a number of milliseconds from 1 to 2147483647")),
        };

        let auto_refresh = match &self.auto_refresh {
            None => false,
            Some(Json::Bool(b)) => *b,
            Some(_) => return Err(AuthError::option("autoRefresh", "must be true or false")),
        };

        Ok(Options { base, paths, token_storage, token_key, clear_session_storage, redirect_to, timeout_ms, auto_refresh })
    }
}

// The native tests read JSON and URLs with the native parsers.
#[cfg(all(test, not(target_arch = "wasm32")))]
mod tests {
    use super::*;
    use crate::effects::NativeParsers;

    const APP: &str = "http://localhost:5173";

    fn raw(base: &str) -> RawOptions {
        RawOptions { base_url: Some(Json::Str(base.into())), ..Default::default() }
    }

    fn field_of(r: Result<Options, AuthError>) -> String {
        match r {
            Err(AuthError::InvalidOption { field, .. }) => field,
            other => panic!("expected an invalid option, got {other:?}"),
        }
    }

    #[test]
    fn defaults_follow_the_api_docs() {
        let o = raw("http://127.0.0.1:3000").validate(APP, &NativeParsers).expect("valid");
        assert_eq!(o.base.origin, "http://127.0.0.1:3000");
        assert_eq!(o.path(Path::Logout), "/auth/logout");
        assert_eq!(o.path(Path::Refresh), "/auth/refresh");
        assert_eq!(o.token_storage, TokenStorage::Local);
        assert_eq!(o.token_key, "access_token");
        assert_eq!(o.clear_session_storage, ClearSessionStorage::All);
        assert_eq!(o.redirect_to.as_deref(), Some("/"));
        assert_eq!(o.timeout_ms, 10_000);
        assert!(!o.auto_refresh);
        assert_eq!(o.endpoint(Path::Logout), "http://127.0.0.1:3000/auth/logout");
    }

    #[test]
    fn every_valid_form_is_accepted() {
        let mut r = raw("https://api.example.com/v1");
        r.paths = Some(Json::Obj(vec![
            ("logout".into(), Json::Str("/session/end".into())),
            ("me".into(), Json::Null),
            ("verifyEmail".into(), Json::Str("/v/verify".into())),
        ]));
        r.token_storage = Some(Json::Str("memory".into()));
        r.token_key = Some(Json::Str("jwt".into()));
        r.clear_session_storage = Some(Json::Arr(vec![Json::Str("draft".into())]));
        r.redirect_to = Some(Json::Null);
        r.timeout_ms = Some(Json::Num(2500.0));
        r.auto_refresh = Some(Json::Bool(true));
        let o = r.validate(APP, &NativeParsers).expect("valid");
        assert!(o.auto_refresh);
        assert_eq!(o.endpoint(Path::Logout), "https://api.example.com/v1/session/end");
        assert_eq!(o.path(Path::Me), "/auth/me");
        assert_eq!(o.endpoint(Path::VerifyEmail), "https://api.example.com/v1/v/verify");
        assert_eq!((o.path(Path::Register), o.path(Path::ResendCode)), ("/auth/register", "/auth/resend-code"));
        assert_eq!(o.token_storage, TokenStorage::Memory);
        assert_eq!(o.clear_session_storage, ClearSessionStorage::Keys(vec!["draft".into()]));
        assert_eq!(o.redirect_to, None);
        assert_eq!(o.timeout_ms, 2500);

        for (storage, expected) in [("local", TokenStorage::Local), ("session", TokenStorage::Session)] {
            let mut r = raw("http://x.test");
            r.token_storage = Some(Json::Str(storage.into()));
            r.clear_session_storage = Some(Json::Bool(false));
            r.redirect_to = Some(Json::Str("http://localhost:5173/login".into()));
            let o = r.validate(APP, &NativeParsers).expect("valid");
            assert_eq!(o.token_storage, expected);
            assert_eq!(o.clear_session_storage, ClearSessionStorage::Nothing);
            assert_eq!(o.redirect_to.as_deref(), Some("/login"));
        }
    }

    #[test]
    fn each_bad_field_is_named() {
        assert_eq!(field_of(RawOptions::default().validate(APP, &NativeParsers)), "baseUrl");
        assert_eq!(field_of(raw("").validate(APP, &NativeParsers)), "baseUrl");
        assert_eq!(field_of(raw("ftp://x").validate(APP, &NativeParsers)), "baseUrl");
        let mut r = raw("http://x.test");
        r.base_url = Some(Json::Opaque);
        assert_eq!(field_of(r.validate(APP, &NativeParsers)), "baseUrl");

        type Case = (fn(&mut RawOptions), &'static str);
        let cases: Vec<Case> = vec![
            (|r| r.paths = Some(Json::Str("/auth".into())), "paths"),
            (|r| r.paths = Some(Json::Obj(vec![("logout".into(), Json::Num(1.0))])), "paths.logout"),
            (|r| r.paths = Some(Json::Obj(vec![("logout".into(), Json::Str("//evil.example".into()))])), "paths.logout"),
            (|r| r.paths = Some(Json::Obj(vec![("signout".into(), Json::Str("/x".into()))])), "paths.signout"),
            (|r| r.token_storage = Some(Json::Str("cookie".into())), "tokenStorage"),
            (|r| r.token_storage = Some(Json::Bool(true)), "tokenStorage"),
            (|r| r.token_key = Some(Json::Str(String::new())), "tokenKey"),
            (|r| r.token_key = Some(Json::Num(3.0)), "tokenKey"),
            (|r| r.clear_session_storage = Some(Json::Str("yes".into())), "clearSessionStorage"),
            (|r| r.clear_session_storage = Some(Json::Arr(vec![Json::Num(1.0)])), "clearSessionStorage"),
            (|r| r.redirect_to = Some(Json::Str("https://evil.example".into())), "redirectTo"),
            (|r| r.redirect_to = Some(Json::Str("//evil.example".into())), "redirectTo"),
            (|r| r.redirect_to = Some(Json::Str("/\\evil.example".into())), "redirectTo"),
            (|r| r.redirect_to = Some(Json::Str("javascript:alert(1)".into())), "redirectTo"),
            (|r| r.redirect_to = Some(Json::Str("data:text/html,hi".into())), "redirectTo"),
            (|r| r.redirect_to = Some(Json::Num(1.0)), "redirectTo"),
            (|r| r.timeout_ms = Some(Json::Num(-1.0)), "timeoutMs"),
            (|r| r.timeout_ms = Some(Json::Num(f64::NAN)), "timeoutMs"),
            (|r| r.timeout_ms = Some(Json::Num(0.0)), "timeoutMs"),
            (|r| r.timeout_ms = Some(Json::Num(f64::INFINITY)), "timeoutMs"),
            (|r| r.timeout_ms = Some(Json::Str("100".into())), "timeoutMs"),
            (|r| r.auto_refresh = Some(Json::Str("yes".into())), "autoRefresh"),
        ];
        for (mutate, field) in cases {
            let mut r = raw("http://x.test");
            mutate(&mut r);
            assert_eq!(field_of(r.validate(APP, &NativeParsers)), field);
        }
    }

    #[test]
    fn null_means_the_default_except_for_redirect_to() {
        let given = |name: &str| match name {
            "baseUrl" => Some(Json::Str("http://x.test".into())),
            "timeoutMs" | "redirectTo" | "tokenKey" => Some(Json::Null),
            _ => None,
        };
        let r = RawOptions::read(given);
        assert_eq!(r.timeout_ms, None);
        assert_eq!(r.token_key, None);
        assert_eq!(r.redirect_to, Some(Json::Null));
        let o = r.validate(APP, &NativeParsers).expect("valid");
        assert_eq!((o.timeout_ms, o.token_key.as_str(), o.redirect_to), (10_000, "access_token", None));
        assert_eq!(RawOptions::read(|_| None).redirect_to, None);
    }

    #[test]
    fn unknown_keys_are_refused_by_name() {
        assert!(check_keys(["baseUrl", "onLogout", "navigate"]).is_ok());
        match check_keys(["baseUrl", "redirectUrl"]) {
            Err(e) => assert_eq!(e.message(), "redirectUrl is not an option of createAuthClient"),
            Ok(()) => panic!("accepted an unknown key"),
        }
    }

    #[test]
    fn messages_read_as_sentences() {
        let mut r = raw("http://x.test");
        r.timeout_ms = Some(Json::Num(-5.0));
        let e = r.validate(APP, &NativeParsers).expect_err("invalid");
        assert_eq!(e.message(), "timeoutMs must be a number of milliseconds from 1 to 2147483647");
    }
}
