package gtvision.testsupport;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import gtvision.NodeConfig;
import gtvision.camera.CameraEntity;
import gtvision.camera.readside.CameraEventProjections;
import gtvision.metrics.ProjectionLag;
import gtvision.persistence.Database;
import gtvision.persistence.DatabaseSettings;
import gtvision.persistence.SchemaCreator;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.persistence.query.Offset;
import org.apache.pekko.persistence.query.Sequence;
import org.apache.pekko.projection.ProjectionId;
import org.apache.pekko.projection.eventsourced.EventEnvelope;
import org.apache.pekko.projection.javadsl.GroupedProjection;
import org.apache.pekko.projection.jdbc.javadsl.JdbcProjection;
import org.apache.pekko.projection.testkit.javadsl.TestSourceProvider;
import org.apache.pekko.stream.javadsl.Source;

/**
 * Runs a read side's real handler over a test source, against a real database: the system has no
 * cluster (a read side needs none), the schema and Pekko Projections' offset tables exist.
 */
public final class ReadSides {
  private ReadSides() {}

  /** A local actor system over {@code database} (see {@link TestDatabases}) with every table created. */
  public static ActorTestKit start(Config database) throws Exception {
    Config config = NodeConfig.load(ConfigFactory.parseString("pekko.actor.provider = local").withFallback(database));
    SchemaCreator.createIfNotExists(DatabaseSettings.from(config));
    ActorTestKit testKit = ActorTestKit.create("readside", config);
    JdbcProjection.createTablesIfNotExists(Database.get(testKit.system())::newSession, testKit.system())
        .toCompletableFuture().get();
    return testKit;
  }

  /** The event as the journal would hand it to a projection at {@code offset}. */
  public static EventEnvelope<CameraEntity.Event> envelope(long offset, CameraEntity.Event event) {
    return EventEnvelope.create(Offset.sequence(offset), "Camera|" + event.cameraId(), offset, event,
        event.at().toEpochMilli());
  }

  /**
   * A finite source of {@code envelopes} that, like {@code eventsByTag}, resumes after the offset
   * the projection last stored: a restarted projection is offered again what it did not commit.
   */
  public static TestSourceProvider<Offset, EventEnvelope<CameraEntity.Event>> source(
      List<EventEnvelope<CameraEntity.Event>> envelopes) {
    return TestSourceProvider.<Offset, EventEnvelope<CameraEntity.Event>>create(
            Source.from(envelopes), EventEnvelope::offset)
        .withStartSourceFrom((stored, offset) -> sequence(offset) <= sequence(stored));
  }

  /** A read side over {@code source} with a projection id of its own (runs never share offsets by accident). */
  public static GroupedProjection<Offset, EventEnvelope<CameraEntity.Event>> readSide(
      ActorTestKit testKit, String id, TestSourceProvider<Offset, EventEnvelope<CameraEntity.Event>> source,
      CameraEventProjections.ReadSideWriter writer) {
    return CameraEventProjections.readSide(testKit.system(), ProjectionId.of(id, "test-slice"), source, writer,
        new ProjectionLag(new SimpleMeterRegistry(), id));
  }

  /** A projection id no other test uses. */
  public static String uniqueId(String name) {
    return name + "-" + UUID.randomUUID();
  }

  /** Reads the database over the read sides' own pool. */
  public static <T> T query(ActorTestKit testKit, Database.SqlFunction<T> step) throws Exception {
    return Database.get(testKit.system()).run(step).toCompletableFuture().get();
  }

  /** Rows of {@code sql}'s single count column. */
  public static long count(Connection c, String sql) throws SQLException {
    try (var ps = c.prepareStatement(sql); var rs = ps.executeQuery()) {
      rs.next();
      return rs.getLong(1);
    }
  }

  /** Long enough for a loaded CI machine to run a projection over a handful of envelopes. */
  public static final Duration RUN_TIMEOUT = Duration.ofSeconds(20);

  private static long sequence(Offset offset) {
    return ((Sequence) offset).value();
  }
}
