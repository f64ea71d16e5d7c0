//! Several accounts behind one server: `/accounts/NAME/v1/usage/computing`, the default
//! account on the plain path, who sees which account, and the whole attack table repeated
//! behind the prefix.

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use crate::common::attacks::*;
use crate::common::*;
use bec_usage::signing::Credentials;
use bec_usage_proxy::access::users::{user_line, Users};
use bec_usage_proxy::access::Access;
use bec_usage_proxy::accounts::{Account, Accounts};
use bec_usage_proxy::app::{self, AppOptions, NamedAccounts};
use bec_usage_proxy::clock::system_clock;
use bec_usage_proxy::forward::{Forwarder, Upstream};
use bec_usage_proxy::standin::{Standin, StandinConfig};
use tokio::net::TcpListener;

const TEST_ACCOUNT_ID: &str = "second-account-key-id";
const TEST_ACCOUNT_SECRET: &str = "SECOND-SECRET-never-in-a-log-51c2";

fn second_credentials() -> Credentials {
    Credentials::new(TEST_ACCOUNT_ID, TEST_ACCOUNT_SECRET).expect("keys")
}

/// A stand-in that knows both accounts, each with data of its own.
async fn two_account_standin() -> (Standin, SocketAddr) {
    start_standin_with(StandinConfig {
        credentials: test_credentials(),
        other_accounts: vec![second_credentials()],
        ..StandinConfig::demo()
    })
    .await
}

/// `production` (the test keys; only alice when `restricted`) and `test` (everyone),
/// `production` the default; `access` decides who is who.
async fn proxy(upstream: SocketAddr, access: Access, restricted: bool) -> SocketAddr {
    let accounts = Accounts::new(
        vec![
            Account {
                name: "production".into(),
                credentials: test_credentials(),
                users: restricted.then(|| ["alice".to_owned()].into()),
            },
            Account {
                name: "test".into(),
                credentials: second_credentials(),
                users: None,
            },
        ],
        Some("production".into()),
    );
    let upstream = Upstream::parse(&format!("http://{upstream}")).expect("upstream");
    let forwarders: Vec<Arc<Forwarder>> = accounts
        .all()
        .iter()
        .map(|account| {
            Arc::new(
                Forwarder::new(
                    upstream.clone(),
                    quick_policy(),
                    Some(account.credentials.clone()),
                    system_clock(),
                )
                .expect("forwarder"),
            )
        })
        .collect();
    let router = app::router(
        Arc::clone(&forwarders[0]),
        AppOptions {
            access: Some(Arc::new(access)),
            accounts: Some(Arc::new(NamedAccounts {
                accounts,
                forwarders,
            })),
            ..AppOptions::default()
        },
    );
    let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let address = listener.local_addr().expect("address");
    tokio::spawn(async move {
        axum::serve(
            listener,
            router.into_make_service_with_connect_info::<SocketAddr>(),
        )
        .await
        .expect("serves");
    });
    address
}

fn team_access() -> Access {
    let alice = user_line("alice", "alice pw", b"alice's salt 16b").expect("line");
    let bob = user_line("bob", "bob pw", b"bob's salt 16 by").expect("line");
    let users = Users::parse(&format!("{alice}\n{bob}"), "test").expect("users");
    Access::new(Some(users), None, Duration::from_secs(600), false)
}

const ONE_DAY: &str = "?beginDate=2024-03-01&endDate=2024-03-01";

