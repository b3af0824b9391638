package gtvision.deploy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import gtvision.deploy.KubernetesManifests.Manifest;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.rbac.RoleBinding;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/** The base and the overlays as kustomize will read them. */
class KustomizationTest {

    // Pekko's Version: dot-separated numbers with an optional qualifier (1.2.3, 1.2.3-RC1).
    private static final Pattern PEKKO_VERSION = Pattern.compile("\\d+(\\.\\d+)*(-[A-Za-z0-9.]+)?");
    private static final String APP_VERSION_PATH = "spec.template.spec.containers.[name=gtvision].env.[name=GTV_APP_VERSION].value";

    private static List<Kustomization> all() {
        List<Kustomization> all = new ArrayList<>();
        all.add(Kustomization.in(KubernetesManifests.baseDir()));
        KubernetesManifests.overlayDirs().forEach(d -> all.add(Kustomization.in(d)));
        KubernetesManifests.edgeConfigDirs().forEach(d -> all.add(Kustomization.in(d)));
        return all;
    }

    @Test
    void thereAreDevAndProdOverlays() {
        Set<String> names = KubernetesManifests.overlayDirs().stream().map(p -> p.getFileName().toString()).collect(Collectors.toSet());
        assertTrue(names.containsAll(Set.of("dev", "prod")), "overlays: " + names);
    }

    @Test
    void kustomizationsUseOnlyKnownFields() {
        for (Kustomization k : all()) {
            Set<String> unknown = new HashSet<>(k.fields.keySet());
            unknown.removeAll(Kustomization.KNOWN_FIELDS);
            assertEquals(Set.of(), unknown, k.dir.toString());
        }
    }

    @Test
    void kustomizationsReferenceExistingFiles() {
        for (Kustomization k : all()) {
            for (Path p : k.referencedPaths()) {
                assertTrue(p.startsWith(KubernetesManifests.k8sDir()) || KubernetesManifests.edgeConfigDirs().stream().anyMatch(p::startsWith),
                        k.dir + " reads " + p + " outside k8s/ and the edge configuration directories");
                if (Files.isDirectory(p)) {
                    Kustomization.in(p);
                } else {
                    assertTrue(Files.isRegularFile(p), k.dir + " references missing " + p);
                }
            }
        }
    }

    @Test
    void kustomizeReadsGeneratorAndPatchFilesOnlyFromInsideTheirOwnKustomization() throws IOException {
        // kustomize's default load restriction: a generator or patch file outside the kustomization's
        // directory, also through a symbolic link, fails the build ("security; file ... is not in or
        // below ..."), and so does a resource directory that contains the kustomization reading it.
        for (Kustomization k : all()) {
            List<Path> files = new ArrayList<>(k.generatorFiles());
            files.addAll(k.patchFiles());
            for (Path file : files) {
                assertTrue(file.startsWith(k.dir) && file.toRealPath().startsWith(k.dir.toRealPath()),
                        k.dir + " reads " + file + ", which kustomize refuses outside the kustomization's directory");
            }
            for (String resource : k.strings("resources")) {
                Path p = k.dir.resolve(resource).normalize();
                if (Files.isDirectory(p)) {
                    assertFalse(k.dir.startsWith(p), k.dir + " includes its own ancestor " + p + " (kustomize: cycle detected)");
                }
            }
        }
    }

    @Test
    void everyManifestFileIsPartOfABuild() {
        for (Kustomization k : all()) {
            Set<Path> referenced = new HashSet<>(k.referencedPaths());
            for (Path file : KubernetesManifests.manifestFiles(k.dir)) {
                if (file.getParent().equals(k.dir)) {
                    assertTrue(referenced.contains(file), file + " is not listed in " + k.dir.resolve("kustomization.yaml"));
                }
            }
        }
    }

