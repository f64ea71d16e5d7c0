//! Helpers of the configuration's unit tests.

use std::collections::HashMap;

use clap::Parser;

use super::Cli;

pub(super) fn parse(args: &[&str]) -> Cli {
    let mut all = vec!["bec-usage-proxy"];
    all.extend_from_slice(args);
    Cli::try_parse_from(all).expect("arguments parse")
}

pub(super) fn env_of(pairs: &[(&str, &str)]) -> impl Fn(&str) -> Option<String> {
    let map: HashMap<String, String> = pairs
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
    move |name| map.get(name).cloned()
}
