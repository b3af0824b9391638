package gtvision.deploy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import gtvision.deploy.KubernetesManifests.Manifest;
import gtvision.deploy.KubernetesManifests.Workload;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerPort;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.KeyToPath;
import io.fabric8.kubernetes.api.model.PodSecurityContext;
import io.fabric8.kubernetes.api.model.Probe;
import io.fabric8.kubernetes.api.model.SecurityContext;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServicePort;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.VolumeMount;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * HAProxy and MediaMTX in the Kubernetes base: each runs its file from the repository (haproxy/haproxy.cfg,
 * mediamtx.yml) as a generated ConfigMap, reaches the services of its own namespace in every overlay,
 * and runs as a non-root pod with probes and resources; HAProxy's certificate is the TLS Secret.
 */
class EdgeManifestsTest {

    /** An edge component: its configuration directory and file, the ConfigMap made of it, the workload and container. */
    record Edge(String dir, String file, String configMap, String workload, String container) {
        Path path() {
            return DeploySettings.repo().resolve(dir).resolve(file);
        }
    }

    private static final Edge HAPROXY = new Edge("haproxy", "haproxy.cfg", "haproxy-config", "haproxy", "haproxy");
    private static final Edge MEDIAMTX = new Edge("mediamtx", "mediamtx.yml", "mediamtx-config", "mediamtx", "mediamtx");
    private static final List<Edge> EDGE = List.of(HAPROXY, MEDIAMTX);

    private static List<Manifest> base;
    private static HaproxyConfig haproxyCfg;
    private static Map<String, Object> mediamtx;

    @TempDir
    Path work;

    @BeforeAll
    static void load() throws IOException {
        base = KubernetesManifests.base();
        haproxyCfg = HaproxyConfig.load();
        mediamtx = MediaMtxConfigTest.load(DeploySettings.repo().resolve("mediamtx.yml"));
    }

    private static Workload workload(Edge edge) {
        return KubernetesManifests.workload(base, edge.workload());
    }

    private static Container container(Edge edge) {
        return workload(edge).container(edge.container());
    }

    /** The volume of {@code workload} that is the ConfigMap {@code name}, and where the container mounts it. */
    private static VolumeMount configMount(Workload workload, Container container, String name) {
        Volume volume = workload.spec().getVolumes().stream()
                .filter(v -> v.getConfigMap() != null && name.equals(v.getConfigMap().getName())).findFirst()
                .orElseThrow(() -> new AssertionError(workload.name() + " mounts no ConfigMap " + name));
        return container.getVolumeMounts().stream().filter(m -> volume.getName().equals(m.getName())).findFirst()
                .orElseThrow(() -> new AssertionError(workload.name() + " has the volume " + volume.getName() + " but mounts it nowhere"));
    }

    @Test
    void eachEdgeComponentRunsItsRepositoryFileFromTheConfigMapGeneratedFromIt() {
        List<String> resources = Kustomization.in(KubernetesManifests.baseDir()).strings("resources");
        for (Edge edge : EDGE) {
            assertTrue(resources.contains("../../" + edge.dir()), "k8s/base includes " + edge.dir() + "/");
            Kustomization k = Kustomization.in(DeploySettings.repo().resolve(edge.dir()));
            assertEquals(List.of(edge.file()), k.configMapGenerator(edge.configMap()).get("files"),
                    edge.dir() + "/kustomization.yaml makes " + edge.configMap() + " of " + edge.file() + " alone");
            Workload workload = workload(edge);
            Container container = container(edge);
            VolumeMount mount = configMount(workload, container, edge.configMap());
            assertTrue(Boolean.TRUE.equals(mount.getReadOnly()), edge.workload() + " mounts its configuration read-only");
            String file = mount.getMountPath() + "/" + edge.file();
            List<String> invocation = new ArrayList<>();
            Optional.ofNullable(container.getCommand()).ifPresent(invocation::addAll);
            Optional.ofNullable(container.getArgs()).ifPresent(invocation::addAll);
            assertTrue(invocation.contains(file), edge.workload() + " runs with " + file + ": " + invocation);
        }
    }

