package gtvision.bench;

import static org.bytedeco.opencv.global.opencv_core.CV_8UC1;

import com.sun.management.OperatingSystemMXBean;
import com.typesafe.config.ConfigFactory;
import gtvision.camera.stream.Frame;
import gtvision.camera.stream.FrameAnalyser;
import gtvision.testsupport.CameraApi;
import gtvision.testsupport.IngestTestConfig;
import gtvision.testsupport.MediaTools.RtspServer;
import gtvision.testsupport.MediaTools;
import gtvision.testsupport.TestCameraServer;
import gtvision.testsupport.TestDatabases;
import gtvision.testsupport.TestImages;
import gtvision.testsupport.TestNodes;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.bytedeco.javacpp.BytePointer;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.opencv.global.opencv_imgcodecs;
import org.bytedeco.opencv.opencv_core.Mat;

/**
 * Frame ingestion at fleet scale on one node: N cameras at 1 fps against local sources, half HTTP
 * snapshot cameras (1080p and 720p JPEG), half RTSP cameras (H.264 1080p 25 fps 2 s GOP at most 3 Mbit/s
 * and 720p 15 fps 1 s GOP at most 1.5 Mbit/s). The RTSP cameras are spread over several GStreamer RTSP
 * server processes, a few cameras each, every camera with its own (non-shared) media pipeline, as real
 * cameras are separate devices; they connect staggered, as a node taking over a fleet does. Reports the
 * node's CPU per camera (without the in-process HTTP test cameras), heap, delivered frames/s, drops and
 * decode time, next to the limits measured in the same run with the node stopped: the ffmpeg CLI
 * decoding the same videos with and without skip-non-key, and bare full and reduced JPEG decodes.
 *
 * <pre>
 * mvn -B -q test-compile exec:java -Dexec.classpathScope=test \
 *   -Dexec.mainClass=gtvision.bench.IngestBenchmark -Dexec.args="250 60 8 5"
 * </pre>
 * Arguments: cameras, measured seconds, RTSP cameras per server process, RTSP connects per second.
 */
public final class IngestBenchmark {
  private IngestBenchmark() {}

  public static void main(String[] args) throws Exception {
    int cameras = args.length > 0 ? Integer.parseInt(args[0]) : 250;
    int seconds = args.length > 1 ? Integer.parseInt(args[1]) : 60;
    int perServer = args.length > 2 ? Integer.parseInt(args[2]) : 8;
    double connectsPerSecond = args.length > 3 ? Double.parseDouble(args[3]) : 5;
    int rtspCameras = cameras / 2;
    int snapshotCameras = cameras - rtspCameras;
    Setup setup = new Setup(cameras, seconds, perServer, connectsPerSecond, snapshotCameras, rtspCameras);

    System.out.println("Preparing media ...");
    // Long enough that no non-shared pipeline reaches the end of its file during the run.
    Path video1080 = MediaTools.video("kite.jpg", 1920, 1080, 25, 50, 240, 30, 3000);
    Path video720 = MediaTools.video("horses.jpg", 1280, 720, 15, 15, 240, 30, 1500);
    List<byte[]> jpeg1080 = TestImages.panning("kite.jpg", 1920, 1080, 30);
    List<byte[]> jpeg720 = TestImages.panning("person.jpg", 1280, 720, 30);

    List<RtspServer> servers = new ArrayList<>();
    try (TestCameraServer http1080 = new TestCameraServer(jpeg1080, 10, MediaTools.mediaDir());
        TestCameraServer http720 = new TestCameraServer(jpeg720, 10, MediaTools.mediaDir())) {
      int serverCount = (rtspCameras + perServer - 1) / perServer;
      for (int i = 0; i < serverCount; i++) {
        servers.add(RtspServer.start(i % 2 == 0 ? video1080 : video720, TestNodes.freePort(), false));
      }
      Path dataDir = Files.createTempDirectory("gtv-ingest-bench");
      // An analyser that does what inference needs first: the full decode of the frame.
      FrameAnalyser decoding = (frame, config) -> {
        frame.bgr();
        return CompletableFuture.completedFuture(FrameAnalyser.Analysis.nothing("bench"));
      };
      TestNodes.Node node = TestNodes.start(TestDatabases.h2(dataDir),
          IngestTestConfig.fast().withFallback(ConfigFactory.parseString(
              "gtv.camera.stream.read-timeout = 10s\ngtv.camera.stream.connect-timeout = 10s\n"
                  + "gtv.camera.stream.backoff-max = 10s\ngtv.camera.stream.stats-interval = 5s\n"
                  + "gtv.camera.stream.stats-persist-interval = 30s")),
          system -> decoding);
      CameraApi api = new CameraApi(node);
      try {
        System.out.printf("Registering %d cameras (%d snapshot, %d RTSP on %d server processes) ...%n",
            cameras, snapshotCameras, rtspCameras, serverCount);
        for (int i = 0; i < snapshotCameras; i++) {
          TestCameraServer server = i % 2 == 0 ? http1080 : http720;
          api.register("snap-" + i, "snapshot", server.url("/snapshot.jpg"), 1.0);
          Thread.sleep(40);
        }
        long pause = (long) (1000 / connectsPerSecond);
        for (int i = 0; i < rtspCameras; i++) {
          api.register("rtsp-" + i, "rtsp", servers.get(i / perServer).url(), 1.0);
          Thread.sleep(pause);
        }
        System.out.println("Warming up for 20 s ...");
        Thread.sleep(20_000);
        Sample start = Sample.take(api, servers);
        System.out.printf("Measuring for %d s ...%n", seconds);
        Thread.sleep(seconds * 1000L);
        Sample end = Sample.take(api, servers);
        long serversAlive = servers.stream().filter(RtspServer::isAlive).count();
        System.gc();
        long heapAfterGc = ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
        node.stop();
        servers.forEach(RtspServer::stop);
        // Measured with the node and the RTSP servers stopped, so that the bare decoders have the machine to themselves.
        Limits limits = Limits.measure(video1080, video720, jpeg1080.get(0), jpeg720.get(0));
        String report = report(setup, serverCount, serversAlive, start, end, heapAfterGc, limits);
        System.out.println(report);
        Path results = Path.of("target", "ingest-benchmark-" + cameras + ".md");
        Files.writeString(results, report);
        System.out.println("Written to " + results);
      } finally {
        if (!node.system().getWhenTerminated().toCompletableFuture().isDone()) node.stop();
      }
    } finally {
      servers.forEach(RtspServer::stop);
    }
    System.exit(0);
  }

