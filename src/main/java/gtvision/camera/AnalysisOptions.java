package gtvision.camera;

import gtvision.CborSerializable;
import java.util.List;

/**
 * Per-camera overrides of the deployment's detection settings. {@code classes} empty and
 * {@code minConfidence} null mean "the deployment's default"; plates are read unless switched off.
 */
public record AnalysisOptions(List<String> classes, Double minConfidence, Boolean detectPlates)
    implements CborSerializable {

  public static final AnalysisOptions DEFAULT = new AnalysisOptions(List.of(), null, true);

  public AnalysisOptions {
    classes = classes == null ? List.of() : List.copyOf(classes);
    detectPlates = detectPlates == null || detectPlates;
  }
}
