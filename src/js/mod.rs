//! The JavaScript API, split by concern: `types` (TypeScript declarations),
//! `client` (the client, and the exports `index.js`'s `AuthClient` class
//! calls) and `convert` (values in and out).

mod client;
mod convert;
mod types;

pub use client::AuthClient;
/// The browser's refresh lock, for its tests (`tests/lock.rs`).
pub use crate::browser::BrowserLock;

/// Runs `f` on the module's own executor (the one that polls the browser
/// effects' futures), as a promise: for tests that drive those futures.
pub fn run_in_module(f: impl core::future::Future<Output = ()> + 'static) -> js_sys::Promise {
    crate::task::promise(Box::pin(async move {
        f.await;
        Ok(wasm_bindgen::JsValue::UNDEFINED)
    }))
}
pub use convert::{get, to_js_error, to_json};
