package gtvision.deploy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import gtvision.deploy.HaproxyConfig.Section;
import java.io.IOException;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** haproxy/haproxy.cfg: the plan's split routing, checked against the app and MediaMTX settings. */
class HaproxyConfigTest {

    private static HaproxyConfig cfg;
    private static Map<String, Object> mediamtx;

    @BeforeAll
    static void load() throws IOException {
        cfg = HaproxyConfig.load();
        mediamtx = MediaMtxConfigTest.load(DeploySettings.repo().resolve("mediamtx.yml"));
    }

    @Test
    void defaultsCarryThePlannedTimeouts() {
        Section defaults = cfg.defaults();
        assertEquals("5s", defaults.value("timeout connect").orElse(null));
        assertEquals("30s", defaults.value("timeout client").orElse(null));
        assertEquals("30s", defaults.value("timeout server").orElse(null));
        assertEquals("1h", defaults.value("timeout tunnel").orElse(null), "WebSocket /api/live and RTSP streams");
    }

    @Test
    void videoGoesStraightToMediaMtxOnItsOwnPorts() {
        Map<String, Integer> mediamtxPorts = Map.of(
                "hls", MediaMtxConfigTest.port(mediamtx.get("hlsAddress")),
                "webrtc", MediaMtxConfigTest.port(mediamtx.get("webrtcAddress")),
                "rtsp", MediaMtxConfigTest.port(mediamtx.get("rtspAddress")));
        assertEquals(Map.of("hls", 8888, "webrtc", 8889, "rtsp", 8554), mediamtxPorts);
        for (int port : mediamtxPorts.values()) {
            Section frontend = cfg.listening(port);
            assertTrue(frontend.starting("use_backend").isEmpty(), "video frontend " + frontend.name() + " routes to one backend only");
            Section backend = cfg.defaultBackend(frontend);
            assertFalse(backend.servers().isEmpty(), backend.name() + " has servers");
            backend.servers().forEach((name, address) -> {
                assertEquals(port, HaproxyConfig.port(address), backend.name() + "/" + name + " goes to the same MediaMTX port");
                assertTrue(address.startsWith("mediamtx"), backend.name() + "/" + name + " is a MediaMTX server: " + address);
            });
        }
        Section rtsp = cfg.defaultBackend(cfg.listening(8554));
        assertEquals("tcp", rtsp.mode(cfg.defaults()), "RTSP is proxied as TCP");
        assertEquals("tcp", cfg.listening(8554).mode(cfg.defaults()));
        assertEquals("http", cfg.defaultBackend(cfg.listening(8888)).mode(cfg.defaults()));
    }

    @Test
    void webRtcSessionsStickToOneMediaMtxServer() {
        Section webrtc = cfg.defaultBackend(cfg.listening(8889));
        assertFalse(webrtc.starting("cookie").isEmpty() && webrtc.starting("stick on").isEmpty(),
                "WebRTC backend needs a cookie or stick table");
        if (!webrtc.starting("cookie").isEmpty()) {
            for (String server : webrtc.starting("server")) {
                assertTrue(server.contains(" cookie "), "each server needs a cookie value: " + server);
            }
        }
        if (!webrtc.starting("stick on").isEmpty()) {
            assertFalse(webrtc.starting("stick-table").isEmpty(), "stick on needs a stick-table");
        }
    }

    @Test
    void apiAndDashboardGoToTheApplicationWithHealthChecksOnHealth() {
        Section web = cfg.listening(80);
        Section app = cfg.defaultBackend(web);
        assertEquals(List.of("httpchk GET /health"), app.starting("option httpchk").stream()
                .map(l -> l.substring("option ".length())).collect(Collectors.toList()));
        assertFalse(app.servers().isEmpty());
        for (String server : app.starting("server")) {
            String address = server.split(" ")[2];
            assertEquals(DeploySettings.HTTP_PORT, HaproxyConfig.port(address), server);
            assertTrue(server.contains(" check"), "health-checked: " + server);
        }
        for (String rule : web.starting("use_backend")) {
            assertFalse(rule.contains("mediamtx") || rule.contains("hls") || rule.contains("webrtc"),
                    "video never shares the API frontend: " + rule);
        }
    }

