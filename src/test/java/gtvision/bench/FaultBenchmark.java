package gtvision.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import gtvision.metrics.Metrics;
import gtvision.testsupport.CameraApi;
import gtvision.testsupport.CameraShards;
import gtvision.testsupport.MediaTools;
import gtvision.testsupport.NodeProcess;
import gtvision.testsupport.PostgresControl;
import gtvision.testsupport.TestCameraServer;
import gtvision.testsupport.TestDatabases;
import gtvision.testsupport.TestImages;
import gtvision.testsupport.TestNodes;
import io.micrometer.core.instrument.DistributionSummary;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The pipeline as deployed, through faults, in one run: three nodes on PostgreSQL, each its own process
 * where it is to be killed, hundreds of snapshot cameras serving 1920x1080 JPEGs of over 1 MB at 1 fps
 * (a fifth of them moving), the real YOLOX-Nano on a {@code gpu} node, plates read from crops. Mid-run
 * one camera/API node is killed with SIGKILL (the oldest member: it holds the shard coordinator, the
 * hardest case), later PostgreSQL is crash-stopped for 10 s.
 *
 * <p>Layout: B (camera/API node, its own JVM, the first member), A (camera/API node in this JVM: the
 * API every figure is read through), G (cluster role {@code gpu}, its own JVM, the detector). Camera
 * entities are sharded over all three, as in the shipped layout; A and B send their frames to G. The
 * settings are the shipped ones except {@code gtv.camera.stream.stats-interval = 1s}, so that {@code
 * health.lastFrameAt} shows a resumed camera within a second.
 *
 * <p>What it reports, all read through {@code GET /api/cameras/{id}} on A every 2 s (what an operator
 * watches): per phase frames analysed / skipped because the detector was busy / failed and detections
 * per second; after the kill and after the database's return, how many cameras stopped delivering
 * frames, how long each took to deliver again (from {@code health.lastFrameAt}: p50 and worst), and
 * which never did; at the end, every camera's {@code health.state}. Also frame-to-event latency in the
 * steady phase, bytes on the wire per frame A sent to G, and the limit measured in the same run: the
 * bare detector's capacity on the same moving frames, nodes stopped.
 *
 * <pre>
 * java -Xmx6g -cp target/test-classes:target/classes:$(cat cp.txt) gtvision.bench.FaultBenchmark 200 40
 * </pre>
 * Arguments: cameras (200), seconds per steady window (40), frames per second per camera (1). Needs PostgreSQL on this machine and the
 * right to restart it: it runs as root with {@code GTV_TEST_CRASH_POSTGRES=on} (or {@code CI=true}). The report goes to {@code target/fault-benchmark-N.md}.
 */
public final class FaultBenchmark {
  private FaultBenchmark() {}

  private static final int WIDTH = 1920;
  private static final int HEIGHT = 1080;
  private static final int JPEG_QUALITY = 95;
  /** Grey levels of sensor noise: with it a 1080p frame of these photos is over 1 MB, as from a real camera. */
  private static final double NOISE = 10;
  private static final Duration POLL_INTERVAL = Duration.ofSeconds(2);
  private static final Duration OUTAGE = Duration.ofSeconds(10);
  private static final Duration RESUME_CAP = Duration.ofSeconds(120);
  /** A camera whose newest frame is older than this (plus its frame interval) is not delivering. */
  private static final Duration FRESH = Duration.ofSeconds(5);
  private static final ObjectMapper MAPPER = new ObjectMapper();

