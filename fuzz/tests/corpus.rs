//! Every fuzz target on stable, in the ordinary test harness: over its seeds
//! (`fuzz/seeds/TARGET/`), the inputs libFuzzer saved as crashes (`fuzz/artifacts/TARGET/`,
//! not committed: a crash found by `scripts/fuzz.sh` fails here until it is fixed), and
//! deterministic mutations of them (bit flips, byte changes, cuts, splices), so that each
//! run checks a few thousand inputs near the interesting ones without libFuzzer. Long,
//! coverage-guided runs stay in `scripts/fuzz.sh`.
//!
//! A failing input is written to `fuzz/artifacts/TARGET/stable-NAME`, where
//! `cargo +nightly fuzz run --features libfuzzer TARGET FILE` replays it.

use std::cell::Cell;
use std::fs;
use std::panic::{self, AssertUnwindSafe};
use std::path::{Path, PathBuf};
use std::sync::Once;

use bec_usage_fuzz::Target;

/// Mutations per target and run: enough to reach past the seeds' first refusal, few enough
/// that the eight targets take about a second in a debug build.
const MUTATIONS: usize = 4000;

/// xorshift64*: a fixed sequence, so that a failure reproduces on every run.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    /// A number in `0..bound` (`bound` > 0).
    fn below(&mut self, bound: usize) -> usize {
        (self.next() % bound as u64) as usize
    }
}

thread_local! {
    /// Set while this thread runs a target: its panics are collected, not printed.
    static CHECKING: Cell<bool> = const { Cell::new(false) };
}

/// The default hook would print a message and backtrace per failing input; a failing input
/// is reported once, by the test's own assertion. Other panics print as usual (the tests
/// run on several threads, so the hook is installed once and asks the thread).
fn quiet_panics_while_checking() {
    static INSTALL: Once = Once::new();
    INSTALL.call_once(|| {
        let default = panic::take_hook();
        panic::set_hook(Box::new(move |info| {
            if !CHECKING.with(Cell::get) {
                default(info);
            }
        }));
    });
}

fn fuzz_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).to_path_buf()
}

/// The files of `dir`, sorted by name, each as (name, bytes); none if it does not exist.
fn files(dir: &Path) -> Vec<(String, Vec<u8>)> {
    let Ok(entries) = fs::read_dir(dir) else {
        return Vec::new();
    };
    let mut found: Vec<(String, Vec<u8>)> = entries
        .filter_map(Result::ok)
        .filter(|entry| entry.path().is_file())
        .map(|entry| {
            let path = entry.path();
            let bytes = fs::read(&path)
                .unwrap_or_else(|error| panic!("cannot read {}: {error}", path.display()));
            (entry.file_name().to_string_lossy().into_owned(), bytes)
        })
        .collect();
    found.sort();
    found
}

/// One to four changes of the kinds libFuzzer's own mutator makes.
fn mutate(rng: &mut Rng, base: &[u8], other: &[u8]) -> Vec<u8> {
    let mut bytes = base.to_vec();
    for _ in 0..=rng.below(4) {
        let len = bytes.len();
        match rng.below(8) {
            0 if len > 0 => {
                let at = rng.below(len);
                bytes[at] ^= 1 << rng.below(8);
            }
            1 if len > 0 => {
                let at = rng.below(len);
                bytes[at] = rng.next() as u8;
            }
            2 => {
                // A byte that matters to the formats read: JSON's and CSV's punctuation.
                const INTERESTING: &[u8] = b"{}[]\",:.-+eE0\\ \n\r\x00\xff/?&=;";
                let at = rng.below(len + 1);
                bytes.insert(at, INTERESTING[rng.below(INTERESTING.len())]);
            }
            3 if len > 0 => {
                let at = rng.below(len);
                let end = (at + 1 + rng.below(8)).min(len);
                bytes.drain(at..end);
            }
            4 if len > 0 => bytes.truncate(rng.below(len)),
            5 if len > 0 => {
                // A stretch repeated: deeper nesting, longer lists.
                let at = rng.below(len);
                let end = (at + 1 + rng.below(32)).min(len);
                let copy = bytes[at..end].to_vec();
                let to = rng.below(len + 1);
                bytes.splice(to..to, copy);
            }
            6 if !other.is_empty() => {
                // The start of this input with the end of another.
                let cut = rng.below(len + 1);
                let from = rng.below(other.len());
                bytes.truncate(cut);
                bytes.extend_from_slice(&other[from..]);
            }
            _ => {
                let at = rng.below(len + 1);
                bytes.insert(at, rng.next() as u8);
            }
        }
    }
    bytes
}

