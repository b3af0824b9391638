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
import org.apache.pekko.projection.javadsl.ExactlyOnceProjection;
import org.apache.pekko.projection.jdbc.javadsl.JdbcHandler;
import org.apache.pekko.projection.jdbc.javadsl.JdbcProjection;
import org.apache.pekko.persistence.query.Offset;
import java.util.Optional;

/**
 * Keeps {@code gtv_cameras} in step with camera events: one projection instance per tag slice,
 * spread over the cluster as a sharded daemon process, rows and offsets in one transaction.
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

  private static ExactlyOnceProjection<Offset, EventEnvelope<CameraEntity.Event>> projection(
      ActorSystem<?> system, Database database, ProjectionLag lag, String tag) {
    return JdbcProjection.exactlyOnce(
        ProjectionId.of(NAME, tag),
        EventSourcedProvider.eventsByTag(system, JdbcReadJournal.Identifier(), tag),
        database::newSession,
        () -> new Handler(lag),
        system);
  }

  private static final class Handler extends JdbcHandler<EventEnvelope<CameraEntity.Event>, HikariJdbcSession> {
    private final ProjectionLag lag;

    Handler(ProjectionLag lag) {
      this.lag = lag;
    }

    @Override
    public void process(HikariJdbcSession session, EventEnvelope<CameraEntity.Event> envelope) throws Exception {
      session.withConnection(connection -> {
        CameraTable.apply(connection, envelope.event());
        return null;
      });
      lag.processed(envelope.timestamp());
    }
  }
}
