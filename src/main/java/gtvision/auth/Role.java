package gtvision.auth;

import java.util.Arrays;
import java.util.Locale;
import java.util.Optional;

/**
 * What a principal may do. viewer &lt; operator &lt; admin are nested; ingest stands apart (a producer's
 * key writes detections for its cameras and reads nothing). Admin may do everything, ingest included.
 */
public enum Role {
  VIEWER,
  OPERATOR,
  ADMIN,
  INGEST;

  public String wireName() {
    return name().toLowerCase(Locale.ROOT);
  }

  public static Optional<Role> parse(String name) {
    if (name == null) return Optional.empty();
    return Arrays.stream(values()).filter(r -> r.wireName().equals(name.strip().toLowerCase(Locale.ROOT))).findFirst();
  }

  /** True when a principal with this role may use something that requires {@code required}. */
  public boolean allows(Role required) {
    return switch (this) {
      case ADMIN -> true;
      case OPERATOR -> required == OPERATOR || required == VIEWER;
      case VIEWER -> required == VIEWER;
      case INGEST -> required == INGEST;
    };
  }
}
