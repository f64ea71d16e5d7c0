//! `bec-usage-proxy print-config`: the effective configuration as a config file would
//! write it, each setting with where it came from, then what the checks made of it. No
//! secret is printed: the key pair shows its access key id only, users their names only.

use std::fmt::Write as _;

use clap::{ArgAction, CommandFactory};

use super::file::{CommandLine, Origin};
use super::{Cli, ProxySettings, UpstreamChoice};

/// Settings left out: they are not settings of the server.
const LEFT_OUT: &[&str] = &["config", "help", "version"];

/// The effective configuration of `line`, checked into `settings`.
pub fn effective_config(line: &CommandLine, settings: &ProxySettings) -> String {
    let mut out = String::from(
        "# bec-usage-proxy: the effective configuration (flags > environment > config file > defaults)\n",
    );
    let command = Cli::command();
    for arg in command.get_arguments() {
        let Some(long) = arg.get_long() else { continue };
        if LEFT_OUT.contains(&long) {
            continue;
        }
        let id = arg.get_id().as_str();
        let raw: Vec<String> = line
            .proxy_matches
            .as_ref()
            .and_then(|matches| matches.get_raw(id))
            .map(|values| values.map(|v| v.to_string_lossy().into_owned()).collect())
            .unwrap_or_default();
        let value = match arg.get_action() {
            ArgAction::Append => {
                let items: Vec<String> = raw.iter().map(|v| toml_value(v)).collect();
                format!("[{}]", items.join(", "))
            }
            ArgAction::SetTrue => raw.first().map_or("false".into(), |v| toml_value(v)),
            _ => match raw.first() {
                Some(value) => toml_value(value),
                None => {
                    // Unset optional settings are comments, so the output stays valid TOML.
                    let _ = writeln!(out, "# {long} = (not set)");
                    continue;
                }
            },
        };
        let origin = match line.origin(id, long) {
            Origin::Flag => "flag".to_owned(),
            Origin::Environment => "environment".to_owned(),
            Origin::File(number) => format!("config file, line {number}"),
            Origin::Default => "default".to_owned(),
        };
        let _ = writeln!(out, "{long} = {value}  # {origin}");
    }
    out.push_str("\n# What the checks made of it\n");
    let mode = match (&settings.upstream, &settings.credentials) {
        (UpstreamChoice::Demo, Some(_)) => "demo, server-signed with the public demo keys",
        (UpstreamChoice::Demo, None) => "demo, relay",
        (UpstreamChoice::Origin(_), Some(_)) => "server-signed",
        (UpstreamChoice::Origin(_), None) => "relay (pages sign)",
    };
    let _ = writeln!(out, "# mode: {mode}");
    if let Some(credentials) = &settings.credentials {
        let _ = writeln!(
            out,
            "# key pair: access key id {:?}, secret access key (redacted)",
            credentials.access_key_id()
        );
    }
    for account in settings.accounts.all() {
        let default = if settings.accounts.default_name() == Some(account.name.as_str()) {
            ", the default"
        } else {
            ""
        };
        let users = match &account.users {
            Some(users) => users.iter().cloned().collect::<Vec<_>>().join(", "),
            None => "every user".to_owned(),
        };
        let _ = writeln!(
            out,
            "# account {:?}{default}: access key id {:?}, secret (redacted); seen by {users}",
            account.name,
            account.credentials.access_key_id()
        );
    }
    let access = &settings.access;
    let sign_in = match (access.users(), access.is_required()) {
        (Some(users), _) => {
            let mut names: Vec<&str> = users.names().collect();
            names.sort_unstable();
            format!(
                "password sign-in for {} user(s): {}",
                names.len(),
                names.join(", ")
            )
        }
        (None, true) => "users named by the trusted single-sign-on proxy".to_owned(),
        (None, false) => "off: anyone who reaches the server reads the data".to_owned(),
    };
    let _ = writeln!(out, "# access: {sign_in}");
    let _ = writeln!(out, "# session cookie: {}", access.cookie_name());
    out
}

/// `text` as a TOML value: numbers and booleans bare, anything else a string.
fn toml_value(text: &str) -> String {
    if text.parse::<i64>().is_ok() || text == "true" || text == "false" {
        return text.to_owned();
    }
    if let Ok(number) = text.parse::<f64>() {
        if number.is_finite() && text.contains('.') {
            return text.to_owned();
        }
    }
    toml::Value::String(text.to_owned()).to_string()
}
