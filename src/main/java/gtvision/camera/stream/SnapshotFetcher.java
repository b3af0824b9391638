package gtvision.camera.stream;

import gtvision.camera.CameraConfig;
import gtvision.camera.FrameSequence;
import java.io.IOException;
import java.net.SocketTimeoutException;
import java.time.Instant;
import java.util.Optional;

/**
 * One HTTP GET of a camera's JPEG snapshot per sample. Blocking: runs on the ingest dispatcher. The
 * body is refused above the size limit (by Content-Length before reading, or while reading) and checked
 * to be a JPEG by its header, so a login page or an empty answer becomes a clear error.
 */
final class SnapshotFetcher {
  private final String cameraId;
  private final HttpCamera camera;
  private final StreamProbe probe;
  private final long maxBytes;
  private final int readTimeoutMs;
  private final FrameSequence sequence;
  private final StreamSettings settings;
  private boolean connected;

  SnapshotFetcher(String cameraId, CameraConfig config, StreamSettings settings, StreamProbe probe, FrameSequence sequence) {
    this.cameraId = cameraId;
    this.sequence = sequence;
    this.settings = settings;
    this.camera = new HttpCamera(config.sourceUrl(), settings.connectTimeout(), settings.readTimeout(), settings.sources());
    this.probe = probe;
    this.maxBytes = settings.snapshotMaxBytes();
    this.readTimeoutMs = (int) settings.readTimeout().toMillis();
  }

  /** The next frame, or empty when the camera answered with a damaged JPEG (counted on the probe). */
  Optional<Frame> fetch() {
    try (HttpCamera.Response response = camera.open()) {
      byte[] body = HttpCamera.readLimited(response, maxBytes);
      JpegInfo info;
      try {
        info = JpegInfo.parse(body, body.length);
      } catch (CorruptFrameException e) {
        probe.received(1);
        probe.corrupt(e.getMessage());
        return Optional.empty();
      }
      // Too large is not damage: every frame of this camera will be, so the stream is lost with the reason.
      settings.checkFrameSize(info.width(), info.height());
      if (!connected) {
        connected = true;
        probe.connected("snapshot JPEG " + info.width() + "x" + info.height());
      }
      probe.received(1);
      return Optional.of(new Frame(cameraId, sequence.next(), Instant.now(), info.width(), info.height(), body, null));
    } catch (SocketTimeoutException e) {
      throw new BadFrameException("no answer within the read timeout of " + readTimeoutMs + " ms");
    } catch (IOException e) {
      throw new BadFrameException("snapshot request failed (" + e.getClass().getSimpleName() + ")");
    }
  }
}
