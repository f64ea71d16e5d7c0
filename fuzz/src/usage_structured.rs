//! Near-valid usage responses built from the fuzzer's bytes (the `arbitrary` crate), so
//! that it gets past the first brace: odd numbers, escapes, duplicate keys, unknown fields
//! nested deep, huge counts, strings for numbers; then the same checks as `parse_usage`.

use arbitrary::Arbitrary;

#[derive(Debug, Arbitrary)]
enum Number {
    Plain(i64, u8),
    Text(String),
    Exponent(i32, i16),
    Huge(u128, u8),
    AsString(i64, u8),
    Raw(String),
}

impl Number {
    fn write(&self) -> String {
        match self {
            Number::Plain(mantissa, scale) => decimal(i128::from(*mantissa), *scale),
            Number::Text(text) => text.clone(),
            Number::Exponent(mantissa, exponent) => format!("{mantissa}e{exponent}"),
            Number::Huge(mantissa, scale) => decimal(*mantissa as i128, *scale),
            Number::AsString(mantissa, scale) => {
                format!("\"{}\"", decimal(i128::from(*mantissa), *scale))
            }
            Number::Raw(text) => format!("{text:?}"),
        }
    }
}

fn decimal(mantissa: i128, scale: u8) -> String {
    let digits = mantissa.unsigned_abs().to_string();
    let scale = usize::from(scale % 40);
    let sign = if mantissa < 0 { "-" } else { "" };
    if scale == 0 {
        format!("{sign}{digits}")
    } else if digits.len() > scale {
        format!(
            "{sign}{}.{}",
            &digits[..digits.len() - scale],
            &digits[digits.len() - scale..]
        )
    } else {
        format!("{sign}0.{}{digits}", "0".repeat(scale - digits.len()))
    }
}

#[derive(Debug, Arbitrary)]
enum Extra {
    None,
    Field(String, u8),
    DuplicateKnown,
}

/// An unknown value nested `depth` levels deep.
fn nested(depth: u8) -> String {
    let depth = usize::from(depth) * 40;
    format!("{}1{}", "[".repeat(depth), "]".repeat(depth))
}

#[derive(Debug, Arbitrary)]
struct Point {
    amount: Number,
    timestamp: Number,
    extra: Extra,
}

#[derive(Debug, Arbitrary)]
struct Series {
    name: String,
    count: Number,
    unit: String,
    points: Vec<Point>,
    extra: Extra,
}

#[derive(Debug, Arbitrary)]
struct Document {
    account: String,
    begin: String,
    end: String,
    series: Vec<Series>,
    summary: Vec<(String, Vec<(String, Number)>)>,
    extra: Extra,
    cut: Option<u16>,
}

fn extra(extra: &Extra, known: &str) -> String {
    match extra {
        Extra::None => String::new(),
        Extra::Field(name, depth) => format!("{name:?}: {}, ", nested(*depth)),
        Extra::DuplicateKnown => format!("{known}, "),
    }
}

fn write(document: &Document) -> String {
    let series: Vec<String> = document
        .series
        .iter()
        .map(|series| {
            let points: Vec<String> = series
                .points
                .iter()
                .map(|point| {
                    let timestamp = format!("\"timestamp\": {}", point.timestamp.write());
                    format!(
                        "{{{}\"amount\": {}, {timestamp}}}",
                        extra(&point.extra, &timestamp),
                        point.amount.write()
                    )
                })
                .collect();
            let unit = format!("\"unit\": {:?}", series.unit);
            format!(
                "{:?}: {{\"count\": {}, {}{unit}, \"dataList\": [{}]}}",
                series.name,
                series.count.write(),
                extra(&series.extra, &unit),
                points.join(",")
            )
        })
        .collect();
    let days: Vec<String> = document
        .summary
        .iter()
        .map(|(day, values)| {
            let values: Vec<String> = values
                .iter()
                .map(|(name, n)| format!("{name:?}: {}", n.write()))
                .collect();
            format!("{day:?}: {{{}}}", values.join(","))
        })
        .collect();
    let account = format!("\"accountId\": {:?}", document.account);
    let text = format!(
        "{{{}{account}, \"timeSpan\": {{\"beginDate\": {:?}, \"endDate\": {:?}}}, \"graphData\": {{{}}}, \"summary\": {{{}}}}}",
        extra(&document.extra, &account),
        document.begin,
        document.end,
        series.join(","),
        days.join(",")
    );
    match document.cut {
        Some(at) => {
            let at = usize::from(at).min(text.len());
            let at = (0..=at)
                .rev()
                .find(|&i| text.is_char_boundary(i))
                .unwrap_or(0);
            text[..at].to_owned()
        }
        None => text,
    }
}

/// Checks one input, as the fuzz target receives it.
fn check(document: Document) {
    crate::check_document(&write(&document));
}

/// Checks the input the fuzzer's bytes make (the `arbitrary` crate, as `fuzz_target!` does).
pub fn run(bytes: &[u8]) {
    if let Some(document) = crate::take(bytes) {
        check(document);
    }
}
