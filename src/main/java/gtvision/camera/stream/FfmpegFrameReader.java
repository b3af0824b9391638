package gtvision.camera.stream;

import static org.bytedeco.ffmpeg.global.avutil.AV_LOG_QUIET;
import static org.bytedeco.ffmpeg.global.avutil.AV_PIX_FMT_YUV420P;
import static org.bytedeco.ffmpeg.global.avutil.AV_PIX_FMT_YUVJ420P;

import gtvision.SourceUrls;
import gtvision.camera.CameraConfig;
import gtvision.camera.FrameSequence;
import gtvision.camera.SourceKind;
import gtvision.camera.source.CheckedSource;
import gtvision.camera.source.ProxySession;
import gtvision.camera.source.SourceRefusedException;
import io.micrometer.core.instrument.Timer;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.net.URI;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.bytedeco.ffmpeg.avutil.AVFrame;
import org.bytedeco.ffmpeg.global.avcodec;
import org.bytedeco.ffmpeg.global.avutil;
import org.bytedeco.ffmpeg.global.swscale;
import org.bytedeco.ffmpeg.swscale.SwsContext;
import org.bytedeco.javacpp.BytePointer;
import org.bytedeco.javacpp.DoublePointer;
import org.bytedeco.javacpp.IntPointer;
import org.bytedeco.javacpp.PointerPointer;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.javacv.FFmpegFrameGrabber;
import org.bytedeco.javacv.FrameGrabber;

/**
 * RTSP (TCP interleaved), HLS and file cameras through FFmpeg in-process (JavaCV's grabber in RAW
 * mode: no colour conversion). Every packet is read, so a live camera never backs up, but only what
 * sampling needs is decoded: when the sample interval is at least the GOP, non-key packets are skipped
 * before the decoder (keyframes only); otherwise every frame is decoded (P-frames need their
 * references) and only sampled ones are copied out as I420. Files and VOD playlists are paced at
 * their own frame rate, as if a camera were playing them.
 */
final class FfmpegFrameReader implements FrameReader {
  static {
    // FFmpeg's own log lines go to stderr and may quote URLs with passwords; errors reach the camera's
    // state through return codes instead (masked).
    avutil.av_log_set_level(AV_LOG_QUIET);
  }

  private static final Pattern ERROR_CODE = Pattern.compile("error (-?\\d+)");
  private static final long MAX_PACING_SLEEP_MICROS = 2_000_000;

  private final String cameraId;
  private final StreamProbe probe;
  private final FrameSequence sequence;
  private final Timer decodeTimer;
  private final FFmpegFrameGrabber grabber;
  private final SampleClock sampler;
  private final StreamSettings settings;
  private final boolean paced;
  private final double frameRate;
  private final ThreadMXBean threads = ManagementFactory.getThreadMXBean();
  private long decoded;
  private long lastTimestamp = Long.MIN_VALUE;
  private long lastKeyTimestamp = Long.MIN_VALUE;
  private long gopMicros;
  private boolean keyframesOnly;
  private long paceAnchorWall;
  private long paceAnchorTs = Long.MIN_VALUE;
  private SwsContext sws;
  /** HLS only: this input's use of the node's source proxy, which knows why a request was refused. */
  private final ProxySession proxy;