/// Runs `target` on every input; a panic fails the test after all inputs ran, naming each
/// failing input and saving it where `cargo fuzz run` replays it.
fn check_target(name: &str, target: Target) {
    let dir = fuzz_dir();
    let seeds = files(&dir.join("seeds").join(name));
    assert!(!seeds.is_empty(), "no seeds in fuzz/seeds/{name}/");
    let mut inputs: Vec<(String, Vec<u8>)> = seeds.clone();
    inputs.extend(
        files(&dir.join("artifacts").join(name))
            .into_iter()
            .map(|(file, bytes)| (format!("artifact {file}"), bytes)),
    );
    inputs.push(("empty".into(), Vec::new()));
    let mut rng = Rng(0x9E37_79B9_7F4A_7C15 ^ name.len() as u64);
    let mut previous = seeds[0].1.clone();
    for index in 0..MUTATIONS {
        let (seed_name, base) = &seeds[rng.below(seeds.len())];
        let other = &seeds[rng.below(seeds.len())].1;
        // Half the time the mutant of a mutant, to wander further from the seeds.
        let bytes = if index % 2 == 1 {
            mutate(&mut rng, &previous, other)
        } else {
            mutate(&mut rng, base, other)
        };
        previous = bytes.clone();
        inputs.push((format!("mutation {index} of {seed_name}"), bytes));
    }

    quiet_panics_while_checking();
    let mut failures = Vec::new();
    for (label, bytes) in &inputs {
        CHECKING.with(|checking| checking.set(true));
        let outcome = panic::catch_unwind(AssertUnwindSafe(|| target(bytes)));
        CHECKING.with(|checking| checking.set(false));
        if let Err(payload) = outcome {
            let message = payload
                .downcast_ref::<String>()
                .map(String::as_str)
                .or_else(|| payload.downcast_ref::<&str>().copied())
                .unwrap_or("(a panic without a message)");
            // A mutation exists only in this run: keep it where libFuzzer keeps crashes.
            let note = if label.starts_with("mutation") {
                let saved = dir
                    .join("artifacts")
                    .join(name)
                    .join(format!("stable-{}", label.replace(' ', "-")));
                match fs::create_dir_all(saved.parent().unwrap_or(&dir))
                    .and_then(|()| fs::write(&saved, bytes))
                {
                    Ok(()) => format!("saved as {}", saved.display()),
                    Err(error) => format!("not saved: {error}"),
                }
            } else {
                "a file already".to_owned()
            };
            let shown: String = message.chars().take(300).collect();
            failures.push(format!("{label} ({} bytes, {note}): {shown}", bytes.len()));
        }
    }
    assert!(
        failures.is_empty(),
        "{name}: {} of {} inputs failed:\n{}",
        failures.len(),
        inputs.len(),
        failures.join("\n")
    );
}

#[test]
fn every_target_has_a_test_here() {
    // The list in lib.rs and the fuzz_targets/ folder name the same targets.
    let mut on_disk: Vec<String> = files(&fuzz_dir().join("fuzz_targets"))
        .into_iter()
        .filter_map(|(file, _)| file.strip_suffix(".rs").map(str::to_owned))
        .collect();
    on_disk.sort();
    let listed: Vec<&str> = bec_usage_fuzz::TARGETS
        .iter()
        .map(|(name, _)| *name)
        .collect();
    assert_eq!(on_disk, listed);
}

macro_rules! corpus_tests {
    ($($name:ident),* $(,)?) => {
        $(
            #[test]
            fn $name() {
                check_target(stringify!($name), bec_usage_fuzz::$name::run);
            }
        )*
    };
}

corpus_tests!(
    authorization,
    csv_roundtrip,
    dates,
    parse_usage,
    price_sheet,
    request_rules,
    service_error,
    usage_structured,
);