  public static void main(String[] args) throws Exception {
    int cameras = args.length > 0 ? Integer.parseInt(args[0]) : 200;
    int window = args.length > 1 ? Integer.parseInt(args[1]) : 40;
    double fps = args.length > 2 ? Double.parseDouble(args[2]) : 1.0;
    Config nodeConfig = ConfigFactory.parseString(String.join("\n",
        "gtv.camera.stream.stats-interval = 1s",
        "gtv.inference.gpu.model-path = \"" + MediaTools.sharedDir().resolve("models/yolox_nano.onnx") + "\"",
        "gtv.inference.plates.model-dir = \"" + MediaTools.sharedDir().resolve("models/ocr") + "\""));
    System.out.println("Preparing frames ...");
    List<byte[]> busy = TestImages.panning("kite.jpg", WIDTH, HEIGHT, 30, JPEG_QUALITY, NOISE);
    byte[] still = TestImages.still("horses.jpg", WIDTH, JPEG_QUALITY, NOISE);
    long smallest = Math.min(still.length, busy.stream().mapToLong(f -> f.length).min().orElseThrow());
    System.out.printf("frames %dx%d, %d to %d bytes%n", WIDTH, HEIGHT, smallest,
        Math.max(still.length, busy.stream().mapToLong(f -> f.length).max().orElseThrow()));
    PostgresControl postgres = PostgresControl.local();
    Config database = TestDatabases.postgres("fault_bench");
    Report report = new Report(cameras, window, fps, smallest);
    try (TestCameraServer busyServer = new TestCameraServer(busy, 10, MediaTools.mediaDir());
        TestCameraServer stillServer = new TestCameraServer(List.of(still), 10, MediaTools.mediaDir())) {
      System.out.println("Starting B (first member), A and G ...");
      NodeProcess b = NodeProcess.startWithInference(database, nodeConfig, null, "2g");
      NodeProcess g = null;
      TestNodes.Node a = null;
      try {
        Config join = ConfigFactory.parseString("gtv.cluster.seed-nodes = \"" + b.address() + "\"");
        g = NodeProcess.startWithInference(database, ConfigFactory.parseString(String.join("\n",
            "gtv.cluster.roles = gpu", "gtv.inference.gpu.placement = role")).withFallback(join).withFallback(nodeConfig),
            null, "2g");
        a = TestNodes.startWithInference(database, join.withFallback(nodeConfig));
        PipelineBenchmark.awaitGpuUp(a);
        runFaults(a, b, g, postgres, cameras, window, fps, busyServer.url("/snapshot.jpg"), stillServer.url("/still.jpg"), report);
      } finally {
        if (a != null) a.stop();
        if (g != null) g.close();
        b.close();
      }
      report.capacity = PipelineBenchmark.detectorLimit(nodeConfig.withFallback(ConfigFactory.parseString(
          "gtv.inference.gpu.placement = any")), busy, 20);
    }
    String text = report.render();
    System.out.println(text);
    Path out = Path.of("target", "fault-benchmark-" + cameras + ".md");
    Files.writeString(out, text);
    System.out.println("Written to " + out);
    System.exit(0);
  }

  private static void runFaults(TestNodes.Node a, NodeProcess b, NodeProcess g, PostgresControl postgres, int cameras, int window,
      double fps, String busyUrl, String stillUrl, Report report) throws Exception {
    CameraApi api = new CameraApi(a);
    List<String> ids = new ArrayList<>();
    for (int i = 0; i < cameras; i++) {
      String id = "cam-" + i;
      api.register(id, "snapshot", i % 5 == 0 ? busyUrl : stillUrl, fps);
      ids.add(id);
    }
    try (Poller poller = new Poller(a.baseUrl(), List.of(a.baseUrl(), g.baseUrl()), ids)) {
      Instant registered = Instant.now();
      Poll all = poller.awaitAll(p -> p.delivering(registered, cameras), RESUME_CAP);
      System.out.printf("every camera delivering after %d s%n", Duration.between(registered, all.at()).toSeconds());
      MediaTools.sleep(10_000); // the first frames of all cameras came together; let the detector's queue settle

      Poll steadyStart = poller.latest();
      long wireFrames0 = wireFrames(a);
      double wireBytes0 = wireBytes(a);
      MediaTools.sleep(window * 1000L);
      Poll steadyEnd = poller.latest();
      report.phase("steady", steadyStart, steadyEnd);
      report.latencies = PipelineBenchmark.latencies(a.system(), ids, steadyStart.at().toEpochMilli(),
          steadyEnd.at().toEpochMilli());
      long crossed = wireFrames(a) - wireFrames0;
      report.crossedFrames = crossed;
      report.wirePerCrossed = crossed > 0 ? (wireBytes(a) - wireBytes0) / crossed : Double.NaN;
      report.onA = CameraShards.entitiesOn(a).size();

      System.out.println("SIGKILL of B ...");
      Instant killed = Instant.now();
      b.kill();
      Poll resumed = poller.awaitAll(p -> p.delivering(killed, cameras), RESUME_CAP);
      report.kill = Recovery.of("SIGKILL of B (oldest member, shard coordinator)", killed, ids, poller.polls(), fps);
      report.phase("kill until every camera delivered again", steadyEnd, resumed);
      MediaTools.sleep(window * 1000L);
      Poll afterKill = poller.latest();
      report.phase("after the kill (2 nodes)", resumed, afterKill);

      System.out.println("PostgreSQL crash-stop for " + OUTAGE.toSeconds() + " s ...");
      Instant stopped = Instant.now();
      Instant back;
      try {
        postgres.crashStop();
        MediaTools.sleep(OUTAGE.toMillis()); // the outage itself, not a wait for an outcome
      } finally {
        postgres.start(Duration.ofSeconds(60));
        back = Instant.now();
      }
      Instant databaseBack = back;
      Poll resumedDb = poller.awaitAll(p -> p.delivering(databaseBack, cameras), RESUME_CAP);
      report.outage = Recovery.of("PostgreSQL crash-stop for " + OUTAGE.toSeconds() + " s", back, ids, poller.polls(), fps);
      report.phase("outage until every camera delivered again", poller.at(stopped), resumedDb);
      MediaTools.sleep(window * 1000L);
      Poll end = poller.latest();
      report.phase("after the outage", resumedDb, end);
      report.end = end;
    }
  }

