//! `validateRange` and `splitRange`: [`crate::query`] with `DateRange` objects.

use wasm_bindgen::prelude::*;

use super::values::{self, Json};
use crate::query::{parse_date, split_range_by, DateField, UsageQuery, MAX_DAYS};

// `validateRange(beginDate, endDate)`: see js/index.d.ts.
#[wasm_bindgen(js_name = validateRange)]
pub fn validate_range(begin_date: JsValue, end_date: JsValue) -> Result<JsValue, JsValue> {
    const CONTEXT: &str = "validateRange";
    let begin_date = values::required_string(CONTEXT, "beginDate", &begin_date)?;
    let end_date = values::required_string(CONTEXT, "endDate", &end_date)?;
    let query = UsageQuery::new(&begin_date, &end_date)?;
    let mut json = Json::new();
    date_range(&mut json, &query);
    Ok(json.parse()?)
}

// `splitRange(beginDate, endDate, maxDays?)`: see js/index.d.ts.
#[wasm_bindgen(js_name = splitRange)]
pub fn split_range(
    begin_date: JsValue,
    end_date: JsValue,
    max_days: JsValue,
) -> Result<JsValue, JsValue> {
    const CONTEXT: &str = "splitRange";
    let begin_date = values::required_string(CONTEXT, "beginDate", &begin_date)?;
    let end_date = values::required_string(CONTEXT, "endDate", &end_date)?;
    let max_days = match values::given(max_days) {
        // A whole number in 1..=31.
        Some(value) => values::integer(
            CONTEXT,
            "maxDays",
            &value,
            1.0,
            31.0,
            "of days from 1 to 31",
        )? as u32,
        None => MAX_DAYS,
    };
    let begin = parse_date(DateField::BeginDate, &begin_date)?;
    let end = parse_date(DateField::EndDate, &end_date)?;
    Ok(date_ranges(&split_range_by(begin, end, max_days)?)?)
}

/// `DateRange[]` of queries in order.
pub(super) fn date_ranges(queries: &[UsageQuery]) -> crate::Result<JsValue> {
    let mut json = Json::new();
    json.array(queries, date_range);
    json.parse()
}

/// A `DateRange`: `{beginDate, endDate, days}`.
fn date_range(json: &mut Json, query: &UsageQuery) {
    json.raw("{\"beginDate\":")
        .date(query.begin_date())
        .raw(",\"endDate\":")
        .date(query.end_date())
        .raw(",\"days\":")
        .number(u64::from(query.days()))
        .raw("}");
}
