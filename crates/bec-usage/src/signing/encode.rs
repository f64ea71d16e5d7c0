//! UriEncode as BCE defines it, and the encoded path and query a client sends.

use percent_encoding::{utf8_percent_encode, AsciiSet, NON_ALPHANUMERIC};

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
pub(crate) fn push_uri_encoded(out: &mut String, text: &str) {
    out.extend(utf8_percent_encode(text, URI_ENCODE_SET));
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

    /// UriEncode as BCE's documentation words it, one byte at a time.
    fn uri_encode_by_the_definition(text: &str) -> String {
        let mut out = String::new();
        for byte in text.bytes() {
            if byte.is_ascii_alphanumeric() || b"-._~".contains(&byte) {
                out.push(char::from(byte));
            } else {
                out.push_str(&format!("%{byte:02X}"));
            }
        }
        out
    }

    #[test]
    fn encodes_every_character_as_the_definition_says() {
        let every_byte: String = (0u32..0x250).filter_map(char::from_u32).collect();
        for text in [every_byte.as_str(), "", "a b+c/~é", "核 GB", "\u{10FFFF}x"] {
            assert_eq!(uri_encode(text), uri_encode_by_the_definition(text));
        }
    }
}
