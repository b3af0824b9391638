package gtvision.deploy;

import java.util.Set;

/**
 * Prometheus names of the metrics the application exports (Micrometer's Prometheus naming: a
 * histogram {@code x_seconds} appears as {@code x_seconds_bucket}, {@code _sum} and {@code _count}).
 * Dashboards and alert rules may only query these; a live scrape of {@code /metrics} is the final
 * word (see {@link GrafanaDashboard#metricNames}).
 */
public final class ExportedMetrics {

    public static final Set<String> NAMES = Set.of(
            "gtv_cameras",
            "gtv_camera_streams",
            "gtv_camera_commands_total",
            "gtv_camera_persist_seconds_bucket", "gtv_camera_persist_seconds_sum", "gtv_camera_persist_seconds_count",
            "gtv_http_server_requests_seconds_bucket", "gtv_http_server_requests_seconds_sum",
            "gtv_http_server_requests_seconds_count",
            "gtv_frames_received_total",
            "gtv_frames_dropped_total",
            "gtv_frames_skipped_motion_total",
            "gtv_frames_analysed_total",
            "gtv_inference_seconds_bucket", "gtv_inference_seconds_sum", "gtv_inference_seconds_count",
            "gtv_inference_breaker_state",
            "gtv_inference_fallbacks_total",
            "gtv_aws_calls_total",
            "gtv_aws_budget_remaining",
            "gtv_aws_budget_per_minute",
            "gtv_projection_lag_seconds",
            "gtv_cluster_members",
            "jvm_memory_used_bytes",
            "jvm_threads_live_threads",
            "process_cpu_usage");

    /** Series Prometheus itself adds to every scraped target. */
    static final Set<String> SCRAPE_SERIES = Set.of("up", "scrape_duration_seconds", "scrape_samples_scraped");

    private ExportedMetrics() {
    }
}
