//! Prometheus metrics, kept in atomics and rendered as text on `/metrics`.
//! A handful of fixed series do not justify a metrics framework.

use std::fmt::Write;
use std::sync::atomic::{AtomicU64, Ordering};

/// Where a request went, for labelling.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RouteGroup {
    Page,
    ServerFn,
    Api,
    Static,
    Ops,
}

impl RouteGroup {
    const ALL: [RouteGroup; 5] = [
        RouteGroup::Page,
        RouteGroup::ServerFn,
        RouteGroup::Api,
        RouteGroup::Static,
        RouteGroup::Ops,
    ];

    pub fn of_path(path: &str) -> Self {
        if path.starts_with("/_fn/") {
            RouteGroup::ServerFn
        } else if path.starts_with("/api/") {
            RouteGroup::Api
        } else if path.starts_with("/pkg/")
            || path == "/favicon.ico"
            || path.starts_with("/assets/")
        {
            RouteGroup::Static
        } else if matches!(path, "/healthz" | "/readyz" | "/metrics") {
            RouteGroup::Ops
        } else {
            RouteGroup::Page
        }
    }

    fn label(self) -> &'static str {
        match self {
            RouteGroup::Page => "page",
            RouteGroup::ServerFn => "server_fn",
            RouteGroup::Api => "api",
            RouteGroup::Static => "static",
            RouteGroup::Ops => "ops",
        }
    }
}

const STATUS_CLASSES: [&str; 5] = ["1xx", "2xx", "3xx", "4xx", "5xx"];
/// Upper bounds of the latency histogram, in seconds.
const BUCKETS: [f64; 12] = [
    0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 10.0,
];

#[derive(Default)]
struct Histogram {
    buckets: [AtomicU64; BUCKETS.len()],
    count: AtomicU64,
    sum_micros: AtomicU64,
}

#[derive(Default)]
pub struct Metrics {
    requests: [[AtomicU64; 5]; 5],
    latency: [Histogram; 5],
    sign_ins: [AtomicU64; 3],
    /// Webhook attempts: succeeded, failed.
    webhook_attempts: [AtomicU64; 2],
    /// Mail: sent, given up.
    mail: [AtomicU64; 2],
}

#[derive(Debug, Clone, Copy)]
pub enum SignInOutcome {
    Success = 0,
    Failure = 1,
    Throttled = 2,
}

impl Metrics {
    pub fn observe_request(&self, group: RouteGroup, status: u16, micros: u64) {
        let g = group as usize;
        let class = usize::from(status / 100).clamp(1, 5) - 1;
        self.requests[g][class].fetch_add(1, Ordering::Relaxed);
        let h = &self.latency[g];
        let secs = micros as f64 / 1e6;
        if let Some(i) = BUCKETS.iter().position(|b| secs <= *b) {
            h.buckets[i].fetch_add(1, Ordering::Relaxed);
        }
        h.count.fetch_add(1, Ordering::Relaxed);
        h.sum_micros.fetch_add(micros, Ordering::Relaxed);
    }

    pub fn sign_in(&self, outcome: SignInOutcome) {
        self.sign_ins[outcome as usize].fetch_add(1, Ordering::Relaxed);
    }

    /// One message sent (`true`) or given up (`false`).
    pub fn record_mail(&self, sent: bool) {
        self.mail[usize::from(!sent)].fetch_add(1, Ordering::Relaxed);
    }

    pub fn record_webhooks(&self, succeeded: u64, attempts: u64) {
        self.webhook_attempts[0].fetch_add(succeeded, Ordering::Relaxed);
        self.webhook_attempts[1].fetch_add(attempts - succeeded.min(attempts), Ordering::Relaxed);
    }

