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
use bec_usage_proxy::server;

fn main() -> ExitCode {
    let line = match parse_command_line(std::env::args_os().collect()) {
        Ok(line) => line,
        Err(CommandLineError::Clap(error)) => error.exit(),
        Err(CommandLineError::Config(error)) => {
            eprintln!("bec-usage-proxy: {}", error.message());
            return ExitCode::from(2);
        }
    };
    let cli = &line.cli;
    server::init_logging(cli.log_format);
    let env = |name: &str| std::env::var(name).ok();
    match &cli.command {
        Some(Command::AddUser(args)) => return finish(add_user(args)),
        Some(Command::PrintConfig(args)) => {
            return finish(args.resolve(&env).map(|settings| {
                print!("{}", effective_config(&line, &settings));
            }))
        }
        Some(Command::Standin(_)) | None => {}
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
            _ => {
                let settings = cli.proxy.resolve(&env)?;
                server::run(settings, system_clock()).await
            }
        }
    });
    finish(result)
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
