//! The one error type of the command line: a [`Kind`] that decides the exit code, and a
//! message a person can act on (what was wrong, with which value, and what to do).
//!
//! | exit code | kind | when |
//! |---|---|---|
//! | 0 | | done |
//! | 1 | [`Kind::Output`] | the output could not be written (nothing half-written is left) |
//! | 2 | [`Kind::Input`] | bad input: flags, dates, keys, files, a range too long |
//! | 3 | [`Kind::Service`] | the service (BEC, or a server of ours) answered a BCE error: its `code` and `requestId` go to stderr |
//! | 4 | [`Kind::Network`] | the service could not be reached or gave no usable answer (after the retries) |

use std::fmt;

use bec_usage::fetch_plan::{hint_for_code, Hint};
use bec_usage::ServiceError;

/// Exit code: done.
pub const EXIT_OK: u8 = 0;
/// Exit code: the output could not be written.
pub const EXIT_OUTPUT: u8 = 1;
/// Exit code: bad input (also clap's own code for a bad command line).
pub const EXIT_INPUT: u8 = 2;
/// Exit code: the service answered a BCE error.
pub const EXIT_SERVICE: u8 = 3;
/// Exit code: the service could not be reached, or its answers were unusable.
pub const EXIT_NETWORK: u8 = 4;

/// What kind of failure an [`Error`] is; it decides the exit code.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Kind {
    /// Bad input: a flag, a date, a key, a file to read, a range too long (exit 2).
    Input,
    /// A BCE error answer, with its code and request id (exit 3).
    Service,
    /// No usable answer: unreachable, timed out, an answer that is neither usage data nor
    /// a BCE error, after the retries (exit 4).
    Network,
    /// The output could not be written (exit 1).
    Output,
}

impl Kind {
    /// The process exit code of this kind.
    pub fn exit_code(self) -> u8 {
        match self {
            Kind::Input => EXIT_INPUT,
            Kind::Service => EXIT_SERVICE,
            Kind::Network => EXIT_NETWORK,
            Kind::Output => EXIT_OUTPUT,
        }
    }
}

/// The error of every fallible step of the command line.
#[derive(Clone, PartialEq, Eq)]
pub struct Error {
    kind: Kind,
    message: String,
    service: Option<ServiceError>,
}

/// Shorthand for results of this crate.
pub type Result<T, E = Error> = std::result::Result<T, E>;

impl Error {
    /// An error of `kind` with a message that says what was wrong and what to do.
    pub fn new(kind: Kind, message: impl Into<String>) -> Self {
        Error {
            kind,
            message: message.into(),
            service: None,
        }
    }

    /// Bad input (exit 2).
    pub fn input(message: impl Into<String>) -> Self {
        Error::new(Kind::Input, message)
    }

    /// No usable answer (exit 4).
    pub fn network(message: impl Into<String>) -> Self {
        Error::new(Kind::Network, message)
    }

    /// The output could not be written (exit 1).
    pub fn output(message: impl Into<String>) -> Self {
        Error::new(Kind::Output, message)
    }

    /// The service's error answer `service` to the request described by `what`.
    pub fn service(what: &str, service: ServiceError) -> Self {
        let mut message = format!(
            "{what}: {} (HTTP {}, requestId {})",
            service.code,
            service.status,
            service.request_id.as_deref().unwrap_or("-")
        );
        if !service.message.is_empty() {
            message.push_str("\n  the service says: ");
            message.push_str(&service.message);
        }
        message.push_str("\n  what to do: ");
        message.push_str(advice(&service.code));
        Error {
            kind: Kind::Service,
            message,
            service: Some(service),
        }
    }

    /// The core's error, as bad input (dates, ranges, keys, price sheets) with its message.
    pub fn from_core(error: &bec_usage::Error) -> Self {
        Error::input(error.message())
    }

    /// The kind.
    pub fn kind(&self) -> Kind {
        self.kind
    }

    /// The message (for a service error: code, status, request id, the service's message
    /// and what to do, on several lines).
    pub fn message(&self) -> &str {
        &self.message
    }

    /// The BCE error answer, for [`Kind::Service`].
    pub fn service_error(&self) -> Option<&ServiceError> {
        self.service.as_ref()
    }

    /// The exit code.
    pub fn exit_code(&self) -> u8 {
        self.kind.exit_code()
    }
}

/// What to do about a BCE error `code`: the core's hint for the code (one table for every
/// edge), with the command line's own way to act on the few the core leaves to the message.
fn advice(code: &str) -> &'static str {
    match (hint_for_code(code), code) {
        (Hint::ReadMessage, "SignInRequired") => {
            "this server wants a user: --user NAME (password from BEC_USAGE_PASSWORD or a \
             prompt), BEC_USAGE_SESSION=COOKIE, or the header its front would set (--header)"
        }
        (Hint::ReadMessage, "SignInFailed") => "check the user name and BEC_USAGE_PASSWORD",
        (Hint::ReadMessage, "InvalidHTTPRequest") => {
            "a server of ours that holds the keys refuses signed requests: leave the keys \
             out (or pass --unsigned); otherwise read the service's message"
        }
        (Hint::ReadMessage, "NotFound") => {
            "check --endpoint and --account (a server's account you may not read does not \
             exist for you)"
        }
        (hint, _) => hint.text(),
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl fmt::Debug for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Error")
            .field("kind", &self.kind)
            .field("message", &self.message)
            .field("service", &self.service)
            .finish()
    }
}

impl std::error::Error for Error {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_kind_has_its_exit_code() {
        assert_eq!(Error::input("x").exit_code(), 2);
        assert_eq!(Error::network("x").exit_code(), 4);
        assert_eq!(Error::output("x").exit_code(), 1);
        let service = ServiceError {
            status: 403,
            code: "SignatureDoesNotMatch".into(),
            message: "no".into(),
            request_id: Some("rid-1".into()),
        };
        let error = Error::service("BEC refused 2024-01-01 .. 2024-01-31", service);
        assert_eq!(error.exit_code(), 3);
        assert!(error
            .message()
            .contains("SignatureDoesNotMatch (HTTP 403, requestId rid-1)"));
        assert!(error.message().contains("check the secret access key"));
    }
}
