package gtvision.deploy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import gtvision.testsupport.CameraApi;
import gtvision.testsupport.IngestTestConfig;
import gtvision.testsupport.TestCameraServer;
import gtvision.testsupport.TestDatabases;
import gtvision.testsupport.TestImages;
import gtvision.testsupport.TestNodes;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * ops/prometheus/alerts.yml, unchanged, evaluated by Debian's real prometheus against a running node
 * with a snapshot camera: before the fault every rule evaluates without error on the node's real series
 * and no alert fires (only ApiLatencyP99High may be pending at start, see {@link #assertOnly}); after the
 * camera's source dies, CameraStreamLost goes pending and fires once its shipped {@code for: 2m} has
 * passed. Scrapes and evaluations run every second, so the test takes about two and a half minutes.
 * With CI=true a missing prometheus fails the test instead of skipping it.
 */
class PrometheusAlertsTest {

    private static final Duration INTERVAL = Duration.ofSeconds(1);
    private static final Duration FOR = Duration.ofMinutes(2);
    private static final String ALERT = "CameraStreamLost";

    @TempDir
    Path work;

    @Test
    void aCameraWhoseSourceDiesFiresCameraStreamLostAfterItsTwoMinutes() throws Exception {
        if (PrometheusProcess.binary().isEmpty()) {
            if ("true".equalsIgnoreCase(System.getenv("CI"))) {
                throw new AssertionError("CI=true but prometheus is not installed (Debian package prometheus)");
            }
            Assumptions.abort("prometheus not installed");
        }
        Path rules = DeploySettings.repo().resolve("ops/prometheus/alerts.yml");
        TestCameraServer camera = new TestCameraServer(TestImages.panning("kite.jpg", 640, 360, 6), 10,
                Files.createDirectories(work.resolve("camera-files")));
        TestNodes.Node node = null;
        PrometheusProcess prometheus = null;
        boolean cameraUp = true;
        try {
            node = TestNodes.start(TestDatabases.preferPostgres("prometheus", work.resolve("node")), IngestTestConfig.fast());
            CameraApi api = new CameraApi(node);
            api.register("prom-cam", "snapshot", camera.url("/snapshot.jpg"), 2.0);
            api.awaitState("prom-cam", "connected", Duration.ofSeconds(30));

            prometheus = PrometheusProcess.start(work.resolve("prometheus"), "127.0.0.1:" + node.httpPort(), rules, INTERVAL);
            PrometheusProcess p = prometheus;
            await(Duration.ofSeconds(60), "the node's target up", () -> {
                for (JsonNode target : p.api("/api/v1/targets").path("activeTargets")) {
                    if ("gtvision".equals(target.path("labels").path("job").asText()) && "up".equals(target.path("health").asText())) {
                        return Optional.of(target);
                    }
                }
                return Optional.empty();
            });
            await(Duration.ofSeconds(30), "Prometheus sees the camera's stream connected", () ->
                    Optional.of(p.query("gtv_camera_streams{job=\"gtvision\",state=\"connected\"} == 1")).filter(r -> r.size() == 1));
            Instant healthySeen = Instant.now();
            // A few evaluations of every group on the node's real series, not just the first.
            JsonNode groups = await(Duration.ofSeconds(30), "every rule group evaluated after the camera was seen connected", () -> {
                JsonNode all = p.api("/api/v1/rules").path("groups");
                for (JsonNode group : all) {
                    if (instant(group.path("lastEvaluation")).isBefore(healthySeen.plus(INTERVAL.multipliedBy(3)))) {
                        return Optional.empty();
                    }
                }
                return Optional.of(all);
            });
            List<String> unhealthy = new ArrayList<>();
            int evaluated = 0;
            for (JsonNode group : groups) {
                for (JsonNode rule : group.path("rules")) {
                    evaluated++;
                    if (!"ok".equals(rule.path("health").asText())) {
                        unhealthy.add(rule.path("name").asText() + ": " + rule.path("health").asText() + " " + rule.path("lastError").asText());
                    }
                }
            }
            assertEquals(List.of(), unhealthy, "every shipped rule evaluates on the node's series");
            assertEquals(8, evaluated, "all rules of alerts.yml loaded");
            assertOnly(p, Set.of());

            // The camera's source dies: its port refuses connections from now on.
            camera.close();
            cameraUp = false;
            Instant killed = Instant.now();
            api.awaitState("prom-cam", "lost", Duration.ofSeconds(30));
            JsonNode pending = await(Duration.ofSeconds(30), ALERT + " pending", () -> alert(p, ALERT));
            assertEquals("pending", pending.path("state").asText(), "not firing before its " + FOR + ": " + pending);
            Instant activeAt = instant(pending.path("activeAt"));
            assertTrue(!activeAt.isBefore(killed.minusSeconds(1)), "pending since the fault, not before: " + pending);

            JsonNode firing = await(FOR.plusSeconds(45), ALERT + " firing", () ->
                    alert(p, ALERT).filter(a -> "firing".equals(a.path("state").asText())));
            Instant firedSeen = Instant.now();
            assertEquals(activeAt, instant(firing.path("activeAt")), "one uninterrupted pending period: " + firing);
            assertTrue(!firedSeen.isBefore(activeAt.plus(FOR)), "fired only after " + FOR + ": " + firing);
            assertEquals("critical", firing.path("labels").path("severity").asText());
            // The shipped rule is cluster-wide (a sum over members), so the alert carries the count of lost
            // streams, not a camera id: exactly this one camera.
            assertEquals(1.0, firing.path("value").asDouble(), firing.toString());
            assertEquals("1 camera stream(s) down for more than 2 minutes", firing.path("annotations").path("summary").asText());
            assertOnly(p, Set.of(ALERT));
            assertEquals(1, p.query("gtv_camera_streams{job=\"gtvision\",state=\"lost\"} == 1").size());
        } catch (AssertionError | RuntimeException e) {
            if (prometheus != null) {
                e.addSuppressed(new AssertionError("prometheus log:\n" + tail(prometheus.log(), 4000)));
            }
            throw e;
        } finally {
            if (prometheus != null) {
                prometheus.close();
            }
            if (node != null) {
                node.stop();
            }
            if (cameraUp) {
                camera.close();
            }
        }
    }

    /**
     * Only the alerts {@code firing} fire, and nothing else is active except what a node just started
     * is expected to show: ApiLatencyP99High may be pending, because the node's first requests (the
     * first camera registration creates its shard, entity and journal rows, on a cold JVM) take more
     * than 200 ms and, with the few requests of a test, are the p99 of its 5-minute window. Its
     * {@code for: 10m} is there to ride that out; it must never be firing here.
     */
    private static void assertOnly(PrometheusProcess prometheus, Set<String> firing) throws Exception {
        JsonNode alerts = prometheus.api("/api/v1/alerts").path("alerts");
        Set<String> fired = new TreeSet<>();
        Set<String> pending = new TreeSet<>();
        for (JsonNode alert : alerts) {
            String name = alert.path("labels").path("alertname").asText();
            ("firing".equals(alert.path("state").asText()) ? fired : pending).add(name);
        }
        assertEquals(new TreeSet<>(firing), fired, "firing: " + alerts);
        pending.remove("ApiLatencyP99High");
        assertEquals(Set.of(), pending, "pending: " + alerts);
    }

    /** The active alert (pending or firing) named {@code name}, if Prometheus has one. */
    private static Optional<JsonNode> alert(PrometheusProcess prometheus, String name) throws Exception {
        for (JsonNode alert : prometheus.api("/api/v1/alerts").path("alerts")) {
            if (name.equals(alert.path("labels").path("alertname").asText())) {
                return Optional.of(alert);
            }
        }
        return Optional.empty();
    }

    private static Instant instant(JsonNode rfc3339) {
        return OffsetDateTime.parse(rfc3339.asText()).toInstant();
    }

    private static String tail(String text, int chars) {
        return text.length() <= chars ? text : text.substring(text.length() - chars);
    }

    private interface Probe<T> {
        Optional<T> poll() throws Exception;
    }

    /** Polls {@code probe} every 200 ms until it answers; fails with {@code what} after {@code timeout}. */
    private static <T> T await(Duration timeout, String what, Probe<T> probe) throws Exception {
        Instant deadline = Instant.now().plus(timeout);
        while (true) {
            Optional<T> found = probe.poll();
            if (found.isPresent()) {
                return found.get();
            }
            if (Instant.now().isAfter(deadline)) {
                throw new AssertionError("no " + what + " within " + timeout);
            }
            Thread.sleep(200);
        }
    }
}
