package gtvision.deploy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;

/** mediamtx.yml: the plan's settings for 250 cameras, in MediaMTX's current key names. */
class MediaMtxConfigTest {

    // Global keys of MediaMTX 1.x's reference mediamtx.yml that this file may use. MediaMTX refuses
    // to start on an unknown key, so a misspelt or renamed one must fail here first.
    private static final Set<String> GLOBAL_KEYS = Set.of(
            "logLevel", "logDestinations", "logStructured", "logFile", "sysLogPrefix", "readTimeout", "writeTimeout",
            "writeQueueSize", "udpMaxPayloadSize", "udpReadBufferSize", "runOnConnect", "runOnConnectRestart", "runOnDisconnect",
            "authMethod", "authInternalUsers", "authHTTPAddress", "authHTTPExclude", "authJWTJWKS", "authJWTClaimKey",
            "authJWTExclude", "api", "apiAddress", "apiEncryption", "apiServerKey", "apiServerCert", "apiTrustedProxies",
            "metrics", "metricsAddress", "metricsEncryption", "metricsServerKey", "metricsServerCert", "metricsTrustedProxies",
            "pprof", "pprofAddress", "playback", "playbackAddress", "playbackTrustedProxies",
            "rtsp", "rtspTransports", "rtspEncryption", "rtspAddress", "rtspsAddress", "rtpAddress", "rtcpAddress",
            "rtspAuthMethods", "rtmp", "rtmpAddress", "rtmpEncryption",
            "hls", "hlsAddress", "hlsEncryption", "hlsServerKey", "hlsServerCert", "hlsTrustedProxies", "hlsAlwaysRemux",
            "hlsVariant", "hlsSegmentCount", "hlsSegmentDuration", "hlsPartDuration", "hlsSegmentMaxSize", "hlsDirectory",
            "hlsMuxerCloseAfter", "webrtc", "webrtcAddress", "webrtcEncryption", "webrtcTrustedProxies",
            "webrtcLocalUDPAddress", "webrtcLocalTCPAddress", "webrtcIPsFromInterfaces", "webrtcIPsFromInterfacesList",
            "webrtcAdditionalHosts", "webrtcICEServers2", "webrtcHandshakeTimeout", "webrtcTrackGatherTimeout",
            "srt", "srtAddress", "pathDefaults", "paths");
    private static final Set<String> PATH_KEYS = Set.of(
            "source", "sourceFingerprint", "sourceOnDemand", "sourceOnDemandStartTimeout", "sourceOnDemandCloseAfter",
            "maxReaders", "srtReadPassphrase", "fallback", "useAbsoluteTimestamp", "record", "recordPath", "recordFormat",
            "recordPartDuration", "recordMaxPartSize", "recordSegmentDuration", "recordDeleteAfter", "overridePublisher",
            "rtspTransport", "rtspAnyPort", "rtspRangeType", "rtspRangeStart", "sourceRedirect",
            "runOnInit", "runOnInitRestart", "runOnDemand", "runOnDemandRestart", "runOnDemandStartTimeout",
            "runOnDemandCloseAfter", "runOnUnDemand", "runOnReady", "runOnReadyRestart", "runOnNotReady", "runOnRead",
            "runOnReadRestart", "runOnUnread", "runOnRecordSegmentCreate", "runOnRecordSegmentComplete");

    private static Map<String, Object> config;

    @BeforeAll
    static void parse() throws IOException {
        config = load(DeploySettings.repo().resolve("mediamtx.yml"));
    }

    static Map<String, Object> load(Path file) throws IOException {
        try (Reader reader = Files.newBufferedReader(file)) {
            return new Yaml(new SafeConstructor(new LoaderOptions())).load(reader);
        }
    }

    @Test
    void usesOnlyKnownMediaMtxKeys() {
        Set<String> unknown = new HashSet<>(config.keySet());
        unknown.removeAll(GLOBAL_KEYS);
        assertEquals(Set.of(), unknown, "unknown global keys");
        Set<String> unknownPath = new HashSet<>(pathDefaults().keySet());
        paths().values().forEach(p -> unknownPath.addAll(p.keySet()));
        unknownPath.removeAll(PATH_KEYS);
        assertEquals(Set.of(), unknownPath, "unknown path keys");
    }

    @Test
    void apiAndMetricsListenOnThePlannedPorts() {
        assertEquals(true, config.get("api"));
        assertEquals(9997, port(config.get("apiAddress")));
        assertEquals(true, config.get("metrics"));
        assertEquals(9998, port(config.get("metricsAddress")));
    }

    @Test
    void writeQueueIsSizedForTwoHundredFiftyCameras() {
        assertEquals(1024, config.get("writeQueueSize"));
    }

    @Test
    void hlsKeepsThreeTwoSecondSegments() {
        assertEquals(true, config.get("hls"));
        assertEquals(Duration.ofSeconds(2), duration(config.get("hlsSegmentDuration")));
        assertEquals(3, config.get("hlsSegmentCount"));
        // MediaMTX refuses Low-Latency HLS with fewer than 7 segments.
        assertNotEquals("lowLatency", config.getOrDefault("hlsVariant", "lowLatency"));
    }

