package gtvision.deploy;

import static gtvision.deploy.KubernetesManifests.appContainer;
import static gtvision.deploy.KubernetesManifests.named;
import static gtvision.deploy.KubernetesManifests.ofKind;
import static gtvision.deploy.KubernetesManifests.resolvePort;
import static gtvision.deploy.KubernetesManifests.selects;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import gtvision.deploy.KubernetesManifests.Manifest;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.EnvFromSource;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.HTTPGetAction;
import io.fabric8.kubernetes.api.model.Namespace;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.Probe;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServiceAccount;
import io.fabric8.kubernetes.api.model.ServicePort;
import io.fabric8.kubernetes.api.model.Toleration;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.RollingUpdateDeployment;
import io.fabric8.kubernetes.api.model.autoscaling.v2.HorizontalPodAutoscaler;
import io.fabric8.kubernetes.api.model.autoscaling.v2.MetricSpec;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudget;
import io.fabric8.kubernetes.api.model.rbac.PolicyRule;
import io.fabric8.kubernetes.api.model.rbac.Role;
import io.fabric8.kubernetes.api.model.rbac.RoleBinding;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The Kubernetes base against the application's settings and against itself. */
class KubernetesManifestsTest {

    private static final Set<String> DEPLOYMENTS = Set.of("gtvision", "gtvision-gpu", "gtvision-aws");

    private static List<Manifest> base;
    private static List<Deployment> deployments;

    @BeforeAll
    static void load() {
        base = KubernetesManifests.base();
        deployments = KubernetesManifests.members(base);
    }

    @Test
    void everyManifestAndPatchParsesWithOnlyKnownKubernetesFields() {
        List<Path> files = new ArrayList<>(KubernetesManifests.manifestFiles(KubernetesManifests.baseDir()));
        KubernetesManifests.overlayDirs().forEach(o -> files.addAll(KubernetesManifests.manifestFiles(o)));
        assertFalse(files.isEmpty(), "no manifests under k8s/");
        List<String> problems = new ArrayList<>();
        for (Path file : files) {
            for (Manifest m : KubernetesManifests.load(file)) {
                if (m.resource().getMetadata() == null || m.resource().getMetadata().getName() == null) {
                    problems.add(file + ": resource without metadata.name");
                    continue;
                }
                KubernetesManifests.unknownFields(m.resource()).forEach(u -> problems.add(m.describe() + ": " + u));
            }
        }
        assertEquals(List.of(), problems);
    }

    @Test
    void baseDeclaresEveryResourceTheClusterNeeds() {
        Map<String, Set<String>> byKind = base.stream().collect(Collectors.groupingBy(
                m -> m.resource().getKind(), Collectors.mapping(m -> m.resource().getMetadata().getName(), Collectors.toSet())));
        assertEquals(Set.of("gtvision"), byKind.get("Namespace"));
        assertEquals(Set.of("gtvision"), byKind.get("ServiceAccount"));
        assertEquals(1, byKind.get("Role").size());
        assertEquals(1, byKind.get("RoleBinding").size());
        assertEquals(DEPLOYMENTS, deployments.stream().map(d -> d.getMetadata().getName()).collect(Collectors.toSet()),
                "the cluster members");
        Set<String> all = new java.util.HashSet<>(DEPLOYMENTS);
        all.add("haproxy");
        assertEquals(all, byKind.get("Deployment"), "the members and the edge proxy");
        assertEquals(Set.of("mediamtx"), byKind.get("StatefulSet"));
        assertTrue(byKind.get("ConfigMap").contains("gtvision-config"));
        assertTrue(byKind.get("Service").containsAll(Set.of("gtvision-api", "gtvision-management", "haproxy", "haproxy-stats", "mediamtx")));
        assertEquals(1, byKind.get("PodDisruptionBudget").size());
        assertEquals(Set.of("gtvision-aws"), byKind.get("HorizontalPodAutoscaler"));
        // Names are unique per kind, otherwise kustomize refuses the base.
        Map<String, Long> counts = base.stream().collect(Collectors.groupingBy(
                m -> m.resource().getKind() + "/" + m.resource().getMetadata().getName(), Collectors.counting()));
        counts.forEach((id, n) -> assertEquals(1L, n, id + " declared twice"));
    }

