//! Unit tests of the signer: the fixture cases (`tests/fixtures/signing/`), encoding edge
//! cases, header handling, credentials, errors, parsing and verifying.

#[cfg(target_arch = "wasm32")]
use wasm_bindgen_test::wasm_bindgen_test as test;

use chrono::{DateTime, TimeZone, Utc};

use super::request::signing_key;
use super::*;
use crate::error::ErrorKind;

// ---- fixtures ---------------------------------------------------------------------

/// A case of `tests/fixtures/signing/<name>/`, as text; see the README there.
struct Fixture {
    name: &'static str,
    request: &'static str,
    signing_key: &'static str,
    canonical_request: &'static str,
    authorization: &'static str,
}

/// Loads a fixture case at compile time (so it also runs under wasm, without files).
macro_rules! fixture {
    ($name:literal) => {
        Fixture {
            name: $name,
            request: include_str!(concat!(
                "../../tests/fixtures/signing/",
                $name,
                "/request.txt"
            )),
            signing_key: include_str!(concat!(
                "../../tests/fixtures/signing/",
                $name,
                "/signing-key.txt"
            )),
            canonical_request: include_str!(concat!(
                "../../tests/fixtures/signing/",
                $name,
                "/canonical-request.txt"
            )),
            authorization: include_str!(concat!(
                "../../tests/fixtures/signing/",
                $name,
                "/authorization.txt"
            )),
        }
    };
}

/// The parsed `request.txt` of a fixture.
struct FixtureRequest<'a> {
    access_key_id: &'a str,
    secret_access_key: &'a str,
    time: DateTime<Utc>,
    expiration_seconds: u32,
    headers_to_sign: Option<Vec<&'a str>>,
    method: &'a str,
    host: &'a str,
    path: &'a str,
    query: Vec<(&'a str, &'a str)>,
    headers: Vec<(&'a str, &'a str)>,
}

impl Fixture {
    fn parse_request(&self) -> FixtureRequest<'static> {
        let field = |key: &str| -> &'static str {
            self.request
                .lines()
                .find_map(|line| line.strip_prefix(key)?.strip_prefix(": "))
                .unwrap_or_else(|| panic!("{}: request.txt has no `{key}:` line", self.name))
        };
        let repeated = |key: &str, separator: char| -> Vec<(&'static str, &'static str)> {
            self.request
                .lines()
                .filter_map(|line| line.strip_prefix(key)?.strip_prefix(": "))
                .map(|pair| {
                    pair.split_once(separator).unwrap_or_else(|| {
                        panic!("{}: {key} {pair:?} has no {separator:?}", self.name)
                    })
                })
                .collect()
        };
        let headers_to_sign = field("headers-to-sign");
        FixtureRequest {
            access_key_id: field("access-key-id"),
            secret_access_key: field("secret-access-key"),
            time: super::timestamp::parse_timestamp(field("time")).expect("fixture time"),
            expiration_seconds: field("expiration-seconds")
                .parse()
                .expect("fixture expiration"),
            headers_to_sign: (headers_to_sign != "default")
                .then(|| headers_to_sign.split(';').collect()),
            method: field("method"),
            host: field("host"),
            path: field("path"),
            query: repeated("query", '='),
            headers: repeated("header", ':'),
        }
    }

    /// The expected text of a one-value file, without the file's final newline.
    fn expected(text: &'static str) -> &'static str {
        text.strip_suffix('\n').unwrap_or(text)
    }

    fn check(&self) {
        let case = self.parse_request();
        let credentials =
            Credentials::new(case.access_key_id, case.secret_access_key).expect("credentials");
        let headers_to_sign = match &case.headers_to_sign {
            None => HeadersToSign::Default,
            Some(names) => HeadersToSign::Only(names),
        };
        let params = SigningParams::new(&credentials, case.time)
            .with_expiration_seconds(case.expiration_seconds)
            .with_headers_to_sign(headers_to_sign);
        let request = SignableRequest::new(case.method, case.host, case.path)
            .with_query(&case.query)
            .with_headers(&case.headers);
        let output = sign(&request, &params).unwrap_or_else(|e| panic!("{}: {e}", self.name));

        let key = signing_key(&credentials, output.auth_string_prefix().as_bytes());
        assert_eq!(
            std::str::from_utf8(&key).expect("hex"),
            Self::expected(self.signing_key),
            "{}: signing key",
            self.name
        );
        assert_eq!(
            output.canonical_request(),
            Self::expected(self.canonical_request),
            "{}: canonical request",
            self.name
        );
        assert_eq!(
            output.authorization(),
            Self::expected(self.authorization),
            "{}: Authorization",
            self.name
        );
        // What is sent must be what was signed.
        assert_eq!(
            output.canonical_uri(),
            encode_path(case.path),
            "{}",
            self.name
        );
        // A server holding the same secret accepts the request as the client sends it.
        let parsed = parse_authorization(output.authorization()).expect("own Authorization parses");
        assert_eq!(
            verify(&request, &credentials, &parsed).ok(),
            Some(true),
            "{}: verify",
            self.name
        );
    }
}

