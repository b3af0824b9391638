package gtvision.deploy;

import java.io.IOException;
import java.io.Reader;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;

/** A kustomization.yaml, read as plain YAML (kustomize has no Java model). */
final class Kustomization {

    static final Set<String> FILE_NAMES = Set.of("kustomization.yaml", "kustomization.yml", "Kustomization");

    /** Fields of kustomize v5's Kustomization and Component that k8s/ may use; anything else is a typo. */
    static final Set<String> KNOWN_FIELDS = Set.of(
            "apiVersion", "kind", "metadata", "namespace", "namePrefix", "nameSuffix", "labels", "commonLabels",
            "commonAnnotations", "resources", "components", "patches", "images", "replicas", "replacements",
            "configMapGenerator", "secretGenerator", "generatorOptions", "buildMetadata", "sortOptions");

    final Path dir;
    final Map<String, Object> fields;

    private Kustomization(Path dir, Map<String, Object> fields) {
        this.dir = dir;
        this.fields = fields;
    }

    static boolean isKustomizationFile(Path file) {
        return FILE_NAMES.contains(file.getFileName().toString());
    }

    static Kustomization in(Path dir) {
        Path file = FILE_NAMES.stream().map(dir::resolve).filter(Files::isRegularFile).findFirst()
                .orElseThrow(() -> new AssertionError("no kustomization.yaml in " + dir));
        try (Reader reader = Files.newBufferedReader(file)) {
            Map<String, Object> fields = new Yaml(new SafeConstructor(new LoaderOptions())).load(reader);
            return new Kustomization(dir, fields);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    String namespace() {
        return (String) fields.get("namespace");
    }

    @SuppressWarnings("unchecked")
    List<Map<String, Object>> entries(String field) {
        Object value = fields.get(field);
        return value == null ? List.of() : (List<Map<String, Object>>) value;
    }

    @SuppressWarnings("unchecked")
    List<String> strings(String field) {
        Object value = fields.get(field);
        return value == null ? List.of() : (List<String>) value;
    }

    /** Every local file or directory this kustomization reads, resolved against its directory. */
    @SuppressWarnings("unchecked")
    List<Path> referencedPaths() {
        List<Path> paths = new ArrayList<>();
        strings("resources").forEach(r -> paths.add(dir.resolve(r).normalize()));
        strings("components").forEach(c -> paths.add(dir.resolve(c).normalize()));
        for (Map<String, Object> patch : entries("patches")) {
            if (patch.containsKey("path")) {
                paths.add(dir.resolve((String) patch.get("path")).normalize());
            }
        }
        for (String generator : List.of("configMapGenerator", "secretGenerator")) {
            for (Map<String, Object> entry : entries(generator)) {
                for (String source : List.of("files", "envs")) {
                    for (String f : (List<String>) entry.getOrDefault(source, List.of())) {
                        // files may be written key=path
                        paths.add(dir.resolve(f.contains("=") ? f.substring(f.indexOf('=') + 1) : f).normalize());
                    }
                }
            }
        }
        return paths;
    }

    /** The files its configMapGenerator and secretGenerator entries read. */
    @SuppressWarnings("unchecked")
    List<Path> generatorFiles() {
        List<Path> files = new ArrayList<>();
        for (String generator : List.of("configMapGenerator", "secretGenerator")) {
            for (Map<String, Object> entry : entries(generator)) {
                for (String source : List.of("files", "envs")) {
                    for (String f : (List<String>) entry.getOrDefault(source, List.of())) {
                        files.add(dir.resolve(f.contains("=") ? f.substring(f.indexOf('=') + 1) : f).normalize());
                    }
                }
            }
        }
        return files;
    }

    /** The configMapGenerator entry that makes the ConfigMap {@code name}. */
    Map<String, Object> configMapGenerator(String name) {
        return entries("configMapGenerator").stream().filter(g -> name.equals(g.get("name"))).findFirst()
                .orElseThrow(() -> new AssertionError(dir + " generates no ConfigMap " + name));
    }

    /** Patch files of this kustomization. */
    List<Path> patchFiles() {
        List<Path> files = new ArrayList<>();
        for (Map<String, Object> patch : entries("patches")) {
            if (patch.containsKey("path")) {
                files.add(dir.resolve((String) patch.get("path")).normalize());
            }
        }
        return files;
    }
}
