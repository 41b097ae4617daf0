//! The state the API's handlers and its request pipeline share.

use std::sync::Arc;

use crate::auth::Auth;
use crate::cors::Cors;
use crate::faults::Faults;
use crate::throttle::Throttle;

/// Everything the handlers share.
pub struct AppState {
    pub auth: Auth,
    pub cors: Cors,
    pub faults: Faults,
    pub test_faults: bool,
    pub missing_cookie_500: bool,
    pub throttle: Throttle,
}

pub type Shared = Arc<AppState>;
