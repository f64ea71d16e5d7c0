//! The config file (`--config FILE`): TOML whose keys are the proxy's long flag names, so
//! a flag and its key are one setting with one set of checks (clap's):
//!
//! ```toml
//! listen = "0.0.0.0:8080"
//! users-file = "/etc/bec-usage/users"
//! cors-origin = ["https://dashboard.example.com"]
//! rate-limit = 20
//! ```
//!
//! Flags and environment variables override the file; the file overrides the defaults.
//! [`parse_command_line`] reads the command line once to find the file and which settings
//! were given, turns the file's other keys into flags, and reads the whole again. A key
//! that is not a flag, or a value the flag refuses, names the key and its line, and the
//! server does not start.

use std::ffi::OsString;
use std::path::{Path, PathBuf};

use clap::parser::ValueSource;
use clap::{ArgAction, ArgMatches, CommandFactory, FromArgMatches};

use super::Cli;
use crate::errors::{Error, ErrorKind, Result};

/// Keys of the file that are not flags (`config` itself cannot be set from a file).
const NOT_IN_FILES: &[&str] = &["config", "help", "version"];

/// Why the command line could not be read.
#[derive(Debug)]
pub enum CommandLineError {
    /// clap's own (also `--help` and `--version`, which it prints).
    Clap(clap::Error),
    /// The config file.
    Config(Error),
}

impl From<clap::Error> for CommandLineError {
    fn from(error: clap::Error) -> Self {
        CommandLineError::Clap(error)
    }
}

/// The command line as read: the parsed flags, and where each setting came from.
#[derive(Debug)]
pub struct CommandLine {
    /// The flags, the file's included.
    pub cli: Cli,
    /// The proxy's settings as clap read them (for `print-config`); `None` for the other
    /// subcommands.
    pub proxy_matches: Option<ArgMatches>,
    /// The settings taken from the config file: the key and its line.
    pub from_file: Vec<(String, usize)>,
}

/// Where a setting came from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Origin {
    /// A flag.
    Flag,
    /// An environment variable.
    Environment,
    /// The config file, at this line.
    File(usize),
    /// The default.
    Default,
}

impl CommandLine {
    /// Where the setting with clap id `id` and long flag `long` came from.
    pub fn origin(&self, id: &str, long: &str) -> Origin {
        if let Some((_, line)) = self.from_file.iter().find(|(key, _)| key == long) {
            return Origin::File(*line);
        }
        match self.proxy_matches.as_ref().and_then(|m| m.value_source(id)) {
            Some(ValueSource::CommandLine) => Origin::Flag,
            Some(ValueSource::EnvVariable) => Origin::Environment,
            _ => Origin::Default,
        }
    }
}

/// Reads the command line `args` (the program's name first), with the settings of the
/// config file named by `--config` (or `BEC_PROXY_CONFIG`) where the command line and the
/// environment give none.
pub fn parse_command_line(args: Vec<OsString>) -> Result<CommandLine, CommandLineError> {
    let command = Cli::command();
    let matches = command.clone().try_get_matches_from(&args)?;
    let proxy_matches = |matches: &ArgMatches| match matches.subcommand() {
        None => Some(matches.clone()),
        Some(("print-config" | "backfill", sub)) => Some(sub.clone()),
        Some(_) => None,
    };
    let first = proxy_matches(&matches);
    let path = first
        .as_ref()
        .and_then(|m| m.get_one::<std::path::PathBuf>("config").cloned());
    let (Some(first), Some(path)) = (first, path) else {
        return Ok(CommandLine {
            cli: Cli::from_arg_matches(&matches)?,
            proxy_matches: proxy_matches(&matches),
            from_file: Vec::new(),
        });
    };
    let (file_args, from_file) =
        file_arguments(&path, &command, &first).map_err(CommandLineError::Config)?;
    // The file's flags go last: they are only those not given, and there are no positional
    // arguments they could be mistaken for.
    let mut merged = args;
    merged.extend(file_args);
    let matches = command.try_get_matches_from(merged)?;
    Ok(CommandLine {
        cli: Cli::from_arg_matches(&matches)?,
        proxy_matches: proxy_matches(&matches),
        from_file,
    })
}

