//! The standard `process_*` series, as Prometheus' own clients export them, read from
//! `/proc` on Linux at each scrape:
//!
//! | series | type | from |
//! |---|---|---|
//! | `process_cpu_seconds_total` | counter | user and system CPU time (`/proc/self/stat` fields 14 and 15) |
//! | `process_resident_memory_bytes` | gauge | `VmRSS` of `/proc/self/status` |
//! | `process_virtual_memory_bytes` | gauge | `/proc/self/stat` field 23 |
//! | `process_open_fds` | gauge | the entries of `/proc/self/fd` |
//! | `process_max_fds` | gauge | the soft `Max open files` of `/proc/self/limits` |
//! | `process_start_time_seconds` | gauge | boot time (`btime` of `/proc/stat`) plus the start tick of `/proc/self/stat` field 22 |
//!
//! Elsewhere there is no `/proc`, and none of these series is written: an absent series
//! says "unknown", where a 0 would be a false value. A file that cannot be read or parsed
//! leaves out its series only. The parsers are plain functions of the files' text.

use prometheus_client::collector::Collector;
use prometheus_client::encoding::{DescriptorEncoder, EncodeMetric};
use prometheus_client::metrics::counter::ConstCounter;
use prometheus_client::metrics::gauge::ConstGauge;

/// Clock ticks per second of the times in `/proc` (the kernel's `USER_HZ`). It is 100 on
/// every architecture Linux exports `/proc` times for; Prometheus' Go client assumes the
/// same rather than asking `sysconf(_SC_CLK_TCK)`.
pub const USER_HZ: f64 = 100.0;

/// What `/proc/self/stat` says, in the units of the series.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Stat {
    /// User and system CPU time, in seconds.
    pub cpu_seconds: f64,
    /// Seconds after boot at which the process started.
    pub start_after_boot_seconds: f64,
    /// Virtual memory size, in bytes.
    pub virtual_memory_bytes: u64,
}

/// Reads `/proc/self/stat`. The second field, the command name, is in parentheses and may
/// hold spaces and parentheses itself, so fields are counted after its last `)`.
pub fn parse_stat(text: &str) -> Option<Stat> {
    let (_, after_name) = text.rsplit_once(')')?;
    // Field 3 (the state) is the first after the name.
    let fields: Vec<&str> = after_name.split_whitespace().collect();
    let field = |number: usize| fields.get(number.checked_sub(3)?).copied();
    let ticks = |number: usize| field(number)?.parse::<u64>().ok();
    Some(Stat {
        cpu_seconds: (ticks(14)? + ticks(15)?) as f64 / USER_HZ,
        start_after_boot_seconds: ticks(22)? as f64 / USER_HZ,
        virtual_memory_bytes: ticks(23)?,
    })
}

/// `VmRSS` of `/proc/self/status` in bytes (the file gives kibibytes).
pub fn parse_resident_bytes(status: &str) -> Option<u64> {
    let line = status.lines().find(|line| line.starts_with("VmRSS:"))?;
    let mut words = line["VmRSS:".len()..].split_whitespace();
    let kib = words.next()?.parse::<u64>().ok()?;
    (words.next() == Some("kB")).then_some(kib * 1024)
}

/// The boot time (`btime`, seconds since the Unix epoch) of `/proc/stat`.
pub fn parse_boot_time(stat: &str) -> Option<u64> {
    stat.lines()
        .find_map(|line| line.strip_prefix("btime "))
        .and_then(|value| value.trim().parse().ok())
}

/// The soft limit of open files in `/proc/self/limits`; `None` when it is `unlimited`.
pub fn parse_max_fds(limits: &str) -> Option<u64> {
    let line = limits
        .lines()
        .find(|line| line.starts_with("Max open files"))?;
    line["Max open files".len()..]
        .split_whitespace()
        .next()?
        .parse()
        .ok()
}

/// The process collector: registered with a registry without a prefix, it writes the
/// `process_*` series at each scrape. On other systems than Linux it writes nothing.
#[derive(Debug, Default)]
pub struct ProcessCollector {
    _private: (),
}

impl ProcessCollector {
    /// A collector of this process.
    pub fn new() -> Self {
        ProcessCollector::default()
    }
}

fn gauge(
    encoder: &mut DescriptorEncoder,
    name: &str,
    help: &str,
    value: f64,
) -> Result<(), std::fmt::Error> {
    let gauge = ConstGauge::new(value);
    let metric = encoder.encode_descriptor(name, help, None, gauge.metric_type())?;
    gauge.encode(metric)
}