    /// The Prometheus text exposition format (version 0.0.4). `commits`:
    /// SQLite's group COMMITs so far and the transactions they held.
    pub fn render(
        &self,
        db_backend: &str,
        pool: (u32, u32),
        commits: Option<(u64, u64)>,
        uptime_secs: u64,
    ) -> String {
        let mut out = String::with_capacity(4096);
        let _ = writeln!(
            out,
            "# HELP livreur_build_info Build and runtime information."
        );
        let _ = writeln!(out, "# TYPE livreur_build_info gauge");
        let _ = writeln!(
            out,
            "livreur_build_info{{version=\"{}\",database=\"{db_backend}\"}} 1",
            env!("CARGO_PKG_VERSION")
        );
        let _ = writeln!(
            out,
            "# HELP livreur_uptime_seconds Seconds since the process started."
        );
        let _ = writeln!(out, "# TYPE livreur_uptime_seconds gauge");
        let _ = writeln!(out, "livreur_uptime_seconds {uptime_secs}");

        let _ = writeln!(
            out,
            "# HELP livreur_http_requests_total HTTP requests answered."
        );
        let _ = writeln!(out, "# TYPE livreur_http_requests_total counter");
        for group in RouteGroup::ALL {
            for (c, class) in STATUS_CLASSES.iter().enumerate() {
                let n = self.requests[group as usize][c].load(Ordering::Relaxed);
                let _ = writeln!(
                    out,
                    "livreur_http_requests_total{{route=\"{}\",status=\"{class}\"}} {n}",
                    group.label()
                );
            }
        }

        let _ = writeln!(
            out,
            "# HELP livreur_http_request_duration_seconds Time to answer a request."
        );
        let _ = writeln!(
            out,
            "# TYPE livreur_http_request_duration_seconds histogram"
        );
        for group in RouteGroup::ALL {
            let h = &self.latency[group as usize];
            let mut cumulative = 0;
            for (i, bound) in BUCKETS.iter().enumerate() {
                cumulative += h.buckets[i].load(Ordering::Relaxed);
                let _ = writeln!(
                    out,
                    "livreur_http_request_duration_seconds_bucket{{route=\"{}\",le=\"{bound}\"}} {cumulative}",
                    group.label()
                );
            }
            let count = h.count.load(Ordering::Relaxed);
            let _ = writeln!(
                out,
                "livreur_http_request_duration_seconds_bucket{{route=\"{}\",le=\"+Inf\"}} {count}",
                group.label()
            );
            let _ = writeln!(
                out,
                "livreur_http_request_duration_seconds_sum{{route=\"{}\"}} {}",
                group.label(),
                h.sum_micros.load(Ordering::Relaxed) as f64 / 1e6
            );
            let _ = writeln!(
                out,
                "livreur_http_request_duration_seconds_count{{route=\"{}\"}} {count}",
                group.label()
            );
        }

        let _ = writeln!(
            out,
            "# HELP livreur_sign_ins_total Browser sign-in attempts by outcome."
        );
        let _ = writeln!(out, "# TYPE livreur_sign_ins_total counter");
        for (i, outcome) in ["success", "failure", "throttled"].iter().enumerate() {
            let n = self.sign_ins[i].load(Ordering::Relaxed);
            let _ = writeln!(out, "livreur_sign_ins_total{{outcome=\"{outcome}\"}} {n}");
        }

        let _ = writeln!(
            out,
            "# HELP livreur_webhook_attempts_total Webhook delivery attempts by result."
        );
        let _ = writeln!(out, "# TYPE livreur_webhook_attempts_total counter");
        for (i, result) in ["success", "failure"].iter().enumerate() {
            let n = self.webhook_attempts[i].load(Ordering::Relaxed);
            let _ = writeln!(
                out,
                "livreur_webhook_attempts_total{{result=\"{result}\"}} {n}"
            );
        }

        let _ = writeln!(
            out,
            "# HELP livreur_mail_total Mail sent, and mail given up."
        );
        let _ = writeln!(out, "# TYPE livreur_mail_total counter");
        for (i, result) in ["sent", "failed"].iter().enumerate() {
            let n = self.mail[i].load(Ordering::Relaxed);
            let _ = writeln!(out, "livreur_mail_total{{result=\"{result}\"}} {n}");
        }

        let _ = writeln!(
            out,
            "# HELP livreur_db_connections Database connections open and idle."
        );
        let _ = writeln!(out, "# TYPE livreur_db_connections gauge");
        let _ = writeln!(out, "livreur_db_connections{{state=\"open\"}} {}", pool.0);
        let _ = writeln!(out, "livreur_db_connections{{state=\"idle\"}} {}", pool.1);

        if let Some((groups, transactions)) = commits {
            // Their ratio is how many transactions share each fsync.
            let _ = writeln!(
                out,
                "# HELP livreur_sqlite_commits_total Group COMMITs of SQLite's writer."
            );
            let _ = writeln!(out, "# TYPE livreur_sqlite_commits_total counter");
            let _ = writeln!(out, "livreur_sqlite_commits_total {groups}");
            let _ = writeln!(
                out,
                "# HELP livreur_sqlite_committed_transactions_total Write transactions those COMMITs made durable."
            );
            let _ = writeln!(
                out,
                "# TYPE livreur_sqlite_committed_transactions_total counter"
            );
            let _ = writeln!(
                out,
                "livreur_sqlite_committed_transactions_total {transactions}"
            );
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_fall_in_their_groups() {
        assert_eq!(RouteGroup::of_path("/_fn/sign_in"), RouteGroup::ServerFn);
        assert_eq!(RouteGroup::of_path("/api/v1/ping"), RouteGroup::Api);
        assert_eq!(RouteGroup::of_path("/pkg/livreur.wasm"), RouteGroup::Static);
        assert_eq!(RouteGroup::of_path("/healthz"), RouteGroup::Ops);
        assert_eq!(
            RouteGroup::of_path("/organization/merchants"),
            RouteGroup::Page
        );
    }

    #[test]
    fn counts_and_histogram_render() {
        let m = Metrics::default();
        m.observe_request(RouteGroup::Page, 200, 3_000);
        m.observe_request(RouteGroup::Page, 404, 20_000_000);
        m.sign_in(SignInOutcome::Failure);
        let text = m.render("sqlite", (3, 2), Some((4, 9)), 7);
        assert!(text.contains("livreur_http_requests_total{route=\"page\",status=\"2xx\"} 1"));
        assert!(text.contains("livreur_http_requests_total{route=\"page\",status=\"4xx\"} 1"));
        assert!(text.contains(
            "livreur_http_request_duration_seconds_bucket{route=\"page\",le=\"0.005\"} 1"
        ));
        // 20 s is beyond the last bucket: only +Inf counts it.
        assert!(
            text.contains(
                "livreur_http_request_duration_seconds_bucket{route=\"page\",le=\"10\"} 1"
            )
        );
        assert!(text.contains(
            "livreur_http_request_duration_seconds_bucket{route=\"page\",le=\"+Inf\"} 2"
        ));
        assert!(text.contains("livreur_sign_ins_total{outcome=\"failure\"} 1"));
        assert!(text.contains("livreur_db_connections{state=\"open\"} 3"));
        assert!(text.contains("livreur_uptime_seconds 7"));
        assert!(text.contains("livreur_sqlite_commits_total 4\n"));
        assert!(text.contains("livreur_sqlite_committed_transactions_total 9\n"));
        let pg = m.render("postgres", (3, 2), None, 7);
        assert!(!pg.contains("livreur_sqlite_"), "{pg}");
    }
}
