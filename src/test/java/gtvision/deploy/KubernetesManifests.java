package gtvision.deploy;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerPort;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.LabelSelector;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.PodTemplateSpec;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/** Loads the Kubernetes manifests under k8s/ with the fabric8 Kubernetes model. */
final class KubernetesManifests {

    /** A parsed resource and the file it came from (for messages). */
    record Manifest(Path file, HasMetadata resource) {
        String describe() {
            return resource.getKind() + "/" + resource.getMetadata().getName() + " (" + DeploySettings.repo().relativize(file) + ")";
        }
    }

    private static final KubernetesSerialization SERIALIZATION = new KubernetesSerialization();

    private KubernetesManifests() {
    }

    static Path k8sDir() {
        return DeploySettings.repo().resolve("k8s");
    }

    static Path baseDir() {
        return k8sDir().resolve("base");
    }

    /**
     * The edge's configuration directories (haproxy/, mediamtx/): each holds its file and a
     * kustomization that makes it a ConfigMap, included by the base.
     */
    static List<Path> edgeConfigDirs() {
        return List.of(DeploySettings.repo().resolve("haproxy"), DeploySettings.repo().resolve("mediamtx"));
    }

    static List<Path> overlayDirs() {
        try (Stream<Path> dirs = Files.list(k8sDir().resolve("overlays"))) {
            return dirs.filter(Files::isDirectory).sorted().collect(Collectors.toList());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Every YAML file under {@code dir} that is a manifest or patch, i.e. not a kustomization file. */
    static List<Path> manifestFiles(Path dir) {
        try (Stream<Path> files = Files.walk(dir)) {
            return files.filter(Files::isRegularFile)
                    .filter(p -> p.toString().endsWith(".yaml") || p.toString().endsWith(".yml"))
                    .filter(p -> !Kustomization.isKustomizationFile(p))
                    .sorted()
                    .collect(Collectors.toList());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static List<Manifest> load(Path file) {
        Object parsed;
        try (InputStream in = Files.newInputStream(file)) {
            parsed = SERIALIZATION.unmarshal(in);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file, e);
        }
        List<Manifest> manifests = new ArrayList<>();
        Collection<?> documents = parsed instanceof Collection<?> list ? list : List.of(parsed);
        for (Object document : documents) {
            if (!(document instanceof HasMetadata resource)) {
                throw new IllegalArgumentException(file + ": not a Kubernetes resource: " + document);
            }
            manifests.add(new Manifest(file, resource));
        }
        return manifests;
    }

    static List<Manifest> loadAll(Path dir) {
        return manifestFiles(dir).stream().flatMap(f -> load(f).stream()).collect(Collectors.toList());
    }

    static List<Manifest> base() {
        return loadAll(baseDir());
    }

    /** Parses the output of {@code kubectl kustomize}. */
    static List<HasMetadata> parseRendered(String yaml) {
        Object parsed = SERIALIZATION.unmarshal(yaml);
        Collection<?> documents = parsed instanceof Collection<?> list ? list : List.of(parsed);
        return documents.stream().map(HasMetadata.class::cast).collect(Collectors.toList());
    }

    static <T extends HasMetadata> List<T> ofKind(List<Manifest> manifests, Class<T> type) {
        return manifests.stream().map(Manifest::resource).filter(type::isInstance).map(type::cast)
                .collect(Collectors.toList());
    }

    static <T extends HasMetadata> T named(List<Manifest> manifests, Class<T> type, String name) {
        return ofKind(manifests, type).stream()
                .filter(r -> name.equals(r.getMetadata().getName()))
                .findFirst()
                .orElseThrow(() -> new AssertionError("no " + type.getSimpleName() + " named " + name + " in k8s/base"));
    }

    /**
     * The GT-Vision cluster members: the Deployments whose pods carry the Cluster Bootstrap label
     * (app=gtvision). HAProxy and MediaMTX run beside them in the same base.
     */
    static List<Deployment> members(List<Manifest> manifests) {
        return ofKind(manifests, Deployment.class).stream().filter(KubernetesManifests::isMember).collect(Collectors.toList());
    }

    static boolean isMember(Deployment d) {
        Map<String, String> labels = d.getSpec().getTemplate().getMetadata().getLabels();
        return labels != null && DeploySettings.SERVICE_NAME.equals(labels.get(DeploySettings.BOOTSTRAP_LABEL));
    }

    /** A Deployment's or StatefulSet's pod template with the workload's kind and name, for messages. */
    record Workload(String kind, String name, PodTemplateSpec template) {
        Map<String, String> podLabels() {
            return template.getMetadata().getLabels();
        }

        PodSpec spec() {
            return template.getSpec();
        }

        Container container(String name) {
            return spec().getContainers().stream().filter(c -> name.equals(c.getName())).findFirst()
                    .orElseThrow(() -> new AssertionError(kind + "/" + this.name + " has no container named " + name));
        }
    }

    /** Every Deployment and StatefulSet. */
    static List<Workload> workloads(List<Manifest> manifests) {
        List<Workload> all = new ArrayList<>();
        for (Manifest m : manifests) {
            if (m.resource() instanceof Deployment d) {
                all.add(new Workload("Deployment", d.getMetadata().getName(), d.getSpec().getTemplate()));
            } else if (m.resource() instanceof StatefulSet s) {
                all.add(new Workload("StatefulSet", s.getMetadata().getName(), s.getSpec().getTemplate()));
            }
        }
        return all;
    }

    static Workload workload(List<Manifest> manifests, String name) {
        return workloads(manifests).stream().filter(w -> w.name().equals(name)).findFirst()
                .orElseThrow(() -> new AssertionError("no Deployment or StatefulSet named " + name + " in k8s/base"));
    }

    static Container appContainer(Deployment deployment) {
        List<Container> containers = deployment.getSpec().getTemplate().getSpec().getContainers();
        return containers.stream().filter(c -> "gtvision".equals(c.getName())).findFirst()
                .orElseThrow(() -> new AssertionError(deployment.getMetadata().getName() + " has no container named gtvision"));
    }

    static ConfigMap config(List<Manifest> manifests) {
        return named(manifests, ConfigMap.class, "gtvision-config");
    }

    /** The container port a probe or Service refers to, by number or by name. */
    static int resolvePort(Container container, IntOrString port) {
        Objects.requireNonNull(port, "port");
        if (port.getIntVal() != null) {
            return port.getIntVal();
        }
        return container.getPorts().stream()
                .filter(p -> port.getStrVal().equals(p.getName()))
                .map(ContainerPort::getContainerPort)
                .findFirst()
                .orElseThrow(() -> new AssertionError("container " + container.getName() + " has no port named " + port.getStrVal()));
    }

    /** Whether a Deployment/PDB style selector (matchLabels only, as used here) selects pods with these labels. */
    static boolean selects(LabelSelector selector, Map<String, String> podLabels) {
        if (selector.getMatchExpressions() != null && !selector.getMatchExpressions().isEmpty()) {
            throw new AssertionError("matchExpressions are not used in k8s/; extend this check before adding them");
        }
        return selects(selector.getMatchLabels(), podLabels);
    }

    static boolean selects(Map<String, String> matchLabels, Map<String, String> podLabels) {
        return matchLabels != null && !matchLabels.isEmpty()
                && matchLabels.entrySet().stream().allMatch(e -> e.getValue().equals(podLabels.get(e.getKey())));
    }

    /**
     * Fields the Kubernetes schema does not know. fabric8 keeps them in {@code additionalProperties}
     * instead of failing, so a misspelt field (readinesProbe, terminationGracePeriod) would otherwise
     * pass unnoticed here and be dropped or rejected by the API server.
     */
    static List<String> unknownFields(HasMetadata resource) {
        List<String> unknown = new ArrayList<>();
        if (resource instanceof GenericKubernetesResource) {
            unknown.add("unknown kind " + resource.getApiVersion() + "/" + resource.getKind());
            return unknown;
        }
        collectUnknown(resource, resource.getKind(), unknown);
        return unknown;
    }

    private static void collectUnknown(Object value, String path, List<String> unknown) {
        if (value == null) {
            return;
        }
        if (value instanceof Map<?, ?> map) {
            map.forEach((k, v) -> collectUnknown(v, path + "." + k, unknown));
            return;
        }
        if (value instanceof Collection<?> list) {
            int i = 0;
            for (Object item : list) {
                collectUnknown(item, path + "[" + i++ + "]", unknown);
            }
            return;
        }
        if (!value.getClass().getName().startsWith("io.fabric8.kubernetes.api.model")) {
            return;
        }
        for (Method getter : value.getClass().getMethods()) {
            if (getter.getParameterCount() != 0 || Modifier.isStatic(getter.getModifiers())
                    || getter.getDeclaringClass() == Object.class) {
                continue;
            }
            String name = getter.getName();
            if (name.equals("getAdditionalProperties")) {
                Map<?, ?> extra = (Map<?, ?>) invoke(getter, value);
                if (extra != null && !extra.isEmpty()) {
                    unknown.add(path + ": " + extra.keySet());
                }
            } else if (name.startsWith("get") && name.length() > 3) {
                collectUnknown(invoke(getter, value), path + "." + Character.toLowerCase(name.charAt(3)) + name.substring(4), unknown);
            }
        }
    }

    private static Object invoke(Method getter, Object target) {
        try {
            return getter.invoke(target);
        } catch (IllegalAccessException | InvocationTargetException e) {
            throw new IllegalStateException("cannot read " + getter, e);
        }
    }
}
