package gtvision.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.management.OperatingSystemMXBean;
import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import gtvision.camera.CameraEntity;
import gtvision.inference.DetectOptions;
import gtvision.inference.DetectionResult;
import gtvision.inference.ImageInput;
import gtvision.inference.InferenceSettings;
import gtvision.inference.YoloxOnnxDetector;
import gtvision.metrics.Metrics;
import gtvision.testsupport.CameraApi;
import gtvision.testsupport.IngestTestConfig;
import gtvision.testsupport.MediaTools;
import gtvision.testsupport.MediaTools.RtspServer;
import gtvision.testsupport.TestCameraServer;
import gtvision.testsupport.TestDatabases;
import gtvision.testsupport.TestImages;
import gtvision.testsupport.TestNodes;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.lang.management.ManagementFactory;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.lang.management.ThreadMXBean;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.persistence.jdbc.query.javadsl.JdbcReadJournal;
import org.apache.pekko.persistence.query.EventEnvelope;
import org.apache.pekko.persistence.query.PersistenceQuery;
import org.apache.pekko.persistence.typed.PersistenceId;
import org.apache.pekko.stream.Materializer;
import org.apache.pekko.stream.javadsl.Sink;

/**
 * The whole pipeline with the real detector: N cameras at 1 fps, the motion gate, YOLOX on the CPU (or
 * the configured device), persistence, on one node or across two.
 *
 * <p>Sources ({@code --source}): {@code snapshot} (default) serves 1280x720 JPEGs from local HTTP
 * cameras, a still picture or a window panning over a busy scene; {@code rtsp} plays 1280x720 H.264
 * videos at 10 fps with a 1 s GOP from GStreamer RTSP servers, a still one and a moving one (built by
 * ffmpeg from the test photos). For RTSP there is one server process per video, each with one path
 * ({@code /stream}) that all cameras of that kind open, each in its own session from the video's start
 * (GStreamer's shared mode delivered no frames to the cameras). Each scenario starts fresh servers. An
 * RTSP camera's framesSeen counts every decoded frame of the 10 fps stream, not only the 1 fps sampled.
 *
 * <p>Nodes ({@code --nodes}): {@code 1} (default) is one node with the GPU worker on it ({@code
 * gtv.inference.gpu.placement = any}); {@code 2} is a camera/API node with {@code placement = none}
 * plus a node with cluster role {@code gpu} ({@code placement = role}), both in this JVM, Artery on
 * loopback, one PostgreSQL database (required for two nodes; one node uses PostgreSQL where it is
 * reachable, H2 otherwise). Camera entities are sharded over both members, as in the shipped layout,
 * so the cameras that live on the camera node send their frames across; the report gives the share of
 * analysed frames that crossed and the bytes on the wire ({@code gtv.inference.wire.bytes}) per
 * analysed frame and per crossed frame. With two nodes CPU and heap are those of both (one JVM).
 *
 * <p>Scenarios: {@code static} (every camera shows a still picture), {@code fifth} (a fifth of them
 * show motion), {@code busy} (all do). Per scenario: frames seen / analysed / skipped because the
 * detector was busy / failed per second (the cameras' {@code counters} in {@code GET /api/cameras/{id}}),
 * frames the motion gate held back per second, detections per second, frame-to-event latency (capture
 * to the journal row's write time) p50/p95/p99, CPU per camera (without the in-process test cameras)
 * and heap after GC. Then, with the nodes stopped, the limit: the bare detector's capacity in frames/s
 * on the same moving frames (for RTSP, the keyframes of the moving video), and per scenario analysed/s
 * ÷ capacity; for {@code busy} that ratio says how close the pipeline comes to what the detector can do.
 *
 * <pre>
 * mvn -B -q test-compile exec:java -Dexec.classpathScope=test -Dexec.mainClass=gtvision.bench.PipelineBenchmark \
 *   -Dexec.args="250 60 static,fifth,busy --nodes 2 --source rtsp"
 * </pre>
 * Arguments: cameras (20), measured seconds per scenario (30), scenarios comma-separated
 * (static,fifth,busy), then optionally {@code --nodes 1|2} (1) and {@code --source snapshot|rtsp}
 * (snapshot). The report goes to {@code target/pipeline-benchmark-N[-2nodes][-rtsp].md}.
 */
