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
/// in the WebAssembly module; the tests compare the two. Each unescaped run is copied whole.
pub(crate) fn push_uri_encoded(out: &mut String, text: &str) {
    out.reserve(text.len());
    let mut run_start = 0;
    for (index, byte) in text.bytes().enumerate() {
        if is_unreserved(byte) {
            continue;
        }
        out.push_str(text.get(run_start..index).unwrap_or_default());
        push_escaped(out, byte);
        run_start = index + 1;
    }
    out.push_str(text.get(run_start..).unwrap_or_default());
}

/// Whether UriEncode leaves `byte` as it is: `A-Z a-z 0-9 - . _ ~`. A bit table, always
/// inlined: it runs for every byte signed, and the module is built for size, where a call
/// per byte would cost more than the test.
#[inline(always)]
fn is_unreserved(byte: u8) -> bool {
    const fn table() -> [u32; 8] {
        let mut bits = [0u32; 8];
        let mut byte = 0;
        while byte < 128 {
            let c = byte as u8;
            if c.is_ascii_alphanumeric() || c == b'-' || c == b'.' || c == b'_' || c == b'~' {
                bits[byte / 32] |= 1 << (byte % 32);
            }
            byte += 1;
        }
        bits
    }
    const UNRESERVED: [u32; 8] = table();
    UNRESERVED[usize::from(byte >> 5)] >> (byte & 31) & 1 == 1
}

/// Appends `byte` as `%XX` (uppercase hex).
fn push_escaped(out: &mut String, byte: u8) {
    const UPPER_HEX: &[u8; 16] = b"0123456789ABCDEF";
    out.push('%');
    out.push(char::from(UPPER_HEX[usize::from(byte >> 4)]));
    out.push(char::from(UPPER_HEX[usize::from(byte & 0x0f)]));
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
