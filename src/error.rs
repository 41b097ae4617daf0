//! The SDK's one error type. In JavaScript it becomes an `Error` whose
//! `name` is `"AuthError"`, with a string `code` and, for HTTP failures, the
//! `status`.

/// Every way an SDK call can fail.
#[derive(Clone, Debug, PartialEq)]
pub enum AuthError {
    /// An option is missing, of the wrong type or out of range. `field` is the
    /// option's name as written in JavaScript (`paths.logout`, `timeoutMs`).
    InvalidOption { field: String, problem: &'static str },
    /// A method was called with a bad argument, e.g. `login({ email: 5 })`.
    InvalidArgument { field: &'static str, problem: &'static str },
    /// The server rejected the email and password (401).
    InvalidCredentials { message: String },
    /// The server rejected the request's content (400).
    InvalidRequest { message: String },
    /// Too many attempts (429).
    RateLimited { message: String },
    /// The request conflicts with the server's state (409): the email of a
    /// registration exists already, or the one a code is asked for is
    /// verified already.
    Conflict { message: String },
    /// verify-email answered 200 without a session: the address was
    /// verified before (sign in with the password instead).
    AlreadyVerified { message: String },
    /// The access token was missing, invalid or expired (401 outside login).
    Unauthorized { message: String },
    /// Any other non-2xx answer.
    Server { status: u16, message: String },
    /// The server's answer could not be read.
    InvalidResponse { status: u16 },
    /// The request never got an answer (connection refused, reset, CORS).
    Network,
    /// No answer within `timeoutMs`.
    Timeout,
    /// The call needs a signed-in session and there is none.
    NotSignedIn,
    /// A logout began while this call was in flight; its result was discarded.
    Superseded,
}

impl AuthError {
    /// The documented, stable machine-readable code.
    pub fn code(&self) -> &'static str {
        match self {
            AuthError::InvalidOption { .. } => "invalid_option",
            AuthError::InvalidArgument { .. } => "invalid_argument",
            AuthError::InvalidCredentials { .. } => "invalid_credentials",
            AuthError::InvalidRequest { .. } => "invalid_request",
            AuthError::RateLimited { .. } => "rate_limited",
            AuthError::Conflict { .. } => "conflict",
            AuthError::AlreadyVerified { .. } => "already_verified",
            AuthError::Unauthorized { .. } => "unauthorized",
            AuthError::Server { .. } => "server",
            AuthError::InvalidResponse { .. } => "invalid_response",
            AuthError::Network => "network",
            AuthError::Timeout => "timeout",
            AuthError::NotSignedIn => "not_signed_in",
            AuthError::Superseded => "superseded",
        }
    }

    /// The HTTP status, where the failure is an HTTP answer.
    pub fn status(&self) -> Option<u16> {
        match self {
            AuthError::InvalidCredentials { .. } | AuthError::Unauthorized { .. } => Some(401),
            AuthError::InvalidRequest { .. } => Some(400),
            AuthError::RateLimited { .. } => Some(429),
            AuthError::Conflict { .. } => Some(409),
            AuthError::AlreadyVerified { .. } => Some(200),
            AuthError::Server { status, .. } | AuthError::InvalidResponse { status } => Some(*status),
            _ => None,
        }
    }

    /// A sentence for people. Never contains a token.
    pub fn message(&self) -> String {
        match self {
            AuthError::InvalidOption { field, problem } => sentence(field, problem),
            AuthError::InvalidArgument { field, problem } => sentence(field, problem),
            AuthError::InvalidCredentials { message }
            | AuthError::InvalidRequest { message }
            | AuthError::RateLimited { message }
            | AuthError::Conflict { message }
            | AuthError::AlreadyVerified { message }
            | AuthError::Unauthorized { message }
            | AuthError::Server { message, .. } => message.clone(),
            AuthError::InvalidResponse { .. } => "the server's answer could not be read".into(),
            AuthError::Network => "the server could not be reached".into(),
            AuthError::Timeout => "the server did not answer in time".into(),
            AuthError::NotSignedIn => "there is no signed-in session".into(),
            AuthError::Superseded => "a logout began while the request was in flight".into(),
        }
    }

    /// An invalid option; one function for every call site (smaller module).
    #[inline(never)]
    pub(crate) fn option(field: &str, problem: &'static str) -> Self {
        AuthError::InvalidOption { field: field.to_owned(), problem }
    }
}

/// "<field> <problem>": messages about inputs start with the field's name.
fn sentence(field: &str, problem: &str) -> String {
    let mut m = String::with_capacity(field.len() + problem.len() + 1);
    m.push_str(field);
    m.push_str(" ");
    m.push_str(problem);
    m
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn option_errors_name_the_field() {
        let e = AuthError::option("paths.logout", "must start with \"/\"");
        assert_eq!(e.code(), "invalid_option");
        assert_eq!(e.message(), "paths.logout must start with \"/\"");
        assert_eq!(e.status(), None);
    }

    #[test]
    fn http_errors_carry_their_status() {
        assert_eq!(AuthError::RateLimited { message: String::new() }.status(), Some(429));
        assert_eq!(AuthError::Server { status: 503, message: String::new() }.status(), Some(503));
        assert_eq!(AuthError::Timeout.status(), None);
        assert_eq!(AuthError::Timeout.code(), "timeout");
    }
}
