//! The view state, and its URL query: every choice a person makes on the page (source,
//! range, hidden resources, comparison, language, theme, account) is in the URL, so a link
//! reproduces the view. What the page knows of the proxy is in [`crate::proxy_status`].
//!
//! ```text
//! ?src=demo&range=31d&hide=EIP,GPU&cmp=0&lang=zh&theme=dark
//! ?from=2024-01-01&to=2024-03-31&account=test
//! ```
//!
//! Only what differs from the defaults is written. Reading is forgiving: an unknown or
//! malformed parameter falls back to its default, except a custom range, which is kept as
//! typed so that the range picker can explain what is wrong with it.

use bec_usage::analysis::Sensitivity;
use bec_usage::signing::uri_encode;
use chrono::NaiveDate;
use percent_encoding::percent_decode_str;

use crate::i18n::Lang;
use crate::range::{check_dates, validate_range, Preset};

/// Where the data comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Source {
    /// `GET /v1/usage/computing` on the page's origin: bec-usage-proxy signs it.
    Proxy,
    /// Signed in the page with keys the person typed, relayed by the proxy.
    Keys,
    /// The core's synthetic generator, in the page; no network.
    Demo,
}

impl Source {
    /// Every source, in the order of the switch.
    pub const ALL: [Source; 3] = [Source::Proxy, Source::Keys, Source::Demo];

    /// The code used in the URL (`src=proxy`).
    pub fn code(self) -> &'static str {
        match self {
            Source::Proxy => "proxy",
            Source::Keys => "keys",
            Source::Demo => "demo",
        }
    }

    /// The source of a URL code.
    pub fn from_code(code: &str) -> Option<Source> {
        Source::ALL.into_iter().find(|s| s.code() == code)
    }
}

/// A colour theme chosen on the page (without a choice, the system's applies).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Theme {
    /// Dark text on light.
    Light,
    /// Light text on dark.
    Dark,
}

impl Theme {
    /// The code used in the URL and in `<html data-theme>`.
    pub fn code(self) -> &'static str {
        match self {
            Theme::Light => "light",
            Theme::Dark => "dark",
        }
    }

    /// The theme of a code.
    pub fn from_code(code: &str) -> Option<Theme> {
        match code {
            "light" => Some(Theme::Light),
            "dark" => Some(Theme::Dark),
            _ => None,
        }
    }

    /// The other theme (for the toggle).
    pub fn other(self) -> Theme {
        match self {
            Theme::Light => Theme::Dark,
            Theme::Dark => Theme::Light,
        }
    }
}

/// The range as chosen: a preset, or two dates as typed (possibly invalid).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum RangeChoice {
    /// A preset relative to today.
    Preset(Preset),
    /// A custom range, as typed.
    Custom {
        /// The start date text.
        from: String,
        /// The end date text.
        to: String,
    },
}

impl RangeChoice {
    /// The first and last day (inclusive) on `today` (Beijing), if the range is valid:
    /// what the page loads (and what the data worker starts loading as the page boots).
    pub fn dates(&self, today: NaiveDate) -> Option<(NaiveDate, NaiveDate)> {
        match self {
            RangeChoice::Preset(preset) => {
                let (begin, end) = preset.dates(today);
                check_dates(begin, end).ok()
            }
            RangeChoice::Custom { from, to } => validate_range(from, to).ok(),
        }
    }
}

impl Default for RangeChoice {
    fn default() -> Self {
        RangeChoice::Preset(Preset::Last7)
    }
}

/// The default demo seed.
pub const DEFAULT_SEED: u64 = 1;
/// The default demo step: one point a minute, as the service gives.
pub const DEFAULT_STEP_SECONDS: u32 = 60;

/// Everything on the page a link should reproduce.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct ViewState {
    /// The chosen source; `None`: the proxy when it serves the page, else the demo.
    pub source: Option<Source>,
    /// The range.
    pub range: RangeChoice,
    /// Resources hidden by the person, sorted, without repeats.
    pub hidden: Vec<String>,
    /// Whether the previous period is overlaid and compared (default on).
    pub compare: bool,
    /// The chosen language; `None`: the browser's.
    pub lang: Option<Lang>,
    /// The chosen theme; `None`: the system's.
    pub theme: Option<Theme>,
    /// The demo generator's seed (`seed=`).
    pub seed: u64,
    /// The demo generator's step in seconds (`step=`, 1 ..= 86400).
    pub step_seconds: u32,
    /// The account chosen by name (`account=`), on a server that serves several; `None`:
    /// its default.
    pub account: Option<String>,
    /// Whether the forecast to month end is drawn (default on; `forecast=off`).
    pub forecast: bool,
    /// How readily stretches are called unusual (`sensitivity=low|high`; default medium).
    pub sensitivity: Sensitivity,
}

