package gtvision.camera.stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.ConfigFactory;
import gtvision.camera.CameraConfig;
import gtvision.camera.FrameSequence;
import gtvision.camera.SourceKind;
import gtvision.testsupport.MediaTools;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/** FFmpeg decoding choices on real H.264 files. */
class FfmpegFrameReaderTest {
  // These readers play local files: the file source kind is off unless a node switches it on.
  private static final com.typesafe.config.Config FILES_ON =
      ConfigFactory.parseString("gtv.camera.allow-file-sources = on").withFallback(ConfigFactory.load());
  private final StreamSettings settings = StreamSettings.from(FILES_ON);
  private final StreamMetrics metrics = new StreamMetrics(new SimpleMeterRegistry());

  private FfmpegFrameReader reader(Path video, double fps, AtomicReference<String> connected) {
    return reader(video, fps, connected, settings);
  }

  private FfmpegFrameReader reader(Path video, double fps, AtomicReference<String> connected, StreamSettings settings) {
    CameraConfig config = new CameraConfig("t", video.toUri().toString(), SourceKind.FILE, fps, null, List.of());
    StreamProbe probe = new StreamProbe(metrics.camera("t"), connected::set, frame -> {});
    return new FfmpegFrameReader("t", config, settings, probe, metrics.decode(), new FrameSequence(1));
  }

  @Test
  void decodesKeyframesOnlyWhenTheSampleIntervalCoversTheGop() throws Exception {
    // 25 fps, keyframe every 25 frames (1 s GOP), sampled at 1 fps.
    Path video = MediaTools.video("giraffe.jpg", 640, 360, 25, 25, 6);
    AtomicReference<String> connected = new AtomicReference<>();
    List<Frame> frames = new ArrayList<>();
    try (FfmpegFrameReader reader = reader(video, 1.0, connected)) {
      for (int i = 0; i < 4; i++) frames.add(reader.next().orElseThrow());
      assertTrue(reader.keyframesOnly(), "switched to keyframes only once the GOP was measured");
    }
    assertTrue(connected.get().startsWith("h264 640x360"), connected.get());
    Frame f = frames.get(3);
    assertEquals(640, f.width());
    assertEquals(Frame.i420Size(640, 360), f.i420().length);
    assertEquals(640 * 360 * 3, f.bgr().length);
    assertTrue(f.toJpeg().length > 1000);
  }

  @Test
  void decodesEveryFrameWhenSamplingFasterThanTheGop() throws Exception {
    // 2 s GOP at 10 fps, sampled at 5 fps: P-frames are needed.
    Path video = MediaTools.video("giraffe.jpg", 320, 240, 10, 20, 6);
    try (FfmpegFrameReader reader = reader(video, 5.0, new AtomicReference<>())) {
      for (int i = 0; i < 8; i++) reader.next().orElseThrow();
      assertFalse(reader.keyframesOnly());
    }
  }

  @Test
  void aVideoLargerThanThePixelCapIsRefusedAtConnectBeforeAnyFrameIsDecoded() {
    Path video = MediaTools.video("giraffe.jpg", 640, 360, 10, 10, 2);
    StreamSettings capped = StreamSettings.from(
        ConfigFactory.parseString("gtv.camera.stream.max-frame-pixels = 100000").withFallback(FILES_ON));
    AtomicReference<String> connected = new AtomicReference<>();
    BadFrameException e = assertThrows(BadFrameException.class, () -> reader(video, 5.0, connected, capped));
    assertEquals("frame of 640x360 (230400 pixels) is larger than the limit of 100000 pixels"
        + " (gtv.camera.stream.max-frame-pixels)", e.getMessage());
    assertNull(connected.get(), "never reported as connected");
    assertEquals(0, metrics.decode().count(), "nothing decoded");
  }
}
