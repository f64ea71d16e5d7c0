//! The crate's one error type.
//!
//! Every failure carries an [`ErrorKind`] a caller can branch on and a message a person can
//! act on. Where the failure is about a place in a JSON document the error names the JSON
//! path (`graphData.CPU.dataList[2].amount`); where it is about an input field it names the
//! field and the offending value; where the service answered with an error body it carries
//! the service's `code`, `requestId` and HTTP status.

use std::fmt;

/// What kind of failure an [`Error`] is. Callers branch on this, never on the message.
///
/// [`ErrorKind::as_str`] gives a stable name (the variant name) for logs and for the
/// JavaScript bindings.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ErrorKind {
    // ---- reading a usage response -------------------------------------------------
    /// The text is not JSON: a syntax error, a truncated document, a bad escape.
    InvalidJson,
    /// A field the response must have is absent.
    MissingField,
    /// A field has the wrong JSON type (e.g. `graphData: null`, `dataList` not an array).
    WrongType,
    /// An amount is not a number (e.g. `"amount": "abc"`).
    InvalidAmount,
    /// An amount is a number that cannot be held exactly (e.g. `1e400`, more than 28
    /// decimal places, more than 96 bits of mantissa).
    AmountOutOfRange,
    /// A timestamp is not an integer number of milliseconds in range.
    InvalidTimestamp,
    /// A count is not a non-negative integer.
    InvalidCount,
    /// A date inside a response (`timeSpan`, a `summary` key) is not a `YYYY-MM-DD` date.
    InvalidResponseDate,
    /// The same key appears twice in one JSON object, so one of the values would be lost.
    DuplicateKey,

    // ---- validating a query ---------------------------------------------------------
    /// A date parameter is empty.
    MissingDate,
    /// A date parameter is not exactly `YYYY-MM-DD` with ASCII digits.
    DateFormat,
    /// A date parameter has the right shape but is not a day of the calendar (`2023-02-29`).
    DateNotInCalendar,
    /// `beginDate` is after `endDate`.
    RangeReversed,
    /// The range spans more than 31 days, counted inclusively.
    RangeTooLong,

    // ---- signing --------------------------------------------------------------------
    /// The request to sign is malformed (empty method, bad path, conflicting `Host`, ...).
    InvalidSigningInput,
    /// The access key id or secret access key is unusable (empty, contains `/`, ...).
    InvalidCredentials,

    // ---- analysis -------------------------------------------------------------------
    /// An exact sum or average exceeded the range of a 96-bit decimal.
    Overflow,
    /// An argument to an analysis function is out of its domain.
    InvalidArgument,
    /// Responses to merge belong to different accounts.
    AccountMismatch,
    /// A price sheet is not usable: it does not parse, names a resource the data does not
    /// have, or has a negative price. The message names the entry.
    InvalidPriceSheet,

    // ---- the service ----------------------------------------------------------------
    /// The service answered with a BCE error body; see [`Error::service`].
    Service,
}

impl ErrorKind {
    /// The stable name of this kind, equal to the variant name (`"DateFormat"`).
    pub fn as_str(self) -> &'static str {
        match self {
            ErrorKind::InvalidJson => "InvalidJson",
            ErrorKind::MissingField => "MissingField",
            ErrorKind::WrongType => "WrongType",
            ErrorKind::InvalidAmount => "InvalidAmount",
            ErrorKind::AmountOutOfRange => "AmountOutOfRange",
            ErrorKind::InvalidTimestamp => "InvalidTimestamp",
            ErrorKind::InvalidCount => "InvalidCount",
            ErrorKind::InvalidResponseDate => "InvalidResponseDate",
            ErrorKind::DuplicateKey => "DuplicateKey",
            ErrorKind::MissingDate => "MissingDate",
            ErrorKind::DateFormat => "DateFormat",
            ErrorKind::DateNotInCalendar => "DateNotInCalendar",
            ErrorKind::RangeReversed => "RangeReversed",
            ErrorKind::RangeTooLong => "RangeTooLong",
            ErrorKind::InvalidSigningInput => "InvalidSigningInput",
            ErrorKind::InvalidCredentials => "InvalidCredentials",
            ErrorKind::Overflow => "Overflow",
            ErrorKind::InvalidArgument => "InvalidArgument",
            ErrorKind::AccountMismatch => "AccountMismatch",
            ErrorKind::InvalidPriceSheet => "InvalidPriceSheet",
            ErrorKind::Service => "Service",
        }
    }
}

