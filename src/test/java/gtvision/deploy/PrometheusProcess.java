package gtvision.deploy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.yaml.snakeyaml.DumperOptions;
import org.yaml.snakeyaml.Yaml;

/**
 * The installed prometheus binary run against one GT-Vision node: it scrapes the node's /metrics as
 * job {@code gtvision} (the job name the shipped rules select on) and evaluates the shipped
 * ops/prometheus/alerts.yml, read in place. Only the intervals are short, so that a test sees
 * evaluations every second; the rules' {@code for:} periods and windows are the shipped ones.
 */
final class PrometheusProcess implements AutoCloseable {

    private static final ObjectMapper JSON = new ObjectMapper();

    final int port;
    private final Process process;
    private final Path log;
    private final HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

    private PrometheusProcess(int port, Process process, Path log) {
        this.port = port;
        this.process = process;
        this.log = log;
    }

    static Optional<Path> binary() {
        return ExternalTool.find("prometheus");
    }

    /** The configuration: one static target, the shipped rule file, scrape and evaluation every {@code interval}. */
    static String config(String target, Path rules, Duration interval) {
        String every = interval.toMillis() + "ms";
        Map<String, Object> global = new LinkedHashMap<>();
        global.put("scrape_interval", every);
        global.put("scrape_timeout", every);
        global.put("evaluation_interval", every);
        Map<String, Object> job = new LinkedHashMap<>();
        job.put("job_name", "gtvision");
        job.put("metrics_path", "/metrics");
        job.put("static_configs", List.of(Map.of("targets", List.of(target))));
        Map<String, Object> config = new LinkedHashMap<>();
        config.put("global", global);
        config.put("rule_files", List.of(rules.toAbsolutePath().toString()));
        config.put("scrape_configs", List.of(job));
        DumperOptions options = new DumperOptions();
        options.setDefaultFlowStyle(DumperOptions.FlowStyle.BLOCK);
        return new Yaml(options).dump(config);
    }

    /** Starts prometheus with its storage under {@code work} and waits until it is ready. */
    static PrometheusProcess start(Path work, String target, Path rules, Duration interval) throws IOException, InterruptedException {
        Path prometheus = binary().orElseThrow(() -> new AssertionError("prometheus not installed"));
        int port = HaproxyProcess.freePort();
        Path config = Files.createDirectories(work).resolve("prometheus.yml");
        Files.writeString(config, config(target, rules, interval));
        Path promtool = ExternalTool.find("promtool").orElseThrow(() -> new AssertionError("promtool not installed"));
        ExternalTool.Result check = ExternalTool.run(promtool, "check", "config", config.toString());
        if (check.exitCode() != 0) {
            throw new AssertionError("promtool check config:\n" + check.stdout() + check.stderr());
        }
        Path log = work.resolve("prometheus.log");
        Process process = new ProcessBuilder(prometheus.toString(),
                "--config.file=" + config,
                "--storage.tsdb.path=" + Files.createDirectories(work.resolve("data")),
                "--web.listen-address=127.0.0.1:" + port)
                .redirectErrorStream(true).redirectOutput(log.toFile()).start();
        PrometheusProcess started = new PrometheusProcess(port, process, log);
        try {
            started.awaitReady();
        } catch (RuntimeException | Error | IOException | InterruptedException e) {
            started.close();
            throw e;
        }
        return started;
    }

    private void awaitReady() throws IOException, InterruptedException {
        Instant deadline = Instant.now().plusSeconds(60);
        while (Instant.now().isBefore(deadline)) {
            if (!process.isAlive()) {
                throw new AssertionError("prometheus exited with " + process.exitValue() + ":\n" + log());
            }
            try {
                HttpResponse<String> ready = client.send(HttpRequest.newBuilder(uri("/-/ready")).build(),
                        HttpResponse.BodyHandlers.ofString());
                if (ready.statusCode() == 200) {
                    return;
                }
            } catch (IOException notYet) {
                // not listening yet
            }
            Thread.sleep(200);
        }
        throw new AssertionError("prometheus not ready within 60 s:\n" + log());
    }

    /** The {@code data} of an HTTP API answer, e.g. {@code api("/api/v1/alerts")}; fails unless status is success. */
    JsonNode api(String pathAndQuery) throws IOException, InterruptedException {
        HttpResponse<String> response = client.send(HttpRequest.newBuilder(uri(pathAndQuery)).timeout(Duration.ofSeconds(5)).build(),
                HttpResponse.BodyHandlers.ofString());
        JsonNode body = JSON.readTree(response.body());
        if (response.statusCode() != 200 || !"success".equals(body.path("status").asText())) {
            throw new AssertionError(pathAndQuery + ": " + response.statusCode() + " " + response.body());
        }
        return body.path("data");
    }

    /** The result vector of an instant PromQL query. */
    JsonNode query(String promql) throws IOException, InterruptedException {
        return api("/api/v1/query?query=" + URLEncoder.encode(promql, StandardCharsets.UTF_8)).path("result");
    }

    String log() throws IOException {
        return Files.readString(log);
    }

    private URI uri(String pathAndQuery) {
        return URI.create("http://127.0.0.1:" + port + pathAndQuery);
    }

    @Override
    public void close() throws InterruptedException {
        process.destroy();
        if (!process.waitFor(20, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            process.waitFor(10, TimeUnit.SECONDS);
        }
    }
}
