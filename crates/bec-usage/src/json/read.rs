//! Reading a usage response (and a BCE error body) from JSON text.
//!
//! Written by hand rather than with serde_json, for three reasons a general parser does not
//! serve well together:
//! - amounts go from the number's text straight into a [`Decimal`] (mantissa and scale),
//!   never through `f64`, without an arbitrary-precision detour through `String`;
//! - every error names its JSON path (`graphData.CPU.dataList[2].amount`), built only when an
//!   error happens, so reading stays fast (hundreds of MB/s);
//! - the wasm build stays small: this reader knows one schema and nothing else.
//!
//! The reader is schema-directed and its recursion is bounded by the schema's depth (five
//! levels); values it does not know are skipped by an iterative loop, so a document of
//! 100,000 nested arrays is an error or skipped, never a stack overflow.

use std::borrow::Cow;

use chrono::NaiveDate;
use rust_decimal::Decimal;

use crate::analysis::cost::{PriceSheet, PriceTier, ResourcePrice, DEFAULT_MINOR_UNITS};
use crate::error::{Error, ErrorKind, Result, ServiceError};
use crate::model::{DataPoint, ResourceSeries, SummaryDay, SummaryValue, TimeSpan, UsageResponse};
use crate::text::Quoted;

/// The earliest timestamp accepted: 0000-01-01T00:00:00Z in epoch milliseconds.
const MIN_TIMESTAMP_MS: i64 = -62_167_219_200_000;
/// The latest timestamp accepted: 9999-12-31T23:59:59.999Z in epoch milliseconds.
const MAX_TIMESTAMP_MS: i64 = 253_402_300_799_999;
/// The largest mantissa a [`Decimal`] holds: 2^96 − 1.
const MAX_MANTISSA: u128 = (1u128 << 96) - 1;
/// The most decimal places a [`Decimal`] holds.
const MAX_SCALE: i64 = 28;

/// Reads a usage response.
///
/// Structural problems are errors naming the JSON path: invalid or truncated JSON
/// ([`ErrorKind::InvalidJson`]), a required field missing ([`ErrorKind::MissingField`]), a
/// wrong type ([`ErrorKind::WrongType`]), an amount that is not a number
/// ([`ErrorKind::InvalidAmount`]) or cannot be held exactly ([`ErrorKind::AmountOutOfRange`]),
/// a timestamp that is not an integer in range ([`ErrorKind::InvalidTimestamp`]), a key
/// repeated in one object ([`ErrorKind::DuplicateKey`]).
///
/// Amounts may be JSON numbers or numeric strings (`"30.223"`). Unknown fields are ignored.
/// Sloppy-but-meaningful data (a `count` that differs from the points, duplicate or unsorted
/// timestamps, ...) is read as it is; [`crate::quality`] reports it.
pub fn parse_usage(text: &str) -> Result<UsageResponse> {
    let mut reader = Reader::new(text);
    let root = Path::ROOT;
    reader.begin_object(&root, "the usage response object")?;
    let mut account_id: Option<String> = None;
    let mut time_span: Option<TimeSpan> = None;
    let mut resources: Option<Vec<ResourceSeries>> = None;
    let mut summary: Option<Vec<SummaryDay>> = None;
    let mut first = true;
    while let Some(key) = reader.next_key(&mut first, &root)? {
        let path = root.key(&key);
        match key.as_ref() {
            "accountId" => {
                reject_duplicate(account_id.is_some(), &path)?;
                account_id = Some(reader.string_value(&path)?.into_owned());
            }
            "timeSpan" => {
                reject_duplicate(time_span.is_some(), &path)?;
                time_span = Some(reader.time_span(&path)?);
            }
            "graphData" => {
                reject_duplicate(resources.is_some(), &path)?;
                resources = Some(reader.graph_data(&path)?);
            }
            "summary" => {
                reject_duplicate(summary.is_some(), &path)?;
                summary = Some(reader.summary(&path)?);
            }
            _ => reader.skip_value(&path)?,
        }
    }
    reader.end_of_document()?;
    Ok(UsageResponse {
        account_id: account_id.ok_or_else(|| missing(&root, "accountId"))?,
        time_span: time_span.ok_or_else(|| missing(&root, "timeSpan"))?,
        resources: resources.ok_or_else(|| missing(&root, "graphData"))?,
        summary: summary.ok_or_else(|| missing(&root, "summary"))?,
    })
}

/// Reads a BCE error body `{"requestId", "code", "message"}` answered with HTTP `status`.
///
/// Returns `None` when the body is not such an object (not JSON, or no `code`), so the
/// caller can report the raw answer instead. The request id comes from the body, or else
/// from the `x-bce-request-id` header value passed as `request_id_header`.
pub fn parse_service_error(
    status: u16,
    body: &str,
    request_id_header: Option<&str>,
) -> Option<ServiceError> {
    let mut reader = Reader::new(body);
    let root = Path::ROOT;
    reader.begin_object(&root, "an error object").ok()?;
    let (mut code, mut message, mut request_id) = (None, None, None);
    let mut first = true;
    while let Some(key) = reader.next_key(&mut first, &root).ok()? {
        let path = root.key(&key);
        let slot = match key.as_ref() {
            "code" => &mut code,
            "message" => &mut message,
            "requestId" => &mut request_id,
            _ => {
                reader.skip_value(&path).ok()?;
                continue;
            }
        };
        *slot = match reader.peek() {
            Some(b'"') => Some(reader.string(&path).ok()?.into_owned()),
            _ => {
                reader.skip_value(&path).ok()?;
                None
            }
        };
    }
    reader.end_of_document().ok()?;
    let code: String = code.filter(|c: &String| !c.is_empty())?;
    Some(ServiceError {
        status,
        code,
        message: message.unwrap_or_default(),
        request_id: request_id
            .filter(|id| !id.is_empty())
            .or_else(|| request_id_header.map(str::to_owned)),
    })
}

