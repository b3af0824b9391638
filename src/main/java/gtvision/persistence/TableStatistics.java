package gtvision.persistence;

import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.SupervisorStrategy;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.cluster.typed.ClusterSingleton;
import org.apache.pekko.cluster.typed.SingletonActor;

/**
 * Keeps PostgreSQL's planner statistics of the tables GT-Vision queries fresh, from one node of the
 * cluster (a singleton).
 *
 * <p>Why: the read journal's {@code eventsByTag} query filters the journal's ordering range but joins
 * {@code event_tag} by tag, and PostgreSQL does not carry a range across a join. With statistics from
 * when the journal was small (or none: autovacuum is off on some servers, and its analyze lags a fast
 * growing table by minutes) the planner reads every row of the tag on each projection poll, so poll cost
 * grows with the journal and bulk ingest collapses; with current statistics it reads only the new range.
 * This runs {@code ANALYZE} on a table whose changes since its last analyze pass the same kind of
 * threshold autovacuum uses, so it costs nothing while autovacuum keeps up.
 */
public final class TableStatistics {
  /** The tables whose plans matter: the journal and its tags (projections), and the read side (API). */
  static final List<String> TABLES =
      List.of("event_journal", "event_tag", "snapshot", "detections", "gtv_cameras", "pekko_projection_offset_store");

  /** Analyze once this many rows changed plus this fraction of the table (autovacuum: 50 + 10 %). */
  static final long MIN_CHANGES = 1_000;

  static final double CHANGE_FRACTION = 0.1;

  private static final String STALE = String.join("\n",
      "SELECT c.relname FROM pg_class c",
      "JOIN pg_namespace n ON n.oid = c.relnamespace",
      "LEFT JOIN pg_stat_user_tables s ON s.relid = c.oid",
      "WHERE n.nspname = current_schema() AND c.relkind = 'r' AND c.relname = ANY (?)",
      // Only tables this user may analyze (owner, or a member of the owner's role; superusers are);
      // the others are autovacuum's or the DBA's, and asking every pass would only repeat a warning.
      "AND pg_has_role(current_user, c.relowner, 'USAGE')",
      // reltuples < 0: never analyzed (PostgreSQL 14+), so the planner guesses from defaults.
      "AND (c.reltuples < 0 OR s.n_mod_since_analyze > ? + ? * c.reltuples)",
      "ORDER BY c.relname");

  private TableStatistics() {}

  private sealed interface Message {}

  private enum Tick implements Message {
    INSTANCE
  }

  private record Analyzed(List<String> tables, Throwable error) implements Message {}

  /** Starts the singleton on PostgreSQL when {@code interval} is positive (H2 keeps its own statistics). */
  public static void start(ActorSystem<?> system, Duration interval) {
    Database database = Database.get(system);
    if (database.settings().kind() != DatabaseSettings.Kind.POSTGRES || interval.isZero() || interval.isNegative()) {
      return;
    }
    ClusterSingleton.get(system).init(SingletonActor.of(
        Behaviors.supervise(create(database, interval)).onFailure(SupervisorStrategy.restart()),
        "table-statistics"));
  }

  static Behavior<Message> create(Database database, Duration interval) {
    return Behaviors.setup(context -> Behaviors.withTimers(timers -> {
      timers.startSingleTimer(Tick.INSTANCE, interval);
      return Behaviors.receive(Message.class)
          .onMessageEquals(Tick.INSTANCE, () -> {
            context.pipeToSelf(database.run(TableStatistics::analyzeStale), Analyzed::new);
            return Behaviors.same();
          })
          .onMessage(Analyzed.class, done -> {
            if (done.error() != null) {
              context.getLog().warn("Refreshing table statistics failed: {}", done.error().getMessage());
            } else if (!done.tables().isEmpty()) {
              context.getLog().info("Refreshed planner statistics of {}", done.tables());
            }
            // The next pass is scheduled only once this one is over, so passes never overlap.
            timers.startSingleTimer(Tick.INSTANCE, interval);
            return Behaviors.same();
          })
          .build();
    }));
  }

  /** Analyzes the stale ones of {@link #TABLES} that exist in the current schema; returns their names. */
  static List<String> analyzeStale(Connection connection) throws SQLException {
    List<String> stale = new ArrayList<>();
    try (PreparedStatement query = connection.prepareStatement(STALE)) {
      Array names = connection.createArrayOf("text", TABLES.toArray());
      query.setArray(1, names);
      query.setLong(2, MIN_CHANGES);
      query.setDouble(3, CHANGE_FRACTION);
      try (ResultSet rows = query.executeQuery()) {
        while (rows.next()) stale.add(rows.getString(1));
      }
    }
    try (Statement analyze = connection.createStatement()) {
      // Names come from the fixed list above, never from input.
      for (String table : stale) analyze.execute("ANALYZE " + table);
    }
    return stale;
  }
}
