//! Signing the usage request (`GET /v1/usage/computing?beginDate=..&endDate=..`, host
//! `bec.baidubce.com`, default headers): one full BCE v1 signature per iteration.
//!
//! `cargo bench -p bec-usage --bench sign`; the target is ≤ 2 µs per signature.
//!
//! Native only (criterion is a native dev-dependency); on wasm32 this is an empty `main`
//! so that `--all-targets` builds there too.
#[cfg(target_arch = "wasm32")]
fn main() {}

#[cfg(not(target_arch = "wasm32"))]
criterion::criterion_main!(native::benches);

#[cfg(not(target_arch = "wasm32"))]
mod native {
    use std::hint::black_box;
    use std::time::Duration;

    use bec_usage::signing::{sign, Credentials, SignableRequest, SigningParams};
    use chrono::{TimeZone, Utc};
    use criterion::{criterion_group, Criterion};

    fn sign_usage_request(c: &mut Criterion) {
        let credentials = Credentials::new(
            "a1b2c3d4e5f60718293a4b5c6d7e8f90",
            "0f9e8d7c6b5a49382716f5e4d3c2b1a0",
        )
        .expect("valid credentials");
        let time = Utc
            .with_ymd_and_hms(2024, 2, 1, 3, 4, 5)
            .single()
            .expect("valid time");
        let query = [("beginDate", "2024-01-01"), ("endDate", "2024-01-31")];
        let request = SignableRequest::new("GET", "bec.baidubce.com", "/v1/usage/computing")
            .with_query(&query);
        let params = SigningParams::new(&credentials, time);

        c.bench_function("sign usage request (default headers)", |b| {
            b.iter(|| sign(black_box(&request), black_box(&params)).expect("signs"))
        });
    }

    criterion_group! {
        name = benches;
        config = Criterion::default()
            .warm_up_time(Duration::from_secs(1))
            .measurement_time(Duration::from_secs(3));
        targets = sign_usage_request
    }
}
