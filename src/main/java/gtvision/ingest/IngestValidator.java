package gtvision.ingest;

import gtvision.camera.CameraEntity;
import gtvision.camera.CameraValidator;
import gtvision.camera.FrameSize;
import gtvision.camera.RecordedDetection;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * Checks a bulk ingest request item by item (the first problem wins and names its index) and groups
 * the valid ones per camera and frame (camera, timestamp, frameSequence) into entity commands.
 */
final class IngestValidator {
  /**
   * The camera's own frame numbering goes on after the highest sequence it recorded, ingested ones
   * included; the largest integer every JSON consumer reads exactly leaves room to count on.
   */
  static final long MAX_FRAME_SEQUENCE = (1L << 53) - 1;

  private static final Pattern CLASS = Pattern.compile("[\\p{L}\\p{N} _.-]{1,64}");

  private IngestValidator() {}

  record Problem(String field, String message) {}

  /** Valid items grouped per camera (insertion order kept), each group one frame. */
  record Batch(Map<String, List<CameraEntity.DetectionGroup>> byCamera, Map<String, Integer> firstIndex, int size) {}

  static Optional<Problem> check(IngestRequest request, int maxItems, Instant now, Duration maxSkew) {
    if (request.detections() == null) return problem("detections", "detections is required");
    int n = request.detections().size();
    if (n == 0) return problem("detections", "detections must not be empty");
    if (n > maxItems) return problem("detections", "at most " + maxItems + " detections per request, got " + n);
    Instant latest = now.plus(maxSkew);
    Map<String, Integer> perFrame = new HashMap<>();
    for (int i = 0; i < n; i++) {
      Optional<Problem> p = checkItem(request.detections().get(i), "detections[" + i + "].", latest);
      if (p.isPresent()) return p;
      IngestRequest.Item item = request.detections().get(i);
      int count = perFrame.merge(frameKey(item), 1, Integer::sum);
      if (count > CameraEntity.MAX_DETECTIONS_PER_FRAME) {
        return problem("detections[" + i + "]",
            "at most " + CameraEntity.MAX_DETECTIONS_PER_FRAME + " detections per camera, timestamp and frameSequence");
      }
    }
    return Optional.empty();
  }

  private static Optional<Problem> checkItem(IngestRequest.Item item, String at, Instant latest) {
    if (item == null) return problem(at.substring(0, at.length() - 1), "detection must be an object");
    if (item.cameraId() == null || item.cameraId().isEmpty()) return problem(at + "cameraId", "cameraId is required");
    if (!CameraValidator.ID.matcher(item.cameraId()).matches()) {
      return problem(at + "cameraId", "cameraId is not a valid camera id");
    }
    if (item.timestamp() == null) return problem(at + "timestamp", "timestamp is required (ISO-8601)");
    if (item.timestamp().isAfter(latest)) {
      return problem(at + "timestamp", "timestamp is in the future beyond the allowed clock skew");
    }
    if (item.className() == null || item.className().isBlank()) return problem(at + "class", "class is required");
    if (!CLASS.matcher(item.className()).matches()) {
      return problem(at + "class", "class is 1..64 letters, digits, spaces, '_', '.' or '-'");
    }
    Optional<Problem> confidence = fraction(item.confidence(), at + "confidence", true);
    if (confidence.isPresent()) return confidence;
    if (item.bbox() == null || item.bbox().size() != 4) {
      return problem(at + "bbox", "bbox is required as [x1, y1, x2, y2]");
    }
    for (int k = 0; k < 4; k++) {
      Double v = item.bbox().get(k);
      if (v == null || !Double.isFinite(v)) return problem(at + "bbox[" + k + "]", "bbox values must be finite numbers");
      if (v < 0) return problem(at + "bbox[" + k + "]", "bbox values must not be negative");
    }
    if (item.bbox().get(2) <= item.bbox().get(0) || item.bbox().get(3) <= item.bbox().get(1)) {
      return problem(at + "bbox", "bbox needs x1 < x2 and y1 < y2");
    }
    if ((item.frameWidth() == null) != (item.frameHeight() == null)) {
      return problem(at + (item.frameWidth() == null ? "frameWidth" : "frameHeight"),
          "frameWidth and frameHeight go together");
    }
    if (item.frameWidth() != null) {
      if (item.frameWidth() <= 0) return problem(at + "frameWidth", "frameWidth must be positive");
      if (item.frameHeight() <= 0) return problem(at + "frameHeight", "frameHeight must be positive");
      if (item.bbox().get(2) > item.frameWidth() || item.bbox().get(3) > item.frameHeight()) {
        return problem(at + "bbox", "bbox lies outside the " + item.frameWidth() + "x" + item.frameHeight() + " frame");
      }
    }
    if (item.plate() != null && !RecordedDetection.PLATE_TEXT.matcher(item.plate().toUpperCase(Locale.ROOT)).matches()) {
      return problem(at + "plate", "plate is 1..32 letters, digits or '-'");
    }
    Optional<Problem> plateConfidence = fraction(item.plateConfidence(), at + "plateConfidence", false);
    if (plateConfidence.isPresent()) return plateConfidence;
    if (item.frameSequence() != null && (item.frameSequence() < 0 || item.frameSequence() > MAX_FRAME_SEQUENCE)) {
      return problem(at + "frameSequence", "frameSequence must be between 0 and " + MAX_FRAME_SEQUENCE);
    }
    return Optional.empty();
  }

