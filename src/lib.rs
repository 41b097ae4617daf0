//! sociapp-auth: the client side of SociApp sign-in and logout, for the
//! browser. The session logic is plain Rust (`options`, `session`,
//! `jwt`, `engine`); the browser effects live in `browser` and the
//! JavaScript API in `js`.

// A panic in WebAssembly ends the module for the rest of the page's life:
// shipped code has no unwrap, expect, panic or unchecked indexing.
#![cfg_attr(
    not(test),
    deny(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing)
)]
// Strings are pushed as `&str`, never as `char`: `String::push(char)` and
// char patterns bring UTF-8 encoding and decoding into the module.
#![allow(clippy::single_char_add_str)]

pub mod effects;
pub mod engine;
pub mod error;
pub mod json;
pub mod jwt;
pub mod options;
pub mod session;
pub mod url;
pub mod wire;

#[cfg(target_arch = "wasm32")]
mod browser;
#[cfg(target_arch = "wasm32")]
pub mod js;
#[cfg(target_arch = "wasm32")]
mod task;

pub use error::AuthError;

// SAFETY: the module runs on one thread (a page's or a worker's event loop)
// and this crate starts no other, which `AssumeSingleThreaded` requires.
#[cfg(target_arch = "wasm32")]
#[global_allocator]
static ALLOCATOR: lol_alloc::AssumeSingleThreaded<lol_alloc::FreeListAllocator> =
    unsafe { lol_alloc::AssumeSingleThreaded::new(lol_alloc::FreeListAllocator::new()) };
