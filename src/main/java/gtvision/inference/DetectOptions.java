package gtvision.inference;

import gtvision.CborSerializable;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.Set;

/**
 * Per-request (per-camera) overrides of the deployment defaults.
 *
 * @param detectPlates read licence plates of vehicle detections
 * @param classes classes of interest; empty means the deployment's {@code gtv.inference.classes}
 * @param minConfidence confidence threshold 0..1; empty means {@code gtv.inference.confidence}
 * @param notAfter the latest time a detector may start on the frame (a camera frame's capture time plus
 *     {@code gtv.inference.max-frame-age}, set by the router); a detector that gets to it later answers
 *     {@link FrameExpiredException} without analysing it. Compared with the detector node's clock: nodes
 *     keep their clocks in step (NTP), a skew of a few milliseconds only shifts the bound by as much.
 */
public record DetectOptions(
    boolean detectPlates, Optional<Set<String>> classes, Optional<Double> minConfidence, Optional<Instant> notAfter)
    implements CborSerializable {

  public static final DetectOptions DEFAULT = new DetectOptions(false, Optional.empty(), Optional.empty());

  public DetectOptions(boolean detectPlates, Optional<Set<String>> classes, Optional<Double> minConfidence) {
    this(detectPlates, classes, minConfidence, Optional.empty());
  }

  public DetectOptions {
    classes = classes.map(Set::copyOf);
    minConfidence.ifPresent(
        c -> {
          if (c < 0 || c > 1) throw new IllegalArgumentException("minConfidence must be in 0..1: " + c);
        });
  }

  public static DetectOptions plates(boolean detectPlates) {
    return new DetectOptions(detectPlates, Optional.empty(), Optional.empty());
  }

  public DetectOptions withClasses(Set<String> c) {
    return new DetectOptions(detectPlates, Optional.of(c), minConfidence, notAfter);
  }

  public DetectOptions withMinConfidence(double c) {
    return new DetectOptions(detectPlates, classes, Optional.of(c), notAfter);
  }

  public DetectOptions withNotAfter(Instant deadline) {
    return new DetectOptions(detectPlates, classes, minConfidence, Optional.of(deadline));
  }

  /** Throws {@link FrameExpiredException} when {@link #notAfter} has passed on {@code clock}. */
  void checkNotExpired(Clock clock) {
    if (notAfter.isPresent() && clock.instant().isAfter(notAfter.get())) throw new FrameExpiredException(notAfter.get());
  }

  /** {@link #notAfter} on this JVM's nano clock, or {@link Long#MAX_VALUE} without one. */
  long notAfterNanos(Clock clock) {
    if (notAfter.isEmpty()) return Long.MAX_VALUE;
    long left = Duration.between(clock.instant(), notAfter.get()).toNanos();
    return System.nanoTime() + left;
  }

  Set<String> classesOr(Set<String> deploymentDefault) {
    return classes.orElse(deploymentDefault);
  }

  double confidenceOr(double deploymentDefault) {
    return minConfidence.orElse(deploymentDefault);
  }
}
