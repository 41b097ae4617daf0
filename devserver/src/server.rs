//! Listeners and the per-connection HTTP/1.1 services. Each API request
//! passes through [`handle`], which records it and takes any injected fault,
//! then through the CORS layer (which answers preflights itself, and which a
//! `nocors` fault skips) to [`respond`], which reads the body and answers as
//! the throttler, the fault or the axum router says.

use std::io;
use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::sync::Arc;
use std::time::Duration;

use axum::body::Body;
use axum::http::{header, HeaderValue, Method, Request, Response, StatusCode};
use axum::Router;
use http_body_util::{BodyExt, LengthLimitError, Limited};
use hyper::body::Incoming;
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper_util::rt::TokioIo;
use serde_json::Value;
use tokio::net::{TcpListener, TcpStream};
use tower::ServiceExt;

use crate::app;
use crate::auth::Auth;
use crate::config::Config;
use crate::cors::Cors;
use crate::faults::{self, Fault, Faults, Kind, Seen};
use crate::json::nest_error;
use crate::state::{AppState, Shared};
use crate::static_files;
use crate::test_api;
use crate::throttle::{self, Throttle};

/// Request bodies larger than this are refused with 413.
const BODY_LIMIT: usize = 1 << 20;

/// A started server. Its listeners run on the Tokio runtime that started it.
pub struct Running {
    /// The API listener.
    pub addr: SocketAddr,
    /// The static file listener, with `--static-dir`.
    pub static_addr: Option<SocketAddr>,
    state: Shared,
}

impl Running {
    /// Requests currently waiting inside a `hang` fault.
    pub fn hanging_requests(&self) -> usize {
        self.state.faults.hanging()
    }
}

/// Binds the listeners (127.0.0.1 only) and spawns their accept loops.
pub async fn start(config: Config) -> io::Result<Running> {
    let secret = match &config.jwt_secret {
        Some(secret) => secret.as_bytes().to_vec(),
        None => random_bytes(32)?,
    };
    let jti_prefix: String = random_bytes(8)?
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    let state = Arc::new(AppState {
        auth: Auth::new(&secret, jti_prefix, config.secure_cookies),
        cors: Cors::new(&config.allow_origins),
        faults: Faults::default(),
        test_faults: config.test_faults,
        missing_cookie_500: config.missing_cookie_500,
        throttle: Throttle::new(config.throttle),
    });
    let listener = TcpListener::bind((Ipv4Addr::LOCALHOST, config.port)).await?;
    let addr = listener.local_addr()?;
    let static_listener = match &config.static_dir {
        Some(dir) => {
            if !dir.is_dir() {
                return Err(io::Error::new(
                    io::ErrorKind::NotFound,
                    format!("--static-dir {} is not a directory", dir.display()),
                ));
            }
            let listener = TcpListener::bind((Ipv4Addr::LOCALHOST, config.static_port)).await?;
            Some((listener, dir.clone()))
        }
        None => None,
    };
    let static_addr = match &static_listener {
        Some((listener, _)) => Some(listener.local_addr()?),
        None => None,
    };

    let api = Api {
        router: api_router(&state),
        state: state.clone(),
    };
    tokio::spawn(accept_loop(listener, move |stream| {
        tokio::spawn(serve_api(stream, api.clone()));
    }));
    if let Some((listener, dir)) = static_listener {
        let service = static_files::service::<Incoming>(&dir, config.cross_origin_isolated);
        tokio::spawn(accept_loop(listener, move |stream| {
            let service = service.clone();
            let service = service_fn(move |req| service.clone().oneshot(req));
            // Errors here are clients going away; nothing to do about them.
            tokio::spawn(http1::Builder::new().serve_connection(TokioIo::new(stream), service));
        }));
    }
    Ok(Running {
        addr,
        static_addr,
        state,
    })
}

fn random_bytes(n: usize) -> io::Result<Vec<u8>> {
    let mut buf = vec![0; n];
    getrandom::fill(&mut buf)
        .map_err(|e| io::Error::other(format!("no system randomness: {e}")))?;
    Ok(buf)
}

async fn accept_loop(listener: TcpListener, mut on_connection: impl FnMut(TcpStream)) {
    loop {
        match listener.accept().await {
            Ok((stream, _)) => {
                let _ = stream.set_nodelay(true);
                on_connection(stream);
            }
            Err(e) => {
                // Typically out of file descriptors: back off instead of spinning.
                eprintln!("accept failed: {e}");
                tokio::time::sleep(Duration::from_millis(100)).await;
            }
        }
    }
}

/// What every connection of the API listener shares.
#[derive(Clone)]
struct Api {
    state: Shared,
    router: Router,
}

