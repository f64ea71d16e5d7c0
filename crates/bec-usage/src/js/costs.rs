//! Resource-hours, cost estimates, forecasts and anomalies: [`crate::analysis::hours`],
//! [`crate::analysis::cost`], [`crate::analysis::forecast`] and [`crate::analysis::anomaly`]
//! with JavaScript options and results; and the price sheet functions `parsePriceSheet`,
//! `writePriceSheet` and `roundMoney`.

use wasm_bindgen::prelude::*;

use super::analysis::offset_option;
use super::sys::stringify_json;
use super::time::{offset_text, utc_offset};
use super::usage::Usage;
use super::values::{self, is_array, Json};
use crate::analysis::cost::MAX_MINOR_UNITS;
use crate::analysis::{
    daily_averages, daily_table_csv, estimate_cost, find_anomalies, forecast, round_money,
    usage_hours, AnomalyOptions, DailyExtras, ForecastOptions, Horizon, PriceSheet, Sensitivity,
};
use crate::error::Result;
use crate::json::{decimal_from_text, parse_price_sheet as parse_sheet_text, write_price_sheet};

/// A price sheet argument: its JSON text, or a plain object (a `PriceSheet`, or the text's
/// object), which `JSON.stringify` writes as that text for the core to read.
fn price_sheet_argument(context: &str, field: &'static str, value: &JsValue) -> Result<PriceSheet> {
    if let Some(text) = value.as_string() {
        return parse_sheet_text(&text);
    }
    if !value.is_object() || is_array(value) || value.is_function() {
        return Err(values::wrong_type(
            context,
            field,
            "JSON text or an object",
            value,
        ));
    }
    match stringify_json(value).ok().and_then(|text| text.as_string()) {
        Some(text) => parse_sheet_text(&text),
        None => Err(values::invalid(
            field,
            "",
            values::concat(&[
                context,
                ": ",
                field,
                " cannot be written as JSON (does it hold a BigInt or refer to itself?); \
                 give prices as strings such as \"0.045\"",
            ]),
        )),
    }
}

/// Writes a `PriceSheet`: every price as tiers, amounts as exact strings.
fn write_sheet(json: &mut Json, sheet: &PriceSheet) {
    json.key_string("{\"currency\":", &sheet.currency)
        .raw(",\"minorUnits\":")
        .number(u64::from(sheet.minor_units))
        .raw(",\"prices\":{");
    for (index, price) in sheet.prices.iter().enumerate() {
        if index > 0 {
            json.raw(",");
        }
        json.string(&price.resource)
            .raw(":")
            .array(&price.tiers, |json, tier| {
                json.raw("{");
                if let Some(up_to) = tier.up_to {
                    json.key_decimal("\"upTo\":", &up_to).raw(",");
                }
                json.key_decimal("\"price\":", &tier.price).raw("}");
            });
    }
    json.raw("}}");
}

// `parsePriceSheet(sheet)`: a `PriceSheet`.
#[wasm_bindgen(js_name = parsePriceSheet)]
pub fn parse_price_sheet(sheet: JsValue) -> Result<JsValue, JsValue> {
    let sheet = price_sheet_argument("parsePriceSheet", "sheet", &sheet)?;
    let mut json = Json::new();
    write_sheet(&mut json, &sheet);
    Ok(json.parse()?)
}

// `writePriceSheet(sheet)`: the sheet's JSON text, one resource per line.
#[wasm_bindgen(js_name = writePriceSheet)]
pub fn write_price_sheet_text(sheet: JsValue) -> Result<String, JsValue> {
    let sheet = price_sheet_argument("writePriceSheet", "sheet", &sheet)?;
    Ok(write_price_sheet(&sheet))
}

// `roundMoney(amount, minorUnits)`: the amount rounded half away from zero to exactly
// `minorUnits` decimal places.
#[wasm_bindgen(js_name = roundMoney)]
pub fn round_money_text(amount: JsValue, minor_units: JsValue) -> Result<String, JsValue> {
    const CONTEXT: &str = "roundMoney";
    let text = values::required_string(CONTEXT, "amount", &amount)?;
    let amount = decimal_from_text(&text).ok_or_else(|| {
        values::invalid(
            "amount",
            &text,
            values::concat(&[
                CONTEXT,
                ": amount \"",
                &text,
                "\" is not a decimal number; write it like \"12.345\"",
            ]),
        )
    })?;
    let minor_units = values::integer(
        CONTEXT,
        "minorUnits",
        &minor_units,
        0.0,
        f64::from(MAX_MINOR_UNITS),
        "from 0 to 8",
    )? as u32;
    let rounded = round_money(amount, minor_units);
    let mut out = Vec::with_capacity(40);
    crate::text::push_decimal(&mut out, rounded);
    // Padded to exactly `minor_units` places, for display (`1.5` → `1.50`).
    let places = rounded.scale();
    if places < minor_units {
        if places == 0 {
            out.push(b'.');
        }
        out.resize(out.len() + (minor_units - places) as usize, b'0');
    }
    Ok(String::from_utf8(out).unwrap_or_default())
}

