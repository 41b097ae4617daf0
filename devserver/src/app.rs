//! The API routes: `/health` and `/auth/*`, and the answer to any other
//! route.

use axum::body::{Body, Bytes};
use axum::extract::State;
use axum::http::{header, HeaderMap, HeaderValue, Method, Response, StatusCode, Uri};
use axum::routing::{get, post};
use axum::Router;
use serde_json::Value;

use crate::accounts::{Resend, Verification};
use crate::auth::{self, REFRESH_COOKIE};
use crate::dto;
use crate::json::{self, nest_error};
use crate::state::Shared;

/// The API's routes (the server adds the test endpoints and the fallback
/// for other routes, [`not_found`]).
pub fn routes() -> Router<Shared> {
    Router::new()
        .route("/health", get(health))
        .route("/auth/register", post(register))
        .route("/auth/verify-email", post(verify_email))
        .route("/auth/resend-code", post(resend_code))
        .route("/auth/login", post(login))
        .route("/auth/refresh", post(refresh))
        .route("/auth/logout", post(logout))
        .route("/auth/me", get(me))
}

async fn health() -> &'static str {
    "ok"
}

/// Express/NestJS answer for an unknown route (also for a known path with
/// another method).
pub async fn not_found(method: Method, uri: Uri) -> Response<Body> {
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

fn conflict(message: &str) -> Response<Body> {
    nest_error(StatusCode::CONFLICT, Value::from(message), Some("Conflict"))
}

fn message_response(status: StatusCode, message: &str) -> Response<Body> {
    json::response(status, json::object(&[("message", Value::from(message))]))
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

async fn login(State(state): State<Shared>, headers: HeaderMap, body: Bytes) -> Response<Body> {
    let (email, password) = match dto::validate_login(&headers, &body) {
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
    match auth.find_by_email(&email) {
        Some(user) if user.password == password => {
            if user.verified {
                tokens_response(auth.issue(&user))
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

/// 201 with a message and no session: the member must verify the email
/// with the code that was "mailed" (kept for `GET /__test/code`).
async fn register(State(state): State<Shared>, headers: HeaderMap, body: Bytes) -> Response<Body> {
    let registration = match dto::validate_register(&headers, &body) {
        Ok(registration) => registration,
        Err(message) => return bad_request(message),
    };
    let email = registration.email.clone();
    if !state.auth.register(registration) {
        return conflict("Email already exists");
    }
    mail(&state, &email);
    message_response(
        StatusCode::CREATED,
        "User registered successfully. Please check your email for verification code.",
    )
}

/// The right code verifies the email and answers like a login (a session);
/// an expired one deletes the registration.
async fn verify_email(
    State(state): State<Shared>,
    headers: HeaderMap,
    body: Bytes,
) -> Response<Body> {
    let (email, code) = match dto::validate_verify(&headers, &body) {
        Ok(fields) => fields,
        Err(message) => return bad_request(message),
    };
    match state.auth.verify_email(&email, &code) {
        Verification::UnknownEmail => unauthorized("User not found"),
        Verification::AlreadyVerified => message_response(StatusCode::OK, "Email already verified"),
        Verification::Expired => unauthorized(
            "El código ha expirado. Su registro ha sido eliminado por seguridad. Por favor, regístrese de nuevo.",
        ),
        Verification::WrongCode => {
            unauthorized("Código de verificación incorrecto. Inténtelo de nuevo.")
        }
        Verification::Verified(user) => tokens_response(state.auth.issue(&*user)),
    }
}

/// A new code, valid 15 minutes from now.
async fn resend_code(
    State(state): State<Shared>,
    headers: HeaderMap,
    body: Bytes,
) -> Response<Body> {
    let email = match dto::validate_resend(&headers, &body) {
        Ok(email) => email,
        Err(message) => return bad_request(message),
    };
    match state.auth.resend_code(&email) {
        Resend::UnknownEmail => unauthorized("User not found"),
        Resend::AlreadyVerified => conflict("Email already verified"),
        Resend::Sent => {
            mail(&state, &email);
            message_response(StatusCode::OK, "Verification code resent successfully")
        }
    }
}

/// The "mail" with a verification code: a line on standard output, so that
/// whoever runs the server (`make demo`) can finish a sign-up by hand.
fn mail(state: &Shared, email: &str) {
    if let Some(code) = state.auth.verification_code(email) {
        println!("mail to {email}: verification code {}", code.code);
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
        Some(user) => tokens_response(state.auth.issue(&user)),
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