public final class PipelineBenchmark {
  private PipelineBenchmark() {}

  private static final int WARM_UP_SECONDS = 10;
  private static final int WIDTH = 1280;
  private static final int HEIGHT = 720;

  /** The command line: positional cameras, seconds, scenarios; then {@code --nodes} and {@code --source}. */
  record Options(int cameras, int seconds, List<String> scenarios, int nodes, String source) {
    static Options parse(String[] args) {
      List<String> positional = new ArrayList<>();
      int nodes = 1;
      String source = "snapshot";
      for (int i = 0; i < args.length; i++) {
        String a = args[i];
        String flag = a.contains("=") ? a.substring(0, a.indexOf('=')) : a;
        if (flag.equals("--nodes") || flag.equals("--source")) {
          String value = a.contains("=") ? a.substring(a.indexOf('=') + 1) : (++i < args.length ? args[i] : "");
          if (flag.equals("--nodes")) nodes = Integer.parseInt(value);
          else source = value;
        } else if (a.startsWith("--")) {
          throw new IllegalArgumentException("unknown option " + a + " (--nodes 1|2, --source snapshot|rtsp)");
        } else {
          positional.add(a);
        }
      }
      if (nodes != 1 && nodes != 2) throw new IllegalArgumentException("--nodes must be 1 or 2, not " + nodes);
      if (!source.equals("snapshot") && !source.equals("rtsp")) {
        throw new IllegalArgumentException("--source must be snapshot or rtsp, not " + source);
      }
      int cameras = positional.size() > 0 ? Integer.parseInt(positional.get(0)) : 20;
      int seconds = positional.size() > 1 ? Integer.parseInt(positional.get(1)) : 30;
      List<String> scenarios = new ArrayList<>();
      for (String sc : (positional.size() > 2 ? positional.get(2) : "static,fifth,busy").split(",")) {
        busyCameras(sc.trim(), cameras); // fails early on a typo
        scenarios.add(sc.trim());
      }
      return new Options(cameras, seconds, scenarios, nodes, source);
    }
  }

  static int busyCameras(String scenario, int cameras) {
    return switch (scenario) {
      case "static" -> 0;
      case "fifth" -> cameras / 5;
      case "busy" -> cameras;
      default -> throw new IllegalArgumentException("scenario must be static, fifth or busy, not " + scenario);
    };
  }