    @Test
    void overlayPatchesReplicasAndImagesTargetResourcesOfTheBase() {
        List<Manifest> base = KubernetesManifests.base();
        Set<String> baseIds = base.stream().map(m -> id(m.resource())).collect(Collectors.toSet());
        Set<String> deployments = KubernetesManifests.workloads(base).stream()
                .map(KubernetesManifests.Workload::name).collect(Collectors.toSet());
        Set<String> images = KubernetesManifests.ofKind(base, Deployment.class).stream()
                .flatMap(d -> d.getSpec().getTemplate().getSpec().getContainers().stream())
                .map(c -> c.getImage().split(":")[0]).collect(Collectors.toSet());
        for (Path overlay : KubernetesManifests.overlayDirs()) {
            Kustomization k = Kustomization.in(overlay);
            List<String> resources = k.strings("resources");
            assertEquals("../../base", resources.get(0), overlay + " builds on the base");
            // Anything else an overlay adds is its own new resource (dev: the policy for its in-namespace
            // database, Kafka and MinIO), never a second copy of something the base declares.
            for (String extra : resources.subList(1, resources.size())) {
                assertFalse(extra.contains(".."), overlay + ": " + extra + " lives in the overlay");
                for (Manifest m : KubernetesManifests.load(overlay.resolve(extra))) {
                    assertFalse(baseIds.contains(id(m.resource())), extra + " redeclares " + id(m.resource()));
                }
            }
            for (Path patch : k.patchFiles()) {
                for (Manifest m : KubernetesManifests.load(patch)) {
                    assertTrue(baseIds.contains(id(m.resource())), patch + " patches " + id(m.resource()) + ", which the base lacks");
                }
            }
            for (Map<String, Object> replicas : k.entries("replicas")) {
                assertTrue(deployments.contains((String) replicas.get("name")), overlay + " scales unknown " + replicas.get("name"));
            }
            for (Map<String, Object> image : k.entries("images")) {
                assertTrue(images.contains((String) image.get("name")), overlay + " sets an image no container uses: " + image.get("name"));
            }
        }
    }

    @Test
    void imageTagIsAPekkoAppVersionAndCopiedIntoEveryDeployment() {
        List<Deployment> deployments = KubernetesManifests.members(KubernetesManifests.base());
        for (Path overlay : KubernetesManifests.overlayDirs()) {
            Kustomization k = Kustomization.in(overlay);
            Map<String, Object> image = k.entries("images").stream().filter(i -> "gtvision".equals(i.get("name"))).findFirst()
                    .orElseThrow(() -> new AssertionError(overlay + " sets no tag for image gtvision"));
            String tag = String.valueOf(image.get("newTag"));
            assertTrue(PEKKO_VERSION.matcher(tag).matches(), overlay + ": tag " + tag + " is not a Pekko app-version");
            Object newName = image.get("newName");
            assertFalse(newName != null && newName.toString().contains(":"),
                    overlay + ": a registry port in newName breaks taking the version after the first ':'");

            List<Map<String, Object>> replacements = k.entries("replacements");
            assertEquals(1, replacements.size(), overlay + ": one replacement, the app version");
            Map<String, Object> replacement = replacements.get(0);
            Map<String, Object> source = map(replacement.get("source"));
            assertEquals("Deployment", source.get("kind"));
            assertEquals("spec.template.spec.containers.[name=gtvision].image", source.get("fieldPath"));
            Map<String, Object> options = map(source.get("options"));
            assertEquals(":", options.get("delimiter"));
            assertEquals(1, options.get("index"));

            Set<String> covered = new HashSet<>();
            for (Object t : (List<?>) replacement.get("targets")) {
                Map<String, Object> target = map(t);
                assertEquals(List.of(APP_VERSION_PATH), target.get("fieldPaths"));
                Map<String, Object> select = map(target.get("select"));
                for (Deployment d : deployments) {
                    if (matches(select, d)) {
                        covered.add(d.getMetadata().getName());
                    }
                }
                KubernetesManifests.ofKind(KubernetesManifests.base(), Deployment.class).stream()
                        .filter(d -> !KubernetesManifests.isMember(d))
                        .forEach(d -> assertFalse(matches(select, d), overlay + ": the app version is not " + d.getMetadata().getName() + "'s"));
            }
            assertEquals(deployments.stream().map(d -> d.getMetadata().getName()).collect(Collectors.toSet()), covered,
                    overlay + ": every Deployment gets the app version");
        }
    }

    @Test
    void prodSecretIsDocumentedWithEveryRequiredKey() throws IOException {
        Kustomization prod = Kustomization.in(KubernetesManifests.k8sDir().resolve("overlays/prod"));
        assertTrue(prod.entries("secretGenerator").isEmpty(), "production credentials never come from git");
        // The Deploy section lives in README.md.
        String docs = Files.readString(DeploySettings.repo().resolve("README.md"));
        assertTrue(docs.indexOf("gtvision-secrets") >= 0, "the Deploy docs explain how to create gtvision-secrets");
        for (String key : requiredSecretKeys()) {
            assertTrue(docs.indexOf(key) >= 0, "the Deploy docs do not mention secret key " + key);
        }
    }

