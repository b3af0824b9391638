package gtvision.bench;

import com.sun.management.OperatingSystemMXBean;
import gtvision.camera.Frame;
import gtvision.camera.FrameAnalyser;
import gtvision.testsupport.CameraApi;
import gtvision.testsupport.IngestTestConfig;
import gtvision.testsupport.MediaTools;
import gtvision.testsupport.MediaTools.RtspServer;
import gtvision.testsupport.TestCameraServer;
import gtvision.testsupport.TestDatabases;
import gtvision.testsupport.TestImages;
import gtvision.testsupport.TestNodes;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.opencv.global.opencv_imgcodecs;
import org.bytedeco.opencv.opencv_core.Mat;
import org.bytedeco.javacpp.BytePointer;
import static org.bytedeco.opencv.global.opencv_core.CV_8UC1;

/**
 * Frame ingestion at fleet scale on one node: N cameras at 1 fps against local sources, half HTTP
 * snapshot cameras (1080p and 720p JPEG), half RTSP cameras (H.264 1080p 25 fps 2 s GOP and 720p 15 fps
 * 1 s GOP, from two shared GStreamer RTSP servers: one server session per camera, one encoded stream per
 * server). Reports the node's CPU per camera, heap, delivered frames/s, drops and decode time, next to
 * the limits measured in the same run: the ffmpeg CLI decoding the same videos with and without
 * skip-non-key, and bare full and reduced JPEG decodes of the same pictures.
 *
 * <pre>
 * mvn -B -q test-compile exec:java -Dexec.classpathScope=test \
 *   -Dexec.mainClass=gtvision.bench.IngestBenchmark -Dexec.args="250 60"
 * </pre>
 */
public final class IngestBenchmark {
  private IngestBenchmark() {}

  public static void main(String[] args) throws Exception {
    int cameras = args.length > 0 ? Integer.parseInt(args[0]) : 250;
    int seconds = args.length > 1 ? Integer.parseInt(args[1]) : 60;
    int rtspCameras = cameras / 2;
    int snapshotCameras = cameras - rtspCameras;

    System.out.println("Preparing media ...");
    Path video1080 = MediaTools.video("kite.jpg", 1920, 1080, 25, 50, 150, 30);
    Path video720 = MediaTools.video("horses.jpg", 1280, 720, 15, 15, 150, 30);
    List<byte[]> jpeg1080 = TestImages.panning("kite.jpg", 1920, 1080, 30);
    List<byte[]> jpeg720 = TestImages.panning("person.jpg", 1280, 720, 30);

    try (TestCameraServer http1080 = new TestCameraServer(jpeg1080, 10, MediaTools.mediaDir());
        TestCameraServer http720 = new TestCameraServer(jpeg720, 10, MediaTools.mediaDir());
        RtspServer rtsp1080 = RtspServer.start(video1080, TestNodes.freePort(), true);
        RtspServer rtsp720 = RtspServer.start(video720, TestNodes.freePort(), true)) {
      Path dataDir = Files.createTempDirectory("gtv-ingest-bench");
      // An analyser that does what inference needs first: the full decode of the frame.
      FrameAnalyser decoding = (frame, config) -> {
        frame.bgr();
        return java.util.concurrent.CompletableFuture.completedFuture(FrameAnalyser.Analysis.nothing("bench"));
      };
      TestNodes.Node node = TestNodes.start(TestDatabases.h2(dataDir),
          IngestTestConfig.fast().withFallback(com.typesafe.config.ConfigFactory.parseString(
              "gtv.camera.ingest.read-timeout = 10s\ngtv.camera.ingest.connect-timeout = 10s\n"
                  + "gtv.camera.ingest.backoff-max = 10s\ngtv.camera.ingest.stats-interval = 5s\n"
                  + "gtv.camera.ingest.stats-persist-interval = 30s")),
          system -> decoding);
      CameraApi api = new CameraApi(node);
      try {
        System.out.printf("Registering %d cameras (%d snapshot, %d RTSP) ...%n", cameras, snapshotCameras, rtspCameras);
        for (int i = 0; i < snapshotCameras; i++) {
          TestCameraServer server = i % 2 == 0 ? http1080 : http720;
          api.register("snap-" + i, "snapshot", server.url("/snapshot.jpg"), 1.0);
        }
        for (int i = 0; i < rtspCameras; i++) {
          RtspServer server = i % 2 == 0 ? rtsp1080 : rtsp720;
          api.register("rtsp-" + i, "rtsp", server.url(), 1.0);
        }
        System.out.println("Warming up for 20 s ...");
        Thread.sleep(20_000);
        Sample start = Sample.take(api);
        System.out.printf("Measuring for %d s ...%n", seconds);
        Thread.sleep(seconds * 1000L);
        Sample end = Sample.take(api);
        System.gc();
        long heapAfterGc = ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
        node.stop();
        // Measured with the node stopped, so that the bare decoders have the machine to themselves.
        Limits limits = Limits.measure(video1080, video720, jpeg1080.get(0), jpeg720.get(0));
        String report = report(cameras, snapshotCameras, rtspCameras, seconds, start, end, heapAfterGc, limits, api);
        System.out.println(report);
        Path results = Path.of("docs", "benchmarks.md");
        if (Files.isRegularFile(results)) Files.writeString(results, report, java.nio.file.StandardOpenOption.APPEND);
      } finally {
        if (!node.system().getWhenTerminated().toCompletableFuture().isDone()) node.stop();
      }
    }
    System.exit(0);
  }

