package gtvision.http;

import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.apache.pekko.http.javadsl.model.HttpResponse;

/**
 * Query parameters the search routes share (unknown names, {@code limit}, the {@code from} / {@code to}
 * range), each refused with the 400 that names it, so every search answers bad input alike.
 */
public final class QueryParams {
  private QueryParams() {}

  /** A parameter that cannot be used: {@link #response()} is the 400 to answer. */
  public static final class Invalid extends Exception {
    private final transient HttpResponse response;

    Invalid(String field, String message) {
      super(message, null, false, false);
      this.response = ApiErrors.badRequest(field, message);
    }

    public HttpResponse response() {
      return response;
    }
  }

  /** An instant range, {@code from} inclusive and {@code to} exclusive, either end open. */
  public record Range(Optional<Instant> from, Optional<Instant> to) {}

  public static void onlyKnown(Map<String, String> p, Set<String> known) throws Invalid {
    for (String name : p.keySet()) {
      if (!known.contains(name)) throw new Invalid(name, "unknown query parameter " + name);
    }
  }

  /** {@code limit}, {@code defaultLimit} when absent, else an integer in 1..{@code maxLimit}. */
  public static int limit(Map<String, String> p, int defaultLimit, int maxLimit) throws Invalid {
    if (!p.containsKey("limit")) return defaultLimit;
    int limit;
    try {
      limit = Integer.parseInt(p.get("limit"));
    } catch (NumberFormatException e) {
      limit = -1;
    }
    if (limit < 1 || limit > maxLimit) throw new Invalid("limit", "limit must be an integer between 1 and " + maxLimit);
    return limit;
  }

  /** {@code from} and {@code to} as ISO-8601 instants, {@code to} after {@code from} when both are given. */
  public static Range range(Map<String, String> p) throws Invalid {
    Optional<Instant> from = instant(p, "from");
    Optional<Instant> to = instant(p, "to");
    if (from.isPresent() && to.isPresent() && !from.get().isBefore(to.get())) {
      throw new Invalid("to", "to must be after from");
    }
    return new Range(from, to);
  }

  private static Optional<Instant> instant(Map<String, String> p, String name) throws Invalid {
    try {
      return Optional.ofNullable(p.get(name)).map(Instant::parse);
    } catch (DateTimeParseException e) {
      throw new Invalid(name, name + " must be an ISO-8601 instant, e.g. 2026-11-24T10:00:00Z");
    }
  }
}