#[test]
fn bos_doc_example_default_headers() {
    let fixture = fixture!("bos-doc-example-default-headers");
    fixture.check();
    assert!(fixture
        .authorization
        .ends_with("/d74a04362e6a848f5b39b15421cb449427f419c95a480fd6b8cf9fc783e2999e\n"));
    assert!(fixture
        .signing_key
        .starts_with("1d5ce5f464064cbee060330d973218821825ac6952368a482a592e6615aef479"));
}

#[test]
fn bos_doc_example_host_and_date() {
    let fixture = fixture!("bos-doc-example-host-and-date");
    fixture.check();
    assert!(fixture.authorization.ends_with(
        "/host;x-bce-date/1b8de5a23a56eef657c69f94c621e7acd227d049a4ba577f537d5e5cebf0cf32\n"
    ));
}

#[test]
fn usage_computing_request() {
    fixture!("usage-computing-request").check();
}

#[test]
fn encoding_and_trimming() {
    fixture!("encoding-and-trimming").check();
}

// ---- helpers ----------------------------------------------------------------------

fn credentials() -> Credentials {
    Credentials::new("ak0123456789", "sk-secret-0123456789").expect("valid credentials")
}

fn time() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2024, 2, 1, 3, 4, 5)
        .single()
        .expect("valid time")
}

fn sign_with(
    request: SignableRequest<'_>,
    headers_to_sign: HeadersToSign<'_>,
) -> crate::Result<SigningOutput> {
    let credentials = credentials();
    sign(
        &request,
        &SigningParams::new(&credentials, time()).with_headers_to_sign(headers_to_sign),
    )
}

fn usage_request() -> SignableRequest<'static> {
    SignableRequest::new("GET", "bec.baidubce.com", "/v1/usage/computing")
}

/// The header lines of a canonical request (everything after method, URI and query).
fn header_lines(output: &SigningOutput) -> Vec<&str> {
    output.canonical_request().split('\n').skip(3).collect()
}

// ---- UriEncode --------------------------------------------------------------------

#[test]
fn uri_encode_escapes_reserved_characters_with_uppercase_hex() {
    assert_eq!(uri_encode(" "), "%20");
    assert_eq!(uri_encode("+"), "%2B");
    assert_eq!(uri_encode("*"), "%2A");
    assert_eq!(uri_encode("/"), "%2F");
    assert_eq!(uri_encode("="), "%3D");
    assert_eq!(uri_encode("&"), "%26");
    assert_eq!(uri_encode("%"), "%25");
    assert_eq!(uri_encode(":"), "%3A");
    assert_eq!(uri_encode("\u{7f}\n"), "%7F%0A");
}

#[test]
fn uri_encode_keeps_exactly_the_unreserved_characters() {
    let unreserved = "ABCXYZabcxyz0189-._~";
    assert_eq!(uri_encode(unreserved), unreserved);
    for byte in 0x20u8..0x7f {
        let c = char::from(byte);
        let kept = c.is_ascii_alphanumeric() || "-._~".contains(c);
        let encoded = uri_encode(c.encode_utf8(&mut [0; 4]));
        if kept {
            assert_eq!(encoded, c.to_string());
        } else {
            assert_eq!(encoded, format!("%{byte:02X}"), "{c:?}");
        }
    }
}

#[test]
fn uri_encode_writes_unicode_as_utf8_bytes() {
    assert_eq!(uri_encode("é"), "%C3%A9");
    assert_eq!(uri_encode("名"), "%E5%90%8D");
    assert_eq!(uri_encode("😀"), "%F0%9F%98%80");
}

