//! Strict checks for the URLs and paths an app configures. They are stricter
//! than a browser's URL parser on purpose: anything a browser might read as
//! another origin (`//host`, `/\host`, tabs or newlines inside) is refused.

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
        let mut url = String::with_capacity(self.origin.len() + self.prefix.len() + path.len());
        url.push_str(&self.origin);
        url.push_str(&self.prefix);
        url.push_str(path);
        url
    }
}

fn has_unsafe_chars(s: &str) -> bool {
    s.chars().any(|c| c.is_control() || c.is_whitespace() || c == '\\')
}

/// Splits `http(s)://host[:port]` off the front of `s`; returns the
/// normalised origin and the remainder (starting at the path, if any).
fn split_origin(s: &str) -> Result<(String, &str), &'static str> {
    let (scheme, rest, default_port) = if let Some(r) = strip_prefix_ignore_case(s, "https://") {
        ("https://", r, "443")
    } else if let Some(r) = strip_prefix_ignore_case(s, "http://") {
        ("http://", r, "80")
    } else {
        return Err("must be an http:// or https:// URL");
    };
    let end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
    let (authority, remainder) = rest.split_at(end);
    if authority.contains('@') {
        return Err("must not contain credentials");
    }
    let (host, port) = if let Some(v6) = authority.strip_prefix('[') {
        let close = v6.find(']').ok_or("has an invalid host")?;
        let (inner, after) = v6.split_at(close);
        if inner.is_empty() || !inner.chars().all(|c| c.is_ascii_hexdigit() || c == ':' || c == '.') {
            return Err("has an invalid host");
        }
        let after = after.get(1..).unwrap_or("");
        let port = match after.strip_prefix(':') {
            Some(p) => Some(p),
            None if after.is_empty() => None,
            None => return Err("has an invalid host"),
        };
        (authority.get(..close + 2).unwrap_or(authority), port)
    } else {
        match authority.split_once(':') {
            Some((h, p)) => (h, Some(p)),
            None => (authority, None),
        }
    };
    if host.is_empty() {
        return Err("must name a host");
    }
    if !host.starts_with('[')
        && !host.chars().all(|c| c.is_ascii_alphanumeric() || c == '.' || c == '-')
    {
        return Err("has an invalid host");
    }
    let mut origin = String::with_capacity(s.len());
    origin.push_str(scheme);
    origin.push_str(&host.to_ascii_lowercase());
    if let Some(port) = port {
        if port.is_empty() || port.len() > 5 || !port.bytes().all(|b| b.is_ascii_digit()) {
            return Err("has an invalid port");
        }
        let n: u32 = port.parse().map_err(|_| "has an invalid port")?;
        if n > 65535 {
            return Err("has an invalid port");
        }
        let canonical = n.to_string();
        if canonical != default_port {
            origin.push(':');
            origin.push_str(&canonical);
        }
    }
    Ok((origin, remainder))
}

fn strip_prefix_ignore_case<'a>(s: &'a str, prefix: &str) -> Option<&'a str> {
    let head = s.get(..prefix.len())?;
    if head.eq_ignore_ascii_case(prefix) {
        s.get(prefix.len()..)
    } else {
        None
    }
}

/// Checks an API base URL: http(s), a host, optional port and path prefix,
/// no credentials, query or fragment.
pub fn parse_base_url(s: &str) -> Result<BaseUrl, &'static str> {
    if s.is_empty() {
        return Err("must not be empty");
    }
    if has_unsafe_chars(s) {
        return Err("must not contain spaces, control characters or backslashes");
    }
    let (origin, rest) = split_origin(s)?;
    if rest.contains(['?', '#']) {
        return Err("must not have a query or fragment");
    }
    let prefix = rest.trim_end_matches('/');
    if prefix.starts_with("//") {
        return Err("has an invalid path");
    }
    Ok(BaseUrl { origin, prefix: prefix.to_owned() })
}

/// Checks an endpoint path such as `/auth/logout`.
pub fn check_api_path(s: &str) -> Result<(), &'static str> {
    if !s.starts_with('/') {
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
pub fn redirect_target(s: &str, app_origin: &str) -> Result<String, &'static str> {
    const PROBLEM: &str = "must be a path on this app's origin such as \"/login\", or null";
    if s.is_empty() || has_unsafe_chars(s) {
        return Err(PROBLEM);
    }
    if s.starts_with('/') {
        if s.starts_with("//") {
            return Err(PROBLEM);
        }
        return Ok(s.to_owned());
    }
    let (origin, rest) = split_origin(s).map_err(|_| PROBLEM)?;
    if origin != app_origin {
        return Err("must stay on this app's origin");
    }
    if rest.starts_with("//") {
        return Err(PROBLEM);
    }
    let mut path = String::with_capacity(rest.len() + 1);
    if !rest.starts_with('/') {
        path.push('/');
    }
    path.push_str(rest);
    Ok(path)
}

#[cfg(test)]
mod tests {
    use super::*;

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
    }

    #[test]
    fn bad_base_urls_are_refused() {
        for bad in [
            "", "localhost:3000", "ftp://x", "javascript:alert(1)", "data:text/html,x", "//x.test",
            "http://", "http://:80", "http://u:p@x.test", "http://x.test?a", "http://x.test#a",
            "http://x.test:99999", "http://x.test:", "http://x.test:8a", "http://x test",
            "http://x.test\\y", "http://exa_mple.test", "http://[::1", "http://[zz]", "http://x.test//y",
            "http://é.test",
        ] {
            assert!(parse_base_url(bad).is_err(), "{bad}");
        }
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
