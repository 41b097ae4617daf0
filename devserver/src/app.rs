//! The API routes: `/health`, `/auth/*`, and (with `--test-faults`) `/__test/*`.

use std::sync::Arc;

use axum::body::{Body, Bytes};
use axum::extract::State;
use axum::http::{header, HeaderMap, HeaderValue, Method, Response, StatusCode, Uri};
use axum::routing::{get, post};
use axum::Router;
use serde_json::Value;

use crate::auth::{self, Auth, REFRESH_COOKIE};
use crate::cors::Cors;
use crate::faults::Faults;
use crate::json::{self, nest_error};
use crate::test_api;

/// Everything the handlers share.
pub struct AppState {
    pub auth: Auth,
    pub cors: Cors,
    pub faults: Faults,
    pub test_faults: bool,
    pub missing_cookie_500: bool,
    pub throttle: crate::throttle::Throttle,
}

pub type Shared = Arc<AppState>;

pub fn router(state: Shared) -> Router {
    let mut router = Router::new()
        .route("/health", get(health))
        .route("/auth/login", post(login))
        .route("/auth/refresh", post(refresh))
        .route("/auth/logout", post(logout))
        .route("/auth/me", get(me));
    if state.test_faults {
        router = router.merge(test_api::routes());
    }
    router
        .fallback(not_found)
        .method_not_allowed_fallback(not_found)
        .with_state(state)
}

async fn health() -> &'static str {
    "ok"
}

/// Express/NestJS answer for an unknown route (also for a known path with
/// another method).
async fn not_found(method: Method, uri: Uri) -> Response<Body> {
    let target = uri.path_and_query().map_or(uri.path(), |pq| pq.as_str());
    nest_error(
        StatusCode::NOT_FOUND,
        Value::from(format!("Cannot {method} {target}")),
        Some("Not Found"),
    )
}

fn unauthorized(message: &str) -> Response<Body> {
    nest_error(
        StatusCode::UNAUTHORIZED,
        Value::from(message),
        Some("Unauthorized"),
    )
}

fn bad_request(message: Value) -> Response<Body> {
    nest_error(StatusCode::BAD_REQUEST, message, Some("Bad Request"))
}

/// 200 `{"access_token": ...}` with the refresh cookie.
fn tokens_response(issued: auth::Issued) -> Response<Body> {
    let mut res = json::response(
        StatusCode::OK,
        json::object(&[("access_token", Value::from(issued.access_token))]),
    );
    set_cookie(&mut res, &issued.set_cookie);
    res
}

fn set_cookie(res: &mut Response<Body>, value: &str) {
    if let Ok(value) = HeaderValue::from_str(value) {
        res.headers_mut().append(header::SET_COOKIE, value);
    }
}

/// Validates a login body the way the NestJS `ValidationPipe` (whitelist,
/// forbidNonWhitelisted) does for `{ @IsEmail() email; @IsString() @IsNotEmpty() password }`.
/// A JSON content type with a body that does not parse is a 400 with a string
/// message; any other content type counts as an empty object, as in Express.
/// The error is the `message` of the 400 answer.
pub fn validate_login(headers: &HeaderMap, body: &[u8]) -> Result<(String, String), Value> {
    let is_json = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(';').next())
        .map(|v| v.trim().to_ascii_lowercase())
        .is_some_and(|v| v == "application/json" || v.ends_with("+json"));
    let value = if is_json && !body.iter().all(u8::is_ascii_whitespace) {
        match serde_json::from_slice::<Value>(body) {
            Ok(v @ (Value::Object(_) | Value::Array(_))) => v,
            Ok(_) => return Err(Value::from("Request body must be a JSON object")),
            Err(e) => return Err(Value::from(format!("Invalid JSON in request body: {e}"))),
        }
    } else {
        Value::Object(Default::default())
    };
    let empty = serde_json::Map::new();
    let obj = value.as_object().unwrap_or(&empty);

    let mut messages: Vec<Value> = obj
        .keys()
        .filter(|k| *k != "email" && *k != "password")
        .map(|k| Value::from(format!("property {k} should not exist")))
        .collect();
    let email = obj
        .get("email")
        .and_then(Value::as_str)
        .filter(|e| looks_like_email(e));
    if email.is_none() {
        messages.push("email must be an email".into());
    }
    let password = obj.get("password");
    if !password.is_some_and(Value::is_string) {
        messages.push("password must be a string".into());
    }
    if password.is_none_or(|p| p.is_null() || p.as_str() == Some("")) {
        messages.push("password should not be empty".into());
    }
    match (email, password.and_then(Value::as_str)) {
        (Some(email), Some(password)) if messages.is_empty() => {
            Ok((email.to_owned(), password.to_owned()))
        }
        _ => Err(Value::Array(messages)),
    }
}

/// A plain `local@domain.tld` check, close enough to `IsEmail` for a dev server.
fn looks_like_email(s: &str) -> bool {
    let Some((local, domain)) = s.split_once('@') else {
        return false;
    };
    let labels_ok = domain.split('.').count() >= 2
        && domain.split('.').all(|l| {
            !l.is_empty()
                && !l.starts_with('-')
                && !l.ends_with('-')
                && l.chars().all(|c| c.is_alphanumeric() || c == '-')
        });
    !local.is_empty()
        && !local.starts_with('.')
        && !local.ends_with('.')
        && !local.contains("..")
        && !local
            .contains(|c: char| c.is_whitespace() || c.is_control() || "@<>()[]\\,;:\"".contains(c))
        && labels_ok
}

