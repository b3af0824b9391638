package gtvision.deploy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import java.io.IOException;
import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;

/**
 * ops/prometheus: what is scraped and what is alerted on. promtool (.ci/ops-checks.sh) checks the
 * syntax and, with alerts.test.yml, when each alert fires.
 */
class PrometheusConfigTest {

    private static final Path DIR = DeploySettings.repo().resolve("ops/prometheus");

    @SuppressWarnings("unchecked")
    private static Map<String, Object> yaml(String file) throws IOException {
        try (Reader reader = Files.newBufferedReader(DIR.resolve(file))) {
            return new Yaml(new SafeConstructor(new LoaderOptions())).load(reader);
        }
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Map<String, Object>> alerts() throws IOException {
        Map<String, Map<String, Object>> alerts = new HashMap<>();
        for (Map<String, Object> group : (List<Map<String, Object>>) yaml("alerts.yml").get("groups")) {
            for (Map<String, Object> rule : (List<Map<String, Object>>) group.get("rules")) {
                alerts.put((String) rule.get("alert"), rule);
            }
        }
        return alerts;
    }

    @Test
    void alertRulesOnlyUseMetricsTheApplicationExports() throws IOException {
        Set<String> unknown = new TreeSet<>();
        for (Map<String, Object> rule : alerts().values()) {
            unknown.addAll(PromQl.metricNames(String.valueOf(rule.get("expr"))));
        }
        unknown.removeAll(ExportedMetrics.NAMES);
        unknown.removeAll(ExportedMetrics.SCRAPE_SERIES);
        assertEquals(Set.of(), unknown);
    }

    @Test
    @SuppressWarnings("unchecked")
    void everyPlannedAlertExistsWithSeverityAndSummary() throws IOException {
        Map<String, Map<String, Object>> alerts = alerts();
        Map<String, String> planned = Map.of(
                "CameraStreamLost", "gtv_camera_streams",
                "InferenceCircuitBreakerOpen", "gtv_inference_breaker_state",
                "AwsBudgetAbove80Percent", "gtv_aws_budget_remaining",
                "PersistLatencyP99High", "gtv_camera_persist_seconds_bucket",
                "ClusterMemberUnreachable", "gtv_cluster_members",
                "ProjectionLagging", "gtv_projection_lag_seconds");
        planned.forEach((alert, metric) -> {
            Map<String, Object> rule = alerts.get(alert);
            assertNotNull(rule, "missing alert " + alert);
            assertTrue(PromQl.metricNames(String.valueOf(rule.get("expr"))).contains(metric), alert + " reads " + metric);
        });
        assertEquals("2m", alerts.get("CameraStreamLost").get("for"), "plan: camera down for more than 2 minutes");
        for (Map.Entry<String, Map<String, Object>> e : alerts.entrySet()) {
            Map<String, Object> labels = (Map<String, Object>) e.getValue().get("labels");
            assertTrue(Set.of("warning", "critical").contains(labels.get("severity")), e.getKey() + " severity");
            Map<String, Object> annotations = (Map<String, Object>) e.getValue().get("annotations");
            assertFalse(String.valueOf(annotations.get("summary")).isBlank(), e.getKey() + " summary");
        }
    }

    @Test
    @SuppressWarnings("unchecked")
    void applicationIsScrapedOnItsHttpPortThroughTheHeadlessMetricsService() throws IOException {
        Map<String, Object> config = yaml("prometheus.yml");
        assertTrue(((List<String>) config.get("rule_files")).contains("alerts.yml"));
        Map<String, Map<String, Object>> jobs = new HashMap<>();
        for (Map<String, Object> job : (List<Map<String, Object>>) config.get("scrape_configs")) {
            jobs.put((String) job.get("job_name"), job);
        }
        Map<String, Object> app = jobs.get("gtvision");
        assertNotNull(app, "job gtvision");
        assertEquals("/metrics", app.get("metrics_path"));
        Map<String, Object> dns = ((List<Map<String, Object>>) app.get("dns_sd_configs")).get(0);
        assertEquals("A", dns.get("type"));
        assertEquals(DeploySettings.HTTP_PORT, dns.get("port"));
        String name = ((List<String>) dns.get("names")).get(0);
        String[] parts = name.split("\\.");
        var base = KubernetesManifests.base();
        Service service = KubernetesManifests.named(base, Service.class, parts[0]);
        assertEquals(Kustomization.in(KubernetesManifests.baseDir()).namespace(), parts[1]);
        assertEquals("None", service.getSpec().getClusterIP(), parts[0] + " is headless: one DNS record per pod");
        for (Deployment d : KubernetesManifests.members(base)) {
            assertTrue(KubernetesManifests.selects(service.getSpec().getSelector(), d.getSpec().getTemplate().getMetadata().getLabels()),
                    parts[0] + " covers " + d.getMetadata().getName());
        }

        Map<String, Object> mediamtxJob = jobs.get("mediamtx");
        assertNotNull(mediamtxJob, "job mediamtx");
        Map<String, Object> mediamtx = MediaMtxConfigTest.load(DeploySettings.repo().resolve("mediamtx.yml"));
        Map<String, Object> mediamtxDns = ((List<Map<String, Object>>) mediamtxJob.get("dns_sd_configs")).get(0);
        assertEquals(MediaMtxConfigTest.port(mediamtx.get("metricsAddress")), mediamtxDns.get("port"));
    }
}
