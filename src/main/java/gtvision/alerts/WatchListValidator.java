package gtvision.alerts;

import gtvision.alerts.WatchListEntity.Rejected;
import gtvision.alerts.WatchListEntity.RejectionKind;
import gtvision.alerts.WatchListEntity.Spec;
import java.util.Optional;

/** What a watch-list entry may be: each problem names its field, for the 400. */
final class WatchListValidator {
  static final int MAX_LABEL = 256;

  private WatchListValidator() {}

  static Optional<Rejected> check(Spec spec) {
    if (spec == null) return Optional.of(invalid("pattern", "a JSON object with pattern and label is required"));
    WatchPattern.Result pattern = WatchPattern.normalise(spec.pattern());
    if (pattern.problem() != null) return Optional.of(invalid("pattern", pattern.problem()));
    if (spec.label() == null || spec.label().isBlank()) return Optional.of(invalid("label", "label is required"));
    if (spec.label().strip().length() > MAX_LABEL) return Optional.of(invalid("label", "label is at most " + MAX_LABEL + " characters"));
    if (spec.label().chars().anyMatch(Character::isISOControl)) {
      return Optional.of(invalid("label", "label may not hold control characters"));
    }
    return Optional.empty();
  }

  private static Rejected invalid(String field, String message) {
    return new Rejected(RejectionKind.INVALID, field, message);
  }
}