#[test]
fn encode_path_keeps_slashes_and_encodes_segments() {
    assert_eq!(encode_path("/"), "/");
    assert_eq!(encode_path("/v1/usage/computing"), "/v1/usage/computing");
    assert_eq!(encode_path("/a b/c+d/e%2Ff"), "/a%20b/c%2Bd/e%252Ff");
    assert_eq!(encode_path("//x//"), "//x//");
    assert_eq!(encode_path("/ü?#"), "/%C3%BC%3F%23");
}

#[test]
fn encode_query_keeps_order_and_every_parameter() {
    let query = [
        ("z", "1"),
        ("a b", "x/y"),
        ("authorization", "kept"),
        ("e", ""),
    ];
    assert_eq!(
        encode_query(&query),
        "z=1&a%20b=x%2Fy&authorization=kept&e="
    );
    assert_eq!(encode_query(&[]), "");
}

// ---- canonical query ----------------------------------------------------------------

#[test]
fn query_values_are_encoded_and_empty_values_give_name_equals() {
    let query = [
        ("space", "a b"),
        ("plus", "a+b"),
        ("star", "a*b"),
        ("slash", "a/b"),
        ("tilde", "a~b"),
        ("unicode", "é"),
        ("empty", ""),
    ];
    let output =
        sign_with(usage_request().with_query(&query), HeadersToSign::Default).expect("signs");
    assert_eq!(
        output.canonical_query_string(),
        "empty=&plus=a%2Bb&slash=a%2Fb&space=a%20b&star=a%2Ab&tilde=a~b&unicode=%C3%A9"
    );
}

#[test]
fn query_pairs_sort_bytewise_on_the_encoded_text() {
    // Uppercase sorts before lowercase, `%` before letters, and the whole `name=value`
    // text is compared (so `a=2` sorts after `a%20b=1` and before `ab=0`).
    let query = [
        ("b", "1"),
        ("ab", "0"),
        ("a", "2"),
        ("a b", "1"),
        ("B", "3"),
        ("a", "1"),
    ];
    let output =
        sign_with(usage_request().with_query(&query), HeadersToSign::Default).expect("signs");
    assert_eq!(
        output.canonical_query_string(),
        "B=3&a%20b=1&a=1&a=2&ab=0&b=1"
    );
}

#[test]
fn a_query_parameter_named_authorization_is_not_signed() {
    let without = sign_with(
        usage_request().with_query(&[("a", "1")]),
        HeadersToSign::Default,
    )
    .expect("signs");
    for name in ["authorization", "Authorization", "AUTHORIZATION"] {
        let query = [("a", "1"), (name, "bce-auth-v1/x")];
        let with =
            sign_with(usage_request().with_query(&query), HeadersToSign::Default).expect("signs");
        assert_eq!(with.canonical_query_string(), "a=1", "{name}");
        assert_eq!(with.signature(), without.signature(), "{name}");
    }
}

// ---- headers ----------------------------------------------------------------------

#[test]
fn host_and_date_are_signed_without_being_passed() {
    let output = sign_with(usage_request(), HeadersToSign::Default).expect("signs");
    assert_eq!(output.signed_headers(), "host;x-bce-date");
    assert_eq!(
        header_lines(&output),
        [
            "host:bec.baidubce.com",
            "x-bce-date:2024-02-01T03%3A04%3A05Z"
        ]
    );
    assert_eq!(output.x_bce_date(), "2024-02-01T03:04:05Z");
    assert_eq!(
        output.headers_to_add(),
        [
            ("authorization", output.authorization()),
            ("host", "bec.baidubce.com"),
            ("x-bce-date", "2024-02-01T03:04:05Z"),
        ]
    );
}

#[test]
fn header_names_and_values_are_trimmed_and_names_lowercased() {
    let headers = [
        ("  X-Bce-Meta-A\t", "\t  value with inner  spaces \r\n "),
        ("Content-Type ", " text/plain"),
    ];
    let output = sign_with(
        usage_request().with_headers(&headers),
        HeadersToSign::Default,
    )
    .expect("signs");
    assert_eq!(
        header_lines(&output),
        [
            "content-type:text%2Fplain",
            "host:bec.baidubce.com",
            "x-bce-date:2024-02-01T03%3A04%3A05Z",
            "x-bce-meta-a:value%20with%20inner%20%20spaces",
        ]
    );
    assert_eq!(
        output.signed_headers(),
        "content-type;host;x-bce-date;x-bce-meta-a"
    );
}