/// The flags standing for the settings of the config file at `path` that `given` (the
/// first reading of the command line) does not have, and those settings' keys and lines.
type FileArguments = (Vec<OsString>, Vec<(String, usize)>);

fn file_arguments(
    path: &Path,
    command: &clap::Command,
    given: &ArgMatches,
) -> Result<FileArguments> {
    let name = path.display();
    let text = std::fs::read_to_string(path)
        .map_err(|e| config(format!("cannot read the config file {name}: {e}")))?;
    let table: toml::Table = text.parse().map_err(|e: toml::de::Error| {
        config(format!("the config file {name} is not valid TOML: {e}"))
    })?;
    let spans = toml::de::DeTable::parse(&text)
        .map_err(|e| config(format!("the config file {name} is not valid TOML: {e}")))?;
    let line_of = |key: &str| {
        spans
            .get_ref()
            .iter()
            .find(|(spanned, _)| spanned.get_ref().as_ref() == key)
            .map_or(0, |(spanned, _)| line_at(&text, spanned.span().start))
    };
    let mut args = Vec::new();
    let mut from_file = Vec::new();
    for (key, value) in &table {
        let line = line_of(key);
        if key == "accounts" {
            // [accounts.NAME] tables: this file is also the accounts file (config/accounts.rs).
            if !matches!(
                given.value_source("accounts_file"),
                Some(ValueSource::CommandLine | ValueSource::EnvVariable)
            ) {
                args.push(OsString::from(format!(
                    "--accounts-file={}",
                    path.display()
                )));
                from_file.push(("accounts-file".to_owned(), line));
            }
            continue;
        }
        let at = |problem: String| {
            config(format!(
                "the config file {name}, line {line}, key `{key}`: {problem}"
            ))
        };
        let Some(arg) = command.get_arguments().find(|arg| {
            arg.get_long() == Some(key.as_str()) && !NOT_IN_FILES.contains(&key.as_str())
        }) else {
            return Err(at(format!(
                "not a setting; the keys are the long flags of `bec-usage-proxy --help`: {}",
                file_keys(command).join(", ")
            )));
        };
        if matches!(
            given.value_source(arg.get_id().as_str()),
            Some(ValueSource::CommandLine | ValueSource::EnvVariable)
        ) {
            continue; // the flag or the environment wins
        }
        // A relative path in the file is relative to the file's folder, wherever the
        // server is started from.
        let is_path = arg.get_value_parser().type_id() == std::any::TypeId::of::<PathBuf>();
        let file_value = |value: &toml::Value| {
            scalar(value).map(|text| match (is_path, path.parent()) {
                // `none` (of --store) is a word, not a file beside the config.
                (true, Some(folder)) if Path::new(&text).is_relative() && text != "none" => {
                    folder.join(&text).to_string_lossy().into_owned()
                }
                _ => text,
            })
        };
        let flag_args = match (arg.get_action(), value) {
            (ArgAction::SetTrue, toml::Value::Boolean(true)) => vec![format!("--{key}")],
            (ArgAction::SetTrue, toml::Value::Boolean(false)) => vec![],
            (ArgAction::SetTrue, _) => return Err(at("write true or false".into())),
            (ArgAction::Append, toml::Value::Array(items)) => items
                .iter()
                .map(|item| {
                    file_value(item)
                        .map(|v| format!("--{key}={v}"))
                        .ok_or_else(|| {
                            at("the list holds something that is not a string or a number".into())
                        })
                })
                .collect::<Result<_>>()?,
            (_, toml::Value::Array(_)) => return Err(at("takes one value, not a list".into())),
            (_, value) => vec![format!(
                "--{key}={}",
                file_value(value)
                    .ok_or_else(|| at("write a string, a number or true/false".into()))?
            )],
        };
        for flag in &flag_args {
            // Each on its own, so that clap's complaint can be tied to this key and line.
            if let Err(error) = command
                .clone()
                .try_get_matches_from(["bec-usage-proxy", flag.as_str()])
            {
                return Err(at(clap_problem(&error)));
            }
        }
        args.extend(flag_args.into_iter().map(OsString::from));
        from_file.push((key.clone(), line));
    }
    Ok((args, from_file))
}

/// The settings a config file may hold.
pub fn file_keys(command: &clap::Command) -> Vec<&str> {
    command
        .get_arguments()
        .filter_map(|arg| arg.get_long())
        .filter(|long| !NOT_IN_FILES.contains(long))
        .collect()
}

