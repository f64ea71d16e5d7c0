//! The crate's one error type, and its answer: a BCE-style JSON body with a status.
//!
//! Every refusal and every upstream fault the proxy answers itself has the same shape as
//! BCE's own errors, `{"requestId", "code", "message"}`, so a client handles both with one
//! parser (the core's [`bec_usage::json::parse_service_error`]) and decides on `code`.

use std::fmt;

use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};

/// What kind of failure an [`Error`] is. Callers branch on this, never on the message.
///
/// [`ErrorKind::code`] is the `code` of the JSON answer and [`ErrorKind::status`] its HTTP
/// status. Codes that BCE itself uses keep BCE's meaning (`InvalidURI`,
/// `InvalidHTTPRequest`, `InvalidHTTPAuthHeader`, `MethodNotAllowed`, `InternalError`);
/// the others are this proxy's own.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ErrorKind {
    // ---- refused requests -----------------------------------------------------------
    /// The request target is not a plain path: an absolute URL, `..` or `.` segments,
    /// `//`, a backslash or percent-encoded characters (such as an encoded slash).
    InvalidUri,
    /// A path under `/v1/` other than the usage path, or a path that serves nothing.
    NotFound,
    /// A method other than `GET` on the usage path.
    MethodNotAllowed,
    /// Headers or framing the proxy does not accept: a body, a Host or method override,
    /// duplicated headers, signing headers in server-signed mode.
    InvalidRequest,
    /// The query is not exactly `beginDate` and `endDate`, or the dates are invalid.
    InvalidParameter,
    /// Relay mode: the `Authorization` or `x-bce-date` header is missing or malformed.
    InvalidAuthHeader,
    /// The client sent more requests than its rate limit allows, or too many failed
    /// sign-ins.
    TooManyRequests,
    /// Access control is on and the request carries no valid session (nor a user header
    /// from a trusted proxy).
    SignInRequired,
    /// A sign-in with a wrong user name or password (the answer does not say which).
    SignInFailed,

    // ---- the upstream ---------------------------------------------------------------
    /// The upstream could not be reached, closed the connection, or kept answering 5xx.
    UpstreamUnavailable,
    /// The upstream did not answer within the total timeout.
    UpstreamTimeout,
    /// The upstream's answer is larger than the response size cap.
    UpstreamResponseTooLarge,
    /// The upstream answered something that is neither data nor a BCE error body (a
    /// redirect, an HTML error page).
    UpstreamInvalidResponse,

    // ---- start-up and internal --------------------------------------------------------
    /// The configuration (flags, environment, key file) is unusable.
    Config,
    /// A file or socket operation failed at start-up.
    Io,
    /// A bug or an unexpected state of the proxy itself.
    Internal,
}

impl ErrorKind {
    /// The `code` of the JSON answer.
    pub fn code(self) -> &'static str {
        match self {
            ErrorKind::InvalidUri => "InvalidURI",
            ErrorKind::NotFound => "NotFound",
            ErrorKind::MethodNotAllowed => "MethodNotAllowed",
            ErrorKind::InvalidRequest => "InvalidHTTPRequest",
            ErrorKind::InvalidParameter => "InvalidParameter",
            ErrorKind::InvalidAuthHeader => "InvalidHTTPAuthHeader",
            ErrorKind::TooManyRequests => "TooManyRequests",
            ErrorKind::SignInRequired => "SignInRequired",
            ErrorKind::SignInFailed => "SignInFailed",
            ErrorKind::UpstreamUnavailable => "UpstreamUnavailable",
            ErrorKind::UpstreamTimeout => "UpstreamTimeout",
            ErrorKind::UpstreamResponseTooLarge => "UpstreamResponseTooLarge",
            ErrorKind::UpstreamInvalidResponse => "UpstreamInvalidResponse",
            ErrorKind::Config | ErrorKind::Io | ErrorKind::Internal => "InternalError",
        }
    }

    /// The HTTP status of the answer.
    pub fn status(self) -> StatusCode {
        match self {
            ErrorKind::InvalidUri
            | ErrorKind::InvalidRequest
            | ErrorKind::InvalidParameter
            | ErrorKind::InvalidAuthHeader => StatusCode::BAD_REQUEST,
            ErrorKind::SignInRequired | ErrorKind::SignInFailed => StatusCode::UNAUTHORIZED,
            ErrorKind::NotFound => StatusCode::NOT_FOUND,
            ErrorKind::MethodNotAllowed => StatusCode::METHOD_NOT_ALLOWED,
            ErrorKind::TooManyRequests => StatusCode::TOO_MANY_REQUESTS,
            ErrorKind::UpstreamUnavailable
            | ErrorKind::UpstreamResponseTooLarge
            | ErrorKind::UpstreamInvalidResponse => StatusCode::BAD_GATEWAY,
            ErrorKind::UpstreamTimeout => StatusCode::GATEWAY_TIMEOUT,
            ErrorKind::Config | ErrorKind::Io | ErrorKind::Internal => {
                StatusCode::INTERNAL_SERVER_ERROR
            }
        }
    }
}

impl fmt::Display for ErrorKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code())
    }
}

/// The error of every fallible operation of this crate: a kind and a message a person can
/// act on. Messages never hold a secret key or a signature.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Error {
    kind: ErrorKind,
    message: String,
    retry_after_seconds: Option<u64>,
}

