package gtvision.system;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import com.typesafe.config.Config;
import gtvision.testsupport.ReadSides;
import gtvision.testsupport.TestDatabases;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.stream.Stream;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** How far projections are behind, read from a real offset store and journal, on H2 and on PostgreSQL. */
class ProjectionProgressTest {
  @TempDir static Path dir;

  static Stream<String> databases() {
    return TestDatabases.postgresAvailable() || "true".equals(System.getenv("CI")) ? Stream.of("h2", "postgres") : Stream.of("h2");
  }

  private static Config database(String kind) {
    return kind.equals("h2") ? TestDatabases.h2(dir.resolve(UUID.randomUUID().toString())) : TestDatabases.postgres("progress");
  }

  @ParameterizedTest
  @MethodSource("databases")
  void eventsAfterEachSlicesOffsetAreCountedAndTheOldestGivesTheLag(String kind) throws Exception {
    ActorTestKit testKit = ReadSides.start(database(kind));
    try {
      String tag = "test-" + UUID.randomUUID();
      String quiet = "test-" + UUID.randomUUID();
      String behind = "lagging-" + UUID.randomUUID();
      String current = "current-" + UUID.randomUUID();
      Instant now = Instant.parse("2026-12-03T12:00:00Z");
      List<Long> orderings = ReadSides.query(testKit, c -> {
        List<Long> o = new ArrayList<>();
        for (int i = 0; i < 5; i++) o.add(event(c, tag, i, now.minusSeconds(60 - i).toEpochMilli()));
        offset(c, behind, tag, o.get(1), now.minusSeconds(30).toEpochMilli());
        offset(c, behind, quiet, 0, now.minusSeconds(5).toEpochMilli());
        offset(c, current, tag, o.get(4), now.minusSeconds(1).toEpochMilli());
        return o;
      });
      assertEquals(5, orderings.size());

      List<ProjectionProgress.View> views = ReadSides.query(testKit, c -> ProjectionProgress.read(c, now));
      ProjectionProgress.View lagging = views.stream().filter(v -> v.name().equals(behind)).findFirst().orElseThrow();
      assertEquals(2, lagging.slices());
      assertEquals(3, lagging.eventsBehind(), "the three events after the offset of " + tag);
      assertFalse(lagging.capped());
      assertEquals(58.0, lagging.lagSeconds(), 0.001, "the oldest unprocessed event was written 58 s ago");
      assertEquals(now.minusSeconds(5), lagging.lastStored(), "the newest offset write of its slices");

      ProjectionProgress.View upToDate = views.stream().filter(v -> v.name().equals(current)).findFirst().orElseThrow();
      assertEquals(new ProjectionProgress.View(current, 1, 0, false, 0.0, now.minusSeconds(1)), upToDate);
    } finally {
      testKit.shutdownTestKit();
    }
  }

  /** One journal event carrying {@code tag}; returns its ordering. */
  private static long event(Connection c, String tag, int sequence, long writtenAt) throws SQLException {
    long ordering;
    try (PreparedStatement s = c.prepareStatement("INSERT INTO \"event_journal\" (\"persistence_id\", \"sequence_number\", \"writer\", "
        + "\"write_timestamp\", \"adapter_manifest\", \"event_ser_id\", \"event_ser_manifest\", \"event_payload\") VALUES (?, ?, 'test', ?, '', 1, 'x', ?)",
        Statement.RETURN_GENERATED_KEYS)) {
      s.setString(1, "Camera|" + tag);
      s.setLong(2, sequence + 1);
      s.setLong(3, writtenAt);
      s.setBytes(4, new byte[] {1});
      s.executeUpdate();
      try (ResultSet keys = s.getGeneratedKeys()) {
        keys.next();
        ordering = keys.getLong("ordering");
      }
    }
    try (PreparedStatement s = c.prepareStatement("INSERT INTO \"event_tag\" (\"event_id\", \"tag\") VALUES (?, ?)")) {
      s.setLong(1, ordering);
      s.setString(2, tag);
      s.executeUpdate();
    }
    return ordering;
  }

  private static void offset(Connection c, String projection, String key, long offset, long at) throws SQLException {
    try (PreparedStatement s = c.prepareStatement("INSERT INTO \"pekko_projection_offset_store\" "
        + "(\"projection_name\", \"projection_key\", \"current_offset\", \"manifest\", \"mergeable\", \"last_updated\") VALUES (?, ?, ?, 'SEQ', false, ?)")) {
      s.setString(1, projection);
      s.setString(2, key);
      s.setString(3, Long.toString(offset));
      s.setLong(4, at);
      s.executeUpdate();
    }
  }
}
