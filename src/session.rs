//! The session state: signed in with a token, or signed out with a reason.

use crate::jwt::Claims;

/// Why a session ended.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Reason {
    /// `logout()` was called in this tab.
    Logout,
    /// The token expired and could not be renewed.
    Expired,
    /// Another tab of this app signed out.
    OtherTab,
    /// The server refused the session.
    ServerRejected,
}

impl Reason {
    pub fn as_str(self) -> &'static str {
        match self {
            Reason::Logout => "logout",
            Reason::Expired => "expired",
            Reason::OtherTab => "other_tab",
            Reason::ServerRejected => "server_rejected",
        }
    }
}

/// A renewal of the token that failed for a passing reason (throttled, the
/// server briefly down, the network gone): the session stays signed in and
/// the refresh is tried again.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Renewal {
    /// The error code of the last attempt: `rate_limited`, `server`,
    /// `network` or `timeout`.
    pub code: &'static str,
    /// Failed attempts in a row.
    pub attempts: u32,
    /// When the next attempt is due, in milliseconds since the epoch.
    pub retry_at: f64,
}

#[derive(Clone, Debug, PartialEq)]
pub enum Session {
    /// `renewal` is set while a renewal is waiting to be retried. `token` is
    /// `None` while a session restored from the refresh cookie has no access
    /// token yet (the restore at start failed for a passing reason).
    SignedIn { token: Option<String>, claims: Option<Claims>, renewal: Option<Renewal> },
    /// `reason` is `None` when no session existed to begin with.
    SignedOut { reason: Option<Reason> },
}

impl Session {
    pub fn status(&self) -> &'static str {
        match self {
            Session::SignedIn { .. } => "signedIn",
            Session::SignedOut { .. } => "signedOut",
        }
    }

    pub fn claims(&self) -> Option<&Claims> {
        match self {
            Session::SignedIn { claims, .. } => claims.as_ref(),
            Session::SignedOut { .. } => None,
        }
    }

    pub fn reason(&self) -> Option<Reason> {
        match self {
            Session::SignedIn { .. } => None,
            Session::SignedOut { reason } => *reason,
        }
    }

    /// The renewal waiting to be retried, if any.
    pub fn renewal(&self) -> Option<Renewal> {
        match self {
            Session::SignedIn { renewal, .. } => *renewal,
            Session::SignedOut { .. } => None,
        }
    }

    /// Milliseconds since the epoch at which the token expires, if it says.
    pub fn expires_at_ms(&self) -> Option<f64> {
        self.claims().and_then(|c| c.exp).map(|s| s * 1000.0)
    }
}
