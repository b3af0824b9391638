package gtvision.deploy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import gtvision.deploy.KubernetesManifests.Manifest;
import gtvision.deploy.NetworkPolicies.Pod;
import io.fabric8.kubernetes.api.model.ContainerPort;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicy;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** k8s/base/networkpolicies.yaml: who reaches which port of which pod, evaluated as Kubernetes does. */
class NetworkPolicyTest {

    private static final String NS = "gtvision";
    // The labels of the base's own HAProxy and MediaMTX pods, read in load().
    private static Map<String, String> HAPROXY;
    private static Map<String, String> MEDIAMTX;

    private static List<Manifest> base;
    private static List<NetworkPolicy> policies;
    private static NetworkPolicies namespace;
    private static Map<String, Map<String, String>> memberLabels;
    private static Map<String, Object> mediamtx;

    @BeforeAll
    static void load() throws IOException {
        base = KubernetesManifests.base();
        policies = KubernetesManifests.ofKind(base, NetworkPolicy.class);
        namespace = new NetworkPolicies(NS, policies);
        memberLabels = KubernetesManifests.members(base).stream().collect(Collectors.toMap(
                d -> d.getMetadata().getName(), d -> d.getSpec().getTemplate().getMetadata().getLabels()));
        HAPROXY = KubernetesManifests.workload(base, "haproxy").podLabels();
        MEDIAMTX = KubernetesManifests.workload(base, "mediamtx").podLabels();
        mediamtx = MediaMtxConfigTest.load(DeploySettings.repo().resolve("mediamtx.yml"));
    }

    private static Pod pod(Map<String, String> labels) {
        return Pod.in(NS, labels);
    }

    private static Pod monitoring() {
        return Pod.in("monitoring", Map.of("app.kubernetes.io/name", "prometheus"));
    }

    private static Pod stranger() {
        return pod(Map.of("app", "debug-shell"));
    }

    private static Map<String, String> api() {
        return memberLabels.get("gtvision");
    }

    @Test
    void everyPodOfTheNamespaceDeniesIngressUnlessAPolicyAllowsIt() {
        NetworkPolicy deny = policies.stream().filter(p -> "default-deny-ingress".equals(p.getMetadata().getName())).findFirst()
                .orElseThrow(() -> new AssertionError("no default-deny-ingress policy"));
        assertTrue(NetworkPolicies.matches(deny.getSpec().getPodSelector(), Map.of("anything", "at-all")), "selects every pod");
        assertEquals(List.of("Ingress"), deny.getSpec().getPolicyTypes());
        assertTrue(deny.getSpec().getIngress() == null || deny.getSpec().getIngress().isEmpty(), "allows nothing");
        assertFalse(namespace.allows(stranger(), Map.of("app", "postgres"), "TCP", 5432), "an unlisted pod accepts nothing");
        for (Map<String, String> member : memberLabels.values()) {
            for (int port : List.of(DeploySettings.HTTP_PORT, DeploySettings.MANAGEMENT_PORT, DeploySettings.REMOTING_PORT, 22)) {
                assertFalse(namespace.allows(stranger(), member, "TCP", port), "a stranger reaches " + member + " on " + port);
            }
        }
    }

    @Test
    void onlyHaproxyAndMediaMtxReachTheApiHttpPort() {
        assertTrue(namespace.allows(pod(HAPROXY), api(), "TCP", DeploySettings.HTTP_PORT), "HAProxy forwards the API");
        assertTrue(namespace.allows(pod(MEDIAMTX), api(), "TCP", DeploySettings.HTTP_PORT), "MediaMTX's auth callback");
        assertFalse(namespace.allows(Pod.in("default", HAPROXY), api(), "TCP", DeploySettings.HTTP_PORT),
                "a pod labelled app=haproxy in another namespace is not our HAProxy");
        for (String inference : List.of("gtvision-gpu", "gtvision-aws")) {
            assertFalse(namespace.allows(pod(HAPROXY), memberLabels.get(inference), "TCP", DeploySettings.HTTP_PORT),
                    inference + " serves no public API");
        }
        for (int port : List.of(DeploySettings.MANAGEMENT_PORT, DeploySettings.REMOTING_PORT)) {
            assertFalse(namespace.allows(pod(HAPROXY), api(), "TCP", port), "HAProxy on " + port);
            assertFalse(namespace.allows(pod(MEDIAMTX), api(), "TCP", port), "MediaMTX on " + port);
        }
    }