/// Reads a price sheet (the format is in [`crate::analysis::cost`]).
///
/// Every problem is an [`ErrorKind::InvalidPriceSheet`] error whose message starts with
/// `the price sheet:` and names the entry (`prices.CPU[1].upTo`) or the line and column of a
/// syntax error. Numbers are exact, as numbers or numeric strings. Unknown top-level keys
/// (a `name`, a `note`) are ignored; unknown keys inside a tier are refused, since a
/// misspelt `upto` would silently change a price.
pub fn parse_price_sheet(text: &str) -> Result<PriceSheet> {
    let sheet = read_price_sheet(text)
        .map_err(|e| e.about(ErrorKind::InvalidPriceSheet, "the price sheet"))?;
    sheet.validate()?;
    Ok(sheet)
}

fn read_price_sheet(text: &str) -> Result<PriceSheet> {
    let mut reader = Reader::new(text);
    let root = Path::ROOT;
    reader.begin_object(&root, "a price sheet object {\"currency\", \"prices\"}")?;
    let (mut currency, mut minor_units, mut prices) = (None, None, None);
    let mut first = true;
    while let Some(key) = reader.next_key(&mut first, &root)? {
        let path = root.key(&key);
        match key.as_ref() {
            "currency" => {
                reject_duplicate(currency.is_some(), &path)?;
                currency = Some(reader.string_value(&path)?.into_owned());
            }
            "minorUnits" => {
                reject_duplicate(minor_units.is_some(), &path)?;
                if !matches!(reader.peek(), Some(b'0'..=b'9')) {
                    return Err(reader.wrong_type(&path, "a whole number of decimal places"));
                }
                let value = reader.integer(&path)?.and_then(|v| u32::try_from(v).ok());
                minor_units = Some(value.ok_or_else(|| {
                    error_at(
                        ErrorKind::InvalidPriceSheet,
                        &path,
                        "expected a whole number of decimal places, such as 2",
                    )
                })?);
            }
            "prices" => {
                reject_duplicate(prices.is_some(), &path)?;
                prices = Some(reader.prices(&path)?);
            }
            _ => reader.skip_value(&path)?,
        }
    }
    reader.end_of_document()?;
    Ok(PriceSheet {
        currency: currency.ok_or_else(|| missing(&root, "currency"))?,
        minor_units: minor_units.unwrap_or(DEFAULT_MINOR_UNITS),
        prices: prices.ok_or_else(|| missing(&root, "prices"))?,
    })
}

impl Reader<'_> {
    fn prices(&mut self, path: &Path<'_>) -> Result<Vec<ResourcePrice>> {
        self.begin_object(path, "an object of prices by resource name")?;
        let mut prices: Vec<ResourcePrice> = Vec::new();
        let mut first = true;
        while let Some(name) = self.next_key(&mut first, path)? {
            let entry = path.key(&name);
            reject_duplicate(prices.iter().any(|p| p.resource == name), &entry)?;
            let tiers = if self.peek() == Some(b'[') {
                self.tiers(&entry)?
            } else {
                vec![PriceTier {
                    up_to: None,
                    price: self.amount(&entry)?,
                }]
            };
            prices.push(ResourcePrice {
                resource: name.into_owned(),
                tiers,
            });
        }
        Ok(prices)
    }

    fn tiers(&mut self, path: &Path<'_>) -> Result<Vec<PriceTier>> {
        self.begin_array(path, "a list of tiers")?;
        let mut tiers = Vec::new();
        let mut first = true;
        while self.next_element(&mut first, path)? {
            let at = path.index(tiers.len());
            self.begin_object(&at, "a tier {\"upTo\", \"price\"}")?;
            let (mut up_to, mut price) = (None, None);
            let mut first_key = true;
            while let Some(key) = self.next_key(&mut first_key, &at)? {
                let field = at.key(&key);
                let slot = match key.as_ref() {
                    "upTo" => &mut up_to,
                    "price" => &mut price,
                    _ => {
                        return Err(error_at(
                            ErrorKind::InvalidPriceSheet,
                            &field,
                            "a tier has only upTo and price",
                        ))
                    }
                };
                reject_duplicate(slot.is_some(), &field)?;
                *slot = Some(self.amount(&field)?);
            }
            tiers.push(PriceTier {
                up_to,
                price: price.ok_or_else(|| missing(&at, "price"))?,
            });
        }
        Ok(tiers)
    }
}

// ---------------------------------------------------------------------------------------
// Paths: a list of segments on the stack, rendered only when an error is reported.

#[derive(Clone, Copy)]
enum Segment<'p> {
    Root,
    Key(&'p str),
    Index(usize),
}

#[derive(Clone, Copy)]
struct Path<'p> {
    parent: Option<&'p Path<'p>>,
    segment: Segment<'p>,
}

impl<'p> Path<'p> {
    const ROOT: Path<'static> = Path {
        parent: None,
        segment: Segment::Root,
    };

    fn key(&'p self, key: &'p str) -> Path<'p> {
        Path {
            parent: Some(self),
            segment: Segment::Key(key),
        }
    }

    fn index(&'p self, index: usize) -> Path<'p> {
        Path {
            parent: Some(self),
            segment: Segment::Index(index),
        }
    }

    /// `graphData.CPU.dataList[2].amount`; keys that are not identifiers are written
    /// `["like this"]`. The root is the empty string.
    fn render(&self) -> String {
        let mut segments = Vec::new();
        let mut at = Some(self);
        while let Some(path) = at {
            segments.push(path.segment);
            at = path.parent;
        }
        let mut out = String::new();
        for segment in segments.iter().rev() {
            match segment {
                Segment::Root => {}
                Segment::Key(key) if is_identifier(key) => {
                    if !out.is_empty() {
                        out.push('.');
                    }
                    out.push_str(key);
                }
                Segment::Key(key) => {
                    out.push('[');
                    out.push_str(&format!("{key}", key = Quoted(key)));
                    out.push(']');
                }
                Segment::Index(index) => out.push_str(&format!("[{index}]")),
            }
        }
        out
    }

    /// The path for a message: `graphData.CPU` or `the top level`.
    fn describe(&self) -> String {
        let rendered = self.render();
        if rendered.is_empty() {
            "the top level".to_owned()
        } else {
            rendered
        }
    }
}

