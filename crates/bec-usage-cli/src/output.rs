//! What `fetch` writes: the formats, each from the core's own writer ([`render`]), and
//! where ([`write_output`]: stdout, or a file written whole through a temporary file).

use std::io::Write;
use std::path::{Path, PathBuf};

use bec_usage::analysis::{
    daily_averages, daily_table_csv, estimate_cost, hours_csv, points_csv, usage_hours,
    DailyExtras, PriceSheet,
};
use bec_usage::json::{parse_price_sheet, write_usage};
use bec_usage::UsageResponse;
use chrono::FixedOffset;

use crate::cli::Format;
use crate::error::{Error, Result};
use crate::table::{render_table, Decimals};

/// How a response is written.
#[derive(Debug, Clone)]
pub struct RenderOptions {
    /// The format.
    pub format: Format,
    /// The calendar of the daily formats and the table.
    pub offset: FixedOffset,
    /// A price sheet, for `daily-csv`.
    pub price_sheet: Option<PriceSheet>,
    /// The table's rounding.
    pub decimals: Decimals,
}

/// `response` in the chosen format:
///
/// - `json`: the core's writer ([`write_usage`]);
/// - `csv`: [`points_csv`], what the npm package's `toCsv` returns;
/// - `daily-csv`: [`daily_table_csv`] with unit-hours (and cost with a price sheet), what
///   the npm package's `dailyCsv` returns;
/// - `hours-csv`: [`hours_csv`];
/// - `table`: [`render_table`].
pub fn render(response: &UsageResponse, options: &RenderOptions) -> Result<String> {
    let core = |e: bec_usage::Error| Error::input(e.message());
    Ok(match options.format {
        Format::Json => write_usage(response),
        Format::Csv => points_csv(response, options.offset).map_err(core)?,
        Format::DailyCsv => {
            let hours = usage_hours(response, options.offset).map_err(core)?;
            let cost = options
                .price_sheet
                .as_ref()
                .map(|sheet| estimate_cost(&hours, sheet))
                .transpose()
                .map_err(core)?;
            daily_table_csv(
                &daily_averages(response, options.offset).map_err(core)?,
                Some(DailyExtras {
                    hours: &hours,
                    cost: cost.as_ref(),
                }),
            )
        }
        Format::HoursCsv => hours_csv(&usage_hours(response, options.offset).map_err(core)?),
        Format::Table => render_table(response, options.offset, options.decimals)?,
    })
}

/// Reads a price sheet file (the core's reader).
pub fn read_price_sheet(path: &Path) -> Result<PriceSheet> {
    let text = std::fs::read_to_string(path).map_err(|e| {
        Error::input(format!(
            "cannot read the price sheet {}: {e}",
            path.display()
        ))
    })?;
    parse_price_sheet(&text).map_err(|e| {
        Error::input(format!(
            "the price sheet {}: {}",
            path.display(),
            e.message()
        ))
    })
}

/// Checks, before anything is fetched, that `path`'s folder exists, so a run that would
/// fail at the end fails at the start.
pub fn check_output_path(path: &Path) -> Result<()> {
    let folder = folder_of(path);
    if !folder.is_dir() {
        return Err(Error::input(format!(
            "--output {}: the folder {} does not exist",
            path.display(),
            folder.display()
        )));
    }
    if path.is_dir() {
        return Err(Error::input(format!(
            "--output {} is a folder; name a file",
            path.display()
        )));
    }
    Ok(())
}

fn folder_of(path: &Path) -> PathBuf {
    match path.parent() {
        Some(parent) if !parent.as_os_str().is_empty() => parent.to_path_buf(),
        _ => PathBuf::from("."),
    }
}

/// Writes `text` to stdout, or to `path` whole: into a temporary file in the same folder,
/// flushed to disk, then renamed over `path`, so that a reader never sees half a file and a
/// failed run leaves none (the temporary file is removed on every failure). A file that
/// is replaced keeps its permissions; a new one gets 0644.
pub fn write_output(path: Option<&Path>, text: &str) -> Result<()> {
    let Some(path) = path else {
        let mut stdout = std::io::stdout().lock();
        return stdout
            .write_all(text.as_bytes())
            .and_then(|()| stdout.flush())
            .map_err(|e| Error::output(format!("cannot write to stdout: {e}")));
    };
    let failed = |e: std::io::Error| Error::output(format!("cannot write {}: {e}", path.display()));
    let mut file = tempfile::Builder::new()
        .prefix(".bec-usage-")
        .suffix(".tmp")
        .tempfile_in(folder_of(path))
        .map_err(failed)?;
    file.write_all(text.as_bytes()).map_err(failed)?;
    let permissions = match std::fs::metadata(path) {
        Ok(existing) => existing.permissions(),
        Err(_) => new_file_permissions(file.as_file()).map_err(failed)?,
    };
    file.as_file()
        .set_permissions(permissions)
        .map_err(failed)?;
    file.as_file().sync_all().map_err(failed)?;
    file.persist(path).map_err(|e| failed(e.error))?;
    Ok(())
}

#[cfg(unix)]
fn new_file_permissions(file: &std::fs::File) -> std::io::Result<std::fs::Permissions> {
    use std::os::unix::fs::PermissionsExt;
    let mut permissions = file.metadata()?.permissions();
    permissions.set_mode(0o644);
    Ok(permissions)
}

#[cfg(not(unix))]
fn new_file_permissions(file: &std::fs::File) -> std::io::Result<std::fs::Permissions> {
    Ok(file.metadata()?.permissions())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_file_is_replaced_whole_and_nothing_is_left_beside_it() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("out.csv");
        write_output(Some(&path), "a\r\n").expect("written");
        write_output(Some(&path), "b\r\n").expect("replaced");
        assert_eq!(std::fs::read_to_string(&path).expect("read"), "b\r\n");
        let names: Vec<_> = std::fs::read_dir(dir.path())
            .expect("list")
            .map(|e| e.expect("entry").file_name())
            .collect();
        assert_eq!(names, ["out.csv"]);
        let missing = dir.path().join("no/such/folder/out.csv");
        assert_eq!(
            check_output_path(&missing).map_err(|e| e.exit_code()),
            Err(2)
        );
        assert_eq!(
            check_output_path(dir.path()).map_err(|e| e.exit_code()),
            Err(2)
        );
    }
}
