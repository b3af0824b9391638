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
    void apiAndDashboardGoToTheApplicationWithHttp11HealthChecksOnHealth() {
        Section web = cfg.listening(443);
        assertEquals(web, cfg.listening(80), "one frontend: :80 only redirects to :443 after the same refusals");
        Section app = cfg.defaultBackend(web);
        assertEquals(List.of("option httpchk"), app.starting("option httpchk"), "the request is in http-check send");
        String send = app.value("http-check send").orElseThrow(() -> new AssertionError("no http-check send"));
        assertTrue(send.matches("meth GET uri /health ver HTTP/1\\.1 hdr Host \\S+"), "HTTP/1.1 with a Host: " + send);
        assertFalse(app.servers().isEmpty());
        for (String server : app.starting("server")) {
            String address = server.split(" ")[2];
            assertEquals(DeploySettings.HTTP_PORT, HaproxyConfig.port(address), server);
            assertTrue(server.contains(" check"), "health-checked: " + server);
        }
        for (Section backend : cfg.ofType("backend")) {
            for (String check : backend.starting("option httpchk")) {
                assertEquals("option httpchk", check, backend.name() + ": no HTTP/1.0 check line");
                assertTrue(backend.value("http-check send").orElse("").contains("ver HTTP/1.1 hdr Host "), backend.name());
            }
        }
        for (String rule : web.starting("use_backend")) {
            assertFalse(rule.contains("mediamtx") || rule.contains("hls") || rule.contains("webrtc"),
                    "video never shares the API frontend: " + rule);
        }
    }

    @Test
    void tlsCertificateIsTheMountedSecretAndHttpRedirects() {
        Section web = cfg.listening(443);
        String bind = web.starting("bind").stream().filter(b -> b.startsWith("bind :443 ")).findFirst().orElseThrow();
        assertTrue(bind.contains(" ssl crt " + HaproxyProcess.CERT_PATH), bind);
        assertTrue(cfg.sections.get(0).starting("ssl-default-bind-options").stream().anyMatch(l -> l.contains("ssl-min-ver TLSv1.2")));
        assertTrue(web.starting("http-request redirect").contains("http-request redirect scheme https code 301 unless { ssl_fc }"));
        assertTrue(web.starting("http-response set-header").stream().anyMatch(l -> l.contains("Strict-Transport-Security")));
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
        // What the deny matches in practice is HaproxyEdgeTest's job (the real haproxy); here: the
        // path is normalised before any rule looks at it, and no rule matches the raw path.
        Section web = cfg.listening(80);
        List<String> normalise = web.starting("http-request normalize-uri");
        for (String step : List.of("percent-decode-unreserved", "percent-to-uppercase", "path-merge-slashes", "path-strip-dot",
                "path-strip-dotdot")) {
            assertTrue(normalise.stream().anyMatch(l -> l.contains(" " + step)), "normalize-uri " + step);
        }
        assertTrue(web.lines().indexOf(normalise.get(0)) < web.lines().indexOf(web.starting("acl").get(0)), "normalised before the acls");
        assertEquals(List.of("expose-experimental-directives"), cfg.sections.get(0).starting("expose-experimental-directives"));
        for (String acl : web.starting("acl")) {
            assertFalse(acl.matches("acl \\S+ path(_beg|_reg|_end)? .*"), "matches the raw path: " + acl);
        }
        assertTrue(web.starting("http-request deny deny_status 403").stream().anyMatch(l -> l.endsWith("if is_internal")));
    }

    @Test
    void forwardedForIsSetNotAppended() {
        for (Section s : cfg.sections) {
            assertTrue(s.starting("option forwardfor").isEmpty(), s.name() + " appends X-Forwarded-For");
        }
        for (int port : List.of(80, 8888, 8889)) {
            assertTrue(cfg.listening(port).starting("http-request set-header X-Forwarded-For").contains(
                    "http-request set-header X-Forwarded-For %[src]"), "port " + port);
        }
    }

    @Test
    void perClientRateLimitsFollowThePlan() {
        Section web = cfg.listening(80);
        Map<String, Integer> limits = Map.of("ingest", 1000, "admin", 30, "api", 100);
        Pattern deny = Pattern.compile("http-request deny deny_status 429 .* hdr Retry-After \\d+ if class_(\\w+) \\{ sc0_http_req_rate gt (\\d+) }");
        Map<String, Integer> found = new java.util.HashMap<>();
        for (String line : web.starting("http-request deny")) {
            Matcher m = deny.matcher(line);
            if (m.matches()) {
                found.put(m.group(1), Integer.parseInt(m.group(2)));
            }
        }
        assertEquals(limits, found);
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