    @Test
    void roleGrantsExactlyThePodVerbsKubernetesDiscoveryNeeds() {
        Role role = ofKind(base, Role.class).get(0);
        assertEquals(1, role.getRules().size(), "one rule: read pods");
        PolicyRule rule = role.getRules().get(0);
        assertEquals(List.of(""), rule.getApiGroups(), "core API group");
        assertEquals(List.of("pods"), rule.getResources());
        assertEquals(Set.of("get", "watch", "list"), Set.copyOf(rule.getVerbs()));
        assertEquals(3, rule.getVerbs().size());

        RoleBinding binding = ofKind(base, RoleBinding.class).get(0);
        assertEquals("Role", binding.getRoleRef().getKind());
        assertEquals(role.getMetadata().getName(), binding.getRoleRef().getName());
        ServiceAccount account = ofKind(base, ServiceAccount.class).get(0);
        assertTrue(binding.getSubjects().stream().anyMatch(s -> "ServiceAccount".equals(s.getKind())
                && account.getMetadata().getName().equals(s.getName())), "binding names the ServiceAccount");
        for (Deployment d : deployments) {
            assertEquals(account.getMetadata().getName(), podSpec(d).getServiceAccountName(),
                    d.getMetadata().getName() + " runs as the ServiceAccount that may list pods");
        }
    }

    @Test
    void everyDeploymentPodCarriesTheBootstrapDiscoveryLabel() {
        String serviceName = data("GTV_BOOTSTRAP_SERVICE_NAME");
        assertEquals(DeploySettings.SERVICE_NAME, serviceName);
        for (Deployment d : deployments) {
            assertEquals(serviceName, podLabels(d).get(DeploySettings.BOOTSTRAP_LABEL),
                    d.getMetadata().getName() + " pods must be found by Cluster Bootstrap to join the one cluster");
        }
    }

    @Test
    void deploymentSelectorsMatchTheirOwnPodsAndNoOtherDeploymentsPods() {
        for (Deployment d : deployments) {
            assertTrue(selects(d.getSpec().getSelector(), podLabels(d)), d.getMetadata().getName() + " selects its own pods");
            for (Deployment other : deployments) {
                if (other != d) {
                    assertFalse(selects(d.getSpec().getSelector(), podLabels(other)),
                            d.getMetadata().getName() + " would adopt the pods of " + other.getMetadata().getName());
                }
            }
        }
    }

    @Test
    void containerPortsMatchTheApplicationSettings() {
        ConfigMap config = KubernetesManifests.config(base);
        assertEquals(String.valueOf(DeploySettings.HTTP_PORT), config.getData().get("GTV_HTTP_PORT"));
        assertEquals(String.valueOf(DeploySettings.MANAGEMENT_PORT), config.getData().get("GTV_MANAGEMENT_PORT"));
        assertEquals(String.valueOf(DeploySettings.REMOTING_PORT), config.getData().get("GTV_CLUSTER_PORT"));
        for (Deployment d : deployments) {
            Map<String, Integer> ports = appContainer(d).getPorts().stream()
                    .collect(Collectors.toMap(p -> p.getName(), p -> p.getContainerPort()));
            assertEquals(Map.of("http", DeploySettings.HTTP_PORT, "management", DeploySettings.MANAGEMENT_PORT,
                    "remoting", DeploySettings.REMOTING_PORT), ports, d.getMetadata().getName());
        }
    }

    @Test
    void readinessProbesPointAtManagementReadyPath() {
        assertProbes(Container::getReadinessProbe, DeploySettings.READY_PATH);
    }

    @Test
    void livenessProbesPointAtManagementAlivePath() {
        assertProbes(Container::getLivenessProbe, DeploySettings.ALIVE_PATH);
    }

    @Test
    void startupProbesPointAtManagementStartupPath() {
        assertProbes(Container::getStartupProbe, DeploySettings.STARTUP_PATH);
    }

    private static void assertProbes(Function<Container, Probe> probeOf, String path) {
        for (Deployment d : deployments) {
            Container c = appContainer(d);
            Probe probe = probeOf.apply(c);
            assertNotNull(probe, d.getMetadata().getName() + " probe for " + path);
            HTTPGetAction get = probe.getHttpGet();
            assertNotNull(get, d.getMetadata().getName() + " " + path + " is an HTTP probe");
            assertEquals(path, get.getPath(), d.getMetadata().getName());
            assertEquals(DeploySettings.MANAGEMENT_PORT, resolvePort(c, get.getPort()), d.getMetadata().getName() + " " + path);
        }
    }