    @Test
    void metricsAndManagementAndRemotingPortsAreNeverReachable() {
        Set<Integer> internal = Set.of(DeploySettings.MANAGEMENT_PORT, DeploySettings.REMOTING_PORT, 9997, 9998);
        for (Section s : cfg.sections) {
            for (int port : s.bindPorts()) {
                assertFalse(internal.contains(port), s.name() + " binds internal port " + port);
            }
            s.servers().forEach((name, address) -> assertFalse(internal.contains(HaproxyConfig.port(address)),
                    s.name() + "/" + name + " forwards to internal port " + address));
        }
        Section web = cfg.listening(80);
        Set<String> metricsAcls = web.starting("acl").stream()
                .map(l -> l.split(" "))
                .filter(w -> w.length >= 4 && (w[2].equals("path") || w[2].equals("path_beg")) && w[3].startsWith("/metrics"))
                .map(w -> w[1]).collect(Collectors.toSet());
        assertFalse(metricsAcls.isEmpty(), "an acl matches /metrics");
        assertTrue(web.starting("http-request deny").stream()
                        .anyMatch(l -> metricsAcls.stream().anyMatch(a -> l.matches(".*\\bif " + a + "\\b.*"))),
                "the public frontend denies /metrics");
    }

    @Test
    void perClientRateLimitsFollowThePlan() {
        Section web = cfg.listening(80);
        Map<String, Integer> limits = Map.of("/api/ingest", 1000, "/api/admin", 30, "/api", 100);
        Pattern deny = Pattern.compile("http-request deny deny_status 429 if (.+) \\{ sc0_http_req_rate gt (\\d+) }");
        Map<String, String> aclPaths = web.starting("acl").stream().map(l -> l.split(" "))
                .filter(w -> w.length >= 4 && w[2].startsWith("path")).collect(Collectors.toMap(w -> w[1], w -> w[3], (a, b) -> a));
        for (Map.Entry<String, Integer> limit : limits.entrySet()) {
            boolean found = false;
            for (String line : web.starting("http-request deny")) {
                Matcher m = deny.matcher(line);
                if (m.matches() && Integer.parseInt(m.group(2)) == limit.getValue()) {
                    String firstAcl = m.group(1).split(" ")[0];
                    found |= limit.getKey().equals(aclPaths.get(firstAcl));
                }
            }
            assertTrue(found, "no 429 rule at " + limit.getValue() + "/min for " + limit.getKey());
        }
        for (Section table : cfg.ofType("backend")) {
            table.value("stick-table").filter(v -> v.contains("http_req_rate"))
                    .ifPresent(v -> assertTrue(v.contains("http_req_rate(1m)"), table.name() + " counts per minute: " + v));
        }
    }

    @Test
    void statisticsListenOn8404() {
        Section stats = cfg.listening(8404);
        assertEquals(1, stats.starting("stats enable").size());
        assertEquals("/stats", stats.value("stats uri").orElse(null));
    }

    @Test
    void serversAreDnsNamesThatMayStartUnresolved() {
        String defaultServer = cfg.defaults().value("default-server").orElse("");
        for (Section s : cfg.ofType("backend")) {
            for (String server : s.starting("server")) {
                String host = server.split(" ")[2].replaceAll(":\\d+$", "");
                assertFalse(host.matches("[\\d.]+"), "use a DNS name, not an IP: " + server);
                String options = defaultServer + " " + server;
                assertTrue(options.matches(".*\\binit-addr \\S*none\\b.*"), "init-addr ...,none lets HAProxy start without DNS: " + server);
                assertTrue(options.contains("resolvers "), "re-resolved at run time: " + server);
            }
        }
    }
}