/// The URL's name of a sensitivity.
pub fn sensitivity_code(sensitivity: Sensitivity) -> &'static str {
    match sensitivity {
        Sensitivity::Low => "low",
        Sensitivity::Medium => "medium",
        Sensitivity::High => "high",
    }
}

/// The sensitivity of a URL's name.
pub fn sensitivity_from_code(code: &str) -> Option<Sensitivity> {
    [Sensitivity::Low, Sensitivity::Medium, Sensitivity::High]
        .into_iter()
        .find(|s| sensitivity_code(*s) == code)
}

impl Default for ViewState {
    fn default() -> Self {
        ViewState {
            source: None,
            range: RangeChoice::default(),
            hidden: Vec::new(),
            compare: true,
            lang: None,
            theme: None,
            seed: DEFAULT_SEED,
            step_seconds: DEFAULT_STEP_SECONDS,
            account: None,
            forecast: true,
            sensitivity: Sensitivity::Medium,
        }
    }
}

fn decode(text: &str) -> String {
    // `+` is a space in form-encoded queries; a literal plus arrives as %2B.
    let text = text.replace('+', " ");
    percent_decode_str(&text).decode_utf8_lossy().into_owned()
}

impl ViewState {
    /// Reads a URL query (`location.search`, with or without its `?`).
    pub fn from_query(query: &str) -> ViewState {
        let mut state = ViewState::default();
        let (mut from, mut to) = (None, None);
        let query = query.strip_prefix('?').unwrap_or(query);
        for pair in query.split('&').filter(|p| !p.is_empty()) {
            let (name, value) = pair.split_once('=').unwrap_or((pair, ""));
            match name {
                "src" => state.source = Source::from_code(value),
                "range" => {
                    if let Some(preset) = Preset::from_code(value) {
                        state.range = RangeChoice::Preset(preset);
                    }
                }
                "from" => from = Some(decode(value)),
                "to" => to = Some(decode(value)),
                "hide" => {
                    state.hidden.clear();
                    for name in value.split(',').map(decode) {
                        if !name.is_empty() {
                            state.set_shown(&name, false);
                        }
                    }
                }
                "cmp" => state.compare = value != "0",
                "lang" => state.lang = Lang::from_code(value),
                "theme" => state.theme = Theme::from_code(value),
                "seed" => state.seed = value.parse().unwrap_or(DEFAULT_SEED),
                "step" => {
                    state.step_seconds = value
                        .parse()
                        .ok()
                        .filter(|s| (1..=86_400).contains(s))
                        .unwrap_or(DEFAULT_STEP_SECONDS)
                }
                "account" => state.account = Some(decode(value)).filter(|a| !a.is_empty()),
                "forecast" => state.forecast = value != "off",
                "sensitivity" => {
                    state.sensitivity = sensitivity_from_code(value).unwrap_or_default()
                }
                _ => {}
            }
        }
        if from.is_some() || to.is_some() {
            state.range = RangeChoice::Custom {
                from: from.unwrap_or_default(),
                to: to.unwrap_or_default(),
            };
        }
        state
    }

    /// The URL query for this state: `?` and the parameters that differ from the defaults,
    /// or the empty string when none does.
    pub fn to_query(&self) -> String {
        let mut params: Vec<(&str, String)> = Vec::new();
        if let Some(source) = self.source {
            params.push(("src", source.code().to_owned()));
        }
        match &self.range {
            RangeChoice::Preset(preset) => {
                if *preset != Preset::Last7 {
                    params.push(("range", preset.code().to_owned()));
                }
            }
            RangeChoice::Custom { from, to } => {
                params.push(("from", uri_encode(from)));
                params.push(("to", uri_encode(to)));
            }
        }
        if !self.hidden.is_empty() {
            let names: Vec<String> = self.hidden.iter().map(|n| uri_encode(n)).collect();
            params.push(("hide", names.join(",")));
        }
        if !self.compare {
            params.push(("cmp", "0".to_owned()));
        }
        if let Some(lang) = self.lang {
            params.push(("lang", lang.code().to_owned()));
        }
        if let Some(theme) = self.theme {
            params.push(("theme", theme.code().to_owned()));
        }
        if self.seed != DEFAULT_SEED {
            params.push(("seed", self.seed.to_string()));
        }
        if self.step_seconds != DEFAULT_STEP_SECONDS {
            params.push(("step", self.step_seconds.to_string()));
        }
        if let Some(account) = &self.account {
            params.push(("account", uri_encode(account)));
        }
        if !self.forecast {
            params.push(("forecast", "off".to_owned()));
        }
        if self.sensitivity != Sensitivity::Medium {
            params.push(("sensitivity", sensitivity_code(self.sensitivity).to_owned()));
        }
        if params.is_empty() {
            return String::new();
        }
        let mut query = String::from("?");
        for (index, (name, value)) in params.iter().enumerate() {
            if index > 0 {
                query.push('&');
            }
            query.push_str(name);
            query.push('=');
            query.push_str(value);
        }
        query
    }

