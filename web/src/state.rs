//! The view state, and its URL query: every choice a person makes on the page (source,
//! range, hidden resources, comparison, language, theme, account) is in the URL, so a link
//! reproduces the view. Also what the page knows of the proxy: its mode, its sign-in and
//! the accounts it names.
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

/// How the proxy that serves the page authenticates upstream, from the `mode` of its
/// `/healthz` answer (`bec-usage-proxy --demo` is server-signed, with demo keys).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ProxyMode {
    /// It holds keys and signs: the "Proxy" source works.
    ServerSigned,
    /// It relays requests the page signs: the "My keys" source works.
    Relay,
}

impl ProxyMode {
    /// The mode of a `/healthz` `mode` value.
    pub fn from_code(code: &str) -> Option<ProxyMode> {
        match code {
            "server-signed" => Some(ProxyMode::ServerSigned),
            "relay" => Some(ProxyMode::Relay),
            _ => None,
        }
    }
}

/// How the proxy knows who reads the data, from the `signIn` of its `/healthz` answer.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum SignIn {
    /// No access control: anyone who reaches the proxy reads the data.
    #[default]
    Off,
    /// People sign in with a name and a password (`POST /auth/login`); the page asks.
    Password,
    /// A single-sign-on proxy in front signs people in; the page never asks.
    Proxy,
}

impl SignIn {
    /// The sign-in of a `/healthz` `signIn` value.
    pub fn from_code(code: &str) -> Option<SignIn> {
        match code {
            "off" => Some(SignIn::Off),
            "password" => Some(SignIn::Password),
            "proxy" => Some(SignIn::Proxy),
            _ => None,
        }
    }
}

/// Who reads the data, and which accounts: the rest of the proxy's `/healthz` answer.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Default)]
pub struct Access {
    /// How people sign in.
    pub sign_in: SignIn,
    /// The signed-in user, if any.
    pub user: Option<String>,
    /// The accounts the user may see by name (`accounts`); empty when the server has one
    /// unnamed account.
    pub accounts: Vec<String>,
    /// The account served when none is named (`defaultAccount`).
    pub default_account: Option<String>,
}

/// The account the page loads, given the URL's and the server's list.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Default)]
pub struct AccountChoice {
    /// The account to load by name (`/accounts/NAME/v1/...`) and to show in the header
    /// and the export file names; `None`: the server's default account, by the plain path.
    pub account: Option<String>,
    /// The account the URL names that the server does not list, to say so.
    pub unknown: Option<String>,
}

impl Access {
    /// Whether the page must ask for a password before it can load anything.
    pub fn asks_sign_in(&self) -> bool {
        self.sign_in == SignIn::Password && self.user.is_none()
    }

    /// Whether the server names its accounts, so that the page offers a choice.
    pub fn has_named_accounts(&self) -> bool {
        self.accounts.len() >= 2
    }

    /// The account to load when the URL names `wanted`: with two accounts or more, that
    /// one if listed, else the default (or the first listed). With none, or only the
    /// default, the plain path, as on a server without named accounts; with one that is
    /// not the user's default (the plain path would refuse), that one by name. A name the
    /// server does not list is returned as `unknown`.
    pub fn choose_account(&self, wanted: Option<&str>) -> AccountChoice {
        let listed = |name: &str| self.accounts.iter().any(|a| a == name);
        let unknown = wanted.filter(|w| !listed(w)).map(str::to_owned);
        let default = self.default_account.as_deref().filter(|d| listed(d));
        let account = match self.accounts.as_slice() {
            [] => None,
            [only] if Some(only.as_str()) == default => None,
            [only] => Some(only.as_str()),
            [first, ..] => wanted.filter(|w| listed(w)).or(default).or(Some(first)),
        };
        AccountChoice {
            account: account.map(str::to_owned),
            unknown,
        }
    }
}

/// What the page knows of the proxy serving it.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum ProxyStatus {
    /// `/healthz` has not answered yet.
    Checking,
    /// No bec-usage-proxy serves the page (a static host, or `/healthz` said something else).
    Absent,
    /// The proxy answered.
    Present {
        /// Its mode.
        mode: ProxyMode,
        /// The host requests finally reach, which the page signs for in keys mode.
        upstream_host: String,
        /// Who reads the data, and which accounts.
        access: Access,
    },
}

/// The upstream host when `/healthz` does not name one: BEC's.
pub const DEFAULT_UPSTREAM_HOST: &str = bec_usage::service::SERVICE_HOST;

impl ProxyStatus {
    /// Whether `source` can be used with this proxy.
    pub fn allows(&self, source: Source) -> bool {
        match (self, source) {
            (_, Source::Demo) => true,
            (ProxyStatus::Present { mode, .. }, Source::Proxy) => *mode != ProxyMode::Relay,
            (ProxyStatus::Present { mode, .. }, Source::Keys) => *mode == ProxyMode::Relay,
            (ProxyStatus::Checking, _) => true,
            (ProxyStatus::Absent, _) => false,
        }
    }

    /// Who reads the data, when the proxy answered.
    pub fn access(&self) -> Option<&Access> {
        match self {
            ProxyStatus::Present { access, .. } => Some(access),
            _ => None,
        }
    }

    /// Whether the page must ask for a password before it can load from the proxy.
    pub fn asks_sign_in(&self) -> bool {
        self.access().is_some_and(Access::asks_sign_in)
    }

    /// Whether people sign in here with a password (and so can sign out).
    pub fn has_password_sign_in(&self) -> bool {
        self.access().is_some_and(|a| a.sign_in == SignIn::Password)
    }

    /// Records who is signed in now (`None`: nobody).
    pub fn set_user(&mut self, user: Option<String>) {
        if let ProxyStatus::Present { access, .. } = self {
            access.user = user;
        }
    }

