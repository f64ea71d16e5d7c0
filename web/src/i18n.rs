//! Chinese and English: every text of the page, and the units the service writes in
//! Chinese.
//!
//! Texts are one `match` per key ([`T`]), so a missing translation is a compile error and
//! a lookup costs nothing. Texts with values in them hold `{name}` placeholders, filled by
//! [`fill`].

/// A language of the page.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum Lang {
    /// English.
    #[default]
    En = 0,
    /// Simplified Chinese.
    Zh = 1,
}

impl Lang {
    /// The code used in the URL (`en`, `zh`).
    pub fn code(self) -> &'static str {
        match self {
            Lang::En => "en",
            Lang::Zh => "zh",
        }
    }

    /// The value for `<html lang>`.
    pub fn html_lang(self) -> &'static str {
        match self {
            Lang::En => "en",
            Lang::Zh => "zh-CN",
        }
    }

    /// The language of a URL code; `None` for anything else.
    pub fn from_code(code: &str) -> Option<Lang> {
        match code {
            "en" => Some(Lang::En),
            "zh" => Some(Lang::Zh),
            _ => None,
        }
    }

    /// The page's default for a browser whose preferred languages are `languages`
    /// (`navigator.languages`, most preferred first): the first of them that is Chinese or
    /// English decides; English otherwise.
    pub fn from_browser<'a>(languages: impl IntoIterator<Item = &'a str>) -> Lang {
        for tag in languages {
            let primary = tag.split(['-', '_']).next().unwrap_or_default();
            if primary.eq_ignore_ascii_case("zh") {
                return Lang::Zh;
            }
            if primary.eq_ignore_ascii_case("en") {
                return Lang::En;
            }
        }
        Lang::En
    }

    /// The other language (for the switch).
    pub fn other(self) -> Lang {
        match self {
            Lang::En => Lang::Zh,
            Lang::Zh => Lang::En,
        }
    }

    /// The language's own name, as the switch shows it.
    pub fn own_name(self) -> &'static str {
        match self {
            Lang::En => "English",
            Lang::Zh => "中文",
        }
    }
}

