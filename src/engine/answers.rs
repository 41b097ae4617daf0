//! What an answer of the API means: its token, its message, the AuthError
//! of a non-2xx answer.

use crate::effects::{HttpFailure, HttpResponse};
use crate::error::AuthError;

impl From<HttpFailure> for AuthError {
    fn from(f: HttpFailure) -> AuthError {
        match f {
            HttpFailure::Timeout => AuthError::Timeout,
            HttpFailure::Network => AuthError::Network,
        }
    }
}

/// Whether a logout's answer confirms it (2xx).
pub(super) fn confirmed(answer: &Result<HttpResponse, HttpFailure>) -> bool {
    matches!(answer, Ok(r) if (200..300).contains(&r.status))
}

pub(super) fn access_token_of(response: &HttpResponse) -> Result<String, AuthError> {
    response.token.clone().ok_or(AuthError::InvalidResponse { status: response.status })
}

/// The error of a non-2xx answer to the calls made with the member's
/// credentials (login, register, verify-email, resend-code): a 401 says
/// they were refused.
pub fn answer_error(response: &HttpResponse) -> AuthError {
    match response.status {
        401 => AuthError::InvalidCredentials { message: server_message(response) },
        _ => http_error(response),
    }
}

/// The human message of an error body (`message` as a string, or the items
/// of a validation array joined), else a generic one with the status.
pub fn server_message(response: &HttpResponse) -> String {
    response.message.clone().unwrap_or_else(|| {
        let mut out = String::from("the server answered ");
        push_u16(&mut out, response.status);
        out
    })
}

pub(super) fn push_u16(out: &mut String, n: u16) {
    // Digits as strings: pushing a char would bring UTF-8 encoding along.
    const DIGITS: [&str; 10] = ["0", "1", "2", "3", "4", "5", "6", "7", "8", "9"];
    let mut digits = [0usize; 5];
    let mut i = digits.len();
    let mut n = usize::from(n);
    loop {
        i -= 1;
        if let Some(d) = digits.get_mut(i) {
            *d = n % 10;
        }
        n /= 10;
        if n == 0 || i == 0 {
            break;
        }
    }
    while let Some(d) = digits.get(i) {
        out.push_str(DIGITS.get(*d).copied().unwrap_or_default());
        i += 1;
    }
}

pub fn http_error(response: &HttpResponse) -> AuthError {
    let message = server_message(response);
    match response.status {
        400 => AuthError::InvalidRequest { message },
        401 => AuthError::Unauthorized { message },
        409 => AuthError::Conflict { message },
        429 => AuthError::RateLimited { message },
        status => AuthError::Server { status, message },
    }
}