    @Test
    void rollingUpdatesAddANewMemberBeforeRemovingAnOldOne() {
        for (Deployment d : deployments) {
            assertEquals("RollingUpdate", d.getSpec().getStrategy().getType(), d.getMetadata().getName());
            RollingUpdateDeployment rolling = d.getSpec().getStrategy().getRollingUpdate();
            assertEquals(0, rolling.getMaxUnavailable().getIntVal(), d.getMetadata().getName() + " maxUnavailable");
            assertEquals(1, rolling.getMaxSurge().getIntVal(), d.getMetadata().getName() + " maxSurge");
        }
        assertEquals(3, named(base, Deployment.class, "gtvision").getSpec().getReplicas(), "three API/camera members");
    }

    @Test
    void shutdownLeavesTimeForCoordinatedShutdownToHandOffShards() {
        // Budget for Pekko's coordinated shutdown after SIGTERM: sharding hand-off and cluster leave.
        int coordinatedShutdownSeconds = 30;
        Pattern sleep = Pattern.compile("\\bsleep\\s+(\\d+)\\b");
        for (Deployment d : deployments) {
            Container c = appContainer(d);
            assertNotNull(c.getLifecycle(), d.getMetadata().getName() + " lifecycle");
            var preStop = c.getLifecycle().getPreStop();
            assertNotNull(preStop, d.getMetadata().getName() + " preStop");
            int preStopSeconds;
            if (preStop.getSleep() != null) {
                preStopSeconds = preStop.getSleep().getSeconds().intValue();
            } else {
                assertNotNull(preStop.getExec(), d.getMetadata().getName() + " preStop sleeps");
                Matcher m = sleep.matcher(String.join(" ", preStop.getExec().getCommand()));
                assertTrue(m.find(), d.getMetadata().getName() + " preStop command sleeps: " + preStop.getExec().getCommand());
                preStopSeconds = Integer.parseInt(m.group(1));
            }
            assertTrue(preStopSeconds >= 5, d.getMetadata().getName() + " preStop gives endpoints time to drop the pod");
            long grace = podSpec(d).getTerminationGracePeriodSeconds();
            assertTrue(grace >= preStopSeconds + coordinatedShutdownSeconds,
                    d.getMetadata().getName() + " terminationGracePeriodSeconds " + grace + " < preStop " + preStopSeconds
                            + " s + " + coordinatedShutdownSeconds + " s coordinated shutdown");
        }
    }

    @Test
    void podsTakeTheirAddressNamespaceRolesAndVersionFromTheirDeployment() {
        Map<String, String> expectedRoles = Map.of("gtvision-gpu", "gpu", "gtvision-aws", "aws");
        for (Deployment d : deployments) {
            Map<String, EnvVar> env = env(d);
            assertEquals("status.podIP", env.get("GTV_HOSTNAME").getValueFrom().getFieldRef().getFieldPath());
            assertEquals("metadata.namespace", env.get("GTV_K8S_NAMESPACE").getValueFrom().getFieldRef().getFieldPath());
            assertTrue(env.containsKey("GTV_APP_VERSION"), d.getMetadata().getName() + " GTV_APP_VERSION");
            List<String> roles = Arrays.asList(env.get("GTV_CLUSTER_ROLES").getValue().split("\\s*,\\s*"));
            String expected = expectedRoles.get(d.getMetadata().getName());
            if (expected != null) {
                assertEquals(List.of(expected), roles, d.getMetadata().getName());
            } else {
                assertFalse(roles.contains("gpu") || roles.contains("aws"),
                        "API/camera members take no inference role: " + roles);
            }
        }
    }