impl Collector for ProcessCollector {
    #[cfg(target_os = "linux")]
    fn encode(&self, mut encoder: DescriptorEncoder) -> Result<(), std::fmt::Error> {
        let read = |path: &str| std::fs::read_to_string(path).ok();
        let stat = read("/proc/self/stat").as_deref().and_then(parse_stat);
        if let Some(stat) = stat {
            let cpu = ConstCounter::new(stat.cpu_seconds);
            let metric = encoder.encode_descriptor(
                "process_cpu_seconds",
                "Total user and system CPU time spent in seconds.",
                None,
                cpu.metric_type(),
            )?;
            cpu.encode(metric)?;
        }
        if let Some(bytes) = read("/proc/self/status")
            .as_deref()
            .and_then(parse_resident_bytes)
        {
            gauge(
                &mut encoder,
                "process_resident_memory_bytes",
                "Resident memory size in bytes.",
                bytes as f64,
            )?;
        }
        if let Some(stat) = stat {
            gauge(
                &mut encoder,
                "process_virtual_memory_bytes",
                "Virtual memory size in bytes.",
                stat.virtual_memory_bytes as f64,
            )?;
        }
        if let Ok(entries) = std::fs::read_dir("/proc/self/fd") {
            // As Prometheus' Go client counts: the directory's own descriptor included.
            gauge(
                &mut encoder,
                "process_open_fds",
                "Number of open file descriptors.",
                entries.count() as f64,
            )?;
        }
        if let Some(max) = read("/proc/self/limits").as_deref().and_then(parse_max_fds) {
            gauge(
                &mut encoder,
                "process_max_fds",
                "Maximum number of open file descriptors.",
                max as f64,
            )?;
        }
        let boot = read("/proc/stat").as_deref().and_then(parse_boot_time);
        if let (Some(stat), Some(boot)) = (stat, boot) {
            gauge(
                &mut encoder,
                "process_start_time_seconds",
                "Start time of the process since unix epoch in seconds.",
                boot as f64 + stat.start_after_boot_seconds,
            )?;
        }
        Ok(())
    }

    #[cfg(not(target_os = "linux"))]
    fn encode(&self, _encoder: DescriptorEncoder) -> Result<(), std::fmt::Error> {
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stat_fields_are_counted_after_the_command_name() {
        // A command name with a space and a parenthesis, as a process may name itself.
        let text = "4242 (bec (proxy) x) S 1 4242 4242 0 -1 4194560 2000 0 0 0 \
                    250 75 0 0 20 0 9 0 123456 987654321 3000 18446744073709551615 \
                    1 1 0 0 0 0 0 4096 17663 0 0 0 17 1 0 0 0 0 0\n";
        let stat = parse_stat(text).expect("parsed");
        assert_eq!(stat.cpu_seconds, 3.25, "(250 + 75) ticks at 100 Hz");
        assert_eq!(stat.start_after_boot_seconds, 1234.56);
        assert_eq!(stat.virtual_memory_bytes, 987_654_321);
        assert_eq!(parse_stat("4242 (short) S 1 2"), None);
        assert_eq!(parse_stat("no name at all"), None);
    }

    #[test]
    fn status_limits_and_boot_time() {
        let status = "Name:\tbec-usage-proxy\nVmPeak:\t  20000 kB\nVmRSS:\t   12288 kB\n";
        assert_eq!(parse_resident_bytes(status), Some(12_288 * 1024));
        assert_eq!(parse_resident_bytes("Name:\tx\n"), None);
        let limits = "Limit                     Soft Limit           Hard Limit           Units     \n\
                      Max cpu time              unlimited            unlimited            seconds   \n\
                      Max open files            1024                 524288               files     \n";
        assert_eq!(parse_max_fds(limits), Some(1024));
        assert_eq!(
            parse_max_fds(
                "Max open files            unlimited            unlimited            files\n"
            ),
            None
        );
        assert_eq!(
            parse_boot_time("cpu  1 2 3\nintr 5\nbtime 1767225600\nprocesses 9\n"),
            Some(1_767_225_600)
        );
        assert_eq!(parse_boot_time("cpu 1\n"), None);
    }

    #[cfg(target_os = "linux")]
    #[test]
    fn this_process_is_described() {
        let mut registry = prometheus_client::registry::Registry::default();
        registry.register_collector(Box::new(ProcessCollector::new()));
        let mut text = String::new();
        prometheus_client::encoding::prometheus_text::encode(&mut text, &registry).expect("text");
        let value = |name: &str| -> f64 {
            text.lines()
                .find_map(|line| line.strip_prefix(name)?.strip_prefix(' ')?.parse().ok())
                .unwrap_or_else(|| panic!("{name} missing:\n{text}"))
        };
        assert!(value("process_resident_memory_bytes") > 1e6, "{text}");
        assert!(value("process_open_fds") >= 3.0, "{text}");
        // A young test process may not have used a whole 10 ms tick yet.
        assert!(value("process_cpu_seconds_total") >= 0.0, "{text}");
        assert!(
            value("process_max_fds") >= value("process_open_fds"),
            "{text}"
        );
        let now = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .expect("after 1970")
            .as_secs_f64();
        let start = value("process_start_time_seconds");
        // Started before now, and within the last day: a test process is young.
        assert!(
            start <= now + 1.0 && start > now - 86_400.0,
            "{start} vs {now}"
        );
        assert!(
            text.contains("# TYPE process_cpu_seconds_total counter"),
            "{text}"
        );
    }
}