    @Test
    void theTopLevelMediaMtxFileIsTheOneTheConfigMapIsMadeOf() throws IOException {
        // The repository keeps mediamtx.yml at the top; kustomize needs it inside mediamtx/.
        assertTrue(Files.isSameFile(DeploySettings.repo().resolve("mediamtx.yml"), MEDIAMTX.path()),
                "mediamtx.yml and mediamtx/mediamtx.yml are one file");
    }

    @Test
    void haproxyGetsEveryEnvironmentVariableItsConfigurationNeedsAndTheNamespaceFromThePod() {
        Set<String> required = haproxyCfg.requiredEnvironment();
        assertTrue(required.contains("GTV_NAMESPACE"), "the servers' namespace comes from the environment: " + required);
        Map<String, EnvVar> env = env(container(HAPROXY));
        for (String name : required) {
            assertTrue(env.containsKey(name), "haproxy.cfg needs " + name + ", which the Deployment haproxy does not set");
        }
        assertEquals("metadata.namespace", env.get("GTV_NAMESPACE").getValueFrom().getFieldRef().getFieldPath(),
                "the pod's own namespace, whichever overlay deployed it");
    }

    @Test
    void haproxyServersAreTheApiServiceAndTheMediaMtxPodsOfTheBase() {
        String namespace = "gtvision-test";
        Map<String, String> environment = Map.of("GTV_NAMESPACE", namespace);
        List<Service> services = KubernetesManifests.ofKind(base, Service.class);
        StatefulSet mediamtxSet = KubernetesManifests.named(base, StatefulSet.class, "mediamtx");
        int checked = 0;
        for (HaproxyConfig.Section backend : haproxyCfg.ofType("backend")) {
            for (String written : backend.servers().values()) {
                String address = HaproxyConfig.expand(written, environment);
                String host = address.substring(0, address.lastIndexOf(':'));
                int port = HaproxyConfig.port(address);
                String suffix = "." + namespace + ".svc.cluster.local";
                assertTrue(host.endsWith(suffix), backend.name() + ": " + written + " is a name in the pod's own namespace");
                String[] name = host.substring(0, host.length() - suffix.length()).split("\\.");
                Service service;
                if (name.length == 1) {
                    service = services.stream().filter(s -> s.getMetadata().getName().equals(name[0])).findFirst()
                            .orElseThrow(() -> new AssertionError(backend.name() + ": no Service " + name[0]));
                } else {
                    // <pod>.<governing Service>: a StatefulSet pod that exists with the base's replicas.
                    assertEquals(2, name.length, host);
                    assertEquals(mediamtxSet.getSpec().getServiceName(), name[1], host);
                    service = KubernetesManifests.named(base, Service.class, name[1]);
                    assertEquals("None", service.getSpec().getClusterIP(), name[1] + " is headless: pods have names");
                    int ordinal = Integer.parseInt(name[0].substring(name[0].lastIndexOf('-') + 1));
                    assertEquals(mediamtxSet.getMetadata().getName() + "-" + ordinal, name[0]);
                    assertTrue(ordinal < mediamtxSet.getSpec().getReplicas(), host + " exists with " + mediamtxSet.getSpec().getReplicas() + " replicas");
                }
                assertTrue(service.getSpec().getPorts().stream().anyMatch(p -> p.getPort() == port),
                        backend.name() + ": Service " + service.getMetadata().getName() + " has no port " + port);
                checked++;
            }
        }
        assertTrue(checked >= 7, "the API server and two MediaMTX servers for HLS, WebRTC and RTSP: " + checked);
    }

    @Test
    void haproxyRefusesToStartWithoutItsNamespaceInsteadOfReachingAnotherOne() throws Exception {
        Optional<Path> haproxy = HaproxyProcess.binary();
        Assumptions.assumeTrue(haproxy.isPresent(), "haproxy not installed");
        Path certificate = HaproxyProcess.selfSignedCertificate(work, "tls");
        Path cfg = work.resolve("haproxy.cfg");
        Files.writeString(cfg, Files.readString(HAPROXY.path()).replace(HaproxyProcess.CERT_PATH, certificate.toString()));
        ExternalTool.Result with = ExternalTool.run(haproxy.get(), Map.of("GTV_NAMESPACE", "gtvision-dev"), "-c", "-f", cfg.toString());
        assertEquals(0, with.exitCode(), "haproxy -c with the namespace:\n" + with.stdout() + with.stderr());
        assertTrue((with.stdout() + with.stderr()).contains("gtvision-api.gtvision-dev.svc.cluster.local"),
                "the names take the namespace: " + with.stderr());
        Map<String, String> without = new HashMap<>();
        without.put("GTV_NAMESPACE", null);
        ExternalTool.Result refused = ExternalTool.run(haproxy.get(), without, "-c", "-f", cfg.toString());
        assertNotEquals(0, refused.exitCode(), "haproxy -c without GTV_NAMESPACE must fail:\n" + refused.stdout() + refused.stderr());
    }

