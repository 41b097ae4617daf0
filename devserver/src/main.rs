//! `sociapp-devserver`: see `--help`.

use std::io::Write;
use std::process::ExitCode;

use sociapp_devserver::{parse_args, start, Command, USAGE, USERS};

fn main() -> ExitCode {
    let config = match parse_args(std::env::args().skip(1)) {
        Ok(Command::Run(config)) => config,
        Ok(Command::Help) => {
            println!("{USAGE}");
            return ExitCode::SUCCESS;
        }
        Err(message) => {
            eprintln!("sociapp-devserver: {message}\n\n{USAGE}");
            return ExitCode::from(2);
        }
    };
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(runtime) => runtime,
        Err(e) => {
            eprintln!("sociapp-devserver: cannot start the runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    runtime.block_on(async move {
        let running = match start(config.clone()).await {
            Ok(running) => running,
            Err(e) => {
                eprintln!("sociapp-devserver: {e}");
                return ExitCode::FAILURE;
            }
        };
        let mut out = std::io::stdout().lock();
        let mut banner = String::new();
        for user in &USERS {
            let note = if user.email_verified {
                ""
            } else {
                " (email not verified: login is refused)"
            };
            banner.push_str(&format!(
                "demo user: {} / {}{note}\n",
                user.email, user.password
            ));
        }
        banner.push_str(&format!(
            "allowed origins: {}\n",
            config.allow_origins.join(" ")
        ));
        if config.test_faults {
            banner.push_str("test endpoints enabled: /__test/*\n");
        }
        banner.push_str(&format!("listening on http://{}\n", running.addr));
        if let Some(addr) = running.static_addr {
            banner.push_str(&format!("static on http://{addr}\n"));
        }
        // If nobody reads stdout any more, keep serving regardless.
        let _ = out.write_all(banner.as_bytes()).and_then(|()| out.flush());
        drop(out);
        std::future::pending::<ExitCode>().await
    })
}
