package gtvision.camera;

import gtvision.metrics.Metrics;
import gtvision.metrics.ProjectionLag;
import gtvision.persistence.Database;
import gtvision.persistence.HikariJdbcSession;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.cluster.sharding.typed.ShardedDaemonProcessSettings;
import org.apache.pekko.cluster.sharding.typed.javadsl.ShardedDaemonProcess;
import org.apache.pekko.persistence.jdbc.query.javadsl.JdbcReadJournal;
import org.apache.pekko.projection.ProjectionBehavior;
import org.apache.pekko.projection.ProjectionId;
import org.apache.pekko.projection.eventsourced.EventEnvelope;
import org.apache.pekko.projection.eventsourced.javadsl.EventSourcedProvider;
import org.apache.pekko.projection.javadsl.GroupedProjection;
import org.apache.pekko.projection.jdbc.javadsl.JdbcHandler;
import org.apache.pekko.projection.jdbc.javadsl.JdbcProjection;
import org.apache.pekko.persistence.query.Offset;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * Keeps {@code gtv_cameras} in step with camera events: one projection instance per tag slice,
 * spread over the cluster as a sharded daemon process, rows and offsets in one transaction.
 *
 * <p>Grouped (up to 500 events or 100 ms' worth per transaction), because this projection sees every
 * camera event, detections included: one transaction per event cost the database a commit per
 * analysed frame just to move the offset, which was most of its commits under bulk ingest.
 */
public final class CameraProjection {
  static final String NAME = "cameras";

  private CameraProjection() {}

  public static void init(ActorSystem<?> system) {
    Database database = Database.get(system);
    ProjectionLag lag = new ProjectionLag(Metrics.get(system).registry(), NAME);
    ShardedDaemonProcess.get(system)
        .init(
            ProjectionBehavior.Command.class,
            "projection-" + NAME,
            CameraTags.SLICES,
            slice -> ProjectionBehavior.create(projection(system, database, lag, CameraTags.ALL.get(slice))),
            ShardedDaemonProcessSettings.create(system),
            Optional.of(ProjectionBehavior.stopMessage()));
  }

  private static GroupedProjection<Offset, EventEnvelope<CameraEntity.Event>> projection(
      ActorSystem<?> system, Database database, ProjectionLag lag, String tag) {
    return JdbcProjection.groupedWithin(
            ProjectionId.of(NAME, tag),
            EventSourcedProvider.eventsByTag(system, JdbcReadJournal.Identifier(), tag),
            database::newSession,
            () -> new Handler(lag),
            system)
        .withGroup(500, Duration.ofMillis(100));
  }

  private static final class Handler extends JdbcHandler<List<EventEnvelope<CameraEntity.Event>>, HikariJdbcSession> {
    private final ProjectionLag lag;

    Handler(ProjectionLag lag) {
      this.lag = lag;
    }

    @Override
    public void process(HikariJdbcSession session, List<EventEnvelope<CameraEntity.Event>> envelopes) throws Exception {
      session.withConnection(connection -> {
        // In journal order: a camera's later events apply over its earlier ones.
        for (EventEnvelope<CameraEntity.Event> envelope : envelopes) CameraTable.apply(connection, envelope.event());
        return null;
      });
      if (!envelopes.isEmpty()) lag.processed(envelopes.get(envelopes.size() - 1).timestamp());
    }
  }
}
