package gtvision.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.sun.management.OperatingSystemMXBean;
import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import gtvision.camera.CameraEntity;
import gtvision.inference.DetectOptions;
import gtvision.inference.DetectionResult;
import gtvision.inference.ImageInput;
import gtvision.inference.InferenceSettings;
import gtvision.inference.YoloxOnnxDetector;
import gtvision.testsupport.CameraApi;
import gtvision.testsupport.IngestTestConfig;
import gtvision.testsupport.MediaTools;
import gtvision.testsupport.TestCameraServer;
import gtvision.testsupport.TestDatabases;
import gtvision.testsupport.TestImages;
import gtvision.testsupport.TestNodes;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.lang.management.ManagementFactory;
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
 * The whole pipeline on one node with the real detector: N snapshot cameras at 1 fps (local HTTP
 * cameras, 1280x720 JPEG), the motion gate, YOLOX on the CPU (or the configured device), persistence.
 * Scenarios: {@code static} (every camera shows a still picture), {@code fifth} (a fifth of them pan
 * over a busy scene), {@code busy} (all do). Per scenario it reports frames seen / analysed / skipped
 * per second, detections per second, frame-to-event latency (capture to the journal row's write time)
 * p50/p95/p99, the node's CPU per camera (without the in-process test cameras) and heap after GC;
 * then, with the node stopped, the limit: the bare detector's frames/s on the same busy frames.
 *
 * <pre>
 * mvn -B -q test-compile exec:java -Dexec.classpathScope=test \
 *   -Dexec.mainClass=gtvision.bench.PipelineBenchmark -Dexec.args="250 60 static,fifth,busy"
 * </pre>
 * Arguments: cameras, measured seconds per scenario, scenarios (comma-separated).
 */
public final class PipelineBenchmark {
  private PipelineBenchmark() {}

  private static final int WARM_UP_SECONDS = 10;

  public static void main(String[] args) throws Exception {
    int cameras = args.length > 0 ? Integer.parseInt(args[0]) : 20;
    int seconds = args.length > 1 ? Integer.parseInt(args[1]) : 30;
    List<String> scenarios = List.of((args.length > 2 ? args[2] : "static,fifth,busy").split(","));
    System.out.println("Preparing frames ...");
    List<byte[]> busy = TestImages.panning("kite.jpg", 1280, 720, 30);
    List<byte[]> still = List.of(TestImages.still("horses.jpg", 1280));
    Config nodeConfig = IngestTestConfig.fast().withFallback(ConfigFactory.parseString(String.join("\n",
        "gtv.inference.gpu.placement = any",
        "gtv.inference.gpu.model-path = \"" + MediaTools.sharedDir().resolve("models/yolox_nano.onnx") + "\"",
        "gtv.inference.plates.model-dir = \"" + MediaTools.sharedDir().resolve("models/ocr") + "\"")));

    StringBuilder report = new StringBuilder();
    report.append("# Pipeline benchmark: ").append(cameras).append(" snapshot cameras at 1 fps, ")
        .append(seconds).append(" s per scenario, ").append(Runtime.getRuntime().availableProcessors()).append(" cores\n\n")
        .append("| scenario | busy cameras | seen/s | analysed/s | skipped/s | detections/s | latency p50 / p95 / p99 ms | events | CPU per camera | heap after GC |\n")
        .append("|---|---|---|---|---|---|---|---|---|---|\n");
    try (TestCameraServer busyServer = new TestCameraServer(busy, 10, MediaTools.mediaDir());
        TestCameraServer stillServer = new TestCameraServer(still, 10, MediaTools.mediaDir())) {
      for (String scenario : scenarios) {
        int busyCameras = switch (scenario.trim()) {
          case "static" -> 0;
          case "fifth" -> cameras / 5;
          case "busy" -> cameras;
          default -> throw new IllegalArgumentException("scenario must be static, fifth or busy, not " + scenario);
        };
        report.append(run(scenario.trim(), cameras, busyCameras, seconds, nodeConfig, busyServer, stillServer)).append('\n');
      }
    }
    double limit = detectorLimit(nodeConfig, busy, seconds);
    report.append("\nLimit (same run, node stopped): the bare detector analyses ")
        .append(String.format(Locale.ROOT, "%.1f", limit)).append(" busy frames/s on this machine.\n");
    System.out.println(report);
    Path results = Path.of("target", "pipeline-benchmark-" + cameras + ".md");
    Files.writeString(results, report);
    System.out.println("Written to " + results);
    System.exit(0);
  }

  private static String run(
      String scenario, int cameras, int busyCameras, int seconds, Config nodeConfig, TestCameraServer busyServer,
      TestCameraServer stillServer) throws Exception {
    System.out.printf("Scenario %s: %d cameras, %d busy ...%n", scenario, cameras, busyCameras);
    Path dataDir = Files.createTempDirectory("gtv-pipeline-bench");
    TestNodes.Node node = TestNodes.startWithInference(TestDatabases.h2(dataDir), nodeConfig);
    try {
      CameraApi api = new CameraApi(node);
      awaitGpuUp(api);
      List<String> ids = new ArrayList<>();
      for (int i = 0; i < cameras; i++) {
        String id = scenario + "-" + i;
        String url = i < busyCameras ? busyServer.url("/snapshot.jpg") : stillServer.url("/still.jpg");
        api.register(id, "snapshot", url, 1.0);
        ids.add(id);
      }
      Thread.sleep(WARM_UP_SECONDS * 1000L);
      Sample start = Sample.take(api, ids);
      Thread.sleep(seconds * 1000L);
      Sample end = Sample.take(api, ids);
      List<Long> latencies = latencies(node.system(), ids, start.wallMillis, end.wallMillis);
      System.gc();
      long heap = ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
      double s = (end.nanos - start.nanos) / 1e9;
      double cpuPerCamera = (end.nodeCpuNanos - start.nodeCpuNanos) / 1e9 / s / cameras;
      return String.format(Locale.ROOT, "| %s | %d | %.1f | %.1f | %.1f | %.1f | %s | %d | %.1f %% of a core | %d MiB |",
          scenario, busyCameras, (end.seen - start.seen) / s, (end.analysed - start.analysed) / s,
          (end.skipped - start.skipped) / s, (end.detections - start.detections) / s, percentiles(latencies),
          latencies.size(), 100 * cpuPerCamera, heap / (1024 * 1024));
    } finally {
      node.stop();
    }
  }

  private record Sample(long nanos, long wallMillis, long nodeCpuNanos, double seen, double analysed, double skipped,
      double detections) {
    static Sample take(CameraApi api, List<String> ids) {
      String m = api.metrics();
      double detections = 0;
      for (String id : ids) detections += api.get(id).path("counters").path("detections").asDouble();
      return new Sample(System.nanoTime(), System.currentTimeMillis(), measureNodeCpu(),
          sum(m, "gtv_frames_received_total"), sum(m, "gtv_frames_analysed_total"),
          sum(m, "gtv_frames_skipped_motion_total"), detections);
    }
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
  private static List<Long> latencies(ActorSystem<?> system, List<String> ids, long fromMillis, long toMillis)
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

  private static String percentiles(List<Long> sorted) {
    if (sorted.isEmpty()) return "- (no events)";
    return pick(sorted, 0.50) + " / " + pick(sorted, 0.95) + " / " + pick(sorted, 0.99);
  }

  private static long pick(List<Long> sorted, double q) {
    return sorted.get(Math.min(sorted.size() - 1, (int) Math.ceil(q * sorted.size()) - 1));
  }

  private static void awaitGpuUp(CameraApi api) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
    while (System.nanoTime() < deadline) {
      if (api.metrics().contains("gtv_inference_breaker_state")) return;
      Thread.sleep(200);
    }
    throw new IllegalStateException("no GPU worker registered within 120 s");
  }

  /** The bare detector on the same busy frames, as many in flight as a full batch, for {@code seconds}. */
  private static double detectorLimit(Config nodeConfig, List<byte[]> frames, int seconds) throws Exception {
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
