package gtvision.camera.stream;

import io.opentelemetry.api.trace.SpanContext;
import java.time.Instant;
import java.util.Objects;

/**
 * One sampled frame of a camera, as every source kind produces it. Exactly one of {@code jpeg}
 * (snapshot and MJPEG cameras: the bytes as the camera sent them) and {@code i420} (FFmpeg sources:
 * the decoded picture, planar YUV 4:2:0, {@code width * height * 3 / 2} bytes) is present. Nothing is
 * converted to BGR until an analyser asks for it: most frames never get that far. {@code trace} is the
 * span of the frame's analysis once it passed the motion gate (invalid before, and with tracing off): the
 * analysers' spans and log lines hang off it.
 */
public record Frame(
    String cameraId, long sequence, Instant capturedAt, int width, int height, byte[] jpeg, byte[] i420,
    SpanContext trace) {

  public Frame(String cameraId, long sequence, Instant capturedAt, int width, int height, byte[] jpeg, byte[] i420) {
    this(cameraId, sequence, capturedAt, width, height, jpeg, i420, SpanContext.getInvalid());
  }

  public Frame {
    if (trace == null) trace = SpanContext.getInvalid();
    Objects.requireNonNull(cameraId, "cameraId");
    Objects.requireNonNull(capturedAt, "capturedAt");
    if ((jpeg == null) == (i420 == null)) throw new IllegalArgumentException("exactly one of jpeg and i420");
    if (width <= 0 || height <= 0) throw new IllegalArgumentException("bad size " + width + "x" + height);
    if (i420 != null && i420.length != i420Size(width, height)) {
      throw new IllegalArgumentException("i420 buffer of " + i420.length + " bytes for " + width + "x" + height);
    }
  }

  public static int i420Size(int width, int height) {
    return width * height + 2 * ((width + 1) / 2) * ((height + 1) / 2);
  }

  /** The same frame as part of the trace {@code context} belongs to. */
  public Frame withTrace(SpanContext context) {
    return new Frame(cameraId, sequence, capturedAt, width, height, jpeg, i420, context);
  }

  public boolean isJpeg() {
    return jpeg != null;
  }

  /** Full-resolution BGR pixels (row-major, 3 bytes per pixel): the decode that analysis needs. */
  public byte[] bgr() {
    return FrameImages.bgr(this);
  }

  /** The frame as JPEG: the camera's own bytes when it sent JPEG, otherwise encoded now. */
  public byte[] toJpeg() {
    return jpeg != null ? jpeg : FrameImages.encodeJpeg(this);
  }

  @Override
  public String toString() {
    return "Frame[" + cameraId + " #" + sequence + " " + width + "x" + height + (jpeg != null ? " jpeg" : " i420") + "]";
  }
}