  public static void main(String[] args) throws Exception {
    Options o = Options.parse(args);
    Config nodeConfig = IngestTestConfig.fast().withFallback(ConfigFactory.parseString(String.join("\n",
        "gtv.inference.gpu.placement = any",
        "gtv.inference.gpu.model-path = \"" + MediaTools.sharedDir().resolve("models/yolox_nano.onnx") + "\"",
        "gtv.inference.plates.model-dir = \"" + MediaTools.sharedDir().resolve("models/ocr") + "\"")));
    boolean postgres = o.nodes() == 2 || TestDatabases.postgresAvailable();
    System.out.println("Preparing frames ...");
    List<Row> rows = new ArrayList<>();
    List<byte[]> limitFrames;
    if (o.source().equals("snapshot")) {
      List<byte[]> busy = TestImages.panning("kite.jpg", WIDTH, HEIGHT, 30);
      List<byte[]> still = List.of(TestImages.still("horses.jpg", WIDTH));
      limitFrames = busy;
      try (TestCameraServer busyServer = new TestCameraServer(busy, 10, MediaTools.mediaDir());
          TestCameraServer stillServer = new TestCameraServer(still, 10, MediaTools.mediaDir())) {
        Source source = new Source("snapshot", busyServer.url("/snapshot.jpg"), stillServer.url("/still.jpg"));
        for (String scenario : o.scenarios()) rows.add(run(scenario, o, nodeConfig, postgres, source));
      }
    } else {
      MediaTools.python();
      // Long enough for warm-up, registration and the measured window on one live timeline.
      int videoSeconds = WARM_UP_SECONDS + o.seconds() + 120;
      Path moving = MediaTools.video("kite.jpg", WIDTH, HEIGHT, 10, 10, videoSeconds);
      Path still = MediaTools.stillVideo("horses.jpg", WIDTH, HEIGHT, 10, 10, videoSeconds);
      limitFrames = keyframes(moving, 30);
      for (String scenario : o.scenarios()) {
        try (RtspServer busyServer = RtspServer.start(moving, TestNodes.freePort(), false);
            RtspServer stillServer = RtspServer.start(still, TestNodes.freePort(), false)) {
          rows.add(run(scenario, o, nodeConfig, postgres, new Source("rtsp", busyServer.url(), stillServer.url())));
        }
      }
    }
    double limit = detectorLimit(nodeConfig, limitFrames, o.seconds());

    StringBuilder report = new StringBuilder();
    report.append("# Pipeline benchmark: ").append(o.cameras()).append(' ').append(o.source()).append(" cameras at 1 fps, ")
        .append(o.nodes() == 1 ? "one node" : "two nodes (camera/API node + gpu node)").append(", ")
        .append(postgres ? "PostgreSQL" : "H2").append(", ")
        .append(o.seconds()).append(" s per scenario, ").append(Runtime.getRuntime().availableProcessors()).append(" cores\n\n")
        .append("| scenario | busy cameras | seen/s | analysed/s | skipped (busy)/s | failed/s | motion-gated/s | detections/s "
            + "| latency p50 / p95 / p99 ms | events | CPU per camera | heap after GC | analysed ÷ capacity");
    if (o.nodes() == 2) report.append(" | crossed | wire bytes per analysed frame | per crossed frame");
    report.append(" |\n|---|---|---|---|---|---|---|---|---|---|---|---|---");
    if (o.nodes() == 2) report.append("|---|---|---");
    report.append("|\n");
    for (Row r : rows) report.append(r.format(limit, o.nodes() == 2)).append('\n');
    report.append("\nLimit (same run, nodes stopped): the bare detector analyses ")
        .append(String.format(Locale.ROOT, "%.1f", limit)).append(" moving frames/s (")
        .append(o.source().equals("rtsp") ? "keyframes of the moving video" : "the moving snapshots")
        .append(", ").append(WIDTH).append('x').append(HEIGHT).append(") on this machine.\n");
    for (Row r : rows) {
      if (r.scenario().equals("busy")) {
        report.append(String.format(Locale.ROOT, "Busy: %.1f analysed/s of a capacity of %.1f frames/s = %.2f.%n",
            r.analysed(), limit, r.analysed() / limit));
      }
    }
    System.out.println(report);
    Path results = Path.of("target", "pipeline-benchmark-" + o.cameras() + (o.nodes() == 2 ? "-2nodes" : "")
        + (o.source().equals("rtsp") ? "-rtsp" : "") + ".md");
    Files.writeString(results, report);
    System.out.println("Written to " + results);
    System.exit(0);
  }

  /** Where the cameras of a scenario read from: one URL for moving frames, one for a still picture. */
  private record Source(String kind, String busyUrl, String stillUrl) {}

  /** One scenario's figures, per second over the measured window. */
  private record Row(String scenario, int busyCameras, double seen, double analysed, double skipped, double failed,
      double motionGated, double detections, String latency, int events, double cpuPerCamera, long heapMiB,
      double crossedShare, double wirePerAnalysed, double wirePerCrossed) {
    String format(double limit, boolean twoNodes) {
      String s = String.format(Locale.ROOT,
          "| %s | %d | %.1f | %.1f | %.1f | %.1f | %.1f | %.1f | %s | %d | %.1f %% of a core | %d MiB | %.2f |",
          scenario, busyCameras, seen, analysed, skipped, failed, motionGated, detections, latency, events,
          100 * cpuPerCamera, heapMiB, analysed / limit);
      if (twoNodes) {
        s += String.format(Locale.ROOT, " %.0f %% | %s | %s |", 100 * crossedShare, bytes(wirePerAnalysed), bytes(wirePerCrossed));
      }
      return s;
    }

    private static String bytes(double b) {
      return Double.isNaN(b) ? "-" : String.format(Locale.ROOT, "%.1f KiB", b / 1024);
    }
  }

