//! `bec-usage-proxy`: parses the command line, starts logging, runs the proxy or the
//! stand-in. Everything else is in the library.

use std::process::ExitCode;

use bec_usage_proxy::clock::system_clock;
use bec_usage_proxy::config::{Cli, Command};
use bec_usage_proxy::server;
use clap::Parser;

fn main() -> ExitCode {
    let cli = Cli::parse();
    server::init_logging(cli.log_format);
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
            None => {
                let settings = cli.proxy.resolve(&|name| std::env::var(name).ok())?;
                server::run(settings, system_clock()).await
            }
        }
    });
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            tracing::error!(code = error.kind().code(), "{}", error.message());
            eprintln!("bec-usage-proxy: {}", error.message());
            ExitCode::FAILURE
        }
    }
}