#[test]
fn empty_header_values_are_not_signed() {
    let headers = [
        ("x-bce-empty", ""),
        ("x-bce-blank", "  \t "),
        ("content-md5", " "),
    ];
    let output = sign_with(
        usage_request().with_headers(&headers),
        HeadersToSign::Default,
    )
    .expect("signs");
    assert_eq!(output.signed_headers(), "host;x-bce-date");
    let plain = sign_with(usage_request(), HeadersToSign::Default).expect("signs");
    assert_eq!(output.signature(), plain.signature());
}

#[test]
fn default_set_signs_only_its_headers_and_every_x_bce_header() {
    let headers = [
        ("Date", "Mon, 27 Apr 2015 16:23:49 +0800"),
        ("Accept", "*/*"),
        ("X-BCE-Request-Id", "r1"),
        ("x-bcefoo", "not a bce header"),
        ("Content-Length", "8"),
        ("Content-MD5", "abc="),
    ];
    let output = sign_with(
        usage_request().with_headers(&headers),
        HeadersToSign::Default,
    )
    .expect("signs");
    assert_eq!(
        output.signed_headers(),
        "content-length;content-md5;host;x-bce-date;x-bce-request-id"
    );
}

#[test]
fn explicit_list_signs_exactly_the_listed_headers_present() {
    let headers = [
        ("x-bce-a", "1"),
        ("x-bce-b", "2"),
        ("Content-Type", "text/plain"),
    ];
    let names = [" Host", "X-BCE-B", "content-type", "content-md5", "x-bce-b"];
    let output = sign_with(
        usage_request().with_headers(&headers),
        HeadersToSign::Only(&names),
    )
    .expect("signs");
    // x-bce-a and x-bce-date are not listed; content-md5 is listed but absent.
    assert_eq!(output.signed_headers(), "content-type;host;x-bce-b");
    assert_eq!(
        header_lines(&output),
        [
            "content-type:text%2Fplain",
            "host:bec.baidubce.com",
            "x-bce-b:2"
        ]
    );
    // The x-bce-date header is still one to add: the request carries its time.
    assert_eq!(
        output.headers_to_add()[2],
        ("x-bce-date", "2024-02-01T03:04:05Z")
    );
}

#[test]
fn header_lines_sort_as_whole_lines_and_names_sort_as_names() {
    // ':' sorts after '-', so the line of `x-bce-a-b` comes before the line of `x-bce-a`,
    // while in the signed-headers field `x-bce-a` comes first.
    let headers = [("x-bce-a", "1"), ("x-bce-a-b", "2")];
    let output = sign_with(
        usage_request().with_headers(&headers),
        HeadersToSign::Default,
    )
    .expect("signs");
    let lines = header_lines(&output);
    assert_eq!(
        lines[1..],
        [
            "x-bce-a-b:2",
            "x-bce-a:1",
            "x-bce-date:2024-02-01T03%3A04%3A05Z"
        ]
    );
    assert_eq!(output.signed_headers(), "host;x-bce-a;x-bce-a-b;x-bce-date");
    assert_eq!(
        output.signed_header_names().collect::<Vec<_>>(),
        ["host", "x-bce-a", "x-bce-a-b", "x-bce-date"]
    );
}

#[test]
fn a_host_or_date_header_equal_to_what_the_signer_adds_is_accepted() {
    let headers = [
        (" Host ", "bec.baidubce.com"),
        ("X-Bce-Date", "2024-02-01T03:04:05Z"),
    ];
    let with = sign_with(
        usage_request().with_headers(&headers),
        HeadersToSign::Default,
    )
    .expect("signs");
    let without = sign_with(usage_request(), HeadersToSign::Default).expect("signs");
    assert_eq!(with, without);
}

// ---- output -----------------------------------------------------------------------

#[test]
fn output_parts_make_up_the_authorization() {
    let output = sign_with(usage_request(), HeadersToSign::Default).expect("signs");
    assert_eq!(
        output.auth_string_prefix(),
        "bce-auth-v1/ak0123456789/2024-02-01T03:04:05Z/1800"
    );
    assert_eq!(
        output.authorization(),
        format!(
            "{}/{}/{}",
            output.auth_string_prefix(),
            output.signed_headers(),
            output.signature()
        )
    );
    assert_eq!(output.signature().len(), 64);
    assert!(output
        .signature()
        .bytes()
        .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b)));
    assert_eq!(output.host(), "bec.baidubce.com");
    assert_eq!(output.canonical_uri(), "/v1/usage/computing");
    assert_eq!(output.canonical_query_string(), "");
}

