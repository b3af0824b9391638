package gtvision.deploy;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import com.bertramlabs.plugins.hcl4j.HCLParser;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.slf4j.LoggerFactory;

/**
 * The Terraform files of terraform/, parsed with hcl4j and merged the way Terraform merges a
 * module's files. hcl4j does not evaluate references, so {@code var.x} stays a string that
 * {@link #resolve} replaces with the variable's default.
 */
final class TerraformConfig {

    private final Map<String, Object> merged = new LinkedHashMap<>();

    private TerraformConfig() {
    }

    static Path dir() {
        return DeploySettings.repo().resolve("terraform");
    }

    @SuppressWarnings("unchecked")
    static TerraformConfig load() {
        // hcl4j logs every data block and each expression it cannot evaluate (for-expressions,
        // function calls) at INFO/ERROR; neither matters for these checks.
        ((Logger) LoggerFactory.getLogger("com.bertramlabs"))
                .setLevel(Level.OFF);
        TerraformConfig config = new TerraformConfig();
        try (Stream<Path> files = Files.list(dir())) {
            for (Path file : files.filter(p -> p.toString().endsWith(".tf")).sorted().collect(Collectors.toList())) {
                Map<String, Object> parsed = new HCLParser().parse(file.toFile(), "UTF-8");
                mergeInto(config.merged, (Map<String, Object>) normalize(parsed), file.getFileName().toString());
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (Exception e) {
            throw new AssertionError("HCL does not parse: " + e, e);
        }
        return config;
    }

    /**
     * Plain maps, lists, strings, numbers and booleans only: hcl4j returns references such as
     * {@code var.x} or {@code aws_lb.workers.arn} as symbol objects; their text is what matters here.
     */
    private static Object normalize(Object value) {
        if (value instanceof Map<?, ?> map) {
            Map<String, Object> copy = new LinkedHashMap<>();
            map.forEach((k, v) -> copy.put(String.valueOf(k), normalize(v)));
            return copy;
        }
        if (value instanceof List<?> list) {
            List<Object> copy = new ArrayList<>();
            list.forEach(v -> copy.add(normalize(v)));
            return copy;
        }
        if (value == null || value instanceof String || value instanceof Number || value instanceof Boolean) {
            return value;
        }
        return value.toString();
    }

    @SuppressWarnings("unchecked")
    private static void mergeInto(Map<String, Object> target, Map<String, Object> source, String file) {
        for (Map.Entry<String, Object> e : source.entrySet()) {
            Object existing = target.get(e.getKey());
            if (existing instanceof Map && e.getValue() instanceof Map) {
                mergeInto((Map<String, Object>) existing, (Map<String, Object>) e.getValue(), file);
            } else if (existing != null && !(existing instanceof List)) {
                throw new AssertionError(file + " declares " + e.getKey() + " a second time");
            } else {
                target.put(e.getKey(), e.getValue());
            }
        }
    }

    /** Blocks of one type: {@code blocks("resource", "aws_iam_role_policy")} is name -> attributes. */
    @SuppressWarnings("unchecked")
    Map<String, Map<String, Object>> blocks(String kind, String type) {
        Map<String, Object> ofKind = (Map<String, Object>) merged.getOrDefault(kind, Map.of());
        return (Map<String, Map<String, Object>>) ofKind.getOrDefault(type, Map.of());
    }

    Map<String, Map<String, Object>> resources(String type) {
        return blocks("resource", type);
    }

    Map<String, Map<String, Object>> data(String type) {
        return blocks("data", type);
    }

    @SuppressWarnings("unchecked")
    Map<String, Map<String, Object>> section(String kind) {
        return (Map<String, Map<String, Object>>) merged.getOrDefault(kind, Map.of());
    }

    /** The provider blocks of one provider (the default one and its aliases). */
    @SuppressWarnings("unchecked")
    List<Map<String, Object>> providers(String name) {
        return nestedBlocks((Map<String, Object>) merged.getOrDefault("provider", Map.of()), name);
    }

    Map<String, Object> resource(String type, String name) {
        Map<String, Object> block = resources(type).get(name);
        if (block == null) {
            throw new AssertionError("terraform/ has no resource " + type + "." + name);
        }
        return block;
    }

    /** The value with {@code var.name} replaced by the variable's default. */
    Object resolve(Object value) {
        if (value instanceof String s && s.startsWith("var.") && s.indexOf(' ') < 0) {
            Map<String, Object> variable = section("variable").get(s.substring(4));
            if (variable == null) {
                throw new AssertionError("undeclared variable " + s);
            }
            if (!variable.containsKey("default")) {
                throw new AssertionError(s + " has no default");
            }
            return variable.get("default");
        }
        return value;
    }

    /** A resolved number, as hcl4j reads every number as a double. */
    int resolveInt(Object value) {
        Object resolved = resolve(value);
        if (!(resolved instanceof Number n)) {
            throw new AssertionError("not a number: " + value + " -> " + resolved);
        }
        return n.intValue();
    }

    /** A block attribute that may be written once (a map) or several times (a list of maps). */
    @SuppressWarnings("unchecked")
    static List<Map<String, Object>> nestedBlocks(Map<String, Object> block, String name) {
        Object value = block.get(name);
        if (value == null) {
            return List.of();
        }
        if (value instanceof List<?> list) {
            return new ArrayList<>((List<Map<String, Object>>) list);
        }
        return List.of((Map<String, Object>) value);
    }

    /** The name of the resource or data block a reference such as {@code aws_iam_role.worker.id} points at. */
    static String referencedName(Object reference, String prefix) {
        String s = String.valueOf(reference);
        if (!s.startsWith(prefix + ".")) {
            throw new AssertionError(reference + " does not reference " + prefix);
        }
        return s.substring(prefix.length() + 1).split("\\.")[0];
    }
}