  /** The nodes of one scenario: the camera/API node, and with two nodes the gpu node. */
  private record Cluster(TestNodes.Node cameraNode, TestNodes.Node gpuNode) implements AutoCloseable {
    static Cluster start(int nodes, Config database, Config nodeConfig) throws InterruptedException {
      if (nodes == 1) {
        TestNodes.Node node = TestNodes.startWithInference(database, nodeConfig);
        awaitGpuUp(node);
        return new Cluster(node, null);
      }
      TestNodes.Node camera = TestNodes.startWithInference(database,
          ConfigFactory.parseString("gtv.inference.gpu.placement = none").withFallback(nodeConfig));
      TestNodes.Node gpu = null;
      try {
        gpu = TestNodes.startWithInference(database, ConfigFactory.parseString(String.join("\n",
            "gtv.cluster.seed-nodes = \"pekko://gtvision@127.0.0.1:" + camera.clusterPort() + "\"",
            "gtv.cluster.roles = gpu",
            "gtv.inference.gpu.placement = role")).withFallback(nodeConfig));
        awaitGpuUp(camera);
        awaitGpuUp(gpu);
        return new Cluster(camera, gpu);
      } catch (RuntimeException | InterruptedException e) {
        if (gpu != null) gpu.stop();
        camera.stop();
        throw e;
      }
    }

    List<TestNodes.Node> nodes() {
      return gpuNode == null ? List.of(cameraNode) : List.of(cameraNode, gpuNode);
    }

    @Override
    public void close() {
      if (gpuNode != null) gpuNode.stop();
      cameraNode.stop();
    }
  }

  private static Row run(String scenario, Options o, Config nodeConfig, boolean postgres, Source source) throws Exception {
    int cameras = o.cameras();
    int busyCameras = busyCameras(scenario, cameras);
    System.out.printf("Scenario %s: %d %s cameras, %d busy, %d node(s) ...%n", scenario, cameras, source.kind(), busyCameras,
        o.nodes());
    Config database = postgres
        ? TestDatabases.postgres("pipeline_bench")
        : TestDatabases.h2(Files.createTempDirectory("gtv-pipeline-bench"));
    try (Cluster cluster = Cluster.start(o.nodes(), database, nodeConfig)) {
      CameraApi api = new CameraApi(cluster.cameraNode());
      List<CameraApi> apis = cluster.nodes().stream().map(CameraApi::new).toList();
      List<String> ids = new ArrayList<>();
      for (int i = 0; i < cameras; i++) {
        String id = scenario + "-" + i;
        api.register(id, source.kind(), i < busyCameras ? source.busyUrl() : source.stillUrl(), 1.0);
        ids.add(id);
      }
      Thread.sleep(WARM_UP_SECONDS * 1000L);
      Sample start = Sample.take(api, apis, cluster.nodes(), ids);
      Thread.sleep(o.seconds() * 1000L);
      Sample end = Sample.take(api, apis, cluster.nodes(), ids);
      List<Long> latencies = latencies(cluster.cameraNode().system(), ids, start.wallMillis, end.wallMillis);
      System.gc();
      long heap = ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
      double s = (end.nanos - start.nanos) / 1e9;
      double cpuPerCamera = (end.nodeCpuNanos - start.nodeCpuNanos) / 1e9 / s / cameras;
      double analysedFrames = end.analysed - start.analysed;
      double crossed = end.wireFrames - start.wireFrames;
      double wire = end.wireBytes - start.wireBytes;
      return new Row(scenario, busyCameras, (end.seen - start.seen) / s, analysedFrames / s,
          (end.skipped - start.skipped) / s, (end.failed - start.failed) / s, (end.motionGated - start.motionGated) / s,
          (end.detections - start.detections) / s, percentiles(latencies), latencies.size(), cpuPerCamera,
          heap / (1024 * 1024), analysedFrames > 0 ? crossed / analysedFrames : 0,
          analysedFrames > 0 ? wire / analysedFrames : Double.NaN, crossed > 0 ? wire / crossed : Double.NaN);
    }
  }