  private static long wireFrames(TestNodes.Node node) {
    DistributionSummary s = Metrics.get(node.system()).registry().find("gtv.inference.wire.bytes").summary();
    return s == null ? 0 : s.count();
  }

  private static double wireBytes(TestNodes.Node node) {
    DistributionSummary s = Metrics.get(node.system()).registry().find("gtv.inference.wire.bytes").summary();
    return s == null ? 0 : s.totalAmount();
  }

  /** What {@code GET /api/cameras/{id}} said of one camera. */
  record Reading(Instant lastFrameAt, long analysed, long skipped, long failed, long detections, String state,
      String lastError) {
    static Reading of(JsonNode camera) {
      JsonNode c = camera.path("counters");
      JsonNode at = camera.path("health").path("lastFrameAt");
      return new Reading(at.isTextual() ? Instant.parse(at.asText()) : null, c.path("framesAnalysed").asLong(),
          c.path("framesSkipped").asLong(), c.path("framesFailed").asLong(), c.path("detections").asLong(),
          camera.path("health").path("state").asText(), c.path("lastAnalysisError").asText(null));
    }
  }

  /**
   * One round over every camera (a camera that did not answer within the timeout is missing), and the
   * routers' skips by reason summed over the nodes still answering.
   */
  record Poll(Instant at, Map<String, Reading> cameras, Map<String, Double> skips) {
    /** Each of {@code total} cameras answered, with a frame after {@code since}. */
    boolean delivering(Instant since, int total) {
      return cameras.size() == total
          && cameras.values().stream().allMatch(r -> r.lastFrameAt() != null && r.lastFrameAt().isAfter(since));
    }
  }

  /** Polls every camera through the API every {@link #POLL_INTERVAL}, keeping each round. */
  static final class Poller implements AutoCloseable {
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    private final ExecutorService pool = Executors.newFixedThreadPool(32);
    private final List<Poll> polls = new CopyOnWriteArrayList<>();
    private final String baseUrl;
    private final List<String> nodeUrls;
    private final List<String> ids;
    private final Thread loop;
    private volatile boolean running = true;

    Poller(String baseUrl, List<String> nodeUrls, List<String> ids) {
      this.baseUrl = baseUrl;
      this.nodeUrls = nodeUrls;
      this.ids = ids;
      this.loop = new Thread(this::run, "fault-bench-poller");
      loop.setDaemon(true);
      loop.start();
    }

    private void run() {
      while (running) {
        long started = System.nanoTime();
        Map<String, CompletableFuture<Reading>> round = new HashMap<>();
        for (String id : ids) round.put(id, CompletableFuture.supplyAsync(() -> read(id), pool));
        Map<String, Reading> readings = new HashMap<>();
        round.forEach((id, f) -> {
          Reading r = f.join();
          if (r != null) readings.put(id, r);
        });
        polls.add(new Poll(Instant.now(), readings, skips()));
        long left = POLL_INTERVAL.toNanos() - (System.nanoTime() - started);
        if (left > 0) MediaTools.sleep(left / 1_000_000);
      }
    }

    private static final Pattern SKIPPED =
        Pattern.compile("(?m)^gtv_inference_skipped_total\\{[^}]*reason=\"([^\"]+)\"[^}]*\\} ([0-9.eE+-]+)$");