fn is_identifier(key: &str) -> bool {
    let mut chars = key.chars();
    matches!(chars.next(), Some(c) if c.is_ascii_alphabetic() || c == '_' || c == '$')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '$')
}

fn error_at(kind: ErrorKind, path: &Path<'_>, message: impl std::fmt::Display) -> Error {
    let rendered = path.render();
    let place = if rendered.is_empty() {
        "the top level".to_owned()
    } else {
        rendered.clone()
    };
    Error::new(kind, format!("{place}: {message}")).with_path(rendered)
}

fn missing(parent: &Path<'_>, field: &str) -> Error {
    let path = parent.key(field);
    error_at(
        ErrorKind::MissingField,
        &path,
        format!(
            "the required field {field} is missing from {}",
            parent.describe(),
            field = Quoted(field)
        ),
    )
}

fn reject_duplicate(seen: bool, path: &Path<'_>) -> Result<()> {
    if seen {
        Err(error_at(
            ErrorKind::DuplicateKey,
            path,
            "this key appears twice in the same object, so one of its values would be lost",
        ))
    } else {
        Ok(())
    }
}

// ---------------------------------------------------------------------------------------
// The reader.

struct Reader<'a> {
    text: &'a str,
    bytes: &'a [u8],
    pos: usize,
}

/// What a JSON value starting with `byte` is, for "expected X, found Y" messages.
fn describe_start(byte: Option<u8>) -> &'static str {
    match byte {
        Some(b'{') => "an object",
        Some(b'[') => "an array",
        Some(b'"') => "a string",
        Some(b't' | b'f') => "a boolean",
        Some(b'n') => "null",
        Some(b'-' | b'0'..=b'9') => "a number",
        Some(_) => "an unexpected character",
        None => "the end of the document",
    }
}

impl<'a> Reader<'a> {
    fn new(text: &'a str) -> Self {
        // A byte-order mark is not JSON, but files saved by some editors start with one.
        let text = text.strip_prefix('\u{FEFF}').unwrap_or(text);
        Reader {
            text,
            bytes: text.as_bytes(),
            pos: 0,
        }
    }

    // `always`: the WebAssembly build optimizes for size and would otherwise call these
    // per byte and per element; inlining them makes reading 15% faster for 0.4 KB.
    #[inline(always)]
    fn skip_whitespace(&mut self) {
        while let Some(&byte) = self.bytes.get(self.pos) {
            if matches!(byte, b' ' | b'\n' | b'\r' | b'\t') {
                self.pos += 1;
            } else {
                break;
            }
        }
    }

    #[inline(always)]
    fn peek(&mut self) -> Option<u8> {
        self.skip_whitespace();
        self.bytes.get(self.pos).copied()
    }

    /// An [`ErrorKind::InvalidJson`] error at the current position.
    fn syntax(&self, path: &Path<'_>, problem: &str) -> Error {
        let consumed = &self.bytes[..self.pos.min(self.bytes.len())];
        let line = consumed.iter().filter(|&&b| b == b'\n').count() + 1;
        let line_start = consumed
            .iter()
            .rposition(|&b| b == b'\n')
            .map_or(0, |i| i + 1);
        let column = self
            .text
            .get(line_start..self.pos.min(self.text.len()))
            .map_or(self.pos - line_start, |s| s.chars().count())
            + 1;
        let truncated = self.pos >= self.bytes.len();
        let hint = if truncated {
            "; the document ends early, it may have been truncated"
        } else {
            ""
        };
        let rendered = path.render();
        let within = if rendered.is_empty() {
            String::new()
        } else {
            format!(" (in {rendered})")
        };
        Error::new(
            ErrorKind::InvalidJson,
            format!("invalid JSON at line {line}, column {column}{within}: {problem}{hint}"),
        )
        .with_path(rendered)
    }

    /// A [`ErrorKind::WrongType`] error for a value of the wrong JSON type at `path`.
    fn wrong_type(&mut self, path: &Path<'_>, expected: &str) -> Error {
        let found = self.peek();
        if !matches!(
            found,
            Some(b'{' | b'[' | b'"' | b't' | b'f' | b'n' | b'-' | b'0'..=b'9')
        ) {
            return self.syntax(
                path,
                &format!("expected a value, found {}", describe_start(found)),
            );
        }
        error_at(
            ErrorKind::WrongType,
            path,
            format!("expected {expected}, found {}", describe_start(found)),
        )
    }

    fn end_of_document(&mut self) -> Result<()> {
        match self.peek() {
            None => Ok(()),
            Some(_) => {
                Err(self.syntax(&Path::ROOT, "unexpected text after the end of the document"))
            }
        }
    }

    // ---- objects and arrays -------------------------------------------------------------

    fn begin_object(&mut self, path: &Path<'_>, expected: &str) -> Result<()> {
        if self.peek() == Some(b'{') {
            self.pos += 1;
            Ok(())
        } else {
            Err(self.wrong_type(path, expected))
        }
    }