  private record Sample(long nanos, long wallMillis, long nodeCpuNanos, double seen, double analysed, double skipped,
      double failed, double motionGated, double detections, double wireFrames, double wireBytes) {
    /** The cameras' counters through {@code api}; the motion gate's metric and the wire summary of every node. */
    static Sample take(CameraApi api, List<CameraApi> apis, List<TestNodes.Node> nodes, List<String> ids) {
      double seen = 0;
      double analysed = 0;
      double skipped = 0;
      double failed = 0;
      double detections = 0;
      for (String id : ids) {
        JsonNode c = counters(api, id);
        seen += c.path("framesSeen").asDouble();
        analysed += c.path("framesAnalysed").asDouble();
        skipped += c.path("framesSkipped").asDouble();
        failed += c.path("framesFailed").asDouble();
        detections += c.path("detections").asDouble();
      }
      double motionGated = 0;
      for (CameraApi a : apis) motionGated += sum(a.metrics(), "gtv_frames_skipped_motion_total");
      double wireFrames = 0;
      double wireBytes = 0;
      for (TestNodes.Node n : nodes) {
        DistributionSummary wire = Metrics.get(n.system()).registry().find("gtv.inference.wire.bytes").summary();
        if (wire != null) {
          wireFrames += wire.count();
          wireBytes += wire.totalAmount();
        }
      }
      return new Sample(System.nanoTime(), System.currentTimeMillis(), measureNodeCpu(), seen, analysed, skipped, failed,
          motionGated, detections, wireFrames, wireBytes);
    }
  }

  /** A camera's counters; a busy node's 503 (an entity slow to answer) is asked again a few times. */
  private static JsonNode counters(CameraApi api, String id) {
    for (int attempt = 1; ; attempt++) {
      try {
        return api.get(id).path("counters");
      } catch (AssertionError | IllegalStateException e) {
        if (attempt == 5) throw e;
        MediaTools.sleep(1000);
      }
    }
  }

  /** The first {@code count} keyframes of {@code video} as JPEGs: what the RTSP cameras hand the detector at 1 fps. */
  private static List<byte[]> keyframes(Path video, int count) throws Exception {
    Path dir = MediaTools.mediaDir().resolve(video.getFileName().toString().replace(".mp4", "-keyframes"));
    Files.createDirectories(dir);
    if (!Files.isRegularFile(dir.resolve("f" + String.format(Locale.ROOT, "%03d", count) + ".jpg"))) {
      MediaTools.ffmpeg("-skip_frame", "nokey", "-i", video.toString(), "-vsync", "vfr", "-frames:v", String.valueOf(count),
          "-q:v", "3", dir.resolve("f%03d.jpg").toString());
    }
    List<byte[]> frames = new ArrayList<>();
    for (int i = 1; i <= count; i++) frames.add(Files.readAllBytes(dir.resolve(String.format(Locale.ROOT, "f%03d.jpg", i))));
    return frames;
  }

