//! The optional static file listener (`--static-dir`): GET/HEAD of files under
//! one directory, never cached.

use std::path::{Component, Path, PathBuf};

use axum::body::Body;
use axum::http::{header, HeaderValue, Method, Request, Response, StatusCode};

/// Content type by file extension.
pub fn content_type(path: &Path) -> &'static str {
    let ext = path
        .extension()
        .and_then(|e| e.to_str())
        .map(str::to_ascii_lowercase);
    match ext.as_deref() {
        Some("html" | "htm") => "text/html; charset=utf-8",
        Some("js" | "mjs") => "text/javascript; charset=utf-8",
        Some("wasm") => "application/wasm",
        Some("css") => "text/css; charset=utf-8",
        Some("json" | "map") => "application/json; charset=utf-8",
        Some("txt") => "text/plain; charset=utf-8",
        Some("svg") => "image/svg+xml",
        Some("png") => "image/png",
        Some("jpg" | "jpeg") => "image/jpeg",
        Some("gif") => "image/gif",
        Some("ico") => "image/x-icon",
        Some("webp") => "image/webp",
        Some("woff") => "font/woff",
        Some("woff2") => "font/woff2",
        Some("ts") => "text/plain; charset=utf-8",
        _ => "application/octet-stream",
    }
}

/// Decodes `%XX` escapes; `None` for bad escapes or non-UTF-8 results.
fn percent_decode(s: &str) -> Option<String> {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            let hex = s.get(i + 1..i + 3)?;
            out.push(u8::from_str_radix(hex, 16).ok()?);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8(out).ok()
}

/// Maps a URL path to a file path under `root`, refusing anything that could
/// leave it.
pub fn resolve(root: &Path, url_path: &str) -> Option<PathBuf> {
    let decoded = percent_decode(url_path)?;
    let relative = Path::new(decoded.trim_start_matches('/'));
    if decoded.contains(['\\', '\0'])
        || !relative
            .components()
            .all(|c| matches!(c, Component::Normal(_)))
    {
        return None;
    }
    Some(root.join(relative))
}

fn plain(status: StatusCode, text: &'static str) -> Response<Body> {
    let mut res = Response::new(Body::from(text));
    *res.status_mut() = status;
    res.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/plain; charset=utf-8"),
    );
    res
}

/// Revalidate on every load (`no-cache`), but not `no-store`: that would keep
/// the pages out of the browser's back/forward cache.
fn no_cache(res: &mut Response<Body>) {
    let headers = res.headers_mut();
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-cache"));
    headers.insert(header::PRAGMA, HeaderValue::from_static("no-cache"));
    headers.insert(header::EXPIRES, HeaderValue::from_static("0"));
}

/// Serves a file of `root`; with `isolated`, the page is cross-origin
/// isolated (it may then load other origins only with CORS or CORP).
pub async fn serve<B>(root: &Path, req: Request<B>, isolated: bool) -> Response<Body> {
    let mut res = respond(root, req.method(), req.uri().path()).await;
    no_cache(&mut res);
    if isolated {
        let headers = res.headers_mut();
        headers.insert(
            "cross-origin-opener-policy",
            HeaderValue::from_static("same-origin"),
        );
        headers.insert(
            "cross-origin-embedder-policy",
            HeaderValue::from_static("require-corp"),
        );
    }
    res
}

async fn respond(root: &Path, method: &Method, url_path: &str) -> Response<Body> {
    if method != Method::GET && method != Method::HEAD {
        let mut res = plain(StatusCode::METHOD_NOT_ALLOWED, "method not allowed\n");
        res.headers_mut()
            .insert(header::ALLOW, HeaderValue::from_static("GET, HEAD"));
        return res;
    }
    let Some(mut path) = resolve(root, url_path) else {
        return plain(StatusCode::NOT_FOUND, "not found\n");
    };
    if tokio::fs::metadata(&path).await.is_ok_and(|m| m.is_dir()) {
        if !url_path.ends_with('/') {
            // Relative links in the index page need the trailing slash.
            let mut res = plain(StatusCode::MOVED_PERMANENTLY, "moved\n");
            if let Ok(location) = HeaderValue::from_str(&format!("{url_path}/")) {
                res.headers_mut().insert(header::LOCATION, location);
            }
            return res;
        }
        path.push("index.html");
    }
    match tokio::fs::read(&path).await {
        Ok(bytes) => {
            let len = bytes.len();
            let mut res = if method == Method::HEAD {
                Response::new(Body::empty())
            } else {
                Response::new(Body::from(bytes))
            };
            let headers = res.headers_mut();
            headers.insert(
                header::CONTENT_TYPE,
                HeaderValue::from_static(content_type(&path)),
            );
            headers.insert(header::CONTENT_LENGTH, HeaderValue::from(len));
            res
        }
        Err(_) => plain(StatusCode::NOT_FOUND, "not found\n"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn types() {
        assert_eq!(content_type(Path::new("a/pkg_bg.wasm")), "application/wasm");
        assert_eq!(
            content_type(Path::new("x.mjs")),
            "text/javascript; charset=utf-8"
        );
        assert_eq!(
            content_type(Path::new("x.JS")),
            "text/javascript; charset=utf-8"
        );
        assert_eq!(
            content_type(Path::new("index.html")),
            "text/html; charset=utf-8"
        );
        assert_eq!(
            content_type(Path::new("LICENSE")),
            "application/octet-stream"
        );
    }

    #[test]
    fn resolving() {
        let root = Path::new("/srv");
        assert_eq!(resolve(root, "/a/b.js"), Some(PathBuf::from("/srv/a/b.js")));
        assert_eq!(resolve(root, "/"), Some(PathBuf::from("/srv/")));
        assert_eq!(
            resolve(root, "/a%20b.txt"),
            Some(PathBuf::from("/srv/a b.txt"))
        );
        for bad in [
            "/../etc/passwd",
            "/a/%2e%2e/%2e%2e/x",
            "/%zz",
            "/a%5cb",
            "/a%00",
        ] {
            assert_eq!(resolve(root, bad), None, "{bad}");
        }
    }
}
