//! The analysis methods of `Usage`: [`crate::analysis`] and [`crate::quality`] with
//! JavaScript options and results.

use wasm_bindgen::prelude::*;

use super::time::{offset_text, utc_offset};
use super::usage::{attach_arrays, exact_amounts, named_resource, write_stats, Usage};
use super::values::{self, Fields, Json};
use crate::analysis::{
    daily_averages, lttb_series, points_csv, reconcile, response_stats, ReconcileOptions,
};
use crate::error::Result;
use crate::json::decimal_from_text;
use crate::quality::quality_notes;
use wasm_bindgen::JsCast;

/// The `utcOffset` of an options argument of `method`; Beijing time when left out.
pub(super) fn offset_option(method: &str, options: &JsValue) -> Result<chrono::FixedOffset> {
    match values::options(method, options)? {
        Some(options) => utc_offset(method, options.get("utcOffset")),
        None => utc_offset(method, JsValue::UNDEFINED),
    }
}

#[wasm_bindgen]
impl Usage {
    // `stats()`: `{resource, unit, stats}` per resource.
    pub fn stats(&self) -> Result<JsValue, JsValue> {
        let stats = response_stats(&self.response)?;
        let mut json = Json::new();
        json.array(&stats, |json, entry| {
            json.raw("{\"resource\":")
                .string(&entry.resource)
                .raw(",\"unit\":")
                .string(&entry.unit)
                .raw(",\"stats\":");
            write_stats(json, entry.stats.as_ref());
            json.raw("}");
        });
        Ok(json.parse()?)
    }

    // `dailyAverages(options?)`: a `DailyAverages`.
    #[wasm_bindgen(js_name = dailyAverages)]
    pub fn daily_averages(&self, options: JsValue) -> Result<JsValue, JsValue> {
        let offset = offset_option("dailyAverages", &options)?;
        let table = daily_averages(&self.response, offset)?;
        let mut json = Json::new();
        json.raw("{\"utcOffset\":")
            .string(&offset_text(offset))
            .raw(",\"dates\":")
            .array(table.dates(), |json, date| {
                json.date(*date);
            })
            .raw(",\"resources\":")
            .array(table.resources(), |json, name| {
                json.string(name);
            })
            .raw(",\"units\":")
            .array(table.units(), |json, unit| {
                json.string(unit);
            })
            .raw(",\"cells\":")
            .array(0..table.dates().len(), |json, date_index| {
                json.array(table.row(date_index).unwrap_or_default(), |json, cell| {
                    match cell {
                        Some(cell) => json
                            .raw("{\"average\":")
                            .decimal(cell.average)
                            .raw(",\"points\":")
                            .number(cell.points as u64)
                            .raw("}"),
                        None => json.raw("null"),
                    };
                });
            })
            .raw("}");
        Ok(json.parse()?)
    }

    // `summary()`: date → resource → exact daily average.
    pub fn summary(&self) -> Result<JsValue, JsValue> {
        let mut json = Json::new();
        json.raw("{");
        for (index, day) in self.response.summary.iter().enumerate() {
            if index > 0 {
                json.raw(",");
            }
            json.date(day.date).raw(":{");
            for (index, value) in day.values.iter().enumerate() {
                if index > 0 {
                    json.raw(",");
                }
                json.string(&value.resource).raw(":").decimal(value.average);
            }
            json.raw("}");
        }
        json.raw("}");
        Ok(json.parse()?)
    }

    // `reconcile(options?)`: a `Reconciliation`.
    pub fn reconcile(&self, options: JsValue) -> Result<JsValue, JsValue> {
        const CONTEXT: &str = "reconcile";
        let mut reconcile_options = ReconcileOptions::default();
        if let Some(options) = values::options(CONTEXT, &options)? {
            reconcile_options.offset = utc_offset(CONTEXT, options.get("utcOffset"))?;
            let tolerance =
                values::optional_string(CONTEXT, "tolerance", options.get("tolerance"))?;
            if let Some(text) = tolerance {
                let tolerance = decimal_from_text(&text).ok_or_else(|| {
                    values::invalid(
                        "tolerance",
                        &text,
                        values::concat(&[
                            CONTEXT,
                            ": tolerance \"",
                            &text,
                            "\" is not a decimal number; write it like \"0.001\"",
                        ]),
                    )
                })?;
                reconcile_options.tolerance = Some(tolerance);
            }
        }
        let reconciliation = reconcile(&self.response, &reconcile_options)?;
        let counts = reconciliation.counts();
        let mut json = Json::new();
        json.raw("{\"rows\":")
            .array(&reconciliation.rows, |json, row| {
                json.raw("{\"date\":")
                    .date(row.date)
                    .raw(",\"resource\":")
                    .string(&row.resource)
                    .raw(",\"unit\":")
                    .string(&row.unit)
                    .raw(",\"summary\":")
                    .optional_decimal(row.summary)
                    .raw(",\"recomputed\":")
                    .optional_decimal(row.recomputed)
                    .raw(",\"difference\":")
                    .optional_decimal(row.difference)
                    .raw(",\"points\":")
                    .number(row.points as u64)
                    .raw(",\"status\":")
                    .string(row.status.as_str())
                    .raw("}");
            })
            .raw(",\"counts\":{\"match\":")
            .number(counts.matched as u64)
            .raw(",\"differs\":")
            .number(counts.differs as u64)
            .raw(",\"missingInSummary\":")
            .number(counts.missing_in_summary as u64)
            .raw(",\"missingInData\":")
            .number(counts.missing_in_data as u64)
            .raw("},\"consistent\":")
            .boolean(reconciliation.is_consistent())
            .raw(",\"report\":")
            .string(&reconciliation.report())
            .raw("}");
        Ok(json.parse()?)
    }

    // `qualityNotes(options?)`: `QualityNote[]`.
    #[wasm_bindgen(js_name = qualityNotes)]
    pub fn quality_notes(&self, options: JsValue) -> Result<JsValue, JsValue> {
        let offset = offset_option("qualityNotes", &options)?;
        let notes = quality_notes(&self.response, offset);
        let mut json = Json::new();
        json.array(&notes, |json, note| {
            json.raw("{\"kind\":").string(note.kind.as_str());
            if let Some(resource) = &note.resource {
                json.raw(",\"resource\":").string(resource);
            }
            json.raw(",\"message\":").string(&note.message).raw("}");
        });
        Ok(json.parse()?)
    }

    // `downsample(resource, targetPoints)`: `SeriesArrays` of at most `targetPoints` points.
    pub fn downsample(
        &self,
        resource: JsValue,
        target_points: JsValue,
    ) -> Result<JsValue, JsValue> {
        const CONTEXT: &str = "downsample";
        let series = named_resource(&self.response, CONTEXT, &resource)?;
        let target = values::integer(
            CONTEXT,
            "targetPoints",
            &target_points,
            0.0,
            f64::from(u32::MAX),
            "from 0 to 4294967295",
        )?;
        // A whole number in 0..=u32::MAX fits usize on wasm32.
        let points = lttb_series(series, target as usize);
        let mut json = Json::new();
        json.raw("{");
        exact_amounts(&mut json, &points);
        json.raw("}");
        let object = json.parse()?;
        let fields: &Fields = object.unchecked_ref();
        attach_arrays(fields, &points);
        Ok(object)
    }

    // `toCsv(options?)`: the points, long form.
    #[wasm_bindgen(js_name = toCsv)]
    pub fn to_csv(&self, options: JsValue) -> Result<String, JsValue> {
        let offset = offset_option("toCsv", &options)?;
        Ok(points_csv(&self.response, offset)?)
    }
}
