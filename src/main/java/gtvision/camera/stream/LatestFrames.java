package gtvision.camera.stream;

import com.typesafe.config.Config;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * The newest sampled frame of every camera whose stream runs on this node, for the dashboard's live
 * grid. Bounded by bytes: when a new frame would pass the limit, the cameras whose frames are oldest
 * give theirs up first. A frame is kept as it was sampled (no work on the stream's path); a decoded
 * one is encoded to JPEG only when somebody asks, once.
 */
public final class LatestFrames {
  /** A kept frame; {@link #jpeg()} encodes a decoded picture the first time it is asked for. */
  public static final class Entry {
    private final Frame frame;
    private volatile byte[] jpeg;

    Entry(Frame frame) {
      this.frame = frame;
      this.jpeg = frame.jpeg();
    }

    public Frame frame() {
      return frame;
    }

    public byte[] jpeg() {
      byte[] encoded = jpeg;
      if (encoded == null) {
        encoded = frame.toJpeg();
        jpeg = encoded;
      }
      return encoded;
    }

    long bytes() {
      return frame.isJpeg() ? frame.jpeg().length : frame.i420().length;
    }
  }

  private final long maxBytes;
  // Insertion order is the order frames came in: a put moves its camera to the end.
  private final LinkedHashMap<String, Entry> frames = new LinkedHashMap<>();
  private long bytes;

  public LatestFrames(long maxBytes) {
    if (maxBytes <= 0) throw new IllegalArgumentException("gtv.camera.stream.latest-frames-max-bytes must be positive");
    this.maxBytes = maxBytes;
  }

  public static LatestFrames from(Config root) {
    return new LatestFrames(root.getBytes("gtv.camera.stream.latest-frames-max-bytes"));
  }

  public synchronized void put(Frame frame) {
    Entry entry = new Entry(frame);
    Entry previous = frames.remove(frame.cameraId());
    if (previous != null) bytes -= previous.bytes();
    if (entry.bytes() > maxBytes) return;
    Iterator<Map.Entry<String, Entry>> oldest = frames.entrySet().iterator();
    while (bytes + entry.bytes() > maxBytes && oldest.hasNext()) {
      bytes -= oldest.next().getValue().bytes();
      oldest.remove();
    }
    frames.put(frame.cameraId(), entry);
    bytes += entry.bytes();
  }

  /** The camera's stream stopped here: its frame would only grow stale. */
  public synchronized void remove(String cameraId) {
    Entry previous = frames.remove(cameraId);
    if (previous != null) bytes -= previous.bytes();
  }

  public synchronized Optional<Entry> get(String cameraId) {
    return Optional.ofNullable(frames.get(cameraId));
  }

  synchronized long bytes() {
    return bytes;
  }

  synchronized int size() {
    return frames.size();
  }
}
