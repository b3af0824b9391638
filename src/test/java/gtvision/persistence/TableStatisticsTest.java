package gtvision.persistence;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import gtvision.NodeConfig;
import gtvision.testsupport.TestDatabases;
import gtvision.testsupport.TestNodes;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class TableStatisticsTest {

  @Test
  void analyzesTablesNeverAnalyzedOrChangedPastTheThresholdAndNothingElse() throws Exception {
    DatabaseSettings settings = DatabaseSettings.from(NodeConfig.load(TestDatabases.postgres("statistics")));
    SchemaCreator.createIfNotExists(settings);
    try (Connection c = DriverManager.getConnection(settings.url(), settings.user(), settings.password())) {
      // Fresh tables have never been analyzed: the planner would guess.
      assertEquals(List.of("detections", "event_journal", "event_tag", "gtv_cameras", "snapshot"),
          TableStatistics.analyzeStale(c));
      assertTrue(reltuples(c, "detections") >= 0);
      assertEquals(List.of(), TableStatistics.analyzeStale(c), "nothing changed since");

      insertDetections(c, 500);
      awaitChangesCounted(c, "detections", 500);
      assertEquals(List.of(), TableStatistics.analyzeStale(c), "500 changes are under the threshold");

      insertDetections(c, 1_000);
      awaitChangesCounted(c, "detections", 1_500);
      assertEquals(List.of("detections"), TableStatistics.analyzeStale(c));
      assertEquals(1_500, reltuples(c, "detections"), 0.5);
    }
  }

  @Test
  void leavesTablesItMayNotAnalyzeAlone() throws Exception {
    DatabaseSettings settings = DatabaseSettings.from(NodeConfig.load(TestDatabases.postgres("statistics_owner")));
    SchemaCreator.createIfNotExists(settings);
    try (Connection admin = DriverManager.getConnection(settings.url(), settings.user(), settings.password());
        Statement s = admin.createStatement()) {
      s.execute("DO $$ BEGIN CREATE ROLE gtv_statistics_reader LOGIN; EXCEPTION WHEN duplicate_object THEN NULL; END $$");
    }
    // A user that owns none of the tables (trust authentication: no password).
    try (Connection reader = DriverManager.getConnection(settings.url(), "gtv_statistics_reader", "")) {
      assertEquals(List.of(), TableStatistics.analyzeStale(reader));
    }
  }

  @Test
  void aPostgresNodeRefreshesTheJournalStatisticsOnItsOwn() throws Exception {
    Config db = TestDatabases.postgres("statistics_node");
    DatabaseSettings settings = DatabaseSettings.from(NodeConfig.load(db));
    TestNodes.Node node = TestNodes.start(db, ConfigFactory.parseString("gtv.db.analyze-interval = 1s"));
    try (Connection c = DriverManager.getConnection(settings.url(), settings.user(), settings.password())) {
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
      while (reltuples(c, "event_journal") < 0 && System.nanoTime() < deadline) Thread.sleep(200);
      assertTrue(reltuples(c, "event_journal") >= 0, "the journal was analyzed by the node");
    } finally {
      node.stop();
    }
  }

  private static void insertDetections(Connection c, int rows) throws SQLException {
    try (Statement s = c.createStatement()) {
      s.execute("INSERT INTO detections (camera_id, frame_sequence, ts, class_name, confidence, x1, y1, x2, y2, plate, "
          + "plate_confidence, provider, evidence_key, recorded_at) SELECT 'cam-' || (g % 7), g, g, 'car', 0.9, "
          + "1, 2, 3, 4, NULL, NULL, 'gpu', NULL, g FROM generate_series(1, " + rows + ") AS g");
    }
  }

  private static double reltuples(Connection c, String table) throws SQLException {
    try (Statement s = c.createStatement();
        ResultSet r = s.executeQuery("SELECT reltuples FROM pg_class WHERE relname = '" + table + "'")) {
      r.next();
      return r.getDouble(1);
    }
  }

  /** The server publishes a session's table counters shortly after its transaction, not at once. */
  private static void awaitChangesCounted(Connection c, String table, long changes) throws Exception {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(15);
    while (System.nanoTime() < deadline) {
      try (Statement s = c.createStatement();
          ResultSet r = s.executeQuery(
              "SELECT n_mod_since_analyze FROM pg_stat_user_tables WHERE relname = '" + table + "'")) {
        if (r.next() && r.getLong(1) >= changes) return;
      }
      Thread.sleep(100);
    }
    throw new AssertionError(table + ": the server never counted " + changes + " changes");
  }
}
