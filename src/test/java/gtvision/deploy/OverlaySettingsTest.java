package gtvision.deploy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import gtvision.deploy.KubernetesManifests.Manifest;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/** What each overlay's members run with: evidence store, cluster-wide secrets, proxies and origins. */
class OverlaySettingsTest {

    private static final List<String> CLUSTER_SECRETS = List.of("GTV_AUTH_TOKEN_SECRET", "GTV_SECRETS_KEY");

    /** gtvision-config as an overlay renders it: the base's data with the overlay's patches over it. */
    private static Map<String, String> settings(Path overlay) {
        Map<String, String> data = new HashMap<>(KubernetesManifests.config(KubernetesManifests.base()).getData());
        for (Path patch : Kustomization.in(overlay).patchFiles()) {
            for (Manifest m : KubernetesManifests.load(patch)) {
                if (m.resource() instanceof ConfigMap c && "gtvision-config".equals(c.getMetadata().getName())) {
                    data.putAll(c.getData());
                }
            }
        }
        return data;
    }

    @Test
    void everyOverlayKeepsEvidenceInS3BecauseTheDataDirectoryIsAnEmptyDir() {
        for (Path overlay : KubernetesManifests.overlayDirs()) {
            Map<String, String> settings = settings(overlay);
            assertEquals("s3", settings.get("GTV_EVIDENCE_STORE"), overlay + ": frames on the emptyDir vanish with the pod");
            for (String key : List.of("GTV_S3_ENDPOINT", "GTV_S3_BUCKET", "GTV_S3_REGION")) {
                assertFalse(settings.getOrDefault(key, "").isBlank(), overlay + " sets " + key);
            }
        }
        assertEquals("false", settings(KubernetesManifests.k8sDir().resolve("overlays/prod")).get("GTV_S3_PATH_STYLE"),
                "AWS S3 takes virtual-hosted URLs");
    }

    @Test
    void everyMemberTakesTheTokenSecretAndTheSecretsKeyFromTheSameSecret() {
        Map<String, String> base = KubernetesManifests.config(KubernetesManifests.base()).getData();
        for (Deployment d : KubernetesManifests.members(KubernetesManifests.base())) {
            Map<String, EnvVar> env = KubernetesManifests.appContainer(d).getEnv().stream()
                    .collect(Collectors.toMap(EnvVar::getName, e -> e));
            for (String key : CLUSTER_SECRETS) {
                EnvVar var = env.get(key);
                assertNotNull(var, d.getMetadata().getName() + " lacks " + key);
                assertNull(var.getValue(), key + " has no literal value");
                var ref = var.getValueFrom().getSecretKeyRef();
                assertEquals("gtvision-secrets", ref.getName());
                assertEquals(key, ref.getKey());
                assertFalse(Boolean.TRUE.equals(ref.getOptional()),
                        key + " is required: a member that generated its own would disagree with the others");
                assertFalse(base.containsKey(key), key + " belongs into the Secret, not the ConfigMap");
            }
        }
    }

    @Test
    void theDevSecretCarriesUsableClusterKeys() {
        Kustomization dev = Kustomization.in(KubernetesManifests.k8sDir().resolve("overlays/dev"));
        @SuppressWarnings("unchecked")
        List<String> literals = (List<String>) dev.entries("secretGenerator").stream()
                .filter(g -> "gtvision-secrets".equals(g.get("name"))).findFirst().orElseThrow().get("literals");
        Map<String, String> values = literals.stream().map(l -> l.split("=", 2)).collect(Collectors.toMap(kv -> kv[0], kv -> kv[1]));
        for (String key : CLUSTER_SECRETS) {
            assertTrue(values.containsKey(key), "dev Secret lacks " + key);
            assertEquals(32, Base64.getDecoder().decode(values.get(key)).length, key + " is base64 of 32 bytes");
        }
        assertFalse(values.get("GTV_AUTH_TOKEN_SECRET").equals(values.get("GTV_SECRETS_KEY")), "two keys, two purposes");
    }

    @Test
    void productionSecretInstructionsCreateTheClusterKeys() throws Exception {
        String readme = Files.readString(DeploySettings.repo().resolve("README.md"));
        int create = readme.indexOf("create secret generic gtvision-secrets");
        assertTrue(create >= 0);
        String command = readme.substring(create, readme.indexOf("```", create));
        for (String key : CLUSTER_SECRETS) {
            assertTrue(command.contains("--from-literal=" + key + "="), "the documented command sets " + key);
        }
    }

