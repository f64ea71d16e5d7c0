//! Reading and writing the response JSON.
//!
//! [`parse_usage`] reads a response; [`write_usage`] writes one in the service's exact shape.

mod read;
mod write;

pub use read::{parse_service_error, parse_usage};
pub use write::write_usage;