macro_rules! texts {
    ($($(#[$doc:meta])* $key:ident => $en:expr, $zh:expr;)*) => {
        /// A text of the page; [`T::get`] gives it in a language.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        #[allow(missing_docs)]
        pub enum T {
            $($(#[$doc])* $key,)*
        }

        /// The texts, one `[English, Chinese]` pair per key in the order of [`T`]: a
        /// table lookup is smaller in the wasm than a `match` over every key.
        const TEXTS: &[[&str; 2]] = &[$([$en, $zh],)*];

        impl T {
            /// Every key, for tests.
            pub const ALL: &'static [T] = &[$(T::$key,)*];

            /// The text in `lang`.
            pub fn get(self, lang: Lang) -> &'static str {
                TEXTS
                    .get(self as usize)
                    .map_or("", |pair| pair[lang as usize])
            }
        }
    };
}

texts! {
    AppTitle => "BEC usage", "BEC 用量";
    AppSubtitle => "Computing usage of Baidu AI Cloud edge computing", "百度智能云边缘计算 BEC 计算用量";
    Account => "Account", "账号";
    Source => "Data source", "数据来源";
    SourceProxy => "Proxy", "代理";
    SourceProxyHint => "Requests go through bec-usage-proxy, which signs them with its own keys.",
        "请求经由 bec-usage-proxy 发出，由代理用其密钥签名。";
    SourceKeys => "My keys", "我的密钥";
    SourceKeysHint => "Requests are signed in this page with your access key pair and relayed by the proxy.",
        "请求在本页面内用你的访问密钥签名，再由代理转发。";
    SourceDemo => "Demo", "演示";
    SourceDemoHint => "Synthetic data made in this page; nothing goes over the network.",
        "本页面生成的模拟数据，不经过网络。";
    SourceNeedsProxy => "Needs bec-usage-proxy, which is not serving this page.",
        "需要 bec-usage-proxy，但本页面并非由它提供。";
    DemoBanner => "Demo: synthetic data generated in your browser.", "演示：浏览器中生成的模拟数据。";
    SwitchLanguage => "Switch language", "切换语言";
    DarkTheme => "Dark theme", "深色主题";
    LightTheme => "Light theme", "浅色主题";
    Range => "Date range", "日期范围";
    Last7 => "Last 7 days", "最近 7 天";
    Last31 => "Last 31 days", "最近 31 天";
    ThisMonth => "This month", "本月";
    LastMonth => "Last month", "上月";
    From => "From", "开始日期";
    To => "To", "结束日期";
    Apply => "Apply", "应用";
    DateHint => "YYYY-MM-DD, days in Beijing time (UTC+08:00)", "YYYY-MM-DD，按北京时间 (UTC+08:00) 计日";
    ErrDateEmpty => "Enter a date as YYYY-MM-DD, e.g. 2024-01-31.", "请输入日期，格式为 YYYY-MM-DD，例如 2024-01-31。";
    ErrDateFormat => "“{value}” is not a date of the form YYYY-MM-DD, e.g. 2024-01-31.",
        "“{value}” 不是 YYYY-MM-DD 格式的日期，例如 2024-01-31。";
    ErrDateNotInCalendar => "{value} is not a day of the calendar: {month} has {days} days.",
        "{value} 不是日历中的日期：{month}只有 {days} 天。";
    ErrMonthNotInCalendar => "{value} is not a day of the calendar: a month is 01 to 12.",
        "{value} 不是日历中的日期：月份应为 01 到 12。";
    ErrRangeReversed => "The end date is before the start date {from}.", "结束日期早于开始日期 {from}。";
    ErrRangeTooLong => "The range covers {days} days; at most {max} can be shown at once.",
        "该范围共 {days} 天，一次最多显示 {max} 天。";
    Compare => "Compare with the previous period", "与上一周期对比";
    Resources => "Resources", "资源";
    ShowAll => "Show all", "全部显示";
    Show => "Show {name}", "显示 {name}";
    Export => "Export", "导出";
    ExportSeries => "Series CSV", "时间序列 CSV";
    ExportDaily => "Daily table CSV", "每日平均 CSV";
    ExportAnomalies => "Unusual stretches CSV", "异常时段 CSV";
    ExportJson => "Raw JSON", "原始 JSON";
    ExportSeriesHint => "Every point of every resource, exact amounts, times in UTC+08:00.",
        "所有资源的全部数据点，用量精确，时间为 UTC+08:00。";
    ExportDailyHint => "The service's daily averages beside those recomputed from the points.",
        "服务给出的每日平均值，以及由数据点重新计算的平均值。";
    ExportAnomaliesHint => "The unusual stretches at the current sensitivity, with their usual ranges and scores.",
        "当前灵敏度下的异常时段，含通常范围与评分。";
    ExportJsonHint => "The answers as received (several chunks: a JSON array of them).",
        "收到的原始响应（分段获取时为各段组成的 JSON 数组）。";
    Min => "Min", "最小";
    Mean => "Mean", "平均";
    Max => "Max", "最大";
    Last => "Last", "最新";
    Peak => "Peak", "峰值";
    Approximate => "Rounded; exact value: {value}", "已四舍五入；精确值：{value}";
    VsPrevious => "vs. the previous {days} days", "较前 {days} 天";
    VsPreviousDay => "vs. the previous day", "较前 1 天";
    NoPrevious => "The previous period has no data.", "上一周期没有数据。";
    PreviousPeriod => "Previous period (dashed)", "上一周期（虚线）";
    Points => "{count} points", "{count} 个数据点";
    NoPoints => "No points in this range.", "此范围内没有数据点。";
    ChartLabel => "{name} usage over time; use the arrow keys to read the values.",
        "{name} 的用量变化；可用方向键读取数值。";
    CrosshairHint => "Point at the chart or use ←/→ to read exact values.", "指向图表或使用 ←/→ 读取精确数值。";
    DataTable => "Data table", "数据表";
    DataTableNote => "The {drawn} points drawn, of {count}.", "图中绘制的 {drawn} 个点（共 {count} 个）。";
    Time => "Time (UTC+08:00)", "时间 (UTC+08:00)";
    Amount => "Amount", "用量";
    Date => "Date", "日期";
    DailyTitle => "Daily averages", "每日平均";
    DailyNote => "The service's summary. Cells marked ≠ differ from the average recomputed from the points; hover or focus them for the numbers.",
        "服务给出的 summary。标有 ≠ 的单元格与由数据点重新计算的平均值不一致；悬停或聚焦可查看数值。";
    DailyAllMatch => "All {count} daily averages match the averages recomputed from the points.",
        "全部 {count} 个每日平均值与由数据点重新计算的结果一致。";
    DailyCounts => "{count} daily averages compared: {differs} differ, {missing_summary} missing from the summary, {missing_data} without points.",
        "共比较 {count} 个每日平均值：{differs} 个不一致，{missing_summary} 个 summary 中缺失，{missing_data} 个没有数据点。";
    CellDiffers => "Differs: summary {summary}, recomputed {recomputed} from {points} points (difference {difference}).",
        "不一致：summary 为 {summary}，由 {points} 个数据点重新计算为 {recomputed}（差 {difference}）。";
    CellMissingInSummary => "Not in the summary; recomputed {recomputed} from {points} points.",
        "summary 中没有；由 {points} 个数据点重新计算为 {recomputed}。";
    CellMissingInData => "In the summary, but no point of this resource falls on this day.",
        "summary 中有此值，但当天没有该资源的数据点。";
    Loading => "Loading…", "加载中…";
    LoadingChunks => "Loading part {done} of {total}…", "正在加载第 {done} 段，共 {total} 段…";
    LoadingPrevious => "Loading the previous period for comparison…", "正在加载上一周期用于对比…";
    Empty => "No usage in this range.", "此范围内没有用量数据。";
    EmptyHint => "Try another date range, or check that the account has BEC resources.",
        "请尝试其他日期范围，或确认该账号有 BEC 资源。";
    Retry => "Retry", "重试";
    ErrService => "The service refused the request", "服务拒绝了请求";
    ErrNetwork => "The proxy could not be reached", "无法连接代理";
    ErrHttp => "The proxy answered with an error", "代理返回了错误";
    ErrParse => "The answer could not be read", "无法读取响应";
    ErrLocal => "This page could not prepare the data", "本页面无法准备数据";
    FixRange => "Correct the date range above to load data.", "请更正上面的日期范围以加载数据。";
    Checking => "Looking for bec-usage-proxy…", "正在查找 bec-usage-proxy…";
    ErrCode => "Code", "错误码";
    ErrMessage => "Message", "信息";
    ErrRequestId => "Request id", "请求 ID";
    ErrStatus => "HTTP status", "HTTP 状态";
    ErrCanonical => "The canonical request this page signed", "本页面签名的规范请求 (canonical request)";
    ErrCanonicalHint => "Compare it with the one the service computed: any difference in path, query or headers breaks the signature. If they agree, the secret access key is wrong.",
        "请与服务端计算的规范请求对比：路径、查询参数或请求头的任何差异都会导致签名不符。若两者一致，则是 Secret Access Key 有误。";
    HintNetwork => "Is bec-usage-proxy running and serving this page? You can switch to Demo meanwhile.",
        "bec-usage-proxy 是否正在运行并提供本页面？也可以先切换到演示模式。";
    HintInvalidAccessKeyId => "The access key id is unknown to BCE: copy it again from the console (Security Authentication › Access Key).",
        "BCE 不认识此 Access Key ID：请从控制台（安全认证 › Access Key）重新复制。";
    HintSignature => "The signature does not match: the secret access key is probably wrong.",
        "签名不匹配：很可能是 Secret Access Key 有误。";
    HintSkewed => "This computer's clock is more than 30 minutes off, and signing again with the service's time did not help; set the clock right and retry.",
        "本机时钟偏差超过 30 分钟，按服务端时间重新签名也未成功；请校准时钟后重试。";
    HintAccessDenied => "The key is valid but may not read BEC usage: grant it access in the console.",
        "密钥有效，但没有读取 BEC 用量的权限：请在控制台授权。";
    HintAuthHeader => "The Authorization header was refused: something between this page and the service may have altered it.",
        "Authorization 请求头被拒绝：本页面与服务之间的某个环节可能修改了它。";
    HintInternal => "The service had a problem; retry in a moment.", "服务端出现问题；请稍后重试。";
    HintSlowDown => "Too many requests: wait a moment, then retry.", "请求过多：请稍候再重试。";
    HintGeneric => "Check the message above; retry when it is fixed.", "请查看上面的信息，修正后重试。";
    KeysTitle => "Your access key pair", "你的访问密钥";
    AccessKeyId => "Access key id", "Access Key ID";
    SecretAccessKey => "Secret access key", "Secret Access Key";
    RememberKeys => "Remember for this tab", "在此标签页中记住";
    UseKeys => "Use these keys", "使用此密钥";
    ForgetKeys => "Forget the keys", "清除密钥";
    KeysNote => "The keys stay in this page's memory and are never sent: only the signatures are. “Remember” keeps them in this tab's session storage until the tab closes.",
        "密钥只保存在本页面内存中，不会被发送，发送的只是签名。勾选“记住”会将其保存在本标签页的会话存储中，直到标签页关闭。";
    KeysNeeded => "Enter an access key pair to load your usage.", "请输入访问密钥以加载用量。";
    KeysInUse => "Signing with access key {id}.", "正在使用 Access Key {id} 签名。";
    SignInTitle => "Sign in", "登录";
    SignInNote => "This server shows usage to the people it knows: sign in with the name and password you were given.",
        "此服务器只向已知用户显示用量：请用分配给你的用户名和密码登录。";
    SignInExpired => "Your sign-in has ended; sign in again to see the usage.", "登录已失效，请重新登录以查看用量。";
    UserName => "User name", "用户名";
    Password => "Password", "密码";
    SignIn => "Sign in", "登录";
    SigningIn => "Signing in…", "正在登录…";
    SignInTooMany => "Too many failed sign-ins: try again in {seconds} s.", "登录失败次数过多：请在 {seconds} 秒后重试。";
    SignInNoSession => "The server accepted the password, but this browser did not keep the session: open the dashboard over HTTPS.",
        "服务器已接受密码，但浏览器没有保存会话：请通过 HTTPS 打开本页面。";
    SignedInAs => "Signed in as", "当前用户";
    SignOut => "Sign out", "退出登录";
    AccountUnknown => "The account “{account}” is not available to you; showing “{shown}”.",
        "你无法查看账号“{account}”；现显示“{shown}”。";
    AccountUnknownDefault => "The account “{account}” is not available here; showing the default account.",
        "此处没有账号“{account}”；现显示默认账号。";
    Notes => "Data notes ({count})", "数据说明（{count}）";
    TotalHours => "Total (unit-hours)", "合计（单位·小时）";
    TotalsTitle => "Usage in unit-hours", "用量（单位·小时）";
    TotalsNote => "Each point counts until the next one (a missing point or two is filled by the value before it); longer gaps are not filled and not counted.",
        "每个数据点计至下一个数据点（缺少一两个点时沿用前值）；更长的空缺不填补、不计入。";
    GapNote => "{duration} not covered (gaps)", "{duration} 未覆盖（空缺）";
    ForecastTotal => "Forecast for {month}: {expected} ({low}–{high})", "{month}预测：{expected}（{low}–{high}）";
    Forecast => "Forecast", "预测";
    ForecastLegend => "Forecast (dashed; band: likely range)", "预测（虚线；色带为可能范围）";
    CostTitle => "Cost estimate", "费用估算";
    CostIntro => "Prices per unit-hour from a price sheet you supply (JSON). It is kept in this browser.",
        "按你提供的价格表（JSON）中每单位·小时的价格估算，价格表保存在本浏览器中。";
    SheetFile => "Price sheet file (.json)", "价格表文件 (.json)";
    SheetText => "Or paste the price sheet", "或粘贴价格表";
    DownloadSheet => "Download sheet", "下载价格表";
    RemoveSheet => "Remove", "移除";
    CostRounded => "Rounded half-up to {unit} {currency} for display; exports keep every digit.",
        "显示时四舍五入到 {unit} {currency}；导出保留全部位数。";
    CostResource => "Resource", "资源";
    CostHours => "Unit-hours", "单位·小时";
    Cost => "Cost", "费用";
    CostTotal => "Total", "合计";
    CostPerDay => "Cost per day", "每日费用";
    Unpriced => "Not priced: {names}", "未定价：{names}";
    CostForecast => "Forecast for {month}: {expected} {currency} ({low}–{high})", "{month}预测：{expected} {currency}（{low}–{high}）";
    AnomaliesTitle => "Unusual stretches", "异常时段";
    Sensitivity => "Sensitivity", "灵敏度";
    SensitivityLow => "Low", "低";
    SensitivityMedium => "Medium", "中";
    SensitivityHigh => "High", "高";
    NoAnomalies => "No unusual stretches at this sensitivity.", "此灵敏度下没有异常时段。";
    AnomaliesPending => "Looking for unusual stretches…", "正在查找异常时段…";
    AnomalyItem => "{value} (usual {low}–{high}), {duration}, score {score}", "{value}（通常 {low}–{high}），持续 {duration}，评分 {score}";
    DurationHm => "{h} h {m} min", "{h} 小时 {m} 分钟";
    DurationM => "{m} min", "{m} 分钟";
    DurationH => "{h} h", "{h} 小时";
    Footer => "Amounts are exact as the service sent them; charts are downsampled to their width (LTTB). Times are Beijing time (UTC+08:00).",
        "用量数值与服务返回的完全一致；图表按宽度降采样 (LTTB)。时间为北京时间 (UTC+08:00)。";
}

/// Fills the `{name}` placeholders of `template` with `values`; placeholders without a
/// value stay as they are.
pub fn fill(template: &str, values: &[(&str, &str)]) -> String {
    let mut out = String::with_capacity(template.len() + 16);
    let mut rest = template;
    while let Some(open) = rest.find('{') {
        out.push_str(&rest[..open]);
        let after = &rest[open + 1..];
        let value = after.find('}').and_then(|close| {
            let name = &after[..close];
            values
                .iter()
                .find(|(key, _)| *key == name)
                .map(|(_, value)| (*value, close))
        });
        match value {
            Some((value, close)) => {
                out.push_str(value);
                rest = &after[close + 1..];
            }
            None => {
                out.push('{');
                rest = after;
            }
        }
    }
    out.push_str(rest);
    out
}

/// What a change is compared with: the previous `days` days ("the previous day" for one).
pub fn vs_previous(days: i64, lang: Lang) -> String {
    if days == 1 {
        T::VsPreviousDay.get(lang).to_owned()
    } else {
        fill(T::VsPrevious.get(lang), &[("days", &days.to_string())])
    }
}

/// The unit as people read it in `lang`: the service's Chinese unit names in English
/// (`核` → cores, `个` → items, `卡` → cards, `台` → machines); other units, and every unit
/// in Chinese, as the service wrote them.
pub fn unit_label(unit: &str, lang: Lang) -> &str {
    if lang == Lang::Zh {
        return unit;
    }
    match unit {
        "核" => "cores",
        "个" => "items",
        "卡" => "cards",
        "台" => "machines",
        "次" => "times",
        _ => unit,
    }
}

/// The unit of unit-hours in `lang`: `核` → core-hours (`核·小时`), `GB` → GB-hours
/// (`GB·小时`), `个` → item-hours; no unit → hours (`小时`).
pub fn unit_hours_label(unit: &str, lang: Lang) -> String {
    match (lang, unit) {
        (Lang::Zh, "") => "小时".to_owned(),
        (Lang::Zh, unit) => format!("{unit}·小时"),
        (Lang::En, "") => "hours".to_owned(),
        (Lang::En, unit) => {
            let label = unit_label(unit, lang);
            // cores → core-hours, items → item-hours; other units as written.
            let singular = match label {
                "cores" | "items" | "cards" | "machines" | "times" => &label[..label.len() - 1],
                other => other,
            };
            format!("{singular}-hours")
        }
    }
}

/// A length of time in hours and minutes (`2 h 15 min`, `2 小时 15 分钟`), rounded down to
/// the minute.
pub fn duration_text(ms: i64, lang: Lang) -> String {
    let minutes = (ms.max(0) / 60_000).to_string();
    let hours = ms.max(0) / 3_600_000;
    let rest = ((ms.max(0) / 60_000) % 60).to_string();
    if hours == 0 {
        fill(T::DurationM.get(lang), &[("m", &minutes)])
    } else if rest == "0" {
        fill(T::DurationH.get(lang), &[("h", &hours.to_string())])
    } else {
        fill(
            T::DurationHm.get(lang),
            &[("h", &hours.to_string()), ("m", &rest)],
        )
    }
}

/// The English name of a month (`February 2024`) or its Chinese form (`2024 年 2 月`).
pub fn month_name(year: i32, month: u32, lang: Lang) -> String {
    const MONTHS: [&str; 12] = [
        "January",
        "February",
        "March",
        "April",
        "May",
        "June",
        "July",
        "August",
        "September",
        "October",
        "November",
        "December",
    ];
    match lang {
        Lang::En => {
            let name = MONTHS
                .get(month.wrapping_sub(1) as usize)
                .copied()
                .unwrap_or("?");
            format!("{name} {year}")
        }
        Lang::Zh => format!("{year} 年 {month} 月"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_text_exists_in_both_languages() {
        for key in T::ALL {
            assert!(!key.get(Lang::En).is_empty(), "{key:?} in English");
            assert!(!key.get(Lang::Zh).is_empty(), "{key:?} in Chinese");
        }
    }

    #[test]
    fn unit_hours_are_named_from_the_unit() {
        assert_eq!(unit_hours_label("核", Lang::En), "core-hours");
        assert_eq!(unit_hours_label("GB", Lang::En), "GB-hours");
        assert_eq!(unit_hours_label("个", Lang::En), "item-hours");
        assert_eq!(unit_hours_label("", Lang::En), "hours");
        assert_eq!(unit_hours_label("核", Lang::Zh), "核·小时");
        assert_eq!(unit_hours_label("GB", Lang::Zh), "GB·小时");
    }

    #[test]
    fn durations_are_hours_and_minutes() {
        assert_eq!(duration_text(8_100_000, Lang::En), "2 h 15 min");
        assert_eq!(duration_text(7_200_000, Lang::En), "2 h");
        assert_eq!(duration_text(300_000, Lang::En), "5 min");
        assert_eq!(duration_text(8_100_000, Lang::Zh), "2 小时 15 分钟");
    }

    #[test]
    fn placeholders_are_the_same_in_both_languages() {
        fn names(text: &str) -> Vec<&str> {
            let mut names: Vec<&str> = text
                .split('{')
                .skip(1)
                .filter_map(|part| part.split_once('}').map(|(name, _)| name))
                .collect();
            names.sort_unstable();
            names
        }
        for key in T::ALL {
            assert_eq!(
                names(key.get(Lang::En)),
                names(key.get(Lang::Zh)),
                "{key:?}"
            );
        }
    }

    #[test]
    fn fill_replaces_known_placeholders_only() {
        assert_eq!(
            fill("{a} and {b}, {c}", &[("a", "1"), ("b", "2")]),
            "1 and 2, {c}"
        );
        assert_eq!(fill("no placeholder", &[("a", "1")]), "no placeholder");
        assert_eq!(fill("open { brace", &[]), "open { brace");
        assert_eq!(fill("{a}{a}", &[("a", "x")]), "xx");
        assert_eq!(
            fill(T::Points.get(Lang::Zh), &[("count", "3")]),
            "3 个数据点"
        );
    }

    #[test]
    fn browser_languages_choose_the_default() {
        assert_eq!(Lang::from_browser(["zh-CN", "en"]), Lang::Zh);
        assert_eq!(Lang::from_browser(["zh_TW"]), Lang::Zh);
        assert_eq!(Lang::from_browser(["de-DE", "en-US", "zh"]), Lang::En);
        assert_eq!(Lang::from_browser(["fr"]), Lang::En);
        assert_eq!(Lang::from_browser([]), Lang::En);
    }

    #[test]
    fn codes_round_trip() {
        for lang in [Lang::En, Lang::Zh] {
            assert_eq!(Lang::from_code(lang.code()), Some(lang));
            assert_eq!(lang.other().other(), lang);
        }
        assert_eq!(Lang::from_code("fr"), None);
    }

    #[test]
    fn chinese_units_are_translated_in_english_only() {
        assert_eq!(unit_label("核", Lang::En), "cores");
        assert_eq!(unit_label("个", Lang::En), "items");
        assert_eq!(unit_label("卡", Lang::En), "cards");
        assert_eq!(unit_label("GB", Lang::En), "GB");
        assert_eq!(unit_label("核", Lang::Zh), "核");
        assert_eq!(unit_label("未知", Lang::En), "未知");
    }

    #[test]
    fn one_previous_day_is_singular() {
        assert_eq!(vs_previous(1, Lang::En), "vs. the previous day");
        assert_eq!(vs_previous(2, Lang::En), "vs. the previous 2 days");
        assert_eq!(vs_previous(31, Lang::En), "vs. the previous 31 days");
        assert_eq!(vs_previous(1, Lang::Zh), "较前 1 天");
        assert_eq!(vs_previous(7, Lang::Zh), "较前 7 天");
    }

    #[test]
    fn month_names() {
        assert_eq!(month_name(2024, 2, Lang::En), "February 2024");
        assert_eq!(month_name(2024, 2, Lang::Zh), "2024 年 2 月");
        assert_eq!(month_name(2024, 13, Lang::En), "? 2024");
    }
}
