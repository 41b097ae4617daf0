//! Local development server for the SociApp auth API.
//!
//! It implements the contract the SDK talks to (`POST /auth/register`,
//! `/auth/verify-email`, `/auth/resend-code`, `/auth/login`,
//! `/auth/refresh`, `/auth/logout`, `GET /auth/me`) with seeded demo users
//! and the members registered while it runs (6-digit email verification
//! codes, valid 15 minutes, that are kept instead of mailed), HS256 tokens
//! and refresh-token rotation, the public backend's validation messages,
//! CORS with credentials for configured origins, the public backend's
//! throttler with `--throttle`, and, with `--test-faults`, `/__test/*`
//! endpoints that inject faults (error statuses, hangs, held requests,
//! dropped or truncated responses, malformed JSON, missing CORS headers),
//! record the requests seen, tell and expire verification codes, and reset
//! the server's state. It can also serve a directory of static files on a
//! second port.

mod accounts;
mod app;
mod auth;
pub mod config;
mod cors;
mod dto;
mod faults;
mod json;
pub mod jwt;
mod server;
mod state;
mod static_files;
mod test_api;
mod throttle;

pub use accounts::USERS;
pub use auth::{ACCESS_TTL_SECS, REFRESH_TTL_SECS};
pub use config::{parse_args, Command, Config, USAGE};
pub use server::{start, Running};