  FfmpegFrameReader(String cameraId, CameraConfig config, StreamSettings settings, StreamProbe probe, Timer decodeTimer,
      FrameSequence sequence) {
    this.cameraId = cameraId;
    this.probe = probe;
    this.sequence = sequence;
    this.decodeTimer = decodeTimer;
    this.sampler = new SampleClock(config.fps());
    this.settings = settings;
    this.paced = config.sourceKind() != SourceKind.RTSP;
    String input = input(config, settings);
    this.proxy = config.sourceKind() == SourceKind.HLS ? proxySession(config, settings) : null;
    grabber = new FFmpegFrameGrabber(input);
    grabber.setImageMode(FrameGrabber.ImageMode.RAW);
    // FFmpeg opens whatever a URL or playlist names (file, data, concat, a playlist's hosts): only the
    // protocols this kind of camera needs are allowed, for the source and everything it refers to.
    grabber.setOption("protocol_whitelist", protocols(config.sourceKind(), config.sourceUrl()));
    // Every HTTP(S) request of an HLS input (playlist, variants, segments, keys: FFmpeg passes the option
    // on to each) goes through the node's proxy, which checks the host and connects where it checked.
    if (proxy != null) grabber.setOption("http_proxy", proxy.proxyUrl());
    String readTimeoutMicros = String.valueOf(settings.readTimeout().toNanos() / 1000);
    if (config.sourceKind() == SourceKind.RTSP) {
      grabber.setOption("rtsp_transport", "tcp");
      // FFmpeg's RTSP demuxer has one socket timeout, for connecting and for every read.
      grabber.setOption("timeout", String.valueOf(Math.max(settings.readTimeout().toNanos(), settings.connectTimeout().toNanos()) / 1000));
    } else if (config.sourceKind() == SourceKind.HLS) {
      grabber.setOption("timeout", readTimeoutMicros);
      grabber.setOption("rw_timeout", readTimeoutMicros);
    }
    grabber.setOption("analyzeduration", "2000000");
    // One decoder thread per camera: hundreds of cameras already use every core, FFmpeg's default
    // (cores + 1 threads per decoder) would only multiply native threads.
    grabber.setVideoOption("threads", "1");
    try {
      // startUnsafe: start() holds a JVM-wide lock for the whole connect, so one unreachable camera
      // would stall every other camera's (re)connect behind its timeout.
      grabber.startUnsafe(true);
      if (grabber.getVideoCodec() == 0 || grabber.getImageWidth() <= 0) {
        throw new BadFrameException("no video stream in the source");
      }
      settings.checkFrameSize(grabber.getImageWidth(), grabber.getImageHeight());
    } catch (FrameGrabber.Exception e) {
      String reason = reason(e);
      close();
      throw new BadFrameException(reason);
    } catch (RuntimeException e) {
      close();
      throw e;
    }
    double rate = grabber.getFrameRate();
    this.frameRate = rate > 0 && rate < 1000 ? rate : 25;
    probe.connected(avcodec.avcodec_get_name(grabber.getVideoCodec()).getString() + " " + grabber.getImageWidth() + "x"
        + grabber.getImageHeight() + " @ " + Math.round(frameRate * 100) / 100.0 + " fps");
  }

  @Override
  public Optional<Frame> next() {
    while (true) {
      long cpuBefore = threads.getCurrentThreadCpuTime();
      org.bytedeco.javacv.Frame grabbed;
      try {
        grabbed = grabber.grabFrame(false, true, true, keyframesOnly, false);
      } catch (FrameGrabber.Exception e) {
        throw new BadFrameException(reason(e));
      }
      if (grabbed == null) {
        // A refused segment or playlist reload ends FFmpeg's HLS stream: the refusal is the reason.
        if (proxy != null && proxy.refusal().isPresent()) throw new BadFrameException(proxy.refusal().get());
        if (decoded == 0) throw new BadFrameException("no decodable video frame before the end of the stream (corrupt or truncated?)");
        return Optional.empty();
      }
      if (grabbed.image == null || !(grabbed.opaque instanceof AVFrame picture)) continue;
      // Thread CPU time: the demux and decode work, without the time spent waiting for the network.
      decodeTimer.record(threads.getCurrentThreadCpuTime() - cpuBefore, TimeUnit.NANOSECONDS);
      decoded++;
      long ts = grabber.getTimestamp();
      countReceived(ts);
      if (grabbed.keyFrame) learnGop(ts);
      long frameMicros = (long) (1_000_000 / frameRate);
      long clock = paced ? pace(ts) : System.nanoTime() / 1000;
      if (!sampler.take(clock, frameMicros)) continue;
      return Optional.of(copy(picture));
    }
  }

  /** With keyframes only, the frames in between are never seen: count them from the stream's rate. */
  private void countReceived(long ts) {
    long frames = 1;
    if (keyframesOnly && lastTimestamp != Long.MIN_VALUE && ts > lastTimestamp) {
      frames = Math.max(1, Math.round((ts - lastTimestamp) * frameRate / 1_000_000));
    }
    lastTimestamp = ts;
    probe.received(frames);
  }

