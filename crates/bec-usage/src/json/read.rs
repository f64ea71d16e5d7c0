//! (being written)
use crate::{error::Result, model::UsageResponse, ServiceError};

/// Reads a usage response.
pub fn parse_usage(_text: &str) -> Result<UsageResponse> {
    Err(crate::Error::new(crate::ErrorKind::InvalidJson, "not yet written"))
}

/// Reads a BCE error body.
pub fn parse_service_error(_status: u16, _body: &str, _request_id_header: Option<&str>) -> Option<ServiceError> {
    None
}
