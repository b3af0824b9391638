package gtvision.objects;

import gtvision.camera.CameraValidator;
import gtvision.http.ApiErrors;
import gtvision.http.Json;
import gtvision.http.QueryParams;
import gtvision.persistence.Database;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.http.javadsl.model.StatusCodes;
import org.apache.pekko.http.javadsl.server.AllDirectives;
import org.apache.pekko.http.javadsl.server.Route;

/**
 * {@code GET /api/counts?camera=&line=&from=&to=&bucket=}: a camera's line crossings per line, class,
 * direction and hour (or day), from the line-counts read side. {@code camera} is required; {@code to}
 * defaults to now and {@code from} to one bucket span before it (a day of hours, 30 days of days);
 * {@code from} is rounded down to its bucket, so the first bucket is whole.
 */
final class LineCountRoutes extends AllDirectives {
  private static final Set<String> PARAMS = Set.of("camera", "line", "from", "to", "bucket");

  /** A bucket size: its unit, the span asked when from is not given, and the longest span allowed. */
  private enum BucketSize {
    HOUR(ChronoUnit.HOURS, Duration.ofDays(1), Duration.ofDays(31)),
    DAY(ChronoUnit.DAYS, Duration.ofDays(30), Duration.ofDays(366));

    final ChronoUnit unit;
    final Duration defaultSpan;
    final Duration maxSpan;

    BucketSize(ChronoUnit unit, Duration defaultSpan, Duration maxSpan) {
      this.unit = unit;
      this.defaultSpan = defaultSpan;
      this.maxSpan = maxSpan;
    }
  }

  private final Database database;
  private final Json json;
  private final Clock clock;

  LineCountRoutes(ActorSystem<?> system, Database database, Clock clock) {
    this.database = database;
    this.json = Json.get(system);
    this.clock = clock;
  }

  Route route() {
    return pathPrefix("api", () -> path("counts", () -> get(() -> parameterMap(this::counts))));
  }

  private Route counts(Map<String, String> p) {
    QueryParams.Range range;
    try {
      QueryParams.onlyKnown(p, PARAMS);
      range = QueryParams.range(p);
    } catch (QueryParams.Invalid e) {
      return complete(e.response());
    }
    String camera = p.get("camera");
    if (camera == null) return complete(ApiErrors.badRequest("camera", "camera is required"));
    if (!CameraValidator.ID.matcher(camera).matches()) {
      return complete(ApiErrors.badRequest("camera", "camera is not a valid camera id"));
    }
    Optional<String> line = Optional.ofNullable(p.get("line"));
    if (line.isPresent() && !CameraValidator.ZONE_NAME.matcher(line.get()).matches()) {
      return complete(ApiErrors.badRequest("line", "line is 1..64 letters, digits, '_' or '-'"));
    }
    String bucketName = p.getOrDefault("bucket", "hour");
    BucketSize size;
    if (bucketName.equals("hour")) size = BucketSize.HOUR;
    else if (bucketName.equals("day")) size = BucketSize.DAY;
    else return complete(ApiErrors.badRequest("bucket", "bucket must be hour or day"));

    Instant to = range.to().orElseGet(clock::instant);
    Instant asked = range.from().orElse(to.minus(size.defaultSpan));
    if (!asked.isBefore(to)) return complete(ApiErrors.badRequest("to", "to must be after from"));
    // The span as asked: rounding from down to its bucket must not turn a 31-day range into a refusal.
    if (Duration.between(asked, to).compareTo(size.maxSpan) > 0) {
      return complete(ApiErrors.badRequest("from",
          "from..to spans at most " + size.maxSpan.toDays() + " days with bucket=" + bucketName));
    }
    Instant from = asked.truncatedTo(size.unit);
    Function<Instant, Instant> bucketOf = hour -> hour.truncatedTo(size.unit);
    return onSuccess(database.run(c -> LineCountTable.counts(c, camera, line, from, to)), rows -> complete(StatusCodes.OK,
        LineCountJson.of(camera, bucketName, from, to, rows, bucketOf), json.marshaller()));
  }
}
