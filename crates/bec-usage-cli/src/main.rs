//! `bec-usage`: BEC usage on the command line (see the library's documentation and
//! `docs/cli.md`).

use std::process::ExitCode;

fn main() -> ExitCode {
    ExitCode::from(bec_usage_cli::main_with_args(std::env::args_os().collect()))
}
