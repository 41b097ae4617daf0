//! Strict checks for the URLs and paths an app configures. The platform's
//! URL parser splits them; the checks are stricter than it on purpose:
//! anything a browser might read as another origin (`//host`, `/\host`,
//! tabs or newlines inside) is refused.

use crate::effects::Parsers;

/// An API base URL split into its origin and an optional path prefix.
#[derive(Clone, Debug, PartialEq)]
pub struct BaseUrl {
    /// `scheme://host[:port]`, lower case, default port left out.
    pub origin: String,
    /// `""` or a path without a trailing slash, e.g. `/api`.
    pub prefix: String,
}

impl BaseUrl {
    /// The absolute URL of an API path such as `/auth/logout`.
    pub fn join(&self, path: &str) -> String {
        let mut url = self.origin.clone();
        url.push_str(&self.prefix);
        url.push_str(path);
        url
    }
}

/// Whether `s` holds a control character, white space (as Unicode defines
/// both) or a backslash. Read byte-wise from the UTF-8 (smaller than
/// decoding chars); the native tests compare it with `char`'s own tests.
fn has_unsafe_chars(s: &str) -> bool {
    let bytes = s.as_bytes();
    (0..bytes.len()).any(|i| {
        let at = |k: usize| bytes.get(i + k).copied().unwrap_or(0);
        match (at(0), at(1), at(2)) {
            (b, _, _) if b <= b' ' || b == 0x7f || b == b'\\' => true,
            // U+0080 to U+00A0: the C1 controls, NEL, no-break space.
            (0xc2, b, _) => b <= 0xa0,
            // U+2000 to U+200A, U+2028, U+2029, U+202F.
            (0xe2, 0x80, b) => b <= 0x8a || b == 0xa8 || b == 0xa9 || b == 0xaf,
            // U+1680, U+205F, U+3000.
            (0xe1, 0x9a, 0x80) | (0xe2, 0x81, 0x9f) | (0xe3, 0x80, 0x80) => true,
            _ => false,
        }
    })
}

/// Checks an API base URL: http(s), a host, optional port and path prefix,
/// no credentials, query or fragment. The platform's URL parser splits it.
pub fn parse_base_url(s: &str, parsers: &impl Parsers) -> Result<BaseUrl, &'static str> {
    if s.is_empty() {
        return Err("must not be empty");
    }
    if has_unsafe_chars(s) {
        return Err("must not contain spaces, control characters or backslashes");
    }
    if !s.is_ascii() {
        return Err("must be ASCII (punycode for an international host)");
    }
    let u = parsers.url(s).filter(|u| u.http).ok_or("must be an http:// or https:// URL")?;
    if u.credentials || s.bytes().any(|b| b == b'@') {
        return Err("must not contain credentials");
    }
    let host = u.hostname.as_str();
    if host.is_empty() || !(host.starts_with("[") || host.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'.' || b == b'-')) {
        return Err("has an invalid host");
    }
    if s.bytes().any(|b| b == b'?' || b == b'#') {
        return Err("must not have a query or fragment");
    }
    let mut prefix = u.pathname.as_str();
    while let Some(shorter) = prefix.strip_suffix("/") {
        prefix = shorter;
    }
    if prefix.starts_with("//") {
        return Err("has an invalid path");
    }
    Ok(BaseUrl { prefix: prefix.to_owned(), origin: u.origin })
}

/// Checks an endpoint path such as `/auth/logout`.
pub fn check_api_path(s: &str) -> Result<(), &'static str> {
    if !s.starts_with("/") {
        return Err("must start with \"/\"");
    }
    if s.starts_with("//") || has_unsafe_chars(s) {
        return Err("must be a plain path such as \"/auth/logout\"");
    }
    Ok(())
}

/// Checks where logout may send the page: a path on the app's own origin
/// (`/login`, `/?signedOut=1`) or an absolute URL on exactly that origin.
/// Returns the path to navigate to.
pub fn redirect_target(s: &str, app_origin: &str, parsers: &impl Parsers) -> Result<String, &'static str> {
    const PROBLEM: &str = "must be a path on this app's origin such as \"/login\", or null";
    if s.is_empty() || has_unsafe_chars(s) {
        return Err(PROBLEM);
    }
    if s.starts_with("/") {
        if s.starts_with("//") {
            return Err(PROBLEM);
        }
        return Ok(s.to_owned());
    }
    let u = parsers.url(s).filter(|u| u.http).ok_or(PROBLEM)?;
    if u.origin != app_origin {
        return Err("must stay on this app's origin");
    }
    if u.pathname.starts_with("//") {
        return Err(PROBLEM);
    }
    let mut path = u.pathname;
    path.push_str(&u.search);
    path.push_str(&u.hash);
    Ok(path)
}

