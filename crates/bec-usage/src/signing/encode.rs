//! UriEncode as BCE defines it, and the encoded path and query a client sends.

use percent_encoding::{AsciiSet, NON_ALPHANUMERIC};

/// The bytes BCE's UriEncode escapes: everything except `A-Z a-z 0-9 - . _ ~`.
///
/// Non-ASCII text is escaped byte by byte from its UTF-8 form; the hex digits are
/// uppercase (`é` → `%C3%A9`, space → `%20`, `+` → `%2B`, `/` → `%2F`).
pub const URI_ENCODE_SET: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'.')
    .remove(b'_')
    .remove(b'~');

/// Appends `text` UriEncoded to `out`.
///
/// Written out rather than through `utf8_percent_encode(text, URI_ENCODE_SET)`, which does
/// the same but whose table of 256 `%XX` strings and iterator would be most of the encoder
/// in the WebAssembly module; the tests compare the two.
pub(crate) fn push_uri_encoded(out: &mut String, text: &str) {
    const UPPER_HEX: &[u8; 16] = b"0123456789ABCDEF";
    out.reserve(text.len());
    // Runs of unreserved bytes are copied whole. A run starts after an escaped byte and ends
    // before one; every byte of a non-ASCII character is escaped, so a run that is not empty
    // starts and ends on character boundaries (and `get` of an empty run is harmless).
    let mut run_start = 0;
    for (index, byte) in text.bytes().enumerate() {
        if byte.is_ascii_alphanumeric() || matches!(byte, b'-' | b'.' | b'_' | b'~') {
            continue;
        }
        out.push_str(text.get(run_start..index).unwrap_or_default());
        out.push('%');
        out.push(char::from(UPPER_HEX[usize::from(byte >> 4)]));
        out.push(char::from(UPPER_HEX[usize::from(byte & 0x0f)]));
        run_start = index + 1;
    }
    out.push_str(text.get(run_start..).unwrap_or_default());
}

/// Appends the path with every `/`-separated segment UriEncoded and the `/` kept.
pub(crate) fn push_encoded_path(out: &mut String, path: &str) {
    for (index, segment) in path.split('/').enumerate() {
        if index > 0 {
            out.push('/');
        }
        push_uri_encoded(out, segment);
    }
}

/// UriEncodes `text`: every byte of its UTF-8 form except `A-Z a-z 0-9 - . _ ~` becomes
/// `%XX` with uppercase hex.
///
/// ```
/// assert_eq!(bec_usage::signing::uri_encode("a b+c/~é"), "a%20b%2Bc%2F~%C3%A9");
/// ```
pub fn uri_encode(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    push_uri_encoded(&mut out, text);
    out
}

/// The path to send for a raw (decoded) path: each segment UriEncoded, `/` kept.
///
/// This is the CanonicalURI that [`sign`](super::sign) signs, so sending it keeps what is
/// sent equal to what is signed.
///
/// ```
/// assert_eq!(bec_usage::signing::encode_path("/v1/a b/ü"), "/v1/a%20b/%C3%BC");
/// ```
pub fn encode_path(path: &str) -> String {
    let mut out = String::with_capacity(path.len());
    push_encoded_path(&mut out, path);
    out
}

/// The query string to send (without the leading `?`), in the given order:
/// `UriEncode(name)=UriEncode(value)` joined with `&`; an empty value gives `name=`.
///
/// Each pair is encoded exactly as [`sign`](super::sign) encodes it for the
/// CanonicalQueryString; the order does not matter to the signature, because the service
/// sorts the pairs itself. [`SigningOutput::canonical_query_string`](super::SigningOutput)
/// is the same pairs already sorted, and can be sent as it is.
///
/// ```
/// let query = [("q", "a b"), ("empty", "")];
/// assert_eq!(bec_usage::signing::encode_query(&query), "q=a%20b&empty=");
/// ```
pub fn encode_query(query: &[(&str, &str)]) -> String {
    let mut out = String::new();
    for (index, (name, value)) in query.iter().enumerate() {
        if index > 0 {
            out.push('&');
        }
        push_uri_encoded(&mut out, name);
        out.push('=');
        push_uri_encoded(&mut out, value);
    }
    out
}

#[cfg(test)]
mod tests {
    #[cfg(target_arch = "wasm32")]
    use wasm_bindgen_test::wasm_bindgen_test as test;

    use super::*;

    #[test]
    fn encodes_like_percent_encoding_with_the_uri_set() {
        let every_byte: String = (0u32..0x250).filter_map(char::from_u32).collect();
        for text in [every_byte.as_str(), "", "a b+c/~é", "核 GB", "\u{10FFFF}x"] {
            let expected: String =
                percent_encoding::utf8_percent_encode(text, URI_ENCODE_SET).collect();
            assert_eq!(uri_encode(text), expected);
        }
    }
}