    @Test
    void haproxyTakesItsCertificateFromTheTlsSecretWhereTheConfigurationLooks() throws IOException {
        Workload workload = workload(HAPROXY);
        Volume tls = workload.spec().getVolumes().stream().filter(v -> v.getSecret() != null).findFirst()
                .orElseThrow(() -> new AssertionError("haproxy mounts no Secret"));
        assertEquals("gtvision-tls", tls.getSecret().getSecretName());
        assertFalse(Boolean.TRUE.equals(tls.getSecret().getOptional()), "no certificate, no HTTPS: the pod must wait for the Secret");
        Map<String, String> items = tls.getSecret().getItems().stream().collect(Collectors.toMap(KeyToPath::getKey, KeyToPath::getPath));
        Path cert = Path.of(HaproxyProcess.CERT_PATH);
        // A kubernetes.io/tls Secret holds tls.crt and tls.key; HAProxy reads <crt>.key beside a certificate without a key.
        assertEquals(Map.of("tls.crt", cert.getFileName().toString(), "tls.key", cert.getFileName() + ".key"), items);
        VolumeMount mount = container(HAPROXY).getVolumeMounts().stream().filter(m -> m.getName().equals(tls.getName())).findFirst().orElseThrow();
        assertEquals(cert.getParent().toString(), mount.getMountPath());
        assertTrue(Boolean.TRUE.equals(mount.getReadOnly()));
        assertTrue(haproxyCfg.listening(443).starting("bind").stream().anyMatch(b -> b.contains(" crt " + HaproxyProcess.CERT_PATH)));
        String readme = Files.readString(DeploySettings.repo().resolve("README.md"));
        assertTrue(readme.contains("create secret tls gtvision-tls"), "the README says how to create the certificate's Secret");
    }

    @Test
    void edgePodsRunAsNonRootWithoutPrivilegesAndWithResources() {
        for (Edge edge : EDGE) {
            Workload workload = workload(edge);
            Container container = container(edge);
            PodSecurityContext pod = workload.spec().getSecurityContext();
            assertNotNull(pod, edge.workload() + " pod securityContext");
            assertEquals(Boolean.TRUE, pod.getRunAsNonRoot(), edge.workload());
            // A numeric user: the kubelet cannot check runAsNonRoot against an image's user name.
            assertNotNull(pod.getRunAsUser(), edge.workload() + " runAsUser");
            assertTrue(pod.getRunAsUser() > 0, edge.workload() + " runAsUser");
            SecurityContext c = container.getSecurityContext();
            assertEquals(Boolean.FALSE, c.getAllowPrivilegeEscalation(), edge.workload());
            assertEquals(Boolean.TRUE, c.getReadOnlyRootFilesystem(), edge.workload());
            assertEquals(List.of("ALL"), c.getCapabilities().getDrop(), edge.workload());
            assertTrue(c.getCapabilities().getAdd() == null || c.getCapabilities().getAdd().isEmpty(), edge.workload() + " adds no capability");
            assertTrue(Boolean.FALSE.equals(workload.spec().getAutomountServiceAccountToken()), edge.workload() + " needs no API token");
            var resources = container.getResources();
            assertNotNull(resources.getRequests().get("cpu"), edge.workload() + " CPU request");
            assertNotNull(resources.getRequests().get("memory"), edge.workload() + " memory request");
            assertNotNull(resources.getLimits().get("memory"), edge.workload() + " memory limit");
        }
    }