    /** {@code gtv_inference_skipped_total} by reason over the nodes that answer (a killed one's are gone). */
    private Map<String, Double> skips() {
      Map<String, Double> out = new TreeMap<>();
      for (String url : nodeUrls) {
        try {
          String text = http.send(HttpRequest.newBuilder(URI.create(url + "/metrics")).timeout(Duration.ofSeconds(3)).build(),
              HttpResponse.BodyHandlers.ofString()).body();
          Matcher m = SKIPPED.matcher(text);
          while (m.find()) out.merge(m.group(1), Double.parseDouble(m.group(2)), Double::sum);
        } catch (IOException e) {
          // a node that is down has no counters to give
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
      }
      return out;
    }

    private Reading read(String id) {
      try {
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(baseUrl + "/api/cameras/" + id))
            .timeout(Duration.ofSeconds(3)).build(), HttpResponse.BodyHandlers.ofString());
        return r.statusCode() == 200 ? Reading.of(MAPPER.readTree(r.body())) : null;
      } catch (IOException e) {
        return null;
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return null;
      }
    }

    List<Poll> polls() {
      return List.copyOf(polls);
    }

    Poll latest() {
      int seen = polls.size();
      while (polls.size() == seen) MediaTools.sleep(100);
      return polls.get(polls.size() - 1);
    }

    /** The last round finished at or before {@code instant}. */
    Poll at(Instant instant) {
      Poll found = polls.get(0);
      for (Poll p : polls) if (!p.at().isAfter(instant)) found = p;
      return found;
    }

    Poll awaitAll(Predicate<Poll> condition, Duration cap) {
      long deadline = System.nanoTime() + cap.toNanos();
      while (System.nanoTime() < deadline) {
        Poll p = latest();
        if (condition.test(p)) return p;
      }
      System.out.println("not every camera within " + cap + "; going on");
      return latest();
    }

