package gtvision.testsupport;

import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;

/**
 * Real media for ingestion tests: videos that ffmpeg builds from ../shared/testdata/images (with a
 * moving crop, so there is motion), and a GStreamer RTSP server process. Without the tools a test is
 * skipped locally and fails when CI=true (.ci/run installs them).
 */
public final class MediaTools {
  private MediaTools() {}

  public static Path sharedDir() {
    String env = System.getenv("GTV_SHARED_DIR");
    return Path.of(env != null ? env : "../shared").toAbsolutePath().normalize();
  }

  public static Path image(String name) {
    Path p = sharedDir().resolve("testdata/images").resolve(name);
    require(Files.isRegularFile(p), "test image " + p);
    return p;
  }

  /** The Python with GStreamer's introspection bindings (Debian's, not a pyenv one). */
  public static String python() {
    for (String candidate : new String[] {"/usr/bin/python3", "python3"}) {
      if (runs(candidate, "-c", "import gi; gi.require_version('GstRtspServer', '1.0'); from gi.repository import GstRtspServer")) {
        return candidate;
      }
    }
    require(false, "python3 with GStreamer RTSP server bindings (gir1.2-gst-rtsp-server-1.0)");
    return null;
  }

  public static void requireFfmpeg() {
    require(runs("ffmpeg", "-version"), "ffmpeg");
  }

  static void require(boolean present, String what) {
    if (present) return;
    if ("true".equalsIgnoreCase(System.getenv("CI"))) throw new IllegalStateException("CI=true but " + what + " is missing (see .ci/run)");
    Assumptions.abort(what + " is missing");
  }