    @Test
    void onlyClusterMembersReachRemotingAndManagement() {
        for (var from : memberLabels.entrySet()) {
            for (var to : memberLabels.entrySet()) {
                for (int port : List.of(DeploySettings.REMOTING_PORT, DeploySettings.MANAGEMENT_PORT)) {
                    assertTrue(namespace.allows(pod(from.getValue()), to.getValue(), "TCP", port),
                            from.getKey() + " -> " + to.getKey() + " on " + port);
                }
            }
        }
        for (Pod outsider : List.of(pod(HAPROXY), pod(MEDIAMTX), stranger(), monitoring(), Pod.in("other", api()))) {
            for (Map<String, String> member : memberLabels.values()) {
                for (int port : List.of(DeploySettings.REMOTING_PORT, DeploySettings.MANAGEMENT_PORT)) {
                    assertFalse(namespace.allows(outsider, member, "TCP", port), outsider + " -> " + member + " on " + port);
                }
            }
        }
    }

    @Test
    void theMonitoringNamespaceScrapesTheMetricsPortOfEveryMember() {
        for (Map<String, String> member : memberLabels.values()) {
            assertTrue(namespace.allows(monitoring(), member, "TCP", DeploySettings.HTTP_PORT), "Prometheus scrapes " + member);
            assertFalse(namespace.allows(Pod.in("default", Map.of("app.kubernetes.io/name", "prometheus")), member, "TCP",
                    DeploySettings.HTTP_PORT), "only the monitoring namespace");
        }
    }

    @Test
    void haproxyIsPublicAndMediaMtxOnlyBehindIt() {
        HaproxyConfig cfg = HaproxyConfig.load();
        Pod internet = Pod.in("elsewhere", Map.of());
        Set<Integer> binds = cfg.sections.stream().flatMap(s -> s.bindPorts().stream()).collect(Collectors.toSet());
        assertTrue(binds.contains(8404));
        for (int port : binds) {
            boolean statistics = port == 8404;
            assertEquals(!statistics, namespace.allows(internet, HAPROXY, "TCP", port), "HAProxy port " + port + " from anywhere");
        }
        assertTrue(namespace.allows(monitoring(), HAPROXY, "TCP", 8404), "Prometheus scrapes HAProxy's exporter");

        for (String video : List.of("hlsAddress", "webrtcAddress", "rtspAddress")) {
            int port = MediaMtxConfigTest.port(mediamtx.get(video));
            assertTrue(namespace.allows(pod(HAPROXY), MEDIAMTX, "TCP", port), video + " through HAProxy");
            assertFalse(namespace.allows(internet, MEDIAMTX, "TCP", port), video + " only through HAProxy");
        }
        int media = MediaMtxConfigTest.port(mediamtx.get("webrtcLocalUDPAddress"));
        assertTrue(namespace.allows(internet, MEDIAMTX, "UDP", media), "WebRTC media reaches MediaMTX directly");
        int control = MediaMtxConfigTest.port(mediamtx.get("apiAddress"));
        assertTrue(namespace.allows(pod(api()), MEDIAMTX, "TCP", control), "members add camera paths");
        assertFalse(namespace.allows(pod(HAPROXY), MEDIAMTX, "TCP", control), "the Control API is not public");
        int metrics = MediaMtxConfigTest.port(mediamtx.get("metricsAddress"));
        assertTrue(namespace.allows(monitoring(), MEDIAMTX, "TCP", metrics));
        assertFalse(namespace.allows(internet, MEDIAMTX, "TCP", metrics));
    }

