//! The attack table: requests the proxy must refuse in every mode, byte for byte, with what
//! each must get. Used by `attacks.rs` (the plain path) and `accounts.rs` (the same behind
//! `/accounts/NAME/`).

use std::net::SocketAddr;

use super::RawResponse;

/// What a refused request must get.
#[derive(Debug, Clone, Copy)]
pub enum Expect {
    /// This status and this BCE code in a JSON body.
    Bce(u16, &'static str),
    /// Refused by the HTTP parser before the application (a 400 without our body), or by
    /// us: any 4xx.
    Refused,
}

pub struct Attack {
    pub name: &'static str,
    pub request: String,
    pub expect: Expect,
}

pub const DATES: &str = "beginDate=2024-03-01&endDate=2024-03-01";

pub fn get(target: &str, extra: &str) -> String {
    format!("GET {target} HTTP/1.1\r\nHost: proxy.test\r\n{extra}Connection: close\r\n\r\n")
}

/// Attacks refused in every mode.
pub fn common_attacks(upstream: SocketAddr) -> Vec<Attack> {
    let usage = format!("/v1/usage/computing?{DATES}");
    let mut attacks = vec![
        // ---- absolute URLs and other targets
        Attack { name: "absolute URL to another host", request: get(&format!("http://evil.example{usage}"), ""), expect: Expect::Bce(400, "InvalidURI") },
        Attack { name: "absolute URL to the upstream itself", request: get(&format!("http://{upstream}{usage}"), ""), expect: Expect::Bce(400, "InvalidURI") },
        Attack { name: "https absolute URL", request: get(&format!("https://bec.baidubce.com{usage}"), ""), expect: Expect::Bce(400, "InvalidURI") },
        Attack { name: "authority form (CONNECT)", request: format!("CONNECT {upstream} HTTP/1.1\r\nHost: {upstream}\r\nConnection: close\r\n\r\n"), expect: Expect::Refused },
        Attack { name: "dot-dot segments", request: get(&format!("/v1/usage/../usage/computing?{DATES}"), ""), expect: Expect::Bce(400, "InvalidURI") },
        Attack { name: "dot-dot from outside /v1", request: get(&format!("/x/../v1/usage/computing?{DATES}"), ""), expect: Expect::Bce(400, "InvalidURI") },
        Attack { name: "encoded dot-dot", request: get(&format!("/v1/usage/%2e%2e/usage/computing?{DATES}"), ""), expect: Expect::Bce(400, "InvalidURI") },
        Attack { name: "dot segment", request: get(&format!("/v1/./usage/computing?{DATES}"), ""), expect: Expect::Bce(400, "InvalidURI") },
        Attack { name: "encoded slash", request: get(&format!("/v1/usage%2Fcomputing?{DATES}"), ""), expect: Expect::Bce(400, "InvalidURI") },
        Attack { name: "encoded slash outside /v1/", request: get(&format!("/v1%2fusage%2fcomputing?{DATES}"), ""), expect: Expect::Bce(400, "InvalidURI") },
        Attack { name: "encoded letter", request: get(&format!("/%761/usage/computing?{DATES}"), ""), expect: Expect::Bce(400, "InvalidURI") },
        Attack { name: "double slash", request: get(&format!("//v1/usage/computing?{DATES}"), ""), expect: Expect::Bce(400, "InvalidURI") },
        Attack { name: "backslash", request: get(&format!("/v1\\usage\\computing?{DATES}"), ""), expect: Expect::Refused },
        Attack { name: "trailing slash", request: get(&format!("/v1/usage/computing/?{DATES}"), ""), expect: Expect::Bce(404, "NotFound") },
        Attack { name: "upper-case path", request: get(&format!("/V1/usage/computing?{DATES}"), ""), expect: Expect::Bce(404, "NotFound") },
        Attack { name: "another BEC path", request: get("/v1/instance", ""), expect: Expect::Bce(404, "NotFound") },
        Attack { name: "another BEC path with the dates", request: get(&format!("/v1/vm/instance?{DATES}"), ""), expect: Expect::Bce(404, "NotFound") },
        Attack { name: "/v1 itself", request: get("/v1", ""), expect: Expect::Bce(404, "NotFound") },
        Attack { name: "/v1/", request: get("/v1/", ""), expect: Expect::Bce(404, "NotFound") },
        // ---- the query
        Attack { name: "no query", request: get("/v1/usage/computing", ""), expect: Expect::Bce(400, "InvalidParameter") },
        Attack { name: "extra parameter", request: get(&format!("{usage}&marker=x"), ""), expect: Expect::Bce(400, "InvalidParameter") },
        Attack { name: "authorization parameter", request: get(&format!("{usage}&authorization=bce-auth-v1"), ""), expect: Expect::Bce(400, "InvalidParameter") },
        Attack { name: "duplicated parameter", request: get(&format!("{usage}&beginDate=2024-03-01"), ""), expect: Expect::Bce(400, "InvalidParameter") },
        Attack { name: "encoded parameter", request: get("/v1/usage/computing?beginDate=2024%2D03-01&endDate=2024-03-01", ""), expect: Expect::Bce(400, "InvalidParameter") },
        Attack { name: "range longer than 31 days", request: get("/v1/usage/computing?beginDate=2024-01-01&endDate=2024-02-01", ""), expect: Expect::Bce(400, "InvalidParameter") },
        Attack { name: "not a date", request: get("/v1/usage/computing?beginDate=yesterday&endDate=2024-02-01", ""), expect: Expect::Bce(400, "InvalidParameter") },
        // ---- methods
        Attack { name: "OPTIONS without CORS", request: format!("OPTIONS {usage} HTTP/1.1\r\nHost: p\r\nConnection: close\r\n\r\n"), expect: Expect::Bce(405, "MethodNotAllowed") },
        Attack { name: "HEAD", request: format!("HEAD {usage} HTTP/1.1\r\nHost: p\r\nConnection: close\r\n\r\n"), expect: Expect::Refused },
        Attack { name: "TRACE", request: format!("TRACE {usage} HTTP/1.1\r\nHost: p\r\nConnection: close\r\n\r\n"), expect: Expect::Bce(405, "MethodNotAllowed") },
        Attack { name: "method override header", request: get(&usage, "X-HTTP-Method-Override: DELETE\r\n"), expect: Expect::Bce(400, "InvalidHTTPRequest") },
        // ---- host and URL overrides
        Attack { name: "X-Forwarded-Host", request: get(&usage, "X-Forwarded-Host: evil.example\r\n"), expect: Expect::Bce(400, "InvalidHTTPRequest") },
        Attack { name: "Forwarded host", request: get(&usage, "Forwarded: host=evil.example\r\n"), expect: Expect::Bce(400, "InvalidHTTPRequest") },
        Attack { name: "X-Original-URL", request: get(&usage, "X-Original-URL: /v1/instance\r\n"), expect: Expect::Bce(400, "InvalidHTTPRequest") },
        Attack { name: "X-Rewrite-URL", request: get(&usage, "X-Rewrite-URL: /v1/instance\r\n"), expect: Expect::Bce(400, "InvalidHTTPRequest") },
        Attack { name: "X-Host", request: get(&usage, "X-Host: evil.example\r\n"), expect: Expect::Bce(400, "InvalidHTTPRequest") },
        Attack { name: "two Host headers", request: format!("GET {usage} HTTP/1.1\r\nHost: a.example\r\nHost: evil.example\r\nConnection: close\r\n\r\n"), expect: Expect::Refused },
        Attack { name: "x-bce header to smuggle a token", request: get(&usage, "x-bce-security-token: t\r\n"), expect: Expect::Bce(400, "InvalidHTTPRequest") },
        // ---- framing and smuggling
        Attack { name: "GET with a body", request: format!("GET {usage} HTTP/1.1\r\nHost: p\r\nContent-Length: 5\r\nConnection: close\r\n\r\nhello"), expect: Expect::Bce(400, "InvalidHTTPRequest") },
        Attack { name: "GET with a chunked body", request: format!("GET {usage} HTTP/1.1\r\nHost: p\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n5\r\nhello\r\n0\r\n\r\n"), expect: Expect::Bce(400, "InvalidHTTPRequest") },
        Attack { name: "Content-Length and Transfer-Encoding (CL.TE)", request: format!("GET {usage} HTTP/1.1\r\nHost: p\r\nContent-Length: 4\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n0\r\n\r\n"), expect: Expect::Refused },
        Attack { name: "smuggled request in a body", request: format!("GET {usage} HTTP/1.1\r\nHost: p\r\nContent-Length: 45\r\n\r\nGET /v1/instance HTTP/1.1\r\nHost: evil\r\n\r\n"), expect: Expect::Bce(400, "InvalidHTTPRequest") },
        Attack { name: "obfuscated Transfer-Encoding", request: format!("GET {usage} HTTP/1.1\r\nHost: p\r\nTransfer-Encoding: xchunked\r\nConnection: close\r\n\r\n"), expect: Expect::Refused },
        Attack { name: "header folding", request: format!("GET {usage} HTTP/1.1\r\nHost: p\r\nX-Forwarded-Host: a\r\n evil.example\r\nConnection: close\r\n\r\n"), expect: Expect::Refused },
        Attack { name: "bare LF line ends", request: format!("GET {usage} HTTP/1.1\nHost: p\nX-Forwarded-Host: evil\nConnection: close\n\n"), expect: Expect::Refused },
        Attack { name: "NUL in a header", request: format!("GET {usage} HTTP/1.1\r\nHost: p\r\nX-A: a\0b\r\nConnection: close\r\n\r\n"), expect: Expect::Refused },
        Attack { name: "HTTP/1.0 absolute URL", request: format!("GET http://evil.example{usage} HTTP/1.0\r\n\r\n"), expect: Expect::Bce(400, "InvalidURI") },
    ];
    // Requests to be pipelined behind a refused one must not reach the upstream either.
    attacks.push(Attack {
        name: "pipelined request after a refused one",
        request: "GET /v1/instance HTTP/1.1\r\nHost: p\r\n\r\nGET /v1/other HTTP/1.1\r\nHost: p\r\nConnection: close\r\n\r\n".to_owned(),
        expect: Expect::Bce(404, "NotFound"),
    });
    attacks
}

pub fn check(attack: &Attack, response: &RawResponse) {
    match attack.expect {
        Expect::Bce(status, code) => {
            assert_eq!(
                response.status, status,
                "{}: {}",
                attack.name, response.head
            );
            assert_eq!(
                response.code().as_deref(),
                Some(code),
                "{}: {}",
                attack.name,
                response.body
            );
            assert!(
                response
                    .header("content-type")
                    .is_some_and(|v| v.starts_with("application/json")),
                "{}",
                attack.name
            );
        }
        Expect::Refused => {
            assert!(
                (400..500).contains(&response.status),
                "{}: {}",
                attack.name,
                response.head
            );
        }
    }
    if attack.name.starts_with("pipelined") {
        // The second request is answered (refused) too, on the same connection.
        assert!(
            response.rest.starts_with("HTTP/1.1 404"),
            "{}",
            response.rest
        );
    }
}