impl fmt::Display for ErrorKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// An error answer of a BCE service: `{"requestId", "code", "message"}` plus the HTTP status.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct ServiceError {
    /// HTTP status of the answer.
    pub status: u16,
    /// The BCE error code, e.g. `SignatureDoesNotMatch`. Decide on this, not on the status.
    pub code: String,
    /// The service's own message.
    pub message: String,
    /// The request id, from the body or the `x-bce-request-id` header, when there is one.
    pub request_id: Option<String>,
}

/// The error of every fallible operation in this crate.
///
/// Boxed inside so that `Result<T, Error>` stays one pointer wide on hot paths.
#[derive(Clone, PartialEq, Eq)]
pub struct Error(Box<Inner>);

#[derive(Clone, PartialEq, Eq)]
struct Inner {
    kind: ErrorKind,
    message: String,
    path: Option<String>,
    field: Option<&'static str>,
    value: Option<String>,
    service: Option<ServiceError>,
}

/// Shorthand for results of this crate.
pub type Result<T, E = Error> = std::result::Result<T, E>;

impl Error {
    /// A new error of `kind` with a message a person can act on.
    pub fn new(kind: ErrorKind, message: impl Into<String>) -> Self {
        Error(Box::new(Inner {
            kind,
            message: message.into(),
            path: None,
            field: None,
            value: None,
            service: None,
        }))
    }

    /// Attaches the JSON path the error is about (`graphData.CPU.dataList[2].amount`).
    pub fn with_path(mut self, path: impl Into<String>) -> Self {
        self.0.path = Some(path.into());
        self
    }

    /// Attaches the input field (`beginDate`) and the offending value.
    pub fn with_field(mut self, field: &'static str, value: impl Into<String>) -> Self {
        self.0.field = Some(field);
        self.0.value = Some(value.into());
        self
    }

    /// The same error as another kind, its message prefixed with `what` (`the price sheet`).
    pub(crate) fn about(mut self, kind: ErrorKind, what: &str) -> Self {
        self.0.kind = kind;
        self.0.message = format!("{what}: {}", self.0.message);
        self
    }

    /// An error for a BCE error answer.
    pub fn from_service(service: ServiceError) -> Self {
        let request = match &service.request_id {
            Some(id) => format!(" (requestId {id})"),
            None => String::new(),
        };
        let message = format!(
            "the service refused the request: {} (HTTP {}): {}{}",
            service.code, service.status, service.message, request
        );
        let mut error = Error::new(ErrorKind::Service, message);
        error.0.service = Some(service);
        error
    }

    /// What kind of failure this is.
    pub fn kind(&self) -> ErrorKind {
        self.0.kind
    }

    /// The full message, including the path or field when there is one.
    pub fn message(&self) -> &str {
        &self.0.message
    }

    /// The JSON path the error is about, for errors reading a response.
    pub fn path(&self) -> Option<&str> {
        self.0.path.as_deref()
    }

    /// The input field the error is about (`beginDate`, `endDate`, ...).
    pub fn field(&self) -> Option<&'static str> {
        self.0.field
    }

    /// The offending input value, for errors about an input field.
    pub fn value(&self) -> Option<&str> {
        self.0.value.as_deref()
    }

    /// The service's error answer, for [`ErrorKind::Service`].
    pub fn service(&self) -> Option<&ServiceError> {
        self.0.service.as_ref()
    }
}

impl fmt::Debug for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut s = f.debug_struct("Error");
        s.field("kind", &self.0.kind)
            .field("message", &self.0.message);
        if let Some(path) = &self.0.path {
            s.field("path", path);
        }
        if let Some(field) = &self.0.field {
            s.field("field", field);
        }
        if let Some(value) = &self.0.value {
            s.field("value", value);
        }
        if let Some(service) = &self.0.service {
            s.field("service", service);
        }
        s.finish()
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0.message)
    }
}

impl std::error::Error for Error {}

#[cfg(test)]
mod tests {
    use super::*;
    #[cfg(target_arch = "wasm32")]
    use wasm_bindgen_test::wasm_bindgen_test as test;

    #[test]
    fn error_is_one_pointer_wide() {
        assert_eq!(std::mem::size_of::<Error>(), std::mem::size_of::<usize>());
    }

    #[test]
    fn service_error_message_names_code_and_request_id() {
        let e = Error::from_service(ServiceError {
            status: 403,
            code: "SignatureDoesNotMatch".into(),
            message: "The request signature we calculated does not match".into(),
            request_id: Some("d8752367".into()),
        });
        assert_eq!(e.kind(), ErrorKind::Service);
        assert!(e.message().contains("SignatureDoesNotMatch"));
        assert!(e.message().contains("HTTP 403"));
        assert!(e.message().contains("d8752367"));
        assert_eq!(e.service().map(|s| s.status), Some(403));
    }
}