  private static boolean runs(String... command) {
    try {
      Process p = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
      return p.waitFor(20, TimeUnit.SECONDS) && p.exitValue() == 0;
    } catch (IOException e) {
      return false;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }

  /** Where built media are cached between test classes of one build. */
  public static Path mediaDir() {
    Path dir = Path.of("target", "test-media").toAbsolutePath();
    try {
      Files.createDirectories(dir);
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
    return dir;
  }

  /**
   * An H.264 MP4 of {@code seconds} at {@code fps} with a keyframe every {@code gopFrames}: a window
   * panning across a test photo, so consecutive frames differ.
   */
  public static Path video(String image, int width, int height, int fps, int gopFrames, int seconds) {
    return video(image, width, height, fps, gopFrames, seconds, 23);
  }

  /** The same at a given x264 CRF (higher: smaller files, like a camera's bitrate cap). */
  public static Path video(String image, int width, int height, int fps, int gopFrames, int seconds, int crf) {
    return video(image, width, height, fps, gopFrames, seconds, crf, 0);
  }

  /** The same with the bitrate capped at {@code maxKbps} (0: no cap), as IP cameras are configured. */
  public static Path video(String image, int width, int height, int fps, int gopFrames, int seconds, int crf, int maxKbps) {
    requireFfmpeg();
    Path out = mediaDir().resolve("%s-%dx%d-%dfps-g%d-%ds-crf%d%s.mp4".formatted(image.replace(".jpg", ""), width, height, fps,
        gopFrames, seconds, crf, maxKbps > 0 ? "-max" + maxKbps + "k" : ""));
    if (Files.isRegularFile(out)) return out;
    Path tmp = out.resolveSibling(out.getFileName() + ".tmp.mp4");
    String filter = ("scale=%d:-2,crop=%d:%d:'(iw-%d)*(0.5+0.5*sin(t*0.7))':'(ih-%d)*(0.5+0.5*cos(t*0.5))',format=yuv420p")
        .formatted(width * 3 / 2, width, height, width, height);
    ffmpeg("-loop", "1", "-i", image(image).toString(), "-vf", filter, "-t", String.valueOf(seconds), "-r", String.valueOf(fps),
        "-c:v", "libx264", "-preset", "ultrafast", "-tune", "zerolatency", "-g", String.valueOf(gopFrames),
        "-keyint_min", String.valueOf(gopFrames), "-sc_threshold", "0", "-crf", String.valueOf(crf),
        "-maxrate", maxKbps > 0 ? maxKbps + "k" : "0", "-bufsize", maxKbps > 0 ? (2 * maxKbps) + "k" : "0",
        "-pix_fmt", "yuv420p", "-an", tmp.toString());
    move(tmp, out);
    return out;
  }

  /** An H.264 MP4 of {@code image} standing still (no motion at all), as a camera watching an empty scene. */
  public static Path stillVideo(String image, int width, int height, int fps, int gopFrames, int seconds) {
    requireFfmpeg();
    Path out = mediaDir().resolve("%s-still-%dx%d-%dfps-g%d-%ds.mp4".formatted(image.replace(".jpg", ""), width, height, fps,
        gopFrames, seconds));
    if (Files.isRegularFile(out)) return out;
    Path tmp = out.resolveSibling(out.getFileName() + ".tmp.mp4");
    ffmpeg("-loop", "1", "-i", image(image).toString(), "-vf", "scale=%d:%d,format=yuv420p".formatted(width, height),
        "-t", String.valueOf(seconds), "-r", String.valueOf(fps), "-c:v", "libx264", "-preset", "ultrafast", "-tune", "zerolatency",
        "-g", String.valueOf(gopFrames), "-keyint_min", String.valueOf(gopFrames), "-sc_threshold", "0", "-pix_fmt", "yuv420p",
        "-an", tmp.toString());
    move(tmp, out);
    return out;
  }

  /** An HLS VOD playlist (2 s segments) of {@code video}, in its own directory. */
  public static Path hls(Path video) {
    Path dir = mediaDir().resolve(video.getFileName().toString().replace(".mp4", "-hls"));
    Path playlist = dir.resolve("index.m3u8");
    if (Files.isRegularFile(playlist)) return playlist;
    try {
      Files.createDirectories(dir);
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
    ffmpeg("-i", video.toString(), "-c", "copy", "-f", "hls", "-hls_time", "2", "-hls_list_size", "0",
        "-hls_playlist_type", "vod", "-hls_segment_filename", dir.resolve("seg%03d.ts").toString(), playlist.toString());
    return playlist;
  }

  public static void ffmpeg(String... args) {
    List<String> command = new ArrayList<>(List.of("ffmpeg", "-hide_banner", "-loglevel", "error", "-y"));
    command.addAll(List.of(args));
    try {
      Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
      String output;
      try (InputStream in = p.getInputStream()) {
        output = new String(in.readAllBytes());
      }
      if (!p.waitFor(300, TimeUnit.SECONDS) || p.exitValue() != 0) throw new IllegalStateException("ffmpeg failed: " + output);
    } catch (IOException e) {
      throw new IllegalStateException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  private static void move(Path from, Path to) {
    try {
      Files.move(from, to, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  /** A running RTSP server; {@link #stop()} kills it the way a crashed camera goes away. */
  public static final class RtspServer implements AutoCloseable {
    private final Process process;
    public final int port;

    private RtspServer(Process process, int port) {
      this.process = process;
      this.port = port;
    }

    public String url() {
      return "rtsp://127.0.0.1:" + port + "/stream";
    }

    public static RtspServer start(Path video, int port) {
      return start(video, port, false);
    }

    /** With {@code shared}, all clients watch one live timeline (one pipeline on the server). */
    public static RtspServer start(Path video, int port, boolean shared) {
      String python = python();
      try {
        Path script = mediaDir().resolve("rtsp_server.py");
        try (InputStream in = MediaTools.class.getResourceAsStream("/gtvision/rtsp_server.py")) {
          Files.copy(in, script, StandardCopyOption.REPLACE_EXISTING);
        }
        Process p = new ProcessBuilder(python, script.toString(), String.valueOf(port), video.toString(), shared ? "shared" : "own")
            .redirectErrorStream(true).redirectOutput(new File(mediaDir().resolve("rtsp-" + port + ".log").toString())).start();
        RtspServer server = new RtspServer(p, port);
        server.awaitListening();
        return server;
      } catch (IOException e) {
        throw new IllegalStateException(e);
      }
    }

    private void awaitListening() {
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(15);
      while (System.nanoTime() < deadline) {
        if (!process.isAlive()) throw new IllegalStateException("RTSP server exited with " + process.exitValue());
        try (Socket s = new Socket("127.0.0.1", port)) {
          return;
        } catch (IOException e) {
          sleep(100);
        }
      }
      throw new IllegalStateException("RTSP server did not listen on " + port);
    }

    /** CPU seconds (user + system) the server process has used so far, from /proc; -1 where there is none. */
    public double cpuSeconds() {
      try {
        String stat = Files.readString(Path.of("/proc", String.valueOf(process.pid()), "stat"));
        String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
        // Fields 14 and 15 of stat (utime, stime) are 11 and 12 after the command name, in clock ticks.
        return (Long.parseLong(fields[11]) + Long.parseLong(fields[12])) / 100.0;
      } catch (IOException | RuntimeException e) {
        return -1;
      }
    }

    public boolean isAlive() {
      return process.isAlive();
    }

    /** SIGKILL: connections drop without an RTSP TEARDOWN. */
    public void stop() {
      process.destroyForcibly();
      try {
        process.waitFor(10, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }

    @Override
    public void close() {
      stop();
    }
  }

  public static void sleep(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
