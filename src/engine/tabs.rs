//! The app's other tabs: what this tab tells them, and what it learns from
//! them and from the storage they share.

use super::{DebugKind, Effects, Engine, Failure, StepFailure};
use crate::effects::{Clock, TabMessage, Tabs};
use crate::jwt;
use crate::options::TokenStorage;
use crate::session::Reason;

impl<E: Effects> Engine<E> {
    /// Tells the other tabs, and the debug stream.
    pub(super) fn post(&self, message: TabMessage) {
        self.fx.tabs.post(message);
        self.debug(DebugKind::TabSent, Some(message.as_str()), f64::NAN, f64::NAN);
    }

    /// Another tab signed out: end this tab's session too (no server call:
    /// the other tab made it) with reason `other_tab`. `None` when there was
    /// no session here to end.
    pub fn other_tab_signed_out(&self) -> Option<Vec<StepFailure<Failure<E>>>> {
        if self.is_signed_in() {
            Some(self.begin_sign_out(Reason::OtherTab))
        } else {
            None
        }
    }

    /// Brings this tab in line with storage, after another tab signed in or
    /// out, or a restore from the back/forward cache. Returns the sign-out to
    /// finish when the session here ended.
    pub fn sync_from_storage(&self) -> Option<Vec<StepFailure<Failure<E>>>> {
        if self.opts.token_storage == TokenStorage::Memory {
            return None;
        }
        let stored = self.stored_token();
        let current = self.current_token();
        match (current, stored) {
            (Some(_), None) => self.other_tab_signed_out(),
            (current, Some(stored)) if current.as_deref() != Some(stored.as_str()) => {
                let s = self.signed_in(stored);
                if !jwt::is_expired(s.claims(), self.fx.clock.now_ms()) {
                    self.set_session(s);
                }
                None
            }
            _ => None,
        }
    }
}