/// The API's routes, with the test endpoints when they are enabled, and the
/// NestJS 404 for any other route.
fn api_router(state: &Shared) -> Router {
    let mut router = app::routes();
    if state.test_faults {
        router = router.merge(test_api::routes());
    }
    router
        .fallback(app::not_found)
        .method_not_allowed_fallback(app::not_found)
        .with_state(state.clone())
}

async fn serve_api(stream: TcpStream, api: Api) {
    let peer = stream.peer_addr().map_or(IpAddr::V4(Ipv4Addr::LOCALHOST), |a| a.ip());
    let service = service_fn(move |req| handle(api.clone(), peer, req));
    // Errors here are clients going away; nothing to do about them.
    let _ = http1::Builder::new()
        .serve_connection(TokioIo::new(stream), service)
        .await;
}

/// Returned by [`handle`] to make the connection close without an answer.
#[derive(Debug)]
pub struct CloseConnection;

impl std::fmt::Display for CloseConnection {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("connection closed without a response")
    }
}

impl std::error::Error for CloseConnection {}

/// Whether a path is part of the API as the request record and faults see it
/// (not the health check nor the test endpoints themselves).
fn is_api_path(path: &str) -> bool {
    path != "/health" && path != "/__test" && !path.starts_with("/__test/")
}

async fn handle(
    api: Api,
    peer: IpAddr,
    req: Request<Incoming>,
) -> Result<Response<Body>, CloseConnection> {
    let state = api.state.clone();
    let path = req.uri().path().to_owned();
    let api_path = is_api_path(&path);
    if api_path && state.test_faults {
        state.faults.record(seen(&req));
    }
    if req.method() == Method::OPTIONS {
        return Ok(state.cors.preflight(req).await);
    }
    let fault = if api_path && state.test_faults {
        state.faults.take(&path)
    } else {
        None
    };
    let inner = tower::service_fn(move |req| respond(api.clone(), peer, fault, req));
    if fault.is_some_and(|f| f.kind == Kind::NoCors) {
        inner.oneshot(req).await
    } else {
        state.cors.with_cors(inner).oneshot(req).await
    }
}

/// Everything after CORS: the body, the throttler, the fault, the route.
async fn respond(
    api: Api,
    peer: IpAddr,
    fault: Option<Fault>,
    req: Request<Incoming>,
) -> Result<Response<Body>, CloseConnection> {
    let state = &api.state;
    let path = req.uri().path().to_owned();
    // Read the whole body first, so that a client that goes away while its
    // request waits (hang, hold) is noticed and the request dropped.
    let (parts, body) = req.into_parts();
    let body = match Limited::new(body, BODY_LIMIT).collect().await {
        Ok(collected) => collected.to_bytes(),
        Err(e) if e.is::<LengthLimitError>() => {
            return Ok(nest_error(
                StatusCode::PAYLOAD_TOO_LARGE,
                Value::from("request entity too large"),
                Some("Payload Too Large"),
            ));
        }
        Err(_) => return Err(CloseConnection),
    };
    let req = Request::from_parts(parts, Body::from(body));

    // The throttler guards register, login and refresh (after CORS
    // preflights, before the route, as the NestJS guard does).
    let throttled = req.method() == Method::POST
        && throttle::GUARDED_PATHS.contains(&path.as_str())
        && state.throttle.over_limit(peer);
    let router = api.router.clone();
    Ok(match fault.map(|f| (f.kind, f)) {
        None if throttled => throttle::too_many_requests(),
        None => normal(router, req).await,
        Some((Kind::Status, f)) => faults::status_response(f.status),
        Some((Kind::Hang, f)) => {
            state.faults.hang(f.ms).await;
            normal(router, req).await
        }
        Some((Kind::Hold, _)) => {
            state.faults.hold(&path).await;
            normal(router, req).await
        }
        Some((Kind::Drop, _)) => return Err(CloseConnection),
        Some((Kind::Truncate, _)) => faults::truncated_response(),
        Some((Kind::Malformed, _)) => faults::malformed_response(),
        // The normal answer; `handle` left the CORS layer out.
        Some((Kind::NoCors, _)) => normal(router, req).await,
    })
}

async fn normal(router: Router, req: Request<Body>) -> Response<Body> {
    match router.oneshot(req).await {
        Ok(res) => res,
        Err(never) => match never {},
    }
}

fn seen(req: &Request<Incoming>) -> Seen {
    let header = |name: header::HeaderName| {
        req.headers()
            .get(name)
            .map(|v: &HeaderValue| String::from_utf8_lossy(v.as_bytes()).into_owned())
    };
    Seen {
        method: req.method().to_string(),
        path: req
            .uri()
            .path_and_query()
            .map_or_else(|| req.uri().path().to_owned(), |pq| pq.as_str().to_owned()),
        authorization: header(header::AUTHORIZATION),
        origin: header(header::ORIGIN),
        cookie: app::refresh_cookie(req.headers()).is_some(),
    }
}
