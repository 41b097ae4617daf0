//! The logout plan: what happens, in which order. The order is the
//! guarantee: the session ends (token gone from memory and storage) before
//! anything can await, so no request made after `logout()` is called carries
//! the token, whatever the server does.

use crate::options::{ClearSessionStorage, Options};

#[derive(Clone, Debug, PartialEq)]
pub enum Step<'a> {
    /// Mark the session signed out and remove the token everywhere.
    EndSession,
    /// `POST` the logout endpoint (cookies included) so the server expires
    /// the refresh cookie. The request carries no token and may be sent
    /// before [`Step::EndSession`] runs, in the same synchronous call; this
    /// step awaits its answer.
    CallServer,
    ClearSessionStorage(&'a ClearSessionStorage),
    /// The app's `onLogout` hooks, in order (e.g. resetting stores).
    RunHooks,
    Navigate(&'a str),
}

/// The steps of a logout. `call_server` is false when the session ended for
/// another reason (another tab signed out, the token could not be renewed).
pub fn logout_plan(opts: &Options, call_server: bool) -> Vec<Step<'_>> {
    let mut steps = Vec::with_capacity(5);
    steps.push(Step::EndSession);
    if call_server {
        steps.push(Step::CallServer);
    }
    if opts.clear_session_storage != ClearSessionStorage::Nothing {
        steps.push(Step::ClearSessionStorage(&opts.clear_session_storage));
    }
    steps.push(Step::RunHooks);
    if let Some(path) = &opts.redirect_to {
        steps.push(Step::Navigate(path));
    }
    steps
}

// The native tests read JSON and URLs with the native parsers.
#[cfg(all(test, not(target_arch = "wasm32")))]
mod tests {
    use super::*;
    use crate::json::Json;
    use crate::options::RawOptions;

    fn opts(f: impl FnOnce(&mut RawOptions)) -> Options {
        let mut r = RawOptions { base_url: Some(Json::Str("http://127.0.0.1:3000".into())), ..Default::default() };
        f(&mut r);
        r.validate("http://127.0.0.1:8000", &crate::effects::NativeParsers).expect("valid")
    }

    #[test]
    fn default_plan_follows_the_documented_order() {
        let o = opts(|_| {});
        assert_eq!(
            logout_plan(&o, true),
            vec![
                Step::EndSession,
                Step::CallServer,
                Step::ClearSessionStorage(&ClearSessionStorage::All),
                Step::RunHooks,
                Step::Navigate("/"),
            ]
        );
    }

    #[test]
    fn options_shape_the_plan() {
        let o = opts(|r| {
            r.clear_session_storage = Some(Json::Bool(false));
            r.redirect_to = Some(Json::Null);
        });
        assert_eq!(logout_plan(&o, false), vec![Step::EndSession, Step::RunHooks]);
    }
}
