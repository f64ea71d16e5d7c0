//! Scratch: compact forecast figures per series (temporary).
#[allow(dead_code)]
#[path = "real_scores/data.rs"]
mod data;
#[allow(dead_code)]
#[path = "real_scores/forecasts.rs"]
mod forecasts;
use forecasts::{evaluate, read_ets, Cut, Scores, ETS_FILE};
use std::path::Path;
fn main() {
    let series = data::read_folder(Path::new("target/real-series")).unwrap();
    let ets = read_ets(Path::new(ETS_FILE)).unwrap();
    let cuts = evaluate(&series, ets.as_ref()).unwrap();
    let mut names: Vec<&str> = cuts.iter().map(|c| c.series.as_str()).collect();
    names.dedup();
    let mut line = String::new();
    let mut logsum = 0.0;
    let mut n = 0.0;
    let old: Vec<&str> = names
        .iter()
        .copied()
        .filter(|n| *n != "calls.csv")
        .collect();
    for name in &names {
        let of: Vec<&Cut> = cuts.iter().filter(|c| c.series == *name).collect();
        let s = Scores::of(&of);
        line += &format!("{}={:.3}/{:.2} ", &name[..5], s.ours.mape, s.ratio());
        logsum += s.ratio().ln();
        n += 1.0;
    }
    let all7: Vec<&Cut> = cuts
        .iter()
        .filter(|c| old.contains(&c.series.as_str()))
        .collect();
    let s7 = Scores::of(&all7);
    let all: Vec<&Cut> = cuts.iter().collect();
    let s = Scores::of(&all);
    let d10: Vec<&Cut> = cuts
        .iter()
        .filter(|c| chrono::Datelike::day(&c.date) == 10)
        .collect();
    let d20: Vec<&Cut> = cuts
        .iter()
        .filter(|c| chrono::Datelike::day(&c.date) == 20)
        .collect();
    println!(
        "R7 {:.3} (mape {:.3} cov {:.1} w {:.2} b {:+.2}) R8 {:.3} geo {:.3} d10 {:.3} d20 {:.3} | {}",
        s7.ratio(), s7.ours.mape, s7.ours.coverage, s7.ours.width, s7.ours.bias,
        s.ratio(), (logsum / n).exp(), Scores::of(&d10).ratio(), Scores::of(&d20).ratio(), line
    );
    if std::env::var("ZZ_CUTS").is_ok() {
        let mut v: Vec<&Cut> = cuts.iter().collect();
        v.sort_by(|a, b| {
            ((b.ours.expected - b.truth) / b.truth)
                .abs()
                .partial_cmp(&((a.ours.expected - a.truth) / a.truth).abs())
                .unwrap()
        });
        for c in v.iter().take(25) {
            println!(
                "{} {} ours {:+.2} naive {:+.2} ets {:+.2}",
                c.series,
                c.date,
                100.0 * (c.ours.expected / c.truth - 1.0),
                100.0 * (c.naive.expected / c.truth - 1.0),
                100.0 * (c.ets.unwrap().expected / c.truth - 1.0)
            );
        }
    }
}