/// The `horizon` option of `forecast`: `"monthEnd"` (the default) or a number of days.
fn horizon(value: JsValue) -> Result<Horizon> {
    const CONTEXT: &str = "forecast";
    let Some(value) = values::given(value) else {
        return Ok(Horizon::MonthEnd);
    };
    if value.as_f64().is_some() {
        let days = values::integer(
            CONTEXT,
            "horizon",
            &value,
            1.0,
            366.0,
            "of days from 1 to 366",
        )?;
        return Ok(Horizon::Days(days as u32));
    }
    match value.as_string() {
        Some(text) if text == "monthEnd" => Ok(Horizon::MonthEnd),
        Some(text) => Err(values::invalid(
            "horizon",
            &text,
            values::concat(&[
                CONTEXT,
                ": horizon \"",
                &text,
                "\" is not \"monthEnd\" or a whole number of days from 1 to 366",
            ]),
        )),
        None => Err(values::wrong_type(
            CONTEXT,
            "horizon",
            "\"monthEnd\" or a number of days",
            &value,
        )),
    }
}

/// The `sensitivity` option of `anomalies`: `"low"`, `"medium"` (the default) or `"high"`.
fn sensitivity(value: JsValue) -> Result<Sensitivity> {
    const CONTEXT: &str = "anomalies";
    let Some(text) = values::optional_string(CONTEXT, "sensitivity", value)? else {
        return Ok(Sensitivity::Medium);
    };
    match text.as_str() {
        "low" => Ok(Sensitivity::Low),
        "medium" => Ok(Sensitivity::Medium),
        "high" => Ok(Sensitivity::High),
        _ => Err(values::invalid(
            "sensitivity",
            &text,
            values::concat(&[
                CONTEXT,
                ": sensitivity \"",
                &text,
                "\" is not \"low\", \"medium\" or \"high\"",
            ]),
        )),
    }
}

#[wasm_bindgen]
impl Usage {
    // `resourceHours(options?)`: a `ResourceHoursResult`.
    #[wasm_bindgen(js_name = resourceHours)]
    pub fn resource_hours(&self, options: JsValue) -> Result<JsValue, JsValue> {
        let offset = offset_option("resourceHours", &options)?;
        let hours = usage_hours(&self.response, offset)?;
        let mut json = Json::new();
        json.key_string("{\"utcOffset\":", &offset_text(offset))
            .raw(",\"resources\":")
            .array(&hours.resources, |json, entry| {
                json.key_string("{\"resource\":", &entry.resource)
                    .key_string(",\"unit\":", &entry.unit)
                    .raw(",\"stepMs\":");
                match entry.step_ms {
                    Some(step) => json.integer(step),
                    None => json.raw("null"),
                };
                json.key_decimal(",\"total\":", &entry.total)
                    .raw(",\"days\":")
                    .array(&entry.days, |json, day| {
                        json.key_date("{\"date\":", day.date)
                            .key_decimal(",\"hours\":", &day.hours)
                            .key_integer(",\"coveredMs\":", day.covered_ms)
                            .raw("}");
                    })
                    .key_integer(",\"coveredMs\":", entry.covered_ms)
                    .key_integer(",\"gapMs\":", entry.gap_ms)
                    .raw(",\"gaps\":")
                    .array(&entry.gaps, |json, gap| {
                        json.key_integer("{\"start\":", gap.start_ms)
                            .key_integer(",\"end\":", gap.end_ms)
                            .raw("}");
                    })
                    .raw("}");
            })
            .raw("}");
        Ok(json.parse()?)
    }

    // `costEstimate(priceSheet, options?)`: a `CostEstimate`.
    #[wasm_bindgen(js_name = costEstimate)]
    pub fn cost_estimate(
        &self,
        price_sheet: JsValue,
        options: JsValue,
    ) -> Result<JsValue, JsValue> {
        const CONTEXT: &str = "costEstimate";
        let sheet = price_sheet_argument(CONTEXT, "priceSheet", &price_sheet)?;
        let offset = offset_option(CONTEXT, &options)?;
        let estimate = estimate_cost(&usage_hours(&self.response, offset)?, &sheet)?;
        let mut json = Json::new();
        json.key_string("{\"currency\":", &estimate.currency)
            .raw(",\"minorUnits\":")
            .number(u64::from(estimate.minor_units))
            .key_string(",\"utcOffset\":", &offset_text(offset))
            .key_decimal(",\"total\":", &estimate.total)
            .raw(",\"days\":")
            .array(&estimate.days, |json, (date, cost)| {
                json.key_date("{\"date\":", *date)
                    .key_decimal(",\"cost\":", cost)
                    .raw("}");
            })
            .raw(",\"resources\":")
            .array(&estimate.resources, |json, entry| {
                json.key_string("{\"resource\":", &entry.resource)
                    .key_string(",\"unit\":", &entry.unit)
                    .key_decimal(",\"hours\":", &entry.hours)
                    .key_decimal(",\"cost\":", &entry.cost)
                    .raw(",\"days\":")
                    .array(&entry.days, |json, day| {
                        json.key_date("{\"date\":", day.date)
                            .key_decimal(",\"hours\":", &day.hours)
                            .key_decimal(",\"cost\":", &day.cost)
                            .raw("}");
                    })
                    .raw("}");
            })
            .raw(",\"unpriced\":")
            .array(&estimate.unpriced, |json, name| {
                json.string(name);
            })
            .raw("}");
        Ok(json.parse()?)
    }

