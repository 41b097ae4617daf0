//! Local development server for the SociApp auth API.
//!
//! It implements the contract the SDK talks to (`POST /auth/login`,
//! `/auth/refresh`, `/auth/logout`, `GET /auth/me`) with seeded demo users,
//! HS256 tokens and refresh-token rotation, CORS with credentials for
//! configured origins, the public backend's throttler with `--throttle`,
//! and, with `--test-faults`, `/__test/*` endpoints that
//! inject faults (error statuses, hangs, held requests, dropped or truncated
//! responses, malformed JSON, missing CORS headers) and record the requests
//! seen. It can also serve a directory of static files on a second port.

mod app;
mod auth;
pub mod config;
mod cors;
mod faults;
mod json;
pub mod jwt;
mod server;
mod static_files;
mod test_api;
mod throttle;

pub use auth::{ACCESS_TTL_SECS, REFRESH_TTL_SECS, USERS};
pub use config::{parse_args, Command, Config, USAGE};
pub use server::{start, Running};