    @Test
    void haproxyBindsItsPrivilegedPortsAsNonRootThroughThePodsUnprivilegedPortRange() {
        int lowest = haproxyCfg.sections.stream().flatMap(s -> s.bindPorts().stream()).min(Integer::compare).orElseThrow();
        assertTrue(lowest < 1024, "80 and 443 are privileged ports");
        var sysctls = workload(HAPROXY).spec().getSecurityContext().getSysctls();
        assertNotNull(sysctls, "without net.ipv4.ip_unprivileged_port_start a non-root HAProxy cannot bind " + lowest);
        int start = sysctls.stream().filter(s -> s.getName().equals("net.ipv4.ip_unprivileged_port_start"))
                .map(s -> Integer.parseInt(s.getValue())).findFirst().orElseThrow();
        assertTrue(start <= lowest, "port " + lowest + " is unprivileged in the pod");
    }

    @Test
    void probesAskWhatTheProcessItselfServes() {
        // HAProxy: the statistics page on its own port, which answers whatever the backends do.
        HaproxyConfig.Section stats = haproxyCfg.listening(8404);
        for (Probe probe : List.of(container(HAPROXY).getReadinessProbe(), container(HAPROXY).getLivenessProbe())) {
            assertNotNull(probe, "haproxy probes");
            assertEquals(stats.value("stats uri").orElseThrow(), probe.getHttpGet().getPath());
            assertEquals(8404, KubernetesManifests.resolvePort(container(HAPROXY), probe.getHttpGet().getPort()));
        }
        // MediaMTX: its metrics listener, the one endpoint it serves without asking the node.
        int metrics = MediaMtxConfigTest.port(mediamtx.get("metricsAddress"));
        @SuppressWarnings("unchecked")
        List<Map<String, Object>> excluded = (List<Map<String, Object>>) mediamtx.get("authHTTPExclude");
        assertTrue(excluded.stream().anyMatch(e -> "metrics".equals(e.get("action"))), "the metrics need no authorisation");
        for (Probe probe : List.of(container(MEDIAMTX).getReadinessProbe(), container(MEDIAMTX).getLivenessProbe())) {
            assertNotNull(probe, "mediamtx probes");
            assertEquals("/metrics", probe.getHttpGet().getPath());
            assertEquals(metrics, KubernetesManifests.resolvePort(container(MEDIAMTX), probe.getHttpGet().getPort()));
        }
    }

    @Test
    void containerPortsAreTheListenersOfTheirConfiguration() {
        Set<Integer> binds = haproxyCfg.sections.stream().flatMap(s -> s.bindPorts().stream()).collect(Collectors.toSet());
        assertEquals(binds, container(HAPROXY).getPorts().stream().map(ContainerPort::getContainerPort).collect(Collectors.toSet()));
        Map<String, Integer> tcp = new HashMap<>();
        for (String key : List.of("rtspAddress", "hlsAddress", "webrtcAddress", "apiAddress", "metricsAddress")) {
            tcp.put(key, MediaMtxConfigTest.port(mediamtx.get(key)));
        }
        List<ContainerPort> ports = container(MEDIAMTX).getPorts();
        tcp.forEach((key, port) -> assertTrue(ports.stream().anyMatch(p -> p.getContainerPort().equals(port)
                && (p.getProtocol() == null || p.getProtocol().equals("TCP"))), "mediamtx container port for " + key + " " + port));
        int media = MediaMtxConfigTest.port(mediamtx.get("webrtcLocalUDPAddress"));
        assertTrue(ports.stream().anyMatch(p -> p.getContainerPort() == media && "UDP".equals(p.getProtocol())), "WebRTC media UDP " + media);
    }

    @Test
    void thePublicServiceCarriesHaproxysPublicPortsAndKeepsTheClientsAddress() {
        Service service = KubernetesManifests.named(base, Service.class, "haproxy");
        assertEquals("LoadBalancer", service.getSpec().getType());
        assertEquals("Local", service.getSpec().getExternalTrafficPolicy(),
                "HAProxy's per-client limits and X-Forwarded-For need the client's address, not a node's");
        Set<Integer> published = service.getSpec().getPorts().stream().map(ServicePort::getPort).collect(Collectors.toSet());
        Set<Integer> binds = haproxyCfg.sections.stream().flatMap(s -> s.bindPorts().stream()).collect(Collectors.toSet());
        Set<Integer> expected = binds.stream().filter(p -> p != 8404).collect(Collectors.toSet());
        assertEquals(expected, published, "every public listener and not the statistics");
        Service stats = KubernetesManifests.named(base, Service.class, "haproxy-stats");
        assertEquals("None", stats.getSpec().getClusterIP(), "Prometheus scrapes each HAProxy pod");
        assertEquals(List.of(8404), stats.getSpec().getPorts().stream().map(ServicePort::getPort).toList());
    }