    /// The next key of the object being read, with its `:` consumed, or `None` at `}`.
    fn next_key(&mut self, first: &mut bool, path: &Path<'_>) -> Result<Option<Cow<'a, str>>> {
        match self.peek() {
            Some(b'}') => {
                self.pos += 1;
                return Ok(None);
            }
            Some(b',') if !*first => {
                self.pos += 1;
                self.skip_whitespace();
            }
            Some(b'"') if *first => {}
            _ => {
                let expected = if *first {
                    "expected a key or '}'"
                } else {
                    "expected ',' or '}'"
                };
                return Err(self.syntax(path, expected));
            }
        }
        *first = false;
        if self.bytes.get(self.pos) != Some(&b'"') {
            return Err(self.syntax(path, "expected a key in double quotes"));
        }
        let key = self.string(path)?;
        if self.peek() != Some(b':') {
            return Err(self.syntax(path, "expected ':' after the key"));
        }
        self.pos += 1;
        Ok(Some(key))
    }

    fn begin_array(&mut self, path: &Path<'_>, expected: &str) -> Result<()> {
        if self.peek() == Some(b'[') {
            self.pos += 1;
            Ok(())
        } else {
            Err(self.wrong_type(path, expected))
        }
    }

    /// Whether another element follows in the array being read (consuming `,` or `]`).
    #[inline(always)]
    fn next_element(&mut self, first: &mut bool, path: &Path<'_>) -> Result<bool> {
        match self.peek() {
            Some(b']') => {
                self.pos += 1;
                Ok(false)
            }
            Some(b',') if !*first => {
                self.pos += 1;
                Ok(true)
            }
            Some(_) if *first => {
                *first = false;
                Ok(true)
            }
            _ => Err(self.syntax(path, "expected ',' or ']'")),
        }
    }

    // ---- strings ------------------------------------------------------------------------

    fn string_value(&mut self, path: &Path<'_>) -> Result<Cow<'a, str>> {
        if self.peek() == Some(b'"') {
            self.string(path)
        } else {
            Err(self.wrong_type(path, "a string"))
        }
    }

    /// Reads the string starting at the current `"`.
    #[inline]
    fn string(&mut self, path: &Path<'_>) -> Result<Cow<'a, str>> {
        self.pos += 1;
        let start = self.pos;
        loop {
            match self.bytes.get(self.pos) {
                Some(b'"') => {
                    // `start` and `pos` sit next to ASCII quotes, so both are char boundaries.
                    let text = self
                        .text
                        .get(start..self.pos)
                        .ok_or_else(|| self.syntax(path, "string is not valid UTF-8"))?;
                    self.pos += 1;
                    return Ok(Cow::Borrowed(text));
                }
                Some(b'\\') => return self.string_with_escapes(start, path).map(Cow::Owned),
                Some(&byte) if byte < 0x20 => {
                    return Err(self.syntax(path, "control character inside a string; escape it"))
                }
                Some(_) => self.pos += 1,
                None => return Err(self.syntax(path, "unterminated string")),
            }
        }
    }

    fn string_with_escapes(&mut self, start: usize, path: &Path<'_>) -> Result<String> {
        let mut out = String::with_capacity(self.pos - start + 16);
        let mut run_start = start;
        loop {
            match self.bytes.get(self.pos) {
                Some(b'"') => {
                    out.push_str(self.slice(run_start, self.pos, path)?);
                    self.pos += 1;
                    return Ok(out);
                }
                Some(b'\\') => {
                    out.push_str(self.slice(run_start, self.pos, path)?);
                    self.pos += 1;
                    let escaped = match self.bytes.get(self.pos) {
                        Some(b'u') => {
                            self.pos += 1;
                            self.unicode_escape(path)?
                        }
                        Some(&letter) => {
                            let escaped = match letter {
                                b'"' => '"',
                                b'\\' => '\\',
                                b'/' => '/',
                                b'b' => '\u{8}',
                                b'f' => '\u{c}',
                                b'n' => '\n',
                                b'r' => '\r',
                                b't' => '\t',
                                _ => return Err(self.syntax(path, "invalid escape sequence")),
                            };
                            self.pos += 1;
                            escaped
                        }
                        None => return Err(self.syntax(path, "unterminated string")),
                    };
                    out.push(escaped);
                    run_start = self.pos;
                }
                Some(&byte) if byte < 0x20 => {
                    return Err(self.syntax(path, "control character inside a string; escape it"))
                }
                Some(_) => self.pos += 1,
                None => return Err(self.syntax(path, "unterminated string")),
            }
        }
    }

    fn slice(&self, start: usize, end: usize, path: &Path<'_>) -> Result<&'a str> {
        self.text
            .get(start..end)
            .ok_or_else(|| self.syntax(path, "string is not valid UTF-8"))
    }

    /// Reads the four hex digits after `\u` (and a low surrogate after a high one);
    /// leaves the position after them.
    fn unicode_escape(&mut self, path: &Path<'_>) -> Result<char> {
        let high = self.hex4(path)?;
        let code = if (0xD800..0xDC00).contains(&high) {
            if self.bytes.get(self.pos..self.pos + 2) != Some(b"\\u") {
                return Err(self.syntax(
                    path,
                    "a \\u escape of a high surrogate must be followed by a low surrogate",
                ));
            }
            self.pos += 2;
            let low = self.hex4(path)?;
            if !(0xDC00..0xE000).contains(&low) {
                return Err(self.syntax(
                    path,
                    "a \\u escape of a high surrogate must be followed by a low surrogate",
                ));
            }
            0x10000 + ((high - 0xD800) << 10) + (low - 0xDC00)
        } else {
            high
        };
        char::from_u32(code).ok_or_else(|| {
            self.syntax(
                path,
                "a \\u escape of a lone low surrogate is not a character",
            )
        })
    }

    fn hex4(&mut self, path: &Path<'_>) -> Result<u32> {
        let digits = self
            .bytes
            .get(self.pos..self.pos + 4)
            .ok_or_else(|| self.syntax(path, "unterminated \\u escape"))?;
        let mut value = 0u32;
        for &digit in digits {
            let nibble = match digit {
                b'0'..=b'9' => digit - b'0',
                b'a'..=b'f' => digit - b'a' + 10,
                b'A'..=b'F' => digit - b'A' + 10,
                _ => return Err(self.syntax(path, "a \\u escape needs four hex digits")),
            };
            value = value * 16 + u32::from(nibble);
        }
        self.pos += 4;
        Ok(value)
    }

    // ---- numbers ------------------------------------------------------------------------

    /// Reads an amount: a JSON number or a string holding one.
    #[inline]
    fn amount(&mut self, path: &Path<'_>) -> Result<Decimal> {
        match self.peek() {
            Some(b'-' | b'0'..=b'9') => {
                let start = self.pos;
                match scan_decimal(self.bytes, &mut self.pos) {
                    Ok(value) => Ok(value),
                    Err(NumberFault::Syntax(problem)) => Err(self.syntax(path, problem)),
                    Err(NumberFault::NotExact) => Err(not_exact(
                        path,
                        self.text.get(start..self.pos).unwrap_or(""),
                    )),
                }
            }
            Some(b'"') => {
                let text = self.string(path)?;
                let mut pos = 0;
                match scan_decimal(text.as_bytes(), &mut pos) {
                    Ok(value) if pos == text.len() => Ok(value),
                    Err(NumberFault::NotExact) => Err(not_exact(path, &text)),
                    _ => Err(error_at(
                        ErrorKind::InvalidAmount,
                        path,
                        format!(
                            "expected a decimal number, found the string {}",
                            Quoted(&truncate_for_message(&text))
                        ),
                    )),
                }
            }
            _ => Err(self.wrong_type(path, "a decimal number")),
        }
    }

    /// Reads a timestamp: an integer number of epoch milliseconds in years 0000–9999.
    #[inline]
    fn timestamp(&mut self, path: &Path<'_>) -> Result<i64> {
        if !matches!(self.peek(), Some(b'-' | b'0'..=b'9')) {
            return Err(self.wrong_type(path, "an integer timestamp in milliseconds"));
        }
        let start = self.pos;
        let integer = self.integer(path)?;
        let text = self.text.get(start..self.pos).unwrap_or("");
        match integer {
            Some(ms) if (MIN_TIMESTAMP_MS..=MAX_TIMESTAMP_MS).contains(&ms) => Ok(ms),
            Some(_) => Err(error_at(
                ErrorKind::InvalidTimestamp,
                path,
                format!("the timestamp {text} is outside years 0000-9999 in epoch milliseconds"),
            )),
            None => Err(error_at(
                ErrorKind::InvalidTimestamp,
                path,
                format!(
                    "the timestamp {} is not an integer number of milliseconds",
                    truncate_for_message(text)
                ),
            )),
        }
    }

    /// Reads a JSON number that must be an integer: `Ok(None)` if it has a fraction or an
    /// exponent or does not fit an `i64`.
    #[inline]
    fn integer(&mut self, path: &Path<'_>) -> Result<Option<i64>> {
        let start = self.pos;
        let negative = self.bytes.get(self.pos) == Some(&b'-');
        if negative {
            self.pos += 1;
        }
        let digits_start = self.pos;
        let mut value: i64 = 0;
        let mut fits = true;
        while let Some(&byte) = self.bytes.get(self.pos) {
            if !byte.is_ascii_digit() {
                break;
            }
            let digit = i64::from(byte - b'0');
            match value.checked_mul(10).and_then(|v| v.checked_add(digit)) {
                Some(v) => value = v,
                None => fits = false,
            }
            self.pos += 1;
        }
        let digits = self.pos - digits_start;
        if digits == 0 {
            return Err(self.syntax(path, "expected a digit"));
        }
        if digits > 1 && self.bytes[digits_start] == b'0' {
            return Err(self.syntax(path, "numbers must not have leading zeros"));
        }
        if matches!(self.bytes.get(self.pos), Some(b'.' | b'e' | b'E')) {
            // Valid JSON, but not an integer: consume the rest of the number for the message.
            self.pos = start;
            scan_number_syntax(self.bytes, &mut self.pos).map_err(|p| self.syntax(path, p))?;
            return Ok(None);
        }
        Ok(if fits {
            Some(if negative { -value } else { value })
        } else {
            None
        })
    }

    fn count(&mut self, path: &Path<'_>) -> Result<u64> {
        let invalid = |text: &str| {
            error_at(
                ErrorKind::InvalidCount,
                path,
                format!(
                    "expected a non-negative integer count, found {}",
                    truncate_for_message(text)
                ),
            )
        };
        if !matches!(self.peek(), Some(b'-' | b'0'..=b'9')) {
            return Err(self.wrong_type(path, "a non-negative integer count"));
        }
        let start = self.pos;
        let value = self.integer(path)?;
        let text = self.text.get(start..self.pos).unwrap_or("");
        value
            .and_then(|v| u64::try_from(v).ok())
            .ok_or_else(|| invalid(text))
    }

    // ---- the schema ---------------------------------------------------------------------

    fn time_span(&mut self, path: &Path<'_>) -> Result<TimeSpan> {
        self.begin_object(path, "an object with beginDate and endDate")?;
        let (mut begin, mut end) = (None, None);
        let mut first = true;
        while let Some(key) = self.next_key(&mut first, path)? {
            let field = path.key(&key);
            match key.as_ref() {
                "beginDate" => {
                    reject_duplicate(begin.is_some(), &field)?;
                    begin = Some(self.date_value(&field)?);
                }
                "endDate" => {
                    reject_duplicate(end.is_some(), &field)?;
                    end = Some(self.date_value(&field)?);
                }
                _ => self.skip_value(&field)?,
            }
        }
        Ok(TimeSpan {
            begin_date: begin.ok_or_else(|| missing(path, "beginDate"))?,
            end_date: end.ok_or_else(|| missing(path, "endDate"))?,
        })
    }

    fn date_value(&mut self, path: &Path<'_>) -> Result<NaiveDate> {
        let text = self.string_value(path)?;
        response_date(&text).ok_or_else(|| {
            error_at(
                ErrorKind::InvalidResponseDate,
                path,
                format!(
                    "{} is not a YYYY-MM-DD calendar date",
                    Quoted(&truncate_for_message(&text))
                ),
            )
        })
    }

    fn graph_data(&mut self, path: &Path<'_>) -> Result<Vec<ResourceSeries>> {
        self.begin_object(path, "an object of resources")?;
        let mut resources: Vec<ResourceSeries> = Vec::new();
        let mut first = true;
        while let Some(name) = self.next_key(&mut first, path)? {
            let resource_path = path.key(&name);
            // A linear search, as for the resources of a summary day: a response has a few
            // dozen resources, and a hash set would cost more code in the WebAssembly
            // module than the search costs time.
            reject_duplicate(
                resources.iter().any(|series| series.name == name),
                &resource_path,
            )?;
            resources.push(self.resource(&name, &resource_path)?);
        }
        Ok(resources)
    }

    fn resource(&mut self, name: &str, path: &Path<'_>) -> Result<ResourceSeries> {
        self.begin_object(path, "an object with count, unit and dataList")?;
        let (mut count, mut unit, mut points) = (None, None, None);
        let mut first = true;
        while let Some(key) = self.next_key(&mut first, path)? {
            let field = path.key(&key);
            match key.as_ref() {
                "count" => {
                    reject_duplicate(count.is_some(), &field)?;
                    count = Some(self.count(&field)?);
                }
                "unit" => {
                    reject_duplicate(unit.is_some(), &field)?;
                    unit = Some(self.string_value(&field)?.into_owned());
                }
                "dataList" => {
                    reject_duplicate(points.is_some(), &field)?;
                    points = Some(self.data_list(&field, count)?);
                }
                _ => self.skip_value(&field)?,
            }
        }
        Ok(ResourceSeries {
            name: name.to_owned(),
            count: count.ok_or_else(|| missing(path, "count"))?,
            unit: unit.ok_or_else(|| missing(path, "unit"))?,
            points: points.ok_or_else(|| missing(path, "dataList"))?,
        })
    }

    fn data_list(&mut self, path: &Path<'_>, count: Option<u64>) -> Result<Vec<DataPoint>> {
        self.begin_array(path, "an array of {amount, timestamp} points")?;
        // `count` is the service's claim, so it only sizes the first allocation, bounded by
        // what the remaining text could hold (a point takes at least 24 bytes of JSON).
        let room = (self.bytes.len() - self.pos) / 24;
        let capacity = count.map_or(0, |c| usize::try_from(c).unwrap_or(usize::MAX).min(room));
        let mut points = Vec::with_capacity(capacity);
        let mut first = true;
        while self.next_element(&mut first, path)? {
            let point_path = path.index(points.len());
            points.push(self.point(&point_path)?);
        }
        Ok(points)
    }

    #[inline]
    fn point(&mut self, path: &Path<'_>) -> Result<DataPoint> {
        self.begin_object(path, "an object with amount and timestamp")?;
        let (mut amount, mut timestamp) = (None, None);
        let mut first = true;
        while let Some(key) = self.next_key(&mut first, path)? {
            match key.as_ref() {
                "amount" => {
                    let field = path.key("amount");
                    reject_duplicate(amount.is_some(), &field)?;
                    amount = Some(self.amount(&field)?);
                }
                "timestamp" => {
                    let field = path.key("timestamp");
                    reject_duplicate(timestamp.is_some(), &field)?;
                    timestamp = Some(self.timestamp(&field)?);
                }
                _ => self.skip_value(&path.key(&key))?,
            }
        }
        match (amount, timestamp) {
            (Some(amount), Some(timestamp_ms)) => Ok(DataPoint {
                timestamp_ms,
                amount,
            }),
            (None, _) => Err(missing(path, "amount")),
            (_, None) => Err(missing(path, "timestamp")),
        }
    }

    fn summary(&mut self, path: &Path<'_>) -> Result<Vec<SummaryDay>> {
        self.begin_object(path, "an object of days")?;
        let mut days: Vec<SummaryDay> = Vec::new();
        // The latest day so far: a later day is new without a search (the service lists
        // days in order); an earlier one is looked for among the days read.
        let mut latest: Option<NaiveDate> = None;
        let mut first = true;
        while let Some(key) = self.next_key(&mut first, path)? {
            let day_path = path.key(&key);
            let date = response_date(&key).ok_or_else(|| {
                error_at(
                    ErrorKind::InvalidResponseDate,
                    &day_path,
                    format!(
                        "the key {} is not a YYYY-MM-DD calendar date",
                        Quoted(&truncate_for_message(&key))
                    ),
                )
            })?;
            let seen = if latest.is_some_and(|latest| date <= latest) {
                days.iter().any(|day| day.date == date)
            } else {
                latest = Some(date);
                false
            };
            reject_duplicate(seen, &day_path)?;
            self.begin_object(&day_path, "an object of daily averages per resource")?;
            let mut values: Vec<SummaryValue> = Vec::new();
            let mut inner_first = true;
            while let Some(resource) = self.next_key(&mut inner_first, &day_path)? {
                let value_path = day_path.key(&resource);
                reject_duplicate(values.iter().any(|v| v.resource == resource), &value_path)?;
                let average = self.amount(&value_path)?;
                values.push(SummaryValue {
                    resource: resource.into_owned(),
                    average,
                });
            }
            days.push(SummaryDay { date, values });
        }
        Ok(days)
    }

    // ---- skipping unknown values --------------------------------------------------------

    /// Skips one value of any shape, checking its syntax, with an explicit stack instead
    /// of recursion so that deep nesting cannot overflow the call stack.
    fn skip_value(&mut self, path: &Path<'_>) -> Result<()> {
        let mut closers: Vec<u8> = Vec::new();
        loop {
            // One value, or the opening of a container.
            match self.peek() {
                Some(b'{') => {
                    self.pos += 1;
                    if self.peek() == Some(b'}') {
                        self.pos += 1;
                    } else {
                        closers.push(b'}');
                        self.skip_key(path)?;
                        continue;
                    }
                }
                Some(b'[') => {
                    self.pos += 1;
                    if self.peek() == Some(b']') {
                        self.pos += 1;
                    } else {
                        closers.push(b']');
                        continue;
                    }
                }
                Some(b'"') => {
                    self.string(path)?;
                }
                Some(b't') => self.literal(b"true", path)?,
                Some(b'f') => self.literal(b"false", path)?,
                Some(b'n') => self.literal(b"null", path)?,
                Some(b'-' | b'0'..=b'9') => scan_number_syntax(self.bytes, &mut self.pos)
                    .map_err(|p| self.syntax(path, p))?,
                found => {
                    return Err(self.syntax(
                        path,
                        &format!("expected a value, found {}", describe_start(found)),
                    ))
                }
            }
            // After a complete value: close containers until another value is due.
            loop {
                let Some(&closer) = closers.last() else {
                    return Ok(());
                };
                match self.peek() {
                    Some(b',') => {
                        self.pos += 1;
                        if closer == b'}' {
                            self.skip_key(path)?;
                        }
                        break;
                    }
                    Some(byte) if byte == closer => {
                        self.pos += 1;
                        closers.pop();
                    }
                    _ => {
                        let expected = if closer == b'}' {
                            "expected ',' or '}'"
                        } else {
                            "expected ',' or ']'"
                        };
                        return Err(self.syntax(path, expected));
                    }
                }
            }
        }
    }

    fn skip_key(&mut self, path: &Path<'_>) -> Result<()> {
        if self.peek() != Some(b'"') {
            return Err(self.syntax(path, "expected a key in double quotes"));
        }
        self.string(path)?;
        if self.peek() != Some(b':') {
            return Err(self.syntax(path, "expected ':' after the key"));
        }
        self.pos += 1;
        Ok(())
    }

    fn literal(&mut self, word: &[u8], path: &Path<'_>) -> Result<()> {
        if self.bytes.get(self.pos..self.pos + word.len()) == Some(word) {
            self.pos += word.len();
            Ok(())
        } else {
            Err(self.syntax(path, "expected true, false or null"))
        }
    }
}

fn truncate_for_message(text: &str) -> Cow<'_, str> {
    const LIMIT: usize = 40;
    match text.char_indices().nth(LIMIT) {
        Some((cut, _)) => Cow::Owned(format!("{}…", text.get(..cut).unwrap_or(text))),
        None => Cow::Borrowed(text),
    }
}

fn not_exact(path: &Path<'_>, text: &str) -> Error {
    error_at(
        ErrorKind::AmountOutOfRange,
        path,
        format!(
            "the amount {} cannot be held exactly: a decimal here has at most 28 decimal places \
             and 28-29 significant digits (magnitude below 7.9e28)",
            truncate_for_message(text)
        ),
    )
}

/// A `YYYY-MM-DD` date inside a response.
fn response_date(text: &str) -> Option<NaiveDate> {
    crate::query::parse_date(crate::query::DateField::BeginDate, text).ok()
}

// ---------------------------------------------------------------------------------------
// Numbers.

enum NumberFault {
    /// Not JSON number syntax; the text says what is wrong.
    Syntax(&'static str),
    /// Valid syntax, but the value cannot be held exactly in a [`Decimal`].
    NotExact,
}

/// The exact decimal written by the whole of `text` in JSON number syntax (`0.001`, `-2`,
/// `1e-3`); `None` for anything else, or for a value a [`Decimal`] cannot hold exactly.
/// For decimals given as text outside a document (the bindings' `tolerance` option), so
/// they are read by the same rules as amounts.
#[cfg(all(feature = "js", target_arch = "wasm32"))]
pub(crate) fn decimal_from_text(text: &str) -> Option<Decimal> {
    let bytes = text.as_bytes();
    let mut pos = 0;
    let value = scan_decimal(bytes, &mut pos).ok()?;
    (pos == bytes.len()).then_some(value)
}

/// Checks JSON number syntax from `pos`, leaving `pos` after the number.
fn scan_number_syntax(bytes: &[u8], pos: &mut usize) -> std::result::Result<(), &'static str> {
    if bytes.get(*pos) == Some(&b'-') {
        *pos += 1;
    }
    match bytes.get(*pos) {
        Some(b'0') => {
            *pos += 1;
            if matches!(bytes.get(*pos), Some(b'0'..=b'9')) {
                return Err("numbers must not have leading zeros");
            }
        }
        Some(b'1'..=b'9') => {
            while matches!(bytes.get(*pos), Some(b'0'..=b'9')) {
                *pos += 1;
            }
        }
        _ => return Err("expected a digit"),
    }
    if bytes.get(*pos) == Some(&b'.') {
        *pos += 1;
        if !matches!(bytes.get(*pos), Some(b'0'..=b'9')) {
            return Err("expected a digit after the decimal point");
        }
        while matches!(bytes.get(*pos), Some(b'0'..=b'9')) {
            *pos += 1;
        }
    }
    if matches!(bytes.get(*pos), Some(b'e' | b'E')) {
        *pos += 1;
        if matches!(bytes.get(*pos), Some(b'+' | b'-')) {
            *pos += 1;
        }
        if !matches!(bytes.get(*pos), Some(b'0'..=b'9')) {
            return Err("expected a digit in the exponent");
        }
        while matches!(bytes.get(*pos), Some(b'0'..=b'9')) {
            *pos += 1;
        }
    }
    Ok(())
}

/// Parses the JSON number at `pos` into an exact [`Decimal`], leaving `pos` after it.
///
/// The common case (no exponent, at most 18 digits) accumulates in a `u64` and builds the
/// decimal from its parts; anything else goes through [`scan_decimal_general`].
#[inline]
fn scan_decimal(bytes: &[u8], pos: &mut usize) -> std::result::Result<Decimal, NumberFault> {
    let start = *pos;
    let mut at = start;
    let negative = bytes.get(at) == Some(&b'-');
    if negative {
        at += 1;
    }
    let int_start = at;
    let mut mantissa: u64 = 0;
    while let Some(&byte) = bytes.get(at) {
        if !byte.is_ascii_digit() {
            break;
        }
        mantissa = mantissa
            .wrapping_mul(10)
            .wrapping_add(u64::from(byte - b'0'));
        at += 1;
    }
    let int_digits = at - int_start;
    let mut frac_digits = 0;
    if bytes.get(at) == Some(&b'.') {
        at += 1;
        let frac_start = at;
        while let Some(&byte) = bytes.get(at) {
            if !byte.is_ascii_digit() {
                break;
            }
            mantissa = mantissa
                .wrapping_mul(10)
                .wrapping_add(u64::from(byte - b'0'));
            at += 1;
        }
        frac_digits = at - frac_start;
    }
    let simple = int_digits >= 1
        && int_digits + frac_digits <= 18
        && (int_digits == 1 || bytes[int_start] != b'0')
        && bytes.get(at - 1) != Some(&b'.')
        && !matches!(bytes.get(at), Some(b'e' | b'E'));
    if !simple {
        *pos = start;
        return scan_decimal_general(bytes, pos);
    }
    *pos = at;
    // At most 18 digits, so the mantissa is below 10^18 < 2^64 and the scale at most 18.
    let negative = negative && mantissa != 0;
    Ok(Decimal::from_parts(
        mantissa as u32,
        (mantissa >> 32) as u32,
        0,
        negative,
        frac_digits as u32,
    ))
}

/// The general case of [`scan_decimal`]: long mantissas, exponents, and values that need
/// trailing zeros dropped to fit. Fails with [`NumberFault::NotExact`] rather than round.
#[cold]
fn scan_decimal_general(
    bytes: &[u8],
    pos: &mut usize,
) -> std::result::Result<Decimal, NumberFault> {
    let start = *pos;
    scan_number_syntax(bytes, pos).map_err(NumberFault::Syntax)?;
    let number = &bytes[start..*pos];
    let (negative, body) = match number.split_first() {
        Some((b'-', rest)) => (true, rest),
        _ => (false, number),
    };
    let (significand, exponent) = match body.iter().position(|&b| b == b'e' || b == b'E') {
        Some(e) => (&body[..e], &body[e + 1..]),
        None => (body, &b""[..]),
    };
    // Exponents beyond ±10^6 are saturated: no decimal fits them unless the value is zero.
    let exponent: i64 = {
        let (sign, digits) = match exponent.split_first() {
            Some((b'-', rest)) => (-1, rest),
            Some((b'+', rest)) => (1, rest),
            _ => (1, exponent),
        };
        let magnitude = digits.iter().fold(0i64, |acc, &d| {
            (acc * 10 + i64::from(d - b'0')).min(1_000_000)
        });
        sign * magnitude
    };
    let mut mantissa: u128 = 0;
    let mut scale: i64 = 0;
    let mut in_fraction = false;
    // Zeros not yet multiplied in: trailing fractional zeros are applied only if they fit.
    let mut pending_zeros: i64 = 0;
    for &byte in significand {
        if byte == b'.' {
            in_fraction = true;
            continue;
        }
        let digit = u128::from(byte - b'0');
        if in_fraction {
            scale += 1;
        }
        if digit == 0 {
            pending_zeros += 1;
            continue;
        }
        for _ in 0..=pending_zeros {
            mantissa = mantissa.checked_mul(10).ok_or(NumberFault::NotExact)?;
        }
        mantissa += digit;
        pending_zeros = 0;
        if mantissa > MAX_MANTISSA {
            return Err(NumberFault::NotExact);
        }
    }
    if mantissa == 0 {
        return Ok(Decimal::new(
            0,
            (scale - exponent).clamp(0, MAX_SCALE) as u32,
        ));
    }
    // Pending zeros are significant in the integer part, and kept in the fraction when they fit.
    let mut scale = scale - exponent;
    for _ in 0..pending_zeros {
        match mantissa.checked_mul(10).filter(|&m| m <= MAX_MANTISSA) {
            Some(m) => mantissa = m,
            // A trailing zero that does not fit is left out and the scale lowered instead:
            // the value is the same; if the scale goes below zero the loop below refuses it.
            None => scale -= 1,
        }
    }
    while scale < 0 {
        mantissa = mantissa
            .checked_mul(10)
            .filter(|&m| m <= MAX_MANTISSA)
            .ok_or(NumberFault::NotExact)?;
        scale += 1;
    }
    while scale > MAX_SCALE && crate::text::div_rem_small(mantissa, 10).1 == 0 {
        mantissa = crate::text::div_rem_small(mantissa, 10).0;
        scale -= 1;
    }
    if scale > MAX_SCALE {
        return Err(NumberFault::NotExact);
    }
    let signed = if negative {
        -(mantissa as i128)
    } else {
        mantissa as i128
    };
    Decimal::try_from_i128_with_scale(signed, scale as u32).map_err(|_| NumberFault::NotExact)
}