  private record Setup(int cameras, int seconds, int perServer, double connectsPerSecond, int snapshotCameras, int rtspCameras) {}

  /** Counters summed over the cameras of one kind (by id prefix). */
  private record Kind(double received, double sampled, double dropped, double skipped, double analysed, double corrupt) {
    static Kind of(String m, String prefix) {
      return new Kind(sum(m, "gtv_frames_received_total", prefix), sum(m, "gtv_frames_sampled_total", prefix),
          sum(m, "gtv_frames_dropped_total", prefix), sum(m, "gtv_frames_skipped_motion_total", prefix),
          sum(m, "gtv_frames_analysed_total", prefix), sum(m, "gtv_frames_corrupt_total", prefix));
    }
  }

  private record Sample(long nanos, long processCpu, long ingestCpu, long cameraServerCpu, double rtspServerCpu, long machineBusyTicks, Kind snap,
      Kind rtsp, double decodeCount, double decodeSum, double connected, double lost, double reconnects) {
    static Sample take(CameraApi api, List<RtspServer> servers) {
      String m = api.metrics();
      ThreadMXBean threads = ManagementFactory.getThreadMXBean();
      long ingestCpu = 0;
      long cameraServerCpu = 0;
      for (Thread t : Thread.getAllStackTraces().keySet()) {
        long cpu = threads.getThreadCpuTime(t.getId());
        if (cpu <= 0) continue;
        if (t.getName().contains("stream-dispatcher")) ingestCpu += cpu;
        // The HTTP test cameras live in this JVM: their request threads and the JDK server's dispatcher.
        if (t.getName().startsWith(TestCameraServer.THREAD_PREFIX) || t.getName().startsWith("HTTP-Dispatcher")) {
          cameraServerCpu += cpu;
        }
      }
      double rtspServerCpu = servers.stream().mapToDouble(RtspServer::cpuSeconds).filter(c -> c >= 0).sum();
      OperatingSystemMXBean os = (OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
      return new Sample(System.nanoTime(), os.getProcessCpuTime(), ingestCpu, cameraServerCpu, rtspServerCpu, readMachineBusyTicks(),
          Kind.of(m, "snap-"), Kind.of(m, "rtsp-"),
          sum(m, "gtv_frame_decode_seconds_count", null), sum(m, "gtv_frame_decode_seconds_sum", null),
          sum(m, "gtv_camera_streams{state=\"connected\"}", null), sum(m, "gtv_camera_streams{state=\"lost\"}", null),
          sum(m, "gtv_camera_reconnects_total", null));
    }
  }

  /**
   * Sum of every sample of a metric (over cameras), or one sample when {@code name} includes labels;
   * with {@code cameraPrefix}, only the cameras whose id starts with it.
   */
  static double sum(String metrics, String name, String cameraPrefix) {
    double total = 0;
    String labels = cameraPrefix == null ? "(?:\\{[^}]*\\})?" : "\\{[^}]*camera=\"" + Pattern.quote(cameraPrefix) + "[^\"]*\"[^}]*\\}";
    String prefix = name.contains("{") ? Pattern.quote(name) : Pattern.quote(name) + labels;
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

  private static String report(Setup setup, int serverCount, long serversAlive, Sample a, Sample b, long heap, Limits l) {
    double wall = (b.nanos() - a.nanos()) / 1e9;
    double processCores = (b.processCpu() - a.processCpu()) / 1e9 / wall;
    double cameraServerCores = (b.cameraServerCpu() - a.cameraServerCpu()) / 1e9 / wall;
    double nodeCores = processCores - cameraServerCores;
    double rtspServerCores = (b.rtspServerCpu() - a.rtspServerCpu()) / wall;
    double machineCores = (b.machineBusyTicks() - a.machineBusyTicks()) / 100.0 / wall;
    double ingestCores = (b.ingestCpu() - a.ingestCpu()) / 1e9 / wall;
    double decodeMs = (b.decodeSum() - a.decodeSum()) * 1000 / Math.max(1, b.decodeCount() - a.decodeCount());
    double snapDelivered = (b.snap().sampled() - a.snap().sampled()) / wall;
    double rtspDelivered = (b.rtsp().sampled() - a.rtsp().sampled()) / wall;
    double snapAnalysed = (b.snap().analysed() - a.snap().analysed()) / wall;
    // The least any implementation must spend on the same delivered frames: RTSP keyframes only (ffmpeg CLI,
    // which also demuxes every packet), and per snapshot frame one reduced decode (motion) plus one full
    // decode (what the analyser does). Every-frame decoding shows what skip-non-key saves.
    double rtspKey = setup.rtspCameras() / 2.0 * (l.cpu1080Key() + l.cpu720Key());
    double rtspFull = setup.rtspCameras() / 2.0 * (l.cpu1080Full() + l.cpu720Full());
    double jpegPerFrameMs = (l.jpeg1080FullMs() + l.jpeg720FullMs() + l.jpeg1080ReducedMs() + l.jpeg720ReducedMs()) / 2;
    double jpegCores = snapAnalysed * jpegPerFrameMs / 1000;
    double bare = rtspKey + jpegCores;
    return String.format(Locale.ROOT, """

        ## Frame ingestion: %d cameras at 1 fps on one node (%s)

        `IngestBenchmark %d %d %d %.0f` on %s, %d cores, Java %s, H2 journal. %d HTTP snapshot cameras (half
        1920x1080, half 1280x720 JPEG, a panning view so every frame has motion; served from this JVM) and %d RTSP
        cameras (TCP interleaved) on %d GStreamer RTSP server processes, %d cameras each, every camera with its own
        media pipeline (H.264 1920x1080 25 fps 2 s GOP at most 3 Mbit/s on even servers, 1280x720 15 fps 1 s GOP at
        most 1.5 Mbit/s on odd ones, x264 CRF 30; the servers replay MP4s, they encode nothing). RTSP cameras were
        registered %.0f per second. The analyser does a full BGR decode of each frame it gets (what inference needs
        first) and nothing else. All of it shares the same cores. %.0f s measured after 20 s of warm-up; the
        limits were measured afterwards with the node and the servers stopped.

        | measure | snapshot | RTSP | all |
        |---|---|---|---|
        | frames received from the cameras /s | %.1f | %.1f | %.1f |
        | frames delivered (sampled) /s, target %d | %.1f | %.1f | %.1f |
        | frames analysed (full decode) /s | %.1f | %.1f | %.1f |
        | frames dropped (analysis busy, newest kept) /s | %.2f | %.2f | %.2f |
        | frames skipped by the motion gate /s | %.2f | %.2f | %.2f |
        | damaged frames skipped /s | %.2f | %.2f | %.2f |

        | measure | value |
        |---|---|
        | streams connected / lost at the end; reconnects in the window | %.0f / %.0f; %.0f |
        | RTSP server processes alive at the end | %d of %d |
        | node CPU (JVM without the HTTP test cameras' threads) | %.2f cores = %.2f ms CPU per camera per second |
        | CPU of the ingest dispatcher's threads (reads, demux, decodes, gate, analyser) | %.2f cores |
        | HTTP test cameras (in the JVM) / RTSP server processes | %.2f / %.2f cores |
        | whole machine busy (everything, other builds included) | %.2f of %d cores |
        | mean decode time (FFmpeg demux+decode CPU per decoded frame, JPEG reduced decode) | %.2f ms |
        | heap after GC | %d MiB |
        | bare lower bound for the same delivered frames (below) | %.2f cores; node / bare = %.2f |

        Limits measured in the same run:

        | bare decoder | cost |
        |---|---|
        | ffmpeg CLI, 1080p25 H.264, every frame / `-skip_frame nokey` | %.4f / %.4f CPU s per video s |
        | ffmpeg CLI, 720p15 H.264, every frame / `-skip_frame nokey` | %.4f / %.4f CPU s per video s |
        | OpenCV JPEG 1080p full colour / reduced 1/8 grayscale | %.2f / %.2f ms |
        | OpenCV JPEG 720p full colour / reduced 1/8 grayscale | %.2f / %.2f ms |
        | the same %d RTSP cameras with bare ffmpeg, every frame / keyframes only | %.2f / %.2f cores |
        | the snapshot frames analysed, one reduced + one full JPEG decode each | %.2f cores |
        """,
        setup.cameras(), Instant.now().toString().substring(0, 10), setup.cameras(), setup.seconds(), setup.perServer(),
        setup.connectsPerSecond(), cpuModel(), Runtime.getRuntime().availableProcessors(), System.getProperty("java.version"),
        setup.snapshotCameras(), setup.rtspCameras(), serverCount, setup.perServer(), setup.connectsPerSecond(), wall,
        rate(a.snap().received(), b.snap().received(), wall), rate(a.rtsp().received(), b.rtsp().received(), wall),
        rate(a.snap().received() + a.rtsp().received(), b.snap().received() + b.rtsp().received(), wall),
        setup.cameras(), snapDelivered, rtspDelivered, snapDelivered + rtspDelivered,
        snapAnalysed, rate(a.rtsp().analysed(), b.rtsp().analysed(), wall),
        snapAnalysed + rate(a.rtsp().analysed(), b.rtsp().analysed(), wall),
        rate(a.snap().dropped(), b.snap().dropped(), wall), rate(a.rtsp().dropped(), b.rtsp().dropped(), wall),
        rate(a.snap().dropped() + a.rtsp().dropped(), b.snap().dropped() + b.rtsp().dropped(), wall),
        rate(a.snap().skipped(), b.snap().skipped(), wall), rate(a.rtsp().skipped(), b.rtsp().skipped(), wall),
        rate(a.snap().skipped() + a.rtsp().skipped(), b.snap().skipped() + b.rtsp().skipped(), wall),
        rate(a.snap().corrupt(), b.snap().corrupt(), wall), rate(a.rtsp().corrupt(), b.rtsp().corrupt(), wall),
        rate(a.snap().corrupt() + a.rtsp().corrupt(), b.snap().corrupt() + b.rtsp().corrupt(), wall),
        b.connected(), b.lost(), b.reconnects() - a.reconnects(), serversAlive, serverCount,
        nodeCores, nodeCores * 1000 / setup.cameras(), ingestCores, cameraServerCores, rtspServerCores,
        machineCores, Runtime.getRuntime().availableProcessors(), decodeMs, heap >> 20, bare, nodeCores / bare,
        l.cpu1080Full(), l.cpu1080Key(), l.cpu720Full(), l.cpu720Key(),
        l.jpeg1080FullMs(), l.jpeg1080ReducedMs(), l.jpeg720FullMs(), l.jpeg720ReducedMs(),
        setup.rtspCameras(), rtspFull, rtspKey, jpegCores);
  }

  private static double rate(double before, double after, double seconds) {
    return (after - before) / seconds;
  }

  /** Busy clock ticks of the whole machine (all but idle and iowait), from /proc/stat. */
  static long readMachineBusyTicks() {
    try {
      String[] f = Files.readAllLines(Path.of("/proc/stat")).get(0).trim().split("\\s+");
      long busy = 0;
      for (int i = 1; i < Math.min(f.length, 9); i++) {
        if (i != 4 && i != 5) busy += Long.parseLong(f[i]);
      }
      return busy;
    } catch (IOException | RuntimeException e) {
      return 0;
    }
  }

  private static String cpuModel() {
    try {
      for (String line : Files.readAllLines(Path.of("/proc/cpuinfo"))) {
        if (line.startsWith("model name")) return line.substring(line.indexOf(':') + 1).strip();
      }
    } catch (IOException e) {
      // not Linux: leave the model out
    }
    return "unknown CPU";
  }
}