    /**
     * Both overlays as kubectl's kustomize renders them: the ConfigMaps hold the repository's files
     * byte for byte, the pods mount them by their generated (hashed) names, and MediaMTX's
     * authorisation address names the API Service of its own namespace.
     */
    @Test
    void renderedOverlaysRunTheRepositoryFilesAndAskTheirOwnNamespacesApi() throws Exception {
        Optional<Path> kubectl = ExternalTool.find("kubectl");
        Assumptions.assumeTrue(kubectl.isPresent(), "kubectl not installed");
        URI auth = URI.create(String.valueOf(mediamtx.get("authHTTPAddress")));
        for (Path overlay : KubernetesManifests.overlayDirs()) {
            String namespace = Kustomization.in(overlay).namespace();
            ExternalTool.Result build = ExternalTool.run(kubectl.get(), "kustomize", overlay.toString());
            assertEquals(0, build.exitCode(), "kubectl kustomize " + overlay + ": " + build.stderr());
            List<HasMetadata> rendered = KubernetesManifests.parseRendered(build.stdout());
            for (Edge edge : EDGE) {
                List<ConfigMap> maps = rendered.stream().filter(r -> r instanceof ConfigMap && r.getMetadata().getName().startsWith(edge.configMap() + "-"))
                        .map(ConfigMap.class::cast).toList();
                assertEquals(1, maps.size(), overlay + ": one " + edge.configMap());
                ConfigMap map = maps.get(0);
                assertEquals(namespace, map.getMetadata().getNamespace());
                assertEquals(Map.of(edge.file(), Files.readString(edge.path())), map.getData(), overlay + ": " + edge.configMap() + " is the file");
                Workload workload = renderedWorkload(rendered, edge.workload());
                configMount(workload, workload.container(edge.container()), map.getMetadata().getName());
            }
            // MediaMTX resolves a bare Service name in its own namespace (resolv.conf's first search domain).
            Workload mtx = renderedWorkload(rendered, MEDIAMTX.workload());
            String dnsPolicy = mtx.spec().getDnsPolicy();
            assertTrue(dnsPolicy == null || dnsPolicy.equals("ClusterFirst"), "cluster DNS with the namespace's search domains");
            Service api = rendered.stream().filter(r -> r instanceof Service && r.getMetadata().getName().equals(auth.getHost()))
                    .map(Service.class::cast).findFirst()
                    .orElseThrow(() -> new AssertionError(overlay + ": no Service " + auth.getHost() + " for MediaMTX's authorisation"));
            assertEquals(namespace, api.getMetadata().getNamespace());
            assertTrue(api.getSpec().getPorts().stream().anyMatch(p -> p.getPort() == auth.getPort()), overlay + ": port " + auth.getPort());
            Map<String, String> haproxyEnv = renderedWorkload(rendered, HAPROXY.workload()).container(HAPROXY.container()).getEnv().stream()
                    .collect(Collectors.toMap(EnvVar::getName, e -> e.getValueFrom() == null ? e.getValue() : e.getValueFrom().getFieldRef().getFieldPath()));
            assertEquals("metadata.namespace", haproxyEnv.get("GTV_NAMESPACE"), overlay.toString());
        }
    }

    private static Workload renderedWorkload(List<HasMetadata> rendered, String name) {
        return Stream.concat(
                        rendered.stream().filter(r -> r instanceof Deployment).map(Deployment.class::cast)
                                .map(d -> new Workload("Deployment", d.getMetadata().getName(), d.getSpec().getTemplate())),
                        rendered.stream().filter(r -> r instanceof StatefulSet).map(StatefulSet.class::cast)
                                .map(s -> new Workload("StatefulSet", s.getMetadata().getName(), s.getSpec().getTemplate())))
                .filter(w -> w.name().equals(name)).findFirst().orElseThrow(() -> new AssertionError("not rendered: " + name));
    }

    private static Map<String, EnvVar> env(Container container) {
        return container.getEnv().stream().collect(Collectors.toMap(EnvVar::getName, e -> e));
    }
}