fn scalar(value: &toml::Value) -> Option<String> {
    match value {
        toml::Value::String(text) => Some(text.clone()),
        toml::Value::Integer(number) => Some(number.to_string()),
        toml::Value::Float(number) => Some(number.to_string()),
        toml::Value::Boolean(flag) => Some(flag.to_string()),
        _ => None,
    }
}

/// The first line of clap's message, without its "error: ".
fn clap_problem(error: &clap::Error) -> String {
    let rendered = error.render().to_string();
    let first = rendered.lines().next().unwrap_or_default();
    first.strip_prefix("error: ").unwrap_or(first).to_owned()
}

/// The 1-based line of byte `offset` in `text`.
fn line_at(text: &str, offset: usize) -> usize {
    text.as_bytes()
        .iter()
        .take(offset)
        .filter(|&&b| b == b'\n')
        .count()
        + 1
}

fn config(message: String) -> Error {
    Error::new(ErrorKind::Config, message)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse_with(file: &str, args: &[&str]) -> Result<Cli, CommandLineError> {
        parse_lines(file, args).map(|line| line.cli)
    }

    fn parse_lines(file: &str, args: &[&str]) -> Result<CommandLine, CommandLineError> {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("proxy.toml");
        std::fs::write(&path, file).expect("write");
        let mut all: Vec<OsString> = vec![
            "bec-usage-proxy".into(),
            "--config".into(),
            path.into_os_string(),
        ];
        all.extend(args.iter().map(OsString::from));
        parse_command_line(all)
    }

    fn config_error<T: std::fmt::Debug>(result: Result<T, CommandLineError>) -> String {
        match result {
            Err(CommandLineError::Config(error)) => {
                assert_eq!(error.kind(), ErrorKind::Config);
                error.message().to_owned()
            }
            Err(CommandLineError::Clap(error)) => panic!("clap: {error}"),
            Ok(parsed) => panic!("accepted: {parsed:?}"),
        }
    }

    #[test]
    fn the_file_sets_what_flags_do_not() {
        let cli = parse_with(
            "# team\nlisten = \"127.0.0.1:9000\"\nrate-limit = 20\ncors-origin = [\"https://a.example\", \"https://b.example\"]\npublic = true\nrelay = false\n",
            &["--rate-limit", "7"],
        )
        .expect("valid");
        assert_eq!(cli.proxy.listen.to_string(), "127.0.0.1:9000");
        assert_eq!(cli.proxy.rate_limit, 7.0, "the flag wins");
        assert_eq!(
            cli.proxy.cors_origins,
            ["https://a.example", "https://b.example"]
        );
        assert!(cli.proxy.public);
        assert!(!cli.proxy.relay);
        let line =
            parse_lines("\nlisten = \"127.0.0.1:9000\"\n", &["--rate-limit", "7"]).expect("valid");
        assert_eq!(line.origin("listen", "listen"), Origin::File(2));
        assert_eq!(line.origin("rate_limit", "rate-limit"), Origin::Flag);
        assert_eq!(line.origin("dist", "dist"), Origin::Default);
    }

    #[test]
    fn mistakes_name_the_key_and_line() {
        let message = config_error(parse_with(
            "listen = \"127.0.0.1:9000\"\n\nlisen = 1\n",
            &[],
        ));
        assert!(
            message.contains("line 3, key `lisen`: not a setting"),
            "{message}"
        );
        assert!(message.contains("users-file"), "lists the keys: {message}");
        let message = config_error(parse_with("\nlisten = \"nowhere\"\n", &[]));
        assert!(message.contains("line 2, key `listen`"), "{message}");
        assert!(message.contains("nowhere"), "{message}");
        let message = config_error(parse_with("public = \"yes\"\n", &[]));
        assert!(message.contains("true or false"), "{message}");
        let message = config_error(parse_with("listen = [\"a\", \"b\"]\n", &[]));
        assert!(message.contains("one value"), "{message}");
        let message = config_error(parse_with("listen = \n", &[]));
        assert!(
            message.contains("not valid TOML") && message.contains("line 1"),
            "{message}"
        );
        let message = config_error(parse_with("config = \"other.toml\"\n", &[]));
        assert!(message.contains("not a setting"), "{message}");
    }

    #[test]
    fn the_front_settings_are_keys() {
        let cli = parse_with(
            "trusted-proxy = [\"127.0.0.1\", \"::1\"]\npublic-url = \"https://usage.example.com\"\nsecure-cookie = true\n",
            &[],
        )
        .expect("valid");
        assert_eq!(cli.proxy.trusted_proxies, ["127.0.0.1", "::1"]);
        assert_eq!(
            cli.proxy.public_url.as_deref(),
            Some("https://usage.example.com")
        );
        assert!(cli.proxy.secure_cookie);
    }

    #[test]
    fn relative_paths_are_relative_to_the_file_and_every_long_flag_is_a_key() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("proxy.toml");
        std::fs::write(
            &path,
            "users-file = \"users\"\nkeys-file = \"/abs/keys.env\"\ndist = \"site/dist\"\nlog-format = \"json\"\n",
        )
        .expect("write");
        let line = parse_command_line(vec![
            "bec-usage-proxy".into(),
            "--config".into(),
            path.clone().into_os_string(),
        ])
        .unwrap_or_else(|_| panic!("valid"));
        let proxy = &line.cli.proxy;
        assert_eq!(
            proxy.users_file.as_deref(),
            Some(dir.path().join("users").as_path())
        );
        assert_eq!(proxy.keys_file.as_deref(), Some(Path::new("/abs/keys.env")));
        assert_eq!(
            proxy.dist.as_deref(),
            Some(dir.path().join("site/dist").as_path())
        );
        assert_eq!(line.cli.log_format, crate::config::LogFormat::Json);
        // Every long flag of the proxy is a key, but the file's own name.
        let command = Cli::command();
        let keys = file_keys(&command);
        for arg in command.get_arguments() {
            if let Some(long) = arg.get_long() {
                assert!(
                    keys.contains(&long) || ["config", "help", "version"].contains(&long),
                    "--{long} is not a config key"
                );
            }
        }
        assert!(keys.contains(&"log-format") && keys.contains(&"header-timeout-ms"));
    }

    #[test]
    fn the_store_beside_the_file_or_none() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("proxy.toml");
        for (value, expected) in [
            ("history.sqlite3", dir.path().join("history.sqlite3")),
            ("none", PathBuf::from("none")),
        ] {
            std::fs::write(&path, format!("store = \"{value}\"\nsettle-days = 3\n"))
                .expect("write");
            let line = parse_command_line(vec![
                "bec-usage-proxy".into(),
                "--config".into(),
                path.clone().into_os_string(),
            ])
            .unwrap_or_else(|_| panic!("valid"));
            assert_eq!(line.cli.proxy.store.as_deref(), Some(expected.as_path()));
            assert_eq!(line.cli.proxy.settle_days, 3);
        }
    }

    #[test]
    fn backfill_reads_the_servers_config_file() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("proxy.toml");
        std::fs::write(&path, "store = \"h.sqlite3\"\ndemo = true\n").expect("write");
        let line = parse_command_line(
            [
                "bec-usage-proxy",
                "backfill",
                "--account",
                "prod",
                "--from",
                "2024-01-01",
                "--to",
                "2024-03-31",
                "--config",
            ]
            .map(std::ffi::OsString::from)
            .into_iter()
            .chain([path.clone().into_os_string()])
            .collect(),
        )
        .unwrap_or_else(|_| panic!("valid"));
        let Some(super::super::Command::Backfill(args)) = line.cli.command else {
            panic!("the backfill subcommand");
        };
        assert_eq!(args.account.as_deref(), Some("prod"));
        assert_eq!(
            (args.from.as_str(), args.to.as_str()),
            ("2024-01-01", "2024-03-31")
        );
        assert!(args.proxy.demo);
        assert_eq!(
            args.proxy.store.as_deref(),
            Some(dir.path().join("h.sqlite3").as_path())
        );
    }

    #[test]
    fn a_missing_file_is_named() {
        let result = parse_command_line(
            ["bec-usage-proxy", "--config", "/nonexistent/proxy.toml"]
                .map(OsString::from)
                .to_vec(),
        );
        assert!(config_error(result).contains("/nonexistent/proxy.toml"));
    }
}
