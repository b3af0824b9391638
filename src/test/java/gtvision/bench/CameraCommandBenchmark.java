package gtvision.bench;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import gtvision.camera.CameraEntity;
import gtvision.camera.CameraMetrics;
import gtvision.camera.CameraSpec;
import gtvision.camera.Cameras;
import gtvision.camera.readside.CameraTable;
import gtvision.metrics.Metrics;
import gtvision.persistence.Database;
import gtvision.testsupport.TestDatabases;
import gtvision.testsupport.TestNodes;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Semaphore;
import java.util.function.IntFunction;

/**
 * Register N cameras, then M state-changing commands through sharding; next to it, in the same run
 * and on the same database, raw batched INSERTs of the same number of rows (the limit).
 *
 * <p>Run: {@code mvn -B -q test-compile exec:java -Dexec.classpathScope=test
 * -Dexec.mainClass=gtvision.bench.CameraCommandBenchmark -Dexec.args="postgres 10000 100000"}
 */
public final class CameraCommandBenchmark {
  private static final int IN_FLIGHT = 128;

  record Result(String phase, int count, double seconds, double p50Ms, double p99Ms) {
    double perSecond() {
      return count / seconds;
    }

    String row(String db, double limitPerSecond) {
      return String.format(Locale.ROOT, "| %s | %s | %,d | %,.0f | %.1f | %.1f | %.3f |", db, phase, count, perSecond(),
          p50Ms, p99Ms, perSecond() / limitPerSecond);
    }
  }

  public static void main(String[] args) throws Exception {
    String kind = args.length > 0 ? args[0] : "h2";
    int cameraCount = args.length > 1 ? Integer.parseInt(args[1]) : 10_000;
    int commandCount = args.length > 2 ? Integer.parseInt(args[2]) : 100_000;
    Path dir = Files.createTempDirectory("gtv-bench");
    Config db = kind.equals("postgres") ? TestDatabases.postgres("bench") : TestDatabases.h2(dir);
    TestNodes.Node node = TestNodes.start(db, ConfigFactory.parseString("pekko.loglevel = WARNING"));
    try {
      Cameras cameras = new Cameras(node.system(), new CameraMetrics(Metrics.get(node.system()).registry()),
        CameraTable.listing(Database.get(node.system())));
      run("warm-up", 500, i -> cameras.register("warm-" + i, spec(i)));

      Result register = run("register", cameraCount, i -> cameras.register("cam-" + i, spec(i)));
      // Round-robin over the cameras: each command toggles one camera, so every one changes state
      // and no camera ever has two commands in flight.
      Result commands = run("enable/disable", commandCount, i -> {
        String id = "cam-" + (i % cameraCount);
        return (i / cameraCount) % 2 == 0 ? cameras.enable(id) : cameras.disable(id);
      });
      Result raw = rawBatchedInserts(Database.get(node.system()), commandCount);

      String header = "| database | phase | operations | ops/s | p50 ms | p99 ms | ratio to raw INSERT |\n|---|---|---|---|---|---|---|";
      System.out.println(header);
      System.out.println(register.row(kind, raw.perSecond()));
      System.out.println(commands.row(kind, raw.perSecond()));
      System.out.println(raw.row(kind, raw.perSecond()));
    } finally {
      node.stop();
    }
  }

  /**
   * Enabling a camera starts its stream. The sources point at a closed local port, so each enabled camera
   * starts, fails at once and backs off: the benchmark measures commands plus stream start and stop, not
   * thousands of connects hanging on unroutable addresses (which is what the ingestion benchmark is for).
   */
  private static CameraSpec spec(int i) {
    return new CameraSpec("Camera " + i, "http://user:pw@127.0.0.1:9/cam/" + i + "/snapshot.jpg", "snapshot",
        1.0, null, List.of("bench"), false);
  }

  private static Result run(String phase, int count, IntFunction<CompletionStage<CameraEntity.Reply>> op)
      throws InterruptedException {
    Semaphore permits = new Semaphore(IN_FLIGHT);
    long[] latencies = new long[count];
    CompletableFuture<?>[] all = new CompletableFuture<?>[count];
    long started = System.nanoTime();
    for (int i = 0; i < count; i++) {
      permits.acquire();
      final int n = i;
      long t0 = System.nanoTime();
      all[i] = op.apply(i).toCompletableFuture().whenComplete((reply, error) -> {
        latencies[n] = System.nanoTime() - t0;
        permits.release();
        if (error != null || !(reply instanceof CameraEntity.Accepted)) {
          System.err.println(phase + " #" + n + " failed: " + (error != null ? error : reply));
        }
      });
    }
    CompletableFuture.allOf(all).join();
    double seconds = (System.nanoTime() - started) / 1e9;
    Arrays.sort(latencies);
    return new Result(phase, count, seconds, latencies[count / 2] / 1e6, latencies[(int) (count * 0.99)] / 1e6);
  }

  /** The same number of journal-sized rows, inserted with JDBC batches of 400 (the journal's batch size). */
  private static Result rawBatchedInserts(Database database, int rows) {
    byte[] payload = new byte[180];
    return database.run(connection -> {
      try (Statement s = connection.createStatement()) {
        s.execute("CREATE TABLE IF NOT EXISTS bench_raw (persistence_id VARCHAR(255) NOT NULL, sequence_number BIGINT NOT NULL, "
            + "write_timestamp BIGINT, event_payload " + (isH2(connection) ? "BLOB" : "BYTEA")
            + " NOT NULL, PRIMARY KEY (persistence_id, sequence_number))");
      }
      connection.setAutoCommit(false);
      long started = System.nanoTime();
      try (PreparedStatement ps = connection.prepareStatement(
          "INSERT INTO bench_raw (persistence_id, sequence_number, write_timestamp, event_payload) VALUES (?,?,?,?)")) {
        for (int i = 0; i < rows; i++) {
          ps.setString(1, "Camera|raw-" + (i % 10_000));
          ps.setLong(2, i);
          ps.setLong(3, System.currentTimeMillis());
          ps.setBytes(4, payload);
          ps.addBatch();
          if ((i + 1) % 400 == 0) {
            ps.executeBatch();
            connection.commit();
          }
        }
        ps.executeBatch();
        connection.commit();
      }
      double seconds = (System.nanoTime() - started) / 1e9;
      double perRowMs = seconds * 1000 / rows;
      return new Result("raw batched INSERT", rows, seconds, perRowMs, perRowMs);
    }).toCompletableFuture().join();
  }

  private static boolean isH2(Connection connection) throws SQLException {
    return connection.getMetaData().getDatabaseProductName().toLowerCase(Locale.ROOT).contains("h2");
  }
}
