//! The optional static file listener (`--static-dir`): tower-http's
//! [`ServeDir`] (GET and HEAD of the files under one directory, `index.html`
//! for a directory, the MIME type by extension), never cached, and
//! cross-origin isolated with `--cross-origin-isolated`.

use std::convert::Infallible;
use std::path::Path;

use axum::http::{header, HeaderName, HeaderValue, Request, Response, StatusCode};
use tower::{Service, ServiceBuilder};
use tower_http::services::fs::ServeFileSystemResponseBody;
use tower_http::services::ServeDir;
use tower_http::set_header::SetResponseHeaderLayer;

/// The service answering the static listener's requests.
pub fn service<B>(
    root: &Path,
    isolated: bool,
) -> impl Service<
    Request<B>,
    Response = Response<ServeFileSystemResponseBody>,
    Error = Infallible,
    Future: Send,
> + Clone
       + Send
       + 'static
where
    B: Send + 'static,
{
    // With `isolated`, a page may load other origins only with CORS or CORP.
    let isolation = |value: &'static str| isolated.then(|| HeaderValue::from_static(value));
    let header =
        |name, value| SetResponseHeaderLayer::overriding(name, HeaderValue::from_static(value));
    ServiceBuilder::new()
        .map_response(permanent_redirect)
        .layer(SetResponseHeaderLayer::overriding(
            header::CONTENT_TYPE,
            content_type::<ServeFileSystemResponseBody>,
        ))
        // Revalidate on every load (`no-cache`), but not `no-store`: that
        // would keep the pages out of the browser's back/forward cache.
        .layer(header(header::CACHE_CONTROL, "no-cache"))
        .layer(header(header::PRAGMA, "no-cache"))
        .layer(header(header::EXPIRES, "0"))
        .layer(SetResponseHeaderLayer::overriding(
            HeaderName::from_static("cross-origin-opener-policy"),
            isolation("same-origin"),
        ))
        .layer(SetResponseHeaderLayer::overriding(
            HeaderName::from_static("cross-origin-embedder-policy"),
            isolation("require-corp"),
        ))
        .service(ServeDir::new(root))
}

/// The `Content-Type` to send instead of ServeDir's, if another:
/// JavaScript modules as `text/javascript`, and text with its charset.
///
/// Hand-written on purpose: the test `static_files` (tests/http.rs) wants
/// `text/html; charset=utf-8`, and `text/javascript; charset=utf-8` for both
/// `.js` and `.mjs`, where ServeDir's MIME guess is `text/html`,
/// `text/javascript` and `application/javascript`.
fn content_type<B>(res: &Response<B>) -> Option<HeaderValue> {
    let guessed = res.headers().get(header::CONTENT_TYPE)?.to_str().ok()?;
    let essence = match guessed {
        "application/javascript" => "text/javascript",
        other => other,
    };
    let wanted = if (essence.starts_with("text/") || essence == "application/json")
        && !essence.contains(';')
    {
        format!("{essence}; charset=utf-8")
    } else {
        essence.to_owned()
    };
    (wanted != guessed)
        .then(|| HeaderValue::from_str(&wanted).ok())
        .flatten()
}

/// ServeDir sends a directory's path without its trailing slash to the
/// path with it (relative links in the index page need it) with a 307;
/// this listener answers 301, which browsers remember.
///
/// Hand-written on purpose: the test `static_files` (tests/http.rs) wants
/// 301 with `Location: /sub/` for `/sub`.
fn permanent_redirect<B>(mut res: Response<B>) -> Response<B> {
    if res.status() == StatusCode::TEMPORARY_REDIRECT
        && res.headers().contains_key(header::LOCATION)
    {
        *res.status_mut() = StatusCode::MOVED_PERMANENTLY;
    }
    res
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sent_for(guessed: &str) -> String {
        let mut res = Response::new(());
        res.headers_mut().insert(
            header::CONTENT_TYPE,
            HeaderValue::from_str(guessed).unwrap(),
        );
        let value = content_type(&res);
        value.map_or(guessed.to_owned(), |v| v.to_str().unwrap().to_owned())
    }

    #[test]
    fn types() {
        assert_eq!(sent_for("application/wasm"), "application/wasm");
        assert_eq!(
            sent_for("application/javascript"),
            "text/javascript; charset=utf-8"
        );
        assert_eq!(
            sent_for("text/javascript"),
            "text/javascript; charset=utf-8"
        );
        assert_eq!(sent_for("text/html"), "text/html; charset=utf-8");
        assert_eq!(
            sent_for("application/json"),
            "application/json; charset=utf-8"
        );
        assert_eq!(
            sent_for("text/plain; charset=latin1"),
            "text/plain; charset=latin1"
        );
        assert_eq!(
            sent_for("application/octet-stream"),
            "application/octet-stream"
        );
        assert!(content_type(&Response::new(())).is_none());
    }

    #[test]
    fn redirects_are_permanent() {
        let mut res = Response::new(());
        *res.status_mut() = StatusCode::TEMPORARY_REDIRECT;
        res.headers_mut()
            .insert(header::LOCATION, HeaderValue::from_static("/sub/"));
        assert_eq!(
            permanent_redirect(res).status(),
            StatusCode::MOVED_PERMANENTLY
        );
        let res = Response::new(());
        assert_eq!(permanent_redirect(res).status(), StatusCode::OK);
    }
}