// The native tests read JSON and URLs with the native parsers.
#[cfg(all(test, not(target_arch = "wasm32")))]
mod tests {
    use super::*;
    use crate::effects::NativeParsers;

    fn parse_base_url(s: &str) -> Result<BaseUrl, &'static str> {
        super::parse_base_url(s, &NativeParsers)
    }

    fn redirect_target(s: &str, app: &str) -> Result<String, &'static str> {
        super::redirect_target(s, app, &NativeParsers)
    }

    #[test]
    fn base_urls_normalise_to_an_origin_and_prefix() {
        let b = parse_base_url("HTTP://LocalHost:3000/").expect("ok");
        assert_eq!(b.origin, "http://localhost:3000");
        assert_eq!(b.prefix, "");
        assert_eq!(b.join("/auth/me"), "http://localhost:3000/auth/me");
        let b = parse_base_url("https://api.sociapp.test:443/v1/").expect("ok");
        assert_eq!(b.origin, "https://api.sociapp.test");
        assert_eq!(b.join("/auth/me"), "https://api.sociapp.test/v1/auth/me");
        assert_eq!(parse_base_url("http://[::1]:8080").expect("ok").origin, "http://[::1]:8080");
        assert_eq!(parse_base_url("http://127.0.0.1:080").expect("ok").origin, "http://127.0.0.1");
        // An empty port is the default port, as in the URL standard.
        assert_eq!(parse_base_url("http://x.test:").expect("ok").origin, "http://x.test");
    }

    #[test]
    fn bad_base_urls_are_refused() {
        for bad in [
            "", "localhost:3000", "ftp://x", "javascript:alert(1)", "data:text/html,x", "//x.test",
            "http://", "http://:80", "http://u:p@x.test", "http://x.test?a", "http://x.test#a",
            "http://x.test:99999", "http://x.test:8a", "http://x test",
            "http://x.test\\y", "http://exa_mple.test", "http://[::1", "http://[zz]", "http://x.test//y",
            "http://é.test",
        ] {
            assert!(parse_base_url(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn unsafe_chars_are_those_char_calls_control_or_white_space() {
        for c in (0..=0x10ffff).filter_map(char::from_u32) {
            let expected = c.is_control() || c.is_whitespace() || c == '\\';
            let mut s = String::from("/a");
            s.push(c);
            s.push('b');
            assert_eq!(has_unsafe_chars(&s), expected, "U+{:04X}", c as u32);
        }
        assert!(!has_unsafe_chars("/caf\u{e9}/\u{1f600}"));
    }

    #[test]
    fn api_paths() {
        assert!(check_api_path("/auth/logout").is_ok());
        for bad in ["auth/logout", "//evil.test/x", "/a b", "/a\\b", "", "/\t/x"] {
            assert!(check_api_path(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn redirects_stay_on_the_app_origin() {
        let app = "http://localhost:5173";
        assert_eq!(redirect_target("/", app).as_deref(), Ok("/"));
        assert_eq!(redirect_target("/login?next=%2F#top", app).as_deref(), Ok("/login?next=%2F#top"));
        assert_eq!(redirect_target("http://localhost:5173/login", app).as_deref(), Ok("/login"));
        assert_eq!(redirect_target("http://LOCALHOST:5173", app).as_deref(), Ok("/"));
        for bad in [
            "https://evil.example", "//evil.example", "/\\evil.example", "\\\\evil.example",
            "javascript:alert(1)", "JavaScript:alert(1)", "data:text/html,<script>", "/\t/evil.example",
            "/\n/evil.example", " /x", "login", "http://localhost:5174/", "https://localhost:5173/",
            "http://localhost:5173//evil.example", "", "vbscript:x", "blob:http://localhost:5173/x",
        ] {
            assert!(redirect_target(bad, app).is_err(), "{bad:?}");
        }
    }
}