#[test]
fn expiration_and_subseconds_are_written_as_given_and_truncated() {
    let credentials = credentials();
    let time = Utc
        .timestamp_opt(1_700_000_000, 999_999_999)
        .single()
        .expect("valid time");
    let output = sign(
        &usage_request(),
        &SigningParams::new(&credentials, time).with_expiration_seconds(u32::MAX),
    )
    .expect("signs");
    assert_eq!(
        output.auth_string_prefix(),
        "bce-auth-v1/ak0123456789/2023-11-14T22:13:20Z/4294967295"
    );
    let one = sign(
        &usage_request(),
        &SigningParams::new(&credentials, time).with_expiration_seconds(1),
    )
    .expect("signs");
    assert!(one.auth_string_prefix().ends_with("Z/1"));
    assert_ne!(one.signature(), output.signature());
}

#[test]
fn timestamps_are_zero_padded() {
    let credentials = credentials();
    let time = Utc
        .with_ymd_and_hms(987, 1, 2, 3, 4, 5)
        .single()
        .expect("valid time");
    let output = sign(&usage_request(), &SigningParams::new(&credentials, time)).expect("signs");
    assert_eq!(output.x_bce_date(), "0987-01-02T03:04:05Z");
    let parsed = parse_authorization(output.authorization()).expect("parses");
    assert_eq!(parsed.timestamp, time);
}

#[test]
fn signing_is_deterministic_and_depends_on_every_input() {
    let base = sign_with(usage_request(), HeadersToSign::Default).expect("signs");
    assert_eq!(
        base,
        sign_with(usage_request(), HeadersToSign::Default).expect("signs")
    );
    let variants = [
        SignableRequest::new("POST", "bec.baidubce.com", "/v1/usage/computing"),
        SignableRequest::new("GET", "bec.baidubce.com:443", "/v1/usage/computing"),
        SignableRequest::new("GET", "bec.baidubce.com", "/v1/usage/computing/"),
        usage_request().with_query(&[("a", "")]),
        usage_request().with_headers(&[("x-bce-x", "1")]),
    ];
    for variant in variants {
        let output = sign_with(variant, HeadersToSign::Default).expect("signs");
        assert_ne!(output.signature(), base.signature(), "{variant:?}");
    }
    let other_secret = Credentials::new("ak0123456789", "another-secret").expect("valid");
    let output = sign(&usage_request(), &SigningParams::new(&other_secret, time())).expect("signs");
    assert_ne!(output.signature(), base.signature());
    assert_eq!(output.canonical_request(), base.canonical_request());
}

// ---- credentials ------------------------------------------------------------------

#[test]
fn credentials_debug_redacts_the_secret() {
    let secret = "Sup3rS3cretValue0123456789abcdef";
    let credentials = Credentials::new("AKIDEXAMPLE1234567890", secret).expect("valid");
    let debug = format!("{credentials:?}");
    assert!(!debug.contains(secret), "{debug}");
    assert!(!debug.contains("Sup3r"), "{debug}");
    assert!(
        debug.contains("secret_access_key: \"<redacted>\""),
        "{debug}"
    );
    assert!(debug.contains("\"AKIDEX…\""), "{debug}");
    assert!(!debug.contains("AKIDEXAMPLE1234567890"), "{debug}");
    // Parameters and outputs show credentials only through that Debug.
    let params = format!("{:?}", SigningParams::new(&credentials, time()));
    assert!(!params.contains(secret), "{params}");
    assert_eq!(credentials.access_key_id(), "AKIDEXAMPLE1234567890");
}

#[test]
fn bad_credentials_are_refused() {
    let cases = [
        ("", "secret"),
        ("ak", ""),
        ("ak/with/slash", "secret"),
        (" ak", "secret"),
        ("ak\n", "secret"),
        ("a k", "secret"),
        ("akç", "secret"),
        ("ak", "secret\n"),
        ("ak", " secret"),
    ];
    for (access_key_id, secret) in cases {
        let error = Credentials::new(access_key_id, secret).expect_err("refused");
        assert_eq!(
            error.kind(),
            ErrorKind::InvalidCredentials,
            "{access_key_id:?} {secret:?}"
        );
        assert!(
            !format!("{error:?}").contains("secret\n"),
            "error shows the secret"
        );
    }
    assert!(Credentials::new("ak", "any secret, spaces inside are fine").is_ok());
}