    // `forecast(options?)`: a `Forecast`.
    pub fn forecast(&self, options: JsValue) -> Result<JsValue, JsValue> {
        const CONTEXT: &str = "forecast";
        let mut forecast_options = ForecastOptions::default();
        let mut offset = utc_offset(CONTEXT, JsValue::UNDEFINED)?;
        if let Some(options) = values::options(CONTEXT, &options)? {
            offset = utc_offset(CONTEXT, options.get("utcOffset"))?;
            forecast_options.horizon = horizon(options.get("horizon"))?;
        }
        let result = forecast(&usage_hours(&self.response, offset)?, &forecast_options)?;
        let mut json = Json::new();
        json.key_string("{\"utcOffset\":", &offset_text(offset))
            .raw(",\"lastDay\":");
        match result.last_day {
            Some(date) => json.date(date),
            None => json.raw("null"),
        };
        json.raw(",\"resources\":")
            .array(&result.resources, |json, entry| {
                json.key_string("{\"resource\":", &entry.resource)
                    .key_string(",\"unit\":", &entry.unit)
                    .raw(",\"historyDays\":")
                    .number(entry.history_days as u64)
                    .key_decimal(",\"soFar\":", &entry.so_far)
                    .raw(",\"days\":")
                    .array(&entry.days, |json, day| {
                        json.key_date("{\"date\":", day.date).raw(",");
                        write_interval(json, day.expected, day.low, day.high);
                        json.raw("}");
                    })
                    .raw(",\"total\":{");
                let total = &entry.total;
                write_interval(json, total.expected, total.low, total.high);
                json.raw("}}");
            })
            .raw("}");
        Ok(json.parse()?)
    }

    // `anomalies(options?)`: `Anomaly[]`.
    pub fn anomalies(&self, options: JsValue) -> Result<JsValue, JsValue> {
        let mut anomaly_options = AnomalyOptions::default();
        if let Some(options) = values::options("anomalies", &options)? {
            anomaly_options.sensitivity = sensitivity(options.get("sensitivity"))?;
        }
        let anomalies = find_anomalies(&self.response, &anomaly_options)?;
        let mut json = Json::new();
        json.array(&anomalies, |json, anomaly| {
            json.key_string("{\"resource\":", &anomaly.resource)
                .key_integer(",\"start\":", anomaly.start_ms)
                .key_integer(",\"end\":", anomaly.end_ms)
                .key_integer(",\"peak\":", anomaly.peak_ms)
                .key_decimal(",\"value\":", &anomaly.value)
                .key_f64(",\"usualLow\":", anomaly.usual_low)
                .key_f64(",\"usualHigh\":", anomaly.usual_high)
                .key_f64(",\"score\":", anomaly.score)
                .raw("}");
        });
        Ok(json.parse()?)
    }

    // `dailyCsv(options?)`: the daily averages, long form, with unit-hours (and cost with a
    // `priceSheet`).
    #[wasm_bindgen(js_name = dailyCsv)]
    pub fn daily_csv(&self, options: JsValue) -> Result<String, JsValue> {
        const CONTEXT: &str = "dailyCsv";
        let mut offset = utc_offset(CONTEXT, JsValue::UNDEFINED)?;
        let mut sheet = None;
        if let Some(options) = values::options(CONTEXT, &options)? {
            offset = utc_offset(CONTEXT, options.get("utcOffset"))?;
            if let Some(value) = values::given(options.get("priceSheet")) {
                sheet = Some(price_sheet_argument(CONTEXT, "priceSheet", &value)?);
            }
        }
        let hours = usage_hours(&self.response, offset)?;
        let cost = sheet
            .map(|sheet| estimate_cost(&hours, &sheet))
            .transpose()?;
        Ok(daily_table_csv(
            &daily_averages(&self.response, offset)?,
            Some(DailyExtras {
                hours: &hours,
                cost: cost.as_ref(),
            }),
        ))
    }
}

/// `"expected":…,"low":…,"high":…`: a forecast interval's keys, JavaScript numbers (the
/// forecast is an estimate; `soFar`, measured, stays an exact decimal string).
fn write_interval(json: &mut Json, expected: f64, low: f64, high: f64) {
    json.key_f64("\"expected\":", expected)
        .key_f64(",\"low\":", low)
        .key_f64(",\"high\":", high);
}