/// Shorthand for results of this crate.
pub type Result<T, E = Error> = std::result::Result<T, E>;

impl Error {
    /// A new error of `kind`.
    pub fn new(kind: ErrorKind, message: impl Into<String>) -> Self {
        Error {
            kind,
            message: message.into(),
            retry_after_seconds: None,
        }
    }

    /// Adds a `Retry-After` value (seconds) to the answer, for [`ErrorKind::TooManyRequests`].
    pub fn with_retry_after(mut self, seconds: u64) -> Self {
        self.retry_after_seconds = Some(seconds);
        self
    }

    /// What kind of failure this is.
    pub fn kind(&self) -> ErrorKind {
        self.kind
    }

    /// The message.
    pub fn message(&self) -> &str {
        &self.message
    }

    /// The BCE-style JSON body `{"requestId","code","message"}` of this error.
    pub fn to_json(&self, request_id: &str) -> String {
        error_json(request_id, self.kind.code(), &self.message)
    }

    /// The HTTP answer: status, JSON body, and the request id in `x-bce-request-id`.
    pub fn to_response(&self, request_id: &str) -> Response {
        let mut response = (self.kind.status(), self.to_json(request_id)).into_response();
        let headers = response.headers_mut();
        headers.insert(header::CONTENT_TYPE, json_content_type());
        if let Ok(value) = HeaderValue::from_str(request_id) {
            headers.insert(X_BCE_REQUEST_ID, value);
        }
        if self.kind == ErrorKind::MethodNotAllowed {
            headers.insert(header::ALLOW, HeaderValue::from_static("GET"));
        }
        if self.kind == ErrorKind::SignInRequired {
            // RFC 9110 wants a challenge with 401; the scheme says how to sign in.
            headers.insert(
                header::WWW_AUTHENTICATE,
                HeaderValue::from_static(r#"Session realm="bec-usage", sign-in="/auth/login""#),
            );
        }
        if let Some(seconds) = self.retry_after_seconds {
            headers.insert(header::RETRY_AFTER, HeaderValue::from(seconds));
        }
        response
    }
}

/// The answer of [`Error::to_response`] with the id of the request being answered: the
/// one the request-id layer gave it ([`crate::ids::current_request_id`]), or `"-"` outside
/// a request (such as on the metrics listener, which gives none).
impl IntoResponse for Error {
    fn into_response(self) -> Response {
        let id = crate::ids::current_request_id();
        let id = id.as_ref().and_then(|id| id.to_str().ok()).unwrap_or("-");
        self.to_response(id)
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.kind.code(), self.message)
    }
}

impl std::error::Error for Error {}

/// The header in which BCE (and this proxy) name the request an answer belongs to.
pub const X_BCE_REQUEST_ID: &str = "x-bce-request-id";

/// `application/json;charset=UTF-8`, as BCE answers.
pub fn json_content_type() -> HeaderValue {
    HeaderValue::from_static("application/json;charset=UTF-8")
}

/// A BCE error body. Used by the proxy and the demo stand-in alike.
pub fn error_json(request_id: &str, code: &str, message: &str) -> String {
    serde_json::json!({ "requestId": request_id, "code": code, "message": message }).to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn body_is_the_bce_error_shape() {
        let error = Error::new(ErrorKind::UpstreamTimeout, "no answer within 15 s");
        let body = error.to_json("abc");
        let parsed = bec_usage::json::parse_service_error(504, &body, None).expect("BCE body");
        assert_eq!(parsed.code, "UpstreamTimeout");
        assert_eq!(parsed.message, "no answer within 15 s");
        assert_eq!(parsed.request_id.as_deref(), Some("abc"));
        assert_eq!(error.kind().status(), StatusCode::GATEWAY_TIMEOUT);
    }

    #[test]
    fn messages_with_quotes_stay_valid_json() {
        let body = error_json("id", "InvalidURI", "the path \"/v1/\\x\" is not served");
        let parsed = bec_usage::json::parse_service_error(400, &body, None).expect("BCE body");
        assert_eq!(parsed.message, "the path \"/v1/\\x\" is not served");
    }

    #[test]
    fn statuses_follow_the_kind() {
        assert_eq!(
            ErrorKind::UpstreamUnavailable.status(),
            StatusCode::BAD_GATEWAY
        );
        assert_eq!(
            ErrorKind::TooManyRequests.status(),
            StatusCode::TOO_MANY_REQUESTS
        );
        assert_eq!(ErrorKind::NotFound.status(), StatusCode::NOT_FOUND);
        assert_eq!(ErrorKind::Internal.code(), "InternalError");
    }

    #[test]
    fn method_not_allowed_names_get() {
        let response = Error::new(ErrorKind::MethodNotAllowed, "only GET").to_response("id");
        assert_eq!(response.status(), StatusCode::METHOD_NOT_ALLOWED);
        assert_eq!(
            response.headers().get(header::ALLOW).map(|v| v.as_bytes()),
            Some(&b"GET"[..])
        );
        assert_eq!(
            response
                .headers()
                .get(X_BCE_REQUEST_ID)
                .map(|v| v.as_bytes()),
            Some(&b"id"[..])
        );
    }
}
