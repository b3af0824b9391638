package gtvision.deploy;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * haproxy/haproxy.cfg split into sections and directive lines. {@code haproxy -c} checks the syntax
 * (.ci/ops-checks.sh); this structure lets the tests check what the sections route where.
 */
final class HaproxyConfig {

    record Section(String type, String name, List<String> lines) {
        List<String> starting(String directive) {
            return lines.stream().filter(l -> l.equals(directive) || l.startsWith(directive + " ")).collect(Collectors.toList());
        }

        Optional<String> value(String directive) {
            return starting(directive).stream().findFirst().map(l -> l.substring(directive.length()).trim());
        }

        /** Port of each {@code bind} line. */
        List<Integer> bindPorts() {
            return starting("bind").stream().map(l -> port(l.split("\\s+")[1])).collect(Collectors.toList());
        }

        /** Servers: name -> host:port, as written (quotes removed, environment variables not expanded). */
        Map<String, String> servers() {
            Map<String, String> servers = new LinkedHashMap<>();
            for (String l : starting("server")) {
                String[] words = l.split("\\s+");
                servers.put(words[1], unquote(words[2]));
            }
            return servers;
        }

        String mode(Section defaults) {
            return value("mode").orElseGet(() -> defaults.value("mode").orElse("tcp"));
        }
    }

    final List<Section> sections;

    private HaproxyConfig(List<Section> sections) {
        this.sections = sections;
    }

    static HaproxyConfig load() {
        Path file = DeploySettings.repo().resolve("haproxy/haproxy.cfg");
        List<String> raw;
        try {
            raw = Files.readAllLines(file);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        List<Section> sections = new ArrayList<>();
        Section current = null;
        for (String line : raw) {
            int hash = line.indexOf('#');
            String text = (hash >= 0 ? line.substring(0, hash) : line).strip();
            if (text.isEmpty()) {
                continue;
            }
            boolean header = !Character.isWhitespace(line.charAt(0));
            if (header) {
                String[] words = text.split("\\s+");
                current = new Section(words[0], words.length > 1 ? words[1] : "", new ArrayList<>());
                sections.add(current);
            } else if (current == null) {
                throw new AssertionError("directive outside a section: " + line);
            } else {
                current.lines().add(text.replaceAll("\\s+", " "));
            }
        }
        return new HaproxyConfig(sections);
    }

    List<Section> ofType(String type) {
        return sections.stream().filter(s -> s.type().equals(type)).collect(Collectors.toList());
    }

    Section section(String type, String name) {
        return sections.stream().filter(s -> s.type().equals(type) && s.name().equals(name)).findFirst()
                .orElseThrow(() -> new AssertionError("haproxy.cfg has no " + type + " " + name));
    }

    Section defaults() {
        return ofType("defaults").get(0);
    }

    /** The frontend or listen section that binds this port. */
    Section listening(int port) {
        return sections.stream().filter(s -> s.type().equals("frontend") || s.type().equals("listen"))
                .filter(s -> s.bindPorts().contains(port)).findFirst()
                .orElseThrow(() -> new AssertionError("nothing binds port " + port));
    }

    /** The backend a frontend sends everything to that no use_backend rule takes. */
    Section defaultBackend(Section frontend) {
        String name = frontend.value("default_backend")
                .orElseThrow(() -> new AssertionError(frontend.name() + " has no default_backend"));
        return section("backend", name);
    }

    static int port(String address) {
        String a = unquote(address);
        return Integer.parseInt(a.substring(a.lastIndexOf(':') + 1));
    }

    static String unquote(String word) {
        return word.length() >= 2 && word.startsWith("\"") && word.endsWith("\"") ? word.substring(1, word.length() - 1) : word;
    }

    // HAProxy expands "${NAME}" and "${NAME-default}" inside double quotes (configuration manual 2.3).
    private static final Pattern VARIABLE = Pattern.compile("\\$\\{([A-Za-z_][A-Za-z0-9_]*)(-([^}]*))?}");

    /** The environment variables the directives use without a default: HAProxy needs each of them set. */
    Set<String> requiredEnvironment() {
        Set<String> names = new TreeSet<>();
        for (Section section : sections) {
            for (String line : section.lines()) {
                Matcher m = VARIABLE.matcher(line);
                while (m.find()) {
                    if (m.group(2) == null) {
                        names.add(m.group(1));
                    }
                }
            }
        }
        return names;
    }

    /** {@code text} with its variables expanded the way HAProxy does, from {@code environment}. */
    static String expand(String text, Map<String, String> environment) {
        Matcher m = VARIABLE.matcher(text);
        StringBuilder out = new StringBuilder();
        while (m.find()) {
            String value = environment.get(m.group(1));
            if (value == null) {
                value = m.group(2) == null ? "" : m.group(3);
            }
            m.appendReplacement(out, Matcher.quoteReplacement(value));
        }
        m.appendTail(out);
        return out.toString();
    }
}
