//! Command-line options.

use std::path::PathBuf;

use crate::cors::validate_origin_pattern;

/// Usage text printed for `--help` and after a bad flag.
pub const USAGE: &str = "\
usage: sociapp-devserver [options]

Local development server for the SociApp auth API (binds 127.0.0.1 only).

options:
  --port N                 API port (default 3000; 0 picks a free port)
  --allow-origin ORIGIN    allow this browser origin (CORS, with credentials);
                           repeatable; ORIGIN may end in :* for any port, e.g.
                           http://localhost:* (default: http://localhost:* and
                           http://127.0.0.1:*)
  --jwt-secret S           HS256 secret (default: random at each start)
  --secure-cookies         mark the refresh cookie Secure
  --missing-cookie-500     answer 500 instead of 401 when /auth/refresh gets
                           no refresh_token cookie (as the public backend does)
  --throttle               answer 429 (Retry-After: 1) to more than 10 register,
                           login or refresh requests per 60 ms from one client,
                           as the public backend's throttler does
  --test-faults            enable the /__test/* endpoints (fault injection,
                           request record)
  --static-dir DIR         also serve the files of DIR on a second listener
  --static-port N          port of that listener (default 0: a free port)
  --cross-origin-isolated  serve those files with COOP same-origin and COEP
                           require-corp, so pages are cross-origin isolated
                           (the benchmark's fine-grained timers)
  -h, --help               print this help";

/// The origins allowed when no `--allow-origin` is given.
pub const DEFAULT_ORIGINS: [&str; 2] = ["http://localhost:*", "http://127.0.0.1:*"];

/// Everything the server needs to start.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Config {
    pub port: u16,
    pub allow_origins: Vec<String>,
    pub jwt_secret: Option<String>,
    pub secure_cookies: bool,
    pub missing_cookie_500: bool,
    pub throttle: bool,
    pub test_faults: bool,
    pub static_dir: Option<PathBuf>,
    pub static_port: u16,
    pub cross_origin_isolated: bool,
}

impl Default for Config {
    fn default() -> Self {
        Self {
            port: 3000,
            allow_origins: DEFAULT_ORIGINS.iter().map(|s| (*s).to_owned()).collect(),
            jwt_secret: None,
            secure_cookies: false,
            missing_cookie_500: false,
            throttle: false,
            test_faults: false,
            static_dir: None,
            static_port: 0,
            cross_origin_isolated: false,
        }
    }
}

/// What the command line asks for.
#[derive(Debug, PartialEq, Eq)]
pub enum Command {
    Run(Config),
    Help,
}

/// Parses the arguments (without the program name). Both `--flag value` and
/// `--flag=value` are accepted. The error is a one-line explanation.
pub fn parse_args<I>(args: I) -> Result<Command, String>
where
    I: IntoIterator,
    I::Item: Into<String>,
{
    let mut config = Config::default();
    let mut origins = Vec::new();
    let mut static_port = None;
    let mut args = args.into_iter().map(Into::into);
    while let Some(arg) = args.next() {
        let (flag, inline) = match arg.split_once('=') {
            Some((flag, value)) if flag.starts_with("--") => {
                (flag.to_owned(), Some(value.to_owned()))
            }
            _ => (arg.clone(), None),
        };
        let takes_value = matches!(
            flag.as_str(),
            "--port" | "--allow-origin" | "--jwt-secret" | "--static-dir" | "--static-port"
        );
        let value = if takes_value {
            match inline {
                Some(v) => v,
                None => args.next().ok_or_else(|| format!("{flag} needs a value"))?,
            }
        } else if inline.is_some() {
            return Err(format!("{flag} takes no value"));
        } else {
            String::new()
        };
        match flag.as_str() {
            "-h" | "--help" => return Ok(Command::Help),
            "--port" => config.port = parse_port(&flag, &value)?,
            "--static-port" => static_port = Some(parse_port(&flag, &value)?),
            "--allow-origin" => {
                validate_origin_pattern(&value)?;
                origins.push(value);
            }
            "--jwt-secret" if value.is_empty() => {
                return Err("--jwt-secret must not be empty".into())
            }
            "--jwt-secret" => config.jwt_secret = Some(value),
            "--static-dir" => config.static_dir = Some(PathBuf::from(value)),
            "--secure-cookies" => config.secure_cookies = true,
            "--missing-cookie-500" => config.missing_cookie_500 = true,
            "--throttle" => config.throttle = true,
            "--test-faults" => config.test_faults = true,
            "--cross-origin-isolated" => config.cross_origin_isolated = true,
            _ => return Err(format!("unknown argument {arg:?}")),
        }
    }
    if !origins.is_empty() {
        config.allow_origins = origins;
    }
    if config.cross_origin_isolated && config.static_dir.is_none() {
        return Err("--cross-origin-isolated needs --static-dir".into());
    }
    match (&config.static_dir, static_port) {
        (None, Some(_)) => return Err("--static-port needs --static-dir".into()),
        (_, Some(port)) => config.static_port = port,
        (_, None) => {}
    }
    Ok(Command::Run(config))
}

fn parse_port(flag: &str, value: &str) -> Result<u16, String> {
    value
        .parse()
        .map_err(|_| format!("{flag} needs a port number (0-65535), got {value:?}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(args: &[&str]) -> Config {
        match parse_args(args.iter().copied()) {
            Ok(Command::Run(config)) => config,
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn defaults() {
        assert_eq!(run(&[]), Config::default());
        assert_eq!(Config::default().port, 3000);
    }

    #[test]
    fn all_flags() {
        let config = run(&[
            "--port",
            "4000",
            "--allow-origin",
            "http://localhost:*",
            "--allow-origin=http://127.0.0.1:8080",
            "--jwt-secret",
            "s3",
            "--secure-cookies",
            "--missing-cookie-500",
            "--throttle",
            "--test-faults",
            "--static-dir",
            "www",
            "--static-port=8081",
            "--cross-origin-isolated",
        ]);
        assert_eq!(
            config,
            Config {
                port: 4000,
                allow_origins: vec!["http://localhost:*".into(), "http://127.0.0.1:8080".into()],
                jwt_secret: Some("s3".into()),
                secure_cookies: true,
                missing_cookie_500: true,
                throttle: true,
                test_faults: true,
                static_dir: Some(PathBuf::from("www")),
                static_port: 8081,
                cross_origin_isolated: true,
            }
        );
    }

    #[test]
    fn errors_and_help() {
        for bad in [
            &["--bogus"][..],
            &["--port"],
            &["--port", "70000"],
            &["--port", "x"],
            &["--allow-origin", "localhost"],
            &["--test-faults=1"],
            &["--throttle=1"],
            &["--static-port", "8080"],
            &["--cross-origin-isolated"],
            &["--jwt-secret", ""],
            &["extra"],
        ] {
            assert!(parse_args(bad.iter().copied()).is_err(), "{bad:?}");
        }
        assert_eq!(parse_args(["--help"]), Ok(Command::Help));
        assert_eq!(parse_args(["-h"]), Ok(Command::Help));
    }
}