    @Test
    void camerasArePulledOnDemandAndReadersAreCapped() {
        assertEquals(true, pathDefaults().get("sourceOnDemand"));
        Object maxReaders = pathDefaults().get("maxReaders");
        assertTrue(maxReaders instanceof Integer n && n > 0 && n <= 100, "maxReaders capped at 1..100: " + maxReaders);
    }

    @Test
    void recordingsAreHourlyFmp4SegmentsKeptSevenDays() {
        assertEquals(true, pathDefaults().get("record"));
        assertEquals("fmp4", pathDefaults().get("recordFormat"));
        assertEquals(Duration.ofHours(1), duration(pathDefaults().get("recordSegmentDuration")));
        assertEquals(Duration.ofDays(7), duration(pathDefaults().get("recordDeleteAfter")));
        assertTrue(String.valueOf(pathDefaults().get("recordPath")).contains("%path"), "one directory per camera");
    }

    @Test
    void cameraPathsFollowTheCamIdPattern() {
        Map<String, Map<String, Object>> paths = paths();
        String key = paths.keySet().stream().filter(k -> k.startsWith("~")).findFirst()
                .orElseThrow(() -> new AssertionError("no regular-expression path for cam_<id>: " + paths.keySet()));
        Pattern pattern = Pattern.compile(key.substring(1));
        for (String name : List.of("cam_1", "cam_17", "cam_250", "cam_lobby-east")) {
            assertTrue(pattern.matcher(name).matches(), key + " should match " + name);
        }
        for (String name : List.of("camera_1", "xcam_1", "cam_")) {
            assertFalse(pattern.matcher(name).matches(), key + " should not match " + name);
        }
        String source = String.valueOf(paths.get(key).get("source"));
        Matcher group = Pattern.compile("\\$G(\\d)").matcher(source);
        while (group.find()) {
            assertTrue(Integer.parseInt(group.group(1)) <= pattern.matcher("").groupCount(), source + " uses a group the path lacks");
        }
    }

    @Test
    void everyReaderPlayerAndPublisherIsAuthorisedByTheNode() {
        assertEquals("http", config.get("authMethod"), "MediaMTX asks the node");
        assertFalse(config.containsKey("authInternalUsers"), "no internal users: they would be ignored, or anonymous");
        // The node's Service as the Kubernetes base declares it, by its bare name: resolved in the pod's
        // own namespace, so the dev overlay's MediaMTX asks the dev API and prod's the prod one
        // (EdgeManifestsTest checks the rendered overlays).
        var api = KubernetesManifests.named(KubernetesManifests.base(), io.fabric8.kubernetes.api.model.Service.class, "gtvision-api");
        int port = api.getSpec().getPorts().get(0).getPort();
        assertEquals("http://" + api.getMetadata().getName() + ":" + port + "/api/auth/mediamtx", config.get("authHTTPAddress"));
        assertFalse(String.valueOf(config.get("authHTTPAddress")).contains(Kustomization.in(KubernetesManifests.baseDir()).namespace() + "."),
                "no namespace in the address: one file for every overlay");
        assertEquals(DeploySettings.HTTP_PORT, port);
    }

    @Test
    void onlyTheMetricsAreExcludedFromAuthorisation() {
        @SuppressWarnings("unchecked")
        List<Map<String, Object>> excluded = (List<Map<String, Object>>) config.getOrDefault("authHTTPExclude", List.of());
        for (Map<String, Object> exclusion : excluded) {
            assertEquals("metrics", exclusion.get("action"), "read, playback, publish and api are never open: " + exclusion);
        }
        assertFalse(config.containsKey("authJWTJWKS"), "one authorisation: the node");
        assertNotEquals(true, config.get("pprof"), "pprof stays off");
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> pathDefaults() {
        return (Map<String, Object>) config.get("pathDefaults");
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Map<String, Object>> paths() {
        return (Map<String, Map<String, Object>>) config.get("paths");
    }

    static int port(Object address) {
        String s = String.valueOf(address);
        return Integer.parseInt(s.substring(s.lastIndexOf(':') + 1));
    }

    /** MediaMTX durations: Go durations plus days (1h, 2s, 7d, 1h30m). */
    static Duration duration(Object value) {
        String s = String.valueOf(value);
        Matcher m = Pattern.compile("(\\d+)(ms|s|m|h|d)").matcher(s);
        Duration total = Duration.ZERO;
        int consumed = 0;
        while (m.find()) {
            if (m.start() != consumed) {
                break;
            }
            long n = Long.parseLong(m.group(1));
            total = total.plus(switch (m.group(2)) {
                case "ms" -> Duration.ofMillis(n);
                case "s" -> Duration.ofSeconds(n);
                case "m" -> Duration.ofMinutes(n);
                case "h" -> Duration.ofHours(n);
                default -> Duration.ofDays(n);
            });
            consumed = m.end();
        }
        if (consumed == 0 || consumed != s.length()) {
            throw new AssertionError("not a MediaMTX duration: " + value);
        }
        return total;
    }
}