// ---- input errors -----------------------------------------------------------------

#[test]
fn malformed_requests_are_refused_with_invalid_signing_input() {
    let credentials = credentials();
    let params = SigningParams::new(&credentials, time());
    let cases: Vec<(&str, SignableRequest<'_>)> = vec![
        ("empty method", SignableRequest::new("", "h", "/")),
        ("method with space", SignableRequest::new("G ET", "h", "/")),
        ("empty host", SignableRequest::new("GET", "", "/")),
        ("host with path", SignableRequest::new("GET", "h/x", "/")),
        ("host with space", SignableRequest::new("GET", "h x", "/")),
        (
            "non-ASCII host",
            SignableRequest::new("GET", "bücher.de", "/"),
        ),
        (
            "relative path",
            SignableRequest::new("GET", "h", "v1/usage"),
        ),
        ("empty path", SignableRequest::new("GET", "h", "")),
        ("empty query name", usage_request().with_query(&[("", "v")])),
        (
            "conflicting Host",
            usage_request().with_headers(&[("Host", "evil.example.com")]),
        ),
        (
            "conflicting x-bce-date",
            usage_request().with_headers(&[("x-bce-date", "2024-02-01T03:04:06Z")]),
        ),
        (
            "duplicate header",
            usage_request().with_headers(&[("x-bce-a", "1"), (" X-BCE-A ", "2")]),
        ),
        (
            "duplicate ignored header",
            usage_request().with_headers(&[("Accept", "1"), ("accept", "")]),
        ),
        (
            "empty header name",
            usage_request().with_headers(&[("  ", "1")]),
        ),
        (
            "header name with colon",
            usage_request().with_headers(&[("a:b", "1")]),
        ),
        (
            "header value with line break",
            usage_request().with_headers(&[("x-bce-a", "1\r\nx-bce-b: 2")]),
        ),
    ];
    for (what, request) in cases {
        let error = sign(&request, &params).expect_err(what);
        assert_eq!(
            error.kind(),
            ErrorKind::InvalidSigningInput,
            "{what}: {error}"
        );
        assert!(!error.message().is_empty());
    }
}

#[test]
fn bad_parameters_are_refused_with_invalid_signing_input() {
    let credentials = credentials();
    let zero = SigningParams::new(&credentials, time()).with_expiration_seconds(0);
    let no_host = SigningParams::new(&credentials, time())
        .with_headers_to_sign(HeadersToSign::Only(&["x-bce-date"]));
    let empty_list =
        SigningParams::new(&credentials, time()).with_headers_to_sign(HeadersToSign::Only(&[]));
    let bad_name = SigningParams::new(&credentials, time())
        .with_headers_to_sign(HeadersToSign::Only(&["host", "a b"]));
    let year_10000 = Utc
        .with_ymd_and_hms(10000, 1, 1, 0, 0, 0)
        .single()
        .expect("valid");
    let far_future = SigningParams::new(&credentials, year_10000);
    let negative_year = Utc
        .with_ymd_and_hms(-1, 1, 1, 0, 0, 0)
        .single()
        .expect("valid");
    let before_year_zero = SigningParams::new(&credentials, negative_year);
    for (what, params) in [
        ("expiration 0", zero),
        ("list without host", no_host),
        ("empty list", empty_list),
        ("list with a bad name", bad_name),
        ("year 10000", far_future),
        ("year -1", before_year_zero),
    ] {
        let error = sign(&usage_request(), &params).expect_err(what);
        assert_eq!(
            error.kind(),
            ErrorKind::InvalidSigningInput,
            "{what}: {error}"
        );
    }
    let error = sign(&usage_request(), &zero).expect_err("expiration 0");
    assert_eq!(error.field(), Some("expirationSeconds"));
}

// ---- parsing and verifying ----------------------------------------------------------