  /** Process CPU less the threads that serve the test cameras (they are not the node's work). */
  private static long measureNodeCpu() {
    OperatingSystemMXBean os = (OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
    ThreadMXBean threads = ManagementFactory.getThreadMXBean();
    long cameraCpu = 0;
    for (var info : threads.getThreadInfo(threads.getAllThreadIds())) {
      if (info != null && info.getThreadName().startsWith(TestCameraServer.THREAD_PREFIX)) {
        long t = threads.getThreadCpuTime(info.getThreadId());
        if (t > 0) cameraCpu += t;
      }
    }
    return os.getProcessCpuTime() - cameraCpu;
  }

  private static double sum(String metrics, String name) {
    Matcher m = Pattern.compile("(?m)^" + name + "\\{[^}]*\\} ([0-9.eE+-]+)$").matcher(metrics);
    double total = 0;
    while (m.find()) total += Double.parseDouble(m.group(1));
    return total;
  }

  /** Capture to persisted: each DetectionsRecorded of the window against its journal row's write time. */
  static List<Long> latencies(ActorSystem<?> system, List<String> ids, long fromMillis, long toMillis)
      throws Exception {
    JdbcReadJournal journal = PersistenceQuery.get(system).getReadJournalFor(JdbcReadJournal.class, JdbcReadJournal.Identifier());
    Materializer mat = Materializer.matFromSystem(system);
    List<Long> out = new ArrayList<>();
    for (String id : ids) {
      String pid = PersistenceId.of(CameraEntity.TYPE_KEY.name(), id).id();
      List<EventEnvelope> events = journal.currentEventsByPersistenceId(pid, 0, Long.MAX_VALUE)
          .runWith(Sink.seq(), mat).toCompletableFuture().get(60, TimeUnit.SECONDS);
      for (EventEnvelope e : events) {
        if (e.event() instanceof CameraEntity.DetectionsRecorded d) {
          long captured = d.capturedAt().toEpochMilli();
          if (captured >= fromMillis && captured < toMillis) out.add(e.timestamp() - captured);
        }
      }
    }
    Collections.sort(out);
    return out;
  }

  static String percentiles(List<Long> sorted) {
    if (sorted.isEmpty()) return "- (no events)";
    return pick(sorted, 0.50) + " / " + pick(sorted, 0.95) + " / " + pick(sorted, 0.99);
  }

  private static long pick(List<Long> sorted, double q) {
    return sorted.get(Math.min(sorted.size() - 1, (int) Math.ceil(q * sorted.size()) - 1));
  }

  /** Until the node's /health says its GPU provider is UP (a worker on this node or, with two nodes, on the gpu node). */
  static void awaitGpuUp(TestNodes.Node node) throws InterruptedException {
    HttpClient http = HttpClient.newHttpClient();
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
    String state = "";
    while (System.nanoTime() < deadline) {
      try {
        String body = http.send(HttpRequest.newBuilder(URI.create(node.baseUrl() + "/health")).build(),
            HttpResponse.BodyHandlers.ofString()).body();
        state = new ObjectMapper().readTree(body).at("/inference/providers/gpu").asText();
        if (state.equals("UP")) return;
      } catch (java.io.IOException e) {
        // not answering yet
      }
      Thread.sleep(200);
    }
    throw new IllegalStateException("GPU provider not UP on " + node.baseUrl() + " within 120 s: " + state);
  }

  /** The bare detector on the same busy frames, as many in flight as a full batch, for {@code seconds}. */
  static double detectorLimit(Config nodeConfig, List<byte[]> frames, int seconds) throws Exception {
    System.out.println("Measuring the bare detector ...");
    Config config = nodeConfig.withFallback(ConfigFactory.load());
    InferenceSettings settings = InferenceSettings.from(config);
    ExecutorService pool = Executors.newFixedThreadPool(config.getInt("gtv.inference-dispatcher.thread-pool-executor.fixed-pool-size"));
    try (YoloxOnnxDetector detector = YoloxOnnxDetector.load(settings.gpu(), Optional.empty(), pool, new SimpleMeterRegistry())) {
      Semaphore inFlight = new Semaphore(2 * settings.gpu().maxBatch());
      AtomicLong done = new AtomicLong();
      long warmUntil = System.nanoTime() + TimeUnit.SECONDS.toNanos(3);
      long start = 0;
      long end = Long.MAX_VALUE;
      int i = 0;
      while (System.nanoTime() < end) {
        if (start == 0 && System.nanoTime() >= warmUntil) {
          start = System.nanoTime();
          end = start + TimeUnit.SECONDS.toNanos(seconds);
          done.set(0);
        }
        inFlight.acquire();
        CompletionStage<List<DetectionResult>> r =
            detector.detect(List.of(ImageInput.encoded(frames.get(i++ % frames.size()))), DetectOptions.DEFAULT);
        r.whenComplete((v, e) -> {
          done.incrementAndGet();
          inFlight.release();
        });
      }
      return done.get() / ((System.nanoTime() - start) / 1e9);
    } finally {
      pool.shutdownNow();
    }
  }
}