  private void learnGop(long ts) {
    if (lastKeyTimestamp != Long.MIN_VALUE && ts > lastKeyTimestamp) {
      gopMicros = ts - lastKeyTimestamp;
      keyframesOnly = sampler.intervalMicros() >= gopMicros * 0.95;
    }
    lastKeyTimestamp = ts;
  }

  boolean keyframesOnly() {
    return keyframesOnly;
  }

  /** Sleeps until the frame's presentation time; a jump (loop, discontinuity) restarts the schedule. */
  private long pace(long ts) {
    long now = System.nanoTime() / 1000;
    if (paceAnchorTs == Long.MIN_VALUE) {
      paceAnchorTs = ts;
      paceAnchorWall = now;
      return ts;
    }
    long wait = paceAnchorWall + (ts - paceAnchorTs) - now;
    if (wait > MAX_PACING_SLEEP_MICROS || wait < -MAX_PACING_SLEEP_MICROS) {
      paceAnchorTs = ts;
      paceAnchorWall = now;
    } else if (wait > 0) {
      try {
        TimeUnit.MICROSECONDS.sleep(wait);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
    return ts;
  }

  private Frame copy(AVFrame picture) {
    int w = picture.width();
    int h = picture.height();
    // The size may change mid-stream (a camera reconfigured while streaming): checked before the copy.
    settings.checkFrameSize(w, h);
    int cw = (w + 1) / 2;
    int ch = (h + 1) / 2;
    byte[] out = new byte[Frame.i420Size(w, h)];
    int format = picture.format();
    if (format == AV_PIX_FMT_YUV420P || format == AV_PIX_FMT_YUVJ420P) {
      copyPlane(picture.data(0), picture.linesize(0), w, h, out, 0);
      copyPlane(picture.data(1), picture.linesize(1), cw, ch, out, w * h);
      copyPlane(picture.data(2), picture.linesize(2), cw, ch, out, w * h + cw * ch);
    } else {
      convert(picture, w, h, cw, ch, out);
    }
    return new Frame(cameraId, sequence.next(), Instant.now(), w, h, null, out);
  }

  private static void copyPlane(BytePointer data, int linesize, int width, int height, byte[] out, int offset) {
    data.capacity((long) linesize * height);
    if (linesize == width) {
      data.position(0).get(out, offset, width * height);
    } else {
      for (int row = 0; row < height; row++) data.position((long) row * linesize).get(out, offset + row * width, width);
    }
    data.position(0);
  }

  /** Other pixel formats (4:2:2, 10-bit, NV12 from hardware) are converted to I420 with swscale. */
  private void convert(AVFrame picture, int w, int h, int cw, int ch, byte[] out) {
    sws = swscale.sws_getCachedContext(sws, w, h, picture.format(), w, h, AV_PIX_FMT_YUV420P,
        swscale.SWS_BILINEAR, null, null, (DoublePointer) null);
    if (sws == null) throw new BadFrameException("cannot convert pixel format " + picture.format());
    try (PointerScope scope = new PointerScope()) {
      BytePointer buffer = new BytePointer(out.length);
      PointerPointer<BytePointer> planes = new PointerPointer<>(3);
      planes.put(0, buffer.getPointer(0));
      planes.put(1, buffer.getPointer((long) w * h));
      planes.put(2, buffer.getPointer((long) w * h + (long) cw * ch));
      IntPointer lines = new IntPointer(w, cw, cw, 0);
      swscale.sws_scale(sws, new PointerPointer<>(picture), picture.linesize(), 0, h, planes, lines);
      buffer.position(0).get(out);
    }
  }

  /**
   * What FFmpeg opens, after the source policy passed: a file's path; for RTSP and RTSPS the checked
   * address in place of the name (the connection goes where the check looked; RTSP servers do not route
   * by host name). RTSPS then does TLS with the IP: FFmpeg's RTSP demuxer passes no options to its TLS
   * layer, so the name cannot be kept for SNI (none is sent for an IP) or verification (FFmpeg does not
   * verify RTSPS certificates by default anyway). HLS keeps the URL as it is, for playlists whose
   * segments are named relative to it and for HTTPS certificates: its requests go through the node's
   * source proxy, which resolves, checks and pins each one.
   */
  static String input(CameraConfig config, StreamSettings settings) {
    URI uri = URI.create(config.sourceUrl());
    CheckedSource checked;
    try {
      checked = settings.sources().check(uri, config.sourceKind());
    } catch (SourceRefusedException e) {
      throw new BadFrameException("source " + SourceUrls.mask(config.sourceUrl()) + " refused by the camera source policy: "
          + e.getMessage());
    }
    if (config.sourceKind() == SourceKind.FILE) return Path.of(uri).toString();
    if (config.sourceKind() == SourceKind.RTSP) return checked.pinnedUrl();
    return config.sourceUrl();
  }

  private static ProxySession proxySession(CameraConfig config, StreamSettings settings) {
    noProxyBypass(System.getenv("no_proxy")).ifPresent(why -> {
      throw new BadFrameException(why);
    });
    return settings.proxy()
        .orElseThrow(() -> new BadFrameException("HLS cameras need the node's camera source proxy, which is not running here"))
        .open(URI.create(config.sourceUrl()));
  }

  /**
   * FFmpeg skips {@code http_proxy} for hosts that the environment variable {@code no_proxy} names (and
   * for every host with {@code *}): an HLS playlist could then name such a host and FFmpeg would connect
   * to it unchecked. Which hosts a playlist names is not known in advance, so any {@code no_proxy} stops HLS.
   */
  static Optional<String> noProxyBypass(String noProxy) {
    if (noProxy == null || noProxy.isBlank()) return Optional.empty();
    return Optional.of("HLS cameras are off on this node: the environment variable no_proxy is set, and FFmpeg would"
        + " connect to the hosts it names without the node's camera source proxy (unset no_proxy for the node)");
  }

  /** Why FFmpeg failed: the source proxy's refusal or failed connect where there was one, else FFmpeg's own error. */
  private String reason(FrameGrabber.Exception e) {
    if (proxy != null) {
      Optional<String> proxied = proxy.refusal().or(proxy::failure);
      if (proxied.isPresent()) return proxied.get();
    }
    return describe(e);
  }

  /** FFmpeg's {@code protocol_whitelist} for a kind of camera. */
  static String protocols(SourceKind kind, String sourceUrl) {
    return switch (kind) {
      case RTSP -> sourceUrl.regionMatches(true, 0, "rtsps:", 0, 6) ? "rtsps,rtsp,rtp,srtp,udp,tcp,tls" : "rtsp,rtp,udp,tcp";
      // Playlists, segments (and AES-128 keys, through crypto) over HTTP(S); never file or data. tcp
      // reaches the node's source proxy, and httpproxy is FFmpeg's CONNECT through it for HTTPS.
      case HLS -> "http,https,tcp,tls,crypto,httpproxy";
      case FILE -> "file";
      case SNAPSHOT, MJPEG -> throw new IllegalArgumentException(kind + " is not read through FFmpeg");
    };
  }

  /** FFmpeg's message with the URL's password masked and the error code spelled out. */
  static String describe(Exception e) {
    String message = SourceUrls.mask(e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage())
        // JavaCV's hints for developers say nothing to an operator.
        .replace(" (Has setFormat() been called?)", "")
        .replace(" (For more details, make sure FFmpegLogCallback.set() has been called.)", "");
    Matcher m = ERROR_CODE.matcher(message);
    if (m.find()) {
      try (PointerScope scope = new PointerScope()) {
        BytePointer buffer = new BytePointer(256);
        if (avutil.av_strerror(Integer.parseInt(m.group(1)), buffer, 256) == 0) {
          byte[] text = new byte[256];
          buffer.get(text);
          int end = 0;
          while (end < text.length && text[end] != 0) end++;
          message += " (" + new String(text, 0, end, java.nio.charset.StandardCharsets.UTF_8).strip() + ")";
        }
      } catch (NumberFormatException ignored) {
        // Not an FFmpeg code after all: the message stands alone.
      }
    }
    return message;
  }

  private void releaseQuietly() {
    try {
      grabber.releaseUnsafe();
    } catch (FrameGrabber.Exception ignored) {
      // Releasing after a failed start: nothing more to free.
    }
  }

  @Override
  public void close() {
    releaseQuietly();
    if (proxy != null) proxy.close();
    if (sws != null) {
      swscale.sws_freeContext(sws);
      sws = null;
    }
  }
}
