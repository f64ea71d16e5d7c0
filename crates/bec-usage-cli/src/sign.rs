//! `bec-usage sign`: a BCE v1 signature of a given request, time and keys, with what was
//! signed, for debugging a refused signature. The secret and the signing key derived from
//! it are never printed.

use bec_usage::signing::{sign, HeadersToSign, SignableRequest, SigningParams};
use chrono::{DateTime, Utc};
use percent_encoding::percent_decode_str;
use reqwest::Url;

use crate::cli::{key_variables, SignArgs};
use crate::error::{Error, Result};
use crate::keys::{find_keys, KeyChoice};

/// What `sign` prints: the headers to add, then the canonical request and the auth string
/// prefix (the two inputs of the HMACs), each under a heading.
pub fn run_sign(
    args: &SignArgs,
    env: &dyn Fn(&str) -> Option<String>,
    now: DateTime<Utc>,
) -> Result<String> {
    let choice = KeyChoice {
        accounts_file: args.keys.accounts_file.as_deref(),
        account: args.keys.account.as_deref(),
        keys_file: args.keys.keys_file.as_deref(),
    };
    if choice.accounts_file.is_none() && choice.account.is_some() {
        return Err(Error::input(
            "--account chooses keys of --accounts-file FILE; give the file too",
        ));
    }
    let keys = find_keys(&choice, env)?.ok_or_else(|| {
        Error::input(format!(
            "no keys to sign with: set {}, or give --keys-file or --accounts-file",
            key_variables()
        ))
    })?;
    let url = Url::parse(&args.url).map_err(|e| {
        Error::input(format!(
            "{:?} is not a URL ({e}); give the whole request URL, e.g. \
             https://bec.baidubce.com/v1/usage/computing?beginDate=2024-01-01&endDate=2024-01-31",
            args.url
        ))
    })?;
    let url_host = match (url.host_str(), url.port()) {
        (Some(host), Some(port)) => format!("{host}:{port}"),
        (Some(host), None) => host.to_owned(),
        (None, _) => return Err(Error::input(format!("the URL {:?} has no host", args.url))),
    };
    let host = args.sign_host.clone().unwrap_or(url_host);
    let path = decode(url.path(), "path")?;
    let query = match url.query() {
        Some(query) => query
            .split('&')
            .filter(|pair| !pair.is_empty())
            .map(|pair| {
                let (name, value) = pair.split_once('=').unwrap_or((pair, ""));
                Ok((decode(name, "query")?, decode(value, "query")?))
            })
            .collect::<Result<Vec<_>>>()?,
        None => Vec::new(),
    };
    let headers = args
        .headers
        .iter()
        .map(|line| {
            line.split_once(':')
                .map(|(name, value)| (name.trim().to_owned(), value.trim().to_owned()))
                .ok_or_else(|| {
                    Error::input(format!(
                        "the header {line:?} has no colon; write 'Name: value'"
                    ))
                })
        })
        .collect::<Result<Vec<_>>>()?;
    let time = match &args.time {
        Some(text) => DateTime::parse_from_rfc3339(text)
            .map(|t| t.to_utc())
            .map_err(|e| {
                Error::input(format!(
                    "--time {text:?} is not a time ({e}); write it as 2015-04-27T08:23:49Z"
                ))
            })?,
        None => now,
    };
    let signed_names: Option<Vec<&str>> = args.signed_headers.as_deref().map(|names| {
        names
            .split(';')
            .map(str::trim)
            .filter(|n| !n.is_empty())
            .collect()
    });

    let query_refs: Vec<(&str, &str)> = query
        .iter()
        .map(|(n, v)| (n.as_str(), v.as_str()))
        .collect();
    let header_refs: Vec<(&str, &str)> = headers
        .iter()
        .map(|(n, v)| (n.as_str(), v.as_str()))
        .collect();
    let request = SignableRequest::new(&args.method, &host, &path)
        .with_query(&query_refs)
        .with_headers(&header_refs);
    let mut params =
        SigningParams::new(&keys.credentials, time).with_expiration_seconds(args.expiration);
    if let Some(names) = &signed_names {
        params = params.with_headers_to_sign(HeadersToSign::Only(names));
    }
    let output = sign(&request, &params).map_err(|e| Error::from_core(&e))?;
    let mut out = String::new();
    out.push_str(&format!(
        "Authorization: {}\nHost: {}\nx-bce-date: {}\n",
        output.authorization(),
        output.host(),
        output.x_bce_date()
    ));
    out.push_str(&format!(
        "\ncanonical request (signed with the signing key):\n{}\n\nauth string prefix (signed \
         with the secret access key into the signing key):\n{}\n\nsigned headers: {}\nkeys: {} \
         (access key id {})\n",
        output.canonical_request(),
        output.auth_string_prefix(),
        output.signed_headers(),
        keys.source,
        keys.credentials.access_key_id()
    ));
    Ok(out)
}

/// Percent-decodes a path or query part of the URL (no `+` for space: BCE signs `+` as
/// `%2B`).
fn decode(text: &str, what: &str) -> Result<String> {
    percent_decode_str(text)
        .decode_utf8()
        .map(|text| text.into_owned())
        .map_err(|_| {
            Error::input(format!(
                "the URL's {what} {text:?} decodes to bytes that are not UTF-8"
            ))
        })
}
