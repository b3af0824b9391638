package gtvision.inference;

import gtvision.CborSerializable;
import java.util.Optional;
import java.util.Set;

/**
 * Per-request (per-camera) overrides of the deployment defaults.
 *
 * @param detectPlates read licence plates of vehicle detections
 * @param classes classes of interest; empty means the deployment's {@code gtv.inference.classes}
 * @param minConfidence confidence threshold 0..1; empty means {@code gtv.inference.confidence}
 */
public record DetectOptions(
    boolean detectPlates, Optional<Set<String>> classes, Optional<Double> minConfidence)
    implements CborSerializable {

  public static final DetectOptions DEFAULT = new DetectOptions(false, Optional.empty(), Optional.empty());

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
    return new DetectOptions(detectPlates, Optional.of(c), minConfidence);
  }

  public DetectOptions withMinConfidence(double c) {
    return new DetectOptions(detectPlates, classes, Optional.of(c));
  }

  Set<String> classesOr(Set<String> deploymentDefault) {
    return classes.orElse(deploymentDefault);
  }

  double confidenceOr(double deploymentDefault) {
    return minConfidence.orElse(deploymentDefault);
  }
}
