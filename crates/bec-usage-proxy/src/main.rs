//! `bec-usage-proxy`: parses the command line, starts logging, runs the proxy or the
//! stand-in. Everything else is in the library.

use std::process::ExitCode;

use std::io::{BufRead, IsTerminal};

use bec_usage_proxy::access::users::user_line;
use bec_usage_proxy::clock::system_clock;
use bec_usage_proxy::config::file::{parse_command_line, CommandLineError};
use bec_usage_proxy::config::print::effective_config;
use bec_usage_proxy::config::{AddUserArgs, Command};
use bec_usage_proxy::errors::{Error, ErrorKind, Result};
use bec_usage_proxy::{backfill, logging, server};

fn main() -> ExitCode {
    let args: Vec<std::ffi::OsString> = std::env::args_os().collect();
    let line = match parse_command_line(args.clone()) {
        Ok(line) => line,
        Err(CommandLineError::Clap(error)) => error.exit(),
        Err(CommandLineError::Config(error)) => {
            eprintln!("bec-usage-proxy: {}", error.message());
            return ExitCode::from(2);
        }
    };
    let cli = &line.cli;
    // Held to the end: dropping it writes out the lines still waiting.
    let _logging = logging::init(cli.log_format, cli.log_buffer_lines);
    let env = |name: &str| std::env::var(name).ok();
    match &cli.command {
        Some(Command::AddUser(args)) => return finish_printing(add_user(args)),
        Some(Command::PrintConfig(args)) => {
            return finish_printing(args.resolve(&env).map(|settings| {
                print!("{}", effective_config(&line, &settings));
            }))
        }
        Some(Command::Standin(_) | Command::Backfill(_)) | None => {}
    }
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(runtime) => runtime,
        Err(error) => {
            eprintln!("bec-usage-proxy: cannot start the async runtime: {error}");
            return ExitCode::FAILURE;
        }
    };
    let result = runtime.block_on(async {
        match &cli.command {
            Some(Command::Standin(args)) => server::run_standin(args, system_clock()).await,
            Some(Command::Backfill(args)) => {
                backfill::run(args, &env, system_clock()).await.map(drop)
            }
            _ => {
                let settings = cli.proxy.resolve(&env)?;
                let reload = server::reloader(args, cli.log_format, cli.log_buffer_lines);
                server::run_reloading(settings, system_clock(), Some(reload)).await
            }
        }
    });
    finish(result)
}

/// Like [`finish`] for the subcommands whose standard output is their product (a users
/// file line, a config): an error goes to standard error only, never into that output.
fn finish_printing(result: Result<()>) -> ExitCode {
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("bec-usage-proxy: {}", error.message());
            ExitCode::FAILURE
        }
    }
}

fn finish(result: Result<()>) -> ExitCode {
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            tracing::error!(code = error.kind().code(), "{}", error.message());
            eprintln!("bec-usage-proxy: {}", error.message());
            ExitCode::FAILURE
        }
    }
}

/// Passwords shorter than this are refused by `add-user` (without
/// `--allow-short-password`): NIST SP 800-63B asks at least 8, 15 when it is the only
/// factor; 12 is where guessing offline stops being cheap for argon2id's cost.
const MIN_PASSWORD_CHARS: usize = 12;

fn check_password_length(password: &str, allow_short: bool) -> Result<()> {
    let length = password.chars().count();
    if length < MIN_PASSWORD_CHARS && !allow_short {
        return Err(Error::new(
            ErrorKind::Config,
            format!(
                "the password has {length} characters; use at least {MIN_PASSWORD_CHARS} (a few \
                 words), or give --allow-short-password; nothing written"
            ),
        ));
    }
    Ok(())
}

/// `add-user NAME`: reads the password (twice, without echo, at a terminal; one line of
/// standard input otherwise) and prints the users-file line.
fn add_user(args: &AddUserArgs) -> Result<()> {
    let io = |e: std::io::Error| Error::new(ErrorKind::Io, format!("reading the password: {e}"));
    let password = if std::io::stdin().is_terminal() {
        let first =
            rpassword::prompt_password(format!("Password for {}: ", args.name)).map_err(io)?;
        let again = rpassword::prompt_password("The same again: ").map_err(io)?;
        if first != again {
            return Err(Error::new(
                ErrorKind::Config,
                "the two passwords differ; nothing written",
            ));
        }
        first
    } else {
        let mut first = String::new();
        std::io::stdin().lock().read_line(&mut first).map_err(io)?;
        first.trim_end_matches(['\r', '\n']).to_owned()
    };
    check_password_length(&password, args.allow_short_password)?;
    let mut salt = [0u8; 16];
    getrandom::fill(&mut salt).map_err(|e| {
        Error::new(
            ErrorKind::Internal,
            format!("no random bytes for a salt: {e}"),
        )
    })?;
    println!("{}", user_line(&args.name, &password, &salt)?);
    Ok(())
}