#[test]
fn parse_authorization_reads_every_field() {
    let parsed = parse_authorization(
        " bce-auth-v1/ak0123/2015-04-27T08:23:49Z/1800/Host;x-bce-date/\
         1B8DE5A23A56EEF657C69F94C621E7ACD227D049A4BA577F537D5E5CEBF0CF32 ",
    )
    .expect("parses");
    assert_eq!(
        parsed,
        ParsedAuthorization {
            access_key_id: "ak0123".into(),
            timestamp: Utc
                .with_ymd_and_hms(2015, 4, 27, 8, 23, 49)
                .single()
                .expect("valid"),
            expiration_seconds: 1800,
            signed_headers: vec!["host".into(), "x-bce-date".into()],
            signature: "1b8de5a23a56eef657c69f94c621e7acd227d049a4ba577f537d5e5cebf0cf32".into(),
        }
    );
    assert_eq!(
        parsed.expires_at(),
        Utc.with_ymd_and_hms(2015, 4, 27, 8, 53, 49).single()
    );
}

#[test]
fn parse_authorization_accepts_the_sdk_empty_signed_headers() {
    let parsed = parse_authorization(
        "bce-auth-v1/aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa/2015-04-27T08:23:49Z/1800//\
         d74a04362e6a848f5b39b15421cb449427f419c95a480fd6b8cf9fc783e2999e",
    )
    .expect("parses");
    assert!(parsed.signed_headers.is_empty());
}

#[test]
fn parse_authorization_refuses_malformed_values() {
    let signature = "d74a04362e6a848f5b39b15421cb449427f419c95a480fd6b8cf9fc783e2999e";
    let cases = [
        String::new(),
        "Bearer abc".to_owned(),
        format!("bce-auth-v2/ak/2015-04-27T08:23:49Z/1800/host/{signature}"),
        format!("bce-auth-v1//2015-04-27T08:23:49Z/1800/host/{signature}"),
        format!("bce-auth-v1/ak/2015-04-27 08:23:49/1800/host/{signature}"),
        format!("bce-auth-v1/ak/2015-02-29T08:23:49Z/1800/host/{signature}"),
        format!("bce-auth-v1/ak/2015-04-27T24:00:00Z/1800/host/{signature}"),
        format!("bce-auth-v1/ak/2015-04-27T08:23:49Z/0/host/{signature}"),
        format!("bce-auth-v1/ak/2015-04-27T08:23:49Z/-5/host/{signature}"),
        format!("bce-auth-v1/ak/2015-04-27T08:23:49Z/+5/host/{signature}"),
        format!("bce-auth-v1/ak/2015-04-27T08:23:49Z/99999999999/host/{signature}"),
        format!("bce-auth-v1/ak/2015-04-27T08:23:49Z/1800/host;;x-bce-date/{signature}"),
        "bce-auth-v1/ak/2015-04-27T08:23:49Z/1800/host/abc".to_owned(),
        format!(
            "bce-auth-v1/ak/2015-04-27T08:23:49Z/1800/host/{}",
            &signature.replace('d', "g")
        ),
        format!("bce-auth-v1/ak/2015-04-27T08:23:49Z/1800/host/{signature}/extra"),
    ];
    for value in &cases {
        let error = parse_authorization(value).expect_err(value);
        assert_eq!(error.kind(), ErrorKind::InvalidSigningInput, "{value}");
        assert_eq!(error.field(), Some("authorization"));
    }
}

#[test]
fn verify_accepts_own_signatures_and_refuses_changed_requests() {
    let credentials = credentials();
    let query = [("beginDate", "2024-01-01"), ("endDate", "2024-01-31")];
    let request = usage_request().with_query(&query);
    let output = sign(&request, &SigningParams::new(&credentials, time())).expect("signs");
    let parsed = parse_authorization(output.authorization()).expect("parses");

    // The server sees the headers the client added.
    let received = [
        ("Host", output.host()),
        ("X-Bce-Date", output.x_bce_date()),
        ("Authorization", output.authorization()),
    ];
    assert_eq!(
        verify(&request.with_headers(&received), &credentials, &parsed).ok(),
        Some(true)
    );

    let changed_query = [("beginDate", "2024-01-01"), ("endDate", "2024-01-30")];
    let changed = usage_request().with_query(&changed_query);
    assert_eq!(verify(&changed, &credentials, &parsed).ok(), Some(false));

    let mut tampered = parsed.clone();
    tampered.expiration_seconds = 3600;
    assert_eq!(verify(&request, &credentials, &tampered).ok(), Some(false));

    let wrong_secret = Credentials::new("ak0123456789", "wrong").expect("valid");
    assert_eq!(verify(&request, &wrong_secret, &parsed).ok(), Some(false));

    let other_key = Credentials::new("another-ak", "sk-secret-0123456789").expect("valid");
    let error = verify(&request, &other_key, &parsed).expect_err("other access key");
    assert_eq!(error.kind(), ErrorKind::InvalidCredentials);

    // A date header that differs from the signed timestamp is refused.
    let stale = [("x-bce-date", "2024-02-01T03:04:06Z")];
    let error =
        verify(&request.with_headers(&stale), &credentials, &parsed).expect_err("date differs");
    assert_eq!(error.kind(), ErrorKind::InvalidSigningInput);
}