#[tokio::test]
async fn each_account_answers_with_its_own_data_and_the_plain_path_is_the_default() {
    let (standin, upstream) = two_account_standin().await;
    let address = proxy(upstream, Access::open(), false).await;
    let production = raw_get(
        address,
        &format!("/accounts/production/v1/usage/computing{ONE_DAY}"),
        "",
    )
    .await;
    let test = raw_get(
        address,
        &format!("/accounts/test/v1/usage/computing{ONE_DAY}"),
        "",
    )
    .await;
    let plain = raw_get(address, &format!("/v1/usage/computing{ONE_DAY}"), "").await;
    for answer in [&production, &test, &plain] {
        assert_eq!(answer.status, 200, "{}", answer.body);
    }
    assert_ne!(production.body, test.body, "two accounts, two data sets");
    assert_eq!(
        plain.body, production.body,
        "the plain path reads the default account"
    );
    // Each request was signed with its own account's key.
    let key_ids: Vec<String> = standin
        .received()
        .iter()
        .filter_map(|r| {
            r.headers
                .iter()
                .find(|(n, _)| n == "authorization")
                .map(|(_, v)| v.clone())
        })
        .filter_map(|v| v.split('/').nth(1).map(str::to_owned))
        .collect();
    assert_eq!(
        key_ids,
        [TEST_ACCESS_KEY_ID, TEST_ACCOUNT_ID, TEST_ACCESS_KEY_ID]
    );
    let health = raw_get(address, "/healthz", "").await;
    assert!(
        health
            .body
            .contains(r#""accounts":["production","test"],"defaultAccount":"production""#),
        "{}",
        health.body
    );
    assert!(
        !health.body.contains(TEST_ACCESS_KEY_ID),
        "no key in /healthz"
    );
}

#[tokio::test]
async fn an_account_a_user_may_not_see_answers_like_one_that_does_not_exist() {
    let (standin, upstream) = two_account_standin().await;
    let address = proxy(upstream, team_access(), true).await;
    let alice = sign_in(address, "alice", "alice pw").await;
    let bob = sign_in(address, "bob", "bob pw").await;

    let path = |account: &str| format!("/accounts/{account}/v1/usage/computing{ONE_DAY}");
    assert_eq!(
        raw_get(address, &path("production"), &alice).await.status,
        200
    );
    let hidden = raw_get(address, &path("production"), &bob).await;
    let missing = raw_get(address, &path("nothing"), &bob).await;
    assert_eq!((hidden.status, missing.status), (404, 404));
    assert_eq!(hidden.code(), missing.code());
    let message = |answer: &RawResponse| {
        bec_usage::json::parse_service_error(404, &answer.body, None).map(|e| e.message)
    };
    assert_eq!(
        message(&hidden).map(|m| m.replace("production", "NAME")),
        message(&missing).map(|m| m.replace("nothing", "NAME")),
        "the same words for hidden and missing"
    );
    assert_eq!(raw_get(address, &path("test"), &bob).await.status, 200);
    // The plain path's default is production: bob has none.
    assert_eq!(
        raw_get(address, &format!("/v1/usage/computing{ONE_DAY}"), &bob)
            .await
            .status,
        404
    );
    // /healthz lists what each may see.
    for (cookie, listed) in [
        (
            &alice,
            r#""accounts":["production","test"],"defaultAccount":"production""#,
        ),
        (&bob, r#""accounts":["test"],"defaultAccount":null"#),
        (&String::new(), r#""accounts":[],"defaultAccount":null"#),
    ] {
        let health = raw_get(address, "/healthz", cookie).await;
        assert!(health.body.contains(listed), "{}", health.body);
    }
    // Nobody signed in reads nothing, whatever the account.
    assert_eq!(raw_get(address, &path("test"), "").await.status, 401);
    let requests = standin.request_count();
    assert_eq!(
        requests, 2,
        "only alice's production and bob's test reached BEC"
    );
}

/// The request with its target moved behind `/accounts/test` (origin-form targets only).
fn behind_prefix(request: &str) -> String {
    let mut parts = request.splitn(3, ' ');
    let (Some(method), Some(target), Some(rest)) = (parts.next(), parts.next(), parts.next())
    else {
        return request.to_owned();
    };
    if target.starts_with('/') {
        format!("{method} /accounts/test{target} {rest}")
    } else {
        request.to_owned()
    }
}

#[tokio::test]
async fn every_refusal_of_the_plain_path_applies_behind_the_prefix() {
    let (standin, upstream) = two_account_standin().await;
    let address = proxy(upstream, Access::open(), false).await;
    let mut attacks = common_attacks(upstream);
    attacks.push(Attack {
        name: "absolute URL with the prefix",
        request: get(
            &format!("http://evil.example/accounts/test/v1/usage/computing?{DATES}"),
            "",
        ),
        expect: Expect::Bce(400, "InvalidURI"),
    });
    attacks.push(Attack {
        name: "dot-dot out of the prefix",
        request: get(
            &format!("/accounts/test/../production/v1/usage/computing?{DATES}"),
            "",
        ),
        expect: Expect::Bce(400, "InvalidURI"),
    });
    attacks.push(Attack {
        name: "encoded slash in the account's name",
        request: get(
            &format!("/accounts/test%2F..%2Fproduction/v1/usage/computing?{DATES}"),
            "",
        ),
        expect: Expect::Bce(400, "InvalidURI"),
    });
    attacks.push(Attack {
        name: "no account name",
        request: get(&format!("/accounts//v1/usage/computing?{DATES}"), ""),
        expect: Expect::Bce(400, "InvalidURI"),
    });
    attacks.push(Attack {
        name: "/accounts alone",
        request: get("/accounts", ""),
        expect: Expect::Bce(404, "NotFound"),
    });
    attacks.push(Attack {
        name: "an account without BEC's path",
        request: get("/accounts/test", ""),
        expect: Expect::Bce(404, "NotFound"),
    });
    attacks.push(Attack {
        name: "a client signature in server-signed mode",
        request: get(
            &format!("/v1/usage/computing?{DATES}"),
            "Authorization: bce-auth-v1/x/2024-03-01T00:00:00Z/1800/host/abc\r\n",
        ),
        expect: Expect::Bce(400, "InvalidHTTPRequest"),
    });
    for attack in &attacks {
        let moved = Attack {
            name: attack.name,
            request: behind_prefix(&attack.request),
            expect: attack.expect,
        };
        let response = raw(address, moved.request.as_bytes()).await;
        check(&moved, &response);
        assert!(
            !response.body.contains(TEST_ACCOUNT_SECRET) && !response.body.contains(TEST_SECRET)
        );
    }
    assert_eq!(standin.request_count(), 0, "an attack reached the upstream");
    // And the real thing behind the prefix works.
    let answer = raw_get(
        address,
        &format!("/accounts/test/v1/usage/computing{ONE_DAY}"),
        "",
    )
    .await;
    assert_eq!(answer.status, 200, "{}", answer.body);
}
