package gtvision.camera.readside;

import gtvision.camera.CameraEntity;
import gtvision.camera.CameraTags;
import gtvision.metrics.Metrics;
import gtvision.metrics.ProjectionLag;
import gtvision.persistence.Database;
import gtvision.persistence.HikariJdbcSession;
import java.sql.Connection;
import java.sql.SQLException;
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

/** What every projection of camera events shares: the tag slices, their source, how they run. */
public final class CameraEventProjections {
  private CameraEventProjections() {}

  /** The camera events of one tag slice, in journal order. */
  public static SourceProvider<Offset, EventEnvelope<CameraEntity.Event>> events(ActorSystem<?> system, String tag) {
    return EventSourcedProvider.eventsByTag(system, JdbcReadJournal.Identifier(), tag);
  }

  /** Runs one projection per tag slice as a sharded daemon process named after the projection. */
  public static void runOverSlices(ActorSystem<?> system, String name, Function<String, Projection<?>> projection) {
    ShardedDaemonProcess.get(system)
        .init(
            ProjectionBehavior.Command.class,
            "projection-" + name,
            CameraTags.SLICES,
            slice -> ProjectionBehavior.create(projection.apply(CameraTags.ALL.get(slice))),
            ShardedDaemonProcessSettings.create(system),
            Optional.of(ProjectionBehavior.stopMessage()));
  }

  /** Writes a group of camera events (in journal order) to read-side tables, inside the group's transaction. */
  @FunctionalInterface
  public interface ReadSideWriter {
    void write(Connection connection, List<CameraEntity.Event> events) throws SQLException;
  }

  /**
   * Runs a read side kept by {@code writer} in the read-side database, one projection per tag slice:
   * up to 500 events (or 100 ms' worth) and their offset in one transaction. Still exactly once, at a
   * fraction of the commits of one transaction per event, which under bulk ingest were most of the
   * database's commits. Its lag is exported as {@code gtv_projection_lag_seconds{projection=name}}.
   */
  public static void runReadSide(ActorSystem<?> system, String name, ReadSideWriter writer) {
    ProjectionLag lag = new ProjectionLag(Metrics.get(system).registry(), name);
    runOverSlices(system, name, tag -> readSide(system, ProjectionId.of(name, tag), events(system, tag), writer, lag));
  }

  /**
   * One slice of a read side: the events of {@code source} written by {@code writer}, in groups that
   * commit with their offset. Public so that tests can run the real handler over a test source.
   */
  public static GroupedProjection<Offset, EventEnvelope<CameraEntity.Event>> readSide(
      ActorSystem<?> system, ProjectionId id, SourceProvider<Offset, EventEnvelope<CameraEntity.Event>> source,
      ReadSideWriter writer, ProjectionLag lag) {
    Database database = Database.get(system);
    return JdbcProjection.groupedWithin(id, source, database::newSession, () -> new ReadSideHandler(writer, lag), system)
        .withGroup(500, Duration.ofMillis(100));
  }

  private static final class ReadSideHandler
      extends JdbcHandler<List<EventEnvelope<CameraEntity.Event>>, HikariJdbcSession> {
    private final ReadSideWriter writer;
    private final ProjectionLag lag;

    ReadSideHandler(ReadSideWriter writer, ProjectionLag lag) {
      this.writer = writer;
      this.lag = lag;
    }

    @Override
    public void process(HikariJdbcSession session, List<EventEnvelope<CameraEntity.Event>> envelopes) throws Exception {
      if (envelopes.isEmpty()) return;
      List<CameraEntity.Event> events = envelopes.stream().map(EventEnvelope::event).toList();
      session.withConnection(connection -> {
        writer.write(connection, events);
        return null;
      });
      lag.processed(envelopes.get(envelopes.size() - 1).timestamp());
    }
  }
}
