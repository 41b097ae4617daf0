//! The JavaScript API, split by concern: `types` (TypeScript declarations),
//! `client` (the client, and the exports `index.js`'s `AuthClient` class
//! calls) and `convert` (values in and out).

mod client;
mod convert;
mod types;

pub use client::AuthClient;
pub use convert::{get, to_js_error, to_json};