    /** Renders each overlay with kubectl's built-in kustomize, where kubectl is installed. */
    @Test
    void renderedOverlaysCarryTheImageTagAsAppVersionInTheirNamespace() throws Exception {
        Optional<Path> kubectl = ExternalTool.find("kubectl");
        Assumptions.assumeTrue(kubectl.isPresent(), "kubectl not installed");
        for (Path overlay : KubernetesManifests.overlayDirs()) {
            String namespace = Kustomization.in(overlay).namespace();
            ExternalTool.Result build = ExternalTool.run(kubectl.get(), "kustomize", overlay.toString());
            assertEquals(0, build.exitCode(), "kubectl kustomize " + overlay + ": " + build.stderr());
            List<HasMetadata> rendered = KubernetesManifests.parseRendered(build.stdout());
            for (HasMetadata r : rendered) {
                if (!r.getKind().equals("Namespace")) {
                    assertEquals(namespace, r.getMetadata().getNamespace(), overlay + " " + id(r));
                }
            }
            for (RoleBinding binding : filter(rendered, RoleBinding.class)) {
                binding.getSubjects().forEach(s -> assertEquals(namespace, s.getNamespace(), overlay + " RoleBinding subject"));
            }
            List<Secret> secrets = filter(rendered, Secret.class);
            for (Deployment d : filter(rendered, Deployment.class).stream().filter(KubernetesManifests::isMember).toList()) {
                var container = d.getSpec().getTemplate().getSpec().getContainers().get(0);
                String tag = container.getImage().substring(container.getImage().lastIndexOf(':') + 1);
                String version = container.getEnv().stream().filter(e -> e.getName().equals("GTV_APP_VERSION"))
                        .map(EnvVar::getValue).findFirst().orElseThrow();
                assertEquals(tag, version, overlay + " " + d.getMetadata().getName());
                for (EnvVar env : container.getEnv()) {
                    var ref = env.getValueFrom() == null ? null : env.getValueFrom().getSecretKeyRef();
                    if (ref == null || Boolean.TRUE.equals(ref.getOptional()) || secrets.isEmpty()) {
                        continue; // prod: the Secret is created outside git (prodSecretIsDocumentedWithEveryRequiredKey)
                    }
                    Secret secret = secrets.stream().filter(s -> s.getMetadata().getName().equals(ref.getName())).findFirst()
                            .orElseThrow(() -> new AssertionError(overlay + ": no Secret " + ref.getName()));
                    Map<String, String> data = secret.getData() != null ? secret.getData() : secret.getStringData();
                    assertTrue(data.containsKey(ref.getKey()), overlay + ": Secret lacks " + ref.getKey());
                }
            }
        }
    }

    private static Set<String> requiredSecretKeys() {
        Set<String> keys = new HashSet<>();
        for (Deployment d : KubernetesManifests.members(KubernetesManifests.base())) {
            for (EnvVar env : d.getSpec().getTemplate().getSpec().getContainers().get(0).getEnv()) {
                if (env.getValueFrom() != null && env.getValueFrom().getSecretKeyRef() != null) {
                    keys.add(env.getValueFrom().getSecretKeyRef().getKey());
                }
            }
        }
        assertFalse(keys.isEmpty());
        return keys;
    }

    private static boolean matches(Map<String, Object> select, Deployment d) {
        if (select.containsKey("kind") && !select.get("kind").equals("Deployment")) {
            return false;
        }
        if (select.containsKey("name") && !select.get("name").equals(d.getMetadata().getName())) {
            return false;
        }
        if (select.containsKey("labelSelector")) {
            for (String term : select.get("labelSelector").toString().split(",")) {
                String[] kv = term.trim().split("=", 2);
                if (!kv[1].equals(d.getMetadata().getLabels().get(kv[0]))) {
                    return false;
                }
            }
        }
        return true;
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> map(Object o) {
        assertNotNull(o);
        return (Map<String, Object>) o;
    }

    private static String id(HasMetadata r) {
        return r.getKind() + "/" + r.getMetadata().getName();
    }

    private static <T> List<T> filter(List<HasMetadata> resources, Class<T> type) {
        return resources.stream().filter(type::isInstance).map(type::cast).collect(Collectors.toList());
    }
}