    @Test
    void theEdgePodsOfTheBaseAreTheOnesThePoliciesName() {
        assertEquals("haproxy", HAPROXY.get("app"), "the label gtvision-api-http admits");
        assertEquals("mediamtx", MEDIAMTX.get("app"));
        for (Map<String, String> member : memberLabels.values()) {
            assertFalse(NetworkPolicies.matches(policy("haproxy").getSpec().getPodSelector(), member), "the HAProxy policy selects no member");
            assertFalse(NetworkPolicies.matches(policy("mediamtx").getSpec().getPodSelector(), member), "the MediaMTX policy selects no member");
        }
        // Every port an edge container listens on is open to someone, and only the intended ones to the internet.
        Pod internet = Pod.in("elsewhere", Map.of());
        for (var port : KubernetesManifests.workload(base, "haproxy").container("haproxy").getPorts()) {
            boolean open = namespace.allows(internet, HAPROXY, "TCP", port.getContainerPort());
            assertEquals(!port.getName().equals("stats"), open, "HAProxy " + port.getName() + " from outside");
        }
        for (var port : KubernetesManifests.workload(base, "mediamtx").container("mediamtx").getPorts()) {
            String protocol = port.getProtocol() == null ? "TCP" : port.getProtocol();
            boolean fromOutside = namespace.allows(internet, MEDIAMTX, protocol, port.getContainerPort());
            assertEquals(protocol.equals("UDP"), fromOutside, "MediaMTX " + port.getName() + " from outside: only the WebRTC media");
            boolean fromSomeone = Stream.of(pod(HAPROXY), pod(api()), monitoring(), internet)
                    .anyMatch(source -> namespace.allows(source, MEDIAMTX, protocol, port.getContainerPort()));
            assertTrue(fromSomeone, "MediaMTX " + port.getName() + " is reachable by nobody");
        }
    }

    private static NetworkPolicy policy(String name) {
        return policies.stream().filter(p -> name.equals(p.getMetadata().getName())).findFirst()
                .orElseThrow(() -> new AssertionError("no NetworkPolicy " + name));
    }

    @Test
    void policyPortsAreTheMembersContainerPorts() {
        Set<Integer> containerPorts = KubernetesManifests.members(base).stream()
                .flatMap(d -> KubernetesManifests.appContainer(d).getPorts().stream()).map(ContainerPort::getContainerPort)
                .collect(Collectors.toSet());
        assertEquals(Set.of(DeploySettings.HTTP_PORT, DeploySettings.MANAGEMENT_PORT, DeploySettings.REMOTING_PORT), containerPorts);
        for (NetworkPolicy policy : policies) {
            boolean selectsMembers = memberLabels.values().stream().anyMatch(l -> NetworkPolicies.matches(policy.getSpec().getPodSelector(), l));
            if (!selectsMembers || policy.getSpec().getIngress() == null) {
                continue;
            }
            policy.getSpec().getIngress().stream().flatMap(r -> r.getPorts().stream())
                    .forEach(p -> assertTrue(containerPorts.contains(p.getPort().getIntVal()),
                            policy.getMetadata().getName() + " opens a port no member listens on: " + p.getPort()));
        }
    }

    @Test
    void devBackingServicesAreReachableByMembersOnly() {
        List<NetworkPolicy> dev = new ArrayList<>(policies);
        dev.addAll(KubernetesManifests.ofKind(KubernetesManifests.loadAll(KubernetesManifests.k8sDir().resolve("overlays/dev")),
                NetworkPolicy.class));
        NetworkPolicies devNamespace = new NetworkPolicies("gtvision-dev", dev);
        Pod member = Pod.in("gtvision-dev", api());
        for (var service : Map.of("postgres", 5432, "kafka", 9092, "minio", 9000).entrySet()) {
            Map<String, String> labels = Map.of("app", service.getKey());
            assertTrue(devNamespace.allows(member, labels, "TCP", service.getValue()), "members reach " + service.getKey());
            assertFalse(devNamespace.allows(Pod.in("gtvision-dev", HAPROXY), labels, "TCP", service.getValue()));
        }
        assertFalse(devNamespace.allows(Pod.in("gtvision-dev", Map.of("app", "debug-shell")), api(), "TCP", DeploySettings.REMOTING_PORT),
                "the dev policy opens no member port");
    }
}
