package gtvision.persistence;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.DispatcherSelector;
import org.apache.pekko.actor.typed.Extension;
import org.apache.pekko.actor.typed.ExtensionId;

/**
 * The node's connection pool for everything that is not the journal (read side, projections'
 * offsets, health probes). JDBC calls run on the blocking dispatcher, never on actor threads.
 */
public final class Database implements Extension {
  private static final ExtensionId<Database> ID =
      new ExtensionId<>() {
        @Override
        public Database createExtension(ActorSystem<?> system) {
          return new Database(system);
        }
      };

  public static Database get(ActorSystem<?> system) {
    return ID.apply(system);
  }

  /** A JDBC step that may throw SQLException. */
  @FunctionalInterface
  public interface SqlFunction<T> {
    T apply(Connection connection) throws SQLException;
  }

  private final DatabaseSettings settings;
  private final HikariDataSource dataSource;
  private final Executor blocking;

  private Database(ActorSystem<?> system) {
    this.settings = DatabaseSettings.from(system.settings().config());
    this.dataSource = new HikariDataSource(poolConfig(settings, system.name()));
    this.blocking = system.dispatchers().lookup(DispatcherSelector.fromConfig("gtv.blocking-dispatcher"));
    system.getWhenTerminated().thenRun(dataSource::close);
  }

  static HikariConfig poolConfig(DatabaseSettings settings, String poolName) {
    HikariConfig config = new HikariConfig();
    config.setPoolName("gtv-" + poolName);
    config.setJdbcUrl(settings.url());
    config.setUsername(settings.user());
    config.setPassword(settings.password());
    config.setDriverClassName(settings.kind().driver());
    config.setMaximumPoolSize(settings.poolSize());
    config.setMinimumIdle(1);
    config.setConnectionTimeout(TimeUnit.SECONDS.toMillis(5));
    // Do not fail construction when the database is down: health reports it, requests retry.
    config.setInitializationFailTimeout(-1);
    return config;
  }

  public DatabaseSettings settings() {
    return settings;
  }

  /** A new transaction-scoped session for JDBC projections. */
  public HikariJdbcSession newSession() {
    return new HikariJdbcSession(dataSource);
  }

  /** Runs one auto-committed JDBC step on the blocking dispatcher. */
  public <T> CompletionStage<T> run(SqlFunction<T> step) {
    return CompletableFuture.supplyAsync(
        () -> {
          try (Connection connection = dataSource.getConnection()) {
            return step.apply(connection);
          } catch (SQLException e) {
            throw new DatabaseException(e);
          }
        },
        blocking);
  }

  /** True when the database answers a trivial query within the timeout. */
  public CompletionStage<Boolean> ping(Duration timeout) {
    return run(connection -> connection.isValid((int) Math.max(1, timeout.toSeconds())))
        .toCompletableFuture()
        .completeOnTimeout(false, timeout.toMillis(), TimeUnit.MILLISECONDS)
        .exceptionally(e -> false);
  }

  /** An SQLException carried through a CompletionStage. */
  public static final class DatabaseException extends RuntimeException {
    DatabaseException(SQLException cause) {
      super(cause.getMessage(), cause);
    }
  }
}