    /// Whether `resource` is shown.
    pub fn is_shown(&self, resource: &str) -> bool {
        self.hidden
            .binary_search_by(|h| h.as_str().cmp(resource))
            .is_err()
    }

    /// Shows or hides `resource`.
    pub fn set_shown(&mut self, resource: &str, shown: bool) {
        match self.hidden.binary_search_by(|h| h.as_str().cmp(resource)) {
            Ok(index) if shown => {
                self.hidden.remove(index);
            }
            Err(index) if !shown => self.hidden.insert(index, resource.to_owned()),
            _ => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_make_an_empty_query() {
        assert_eq!(ViewState::default().to_query(), "");
        assert_eq!(ViewState::from_query(""), ViewState::default());
        assert_eq!(ViewState::from_query("?"), ViewState::default());
    }

    #[test]
    fn every_field_round_trips() {
        let state = ViewState {
            source: Some(Source::Keys),
            range: RangeChoice::Custom {
                from: "2024-01-01".into(),
                to: "2024-03-31".into(),
            },
            hidden: vec!["BOS,Standard".into(), "EIP".into(), "内存 A".into()],
            compare: false,
            lang: Some(Lang::Zh),
            theme: Some(Theme::Dark),
            seed: 42,
            step_seconds: 300,
            account: Some("生产 & test".into()),
            forecast: false,
            sensitivity: Sensitivity::High,
        };
        let query = state.to_query();
        assert_eq!(
            query,
            "?src=keys&from=2024-01-01&to=2024-03-31&hide=BOS%2CStandard,EIP,%E5%86%85%E5%AD%98%20A\
             &cmp=0&lang=zh&theme=dark&seed=42&step=300&account=%E7%94%9F%E4%BA%A7%20%26%20test\
             &forecast=off&sensitivity=high"
        );
        assert_eq!(ViewState::from_query(&query), state);
    }

    #[test]
    fn presets_are_named() {
        let state = ViewState::from_query("range=31d&src=demo");
        assert_eq!(state.range, RangeChoice::Preset(Preset::Last31));
        assert_eq!(state.source, Some(Source::Demo));
        assert_eq!(state.to_query(), "?src=demo&range=31d");
    }

    #[test]
    fn invalid_custom_dates_are_kept_as_typed() {
        let state = ViewState::from_query("?from=2024-02-30&to=2024-03-01&range=7d");
        assert_eq!(
            state.range,
            RangeChoice::Custom {
                from: "2024-02-30".into(),
                to: "2024-03-01".into()
            }
        );
        let state = ViewState::from_query("?from=a+b%2");
        assert_eq!(
            state.range,
            RangeChoice::Custom {
                from: "a b%2".into(),
                to: String::new()
            }
        );
    }

    #[test]
    fn malformed_parameters_fall_back_to_defaults() {
        let state = ViewState::from_query(
            "?src=ftp&range=8d&lang=fr&theme=blue&seed=x&step=0&cmp=1&unknown=1&hide=",
        );
        assert_eq!(state, ViewState::default());
        assert_eq!(ViewState::from_query("step=86401").step_seconds, 60);
        assert_eq!(ViewState::from_query("step=3600").step_seconds, 3600);
    }

    #[test]
    fn hidden_resources_are_a_sorted_set() {
        let mut state = ViewState::from_query("hide=GPU,CPU,GPU");
        assert_eq!(state.hidden, ["CPU", "GPU"]);
        assert!(!state.is_shown("CPU"));
        assert!(state.is_shown("EIP"));
        state.set_shown("CPU", true);
        state.set_shown("CPU", true);
        state.set_shown("BLB", false);
        state.set_shown("BLB", false);
        assert_eq!(state.hidden, ["BLB", "GPU"]);
    }

    #[test]
    fn an_empty_account_is_none() {
        assert_eq!(ViewState::from_query("?account=").account, None);
        assert_eq!(
            ViewState::from_query("?account=test").account.as_deref(),
            Some("test")
        );
    }
}
