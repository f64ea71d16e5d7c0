//! The attack table: every request the proxy must refuse, sent byte for byte over a raw
//! socket, in both modes. None may reach the upstream (the stand-in counts requests), and
//! no answer may carry the key or a signature.

use crate::common::attacks::*;
use crate::common::*;
use bec_usage::signing::Credentials;
use chrono::Utc;

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