    @Test
    void gpuPodsRequestOneGpuAndLandOnGpuNodesOnly() {
        Deployment gpu = named(base, Deployment.class, "gtvision-gpu");
        Map<String, Quantity> limits = appContainer(gpu).getResources().getLimits();
        assertEquals(new Quantity("1"), limits.get("nvidia.com/gpu"));
        PodSpec spec = podSpec(gpu);
        assertNotNull(spec.getNodeSelector(), "GPU pods need a node selector");
        assertFalse(spec.getNodeSelector().isEmpty());
        List<Toleration> tolerations = spec.getTolerations();
        assertTrue(tolerations.stream().anyMatch(t -> "nvidia.com/gpu".equals(t.getKey()) && "NoSchedule".equals(t.getEffect())),
                "tolerates the nvidia.com/gpu taint");
        for (Deployment d : deployments) {
            if (d != gpu) {
                var other = appContainer(d).getResources().getLimits();
                assertFalse(other != null && other.containsKey("nvidia.com/gpu"), d.getMetadata().getName() + " must not take a GPU");
            }
        }
    }

    @Test
    void settingsComeFromTheConfigMapAndCredentialsFromTheSecret() {
        ConfigMap config = KubernetesManifests.config(base);
        List<String> settings = List.of("GTV_HTTP_PORT", "GTV_MANAGEMENT_PORT", "GTV_CLUSTER_PORT", "GTV_CLUSTER_BOOTSTRAP",
                "GTV_BOOTSTRAP_SERVICE_NAME", "GTV_BOOTSTRAP_REQUIRED_CONTACTS", "GTV_DATA_DIR", "GTV_DB", "GTV_DB_URL",
                "GTV_KAFKA_BOOTSTRAP", "GTV_S3_ENDPOINT", "GTV_S3_BUCKET", "AWS_REGION", "GTV_MODEL_PATH", "GTV_INFERENCE_MODE");
        for (String key : settings) {
            assertTrue(config.getData().containsKey(key), "ConfigMap gtvision-config lacks " + key);
        }
        assertEquals("on", config.getData().get("GTV_CLUSTER_BOOTSTRAP"));
        assertEquals("3", config.getData().get("GTV_BOOTSTRAP_REQUIRED_CONTACTS"), "the initial cluster is the three API/camera members");
        for (String secret : List.of("GTV_DB_PASSWORD", "GTV_DB_USER", "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY")) {
            assertFalse(config.getData().containsKey(secret), secret + " belongs into the Secret");
        }
        for (Deployment d : deployments) {
            List<EnvFromSource> envFrom = appContainer(d).getEnvFrom();
            assertTrue(envFrom.stream().anyMatch(e -> e.getConfigMapRef() != null
                    && "gtvision-config".equals(e.getConfigMapRef().getName())), d.getMetadata().getName() + " reads gtvision-config");
            Map<String, EnvVar> env = env(d);
            for (String secret : List.of("GTV_DB_USER", "GTV_DB_PASSWORD")) {
                var ref = env.get(secret).getValueFrom().getSecretKeyRef();
                assertEquals("gtvision-secrets", ref.getName(), d.getMetadata().getName() + " " + secret);
                assertNull(env.get(secret).getValue(), secret + " has no literal value");
            }
            for (String optional : List.of("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY")) {
                var ref = env.get(optional).getValueFrom().getSecretKeyRef();
                assertEquals(Boolean.TRUE, ref.getOptional(), optional + " is optional (IRSA / instance roles)");
            }
            assertEquals("/data", appContainer(d).getVolumeMounts().stream()
                    .filter(v -> "data".equals(v.getName())).findFirst().orElseThrow().getMountPath());
            assertNotNull(podSpec(d).getVolumes().stream().filter(v -> "data".equals(v.getName())).findFirst().orElseThrow().getEmptyDir(),
                    "GTV_DATA_DIR is an emptyDir");
        }
        assertEquals("/data", config.getData().get("GTV_DATA_DIR"));
    }

