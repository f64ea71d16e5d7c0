//! The BEC service's names, in one place for every edge (the dashboard, the server, the
//! npm package's glue mirrors them): the one endpoint's path, the service's host, and the
//! header that carries the signing time.

/// The usage endpoint, `GET /v1/usage/computing?beginDate=..&endDate=..`: the one path the
/// server forwards and the dashboard requests, the same on the server as on BEC.
pub const USAGE_PATH: &str = "/v1/usage/computing";

/// BEC's host, which requests are signed for (also through a relay or the stand-in).
pub const SERVICE_HOST: &str = "bec.baidubce.com";

/// BEC's endpoint: the server's default upstream.
pub const SERVICE_ENDPOINT: &str = "https://bec.baidubce.com";

/// The header with the signing time (`YYYY-MM-DDTHH:MM:SSZ`), signed with the host.
pub const X_BCE_DATE: &str = "x-bce-date";

#[cfg(test)]
mod tests {
    #[cfg(target_arch = "wasm32")]
    use wasm_bindgen_test::wasm_bindgen_test as test;

    #[test]
    fn the_endpoint_is_https_on_the_service_host() {
        assert_eq!(
            super::SERVICE_ENDPOINT,
            format!("https://{}", super::SERVICE_HOST)
        );
        assert!(super::USAGE_PATH.starts_with('/') && !super::USAGE_PATH.ends_with('/'));
    }
}