async fn login(State(state): State<Shared>, headers: HeaderMap, body: Bytes) -> Response<Body> {
    let (email, password) = match validate_login(&headers, &body) {
        Ok(creds) => creds,
        Err(message) => return bad_request(message),
    };
    let auth = &state.auth;
    if auth.throttled(&email) {
        let mut res = nest_error(
            StatusCode::TOO_MANY_REQUESTS,
            Value::from("ThrottlerException: Too Many Requests"),
            Some("Too Many Requests"),
        );
        res.headers_mut().insert(
            header::RETRY_AFTER,
            HeaderValue::from(auth::THROTTLE_WINDOW.as_secs()),
        );
        return res;
    }
    match auth::find_by_email(&email) {
        Some(user) if user.password == password => {
            if user.email_verified {
                tokens_response(auth.issue(user))
            } else {
                auth.record_failed_login(&email);
                unauthorized(auth::UNVERIFIED_MESSAGE)
            }
        }
        _ => {
            auth.record_failed_login(&email);
            unauthorized("Invalid credentials")
        }
    }
}

/// The `refresh_token` cookie value, if a non-empty one came.
pub fn refresh_cookie(headers: &HeaderMap) -> Option<&str> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(name, value)| *name == REFRESH_COOKIE && !value.is_empty())
        .map(|(_, value)| value.trim_matches('"'))
}

async fn refresh(State(state): State<Shared>, headers: HeaderMap) -> Response<Body> {
    let Some(token) = refresh_cookie(&headers) else {
        return if state.missing_cookie_500 {
            nest_error(
                StatusCode::INTERNAL_SERVER_ERROR,
                Value::from("Internal server error"),
                None,
            )
        } else {
            unauthorized("Refresh token not found")
        };
    };
    match state.auth.use_refresh_token(token) {
        Some(user) => tokens_response(state.auth.issue(user)),
        None => unauthorized("Invalid refresh token"),
    }
}

/// Stateless, like the real API: only tells the browser to drop the cookie.
async fn logout(State(state): State<Shared>) -> Response<Body> {
    let mut res = json::response(
        StatusCode::OK,
        json::object(&[("message", Value::from("Logged out successfully"))]),
    );
    set_cookie(&mut res, &state.auth.clearing_cookie());
    res
}

async fn me(State(state): State<Shared>, headers: HeaderMap) -> Response<Body> {
    let user = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split_once(' '))
        .filter(|(scheme, _)| scheme.eq_ignore_ascii_case("bearer"))
        .and_then(|(_, token)| state.auth.user_for_access_token(token.trim()));
    match user {
        Some(user) => json::response(StatusCode::OK, user.to_json()),
        None => nest_error(StatusCode::UNAUTHORIZED, Value::from("Unauthorized"), None),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn messages(body: &str, content_type: &str) -> Value {
        let mut headers = HeaderMap::new();
        headers.insert(
            header::CONTENT_TYPE,
            HeaderValue::from_str(content_type).unwrap(),
        );
        match validate_login(&headers, body.as_bytes()) {
            Ok(creds) => panic!("accepted {creds:?}"),
            Err(message) => message,
        }
    }

    #[test]
    fn login_validation_messages() {
        let j = "application/json";
        assert_eq!(
            messages("{}", j),
            serde_json::json!([
                "email must be an email",
                "password must be a string",
                "password should not be empty"
            ])
        );
        assert_eq!(
            messages(r#"{"email":"demo@sociapp.dev","password":"x","foo":1}"#, j),
            serde_json::json!(["property foo should not exist"])
        );
        assert_eq!(
            messages(r#"{"email":"nope","password":""}"#, j),
            serde_json::json!(["email must be an email", "password should not be empty"])
        );
        assert_eq!(
            messages(r#"{"email":"a@b.co","password":5}"#, j),
            serde_json::json!(["password must be a string"])
        );
        assert!(messages("{\"email\":", j).is_string());
        assert!(messages("not json", j).is_string());
        assert!(messages(r#"{"email":"a@b.co","password":"x"}"#, "text/plain").is_array());
    }

    #[test]
    fn emails() {
        for ok in ["demo@sociapp.dev", "a.b+c@x-y.example.org"] {
            assert!(looks_like_email(ok), "{ok}");
        }
        for bad in [
            "", "a", "a@", "@b.c", "a@b", "a b@c.d", "a@b..c", "a@@b.c", "a@-b.c",
        ] {
            assert!(!looks_like_email(bad), "{bad}");
        }
    }

    #[test]
    fn cookie_parsing() {
        let mut headers = HeaderMap::new();
        headers.append(
            header::COOKIE,
            HeaderValue::from_static("a=1; refresh_token=; x=2"),
        );
        assert_eq!(refresh_cookie(&headers), None);
        headers.append(
            header::COOKIE,
            HeaderValue::from_static("refresh_token=abc"),
        );
        assert_eq!(refresh_cookie(&headers), Some("abc"));
    }
}
