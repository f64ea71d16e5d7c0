//! The attack table: every request the proxy must refuse, sent byte for byte over a raw
//! socket, in both modes. None may reach the upstream (the stand-in counts requests), and
//! no answer may carry the key or a signature.

mod common;

use std::net::SocketAddr;

use bec_usage::signing::Credentials;
use chrono::Utc;
use common::*;

/// What a refused request must get.
#[derive(Debug, Clone, Copy)]
enum Expect {
    /// This status and this BCE code in a JSON body.
    Bce(u16, &'static str),
    /// Refused by the HTTP parser before the application (a 400 without our body), or by
    /// us: any 4xx.
    Refused,
}

struct Attack {
    name: &'static str,
    request: String,
    expect: Expect,
}

const DATES: &str = "beginDate=2024-03-01&endDate=2024-03-01";

fn get(target: &str, extra: &str) -> String {
    format!("GET {target} HTTP/1.1\r\nHost: proxy.test\r\n{extra}Connection: close\r\n\r\n")
}

/// Attacks refused in every mode.
fn common_attacks(upstream: SocketAddr) -> Vec<Attack> {
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

fn check(attack: &Attack, response: &RawResponse) {
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

fn assert_no_secret(texts: &[String], secrets: &[String]) {
    for text in texts {
        for secret in secrets {
            assert!(
                !text.contains(secret.as_str()),
                "{secret:?} leaked in {text:?}"
            );
        }
    }
}

#[tokio::test]
async fn server_signed_mode_refuses_every_attack_before_the_upstream() {
    let (standin, upstream) = start_standin().await;
    let proxy = ProxySetup::server_signed(upstream).start().await;
    let (authorization, date) = client_signature(
        &upstream.to_string(),
        &test_credentials(),
        Utc::now(),
        "2024-03-01",
        "2024-03-01",
    );
    let usage = format!("/v1/usage/computing?{DATES}");
    let mut attacks = common_attacks(upstream);
    attacks.push(Attack {
        name: "a client signature in server-signed mode",
        request: get(
            &usage,
            &format!("Authorization: {authorization}\r\nx-bce-date: {date}\r\n"),
        ),
        expect: Expect::Bce(400, "InvalidHTTPRequest"),
    });
    let mut texts = Vec::new();
    for attack in &attacks {
        let response = raw(proxy, attack.request.as_bytes()).await;
        check(attack, &response);
        texts.push(format!(
            "{}\r\n\r\n{}{}",
            response.head, response.body, response.rest
        ));
    }
    assert_eq!(standin.request_count(), 0, "an attack reached the upstream");

    // A valid request still works and carries nothing of the client's junk upstream.
    let junk = "Cookie: session=abc\r\nX-Forwarded-For: 203.0.113.9\r\nX-Request-Id: client-chosen\r\nX-Custom: 1\r\nConnection: keep-alive, x-custom\r\n";
    let response = raw_get(proxy, &usage, junk).await;
    assert_eq!(response.status, 200, "{}", response.head);
    assert_ne!(
        response.header("x-request-id").as_deref(),
        Some("client-chosen")
    );
    let received = standin.received();
    let names: Vec<&str> = received[0]
        .headers
        .iter()
        .map(|(n, _)| n.as_str())
        .collect();
    for name in ["cookie", "x-forwarded-for", "x-request-id", "x-custom"] {
        assert!(!names.contains(&name), "{name} reached the upstream");
    }
    texts.push(format!("{}\r\n\r\n{}", response.head, response.body));

    let mut secrets = vec![TEST_SECRET.to_owned()];
    secrets.extend(received_signatures(&standin));
    assert_no_secret(&texts, &secrets);
}

#[tokio::test]
async fn relay_mode_refuses_every_attack_before_the_upstream() {
    let (standin, upstream) = start_standin().await;
    let proxy = ProxySetup::relay(upstream).start().await;
    let credentials = test_credentials();
    let (authorization, date) = client_signature(
        &upstream.to_string(),
        &credentials,
        Utc::now(),
        "2024-03-01",
        "2024-03-01",
    );
    let signed = format!("Authorization: {authorization}\r\nx-bce-date: {date}\r\n");
    let usage = format!("/v1/usage/computing?{DATES}");
    let mut attacks = common_attacks(upstream);
    // The same attacks carrying a valid signature: still refused.
    for attack in common_attacks(upstream) {
        if let Some(rest) = attack.request.strip_suffix("Connection: close\r\n\r\n") {
            attacks.push(Attack {
                name: attack.name,
                request: format!("{rest}{signed}Connection: close\r\n\r\n"),
                expect: attack.expect,
            });
        }
    }
    let other_host = client_signature(
        "evil.example",
        &credentials,
        Utc::now(),
        "2024-03-01",
        "2024-03-01",
    );
    let extra_signed = authorization.replace("/host;x-bce-date/", "/content-type;host;x-bce-date/");
    let relay_attacks = [
        ("no signature", get(&usage, ""), "InvalidHTTPAuthHeader"),
        ("Authorization without x-bce-date", get(&usage, &format!("Authorization: {authorization}\r\n")), "InvalidHTTPAuthHeader"),
        ("x-bce-date without Authorization", get(&usage, &format!("x-bce-date: {date}\r\n")), "InvalidHTTPAuthHeader"),
        ("two Authorization headers", get(&usage, &format!("Authorization: {authorization}\r\n{signed}")), "InvalidHTTPAuthHeader"),
        ("not bce-auth-v1", get(&usage, &format!("Authorization: Bearer abc\r\nx-bce-date: {date}\r\n")), "InvalidHTTPAuthHeader"),
        ("x-bce-date differs from the signature", get(&usage, &format!("Authorization: {authorization}\r\nx-bce-date: 2020-01-01T00:00:00Z\r\n")), "InvalidHTTPAuthHeader"),
        ("signs a header the proxy drops", get(&usage, &format!("Authorization: {extra_signed}\r\nx-bce-date: {date}\r\nContent-Type: text/plain\r\n")), "InvalidHTTPAuthHeader"),
    ];
    for (name, request, code) in relay_attacks {
        attacks.push(Attack {
            name,
            request,
            expect: Expect::Bce(400, code),
        });
    }
    let mut texts = Vec::new();
    for attack in &attacks {
        let response = raw(proxy, attack.request.as_bytes()).await;
        check(attack, &response);
        texts.push(format!(
            "{}\r\n\r\n{}{}",
            response.head, response.body, response.rest
        ));
    }
    assert_eq!(standin.request_count(), 0, "an attack reached the upstream");

    // A signature for another host is well-formed, so it is forwarded, and the upstream
    // refuses it: the proxy is no way to use a signature against another host.
    let response = raw_get(
        proxy,
        &usage,
        &format!(
            "Authorization: {}\r\nx-bce-date: {}\r\n",
            other_host.0, other_host.1
        ),
    )
    .await;
    assert_eq!(
        (response.status, response.code().as_deref()),
        (403, Some("SignatureDoesNotMatch"))
    );
    assert_eq!(standin.request_count(), 1);

    // No answer echoes the client's signature or the key.
    let signature = authorization.rsplit('/').next().unwrap().to_owned();
    assert_no_secret(&texts, &[TEST_SECRET.to_owned(), signature]);
}

#[tokio::test]
async fn a_wrong_key_in_server_signed_mode_leaks_nothing() {
    let (standin, upstream) = start_standin().await;
    let mut setup = ProxySetup::server_signed(upstream);
    let secret = "WRONG-but-still-secret-5b1d";
    setup.credentials = Some(Credentials::new(TEST_ACCESS_KEY_ID, secret).unwrap());
    let proxy = setup.start().await;
    let response = raw_get(proxy, &format!("/v1/usage/computing?{DATES}"), "").await;
    assert_eq!(response.code().as_deref(), Some("SignatureDoesNotMatch"));
    let mut secrets = vec![secret.to_owned(), TEST_SECRET.to_owned()];
    secrets.extend(received_signatures(&standin));
    assert_no_secret(
        &[format!("{}\r\n\r\n{}", response.head, response.body)],
        &secrets,
    );
}
