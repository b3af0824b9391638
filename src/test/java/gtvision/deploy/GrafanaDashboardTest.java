package gtvision.deploy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** ops/grafana/gtvision-dashboard.json. */
class GrafanaDashboardTest {

    private static final Path DASHBOARD = DeploySettings.repo().resolve("ops/grafana/gtvision-dashboard.json");

    @Test
    void dashboardParsesAndEveryPanelQueriesPrometheus() {
        JsonNode dashboard = GrafanaDashboard.read(DASHBOARD);
        assertFalse(dashboard.path("uid").asText().isBlank(), "uid, so provisioning updates instead of duplicating");
        assertFalse(dashboard.path("title").asText().isBlank());
        Set<Integer> ids = new HashSet<>();
        for (JsonNode panel : GrafanaDashboard.panels(dashboard)) {
            assertTrue(ids.add(panel.path("id").asInt()), "duplicate panel id " + panel.path("id"));
            if (panel.path("type").asText().equals("row")) {
                continue;
            }
            String title = panel.path("title").asText();
            assertFalse(title.isBlank(), "panel without title");
            assertEquals("prometheus", panel.path("datasource").path("type").asText(), title);
            assertTrue(panel.path("targets").size() > 0, title + " has no query");
            for (JsonNode target : panel.path("targets")) {
                assertFalse(target.path("expr").asText().isBlank(), title + " has an empty query");
            }
        }
    }

    @Test
    void panelsDoNotOverlap() {
        List<int[]> boxes = new ArrayList<>();
        for (JsonNode panel : GrafanaDashboard.panels(GrafanaDashboard.read(DASHBOARD))) {
            JsonNode g = panel.path("gridPos");
            int[] box = {g.path("x").asInt(), g.path("y").asInt(), g.path("w").asInt(), g.path("h").asInt()};
            assertTrue(box[2] > 0 && box[3] > 0 && box[0] + box[2] <= 24, panel.path("title").asText() + " fits the 24-column grid");
            for (int[] other : boxes) {
                boolean apart = box[0] + box[2] <= other[0] || other[0] + other[2] <= box[0]
                        || box[1] + box[3] <= other[1] || other[1] + other[3] <= box[1];
                assertTrue(apart, panel.path("title").asText() + " overlaps another panel");
            }
            boxes.add(box);
        }
    }

    @Test
    void dashboardQueriesOnlyMetricsTheApplicationExports() {
        List<String> names = GrafanaDashboard.metricNames(DASHBOARD);
        Set<String> unknown = new TreeSet<>(names);
        unknown.removeAll(ExportedMetrics.NAMES);
        assertEquals(Set.of(), unknown, "dashboard queries metrics the application does not export");
    }

    @Test
    void dashboardShowsEveryPlannedView() {
        List<String> names = GrafanaDashboard.metricNames(DASHBOARD);
        for (String expected : List.of("gtv_cameras", "gtv_camera_streams", "gtv_frames_received_total",
                "gtv_frames_dropped_total", "gtv_frames_skipped_motion_total", "gtv_inference_seconds_bucket",
                "gtv_inference_breaker_state", "gtv_camera_persist_seconds_bucket", "gtv_http_server_requests_seconds_bucket",
                "gtv_aws_budget_remaining", "gtv_aws_budget_per_minute")) {
            assertTrue(names.contains(expected), "no panel shows " + expected);
        }
    }

    /** promtool parses every query, where promtool is installed (.ci/ops-checks.sh installs it). */
    @Test
    void everyQueryIsValidPromQl(@TempDir Path tmp) throws Exception {
        Optional<Path> promtool = ExternalTool.find("promtool");
        Assumptions.assumeTrue(promtool.isPresent(), "promtool not installed");
        StringBuilder rules = new StringBuilder("groups:\n  - name: grafana-queries\n    rules:\n");
        List<String> exprs = GrafanaDashboard.expressions(DASHBOARD);
        for (int i = 0; i < exprs.size(); i++) {
            // Grafana substitutes $__rate_interval before sending the query.
            String expr = exprs.get(i).replace("$__rate_interval", "5m");
            rules.append("      - record: grafana:query_").append(i).append('\n')
                    .append("        expr: '").append(expr.replace("'", "''")).append("'\n");
        }
        Path file = tmp.resolve("grafana-queries.yml");
        Files.writeString(file, rules);
        ExternalTool.Result check = ExternalTool.run(promtool.get(), "check", "rules", file.toString());
        assertEquals(0, check.exitCode(), check.stdout() + check.stderr());
        assertTrue(check.stdout().contains("SUCCESS: " + exprs.size() + " rules found"), check.stdout());
    }

    @Test
    void metricNamesSkipFunctionsLabelsDurationsAndKeywords() {
        assertEquals(Set.of("gtv_http_server_requests_seconds_bucket"), PromQl.metricNames(
                "histogram_quantile(0.99, sum by (le, route) (rate(gtv_http_server_requests_seconds_bucket"
                        + "{route=~\"/api.*\", status!=\"500\"}[$__rate_interval] offset 5m))) > bool 0.2"));
        assertEquals(Set.of("gtv_aws_budget_remaining", "gtv_aws_budget_per_minute"), PromQl.metricNames(
                "1 - gtv_aws_budget_remaining / on(instance) group_left(pod) gtv_aws_budget_per_minute"));
        assertEquals(Set.of("up"), PromQl.metricNames("sum without (instance) (up{job='gtvision'}) and on() vector(1)"));
        assertEquals(Set.of("a_total", "b:rate5m"), PromQl.metricNames("topk(10, rate(a_total[1h:5m])) unless b:rate5m * 1e3"));
        assertEquals(List.of("gtv_cameras"), List.copyOf(PromQl.metricNames("sum by (status) (gtv_cameras)")));
    }
}