    @Test
    void forwardedForIsTrustedFromThePodNetworkAndTheLiveFeedFromThePublicHostname() {
        for (Path overlay : KubernetesManifests.overlayDirs()) {
            Map<String, String> settings = settings(overlay);
            String proxies = settings.getOrDefault("GTV_TRUSTED_PROXIES", "");
            assertFalse(proxies.isBlank(), overlay + ": without trusted proxies every client counts as HAProxy's address");
            for (String cidr : proxies.split(",")) {
                assertTrue(cidr.trim().matches("\\d{1,3}(\\.\\d{1,3}){3}/\\d{1,2}"), overlay + ": a CIDR: " + cidr);
                assertFalse(cidr.trim().endsWith("/0"), overlay + ": not the whole internet");
            }
            String origins = settings.getOrDefault("GTV_WS_ALLOWED_ORIGINS", "");
            assertFalse(origins.isBlank(), overlay + " names the public origin");
            for (String origin : origins.split(",")) {
                URI uri = URI.create(origin.trim());
                assertEquals("https", uri.getScheme(), "HAProxy serves the dashboard over TLS: " + origin);
                assertTrue(uri.getPath() == null || uri.getPath().isEmpty(), "an origin has no path: " + origin);
            }
        }
    }

    private static final String ARTERY_SECRET = "gtvision-artery-tls";
    private static final List<String> ARTERY_PASSWORDS = List.of("GTV_ARTERY_KEYSTORE_PASSWORD", "GTV_ARTERY_TRUSTSTORE_PASSWORD");

    @Test
    void productionMembersTalkArteryOverMutualTlsWithTheKeyStoresOfTheirSecret() {
        Path prod = KubernetesManifests.k8sDir().resolve("overlays/prod");
        Map<String, Object> entry = Kustomization.in(prod).entries("patches").stream()
                .filter(p -> String.valueOf(p.get("path")).contains("artery")).findFirst()
                .orElseThrow(() -> new AssertionError("the prod overlay has no Artery TLS patch"));
        // The target picks every member and nothing else: a member left on tcp could not talk to the others.
        @SuppressWarnings("unchecked")
        Map<String, Object> target = (Map<String, Object>) entry.get("target");
        assertNotNull(target, "the patch names its targets");
        assertEquals("Deployment", target.get("kind"));
        String[] label = String.valueOf(target.get("labelSelector")).split("=", 2);
        for (Deployment d : KubernetesManifests.ofKind(KubernetesManifests.base(), Deployment.class)) {
            boolean selected = label[1].equals(d.getSpec().getTemplate().getMetadata().getLabels().get(label[0]))
                    && label[1].equals(d.getMetadata().getLabels().get(label[0]));
            assertEquals(KubernetesManifests.isMember(d), selected, d.getMetadata().getName() + " is patched exactly when it is a member");
        }
        Deployment patch = (Deployment) KubernetesManifests.load(prod.resolve((String) entry.get("path"))).get(0).resource();
        assertArteryTls(patch, "the prod patch");
    }

    /** What a member needs for Artery over mutual TLS: the transport, the key stores where cluster.conf reads them, their passwords. */
    private static void assertArteryTls(Deployment d, String what) {
        var container = KubernetesManifests.appContainer(d);
        Map<String, EnvVar> env = container.getEnv().stream().collect(Collectors.toMap(EnvVar::getName, e -> e));
        assertEquals("tls-tcp", env.get("GTV_ARTERY_TRANSPORT").getValue(), what);
        for (String password : ARTERY_PASSWORDS) {
            EnvVar var = env.get(password);
            assertNotNull(var, what + " sets " + password);
            assertNull(var.getValue(), password + " never as a literal");
            assertEquals(ARTERY_SECRET, var.getValueFrom().getSecretKeyRef().getName(), what + " " + password);
            assertFalse(Boolean.TRUE.equals(var.getValueFrom().getSecretKeyRef().getOptional()), what + " " + password + " is required");
        }
        assertFalse(env.containsKey("GTV_ARTERY_KEYSTORE") || env.containsKey("GTV_ARTERY_TRUSTSTORE"),
                "the key stores are mounted where cluster.conf looks by default");
        var volume = d.getSpec().getTemplate().getSpec().getVolumes().stream()
                .filter(v -> v.getSecret() != null && ARTERY_SECRET.equals(v.getSecret().getSecretName())).findFirst()
                .orElseThrow(() -> new AssertionError(what + " mounts no Secret " + ARTERY_SECRET));
        assertFalse(Boolean.TRUE.equals(volume.getSecret().getOptional()), "a member without key stores cannot join: the Secret is required");
        Path keyStore = Path.of(DeploySettings.ARTERY_KEY_STORE);
        Path trustStore = Path.of(DeploySettings.ARTERY_TRUST_STORE);
        assertEquals(keyStore.getParent(), trustStore.getParent());
        Map<String, String> items = volume.getSecret().getItems().stream()
                .collect(Collectors.toMap(i -> i.getKey(), i -> i.getPath()));
        assertEquals(Map.of("keystore.p12", keyStore.getFileName().toString(), "truststore.p12", trustStore.getFileName().toString()), items,
                what + ": only the key stores become files, under the names cluster.conf reads");
        var mount = container.getVolumeMounts().stream().filter(m -> m.getName().equals(volume.getName())).findFirst()
                .orElseThrow(() -> new AssertionError(what + " does not mount " + volume.getName()));
        assertEquals(keyStore.getParent().toString(), mount.getMountPath(), what);
        assertEquals(Boolean.TRUE, mount.getReadOnly(), what);
    }