  private static Optional<Problem> fraction(Double value, String field, boolean required) {
    if (value == null) return required ? problem(field, field.substring(field.lastIndexOf('.') + 1) + " is required") : Optional.empty();
    if (!Double.isFinite(value)) return problem(field, "must be a finite number");
    if (value < 0 || value > 1) return problem(field, "must be between 0 and 1");
    return Optional.empty();
  }

  /** Groups checked items per camera, then per frame, keeping the order items came in. */
  static Batch group(IngestRequest request, String provider) {
    Map<String, Map<String, List<RecordedDetection>>> frames = new LinkedHashMap<>();
    Map<String, IngestRequest.Item> firstOfFrame = new LinkedHashMap<>();
    Map<String, Integer> firstIndex = new LinkedHashMap<>();
    for (int i = 0; i < request.detections().size(); i++) {
      IngestRequest.Item item = request.detections().get(i);
      firstIndex.putIfAbsent(item.cameraId(), i);
      String key = frameKey(item);
      firstOfFrame.putIfAbsent(key, item);
      String plate = item.plate() == null ? null : item.plate().toUpperCase(Locale.ROOT);
      frames.computeIfAbsent(item.cameraId(), c -> new LinkedHashMap<>())
          .computeIfAbsent(key, k -> new ArrayList<>())
          .add(new RecordedDetection(item.className(), item.confidence(), item.bbox(), plate, item.plateConfidence()));
    }
    Map<String, List<CameraEntity.DetectionGroup>> byCamera = new LinkedHashMap<>();
    frames.forEach((camera, groups) -> byCamera.put(camera, groups.entrySet().stream()
        .map(g -> {
          IngestRequest.Item first = firstOfFrame.get(g.getKey());
          long sequence = first.frameSequence() == null ? 0 : first.frameSequence();
          // The frame's size as its first item gives it (zones and lines are fractions of the picture).
          FrameSize size = first.frameWidth() == null ? null : new FrameSize(first.frameWidth(), first.frameHeight());
          return new CameraEntity.DetectionGroup(sequence, first.timestamp(), provider, g.getValue(), size);
        })
        .toList()));
    return new Batch(byCamera, firstIndex, request.detections().size());
  }

  private static String frameKey(IngestRequest.Item item) {
    return item.cameraId() + "|" + item.timestamp().toEpochMilli() + "|" + (item.frameSequence() == null ? 0 : item.frameSequence());
  }

  private static Optional<Problem> problem(String field, String message) {
    return Optional.of(new Problem(field, message));
  }
}
