package gtvision.camera.stream;

import gtvision.camera.CameraConfig;
import gtvision.camera.FrameSequence;
import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Arrays;
import java.util.Locale;
import java.util.Optional;

/**
 * MJPEG over HTTP ({@code multipart/x-mixed-replace}): every part is read (the camera pushes at its
 * own rate) but only sampled parts are kept, and nothing is decoded here. Parts with a Content-Length
 * are read in one go; parts without one are scanned for the next boundary. A part that is not a
 * usable JPEG is one bad frame: it is counted and skipped, the connection stays.
 */
final class MjpegFrameReader implements FrameReader {
  private static final int MAX_LINE = 8 * 1024;

  private final String cameraId;
  private final StreamProbe probe;
  private final FrameSequence sequence;
  private final long maxBytes;
  private final StreamSettings settings;
  private final int readTimeoutMs;
  private final HttpCamera.Response response;
  private final InputStream in;
  private final byte[] delimiter;
  private final SampleClock sampler;
  private long lastArrival = Long.MIN_VALUE;
  private boolean atBoundaryLineRest;

  MjpegFrameReader(String cameraId, CameraConfig config, StreamSettings settings, StreamProbe probe, FrameSequence sequence)
      throws IOException {
    this.cameraId = cameraId;
    this.probe = probe;
    this.sequence = sequence;
    this.maxBytes = settings.snapshotMaxBytes();
    this.settings = settings;
    this.readTimeoutMs = (int) settings.readTimeout().toMillis();
    this.sampler = new SampleClock(config.fps());
    HttpCamera camera = new HttpCamera(config.sourceUrl(), settings.connectTimeout(), settings.readTimeout(), settings.sources());
    response = camera.open();
    String contentType = response.contentType() == null ? "" : response.contentType();
    String boundary = boundary(contentType);
    if (!contentType.toLowerCase(Locale.ROOT).startsWith("multipart/") || boundary == null) {
      response.close();
      throw new BadFrameException("not an MJPEG stream (no multipart/x-mixed-replace content type with a boundary)");
    }
    this.delimiter = ("\r\n--" + boundary).getBytes(StandardCharsets.ISO_8859_1);
    this.in = new BufferedInputStream(response.body(), 64 * 1024);
    // The content type came from the camera: the state says what was found, not what was sent.
    probe.connected("MJPEG");
  }

  static String boundary(String contentType) {
    for (String param : contentType.split(";")) {
      String p = param.strip();
      if (p.toLowerCase(Locale.ROOT).startsWith("boundary=")) {
        String b = p.substring(9).strip();
        if (b.startsWith("\"") && b.endsWith("\"") && b.length() >= 2) b = b.substring(1, b.length() - 1);
        // Some cameras repeat the dashes in the header; the delimiter adds its own.
        while (b.startsWith("--")) b = b.substring(2);
        return b.isEmpty() ? null : b;
      }
    }
    return null;
  }

  @Override
  public Optional<Frame> next() throws IOException {
    try {
      while (true) {
        byte[] part = readPart();
        if (part == null) return Optional.empty();
        probe.received(1);
        long now = System.nanoTime() / 1000;
        long gap = lastArrival == Long.MIN_VALUE ? 0 : now - lastArrival;
        lastArrival = now;
        if (!sampler.take(now, gap)) continue;
        JpegInfo info;
        try {
          info = JpegInfo.parse(part, part.length);
        } catch (BadFrameException e) {
          // The multipart framing held (the boundary was found), so the next part is unaffected.
          probe.corrupt(e.getMessage());
          continue;
        }
        settings.checkFrameSize(info.width(), info.height());
        return Optional.of(new Frame(cameraId, sequence.next(), Instant.now(), info.width(), info.height(), part, null));
      }
    } catch (SocketTimeoutException e) {
      throw new BadFrameException("no data within the read timeout of " + readTimeoutMs + " ms");
    }
  }

  /** The next part's body, or null at the end of the stream. */
  private byte[] readPart() throws IOException {
    String line;
    if (atBoundaryLineRest) {
      atBoundaryLineRest = false;
      line = readLine();
      if (line == null || line.startsWith("--")) return null;
    } else {
      String boundaryLine = new String(delimiter, 2, delimiter.length - 2, StandardCharsets.ISO_8859_1);
      do {
        line = readLine();
        if (line == null) return null;
      } while (!line.startsWith(boundaryLine));
      if (line.endsWith("--") && line.length() == boundaryLine.length() + 2) return null;
    }
    long length = -1;
    while ((line = readLine()) != null && !line.isEmpty()) {
      int colon = line.indexOf(':');
      if (colon > 0 && line.substring(0, colon).strip().equalsIgnoreCase("content-length")) {
        try {
          length = Long.parseLong(line.substring(colon + 1).strip());
        } catch (NumberFormatException e) {
          throw new BadFrameException("MJPEG part with a bad Content-Length");
        }
      }
    }
    if (line == null) return null;
    if (length > maxBytes) throw new BadFrameException("MJPEG part of " + length + " bytes is larger than the limit of " + maxBytes);
    if (length >= 0) {
      byte[] body = in.readNBytes((int) length);
      return body.length == length ? body : null;
    }
    return readUntilDelimiter();
  }

  private byte[] readUntilDelimiter() throws IOException {
    ByteArrayOutputStream body = new ByteArrayOutputStream(256 * 1024);
    int matched = 0;
    int b;
    while ((b = in.read()) >= 0) {
      if (b == (delimiter[matched] & 0xFF)) {
        matched++;
        if (matched == delimiter.length) {
          atBoundaryLineRest = true;
          return body.toByteArray();
        }
        continue;
      }
      if (matched > 0) {
        // Not the delimiter after all: the matched bytes belong to the body. A delimiter starts
        // with '\r', which cannot re-match inside "\r\n--boundary" except at its start.
        body.write(delimiter, 0, matched);
        matched = b == (delimiter[0] & 0xFF) ? 1 : 0;
        if (matched == 1) continue;
      }
      body.write(b);
      if (body.size() > maxBytes) throw new BadFrameException("MJPEG part larger than the limit of " + maxBytes + " bytes");
    }
    return null;
  }

  private String readLine() throws IOException {
    byte[] buffer = new byte[256];
    int n = 0;
    int b;
    while ((b = in.read()) >= 0) {
      if (b == '\n') break;
      if (n == buffer.length) {
        if (n >= MAX_LINE) throw new BadFrameException("MJPEG stream with a header line over " + MAX_LINE + " bytes");
        buffer = Arrays.copyOf(buffer, n * 2);
      }
      buffer[n++] = (byte) b;
    }
    if (b < 0 && n == 0) return null;
    if (n > 0 && buffer[n - 1] == '\r') n--;
    return new String(buffer, 0, n, StandardCharsets.ISO_8859_1);
  }

  @Override
  public void close() {
    response.connection().disconnect();
  }
}