    @Override
    public void close() {
      running = false;
      pool.shutdownNow();
    }
  }

  /**
   * After a fault at {@code at}: the cameras whose newest frame was older than {@link #FRESH} plus the
   * frame interval at some
   * round after it (they stopped delivering), and per camera the time from {@code at} to its first frame
   * after it, from the frame's own time; cameras that never delivered again are missing.
   */
  record Recovery(String fault, int stopped, List<Long> resumeMillis, List<String> never) {
    static Recovery of(String fault, Instant at, List<String> ids, List<Poll> polls, double fps) {
      Duration fresh = FRESH.plusMillis(Math.round(1000 / fps));
      List<Long> resume = new ArrayList<>();
      List<String> never = new ArrayList<>();
      int stopped = 0;
      for (String id : ids) {
        Instant first = null;
        boolean stalled = false;
        for (Poll p : polls) {
          if (p.at().isBefore(at)) continue;
          Reading r = p.cameras().get(id);
          if (r == null || r.lastFrameAt() == null || r.lastFrameAt().isBefore(p.at().minus(fresh))) stalled = true;
          if (first == null && r != null && r.lastFrameAt() != null && r.lastFrameAt().isAfter(at)) first = r.lastFrameAt();
          if (first != null) break;
        }
        if (stalled) stopped++;
        if (first == null) never.add(id);
        else resume.add(Duration.between(at, first).toMillis());
      }
      Collections.sort(resume);
      return new Recovery(fault, stopped, resume, never);
    }

    String render() {
      long p50 = resumeMillis.isEmpty() ? -1 : resumeMillis.get(resumeMillis.size() / 2);
      long worst = resumeMillis.isEmpty() ? -1 : resumeMillis.get(resumeMillis.size() - 1);
      return String.format(Locale.ROOT, "| %s | %d | %.1f | %.1f | %d%s |", fault, stopped, p50 / 1000.0, worst / 1000.0,
          never.size(), never.isEmpty() ? "" : " " + never.subList(0, Math.min(10, never.size())));
    }
  }

  /** The figures as they come in; rendered as Markdown at the end. */
  static final class Report {
    final int cameras;
    final int window;
    final double fps;
    final long smallestFrame;
    final List<String> phases = new ArrayList<>();
    List<Long> latencies = List.of();
    long crossedFrames;
    double wirePerCrossed = Double.NaN;
    int onA;
    Recovery kill;
    Recovery outage;
    Poll end;
    double capacity = Double.NaN;
    double steadyAnalysed = Double.NaN;

    Report(int cameras, int window, double fps, long smallestFrame) {
      this.cameras = cameras;
      this.window = window;
      this.fps = fps;
      this.smallestFrame = smallestFrame;
    }

    /** Per-second rates between two rounds, per camera counting only growth (a restarted entity may lose some). */
    void phase(String name, Poll from, Poll to) {
      double s = Duration.between(from.at(), to.at()).toMillis() / 1000.0;
      long analysed = 0;
      long skipped = 0;
      long failed = 0;
      long detections = 0;
      for (Map.Entry<String, Reading> e : to.cameras().entrySet()) {
        Reading r = e.getValue();
        Reading f = from.cameras().get(e.getKey());
        if (f == null) continue;
        analysed += Math.max(0, r.analysed() - f.analysed());
        skipped += Math.max(0, r.skipped() - f.skipped());
        failed += Math.max(0, r.failed() - f.failed());
        detections += Math.max(0, r.detections() - f.detections());
      }
      if (name.equals("steady")) steadyAnalysed = analysed / s;
      // Skips by reason at A and G (B's own counters die with it; B's cameras are in the per-camera figures).
      StringBuilder reasons = new StringBuilder();
      for (Map.Entry<String, Double> e : to.skips().entrySet()) {
        double d = e.getValue() - from.skips().getOrDefault(e.getKey(), 0.0);
        if (d > 0) reasons.append(reasons.length() == 0 ? "" : ", ").append(e.getKey()).append(' ')
            .append(String.format(Locale.ROOT, "%.1f", d / s));
      }
      phases.add(String.format(Locale.ROOT, "| %s | %.0f | %.1f | %.1f | %.1f | %.1f | %s |", name, s, analysed / s,
          skipped / s, failed / s, detections / s, reasons.length() == 0 ? "-" : reasons));
      System.out.println(phases.get(phases.size() - 1));
    }

    String render() {
      StringBuilder out = new StringBuilder();
      out.append("# Fault benchmark: ").append(cameras).append(" snapshot cameras at ").append(fps).append(" fps, ").append(WIDTH).append('x')
          .append(HEIGHT).append(" JPEGs of ").append(smallestFrame / 1024).append(" KiB or more, a fifth moving; ")
          .append("3 nodes on PostgreSQL (B and A camera/API, G gpu with YOLOX-Nano on the CPU), ")
          .append(Runtime.getRuntime().availableProcessors()).append(" cores\n\n")
          .append("| phase | seconds | analysed/s | skipped (busy)/s | failed/s | detections/s | skips at A and G by reason /s |\n"
              + "|---|---|---|---|---|---|---|\n");
      phases.forEach(p -> out.append(p).append('\n'));
      out.append("\n| fault | cameras that stopped delivering | resumed p50 s | resumed worst s | never resumed |\n"
          + "|---|---|---|---|---|\n");
      if (kill != null) out.append(kill.render()).append('\n');
      if (outage != null) out.append(outage.render()).append('\n');
      out.append("\nResume times run from the SIGKILL and from PostgreSQL's return to the camera's first frame after it "
          + "(its health.lastFrameAt).\n");
      out.append(String.format(Locale.ROOT, "%nSteady phase: frame-to-event latency p50 / p95 / p99 %s ms over %d events; "
              + "A hosted %d of %d cameras before the kill; A sent %d frames to G, %s per frame on the wire.%n",
          PipelineBenchmark.percentiles(latencies), latencies.size(), onA, cameras, crossedFrames,
          Double.isNaN(wirePerCrossed) ? "-" : String.format(Locale.ROOT, "%.1f KiB", wirePerCrossed / 1024)));
      out.append(String.format(Locale.ROOT, "Limit (same run, nodes stopped): the bare detector analyses %.1f moving "
          + "frames/s; steady analysed/s ÷ capacity = %.2f.%n", capacity, steadyAnalysed / capacity));
      if (end != null) {
        Map<String, Integer> states = new TreeMap<>();
        Map<String, Integer> errors = new TreeMap<>();
        end.cameras().values().forEach(r -> {
          states.merge(r.state(), 1, Integer::sum);
          if (r.lastError() != null) errors.merge(r.lastError(), 1, Integer::sum);
        });
        out.append("At the end: health.state ").append(states).append(" of ").append(end.cameras().size())
            .append(" answering; newest lastAnalysisError per camera ").append(errors.isEmpty() ? "none" : errors).append(".\n");
      }
      return out.toString();
    }
  }
}