#[test]
fn verify_reads_an_empty_signed_headers_field_as_the_default_set() {
    // The SDK's form of the worked example: empty signed headers, default set.
    let credentials = Credentials::new(
        "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
        "bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb",
    )
    .expect("valid");
    let parsed = parse_authorization(
        "bce-auth-v1/aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa/2015-04-27T08:23:49Z/1800//\
         d74a04362e6a848f5b39b15421cb449427f419c95a480fd6b8cf9fc783e2999e",
    )
    .expect("parses");
    let query = [
        ("partNumber", "9"),
        ("uploadId", "a44cc9bab11cbd156984767aad637851"),
    ];
    let headers = [
        ("Date", "Mon, 27 Apr 2015 16:23:49 +0800"),
        ("Content-Type", "text/plain"),
        ("Content-Length", "8"),
        ("Content-Md5", "NFzcPqhviddjRNnSOGo4rw=="),
    ];
    let request = SignableRequest::new("PUT", "bj.bcebos.com", "/v1/test/myfolder/readme.txt")
        .with_query(&query)
        .with_headers(&headers);
    assert_eq!(verify(&request, &credentials, &parsed).ok(), Some(true));
    let without_md5 = request.with_headers(&headers[..3]);
    assert_eq!(
        verify(&without_md5, &credentials, &parsed).ok(),
        Some(false)
    );
}

#[test]
fn parse_timestamp_is_strict() {
    use super::timestamp::parse_timestamp;
    assert_eq!(
        parse_timestamp("2024-02-29T23:59:59Z"),
        Utc.with_ymd_and_hms(2024, 2, 29, 23, 59, 59).single()
    );
    for text in [
        "2023-02-29T00:00:00Z",
        "2024-01-01T00:00:60Z",
        "2024-01-01T00:00:00",
        "2024-01-01T00:00:00+00:00",
        "2024-01-01t00:00:00Z",
        "2024-1-01T00:00:00Z0",
        "+024-01-01T00:00:00Z",
        "２024-01-01T00:00:00Z",
    ] {
        assert_eq!(parse_timestamp(text), None, "{text}");
    }
}

#[test]
fn signer_signs_exactly_as_sign_whether_its_key_is_reused_or_derived_again() {
    let mut signer = Signer::new();
    let later = time() + chrono::Duration::seconds(1);
    let other_query = [("beginDate", "2024-02-01"), ("endDate", "2024-02-29")];
    let other_request = usage_request().with_query(&other_query);
    let names = ["host"];
    let credentials = credentials();
    let params = SigningParams::new(&credentials, time());
    // Same time twice (the kept key), then a new time, a new expiration, back to the first
    // time, and an explicit header list: each equals a fresh `sign`.
    let cases = [
        (usage_request(), params),
        (other_request, params),
        (usage_request(), SigningParams::new(&credentials, later)),
        (
            usage_request(),
            SigningParams::new(&credentials, later).with_expiration_seconds(60),
        ),
        (
            other_request,
            params.with_headers_to_sign(HeadersToSign::Only(&names)),
        ),
    ];
    for (request, params) in cases {
        let expected = sign(&request, &params).expect("signs");
        let signed = signer.sign(&request, &params).expect("signs");
        assert_eq!(signed, expected, "{params:?}");
    }
    // Errors are sign's too.
    let bad = SignableRequest::new("GET", "", "/");
    let error = signer.sign(&bad, &params).expect_err("empty host");
    assert_eq!(error.kind(), ErrorKind::InvalidSigningInput);
    assert!(!format!("{signer:?}").contains("sk-secret"));
}
