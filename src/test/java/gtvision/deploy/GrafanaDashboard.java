package gtvision.deploy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

/** Reads a Grafana dashboard JSON file (ops/grafana). */
public final class GrafanaDashboard {

    private static final ObjectMapper JSON = new ObjectMapper();

    private GrafanaDashboard() {
    }

    /**
     * Every metric name the dashboard's PromQL queries ({@code targets[].expr} of every panel,
     * including panels nested in collapsed rows) read, sorted and without duplicates. A test that
     * scrapes {@code /metrics} of a running node checks these against what the node exports.
     */
    public static List<String> metricNames(Path dashboardJson) {
        Set<String> names = new TreeSet<>();
        for (String expr : expressions(dashboardJson)) {
            names.addAll(PromQl.metricNames(expr));
        }
        return List.copyOf(names);
    }

    /** The PromQL expressions of all panel targets, in panel order. */
    static List<String> expressions(Path dashboardJson) {
        List<String> exprs = new ArrayList<>();
        for (JsonNode panel : panels(read(dashboardJson))) {
            for (JsonNode target : panel.path("targets")) {
                String expr = target.path("expr").asText("");
                if (!expr.isBlank()) {
                    exprs.add(expr);
                }
            }
        }
        return exprs;
    }

    static JsonNode read(Path dashboardJson) {
        try {
            return JSON.readTree(dashboardJson.toFile());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read Grafana dashboard " + dashboardJson, e);
        }
    }

    /** All panels, with the panels of collapsed rows (which Grafana nests inside the row) flattened in. */
    static List<JsonNode> panels(JsonNode dashboard) {
        List<JsonNode> all = new ArrayList<>();
        for (JsonNode panel : dashboard.path("panels")) {
            all.add(panel);
            panel.path("panels").forEach(all::add);
        }
        return all;
    }
}
