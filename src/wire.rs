//! The protocol between the WebAssembly module and its JavaScript half:
//! every number and name both sides share, defined once. The module uses
//! these; `index.js`, `host.js`, the adapters and the TypeScript
//! declarations spell the same values, and `tests/wire.rs` reads those
//! files and fails when one of them disagrees with this table.

/// The client's calls through the one export `clientCall(at, call, a, b)`,
/// by number (the index): each is the `AuthClient` method of that name in
/// `index.js`, but for `create` and `free`, which the class makes itself.
pub const CALLS: [&str; 13] = [
    "login",
    "logout",
    "fetch",
    "me",
    "getAccessToken",
    "getSnapshot",
    "create",
    "free",
    "refresh",
    "setSession",
    "register",
    "verifyEmail",
    "resendCode",
];

/// The client calls by name: each one's number in [`CALLS`].
pub mod call {
    pub const LOGIN: u32 = 0;
    pub const LOGOUT: u32 = 1;
    pub const FETCH: u32 = 2;
    pub const ME: u32 = 3;
    pub const GET_ACCESS_TOKEN: u32 = 4;
    pub const GET_SNAPSHOT: u32 = 5;
    pub const CREATE: u32 = 6;
    pub const FREE: u32 = 7;
    pub const REFRESH: u32 = 8;
    pub const SET_SESSION: u32 = 9;
    pub const REGISTER: u32 = 10;
    pub const VERIFY_EMAIL: u32 = 11;
    pub const RESEND_CODE: u32 = 12;
}

/// The debug events, by the number the module hands to `host.js`'s
/// `debug()` (the index; see `engine::DebugKind`): each event's `type` and
/// the names of its facts, in the order the module gives them. host.js's
/// `EVENTS` and the `DebugEvent` type say the same.
pub const EVENTS: [(&str, &[&str]); 15] = [
    ("login:start", &[]),
    ("login:end", &["outcome", "status", "ms"]),
    ("refresh:start", &[]),
    ("refresh:lock", &["outcome", "ms"]),
    ("refresh:adopted", &[]),
    ("refresh:end", &["outcome", "status", "ms"]),
    ("refresh:retry", &["code", "attempts", "inMs"]),
    ("signout:start", &["reason"]),
    ("signout:step", &["step", "ok", "failures"]),
    ("logout:request", &["outcome", "status", "ms"]),
    ("signout:end", &["reason", "ms"]),
    ("tab:sent", &["message"]),
    ("tab:received", &["message"]),
    ("restore:start", &[]),
    ("restore:end", &["outcome", "status", "ms"]),
];

/// `host.js`'s `store(area, op, key, value)`: the operation on a storage area.
pub mod store {
    pub const GET: u32 = 0;
    pub const SET: u32 = 1;
    pub const REMOVE: u32 = 2;
    pub const CLEAR: u32 = 3;
}

/// `host.js`'s `storage(kind)`: where the token lives.
pub mod token_storage {
    pub const LOCAL: u32 = 0;
    pub const SESSION: u32 = 1;
    pub const MEMORY: u32 = 2;
}

/// The page events `host.js`'s `listen()` reports, `[kind, a, b]`.
pub mod page_event {
    /// A message on the channel to the other tabs: `(data, undefined)`.
    pub const MESSAGE: u32 = 0;
    /// A change of localStorage in another tab: `(key, newValue)`.
    pub const STORAGE: u32 = 1;
    /// The browser is back online.
    pub const ONLINE: u32 = 2;
    /// The page was restored from the back/forward cache.
    pub const RESTORED: u32 = 3;
}

/// What `host.js`'s `send()` and `read()` resolve to when no answer came
/// (an answer is an array).
pub mod failure {
    /// The request's timeout fired.
    pub const TIMEOUT: f64 = 1.0;
    /// Refused, reset, blocked by CORS.
    pub const NETWORK: f64 = 2.0;
}

/// How `host.js`'s `error()` hands an AuthError over.
pub mod error_as {
    pub const VALUE: u32 = 0;
    pub const REJECTED: u32 = 1;
    pub const IN_ARRAY: u32 = 2;
}

/// `host.js`'s `state()` of a watched promise.
pub mod promise_state {
    pub const REJECTED: u32 = 0;
    pub const RESOLVED: u32 = 1;
    pub const PENDING: u32 = 2;
}

/// The messages one tab posts to the others (the channel's data, or the
/// storage signal's value before its `:`).
pub const TAB_MESSAGES: [&str; 2] = ["login", "logout"];

/// The snapshot's fields, as `host.js`'s `snapshot()` writes them, the
/// adapters' not-ready snapshot repeats them and the `Snapshot` type declares them.
pub const SNAPSHOT_FIELDS: [&str; 5] = ["status", "user", "reason", "expiresAt", "renewal"];

/// The AuthError codes `index.js` itself throws (the module's are
/// `AuthError::code`'s): with those, the `AuthErrorCode` type.
pub const JS_ERROR_CODES: [&str; 4] = ["freed", "unsupported_environment", "load_failed", "wasm_blocked"];