    @Test
    void theReadmeCreatesTheArteryTlsSecretWithTheKeysTheMembersRead() throws Exception {
        String readme = Files.readString(DeploySettings.repo().resolve("README.md"));
        int create = readme.indexOf("create secret generic " + ARTERY_SECRET);
        assertTrue(create >= 0, "the README says how to create " + ARTERY_SECRET);
        String command = readme.substring(create, readme.indexOf("```", create));
        for (String file : List.of("keystore.p12", "truststore.p12")) {
            assertTrue(command.contains("--from-file=" + file), "the documented command adds " + file);
        }
        for (String password : ARTERY_PASSWORDS) {
            assertTrue(command.contains("--from-literal=" + password + "="), "the documented command sets " + password);
        }
    }

    /** Rendered: prod's members all on tls-tcp with the Secret mounted, dev's all on plain tcp; never a mix. */
    @Test
    void renderedOverlaysRunAllTheirMembersOnOneArteryTransport() throws Exception {
        Optional<Path> kubectl = ExternalTool.find("kubectl");
        Assumptions.assumeTrue(kubectl.isPresent(), "kubectl not installed");
        for (Path overlay : KubernetesManifests.overlayDirs()) {
            ExternalTool.Result build = ExternalTool.run(kubectl.get(), "kustomize", overlay.toString());
            assertEquals(0, build.exitCode(), build.stderr());
            List<Deployment> members = KubernetesManifests.parseRendered(build.stdout()).stream()
                    .filter(r -> r instanceof Deployment).map(Deployment.class::cast).filter(KubernetesManifests::isMember).toList();
            assertEquals(3, members.size(), overlay + ": the three member pools");
            boolean prod = overlay.getFileName().toString().equals("prod");
            for (Deployment d : members) {
                if (prod) {
                    assertArteryTls(d, overlay + " " + d.getMetadata().getName());
                } else {
                    boolean anyTls = KubernetesManifests.appContainer(d).getEnv().stream().anyMatch(e -> e.getName().startsWith("GTV_ARTERY_"));
                    assertFalse(anyTls, overlay + " " + d.getMetadata().getName() + " stays on plain tcp");
                }
            }
        }
    }

    /** The same, on what kubectl's kustomize actually renders, where kubectl is installed. */
    @Test
    void renderedOverlaysCarryTheSettingsAndThePolicies() throws Exception {
        Optional<Path> kubectl = ExternalTool.find("kubectl");
        Assumptions.assumeTrue(kubectl.isPresent(), "kubectl not installed");
        for (Path overlay : KubernetesManifests.overlayDirs()) {
            ExternalTool.Result build = ExternalTool.run(kubectl.get(), "kustomize", overlay.toString());
            assertEquals(0, build.exitCode(), build.stderr());
            List<HasMetadata> rendered = KubernetesManifests.parseRendered(build.stdout());
            ConfigMap config = rendered.stream().filter(r -> r instanceof ConfigMap && r.getMetadata().getName().startsWith("gtvision-config"))
                    .map(ConfigMap.class::cast).findFirst().orElseThrow();
            assertEquals("s3", config.getData().get("GTV_EVIDENCE_STORE"), overlay.toString());
            assertEquals(settings(overlay), config.getData(), overlay + ": the merge here is the one kustomize does");
            assertTrue(rendered.stream().anyMatch(r -> r.getKind().equals("NetworkPolicy")
                    && r.getMetadata().getName().equals("default-deny-ingress")), overlay + " denies ingress by default");
        }
    }
}
