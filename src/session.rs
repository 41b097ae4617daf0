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

#[derive(Clone, Debug, PartialEq)]
pub enum Session {
    SignedIn { token: String, claims: Option<Claims> },
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

    /// Milliseconds since the epoch at which the token expires, if it says.
    pub fn expires_at_ms(&self) -> Option<f64> {
        self.claims().and_then(|c| c.exp).map(|s| s * 1000.0)
    }
}
