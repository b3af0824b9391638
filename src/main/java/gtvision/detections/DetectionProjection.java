package gtvision.detections;

import gtvision.camera.CameraEntity;
import gtvision.camera.CameraTags;
import gtvision.metrics.Metrics;
import gtvision.metrics.ProjectionLag;
import gtvision.persistence.Database;
import gtvision.persistence.HikariJdbcSession;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.function.Function;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.cluster.sharding.typed.ShardedDaemonProcessSettings;
import org.apache.pekko.cluster.sharding.typed.javadsl.ShardedDaemonProcess;
import org.apache.pekko.persistence.jdbc.query.javadsl.JdbcReadJournal;
import org.apache.pekko.persistence.query.Offset;
import org.apache.pekko.projection.Projection;
import org.apache.pekko.projection.ProjectionBehavior;
import org.apache.pekko.projection.ProjectionId;
import org.apache.pekko.projection.eventsourced.EventEnvelope;
import org.apache.pekko.projection.eventsourced.javadsl.EventSourcedProvider;
import org.apache.pekko.projection.javadsl.GroupedProjection;
import org.apache.pekko.projection.javadsl.SourceProvider;
import org.apache.pekko.projection.jdbc.javadsl.JdbcHandler;
import org.apache.pekko.projection.jdbc.javadsl.JdbcProjection;

/**
 * Keeps the {@code detections} table in step with camera events: one projection instance per tag
 * slice, spread over the cluster as a sharded daemon process; rows and offset commit in one
 * transaction (exactly once), so a restart never loses or doubles a row.
 */
public final class DetectionProjection {
  static final String NAME = "detections";

  private DetectionProjection() {}

  public static void init(ActorSystem<?> system) {
    Database database = Database.get(system);
    ProjectionLag lag = new ProjectionLag(Metrics.get(system).registry(), NAME);
    runOverSlices(system, NAME, tag -> projection(system, database, lag, tag));
  }

  /** Runs one projection per camera tag slice as a sharded daemon process named after the projection. */
  static void runOverSlices(ActorSystem<?> system, String name, Function<String, Projection<?>> projection) {
    ShardedDaemonProcess.get(system)
        .init(
            ProjectionBehavior.Command.class,
            "projection-" + name,
            CameraTags.SLICES,
            slice -> ProjectionBehavior.create(projection.apply(CameraTags.ALL.get(slice))),
            ShardedDaemonProcessSettings.create(system),
            Optional.of(ProjectionBehavior.stopMessage()));
  }

  static SourceProvider<Offset, EventEnvelope<CameraEntity.Event>> events(ActorSystem<?> system, String tag) {
    return EventSourcedProvider.eventsByTag(system, JdbcReadJournal.Identifier(), tag);
  }

  static GroupedProjection<Offset, EventEnvelope<CameraEntity.Event>> projection(
      ActorSystem<?> system, Database database, ProjectionLag lag, String tag) {
    // Grouped: up to 500 events (or 100 ms' worth) and their offset in one transaction. Still exactly
    // once, at a fraction of the commits of one transaction per event under bulk ingest.
    return JdbcProjection.groupedWithin(
            ProjectionId.of(NAME, tag), events(system, tag), database::newSession, () -> new Handler(lag), system)
        .withGroup(500, Duration.ofMillis(100));
  }

  private static final class Handler extends JdbcHandler<List<EventEnvelope<CameraEntity.Event>>, HikariJdbcSession> {
    private final ProjectionLag lag;

    Handler(ProjectionLag lag) {
      this.lag = lag;
    }

    @Override
    public void process(HikariJdbcSession session, List<EventEnvelope<CameraEntity.Event>> envelopes) throws Exception {
      List<CameraEntity.DetectionsRecorded> recorded = envelopes.stream()
          .map(EventEnvelope::event)
          .filter(CameraEntity.DetectionsRecorded.class::isInstance)
          .map(CameraEntity.DetectionsRecorded.class::cast)
          .toList();
      if (!recorded.isEmpty()) {
        session.withConnection(connection -> {
          DetectionTable.insert(connection, recorded);
          return null;
        });
      }
      if (!envelopes.isEmpty()) lag.processed(envelopes.get(envelopes.size() - 1).timestamp());
    }
  }
}