    /// The source used when the URL names none: the proxy's own when it serves the page
    /// ("My keys" for a relaying proxy), the demo otherwise. `None` while still checking.
    pub fn default_source(&self) -> Option<Source> {
        match self {
            ProxyStatus::Checking => None,
            ProxyStatus::Absent => Some(Source::Demo),
            ProxyStatus::Present {
                mode: ProxyMode::Relay,
                ..
            } => Some(Source::Keys),
            ProxyStatus::Present { .. } => Some(Source::Proxy),
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
    fn the_proxy_decides_the_default_source() {
        let present = |mode| ProxyStatus::Present {
            mode,
            upstream_host: DEFAULT_UPSTREAM_HOST.into(),
            access: Access::default(),
        };
        assert_eq!(ProxyStatus::Checking.default_source(), None);
        assert_eq!(ProxyStatus::Absent.default_source(), Some(Source::Demo));
        assert_eq!(
            present(ProxyMode::ServerSigned).default_source(),
            Some(Source::Proxy)
        );
        assert_eq!(
            present(ProxyMode::Relay).default_source(),
            Some(Source::Keys)
        );

        assert!(!ProxyStatus::Absent.allows(Source::Proxy));
        assert!(!ProxyStatus::Absent.allows(Source::Keys));
        assert!(ProxyStatus::Absent.allows(Source::Demo));
        assert!(present(ProxyMode::ServerSigned).allows(Source::Proxy));
        assert!(!present(ProxyMode::ServerSigned).allows(Source::Keys));
        assert!(present(ProxyMode::Relay).allows(Source::Keys));
        assert!(!present(ProxyMode::Relay).allows(Source::Proxy));
        assert_eq!(ProxyMode::from_code("relay"), Some(ProxyMode::Relay));
        assert_eq!(ProxyMode::from_code("other"), None);
    }

    #[test]
    fn an_empty_account_is_none() {
        assert_eq!(ViewState::from_query("?account=").account, None);
        assert_eq!(
            ViewState::from_query("?account=test").account.as_deref(),
            Some("test")
        );
    }

    fn access(accounts: &[&str], default_account: Option<&str>) -> Access {
        Access {
            sign_in: SignIn::Password,
            user: Some("alice".into()),
            accounts: accounts.iter().map(|a| (*a).to_owned()).collect(),
            default_account: default_account.map(str::to_owned),
        }
    }

    fn choice(account: Option<&str>, unknown: Option<&str>) -> AccountChoice {
        AccountChoice {
            account: account.map(str::to_owned),
            unknown: unknown.map(str::to_owned),
        }
    }

    #[test]
    fn several_accounts_are_loaded_by_name() {
        let two = access(&["production", "test"], Some("production"));
        assert!(two.has_named_accounts());
        assert_eq!(two.choose_account(None), choice(Some("production"), None));
        assert_eq!(two.choose_account(Some("test")), choice(Some("test"), None));
        // A name the server does not list: the default, and the page says so.
        assert_eq!(
            two.choose_account(Some("staging")),
            choice(Some("production"), Some("staging"))
        );
        // No default, or one the user may not see: the first listed.
        let no_default = access(&["b", "a"], None);
        assert_eq!(no_default.choose_account(None), choice(Some("b"), None));
        let hidden_default = access(&["b", "a"], Some("production"));
        assert_eq!(hidden_default.choose_account(None), choice(Some("b"), None));
    }

    #[test]
    fn no_account_or_only_the_default_uses_the_plain_path() {
        for one in [
            access(&[], None),
            access(&["production"], Some("production")),
        ] {
            assert!(!one.has_named_accounts());
            assert_eq!(one.choose_account(None), choice(None, None));
            assert_eq!(one.choose_account(Some("test")), choice(None, Some("test")));
        }
        let default = access(&["production"], Some("production"));
        assert_eq!(
            default.choose_account(Some("production")),
            choice(None, None)
        );
    }

    #[test]
    fn one_account_that_is_not_the_default_is_loaded_by_name() {
        // The server's default is hidden from this user: the plain path would refuse.
        let one = access(&["test"], None);
        assert!(!one.has_named_accounts());
        assert_eq!(one.choose_account(None), choice(Some("test"), None));
        assert_eq!(one.choose_account(Some("test")), choice(Some("test"), None));
        assert_eq!(
            one.choose_account(Some("production")),
            choice(Some("test"), Some("production"))
        );
    }

    #[test]
    fn only_a_password_server_without_a_user_asks_for_a_sign_in() {
        let mut status = ProxyStatus::Present {
            mode: ProxyMode::ServerSigned,
            upstream_host: DEFAULT_UPSTREAM_HOST.into(),
            access: Access {
                sign_in: SignIn::Password,
                ..Access::default()
            },
        };
        assert!(status.asks_sign_in());
        assert!(status.has_password_sign_in());
        status.set_user(Some("alice".into()));
        assert!(!status.asks_sign_in());
        status.set_user(None);
        assert!(status.asks_sign_in());
        let sso = Access {
            sign_in: SignIn::Proxy,
            ..Access::default()
        };
        assert!(!sso.asks_sign_in());
        assert!(!Access::default().asks_sign_in());
        assert!(!ProxyStatus::Checking.asks_sign_in());
        assert!(!ProxyStatus::Absent.has_password_sign_in());
        assert_eq!(SignIn::from_code("password"), Some(SignIn::Password));
        assert_eq!(SignIn::from_code("proxy"), Some(SignIn::Proxy));
        assert_eq!(SignIn::from_code("off"), Some(SignIn::Off));
        assert_eq!(SignIn::from_code("ldap"), None);
    }
}