  private record Sample(long nanos, long processCpu, long ingestCpu, double received, double sampled, double dropped,
      double skipped, double analysed, double decodeCount, double decodeSum, double connected, double lost) {
    static Sample take(CameraApi api) {
      String m = api.metrics();
      ThreadMXBean threads = ManagementFactory.getThreadMXBean();
      long ingestCpu = 0;
      for (Thread t : Thread.getAllStackTraces().keySet()) {
        if (t.getName().contains("ingest-dispatcher")) {
          long cpu = threads.getThreadCpuTime(t.getId());
          if (cpu > 0) ingestCpu += cpu;
        }
      }
      OperatingSystemMXBean os = (OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
      return new Sample(System.nanoTime(), os.getProcessCpuTime(), ingestCpu, sum(m, "gtv_frames_received_total"),
          sum(m, "gtv_frames_sampled_total"), sum(m, "gtv_frames_dropped_total"), sum(m, "gtv_frames_skipped_motion_total"),
          sum(m, "gtv_frames_analysed_total"), sum(m, "gtv_frame_decode_seconds_count"), sum(m, "gtv_frame_decode_seconds_sum"),
          sum(m, "gtv_camera_streams{state=\"connected\"}"), sum(m, "gtv_camera_streams{state=\"lost\"}"));
    }
  }

  /** Sum of every sample of a metric (over cameras), or one sample when {@code name} includes labels. */
  static double sum(String metrics, String name) {
    double total = 0;
    String prefix = name.contains("{") ? Pattern.quote(name) : Pattern.quote(name) + "(?:\\{[^}]*\\})?";
    Matcher m = Pattern.compile("(?m)^" + prefix + " ([0-9.eE+-]+)$").matcher(metrics);
    while (m.find()) total += Double.parseDouble(m.group(1));
    return total;
  }

  /** What the same inputs cost without GT-Vision: the ffmpeg CLI and bare OpenCV decodes. */
  private record Limits(double cpu1080Full, double cpu1080Key, double cpu720Full, double cpu720Key,
      double jpeg1080FullMs, double jpeg1080ReducedMs, double jpeg720FullMs, double jpeg720ReducedMs) {

    static Limits measure(Path video1080, Path video720, byte[] jpeg1080, byte[] jpeg720) throws Exception {
      return new Limits(
          ffmpegCpuPerVideoSecond(video1080, false), ffmpegCpuPerVideoSecond(video1080, true),
          ffmpegCpuPerVideoSecond(video720, false), ffmpegCpuPerVideoSecond(video720, true),
          jpegMs(jpeg1080, opencv_imgcodecs.IMREAD_COLOR), jpegMs(jpeg1080, opencv_imgcodecs.IMREAD_REDUCED_GRAYSCALE_8),
          jpegMs(jpeg720, opencv_imgcodecs.IMREAD_COLOR), jpegMs(jpeg720, opencv_imgcodecs.IMREAD_REDUCED_GRAYSCALE_8));
    }

    /** CPU seconds the ffmpeg CLI (one decoder thread) needs per second of video. */
    static double ffmpegCpuPerVideoSecond(Path video, boolean keyframesOnly) throws Exception {
      List<String> command = new ArrayList<>(List.of("ffmpeg", "-hide_banner", "-benchmark", "-threads", "1"));
      if (keyframesOnly) command.addAll(List.of("-skip_frame", "nokey"));
      command.addAll(List.of("-i", video.toString(), "-t", "60", "-f", "null", "-"));
      Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
      String out = new String(p.getInputStream().readAllBytes());
      p.waitFor(300, TimeUnit.SECONDS);
      Matcher m = Pattern.compile("utime=([0-9.]+)s stime=([0-9.]+)s").matcher(out);
      if (!m.find()) throw new IllegalStateException("no -benchmark line in: " + out);
      return (Double.parseDouble(m.group(1)) + Double.parseDouble(m.group(2))) / 60.0;
    }

    static double jpegMs(byte[] jpeg, int flags) {
      int rounds = 50;
      try (PointerScope scope = new PointerScope()) {
        Mat encoded = new Mat(1, jpeg.length, CV_8UC1, new BytePointer(jpeg));
        for (int i = 0; i < 5; i++) opencv_imgcodecs.imdecode(encoded, flags).close();
        long start = System.nanoTime();
        for (int i = 0; i < rounds; i++) opencv_imgcodecs.imdecode(encoded, flags).close();
        return (System.nanoTime() - start) / 1e6 / rounds;
      }
    }
  }

  private static String report(int cameras, int snapshotCameras, int rtspCameras, int seconds, Sample a, Sample b,
      long heap, Limits l, CameraApi api) {
    double wall = (b.nanos() - a.nanos()) / 1e9;
    double cores = (b.processCpu() - a.processCpu()) / 1e9 / wall;
    double ingestCores = (b.ingestCpu() - a.ingestCpu()) / 1e9 / wall;
    double decodeMs = (b.decodeSum() - a.decodeSum()) * 1000 / Math.max(1, b.decodeCount() - a.decodeCount());
    // What the same cameras would cost with bare decoders: every RTSP frame decoded (or keyframes only)
    // plus one full JPEG decode per snapshot camera per second.
    double rtspFull = rtspCameras / 2.0 * (l.cpu1080Full() + l.cpu720Full());
    double rtspKey = rtspCameras / 2.0 * (l.cpu1080Key() + l.cpu720Key());
    double jpegFull = snapshotCameras / 2.0 * (l.jpeg1080FullMs() + l.jpeg720FullMs()) / 1000;
    String cpuModel = cpuModel();
    return String.format(Locale.ROOT, """

        ## Frame ingestion: %d cameras at 1 fps on one node (%s)

        `IngestBenchmark %d %d` on %s, %d cores, Java %s, H2 journal. %d HTTP snapshot cameras (half 1920x1080,
        half 1280x720 JPEG, a panning view so every frame has motion) and %d RTSP cameras (TCP) on two shared
        GStreamer RTSP servers (H.264 1920x1080 25 fps 2 s GOP and 1280x720 15 fps 1 s GOP, x264 CRF 30):
        every RTSP camera has its own RTSP session and stream, the servers encode nothing (they replay MP4s
        that ffmpeg built from the test photos). The analyser does a full BGR decode of each frame it gets
        (what inference needs first) and nothing else. The test servers run on the same 2 cores (the RTSP
        servers as their own processes, the HTTP cameras inside the measured JVM). %.0f s measured after 20 s
        of warm-up.

        | measure | value |
        |---|---|
        | streams connected / lost at the end | %.0f / %.0f |
        | frames received from the cameras | %.1f /s |
        | frames sampled (delivered) | %.1f /s (target %d /s) |
        | frames analysed (full decode) | %.1f /s |
        | frames dropped (analysis busy, newest kept) | %.1f /s |
        | frames skipped by the motion gate | %.1f /s |
        | JVM CPU, whole node incl. the HTTP test cameras | %.2f cores = %.1f ms CPU per camera per second |
        | CPU of the ingest dispatcher's threads (reads, decodes, gate) | %.2f cores |
        | mean decode time (FFmpeg demux+decode CPU per sampled frame, JPEG reduced decode) | %.2f ms |
        | heap after GC | %d MiB |

        Limits measured in the same run:

        | bare decoder | cost |
        |---|---|
        | ffmpeg CLI, 1080p25 H.264, every frame / `-skip_frame nokey` | %.3f / %.3f CPU s per video s |
        | ffmpeg CLI, 720p15 H.264, every frame / `-skip_frame nokey` | %.3f / %.3f CPU s per video s |
        | OpenCV JPEG 1080p full colour / reduced 1/8 grayscale | %.2f / %.2f ms |
        | OpenCV JPEG 720p full colour / reduced 1/8 grayscale | %.2f / %.2f ms |
        | the same %d RTSP cameras with bare ffmpeg, every frame / keyframes only | %.2f / %.2f cores |
        | the same %d snapshot cameras, one full JPEG decode per second each | %.2f cores |
        """,
        cameras, Instant.now().toString().substring(0, 10), cameras, seconds, cpuModel, Runtime.getRuntime().availableProcessors(),
        System.getProperty("java.version"), snapshotCameras, rtspCameras, wall,
        b.connected(), b.lost(),
        (b.received() - a.received()) / wall, (b.sampled() - a.sampled()) / wall, cameras,
        (b.analysed() - a.analysed()) / wall, (b.dropped() - a.dropped()) / wall, (b.skipped() - a.skipped()) / wall,
        cores, cores * 1000 / cameras, ingestCores, decodeMs, heap >> 20,
        l.cpu1080Full(), l.cpu1080Key(), l.cpu720Full(), l.cpu720Key(),
        l.jpeg1080FullMs(), l.jpeg1080ReducedMs(), l.jpeg720FullMs(), l.jpeg720ReducedMs(),
        rtspCameras, rtspFull, rtspKey, snapshotCameras, jpegFull);
  }

  private static String cpuModel() {
    try {
      for (String line : Files.readAllLines(Path.of("/proc/cpuinfo"))) {
        if (line.startsWith("model name")) return line.substring(line.indexOf(':') + 1).strip();
      }
    } catch (java.io.IOException e) {
      // not Linux: leave the model out
    }
    return "unknown CPU";
  }
}