    @Test
    void servicesSelectPodsThatExposeTheirTargetPorts() {
        for (Service service : ofKind(base, Service.class)) {
            String name = service.getMetadata().getName();
            List<KubernetesManifests.Workload> backing = KubernetesManifests.workloads(base).stream()
                    .filter(w -> selects(service.getSpec().getSelector(), w.podLabels())).collect(Collectors.toList());
            assertFalse(backing.isEmpty(), "Service " + name + " selects no pods");
            for (ServicePort port : service.getSpec().getPorts()) {
                for (KubernetesManifests.Workload w : backing) {
                    assertTrue(w.spec().getContainers().stream().anyMatch(c -> c.getPorts().stream().anyMatch(p ->
                                    (port.getTargetPort().getIntVal() != null ? port.getTargetPort().getIntVal().equals(p.getContainerPort())
                                            : port.getTargetPort().getStrVal().equals(p.getName()))
                                    && protocol(port.getProtocol()).equals(protocol(p.getProtocol())))),
                            "Service " + name + " port " + port.getName() + ": no container of " + w.name() + " listens on "
                                    + port.getTargetPort());
                }
            }
        }
        Service api = named(base, Service.class, "gtvision-api");
        assertEquals(DeploySettings.HTTP_PORT, api.getSpec().getPorts().get(0).getPort());
        Service management = named(base, Service.class, "gtvision-management");
        assertEquals(DeploySettings.MANAGEMENT_PORT, management.getSpec().getPorts().get(0).getPort());
        for (Service service : ofKind(base, Service.class)) {
            String type = service.getSpec().getType();
            if (service.getMetadata().getName().equals("haproxy")) {
                assertEquals("LoadBalancer", type, "HAProxy is the public entry");
                continue;
            }
            assertTrue(type == null || type.equals("ClusterIP"),
                    "Service " + service.getMetadata().getName() + " is internal; HAProxy is the only public entry");
        }
    }

    private static String protocol(String protocol) {
        return protocol == null ? "TCP" : protocol;
    }

    @Test
    void oneDisruptionBudgetCoversEveryClusterMember() {
        List<PodDisruptionBudget> budgets = ofKind(base, PodDisruptionBudget.class);
        assertEquals(1, budgets.size());
        PodDisruptionBudget pdb = budgets.get(0);
        assertEquals(1, pdb.getSpec().getMaxUnavailable().getIntVal());
        for (Deployment d : deployments) {
            assertTrue(selects(pdb.getSpec().getSelector(), podLabels(d)), "PDB covers " + d.getMetadata().getName());
        }
    }

    @Test
    void awsWorkerPoolScalesOnCpuBetweenTwoAndTenPods() {
        HorizontalPodAutoscaler hpa = named(base, HorizontalPodAutoscaler.class, "gtvision-aws");
        var target = hpa.getSpec().getScaleTargetRef();
        assertEquals("Deployment", target.getKind());
        Deployment aws = named(base, Deployment.class, target.getName());
        assertEquals("aws", env(aws).get("GTV_CLUSTER_ROLES").getValue());
        assertEquals(2, hpa.getSpec().getMinReplicas());
        assertEquals(10, hpa.getSpec().getMaxReplicas());
        assertEquals(1, hpa.getSpec().getMetrics().size());
        MetricSpec metric = hpa.getSpec().getMetrics().get(0);
        assertEquals("cpu", metric.getResource().getName());
        assertEquals("Utilization", metric.getResource().getTarget().getType());
        assertEquals(70, metric.getResource().getTarget().getAverageUtilization());
        assertNotNull(appContainer(aws).getResources().getRequests().get("cpu"), "utilisation is relative to the CPU request");
        assertNull(aws.getSpec().getReplicas(), "the HPA owns the replica count; a fixed one is reset by every apply");
    }

    @Test
    void namespaceOfTheBaseIsTheOneTheKustomizationSets() {
        Namespace ns = ofKind(base, Namespace.class).get(0);
        assertEquals(Kustomization.in(KubernetesManifests.baseDir()).namespace(), ns.getMetadata().getName());
    }

    private static String data(String key) {
        return KubernetesManifests.config(base).getData().get(key);
    }

    private static PodSpec podSpec(Deployment d) {
        return d.getSpec().getTemplate().getSpec();
    }

    private static Map<String, String> podLabels(Deployment d) {
        return d.getSpec().getTemplate().getMetadata().getLabels();
    }

    private static Map<String, EnvVar> env(Deployment d) {
        Map<String, EnvVar> env = appContainer(d).getEnv().stream().collect(Collectors.toMap(EnvVar::getName, e -> e));
        for (String required : List.of("GTV_HOSTNAME", "GTV_K8S_NAMESPACE", "GTV_CLUSTER_ROLES", "GTV_APP_VERSION",
                "GTV_DB_USER", "GTV_DB_PASSWORD", "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY")) {
            if (!env.containsKey(required)) {
                fail(d.getMetadata().getName() + " lacks env " + required);
            }
        }
        return env;
    }
}
