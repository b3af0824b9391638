package gtvision.testsupport;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Locale;
import java.util.UUID;
import org.junit.jupiter.api.Assumptions;

/**
 * Databases for tests. PostgreSQL (127.0.0.1:5432, or GTV_TEST_PG_URL) gets a fresh database per
 * call so tests never see each other's rows. When CI=true and PostgreSQL is missing the test fails
 * instead of skipping: CI must really exercise the production journal.
 */
public final class TestDatabases {
  private static final String ADMIN_URL =
      System.getenv().getOrDefault("GTV_TEST_PG_URL", "jdbc:postgresql://127.0.0.1:5432/postgres");
  private static final String ADMIN_USER = System.getenv().getOrDefault("GTV_TEST_PG_USER", "postgres");
  private static final String ADMIN_PASSWORD = System.getenv().getOrDefault("GTV_TEST_PG_PASSWORD", "");

  private TestDatabases() {}

  public static boolean postgresAvailable() {
    try (Connection ignored = DriverManager.getConnection(ADMIN_URL, ADMIN_USER, ADMIN_PASSWORD)) {
      return true;
    } catch (SQLException e) {
      return false;
    }
  }

  /** A fresh PostgreSQL database; skips the test locally when there is no server, fails in CI. */
  public static Config postgres(String purpose) {
    if (!postgresAvailable()) {
      if ("true".equalsIgnoreCase(System.getenv("CI"))) {
        throw new IllegalStateException("CI=true but PostgreSQL is not reachable at " + ADMIN_URL);
      }
      Assumptions.abort("PostgreSQL is not reachable at " + ADMIN_URL);
    }
    String name = ("gtv_" + purpose + "_" + UUID.randomUUID().toString().substring(0, 8)).toLowerCase(Locale.ROOT)
        .replaceAll("[^a-z0-9_]", "_");
    try (Connection c = DriverManager.getConnection(ADMIN_URL, ADMIN_USER, ADMIN_PASSWORD);
        Statement s = c.createStatement()) {
      s.execute("CREATE DATABASE " + name);
    } catch (SQLException e) {
      throw new IllegalStateException("Cannot create test database " + name, e);
    }
    String url = ADMIN_URL.substring(0, ADMIN_URL.lastIndexOf('/') + 1) + name;
    return ConfigFactory.parseString(
        "gtv.db { kind = postgres, url = \"" + url + "\", user = \"" + ADMIN_USER + "\", password = \"" + ADMIN_PASSWORD + "\" }");
  }

  /** An embedded H2 file database under {@code dir}. */
  public static Config h2(Path dir) {
    return ConfigFactory.parseString("gtv.data-dir = \"" + dir.toAbsolutePath().toString().replace("\\", "/") + "\"\ngtv.db.kind = h2");
  }

  /** PostgreSQL where there is one (always in CI), H2 otherwise. */
  public static Config preferPostgres(String purpose, Path dir) {
    boolean ci = "true".equalsIgnoreCase(System.getenv("CI"));
    return ci || postgresAvailable() ? postgres(purpose) : h2(dir);
  }
}
