package gtvision.testsupport;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;

/**
 * The machine's PostgreSQL cluster (Debian layout: /etc/postgresql/VERSION/main, pg_ctlcluster), which
 * fault tests crash and start again. Stopping it affects everything on the machine that uses it.
 */
public final class PostgresControl {
  private static final Path CLUSTERS = Path.of("/etc/postgresql");
  private static final Path PG_CTLCLUSTER = Path.of("/usr/bin/pg_ctlcluster");

  private final String version;

  private PostgresControl(String version) {
    this.version = version;
  }

  /**
   * The local cluster; skips the test where it cannot be controlled, fails when CI=true. Outside CI the
   * machine's PostgreSQL is crashed only when {@code GTV_TEST_CRASH_POSTGRES=on} says so: a developer's
   * {@code mvn verify} must not stop the database their other work uses.
   */
  public static PostgresControl local() {
    boolean ci = "true".equalsIgnoreCase(System.getenv("CI"));
    if (!ci && !"on".equalsIgnoreCase(System.getenv("GTV_TEST_CRASH_POSTGRES"))) {
      Assumptions.abort("crashes the machine's PostgreSQL: runs with CI=true or GTV_TEST_CRASH_POSTGRES=on");
    }
    String problem = null;
    String version = null;
    if (!Files.isExecutable(PG_CTLCLUSTER) || !Files.isDirectory(CLUSTERS)) {
      problem = "no pg_ctlcluster or " + CLUSTERS;
    } else if (!TestDatabases.postgresAvailable()) {
      problem = "PostgreSQL is not running";
    } else {
      try (Stream<Path> versions = Files.list(CLUSTERS)) {
        version = versions.map(p -> p.getFileName().toString()).sorted().findFirst().orElse(null);
      } catch (IOException e) {
        problem = "cannot list " + CLUSTERS + ": " + e;
      }
      if (version == null && problem == null) problem = "no cluster under " + CLUSTERS;
    }
    if (problem != null) {
      if ("true".equalsIgnoreCase(System.getenv("CI"))) {
        throw new IllegalStateException("CI=true but the local PostgreSQL cannot be controlled: " + problem);
      }
      Assumptions.abort("The local PostgreSQL cannot be controlled: " + problem);
    }
    return new PostgresControl(version);
  }

  /** Stops the server without a checkpoint, as a crash does (in-flight transactions are lost). */
  public void crashStop() {
    pgCtlCluster("stop", "-m", "immediate");
  }

  /** Starts the server and waits until it takes connections (crash recovery runs first). */
  public void start(Duration timeout) {
    pgCtlCluster("start");
    long deadline = System.nanoTime() + timeout.toNanos();
    while (!TestDatabases.postgresAvailable()) {
      if (System.nanoTime() > deadline) throw new IllegalStateException("PostgreSQL did not come back within " + timeout);
      MediaTools.sleep(100);
    }
  }

  private void pgCtlCluster(String... action) {
    List<String> command = new ArrayList<>(List.of(PG_CTLCLUSTER.toString(), "--skip-systemctl-redirect", version, "main"));
    command.addAll(List.of(action));
    try {
      Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
      String output = new String(process.getInputStream().readAllBytes());
      if (!process.waitFor(60, TimeUnit.SECONDS) || process.exitValue() != 0) {
        throw new IllegalStateException(String.join(" ", command) + " failed: " + output);
      }
    } catch (IOException e) {
      throw new IllegalStateException(String.join(" ", command) + " failed", e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }
}
